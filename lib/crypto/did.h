/* did.h - DIDs for issuers and holders: did:key (Ed25519) creation and
 * resolution to a Multikey verification method, did:web URL mapping, DID
 * documents, and resolving a verification method id to a public key.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_DID_H
#define MC_DID_H

#include "crypto/keys.h"
#include "util/fetch.h"

#define MC_DID_MAX 512  /* longest DID or DID URL accepted */

/* A resolved verification method. */
struct mc_vm {
    struct mc_key key;            /* public key (sk NULL) */
    char id[MC_DID_MAX];          /* the verification method id, absolute */
    char controller[MC_DID_MAX];  /* its controller DID */
    bool assertion;               /* listed under assertionMethod */
    bool authentication;          /* listed under authentication */
};

/* Resolve a verification method id (did:key:z..#z.., or did:web:...#frag) to
 * its key. did:key needs no fetcher; did:web uses f (NULL: MCRED_ERR_IO,
 * "no fetcher"). A did:key that is not Ed25519 is MCRED_ERR_UNSUPPORTED. */
MC_NODISCARD mcred_rc mc_did_resolve_vm(const char *vm_id, const struct mc_fetcher *f,
                                        struct mc_vm *out, struct mc_err *err);

/* The DID document of a did:key (Multikey form), appended as JSON. */
MC_NODISCARD mcred_rc mc_did_key_document(const char *did, struct mc_buf *out,
                                          struct mc_err *err);

/* https URL of a did:web DID document (did:web:example.com:u:a ->
 * https://example.com/u/a/did.json; %3A port; no path -> /.well-known). */
MC_NODISCARD mcred_rc mc_did_web_url(const char *did, struct mc_buf *out, struct mc_err *err);

/* DID document for a did:web issuer listing keys[0..n) as Multikey methods
 * "#key-1".."#key-n" (n >= 1, newest last; all listed under assertionMethod so
 * credentials signed with older keys keep verifying). */
MC_NODISCARD mcred_rc mc_did_web_document(const char *did, const struct mc_key *keys, size_t n,
                                          struct mc_buf *out, struct mc_err *err);

#endif /* MC_DID_H */
