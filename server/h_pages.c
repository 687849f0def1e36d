/* h_pages.c - pages (/, /verify, /badges/{share-id}) and public documents (did:web, status lists, achievements).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "server.h"

bool srv_auth_session(struct srv_req *r)
{
    (void)r;
    return false;   /* no web sessions yet */
}

const struct srv_route srv_routes_pages[] = {
    { NULL, NULL, NULL, 0 },
};
