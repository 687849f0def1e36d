/* server.h - the HTTP layer of `mcred serve`: a request struct in, a
 * response struct out. Handlers are thin: they parse the request, call one
 * lib/service verb, and write the result. The libmicrohttpd adapter (mhd.c)
 * is the only file that knows about sockets; everything else can be driven
 * in-process (tests call srv_handle directly).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SERVER_H
#define MC_SERVER_H

#include "internal.h"

#include <stdarg.h>
#include <time.h>

#include "service/platform.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"

/* --- configuration --------------------------------------------------------- */
struct srv_conf {
    const char *listen;           /* "HOST:PORT" (port 0: any free port) */
    const char *port_file;        /* write the bound port here, may be NULL */
    const char *tls_cert, *tls_key;  /* PEM files: serve https directly; NULL: http */
    unsigned threads;             /* worker threads; 0: the number of cores */
    size_t max_body;              /* bytes of a request body (413 above) */
    unsigned timeout_s;           /* idle connection timeout, seconds */
    unsigned max_conns;           /* concurrent connections */
    /* Per-client (IP address) rate limit: a token bucket of burst requests
     * refilled at rate per second. rate 0: no limit. Verifying and the other
     * open routes are limited; authenticated requests are too. */
    double rate;
    unsigned burst;
    const char *access_log;       /* file, "-" stderr, NULL: none */
    bool trust_proxy;             /* take the client address from X-Forwarded-For */
    unsigned sweep_s;             /* the stack sweep every this many seconds; 0: never */
};

#define SRV_MAX_BODY_DEFAULT ((size_t)1 << 20)       /* 1 MiB */
#define SRV_MAX_BODY_LIMIT ((size_t)16 << 20)        /* the store's document cap */
#define SRV_TIMEOUT_DEFAULT 30
#define SRV_MAX_CONNS_DEFAULT 1024
#define SRV_SWEEP_DEFAULT 3600                       /* an hour */

/* --- who is asking ----------------------------------------------------------- */
enum srv_auth {
    SRV_AUTH_NONE = 0,   /* anonymous */
    SRV_AUTH_TOKEN,      /* an API token of a user (Authorization: Bearer) */
    SRV_AUTH_SESSION,    /* a web session cookie (pages) */
    SRV_AUTH_OAUTH,      /* an OAuth 2.0 access token (OB 3.0 API), with scopes */
};

struct srv_principal {
    enum srv_auth kind;
    int64_t org;         /* the user's organisation (0: anonymous) */
    int64_t user;
    enum mc_role role;
    char email[256];
    unsigned scopes;     /* OAuth: SRV_SCOPE_* granted (others: all the role allows) */
};

/* OB 3.0 API scopes (bits). */
enum {
    SRV_SCOPE_CREDENTIAL_READONLY = 1u << 0,
    SRV_SCOPE_CREDENTIAL_UPSERT = 1u << 1,
    SRV_SCOPE_PROFILE_READONLY = 1u << 2,
    SRV_SCOPE_PROFILE_UPDATE = 1u << 3,
};

/* --- request and response ------------------------------------------------ */
#define SRV_MAX_PARAMS 4
#define SRV_MAX_HEADERS 16

struct srv;
struct srv_limiter;

struct srv_req {
    struct srv *srv;
    const char *method;          /* "GET", "POST", ... */
    const char *path;            /* decoded path, no query string */
    const char *query;           /* the raw query string (no '?'), "" when none */
    const char *body;            /* NUL-terminated copy, body_len bytes */
    size_t body_len;
    char client[64];             /* the client's address */
    /* a request header by name (case-insensitive), NULL when absent */
    const char *(*header)(const struct srv_req *r, const char *name);
    void *adapter;               /* the adapter's connection, for header() */
    /* set by the router */
    const char *params[SRV_MAX_PARAMS];   /* {name} segments of the pattern, decoded */
    size_t nparams;
    struct srv_principal who;
    struct mc_store *st;         /* this thread's store handle */
    time_t now;
};

struct srv_header {
    char *name, *value;          /* owned */
};

struct srv_resp {
    int status;
    const char *content_type;    /* static string; NULL: no body */
    struct mc_buf body;
    struct srv_header headers[SRV_MAX_HEADERS];
    size_t nheaders;
};

/* --- routes ----------------------------------------------------------------- */
/* Who may call a route. PUBLIC: anyone (rate-limited). AUTH: any
 * authenticated principal; ROLES(...): a principal of one of these roles
 * (of its own organisation: a handler that reads an id checks the row's
 * organisation is who.org, and answers 404 when it is not). */
#define SRV_PUBLIC 0u
#define SRV_AUTH (1u << 31)
#define SRV_ROLE(r) (1u << (r))
#define SRV_ADMIN SRV_ROLE(MC_ROLE_ADMIN)
#define SRV_ISSUER SRV_ROLE(MC_ROLE_ISSUER)
#define SRV_ASSESSOR SRV_ROLE(MC_ROLE_ASSESSOR)
#define SRV_LEARNER SRV_ROLE(MC_ROLE_LEARNER)
#define SRV_RECRUITER SRV_ROLE(MC_ROLE_RECRUITER)
#define SRV_STAFF (SRV_ADMIN | SRV_ISSUER)

typedef void (*srv_handler)(struct srv_req *r, struct srv_resp *w);

struct srv_route {
    const char *method;          /* "GET", "POST", "PUT", "DELETE" */
    const char *pattern;         /* "/credentials/{id}": {x} matches one segment;
                                  * a final "{*}" matches the rest of the path */
    srv_handler fn;
    unsigned access;             /* SRV_PUBLIC, SRV_AUTH or SRV_ROLE bits */
};

/* Route tables, each ended by a { NULL } entry; one per handler file. */
extern const struct srv_route srv_routes_core[];      /* h_core.c: /healthz */
extern const struct srv_route srv_routes_vcapi[];     /* h_vcapi.c: W3C VC API */
extern const struct srv_route srv_routes_ob[];        /* h_ob.c: OB 3.0 API + OAuth */
extern const struct srv_route srv_routes_platform[];  /* h_platform.c: platform API */
extern const struct srv_route srv_routes_pages[];     /* h_pages.c: pages, public docs */
extern const struct srv_route srv_routes_wallet[];    /* page_wallet.c: wallet pages, QR */
extern const struct srv_route srv_routes_plan[];      /* h_plan.c: planner API, /me/plan */
extern const struct srv_route srv_routes_assess[];    /* h_assess.c: assessments, CLR */
extern const struct srv_route srv_routes_positions[]; /* h_positions.c: employers' positions */
extern const struct srv_route srv_routes_stacks[];    /* h_stacks.c: stacks, progress */

/* Authentication the router asks of the handler files, for credentials the
 * core does not know. Each fills r->who and returns true when it recognised
 * valid credentials; false otherwise (r->who untouched).
 * srv_auth_session (h_pages.c): a web session cookie (r->st is open).
 * srv_auth_oauth (h_ob.c): an OAuth 2.0 access token that is not an API token. */
bool srv_auth_session(struct srv_req *r);
bool srv_auth_oauth(struct srv_req *r, const char *bearer);

/* --- the server -------------------------------------------------------------- */
struct srv {
    struct srv_conf conf;
    struct mc_platform *plat;
    struct srv_limiter *limiter; /* per-client rate limits (ratelimit.h) */
    void *adapter;               /* mhd.c's daemon state */
};

/* Route and run r, filling w (never fails: errors become responses). The
 * router authenticates (Bearer API token, then the hooks), checks the
 * route's access, opens the thread's store and adds the security headers. */
void srv_handle(struct srv *s, struct srv_req *r, struct srv_resp *w);

void srv_resp_init(struct srv_resp *w);
void srv_resp_release(struct srv_resp *w);

/* --- helpers for handlers ------------------------------------------------- */
/* Add a header (copied). False when full or out of memory. */
bool srv_set_header(struct srv_resp *w, const char *name, const char *value);
/* A JSON body: v serialised (mc_json_stringify), status set. */
void srv_json(struct srv_resp *w, int status, const cJSON *v);
/* An error body {"error": code, "message": msg} with status. code is a
 * short machine word ("invalid_json", "not_found", ...). */
void srv_error(struct srv_resp *w, int status, const char *code, const char *fmt, ...)
    MC_PRINTF(4, 5);
/* The HTTP status for a library error (INVALID/PARSE 400, NOTFOUND 404,
 * CONFLICT 409, LIMIT 413, UNSUPPORTED 501, others 500) and the error body. */
void srv_error_rc(struct srv_resp *w, const struct mc_err *err);
/* Parse the body as JSON (bounded by the body cap, depth 128): on failure
 * the 400 response naming where is written and NULL returned; a body whose
 * Content-Type is not JSON gets 415. Free the result with cJSON_Delete. */
cJSON *srv_body_json(struct srv_req *r, struct srv_resp *w);
/* A query parameter by name, decoded into buf (cap bytes); NULL when absent
 * or too long. */
const char *srv_query(const struct srv_req *r, const char *name, char *buf, size_t cap);
/* Percent-decode s[0..n) into out (cap bytes): false on a bad escape, a NUL
 * byte or overflow. '+' is a space when plus is true (forms, queries). */
bool srv_url_decode(const char *s, size_t n, bool plus, char *out, size_t cap);
/* Content negotiation: true when the client prefers HTML over JSON. */
bool srv_wants_html(const struct srv_req *r);
/* Replace every byte of s that is not part of valid UTF-8 with '?', in
 * place: request text echoed into a JSON message must stay valid JSON. */
void srv_utf8_fix(char *s);
/* HTML-escape s (& < > " ' and control bytes) onto out: the one function
 * every page uses for text and attribute values. */
MC_NODISCARD mcred_rc srv_html_escape(struct mc_buf *out, const char *s);

/* --- the adapter (mhd.c) ------------------------------------------------------- */
/* Serve until SIGTERM or SIGINT, then finish in-flight requests and return
 * 0; 1 when the server could not start (printed). */
int srv_run(struct srv *s);

#endif /* MC_SERVER_H */
