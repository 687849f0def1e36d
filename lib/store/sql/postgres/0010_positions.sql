-- 0010_positions.sql (PostgreSQL) - employers (issue 8 point 7): an
-- organisation's open positions, each a JSON document of required and
-- preferred skills or credentials (lib/skills/position.h reads it), and the
-- learners who shared their credentials with an organisation (the
-- candidates its positions are matched against). The same logical schema
-- as sql/sqlite/0010_positions.sql.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE positions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    title       TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created     BIGINT NOT NULL,
    UNIQUE (org_id, id)
);

-- A learner of org_id shares with the organisation employer_id: every
-- credential of theirs (scope NULL) or the credentials whose ids the JSON
-- array scope lists. One row per (employer, learner): sharing again
-- replaces the scope.
CREATE TABLE org_shares (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id BIGINT NOT NULL REFERENCES orgs (org_id),
    org_id      BIGINT NOT NULL,
    learner_id  BIGINT NOT NULL,
    scope       TEXT,
    created     BIGINT NOT NULL,
    UNIQUE (employer_id, org_id, learner_id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
);
