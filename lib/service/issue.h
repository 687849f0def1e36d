/* issue.h - the issue verbs: one credential, or a whole file of rows in
 * bulk (streaming, signed in parallel on every core, written by one thread in
 * batches that commit atomically, idempotent per row); revocation and
 * suspension with their Bitstring Status Lists regenerated and signed; the
 * store as a status source for verifying our own credentials.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_ISSUE_H
#define MC_SVC_ISSUE_H

#include <time.h>

#include "crypto/keys.h"
#include "service/rows.h"
#include "status/bitstring.h"
#include "store/store.h"

struct mc_ctxstore;
struct mc_jsonld_cache;

/* An issuer ready to issue: everything borrowed from the caller. */
struct mc_issuing {
    struct mc_store *st;
    int64_t org;
    const struct mc_issuer *issuer;     /* its row (id, did, name, url) */
    const struct mc_key *key;           /* the current signing key, with its secret */
    const char *vm_id;                  /* its verification method */
    const char *public_url;             /* base URL of credential ids and status lists */
    struct mc_ctxstore *contexts;       /* for eddsa-rdfc-2022 */
    struct mc_jsonld_cache *cache;
    const char *suite;                  /* NULL: eddsa-rdfc-2022 */
    time_t now;                         /* 0: the clock */
    const char *actor;                  /* who, for the audit log (e.g. "cli") */
    /* Also a suspension status entry. false: credentialStatus is one
     * revocation entry (an object), as Open Badges 3.0 and CLR 2.0 allow
     * (CredentialStatus [0..1]); true: an array of a revocation and a
     * suspension entry (VC 2.0 allows it; the 1EdTech schemas do not). The
     * organisation's setting "suspension" ("on"/"off"; mc_issue_suspension). */
    bool suspension;
};

/* The organisation's "suspension" setting: true when it is "on". */
bool mc_issue_suspension(struct mc_store *st, int64_t org);
/* Set it (audited as actor); it applies to credentials issued from then on. */
MC_NODISCARD mcred_rc mc_issue_set_suspension(struct mc_store *st, int64_t org, bool on,
                                              const char *actor, struct mc_err *err);

/* What happened to one row. */
struct mc_issue_result {
    char id[256];          /* the credential id (new, or the one issued before) */
    bool already;          /* the idempotency key was issued before: nothing new */
};

/* Issue one credential for row (recipient, name, key, valid_until,
 * evidence_url as in a bulk file; row->key NULL: derived from the achievement
 * and the recipient). */
MC_NODISCARD mcred_rc mc_issue_one(const struct mc_issuing *is, const struct mc_achievement *a,
                                   const struct mc_row *row, struct mc_issue_result *res,
                                   struct mc_err *err);

struct mc_bulk_opts {
    bool all_or_nothing;   /* one transaction: the first bad row stops and nothing is kept */
    int threads;           /* signing threads; 0: the number of cores */
    size_t batch;          /* rows per committed batch; 0: 4096 */
    /* Called after every batch (may be NULL). */
    void (*progress)(void *ud, size_t rows, size_t issued, size_t already, size_t failed);
    /* Called for every row that fails (may be NULL): its number and why. */
    void (*row_error)(void *ud, size_t row, size_t line, const char *msg);
    void *ud;
};

struct mc_bulk_result {
    size_t rows;       /* data rows read */
    size_t issued;     /* new credentials stored */
    size_t already;    /* rows whose key was issued before (skipped) */
    size_t failed;     /* rows rejected */
};

/* Issue every row of rs. Returns MCRED_OK when the input was read to its end
 * (whatever rows failed, unless all_or_nothing), else the error that stopped
 * it; every batch committed before a stop stays, and re-running the same
 * input issues nothing twice. */
MC_NODISCARD mcred_rc mc_issue_bulk(const struct mc_issuing *is, const struct mc_achievement *a,
                                    struct mc_rows *rs, const struct mc_bulk_opts *o,
                                    struct mc_bulk_result *res, struct mc_err *err);

/* Revoke (final), suspend or unsuspend (state MC_CRED_ACTIVE) credential id,
 * and regenerate and sign the status list it is on, in one transaction. */
MC_NODISCARD mcred_rc mc_issue_set_state(const struct mc_issuing *is, const char *id,
                                         enum mc_cred_state state, const char *reason,
                                         struct mc_err *err);

/* One index on the issuer's current status list of purpose (revocation or
 * suspension), inside the caller's transaction: a new list is made when none
 * has room, and published at once. url receives the list's URL. */
MC_NODISCARD mcred_rc mc_issue_alloc_status(const struct mc_issuing *is,
                                            enum mc_status_purpose purpose, int64_t *list_id,
                                            int64_t *index, char *url, size_t url_cap,
                                            struct mc_err *err);
/* (Re)build and sign the status list credential of list id, store it.
 * (The store also needs mc_store_status_list_find and _all; see store.h.) */
MC_NODISCARD mcred_rc mc_issue_publish_list(const struct mc_issuing *is, int64_t list_id,
                                            struct mc_err *err);

/* A status source reading the organisation's own lists from the store (their
 * signed documents, parsed); for other URLs it says NOTFOUND. org 0: the
 * lists of every organisation in the store (a server verifying for anyone).
 * s must outlive s->src. */
struct mc_issue_source {
    struct mc_store *st;
    int64_t org;
    struct mc_status_source src;   /* OUT: hand &s->src to the verifier */
};
void mc_issue_status_source(struct mc_issue_source *s, struct mc_store *st, int64_t org);

#endif /* MC_SVC_ISSUE_H */
