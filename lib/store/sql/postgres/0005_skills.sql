-- 0005_skills.sql (PostgreSQL) - skills frameworks (ESCO, O*NET, custom):
-- their concepts, labels with normalised words, relations, a full-text index
-- over the labels (GIN over to_tsvector('simple', label)), the crosswalk
-- between frameworks, declared skills and job postings. The same logical
-- schema as sql/sqlite/0005_skills.sql (see the comments there).
-- SPDX-License-Identifier: Apache-2.0

CREATE TABLE skill_frameworks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    version     TEXT,
    title       TEXT,
    attribution TEXT,
    imported    BIGINT NOT NULL,
    n_concepts  BIGINT NOT NULL DEFAULT 0,
    n_labels    BIGINT NOT NULL DEFAULT 0,
    n_edges     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE skill_concepts (
    id           BIGINT PRIMARY KEY,
    framework_id BIGINT NOT NULL REFERENCES skill_frameworks (id) ON DELETE CASCADE,
    uri          TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('skill', 'knowledge', 'technology', 'skill-group',
                                               'occupation', 'occupation-group')),
    label        TEXT NOT NULL,
    code         TEXT,
    description  TEXT
);
CREATE INDEX skill_concepts_framework ON skill_concepts (framework_id);

CREATE TABLE skill_labels (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    concept_id  BIGINT NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    norm        TEXT NOT NULL,
    pref        INTEGER NOT NULL CHECK (pref IN (0, 1))
);
CREATE INDEX skill_labels_concept ON skill_labels (concept_id);
CREATE INDEX skill_labels_norm ON skill_labels (norm);
CREATE INDEX skill_labels_fts ON skill_labels USING GIN (to_tsvector('simple', label));

CREATE TABLE skill_edges (
    src         BIGINT NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    dst         BIGINT NOT NULL REFERENCES skill_concepts (id) ON DELETE CASCADE,
    rel         TEXT NOT NULL CHECK (rel IN ('essential', 'optional', 'technology',
                                             'skill-essential', 'skill-optional', 'broader')),
    flags       INTEGER NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 3),
    PRIMARY KEY (src, rel, dst)
);
CREATE INDEX skill_edges_dst ON skill_edges (dst);

CREATE TABLE skill_crosswalk (
    from_uri    TEXT NOT NULL,
    to_uri      TEXT NOT NULL,
    how         TEXT NOT NULL CHECK (how IN ('label', 'operator')),
    from_fw     TEXT,
    to_fw       TEXT,
    created     BIGINT NOT NULL,
    PRIMARY KEY (from_uri, to_uri)
);
CREATE INDEX skill_crosswalk_to ON skill_crosswalk (to_uri);

CREATE TABLE skill_declared (
    org_id      BIGINT NOT NULL,
    learner_id  BIGINT NOT NULL,
    uri         TEXT NOT NULL,
    created     BIGINT NOT NULL,
    PRIMARY KEY (org_id, learner_id, uri),
    FOREIGN KEY (org_id, learner_id) REFERENCES learners (org_id, id)
);

CREATE TABLE skill_postings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    title       TEXT,
    imported    BIGINT NOT NULL
);
CREATE TABLE skill_posting_skills (
    posting_id  BIGINT NOT NULL REFERENCES skill_postings (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    hits        BIGINT NOT NULL CHECK (hits >= 1),
    PRIMARY KEY (posting_id, uri)
);
CREATE INDEX skill_posting_skills_uri ON skill_posting_skills (uri);
