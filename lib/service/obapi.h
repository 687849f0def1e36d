/* obapi.h - the resources of the 1EdTech Open Badges 3.0 API (OB 3.0 §6):
 * each user's wallet of credentials (getCredentials, upsertCredential) and
 * profile (getProfile, putProfile). Who may call which is the server's and
 * lib/service/oauth.h's business; these verbs act for one user (org, user).
 *
 * One wallet per learner (lib/service/wallet.h): a user's wallet is that of
 * the organisation's learner whose e-mail is the user's (made on the first
 * put when there is none), so what is put here is in `mcred wallet list` and
 * the wallet pages, and what was imported there is listed here. The wallet
 * holds credentials as JSON with Data Integrity proofs or VC-JWT compact JWS,
 * and shows with them the credentials the user's organisation issued to that
 * learner which the learner does not hold already. Two credentials are the
 * same when their issuer ids and credential ids are (OB 3.0 "credential
 * equality": percent-decoded and trimmed); putting the same one again
 * replaces the held item in place. A credential is kept exactly as it was
 * sent and returned byte for byte.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_OBAPI_H
#define MC_SVC_OBAPI_H

#include <time.h>

#include "internal.h"
#include "service/verify.h"
#include "store/store.h"
#include "util/buf.h"

#define MC_OBAPI_LIMIT_DEFAULT 50      /* credentials per page when limit is absent */
#define MC_OBAPI_LIMIT_MAX 100         /* a larger limit is served as this */
#define MC_OBAPI_PAGE_BYTES ((size_t)8 << 20)   /* a page stops early past this */

struct mc_obapi_page {
    size_t offset;                     /* zero-based */
    size_t limit;                      /* 1..MC_OBAPI_LIMIT_MAX */
    bool has_since;
    time_t since;                      /* only credentials issued after it */
};

/* Append the GetOpenBadgeCredentialsResponse of one page of the wallet of
 * (org, user) to out: {"credential": [...], "compactJwsString": [...]} (both
 * arrays always present; each credential exactly as stored). *total (OUT):
 * the wallet's size under the since filter; *returned (OUT): credentials on
 * this page (fewer than limit at the end, or when the page would pass
 * MC_OBAPI_PAGE_BYTES; at least one when any is left). */
MC_NODISCARD mcred_rc mc_obapi_list(struct mc_store *st, int64_t org, int64_t user,
                                    const struct mc_obapi_page *pg, struct mc_buf *out,
                                    int64_t *total, size_t *returned, struct mc_err *err);

/* The value of the Link header of that page (RFC 8288; OB 3.0 paging):
 * first and last always, next when credentials follow, prev when offset > 0;
 * each <base?limit=L&offset=O[&since=...]>. base is the collection's URL. */
MC_NODISCARD mcred_rc mc_obapi_links(const char *base, const struct mc_obapi_page *pg,
                                     int64_t total, size_t returned, struct mc_buf *out);

/* Put one credential into the wallet of (org, user). body[0..n) is the
 * credential: JSON (jws false) or a compact JWS (jws true), an
 * OpenBadgeCredential / AchievementCredential with an id and an issuer.
 * With vo (may be NULL: not verified, kept as indeterminate) it must
 * verify: a verdict of invalid is refused (expired, revoked or suspended
 * ones are kept, as a holder keeps them); it is kept with its verdict, source
 * "obapi", in one transaction (the caller's when one is open). *created
 * (OUT): true when it was new, false when it replaced the same credential
 * (or these very bytes were held). INVALID with the reason for anything else
 * (and for a user outside org); LIMIT for ids over MC_STORE_OB_KEY_MAX
 * bytes. */
MC_NODISCARD mcred_rc mc_obapi_upsert(struct mc_store *st, int64_t org, int64_t user,
                                      const char *body, size_t n, bool jws,
                                      const struct mc_verify_opts *vo, time_t now,
                                      bool *created, struct mc_err *err);

/* Append the Profile of (org, user) to out: the one last put, else a
 * default with the user's e-mail and an id derived from public_url, org and
 * user (a name-based urn:uuid, stable for the deployment). */
MC_NODISCARD mcred_rc mc_obapi_profile_get(struct mc_store *st, int64_t org, int64_t user,
                                           const char *email, const char *public_url,
                                           struct mc_buf *out, struct mc_err *err);
/* Replace the Profile of (org, user) with body[0..n): a JSON object whose
 * type includes "Profile" and whose id is a URI (the whole Profile, as OB
 * 3.0 putProfile sends it). INVALID naming what is wrong otherwise. */
MC_NODISCARD mcred_rc mc_obapi_profile_put(struct mc_store *st, int64_t org, int64_t user,
                                           const char *body, size_t n, time_t now,
                                           struct mc_err *err);

#endif /* MC_SVC_OBAPI_H */
