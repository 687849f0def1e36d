#!/usr/bin/env python3
# test_issue.py - end-to-end issuing as an issuer would do it: init, an
# achievement, one credential, revocation and suspension seen by `mcred verify`,
# a bulk file of N rows issued once (a re-run issues nothing), kill -9 at random
# points with every row issued exactly once after the re-run, and bad input
# (missing column, bad e-mail, unknown achievement, duplicate keys, binary
# garbage, a 2 GB stream on stdin generated on the fly). Runs on SQLite, and on
# PostgreSQL too when MCRED_TEST_PG is set (make test runs it under
# scripts/with-pg.sh). Prints "N passed, N failed".
# SPDX-License-Identifier: Apache-2.0
import json, os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, time

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
ASAN = 'asan' in os.path.basename(os.path.normpath(BUILD))
BULK = int(os.environ.get('MCRED_TEST_BULK', '2000' if ASAN else '100000'))
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


def run(env, *args, stdin=None, timeout=900):
    p = subprocess.run([MCRED] + list(args), input=stdin, capture_output=True, env=env,
                       timeout=timeout)
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    check(p.returncode >= 0, 'mcred %s: killed by signal %d' % (' '.join(args[:2]), -p.returncode))
    check('Sanitizer' not in err and 'runtime error' not in err,
          'mcred %s: sanitizer report: %s' % (' '.join(args[:2]), err[-1500:]))
    return p.returncode, out, err


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    return path


def csv_rows(path, n, start=0, prefix='learner'):
    with open(path, 'w') as f:
        f.write('recipient,name,key\n')
        for i in range(start, start + n):
            f.write('%s%d@example.org,Learner %d,%s-row-%d\n' % (prefix, i, i, prefix, i))
    return path


def sqlite_path(home):
    return os.path.join(home, 'mcred.db')


def setup(tmp, name, db):
    home = os.path.join(tmp, name)
    env = dict(os.environ)
    env['MCRED_HOME'] = home
    env['MCRED_KEY_FILE'] = write(os.path.join(tmp, 'operator.key'), '22' * 32)
    env.pop('MCRED_PASSPHRASE', None)
    args = ['init', '--org', name, '--issuer-name', 'Example University',
            '--public-url', 'https://badges.example.edu']
    if db:
        args += ['--db', db]
    rc, out, err = run(env, *args)
    check(rc == 0, '%s: init: %s' % (name, err))
    rc, out, err = run(env, 'status', 'suspension', 'on')   # suspended below
    check(rc == 0 and 'suspension' in out, '%s: status suspension on: %s' % (name, err))
    ach = os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')
    rc, out, err = run(env, 'achievement', 'create', ach)
    check(rc == 0, '%s: achievement create: %s' % (name, err))
    return env, home


def test_single_and_status(tmp, env, label):
    ach = 'https://example.edu/achievements/c-programming-101'
    rc, out, err = run(env, 'issue', '--achievement', ach, '--recipient', 'ada@example.org')
    check(rc == 0 and out.strip().startswith('https://badges.example.edu/credentials/'),
          '%s: issue one: %s %s' % (label, out, err))
    cid = out.split()[0] if out.strip() else ''
    rc, out2, _ = run(env, 'issue', '--achievement', ach, '--recipient', 'ada@example.org')
    check(rc == 0 and 'already issued' in out2 and out2.split()[0] == cid,
          '%s: the same recipient again: nothing new' % label)
    rc, doc, err = run(env, 'credential', 'export', cid)
    check(rc == 0, '%s: export: %s' % (label, err))
    path = write(os.path.join(tmp, 'one.json'), doc)
    rc, out, _ = run(env, 'verify', path)
    check(rc == 0 and 'verdict: valid' in out, '%s: our credential verifies: %s' % (label, out))
    check('credentialStatus' in doc and 'BitstringStatusListEntry' in doc,
          '%s: it carries status entries' % label)
    # suspend, unsuspend, revoke
    rc, _, err = run(env, 'suspend', cid, '--reason', 'under review')
    check(rc == 0, '%s: suspend: %s' % (label, err))
    rc, out, _ = run(env, 'verify', path)
    check(rc == 1 and 'verdict: suspended' in out, '%s: suspended, exit 1: %s' % (label, out))
    rc, _, err = run(env, 'unsuspend', cid)
    check(rc == 0, '%s: unsuspend: %s' % (label, err))
    rc, out, _ = run(env, 'verify', path)
    check(rc == 0 and 'verdict: valid' in out, '%s: valid again after unsuspend' % label)
    rc, _, err = run(env, 'revoke', cid, '--reason', 'issued in error')
    check(rc == 0, '%s: revoke: %s' % (label, err))
    rc, out, _ = run(env, 'verify', path)
    check(rc == 1 and 'verdict: revoked' in out, '%s: revoked, exit 1: %s' % (label, out))
    rc, _, err = run(env, 'unsuspend', cid)
    check(rc == 1 and 'revoked' in err, '%s: revocation is final: %s' % (label, err.strip()))
    # the status lists themselves verify
    outdir = os.path.join(tmp, 'published-' + label)
    rc, out, err = run(env, 'status', 'publish', '--out', outdir)
    check(rc == 0, '%s: status publish: %s' % (label, err))
    lists = [os.path.join(d, f) for d, _, fs in os.walk(outdir) for f in fs]
    check(len(lists) >= 2, '%s: revocation and suspension lists published: %d' % (label,
                                                                                  len(lists)))
    for lp in lists:
        rc, out, _ = run(env, 'verify', lp)
        check(rc == 0, '%s: status list %s verifies: %s' % (label, lp, out[-300:]))


def test_bulk(tmp, env, home, label, sqlite):
    ach = 'https://example.edu/achievements/c-programming-101'
    rows = csv_rows(os.path.join(tmp, 'bulk-%s.csv' % label), BULK)
    t0 = time.time()
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', rows, '--quiet')
    dt = time.time() - t0
    check(rc == 0 and '%d issued' % BULK in out, '%s: bulk %d: %s %s' % (label, BULK, out, err))
    print('%s: %d credentials issued in %.1f s (%.0f/s, all checks included)' % (
        label, BULK, dt, BULK / dt if dt else 0))
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', rows, '--quiet')
    check(rc == 0 and '0 issued, %d already issued' % BULK in out,
          '%s: the same file again issues nothing: %s' % (label, out))
    rc, out, err = run(env, 'audit', '--verify')
    check(rc == 0 and 'not as stored' in out and ' 0 not as stored' in out,
          '%s: every credential verifies: %s %s' % (label, out, err))
    if sqlite:
        db = sqlite3.connect(sqlite_path(home))
        n, d1, d2 = db.execute('select count(*), count(distinct status_list_rev || "/" || '
                               'status_index_rev), count(distinct idem_key) from credentials'
                               ).fetchone()
        check(n == d1 == d2, '%s: status indexes and keys unique: %d %d %d' % (label, n, d1, d2))
        db.close()


def test_crash(tmp, env, home, label, sqlite):
    ach = 'https://example.edu/achievements/c-programming-101'
    n = 8000 if ASAN else 60000
    rows = csv_rows(os.path.join(tmp, 'crash-%s.csv' % label), n, prefix='crash')
    kills = attempts = 0
    rnd = random.Random(7)
    while kills < 6 and attempts < 15:
        attempts += 1
        p = subprocess.Popen([MCRED, 'issue', '--achievement', ach, '--csv', rows, '--quiet'],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.15, 0.6))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    check(kills >= 5, '%s: killed the bulk issue %d times mid-way' % (label, kills))
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', rows, '--quiet')
    check(rc == 0, '%s: re-run after the kills: %s %s' % (label, out, err))
    rc, out, err = run(env, 'audit', '--verify')
    check(rc == 0 and ' 0 not as stored' in out, '%s: no half-written credential: %s' % (label,
                                                                                         out))
    print('%s: killed %d times; %s' % (label, kills, out.strip().replace('\n', '; ')))
    if sqlite:
        db = sqlite3.connect(sqlite_path(home))
        c, d = db.execute("select count(*), count(distinct idem_key) from credentials "
                          "where idem_key like 'crash-row-%'").fetchone()
        check(c == n and d == n, '%s: every row issued exactly once: %d of %d' % (label, c, n))
        u = db.execute('select count(*) - count(distinct status_list_rev || "/" || '
                       'status_index_rev) from credentials').fetchone()[0]
        check(u == 0, '%s: status indexes unique after the kills' % label)
        db.close()


def test_bad_input(tmp, env, label):
    ach = 'https://example.edu/achievements/c-programming-101'
    bad = write(os.path.join(tmp, 'missing.csv'), 'name,key\nAda,k1\n')
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', bad)
    check(rc == 2 and 'recipient' in err, '%s: missing column: %s' % (label, err.strip()))
    bad = write(os.path.join(tmp, 'email.csv'),
                'recipient,key\nnot-an-email,k-a\nok@example.org,k-b\n')
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', bad)
    check(rc == 1 and 'row 1' in err and '1 issued' in out,
          '%s: bad e-mail rejected, the rest issued: %s %s' % (label, out, err.strip()))
    rc, out, err = run(env, 'issue', '--achievement', 'https://nowhere.example/x',
                       '--recipient', 'a@example.org')
    check(rc == 2 and 'not found' in err, '%s: unknown achievement: %s' % (label, err.strip()))
    bad = write(os.path.join(tmp, 'dup.csv'),
                'recipient,key\nd1@example.org,same\nd2@example.org,same\n')
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', bad)
    check(rc == 1 and 'duplicate' in err and '1 issued' in out,
          '%s: duplicate keys in one file: %s' % (label, err.strip()))
    bad = write(os.path.join(tmp, 'aon.csv'),
                'recipient,key\naon1@example.org,aon-1\nbroken,aon-2\n')
    rc, out, err = run(env, 'issue', '--achievement', ach, '--csv', bad, '--all-or-nothing')
    check(rc == 1 and 'nothing was issued' in err, '%s: all-or-nothing: %s' % (label,
                                                                             err.strip()))
    rc, out, err = run(env, 'issue', '--achievement', ach, '--recipient', 'aon1@example.org',
                       '--key', 'aon-1')
    check(rc == 0 and 'already' not in out, '%s: ... and really nothing was kept' % label)
    # binary garbage and a 2 GB stream on stdin, generated, never stored
    for what, gen in (('binary garbage', lambda: os.urandom(1 << 16)),
                      ('a 2 GB stream', lambda: b'recipient\n"' + b'x' * (1 << 20))):
        p = subprocess.Popen([MCRED, 'issue', '--achievement', ach, '--csv', '-', '--quiet'],
                             env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        sent = 0
        try:
            while sent < (2 << 30):
                chunk = gen()
                p.stdin.write(chunk)
                sent += len(chunk)
        except BrokenPipeError:
            pass
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        out, err = p.stdout.read(), p.stderr.read()
        p.wait(timeout=600)
        check(p.returncode in (1, 2) and err, '%s: %s stopped with a clear error after %d MB: %s'
              % (label, what, sent >> 20, err.decode(errors='replace').strip()[-200:]))


def main():
    global passed, failed
    tmp = tempfile.mkdtemp(prefix='mcred-issue-')
    backends = [('sqlite', None, True)]
    if os.environ.get('MCRED_TEST_PG'):
        backends.append(('postgres', os.environ['MCRED_TEST_PG'], False))
    else:
        print('SKIP postgres half: MCRED_TEST_PG not set (make test sets it)')
    try:
        for label, db, is_sqlite in backends:
            name = '%s-%d' % (label, os.getpid())
            env, home = setup(tmp, name, db)
            test_single_and_status(tmp, env, label)
            test_bad_input(tmp, env, label)
            test_bulk(tmp, env, home, label, is_sqlite)
            test_crash(tmp, env, home, label, is_sqlite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
