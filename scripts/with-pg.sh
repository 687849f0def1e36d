#!/bin/sh
# with-pg.sh - runs a command next to a throw-away PostgreSQL server: initdb
# in a fresh temporary directory, a server listening only on a Unix socket in
# that directory (no TCP port, so parallel runs cannot collide), one database,
# MCRED_TEST_PG exported as its DSN; then the server is stopped (pg_ctl, by
# the PID in its postmaster.pid; the server is this script's child, which
# reaps it) and the directory removed, whatever the command did. Exits with
# the command's status.
# As root the server runs as the 'postgres' user (Debian's package creates
# it); otherwise as the calling user. Debian package: postgresql (deps.sh).
# usage: scripts/with-pg.sh CMD [ARGS...]      e.g. make test runs
#        sh scripts/with-pg.sh python3 tests/run.py build ...
# SPDX-License-Identifier: Apache-2.0
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

# The server binaries: PG_BIN, else Debian's 15, else the newest installed.
if [ -z "${PG_BIN:-}" ]; then
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        PG_BIN=/usr/lib/postgresql/15/bin
    else
        for d in /usr/lib/postgresql/*/bin; do   # in order: the last is the newest
            if [ -x "$d/initdb" ]; then
                PG_BIN=$d
            fi
        done
    fi
fi
if [ -z "${PG_BIN:-}" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "with-pg.sh: PostgreSQL server binaries not found; install the Debian package" \
         "'postgresql' (sh scripts/deps.sh)" >&2
    exit 2
fi

# A socket path must stay under ~100 bytes, and as root the directory must be
# reachable by the postgres user: /tmp is both.
base=${TMPDIR:-/tmp}
if [ "$(id -u)" -eq 0 ] || [ ${#base} -gt 60 ]; then
    base=/tmp
fi
dir=$(mktemp -d "$base/mcred-pg.XXXXXX")
server=""

if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-pg.sh: no 'postgres' user; install the Debian package 'postgresql'" >&2
        rm -rf "$dir"
        exit 2
    fi
    chown postgres: "$dir"
    as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$dir" && "$@"); }
fi

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$server" ]; then
        if [ -f "$dir/data/postmaster.pid" ] &&
           ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 &&
           ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
        then
            echo "with-pg.sh: could not stop the server in $dir/data" >&2
            return
        fi
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() {
    echo "with-pg.sh: $1" >&2
    for f in "$dir/initdb.log" "$dir/server.log"; do
        [ -f "$f" ] && sed 's/^/  | /' "$f" >&2
    done
    exit 1
}

as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || fail "initdb failed"

# Throw-away data: durability settings off for speed (a test never survives a
# crash of this server anyway).
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
EOF

# The server runs as this script's child (not daemonised by pg_ctl), so its
# exit is reaped here even where PID 1 reaps nothing (containers).
as_pg "$PG_BIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
server=$!
tries=0
until as_pg "$PG_BIN/pg_isready" -q -h "$dir" -p 5432; do
    kill -0 "$server" 2>/dev/null || fail "the server did not start"
    tries=$((tries + 1))
    [ "$tries" -le 600 ] || fail "the server did not answer within 60 s"
    sleep 0.1
done
as_pg "$PG_BIN/createdb" -h "$dir" -p 5432 -U postgres mcred_test >>"$dir/initdb.log" 2>&1 ||
    fail "createdb failed"

MCRED_TEST_PG="postgresql://postgres@/mcred_test?host=$dir&port=5432"
export MCRED_TEST_PG

set +e
"$@"
status=$?
set -e
exit "$status"
