/* test_rdfc.c - unit tests for lib/jsonld/rdf.c, nquads.c and rdfc.c: the
 * whole W3C RDFC-1.0 test suite (eval, issued identifiers map, poison and
 * SHA-384 tests, read from its manifest), N-Quads parser errors and escapes,
 * the canonical N-Quads writer, and an allocation-failure torture loop.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

#include "check.h"
#include "jsonld/rdf.h"
#include "util/json.h"

static const char *data_dir;

/* --- the W3C suite ------------------------------------------------------------ */

static char *read_suite_file(const char *rel, size_t *len)
{
    char path[4096];

    (void)snprintf(path, sizeof(path), "%s/rdf-canon/tests/%s", data_dir, rel);
    return check_read_file(path, len);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Parse an N-Quads file of the suite into d; false (and a message) on failure. */
static bool load_nq(const char *id, const char *rel, struct mc_rdf_dataset *d)
{
    struct mc_err err = { 0 };
    size_t len;
    char *text = read_suite_file(rel, &len);
    mcred_rc rc;

    if (!text) {
        printf("FAIL %s: cannot read %s\n", id, rel);
        return false;
    }
    rc = mc_nquads_parse(text, len, d, &err);
    free(text);
    if (rc) {
        printf("FAIL %s: parsing %s: %s\n", id, rel, mc_err_msg(&err));
        return false;
    }
    return true;
}

/* Canonical output must parse again and canonicalize to itself. */
static bool idempotent(const char *canon, size_t len, const struct mc_rdfc_opts *o)
{
    struct mc_rdf_dataset d;
    struct mc_buf b;
    bool ok;

    mc_rdf_init(&d);
    mc_buf_init(&b, 0);
    ok = mc_nquads_parse(canon, len, &d, NULL) == MCRED_OK &&
         mc_rdfc_canon(&d, o, &b, NULL) == MCRED_OK && b.len == len &&
         (len == 0 || memcmp(b.ptr, canon, len) == 0);
    mc_buf_release(&b);
    mc_rdf_release(&d);
    return ok;
}

/* The same dataset with the quads in reverse order and every blank node
 * label reversed ("e10" becomes "01e"), which also reorders the labels. */
static bool shuffled(const struct mc_rdf_dataset *d, struct mc_rdf_dataset *out)
{
    size_t i;

    mc_rdf_init(out);
    for (i = d->n; i-- > 0;) {
        struct mc_rdf_quad q = d->quads[i];
        struct mc_rdf_term *t[4] = { &q.s, &q.p, &q.o, &q.g };
        int k;

        for (k = 0; k < 4; k++) {
            char rev[256];
            size_t n, j;

            if (t[k]->kind != MC_RDF_BLANK)
                continue;
            n = strlen(t[k]->value);
            if (n >= sizeof(rev))
                return false;
            for (j = 0; j < n; j++)
                rev[j] = t[k]->value[n - 1 - j];
            t[k]->value = mc_rdf_intern(out, rev, n);
            if (!t[k]->value)
                return false;
        }
        if (mc_rdf_add(out, &q) != MCRED_OK)
            return false;
    }
    return true;
}

/* Canonical N-Quads of d must not depend on quad order or labels. */
static bool isomorphic_same(const struct mc_rdf_dataset *d, const struct mc_rdfc_opts *o,
                            const char *want, size_t wlen)
{
    struct mc_rdf_dataset s;
    struct mc_buf b;
    bool ok;

    mc_buf_init(&b, 0);
    ok = shuffled(d, &s) && mc_rdfc_canon(&s, o, &b, NULL) == MCRED_OK && b.len == wlen &&
         (wlen == 0 || memcmp(b.ptr, want, wlen) == 0);
    mc_buf_release(&b);
    mc_rdf_release(&s);
    return ok;
}

static bool run_eval(const char *id, struct mc_rdf_dataset *d, const struct mc_rdfc_opts *o,
                     const char *result)
{
    struct mc_err err = { 0 };
    struct mc_buf out;
    size_t wlen;
    char *want = read_suite_file(result, &wlen);
    bool ok = false;
    mcred_rc rc;

    mc_buf_init(&out, 0);
    if (!want) {
        printf("FAIL %s: cannot read %s\n", id, result);
        return false;
    }
    rc = mc_rdfc_canon(d, o, &out, &err);
    if (rc)
        printf("FAIL %s: rc %d: %s\n", id, rc, mc_err_msg(&err));
    else if (out.len != wlen || (wlen && memcmp(out.ptr, want, wlen) != 0))
        printf("FAIL %s: canonical N-Quads differ\n--- got\n%s--- want\n%s", id,
               out.ptr ? out.ptr : "", want);
    else if (!idempotent(out.ptr ? out.ptr : "", out.len, o))
        printf("FAIL %s: canonical output does not canonicalize to itself\n", id);
    else if (!isomorphic_same(d, o, want, wlen))
        printf("FAIL %s: reordered, relabeled input canonicalizes differently\n", id);
    else
        ok = true;
    free(want);
    mc_buf_release(&out);
    return ok;
}

/* The map must name every input blank node and agree with the suite's. */
static bool run_map(const char *id, struct mc_rdf_dataset *d, const struct mc_rdfc_opts *o,
                    const char *result)
{
    struct mc_err err = { 0 };
    struct mc_rdfc_map map = { 0 };
    cJSON *want = NULL;
    size_t wlen, i;
    char *text = read_suite_file(result, &wlen);
    bool ok = false;
    mcred_rc rc;

    if (!text || mc_json_parse(text, wlen, 0, &want, &err) != MCRED_OK) {
        printf("FAIL %s: cannot read %s\n", id, result);
        free(text);
        return false;
    }
    free(text);
    rc = mc_rdfc_canon_map(d, o, NULL, &map, &err);
    if (rc) {
        printf("FAIL %s: rc %d: %s\n", id, rc, mc_err_msg(&err));
        goto out;
    }
    if ((size_t)cJSON_GetArraySize(want) != map.n) {
        printf("FAIL %s: %zu blank nodes mapped, want %d\n", id, map.n,
               cJSON_GetArraySize(want));
        goto out;
    }
    for (i = 0; i < map.n; i++) {
        char canon[32];
        const char *w = mc_json_str(want, map.label[i]);

        (void)snprintf(canon, sizeof(canon), "c14n%zu", i);
        if (!w || strcmp(w, canon) != 0) {
            printf("FAIL %s: _:%s -> _:%s, want _:%s\n", id, map.label[i], canon,
                   w ? w : "(absent)");
            goto out;
        }
    }
    ok = true;
out:
    mc_rdfc_map_release(&map);
    cJSON_Delete(want);
    return ok;
}

static bool run_negative(const char *id, struct mc_rdf_dataset *d, const struct mc_rdfc_opts *o)
{
    struct mc_err err = { 0 };
    struct mc_buf out;
    double t0 = now_ms(), ms;
    mcred_rc rc;

    mc_buf_init(&out, 0);
    rc = mc_rdfc_canon(d, o, &out, &err);
    ms = now_ms() - t0;
    mc_buf_release(&out);
    if (rc != MCRED_ERR_LIMIT) {
        printf("FAIL %s: rc %d, want MCRED_ERR_LIMIT (%s)\n", id, rc, mc_err_msg(&err));
        return false;
    }
    printf("  %s: stopped after %.1f ms: %s\n", id, ms, mc_err_msg(&err));
    return strstr(mc_err_msg(&err), "work limit") != NULL;
}

static void test_suite(void)
{
    cJSON *man = NULL, *entries, *e;
    struct mc_err err = { 0 };
    size_t len;
    char *text = read_suite_file("manifest.jsonld", &len);
    int total = 0, passed = 0, n_eval = 0, n_map = 0, n_neg = 0, n_384 = 0;

    CHECK(text != NULL, "rdf-canon manifest readable");
    if (!text)
        return;
    CHECK_RC(mc_json_parse(text, len, 0, &man, &err), MCRED_OK, "manifest parses");
    free(text);
    entries = cJSON_GetObjectItemCaseSensitive(man, "entries");
    cJSON_ArrayForEach(e, entries) {
        const char *id = mc_json_str(e, "id"), *type = mc_json_str(e, "type");
        const char *action = mc_json_str(e, "action"), *result = mc_json_str(e, "result");
        const char *alg = mc_json_str(e, "hashAlgorithm");
        struct mc_rdfc_opts o = { MC_RDFC_SHA256, 0 };
        struct mc_rdf_dataset d;
        bool ok = false;

        total++;
        if (!id || !type || !action) {
            printf("FAIL entry %d: no id, type or action\n", total);
            continue;
        }
        if (alg && strcmp(alg, "SHA384") == 0) {
            o.hash = MC_RDFC_SHA384;
            n_384++;
        } else if (alg && strcmp(alg, "SHA256") != 0) {
            printf("FAIL %s: unknown hash algorithm %s\n", id, alg);
            continue;
        }
        mc_rdf_init(&d);
        if (load_nq(id, action, &d)) {
            if (strcmp(type, "rdfc:RDFC10EvalTest") == 0 && result) {
                n_eval++;
                ok = run_eval(id, &d, &o, result);
            } else if (strcmp(type, "rdfc:RDFC10MapTest") == 0 && result) {
                n_map++;
                ok = run_map(id, &d, &o, result);
            } else if (strcmp(type, "rdfc:RDFC10NegativeEvalTest") == 0) {
                n_neg++;
                ok = run_negative(id, &d, &o);
            } else {
                printf("FAIL %s: unknown test type %s\n", id, type);
            }
        }
        mc_rdf_release(&d);
        passed += ok;
        CHECK(ok, "rdf-canon %s", id);
    }
    cJSON_Delete(man);
    printf("rdf-canon suite: %d of %d passed (%d eval, %d map, %d negative; %d use SHA-384)\n",
           passed, total, n_eval, n_map, n_neg, n_384);
    CHECK(total == 86, "the manifest lists 86 tests (found %d)", total);
}

/* The suite's "evil" poison graph test044 must succeed at the default limit
 * (it needs about 6,200 steps) and stop at a lower one, leaving out as it was. */
static void test_work_limit(void)
{
    struct mc_rdf_dataset d;
    struct mc_rdfc_opts o = { MC_RDFC_SHA256, 6000 };
    struct mc_err err = { 0 };
    struct mc_buf out;

    mc_rdf_init(&d);
    mc_buf_init(&out, 0);
    if (load_nq("test044", "rdfc10/test044-in.nq", &d)) {
        CHECK_RC(mc_buf_appends(&out, "kept"), MCRED_OK, "prefill");
        CHECK_RC(mc_rdfc_canon(&d, &o, &out, &err), MCRED_ERR_LIMIT, "max_work 6000");
        CHECK(strstr(err.msg, "work limit of 6000 steps") != NULL, "limit message: %s",
              err.msg);
        CHECK_STR_EQ(out.ptr, "kept", "no partial output on failure");
        o.max_work = 0;
        CHECK_RC(mc_rdfc_canon(&d, &o, &out, &err), MCRED_OK, "default limit on test044");
        CHECK(out.len > 4 && strncmp(out.ptr, "kept", 4) == 0, "appended after the prefix");
    }
    mc_buf_release(&out);
    mc_rdf_release(&d);
}

/* A chain of identical blank nodes (an rdf:List of equal values) makes hash
 * N-degree quads recurse along it: short chains pass, long ones stop at the
 * work bound or, given unbounded work, at the recursion bound. */
static void test_chain(void)
{
    static const size_t lens[] = { 100, 3000 };
    size_t i, k;

    for (k = 0; k < 2; k++) {
        struct mc_rdf_dataset d;
        struct mc_rdfc_opts o = { MC_RDFC_SHA256, k ? (size_t)1 << 40 : 0 };
        struct mc_err err = { 0 };
        struct mc_buf doc, out;

        mc_rdf_init(&d);
        mc_buf_init(&doc, 0);
        mc_buf_init(&out, 0);
        for (i = 0; i < lens[k]; i++)
            CHECK_RC(mc_buf_printf(&doc, "_:n%zu <http://x/rest> _:n%zu .\n", i, i + 1),
                     MCRED_OK, "chain");
        CHECK_RC(mc_nquads_parse(doc.ptr, doc.len, &d, &err), MCRED_OK, err.msg);
        if (k == 0) {
            CHECK_RC(mc_rdfc_canon(&d, &o, &out, &err), MCRED_OK, "a 100-link chain");
            CHECK(out.len > 0 && idempotent(out.ptr, out.len, &o), "canonical chain");
        } else {
            CHECK_RC(mc_rdfc_canon(&d, &o, &out, &err), MCRED_ERR_LIMIT, "a 3000-link chain");
            CHECK(strstr(err.msg, "recursion deeper than 1024") != NULL, "%s", err.msg);
        }
        mc_buf_release(&out);
        mc_buf_release(&doc);
        mc_rdf_release(&d);
    }
}

/* --- N-Quads parser -------------------------------------------------------------- */

struct parse_case {
    const char *in;      /* N-Quads text */
    mcred_rc rc;         /* expected result */
    size_t nquads;       /* quads on success */
    const char *msg;     /* substring of the error message */
};

static const struct parse_case parse_cases[] = {
    /* comments, blank lines, CRLF and a trailing comment */
    { "# c\n\n \t\n<http://a/s> <http://a/p> <http://a/o> . # t\r\n", MCRED_OK, 1, NULL },
    /* no whitespace at all between terms */
    { "<http://a/s><http://a/p>\"x\"@en<http://a/g>.", MCRED_OK, 1, NULL },
    /* a blank node label may hold '.' but not end with it */
    { "_:a.b <http://a/p> _:c.\n", MCRED_OK, 1, NULL },
    /* lone CR ends lines too */
    { "<http://a/s> <http://a/p> _:o .\r<http://a/s> <http://a/p> _:o _:g .\r", MCRED_OK, 2,
      NULL },
    { "<http://a/s> <http://a/p> <http://a/o>", MCRED_ERR_INVALID, 0,
      "line 1, column 39: expected '.'" },
    { "\n\n<a> <http://a/p> <http://a/o> .", MCRED_ERR_INVALID, 0,
      "line 3, column 1: IRI <a> is not absolute" },
    { "<http://a/s> <http://a/p> \"abc .\n", MCRED_ERR_INVALID, 0,
      "line 1, column 27: unterminated literal" },
    { "<http://a/s> <http://a/p> \"a\\qb\" .", MCRED_ERR_INVALID, 0,
      "line 1, column 29: invalid escape '\\q'" },
    { "<http://a/s> <http://a/p> \"x\"@ .", MCRED_ERR_INVALID, 0, "malformed language tag" },
    { "<http://a/s> <http://a/p> \"x\"@en- .", MCRED_ERR_INVALID, 0, "malformed language tag" },
    { "<http://a/s> _:p <http://a/o> .", MCRED_ERR_INVALID, 0,
      "line 1, column 14: expected a predicate IRI" },
    { "\"s\" <http://a/p> <http://a/o> .", MCRED_ERR_INVALID, 0,
      "line 1, column 1: expected a subject" },
    { "<http://a/s> <http://a/p> <http://a/o> <http://a/g> <http://a/x> .", MCRED_ERR_INVALID,
      0, "column 53: expected '.'" },
    { "<http://a/s> <http://a/p> <http://a/o> \"g\" .", MCRED_ERR_INVALID, 0,
      "expected '.'" },
    { "<http://a/s> <http://a/p> <http://a/o> . junk", MCRED_ERR_INVALID, 0,
      "column 42: unexpected text after the statement" },
    { "<http://a/s> <http://a/p> <http://a/\\u00ZZ> .", MCRED_ERR_INVALID, 0,
      "column 37: bad hex digit in \\u escape" },
    { "<http://a/s> <http://a/p> \"\\uD800\" .", MCRED_ERR_INVALID, 0,
      "not a Unicode scalar value" },
    { "<http://a/s> <http://a/p> \"\\U00110000\" .", MCRED_ERR_INVALID, 0,
      "not a Unicode scalar value" },
    { "<http://a/s> <http://a/p> <http://a/b c> .", MCRED_ERR_INVALID, 0,
      "column 38: character ' ' (U+0020) not allowed in an IRI" },
    { "<http://a/s> <http://a/p> <http://a/\\u0020> .", MCRED_ERR_INVALID, 0,
      "escape for U+0020" },
    { "<http://a/s> <http://a/p> <http://a/\\n> .", MCRED_ERR_INVALID, 0,
      "only \\u and \\U escapes" },
    { "<http://a/s> <http://a/p> <http://a/o", MCRED_ERR_INVALID, 0, "unterminated IRI" },
    { "<http://a/s> <http://a/p> <http://a/o\n> .", MCRED_ERR_INVALID, 0, "unterminated IRI" },
    { "_:a. <http://a/p> _:b .", MCRED_ERR_INVALID, 0,
      "column 4: expected a predicate IRI" },
    { "_:-a <http://a/p> <http://a/o> .", MCRED_ERR_INVALID, 0,
      "column 3: bad first character of a blank node label" },
    { "_ <http://a/p> <http://a/o> .", MCRED_ERR_INVALID, 0, "expected '_:'" },
    { "<http://a/s> <http://a/p> \"x\"^^ <http://a/d> .", MCRED_ERR_INVALID, 0,
      "expected a datatype IRI after '^^'" },
    /* UTF-8: the column counts characters, not bytes */
    { "<http://a/s> <http://a/\xc3\xa9> \"\xff\" .", MCRED_ERR_INVALID, 0,
      "line 1, column 28: input is not valid UTF-8" },
    { "<http://a/s> <http://a/p> \"\xed\xa0\x80\" .", MCRED_ERR_INVALID, 0, "not valid UTF-8" },
    { "<http://a/s> <http://a/p> <http://a/o> .\n<http://a/s> <http://a/p> .\n",
      MCRED_ERR_INVALID, 0, "line 2, column 27: expected an object" },
    { "<http://a/s> <http://a/p> <http://a/o> .\r\n\r\n<http://a/s> <http://a/p> <o> .",
      MCRED_ERR_INVALID, 0, "line 3, column 27: IRI <o> is not absolute" },
    { "<http://a/s> <http://a/p> <http://a/o> .\r\r<http://a/s> <http://a/p> <o> .",
      MCRED_ERR_INVALID, 0, "line 3, column 27" },
};

static void test_parse_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct mc_rdf_dataset d;
        struct mc_err err = { 0 };
        mcred_rc rc;

        mc_rdf_init(&d);
        rc = mc_nquads_parse(c->in, strlen(c->in), &d, &err);
        CHECK(rc == c->rc, "case %zu: rc %d, want %d (%s)", i, rc, c->rc, err.msg);
        if (rc == MCRED_OK)
            CHECK(d.n == c->nquads, "case %zu: %zu quads, want %zu", i, d.n, c->nquads);
        else
            CHECK(d.n == 0, "case %zu: no quads left after a failure", i);
        if (c->msg)
            CHECK(strstr(err.msg, c->msg) != NULL, "case %zu: message '%s' lacks '%s'", i,
                  err.msg, c->msg);
        mc_rdf_release(&d);
    }
}

struct escape_case {
    const char *in;      /* one N-Quads statement */
    size_t len;          /* its length when it holds a NUL, else 0 */
    const char *want;    /* mc_rdf_quad_write of the parsed quad */
};

#define SP "<http://a/s> <http://a/p> "
static const struct escape_case escape_cases[] = {
    /* every ECHAR; \' needs no escape in canonical form */
    { SP "\"\\t\\b\\n\\r\\f\\\"\\'\\\\\" .", 0, SP "\"\\t\\b\\n\\r\\f\\\"'\\\\\" .\n" },
    /* controls, DEL and the XML 1.1 non-characters take UCHAR with uppercase hex */
    { SP "\"\\u0000\\u0001\\u000b\\u001f\\u007f\\ufffe\\uffff\\u00e9\" .", 0,
      SP "\"\\u0000\\u0001\\u000B\\u001F\\u007F\\uFFFE\\uFFFF\xc3\xa9\" .\n" },
    /* \U and raw non-ASCII come out raw */
    { SP "\"\\U0001F600 \xe2\x88\x9e \\uFFFD\" .", 0,
      SP "\"\xf0\x9f\x98\x80 \xe2\x88\x9e \xef\xbf\xbd\" .\n" },
    /* a raw NUL in a literal */
    { SP "\"a\0b\" .", sizeof(SP) - 1 + 7, SP "\"a\\u0000b\" .\n" },
    /* language tags keep their case; xsd:string is dropped; other datatypes stay */
    { SP "\"x\"@en-US .", 0, SP "\"x\"@en-US .\n" },
    { SP "\"x\"^^<http://www.w3.org/2001/XMLSchema#string> .", 0, SP "\"x\" .\n" },
    { SP "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .", 0,
      SP "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" },
    /* IRIs: UCHAR decoded; graph names; blank nodes keep labels */
    { "<http://a/\\u00E9\\U0001F600> <http://a/p> _:b1 _:g .", 0,
      "<http://a/\xc3\xa9\xf0\x9f\x98\x80> <http://a/p> _:b1 _:g .\n" },
    { "_:x <http://a/p> \"\" <http://a/g> .", 0, "_:x <http://a/p> \"\" <http://a/g> .\n" },
};

static void test_escapes(void)
{
    size_t i;

    for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
        const struct escape_case *c = &escape_cases[i];
        struct mc_rdf_dataset d;
        struct mc_err err = { 0 };
        struct mc_buf b;

        mc_rdf_init(&d);
        mc_buf_init(&b, 0);
        CHECK_RC(mc_nquads_parse(c->in, c->len ? c->len : strlen(c->in), &d, &err), MCRED_OK,
                 err.msg);
        if (d.n == 1) {
            CHECK_RC(mc_rdf_quad_write(&b, &d.quads[0]), MCRED_OK, "write");
            CHECK_STR_EQ(b.ptr, c->want, "canonical form");
        }
        mc_buf_release(&b);
        mc_rdf_release(&d);
    }
}

/* Terms built by hand (as toRdf builds them) are written safely too. */
static void test_writer(void)
{
    struct mc_buf b;
    struct mc_rdf_quad q;

    memset(&q, 0, sizeof(q));
    q.s.kind = MC_RDF_IRI;
    q.s.value = "http://a/b c<d>";
    q.p.kind = MC_RDF_IRI;
    q.p.value = "http://a/p";
    q.o.kind = MC_RDF_LITERAL;
    q.o.value = "v";
    q.o.lang = "de";
    q.o.datatype = MC_RDF_LANGSTRING;
    mc_buf_init(&b, 0);
    CHECK_RC(mc_rdf_quad_write(&b, &q), MCRED_OK, "write");
    CHECK_STR_EQ(b.ptr, "<http://a/b\\u0020c\\u003Cd\\u003E> <http://a/p> \"v\"@de .\n",
                 "bad IRI characters become UCHAR; langString is implied");
    mc_buf_release(&b);
    mc_buf_init(&b, 20);
    CHECK_RC(mc_rdf_quad_write(&b, &q), MCRED_ERR_LIMIT, "capped buffer");
    CHECK(b.len == 0, "nothing left behind by a failed write");
    mc_buf_release(&b);
}

static void test_dataset(void)
{
    static const char doc[] =
        "_:a <http://a/p> \"x\" .\n"
        "_:a <http://a/p> \"x\"^^<http://www.w3.org/2001/XMLSchema#string> .\n"
        "_:a <http://a/p> \"x\"@en .\n"
        "_:a <http://a/p> \"x\"@en .\n"
        "_:a <http://a/p> \"x\" <http://a/g> .\n";
    struct mc_rdf_dataset d;
    struct mc_err err = { 0 };
    struct mc_buf b;
    char *big;
    size_t i;

    mc_rdf_init(&d);
    CHECK_RC(mc_nquads_parse(doc, strlen(doc), &d, &err), MCRED_OK, err.msg);
    CHECK(d.n == 5, "five statements");
    CHECK_RC(mc_rdf_dedup(&d), MCRED_OK, "dedup");
    CHECK(d.n == 3, "dedup keeps 3 distinct quads, got %zu", d.n);
    mc_buf_init(&b, 0);
    CHECK_RC(mc_rdfc_canon(&d, NULL, &b, &err), MCRED_OK, "canon");
    CHECK_STR_EQ(b.ptr, "_:c14n0 <http://a/p> \"x\" .\n_:c14n0 <http://a/p> \"x\" <http://a/g> .\n"
                 "_:c14n0 <http://a/p> \"x\"@en .\n", "canonical form of the deduplicated set");
    mc_buf_release(&b);
    mc_rdf_release(&d);

    /* an empty dataset: empty output, empty map */
    mc_rdf_init(&d);
    {
        struct mc_rdfc_map map = { 0 };

        mc_buf_init(&b, 0);
        CHECK_RC(mc_nquads_parse("# nothing\n\n", 11, &d, &err), MCRED_OK, "comments only");
        CHECK_RC(mc_rdfc_canon_map(&d, NULL, &b, &map, &err), MCRED_OK, "empty canon");
        CHECK(b.len == 0 && map.n == 0, "nothing out of nothing");
        mc_rdfc_map_release(&map);
        mc_buf_release(&b);
    }
    mc_rdf_release(&d);

    /* the quad limit names the line */
    mc_rdf_init(&d);
    d.max_quads = 2;
    CHECK_RC(mc_nquads_parse(doc, strlen(doc), &d, &err), MCRED_ERR_LIMIT, "max_quads");
    CHECK(strstr(err.msg, "line 3") && strstr(err.msg, "more than 2 quads"), "%s", err.msg);
    CHECK(d.n == 0, "rolled back");
    mc_rdf_release(&d);

    /* the size cap comes first */
    big = malloc(MC_NQUADS_MAX_BYTES + 1);
    if (big) {
        memset(big, ' ', MC_NQUADS_MAX_BYTES + 1);
        mc_rdf_init(&d);
        CHECK_RC(mc_nquads_parse(big, MC_NQUADS_MAX_BYTES + 1, &d, &err), MCRED_ERR_LIMIT,
                 "input size cap");
        mc_rdf_release(&d);
        free(big);
    }

    /* interning many strings, small and big */
    mc_rdf_init(&d);
    for (i = 0; i < 3000; i++) {
        char s[64];
        const char *p;

        (void)snprintf(s, sizeof(s), "string %zu", i);
        p = mc_rdf_intern(&d, s, strlen(s));
        CHECK(p && strcmp(p, s) == 0, "intern %zu", i);
        if (i % 500 == 0) {
            char *blob = calloc(1, 20000);

            memset(blob, 'x', 19999);
            p = mc_rdf_intern(&d, blob, 19999);
            CHECK(p && strlen(p) == 19999, "intern a big string");
            free(blob);
        }
    }
    mc_rdf_release(&d);
    mc_rdf_release(&d);  /* twice is fine */

    /* a blank node predicate (generalized RDF) is refused */
    {
        struct mc_rdf_quad q;

        memset(&q, 0, sizeof(q));
        q.s.kind = MC_RDF_IRI;
        q.s.value = "http://a/s";
        q.p.kind = MC_RDF_BLANK;
        q.p.value = "p";
        q.o.kind = MC_RDF_IRI;
        q.o.value = "http://a/o";
        mc_rdf_init(&d);
        CHECK_RC(mc_rdf_add(&d, &q), MCRED_OK, "add");
        mc_buf_init(&b, 0);
        CHECK_RC(mc_rdfc_canon(&d, NULL, &b, &err), MCRED_ERR_INVALID, "blank predicate");
        CHECK(strstr(err.msg, "blank node predicate") != NULL, "%s", err.msg);
        d.quads[0].p.kind = MC_RDF_IRI;
        d.quads[0].s.kind = MC_RDF_LITERAL;
        CHECK_RC(mc_rdfc_canon(&d, NULL, &b, &err), MCRED_ERR_INVALID, "literal subject");
        CHECK(strstr(err.msg, "as its subject") != NULL, "%s", err.msg);
        d.quads[0].s.kind = MC_RDF_IRI;
        d.quads[0].o.value = NULL;
        CHECK_RC(mc_rdfc_canon(&d, NULL, &b, &err), MCRED_ERR_INVALID, "NULL object");
        CHECK(strstr(err.msg, "value NULL as its object") != NULL, "%s", err.msg);
        d.quads[0].o.value = "http://a/o";
        CHECK_RC(mc_rdfc_canon(&d, NULL, &b, &err), MCRED_OK, "repaired");
        mc_buf_release(&b);
        mc_rdf_release(&d);
    }
}

/* --- allocation failures --------------------------------------------------------- */

/* A dataset that needs hash N-degree quads with recursion (a double circle,
 * as in the suite) plus escapes, so most allocation sites are reached. */
static const char torture_doc[] =
    "_:e0 <http://x/next> _:e1 .\n_:e0 <http://x/prev> _:e2 .\n"
    "_:e1 <http://x/next> _:e2 .\n_:e1 <http://x/prev> _:e0 .\n"
    "_:e2 <http://x/next> _:e0 .\n_:e2 <http://x/prev> _:e1 .\n"
    "_:e0 <http://x/v> \"a\\tb\\u0001\"@en <http://x/g> .\n";

static void test_torture(void)
{
    struct mc_rdf_dataset d;
    struct mc_rdfc_map map;
    struct mc_buf ref, b;
    unsigned long n;
    mcred_rc rc = MCRED_ERR_NOMEM;
    int nomem = 0;

    mc_rdf_init(&d);
    mc_buf_init(&ref, 0);
    CHECK_RC(mc_nquads_parse(torture_doc, strlen(torture_doc), &d, NULL), MCRED_OK, "parse");
    CHECK_RC(mc_rdfc_canon(&d, NULL, &ref, NULL), MCRED_OK, "reference canon");
    mc_rdf_release(&d);
    for (n = 1; n < 10000 && rc != MCRED_OK; n++) {
        struct mc_err err = { 0 };

        mc_rdf_init(&d);
        mc_buf_init(&b, 0);
        memset(&map, 0, sizeof(map));
        mcred_test_fail_alloc(n);
        rc = mc_nquads_parse(torture_doc, strlen(torture_doc), &d, &err);
        if (!rc)
            rc = mc_rdf_dedup(&d);
        if (!rc)
            rc = mc_rdfc_canon_map(&d, NULL, &b, &map, &err);
        mcred_test_fail_alloc(0);
        if (rc == MCRED_ERR_NOMEM) {
            nomem++;
            CHECK(b.len == 0 && map.label == NULL, "failure %lu leaves no output", n);
        } else {
            CHECK_RC(rc, MCRED_OK, "torture: only NOMEM or success");
            CHECK(b.len == ref.len && memcmp(b.ptr, ref.ptr, ref.len) == 0,
                  "same output after %lu failed allocations", n - 1);
            CHECK(map.n == 3, "three blank nodes mapped");
        }
        mc_rdfc_map_release(&map);
        mc_buf_release(&b);
        mc_rdf_release(&d);
    }
    printf("  torture: %d failing allocations, each cleanly NOMEM\n", nomem);
    CHECK(nomem > 10, "torture reached %d allocation sites", nomem);
    mc_buf_release(&ref);
}

int main(void)
{
    data_dir = check_shared_data();
    test_suite();
    test_work_limit();
    test_chain();
    test_parse_errors();
    test_escapes();
    test_writer();
    test_dataset();
    test_torture();
    return check_report();
}
