/* rdf.h - an RDF dataset in memory: terms, quads and the string storage they
 * share. JSON-LD toRdf fills one; the N-Quads parser fills one; RDFC-1.0
 * canonicalizes one. Strings live in the dataset (mc_rdf_intern) and die with
 * it.
 *
 * Strings are UTF-8 C strings. A literal may contain U+0000: it is stored as
 * the two bytes C0 80 (the "modified UTF-8" of Java) so that values stay C
 * strings, and the writers turn it back into \u0000. Nothing else produces
 * those two bytes, since they are not valid UTF-8.
 *
 * Thread safety: a dataset belongs to one thread at a time (a const one may
 * be canonicalized by several at once); the functions keep no global state
 * except the hash seed rdf.c makes once per process under pthread_once, and
 * the per-thread digest context of crypto/hash.c.
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

/* Hints a producer may give about a term's strings, so that the writer need
 * not scan them for bytes to escape. 0 is always correct; whoever changes
 * value or datatype of a term clears the flags that no longer hold. */
enum mc_rdf_flags {
    MC_RDF_PLAIN = 1 << 0,     /* value holds no byte the writer escapes (for an
                                  IRI: controls, space, <>"{}|^`\ and the stored
                                  U+0000; for a literal: controls, '"', '\\', DEL,
                                  U+0000, U+FFFE, U+FFFF); ignored for blank nodes */
    MC_RDF_PLAIN_DT = 1 << 1,  /* the same of datatype, as an IRI */
};

struct mc_rdf_term {
    enum mc_rdf_kind kind;
    unsigned flags;        /* enum mc_rdf_flags hints, or 0 */
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
    bool borrow;                  /* producers may point at the caller's strings
                                     instead of copying them (toRdf: the strings of
                                     the expanded document); set it only when those
                                     outlive every use of the dataset */
};

#define MC_RDF_MAX_QUADS 1000000
#define MC_RDF_XSD_STRING "http://www.w3.org/2001/XMLSchema#string"
#define MC_RDF_LANGSTRING "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

/* Start empty, with max_quads = MC_RDF_MAX_QUADS (the caller may lower it)
 * and borrow false. */
void mc_rdf_init(struct mc_rdf_dataset *d);
void mc_rdf_release(struct mc_rdf_dataset *d);   /* frees quads and strings; NULL-safe */

/* Copy s[0..n) into the dataset's storage; the result is NUL-terminated and
 * lives until mc_rdf_release. NULL on NOMEM. */
const char *mc_rdf_intern(struct mc_rdf_dataset *d, const char *s, size_t n);

/* Append a quad whose strings already live in d (from mc_rdf_intern) or are
 * static. Exact duplicates are kept; mc_rdf_dedup removes them (RDFC-1.0 does
 * not need that: it treats the dataset as a set). NOMEM, or LIMIT past
 * d->max_quads; d is unchanged on failure. */
MC_NODISCARD mcred_rc mc_rdf_add(struct mc_rdf_dataset *d, const struct mc_rdf_quad *q);

/* Make room for n more quads, so that the next n mc_rdf_add calls do not
 * allocate (a producer that knows how many it will add saves the regrowth).
 * Never past max_quads. NOMEM; d is unchanged on failure. */
MC_NODISCARD mcred_rc mc_rdf_reserve(struct mc_rdf_dataset *d, size_t n);

/* Remove repeated quads in place, keeping the first of each (term equality:
 * a NULL datatype equals xsd:string; the datatype of a literal with a
 * language tag is ignored). Only NOMEM can fail, leaving d unchanged. */
MC_NODISCARD mcred_rc mc_rdf_dedup(struct mc_rdf_dataset *d);

/* True when a and b are the same RDF term (the rules of mc_rdf_dedup). */
bool mc_rdf_term_eq(const struct mc_rdf_term *a, const struct mc_rdf_term *b);

/* Append one term in canonical N-Quads form (RDFC-1.0 appendix A): <iri>,
 * _:label, "literal" with ECHAR for \b \t \n \f \r \" \\, \uXXXX (uppercase
 * hex) for the other control characters, U+007F, U+FFFE and U+FFFF, then
 * @lang, or ^^<datatype> unless xsd:string. Characters that no IRIREF may
 * hold raw (space, <>"{}|^`\ and controls) are written as \uXXXX, so the
 * output always parses. A string the term's flags call plain is copied
 * without looking (the hint is trusted). MC_RDF_DEFAULT appends nothing.
 * NOMEM or LIMIT (out as it was); INVALID for a NULL value; INTERNAL for a
 * kind outside the enum. */
MC_NODISCARD mcred_rc mc_rdf_term_write(struct mc_buf *out, const struct mc_rdf_term *t);

/* Serialize one quad as an N-Quads line (with the final "\n") in the
 * canonical N-Quads form of RDFC-1.0; blank nodes keep their labels. */
MC_NODISCARD mcred_rc mc_rdf_quad_write(struct mc_buf *out, const struct mc_rdf_quad *q);

/* --- hashing for the tables of toRdf and RDFC-1.0 ------------------------- */

/* A secret per-process value (random when the system can give one) to start
 * mc_rdf_hash from, so that input cannot be crafted to collide in a table,
 * which would make it quadratic. Thread-safe; cheap after the first call. */
uint64_t mc_rdf_hash_seed(void);

static inline uint64_t mc_rdf_hash_lane(uint64_t l, const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    l = (l ^ w) * 0x9e3779b97f4a7c15ULL;
    return l ^ (l >> 31);
}

/* A word-at-a-time hash of p[0..n) continuing from h (a seed, or an earlier
 * result), for hash tables only. Four lanes take turns over 32-byte blocks:
 * each lane is a chain of multiplies that wait for one another, and four
 * chains run side by side. */
static inline uint64_t mc_rdf_hash(uint64_t h, const void *ptr, size_t n)
{
    const unsigned char *p = ptr;
    uint64_t w, a, b, c;
    size_t tail = n;

    if (n >= 32) {
        a = h ^ 0x6a09e667f3bcc908ULL;
        b = h ^ 0xbb67ae8584caa73bULL;
        c = h ^ 0x3c6ef372fe94f82bULL;
        for (; n >= 32; p += 32, n -= 32) {
            h = mc_rdf_hash_lane(h, p);
            a = mc_rdf_hash_lane(a, p + 8);
            b = mc_rdf_hash_lane(b, p + 16);
            c = mc_rdf_hash_lane(c, p + 24);
        }
        h ^= a * 3 ^ b * 5 ^ c * 7;
    }
    for (; n >= 8; p += 8, n -= 8)
        h = mc_rdf_hash_lane(h, p);
    for (w = 0; n; n--)  /* not memcpy: a call for a few bytes costs more */
        w = w << 8 | p[n - 1];
    h = (h ^ w ^ ((uint64_t)tail << 40)) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* --- N-Quads parser (nquads.c) -------------------------------------------- */

#define MC_NQUADS_MAX_BYTES ((size_t)16 << 20) /* largest document parsed */

/* Parse an N-Quads document (RDF 1.1 N-Quads: IRIs, blank nodes, literals
 * with ECHAR/UCHAR escapes, language tags, datatypes, comments, blank lines;
 * IRIs must be absolute) into d, appending. The input must be UTF-8 and at
 * most MC_NQUADS_MAX_BYTES; at most d->max_quads quads in d. On failure
 * (INVALID with "line L, column C: ..." in err, LIMIT, NOMEM) the quads
 * appended by this call are removed again. A literal with the datatype
 * xsd:string gets datatype NULL. */
MC_NODISCARD mcred_rc mc_nquads_parse(const char *p, size_t n, struct mc_rdf_dataset *d,
                                      struct mc_err *err);

/* --- RDFC-1.0 (rdfc.c) ---------------------------------------------------- */

enum mc_rdfc_hash { MC_RDFC_SHA256 = 0, MC_RDFC_SHA384 };

/* The default work bound: MC_RDFC_DEFAULT_WORK plus MC_RDFC_WORK_PER_BNODE
 * for each blank node, at most MC_RDFC_DEFAULT_WORK_CAP. A step takes 0.1 to
 * a few microseconds. The W3C suite's "evil" poison graphs, which must
 * succeed, need about 6,200 steps (12 blank nodes); its 10-node clique, which
 * must fail, stops after 10 to 20 ms; a credential needs tens. A chain of
 * identical blank nodes (an rdf:List of equal values) costs quadratic work:
 * 100 links pass, 300 do not. */
#define MC_RDFC_DEFAULT_WORK 50000
#define MC_RDFC_WORK_PER_BNODE 100
#define MC_RDFC_DEFAULT_WORK_CAP 1000000
#define MC_RDFC_MAX_DEPTH 1024  /* recursion of hash N-degree quads */

struct mc_rdfc_opts {
    enum mc_rdfc_hash hash;   /* hash algorithm of RDFC-1.0, SHA-256 by default */
    size_t max_work;          /* bound on the N-degree work: each call of hash
                                 N-degree quads, each related hash and each
                                 permutation counts one step, plus one per 8
                                 blank nodes a permutation walks (0: the default
                                 above); past it MCRED_ERR_LIMIT */
};

/* The issued identifiers map of one canonicalization: the blank node with
 * input label label[i] received the canonical label "c14n<i>". */
struct mc_rdfc_map {
    const char **label;  /* owned array (mc_rdfc_map_release) of labels borrowed
                            from the dataset canonicalized */
    size_t n;            /* blank nodes, one per distinct input label */
};

void mc_rdfc_map_release(struct mc_rdfc_map *map);  /* NULL-safe; leaves it empty */

/* RDFC-1.0: canonical N-Quads of d (sorted lines, canonical blank node labels
 * c14n0, c14n1, ...; duplicates removed) appended to out. opts may be NULL.
 * Errors: LIMIT (work or recursion bound: a poison dataset, or out's cap),
 * INVALID (a blank node predicate, which RDFC-1.0 does not define, or a term
 * of a kind its position does not allow, or a NULL value), NOMEM. On
 * failure out holds what it held before. */
MC_NODISCARD mcred_rc mc_rdfc_canon(const struct mc_rdf_dataset *d,
                                    const struct mc_rdfc_opts *opts, struct mc_buf *out,
                                    struct mc_err *err);

/* mc_rdfc_canon that can also return the issued identifiers map: out may be
 * NULL (map only) and map may be NULL (same as mc_rdfc_canon). *map is
 * emptied first and filled on success; release it then. It borrows labels
 * from d, so it must not outlive d. */
MC_NODISCARD mcred_rc mc_rdfc_canon_map(const struct mc_rdf_dataset *d,
                                        const struct mc_rdfc_opts *opts, struct mc_buf *out,
                                        struct mc_rdfc_map *map, struct mc_err *err);

#endif /* MC_RDF_H */
