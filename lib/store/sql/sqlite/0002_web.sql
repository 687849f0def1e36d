-- 0002_web.sql (SQLite) - what the web pages need: organisation settings
-- (the default for share links, whether shared badges are listed on the
-- home page), share links of issued credentials (an unguessable id each,
-- turned on and off by the learner) and web sessions (the cookie is stored
-- as its SHA-256 only). The same logical schema as sql/postgres/0002_web.sql.
-- SPDX-License-Identifier: Apache-2.0

-- One value per (organisation, name); names the library knows:
-- share_default ('private' or 'public'), showcase ('on' or 'off').
CREATE TABLE org_settings (
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated     INTEGER NOT NULL,
    PRIMARY KEY (org_id, name)
) STRICT;

-- A credential's share link: share_id is 128 random bits in base64url (22
-- characters), unique across organisations since /badges/{share_id} is
-- public; one per credential, kept when the link is turned off and on again.
CREATE TABLE shares (
    share_id    TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    cred_id     TEXT NOT NULL REFERENCES credentials (id),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    UNIQUE (org_id, cred_id)
) STRICT;
CREATE INDEX shares_showcase ON shares (enabled, updated);

-- Web sessions: id_hash is the hex SHA-256 of the cookie's value, so a
-- copy of the database cannot be replayed as cookies; csrf is the token
-- every form of the session carries.
CREATE TABLE web_sessions (
    id_hash     TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    csrf        TEXT NOT NULL,
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX web_sessions_expires ON web_sessions (expires);

-- Public documents are looked up across organisations: an achievement page
-- by its URI, a did:web DID document by the issuer's DID.
CREATE INDEX achievements_uri ON achievements (uri, version);
CREATE INDEX issuers_did ON issuers (did);
