#!/usr/bin/env python3
# test_authz.py - the authorisation matrix of `mcred serve`, enumerated from
# its own /openapi.json (which tests/unit/server/test_openapi.c keeps equal to
# the route tables): every operation x every principal (admin, issuer,
# assessor, learner and recruiter of organisation A, anonymous, and the admin
# of organisation B) x the ids it names (the principal's own organisation's,
# the other organisation's, and ids that exist nowhere). Expectations come
# from each operation's x-mcred-roles:
#   - a principal the roles do not admit is refused: 401 when anonymous, 403
#     otherwise;
#   - an admitted principal is not refused on its own organisation's rows
#     (no 401/403/404/405, no 5xx);
#   - the other organisation's rows answer 404, exactly as rows that do not
#     exist (same status, same error code: no existence oracle);
#   - no response to a signed-in principal (and none of a non-public route)
#     carries the other organisation's names, e-mails, DIDs, credential or
#     token ids (unless the request itself did);
#   - public routes never fail (5xx); their handlers may still ask for a
#     session, a CSRF token or an OAuth token.
# Path parameters say what they name with x-mcred-kind; x-mcred-owner "self"
# means "the caller's own row" (own = one made for that principal);
# x-mcred-test-body is the body sent ({{uniq}}, {{<kind>}} filled in).
# Operations whose rows cannot be made (a parameter without x-mcred-kind), or
# that need a body the document gives no x-mcred-test-body for, are checked
# for refusals only and listed at the end as not fully checked.
# On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed".
# SPDX-License-Identifier: Apache-2.0
import itertools, json, os, re, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import Deployment, Server, check, report  # noqa: E402

ROLES = ('admin', 'issuer', 'assessor', 'learner', 'recruiter')
METHODS = ('get', 'put', 'post', 'delete', 'patch')
KINDS = ('user', 'token', 'issuer', 'achievement', 'learner', 'job', 'credential')
NOWHERE = {'user': '999999999', 'token': 'ffffffffffffffff', 'issuer': '999999999',
           'achievement': '999999999', 'learner': '999999999', 'job': '999999999',
           'credential': 'urn:uuid:00000000-0000-4000-8000-000000000000'}
uniq = itertools.count(1)
not_checked = {}      # "METHOD path" -> why


def note(key, why):
    not_checked.setdefault(key, set()).add(why)


class Principal:
    def __init__(self, label, org, role):
        self.label, self.org, self.role = label, org, role

    @property
    def token(self):
        return self.org.tokens[self.role] if self.org else None

    @property
    def email(self):
        return '%s@%s.example' % (self.role, self.org.name) if self.org else None


class Fixture:
    """Rows of both organisations that the matrix names, made through the API."""

    def __init__(self, s, orgs):
        self.s, self.orgs = s, orgs
        self.rows = {}       # (org name, kind) -> id (as a path segment)
        self.own_cred = {}   # (org name, role) -> credential id issued to that user
        self.own_learner = {}   # org name -> the learner row of its learner-role user
        self.markers = {}    # org name -> strings that belong to it alone
        for o in orgs:
            self.make(o)

    def api(self, org, method, path, body=None):
        r = self.s.request(method, path, body, token=org.tokens['admin'])
        check(r.status < 300, 'fixture: %s %s: %d %s' % (method, path, r.status, r.text[:200]))
        return r.json() or {}

    def make(self, o):
        issuers = self.api(o, 'GET', '/api/v1/issuers')['items']
        self.rows[(o.name, 'issuer')] = str(issuers[0]['id'])
        self.rows[(o.name, 'achievement')] = str(o.achievement)
        self.rows[(o.name, 'learner')] = str(o.learners[0][0])
        me = self.api(o, 'POST', '/api/v1/learners', {'name': 'Matrix Learner',
                                                      'email': 'learner@%s.example' % o.name})
        self.own_learner[o.name] = str(me.get('id'))
        c = self.api(o, 'POST', '/api/v1/achievements/%s/issue' % o.achievement,
                     {'recipient': 'matrix@%s.example' % o.name})
        self.rows[(o.name, 'credential')] = urllib.parse.quote(c['id'], safe='')
        creds = [c['id']] + [x for x in o.credentials if x]
        for role in ROLES:
            c = self.api(o, 'POST', '/api/v1/achievements/%s/issue' % o.achievement,
                         {'recipient': '%s@%s.example' % (role, o.name)})
            self.own_cred[(o.name, role)] = urllib.parse.quote(c['id'], safe='')
            creds.append(c['id'])
        r = self.s.request('POST', '/api/v1/achievements/%s/jobs' % o.achievement,
                           'recipient\njob@%s.example\n' % o.name, token=o.tokens['admin'],
                           headers={'Content-Type': 'text/csv'})
        check(r.status == 202, 'fixture: a job (%d)' % r.status)
        self.rows[(o.name, 'job')] = str((r.json() or {}).get('id', 0))
        toks = self.api(o, 'GET', '/api/v1/tokens?limit=200')['items']
        self.markers[o.name] = [o.name, issuers[0]['did']] + creds + [t['id'] for t in toks]

    def fresh_user(self, o):
        u = self.api(o, 'POST', '/api/v1/users', {'email': 'fresh-%d@%s.example' %
                                                  (next(uniq), o.name), 'role': 'assessor'})
        return str(u.get('id'))

    def fresh_token(self, o, role):
        t = self.api(o, 'POST', '/api/v1/tokens', {'user': o.user_ids[role],
                                                   'label': 'matrix %d' % next(uniq)})
        return t.get('id')

    def value(self, kind, scope, p, self_owned):
        """The id of kind that scope names for principal p."""
        if scope == 'none':
            return NOWHERE[kind]
        a, b = self.orgs
        home = p.org or a
        o = home if scope == 'own' else (b if home is a else a)
        role = p.role if p.org else 'admin'
        if kind == 'user':
            return self.fresh_user(o)
        if kind == 'token':
            return self.fresh_token(o, role)
        if kind == 'credential' and self_owned:
            return self.own_cred[(o.name, role)]
        if kind == 'learner' and role == 'learner':
            # a learner's own learner row; 'peer': another learner of the same
            # organisation, which a learner must not see
            if scope == 'peer':
                return self.rows[(home.name, kind)]
            return self.own_learner[o.name]
        return self.rows[(o.name, kind)]


def deref(doc, p):
    ref = p.get('$ref', '')
    if ref.startswith('#/components/parameters/'):
        return doc['components']['parameters'][ref.rsplit('/', 1)[1]]
    return p


def operations(doc):
    for path in sorted(doc.get('paths', {})):
        item = doc['paths'][path]
        for m in METHODS:
            if m in item:
                yield path, m, item[m]


def admitted(roles, p):
    if roles == ['public']:
        return True
    if p.org is None:
        return False
    return 'authenticated' in roles or p.role in roles


def build(fx, doc, path, op, scope, p):
    """(url, body bytes or None, content type, the kinds named, problems)."""
    kinds, problems = set(), []
    params = {}
    for raw in op.get('parameters', []):
        d = deref(doc, raw)
        if d.get('in') == 'path':
            params[d['name']] = d.get('x-mcred-kind')
    self_owned = op.get('x-mcred-owner') == 'self'
    url = path
    for name in re.findall(r'{([^}]+)}', path):
        kind = params.get(name)
        if kind in KINDS:
            kinds.add(kind)
            v = fx.value(kind, scope, p, self_owned) if scope else 'x'
        else:
            problems.append('path parameter {%s} names no x-mcred-kind' % name)
            v = 'x'
        url = url.replace('{%s}' % name, v or 'x')
    body, ct = None, None
    if 'x-mcred-test-body' in op:
        tb = op['x-mcred-test-body']
        ct = op.get('x-mcred-test-content-type', 'application/json')
        text = tb if isinstance(tb, str) else json.dumps(tb)
        text = text.replace('{{uniq}}', 'm%d' % next(uniq))
        for kind in re.findall(r'{{(\w+)}}', text):
            if kind not in KINDS:
                problems.append('x-mcred-test-body names {{%s}}, not a kind' % kind)
                continue
            kinds.add(kind)
            v = urllib.parse.unquote(fx.value(kind, scope, p, self_owned)) if scope else 'x'
            text = text.replace('{{%s}}' % kind, v)
        body = text.encode()
    elif op.get('requestBody', {}).get('required'):
        problems.append('a body is required and there is no x-mcred-test-body')
    return url, body, ct, kinds, problems


def leaked(fx, p, r, url, body):
    """Markers of an organisation other than p's found in the response."""
    names = [o.name for o in fx.orgs if p.org is None or o is not p.org]
    sent = urllib.parse.unquote(url) + (body.decode(errors='replace') if body else '')
    text = r.text
    return [m for n in names for m in fx.markers[n] if m and m in text and m not in sent]


def send(s, p, method, url, body, ct):
    headers = {'Content-Type': ct} if ct else {}
    return s.request(method.upper(), url, body, headers=headers, token=p.token)


def check_route(s, fx, doc, path, m, op, principals, grid):
    key = '%s %s' % (m.upper(), path)
    roles = op.get('x-mcred-roles')
    if not isinstance(roles, list) or not roles:
        note(key, 'no x-mcred-roles')
        return
    public = roles == ['public']
    _, _, _, kinds, problems = build(fx, doc, path, op, None, principals[0])
    scoped = bool(kinds) and not problems
    for why in problems:
        note(key, why)
    for p in principals:
        ok_role = admitted(roles, p)
        scopes = ('own', 'other', 'none') if scoped and ok_role and not public else ('own',)
        if scoped and ok_role and not public and p.role == 'learner' and 'learner' in kinds:
            scopes += ('peer',)
        got = {}
        for scope in scopes:
            url, body, ct, _, _ = build(fx, doc, path, op, scope if scoped else None, p)
            r = send(s, p, m, url, body, ct)
            got[scope] = r
            what = '%s as %s (%s ids)' % (key, p.label, scope)
            if not ok_role:
                want = 401 if p.org is None else 403
                check(r.status == want, '%s: refused with %d, got %d %s' %
                      (what, want, r.status, r.text[:150]))
            elif public:
                # the router admits everyone; the handler may still ask for a session,
                # CSRF token or OAuth token (401/403): only a failure is wrong
                check(r.status < 500, '%s: a public route, got %d %s' %
                      (what, r.status, r.text[:150]))
            elif scope == 'own':
                if problems and r.status in (400, 404):
                    pass   # made-up ids or body: admission is all that can be told
                else:
                    check(r.status not in (401, 403, 404, 405) and r.status < 500,
                          '%s: admitted, got %d %s' % (what, r.status, r.text[:200]))
                if r.status == 404 and (r.json() or {}).get('error') == 'not_found' and \
                        'no such route' in r.text:
                    note(key, 'documented but not served (no such route)')
            else:
                check(r.status == 404, '%s: the row must look absent (404), got %d %s' %
                      (what, r.status, r.text[:200]))
            if not public or p.org is not None:
                bad = leaked(fx, p, r, url, body)
                check(not bad, '%s: the response leaks %s: %s' % (what, bad[:3], r.text[:300]))
        if 'other' in got and 'none' in got:
            a, b = got['other'], got['none']
            check(a.status == b.status and (a.json() or {}).get('error') ==
                  (b.json() or {}).get('error'),
                  '%s as %s: another organisation\'s ids answer like ids that do not exist '
                  '(%d %s vs %d %s)' % (key, p.label, a.status, a.text[:100], b.status,
                                        b.text[:100]))
        grid.append((key, p.label, ' '.join('%s=%d' % (k[:2], v.status) for k, v in got.items())))


def wait_jobs(s, orgs):
    deadline = time.time() + 600
    for o in orgs:
        while time.time() < deadline:
            r = s.request('GET', '/api/v1/jobs?limit=200', token=o.tokens['admin'])
            if r.status == 200 and all(j['state'] in ('done', 'failed')
                                       for j in (r.json() or {}).get('items', [])):
                break
            time.sleep(0.2)


def run(dep):
    a = dep.org('alpha', n_learners=2, n_creds=1)
    b = dep.org('beta', n_learners=2, n_creds=1)
    principals = [Principal(role, a, role) for role in ROLES] + \
        [Principal('anonymous', None, None), Principal('other-org admin', b, 'admin')]
    grid = []
    # the CLR 2.0 context is not embedded (DESIGN.md §4): the operator's
    # contexts directory gives it, as ../shared/data/contexts does here
    ctx = os.path.join(os.environ.get('MCRED_SHARED_DATA', ''), 'contexts')
    flags = ('--contexts-dir', ctx) if os.environ.get('MCRED_SHARED_DATA') and \
        os.path.isdir(ctx) else ()
    with Server(a, '--rate', '0', *flags) as s:
        r = s.request('GET', '/openapi.json')
        doc = r.json() or {}
        check(r.status == 200 and doc.get('paths'), 'GET /openapi.json')
        fx = Fixture(s, [a, b])
        n = 0
        for path, m, op in operations(doc):
            if not flags and path.endswith('/clr'):
                print('%s %s not checked: it needs the CLR 2.0 context, from '
                      '../shared/data/contexts (MCRED_SHARED_DATA), absent here' % (m, path))
                continue
            check_route(s, fx, doc, path, m, op, principals, grid)
            n += 1
        print('%s: %d operations x %d principals' % (dep.backend, n, len(principals)))
        check(n >= 30, 'the matrix covers the platform API at least (%d operations)' % n)
        wait_jobs(s, [a, b])
    if os.environ.get('MCRED_AUTHZ_GRID'):
        for row in grid:
            print('%-48s %-16s %s' % row)


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        print('--- %s' % backend, flush=True)
        run(Deployment(backend))
    if not_checked:
        print('operations not fully checked (refusals only):')
        for key in sorted(not_checked):
            print('  %s: %s' % (key, '; '.join(sorted(not_checked[key]))))
    report()


if __name__ == '__main__':
    main()
