-- 0010_positions.sql (SQLite) - employers (issue 8 point 7): an
-- organisation's open positions, each a JSON document of required and
-- preferred skills or credentials (lib/skills/position.h reads it), and the
-- learners who shared their credentials with an organisation (the
-- candidates its positions are matched against). The same logical schema
-- as sql/postgres/0010_positions.sql.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE positions (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    title       TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created     INTEGER NOT NULL,
    UNIQUE (org_id, id)
) STRICT;

-- A learner of org_id shares with the organisation employer_id: every
-- credential of theirs (scope NULL) or the credentials whose ids the JSON
-- array scope lists. One row per (employer, learner): sharing again
-- replaces the scope.
CREATE TABLE org_shares (
    id          INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES orgs (org_id),
    org_id      INTEGER NOT NULL,
    learner_id  INTEGER NOT NULL,
    scope       TEXT,
    created     INTEGER NOT NULL,
    UNIQUE (employer_id, org_id, learner_id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
) STRICT;
