/* di.h - W3C Data Integrity proofs (VC Data Integrity 1.0): adding a
 * DataIntegrityProof to a document and verifying every proof on one (proof
 * sets and chains), over pluggable cryptosuites. eddsa-jcs-2022 is built in;
 * eddsa-rdfc-2022 registers through the same table.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_DI_H
#define MC_DI_H

#include <time.h>

#include "crypto/did.h"
#include "util/time.h"
#include "util/fetch.h"
#include "util/json.h"

struct mc_jsonld_loader;

struct mc_ctxstore;
struct mc_jsonld_cache;

/* What proofs need from the outside world. */
struct mc_di_env {
    const struct mc_fetcher *fetcher;        /* did:web resolution; may be NULL */
    struct mc_ctxstore *contexts;            /* pinned contexts for RDF suites; may be NULL */
    struct mc_jsonld_cache *cache;           /* processed contexts of `contexts`; may be NULL */
    time_t now;                              /* the verifier's clock */
};

/* Intermediate values, for tests and `--debug` output (all optional). */
struct mc_di_trace {
    struct mc_buf *canon_doc;     /* the transformed (canonical) document */
    struct mc_buf *canon_proof;   /* the canonical proof configuration */
    uint8_t hash[96];             /* hashData: proof config hash || document hash */
    size_t hash_len;
};

/* One try at hashing for verification. A suite whose input can be read more
 * than one way (JSON-LD contexts with several pinned revisions) is asked again
 * with n + 1 while the signature does not match, until it answers
 * MCRED_ERR_NOTFOUND. Signing always uses attempt 0. */
struct mc_di_attempt {
    size_t n;         /* 0 for the first try */
    void *state;      /* the suite's own, released by suite->release */
    char note[256];   /* what the try used (e.g. context revisions), for the verdict */
};

/* A cryptosuite: turns (document without proof, proof configuration) into
 * hashData, which Ed25519 then signs. */
struct mc_di_suite {
    const char *name;        /* the "cryptosuite" value, or the legacy proof type */
    const char *proof_type;  /* "DataIntegrityProof", or e.g. "Ed25519Signature2020" */
    bool proof_has_context;  /* the proof carries the document's @context (JCS) */
    bool sign;               /* false: verification only (legacy suites) */
    mcred_rc (*hash)(const struct mc_di_env *env, const cJSON *unsecured,
                     const cJSON *proof_config, struct mc_di_trace *trace,
                     struct mc_di_attempt *at, uint8_t *out, size_t *out_len,
                     struct mc_err *err);
    void (*release)(struct mc_di_attempt *at);   /* may be NULL */
    /* Before signing: refuse documents this suite would secure in a way other
     * verifiers read differently. May be NULL. */
    mcred_rc (*check_sign)(const cJSON *doc, struct mc_err *err);
};

/* Look a suite up by cryptosuite name (or legacy proof type); NULL when unknown. */
const struct mc_di_suite *mc_di_suite_find(const char *name);
/* Register a further suite (at start-up, before threads). */
MC_NODISCARD mcred_rc mc_di_suite_register(const struct mc_di_suite *s);

/* Options for adding a proof; NULL members take defaults. */
struct mc_di_sign_opts {
    const char *cryptosuite;          /* default "eddsa-rdfc-2022" */
    const char *verification_method;  /* default the key's did:key method */
    const char *proof_purpose;        /* default "assertionMethod" */
    const char *created;              /* RFC 3339; default env->now, seconds, UTC */
    const char *expires;              /* optional */
    const char *challenge;            /* optional (presentations) */
    const char *domain;               /* optional */
    const char *id;                   /* optional proof id (for chains) */
    const char *previous_proof;       /* optional id of the proof this one chains to */
};

/* Add a proof to doc (an object; an existing "proof" becomes a proof set).
 * On failure doc is unchanged. trace may be NULL. */
MC_NODISCARD mcred_rc mc_di_sign(cJSON *doc, const struct mc_key *k,
                                 const struct mc_di_sign_opts *o, const struct mc_di_env *env,
                                 struct mc_di_trace *trace, struct mc_err *err);

/* What a verifier expects of the proofs; NULL members are not checked,
 * except proof_purpose which defaults to "assertionMethod". */
struct mc_di_expect {
    const char *proof_purpose;
    const char *challenge;
    const char *domain;
};

/* The outcome of one proof. */
struct mc_di_result {
    mcred_rc rc;                      /* MCRED_OK when the proof verified */
    char reason[MC_ERRMSG_MAX];       /* why not, or a short success note */
    char cryptosuite[64];
    char verification_method[MC_DID_MAX];
    char controller[MC_DID_MAX];      /* controller of the method, once resolved */
    char created[40];
    char note[256];                   /* e.g. the context revisions the proof matched */
};

#define MC_DI_MAX_PROOFS 8

/* True when a proof result code means the proof is wrong (as opposed to
 * "could not be established": an unreachable did:web, an unsupported key). */
bool mc_di_rc_is_failure(mcred_rc rc);

/* Verify every proof of doc. res[0..*nres) holds one result per proof. Returns
 * MCRED_OK when all verified, MCRED_ERR_VERIFY when any failed, MCRED_ERR_INVALID
 * when doc has no usable proof, MCRED_ERR_IO / UNSUPPORTED when a key could not
 * be resolved (indeterminate). trace (may be NULL) records the first proof. */
MC_NODISCARD mcred_rc mc_di_verify(const cJSON *doc, const struct mc_di_expect *ex,
                                   const struct mc_di_env *env,
                                   struct mc_di_result res[MC_DI_MAX_PROOFS], size_t *nres,
                                   struct mc_di_trace *trace, struct mc_err *err);

#endif /* MC_DI_H */
