/* skills.c - the skills verbs that reach the store for frameworks and text:
 * importing a framework read from files, search, the index of every skill
 * label (the extractor and the planner's universe), and job postings.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/skills.h"
#include "skills/text.h"
#include "util/buf.h"
#include "util/json.h"

/* ---- import ---------------------------------------------------------------------- */

struct write_progress {
    const struct mc_skills_progress *p;
};

static void on_write(void *ud, size_t done, size_t total)
{
    const struct write_progress *w = ud;

    w->p->fn(w->p->ud, "writing", done, total);
}

mcred_rc mc_skills_import(struct mc_store *st, struct mc_fw *f, const struct mc_skills_progress *p,
                          int64_t *framework_id, struct mc_err *err)
{
    struct mc_skill_import im = *mc_fw_import(f);
    struct write_progress w = { p };

    if (p && p->fn) {
        im.progress = on_write;
        im.progress_ud = &w;
    }
    return mc_store_skill_import(st, &im, framework_id, err);
}

mcred_rc mc_skills_read_custom(const char *path, const char *name, struct mc_fw **out,
                               struct mc_err *err)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    char chunk[65536], *data;
    struct mc_buf b;
    size_t n = 0, len;
    FILE *fp;
    bool json;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (!path)
        return mc_err_set(err, MCRED_ERR_INVALID, "no custom framework file given");
    base = base ? base + 1 : path;
    fp = fopen(path, "rb");
    if (!fp)
        return mc_err_set(err, MCRED_ERR_IO, "cannot open '%.200s'", path);
    mc_buf_init(&b, MC_SKILLS_MAX_CUSTOM);
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        rc = mc_buf_append(&b, chunk, n);
    if (!rc && ferror(fp))
        rc = MCRED_ERR_IO;
    (void)fclose(fp);
    if (rc) {
        mc_buf_release(&b);
        return mc_err_set(err, rc, rc == MCRED_ERR_LIMIT ? "'%.200s' is larger than the limit "
                          "of 64 MiB" : "cannot read '%.200s'", path);
    }
    data = mc_buf_take(&b, &n);
    if (!data)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory reading '%.200s'", path);
    len = strlen(base);
    json = len > 5 && strcmp(base + len - 5, ".json") == 0;
    for (len = 0; !json && len < n && strchr(" \t\r\n", data[len]); len++)
        ;
    json = json || (len < n && data[len] == '{');
    rc = mc_skills_read_custom_mem(data, n, json, name, base, out, err);
    mc_free(data);
    return rc;
}

/* ---- search ---------------------------------------------------------------------- */

/* The search words of text: its words, lowercase, without plural folding
 * (a prefix query finds the plurals), '&', '+' and '#' dropped. */
static mcred_rc search_words(const char *text, char *out, size_t cap)
{
    struct mc_tokenizer t;
    struct mc_word tok;
    size_t o = 0, i, words = 0;

    mc_tok_init(&t, text, strlen(text));
    t.fold = false;
    out[0] = '\0';
    while (mc_tok_next(&t, &tok) && words < 16) {
        size_t start = o;

        if (tok.too_long)
            continue;
        if (o && o + 1 < cap)
            out[o++] = ' ';
        for (i = 0; i < tok.len && o + 1 < cap; i++) {
            if (tok.text[i] != '&' && tok.text[i] != '+' && tok.text[i] != '#')
                out[o++] = tok.text[i];
        }
        if (o == start + (start > 0))
            o = start;    /* nothing left of this word */
        else
            words++;
        out[o] = '\0';
    }
    return o ? MCRED_OK : MCRED_ERR_INVALID;
}

mcred_rc mc_skills_search(struct mc_store *st, const char *text, const char *kinds,
                          size_t limit, struct mc_store_list *out, struct mc_err *err)
{
    char words[1001], norm[MC_STORE_MAX_TEXT + 1];

    memset(out, 0, sizeof(*out));
    if (!text || search_words(text, words, sizeof(words)))
        return mc_err_set(err, MCRED_ERR_INVALID, "search: '%.100s' has no word to look for",
                          text ? text : "");
    if (mc_text_norm(text, strlen(text), norm, sizeof(norm), NULL))
        norm[0] = '\0';
    return mc_store_skill_search(st, words, norm[0] ? norm : NULL, kinds, limit, out, err);
}

/* ---- the index --------------------------------------------------------------------- */

mcred_rc mc_skills_index_new(struct mc_skills_index **out)
{
    struct mc_skills_index *ix = mc_calloc(1, sizeof(*ix));

    *out = NULL;
    if (!ix)
        return MCRED_ERR_NOMEM;
    if (mc_intern_new(&ix->uris) || mc_intern_new(&ix->names) || mc_extractor_new(&ix->x)) {
        mc_skills_index_free(ix);
        return MCRED_ERR_NOMEM;
    }
    *out = ix;
    return MCRED_OK;
}

void mc_skills_index_free(struct mc_skills_index *ix)
{
    if (!ix)
        return;
    mc_intern_free(ix->uris);
    mc_intern_free(ix->names);
    mc_extractor_free(ix->x);
    mc_free(ix->name_of);
    mc_free(ix->kind_of);
    mc_free(ix);
}

mcred_rc mc_skills_index_add(struct mc_skills_index *ix, const char *uri, const char *label,
                             enum mc_skill_kind kind, bool pref)
{
    uint32_t id, name;
    bool added = false;
    mcred_rc rc = mc_intern_add(ix->uris, uri, strlen(uri), &id, &added);

    if (rc)
        return rc;
    if (added) {
        if (ix->n == ix->cap) {
            size_t cap = ix->cap ? ix->cap * 2 : 1024;
            uint32_t *names = mc_realloc(ix->name_of, cap * sizeof(*names));
            enum mc_skill_kind *kinds = names ? mc_realloc(ix->kind_of, cap * sizeof(*kinds))
                                              : NULL;

            if (names)
                ix->name_of = names;
            if (!kinds)
                return MCRED_ERR_NOMEM;
            ix->kind_of = kinds;
            ix->cap = cap;
        }
        ix->name_of[id] = MC_INTERN_NONE;
        ix->kind_of[id] = kind;
        ix->n++;
    }
    if (pref && ix->name_of[id] == MC_INTERN_NONE) {
        rc = mc_intern_add(ix->names, label, strlen(label), &name, NULL);
        if (rc)
            return rc;
        ix->name_of[id] = name;
    }
    return mc_extractor_add(ix->x, label, strlen(label), id, pref, NULL);
}

mcred_rc mc_skills_index_build(struct mc_skills_index *ix)
{
    return mc_extractor_build(ix->x);
}

const char *mc_skills_index_label(const struct mc_skills_index *ix, uint32_t id)
{
    if (id >= ix->n)
        return NULL;
    if (ix->name_of[id] == MC_INTERN_NONE)
        return mc_intern_str(ix->uris, id);
    return mc_intern_str(ix->names, ix->name_of[id]);
}

static mcred_rc on_label(void *ud, const struct mc_skill_label *l)
{
    return mc_skills_index_add(ud, l->uri, l->label, l->kind, l->pref);
}

mcred_rc mc_skills_index_load(struct mc_store *st, struct mc_skills_index **out,
                              struct mc_err *err)
{
    struct mc_skills_index *ix = NULL;
    mcred_rc rc = mc_skills_index_new(&ix);

    *out = NULL;
    if (rc)
        return mc_err_set(err, rc, "out of memory for the skills index");
    mc_err_clear(err);
    rc = mc_store_skill_label_scan(st, "skill,knowledge,technology", on_label, ix, err);
    if (rc && err && !err->msg[0])
        mc_err_set(err, rc, "cannot load the skill labels");
    if (!rc && ix->n == 0)
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "no skills framework is imported (mcred "
                        "skills import esco|onet|custom ...)");
    if (!rc) {
        rc = mc_skills_index_build(ix);
        if (rc)
            mc_err_set(err, rc, "out of memory building the skills index");
    }
    if (rc) {
        mc_skills_index_free(ix);
        return rc;
    }
    *out = ix;
    return MCRED_OK;
}

mcred_rc mc_skills_extract(const struct mc_skills_index *ix, const char *text, size_t n,
                           struct mc_hits *out, struct mc_err *err)
{
    return mc_extractor_run(ix->x, text, n, out, err);
}

/* ---- job postings ------------------------------------------------------------------ */

/* The skills of one posting, counted per concept, stored. */
static mcred_rc store_posting(struct mc_store *st, const struct mc_skills_index *ix,
                              const char *ref, const char *title, const struct mc_hits *h,
                              struct mc_postings_report *rep, struct mc_err *err)
{
    const char **uris = NULL;
    int64_t *hits = NULL, id = 0;
    size_t i, j, n = 0;
    mcred_rc rc = MCRED_OK;

    if (h->n) {
        uris = mc_allocarray(h->n, sizeof(*uris));
        hits = mc_allocarray(h->n, sizeof(*hits));
    }
    if (h->n && (!uris || !hits)) {
        mc_free(uris);
        mc_free(hits);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory storing postings");
    }
    for (i = 0; uris && hits && i < h->n; i++) {
        const char *uri = mc_intern_str(ix->uris, h->v[i].concept);

        for (j = 0; j < n && strcmp(uris[j], uri) != 0; j++)
            ;
        if (j == n) {
            uris[n] = uri;
            hits[n++] = 0;
        }
        hits[j]++;
    }
    if (!rc)
        rc = mc_store_skill_posting_put(st, ref, title, uris, hits, n, 0, &id, err);
    if (!rc) {
        rep->postings++;
        rep->mentions += h->n;
        rep->without_skills += n == 0;
    }
    mc_free(uris);
    mc_free(hits);
    return rc;
}

static mcred_rc posting_line(struct mc_store *st, const struct mc_skills_index *ix,
                             const char *line, size_t n, const char *where, struct mc_hits *h,
                             struct mc_postings_report *rep, struct mc_err *err)
{
    struct mc_err e;
    cJSON *doc = NULL;
    const char *id, *title, *text;
    mcred_rc rc;

    mc_err_clear(&e);
    rc = mc_json_parse(line, n, MC_EXTRACT_MAX_TEXT + 65536, &doc, &e);
    if (rc || !doc)
        return mc_err_set(err, rc ? rc : MCRED_ERR_INVALID, "%s: %s", where, e.msg);
    id = mc_json_str(doc, "id");
    text = mc_json_str(doc, "text");
    title = mc_json_str(doc, "title");
    if (!cJSON_IsObject(doc) || !id || !id[0] || !text)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s: a posting is an object with a string "
                        "\"id\" and a string \"text\"", where);
    if (!rc && mc_json_get(doc, "title") && !title)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%s: \"title\" must be a string", where);
    if (!rc) {
        rc = mc_skills_extract(ix, text, strlen(text), h, &e);
        if (rc == MCRED_ERR_INVALID) {
            h->n = 0;            /* an empty text: a posting without skills */
            rc = MCRED_OK;
        } else if (rc) {
            rc = mc_err_set(err, rc, "%s: posting '%.100s': %s", where, id, e.msg);
        }
    }
    if (!rc)
        rc = store_posting(st, ix, id, title, h, rep, err);
    cJSON_Delete(doc);
    return rc;
}

static bool blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    }
    return true;
}

mcred_rc mc_skills_postings_import(struct mc_store *st, const struct mc_skills_index *ix,
                                   const char *data, size_t n, const char *file,
                                   struct mc_postings_report *rep, struct mc_err *err)
{
    struct mc_hits h;
    char where[96];
    size_t pos = 0, line = 0, len;
    const char *nl;
    mcred_rc rc;

    memset(rep, 0, sizeof(*rep));
    memset(&h, 0, sizeof(h));
    if (!file)
        file = "postings";
    if (n > MC_SKILLS_MAX_POSTINGS)
        return mc_err_set(err, MCRED_ERR_LIMIT, "%.80s is %zu bytes; the limit is %zu", file, n,
                          MC_SKILLS_MAX_POSTINGS);
    rc = mc_store_begin(st, err);
    while (!rc && pos < n) {
        nl = memchr(data + pos, '\n', n - pos);
        len = nl ? (size_t)(nl - (data + pos)) : n - pos;
        line++;
        (void)snprintf(where, sizeof(where), "%.80s:%zu", file, line);
        if (len > MC_EXTRACT_MAX_TEXT + 65536)
            rc = mc_err_set(err, MCRED_ERR_LIMIT, "%s: the line is %zu bytes; a posting may "
                            "have at most %zu bytes of text", where, len, MC_EXTRACT_MAX_TEXT);
        else if (!blank(data + pos, len))
            rc = posting_line(st, ix, data + pos, len, where, &h, rep, err);
        pos += len + 1;
    }
    if (!rc && rep->postings == 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%.80s: no postings", file);
    if (!rc)
        rc = mc_store_commit(st, err);
    if (rc) {
        (void)mc_store_rollback(st);
        memset(rep, 0, sizeof(*rep));
    }
    mc_hits_release(&h);
    return rc;
}
