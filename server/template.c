/* template.c - the pages' template renderer (template.h): a mustache-like
 * language over a cJSON context whose every value goes through
 * srv_html_escape; and the lookup of embedded web assets.
 * Work is bounded: templates are our own (checked at build time by
 * scripts/embed-web.py), sections nest at most TMPL_MAX_DEPTH deep and
 * partials TMPL_MAX_PARTIALS deep, and a section repeats once per element of
 * a context array, which the pages build with bounded lists.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "server.h"
#include "template.h"
#include "web_assets.h"

#define TMPL_MAX_DEPTH 16
#define TMPL_MAX_PARTIALS 4
#define TMPL_MAX_NAME 64

const struct web_asset *web_asset_find(const char *name)
{
    size_t i;

    for (i = 0; i < web_assets_n; i++) {
        if (strcmp(web_assets[i].name, name) == 0)
            return &web_assets[i];
    }
    return NULL;
}

struct run {
    struct mc_buf *out;
    const cJSON *stack[TMPL_MAX_DEPTH + 1];   /* [0] the root context */
    size_t depth;                             /* entries used */
    int partials;                             /* partials being rendered */
    struct mc_err *err;
};

/* A tag in the text: kind 0 (a value), '#', '^', '/', '>' or '!'. */
struct tag {
    char kind;
    const char *name;       /* trimmed, not NUL-terminated */
    size_t len;
    const char *start;      /* at "{{" */
    const char *end;        /* after "}}" */
};

static const char *find2(const char *p, const char *e, char c)
{
    for (; p + 1 < e; p++) {
        if (p[0] == c && p[1] == c)
            return p;
    }
    return NULL;
}

static bool next_tag(const char *p, const char *e, struct tag *t)
{
    const char *open = find2(p, e, '{'), *close, *n, *ne;

    if (!open)
        return false;
    close = find2(open + 2, e, '}');
    if (!close)
        return false;
    n = open + 2;
    t->kind = 0;
    if (n < close && (*n == '#' || *n == '^' || *n == '/' || *n == '>' || *n == '!'))
        t->kind = *n++;
    while (n < close && (*n == ' ' || *n == '\n' || *n == '\t'))
        n++;
    ne = close;
    while (ne > n && (ne[-1] == ' ' || ne[-1] == '\n' || ne[-1] == '\t'))
        ne--;
    t->name = n;
    t->len = (size_t)(ne - n);
    t->start = open;
    t->end = close + 2;
    return true;
}

static mcred_rc bad(struct run *r, const char *what, const struct tag *t)
{
    return mc_err_set(r->err, MCRED_ERR_INTERNAL, "template: %s '%.*s'", what,
                      (int)(t->len < 60 ? t->len : 60), t->name);
}

/* The value of a (dotted) name: its first part from the innermost frame
 * that has it, then down the rest; "." is the innermost frame itself. */
static const cJSON *lookup(const struct run *r, const char *name, size_t len)
{
    char key[TMPL_MAX_NAME];
    const cJSON *v = NULL;
    size_t i, seg;

    if (len == 1 && name[0] == '.')
        return r->stack[r->depth - 1];
    if (len >= sizeof(key))
        return NULL;
    memcpy(key, name, len);
    key[len] = '\0';
    seg = strcspn(key, ".");
    key[seg] = '\0';
    for (i = r->depth; i-- > 0 && !v;)
        v = mc_json_get(r->stack[i], key);
    while (v && seg < len) {
        char *part = key + seg + 1;

        seg += 1 + strcspn(part, ".");
        key[seg < len ? seg : len] = '\0';
        v = mc_json_get(v, part);
    }
    return v;
}

static bool truthy(const cJSON *v)
{
    if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v))
        return false;
    if (cJSON_IsString(v))
        return v->valuestring && v->valuestring[0];
    if (cJSON_IsArray(v))
        return v->child != NULL;
    return true;
}

/* Write a value: strings escaped, numbers as numbers, booleans as words;
 * objects, arrays and null write nothing. */
static mcred_rc emit(struct run *r, const cJSON *v)
{
    mcred_rc rc = MCRED_OK;

    if (!v)
        return MCRED_OK;
    if (cJSON_IsString(v)) {
        rc = srv_html_escape(r->out, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;

        if (d == (double)(long long)d && d > -1e15 && d < 1e15)
            rc = mc_buf_printf(r->out, "%lld", (long long)d);
        else
            rc = mc_buf_printf(r->out, "%g", d);
    } else if (cJSON_IsBool(v)) {
        rc = mc_buf_appends(r->out, cJSON_IsTrue(v) ? "true" : "false");
    }
    return rc ? mc_err_set(r->err, rc, "template: the page is too large") : MCRED_OK;
}

/* The {{/name}} closing the section that opened just before p. */
static bool find_close(const char *p, const char *e, const struct tag *open, struct tag *close)
{
    int depth = 0;

    while (next_tag(p, e, close)) {
        if (close->kind == '#' || close->kind == '^') {
            depth++;
        } else if (close->kind == '/') {
            if (depth == 0)
                return close->len == open->len && memcmp(close->name, open->name,
                                                         open->len) == 0;
            depth--;
        }
        p = close->end;
    }
    return false;
}

static mcred_rc render(struct run *r, const char *p, const char *e);

static mcred_rc push_render(struct run *r, const cJSON *frame, const char *p, const char *e,
                            const struct tag *t)
{
    mcred_rc rc;

    if (r->depth > TMPL_MAX_DEPTH)
        return bad(r, "sections nested too deep at", t);
    r->stack[r->depth++] = frame;
    rc = render(r, p, e);
    r->depth--;
    return rc;
}

static mcred_rc section(struct run *r, const struct tag *t, const char *p, const char *e,
                        const char **after)
{
    struct tag close;
    const cJSON *v, *el;
    mcred_rc rc = MCRED_OK;

    if (!find_close(p, e, t, &close))
        return bad(r, "unclosed section", t);
    *after = close.end;
    v = lookup(r, t->name, t->len);
    if (t->kind == '^')
        return truthy(v) ? MCRED_OK : render(r, p, close.start);
    if (!truthy(v))
        return MCRED_OK;
    if (!cJSON_IsArray(v))
        return push_render(r, v, p, close.start, t);
    cJSON_ArrayForEach(el, v) {
        rc = push_render(r, el, p, close.start, t);
        if (rc)
            break;
    }
    return rc;
}

static mcred_rc partial(struct run *r, const struct tag *t)
{
    char name[TMPL_MAX_NAME + 32];
    const struct web_asset *a;
    mcred_rc rc;

    if (t->len >= TMPL_MAX_NAME)
        return bad(r, "partial name too long", t);
    snprintf(name, sizeof(name), "templates/%.*s.html", (int)t->len, t->name);
    a = web_asset_find(name);
    if (!a)
        return bad(r, "no partial", t);
    if (r->partials >= TMPL_MAX_PARTIALS)
        return bad(r, "partials nested too deep at", t);
    r->partials++;
    rc = render(r, a->data, a->data + a->len);
    r->partials--;
    return rc;
}

static mcred_rc render(struct run *r, const char *p, const char *e)
{
    struct tag t;
    mcred_rc rc = MCRED_OK;

    while (!rc && p < e) {
        if (!next_tag(p, e, &t)) {
            rc = mc_buf_append(r->out, p, (size_t)(e - p));
            if (rc)
                return mc_err_set(r->err, rc, "template: the page is too large");
            break;
        }
        rc = mc_buf_append(r->out, p, (size_t)(t.start - p));
        if (rc)
            return mc_err_set(r->err, rc, "template: the page is too large");
        p = t.end;
        switch (t.kind) {
        case '!':
            break;
        case '>':
            rc = partial(r, &t);
            break;
        case '#':
        case '^':
            rc = section(r, &t, t.end, e, &p);
            break;
        case '/':
            rc = bad(r, "stray close of", &t);
            break;
        default:
            rc = emit(r, lookup(r, t.name, t.len));
            break;
        }
    }
    return rc;
}

mcred_rc tmpl_render_text(const char *t, size_t n, const cJSON *ctx, struct mc_buf *out,
                          struct mc_err *err)
{
    struct run r;

    memset(&r, 0, sizeof(r));
    r.out = out;
    r.err = err;
    r.stack[0] = ctx;
    r.depth = 1;
    return render(&r, t, t + n);
}

mcred_rc tmpl_render(const char *name, const cJSON *ctx, struct mc_buf *out, struct mc_err *err)
{
    char path[TMPL_MAX_NAME + 32];
    const struct web_asset *a;

    if (strlen(name) >= TMPL_MAX_NAME)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "template: no template '%.60s'", name);
    snprintf(path, sizeof(path), "templates/%s.html", name);
    a = web_asset_find(path);
    if (!a)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "template: no template '%s'", name);
    return tmpl_render_text(a->data, a->len, ctx, out, err);
}
