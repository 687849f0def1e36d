/* nquads.c - the RDF 1.1 N-Quads parser: one statement per line, terms
 * unescaped into the dataset's string storage. Bounded by input size and the
 * dataset's quad limit; errors give the line and column (in characters).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "jsonld/rdf.h"

struct nq {
    const char *p;           /* next byte */
    const char *end;         /* one past the input */
    const char *line_start;  /* first byte of the current line */
    size_t line;             /* 1-based */
    struct mc_rdf_dataset *d;
    struct mc_buf tmp;       /* the token being unescaped */
    struct mc_err *err;
};

/* Record "line L, column C: what" for position at and return rc. */
static mcred_rc fail_at(struct nq *st, mcred_rc rc, const char *at, const char *fmt, ...)
    MC_PRINTF(4, 5);

static mcred_rc fail_at(struct nq *st, mcred_rc rc, const char *at, const char *fmt, ...)
{
    char what[200];
    size_t col = 1;
    const char *q;
    va_list ap;

    for (q = st->line_start; q < at; q++)
        col += ((unsigned char)*q & 0xc0) != 0x80;
    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return mc_err_set(st->err, rc, "N-Quads line %zu, column %zu: %s", st->line, col, what);
}

/* Decode the UTF-8 sequence at p (before end) into *cp; its length, or 0
 * when it is not well-formed (overlong, surrogate, past U+10FFFF, cut). */
static size_t utf8_dec(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    unsigned c = p[0];
    size_t k, j;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        k = 1;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 2;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 3;
        v = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) <= k)
        return 0;
    for (j = 1; j <= k; j++) {
        if ((p[j] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[j] & 0x3f);
    }
    if ((k == 2 && v < 0x800) || (k == 3 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return k + 1;
}

/* Append code point cp as UTF-8; U+0000 becomes C0 80 (see rdf.h). */
static mcred_rc put_cp(struct mc_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp == 0) {
        u[0] = (char)0xc0;
        u[1] = (char)0x80;
        n = 2;
    } else if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return mc_buf_append(b, u, n);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* UCHAR at st->p (pointing at the backslash, followed by u or U): decode
 * into *cp and advance past it. */
static mcred_rc uchar(struct nq *st, uint32_t *cp)
{
    const char *at = st->p;
    size_t n = at[1] == 'u' ? 4 : 8, i;
    uint32_t v = 0;

    *cp = 0;
    if ((size_t)(st->end - at) < 2 + n)
        return fail_at(st, MCRED_ERR_INVALID, at, "truncated \\%c escape", at[1]);
    for (i = 0; i < n; i++) {
        int h = hexval(at[2 + i]);

        if (h < 0)
            return fail_at(st, MCRED_ERR_INVALID, at, "bad hex digit in \\%c escape", at[1]);
        v = v << 4 | (uint32_t)h;
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return fail_at(st, MCRED_ERR_INVALID, at, "escape \\%c%.*s is not a Unicode scalar value",
                       at[1], (int)n, at + 2);
    *cp = v;
    st->p += 2 + n;
    return MCRED_OK;
}

static void skip_ws(struct nq *st)
{
    while (st->p < st->end && (*st->p == ' ' || *st->p == '\t'))
        st->p++;
}

static bool at_eol(const struct nq *st)
{
    return st->p == st->end || *st->p == '\n' || *st->p == '\r';
}

/* Characters an IRIREF may not hold raw (nor, here, through UCHAR). */
static bool iri_bad(uint32_t c)
{
    return c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' ||
           c == '^' || c == '`' || c == '\\';
}

/* An absolute IRI starts with a scheme: ALPHA *( ALPHA / DIGIT / + - . ) ":". */
static bool has_scheme(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (s++; *s && *s != ':'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'))
            return false;
    }
    return *s == ':';
}

/* IRIREF at st->p ('<'): *out is the interned, unescaped IRI. It holds no
 * byte the N-Quads writer escapes (those are refused, raw or escaped), so the
 * callers mark it MC_RDF_PLAIN. */
static mcred_rc parse_iri(struct nq *st, const char **out)
{
    const char *start = st->p;
    mcred_rc rc;

    mc_buf_reset(&st->tmp);
    st->p++;
    for (;;) {
        const char *run = st->p;
        uint32_t cp;

        while (st->p < st->end && !iri_bad((unsigned char)*st->p))
            st->p++;
        rc = mc_buf_append(&st->tmp, run, (size_t)(st->p - run));
        if (rc)
            return rc;
        if (st->p == st->end || *st->p == '\n' || *st->p == '\r')
            return fail_at(st, MCRED_ERR_INVALID, start, "unterminated IRI");
        if (*st->p == '>')
            break;
        if (*st->p != '\\')
            return fail_at(st, MCRED_ERR_INVALID, st->p, "character '%c' (U+%04X) not allowed "
                           "in an IRI", *st->p >= ' ' ? *st->p : '?', (unsigned char)*st->p);
        if (st->p + 1 == st->end || (st->p[1] != 'u' && st->p[1] != 'U'))
            return fail_at(st, MCRED_ERR_INVALID, st->p, "only \\u and \\U escapes are allowed "
                           "in an IRI");
        run = st->p;
        rc = uchar(st, &cp);
        if (rc)
            return rc;
        if (iri_bad(cp))
            return fail_at(st, MCRED_ERR_INVALID, run, "escape for U+%04X, a character not "
                           "allowed in an IRI", (unsigned)cp);
        rc = put_cp(&st->tmp, cp);
        if (rc)
            return rc;
    }
    st->p++;
    if (!has_scheme(st->tmp.ptr ? st->tmp.ptr : ""))
        return fail_at(st, MCRED_ERR_INVALID, start, "IRI <%.60s> is not absolute",
                       st->tmp.ptr ? st->tmp.ptr : "");
    *out = mc_rdf_intern(st->d, st->tmp.ptr ? st->tmp.ptr : "", st->tmp.len);
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

/* PN_CHARS_BASE, PN_CHARS_U and PN_CHARS of the N-Quads grammar. */
static bool pn_base(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xc0 && c <= 0xd6) ||
           (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
           (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) ||
           (c >= 0x200c && c <= 0x200d) || (c >= 0x2070 && c <= 0x218f) ||
           (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
           (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) ||
           (c >= 0x10000 && c <= 0xeffff);
}

static bool pn_chars_u(uint32_t c)
{
    return pn_base(c) || c == '_' || c == ':';
}

static bool pn_chars(uint32_t c)
{
    return pn_chars_u(c) || c == '-' || (c >= '0' && c <= '9') || c == 0xb7 ||
           (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

/* BLANK_NODE_LABEL at st->p ('_'): *out is the interned label without "_:". */
static mcred_rc parse_bnode(struct nq *st, const char **out)
{
    const unsigned char *p = (const unsigned char *)st->p + 2;
    const unsigned char *end = (const unsigned char *)st->end, *last;
    uint32_t c = 0;
    size_t k;

    if (st->end - st->p < 2 || st->p[1] != ':')
        return fail_at(st, MCRED_ERR_INVALID, st->p, "expected '_:' to start a blank node");
    k = p < end ? utf8_dec(p, end, &c) : 0;
    if (!k || !(pn_chars_u(c) || (c >= '0' && c <= '9')))
        return fail_at(st, MCRED_ERR_INVALID, (const char *)p, "bad first character of a "
                       "blank node label");
    p += k;
    last = p;  /* one past the last character that may end the label */
    while (p < end) {
        k = utf8_dec(p, end, &c);
        if (!k || !(pn_chars(c) || c == '.'))
            break;
        p += k;
        if (c != '.')
            last = p;
    }
    /* a label does not end with '.': what follows belongs to the statement */
    *out = mc_rdf_intern(st->d, st->p + 2, (size_t)((const char *)last - st->p - 2));
    st->p = (const char *)last;
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

/* LANGTAG after '@' at st->p: [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*. */
static mcred_rc parse_lang(struct nq *st, const char **out)
{
    const char *start = ++st->p;
    bool first = true;

    for (;;) {
        const char *seg = st->p;

        while (st->p < st->end && ((*st->p >= 'a' && *st->p <= 'z') ||
                                   (*st->p >= 'A' && *st->p <= 'Z') ||
                                   (!first && *st->p >= '0' && *st->p <= '9')))
            st->p++;
        if (st->p == seg)
            return fail_at(st, MCRED_ERR_INVALID, seg, "malformed language tag");
        first = false;
        if (st->p + 1 < st->end && *st->p == '-')
            st->p++;
        else
            break;
    }
    *out = mc_rdf_intern(st->d, start, (size_t)(st->p - start));
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

/* ECHAR or UCHAR in a literal at st->p ('\\'): append its character. */
static mcred_rc lit_escape(struct nq *st)
{
    uint32_t cp = 0;
    char c;
    mcred_rc rc;

    if (st->p + 1 == st->end)
        return fail_at(st, MCRED_ERR_INVALID, st->p, "unterminated literal");
    switch (st->p[1]) {
    case 't': c = '\t'; break;
    case 'b': c = '\b'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 'f': c = '\f'; break;
    case '"': c = '"'; break;
    case '\'': c = '\''; break;
    case '\\': c = '\\'; break;
    case 'u':
    case 'U':
        rc = uchar(st, &cp);
        return rc ? rc : put_cp(&st->tmp, cp);
    default:
        return fail_at(st, MCRED_ERR_INVALID, st->p, "invalid escape '\\%c' in a literal",
                       st->p[1] > ' ' && (unsigned char)st->p[1] < 0x7f ? st->p[1] : '?');
    }
    st->p += 2;
    return mc_buf_appendc(&st->tmp, c);
}

/* literal at st->p ('"'): the lexical form, then @lang or ^^<datatype>. */
static mcred_rc parse_literal(struct nq *st, struct mc_rdf_term *t)
{
    const char *start = st->p;
    mcred_rc rc;

    mc_buf_reset(&st->tmp);
    st->p++;
    for (;;) {
        const char *run = st->p;

        while (st->p < st->end && *st->p != '"' && *st->p != '\\' && *st->p != '\n' &&
               *st->p != '\r' && *st->p != '\0')
            st->p++;
        rc = mc_buf_append(&st->tmp, run, (size_t)(st->p - run));
        if (rc)
            return rc;
        if (st->p == st->end || *st->p == '\n' || *st->p == '\r')
            return fail_at(st, MCRED_ERR_INVALID, start, "unterminated literal");
        if (*st->p == '"')
            break;
        if (*st->p == '\0') {
            rc = put_cp(&st->tmp, 0);  /* a raw NUL: stored as C0 80 */
            st->p++;
        } else {
            rc = lit_escape(st);
        }
        if (rc)
            return rc;
    }
    st->p++;
    t->kind = MC_RDF_LITERAL;
    t->datatype = NULL;
    t->lang = NULL;
    t->value = mc_rdf_intern(st->d, st->tmp.ptr ? st->tmp.ptr : "", st->tmp.len);
    if (!t->value)
        return MCRED_ERR_NOMEM;
    if (st->p < st->end && *st->p == '@')
        return parse_lang(st, &t->lang);
    if (st->end - st->p >= 2 && st->p[0] == '^' && st->p[1] == '^') {
        st->p += 2;
        if (st->p == st->end || *st->p != '<')
            return fail_at(st, MCRED_ERR_INVALID, st->p, "expected a datatype IRI after '^^'");
        rc = parse_iri(st, &t->datatype);
        if (rc)
            return rc;
        t->flags |= MC_RDF_PLAIN_DT;
        if (strcmp(t->datatype, MC_RDF_XSD_STRING) == 0)
            t->datatype = NULL;
    }
    return MCRED_OK;
}

/* One term at st->p. allow: bit 1 IRI, 2 blank node, 4 literal. */
static mcred_rc parse_term(struct nq *st, struct mc_rdf_term *t, unsigned allow,
                           const char *what)
{
    char c = '\n';
    mcred_rc rc;

    if (st->p < st->end)
        c = *st->p;
    memset(t, 0, sizeof(*t));
    if (c == '<' && (allow & 1)) {
        t->kind = MC_RDF_IRI;
        t->flags = MC_RDF_PLAIN;
        rc = parse_iri(st, &t->value);
    } else if (c == '_' && (allow & 2)) {
        t->kind = MC_RDF_BLANK;
        rc = parse_bnode(st, &t->value);
    } else if (c == '"' && (allow & 4)) {
        rc = parse_literal(st, t);
    } else {
        return fail_at(st, MCRED_ERR_INVALID, st->p, "expected %s", what);
    }
    if (!rc)
        skip_ws(st);
    return rc;
}

static void skip_comment(struct nq *st)
{
    while (!at_eol(st))
        st->p++;
}

/* A statement starting at st->p (not whitespace, not EOL, not '#'). */
static mcred_rc parse_statement(struct nq *st)
{
    struct mc_rdf_quad q;
    mcred_rc rc;

    rc = parse_term(st, &q.s, 3, "a subject (IRI or blank node)");
    if (!rc)
        rc = parse_term(st, &q.p, 1, "a predicate IRI");
    if (!rc)
        rc = parse_term(st, &q.o, 7, "an object (IRI, blank node or literal)");
    if (rc)
        return rc;
    memset(&q.g, 0, sizeof(q.g));
    if (st->p < st->end && (*st->p == '<' || *st->p == '_')) {
        rc = parse_term(st, &q.g, 3, "a graph name");
        if (rc)
            return rc;
    }
    if (st->p == st->end || *st->p != '.')
        return fail_at(st, MCRED_ERR_INVALID, st->p, "expected '.' to end the statement");
    st->p++;
    skip_ws(st);
    if (st->p < st->end && *st->p == '#')
        skip_comment(st);
    if (!at_eol(st))
        return fail_at(st, MCRED_ERR_INVALID, st->p, "unexpected text after the statement");
    rc = mc_rdf_add(st->d, &q);
    if (rc == MCRED_ERR_LIMIT)
        return fail_at(st, rc, st->line_start, "more than %zu quads",
                       st->d->max_quads ? st->d->max_quads : (size_t)MC_RDF_MAX_QUADS);
    return rc;
}

/* Find the first byte that is not well-formed UTF-8; n when none. */
static size_t utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    uint32_t cp;

    while (p < end) {
        size_t k;

        if (*p < 0x80) {
            p++;
            continue;
        }
        k = utf8_dec(p, end, &cp);
        if (!k)
            return (size_t)(p - (const unsigned char *)s);
        p += k;
    }
    return n;
}

static mcred_rc parse_doc(struct nq *st)
{
    mcred_rc rc;

    while (st->p < st->end) {
        skip_ws(st);
        if (st->p == st->end)
            break;
        if (*st->p == '#')
            skip_comment(st);
        if (st->p < st->end && (*st->p == '\n' || *st->p == '\r')) {
            if (*st->p == '\r' && st->p + 1 < st->end && st->p[1] == '\n')
                st->p++;
            st->p++;
            st->line++;
            st->line_start = st->p;
            continue;
        }
        if (st->p == st->end)
            break;
        rc = parse_statement(st);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

mcred_rc mc_nquads_parse(const char *p, size_t n, struct mc_rdf_dataset *d, struct mc_err *err)
{
    struct nq st;
    size_t n0 = d->n, bad;
    mcred_rc rc;

    if (n > MC_NQUADS_MAX_BYTES)
        return mc_err_set(err, MCRED_ERR_LIMIT, "N-Quads input of %zu bytes exceeds the limit "
                          "of %zu", n, (size_t)MC_NQUADS_MAX_BYTES);
    st.p = p;
    st.end = p + n;
    st.line_start = p;
    st.line = 1;
    st.d = d;
    st.err = err;
    mc_buf_init(&st.tmp, 2 * n + 16);  /* a raw NUL grows to C0 80 */
    bad = utf8_check(p, n);
    if (bad < n) {
        const char *q;

        for (q = p; q < p + bad; q++) {
            if (*q == '\n' || (*q == '\r' && (q + 1 == p + bad || q[1] != '\n'))) {
                st.line++;
                st.line_start = q + 1;
            }
        }
        rc = fail_at(&st, MCRED_ERR_INVALID, p + bad, "input is not valid UTF-8");
    } else {
        rc = parse_doc(&st);
    }
    if (rc == MCRED_ERR_NOMEM)
        mc_err_set(err, rc, "out of memory parsing N-Quads (line %zu)", st.line);
    mc_buf_release(&st.tmp);
    if (rc)
        d->n = n0;
    return rc;
}
