/* test_contexts.c - the pinned JSON-LD context store (lib/jsonld/ctxstore.c)
 * and `mcred contexts fetch` (cli/cmd_contexts.c): the embedded set loads and
 * agrees with ../shared/data/contexts (printing which copy is newer where they
 * differ), a contexts directory loads only pinned bytes, revisions are tried
 * newest first, and fetch keeps only pinned bytes, against a local HTTP
 * server started here.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include <openssl/evp.h>

#include "check.h"
#include "jsonld/ctxstore.h"
#include "util/json.h"

int cmd_contexts(int argc, char **argv);
int cli_ctxstore_open(const char *given, struct mc_ctxstore **out);

#define CLR_URL "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
#define OB303_URL "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

static const char *data_dir;   /* ../shared/data/contexts */
static char tmp_root[256];     /* everything this test writes */

/* --- helpers --------------------------------------------------------------- */

static void hex_sha256(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0, i;

    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    for (i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *read_data(const char *name, size_t *len)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", data_dir, name);
    return check_read_file(path, len);
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f)
        return -1;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char sub[1024];

    if (!d) {
        unlink(path);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        rm_rf(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Number of entries in a directory (not . and ..), -1 when it is absent. */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int n = 0;

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n;
}

static cJSON *parse(const char *p, size_t n)
{
    cJSON *v = NULL;

    if (mc_json_parse(p, n, MC_CTX_MAX_BYTES, &v, NULL) != MCRED_OK)
        return NULL;
    return v;
}

/* The data/contexts manifest, parsed. */
static cJSON *data_manifest(void)
{
    size_t n;
    char *p = read_data("manifest.json", &n);
    cJSON *m = p ? parse(p, n) : NULL;

    free(p);
    return m;
}

/* Distinct revisions pinned for url. */
static size_t pinned_revisions(const char *url)
{
    size_t i, n = 0;

    for (i = 0; i < mc_ctx_npins; i++) {
        if (strcmp(mc_ctx_pins[i].url, url) == 0 &&
            (i == 0 || strcmp(mc_ctx_pins[i - 1].url, url) != 0 ||
             strcmp(mc_ctx_pins[i - 1].rev, mc_ctx_pins[i].rev) != 0))
            n++;
    }
    return n;
}

/* --- term sets: what "newer" means for a context ---------------------------- */

struct terms {
    char *v[2048];
    size_t n;
};

static void collect_terms(const cJSON *node, const char *prefix, struct terms *t)
{
    const cJSON *c;
    char path[1024];

    cJSON_ArrayForEach(c, node) {
        if (cJSON_IsObject(node) && c->string && t->n < 2048) {
            snprintf(path, sizeof(path), "%s/%s", prefix, c->string);
            t->v[t->n++] = strdup(path);
            collect_terms(c, path, t);
        } else {
            collect_terms(c, prefix, t);
        }
    }
}

static bool has_term(const struct terms *t, const char *s)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (strcmp(t->v[i], s) == 0)
            return true;
    }
    return false;
}

static void free_terms(struct terms *t)
{
    while (t->n)
        free(t->v[--t->n]);
}

/* Print the term paths only in a, and count those only in b. */
static size_t only_in(const struct terms *a, const struct terms *b, bool print)
{
    size_t i, n = 0;

    for (i = 0; i < a->n; i++) {
        if (!has_term(b, a->v[i])) {
            if (print)
                printf("%s%s", n ? ", " : "", a->v[i]);
            n++;
        }
    }
    return n;
}

/* --- the pin table ------------------------------------------------------------ */

static void test_pin_table(void)
{
    size_t i, j;
    bool unique, contiguous;

    CHECK(mc_ctx_npins > 0, "pin table is empty");
    for (i = 0; i < mc_ctx_npins; i++) {
        const struct mc_ctx_pin *p = &mc_ctx_pins[i];
        bool hex = strlen(p->sha256) == 64;

        for (j = 0; hex && j < 64; j++)
            hex = (p->sha256[j] >= '0' && p->sha256[j] <= '9') ||
                  (p->sha256[j] >= 'a' && p->sha256[j] <= 'f');
        CHECK(hex, "pin %zu (%s): sha256 is not 64 lowercase hex digits", i, p->url);
        CHECK(p->rev && p->rev[0], "pin %zu (%s) has no revision label", i, p->url);
        CHECK(p->embedded == (strncmp(p->source, "npm ", 4) == 0),
              "pin %zu (%s): embedded rows come from npm, the others by fetch", i, p->url);
        unique = contiguous = true;
        for (j = 0; j < i; j++) {
            if (strcmp(mc_ctx_pins[j].sha256, p->sha256) == 0)
                unique = false;
            /* rows of a URL, and of a revision, are contiguous */
            if (strcmp(mc_ctx_pins[j].url, p->url) == 0 &&
                (strcmp(mc_ctx_pins[i - 1].url, p->url) != 0 ||
                 (strcmp(mc_ctx_pins[j].rev, p->rev) == 0 &&
                  strcmp(mc_ctx_pins[i - 1].rev, p->rev) != 0)))
                contiguous = false;
        }
        CHECK(unique, "pin %zu (%s): another row has the same sha256", i, p->url);
        CHECK(contiguous, "pin %zu (%s rev %s): rows are not contiguous", i, p->url, p->rev);
    }
    CHECK(pinned_revisions(OB303_URL) >= 2, "OB context-3.0.3 has its edits pinned");
}

/* --- the embedded set --------------------------------------------------------- */

static void test_embedded(void)
{
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    size_t i, j;

    CHECK_RC(mc_ctxstore_new(&s, NULL, &err), MCRED_OK, "embedded store");
    if (!s) {
        printf("  %s\n", mc_err_msg(&err));
        return;
    }
    CHECK(mc_ctx_nembedded >= 15, "%zu embedded documents", mc_ctx_nembedded);
    for (i = 0; i < mc_ctx_nembedded; i++) {
        const struct mc_ctx_blob *b = &mc_ctx_embedded[i];
        const struct mc_ctx_pin *pin = NULL;
        struct mc_ctx_info info;
        size_t k, n = mc_ctxstore_count(s, b->url);
        bool found = false;

        CHECK_RC(mc_ctx_match(b->url, b->data, b->len, "embedded", &pin, &err), MCRED_OK,
                 b->url);
        if (!pin)
            continue;
        CHECK(pin->embedded && pin->bytes == b->len, "%s: pin row says embedded, %zu bytes",
              b->url, b->len);
        CHECK(strncmp(b->source, pin->source, strlen(pin->source)) == 0,
              "%s: embedded from '%s', pinned from '%s'", b->url, b->source, pin->source);
        for (k = 0; k < n; k++) {
            if (mc_ctxstore_get(s, b->url, k, &info, NULL) == MCRED_OK &&
                strcmp(info.pin->rev, pin->rev) == 0) {
                found = true;
                CHECK(cJSON_IsObject(info.doc) &&
                      cJSON_GetObjectItemCaseSensitive(info.doc, "@context"),
                      "%s: a JSON object with @context", b->url);
            }
        }
        CHECK(found, "%s rev %s is available from the embedded store", b->url, pin->rev);
    }
    /* every pin marked embedded was embedded by the build */
    for (i = 0; i < mc_ctx_npins; i++) {
        bool found = false;
        char got[65];

        if (!mc_ctx_pins[i].embedded)
            continue;
        for (j = 0; j < mc_ctx_nembedded && !found; j++) {
            hex_sha256(mc_ctx_embedded[j].data, mc_ctx_embedded[j].len, got);
            found = strcmp(got, mc_ctx_pins[i].sha256) == 0;
        }
        CHECK(found, "pin %s (%s) is embedded", mc_ctx_pins[i].url, mc_ctx_pins[i].sha256);
    }
    mc_ctxstore_free(s);
}

/* Compare an embedded copy with the data/contexts file of the same URL. */
static void compare_copy(const struct mc_ctx_blob *b, const struct mc_ctx_pin *bp,
                         const char *file, const char *p, size_t n)
{
    const struct mc_ctx_pin *dp = NULL;
    cJSON *bd = parse((const char *)b->data, b->len), *dd = parse(p, n);
    struct terms bt = { .n = 0 }, dt = { .n = 0 };
    bool same_json = bd && dd && cJSON_Compare(bd, dd, true);
    size_t newer_only, older_only;

    CHECK_RC(mc_ctx_match(b->url, p, n, file, &dp, NULL), MCRED_OK, file);
    if (!dp || !bd || !dd)
        goto out;
    if (strcmp(dp->rev, bp->rev) == 0) {
        CHECK(same_json, "%s: npm copy and %s are pinned as one revision but differ", b->url,
              file);
        printf("  same   %s: npm and data/contexts/%s are rev %s (%s)\n", b->url, file, bp->rev,
               dp == bp ? "same bytes" : "same JSON, other bytes");
        goto out;
    }
    CHECK(!same_json, "%s: revisions '%s' and '%s' are the same JSON", b->url, bp->rev, dp->rev);
    collect_terms(bd, "", &bt);
    collect_terms(dd, "", &dt);
    /* the pin table's order says which is newer; the terms must agree */
    if (mc_ctx_pin_revision(dp) < mc_ctx_pin_revision(bp)) {
        printf("  NEWER  %s: data/contexts/%s (rev %s) is newer than the npm copy (rev %s, "
               "%s); terms only in the newer: ", b->url, file, dp->rev, bp->rev, b->source);
        newer_only = only_in(&dt, &bt, true);
        older_only = only_in(&bt, &dt, false);
    } else {
        printf("  NEWER  %s: the npm copy (rev %s, %s) is newer than data/contexts/%s (rev %s); "
               "terms only in the newer: ", b->url, bp->rev, b->source, file, dp->rev);
        newer_only = only_in(&bt, &dt, true);
        older_only = only_in(&dt, &bt, false);
    }
    printf("\n");
    CHECK(newer_only > 0 && older_only == 0,
          "%s: the newer revision keeps every term of the older and adds some "
          "(%zu added, %zu dropped)", b->url, newer_only, older_only);
out:
    free_terms(&bt);
    free_terms(&dt);
    cJSON_Delete(bd);
    cJSON_Delete(dd);
}

/* Every embedded document equals the data/contexts copy, or is pinned as an
 * older/newer revision of it; for each differing URL, say which is newer. */
static void test_embedded_vs_shared(void)
{
    cJSON *man = data_manifest();
    size_t i;

    CHECK(man != NULL, "data/contexts/manifest.json parses");
    for (i = 0; man && i < mc_ctx_nembedded; i++) {
        const struct mc_ctx_blob *b = &mc_ctx_embedded[i];
        const char *file = mc_json_str(man, b->url);
        const struct mc_ctx_pin *bp = NULL;
        char *p;
        size_t n;

        CHECK(file != NULL, "%s is in data/contexts/manifest.json", b->url);
        if (!file || mc_ctx_match(b->url, b->data, b->len, "embedded", &bp, NULL))
            continue;
        p = read_data(file, &n);
        CHECK(p != NULL, "read data/contexts/%s", file);
        if (p)
            compare_copy(b, bp, file, p, n);
        free(p);
    }
    cJSON_Delete(man);
}

/* --- a contexts directory ------------------------------------------------------ */

static void test_shared_dir(void)
{
    struct mc_ctxstore *s = NULL, *t = NULL;
    struct mc_err err = { 0 };
    struct mc_ctx_info info;
    cJSON *man = data_manifest();
    const cJSON *e;
    char vdir[1024];
    size_t nfiles = 0, want, i, len;
    char *p;

    snprintf(vdir, sizeof(vdir), "%s/variants", data_dir);
    want = (size_t)cJSON_GetArraySize(man) + (size_t)count_entries(vdir);
    CHECK_RC(mc_ctxstore_new(&s, data_dir, &err), MCRED_OK, "store with data/contexts");
    if (!s)
        printf("  %s\n", mc_err_msg(&err));
    CHECK_RC(mc_ctxstore_new(&t, NULL, &err), MCRED_OK, "embedded store");
    if (t) {
        CHECK_RC(mc_ctxstore_add_dir(t, data_dir, &nfiles, &err), MCRED_OK, "add data/contexts");
        CHECK(nfiles == want, "%zu files accepted, %zu in data/contexts", nfiles, want);
    }
    /* every pinned revision is then available */
    for (i = 0; s && i < mc_ctx_npins; i++) {
        const char *url = mc_ctx_pins[i].url;

        if (i > 0 && strcmp(mc_ctx_pins[i - 1].url, url) == 0)
            continue;
        CHECK(mc_ctxstore_count(s, url) == pinned_revisions(url),
              "%s: %zu of %zu pinned revisions available", url, mc_ctxstore_count(s, url),
              pinned_revisions(url));
    }
    /* the file data/contexts names for a URL is its newest pinned revision */
    cJSON_ArrayForEach(e, man) {
        const struct mc_ctx_pin *pin = NULL;

        p = read_data(e->valuestring, &len);
        if (!s || !p) {
            free(p);
            continue;
        }
        CHECK_RC(mc_ctx_match(e->string, p, len, e->valuestring, &pin, NULL), MCRED_OK,
                 e->valuestring);
        CHECK(pin && mc_ctx_pin_revision(pin) == 0, "%s is the newest revision of %s",
              e->valuestring, e->string);
        CHECK(pin && pin->bytes == len, "%s: the pin row records %zu bytes", e->valuestring, len);
        free(p);
    }
    if (s) {
        CHECK_RC(mc_ctxstore_get(s, OB303_URL, 0, &info, &err), MCRED_OK, "OB 3.0.3 newest");
        CHECK(info.origin && strstr(info.origin, "ob-v3p0-context-3.0.3.json"),
              "newest OB 3.0.3 comes from data/contexts (%s)", info.origin);
        CHECK(info.doc && cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(info.doc, "@context"), "jti"),
              "newest OB 3.0.3 defines jti");
        CHECK_RC(mc_ctxstore_get(s, OB303_URL, 1, &info, &err), MCRED_OK, "OB 3.0.3 older");
        CHECK(info.pin && info.pin->embedded, "the older OB 3.0.3 edit is the npm copy");
    }
    cJSON_Delete(man);
    mc_ctxstore_free(s);
    mc_ctxstore_free(t);
}

/* Write dir/manifest.json mapping url to name, and dir/name with p[0..n). */
static void make_dir(const char *dir, const char *url, const char *name, const char *p,
                     size_t n)
{
    char path[1024], man[1024];

    mkdir(dir, 0755);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_file(path, p, n);
    snprintf(man, sizeof(man), "{\"%s\": \"%s\"}\n", url, name);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    write_file(path, man, strlen(man));
}

static void test_tampered(void)
{
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    char dir[512], path[1024], got[65], *p, *q;
    size_t n, nfiles = 7;

    p = read_data("clr-v2p0-context-2.0.0.json", &n);
    CHECK(p != NULL, "read the CLR 2.0 context");
    if (!p)
        return;
    CHECK_RC(mc_ctxstore_new(&s, NULL, &err), MCRED_OK, "embedded store");
    if (!s) {
        free(p);
        return;
    }
    /* a term pointed elsewhere */
    q = strstr(p, "https://purl.imsglobal.org/spec/vc/clr/vocab.html#");
    CHECK(q != NULL, "the CLR context names its vocabulary");
    if (q)
        memcpy(q, "https://evil.example.org/xx/vc/clr/vocab.html#", 46);
    hex_sha256(p, n, got);
    snprintf(dir, sizeof(dir), "%s/tampered", tmp_root);
    make_dir(dir, CLR_URL, "clr.json", p, n);
    CHECK_RC(mc_ctxstore_add_dir(s, dir, &nfiles, &err), MCRED_ERR_VERIFY, "tampered CLR");
    CHECK(strstr(err.msg, "clr.json") && strstr(err.msg, got) &&
          strstr(err.msg, "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167"),
          "the message names the file and both hashes: %s", err.msg);
    CHECK(nfiles == 0 && mc_ctxstore_count(s, CLR_URL) == 0, "nothing was added");

    /* one byte of whitespace is tampering too: pins are exact bytes */
    free(p);
    p = read_data("clr-v2p0-context-2.0.0.json", &n);
    snprintf(dir, sizeof(dir), "%s/space", tmp_root);
    q = realloc(p, n + 2);
    if (q) {
        p = q;
        p[n++] = ' ';
        make_dir(dir, CLR_URL, "clr.json", p, n);
        CHECK_RC(mc_ctxstore_add_dir(s, dir, NULL, &err), MCRED_ERR_VERIFY, "CLR plus a space");
    }

    /* an unknown variant, an unpinned URL, a path in the manifest */
    snprintf(dir, sizeof(dir), "%s/variant", tmp_root);
    make_dir(dir, CLR_URL, "clr.json", p, n - 1);
    snprintf(path, sizeof(path), "%s/variants", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/variants/other.json", dir);
    write_file(path, "{\"@context\": {}}", 16);
    CHECK_RC(mc_ctxstore_add_dir(s, dir, NULL, &err), MCRED_ERR_VERIFY, "unpinned variant");
    CHECK(strstr(err.msg, "other.json") != NULL, "names the variant: %s", err.msg);
    CHECK(mc_ctxstore_count(s, CLR_URL) == 0, "a failed directory adds nothing");

    snprintf(dir, sizeof(dir), "%s/unknown", tmp_root);
    make_dir(dir, "https://example.org/my-context", "mine.json", "{\"@context\": {}}", 16);
    CHECK_RC(mc_ctxstore_add_dir(s, dir, NULL, &err), MCRED_ERR_NOTFOUND, "unpinned URL");
    CHECK(strstr(err.msg, "https://example.org/my-context") != NULL, "names it: %s", err.msg);

    snprintf(dir, sizeof(dir), "%s/escape", tmp_root);
    make_dir(dir, CLR_URL, "x.json", p, n - 1);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    write_file(path, "{\"" CLR_URL "\": \"../space/clr.json\"}", 23 + strlen(CLR_URL));
    CHECK_RC(mc_ctxstore_add_dir(s, dir, NULL, &err), MCRED_ERR_INVALID, "a path in manifest");

    CHECK_RC(mc_ctxstore_add_dir(s, tmp_root, NULL, &err), MCRED_ERR_NOTFOUND, "no manifest");

    /* and the untouched copy is accepted */
    snprintf(dir, sizeof(dir), "%s/good", tmp_root);
    make_dir(dir, CLR_URL, "clr.json", p, n - 1);
    CHECK_RC(mc_ctxstore_add_dir(s, dir, &nfiles, &err), MCRED_OK, "untouched CLR");
    CHECK(nfiles == 1 && mc_ctxstore_count(s, CLR_URL) == 1, "CLR 2.0 is now available");
    free(p);
    mc_ctxstore_free(s);
}

/* --- loaders --------------------------------------------------------------------- */

static void test_loaders(void)
{
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    struct mc_jsonld_loader ld;
    struct mc_ctxsel sel;
    struct mc_ctx_info info0, info1, info2;
    struct mc_buf b;
    const cJSON *doc = NULL;
    const struct mc_ctx_pin *pin;

    CHECK_RC(mc_ctxstore_new(&s, data_dir, &err), MCRED_OK, "store with data/contexts");
    if (!s)
        return;
    mc_ctxstore_loader(s, &ld);
    CHECK_RC(ld.load(ld.ud, "https://example.org/unknown/v1", &doc, &err), MCRED_ERR_NOTFOUND,
             "unknown URL");
    CHECK(doc == NULL && strstr(err.msg, "https://example.org/unknown/v1"),
          "the message names the URL: %s", err.msg);
    CHECK_RC(ld.load(ld.ud, OB303_URL, &doc, &err), MCRED_OK, "OB 3.0.3");
    CHECK_RC(mc_ctxstore_get(s, OB303_URL, 0, &info0, &err), MCRED_OK, "newest");
    CHECK_RC(mc_ctxstore_get(s, OB303_URL, 1, &info1, &err), MCRED_OK, "older");
    CHECK(doc == info0.doc, "signing loads the newest revision");
    CHECK_RC(mc_ctxstore_get(s, OB303_URL, 2, &info2, &err), MCRED_ERR_NOTFOUND, "no third");
    CHECK(info2.doc == NULL && info2.pin == NULL, "output zeroed on failure");

    /* verifying: newest first, then the older edit, then nothing more */
    mc_ctxsel_init(&sel, s);
    mc_ctxsel_loader(&sel, &ld);
    CHECK_RC(ld.load(ld.ud, "https://www.w3.org/ns/credentials/v2", &doc, &err), MCRED_OK, "v2");
    CHECK_RC(ld.load(ld.ud, OB303_URL, &doc, &err), MCRED_OK, "attempt 1");
    CHECK(doc == info0.doc, "attempt 1 uses the newest OB 3.0.3");
    pin = mc_ctxsel_chosen(&sel, OB303_URL);
    CHECK(pin == info0.pin, "attempt 1 names the newest");
    CHECK(mc_ctxsel_next(&sel), "a second attempt exists");
    CHECK_RC(ld.load(ld.ud, OB303_URL, &doc, &err), MCRED_OK, "attempt 2");
    CHECK(doc == info1.doc, "attempt 2 uses the older OB 3.0.3");
    pin = mc_ctxsel_chosen(&sel, OB303_URL);
    CHECK(pin == info1.pin && pin->embedded, "attempt 2 names the older (npm) edit");
    mc_buf_init(&b, 4096);
    CHECK_RC(mc_ctxsel_describe(&sel, &b), MCRED_OK, "describe");
    CHECK(b.ptr && strstr(b.ptr, OB303_URL) && strstr(b.ptr, info1.pin->rev),
          "the verdict names the revision: %s", b.ptr ? b.ptr : "");
    printf("  verdict text: %s\n", b.ptr ? b.ptr : "");
    mc_buf_release(&b);
    CHECK(!mc_ctxsel_next(&sel), "every combination was tried");
    CHECK_RC(mc_ctxsel_pick(&sel, OB303_URL, 5, &err), MCRED_ERR_NOTFOUND, "no revision 5");
    CHECK_RC(mc_ctxsel_pick(&sel, OB303_URL, 0, &err), MCRED_OK, "pick the newest again");
    CHECK_RC(ld.load(ld.ud, OB303_URL, &doc, &err), MCRED_OK, "picked");
    CHECK(doc == info0.doc, "pick selects the revision");
    mc_ctxstore_free(s);

    /* a pinned URL with no copy loaded: not found, and says how to get it */
    CHECK_RC(mc_ctxstore_new(&s, NULL, &err), MCRED_OK, "embedded store");
    if (!s)
        return;
    mc_ctxstore_loader(s, &ld);
    CHECK_RC(ld.load(ld.ud, CLR_URL, &doc, &err), MCRED_ERR_NOTFOUND, "CLR not embedded");
    CHECK(strstr(err.msg, CLR_URL) && strstr(err.msg, "fetch"), "says how: %s", err.msg);
    CHECK_RC(ld.load(ld.ud, OB303_URL, &doc, &err), MCRED_OK, "embedded OB 3.0.3");
    CHECK_RC(mc_ctxstore_get(s, OB303_URL, 0, &info0, &err), MCRED_OK, "newest available");
    CHECK(info0.pin && info0.pin->embedded && mc_ctx_pin_revision(info0.pin) == 1,
          "without a directory, the newest available OB 3.0.3 is the npm edit");
    mc_ctxstore_free(s);
}

/* --- the fetch cache ---------------------------------------------------------------- */

static void test_cache(void)
{
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    const struct mc_ctx_pin *pin = NULL;
    char dir[512], vdir[600], *newest, *older;
    size_t nn, no, nfiles = 0;

    newest = read_data("ob-v3p0-context-3.0.3.json", &nn);
    older = read_data("variants/ob-v3p0-context-3.0.3.spec-repo-2024-03.json", &no);
    CHECK(newest && older, "read both OB 3.0.3 edits");
    if (!newest || !older)
        goto out;
    snprintf(dir, sizeof(dir), "%s/cache/sub", tmp_root);
    snprintf(vdir, sizeof(vdir), "%s/variants", dir);
    CHECK_RC(mc_ctxcache_put(dir, OB303_URL, older, no, &pin, &err), MCRED_OK, "put older");
    CHECK(pin && mc_ctx_pin_revision(pin) == 1, "the older edit matched");
    CHECK(count_entries(dir) == 2 && count_entries(vdir) == -1, "file + manifest");
    CHECK_RC(mc_ctxcache_put(dir, OB303_URL, newest, nn, &pin, &err), MCRED_OK, "put newest");
    CHECK(count_entries(dir) == 3 && count_entries(vdir) == 1, "the older moved to variants/");
    CHECK_RC(mc_ctxcache_put(dir, OB303_URL, older, no, &pin, &err), MCRED_OK, "older again");
    CHECK(count_entries(dir) == 3 && count_entries(vdir) == 1, "stays a variant");
    newest[100] ^= 1;
    CHECK_RC(mc_ctxcache_put(dir, OB303_URL, newest, nn, &pin, &err), MCRED_ERR_VERIFY,
             "tampered");
    CHECK(pin == NULL && count_entries(dir) == 3 && count_entries(vdir) == 1, "nothing written");
    CHECK_RC(mc_ctxcache_put(dir, "https://example.org/x", older, no, &pin, &err),
             MCRED_ERR_NOTFOUND, "unpinned URL");
    CHECK_RC(mc_ctxstore_new(&s, NULL, &err), MCRED_OK, "store");
    if (s) {
        CHECK_RC(mc_ctxstore_add_dir(s, dir, &nfiles, &err), MCRED_OK, "the cache loads");
        CHECK(nfiles == 2, "%zu files", nfiles);
    }
    mc_ctxstore_free(s);
out:
    free(newest);
    free(older);
}

/* --- fetch against a local HTTP server ------------------------------------------------ */

struct server {
    pid_t pid;
    int port;
};

/* python3 -m http.server on 127.0.0.1, port 0, serving dir; reads the port it prints. */
static int server_start(struct server *sv, const char *dir)
{
    int fds[2], nul;
    char line[512];
    size_t n = 0;
    struct pollfd pfd;
    const char *portp;
    ssize_t r;

    sv->pid = -1;
    sv->port = 0;
    if (pipe(fds) != 0)
        return -1;
    sv->pid = fork();
    if (sv->pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);   /* never outlive a crashed test */
#endif
        nul = open("/dev/null", O_WRONLY);
        dup2(fds[1], STDOUT_FILENO);
        if (nul >= 0)
            dup2(nul, STDERR_FILENO);
        close(fds[0]);
        execlp("python3", "python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
               "--directory", dir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    while (sv->pid > 0 && n < sizeof(line) - 1 && !memchr(line, '\n', n)) {
        if (poll(&pfd, 1, 15000) <= 0)
            break;
        r = read(fds[0], line + n, sizeof(line) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fds[0]);
    line[n] = '\0';
    portp = strstr(line, " port ");
    if (portp)
        sv->port = atoi(portp + 6);
    return sv->port > 0 ? 0 : -1;
}

static void server_stop(struct server *sv)
{
    if (sv->pid > 0) {
        kill(sv->pid, SIGTERM);
        waitpid(sv->pid, NULL, 0);
        sv->pid = -1;
    }
}

static int run_fetch(const char *dir, const char *url, int port)
{
    char base[64];
    char *argv[12];
    int argc = 0;

    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    argv[argc++] = "contexts";
    argv[argc++] = "fetch";
    if (dir) {
        argv[argc++] = "--dir";
        argv[argc++] = (char *)(uintptr_t)dir;
    }
    argv[argc++] = "--only";
    argv[argc++] = (char *)(uintptr_t)url;
    argv[argc++] = "--base-url-override";
    argv[argc++] = base;
    argv[argc] = NULL;
    fflush(stdout);
    return cmd_contexts(argc, argv);
}

static void test_fetch(void)
{
    struct server sv;
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    char served[512], path[1024], cache[512], bad[512], home[512];
    char *p;
    size_t n;
    int rc;

    snprintf(served, sizeof(served), "%s/www", tmp_root);
    snprintf(path, sizeof(path), "%s/spec", served);
    mkdir(served, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/spec/clr", served);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/spec/clr/v2p0", served);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/spec/clr/v2p0/context.json", served);
    p = read_data("clr-v2p0-context-2.0.0.json", &n);
    CHECK(p && write_file(path, p, n) == 0, "serve a copy of the CLR 2.0 context");
    if (!p)
        return;
    /* loopback requests must not go to a proxy */
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    rc = server_start(&sv, served);
    CHECK(rc == 0, "python3 -m http.server started on 127.0.0.1 (port %d)", sv.port);
    if (rc) {
        server_stop(&sv);
        free(p);
        return;
    }

    snprintf(cache, sizeof(cache), "%s/fetched", tmp_root);
    CHECK_RC(run_fetch(cache, CLR_URL, sv.port), 0, "fetch CLR 2.0");
    CHECK_RC(mc_ctxstore_new(&s, cache, &err), MCRED_OK, "the cache loads");
    CHECK(s && mc_ctxstore_count(s, CLR_URL) == 1, "CLR 2.0 is available after fetch");
    mc_ctxstore_free(s);

    /* MCRED_HOME/contexts is the default */
    snprintf(home, sizeof(home), "%s/home", tmp_root);
    setenv("MCRED_HOME", home, 1);
    CHECK_RC(run_fetch(NULL, CLR_URL, sv.port), 0, "fetch into $MCRED_HOME/contexts");
    snprintf(path, sizeof(path), "%s/contexts/manifest.json", home);
    CHECK(access(path, R_OK) == 0, "%s exists", path);
    /* and what the signing and verifying commands then load by default */
    CHECK_RC(cli_ctxstore_open(NULL, &s), 0, "cli_ctxstore_open reads $MCRED_HOME/contexts");
    CHECK(s && mc_ctxstore_count(s, CLR_URL) == 1, "CLR 2.0 from the default cache");
    mc_ctxstore_free(s);
    s = NULL;
    snprintf(path, sizeof(path), "%s/tampered", tmp_root);
    CHECK_RC(cli_ctxstore_open(path, &s), 1, "--contexts-dir with a tampered file");
    CHECK(s == NULL, "no store from a tampered directory");

    /* served bytes that differ from the pin: nothing kept */
    snprintf(path, sizeof(path), "%s/spec/clr/v2p0/context.json", served);
    p[n / 2] = p[n / 2] == 'a' ? 'b' : 'a';
    write_file(path, p, n);
    snprintf(bad, sizeof(bad), "%s/rejected", tmp_root);
    CHECK_RC(run_fetch(bad, CLR_URL, sv.port), 1, "fetch of tampered bytes fails");
    CHECK(count_entries(bad) <= 0, "nothing kept (%d entries)", count_entries(bad));
    CHECK_RC(run_fetch(cache, CLR_URL, sv.port), 1, "tampered bytes into the good cache");
    CHECK_RC(mc_ctxstore_new(&s, cache, &err), MCRED_OK, "the good cache still loads");
    mc_ctxstore_free(s);

    /* not served: an input/output error, nothing kept */
    CHECK_RC(run_fetch(bad, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                       sv.port), 2, "404");
    CHECK(count_entries(bad) <= 0, "nothing kept after a 404");
    server_stop(&sv);
    free(p);
}

/* --- allocation failures ------------------------------------------------------------- */

static void test_alloc_failures(void)
{
    struct mc_ctxstore *s;
    struct mc_err err;
    unsigned long nth;
    mcred_rc rc;
    int runs = 0;

    /* quadratic in allocations: every one of the first 60, then a sample */
    for (nth = 1; nth < 1000000; nth = nth < 60 ? nth + 1 : nth + nth / 3) {
        s = NULL;
        mcred_test_fail_alloc(nth);
        rc = mc_ctxstore_new(&s, data_dir, &err);
        mcred_test_fail_alloc(0);
        runs++;
        mc_ctxstore_free(s);
        if (rc == MCRED_OK)
            break;
        CHECK(s == NULL && (rc == MCRED_ERR_NOMEM || rc == MCRED_ERR_INTERNAL ||
                            rc == MCRED_ERR_INVALID),
              "allocation %lu failed: rc %d (%s)", nth, rc, mc_err_msg(&err));
    }
    CHECK(rc == MCRED_OK, "the store loads once allocations succeed (%d runs)", runs);
    printf("  allocation failures: %d runs, up to allocation %lu\n", runs, nth);
}

int main(void)
{
    const char *shared = check_shared_data();
    const char *tmp = getenv("TMPDIR");
    static char dd[1024];

    snprintf(dd, sizeof(dd), "%s/contexts", shared);
    data_dir = dd;
    snprintf(tmp_root, sizeof(tmp_root), "%s/mcred-ctx-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(tmp_root)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_pin_table();
    test_embedded();
    test_embedded_vs_shared();
    test_shared_dir();
    test_tampered();
    test_loaders();
    test_cache();
    test_fetch();
    test_alloc_failures();
    rm_rf(tmp_root);
    return check_report();
}
