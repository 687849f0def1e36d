// test_wallet.mjs - the wallet pages of `mcred serve` in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core): a learner signs
// in, imports a baked PNG through the import page (the file input), sees it
// verified, shares it on its share page (the QR code image loads), and the
// public link, opened in a fresh context that is not signed in, verifies
// the badge live; no page logs a console error, fails a request or violates
// its Content-Security-Policy. Run by test_wallet.py, which starts the
// server and passes: MCRED_BASE, MCRED_EMAIL and MCRED_TOKEN (the learner
// user), MCRED_PNG (the baked image), MCRED_CHROMIUM.
// Prints a FAIL line per failed check and "N passed, N failed"; exit 1 on failure.
// SPDX-License-Identifier: Apache-2.0
import { chromium } from 'playwright-core';
import {
  LAUNCH, TIMEOUT, check, recordViolations, run, setting, violations, watch,
} from './common.mjs';

const BASE = setting('MCRED_BASE');
const EMAIL = setting('MCRED_EMAIL');
const TOKEN = setting('MCRED_TOKEN');
const PNG = setting('MCRED_PNG');

async function noViolations(page, what) {
  const v = await violations(page);
  check(v.length === 0, `${what}: no CSP violation ${JSON.stringify(v)}`);
}

// Sign in, import the baked PNG, share it: the public link.
async function learner(browser) {
  const context = await browser.newContext();
  await context.addInitScript(recordViolations);
  const page = await context.newPage();
  watch(page);
  await page.goto(BASE + '/login', { waitUntil: 'load' });
  await page.locator('#email').fill(EMAIL);
  await page.locator('#token').fill(TOKEN);
  await Promise.all([page.waitForURL(BASE + '/me'), page.locator('form button').click()]);
  check(page.url() === BASE + '/me', `signed in: ${page.url()}`);

  let resp = await page.goto(BASE + '/me/wallet', { waitUntil: 'load' });
  check(resp && resp.status() === 200, `my credentials page (${resp && resp.status()})`);
  await Promise.all([page.waitForURL(BASE + '/me/wallet/import'),
    page.locator('a[href="/me/wallet/import"]').first().click()]);
  await page.locator('#file').setInputFiles(PNG);
  await Promise.all([page.waitForLoadState('load'),
    page.locator('#import-form button[type="submit"]').click()]);
  const result = page.locator('#import-result');
  try {
    await result.waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `import: a result (page: ${(await page.content()).slice(0, 500)})`);
  }
  check(await result.getAttribute('data-verdict') === 'valid',
    `import: verdict valid (${await result.getAttribute('data-verdict')})`);
  check(await result.locator('li.check-pass').count() >= 4, 'import: the checks are listed');
  await noViolations(page, 'import page');

  await Promise.all([page.waitForURL(/\/me\/wallet\/\d+\/share$/),
    page.locator('#share-link').click()]);
  check(/Private/.test(await page.locator('#share-state').textContent()),
    'share page: private at first');
  await Promise.all([page.waitForLoadState('load'),
    page.locator('#share-form button[type="submit"]').click()]);
  const link = page.locator('#public-link');
  await link.waitFor({ timeout: TIMEOUT });
  const url = await link.getAttribute('href');
  check(url && url.startsWith(BASE + '/badges/'), `the share link: ${url}`);
  const qr = page.locator('#qr');
  await page.waitForFunction(() => {
    const img = document.getElementById('qr');
    return img && img.complete;
  }, null, { timeout: TIMEOUT });
  check(await qr.evaluate((img) => img.naturalWidth > 0), 'the QR code image loads');
  await noViolations(page, 'share page');

  resp = await page.goto(BASE + '/me/wallet', { waitUntil: 'load' });
  check((await page.locator('#wallet-items').textContent()).includes(url),
    'my credentials show the item shared, with its link');
  await context.close();
  return url;
}

// A visitor who is not signed in opens the link: verified live.
async function visitor(browser, url) {
  const context = await browser.newContext();
  await context.addInitScript(recordViolations);
  const page = await context.newPage();
  watch(page);
  const resp = await page.goto(url, { waitUntil: 'load' });
  check(resp && resp.status() === 200, `the public badge page, logged out (${resp && resp.status()})`);
  check(await page.locator('a[href="/login"]').count() === 1, 'the visitor is not signed in');
  const box = page.locator('#verification .verdict');
  try {
    await box.and(page.locator('[data-verdict="valid"]')).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `public page: verdict valid (got ${await box.getAttribute('data-verdict')})`);
  }
  const headline = (await box.locator('.verdict-headline').textContent()) || '';
  check(/verified/i.test(headline), `public page says verified: '${headline}'`);
  check((await page.locator('h1').textContent()) === 'C Programming 101', 'the badge name');
  await noViolations(page, 'public badge page');
  await context.close();
}

async function main() {
  const browser = await chromium.launch(LAUNCH);
  try {
    const url = await learner(browser);
    if (url) await visitor(browser, url);
  } finally {
    await browser.close();
  }
}

run(main);
