-- 0005_skills.sql (SQLite) - skills frameworks (ESCO, O*NET, custom): their
-- concepts (skills, knowledge, technologies, occupations and their groups),
-- every label with its normalised words, the relations between concepts, a
-- full-text index over the labels, the crosswalk between frameworks, the
-- skills learners declare, and job postings with the skills found in them.
-- The same logical schema as sql/postgres/0005_skills.sql. Frameworks are
-- reference data shared by every organisation, so those tables carry no
-- org_id; what a learner declares does. Crosswalk, declared skills and
-- postings name concepts by URI, so they survive a framework's re-import
-- (which deletes and rewrites its concepts in one transaction).
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE skill_frameworks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    version     TEXT,
    title       TEXT,
    attribution TEXT,
    imported    INTEGER NOT NULL,
    n_concepts  INTEGER NOT NULL DEFAULT 0,
    n_labels    INTEGER NOT NULL DEFAULT 0,
    n_edges     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Ids are given by the importer (the current maximum + 1 + the concept's
-- index), so labels and relations can be written without reading ids back.
CREATE TABLE skill_concepts (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES skill_frameworks (id) ON DELETE CASCADE,
    uri          TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('skill', 'knowledge', 'technology', 'skill-group',
                                               'occupation', 'occupation-group')),
    label        TEXT NOT NULL,
    code         TEXT,
    description  TEXT
) STRICT;
CREATE INDEX skill_concepts_framework ON skill_concepts (framework_id);

-- Every label of a concept (pref = 1: the preferred one); norm is the label
-- cut into normalised words (lib/skills/text.h), for exact label matches.
CREATE TABLE skill_labels (
    id          INTEGER PRIMARY KEY,
    concept_id  INTEGER NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    norm        TEXT NOT NULL,
    pref        INTEGER NOT NULL CHECK (pref IN (0, 1))
) STRICT;
CREATE INDEX skill_labels_concept ON skill_labels (concept_id);
CREATE INDEX skill_labels_norm ON skill_labels (norm);

-- Full-text search over the labels: an external-content FTS5 index over
-- skill_labels. Only a framework import writes labels, and it rebuilds this
-- index inside its transaction ('rebuild'), which costs less than keeping it
-- in step row by row when a framework of 130,000 labels is replaced.
CREATE VIRTUAL TABLE skill_labels_fts USING fts5 (
    label, content = 'skill_labels', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Relations: occupation -> skill (essential, optional, technology with the
-- O*NET flags: 1 hot, 2 in demand), skill -> skill, narrower -> broader.
CREATE TABLE skill_edges (
    src         INTEGER NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    dst         INTEGER NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    rel         TEXT NOT NULL CHECK (rel IN ('essential', 'optional', 'technology',
                                             'skill-essential', 'skill-optional', 'broader')),
    flags       INTEGER NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 3),
    PRIMARY KEY (src, rel, dst)
) STRICT, WITHOUT ROWID;
CREATE INDEX skill_edges_dst ON skill_edges (dst);

-- Equivalences between concepts of different frameworks: exact label
-- matches (recomputed by each import) and operator mappings (kept).
CREATE TABLE skill_crosswalk (
    from_uri    TEXT NOT NULL,
    to_uri      TEXT NOT NULL,
    how         TEXT NOT NULL CHECK (how IN ('label', 'operator')),
    from_fw     TEXT,
    to_fw       TEXT,
    created     INTEGER NOT NULL,
    PRIMARY KEY (from_uri, to_uri)
) STRICT;
CREATE INDEX skill_crosswalk_to ON skill_crosswalk (to_uri);

-- Skills a learner claims without a credential (shown as unverified).
CREATE TABLE skill_declared (
    org_id      INTEGER NOT NULL,
    learner_id  INTEGER NOT NULL,
    uri         TEXT NOT NULL,
    created     INTEGER NOT NULL,
    PRIMARY KEY (org_id, learner_id, uri),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
) STRICT;

-- Job postings (market demand): each with the skills extracted from it.
CREATE TABLE skill_postings (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    title       TEXT,
    imported    INTEGER NOT NULL
) STRICT;
CREATE TABLE skill_posting_skills (
    posting_id  INTEGER NOT NULL REFERENCES skill_postings (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    hits        INTEGER NOT NULL CHECK (hits >= 1),
    PRIMARY KEY (posting_id, uri)
) STRICT, WITHOUT ROWID;
CREATE INDEX skill_posting_skills_uri ON skill_posting_skills (uri);
