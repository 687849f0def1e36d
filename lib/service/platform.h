/* platform.h - what a long-running process (the server) shares across its
 * threads: the store each thread uses (one handle per thread, opened on first
 * use), the pinned contexts, the fetcher, the issuers' signing keys (unlocked
 * once, kept in memory), and the authentication of API tokens. The CLI opens
 * the same things once per command (cli/home.c); the server opens them here.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_PLATFORM_H
#define MC_SVC_PLATFORM_H

#include <time.h>

#include "internal.h"
#include "crypto/did.h"
#include "crypto/keyfile.h"
#include "crypto/keys.h"
#include "service/issue.h"
#include "service/verify.h"
#include "store/store.h"
#include "util/fetch.h"

struct mc_ctxstore;
struct mc_jsonld_cache;
struct mc_platform;   /* opaque; thread-safe */

struct mc_platform_conf {
    const char *dsn;                     /* the store */
    const char *public_url;              /* base URL of ids, status lists, pages; no final / */
    struct mc_ctxstore *contexts;        /* borrowed: pinned contexts */
    struct mc_jsonld_cache *cache;       /* borrowed: their processed form */
    const struct mc_fetcher *fetcher;    /* borrowed, may be NULL: did:web, status lists */
    /* How issuer key files are unlocked (borrowed for the platform's life):
     * an operator key or a passphrase. Both NULL: the platform verifies and
     * serves but cannot issue (issuing says so). */
    const uint8_t *operator_key;         /* MC_OPKEY_BYTES */
    const char *passphrase;
    /* The operator's trust list for verifying (borrowed; NULL: none). */
    const char *const *trusted;
    size_t ntrusted;
};

/* Open: the store is opened once here (migrations run) and closed again;
 * each thread then opens its own handle. Errors: those of mc_store_open. */
MC_NODISCARD mcred_rc mc_platform_open(struct mc_platform **out, const struct mc_platform_conf *c,
                                       struct mc_err *err);
/* Close every store handle still open and wipe the keys. Call after every
 * thread using the platform has stopped. Accepts NULL. */
void mc_platform_close(struct mc_platform *p);

const char *mc_platform_public_url(const struct mc_platform *p);

/* The calling thread's store handle (opened on first use; closed when the
 * thread exits or the platform closes). A handle whose transaction was left
 * open by a failed request is rolled back here first. */
MC_NODISCARD mcred_rc mc_platform_store(struct mc_platform *p, struct mc_store **st,
                                        struct mc_err *err);

/* An issuer of org, ready for lib/service/issue.h: issuer_id 0 takes the
 * organisation's first issuer. The current key is unlocked on first use and
 * kept (Argon2id runs once per key, not per request). Errors: NOTFOUND (no
 * such issuer / no issuer yet), UNSUPPORTED (no operator key or passphrase:
 * this process cannot sign), CRYPTO (the key does not unlock). */
struct mc_platform_issuer {
    struct mc_issuer issuer;             /* owned row */
    struct mc_key key;                   /* with the secret */
    char vm_id[MC_DID_MAX];
    struct mc_issuing is;                /* points into this struct and the platform */
};
MC_NODISCARD mcred_rc mc_platform_issuing(struct mc_platform *p, struct mc_store *st,
                                          int64_t org, int64_t issuer_id, const char *actor,
                                          struct mc_platform_issuer *out, struct mc_err *err);
void mc_platform_issuer_release(struct mc_platform_issuer *pi);

/* The stack sweep (mc_stacks_sweep) for every organisation of the store,
 * each with its first issuer when this process can sign (else without one:
 * expired components are still acted on, pending awards wait). *looked (may
 * be NULL) sums the awards re-evaluated. Every organisation is swept even
 * when one fails; the first failure is returned, naming the organisation. */
MC_NODISCARD mcred_rc mc_platform_sweep(struct mc_platform *p, struct mc_store *st,
                                        size_t *looked, struct mc_err *err);

/* The lock that seals keys on this platform (the operator key, else the
 * passphrase), e.g. for learners' holder keys. False (out cleared) when the
 * server was started with neither. */
bool mc_platform_keylock(const struct mc_platform *p, struct mc_keyfile_lock *out);

/* Verify options with the platform's contexts and fetcher; status lists that
 * this platform publishes are read from st (src must outlive the options). */
struct mc_platform_status {
    struct mc_issue_source s;   /* lists of every organisation of the store */
};
void mc_platform_verify_opts(struct mc_platform *p, struct mc_store *st,
                             struct mc_platform_status *src, struct mc_verify_opts *o);

/* The user an API token (as presented) belongs to. NOTFOUND for an unknown
 * token (and for anything that is not a token's shape). */
MC_NODISCARD mcred_rc mc_platform_token_user(struct mc_store *st, const char *token,
                                             struct mc_user *out, struct mc_err *err);
/* The stored form of a token: hex SHA-256 of its text (65 bytes with NUL). */
void mc_platform_token_hash(const char *token, char out[65]);

#endif /* MC_SVC_PLATFORM_H */
