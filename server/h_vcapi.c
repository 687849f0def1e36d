/* h_vcapi.c - W3C VC API (POST /credentials/issue, /credentials/verify, ...).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "server.h"

const struct srv_route srv_routes_vcapi[] = {
    { NULL, NULL, NULL, 0 },
};
