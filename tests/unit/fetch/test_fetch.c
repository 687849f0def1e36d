/* test_fetch.c - unit tests for the CLI's libcurl fetcher (cli/fetch_curl.c):
 * the address classifier over a table of literals, the options from the
 * environment, and whole fetches against two tiny servers this program runs
 * on 127.0.0.1 (plain HTTP and TLS with a certificate made here), each
 * serving canned responses from its own threads.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fetch_curl.h"
#include "util/buf.h"

/* --- the address classifier ------------------------------------------------- */

static const struct { const char *ip; bool pub; } addrs[] = {
    { "8.8.8.8", true },               /* public IPv4 */
    { "1.1.1.1", true },
    { "93.184.216.34", true },
    { "172.15.255.255", true },        /* just below 172.16/12 */
    { "172.32.0.0", true },            /* just above 172.16/12 */
    { "100.63.255.255", true },        /* just below CGNAT */
    { "100.128.0.0", true },           /* just above CGNAT */
    { "192.169.0.1", true },
    { "223.255.255.255", true },       /* last below multicast */
    { "0.0.0.0", false },              /* this network */
    { "0.1.2.3", false },
    { "10.0.0.1", false },             /* RFC 1918 */
    { "10.255.255.255", false },
    { "172.16.0.1", false },
    { "172.31.255.254", false },
    { "192.168.1.1", false },
    { "127.0.0.1", false },            /* loopback */
    { "127.255.255.254", false },
    { "169.254.169.254", false },      /* cloud metadata */
    { "169.254.0.1", false },          /* link-local */
    { "100.64.0.1", false },           /* CGNAT */
    { "100.127.255.255", false },
    { "192.0.0.8", false },            /* IETF protocol assignments */
    { "192.0.2.1", false },            /* documentation */
    { "198.51.100.7", false },
    { "203.0.113.9", false },
    { "198.18.0.1", false },           /* benchmarking */
    { "198.19.255.255", false },
    { "224.0.0.1", false },            /* multicast */
    { "239.255.255.250", false },
    { "240.0.0.1", false },            /* reserved */
    { "255.255.255.255", false },      /* broadcast */
    { "2001:4860:4860::8888", true },  /* public IPv6 */
    { "2606:4700:4700::1111", true },
    { "2a00:1450:4001:82a::200e", true },
    { "::ffff:8.8.8.8", true },        /* IPv4-mapped public */
    { "64:ff9b::808:808", true },      /* NAT64 of 8.8.8.8 */
    { "2002:808:808::1", true },       /* 6to4 of 8.8.8.8 */
    { "::", false },                   /* unspecified */
    { "::1", false },                  /* loopback */
    { "fe80::1", false },              /* link-local */
    { "febf::1", false },
    { "fec0::1", false },              /* site-local (deprecated) */
    { "fc00::1", false },              /* unique local */
    { "fd12:3456:789a::1", false },
    { "ff02::1", false },              /* multicast */
    { "ff05::2", false },
    { "::ffff:127.0.0.1", false },     /* IPv4-mapped loopback */
    { "::ffff:10.0.0.1", false },
    { "::ffff:169.254.169.254", false },
    { "::ffff:192.168.0.1", false },
    { "::ffff:0.0.0.0", false },
    { "::127.0.0.1", false },          /* IPv4-compatible (deprecated) */
    { "64:ff9b::7f00:1", false },      /* NAT64 of 127.0.0.1 */
    { "64:ff9b::a9fe:a9fe", false },   /* NAT64 of 169.254.169.254 */
    { "64:ff9b:1::1", false },         /* local-use NAT64 */
    { "2002:7f00:1::1", false },       /* 6to4 of 127.0.0.1 */
    { "2002:c0a8:101::1", false },     /* 6to4 of 192.168.1.1 */
    { "2001::1", false },              /* Teredo */
    { "2001:db8::1", false },          /* documentation */
    { "3fff::1", false },
    { "100::1", false },               /* discard-only */
    { "1000::1", false },              /* outside 2000::/3 */
    { "4000::1", false },
    { "localhost", false },            /* not literals */
    { "example.com", false },
    { "", false },
    { "127.1", false },                /* inet_pton takes only dotted quads */
    { "1.2.3.4.5", false },
};

static void test_classifier(void)
{
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr sa;
    size_t i;

    for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
        CHECK(cli_fetch_ip_is_public(addrs[i].ip) == addrs[i].pub, "'%s' should be %s",
              addrs[i].ip, addrs[i].pub ? "public" : "blocked");

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    inet_pton(AF_INET, "8.8.4.4", &in.sin_addr);
    CHECK(cli_fetch_addr_is_public((struct sockaddr *)&in, sizeof(in)), "sockaddr_in public");
    CHECK(!cli_fetch_addr_is_public((struct sockaddr *)&in, sizeof(in) - 1), "short sockaddr");
    inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
    CHECK(!cli_fetch_addr_is_public((struct sockaddr *)&in, sizeof(in)), "sockaddr_in metadata");
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:4860:4860::8844", &in6.sin6_addr);
    CHECK(cli_fetch_addr_is_public((struct sockaddr *)&in6, sizeof(in6)), "sockaddr_in6 public");
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
    CHECK(!cli_fetch_addr_is_public((struct sockaddr *)&in6, sizeof(in6)), "sockaddr_in6 mapped");
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNIX;
    CHECK(!cli_fetch_addr_is_public(&sa, sizeof(sa)), "AF_UNIX is never public");
}

/* --- options from the environment ------------------------------------------- */

static void clear_env(void)
{
    unsetenv("MCRED_FETCH_ALLOW_HTTP");
    unsetenv("MCRED_FETCH_ALLOW_PRIVATE");
    unsetenv("MCRED_FETCH_TIMEOUT_MS");
    unsetenv("MCRED_FETCH_MAX_BYTES");
    unsetenv("MCRED_FETCH_CA_FILE");
}

static void test_env(void)
{
    struct cli_fetch_opts o;

    clear_env();
    cli_fetch_opts_from_env(&o);
    CHECK(!o.allow_http && !o.allow_private, "defaults: https only, public only");
    CHECK(o.timeout_ms == 10000 && o.max_bytes == ((size_t)4 << 20) && !o.ca_file,
          "defaults: 10 s, 4 MiB, system CAs");
    setenv("MCRED_FETCH_ALLOW_HTTP", "1", 1);
    setenv("MCRED_FETCH_ALLOW_PRIVATE", "1", 1);
    setenv("MCRED_FETCH_TIMEOUT_MS", "250", 1);
    setenv("MCRED_FETCH_MAX_BYTES", "4096", 1);
    setenv("MCRED_FETCH_CA_FILE", "/tmp/ca.pem", 1);
    cli_fetch_opts_from_env(&o);
    CHECK(o.allow_http && o.allow_private, "both flags from the environment");
    CHECK(o.timeout_ms == 250 && o.max_bytes == 4096, "numbers from the environment");
    CHECK_STR_EQ(o.ca_file, "/tmp/ca.pem", "CA file from the environment");
    setenv("MCRED_FETCH_ALLOW_HTTP", "yes", 1);   /* only "1" turns a flag on */
    setenv("MCRED_FETCH_ALLOW_PRIVATE", "0", 1);
    setenv("MCRED_FETCH_TIMEOUT_MS", "12abc", 1);
    setenv("MCRED_FETCH_MAX_BYTES", "99999999999999999999999", 1);
    cli_fetch_opts_from_env(&o);
    CHECK(!o.allow_http && !o.allow_private, "flags other than 1 are off");
    CHECK(o.timeout_ms == 10000 && o.max_bytes == ((size_t)4 << 20), "bad numbers ignored");
    setenv("MCRED_FETCH_TIMEOUT_MS", "0", 1);
    cli_fetch_opts_from_env(&o);
    CHECK(o.timeout_ms == 10000, "zero timeout ignored");
    clear_env();
}

/* --- the test servers --------------------------------------------------------- */

#define MAX_CONNS 128

struct server {
    int lfd;
    int port;
    SSL_CTX *tls;                  /* NULL for plain HTTP */
    int other_port;                /* the other server's port, for cross redirects */
    pthread_t accept_thr;
    pthread_t conn_thr[MAX_CONNS];
    int nconn;                     /* connections accepted */
    atomic_int stop;
    pthread_mutex_t mu;
    char last[4096];               /* the last request head received */
};

struct conn {
    struct server *srv;
    int fd;
    SSL *ssl;
};

static int conns(struct server *s)
{
    int n;

    pthread_mutex_lock(&s->mu);
    n = s->nconn;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void last_request(struct server *s, char *buf, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    mc_strlcpy(buf, s->last, cap);
    pthread_mutex_unlock(&s->mu);
}

/* Wait up to ms for input; false on timeout or when the server stops. */
static bool readable(struct conn *c, int ms)
{
    struct pollfd p = { c->fd, POLLIN, 0 };

    if (c->ssl && SSL_pending(c->ssl) > 0)
        return true;
    for (; ms > 0 && !c->srv->stop; ms -= 50) {
        if (poll(&p, 1, 50) > 0)
            return true;
    }
    return false;
}

static long c_read(struct conn *c, char *p, size_t n)
{
    if (c->ssl)
        return SSL_read(c->ssl, p, (int)n);
    return (long)recv(c->fd, p, n, 0);
}

static bool c_write(struct conn *c, const char *p, size_t n)
{
    while (n > 0) {
        long w = c->ssl ? SSL_write(c->ssl, p, (int)n) : (long)send(c->fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Read one request head; false when the peer closed or the server stops. */
static bool read_head(struct conn *c, char *buf, size_t cap)
{
    size_t n = 0;

    while (n + 1 < cap) {
        long r;

        if (!readable(c, 5000))
            return false;
        r = c_read(c, buf + n, cap - 1 - n);
        if (r <= 0)
            return false;
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            return true;
    }
    return false;
}

static bool respond(struct conn *c, const char *status, const char *headers, const char *body,
                    size_t len)
{
    char head[1024];

    snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n", status, len,
             headers);
    return c_write(c, head, strlen(head)) && c_write(c, body, len);
}

static const char ok_body[] = "{\"ok\":true}";
static char big[100000];   /* filled once by main() */

/* Serve one request; false when the connection is to be closed. */
static bool serve(struct conn *c, const char *path)
{
    char hdr[256];
    int k;

    if (strcmp(path, "/ok") == 0)
        return respond(c, "200 OK", "Content-Type: application/json\r\nSet-Cookie: sid=1\r\n",
                       ok_body, strlen(ok_body));
    if (strcmp(path, "/missing") == 0)
        return respond(c, "404 Not Found", "", "nope", 4);
    if (strcmp(path, "/boom") == 0)
        return respond(c, "500 Internal Server Error", "", "oops", 4);
    if (strcmp(path, "/exact") == 0 || strcmp(path, "/big") == 0)
        return respond(c, "200 OK", "", big, path[1] == 'e' ? 1000 : sizeof(big));
    if (strcmp(path, "/stream") == 0) {   /* no Content-Length: ends at close */
        const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";

        if (c_write(c, head, strlen(head)))
            (void)c_write(c, big, sizeof(big));
        return false;
    }
    if (strcmp(path, "/slow") == 0) {     /* answers after 5 s unless the client leaves */
        if (readable(c, 5000))
            return false;
        return respond(c, "200 OK", "", ok_body, strlen(ok_body));
    }
    if (sscanf(path, "/hop/%d", &k) == 1 && k > 0) {
        snprintf(hdr, sizeof(hdr), "Location: /hop/%d\r\n", k - 1);
        return respond(c, "302 Found", hdr, "", 0);
    }
    if (strcmp(path, "/hop/0") == 0)
        return respond(c, "200 OK", "", ok_body, strlen(ok_body));
    if (strcmp(path, "/r/file") == 0)
        return respond(c, "302 Found", "Location: file:///etc/passwd\r\n", "", 0);
    if (strcmp(path, "/r/creds") == 0) {
        snprintf(hdr, sizeof(hdr), "Location: http://user:pw@127.0.0.1:%d/ok\r\n", c->srv->port);
        return respond(c, "302 Found", hdr, "", 0);
    }
    if (strcmp(path, "/r/missing") == 0)
        return respond(c, "307 Temporary Redirect", "Location: /missing\r\n", "", 0);
    if (strcmp(path, "/r/noloc") == 0)
        return respond(c, "302 Found", "", "", 0);
    if (strcmp(path, "/r/other") == 0) {  /* to the other server, plain <-> TLS */
        snprintf(hdr, sizeof(hdr), "Location: %s://127.0.0.1:%d/ok\r\n",
                 c->srv->tls ? "http" : "https", c->srv->other_port);
        return respond(c, "301 Moved Permanently", hdr, "", 0);
    }
    return respond(c, "400 Bad Request", "", "?", 1);
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    char head[4096], path[256];

    if (c->srv->tls) {
        c->ssl = SSL_new(c->srv->tls);
        if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || SSL_accept(c->ssl) != 1)
            goto out;
    }
    while (read_head(c, head, sizeof(head))) {
        pthread_mutex_lock(&c->srv->mu);
        mc_strlcpy(c->srv->last, head, sizeof(c->srv->last));
        pthread_mutex_unlock(&c->srv->mu);
        if (sscanf(head, "GET %255s HTTP/1.1", path) != 1 || !serve(c, path))
            break;
    }
out:
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    free(c);
    return NULL;
}

static void *accept_main(void *arg)
{
    struct server *s = arg;
    struct pollfd p = { s->lfd, POLLIN, 0 };
    struct timeval tv = { 5, 0 };

    while (!s->stop) {
        struct conn *c;
        int fd;

        if (poll(&p, 1, 50) <= 0)
            continue;
        fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        c = calloc(1, sizeof(*c));
        pthread_mutex_lock(&s->mu);
        if (!c || s->nconn == MAX_CONNS) {
            pthread_mutex_unlock(&s->mu);
            free(c);
            close(fd);
            continue;
        }
        c->srv = s;
        c->fd = fd;
        if (pthread_create(&s->conn_thr[s->nconn], NULL, conn_main, c) == 0) {
            s->nconn++;
        } else {
            close(fd);
            free(c);
        }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static bool server_start(struct server *s, SSL_CTX *tls)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(s, 0, sizeof(*s));
    s->tls = tls;
    pthread_mutex_init(&s->mu, NULL);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(s->lfd, 16) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &len) != 0)
        return false;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->accept_thr, NULL, accept_main, s) == 0;
}

static void server_stop(struct server *s)
{
    int i;

    s->stop = 1;
    pthread_join(s->accept_thr, NULL);
    for (i = 0; i < s->nconn; i++)
        pthread_join(s->conn_thr[i], NULL);
    close(s->lfd);
    pthread_mutex_destroy(&s->mu);
}

/* A self-signed certificate for IP 127.0.0.1, written to pem_path for the
 * client; the server context uses it with its key. */
static SSL_CTX *make_tls(char *pem_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    SSL_CTX *ctx = NULL;
    FILE *f;
    int fd;

    if (!key || !x)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "IP:127.0.0.1");
    if (!ext)
        goto out;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    if (!ext)
        goto out;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (!X509_sign(x, key, EVP_sha256()))
        goto out;
    fd = mkstemp(pem_path);
    if (fd < 0)
        goto out;
    f = fdopen(fd, "w");
    if (!f || !PEM_write_X509(f, x)) {
        if (f)
            fclose(f);
        goto out;
    }
    fclose(f);
    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx && (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)) {
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
out:
    X509_free(x);
    EVP_PKEY_free(key);
    return ctx;
}

/* --- fetches ------------------------------------------------------------------ */

static struct server plain, tls;
static char ca_pem[] = "/tmp/mcred-test-fetch-XXXXXX";

static char last_msg[MC_ERRMSG_MAX];  /* the message of the last get() */

/* CHECK_RC that also prints the message of the fetch. */
#define CHECK_GET(expr, want, what)                                                 \
    do {                                                                            \
        int r_ = (int)(expr);                                                       \
        CHECK(r_ == (int)(want), "%s: rc %d, want %d (%s)", (what), r_, (int)(want), \
              last_msg);                                                            \
    } while (0)

/* Fetch url into a fresh buffer with cap max (0: default); the body is
 * copied to body (when not NULL) and the message to msg. */
static mcred_rc get(const struct mc_fetcher *f, const char *url, size_t max, char *body,
                    size_t bcap, char *msg, size_t mcap)
{
    struct mc_buf b;
    struct mc_err err;
    mcred_rc rc;

    mc_buf_init(&b, max);
    mc_err_clear(&err);
    rc = f->fetch(f->ud, url, &b, &err);
    if (body)
        mc_strlcpy(body, b.ptr ? b.ptr : "", bcap);
    mc_strlcpy(msg, rc ? mc_err_msg(&err) : "", mcap);
    mc_strlcpy(last_msg, msg, sizeof(last_msg));
    CHECK(!rc || b.len == 0, "buffer left empty on failure of %s", url);
    mc_buf_release(&b);
    return rc;
}

static bool has(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

static void url(char *buf, size_t cap, const struct server *s, const char *path)
{
    snprintf(buf, cap, "%s://127.0.0.1:%d%s", s->tls ? "https" : "http", s->port, path);
}

static void settle(void)
{
    struct timespec ts = { 0, 100000000L };

    nanosleep(&ts, NULL);   /* let a connection that should not exist show up */
}

/* Default options: https only, public addresses only. */
static void test_policy_defaults(void)
{
    struct cli_fetch_opts o;
    struct mc_fetcher f;
    char u[256], msg[MC_ERRMSG_MAX];
    int before = conns(&plain), tls_before = conns(&tls);

    cli_fetch_opts_from_env(&o);
    o.ca_file = ca_pem;
    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher with default options");

    url(u, sizeof(u), &plain, "/ok");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "http refused by default");
    CHECK(has(msg, u) && has(msg, "only https"), "scheme message: %s", msg);

    url(u, sizeof(u), &tls, "/ok");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "loopback refused");
    CHECK(has(msg, u) && has(msg, "refused to connect to 127.0.0.1") && has(msg, "private"),
          "address message: %s", msg);

    CHECK_GET(get(&f, "https://user:pw@127.0.0.1/", 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO,
             "credentials in the URL refused");
    CHECK(has(msg, "credentials") && has(msg, "https://user:pw@127.0.0.1/"), "creds: %s", msg);
    CHECK_GET(get(&f, "file:///etc/passwd", 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO,
             "file: refused");
    CHECK(has(msg, "file:///etc/passwd") && has(msg, "only http and https"), "file: %s", msg);
    CHECK_GET(get(&f, "not a url", 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_INVALID,
             "garbage URL");
    CHECK(has(msg, "'not a url'"), "garbage message names it: %s", msg);
    CHECK_GET(get(&f, "https://ex\nample.com/", 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_INVALID,
             "control byte in the URL");
    CHECK(!strchr(msg, '\n'), "no control byte in the message: %s", msg);
    settle();
    CHECK(conns(&plain) == before && conns(&tls) == tls_before, "no connection was made");
    cli_fetcher_cleanup(&f);
    CHECK(f.fetch == NULL && f.ud == NULL, "cleanup zeroes the fetcher");
    cli_fetcher_cleanup(&f);   /* twice is harmless */
}

/* http allowed, private addresses still refused, by every spelling of them. */
static void test_policy_private(void)
{
    static const char *const hosts[] = { "127.0.0.1", "localhost", "[::1]",
                                         "[::ffff:127.0.0.1]", "2130706433", "127.1",
                                         "0x7f.0.0.1" };
    struct cli_fetch_opts o = { true, false, 2000, 0, NULL };
    struct mc_fetcher f;
    char u[256], msg[MC_ERRMSG_MAX];
    int before = conns(&plain);
    size_t i;

    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher allowing http");
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        snprintf(u, sizeof(u), "http://%s:%d/ok", hosts[i], plain.port);
        CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "private host refused");
        CHECK(has(msg, u) && has(msg, "refused to connect to") && has(msg, "private"),
              "message for %s: %s", hosts[i], msg);
    }
    settle();
    CHECK(conns(&plain) == before, "no connection to a private address was made");
    cli_fetcher_cleanup(&f);
}

/* Everything allowed: statuses, caps, redirects, headers. */
static void test_fetches(void)
{
    struct cli_fetch_opts o = { true, true, 3000, 1000, NULL };
    struct mc_fetcher f;
    char u[256], u2[256], body[2048], msg[MC_ERRMSG_MAX], req[4096];
    struct mc_buf b;
    struct mc_err err;
    int before;

    o.ca_file = ca_pem;
    /* a proxy in the environment is ignored: this one would refuse everything */
    setenv("http_proxy", "http://127.0.0.1:1/", 1);
    setenv("HTTPS_PROXY", "http://127.0.0.1:1/", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:1/", 1);
    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher allowing everything");

    url(u, sizeof(u), &plain, "/ok");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "200");
    CHECK_STR_EQ(body, ok_body, "200 body");
    last_request(&plain, req, sizeof(req));
    CHECK(has(req, "GET /ok HTTP/1.1\r\n"), "origin-form request, no proxy: %.60s", req);
    CHECK(has(req, "\r\nAccept: application/json, application/ld+json, application/did+json\r\n"),
          "Accept header sent: %s", req);
    before = conns(&plain);
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "200 again");
    last_request(&plain, req, sizeof(req));
    CHECK(!has(req, "Cookie") && !has(req, "Authorization"), "no cookie, no auth: %s", req);
    CHECK(conns(&plain) == before, "the connection is kept alive and reused");

    url(u, sizeof(u), &plain, "/missing");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_NOTFOUND, "404");
    CHECK(has(msg, u) && has(msg, "404"), "404 message: %s", msg);
    url(u, sizeof(u), &plain, "/boom");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "500");
    CHECK(has(msg, u) && has(msg, "HTTP 500"), "500 message: %s", msg);

    url(u, sizeof(u), &plain, "/exact");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "body at the cap");
    CHECK(strlen(body) == 1000, "1000 bytes read, got %zu", strlen(body));
    url(u, sizeof(u), &plain, "/big");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_LIMIT, "Content-Length > cap");
    CHECK(has(msg, u) && has(msg, "response larger than 1000 bytes"), "limit: %s", msg);
    url(u, sizeof(u), &plain, "/stream");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_LIMIT, "streamed body > cap");
    CHECK(has(msg, u) && has(msg, "response larger than 1000 bytes"), "limit: %s", msg);
    url(u, sizeof(u), &plain, "/ok");
    CHECK_GET(get(&f, u, 5, NULL, 0, msg, sizeof(msg)), MCRED_ERR_LIMIT, "the buffer's own cap");
    CHECK(has(msg, "larger than 5 bytes"), "buffer cap: %s", msg);

    /* the body is appended; the buffer is as it was after a failure */
    mc_buf_init(&b, 0);
    CHECK_RC(mc_buf_appends(&b, "pre:"), MCRED_OK, "prefix");
    url(u, sizeof(u), &plain, "/boom");
    CHECK_RC(f.fetch(f.ud, u, &b, &err), MCRED_ERR_IO, "500 into a used buffer");
    CHECK_STR_EQ(b.ptr, "pre:", "untouched after a failure");
    url(u, sizeof(u), &plain, "/hop/2");
    CHECK_RC(f.fetch(f.ud, u, &b, &err), MCRED_OK, "redirects into a used buffer");
    CHECK_STR_EQ(b.ptr, "pre:{\"ok\":true}", "appended, no redirect bodies");
    mc_buf_release(&b);

    url(u, sizeof(u), &plain, "/hop/3");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "3 redirects");
    CHECK_STR_EQ(body, ok_body, "body after 3 redirects");
    url(u, sizeof(u), &plain, "/hop/4");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "4 redirects");
    CHECK(has(msg, u) && has(msg, "more than 3 redirects"), "redirects: %s", msg);
    url(u, sizeof(u), &plain, "/r/file");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "redirect to file:");
    CHECK(has(msg, u) && has(msg, "redirect to 'file:///etc/passwd' refused"), "file: %s", msg);
    url(u, sizeof(u), &plain, "/r/creds");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "redirect with creds");
    CHECK(has(msg, u) && has(msg, "credentials"), "creds: %s", msg);
    url(u, sizeof(u), &plain, "/r/noloc");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "302 without Location");
    CHECK(has(msg, u) && has(msg, "302"), "no location: %s", msg);
    url(u, sizeof(u), &plain, "/r/other");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK,
             "http redirected to https");
    CHECK_STR_EQ(body, ok_body, "body over TLS after a redirect");

    /* a 404 on a later hop names both URLs */
    url(u, sizeof(u), &plain, "/r/missing");
    url(u2, sizeof(u2), &plain, "/missing");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_NOTFOUND, "404 after a hop");
    CHECK(has(msg, u) && has(msg, u2) && has(msg, "404"), "404 after a hop: %s", msg);
    cli_fetcher_cleanup(&f);
    unsetenv("http_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
}

static void test_timeout(void)
{
    struct cli_fetch_opts o = { true, true, 300, 0, NULL };
    struct mc_fetcher f;
    struct timespec t0, t1;
    char u[256], msg[MC_ERRMSG_MAX];
    long ms;

    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher with 300 ms");
    url(u, sizeof(u), &plain, "/slow");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "slow response");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(has(msg, u) && has(msg, "timed out after 300 ms"), "timeout: %s", msg);
    CHECK(ms < 4000, "gave up long before the server answered (%ld ms)", ms);
    url(u, sizeof(u), &plain, "/ok");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_OK, "usable after a timeout");
    cli_fetcher_cleanup(&f);
}

/* https only (the default) against the TLS server. */
static void test_tls(void)
{
    struct cli_fetch_opts o = { false, true, 3000, 0, NULL };
    struct mc_fetcher f;
    char u[256], body[256], msg[MC_ERRMSG_MAX];
    int before = conns(&plain);

    o.ca_file = ca_pem;
    CHECK_RC(cli_fetcher_init(&f, &o), 0, "https-only fetcher");
    url(u, sizeof(u), &tls, "/ok");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "https");
    CHECK_STR_EQ(body, ok_body, "https body");
    url(u, sizeof(u), &tls, "/hop/1");
    CHECK_GET(get(&f, u, 0, body, sizeof(body), msg, sizeof(msg)), MCRED_OK, "https hop");
    url(u, sizeof(u), &tls, "/r/other");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "https -> http refused");
    CHECK(has(msg, u) && has(msg, "redirect to 'http://127.0.0.1:") && has(msg, "only https"),
          "downgrade message: %s", msg);
    url(u, sizeof(u), &tls, "/missing");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_NOTFOUND, "https 404");
    settle();
    CHECK(conns(&plain) == before, "the downgrade made no connection");
    cli_fetcher_cleanup(&f);

    o.ca_file = NULL;   /* the system CAs do not know our certificate */
    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher with system CAs");
    url(u, sizeof(u), &tls, "/ok");
    CHECK_GET(get(&f, u, 0, NULL, 0, msg, sizeof(msg)), MCRED_ERR_IO, "unknown certificate");
    CHECK(has(msg, u) && has(msg, "certificate"), "certificate message: %s", msg);
    cli_fetcher_cleanup(&f);
}

/* Allocation failures: at start-up, and at every allocation of a fetch
 * (redirect target, body growth), until the fetch goes through. */
static void test_nomem(void)
{
    struct cli_fetch_opts o = { true, true, 3000, 0, NULL };
    struct mc_fetcher f;
    char u[256], body[256], msg[MC_ERRMSG_MAX];
    unsigned long n;
    int bad = 0, rc = -1;

    mcred_test_fail_alloc(1);
    CHECK_RC(cli_fetcher_init(&f, &o), MCRED_ERR_NOMEM, "init without memory");
    mcred_test_fail_alloc(0);
    CHECK(f.fetch == NULL && f.ud == NULL, "fetcher zeroed after a failed init");
    CHECK_RC(cli_fetcher_init(&f, &o), 0, "fetcher for the allocation failures");
    url(u, sizeof(u), &plain, "/hop/1");
    for (n = 1; n < 50 && rc != MCRED_OK; n++) {
        mcred_test_fail_alloc(n);
        rc = get(&f, u, 0, body, sizeof(body), msg, sizeof(msg));
        mcred_test_fail_alloc(0);
        if (rc != MCRED_OK && rc != MCRED_ERR_NOMEM)
            bad++;
    }
    CHECK(bad == 0, "only NOMEM before success, %d other results (%s)", bad, msg);
    CHECK(rc == MCRED_OK && n > 2, "the fetch went through after %lu failures", n - 1);
    CHECK_STR_EQ(body, ok_body, "body after the allocation failures");
    cli_fetcher_cleanup(&f);
}

int main(void)
{
    SSL_CTX *ctx;

    signal(SIGPIPE, SIG_IGN);
    memset(big, 'a', sizeof(big));
    test_classifier();
    test_env();
    clear_env();

    ctx = make_tls(ca_pem);
    CHECK(ctx != NULL, "test certificate");
    if (!ctx || !server_start(&plain, NULL) || !server_start(&tls, ctx)) {
        printf("cannot start the test servers\n");
        check_report();
        return 1;
    }
    plain.other_port = tls.port;
    tls.other_port = plain.port;
    test_policy_defaults();
    test_policy_private();
    test_fetches();
    test_timeout();
    test_tls();
    test_nomem();
    server_stop(&plain);
    server_stop(&tls);
    SSL_CTX_free(ctx);
    unlink(ca_pem);
    return check_report();
}
