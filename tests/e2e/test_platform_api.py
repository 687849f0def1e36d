#!/usr/bin/env python3
# test_platform_api.py - end-to-end tests of the platform API (/api/v1) of
# `mcred serve`: every endpoint's happy path and its errors (400, 401, 403,
# 404, 409, 413, 415), paging, tokens shown once and revoked, the audit log,
# a learner's own credentials, issuing one credential and files of them as
# background jobs (1,000 rows followed to done, idempotent re-submission, bad
# rows reported), a job whose server was killed (failed at the next start,
# finished by submitting the file again), and jobs running or queued when the
# server stops cleanly (failed at once). Two organisations share the store;
# the other one's ids answer 404. On SQLite, and on PostgreSQL when
# MCRED_TEST_PG is set (scripts/with-pg.sh). Prints "N passed, N failed".
# SPDX-License-Identifier: Apache-2.0
import json, os, signal, socket, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import Deployment, Server, check, report  # noqa: E402

ROLES = ('admin', 'issuer', 'assessor', 'learner', 'recruiter')
ACH = {'id': 'https://example.edu/achievements/api-test', 'type': ['Achievement'],
       'name': 'API Test', 'description': 'Made by test_platform_api.py.',
       'criteria': {'narrative': 'Ran the test.'}}


def q(s):
    return urllib.parse.quote(s, safe='')


def error_body(r, status, what):
    """An error response: the status, and a JSON body {error, message}."""
    j = r.json()
    ok = r.status == status and isinstance(j, dict) and isinstance(j.get('error'), str) \
        and isinstance(j.get('message'), str) and j['message']
    check(ok, '%s: want %d with an error body, got %d %s' % (what, status, r.status,
                                                             r.text[:300]))
    return j or {}


def wait_jobs(s, token, timeout=600):
    """Wait until no job of the organisation is queued or running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = s.request('GET', '/api/v1/jobs?limit=200', token=token)
        items = (r.json() or {}).get('items', [])
        if r.status == 200 and all(j['state'] in ('done', 'failed') for j in items):
            return True
        time.sleep(0.2)
    check(False, 'jobs still running after %d s' % timeout)
    return False


def follow_job(s, token, loc, timeout=900):
    """Poll a job until it finishes; returns (final job, the states seen)."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = s.request('GET', loc, token=token)
        j = r.json() or {}
        if r.status != 200:
            check(False, 'GET %s: %d %s' % (loc, r.status, r.text[:200]))
            return j, seen
        seen.append((j['state'], j['rows'], j['issued'], j['bytes_read']))
        if j['state'] in ('done', 'failed'):
            return j, seen
        time.sleep(0.02)
    check(False, 'job %s did not finish in %d s' % (loc, timeout))
    return {}, seen


def t_openapi_org_me(s, a, b):
    r = s.request('GET', '/openapi.json')
    doc = r.json() or {}
    check(r.status == 200 and doc.get('openapi', '').startswith('3.1'), 'GET /openapi.json')
    check('/api/v1/jobs/{id}' in doc.get('paths', {}), 'the document describes the jobs route')
    for role in ROLES:
        r = s.request('GET', '/api/v1/org', token=a.tokens[role])
        j = r.json() or {}
        check(r.status == 200 and j.get('name') == a.name and j.get('credentials', 0) >= 2,
              'GET /api/v1/org as %s: %d %s' % (role, r.status, r.text[:200]))
        r = s.request('GET', '/api/v1/me', token=a.tokens[role])
        j = r.json() or {}
        check(r.status == 200 and j.get('role') == role and j.get('auth') == 'token' and
              j.get('email') == '%s@%s.example' % (role, a.name), 'GET /api/v1/me as ' + role)
    r = s.request('GET', '/api/v1/org', token=b.tokens['admin'])
    check(r.status == 200 and (r.json() or {}).get('name') == b.name and a.name not in r.text,
          'another organisation reads its own')
    error_body(s.request('GET', '/api/v1/org'), 401, 'GET /api/v1/org anonymous')
    error_body(s.request('GET', '/api/v1/org', token='x' * 43), 401, 'an unknown token')


def t_users(s, a, b):
    adm = a.tokens['admin']
    r = s.request('GET', '/api/v1/users', token=adm)
    j = r.json() or {}
    check(r.status == 200 and j.get('total') == 5 and len(j.get('items', [])) == 5 and
          j.get('next_offset') is None, 'list users: %s' % r.text[:200])
    r = s.request('GET', '/api/v1/users?limit=2&offset=1', token=adm)
    j = r.json() or {}
    check(r.status == 200 and [u['role'] for u in j.get('items', [])] == ['issuer', 'assessor']
          and j.get('next_offset') == 3, 'a page of users: %s' % r.text[:200])
    r = s.request('GET', '/api/v1/users?offset=99', token=adm)
    check(r.status == 200 and (r.json() or {}).get('items') == [], 'a page past the end')
    for bad in ('limit=0', 'limit=201', 'limit=abc', 'offset=-1', 'limit=1e2'):
        e = error_body(s.request('GET', '/api/v1/users?' + bad, token=adm), 400, 'query ' + bad)
        check('query:' in e.get('message', ''), 'query error says where: %s' % e)
    error_body(s.request('GET', '/api/v1/users', token=a.tokens['issuer']), 403,
               'an issuer lists users')
    error_body(s.request('GET', '/api/v1/users'), 401, 'anonymous lists users')

    r = s.request('POST', '/api/v1/users', {'email': 'new@%s.example' % a.name, 'role': 'issuer'},
                  token=adm)
    u = r.json() or {}
    check(r.status == 201 and u.get('role') == 'issuer' and
          r.header('Location') == '/api/v1/users/%s' % u.get('id'), 'add a user: %s' % r.text)
    e = error_body(s.request('POST', '/api/v1/users', {'email': 'new@%s.example' % a.name,
                                                      'role': 'learner'}, token=adm),
                   409, 'the same e-mail again')
    check('exists' in e.get('message', ''), 'conflict message: %s' % e)
    r = s.request('POST', '/api/v1/users', {'email': 'new@%s.example' % a.name, 'role': 'issuer'},
                  token=b.tokens['admin'])
    check(r.status == 201, 'the same e-mail in another organisation is fine')
    cases = [({'email': 'not-an-address', 'role': 'issuer'}, 'email'),
             ({'email': 'x@y.example', 'role': 'king'}, 'role'),
             ({'email': 'x@y.example'}, 'role'),
             ({'email': 7, 'role': 'issuer'}, 'email'),
             ({'email': 'x@y.example', 'role': 'issuer', 'extra': 1}, 'extra'),
             ([1, 2], 'object')]
    for body, word in cases:
        e = error_body(s.request('POST', '/api/v1/users', body, token=adm), 400,
                       'add user %r' % body)
        check(word in e.get('message', ''), 'the 400 names %s: %s' % (word, e))
    error_body(s.request('POST', '/api/v1/users', '{"email":', token=adm,
                         headers={'Content-Type': 'application/json'}), 400, 'broken JSON')
    error_body(s.request('POST', '/api/v1/users', 'email=x', token=adm,
                         headers={'Content-Type': 'application/x-www-form-urlencoded'}), 415,
               'a form body')

    r = s.request('GET', '/api/v1/users/%d' % u['id'], token=adm)
    check(r.status == 200 and (r.json() or {}).get('email') == u.get('email'), 'get a user')
    error_body(s.request('GET', '/api/v1/users/%d' % u['id'], token=b.tokens['admin']), 404,
               "another organisation's user")
    for bad in ('abc', '0', '-1', '99999999999999999999'):
        error_body(s.request('GET', '/api/v1/users/' + bad, token=adm), 404, 'user id ' + bad)

    r = s.request('PUT', '/api/v1/users/%d/role' % u['id'], {'role': 'assessor'}, token=adm)
    check(r.status == 200 and (r.json() or {}).get('role') == 'assessor', 'change a role')
    error_body(s.request('PUT', '/api/v1/users/%d/role' % u['id'], {'role': 'god'}, token=adm),
               400, 'an unknown role')
    error_body(s.request('PUT', '/api/v1/users/%d/role' % u['id'], {'role': 'admin'},
                         token=b.tokens['admin']), 404, "another organisation's user's role")
    e = error_body(s.request('PUT', '/api/v1/users/%d/role' % a.user_ids['admin'],
                             {'role': 'issuer'}, token=adm), 409, 'demote the last admin')
    check('last admin' in e.get('message', ''), 'says why: %s' % e)
    error_body(s.request('PUT', '/api/v1/users/%d/role' % u['id'], {'role': 'admin'},
                         token=a.tokens['issuer']), 403, 'an issuer changes a role')
    return u


def t_tokens(s, a, b, u):
    adm = a.tokens['admin']
    r = s.request('POST', '/api/v1/tokens', {'user': u['id'], 'label': 'ci'}, token=adm)
    t = r.json() or {}
    check(r.status == 201 and len(t.get('token', '')) == 43 and len(t.get('id', '')) == 16 and
          t.get('user') == u['id'] and t.get('label') == 'ci', 'create a token: %s' % r.text)
    tok = t.get('token', '')
    r = s.request('GET', '/api/v1/me', token=tok)
    check(r.status == 200 and (r.json() or {}).get('id') == u['id'], 'the new token works')
    r = s.request('GET', '/api/v1/tokens?limit=200', token=adm)
    j = r.json() or {}
    check(r.status == 200 and any(x['id'] == t.get('id') for x in j.get('items', [])) and
          tok not in r.text and 'token' not in json.dumps([sorted(x) for x in j['items']]),
          'the list shows ids and labels, never a secret')
    r = s.request('GET', '/api/v1/tokens', token=tok)
    j = r.json() or {}
    check(r.status == 200 and [x['id'] for x in j.get('items', [])] == [t.get('id')],
          'a non-admin sees only their own tokens: %s' % r.text[:300])
    r = s.request('POST', '/api/v1/tokens', token=adm)
    t2 = r.json() or {}
    check(r.status == 201 and t2.get('user') == a.user_ids['admin'],
          'a token for oneself (no body)')
    error_body(s.request('DELETE', '/api/v1/tokens/' + t2.get('id', 'x'), token=tok), 404,
               "a non-admin revokes another user's token")
    error_body(s.request('DELETE', '/api/v1/tokens/' + t.get('id', 'x'),
                         token=b.tokens['admin']), 404, "another organisation's token")
    error_body(s.request('DELETE', '/api/v1/tokens/nothex', token=adm), 404, 'a bad token id')
    r = s.request('DELETE', '/api/v1/tokens/' + t.get('id', 'x'), token=tok)
    check(r.status == 204 and r.body == b'', 'revoke one\'s own token: %d' % r.status)
    error_body(s.request('GET', '/api/v1/me', token=tok), 401, 'a revoked token')
    r = s.request('DELETE', '/api/v1/tokens/' + t2.get('id', 'x'), token=adm)
    check(r.status == 204, 'an admin revokes a token')
    error_body(s.request('DELETE', '/api/v1/tokens/' + t2.get('id', 'x'), token=adm), 404,
               'revoke twice')
    error_body(s.request('POST', '/api/v1/tokens', {'user': b.user_ids['admin']}, token=adm),
               400, "a token for another organisation's user")
    error_body(s.request('POST', '/api/v1/tokens', {'label': 'x' * 201}, token=adm), 400,
               'a label too long')
    error_body(s.request('POST', '/api/v1/tokens', {'user': 'me'}, token=adm), 400,
               'user is not an id')
    error_body(s.request('POST', '/api/v1/tokens', {}, token=a.tokens['issuer']), 403,
               'an issuer creates a token')


def t_issuers(s, a, b):
    r = s.request('GET', '/api/v1/issuers', token=a.tokens['issuer'])
    j = r.json() or {}
    items = j.get('items', [])
    check(r.status == 200 and len(items) == 1 and items[0]['name'] == a.name + ' Academy' and
          items[0]['did'].startswith('did:key:'), 'list issuers: %s' % r.text[:300])
    iid = items[0]['id'] if items else 0
    r = s.request('GET', '/api/v1/issuers/%d' % iid, token=a.tokens['admin'])
    j = r.json() or {}
    check(r.status == 200 and len(j.get('keys', [])) == 1 and
          j['keys'][0]['public_key_multibase'].startswith('z6Mk') and 'key_file' not in r.text,
          'an issuer with its public key only: %s' % r.text[:300])
    error_body(s.request('GET', '/api/v1/issuers/%d' % iid, token=b.tokens['admin']), 404,
               "another organisation's issuer")
    error_body(s.request('GET', '/api/v1/issuers', token=a.tokens['assessor']), 403,
               'an assessor lists issuers')
    return iid


def t_achievements(s, a, b):
    r = s.request('POST', '/api/v1/achievements', ACH, token=a.tokens['issuer'])
    j = r.json() or {}
    check(r.status == 201 and j.get('version') == 1 and j.get('uri') == ACH['id'],
          'create an achievement: %s' % r.text[:300])
    r = s.request('POST', '/api/v1/achievements', dict(ACH, name='API Test 2'),
                  token=a.tokens['admin'])
    j2 = r.json() or {}
    check(r.status == 201 and j2.get('version') == 2, 'a new version of it')
    bad = dict(ACH)
    del bad['name']
    bad['criteria'] = 'none'
    r = s.request('POST', '/api/v1/achievements', bad, token=a.tokens['issuer'])
    e = error_body(r, 400, 'an invalid achievement')
    check(e.get('error') == 'invalid_achievement' and len(e.get('problems', [])) >= 2 and
          any('name' in p for p in e['problems']) and any('criteria' in p for p in e['problems']),
          'every problem listed: %s' % e)
    error_body(s.request('POST', '/api/v1/achievements', '[1,', token=a.tokens['issuer'],
                         headers={'Content-Type': 'application/json'}), 400, 'not JSON')
    error_body(s.request('POST', '/api/v1/achievements', 'x', token=a.tokens['issuer'],
                         headers={'Content-Type': 'text/plain'}), 415, 'text/plain')
    error_body(s.request('POST', '/api/v1/achievements', ACH, token=a.tokens['assessor']), 403,
               'an assessor creates an achievement')
    r = s.request('GET', '/api/v1/achievements', token=a.tokens['assessor'])
    items = (r.json() or {}).get('items', [])
    check(r.status == 200 and any(x['uri'] == ACH['id'] and x['version'] == 2 for x in items),
          'the list shows the latest version')
    r = s.request('GET', '/api/v1/achievements/%s' % j.get('id'), token=a.tokens['assessor'])
    check(r.status == 200 and (r.json() or {}).get('achievement', {}).get('name') == 'API Test',
          'get a version by row id')
    r = s.request('GET', '/api/v1/achievements/' + q(ACH['id']), token=a.tokens['issuer'])
    check(r.status == 200 and (r.json() or {}).get('version') == 2, 'get the latest by URI')
    error_body(s.request('GET', '/api/v1/achievements/%s' % j.get('id'),
                         token=b.tokens['admin']), 404, "another organisation's achievement")
    error_body(s.request('GET', '/api/v1/achievements/' + q(ACH['id']),
                         token=b.tokens['admin']), 404, "another organisation's URI")
    error_body(s.request('GET', '/api/v1/achievements/1', token=a.tokens['learner']), 403,
               'a learner reads achievements')
    return j2.get('id')


def t_learners(s, a, b):
    r = s.request('POST', '/api/v1/learners', {'name': 'Ann Lee', 'email': 'ann@example.org',
                                               'did': 'did:example:ann'}, token=a.tokens['issuer'])
    ln = r.json() or {}
    check(r.status == 201 and ln.get('did') == 'did:example:ann', 'add a learner: %s' % r.text)
    error_body(s.request('POST', '/api/v1/learners', {'name': 'Ann 2', 'email': 'ann@example.org'},
                         token=a.tokens['issuer']), 409, 'the same e-mail again')
    for body, word in (({'name': 'X'}, 'e-mail address or a DID'),
                       ({'name': 'X', 'email': 'nope'}, 'email'),
                       ({'name': 'X', 'did': 'did:'}, 'did'),
                       ({'email': 'x@y.example'}, 'name'),
                       ({'name': 'X\u0007', 'email': 'x@y.example'}, 'name')):
        e = error_body(s.request('POST', '/api/v1/learners', body, token=a.tokens['issuer']), 400,
                       'add learner %r' % body)
        check(word in e.get('message', ''), 'the 400 names %s: %s' % (word, e))
    r = s.request('GET', '/api/v1/learners?limit=2', token=a.tokens['assessor'])
    j = r.json() or {}
    check(r.status == 200 and len(j.get('items', [])) == 2 and j.get('next_offset') == 2,
          'a page of learners')
    r = s.request('GET', '/api/v1/learners?limit=2&offset=2', token=a.tokens['assessor'])
    j = r.json() or {}
    check(r.status == 200 and len(j.get('items', [])) == 2 and j.get('next_offset') is None,
          'the last page of learners: %s' % r.text[:300])
    for ref in (str(ln.get('id')), q('ann@example.org'), q('did:example:ann')):
        r = s.request('GET', '/api/v1/learners/' + ref, token=a.tokens['assessor'])
        check(r.status == 200 and (r.json() or {}).get('id') == ln.get('id'),
              'get a learner by ' + ref)
    error_body(s.request('GET', '/api/v1/learners/%s' % ln.get('id'), token=b.tokens['admin']),
               404, "another organisation's learner")
    error_body(s.request('POST', '/api/v1/learners', {'name': 'X', 'email': 'x@y.example'},
                         token=a.tokens['assessor']), 403, 'an assessor adds a learner')
    return ln


def t_issue(s, a, b, ach, iid):
    path = '/api/v1/achievements/%s/issue' % ach
    tok = a.tokens['issuer']
    r = s.request('POST', path, {'recipient': 'Ann@Example.org', 'name': 'Ann Lee',
                                 'valid_until': '2031-01-01T00:00:00Z',
                                 'evidence_url': 'https://example.org/e/1'}, token=tok)
    c = r.json() or {}
    doc = c.get('credential') or {}
    check(r.status == 201 and c.get('already') is False and c.get('state') == 'active' and
          'OpenBadgeCredential' in doc.get('type', []) and
          doc.get('proof', {}).get('cryptosuite') == 'eddsa-rdfc-2022' and
          doc.get('id') == c.get('id'), 'issue one: %s' % r.text[:300])
    r = s.request('POST', path, {'recipient': 'Ann@Example.org', 'name': 'Ann Lee'}, token=tok)
    check(r.status == 200 and (r.json() or {}).get('already') is True and
          (r.json() or {}).get('id') == c.get('id'), 'the same recipient again: issued before')
    r = s.request('POST', path, {'recipient': 'did:example:ann', 'issuer': iid, 'key': 'k-1'},
                  token=a.tokens['admin'])
    check(r.status == 201, 'issue to a DID with an explicit issuer and key: %s' % r.text[:200])
    for body, word in (({'recipient': 'nobody'}, 'recipient'), ({}, 'recipient'),
                       ({'recipient': 'a@b.example', 'valid_until': 'tomorrow'}, 'valid_until'),
                       ({'recipient': 'a@b.example', 'evidence_url': 'not a url'},
                        'evidence_url'),
                       ({'recipient': 'a@b.example', 'colour': 'red'}, 'colour'),
                       ({'recipient': 'a@b.example', 'name': 5}, 'name'),
                       ({'recipient': 'a@b.example', 'issuer': 'x'}, 'issuer')):
        e = error_body(s.request('POST', path, body, token=tok), 400, 'issue %r' % body)
        check(word in e.get('message', ''), 'the 400 names %s: %s' % (word, e))
    e = error_body(s.request('POST', path, {'recipient': 'a@b.example', 'issuer': 999999},
                             token=tok), 400, 'an issuer that does not exist')
    error_body(s.request('POST', '/api/v1/achievements/%s/issue' % b.achievement,
                         {'recipient': 'a@b.example'}, token=tok), 404,
               "another organisation's achievement")
    error_body(s.request('POST', path, {'recipient': 'a@b.example'}, token=a.tokens['assessor']),
               403, 'an assessor issues')
    return c


def t_credentials(s, a, b, c):
    tok = a.tokens['issuer']
    r = s.request('GET', '/api/v1/credentials?limit=1', token=tok)
    j = r.json() or {}
    check(r.status == 200 and len(j.get('items', [])) == 1 and j.get('total', 0) >= 4 and
          j.get('next_offset') == 1 and 'credential' not in j['items'][0],
          'list credentials (records, no documents): %s' % r.text[:300])
    cid = c.get('id', '')
    uuid = cid.rsplit('/', 1)[-1]
    for ref in (q(cid), uuid):
        r = s.request('GET', '/api/v1/credentials/' + ref, token=tok)
        check(r.status == 200 and (r.json() or {}).get('credential', {}).get('id') == cid,
              'get a credential by ' + ref[:20])
    error_body(s.request('GET', '/api/v1/credentials/' + q(cid), token=b.tokens['admin']), 404,
               "another organisation's credential")
    error_body(s.request('GET', '/api/v1/credentials/' + q(b.credentials[0]), token=tok), 404,
               "another organisation's credential id")
    base = '/api/v1/credentials/%s/' % uuid
    r = s.request('POST', base + 'suspend', {'reason': 'under review'}, token=tok)
    check(r.status == 200 and (r.json() or {}).get('state') == 'suspended' and
          (r.json() or {}).get('reason') == 'under review', 'suspend: %s' % r.text[:200])
    r = s.request('POST', base + 'unsuspend', token=tok)
    check(r.status == 200 and (r.json() or {}).get('state') == 'active', 'unsuspend (no body)')
    error_body(s.request('POST', base + 'unsuspend', token=tok), 409, 'unsuspend an active one')
    error_body(s.request('POST', base + 'revoke', {'why': 'x'}, token=tok), 400,
               'an unknown member')
    error_body(s.request('POST', base + 'revoke', {'reason': 'x' * 1001}, token=tok), 400,
               'a reason too long')
    error_body(s.request('POST', base + 'revoke', {'reason': 'x'}, token=a.tokens['assessor']),
               403, 'an assessor revokes')
    error_body(s.request('POST', base + 'revoke', {'reason': 'x'}, token=b.tokens['admin']),
               404, "another organisation revokes")
    r = s.request('POST', base + 'revoke', {'reason': 'issued in error'}, token=a.tokens['admin'])
    check(r.status == 200 and (r.json() or {}).get('state') == 'revoked', 'revoke')
    e = error_body(s.request('POST', base + 'suspend', token=tok), 409, 'suspend a revoked one')
    check('final' in e.get('message', ''), 'revocation is final: %s' % e)
    r = s.request('GET', '/api/v1/credentials/' + uuid, token=tok)
    status = (r.json() or {}).get('credential', {}).get('credentialStatus', [])
    check(r.status == 200 and (r.json() or {}).get('state') == 'revoked' and len(status) == 2,
          'the credential carries both status entries')


def t_me_credentials(s, a, b, ach):
    learner_email = 'learner@%s.example' % a.name
    r = s.request('POST', '/api/v1/achievements/%s/issue' % ach,
                  {'recipient': learner_email.upper()}, token=a.tokens['issuer'])
    mine = (r.json() or {}).get('id')
    check(r.status == 201, 'issue to the learner user')
    r = s.request('GET', '/api/v1/me/credentials', token=a.tokens['learner'])
    items = (r.json() or {}).get('items', [])
    check(r.status == 200 and [x['id'] for x in items] == [mine],
          'a learner sees their own credentials only: %s' % r.text[:300])
    r = s.request('GET', '/api/v1/me/credentials/' + q(mine), token=a.tokens['learner'])
    check(r.status == 200 and (r.json() or {}).get('credential', {}).get('id') == mine,
          'and reads one with its document')
    error_body(s.request('GET', '/api/v1/me/credentials/' + q(a.credentials[0]),
                         token=a.tokens['learner']), 404, "someone else's credential")
    error_body(s.request('GET', '/api/v1/me/credentials/' + q(mine), token=b.tokens['learner']),
               404, "another organisation's learner")
    r = s.request('GET', '/api/v1/me/credentials', token=a.tokens['recruiter'])
    check(r.status == 200 and (r.json() or {}).get('items') == [], 'a recruiter has none')
    error_body(s.request('GET', '/api/v1/credentials', token=a.tokens['learner']), 403,
               "a learner lists the organisation's credentials")
    error_body(s.request('GET', '/api/v1/credentials', token=a.tokens['recruiter']), 403,
               "a recruiter lists the organisation's credentials")


def over_max_body(s, path, token):
    """POST headers announcing a body over the default --max-body; the
    server answers before reading it. Returns the status (None: no answer)."""
    c = socket.create_connection(('127.0.0.1', s.port), timeout=30)
    try:
        c.sendall(('POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
                   'Content-Type: text/csv\r\nContent-Length: 2000000\r\n\r\n'
                   % (path, token)).encode())
        data = b''
        while b'\r\n' not in data:
            more = c.recv(4096)
            if not more:
                break
            data += more
        parts = data.split(b' ', 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    finally:
        c.close()


def csv_file(n, prefix, bad=()):
    lines = ['recipient,name,valid_until']
    for i in range(n):
        if i in bad:
            lines.append('not-an-address,Bad %d,' % i)
        else:
            lines.append('%s-%d@example.org,Person %d,2032-01-01T00:00:00Z' % (prefix, i, i))
    return '\n'.join(lines) + '\n'


def t_jobs(s, a, b, ach):
    tok = a.tokens['issuer']
    path = '/api/v1/achievements/%s/jobs' % ach
    body = csv_file(1000, 'bulk')
    r = s.request('POST', path, body, token=tok, headers={'Content-Type': 'text/csv'})
    j = r.json() or {}
    loc = r.header('Location')
    check(r.status == 202 and j.get('state') == 'queued' and loc == '/api/v1/jobs/%s' % j.get('id'),
          'submit 1,000 rows: %d %s' % (r.status, r.text[:200]))
    job, seen = follow_job(s, tok, loc)
    check(job.get('state') == 'done' and job.get('rows') == 1000 and job.get('issued') == 1000 and
          job.get('already') == 0 and job.get('failed') == 0 and job.get('row_errors') == [] and
          job.get('bytes_read') == len(body.encode()) and job.get('started') and
          job.get('finished'), '1,000 rows issued: %s' % json.dumps(job)[:400])
    rows = [x[1] for x in seen]
    check(rows == sorted(rows), 'progress only goes forward')
    check(any(x[0] in ('queued', 'running') for x in seen),
          'the job was seen unfinished (%d polls)' % len(seen))
    print('1,000-row job: %d polls, states %s' % (len(seen), sorted(set(x[0] for x in seen))))
    r = s.request('GET', '/api/v1/credentials?limit=1', token=tok)
    check((r.json() or {}).get('total', 0) >= 1000, 'the credentials are in the list')

    r = s.request('POST', path, body, token=tok, headers={'Content-Type': 'text/csv'})
    job, _ = follow_job(s, tok, r.header('Location') or '/none')
    check(job.get('state') == 'done' and job.get('already') == 1000 and job.get('issued') == 0,
          'the same file again issues nothing twice: %s' % json.dumps(job)[:300])

    lines = '{"recipient":"jl-1@example.org"}\n{"recipient":7}\n{"recipient":"jl-2@example.org"}\n'
    r = s.request('POST', path, lines, token=a.tokens['admin'],
                  headers={'Content-Type': 'application/x-ndjson'})
    job, _ = follow_job(s, tok, r.header('Location') or '/none')
    errs = job.get('row_errors', [])
    check(job.get('state') == 'done' and job.get('format') == 'jsonl' and job.get('issued') == 2
          and job.get('failed') == 1 and len(errs) == 1 and errs[0]['row'] == 2 and
          errs[0]['line'] == 2 and 'recipient' in errs[0]['message'] and
          not errs[0]['message'].startswith('row '), 'JSON Lines with a bad row: %s' % job)
    r = s.request('POST', path, csv_file(150, 'many-bad', bad=set(range(0, 150, 1))), token=tok,
                  headers={'Content-Type': 'text/csv'})
    job, _ = follow_job(s, tok, r.header('Location') or '/none')
    check(job.get('failed') == 150 and len(job.get('row_errors', [])) == 100,
          'at most 100 row errors are kept: %d' % len(job.get('row_errors', [])))

    e = error_body(s.request('POST', path, 'email,name\na@b.example,A\n', token=tok,
                             headers={'Content-Type': 'text/csv'}), 400, 'a bad CSV header')
    check('recipient' in e.get('message', ''), 'the header error names the column: %s' % e)
    error_body(s.request('POST', path, '', token=tok, headers={'Content-Type': 'text/csv'}), 400,
               'an empty file')
    error_body(s.request('POST', path, body, token=tok,
                         headers={'Content-Type': 'application/json'}), 415, 'JSON is not CSV')
    error_body(s.request('POST', path + '?issuer=abc', body, token=tok,
                         headers={'Content-Type': 'text/csv'}), 400, 'a bad issuer query')
    error_body(s.request('POST', '/api/v1/achievements/%s/jobs' % b.achievement, body, token=tok,
                         headers={'Content-Type': 'text/csv'}), 404,
               "another organisation's achievement")
    error_body(s.request('POST', path, body, token=a.tokens['assessor'],
                         headers={'Content-Type': 'text/csv'}), 403, 'an assessor submits')
    check(over_max_body(s, path, tok) == 413, 'a file over --max-body (1 MiB): 413')
    r = s.request('GET', '/api/v1/jobs?limit=2', token=tok)
    j = r.json() or {}
    ids = [x['id'] for x in j.get('items', [])]
    check(r.status == 200 and len(ids) == 2 and ids[0] > ids[1] and j.get('next_offset') == 2,
          'list jobs, newest first')
    error_body(s.request('GET', loc, token=b.tokens['admin']), 404, "another organisation's job")
    error_body(s.request('GET', '/api/v1/jobs/abc', token=tok), 404, 'a bad job id')
    error_body(s.request('GET', loc, token=a.tokens['assessor']), 403, 'an assessor reads a job')


def t_audit(s, a, b):
    r = s.request('GET', '/api/v1/audit?limit=200', token=a.tokens['admin'])
    items = (r.json() or {}).get('items', [])
    actions = [x['action'] for x in items]
    check(r.status == 200 and all(x in actions for x in ('user add', 'user role', 'token create',
                                                         'token revoke', 'learner add',
                                                         'achievement create', 'revoke',
                                                         'suspend', 'unsuspend')),
          'the audit log has every change: %s' % sorted(set(actions)))
    check(any(x['actor'] == 'issuer@%s.example' % a.name for x in items),
          'the API actor is the user')
    check(b.name not in r.text, "the audit log shows nothing of another organisation")
    r2 = s.request('GET', '/api/v1/audit?limit=1&offset=1', token=a.tokens['admin'])
    check(r2.status == 200 and (r2.json() or {}).get('items', [{}])[0].get('id') == items[1]['id'],
          'audit paging')
    error_body(s.request('GET', '/api/v1/audit', token=a.tokens['issuer']), 403,
               'an issuer reads the audit log')


def t_killed_job(dep, a):
    """A job running when its server is killed is failed at the next start;
    the same file again finishes it."""
    s = Server(a, '--rate', '0')
    tok = a.tokens['issuer']
    body = csv_file(3000, 'killed')
    r = s.request('POST', '/api/v1/achievements/%s/jobs' % a.achievement, body, token=tok,
                  headers={'Content-Type': 'text/csv'})
    loc = r.header('Location') or '/none'
    deadline = time.time() + 300
    j = {}
    while time.time() < deadline:
        j = s.request('GET', loc, token=tok).json() or {}
        if j.get('issued', 0) > 0 or j.get('state') in ('done', 'failed'):
            break
        time.sleep(0.05)
    check(j.get('state') == 'running', 'the job is running when the server is killed: %s' % j)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s.errf.close()
    s = Server(a, '--rate', '0')
    deadline = time.time() + 120
    while time.time() < deadline:
        j = s.request('GET', loc, token=tok).json() or {}
        if j.get('state') != 'running':
            break
        time.sleep(0.5)
    check(j.get('state') == 'failed' and 'abandoned' in (j.get('error') or ''),
          'after a restart the killed job is failed: %s' % json.dumps(j)[:300])
    before = j.get('issued', 0)
    r = s.request('POST', '/api/v1/achievements/%s/jobs' % a.achievement, body, token=tok,
                  headers={'Content-Type': 'text/csv'})
    j, _ = follow_job(s, tok, r.header('Location') or '/none')
    check(j.get('state') == 'done' and j.get('already', 0) >= before and
          j.get('already', 0) + j.get('issued', 0) == 3000,
          'submitting the file again finishes it: %s' % json.dumps(j)[:300])
    wait_jobs(s, tok)
    s.stop()


def t_stopped_job(dep, a):
    """A job running when its server stops cleanly (SIGTERM) stops after its
    batch and is failed at once, with the job queued behind it; the server
    still exits 0. (Needs srv_platform_stop called on the way out.)"""
    s = Server(a, '--rate', '0')
    tok = a.tokens['issuer']
    path = '/api/v1/achievements/%s/jobs' % a.achievement
    locs = []
    for prefix in ('stopped', 'behind'):
        r = s.request('POST', path, csv_file(3000, prefix), token=tok,
                      headers={'Content-Type': 'text/csv'})
        locs.append(r.header('Location') or '/none')
    deadline = time.time() + 300
    j = {}
    while time.time() < deadline:
        j = s.request('GET', locs[0], token=tok).json() or {}
        if j.get('issued', 0) > 0 or j.get('state') in ('done', 'failed'):
            break
        time.sleep(0.05)
    check(j.get('state') == 'running', 'the job is running at SIGTERM: %s' % j)
    s.stop()
    s = Server(a, '--rate', '0')
    j = s.request('GET', locs[0], token=tok).json() or {}
    check(j.get('state') == 'failed' and 'stopped while the job was running' in
          (j.get('error') or '') and j.get('finished'),
          'a clean stop fails the running job at once: %s' % json.dumps(j)[:300])
    k = s.request('GET', locs[1], token=tok).json() or {}
    check(k.get('state') == 'failed' and 'before the job started' in (k.get('error') or '') and
          k.get('issued') == 0, 'and the job queued behind it: %s' % json.dumps(k)[:300])
    s.stop()


def run(dep):
    a = dep.org('acme', n_learners=3, n_creds=2, suspension=True)
    b = dep.org('beta', n_learners=1, n_creds=1)
    with Server(a, '--rate', '0') as s:
        t_openapi_org_me(s, a, b)
        u = t_users(s, a, b)
        t_tokens(s, a, b, u)
        iid = t_issuers(s, a, b)
        ach = t_achievements(s, a, b)
        t_learners(s, a, b)
        c = t_issue(s, a, b, ach, iid)
        t_credentials(s, a, b, c)
        t_me_credentials(s, a, b, ach)
        t_jobs(s, a, b, ach)
        t_audit(s, a, b)
        wait_jobs(s, a.tokens['issuer'])
    t_killed_job(dep, a)
    t_stopped_job(dep, a)


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        print('--- %s' % backend, flush=True)
        run(Deployment(backend))
    report()


if __name__ == '__main__':
    main()
