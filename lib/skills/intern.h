/* intern.h - a set of distinct strings numbered 0, 1, 2, ... in the order
 * they were added: the skills module's one hash table. It maps concept URIs
 * to the dense integer ids the importers, the gap analysis and the planner
 * work with, and words to the token ids of the extractor's automaton.
 * Strings are copied into chunks that never move, so a borrowed string stays
 * valid until the set is freed.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_INTERN_H
#define MC_SKILLS_INTERN_H

#include "internal.h"

#define MC_INTERN_NONE UINT32_MAX     /* "not in the set" */
#define MC_INTERN_MAX ((size_t)1 << 28) /* strings one set may hold */

struct mc_intern;   /* opaque; one writer at a time, readers concurrently once built */

/* An empty set. *out owned (mc_intern_free), NULL on failure. NOMEM. */
MC_NODISCARD mcred_rc mc_intern_new(struct mc_intern **out);
/* Accepts NULL. */
void mc_intern_free(struct mc_intern *m);

/* The id of s[0..n) (any bytes but NUL), adding it when absent; *added (may
 * be NULL) says whether it was new. NOMEM, LIMIT (MC_INTERN_MAX strings). */
MC_NODISCARD mcred_rc mc_intern_add(struct mc_intern *m, const char *s, size_t n, uint32_t *id,
                                    bool *added);
/* The id of s[0..n), or MC_INTERN_NONE. */
uint32_t mc_intern_find(const struct mc_intern *m, const char *s, size_t n);
/* The string with id (borrowed, NUL-terminated; NULL for an unknown id). */
const char *mc_intern_str(const struct mc_intern *m, uint32_t id);
size_t mc_intern_len(const struct mc_intern *m, uint32_t id);
size_t mc_intern_count(const struct mc_intern *m);
/* Bytes held (table and strings), for the benchmarks. */
size_t mc_intern_bytes(const struct mc_intern *m);

#endif /* MC_SKILLS_INTERN_H */
