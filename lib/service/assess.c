/* assess.c - the assessment verbs of assess.h: ResultDescriptions read and
 * checked, results judged, attempts stored, and the award issued with its
 * Result and Evidence inside the signed credential, in one transaction.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <sodium.h>

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "proof/di.h"
#include "service/assess.h"
#include "service/stacks.h"
#include "status/bitstring.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/time.h"

#define IDEM_PREFIX "assess:"
#define VALUE_MAX (sizeof(((struct mc_assess_judgement *)0)->value) - 1)   /* a level id */

const char *mc_rd_kind_name(enum mc_rd_kind k)
{
    switch (k) {
    case MC_RD_RUBRIC:
        return "rubric";
    case MC_RD_SCORE:
        return "score";
    case MC_RD_STATUS:
        return "status";
    }
    return "unknown";
}

/* ---- reading a ResultDescription -------------------------------------------------------- */

static const char *const score_types[] = { "RawScore", "ScaledScore", "Percent", "RubricScore",
                                           "GradePointAverage", "PredictedScore", NULL };

static bool is_score_type(const char *t)
{
    size_t i;

    for (i = 0; t && score_types[i]; i++) {
        if (strcmp(t, score_types[i]) == 0)
            return true;
    }
    return false;
}

/* A finite number written as a whole string ("70", "3.5"). */
static bool parse_number(const char *s, double *out)
{
    char *end = NULL;
    double v;

    if (!s || !s[0] || strlen(s) > 64)
        return false;
    v = strtod(s, &end);
    if (!end || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* A numeric OB 3.0 value member (a string) of rd at path: INVALID otherwise. */
static mcred_rc value_member(const cJSON *o, const char *name, const char *path, double *out,
                             struct mc_err *err)
{
    const cJSON *v = mc_json_get(o, name);

    if (!v)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: missing (a score range needs valueMin, "
                          "valueMax and requiredValue)", path, name);
    if (!mc_json_is_string(v))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: expected a string (OB 3.0 writes "
                          "values as text, e.g. \"70\")", path, name);
    if (!parse_number(v->valuestring, out))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.%s: '%.40s' is not a number", path, name,
                          v->valuestring);
    return MCRED_OK;
}

static mcred_rc parse_rubric(const cJSON *o, const char *path, struct mc_rd *rd,
                             struct mc_err *err)
{
    const cJSON *levels = mc_json_get(o, "rubricCriterionLevel"), *l;
    const char *req = mc_json_str(o, "requiredLevel");
    size_t i, k;

    rd->kind = MC_RD_RUBRIC;
    if (!mc_json_is_array(levels) || !levels->child)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel: expected a non-empty "
                          "array of levels, lowest first", path);
    for (l = levels->child, i = 0; l; l = l->next, i++) {
        const char *id = mc_json_str(l, "id"), *name = mc_json_str(l, "name");

        if (i >= MC_RD_MAX_LEVELS)
            return mc_err_set(err, MCRED_ERR_LIMIT, "%s.rubricCriterionLevel: more than %d "
                              "levels", path, MC_RD_MAX_LEVELS);
        if (!mc_json_is_object(l))
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel[%zu]: expected "
                              "an object", path, i);
        if (!id || !mc_is_uri(id) || strlen(id) > VALUE_MAX)
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel[%zu].id: "
                              "expected a URI of at most %zu bytes", path, i, VALUE_MAX);
        if (!name || !name[0])
            return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel[%zu].name: "
                              "expected a non-empty string", path, i);
        for (k = 0; k < i; k++) {
            if (strcmp(mc_json_str(rd->levels[k], "id"), id) == 0)
                return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel[%zu].id: "
                                  "'%.100s' is also level %zu's", path, i, id, k);
            if (strcasecmp(mc_json_str(rd->levels[k], "name"), name) == 0)
                return mc_err_set(err, MCRED_ERR_INVALID, "%s.rubricCriterionLevel[%zu].name: "
                                  "'%.100s' is also level %zu's", path, i, name, k);
        }
        rd->levels[i] = l;
    }
    rd->nlevels = i;
    if (!req)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.requiredLevel: missing (the id of the "
                          "rubricCriterionLevel a learner must reach)", path);
    for (k = 0; k < rd->nlevels; k++) {
        if (strcmp(mc_json_str(rd->levels[k], "id"), req) == 0) {
            rd->required = k;
            return MCRED_OK;
        }
    }
    return mc_err_set(err, MCRED_ERR_INVALID, "%s.requiredLevel: '%.100s' is not the id of one "
                      "of its rubricCriterionLevel", path, req);
}

static mcred_rc parse_score(const cJSON *o, const char *path, struct mc_rd *rd,
                            struct mc_err *err)
{
    mcred_rc rc;

    rd->kind = MC_RD_SCORE;
    rc = value_member(o, "valueMin", path, &rd->min, err);
    if (!rc)
        rc = value_member(o, "valueMax", path, &rd->max, err);
    if (!rc)
        rc = value_member(o, "requiredValue", path, &rd->pass, err);
    if (rc)
        return rc;
    if (!(rd->min < rd->max))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.valueMax: %g is not above valueMin %g",
                          path, rd->max, rd->min);
    if (rd->pass < rd->min || rd->pass > rd->max)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.requiredValue: %g is outside valueMin %g "
                          "to valueMax %g", path, rd->pass, rd->min, rd->max);
    return MCRED_OK;
}

static mcred_rc parse_one(const cJSON *o, const char *path, struct mc_rd *rd,
                          struct mc_err *err)
{
    const cJSON *type = mc_json_get(o, "type");
    const char *rt = mc_json_str(o, "resultType");

    memset(rd, 0, sizeof(*rd));
    if (!mc_json_is_object(o))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: expected a ResultDescription object",
                          path);
    rd->id = mc_json_str(o, "id");
    rd->name = mc_json_str(o, "name");
    rd->result_type = rt;
    if (!rd->id || !mc_is_uri(rd->id))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.id: expected a URI", path);
    if (!mc_json_has_str(type, "ResultDescription"))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.type: must name ResultDescription", path);
    if (!rd->name || !rd->name[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.name: expected a non-empty string", path);
    if (!rt)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s.resultType: expected a string", path);
    if (mc_json_get(o, "rubricCriterionLevel") || mc_json_get(o, "requiredLevel") ||
        strcmp(rt, "RubricCriterionLevel") == 0 || strcmp(rt, "PerformanceLevel") == 0)
        return parse_rubric(o, path, rd, err);
    if (is_score_type(rt) || mc_json_get(o, "valueMin") || mc_json_get(o, "valueMax"))
        return parse_score(o, path, rd, err);
    if (strcmp(rt, "Status") == 0) {
        rd->kind = MC_RD_STATUS;
        return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_INVALID, "%s.resultType: '%.60s' cannot be assessed (use "
                      "rubricCriterionLevel with requiredLevel, a score range with "
                      "requiredValue, or resultType Status)", path, rt);
}

mcred_rc mc_rd_parse(const cJSON *achievement, struct mc_rds *out, struct mc_err *err)
{
    const cJSON *rds = mc_json_get(achievement, "resultDescription"), *o;
    char path[64];
    size_t i;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!mc_json_is_object(achievement))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement: expected an object");
    if (!rds || (mc_json_is_array(rds) && !rds->child))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%.200s' has no "
                          "resultDescription: it cannot be assessed (nothing is awarded "
                          "without a result)",
                          mc_json_str(achievement, "id") ? mc_json_str(achievement, "id") : "");
    if (!mc_json_is_array(rds))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement.resultDescription: expected an "
                          "array");
    for (o = rds->child, i = 0; o; o = o->next, i++) {
        if (i >= MC_RD_MAX) {
            memset(out, 0, sizeof(*out));
            return mc_err_set(err, MCRED_ERR_LIMIT, "achievement.resultDescription: more than "
                              "%d entries", MC_RD_MAX);
        }
        snprintf(path, sizeof(path), "achievement.resultDescription[%zu]", i);
        rc = parse_one(o, path, &out->rd[i], err);
        if (!rc && i > 0) {
            size_t k;

            for (k = 0; k < i && !rc; k++) {
                if (strcmp(out->rd[k].id, out->rd[i].id) == 0)
                    rc = mc_err_set(err, MCRED_ERR_INVALID, "%s.id: '%.100s' is also entry "
                                    "%zu's", path, out->rd[i].id, k);
            }
        }
        if (rc) {
            memset(out, 0, sizeof(*out));
            return rc;
        }
    }
    out->n = i;
    return MCRED_OK;
}

/* ---- judging ------------------------------------------------------------------------------ */

static const char *level_name(const struct mc_rd *rd, size_t i)
{
    return mc_json_str(rd->levels[i], "name");
}

static const char *flag_of(enum mc_rd_kind k)
{
    return k == MC_RD_RUBRIC ? "a level" : k == MC_RD_SCORE ? "a score" : "pass or fail";
}

static mcred_rc judge_rubric(const struct mc_rd *rd, const char *level,
                             struct mc_assess_judgement *j, struct mc_err *err)
{
    struct mc_buf names;
    size_t i;
    mcred_rc rc = MCRED_OK;

    if (!level || !level[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "level: missing");
    for (i = 0; i < rd->nlevels; i++) {
        if (strcmp(mc_json_str(rd->levels[i], "id"), level) == 0 ||
            strcasecmp(level_name(rd, i), level) == 0)
            break;
    }
    if (i == rd->nlevels) {
        mc_buf_init(&names, 1000);
        for (i = 0; i < rd->nlevels && !rc; i++)
            rc = mc_buf_printf(&names, "%s'%.60s'", i ? ", " : "", level_name(rd, i));
        mc_err_set(err, MCRED_ERR_INVALID, "level: '%.80s' is not one of the levels of '%.80s': "
                   "%s", level, rd->name, names.ptr ? names.ptr : "");
        mc_buf_release(&names);
        return MCRED_ERR_INVALID;
    }
    j->level = i;
    j->met = i >= rd->required;
    mc_strlcpy(j->value, mc_json_str(rd->levels[i], "id"), sizeof(j->value));
    if (!j->met)
        snprintf(j->missing, sizeof(j->missing), "level '%.80s' is below the required '%.80s'",
                 level_name(rd, i), level_name(rd, rd->required));
    return MCRED_OK;
}

mcred_rc mc_rd_judge(const struct mc_rd *rd, const struct mc_assess_result *r,
                     struct mc_assess_judgement *j, struct mc_err *err)
{
    memset(j, 0, sizeof(*j));
    if (r->kind != rd->kind)
        return mc_err_set(err, MCRED_ERR_INVALID, "result: '%.80s' is assessed by %s (%s), "
                          "not by %s", rd->name, mc_rd_kind_name(rd->kind), flag_of(rd->kind),
                          flag_of(r->kind));
    switch (rd->kind) {
    case MC_RD_RUBRIC:
        return judge_rubric(rd, r->level, j, err);
    case MC_RD_SCORE:
        if (!isfinite(r->score) || r->score < rd->min || r->score > rd->max)
            return mc_err_set(err, MCRED_ERR_INVALID, "score: %g is outside the range %g to %g "
                              "of '%.80s'", r->score, rd->min, rd->max, rd->name);
        j->met = r->score >= rd->pass;
        snprintf(j->value, sizeof(j->value), "%.15g", r->score);
        if (!j->met)
            snprintf(j->missing, sizeof(j->missing), "score %.15g is below the passing score "
                     "%.15g (range %.15g to %.15g)", r->score, rd->pass, rd->min, rd->max);
        return MCRED_OK;
    case MC_RD_STATUS:
        j->met = r->pass;
        mc_strlcpy(j->value, r->pass ? "pass" : "fail", sizeof(j->value));
        if (!j->met)
            mc_strlcpy(j->missing, "the result is a fail: a pass is required",
                       sizeof(j->missing));
        return MCRED_OK;
    }
    return mc_err_set(err, MCRED_ERR_INTERNAL, "result: unknown kind");
}

static bool add_s(cJSON *o, const char *name, const char *v)
{
    return cJSON_AddStringToObject(o, name, v) != NULL;
}

static bool add_type(cJSON *o, const char *t)
{
    cJSON *a = cJSON_CreateStringArray(&t, 1);

    if (a && cJSON_AddItemToObject(o, "type", a))
        return true;
    cJSON_Delete(a);
    return false;
}

mcred_rc mc_rd_result_json(const struct mc_rd *rd, const struct mc_assess_judgement *j,
                           cJSON **out, struct mc_err *err)
{
    cJSON *r = cJSON_CreateObject();
    bool ok = r && add_type(r, "Result") && add_s(r, "resultDescription", rd->id);

    if (ok && rd->kind == MC_RD_RUBRIC)
        ok = add_s(r, "achievedLevel", j->value);
    else if (ok && rd->kind == MC_RD_SCORE)
        ok = add_s(r, "value", j->value);
    ok = ok && add_s(r, "status", j->met ? "Completed" : "Failed");
    if (!ok) {
        cJSON_Delete(r);
        *out = NULL;
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return MCRED_OK;
}

/* ---- evidence ------------------------------------------------------------------------------ */

static bool text_ok(const char *s, size_t max)
{
    size_t n;

    if (!s)
        return true;
    n = strlen(s);
    return n > 0 && n <= max && mc_utf8_valid(s, n);
}

static bool is_hex64(const char *s)
{
    size_t i;

    for (i = 0; i < 64; i++) {
        if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    }
    return s[64] == '\0';
}

/* The RFC 6920 ni URI of a hex SHA-256: ni:///sha-256;<base64url>. */
static mcred_rc ni_uri(const char *hex, struct mc_buf *out)
{
    struct mc_buf raw;
    mcred_rc rc;

    mc_buf_init(&raw, 64);
    rc = mc_hex_decode(&raw, hex, 64);
    if (!rc)
        rc = mc_buf_append(out, "ni:///sha-256;", 14);
    if (!rc)
        rc = mc_b64url_encode(out, raw.ptr, raw.len);
    mc_buf_release(&raw);
    return rc;
}

static mcred_rc one_evidence(const struct mc_assess_evidence *e, size_t i, cJSON *arr,
                             struct mc_err *err)
{
    cJSON *o;
    struct mc_buf id;
    char desc[128];
    bool ok;
    mcred_rc rc = MCRED_OK;

    if (!e->url && !e->narrative && !e->file_sha256)
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence[%zu]: give a url, a narrative or a "
                          "file digest", i);
    if (e->url && (!text_ok(e->url, MC_ASSESS_MAX_TEXT) || !mc_is_uri(e->url)))
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence[%zu].url: expected an absolute URI "
                          "of at most %d bytes", i, MC_ASSESS_MAX_TEXT);
    if (!text_ok(e->narrative, MC_ASSESS_MAX_NARRATIVE))
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence[%zu].narrative: expected 1 to %d "
                          "bytes of UTF-8", i, MC_ASSESS_MAX_NARRATIVE);
    if (!text_ok(e->name, MC_ASSESS_MAX_TEXT))
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence[%zu].name: expected 1 to %d bytes "
                          "of UTF-8", i, MC_ASSESS_MAX_TEXT);
    if (e->file_sha256 && !is_hex64(e->file_sha256))
        return mc_err_set(err, MCRED_ERR_INVALID, "evidence[%zu].sha256: expected 64 hex "
                          "digits", i);
    mc_buf_init(&id, 256);
    if (!e->url && e->file_sha256)
        rc = ni_uri(e->file_sha256, &id);
    else if (e->url)
        rc = mc_buf_append(&id, e->url, strlen(e->url));
    if (rc) {
        mc_buf_release(&id);
        return mc_err_set(err, rc, "out of memory");
    }
    o = cJSON_CreateObject();
    ok = o != NULL;
    if (ok && id.len)
        ok = add_s(o, "id", id.ptr);
    ok = ok && add_type(o, "Evidence");
    if (ok && e->name)
        ok = add_s(o, "name", e->name);
    if (ok && e->narrative)
        ok = add_s(o, "narrative", e->narrative);
    if (ok && e->file_sha256) {
        char lower[65];
        size_t k;

        for (k = 0; k < 64; k++)
            lower[k] = (char)((e->file_sha256[k] >= 'A' && e->file_sha256[k] <= 'F')
                                  ? e->file_sha256[k] + ('a' - 'A') : e->file_sha256[k]);
        lower[64] = '\0';
        snprintf(desc, sizeof(desc), "SHA-256 of the file: %s", lower);
        ok = add_s(o, "description", desc) && add_s(o, "genre", "File");
    }
    mc_buf_release(&id);
    if (ok && cJSON_AddItemToArray(arr, o))
        return MCRED_OK;
    cJSON_Delete(o);
    return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
}

mcred_rc mc_assess_evidence_json(const struct mc_assess_evidence *ev, size_t n, cJSON **out,
                                 struct mc_err *err)
{
    cJSON *arr;
    size_t i;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    if (n > MC_ASSESS_MAX_EVIDENCE)
        return mc_err_set(err, MCRED_ERR_LIMIT, "evidence: more than %d pieces",
                          MC_ASSESS_MAX_EVIDENCE);
    arr = cJSON_CreateArray();
    if (!arr)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    for (i = 0; i < n && !rc; i++)
        rc = one_evidence(&ev[i], i, arr, err);
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return MCRED_OK;
}

/* ---- looking things up ---------------------------------------------------------------------- */

static bool all_digits(const char *s)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

mcred_rc mc_assess_learner(struct mc_store *st, int64_t org, const char *ref,
                           struct mc_learner *out, struct mc_err *err)
{
    struct mc_err lerr;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!ref || !ref[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "learner: missing");
    mc_err_clear(&lerr);
    if (all_digits(ref))
        rc = mc_store_learner_get(st, org, strtoll(ref, NULL, 10), NULL, out, &lerr);
    else
        rc = mc_store_learner_get(st, org, 0, ref, out, &lerr);
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "learner: no learner '%.200s' in this "
                          "organisation", ref);
    if (rc)
        return mc_err_set(err, rc, "%s", mc_err_msg(&lerr));
    return MCRED_OK;
}

static mcred_rc find_achievement(struct mc_store *st, int64_t org, const char *ref,
                                 struct mc_achievement *a, struct mc_err *err)
{
    struct mc_err lerr;
    mcred_rc rc;

    memset(a, 0, sizeof(*a));
    if (!ref || !ref[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement: missing");
    mc_err_clear(&lerr);
    if (all_digits(ref))
        rc = mc_store_achievement_get(st, org, strtoll(ref, NULL, 10), NULL, a, &lerr);
    else
        rc = mc_store_achievement_get(st, org, 0, ref, a, &lerr);
    if (rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "achievement: no achievement '%.200s' in "
                          "this organisation", ref);
    if (rc)
        return mc_err_set(err, rc, "%s", mc_err_msg(&lerr));
    return MCRED_OK;
}

/* The assessing user's e-mail, checked: a user of org who is an assessor or
 * an admin. */
static mcred_rc check_assessor(struct mc_store *st, int64_t org, const char *email,
                               struct mc_err *err)
{
    struct mc_store_list l;
    const struct mc_user *u;
    size_t i;
    mcred_rc rc = mc_store_user_list(st, org, &l, err);

    if (rc)
        return rc;
    u = l.rows;
    rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "assessor: no user '%.200s' in this organisation",
                    email);
    for (i = 0; i < l.n; i++) {
        if (strcasecmp(u[i].email, email) != 0)
            continue;
        if (u[i].role == MC_ROLE_ASSESSOR || u[i].role == MC_ROLE_ADMIN) {
            mc_err_clear(err);
            rc = MCRED_OK;
        } else {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "assessor: '%.200s' is a %s; only assessors "
                            "and admins assess", email, mc_role_name(u[i].role));
        }
        break;
    }
    mc_store_list_clear(&l);
    return rc;
}

/* ---- recording --------------------------------------------------------------------------- */

void mc_assess_outcome_release(struct mc_assess_outcome *o)
{
    if (!o)
        return;
    mc_free(o->doc);
    memset(o, 0, sizeof(*o));
}

static time_t clock_of(const struct mc_issuing *is)
{
    return is->now ? is->now : time(NULL);
}

/* What one record carries from step to step. */
struct rec {
    const struct mc_issuing *is;
    const struct mc_assess_req *rq;
    struct mc_achievement a;
    struct mc_learner l;
    cJSON *ach;                 /* the achievement's JSON, owned */
    const struct mc_rd *rd;
    struct mc_rds rds;
    struct mc_assess_judgement j;
    cJSON *evidence;            /* OB 3.0 Evidence objects, owned */
    char *evidence_text;        /* the same as JSON text, owned */
    char key[MC_STORE_MAX_TEXT];
    time_t now;
};

static void rec_release(struct rec *r)
{
    mc_achievement_release(&r->a);
    mc_learner_release(&r->l);
    cJSON_Delete(r->ach);
    cJSON_Delete(r->evidence);
    mc_free(r->evidence_text);
}

/* Everything that needs no transaction: look-ups, the judgement, evidence. */
static mcred_rc prepare(struct rec *r, struct mc_err *err)
{
    const struct mc_assess_req *rq = r->rq;
    struct mc_buf b;
    size_t i;
    mcred_rc rc;

    rc = find_achievement(r->is->st, r->is->org, rq->achievement, &r->a, err);
    if (!rc)
        rc = mc_assess_learner(r->is->st, r->is->org, rq->learner, &r->l, err);
    if (!rc && rq->assessor)
        rc = check_assessor(r->is->st, r->is->org, rq->assessor, err);
    if (!rc)
        rc = mc_json_parse(r->a.json, strlen(r->a.json), 0, &r->ach, err);
    if (!rc)
        rc = mc_rd_parse(r->ach, &r->rds, err);
    if (rc)
        return rc;
    for (i = 0; i < r->rds.n && !r->rd; i++) {
        if (!rq->result_description || strcmp(r->rds.rd[i].id, rq->result_description) == 0)
            r->rd = &r->rds.rd[i];
    }
    if (!r->rd)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "resultDescription: achievement '%.200s' "
                          "has none with id '%.200s'", r->a.uri, rq->result_description);
    rc = mc_rd_judge(r->rd, &rq->result, &r->j, err);
    if (!rc)
        rc = mc_assess_evidence_json(rq->evidence, rq->nevidence, &r->evidence, err);
    if (rc)
        return rc;
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    rc = mc_json_stringify(r->evidence, 0, &b, err);
    r->evidence_text = rc ? NULL : mc_buf_take(&b, NULL);
    mc_buf_release(&b);
    if (!rc && !r->evidence_text)
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    if (!rc && (size_t)snprintf(r->key, sizeof(r->key), IDEM_PREFIX "%s:%lld", r->a.uri,
                                (long long)r->l.id) >= sizeof(r->key))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "achievement: its id is too long");
    return rc;
}

/* One revocation BitstringStatusListEntry, as an object: the 1EdTech OB 3.0
 * and CLR 2.0 JSON Schemas allow exactly one credentialStatus object, so an
 * award stays schema-valid inside a CLR. (No suspension entry: an award is
 * revoked, not suspended.) */
static mcred_rc add_status(const struct mc_issuing *is, cJSON *cred, int64_t *list,
                           int64_t *idx, struct mc_err *err)
{
    cJSON *e = NULL;
    char url[1024];
    mcred_rc rc;

    rc = mc_issue_alloc_status(is, MC_STATUS_PURPOSE_REVOCATION, list, idx, url, sizeof(url),
                               err);
    if (!rc)
        rc = mc_status_entry(url, MC_STATUS_PURPOSE_REVOCATION, (size_t)*idx, 1, NULL, &e, err);
    if (!rc && !cJSON_AddItemToObject(cred, "credentialStatus", e)) {
        cJSON_Delete(e);
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    return rc;
}

/* Build, sign and store the award (inside the caller's transaction). On
 * CONFLICT another process awarded it meanwhile. */
static mcred_rc award(struct rec *r, struct mc_assess_outcome *out, struct mc_err *err)
{
    const struct mc_issuing *is = r->is;
    struct mc_ob_issue in;
    struct mc_di_sign_opts so;
    struct mc_di_env env = { NULL, is->contexts, is->cache, r->now };
    struct mc_credential c;
    struct mc_buf doc;
    cJSON *cred = NULL, *result = NULL, *results, *subj;
    char uuid[46], id[256];
    const char *recipient = r->l.did ? r->l.did : r->l.email;
    int64_t list = 0, idx = 0;
    mcred_rc rc;

    if (!recipient)
        return mc_err_set(err, MCRED_ERR_INVALID, "learner %lld has neither a DID nor an e-mail",
                          (long long)r->l.id);
    mc_uuid7_urn(uuid);
    if ((size_t)snprintf(id, sizeof(id), "%s/credentials/%s", is->public_url, uuid + 9) >=
        sizeof(id))
        return mc_err_set(err, MCRED_ERR_INVALID, "the public URL is too long for an id");
    memset(&in, 0, sizeof(in));
    in.issuer_id = is->issuer->did;
    in.issuer_name = is->issuer->name;
    in.issuer_url = is->issuer->url;
    in.achievement = r->ach;
    in.recipient = recipient;
    in.hash_email = true;
    in.recipient_name = r->l.name;
    in.id = id;
    in.valid_from = r->now;
    rc = mc_ob_credential_new(&in, &cred, err);
    subj = rc ? NULL : mc_json_get(cred, "credentialSubject");
    if (!rc)
        rc = mc_rd_result_json(r->rd, &r->j, &result, err);
    if (!rc) {
        results = cJSON_AddArrayToObject(subj, "result");
        if (!results || !cJSON_AddItemToArray(results, result)) {
            cJSON_Delete(result);
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        }
    }
    if (!rc && cJSON_GetArraySize(r->evidence) > 0) {
        cJSON *ev = cJSON_Duplicate(r->evidence, true);

        if (!ev || !cJSON_AddItemToObject(cred, "evidence", ev)) {
            cJSON_Delete(ev);
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        }
    }
    if (!rc)
        rc = add_status(is, cred, &list, &idx, err);
    if (!rc) {
        struct mc_err serr;

        memset(&so, 0, sizeof(so));
        so.cryptosuite = is->suite;
        so.verification_method = is->vm_id;
        mc_err_clear(&serr);
        rc = mc_di_sign(cred, is->key, &so, &env, NULL, &serr);
        if (rc)
            rc = mc_err_set(err, rc, "the credential cannot be signed: %s", mc_err_msg(&serr));
    }
    mc_buf_init(&doc, MC_STORE_MAX_DOC);
    if (!rc)
        rc = mc_json_stringify(cred, 0, &doc, err);
    cJSON_Delete(cred);
    if (!rc) {
        memset(&c, 0, sizeof(c));
        c.id = id;
        c.org_id = is->org;
        c.issuer_id = is->issuer->id;
        c.achievement_id = r->a.id;
        c.learner_id = r->l.id;
        c.idem_key = r->key;
        c.recipient = (char *)(uintptr_t)recipient;
        c.state = MC_CRED_ACTIVE;
        c.status_list_rev = list;
        c.status_index_rev = idx;
        c.issued = r->now;
        c.doc = doc.ptr;
        rc = mc_store_cred_put(is->st, &c, NULL, err);
    }
    if (!rc) {
        mc_strlcpy(out->credential_id, id, sizeof(out->credential_id));
        out->doc = mc_buf_take(&doc, NULL);
        if (!out->doc)
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    mc_buf_release(&doc);
    return rc;
}

/* The earlier award of this (achievement, learner), when there is one. */
static mcred_rc earlier(struct rec *r, struct mc_assess_outcome *out, bool *found,
                        struct mc_err *err)
{
    struct mc_credential c;
    struct mc_err lerr;
    mcred_rc rc;

    *found = false;
    memset(&c, 0, sizeof(c));
    mc_err_clear(&lerr);
    rc = mc_store_cred_find_idem(r->is->st, r->is->org, r->key, &c, &lerr);
    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    if (rc)
        return mc_err_set(err, rc, "%s", mc_err_msg(&lerr));
    mc_strlcpy(out->credential_id, c.id, sizeof(out->credential_id));
    out->doc = c.doc;
    c.doc = NULL;
    out->already = true;
    *found = true;
    mc_credential_release(&c);
    return MCRED_OK;
}

static mcred_rc store_attempt(struct rec *r, struct mc_assess_outcome *out, struct mc_err *err)
{
    const struct mc_issuing *is = r->is;
    struct mc_assessment at;
    struct mc_audit au;
    char detail[MC_STORE_MAX_TEXT];
    const char *who = r->rq->assessor ? r->rq->assessor : (is->actor ? is->actor : "system");
    mcred_rc rc;

    memset(&at, 0, sizeof(at));
    at.org_id = is->org;
    at.learner_id = r->l.id;
    at.achievement_id = r->a.id;
    at.achievement_uri = r->a.uri;
    at.rd_id = (char *)(uintptr_t)r->rd->id;
    at.kind = (char *)(uintptr_t)mc_rd_kind_name(r->rd->kind);
    at.value = r->j.value;
    at.assessor = (char *)(uintptr_t)who;
    at.evidence = r->evidence_text;
    at.met = r->j.met;
    at.missing = r->j.met ? NULL : r->j.missing;
    at.cred_id = r->j.met ? out->credential_id : NULL;
    at.at = r->now;
    rc = mc_store_assess_put(is->st, &at, err);
    if (rc)
        return rc;
    out->attempt = at.id;
    snprintf(detail, sizeof(detail), "learner %lld, %s %s: %s", (long long)r->l.id,
             at.kind, at.value, r->j.met ? (out->already ? "met, awarded before" : "awarded")
                                          : r->j.missing);
    memset(&au, 0, sizeof(au));
    au.org_id = is->org;
    au.at = r->now;
    au.actor = (char *)(uintptr_t)(is->actor ? is->actor : who);
    au.action = "assess";
    au.subject = r->a.uri;
    au.detail = detail;
    return mc_store_audit_add(is->st, &au, err);
}

mcred_rc mc_assess_record(const struct mc_issuing *is, const struct mc_assess_req *rq,
                          struct mc_assess_outcome *out, struct mc_err *err)
{
    struct rec r;
    bool found = false;
    int tries;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    r.is = is;
    r.rq = rq;
    r.now = clock_of(is);
    rc = prepare(&r, err);
    out->learner = r.l.id;
    out->met = r.j.met;
    if (!rc && !r.j.met)
        mc_strlcpy(out->missing, r.j.missing, sizeof(out->missing));
    /* a concurrent award of the same pair makes our insert CONFLICT: the
     * second try finds theirs */
    for (tries = 0; !rc && tries < 2; tries++) {
        rc = mc_store_begin(is->st, err);
        if (rc)
            break;
        if (r.j.met)
            rc = earlier(&r, out, &found, err);
        if (!rc && r.j.met && !found)
            rc = award(&r, out, err);
        if (!rc)
            rc = store_attempt(&r, out, err);
        if (!rc)
            rc = mc_store_commit(is->st, err);
        if (!rc)
            break;
        (void)mc_store_rollback(is->st);
        mc_free(out->doc);
        out->doc = NULL;
        out->already = false;
        out->credential_id[0] = '\0';
        if (rc == MCRED_ERR_CONFLICT && tries == 0) {
            mc_err_clear(err);
            rc = MCRED_OK;
            continue;
        }
        break;
    }
    if (!rc && out->met && !out->already) {
        /* stacks with this achievement as a component look at this learner
         * again; a failure leaves the award standing (the sweep catches up) */
        struct mc_stacks_ctx sc;

        memset(&sc, 0, sizeof(sc));
        sc.st = is->st;
        sc.org = is->org;
        sc.is = is;
        sc.now = is->now;
        if (mc_stacks_on_event(&sc, r.l.id, r.a.uri, NULL) != MCRED_OK) {
            /* nothing to undo */
        }
    }
    rec_release(&r);
    if (rc) {
        mc_assess_outcome_release(out);
        return rc;
    }
    return MCRED_OK;
}

/* ---- rendering ------------------------------------------------------------------------------ */

mcred_rc mc_assess_attempt_json(const struct mc_assessment *a, cJSON **out, struct mc_err *err)
{
    cJSON *o = cJSON_CreateObject(), *ev = NULL;
    char at[32];
    bool ok;

    *out = NULL;
    mc_time_format(a->at, at);
    ok = o && cJSON_AddNumberToObject(o, "id", (double)a->id) &&
         cJSON_AddNumberToObject(o, "learner", (double)a->learner_id) &&
         add_s(o, "achievement", a->achievement_uri) &&
         add_s(o, "resultDescription", a->rd_id) && add_s(o, "kind", a->kind) &&
         add_s(o, "value", a->value) && cJSON_AddBoolToObject(o, "met", a->met) &&
         (a->missing ? add_s(o, "missing", a->missing)
                     : cJSON_AddNullToObject(o, "missing") != NULL) &&
         (a->cred_id ? add_s(o, "credential", a->cred_id)
                     : cJSON_AddNullToObject(o, "credential") != NULL) &&
         add_s(o, "assessor", a->assessor) && add_s(o, "at", at);
    if (ok && (!a->evidence ||
               mc_json_parse(a->evidence, strlen(a->evidence), MC_STORE_MAX_DOC, &ev, NULL))) {
        ev = cJSON_CreateArray();   /* a stored array that does not parse is not made up */
    }
    ok = ok && ev && cJSON_AddItemToObject(o, "evidence", ev);
    if (!ok) {
        if (!o || !cJSON_GetObjectItemCaseSensitive(o, "evidence"))
            cJSON_Delete(ev);
        cJSON_Delete(o);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return MCRED_OK;
}
