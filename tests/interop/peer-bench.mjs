#!/usr/bin/env node
// peer-bench.mjs - the JavaScript peer's rates for one Data Integrity suite,
// measured the way bench_proofs measures microcred: from the credential's
// bytes (JSON.parse included) to a signed credential, and from the signed
// bytes to a verification result; one core, SECONDS of CPU time each.
// Lives here to use the pinned packages and the offline loader of tests/interop
// (run by bench/run.sh through bench_proofs).
// usage: peer-bench.mjs SUITE SEED_HEX UNSIGNED.json SECONDS
// prints: RESULT peer sign=N verify=N
// SPDX-License-Identifier: Apache-2.0
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {documentLoader, keyFromSeed, signSuite, verifySuite} from './common.mjs';

const [suiteName, seedHex, file, secondsArg] = process.argv.slice(2);
if (!suiteName || !seedHex || !file) {
    console.error('usage: peer-bench.mjs SUITE SEED_HEX UNSIGNED.json SECONDS');
    process.exit(2);
}
const seconds = Number(secondsArg || 1);
const key = await keyFromSeed(seedHex);
const text = readFileSync(file, 'utf8');
const created = '2025-01-01T00:00:00Z';

async function sign() {
    const credential = JSON.parse(text);
    credential.issuer.id = key.did;
    return vc.issue({credential, suite: signSuite(suiteName, key.keyPair, created),
                     documentLoader});
}

// CPU seconds of this process (user + system), like bench_proofs' thread CPU
// time: the figure does not depend on what else the machine is running.
function cpu() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
}

async function rate(fn) {
    const t0 = cpu();
    let n = 0;
    while (cpu() - t0 < seconds) {
        await fn();
        n++;
    }
    return n / (cpu() - t0);
}

const signedText = JSON.stringify(await sign());
const check = await vc.verifyCredential({credential: JSON.parse(signedText),
                                         suite: verifySuite(suiteName), documentLoader});
if (!check.verified) {
    console.error('peer-bench: the peer cannot verify its own credential');
    process.exit(1);
}
await rate(sign);  // warm up the JIT
const signRate = await rate(sign);
const verifyRate = await rate(async () => {
    const r = await vc.verifyCredential({credential: JSON.parse(signedText),
                                         suite: verifySuite(suiteName), documentLoader});
    if (!r.verified) {
        throw new Error('verification failed');
    }
});
console.log(`RESULT peer sign=${signRate.toFixed(0)} verify=${verifyRate.toFixed(0)}`);
