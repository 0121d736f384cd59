// The sandbox's Homebank app page for QR bills: a person scans a bill, pays it with a chosen
// test card or rejects it, and the merchant's GET /qr sees each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, screenshotPath } from './harness.mjs';

const CLIENT = { client_id: 'test', client_secret: 'yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG' };
const TERMINAL = '67e34d63-102f-4bd1-898e-370781d0074d';

async function paymentToken(base, invoiceID) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', scope: 'payment', ...CLIENT,
    invoiceID, amount: '1000', currency: 'KZT', terminal: TERMINAL,
  });
  const answer = await fetch(`${base}/oauth2/token`, { method: 'POST', body: form });
  assert.equal(answer.status, 200);
  return (await answer.json()).access_token;
}

async function bill(base, invoiceID) {
  const token = await paymentToken(base, invoiceID);
  const answer = await fetch(`${base}/payment/qr/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ description: 'QR order', language: 'rus' }),
  });
  assert.equal(answer.status, 200);
  return { token, ...(await answer.json()) };
}

async function qrStatus(base, { token, billNumber }) {
  const answer = await fetch(`${base}/qr?billNumber=${billNumber}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(answer.status, 200);
  return answer.json();
}

test('the bank app page scans a bill and pays it with the chosen card', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();

  const qr = await bill(sandbox.url, '740000001');
  await page.goto(qr.homebankLink);
  assert.equal(await page.innerText('#status'), 'NEW');
  assert.match(await page.innerText('#amount'), /1000 KZT/);
  await Promise.all([page.waitForURL(`**/homebank/qr/${qr.billNumber}`), page.click('#scan')]);
  assert.equal(await page.innerText('#status'), 'SCANNED');
  assert.equal((await qrStatus(sandbox.url, qr)).status, 'SCANNED');
  await page.selectOption('#card', '4405639704015096');
  await page.screenshot({ path: screenshotPath('qr-app.png') });
  await Promise.all([page.waitForURL(`**/homebank/qr/${qr.billNumber}`), page.click('#pay')]);
  assert.equal(await page.innerText('#status'), 'AUTH');
  assert.equal(await page.locator('#pay').count(), 0, 'a paid bill offers no more buttons');
  const status = await qrStatus(sandbox.url, qr);
  assert.equal(status.status, 'AUTH');
  assert.equal(status.issuer, 'Halyk Bank');
});

test('the bank app page rejects a bill and a declining card rejects another', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();

  const rejected = await bill(sandbox.url, '740000002');
  await page.goto(rejected.qrcode);
  await Promise.all([page.waitForURL(`**/homebank/qr/${rejected.billNumber}`), page.click('#reject')]);
  assert.equal(await page.innerText('#status'), 'REJECTED');
  assert.equal((await qrStatus(sandbox.url, rejected)).retCode, '466');

  const declined = await bill(sandbox.url, '740000003');
  await page.goto(declined.onlinebankLink);
  await Promise.all([page.waitForURL(`**/homebank/qr/${declined.billNumber}`), page.click('#scan')]);
  await page.selectOption('#card', '4000000000004848');
  await Promise.all([page.waitForURL(`**/homebank/qr/${declined.billNumber}`), page.click('#pay')]);
  assert.equal(await page.innerText('#status'), 'REJECTED');
  assert.equal((await qrStatus(sandbox.url, declined)).retCode, '484');
});
