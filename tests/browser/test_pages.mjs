// test_pages.mjs - the pages of `mcred serve` in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser is downloaded):
// a shared badge page verifies live and lists each check; the verifier
// shows a tampered credential (given with setInputFiles) as invalid with the
// failing check, and a dropped valid one as verified; the copy button copies
// the link; and no page logs a console error, throws, or violates its
// Content-Security-Policy. Run by test_browser.py, which starts the server and
// passes: MCRED_BASE (the server), MCRED_BADGE (a badge page path),
// MCRED_TAMPERED and MCRED_VALID (credential files), MCRED_CHROMIUM,
// MCRED_PROFILE (a fresh user data directory).
// Prints a FAIL line per failed check and "N passed, N failed"; exit 1 on failure.
// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium } from 'playwright-core';
import {
  LAUNCH, TIMEOUT, check, recordViolations, run, setting, violations, watch,
} from './common.mjs';

const BASE = setting('MCRED_BASE');
const BADGE = setting('MCRED_BADGE');
const TAMPERED = setting('MCRED_TAMPERED');
const VALID = setting('MCRED_VALID');
const PROFILE = setting('MCRED_PROFILE');

async function checks(box) {
  return box.locator('ul.checks li').evaluateAll((lis) =>
    lis.map((li) => ({ check: li.dataset.check, result: li.className })));
}

async function badgePage(context) {
  const page = await context.newPage();
  watch(page);
  const resp = await page.goto(BASE + BADGE, { waitUntil: 'load' });
  check(resp && resp.status() === 200, `badge page loads (${resp && resp.status()})`);
  const box = page.locator('#verification .verdict');
  try {
    await box.and(page.locator('[data-verdict="valid"]')).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `badge page: verdict valid (got ${await box.getAttribute('data-verdict')})`);
  }
  const headline = (await box.locator('.verdict-headline').textContent()) || '';
  check(/verified/i.test(headline), `badge page says verified: '${headline}'`);
  const list = await checks(box);
  const names = new Set(list.map((c) => c.check));
  for (const name of ['format', 'structure', 'proof', 'issuer', 'dates', 'status']) {
    check(names.has(name), `badge page lists the ${name} check`);
  }
  check(list.length >= 6 && list.every((c) => c.result === 'pass'),
    `every check passed: ${JSON.stringify(list)}`);
  const h1 = await page.locator('h1').textContent();
  check(h1 === 'C Programming 101', `badge name shown: '${h1}'`);
  // the copy button puts the share link on the clipboard
  const link = await page.locator('#share-link').inputValue();
  await page.locator('button.copy').first().click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === link && link.includes('/badges/'), `copy link: '${copied}'`);
  const og = await page.locator('meta[property="og:title"]').getAttribute('content');
  check(og === 'C Programming 101', `Open Graph title: '${og}'`);
  check((await violations(page)).length === 0,
    `badge page: no CSP violation ${JSON.stringify(await violations(page))}`);
  await page.close();
}

async function verifierPage(context) {
  const page = await context.newPage();
  watch(page);
  const resp = await page.goto(BASE + '/verify', { waitUntil: 'load' });
  check(resp && resp.status() === 200, `verifier page loads (${resp && resp.status()})`);
  const box = page.locator('#result .verdict');

  // a tampered credential, chosen with the file input
  await page.locator('#file').setInputFiles(TAMPERED);
  try {
    await box.and(page.locator('[data-verdict="invalid"]')).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `tampered: verdict invalid (got ${await box.getAttribute('data-verdict')})`);
  }
  const headline = (await box.locator('.verdict-headline').textContent()) || '';
  check(/invalid/i.test(headline), `tampered: says invalid: '${headline}'`);
  const list = await checks(box);
  const proof = list.find((c) => c.check === 'proof');
  check(proof && proof.result === 'fail', `tampered: the proof check fails: ${JSON.stringify(list)}`);
  const reason = await box.locator('li[data-check="proof"] .reason').textContent();
  check(reason && reason.length > 10, `tampered: the failing check says why: '${reason}'`);

  // a valid credential, dropped on the drop zone
  const data = readFileSync(VALID, 'utf8');
  await page.evaluate(([text, name]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'application/json' }));
    const zone = document.getElementById('dropzone');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true,
      cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true,
      cancelable: true }));
  }, [data, basename(VALID)]);
  try {
    await box.and(page.locator('[data-verdict="valid"]')).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `dropped: verdict valid (got ${await box.getAttribute('data-verdict')})`);
  }
  check(/verified/i.test((await box.locator('.verdict-headline').textContent()) || ''),
    'dropped valid credential: verified');

  // pasted text
  await page.locator('#paste').fill(readFileSync(TAMPERED, 'utf8'));
  await page.locator('#check').click();
  try {
    await box.and(page.locator('[data-verdict="invalid"]')).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    check(false, `pasted tampered: verdict invalid (got ${await box.getAttribute('data-verdict')})`);
  }
  check((await violations(page)).length === 0,
    `verifier: no CSP violation ${JSON.stringify(await violations(page))}`);
  await page.close();
}

async function otherPages(context) {
  for (const path of ['/', '/login', '/logout']) {
    const page = await context.newPage();
    watch(page);
    const resp = await page.goto(BASE + path, { waitUntil: 'load' });
    check(resp && resp.status() === 200, `${path} loads (${resp && resp.status()})`);
    const styled = await page.evaluate(() =>
      getComputedStyle(document.querySelector('header.site')).display);
    check(styled === 'flex', `${path}: the stylesheet applies (${styled})`);
    check((await violations(page)).length === 0, `${path}: no CSP violation`);
    await page.close();
  }
}

async function main() {
  const context = await chromium.launchPersistentContext(PROFILE, {
    ...LAUNCH, permissions: ['clipboard-read', 'clipboard-write'],
  });
  try {
    await context.addInitScript(recordViolations);
    await badgePage(context);
    await verifierPage(context);
    await otherPages(context);
  } finally {
    await context.close();
  }
}

run(main);
