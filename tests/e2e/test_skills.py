#!/usr/bin/env python3
# test_skills.py - end-to-end tests of `mcred skills`, as an operator and a
# learner would use it: the real ESCO v1.1.1 and O*NET 29.2 files imported
# (counts checked against the files), search, show, the crosswalk, a learner's
# verified and declared skills, the gap against an ESCO occupation, an O*NET
# occupation and a job description, extraction with byte positions, job
# postings and demand, the progress bar on a terminal, attribution, and bad
# input: unknown occupation, empty and 10 MB job texts, a malformed ESCO file
# (FILE:LINE, nothing imported, the stored framework intact), a missing
# directory. Runs against SQLite, and against PostgreSQL too when
# MCRED_TEST_PG names a database (scripts/with-pg.sh). Needs the published
# data: skips (exit 77) when MCRED_SHARED_DATA is not set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import json, os, pty, select, shutil, subprocess, sys, tempfile, uuid

BUILD = os.environ.get('MCRED_BUILD_DIR', 'build')
SRC = os.environ.get('MCRED_SOURCE_DIR', '.')
MCRED = os.path.join(BUILD, 'cli', 'mcred')
JOBS = os.path.join(SRC, 'tests', 'vectors', 'skills', 'jobs')
ESCO_ATTR = 'This service uses the ESCO classification of the European Commission.'
ONET_ATTR = 'O*NET Database by the U.S. Department of Labor'
ESCO = 'http://data.europa.eu/esco/'
DATA_ANALYST = ESCO + 'occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2'
SKILL_SQL = ESCO + 'skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742'
SKILL_PYTHON = ESCO + 'skill/ccd0a1d9-afda-43d9-b901-96344886e14d'
SKILL_STATS = ESCO + 'skill/7ee4c2ea-b349-4bd2-81a3-ec31475d4833'
SKILL_MINING = ESCO + 'skill/25f0ea33-b4a2-4f31-b7b4-7d20e827b180'
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what, flush=True)


def run(*args, env=None, stdin=None):
    p = subprocess.run([MCRED] + list(args), input=stdin, capture_output=True, env=env,
                       timeout=600)
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    check(p.returncode >= 0, 'mcred %s: killed by signal %d' % (' '.join(args[:3]),
                                                               -p.returncode))
    check('Sanitizer' not in err and 'runtime error' not in err,
          'mcred %s: sanitizer report: %s' % (' '.join(args[:3]), err[-2000:]))
    return p.returncode, out, err


def load(text, what):
    try:
        return json.loads(text)
    except ValueError:
        check(False, '%s: not JSON: %s' % (what, text[:300]))
        return {}


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    return path


class Setup:
    def __init__(self, name, tmp, env, dsn):
        self.name = name
        self.home = os.path.join(tmp, name)
        self.env = dict(env, MCRED_HOME=self.home)
        self.dsn = dsn
        self.tmp = tmp

    def mcred(self, *args, stdin=None):
        return run(*args, env=self.env, stdin=stdin)


def test_import(s, esco_dir, onet_dir):
    rc, out, err = s.mcred('skills', 'import', 'esco', esco_dir, '--release', '1.1.1')
    check(rc == 0, '[%s] import esco: exit 0 (%s)' % (s.name, err.strip()[-300:]))
    check('10837 skills, 3059 knowledge' in out, '[%s] 13,896 ESCO skills (10,837 + 3,059)'
          % s.name)
    check('3007 occupations' in out, '[%s] 3,007 ESCO occupations' % s.name)
    check('64891 essential, 58897 optional' in out,
          '[%s] 123,788 occupation-skill relations stored' % s.name)
    check('occupationSkillRelations.csv: 123855 rows, 67 skipped' in out and
          'a9e54177-a185-404d-b6e6-15663d31137e' in out,
          '[%s] 123,855 rows read, 67 naming an occupation no file defines' % s.name)
    check(out.rstrip().endswith(ESCO_ATTR), '[%s] the ESCO attribution closes the import'
          % s.name)
    check('\r[' not in err, '[%s] no progress bar when stderr is not a terminal' % s.name)
    rc, out, err = s.mcred('skills', 'import', 'onet', onet_dir)
    check(rc == 0, '[%s] import onet: exit 0 (%s)' % (s.name, err.strip()[-300:]))
    check('8768 technologies' in out and '1016 occupations' in out and
          '135 skill groups' in out, '[%s] O*NET: 1,016 occupations, 8,768 technologies'
          % s.name)
    check('32627 technology (11621 hot, 2320 in demand)' in out,
          '[%s] O*NET: 32,627 technology relations with their flags' % s.name)
    check(ONET_ATTR in out and 'CC BY 4.0' in out, '[%s] the O*NET attribution' % s.name)
    rc, out, _ = s.mcred('skills', 'frameworks', '--json')
    fws = {f['name']: f for f in load(out, 'frameworks')} if rc == 0 else {}
    check(fws.get('esco', {}).get('version') == '1.1.1' and
          fws.get('onet', {}).get('version') == '29.2',
          '[%s] both frameworks listed with their versions' % s.name)
    return fws


def test_search_show(s):
    rc, out, _ = s.mcred('skills', 'search', '--kind', 'occupation', '--json', 'data', 'analyst')
    d = load(out, 'search')
    res = d.get('results', [])
    check(rc == 0 and res and res[0]['uri'] == DATA_ANALYST,
          '[%s] search finds "data analyst" first' % s.name)
    check(ESCO_ATTR in d.get('attribution', []), '[%s] search results carry the attribution'
          % s.name)
    rc, out, _ = s.mcred('skills', 'search', 'pythn')
    check(rc == 0 and 'nothing found' in out, '[%s] no match, exit 0' % s.name)
    rc, out, _ = s.mcred('skills', 'search', '--limit', '5', 'structured', 'query')
    check(rc == 0 and 'SQL' in out, '[%s] found by an alternative label' % s.name)
    rc, out, _ = s.mcred('skills', 'show', '--json', DATA_ANALYST)
    d = load(out, 'show')
    rel = d.get('relations', [])
    check(rc == 0 and d.get('label') == 'data analyst' and
          sum(1 for r in rel if r['relation'] == 'essential') > 5,
          '[%s] show: the occupation and its essential skills' % s.name)
    rc, out, _ = s.mcred('skills', 'show', '15-2051.00')
    check(rc == 0 and 'Data Scientists' in out and '[hot]' in out and ONET_ATTR in out,
          '[%s] show an O*NET occupation by its code, with hot technologies' % s.name)
    rc, out, _ = s.mcred('skills', 'map', '--list', '--json', SKILL_PYTHON)
    check(rc == 0 and any(m['uri'] == 'urn:onet:tech:Python' and m['how'] == 'label'
                          for m in load(out, 'map list')),
          '[%s] the crosswalk maps ESCO Python to O*NET Python by label' % s.name)


def test_learner(s):
    """A learner with a credential aligned to two data analyst skills."""
    tag = uuid.uuid4().hex[:8]
    email = 'ada-%s@example.org' % tag
    rc, out, err = s.mcred('learner', 'add', '--name', 'Ada', '--email', email)
    check(rc == 0, '[%s] learner add: %s' % (s.name, err))
    learner = out.strip()
    ach_id = 'https://example.edu/achievements/sql-%s' % tag
    ach = {
        'id': ach_id, 'type': ['Achievement'], 'name': 'SQL and statistics',
        'description': 'Queries relational data and applies statistics.',
        'criteria': {'narrative': 'Passed the exam.'},
        'alignment': [
            {'type': ['Alignment'], 'targetName': 'SQL', 'targetUrl': SKILL_SQL,
             'targetFramework': 'ESCO'},
            {'type': ['Alignment'], 'targetName': 'statistics', 'targetUrl': SKILL_STATS,
             'targetFramework': 'ESCO'},
            {'type': ['Alignment'], 'targetName': 'data mining', 'targetUrl': SKILL_MINING,
             'targetFramework': 'ESCO'},
        ],
    }
    path = write(os.path.join(s.tmp, 'ach-%s.json' % s.name), json.dumps(ach))
    rc, _, err = s.mcred('achievement', 'create', path)
    check(rc == 0, '[%s] achievement create: %s' % (s.name, err))
    rc, out, err = s.mcred('issue', '--achievement', ach_id, '--recipient', email)
    check(rc == 0, '[%s] issue: %s' % (s.name, err))
    cred = out.split()[0] if out.strip() else ''
    rc, out, err = s.mcred('skills', 'declare', '--learner', email, SKILL_PYTHON)
    check(rc == 0 and 'unverified' in out, '[%s] declare: %s' % (s.name, err))
    rc, out, err = s.mcred('skills', 'declare', '--learner', '999999', SKILL_PYTHON)
    check(rc == 1 and 'not found' in err, '[%s] declare for an unknown learner: exit 1'
          % s.name)
    rc, out, _ = s.mcred('skills', 'learner', '--learner', learner, '--json')
    d = load(out, 'learner skills')
    sk = {x['uri']: x for x in d.get('skills', [])}
    check(sk.get(SKILL_SQL, {}).get('verified') and sk[SKILL_SQL].get('credential') == cred,
          '[%s] SQL verified by the credential' % s.name)
    check(sk.get(SKILL_PYTHON, {}).get('declared') and not sk[SKILL_PYTHON]['verified'],
          '[%s] Python declared, unverified' % s.name)
    return learner, cred


def gap(s, learner, *target):
    rc, out, err = s.mcred('skills', 'gap', '--learner', learner, *target, '--json')
    check(rc == 0, '[%s] gap %s: %s' % (s.name, ' '.join(target), err.strip()))
    return load(out, 'gap') if rc == 0 else {}


def test_gap(s, learner, cred):
    d = gap(s, learner, '--target', DATA_ANALYST)
    held = {x['uri']: x for x in d.get('held', [])}
    missing = d.get('missing', [])
    # data analyst needs statistics and data mining (essential), not SQL
    check(len(held) == 2 and held.get(SKILL_STATS, {}).get('credential') == cred and
          SKILL_MINING in held, '[%s] the aligned skills are held, via the credential' % s.name)
    check(missing and all(x['uri'] not in (SKILL_MINING, SKILL_STATS) for x in missing),
          '[%s] held skills are not missing' % s.name)
    weights = [x['weight'] for x in missing]
    check(weights == sorted(weights, reverse=True) and
          all(x['weight'] >= 1.0 for x in missing if x['need'] == 'essential') and
          all(x['weight'] < 1.0 for x in missing if x['need'] == 'optional'),
          '[%s] missing skills by weight, essential above optional' % s.name)
    check(0 < d.get('coverage', 0) < 1 and d['target'].get('label') == 'data analyst',
          '[%s] coverage between 0 and 1: %s' % (s.name, d.get('coverage')))
    check(ESCO_ATTR in d.get('attribution', []), '[%s] the gap carries the attribution'
          % s.name)
    py = [x for x in missing if x['uri'] == SKILL_PYTHON]
    check(all(x.get('declaredUnverified') for x in py),
          '[%s] a declared skill stays missing, marked unverified' % s.name)
    rc, out, _ = s.mcred('skills', 'gap', '--learner', learner, '--target', DATA_ANALYST)
    check(rc == 0 and 'coverage' in out and 'missing (highest weight first)' in out and
          out.rstrip().endswith(ESCO_ATTR), '[%s] the text gap with its footer' % s.name)
    # an O*NET occupation: technology skills, hot and in-demand ones first
    d = gap(s, learner, '--target', '15-2051.00')
    m = d.get('missing', [])
    # (a PostgreSQL database shared with an earlier run holds its postings: demand then
    # raises some weights, so the flags are checked where there is no demand)
    flagged = [x for x in m if x.get('hot') and x.get('inDemand') and not x.get('demand')]
    plain = [x for x in m if not x.get('hot') and not x.get('inDemand') and not x.get('demand')]
    weights = [x['weight'] for x in m]
    check(m and m[0]['need'] == 'technology' and flagged and
          all(x['weight'] == 1.0 for x in flagged) and
          all(x['weight'] < 1.0 for x in plain) and weights == sorted(weights, reverse=True),
          '[%s] O*NET technologies weighted by their flags' % s.name)
    # a job description
    d = gap(s, learner, '--job', os.path.join(JOBS, '01-data-analyst.txt'))
    held = {x['uri'] for x in d.get('held', [])}
    check(SKILL_SQL in held and SKILL_STATS in held and d['target'].get('job'),
          '[%s] the job description names SQL and statistics, held' % s.name)
    # revoked: nothing held any more
    rc, _, err = s.mcred('revoke', cred, '--reason', 'test')
    check(rc == 0, '[%s] revoke: %s' % (s.name, err))
    d = gap(s, learner, '--target', DATA_ANALYST)
    check(not d.get('held') and d.get('coverage') == 0,
          '[%s] a revoked credential verifies no skill' % s.name)


def test_extract_postings(s):
    job = os.path.join(JOBS, '02-software-developer.txt')
    with open(job, 'rb') as f:
        raw = f.read()
    rc, out, _ = s.mcred('skills', 'extract', '--json', job)
    hits = load(out, 'extract').get('hits', [])
    check(rc == 0 and len(hits) >= 8, '[%s] extract: %d hits' % (s.name, len(hits)))
    check(all(raw[h['start']:h['end']].decode() == h['text'] for h in hits),
          '[%s] each hit with its byte positions' % s.name)
    check(any(h['label'] == 'Java (computer programming)' for h in hits),
          '[%s] Java found' % s.name)
    postings = []
    for i, name in enumerate(sorted(os.listdir(JOBS))):
        if name.endswith('.txt'):
            with open(os.path.join(JOBS, name)) as f:
                postings.append(json.dumps({'id': 'p-%d' % i, 'title': name,
                                            'text': f.read()}))
    path = write(os.path.join(s.tmp, 'postings-%s.jsonl' % s.name), '\n'.join(postings) + '\n')
    rc, out, err = s.mcred('skills', 'postings', 'import', path)
    check(rc == 0 and 'imported 18 postings' in out, '[%s] postings import: %s %s'
          % (s.name, out, err))
    rc, out, _ = s.mcred('skills', 'demand', '--top', '5', '--json')
    d = load(out, 'demand')
    top = d.get('skills', [])
    # >= 18: a PostgreSQL database may be shared with other tests' postings
    check(rc == 0 and d.get('postings', 0) >= 18 and len(top) == 5 and
          top[0]['postings'] >= top[-1]['postings'] and 0 < top[0]['share'] <= 1,
          '[%s] demand: the most named skills' % s.name)
    bad = write(os.path.join(s.tmp, 'bad.jsonl'), postings[0] + '\n{"id": 1}\n')
    rc, _, err = s.mcred('skills', 'postings', 'import', bad)
    check(rc == 1 and 'bad.jsonl:2:' in err and 'no posting was imported' in err,
          '[%s] a bad posting: line named, nothing imported' % s.name)


def test_bad_input(s, learner, esco_dir, fws):
    rc, _, err = s.mcred('skills', 'gap', '--learner', learner, '--target', ESCO + 'occupation/x')
    check(rc == 1 and 'unknown occupation' in err, '[%s] unknown occupation: exit 1' % s.name)
    rc, _, err = s.mcred('skills', 'gap', '--learner', learner, '--target', SKILL_SQL)
    check(rc == 1 and 'not an occupation' in err, '[%s] a skill as the target: exit 1' % s.name)
    empty = write(os.path.join(s.tmp, 'empty.txt'), '')
    rc, _, err = s.mcred('skills', 'gap', '--learner', learner, '--job', empty)
    check(rc == 1 and 'empty' in err, '[%s] empty job text: exit 1 (%s)' % (s.name, err))
    rc, _, err = s.mcred('skills', 'extract', empty)
    check(rc == 1 and 'empty' in err, '[%s] extract of an empty text: exit 1' % s.name)
    big = os.path.join(s.tmp, 'big.txt')
    with open(big, 'w') as f:
        line = 'We need SQL, Python and statistics. ' * 28 + '\n'
        while f.tell() < 10 * 1024 * 1024:
            f.write(line)
    rc, _, err = s.mcred('skills', 'gap', '--learner', learner, '--job', big)
    check(rc == 1 and 'larger than the limit of 1048576 bytes' in err,
          '[%s] a 10 MB job text is refused at the 1 MiB cap (%s)' % (s.name, err.strip()))
    rc, _, err = s.mcred('skills', 'gap', '--learner', learner, '--job',
                         os.path.join(s.tmp, 'nothere.txt'))
    check(rc == 2, '[%s] a missing job file: exit 2' % s.name)
    # a malformed copy of ESCO: line named, nothing imported, the stored one intact
    bad_dir = os.path.join(s.tmp, 'esco-bad')
    os.makedirs(bad_dir, exist_ok=True)
    for name in ('occupations_en.csv', 'occupationSkillRelations.csv'):
        shutil.copy(os.path.join(esco_dir, name), bad_dir)
    with open(os.path.join(esco_dir, 'skills_en.csv'), encoding='utf-8') as src, \
            open(os.path.join(bad_dir, 'skills_en.csv'), 'w', encoding='utf-8') as dst:
        text = src.read()
        cut = text.index('\nKnowledgeSkillCompetence,', len(text) // 2)
        dst.write(text[:cut] + '\nKnowledgeSkillCompetence,http://x.example/s,knowledge,,'
                  'a "quoted" word,,,,,,,,' + text[cut:])
    line = text[:cut].count('\n') + 2
    rc, out, err = s.mcred('skills', 'import', 'esco', bad_dir, '--quiet')
    check(rc == 1 and ('skills_en.csv:%d: a quote inside field 5' % line) in err and
          'nothing was imported' in err,
          '[%s] a malformed row: exit 1, FILE:LINE (%s)' % (s.name, err.strip()[-300:]))
    rc, out, _ = s.mcred('skills', 'frameworks', '--json')
    now = {f['name']: f for f in load(out, 'frameworks')}
    check(now.get('esco', {}).get('concepts') == fws['esco']['concepts'] and
          now['esco'].get('imported') == fws['esco']['imported'],
          '[%s] the stored ESCO is unchanged' % s.name)
    rc, _, err = s.mcred('skills', 'import', 'esco', os.path.join(s.tmp, 'nowhere'))
    check(rc == 2 and 'skills_en.csv' in err, '[%s] a missing directory: exit 2' % s.name)


def test_progress(s):
    """The progress bar is drawn on a terminal (a pseudo-terminal here)."""
    path = write(os.path.join(s.tmp, 'custom-%s.csv' % s.name),
                 'uri,label,kind,essential\n'
                 'https://ex.example/%s/o,tester,occupation,https://ex.example/%s/s\n'
                 'https://ex.example/%s/s,testing,skill,\n' % ((s.name,) * 3))
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(MCRED, [MCRED, 'skills', 'import', 'custom', path, '--name',
                          'custom-%s' % s.name], s.env)
    data = b''
    while True:
        r, _, _ = select.select([fd], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    _, status = os.waitpid(pid, 0)
    text = data.decode(errors='replace')
    check(os.WEXITSTATUS(status) == 0 and '100%' in text and '\r[' in text,
          '[%s] a progress bar on a terminal: %r' % (s.name, text[-200:]))


def flows(s, esco_dir, onet_dir):
    args = ['init', '--org', 'skills-%s-%s' % (s.name, uuid.uuid4().hex[:8])]
    if s.dsn:
        args += ['--db', s.dsn]
    rc, _, err = s.mcred(*args)
    check(rc == 0, '[%s] init: %s' % (s.name, err))
    fws = test_import(s, esco_dir, onet_dir)
    test_search_show(s)
    learner, cred = test_learner(s)
    test_gap(s, learner, cred)
    test_extract_postings(s)
    if fws.get('esco'):
        test_bad_input(s, learner, esco_dir, fws)
    test_progress(s)


def main():
    data = os.environ.get('MCRED_SHARED_DATA')
    if not data or not os.path.isfile(os.path.join(data, 'skills', 'esco', 'skills_en.csv')):
        print('SKIP: MCRED_SHARED_DATA (../shared/data with skills/esco and skills/onet) is '
              'not set or lacks the skills frameworks')
        print('0 passed, 0 failed')
        return 77
    esco_dir = os.path.join(data, 'skills', 'esco')
    onet_dir = os.path.join(data, 'skills', 'onet', 'onet-29.2')
    tmp = tempfile.mkdtemp(prefix='mcred-skills-')
    ran = []
    try:
        opk = write(os.path.join(tmp, 'operator.key'), '22' * 32)
        env = dict(os.environ, MCRED_KEY_FILE=opk, MCRED_DB='', MCRED_PUBLIC_URL='')
        env.pop('MCRED_PASSPHRASE', None)
        flows(Setup('sqlite', tmp, env, None), esco_dir, onet_dir)
        ran.append('sqlite')
        pg = os.environ.get('MCRED_TEST_PG')
        if pg:
            flows(Setup('postgres', tmp, env, pg), esco_dir, onet_dir)
            ran.append('postgres')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    hint = ' (postgres: set MCRED_TEST_PG, or run under scripts/with-pg.sh)'
    print('backends: %s%s' % (', '.join(ran), '' if 'postgres' in ran else hint))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
