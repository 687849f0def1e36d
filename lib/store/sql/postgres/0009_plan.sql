-- 0009_plan.sql - the planner's imported catalog (issue 8, area C): entries
-- of any issuer that an organisation plans with besides its own
-- achievements, each an Achievement JSON with its planning fields (hours,
-- cost, level, prerequisites: docs/skills.md), replaced as a whole by
-- `mcred catalog import`.
-- SPDX-License-Identifier: Apache-2.0
CREATE TABLE plan_catalog (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES orgs (org_id),
    uri         TEXT NOT NULL,
    json        TEXT NOT NULL,
    imported    BIGINT NOT NULL,
    UNIQUE (org_id, uri)
);
