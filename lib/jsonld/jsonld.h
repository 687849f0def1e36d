/* jsonld.h - JSON-LD 1.1 processing: context processing, expansion and
 * deserialization to RDF (toRdf), with a document loader that never touches
 * the network on its own. A "safe" mode for signing and verifying turns every
 * term or value that would be dropped silently into an error.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_JSONLD_H
#define MC_JSONLD_H

#include "internal.h"
#include "jsonld/rdf.h"
#include "util/json.h"

/* Resolves a context URL to its parsed document. *doc is borrowed: it must stay
 * valid as long as the loader does. An unknown URL is MCRED_ERR_NOTFOUND with a
 * message naming it. */
struct mc_jsonld_loader {
    mcred_rc (*load)(void *ud, const char *url, const cJSON **doc, struct mc_err *err);
    void *ud;
};

struct mc_jsonld_opts {
    const struct mc_jsonld_loader *loader; /* required when the input names remote contexts */
    const char *base;              /* document base IRI, or NULL */
    const cJSON *expand_context;   /* optional expandContext */
    bool safe;                     /* error on dropped terms/values (signing, verifying) */
    bool json10;                   /* processingMode json-ld-1.0 */
    bool produce_generalized_rdf;  /* toRdf: keep blank-node predicates */
    int rdf_direction;             /* toRdf: 0 none, 1 i18n-datatype, 2 compound-literal */
    size_t max_work;               /* bound on processing steps; 0: default */
};

/* Expand doc (JSON-LD 1.1 API §5.1 expansion algorithm). *out is owned
 * (cJSON_Delete): always an array, possibly empty. */
MC_NODISCARD mcred_rc mc_jsonld_expand(const cJSON *doc, const struct mc_jsonld_opts *o,
                                       cJSON **out, struct mc_err *err);

/* Deserialize an already expanded document to RDF (JSON-LD 1.1 API §6.2 via
 * node map generation), appending quads to d. */
MC_NODISCARD mcred_rc mc_jsonld_to_rdf(const cJSON *expanded, const struct mc_jsonld_opts *o,
                                       struct mc_rdf_dataset *d, struct mc_err *err);

#endif /* MC_JSONLD_H */
