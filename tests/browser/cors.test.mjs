// CORS in a real browser: a page served from another origin fetches a token and check-status
// from the sandbox with fetch() and reads the answers; the control plane stays unreadable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { startSandbox, launchBrowser } from './harness.mjs';

const TERMINAL = '67e34d63-102f-4bd1-898e-370781d0074d';

/** A merchant's page on its own origin (another port); resolves with its URL. */
async function startShop() {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>shop</title><p>shop</p>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('a page on another origin reads a token and check-status with fetch()', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const shop = await startShop();
  t.after(() => shop.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const created = await fetch(`${sandbox.url}/_sandbox/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ terminal: TERMINAL, invoiceId: '800101', amount: 1500 }),
  });
  assert.equal(created.status, 201);
  const page = await browser.newPage();
  await page.goto(`${shop.url}/`);

  const result = await page.evaluate(async ({ base, terminal }) => {
    const token = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'webapi payment',
        client_id: 'test',
        client_secret: 'yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG',
        terminal,
      }),
    }).then((r) => r.json());
    // Authorization makes this a non-simple request: the browser sends a preflight first.
    const status = await fetch(`${base}/check-status/payment/transaction/800101`, {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
    const control = await fetch(`${base}/_sandbox/health`).then(() => 'read', (e) => e.name);
    return { origin: location.origin, token, status: status.status, body: await status.json(), control };
  }, { base: sandbox.url, terminal: TERMINAL });

  assert.notEqual(result.origin, new URL(sandbox.url).origin, 'the page is cross-origin');
  assert.equal(result.token.expires_in, '7200', 'a string, as the bank\'s iOS SDK decodes it');
  assert.ok(result.token.access_token, 'token read by the page');
  assert.equal(result.status, 200, JSON.stringify(result.body));
  assert.equal(result.body.transaction.invoiceID, '800101', JSON.stringify(result.body));
  assert.equal(result.body.transaction.statusName, 'AUTH');
  assert.equal(result.control, 'TypeError', 'the control plane is not readable cross-origin');
});
