#!/usr/bin/env node
// peer-verify.mjs - verifies a credential's Data Integrity proof with the
// peer stack (@digitalbazaar/vc verifyCredential, offline loader, did:key).
// Exit 0 when verified, 1 when not (the reason on stderr), 2 on usage/input
// errors. --suite names the cryptosuite the proof must use. Several IN
// files may be given: exit 0 only when every one verifies.
// SPDX-License-Identifier: Apache-2.0
import * as vc from '@digitalbazaar/vc';
import {SUITES, describeError, die, documentLoader, parseArgs, readJson,
        verifySuite} from './common.mjs';

const USAGE = 'usage: peer-verify.mjs --suite eddsa-jcs-2022|eddsa-rdfc-2022 [--quiet] IN.json...';
const {opts, args} = parseArgs(process.argv.slice(2), {suite: true, quiet: false}, USAGE);
if (!SUITES.includes(opts.suite) || args.length === 0) {
    die(USAGE);
}

async function verify(file) {
    const credential = readJson(file);
    const proofs = [].concat(credential?.proof ?? []);
    if (proofs.length === 0) {
        return 'no proof';
    }
    const wrong = proofs.filter(p => p.cryptosuite !== opts.suite);
    if (wrong.length) {
        return `proof cryptosuite ${JSON.stringify(wrong[0].cryptosuite)} is not ${opts.suite}`;
    }
    let result;
    try {
        result = await vc.verifyCredential({credential, suite: verifySuite(opts.suite),
                                            documentLoader});
    } catch (e) {
        result = {verified: false, error: e};
    }
    return result.verified ? null : describeError(result.error ?? result.results);
}

let failed = 0;
for (const file of args) {
    const reason = await verify(file);
    if (reason === null) {
        if (!opts.quiet) {
            process.stdout.write(`verified: ${file}\n`);
        }
    } else {
        failed++;
        process.stderr.write(`peer-verify.mjs: ${file}: not verified: ${reason}\n`);
    }
}
process.exit(failed ? 1 : 0);
