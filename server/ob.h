/* ob.h - what the Open Badges 3.0 API handlers (h_ob.c, which also holds
 * the route table and srv_auth_oauth) and the OAuth 2.0 endpoints
 * (oauth.c) share.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SRV_OB_H
#define MC_SRV_OB_H

#include "internal.h"

#include "server.h"

#define OB_API_BASE "/ims/ob/v3p0"

/* Find name in an application/x-www-form-urlencoded string s[0..n) (a form
 * body or a query): 1 and its decoded value in buf (cap bytes), 0 when
 * absent, -1 when it is there twice, too long or badly encoded (RFC 6749
 * §3.1: no parameter more than once). */
int ob_form_find(const char *s, size_t n, const char *name, char *buf, size_t cap);


/* The OAuth 2.0 endpoints (oauth.c). All are public routes: each
 * authenticates what it needs itself (the client on /oauth/token and
 * /oauth/revoke, the user on /oauth/authorize). */
void ob_oauth_register(struct srv_req *r, struct srv_resp *w);        /* POST /oauth/register */
void ob_oauth_authorize_get(struct srv_req *r, struct srv_resp *w);   /* GET /oauth/authorize */
void ob_oauth_authorize_post(struct srv_req *r, struct srv_resp *w);  /* POST: the consent */
void ob_oauth_token(struct srv_req *r, struct srv_resp *w);           /* POST /oauth/token */
void ob_oauth_revoke(struct srv_req *r, struct srv_resp *w);          /* POST /oauth/revoke */
/* GET /.well-known/oauth-authorization-server (RFC 8414 metadata). */
void ob_oauth_metadata(struct srv_req *r, struct srv_resp *w);

#endif /* MC_SRV_OB_H */
