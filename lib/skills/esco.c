/* esco.c - the ESCO classification (v1.1.x, the English CSV distribution)
 * read into a framework: skills and knowledge (skills_en.csv), occupations,
 * skill groups and ISCO-08 groups with their alternative and hidden labels,
 * the essential/optional occupation-skill and skill-skill relations and both
 * broader/narrower hierarchies. A relation naming a concept that no file
 * defines is skipped and reported (ESCO v1.1.1 has a few: see
 * docs/skills.md); anything malformed stops the read with file:line.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/intern.h"
#include "skills/skills.h"
#include "skills/skills_int.h"

/* The columns of a concept file, in this order; a '?' marks optional ones. */
enum { C_URI, C_PREF, C_ALT, C_HIDDEN, C_CODE, C_DESC, C_TYPE };

struct concept_file {
    const char *name;
    enum mc_skill_kind kind;          /* unless typed */
    bool required;
    bool typed;                       /* skills: knowledge or skill/competence by skillType */
    const char *const cols[8];
};

static const struct concept_file concept_files[] = {
    { "skills_en.csv", MC_SK_SKILL, true, true,
      { "conceptUri", "preferredLabel", "?altLabels", "?hiddenLabels", "?code", "?description",
        "?skillType", NULL } },
    { "occupations_en.csv", MC_SK_OCCUPATION, true, false,
      { "conceptUri", "preferredLabel", "?altLabels", "?hiddenLabels", "?code", "?description",
        NULL } },
    { "skillGroups_en.csv", MC_SK_SKILL_GROUP, false, false,
      { "conceptUri", "preferredLabel", "?altLabels", "?hiddenLabels", "?code", "?description",
        NULL } },
    { "ISCOGroups_en.csv", MC_SK_OCCUPATION_GROUP, false, false,
      { "conceptUri", "preferredLabel", "?altLabels", "?hiddenLabels", "?code", "?description",
        NULL } },
};

/* Relation files: from and to columns, and how the relation is typed. */
enum rel_typing { REL_OCC_SKILL, REL_SKILL_SKILL, REL_BROADER };
struct rel_file {
    const char *name;
    bool required;
    enum rel_typing typing;
    const char *const cols[4];        /* from, to, relationType (not for broader) */
};

static const struct rel_file rel_files[] = {
    { "occupationSkillRelations.csv", true, REL_OCC_SKILL,
      { "occupationUri", "skillUri", "relationType", NULL } },
    { "skillSkillRelations.csv", false, REL_SKILL_SKILL,
      { "originalSkillUri", "relatedSkillUri", "relationType", NULL } },
    { "broaderRelationsSkillPillar.csv", false, REL_BROADER,
      { "conceptUri", "broaderUri", NULL } },
    { "broaderRelationsOccPillar.csv", false, REL_BROADER,
      { "conceptUri", "broaderUri", NULL } },
};

#define NFILES (sizeof(concept_files) / sizeof(concept_files[0]) + \
                sizeof(rel_files) / sizeof(rel_files[0]))

/* Prefix err's message with where the row is. */
static mcred_rc at(struct mc_err *err, mcred_rc rc, const struct mc_table *t,
                   const struct mc_csv_record *rec)
{
    char where[96], msg[MC_ERRMSG_MAX];

    mc_strlcpy(msg, err ? err->msg : "", sizeof(msg));
    return mc_err_set(err, rc, "%s: %.200s", mc_table_where(t, rec, where), msg);
}

static mcred_rc skill_kind(const char *type, enum mc_skill_kind *kind)
{
    if (!type[0] || strcmp(type, "skill/competence") == 0) {
        *kind = MC_SK_SKILL;   /* six ESCO 1.1.1 skills have no skillType */
        return MCRED_OK;
    }
    if (strcmp(type, "knowledge") == 0) {
        *kind = MC_SK_KNOWLEDGE;
        return MCRED_OK;
    }
    return MCRED_ERR_INVALID;
}

static mcred_rc concept_row(struct mc_fw *f, const struct concept_file *cf,
                            const struct mc_table *t, const struct mc_csv_record *rec,
                            struct mc_err *err)
{
    enum mc_skill_kind kind = cf->kind;
    char where[96];
    const char *type = mc_table_get(t, rec, C_TYPE);
    uint32_t id;
    mcred_rc rc;

    if (cf->typed && skill_kind(type, &kind))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown skillType '%.60s' (knowledge "
                          "or skill/competence)", mc_table_where(t, rec, where), type);
    rc = mc_fw_concept(f, mc_table_get(t, rec, C_URI), kind, mc_table_get(t, rec, C_PREF),
                       mc_table_get(t, rec, C_CODE), mc_table_get(t, rec, C_DESC),
                       mc_table_where(t, rec, where), &id, err);
    if (!rc)
        rc = mc_fw_alts(f, id, mc_table_get(t, rec, C_ALT), '\n', err);
    if (!rc)
        rc = mc_fw_alts(f, id, mc_table_get(t, rec, C_HIDDEN), '\n', err);
    return rc ? at(err, rc, t, rec) : MCRED_OK;
}

static mcred_rc rel_type(const struct rel_file *rf, const char *type, enum mc_skill_rel *rel)
{
    bool ess = strcmp(type, "essential") == 0, opt = strcmp(type, "optional") == 0;

    if (rf->typing == REL_BROADER) {
        *rel = MC_SR_BROADER;
        return MCRED_OK;
    }
    if (!ess && !opt)
        return MCRED_ERR_INVALID;
    if (rf->typing == REL_OCC_SKILL)
        *rel = ess ? MC_SR_ESSENTIAL : MC_SR_OPTIONAL;
    else
        *rel = ess ? MC_SR_SKILL_ESSENTIAL : MC_SR_SKILL_OPTIONAL;
    return MCRED_OK;
}

static mcred_rc rel_row(struct mc_fw *f, const struct rel_file *rf, const struct mc_table *t,
                        const struct mc_csv_record *rec, struct mc_err *err)
{
    const char *from = mc_table_get(t, rec, 0), *to = mc_table_get(t, rec, 1);
    const char *type = rf->typing == REL_BROADER ? "" : mc_table_get(t, rec, 2);
    enum mc_skill_rel rel;
    uint32_t a, b;
    char where[96];
    mcred_rc rc;

    if (!from[0] || !to[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: a relation without %s URI",
                          mc_table_where(t, rec, where), !from[0] ? "its first" : "its second");
    if (rel_type(rf, type, &rel))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown relationType '%.60s' "
                          "(essential or optional)", mc_table_where(t, rec, where), type);
    a = mc_fw_find(f, from);
    b = mc_fw_find(f, to);
    if (a == MC_INTERN_NONE || b == MC_INTERN_NONE) {
        mc_fw_skip(t->file, rec->line, "names a concept no file defines:",
                   a == MC_INTERN_NONE ? from : to);
        return MCRED_OK;
    }
    if (rf->typing == REL_OCC_SKILL) {
        const struct mc_skill_concept_in *o = mc_fw_concept_at(f, a),
                                         *s = mc_fw_concept_at(f, b);

        if (o->kind != MC_SK_OCCUPATION || (s->kind != MC_SK_SKILL &&
                                            s->kind != MC_SK_KNOWLEDGE))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: '%.120s' -> '%.120s' is not an "
                              "occupation and a skill", mc_table_where(t, rec, where), from, to);
    }
    rc = mc_fw_edge(f, a, b, rel, 0, NULL);
    if (rc)
        return mc_err_set(err, rc, "%s: cannot add the relation",
                          mc_table_where(t, rec, where));
    return MCRED_OK;
}

/* Read one table with row(); an absent optional file is fine. */
static mcred_rc read_concepts(struct mc_fw *f, const char *dir, const struct concept_file *cf,
                              const struct mc_skills_progress *p, size_t *done, size_t total,
                              struct mc_err *err)
{
    struct mc_table t;
    struct mc_csv_record rec;
    mcred_rc rc = mc_table_open(&t, f, dir, cf->name, false, cf->required, cf->cols, p, *done,
                                total, err);

    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    while (!rc) {
        rc = mc_table_next(&t, &rec, err);
        if (!rc)
            rc = concept_row(f, cf, &t, &rec, err);
    }
    *done += mc_table_offset(&t);
    mc_table_close(&t);
    return rc == MCRED_ERR_NOTFOUND ? MCRED_OK : rc;
}

static mcred_rc read_relations(struct mc_fw *f, const char *dir, const struct rel_file *rf,
                               const struct mc_skills_progress *p, size_t *done, size_t total,
                               struct mc_err *err)
{
    struct mc_table t;
    struct mc_csv_record rec;
    mcred_rc rc = mc_table_open(&t, f, dir, rf->name, false, rf->required, rf->cols, p, *done,
                                total, err);

    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    while (!rc) {
        rc = mc_table_next(&t, &rec, err);
        if (!rc)
            rc = rel_row(f, rf, &t, &rec, err);
    }
    *done += mc_table_offset(&t);
    mc_table_close(&t);
    return rc == MCRED_ERR_NOTFOUND ? MCRED_OK : rc;
}

mcred_rc mc_skills_read_esco(const char *dir, const char *version,
                             const struct mc_skills_progress *p, struct mc_fw **out,
                             struct mc_err *err)
{
    struct mc_fw *f = NULL;
    size_t i, done = 0, total = 0;
    mcred_rc rc;

    *out = NULL;
    if (!dir)
        return mc_err_set(err, MCRED_ERR_INVALID, "no ESCO directory given");
    for (i = 0; i < sizeof(concept_files) / sizeof(concept_files[0]); i++)
        total += mc_table_size(dir, concept_files[i].name);
    for (i = 0; i < sizeof(rel_files) / sizeof(rel_files[0]); i++)
        total += mc_table_size(dir, rel_files[i].name);
    rc = mc_fw_new(&f, "esco", version, "ESCO (European Skills, Competences, "
                   "Qualifications and Occupations)", MC_ESCO_ATTRIBUTION);
    if (rc)
        return mc_err_set(err, rc, "out of memory");
    for (i = 0; !rc && i < sizeof(concept_files) / sizeof(concept_files[0]); i++)
        rc = read_concepts(f, dir, &concept_files[i], p, &done, total, err);
    for (i = 0; !rc && i < sizeof(rel_files) / sizeof(rel_files[0]); i++)
        rc = read_relations(f, dir, &rel_files[i], p, &done, total, err);
    if (rc) {
        mc_fw_free(f);
        return rc;
    }
    if (p && p->fn)
        p->fn(p->ud, "read", total, total);
    *out = f;
    return MCRED_OK;
}

_Static_assert(NFILES <= MC_FW_MAX_FILES, "the report has room for every ESCO file");
