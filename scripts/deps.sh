#!/bin/sh
# deps.sh - installs the Debian packages microcred needs to build and test.
# As root it runs apt-get; otherwise it prints the exact command and stops.
# SPDX-License-Identifier: Apache-2.0
set -eu

PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3
libsodium-dev libssl-dev libcjson-dev libsqlite3-dev libpq-dev zlib1g-dev
libcurl4-openssl-dev libmicrohttpd-dev libxml2-dev libqrencode-dev postgresql nodejs npm
chromium wrk openssl"

missing=""
for p in $PKGS; do
    case "$p" in
    nodejs|npm) command -v "${p%js}" >/dev/null 2>&1 && continue ;;
    esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "microcred needs these Debian packages:$missing" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $missing
