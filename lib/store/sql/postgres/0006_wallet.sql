-- 0006_wallet.sql - learners' wallets: a holder key per learner (did:key,
-- the secret sealed like issuer keys) and the credentials they hold, each
-- kept with the verdict it had when imported.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE holder_keys (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES orgs (org_id),
    learner_id        BIGINT NOT NULL,
    did               TEXT NOT NULL,
    public_multibase  TEXT NOT NULL,
    key_file          TEXT NOT NULL,
    created           BIGINT NOT NULL,
    UNIQUE (org_id, learner_id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
);

CREATE TABLE wallet_items (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    learner_id  BIGINT NOT NULL,
    cred_id     TEXT,
    hash        TEXT NOT NULL,
    format      TEXT NOT NULL,
    source      TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    report      TEXT NOT NULL,
    doc         TEXT NOT NULL,
    imported    BIGINT NOT NULL,
    UNIQUE (org_id, learner_id, hash),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
);
CREATE INDEX wallet_items_learner ON wallet_items (org_id, learner_id, id);
CREATE INDEX wallet_items_cred ON wallet_items (org_id, learner_id, cred_id);
