/* framework.h - a skills framework read into memory, ready to be written by
 * mc_store_skill_import in one transaction: concepts numbered densely in the
 * order they were read, their labels (with the normalised words of text.h),
 * the relations between them, and a report of what was read and what was
 * skipped. The readers of the published files (ESCO CSV, O*NET text files, a
 * custom CSV or JSON) fill one; nothing touches the store until every file
 * has been read and checked, so a malformed file imports nothing.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_FRAMEWORK_H
#define MC_SKILLS_FRAMEWORK_H

#include "internal.h"

#include "store/store.h"

/* What was read from one file. */
struct mc_fw_file {
    char name[64];         /* the file name */
    bool present;          /* false: an optional file that was absent */
    size_t rows;           /* data rows read */
    size_t skipped;        /* rows skipped because they name a concept the
                            * framework does not define (a dangling reference) */
    char first_skip[240];  /* the first such row: "line N: ... 'uri'" */
};

#define MC_FW_MAX_FILES 12

struct mc_fw_report {
    struct mc_fw_file files[MC_FW_MAX_FILES];
    size_t nfiles;
    size_t duplicates;     /* relations given twice (merged; see mc_fw_edge) */
};

struct mc_fw;   /* opaque */

/* Progress of a long read or import: phase ("reading skills_en.csv",
 * "writing"), and how far (bytes or rows) out of total. */
struct mc_skills_progress {
    void (*fn)(void *ud, const char *phase, size_t done, size_t total);
    void *ud;
};

/* A new empty framework. Strings are copied (version, title, attribution may
 * be NULL). *out owned (mc_fw_free), NULL on failure. NOMEM. */
MC_NODISCARD mcred_rc mc_fw_new(struct mc_fw **out, const char *name, const char *version,
                                const char *title, const char *attribution);
void mc_fw_free(struct mc_fw *f);   /* accepts NULL */

/* Add a concept; label is its preferred label. *index (OUT) is its number.
 * CONFLICT when uri is already defined (err names the first definition's
 * place, given as where: "skills_en.csv:12"); INVALID for an empty uri or
 * label, or a description longer than MC_SKILL_MAX_DESCRIPTION; NOMEM. */
MC_NODISCARD mcred_rc mc_fw_concept(struct mc_fw *f, const char *uri, enum mc_skill_kind kind,
                                    const char *label, const char *code,
                                    const char *description, const char *where,
                                    uint32_t *index, struct mc_err *err);
/* Add an alternative label label[0..n) of concept (spaces around it are
 * trimmed; an empty one or a copy of one the concept has is ignored). NOMEM;
 * INVALID for invalid UTF-8 or longer than MC_STORE_MAX_TEXT. */
MC_NODISCARD mcred_rc mc_fw_alt(struct mc_fw *f, uint32_t concept, const char *label, size_t n,
                                struct mc_err *err);
/* Add each label of list, separated by sep (ESCO: '\n', custom: '|'). */
MC_NODISCARD mcred_rc mc_fw_alts(struct mc_fw *f, uint32_t concept, const char *list, char sep,
                                 struct mc_err *err);
/* The concept with uri, or MC_INTERN_NONE. */
uint32_t mc_fw_find(const struct mc_fw *f, const char *uri);
/* Add the relation from -> to. Given twice, the flags are merged and *dup
 * set (when dup is NULL the report's duplicates count it instead). NOMEM;
 * INVALID for MC_SR_NONE or an index out of range; LIMIT. */
MC_NODISCARD mcred_rc mc_fw_edge(struct mc_fw *f, uint32_t from, uint32_t to,
                                 enum mc_skill_rel rel, int flags, bool *dup);

/* The rows as the store takes them; borrowed from f, valid while f is not
 * changed. The progress fields are left NULL. */
const struct mc_skill_import *mc_fw_import(struct mc_fw *f);
/* The concept at index (borrowed), or NULL. */
const struct mc_skill_concept_in *mc_fw_concept_at(const struct mc_fw *f, uint32_t index);

/* The read report, for readers to fill and callers to show. */
struct mc_fw_report *mc_fw_report(struct mc_fw *f);
/* A new file entry of the report (NULL past MC_FW_MAX_FILES). */
struct mc_fw_file *mc_fw_file(struct mc_fw *f, const char *name);
/* Note a skipped row in file: counted, and the first one described. */
void mc_fw_skip(struct mc_fw_file *file, size_t line, const char *what, const char *uri);

#endif /* MC_SKILLS_FRAMEWORK_H */
