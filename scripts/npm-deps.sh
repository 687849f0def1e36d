#!/bin/sh
# npm-deps.sh - installs the pinned npm packages the interop tests and the
# embedded contexts need (tests/interop/package-lock.json) and the browser
# tests' driver (tests/browser/package-lock.json: playwright-core, which
# drives Debian's chromium; no browser is downloaded), once.
# SPDX-License-Identifier: Apache-2.0
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
for d in tests/interop tests/browser; do
    cd "$root/$d" 2>/dev/null || continue
    [ -f package.json ] || continue
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    fi
done
