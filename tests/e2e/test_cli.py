#!/usr/bin/env python3
# test_cli.py - end-to-end tests of the `mcred` CLI, driven as a user would:
# keys, credentials, signing (the W3C eddsa-jcs-2022 vector byte for byte),
# verification verdicts and exit codes, tampering with every field, and bad
# input (malformed, oversized, deeply nested, wrong keys) with bounded memory.
# Prints "N passed, N failed"; exit 1 on failure, 77 when ../shared/data is absent.
# SPDX-License-Identifier: Apache-2.0
import copy, json, os, resource, shutil, subprocess, sys, tempfile

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
DATA = os.environ.get('MCRED_SHARED_DATA', '../shared/data')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
VEC = os.path.join(DATA, 'vc-di-eddsa', 'TestVectors')
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


def run(*args, stdin=None, env=None):
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


def b58(raw):
    alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
    n, out = int.from_bytes(raw, 'big'), ''
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return '1' * (len(raw) - len(raw.lstrip(b'\0'))) + out


def peak_rss_kb(args, stdin_path):
    """Run mcred in a fresh Python child and return the peak RSS of mcred alone."""
    code = ('import resource, subprocess, sys\n'
            'subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb"), capture_output=True)\n'
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)')
    p = subprocess.run([sys.executable, '-c', code, stdin_path, MCRED] + args,
                       capture_output=True, text=True)
    return int(p.stdout.strip() or 0)


def leaves(obj, path=()):
    """Every scalar in obj with its path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    else:
        yield path, obj


def mutate(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if value is None:
        return 'x'
    return value + 'x' if value else 'x'


def test_w3c_vector(tmp, env):
    kp = json.load(open(os.path.join(VEC, 'keyPair.json')))
    cfg = json.load(open(os.path.join(VEC, 'eddsa-jcs-2022', 'proofConfigJCS.json')))
    want = json.load(open(os.path.join(VEC, 'eddsa-jcs-2022', 'signedJCS.json')))
    key = os.path.join(tmp, 'vector.key')
    rc, _, err = run('key', 'import', '--multibase', kp['privateKeyMultibase'], '--out', key,
                     env=env)
    check(rc == 0, 'import the W3C key: ' + err)
    rc, out, err = run('key', 'show', '--json', key)
    check(rc == 0 and json.loads(out)['publicKeyMultibase'] == kp['publicKeyMultibase'],
          'key show gives the vector public key')
    rc, out, err = run('sign', '--key', key, '--suite', 'eddsa-jcs-2022', '--created', cfg['created'],
                       '--verification-method', cfg['verificationMethod'],
                       os.path.join(VEC, 'unsigned.json'), env=env)
    check(rc == 0, 'sign the W3C vector: ' + err)
    got = json.loads(out) if rc == 0 else {}
    check(got.get('proof', {}).get('proofValue') == want['proof']['proofValue'],
          'mcred sign reproduces the W3C proofValue byte for byte')
    check(got == want, 'the whole signed vector equals signedJCS.json')
    # the eddsa-rdfc-2022 vector, the default suite, byte for byte
    rcfg = json.load(open(os.path.join(VEC, 'eddsa-rdfc-2022', 'proofConfigDataInt.json')))
    rwant = json.load(open(os.path.join(VEC, 'eddsa-rdfc-2022', 'signedDataInt.json')))
    ctx = ['--contexts-dir', os.path.join(DATA, 'contexts')]
    rc, out, err = run('sign', '--key', key, '--created', rcfg['created'], *ctx,
                       '--verification-method', rcfg['verificationMethod'],
                       os.path.join(VEC, 'unsigned.json'), env=env)
    check(rc == 0 and json.loads(out) == rwant,
          'mcred sign (default eddsa-rdfc-2022) reproduces signedDataInt.json: ' + err)
    rc, out, _ = run('canon', '--rdfc', *ctx, os.path.join(VEC, 'unsigned.json'))
    check(rc == 0 and out == open(os.path.join(VEC, 'eddsa-rdfc-2022',
                                               'canonDocDataInt.txt')).read(),
          'mcred canon --rdfc equals canonDocDataInt.txt')
    rc, out, _ = run('verify', *ctx, os.path.join(VEC, 'Ed25519Signature2020', 'signedEdSig.json'))
    check(rc == 2 and '[ok  ] proof' in out, 'the Ed25519Signature2020 vector: proof valid')
    rc, out, err = run('canon', '--jcs', os.path.join(VEC, 'unsigned.json'))
    canon = open(os.path.join(VEC, 'eddsa-jcs-2022', 'canonDocJCS.txt')).read().rstrip('\n')
    check(rc == 0 and out == canon, 'mcred canon --jcs equals canonDocJCS.txt')
    # the W3C signed vector: proof valid, issuer binding not established -> exit 2
    rc, out, err = run('verify', '--json', os.path.join(VEC, 'eddsa-jcs-2022', 'signedJCS.json'))
    v = json.loads(out) if out.strip() else {}
    checks = {c['check']: c['result'] for c in v.get('checks', [])}
    check(rc == 2, 'signedJCS.json: exit 2 (indeterminate), got %d' % rc)
    check(checks.get('proof') == 'pass', 'signedJCS.json: the proof is valid')
    check(checks.get('issuer') == 'unknown', 'signedJCS.json: issuer binding not established')
    check(v.get('verdict') == 'indeterminate', 'signedJCS.json: verdict indeterminate')


def test_own_credential(tmp, env):
    key = os.path.join(tmp, 'issuer.key')
    rc, _, err = run('key', 'new', '--out', key, env=env)
    check(rc == 0, 'key new: ' + err)
    rc, out, _ = run('key', 'new', '--out', key, env=env)
    check(rc == 2, 'key new refuses to overwrite an existing key file')
    check(oct(os.stat(key).st_mode & 0o777) == '0o600', 'key file is private (0600)')
    did = json.loads(run('key', 'show', '--json', key)[1])['did']
    ach = os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')
    rc, out, err = run('credential', 'new', '--issuer', did, '--issuer-name', 'Example University',
                       '--achievement', ach, '--recipient', 'did:example:learner-1',
                       '--valid-until', '2099-01-01T00:00:00Z')
    check(rc == 0, 'credential new: ' + err)
    unsigned = write(os.path.join(tmp, 'unsigned.json'), out)
    rc, out, err = run('sign', '--key', key, unsigned, env=env)
    check(rc == 0, 'sign our credential: ' + err)
    signed = json.loads(out)
    path = write(os.path.join(tmp, 'signed.json'), signed)
    rc, out, err = run('verify', path)
    check(rc == 0, 'our own credential verifies with exit 0, got %d: %s' % (rc, out))
    check('verdict: valid' in out, 'human output says valid')
    # every single changed field makes it fail with exit 1
    n = 0
    for p, value in leaves(signed):
        doc = copy.deepcopy(signed)
        node = doc
        for k in p[:-1]:
            node = node[k]
        node[p[-1]] = mutate(value)
        rc, out, _ = run('verify', write(os.path.join(tmp, 'tampered.json'), doc))
        check(rc == 1, 'changing %s: exit 1, got %d' % ('.'.join(map(str, p)), rc))
        n += 1
    check(n > 20, 'tampered %d fields' % n)
    # expired, not yet valid
    rc, out, _ = run('verify', '--now', '2100-01-01T00:00:00Z', path)
    check(rc == 1 and 'verdict: expired' in out, 'verify after validUntil: expired, exit 1')
    rc, out, _ = run('verify', '--now', '2000-01-01T00:00:00Z', path)
    check(rc == 1 and 'verdict: not-yet-valid' in out, 'verify before validFrom: exit 1')
    # a key that is not the issuer's: binding fails (exit 1)
    other = os.path.join(tmp, 'other.key')
    run('key', 'new', '--out', other, env=env)
    rc, out, err = run('sign', '--key', other, unsigned, env=env)
    rc, out, _ = run('verify', '--json', write(os.path.join(tmp, 'other.json'), out))
    v = json.loads(out)
    check(rc == 1 and {c['check']: c['result'] for c in v['checks']}['issuer'] == 'fail',
          'signed by a key the issuer does not control: issuer check fails, exit 1')
    # VC-JWT round trip and tampering
    rc, jwt, err = run('sign', '--key', key, '--suite', 'vc-jwt', unsigned, env=env)
    check(rc == 0 and jwt.count('.') == 2, 'sign as VC-JWT: ' + err)
    jpath = write(os.path.join(tmp, 'cred.jwt'), jwt)
    rc, out, _ = run('verify', jpath)
    check(rc == 0, 'our VC-JWT verifies, exit 0: ' + out)
    parts = jwt.strip().split('.')
    flipped = parts[1][:10] + ('A' if parts[1][10] != 'A' else 'B') + parts[1][11:]
    rc, out, _ = run('verify', write(os.path.join(tmp, 't.jwt'), '.'.join([parts[0], flipped,
                                                                        parts[2]])))
    check(rc == 1, 'tampered VC-JWT payload: exit 1, got %d' % rc)
    # passphrase from a file, wrong passphrase
    pf = write(os.path.join(tmp, 'pass'), 'file-secret\n')
    k2 = os.path.join(tmp, 'pf.key')
    rc, _, err = run('key', 'new', '--out', k2, '--passphrase-file', pf,
                     env={'MCRED_PASSPHRASE': '', 'MCRED_KEY_FILE': ''})
    check(rc == 0, 'key new with --passphrase-file: ' + err)
    rc, _, err = run('sign', '--key', k2, unsigned, env={'MCRED_PASSPHRASE': 'nope',
                                                          'MCRED_KEY_FILE': ''})
    check(rc == 2 and 'wrong passphrase' in err, 'wrong passphrase: exit 2 with a message')
    rc, _, err = run('sign', '--key', k2, unsigned, stdin=b'',
                     env={'MCRED_PASSPHRASE': '', 'MCRED_KEY_FILE': ''})
    check(rc == 2 and 'MCRED_PASSPHRASE' in err, 'no terminal, no passphrase: says how to give one')


def test_bad_input(tmp, env):
    key = os.path.join(tmp, 'bad.key')
    run('key', 'new', '--out', key, env=env)
    ach = json.load(open(os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')))
    cases = [
        ('malformed JSON', '{"a": ', 'line 1'),
        ('not an object', '[1,2,3]', 'object'),
        ('binary garbage', '\x00\x01\x02\xff', ''),
    ]
    for what, text, needle in cases:
        p = os.path.join(tmp, 'in.json')
        with open(p, 'wb') as f:
            f.write(text.encode('latin-1'))
        rc, out, err = run('verify', p)
        check(rc == 1, 'verify %s: exit 1, got %d' % (what, rc))
        rc, out, err = run('sign', '--key', key, p, env=env)
        check(rc in (1, 2) and err.startswith('mcred: error:') and needle in err,
              'sign %s: clear error (%s)' % (what, err.strip()))
    # missing required field / wrong type: the message names the path
    did = json.loads(run('key', 'show', '--json', key)[1])['did']
    rc, out, _ = run('credential', 'new', '--issuer', did,
                     '--achievement', write(os.path.join(tmp, 'a.json'), ach),
                     '--recipient', 'learner@example.org')
    cred = json.loads(out)
    bad = copy.deepcopy(cred)
    del bad['credentialSubject']['achievement']['criteria']
    rc, _, err = run('sign', '--key', key, write(os.path.join(tmp, 'b.json'), bad), env=env)
    check(rc == 1 and 'credentialSubject.achievement.criteria' in err,
          'missing criteria: path named (%s)' % err.strip())
    bad = copy.deepcopy(cred)
    bad['validFrom'] = 12
    rc, _, err = run('sign', '--key', key, write(os.path.join(tmp, 'b.json'), bad), env=env)
    check(rc == 1 and 'validFrom' in err, 'wrong type: path named (%s)' % err.strip())
    for field in ('name', 'description'):
        a = dict(ach)
        del a[field]
        rc, _, err = run('credential', 'new', '--issuer', did, '--recipient', 'did:example:x',
                         '--achievement', write(os.path.join(tmp, 'a2.json'), a))
        check(rc == 1 and 'achievement.' + field in err, 'achievement without %s: %s' % (
            field, err.strip()))
    rc, _, err = run('credential', 'new', '--issuer', did, '--recipient', 'not an email',
                     '--achievement', os.path.join(tmp, 'a.json'))
    check(rc == 1 and 'recipient' in err, 'bad recipient: ' + err.strip())
    # keys: invalid base58, wrong length, not Ed25519
    for what, mb, needle in [('invalid base58', 'z3u2O0I', 'base58'),
                             ('not base58btc', 'f0123', "'z'"),
                             ('wrong key length', 'z' + b58(b'\x80\x26' + bytes(20)), '20 bytes')]:
        rc, _, err = run('key', 'import', '--multibase', mb, '--out', os.path.join(tmp, 'x.key'),
                         env=env)
        check(rc == 2 and needle in err, 'key import %s: %s' % (what, err.strip()))
    # a credential whose proof names a secp256k1 did:key
    signed = json.loads(run('sign', '--key', key, os.path.join(tmp, 'a.json'), env=env)[1] or '{}')
    vectors = json.load(open(os.path.join(DATA, 'did-key', 'test-vectors', 'secp256k1.json')))
    k1 = next(k for k in vectors if k.startswith('did:key:'))
    signed = json.loads(run('sign', '--key', key, write(os.path.join(tmp, 'c.json'), cred),
                            env=env)[1])
    signed['proof']['verificationMethod'] = k1 + '#' + k1.split(':')[2]
    rc, out, _ = run('verify', write(os.path.join(tmp, 'k1.json'), signed))
    check(rc == 2 and 'Ed25519' in out, 'did:key that is not Ed25519: indeterminate, says why')
    # base58 garbage in proofValue
    signed['proof']['verificationMethod'] = did + '#' + did.split(':')[2]
    signed['proof']['proofValue'] = 'z0OIl'
    rc, out, _ = run('verify', write(os.path.join(tmp, 'pv.json'), signed))
    check(rc == 1 and 'base58' in out, 'invalid base58 proofValue: exit 1, says why')
    # a number jsonld.js and the JSON-LD standard canonicalize differently
    tiny = copy.deepcopy(cred)
    tiny['credentialSubject']['achievement']['creditsAvailable'] = 1e-7
    rc, _, err = run('sign', '--key', key, write(os.path.join(tmp, 'tiny.json'), tiny), env=env)
    check(rc == 1 and 'creditsAvailable' in err and '1e-7' in err,
          'eddsa-rdfc-2022 refuses 1e-7 and names where it is: ' + err.strip())
    # 10,000-deep nesting
    deep = write(os.path.join(tmp, 'deep.json'), '[' * 10000 + ']' * 10000)
    rc, out, _ = run('verify', deep)
    check(rc == 1 and 'nesting' in out, '10,000-deep nesting: exit 1, says nesting')
    # a 100 MB file, generated here, with memory bounded
    big = os.path.join(tmp, 'big.json')
    with open(big, 'wb') as f:
        f.write(b'{"a":"')
        chunk = b'x' * (1 << 20)
        for _ in range(100):
            f.write(chunk)
        f.write(b'"}')
    rc, _, err = run('verify', big)
    check(rc == 2 and 'limit' in err, '100 MB file: refused with exit 2 (%s)' % err.strip())
    rc, _, err = run('verify', '-', stdin=open(big, 'rb').read())
    check(rc == 2 and 'limit' in err, '100 MB on stdin: refused with exit 2')
    peak = peak_rss_kb(['verify', '-'], big)
    asan = 'asan' in os.path.basename(os.path.normpath(BUILD))
    check(asan or 0 < peak < 64 * 1024, '100 MB input read with bounded memory (peak RSS %d KB)' % peak)
    os.remove(big)
    # usage errors
    rc, _, err = run('verify')
    check(rc == 2, 'verify without input: exit 2')
    rc, _, err = run('sign', '--bogus', 'x')
    check(rc == 2 and '--bogus' in err, 'unknown option named')
    rc, _, err = run('frobnicate')
    check(rc == 2 and 'frobnicate' in err, 'unknown command named')
    rc, _, _ = run('verify', os.path.join(tmp, 'does-not-exist.json'))
    check(rc == 2, 'missing file: exit 2')
    for cmd in ('key', 'sign', 'verify', 'canon', 'credential', 'help'):
        rc, out, _ = run(cmd, '--help')
        check(rc == 0 and 'usage' in out.lower(), 'mcred %s --help' % cmd)


def main():
    if not os.path.isfile(os.path.join(DATA, 'SOURCES.md')):
        print('SKIP: ../shared/data is absent (MCRED_SHARED_DATA=%s)' % DATA)
        print('0 passed, 0 failed')
        return 77
    tmp = tempfile.mkdtemp(prefix='mcred-e2e-')
    try:
        # most keys use an operator key file (fast); one test uses a passphrase file
        opk = write(os.path.join(tmp, 'operator.key'), '11' * 32)
        env = {'MCRED_KEY_FILE': opk}
        test_w3c_vector(tmp, env)
        test_own_credential(tmp, env)
        test_bad_input(tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
