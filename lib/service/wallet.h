/* wallet.h - the learner's wallet: a holder key (did:key) per learner,
 * credentials imported from anywhere (JSON, VC-JWT, a baked PNG or SVG, a
 * URL) each verified and kept with its verdict, duplicates recognised;
 * export; sealed backup and restore; Verifiable Presentations signed by the
 * holder (eddsa-rdfc-2022, purpose authentication, challenge and domain).
 * Used by `mcred wallet`, `mcred present` and the server.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_WALLET_H
#define MC_SVC_WALLET_H

#include <time.h>

#include "internal.h"
#include "crypto/did.h"
#include "crypto/keyfile.h"
#include "crypto/keys.h"
#include "service/verify.h"
#include "store/store.h"
#include "util/buf.h"

struct mc_ctxstore;
struct mc_jsonld_cache;

#define MC_WALLET_MAX_PRESENT 16   /* credentials in one presentation (the verifier's cap) */

/* What the wallet verbs need; everything borrowed. */
struct mc_wallet_ctx {
    struct mc_store *st;
    int64_t org;
    const struct mc_keyfile_lock *lock;   /* seals holder keys (operator key or passphrase) */
    const struct mc_verify_opts *verify;  /* how imports are verified */
    struct mc_ctxstore *contexts;         /* for signing presentations */
    struct mc_jsonld_cache *cache;
    /* The organisation's issuer, for stack credentials an import completes
     * (lib/service/stacks.h). NULL: such an award waits ("pending") for the
     * next evaluation that has an issuer, or `mcred stack sweep`. */
    const struct mc_issuing *issuing;
    time_t now;                           /* 0: the clock */
};

/* The learner's holder key, made on first use (random, sealed with c->lock,
 * stored; the learner's DID is set to it when the learner has none). With
 * need_secret the secret is unlocked into key; otherwise the public part
 * only. did receives the holder DID. */
MC_NODISCARD mcred_rc mc_wallet_holder(const struct mc_wallet_ctx *c, int64_t learner,
                                       bool need_secret, struct mc_key *key,
                                       char did[MC_DID_MAX], struct mc_err *err);

struct mc_wallet_import {
    int64_t id;                  /* the stored item (or the one already held) */
    bool duplicate;              /* the learner held these bytes already: nothing new */
    struct mc_verdict verdict;   /* as verified now */
};

/* Import p[0..n): a JSON credential, a VC-JWT, a baked PNG or SVG (the
 * credential inside is taken out), an OB 2.0 assertion, or an http(s) URL.
 * It is verified (whatever the verdict, it is kept with it: an invalid
 * credential is kept, marked, never hidden). source: "file", "url", "paste",
 * ... Errors: INVALID for bytes that hold no credential, NOMEM, STORAGE. */
MC_NODISCARD mcred_rc mc_wallet_import(const struct mc_wallet_ctx *c, int64_t learner,
                                       const char *p, size_t n, const char *source,
                                       struct mc_wallet_import *res, struct mc_err *err);

/* A presentation of the learner's wallet items ids[0..n) (1..16), signed
 * by the holder key, appended to out as JSON. challenge required; domain
 * optional. NOTFOUND for an id that is not the learner's. */
MC_NODISCARD mcred_rc mc_wallet_present(const struct mc_wallet_ctx *c, int64_t learner,
                                        const int64_t *ids, size_t n, const char *challenge,
                                        const char *domain, struct mc_buf *out,
                                        struct mc_err *err);

/* Every item of the learner as held: a JSON array of objects {id, source,
 * imported, verdict, credential} (credential: the JSON object, or the JWT
 * string). */
MC_NODISCARD mcred_rc mc_wallet_export(const struct mc_wallet_ctx *c, int64_t learner,
                                       struct mc_buf *out, struct mc_err *err);

/* A sealed backup (crypto/seal.h) of the export and the holder key file;
 * restore opens it (CRYPTO: wrong passphrase), re-imports every credential
 * (verified again; duplicates skipped) and restores the holder key when the
 * learner has none. *restored / *skipped count the items. */
MC_NODISCARD mcred_rc mc_wallet_backup(const struct mc_wallet_ctx *c, int64_t learner,
                                       const char *passphrase, struct mc_buf *out,
                                       struct mc_err *err);
MC_NODISCARD mcred_rc mc_wallet_restore(const struct mc_wallet_ctx *c, int64_t learner,
                                        const char *sealed, size_t n, const char *passphrase,
                                        size_t *restored, size_t *skipped, struct mc_err *err);

/* One wallet per learner: a user's wallet (the OB 3.0 API's, the wallet
 * pages') is that of the organisation's learner whose e-mail address is the
 * user's (compared exactly). *learner (OUT) is its id; with create, a user
 * without one gets one now (named by the address), else NOTFOUND. */
MC_NODISCARD mcred_rc mc_wallet_learner_of(struct mc_store *st, int64_t org, const char *email,
                                           bool create, int64_t *learner, struct mc_err *err);

/* Keep doc (a credential as JSON or a compact JWS, NUL-terminated) with its
 * verdict v in the learner's wallet: as item replace when replace > 0 (the
 * item keeps its id and share link; NOTFOUND when the learner has no such
 * item), else as a new item (*created true). When the learner holds these
 * very bytes already, nothing changes and *id is that item. source: "obapi",
 * "file", ... Errors: CONFLICT (the bytes are held by another item at the
 * same moment), STORAGE, NOMEM. */
MC_NODISCARD mcred_rc mc_wallet_keep(const struct mc_wallet_ctx *c, int64_t learner,
                                     int64_t replace, const char *doc,
                                     const struct mc_verdict *v, const char *source,
                                     int64_t *id, bool *created, struct mc_err *err);

#endif /* MC_SVC_WALLET_H */
