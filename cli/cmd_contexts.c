/* cmd_contexts.c - `mcred contexts`: lists the pinned JSON-LD context
 * documents and where each comes from, checks a contexts directory, and
 * fetches the pinned documents that are not embedded into the cache
 * directory, keeping only bytes whose SHA-256 is pinned (lib/jsonld/ctxstore.h).
 * The only network access is here, on the operator's request; processing
 * credentials never fetches a context.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/ctxstore.h"
#include "util/buf.h"

#define FETCH_MAX_URLS 64   /* --only may be given this often */






static void usage(FILE *f)
{
    fprintf(f,
            "usage: mcred contexts list [--contexts-dir DIR]\n"
            "       mcred contexts check [--contexts-dir DIR]\n"
            "       mcred contexts fetch [--dir DIR] [--all] [--only URL]... "
            "[--base-url-override URL]\n\n"
            "JSON-LD context documents are pinned by SHA-256 in microcred's code. Most are\n"
            "built in; `fetch` downloads the others (CLR 2.0, newer Open Badges revisions)\n"
            "from their URLs into DIR (default $MCRED_HOME/contexts; MCRED_HOME defaults to\n"
            "./mcred-data) and keeps a document only when its hash is pinned.\n\n"
            "  list         every pinned revision and whether it is available\n"
            "  check        load DIR and report every file that is not pinned\n"
            "  fetch        download the pinned URLs that are not built in\n"
            "  --contexts-dir DIR   a directory laid out like the fetch cache: manifest.json\n"
            "               maps URL -> file, variants/ holds further revisions\n"
            "               (default: the cache directory, when it exists)\n"
            "  --dir DIR    where fetch writes (default $MCRED_HOME/contexts)\n"
            "  --all        fetch every pinned URL, also those built in (to compare)\n"
            "  --only URL   fetch this pinned URL only (repeatable)\n"
            "  --base-url-override URL  fetch from URL + the path of each pinned URL\n"
            "               instead of its host (a mirror; allows http)\n");
}

/* $MCRED_HOME/contexts (MCRED_HOME defaults to ./mcred-data). */
static void default_dir(char *out, size_t cap)
{
    const char *home = getenv("MCRED_HOME");

    snprintf(out, cap, "%s/contexts", home && home[0] ? home : "./mcred-data");
}

/* The contexts directory to read: the one given (--contexts-dir), else the
 * fetch cache $MCRED_HOME/contexts when it has a manifest, else none (NULL).
 * buf receives the cache path. */
const char *cli_contexts_dir(const char *given, char *buf, size_t cap)
{
    char probe[4200];
    struct stat st;

    if (given)
        return given;
    default_dir(buf, cap);
    snprintf(probe, sizeof(probe), "%s/manifest.json", buf);
    return stat(probe, &st) == 0 ? buf : NULL;
}

/* The context store every signing or verifying command uses: the built-in
 * documents plus cli_contexts_dir(given). Prints the error itself; returns 0,
 * CLI_FAILED (a file's bytes are not pinned) or CLI_USAGE. *out is owned
 * (mc_ctxstore_free). */
int cli_ctxstore_open(const char *given, struct mc_ctxstore **out)
{
    char buf[4096];
    const char *dir = cli_contexts_dir(given, buf, sizeof(buf));
    struct mc_err err = { 0 };
    mcred_rc rc = mc_ctxstore_new(out, dir, &err);

    if (rc) {
        cli_error("%s", mc_err_msg(&err));
        return rc == MCRED_ERR_VERIFY ? CLI_FAILED : CLI_USAGE;
    }
    return CLI_OK;
}

/* --- list and check ---------------------------------------------------------- */

/* One line per pinned revision: URL, label, and where its bytes come from. */
static void list_revisions(const struct mc_ctxstore *s)
{
    size_t i, k;

    for (i = 0; i < mc_ctx_npins; i++) {
        const struct mc_ctx_pin *p = &mc_ctx_pins[i];
        const char *state = "missing (mcred contexts fetch, or --contexts-dir)";
        struct mc_ctx_info info;

        if (i > 0 && strcmp(mc_ctx_pins[i - 1].url, p->url) == 0 &&
            strcmp(mc_ctx_pins[i - 1].rev, p->rev) == 0)
            continue;   /* the same revision in other bytes */
        for (k = 0; k < mc_ctxstore_count(s, p->url); k++) {
            if (mc_ctxstore_get(s, p->url, k, &info, NULL) == MCRED_OK &&
                strcmp(info.pin->rev, p->rev) == 0)
                state = info.origin;
        }
        printf("%s\n    rev %s%s%s  sha256 %s\n    %s\n", p->url, p->rev, p->date ? " " : "",
               p->date ? p->date : "", p->sha256, state);
    }
}

static int run_list(int argc, char **argv, bool check)
{
    const char *given = NULL, *dir;
    char buf[4096];
    struct mc_ctxstore *s = NULL;
    struct mc_err err = { 0 };
    size_t n = 0;
    mcred_rc rc;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--contexts-dir") == 0 && i + 1 < argc) {
            given = argv[++i];
        } else {
            cli_error("unknown option '%s' (see `mcred contexts --help`)", argv[i]);
            return CLI_USAGE;
        }
    }
    dir = cli_contexts_dir(given, buf, sizeof(buf));
    if (check && !dir) {
        cli_error("no contexts directory: give --contexts-dir DIR");
        return CLI_USAGE;
    }
    rc = mc_ctxstore_new(&s, NULL, &err);
    if (!rc && dir)
        rc = mc_ctxstore_add_dir(s, dir, &n, &err);
    if (rc) {
        cli_error("%s", mc_err_msg(&err));
        mc_ctxstore_free(s);
        return rc == MCRED_ERR_VERIFY ? CLI_FAILED : CLI_USAGE;
    }
    if (check)
        printf("%s: %zu context files, every one pinned\n", dir, n);
    else
        list_revisions(s);
    mc_ctxstore_free(s);
    return CLI_OK;
}

/* --- fetch -------------------------------------------------------------------- */

struct fetch_opts {
    const char *dir;          /* cache directory */
    const char *base;         /* --base-url-override, or NULL */
    bool all;                 /* also the URLs that are built in */
    const char *only[FETCH_MAX_URLS];
    size_t nonly;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct mc_buf *b = ud;

    if (mc_buf_append(b, p, size * n) != MCRED_OK)
        return 0;   /* past MC_CTX_MAX_BYTES (or out of memory): abort the transfer */
    return size * n;
}

/* The URL to request for a pinned URL: itself, or base + its path. */
static int request_url(const struct fetch_opts *o, const char *url, char *out, size_t cap)
{
    const char *path = strstr(url, "://");
    int n;

    if (!o->base)
        n = snprintf(out, cap, "%s", url);
    else {
        path = path ? strchr(path + 3, '/') : NULL;
        n = snprintf(out, cap, "%s%s", o->base, path ? path : "/");
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* GET src into body. Returns 0 or prints why not and returns CLI_USAGE. */
static int http_get(const struct fetch_opts *o, const char *src, struct mc_buf *body)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    const char *protos = o->base ? "http,https" : "https";
    CURL *c = curl_easy_init();
    CURLcode cc;

    if (!c) {
        cli_error("cannot start libcurl");
        return CLI_USAGE;
    }
    hdr = curl_slist_append(NULL, "Accept: application/ld+json, application/json;q=0.9");
    curl_easy_setopt(c, CURLOPT_URL, src);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mcred/" MCRED_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cc = curl_easy_perform(c);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    if (cc == CURLE_WRITE_ERROR) {
        cli_error("'%s': the document is larger than %zu bytes", src, MC_CTX_MAX_BYTES);
        return CLI_USAGE;
    }
    if (cc != CURLE_OK) {
        cli_error("cannot fetch '%s': %s", src, errbuf[0] ? errbuf : curl_easy_strerror(cc));
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Fetch one pinned URL into the cache. CLI_FAILED when the bytes are not
 * pinned (nothing is kept), CLI_USAGE on network or file errors. */
static int fetch_one(const struct fetch_opts *o, const char *url)
{
    char src[4096];
    struct mc_buf body;
    struct mc_err err = { 0 };
    const struct mc_ctx_pin *pin = NULL;
    mcred_rc rc;
    int ret;

    if (request_url(o, url, src, sizeof(src)) != 0) {
        cli_error("'%s': the request URL is too long", url);
        return CLI_USAGE;
    }
    mc_buf_init(&body, MC_CTX_MAX_BYTES);
    ret = http_get(o, src, &body);
    if (ret) {
        mc_buf_release(&body);
        return ret;
    }
    rc = mc_ctxcache_put(o->dir, url, body.ptr ? body.ptr : "", body.len, &pin, &err);
    mc_buf_release(&body);
    if (rc) {
        cli_error("%s; nothing kept", mc_err_msg(&err));
        return rc == MCRED_ERR_VERIFY ? CLI_FAILED : CLI_USAGE;
    }
    printf("kept %s (rev %s, sha256 %s) in %s\n", url, pin->rev, pin->sha256, o->dir);
    return CLI_OK;
}

static bool wanted(const struct fetch_opts *o, const char *url)
{
    size_t i;

    if (o->nonly == 0)
        return o->all || !mc_ctx_url_embedded(url);
    for (i = 0; i < o->nonly; i++) {
        if (strcmp(o->only[i], url) == 0)
            return true;
    }
    return false;
}

static bool is_pinned(const char *url)
{
    size_t i;

    for (i = 0; i < mc_ctx_npins; i++) {
        if (strcmp(mc_ctx_pins[i].url, url) == 0)
            return true;
    }
    return false;
}

static int parse_fetch(int argc, char **argv, struct fetch_opts *o)
{
    int i;

    for (i = 1; i < argc; i++) {
        bool more = i + 1 < argc;

        if (strcmp(argv[i], "--dir") == 0 && more) {
            o->dir = argv[++i];
        } else if (strcmp(argv[i], "--base-url-override") == 0 && more) {
            o->base = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && more) {
            if (o->nonly == FETCH_MAX_URLS) {
                cli_error("--only is given more than %d times", FETCH_MAX_URLS);
                return CLI_USAGE;
            }
            o->only[o->nonly++] = argv[++i];
        } else if (strcmp(argv[i], "--all") == 0) {
            o->all = true;
        } else {
            cli_error("unknown option '%s' (see `mcred contexts --help`)", argv[i]);
            return CLI_USAGE;
        }
    }
    for (i = 0; (size_t)i < o->nonly; i++) {
        if (!is_pinned(o->only[i])) {
            cli_error("'%s' is not a pinned context url (see `mcred contexts list`)",
                      o->only[i]);
            return CLI_USAGE;
        }
    }
    if (o->base && strncmp(o->base, "http://", 7) != 0 && strncmp(o->base, "https://", 8) != 0) {
        cli_error("--base-url-override needs an http:// or https:// URL, not '%s'", o->base);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int run_fetch(int argc, char **argv)
{
    struct fetch_opts o;
    char dir[4096];
    size_t i, ntried = 0, nkept = 0, nrejected = 0;
    int rc, worst = CLI_OK, r;

    memset(&o, 0, sizeof(o));
    rc = parse_fetch(argc, argv, &o);
    if (rc)
        return rc;
    if (!o.dir) {
        default_dir(dir, sizeof(dir));
        o.dir = dir;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cli_error("cannot initialise libcurl");
        return CLI_USAGE;
    }
    for (i = 0; i < mc_ctx_npins; i++) {
        const char *url = mc_ctx_pins[i].url;

        if ((i > 0 && strcmp(mc_ctx_pins[i - 1].url, url) == 0) || !wanted(&o, url))
            continue;
        r = fetch_one(&o, url);
        ntried++;
        nkept += r == CLI_OK;
        nrejected += r == CLI_FAILED;
        /* a rejected document (1) outranks a network error (2) */
        if (r == CLI_FAILED || (r && worst == CLI_OK))
            worst = r;
    }
    curl_global_cleanup();
    printf("fetched %zu of %zu context urls into %s (%zu rejected: bytes not pinned, "
           "%zu failed)\n", nkept, ntried, o.dir, nrejected, ntried - nkept - nrejected);
    return worst;
}

int cmd_contexts(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "list") == 0)
        return run_list(argc - 1, argv + 1, false);
    if (strcmp(argv[1], "check") == 0)
        return run_list(argc - 1, argv + 1, true);
    if (strcmp(argv[1], "fetch") == 0)
        return run_fetch(argc - 1, argv + 1);
    cli_error("unknown contexts command '%s' (list, check or fetch)", argv[1]);
    return CLI_USAGE;
}
