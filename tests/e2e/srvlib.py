# srvlib.py - what the server's end-to-end tests share: checks that count,
# running `mcred`, a deployment (a store with two organisations, a user and
# an API token of every role in each, learners, an achievement, issued
# credentials), and `mcred serve` started on a free port of 127.0.0.1 and
# stopped by its PID. Backends: SQLite (a file), and PostgreSQL when
# MCRED_TEST_PG names a database (scripts/with-pg.sh sets it).
# SPDX-License-Identifier: Apache-2.0
import atexit, http.client, json, os, secrets, shutil, signal, subprocess, sys, tempfile, time, uuid

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
ACHIEVEMENT = os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')
ROLES = ('admin', 'issuer', 'assessor', 'learner', 'recruiter')

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)
    return cond


def report():
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


def run(*args, env=None, stdin=None, ok=(0,), timeout=600):
    """Run mcred; a crash or a sanitizer report is a failure; so is an exit
    code outside ok (None: any), and still running after timeout seconds
    (it is killed; returns -1)."""
    e = dict(os.environ)
    e.update(env or {})
    try:
        p = subprocess.run([MCRED] + list(args), input=stdin, capture_output=True, env=e,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        check(False, 'mcred %s: still running after %d s' % (' '.join(args[:4]), timeout))
        return -1, '', ''
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    check(p.returncode >= 0, 'mcred %s: killed by signal %d' % (' '.join(args[:2]), -p.returncode))
    check('Sanitizer' not in err and 'runtime error' not in err,
          'mcred %s: sanitizer report: %s' % (' '.join(args[:2]), err[-2000:]))
    if ok is not None:
        check(p.returncode in ok, 'mcred %s: exit %d: %s' % (' '.join(args), p.returncode,
                                                          err[-500:]))
    return p.returncode, out, err


class Org:
    """One organisation's data directory, users and tokens."""

    def __init__(self, dep, name):
        self.dep, self.name = dep, name
        self.home = os.path.join(dep.tmp, 'home-' + name)
        self.env = dict(dep.env, MCRED_HOME=self.home)
        self.tokens = {}      # role -> token
        self.user_ids = {}    # role -> user id
        self.learners = []    # (id, email)
        self.achievement = None
        self.credentials = []

    def mcred(self, *args, **kw):
        return run(*args, env=self.env, **kw)

    def setup(self, n_learners=3, n_creds=2, suspension=False):
        self.mcred('init', '--db', self.dep.dsn, '--org', self.name, '--issuer-name',
                   self.name + ' Academy', '--public-url', self.dep.public_url)
        if suspension:   # credentials with a suspension entry too (off by default)
            self.mcred('status', 'suspension', 'on')
        for role in ROLES:
            email = '%s@%s.example' % (role, self.name)
            rc, out, _ = self.mcred('user', 'add', '--email', email, '--role', role)
            self.user_ids[role] = int(out.strip() or 0)
            rc, out, _ = self.mcred('token', 'create', '--user', str(self.user_ids[role]))
            self.tokens[role] = out.strip()
        for i in range(n_learners):
            email = 'learner%d@%s.example' % (i, self.name)
            rc, out, _ = self.mcred('learner', 'add', '--name', 'Learner %d' % i, '--email', email)
            self.learners.append((int(out.strip() or 0), email))
        rc, out, _ = self.mcred('achievement', 'create', ACHIEVEMENT)
        self.achievement = out.split()[0] if out else None
        for i in range(min(n_creds, len(self.learners))):
            rc, out, _ = self.mcred('issue', '--achievement', self.achievement, '--recipient',
                                    self.learners[i][1])
            self.credentials.append(out.strip().split()[-1] if out.strip() else None)
        return self


class Deployment:
    """A store (SQLite file or PostgreSQL) with organisations set up by the CLI."""

    def __init__(self, backend, tmp=None):
        self.backend = backend
        if tmp is None:
            tmp = tempfile.mkdtemp(prefix='mcred-srv-')
            atexit.register(shutil.rmtree, tmp, True)   # the test's servers are stopped by then
        self.tmp = tmp
        self.tag = uuid.uuid4().hex[:8]
        if backend == 'postgres':
            self.dsn = os.environ['MCRED_TEST_PG']
        else:
            self.dsn = 'sqlite:' + os.path.join(self.tmp, 'shared.db')
        keyfile = os.path.join(self.tmp, 'operator.key')
        with open(keyfile, 'w') as f:
            f.write(secrets.token_hex(32) + '\n')
        os.chmod(keyfile, 0o600)
        self.public_url = 'http://127.0.0.1:8080'
        self.env = {'MCRED_KEY_FILE': keyfile}
        self.orgs = {}

    def org(self, label, **kw):
        name = '%s-%s' % (label, self.tag)
        o = Org(self, name).setup(**kw)
        self.orgs[label] = o
        return o

    @staticmethod
    def available(backend):
        return backend == 'sqlite' or bool(os.environ.get('MCRED_TEST_PG'))


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def text(self):
        return self.body.decode(errors='replace')


class Server:
    """`mcred serve` on 127.0.0.1, a free port; stopped by PID (SIGTERM)."""

    def __init__(self, org, *args, env=None):
        self.org = org
        self.port_file = os.path.join(org.dep.tmp, 'port-%s' % uuid.uuid4().hex[:8])
        self.log = os.path.join(org.dep.tmp, 'serve-%s.log' % uuid.uuid4().hex[:8])
        e = dict(os.environ)
        e.update(org.env)
        e.update(env or {})
        self.errf = open(self.log, 'wb')
        self.proc = subprocess.Popen([MCRED, 'serve', '--listen', '127.0.0.1:0', '--port-file',
                                      self.port_file] + list(args),
                                     stdout=subprocess.DEVNULL, stderr=self.errf, env=e)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.proc.poll() is None:
            try:
                with open(self.port_file) as f:
                    self.port = int(f.read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.05)
        check(self.port is not None, 'mcred serve started (%s)' % self.stderr()[-500:])

    def stderr(self):
        try:
            with open(self.log, 'rb') as f:
                return f.read().decode(errors='replace')
        except OSError:
            return ''

    @property
    def base(self):
        return 'http://127.0.0.1:%d' % self.port

    def request(self, method, path, body=None, headers=None, token=None, timeout=60):
        h = dict(headers or {})
        if token:
            h['Authorization'] = 'Bearer ' + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault('Content-Type', 'application/json')
        if isinstance(body, str):
            body = body.encode()
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def stop(self):
        """SIGTERM by PID; the server must exit 0, cleanly, without sanitizer reports."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                check(False, 'mcred serve did not stop on SIGTERM')
        self.errf.close()
        err = self.stderr()
        check(self.proc.returncode == 0, 'mcred serve exit %s: %s' % (self.proc.returncode,
                                                                     err[-1000:]))
        check('Sanitizer' not in err and 'runtime error' not in err,
              'mcred serve: sanitizer report: %s' % err[-3000:])

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()
