/* oauth.h - the OAuth 2.0 authorization server of the Open Badges 3.0 API
 * (OB 3.0 §7, the 1EdTech Security Framework): dynamic client registration
 * (RFC 7591), the authorization code grant with PKCE S256 required (RFC 6749,
 * RFC 7636) behind a consent step with a one-time nonce, refresh tokens that
 * rotate on every use (a replayed one revokes the whole grant), revocation
 * (RFC 7009), and the check of an access token for the resource server.
 *
 * Secrets (client secrets, consent nonces, codes, tokens) are 32 random bytes
 * in base64url (43 characters), handed out once and stored only as the hex
 * SHA-256 of their text; they are compared through that hash. Lifetimes:
 * access tokens 1 hour, refresh tokens 30 days, codes and consent nonces 10
 * minutes.
 *
 * Errors. Every call returns MCRED_OK or an mcred_rc with err naming what was
 * wrong. Calls that answer an OAuth client also set *oerr to the RFC error
 * code (a static string such as "invalid_grant") when the request itself is
 * at fault, and leave it NULL for failures of this server (NOMEM, STORAGE),
 * which are "server_error" to the client. A store transaction a call opens is
 * committed or rolled back before it returns.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_OAUTH_H
#define MC_SVC_OAUTH_H

#include <time.h>

#include "internal.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"

/* Scopes, as bits. The first four are the OB 3.0 API's; offline_access is
 * accepted where clients send it (OB 3.0's examples do) and has no effect. */
enum mc_oauth_scope {
    MC_OAUTH_CRED_READ = 1u << 0,      /* .../scope/credential.readonly */
    MC_OAUTH_CRED_UPSERT = 1u << 1,    /* .../scope/credential.upsert */
    MC_OAUTH_PROFILE_READ = 1u << 2,   /* .../scope/profile.readonly */
    MC_OAUTH_PROFILE_UPDATE = 1u << 3, /* .../scope/profile.update */
    MC_OAUTH_OFFLINE = 1u << 4,        /* offline_access */
};
#define MC_OAUTH_SCOPES_OB 0x0fu       /* the four API scopes */
#define MC_OAUTH_SCOPES_ALL 0x1fu
#define MC_OAUTH_SCOPE_PREFIX "https://purl.imsglobal.org/spec/ob/v3p0/scope/"

#define MC_OAUTH_ACCESS_TTL 3600                  /* seconds */
#define MC_OAUTH_REFRESH_TTL ((time_t)30 * 24 * 3600)
#define MC_OAUTH_CODE_TTL 600
#define MC_OAUTH_CONSENT_TTL 600
#define MC_OAUTH_SECRET_LEN 43                    /* base64url of 32 bytes */
#define MC_OAUTH_SECRET_SIZE (MC_OAUTH_SECRET_LEN + 1)

/* The scope URI of one bit (static), NULL for anything else. */
const char *mc_oauth_scope_name(unsigned bit);
/* A human description of one bit for the consent page (static), or NULL. */
const char *mc_oauth_scope_text(unsigned bit);
/* Parse a space-separated scope list. Known scopes set their bits in *bits;
 * *unknown (may be NULL) counts the others. INVALID for an empty list, a
 * list over 4096 bytes or control characters. */
MC_NODISCARD mcred_rc mc_oauth_scope_parse(const char *s, unsigned *bits, size_t *unknown,
                                           struct mc_err *err);
/* Append the scope list of bits (in the order of the enum) to out. */
MC_NODISCARD mcred_rc mc_oauth_scope_format(unsigned bits, struct mc_buf *out);

/* A redirect URI a client may register: https, or http on a loopback host
 * (127.0.0.1, [::1], localhost), with a host, no user info and no fragment;
 * printable ASCII only, at most 2048 bytes. */
bool mc_oauth_redirect_ok(const char *uri);
/* The origin ("scheme://host[:port]") of a URI that mc_oauth_redirect_ok
 * accepts, into out (cap bytes); false for any other URI or when it does not
 * fit. Safe to place in a Content-Security-Policy header. */
bool mc_oauth_origin(const char *uri, char *out, size_t cap);

/* --- registration (RFC 7591 with OB 3.0's required metadata) ---------------- */
/* Register the client described by req (the JSON body): client_name,
 * client_uri, logo_uri, tos_uri, policy_uri, software_id, software_version,
 * redirect_uris and scope are required (OB 3.0 §7.1.1.2); grant_types
 * (authorization_code, refresh_token), response_types (code),
 * token_endpoint_auth_method (client_secret_basic or client_secret_post) and
 * contacts are optional. Unknown scopes are dropped (at least one OB scope
 * must remain). Appends the registration response (the metadata as
 * registered plus client_id, client_secret, client_id_issued_at and
 * client_secret_expires_at 0) as JSON to out. *oerr: invalid_client_metadata
 * or invalid_redirect_uri. */
MC_NODISCARD mcred_rc mc_oauth_register(struct mc_store *st, const cJSON *req, time_t now,
                                        struct mc_buf *out, const char **oerr,
                                        struct mc_err *err);

/* --- the authorization request ----------------------------------------------- */
struct mc_oauth_authz_req {          /* the query parameters, each may be NULL */
    const char *response_type, *client_id, *redirect_uri, *scope, *state;
    const char *code_challenge, *code_challenge_method;
};

struct mc_oauth_authz {              /* a checked request (mc_oauth_authz_release) */
    struct mc_oauth_client client;   /* the registered client */
    cJSON *meta;                     /* its metadata (client_name, client_uri, ...) */
    const char *redirect_uri;        /* borrowed from the request */
    const char *state;               /* borrowed from the request */
    const char *challenge;           /* borrowed from the request */
    unsigned scopes;                 /* requested and registered: what consent grants */
};

/* Check an authorization request. *redirectable (OUT) says whether the
 * client is known and redirect_uri is one it registered: only then may the
 * error go back to the client (mc_oauth_error_location); otherwise the user
 * is told. *oerr: invalid_request (a missing or malformed parameter, PKCE
 * other than S256), unauthorized_client, unsupported_response_type,
 * invalid_scope. out is filled on success (release it also on failure). */
MC_NODISCARD mcred_rc mc_oauth_authz_check(struct mc_store *st,
                                           const struct mc_oauth_authz_req *q,
                                           struct mc_oauth_authz *out, bool *redirectable,
                                           const char **oerr, struct mc_err *err);
void mc_oauth_authz_release(struct mc_oauth_authz *a);

/* The user (org, user) is being asked: store the checked request as an
 * undecided grant and write its one-time consent nonce into nonce (the
 * consent form carries it back). Also purges long-expired OAuth rows. */
MC_NODISCARD mcred_rc mc_oauth_consent_start(struct mc_store *st, const struct mc_oauth_authz *a,
                                             int64_t org, int64_t user, time_t now,
                                             char nonce[MC_OAUTH_SECRET_SIZE],
                                             struct mc_err *err);
/* The user (org, user) answered the consent whose nonce is given: approve
 * issues an authorization code; either way the nonce is spent. Appends to
 * location the redirect to the client: redirect_uri with code, scope and
 * state, or with error=access_denied and state. NOTFOUND when the nonce is
 * unknown, spent, expired or another user's. */
MC_NODISCARD mcred_rc mc_oauth_consent_finish(struct mc_store *st, int64_t org, int64_t user,
                                              const char *nonce, bool approve, time_t now,
                                              struct mc_buf *location, struct mc_err *err);
/* The redirect that reports an error to the client: redirect_uri with error,
 * error_description (may be NULL) and state (may be NULL) appended to its
 * query, form-encoded. */
MC_NODISCARD mcred_rc mc_oauth_error_location(const char *redirect_uri, const char *error,
                                              const char *description, const char *state,
                                              struct mc_buf *location);

/* --- the token endpoint ------------------------------------------------------- */
struct mc_oauth_client_auth {        /* as presented (Basic header or form), may be NULL */
    const char *client_id, *client_secret;
};

struct mc_oauth_token_req {          /* the form parameters, each may be NULL */
    const char *grant_type;          /* "authorization_code" or "refresh_token" */
    const char *code, *redirect_uri, *code_verifier;   /* authorization_code */
    const char *refresh_token;                          /* refresh_token */
    const char *scope;               /* optional: a subset of what was granted */
};

struct mc_oauth_issued {             /* what a token response carries */
    char access_token[MC_OAUTH_SECRET_SIZE];
    char refresh_token[MC_OAUTH_SECRET_SIZE];   /* "" when none is issued */
    unsigned scopes;
    int expires_in;                  /* seconds */
};

/* Run a token request. The client authenticates first (*oerr
 * invalid_client: unknown client or wrong secret). authorization_code: the
 * code must be the client's, unexpired and unused, redirect_uri the one of
 * the authorization request and code_verifier must hash to its challenge
 * (PKCE S256); a code presented twice is refused and its grant (every token
 * issued from it) revoked. refresh_token (for clients registered with that
 * grant type): the token must be the client's, unexpired and not yet used;
 * it is spent and a new pair issued (rotation); presenting a spent one
 * revokes its grant. A refresh token is issued only to clients registered
 * with the refresh_token grant. *oerr: invalid_request, invalid_client,
 * invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope.
 * out is zeroed on failure (its secrets wiped). */
MC_NODISCARD mcred_rc mc_oauth_token(struct mc_store *st, const struct mc_oauth_client_auth *ca,
                                     const struct mc_oauth_token_req *q, time_t now,
                                     struct mc_oauth_issued *out, const char **oerr,
                                     struct mc_err *err);
/* Wipe the secrets of an issued pair. */
void mc_oauth_issued_clear(struct mc_oauth_issued *t);

/* RFC 7009: the authenticated client revokes one of its tokens (hint,
 * "access_token" or "refresh_token", may be NULL). A refresh token takes its
 * whole grant with it. An unknown token, or another client's, is not an
 * error (nothing happens). *oerr: invalid_request, invalid_client. */
MC_NODISCARD mcred_rc mc_oauth_revoke(struct mc_store *st, const struct mc_oauth_client_auth *ca,
                                      const char *token, const char *hint, time_t now,
                                      const char **oerr, struct mc_err *err);

/* --- the resource server --------------------------------------------------------- */
/* The user and scopes of a valid access token (unexpired, not revoked, its
 * grant not revoked). *user (OUT) is owned (mc_user_release). NOTFOUND for
 * anything else, including text that is not a token's shape. */
MC_NODISCARD mcred_rc mc_oauth_authenticate(struct mc_store *st, const char *token, time_t now,
                                            struct mc_user *user, unsigned *scopes,
                                            struct mc_err *err);

#endif /* MC_SVC_OAUTH_H */
