-- 0002_web.sql - web sessions and share links (filled in by the pages work)
-- SPDX-License-Identifier: Apache-2.0
SELECT 1;
