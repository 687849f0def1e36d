/* h_core.c - /healthz: the process is up and its store answers.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "server.h"

static void healthz(struct srv_req *r, struct srv_resp *w)
{
    struct mc_org o;
    struct mc_err err;
    mcred_rc rc;

    /* one cheap query proves the store answers (NOTFOUND is an answer) */
    mc_err_clear(&err);
    rc = mc_store_org_get(r->st, 1, &o, &err);
    if (rc == MCRED_OK)
        mc_org_release(&o);
    if (rc != MCRED_OK && rc != MCRED_ERR_NOTFOUND) {
        srv_error(w, 503, "unavailable", "store: %s", mc_err_msg(&err));
        return;
    }
    w->status = 200;
    w->content_type = "application/json";
    if (mc_buf_appends(&w->body, "{\"status\":\"ok\"}") != MCRED_OK)
        srv_error(w, 500, "internal", "out of memory");
}

const struct srv_route srv_routes_core[] = {
    { "GET", "/healthz", healthz, SRV_PUBLIC },
    { NULL, NULL, NULL, 0 },
};
