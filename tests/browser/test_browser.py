#!/usr/bin/env python3
# test_browser.py - runs test_pages.mjs (headless Chromium through
# playwright-core) against a real `mcred serve`: sets up a store with the CLI
# (an achievement with an inline image, so the page needs no other host; a
# credential issued and shared; a tampered copy), starts the server on a
# free port of 127.0.0.1 whose URL the credentials carry, runs the browser
# test with a fresh profile directory, and stops the server by its PID.
# Skips (exit 77, saying why) without Debian's chromium or
# tests/browser/node_modules (scripts/npm-deps.sh installs it); with CI set
# those are failures instead. Prints "N passed, N failed".
# SPDX-License-Identifier: Apache-2.0
import base64, copy, json, os, shutil, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from browserlib import free_port, node_or_skip, png, run_mjs  # noqa: E402
from srvlib import ACHIEVEMENT, Deployment, Server, report  # noqa: E402


def main():
    node = node_or_skip()
    dep = Deployment('sqlite')
    port = free_port()
    dep.public_url = 'http://127.0.0.1:%d' % port
    org = dep.org('browser', n_learners=1, n_creds=0)
    with open(ACHIEVEMENT) as f:
        ach = json.load(f)
    ach['id'] = '%s/achievements/c101' % dep.public_url
    ach['image'] = {'id': 'data:image/png;base64,' + base64.b64encode(png()).decode(),
                    'type': 'Image'}
    path = os.path.join(dep.tmp, 'achievement.json')
    with open(path, 'w') as f:
        json.dump(ach, f)
    _, out, _ = org.mcred('achievement', 'create', path)
    _, out, _ = org.mcred('issue', '--achievement', out.split()[0], '--recipient',
                          org.learners[0][1])
    cid = out.strip().split()[-1]
    _, out, _ = org.mcred('share', cid)
    badge = '/badges/' + out.strip().rsplit('/', 1)[-1]
    _, out, _ = org.mcred('credential', 'export', cid)
    doc = json.loads(out)
    valid = os.path.join(dep.tmp, 'valid.json')
    with open(valid, 'w') as f:
        json.dump(doc, f)
    bad = copy.deepcopy(doc)
    bad['credentialSubject']['achievement']['name'] = 'C Programming 999'
    tampered = os.path.join(dep.tmp, 'tampered.json')
    with open(tampered, 'w') as f:
        json.dump(bad, f)
    profile = tempfile.mkdtemp(prefix='mcred-chromium-')
    try:
        with Server(org, '--rate', '0', '--listen', '127.0.0.1:%d' % port) as s:
            run_mjs(node, 'test_pages.mjs', dict(os.environ, MCRED_BASE=s.base, MCRED_BADGE=badge,
                                                 MCRED_TAMPERED=tampered, MCRED_VALID=valid,
                                                 MCRED_PROFILE=profile))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    report()


if __name__ == '__main__':
    main()
