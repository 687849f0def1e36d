#!/usr/bin/env node
// peer-sign.mjs - signs a credential with the peer stack (@digitalbazaar/vc +
// DataIntegrityProof + the eddsa cryptosuite) using the did:key Ed25519 key
// derived from a 32-byte seed; prints the signed credential on stdout.
// The issuer (its `id` when it is a Profile object) becomes the key's DID
// unless --keep-issuer is given. Batch: several IN files with --out-dir DIR
// write DIR/<basename of IN> each. Exit 1 when signing fails, 2 on usage.
// SPDX-License-Identifier: Apache-2.0
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {SUITES, describeError, die, documentLoader, keyFromSeed, parseArgs, readJson,
        signSuite} from './common.mjs';

const USAGE = 'usage: peer-sign.mjs --suite eddsa-jcs-2022|eddsa-rdfc-2022 --seed HEX ' +
    '[--created RFC3339] [--keep-issuer] IN.json > OUT.json\n' +
    '       peer-sign.mjs ... --out-dir DIR IN.json...';
const {opts, args} = parseArgs(process.argv.slice(2),
                               {suite: true, seed: true, created: true, 'keep-issuer': false,
                                'out-dir': true}, USAGE);
if (!SUITES.includes(opts.suite) || !opts.seed || args.length === 0 ||
    (args.length > 1 && !opts['out-dir'])) {
    die(USAGE);
}
let key;
try {
    key = await keyFromSeed(opts.seed);
} catch (e) {
    die(e.message);
}
if (opts['out-dir']) {
    mkdirSync(opts['out-dir'], {recursive: true});
}
let failed = 0;
for (const file of args) {
    const credential = readJson(file);
    if (!opts['keep-issuer']) {
        if (credential.issuer && typeof credential.issuer === 'object') {
            credential.issuer.id = key.did;
        } else {
            credential.issuer = key.did;
        }
    }
    let signed;
    try {
        const suite = signSuite(opts.suite, key.keyPair, opts.created);
        signed = await vc.issue({credential, suite, documentLoader});
    } catch (e) {
        process.stderr.write(`peer-sign.mjs: ${file}: signing failed: ${describeError(e)}\n`);
        failed++;
        continue;
    }
    const text = JSON.stringify(signed, null, 2) + '\n';
    if (opts['out-dir']) {
        writeFileSync(path.join(opts['out-dir'], path.basename(file)), text);
    } else {
        process.stdout.write(text);
    }
}
process.exit(failed ? 1 : 0);
