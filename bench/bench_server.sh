#!/bin/sh
# bench_server.sh - `mcred serve` verifying credentials over HTTP: POST
# /credentials/verify with a valid signed Open Badges 3.0 credential
# (eddsa-rdfc-2022), driven by wrk on loopback with 64 connections. The
# server runs on one core (taskset -c 0, --threads 1, --rate 0: no rate
# limit), wrk on the other (taskset -c 1). Prints requests/s, p50/p99
# latency, errors (non-2xx/3xx statuses + socket errors) and the ratio to the
# one-core in-process rate of the same credential (bench_verify_inproc: the
# same bytes through mc_verify_bytes with the server's verify options).
# Targets: >= 70% of the in-process rate, p99 <= 10 ms, 0 errors.
# Then GET /healthz the same way for a third of the time: the HTTP floor (what
# libmicrohttpd, the router and loopback TCP cost the server's core a
# request), printed beside the verify route's cost per request and the best
# ratio that floor allows.
# MCRED_BENCH_SERVER_SECONDS (default 30), MCRED_BENCH_CONNECTIONS (64),
# MCRED_BUILD_DIR (build). Installs wrk with apt-get when missing (as root).
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/.."
BUILD=${MCRED_BUILD_DIR:-build}
MCRED=$BUILD/cli/mcred
SECS=${MCRED_BENCH_SERVER_SECONDS:-30}
CONNS=${MCRED_BENCH_CONNECTIONS:-64}
INPROC_SECS=${MCRED_BENCH_INPROC_SECONDS:-5}

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "bench_server: installing wrk (Debian package)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
    else
        echo "bench_server: wrk is missing: sudo apt-get install -y wrk" >&2
        exit 1
    fi
fi
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
    SRV_PIN="taskset -c 0"
    WRK_PIN="taskset -c 1"
else
    SRV_PIN=""
    WRK_PIN=""
    echo "bench_server: one core only: server and wrk share it (figures are not comparable)" >&2
fi

TMP=$(mktemp -d /tmp/mcred-bench-server.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# A data directory with one issued credential (quietly)
MCRED_HOME=$TMP/home
MCRED_PASSPHRASE=bench-only-passphrase
export MCRED_HOME MCRED_PASSPHRASE
DSN=sqlite:$TMP/bench.db
"$MCRED" init --db "$DSN" --org "Bench University" --issuer-name "Bench University" \
    --public-url http://127.0.0.1:8080 >/dev/null
ACH=$("$MCRED" achievement create tests/vectors/ob/achievement.json | awk '{print $1; exit}')
"$MCRED" learner add --name "Ada Lovelace" --email ada@example.org >/dev/null
CRED=$("$MCRED" issue --achievement "$ACH" --recipient ada@example.org | awk '{print $NF; exit}')
"$MCRED" credential export "$CRED" > "$TMP/credential.json"
printf '{"verifiableCredential":' > "$TMP/body.json"
cat "$TMP/credential.json" >> "$TMP/body.json"
printf '}' >> "$TMP/body.json"
BYTES=$(wc -c < "$TMP/credential.json")

# The server on core 0
$SRV_PIN "$MCRED" serve --listen 127.0.0.1:0 --port-file "$TMP/port" --threads 1 --rate 0 \
    2> "$TMP/serve.log" &
PID=$!
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$TMP/port" ]; then
    echo "bench_server: the server did not start:" >&2
    cat "$TMP/serve.log" >&2
    exit 1
fi
PORT=$(cat "$TMP/port")
URL=http://127.0.0.1:$PORT/credentials/verify
CODE=$(curl -s -o "$TMP/first.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$TMP/body.json" "$URL")
if [ "$CODE" != 200 ]; then
    echo "bench_server: POST /credentials/verify answered $CODE, not 200:" >&2
    head -c 600 "$TMP/first.json" >&2
    echo >&2
    exit 1
fi

# wrk on core 1; the server's CPU time is read around it, so the rate per
# CPU-second does not depend on what else the machine runs
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
CPU0=$(cpu_ticks)
BENCH_BODY=$TMP/body.json $WRK_PIN wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 10s \
    -s bench/bench_server.lua "$URL" > "$TMP/wrk.out" 2>&1 || {
    cat "$TMP/wrk.out" >&2
    exit 1
}
RES=$(grep '^RESULT ' "$TMP/wrk.out")
CPU1=$(cpu_ticks)
RES="$RES server_cpu_s=$(awk -v a="$CPU0" -v b="$CPU1" -v t="$TICKS" 'BEGIN {print (b - a) / t}')"

# The HTTP floor: GET /healthz (no verifying) the same way, for a few seconds:
# what one request costs the server's core in libmicrohttpd, the router and
# the kernel's loopback TCP (the receiver's wakeup included)
FLOOR_SECS=$((SECS / 3 > 3 ? SECS / 3 : 3))
CPU0=$(cpu_ticks)
BENCH_BODY= $WRK_PIN wrk -t1 -c"$CONNS" -d"${FLOOR_SECS}s" --timeout 10s \
    -s bench/bench_server.lua "http://127.0.0.1:$PORT/healthz" > "$TMP/floor.out" 2>&1 || {
    cat "$TMP/floor.out" >&2
    exit 1
}
CPU1=$(cpu_ticks)
FLOOR=$(grep '^RESULT ' "$TMP/floor.out" | awk -v a="$CPU0" -v b="$CPU1" -v t="$TICKS" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "requests") n = kv[2] }
    printf "floor_per_cpu_s=%.1f", n / ((b - a) / t) }')
RES="$RES $FLOOR"
kill -TERM "$PID"
wait "$PID" || { echo "bench_server: the server did not exit 0 on SIGTERM" >&2; exit 1; }
PID=""

# The same credential in process, on the server's core
INPROC=$($SRV_PIN "$BUILD/bench/bench_verify_inproc" "$DSN" "$TMP/credential.json" \
    "$INPROC_SECS")

echo "$RES $INPROC" | awk -v conns="$CONNS" -v secs="$SECS" -v bytes="$BYTES" '
function field(name,   i, kv) {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return 0
}
{
    rps = field("rps"); p50 = field("p50_us") / 1000; p99 = field("p99_us") / 1000
    sock = field("connect") + field("read") + field("write") + field("timeout")
    status = field("status")
    cpu = field("server_cpu_s"); n = field("requests")
    for (i = 1; i <= NF; i++) {
        if ($i == "inproc_verify_per_s") inproc = $(i + 1)
        if ($i == "inproc_verify_per_cpu_s") inproc_cpu = $(i + 1)
    }
    ratio = inproc > 0 ? rps / inproc : 0
    per_cpu = cpu > 0 ? n / cpu : 0
    ratio_cpu = inproc_cpu > 0 ? per_cpu / inproc_cpu : 0
    printf "server verify (POST /credentials/verify, %d-byte eddsa-rdfc-2022 credential)\n", bytes
    printf "  setting: 1 server thread on core 0, wrk on core 1, %d connections, %d s, " \
        "--rate 0\n", conns, secs
    printf "  %-34s %10.0f /s\n", "requests", rps
    printf "  %-34s %10.2f ms   (target <= 10 ms for p99)\n", "latency p50", p50
    printf "  %-34s %10.2f ms   %s\n", "latency p99", p99, (p99 <= 10 ? "ok" : "OVER TARGET")
    printf "  %-34s %10d      %s\n", "errors (non-2xx/3xx + socket)", status + sock,
        (status + sock == 0 ? "ok" : "NOT ZERO")
    printf "  %-34s %10.0f /s\n", "in-process verify, one core", inproc
    printf "  %-34s %10.2f     %s\n", "server / in-process", ratio,
        (ratio >= 0.7 ? "ok (>= 0.70)" : "UNDER TARGET (0.70)")
    printf "  by CPU time (what neighbours on a shared machine do not change):\n"
    printf "  %-34s %10.0f /s   (%.1f CPU-s for %d requests)\n", "server requests per CPU-second", \
        per_cpu, cpu, n
    printf "  %-34s %10.0f /s\n", "in-process verifies per CPU-second", inproc_cpu
    printf "  %-34s %10.2f     %s\n", "server / in-process (CPU)", ratio_cpu,
        (ratio_cpu >= 0.7 ? "ok (>= 0.70)" : "UNDER TARGET (0.70)")
    floor = field("floor_per_cpu_s")
    if (floor > 0 && inproc_cpu > 0 && per_cpu > 0) {
        f_us = 1e6 / floor; v_us = 1e6 / inproc_cpu; s_us = 1e6 / per_cpu
        printf "  where the server CPU time of a request goes:\n"
        printf "  %-34s %10.0f /s   (%.1f us a request)\n", "HTTP floor: GET /healthz", floor, f_us
        printf "  %-34s %10.1f us\n", "verifying in process", v_us
        printf "  %-34s %10.1f us   (%.1f us above floor + verifying)\n", \
            "POST /credentials/verify", s_us, s_us - f_us - v_us
        printf "  %-34s %10.2f     (in-process / (floor + in-process))\n", \
            "best ratio this floor allows", v_us / (f_us + v_us)
    }
}'
