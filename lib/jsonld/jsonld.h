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
    struct mc_jsonld_cache *cache; /* optional processed-context cache, see below */
};

/* A cache of processed contexts shared by expansion calls: an active context
 * built from remote contexts (and the scoped contexts defined in them) is
 * computed once and reused, so expanding a credential after the first time
 * costs no context processing. Contexts written inline in a document are
 * never cached beyond one call.
 *
 * The loader is still asked for every remote context URL in every call (once
 * per call), and what is cached is keyed by the document pointer it returns:
 * loaders may pick revisions per call. The cache keeps pointers into those
 * documents, so it must be freed before any document a loader handed it
 * (e.g. keep one cache per context store). Contexts are cached per base IRI
 * and processing mode: expanding with a different opts->base each time (a
 * per-request URL) gains nothing; credentials are expanded with base NULL.
 * Thread-safe: any number of calls may share a cache. Memory is bounded: past
 * about 4096 cached steps or 32 MiB the cache starts afresh (calls still
 * running keep what they use).
 * mc_jsonld_cache_new: *out owned (mc_jsonld_cache_free), NOMEM. */
struct mc_jsonld_cache;
MC_NODISCARD mcred_rc mc_jsonld_cache_new(struct mc_jsonld_cache **out);
void mc_jsonld_cache_free(struct mc_jsonld_cache *c);  /* accepts NULL */

/* Expand doc (JSON-LD 1.1 API §5.1 expansion algorithm). *out is owned
 * (cJSON_Delete): always an array, possibly empty; NULL on failure.
 * Errors: MCRED_ERR_INVALID for every JSON-LD error, the message starting with
 * the spec's error code ("invalid term definition: ...") and naming the term,
 * the JSON path and the remote context; in safe mode also for any term, type
 * or value expansion would drop or leave relative; MCRED_ERR_LIMIT past
 * max_work, 32 remote contexts, or 256 levels of nesting; MCRED_ERR_NOMEM. */
MC_NODISCARD mcred_rc mc_jsonld_expand(const cJSON *doc, const struct mc_jsonld_opts *o,
                                       cJSON **out, struct mc_err *err);

/* Deserialize an already expanded document to RDF (JSON-LD 1.1 API §8.1,
 * through node map generation, §7.2), appending quads to d; blank nodes are
 * labelled _:b0, _:b1, ... in the order jsonld.js uses. Terms that are not
 * well-formed IRIs are dropped as the spec says, or, with o->safe, are
 * MCRED_ERR_INVALID. MCRED_ERR_LIMIT past the nesting, list-length, quad or
 * work bounds. On failure d->n is back to its value on entry. No global state:
 * calls on different datasets may run in parallel. */
MC_NODISCARD mcred_rc mc_jsonld_to_rdf(const cJSON *expanded, const struct mc_jsonld_opts *o,
                                       struct mc_rdf_dataset *d, struct mc_err *err);

#endif /* MC_JSONLD_H */
