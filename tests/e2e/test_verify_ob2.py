#!/usr/bin/env python3
# test_verify_ob2.py - `mcred verify` on Open Badges 2.0 assertions, hosted
# (served by a test HTTP server on 127.0.0.1) and signed (an RS256 JWS whose
# key document is served there too), and the verifier options around them:
# the expected recipient (hashed with a salt), the issuer's revocation list,
# the issuer's verification policy (the assertion's host), the trust list
# (--trust, --trusted-only), the document map for offline verification
# (--documents, --offline), and a URL given as the input.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import base64, hashlib, http.server, json, os, subprocess, sys, tempfile, threading

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
SHARED = os.environ.get('MCRED_SHARED_DATA')
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


DOCS = {}     # path -> (status, bytes)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = DOCS.get(self.path, (404, b'{"error":"not found"}'))
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def serve(path, obj, status=200):
    DOCS[path] = (status, obj if isinstance(obj, bytes) else json.dumps(obj).encode())


def verify(*args, env_extra=None):
    env = dict(os.environ, MCRED_FETCH_ALLOW_HTTP='1', MCRED_FETCH_ALLOW_PRIVATE='1',
               MCRED_HOME=os.path.join(TMP, 'no-home'))
    env.update(env_extra or {})
    p = subprocess.run([MCRED, 'verify', '--json'] + list(args), capture_output=True, env=env,
                       timeout=120)
    err = p.stderr.decode(errors='replace')
    check(p.returncode >= 0, 'verify %s: killed by signal' % (args,))
    check('Sanitizer' not in err and 'runtime error' not in err, 'sanitizer report: ' + err[-2000:])
    try:
        out = json.loads(p.stdout)
    except ValueError:
        out = {'verdict': None, 'checks': [], 'raw': p.stdout.decode(errors='replace') + err}
    return p.returncode, out


def check_of(out, name):
    return [c for c in out.get('checks', []) if c['check'] == name]


def state(out, name):
    c = check_of(out, name)
    return c[0]['result'] if c else None


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def hosted_cases(base, alt):
    salt = 'deadsea'
    identity = 'sha256$' + hashlib.sha256(('ann@example.org' + salt).encode()).hexdigest()
    issuer = {'@context': 'https://w3id.org/openbadges/v2', 'type': 'Issuer',
              'id': base + '/issuer', 'name': 'Test Issuer', 'url': base,
              'revocationList': base + '/revocations'}
    badge = {'@context': 'https://w3id.org/openbadges/v2', 'type': 'BadgeClass',
             'id': base + '/badge', 'name': 'Hosted Badge', 'description': 'd',
             'criteria': {'narrative': 'c'}, 'image': base + '/img.png',
             'issuer': base + '/issuer'}

    def assertion(aid, host=base, **kw):
        a = {'@context': 'https://w3id.org/openbadges/v2', 'type': 'Assertion',
             'id': host + aid, 'badge': base + '/badge',
             'recipient': {'type': 'email', 'hashed': True, 'salt': salt,
                           'identity': identity},
             'verify': {'type': 'hosted', 'url': host + aid},
             'issuedOn': '2024-01-01T00:00:00Z'}
        a.update(kw)
        return a

    serve('/issuer', issuer)
    serve('/badge', badge)
    serve('/revocations', {'@context': 'https://w3id.org/openbadges/v2',
                           'type': 'RevocationList', 'id': base + '/revocations',
                           'revokedAssertions': [{'id': base + '/a/revoked',
                                                  'revocationReason': 'misconduct'}]})
    serve('/a/good', assertion('/a/good'))
    serve('/a/revoked', assertion('/a/revoked'))
    serve('/a/expired', assertion('/a/expired', expires='2020-01-01T00:00:00Z'))
    serve('/a/flagged', assertion('/a/flagged', revoked=True))

    # valid, from a URL, with the right recipient
    rc, out = verify('--recipient', 'ann@example.org', base + '/a/good')
    check(rc == 0 and out['verdict'] == 'valid', 'hosted assertion valid: %d %s' % (rc, out))
    check(out.get('format', '').startswith('ob2 hosted'), 'format named ob2 hosted')
    for name in ('assertion', 'badge', 'issuer', 'status', 'recipient', 'dates'):
        check(state(out, name) == 'pass', 'hosted valid: check %s passes (%s)' % (name, out))
    # the JSON given locally: the hosted copy is fetched and used
    local = os.path.join(TMP, 'good.json')
    with open(local, 'w') as f:
        json.dump(assertion('/a/good'), f)
    rc, out = verify('--recipient', 'ann@example.org', local)
    check(rc == 0 and state(out, 'assertion') == 'pass', 'local JSON, hosted copy fetched: %d' % rc)
    # recipient mismatch
    rc, out = verify('--recipient', 'bob@example.org', base + '/a/good')
    check(rc == 1 and state(out, 'recipient') == 'fail', 'recipient mismatch: invalid (%d)' % rc)
    # no expected recipient: skipped, still valid
    rc, out = verify(base + '/a/good')
    check(rc == 0 and state(out, 'recipient') == 'skipped', 'no recipient given: skipped')
    # revoked through the issuer's revocation list, and by the hosted copy itself
    rc, out = verify(base + '/a/revoked')
    check(rc == 1 and out['verdict'] == 'revoked', 'revocation list: revoked (%s)' % out['verdict'])
    check('misconduct' in json.dumps(check_of(out, 'status')), 'revocation reason shown')
    rc, out = verify(base + '/a/flagged')
    check(rc == 1 and out['verdict'] == 'revoked', 'revoked: true in the hosted copy')
    rc, out = verify(base + '/a/expired')
    check(rc == 1 and out['verdict'] == 'expired', 'expired assertion: %s' % out['verdict'])
    # hosted on another host than the issuer's: the policy fails
    serve('/a/elsewhere', assertion('/a/elsewhere', host=alt))
    rc, out = verify(alt + '/a/elsewhere')
    check(rc == 1 and state(out, 'issuer') == 'fail', 'hosted on a foreign host: issuer check fails')
    # the hosted copy cannot be fetched: indeterminate, exit 2
    rc, out = verify(base + '/a/missing')
    check(rc in (1, 2) and out['verdict'] in ('invalid', 'indeterminate'),
          'missing hosted assertion: not valid (%d %s)' % (rc, out['verdict']))
    # trust list: valid but untrusted, exit 0; --trusted-only: exit 1; listed: valid
    trust = os.path.join(TMP, 'trust.txt')
    with open(trust, 'w') as f:
        f.write('# trusted issuers\nhttps://trusted.example/issuer\n')
    rc, out = verify('--trust', trust, base + '/a/good')
    check(rc == 0 and out['verdict'] == 'valid-issuer-not-trusted',
          'untrusted issuer: exit 0, graded so (%d %s)' % (rc, out['verdict']))
    rc, out = verify('--trust', trust, '--trusted-only', base + '/a/good')
    check(rc == 1, '--trusted-only: exit 1 for an untrusted issuer')
    with open(trust, 'w') as f:
        json.dump([base + '/issuer'], f)
    rc, out = verify('--trust', trust, '--trusted-only', base + '/a/good')
    check(rc == 0 and out['verdict'] == 'valid' and state(out, 'trust') == 'pass',
          'trusted issuer: valid')
    # offline with a document map: everything from disk, nothing fetched
    mapdir = os.path.join(TMP, 'docs')
    os.makedirs(mapdir, exist_ok=True)
    docmap = {}
    for path in ('/a/good', '/issuer', '/badge', '/revocations'):
        fn = path.strip('/').replace('/', '_') + '.json'
        with open(os.path.join(mapdir, fn), 'wb') as f:
            f.write(DOCS[path][1])
        docmap[base + path] = fn
    with open(os.path.join(mapdir, 'map.json'), 'w') as f:
        json.dump(docmap, f)
    rc, out = verify('--offline', '--documents', os.path.join(mapdir, 'map.json'),
                     '--recipient', 'ann@example.org', local)
    check(rc == 0 and out['verdict'] == 'valid', 'offline with a document map: valid (%d %s)'
          % (rc, out))
    del docmap[base + '/revocations']
    with open(os.path.join(mapdir, 'map.json'), 'w') as f:
        json.dump(docmap, f)
    rc, out = verify('--offline', '--documents', os.path.join(mapdir, 'map.json'), local)
    check(rc == 2 and out['verdict'] == 'indeterminate' and state(out, 'status') == 'unknown',
          'offline, revocation list not mapped: indeterminate (%d %s)' % (rc, out['verdict']))
    rc, out = verify('--documents', os.path.join(TMP, 'nope.json'), local)
    check(rc == 2, 'a missing document map is a usage error')


def signed_cases(base):
    key = os.path.join(TMP, 'rsa.pem')
    subprocess.run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt',
                    'rsa_keygen_bits:2048', '-out', key], check=True, capture_output=True)
    pub = subprocess.run(['openssl', 'pkey', '-in', key, '-pubout'], check=True,
                         capture_output=True).stdout.decode()
    issuer = {'@context': 'https://w3id.org/openbadges/v2', 'type': 'Issuer',
              'id': base + '/s/issuer', 'name': 'Signing Issuer', 'url': base,
              'publicKey': base + '/s/key'}
    serve('/s/issuer', issuer)
    serve('/s/key', {'@context': 'https://w3id.org/openbadges/v2', 'type': 'CryptographicKey',
                     'id': base + '/s/key', 'owner': base + '/s/issuer', 'publicKeyPem': pub})
    serve('/s/other-key', {'@context': 'https://w3id.org/openbadges/v2',
                           'type': 'CryptographicKey', 'id': base + '/s/other-key',
                           'owner': base + '/someone-else', 'publicKeyPem': pub})
    serve('/s/badge', {'@context': 'https://w3id.org/openbadges/v2', 'type': 'BadgeClass',
                       'id': base + '/s/badge', 'name': 'Signed Badge', 'description': 'd',
                       'criteria': {'narrative': 'c'}, 'image': base + '/img.png',
                       'issuer': base + '/s/issuer'})

    def jws(payload, alg='RS256'):
        h = b64u(json.dumps({'alg': alg}).encode())
        p = b64u(json.dumps(payload).encode())
        sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', key],
                             input=(h + '.' + p).encode(), check=True,
                             capture_output=True).stdout
        return h + '.' + p + '.' + b64u(sig)

    def assertion(creator):
        return {'@context': 'https://w3id.org/openbadges/v2', 'type': 'Assertion',
                'id': 'urn:uuid:9f0e2a3e-1b2c-4d5e-8f90-0a1b2c3d4e5f', 'badge': base + '/s/badge',
                'recipient': {'type': 'email', 'hashed': False, 'identity': 'ann@example.org'},
                'verify': {'type': 'signed', 'creator': creator},
                'issuedOn': '2024-01-01T00:00:00Z'}

    good = jws(assertion(base + '/s/key'))
    path = os.path.join(TMP, 'signed.jws')
    with open(path, 'w') as f:
        f.write(good)
    rc, out = verify('--recipient', 'ann@example.org', path)
    check(rc == 0 and out['verdict'] == 'valid' and out.get('format', '').startswith('ob2 signed'),
          'signed assertion valid: %d %s' % (rc, out))
    # tampered payload: the signature fails
    h, p, s = good.split('.')
    bad = json.loads(base64.urlsafe_b64decode(p + '=' * (-len(p) % 4)))
    bad['recipient']['identity'] = 'mallory@example.org'
    with open(path, 'w') as f:
        f.write(h + '.' + b64u(json.dumps(bad).encode()) + '.' + s)
    rc, out = verify(path)
    check(rc == 1 and state(out, 'proof') == 'fail', 'tampered signed assertion: proof fails')
    # a key owned by someone else
    with open(path, 'w') as f:
        f.write(jws(assertion(base + '/s/other-key')))
    rc, out = verify(path)
    check(rc == 1 and state(out, 'proof') == 'fail', 'key not owned by the issuer: proof fails')
    # alg none: refused
    h = b64u(json.dumps({'alg': 'none'}).encode())
    p = b64u(json.dumps(assertion(base + '/s/key')).encode())
    with open(path, 'w') as f:
        f.write(h + '.' + p + '.' + b64u(b'x'))
    rc, out = verify(path)
    check(rc in (1, 2) and out['verdict'] != 'valid', 'alg none: not valid (%d)' % rc)


def shared_cases():
    if not SHARED or not os.path.isdir(os.path.join(SHARED, 'badges', 'ob2-badgr')):
        print('skip: MCRED_SHARED_DATA/badges/ob2-badgr is absent; the Badgr sample cases are '
              'not run')
        return
    src = os.path.join(SHARED, 'badges', 'ob2-badgr', '2_0_assertion_embedded_badgeclass.json')
    # offline, nothing mapped: the hosted copy cannot be had
    rc, out = verify('--offline', src)
    check(rc == 2 and out['verdict'] == 'indeterminate' and state(out, 'assertion') == 'unknown',
          'Badgr 2.0 sample offline: indeterminate (%d %s)' % (rc, out.get('verdict')))
    check(out.get('format', '').startswith('ob2 hosted'), 'Badgr sample recognised as OB 2.0 '
          'hosted: %s' % out.get('format'))
    # mapped to itself: its embedded badge and issuer pass, recipient matches
    mp = os.path.join(TMP, 'badgr-map.json')
    with open(mp, 'w') as f:
        json.dump({'http://a.com/assertion-embedded1': src}, f)
    rc, out = verify('--offline', '--documents', mp, '--recipient', 'test@example.com', src)
    check(rc == 0 and out['verdict'] == 'valid', 'Badgr 2.0 sample with a map: valid (%d %s)'
          % (rc, out))
    v1 = os.path.join(SHARED, 'badges', 'ob2-badgr', '1_0_basic_instance.json')
    rc, out = verify('--offline', v1)
    check(out.get('format', '').startswith('ob1 hosted'), 'Badgr 1.0 instance recognised as '
          'OB 1.x hosted: %s' % out.get('format'))


def main():
    global TMP
    TMP = tempfile.mkdtemp(prefix='mcred-ob2-')
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        hosted_cases('http://127.0.0.1:%d' % port, 'http://localhost:%d' % port)
        signed_cases('http://127.0.0.1:%d' % port)
        shared_cases()
    finally:
        srv.shutdown()
        srv.server_close()
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
