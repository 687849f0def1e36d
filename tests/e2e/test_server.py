#!/usr/bin/env python3
# test_server.py - end-to-end tests of `mcred serve` itself: start on a free
# port (port file), /healthz, unknown routes (404), wrong methods (405 with
# Allow), bad tokens (401), the security headers, the JSON access log, and a
# clean stop on SIGTERM. On SQLite, and on PostgreSQL when MCRED_TEST_PG is set.
# Prints "N passed, N failed"; exit 1 on failure.
# SPDX-License-Identifier: Apache-2.0
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srvlib import Deployment, Server, check, report  # noqa: E402


def basics(dep):
    org = dep.org('acme', n_learners=1, n_creds=1)
    log = os.path.join(dep.tmp, 'access.log')
    with Server(org, '--access-log', log) as s:
        r = s.request('GET', '/healthz')
        check(r.status == 200 and r.json() == {'status': 'ok'}, 'healthz: %d %r' % (r.status, r.body))
        for h in ('Content-Security-Policy', 'X-Content-Type-Options', 'X-Frame-Options',
                  'Referrer-Policy'):
            check(r.header(h), 'security header %s' % h)
        r = s.request('GET', '/no/such/route')
        check(r.status == 404 and r.json()['error'] == 'not_found', '404: %d' % r.status)
        r = s.request('DELETE', '/healthz')
        check(r.status == 405 and r.header('Allow') == 'GET', '405 with Allow: %d' % r.status)
        r = s.request('GET', '/healthz', token='not-a-token-at-all-xx')
        check(r.status == 401 and r.header('WWW-Authenticate'), 'bad token: 401')
        r = s.request('GET', '/healthz', headers={'Authorization': 'Basic abc'})
        check(r.status == 401, 'non-bearer auth: 401')
        r = s.request('GET', '/healthz', token=org.tokens['admin'])
        check(r.status == 200, 'a valid token on a public route: %d' % r.status)
    with open(log) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    check(len(lines) >= 6, 'access log has a line per request (%d)' % len(lines))
    check(all({'time', 'client', 'method', 'path', 'status', 'ms'} <= set(l) for l in lines),
          'access log lines are structured')
    check(any(l['status'] == 404 for l in lines), 'access log records the 404')


def main():
    for backend in ('sqlite', 'postgres'):
        if not Deployment.available(backend):
            print('postgres: MCRED_TEST_PG is not set; PostgreSQL cases not run here')
            continue
        basics(Deployment(backend))
    report()


if __name__ == '__main__':
    main()
