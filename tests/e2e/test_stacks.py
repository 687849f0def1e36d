#!/usr/bin/env python3
# test_stacks.py - end-to-end tests of stackable credentials through the CLI
# (`mcred stack create|list|progress|sweep`, and the triggers: `mcred issue`
# one at a time and in bulk, `mcred revoke`, `mcred wallet import`) and the
# platform API (POST/GET /api/v1/stacks, GET /api/v1/learners/{id}/progress):
# a stack completed by issuing is awarded once, its credential verifies with
# `mcred verify` and names the components as evidence; a component of
# another organisation's issuer imported into the wallet counts; a revoked
# component revokes the stack credential (policy revoke); progress shows the
# shortest way to finish; bad definitions (a cycle across stacks, 10,000
# components, unknown achievements) are refused with clear errors; two
# `mcred issue` processes completing the same stack at the same moment give
# exactly one stack credential; roles and organisations are kept apart. On
# SQLite, and on PostgreSQL when MCRED_TEST_PG names a database.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import json, os, re, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import MCRED, Deployment, Server, check, report  # noqa: E402


def achievement(org, uri, name, credits=None):
    a = {'id': uri, 'type': ['Achievement'], 'name': name, 'description': name + ' course',
         'criteria': {'narrative': 'Pass ' + name}}
    if credits is not None:
        a['creditsAvailable'] = credits
    path = os.path.join(org.dep.tmp, 'ach-%s-%s.json' % (org.name, name))
    with open(path, 'w') as f:
        json.dump(a, f)
    rc, out, _ = org.mcred('achievement', 'create', path)
    return out.split()[0] if out else None


def write(org, name, obj):
    path = os.path.join(org.dep.tmp, '%s-%s.json' % (org.name, name))
    with open(path, 'w') as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def issue(org, uri, email):
    rc, out, _ = org.mcred('issue', '--achievement', uri, '--recipient', email)
    return out.strip().split()[-1] if out.strip() else None


def progress(org, who, stack=None):
    args = ['stack', 'progress', '--learner', who, '--json']
    if stack:
        args += ['--stack', str(stack)]
    rc, out, _ = org.mcred(*args)
    try:
        return json.loads(out)
    except ValueError:
        check(False, 'stack progress --json: %r' % out[:300])
        return {'stacks': []}


def award_of(org, who, stack):
    p = progress(org, who, stack)
    s = p['stacks'][0] if p.get('stacks') else {}
    return s.get('award') or {}


def stack_creds(org, email, ach):
    """The credentials of achievement row ach issued to email."""
    rc, out, _ = org.mcred('credential', 'list', '--limit', '1000', '--json')
    try:
        items = json.loads(out)['credentials']
    except (ValueError, KeyError):
        return []
    return [c for c in items if c.get('recipient') == email and c.get('achievement') == ach]


def run_backend(backend):
    dep = Deployment(backend)
    org = dep.org('stk', n_learners=6, n_creds=0)
    oth = dep.org('oth', n_learners=1, n_creds=0)   # another organisation (access)
    base = 'https://stacks.example/%s/' % dep.tag
    for n, cr in (('A', 2), ('B', 3), ('C', 4)):
        achievement(org, base + n, 'Course ' + n, cr)

    # --- definition and its errors -----------------------------------------------
    s_uri = base + 'S'
    sdef = {'achievement': {'id': s_uri, 'type': ['Achievement'], 'name': 'Certificate S',
                            'description': 'A and (B or C)',
                            'criteria': {'narrative': 'Hold A, and B or C'}},
            'rule': {'allOf': [{'achievement': base + 'A'},
                               {'anyOf': [{'achievement': base + 'B'},
                                          {'achievement': base + 'C'}]}]},
            'freshness': True, 'onComponentRevoked': 'revoke'}
    rc, out, err = org.mcred('stack', 'create', write(org, 'S', sdef))
    check(rc == 0 and out.startswith('stack '), 'stack create: %r %r' % (out, err))
    sid = int(out.split()[1].rstrip(':')) if rc == 0 else 0
    rc, out, err = org.mcred('stack', 'create', write(org, 'S', sdef), ok=(1,))
    check('a stack already' in err, 'the same stack twice: %r' % err)
    # a stack of stacks: T needs S and C
    tdef = {'achievement': {'id': base + 'T', 'type': ['Achievement'], 'name': 'T',
                            'description': 'T', 'criteria': {'narrative': 'T'}},
            'rule': {'allOf': [{'achievement': s_uri}, {'achievement': base + 'C'}]}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'T', tdef))
    tid = int(out.split()[1].rstrip(':')) if rc == 0 else 0
    # a cycle across stacks: P needs Q, then Q is asked to need P
    achievement(org, base + 'Q', 'Q')
    pdef = {'achievement': {'id': base + 'P', 'type': ['Achievement'], 'name': 'P',
                            'description': 'P', 'criteria': {'narrative': 'P'}},
            'rule': {'allOf': [{'achievement': base + 'Q'}, {'achievement': base + 'A'}]}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'P', pdef))
    qdef = {'achievementId': base + 'Q', 'rule': {'anyOf': [{'achievement': base + 'P'}]}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'Qs', qdef), ok=(1,))
    check('cycle' in err, 'a cycle across stacks is refused: %r' % err)
    big = {'achievementId': base + 'A',
           'rule': {'allOf': [{'achievement': base + 'B'}] * 10000}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'big', big), ok=(1,))
    check('more than 1000' in err, '10,000 components are refused: %r' % err[-300:])
    unk = {'achievementId': base + 'A',
           'rule': {'allOf': [{'achievement': base + 'B'},
                              {'achievement': 'https://nowhere.example/z'}]}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'unk', unk), ok=(1,))
    check("unknown achievement 'https://nowhere.example/z'" in err and
          'rule.allOf[1].achievement' in err, 'an unknown achievement is refused: %r' % err)
    rc, out, err = org.mcred('stack', 'list', '--json')
    listed = json.loads(out) if rc == 0 else []
    check(len(listed) == 3 and listed[0]['achievement'] == s_uri and
          listed[0]['onComponentRevoked'] == 'revoke', 'stack list: %r' % out[:300])

    # --- issuing completes it, once --------------------------------------------------
    l0 = org.learners[0][1]
    p = progress(org, l0, sid)
    s0 = p['stacks'][0]
    check(not s0['satisfied'] and s0['missing'] == 2 and s0['todo'][0] == base + 'A',
          'progress before: %r' % s0)
    issue(org, base + 'A', l0)
    check(award_of(org, l0, sid) == {}, 'A alone does not complete S')
    cb = issue(org, base + 'B', l0)
    aw = award_of(org, l0, sid)
    check(aw.get('state') == 'issued' and aw.get('credential'), 'B completes S: %r' % aw)
    sc = aw.get('credential')
    rc, doc, _ = org.mcred('credential', 'export', sc or 'none')
    path = write(org, 'stackcred', doc)
    rc, out, err = org.mcred('verify', path)
    check(rc == 0, 'the stack credential verifies: %s %s' % (out[-300:], err[-300:]))
    try:
        ev = json.loads(doc).get('evidence') or []
    except ValueError:
        ev = []
    check(len(ev) == 2 and cb in [e.get('id') for e in ev],
          'its evidence names the component credentials: %r' % ev)
    issue(org, base + 'C', l0)
    rows = json.loads(org.mcred('achievement', 'list', '--json')[1] or '[]')
    s_row = ([r['id'] for r in rows if r.get('uri') == s_uri] or [None])[0]
    check(len(stack_creds(org, l0, s_row)) == 1, 'a third component issues nothing more')
    t_aw = award_of(org, l0, tid)
    check(t_aw.get('state') == 'issued', 'a stack of stacks: S and C complete T: %r' % t_aw)
    text = org.mcred('stack', 'progress', '--learner', l0)[1]
    check('complete' in text and 'done' in text, 'progress as text: %r' % text[:300])

    # --- revoking a component: policy revoke ------------------------------------------
    l1 = org.learners[1][1]
    issue(org, base + 'A', l1)
    c1 = issue(org, base + 'C', l1)
    aw = award_of(org, l1, sid)
    check(aw.get('state') == 'issued', 'A and C complete S: %r' % aw)
    org.mcred('revoke', c1, '--reason', 'test')
    aw2 = award_of(org, l1, sid)
    check(aw2.get('state') == 'revoked', 'revoking C revokes the stack award: %r' % aw2)
    rc, out, _ = org.mcred('credential', 'show', '--json', aw.get('credential') or 'none')
    try:
        check(json.loads(out).get('state') == 'revoked', 'the stack credential is revoked')
    except ValueError:
        check(False, 'credential show: %r' % out[:200])

    # --- bulk issue: the hook evaluates each (learner, stack) once ----------------------
    l2, l3 = org.learners[2][1], org.learners[3][1]
    issue(org, base + 'B', l2)
    issue(org, base + 'B', l3)
    csv = write(org, 'bulk.csv', 'recipient\n%s\n%s\n' % (l2, l3))
    org.mcred('issue', '--achievement', base + 'A', '--csv', csv, '--quiet')
    check(award_of(org, l2, sid).get('state') == 'issued' and
          award_of(org, l3, sid).get('state') == 'issued', 'bulk issue completes S for both')

    # --- another issuer's credential (its own key) in the wallet ---------------------
    l4 = org.learners[4][1]
    x_uri = 'https://other.example/%s/X' % dep.tag
    key = os.path.join(dep.tmp, 'other-%s.key' % backend)
    org.mcred('key', 'new', '--out', key)
    did = json.loads(org.mcred('key', 'show', '--json', key)[1] or '{}').get('did', '')
    xach = write(org, 'xach', {'id': x_uri, 'type': ['Achievement'], 'name': 'Other X',
                               'description': 'elsewhere', 'criteria': {'narrative': 'X'}})
    rc, unsigned, _ = org.mcred('credential', 'new', '--issuer', did, '--issuer-name',
                                'Other College', '--achievement', xach, '--recipient', l4)
    rc, xdoc, _ = org.mcred('sign', '--key', key, write(org, 'xu', unsigned))
    xpath = write(org, 'x', xdoc)
    forged = write(org, 'xf', xdoc.replace('Other College', 'Forged College'))
    xdef = {'achievement': {'id': base + 'V', 'type': ['Achievement'], 'name': 'V',
                            'description': 'V', 'criteria': {'narrative': 'V'}},
            'rule': {'allOf': [{'achievement': base + 'A'},
                               {'achievement': x_uri, 'issuer': did}]},
            'external': [x_uri]}
    rc, out, err = org.mcred('stack', 'create', write(org, 'V', xdef))
    check(rc == 0, 'a stack with an external component: %r' % err)
    vid = int(out.split()[1].rstrip(':')) if rc == 0 else 0
    rc, out, _ = org.mcred('wallet', 'import', '--learner', l4, '--json', forged)
    check('"invalid"' in out, 'the forged credential is kept as invalid: %r' % out[:300])
    issue(org, base + 'A', l4)
    check(award_of(org, l4, vid) == {}, 'a forged component does not count')
    rc, out, _ = org.mcred('wallet', 'import', '--learner', l4, '--json', xpath)
    check('"valid"' in out, "the other issuer's credential verifies: %r" % out[:300])
    aw = award_of(org, l4, vid)
    check(aw.get('state') == 'pending', 'a verified import claims the award: %r' % aw)
    rc, out, err = org.mcred('stack', 'sweep')
    check(rc == 0 and '1 issued' in out, 'stack sweep: %r %r' % (out, err[-200:]))
    check(award_of(org, l4, vid).get('state') == 'issued', 'the sweep issues it')

    # --- the server sweeps by itself (--sweep-every) -----------------------------------
    l5 = 'sweep-%s@stk.example' % dep.tag
    org.mcred('learner', 'add', '--name', 'Sweep', '--email', l5)
    rc, unsigned, _ = org.mcred('credential', 'new', '--issuer', did, '--issuer-name',
                                'Other College', '--achievement', xach, '--recipient', l5)
    rc, x5, _ = org.mcred('sign', '--key', key, write(org, 'x5u', unsigned))
    issue(org, base + 'A', l5)
    rc, out, _ = org.mcred('wallet', 'import', '--learner', l5, '--json', write(org, 'x5', x5))
    check(award_of(org, l5, vid).get('state') == 'pending', 'imported: the award waits')
    with Server(org, '--rate', '0', '--sweep-every', '1') as s:
        state, t0 = None, time.time()
        while time.time() - t0 < 30:
            state = award_of(org, l5, vid).get('state')
            if state == 'issued':
                break
            time.sleep(0.5)
        check(state == 'issued', 'the server\'s own sweep issues it within seconds: %s' % state)
        # (every organisation of the store is swept: on a shared PostgreSQL, others' too)
        check(re.search(r'stack sweep: [1-9][0-9]* awards re-evaluated', s.stderr()),
              'the server logs its sweep: %s' % s.stderr()[-300:])
    for bad in ('soon', 'nan', '-1', '2678401'):
        rc, out, err = org.mcred('serve', '--listen', '127.0.0.1:0', '--sweep-every', bad,
                                 ok=(2,), timeout=30)
        check(rc == 2 and '--sweep-every takes a number from 0 to 2678400' in err,
              '--sweep-every %s is refused: %r' % (bad, err[-200:]))

    # --- a stack defined after its components: `mcred stack evaluate` -------------------
    ldef = {'achievement': {'id': base + 'L', 'type': ['Achievement'], 'name': 'Late',
                            'description': 'L', 'criteria': {'narrative': 'L'}},
            'rule': {'allOf': [{'achievement': base + 'B'}, {'achievement': base + 'C'}]}}
    rc, out, err = org.mcred('stack', 'create', write(org, 'L', ldef))
    lid = int(out.split()[1].rstrip(':')) if rc == 0 else 0
    check(award_of(org, l0, lid) == {}, 'a stack defined late is not evaluated by itself')
    rc, out, err = org.mcred('stack', 'evaluate', '--learner', l0)
    check(rc == 0 and award_of(org, l0, lid).get('state') == 'issued',
          'stack evaluate awards it: %r %r' % (out, err[-200:]))

    # --- exactly once: two processes complete the same stack at the same moment ------
    for i in range(2):
        who = org.learners[5][1] if i == 0 else 'race%d-%s@stk.example' % (i, dep.tag)
        if i:
            org.mcred('learner', 'add', '--name', 'Racer', '--email', who)
        issue(org, base + 'A', who)
        env = dict(os.environ)
        env.update(org.env)
        procs = [subprocess.Popen([MCRED, 'issue', '--achievement', base + n, '--recipient',
                                   who], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env) for n in ('B', 'C')]
        for pr in procs:
            o, e = pr.communicate(timeout=300)
            check(pr.returncode == 0, 'concurrent issue: %r' % e[-300:])
        n = len(stack_creds(org, who, s_row))
        check(n == 1, 'exactly once: %d stack credentials from two concurrent completions' % n)
        check(award_of(org, who, sid).get('state') == 'issued', 'concurrent: awarded')

    # --- the API ------------------------------------------------------------------------
    own = 'learner@%s.example' % org.name
    rc, out, _ = org.mcred('learner', 'add', '--name', 'Me', '--email', own)
    own_id = int(out.strip() or 0)
    other_id = org.learners[0][0]
    with Server(org, '--rate', '0') as s:
        tok = org.tokens
        r = s.request('GET', '/api/v1/stacks', token=tok['assessor'])
        check(r.status == 200 and len(r.json() or []) == 5, 'GET /api/v1/stacks: %d' % r.status)
        wdef = {'achievement': {'id': base + 'W', 'type': ['Achievement'], 'name': 'W',
                                'description': 'W', 'criteria': {'narrative': 'W'}},
                'rule': {'nOf': 2, 'of': [{'achievement': base + 'A'},
                                          {'achievement': base + 'B'},
                                          {'achievement': base + 'C'}]},
                'onComponentRevoked': 'flag'}
        r = s.request('POST', '/api/v1/stacks', wdef, token=tok['learner'])
        check(r.status == 403, 'a learner cannot define stacks: %d' % r.status)
        r = s.request('POST', '/api/v1/stacks', wdef, token=tok['issuer'])
        check(r.status == 201 and (r.json() or {}).get('achievement') == base + 'W' and
              r.header('Location'), 'POST /api/v1/stacks: %d %s' % (r.status, r.text[:300]))
        wid = (r.json() or {}).get('id')
        # the VC API's issuing is a trigger too: two of A, B, C issued through
        # POST /credentials/issue complete W for that learner
        vc_who = 'vcapi@%s.example' % org.name
        org.mcred('learner', 'add', '--name', 'VC API', '--email', vc_who)
        for name in ('A', 'B'):
            body = {'credential': {
                '@context': ['https://www.w3.org/ns/credentials/v2',
                             'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
                'type': ['VerifiableCredential', 'OpenBadgeCredential'], 'name': name,
                'credentialSubject': {
                    'type': ['AchievementSubject'],
                    'identifier': [{'type': 'IdentityObject', 'identityHash': vc_who,
                                    'identityType': 'emailAddress', 'hashed': False}],
                    'achievement': {'id': base + name, 'type': ['Achievement'], 'name': name,
                                    'description': name + ' course',
                                    'criteria': {'narrative': 'Pass ' + name}}}}}
            r = s.request('POST', '/credentials/issue', body, token=tok['issuer'])
            check(r.status == 201, 'VC API issue %s: %d %s' % (name, r.status, r.text[:200]))
        check(award_of(org, vc_who, wid).get('state') == 'issued',
              'credentials issued through the VC API complete a stack: %r' %
              award_of(org, vc_who, wid))
        bad = {'achievementId': base + 'A', 'rule': {'anyOf': [{'achievement': base + 'W'}]}}
        r = s.request('POST', '/api/v1/stacks', bad, token=tok['admin'])
        check(r.status == 400 and (r.json() or {}).get('error') == 'invalid_body' and
              'cycle' in (r.json() or {}).get('message', ''),
              'a cycle through the API: %d %s' % (r.status, r.text[:300]))
        r = s.request('POST', '/api/v1/stacks', unk, token=tok['admin'])
        check(r.status == 400 and 'unknown achievement' in r.text, 'unknown via the API: %d %s'
              % (r.status, r.text[:300]))
        # (about 440 KB: under the 1 MiB body limit, so the rule's own limit answers)
        r = s.request('GET', '/api/v1/stacks', token=tok['admin'])
        before = r.text if r.status == 200 else None
        r = s.request('POST', '/api/v1/stacks', big, token=tok['admin'])
        check(r.status == 400 and (r.json() or {}).get('error') == 'invalid_body' and
              'more than 1000' in (r.json() or {}).get('message', ''),
              '10,000 components via the API: %d %s' % (r.status, r.text[:300]))
        r = s.request('GET', '/api/v1/stacks', token=tok['admin'])
        check(before is not None and r.status == 200 and r.text == before,
              'the refused rule stored nothing: %d' % r.status)
        r = s.request('GET', '/api/v1/learners/%d/progress?stack=%d' % (other_id, wid),
                      token=tok['admin'])
        st = ((r.json() or {}).get('stacks') or [{}])[0]
        check(r.status == 200 and st.get('satisfied') is True and len(st.get('done')) == 3,
              'progress via the API: %d %s' % (r.status, r.text[:300]))
        r = s.request('GET', '/api/v1/learners/%d/progress' % own_id, token=tok['learner'])
        check(r.status == 200 and len((r.json() or {}).get('stacks', [])) == 6,
              'a learner reads their own progress: %d' % r.status)
        r = s.request('GET', '/api/v1/learners/%d/progress' % other_id, token=tok['learner'])
        check(r.status == 404, 'a learner cannot read another learner: %d' % r.status)
        r = s.request('GET', '/api/v1/learners/%d/progress' % other_id,
                      token=oth.tokens['admin'])
        check(r.status == 404, 'another organisation gets 404: %d' % r.status)
        r = s.request('GET', '/api/v1/stacks', token=oth.tokens['admin'])
        check(r.status == 200 and r.json() == [], 'another organisation has no stacks')
        r = s.request('GET', '/api/v1/learners/%d/progress?stack=abc' % other_id,
                      token=tok['admin'])
        check(r.status == 400, 'a bad stack id: %d' % r.status)
        r = s.request('GET', '/api/v1/learners/%d/progress?stack=999999' % other_id,
                      token=tok['admin'])
        check(r.status == 404, 'an unknown stack: %d' % r.status)
    print('ok   %s: stacks' % backend, flush=True)


def main():
    run_backend('sqlite')
    if Deployment.available('postgres'):
        run_backend('postgres')
    else:
        print('SKIP postgres: MCRED_TEST_PG not set')
    report()


if __name__ == '__main__':
    main()
