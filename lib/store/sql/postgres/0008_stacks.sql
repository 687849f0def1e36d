-- 0008_stacks.sql - stackable credentials: a stack is an achievement of the
-- organisation with a rule over component achievements (lib/model/stack.h),
-- a freshness flag and a policy for a later revoked component; an index
-- component achievement -> stacks naming it (re-evaluation reads only the
-- affected stacks); the stack credentials awarded, one per (stack, learner)
-- at most (the UNIQUE key is the exactly-once claim), and the component
-- credentials each award was made from.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE stacks (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES orgs (org_id),
    achievement_uri TEXT NOT NULL,
    rule            TEXT NOT NULL,
    freshness       BIGINT NOT NULL CHECK (freshness IN (0, 1)),
    policy          TEXT NOT NULL CHECK (policy IN ('keep', 'flag', 'revoke')),
    created         BIGINT NOT NULL,
    UNIQUE (org_id, achievement_uri),
    UNIQUE (org_id, id)
);

CREATE TABLE stack_components (
    org_id          BIGINT NOT NULL,
    stack_id        BIGINT NOT NULL,
    component_uri   TEXT NOT NULL,
    PRIMARY KEY (org_id, component_uri, stack_id),
    FOREIGN KEY (org_id, stack_id) REFERENCES stacks (org_id, id)
);

CREATE TABLE stack_awards (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    stack_id    BIGINT NOT NULL,
    learner_id  BIGINT NOT NULL,
    cred_id     TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'flagged', 'revoked')),
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    UNIQUE (org_id, stack_id, learner_id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, stack_id) REFERENCES stacks (org_id, id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
);
CREATE INDEX stack_awards_learner ON stack_awards (org_id, learner_id);

CREATE TABLE stack_award_links (
    org_id      BIGINT NOT NULL,
    award_id    BIGINT NOT NULL,
    cred_id     TEXT NOT NULL,
    valid_until BIGINT,
    PRIMARY KEY (org_id, award_id, cred_id),
    FOREIGN KEY (org_id, award_id) REFERENCES stack_awards (org_id, id)
);
CREATE INDEX stack_award_links_expiry ON stack_award_links (valid_until)
    WHERE valid_until IS NOT NULL;

-- a learner's credentials are found by recipient (e-mail or DID as issued)
CREATE INDEX credentials_recipient_lower ON credentials (org_id, lower(recipient));
