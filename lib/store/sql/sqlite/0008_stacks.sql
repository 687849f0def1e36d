-- 0008_stacks.sql - stackable credentials: a stack is an achievement of the
-- organisation with a rule over component achievements (lib/model/stack.h),
-- a freshness flag and a policy for a later revoked component; an index
-- component achievement -> stacks naming it (re-evaluation reads only the
-- affected stacks); the stack credentials awarded, one per (stack, learner)
-- at most (the UNIQUE key is the exactly-once claim), and the component
-- credentials each award was made from.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE stacks (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES orgs (org_id),
    achievement_uri TEXT NOT NULL,
    rule            TEXT NOT NULL,
    freshness       INTEGER NOT NULL CHECK (freshness IN (0, 1)),
    policy          TEXT NOT NULL CHECK (policy IN ('keep', 'flag', 'revoke')),
    created         INTEGER NOT NULL,
    UNIQUE (org_id, achievement_uri),
    UNIQUE (org_id, id)
) STRICT;

CREATE TABLE stack_components (
    org_id          INTEGER NOT NULL,
    stack_id        INTEGER NOT NULL,
    component_uri   TEXT NOT NULL,
    PRIMARY KEY (org_id, component_uri, stack_id),
    FOREIGN KEY (org_id, stack_id) REFERENCES stacks (org_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE stack_awards (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    stack_id    INTEGER NOT NULL,
    learner_id  INTEGER NOT NULL,
    cred_id     TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'flagged', 'revoked')),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    UNIQUE (org_id, stack_id, learner_id),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, stack_id) REFERENCES stacks (org_id, id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
) STRICT;
CREATE INDEX stack_awards_learner ON stack_awards (org_id, learner_id);

CREATE TABLE stack_award_links (
    org_id      INTEGER NOT NULL,
    award_id    INTEGER NOT NULL,
    cred_id     TEXT NOT NULL,
    valid_until INTEGER,
    PRIMARY KEY (org_id, award_id, cred_id),
    FOREIGN KEY (org_id, award_id) REFERENCES stack_awards (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX stack_award_links_expiry ON stack_award_links (valid_until)
    WHERE valid_until IS NOT NULL;

-- a learner's credentials are found by recipient (e-mail or DID as issued)
CREATE INDEX credentials_recipient_lower ON credentials (org_id, lower(recipient));
