-- 0011_onewallet.sql (PostgreSQL) - one wallet per learner (issue 7): the
-- OB 3.0 API's per-user wallet (ob_wallet) is folded into the learners'
-- wallet (wallet_items), and wallet items get share links of their own.
-- The same logical schema as sqlite/0011_onewallet.sql.
-- SPDX-License-Identifier: Apache-2.0

-- A user who put credentials through the OB 3.0 API and has no learner of
-- the same e-mail address gets one (named by the address).
INSERT INTO learners (org_id, name, email, created)
SELECT DISTINCT u.org_id, u.email, u.email, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
FROM ob_wallet w JOIN users u ON u.org_id = w.org_id AND u.id = w.user_id
WHERE NOT EXISTS (SELECT 1 FROM learners l WHERE l.org_id = u.org_id AND
                  lower(l.email) = lower(u.email));

-- The credentials move as they were sent, marked to be verified again.
INSERT INTO wallet_items (org_id, learner_id, cred_id, hash, format, source, verdict, report,
                          doc, imported)
SELECT w.org_id, l.id, w.cred_key, 'ob-wallet-' || w.id,
       CASE w.format WHEN 'jws' THEN 'vc-jwt' ELSE 'json-ld (Data Integrity)' END,
       'obapi', 'indeterminate',
       '{"verdict":"indeterminate","checks":[{"name":"import","state":"skipped",' ||
       '"reason":"moved from the OB 3.0 API wallet (migration 0011); verify it again"}]}',
       w.doc, w.updated
FROM ob_wallet w
JOIN users u ON u.org_id = w.org_id AND u.id = w.user_id
JOIN learners l ON l.id = (SELECT l2.id FROM learners l2 WHERE l2.org_id = u.org_id AND
                           lower(l2.email) = lower(u.email) ORDER BY l2.id LIMIT 1)
                AND l.org_id = u.org_id
ON CONFLICT DO NOTHING;

-- The old table stays (empty) for now; nothing reads or writes it any more.
DELETE FROM ob_wallet;

-- The share link of a wallet item (an imported credential).
CREATE TABLE wallet_shares (
    share_id    TEXT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    learner_id  BIGINT NOT NULL,
    item_id     BIGINT NOT NULL REFERENCES wallet_items (id) ON DELETE CASCADE,
    enabled     SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    UNIQUE (org_id, item_id)
);
