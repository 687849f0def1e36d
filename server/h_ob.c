/* h_ob.c - 1EdTech Open Badges 3.0 API under /ims/ob/v3p0 and its OAuth 2.0.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "server.h"

bool srv_auth_oauth(struct srv_req *r, const char *bearer)
{
    (void)r;
    (void)bearer;
    return false;   /* no OAuth tokens yet */
}

const struct srv_route srv_routes_ob[] = {
    { NULL, NULL, NULL, 0 },
};
