/* rdfc_suite.h - the JSON-LD Data Integrity suites (eddsa-rdfc-2022, and
 * Ed25519Signature2020 for verification), and canonical N-Quads of a JSON-LD
 * document for `mcred canon --rdfc`.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_RDFC_SUITE_H
#define MC_RDFC_SUITE_H

#include "internal.h"
#include "util/buf.h"
#include "util/json.h"

struct mc_jsonld_loader;
struct mc_jsonld_cache;

struct mc_di_suite;
/* The suites, built into the Data Integrity table (di.c). */
extern const struct mc_di_suite mc_di_suite_rdfc;
extern const struct mc_di_suite mc_di_suite_ed2020;

/* Append the RDFC-1.0 canonical N-Quads of a JSON-LD document, expanded in
 * safe mode with contexts from loader (cache may be NULL). */
MC_NODISCARD mcred_rc mc_rdfc_canonize_doc(const cJSON *doc,
                                           const struct mc_jsonld_loader *loader,
                                           struct mc_jsonld_cache *cache, struct mc_buf *out,
                                           struct mc_err *err);

#endif /* MC_RDFC_SUITE_H */
