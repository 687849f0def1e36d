#!/usr/bin/env python3
# test_wallet_pages.py - end-to-end tests of the learner's wallet pages of
# `mcred serve` (issue 7): /me/wallet lists what the learner holds and was
# issued; /me/wallet/import takes a baked PNG (made here with `mcred bake`)
# as multipart/form-data and shows the verdict, refuses a truncated PNG with
# a clear error on the page and a form without the session's CSRF token;
# the share page turns an item's link on and off (CSRF-protected), and the
# public badge page, its live verification and its QR code (an SVG whose
# one path is drawn on the symbol's grid) work logged out, and stop when the
# link is off; another learner's item is 404; `mcred share --qr` writes the
# link's QR code. One wallet: a credential put through the OB 3.0 API shows
# in `mcred wallet list`, and one imported with `mcred wallet import` is
# returned by the OB 3.0 API; migration 0011 moves an older store's OB 3.0
# API wallet rows into the learners' wallets.
# On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import json, os, re, sqlite3, struct, subprocess, sys, urllib.parse, uuid, zlib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import ACHIEVEMENT, Deployment, Server, check, report, run  # noqa: E402

HTML = {'Accept': 'text/html,application/xhtml+xml,*/*;q=0.8'}
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}
OB = '/ims/ob/v3p0/credentials'


def png(width=4, height=4):
    """A small RGB PNG (RFC 2083): signature, IHDR, one IDAT, IEND."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    raw = b''.join(b'\x00' + b'\x80\x40\x20' * width for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def multipart(fields, files):
    """A multipart/form-data body (RFC 7578) and its Content-Type."""
    b = '----mcred' + uuid.uuid4().hex
    out = b''
    for k, v in fields.items():
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                % (b, k, v)).encode()
    for k, (name, data, ctype) in files.items():
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                'Content-Type: %s\r\n\r\n' % (b, k, name, ctype)).encode() + data + b'\r\n'
    out += ('--%s--\r\n' % b).encode()
    return out, 'multipart/form-data; boundary=' + b


def cookies_of(r):
    out = {}
    for k, v in r.headers:
        if k.lower() == 'set-cookie':
            name, _, rest = v.partition('=')
            out[name] = rest.split(';')[0]
    return out


def hidden(body, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), body)
    return m.group(1) if m else None


def login(s, email, token):
    """A web session: its cookie header and CSRF token."""
    r = s.request('GET', '/login', headers=HTML)
    lc = cookies_of(r).get('mcred_login', '')
    csrf = hidden(r.text, 'csrf_token')
    r = s.request('POST', '/login', urllib.parse.urlencode(
        {'csrf_token': csrf, 'email': email, 'token': token}),
        headers=dict(FORM, Cookie='mcred_login=' + lc))
    sid = cookies_of(r).get('mcred_session')
    check(r.status == 303 and sid, 'login as %s: %d' % (email, r.status))
    jar = {'Cookie': 'mcred_session=%s' % sid}
    r = s.request('GET', '/me/wallet', headers=dict(HTML, **jar))
    return jar, hidden(r.text, 'csrf_token')


def qr_modules(svg):
    """Parse the QR SVG: (viewBox side, dark modules drawn) or None."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return None
    paths = [e for e in root.iter() if e.tag.endswith('path')]
    vb = (root.get('viewBox') or '').split()
    if len(paths) != 1 or len(vb) != 4:
        return None
    runs = re.findall(r'M(\d+) (\d+)h(\d+)v1h-(\d+)z', paths[0].get('d', ''))
    if ''.join('M%s %sh%sv1h-%sz' % r for r in runs) != paths[0].get('d'):
        return None
    return int(vb[2]), sum(int(r[2]) for r in runs)


def run_backend(dep):
    org = dep.org('wp', n_learners=1, n_creds=1)
    me = 'learner@%s.example' % org.name
    org.mcred('learner', 'add', '--name', 'Lea Learner', '--email', me)
    # a second learner user, with a wallet item of their own
    other = 'other@%s.example' % org.name
    _, out, _ = org.mcred('user', 'add', '--email', other, '--role', 'learner')
    _, other_tok, _ = org.mcred('token', 'create', '--user', out.strip())
    org.mcred('learner', 'add', '--name', 'Olga Other', '--email', other)
    # credentials: one issued to me and baked into a PNG, one for the other learner
    _, out, _ = org.mcred('issue', '--achievement', org.achievement, '--recipient', me)
    mine_id = out.strip().split()[-1]
    cred = os.path.join(dep.tmp, 'mine-%s.json' % uuid.uuid4().hex[:6])
    org.mcred('credential', 'export', '--out', cred, mine_id)
    img = os.path.join(dep.tmp, 'plain-%s.png' % uuid.uuid4().hex[:6])
    with open(img, 'wb') as f:
        f.write(png())
    baked = img + '.baked.png'
    org.mcred('bake', '--png', img, '--out', baked, cred)
    with open(baked, 'rb') as f:
        baked_png = f.read()
    check(baked_png.startswith(b'\x89PNG') and b'openbadgecredential' in baked_png,
          'mcred bake made a PNG with the credential')
    _, paste_doc, _ = org.mcred('credential', 'export', org.credentials[0])   # learner0's
    # mcred share --qr: the link's QR code as SVG
    qr_file = os.path.join(dep.tmp, 'qr-%s.svg' % uuid.uuid4().hex[:6])
    _, out, _ = org.mcred('share', '--qr', qr_file, mine_id)
    with open(qr_file, 'rb') as f:
        parsed = qr_modules(f.read())
    check(out.strip().startswith(dep.public_url + '/badges/') and parsed and
          (parsed[0] - 8) in range(21, 178, 4), 'mcred share --qr writes the QR code of the '
          'link: %r' % (parsed,))
    _, out, _ = org.mcred('share', '--qr', '-', mine_id)
    check(qr_modules(out.encode()) == parsed, 'mcred share --qr - prints the same SVG')
    org.mcred('share', '--off', '--qr', qr_file, mine_id, ok=(2,))
    org.mcred('share', '--off', mine_id)
    _, out, _ = org.mcred('issue', '--achievement', org.achievement, '--recipient', other)
    other_cred = os.path.join(dep.tmp, 'other-%s.json' % uuid.uuid4().hex[:6])
    org.mcred('credential', 'export', '--out', other_cred, out.strip().split()[-1])
    _, out, _ = org.mcred('wallet', 'import', '--json', '--learner', other, other_cred)
    other_item = json.loads(out)[0]['item']

    # a VC-JWT of another issuer (its own key) for me, to paste into the wallet
    key = os.path.join(dep.tmp, 'jwt-%s.key' % uuid.uuid4().hex[:6])
    org.mcred('key', 'new', '--out', key)
    jdid = json.loads(org.mcred('key', 'show', '--json', key)[1] or '{}').get('did', '')
    _, unsigned, _ = org.mcred('credential', 'new', '--issuer', jdid, '--issuer-name',
                               'Elsewhere College', '--achievement', ACHIEVEMENT,
                               '--recipient', 'did:example:lea')   # a VC-JWT's sub
    upath = os.path.join(dep.tmp, 'jwt-%s.json' % uuid.uuid4().hex[:6])
    with open(upath, 'w') as f:
        f.write(unsigned)
    _, vc_jwt, _ = org.mcred('sign', '--suite', 'vc-jwt', '--key', key, upath)
    # a stack over the badge's achievement, defined after it was issued: the
    # page import below is the event that completes it, and the server issues
    # its credential at once (it can sign for the organisation)
    with open(ACHIEVEMENT) as f:
        comp = json.load(f)['id']
    sdef = os.path.join(dep.tmp, 'stack-%s.json' % uuid.uuid4().hex[:6])
    with open(sdef, 'w') as f:
        json.dump({'achievement': {'id': 'https://wp.example/%s/S' % dep.tag,
                                   'type': ['Achievement'], 'name': 'Wallet stack',
                                   'description': 'S', 'criteria': {'narrative': 'S'}},
                   'rule': {'allOf': [{'achievement': comp}]}}, f)
    _, out, _ = org.mcred('stack', 'create', sdef)
    stack_id = out.split()[1].rstrip(':') if out.startswith('stack ') else '0'

    with Server(org, '--rate', '0') as s:
        r = s.request('GET', '/me/wallet', headers=HTML)
        check(r.status == 303 and r.header('Location') == '/login', 'signed out: /me/wallet '
              'sends to the sign-in page (%d)' % r.status)
        jar, csrf = login(s, me, org.tokens['learner'])
        check(bool(csrf), 'the wallet page carries the CSRF token')

        # import: CSRF, a truncated PNG, then the baked PNG
        body, ct = multipart({'csrf_token': 'A' * 43},
                             {'file': ('badge.png', baked_png, 'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        check(r.status == 403, 'import with a wrong CSRF token: 403 (%d)' % r.status)
        body, ct = multipart({}, {'file': ('badge.png', baked_png, 'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        check(r.status == 403, 'import without a CSRF token: 403 (%d)' % r.status)
        body, ct = multipart({}, {'file': ('badge.png', baked_png, 'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar, **{
            'Content-Type': ct, 'X-CSRF-Token': 'D' * 43}))
        check(r.status == 403, 'import with a wrong X-CSRF-Token header: 403 (%d)' % r.status)
        body, ct = multipart({'csrf_token': csrf},
                             {'file': ('badge.png', baked_png[:len(baked_png) // 2],
                                       'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        err = re.search(r'id="import-error"[^>]*>([^<]*)<', r.text)
        check(r.status == 400 and err and 'Nothing was imported' in err.group(1) and
              'png' in err.group(1).lower(), 'a truncated PNG: 400 and the reason on the '
              'page: %d %r' % (r.status, err.group(1) if err else r.text[:300]))
        body, ct = multipart({'csrf_token': csrf},
                             {'file': ('badge.png', baked_png, 'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        m = re.search(r'id="import-result" data-verdict="([^"]*)"', r.text)
        share = re.search(r'href="/me/wallet/(\d+)/share"', r.text)
        check(r.status == 201 and m and m.group(1) == 'valid' and share,
              'the baked PNG imports, verdict valid: %d %s' % (r.status, m and m.group(1)))
        item = share.group(1) if share else '0'
        _, out, _ = org.mcred('stack', 'progress', '--learner', me, '--stack', stack_id,
                              '--json')
        aw = ((json.loads(out or '{}').get('stacks') or [{}])[0].get('award') or {})
        check(aw.get('state') == 'issued', 'the import completed a stack and the server '
              'issued its credential at once: %r' % aw)
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        check(r.status == 200 and 'Already in your wallet' in r.text, 'the same again: '
              'recognised as held (%d)' % r.status)
        body, ct = multipart({}, {'file': ('badge.png', baked_png, 'image/png')})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar, **{
            'Content-Type': ct, 'X-CSRF-Token': csrf}))
        check(r.status == 200 and 'Already in your wallet' in r.text, 'the token in the '
              'X-CSRF-Token header instead (a script posting the form): %d' % r.status)
        # pasted text; the file part's headers in the other order; a URL refused
        body, ct = multipart({'csrf_token': csrf, 'text': paste_doc, 'url': ''}, {})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        m = re.search(r'id="import-result" data-verdict="([^"]*)"', r.text)
        check(r.status == 201 and m and m.group(1) == 'valid', 'pasted JSON imports: %d %s'
              % (r.status, m and m.group(1)))
        body, ct = multipart({'csrf_token': csrf}, {'file': ('badge.png', baked_png, 'image/png')})
        body = body.replace(b'form-data; name="file"; filename="badge.png"',
                            b'form-data; filename="badge.png"; name="file"')
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        check(r.status == 200 and 'Already in your wallet' in r.text, 'filename before name '
              'in the part header: the same file (%d)' % r.status)
        # a URL is kept with its verdict, like every import: one that cannot be
        # fetched (a private address) is indeterminate, and the page says why
        body, ct = multipart({'csrf_token': csrf, 'url': 'http://127.0.0.1:9/cred.json'}, {})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        m = re.search(r'id="import-result" data-verdict="([^"]*)"', r.text)
        why = re.search(r'<li class="check-unknown"><strong>format</strong>: unknown '
                        r'\((could not fetch [^<]*)\)</li>', r.text)
        check(r.status == 201 and m and m.group(1) == 'indeterminate' and why,
              'a URL that cannot be fetched: kept as indeterminate, the reason on the page: '
              '%d %s %r' % (r.status, m and m.group(1), why and why.group(1)))
        url_item = re.search(r'href="/me/wallet/(\d+)/share"', r.text)
        url_item = url_item.group(1) if url_item else '0'
        r = s.request('POST', '/me/wallet/%s/share' % url_item, urllib.parse.urlencode(
            {'csrf_token': csrf, 'enabled': '1'}), headers=dict(FORM, **jar))
        check(r.status == 400 and 'cannot have a public badge page' in r.text, 'a URL item has '
              'no badge page to share: 400 (%d %s)' % (r.status, r.text[:200]))
        r = s.request('GET', '/me/wallet/%s/share' % url_item, headers=dict(HTML, **jar))
        check(r.status == 200 and 'id="share-form"' not in r.text, 'and its share page says so')
        # a VC-JWT (another issuer's key) pasted in: shared, its public page renders the
        # credential inside and verifies it live; machines get the JWT as it was signed
        body, ct = multipart({'csrf_token': csrf, 'text': vc_jwt}, {})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        m = re.search(r'id="import-result" data-verdict="([^"]*)"', r.text)
        jwt_item = re.search(r'href="/me/wallet/(\d+)/share"', r.text)
        check(r.status == 201 and m and m.group(1) == 'valid' and jwt_item,
              'a VC-JWT imports, valid: %d %s' % (r.status, m and m.group(1)))
        jwt_item = jwt_item.group(1) if jwt_item else '0'
        r = s.request('POST', '/me/wallet/%s/share' % jwt_item, urllib.parse.urlencode(
            {'csrf_token': csrf, 'enabled': '1'}), headers=dict(FORM, **jar))
        check(r.status == 303, 'the VC-JWT is shared: %d %s' % (r.status, r.text[:200]))
        r = s.request('GET', '/me/wallet/%s/share' % jwt_item, headers=dict(HTML, **jar))
        jurl = re.search(r'id="share-url" type="text" readonly value="([^"]*)"', r.text)
        jsid = jurl.group(1).rsplit('/', 1)[-1] if jurl else 'x'
        r = s.request('GET', '/badges/%s' % jsid, headers=HTML)
        check(r.status == 200 and 'C Programming 101' in r.text,
              "the VC-JWT's public page, logged out: %d" % r.status)
        r = s.request('GET', '/badges/%s/verify' % jsid)
        check(r.status == 200 and (r.json() or {}).get('verdict') == 'valid' and
              (r.json() or {}).get('format') == 'vc-jwt',
              'the VC-JWT verified live: %s' % r.text[:200])
        r = s.request('GET', '/badges/%s' % jsid, headers={'Accept': 'application/json'})
        check(r.status == 200 and r.header('Content-Type') == 'application/vc+jwt' and
              r.text.strip() == vc_jwt.strip(), 'machines get the JWT as signed: %d %s' %
              (r.status, r.header('Content-Type')))
        body, ct = multipart({'csrf_token': csrf}, {})
        r = s.request('POST', '/me/wallet/import', body, headers=dict(HTML, **jar,
                                                                    **{'Content-Type': ct}))
        check(r.status == 400 and 'id="import-error"' in r.text, 'an empty form: 400 (%d)'
              % r.status)
        r = s.request('GET', '/me/wallet', headers=dict(HTML, **jar))
        check(r.status == 200 and 'data-item="%s"' % item in r.text and
              'C Programming 101' in r.text and '(paste)' in r.text, '/me/wallet lists the items')

        # another learner's item: 404 (page and form), and bad ids
        for path in ('/me/wallet/%d/share' % other_item, '/me/wallet/999999/share',
                     '/me/wallet/x1/share'):
            r = s.request('GET', path, headers=dict(HTML, **jar))
            check(r.status == 404, 'GET %s: 404 (%d)' % (path, r.status))
        r = s.request('POST', '/me/wallet/%d/share' % other_item,
                      urllib.parse.urlencode({'csrf_token': csrf, 'enabled': '1'}),
                      headers=dict(FORM, **jar))
        check(r.status == 404, "sharing another learner's item: 404 (%d)" % r.status)

        # share: CSRF, on, public page logged out, QR, off
        path = '/me/wallet/%s/share' % item
        r = s.request('POST', path, urllib.parse.urlencode({'csrf_token': 'B' * 43,
                                                            'enabled': '1'}),
                      headers=dict(FORM, **jar))
        check(r.status == 403, 'share with a wrong CSRF token: 403 (%d)' % r.status)
        r = s.request('POST', path, urllib.parse.urlencode({'enabled': '1'}),
                      headers=dict(FORM, **jar))
        check(r.status == 403, 'share without a CSRF token: 403 (%d)' % r.status)
        r = s.request('POST', path, urllib.parse.urlencode({'csrf_token': csrf, 'enabled': '1'}),
                      headers=dict(FORM, **jar))
        check(r.status == 303 and r.header('Location') == path, 'share on: 303 (%d)' % r.status)
        r = s.request('GET', path, headers=dict(HTML, **jar))
        url = re.search(r'id="public-link" href="([^"]*)"', r.text)
        qr = re.search(r'id="qr" src="([^"]*)"', r.text)
        check(r.status == 200 and url and qr and 'linkedin.com/profile/add' in r.text and
              '&lt;a href=' in r.text, 'the share page: link, QR, LinkedIn, embed snippet')
        sid = url.group(1).rsplit('/', 1)[-1] if url else 'x'
        r = s.request('GET', '/badges/%s' % sid, headers=HTML)
        check(r.status == 200 and 'C Programming 101' in r.text, 'the public page, logged '
              'out: %d' % r.status)
        r = s.request('GET', '/badges/%s/verify' % sid)
        check(r.status == 200 and (r.json() or {}).get('verdict') == 'valid',
              'verified live: %s' % r.text[:200])
        r = s.request('GET', qr.group(1) if qr else '/badges/x/qr.svg')
        parsed = qr_modules(r.body) if r.status == 200 else None
        check(r.status == 200 and r.header('Content-Type') == 'image/svg+xml' and parsed and
              (parsed[0] - 8) in range(21, 178, 4) and parsed[1] > 0,
              'the QR code is an SVG of one path on a QR grid: %d %r' % (r.status, parsed))
        r = s.request('POST', path, urllib.parse.urlencode({'csrf_token': csrf, 'enabled': '0'}),
                      headers=dict(FORM, **jar))
        check(r.status == 303, 'share off: 303 (%d)' % r.status)
        for p in ('/badges/%s' % sid, '/badges/%s/verify' % sid, '/badges/%s/qr.svg' % sid):
            r = s.request('GET', p, headers=HTML)
            check(r.status == 404, '%s after sharing stopped: 404 (%d)' % (p, r.status))

        # the present form lists the items
        r = s.request('GET', '/me/wallet/present', headers=dict(HTML, **jar))
        check(r.status == 200 and 'name="item" value="%s"' % item in r.text,
              'the presentation form lists the item')
        r = s.request('POST', '/me/wallet/present', urllib.parse.urlencode(
            {'item': str(other_item), 'challenge': 'c1', 'csrf_token': csrf}),
            headers=dict(FORM, **jar))
        check(r.status == 404, "a presentation of another learner's item: 404 (%d)" % r.status)
        r = s.request('POST', '/me/wallet/present', urllib.parse.urlencode(
            {'item': item, 'challenge': 'c1', 'csrf_token': 'C' * 43}), headers=dict(FORM, **jar))
        check(r.status == 403, 'a presentation with a wrong CSRF token: 403 (%d)' % r.status)
        r = s.request('POST', '/me/wallet/present', urllib.parse.urlencode(
            {'item': item, 'csrf_token': csrf}), headers=dict(FORM, **jar))
        check(r.status == 400 and 'challenge' in r.text, 'a presentation without a challenge: '
              '400 (%d)' % r.status)
        # my item: a presentation signed with my holder key, to download; it
        # verifies with its challenge and domain, and not with another challenge
        r = s.request('POST', '/me/wallet/present', urllib.parse.urlencode(
            {'item': item, 'challenge': 'c1', 'domain': 'v.example', 'csrf_token': csrf}),
            headers=dict(FORM, **jar))
        vp = r.json() if r.status == 200 else None
        check(vp is not None and 'VerifiablePresentation' in vp.get('type', []) and
              'proof' in vp and 'attachment' in (r.header('Content-Disposition') or ''),
              'a presentation of my item: a signed VerifiablePresentation (%d %s)' %
              (r.status, r.text[:200]))
        if vp is not None:
            body = json.dumps({'verifiablePresentation': vp,
                               'options': {'challenge': 'c1', 'domain': 'v.example'}})
            r = s.request('POST', '/presentations/verify', body,
                          headers={'Content-Type': 'application/json'})
            # the holder's proof verifies; the item (issued to an e-mail address,
            # no subject id) is not bound to the holder, and the verifier says so
            errs = (r.json() or {}).get('errors', [])
            check('proof' in (r.json() or {}).get('checks', []) and
                  not [e for e in errs if e.startswith('presentation: proof')] and
                  [e for e in errs if e.startswith('presentation: holder')],
                  "the holder's proof verifies with its challenge; the binding is reported: "
                  '%s' % r.text[:300])
            body = json.dumps({'verifiablePresentation': vp,
                               'options': {'challenge': 'c2', 'domain': 'v.example'}})
            r = s.request('POST', '/presentations/verify', body,
                          headers={'Content-Type': 'application/json'})
            errs = (r.json() or {}).get('errors', [])
            check(r.status == 400 and [e for e in errs if e.startswith('presentation: proof') and
                                       'challenge' in e],
                  'another challenge fails the proof: %d %s' % (r.status, errs))

        # one wallet: OB 3.0 API -> mcred wallet list
        with open(other_cred) as f:
            other_doc = f.read().strip()
        other_id = json.loads(other_doc)['id']
        r = s.request('POST', OB, other_doc, headers={'Content-Type': 'application/json'},
                      token=org.tokens['learner'])
        check(r.status == 201, 'OB API upsert: 201 (%d %s)' % (r.status, r.text[:200]))
        _, out, _ = org.mcred('wallet', 'list', '--json', '--learner', me)
        held = json.loads(out or '[]')
        check(any(i.get('id') == other_id and i.get('source') == 'obapi' for i in held),
              'the credential put through the OB API is in `mcred wallet list`')
        r = s.request('POST', OB, other_doc, headers={'Content-Type': 'application/json'},
                      token=org.tokens['learner'])
        check(r.status == 200, 'OB API upsert again: 200, replaced (%d)' % r.status)
        _, out, _ = org.mcred('wallet', 'list', '--json', '--learner', me)
        check(len(json.loads(out or '[]')) == len(held), 'and still one item for it')
        # mcred wallet import -> OB 3.0 API
        r = s.request('GET', OB + '?limit=100', token=other_tok.strip())
        ids = [c.get('id') for c in (r.json() or {}).get('credential', [])]
        check(r.status == 200 and other_id in ids, 'what `mcred wallet import` put is in the '
              "OB API's getCredentials: %r" % ids)
        r = s.request('GET', OB + '?limit=100', token=org.tokens['learner'])
        ids = [c.get('id') for c in (r.json() or {}).get('credential', [])]
        check(mine_id in ids and other_id in ids and len(ids) == len(set(ids)),
              'the learner\'s OB API wallet: the imported PNG\'s credential once, and the '
              'one put: %r' % ids)
    return other_cred


class OldStore:
    """A store made by the migrations before 0011 (SQLite file, or a fresh
    PostgreSQL database next to MCRED_TEST_PG through psql)."""

    def __init__(self, dep, backend):
        self.backend = backend
        self.sql_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                    'lib', 'store', 'sql', backend)
        if backend == 'sqlite':
            path = os.path.join(dep.tmp, 'old-%s.db' % uuid.uuid4().hex[:6])
            self.dsn = 'sqlite:' + path
            self.db = sqlite3.connect(path)
            self.db.execute('PRAGMA foreign_keys = ON')
        else:
            name = 'mig_%s' % uuid.uuid4().hex[:8]
            base = os.environ['MCRED_TEST_PG']
            self.psql(base, 'CREATE DATABASE %s' % name)
            self.dsn = re.sub(r'/[^/?]+\?', '/%s?' % name, base, count=1)
        self.execute('CREATE TABLE mc_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, '
                     'applied BIGINT NOT NULL)')

    @staticmethod
    def psql(dsn, sql):
        p = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', dsn],
                           input=sql, capture_output=True, text=True)
        check(p.returncode == 0, 'psql: %s' % p.stderr[-500:])
        return p.stdout

    def execute(self, sql):
        if self.backend == 'sqlite':
            self.db.executescript(sql)
            self.db.commit()
            return None
        return self.psql(self.dsn, sql)

    def value(self, sql):
        if self.backend == 'sqlite':
            row = self.db.execute(sql).fetchone()
            return None if row is None else str(row[0])
        return self.psql(self.dsn, sql).strip()

    def migrate_to(self, last):
        for name in sorted(os.listdir(self.sql_dir)):
            m = re.match(r'(\d{4})_\w+\.sql$', name)
            if not m or int(m.group(1)) > last:
                continue
            with open(os.path.join(self.sql_dir, name)) as f:
                self.execute(f.read())
            self.execute("INSERT INTO mc_schema VALUES (%d, '%s', 0)" % (int(m.group(1)),
                                                                         name[:-4]))


def lit(s):
    """A SQL string literal (quotes doubled; both backends use standard strings)."""
    return "'" + s.replace("'", "''") + "'"


def migration(dep, backend, cred_file):
    """Migration 0011 on a store made before it: a user's OB API wallet rows
    move into the wallet of the learner with the user's address (made for a
    user without one), as they were sent."""
    old = OldStore(dep, backend)
    old.migrate_to(10)
    with open(cred_file) as f:
        doc = f.read().strip()
    cid = json.loads(doc)['id']
    old.execute("INSERT INTO orgs (name, created) VALUES ('mig-old', 0)")
    org = old.value("SELECT org_id FROM orgs WHERE name = 'mig-old'")
    users = ('held@mig.example', 'new@mig.example')
    for n, email in enumerate(users):
        old.execute("INSERT INTO users (org_id, email, role, created) VALUES (%s, %s, 'learner', "
                    "0)" % (org, lit(email)))
        uid = old.value('SELECT id FROM users WHERE email = %s' % lit(email))
        if n == 0:
            old.execute("INSERT INTO learners (org_id, name, email, created) VALUES (%s, 'Held', "
                        "%s, 0)" % (org, lit(email)))
        old.execute("INSERT INTO ob_wallet (org_id, user_id, issuer_key, cred_key, format, doc, "
                    "issued, created, updated) VALUES (%s, %s, 'did:key:x', %s, 'json', %s, 1, "
                    "1, 1)" % (org, uid, lit(cid), lit(doc)))
    home = os.path.join(dep.tmp, 'home-mig-%s' % uuid.uuid4().hex[:6])
    run('init', '--db', old.dsn, '--org', 'mig-new', '--issuer-name', 'Mig',
        '--public-url', dep.public_url, env=dict(dep.env, MCRED_HOME=home))
    version = old.value('SELECT MAX(version) FROM mc_schema')
    check(int(version or 0) >= 11, '%s: the old store migrated (version %s)' % (backend, version))
    for email in users:
        where = ("FROM wallet_items w JOIN learners l ON l.org_id = w.org_id AND "
                 "l.id = w.learner_id WHERE l.org_id = %s AND l.email = %s" % (org, lit(email)))
        n = old.value('SELECT COUNT(*) ' + where)
        got = old.value("SELECT w.cred_id || ' ' || w.source || ' ' || "
                        "CAST(w.doc = %s AS TEXT) %s" % (lit(doc), where))
        check(n == '1' and got in ('%s obapi 1' % cid, '%s obapi true' % cid),
              "%s migration 0011: the OB API wallet of %s is in its learner's wallet, as "
              'sent: %s %r' % (backend, email, n, got))
    left = old.value('SELECT COUNT(*) FROM ob_wallet')
    check(left == '0', '%s migration 0011: nothing is left in the old table (%s)' % (backend,
                                                                                   left))


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        print('--- %s' % backend, flush=True)
        dep = Deployment(backend)
        cred = run_backend(dep)
        if cred:
            migration(dep, backend, cred)
    report()


if __name__ == '__main__':
    main()
