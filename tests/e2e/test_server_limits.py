#!/usr/bin/env python3
# test_server_limits.py - `mcred serve` against hostile and unlucky clients,
# over real sockets: bodies over the limit (413, with Content-Length and
# chunked), malformed JSON (400 naming where), wrong content types (415),
# unknown routes (404), slow clients (a body or headers trickled one byte a
# second, a connection that sends nothing) cut off without hanging, path
# traversal and NUL bytes in ids (400/404), the per-client rate limit (429
# with Retry-After, then requests pass again), TLS served directly
# (--tls-cert/--tls-key, with a self-signed certificate made by openssl),
# SIGTERM with a request in flight (it completes, the server exits 0), and
# settings from mcred.conf and MCRED_LISTEN, and answers held for the end of
# a round (write coalescing: verifications) reaching the right client, in
# order on a pipelined connection, over https too. On SQLite, and on PostgreSQL
# when MCRED_TEST_PG is set. Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import http.client, json, os, signal, socket, ssl, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import MCRED, Deployment, Server, check, report  # noqa: E402

# A JSON POST route of the W3C VC API: the JSON cases go through it.
VERIFY = '/credentials/verify'


def raw(port, data, timeout=10, tls=None):
    """Send bytes on a fresh connection, read until the server closes or the
    response is complete; returns (status, headers dict, body bytes) or None
    when the connection was closed without a response."""
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    try:
        s.sendall(data)
        return read_response(s)
    finally:
        s.close()


def read_response(s):
    buf = b''
    while b'\r\n\r\n' not in buf:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            d = b''
        if not d:
            return None
        buf += d
    head, body = buf.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(':')
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get('content-length', '0'))
    while len(body) < n:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            d = b''
        if not d:
            break
        body += d
    return status, headers, body


def closed_by_server(s, wait):
    """True when the server closes s within wait seconds (reading returns
    end of file or a reset)."""
    s.settimeout(wait)
    try:
        while True:
            d = s.recv(4096)
            if not d:
                return True
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def error_of(r):
    try:
        j = json.loads(r.body)
    except ValueError:
        return None, None
    return j.get('error'), j.get('message')


def body_limits(org):
    with Server(org, '--rate', '0', '--max-body', '4096') as s:
        # Content-Length over the limit: answered at once, the body never read
        r = raw(s.port, b'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                        b'Content-Length: 1000000\r\n\r\n')
        check(r is not None and r[0] == 413, '413 on Content-Length over the limit: %r' % (r,))
        if r:
            j = json.loads(r[2])
            check(j.get('error') == 'too_large' and '4096' in j.get('message', ''),
                  '413 body names the limit: %r' % r[2])
            check(r[1].get('connection', '').lower() == 'close', '413 closes the connection')
        # chunked, a little over the limit: read and refused
        body = b'x' * 6000
        chunked = b'%x\r\n%s\r\n0\r\n\r\n' % (len(body), body)
        r = raw(s.port, b'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
                        b'Content-Type: application/json\r\n\r\n' + chunked)
        check(r is not None and r[0] == 413, '413 on a chunked body over the limit: %r' % (r,))
        # exactly at the limit: not a 413 (the route decides: GET /healthz takes any body)
        r = s.request('GET', '/healthz', body=b'x' * 4096)
        check(r.status == 200, 'a body of exactly --max-body passes: %d' % r.status)
        r = s.request('GET', '/healthz', body=b'x' * 4097)
        check(r.status == 413, 'one byte more is 413: %d' % r.status)
        # a chunked stream that never ends: the connection is dropped, no hang
        c = socket.create_connection(('127.0.0.1', s.port), timeout=30)
        c.sendall(b'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
        chunk = b'10000\r\n' + b'y' * 0x10000 + b'\r\n'
        cut = False
        try:
            for _ in range(4096):           # 256 MiB at most
                c.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            cut = True
        if not cut:
            cut = closed_by_server(c, 10)
        c.close()
        check(cut, 'an endless chunked body is cut off')
        r = s.request('GET', '/healthz')
        check(r.status == 200, 'the server still answers: %d' % r.status)


def json_errors(org):
    with Server(org, '--rate', '0') as s:
        r = s.request('POST', VERIFY, body='{"verifiableCredential": {"a": [1, 2,}}',
                      headers={'Content-Type': 'application/json'})
        code, msg = error_of(r)
        check(r.status == 400, 'malformed JSON on %s: 400, got %d %r' % (VERIFY, r.status,
                                                                         r.body[:300]))
        check(msg is not None and 'line 1' in msg and 'column' in msg,
              'the 400 says where: %r' % msg)
        r = s.request('POST', VERIFY, body='{\n"verifiableCredential":\n  {"a": tru}\n}',
                      headers={'Content-Type': 'application/json'})
        code, msg = error_of(r)
        check(r.status == 400 and msg is not None and 'line 3' in msg,
              'malformed JSON on line 3: %d %r' % (r.status, msg))
        r = s.request('POST', VERIFY, body='[' * 100000 + ']' * 100000,
                      headers={'Content-Type': 'application/json'})
        check(r.status == 400, 'a depth bomb: 400, got %d' % r.status)
        r = s.request('POST', VERIFY, body=b'{"verifiableCredential": "\xff\xfe"}',
                      headers={'Content-Type': 'application/json'})
        check(r.status == 400, 'invalid UTF-8: 400, got %d' % r.status)
        for ctype in ('text/plain', 'application/x-www-form-urlencoded', None):
            h = {'Content-Type': ctype} if ctype else {}
            r = s.request('POST', VERIFY, body='{"verifiableCredential": {}}', headers=h)
            code, msg = error_of(r)
            check(r.status == 415 and code == 'unsupported_media_type',
                  'Content-Type %s: 415, got %d %r' % (ctype, r.status, r.body[:200]))


def routes_and_paths(org):
    with Server(org, '--rate', '0') as s:
        for path in ('/no/such/route', '/healthz/', '/HEALTHZ', '/%2e%2e/healthz'):
            r = s.request('GET', path)
            check(r.status == 404 and error_of(r)[0] == 'not_found',
                  'GET %s: 404, got %d' % (path, r.status))
        r = s.request('GET', '/no/such/route', headers={'Accept': 'text/html'})
        check(r.status == 404, 'unknown route for a browser: 404, got %d' % r.status)
        hostile = ['/credentials/..%2F..%2Fetc%2Fpasswd',
                   '/credentials/..%2f..%2f..%2fetc%2fpasswd',
                   '/static/../../etc/passwd', '/static/..%2F..%2Fetc%2Fpasswd',
                   '/static/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd',
                   '/credentials/%00', '/credentials/a%00b', '/static/a%00.css',
                   '/credentials/%zz', '/badges/..%2F..%2Fmcred.db', '/static/..%5C..%5Cx',
                   '/credentials/' + 'a' * 4000, '/credentials/%C0%AE%C0%AE',
                   '/static/%C0%AE%C0%AE', '/credentials/%ff']
        for path in hostile:
            # http.client would normalise nothing, but send it raw to be sure
            r = raw(s.port, b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\n'
                    b'Authorization: Bearer ' + org.tokens['admin'].encode() + b'\r\n'
                    b'Connection: close\r\n\r\n')
            check(r is not None and r[0] in (400, 404),
                  'GET %s: 400 or 404, got %r' % (path[:80], r and (r[0], r[2][:200])))
            if r:
                check(b'root:' not in r[2], 'GET %s: no file content' % path[:80])
        # a NUL byte in the raw request line: refused by the HTTP parser or the router
        r = raw(s.port, b'GET /credentials/a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close'
                        b'\r\nAuthorization: Bearer ' + org.tokens['admin'].encode() +
                b'\r\n\r\n')
        check(r is None or r[0] in (400, 404), 'a raw NUL in the path: %r' % (r and r[0],))
        # raw bytes that are not UTF-8 in an unknown path: still a JSON 404
        r = raw(s.port, b'GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        check(r is None or (r[0] in (400, 404) and json.loads(r[2]).get('error')),
              'raw non-UTF-8 bytes in the path: %r' % (r and (r[0], r[2][:200]),))
        # a very long request line: refused, the server lives on
        r = raw(s.port, b'GET /' + b'a' * 100000 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        check(r is None or r[0] in (400, 404, 414, 431),
              'a 100 kB request line: %r' % (r and r[0],))
        # headers: ~12 kB fit the connection's 16 KiB pool, 20 kB are 431
        r = raw(s.port, b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 12000 +
                b'\r\nConnection: close\r\n\r\n')
        check(r is not None and r[0] == 200, '12 kB of headers pass: %r' % (r and r[0],))
        r = raw(s.port, b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 20000 +
                b'\r\nConnection: close\r\n\r\n')
        check(r is not None and r[0] == 431, '20 kB of headers: 431, got %r' % (r and r[0],))
        r = s.request('GET', '/healthz')
        check(r.status == 200, 'still answering: %d' % r.status)


def slow_clients(org):
    with Server(org, '--rate', '0', '--timeout', '2') as s:
        # headers, then the body one byte a second: cut off long before the
        # 30 bytes it announced are in
        c = socket.create_connection(('127.0.0.1', s.port), timeout=5)
        c.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n')
        cut = False
        for _ in range(30):
            try:
                c.sendall(b'a')
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            if closed_by_server(c, 1):
                cut = True
                break
        c.close()
        check(cut, 'a body trickled one byte a second is cut off before it is complete')
        # the headers themselves trickled (slowloris): cut off as well
        c = socket.create_connection(('127.0.0.1', s.port), timeout=5)
        line = b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + b'a' * 40
        cut = False
        for b in line:
            try:
                c.sendall(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            if closed_by_server(c, 1):
                cut = True
                break
        c.close()
        check(cut, 'headers trickled one byte a second are cut off')
        # a connection that sends nothing is closed (after --timeout)
        c = socket.create_connection(('127.0.0.1', s.port), timeout=5)
        check(closed_by_server(c, 30), 'a silent connection is closed')
        c.close()
        # a keep-alive connection goes on serving requests between them
        h = http.client.HTTPConnection('127.0.0.1', s.port, timeout=10)
        ok = True
        for _ in range(3):
            h.request('GET', '/healthz')
            r = h.getresponse()
            r.read()
            ok = ok and r.status == 200
            time.sleep(0.5)
        h.close()
        check(ok, 'keep-alive requests are served')
        r = s.request('GET', '/healthz')
        check(r.status == 200, 'the server answers after the slow clients: %d' % r.status)


def rate_limits(org):
    with Server(org, '--rate', '5', '--burst', '5') as s:
        h = http.client.HTTPConnection('127.0.0.1', s.port, timeout=10)
        got = []
        for _ in range(6):
            h.request('GET', '/healthz')
            r = h.getresponse()
            body = r.read()
            got.append((r.status, r.getheader('Retry-After'), body))
        check([g[0] for g in got[:5]] == [200] * 5, 'five requests pass: %r' %
              [g[0] for g in got])
        check(got[5][0] == 429, 'the sixth quick request is 429: %d' % got[5][0])
        ra = got[5][1]
        check(ra is not None and ra.isdigit() and int(ra) >= 1, 'Retry-After: %r' % ra)
        check(json.loads(got[5][2]).get('error') == 'rate_limited', '429 body says rate_limited')
        time.sleep(1.2)
        h.request('GET', '/healthz')
        r = h.getresponse()
        r.read()
        check(r.status == 200, 'after a second requests pass again: %d' % r.status)
        h.close()
    # with --trust-proxy the limit is per X-Forwarded-For client (the address
    # the proxy added, the last one): two clients behind one proxy are apart,
    # and a client cannot escape its bucket by writing its own first address
    with Server(org, '--rate', '1', '--burst', '2', '--trust-proxy') as s:
        def st(xff):
            return s.request('GET', '/healthz', headers={'X-Forwarded-For': xff}).status
        a = [st('203.0.113.1') for _ in range(3)]
        b = st('203.0.113.2')
        check(a == [200, 200, 429] and b == 200, 'per-client buckets behind a proxy: %r %r' %
              (a, b))
        spoof = st('198.51.100.%d, 203.0.113.1' % 9)
        check(spoof == 429, 'a forged first address does not reset the bucket: %d' % spoof)


def tls(org):
    d = org.dep.tmp
    cert, key = os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem')
    p = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj',
                        '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                        '-keyout', key, '-out', cert], capture_output=True)
    check(p.returncode == 0, 'openssl made a certificate: %s' % p.stderr[-300:])
    with Server(org, '--rate', '0', '--tls-cert', cert, '--tls-key', key) as s:
        check('listening on https://' in s.stderr(), 'the server says https: %s' % s.stderr())
        ctx = ssl.create_default_context(cafile=cert)
        c = http.client.HTTPSConnection('127.0.0.1', s.port, context=ctx, timeout=10)
        c.request('GET', '/healthz')
        r = c.getresponse()
        body = r.read()
        check(r.status == 200 and json.loads(body) == {'status': 'ok'},
              'GET /healthz over https: %d' % r.status)
        c.close()
        # plain http on the https port gets no HTTP answer
        r = raw(s.port, b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', timeout=5)
        check(r is None, 'plain http to the https port is not answered')
        # a client that does not trust the certificate fails the handshake
        c = http.client.HTTPSConnection('127.0.0.1', s.port,
                                        context=ssl.create_default_context(), timeout=10)
        try:
            c.request('GET', '/healthz')
            c.getresponse()
            refused = False
        except ssl.SSLError:
            refused = True
        c.close()
        check(refused, 'an untrusting client refuses the self-signed certificate')
    # refusals at start: one file alone, a missing file, a key that is not one,
    # a key of another certificate
    other = os.path.join(d, 'other-key.pem')
    p = subprocess.run(['openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt',
                        'ec_paramgen_curve:prime256v1', '-out', other], capture_output=True)
    check(p.returncode == 0, 'openssl made a second key')
    for args, needle in ((['--tls-cert', cert], 'both --tls-cert and --tls-key'),
                         (['--tls-cert', cert, '--tls-key', other], 'do they match'),
                         (['--tls-cert', cert, '--tls-key', key + '.none'], key + '.none'),
                         (['--tls-cert', cert, '--tls-key', org.dep.tmp + '/operator.key'],
                          'PEM')):
        e = dict(os.environ)
        e.update(org.env)
        p = subprocess.run([MCRED, 'serve', '--listen', '127.0.0.1:0'] + args,
                           capture_output=True, env=e, timeout=60)
        err = p.stderr.decode(errors='replace')
        check(p.returncode != 0 and needle in err, 'serve %s refused: %d %s' %
              (' '.join(args[-1:]), p.returncode, err[-300:]))


def sigterm_in_flight(org):
    s = Server(org, '--rate', '0', '--timeout', '5')
    c = socket.create_connection(('127.0.0.1', s.port), timeout=20)
    c.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345')
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    check(s.proc.poll() is None, 'the server waits for the request in flight')
    # new connections are refused while it drains
    try:
        n = socket.create_connection(('127.0.0.1', s.port), timeout=2)
        n.close()
        refused = False
    except OSError:
        refused = True
    check(refused, 'no new connections after SIGTERM')
    c.sendall(b'67890')
    r = read_response(c)
    c.close()
    check(r is not None and r[0] == 200, 'the request in flight completes: %r' % (r,))
    if r:
        check(r[1].get('connection', '').lower() == 'close', 'and its connection closes')
    try:
        s.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    s.stop()   # checks exit 0 and no sanitizer report

    # an idle keep-alive connection does not hold the stop up
    s = Server(org, '--rate', '0', '--timeout', '30')
    h = http.client.HTTPConnection('127.0.0.1', s.port, timeout=10)
    h.request('GET', '/healthz')
    h.getresponse().read()
    t0 = time.time()
    s.proc.send_signal(signal.SIGTERM)
    try:
        s.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    check(s.proc.poll() is not None, 'an idle keep-alive connection does not delay the stop '
          '(%.1f s)' % (time.time() - t0))
    h.close()
    s.stop()


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def config(org):
    # numbers out of range, or not numbers at all (NaN passed a < / > check once)
    for flag, bad in (('--timeout', 'nan'), ('--rate', 'NaN'), ('--threads', '0'),
                      ('--max-body', 'inf'), ('--burst', '1e99')):
        rc, _, err = org.mcred('serve', '--listen', '127.0.0.1:0', flag, bad, ok=(2,),
                              timeout=30)
        check(rc == 2 and ('%s takes a number from' % flag) in err and bad in err,
              'serve %s %s is refused: %r' % (flag, bad, err[-200:]))
    conf = os.path.join(org.home, 'mcred.conf')
    with open(conf) as f:
        original = f.read()
    try:
        port = free_port()
        with open(conf, 'w') as f:
            f.write(original + 'listen = 127.0.0.1:%d\nrate = 1\nburst = 2\n' % port)
        s = ServerNoListen(org)
        check(s.port == port, 'listen from mcred.conf: %s, want %d' % (s.port, port))
        if s.port:
            st = [s.request('GET', '/healthz').status for _ in range(3)]
            check(st == [200, 200, 429], 'rate and burst from mcred.conf: %r' % st)
        s.stop()
        # MCRED_LISTEN beats mcred.conf; the flag beats both
        port2 = free_port()
        s = ServerNoListen(org, env={'MCRED_LISTEN': '127.0.0.1:%d' % port2})
        check(s.port == port2, 'listen from MCRED_LISTEN: %s, want %d' % (s.port, port2))
        s.stop()
        s = ServerNoListen(org, '--listen', '127.0.0.1:0', '--rate', '0',
                           env={'MCRED_LISTEN': '127.0.0.1:%d' % port2})
        check(s.port not in (None, port, port2), '--listen beats MCRED_LISTEN: %s' % s.port)
        if s.port:
            st = [s.request('GET', '/healthz').status for _ in range(3)]
            check(st == [200, 200, 200], '--rate 0 beats mcred.conf: %r' % st)
        s.stop()
        # a bad setting is refused with its name
        e = dict(os.environ)
        e.update(org.env)
        e['MCRED_LISTEN'] = 'localhost'
        p = subprocess.run([MCRED, 'serve'], capture_output=True, env=e, timeout=60)
        check(p.returncode != 0 and b'localhost' in p.stderr,
              'a bad MCRED_LISTEN is refused by name: %r' % p.stderr[-200:])
    finally:
        with open(conf, 'w') as f:
            f.write(original)


class ServerNoListen(Server):
    """`mcred serve` without --listen: where it listens comes from settings."""

    def __init__(self, org, *args, env=None):
        self.org = org
        import uuid
        self.port_file = os.path.join(org.dep.tmp, 'port-%s' % uuid.uuid4().hex[:8])
        self.log = os.path.join(org.dep.tmp, 'serve-%s.log' % uuid.uuid4().hex[:8])
        e = dict(os.environ)
        e.pop('MCRED_LISTEN', None)
        e.update(org.env)
        e.update(env or {})
        self.errf = open(self.log, 'wb')
        self.proc = subprocess.Popen([MCRED, 'serve', '--port-file', self.port_file] +
                                     list(args), stdout=subprocess.DEVNULL, stderr=self.errf,
                                     env=e)
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


def concurrency(org):
    # many clients at once, some of them slow: every quick one is answered
    with Server(org, '--rate', '0', '--timeout', '3', '--threads', '2') as s:
        slow = []
        for _ in range(50):
            c = socket.create_connection(('127.0.0.1', s.port), timeout=10)
            c.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n')
            slow.append(c)
        results = []

        def worker():
            for _ in range(20):
                try:
                    results.append(s.request('GET', '/healthz', timeout=10).status)
                except OSError as e:
                    results.append(str(e))
        ts = [threading.Thread(target=worker) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(results.count(200) == 160, 'quick clients are answered beside 50 stuck ones: '
              '%d of 160' % results.count(200))
        for c in slow:
            c.close()


def coalesced(dep):
    # A verification's answer is held for the end of the server's round and
    # written with the others: each must still reach its own client, in the
    # order asked on a pipelined connection, over https too.
    org = dep.org('coalesce', n_learners=2, n_creds=2)
    creds = []
    for cid in org.credentials:
        rc, out, _ = org.mcred('credential', 'export', cid)
        creds.append(json.loads(out))
    bad = json.loads(json.dumps(creds[1]))
    bad['credentialSubject']['achievement']['name'] = 'Tampered'
    cases = [(creds[0], True), (bad, False), (creds[1], True)]
    bodies = [json.dumps({'verifiableCredential': c}).encode() for c, _ in cases]

    def verdict(body):
        try:
            return json.loads(body).get('verified')
        except ValueError:
            return 'not JSON: %r' % body[:80]

    with Server(org, '--rate', '0', '--threads', '1') as s:
        wrong = []

        def worker(n):
            h = http.client.HTTPConnection('127.0.0.1', s.port, timeout=30)
            for i in range(12):
                k = (n + i) % 3
                h.request('POST', VERIFY, bodies[k], {'Content-Type': 'application/json'})
                r = h.getresponse()
                got = verdict(r.read())
                if r.status != (200 if cases[k][1] else 400) or got is not cases[k][1]:
                    wrong.append((n, i, r.status, got))
            h.close()
        ts = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(not wrong, '16 keep-alive clients, 12 verifications each, every answer its '
              'own: %s' % wrong[:3])
        # three requests in one write: three answers, in order
        c = socket.create_connection(('127.0.0.1', s.port), timeout=30)
        c.sendall(b''.join(b'POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json'
                           b'\r\nContent-Length: %d\r\n\r\n%s' % (VERIFY.encode(), len(b), b)
                           for b in bodies))
        f = c.makefile('rb')
        got = []
        for _ in cases:
            status = f.readline().split()[1:2]
            n = 0
            for line in iter(f.readline, b'\r\n'):
                k, _, v = line.partition(b':')
                if k.strip().lower() == b'content-length':
                    n = int(v)
            got.append((int(status[0]), verdict(f.read(n))))
        f.close()
        c.close()
        check(got == [(200 if v else 400, v) for _, v in cases],
              'pipelined verifications answered in order: %s' % got)
        # a quick request between held ones on the same connection
        h = http.client.HTTPConnection('127.0.0.1', s.port, timeout=30)
        seq = []
        for path, body in ((VERIFY, bodies[0]), ('/healthz', None), (VERIFY, bodies[1])):
            h.request('POST' if body else 'GET', path, body,
                      {'Content-Type': 'application/json'} if body else {})
            r = h.getresponse()
            got = r.read()
            seq.append((r.status, verdict(got) if body else None))
        h.close()
        check(seq == [(200, True), (200, None), (400, False)],
              'held and quick answers alternate on one connection: %s' % seq)
    d = dep.tmp
    cert, key = os.path.join(d, 'c-cert.pem'), os.path.join(d, 'c-key.pem')
    p = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj',
                        '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                        '-keyout', key, '-out', cert], capture_output=True)
    check(p.returncode == 0, 'openssl made a certificate')
    with Server(org, '--rate', '0', '--threads', '1', '--tls-cert', cert, '--tls-key', key) as s:
        ctx = ssl.create_default_context(cafile=cert)
        got = []
        h = http.client.HTTPSConnection('127.0.0.1', s.port, context=ctx, timeout=30)
        for b in bodies:
            h.request('POST', VERIFY, b, {'Content-Type': 'application/json'})
            r = h.getresponse()
            got.append((r.status, verdict(r.read())))
        h.close()
        check(got == [(200 if v else 400, v) for _, v in cases],
              'verifications over https on one connection: %s' % got)


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        dep = Deployment(backend)
        org = dep.org('limits', n_learners=1, n_creds=0)
        body_limits(org)
        json_errors(org)
        routes_and_paths(org)
        rate_limits(org)
        sigterm_in_flight(org)
        config(org)
        if backend == 'sqlite':   # the transport does not depend on the store
            slow_clients(org)
            tls(org)
            concurrency(org)
            coalesced(dep)
    report()


if __name__ == '__main__':
    main()
