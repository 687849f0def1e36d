#!/usr/bin/env python3
# test_wallet.py - end-to-end tests of `mcred wallet` and `mcred present`:
# a learner's holder key (did:key, made once, the learner's DID), imports
# (our own credential, a VC-JWT from another issuer, the same credential
# twice, a tampered copy kept and marked invalid, bytes that hold no
# credential refused), list/show/export, sealed backup and restore (wrong
# passphrase refused), and presentations: valid, wrong challenge, a
# credential of someone else, a tampered credential inside. On SQLite, and
# on PostgreSQL when MCRED_TEST_PG names a database.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import json, os, secrets, sys, tempfile, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import ACHIEVEMENT, check, report, run  # noqa: E402


def flows(tmp, dsn, label):
    key = os.path.join(tmp, 'op-%s.key' % label)
    with open(key, 'w') as f:
        f.write(secrets.token_hex(32))
    home = os.path.join(tmp, 'home-' + label)
    env = {'MCRED_HOME': home, 'MCRED_KEY_FILE': key, 'MCRED_BACKUP_PASSPHRASE': 'correct horse'}
    org = 'wallet-%s-%s' % (label, uuid.uuid4().hex[:6])
    db = ['--db', dsn] if dsn else []

    def m(*a, ok=(0,), **kw):
        return run(*a, env=dict(env, **kw.pop('extra', {})), ok=ok, **kw)

    m('init', *db, '--org', org)
    m('learner', 'add', '--name', 'Ann', '--email', 'ann@example.org')
    m('learner', 'add', '--name', 'Bob', '--email', 'bob@example.org')
    rc, out, _ = m('achievement', 'create', ACHIEVEMENT)
    ach = out.split()[0] if out.strip() else '1'   # the row id: a shared database has others
    # the holder key: made once, becomes the learner's DID
    rc, ann_did, _ = m('wallet', 'key', '--learner', 'ann@example.org')
    ann_did = ann_did.strip()
    check(ann_did.startswith('did:key:z6Mk'), 'holder DID is a did:key: %r' % ann_did)
    rc, again, _ = m('wallet', 'key', '--learner', 'ann@example.org')
    check(again.strip() == ann_did, 'the holder key is made once')
    rc, out, _ = m('learner', 'show', '--json', 'ann@example.org')
    check(ann_did in out, 'the learner DID is the holder DID')
    rc, bob_did, _ = m('wallet', 'key', '--learner', 'bob@example.org')
    bob_did = bob_did.strip()

    # credentials: one for Ann's DID, one for Bob's
    rc, ann_id, _ = m('issue', '--achievement', ach, '--recipient', ann_did)
    rc, bob_id, _ = m('issue', '--achievement', ach, '--recipient', bob_did)
    ann_file = os.path.join(tmp, 'ann-%s.json' % label)
    bob_file = os.path.join(tmp, 'bob-%s.json' % label)
    m('credential', 'export', '--out', ann_file, ann_id.strip())
    m('credential', 'export', '--out', bob_file, bob_id.strip())
    # a VC-JWT from another issuer, about Ann
    other_key = os.path.join(tmp, 'other-%s.key' % label)
    m('key', 'new', '--out', other_key)
    rc, other_did, _ = m('key', 'show', other_key)
    other_did = [w for w in other_did.split() if w.startswith('did:key:')][0]
    rc, unsigned, _ = m('credential', 'new', '--issuer', other_did, '--achievement', ACHIEVEMENT,
                        '--recipient', ann_did)
    uf = os.path.join(tmp, 'unsigned-%s.json' % label)
    with open(uf, 'w') as f:
        f.write(unsigned)
    rc, jwt, _ = m('sign', '--key', other_key, '--suite', 'vc-jwt', uf)
    jwt_file = os.path.join(tmp, 'cred-%s.jwt' % label)
    with open(jwt_file, 'w') as f:
        f.write(jwt.strip())
    tampered = os.path.join(tmp, 'tampered-%s.json' % label)
    with open(ann_file) as f:
        doc = json.load(f)
    doc['credentialSubject']['achievement']['name'] = 'Nobel Prize'
    with open(tampered, 'w') as f:
        json.dump(doc, f)
    junk = os.path.join(tmp, 'junk-%s.bin' % label)
    with open(junk, 'wb') as f:
        f.write(b'this is not a credential\x00\x01')

    # imports
    rc, out, _ = m('wallet', 'import', '--json', '--learner', 'ann@example.org', ann_file,
                   jwt_file, tampered, bob_file)
    res = json.loads(out) if rc == 0 else []
    check(len(res) == 4, 'four imports reported: %r' % out)
    verdicts = [r['verdict'] for r in res]
    check(verdicts[:2] == ['valid', 'valid'], 'our credential and the VC-JWT import valid: %r'
          % verdicts)
    check(verdicts[2] == 'invalid', 'a tampered copy is kept and marked invalid: %r' % verdicts)
    check(verdicts[3] == 'valid', "Bob's credential imports (valid; not Ann's)")
    items = {name: r['item'] for name, r in zip(('ann', 'jwt', 'tampered', 'bob'), res)}
    rc, out, _ = m('wallet', 'import', '--json', '--learner', 'ann@example.org', ann_file)
    again = json.loads(out)[0] if rc == 0 else {}
    check(again.get('duplicate') is True and again.get('item') == items.get('ann'),
          'the same credential twice is recognised: %r' % again)
    # the same credential with other whitespace and member order: still the same
    with open(ann_file) as f:
        doc = json.load(f)
    reordered = os.path.join(tmp, 'reordered-%s.json' % label)
    with open(reordered, 'w') as f:
        json.dump(dict(reversed(list(doc.items()))), f, indent=4)
    rc, out, _ = m('wallet', 'import', '--json', '--learner', 'ann@example.org', reordered)
    check(rc == 0 and json.loads(out)[0]['duplicate'] is True,
          'reformatted copy recognised as held')
    rc, out, err = m('wallet', 'import', '--learner', 'ann@example.org', junk, ok=(1,))
    check('no credential' in err or 'not' in err, 'junk refused with a reason: %r' % err)
    rc, out, err = m('wallet', 'import', '--learner', 'nobody@example.org', ann_file, ok=(1, 2))
    check('nobody@example.org' in err, 'an unknown learner is named')

    # list, show, export
    rc, out, _ = m('wallet', 'list', '--json', '--learner', 'ann@example.org')
    lst = json.loads(out) if rc == 0 else []
    check(len(lst) == 4, 'list shows the four items: %d' % len(lst))
    rc, out, _ = m('wallet', 'show', '--learner', 'ann@example.org', str(items['jwt']))
    check(out.strip() == jwt.strip(), 'show returns the credential as held')
    rc, out, _ = m('wallet', 'show', '--learner', 'bob@example.org', str(items['ann']), ok=(1,))
    rc, out, _ = m('wallet', 'export', '--learner', 'ann@example.org')
    exp = json.loads(out) if rc == 0 else []
    check(len(exp) == 4 and exp[0]['credential']['id'] == ann_id.strip(),
          'export carries every credential')

    # presentations
    vp = os.path.join(tmp, 'vp-%s.json' % label)
    m('present', '--learner', 'ann@example.org', '--credentials',
      '%d,%d' % (items['ann'], items['jwt']), '--challenge', 'ch-1', '--domain',
      'jobs.example', '--out', vp)
    rc, out, _ = m('verify', '--json', '--challenge', 'ch-1', '--domain', 'jobs.example', vp,
                   ok=(0,))
    v = json.loads(out) if out else {}
    check(v.get('verdict') == 'valid', 'presentation valid: %r' % v.get('verdict'))
    check(sum(1 for c in v.get('checks', []) if c['check'].startswith('credential[')) == 2,
          'each credential inside checked')
    rc, out, _ = m('verify', '--json', '--challenge', 'ch-2', '--domain', 'jobs.example', vp,
                   ok=(1,))
    check(json.loads(out).get('verdict') == 'invalid', 'wrong challenge: invalid')
    vp2 = os.path.join(tmp, 'vp2-%s.json' % label)
    m('present', '--learner', 'ann@example.org', '--credentials', str(items['bob']),
      '--challenge', 'ch-1', '--out', vp2)
    rc, out, _ = m('verify', '--json', '--challenge', 'ch-1', vp2, ok=(1,))
    v = json.loads(out) if out else {}
    check(any(c['check'] == 'holder' and c['result'] == 'fail' for c in v.get('checks', [])),
          "someone else's credential: the holder check fails")
    vp3 = os.path.join(tmp, 'vp3-%s.json' % label)
    m('present', '--learner', 'ann@example.org', '--credentials', str(items['tampered']),
      '--challenge', 'ch-1', '--out', vp3)
    rc, out, _ = m('verify', '--json', '--challenge', 'ch-1', vp3, ok=(1,))
    v = json.loads(out) if out else {}
    check(any(c['check'] == 'credential[0]' and c['result'] == 'fail'
              for c in v.get('checks', [])), 'a tampered credential inside: its check fails')
    m('present', '--learner', 'ann@example.org', '--credentials', '999999', '--challenge', 'x',
      ok=(1,))
    m('present', '--learner', 'ann@example.org', '--credentials', str(items['ann']), ok=(2,))

    # backup and restore (into Bob's wallet), wrong passphrase refused
    bk = os.path.join(tmp, 'backup-%s.sealed' % label)
    m('wallet', 'backup', '--learner', 'ann@example.org', '--out', bk)
    with open(bk) as f:
        sealed = f.read()
    check('Nobel' not in sealed and ann_id.strip() not in sealed, 'the backup is sealed')
    m('wallet', 'restore', '--learner', 'bob@example.org', bk, ok=(1,),
      extra={'MCRED_BACKUP_PASSPHRASE': 'wrong'})
    rc, out, _ = m('wallet', 'restore', '--learner', 'bob@example.org', bk)
    check('restored 4' in out or 'restored 3, already held 1' in out,
          'restore re-imports: %r' % out)
    rc, out, _ = m('wallet', 'list', '--json', '--learner', 'bob@example.org')
    check(len(json.loads(out)) == 4, "Bob's wallet has the restored items")


def main():
    tmp = tempfile.mkdtemp(prefix='mcred-wallet-')
    flows(tmp, None, 'sqlite')
    if os.environ.get('MCRED_TEST_PG'):
        flows(tmp, os.environ['MCRED_TEST_PG'], 'pg')
    else:
        print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
    report()


if __name__ == '__main__':
    main()
