/* pages.h - what the page handlers share (h_pages.c holds the route table):
 * rendering a template as a whole page, error pages for people and JSON
 * errors for machines, the request's cookies and form fields, and the
 * handlers of each page file.
 * page_auth.c: web sessions (login, logout, the session cookie, CSRF).
 * page_public.c: public documents (did:web, status lists, achievements,
 * static files) and the home page.
 * page_badge.c: badge pages, the verifier, share links (the learner's page
 * and API).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_PAGES_H
#define MC_PAGES_H

#include "internal.h"

#include "server.h"
#include "util/json.h"

#define PAGE_SESSION_COOKIE "mcred_session"
#define PAGE_LOGIN_COOKIE "mcred_login"
#define PAGE_SESSION_TTL (12 * 3600)   /* seconds a web session lasts */
#define PAGE_TOKEN_LEN 43              /* base64url of 32 random bytes */

/* The base context of a page: title, the static asset URLs and, for a
 * signed-in user, "user": {email, role}. NULL on NOMEM. Owned by the caller. */
cJSON *page_ctx(const struct srv_req *r, const char *title);
/* Render templates/<tmpl>.html with ctx (taken: deleted here, also on
 * failure) as the response, status status. A NULL ctx is a 500. */
void page_render(struct srv_req *r, struct srv_resp *w, int status, const char *tmpl,
                 cJSON *ctx);
/* An error: an HTML page when the client prefers HTML, else the JSON body of
 * srv_error. */
void page_error(struct srv_req *r, struct srv_resp *w, int status, const char *code,
                const char *fmt, ...) MC_PRINTF(5, 6);
/* page_error for a library error (the status of srv_error_rc). */
void page_error_rc(struct srv_req *r, struct srv_resp *w, const struct mc_err *err);
/* 303 See Other to a local path. */
void page_redirect(struct srv_resp *w, const char *path);
/* The Content-Security-Policy of pages that show badge images from other
 * hosts (img-src also allows https:). */
void page_csp_images(struct srv_resp *w);
/* Allow any origin to read a public document (browser-based verifiers). */
void page_cors_public(struct srv_resp *w);

/* Helpers building contexts: false on NOMEM. A NULL value adds nothing. */
bool page_put(cJSON *o, const char *name, const char *value);
/* The string value s when it is an http(s) URL (or, with images, a
 * data:image/ URI) safe to put in href or src; else NULL. */
const char *page_safe_url(const char *s, bool images);
/* Percent-encode s (RFC 3986 unreserved kept) onto out. */
MC_NODISCARD mcred_rc page_url_encode(struct mc_buf *out, const char *s);

/* The value of cookie name into buf (cap bytes); NULL when absent or too long. */
const char *page_cookie(const struct srv_req *r, const char *name, char *buf, size_t cap);
/* A field of an application/x-www-form-urlencoded body, decoded into buf;
 * NULL when absent, too long or the body is not a form. */
const char *page_form(const struct srv_req *r, const char *name, char *buf, size_t cap);
/* Whether the public URL is https (cookies then get Secure). */
bool page_https(const struct srv_req *r);

/* --- page_auth.c ------------------------------------------------------------ */
/* The session of the request's cookie (valid and unexpired), whatever the
 * method: *s OUT (mc_session_release). NOTFOUND when there is none. */
MC_NODISCARD mcred_rc page_session(struct srv_req *r, struct mc_session *s, struct mc_err *err);
/* srv_auth_session's work: fill r->who from the session cookie; for a
 * method other than GET, HEAD and OPTIONS the request must also carry the
 * session's CSRF token (form field csrf_token, or header X-CSRF-Token). */
bool page_auth_session(struct srv_req *r);
/* For a form POST: true when r->who may act (a session whose CSRF token
 * matched, or an API token). Otherwise writes 403 (a session cookie with a
 * wrong or missing CSRF token) or redirects to /login, and returns false. */
bool page_form_auth(struct srv_req *r, struct srv_resp *w);
void page_login_get(struct srv_req *r, struct srv_resp *w);
void page_login_post(struct srv_req *r, struct srv_resp *w);
void page_logout_get(struct srv_req *r, struct srv_resp *w);
void page_logout_post(struct srv_req *r, struct srv_resp *w);

/* --- page_public.c ------------------------------------------------------------ */
void page_home(struct srv_req *r, struct srv_resp *w);
void page_static(struct srv_req *r, struct srv_resp *w);
void page_did(struct srv_req *r, struct srv_resp *w);
void page_status_list(struct srv_req *r, struct srv_resp *w);
void page_achievement(struct srv_req *r, struct srv_resp *w);
/* Achievement fields for a template: name, description, type, image,
 * criteria {narrative, url}, skills [{name, framework, url}], tags, credits,
 * field, results [{name, kind}]. False on NOMEM. */
bool page_achievement_fields(cJSON *ctx, const cJSON *ach);
/* The achievement of an OB 3.0 credential (credentialSubject.achievement;
 * the first subject when there are several), or NULL. Borrowed. */
const cJSON *page_cred_achievement(const cJSON *cred);
/* The issuer's name (its id when it has none) and website (NULL unless a
 * safe URL) of a credential; borrowed from cred. */
void page_cred_issuer(const cJSON *cred, const char **name, const char **url);

/* --- page_badge.c ----------------------------------------------------------------- */
/* The LinkedIn "add to profile" URL of a shared badge: its name, the
 * issuer's name and issue date (each may be NULL), the link and its id. */
MC_NODISCARD mcred_rc page_linkedin_url(struct mc_buf *b, const char *name, const char *issuer,
                                        const char *issued, const char *share_url,
                                        const char *share_id);
/* The HTML snippet that embeds a shared badge on another page (every value
 * escaped; a page escapes the whole snippet again to show it as text);
 * issuer and image may be NULL. */
MC_NODISCARD mcred_rc page_embed_snippet(struct mc_buf *b, const char *share_url,
                                         const char *name, const char *issuer,
                                         const char *image);
/* t as "YYYY-MM-DDTHH:MM:SSZ" into out and "YYYY-MM-DD" into day. */
void page_iso_time(time_t t, char out[32], char day[11]);

void page_badge(struct srv_req *r, struct srv_resp *w);
void page_badge_verify(struct srv_req *r, struct srv_resp *w);
void page_badge_download(struct srv_req *r, struct srv_resp *w);
void page_verifier(struct srv_req *r, struct srv_resp *w);
void page_verify_check(struct srv_req *r, struct srv_resp *w);
void page_me(struct srv_req *r, struct srv_resp *w);
void page_me_share(struct srv_req *r, struct srv_resp *w);
void page_api_share_get(struct srv_req *r, struct srv_resp *w);
void page_api_share_set(struct srv_req *r, struct srv_resp *w);

#endif /* MC_PAGES_H */
