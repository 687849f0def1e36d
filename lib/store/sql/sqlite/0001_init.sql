-- 0001_init.sql (SQLite) - the initial platform schema. The same logical
-- schema as sql/postgres/0001_init.sql: every table carries org_id, which
-- leads every composite key, so the data can be distributed by it later.
-- Ids are INTEGER PRIMARY KEY (the rowid) with a UNIQUE (org_id, id) that
-- composite foreign keys point at, so a row can only refer to rows of its
-- own organisation. Times are integer seconds since the epoch; NULL means
-- "none". Embedded into the library by scripts/embed-sql.py.
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE orgs (
    org_id      INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created     INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL
                CHECK (role IN ('admin', 'issuer', 'assessor', 'learner', 'recruiter')),
    created     INTEGER NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, email)
) STRICT;

-- API tokens, stored as hashes only.
CREATE TABLE tokens (
    hash        TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX tokens_user ON tokens (org_id, user_id);

CREATE TABLE issuers (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    name        TEXT NOT NULL,
    url         TEXT,
    email       TEXT,
    image       TEXT,
    did         TEXT,
    created     INTEGER NOT NULL,
    UNIQUE (org_id, id)
) STRICT;

CREATE TABLE issuer_keys (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    issuer_id   INTEGER NOT NULL,
    vm_id       TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    key_file    TEXT,
    created     INTEGER NOT NULL,
    retired     INTEGER,
    UNIQUE (org_id, id),
    UNIQUE (org_id, vm_id),
    FOREIGN KEY (org_id, issuer_id) REFERENCES issuers (org_id, id)
) STRICT;
CREATE INDEX issuer_keys_issuer ON issuer_keys (org_id, issuer_id, created);

-- One row per version of an Achievement (uri is its stable OB id).
CREATE TABLE achievements (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    uri         TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    json        TEXT NOT NULL,
    created     INTEGER NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, uri, version)
) STRICT;

-- e-mail and DID are each unique per organisation when present (NULLs are
-- distinct in UNIQUE constraints).
CREATE TABLE learners (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    name        TEXT NOT NULL,
    email       TEXT,
    did         TEXT,
    created     INTEGER NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, email),
    UNIQUE (org_id, did)
) STRICT;

CREATE TABLE status_lists (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    issuer_id   INTEGER NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    url         TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size > 0),
    next_index  INTEGER NOT NULL CHECK (next_index >= 0 AND next_index <= size),
    doc         TEXT,
    updated     INTEGER NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, url),
    FOREIGN KEY (org_id, issuer_id) REFERENCES issuers (org_id, id)
) STRICT;
CREATE INDEX status_lists_issuer ON status_lists (org_id, issuer_id, purpose, id);

-- Issued credentials. A (list, index) pair of each purpose belongs to at
-- most one credential; both halves are NULL when the credential has none.
CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    issuer_id   INTEGER NOT NULL,
    achievement_id INTEGER NOT NULL,
    learner_id  INTEGER,
    idem_key    TEXT,
    recipient   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'suspended')),
    reason      TEXT,
    status_list_rev  INTEGER,
    status_index_rev INTEGER CHECK (status_index_rev >= 0),
    status_list_sus  INTEGER,
    status_index_sus INTEGER CHECK (status_index_sus >= 0),
    issued      INTEGER NOT NULL,
    valid_until INTEGER,
    doc         TEXT NOT NULL,
    UNIQUE (org_id, idem_key),
    UNIQUE (org_id, status_list_rev, status_index_rev),
    UNIQUE (org_id, status_list_sus, status_index_sus),
    CHECK ((status_list_rev IS NULL) = (status_index_rev IS NULL)),
    CHECK ((status_list_sus IS NULL) = (status_index_sus IS NULL)),
    FOREIGN KEY (org_id, issuer_id) REFERENCES issuers (org_id, id),
    FOREIGN KEY (org_id, achievement_id) REFERENCES achievements (org_id, id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id),
    FOREIGN KEY (org_id, status_list_rev) REFERENCES status_lists (org_id, id),
    FOREIGN KEY (org_id, status_list_sus) REFERENCES status_lists (org_id, id)
) STRICT;
CREATE INDEX credentials_issued ON credentials (org_id, issued, id);
CREATE INDEX credentials_learner ON credentials (org_id, learner_id);

-- Append-only: the library has no UPDATE or DELETE path, and these triggers
-- refuse one from anywhere else.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT,
    UNIQUE (org_id, id)
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
