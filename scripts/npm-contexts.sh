#!/bin/sh
# npm-contexts.sh - installs the pinned npm packages that publish the JSON-LD
# context documents microcred embeds at build time (contexts/package-lock.json),
# once. Later builds work offline: nothing runs while node_modules is current.
# Called by the build (scripts/embed-contexts.mjs) and by `make deps`.
# SPDX-License-Identifier: Apache-2.0
set -eu
dir="$(cd "$(dirname "$0")/../contexts" && pwd)"
cd "$dir"

current() {
    [ -d node_modules ] && [ -f node_modules/.package-lock.json ] &&
        [ ! package-lock.json -nt node_modules/.package-lock.json ]
}

current && exit 0

if ! command -v npm >/dev/null 2>&1; then
    echo "npm-contexts.sh: npm is not installed; the build needs it once to install" >&2
    echo "  the context packages in $dir (Debian: apt-get install npm)" >&2
    exit 1
fi

install() {
    current && return 0
    echo "npm-contexts.sh: installing the pinned context packages in $dir" >&2
    if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
        echo "npm-contexts.sh: 'npm ci' failed in $dir; the build needs these packages" >&2
        echo "  once (then it works offline): check the network and npm's registry" >&2
        echo "  setting, or install them elsewhere and copy contexts/node_modules here" >&2
        return 1
    fi
}

# Two build directories may embed at the same time: one installs, the other waits.
if command -v flock >/dev/null 2>&1; then
    exec 9>"${TMPDIR:-/tmp}/microcred-npm-contexts.$(id -u).lock"
    flock 9
fi
install
