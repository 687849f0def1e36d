/* rank.h - ranking candidates for a position on their verified skills: an
 * inverted index item -> the candidates holding it (ascending, flat arrays
 * in CSR form: one offsets array, one postings array, an optional level per
 * posting), per-candidate counters in flat arrays reused across queries
 * (nothing is allocated per candidate), and a top-N selection with a heap.
 *
 * Items are dense ids 0..nitems) (skills and achievements alike: the caller
 * interns their URIs); candidates are dense ids 0..ncand), and ties are
 * broken by this id ascending, so the caller numbers candidates in the order
 * it wants ties broken (docs/employers.md: by learner id).
 *
 * A query is a list of needs, each an item with a weight, whether it is
 * required, and a minimum level. A candidate's score is the sum of the
 * weights of the needs they hold at or above the minimum level. Ordering:
 * candidates holding every required need first (MC_RANK_BELOW; with
 * MC_RANK_EXCLUDE the others are left out), then by score descending, then
 * by candidate id ascending.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_RANK_H
#define MC_SKILLS_RANK_H

#include "internal.h"

#define MC_RANK_MAX_NEEDS 256            /* needs in one query */
#define MC_RANK_MAX_WEIGHT 1000000u      /* a need's weight, in thousandths (1000.0) */
#define MC_RANK_MAX_TOP 100000u          /* results of one query */
#define MC_RANK_NO_LEVEL (-1.0f)         /* a posting without a stated level */

struct mc_rank_index {
    uint32_t nitems, ncand;
    uint32_t *off;        /* nitems + 1 entries: item i's postings are cand[off[i]..off[i+1]) */
    uint32_t *cand;       /* candidate ids, ascending within each item, no duplicates */
    float *level;         /* per posting, or NULL when no posting has a level */
};

/* One (candidate, item) pair that a candidate holds, with its level
 * (MC_RANK_NO_LEVEL when none is stated). */
struct mc_rank_posting {
    uint32_t cand, item;
    float level;
};

/* Build the index from pairs p[0..n) in any order; a pair given twice keeps
 * its highest level. with_levels false drops levels (every posting then
 * meets any minimum). INVALID when a pair is out of range, LIMIT when n
 * does not fit in 32 bits, NOMEM. ix is zeroed first; release it with
 * mc_rank_index_release. */
MC_NODISCARD mcred_rc mc_rank_index_build(uint32_t nitems, uint32_t ncand,
                                          const struct mc_rank_posting *p, size_t n,
                                          bool with_levels, struct mc_rank_index *ix,
                                          struct mc_err *err);
/* The same from per-candidate item lists (CSR: candidate c holds
 * items[coff[c]..coff[c+1]), each list ascending without duplicates), the
 * layout a generator or a loader produces; no levels. */
MC_NODISCARD mcred_rc mc_rank_index_build_csr(uint32_t nitems, uint32_t ncand,
                                              const uint64_t *coff, const uint32_t *items,
                                              struct mc_rank_index *ix, struct mc_err *err);
void mc_rank_index_release(struct mc_rank_index *ix);   /* back to zeroed */

struct mc_rank_need {
    uint32_t item;
    uint32_t weight;      /* thousandths, 1..MC_RANK_MAX_WEIGHT */
    bool required;
    float min_level;      /* postings below it do not count; MC_RANK_NO_LEVEL: any */
};

enum mc_rank_policy {
    MC_RANK_BELOW = 0,    /* missing a required need: ranked below all who have them all */
    MC_RANK_EXCLUDE,      /* missing a required need: not ranked */
};

struct mc_rank_hit {
    uint32_t cand;
    uint32_t score;       /* sum of weights held, thousandths */
    uint16_t required;    /* required needs held */
    bool complete;        /* every required need held */
};

/* Counters for queries over one index: flat arrays of ncand entries,
 * allocated once and reset after each query (only the entries it touched). */
struct mc_rank_work {
    uint32_t ncand;
    uint32_t *score;
    uint16_t *req;
    uint32_t *touched;
    size_t ntouched;
    struct mc_rank_hit *heap;
    size_t heap_cap;
};

MC_NODISCARD mcred_rc mc_rank_work_init(struct mc_rank_work *w, uint32_t ncand);
void mc_rank_work_release(struct mc_rank_work *w);

/* Rank: the best min(top, candidates ranked) candidates into out[0..*n),
 * best first (out has room for top). When fewer than top candidates hold
 * anything, candidates holding nothing follow by id (unless they are left out
 * by MC_RANK_EXCLUDE). INVALID for needs out of range (an item >= nitems, a
 * weight 0 or above MC_RANK_MAX_WEIGHT, the same item twice, more than
 * MC_RANK_MAX_NEEDS), top 0 or above MC_RANK_MAX_TOP, or a work area of
 * another size; NOMEM. */
MC_NODISCARD mcred_rc mc_rank_query(const struct mc_rank_index *ix, struct mc_rank_work *w,
                                    const struct mc_rank_need *needs, size_t nneeds,
                                    enum mc_rank_policy policy, size_t top,
                                    struct mc_rank_hit *out, size_t *n, struct mc_err *err);

/* True when a ranks before b (complete first, then score, then id). */
bool mc_rank_before(const struct mc_rank_hit *a, const struct mc_rank_hit *b);

/* Weight from a JSON number: thousandths, rounded; false outside
 * (0, MC_RANK_MAX_WEIGHT / 1000]. */
bool mc_rank_weight(double w, uint32_t *out);

#endif /* MC_SKILLS_RANK_H */
