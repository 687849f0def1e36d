/* didweb.h - did:web DID documents built from the store: an issuer's every
 * key (current and retired, oldest first, "#key-1".."#key-n") as Multikey
 * verification methods, so credentials signed before a rotation keep
 * verifying; and which document a request path on this host names. The
 * server publishes them (/.well-known/did.json, /{path}/did.json); the CLI
 * writes the same document to MCRED_HOME/did.json.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_DIDWEB_H
#define MC_SVC_DIDWEB_H

#include "internal.h"
#include "store/store.h"
#include "util/buf.h"

/* Append the DID document of the did:web issuer iss (a row of org) to out,
 * indented with indent spaces (0: compact) and ended by a newline when
 * indented. Every stored verification method id must be the one the document
 * gives its key ("<did>#key-<n>"), or a credential would name a method the
 * document does not have: INVALID then, naming the key. INVALID when the
 * issuer's DID is not a did:web; NOTFOUND when it has no keys. */
MC_NODISCARD mcred_rc mc_didweb_document(struct mc_store *st, int64_t org,
                                         const struct mc_issuer *iss, int indent,
                                         struct mc_buf *out, struct mc_err *err);

/* The did:web DID whose document a request for path on the host of
 * public_url fetches (did:web resolution in reverse): "/.well-known/did.json"
 * names did:web:HOST, "/a/b/did.json" names did:web:HOST:a:b (HOST with its
 * port as %3A). Path segments are letters, digits and "-._~" only. Written
 * to did (cap bytes); INVALID for any other path, LIMIT when too long. */
MC_NODISCARD mcred_rc mc_didweb_did_for_path(const char *public_url, const char *path,
                                             char *did, size_t cap, struct mc_err *err);

/* The DID document served at path (compact JSON appended to out): the issuer
 * of any organisation whose DID that path names. NOTFOUND when none. */
MC_NODISCARD mcred_rc mc_didweb_serve(struct mc_store *st, const char *public_url,
                                      const char *path, struct mc_buf *out,
                                      struct mc_err *err);

#endif /* MC_SVC_DIDWEB_H */
