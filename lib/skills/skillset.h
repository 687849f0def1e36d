/* skillset.h - sets of skills as the gap analysis and the planner use them:
 * dense integer ids (the ids a struct mc_intern of URIs hands out) kept in
 * sorted arrays without duplicates, with the set algebra in linear time, and
 * fixed-size bitsets for the inner loops that count overlaps.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_SKILLSET_H
#define MC_SKILLS_SKILLSET_H

#include "internal.h"

struct mc_skillset {
    uint32_t *v;    /* owned; v[0..n) ascending, no duplicates (after normalize) */
    size_t n, cap;
};

/* A zeroed struct is an empty set. */
void mc_skillset_release(struct mc_skillset *s);   /* back to empty */
/* Append id without keeping order (then call normalize). NOMEM. */
MC_NODISCARD mcred_rc mc_skillset_push(struct mc_skillset *s, uint32_t id);
/* Sort and drop duplicates. */
void mc_skillset_normalize(struct mc_skillset *s);
/* Membership by binary search (s normalized). */
bool mc_skillset_has(const struct mc_skillset *s, uint32_t id);
/* out = a op b (out is reset first and may not be a or b). NOMEM. */
MC_NODISCARD mcred_rc mc_skillset_union(const struct mc_skillset *a, const struct mc_skillset *b,
                                        struct mc_skillset *out);
MC_NODISCARD mcred_rc mc_skillset_minus(const struct mc_skillset *a, const struct mc_skillset *b,
                                        struct mc_skillset *out);
MC_NODISCARD mcred_rc mc_skillset_intersect(const struct mc_skillset *a,
                                            const struct mc_skillset *b,
                                            struct mc_skillset *out);
/* |a ∩ b| without building it. */
size_t mc_skillset_overlap(const struct mc_skillset *a, const struct mc_skillset *b);

/* A bitset over ids [0, nbits). */
struct mc_bitset {
    uint64_t *w;    /* owned; (nbits + 63) / 64 words */
    size_t nbits;
};
MC_NODISCARD mcred_rc mc_bitset_init(struct mc_bitset *b, size_t nbits);
void mc_bitset_release(struct mc_bitset *b);
/* Set every id of s that is below nbits. */
void mc_bitset_from(struct mc_bitset *b, const struct mc_skillset *s);
static inline bool mc_bitset_get(const struct mc_bitset *b, uint32_t id)
{
    return id < b->nbits && (b->w[id >> 6] >> (id & 63) & 1);
}
/* Number of ids in both (a and b of the same nbits). */
size_t mc_bitset_and_count(const struct mc_bitset *a, const struct mc_bitset *b);

#endif /* MC_SKILLS_SKILLSET_H */
