/* stacks.c - stackable credentials: definition, event-driven re-evaluation
 * of the affected stacks for one learner, exactly-once awarding, revocation
 * policies, the expiry sweep and progress. See stacks.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "model/stack.h"
#include "proof/di.h"
#include "service/stacks.h"
#include "util/json.h"
#include "util/time.h"

static atomic_ullong n_evals, n_issued, n_pending, n_flagged, n_revoked;
static _Thread_local int depth;   /* nested events (stacks of stacks) on this thread */

void mc_stacks_stats(struct mc_stacks_stats *out)
{
    out->evaluations = atomic_load(&n_evals);
    out->issued = atomic_load(&n_issued);
    out->pending = atomic_load(&n_pending);
    out->flagged = atomic_load(&n_flagged);
    out->revoked = atomic_load(&n_revoked);
}

void mc_stacks_stats_reset(void)
{
    atomic_store(&n_evals, 0);
    atomic_store(&n_issued, 0);
    atomic_store(&n_pending, 0);
    atomic_store(&n_flagged, 0);
    atomic_store(&n_revoked, 0);
}

static time_t now_of(const struct mc_stacks_ctx *c)
{
    return c->now ? c->now : time(NULL);
}

/* ---- what a learner holds ----------------------------------------------------- */

struct held_set {
    struct mc_store_list creds;    /* struct mc_stack_cred */
    struct mc_stack_held *h;
    size_t n;
    char **own;                    /* strings taken from wallet documents */
    size_t nown;
};

static void held_release(struct held_set *hs)
{
    size_t i;

    mc_store_list_clear(&hs->creds);
    for (i = 0; i < hs->nown; i++)
        mc_free(hs->own[i]);
    mc_free(hs->own);
    mc_free(hs->h);
    memset(hs, 0, sizeof(*hs));
}

static const char *own_str(struct held_set *hs, const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = mc_strdup(s);
    if (d)
        hs->own[hs->nown++] = d;
    return d;
}

static const cJSON *subject_of(const cJSON *doc)
{
    const cJSON *cs = mc_json_get(doc, "credentialSubject");

    if (mc_json_is_array(cs))
        cs = cs->child;
    return mc_json_is_object(cs) ? cs : NULL;
}

static const char *issuer_of(const cJSON *doc)
{
    const cJSON *is = mc_json_get(doc, "issuer");

    if (mc_json_is_string(is))
        return is->valuestring;
    return mc_json_str(is, "id");
}

static time_t time_of(const cJSON *doc, const char *a, const char *b)
{
    const char *s = mc_json_str(doc, a);
    time_t t = 0;

    if (!s)
        s = mc_json_str(doc, b);
    if (s && mc_time_parse(s, false, &t) != MCRED_OK)
        t = 0;
    return t;
}

/* The achievement id a JSON credential is of (borrowed from doc), or NULL. */
static const char *achievement_of(const cJSON *doc)
{
    return mc_json_str(mc_json_get(subject_of(doc), "achievement"), "id");
}

/* One wallet item as a component; skipped (false) unless it verified. */
static bool wallet_held(struct held_set *hs, const struct mc_wallet_item *w,
                        struct mc_stack_held *out)
{
    bool valid = strcmp(w->verdict, "valid") == 0, expired = strcmp(w->verdict, "expired") == 0;
    bool revoked = strcmp(w->verdict, "revoked") == 0;
    bool suspended = strcmp(w->verdict, "suspended") == 0;
    const cJSON *cs, *cr;
    cJSON *doc = NULL;
    size_t i;
    bool ok = false;

    if (!(valid || expired || revoked || suspended) || !w->doc || w->doc[0] != '{')
        return false;   /* forged, unverifiable, or a VC-JWT (not read here) */
    for (i = 0; w->cred_id && i < hs->creds.n; i++) {
        const struct mc_stack_cred *sc = (const struct mc_stack_cred *)hs->creds.rows + i;

        if (strcmp(sc->cred_id, w->cred_id) == 0)
            return false;   /* our own credential: its state in the store decides */
    }
    if (mc_json_parse(w->doc, strlen(w->doc), 0, &doc, NULL) != MCRED_OK)
        return false;
    cs = subject_of(doc);
    memset(out, 0, sizeof(*out));
    out->achievement = own_str(hs, achievement_of(doc));
    if (out->achievement) {
        out->credential_id = own_str(hs, w->cred_id ? w->cred_id : mc_json_str(doc, "id"));
        out->issuer = own_str(hs, issuer_of(doc));
        out->issued = time_of(doc, "validFrom", "issuanceDate");
        if (!out->issued)
            out->issued = w->imported;
        out->valid_until = time_of(doc, "validUntil", "expirationDate");
        out->revoked = revoked;
        out->suspended = suspended;
        cr = mc_json_get(cs, "creditsEarned");
        if (!cJSON_IsNumber(cr))
            cr = mc_json_get(mc_json_get(cs, "achievement"), "creditsAvailable");
        out->credits = cJSON_IsNumber(cr) && cr->valuedouble >= 0 ? cr->valuedouble : -1;
        ok = true;
    }
    cJSON_Delete(doc);
    return ok;
}

/* Every component the learner holds: our credentials, then wallet items. */
static mcred_rc held_load(const struct mc_stacks_ctx *c, int64_t learner, struct held_set *hs,
                          struct mc_err *err)
{
    struct mc_store_list items;
    size_t i, cap;
    mcred_rc rc;

    memset(hs, 0, sizeof(*hs));
    memset(&items, 0, sizeof(items));
    rc = mc_store_stack_creds(c->st, c->org, learner, &hs->creds, err);
    if (!rc)
        rc = mc_store_wallet_list(c->st, c->org, learner, &items, err);
    if (rc)
        goto out;
    cap = hs->creds.n + items.n;
    hs->h = mc_calloc(cap ? cap : 1, sizeof(*hs->h));
    hs->own = mc_calloc(items.n * 3 + 1, sizeof(char *));
    if (!hs->h || !hs->own) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
        goto out;
    }
    for (i = 0; i < hs->creds.n; i++) {
        const struct mc_stack_cred *sc = (const struct mc_stack_cred *)hs->creds.rows + i;
        struct mc_stack_held *h = &hs->h[hs->n++];

        h->credential_id = sc->cred_id;
        h->achievement = sc->achievement_uri;
        h->issuer = sc->issuer_did;
        h->issued = sc->issued;
        h->valid_until = sc->valid_until;
        h->revoked = sc->state == MC_CRED_REVOKED;
        h->suspended = sc->state == MC_CRED_SUSPENDED;
        h->credits = sc->credits;
    }
    for (i = 0; i < items.n; i++) {
        const struct mc_wallet_item *w = (const struct mc_wallet_item *)items.rows + i;

        if (wallet_held(hs, w, &hs->h[hs->n]))
            hs->n++;
    }
out:
    mc_store_list_clear(&items);
    if (rc)
        held_release(hs);
    return rc;
}

/* ---- issuing a stack credential ------------------------------------------------- */

static mcred_rc add_status(const char *url, enum mc_status_purpose p, int64_t idx, cJSON *arr,
                           struct mc_err *err)
{
    cJSON *entry = NULL;
    mcred_rc rc = mc_status_entry(url, p, (size_t)idx, 1, NULL, &entry, err);

    if (rc)
        return rc;
    if (!cJSON_AddItemToArray(arr, entry)) {
        cJSON_Delete(entry);
        return mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
    }
    return MCRED_OK;
}

/* The signed stack credential: the achievement's credential for recipient,
 * with one Evidence per component credential used. */
static mcred_rc build_cred(const struct mc_stacks_ctx *c, const struct mc_achievement *a,
                           const char *recipient, const char *id, const struct held_set *hs,
                           const struct mc_stack_result *r, const char *urls[2],
                           const int64_t idx[2], struct mc_buf *out, struct mc_err *err)
{
    const struct mc_issuing *is = c->is;
    struct mc_ob_issue in;
    struct mc_di_sign_opts so;
    struct mc_di_env env = { NULL, is->contexts, is->cache, now_of(c) };
    cJSON *ach = NULL, *cred = NULL, *ev, *status;
    size_t i;
    mcred_rc rc;

    rc = mc_json_parse(a->json, strlen(a->json), 0, &ach, err);
    if (rc)
        return rc;
    memset(&in, 0, sizeof(in));
    in.issuer_id = is->issuer->did;
    in.issuer_name = is->issuer->name;
    in.issuer_url = is->issuer->url;
    in.achievement = ach;
    in.recipient = recipient;
    in.hash_email = true;
    in.id = id;
    in.valid_from = now_of(c);
    rc = mc_ob_credential_new(&in, &cred, err);
    cJSON_Delete(ach);
    if (rc)
        return rc;
    cJSON_DeleteItemFromObjectCaseSensitive(cred, "evidence");
    ev = cJSON_AddArrayToObject(cred, "evidence");
    for (i = 0; ev && i < r->nused; i++) {
        const struct mc_stack_held *h = &hs->h[r->used[i]];
        cJSON *e = h->credential_id && mc_is_uri(h->credential_id) ? cJSON_CreateObject() : NULL;
        cJSON *type = e ? cJSON_AddArrayToObject(e, "type") : NULL;
        char desc[600];

        if (!h->credential_id || !mc_is_uri(h->credential_id))
            continue;
        snprintf(desc, sizeof(desc), "component credential of achievement %.500s",
                 h->achievement);
        if (!type || !cJSON_AddItemToArray(type, cJSON_CreateString("Evidence")) ||
            !cJSON_AddStringToObject(e, "id", h->credential_id) ||
            !cJSON_AddStringToObject(e, "name", "Stack component") ||
            !cJSON_AddStringToObject(e, "description", desc) ||
            !cJSON_AddItemToArray(ev, e)) {
            cJSON_Delete(e);
            ev = NULL;
        }
    }
    if (ev && !is->suspension) {   /* one revocation entry, an object (issue.h) */
        cJSON *entry = NULL;

        rc = mc_status_entry(urls[0], MC_STATUS_PURPOSE_REVOCATION, (size_t)idx[0], 1, NULL,
                             &entry, err);
        if (!rc && !cJSON_AddItemToObject(cred, "credentialStatus", entry)) {
            cJSON_Delete(entry);
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
        }
    } else {
        status = ev ? cJSON_AddArrayToObject(cred, "credentialStatus") : NULL;
        rc = status ? MCRED_OK : mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
        if (!rc)
            rc = add_status(urls[0], MC_STATUS_PURPOSE_REVOCATION, idx[0], status, err);
        if (!rc)
            rc = add_status(urls[1], MC_STATUS_PURPOSE_SUSPENSION, idx[1], status, err);
    }
    if (!rc) {
        memset(&so, 0, sizeof(so));
        so.cryptosuite = is->suite && strcmp(is->suite, "vc-jwt") != 0 ? is->suite : NULL;
        so.verification_method = is->vm_id;
        rc = mc_di_sign(cred, is->key, &so, &env, NULL, err);
    }
    if (!rc)
        rc = mc_json_stringify(cred, 0, out, err);
    cJSON_Delete(cred);
    return rc;
}

static mcred_rc on_event(const struct mc_stacks_ctx *c, int64_t learner, const char *uri,
                         struct mc_err *err);

/* Claim (stack, learner) and, with an issuer, store its credential in the
 * same transaction. A lost claim (CONFLICT) issues nothing. */
static mcred_rc award(const struct mc_stacks_ctx *c, const struct mc_stack_def *d,
                      int64_t learner, const struct held_set *hs,
                      const struct mc_stack_result *r, struct mc_err *err)
{
    struct mc_achievement a;
    struct mc_learner l;
    struct mc_credential cr;
    struct mc_audit au;
    struct mc_buf doc;
    char id[300], uuid[46], key[MC_STORE_MAX_TEXT], rev_url[1024], sus_url[1024];
    const char *urls[2] = { rev_url, sus_url };
    int64_t award_id = 0, lists[2] = { 0, 0 }, idx[2] = { 0, 0 };
    size_t i;
    bool issued = false;
    mcred_rc rc;

    memset(&a, 0, sizeof(a));
    memset(&l, 0, sizeof(l));
    mc_buf_init(&doc, MC_STORE_MAX_DOC);
    rc = mc_store_begin(c->st, err);
    if (rc)
        return rc;
    rc = mc_store_award_claim(c->st, c->org, d->id, learner, now_of(c), &award_id, err);
    if (rc == MCRED_ERR_CONFLICT) {   /* someone else awarded it: nothing to do */
        mc_store_rollback(c->st);
        mc_err_clear(err);
        return MCRED_OK;
    }
    if (!rc && c->is) {
        rc = mc_store_achievement_get(c->st, c->org, 0, d->achievement_uri, &a, err);
        if (!rc)
            rc = mc_store_learner_get(c->st, c->org, learner, NULL, &l, err);
        if (!rc && !l.did && !l.email)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "learner %lld has neither a DID nor an "
                            "e-mail address to issue to", (long long)learner);
        if (!rc)
            rc = mc_issue_alloc_status(c->is, MC_STATUS_PURPOSE_REVOCATION, &lists[0], &idx[0],
                                       rev_url, sizeof(rev_url), err);
        if (!rc && c->is->suspension)
            rc = mc_issue_alloc_status(c->is, MC_STATUS_PURPOSE_SUSPENSION, &lists[1], &idx[1],
                                       sus_url, sizeof(sus_url), err);
        if (!rc) {
            mc_uuid7_urn(uuid);
            snprintf(id, sizeof(id), "%s/credentials/%s", c->is->public_url, uuid + 9);
            snprintf(key, sizeof(key), "stack:%.2000s:%lld", d->achievement_uri,
                     (long long)learner);
            rc = build_cred(c, &a, l.did ? l.did : l.email, id, hs, r, urls, idx, &doc, err);
        }
        if (!rc) {
            memset(&cr, 0, sizeof(cr));
            cr.id = id;
            cr.org_id = c->org;
            cr.issuer_id = c->is->issuer->id;
            cr.achievement_id = a.id;
            cr.learner_id = learner;
            cr.idem_key = key;
            cr.recipient = l.did ? l.did : l.email;
            cr.state = MC_CRED_ACTIVE;
            cr.status_list_rev = lists[0];
            cr.status_index_rev = idx[0];
            cr.status_list_sus = lists[1];
            cr.status_index_sus = idx[1];
            cr.issued = now_of(c);
            cr.doc = doc.ptr;
            rc = mc_store_cred_put(c->st, &cr, NULL, err);
        }
        if (!rc)
            rc = mc_store_award_set(c->st, c->org, award_id, id, MC_AWARD_ISSUED, now_of(c),
                                    err);
        for (i = 0; !rc && i < r->nused; i++) {
            const struct mc_stack_held *h = &hs->h[r->used[i]];

            if (h->credential_id)
                rc = mc_store_award_link(c->st, c->org, award_id, h->credential_id,
                                         h->valid_until, err);
        }
        if (!rc) {
            memset(&au, 0, sizeof(au));
            au.org_id = c->org;
            au.at = now_of(c);
            au.actor = (char *)(uintptr_t)(c->is->actor ? c->is->actor : "system");
            au.action = "stack award";
            au.subject = id;
            au.detail = d->achievement_uri;
            rc = mc_store_audit_add(c->st, &au, err);
        }
        issued = true;
    }
    if (!rc)
        rc = mc_store_commit(c->st, err);
    else if (mc_store_in_transaction(c->st))
        mc_store_rollback(c->st);
    mc_achievement_release(&a);
    mc_learner_release(&l);
    mc_buf_release(&doc);
    if (rc)
        return rc;
    if (!issued) {
        atomic_fetch_add(&n_pending, 1);
        return MCRED_OK;
    }
    atomic_fetch_add(&n_issued, 1);
    /* the new credential may complete stacks of which this stack is a part */
    return on_event(c, learner, d->achievement_uri, err);
}

/* Would s hold if the suspended components were not suspended? (A
 * suspension may be lifted: it flags, it never revokes for good.) */
static bool holds_unsuspended(const struct mc_stacks_ctx *c, const struct mc_stack *s,
                              const struct mc_stack_def *d, const struct held_set *hs)
{
    struct mc_stack_eval_opts o;
    struct mc_stack_result r;
    struct mc_stack_held *h;
    size_t i;
    bool any = false, sat = false;

    for (i = 0; i < hs->n; i++)
        any |= hs->h[i].suspended;
    if (!any)
        return false;
    h = mc_allocarray(hs->n, sizeof(*h));
    if (!h)
        return true;   /* when in doubt, flag rather than revoke */
    memcpy(h, hs->h, hs->n * sizeof(*h));
    for (i = 0; i < hs->n; i++)
        h[i].suspended = false;
    memset(&o, 0, sizeof(o));
    o.now = now_of(c);
    o.freshness = d->freshness;
    memset(&r, 0, sizeof(r));
    sat = mc_stack_eval(s, h, hs->n, &o, &r, NULL) != MCRED_OK || r.satisfied;
    mc_stack_result_release(&r);
    mc_free(h);
    return sat;
}

/* Was credential id issued by the issuer c signs as? (Only its own issuer
 * may re-sign its status list: another's award is flagged, not revoked.) */
static bool issued_by_ours(const struct mc_stacks_ctx *c, const char *id)
{
    struct mc_credential cr;
    bool ours;

    memset(&cr, 0, sizeof(cr));
    ours = mc_store_cred_get(c->st, c->org, id, &cr, NULL) == MCRED_OK &&
           cr.issuer_id == c->is->issuer->id;
    mc_credential_release(&cr);
    return ours;
}

/* The stack award no longer holds: the stack's policy decides. suspended:
 * it would hold but for a suspension (revoke then flags). */
static mcred_rc apply_policy(const struct mc_stacks_ctx *c, const struct mc_stack_def *d,
                             const struct mc_stack_award *aw, bool suspended,
                             struct mc_err *err)
{
    mcred_rc rc;

    if (d->policy == MC_STACK_KEEP || aw->state == MC_AWARD_REVOKED)
        return MCRED_OK;
    if (d->policy == MC_STACK_REVOKE && c->is && aw->cred_id && !suspended &&
        issued_by_ours(c, aw->cred_id)) {
        rc = mc_issue_set_state(c->is, aw->cred_id, MC_CRED_REVOKED,
                                "a component of the stack no longer counts", err);
        if (rc == MCRED_ERR_CONFLICT) {   /* revoked already */
            mc_err_clear(err);
            rc = MCRED_OK;
        }
        if (!rc)
            rc = mc_store_award_set(c->st, c->org, aw->id, NULL, MC_AWARD_REVOKED, now_of(c),
                                    err);
        /* (the issuing service's hook re-evaluates the stacks that have this
         * stack's achievement as a component) */
        if (!rc)
            atomic_fetch_add(&n_revoked, 1);
        return rc;
    }
    /* flag (and revoke without its issuer at hand, or for a suspension: flagged) */
    if (aw->state == MC_AWARD_FLAGGED)
        return MCRED_OK;
    rc = mc_store_award_set(c->st, c->org, aw->id, NULL, MC_AWARD_FLAGGED, now_of(c), err);
    if (!rc)
        atomic_fetch_add(&n_flagged, 1);
    return rc;
}

/* The checked rule of stored stack d (owned: mc_stack_free). */
static mcred_rc rule_of(const struct mc_stack_def *d, struct mc_stack **out, struct mc_err *err)
{
    cJSON *rule = NULL;
    mcred_rc rc = mc_json_parse(d->rule, strlen(d->rule), 0, &rule, err);

    *out = NULL;
    if (!rc)
        rc = mc_stack_parse(rule, NULL, NULL, out, err);
    cJSON_Delete(rule);
    return rc;
}

/* Evaluate stack d for learner against hs, and act on the result. */
static mcred_rc evaluate(const struct mc_stacks_ctx *c, const struct mc_stack_def *d,
                         int64_t learner, const struct held_set *hs, struct mc_err *err)
{
    struct mc_stack_eval_opts o;
    struct mc_stack_result r;
    struct mc_stack_award aw;
    struct mc_stack *s = NULL;
    bool have;
    mcred_rc rc;

    memset(&r, 0, sizeof(r));
    memset(&aw, 0, sizeof(aw));
    rc = rule_of(d, &s, err);
    if (rc)
        return rc;
    memset(&o, 0, sizeof(o));
    o.now = now_of(c);
    o.freshness = d->freshness;
    rc = mc_stack_eval(s, hs->h, hs->n, &o, &r, err);
    if (rc)
        goto out;
    atomic_fetch_add(&n_evals, 1);
    rc = mc_store_award_get(c->st, c->org, d->id, learner, &aw, err);
    have = rc == MCRED_OK;
    if (rc == MCRED_ERR_NOTFOUND) {
        mc_err_clear(err);
        rc = MCRED_OK;
    }
    if (rc)
        goto out;
    if (r.satisfied) {
        if (!have || (aw.state == MC_AWARD_PENDING && !aw.cred_id && c->is))
            rc = award(c, d, learner, hs, &r, err);
        else if (aw.state == MC_AWARD_FLAGGED)   /* whole again */
            rc = mc_store_award_set(c->st, c->org, aw.id, NULL, MC_AWARD_ISSUED, now_of(c),
                                    err);
    } else if (have && aw.cred_id &&
               (aw.state == MC_AWARD_ISSUED || aw.state == MC_AWARD_FLAGGED)) {
        rc = apply_policy(c, d, &aw,
                          d->policy == MC_STACK_REVOKE && holds_unsuspended(c, s, d, hs), err);
    }
out:
    mc_stack_award_release(&aw);
    mc_stack_result_release(&r);
    mc_stack_free(s);
    return rc;
}

/* ---- events ----------------------------------------------------------------------- */

static mcred_rc eval_stacks(const struct mc_stacks_ctx *c, const struct mc_store_list *stacks,
                            int64_t learner, struct mc_err *err)
{
    struct held_set hs;
    size_t i;
    mcred_rc rc = held_load(c, learner, &hs, err);

    for (i = 0; !rc && i < stacks->n; i++)
        rc = evaluate(c, (const struct mc_stack_def *)stacks->rows + i, learner, &hs, err);
    held_release(&hs);
    return rc;
}

static mcred_rc on_event(const struct mc_stacks_ctx *c, int64_t learner, const char *uri,
                         struct mc_err *err)
{
    struct mc_store_list stacks;
    mcred_rc rc;

    if (depth >= MC_STACKS_MAX_DEPTH)
        return MCRED_OK;   /* definitions are acyclic; this only bounds the work */
    depth++;
    rc = mc_store_stack_by_component(c->st, c->org, uri, &stacks, err);
    if (!rc && stacks.n)
        rc = eval_stacks(c, &stacks, learner, err);
    mc_store_list_clear(&stacks);
    depth--;
    return rc;
}

mcred_rc mc_stacks_on_event(const struct mc_stacks_ctx *c, int64_t learner, const char *uri,
                            struct mc_err *err)
{
    if (!c || !c->st || learner <= 0 || !uri)
        return mc_err_set(err, MCRED_ERR_INVALID, "stacks: an event needs a store, a learner "
                          "and an achievement");
    return on_event(c, learner, uri, err);
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

mcred_rc mc_stacks_on_recipients(const struct mc_stacks_ctx *c, const char *uri,
                                 const char *const *recipients, size_t n, struct mc_err *err)
{
    struct mc_store_list stacks;
    const char **r = NULL;
    size_t i;
    mcred_rc rc;

    if (!c || !c->st || !uri || (n && !recipients))
        return mc_err_set(err, MCRED_ERR_INVALID, "stacks: bad arguments");
    if (n == 0 || depth >= MC_STACKS_MAX_DEPTH)
        return MCRED_OK;
    rc = mc_store_stack_by_component(c->st, c->org, uri, &stacks, err);
    if (rc || stacks.n == 0) {
        mc_store_list_clear(&stacks);
        return rc;
    }
    depth++;
    r = mc_allocarray(n, sizeof(*r));
    if (!r)
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
    if (!rc) {
        memcpy(r, recipients, n * sizeof(*r));
        qsort(r, n, sizeof(*r), cmp_strp);   /* each learner once */
    }
    for (i = 0; !rc && i < n; i++) {
        struct mc_learner l;

        if (!r[i] || (i > 0 && r[i - 1] && strcmp(r[i - 1], r[i]) == 0))
            continue;
        memset(&l, 0, sizeof(l));
        rc = mc_store_learner_get(c->st, c->org, 0, r[i], &l, err);
        if (rc == MCRED_ERR_NOTFOUND) {   /* not a learner of ours: no stacks */
            mc_err_clear(err);
            rc = MCRED_OK;
            continue;
        }
        if (!rc)
            rc = eval_stacks(c, &stacks, l.id, err);
        mc_learner_release(&l);
    }
    depth--;
    mc_free(r);
    mc_store_list_clear(&stacks);
    return rc;
}

mcred_rc mc_stacks_on_credential(const struct mc_stacks_ctx *c, const char *cred_id,
                                 struct mc_err *err)
{
    struct mc_credential cr;
    struct mc_achievement a;
    mcred_rc rc;

    memset(&cr, 0, sizeof(cr));
    memset(&a, 0, sizeof(a));
    rc = mc_store_cred_get(c->st, c->org, cred_id, &cr, err);
    if (!rc)
        rc = mc_store_achievement_get(c->st, c->org, cr.achievement_id, NULL, &a, err);
    if (!rc) {
        const char *one[1] = { cr.recipient };

        rc = mc_stacks_on_recipients(c, a.uri, one, 1, err);
    }
    mc_credential_release(&cr);
    mc_achievement_release(&a);
    return rc;
}

mcred_rc mc_stacks_on_import(const struct mc_stacks_ctx *c, int64_t learner, const char *doc,
                             struct mc_err *err)
{
    cJSON *d = NULL;
    const char *uri;
    mcred_rc rc;

    if (!doc || doc[0] != '{')
        return MCRED_OK;
    rc = mc_json_parse(doc, strlen(doc), 0, &d, err);
    if (rc)
        return rc;
    uri = achievement_of(d);
    rc = uri ? mc_stacks_on_event(c, learner, uri, err) : MCRED_OK;
    cJSON_Delete(d);
    return rc;
}

mcred_rc mc_stacks_sweep(const struct mc_stacks_ctx *c, size_t *looked, struct mc_err *err)
{
    struct mc_store_list due;
    size_t i;
    mcred_rc rc;

    if (looked)
        *looked = 0;
    rc = mc_store_award_due(c->st, c->org, now_of(c), &due, err);
    for (i = 0; !rc && i < due.n; i++) {
        const struct mc_stack_award *aw = (const struct mc_stack_award *)due.rows + i;
        struct mc_stack_def d;
        struct held_set hs;

        memset(&d, 0, sizeof(d));
        rc = mc_store_stack_get(c->st, c->org, aw->stack_id, NULL, &d, err);
        if (!rc)
            rc = held_load(c, aw->learner_id, &hs, err);
        if (!rc) {
            rc = evaluate(c, &d, aw->learner_id, &hs, err);
            held_release(&hs);
        }
        mc_stack_def_release(&d);
        if (!rc && looked)
            (*looked)++;
    }
    mc_store_list_clear(&due);
    return rc;
}

mcred_rc mc_stacks_evaluate(const struct mc_stacks_ctx *c, int64_t learner, int64_t stack_id,
                            struct mc_err *err)
{
    struct mc_store_list stacks;
    struct mc_stack_def one;
    mcred_rc rc;

    memset(&stacks, 0, sizeof(stacks));
    memset(&one, 0, sizeof(one));
    if (stack_id) {
        rc = mc_store_stack_get(c->st, c->org, stack_id, NULL, &one, err);
        if (!rc) {   /* a list of one, borrowed */
            stacks.rows = &one;
            stacks.n = 1;
            rc = eval_stacks(c, &stacks, learner, err);
        }
        mc_stack_def_release(&one);
        return rc;
    }
    rc = mc_store_stack_list(c->st, c->org, &stacks, err);
    if (!rc && stacks.n)
        rc = eval_stacks(c, &stacks, learner, err);
    mc_store_list_clear(&stacks);
    return rc;
}

/* ---- definition ----------------------------------------------------------------- */

struct known {
    const struct mc_stacks_ctx *c;
    const cJSON *external;
    const char *self;   /* the stack's own achievement (a cycle, reported as one) */
};

static bool known_fn(void *ud, const char *uri)
{
    const struct known *k = ud;
    const cJSON *e;
    struct mc_achievement a;
    bool ok;

    if (strcmp(uri, k->self) == 0)
        return true;
    cJSON_ArrayForEach(e, k->external) {
        if (mc_json_is_string(e) && strcmp(e->valuestring, uri) == 0)
            return true;
    }
    memset(&a, 0, sizeof(a));
    ok = mc_store_achievement_get(k->c->st, k->c->org, 0, uri, &a, NULL) == MCRED_OK ||
         mc_store_achievement_by_uri(k->c->st, uri, &a, NULL) == MCRED_OK;
    mc_achievement_release(&a);
    return ok;
}

/* Cycles across stacks. A cycle through the new stack leaves it through one
 * of its components and comes back: only the stacks reachable from its
 * components matter (breadth first, each read once), not every stack. */
static mcred_rc check_cycles(const struct mc_stacks_ctx *c, const char *uri,
                             const struct mc_stack *news, struct mc_err *err)
{
    struct mc_stack **parsed = NULL;
    struct mc_stack_edge *e = NULL;
    const char **queue = NULL;
    size_t i, j, n = 0, cap = 0, np = 0, nq = 0, qcap = 0, head = 0;
    mcred_rc rc = MCRED_OK;

    for (i = 0; !rc && (i == 0 || head < nq); i++) {
        const struct mc_stack *s = news;
        const char *from = uri, **u;
        size_t k;

        if (i > 0) {
            struct mc_stack_def d;
            struct mc_stack **np2;

            from = queue[head++];
            memset(&d, 0, sizeof(d));
            rc = mc_store_stack_get(c->st, c->org, 0, from, &d, NULL);
            if (rc == MCRED_ERR_NOTFOUND) {   /* a plain achievement: no edges out */
                rc = MCRED_OK;
                continue;
            }
            np2 = rc ? NULL : mc_realloc(parsed, (np + 1) * sizeof(*parsed));
            if (!rc && !np2)
                rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
            if (!rc) {
                parsed = np2;
                rc = rule_of(&d, &parsed[np], err);
            }
            mc_stack_def_release(&d);
            if (rc)
                break;
            s = parsed[np++];
        }
        k = mc_stack_components(s, &u);
        if (n + k > cap || nq + k > qcap) {
            struct mc_stack_edge *ne = mc_realloc(e, (n + k) * 2 * sizeof(*e));
            const char **nqq = ne ? mc_realloc(queue, (nq + k) * 2 * sizeof(*queue)) : NULL;

            if (ne)
                e = ne;
            if (!ne || !nqq) {
                rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
                break;
            }
            queue = nqq;
            cap = (n + k) * 2;
            qcap = (nq + k) * 2;
        }
        for (j = 0; j < k; j++) {
            size_t q;
            bool seen = strcmp(u[j], uri) == 0;   /* back at the new stack: a cycle */

            e[n].from = from;
            e[n].to = u[j];
            n++;
            for (q = 0; q < nq && !seen; q++)
                seen = strcmp(queue[q], u[j]) == 0;
            if (!seen)
                queue[nq++] = u[j];
        }
    }
    if (!rc)
        rc = mc_stack_check_cycles(e, n, err);
    for (i = 0; i < np; i++)
        mc_stack_free(parsed[i]);
    mc_free(parsed);
    mc_free(e);
    mc_free(queue);
    return rc;
}

mcred_rc mc_stacks_define(const struct mc_stacks_ctx *c, const char *p, size_t n,
                          struct mc_stack_def *out, struct mc_err *err)
{
    struct mc_stack_def d;
    struct mc_achievement a;
    struct mc_stack *s = NULL;
    struct known k;
    struct mc_buf ach_text, rule_text;
    const cJSON *ach, *ach_id, *rule, *fresh, *policy, *ext, *m;
    const char *uri = NULL, **comps;
    size_t nc;
    cJSON *def = NULL;
    mcred_rc rc;

    if (out)
        memset(out, 0, sizeof(*out));
    memset(&d, 0, sizeof(d));
    memset(&a, 0, sizeof(a));
    mc_buf_init(&ach_text, MC_STORE_MAX_DOC);
    mc_buf_init(&rule_text, MC_STORE_MAX_DOC);
    if (n > MC_STACKS_MAX_DEFINITION)
        return mc_err_set(err, MCRED_ERR_LIMIT, "stack definition: larger than %zu bytes",
                          MC_STACKS_MAX_DEFINITION);
    rc = mc_json_parse(p, n, MC_STACKS_MAX_DEFINITION, &def, err);
    if (rc)
        return rc;
    if (!mc_json_is_object(def)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: expected a JSON object");
        goto out;
    }
    cJSON_ArrayForEach(m, def) {
        static const char *const keys[] = { "achievement", "achievementId", "rule", "freshness",
                                            "onComponentRevoked", "external", NULL };
        size_t i;
        bool ok = false;

        for (i = 0; keys[i]; i++)
            ok |= strcmp(m->string, keys[i]) == 0;
        if (!ok) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: unknown member '%.80s' "
                            "(expected achievement or achievementId, rule, freshness, "
                            "onComponentRevoked, external)", m->string);
            goto out;
        }
    }
    ach = mc_json_get(def, "achievement");
    ach_id = mc_json_get(def, "achievementId");
    rule = mc_json_get(def, "rule");
    fresh = mc_json_get(def, "freshness");
    policy = mc_json_get(def, "onComponentRevoked");
    ext = mc_json_get(def, "external");
    if (!ach == !ach_id) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: give either achievement (an "
                        "Achievement object) or achievementId, not %s", ach ? "both" : "neither");
        goto out;
    }
    if (!rule) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: rule is missing");
        goto out;
    }
    if (fresh && !cJSON_IsBool(fresh)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: freshness: expected true or "
                        "false");
        goto out;
    }
    d.freshness = cJSON_IsTrue(fresh);
    d.policy = MC_STACK_KEEP;
    if (policy && (!mc_json_is_string(policy) ||
                   mc_stack_policy_parse(policy->valuestring, &d.policy))) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: onComponentRevoked: expected "
                        "\"keep\", \"flag\" or \"revoke\"");
        goto out;
    }
    if (ext && !mc_json_is_array(ext)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: external: expected an array "
                        "of achievement ids");
        goto out;
    }
    if (ach) {
        rc = mc_ob_validate_achievement(ach, NULL, err);
        uri = mc_json_str(ach, "id");
        if (!rc && !uri)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: achievement.id is "
                            "missing");
        if (rc)
            goto out;
    } else {
        if (!mc_json_is_string(ach_id)) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: achievementId: expected "
                            "a string");
            goto out;
        }
        uri = ach_id->valuestring;
        rc = mc_store_achievement_get(c->st, c->org, 0, uri, &a, err);
        if (rc == MCRED_ERR_NOTFOUND)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "stack definition: achievementId: the "
                            "organisation has no achievement '%.200s'", uri);
        mc_achievement_release(&a);
        if (rc)
            goto out;
    }
    k.c = c;
    k.external = ext;
    k.self = uri;
    rc = mc_stack_parse(rule, known_fn, &k, &s, err);
    if (rc)
        goto out;
    nc = mc_stack_components(s, &comps);
    rc = check_cycles(c, uri, s, err);
    if (!rc)
        rc = mc_json_stringify(rule, 0, &rule_text, err);
    if (!rc && ach)
        rc = mc_json_stringify(ach, 0, &ach_text, err);
    if (!rc)
        rc = mc_store_begin(c->st, err);
    if (rc)
        goto out;
    if (ach) {
        memset(&a, 0, sizeof(a));
        a.org_id = c->org;
        a.uri = (char *)(uintptr_t)uri;
        a.json = ach_text.ptr;
        rc = mc_store_achievement_put(c->st, &a, err);
        memset(&a, 0, sizeof(a));
    }
    d.org_id = c->org;
    d.achievement_uri = (char *)(uintptr_t)uri;
    d.rule = rule_text.ptr;
    d.created = now_of(c);
    if (!rc)
        rc = mc_store_stack_put(c->st, &d, comps, nc, err);
    if (!rc)
        rc = mc_store_commit(c->st, err);
    else
        mc_store_rollback(c->st);
    if (!rc && out)
        rc = mc_store_stack_get(c->st, c->org, d.id, NULL, out, err);
out:
    mc_stack_free(s);
    cJSON_Delete(def);
    mc_buf_release(&ach_text);
    mc_buf_release(&rule_text);
    return rc;
}

/* ---- listing and progress ------------------------------------------------------- */

static cJSON *def_json(const struct mc_stack_def *d)
{
    cJSON *o = cJSON_CreateObject(), *rule = NULL;
    char when[32];

    if (!o)
        return NULL;
    mc_time_format(d->created, when);
    if (mc_json_parse(d->rule, strlen(d->rule), 0, &rule, NULL) != MCRED_OK ||
        !cJSON_AddNumberToObject(o, "id", (double)d->id) ||
        !cJSON_AddStringToObject(o, "achievement", d->achievement_uri) ||
        !cJSON_AddItemToObject(o, "rule", rule) ||
        !cJSON_AddBoolToObject(o, "freshness", d->freshness) ||
        !cJSON_AddStringToObject(o, "onComponentRevoked", mc_stack_policy_name(d->policy)) ||
        !cJSON_AddStringToObject(o, "created", when)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static mcred_rc emit(cJSON *v, struct mc_buf *out, struct mc_err *err)
{
    mcred_rc rc = v ? mc_json_stringify(v, 0, out, err)
                    : mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");

    cJSON_Delete(v);
    return rc;
}

mcred_rc mc_stacks_json(const struct mc_stack_def *d, struct mc_buf *out, struct mc_err *err)
{
    return emit(def_json(d), out, err);
}

mcred_rc mc_stacks_list(const struct mc_stacks_ctx *c, struct mc_buf *out, struct mc_err *err)
{
    struct mc_store_list all;
    cJSON *arr;
    size_t i;
    mcred_rc rc = mc_store_stack_list(c->st, c->org, &all, err);

    if (rc)
        return rc;
    arr = cJSON_CreateArray();
    for (i = 0; arr && i < all.n; i++) {
        cJSON *o = def_json((const struct mc_stack_def *)all.rows + i);

        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    mc_store_list_clear(&all);
    return emit(arr, out, err);
}

/* One stack's progress object for learner. */
static mcred_rc progress_one(const struct mc_stacks_ctx *c, const struct mc_stack_def *d,
                             int64_t learner, const struct held_set *hs, cJSON *arr,
                             struct mc_err *err)
{
    struct mc_stack_eval_opts o;
    struct mc_stack_result r;
    struct mc_stack_award aw;
    struct mc_stack *s = NULL;
    cJSON *obj, *done, *todo, *why, *awj;
    size_t i;
    bool ok;
    mcred_rc rc;

    memset(&r, 0, sizeof(r));
    memset(&aw, 0, sizeof(aw));
    rc = rule_of(d, &s, err);
    memset(&o, 0, sizeof(o));
    o.now = now_of(c);
    o.freshness = d->freshness;
    if (!rc)
        rc = mc_stack_eval(s, hs->h, hs->n, &o, &r, err);
    if (!rc) {
        rc = mc_store_award_get(c->st, c->org, d->id, learner, &aw, err);
        if (rc == MCRED_ERR_NOTFOUND) {
            mc_err_clear(err);
            rc = MCRED_OK;
        }
    }
    if (rc)
        goto out;
    obj = cJSON_CreateObject();
    ok = obj && cJSON_AddItemToArray(arr, obj) &&
         cJSON_AddNumberToObject(obj, "id", (double)d->id) &&
         cJSON_AddStringToObject(obj, "achievement", d->achievement_uri) &&
         cJSON_AddBoolToObject(obj, "satisfied", r.satisfied);
    if (ok && aw.id) {
        awj = cJSON_AddObjectToObject(obj, "award");
        ok = awj && cJSON_AddStringToObject(awj, "state", mc_award_state_name(aw.state)) &&
             (aw.cred_id ? cJSON_AddStringToObject(awj, "credential", aw.cred_id)
                         : cJSON_AddNullToObject(awj, "credential")) != NULL;
    } else if (ok) {
        ok = cJSON_AddNullToObject(obj, "award") != NULL;
    }
    done = ok ? cJSON_AddArrayToObject(obj, "done") : NULL;
    for (i = 0; done && i < r.ncounted; i++) {
        const struct mc_stack_held *h = &hs->h[r.counted[i]];
        cJSON *e = cJSON_CreateObject();

        if (!e || !cJSON_AddItemToArray(done, e) ||
            !cJSON_AddStringToObject(e, "achievement", h->achievement) ||
            !(h->credential_id ? cJSON_AddStringToObject(e, "credential", h->credential_id)
                               : cJSON_AddNullToObject(e, "credential")))
            done = NULL;
    }
    ok = done != NULL;
    if (ok)
        ok = (r.missing >= MC_STACK_UNREACHABLE ? cJSON_AddNullToObject(obj, "missing")
                                                : cJSON_AddNumberToObject(obj, "missing",
                                                                          (double)r.missing))
             != NULL;
    todo = ok ? cJSON_AddArrayToObject(obj, "todo") : NULL;
    for (i = 0; todo && i < r.ntodo; i++)
        if (!cJSON_AddItemToArray(todo, cJSON_CreateString(r.todo[i])))
            todo = NULL;
    why = todo ? cJSON_AddArrayToObject(obj, "why") : NULL;
    for (i = 0; why && i < r.nwhy; i++)
        if (!cJSON_AddItemToArray(why, cJSON_CreateString(r.why[i])))
            why = NULL;
    if (!why)
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
out:
    mc_stack_award_release(&aw);
    mc_stack_result_release(&r);
    mc_stack_free(s);
    return rc;
}

mcred_rc mc_stacks_progress(const struct mc_stacks_ctx *c, int64_t learner, int64_t stack_id,
                            struct mc_buf *out, struct mc_err *err)
{
    struct mc_store_list stacks;
    struct mc_stack_def one;
    struct mc_learner l;
    struct held_set hs;
    cJSON *root = NULL, *arr;
    size_t i;
    mcred_rc rc;

    memset(&stacks, 0, sizeof(stacks));
    memset(&one, 0, sizeof(one));
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    rc = mc_store_learner_get(c->st, c->org, learner, NULL, &l, err);
    mc_learner_release(&l);
    if (rc)
        return rc;
    if (stack_id) {
        rc = mc_store_stack_get(c->st, c->org, stack_id, NULL, &one, err);
    } else {
        rc = mc_store_stack_list(c->st, c->org, &stacks, err);
    }
    if (!rc)
        rc = held_load(c, learner, &hs, err);
    if (rc)
        goto out;
    root = cJSON_CreateObject();
    arr = root && cJSON_AddNumberToObject(root, "learner", (double)learner)
              ? cJSON_AddArrayToObject(root, "stacks") : NULL;
    if (!arr) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "stacks: out of memory");
        goto out;
    }
    if (stack_id)
        rc = progress_one(c, &one, learner, &hs, arr, err);
    for (i = 0; !rc && i < stacks.n; i++)
        rc = progress_one(c, (const struct mc_stack_def *)stacks.rows + i, learner, &hs, arr,
                          err);
    if (!rc) {
        rc = emit(root, out, err);
        root = NULL;
    }
out:
    cJSON_Delete(root);
    held_release(&hs);
    mc_stack_def_release(&one);
    mc_store_list_clear(&stacks);
    return rc;
}
