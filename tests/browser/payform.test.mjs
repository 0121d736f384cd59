// The hosted payment page in a real browser: the demo shop pays through
// /payform/payment-api.js with halyk.pay (full page) and halyk.showPaymentWidget (iframe), and
// the 3-D Secure card is sent to the ACS with the auto-submitting form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, screenshotPath, clientToken } from './harness.mjs';

const FRICTIONLESS = { pan: '4405 6397 0401 5096', expiry: '01/27', cvc: '321' };

async function fillCard(scope, card) {
  await scope.locator('#pan').fill(card.pan);
  await scope.locator('#expiry').fill(card.expiry);
  await scope.locator('#cvc').fill(card.cvc);
  await scope.locator('#name').fill('ARMAN ALI');
}

/** Polls the delivery log until `invoiceId` has a delivered callback. */
async function deliveredCallback(base, invoiceId) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const log = await fetch(`${base}/_sandbox/deliveries?invoiceId=${invoiceId}`).then((r) => r.json());
    const done = log.deliveries.find((d) => d.state === 'delivered');
    if (done) return done;
    if (Date.now() > deadline) throw new Error(`no delivered callback for ${invoiceId}: ${JSON.stringify(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('payment page: halyk.pay, the widget and 3-D Secure from the demo shop', async (t) => {
  const sandbox = await startSandbox(['--seed', '11']);
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1000, height: 860 } });

  await t.test('halyk.pay → card form → backLink, with the callback delivered', async () => {
    await page.goto(`${sandbox.url}/_sandbox/demo`);
    await Promise.all([page.waitForURL(/\/payform\/\?params=/), page.locator('#pay').click()]);
    const invoiceId = (await page.locator('[data-invoice]').innerText()).trim();
    assert.match(invoiceId, /^\d{6,15}$/);
    assert.equal((await page.locator('[data-amount]').innerText()).trim(), '1500 KZT');
    assert.equal((await page.locator('[data-description]').innerText()).trim(), 'Demo order');
    assert.equal(await page.locator('#cardSave').count(), 1, 'save-card box (accountId is set)');
    await fillCard(page, FRICTIONLESS);
    await page.screenshot({ path: screenshotPath('payform.png') });

    await Promise.all([page.waitForURL(/\/_sandbox\/demo\/back\?result=success&reference=\d{12}$/), page.locator('#submit').click()]);
    assert.equal(await page.locator('#back').getAttribute('data-result'), 'success');

    const delivery = await deliveredCallback(sandbox.url, invoiceId);
    assert.equal(delivery.body.code, 'ok');
    assert.equal(delivery.body.invoiceId, invoiceId);
    assert.match(delivery.url, /\/_sandbox\/demo\/postlink$/);
  });

  await t.test('halyk.showPaymentWidget reports {"success": true} to the shop', async () => {
    await page.goto(`${sandbox.url}/_sandbox/demo`);
    await page.locator('#widget').click();
    const frame = page.frameLocator('#halyk-payment-widget iframe');
    await fillCard(frame, FRICTIONLESS);
    await frame.locator('#submit').click();
    await page.locator('#result[data-success="true"]').waitFor({ timeout: 15000 });
    assert.equal(await page.locator('#halyk-payment-widget').count(), 0, 'overlay removed');
  });

  await t.test('the 3-D Secure card: ACS challenge, code, then backLink with the callback delivered', async () => {
    await page.goto(`${sandbox.url}/_sandbox/demo`);
    await Promise.all([page.waitForURL(/\/payform\/\?params=/), page.locator('#pay3ds').click()]);
    const invoiceId = (await page.locator('[data-invoice]').innerText()).trim();
    assert.equal(await page.inputValue('#pan'), '5522042705066736', 'the button fills in the 3-D Secure card');
    assert.equal(await page.inputValue('#expiry'), '01/27');
    const acsRequest = page.waitForRequest((request) => request.url() === `${sandbox.url}/acs`);
    await page.locator('#submit').click();
    const request = await acsRequest;
    assert.equal(request.method(), 'POST');
    const form = new URLSearchParams(request.postData() ?? '');
    assert.ok(form.get('PaReq'), 'PaReq posted');
    assert.ok(form.get('MD'), 'MD posted');
    assert.match(form.get('TermUrl') ?? '', /\/payments\/cards\/confirmPayment\?Access=.+/);

    await page.locator('#code').fill('123456');
    await Promise.all([
      page.waitForURL(/\/_sandbox\/demo\/back\?result=success&reference=\d{12}$/, { timeout: 15000 }),
      page.locator('#confirm').click(),
    ]);
    assert.equal(await page.locator('#back').getAttribute('data-result'), 'success');
    const delivery = await deliveredCallback(sandbox.url, invoiceId);
    assert.equal(delivery.body.code, 'ok');
    assert.equal(delivery.body.secure, 'yes');
  });
});

const P2P_TERMINAL = 'c36b282f-6819-4d4f-85df-a4bdc8a8f703';

/** A transfer token of the bank's public test client (seed 004). */
function transferToken(base, invoiceID) {
  return clientToken(base, { scope: 'transfer', invoiceID, amount: '100', currency: 'KZT', terminal: P2P_TERMINAL });
}

/** Seed 004's payment object for halyk.p2p, with `extra` fields on top. */
async function p2pObject(base, invoiceId, extra) {
  return {
    invoiceId,
    backLink: `${base}/_sandbox/demo/back?result=success`,
    failureBackLink: `${base}/_sandbox/demo/back?result=failure`,
    postLink: `${base}/_sandbox/demo/postlink`,
    language: 'rus',
    description: 'Перевод',
    accountId: 'p2p-buyer',
    terminal: P2P_TERMINAL,
    amount: 100,
    currency: 'KZT',
    auth: await transferToken(base, invoiceId),
    ...extra,
  };
}

/** Opens the shop's page, calls halyk.p2p(object) and waits for the transfer form. */
async function openP2p(page, base, object) {
  await page.goto(`${base}/_sandbox/demo`);
  await Promise.all([
    page.waitForURL(/\/payform\/\?params=.*&isTransfer=true$/),
    page.evaluate((o) => window.halyk.p2p(o), object),
  ]);
}

test('hosted P2P: cardSave saves the cards, then a second transfer from the saved sender card', async (t) => {
  const sandbox = await startSandbox(['--seed', '12']);
  t.after(() => sandbox.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });

  await openP2p(page, sandbox.url, await p2pObject(sandbox.url, '510001', { cardSave: true }));
  assert.equal(await page.locator('#cardSave').isChecked(), true, 'cardSave ticks the save box');
  await page.locator('#pan').fill('4405 6397 0401 5096');
  await page.locator('#expiry').fill('01/25');
  await page.locator('#cvc').fill('815');
  await page.locator('#name').fill('ARMAN ALI');
  await page.locator('#receiverPan').fill('5522 0427 0506 6736');
  await Promise.all([page.waitForURL(/\/_sandbox\/demo\/back\?result=success&reference=\d{12}$/), page.locator('#submit').click()]);
  const first = await deliveredCallback(sandbox.url, '510001');
  assert.match(first.body.senderCardID, /^[0-9a-f-]{36}$/, JSON.stringify(first.body));
  assert.match(first.body.receiverCardID, /^[0-9a-f-]{36}$/, JSON.stringify(first.body));

  await openP2p(page, sandbox.url, await p2pObject(sandbox.url, '510002', { senderCardId: first.body.senderCardID }));
  assert.equal(await page.locator('#pan').count(), 0, 'a saved sender has no card number field');
  assert.equal(await page.locator('#cvc').count(), 0, 'nor a CVC');
  assert.match(await page.locator('[data-saved-sender]').innerText(), /440563\.\.\.5096/);
  await page.locator('#receiverPan').fill('5522 0427 0506 6736');
  await Promise.all([page.waitForURL(/\/_sandbox\/demo\/back\?result=success&reference=\d{12}$/), page.locator('#submit').click()]);
  const second = await deliveredCallback(sandbox.url, '510002');
  assert.equal(second.body.senderCardID, first.body.senderCardID);
  assert.equal(second.body.senderTransferType, 'TYPECARDID');
  assert.equal(second.body.receiverCardPAN, '552204...6736');
});
