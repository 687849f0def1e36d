#!/bin/sh
# demo.sh - `make run`: a short tour in the terminal. Creates an issuer key,
# issues a sample Open Badge, verifies it, tampers with it and verifies again.
# Everything goes to ./demo (removed and made anew each run).
# SPDX-License-Identifier: Apache-2.0
set -eu
cd "$(dirname "$0")/.."
MCRED=${MCRED:-build/cli/mcred}
DIR=demo
rm -rf "$DIR"
mkdir -p "$DIR"
# The demo's key is locked with a passphrase given through the environment, so
# nothing prompts; real issuers use a terminal prompt, --passphrase-file or an
# operator key file (MCRED_KEY_FILE).
MCRED_PASSPHRASE=demo-only-passphrase
export MCRED_PASSPHRASE

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "1. Create an issuer key (Ed25519, encrypted at rest)" "mcred key new --out $DIR/issuer.key"
"$MCRED" key new --out "$DIR/issuer.key"
"$MCRED" key show "$DIR/issuer.key"
DID=$("$MCRED" key show --json "$DIR/issuer.key" | sed 's/.*"did":"\([^"]*\)".*/\1/')

step "2. Build an Open Badges 3.0 credential for a learner" \
     "mcred credential new --issuer $DID --achievement tests/vectors/ob/achievement.json --recipient ada@example.org --hash-email"
"$MCRED" credential new --issuer "$DID" --issuer-name "Example University" \
    --achievement tests/vectors/ob/achievement.json --recipient ada@example.org --hash-email \
    > "$DIR/badge.json"
sed -n '1,14p' "$DIR/badge.json"; echo "  ..."

step "3. Sign it (Data Integrity, eddsa-rdfc-2022: JSON-LD + RDFC-1.0)" "mcred sign --key $DIR/issuer.key $DIR/badge.json"
"$MCRED" sign --key "$DIR/issuer.key" "$DIR/badge.json" > "$DIR/signed.json"
grep -A7 '"proof"' "$DIR/signed.json"

step "4. Verify it" "mcred verify $DIR/signed.json"
"$MCRED" verify "$DIR/signed.json" && echo "(exit $?: valid)"

step "5. Tamper with it: change the achievement's name" "sed 's/C Programming 101/C Programming 999/' ..."
sed 's/C Programming 101/C Programming 999/' "$DIR/signed.json" > "$DIR/tampered.json"
set +e
"$MCRED" verify "$DIR/tampered.json"
rc=$?
set -e
echo "(exit $rc: the signature no longer matches)"

step "6. A badge for a learner's DID, as a VC-JWT" "mcred sign --suite vc-jwt --key $DIR/issuer.key $DIR/badge-did.json"
"$MCRED" credential new --issuer "$DID" --issuer-name "Example University" \
    --achievement tests/vectors/ob/achievement.json --recipient did:example:ada > "$DIR/badge-did.json"
"$MCRED" sign --suite vc-jwt --key "$DIR/issuer.key" "$DIR/badge-did.json" > "$DIR/badge.jwt"
cut -c1-100 "$DIR/badge.jwt"; echo "..."
"$MCRED" verify "$DIR/badge.jwt" | head -1

step "7. Run an issuer: a data directory with a SQLite store" \
     "MCRED_HOME=$DIR/home mcred init --org 'Example University' --public-url https://badges.example.edu"
MCRED_HOME="$DIR/home"
export MCRED_HOME
"$MCRED" init --org "Example University" --issuer-name "Example University" \
    --public-url https://badges.example.edu
"$MCRED" achievement create tests/vectors/ob/achievement.json

step "8. Issue to a cohort from a CSV file (streamed, signed on every core)" \
     "mcred issue --achievement 1 --csv $DIR/cohort.csv"
printf 'recipient,name\n' > "$DIR/cohort.csv"
for i in $(seq 1 500); do printf 'learner%d@example.org,Learner %d\n' "$i" "$i"; done >> "$DIR/cohort.csv"
"$MCRED" issue --achievement 1 --csv "$DIR/cohort.csv"
echo "(again: nothing is issued twice)"
"$MCRED" issue --achievement 1 --csv "$DIR/cohort.csv"

step "9. Revoke one; the signed status list says so" "mcred revoke ID; mcred verify"
ID=$("$MCRED" credential list | awk 'NR==1 {print $1}')
"$MCRED" credential export "$ID" > "$DIR/one.json"
"$MCRED" revoke "$ID" --reason "demo"
set +e
"$MCRED" verify "$DIR/one.json" | sed -n '1p;/status/p'
set -e
"$MCRED" status publish --out "$DIR/public"
"$MCRED" audit

printf '\nFiles are in ./%s. Try `%s help`.\n' "$DIR" "$MCRED"
