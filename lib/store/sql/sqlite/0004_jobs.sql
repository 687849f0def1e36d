-- 0004_jobs.sql - platform API: bulk issuing jobs
-- SPDX-License-Identifier: Apache-2.0
SELECT 1;
