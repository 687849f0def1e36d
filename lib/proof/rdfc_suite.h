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

/* The canonical N-Quads of a proof configuration of the usual shape, written
 * directly (appended to out); false (out unchanged) when cfg is not of that
 * shape and the general canonicalization must run. */
bool mc_rdfc_config_template(const cJSON *cfg, struct mc_buf *out);

#endif /* MC_RDFC_SUITE_H */
