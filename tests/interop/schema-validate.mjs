#!/usr/bin/env node
// schema-validate.mjs - validates a JSON document against a JSON Schema with
// ajv, using the draft the schema declares in `$schema` (the OB 3.0 and CLR
// 2.0 schemas declare 2019-09) and ajv-formats for `format`. Schemas are
// read in place; several IN files may be given. Exit 0 when every document
// is valid, 1 when one is not (the errors on stderr), 2 on usage errors.
// SPDX-License-Identifier: Apache-2.0
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {die, parseArgs, readJson} from './common.mjs';

const USAGE = 'usage: schema-validate.mjs [--quiet] SCHEMA.json IN.json...';
const {opts, args} = parseArgs(process.argv.slice(2), {quiet: false}, USAGE);
if (args.length < 2) {
    die(USAGE);
}
const schema = readJson(args[0]);
const draft = String(schema.$schema ?? '');
let AjvClass;
if (draft.includes('draft/2019-09')) {
    AjvClass = Ajv2019;
} else if (draft.includes('draft/2020-12')) {
    AjvClass = Ajv2020;
} else if (draft === '' || draft.includes('draft-07') || draft.includes('draft-06')) {
    AjvClass = Ajv;
} else {
    die(`${args[0]}: unsupported $schema ${JSON.stringify(draft)}`);
}
// Strict mode stays on, except the tuple check: the OB 3.0 schemas give
// `@context` a 2-item `items` tuple without minItems/additionalItems, which
// is valid JSON Schema that ajv merely warns about.
const ajv = new AjvClass({allErrors: true, strictTuples: false});
addFormats(ajv);
let validate;
try {
    validate = ajv.compile(schema);
} catch (e) {
    die(`${args[0]}: the schema does not compile: ${e.message}`);
}
let bad = 0;
for (const file of args.slice(1)) {
    const doc = readJson(file);
    if (validate(doc)) {
        if (!opts.quiet) {
            process.stdout.write(`valid: ${file}\n`);
        }
        continue;
    }
    bad++;
    process.stderr.write(`schema-validate.mjs: ${file}: invalid against ${args[0]}:\n`);
    for (const e of validate.errors.slice(0, 20)) {
        process.stderr.write(`  ${e.instancePath || '/'} ${e.message}` +
                             `${e.params && Object.keys(e.params).length
                                 ? ' ' + JSON.stringify(e.params) : ''}\n`);
    }
}
process.exit(bad ? 1 : 0);
