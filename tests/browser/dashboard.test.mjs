// The dashboard in a real browser: a payment seeded over HTTP shows up, the Charge button
// captures it, the clock buttons move sandbox time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, screenshotPath } from './harness.mjs';

const TERMINAL = '67e34d63-102f-4bd1-898e-370781d0074d';

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('dashboard charges an AUTH payment and advances the clock', async (t) => {
  const sandbox = await startSandbox(['--seed', '7']);
  t.after(() => sandbox.stop());

  await post(`${sandbox.url}/_sandbox/clock/freeze`, { at: '2030-03-01T09:00:00+06:00' });
  const token = await fetch(`${sandbox.url}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'webapi payment',
      client_id: 'test',
      client_secret: 'yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG',
      terminal: TERMINAL,
    }),
  }).then((r) => r.json());
  assert.ok(token.access_token, 'token issued');

  const created = await post(`${sandbox.url}/_sandbox/transactions`, {
    terminal: TERMINAL, invoiceId: '800001', amount: 15000, description: 'Order 800001', email: 'buyer@example.kz',
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.status, 'AUTH');
  await post(`${sandbox.url}/_sandbox/transactions`, {
    terminal: TERMINAL, invoiceId: '800002', amount: 990, outcome: { kind: 'decline', code: 484 },
  });
  await post(`${sandbox.url}/_sandbox/scenarios`, {
    match: { accountId: 'flaky-buyer' }, outcome: { kind: 'fail', code: 487 }, times: 2,
  });

  const status = await fetch(`${sandbox.url}/check-status/payment/transaction/800001`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  }).then((r) => r.json());
  assert.equal(status.transaction.statusName, 'AUTH');

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(`${sandbox.url}/_sandbox/`);
  const row = page.locator('tr[data-invoice="800001"]');
  assert.equal((await row.locator('[data-status]').innerText()).trim(), 'AUTH');

  await Promise.all([page.waitForURL(/\/_sandbox\/$/), row.locator('button[data-action="charge"]').click()]);
  assert.equal((await page.locator('tr[data-invoice="800001"] [data-status]').innerText()).trim(), 'CHARGE');

  const after = await fetch(`${sandbox.url}/_sandbox/transactions/${created.body.id}`).then((r) => r.json());
  assert.equal(after.status, 'CHARGE');
  assert.equal(after.history.length, 2);

  const before = await page.locator('#now').innerText();
  await Promise.all([page.waitForURL(/\/_sandbox\/$/), page.getByRole('button', { name: '+1 day' }).click()]);
  const later = await page.locator('#now').innerText();
  assert.notEqual(later, before);
  assert.match(later, /^2030-03-02T09:00:00/);

  await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: false });
});

test('with --control-token the dashboard works after ?token= and a foreign page cannot reset', async (t) => {
  const sandbox = await startSandbox(['--seed', '8', '--control-token', 't0k3n']);
  t.after(() => sandbox.stop());
  const created = await fetch(`${sandbox.url}/_sandbox/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sandbox-token': 't0k3n' },
    body: JSON.stringify({ terminal: TERMINAL, invoiceId: '800101', amount: 100 }),
  });
  assert.equal(created.status, 201);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const refused = await page.goto(`${sandbox.url}/_sandbox/`);
  assert.equal(refused.status(), 401, 'no token, no dashboard');
  const opened = await page.goto(`${sandbox.url}/_sandbox/?token=t0k3n`);
  assert.equal(opened.status(), 200);
  const before = await page.locator('#now').innerText();
  await Promise.all([page.waitForURL(/\/_sandbox\/$/), page.getByRole('button', { name: '+1 day' }).click()]);
  assert.notEqual(await page.locator('#now').innerText(), before, 'the forms carry the token cookie');

  const attacker = await browser.newPage();
  await attacker.setContent(`<form method="post" action="${sandbox.url}/_sandbox/reset"><button id="go">win</button></form>`);
  const [answer] = await Promise.all([attacker.waitForNavigation(), attacker.click('#go')]);
  assert.equal(answer.status(), 403, 'a cross-origin form post is refused');
  const list = await fetch(`${sandbox.url}/_sandbox/transactions`, { headers: { 'x-sandbox-token': 't0k3n' } })
    .then((r) => r.json());
  assert.equal(list.total, 1, 'nothing was reset');
});
