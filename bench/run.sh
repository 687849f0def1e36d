#!/bin/sh
# run.sh - `make bench`: every benchmark, each printing our figures beside the
# physical limit (raw libsodium) and the JavaScript peer, as ratios.
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/.."
SECS=${MCRED_BENCH_SECONDS:-2}
PEER=""
if [ -d tests/interop/node_modules ]; then
    PEER="node tests/interop/peer-bench.mjs"
else
    echo "bench: tests/interop/node_modules is missing (make interop-deps); no peer figures" >&2
fi
build/bench/bench_proofs "$SECS" tests/vectors/ob/achievement.json "$PEER"
