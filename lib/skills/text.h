/* text.h - the one normalisation of words that skill matching uses
 * everywhere: the extractor's automaton, the crosswalk's exact label matches
 * and the search query all cut text into tokens the same way, so a label and
 * a sentence that differ only in case, punctuation or a regular English
 * plural meet.
 *
 * A token is a run of letters and digits (ASCII, and any non-ASCII UTF-8
 * character outside the General Punctuation block), lowercased (ASCII and
 * Latin-1). Inside a token an apostrophe (' or U+2019) is dropped
 * ("employer's" -> "employers") and '&' between two letters is kept ("R&D" ->
 * "r&d"); '+' and '#' right after a token belong to it ("C++", "C#"). Any
 * other byte separates tokens: "problem-solving" and "problem solving" are
 * the same two tokens. Plural folding, on tokens of four or more ASCII
 * letters: -ies -> -y, -sses/-ches/-shes/-xes/-zzes lose -es, and a final -s
 * goes unless the word ends in -ss, -us or -is ("skills" -> "skill",
 * "processes" -> "process", "analysis" stays).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_TEXT_H
#define MC_SKILLS_TEXT_H

#include "internal.h"

#define MC_TOKEN_MAX 64   /* bytes of a normalised token; longer ones never match */

struct mc_word {
    size_t start, end;            /* byte range [start, end) in the input */
    size_t len;                   /* bytes of text */
    bool too_long;                /* longer than MC_TOKEN_MAX: text is cut, never matches */
    char text[MC_TOKEN_MAX + 1];  /* normalised, NUL-terminated */
};

struct mc_tokenizer {
    const char *p;   /* the input (borrowed) */
    size_t n, pos;
    bool fold;       /* fold plurals (mc_tok_init sets it; search clears it) */
};

void mc_tok_init(struct mc_tokenizer *t, const char *p, size_t n);
/* The next token into *out; false at the end of the input. Any bytes are
 * accepted (invalid UTF-8 bytes count as letters). */
bool mc_tok_next(struct mc_tokenizer *t, struct mc_word *out);

/* The normalised form of s[0..n): its tokens joined by single spaces, into
 * out[0..cap) (NUL-terminated). *len (may be NULL) gets its length. LIMIT
 * when it does not fit or a token is too long; INVALID when s has no token. */
MC_NODISCARD mcred_rc mc_text_norm(const char *s, size_t n, char *out, size_t cap,
                                   size_t *len);

#endif /* MC_SKILLS_TEXT_H */
