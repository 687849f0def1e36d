-- 0003_oauth.sql (PostgreSQL) - the 1EdTech Open Badges 3.0 API: OAuth 2.0
-- clients (RFC 7591 dynamic registration), grants (a user's consent to a
-- client, then its authorization code), access and refresh tokens, and what
-- the API serves: each user's wallet of credentials and their profile. The
-- same logical schema as sql/sqlite/0003_oauth.sql. Every secret (client
-- secret, consent nonce, code, token) is stored as the lowercase hex SHA-256
-- of its text only. Clients are registered anonymously and serve users of
-- every organisation, so oauth_clients alone carries no org_id; a grant and
-- its tokens belong to the organisation of the user who consented.
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE oauth_clients (
    client_id   TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    meta        TEXT NOT NULL,          -- the registered metadata (JSON), without the secret
    created     BIGINT NOT NULL
);

-- One authorization: created when the user is asked (nonce_hash set, the
-- consent form's one-time nonce), then approved (nonce cleared, code_hash
-- set) and exchanged once (code_used). expires is the nonce's deadline,
-- then the code's. revoked ends the grant and every token issued under it.
CREATE TABLE oauth_grants (
    org_id      BIGINT NOT NULL,
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id     BIGINT NOT NULL,
    client_id   TEXT NOT NULL REFERENCES oauth_clients (client_id),
    redirect_uri TEXT NOT NULL,
    scopes      BIGINT NOT NULL CHECK (scopes > 0),
    state       TEXT,
    challenge   TEXT NOT NULL,          -- PKCE S256 code_challenge
    nonce_hash  TEXT UNIQUE,
    code_hash   TEXT UNIQUE,
    expires     BIGINT NOT NULL,
    code_used   BIGINT,
    revoked     BIGINT,
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX oauth_grants_expires ON oauth_grants (expires);

-- A refresh token is used once (rotation: used is set when it is exchanged;
-- presenting it again revokes the grant).
CREATE TABLE oauth_tokens (
    hash        TEXT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    grant_id    BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    scopes      BIGINT NOT NULL CHECK (scopes > 0),
    created     BIGINT NOT NULL,
    expires     BIGINT NOT NULL,
    used        BIGINT,
    revoked     BIGINT,
    FOREIGN KEY (org_id, grant_id) REFERENCES oauth_grants (org_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (org_id, grant_id);
CREATE INDEX oauth_tokens_expires ON oauth_tokens (expires);

-- Credentials held for a user (upsertCredential). A credential is the same
-- as another when the issuer id and the credential id are (OB 3.0 credential
-- equality: both percent-decoded and trimmed, as stored here). doc is the
-- credential exactly as posted: JSON text, or a compact JWS (format 'jws').
-- issued: its validFrom (or nbf), for the `since` filter and the order.
CREATE TABLE ob_wallet (
    org_id      BIGINT NOT NULL,
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id     BIGINT NOT NULL,
    issuer_key  TEXT COLLATE "C" NOT NULL,
    cred_key    TEXT COLLATE "C" NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('json', 'jws')),
    doc         TEXT NOT NULL,
    issued      BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, user_id, issuer_key, cred_key),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX ob_wallet_order ON ob_wallet (org_id, user_id, issued, cred_key);
CREATE INDEX ob_wallet_cred ON ob_wallet (org_id, user_id, cred_key);

-- The Profile a user's clients read and replace (getProfile, putProfile).
CREATE TABLE ob_profiles (
    org_id      BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    updated     BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
