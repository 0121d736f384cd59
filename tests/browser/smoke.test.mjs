// The browser harness itself works: the sandbox starts and Chromium reaches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser } from './harness.mjs';

test('headless Chromium reaches the sandbox', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const response = await page.goto(`${sandbox.url}/_sandbox/health`);
  assert.equal(response.status(), 200);
  const body = JSON.parse(await page.innerText('body'));
  assert.equal(body.status, 'ok');
});
