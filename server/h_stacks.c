/* h_stacks.c - stackable credentials in the platform API: POST /api/v1/stacks
 * (staff define a stack: 201 with it; a bad definition - unknown
 * achievements, cycles, 10,000 components - is 400 saying where), GET
 * /api/v1/stacks (the organisation's stacks) and GET
 * /api/v1/learners/{id}/progress[?stack=ID] (what is done, what is missing,
 * the shortest way to finish). A learner reads only their own progress (the
 * learner row with their e-mail); another learner id, and another
 * organisation's, answers 404. Thin: lib/service/stacks.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "server.h"
#include "service/stacks.h"

#define STAFF_READERS (SRV_ADMIN | SRV_ISSUER | SRV_ASSESSOR)

static void ctx_of(const struct srv_req *r, struct mc_stacks_ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->st = r->st;
    c->org = r->who.org;
    c->now = r->now;
}

/* A library error as a response; INVALID and LIMIT are the body's fault. */
static void fail(struct srv_resp *w, struct mc_err *err, bool body)
{
    srv_utf8_fix(err->msg);
    if ((err->rc == MCRED_ERR_INVALID || err->rc == MCRED_ERR_LIMIT) && body)
        srv_error(w, 400, "invalid_body", "request body: %s", mc_err_msg(err));
    else
        srv_error_rc(w, err);
}

/* Answer with JSON text made by the service (already serialised). */
static void reply_text(struct srv_resp *w, int status, struct mc_buf *b)
{
    cJSON *v = NULL;

    if (mc_json_parse(b->ptr, b->len, 0, &v, NULL) != MCRED_OK) {
        srv_error(w, 500, "internal", "out of memory");
        return;
    }
    srv_json(w, status, v);
    cJSON_Delete(v);
}

static void create_stack(struct srv_req *r, struct srv_resp *w)
{
    struct mc_stacks_ctx c;
    struct mc_stack_def d;
    struct mc_err err;
    struct mc_buf b;
    char loc[64];
    cJSON *o = srv_body_json(r, w);   /* type and syntax first: 415 / 400 with where */

    if (!o)
        return;
    cJSON_Delete(o);
    ctx_of(r, &c);
    mc_err_clear(&err);
    memset(&d, 0, sizeof(d));
    if (mc_stacks_define(&c, r->body, r->body_len, &d, &err) != MCRED_OK) {
        fail(w, &err, true);
        return;
    }
    mc_buf_init(&b, 0);
    if (mc_stacks_json(&d, &b, &err) != MCRED_OK) {
        fail(w, &err, false);
    } else {
        snprintf(loc, sizeof(loc), "/api/v1/stacks/%lld", (long long)d.id);
        (void)srv_set_header(w, "Location", loc);
        reply_text(w, 201, &b);
    }
    mc_buf_release(&b);
    mc_stack_def_release(&d);
}

static void list_stacks(struct srv_req *r, struct srv_resp *w)
{
    struct mc_stacks_ctx c;
    struct mc_err err;
    struct mc_buf b;

    ctx_of(r, &c);
    mc_err_clear(&err);
    mc_buf_init(&b, 0);
    if (mc_stacks_list(&c, &b, &err) != MCRED_OK)
        fail(w, &err, false);
    else
        reply_text(w, 200, &b);
    mc_buf_release(&b);
}

static bool parse_id(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || *s < '0' || *s > '9')
        return false;
    v = strtoll(s, &end, 10);
    if (!end || *end || v <= 0)
        return false;
    *out = (int64_t)v;
    return true;
}

static void progress(struct srv_req *r, struct srv_resp *w)
{
    struct mc_stacks_ctx c;
    struct mc_learner l;
    struct mc_err err;
    struct mc_buf b;
    char sbuf[32];
    const char *stack = srv_query(r, "stack", sbuf, sizeof(sbuf));
    int64_t id = 0, sid = 0;
    mcred_rc rc;

    mc_err_clear(&err);
    memset(&l, 0, sizeof(l));
    if (stack && !parse_id(stack, &sid)) {
        srv_error(w, 400, "invalid_query", "query: stack: expected a stack id");
        return;
    }
    if (parse_id(r->params[0], &id))
        rc = mc_store_learner_get(r->st, r->who.org, id, NULL, &l, &err);
    else
        rc = mc_store_learner_get(r->st, r->who.org, 0, r->params[0], &l, &err);
    if (rc == MCRED_OK && r->who.role == MC_ROLE_LEARNER &&
        (!l.email || strcasecmp(l.email, r->who.email) != 0))
        rc = MCRED_ERR_NOTFOUND;   /* another learner's: not there for this caller */
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT) {
        mc_learner_release(&l);
        srv_error(w, 404, "not_found", "no learner '%.100s' in this organisation",
                  r->params[0]);
        return;
    }
    if (rc) {
        mc_learner_release(&l);
        fail(w, &err, false);
        return;
    }
    ctx_of(r, &c);
    mc_buf_init(&b, 0);
    if (mc_stacks_progress(&c, l.id, sid, &b, &err) != MCRED_OK)
        fail(w, &err, false);
    else
        reply_text(w, 200, &b);
    mc_buf_release(&b);
    mc_learner_release(&l);
}

const struct srv_route srv_routes_stacks[] = {
    { "POST", "/api/v1/stacks", create_stack, SRV_STAFF },
    { "GET", "/api/v1/stacks", list_stacks, STAFF_READERS },
    { "GET", "/api/v1/learners/{id}/progress", progress, STAFF_READERS | SRV_LEARNER },
    { NULL, NULL, NULL, 0 },
};
