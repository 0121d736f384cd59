// Shared helpers for the browser tests: start the sandbox binary on a free port and open
// Debian's Chromium headless with the flags this machine needs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

/** Starts `epay-sandbox` on 127.0.0.1:0 and resolves with { url, stop }. */
export async function startSandbox(extraArgs = []) {
  const bin = process.env.EPAY_SANDBOX_BIN ?? join(repoRoot, 'target', 'debug', 'epay-sandbox');
  const child = spawn(bin, ['--addr', '127.0.0.1:0', '--log-level', 'info', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', RUST_LOG_STYLE: 'never' },
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not report its address: ${seen}`)), 15000);
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = seen.match(/listening on (http:\/\/[0-9.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${seen}`)));
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Launches headless Chromium (Debian's /usr/bin/chromium). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Where a screenshot is written: `docs/screenshots/` when UPDATE_SCREENSHOTS=1 (to refresh the
 * pictures the README shows), otherwise a temporary folder, so a test run leaves the tree clean.
 */
export function screenshotPath(name) {
  const dir = process.env.UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs', 'screenshots')
    : join(tmpdir(), 'epay-sandbox-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** The bank's public test client (seeds 000/002/004). */
export const TEST_CLIENT = { id: 'test', secret: 'yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG' };

/** A client-credentials token of the test client with the given fields (scope, terminal, invoiceID …). */
export async function clientToken(base, fields) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: TEST_CLIENT.id,
    client_secret: TEST_CLIENT.secret,
    ...fields,
  });
  const response = await fetch(`${base}/oauth2/token`, { method: 'POST', body: form });
  if (response.status !== 200) throw new Error(`token: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}
