/* test_expand.c - JSON-LD 1.1 expansion (lib/jsonld/context.c, expand.c,
 * iri.c): the W3C json-ld-api expand test suite read in place from
 * ../shared/data (run twice: without and with a shared context cache), RFC
 * 3986 §5.4 resolution examples, an Open Badges 3.0 credential checked
 * against its published canonical N-Quads, and our own cases for hostile
 * input (depth, size, work, remote context errors, recursion) and safe mode.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "jsonld/iri.h"
#include "jsonld/jsonld.h"
#include "util/json.h"

#define SUITE_URL "https://w3c.github.io/json-ld-api/tests/"

/* --- loaders -------------------------------------------------------------- */

/* URL -> parsed document, kept for the loader's lifetime. */
struct doc_ent {
    struct doc_ent *next;
    char *url;
    cJSON *doc;
};

/* Serves URLs under prefix from files under dir (prefix NULL: only the
 * documents added with add_doc), or maps URLs through a manifest. */
struct test_loader {
    const char *prefix;
    const char *dir;
    const cJSON *manifest;     /* {url: file name under dir}, or NULL */
    struct doc_ent *docs;      /* loaded so far (a loader used by threads is filled first) */
};

/* a, b and c concatenated (malloc, never NULL). */
static char *cat3(const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
    char *p = malloc(na + nb + nc + 1);

    if (!p)
        abort();
    memcpy(p, a, na);
    memcpy(p + na, b, nb);
    memcpy(p + na + nb, c, nc + 1);
    return p;
}

static cJSON *parse_file(const char *path)
{
    size_t len;
    char *p = check_read_file(path, &len);
    cJSON *v = NULL;

    if (p && mc_json_parse(p, len, 0, &v, NULL) != MCRED_OK)
        v = NULL;
    free(p);
    return v;
}

static void add_doc(struct test_loader *l, const char *url, cJSON *doc)
{
    struct doc_ent *e = calloc(1, sizeof(*e));

    if (!e)
        abort();
    e->url = strdup(url);
    e->doc = doc;
    e->next = l->docs;
    l->docs = e;
}

static void add_json(struct test_loader *l, const char *url, const char *json)
{
    cJSON *v = NULL;

    if (mc_json_parse(json, strlen(json), 0, &v, NULL) != MCRED_OK)
        abort();
    add_doc(l, url, v);
}

static mcred_rc test_load(void *ud, const char *url, const cJSON **doc, struct mc_err *err)
{
    struct test_loader *l = ud;
    struct doc_ent *e;
    const char *file = NULL;
    char *path;
    cJSON *v;

    *doc = NULL;
    for (e = l->docs; e; e = e->next) {
        if (!strcmp(e->url, url)) {
            *doc = e->doc;
            return MCRED_OK;
        }
    }
    if (l->manifest)
        file = mc_json_str(l->manifest, url);
    else if (l->prefix && !strncmp(url, l->prefix, strlen(l->prefix)))
        file = url + strlen(l->prefix);
    if (!file || strstr(file, ".."))
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no document for '%s'", url);
    path = cat3(l->dir, "/", file);
    v = parse_file(path);
    free(path);
    if (!v)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "cannot read the document of '%s'", url);
    add_doc(l, url, v);
    *doc = v;
    return MCRED_OK;
}

static void loader_clear(struct test_loader *l)
{
    struct doc_ent *e, *n;

    for (e = l->docs; e; e = n) {
        n = e->next;
        cJSON_Delete(e->doc);
        free(e->url);
        free(e);
    }
    l->docs = NULL;
}

/* --- JSON-LD object comparison (tests/README.md) ------------------------- */

static bool jeq(const cJSON *a, const cJSON *b, bool ordered, const char *key);

static bool arrays_eq(const cJSON *a, const cJSON *b, bool ordered)
{
    int n = cJSON_GetArraySize(a), i = 0;
    const cJSON *x, *y;
    bool ok = true;
    char *used;

    if (n != cJSON_GetArraySize(b))
        return false;
    if (ordered) {
        for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
            if (!jeq(x, y, true, NULL))
                return false;
        }
        return true;
    }
    used = calloc((size_t)n + 1, 1);
    for (x = a->child; x && ok; x = x->next) {
        ok = false;
        for (y = b->child, i = 0; y; y = y->next, i++) {
            if (!used[i] && jeq(x, y, false, NULL)) {
                used[i] = 1;
                ok = true;
                break;
            }
        }
    }
    free(used);
    return ok;
}

/* Objects by member, arrays without regard to order except @list values
 * (and JSON literals in @value), language tags without regard to case. */
static bool jeq(const cJSON *a, const cJSON *b, bool ordered, const char *key)
{
    const cJSON *m, *o;

    if ((a->type & 0xff) != (b->type & 0xff))
        return false;
    if (cJSON_IsString(a)) {
        if (key && !strcmp(key, "@language"))
            return strcasecmp(a->valuestring, b->valuestring) == 0;
        return strcmp(a->valuestring, b->valuestring) == 0;
    }
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsArray(a))
        return arrays_eq(a, b, ordered || (key && !strcmp(key, "@list")));
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (m = a->child; m; m = m->next) {
            o = cJSON_GetObjectItemCaseSensitive(b, m->string);
            if (!o || !jeq(m, o, ordered || !strcmp(m->string, "@value"), m->string))
                return false;
        }
        return true;
    }
    return true;  /* null, true, false: the type said it */
}

/* --- the W3C expand suite -------------------------------------------------- */

struct suite_counts {
    int applicable, passed, failed, na;
};

static bool not_applicable(const cJSON *t)
{
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(t, "option");
    const char *spec = mc_json_str(opt, "specVersion");

    if (spec && !strcmp(spec, "json-ld-1.0"))
        return true;
    return cJSON_GetObjectItemCaseSensitive(opt, "redirectTo") ||
           cJSON_GetObjectItemCaseSensitive(opt, "contentType") ||
           cJSON_GetObjectItemCaseSensitive(opt, "httpLink") ||
           cJSON_GetObjectItemCaseSensitive(opt, "httpStatus");
}

/* Run one test; returns true when it passed, printing why when not. */
static bool run_one(const char *dir, const cJSON *t, struct test_loader *ld,
                    struct mc_jsonld_cache *cache, const char *pass)
{
    const char *id = mc_json_str(t, "@id"), *input = mc_json_str(t, "input");
    const char *expect = mc_json_str(t, "expect"), *code = mc_json_str(t, "expectErrorCode");
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(t, "option");
    const char *ec = mc_json_str(opt, "expandContext"), *pm = mc_json_str(opt, "processingMode");
    struct mc_jsonld_loader loader = { test_load, ld };
    struct mc_jsonld_opts o;
    char *url, *path;
    cJSON *in, *want = NULL, *got = NULL, *ctx = NULL;
    struct mc_err err;
    mcred_rc rc;
    bool ok;

    url = cat3(SUITE_URL, input, "");
    path = cat3(dir, "/", input);
    in = parse_file(path);
    free(path);
    if (!in) {
        printf("  %s %s: cannot read input %s\n", pass, id, input);
        free(url);
        return false;
    }
    if (ec) {
        path = cat3(dir, "/", ec);
        ctx = parse_file(path);
        free(path);
    }
    memset(&o, 0, sizeof(o));
    o.loader = &loader;
    o.base = mc_json_str(opt, "base") ? mc_json_str(opt, "base") : url;
    o.expand_context = ctx;
    o.json10 = pm && !strcmp(pm, "json-ld-1.0");
    o.cache = cache;
    mc_err_clear(&err);
    rc = mc_jsonld_expand(in, &o, &got, &err);
    if (code) {
        ok = (rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT) && strstr(err.msg, code);
        if (!ok)
            printf("  %s %s: want error '%s', got rc %d '%s'\n", pass, id, code, (int)rc,
                   rc ? err.msg : "success");
    } else {
        path = cat3(dir, "/", expect);
        want = parse_file(path);
        free(path);
        ok = rc == MCRED_OK && want && jeq(got, want, false, NULL);
        if (!ok) {
            char *s = got ? cJSON_PrintUnformatted(got) : NULL;

            printf("  %s %s: %s%s\n", pass, id, rc ? "error: " : "output differs: ",
                   rc ? err.msg : s ? s : "");
            free(s);
        }
    }
    cJSON_Delete(in);
    cJSON_Delete(want);
    cJSON_Delete(got);
    cJSON_Delete(ctx);
    free(url);
    return ok;
}

static void run_suite(const char *data, bool cached, const char *pass)
{
    struct mc_jsonld_cache *cache = NULL;
    char *dir = cat3(data, "/json-ld-api/tests", ""), *path;
    struct suite_counts n = { 0, 0, 0, 0 };
    struct test_loader ld = { SUITE_URL, dir, NULL, NULL };
    const cJSON *t;
    cJSON *man;

    path = cat3(dir, "/expand-manifest.jsonld", "");
    man = parse_file(path);
    free(path);
    CHECK(man != NULL, "expand manifest parses");
    if (!man) {
        free(dir);
        return;
    }
    if (cached)
        CHECK(mc_jsonld_cache_new(&cache) == MCRED_OK, "cache created");
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(man, "sequence")) {
        bool ok;

        if (not_applicable(t)) {
            n.na++;
            continue;
        }
        n.applicable++;
        ok = run_one(dir, t, &ld, cache, pass);
        if (ok)
            n.passed++;
        else
            n.failed++;
        CHECK(ok, "%s expand test %s", pass, mc_json_str(t, "@id"));
    }
    printf("%s: applicable %d, passed %d, failed %d, not applicable %d\n", pass,
           n.applicable, n.passed, n.failed, n.na);
    CHECK(n.applicable > 300, "%s: the suite has its tests (%d)", pass, n.applicable);
    CHECK(n.passed * 100 >= n.applicable * 95, "%s: at least 95%% of applicable tests pass",
          pass);
    mc_jsonld_cache_free(cache);  /* before the documents it points into */
    loader_clear(&ld);
    cJSON_Delete(man);
    free(dir);
}

/* --- RFC 3986 §5.4 reference resolution examples ------------------------- */

static void test_iri(void)
{
    static const struct {
        const char *ref, *want;
    } cases[] = {
        /* §5.4.1 normal examples, base http://a/b/c/d;p?q */
        { "g:h", "g:h" },
        { "g", "http://a/b/c/g" },
        { "./g", "http://a/b/c/g" },
        { "g/", "http://a/b/c/g/" },
        { "/g", "http://a/g" },
        { "//g", "http://g" },
        { "?y", "http://a/b/c/d;p?y" },
        { "g?y", "http://a/b/c/g?y" },
        { "#s", "http://a/b/c/d;p?q#s" },
        { "g#s", "http://a/b/c/g#s" },
        { "g?y#s", "http://a/b/c/g?y#s" },
        { ";x", "http://a/b/c/;x" },
        { "g;x", "http://a/b/c/g;x" },
        { "g;x?y#s", "http://a/b/c/g;x?y#s" },
        { "", "http://a/b/c/d;p?q" },
        { ".", "http://a/b/c/" },
        { "./", "http://a/b/c/" },
        { "..", "http://a/b/" },
        { "../", "http://a/b/" },
        { "../g", "http://a/b/g" },
        { "../..", "http://a/" },
        { "../../", "http://a/" },
        { "../../g", "http://a/g" },
        /* §5.4.2 abnormal examples */
        { "../../../g", "http://a/g" },
        { "../../../../g", "http://a/g" },
        { "/./g", "http://a/g" },
        { "/../g", "http://a/g" },
        { "g.", "http://a/b/c/g." },
        { ".g", "http://a/b/c/.g" },
        { "g..", "http://a/b/c/g.." },
        { "..g", "http://a/b/c/..g" },
        { "./../g", "http://a/b/g" },
        { "./g/.", "http://a/b/c/g/" },
        { "g/./h", "http://a/b/c/g/h" },
        { "g/../h", "http://a/b/c/h" },
        { "g;x=1/./y", "http://a/b/c/g;x=1/y" },
        { "g;x=1/../y", "http://a/b/c/y" },
        { "g?y/./x", "http://a/b/c/g?y/./x" },
        { "g?y/../x", "http://a/b/c/g?y/../x" },
        { "g#s/./x", "http://a/b/c/g#s/./x" },
        { "g#s/../x", "http://a/b/c/g#s/../x" },
        { "http:g", "http:g" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = mc_iri_resolve("http://a/b/c/d;p?q", cases[i].ref);

        CHECK_STR_EQ(r, cases[i].want, cases[i].ref);
        mc_free(r);
    }
    CHECK(mc_iri_is_absolute("xsd:dateTime"), "xsd:dateTime has the form of an IRI");
    CHECK(mc_iri_is_absolute("did:example:123"), "a DID is an absolute IRI");
    CHECK(!mc_iri_is_absolute("_:b0"), "a blank node is not an IRI");
    CHECK(!mc_iri_is_absolute("foo/bar:baz"), "a relative path is not an IRI");
    CHECK(!mc_iri_is_absolute(":x"), "an empty scheme is not an IRI");
}

/* --- our own cases ---------------------------------------------------------- */

/* Expand json (parsed here) with a loader over ld; returns rc, *out owned. */
static mcred_rc expand_str(const char *json, struct test_loader *ld, bool safe, size_t max_work,
                           cJSON **out, struct mc_err *err)
{
    struct mc_jsonld_loader loader = { test_load, ld };
    struct mc_jsonld_opts o;
    cJSON *in = NULL;
    mcred_rc rc;

    *out = NULL;
    mc_err_clear(err);
    if (mc_json_parse(json, strlen(json), 0, &in, err) != MCRED_OK)
        return MCRED_ERR_INTERNAL;
    memset(&o, 0, sizeof(o));
    o.loader = &loader;
    o.safe = safe;
    o.max_work = max_work;
    rc = mc_jsonld_expand(in, &o, out, err);
    cJSON_Delete(in);
    return rc;
}

static const struct {
    const char *name;   /* what the row checks */
    const char *json;   /* the document */
    bool safe;          /* safe mode */
    mcred_rc rc;        /* expected result */
    const char *msg;    /* substrings the message must contain ('|'-separated) */
} own_cases[] = {
    { "unknown remote context names the URL",
      "{\"@context\": \"https://example.org/nowhere\", \"a\": 1}", false, MCRED_ERR_INVALID,
      "loading remote context failed|https://example.org/nowhere" },
    { "a context including itself",
      "{\"@context\": \"https://ex.test/self\", \"a\": 1}", false, MCRED_ERR_INVALID,
      "recursive context inclusion|https://ex.test/self" },
    { "two contexts including each other",
      "{\"@context\": \"https://ex.test/a\", \"a\": 1}", false, MCRED_ERR_INVALID,
      "recursive context inclusion" },
    { "safe mode: an undefined term, with its path",
      "{\"@context\": {\"knows\": \"http://ex.test/knows\", \"name\": \"http://ex.test/name\"},"
      " \"knows\": [{\"name\": \"x\"}, {\"nmae\": \"typo\"}]}", true, MCRED_ERR_INVALID,
      "'nmae'|$.knows[1]" },
    { "without safe mode an undefined term is dropped",
      "{\"@context\": {\"name\": \"http://ex.test/name\"}, \"@id\": \"http://ex.test/s\","
      " \"name\": \"x\", \"nmae\": \"typo\"}", false, MCRED_OK, "" },
    { "safe mode: an undefined prefix in a context @type is kept (xsd:dateTime)",
      "{\"@context\": {\"d\": {\"@id\": \"http://ex.test/d\", \"@type\": \"xsd:dateTime\"}},"
      " \"@id\": \"http://ex.test/s\", \"d\": \"2024-01-01T00:00:00Z\"}", true, MCRED_OK, "" },
    { "safe mode: a relative @type",
      "{\"@context\": {\"name\": \"http://ex.test/name\"}, \"@type\": \"Person\","
      " \"name\": \"x\"}", true, MCRED_ERR_INVALID, "safe mode|'Person'" },
    { "safe mode: a relative @id without a base",
      "{\"@context\": {\"name\": \"http://ex.test/name\"}, \"@id\": \"s1\", \"name\": \"x\"}",
      true, MCRED_ERR_INVALID, "safe mode|'s1'" },
    { "safe mode: a free-floating node reference",
      "{\"@context\": {\"name\": \"http://ex.test/name\"}, \"@id\": \"http://ex.test/s\"}",
      true, MCRED_ERR_INVALID, "safe mode" },
    { "safe mode: a term mapped to null is dropped",
      "{\"@context\": {\"@vocab\": \"http://ex.test/\", \"x\": null}, \"@id\": \"http://e/s\","
      " \"x\": 1}", true, MCRED_ERR_INVALID, "safe mode|'x'" },
    { "a protected term redefined",
      "{\"@context\": [{\"@protected\": true, \"a\": \"http://ex.test/a\"},"
      " {\"a\": \"http://ex.test/b\"}], \"a\": 1}", false, MCRED_ERR_INVALID,
      "protected term redefinition|'a'" },
    { "more than 32 remote contexts",
      "{\"@context\": [\"https://ex.test/n0\", \"https://ex.test/n1\", \"https://ex.test/n2\","
      " \"https://ex.test/n3\", \"https://ex.test/n4\", \"https://ex.test/n5\","
      " \"https://ex.test/n6\", \"https://ex.test/n7\", \"https://ex.test/n8\","
      " \"https://ex.test/n9\", \"https://ex.test/n10\", \"https://ex.test/n11\","
      " \"https://ex.test/n12\", \"https://ex.test/n13\", \"https://ex.test/n14\","
      " \"https://ex.test/n15\", \"https://ex.test/n16\", \"https://ex.test/n17\","
      " \"https://ex.test/n18\", \"https://ex.test/n19\", \"https://ex.test/n20\","
      " \"https://ex.test/n21\", \"https://ex.test/n22\", \"https://ex.test/n23\","
      " \"https://ex.test/n24\", \"https://ex.test/n25\", \"https://ex.test/n26\","
      " \"https://ex.test/n27\", \"https://ex.test/n28\", \"https://ex.test/n29\","
      " \"https://ex.test/n30\", \"https://ex.test/n31\", \"https://ex.test/n32\"], \"a\": 1}",
      false, MCRED_ERR_LIMIT, "32 remote contexts" },
};

static void test_own_cases(void)
{
    struct test_loader ld = { NULL, NULL, NULL, NULL };
    char url[64], json[128];
    size_t i;
    int k;

    add_json(&ld, "https://ex.test/self", "{\"@context\": [\"https://ex.test/self\"]}");
    add_json(&ld, "https://ex.test/a", "{\"@context\": \"https://ex.test/b\"}");
    add_json(&ld, "https://ex.test/b", "{\"@context\": [{\"x\": \"http://x/\"}, "
                                       "\"https://ex.test/a\"]}");
    for (k = 0; k <= 32; k++) {
        snprintf(url, sizeof(url), "https://ex.test/n%d", k);
        snprintf(json, sizeof(json), "{\"@context\": {\"t%d\": \"http://ex.test/t%d\"}}", k, k);
        add_json(&ld, url, json);
    }
    for (i = 0; i < sizeof(own_cases) / sizeof(own_cases[0]); i++) {
        struct mc_err err;
        cJSON *out = NULL;
        mcred_rc rc = expand_str(own_cases[i].json, &ld, own_cases[i].safe, 0, &out, &err);
        char want[256], *p, *save = NULL;

        CHECK(rc == own_cases[i].rc, "%s: rc %d (%s), want %d", own_cases[i].name, (int)rc,
              err.msg, (int)own_cases[i].rc);
        CHECK(rc != MCRED_OK || cJSON_IsArray(out), "%s: output is an array",
              own_cases[i].name);
        snprintf(want, sizeof(want), "%s", own_cases[i].msg);
        for (p = strtok_r(want, "|", &save); p; p = strtok_r(NULL, "|", &save))
            CHECK(strstr(err.msg, p) != NULL, "%s: message '%s' names '%s'", own_cases[i].name,
                  err.msg, p);
        cJSON_Delete(out);
    }
    loader_clear(&ld);
}

/* A tree deeper than mc_json_parse allows, built in code: a clean LIMIT. */
static void test_deep(void)
{
    static const int depth = 10000;
    cJSON *doc = cJSON_CreateObject(), *ctx = cJSON_CreateObject(), *cur = doc, *arr, *n;
    struct mc_jsonld_opts o;
    struct mc_err err;
    cJSON *out = NULL;
    mcred_rc rc;
    int i;

    cJSON_AddStringToObject(ctx, "@vocab", "http://ex.test/");
    cJSON_AddItemToObject(doc, "@context", ctx);
    for (i = 0; i < depth; i++) {
        n = cJSON_CreateObject();
        cJSON_AddItemToObject(cur, "a", n);
        cur = n;
    }
    memset(&o, 0, sizeof(o));
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    CHECK(rc == MCRED_ERR_LIMIT, "10000 nested maps: rc %d (%s)", (int)rc, err.msg);
    CHECK(out == NULL, "10000 nested maps: no output");
    cJSON_Delete(doc);

    arr = cJSON_CreateArray();
    cur = arr;
    for (i = 0; i < depth; i++) {
        n = cJSON_CreateArray();
        cJSON_AddItemToArray(cur, n);
        cur = n;
    }
    rc = mc_jsonld_expand(arr, &o, &out, &err);
    CHECK(rc == MCRED_ERR_LIMIT, "10000 nested arrays: rc %d (%s)", (int)rc, err.msg);
    cJSON_Delete(arr);

    /* the same depth in a scoped context, and in a JSON literal */
    doc = cJSON_CreateObject();
    ctx = cJSON_CreateObject();
    cur = ctx;
    for (i = 0; i < depth; i++) {
        n = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "@id", "http://ex.test/p");
        cJSON_AddItemToObject(cur, "p", n);
        cur = cJSON_CreateObject();
        cJSON_AddItemToObject(n, "@context", cur);
    }
    cJSON_AddItemToObject(doc, "@context", ctx);
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    CHECK(rc == MCRED_ERR_LIMIT, "10000 nested scoped contexts: rc %d (%s)", (int)rc, err.msg);
    cJSON_Delete(doc);

    /* and in @nest, which expands into the same node */
    doc = cJSON_CreateObject();
    ctx = cJSON_CreateObject();
    cJSON_AddStringToObject(ctx, "@vocab", "http://ex.test/");
    cJSON_AddStringToObject(ctx, "n", "@nest");
    cJSON_AddItemToObject(doc, "@context", ctx);
    cur = doc;
    for (i = 0; i < depth; i++) {
        n = cJSON_CreateObject();
        cJSON_AddItemToObject(cur, "n", n);
        cur = n;
    }
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    CHECK(rc == MCRED_ERR_LIMIT, "10000 nested @nest maps: rc %d (%s)", (int)rc, err.msg);
    cJSON_Delete(doc);
}

/* A 100,000-element array: expands, in bounded time and work. */
static void test_big_array(void)
{
    static const int count = 100000;
    cJSON *doc = cJSON_CreateObject(), *ctx = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    struct mc_jsonld_opts o;
    struct mc_err err;
    cJSON *out = NULL, *vals;
    struct timespec t0, t1;
    mcred_rc rc;
    int i;

    cJSON_AddStringToObject(ctx, "@vocab", "http://ex.test/");
    cJSON_AddItemToObject(doc, "@context", ctx);
    cJSON_AddStringToObject(doc, "@id", "http://ex.test/s");
    for (i = 0; i < count; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    cJSON_AddItemToObject(doc, "p", arr);
    memset(&o, 0, sizeof(o));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(rc == MCRED_OK, "100000-element array expands: %s", err.msg);
    vals = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(out, 0), "http://ex.test/p");
    CHECK(cJSON_GetArraySize(vals) == count, "100000 values out (%d)", cJSON_GetArraySize(vals));
    printf("info: 100000-element array expanded in %.1f ms\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    cJSON_Delete(out);

    o.max_work = 1000;
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    CHECK(rc == MCRED_ERR_LIMIT && strstr(err.msg, "work limit"),
          "a small work limit stops it: rc %d (%s)", (int)rc, err.msg);
    cJSON_Delete(doc);
}

/* Strings of the expanded output that must appear in the canonical N-Quads:
 * every property IRI, type and node IRI ("<...>") and every string value. */
static void check_in_nquads(const cJSON *v, const char *nq, int *missing, int *seen)
{
    const cJSON *m;
    char buf[1024];

    if (cJSON_IsArray(v)) {
        for (m = v->child; m; m = m->next)
            check_in_nquads(m, nq, missing, seen);
        return;
    }
    if (!cJSON_IsObject(v))
        return;
    for (m = v->child; m; m = m->next) {
        if (m->string[0] != '@') {
            snprintf(buf, sizeof(buf), "<%s>", m->string);
        } else if ((!strcmp(m->string, "@id") || !strcmp(m->string, "@type")) &&
                   cJSON_IsString(m)) {
            snprintf(buf, sizeof(buf), m->string[1] == 't' ? "^^<%s>" : "<%s>",
                     m->valuestring);
        } else if (!strcmp(m->string, "@value") && cJSON_IsString(m)) {
            snprintf(buf, sizeof(buf), "\"%s\"", m->valuestring);
        } else {
            buf[0] = '\0';
        }
        if (buf[0]) {
            (*seen)++;
            if (!strstr(nq, buf)) {
                (*missing)++;
                printf("  not in the canonical N-Quads: %s\n", buf);
            }
        }
        if (!strcmp(m->string, "@type") && cJSON_IsArray(m)) {
            const cJSON *ty;

            cJSON_ArrayForEach(ty, m) {
                snprintf(buf, sizeof(buf), "<%s>", ty->valuestring);
                (*seen)++;
                if (!strstr(nq, buf)) {
                    (*missing)++;
                    printf("  type not in the canonical N-Quads: %s\n", buf);
                }
            }
        } else if (cJSON_IsArray(m) || cJSON_IsObject(m)) {
            check_in_nquads(m, nq, missing, seen);
        }
    }
}

static double now_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The OB 3.0 test vector with the pinned VC 2.0 and OB 3.0 contexts: safe
 * mode passes, the output agrees with the published canonical N-Quads, the
 * cache gives the same output; and how long it takes (printed, not judged). */
static void test_ob_credential(const char *data)
{
    char *dir = cat3(data, "/contexts", ""), *path;
    struct test_loader ld = { NULL, dir, NULL, NULL };
    struct mc_jsonld_loader loader = { test_load, &ld };
    struct mc_jsonld_cache *cache = NULL;
    struct mc_jsonld_opts o;
    struct mc_err err;
    cJSON *man, *doc, *out = NULL, *out2 = NULL;
    char *nq;
    int missing = 0, seen = 0, i, iters = 2000;
    double t0, t_first, t_cached, t_nocache;
    mcred_rc rc;

    path = cat3(dir, "/manifest.json", "");
    man = parse_file(path);
    free(path);
    path = cat3(data, "/ob-clr-ldp-vectors/obv3p0/unsigned.json", "");
    doc = parse_file(path);
    free(path);
    path = cat3(data, "/ob-clr-ldp-vectors/obv3p0/document-canon.txt", "");
    nq = check_read_file(path, NULL);
    free(path);
    CHECK(man && doc && nq, "OB 3.0 vector and contexts read");
    if (!man || !doc || !nq)
        goto out;
    ld.manifest = man;
    memset(&o, 0, sizeof(o));
    o.loader = &loader;
    o.safe = true;
    rc = mc_jsonld_expand(doc, &o, &out, &err);
    CHECK(rc == MCRED_OK, "OB 3.0 credential expands in safe mode: %s", err.msg);
    check_in_nquads(out, nq, &missing, &seen);
    CHECK(seen > 20 && missing == 0, "expanded OB 3.0 credential agrees with document-canon.txt "
          "(%d of %d missing)", missing, seen);

    CHECK(mc_jsonld_cache_new(&cache) == MCRED_OK, "cache created");
    o.cache = cache;
    t0 = now_us();
    rc = mc_jsonld_expand(doc, &o, &out2, &err);
    t_first = now_us() - t0;
    CHECK(rc == MCRED_OK && cJSON_Compare(out, out2, true), "cached expansion gives the same "
          "output: %s", err.msg);
    cJSON_Delete(out2);
    t0 = now_us();
    for (i = 0; i < iters; i++) {
        out2 = NULL;
        rc = mc_jsonld_expand(doc, &o, &out2, &err);
        if (rc || !cJSON_Compare(out, out2, true))
            break;
        cJSON_Delete(out2);
    }
    t_cached = (now_us() - t0) / iters;
    CHECK(i == iters, "repeated cached expansions stay the same (%d of %d): %s", i, iters,
          err.msg);
    if (i < iters)
        cJSON_Delete(out2);
    o.cache = NULL;
    t0 = now_us();
    for (i = 0; i < 20; i++) {
        out2 = NULL;
        rc = mc_jsonld_expand(doc, &o, &out2, &err);
        cJSON_Delete(out2);
    }
    t_nocache = (now_us() - t0) / 20;
    printf("info: OB 3.0 credential expansion: first with cache %.0f us, cached %.1f us, "
           "without cache %.0f us\n", t_first, t_cached, t_nocache);
out:
    mc_jsonld_cache_free(cache);
    cJSON_Delete(out);
    cJSON_Delete(man);
    cJSON_Delete(doc);
    free(nq);
    loader_clear(&ld);
    free(dir);
}

/* Threads sharing one cache: the same output every time, also while other
 * calls (each with a new base, so new cache entries) make the cache start
 * afresh underneath them. */
struct thread_arg {
    const struct mc_jsonld_loader *loader;
    struct mc_jsonld_cache *cache;
    const cJSON *doc, *want, *small;
    int id, bad;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    struct mc_jsonld_opts o;
    struct mc_err err;
    char base[64];
    cJSON *out;
    int i;

    memset(&o, 0, sizeof(o));
    o.loader = a->loader;
    o.cache = a->cache;
    for (i = 0; i < 1200; i++) {
        out = NULL;
        if (i % 2) {
            snprintf(base, sizeof(base), "https://base.test/%d/%d", a->id, i);
            o.base = base;
            if (mc_jsonld_expand(a->small, &o, &out, &err) != MCRED_OK || !cJSON_IsArray(out))
                a->bad++;
        } else {
            o.base = NULL;
            if (mc_jsonld_expand(a->doc, &o, &out, &err) != MCRED_OK ||
                !cJSON_Compare(out, a->want, true))
                a->bad++;
        }
        cJSON_Delete(out);
    }
    return NULL;
}

static void test_threads(const char *data)
{
    static const char *small_json =
        "{\"@context\": \"https://ex.test/small\", \"@id\": \"x\", \"p\": 1}";
    char *dir = cat3(data, "/contexts", ""), *path;
    struct test_loader ld = { NULL, dir, NULL, NULL };
    struct mc_jsonld_loader loader = { test_load, &ld };
    struct thread_arg args[4];
    pthread_t th[4];
    struct mc_jsonld_cache *cache = NULL;
    struct mc_jsonld_opts o;
    struct mc_err err;
    cJSON *man, *doc, *small = NULL, *want = NULL;
    int i, bad = 0, started = 0;

    path = cat3(dir, "/manifest.json", "");
    man = parse_file(path);
    free(path);
    path = cat3(data, "/ob-clr-ldp-vectors/obv3p0/signed.json", "");
    doc = parse_file(path);
    free(path);
    add_json(&ld, "https://ex.test/small", "{\"@context\": {\"p\": \"http://ex.test/p\"}}");
    if (mc_json_parse(small_json, strlen(small_json), 0, &small, NULL) != MCRED_OK)
        small = NULL;
    ld.manifest = man;
    memset(&o, 0, sizeof(o));
    o.loader = &loader;
    /* loads every document once: the threads only read the loader */
    CHECK(man && doc && small && mc_jsonld_expand(doc, &o, &want, &err) == MCRED_OK,
          "threads: reference expansion: %s", err.msg);
    CHECK(mc_jsonld_cache_new(&cache) == MCRED_OK, "threads: cache created");
    memset(args, 0, sizeof(args));
    for (i = 0; i < 4 && want && cache; i++) {
        args[i] = (struct thread_arg){ &loader, cache, doc, want, small, i, 0 };
        if (pthread_create(&th[i], NULL, thread_main, &args[i]) != 0)
            break;
        started++;
    }
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        bad += args[i].bad;
    }
    CHECK(started == 4 && bad == 0, "4 threads sharing a cache: %d wrong of %d", bad,
          started * 1200);
    mc_jsonld_cache_free(cache);
    cJSON_Delete(want);
    cJSON_Delete(small);
    cJSON_Delete(doc);
    cJSON_Delete(man);
    loader_clear(&ld);
    free(dir);
}

/* Every allocation failing in turn: NOMEM or success, never a crash or leak. */
static void test_alloc_failures(void)
{
    static const char *json =
        "{\"@context\": [{\"@vocab\": \"http://ex.test/\", \"@protected\": true,"
        " \"T\": {\"@id\": \"http://ex.test/T\", \"@context\": {\"q\": {\"@type\": \"@id\"}}},"
        " \"l\": {\"@container\": \"@list\"}, \"m\": {\"@container\": \"@language\"}},"
        " \"https://ex.test/c\"], \"@type\": \"T\", \"q\": \"rel\", \"l\": [1, 2],"
        " \"m\": {\"en\": \"x\"}, \"r\": {\"c:x\": true}}";
    struct test_loader ld = { NULL, NULL, NULL, NULL };
    unsigned long n;
    int bad = 0;

    add_json(&ld, "https://ex.test/c", "{\"@context\": {\"c\": \"http://c.test/\"}}");
    for (n = 1; n < 5000; n++) {
        struct mc_err err;
        cJSON *out = NULL;
        mcred_rc rc;

        mcred_test_fail_alloc(n);
        rc = expand_str(json, &ld, false, 0, &out, &err);
        mcred_test_fail_alloc(0);
        cJSON_Delete(out);
        if (rc == MCRED_OK)
            break;
        if (rc != MCRED_ERR_NOMEM && rc != MCRED_ERR_INTERNAL) {
            bad++;
            printf("  allocation %lu failing gives rc %d: %s\n", n, (int)rc, err.msg);
        }
    }
    CHECK(n < 5000 && bad == 0, "allocation failures give NOMEM (%lu tried, %d wrong)", n, bad);
    loader_clear(&ld);
}

int main(void)
{
    const char *data = check_shared_data();

    test_iri();
    test_own_cases();
    test_deep();
    test_big_array();
    test_alloc_failures();
    run_suite(data, false, "uncached");
    run_suite(data, true, "cached");
    test_ob_credential(data);
    test_threads(data);
    return check_report();
}
