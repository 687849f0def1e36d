-- 0004_jobs.sql (SQLite) - the platform API: a label on API tokens, bulk
-- issuing jobs with their progress, and the index that finds a user's own
-- credentials by recipient. The same logical schema as
-- sql/postgres/0004_jobs.sql. A token's public id is the first 16 hex digits
-- of its hash (no column: a hash of a random token tells nothing).
-- SPDX-License-Identifier: Apache-2.0

ALTER TABLE tokens ADD COLUMN label TEXT;

-- A bulk issuing job: the file itself is held in the server's memory only;
-- the row records what the job is, how far it got and why it stopped.
-- row_errors is a JSON array of the first rejected rows ({row, line,
-- message}). heartbeat is refreshed while the job is queued or running; an
-- unfinished job whose heartbeat stops was abandoned by a server that stopped.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs (org_id),
    achievement_id INTEGER NOT NULL,
    user_id     INTEGER,
    format      TEXT NOT NULL CHECK (format IN ('csv', 'jsonl')),
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    bytes       INTEGER NOT NULL CHECK (bytes >= 0),
    bytes_read  INTEGER NOT NULL CHECK (bytes_read >= 0),
    n_rows      INTEGER NOT NULL CHECK (n_rows >= 0),
    n_issued    INTEGER NOT NULL CHECK (n_issued >= 0),
    n_already   INTEGER NOT NULL CHECK (n_already >= 0),
    n_failed    INTEGER NOT NULL CHECK (n_failed >= 0),
    row_errors  TEXT,
    error       TEXT,
    created     INTEGER NOT NULL,
    started     INTEGER,
    finished    INTEGER,
    heartbeat   INTEGER NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, achievement_id) REFERENCES achievements (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX jobs_unfinished ON jobs (heartbeat) WHERE state IN ('queued', 'running');

-- GET /api/v1/me/credentials: a user's credentials by e-mail (any case).
CREATE INDEX credentials_recipient ON credentials (org_id, lower(recipient));
