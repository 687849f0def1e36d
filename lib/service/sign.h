/* sign.h - the sign verb: a credential's bytes and an issuer key in, the
 * secured credential out (Data Integrity proof added, or a VC-JWT). Open
 * Badges are checked against the OB 3.0 rules first: microcred never signs a
 * badge that is missing required fields.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_SIGN_H
#define MC_SVC_SIGN_H

#include <time.h>

#include "internal.h"
#include "crypto/keys.h"
#include "util/buf.h"

struct mc_ctxstore;
struct mc_jsonld_cache;

struct mc_sign_opts {
    const char *suite;                /* "eddsa-rdfc-2022" (default), "eddsa-jcs-2022", "vc-jwt" */
    const char *created;              /* RFC 3339; NULL: now */
    const char *verification_method;  /* NULL: the key's did:key method */
    const char *proof_purpose;        /* NULL: assertionMethod */
    const char *challenge, *domain;   /* presentations */
    time_t now;
    struct mc_ctxstore *contexts;     /* pinned contexts (eddsa-rdfc-2022); NULL: none */
    struct mc_jsonld_cache *cache;    /* processed contexts of `contexts`; may be NULL */
    bool pretty;                      /* indent the JSON output */
};

/* Sign the credential in p[0..n) with k; append the result (JSON, or a
 * compact JWT for vc-jwt) to out. */
MC_NODISCARD mcred_rc mc_sign_bytes(const char *p, size_t n, const struct mc_key *k,
                                    const struct mc_sign_opts *o, struct mc_buf *out,
                                    struct mc_err *err);

#endif /* MC_SVC_SIGN_H */
