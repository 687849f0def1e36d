/* iri.c - absolute-IRI test and reference resolution (RFC 3986 §5.2) for
 * JSON-LD context processing, expansion and toRdf.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "jsonld/iri.h"

/* The components of an IRI reference; lengths index into the source. */
struct iri_parts {
    const char *scheme;
    size_t scheme_len;  /* 0: no scheme */
    const char *auth;
    size_t auth_len;
    bool has_auth;
    const char *path;
    size_t path_len;
    const char *query;
    size_t query_len;
    bool has_query;
    const char *frag;
    size_t frag_len;
    bool has_frag;
};

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the scheme of s (the characters before ':'), or 0 if none. */
static size_t scheme_len(const char *s)
{
    size_t i;

    if (!is_alpha(s[0]))
        return 0;
    for (i = 1; s[i]; i++) {
        char c = s[i];

        if (c == ':')
            return i;
        if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

bool mc_iri_is_absolute(const char *s)
{
    return s && scheme_len(s) > 0;
}

bool mc_iri_is_valid(const char *s)
{
    const unsigned char *p;

    if (!mc_iri_is_absolute(s))
        return false;
    for (p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p))
            return false;
    }
    return true;
}

static void split(const char *s, struct iri_parts *p)
{
    size_t n;

    memset(p, 0, sizeof(*p));
    n = scheme_len(s);
    if (n) {
        p->scheme = s;
        p->scheme_len = n;
        s += n + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        p->has_auth = true;
        p->auth = s;
        p->auth_len = strcspn(s, "/?#");
        s += p->auth_len;
    }
    p->path = s;
    p->path_len = strcspn(s, "?#");
    s += p->path_len;
    if (*s == '?') {
        s++;
        p->has_query = true;
        p->query = s;
        p->query_len = strcspn(s, "#");
        s += p->query_len;
    }
    if (*s == '#') {
        p->has_frag = true;
        p->frag = s + 1;
        p->frag_len = strlen(s + 1);
    }
}

/* Drop the last segment (and its leading '/') of out[start..). */
static void pop_segment(struct mc_buf *out, size_t start)
{
    while (out->len > start && out->ptr[out->len - 1] != '/')
        out->len--;
    if (out->len > start)
        out->len--;
    if (out->ptr)
        out->ptr[out->len] = '\0';
}

static bool prefix_is(const char *in, size_t n, const char *lit)
{
    size_t k = strlen(lit);

    return n >= k && memcmp(in, lit, k) == 0;
}

static bool equals(const char *in, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(in, lit, n) == 0;
}

/* RFC 3986 §5.2.4 remove_dot_segments over a private copy of the path, so the
 * "replace the prefix with '/'" steps can write into it. */
static mcred_rc remove_dots(const char *path, size_t len, struct mc_buf *out)
{
    char *in = mc_strndup(path, len);
    size_t i = 0, start = out->len;
    mcred_rc rc = MCRED_OK;

    if (!in)
        return MCRED_ERR_NOMEM;
    while (i < len && rc == MCRED_OK) {
        const char *s = in + i;
        size_t n = len - i, seg;

        if (prefix_is(s, n, "../")) {
            i += 3;
        } else if (prefix_is(s, n, "./") || prefix_is(s, n, "/./")) {
            i += 2;  /* "/./" becomes "/" */
        } else if (equals(s, n, "/.")) {
            i += 1;
            in[i] = '/';
        } else if (prefix_is(s, n, "/../")) {
            i += 3;
            pop_segment(out, start);
        } else if (equals(s, n, "/..")) {
            i += 2;
            in[i] = '/';
            pop_segment(out, start);
        } else if (equals(s, n, ".") || equals(s, n, "..")) {
            i = len;
        } else {
            seg = s[0] == '/' ? 1 : 0;
            while (seg < n && s[seg] != '/')
                seg++;
            rc = mc_buf_append(out, s, seg);
            i += seg;
        }
    }
    mc_free(in);
    return rc;
}

/* RFC 3986 §5.2.3: the base path up to its last '/', then the reference path. */
static mcred_rc merge_paths(const struct iri_parts *b, const struct iri_parts *r,
                            struct mc_buf *tmp)
{
    size_t k;

    if (b->has_auth && b->path_len == 0) {
        if (mc_buf_appendc(tmp, '/'))
            return MCRED_ERR_NOMEM;
    } else {
        k = b->path_len;
        while (k > 0 && b->path[k - 1] != '/')
            k--;
        if (mc_buf_append(tmp, b->path, k))
            return MCRED_ERR_NOMEM;
    }
    return mc_buf_append(tmp, r->path, r->path_len);
}

static mcred_rc put_scheme_auth(const struct iri_parts *p, struct mc_buf *out)
{
    mcred_rc rc = mc_buf_append(out, p->scheme, p->scheme_len);

    if (!rc)
        rc = mc_buf_appendc(out, ':');
    if (!rc && p->has_auth) {
        rc = mc_buf_append(out, "//", 2);
        if (!rc)
            rc = mc_buf_append(out, p->auth, p->auth_len);
    }
    return rc;
}

static mcred_rc put_query_frag(const struct iri_parts *q, const struct iri_parts *f,
                               struct mc_buf *out)
{
    mcred_rc rc = MCRED_OK;

    if (q && q->has_query) {
        rc = mc_buf_appendc(out, '?');
        if (!rc)
            rc = mc_buf_append(out, q->query, q->query_len);
    }
    if (!rc && f->has_frag) {
        rc = mc_buf_appendc(out, '#');
        if (!rc)
            rc = mc_buf_append(out, f->frag, f->frag_len);
    }
    return rc;
}

mcred_rc mc_iri_resolve_buf(const char *base, const char *ref, struct mc_buf *out)
{
    struct iri_parts b, r;
    struct mc_buf tmp;
    mcred_rc rc;

    if (!base || !mc_iri_is_absolute(base))
        return mc_buf_appends(out, ref);
    split(ref, &r);
    if (r.scheme_len) {
        rc = put_scheme_auth(&r, out);
        if (!rc)
            rc = remove_dots(r.path, r.path_len, out);
        return rc ? rc : put_query_frag(&r, &r, out);
    }
    split(base, &b);
    if (r.has_auth) {
        b.has_auth = true;
        b.auth = r.auth;
        b.auth_len = r.auth_len;
        rc = put_scheme_auth(&b, out);
        if (!rc)
            rc = remove_dots(r.path, r.path_len, out);
        return rc ? rc : put_query_frag(&r, &r, out);
    }
    rc = put_scheme_auth(&b, out);
    if (rc)
        return rc;
    if (r.path_len == 0) {
        rc = mc_buf_append(out, b.path, b.path_len);
        return rc ? rc : put_query_frag(r.has_query ? &r : &b, &r, out);
    }
    if (r.path[0] == '/') {
        rc = remove_dots(r.path, r.path_len, out);
        return rc ? rc : put_query_frag(&r, &r, out);
    }
    mc_buf_init(&tmp, out->max);
    rc = merge_paths(&b, &r, &tmp);
    if (!rc)
        rc = remove_dots(tmp.ptr, tmp.len, out);
    mc_buf_release(&tmp);
    return rc ? rc : put_query_frag(&r, &r, out);
}

char *mc_iri_resolve(const char *base, const char *ref)
{
    struct mc_buf out;

    mc_buf_init(&out, 0);
    if (mc_iri_resolve_buf(base, ref, &out)) {
        mc_buf_release(&out);
        return NULL;
    }
    return mc_buf_take(&out, NULL);
}
