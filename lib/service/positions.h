/* positions.h - the employer verbs (issue 8 point 7): an organisation's
 * positions with required and preferred skills or credentials, learners
 * sharing their credentials with an organisation, and the ranking of those
 * candidates for a position on verified skills only, each with its reasons
 * (matched, missing, ignored), as JSON and as CSV for applicant tracking
 * systems. The CLI (`mcred position`, `mcred match`) and the server
 * (server/h_positions.c) call these. docs/employers.md is the user's view.
 *
 * A position document (JSON, at most MC_POSITION_MAX_DOC bytes):
 *   {"title": "Data analyst", "description": "...",          (description optional)
 *    "missingRequired": "rank-below" | "exclude",             (default rank-below)
 *    "required":  [{"skill": URI, "weight": 2, "minLevel": 3}, {"credential": URI}],
 *    "preferred": [{"skill": URI, "weight": 0.5}]}
 * Each need names exactly one of "skill" (a concept of an imported skills
 * framework, not an occupation) or "credential" (an achievement's URI: held
 * when a verified credential is for that achievement); "weight" in
 * (0, 1000], default 1; "minLevel" in [0, 1000], default none. At least one
 * need, at most MC_RANK_MAX_NEEDS, no URI twice. Unknown members are refused.
 *
 * A credential's level (what minLevel is compared with) comes from its OB
 * 3.0 Results: the largest among its credentialSubject.result[] entries of a
 * numeric "value" (a score, e.g. "85", or a level number) and of the numeric
 * "level" of the rubric criterion level its "achievedLevel" names (in the
 * achievement's resultDescription[].rubricCriterionLevel[]); a credential
 * without such a Result states no level. A need with minLevel is held only
 * through a credential whose level is at least minLevel.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_POSITIONS_H
#define MC_SVC_POSITIONS_H

#include <time.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"

#define MC_POSITION_MAX_DOC ((size_t)256 * 1024)
#define MC_POSITION_TOP_DEFAULT 50
#define MC_POSITION_TOP_MAX 1000
#define MC_POSITION_MAX_SCOPE 1000   /* credential ids in one share */

/* Check and normalise a position document text[0..n): *out (owned,
 * cJSON_Delete) is the stored form, with defaults filled in and each need's
 * label (the skill's preferred label and its framework's name, or the
 * achievement's name when the store has it). INVALID naming the member ("required[1].skill: ..."),
 * LIMIT past MC_POSITION_MAX_DOC, NOMEM, STORAGE. */
MC_NODISCARD mcred_rc mc_position_parse(struct mc_store *st, const char *text, size_t n,
                                        cJSON **out, struct mc_err *err);

/* Parse, store (with an audit entry by actor) in one transaction; *id OUT. */
MC_NODISCARD mcred_rc mc_position_create(struct mc_store *st, int64_t org, const char *text,
                                         size_t n, const char *actor, int64_t *id,
                                         struct mc_err *err);

/* A stored position as JSON: {"id", "title", "created", ...the document}.
 * NULL on NOMEM or a stored document that does not parse. */
cJSON *mc_position_json(const struct mc_position *p);

/* Learner (of org) shares with the organisation employer: every credential
 * (ncreds 0) or creds[0..ncreds), each an id of a credential org issued to
 * the learner or of an item of the learner's wallet (INVALID otherwise, or
 * past MC_POSITION_MAX_SCOPE). Sharing again replaces the scope. One
 * transaction with an audit entry by actor. NOTFOUND for an unknown learner
 * or organisation. *out (may be NULL) gets the stored row. */
MC_NODISCARD mcred_rc mc_position_share(struct mc_store *st, int64_t employer, int64_t org,
                                        int64_t learner, const char *const *creds,
                                        size_t ncreds, const char *actor,
                                        struct mc_org_share *out, struct mc_err *err);

/* The same for the credentials of a Verifiable Presentation vp_text[0..n)
 * (JSON; as `mcred present` makes): the scope is the ids of its
 * verifiableCredential entries (an enveloped VC-JWT's from its payload),
 * each of which must be a credential of the learner. The presentation's own
 * proof is not checked here: each credential is judged when ranking.
 * INVALID for a document that is not a presentation, an entry without id. */
MC_NODISCARD mcred_rc mc_position_share_presentation(struct mc_store *st, int64_t employer,
                                                     int64_t org, int64_t learner,
                                                     const char *vp_text, size_t n,
                                                     const char *actor,
                                                     struct mc_org_share *out,
                                                     struct mc_err *err);

/* Rank the candidates of position (of org): every learner who shared with
 * org, on what their shared credentials verify at now (issued here: active,
 * not revoked or suspended, not expired; wallet items: imported with the
 * verdict "valid"); declared skills and other credentials are listed as
 * ignored. At most top (1..MC_POSITION_TOP_MAX) results. *out (owned):
 *   {"position": {"id", "title"}, "policy", "candidates": N, "ranked": n,
 *    "attribution": [what the frameworks whose labels are shown ask for],
 *    "results": [{"rank", "learner", "organisation", "name", "email",
 *                 "score", "complete", "requiredHeld", "requiredTotal",
 *                 "matched": [{"kind", "uri", "label", "required", "weight",
 *                              "credential", "level", "equivalent"?}],
 *                 "missing": [{"kind", "uri", "label", "required", "why"}],
 *                 "ignored": [{"credential" | "skill", "why", "covers": [URI]}]}]}
 * A skill need is also held through a skill the crosswalk maps it to
 * (mc_store_skill_map_list; "equivalent" names it). NOTFOUND when org has
 * no such position. */
MC_NODISCARD mcred_rc mc_position_match(struct mc_store *st, int64_t org, int64_t position,
                                        size_t top, time_t now, cJSON **out,
                                        struct mc_err *err);

/* The results of a match as CSV (RFC 4180: CRLF line ends, every field
 * quoted when it holds a comma, quote, CR or LF, quotes doubled; a field
 * starting with = + - @ (or tab, CR) gets a leading ' so a spreadsheet never
 * runs it as a formula). One row per candidate: rank, learner, name, email,
 * score, complete, required_held, required_total, matched, missing, ignored
 * (lists joined with "; "). NOMEM, LIMIT from out's cap. */
MC_NODISCARD mcred_rc mc_position_csv(const cJSON *match, struct mc_buf *out);
/* One CSV field onto out, escaped as above. */
MC_NODISCARD mcred_rc mc_csv_field(struct mc_buf *out, const char *s);

#endif /* MC_SVC_POSITIONS_H */
