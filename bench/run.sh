#!/bin/sh
# run.sh - `make bench`: every benchmark, each printing our figures beside the
# physical limit (raw libsodium) and the peers (the JavaScript stack; PostgreSQL
# beside SQLite), as ratios. MCRED_BENCH_SECONDS (per case, default 2) and
# MCRED_BENCH_ROWS (bulk issuance, default 100000; 1000000 for the big run).
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/.."
SECS=${MCRED_BENCH_SECONDS:-2}
ROWS=${MCRED_BENCH_ROWS:-100000}
PEER=""
if [ -d tests/interop/node_modules ]; then
    PEER="node tests/interop/peer-bench.mjs"
else
    echo "bench: tests/interop/node_modules is missing (make interop-deps); no peer figures" >&2
fi
build/bench/bench_proofs "$SECS" tests/vectors/ob/achievement.json "$PEER"
echo
sh scripts/with-pg.sh build/bench/bench_bulk "$ROWS" tests/vectors/ob/achievement.json
echo; sh bench/bench_server.sh
echo; build/bench/bench_formats "$SECS" tests/vectors/ob/achievement.json
echo; sh scripts/with-pg.sh build/bench/bench_skills "$SECS" "${MCRED_SHARED_DATA:-../shared/data}"
echo; sh scripts/with-pg.sh build/bench/bench_rank
echo; sh scripts/with-pg.sh build/bench/bench_stacks "${MCRED_BENCH_STACK_CREDS:-100000}"
echo; build/bench/bench_plan "${MCRED_BENCH_PLAN_RUNS:-500}" "${MCRED_SHARED_DATA:-../shared/data}"
