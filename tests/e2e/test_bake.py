#!/usr/bin/env python3
# test_bake.py - end-to-end tests of `mcred bake` and `mcred unbake`, driven as
# a user would: a credential signed with the CLI (eddsa-rdfc-2022 and VC-JWT)
# is baked into a PNG and an SVG, unbaked and verified; an OB 2.0 assertion is
# baked the OB 2.0 way; Badgr's baked PNG is read as a hosted assertion; and
# hostile images (truncated, bad CRC, 50 MB, billion laughs, external entities
# and DTDs against a local listener, non-images) are refused with exit 1,
# bounded memory and no network access. Output files are never half-written.
# Prints "N passed, N failed"; exit 1 on failure, 77 when ../shared/data is absent.
# SPDX-License-Identifier: Apache-2.0
import base64, json, os, pty, shutil, socket, struct, subprocess, sys, tempfile, zlib

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
DATA = os.environ.get('MCRED_SHARED_DATA', '../shared/data')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
BADGR = os.path.join(DATA, 'badges', 'ob2-badgr')
OB3_NS = 'https://purl.imsglobal.org/ob/v3p0'
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


def run(*args, stdin=None, env=None, stdout=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([MCRED] + list(args), input=stdin if stdout is None else None,
                       stdin=subprocess.DEVNULL if stdin is None else None,
                       stdout=stdout if stdout is not None else subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=300)
    out = p.stdout if p.stdout is not None else b''
    err = p.stderr.decode(errors='replace')
    # a crash (signal) or a sanitizer report is always a failure
    check(p.returncode >= 0, 'mcred %s: killed by signal %d' % (' '.join(args[:2]), -p.returncode))
    check('Sanitizer' not in err and 'runtime error' not in err,
          'mcred %s: sanitizer report: %s' % (' '.join(args[:2]), err[-2000:]))
    return p.returncode, out, err


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def peak_rss_kb(args, stdin_path):
    """Run mcred in a fresh Python child and return the peak RSS of mcred alone."""
    code = ('import resource, subprocess, sys\n'
            'subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb"), capture_output=True)\n'
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)')
    p = subprocess.run([sys.executable, '-c', code, stdin_path, MCRED] + args,
                       capture_output=True, text=True)
    return int(p.stdout.strip() or 0)


# --- images ---------------------------------------------------------------------------

def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)


def make_png(w=4, h=4):
    raw = b''.join(b'\x00' + bytes((x * 40 + y * 20) & 0xff for x in range(w)) for y in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) +
            chunk(b'tEXt', b'Software\0mcred e2e') + chunk(b'IDAT', zlib.compress(raw, 9)) +
            chunk(b'IEND', b''))


def png_chunks(data):
    """[(type, data)] of a PNG (no checks: the tests check mcred's output)."""
    out, off = [], 8
    while off + 12 <= len(data):
        n, = struct.unpack('>I', data[off:off + 4])
        out.append((data[off + 4:off + 8], data[off + 8:off + 8 + n]))
        off += 12 + n
    return out


def baked_chunks(data, keyword):
    return [d for t, d in png_chunks(data) if t == b'iTXt' and d.startswith(keyword + b'\0')]


SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">\n'
       '  <circle cx="32" cy="32" r="30" fill="#0a7"/>\n</svg>\n')


# --- a signed credential ----------------------------------------------------------------

def make_credentials(tmp, env):
    key = os.path.join(tmp, 'issuer.key')
    rc, _, err = run('key', 'new', '--out', key, env=env)
    check(rc == 0, 'key new: ' + err)
    did = json.loads(run('key', 'show', '--json', key)[1])['did']
    ach = os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')
    rc, out, err = run('credential', 'new', '--issuer', did, '--issuer-name', 'Example University',
                       '--achievement', ach, '--recipient', 'did:example:learner-1',
                       '--valid-until', '2099-01-01T00:00:00Z')
    check(rc == 0, 'credential new: ' + err)
    unsigned = write(os.path.join(tmp, 'unsigned.json'), out)
    rc, signed, err = run('sign', '--key', key, unsigned, env=env)
    check(rc == 0, 'sign (eddsa-rdfc-2022): ' + err)
    rc, jwt, err = run('sign', '--key', key, '--suite', 'vc-jwt', unsigned, env=env)
    check(rc == 0 and jwt.count(b'.') == 2, 'sign (vc-jwt): ' + err)
    return (write(os.path.join(tmp, 'signed.json'), signed),
            write(os.path.join(tmp, 'signed.jwt'), jwt))


def test_round_trips(tmp, signed, jwt):
    png = write(os.path.join(tmp, 'badge.png'), make_png())
    svg = write(os.path.join(tmp, 'badge.svg'), SVG)
    for flag, img in (('--png', png), ('--svg', svg)):
        for name, cred in (('json', signed), ('jwt', jwt)):
            what = '%s %s' % (flag[2:], name)
            out = os.path.join(tmp, 'baked-%s-%s' % (name, os.path.basename(img)))
            rc, _, err = run('bake', flag, img, '--out', out, cred)
            check(rc == 0, '%s: bake: %s' % (what, err))
            rc, text, err = run('unbake', out)
            check(rc == 0 and text.strip() == read(cred).strip(),
                  '%s: unbake prints the credential as baked' % what)
            plain = os.path.join(tmp, 'unbaked-%s-%s.txt' % (name, flag[2:]))
            rc, _, err = run('unbake', '--out', plain, out)
            check(rc == 0 and read(plain) == read(cred).strip(),
                  '%s: unbake --out writes exactly the credential' % what)
            rc, vout, _ = run('verify', plain)
            check(rc == 0 and b'verdict: valid' in vout,
                  '%s: the unbaked credential verifies: %s' % (what, vout.decode()[-500:]))
            rc, info, _ = run('unbake', '--json', out)
            d = json.loads(info) if rc == 0 else {}
            form = 'json' if name == 'json' else 'jws'
            check(d.get('version') == '3.0' and d.get('form') == form and
                  d.get('hosted') is False and d.get('image') == flag[2:],
                  '%s: unbake --json describes it: %s' % (what, d))
            if flag == '--png':
                data = read(out)
                check(len(baked_chunks(data, b'openbadgecredential')) == 1,
                      '%s: one openbadgecredential chunk' % what)
                c = baked_chunks(data, b'openbadgecredential')[0]
                check(c[len(b'openbadgecredential\0'):][:4] == b'\0\0\0\0',
                      '%s: compression flag 0, no language tag or translated keyword' % what)
                check(png_chunks(data)[-2][0] == b'iTXt', '%s: the iTXt is just before IEND' % what)
            else:
                text = read(out).decode()
                check(('xmlns:openbadges="%s"' % OB3_NS) in text.split('>', 2)[1],
                      '%s: xmlns:openbadges on the <svg> tag' % what)
                check(text.count('<openbadges:credential') == 1,
                      '%s: one <openbadges:credential>' % what)
                if name == 'jwt':
                    check('verify="%s"' % read(jwt).decode().strip() in text,
                          'svg jwt: the JWS is in the verify attribute')
                else:
                    check('<openbadges:credential><![CDATA[{' in text,
                          'svg json: the JSON is in CDATA, no verify attribute')
    # standard input for the credential, standard output for the image
    rc, baked, err = run('bake', '--svg', svg, '-', stdin=read(jwt))
    check(rc == 0 and b'<openbadges:credential verify=' in baked,
          'bake from standard input to standard output: ' + err)


def test_rebake(tmp, signed, jwt):
    png = write(os.path.join(tmp, 'r.png'), make_png())
    one, two = os.path.join(tmp, 'r1.png'), os.path.join(tmp, 'r2.png')
    run('bake', '--png', png, '--out', one, signed)
    rc, _, err = run('bake', '--png', one, '--out', two, jwt)
    check(rc == 0, 're-bake: ' + err)
    data = read(two)
    check(len(baked_chunks(data, b'openbadgecredential')) == 1,
          're-baking a PNG replaces the chunk: exactly one remains')
    check([t for t, _ in png_chunks(data) if t != b'iTXt'] ==
          [t for t, _ in png_chunks(read(png))], 're-baking keeps every other chunk')
    rc, text, _ = run('unbake', two)
    check(text.strip() == read(jwt).strip(), 're-baked PNG unbakes to the new credential')
    # in place, with --force
    rc, _, err = run('bake', '--png', two, '--out', two, '--force', signed)
    check(rc == 0 and run('unbake', two)[1].strip() == read(signed).strip(),
          'bake in place with --force')
    svg1, svg2 = os.path.join(tmp, 'r1.svg'), os.path.join(tmp, 'r2.svg')
    run('bake', '--svg', write(os.path.join(tmp, 'r.svg'), SVG), '--out', svg1, signed)
    rc, _, err = run('bake', '--svg', svg1, '--out', svg2, jwt)
    text = read(svg2).decode()
    check(rc == 0 and text.count('<openbadges:credential') == 1 and 'CDATA' not in text,
          're-baking an SVG replaces the element: ' + err)
    # an OB 2.0 assertion over an OB 3.0 credential
    ob2 = os.path.join(BADGR, '2_0_assertion_embedded_badgeclass.json')
    rc, _, err = run('bake', '--png', one, '--out', os.path.join(tmp, 'r3.png'), ob2)
    data = read(os.path.join(tmp, 'r3.png'))
    check(rc == 0 and len(baked_chunks(data, b'openbadges')) == 1 and
          not baked_chunks(data, b'openbadgecredential'),
          'an OB 2.0 assertion replaces an OB 3.0 credential (iTXt openbadges, one credential)')
    rc, info, _ = run('unbake', '--json', os.path.join(tmp, 'r3.png'))
    d = json.loads(info) if rc == 0 else {}
    check(d.get('version') == '2.0' and d.get('hosted') is True and
          json.loads(d.get('credential', 'null')) == json.load(open(ob2)),
          'OB 2.0 assertion round trip (PNG), hosted: %s' % {k: d.get(k) for k in
                                                             ('version', 'hosted', 'where')})
    rc, _, err = run('bake', '--svg', svg2, '--out', os.path.join(tmp, 'r3.svg'), ob2)
    text = read(os.path.join(tmp, 'r3.svg')).decode()
    check(rc == 0 and '<openbadges:assertion verify="http://a.com/assertion-embedded1">' in text
          and 'openbadges:credential' not in text and 'xmlns:openbadges="http://openbadges.org"'
          in text, 'OB 2.0 SVG: <openbadges:assertion verify=URL> in the OB 2.0 namespace')
    rc, info, _ = run('unbake', '--json', os.path.join(tmp, 'r3.svg'))
    d = json.loads(info) if rc == 0 else {}
    check(d.get('version') == '2.0' and json.loads(d.get('credential', 'null')) ==
          json.load(open(ob2)), 'OB 2.0 assertion round trip (SVG)')


def test_badgr(tmp):
    rc, info, err = run('unbake', '--json', os.path.join(BADGR, 'baked_image.png'))
    d = json.loads(info) if rc == 0 else {}
    check(rc == 0, 'Badgr baked_image.png unbakes: ' + err)
    check(d.get('image') == 'png' and d.get('version') == '2.0' and d.get('hosted') is True and
          "iTXt 'openbadges'" in d.get('where', ''),
          'Badgr: recognised as an OB 2.0-era hosted assertion in iTXt openbadges: %s' % d)
    a = json.loads(d.get('credential', '{}'))
    check(a.get('verify') == {'type': 'hosted', 'url': 'http://a.com/instance'} and
          a == json.load(open(os.path.join(BADGR, '1_0_basic_instance.json'))),
          'Badgr: the assertion is 1_0_basic_instance.json with verify.type hosted')
    rc, _, err = run('unbake', os.path.join(BADGR, 'unbaked_image.png'))
    check(rc == 1 and 'no credential is baked in' in err,
          'Badgr unbaked_image.png: exit 1, nothing baked: ' + err)


def test_bad_images(tmp, jwt):
    good = make_png()
    cases = [
        ('truncated PNG', good[:len(good) - 30], 'truncated'),
        ('CRC mismatch', good[:-13] + bytes([good[-13] ^ 0x55]) + good[-12:], 'CRC mismatch'),
        ('bytes after IEND', good + b'trailing', 'after the IEND'),
        ('GIF', b'GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'not a PNG or SVG image'),
        ('empty', b'', 'the image is empty'),
        ('billion laughs',
         ('<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">' +
          ''.join('<!ENTITY %s "%s">' % (chr(98 + i), ('&%s;' % chr(97 + i)) * 10)
                  for i in range(9)) +
          ']><svg xmlns="http://www.w3.org/2000/svg">&j;</svg>').encode(),
         "declares the entity 'a'"),
        ('not XML', b'<svg><g></svg>', 'not well-formed XML'),
    ]
    for what, data, msg in cases:
        img = write(os.path.join(tmp, 'bad.img'), data)
        rc, out, err = run('unbake', img)
        check(rc == 1 and msg in err and err.startswith('mcred: error: '),
              '%s: unbake exit 1 naming "%s", got %d: %s' % (what, msg, rc, err.strip()))
        flag = '--svg' if data.startswith(b'<') else '--png'
        dest = os.path.join(tmp, 'never.png')
        rc, out, err = run('bake', flag, img, '--out', dest, jwt)
        check(rc == 1 and msg in err, '%s: bake exit 1: %s' % (what, err.strip()))
        check(not os.path.exists(dest), '%s: no output file is left' % what)
    # an image of the wrong type for the flag
    rc, _, err = run('bake', '--png', write(os.path.join(tmp, 'x.svg'), SVG), jwt)
    check(rc == 1 and 'png image was expected' in err, '--png with an SVG: ' + err)
    # 50 MB: refused at the cap, memory bounded (from a file, and from a pipe)
    big = os.path.join(tmp, 'big.png')
    with open(big, 'wb') as f:
        f.write(good[:33])
        f.truncate(50 << 20)
    rc, _, err = run('unbake', big)
    check(rc == 1 and 'more than the limit of 16777216' in err, '50 MB image: ' + err)
    rc, _, err = run('bake', '--png', big, jwt)
    check(rc == 1 and 'more than the limit' in err, '50 MB image, bake: ' + err)
    # ASan's shadow memory and quarantine cost more, but still far less than the image
    asan = 'asan' in os.path.basename(os.path.normpath(BUILD))
    cap = (40 if asan else 20) * 1024
    kb = peak_rss_kb(['unbake', big], os.devnull)
    check(0 < kb < cap, '50 MB image file: peak RSS %d KiB (< %d KiB)' % (kb, cap))
    cap = (100 if asan else 48) * 1024
    kb = peak_rss_kb(['unbake', '-'], big)
    check(0 < kb < cap, '50 MB image on standard input: peak RSS %d KiB (< %d KiB)' % (kb, cap))
    rc, _, err = run('unbake', '-', stdin=read(big))
    check(rc == 1 and 'larger than the limit' in err, '50 MB on standard input: ' + err)


def test_no_network(tmp, jwt):
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(8)
    srv.setblocking(False)
    port = srv.getsockname()[1]
    cases = [
        ('external entity', '<!DOCTYPE svg [<!ENTITY x SYSTEM "http://127.0.0.1:%d/x">]>'
         '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>' % port, 1, "declares the entity 'x'"),
        ('external file entity', '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', 1, "declares the entity 'x'"),
        ('external parameter entity', '<!DOCTYPE svg [<!ENTITY %% p SYSTEM '
         '"http://127.0.0.1:%d/p.dtd"> %%p;]><svg/>' % port, 1, "declares the entity 'p'"),
        ('entity from an external DTD', '<!DOCTYPE svg SYSTEM "http://127.0.0.1:%d/e.dtd">'
         '<svg xmlns="http://www.w3.org/2000/svg">&ext;</svg>' % port, 1, "'&ext;'"),
        ('external DTD, not fetched', '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
         '"http://127.0.0.1:%d/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg" '
         'xmlns:openbadges="%s"><openbadges:credential verify="%s"/></svg>'
         % (port, OB3_NS, read(jwt).decode().strip()), 0, ''),
    ]
    for what, svg, want, msg in cases:
        img = write(os.path.join(tmp, 'net.svg'), svg)
        rc, _, err = run('unbake', img)
        check(rc == want and msg in err, '%s: unbake exit %d, got %d: %s' % (what, want, rc, err))
        rc, _, err = run('bake', '--svg', img, '--out', os.path.join(tmp, 'net-out.svg'),
                         '--force', jwt)
        check(rc == want, '%s: bake exit %d, got %d: %s' % (what, want, rc, err))
    try:
        conn, _ = srv.accept()
        conn.close()
        contacted = True
    except BlockingIOError:
        contacted = False
    srv.close()
    check(not contacted, 'no SVG made mcred connect to the listener (no DTD or entity fetch)')


def test_output_files(tmp, signed, jwt):
    png = write(os.path.join(tmp, 'o.png'), make_png())
    dest = write(os.path.join(tmp, 'exists.png'), b'keep me')
    rc, _, err = run('bake', '--png', png, '--out', dest, jwt)
    check(rc == 2 and 'exists' in err and read(dest) == b'keep me',
          'bake refuses to overwrite without --force, file unchanged: ' + err)
    rc, _, err = run('bake', '--png', png, '--out', dest, '--force', jwt)
    check(rc == 0 and read(dest).startswith(b'\x89PNG'), '--force replaces it')
    bad = write(os.path.join(tmp, 'bad.json'), '{"not": "a credential"}')
    rc, _, err = run('bake', '--png', png, '--out', os.path.join(tmp, 'none.png'), bad)
    check(rc == 1 and 'neither a Verifiable Credential' in err and
          not os.path.exists(os.path.join(tmp, 'none.png')),
          'a refused credential leaves no file: ' + err)
    left = [f for f in os.listdir(tmp) if '.png.' in f or '.svg.' in f]
    check(not left, 'no temporary files are left behind: %s' % left)
    # never an image to a terminal
    master, slave = pty.openpty()
    try:
        rc, _, err = run('bake', '--png', png, jwt, stdout=slave)
    finally:
        os.close(slave)
        os.close(master)
    check(rc == 2 and 'terminal' in err, 'bake refuses to write an image to a terminal: ' + err)
    # usage errors
    rc, _, err = run('bake', jwt)
    check(rc == 2 and '--png IMG or --svg IMG' in err, 'bake without an image: exit 2')
    rc, _, err = run('bake', '--png', png, '--svg', png, jwt)
    check(rc == 2, 'bake with both --png and --svg: exit 2')
    rc, _, err = run('unbake', os.path.join(tmp, 'missing.png'))
    check(rc == 2 and 'cannot open' in err, 'unbake of a missing file: exit 2')
    for cmd in ('bake', 'unbake'):
        rc, out, _ = run(cmd, '--help')
        check(rc == 0 and out.startswith(b'usage: mcred ' + cmd.encode()), cmd + ' --help')


def verify_json(path, env=None):
    rc, out, err = run('verify', '--json', '--offline', path, env=env)
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {'raw': out.decode(errors='replace') + err}


def state_of(v, name):
    for c in v.get('checks', []):
        if c['check'] == name:
            return c['result']
    return None


def test_verify_baked(tmp, env):
    """`mcred verify` takes baked images: the credential inside is verified; an
    image that is not the achievement's own still verifies, with the mismatch
    reported (a warning, not a failure)."""
    own = make_png(6, 6)
    key = os.path.join(tmp, 'vb.key')
    run('key', 'new', '--out', key, env=env)
    did = json.loads(run('key', 'show', '--json', key)[1])['did']
    with open(os.path.join(SRC, 'tests', 'vectors', 'ob', 'achievement.json')) as f:
        ach = json.load(f)
    ach['image'] = {'id': 'data:image/png;base64,' + base64.b64encode(own).decode(),
                    'type': 'Image'}
    achf = write(os.path.join(tmp, 'ach-img.json'), json.dumps(ach))
    rc, out, err = run('credential', 'new', '--issuer', did, '--achievement', achf,
                       '--recipient', 'did:example:learner-2')
    unsigned = write(os.path.join(tmp, 'vb-unsigned.json'), out)
    rc, signed, err = run('sign', '--key', key, unsigned, env=env)
    check(rc == 0, 'sign the credential with an image: ' + err)
    cred = write(os.path.join(tmp, 'vb.json'), signed)
    rc, jwt, err = run('sign', '--key', key, '--suite', 'vc-jwt', unsigned, env=env)
    jwtf = write(os.path.join(tmp, 'vb.jwt'), jwt)
    base = write(os.path.join(tmp, 'own.png'), own)
    # baked into the achievement's own image: valid, image check passes
    out_own = os.path.join(tmp, 'own-baked.png')
    rc, _, err = run('bake', '--png', base, '--out', out_own, cred)
    check(rc == 0, 'bake into the own image: ' + err)
    rc, v = verify_json(out_own)
    check(rc == 0 and v.get('verdict') == 'valid', 'baked PNG verifies: %r' % v)
    check(state_of(v, 'baked') == 'pass' and state_of(v, 'image') == 'pass',
          'baked from the iTXt chunk, into the achievement image: %r' % v.get('checks'))
    check('baked png' in v.get('format', '').lower(), 'format names the image: %r' % v.get('format'))
    # baked into another image: still valid, the mismatch reported as a warning
    other = write(os.path.join(tmp, 'other.png'), make_png(9, 3))
    out_other = os.path.join(tmp, 'other-baked.png')
    run('bake', '--png', other, '--out', out_other, cred)
    rc, v = verify_json(out_other)
    check(rc == 0 and v.get('verdict') == 'valid' and state_of(v, 'image') == 'warn',
          'another image: valid, mismatch reported (%r)' % v.get('checks'))
    # an SVG with the VC-JWT: valid
    svg = write(os.path.join(tmp, 'b.svg'), SVG)
    out_svg = os.path.join(tmp, 'jwt-baked.svg')
    rc, _, err = run('bake', '--svg', svg, '--out', out_svg, jwtf)
    rc, v = verify_json(out_svg)
    check(rc == 0 and v.get('verdict') == 'valid' and 'svg' in v.get('format', '').lower(),
          'baked SVG with a VC-JWT verifies: %r' % v)
    # a tampered credential baked: invalid
    doc = json.loads(signed)
    doc['credentialSubject']['achievement']['name'] = 'Forged'
    forged = write(os.path.join(tmp, 'forged.json'), json.dumps(doc))
    out_forged = os.path.join(tmp, 'forged.png')
    run('bake', '--png', base, '--out', out_forged, forged)
    rc, v = verify_json(out_forged)
    check(rc == 1 and v.get('verdict') == 'invalid', 'a tampered baked credential: invalid')
    # an image with nothing baked in: exit 1, the reason given
    rc, v = verify_json(base)
    check(rc == 1 and state_of(v, 'format') == 'fail', 'an image with no credential: %r' % v)


def main():
    have_data = os.path.isfile(os.path.join(DATA, 'SOURCES.md'))
    tmp = tempfile.mkdtemp(prefix='mcred-bake-')
    try:
        opk = write(os.path.join(tmp, 'operator.key'), '22' * 32)
        env = {'MCRED_KEY_FILE': opk}
        signed, jwt = make_credentials(tmp, env)
        test_round_trips(tmp, signed, jwt)
        test_rebake(tmp, signed, jwt)
        if have_data:
            test_badgr(tmp)
        else:
            print('skip: ../shared/data is absent (MCRED_SHARED_DATA=%s); the Badgr image '
                  'cases are not run' % DATA)
        test_verify_baked(tmp, env)
        test_bad_images(tmp, jwt)
        test_no_network(tmp, jwt)
        test_output_files(tmp, signed, jwt)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
