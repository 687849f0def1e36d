#!/usr/bin/env python3
# test_vcapi.py - end-to-end tests of the W3C VC API of `mcred serve`:
# POST /credentials/issue (an Open Badge and a plain VC 2.0 credential, both
# cryptosuites), /credentials/verify (valid; tampered -> invalid naming the
# failing check), /credentials/status (revoke, suspend, unsuspend; verify
# follows), GET /credentials/{id} (who may read what), /presentations/verify
# (a holder-signed presentation; a wrong challenge; proofless), bad bodies
# (400 naming where), wrong content types (415); and two servers sharing one
# store: issue on one, revoke on the other, both verify it revoked.
# On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import copy, json, os, sys, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import ACHIEVEMENT, Deployment, Server, check, report, run  # noqa: E402

VC2 = 'https://www.w3.org/ns/credentials/v2'
OB3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'
STRANGER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'   # not our issuer


def badge(email):
    with open(ACHIEVEMENT) as f:
        ach = json.load(f)
    return {
        '@context': [VC2, OB3],
        'type': ['VerifiableCredential', 'OpenBadgeCredential'],
        'name': ach['name'],
        'credentialSubject': {
            'type': ['AchievementSubject'],
            'identifier': [{'type': 'IdentityObject', 'identityHash': email,
                            'identityType': 'emailAddress', 'hashed': False}],
            'achievement': ach,
        },
    }


def plain(subject):
    return {'@context': [VC2], 'type': ['VerifiableCredential'],
            'credentialSubject': {'id': subject}}


def error_of(r):
    j = r.json() or {}
    return '%d %s: %s' % (r.status, j.get('error'), j.get('message'))


class Api:
    """A server and the organisation's tokens, with the VC API's calls."""

    def __init__(self, server, org):
        self.s, self.org = server, org

    def issue(self, cred, options=None, role='issuer', expect=201):
        body = {'credential': cred}
        if options is not None:
            body['options'] = options
        r = self.s.request('POST', '/credentials/issue', body, token=self.org.tokens[role])
        check(r.status == expect, 'issue: expected %d, got %s' % (expect, error_of(r)))
        return (r.json() or {}).get('verifiableCredential') if r.status == 201 else r

    def verify(self, vc):
        return self.s.request('POST', '/credentials/verify', {'verifiableCredential': vc})

    def status(self, cid, purpose, on, role='issuer', array=False):
        if array:
            body = {'credentialId': cid, 'credentialStatus': [
                {'type': 'BitstringStatusListEntry', 'statusPurpose': purpose, 'status': on}]}
        else:
            body = {'credentialId': cid, 'credentialStatus': {
                'type': 'BitstringStatusListEntry', 'statusPurpose': purpose}, 'status': on}
        return self.s.request('POST', '/credentials/status', body, token=self.org.tokens[role])


def verdict_of(r):
    return ((r.json() or {}).get('verdict') or {}).get('verdict')


def check_valid(api, vc, what):
    r = api.verify(vc)
    j = r.json() or {}
    check(r.status == 200 and j.get('verified') is True and verdict_of(r) == 'valid',
          '%s verifies valid: %d %s' % (what, r.status, r.text[:600]))
    check(j.get('errors') == [] and 'proof' in (j.get('checks') or []),
          '%s: no errors, the proof was checked: %r' % (what, j.get('errors')))
    return j


def check_verdict(api, vc, verdict, failing, what):
    r = api.verify(vc)
    j = r.json() or {}
    check(r.status == 400 and j.get('verified') is False and verdict_of(r) == verdict,
          '%s: 400, verified false, %s: %d %s' % (what, verdict, r.status, r.text[:600]))
    errs = j.get('errors') or []
    check(any(e.startswith(failing + ':') for e in errs),
          '%s: the failing check %s is named: %r' % (what, failing, errs))
    checks = ((j.get('verdict') or {}).get('checks')) or []
    check(any(c.get('check') == failing and c.get('result') == 'fail' for c in checks),
          '%s: the verdict grades %s fail' % (what, failing))
    return j


def issuing(api, org):
    """Issue an Open Badge and a plain credential; verify; tamper."""
    email = org.learners[0][1]
    vc = api.issue(badge(email))
    if not check(isinstance(vc, dict), 'issued an Open Badge'):
        return None, None
    pub = org.dep.public_url
    check(vc.get('id', '').startswith(pub + '/credentials/'), 'an id was assigned: %s' %
          vc.get('id'))
    iss = vc.get('issuer') or {}
    check(isinstance(iss, dict) and iss.get('id', '').startswith('did:') and
          'Profile' in iss.get('type', []), 'the issuer was set to the org\'s Profile: %r' % iss)
    st = vc.get('credentialStatus') or []
    check(sorted(e.get('statusPurpose') for e in st) == ['revocation', 'suspension'] and
          all(e.get('type') == 'BitstringStatusListEntry' for e in st),
          'revocation and suspension entries were added: %r' % st)
    check((vc.get('proof') or {}).get('cryptosuite') == 'eddsa-rdfc-2022',
          'signed with eddsa-rdfc-2022 by default')
    check('validFrom' in vc, 'validFrom was set')
    check_valid(api, vc, 'the issued badge')

    bad = copy.deepcopy(vc)
    bad['name'] = 'A Different Achievement'
    check_verdict(api, bad, 'invalid', 'proof', 'a tampered badge (name changed)')
    bad = copy.deepcopy(vc)
    bad['credentialSubject']['achievement']['criteria']['narrative'] = 'nothing at all'
    check_verdict(api, bad, 'invalid', 'proof', 'a tampered badge (criteria changed)')

    # the same issuer named explicitly; eddsa-jcs-2022 on request
    did = iss.get('id')
    cred = plain('did:example:ebfeb1f712ebc6f1c276e12ec21')
    cred['issuer'] = did
    vc2 = api.issue(cred, {'cryptosuite': 'eddsa-jcs-2022'})
    if check(isinstance(vc2, dict), 'issued a plain VC 2.0 credential with eddsa-jcs-2022'):
        check((vc2.get('proof') or {}).get('cryptosuite') == 'eddsa-jcs-2022',
              'the proof is eddsa-jcs-2022')
        check(vc2.get('issuer') == did, 'the issuer stays as given')
        check_valid(api, vc2, 'the plain credential')
        bad = copy.deepcopy(vc2)
        bad['credentialSubject']['id'] = 'did:example:someone-else'
        check_verdict(api, bad, 'invalid', 'proof', 'a tampered plain credential')

    # a caller's own id is kept; the same id twice is a conflict
    cred = badge(email)
    cred['id'] = 'urn:uuid:%s' % '9a3f0c52-1d2e-4a8b-9c4d-5e6f7a8b9c0d'
    cred['id'] = cred['id'][:-4] + org.dep.tag[:4]
    vc3 = api.issue(cred)
    if check(isinstance(vc3, dict), 'issued with the caller\'s id'):
        check(vc3.get('id') == cred['id'], 'the caller\'s id is kept')
    r = api.issue(cred, expect=409)
    check(r.status == 409 and r.json().get('error') == 'conflict', 'the same id twice: 409')
    return vc, vc2


def status(api, org, vc, vc2):
    """Revoke, suspend, unsuspend through /credentials/status."""
    r = api.status(vc['id'], 'suspension', True, array=True)
    check(r.status == 200 and r.json().get('state') == 'suspended',
          'suspend (array form): %s' % r.text[:300])
    check_verdict(api, vc, 'suspended', 'status', 'a suspended badge')
    r = api.status(vc['id'], 'suspension', False)
    check(r.status == 200 and r.json().get('state') == 'active', 'unsuspend: %s' % r.text[:300])
    check_valid(api, vc, 'an unsuspended badge')
    r = api.status(vc['id'], 'revocation', True)
    j = r.json() or {}
    check(r.status == 200 and j.get('state') == 'revoked' and
          {'type': 'BitstringStatusListEntry', 'statusPurpose': 'revocation', 'status': True}
          in j.get('credentialStatus', []), 'revoke: %s' % r.text[:300])
    check_verdict(api, vc, 'revoked', 'status', 'a revoked badge')
    r = api.status(vc['id'], 'revocation', True)
    check(r.status == 409, 'revoking twice: 409 (%s)' % error_of(r))
    r = api.status(vc['id'], 'revocation', False)
    check(r.status == 409 and 'final' in r.json().get('message', ''),
          'un-revoking: 409, revocation is final (%s)' % error_of(r))
    r = api.status(vc['id'], 'suspension', True)
    check(r.status == 409, 'suspending a revoked credential: 409 (%s)' % error_of(r))
    # by the uuid tail of the id, the VC API's credentialId form
    if vc2:
        r = api.status(vc2['id'].rsplit('/', 1)[-1], 'revocation', True)
        check(r.status == 200, 'revoke by the id\'s uuid tail: %s' % error_of(r))
        check_verdict(api, vc2, 'revoked', 'status', 'a revoked plain credential')
    r = api.status('urn:uuid:00000000-0000-4000-8000-000000000000', 'revocation', True)
    check(r.status == 404, 'status of an unknown credential: 404 (%s)' % error_of(r))
    r = api.status(vc['id'], 'revocation', True, role='learner')
    check(r.status == 403, 'a learner cannot change a status: 403 (%s)' % error_of(r))
    r = api.status(vc['id'], 'revocation', True, role='assessor')
    check(r.status == 403, 'an assessor cannot change a status: 403 (%s)' % error_of(r))


def reading(api, org, other, vc):
    """GET /credentials/{id}: who may read what."""
    s = api.s
    tail = '/credentials/' + vc['id'].rsplit('/', 1)[-1]
    whole = '/credentials/' + urllib.parse.quote(vc['id'], safe='')
    for role in ('admin', 'issuer', 'assessor'):
        r = s.request('GET', tail, token=org.tokens[role])
        check(r.status == 200 and (r.json() or {}).get('id') == vc['id'] and
              'proof' in (r.json() or {}), '%s reads the credential by its uuid: %s' %
              (role, error_of(r)))
    r = s.request('GET', whole, token=org.tokens['issuer'])
    check(r.status == 200 and (r.json() or {}).get('id') == vc['id'],
          'read by the whole id, URL-encoded: %s' % error_of(r))
    r = s.request('GET', tail, token=other.tokens['admin'])
    check(r.status == 404, 'another organisation\'s admin: 404 (%s)' % error_of(r))
    r = s.request('GET', whole, token=other.tokens['issuer'])
    check(r.status == 404, 'another organisation\'s issuer, whole id: 404 (%s)' % error_of(r))
    r = s.request('GET', tail)
    check(r.status == 401 and r.header('WWW-Authenticate'), 'without a token: 401')
    r = s.request('GET', tail, token=org.tokens['recruiter'])
    check(r.status == 403, 'a recruiter: 403 (%s)' % error_of(r))
    r = s.request('GET', tail, token=org.tokens['learner'])
    check(r.status == 404, 'a learner reading someone else\'s credential: 404 (%s)' %
          error_of(r))
    # the learner user's own credential
    mine = api.issue(badge('learner@%s.example' % org.name))
    if isinstance(mine, dict):
        r = s.request('GET', '/credentials/' + mine['id'].rsplit('/', 1)[-1],
                      token=org.tokens['learner'])
        check(r.status == 200 and (r.json() or {}).get('id') == mine['id'],
              'a learner reads their own credential: %s' % error_of(r))
    # one the CLI issued
    if org.credentials and org.credentials[0]:
        r = s.request('GET', '/credentials/' + urllib.parse.quote(org.credentials[0], safe=''),
                      token=org.tokens['admin'])
        check(r.status == 200 and (r.json() or {}).get('id') == org.credentials[0],
              'the CLI\'s credential reads back: %s' % error_of(r))
    r = s.request('GET', '/credentials/00000000-0000-4000-8000-000000000000',
                  token=org.tokens['admin'])
    check(r.status == 404, 'an unknown id: 404')


def bad_bodies(api, org):
    s, tok = api.s, org.tokens['issuer']

    def issue_raw(body, ctype='application/json'):
        return s.request('POST', '/credentials/issue', body,
                         headers={'Content-Type': ctype}, token=tok)

    good = plain('did:example:123')
    cases = [
        ({}, 'credential: missing'),
        ({'credential': 'a string'}, 'credential: expected an object'),
        ({'credential': [good]}, 'credential: expected an object'),
        ({'credential': dict(good, issuer=5)}, 'credential.issuer: expected a string or an'),
        ({'credential': dict(good, issuer={'name': 'x'})}, 'credential.issuer.id: missing'),
        ({'credential': dict(good, issuer=STRANGER)}, 'is not an issuer of this organisation'),
        ({'credential': dict(good, type='Nope')}, 'credential.type: must include'),
        ({'credential': dict(good, type=[1])}, 'credential.type: expected'),
        ({'credential': {k: v for k, v in good.items() if k != '@context'}},
         'credential.@context: missing'),
        ({'credential': dict(good, **{'@context': ['https://www.w3.org/2018/credentials/v1']})},
         'credential.@context: the first context'),
        ({'credential': dict(good, credentialSubject=7)}, 'credential.credentialSubject:'),
        ({'credential': dict(good, validFrom='yesterday')}, 'credential.validFrom:'),
        ({'credential': dict(good, proof={'type': 'DataIntegrityProof'})}, 'credential.proof:'),
        ({'credential': dict(good, credentialStatus={})}, 'credential.credentialStatus:'),
        ({'credential': dict(good, id='not a uri')}, 'credential.id:'),
        ({'credential': good, 'options': 3}, 'options: expected an object'),
        ({'credential': good, 'options': {'foo': 1}}, 'options.foo: unknown option'),
        ({'credential': good, 'options': {'cryptosuite': 'rsa'}}, 'options.cryptosuite:'),
        ({'credential': good, 'options': {'cryptosuite': 5}}, 'options.cryptosuite: expected'),
        ({'credential': good, 'extra': 1}, 'extra: unknown member'),
        ({'credential': dict(badge('x@y.example'), name=5)}, 'credential.name'),
        ({'credential': dict(good, undefinedTerm='x')}, 'credential: cannot be signed'),
        ([good], 'request body: expected a JSON object'),
    ]
    for body, where in cases:
        r = issue_raw(json.dumps(body))
        j = r.json() or {}
        check(r.status == 400 and where in j.get('message', '') and
              j.get('message', '').startswith('request body'),
              'issue %s: 400 naming %r: %s' % (json.dumps(body)[:80], where, error_of(r)))
    r = issue_raw('{"credential": {')
    check(r.status == 400 and r.json().get('error') == 'invalid_json' and
          'line 1' in r.json().get('message', ''), 'malformed JSON: 400 with where (%s)' %
          error_of(r))
    r = issue_raw('')
    check(r.status == 400, 'an empty body: 400 (%s)' % error_of(r))
    r = issue_raw(json.dumps({'credential': good}), ctype='text/plain')
    check(r.status == 415, 'text/plain: 415 (%s)' % error_of(r))
    r = s.request('POST', '/credentials/verify', json.dumps({'verifiableCredential': {}}),
                  headers={'Content-Type': 'application/x-www-form-urlencoded'})
    check(r.status == 415, 'verify with a form body: 415 (%s)' % error_of(r))
    r = s.request('POST', '/credentials/issue', {'credential': good})
    check(r.status == 401, 'issue without a token: 401')
    for role in ('learner', 'assessor', 'recruiter'):
        r = s.request('POST', '/credentials/issue', {'credential': good}, token=org.tokens[role])
        check(r.status == 403, 'issue as %s: 403 (%s)' % (role, error_of(r)))
    r = s.request('POST', '/credentials/issue', {'credential': good}, token=org.tokens['admin'])
    check(r.status == 201, 'issue as admin: 201 (%s)' % error_of(r))
    vcases = [
        ({}, 'verifiableCredential: missing'),
        ({'verifiableCredential': 5}, 'verifiableCredential: expected'),
        ({'verifiableCredential': {}, 'options': {'checks': ['telepathy']}},
         'options.checks[0]'),
        ({'verifiableCredential': {}, 'options': {'returnCredential': 'yes'}},
         'options.returnCredential'),
        ({'verifiableCredential': {'type': 'EnvelopedVerifiableCredential', 'id': 'http://x'}},
         'verifiableCredential: id:'),
    ]
    for body, where in vcases:
        r = s.request('POST', '/credentials/verify', body)
        j = r.json() or {}
        check(r.status == 400 and j.get('error') == 'invalid_request' and
              where in j.get('message', ''), 'verify %s: 400 naming %r: %s' %
              (json.dumps(body)[:80], where, error_of(r)))
    scases = [
        ({'credentialStatus': {}}, 'credentialId: missing'),
        ({'credentialId': 'x', 'status': True}, 'credentialStatus: missing'),
        ({'credentialId': 'x', 'credentialStatus': {'type': 'BitstringStatusListEntry',
                                                    'statusPurpose': 'revocation'}},
         'status: missing'),
        ({'credentialId': 'x', 'status': 'yes', 'credentialStatus': {
            'type': 'BitstringStatusListEntry', 'statusPurpose': 'revocation'}},
         'status: expected true or false'),
        ({'credentialId': 'x', 'status': True, 'credentialStatus': {
            'type': 'StatusList2021Entry', 'statusPurpose': 'revocation'}},
         'credentialStatus.type'),
        ({'credentialId': 'x', 'status': True, 'credentialStatus': {
            'type': 'BitstringStatusListEntry', 'statusPurpose': 'message'}},
         'credentialStatus.statusPurpose'),
        ({'credentialId': 'x', 'credentialStatus': [{}, {}]}, 'credentialStatus: expected one'),
        ({'credentialId': 'x', 'credentialStatus': [{'type': 'BitstringStatusListEntry',
                                                     'statusPurpose': 'suspension'}]},
         'credentialStatus[0].status: missing'),
        ({'credentialId': 'x', 'status': True, 'indexAllocator': 'a', 'credentialStatus': {}},
         'indexAllocator: unknown member'),
    ]
    for body, where in scases:
        r = s.request('POST', '/credentials/status', body, token=tok)
        j = r.json() or {}
        check(r.status == 400 and where in j.get('message', ''),
              'status %s: 400 naming %r: %s' % (json.dumps(body)[:80], where, error_of(r)))
    r = s.request('POST', '/presentations/verify', {'verifiablePresentation': 'x'})
    check(r.status == 400 and 'verifiablePresentation' in r.json().get('message', ''),
          'presentation: a string: 400 (%s)' % error_of(r))
    r = s.request('PUT', '/credentials/issue', {})
    check(r.status == 405, 'PUT /credentials/issue: 405')


def presentations(api, org):
    """A holder-signed presentation, a wrong challenge, a proofless one."""
    tmp = org.dep.tmp
    key = os.path.join(tmp, 'holder-%s.key' % org.name)
    run('key', 'new', '--seed', '11' * 32, '--out', key, '--force', env=org.env)
    rc, out, _ = run('key', 'show', '--json', key, env=org.env)
    try:
        holder = json.loads(out)['did']
    except (ValueError, KeyError):
        check(False, 'key show --json gives the holder DID: %s' % out[:200])
        return
    vc = api.issue(plain(holder))
    if not isinstance(vc, dict):
        return

    def signed(challenge, domain, creds):
        vp = {'@context': [VC2], 'type': ['VerifiablePresentation'], 'holder': holder,
              'verifiableCredential': creds}
        path = os.path.join(tmp, 'vp-%s.json' % org.name)
        with open(path, 'w') as f:
            json.dump(vp, f)
        rc, out, err = run('sign', '--key', key, '--suite', 'eddsa-jcs-2022', '--purpose',
                           'authentication', '--challenge', challenge, '--domain', domain,
                           path, env=org.env)
        try:
            return json.loads(out)
        except ValueError:
            check(False, 'mcred sign made a presentation: %s' % err[-300:])
            return None

    vp = signed('c-123', 'verifier.example', [vc])
    if not vp:
        return
    body = {'verifiablePresentation': vp,
            'options': {'challenge': 'c-123', 'domain': 'verifier.example'}}
    r = api.s.request('POST', '/presentations/verify', body)
    j = r.json() or {}
    check(r.status == 200 and j.get('verified') is True and j.get('errors') == [],
          'a holder-signed presentation verifies: %d %s' % (r.status, r.text[:800]))
    body['options']['challenge'] = 'replayed'
    r = api.s.request('POST', '/presentations/verify', body)
    j = r.json() or {}
    check(r.status == 400 and j.get('verified') is False and
          any(e.startswith('presentation: proof:') for e in j.get('errors', [])),
          'a wrong challenge: 400 naming the presentation\'s proof: %s' % r.text[:600])
    # the credential inside is revoked: the presentation fails on it
    r = api.status(vc['id'], 'revocation', True)
    check(r.status == 200, 'revoke the presented credential')
    body['options']['challenge'] = 'c-123'
    r = api.s.request('POST', '/presentations/verify', body)
    j = r.json() or {}
    check(r.status == 400 and j.get('verified') is False and
          any('credential[0]' in e and 'revoked' in e for e in j.get('errors', [])),
          'a presentation of a revoked credential fails on it: %s' % r.text[:800])
    # proofless: only the credentials are verified
    other = api.issue(plain(holder))
    if isinstance(other, dict):
        pres = {'@context': [VC2], 'type': ['VerifiablePresentation'],
                'verifiableCredential': [other, vc]}
        r = api.s.request('POST', '/presentations/verify', {'presentation': pres})
        j = r.json() or {}
        res = j.get('credentialResults') or []
        check(r.status == 400 and len(res) == 2 and res[0].get('verified') is True and
              res[1].get('verified') is False and
              any(e.startswith('verifiableCredential[1]: status:') for e in j.get('errors', [])),
              'proofless: each credential verified, the revoked one named: %s' % r.text[:800])
        pres['verifiableCredential'] = [other]
        r = api.s.request('POST', '/presentations/verify', {'presentation': pres})
        check(r.status == 200 and (r.json() or {}).get('verified') is True,
              'proofless with a valid credential: 200 (%s)' % r.text[:400])


def single(dep):
    org = dep.org('vca', n_learners=1, n_creds=1, suspension=True)
    other = dep.org('vcb', n_learners=1, n_creds=0)
    vc2 = None
    with Server(org, '--rate', '0') as s:
        api = Api(s, org)
        vc, vc2 = issuing(api, org)
        if vc:
            reading(api, org, other, vc)
            status(api, org, vc, vc2)
        bad_bodies(api, org)
        presentations(api, org)
    # a server that was given no key verifies but cannot sign: 503, nothing stored
    with Server(org, '--rate', '0', env={'MCRED_KEY_FILE': '', 'MCRED_PASSPHRASE': ''}) as s:
        api = Api(s, org)
        r = api.issue(plain('did:example:nokey'), expect=503)
        check(r.status == 503 and r.json().get('error') == 'cannot_sign' and
              'MCRED_KEY_FILE' in r.json().get('message', ''),
              'issuing without a key: 503 saying why (%s)' % error_of(r))
        if vc2:
            r = api.verify(vc2)
            check(r.status == 400 and verdict_of(r) == 'revoked',
                  'the keyless server still verifies: %s' % verdict_of(r))


def shared(dep):
    """Two `mcred serve` processes on one store: issue on one, revoke on the
    other; both verify it revoked."""
    org = dep.org('vcs', n_learners=1, n_creds=0)
    with Server(org, '--rate', '0') as s1, Server(org, '--rate', '0') as s2:
        a1, a2 = Api(s1, org), Api(s2, org)
        vc = a1.issue(badge(org.learners[0][1]))
        if not check(isinstance(vc, dict), 'issued on server 1'):
            return
        check_valid(a2, vc, 'server 2 verifies what server 1 issued')
        r = a2.status(vc['id'], 'revocation', True)
        check(r.status == 200, 'revoked on server 2: %s' % error_of(r))
        check_verdict(a1, vc, 'revoked', 'status', 'server 1 sees the revocation')
        check_verdict(a2, vc, 'revoked', 'status', 'server 2 sees the revocation')
        r = s1.request('GET', '/credentials/' + vc['id'].rsplit('/', 1)[-1],
                       token=org.tokens['admin'])
        check(r.status == 200, 'server 1 reads it back')


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        dep = Deployment(backend)
        single(dep)
        shared(dep)
    report()


if __name__ == '__main__':
    main()
