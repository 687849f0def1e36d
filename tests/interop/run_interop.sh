#!/usr/bin/env bash
# run_interop.sh - interop scenarios of microcred against the JavaScript peer
# stack (tests/interop/*.mjs): credentials `mcred` signs are checked by the
# peer libraries, the peer's by `mcred verify`, and tampered copies must fail
# on both sides.
#   usage: run_interop.sh jcs|jwt|schema|rdfc
#   jcs     eddsa-jcs-2022 both ways (+ 40 generated credentials), tampering
#   jwt     VC-JWT (EdDSA, jose) both ways, kid and jwk headers, tampering,
#           key/issuer binding (+ 20 generated credentials, payload unchanged)
#   schema  `mcred credential new` output against the OB 3.0
#           AchievementCredential JSON Schema (ajv); required fields removed
#   rdfc    eddsa-rdfc-2022 both ways on RDFC_COUNT (200) generated
#           credentials, and `mcred canon --rdfc` = jsonld.js + rdf-canonize
# Environment (set by tests/meson.build test_env): MCRED_BUILD_DIR,
# MCRED_SHARED_DATA, MCRED_SOURCE_DIR. Prints "N passed, N failed"; exit 1 on
# failure, 77 (SKIP) when node_modules or the shared data are missing - and 1
# instead when CI is set, since CI installs both and a skip there is a bug.
# SPDX-License-Identifier: Apache-2.0
set -u

scenario=${1:-}
case $scenario in
    jcs|jwt|schema|rdfc) ;;
    *) echo "usage: run_interop.sh jcs|jwt|schema|rdfc" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
source_dir=${MCRED_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build_dir=${MCRED_BUILD_DIR:-$source_dir/build}
shared=${MCRED_SHARED_DATA:-$source_dir/../shared/data}
mcred=$build_dir/cli/mcred
schema=$shared/schemas/ob_v3p0/ob_v3p0_achievementcredential_schema.json

skip() {
    echo "SKIP: interop-$scenario: $*"
    echo "################################################################"
    echo "## SKIPPED: interop-$scenario did not run: $*"
    echo "################################################################"
    if [ -n "${CI:-}" ] && [ "${CI:-}" != "false" ]; then
        echo "CI is set: CI installs the npm packages and the shared data, so this skip is a bug"
        echo "0 passed, 1 failed"
        exit 1
    fi
    exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (needs Node 20)"
[ -d "$here/node_modules/@digitalbazaar/vc" ] ||
    skip "tests/interop/node_modules is missing: run scripts/npm-deps.sh"
[ -f "$schema" ] || skip "the shared data is missing: $shared"

passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcred-interop-$scenario.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Run a snapshot of the binary: a relink during the run (another ninja) must
# not make single calls fail.
if [ -x "$mcred" ] && cp "$mcred" "$tmp/mcred" 2>/dev/null; then
    mcred=$tmp/mcred
fi
export MCRED_PASSPHRASE=interop-test-passphrase

# Fixed seeds: ours signs with A, the peer with B.
seed_a=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
seed_b=4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() {
    failed=$((failed + 1))
    echo "FAIL $1"
    [ -s "$tmp/.err" ] && sed -n '1,15s/^/     | /p' "$tmp/.err"
}

# expect RC NAME CMD...: runs CMD (stdout to $tmp/.out, stderr to
# $tmp/.err) and counts a pass when it exits with RC.
expect() {
    local want=$1 name=$2 rc
    shift 2
    "$@" >"$tmp/.out" 2>"$tmp/.err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok "$name"
        return 0
    fi
    echo "exit $rc, expected $want: $*" >>"$tmp/.err"
    [ -s "$tmp/.out" ] && sed -n '1,5s/^/stdout: /p' "$tmp/.out" >>"$tmp/.err"
    bad "$name"
    return 1
}

# run_to OUT NAME CMD...: runs CMD with stdout to OUT; a failure counts.
run_to() {
    local out=$1 name=$2 rc
    shift 2
    "$@" >"$out" 2>"$tmp/.err"
    rc=$?
    if [ "$rc" -eq 0 ] && [ -s "$out" ]; then
        return 0
    fi
    echo "exit $rc (or no output): $*" >>"$tmp/.err"
    bad "$name"
    return 1
}

peer() { node "$here/$1" "${@:2}"; }

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] || exit 1
    exit 0
}

# Which mcred commands exist: `mcred help` lists them; missing ones fail.
need_cmds() {
    local c missing=""
    if [ ! -x "$mcred" ]; then
        echo "no mcred binary at $mcred (build it with ninja -C $build_dir)" >"$tmp/.err"
        bad "mcred binary exists"
        finish
    fi
    "$mcred" help >"$tmp/help" 2>&1
    for c in "$@"; do
        grep -Eq "^  $c( |$)" "$tmp/help" || missing="$missing $c"
    done
    if [ -n "$missing" ]; then
        echo "mcred help lists no:$missing" >"$tmp/.err"
        bad "mcred has the commands $*"
        finish
    fi
}

# did_of KEYFILE: the did:key of an mcred key file (mcred key show --json).
did_of() {
    "$mcred" key show --json "$1" 2>"$tmp/.err" | node -e '
        let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
            const j = JSON.parse(s);
            let did = j.did ?? j.controller ?? j.id;
            if (typeof did !== "string" || !did.startsWith("did:key:")) {
                did = JSON.stringify(j).match(/"(did:key:z[1-9A-HJ-NP-Za-km-z]+)"/)?.[1];
            }
            if (!did) { process.exit(1); }
            process.stdout.write(did.split("#")[0]);
        });'
}

# new_key SEED FILE: creates an mcred key file; sets did_a to its did:key.
new_key() {
    if ! "$mcred" key new --seed "$1" --out "$2" >"$tmp/.out" 2>"$tmp/.err"; then
        echo "mcred key new --seed ... --out $2 failed" >>"$tmp/.err"
        bad "mcred key new"
        return 1
    fi
    did_a=$(did_of "$2") || { bad "mcred key show --json gives the did:key"; return 1; }
    ok "mcred key new + key show: $did_a"
}

# make_cred OUT ACHIEVEMENT RECIPIENT: mcred credential new by DID A.
make_cred() {
    run_to "$1" "mcred credential new ($(basename "$2"), $3)" \
        "$mcred" credential new --issuer "$did_a" --achievement "$2" --recipient "$3"
}

# ---- scenarios ------------------------------------------------------------

scenario_jcs() {
    need_cmds key credential sign verify
    new_key "$seed_a" "$tmp/a.key" || finish
    make_cred "$tmp/cred.json" "$here/fixtures/achievement-rich.json" \
        "did:example:ebfeb1f712ebc6f1c276e12ec21" || finish

    # we sign -> peer verifies; tampered -> both reject
    if run_to "$tmp/ours.json" "mcred sign eddsa-jcs-2022" \
            "$mcred" sign --key "$tmp/a.key" --suite eddsa-jcs-2022 "$tmp/cred.json"; then
        expect 0 "jcs: ours verified by peer" peer peer-verify.mjs --suite eddsa-jcs-2022 \
            "$tmp/ours.json"
        expect 0 "jcs: ours verified by mcred" "$mcred" verify "$tmp/ours.json"
        peer tamper.mjs --path credentialSubject.achievement.name "$tmp/ours.json" \
            >"$tmp/ours-t.json"
        expect 1 "jcs: ours tampered rejected by peer" peer peer-verify.mjs \
            --suite eddsa-jcs-2022 "$tmp/ours-t.json"
        expect 1 "jcs: ours tampered rejected by mcred" "$mcred" verify "$tmp/ours-t.json"
    fi

    # peer signs -> we verify; tampered -> both reject
    if run_to "$tmp/theirs.json" "peer-sign eddsa-jcs-2022" \
            peer peer-sign.mjs --suite eddsa-jcs-2022 --seed "$seed_b" "$tmp/cred.json"; then
        expect 0 "jcs: theirs verified by mcred" "$mcred" verify "$tmp/theirs.json"
        expect 0 "jcs: theirs verified by peer" peer peer-verify.mjs --suite eddsa-jcs-2022 \
            "$tmp/theirs.json"
        peer tamper.mjs --path credentialSubject.achievement.name "$tmp/theirs.json" \
            >"$tmp/theirs-t.json"
        expect 1 "jcs: theirs tampered rejected by mcred" "$mcred" verify "$tmp/theirs-t.json"
        expect 1 "jcs: theirs tampered rejected by peer" peer peer-verify.mjs \
            --suite eddsa-jcs-2022 "$tmp/theirs-t.json"
    fi

    # the 1EdTech example credential, signed by the peer
    if run_to "$tmp/vector.json" "peer-sign the OB 3.0 spec example" \
            peer peer-sign.mjs --suite eddsa-jcs-2022 --seed "$seed_b" \
            "$shared/ob-clr-ldp-vectors/obv3p0/unsigned.json"; then
        expect 0 "jcs: OB 3.0 spec example signed by peer, verified by mcred" \
            "$mcred" verify "$tmp/vector.json"
    fi

    # 40 generated credentials (Unicode, number spellings, key order) both ways
    jcs_generated 40
    finish
}

# jcs_generated N: N generated credentials signed by both sides (JCS must
# agree on key order, string escapes and ECMAScript number forms).
jcs_generated() {
    local n=$1 f b nok=0 nbad=0 tok=0 tbad=0
    peer gen-creds.mjs --issuer "$did_a" --out "$tmp/gen" "$n" interop-jcs || {
        bad "gen-creds.mjs"; return; }
    mkdir -p "$tmp/gen-ours"
    for f in "$tmp"/gen/*.json; do
        b=$(basename "$f")
        if "$mcred" sign --key "$tmp/a.key" --suite eddsa-jcs-2022 "$f" \
                >"$tmp/gen-ours/$b" 2>>"$tmp/gen-sign.err"; then
            :
        else
            echo "mcred sign failed: $b" >>"$tmp/gen-sign.err"
            rm -f "$tmp/gen-ours/$b"
        fi
    done
    peer peer-verify.mjs --suite eddsa-jcs-2022 "$tmp"/gen-ours/*.json \
        >"$tmp/gen-v.out" 2>"$tmp/gen-v.err"
    nok=$(grep -c '^verified:' "$tmp/gen-v.out")
    if [ "$nok" -eq "$n" ]; then
        ok "jcs: $n generated credentials signed by mcred, verified by peer"
    else
        cat "$tmp/gen-sign.err" "$tmp/gen-v.err" >"$tmp/.err" 2>/dev/null
        bad "jcs: generated credentials signed by mcred, verified by peer: $nok of $n"
    fi
    peer peer-sign.mjs --suite eddsa-jcs-2022 --seed "$seed_b" --out-dir "$tmp/gen-theirs" \
        "$tmp"/gen/*.json 2>"$tmp/.err" || { bad "peer-sign generated credentials"; return; }
    : >"$tmp/gen-mv.err"
    for f in "$tmp"/gen-theirs/*.json; do
        if "$mcred" verify "$f" >/dev/null 2>>"$tmp/gen-mv.err"; then
            tok=$((tok + 1))
        else
            echo "not verified by mcred: $(basename "$f")" >>"$tmp/gen-mv.err"
        fi
    done
    if [ "$tok" -eq "$n" ]; then
        ok "jcs: $n generated credentials signed by peer, verified by mcred"
    else
        cp "$tmp/gen-mv.err" "$tmp/.err"
        bad "jcs: generated credentials signed by peer, verified by mcred: $tok of $n"
    fi
}

scenario_jwt() {
    need_cmds key credential sign verify
    new_key "$seed_a" "$tmp/a.key" || finish
    make_cred "$tmp/cred.json" "$here/fixtures/achievement-rich.json" \
        "did:example:ebfeb1f712ebc6f1c276e12ec21" || finish

    if run_to "$tmp/ours.jwt" "mcred sign vc-jwt" \
            "$mcred" sign --key "$tmp/a.key" --suite vc-jwt "$tmp/cred.json"; then
        expect 0 "jwt: ours verified by peer (jose)" peer jwt-verify.mjs "$tmp/ours.jwt"
        expect 0 "jwt: ours verified by mcred" "$mcred" verify "$tmp/ours.jwt"
        peer tamper.mjs --path credentialSubject.achievement.name "$tmp/ours.jwt" \
            >"$tmp/ours-t.jwt"
        expect 1 "jwt: ours tampered rejected by peer" peer jwt-verify.mjs "$tmp/ours-t.jwt"
        expect 1 "jwt: ours tampered rejected by mcred" "$mcred" verify "$tmp/ours-t.jwt"
    fi

    if run_to "$tmp/theirs.jwt" "jwt-sign (kid header)" \
            peer jwt-sign.mjs --seed "$seed_b" "$tmp/cred.json"; then
        expect 0 "jwt: theirs (kid) verified by mcred" "$mcred" verify "$tmp/theirs.jwt"
        expect 0 "jwt: theirs (kid) verified by peer" peer jwt-verify.mjs "$tmp/theirs.jwt"
        peer tamper.mjs --path credentialSubject.achievement.name "$tmp/theirs.jwt" \
            >"$tmp/theirs-t.jwt"
        expect 1 "jwt: theirs tampered rejected by mcred" "$mcred" verify "$tmp/theirs-t.jwt"
        expect 1 "jwt: theirs tampered rejected by peer" peer jwt-verify.mjs "$tmp/theirs-t.jwt"
    fi
    if run_to "$tmp/theirs-jwk.jwt" "jwt-sign (jwk header)" \
            peer jwt-sign.mjs --jwk --seed "$seed_b" "$tmp/cred.json"; then
        expect 0 "jwt: theirs (jwk header) verified by mcred" "$mcred" verify \
            "$tmp/theirs-jwk.jwt"
    fi
    # signed by B but claiming issuer A: the key is not the issuer's
    if run_to "$tmp/wrong-issuer.jwt" "jwt-sign --keep-issuer" \
            peer jwt-sign.mjs --keep-issuer --seed "$seed_b" "$tmp/cred.json"; then
        expect 1 "jwt: key not bound to the issuer rejected by mcred" "$mcred" verify \
            "$tmp/wrong-issuer.jwt"
        expect 1 "jwt: key not bound to the issuer rejected by peer" peer jwt-verify.mjs \
            "$tmp/wrong-issuer.jwt"
    fi
    jwt_generated 20
    finish
}

# jwt_generated N: N generated credentials as VC-JWTs both ways; the token
# mcred makes must carry the credential unchanged (numbers included).
jwt_generated() {
    local n=$1 f b ours=0 theirs=0
    peer gen-creds.mjs --subject-id --issuer "$did_a" --out "$tmp/gen" "$n" interop-jwt || {
        bad "gen-creds.mjs"; return; }
    : >"$tmp/gen.err"
    for f in "$tmp"/gen/*.json; do
        b=$(basename "$f" .json)
        if "$mcred" sign --key "$tmp/a.key" --suite vc-jwt "$f" >"$tmp/gen/$b.jwt" \
                2>>"$tmp/gen.err" &&
                peer jwt-verify.mjs --quiet --same-as "$f" "$tmp/gen/$b.jwt" 2>>"$tmp/gen.err"
        then
            ours=$((ours + 1))
        else
            echo "failed: $b" >>"$tmp/gen.err"
        fi
        if peer jwt-sign.mjs --seed "$seed_b" "$f" >"$tmp/gen/$b.peer.jwt" 2>>"$tmp/gen.err" &&
                "$mcred" verify "$tmp/gen/$b.peer.jwt" >/dev/null 2>>"$tmp/gen.err"; then
            theirs=$((theirs + 1))
        else
            echo "not verified by mcred: $b.peer.jwt" >>"$tmp/gen.err"
        fi
    done
    cp "$tmp/gen.err" "$tmp/.err"
    if [ "$ours" -eq "$n" ]; then
        ok "jwt: $n generated credentials signed by mcred, verified unchanged by peer"
    else
        bad "jwt: generated credentials signed by mcred, verified unchanged by peer: $ours of $n"
    fi
    : >"$tmp/.err"
    grep -v '^failed: ' "$tmp/gen.err" >"$tmp/.err"
    if [ "$theirs" -eq "$n" ]; then
        ok "jwt: $n generated credentials signed by peer, verified by mcred"
    else
        bad "jwt: generated credentials signed by peer, verified by mcred: $theirs of $n"
    fi
}

scenario_schema() {
    need_cmds key credential
    new_key "$seed_a" "$tmp/a.key" || finish
    local i=0 a r f
    for a in achievement-basic achievement-rich; do
        for r in did:example:ebfeb1f712ebc6f1c276e12ec21 learner@example.org; do
            i=$((i + 1))
            f=$tmp/cred-$i.json
            make_cred "$f" "$here/fixtures/$a.json" "$r" || continue
            expect 0 "schema: credential new ($a, recipient $r) is a valid AchievementCredential" \
                peer schema-validate.mjs "$schema" "$f"
        done
    done
    if run_to "$tmp/cred-hashed.json" "mcred credential new --hash-email" \
            "$mcred" credential new --issuer "$did_a" --hash-email \
            --achievement "$here/fixtures/achievement-basic.json" --recipient learner@example.org
    then
        expect 0 "schema: credential new --hash-email is a valid AchievementCredential" \
            peer schema-validate.mjs "$schema" "$tmp/cred-hashed.json"
        # OB 3.0 IdentityObject: identityHash = "sha256$" + hex(SHA-256(address + salt))
        expect 0 "schema: --hash-email identityHash is sha256\$hex(SHA-256(email + salt))" \
            node -e '
            const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
            const id = [].concat(c.credentialSubject.identifier)[0];
            const want = "sha256$" + require("crypto").createHash("sha256")
                .update("learner@example.org" + (id.salt ?? "")).digest("hex");
            if (id.hashed !== true || id.identityHash !== want) {
                console.error(`identityHash ${id.identityHash}, expected ${want}`);
                process.exit(1);
            }' "$tmp/cred-hashed.json"
    fi
    [ -s "$tmp/cred-3.json" ] || finish
    # signed output (a proof added) still validates
    if grep -Eq '^  sign( |$)' "$tmp/help" &&
            run_to "$tmp/signed.json" "mcred sign eddsa-jcs-2022" \
                "$mcred" sign --key "$tmp/a.key" --suite eddsa-jcs-2022 "$tmp/cred-4.json"; then
        expect 0 "schema: signed credential is a valid AchievementCredential" \
            peer schema-validate.mjs "$schema" "$tmp/signed.json"
    fi
    # required fields removed, each in turn
    local p
    for p in '@context' id type issuer validFrom credentialSubject \
            credentialSubject.type credentialSubject.achievement \
            credentialSubject.achievement.id credentialSubject.achievement.name \
            credentialSubject.achievement.criteria credentialSubject.achievement.description; do
        node -e '
            const fs = require("fs");
            const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
            const keys = process.argv[2].split(".");
            let o = c;
            for (const k of keys.slice(0, -1)) { o = o[k]; }
            if (!(keys[keys.length - 1] in o)) { process.exit(3); }
            delete o[keys[keys.length - 1]];
            process.stdout.write(JSON.stringify(c, null, 2));' \
            "$tmp/cred-3.json" "$p" >"$tmp/missing.json" 2>"$tmp/.err"
        if [ $? -ne 0 ]; then
            echo "the credential from mcred credential new has no $p" >>"$tmp/.err"
            bad "schema: mcred credential new output has $p"
            continue
        fi
        expect 1 "schema: without $p it is not valid" \
            peer schema-validate.mjs "$schema" "$tmp/missing.json"
    done
    finish
}

scenario_rdfc() {
    need_cmds key sign verify canon
    local n=${RDFC_COUNT:-200} f b cnt
    new_key "$seed_a" "$tmp/a.key" || finish
    peer gen-creds.mjs --issuer "$did_a" --out "$tmp/gen" "$n" interop-rdfc 2>"$tmp/.err" ||
        { bad "gen-creds.mjs"; finish; }

    # canonical N-Quads: mcred canon --rdfc vs jsonld.js + rdf-canonize
    peer peer-canon.mjs --out-dir "$tmp/canon-peer" "$tmp"/gen/*.json 2>"$tmp/.err" ||
        { bad "peer-canon.mjs on the generated credentials"; finish; }
    mkdir -p "$tmp/canon-ours"
    cnt=0
    : >"$tmp/canon.err"
    for f in "$tmp"/gen/*.json; do
        b=$(basename "$f" .json)
        if "$mcred" canon --rdfc "$f" >"$tmp/canon-ours/$b.nq" 2>>"$tmp/canon.err" &&
                cmp -s "$tmp/canon-ours/$b.nq" "$tmp/canon-peer/$b.nq"; then
            cnt=$((cnt + 1))
        else
            { echo "differs: $b.json"; diff "$tmp/canon-peer/$b.nq" "$tmp/canon-ours/$b.nq" |
                  head -6; } >>"$tmp/canon.err"
        fi
    done
    cp "$tmp/canon.err" "$tmp/.err"
    if [ "$cnt" -eq "$n" ]; then
        ok "rdfc: mcred canon --rdfc = jsonld.js + rdf-canonize on $n credentials"
    else
        bad "rdfc: mcred canon --rdfc = jsonld.js + rdf-canonize on $cnt of $n credentials"
    fi

    # we sign -> peer verifies
    mkdir -p "$tmp/ours"
    : >"$tmp/sign.err"
    for f in "$tmp"/gen/*.json; do
        b=$(basename "$f")
        "$mcred" sign --key "$tmp/a.key" --suite eddsa-rdfc-2022 "$f" >"$tmp/ours/$b" \
            2>>"$tmp/sign.err" || { echo "mcred sign failed: $b" >>"$tmp/sign.err";
                                    rm -f "$tmp/ours/$b"; }
    done
    if ls "$tmp"/ours/*.json >/dev/null 2>&1; then
        peer peer-verify.mjs --suite eddsa-rdfc-2022 "$tmp"/ours/*.json \
            >"$tmp/v.out" 2>"$tmp/v.err"
    else
        : >"$tmp/v.out"
    fi
    cnt=$(grep -c '^verified:' "$tmp/v.out")
    cat "$tmp/sign.err" "$tmp/v.err" >"$tmp/.err" 2>/dev/null
    if [ "$cnt" -eq "$n" ]; then
        ok "rdfc: $n credentials signed by mcred, verified by peer"
    else
        bad "rdfc: credentials signed by mcred, verified by peer: $cnt of $n"
    fi

    # peer signs -> we verify
    peer peer-sign.mjs --suite eddsa-rdfc-2022 --seed "$seed_b" --out-dir "$tmp/theirs" \
        "$tmp"/gen/*.json 2>"$tmp/.err" || { bad "peer-sign the generated credentials"; finish; }
    cnt=0
    : >"$tmp/mv.err"
    for f in "$tmp"/theirs/*.json; do
        if "$mcred" verify "$f" >/dev/null 2>>"$tmp/mv.err"; then
            cnt=$((cnt + 1))
        else
            echo "not verified by mcred: $(basename "$f")" >>"$tmp/mv.err"
        fi
    done
    cp "$tmp/mv.err" "$tmp/.err"
    if [ "$cnt" -eq "$n" ]; then
        ok "rdfc: $n credentials signed by peer, verified by mcred"
    else
        bad "rdfc: credentials signed by peer, verified by mcred: $cnt of $n"
    fi

    # tampered copies fail on both sides
    f=$(ls "$tmp"/ours/*.json 2>/dev/null | head -1)
    if [ -n "$f" ]; then
        peer tamper.mjs --path credentialSubject.achievement.name "$f" >"$tmp/ours-t.json"
        expect 1 "rdfc: ours tampered rejected by peer" peer peer-verify.mjs \
            --suite eddsa-rdfc-2022 "$tmp/ours-t.json"
        expect 1 "rdfc: ours tampered rejected by mcred" "$mcred" verify "$tmp/ours-t.json"
    fi
    f=$(ls "$tmp"/theirs/*.json | head -1)
    peer tamper.mjs --path credentialSubject.achievement.name "$f" >"$tmp/theirs-t.json"
    expect 1 "rdfc: theirs tampered rejected by mcred" "$mcred" verify "$tmp/theirs-t.json"
    expect 1 "rdfc: theirs tampered rejected by peer" peer peer-verify.mjs \
        --suite eddsa-rdfc-2022 "$tmp/theirs-t.json"
    finish
}

"scenario_$scenario"
