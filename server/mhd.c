/* mhd.c - the one libmicrohttpd adapter: a thread pool, each thread with its
 * own epoll; requests are collected (bounded body, bounded time), turned
 * into a struct srv_req, handled by srv_handle and sent back; one JSON line
 * per request in the access log; SIGTERM/SIGINT stop it gracefully.
 * Answers that took long to make are written together at the end of the
 * worker's round (write coalescing, see hold_resp).
 *
 * Time limits. libmicrohttpd closes a connection that stays silent for
 * --timeout seconds, but a client that sends one byte a second is never
 * silent. So each connection is also registered here (NOTIFY_CONNECTION) and
 * a watchdog thread shuts down the socket of any connection that has spent
 * more than twice --timeout receiving one request (its headers and body,
 * counted from the connection's start or the end of its previous response).
 * Stopping. SIGTERM stops accepting (the listening socket is closed at once,
 * so new clients are refused rather than left waiting), lets the requests in
 * flight finish (each answered with Connection: close) for at most the
 * request time limit plus --timeout, then stops.
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
#include <sodium.h>

#include "ratelimit.h"
#include "server.h"

/* A body past the cap is read and thrown away (so the client gets its 413)
 * for at most this many bytes more; beyond, the connection is closed. */
#define DISCARD_MAX ((size_t)4 << 20)

/* What one request collects between the adapter's calls. */
struct conn {
    struct mc_buf body;
    bool too_large;
    size_t discarded;          /* bytes thrown away past the cap */
    double started;            /* monotonic seconds: headers complete */
    char client[64];
    struct MHD_Response *ready;  /* the answer, made, waiting for the next round */
    unsigned ready_status;
};

/* One TCP connection, for the watchdog. The list links are guarded by
 * adapter.mu (taken once per connection, and by the watchdog's scan); the
 * request fields are atomics the worker sets without a lock. */
struct live {
    MHD_socket fd;
    int64_t since_us;          /* start of the request being received (mono_us) */
    int busy;                  /* a request is being handled or answered */
    bool cut;                  /* the watchdog shut it down (under mu) */
    struct live *prev, *next;
};

struct adapter {
    struct srv *s;
    FILE *log;
    bool log_owned;
    pthread_mutex_t log_mu;
    pthread_mutex_t mu;        /* live; stop */
    pthread_cond_t cv;         /* wakes the watchdog and the sweeper to stop */
    struct live *live;
    bool stop;                 /* the watchdog ends */
    bool sweep_stop;           /* the sweeper ends (under mu; wakes on cv too) */
    unsigned long inflight;    /* atomic: requests whose headers arrived, not yet done */
    int draining;              /* atomic: SIGTERM came; answer with Connection: close */
};

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The longest one request may take to arrive, in seconds. */
static double request_limit(const struct srv *s)
{
    return 2.0 * (s->conf.timeout_s ? s->conf.timeout_s : SRV_TIMEOUT_DEFAULT);
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

/* --- connections and the watchdog -------------------------------------------- */

static struct live *live_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct adapter *a = cls;
    struct live *l = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

        l = mc_calloc(1, sizeof(*l));
        if (!l || !ci) {
            mc_free(l);
            return;   /* not watched: the idle timeout still applies */
        }
        l->fd = ci->connect_fd;
        l->since_us = mono_us();
        pthread_mutex_lock(&a->mu);
        l->next = a->live;
        if (l->next)
            l->next->prev = l;
        a->live = l;
        pthread_mutex_unlock(&a->mu);
        *socket_context = l;
        return;
    }
    if (!l)
        return;
    /* called before libmicrohttpd closes the socket: once l is unlinked under
     * the lock, the watchdog can no longer touch an fd that may be reused */
    pthread_mutex_lock(&a->mu);
    if (l->prev)
        l->prev->next = l->next;
    else
        a->live = l->next;
    if (l->next)
        l->next->prev = l->prev;
    pthread_mutex_unlock(&a->mu);
    mc_free(l);
    *socket_context = NULL;
}

static void set_busy(struct MHD_Connection *c, bool busy)
{
    struct live *l = live_of(c);

    if (!l)
        return;
    if (!busy)
        __atomic_store_n(&l->since_us, mono_us(), __ATOMIC_RELAXED);
    __atomic_store_n(&l->busy, busy, __ATOMIC_RELEASE);
}

/* Tell the watchdog or the sweeper (flag: its stop field) to end. */
static void wake_to_stop(struct adapter *a, bool *flag)
{
    pthread_mutex_lock(&a->mu);
    *flag = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static void *watchdog(void *cls)
{
    struct adapter *a = cls;
    int64_t limit = (int64_t)(request_limit(a->s) * 1e6);
    struct timespec ts;

    pthread_mutex_lock(&a->mu);
    while (!a->stop) {
        int64_t now = mono_us();
        struct live *l;

        for (l = a->live; l; l = l->next) {
            if (!l->cut && !__atomic_load_n(&l->busy, __ATOMIC_ACQUIRE) &&
                now - __atomic_load_n(&l->since_us, __ATOMIC_RELAXED) > limit) {
                /* the worker's epoll sees the socket end and closes it */
                (void)shutdown(l->fd, SHUT_RDWR);
                l->cut = true;
            }
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000L;   /* a quarter of a second */
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&a->cv, &a->mu, &ts);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* The stack sweep, every --sweep-every seconds (mc_platform_sweep): expired
 * components are acted on and pending awards issued without a cron job. It
 * runs on its own thread with its own store handle; several servers on one
 * PostgreSQL may all sweep (an award is made once). */
static void sweep_once(struct adapter *a)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    size_t looked = 0;

    mc_err_clear(&err);
    if (mc_platform_store(a->s->plat, &st, &err) != MCRED_OK ||
        mc_platform_sweep(a->s->plat, st, &looked, &err) != MCRED_OK) {
        fprintf(stderr, "mcred serve: stack sweep: %s\n", mc_err_msg(&err));
        return;
    }
    if (looked)
        fprintf(stderr, "mcred serve: stack sweep: %zu awards re-evaluated\n", looked);
}

static void *sweeper(void *cls)
{
    struct adapter *a = cls;

    pthread_mutex_lock(&a->mu);
    while (!a->sweep_stop) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)a->s->conf.sweep_s;
        while (!a->sweep_stop && pthread_cond_timedwait(&a->cv, &a->mu, &until) != ETIMEDOUT)
            ;
        if (a->sweep_stop)
            break;
        pthread_mutex_unlock(&a->mu);
        sweep_once(a);
        pthread_mutex_lock(&a->mu);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* --- requests ---------------------------------------------------------------------- */

/* The client's address: the socket's peer; behind a trusted proxy, the last
 * address of X-Forwarded-For (the one that proxy added: addresses before it
 * are whatever the client wrote). */
static void client_addr(struct MHD_Connection *c, bool trust_proxy, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const char *xff;

    mc_strlcpy(out, "unknown", 64);
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  64);
    xff = trust_proxy ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For")
                      : NULL;
    if (xff) {
        const char *last = strrchr(xff, ',');
        char ip[64];
        unsigned char bin[sizeof(struct in6_addr)];
        size_t n;

        last = last ? last + 1 : xff;
        while (*last == ' ' || *last == '\t')
            last++;
        n = strcspn(last, " \t");
        if (n > 0 && n < sizeof(ip)) {
            memcpy(ip, last, n);
            ip[n] = '\0';
            if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
                mc_strlcpy(out, ip, 64);
        }
    }
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

static struct MHD_Response *make_resp(struct adapter *a, struct srv_resp *w)
{
    struct MHD_Response *resp;
    size_t len = 0, i;
    char *body = mc_buf_take(&w->body, &len);

    if (!body)
        return NULL;
    resp = MHD_create_response_from_buffer_with_free_callback(len, body, mc_free);
    if (!resp) {
        mc_free(body);
        return NULL;
    }
    if (w->content_type)
        MHD_add_response_header(resp, "Content-Type", w->content_type);
    for (i = 0; i < w->nheaders; i++)
        MHD_add_response_header(resp, w->headers[i].name, w->headers[i].value);
    if (__atomic_load_n(&a->draining, __ATOMIC_RELAXED))
        MHD_add_response_header(resp, "Connection", "close");
    return resp;
}

static enum MHD_Result send_resp(struct adapter *a, struct MHD_Connection *c,
                                 struct srv_resp *w)
{
    struct MHD_Response *resp = make_resp(a, w);
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    ret = MHD_queue_response(c, (unsigned)w->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Write coalescing: an answer that took at least COALESCE_S to make is
 * not queued at once. It is kept in the request (k->ready) and the handler
 * returns without a response; libmicrohttpd then calls it again for that
 * request (as its API says it may), on its next round, and the answer is
 * queued and written then: back to back with the other answers made in this
 * round. A client asleep in poll is woken by its answer's arrival, and that
 * wakeup is paid by the writer's core (a cross-CPU interrupt: about 10 us on
 * a virtual machine, as much as the rest of the HTTP work of a request);
 * written together, a round's answers wake it once rather than once each.
 * Holding costs one more handler call and a zero-timeout epoll_wait a round.
 * A quick answer goes at once: at the rate quick answers come, the client is
 * awake anyway. */
#define COALESCE_S 40e-6

static enum MHD_Result hold_resp(struct adapter *a, struct conn *k, struct srv_resp *w)
{
    k->ready = make_resp(a, w);
    if (!k->ready)
        return MHD_NO;
    k->ready_status = (unsigned)w->status;
    return MHD_YES;   /* no response yet: called again at the next round */
}

/* An answer made here, without the router (413, 414). */
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
    set_busy(c, true);
    ret = send_resp(a, c, &w);
    access_log(a, &r, &w, bytes, (mono() - k->started) * 1000.0);
    srv_resp_release(&w);
    return ret;
}

static enum MHD_Result too_large(struct adapter *a, struct MHD_Connection *c, struct conn *k,
                                 const char *method, const char *url)
{
    char msg[128];

    snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes (--max-body)",
             a->s->conf.max_body);
    return early(a, c, k, method, url, 413, "too_large", msg);
}

/* First call for a request: its headers are in. */
static enum MHD_Result begin(struct adapter *a, struct MHD_Connection *c, const char *url,
                             const char *method, void **con_cls)
{
    struct srv *s = a->s;
    struct conn *k = mc_calloc(1, sizeof(*k));
    const char *cl;

    if (!k)
        return MHD_NO;
    mc_buf_init(&k->body, s->conf.max_body);
    k->started = mono();
    client_addr(c, s->conf.trust_proxy, k->client);
    *con_cls = k;
    __atomic_add_fetch(&a->inflight, 1, __ATOMIC_RELAXED);
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(cl, &end, 10);
        if (errno || *end || v > s->conf.max_body)
            return too_large(a, c, k, method, url);
        if (v > 0 && mc_buf_grow(&k->body, (size_t)v) != MCRED_OK)
            return MHD_NO;
    }
    return MHD_YES;
}

/* Body bytes: kept up to the cap, then counted and thrown away. False when
 * the connection should be dropped. */
static bool take_body(struct adapter *a, struct conn *k, const char *upload, size_t n)
{
    if (mono() - k->started > request_limit(a->s))
        return false;   /* a body trickling in past the request time limit */
    if (!k->too_large && mc_buf_append(&k->body, upload, n) != MCRED_OK) {
        k->too_large = true;
        mc_buf_release(&k->body);
    }
    if (k->too_large) {
        k->discarded += n;
        if (k->discarded > DISCARD_MAX)
            return false;   /* no 413 is worth reading more of this */
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct adapter *a = cls;
    struct conn *k = *con_cls;
    struct srv_req r;
    struct srv_resp w;
    struct mc_buf q;
    struct qbuild qb;
    enum MHD_Result ret;
    size_t bytes;
    double t0, t1;

    (void)version;
    if (!k)
        return begin(a, c, url, method, con_cls);
    if (*upload_size) {
        if (!take_body(a, k, upload, *upload_size))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->ready) {   /* held (hold_resp): this is the next round */
        ret = MHD_queue_response(c, k->ready_status, k->ready);
        MHD_destroy_response(k->ready);
        k->ready = NULL;
        return ret;
    }
    if (k->too_large)
        return too_large(a, c, k, method, url);

    set_busy(c, true);
    memset(&r, 0, sizeof(r));
    mc_buf_init(&q, 64 * 1024);
    qb.b = &q;
    qb.bad = false;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &qb);
    if (qb.bad) {
        mc_buf_release(&q);
        return early(a, c, k, method, url, 414, "uri_too_long", "the query string is too long");
    }
    r.method = method;
    r.path = url;
    r.query = q.ptr ? q.ptr : "";
    r.body = k->body.ptr ? k->body.ptr : "";   /* mc_buf keeps it NUL-terminated */
    r.body_len = k->body.len;
    r.header = get_header;
    r.adapter = c;
    mc_strlcpy(r.client, k->client, sizeof(r.client));
    srv_resp_init(&w);
    t0 = mono();
    srv_handle(a->s, &r, &w);
    bytes = w.body.len;
    t1 = mono();
    if (t1 - t0 >= COALESCE_S)
        ret = hold_resp(a, k, &w);
    else
        ret = send_resp(a, c, &w);
    access_log(a, &r, &w, bytes, (t1 - t0) * 1000.0);
    srv_resp_release(&w);
    mc_buf_release(&q);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    struct adapter *a = cls;
    struct conn *k = *con_cls;

    (void)toe;
    if (!k)
        return;
    if (k->ready)
        MHD_destroy_response(k->ready);
    mc_buf_release(&k->body);
    mc_free(k);
    *con_cls = NULL;
    set_busy(c, false);   /* the next request's clock starts now */
    __atomic_sub_fetch(&a->inflight, 1, __ATOMIC_RELEASE);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) MC_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("mcred serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* --- starting and stopping ------------------------------------------------------ */

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into a socket address. */
static bool parse_listen(const char *spec, struct sockaddr_storage *ss, unsigned *port)
{
    char host[128];
    const char *colon;
    char *end;
    unsigned long p;
    size_t hl;
    struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;

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
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        return true;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        return true;
    }
    return false;
}

/* A PEM file's text (owned), or NULL with the reason printed. */
static char *read_pem(const char *flag, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct mc_buf b;
    char chunk[4096];
    size_t n;
    bool ok = true;

    if (!f) {
        fprintf(stderr, "mcred: error: %s '%s': %s\n", flag, path, strerror(errno));
        return NULL;
    }
    mc_buf_init(&b, 1 << 20);
    while (ok && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ok = mc_buf_append(&b, chunk, n) == MCRED_OK;
    fclose(f);
    if (!ok || !b.ptr || !strstr(b.ptr, "-----BEGIN ")) {
        fprintf(stderr, "mcred: error: %s '%s': %s\n", flag, path,
                ok ? "not a PEM file" : "larger than 1 MiB");
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

static struct MHD_Daemon *start(struct adapter *a, const struct sockaddr_storage *ss,
                                unsigned threads, const char *cert, const char *key)
{
    const struct srv *s = a->s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_TURBO | MHD_USE_ERROR_LOG | (cert ? MHD_USE_TLS : 0);
    /* one address may not hold every connection (unless all come through
     * the proxy, which is one address) */
    unsigned per_ip = s->conf.trust_proxy ? 0 : s->conf.max_conns / 4 > 16 ?
                                                s->conf.max_conns / 4 : 16;
    struct MHD_OptionItem tls[] = {
        { cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)(uintptr_t)cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)key },
        { MHD_OPTION_END, 0, NULL },
    };

    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, a,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                            MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, s->conf.timeout_s,
                            MHD_OPTION_CONNECTION_LIMIT, s->conf.max_conns,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, a,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, a,
                            MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
                            MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

/* Finish the requests in flight (at most the request time limit plus the
 * idle timeout), then stop. */
static void drain(struct adapter *a, struct MHD_Daemon *d)
{
    MHD_socket lfd;
    double until = mono() + request_limit(a->s) + a->s->conf.timeout_s;
    unsigned long left;
    const struct timespec tick = { 0, 20000000L };   /* 20 ms */

    __atomic_store_n(&a->draining, 1, __ATOMIC_RELAXED);
    lfd = MHD_quiesce_daemon(d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);   /* new clients are refused at once, not left in the backlog */
    while ((left = __atomic_load_n(&a->inflight, __ATOMIC_ACQUIRE)) > 0 && mono() < until)
        nanosleep(&tick, NULL);
    if (left)
        fprintf(stderr, "mcred serve: %lu requests still in flight after the time limit: "
                        "closing them\n", left);
    MHD_stop_daemon(d);
}

static void adapter_release(struct adapter *a, struct srv *s)
{
    srv_rate_free(s->limiter);
    s->limiter = NULL;
    if (a->log_owned && a->log)
        fclose(a->log);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    pthread_mutex_destroy(&a->log_mu);
}

static bool open_log(struct adapter *a, const char *path)
{
    if (!path)
        return true;
    if (strcmp(path, "-") == 0) {
        a->log = stderr;
        return true;
    }
    a->log = fopen(path, "a");
    a->log_owned = true;
    if (!a->log)
        fprintf(stderr, "mcred: error: access log '%s': %s\n", path, strerror(errno));
    return a->log != NULL;
}

static void say_listening(const struct sockaddr_storage *ss, unsigned port, bool tls,
                          unsigned threads)
{
    char host[64] = "?";
    bool v6 = ss->ss_family == AF_INET6;

    if (v6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr, host,
                  sizeof(host));
    else
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, host,
                  sizeof(host));
    fprintf(stderr, "mcred serve: listening on %s://%s%s%s:%u (%u threads)\n",
            tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", port, threads);
}

int srv_run(struct srv *s)
{
    struct adapter a;
    struct MHD_Daemon *d = NULL;
    struct sockaddr_storage ss;
    unsigned port = 0, threads = s->conf.threads;
    const char *listen = s->conf.listen ? s->conf.listen : "127.0.0.1:8080";
    char *cert = NULL, *key = NULL;
    const union MHD_DaemonInfo *di;
    pthread_t wd, sw;
    bool wd_started = false, sw_started = false;
    sigset_t set;
    int sig = 0, rc = 1;

    memset(&a, 0, sizeof(a));
    a.s = s;
    pthread_mutex_init(&a.log_mu, NULL);
    pthread_mutex_init(&a.mu, NULL);
    pthread_cond_init(&a.cv, NULL);
    if (!parse_listen(listen, &ss, &port)) {
        fprintf(stderr, "mcred: error: --listen '%s': expected HOST:PORT with HOST an IP "
                        "address (e.g. 127.0.0.1:8080 or [::1]:8080)\n", listen);
        goto out;
    }
    if (!open_log(&a, s->conf.access_log))
        goto out;
    if (s->conf.tls_cert || s->conf.tls_key) {
        if (!s->conf.tls_cert || !s->conf.tls_key) {
            fprintf(stderr, "mcred: error: TLS needs both --tls-cert and --tls-key\n");
            goto out;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, "mcred: error: this libmicrohttpd was built without TLS; put a "
                            "TLS proxy in front (docs/operations.md)\n");
            goto out;
        }
        cert = read_pem("--tls-cert", s->conf.tls_cert);
        key = cert ? read_pem("--tls-key", s->conf.tls_key) : NULL;
        if (!cert || !key)
            goto out;
    }
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        threads = n > 0 ? (unsigned)n : 1;
    }
    s->limiter = s->conf.rate > 0 ? srv_rate_new(s->conf.rate, s->conf.burst) : NULL;
    if (s->conf.rate > 0 && !s->limiter) {
        fprintf(stderr, "mcred: error: out of memory\n");
        goto out;
    }
    /* the signals are taken by sigwait below, not by the worker threads */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    d = start(&a, &ss, threads, cert, key);
    if (!d) {
        if (cert)
            fprintf(stderr, "mcred: error: cannot serve https on %s with the certificate '%s' "
                            "and the key '%s' (are both PEM, and do they match?)\n", listen,
                    s->conf.tls_cert, s->conf.tls_key);
        else
            fprintf(stderr, "mcred: error: cannot listen on %s: %s\n", listen,
                    errno ? strerror(errno) : "libmicrohttpd refused to start");
        goto out;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = di ? di->port : port;
    if (pthread_create(&wd, NULL, watchdog, &a) != 0) {
        fprintf(stderr, "mcred: error: cannot start the watchdog thread\n");
        goto out;
    }
    wd_started = true;
    if (s->conf.sweep_s > 0) {
        if (pthread_create(&sw, NULL, sweeper, &a) != 0) {
            fprintf(stderr, "mcred: error: cannot start the stack sweep thread\n");
            goto out;
        }
        sw_started = true;
    }
    if (s->conf.port_file && !write_port_file(s->conf.port_file, port)) {
        fprintf(stderr, "mcred: error: cannot write the port file '%s'\n", s->conf.port_file);
        goto out;
    }
    say_listening(&ss, port, cert != NULL, threads);
    fprintf(stderr, "mcred serve: public URL %s\n", mc_platform_public_url(s->plat));
    while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    fprintf(stderr, "mcred serve: %s: finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    wake_to_stop(&a, &a.sweep_stop);   /* no new sweep; one under way finishes */
    drain(&a, d);
    d = NULL;
    rc = 0;
    fprintf(stderr, "mcred serve: stopped\n");
out:
    if (sw_started) {
        wake_to_stop(&a, &a.sweep_stop);
        pthread_join(sw, NULL);
    }
    if (d)
        MHD_stop_daemon(d);
    if (wd_started) {
        wake_to_stop(&a, &a.stop);
        pthread_join(wd, NULL);
    }
    adapter_release(&a, s);
    mc_free(cert);
    if (key)
        sodium_memzero(key, strlen(key));   /* the TLS private key */
    mc_free(key);
    return rc;
}
