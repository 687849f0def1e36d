/* custom.c - an organisation's own skills framework, as a CSV file (one
 * concept a row: uri,label[,kind,alt_labels,description,code,broader,
 * essential,optional], lists separated by '|') or a JSON document
 * ({"name", "version", "title", "attribution", "concepts": [{"uri", "label",
 * "kind", "altLabels", "description", "code", "broader", "essential",
 * "optional"}]}). Relations may name concepts defined later in the file;
 * unlike the published frameworks, a relation to an unknown concept is an
 * error here, as is an unknown column or member (a typo would otherwise
 * lose data silently).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/intern.h"
#include "skills/skills.h"
#include "skills/skills_int.h"
#include "util/json.h"

enum { K_URI, K_LABEL, K_KIND, K_ALT, K_DESC, K_CODE, K_BROADER, K_ESSENTIAL, K_OPTIONAL,
       K_COUNT };
static const char *const csv_cols[] = { "uri", "label", "?kind", "?alt_labels", "?description",
                                        "?code", "?broader", "?essential", "?optional", NULL };
#define CSV_COLUMNS "uri, label, kind, alt_labels, description, code, broader, essential, " \
                    "optional"

static const enum mc_skill_rel list_rel[] = { MC_SR_BROADER, MC_SR_ESSENTIAL, MC_SR_OPTIONAL };

/* Add the relations of concept `from` to the concepts named in list (uris
 * separated by sep, or a JSON array when arr is not NULL). */
static mcred_rc relate(struct mc_fw *f, uint32_t from, enum mc_skill_rel rel, const char *list,
                       char sep, const cJSON *arr, const char *where, struct mc_err *err)
{
    const struct mc_skill_concept_in *a = mc_fw_concept_at(f, from), *b;
    const cJSON *item = arr ? arr->child : NULL;
    const char *p = list, *end;
    char uri[MC_STORE_MAX_TEXT + 1];
    uint32_t to;
    size_t n;

    for (;;) {
        if (arr) {
            if (!item)
                return MCRED_OK;
            if (!cJSON_IsString(item))
                return mc_err_set(err, MCRED_ERR_INVALID, "%s: %s lists something that is not "
                                  "a string", where, mc_skill_rel_name(rel));
            mc_strlcpy(uri, item->valuestring, sizeof(uri));
            item = item->next;
        } else {
            if (!p || !*p)
                return MCRED_OK;
            end = strchr(p, sep);
            n = end ? (size_t)(end - p) : strlen(p);
            while (n && (*p == ' ' || *p == '\t')) {
                p++;
                n--;
            }
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (n > MC_STORE_MAX_TEXT)
                n = MC_STORE_MAX_TEXT;
            memcpy(uri, p, n);
            uri[n] = '\0';
            p = end ? end + 1 : NULL;
            if (!n)
                continue;
        }
        to = mc_fw_find(f, uri);
        if (to == MC_INTERN_NONE)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: %s names '%.200s', which the file "
                              "does not define", where, mc_skill_rel_name(rel), uri);
        b = mc_fw_concept_at(f, to);
        if (rel != MC_SR_BROADER && (a->kind != MC_SK_OCCUPATION || b->kind == MC_SK_OCCUPATION ||
                                     b->kind == MC_SK_OCCUPATION_GROUP ||
                                     b->kind == MC_SK_SKILL_GROUP))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: only an occupation has %s skills, "
                              "and they must be skills ('%.200s')", where,
                              mc_skill_rel_name(rel), uri);
        if (to == from)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: '%.200s' refers to itself", where,
                              uri);
        if (mc_fw_edge(f, from, to, rel, 0, NULL))
            return mc_err_set(err, MCRED_ERR_NOMEM, "%s: cannot add the relation", where);
    }
}

static mcred_rc kind_of(const char *s, enum mc_skill_kind *kind, const char *where,
                        struct mc_err *err)
{
    if (!s || !s[0]) {
        *kind = MC_SK_SKILL;
        return MCRED_OK;
    }
    if (mc_skill_kind_parse(s, kind))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown kind '%.60s' (skill, knowledge, "
                          "technology, skill-group, occupation, occupation-group)", where, s);
    return MCRED_OK;
}

/* ---- CSV ------------------------------------------------------------------------ */

static mcred_rc csv_unknown_columns(const struct mc_table *t, struct mc_err *err)
{
    const struct mc_csv_record *h = mc_csv_header(t->csv);
    size_t i, j;

    for (i = 0; i < h->n; i++) {
        bool known = false;

        for (j = 0; csv_cols[j]; j++)
            known = known || strcmp(h->field[i], csv_cols[j] + (csv_cols[j][0] == '?')) == 0;
        if (!known)
            return mc_err_set(err, MCRED_ERR_INVALID, "%.60s:%zu: unknown column '%.60s' (the "
                              "columns are " CSV_COLUMNS ")", t->file ? t->file->name : "input",
                              h->line, h->field[i]);
    }
    return MCRED_OK;
}

/* Pass 1 (relations false): the concepts; pass 2: their relations. */
static mcred_rc csv_pass(struct mc_fw *f, const char *data, size_t n, const char *name,
                         bool relations, struct mc_err *err)
{
    struct mc_table t;
    struct mc_csv_record rec;
    char where[96];
    enum mc_skill_kind kind;
    uint32_t id;
    size_t k;
    mcred_rc rc = mc_table_open_mem(&t, f, data, n, name, csv_cols, err);

    if (!rc)
        rc = csv_unknown_columns(&t, err);
    while (!rc) {
        rc = mc_table_next(&t, &rec, err);
        if (rc)
            break;
        mc_table_where(&t, &rec, where);
        if (relations) {
            id = mc_fw_find(f, mc_table_get(&t, &rec, K_URI));
            for (k = 0; k < 3 && !rc; k++)
                rc = relate(f, id, list_rel[k], mc_table_get(&t, &rec, K_BROADER + k), '|', NULL,
                            where, err);
            continue;
        }
        rc = kind_of(mc_table_get(&t, &rec, K_KIND), &kind, where, err);
        if (!rc)
            rc = mc_fw_concept(f, mc_table_get(&t, &rec, K_URI), kind,
                               mc_table_get(&t, &rec, K_LABEL), mc_table_get(&t, &rec, K_CODE),
                               mc_table_get(&t, &rec, K_DESC), where, &id, err);
        if (!rc)
            rc = mc_fw_alts(f, id, mc_table_get(&t, &rec, K_ALT), '|', err);
        if (rc && !strstr(err ? err->msg : "", where)) {
            char msg[MC_ERRMSG_MAX];

            mc_strlcpy(msg, err ? err->msg : "", sizeof(msg));
            rc = mc_err_set(err, rc, "%s: %.200s", where, msg);
        }
    }
    mc_table_close(&t);
    return rc == MCRED_ERR_NOTFOUND ? MCRED_OK : rc;
}

/* ---- JSON ----------------------------------------------------------------------- */

static const char *const json_members[] = {
    "uri", "label", "kind", "altLabels", "description", "code", "broader", "essential",
    "optional", NULL,
};

static mcred_rc json_str(const cJSON *o, const char *name, bool required, const char **out,
                         const char *where, struct mc_err *err)
{
    const cJSON *v = mc_json_get(o, name);

    *out = NULL;
    if (!v)
        return required ? mc_err_set(err, MCRED_ERR_INVALID, "%s.%s is missing", where, name)
                        : MCRED_OK;
    if (!cJSON_IsString(v))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected a string", where, name);
    *out = v->valuestring;
    return MCRED_OK;
}

static mcred_rc json_list(const cJSON *o, const char *name, const cJSON **out, const char *where,
                          struct mc_err *err)
{
    const cJSON *v = mc_json_get(o, name);

    *out = v;
    if (v && !cJSON_IsArray(v))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected an array of strings", where,
                          name);
    return MCRED_OK;
}

static mcred_rc json_concept(struct mc_fw *f, const cJSON *c, const char *where,
                             struct mc_err *err)
{
    const char *uri = NULL, *label = NULL, *kind_s = NULL, *desc = NULL, *code = NULL;
    const cJSON *alts = NULL, *m, *a;
    enum mc_skill_kind kind = MC_SK_SKILL;
    uint32_t id = 0;
    size_t i;
    mcred_rc rc;

    if (!cJSON_IsObject(c))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: expected an object", where);
    for (m = c->child; m; m = m->next) {
        bool known = false;

        for (i = 0; json_members[i]; i++)
            known = known || strcmp(m->string, json_members[i]) == 0;
        if (!known)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: unknown member '%.60s'", where,
                              m->string);
    }
    rc = json_str(c, "uri", true, &uri, where, err);
    if (!rc)
        rc = json_str(c, "label", true, &label, where, err);
    if (!rc)
        rc = json_str(c, "kind", false, &kind_s, where, err);
    if (!rc)
        rc = json_str(c, "description", false, &desc, where, err);
    if (!rc)
        rc = json_str(c, "code", false, &code, where, err);
    if (!rc)
        rc = json_list(c, "altLabels", &alts, where, err);
    if (!rc)
        rc = kind_of(kind_s, &kind, where, err);
    if (!rc)
        rc = mc_fw_concept(f, uri, kind, label, code, desc, where, &id, err);
    for (a = alts ? alts->child : NULL; !rc && a; a = a->next) {
        if (!cJSON_IsString(a))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.altLabels: expected strings", where);
        rc = mc_fw_alt(f, id, a->valuestring, strlen(a->valuestring), err);
    }
    if (rc && !strstr(err ? err->msg : "", where)) {
        char msg[MC_ERRMSG_MAX];

        mc_strlcpy(msg, err ? err->msg : "", sizeof(msg));
        rc = mc_err_set(err, rc, "%s: %.200s", where, msg);
    }
    return rc;
}

static mcred_rc json_relations(struct mc_fw *f, const cJSON *c, const char *where,
                               struct mc_err *err)
{
    static const char *const names[] = { "broader", "essential", "optional" };
    const cJSON *list;
    uint32_t id = mc_fw_find(f, mc_json_str(c, "uri"));
    size_t k;
    mcred_rc rc = MCRED_OK;

    for (k = 0; k < 3 && !rc; k++) {
        rc = json_list(c, names[k], &list, where, err);
        if (!rc && list)
            rc = relate(f, id, list_rel[k], NULL, 0, list, where, err);
    }
    return rc;
}

static mcred_rc read_json(const char *data, size_t n, const char *name, const char *file,
                          struct mc_fw **out, struct mc_err *err)
{
    const char *fname = NULL, *version = NULL, *title = NULL, *attribution = NULL;
    const cJSON *concepts, *c;
    cJSON *doc = NULL;
    struct mc_fw *f = NULL;
    char where[96];
    size_t i;
    mcred_rc rc = mc_json_parse(data, n, MC_SKILLS_MAX_CUSTOM, &doc, err);

    if (rc)
        return rc;
    if (!cJSON_IsObject(doc))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s: expected a JSON object", file);
    if (!rc)
        rc = json_str(doc, "name", false, &fname, file, err);
    if (!rc)
        rc = json_str(doc, "version", false, &version, file, err);
    if (!rc)
        rc = json_str(doc, "title", false, &title, file, err);
    if (!rc)
        rc = json_str(doc, "attribution", false, &attribution, file, err);
    concepts = mc_json_get(doc, "concepts");
    if (!rc && !cJSON_IsArray(concepts))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s: \"concepts\" must be an array", file);
    if (!rc && !name && !fname)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s: no framework name (give \"name\" or "
                        "--name)", file);
    if (!rc && mc_fw_new(&f, name ? name : fname, version, title, attribution))
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    for (i = 0, c = rc ? NULL : concepts->child; c; c = c->next, i++) {
        (void)snprintf(where, sizeof(where), "%.60s: concepts[%zu]", file, i);
        rc = json_concept(f, c, where, err);
        if (rc)
            break;
    }
    for (i = 0, c = rc ? NULL : concepts->child; c; c = c->next, i++) {
        (void)snprintf(where, sizeof(where), "%.60s: concepts[%zu]", file, i);
        rc = json_relations(f, c, where, err);
        if (rc)
            break;
    }
    cJSON_Delete(doc);
    if (rc) {
        mc_fw_free(f);
        return rc;
    }
    *out = f;
    return MCRED_OK;
}

/* ---- entry points --------------------------------------------------------------- */

mcred_rc mc_skills_read_custom_mem(const char *data, size_t n, bool json, const char *name,
                                   const char *file, struct mc_fw **out, struct mc_err *err)
{
    struct mc_fw *f = NULL;
    mcred_rc rc;

    *out = NULL;
    if (!file)
        file = json ? "input.json" : "input.csv";
    if (n > MC_SKILLS_MAX_CUSTOM)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%s is %zu bytes; the limit is %zu", file, n,
                          MC_SKILLS_MAX_CUSTOM);
    if (name && !mc_skills_custom_name_ok(name))
        return mc_err_set(err, MCRED_ERR_INVALID, "framework name '%.60s': use 1 to 40 of "
                          "a-z 0-9 _ -, not esco or onet", name);
    if (json) {
        rc = read_json(data, n, name, file, &f, err);
    } else {
        if (!name)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s: a CSV framework needs a name "
                              "(--name)", file);
        rc = mc_fw_new(&f, name, NULL, NULL, NULL) ? mc_err_set(err, MCRED_ERR_NOMEM, "out of "
                                                                "memory") : MCRED_OK;
        if (!rc)
            rc = csv_pass(f, data, n, file, false, err);
        if (!rc) {
            /* the second pass reads the file again: report it once */
            struct mc_fw_report *r = mc_fw_report(f);

            rc = csv_pass(f, data, n, file, true, err);
            if (r->nfiles == 2)
                r->nfiles = 1;
        }
    }
    if (!rc && !mc_skills_custom_name_ok(mc_fw_import(f)->name))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "framework name '%.60s': use 1 to 40 of "
                        "a-z 0-9 _ -, not esco or onet", mc_fw_import(f)->name);
    if (rc) {
        mc_fw_free(f);
        return rc;
    }
    *out = f;
    return MCRED_OK;
}

bool mc_skills_custom_name_ok(const char *name)
{
    size_t i;

    if (!name || strcmp(name, "esco") == 0 || strcmp(name, "onet") == 0)
        return false;
    for (i = 0; name[i]; i++) {
        char c = name[i];

        if (i >= 40 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                         c == '-'))
            return false;
    }
    return i > 0;
}
