-- 0001_init.sql (PostgreSQL) - the initial platform schema. The same logical
-- schema as sql/sqlite/0001_init.sql: every table carries org_id, which
-- leads every composite key (primary keys are (org_id, id)), so the tables
-- can be distributed by org_id later. Composite foreign keys keep a row from
-- referring to another organisation's rows. Times are BIGINT seconds since
-- the epoch; NULL means "none". Text keys that are sorted (credential ids,
-- achievement URIs) use the "C" collation: byte order, as in SQLite, and
-- fast. Embedded into the library by scripts/embed-sql.py.
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE orgs (
    org_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created     BIGINT NOT NULL
);

CREATE TABLE users (
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL
                CHECK (role IN ('admin', 'issuer', 'assessor', 'learner', 'recruiter')),
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email)
);

-- API tokens, stored as hashes only.
CREATE TABLE tokens (
    hash        TEXT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX tokens_user ON tokens (org_id, user_id);

CREATE TABLE issuers (
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    name        TEXT NOT NULL,
    url         TEXT,
    email       TEXT,
    image       TEXT,
    did         TEXT,
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE issuer_keys (
    org_id      BIGINT NOT NULL,
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    issuer_id   BIGINT NOT NULL,
    vm_id       TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    key_file    TEXT,
    created     BIGINT NOT NULL,
    retired     BIGINT,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, vm_id),
    FOREIGN KEY (org_id, issuer_id) REFERENCES issuers (org_id, id)
);
CREATE INDEX issuer_keys_issuer ON issuer_keys (org_id, issuer_id, created);

-- One row per version of an Achievement (uri is its stable OB id).
CREATE TABLE achievements (
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    uri         TEXT COLLATE "C" NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    json        TEXT NOT NULL,
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, uri, version)
);

-- e-mail and DID are each unique per organisation when present (NULLs are
-- distinct in UNIQUE constraints).
CREATE TABLE learners (
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    name        TEXT NOT NULL,
    email       TEXT,
    did         TEXT,
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email),
    UNIQUE (org_id, did)
);

CREATE TABLE status_lists (
    org_id      BIGINT NOT NULL,
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    issuer_id   BIGINT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    url         TEXT NOT NULL,
    size        BIGINT NOT NULL CHECK (size > 0),
    next_index  BIGINT NOT NULL CHECK (next_index >= 0 AND next_index <= size),
    doc         TEXT,
    updated     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, url),
    FOREIGN KEY (org_id, issuer_id) REFERENCES issuers (org_id, id)
);
CREATE INDEX status_lists_issuer ON status_lists (org_id, issuer_id, purpose, id);

-- Issued credentials. A (list, index) pair of each purpose belongs to at
-- most one credential; both halves are NULL when the credential has none.
CREATE TABLE credentials (
    id          TEXT COLLATE "C" PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    issuer_id   BIGINT NOT NULL,
    achievement_id BIGINT NOT NULL,
    learner_id  BIGINT,
    idem_key    TEXT,
    recipient   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'suspended')),
    reason      TEXT,
    status_list_rev  BIGINT,
    status_index_rev BIGINT CHECK (status_index_rev >= 0),
    status_list_sus  BIGINT,
    status_index_sus BIGINT CHECK (status_index_sus >= 0),
    issued      BIGINT NOT NULL,
    valid_until BIGINT,
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
);
CREATE INDEX credentials_issued ON credentials (org_id, issued, id);
CREATE INDEX credentials_learner ON credentials (org_id, learner_id);

-- Append-only: the library has no UPDATE or DELETE path, and this trigger
-- refuses one from anywhere else (TRUNCATE included).
CREATE TABLE audit (
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT,
    PRIMARY KEY (org_id, id)
);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only';
END;
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
