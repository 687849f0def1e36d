#!/usr/bin/env python3
# test_wallet.py - runs test_wallet.mjs (headless Chromium through
# playwright-core) against a real `mcred serve`: sets up a store with the CLI
# (a learner user with an API token and a learner of the same address; an
# achievement with an inline image; a credential issued to the learner and
# baked into a PNG made here with `mcred bake`), starts the server on a free
# port of 127.0.0.1 whose URL the credentials carry, runs the browser test
# and stops the server by its PID. Skips (exit 77, saying why) without
# Debian's chromium or tests/browser/node_modules; with CI set those are
# failures instead. Prints "N passed, N failed".
# SPDX-License-Identifier: Apache-2.0
import base64, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from browserlib import free_port, node_or_skip, png, run_mjs  # noqa: E402
from srvlib import ACHIEVEMENT, Deployment, Server, report  # noqa: E402


def main():
    node = node_or_skip()
    dep = Deployment('sqlite')
    port = free_port()
    dep.public_url = 'http://127.0.0.1:%d' % port
    org = dep.org('wbrowser', n_learners=0, n_creds=0)
    email = 'learner@%s.example' % org.name
    org.mcred('learner', 'add', '--name', 'Lea Learner', '--email', email)
    with open(ACHIEVEMENT) as f:
        ach = json.load(f)
    ach['id'] = '%s/achievements/c101-wallet' % dep.public_url
    ach['image'] = {'id': 'data:image/png;base64,' + base64.b64encode(png()).decode(),
                    'type': 'Image'}
    path = os.path.join(dep.tmp, 'achievement.json')
    with open(path, 'w') as f:
        json.dump(ach, f)
    _, out, _ = org.mcred('achievement', 'create', path)
    _, out, _ = org.mcred('issue', '--achievement', out.split()[0], '--recipient', email)
    cid = out.strip().split()[-1]
    cred = os.path.join(dep.tmp, 'credential.json')
    org.mcred('credential', 'export', '--out', cred, cid)
    plain = os.path.join(dep.tmp, 'badge.png')
    with open(plain, 'wb') as f:
        f.write(png(32, 32, b'\xc5\x57\x24'))
    baked = os.path.join(dep.tmp, 'baked.png')
    org.mcred('bake', '--png', plain, '--out', baked, cred)
    with Server(org, '--rate', '0', '--listen', '127.0.0.1:%d' % port) as s:
        run_mjs(node, 'test_wallet.mjs', dict(os.environ, MCRED_BASE=s.base, MCRED_EMAIL=email,
                                              MCRED_TOKEN=org.tokens['learner'],
                                              MCRED_PNG=baked))
    report()


if __name__ == '__main__':
    main()
