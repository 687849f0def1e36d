/* fetch_curl.c - the libcurl fetcher the CLI and the server plug into the
 * library (did:web documents, status lists, hosted assertions), with the
 * outbound policy of DESIGN.md section 6: https only and public addresses
 * only unless an operator allows more, a time limit and a body cap.
 *
 * Redirects are followed here rather than by libcurl so that every hop goes
 * through the same URL check and gets a message naming it. The address check
 * sits in CURLOPT_OPENSOCKETFUNCTION: it sees the address libcurl is about to
 * connect to, after name resolution, for the first request and every hop.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fetch_curl.h"
#include "util/buf.h"
#include "util/fetch.h"

#define URL_SHOWN 120   /* at most this much of a URL goes into a message */

struct fetch_state {
    CURL *curl;
    struct curl_slist *headers;     /* Accept */
    struct cli_fetch_opts o;        /* ca_file is not kept */
    char errbuf[CURL_ERROR_SIZE];   /* libcurl's detail for the last transfer */
    /* per transfer */
    struct mc_buf *out;             /* the caller's buffer */
    size_t cap;                     /* bytes this fetch may add to out */
    size_t got;                     /* bytes added so far */
    mcred_rc write_rc;              /* why on_body stopped the transfer */
    char blocked[INET6_ADDRSTRLEN]; /* first address refused, "" if none */
};

/* --- the address classifier ------------------------------------------------- */

/* IPv4 ranges that are not public unicast (IANA special-purpose registry). */
static const struct { uint32_t net; unsigned bits; } v4_blocked[] = {
    { 0x00000000u, 8 },    /* 0.0.0.0/8 "this network" */
    { 0x0a000000u, 8 },    /* 10.0.0.0/8 private */
    { 0x64400000u, 10 },   /* 100.64.0.0/10 CGNAT */
    { 0x7f000000u, 8 },    /* 127.0.0.0/8 loopback */
    { 0xa9fe0000u, 16 },   /* 169.254.0.0/16 link-local, cloud metadata */
    { 0xac100000u, 12 },   /* 172.16.0.0/12 private */
    { 0xc0000000u, 24 },   /* 192.0.0.0/24 IETF protocol assignments */
    { 0xc0000200u, 24 },   /* 192.0.2.0/24 TEST-NET-1 */
    { 0xc0586300u, 24 },   /* 192.88.99.0/24 6to4 relay anycast */
    { 0xc0a80000u, 16 },   /* 192.168.0.0/16 private */
    { 0xc6120000u, 15 },   /* 198.18.0.0/15 benchmarking */
    { 0xc6336400u, 24 },   /* 198.51.100.0/24 TEST-NET-2 */
    { 0xcb007100u, 24 },   /* 203.0.113.0/24 TEST-NET-3 */
    { 0xe0000000u, 4 },    /* 224.0.0.0/4 multicast */
    { 0xf0000000u, 4 },    /* 240.0.0.0/4 reserved, and the broadcast address */
};

static bool v4_public(const unsigned char *b)
{
    uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    size_t i;

    for (i = 0; i < sizeof(v4_blocked) / sizeof(v4_blocked[0]); i++) {
        uint32_t mask = 0xffffffffu << (32 - v4_blocked[i].bits);

        if ((a & mask) == v4_blocked[i].net)
            return false;
    }
    return true;
}

static bool v6_prefix(const unsigned char *b, const unsigned char *p, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;

    if (memcmp(b, p, whole) != 0)
        return false;
    return rest == 0 || ((b[whole] ^ p[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Public IPv6 is global unicast (2000::/3) minus the special blocks in it;
 * the forms that carry an IPv4 address are judged by that address. */
static bool v6_public(const unsigned char *b)
{
    static const unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char nat64[16] = { 0x00, 0x64, 0xff, 0x9b };
    static const unsigned char ietf[16] = { 0x20, 0x01 };          /* 2001::/23 */
    static const unsigned char doc[16] = { 0x20, 0x01, 0x0d, 0xb8 }; /* 2001:db8::/32 */
    static const unsigned char doc2[16] = { 0x3f, 0xff };          /* 3fff::/20 */
    static const unsigned char six2four[16] = { 0x20, 0x02 };      /* 2002::/16 */

    if (v6_prefix(b, mapped, 96) || v6_prefix(b, nat64, 96))
        return v4_public(b + 12);
    if (v6_prefix(b, six2four, 16))
        return v4_public(b + 2);
    if ((b[0] & 0xe0) != 0x20)
        return false;   /* ::, ::1, fc00::/7, fe80::/10, ff00::/8, 64:ff9b:1::/48... */
    return !v6_prefix(b, ietf, 23) && !v6_prefix(b, doc, 32) && !v6_prefix(b, doc2, 20);
}

bool cli_fetch_addr_is_public(const struct sockaddr *sa, size_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

        return v4_public((const unsigned char *)&in->sin_addr);
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        return v6_public(in6->sin6_addr.s6_addr);
    }
    return false;
}

bool cli_fetch_ip_is_public(const char *ip)
{
    unsigned char b[16];

    if (inet_pton(AF_INET, ip, b) == 1)
        return v4_public(b);
    if (inet_pton(AF_INET6, ip, b) == 1)
        return v6_public(b);
    return false;
}

/* --- options ---------------------------------------------------------------- */

static bool env_flag(const char *name)
{
    const char *v = getenv(name);

    return v && strcmp(v, "1") == 0;
}

/* A decimal number in [1, max] from the environment, or 0 when unset or bad. */
static unsigned long long env_number(const char *name, unsigned long long max)
{
    const char *v = getenv(name);
    unsigned long long n = 0;
    const char *p;

    if (!v || !*v)
        return 0;
    for (p = v; *p >= '0' && *p <= '9' && n <= max; p++)
        n = n * 10 + (unsigned long long)(*p - '0');
    if (*p || n < 1 || n > max) {
        (void)fprintf(stderr, "mcred: warning: ignoring %s='%.40s' (want a number from 1 "
                      "to %llu)\n", name, v, max);
        return 0;
    }
    return n;
}

void cli_fetch_opts_from_env(struct cli_fetch_opts *o)
{
    unsigned long long n;

    memset(o, 0, sizeof(*o));
    o->timeout_ms = CLI_FETCH_TIMEOUT_MS;
    o->max_bytes = CLI_FETCH_MAX_BYTES;
    o->allow_http = env_flag("MCRED_FETCH_ALLOW_HTTP");
    o->allow_private = env_flag("MCRED_FETCH_ALLOW_PRIVATE");
    n = env_number("MCRED_FETCH_TIMEOUT_MS", 600000);
    if (n)
        o->timeout_ms = (long)n;
    n = env_number("MCRED_FETCH_MAX_BYTES", (unsigned long long)1 << 30);
    if (n)
        o->max_bytes = (size_t)n;
    o->ca_file = getenv("MCRED_FETCH_CA_FILE");
    if (o->ca_file && !*o->ca_file)
        o->ca_file = NULL;
}

/* --- messages ----------------------------------------------------------------- */

/* The URL as a message shows it: at most URL_SHOWN bytes, control bytes as '?'. */
static const char *shown(const char *url, char *buf, size_t cap)
{
    size_t i;

    mc_strlcpy(buf, url, cap);
    for (i = 0; buf[i]; i++) {
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = '?';
    }
    if (strlen(url) >= cap && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
    return buf;
}

/* --- libcurl callbacks -------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct fetch_state *s = ud;
    size_t n = size * nmemb;
    mcred_rc rc;

    if (n > s->cap - s->got) {
        s->write_rc = MCRED_ERR_LIMIT;
        return 0;
    }
    rc = mc_buf_append(s->out, p, n);
    if (rc) {
        s->write_rc = rc;
        return 0;
    }
    s->got += n;
    return n;
}

/* Every connection libcurl makes passes here with its resolved address. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct fetch_state *s = ud;
    curl_socket_t fd;

    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (!s->o.allow_private && !cli_fetch_addr_is_public(&a->addr, a->addrlen)) {
        if (!s->blocked[0]) {
            const void *ip = NULL;

            if (a->family == AF_INET)
                ip = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
            else if (a->family == AF_INET6)
                ip = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
            if (!ip || !inet_ntop(a->family, ip, s->blocked, sizeof(s->blocked)))
                mc_strlcpy(s->blocked, "(unknown family)", sizeof(s->blocked));
        }
        return CURL_SOCKET_BAD;
    }
    fd = socket(a->family, a->socktype, a->protocol);
    if (fd != CURL_SOCKET_BAD)
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* --- one fetch ---------------------------------------------------------------- */

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Check a URL against the policy before any connection. start is the URL
 * asked for, url the one to fetch now (a redirect target when redirected). */
static mcred_rc check_url(const struct fetch_state *s, const char *start, const char *url,
                          bool redirected, struct mc_err *err)
{
    char a[URL_SHOWN], b[URL_SHOWN];
    char *scheme = NULL, *user = NULL, *pass = NULL;
    const char *why = NULL;
    CURLU *u = curl_url();
    CURLUcode uc;
    mcred_rc rc = MCRED_OK;

    if (!u)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot fetch '%s': out of memory",
                          shown(start, a, sizeof(a)));
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc) {
        if (!redirected) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "cannot fetch '%s': not a valid URL (%s)",
                            shown(start, a, sizeof(a)), curl_url_strerror(uc));
        } else {
            rc = mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s': redirect to '%s' is not a "
                            "valid URL (%s)", shown(start, a, sizeof(a)), shown(url, b, sizeof(b)),
                            curl_url_strerror(uc));
        }
        goto out;
    }
    (void)curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    (void)curl_url_get(u, CURLUPART_USER, &user, 0);
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    if (!scheme || (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
        why = "only http and https URLs are fetched";
    else if (strcmp(scheme, "http") == 0 && !s->o.allow_http)
        why = "only https URLs are allowed (MCRED_FETCH_ALLOW_HTTP=1 allows http)";
    else if (user || pass)
        why = "URLs with credentials are refused";
    if (why && !redirected) {
        rc = mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s': %s", shown(start, a, sizeof(a)),
                        why);
    } else if (why) {
        rc = mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s': redirect to '%s' refused: %s",
                        shown(start, a, sizeof(a)), shown(url, b, sizeof(b)), why);
    }
out:
    curl_free(scheme);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}

/* Map a failed transfer to a code and a message naming the URL. */
static mcred_rc transfer_error(const struct fetch_state *s, CURLcode cc, const char *start,
                               const char *url, struct mc_err *err)
{
    char a[URL_SHOWN], b[URL_SHOWN];
    const char *u = shown(start, a, sizeof(a));
    const char *hop = strcmp(start, url) != 0 ? shown(url, b, sizeof(b)) : NULL;
    char where[URL_SHOWN + 32] = "";

    if (hop)
        (void)snprintf(where, sizeof(where), " (redirected to '%s')", hop);
    if ((cc == CURLE_WRITE_ERROR && s->write_rc == MCRED_ERR_LIMIT) ||
        cc == CURLE_FILESIZE_EXCEEDED)
        return mc_err_set(err, MCRED_ERR_LIMIT, "cannot fetch '%s'%s: response larger than %zu "
                          "bytes", u, where, s->cap);
    if (cc == CURLE_WRITE_ERROR && s->write_rc)
        return mc_err_set(err, s->write_rc, "cannot fetch '%s'%s: %s", u, where,
                          mcred_strerror(s->write_rc));
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s'%s: timed out after %ld ms", u,
                          where, s->o.timeout_ms);
    if (s->blocked[0])
        return mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s'%s: refused to connect to %s, "
                          "a private or reserved address (MCRED_FETCH_ALLOW_PRIVATE=1 allows "
                          "it)", u, where, s->blocked);
    if (cc == CURLE_OUT_OF_MEMORY)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot fetch '%s'%s: out of memory", u, where);
    return mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s'%s: %s", u, where,
                      s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc));
}

/* One GET of url within ms milliseconds; *status gets the HTTP status. */
static mcred_rc transfer(struct fetch_state *s, const char *start, const char *url, long ms,
                         long *status, struct mc_err *err)
{
    CURLcode cc;

    s->errbuf[0] = '\0';
    s->blocked[0] = '\0';
    s->write_rc = MCRED_OK;
    *status = 0;
    cc = curl_easy_setopt(s->curl, CURLOPT_URL, url);
    if (!cc)
        cc = curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, ms);
    if (!cc)
        cc = curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
    if (!cc)
        cc = curl_easy_perform(s->curl);
    if (cc)
        return transfer_error(s, cc, start, url, err);
    (void)curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, status);
    return MCRED_OK;
}

/* Forget what a failed or redirected transfer appended. */
static void rewind_out(struct fetch_state *s, size_t start_len)
{
    s->out->len = start_len;
    if (s->out->ptr)
        s->out->ptr[start_len] = '\0';
    s->got = 0;
}

/* The status of a finished transfer: 2xx is done (MCRED_OK, *next NULL), a
 * redirect sets *next (owned), anything else is an error. */
static mcred_rc judge(struct fetch_state *s, long status, const char *start, const char *url,
                      char **next, struct mc_err *err)
{
    char a[URL_SHOWN], b[URL_SHOWN], where[URL_SHOWN + 32] = "";
    const char *u = shown(start, a, sizeof(a));
    char *loc = NULL;

    *next = NULL;
    if (strcmp(start, url) != 0)
        (void)snprintf(where, sizeof(where), " (redirected to '%s')", shown(url, b, sizeof(b)));
    if (status >= 200 && status <= 299)
        return MCRED_OK;
    if (status == 404)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "cannot fetch '%s'%s: HTTP 404 not found", u,
                          where);
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        (void)curl_easy_getinfo(s->curl, CURLINFO_REDIRECT_URL, &loc);
        if (!loc)
            return mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s'%s: HTTP %ld without a "
                              "usable Location", u, where, status);
        *next = mc_strdup(loc);
        if (!*next)
            return mc_err_set(err, MCRED_ERR_NOMEM, "cannot fetch '%s': out of memory", u);
        return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s'%s: HTTP %ld", u, where, status);
}

static mcred_rc fetch(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    struct fetch_state *s = ud;
    size_t start_len = out->len;
    long deadline = now_ms() + s->o.timeout_ms, status;
    char *cur = NULL, *next = NULL;
    const char *hop = url;
    char a[URL_SHOWN];
    mcred_rc rc;
    int n;

    s->out = out;
    s->got = 0;
    s->cap = out->max > out->len ? out->max - out->len : 0;
    if (s->o.max_bytes < s->cap)
        s->cap = s->o.max_bytes;
    (void)curl_easy_setopt(s->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->cap);
    for (n = 0;; n++) {
        long left = deadline - now_ms();

        rc = check_url(s, url, hop, n > 0, err);
        if (rc)
            break;
        if (left <= 0) {
            rc = mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s': timed out after %ld ms",
                            shown(url, a, sizeof(a)), s->o.timeout_ms);
            break;
        }
        rc = transfer(s, url, hop, left, &status, err);
        if (!rc)
            rc = judge(s, status, url, hop, &next, err);
        if (rc || !next)
            break;
        rewind_out(s, start_len);
        mc_free(cur);
        cur = next;
        hop = cur;
        if (n == CLI_FETCH_MAX_REDIRECTS) {
            rc = mc_err_set(err, MCRED_ERR_IO, "cannot fetch '%s': more than %d redirects",
                            shown(url, a, sizeof(a)), CLI_FETCH_MAX_REDIRECTS);
            break;
        }
    }
    if (rc)
        rewind_out(s, start_len);
    mc_free(cur);
    s->out = NULL;
    return rc;
}

/* --- set-up ------------------------------------------------------------------- */

/* The fixed options of the handle; CURLE_OK or the first failure. */
static CURLcode configure(struct fetch_state *s, const char *ca_file)
{
    const char *protos = s->o.allow_http ? "http,https" : "https";
    CURL *c = s->curl;
    CURLcode cc = CURLE_OK;

#define SET(opt, val) \
    do { \
        if (!cc) \
            cc = curl_easy_setopt(c, opt, val); \
    } while (0)
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, protos);
    SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
    SET(CURLOPT_FOLLOWLOCATION, 0L);      /* fetch() follows, checking each hop */
    SET(CURLOPT_PROXY, "");               /* never from http_proxy and friends */
    SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_HTTPHEADER, s->headers);
    SET(CURLOPT_USERAGENT, "microcred/" MCRED_VERSION);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
    SET(CURLOPT_OPENSOCKETDATA, s);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_MAXCONNECTS, 4L);
    if (ca_file)
        SET(CURLOPT_CAINFO, ca_file);
#undef SET
    return cc;
}

int cli_fetcher_init(struct mc_fetcher *f, const struct cli_fetch_opts *o)
{
    struct fetch_state *s;
    int rc = MCRED_ERR_NOMEM;

    memset(f, 0, sizeof(*f));
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return MCRED_ERR_INTERNAL;
    s = mc_calloc(1, sizeof(*s));
    if (!s)
        goto out_global;
    s->o = *o;
    s->o.ca_file = NULL;
    if (s->o.timeout_ms <= 0)
        s->o.timeout_ms = CLI_FETCH_TIMEOUT_MS;
    if (s->o.max_bytes == 0)
        s->o.max_bytes = CLI_FETCH_MAX_BYTES;
    s->headers = curl_slist_append(NULL, "Accept: application/json, application/ld+json, "
                                         "application/did+json");
    if (!s->headers)
        goto out_free;
    s->curl = curl_easy_init();
    if (!s->curl)
        goto out_free;
    if (configure(s, o->ca_file) != CURLE_OK) {
        rc = MCRED_ERR_INTERNAL;
        goto out_free;
    }
    f->fetch = fetch;
    f->ud = s;
    return 0;
out_free:
    if (s->curl)
        curl_easy_cleanup(s->curl);
    curl_slist_free_all(s->headers);
    mc_free(s);
out_global:
    curl_global_cleanup();
    return rc;
}

void cli_fetcher_cleanup(struct mc_fetcher *f)
{
    struct fetch_state *s = f->ud;

    if (s) {
        curl_easy_cleanup(s->curl);
        curl_slist_free_all(s->headers);
        mc_free(s);
        curl_global_cleanup();
    }
    memset(f, 0, sizeof(*f));
}
