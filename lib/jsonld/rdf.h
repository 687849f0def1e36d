/* rdf.h - an RDF dataset in memory: terms, quads and the string storage they
 * share. JSON-LD toRdf fills one; the N-Quads parser fills one; RDFC-1.0
 * canonicalizes one. Strings live in the dataset (mc_rdf_intern) and die with
 * it.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_RDF_H
#define MC_RDF_H

#include "internal.h"
#include "util/buf.h"

enum mc_rdf_kind {
    MC_RDF_DEFAULT = 0, /* graph position only: the default graph */
    MC_RDF_IRI,         /* value: the IRI, without <> */
    MC_RDF_BLANK,       /* value: the label, without "_:" */
    MC_RDF_LITERAL,     /* value: the lexical form, unescaped */
};

struct mc_rdf_term {
    enum mc_rdf_kind kind;
    const char *value;     /* borrowed from the dataset; NULL for MC_RDF_DEFAULT */
    const char *datatype;  /* literals: datatype IRI; NULL means xsd:string, or
                              rdf:langString when lang is set */
    const char *lang;      /* literals: language tag, else NULL */
};

struct mc_rdf_quad {
    struct mc_rdf_term s, p, o, g;
};

struct mc_rdf_chunk;  /* string storage, private to rdf.c */

struct mc_rdf_dataset {
    struct mc_rdf_quad *quads;    /* owned array */
    size_t n;                     /* quads in use */
    size_t cap;                   /* quads allocated */
    size_t max_quads;             /* limit; adding past it is MCRED_ERR_LIMIT */
    struct mc_rdf_chunk *chunks;  /* owned string storage */
};

#define MC_RDF_MAX_QUADS 1000000

void mc_rdf_init(struct mc_rdf_dataset *d);
void mc_rdf_release(struct mc_rdf_dataset *d);   /* frees quads and strings */

/* Copy s[0..n) into the dataset's storage; the result is NUL-terminated and
 * lives until mc_rdf_release. NULL on NOMEM. */
const char *mc_rdf_intern(struct mc_rdf_dataset *d, const char *s, size_t n);

/* Append a quad whose strings already live in d (from mc_rdf_intern) or are
 * static. Exact duplicates are kept; mc_rdf_dedup removes them. */
MC_NODISCARD mcred_rc mc_rdf_add(struct mc_rdf_dataset *d, const struct mc_rdf_quad *q);

/* Serialize one quad as an N-Quads line (with the final "\n") following the
 * canonical N-Quads escaping of RDFC-1.0 §4.2 / RDF 1.1 N-Quads canonical form. */
MC_NODISCARD mcred_rc mc_rdf_quad_write(struct mc_buf *out, const struct mc_rdf_quad *q);

/* Parse an N-Quads document (RDF 1.1 N-Quads) into d. err names the line. */
MC_NODISCARD mcred_rc mc_nquads_parse(const char *p, size_t n, struct mc_rdf_dataset *d,
                                      struct mc_err *err);

enum mc_rdfc_hash { MC_RDFC_SHA256 = 0, MC_RDFC_SHA384 };

struct mc_rdfc_opts {
    enum mc_rdfc_hash hash;   /* hash algorithm of RDFC-1.0, SHA-256 by default */
    size_t max_work;          /* bound on hash N-degree quads calls (0: a default that
                                 stops poison graphs quickly); past it MCRED_ERR_LIMIT */
};

/* RDFC-1.0: canonical N-Quads of d (sorted lines, canonical blank node labels
 * c14n0, c14n1, ...; duplicates removed) appended to out. opts may be NULL. */
MC_NODISCARD mcred_rc mc_rdfc_canon(const struct mc_rdf_dataset *d,
                                    const struct mc_rdfc_opts *opts, struct mc_buf *out,
                                    struct mc_err *err);

#endif /* MC_RDF_H */
