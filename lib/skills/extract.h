/* extract.h - skills found in free text (a job description, a posting) by
 * phrase matching over every label of every skill: one Aho-Corasick
 * automaton whose alphabet is the normalised words of text.h, so matching is
 * case, punctuation and plural tolerant and costs time linear in the text
 * whatever the number of labels. Overlapping matches are resolved leftmost,
 * then longest: "data analysis" wins over "analysis" and over "data".
 *
 * Build once (add every label, then build), then run any number of texts,
 * from any number of threads: a built extractor is read-only.
 *
 * Example:
 *     mc_extractor_new(&x);
 *     mc_extractor_add(x, "Python (computer programming)", n, 17, true);
 *     mc_extractor_add(x, "Python", 6, 17, false);
 *     mc_extractor_build(x);
 *     mc_extractor_run(x, text, len, &hits, &err);  hits.v[i].concept == 17
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_EXTRACT_H
#define MC_SKILLS_EXTRACT_H

#include "internal.h"

#define MC_EXTRACT_MAX_TEXT ((size_t)1 << 20)  /* bytes of one text (1 MiB); more: LIMIT */
#define MC_EXTRACT_MAX_WORDS 32                /* words of a label; longer ones are skipped */
#define MC_EXTRACT_MAX_LABELS ((size_t)4 << 20) /* labels of one extractor */

struct mc_extractor;   /* opaque */

/* One match: the text's bytes [start, end) name concept (the caller's id).
 * A span whose words are a label of several concepts gives one hit per
 * concept, all with the same span: the concepts whose preferred label it is
 * when there are any, else every concept with it as an alternative label.
 * A one-word label written with an ASCII capital ("Chef", "Route", "R": the
 * name of a product or a language) matches only a word written with a
 * capital, so "chefs" and "routes" do not name the software. */
struct mc_skill_hit {
    size_t start, end;   /* byte range in the text */
    uint32_t concept;    /* the id given to mc_extractor_add */
    uint32_t words;      /* words matched */
    bool pref;           /* the span is the concept's preferred label */
};

struct mc_hits {
    struct mc_skill_hit *v;   /* owned array, ordered by start, then concept */
    size_t n, cap;
};

/* An empty extractor. *out owned (mc_extractor_free), NULL on failure. NOMEM. */
MC_NODISCARD mcred_rc mc_extractor_new(struct mc_extractor **out);
void mc_extractor_free(struct mc_extractor *x);   /* accepts NULL */

/* Add label[0..n) as a name of concept; pref says it is the preferred label.
 * A label with no words, with a word longer than MC_TOKEN_MAX or with more
 * than MC_EXTRACT_MAX_WORDS words is skipped (OK, *used false). INVALID after
 * mc_extractor_build; LIMIT past MC_EXTRACT_MAX_LABELS; NOMEM. used may be
 * NULL. */
MC_NODISCARD mcred_rc mc_extractor_add(struct mc_extractor *x, const char *label, size_t n,
                                       uint32_t concept, bool pref, bool *used);

/* A one-word label that is only ever an alternative label, and whose word
 * appears in more than df labels of the extractor, never matches on its own:
 * ESCO lists words such as "process", "design" or "data" as alternative
 * labels of specific skills, and in free text they name none of them. Such a
 * word still matches inside longer labels. The default is
 * MC_EXTRACT_GENERIC_DF (half the ESCO labels' one-word alternatives have a
 * word found in at most 2 labels, and 81% in at most 15); 0 turns the rule
 * off. Call before mc_extractor_build. */
#define MC_EXTRACT_GENERIC_DF 15
void mc_extractor_set_generic(struct mc_extractor *x, uint32_t df);

/* Compute the failure links; after this the extractor only runs. NOMEM. */
MC_NODISCARD mcred_rc mc_extractor_build(struct mc_extractor *x);

/* Find the skills in text[0..n). out is reset first (its storage reused);
 * release it with mc_hits_release. INVALID when x is not built, or the text
 * is empty or has no word; LIMIT past MC_EXTRACT_MAX_TEXT bytes; NOMEM. An
 * error leaves out empty. Invalid UTF-8 is not an error: such bytes never
 * match. */
MC_NODISCARD mcred_rc mc_extractor_run(const struct mc_extractor *x, const char *text, size_t n,
                                       struct mc_hits *out, struct mc_err *err);

void mc_hits_release(struct mc_hits *h);   /* accepts a zeroed struct */

/* Figures for reports and the benchmark. */
struct mc_extractor_stats {
    size_t labels;     /* labels used */
    size_t patterns;   /* distinct word sequences */
    size_t generic;    /* patterns that never match alone (mc_extractor_set_generic) */
    size_t states;     /* automaton states */
    size_t words;      /* distinct words */
    size_t bytes;      /* memory held */
};
void mc_extractor_stats(const struct mc_extractor *x, struct mc_extractor_stats *out);

#endif /* MC_SKILLS_EXTRACT_H */
