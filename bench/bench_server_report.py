#!/usr/bin/env python3
# bench_server_report.py - the report of bench_server.sh from its slices:
# requests/s over all wrk slices, latency percentiles from the slices'
# distributions merged (each slice's 1000 quantiles weighted by its request
# count), errors, the ratio to the in-process verify rate measured between
# the slices (by wall clock and by CPU time), each slice's ratio, and the
# HTTP floor. usage: bench_server_report.py SLICES INPROC CONNS SECS BYTES
# SPDX-License-Identifier: Apache-2.0
import sys


def fields(line):
    out = {}
    for item in line.split()[1:]:
        k, _, v = item.partition('=')
        if v:
            out[k] = float(v)
    return out


def main():
    slices_file, inproc_file, conns, secs, nbytes = sys.argv[1:6]
    slices, lat, floor = [], [], None
    for line in open(slices_file):
        if line.startswith('SLICE '):
            slices.append(fields(line))
        elif line.startswith('LATENCY '):
            lat.append([float(x) for x in line.split()[1:]])
        elif line.startswith('FLOOR '):
            floor = fields(line)
    inproc = []
    for line in open(inproc_file):
        w = line.split()
        inproc.append((float(w[w.index('inproc_verify_per_s') + 1]),
                       float(w[w.index('inproc_verify_per_cpu_s') + 1])))
    if not slices or len(lat) != len(slices) or len(inproc) != len(slices) + 1:
        sys.exit('bench_server: incomplete measurements (%d slices, %d distributions, %d '
                 'in-process)' % (len(slices), len(lat), len(inproc)))

    n = sum(s['requests'] for s in slices)
    wall = sum(s['seconds'] for s in slices)
    cpu = sum(s['server_cpu_s'] for s in slices)
    errors = sum(s[k] for s in slices for k in ('connect', 'read', 'write', 'timeout', 'status'))
    rps = n / wall
    per_cpu = n / cpu if cpu > 0 else 0
    # the in-process rate around each slice: the mean of the slices on either side
    around = [((inproc[i][0] + inproc[i + 1][0]) / 2, (inproc[i][1] + inproc[i + 1][1]) / 2)
              for i in range(len(slices))]
    in_rate = sum(r for r, _ in inproc) / len(inproc)
    in_cpu = sum(c for _, c in inproc) / len(inproc)
    ratio = rps / in_rate
    ratio_cpu = per_cpu / in_cpu
    per_slice = [s['rps'] / a[0] for s, a in zip(slices, around)]

    # merged latency: every slice's 1000 quantiles, weighted by its requests
    pts = sorted((v, s['requests'] / 1000.0) for s, q in zip(slices, lat) for v in q)

    def pct(p):
        want, acc = n * p / 100.0, 0.0
        for v, w in pts:
            acc += w
            if acc >= want - 1e-9:
                return v / 1000.0
        return pts[-1][0] / 1000.0
    p50, p90, p99, p999 = pct(50), pct(90), pct(99), pct(99.9)
    worst = max(s['max_us'] for s in slices) / 1000.0

    ok = lambda good, yes, no: yes if good else no  # noqa: E731
    print('server verify (POST /credentials/verify, %s-byte eddsa-rdfc-2022 credential)' % nbytes)
    print('  setting: 1 server thread on core 0, wrk on core 1, %s connections, %s s in %d '
          'slices, --rate 0' % (conns, secs, len(slices)))
    print('  %-34s %10.0f /s' % ('requests', rps))
    print('  %-34s %10.2f ms   (p90 %.2f, p99.9 %.2f, max %.2f)' % ('latency p50', p50, p90,
                                                                     p999, worst))
    print('  %-34s %10.2f ms   %s' % ('latency p99', p99,
                                      ok(p99 <= 10, 'ok (<= 10 ms)', 'OVER TARGET (10 ms)')))
    print('  %-34s %10d      %s' % ('errors (non-2xx/3xx + socket)', errors,
                                     ok(errors == 0, 'ok', 'NOT ZERO')))
    print('  %-34s %10.0f /s   (%d slices of 1 s, around the server\'s)' %
          ('in-process verify, one core', in_rate, len(inproc)))
    print('  %-34s %10.2f     %s' % ('server / in-process', ratio,
                                     ok(ratio >= 0.7, 'ok (>= 0.70)', 'UNDER TARGET (0.70)')))
    print('  %-34s %s' % ('each slice / in-process around it',
                          ' '.join('%.2f' % r for r in per_slice)))
    print('  %-34s %s' % ('each slice: p99 ms', ' '.join('%.2f' % (s['p99_us'] / 1000.0)
                                                         for s in slices)))
    print('  %-34s %s' % ('in-process /s (before, between, after)',
                          ' '.join('%.0f' % r for r, _ in inproc)))
    print('  by CPU time (the server process, the in-process bench):')
    print('  %-34s %10.0f /s   (%.1f CPU-s for %d requests)' %
          ('server requests per CPU-second', per_cpu, cpu, n))
    print('  %-34s %10.0f /s' % ('in-process verifies per CPU-second', in_cpu))
    print('  %-34s %10.2f     %s' % ('server / in-process (CPU)', ratio_cpu,
                                     ok(ratio_cpu >= 0.7, 'ok (>= 0.70)', 'UNDER TARGET (0.70)')))
    if floor and floor.get('server_cpu_s', 0) > 0 and per_cpu > 0:
        f = floor['requests'] / floor['server_cpu_s']
        f_us, v_us, s_us = 1e6 / f, 1e6 / in_cpu, 1e6 / per_cpu
        print('  where the server CPU time of a request goes:')
        print('  %-34s %10.0f /s   (%.1f us a request)' % ('HTTP floor: GET /healthz', f, f_us))
        print('  %-34s %10.1f us' % ('verifying in process', v_us))
        print('  %-34s %10.1f us   (%.1f us above floor + verifying)' %
              ('POST /credentials/verify', s_us, s_us - f_us - v_us))
        print('  %-34s %10.2f     (in-process / (floor + in-process))' %
              ('best ratio this floor allows', v_us / (f_us + v_us)))


if __name__ == '__main__':
    main()
