#!/usr/bin/env python3
# test_obapi.py - end-to-end tests of the 1EdTech Open Badges 3.0 API of
# `mcred serve` and its OAuth 2.0: the service discovery document, dynamic
# client registration (RFC 7591), the authorization code grant with PKCE S256
# behind a consent step (wrong verifier and reused code refused), refresh
# token rotation (a rotated token replayed revokes the grant), revocation
# (RFC 7009), scopes enforced per endpoint, upsertCredential / getCredentials
# round trips (JSON and compact JWS, byte for byte), paging (limit, offset,
# since, X-Total-Count, Link), profiles, and one organisation's client never
# seeing another's credentials. Response shapes are checked against the
# published OB 3.0 JSON Schemas in $MCRED_SHARED_DATA/schemas/ob_v3p0.
# On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import base64, hashlib, json, os, re, secrets, sys, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import ACHIEVEMENT, Deployment, Server, check, report  # noqa: E402

API = '/ims/ob/v3p0'
SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/'
READ, UPSERT = SCOPE + 'credential.readonly', SCOPE + 'credential.upsert'
PREAD, PUPDATE = SCOPE + 'profile.readonly', SCOPE + 'profile.update'
ALL = ' '.join((READ, UPSERT, PREAD, PUPDATE))
REDIRECT = 'http://127.0.0.1:9/callback'
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}
JSON = {'Accept': 'application/json'}
SHARED = os.environ.get('MCRED_SHARED_DATA', os.path.join('..', 'shared', 'data'))


# --- the published schemas ----------------------------------------------------------

def schema(name):
    path = os.path.join(SHARED, 'schemas', 'ob_v3p0', 'ob_v3p0_%s_schema.json' % name)
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        check(False, 'published schema %s (MCRED_SHARED_DATA): not found' % path)
        return None


def conforms(doc, sch, defs=None, where='$'):
    """The parts of JSON Schema the OB 3.0 response classes use: object
    type, required, additionalProperties false, enum, $ref into $defs, arrays
    of items and string patterns. Returns a list of problems."""
    defs = defs if defs is not None else (sch or {}).get('$defs', {})
    if sch is None:
        return ['no schema']
    if '$ref' in sch:
        return conforms(doc, defs[sch['$ref'].split('/')[-1]], defs, where)
    if 'oneOf' in sch:
        options = [conforms(doc, s, defs, where) for s in sch['oneOf']]
        return [] if any(not o for o in options) else options[0]
    problems = []
    t = sch.get('type')
    if t == 'object':
        if not isinstance(doc, dict):
            return ['%s: not an object' % where]
        props = sch.get('properties', {})
        for k in sch.get('required', []):
            if k not in doc:
                problems.append('%s: %s is required' % (where, k))
        for k, v in doc.items():
            if k in props:
                problems += conforms(v, props[k], defs, '%s.%s' % (where, k))
            elif sch.get('additionalProperties') is False:
                problems.append('%s: %s is not allowed' % (where, k))
    elif t == 'array':
        if not isinstance(doc, list):
            return ['%s: not an array' % where]
        if 'items' in sch and not (sch['items'].get('$ref', '').endswith('Credential')):
            for i, v in enumerate(doc):
                problems += conforms(v, sch['items'], defs, '%s[%d]' % (where, i))
    elif t == 'string':
        if not isinstance(doc, str):
            return ['%s: not a string' % where]
        if 'enum' in sch and doc not in sch['enum']:
            problems.append('%s: %r is not one of %s' % (where, doc, sch['enum']))
        if 'pattern' in sch and not re.search(sch['pattern'], doc):
            problems.append('%s: %r does not match %s' % (where, doc, sch['pattern']))
    return problems


def is_imsx(r, status, minor, what):
    body = r.json() or {}
    probs = conforms(body, schema('imsx_statusinfo'))
    ok = r.status == status and not probs and body.get('imsx_codeMajor') == 'failure'
    field = (body.get('imsx_codeMinor') or {}).get('imsx_codeMinorField') or [{}]
    ok = ok and field[0].get('imsx_codeMinorFieldValue') == minor
    return check(ok, '%s: %d Imsx_StatusInfo %s (got %d %s %s)' % (what, status, minor, r.status,
                                                                    r.text[:300], probs))


# --- OAuth helpers --------------------------------------------------------------------

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def pkce():
    verifier = b64url(secrets.token_bytes(32))
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def registration(**over):
    body = {
        'client_name': 'Test Backpack', 'client_uri': 'https://backpack.example/',
        'logo_uri': 'https://backpack.example/logo.png',
        'tos_uri': 'https://backpack.example/terms',
        'policy_uri': 'https://backpack.example/privacy',
        'software_id': 'c88b6ed8-269e-448e-99be-7e2ff47167d1', 'software_version': '1.0',
        'redirect_uris': [REDIRECT], 'token_endpoint_auth_method': 'client_secret_basic',
        'grant_types': ['authorization_code', 'refresh_token'], 'response_types': ['code'],
        'scope': ALL + ' offline_access',
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def register(s, **over):
    r = s.request('POST', '/oauth/register', registration(**over))
    return r, r.json() or {}


def query(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def authz_path(client, challenge, scope=ALL, state='xyz', **over):
    p = {'response_type': 'code', 'client_id': client['client_id'], 'redirect_uri': REDIRECT,
         'scope': scope, 'state': state, 'code_challenge': challenge,
         'code_challenge_method': 'S256'}
    p.update(over)
    return '/oauth/authorize?' + query({k: v for k, v in p.items() if v is not None})


def location(r):
    loc = r.header('Location') or ''
    u = urllib.parse.urlsplit(loc)
    return loc, dict(urllib.parse.parse_qsl(u.query))


def consent(s, user_token, nonce, decision='approve'):
    return s.request('POST', '/oauth/authorize', query({'nonce': nonce, 'decision': decision}),
                     headers=FORM, token=user_token)


def get_code(s, client, user_token, scope=ALL):
    """The whole front channel: authorize as the user, approve, return
    (code, verifier, granted scope)."""
    verifier, challenge = pkce()
    r = s.request('GET', authz_path(client, challenge, scope), headers=JSON, token=user_token)
    nonce = (r.json() or {}).get('nonce')
    r = consent(s, user_token, nonce or 'x')
    _, q = location(r)
    return q.get('code'), verifier, q.get('scope')


def basic(client):
    pair = '%s:%s' % (urllib.parse.quote(client['client_id'], safe=''),
                      urllib.parse.quote(client['client_secret'], safe=''))
    return {'Authorization': 'Basic ' + base64.b64encode(pair.encode()).decode()}


def token_call(s, client, form, auth='post', path='/oauth/token'):
    """A token or revocation request, the client authenticating with
    client_secret_post (auth 'post') or client_secret_basic ('basic')."""
    form = dict(form)
    headers = dict(FORM)
    if auth == 'post':
        form.update(client_id=client['client_id'], client_secret=client['client_secret'])
    elif auth == 'basic':
        headers.update(basic(client))
    r = s.request('POST', path, query(form), headers=headers)
    return r, r.json() if r.body else None


def exchange(s, client, code, verifier, auth='post', **more):
    form = {'grant_type': 'authorization_code', 'code': code, 'redirect_uri': REDIRECT,
            'code_verifier': verifier}
    form.update(more)
    return token_call(s, client, form, auth)


def tokens(s, client, user_token, scope=ALL):
    code, verifier, _ = get_code(s, client, user_token, scope)
    r, t = exchange(s, client, code or 'x', verifier)
    check(r.status == 200 and t.get('access_token'), 'token for %s: %d %s' % (scope[:60],
                                                                              r.status, r.text))
    return t or {}


# --- data -------------------------------------------------------------------------------

def issue_and_export(org, recipient):
    _, out, _ = org.mcred('issue', '--achievement', org.achievement, '--recipient', recipient)
    cid = out.strip().split()[-1]
    _, doc, _ = org.mcred('credential', 'export', cid)
    return cid, doc.rstrip('\n')


def vc_jwt(org):
    key = os.path.join(org.dep.tmp, 'jwt-key-%s.json' % secrets.token_hex(4))
    org.mcred('key', 'new', '--out', key)
    _, out, _ = org.mcred('key', 'show', '--json', key)
    did = json.loads(out)['did']
    unsigned = os.path.join(org.dep.tmp, 'unsigned-%s.json' % secrets.token_hex(4))
    _, out, _ = org.mcred('credential', 'new', '--issuer', did, '--achievement', ACHIEVEMENT,
                          '--recipient', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
    with open(unsigned, 'w') as f:
        f.write(out)
    _, jws, _ = org.mcred('sign', '--key', key, '--suite', 'vc-jwt', unsigned)
    return jws.strip()


def wallet_ids(resp):
    """Credential ids of a getCredentials body (JWS payloads decoded)."""
    ids = [c.get('id') for c in resp.get('credential', [])]
    for j in resp.get('compactJwsString', []):
        payload = j.split('.')[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))
        ids.append((claims.get('vc') or claims).get('id') or claims.get('jti'))
    return ids


def links(r):
    out = {}
    for part in (r.header('Link') or '').split(','):
        m = re.match(r'\s*<([^>]*)>;\s*rel="(\w+)"', part)
        if m:
            out[m.group(2)] = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(m.group(1)).query))
    return out


# --- cases ---------------------------------------------------------------------------------

def discovery(s, dep):
    r = s.request('GET', API + '/discovery')
    d = r.json() or {}
    acg = (((d.get('components') or {}).get('securitySchemes') or {}).get('OAuth2ACG') or {})
    flow = (acg.get('flows') or {}).get('authorizationCode') or {}
    base = dep.public_url
    check(r.status == 200 and d.get('openapi', '').startswith('3.0'), 'discovery: an OpenAPI 3.0 '
          'document without a token: %d' % r.status)
    check(acg.get('type') == 'oauth2' and acg.get('x-imssf-registrationUrl') ==
          base + '/oauth/register', 'discovery: registration URL from the public URL: %r' % acg)
    check(flow.get('authorizationUrl') == base + '/oauth/authorize' and
          flow.get('tokenUrl') == base + '/oauth/token' and
          flow.get('refreshUrl') == base + '/oauth/token', 'discovery: authorize and token URLs')
    check(set(flow.get('scopes', {})) == {READ, UPSERT, PREAD, PUPDATE}, 'discovery: the four '
          'OB 3.0 scopes: %r' % flow.get('scopes'))
    info = d.get('info') or {}
    check(info.get('title') and info.get('termsOfService') and
          info.get('x-imssf-privacyPolicyUrl'), 'discovery: info has title, terms, privacy')
    ops = {(p, m): o.get('operationId') for p, v in (d.get('paths') or {}).items()
           for m, o in v.items()}
    check(ops.get(('/credentials', 'get')) == 'getCredentials' and
          ops.get(('/credentials', 'post')) == 'upsertCredential' and
          ops.get(('/profile', 'put')) == 'putProfile', 'discovery: the operations: %r' % ops)
    r = s.request('GET', '/.well-known/oauth-authorization-server')
    m = r.json() or {}
    check(r.status == 200 and m.get('code_challenge_methods_supported') == ['S256'] and
          m.get('revocation_endpoint') == base + '/oauth/revoke', 'RFC 8414 metadata')


def registrations(s):
    r, c = register(s)
    check(r.status == 201 and c.get('client_id') and c.get('client_secret') and
          c.get('client_secret_expires_at') == 0 and c.get('redirect_uris') == [REDIRECT],
          'register: 201 with client_id and client_secret: %d %s' % (r.status, r.text[:300]))
    check(set(c.get('scope', '').split()) == set(ALL.split()) | {'offline_access'},
          'register: the scopes echoed: %r' % c.get('scope'))
    r2, c2 = register(s)
    check(c2.get('client_id') != c.get('client_id'), 'register: each client its own id')
    cases = (
        ({'client_uri': None}, 'invalid_client_metadata', 'client_uri missing'),
        ({'redirect_uris': ['http://evil.example/cb']}, 'invalid_redirect_uri', 'plain http'),
        ({'redirect_uris': ['https://backpack.example/cb#frag']}, 'invalid_redirect_uri',
         'a fragment'),
        ({'redirect_uris': []}, 'invalid_redirect_uri', 'no redirect URI'),
        ({'scope': 'openid profile'}, 'invalid_client_metadata', 'no OB scope'),
        ({'grant_types': ['client_credentials']}, 'invalid_client_metadata', 'a grant type'),
        ({'response_types': ['token']}, 'invalid_client_metadata', 'implicit flow'),
    )
    for over, err, what in cases:
        r, e = register(s, **over)
        check(r.status == 400 and e.get('error') == err and e.get('message'),
              'register refuses %s: %d %s' % (what, r.status, r.text[:200]))
    r, e = register(s, redirect_uris=['http://localhost:8000/cb', 'https://[::1]/x'])
    check(r.status == 201, 'register: loopback http redirect URIs: %d %s' % (r.status, r.text))
    r = s.request('POST', '/oauth/register', 'not json', headers={'Content-Type': 'text/plain'})
    check(r.status == 415, 'register: a non-JSON body: %d' % r.status)
    return c


def authorize_requests(s, client, learner):
    verifier, challenge = pkce()
    # not signed in: people are sent to the login page, machines get 401
    r = s.request('GET', authz_path(client, challenge), headers={'Accept': 'text/html'})
    loc = r.header('Location') or ''
    check(r.status == 303 and loc.startswith('/login?next=') and
          urllib.parse.unquote(loc[len('/login?next='):]).startswith('/oauth/authorize?'),
          'authorize: anonymous browser to /login?next=: %d %s' % (r.status, loc))
    r = s.request('GET', authz_path(client, challenge), headers=JSON)
    check(r.status == 401, 'authorize: anonymous client 401: %d' % r.status)
    # errors that must not go back to the client
    for over, what in (({'client_id': 'nope'}, 'unknown client'),
                       ({'redirect_uri': 'https://attacker.example/cb'}, 'foreign redirect_uri')):
        r = s.request('GET', authz_path(client, challenge, **over), headers=JSON, token=learner)
        check(r.status == 400 and not r.header('Location'), 'authorize: %s not redirected: %d'
              % (what, r.status))
    # errors that go back to the client, with its state
    for over, err, what in (({'code_challenge': None}, 'invalid_request', 'no PKCE'),
                            ({'code_challenge_method': 'plain'}, 'invalid_request', 'plain PKCE'),
                            ({'response_type': 'token'}, 'unsupported_response_type', 'implicit'),
                            ({'scope': 'openid'}, 'invalid_scope', 'unknown scope')):
        r = s.request('GET', authz_path(client, challenge, state='st-1', **over), headers=JSON,
                      token=learner)
        loc, q = location(r)
        check(r.status == 303 and loc.startswith(REDIRECT) and q.get('error') == err and
              q.get('state') == 'st-1', 'authorize: %s -> %s at the client: %d %s' %
              (what, err, r.status, loc))
    # the consent page (HTML): the client, the scopes, a form with the nonce
    r = s.request('GET', authz_path(client, challenge), headers={'Accept': 'text/html'},
                  token=learner)
    nonce = re.search(r'name="nonce" value="([^"]+)"', r.text)
    csp = r.header('Content-Security-Policy') or ''
    check(r.status == 200 and 'Test Backpack' in r.text and 'read your Open Badges' in r.text
          and nonce, 'authorize: a consent page with a nonce: %d' % r.status)
    check("form-action 'self' http://127.0.0.1:9" in csp, 'consent page CSP lets the form go '
          'back to the client: %s' % csp)
    # deny: access_denied at the client
    r = consent(s, learner, nonce.group(1) if nonce else 'x', 'deny')
    loc, q = location(r)
    check(r.status == 303 and q.get('error') == 'access_denied' and q.get('state') == 'xyz',
          'consent denied -> access_denied with state: %s' % loc)
    r = consent(s, learner, nonce.group(1) if nonce else 'x')
    check(r.status == 400, 'a nonce answers once: %d' % r.status)


def code_flow(s, client, other_client, learner, admin):
    verifier, challenge = pkce()
    r = s.request('GET', authz_path(client, challenge, scope=READ + ' ' + PREAD), headers=JSON,
                  token=learner)
    c = r.json() or {}
    check(r.status == 200 and c.get('nonce') and set(c.get('scopes', [])) == {READ, PREAD},
          'authorize (JSON): the consent and its nonce: %d %s' % (r.status, r.text[:300]))
    r = consent(s, admin, c.get('nonce', 'x'))
    check(r.status == 400, "another user cannot answer the learner's consent: %d" % r.status)
    r = consent(s, learner, c.get('nonce', 'x'))
    loc, q = location(r)
    check(r.status == 303 and loc.startswith(REDIRECT + '?code=') and q.get('state') == 'xyz'
          and set(q.get('scope', '').split()) == {READ, PREAD},
          'consent approved -> code, scope and state at the client: %s' % loc)
    code = q.get('code', 'x')
    # the token request, with every way to get it wrong first
    r, e = exchange(s, client, code, pkce()[0])
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'wrong code_verifier refused: '
          '%d %s' % (r.status, r.text))
    r, e = exchange(s, other_client, code, verifier)
    check(r.status == 400 and e.get('error') == 'invalid_grant', "another client's code "
          "refused: %d" % r.status)
    r, e = exchange(s, client, code, verifier, redirect_uri='http://127.0.0.1:9/other')
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'another redirect_uri refused')
    bad = dict(client, client_secret=b64url(secrets.token_bytes(32)))
    r, e = exchange(s, bad, code, verifier)
    check(r.status == 401 and e.get('error') == 'invalid_client' and
          r.header('WWW-Authenticate'), 'a wrong client secret: 401 invalid_client')
    r, e = token_call(s, client, {'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': REDIRECT, 'code_verifier': verifier}, 'none')
    check(r.status == 401 and e.get('error') == 'invalid_client', 'no client authentication')
    r, t = exchange(s, client, code, verifier)
    check(r.status == 200 and t.get('token_type') == 'Bearer' and t.get('expires_in') == 3600 and
          t.get('access_token') and t.get('refresh_token') and
          set(t.get('scope', '').split()) == {READ, PREAD},
          'code + verifier -> access and refresh tokens: %d %s' % (r.status, r.text))
    check(r.header('Cache-Control') == 'no-store', 'token response: Cache-Control no-store')
    access = t.get('access_token', 'x')
    r = s.request('GET', API + '/credentials', token=access)
    check(r.status == 200, 'the access token reads credentials: %d %s' % (r.status, r.text[:200]))
    # scopes: this token may read, not write
    r = s.request('POST', API + '/credentials', '{}', headers={'Content-Type': 'application/json'},
                  token=access)
    is_imsx(r, 403, 'forbidden', 'upsert without credential.upsert')
    check('insufficient_scope' in (r.header('WWW-Authenticate') or ''), '403 names '
          'insufficient_scope')
    r = s.request('PUT', API + '/profile', '{}', headers={'Content-Type': 'application/json'},
                  token=access)
    is_imsx(r, 403, 'forbidden', 'putProfile without profile.update')
    r = s.request('GET', API + '/profile', token=access)
    check(r.status == 200, 'getProfile with profile.readonly: %d' % r.status)
    # the token opens the OB API only
    r = s.request('GET', '/healthz', token=access)
    check(r.status == 401, 'an OAuth token is no API token elsewhere: %d' % r.status)
    r, e = token_call(s, client, {'grant_type': 'refresh_token', 'scope': READ + ' ' + UPSERT,
                                  'refresh_token': t.get('refresh_token', 'x')})
    check(r.status == 400 and e.get('error') == 'invalid_scope', 'a refresh cannot widen the '
          'scopes granted: %d %s' % (r.status, r.text))
    # the code once more: refused, and what it gave is revoked
    r, e = exchange(s, client, code, verifier)
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'a code used twice refused: '
          '%d %s' % (r.status, r.text))
    r = s.request('GET', API + '/credentials', token=access)
    check(r.status == 401, 'after a code replay its tokens stop: %d' % r.status)
    r, e = token_call(s, client, {'grant_type': 'refresh_token',
                                  'refresh_token': t.get('refresh_token', 'x')})
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'and its refresh token too')
    r, e = token_call(s, client, {'grant_type': 'password', 'username': 'a', 'password': 'b'})
    check(r.status == 400 and e.get('error') == 'unsupported_grant_type', 'password grant: %s'
          % r.text)


def refresh_and_revoke(s, client, learner):
    t = tokens(s, client, learner)
    r, t2 = token_call(s, client, {'grant_type': 'refresh_token',
                                   'refresh_token': t.get('refresh_token', 'x')})
    check(r.status == 200 and t2.get('access_token') and t2.get('refresh_token') and
          t2['refresh_token'] != t.get('refresh_token') and t2['access_token'] != t['access_token'],
          'refresh: a new access token and a new refresh token: %d %s' % (r.status, r.text))
    t2 = t2 or {}
    r = s.request('GET', API + '/credentials', token=t2.get('access_token'))
    check(r.status == 200, 'the refreshed access token works: %d' % r.status)
    r, t3 = token_call(s, client, {'grant_type': 'refresh_token',
                                   'refresh_token': t2.get('refresh_token', 'x'), 'scope': READ})
    check(r.status == 200 and t3.get('scope') == READ, 'refresh with a narrower scope: %s' % r.text)
    t3 = t3 or {}
    r = s.request('GET', API + '/profile', token=t3.get('access_token'))
    check(r.status == 403, 'the narrower token cannot read the profile: %d' % r.status)
    r, e = token_call(s, client, {'grant_type': 'refresh_token',
                                  'refresh_token': t3.get('refresh_token', 'x'),
                                  'scope': READ + ' ' + SCOPE + 'credential.delete'})
    check(r.status == 200 and (e or {}).get('scope') == READ,
          'an unknown scope in a refresh is ignored (RFC 6749 3.3): %s' % r.text)
    t3 = e or t3
    r, e = token_call(s, client, {'grant_type': 'refresh_token',
                                  'refresh_token': t3.get('refresh_token', 'x'),
                                  'scope': READ + ' ' + PUPDATE})
    check(r.status == 200 and set((e or {}).get('scope', '').split()) == {READ, PUPDATE},
          'the refresh token keeps the scopes granted: %s' % r.text)
    t3 = e or t3
    # the rotated refresh token again: refused, and the whole grant revoked
    r, e = token_call(s, client, {'grant_type': 'refresh_token',
                                  'refresh_token': t.get('refresh_token', 'x')})
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'the old refresh token stops '
          'working after rotation: %d %s' % (r.status, r.text))
    r = s.request('GET', API + '/credentials', token=t3.get('access_token'))
    check(r.status == 401, 'a replayed refresh token revokes the grant: %d' % r.status)
    # revocation (RFC 7009)
    t = tokens(s, client, learner)
    r, _ = token_call(s, client, {'token': t.get('access_token', 'x'),
                                  'token_type_hint': 'access_token'}, path='/oauth/revoke')
    check(r.status == 200, 'revoke an access token: %d %s' % (r.status, r.text))
    r = s.request('GET', API + '/credentials', token=t.get('access_token'))
    check(r.status == 401, 'a revoked access token stops: %d' % r.status)
    r, t2 = token_call(s, client, {'grant_type': 'refresh_token',
                                   'refresh_token': t.get('refresh_token', 'x')})
    check(r.status == 200, 'its refresh token still works: %d' % r.status)
    t2 = t2 or {}
    r, _ = token_call(s, client, {'token': t2.get('refresh_token', 'x'),
                                  'token_type_hint': 'refresh_token'}, path='/oauth/revoke')
    check(r.status == 200, 'revoke a refresh token: %d' % r.status)
    r, e = token_call(s, client, {'grant_type': 'refresh_token',
                                  'refresh_token': t2.get('refresh_token', 'x')})
    check(r.status == 400 and e.get('error') == 'invalid_grant', 'a revoked refresh token '
          'stops: %s' % r.text)
    r = s.request('GET', API + '/credentials', token=t2.get('access_token'))
    check(r.status == 401, 'revoking the refresh token ends its access tokens: %d' % r.status)
    r, _ = token_call(s, client, {'token': b64url(secrets.token_bytes(32))}, path='/oauth/revoke')
    check(r.status == 200, 'revoking an unknown token is not an error: %d' % r.status)
    r, e = token_call(s, client, {'token': 'x'}, 'none', path='/oauth/revoke')
    check(r.status == 401 and e.get('error') == 'invalid_client', 'revoke needs the client')


def client_secret_basic(s, client, learner):
    """OB 3.0 §7.1.3: the token request carries HTTP Basic client credentials."""
    code, verifier, _ = get_code(s, client, learner)
    r, t = exchange(s, client, code or 'x', verifier, auth='basic')
    check(r.status == 200 and (t or {}).get('access_token'),
          'client_secret_basic token request: %d %s' % (r.status, r.text[:300]))
    r, t2 = token_call(s, client, {'grant_type': 'refresh_token',
                                   'refresh_token': (t or {}).get('refresh_token', 'x')}, 'basic')
    check(r.status == 200, 'client_secret_basic refresh: %d %s' % (r.status, r.text[:200]))
    r, _ = token_call(s, client, {'token': (t2 or {}).get('refresh_token', 'x')}, 'basic',
                      path='/oauth/revoke')
    check(r.status == 200, 'client_secret_basic revocation: %d %s' % (r.status, r.text[:200]))


def round_trip(s, token, creds, jws):
    """upsertCredential then getCredentials: the same bytes come back."""
    cid, doc = creds[0]
    h = {'Content-Type': 'application/json'}
    r = s.request('POST', API + '/credentials', doc, headers=h, token=token)
    check(r.status == 201 and r.body == doc.encode(), 'upsert a new credential: 201 and the '
          'credential echoed: %d %s' % (r.status, r.text[:300]))
    r = s.request('POST', API + '/credentials', doc, headers=h, token=token)
    check(r.status == 200 and r.body == doc.encode(), 'upsert the same again: 200 (replaced): %d'
          % r.status)
    r = s.request('POST', API + '/credentials', doc,
                  headers={'Content-Type': 'application/vc+ld+json'}, token=token)
    check(r.status == 200 and r.header('Content-Type') == 'application/vc+ld+json',
          'upsert as application/vc+ld+json: %d %s' % (r.status, r.header('Content-Type')))
    r = s.request('GET', API + '/credentials?limit=100', token=token)
    body = r.json() or {}
    probs = conforms(body, schema('getopenbadgecredentialsresponse'))
    check(r.status == 200 and not probs, 'getCredentials is a GetOpenBadgeCredentialsResponse: '
          '%s' % probs)
    got = [c for c in body.get('credential', []) if c.get('id') == cid]
    check(len(got) == 1 and got[0] == json.loads(doc), 'getCredentials returns the credential '
          'put, equal as JSON')
    check(doc.encode() in r.body, 'and byte for byte (its exact text is in the response)')
    # a compact JWS (VC-JWT), as text/plain
    r = s.request('POST', API + '/credentials', jws, headers={'Content-Type': 'text/plain'},
                  token=token)
    check(r.status == 201 and r.body == jws.encode() and
          (r.header('Content-Type') or '').startswith('text/plain'),
          'upsert a VC-JWT as text/plain: %d %s' % (r.status, r.text[:300]))
    r = s.request('GET', API + '/credentials?limit=100', token=token)
    check(jws in (r.json() or {}).get('compactJwsString', []), 'getCredentials lists the JWS in '
          'compactJwsString')
    # what is refused, and how
    tampered = json.loads(doc)
    tampered['name'] = 'Something else'
    r = s.request('POST', API + '/credentials', json.dumps(tampered), headers=h, token=token)
    is_imsx(r, 400, 'invalid_data', 'a tampered credential (its proof fails)')
    check('verify' in ((r.json() or {}).get('imsx_description') or ''), 'the reason names the '
          'failed verification: %s' % r.text[:300])
    r = s.request('POST', API + '/credentials', '{"id":"urn:x","type":["VerifiableCredential"]}',
                  headers=h, token=token)
    is_imsx(r, 400, 'invalid_data', 'not an OpenBadgeCredential')
    r = s.request('POST', API + '/credentials', '{"id":', headers=h, token=token)
    is_imsx(r, 400, 'invalid_data', 'malformed JSON')
    r = s.request('POST', API + '/credentials', 'a.b', headers={'Content-Type': 'text/plain'},
                  token=token)
    is_imsx(r, 400, 'invalid_data', 'text/plain that is no compact JWS')
    r = s.request('POST', API + '/credentials', doc, headers={'Content-Type': 'image/png'},
                  token=token)
    is_imsx(r, 415, 'invalid_data', 'an unknown media type')
    r = s.request('GET', API + '/credentials')
    is_imsx(r, 401, 'unauthorizedrequest', 'getCredentials without a token')


def paging(s, token, creds, expect_total):
    for cid, doc in creds:
        s.request('POST', API + '/credentials', doc, headers={'Content-Type': 'application/json'},
                  token=token)
    r = s.request('GET', API + '/credentials?limit=3&offset=0', token=token)
    total = int(r.header('X-Total-Count') or -1)
    check(total == expect_total, 'X-Total-Count %d, expected %d' % (total, expect_total))
    seen, offset, pages = [], 0, 0
    while pages < 20:
        r = s.request('GET', API + '/credentials?limit=3&offset=%d' % offset, token=token)
        body = r.json() or {}
        ids = wallet_ids(body)
        ln = links(r)
        seen += ids
        last_off = (total - 1) // 3 * 3
        check(int(r.header('X-Total-Count') or -1) == total and len(ids) == min(3, total - offset),
              'page at %d: %d credentials of %d' % (offset, len(ids), total))
        check(ln.get('first', {}).get('offset') == '0' and
              ln.get('last', {}).get('offset') == str(last_off) and
              ln.get('first', {}).get('limit') == '3', 'Link first and last at %d: %r' %
              (offset, ln))
        check(('prev' in ln) == (offset > 0), 'Link prev only past the first page (%d)' % offset)
        pages += 1
        if 'next' not in ln:
            check(offset + len(ids) == total, 'no next link on the last page')
            break
        check(ln['next'].get('offset') == str(offset + 3), 'next offset %r' % ln['next'])
        offset = int(ln['next']['offset'])
    check(len(seen) == total and len(set(seen)) == total, 'the pages hold every credential once '
          '(%d, %d distinct, of %d)' % (len(seen), len(set(seen)), total))
    r = s.request('GET', API + '/credentials?offset=%d' % (total + 5), token=token)
    check(r.status == 200 and wallet_ids(r.json() or {}) == [] and
          r.header('X-Total-Count') == str(total), 'an offset past the end: an empty page')
    r = s.request('GET', API + '/credentials?since=2999-01-01T00:00:00Z', token=token)
    check(r.status == 200 and r.header('X-Total-Count') == '0', 'since in the future: none')
    r = s.request('GET', API + '/credentials?since=2000-01-01T00:00:00Z&limit=2', token=token)
    nxt = links(r).get('next', {})
    check(r.header('X-Total-Count') == str(total) and nxt.get('since') == '2000-01-01T00:00:00Z',
          'since: all issued after it, and the Link keeps it: %r' % nxt)
    for q in ('limit=0', 'limit=-1', 'limit=x', 'offset=-3', 'since=yesterday', 'limit=1&limit=2'):
        r = s.request('GET', API + '/credentials?' + q, token=token)
        is_imsx(r, 400, 'invalid_query_parameter', 'getCredentials?%s' % q)
    r = s.request('GET', API + '/credentials?limit=100000', token=token)
    check(r.status == 200 and len(wallet_ids(r.json() or {})) == total, 'a large limit is '
          'capped, not refused')
    return seen


def profiles(s, token, email):
    r = s.request('GET', API + '/profile', token=token)
    p = r.json() or {}
    probs = conforms(p, {k: v for k, v in (schema('profile') or {}).items()
                         if k in ('type', 'properties', 'required', '$defs')})
    check(r.status == 200 and 'Profile' in p.get('type', []) and p.get('email') == email and
          p.get('id', '').startswith('urn:uuid:') and not probs,
          'getProfile: a default Profile with the e-mail: %s %s' % (r.text[:300], probs))
    again = s.request('GET', API + '/profile', token=token).json() or {}
    check(again.get('id') == p.get('id'), 'the default profile id is stable')
    mine = {'@context': ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
            'type': ['Profile'], 'id': 'https://1edtech.org/issuers/cert', 'name': 'Cert Person',
            'phone': '111-222-3333'}
    text = json.dumps(mine)
    r = s.request('PUT', API + '/profile', text, headers={'Content-Type': 'application/json'},
                  token=token)
    check(r.status == 200 and r.json() == mine, 'putProfile answers the profile: %d %s' %
          (r.status, r.text[:200]))
    r = s.request('GET', API + '/profile', token=token)
    check(r.body == text.encode(), 'getProfile returns what was put, byte for byte')
    for body, what in (('{"type":"Person","id":"urn:x"}', 'type without Profile'),
                       ('{"type":"Profile"}', 'no id'), ('[1]', 'not an object'),
                       ('{', 'malformed')):
        r = s.request('PUT', API + '/profile', body, headers={'Content-Type': 'application/json'},
                      token=token)
        is_imsx(r, 400, 'invalid_data', 'putProfile refuses %s' % what)


def isolation(s, client, a, b, a_ids, creds_b):
    """A client authorised by a user of another organisation sees that user's
    wallet only."""
    tb = tokens(s, client, b.tokens['learner'])
    r = s.request('GET', API + '/credentials?limit=100', token=tb.get('access_token'))
    ids = wallet_ids(r.json() or {})
    check(r.status == 200 and not set(ids) & set(a_ids), "org B's token sees none of org A's "
          'credentials: %r' % (set(ids) & set(a_ids)))
    cid, doc = creds_b[0]
    r = s.request('POST', API + '/credentials', doc, headers={'Content-Type': 'application/json'},
                  token=tb.get('access_token'))
    check(r.status == 201, 'org B upserts its own credential: %d %s' % (r.status, r.text[:200]))
    r = s.request('GET', API + '/credentials?limit=100', token=tb.get('access_token'))
    check(cid in wallet_ids(r.json() or {}), "it is in org B's wallet")
    ta = tokens(s, client, a.tokens['learner'])
    r = s.request('GET', API + '/credentials?limit=100', token=ta.get('access_token'))
    check(cid not in wallet_ids(r.json() or {}), "org B's credential is not in org A's wallet")
    # every user has their own wallet, and an API token reaches it (all scopes)
    r = s.request('GET', API + '/credentials', token=a.tokens['admin'])
    check(r.status == 200 and r.header('X-Total-Count') == '0', "an API token reads its own "
          "user's (empty) wallet: %s" % r.header('X-Total-Count'))
    r = s.request('GET', API + '/profile', token=b.tokens['learner'])
    check(r.status == 200 and (r.json() or {}).get('email') == 'learner@%s.example' % b.name,
          "an API token reads its own user's profile")


def run_backend(dep):
    a = dep.org('acme', n_learners=1, n_creds=1)
    b = dep.org('beta', n_learners=1, n_creds=1)
    # org A issues one credential to the learner user's own address: it is in their wallet
    learner_email = 'learner@%s.example' % a.name
    a.mcred('learner', 'add', '--name', 'Learner User', '--email', learner_email)
    own_id, _ = issue_and_export(a, learner_email)
    creds = [issue_and_export(a, 'holder%d@elsewhere.example' % i) for i in range(5)]
    creds_b = [issue_and_export(b, 'holder@beta.example')]
    jws = vc_jwt(a)
    with Server(a, '--rate', '0') as s:
        discovery(s, dep)
        client = registrations(s)
        _, other = register(s, client_name='Other App')
        learner = a.tokens['learner']
        authorize_requests(s, client, learner)
        code_flow(s, client, other, learner, a.tokens['admin'])
        refresh_and_revoke(s, client, learner)
        t = tokens(s, client, learner)
        token = t.get('access_token', 'x')
        r = s.request('GET', API + '/credentials', token=token)
        check(own_id in wallet_ids(r.json() or {}), "the credential the organisation issued "
              "to the user's address is in their wallet")
        round_trip(s, token, creds, jws)
        seen = paging(s, token, creds, 1 + len(creds) + 1)
        profiles(s, token, learner_email)
        isolation(s, client, a, b, seen, creds_b)
        client_secret_basic(s, client, learner)


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        print('--- %s' % backend, flush=True)
        run_backend(Deployment(backend))
    report()


if __name__ == '__main__':
    main()
