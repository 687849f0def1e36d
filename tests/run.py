#!/usr/bin/env python3
# run.py - runs every test program that Meson knows for one or more build
# directories, sums the "N passed, N failed" lines they print and prints one
# final summary line (the line CI reads). A program that fails without such a
# line counts as one failure; exit code 77 means skipped.
# usage: tests/run.py BUILD_DIR[:suite,suite] ...
# SPDX-License-Identifier: Apache-2.0
import json, os, re, subprocess, sys, time

SUMMARY = re.compile(r'^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$', re.M)


def run_dir(spec, totals, failures):
    bdir, _, suites = spec.partition(':')
    wanted = set(suites.split(',')) if suites else None
    out = subprocess.run(['meson', 'introspect', bdir, '--tests'], check=True,
                         capture_output=True, text=True).stdout
    tag = os.path.basename(os.path.normpath(bdir))
    for t in json.loads(out):
        if wanted and not wanted.intersection(x.split(':')[-1] for x in t['suite']):
            continue
        env = dict(os.environ)
        env.update(t.get('env') or {})
        name = '%s/%s' % (tag, t['name'])
        t0 = time.time()
        try:
            p = subprocess.run(t['cmd'], env=env, cwd=t.get('workdir') or None,
                               capture_output=True, text=True, errors='replace',
                               timeout=max(t.get('timeout') or 0, 1800))
            text, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            text, rc = (e.stdout or b'').decode(errors='replace') + '\nTIMEOUT', -1
        m = SUMMARY.findall(text)
        passed = sum(int(x[0]) for x in m[-1:]) if m else 0
        failed = sum(int(x[1]) for x in m[-1:]) if m else 0
        skipped = sum(int(x[2] or 0) for x in m[-1:]) if m else 0
        if rc == 77:
            totals['skipped'] += 1
            status = 'SKIP'
        elif rc != 0 and failed == 0:
            failed = 1
        totals['passed'] += passed
        totals['failed'] += failed
        totals['skipped'] += skipped
        if rc != 77:
            status = 'ok' if failed == 0 and rc == 0 else 'FAIL'
        print('%-4s %-40s %6d passed %4d failed  (%.1fs)' % (status, name, passed, failed,
                                                              time.time() - t0), flush=True)
        if status == 'FAIL':
            failures.append((name, text))
        elif status == 'SKIP':
            reason = [l for l in text.splitlines() if l.startswith('SKIP')]
            if reason:
                print('     ' + reason[0])


def main():
    totals = {'passed': 0, 'failed': 0, 'skipped': 0}
    failures = []
    for spec in sys.argv[1:]:
        run_dir(spec, totals, failures)
    for name, text in failures:
        print('\n==== %s ====' % name)
        lines = text.splitlines()
        print('\n'.join(lines[-60:]))
    print('%d passed, %d failed, %d skipped' % (totals['passed'], totals['failed'],
                                                totals['skipped']))
    return 1 if totals['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
