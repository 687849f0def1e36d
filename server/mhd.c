/* mhd.c - the one libmicrohttpd adapter: a thread pool, each thread with its
 * own epoll; requests are collected (bounded body, bounded time), turned
 * into a struct srv_req, handled by srv_handle and sent back; one JSON line
 * per request in the access log; SIGTERM/SIGINT stop it gracefully.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ratelimit.h"
#include "server.h"

/* What one request collects between the adapter's calls. */
struct conn {
    struct mc_buf body;
    bool too_large;
    double started;            /* monotonic seconds: the request's time limit */
    char client[64];
};

struct adapter {
    struct srv *s;
    FILE *log;
    bool log_owned;
    pthread_mutex_t log_mu;
};

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Leave paths and query arguments as they came: the router decodes each
 * path segment itself, so an encoded '/' or ".." stays inside its segment. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static const char *get_header(const struct srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->adapter, MHD_HEADER_KIND, name);
}

struct qbuild {
    struct mc_buf *b;
    bool bad;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct qbuild *q = cls;

    (void)kind;
    if ((q->b->len && mc_buf_appendc(q->b, '&')) || mc_buf_appends(q->b, key) ||
        (value && (mc_buf_appendc(q->b, '=') || mc_buf_appends(q->b, value)))) {
        q->bad = true;
        return MHD_NO;
    }
    return MHD_YES;
}

static void client_addr(struct MHD_Connection *c, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    mc_strlcpy(out, "unknown", 64);
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  64);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void access_log(struct adapter *a, const struct srv_req *r, const struct srv_resp *w,
                       size_t bytes, double ms)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    if (!a->log)
        return;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&a->log_mu);
    fprintf(a->log, "{\"time\":\"%s\",\"client\":", when);
    json_str(a->log, r->client);
    fputs(",\"method\":", a->log);
    json_str(a->log, r->method);
    fputs(",\"path\":", a->log);
    json_str(a->log, r->path);
    fprintf(a->log, ",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f,\"user\":%lld}\n", w->status,
            bytes, ms, (long long)r->who.user);
    fflush(a->log);
    pthread_mutex_unlock(&a->log_mu);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct srv_resp *w)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t len = 0, i;
    char *body = mc_buf_take(&w->body, &len);

    resp = MHD_create_response_from_buffer_with_free_callback(len, body ? body : mc_strdup(""),
                                                              mc_free);
    if (!resp)
        return MHD_NO;
    if (w->content_type)
        MHD_add_response_header(resp, "Content-Type", w->content_type);
    for (i = 0; i < w->nheaders; i++)
        MHD_add_response_header(resp, w->headers[i].name, w->headers[i].value);
    ret = MHD_queue_response(c, (unsigned)w->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* An answer made here, without the router (413, 408). */
static enum MHD_Result early(struct adapter *a, struct MHD_Connection *c, struct conn *k,
                             const char *method, const char *url, int status, const char *code,
                             const char *msg)
{
    struct srv_req r;
    struct srv_resp w;
    enum MHD_Result ret;
    size_t bytes;

    memset(&r, 0, sizeof(r));
    r.method = method;
    r.path = url;
    mc_strlcpy(r.client, k->client, sizeof(r.client));
    srv_resp_init(&w);
    srv_error(&w, status, code, "%s", msg);
    (void)srv_set_header(&w, "Connection", "close");
    bytes = w.body.len;
    ret = send_resp(c, &w);
    access_log(a, &r, &w, bytes, (mono() - k->started) * 1000.0);
    srv_resp_release(&w);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct adapter *a = cls;
    struct srv *s = a->s;
    struct conn *k = *con_cls;
    struct srv_req r;
    struct srv_resp w;
    struct mc_buf q;
    struct qbuild qb;
    enum MHD_Result ret;
    size_t bytes;
    double t0;

    (void)version;
    if (!k) {
        const char *cl;

        k = mc_calloc(1, sizeof(*k));
        if (!k)
            return MHD_NO;
        mc_buf_init(&k->body, s->conf.max_body);
        k->started = mono();
        client_addr(c, k->client);
        if (s->conf.trust_proxy) {
            const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                          "X-Forwarded-For");
            if (xff) {
                size_t n = strcspn(xff, ", ");

                if (n > 0 && n < sizeof(k->client)) {
                    memcpy(k->client, xff, n);
                    k->client[n] = '\0';
                }
            }
        }
        *con_cls = k;
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            unsigned long long v;

            errno = 0;
            v = strtoull(cl, &end, 10);
            if (errno || *end || v > s->conf.max_body) {
                char msg[128];

                snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes",
                         s->conf.max_body);
                return early(a, c, k, method, url, 413, "too_large", msg);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (s->conf.timeout_s && mono() - k->started > 2.0 * s->conf.timeout_s)
            return MHD_NO;   /* a body trickling in past the request time limit: drop */
        if (!k->too_large && mc_buf_append(&k->body, upload, *upload_size) != MCRED_OK) {
            k->too_large = true;
            mc_buf_release(&k->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->too_large) {
        char msg[128];

        snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes",
                 s->conf.max_body);
        return early(a, c, k, method, url, 413, "too_large", msg);
    }
    if (mc_buf_appendc(&k->body, '\0') != MCRED_OK)
        return early(a, c, k, method, url, 413, "too_large", "the request body is too large");
    k->body.len--;

    memset(&r, 0, sizeof(r));
    mc_buf_init(&q, 64 * 1024);
    qb.b = &q;
    qb.bad = false;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &qb);
    if (qb.bad || mc_buf_appendc(&q, '\0') != MCRED_OK) {
        mc_buf_release(&q);
        return early(a, c, k, method, url, 414, "uri_too_long", "the query string is too long");
    }
    r.method = method;
    r.path = url;
    r.query = q.ptr;
    r.body = k->body.ptr ? k->body.ptr : "";
    r.body_len = k->body.len;
    r.header = get_header;
    r.adapter = c;
    mc_strlcpy(r.client, k->client, sizeof(r.client));
    srv_resp_init(&w);
    t0 = mono();
    srv_handle(s, &r, &w);
    bytes = w.body.len;
    ret = send_resp(c, &w);
    access_log(a, &r, &w, bytes, (mono() - t0) * 1000.0);
    srv_resp_release(&w);
    mc_buf_release(&q);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    struct conn *k = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (!k)
        return;
    mc_buf_release(&k->body);
    mc_free(k);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("mcred serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into a socket address. */
static bool parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
                         unsigned *port)
{
    char host[128];
    const char *colon;
    char *end;
    unsigned long p;
    size_t hl;

    memset(ss, 0, sizeof(*ss));
    if (spec[0] == '[') {
        const char *rb = strchr(spec, ']');

        if (!rb || rb[1] != ':')
            return false;
        hl = (size_t)(rb - spec - 1);
        if (hl >= sizeof(host))
            return false;
        memcpy(host, spec + 1, hl);
        host[hl] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            return false;
        hl = (size_t)(colon - spec);
        if (hl >= sizeof(host))
            return false;
        memcpy(host, spec, hl);
        host[hl] = '\0';
    }
    errno = 0;
    p = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p > 65535)
        return false;
    *port = (unsigned)p;
    if (host[0] == '\0')
        mc_strlcpy(host, "127.0.0.1", sizeof(host));
    {
        struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;

        if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons((uint16_t)p);
            *len = sizeof(*v4);
            return true;
        }
        if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons((uint16_t)p);
            *len = sizeof(*v6);
            return true;
        }
    }
    return false;
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct mc_buf b;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    mc_buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (mc_buf_append(&b, chunk, n) != MCRED_OK)
            break;
    fclose(f);
    if (mc_buf_appendc(&b, '\0') != MCRED_OK) {
        mc_buf_release(&b);
        return NULL;
    }
    return mc_buf_take(&b, &n);
}

static bool write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    FILE *f;
    bool ok;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return false;
    f = fopen(tmp, "w");
    if (!f)
        return false;
    ok = fprintf(f, "%u\n", port) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return false;
    }
    return true;
}

int srv_run(struct srv *s)
{
    struct adapter a;
    struct MHD_Daemon *d;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    unsigned port = 0, threads = s->conf.threads;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    char *cert = NULL, *key = NULL;
    const union MHD_DaemonInfo *di;
    sigset_t set;
    int sig = 0;

    memset(&a, 0, sizeof(a));
    a.s = s;
    pthread_mutex_init(&a.log_mu, NULL);
    if (!parse_listen(s->conf.listen ? s->conf.listen : "127.0.0.1:8080", &ss, &sl, &port)) {
        fprintf(stderr, "mcred: error: --listen '%s': expected HOST:PORT (e.g. 127.0.0.1:8080)\n",
                s->conf.listen);
        return 1;
    }
    if (s->conf.access_log) {
        if (strcmp(s->conf.access_log, "-") == 0) {
            a.log = stderr;
        } else {
            a.log = fopen(s->conf.access_log, "a");
            a.log_owned = true;
            if (!a.log) {
                fprintf(stderr, "mcred: error: access log '%s': %s\n", s->conf.access_log,
                        strerror(errno));
                return 1;
            }
        }
    }
    if (s->conf.tls_cert || s->conf.tls_key) {
        if (!s->conf.tls_cert || !s->conf.tls_key) {
            fprintf(stderr, "mcred: error: TLS needs both --tls-cert and --tls-key\n");
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, "mcred: error: this libmicrohttpd has no TLS; put a TLS proxy in "
                            "front (docs/operations.md)\n");
            goto fail;
        }
        cert = read_pem(s->conf.tls_cert);
        key = read_pem(s->conf.tls_key);
        if (!cert || !key) {
            fprintf(stderr, "mcred: error: cannot read the TLS certificate or key\n");
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        threads = n > 0 ? (unsigned)n : 1;
    }
    s->limiter = s->conf.rate > 0 ? srv_rate_new(s->conf.rate, s->conf.burst) : NULL;
    if (s->conf.rate > 0 && !s->limiter) {
        fprintf(stderr, "mcred: error: out of memory\n");
        goto fail;
    }
    /* the signals are taken by sigwait below, not by the worker threads */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (cert)
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, &a,
                             MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                             MHD_OPTION_CONNECTION_TIMEOUT, s->conf.timeout_s,
                             MHD_OPTION_CONNECTION_LIMIT, s->conf.max_conns,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, &a,
                             MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
                             MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                             MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, &a,
                             MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                             MHD_OPTION_CONNECTION_TIMEOUT, s->conf.timeout_s,
                             MHD_OPTION_CONNECTION_LIMIT, s->conf.max_conns,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, &a,
                             MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
                             MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "mcred: error: cannot listen on %s: %s\n",
                s->conf.listen ? s->conf.listen : "127.0.0.1:8080", strerror(errno));
        goto fail;
    }
    (void)sl;
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = di ? di->port : port;
    if (s->conf.port_file && !write_port_file(s->conf.port_file, port)) {
        fprintf(stderr, "mcred: error: cannot write the port file '%s'\n", s->conf.port_file);
        MHD_stop_daemon(d);
        goto fail;
    }
    {
        char host[64] = "?";

        if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, host,
                      sizeof(host));
        else
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, host,
                      sizeof(host));
        fprintf(stderr, "mcred serve: listening on %s://%s%s%s:%u (%u threads)\n",
                cert ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "", host,
                ss.ss_family == AF_INET6 ? "]" : "", port, threads);
    }
    fprintf(stderr, "mcred serve: public URL %s\n", mc_platform_public_url(s->plat));
    while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    fprintf(stderr, "mcred serve: %s: finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    (void)MHD_quiesce_daemon(d);
    MHD_stop_daemon(d);
    srv_rate_free(s->limiter);
    s->limiter = NULL;
    if (a.log_owned)
        fclose(a.log);
    mc_free(cert);
    mc_free(key);
    pthread_mutex_destroy(&a.log_mu);
    fprintf(stderr, "mcred serve: stopped\n");
    return 0;
fail:
    srv_rate_free(s->limiter);
    s->limiter = NULL;
    if (a.log_owned && a.log)
        fclose(a.log);
    mc_free(cert);
    mc_free(key);
    pthread_mutex_destroy(&a.log_mu);
    return 1;
}
