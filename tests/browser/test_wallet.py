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
import base64, json, os, shutil, socket, struct, subprocess, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
import srvlib  # noqa: E402
from srvlib import ACHIEVEMENT, Deployment, Server, check  # noqa: E402

CHROMIUM = os.environ.get('MCRED_CHROMIUM', '/usr/bin/chromium')


def skip(why):
    if os.environ.get('CI'):
        print('FAIL: browser test cannot run: ' + why)
        print('0 passed, 1 failed')
        sys.exit(1)
    print('SKIP: ' + why)
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def png(w=8, h=8, rgb=b'\x24\x57\xc5'):
    """A small PNG (RFC 2083), made here."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    rows = b''.join(b'\x00' + rgb * w for _ in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def main():
    if not shutil.which(CHROMIUM) and not os.access(CHROMIUM, os.X_OK):
        skip('no chromium at %s (apt-get install chromium)' % CHROMIUM)
    if not os.path.isdir(os.path.join(HERE, 'node_modules', 'playwright-core')):
        skip('tests/browser/node_modules is missing (scripts/npm-deps.sh installs it)')
    node = shutil.which('node')
    if not node:
        skip('no node')
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
        env = dict(os.environ, MCRED_BASE=s.base, MCRED_EMAIL=email,
                   MCRED_TOKEN=org.tokens['learner'], MCRED_PNG=baked, MCRED_CHROMIUM=CHROMIUM)
        p = subprocess.run([node, os.path.join(HERE, 'test_wallet.mjs')], env=env,
                           capture_output=True, timeout=300, cwd=HERE)
        out = p.stdout.decode(errors='replace')
        sys.stdout.write(out)
        if p.returncode not in (0, 1):
            sys.stdout.write(p.stderr.decode(errors='replace')[-3000:])
        last = [ln for ln in out.splitlines() if ln.endswith(' failed')]
        n_pass, n_fail = 0, 1
        if last:
            words = last[-1].split()
            n_pass, n_fail = int(words[0]), int(words[2])
        srvlib.passed += n_pass
        srvlib.failed += n_fail
        check(p.returncode == (1 if n_fail else 0), 'browser test exit %d' % p.returncode)
    srvlib.report()


if __name__ == '__main__':
    main()
