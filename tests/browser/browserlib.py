# browserlib.py - what the browser tests' runners share: the checks that
# Chromium, node and playwright-core are here (a skip saying why, or a
# failure under CI), a free port, a small PNG made here, and running one
# .mjs test, whose "N passed, N failed" line is added to srvlib's counts.
# SPDX-License-Identifier: Apache-2.0
import os, shutil, socket, struct, subprocess, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
import srvlib  # noqa: E402

CHROMIUM = os.environ.get('MCRED_CHROMIUM', '/usr/bin/chromium')


def skip(why):
    if os.environ.get('CI'):
        print('FAIL: browser test cannot run: ' + why)
        print('0 passed, 1 failed')
        sys.exit(1)
    print('SKIP: ' + why)
    sys.exit(77)


def node_or_skip():
    """The node binary, once Chromium and playwright-core are known to be here."""
    if not shutil.which(CHROMIUM) and not os.access(CHROMIUM, os.X_OK):
        skip('no chromium at %s (apt-get install chromium)' % CHROMIUM)
    if not os.path.isdir(os.path.join(HERE, 'node_modules', 'playwright-core')):
        skip('tests/browser/node_modules is missing (scripts/npm-deps.sh installs it)')
    node = shutil.which('node')
    if not node:
        skip('no node')
    return node


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def png(w=8, h=8, rgb=b'\x24\x57\xc5'):
    """A small PNG (RFC 2083) of one colour, made here."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    rows = b''.join(b'\x00' + rgb * w for _ in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def run_mjs(node, script, env):
    """Run tests/browser/SCRIPT with env (MCRED_CHROMIUM added) and add its
    counts; a run that prints no count line is one failure."""
    env = dict(env, MCRED_CHROMIUM=CHROMIUM)
    p = subprocess.run([node, os.path.join(HERE, script)], env=env, capture_output=True,
                       timeout=300, cwd=HERE)
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
    srvlib.check(p.returncode == (1 if n_fail else 0), 'browser test exit %d' % p.returncode)
