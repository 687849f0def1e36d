#!/usr/bin/env node
// tamper.mjs - writes a copy of a signed credential with one field changed,
// keeping its proof: for JSON, the value at --path (dotted, default `name`)
// gets " (tampered)" appended (or a number + 1); for a compact JWS the same
// change is made inside the payload (the credential itself, or its `vc`
// claim) and the original header and signature are kept.
// SPDX-License-Identifier: Apache-2.0
import {die, parseArgs, readText} from './common.mjs';

const USAGE = 'usage: tamper.mjs [--path a.b.c] IN > OUT';
const {opts, args} = parseArgs(process.argv.slice(2), {path: true}, USAGE);
if (args.length !== 1) {
    die(USAGE);
}
const keys = (opts.path ?? 'name').split('.');

function change(obj) {
    let o = obj;
    for (const k of keys.slice(0, -1)) {
        o = o?.[k];
    }
    const last = keys[keys.length - 1];
    if (!o || typeof o !== 'object' || !(last in o)) {
        die(`${args[0]}: no field ${keys.join('.')}`);
    }
    if (typeof o[last] === 'number') {
        o[last] += 1;
    } else if (typeof o[last] === 'string') {
        o[last] += ' (tampered)';
    } else {
        die(`${args[0]}: field ${keys.join('.')} is not a string or number`);
    }
}

const text = readText(args[0]).trim();
if (text.startsWith('{')) {
    const doc = JSON.parse(text);
    change(doc);
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
} else {
    const parts = text.split('.');
    if (parts.length !== 3) {
        die(`${args[0]}: neither JSON nor a compact JWS`);
    }
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    change(payload.vc && typeof payload.vc === 'object' ? payload.vc : payload);
    parts[1] = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    process.stdout.write(parts.join('.') + '\n');
}
