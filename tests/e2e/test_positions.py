#!/usr/bin/env python3
# test_positions.py - employers end to end (issue 8 points 7 and 8): an
# academy issues credentials aligned to skills of a custom framework (one
# revoked, one expired, one skill only self-declared), its learners share
# them with an employer (`mcred position share`, also as a presentation of
# wallet items, and POST /api/v1/me/shares for a learner; a tampered wallet
# item is ignored), the employer creates a position (`mcred position create`,
# POST /api/v1/positions) and ranks the candidates (`mcred match` as table,
# JSON and CSV; GET /api/v1/positions/{id}/candidates as JSON and CSV; the
# page /positions/{id} for a recruiter's session). Authorisation: another
# organisation's position is a 404, a learner's token a 403. On SQLite, and
# on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import csv, io, json, os, re, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import Deployment, Server, check, report  # noqa: E402

HTML = {'Accept': 'text/html,application/xhtml+xml,*/*;q=0.8'}
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


def write(dep, name, text):
    path = os.path.join(dep.tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def achievement(dep, org, slug, skills):
    doc = {
        'id': 'https://academy.example/%s/%s' % (dep.tag, slug),
        'type': ['Achievement'], 'name': slug.replace('-', ' ').title(),
        'description': 'd', 'criteria': {'narrative': 'n'},
        'alignment': [{'type': ['Alignment'], 'targetName': s,
                       'targetUrl': 'https://skills.example/%s/%s' % (dep.tag, s)}
                      for s in skills],
    }
    rc, out, _ = org.mcred('achievement', 'create', write(dep, slug + '.json', json.dumps(doc)))
    return doc['id']


def issue(org, ach, email, *extra):
    rc, out, _ = org.mcred('issue', '--achievement', ach, '--recipient', email, *extra)
    return out.strip().split()[-1] if out.strip() else None


def sk(dep, name):
    return 'https://skills.example/%s/%s' % (dep.tag, name)


def setup(dep):
    emp = dep.org('employer', n_learners=0, n_creds=0)
    acad = dep.org('academy', n_learners=5, n_creds=0)
    other = dep.org('other', n_learners=0, n_creds=0)
    fw = write(dep, 'fw.csv', 'uri,label\n' + ''.join(
        '%s,%s\n' % (sk(dep, s), s) for s in ('sql', 'python', 'stats', 'viz')))
    acad.mcred('skills', 'import', 'custom', fw, '--name', 'pos' + dep.tag, '--quiet')
    a_sql = achievement(dep, acad, 'sql-basics', ['sql'])
    a_py = achievement(dep, acad, 'python-data', ['python', 'stats'])
    a_viz = achievement(dep, acad, 'viz', ['viz'])
    L = acad.learners   # (id, email)
    creds = {
        'l0-sql': issue(acad, a_sql, L[0][1]), 'l0-py': issue(acad, a_py, L[0][1]),
        'l1-sql': issue(acad, a_sql, L[1][1]), 'l1-py': issue(acad, a_py, L[1][1]),
        # valid for two seconds: expired by the time anyone ranks (validUntil must
        # follow validFrom, which is the time of issue)
        'l2-sql': issue(acad, a_sql, L[2][1], '--valid-until', time.strftime(
            '%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 2))),
        'l2-viz': issue(acad, a_viz, L[2][1]),
        'l3-sql': issue(acad, a_sql, L[3][1]),
    }
    acad.mcred('revoke', creds['l1-sql'])
    time.sleep(3)
    acad.mcred('skills', 'declare', '--learner', L[1][1], sk(dep, 'sql'))
    for i in range(4):
        acad.mcred('position', 'share', '--learner', str(L[i][0]), '--employer', emp.name)
    # L4 shares nothing; a share with an unknown organisation is refused
    rc, _, err = acad.mcred('position', 'share', '--learner', str(L[4][0]), '--employer',
                            'no-such-org-' + dep.tag, ok=(1,))
    check('--employer' in err, 'share with an unknown organisation: %s' % err.strip())
    return emp, acad, other, creds, (a_sql, a_py, a_viz)


def position_doc(dep, achievements):
    return {'title': 'Data analyst, "junior"',
            'required': [{'skill': sk(dep, 'sql'), 'weight': 2}],
            'preferred': [{'skill': sk(dep, 'python'), 'weight': 0.5},
                          {'skill': sk(dep, 'stats')},
                          {'credential': achievements[2]}]}


def by_learner(m, lid):
    for r in m['results']:
        if r['learner'] == lid:
            return r
    return None


def check_ranking(m, acad, creds, where):
    L = acad.learners
    order = [r['learner'] for r in m['results']]
    # L0: sql 2 + python .5 + stats 1 = 3.5 complete; L3: sql 2 complete;
    # then incomplete: L1 (python+stats 1.5; its SQL revoked), L2 (viz 1; SQL expired)
    check(order == [L[0][0], L[3][0], L[1][0], L[2][0]], '%s: ranking %r' % (where, order))
    check(m['candidates'] == 4, '%s: four candidates shared' % where)
    check(len(m.get('attribution', [])) == 1, '%s: the framework credited' % where)
    r0 = by_learner(m, L[0][0])
    check(r0 and r0['score'] == 3.5 and r0['complete'] and
          any(x['credential'] == creds['l0-sql'] for x in r0['matched']),
          '%s: L0 matched with the credential named' % where)
    r1 = by_learner(m, L[1][0])
    check(r1 and not r1['complete'] and r1['score'] == 1.5 and
          any(x.get('credential') == creds['l1-sql'] and x['why'] == 'revoked'
              for x in r1['ignored']) and
          any(x.get('skill', '').endswith('/sql') and 'self-declared' in x['why']
              for x in r1['ignored']),
          '%s: L1 revoked and self-declared SQL ignored: %r' % (where, r1 and r1['ignored']))
    r2 = by_learner(m, L[2][0])
    check(r2 and any(x.get('credential') == creds['l2-sql'] and x['why'] == 'expired'
                     for x in r2['ignored']) and
          any(x['kind'] == 'credential' for x in r2['matched']),
          '%s: L2 expired SQL ignored, the viz credential matched' % where)
    check(r2 and any(x['uri'].endswith('/sql') and x['required'] for x in r2['missing']),
          '%s: L2 misses the required SQL' % where)


def cli(dep, emp, acad, other, creds, achs):
    doc = position_doc(dep, achs)
    rc, out, _ = emp.mcred('position', 'create', write(dep, 'pos.json', json.dumps(doc)))
    pid = out.strip()
    check(pid.isdigit(), 'position create prints the id: %r' % out)
    rc, out, err = emp.mcred('position', 'create',
                             write(dep, 'bad.json', json.dumps({'title': 'x', 'required': [
                                 {'skill': 'https://nowhere.example/s'}]})), ok=(1,))
    check('position.required[0].skill' in err and 'not a concept' in err,
          'position create: a skill no framework defines: %s' % err.strip())
    rc, out, _ = emp.mcred('position', 'list', '--json')
    lst = json.loads(out or '[]')
    check(len(lst) == 1 and str(lst[0]['id']) == pid and lst[0]['title'] == doc['title'],
          'position list')
    rc, out, _ = emp.mcred('position', 'show', pid)
    shown = json.loads(out or '{}')
    check(shown.get('required', [{}])[0].get('label') == 'sql' and
          shown['preferred'][2].get('label') == 'Viz', 'position show: labels filled in')
    rc, out, err = other.mcred('position', 'show', pid, ok=(1,))
    check('no position' in err, "another organisation's position: not found")
    rc, out, _ = emp.mcred('match', '--position', pid, '--format', 'json')
    m = json.loads(out or '{}')
    check_ranking(m, acad, creds, 'cli json')
    rc, out, _ = emp.mcred('match', '--position', pid, '--top', '2')
    check(out.count('matched') >= 3 and 'score 3.5' in out and 'ignored' not in out.split(
        'score 2')[0], 'match table: top 2 with reasons')
    rc, out, _ = emp.mcred('match', '--position', pid, '--format', 'csv')
    rows = list(csv.reader(io.StringIO(out, newline='')))
    check(rows and rows[0][:6] == ['rank', 'learner', 'name', 'email', 'score', 'complete'] and
          len(rows) == 5 and rows[1][4] == '3.5' and rows[1][5] == 'yes',
          'match csv: header and 4 rows: %r' % rows[:2])
    check('\r\n' in out, 'match csv: CRLF line ends (RFC 4180)')
    rc, _, err = emp.mcred('match', '--position', '999999', ok=(1,))
    rc, _, err = emp.mcred('match', '--position', pid, '--top', '0', ok=(2,))
    return pid


def login(s, email, token):
    r = s.request('GET', '/login', headers=HTML)
    c = None
    for k, v in r.headers:
        if k.lower() == 'set-cookie' and v.startswith('mcred_login='):
            c = v.split(';')[0]
    m = re.search(r'name="csrf_token" value="([^"]*)"', r.text)
    csrf = m.group(1) if m else ''
    h = dict(FORM, Cookie=c or '')
    r = s.request('POST', '/login', urllib.parse.urlencode(
        {'csrf_token': csrf, 'email': email, 'token': token}), headers=h)
    for k, v in r.headers:
        if k.lower() == 'set-cookie' and v.startswith('mcred_session='):
            return v.split(';')[0]
    return None


def http(dep, emp, acad, other, creds, achs, cli_pid):
    doc = position_doc(dep, achs)
    with Server(emp, '--rate', '0') as s:
        tok = emp.tokens['recruiter']
        r = s.request('POST', '/api/v1/positions', doc, token=tok)
        pid = r.json().get('id') if r.json() else None
        check(r.status == 201 and pid and r.header('Location') == '/api/v1/positions/%s' % pid,
              'POST positions: 201 with Location (%d %s)' % (r.status, r.text[:200]))
        r = s.request('POST', '/api/v1/positions', {'title': 'x', 'preferred': [
            {'skill': sk(dep, 'sql'), 'weight': -1}]}, token=tok)
        check(r.status == 400 and 'position.preferred[0].weight' in r.json()['message'],
              'POST a bad position: 400 naming where (%s)' % r.text[:200])
        r = s.request('POST', '/api/v1/positions', 'not json', token=tok,
                      headers={'Content-Type': 'application/json'})
        check(r.status == 400, 'POST malformed JSON: 400')
        r = s.request('GET', '/api/v1/positions', token=emp.tokens['admin'])
        check(r.status == 200 and len(r.json()['positions']) == 2, 'GET positions (admin)')
        r = s.request('GET', '/api/v1/positions/%s' % pid, token=tok)
        check(r.status == 200 and r.json()['title'] == doc['title'], 'GET one position')
        r = s.request('GET', '/api/v1/positions/%s/candidates' % pid, token=tok)
        check(r.status == 200, 'GET candidates: %d' % r.status)
        if r.status == 200:
            check_ranking(r.json(), acad, creds, 'http json')
        r = s.request('GET', '/api/v1/positions/%s/candidates?top=1' % pid, token=tok)
        check(r.status == 200 and len(r.json()['results']) == 1, 'top=1')
        r = s.request('GET', '/api/v1/positions/%s/candidates?top=0' % pid, token=tok)
        check(r.status == 400, 'top=0: 400')
        r = s.request('GET', '/api/v1/positions/%s/candidates?format=csv' % pid, token=tok)
        rows = list(csv.reader(io.StringIO(r.text, newline='')))
        check(r.status == 200 and r.header('Content-Type').startswith('text/csv') and
              len(rows) == 5 and rows[0][0] == 'rank', 'candidates as CSV (?format=csv)')
        r = s.request('GET', '/api/v1/positions/%s/candidates' % pid, token=tok,
                      headers={'Accept': 'text/csv'})
        check(r.status == 200 and r.header('Content-Type').startswith('text/csv'),
              'candidates as CSV (Accept: text/csv)')
        # the title holds a quote and a comma: quoted in no cell, but names may; check escaping
        check('"' not in r.text.split('\r\n')[0], 'CSV header plain')
        # authorisation
        r = s.request('GET', '/api/v1/positions/%s' % pid, token=other.tokens['recruiter'])
        check(r.status == 404, "another organisation's position: 404 (%d)" % r.status)
        r = s.request('GET', '/api/v1/positions/%s/candidates' % pid,
                      token=other.tokens['admin'])
        check(r.status == 404, "another organisation's candidates: 404 (%d)" % r.status)
        r = s.request('GET', '/api/v1/positions', token=other.tokens['recruiter'])
        check(r.status == 200 and r.json()['positions'] == [],
              'another organisation lists none of ours')
        for role in ('learner', 'issuer', 'assessor'):
            r = s.request('GET', '/api/v1/positions/%s' % pid, token=emp.tokens[role])
            check(r.status == 403, '%s role: 403 (%d)' % (role, r.status))
        r = s.request('POST', '/api/v1/positions', doc, token=emp.tokens['learner'])
        check(r.status == 403, 'learner may not create a position: 403')
        r = s.request('GET', '/api/v1/positions/%s' % pid)
        check(r.status == 401, 'anonymous: 401')
        r = s.request('GET', '/api/v1/positions/abc', token=tok)
        check(r.status == 404, 'a non-numeric id: 404')
        # the page, for a recruiter's session
        r = s.request('GET', '/positions/%s' % pid, headers=HTML)
        check(r.status == 303 and r.header('Location', ) and
              r.header('Location').startswith('/login'), 'page: anonymous to /login')
        cookie = login(s, 'recruiter@%s.example' % emp.name, tok)
        check(cookie, 'recruiter signs in')
        r = s.request('GET', '/positions/%s' % pid, headers=dict(HTML, Cookie=cookie or ''))
        if r.status == 200 and 'expired' not in r.text:
            print(r.text)
        check(r.status == 200 and 'Data analyst, &quot;junior&quot;' in r.text and
              'Learner 0' in r.text and 'revoked' in r.text and 'expired' in r.text and
              'self-declared' in r.text, 'page: ranked candidates with reasons (%d)' % r.status)
        check(r.text.find('Learner 0') < r.text.find('Learner 3') < r.text.find('Learner 1'),
              'page: in rank order')
        ocookie = login(s, 'recruiter@%s.example' % other.name, other.tokens['recruiter'])
        r = s.request('GET', '/positions/%s' % pid, headers=dict(HTML, Cookie=ocookie or ''))
        check(r.status == 404, "page: another organisation's position: 404 (%d)" % r.status)
        lcookie = login(s, 'learner@%s.example' % emp.name, emp.tokens['learner'])
        r = s.request('GET', '/positions/%s' % pid, headers=dict(HTML, Cookie=lcookie or ''))
        check(r.status == 403, 'page: a learner: 403 (%d)' % r.status)
    # a learner shares through the API (the academy's server)
    email = 'learner@%s.example' % acad.name
    rc, out, _ = acad.mcred('learner', 'add', '--name', 'API Learner', '--email', email)
    lid = int(out.strip() or 0)
    c = issue(acad, achs[0], email)
    with Server(acad, '--rate', '0') as s:
        r = s.request('POST', '/api/v1/me/shares', {'employer': emp.name, 'credentials': [c]},
                      token=acad.tokens['learner'])
        check(r.status == 201 and r.json()['credentials'] == [c] and r.json()['learner'] == lid,
              'POST /api/v1/me/shares: 201 (%d %s)' % (r.status, r.text[:200]))
        r = s.request('POST', '/api/v1/me/shares', {'employer': emp.name, 'presentation': {
            'type': ['VerifiablePresentation'], 'verifiableCredential': [{'id': c}]}},
            token=acad.tokens['learner'])
        check(r.status == 201 and r.json()['credentials'] == [c],
              'POST /api/v1/me/shares with a presentation: 201 (%d %s)' % (r.status, r.text[:200]))
        r = s.request('POST', '/api/v1/me/shares', {'employer': emp.name, 'presentation': {
            'type': ['VerifiableCredential']}}, token=acad.tokens['learner'])
        check(r.status == 400 and 'presentation' in r.json()['message'],
              'a presentation that is not one: 400 (%s)' % r.text[:200])
        r = s.request('POST', '/api/v1/me/shares', {'employer': emp.name,
                                                    'credentials': ['urn:uuid:nope']},
                      token=acad.tokens['learner'])
        check(r.status == 400 and 'not a credential of learner' in r.json()['message'],
              'sharing a credential that is not yours: 400')
        r = s.request('POST', '/api/v1/me/shares', {'employer': 'nope-' + dep.tag},
                      token=acad.tokens['learner'])
        check(r.status == 404, 'sharing with an unknown organisation: 404')
        r = s.request('POST', '/api/v1/me/shares', {'employer': emp.name},
                      token=acad.tokens['admin'])
        check(r.status == 403, 'only a learner shares their own: 403')
    rc, out, _ = emp.mcred('match', '--position', str(pid), '--format', 'json')
    m = json.loads(out or '{}')
    r = by_learner(m, lid)
    check(m.get('candidates') == 5 and r and r['complete'] and r['score'] == 2.0,
          'the API share made a fifth candidate holding SQL')


def presentation(dep, emp, acad, achs, pid):
    """L4 imports its credential into its wallet, with a tampered copy (kept,
    marked invalid), and shares a presentation of the valid one; then shares
    everything: the tampered copy is ignored."""
    L4 = acad.learners[4]
    cid = issue(acad, achs[1], L4[1])
    f = os.path.join(dep.tmp, 'l4.json')
    acad.mcred('credential', 'export', '--out', f, cid)
    with open(f) as fh:
        doc = json.load(fh)
    doc['id'] = 'urn:uuid:7a3e1c52-0000-4000-8000-%012d' % int(dep.tag, 16)
    doc['credentialSubject']['achievement']['name'] = 'Tampered'
    t = write(dep, 'tampered.json', json.dumps(doc))
    rc, out, _ = acad.mcred('wallet', 'import', '--json', '--learner', L4[1], f, t)
    res = json.loads(out) if rc == 0 and out else []
    check([x.get('verdict') for x in res] == ['valid', 'invalid'],
          'wallet: the credential valid, the tampered copy invalid: %r' % res)
    if len(res) != 2:
        return
    vp = os.path.join(dep.tmp, 'vp.json')
    acad.mcred('present', '--learner', L4[1], '--credentials', str(res[0]['item']),
               '--challenge', 'c-' + dep.tag, '--out', vp)
    rc, out, _ = acad.mcred('position', 'share', '--learner', L4[1], '--employer', emp.name,
                            '--presentation', vp)
    check('presentation' in out, 'share a presentation: %s' % out.strip())
    rc, out, _ = emp.mcred('match', '--position', str(pid), '--format', 'json')
    r = by_learner(json.loads(out or '{}'), L4[0])
    check(r and r['score'] == 1.5 and not r['ignored'],
          "the presentation's credential counts (python + stats): %r" % (r and r['score']))
    acad.mcred('position', 'share', '--learner', L4[1], '--employer', emp.name)
    rc, out, _ = emp.mcred('match', '--position', str(pid), '--format', 'json')
    r = by_learner(json.loads(out or '{}'), L4[0])
    check(r and r['score'] == 1.5 and any(
        x.get('credential') == doc['id'] and "verdict 'invalid'" in x['why']
        for x in r['ignored']), 'the tampered wallet item is ignored: %r' % (r and r['ignored']))


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        dep = Deployment(backend)
        emp, acad, other, creds, achs = setup(dep)
        pid = cli(dep, emp, acad, other, creds, achs)
        http(dep, emp, acad, other, creds, achs, pid)
        presentation(dep, emp, acad, achs, pid)
    report()


if __name__ == '__main__':
    main()
