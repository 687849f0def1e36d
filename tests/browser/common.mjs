// common.mjs - what the browser tests share: their settings from the
// environment, the check counter, the watch over each page (console errors
// and warnings, uncaught exceptions, failed requests, HTTP errors), the
// Content-Security-Policy violation recorder, Chromium's launch flags and
// the final report ("N passed, N failed"; exit 1 on failure).
// SPDX-License-Identifier: Apache-2.0

export const TIMEOUT = 30000;

// Debian's chromium, headless, without the background traffic of a profile.
export const LAUNCH = {
  executablePath: setting('MCRED_CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// The environment variable name; exit 2 saying so when it is not set.
export function setting(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${process.argv[1]}: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const counts = { passed: 0, failed: 0 };
export function check(cond, what) {
  if (cond) {
    counts.passed++;
  } else {
    counts.failed++;
    console.log(`FAIL: ${what}`);
  }
  return cond;
}

// Everything a page reports that would mean it is broken.
const problems = [];
export function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`${page.url()}: console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Chromium fetches the favicon after the load event and cancels it
    // (net::ERR_ABORTED) when the test navigates on at once: not a fault
    const why = r.failure() ? r.failure().errorText : '';
    if (why === 'net::ERR_ABORTED' && new URL(r.url()).pathname === '/static/favicon.svg') return;
    problems.push(`${page.url()}: request failed: ${r.url()} (${why})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${page.url()}: HTTP ${r.status()} for ${r.url()}`);
  });
}

// An init script recording CSP violations inside every page (init scripts
// are not subject to the page's CSP), and what it recorded.
export function recordViolations() {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
}

export async function violations(page) {
  return page.evaluate(() => window.__csp || []);
}

// Run main, then report: no page problems, the counts, the exit code.
export function run(main) {
  main().then(() => {
    check(problems.length === 0,
      `no console errors or failed requests:\n  ${problems.join('\n  ')}`);
    console.log(`${counts.passed} passed, ${counts.failed} failed`);
    process.exit(counts.failed ? 1 : 0);
  }).catch((e) => {
    console.log(`FAIL: ${e.stack || e}`);
    console.log(`${counts.passed} passed, ${counts.failed + 1} failed`);
    process.exit(1);
  });
}
