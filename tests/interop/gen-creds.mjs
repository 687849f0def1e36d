#!/usr/bin/env node
// gen-creds.mjs - generates N varied, unsigned OB 3.0 AchievementCredentials,
// deterministically from SEED, for the eddsa-rdfc-2022 / JCS interop runs:
// optional fields present or not, Unicode (non-Latin scripts, combining
// marks, astral characters, control characters, quotes and backslashes),
// numbers in several JSON spellings (2.0, 1E3, 2.5, 1e21, 1.5e-7, -0, ...; not 1e-7:
// jsonld.js reads it as 0 where the standard says 1.0E-7, and mcred refuses to sign it),
// arrays with duplicates, nested objects without ids (blank nodes, some of
// them identical with --dup-bnodes), string-or-array `type`, non-ASCII IRIs, and object keys
// in random order. Every term is defined by the VC 2.0 + OB 3.0.3 contexts
// (+ extensions.json when credentialSchema is used), so signing in JSON-LD
// safe mode succeeds; every credential is meant to validate against the
// OB 3.0 AchievementCredential JSON Schema and the OB 3.0 data model: the
// issuer is a Profile object (the schema would also take a bare URI, the
// data model does not) and required strings are never empty (optional ones
// may be).
// --dup-bnodes adds exact duplicate blank-node subgraphs (an alignment or
// evidence entry twice, a repeated value in the allowedValue @list): rdf-canonize 5 with its default maxWorkFactor 1
// refuses those ("Maximum deep iterations exceeded"), so the peer can
// neither sign nor verify them; they are off by default.
// Output: JSON lines on stdout, or one file per credential with --out DIR
// (cred-0001.json, ...). --issuer DID sets the issuer id (default a
// did:key from a fixed seed); the subject is never the issuer.
// --subject-id gives every credentialSubject an id (VC-JWT needs it: sub).
// SPDX-License-Identifier: Apache-2.0
import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {die, parseArgs} from './common.mjs';

const USAGE = 'usage: gen-creds.mjs [--issuer DID] [--out DIR] [--dup-bnodes] [--subject-id] ' +
    'N SEED';
const {opts, args} = parseArgs(process.argv.slice(2),
                               {issuer: true, out: true, 'dup-bnodes': false,
                                'subject-id': false}, USAGE);
if (args.length !== 2 || !/^[0-9]+$/.test(args[0])) {
    die(USAGE);
}
const count = Number(args[0]);
const seed = args[1];
const dupBnodes = Boolean(opts['dup-bnodes']);
const issuerId = opts.issuer ?? 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

// A deterministic stream of 32-bit numbers: SHA-256(seed, index, block).
function makeRandom(tag) {
    let block = 0;
    let pool = [];
    const next = () => {
        if (pool.length === 0) {
            const h = createHash('sha256').update(`${seed}\0${tag}\0${block++}`).digest();
            for (let i = 0; i < 32; i += 4) {
                pool.push(h.readUInt32BE(i));
            }
        }
        return pool.shift();
    };
    const r = {
        int: n => next() % n,
        chance: p => next() / 4294967296 < p,
        pick: a => a[next() % a.length],
        hex: n => Array.from({length: n}, () => (next() % 16).toString(16)).join(''),
        uuid: () => {
            const h = r.hex(32);
            return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-` +
                `${'89ab'[next() % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
        },
        shuffle: a => {
            const b = [...a];
            for (let i = b.length - 1; i > 0; i--) {
                const j = next() % (i + 1);
                [b[i], b[j]] = [b[j], b[i]];
            }
            return b;
        },
    };
    return r;
}

const TEXT = [
    'Teamwork',
    'Zertifikat für Übungsleiter',
    '日本語能力試験 N1',
    'Ωμέγα Λάβ — Ελληνικά',
    '🏅 Gold Medal 🥇',
    'مهارات التواصل',
    'עברית למתחילים',
    'Ñandú & Açaí',
    'Cafe\u0301 (combining acute) vs Café',
    'quote " and backslash \\ and slash /',
    'line one\nline two\r\nline three',
    'tab\tseparated\tvalues',
    'control \u0001\u0008\u000b\u000c\u001f\u007f chars',
    'separators \u2028 and \u2029 and \u0085',
    'astral 𝄞 𝕏 😀 👩‍💻',
    '<script>alert("x")</script> &amp;',
    '  leading and trailing spaces  ',
    'ﬁ ligature, Å vs Å (not NFC-normalized)',
    'zero\u200bwidth\u200djoiner\ufeffbom',
    'Ünïcödé ∑ ∫ √ ∞ ≠',
    'x',
    '',
    'Data Science Foundations',
    'Advanced Welding — Level 3',
    'Bürgerliches Recht II',
    '中文课程：数据结构',
    'Кибербезопасность',
    'Ελληνική γλώσσα',
    'हिन्दी भाषा प्रमाणपत्र',
    'ภาษาไทย',
];

// Raw JSON number spellings; the generator writes them verbatim (the peer
// reads `2.0` as the integer 2, `2.5` as a double, `1e21` as a double).
const NUMBERS = ['3', '2.0', '2.5', '1E3', '1.50', '25e-1', '0.1', '1e21', '1E+21', '1e20',
                 '100000000000000000000', '123456789012345678901234567890', '1.5e-7',
                 '0.000001', '-0', '-1.5', '4.35', '0', '2.5e-300', '1.7976931348623157e308',
                 '9007199254740993', '0.30000000000000004', '12.000', '7'];

const DATES = ['2024-03-15T10:00:00Z', '2023-01-01T00:00:00.5Z', '2022-06-30T23:59:59+02:00',
               '2021-12-31T12:00:00.123456Z', '2010-01-01T00:00:00Z',
               '1999-12-31T23:59:59-05:30', '2020-02-29T00:00:00.000Z'];
const FUTURE = ['2099-12-31T23:59:59Z', '2100-01-01T00:00:00.25+01:00', '2999-06-01T00:00:00Z'];
const ACH_TYPES = ['Badge', 'Certificate', 'Course', 'Competency', 'Diploma', 'Award',
                   'MicroCredential', 'ext:LabSafety', 'License', 'Assessment'];
const ID_TYPES = ['emailAddress', 'sourcedId', 'ext:passport', 'userName', 'name'];
const TARGET_TYPES = ['ceasn:Competency', 'CFItem', 'ext:ESCO.skill', 'CTDL'];
const RESULT_TYPES = ['LetterGrade', 'Percent', 'RawScore', 'Status', 'ext:Belt'];
const STATUS = ['Completed', 'Enrolled', 'Failed', 'InProgress', 'OnHold', 'Provisional',
                'Withdrew'];

function generate(i) {
    const r = makeRandom(`cred-${i}`);
    const numbers = [];
    const num = () => {
        numbers.push(r.pick(NUMBERS));
        return `\u0000NUM${numbers.length - 1}\u0000`;
    };
    const text = () => r.pick(TEXT);
    // required OB strings (names, descriptions, targetName, ...) are never empty
    const word = () => r.pick(TEXT.filter(t => t.trim() !== ''));
    const maybe = (p, f) => (r.chance(p) ? f() : undefined);
    const typeOf = name => (r.chance(0.5) ? [name] : name);
    const iri = kind => r.pick([
        `https://example.org/${kind}/${r.hex(8)}`,
        `urn:uuid:${r.uuid()}`,
        `https://例え.jp/${kind}/ü-${r.hex(4)}`,
        `https://example.org/${kind}/${r.hex(4)}?lang=de&v=1#frag`,
    ]);
    const image = () => ({
        id: r.chance(0.7) ? `https://example.org/images/${r.hex(6)}.png`
            : 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk',
        type: 'Image',
        caption: maybe(0.5, text),
    });
    const alignment = () => ({
        type: typeOf('Alignment'),
        targetName: word(),
        targetUrl: r.pick(['https://esco.ec.europa.eu/skill/' + r.hex(8),
                           'https://example.org/frameworks/x/' + r.hex(4)]),
        targetCode: maybe(0.5, () => `C-${r.int(1000)}`),
        targetDescription: maybe(0.4, text),
        targetFramework: maybe(0.4, () => r.pick(['ESCO', 'O*NET', 'Mozilla 21st Century'])),
        targetType: maybe(0.5, () => r.pick(TARGET_TYPES)),
    });
    const identifierEntry = () => ({
        type: 'IdentifierEntry',
        identifier: r.pick([`ID-${r.hex(6)}`, word()]),
        identifierType: r.pick(ID_TYPES),
    });
    const profile = (id, required) => ({
        id,
        type: typeOf('Profile'),
        name: required || r.chance(0.8) ? word() : undefined,
        url: maybe(0.5, () => `https://example.org/org/${r.hex(4)}`),
        email: maybe(0.3, () => `office+${r.hex(3)}@example.org`),
        phone: maybe(0.2, () => '+49 30 1234567'),
        description: maybe(0.3, text),
        image: maybe(0.3, image),
        official: maybe(0.2, text),
        address: maybe(0.3, () => ({
            type: typeOf('Address'),
            addressCountry: word(),
            addressCountryCode: maybe(0.5, () => r.pick(['DE', 'JP', 'US'])),
            addressLocality: maybe(0.5, text),
            postalCode: maybe(0.5, () => '10115'),
            streetAddress: maybe(0.4, text),
            geo: maybe(0.5, () => ({type: 'GeoCoordinates', latitude: num(), longitude: num()})),
        })),
        otherIdentifier: maybe(0.3, () => Array.from({length: 1 + r.int(2)}, identifierEntry)),
    });

    const rds = maybe(0.4, () => Array.from({length: 1 + r.int(2)}, () => {
        const levels = maybe(0.5, () => Array.from({length: 1 + r.int(3)}, () => ({
            id: `urn:uuid:${r.uuid()}`,
            type: typeOf('RubricCriterionLevel'),
            name: word(),
            level: maybe(0.5, () => `L${r.int(5)}`),
            points: maybe(0.5, () => String(r.int(100))),
            description: maybe(0.3, text),
        })));
        return {
            id: `urn:uuid:${r.uuid()}`,
            type: typeOf('ResultDescription'),
            name: word(),
            resultType: r.pick(RESULT_TYPES),
            // an @list: repeated values make blank nodes alike (see --dup-bnodes)
            allowedValue: maybe(0.5, () => r.shuffle(dupBnodes ? ['A', 'B', 'C', 'B']
                : ['A', 'B', 'C', 'D'])),
            requiredValue: maybe(0.3, () => 'B'),
            valueMin: maybe(0.3, () => '0'),
            valueMax: maybe(0.3, () => '100'),
            rubricCriterionLevel: levels,
            alignment: maybe(0.2, () => [alignment()]),
        };
    }));

    const alignments = maybe(0.5, () => {
        const a = Array.from({length: 1 + r.int(3)}, alignment);
        if (dupBnodes && r.chance(0.4)) {
            a.push(structuredClone(a[0]));   // an identical blank node
        }
        return a;
    });

    const achievement = {
        id: iri('achievements'),
        type: typeOf('Achievement'),
        name: word(),
        description: word(),
        criteria: r.pick([
            () => ({narrative: word()}),
            () => ({id: `https://example.org/criteria/${r.hex(6)}`, narrative: word()}),
            () => ({id: `https://example.org/criteria/${r.hex(6)}`}),
        ])(),
        achievementType: maybe(0.6, () => r.pick(ACH_TYPES)),
        creditsAvailable: maybe(0.5, num),
        tag: maybe(0.5, () => r.shuffle(['skills', 'α', 'skills', text(), 'data'])
            .slice(0, 1 + r.int(5))),
        alignment: alignments,
        fieldOfStudy: maybe(0.3, text),
        humanCode: maybe(0.3, () => `HC-${r.int(999)}`),
        inLanguage: maybe(0.3, () => r.pick(['en', 'de-AT', 'ja', 'ar'])),
        specialization: maybe(0.2, text),
        version: maybe(0.3, () => r.pick(['1.0', '2', 'v3.1-beta'])),
        image: maybe(0.4, image),
        creator: maybe(0.3, () => profile(`https://example.org/creators/${r.hex(4)}`, false)),
        otherIdentifier: maybe(0.2, () => [identifierEntry()]),
        resultDescription: rds,
        related: maybe(0.15, () => [{id: `https://example.org/related/${r.hex(4)}`,
                                     type: typeOf('Related'),
                                     inLanguage: maybe(0.5, () => 'fr'),
                                     version: maybe(0.5, () => '1')}]),
    };

    const subject = {
        id: maybe(opts['subject-id'] ? 1 : 0.7, () => r.pick([`did:example:${r.hex(16)}`, `did:key:z6Mk${r.hex(20)}`,
                                     `mailto:learner.${r.hex(3)}@example.org`])),
        type: typeOf('AchievementSubject'),
        achievement,
        identifier: undefined,
        result: rds ? maybe(0.7, () => rds.map(rd => ({
            type: typeOf('Result'),
            resultDescription: rd.id,
            value: maybe(0.7, () => r.pick(['A', 'B+', '97.5', '✓', text()])),
            status: maybe(0.4, () => r.pick(STATUS)),
            achievedLevel: rd.rubricCriterionLevel ? maybe(0.6, () => rd.rubricCriterionLevel[0].id)
                : undefined,
        }))) : undefined,
        creditsEarned: maybe(0.4, num),
        activityStartDate: maybe(0.3, () => r.pick(DATES)),
        activityEndDate: maybe(0.3, () => r.pick(DATES)),
        term: maybe(0.3, () => r.pick(['Fall 2023', 'WS 2024/25', text()])),
        role: maybe(0.2, text),
        licenseNumber: maybe(0.2, () => `LIC-${r.hex(6)}`),
        narrative: maybe(0.3, text),
        image: maybe(0.2, image),
        source: maybe(0.2, () => profile(`https://example.org/sources/${r.hex(4)}`, false)),
    };
    if (!subject.id || r.chance(0.3)) {
        const hashed = r.chance(0.5);
        subject.identifier = Array.from({length: 1 + r.int(2)}, () => ({
            type: 'IdentityObject',
            hashed,
            identityHash: hashed ? `sha256$${r.hex(64)}` : `learner.${r.hex(4)}@example.org`,
            identityType: r.pick(ID_TYPES),
            salt: hashed && r.chance(0.7) ? r.hex(8) : undefined,
        }));
    }

    const useSchema = r.chance(0.2);
    const credential = {
        '@context': [
            'https://www.w3.org/ns/credentials/v2',
            'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
            ...(useSchema ? ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'] : []),
        ],
        id: r.pick([`urn:uuid:${r.uuid()}`, `https://example.org/credentials/${i}`,
                    `https://example.org/credentials/${r.hex(8)}`]),
        type: ['VerifiableCredential', r.pick(['OpenBadgeCredential', 'AchievementCredential'])],
        issuer: profile(issuerId, true),
        validFrom: r.pick(DATES),
        validUntil: maybe(0.3, () => r.pick(FUTURE)),
        awardedDate: maybe(0.4, () => r.pick(DATES)),
        name: maybe(0.8, word),
        description: maybe(0.5, text),
        image: maybe(0.3, image),
        credentialSubject: subject,
        evidence: maybe(0.3, () => {
            const e = Array.from({length: 1 + r.int(3)}, () => ({
                id: maybe(0.4, () => `https://example.org/evidence/${r.hex(6)}`),
                type: r.chance(0.5) ? ['Evidence'] : 'Evidence',
                name: maybe(0.7, text),
                narrative: maybe(0.5, text),
                description: maybe(0.5, text),
                genre: maybe(0.3, () => r.pick(['Portfolio', 'Video', 'Essay'])),
                audience: maybe(0.3, () => r.pick(['Employers', 'Öffentlichkeit'])),
            }));
            if (dupBnodes && r.chance(0.3)) {
                e.push(structuredClone(e[0]));
            }
            return e;
        }),
        credentialSchema: useSchema ? [{
            id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/' +
                'ob_v3p0_achievementcredential_schema.json',
            type: '1EdTechJsonSchemaValidator2019',
        }] : undefined,
    };
    return serialize(credential, r, numbers);
}

// Drops undefined members, shuffles keys (JCS must sort them; RDF must not
// care), writes the raw number spellings in place of their placeholders.
function serialize(credential, r, numbers) {
    const clean = v => {
        if (Array.isArray(v)) {
            return v.map(clean);
        }
        if (v && typeof v === 'object') {
            const keys = r.shuffle(Object.keys(v).filter(k => v[k] !== undefined));
            if (keys.includes('@context')) {
                keys.splice(keys.indexOf('@context'), 1);
                keys.unshift('@context');
            }
            return Object.fromEntries(keys.map(k => [k, clean(v[k])]));
        }
        return v;
    };
    const indent = opts.out ? 2 : 0;
    return JSON.stringify(clean(credential), null, indent)
        .replace(/"\\u0000NUM(\d+)\\u0000"/g, (_, n) => numbers[Number(n)]);
}

if (opts.out) {
    mkdirSync(opts.out, {recursive: true});
}
for (let i = 1; i <= count; i++) {
    const json = generate(i);
    if (opts.out) {
        writeFileSync(path.join(opts.out, `cred-${String(i).padStart(4, '0')}.json`), json + '\n');
    } else {
        process.stdout.write(json + '\n');
    }
}
