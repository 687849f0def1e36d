#!/usr/bin/env python3
# test_pages.py - end-to-end tests of the pages and public documents of
# `mcred serve`: did:web DID documents (equal to the CLI's did.json, before
# and after a key rotation), status list credentials served at the URLs in
# the credentials and verifying (the CLI's verifier fetches them over HTTP
# from the server), achievement pages (JSON or HTML by Accept), badge pages
# (HTML or the signed credential by Accept) that answer 404 until the learner
# shares them and again after, the org's sharing default and home page
# showcase, badge content with HTML in it rendered inert, the verifier's
# endpoint, static files, security headers, web sessions (login, logout) and
# CSRF refusals. On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import base64, copy, html.parser, json, os, re, socket, subprocess, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import ACHIEVEMENT, Deployment, Server, check, report, run  # noqa: E402

EVIL_NAME = '<script>alert(1)</script>'
EVIL_ATTR = '"><img src=x onerror=alert(1)>'
HTML = {'Accept': 'text/html,application/xhtml+xml,*/*;q=0.8'}
JSON = {'Accept': 'application/json'}


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, to check what a page would run."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def inert(body, what):
    """No script but ours, no event handler attribute, no javascript: URL,
    and the hostile strings only in escaped form."""
    p = Tags()
    p.feed(body)
    scripts = [a.get('src', '') for t, a in p.tags if t == 'script']
    check(all(s.startswith('/static/pages.js') for s in scripts), '%s: only our script: %r'
          % (what, scripts))
    handlers = [(t, k) for t, a in p.tags for k in a if k.lower().startswith('on')]
    check(not handlers, '%s: no event handler attributes: %r' % (what, handlers))
    urls = [v for t, a in p.tags for k, v in a.items() if k in ('href', 'src') and v]
    check(not any(u.strip().lower().startswith('javascript:') for u in urls),
          '%s: no javascript: URL' % what)
    check(EVIL_NAME not in body and '<img src=x' not in body, '%s: raw markup absent' % what)
    check('&lt;script&gt;alert(1)&lt;/script&gt;' in body, '%s: the name shown escaped' % what)


def security_headers(r, what):
    csp = r.header('Content-Security-Policy') or ''
    check("script-src 'self'" in csp and "style-src 'self'" in csp and
          'unsafe-inline' not in csp, '%s: CSP %r' % (what, csp))
    check(r.header('X-Content-Type-Options') == 'nosniff', '%s: nosniff' % what)
    check(r.header('X-Frame-Options') == 'DENY', '%s: X-Frame-Options' % what)
    check(r.header('Referrer-Policy'), '%s: Referrer-Policy' % what)


def write_json(dep, name, obj):
    path = os.path.join(dep.tmp, name)
    with open(path, 'w') as f:
        json.dump(obj, f)
    return path


def achievement_files(dep):
    """A plain achievement hosted here, and one whose every text is hostile."""
    with open(ACHIEVEMENT) as f:
        base = json.load(f)
    plain = copy.deepcopy(base)
    plain['id'] = '%s/achievements/c101-%s' % (dep.public_url, dep.tag)
    evil = copy.deepcopy(base)
    evil['id'] = '%s/achievements/evil-%s' % (dep.public_url, dep.tag)
    evil['name'] = EVIL_NAME
    evil['description'] = EVIL_ATTR
    evil['criteria'] = {'id': 'javascript:alert(1)', 'narrative': EVIL_ATTR}
    evil['image'] = {'id': 'javascript:alert(1)', 'type': 'Image'}
    evil['tag'] = [EVIL_NAME, EVIL_ATTR]
    evil['alignment'][0]['targetName'] = EVIL_ATTR
    evil['alignment'][0]['targetUrl'] = 'javascript:alert(1)'
    evil['alignment'][0]['targetFramework'] = EVIL_NAME
    return write_json(dep, 'plain.json', plain), write_json(dep, 'evil.json', evil), plain


def issue(org, ach_row, email):
    rc, out, _ = org.mcred('issue', '--achievement', ach_row, '--recipient', email)
    return out.strip().split()[-1] if out.strip() else None


def setup(dep):
    org = dep.org('pages', n_learners=1, n_creds=1)
    learner_email = 'learner@%s.example' % org.name    # the learner user's own e-mail
    org.mcred('learner', 'add', '--name', 'Lea Learner', '--email', learner_email)
    plain_file, evil_file, plain = achievement_files(dep)
    _, out, _ = org.mcred('achievement', 'create', plain_file)
    plain_row = out.split()[0]
    _, out, _ = org.mcred('achievement', 'create', evil_file)
    evil_row = out.split()[0]
    creds = {
        'plain': issue(org, plain_row, learner_email),
        'evil': issue(org, evil_row, learner_email),
        'other': org.credentials[0],          # issued to learner0, not to the learner user
    }
    check(all(creds.values()), 'credentials issued: %r' % creds)
    return org, creds, plain


def quote(cid):
    return urllib.parse.quote(cid, safe='')


# --- public documents ------------------------------------------------------------------

def did_web(dep, s):
    """Issuers whose DID is a did:web of this host: the server serves the same
    document the CLI writes to MCRED_HOME/did.json, all keys after a rotation."""
    host = urllib.parse.urlsplit(dep.public_url).netloc.replace(':', '%3A')
    for label, arg, path in (('dwpath', '%s/issuers/%s' % (host, dep.tag),
                              '/issuers/%s/did.json' % dep.tag),
                             ('dwhost', host, '/.well-known/did.json')):
        org = dep.orgs.get(label)
        if not org:
            org = type(dep.orgs['pages'])(dep, '%s-%s' % (label, dep.tag))
            org.mcred('init', '--db', dep.dsn, '--org', org.name, '--issuer-name',
                      label + ' Institute', '--public-url', dep.public_url, '--did-web', arg)
            dep.orgs[label] = org
        with open(os.path.join(org.home, 'did.json')) as f:
            want = json.load(f)
        r = s.request('GET', path)
        check(r.status == 200 and r.json() == want, '%s: did.json served as the CLI wrote it: '
              '%d %r' % (path, r.status, r.body[:300]))
        check((r.header('Content-Type') or '').startswith('application/did+json'),
              '%s: content type %s' % (path, r.header('Content-Type')))
        check(r.header('Access-Control-Allow-Origin') == '*', '%s: readable cross-origin' % path)
        if label == 'dwpath':
            org.mcred('key', 'rotate')
            with open(os.path.join(org.home, 'did.json')) as f:
                want = json.load(f)
            r = s.request('GET', path)
            vms = (r.json() or {}).get('verificationMethod', [])
            check(r.status == 200 and r.json() == want and len(vms) == 2,
                  '%s: after rotation, both keys: %d %d' % (path, r.status, len(vms)))
    for path in ('/issuers/nobody-%s/did.json' % dep.tag, '/a/b/c/did.json', '/did.json',
                 '/issuers/%2e%2e/did.json'):
        r = s.request('GET', path)
        check(r.status == 404, '%s: 404 (%d)' % (path, r.status))


def status_lists(dep, org, s, creds):
    """The status lists named in a credential are served at their URLs, signed;
    the CLI's verifier fetches them from the server over HTTP and verifies
    them; a revocation shows in the served list."""
    _, out, _ = org.mcred('credential', 'export', creds['plain'])
    doc = json.loads(out)
    status = doc.get('credentialStatus') or []
    status = status if isinstance(status, list) else [status]
    urls = sorted({e['statusListCredential'] for e in status})
    check(len(urls) == 1, 'one status list (revocation; suspension is off by default): %r' %
          urls)
    for url in urls:
        path = urllib.parse.urlsplit(url).path
        r = s.request('GET', path)
        body = r.json() or {}
        check(r.status == 200 and body.get('id') == url and 'proof' in body and
              'BitstringStatusListCredential' in body.get('type', []),
              'status list %s served: %d' % (path, r.status))
        check(r.header('Access-Control-Allow-Origin') == '*', '%s: readable cross-origin' % path)
        v = s.request('POST', '/verify/check', {'input': r.text}).json() or {}
        check(v.get('verdict') == 'valid', '%s verifies: %r' % (path, v.get('checks')))
    for path in ('/status/revocation/' + 'x' * 8, '/status/other/abc', '/status/revocation/..'):
        r = s.request('GET', path)
        check(r.status == 404, '%s: 404 (%d)' % (path, r.status))
    # the CLI verifies the credential with the lists fetched from the server
    path = write_json(dep, 'plain-cred.json', doc)
    env = {'MCRED_FETCH_ALLOW_HTTP': '1', 'MCRED_FETCH_ALLOW_PRIVATE': '1'}
    rc, out, err = run('verify', '--json', path, env=env, ok=None)
    v = json.loads(out) if out.strip().startswith('{') else {}
    st = [c for c in v.get('checks', []) if c.get('check') == 'status']
    check(rc == 0 and st and all(c['result'] == 'pass' for c in st),
          'mcred verify fetches the served lists: rc %d %r %s' % (rc, st, err[-300:]))
    return urls


def revocation(dep, org, s, creds):
    org.mcred('revoke', creds['other'], '--reason', 'test')
    _, out, _ = org.mcred('credential', 'export', creds['other'])
    path = write_json(dep, 'other-cred.json', json.loads(out))
    env = {'MCRED_FETCH_ALLOW_HTTP': '1', 'MCRED_FETCH_ALLOW_PRIVATE': '1'}
    rc, out, _ = run('verify', '--json', path, env=env, ok=None)
    v = json.loads(out) if out.strip().startswith('{') else {}
    check(rc == 1 and v.get('verdict') == 'revoked',
          'revoked: the served list says so to the CLI: %d %s' % (rc, v.get('verdict')))


def achievements(dep, s, plain):
    path = urllib.parse.urlsplit(plain['id']).path
    r = s.request('GET', path, headers=JSON)
    check(r.status == 200 and r.json() == plain, 'achievement JSON: %d' % r.status)
    r = s.request('GET', path, headers=HTML)
    check(r.status == 200 and r.header('Content-Type', ).startswith('text/html') and
          '<h1>C Programming 101</h1>' in r.text and 'develop software' in r.text,
          'achievement HTML: %d' % r.status)
    check('Accept' in (r.header('Vary') or ''), 'achievement: Vary: Accept')
    security_headers(r, 'achievement page')
    evil = '/achievements/evil-%s' % dep.tag
    r = s.request('GET', evil, headers=HTML)
    check(r.status == 200, 'hostile achievement page: %d' % r.status)
    inert(r.text, 'achievement page')
    r = s.request('GET', '/achievements/none-%s' % dep.tag, headers=JSON)
    check(r.status == 404 and (r.json() or {}).get('error') == 'not_found', 'achievement 404')


def static_files(s):
    r = s.request('GET', '/', headers=HTML)
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', r.text)
    js = re.search(r'src="(/static/pages\.js\?v=[0-9a-f]+)"', r.text)
    check(css and js, 'the page links its CSS and script')
    for m, ctype in ((css, 'text/css'), (js, 'text/javascript')):
        if not m:
            continue
        r = s.request('GET', m.group(1))
        check(r.status == 200 and r.header('Content-Type').startswith(ctype) and
              'max-age=31536000' in (r.header('Cache-Control') or '') and r.header('ETag'),
              '%s: %d %s %s' % (m.group(1), r.status, r.header('Content-Type'),
                                r.header('Cache-Control')))
        r2 = s.request('GET', m.group(1), headers={'If-None-Match': r.header('ETag')})
        check(r2.status == 304 and not r2.body, '%s: 304 when unchanged' % m.group(1))
    for path in ('/static/nope.css', '/static/..%2Ftemplates%2Fbadge.html',
                 '/static/templates'):
        check(s.request('GET', path).status == 404, '%s: 404' % path)


# --- badge pages and sharing ---------------------------------------------------------------

def share_api(s, token, cid, enabled=None):
    path = '/api/v1/me/credentials/%s/share' % quote(cid)
    if enabled is None:
        return s.request('GET', path, token=token)
    return s.request('POST', path, {'enabled': enabled}, token=token)


def badges(dep, org, s, creds):
    tok = org.tokens['learner']
    r = share_api(s, tok, creds['plain'])
    body = r.json() or {}
    sid = body.get('share_id', '')
    check(r.status == 200 and body.get('enabled') is False and len(sid) == 22,
          'a new credential is private by default: %d %r' % (r.status, r.body))
    for h in (HTML, JSON):
        r = s.request('GET', '/badges/' + sid, headers=h)
        check(r.status == 404, 'private badge: 404 (%s, %d)' % (h['Accept'][:9], r.status))
    check(s.request('GET', '/badges/%s/verify' % sid).status == 404, 'private: verify 404')
    r = share_api(s, tok, creds['plain'], True)
    body = r.json() or {}
    check(r.status == 200 and body.get('enabled') is True and body.get('share_id') == sid and
          body.get('share_url') == '%s/badges/%s' % (dep.public_url, sid),
          'learner shares: %d %r' % (r.status, r.body))
    r = s.request('GET', '/badges/' + sid, headers=HTML)
    check(r.status == 200 and r.header('Content-Type').startswith('text/html') and
          '<h1>C Programming 101</h1>' in r.text and 'Lea Learner' in r.text and
          'develop software' in r.text and 'property="og:title"' in r.text and
          'linkedin.com/profile/add?startTask=CERTIFICATION_NAME' in r.text and
          '/badges/%s/credential.json' % sid in r.text,
          'badge HTML: %d' % r.status)
    check('src="/badges/%s/qr.svg"' % sid in r.text, 'the badge page shows its QR code')
    q = s.request('GET', '/badges/%s/qr.svg' % sid)
    check(q.status == 200 and q.header('Content-Type') == 'image/svg+xml' and
          b'<svg' in q.body[:200], 'the QR code: %d' % q.status)
    check('Accept' in (r.header('Vary') or ''), 'badge: Vary: Accept')
    security_headers(r, 'badge page')
    _, out, _ = org.mcred('credential', 'export', creds['plain'])
    r = s.request('GET', '/badges/' + sid, headers=JSON)
    check(r.status == 200 and r.json() == json.loads(out), 'badge JSON is the signed credential')
    r = s.request('GET', '/badges/%s/credential.json' % sid)
    check(r.status == 200 and r.json() == json.loads(out) and
          'attachment' in (r.header('Content-Disposition') or ''), 'download JSON')
    v = s.request('GET', '/badges/%s/verify' % sid).json() or {}
    names = [c['check'] for c in v.get('checks', [])]
    check(v.get('verdict') == 'valid' and {'proof', 'issuer', 'dates', 'status'} <= set(names),
          'badge verifies: %r' % v)
    # off again: 404 again; on again: the same id
    r = share_api(s, tok, creds['plain'], False)
    check(r.status == 200 and (r.json() or {}).get('share_url') is None, 'learner unshares')
    check(s.request('GET', '/badges/' + sid, headers=HTML).status == 404, 'unshared: 404')
    check(s.request('GET', '/badges/%s/credential.json' % sid).status == 404, 'unshared: 404 json')
    r = share_api(s, tok, creds['plain'], True)
    check((r.json() or {}).get('share_id') == sid, 'shared again: the same link')
    # ids that are no share ids
    for bad in ('x', 'A' * 22, '%3Cscript%3E', 'A' * 300):
        check(s.request('GET', '/badges/' + bad).status == 404, 'badge %s: 404' % bad[:10])
    return sid


def share_rules(dep, org, other_org, s, creds):
    """Who may share what."""
    r = share_api(s, org.tokens['learner'], creds['other'])
    check(r.status == 404, "a learner cannot share another learner's credential: %d" % r.status)
    r = share_api(s, other_org.tokens['learner'], creds['plain'], True)
    check(r.status == 404, "another organisation's learner: 404 (%d)" % r.status)
    r = share_api(s, other_org.tokens['admin'], creds['plain'])
    check(r.status == 404, "another organisation's admin: 404 (%d)" % r.status)
    r = share_api(s, org.tokens['recruiter'], creds['plain'])
    check(r.status == 403, 'a recruiter may not: %d' % r.status)
    r = share_api(s, None, creds['plain'])
    check(r.status == 401, 'anonymous: 401 (%d)' % r.status)
    r = share_api(s, org.tokens['admin'], creds['other'], True)
    check(r.status == 200 and (r.json() or {}).get('enabled') is True,
          'an admin of the organisation may: %d' % r.status)
    path = '/api/v1/me/credentials/%s/share' % quote(creds['plain'])
    for body in ({'enabled': 'yes'}, {}, []):
        r = s.request('POST', path, body, token=org.tokens['learner'])
        check(r.status == 400 and 'enabled' in (r.json() or {}).get('message', ''),
              'bad body %r: 400 naming enabled (%d)' % (body, r.status))
    r = s.request('POST', path, 'enabled=1', token=org.tokens['learner'],
                  headers={'Content-Type': 'application/x-www-form-urlencoded'})
    check(r.status == 415, 'form body to the JSON API: 415 (%d)' % r.status)


def hostile(dep, org, s, creds):
    r = share_api(s, org.tokens['learner'], creds['evil'], True)
    sid = (r.json() or {}).get('share_id')
    r = s.request('GET', '/badges/%s' % sid, headers=HTML)
    check(r.status == 200, 'hostile badge page: %d' % r.status)
    inert(r.text, 'badge page')
    check('&lt;img src=x onerror' in r.text or '&quot;&gt;&lt;img src=x' in r.text,
          'the description shown escaped')


def cli_sharing(dep, org, s, creds):
    """`mcred share`, the organisation's default and the home page showcase."""
    _, out, _ = org.mcred('share', creds['other'])
    url = out.strip()
    check(url.startswith(dep.public_url + '/badges/'), 'mcred share prints the link: %r' % url)
    path = urllib.parse.urlsplit(url).path
    check(s.request('GET', path, headers=HTML).status == 200, 'the CLI-shared page works')
    org.mcred('share', '--off', creds['other'])
    check(s.request('GET', path, headers=HTML).status == 404, 'mcred share --off: 404')
    r = s.request('GET', '/', headers=HTML)
    check(r.status == 200 and path not in r.text, 'home page: no showcase until asked')
    security_headers(r, 'home page')
    org.mcred('share', '--showcase', 'on')
    org.mcred('share', creds['other'])
    r = s.request('GET', '/', headers=HTML)
    check(path in r.text and 'C Programming 101' in r.text, 'home page lists shared badges')
    inert_ok = EVIL_NAME not in r.text
    check(inert_ok, 'home page: hostile names escaped')
    org.mcred('share', '--default', 'public')
    # the settings are in the audit log, dated
    r = s.request('GET', '/api/v1/audit?limit=200', token=org.tokens['admin'])
    sets = [a for a in (r.json() or {}).get('items', []) if a.get('action') == 'setting']
    check(r.status == 200 and len(sets) >= 2 and
          all((a.get('at') or '').startswith(time.strftime('%Y-', time.gmtime())) for a in sets),
          'share settings are in the audit log, dated: %r' % sets[:3])
    fresh = 'fresh@%s.example' % org.name
    org.mcred('learner', 'add', '--name', 'Fresh', '--email', fresh)
    cid = issue(org, org.achievement, fresh)
    r = share_api(s, org.tokens['admin'], cid)
    check((r.json() or {}).get('enabled') is True, 'default public: a new credential is shared')
    org.mcred('share', '--default', 'private')
    rc, _, err = org.mcred('share', '--default', 'maybe', ok=None)
    check(rc == 2 and 'public' in err, 'mcred share --default maybe: usage error')
    rc, _, err = org.mcred('share', 'urn:uuid:00000000-0000-0000-0000-000000000000', ok=None)
    check(rc == 1 and 'not found' in err, 'mcred share of an unknown id: %d %s' % (rc, err))


# --- the verifier --------------------------------------------------------------------------

def verifier(dep, org, s, creds):
    r = s.request('GET', '/verify', headers=HTML)
    check(r.status == 200 and 'id="dropzone"' in r.text, 'verifier page')
    security_headers(r, 'verifier page')
    _, out, _ = org.mcred('credential', 'export', creds['plain'])
    doc = json.loads(out)
    v = s.request('POST', '/verify/check', {'input': out}).json() or {}
    check(v.get('verdict') == 'valid', 'pasted JSON: valid (%s)' % v.get('verdict'))
    v = s.request('POST', '/verify/check',
                  {'data': base64.b64encode(out.encode()).decode()}).json() or {}
    check(v.get('verdict') == 'valid', 'dropped file: valid (%s)' % v.get('verdict'))
    bad = copy.deepcopy(doc)
    bad['credentialSubject']['achievement']['name'] = 'C Programming 999'
    r = s.request('POST', '/verify/check', {'input': json.dumps(bad)})
    v = r.json() or {}
    proof = [c for c in v.get('checks', []) if c['check'] == 'proof']
    check(r.status == 200 and v.get('verdict') == 'invalid' and proof and
          proof[0]['result'] == 'fail', 'tampered: invalid, the proof check fails: %r' % proof)
    r = s.request('POST', '/verify/check', {'input': 'https://127.0.0.1:1/cred.json'})
    check(r.status == 400 and (r.json() or {}).get('error') == 'fetch_failed' and
          'private' in (r.json() or {}).get('message', ''),
          'a URL at a private address is refused: %d %r' % (r.status, r.body[:200]))
    for body, what in (({}, 'empty object'), ({'input': '   '}, 'blank input'),
                       ({'data': '***'}, 'bad base64'), ({'input': 5}, 'a number')):
        r = s.request('POST', '/verify/check', body)
        check(r.status == 400 and (r.json() or {}).get('message'), '%s: 400' % what)
    r = s.request('POST', '/verify/check', 'input=x',
                  headers={'Content-Type': 'application/x-www-form-urlencoded'})
    check(r.status == 415, 'verify/check wants JSON: %d' % r.status)
    v = s.request('POST', '/verify/check', {'input': 'not a credential'}).json() or {}
    check(v.get('verdict') in ('invalid', 'indeterminate'), 'garbage: %s' % v.get('verdict'))


# --- web sessions ----------------------------------------------------------------------------

def cookies_of(r):
    out = {}
    for k, v in r.headers:
        if k.lower() == 'set-cookie':
            name, _, rest = v.partition('=')
            out[name] = (rest.split(';')[0], v)
    return out


def hidden(body, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), body)
    return m.group(1) if m else None


def form(fields):
    return urllib.parse.urlencode(fields)


FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


def login(s, email, token):
    r = s.request('GET', '/login', headers=HTML)
    c = cookies_of(r).get('mcred_login')
    csrf = hidden(r.text, 'csrf_token')
    check(r.status == 200 and c and csrf == c[0], 'login form with its cookie')
    check(c and 'HttpOnly' in c[1] and 'SameSite=Strict' in c[1], 'login cookie attributes')
    h = dict(FORM, Cookie='mcred_login=' + (c[0] if c else ''))
    return s.request('POST', '/login', form({'csrf_token': csrf, 'email': email,
                                              'token': token}), headers=h), h, csrf


def sessions(dep, org, s, creds):
    email = 'learner@%s.example' % org.name
    tok = org.tokens['learner']
    r, h, csrf = login(s, email, 'x' * 43)
    check(r.status == 401 and 'do not match' in r.text, 'wrong token: 401 (%d)' % r.status)
    r, h, csrf = login(s, 'admin@%s.example' % org.name, tok)
    check(r.status == 401, "someone else's e-mail with the token: 401 (%d)" % r.status)
    r = s.request('POST', '/login', form({'csrf_token': csrf, 'email': email, 'token': tok}),
                  headers=FORM)
    check(r.status == 403, 'login without its cookie: 403 (%d)' % r.status)
    r = s.request('POST', '/login', form({'csrf_token': 'A' * 43, 'email': email, 'token': tok}),
                  headers=h)
    check(r.status == 403, 'login with a wrong form token: 403 (%d)' % r.status)
    r, h, csrf = login(s, email, tok)
    c = cookies_of(r).get('mcred_session')
    check(r.status == 303 and r.header('Location') == '/me' and c, 'login: 303 to /me')
    if not c:
        return
    attrs = c[1]
    check('HttpOnly' in attrs and 'SameSite=Lax' in attrs and 'Path=/' in attrs and
          'Secure' not in attrs, 'session cookie attributes (http): %s' % attrs)
    jar = {'Cookie': 'mcred_session=' + c[0]}
    r = s.request('GET', '/me', headers=dict(HTML, **jar))
    scsrf = hidden(r.text, 'csrf_token')
    check(r.status == 200 and email in r.text and 'C Programming 101' in r.text and scsrf,
          '/me lists the learner\'s credentials: %d' % r.status)
    check('href="/me/wallet"' in r.text, "/me links to the learner's wallet")
    inert(r.text, '/me')
    check(quote(creds['other']) not in r.text and creds['other'] not in r.text,
          "/me lists only the learner's own credentials")
    # a form POST needs the session's CSRF token
    fields = {'credential': creds['plain'], 'enabled': '0'}
    r = s.request('POST', '/me/credentials/share', form(fields), headers=dict(FORM, **jar))
    check(r.status == 403, 'share form without CSRF token: 403 (%d)' % r.status)
    r = s.request('POST', '/me/credentials/share', form(dict(fields, csrf_token='B' * 43)),
                  headers=dict(FORM, **jar))
    check(r.status == 403, 'share form with a wrong CSRF token: 403 (%d)' % r.status)
    r = s.request('POST', '/me/credentials/share', form(dict(fields, csrf_token=scsrf)),
                  headers=dict(FORM, **jar))
    check(r.status == 303, 'share form with the token: 303 (%d)' % r.status)
    r = share_api(s, tok, creds['plain'])
    check((r.json() or {}).get('enabled') is False, 'the form turned the link off')
    r = s.request('POST', '/me/credentials/share',
                  form({'credential': creds['other'], 'enabled': '1', 'csrf_token': scsrf}),
                  headers=dict(FORM, **HTML, **jar))
    check(r.status == 404, "the form cannot share another learner's credential (%d)" % r.status)
    # the JSON API with the cookie: only with the X-CSRF-Token header
    path = '/api/v1/me/credentials/%s/share' % quote(creds['plain'])
    r = s.request('POST', path, {'enabled': True}, headers=jar)
    check(r.status == 401, 'cookie without X-CSRF-Token on the API: 401 (%d)' % r.status)
    r = s.request('POST', path, {'enabled': True}, headers=dict(jar, **{'X-CSRF-Token': scsrf}))
    check(r.status == 200 and (r.json() or {}).get('enabled') is True,
          'cookie with X-CSRF-Token: 200 (%d)' % r.status)
    r = s.request('GET', path, headers=jar)
    check(r.status == 200, 'cookie on a GET of the API: 200 (%d)' % r.status)
    # logout
    r = s.request('POST', '/logout', form({'csrf_token': 'C' * 43}), headers=dict(FORM, **jar))
    check(r.status == 403, 'logout with a wrong CSRF token: 403 (%d)' % r.status)
    r = s.request('GET', '/logout', headers=dict(HTML, **jar))
    lcsrf = hidden(r.text, 'csrf_token')
    check(r.status == 200 and lcsrf == scsrf, 'logout page carries the token')
    r = s.request('POST', '/logout', form({'csrf_token': lcsrf}), headers=dict(FORM, **jar))
    gone = cookies_of(r).get('mcred_session')
    check(r.status == 303 and gone and 'Max-Age=0' in gone[1], 'logout: 303, cookie cleared')
    r = s.request('GET', '/me', headers=dict(HTML, **jar))
    check(r.status == 303 and r.header('Location') == '/login', 'after logout: /me -> /login')
    r = s.request('GET', path, headers=jar)
    check(r.status == 401, 'after logout the cookie is nothing: %d' % r.status)
    r = s.request('GET', '/me', headers={'Cookie': 'mcred_session=' + 'D' * 43})
    check(r.status == 303, 'an unknown session cookie: not signed in')
    # an admin's /me lists the organisation's recent credentials
    r, h, csrf = login(s, 'admin@%s.example' % org.name, org.tokens['admin'])
    c = cookies_of(r).get('mcred_session')
    r = s.request('GET', '/me', headers=dict(HTML, Cookie='mcred_session=' + (c[0] if c else '')))
    check(r.status == 200 and 'Recent credentials' in r.text and
          creds['other'] in r.text, "an admin's /me: %d" % r.status)


def secure_cookie(dep):
    """Under an https public URL the session cookie is Secure."""
    org = dep.orgs['pages']
    with Server(org, '--rate', '0', '--public-url', 'https://badges.example') as s:
        r, h, csrf = login(s, 'learner@%s.example' % org.name, org.tokens['learner'])
        c = cookies_of(r).get('mcred_session')
        check(c and 'Secure' in c[1], 'https public URL: Secure cookie: %r' % (c and c[1]))


def run_backend(backend):
    dep = Deployment(backend)
    port = free_port()
    dep.public_url = 'http://127.0.0.1:%d' % port
    org, creds, plain = setup(dep)
    other = dep.org('elsewhere', n_learners=1, n_creds=1)
    with Server(org, '--rate', '0', '--listen', '127.0.0.1:%d' % port) as s:
        check(s.port == port, 'server on the chosen port')
        did_web(dep, s)
        status_lists(dep, org, s, creds)
        achievements(dep, s, plain)
        static_files(s)
        badges(dep, org, s, creds)
        share_rules(dep, org, other, s, creds)
        hostile(dep, org, s, creds)
        verifier(dep, org, s, creds)
        sessions(dep, org, s, creds)
        cli_sharing(dep, org, s, creds)
        revocation(dep, org, s, creds)
    secure_cookie(dep)


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        run_backend(backend)
    report()


if __name__ == '__main__':
    main()
