#!/bin/sh
# demo.sh - `make run`: a demo platform in a browser. Makes a data directory
# on SQLite under demo/data (made anew each run): an organisation and its
# issuer, three achievements aligned to ESCO skills (demo/achievements/*.json),
# users of every role with API tokens, learners, issued credentials (one
# revoked, some shared on public badge pages), then serves it on
# 127.0.0.1:8080 and prints the URLs to open and a token to try.
# Ctrl-C stops the server. MCRED_DEMO_LISTEN=HOST:PORT listens elsewhere.
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/.."
MCRED=${MCRED:-build/cli/mcred}
LISTEN=${MCRED_DEMO_LISTEN:-127.0.0.1:8080}
URL=http://$LISTEN
DIR=demo/data

if [ ! -x "$MCRED" ]; then
    echo "demo: $MCRED is missing: run \`make run\` (it builds first)" >&2
    exit 1
fi
# a server already there would answer instead of ours
if command -v curl >/dev/null 2>&1 && curl -s -o /dev/null --max-time 1 "$URL/"; then
    echo "demo: something already answers on $URL; stop it, or set MCRED_DEMO_LISTEN" >&2
    exit 1
fi

rm -rf "$DIR"
mkdir -p "$DIR"
# The issuer's key is locked with a passphrase given through the environment,
# so nothing prompts; real deployments use an operator key file
# (MCRED_KEY_FILE) or a prompt (docs/operations.md).
MCRED_HOME=$DIR/home
MCRED_PASSPHRASE=demo-only-passphrase
export MCRED_HOME MCRED_PASSPHRASE
unset MCRED_DB MCRED_LISTEN MCRED_PUBLIC_URL MCRED_KEY_FILE 2>/dev/null || true

say() { printf '\033[1m== %s\033[0m\n' "$1"; }
first() { awk '{print $1; exit}'; }
last() { awk 'NF {v = $NF} END {print v}'; }

say "A data directory on SQLite: $DIR (organisation, issuer, signing key)"
"$MCRED" init --db "sqlite:$DIR/mcred.db" --org "Example University" \
    --issuer-name "Example University" --public-url "$URL" >/dev/null

say "Users of every role, each with an API token"
for role in admin issuer assessor recruiter; do
    uid=$("$MCRED" user add --email "$role@example.edu" --role "$role")
    "$MCRED" token create --user "$uid" > "$DIR/token-$role" 2>/dev/null
done

say "Three achievements aligned to ESCO skills"
PY=$("$MCRED" achievement create demo/achievements/python.json | first)
DB=$("$MCRED" achievement create demo/achievements/databases.json | first)
DA=$("$MCRED" achievement create demo/achievements/data-analysis.json | first)
"$MCRED" achievement list

say "Learners (each can sign in to their wallet page with a token)"
for l in "Ada Lovelace:ada" "Grace Hopper:grace" "Alan Turing:alan" \
         "Katherine Johnson:katherine"; do
    name=${l%%:*}
    who=${l#*:}
    "$MCRED" learner add --name "$name" --email "$who@example.org" >/dev/null
    uid=$("$MCRED" user add --email "$who@example.org" --role learner)
    "$MCRED" token create --user "$uid" > "$DIR/token-$who" 2>/dev/null
done
"$MCRED" learner list

say "Issued credentials (Open Badges 3.0, eddsa-rdfc-2022, with status entries)"
issue() { "$MCRED" issue --achievement "$1" --recipient "$2" --quiet | last; }
C_ADA_PY=$(issue "$PY" ada@example.org)
C_ADA_DB=$(issue "$DB" ada@example.org)
C_GRACE_PY=$(issue "$PY" grace@example.org)
C_GRACE_DA=$(issue "$DA" grace@example.org)
C_ALAN_DB=$(issue "$DB" alan@example.org)
C_ALAN_DA=$(issue "$DA" alan@example.org)
C_KATH_DA=$(issue "$DA" katherine@example.org)
"$MCRED" credential list

say "One revoked (its status list says so), some shared on public badge pages"
"$MCRED" revoke "$C_ALAN_DB" --reason "issued to the wrong cohort" >/dev/null
"$MCRED" share --showcase on >/dev/null
B1=$("$MCRED" share "$C_ADA_PY" | last)
B2=$("$MCRED" share "$C_GRACE_DA" | last)
B3=$("$MCRED" share "$C_KATH_DA" | last)
B4=$("$MCRED" share "$C_ALAN_DB" | last)
"$MCRED" credential export "$C_ADA_DB" > "$DIR/ada-databases.json"
: "$C_GRACE_PY" "$C_ALAN_DA"

TOKEN=$(cat "$DIR/token-issuer")
row() { printf '    %-52s %s\n' "$1" "$2"; }
printf '\n\033[1mmicrocred demo: %s\033[0m\n\n  Open in a browser:\n' "$URL"
row "$URL/" "home, with the shared badges"
row "$B1" "Ada's Python badge"
row "$B2" "Grace's data analysis badge"
row "$B3" "Katherine's data analysis badge"
row "$B4" "Alan's databases badge, revoked"
row "$URL/verify" "verify any credential (paste or upload)"
row "$URL/login" "a learner's wallet: ada@example.org with the"
row "" "token in $DIR/token-ada"
cat <<EOF

  Try the API with an issuer's token:
    TOKEN=$TOKEN
    curl -s -H "Authorization: Bearer \$TOKEN" $URL/api/v1/credentials
    curl -s -H 'Content-Type: application/json' \\
         --data "{\"verifiableCredential\": \$(cat $DIR/ada-databases.json)}" \\
         $URL/credentials/verify
    curl -s $URL/openapi.json

  Tokens of every role are in $DIR/token-*; requests are logged to
  $DIR/access.log. Ctrl-C stops the server.

EOF
exec "$MCRED" serve --listen "$LISTEN" --access-log "$DIR/access.log"
