#!/usr/bin/env node
// jwt-verify.mjs - verifies an OB 3.0 VC-JWT (Compact JWS) with `jose`: the
// key comes from the header's `kid` (a did:key verification method,
// resolved in-process) or `jwk` (only accepted when it is the key of the
// issuer's did:key); the signature is checked with the EdDSA algorithm; then
// the OB 3.0 section 8.2 claim checks: iss = issuer.id, sub =
// credentialSubject.id, jti = id, nbf = validFrom (and not in the future),
// exp = validUntil when present (and not past). A credential in a `vc`
// claim (VC 1.1 encoding) is accepted too. Exit 0 valid, 1 not (the reason
// on stderr), 2 usage/input error. --print writes the credential on stdout.
// --same-as FILE also requires the credential in the token to equal the JSON
// in FILE (as JavaScript reads both; the JWT claims iss, jti, nbf, sub, exp
// aside): a signer must not change the data it secures.
// SPDX-License-Identifier: Apache-2.0
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';
import {die, documentLoader, parseArgs, readJson, readText} from './common.mjs';

const USAGE = 'usage: jwt-verify.mjs [--print] [--quiet] [--same-as FILE.json] IN.jwt';
const {opts, args} = parseArgs(process.argv.slice(2),
                               {print: false, quiet: false, 'same-as': true}, USAGE);
if (args.length !== 1) {
    die(USAGE);
}
const jws = readText(args[0]).trim();

function fail(msg) {
    process.stderr.write(`jwt-verify.mjs: ${args[0]}: not verified: ${msg}\n`);
    process.exit(1);
}

const didOf = url => url.split('#')[0];

// The verification method of a did:key URL (with fragment), or the first
// one of a did:key DID document.
async function didKeyVm(url) {
    let doc;
    try {
        ({document: doc} = await documentLoader(url));
    } catch (e) {
        fail(`cannot resolve ${url}: ${e.message}`);
    }
    if (url.includes('#')) {
        return {vm: doc};
    }
    return {vm: [].concat(doc.verificationMethod ?? [])[0]};
}

let header;
try {
    header = jose.decodeProtectedHeader(jws);
} catch (e) {
    fail(`not a compact JWS: ${e.message}`);
}
if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') {
    fail(`unsupported alg ${JSON.stringify(header.alg)} (this peer checks EdDSA only)`);
}
if (header.typ !== undefined && header.typ !== 'JWT') {
    fail(`typ must be "JWT" when present, got ${JSON.stringify(header.typ)}`);
}
const allowed = new Set(['alg', 'kid', 'jwk', 'typ']);
const extra = Object.keys(header).filter(k => !allowed.has(k));
if (extra.length) {
    fail(`JOSE header has properties OB 3.0 does not allow: ${extra.join(', ')}`);
}
if (!header.kid && !header.jwk) {
    fail('the JOSE header has neither kid nor jwk');
}

let publicJwk;
let keyDid;
if (header.kid) {
    if (typeof header.kid !== 'string' || !header.kid.startsWith('did:key:')) {
        fail(`kid ${JSON.stringify(header.kid)} is not a did:key URL (the only kind resolved here)`);
    }
    const {vm} = await didKeyVm(header.kid);
    if (typeof vm?.publicKeyMultibase !== 'string') {
        fail(`${header.kid} resolves to no verification method with a publicKeyMultibase`);
    }
    const kp = await Ed25519Multikey.from(vm);
    publicJwk = await Ed25519Multikey.toJwk({keyPair: kp});
    keyDid = didOf(header.kid);
} else {
    if (header.jwk.d !== undefined) {
        fail('the header jwk contains a private key (d)');
    }
    publicJwk = {kty: header.jwk.kty, crv: header.jwk.crv, x: header.jwk.x};
}

let payload;
try {
    const key = await jose.importJWK(publicJwk, 'EdDSA');
    const result = await jose.compactVerify(jws, key, {algorithms: ['EdDSA', 'Ed25519']});
    payload = JSON.parse(new TextDecoder().decode(result.payload));
} catch (e) {
    fail(`signature: ${e.message}`);
}
if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    fail('the JWT payload is not a JSON object');
}
const credential = payload.vc && typeof payload.vc === 'object' ? payload.vc : payload;
const idOf = v => (v && typeof v === 'object' ? v.id : v);
const issuer = idOf(credential.issuer);

if (header.jwk) {
    // jwk given: bind it to the issuer, which must then be a did:key.
    if (typeof issuer !== 'string' || !issuer.startsWith('did:key:')) {
        fail(`cannot bind the header jwk to issuer ${JSON.stringify(issuer)}`);
    }
    const {vm} = await didKeyVm(issuer);
    const kp = await Ed25519Multikey.from(vm);
    const issuerJwk = await Ed25519Multikey.toJwk({keyPair: kp});
    if (issuerJwk.x !== publicJwk.x) {
        fail(`the header jwk is not the key of issuer ${issuer}`);
    }
    keyDid = issuer;
}
if (keyDid !== issuer) {
    fail(`the signing key belongs to ${keyDid}, not to issuer ${JSON.stringify(issuer)}`);
}
const subject = [].concat(credential.credentialSubject ?? [])[0];
const toNumericDate = s => Math.floor(Date.parse(s) / 1000);
const checks = [
    ['iss', payload.iss, issuer, true],
    ['sub', payload.sub, subject?.id, true],
    ['jti', payload.jti, credential.id, true],
    ['nbf', payload.nbf, toNumericDate(credential.validFrom ?? credential.issuanceDate), true],
    ['exp', payload.exp, credential.validUntil ?? credential.expirationDate
        ? toNumericDate(credential.validUntil ?? credential.expirationDate) : undefined, false],
];
for (const [claim, got, want, required] of checks) {
    if (got === undefined && !required && want === undefined) {
        continue;
    }
    if (got === undefined) {
        fail(`the ${claim} claim is missing`);
    }
    if (got !== want) {
        fail(`the ${claim} claim ${JSON.stringify(got)} does not match the credential's ` +
             `${JSON.stringify(want)}`);
    }
}
const now = Math.floor(Date.now() / 1000);
if (payload.nbf > now + 300) {
    fail(`not yet valid (nbf ${new Date(payload.nbf * 1000).toISOString()})`);
}
if (payload.exp !== undefined && payload.exp < now - 300) {
    fail(`expired (exp ${new Date(payload.exp * 1000).toISOString()})`);
}
if (opts['same-as']) {
    const want = readJson(opts['same-as']);
    const got = {...credential};
    if (credential === payload) {
        for (const claim of ['iss', 'jti', 'nbf', 'sub', 'exp']) {
            if (!(claim in want)) {
                delete got[claim];
            }
        }
    }
    const diff = firstDifference(want, got, '');
    if (diff) {
        fail(`the credential in the token differs from ${opts['same-as']} at ${diff}`);
    }
}
if (opts.print) {
    process.stdout.write(JSON.stringify(credential, null, 2) + '\n');
} else if (!opts.quiet) {
    process.stdout.write(`verified: ${args[0]} (issuer ${issuer})\n`);
}
process.exit(0);

// The path of the first difference between two JSON values, or null.
function firstDifference(a, b, where) {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) {
        return null;
    }
    if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' ||
        Array.isArray(a) !== Array.isArray(b)) {
        return `${where || '/'} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
        const d = firstDifference(a[k], b[k], `${where}/${k}`);
        if (d) {
            return d;
        }
    }
    return null;
}
