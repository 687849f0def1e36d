-- 0007_assess.sql - assessments: every attempt an assessor records for a
-- learner and an achievement (the result against the achievement's
-- ResultDescription, the evidence, whether it met the requirement and what
-- was missing), with the credential it awarded when it did.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE assessments (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES orgs (org_id),
    learner_id      INTEGER NOT NULL,
    achievement_id  INTEGER NOT NULL,
    achievement_uri TEXT NOT NULL,
    rd_id           TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('rubric', 'score', 'status')),
    value           TEXT NOT NULL,
    assessor        TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    met             INTEGER NOT NULL CHECK (met IN (0, 1)),
    missing         TEXT,
    cred_id         TEXT,
    at              INTEGER NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id),
    FOREIGN KEY (org_id, achievement_id) REFERENCES achievements (org_id, id)
) STRICT;
CREATE INDEX assessments_learner ON assessments (org_id, learner_id, id);
