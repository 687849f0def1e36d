#!/bin/sh
# npm-deps.sh - installs the pinned npm packages (tests/interop/package-lock.json)
# the interop tests and the embedded contexts need, once.
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/../tests/interop"
[ -f package.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
