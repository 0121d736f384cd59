// 3-D Secure in a real browser: the merchant's auto-submitting form of seed 003 takes headless
// Chromium to the sandbox ACS, the cardholder types the printed code, the ACS posts PaRes + MD to
// the SDK TermUrl (confirmPayment?Access=), and the browser lands on the success page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSandbox, launchBrowser, screenshotPath } from './harness.mjs';

const CLIENT_ID = 'test';
const CLIENT_SECRET = 'yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG';
const TERMINAL = '67e34d63-102f-4bd1-898e-370781d0074d';
const MERCHANT_PAGE = 'http://merchant.example/checkout';

/** A payment that needs 3-D Secure, made over the HTTP API like a merchant backend does. */
async function payWithChallenge(base, invoiceID, pan, expDate, cvc) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: 'webapi usermanagement email_send verification statement statistics payment',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    invoiceID,
    amount: '100',
    currency: 'KZT',
    terminal: TERMINAL,
  });
  const tokenResponse = await fetch(`${base}/oauth2/token`, { method: 'POST', body: form });
  assert.equal(tokenResponse.status, 200);
  const { access_token: token } = await tokenResponse.json();
  const pem = await (await fetch(`${base}/public.rsa`)).text();
  const cryptogram = crypto
    .publicEncrypt(
      { key: pem, padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.from(JSON.stringify({ hpan: pan, expDate, cvc, terminalId: TERMINAL })),
    )
    .toString('base64');
  const paid = await fetch(`${base}/payment/cryptopay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      amount: 100,
      currency: 'KZT',
      name: 'ARMAN ALI',
      cryptogram,
      invoiceId: invoiceID,
      description: 'Browser 3-D Secure test',
      accountId: 'uuid000001',
      language: 'rus',
      cardSave: false,
    }),
  });
  const body = await paid.json();
  assert.equal(paid.status, 200, JSON.stringify(body));
  assert.ok(body.secure3D, 'the card needs 3-D Secure');
  return { token, id: body.id, ...body.secure3D };
}

/** Seed 003's merchant form: posts PaReq, MD and TermUrl to the ACS on load. */
function merchantForm({ action, paReq, md }, termUrl) {
  const attr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<!doctype html><html><body onload="javascript:OnLoadEvent();">
<FORM ACTION="${attr(action)}" METHOD="post" NAME="ThreeDform" target="_self">
  <input name="PaReq" type="hidden" value="${attr(paReq)}">
  <input name="MD" type="hidden" value="${attr(md)}">
  <input name="TermUrl" type="hidden" value="${attr(termUrl)}">
</FORM>
<div align="center"><h1>Дождитесь ответа!<br><br>Жауабын күтіңіз!<br><br>Wait for an answer!<br><br></h1></div>
</body>
<SCRIPT>function OnLoadEvent () { document.forms[0].submit(); }</SCRIPT></html>`;
}

async function statusOf(base, invoiceID) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: 'payment',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    terminal: TERMINAL,
  });
  const { access_token: token } = await (await fetch(`${base}/oauth2/token`, { method: 'POST', body: form })).json();
  const response = await fetch(`${base}/check-status/payment/transaction/${invoiceID}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return (await response.json()).transaction;
}

async function openChallenge(browser, sandbox, secure3d) {
  const termUrl = `${sandbox.url}/payments/cards/confirmPayment?Access=${encodeURIComponent(secure3d.token)}`;
  const page = await browser.newPage({ viewport: { width: 640, height: 760 } });
  await page.route(MERCHANT_PAGE, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: merchantForm(secure3d, termUrl) }),
  );
  await page.goto(MERCHANT_PAGE);
  await page.waitForURL(`${sandbox.url}/acs`);
  await page.waitForSelector('#sandbox-code');
  return page;
}

test('3-D Secure challenge in Chromium ends on the success page', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const secure3d = await payWithChallenge(sandbox.url, '000077001', '5522042705066736', '0127', '775');
  const page = await openChallenge(browser, sandbox, secure3d);
  assert.match(await page.innerText('#amount'), /100 KZT/);
  assert.match(await page.innerText('#card'), /552204\.\.\.6736/);
  const code = (await page.innerText('#sandbox-code')).trim();
  assert.equal(code, '123456');
  await page.screenshot({ path: screenshotPath('acs-challenge.png'), fullPage: true });

  await page.fill('#code', code);
  await page.click('#confirm');
  await page.waitForURL(/\/payform\/success\.html\?/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('invoiceID'), '000077001');
  assert.match(url.searchParams.get('reference') ?? '', /^\d{12}$/);
  assert.match(await page.innerText('#result'), /Оплата прошла успешно/, 'the payment was made in Russian');

  const transaction = await statusOf(sandbox.url, '000077001');
  assert.equal(transaction.statusName, 'AUTH');
  assert.equal(transaction.reference, url.searchParams.get('reference'));
});

test('three wrong codes in Chromium end on the failure page with errorCode 473', async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const secure3d = await payWithChallenge(sandbox.url, '000077002', '4000000000003014', '1230', '123');
  const page = await openChallenge(browser, sandbox, secure3d);
  for (const attemptsLeft of ['2', '1']) {
    await page.fill('#code', '000000');
    await page.click('#confirm');
    await page.waitForSelector('#error');
    assert.match(await page.innerText('#error'), new RegExp(`${attemptsLeft}$`));
  }
  await page.click('button[value=eng]');
  await page.waitForSelector('text=Payment confirmation');
  await page.fill('#code', '999999');
  await page.click('#confirm');
  await page.waitForURL(/\/payform\/\?invoiceID=/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('errorCode'), '473');
  assert.equal(url.searchParams.get('code'), '473');
  assert.equal((await statusOf(sandbox.url, '000077002')).statusName, '3D');
});

test("seed 003's failure target: the merchant's /payment/confirm sends Chromium to /payform/?invoiceID=&code=&message=, in Russian", async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const secure3d = await payWithChallenge(sandbox.url, '000077003', '5522042705066736', '0127', '775');
  // The merchant's TermUrl (seed 003): its backend posts PaRes and MD to /payment/confirm and
  // passes the bank's redirect on to the browser.
  const termUrl = 'http://merchant.example/3dRes';
  const page = await browser.newPage({ viewport: { width: 640, height: 760 } });
  await page.route(MERCHANT_PAGE, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: merchantForm(secure3d, termUrl) }),
  );
  await page.route(termUrl, async (route) => {
    const posted = new URLSearchParams(route.request().postData() ?? '');
    const confirmed = await fetch(`${sandbox.url}/payment/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secure3d.token}` },
      body: JSON.stringify({ ID: secure3d.id, PaRes: posted.get('PaRes'), MD: posted.get('MD') }),
    });
    assert.equal(confirmed.status, 302, await confirmed.text());
    await route.fulfill({ status: 302, headers: { location: confirmed.headers.get('location') ?? '' } });
  });
  await page.goto(MERCHANT_PAGE);
  await page.waitForURL(`${sandbox.url}/acs`);
  await page.click('#cancel');
  await page.waitForURL(/\/payform\/\?invoiceID=000077003&code=473&message=/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.has('params'), false, 'the bank\'s target has no ?params=');

  const { reasonCodes } = await (await fetch(`${sandbox.url}/_sandbox/reasons`)).json();
  const reason = reasonCodes.find((r) => r.code === 473);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal((await page.innerText('h1')).trim(), 'Оплата не прошла');
  assert.equal((await page.innerText('[data-reason]')).trim(), `${reason.messageRu} (473)`);
  assert.equal((await page.innerText('[data-invoice]')).trim(), '000077003');
  const text = await page.innerText('body');
  assert.ok(!text.includes(url.searchParams.get('message')), `no raw message parameter: ${text}`);
  assert.ok(!text.includes(reason.messageEn), 'one language only');
  assert.equal(await page.locator('a').count(), 0, 'no link without a safe back link');
  assert.equal((await statusOf(sandbox.url, '000077003')).statusName, '3D');
});
