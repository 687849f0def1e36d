#!/usr/bin/env node
// peer-canon.mjs - prints the RDFC-1.0 canonical N-Quads of a JSON-LD
// document as the peer stack computes it: jsonld.js toRDF (safe mode, the
// offline loader) then rdf-canonize. --without-proof drops `proof` first
// (what eddsa-rdfc-2022 hashes as the document). Exit 1 when jsonld.js
// rejects the document (safe mode: dropped terms, bad values), 2 on usage.
// Batch: several IN files with --out-dir DIR write DIR/<basename>.nq each.
// SPDX-License-Identifier: Apache-2.0
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import jsonld from 'jsonld';
import * as canonize from 'rdf-canonize';
import {describeError, die, documentLoader, parseArgs, readJson} from './common.mjs';

const USAGE = 'usage: peer-canon.mjs [--without-proof] [--unsafe] IN.json\n' +
    '       peer-canon.mjs [--without-proof] [--unsafe] --out-dir DIR IN.json...';
const {opts, args} = parseArgs(process.argv.slice(2),
                               {'without-proof': false, unsafe: false, 'out-dir': true}, USAGE);
if (args.length === 0 || (args.length > 1 && !opts['out-dir'])) {
    die(USAGE);
}
if (opts['out-dir']) {
    mkdirSync(opts['out-dir'], {recursive: true});
}
let failed = 0;
for (const file of args) {
    const doc = readJson(file);
    if (opts['without-proof'] && doc && typeof doc === 'object') {
        delete doc.proof;
    }
    let nquads;
    try {
        const dataset = await jsonld.toRDF(doc, {documentLoader, safe: !opts.unsafe});
        nquads = await canonize.canonize(dataset, {algorithm: 'RDFC-1.0',
                                                   format: 'application/n-quads'});
    } catch (e) {
        process.stderr.write(`peer-canon.mjs: ${file}: ${describeError(e)}\n`);
        failed++;
        continue;
    }
    if (opts['out-dir']) {
        writeFileSync(path.join(opts['out-dir'], path.basename(file, '.json') + '.nq'), nquads);
    } else {
        process.stdout.write(nquads);
    }
}
process.exit(failed ? 1 : 0);
