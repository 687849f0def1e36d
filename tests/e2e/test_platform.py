#!/usr/bin/env python3
# test_platform.py - end-to-end tests of the `mcred` data-directory commands:
# init (twice refused), users, API tokens (stored as hashes only), learners,
# achievements (valid and invalid), the credential list/show/export of the
# store, and key rotation (refused for did:key; a did:web DID document that
# keeps every key). Runs against SQLite, and against PostgreSQL too when
# MCRED_TEST_PG names a database (scripts/with-pg.sh sets it), each run with
# its own organisation since that database is shared.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import base64, hashlib, json, os, re, shutil, sqlite3, stat, subprocess, sys, tempfile, uuid

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
ACHIEVEMENT = os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


def run(*args, env=None, stdin=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([MCRED] + list(args), input=stdin, capture_output=True, env=e,
                       timeout=300)
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    # a crash (signal) or a sanitizer report is always a failure
    check(p.returncode >= 0, 'mcred %s: killed by signal %d' % (' '.join(args[:2]), -p.returncode))
    check('Sanitizer' not in err and 'runtime error' not in err,
          'mcred %s: sanitizer report: %s' % (' '.join(args[:2]), err[-2000:]))
    return p.returncode, out, err


def write(path, obj):
    with open(path, 'w') as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False))
    return path


def load_json(text, what):
    try:
        return json.loads(text)
    except ValueError:
        check(False, what + ': not JSON: ' + text[:300])
        return None


def read_conf(home):
    conf = {}
    with open(os.path.join(home, 'mcred.conf')) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                k, v = line.split('=', 1)
                conf[k.strip()] = v.strip()
    return conf


class Backend:
    """One store: 'sqlite' (a file in MCRED_HOME) or 'postgres' (MCRED_TEST_PG)."""

    def __init__(self, name, tmp, base_env, dsn=None):
        self.name, self.tmp, self.dsn = name, tmp, dsn
        self.base_env = base_env
        self.tag = '%s-%d-%s' % (name, os.getpid(), uuid.uuid4().hex[:8])

    def home(self, label):
        return os.path.join(self.tmp, '%s-%s' % (self.name, label))

    def env(self, home):
        return dict(self.base_env, MCRED_HOME=home)

    def init(self, home, *args):
        db = ['--db', self.dsn] if self.dsn else []
        return run('init', *db, *args, env=self.env(home))

    def sql(self, home, query, params=()):
        """Read the SQLite store directly (None for PostgreSQL)."""
        if self.dsn:
            return None
        con = sqlite3.connect(os.path.join(home, 'mcred.db'))
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()


def test_init(b):
    home = b.home('main')
    org = 'org-' + b.tag
    rc, out, err = b.init(home, '--org', org)
    check(rc == 0, '[%s] init: exit 0 (%s)' % (b.name, err.strip()))
    check(stat.S_IMODE(os.stat(home).st_mode) == 0o700, '[%s] MCRED_HOME is 0700' % b.name)
    conf = read_conf(home)
    check(conf.get('org') == org, '[%s] mcred.conf names the organisation' % b.name)
    check(conf.get('public_url') == 'http://127.0.0.1:8080',
          '[%s] mcred.conf: the default public URL' % b.name)
    check(re.fullmatch(r'[1-9][0-9]*', conf.get('issuer', '')) is not None,
          '[%s] mcred.conf names the issuer row' % b.name)
    m = re.search(r'issuer:\s+(did:key:z6Mk\w+)', out)
    check(m is not None, '[%s] init reports a did:key issuer: %s' % (b.name, out))
    if b.dsn:
        check(conf.get('db') == b.dsn, '[postgres] mcred.conf names the chosen store')
    else:
        check('db' not in conf and os.path.isfile(os.path.join(home, 'mcred.db')),
              '[sqlite] the default store is MCRED_HOME/mcred.db, not written down')
        rows = b.sql(home, 'SELECT vm_id, key_file, retired FROM issuer_keys')
        check(len(rows) == 1 and m and rows[0][0] == '%s#%s' % (m.group(1), m.group(1)[8:]),
              '[sqlite] one issuer key, did:key verification method')
        kf = load_json(rows[0][1], 'key_file') if rows else None
        check(kf is not None and 'ciphertext' in kf and
              not any(k in kf for k in ('d', 'secretKeyMultibase', 'seed')),
              '[sqlite] the stored key file holds the secret sealed, never in clear')
    # the same directory again is refused, and changes nothing
    before = open(os.path.join(home, 'mcred.conf')).read()
    rc, _, err = b.init(home, '--org', org + '-again')
    check(rc == 2 and 'already initialised' in err, '[%s] init twice: exit 2 with a reason'
          % b.name)
    check(open(os.path.join(home, 'mcred.conf')).read() == before,
          '[%s] init twice: mcred.conf unchanged' % b.name)
    # bad settings: exit 2, nothing created
    bad = b.home('bad')
    for args, what in ((['--public-url', 'ftp://example.org'], 'non-http public URL'),
                       (['--did-web', 'https://example.org'], '--did-web given as a URL'),
                       (['--did-web', ':'], '--did-web without a host')):
        rc, _, err = b.init(bad, '--org', org + '-bad', *args)
        check(rc == 2 and err.startswith('mcred: error:'), '[%s] init %s: exit 2' % (b.name, what))
        check(not os.path.exists(os.path.join(bad, 'mcred.conf')),
              '[%s] init %s: no mcred.conf' % (b.name, what))
    if b.dsn:
        # an organisation name already in the shared store is refused
        rc, _, err = b.init(b.home('dup'), '--org', org)
        check(rc == 2 and 'already has an organisation' in err,
              '[postgres] init with a taken organisation name: exit 2')
    return home


def test_users(b, home):
    env = b.env(home)
    rc, out, err = run('user', 'add', '--email', 'admin@example.org', '--role', 'admin', env=env)
    check(rc == 0 and out.strip().isdigit(), '[%s] user add: prints the id (%s)' % (b.name, err))
    uid = out.strip()
    rc, out, _ = run('user', 'add', '--email', 'rita@example.org', '--role', 'recruiter',
                     env=env)
    check(rc == 0, '[%s] user add: a second user' % b.name)
    rc, _, err = run('user', 'add', '--email', 'admin@example.org', '--role', 'issuer', env=env)
    check(rc == 1 and 'exists' in err, '[%s] user add: duplicate e-mail: exit 1' % b.name)
    rc, _, err = run('user', 'add', '--email', 'x@example.org', '--role', 'wizard', env=env)
    check(rc == 2 and 'wizard' in err, '[%s] user add: unknown role: exit 2' % b.name)
    rc, _, err = run('user', 'add', '--email', 'not-an-email', '--role', 'admin', env=env)
    check(rc == 2, '[%s] user add: bad e-mail: exit 2' % b.name)
    rc, _, _ = run('user', 'add', '--role', 'admin', env=env)
    check(rc == 2, '[%s] user add: --email missing: exit 2' % b.name)
    rc, out, _ = run('user', 'list', '--json', env=env)
    users = load_json(out, 'user list --json') if rc == 0 else None
    check(isinstance(users, list) and [(u['email'], u['role']) for u in users] ==
          [('admin@example.org', 'admin'), ('rita@example.org', 'recruiter')],
          '[%s] user list --json: both users with their roles, oldest first' % b.name)
    return uid


def test_tokens(b, home, uid):
    env = b.env(home)
    tokens = []
    for _ in range(2):
        rc, out, err = run('token', 'create', '--user', uid, env=env)
        tok = out.strip()
        check(rc == 0 and re.fullmatch(r'[A-Za-z0-9_-]{43}', tok) is not None,
              '[%s] token create: 32 bytes in base64url (%s)' % (b.name, err))
        check(len(base64.urlsafe_b64decode(tok + '=')) == 32 if rc == 0 else False,
              '[%s] token decodes to 32 bytes' % b.name)
        check('once' in err, '[%s] token create: says it is shown once' % b.name)
        tokens.append(tok)
    check(tokens[0] != tokens[1], '[%s] two tokens differ' % b.name)
    stored = b.sql(home, 'SELECT hash FROM tokens ORDER BY created, hash')
    if stored is not None:
        want = sorted(hashlib.sha256(t.encode()).hexdigest() for t in tokens)
        check(sorted(r[0] for r in stored) == want,
              '[sqlite] tokens stored as the hex SHA-256 of the printed text')
        with open(os.path.join(home, 'mcred.db'), 'rb') as f:
            raw = f.read()
        wal = os.path.join(home, 'mcred.db-wal')
        if os.path.exists(wal):
            raw += open(wal, 'rb').read()
        check(not any(t.encode() in raw for t in tokens),
              '[sqlite] no token in clear anywhere in the database files')
    rc, _, err = run('token', 'create', '--user', '999999', env=env)
    check(rc == 1 and '999999' in err, '[%s] token create for a missing user: exit 1' % b.name)
    rc, _, _ = run('token', 'create', '--user', 'abc', env=env)
    check(rc == 2, '[%s] token create --user abc: exit 2' % b.name)


def test_learners(b, home):
    env = b.env(home)
    did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
    rc, out, err = run('learner', 'add', '--name', 'Ada Lovelace', '--email', 'ada@example.org',
                       env=env)
    check(rc == 0 and out.strip().isdigit(), '[%s] learner add --email (%s)' % (b.name, err))
    ada = out.strip()
    rc, out, _ = run('learner', 'add', '--name', 'Bob', '--did', did, env=env)
    check(rc == 0 and out.strip().isdigit(), '[%s] learner add --did' % b.name)
    rc, _, _ = run('learner', 'add', '--name', 'Nobody', env=env)
    check(rc == 2, '[%s] learner add without e-mail or DID: exit 2' % b.name)
    rc, _, _ = run('learner', 'add', '--name', 'X', '--did', 'not-a-did', env=env)
    check(rc == 2, '[%s] learner add with a bad DID: exit 2' % b.name)
    rc, _, err = run('learner', 'add', '--name', 'Ada 2', '--email', 'ada@example.org', env=env)
    check(rc == 1, '[%s] learner add: duplicate e-mail: exit 1' % b.name)
    rc, out, _ = run('learner', 'list', '--json', env=env)
    ls = load_json(out, 'learner list --json') if rc == 0 else None
    check(isinstance(ls, list) and [(x['name'], x['email'], x['did']) for x in ls] ==
          [('Ada Lovelace', 'ada@example.org', None), ('Bob', None, did)],
          '[%s] learner list --json' % b.name)
    rc, out, _ = run('learner', 'list', env=env)
    check(rc == 0 and len(out.splitlines()) == 2 and 'Ada Lovelace' in out,
          '[%s] learner list: one line each' % b.name)
    rc, out, _ = run('learner', 'show', '--json', ada, env=env)
    one = load_json(out, 'learner show') if rc == 0 else None
    check(one is not None and one['id'] == int(ada) and one['email'] == 'ada@example.org',
          '[%s] learner show ID --json' % b.name)
    rc, out, _ = run('learner', 'show', did, env=env)
    check(rc == 0 and 'Bob' in out, '[%s] learner show DID' % b.name)
    rc, _, _ = run('learner', 'show', '999999', env=env)
    check(rc == 1, '[%s] learner show of a missing id: exit 1' % b.name)


def test_achievements(b, home):
    env = b.env(home)
    with open(ACHIEVEMENT) as f:
        ach = json.load(f)
    for version in (1, 2):
        rc, out, err = run('achievement', 'create', ACHIEVEMENT, env=env)
        m = re.fullmatch(r'([0-9]+) version ([0-9]+)\n', out)
        check(rc == 0 and m is not None and int(m.group(2)) == version,
              '[%s] achievement create: row id and version %d (%s)' % (b.name, version, err))
    last = m.group(1) if m else '0'
    rc, out, _ = run('achievement', 'list', '--json', env=env)
    ls = load_json(out, 'achievement list --json') if rc == 0 else None
    check(isinstance(ls, list) and len(ls) == 1 and ls[0]['uri'] == ach['id'] and
          ls[0]['version'] == 2 and ls[0]['name'] == ach['name'] and str(ls[0]['id']) == last,
          '[%s] achievement list --json: the latest version of each' % b.name)
    rc, out, _ = run('achievement', 'show', last, env=env)
    check(rc == 0 and load_json(out, 'achievement show') == ach,
          '[%s] achievement show ID: the JSON as given' % b.name)
    rc, out, _ = run('achievement', 'show', ach['id'], env=env)
    check(rc == 0 and load_json(out, 'achievement show URI') == ach,
          '[%s] achievement show URI' % b.name)
    rc, _, _ = run('achievement', 'show', '999999', env=env)
    check(rc == 1, '[%s] achievement show of a missing id: exit 1' % b.name)
    # invalid: each problem named by its path, exit 1, nothing stored
    bad = dict(ach)
    del bad['name']
    bad['criteria'] = 'passing'
    path = write(os.path.join(b.tmp, 'bad-achievement.json'), bad)
    rc, out, err = run('achievement', 'create', path, env=env)
    check(rc == 1 and 'achievement.name' in err and 'achievement.criteria' in err,
          '[%s] invalid achievement: exit 1 naming each path (%s)' % (b.name, err.strip()))
    rc, _, err = run('achievement', 'create', write(os.path.join(b.tmp, 'trunc.json'), '{"id":'),
                     env=env)
    check(rc == 1, '[%s] malformed achievement JSON: exit 1' % b.name)
    rc, _, _ = run('achievement', 'create', os.path.join(b.tmp, 'missing.json'), env=env)
    check(rc == 2, '[%s] achievement file missing: exit 2' % b.name)
    rc, out, _ = run('achievement', 'create', '-', stdin=json.dumps(dict(
        ach, id='https://example.edu/achievements/other')).encode(), env=env)
    check(rc == 0 and out.endswith(' version 1\n'), '[%s] achievement create from stdin' % b.name)
    rc, out, _ = run('achievement', 'list', '--json', env=env)
    ls = load_json(out, 'achievement list') if rc == 0 else []
    check(len(ls or []) == 2, '[%s] two achievements, the bad one not stored' % b.name)
    return int(last)


def test_credentials_empty(b, home):
    env = b.env(home)
    rc, out, err = run('credential', 'list', env=env)
    check(rc == 0 and out == '' and '0 of 0' in err, '[%s] credential list: empty' % b.name)
    rc, out, _ = run('credential', 'list', '--json', env=env)
    got = load_json(out, 'credential list --json') if rc == 0 else None
    check(got == {'total': 0, 'offset': 0, 'credentials': []},
          '[%s] credential list --json: empty' % b.name)
    for args in (('--limit', '0'), ('--limit', '1001'), ('--offset', '-1'), ('--limit', 'x')):
        rc, _, _ = run('credential', 'list', *args, env=env)
        check(rc == 2, '[%s] credential list %s: exit 2' % (b.name, ' '.join(args)))
    for sub in ('show', 'export'):
        rc, _, err = run('credential', sub, 'urn:uuid:00000000-0000-4000-8000-000000000000',
                         env=env)
        check(rc == 1 and 'not found' in err, '[%s] credential %s of a missing id: exit 1'
              % (b.name, sub))


def test_credentials_stored(b, home, ach_id):
    """A signed credential placed in the SQLite store (the issue command is
    another module's): list, show and export it; the export verifies."""
    env = b.env(home)
    tmp = b.tmp
    key = os.path.join(tmp, 'issuer.key')
    rc, _, _ = run('key', 'new', '--out', key, env=env)
    rc, out, _ = run('key', 'show', '--json', key, env=env)
    did = load_json(out, 'key show')['did'] if rc == 0 else 'did:key:x'
    cid = 'urn:uuid:' + str(uuid.uuid4())
    rc, unsigned, err = run('credential', 'new', '--issuer', did, '--achievement', ACHIEVEMENT,
                            '--recipient', 'ada@example.org', '--id', cid, env=env)
    check(rc == 0, 'credential new for the store test (%s)' % err)
    path = write(os.path.join(tmp, 'unsigned.json'), unsigned)
    rc, signed, err = run('sign', '--key', key, '--suite', 'eddsa-jcs-2022', path, env=env)
    check(rc == 0, 'sign for the store test (%s)' % err)
    conf = read_conf(home)
    con = sqlite3.connect(os.path.join(home, 'mcred.db'))
    org = con.execute('SELECT org_id FROM orgs WHERE name = ?', (conf['org'],)).fetchone()[0]
    con.execute('INSERT INTO credentials (id, org_id, issuer_id, achievement_id, recipient, state,'
                ' reason, issued, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (cid, org, int(conf['issuer']), ach_id, 'ada@example.org', 'suspended',
                 'under review', 1767225600, signed))
    con.commit()
    con.close()
    rc, out, err = run('credential', 'list', env=env)
    check(rc == 0 and out.startswith(cid) and 'suspended' in out and '1 of 1' in err,
          '[sqlite] credential list: one row')
    rc, out, _ = run('credential', 'list', '--json', '--limit', '1', env=env)
    got = load_json(out, 'credential list --json') if rc == 0 else None
    check(got is not None and got['total'] == 1 and got['credentials'][0]['id'] == cid and
          got['credentials'][0]['state'] == 'suspended' and
          got['credentials'][0]['issued'] == '2026-01-01T00:00:00Z',
          '[sqlite] credential list --json')
    rc, out, _ = run('credential', 'list', '--json', '--offset', '1', env=env)
    got = load_json(out, 'credential list --offset') if rc == 0 else None
    check(got is not None and got['total'] == 1 and got['credentials'] == [],
          '[sqlite] credential list --offset past the end: empty page')
    rc, out, _ = run('credential', 'show', cid, env=env)
    check(rc == 0 and 'suspended' in out and 'under review' in out and 'ada@example.org' in out,
          '[sqlite] credential show: state, reason, recipient')
    rc, out, _ = run('credential', 'show', '--json', cid, env=env)
    got = load_json(out, 'credential show --json') if rc == 0 else None
    check(got is not None and got['reason'] == 'under review' and
          got['credential'] == json.loads(signed), '[sqlite] credential show --json')
    exp = os.path.join(tmp, 'exported.json')
    rc, _, _ = run('credential', 'export', '--out', exp, cid, env=env)
    check(rc == 0 and open(exp).read() == signed,
          '[sqlite] credential export --out: the stored bytes exactly')
    rc, _, err = run('credential', 'export', '--out', exp, cid, env=env)
    check(rc == 2 and '--force' in err, '[sqlite] credential export refuses to overwrite')
    rc, out, _ = run('credential', 'export', cid, env=env)
    check(rc == 0 and out.rstrip('\n') == signed.rstrip('\n'), '[sqlite] credential export')
    rc, out, err = run('verify', exp, env=env)
    check(rc == 0, '[sqlite] the exported credential verifies (%s)' % (out + err)[-400:])


def test_rotation(b):
    # did:key issuers cannot rotate
    rc, _, err = run('key', 'rotate', env=b.env(b.home('main')))
    check(rc == 2 and 'did:key' in err, '[%s] key rotate of a did:key issuer: exit 2' % b.name)
    home = b.home('web')
    rc, out, err = b.init(home, '--org', 'web-' + b.tag, '--did-web', 'example.org:issuers:1',
                          '--issuer-name', 'Example University',
                          '--public-url', 'https://creds.example.org/')
    check(rc == 0, '[%s] init --did-web (%s)' % (b.name, err))
    check('https://example.org/issuers/1/did.json' in out,
          '[%s] init --did-web: says where to publish did.json' % b.name)
    check(read_conf(home).get('public_url') == 'https://creds.example.org',
          '[%s] the public URL is kept without its final slash' % b.name)
    did = 'did:web:example.org:issuers:1'
    path = os.path.join(home, 'did.json')
    doc = load_json(open(path).read(), 'did.json') if os.path.isfile(path) else None
    check(doc is not None and doc['id'] == did and len(doc['verificationMethod']) == 1 and
          doc['assertionMethod'] == [did + '#key-1'], '[%s] did.json with one key' % b.name)
    first = doc['verificationMethod'][0]['publicKeyMultibase'] if doc else None
    rc, out, err = run('key', 'rotate', env=b.env(home))
    check(rc == 0 and did + '#key-2' in out and 'did.json' in out,
          '[%s] key rotate: the new key, and where to publish (%s)' % (b.name, err))
    doc = load_json(open(path).read(), 'did.json') if os.path.isfile(path) else None
    vms = doc['verificationMethod'] if doc else []
    check([v['id'] for v in vms] == [did + '#key-1', did + '#key-2'] and
          doc['assertionMethod'] == [did + '#key-1', did + '#key-2'],
          '[%s] after rotate: two keys in did.json, oldest first, both for assertions' % b.name)
    check(len(vms) == 2 and vms[0]['publicKeyMultibase'] == first and
          vms[1]['publicKeyMultibase'] != first and
          all(v['type'] == 'Multikey' and v['controller'] == did for v in vms),
          '[%s] the first key kept, a new second key' % b.name)
    rows = b.sql(home, 'SELECT vm_id, retired FROM issuer_keys ORDER BY id')
    if rows is not None:
        check([r[0] for r in rows] == [did + '#key-1', did + '#key-2'] and
              rows[0][1] is not None and rows[1][1] is None,
              '[sqlite] the old key retired, the new one signing')
    rc, _, _ = run('key', 'rotate', env=b.env(home))
    doc = load_json(open(path).read(), 'did.json') if os.path.isfile(path) else None
    check(rc == 0 and doc and len(doc['verificationMethod']) == 3,
          '[%s] a second rotation: three keys' % b.name)
    # without the operator key or a passphrase nothing changes
    rc, _, err = run('key', 'rotate', stdin=b'', env=dict(b.env(home), MCRED_KEY_FILE='',
                                                           MCRED_PASSPHRASE=''))
    doc = load_json(open(path).read(), 'did.json') if os.path.isfile(path) else None
    check(rc == 2 and doc and len(doc['verificationMethod']) == 3,
          '[%s] key rotate with no way to seal the key: exit 2, nothing added' % b.name)


def test_usage(tmp, env):
    for cmd in ('init', 'user', 'learner', 'token', 'achievement', 'credential', 'key'):
        rc, out, _ = run(cmd, '--help', env=env)
        check(rc == 0 and 'usage' in out.lower(), 'mcred %s --help' % cmd)
    rc, _, _ = run('user', env=env)
    check(rc == 2, 'mcred user without a subcommand: exit 2')
    rc, _, err = run('learner', 'frob', env=env)
    check(rc == 2 and 'frob' in err, 'unknown subcommand named')
    rc, _, err = run('user', 'list', env=dict(env, MCRED_HOME=os.path.join(tmp, 'nowhere')))
    check(rc == 2 and 'mcred init' in err, 'no data directory: exit 2, says to run init')


def flows(b):
    home = test_init(b)
    uid = test_users(b, home)
    test_tokens(b, home, uid)
    test_learners(b, home)
    ach = test_achievements(b, home)
    test_credentials_empty(b, home)
    if not b.dsn:
        test_credentials_stored(b, home, ach)
    test_rotation(b)


def main():
    tmp = tempfile.mkdtemp(prefix='mcred-platform-')
    ran = []
    try:
        # keys are sealed with an operator key file (fast, no prompt)
        opk = write(os.path.join(tmp, 'operator.key'), '22' * 32)
        env = {'MCRED_KEY_FILE': opk, 'MCRED_DB': '', 'MCRED_PUBLIC_URL': ''}
        test_usage(tmp, env)
        flows(Backend('sqlite', tmp, env))
        ran.append('sqlite')
        pg = os.environ.get('MCRED_TEST_PG')
        if pg:
            flows(Backend('postgres', tmp, env, pg))
            ran.append('postgres')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    hint = ' (postgres: set MCRED_TEST_PG, or run under scripts/with-pg.sh)'
    print('backends: %s%s' % (', '.join(ran), '' if 'postgres' in ran else hint))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
