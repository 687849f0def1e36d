/* keys_cli.h - issuer key helpers shared by `mcred key` and `mcred init`:
 * sealing a key file under the operator key or a passphrase, making the store
 * row of a new issuer key, and writing the did:web DID document of an issuer
 * with every key it ever had. The code lives in cmd_key.c.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_KEYS_H
#define MCRED_CLI_KEYS_H

#include "internal.h"

#include "crypto/keys.h"
#include "store/store.h"
#include "util/buf.h"

/* Append the key file JSON of k (which holds its secret) to out, the secret
 * sealed with the operator key file named by MCRED_KEY_FILE, or else with a
 * passphrase (passfile, MCRED_PASSPHRASE or the terminal, asked twice;
 * passfile may be NULL). The secret never reaches out in clear. Prints
 * errors; returns 0 or CLI_USAGE. */
int cli_key_encrypt(const struct mc_key *k, const char *passfile, struct mc_buf *out);

/* Fill row (zeroed first; its strings owned: mc_issuer_key_release) for k as
 * a key of issuer iss in organisation org: vm_id is did:key's
 * "did:key:z..#z.." when iss->did is a did:key, else "<did>#key-<n>" with
 * n = nprev + 1 (nprev: the keys the issuer already has; mc_did_web_document
 * numbers them the same way, oldest first); key_file is the sealed key file
 * (cli_key_encrypt). Prints errors; returns 0 or CLI_USAGE. */
int cli_key_row(const struct mc_key *k, int64_t org, const struct mc_issuer *iss, size_t nprev,
                const char *passfile, struct mc_issuer_key *row);

/* Write dir/did.json (mode 0644, replacing it atomically): the DID document
 * of the did:web issuer iss listing every key of the issuer in the store,
 * oldest first, so credentials signed with retired keys keep verifying. path
 * (cap bytes) receives the file name. Prints errors; returns 0 or CLI_USAGE. */
int cli_did_json_write(struct mc_store *st, int64_t org, const struct mc_issuer *iss,
                       const char *dir, char *path, size_t cap);

#endif /* MCRED_CLI_KEYS_H */
