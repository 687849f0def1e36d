#!/usr/bin/env node
// jwt-sign.mjs - signs a credential as an OB 3.0 VC-JWT (Compact JWS, EdDSA)
// with `jose`, the key being the did:key Ed25519 key from a 32-byte seed.
// Per OB 3.0 section 8.2 the payload is the credential itself plus the
// claims iss (issuer.id), jti (id), nbf (validFrom), sub
// (credentialSubject.id) and exp (validUntil, when present); the JOSE header
// is {alg, kid, typ: "JWT"} or, with --jwk, {alg, jwk, typ}. --vc-claim puts
// the credential in a `vc` claim instead (the VC 1.1 JWT encoding).
// The issuer becomes the key's DID unless --keep-issuer is given.
// SPDX-License-Identifier: Apache-2.0
import * as jose from 'jose';
import {die, joseJwk, keyFromSeed, parseArgs, readJson} from './common.mjs';

const USAGE = 'usage: jwt-sign.mjs --seed HEX [--jwk] [--vc-claim] [--keep-issuer] IN.json';
const {opts, args} = parseArgs(process.argv.slice(2),
                               {seed: true, jwk: false, 'vc-claim': false, 'keep-issuer': false},
                               USAGE);
if (!opts.seed || args.length !== 1) {
    die(USAGE);
}
const credential = readJson(args[0]);
let key;
try {
    key = await keyFromSeed(opts.seed);
} catch (e) {
    die(e.message);
}
if (!opts['keep-issuer']) {
    if (credential.issuer && typeof credential.issuer === 'object') {
        credential.issuer.id = key.did;
    } else {
        credential.issuer = key.did;
    }
}
const idOf = v => (v && typeof v === 'object' ? v.id : v);
const numericDate = (prop) => {
    const t = Date.parse(credential[prop]);
    if (Number.isNaN(t)) {
        die(`${args[0]}: ${prop} ${JSON.stringify(credential[prop])} is not a date-time`);
    }
    return Math.floor(t / 1000);
};
const subject = [].concat(credential.credentialSubject ?? [])[0];
const claims = {
    iss: idOf(credential.issuer),
    jti: credential.id,
    nbf: numericDate('validFrom'),
    sub: subject?.id,
};
if (credential.validUntil !== undefined) {
    claims.exp = numericDate('validUntil');
}
for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) {
        die(`${args[0]}: no value for the required JWT claim ${name}`);
    }
}
const payload = opts['vc-claim'] ? {vc: credential, ...claims} : {...credential, ...claims};
const privateJwk = joseJwk(key);
const header = {alg: 'EdDSA', typ: 'JWT'};
if (opts.jwk) {
    header.jwk = {kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x};
} else {
    header.kid = key.vm;
}
const privateKey = await jose.importJWK(privateJwk, 'EdDSA');
const jws = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(privateKey);
process.stdout.write(jws + '\n');
