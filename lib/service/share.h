/* share.h - share links of issued credentials: each credential gets one
 * unguessable id (128 random bits, base64url) that makes its public badge
 * page /badges/{share_id}; the learner turns the link on and off, and the
 * organisation sets the default a new link starts with (private unless it
 * says otherwise) and whether its shared badges are listed on the home page.
 * Used by the server (pages, the learner's API) and `mcred share`.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_SHARE_H
#define MC_SVC_SHARE_H

#include <time.h>

#include "internal.h"
#include "store/store.h"
#include "util/buf.h"

#define MC_SHARE_ID_LEN 22                     /* base64url of 16 random bytes */
#define MC_SHARE_SETTING_DEFAULT "share_default"  /* "private" (default) or "public" */
#define MC_SHARE_SETTING_SHOWCASE "showcase"   /* "off" (default) or "on" */

/* True when s has the shape of a share id (MC_SHARE_ID_LEN base64url
 * characters); anything else is answered 404 without a store lookup. */
bool mc_share_id_valid(const char *s);

/* The organisation's default for new share links: *public true when its
 * setting says "public"; false when it says "private" or was never set. */
MC_NODISCARD mcred_rc mc_share_default(struct mc_store *st, int64_t org, bool *public,
                                       struct mc_err *err);
/* Set that default, with an audit entry by actor (e.g. "cli"). */
MC_NODISCARD mcred_rc mc_share_set_default(struct mc_store *st, int64_t org, bool public,
                                           const char *actor, struct mc_err *err);
/* Whether the organisation lists its shared badges on the home page (the
 * demo's showcase); off unless set. */
MC_NODISCARD mcred_rc mc_share_showcase(struct mc_store *st, int64_t org, bool *on,
                                        struct mc_err *err);
MC_NODISCARD mcred_rc mc_share_set_showcase(struct mc_store *st, int64_t org, bool on,
                                            const char *actor, struct mc_err *err);

/* The credential cred_id of org, for a caller acting on it: when
 * learner_email is not NULL, only a credential of that learner, as
 * mc_store_cred_list_recipient counts them (issued to the e-mail in any case,
 * or to the row or DID of org's learner with that e-mail); anything else, like
 * another organisation's credential, is NOTFOUND, so its existence is not
 * revealed. *out (OUT) is released by the caller (mc_credential_release). */
MC_NODISCARD mcred_rc mc_share_cred(struct mc_store *st, int64_t org, const char *cred_id,
                                    const char *learner_email, struct mc_credential *out,
                                    struct mc_err *err);

/* Turn the share link of credential cred_id of org on or off. The link is
 * made on first use with a new random id, and keeps that id when turned off
 * and on again. out_share_id (OUT, may be NULL) receives it. An audit entry
 * by actor records the change; both are written in one transaction (the
 * caller's when one is open). Errors: NOTFOUND (no such credential in org),
 * STORAGE, NOMEM. */
MC_NODISCARD mcred_rc mc_share_set(struct mc_store *st, int64_t org, const char *cred_id,
                                   bool enabled, const char *actor,
                                   char out_share_id[MC_SHARE_ID_LEN + 1], struct mc_err *err);

/* The share link of credential cred_id of org (*out OUT, owned:
 * mc_share_release). A credential without one gets one now, on or off as the
 * organisation's default says, so a public-by-default organisation's
 * credentials have working links as soon as anyone asks for them. */
MC_NODISCARD mcred_rc mc_share_get(struct mc_store *st, int64_t org, const char *cred_id,
                                   struct mc_share *out, struct mc_err *err);

/* The credential behind a public share id: NOTFOUND unless share_id has the
 * shape of one, exists and is turned on. *sh and *cred (OUT, owned) are the
 * share row and the credential row (with its signed document). For a wallet
 * item's link (items held as JSON or as a VC-JWT: an OB 2.0 item is
 * NOTFOUND, see mc_share_doc_credential), *cred carries the item's document,
 * organisation, learner, credential id ("" when it has none) and import time
 * as issued; its state is active (the live verification tells). */
MC_NODISCARD mcred_rc mc_share_resolve(struct mc_store *st, const char *share_id,
                                       struct mc_share *sh, struct mc_credential *cred,
                                       struct mc_err *err);

/* Share links of wallet items (credentials a learner imported, in
 * wallet_items): the same ids and the same public page, so an imported
 * badge is shared and verified live like an issued one. item_set turns the
 * link of item of (org, learner) on or off (made on first use; an audit
 * entry by actor); item_get returns it, made now as the organisation's
 * default says when it has none (*out OUT, mc_share_release; its cred_id is
 * the item id in decimal). NOTFOUND when the item is not the learner's. */
MC_NODISCARD mcred_rc mc_share_item_set(struct mc_store *st, int64_t org, int64_t learner,
                                        int64_t item, bool enabled, const char *actor,
                                        char out_share_id[MC_SHARE_ID_LEN + 1],
                                        struct mc_err *err);
MC_NODISCARD mcred_rc mc_share_item_get(struct mc_store *st, int64_t org, int64_t learner,
                                        int64_t item, struct mc_share *out,
                                        struct mc_err *err);

/* The credential a stored document shows: a JSON credential as it is, or
 * the credential inside a VC-JWT (its payload, or the payload's "vc" claim).
 * *out (cJSON_Delete) and *jwt (the document is a JWT). NOTFOUND for what
 * has no badge page: a signed OB 2.0 assertion (its issuer hosts it) or a URL
 * (an OB 2.0 hosted assertion); INVALID for a document that does not parse. */
MC_NODISCARD mcred_rc mc_share_doc_credential(const char *doc, cJSON **out, bool *jwt,
                                              struct mc_err *err);

/* Append public_url + "/badges/" + share_id to out. */
MC_NODISCARD mcred_rc mc_share_url(const char *public_url, const char *share_id,
                                   struct mc_buf *out);

#endif /* MC_SVC_SHARE_H */
