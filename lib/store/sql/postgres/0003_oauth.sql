-- 0003_oauth.sql - OAuth 2.0 clients, authorization codes and tokens (OB 3.0 API)
-- SPDX-License-Identifier: Apache-2.0
SELECT 1;
