/* skills.h - the skills verbs: import a framework (ESCO, O*NET, custom)
 * from its published files, search it, find the skills named in free text,
 * gather a learner's skills (verified by valid credentials, or merely
 * declared), turn an occupation or a job description into a weighted target,
 * weigh by market demand over imported job postings, and compute the gap.
 *
 * For the planner: skills are dense integer ids in a universe (struct
 * mc_intern of URIs; struct mc_skills_index holds one over every skill of
 * every framework), and sets of them are struct mc_skillset.
 *
 * Attribution: whatever shows framework data must credit it (docs/skills.md):
 * MC_ESCO_ATTRIBUTION and MC_ONET_ATTRIBUTION, or the custom framework's own.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_H
#define MC_SKILLS_H

#include "internal.h"

#include <time.h>

#include "skills/extract.h"
#include "skills/framework.h"
#include "skills/intern.h"
#include "skills/skillset.h"
#include "store/store.h"

#define MC_ESCO_ATTRIBUTION "This service uses the ESCO classification of the European " \
                            "Commission."
#define MC_ONET_ATTRIBUTION "This includes information from the O*NET Database by the U.S. " \
                            "Department of Labor, Employment and Training Administration " \
                            "(USDOL/ETA), used under the CC BY 4.0 license."
/* An O*NET occupation's URI is this followed by its O*NET-SOC code. */
#define MC_ONET_OCCUPATION_BASE "https://www.onetonline.org/link/summary/"
#define MC_SKILLS_MAX_CUSTOM ((size_t)64 << 20)     /* bytes of a custom framework file */
#define MC_SKILLS_MAX_POSTINGS ((size_t)256 << 20)  /* bytes of a postings file */

/* ---- reading frameworks (nothing is stored yet) ------------------------------------
 * Each reads every file, checks every row, and returns the framework ready
 * for mc_skills_import; *out owned (mc_fw_free), NULL on failure. Errors
 * name the file and line ("skills_en.csv:17: ..."): INVALID (malformed row,
 * unknown value), IO (a required file missing or unreadable), LIMIT, NOMEM.
 * Rows that name a concept no file defines are skipped and counted in the
 * report (mc_fw_report). p (may be NULL) gets progress by bytes. */

/* ESCO's English CSV files in dir: skills_en.csv, occupations_en.csv and
 * occupationSkillRelations.csv (required), skillGroups_en.csv,
 * ISCOGroups_en.csv, skillSkillRelations.csv, broaderRelationsSkillPillar.csv
 * and broaderRelationsOccPillar.csv (read when present). version (may be
 * NULL) is recorded, since the files do not carry it. */
MC_NODISCARD mcred_rc mc_skills_read_esco(const char *dir, const char *version,
                                          const struct mc_skills_progress *p,
                                          struct mc_fw **out, struct mc_err *err);
/* O*NET's text files in dir: Occupation Data.txt and Technology Skills.txt
 * (required), Alternate Titles.txt (when present); the release is read from
 * "Read Me.txt". */
MC_NODISCARD mcred_rc mc_skills_read_onet(const char *dir, const struct mc_skills_progress *p,
                                          struct mc_fw **out, struct mc_err *err);
/* A custom framework: a JSON document when path ends in ".json" or the
 * file starts with '{', else CSV (see custom.c for both layouts). name
 * overrides the JSON's "name" and is required for CSV; it must satisfy
 * mc_skills_custom_name_ok. At most MC_SKILLS_MAX_CUSTOM bytes. */
MC_NODISCARD mcred_rc mc_skills_read_custom(const char *path, const char *name,
                                            struct mc_fw **out, struct mc_err *err);
/* The same over data[0..n); file names the input in messages (may be NULL). */
MC_NODISCARD mcred_rc mc_skills_read_custom_mem(const char *data, size_t n, bool json,
                                                const char *name, const char *file,
                                                struct mc_fw **out, struct mc_err *err);
/* [a-z0-9_-]{1,40} and neither "esco" nor "onet". */
bool mc_skills_custom_name_ok(const char *name);
/* MC_ONET_OCCUPATION_BASE + code into out[0..cap); false unless code is an
 * O*NET-SOC code (NN-NNNN.NN) and it fits. */
bool mc_onet_occupation_uri(const char *code, char *out, size_t cap);

/* Write f to the store, replacing the framework of the same name, in one
 * transaction (mc_store_skill_import: on failure the previous one stays).
 * p gets "writing" progress by rows. *framework_id: OUT. */
MC_NODISCARD mcred_rc mc_skills_import(struct mc_store *st, struct mc_fw *f,
                                       const struct mc_skills_progress *p,
                                       int64_t *framework_id, struct mc_err *err);

/* ---- search ---------------------------------------------------------------------- */

/* Concepts whose labels contain the words of text (each word a prefix:
 * "data analy" finds "data analysis"), best first; kinds as in
 * mc_store_skill_search (NULL: all), 1 <= limit <= MC_STORE_PAGE_MAX. Rows
 * are struct mc_skill with the matching label in extra. INVALID when text
 * has no word. */
MC_NODISCARD mcred_rc mc_skills_search(struct mc_store *st, const char *text, const char *kinds,
                                       size_t limit, struct mc_store_list *out,
                                       struct mc_err *err);

/* ---- the index: every skill, for extraction and as the planner's universe ---------- */

struct mc_skills_index {
    struct mc_intern *uris;      /* dense id of each concept URI */
    struct mc_intern *names;     /* the preferred labels */
    uint32_t *name_of;           /* per id: its preferred label in names */
    enum mc_skill_kind *kind_of; /* per id */
    size_t n, cap;
    struct mc_extractor *x;      /* built by mc_skills_index_build */
};

/* An empty index; *out owned (mc_skills_index_free). NOMEM. */
MC_NODISCARD mcred_rc mc_skills_index_new(struct mc_skills_index **out);
void mc_skills_index_free(struct mc_skills_index *ix);   /* accepts NULL */
/* Add one label of concept uri (pref: its preferred label, which names it
 * in reports). NOMEM, LIMIT, INVALID after build. */
MC_NODISCARD mcred_rc mc_skills_index_add(struct mc_skills_index *ix, const char *uri,
                                          const char *label, enum mc_skill_kind kind, bool pref);
MC_NODISCARD mcred_rc mc_skills_index_build(struct mc_skills_index *ix);
/* Every label of every skill, knowledge and technology concept in the
 * store, built. NOTFOUND (with a message) when no framework is imported. */
MC_NODISCARD mcred_rc mc_skills_index_load(struct mc_store *st, struct mc_skills_index **out,
                                           struct mc_err *err);
/* The preferred label of id (borrowed), or NULL. */
const char *mc_skills_index_label(const struct mc_skills_index *ix, uint32_t id);

/* The skills named in text[0..n) (see mc_extractor_run; hit.concept is the
 * index's id). */
MC_NODISCARD mcred_rc mc_skills_extract(const struct mc_skills_index *ix, const char *text,
                                        size_t n, struct mc_hits *out, struct mc_err *err);

/* ---- a learner's skills ------------------------------------------------------------ */

struct mc_claim {
    char *uri;                   /* the skill (an alignment's targetUrl, or declared) */
    char *label, *framework;     /* from the store; NULL when no framework defines it */
    bool verified;               /* a valid credential aligns to it */
    bool declared;               /* the learner declared it */
    char *credential;            /* verified: the first valid credential aligned to it */
    size_t credentials;          /* valid credentials aligned to it */
};
struct mc_learner_skills {
    struct mc_claim *v;          /* owned; verified first, then by label, then uri */
    size_t n, verified;
};

/* The union of the skills of the learner's valid credentials (active, not
 * expired at now: mc_store_skill_held; each achievement's alignment[]
 * targetUrl), plus what the learner declared (unverified unless a credential
 * also covers it). NOTFOUND when org has no such learner. */
MC_NODISCARD mcred_rc mc_skills_of_learner(struct mc_store *st, int64_t org, int64_t learner,
                                           time_t now, struct mc_learner_skills *out,
                                           struct mc_err *err);
void mc_learner_skills_release(struct mc_learner_skills *l);
/* Add to out the skill URIs an Achievement (JSON text) aligns to: its
 * alignment[] targetUrl values that are absolute URIs. INVALID for text that
 * is not a JSON object; NOMEM. */
MC_NODISCARD mcred_rc mc_skills_alignments(const char *achievement_json, struct mc_intern *out,
                                           struct mc_err *err);

/* ---- targets ----------------------------------------------------------------------- */

enum mc_need {
    MC_NEED_ESSENTIAL = 0,       /* ESCO essential skill */
    MC_NEED_OPTIONAL,            /* ESCO optional skill */
    MC_NEED_TECHNOLOGY,          /* O*NET technology skill (flags say hot / in demand) */
    MC_NEED_MENTIONED,           /* named in the job description */
};

/* Weights (docs/skills.md): essential 1, optional 0.5; technology 0.5, +0.25
 * when hot, +0.25 when in demand; mentioned 1. Each is then multiplied by
 * (1 + demand), demand being the share of imported postings that mention
 * the skill (0 without postings). */
#define MC_WEIGHT_ESSENTIAL 1.0
#define MC_WEIGHT_OPTIONAL 0.5
#define MC_WEIGHT_TECH 0.5
#define MC_WEIGHT_TECH_FLAG 0.25
#define MC_WEIGHT_MENTIONED 1.0

struct mc_target_skill {
    char *uri, *label;
    enum mc_skill_kind kind;
    enum mc_need need;
    int flags;                   /* MC_SKILL_HOT | MC_SKILL_IN_DEMAND */
    unsigned mentions;           /* job text: times named */
    size_t first;                /* job text: byte offset of its first mention */
    double demand;               /* 0..1 */
    double weight;
};
struct mc_target {
    char *uri;                   /* the occupation, or NULL for a job description */
    char *label, *framework;     /* the occupation's; NULL for a job description */
    struct mc_target_skill *v;   /* owned; by weight (highest first), then label */
    size_t n;
};

/* The skills of an occupation: uri (or an O*NET-SOC code such as
 * "15-2051.00") must name an occupation of an imported framework. NOTFOUND
 * "unknown occupation '...'" ; INVALID when it names a concept that is not
 * an occupation, or an occupation with no skills. */
MC_NODISCARD mcred_rc mc_skills_target_occupation(struct mc_store *st, const char *uri,
                                                  struct mc_target *out, struct mc_err *err);
/* The skills named in a job description text[0..n). INVALID for an empty
 * text, one without words, or one naming no skill; LIMIT past
 * MC_EXTRACT_MAX_TEXT bytes. */
MC_NODISCARD mcred_rc mc_skills_target_job(const struct mc_skills_index *ix, const char *text,
                                           size_t n, struct mc_target *out, struct mc_err *err);
/* Set each skill's demand from the postings in the store and weigh again. */
MC_NODISCARD mcred_rc mc_skills_target_demand(struct mc_store *st, struct mc_target *t,
                                              struct mc_err *err);
void mc_target_release(struct mc_target *t);

/* ---- the gap ----------------------------------------------------------------------- */

enum mc_gap_status {
    MC_GAP_MISSING = 0,          /* not covered by a valid credential */
    MC_GAP_HELD,                 /* a valid credential aligns to it */
    MC_GAP_EQUIVALENT,           /* one aligns to a skill the crosswalk maps to it */
};

struct mc_gap_item {
    size_t skill;                /* index into the target's v[] */
    enum mc_gap_status status;
    bool declared;               /* declared by the learner (unverified: still missing) */
    char *via;                   /* HELD: the credential; EQUIVALENT: the held skill's URI */
};
struct mc_gap {
    struct mc_gap_item *v;       /* owned; missing first, each part by weight, then label */
    size_t n, missing;
    double total, covered;       /* sums of weights: all, and held or equivalent */
};

/* Target skills minus the learner's verified skills; a verified skill also
 * covers the target skills the crosswalk maps it to (either direction). */
MC_NODISCARD mcred_rc mc_skills_gap(struct mc_store *st, const struct mc_target *t,
                                    const struct mc_learner_skills *l, struct mc_gap *out,
                                    struct mc_err *err);
void mc_gap_release(struct mc_gap *g);
/* The missing skills as ids of universe (added when absent), for the
 * planner. out is reset first. NOMEM. */
MC_NODISCARD mcred_rc mc_gap_missing_set(const struct mc_gap *g, const struct mc_target *t,
                                         struct mc_intern *universe, struct mc_skillset *out);

/* ---- job postings (market demand) -------------------------------------------------- */

struct mc_postings_report {
    size_t postings;             /* stored */
    size_t mentions;             /* skill mentions found in them */
    size_t without_skills;       /* postings in which no skill was found */
};

/* Import JSON Lines data[0..n) (file names it in messages): one object a
 * line, {"id": string, "title": string (optional), "text": string}; each
 * posting's skills are extracted with ix and stored (mc_store_skill_
 * posting_put), all in one transaction: a bad line imports nothing.
 * INVALID with "file:line: ..."; LIMIT past MC_SKILLS_MAX_POSTINGS bytes or a
 * text past MC_EXTRACT_MAX_TEXT. */
MC_NODISCARD mcred_rc mc_skills_postings_import(struct mc_store *st,
                                                const struct mc_skills_index *ix,
                                                const char *data, size_t n, const char *file,
                                                struct mc_postings_report *rep,
                                                struct mc_err *err);

#endif /* MC_SKILLS_H */
