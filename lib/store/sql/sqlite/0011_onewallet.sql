-- 0011_onewallet.sql (SQLite) - one wallet per learner (issue 7): the OB 3.0
-- API's per-user wallet (ob_wallet) is folded into the learners' wallet
-- (wallet_items), and wallet items get share links of their own.
-- The same logical schema as postgres/0011_onewallet.sql.
-- SPDX-License-Identifier: Apache-2.0

-- A user who put credentials through the OB 3.0 API and has no learner of
-- the same e-mail address gets one (named by the address), so every
-- credential has a learner's wallet to go to.
INSERT INTO learners (org_id, name, email, created)
SELECT DISTINCT u.org_id, u.email, u.email, CAST(strftime('%s', 'now') AS INTEGER)
FROM ob_wallet w JOIN users u ON u.org_id = w.org_id AND u.id = w.user_id
WHERE NOT EXISTS (SELECT 1 FROM learners l WHERE l.org_id = u.org_id AND
                  lower(l.email) = lower(u.email));

-- The credentials move as they were sent. They were verified when put (or
-- the server did not verify), and are verified again whenever shown; the
-- verdict kept here says so. hash: the row's own marker (the wallet
-- recognises a later import of the same bytes by its cred_id instead).
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
WHERE true
ON CONFLICT DO NOTHING;

-- The old table stays (empty) for now; nothing reads or writes it any more.
DELETE FROM ob_wallet;

-- The share link of a wallet item (an imported credential): like shares,
-- an unguessable id the learner turns on and off.
CREATE TABLE wallet_shares (
    share_id    TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    learner_id  INTEGER NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES wallet_items (id) ON DELETE CASCADE,
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    UNIQUE (org_id, item_id)
) STRICT;
