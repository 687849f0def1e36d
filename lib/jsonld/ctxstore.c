/* ctxstore.c - the pinned JSON-LD context store (ctxstore.h): checks bytes
 * against the pin table, holds the parsed revisions of every pinned URL,
 * serves them to the JSON-LD processor through loaders, and writes the cache
 * directory that `mcred contexts fetch` fills.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "jsonld/ctxstore.h"

#define SHA256_HEX 65               /* 64 hex digits and a NUL */
#define MANIFEST "manifest.json"
#define VARIANTS "variants"
#define MANIFEST_MAX ((size_t)1 << 20)
#define NAME_MAX_LEN 200            /* a file name in a contexts directory */

/* One revision slot of a URL; doc is NULL while no copy was loaded. */
struct ctx_rev {
    const struct mc_ctx_pin *pin;   /* the pin the loaded bytes matched */
    const char *origin;             /* static, or owned_origin */
    char *owned_origin;             /* owned path of the file, or NULL */
    cJSON *doc;                     /* owned, immutable once stored */
};

struct ctx_url {
    const char *url;                 /* static, from the pin table */
    size_t nrevs;                    /* pinned revisions */
    struct ctx_rev revs[MC_CTX_MAX_REVS]; /* by revision, newest first */
};

struct mc_ctxstore {
    struct ctx_url *urls;  /* owned, one per pinned URL, in table order */
    size_t nurls;
};

/* --- pins ------------------------------------------------------------------ */

static void sha256_hex(const void *p, size_t n, char out[SHA256_HEX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    unsigned int i;

    if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        memset(out, '0', SHA256_HEX - 1);  /* matches no pin: fails closed */
        out[SHA256_HEX - 1] = '\0';
        return;
    }
    for (i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* Index of the first pin row of url, or mc_ctx_npins when url is not pinned. */
static size_t first_pin(const char *url)
{
    size_t i;

    for (i = 0; i < mc_ctx_npins; i++) {
        if (strcmp(mc_ctx_pins[i].url, url) == 0)
            return i;
    }
    return mc_ctx_npins;
}

size_t mc_ctx_pin_revision(const struct mc_ctx_pin *pin)
{
    size_t i = first_pin(pin->url), rev = 0;

    for (; i < mc_ctx_npins && &mc_ctx_pins[i] != pin; i++) {
        if (i + 1 < mc_ctx_npins && strcmp(mc_ctx_pins[i + 1].rev, mc_ctx_pins[i].rev) != 0)
            rev++;
    }
    return rev;
}

bool mc_ctx_url_embedded(const char *url)
{
    size_t i = first_pin(url), j;
    bool found;

    for (; i < mc_ctx_npins && strcmp(mc_ctx_pins[i].url, url) == 0; i++) {
        found = false;
        for (j = first_pin(url); j < mc_ctx_npins && strcmp(mc_ctx_pins[j].url, url) == 0; j++) {
            if (mc_ctx_pins[j].embedded && strcmp(mc_ctx_pins[j].rev, mc_ctx_pins[i].rev) == 0)
                found = true;
        }
        if (!found)
            return false;
    }
    return true;
}

mcred_rc mc_ctx_match(const char *url, const void *p, size_t n, const char *what,
                      const struct mc_ctx_pin **pin, struct mc_err *err)
{
    char got[SHA256_HEX];
    size_t i = first_pin(url), first = i, npins = 0;

    *pin = NULL;
    if (i == mc_ctx_npins) {
        mc_err_set(err, MCRED_ERR_NOTFOUND, "context '%s' (%s) is not a pinned context url", url,
                   what);
        return MCRED_ERR_NOTFOUND;
    }
    if (n > MC_CTX_MAX_BYTES) {
        mc_err_set(err, MCRED_ERR_LIMIT, "context '%s' (%s) has %zu bytes, more than %zu", url,
                   what, n, MC_CTX_MAX_BYTES);
        return MCRED_ERR_LIMIT;
    }
    sha256_hex(p, n, got);
    for (; i < mc_ctx_npins && strcmp(mc_ctx_pins[i].url, url) == 0; i++, npins++) {
        if (strcmp(mc_ctx_pins[i].sha256, got) == 0) {
            *pin = &mc_ctx_pins[i];
            return MCRED_OK;
        }
    }
    /* Hashes first: they are what the reader compares, and the message is capped. */
    mc_err_set(err, MCRED_ERR_VERIFY, "%s rejected: sha256 %s, pinned %s%s for '%s'", what, got,
               mc_ctx_pins[first].sha256, npins > 1 ? " (and other revisions)" : "", url);
    return MCRED_ERR_VERIFY;
}

/* --- the store ------------------------------------------------------------- */

static struct ctx_url *find_url(const struct mc_ctxstore *s, const char *url)
{
    size_t i;

    for (i = 0; i < s->nurls; i++) {
        if (strcmp(s->urls[i].url, url) == 0)
            return &s->urls[i];
    }
    return NULL;
}

static void rev_release(struct ctx_rev *r)
{
    cJSON_Delete(r->doc);
    mc_free(r->owned_origin);
    memset(r, 0, sizeof(*r));
}

void mc_ctxstore_free(struct mc_ctxstore *s)
{
    size_t i, j;

    if (!s)
        return;
    for (i = 0; i < s->nurls; i++) {
        for (j = 0; j < s->urls[i].nrevs; j++)
            rev_release(&s->urls[i].revs[j]);
    }
    mc_free(s->urls);
    mc_free(s);
}

/* One slot per pinned URL, with its number of revisions. */
static mcred_rc build_index(struct mc_ctxstore *s, struct mc_err *err)
{
    size_t i, nurls = 0;
    struct ctx_url *u = NULL;

    for (i = 0; i < mc_ctx_npins; i++) {
        if (i == 0 || strcmp(mc_ctx_pins[i].url, mc_ctx_pins[i - 1].url) != 0)
            nurls++;
    }
    s->urls = mc_allocarray(nurls ? nurls : 1, sizeof(*s->urls));
    if (!s->urls)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate the context index");
    memset(s->urls, 0, (nurls ? nurls : 1) * sizeof(*s->urls));
    for (i = 0; i < mc_ctx_npins; i++) {
        const struct mc_ctx_pin *p = &mc_ctx_pins[i];

        if (!u || strcmp(u->url, p->url) != 0) {
            if (find_url(s, p->url))
                return mc_err_set(err, MCRED_ERR_INTERNAL,
                                  "pin table: rows of '%s' are not contiguous", p->url);
            u = &s->urls[s->nurls++];
            u->url = p->url;
            u->nrevs = 1;
        } else if (strcmp(mc_ctx_pins[i - 1].rev, p->rev) != 0) {
            u->nrevs++;
        }
        if (u->nrevs > MC_CTX_MAX_REVS)
            return mc_err_set(err, MCRED_ERR_INTERNAL, "pin table: '%s' has more than %d revisions",
                              p->url, MC_CTX_MAX_REVS);
    }
    return MCRED_OK;
}

static mcred_rc load_embedded(struct mc_ctxstore *s, struct mc_err *err)
{
    size_t i;
    mcred_rc rc;

    for (i = 0; i < mc_ctx_nembedded; i++) {
        const struct mc_ctx_blob *b = &mc_ctx_embedded[i];
        const struct mc_ctx_pin *pin;
        struct ctx_rev *r;

        rc = mc_ctx_match(b->url, b->data, b->len, b->source, &pin, err);
        if (rc)
            return mc_err_set(err, MCRED_ERR_INTERNAL, "embedded context: %s", mc_err_msg(err));
        r = &find_url(s, b->url)->revs[mc_ctx_pin_revision(pin)];
        if (r->doc)
            continue;
        rc = mc_json_parse((const char *)b->data, b->len, MC_CTX_MAX_BYTES, &r->doc, err);
        if (rc)   /* pinned bytes parse: only running out of memory gets here */
            return mc_err_set(err, rc, "embedded context '%s': %s", b->url, mc_err_msg(err));
        r->pin = pin;
        r->origin = b->source;
    }
    return MCRED_OK;
}

mcred_rc mc_ctxstore_new(struct mc_ctxstore **out, const char *dir, struct mc_err *err)
{
    struct mc_ctxstore *s;
    mcred_rc rc;

    *out = NULL;
    s = mc_calloc(1, sizeof(*s));
    if (!s)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate the context store");
    rc = build_index(s, err);
    if (!rc)
        rc = load_embedded(s, err);
    if (!rc && dir)
        rc = mc_ctxstore_add_dir(s, dir, NULL, err);
    if (rc) {
        mc_ctxstore_free(s);
        return rc;
    }
    *out = s;
    return MCRED_OK;
}

/* --- reading a contexts directory ------------------------------------------ */

/* Read a regular file of at most max bytes into b. */
static mcred_rc read_file(const char *path, size_t max, struct mc_buf *b, struct mc_err *err)
{
    struct stat st;
    char chunk[16384];
    ssize_t got = 0;
    mcred_rc rc = MCRED_OK;
    int fd;

    mc_buf_init(b, max);   /* defined on every path */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mc_err_set(err, errno == ENOENT ? MCRED_ERR_NOTFOUND : MCRED_ERR_IO,
                          "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mc_err_set(err, MCRED_ERR_IO, "'%s' is not a regular file", path);
    }
    for (;;) {
        got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        rc = mc_buf_append(b, chunk, (size_t)got);
        if (rc)
            break;
    }
    if (!rc && got < 0)
        rc = mc_err_set(err, MCRED_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    else if (rc == MCRED_ERR_LIMIT)
        mc_err_set(err, rc, "'%s' is larger than %zu bytes", path, max);
    else if (rc)
        mc_err_set(err, rc, "cannot read '%s': %s", path, mcred_strerror(rc));
    close(fd);
    if (rc)
        mc_buf_release(b);
    return rc;
}

static mcred_rc join(char *out, size_t cap, const char *a, const char *b, const char *c,
                     struct mc_err *err)
{
    int n = c ? snprintf(out, cap, "%s/%s/%s", a, b, c) : snprintf(out, cap, "%s/%s", a, b);

    if (n < 0 || (size_t)n >= cap)
        return mc_err_set(err, MCRED_ERR_LIMIT, "path '%s/%s' is too long", a, b);
    return MCRED_OK;
}

/* A plain file name: no directory part, not hidden, printable ASCII. */
static bool name_ok(const char *name)
{
    size_t i, n = strlen(name);

    if (n == 0 || n > NAME_MAX_LEN || name[0] == '.')
        return false;
    for (i = 0; i < n; i++) {
        if (name[i] == '/' || name[i] == '\\' || name[i] < 0x21 || name[i] > 0x7e)
            return false;
    }
    return true;
}

/* Files accepted from one directory, committed to the store only at the end. */
struct staging {
    size_t n;
    struct {
        struct ctx_url *u;
        size_t rev;
        struct ctx_rev r;
    } item[MC_CTX_MAX_FILES];
};

/* Check the file at path against the pins (of url, or of any URL when url is
 * NULL) and stage its parsed document. */
static mcred_rc stage_file(struct mc_ctxstore *s, struct staging *st, const char *url,
                           const char *path, struct mc_err *err)
{
    struct mc_buf b;
    const struct mc_ctx_pin *pin = NULL;
    char got[SHA256_HEX], what[300];
    size_t i;
    mcred_rc rc;

    if (st->n == MC_CTX_MAX_FILES)
        return mc_err_set(err, MCRED_ERR_LIMIT, "more than %d context files", MC_CTX_MAX_FILES);
    rc = read_file(path, MC_CTX_MAX_BYTES, &b, err);
    if (rc)
        return rc;
    snprintf(what, sizeof(what), "context file '%s'", path);
    if (url) {
        rc = mc_ctx_match(url, b.ptr ? b.ptr : "", b.len, what, &pin, err);
    } else {
        sha256_hex(b.ptr ? b.ptr : "", b.len, got);
        for (i = 0; i < mc_ctx_npins && !pin; i++) {
            if (strcmp(mc_ctx_pins[i].sha256, got) == 0)
                pin = &mc_ctx_pins[i];
        }
        if (!pin) {
            mc_err_set(err, MCRED_ERR_VERIFY,
                       "%s rejected: sha256 %s matches no pinned context revision", what, got);
            rc = MCRED_ERR_VERIFY;
        }
    }
    if (!rc && pin) {
        struct ctx_rev *r = &st->item[st->n].r;

        memset(r, 0, sizeof(*r));
        rc = mc_json_parse(b.ptr ? b.ptr : "", b.len, MC_CTX_MAX_BYTES, &r->doc, err);
        r->owned_origin = rc ? NULL : mc_strdup(path);
        if (!rc && !r->owned_origin)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "cannot record '%s'", path);
        if (rc) {
            rev_release(r);
        } else {
            r->pin = pin;
            r->origin = r->owned_origin;
            st->item[st->n].u = find_url(s, pin->url);
            st->item[st->n].rev = mc_ctx_pin_revision(pin);
            st->n++;
        }
    }
    mc_buf_release(&b);
    return rc;
}

static mcred_rc stage_manifest(struct mc_ctxstore *s, struct staging *st, const char *dir,
                               struct mc_err *err)
{
    char path[4096];
    struct mc_buf b;
    cJSON *man = NULL;
    const cJSON *e;
    mcred_rc rc;

    rc = join(path, sizeof(path), dir, MANIFEST, NULL, err);
    if (rc)
        return rc;
    rc = read_file(path, MANIFEST_MAX, &b, err);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "contexts directory '%s' has no %s", dir, MANIFEST);
    if (rc)
        return rc;
    rc = mc_json_parse(b.ptr ? b.ptr : "", b.len, MANIFEST_MAX, &man, err);
    mc_buf_release(&b);
    if (rc)
        return mc_err_set(err, MCRED_ERR_INVALID, "'%s': %s", path, mc_err_msg(err));
    if (!cJSON_IsObject(man)) {
        cJSON_Delete(man);
        return mc_err_set(err, MCRED_ERR_INVALID, "'%s' is not a JSON object (URL -> file)", path);
    }
    cJSON_ArrayForEach(e, man) {
        if (!cJSON_IsString(e) || !name_ok(e->valuestring)) {
            rc = mc_err_set(err, MCRED_ERR_INVALID,
                            "'%s': the entry for '%s' is not a plain file name", path,
                            e->string);
            break;
        }
        rc = join(path, sizeof(path), dir, e->valuestring, NULL, err);
        if (!rc)
            rc = stage_file(s, st, e->string, path, err);
        if (rc)
            break;
    }
    cJSON_Delete(man);
    return rc;
}

static mcred_rc stage_variants(struct mc_ctxstore *s, struct staging *st, const char *dir,
                               struct mc_err *err)
{
    char vdir[4096], path[4096];
    DIR *d;
    const struct dirent *de;
    mcred_rc rc;

    rc = join(vdir, sizeof(vdir), dir, VARIANTS, NULL, err);
    if (rc)
        return rc;
    d = opendir(vdir);
    if (!d)
        return errno == ENOENT ? MCRED_OK
                               : mc_err_set(err, MCRED_ERR_IO, "cannot read '%s': %s", vdir,
                                            strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        rc = join(path, sizeof(path), vdir, de->d_name, NULL, err);
        if (!rc)
            rc = stage_file(s, st, NULL, path, err);
        if (rc)
            break;
    }
    closedir(d);
    return rc;
}

mcred_rc mc_ctxstore_add_dir(struct mc_ctxstore *s, const char *dir, size_t *nfiles,
                             struct mc_err *err)
{
    struct staging *st;
    size_t i;
    mcred_rc rc;

    if (nfiles)
        *nfiles = 0;
    st = mc_calloc(1, sizeof(*st));
    if (!st)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate for '%s'", dir);
    rc = stage_manifest(s, st, dir, err);
    if (!rc)
        rc = stage_variants(s, st, dir, err);
    for (i = 0; i < st->n; i++) {
        struct ctx_rev *slot = &st->item[i].u->revs[st->item[i].rev];

        if (!rc && !slot->doc) {
            *slot = st->item[i].r;   /* moved into the store */
            continue;
        }
        rev_release(&st->item[i].r);
    }
    if (!rc && nfiles)
        *nfiles = st->n;
    mc_free(st);
    return rc;
}

/* --- reading the store ----------------------------------------------------- */

size_t mc_ctxstore_count(const struct mc_ctxstore *s, const char *url)
{
    const struct ctx_url *u = find_url(s, url);
    size_t i, n = 0;

    for (i = 0; u && i < u->nrevs; i++) {
        if (u->revs[i].doc)
            n++;
    }
    return n;
}

mcred_rc mc_ctxstore_get(const struct mc_ctxstore *s, const char *url, size_t i,
                         struct mc_ctx_info *out, struct mc_err *err)
{
    const struct ctx_url *u = find_url(s, url);
    size_t j, k = 0;

    memset(out, 0, sizeof(*out));
    for (j = 0; u && j < u->nrevs; j++) {
        const struct ctx_rev *r = &u->revs[j];

        if (!r->doc)
            continue;
        if (k == i) {
            out->pin = r->pin;
            out->origin = r->origin;
            out->doc = r->doc;
            out->index = k;
            return MCRED_OK;
        }
        k++;
    }
    if (!u)
        return mc_err_set(err, MCRED_ERR_NOTFOUND,
                          "context '%s' is not pinned (contexts are never fetched while "
                          "processing)", url);
    if (k == 0)
        return mc_err_set(err, MCRED_ERR_NOTFOUND,
                          "context '%s' is pinned but not available: run `mcred contexts fetch` "
                          "or give --contexts-dir", url);
    return mc_err_set(err, MCRED_ERR_NOTFOUND, "context '%s' has no revision %zu (%zu available)",
                      url, i, k);
}

static mcred_rc load_newest(void *ud, const char *url, const cJSON **doc, struct mc_err *err)
{
    struct mc_ctx_info info;
    mcred_rc rc = mc_ctxstore_get(ud, url, 0, &info, err);

    *doc = info.doc;
    return rc;
}

void mc_ctxstore_loader(struct mc_ctxstore *s, struct mc_jsonld_loader *out)
{
    out->load = load_newest;
    out->ud = s;
}

/* --- selections for verification ------------------------------------------- */

void mc_ctxsel_init(struct mc_ctxsel *sel, const struct mc_ctxstore *s)
{
    memset(sel, 0, sizeof(*sel));
    sel->store = s;
    sel->tries = 1;
}

/* The entry of url, added with revision 0 when new. */
static mcred_rc sel_entry(struct mc_ctxsel *sel, const char *url, size_t *idx,
                          struct mc_err *err)
{
    const struct ctx_url *u;
    size_t i;

    for (i = 0; i < sel->n; i++) {
        if (strcmp(sel->used[i].url, url) == 0) {
            *idx = i;
            return MCRED_OK;
        }
    }
    u = find_url(sel->store, url);
    if (!u || mc_ctxstore_count(sel->store, url) == 0) {
        struct mc_ctx_info info;
        mcred_rc rc = mc_ctxstore_get(sel->store, url, 0, &info, err);  /* NOTFOUND, why */

        return rc ? rc : MCRED_ERR_INTERNAL;
    }
    if (sel->n == MC_CTXSEL_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "more than %d context urls in one document",
                          MC_CTXSEL_MAX);
    sel->used[sel->n].url = u->url;
    sel->used[sel->n].rev = 0;
    sel->used[sel->n].nrev = mc_ctxstore_count(sel->store, url);
    *idx = sel->n++;
    return MCRED_OK;
}

static mcred_rc load_selected(void *ud, const char *url, const cJSON **doc, struct mc_err *err)
{
    struct mc_ctxsel *sel = ud;
    struct mc_ctx_info info;
    size_t i;
    mcred_rc rc;

    *doc = NULL;
    rc = sel_entry(sel, url, &i, err);
    if (rc)
        return rc;
    rc = mc_ctxstore_get(sel->store, url, sel->used[i].rev, &info, err);
    *doc = info.doc;
    return rc;
}

void mc_ctxsel_loader(struct mc_ctxsel *sel, struct mc_jsonld_loader *out)
{
    out->load = load_selected;
    out->ud = sel;
}

mcred_rc mc_ctxsel_pick(struct mc_ctxsel *sel, const char *url, size_t i, struct mc_err *err)
{
    size_t k;
    mcred_rc rc = sel_entry(sel, url, &k, err);

    if (rc)
        return rc;
    if (i >= sel->used[k].nrev)
        return mc_err_set(err, MCRED_ERR_NOTFOUND,
                          "context '%s' has no revision %zu (%zu available)", url, i,
                          sel->used[k].nrev);
    sel->used[k].rev = i;
    return MCRED_OK;
}

/* An odometer over the entries with several revisions: the first entry that
 * can move to an older revision does, and the entries before it go back to
 * their newest. */
bool mc_ctxsel_next(struct mc_ctxsel *sel)
{
    size_t i, j;

    if (sel->tries >= MC_CTXSEL_MAX_TRIES)
        return false;
    for (i = 0; i < sel->n; i++) {
        if (sel->used[i].rev + 1 < sel->used[i].nrev) {
            sel->used[i].rev++;
            for (j = 0; j < i; j++)
                sel->used[j].rev = 0;
            sel->tries++;
            return true;
        }
    }
    return false;
}

const struct mc_ctx_pin *mc_ctxsel_chosen(const struct mc_ctxsel *sel, const char *url)
{
    struct mc_ctx_info info;
    size_t i;

    for (i = 0; i < sel->n; i++) {
        if (strcmp(sel->used[i].url, url) == 0 &&
            mc_ctxstore_get(sel->store, url, sel->used[i].rev, &info, NULL) == MCRED_OK)
            return info.pin;
    }
    return NULL;
}

mcred_rc mc_ctxsel_describe(const struct mc_ctxsel *sel, struct mc_buf *out)
{
    size_t i;
    mcred_rc rc = MCRED_OK;

    for (i = 0; i < sel->n && !rc; i++) {
        const struct mc_ctx_pin *p = mc_ctxsel_chosen(sel, sel->used[i].url);

        rc = mc_buf_printf(out, "%s%s (rev %s)", i ? "; " : "", sel->used[i].url,
                           p ? p->rev : "?");
    }
    return rc;
}

/* --- the fetch cache --------------------------------------------------------- */

/* mkdir -p with mode 0755. */
static mcred_rc make_dirs(const char *dir, struct mc_err *err)
{
    char path[4096];
    size_t n = strlen(dir), i;

    if (n == 0 || n >= sizeof(path))
        return mc_err_set(err, MCRED_ERR_INVALID, "bad directory name '%s'", dir);
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return mc_err_set(err, MCRED_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
        path[i] = dir[i];
    }
    return MCRED_OK;
}

/* Write p[0..n) to path through a temporary file and a rename. */
static mcred_rc write_atomic(const char *path, const void *p, size_t n, struct mc_err *err)
{
    char tmp[4200];
    const char *c = p;
    ssize_t w;
    int fd;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return mc_err_set(err, MCRED_ERR_LIMIT, "path '%s' is too long", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mc_err_set(err, MCRED_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
    while (n > 0) {
        w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        c += w;
        n -= (size_t)w;
    }
    if (n > 0 || close(fd) != 0) {
        mc_err_set(err, MCRED_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        if (n > 0)
            close(fd);
        unlink(tmp);
        return MCRED_ERR_IO;
    }
    if (rename(tmp, path) != 0) {
        mc_err_set(err, MCRED_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
        unlink(tmp);
        return MCRED_ERR_IO;
    }
    return MCRED_OK;
}

/* The cache file name of a pin: the URL without its scheme, every character
 * outside [A-Za-z0-9._-] turned into '-', then 12 digits of the hash. */
static void cache_name(const struct mc_ctx_pin *pin, char out[NAME_MAX_LEN + 1])
{
    const char *u = strstr(pin->url, "://");
    size_t i = 0;

    for (u = u ? u + 3 : pin->url; *u && i < 120; u++, i++) {
        char c = *u;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';

        out[i] = keep ? c : '-';
    }
    if (i == 0)
        out[i++] = '-';
    else if (out[0] == '.')
        out[0] = '-';
    snprintf(out + i, NAME_MAX_LEN + 1 - i, ".%.12s.json", pin->sha256);
}

/* The manifest of dir (an empty object when there is none). */
static mcred_rc read_manifest(const char *dir, cJSON **man, struct mc_err *err)
{
    char path[4096];
    struct mc_buf b;
    mcred_rc rc;

    *man = NULL;
    rc = join(path, sizeof(path), dir, MANIFEST, NULL, err);
    if (rc)
        return rc;
    rc = read_file(path, MANIFEST_MAX, &b, err);
    if (rc == MCRED_ERR_NOTFOUND) {
        *man = cJSON_CreateObject();
        return *man ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate a manifest");
    }
    if (rc)
        return rc;
    rc = mc_json_parse(b.ptr ? b.ptr : "", b.len, MANIFEST_MAX, man, err);
    mc_buf_release(&b);
    if (rc)
        return mc_err_set(err, MCRED_ERR_INVALID, "'%s': %s", path, mc_err_msg(err));
    if (!cJSON_IsObject(*man)) {
        cJSON_Delete(*man);
        *man = NULL;
        return mc_err_set(err, MCRED_ERR_INVALID, "'%s' is not a JSON object (URL -> file)", path);
    }
    return MCRED_OK;
}

static mcred_rc write_manifest(const char *dir, const cJSON *man, struct mc_err *err)
{
    char path[4096];
    char *text;
    mcred_rc rc = join(path, sizeof(path), dir, MANIFEST, NULL, err);

    if (rc)
        return rc;
    text = cJSON_Print(man);
    if (!text)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot print '%s'", path);
    rc = write_atomic(path, text, strlen(text), err);
    cJSON_free(text);
    return rc;
}

/* Revision index of the file dir/name for url, or SIZE_MAX when it is
 * missing or matches no pin of url (and may then be replaced). */
static size_t existing_revision(const char *dir, const char *name, const char *url)
{
    char path[4096];
    struct mc_buf b;
    const struct mc_ctx_pin *pin = NULL;
    size_t rev = SIZE_MAX;

    if (!name_ok(name) || join(path, sizeof(path), dir, name, NULL, NULL))
        return rev;
    if (read_file(path, MC_CTX_MAX_BYTES, &b, NULL))
        return rev;
    if (mc_ctx_match(url, b.ptr ? b.ptr : "", b.len, "cached", &pin, NULL) == MCRED_OK)
        rev = mc_ctx_pin_revision(pin);
    mc_buf_release(&b);
    return rev;
}

/* Put the file (name) of url into the manifest; the one it replaces, if it
 * holds a pinned revision, moves to variants/. */
static mcred_rc cache_promote(const char *dir, cJSON *man, const char *url, const char *name,
                              const char *old, bool keep_old, struct mc_err *err)
{
    char from[4096], to[4096], vdir[4096];
    cJSON *v;
    mcred_rc rc;

    if (old && keep_old) {
        rc = join(vdir, sizeof(vdir), dir, VARIANTS, NULL, err);
        if (!rc)
            rc = make_dirs(vdir, err);
        if (!rc)
            rc = join(from, sizeof(from), dir, old, NULL, err);
        if (!rc)
            rc = join(to, sizeof(to), dir, VARIANTS, old, err);
        if (rc)
            return rc;
        if (rename(from, to) != 0)
            return mc_err_set(err, MCRED_ERR_IO, "cannot move '%s' to '%s': %s", from, to,
                              strerror(errno));
    }
    v = cJSON_CreateString(name);
    if (!v)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot update the manifest of '%s'", dir);
    if (cJSON_GetObjectItemCaseSensitive(man, url))
        cJSON_ReplaceItemInObjectCaseSensitive(man, url, v);
    else
        cJSON_AddItemToObject(man, url, v);
    return write_manifest(dir, man, err);
}

mcred_rc mc_ctxcache_put(const char *dir, const char *url, const void *p, size_t n,
                         const struct mc_ctx_pin **pin, struct mc_err *err)
{
    const struct mc_ctx_pin *match;
    char name[NAME_MAX_LEN + 1], path[4096];
    const char *old = NULL;
    cJSON *man = NULL;
    size_t old_rev;
    mcred_rc rc;

    if (pin)
        *pin = NULL;
    rc = mc_ctx_match(url, p, n, "fetched document", &match, err);
    if (!rc)
        rc = make_dirs(dir, err);
    if (!rc)
        rc = read_manifest(dir, &man, err);
    if (rc)
        return rc;
    cache_name(match, name);
    old = mc_json_str(man, url);
    old_rev = old ? existing_revision(dir, old, url) : SIZE_MAX;
    if (old && strcmp(old, name) == 0) {
        rc = join(path, sizeof(path), dir, name, NULL, err);    /* same bytes: refresh */
        if (!rc)
            rc = write_atomic(path, p, n, err);
    } else if (old_rev == SIZE_MAX || mc_ctx_pin_revision(match) < old_rev) {
        rc = join(path, sizeof(path), dir, name, NULL, err);    /* newer: into the manifest */
        if (!rc)
            rc = write_atomic(path, p, n, err);
        if (!rc)
            rc = cache_promote(dir, man, url, name, old, old_rev != SIZE_MAX, err);
    } else {
        rc = join(path, sizeof(path), dir, VARIANTS, NULL, err);  /* older: a variant */
        if (!rc)
            rc = make_dirs(path, err);
        if (!rc)
            rc = join(path, sizeof(path), dir, VARIANTS, name, err);
        if (!rc)
            rc = write_atomic(path, p, n, err);
    }
    cJSON_Delete(man);
    if (!rc && pin)
        *pin = match;
    return rc;
}
