/* h_platform.c - the platform API (/api/...) and /openapi.json.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "server.h"

const struct srv_route srv_routes_platform[] = {
    { NULL, NULL, NULL, 0 },
};
