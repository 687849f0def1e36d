/* test_assess.c - assessments (lib/service/assess.h) and the CLR 2.0 export
 * (lib/service/clr.h): ResultDescription parsing (rubric, score, pass/fail,
 * malformed ones with the path they name, and the repository's OB vector
 * achievement), judging, evidence, and recording against a SQLite store: a
 * result below the required level awards nothing, at and above it awards a
 * credential that verifies and carries the Result and the Evidence, a second
 * award is the first one. The CLR export signs with the CLR 2.0 context from
 * ../shared/data/contexts and verifies.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "service/assess.h"
#include "service/clr.h"
#include "service/issue.h"
#include "service/verify.h"
#include "store/store.h"
#include "util/json.h"

#define RUBRIC_ACH                                                                            \
    "{\"id\": \"https://example.edu/achievements/rubric\", \"type\": [\"Achievement\"],"      \
    " \"name\": \"Technical writing\", \"description\": \"Writes clear documentation\","      \
    " \"criteria\": {\"narrative\": \"Assessed against the rubric\"},"                         \
    " \"resultDescription\": [{\"id\": \"https://example.edu/rd/writing\","                   \
    " \"type\": [\"ResultDescription\"], \"name\": \"Writing rubric\","                        \
    " \"resultType\": \"RubricCriterionLevel\","                                               \
    " \"requiredLevel\": \"https://example.edu/rd/writing/proficient\","                      \
    " \"rubricCriterionLevel\": ["                                                             \
    " {\"id\": \"https://example.edu/rd/writing/beginning\","                                     \
    " \"type\": [\"RubricCriterionLevel\"],"                                                   \
    " \"name\": \"Beginning\"},"                                                               \
    " {\"id\": \"https://example.edu/rd/writing/developing\","                                     \
    " \"type\": [\"RubricCriterionLevel\"],"                                                   \
    " \"name\": \"Developing\"},"                                                              \
    " {\"id\": \"https://example.edu/rd/writing/proficient\","                                     \
    " \"type\": [\"RubricCriterionLevel\"],"                                                   \
    " \"name\": \"Proficient\"},"                                                              \
    " {\"id\": \"https://example.edu/rd/writing/exemplary\","                                     \
    " \"type\": [\"RubricCriterionLevel\"],"                                                   \
    " \"name\": \"Exemplary\"}]}]}"

#define SCORE_RD(extra)                                                                       \
    "{\"id\": \"https://example.edu/a/s\", \"type\": [\"Achievement\"], \"name\": \"S\","     \
    " \"description\": \"D\", \"criteria\": {\"narrative\": \"C\"},"                           \
    " \"resultDescription\": [{\"id\": \"https://example.edu/rd/s\","                         \
    " \"type\": [\"ResultDescription\"], \"name\": \"Final score\"" extra "}]}"

#define SCORE_ACH SCORE_RD(", \"resultType\": \"Percent\", \"valueMin\": \"0\"," \
                           " \"valueMax\": \"100\", \"requiredValue\": \"70\"")
#define STATUS_ACH SCORE_RD(", \"resultType\": \"Status\"")
#define PLAIN_ACH                                                                             \
    "{\"id\": \"https://example.edu/a/plain\", \"type\": [\"Achievement\"], \"name\": \"P\"," \
    " \"description\": \"D\", \"criteria\": {\"narrative\": \"attended\"}}"

static const char *shared;

/* ---- parsing ------------------------------------------------------------------------------- */

struct parse_case {
    const char *what, *json;
    mcred_rc rc;
    const char *msg;            /* a part of the error message (the path), or the kind */
};

static void test_parse(void)
{
    static const struct parse_case cases[] = {
        { "rubric", RUBRIC_ACH, MCRED_OK, "rubric" },
        { "score", SCORE_ACH, MCRED_OK, "score" },
        { "status", STATUS_ACH, MCRED_OK, "status" },
        { "no resultDescription", PLAIN_ACH, MCRED_ERR_INVALID, "cannot be assessed" },
        { "empty resultDescription",
          "{\"id\": \"https://e.x/a\", \"resultDescription\": []}", MCRED_ERR_INVALID,
          "cannot be assessed" },
        { "resultDescription not an array",
          "{\"id\": \"https://e.x/a\", \"resultDescription\": {}}", MCRED_ERR_INVALID,
          "achievement.resultDescription: expected an array" },
        { "entry not an object",
          "{\"resultDescription\": [1]}", MCRED_ERR_INVALID,
          "achievement.resultDescription[0]: expected a ResultDescription object" },
        { "no id", SCORE_RD(", \"resultType\": \"Status\"") "x", MCRED_ERR_INVALID, NULL },
        { "wrong type",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": [\"Result\"],"
          " \"name\": \"n\", \"resultType\": \"Status\"}]}", MCRED_ERR_INVALID,
          "achievement.resultDescription[0].type: must name ResultDescription" },
        { "no resultType",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\"}]}", MCRED_ERR_INVALID,
          "achievement.resultDescription[0].resultType: expected a string" },
        { "requiredLevel not a level",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\", \"resultType\": \"RubricCriterionLevel\","
          " \"requiredLevel\": \"https://e.x/l/9\", \"rubricCriterionLevel\": [{\"id\": "
          "\"https://e.x/l/1\", \"name\": \"One\"}]}]}", MCRED_ERR_INVALID,
          "achievement.resultDescription[0].requiredLevel: 'https://e.x/l/9' is not the id" },
        { "no requiredLevel",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\", \"resultType\": \"RubricCriterionLevel\","
          " \"rubricCriterionLevel\": [{\"id\": \"https://e.x/l/1\", \"name\": \"One\"}]}]}",
          MCRED_ERR_INVALID, "achievement.resultDescription[0].requiredLevel: missing" },
        { "empty levels",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\", \"resultType\": \"RubricCriterionLevel\","
          " \"requiredLevel\": \"https://e.x/l/1\", \"rubricCriterionLevel\": []}]}",
          MCRED_ERR_INVALID, "achievement.resultDescription[0].rubricCriterionLevel: expected" },
        { "level without id",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\", \"resultType\": \"RubricCriterionLevel\","
          " \"requiredLevel\": \"https://e.x/l/1\", \"rubricCriterionLevel\": [{\"name\": "
          "\"One\"}]}]}",
          MCRED_ERR_INVALID, "achievement.resultDescription[0].rubricCriterionLevel[0].id" },
        { "duplicate level",
          "{\"resultDescription\": [{\"id\": \"https://e.x/r\", \"type\": "
          "[\"ResultDescription\"], \"name\": \"n\", \"resultType\": \"RubricCriterionLevel\","
          " \"requiredLevel\": \"https://e.x/l/1\", \"rubricCriterionLevel\": [{\"id\": "
          "\"https://e.x/l/1\", \"name\": \"One\"}, {\"id\": \"https://e.x/l/1\", \"name\": "
          "\"Two\"}]}]}",
          MCRED_ERR_INVALID, "rubricCriterionLevel[1].id: 'https://e.x/l/1' is also level 0" },
        { "score without requiredValue",
          SCORE_RD(", \"resultType\": \"Percent\", \"valueMin\": \"0\", \"valueMax\": \"100\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].requiredValue: missing" },
        { "score min above max",
          SCORE_RD(", \"resultType\": \"RawScore\", \"valueMin\": \"10\", \"valueMax\": \"5\","
                   " \"requiredValue\": \"7\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].valueMax: 5 is not above" },
        { "score required outside",
          SCORE_RD(", \"resultType\": \"RawScore\", \"valueMin\": \"0\", \"valueMax\": \"5\","
                   " \"requiredValue\": \"7\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].requiredValue: 7 is outside" },
        { "score value a number",
          SCORE_RD(", \"resultType\": \"RawScore\", \"valueMin\": 0, \"valueMax\": \"5\","
                   " \"requiredValue\": \"3\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].valueMin: expected a string" },
        { "score value not numeric",
          SCORE_RD(", \"resultType\": \"RawScore\", \"valueMin\": \"zero\", \"valueMax\": \"5\","
                   " \"requiredValue\": \"3\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].valueMin: 'zero' is not a" },
        { "letter grade",
          SCORE_RD(", \"resultType\": \"LetterGrade\""),
          MCRED_ERR_INVALID, "achievement.resultDescription[0].resultType: 'LetterGrade' cannot" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct parse_case *c = &cases[i];
        struct mc_rds rds;
        struct mc_err err;
        cJSON *a = NULL;
        mcred_rc rc;

        mc_err_clear(&err);
        if (mc_json_parse(c->json, strlen(c->json), 0, &a, &err) != MCRED_OK) {
            /* "no id" is deliberately not JSON: the parser names where */
            CHECK(strcmp(c->what, "no id") == 0, "%s: does not parse: %s", c->what, err.msg);
            continue;
        }
        rc = mc_rd_parse(a, &rds, &err);
        CHECK(rc == c->rc, "%s: rc %d, want %d (%s)", c->what, rc, c->rc, err.msg);
        if (rc == MCRED_OK && c->msg)
            CHECK_STR_EQ(mc_rd_kind_name(rds.rd[0].kind), c->msg, c->what);
        else if (c->msg)
            CHECK(strstr(err.msg, c->msg) != NULL, "%s: message '%s' lacks '%s'", c->what,
                  err.msg, c->msg);
        CHECK(rc != MCRED_OK || rds.n == 1, "%s: %zu entries", c->what, rds.n);
        cJSON_Delete(a);
    }
}

/* The repository's OB 3.0 vector achievement: its score range has no
 * requiredValue, so it cannot be assessed, and the error says where. */
static void test_vector_achievement(void)
{
    const char *src = getenv("MCRED_SOURCE_DIR");
    char path[4200];
    size_t n = 0;
    char *p;
    struct mc_rds rds;
    struct mc_err err;
    cJSON *a = NULL;

    snprintf(path, sizeof(path), "%s/tests/vectors/ob/achievement.json", src ? src : ".");
    p = check_read_file(path, &n);
    CHECK(p != NULL, "%s is readable (MCRED_SOURCE_DIR)", path);
    if (!p)
        return;
    mc_err_clear(&err);
    CHECK_RC(mc_json_parse(p, n, 0, &a, &err), MCRED_OK, "vector parses");
    CHECK_RC(mc_rd_parse(a, &rds, &err), MCRED_ERR_INVALID, "vector without requiredValue");
    CHECK(strstr(err.msg, "achievement.resultDescription[0].requiredValue: missing") != NULL,
          "vector message: %s", err.msg);
    cJSON_Delete(a);
    free(p);
}

/* ---- judging -------------------------------------------------------------------------------- */

static void judge(const char *ach, const struct mc_assess_result *r, mcred_rc want_rc,
                  int want_met, const char *want, const char *what)
{
    struct mc_rds rds;
    struct mc_assess_judgement j;
    struct mc_err err;
    cJSON *a = NULL;
    mcred_rc rc;

    mc_err_clear(&err);
    if (mc_json_parse(ach, strlen(ach), 0, &a, NULL) || mc_rd_parse(a, &rds, NULL)) {
        CHECK(0, "%s: achievement", what);
        cJSON_Delete(a);
        return;
    }
    rc = mc_rd_judge(&rds.rd[0], r, &j, &err);
    CHECK(rc == want_rc, "%s: rc %d, want %d (%s)", what, rc, want_rc, err.msg);
    if (!rc) {
        CHECK(j.met == (want_met == 1), "%s: met %d", what, j.met);
        if (want)
            CHECK(strstr(j.met ? j.value : j.missing, want) != NULL, "%s: '%s' lacks '%s'", what,
                  j.met ? j.value : j.missing, want);
    } else if (want) {
        CHECK(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", what, err.msg, want);
    }
    cJSON_Delete(a);
}

static void test_judge(void)
{
    struct mc_assess_result r;

    memset(&r, 0, sizeof(r));
    r.kind = MC_RD_RUBRIC;
    r.level = "Developing";
    judge(RUBRIC_ACH, &r, MCRED_OK, 0, "level 'Developing' is below the required 'Proficient'",
          "below");
    r.level = "proficient";
    judge(RUBRIC_ACH, &r, MCRED_OK, 1, "https://example.edu/rd/writing/proficient", "at (name)");
    r.level = "https://example.edu/rd/writing/exemplary";
    judge(RUBRIC_ACH, &r, MCRED_OK, 1, "exemplary", "above (id)");
    r.level = "Expert";
    judge(RUBRIC_ACH, &r, MCRED_ERR_INVALID, 0, "'Expert' is not one of the levels", "unknown");
    r.kind = MC_RD_SCORE;
    r.score = 69.5;
    judge(RUBRIC_ACH, &r, MCRED_ERR_INVALID, 0, "assessed by rubric (a level)", "kind mismatch");
    judge(SCORE_ACH, &r, MCRED_OK, 0, "score 69.5 is below the passing score 70", "score below");
    r.score = 70;
    judge(SCORE_ACH, &r, MCRED_OK, 1, "70", "score at");
    r.score = 100;
    judge(SCORE_ACH, &r, MCRED_OK, 1, "100", "score top");
    r.score = 101;
    judge(SCORE_ACH, &r, MCRED_ERR_INVALID, 0, "outside the range 0 to 100", "score above max");
    r.score = -1;
    judge(SCORE_ACH, &r, MCRED_ERR_INVALID, 0, "outside", "score below min");
    r.kind = MC_RD_STATUS;
    r.pass = false;
    judge(STATUS_ACH, &r, MCRED_OK, 0, "a pass is required", "fail");
    r.pass = true;
    judge(STATUS_ACH, &r, MCRED_OK, 1, "pass", "pass");
}

static void test_evidence(void)
{
    struct mc_assess_evidence ev[2];
    struct mc_err err;
    cJSON *out = NULL;

    memset(ev, 0, sizeof(ev));
    ev[0].url = "https://example.edu/portfolio/1";
    ev[0].narrative = "Wrote the user guide";
    ev[1].file_sha256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    ev[1].name = "guide.pdf";
    mc_err_clear(&err);
    CHECK_RC(mc_assess_evidence_json(ev, 2, &out, &err), MCRED_OK, "evidence");
    CHECK_STR_EQ(mc_json_str(cJSON_GetArrayItem(out, 0), "id"), ev[0].url, "evidence url");
    /* RFC 6920 ni URI of SHA-256("") */
    CHECK_STR_EQ(mc_json_str(cJSON_GetArrayItem(out, 1), "id"),
                 "ni:///sha-256;47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", "ni uri");
    CHECK(strstr(mc_json_str(cJSON_GetArrayItem(out, 1), "description"),
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") != NULL,
          "digest in description");
    cJSON_Delete(out);
    memset(ev, 0, sizeof(ev));
    CHECK_RC(mc_assess_evidence_json(ev, 1, &out, &err), MCRED_ERR_INVALID, "empty evidence");
    CHECK(strstr(err.msg, "evidence[0]") != NULL, "empty: %s", err.msg);
    ev[0].url = "not a uri";
    CHECK_RC(mc_assess_evidence_json(ev, 1, &out, &err), MCRED_ERR_INVALID, "relative url");
    CHECK(strstr(err.msg, "evidence[0].url") != NULL, "url: %s", err.msg);
    ev[0].url = NULL;
    ev[0].file_sha256 = "abc";
    CHECK_RC(mc_assess_evidence_json(ev, 1, &out, &err), MCRED_ERR_INVALID, "short digest");
    CHECK(out == NULL, "no output on failure");
}

/* ---- recording against a store ---------------------------------------------------------- */

struct env {
    struct mc_store *st;
    struct mc_ctxstore *ctx;
    struct mc_jsonld_cache *cache;
    struct mc_key key;
    struct mc_buf did, vm;
    struct mc_issuer issuer;
    struct mc_issuing is;
    int64_t org, ach_rubric, ach_score, ach_plain, learner;
    char dir[64], dsn[512];
};

static int64_t put_achievement(struct env *e, const char *uri, const char *json)
{
    struct mc_achievement a;

    memset(&a, 0, sizeof(a));
    a.org_id = e->org;
    a.uri = (char *)(uintptr_t)uri;
    a.json = (char *)(uintptr_t)json;
    if (mc_store_achievement_put(e->st, &a, NULL))
        return 0;
    return a.id;
}

/* A store (pg_dsn, else a SQLite file in a new directory) with an
 * organisation of a unique name, its issuer, three achievements, a learner
 * and an assessor. */
static bool env_open(struct env *e, const char *contexts_dir, const char *pg_dsn)
{
    static const uint8_t seed[32] = { 6, 6, 6 };
    struct mc_learner l;
    struct mc_err err;
    char org[96];
    int64_t uid = 0;

    memset(e, 0, sizeof(*e));
    mc_err_clear(&err);
    mc_buf_init(&e->did, 0);
    mc_buf_init(&e->vm, 0);
    if (pg_dsn) {
        mc_strlcpy(e->dsn, pg_dsn, sizeof(e->dsn));
    } else {
        snprintf(e->dir, sizeof(e->dir), "/tmp/mcred-assess-XXXXXX");
        if (!mkdtemp(e->dir)) {
            e->dir[0] = '\0';
            return false;
        }
        snprintf(e->dsn, sizeof(e->dsn), "sqlite:%s/t.db", e->dir);
    }
    snprintf(org, sizeof(org), "assess-test-%lld-%d", (long long)time(NULL), (int)getpid());
    if (mc_store_open(&e->st, e->dsn, &err) || mc_key_generate(&e->key, seed) ||
        mc_key_did(&e->key, &e->did) || mc_key_vm_id(&e->key, &e->vm) ||
        mc_ctxstore_new(&e->ctx, contexts_dir, &err) || mc_jsonld_cache_new(&e->cache) ||
        mc_store_org_create(e->st, org, &e->org, &err)) {
        printf("setup: %s\n", err.msg);
        return false;
    }
    e->issuer.org_id = e->org;
    e->issuer.name = "Example University";
    e->issuer.did = e->did.ptr;
    if (mc_store_issuer_put(e->st, &e->issuer, &err))
        return false;
    e->ach_rubric = put_achievement(e, "https://example.edu/achievements/rubric", RUBRIC_ACH);
    e->ach_score = put_achievement(e, "https://example.edu/a/s", SCORE_ACH);
    e->ach_plain = put_achievement(e, "https://example.edu/a/plain", PLAIN_ACH);
    memset(&l, 0, sizeof(l));
    l.org_id = e->org;
    l.name = "Ada Learner";
    l.email = "ada@example.org";
    if (mc_store_learner_put(e->st, &l, &err) ||
        mc_store_user_add(e->st, e->org, "grader@example.edu", MC_ROLE_ASSESSOR, &uid, &err) ||
        mc_store_user_add(e->st, e->org, "ada@example.org", MC_ROLE_LEARNER, &uid, &err))
        return false;
    e->learner = l.id;
    memset(&e->is, 0, sizeof(e->is));
    e->is.st = e->st;
    e->is.org = e->org;
    e->is.issuer = &e->issuer;
    e->is.key = &e->key;
    e->is.vm_id = e->vm.ptr;
    e->is.public_url = "https://badges.example.edu";
    e->is.contexts = e->ctx;
    e->is.cache = e->cache;
    e->is.actor = "test";
    return e->ach_rubric && e->ach_score && e->ach_plain;
}

static void env_close(struct env *e)
{
    char cmd[128];

    mc_store_close(e->st);
    mc_jsonld_cache_free(e->cache);
    mc_ctxstore_free(e->ctx);
    mc_key_clear(&e->key);
    mc_buf_release(&e->did);
    mc_buf_release(&e->vm);
    if (!e->dir[0])
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", e->dir);
}

static int verify_doc(struct env *e, const char *doc, struct mc_verdict *v)
{
    struct mc_verify_opts vo;
    struct mc_issue_source src;

    memset(&vo, 0, sizeof(vo));
    mc_issue_status_source(&src, e->st, e->org);
    vo.now = time(NULL);
    vo.contexts = e->ctx;
    vo.cache = e->cache;
    vo.status = &src.src;
    if (mc_verify_bytes(doc, strlen(doc), &vo, v, NULL) != MCRED_OK)
        return -1;
    return mc_verdict_exit_code(v);
}

static int64_t count_creds(struct env *e)
{
    int64_t n = -1;

    if (mc_store_cred_count(e->st, e->org, &n, NULL))
        return -1;
    return n;
}

static size_t count_attempts(struct env *e)
{
    struct mc_store_list l;
    size_t n;

    if (mc_store_assess_list(e->st, e->org, e->learner, &l, NULL))
        return (size_t)-1;
    n = l.n;
    mc_store_list_clear(&l);
    return n;
}

static void test_record(struct env *e)
{
    struct mc_assess_evidence ev[2];
    struct mc_assess_req rq;
    struct mc_assess_outcome out, again;
    struct mc_verdict v;
    struct mc_err err;
    const cJSON *res, *subj, *evj;
    cJSON *doc = NULL;
    char first[256];

    memset(&rq, 0, sizeof(rq));
    memset(ev, 0, sizeof(ev));
    ev[0].url = "https://example.edu/portfolio/ada/guide";
    ev[0].narrative = "Wrote and revised the installation guide";
    ev[1].file_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    rq.achievement = "https://example.edu/achievements/rubric";
    rq.learner = "ada@example.org";
    rq.result.kind = MC_RD_RUBRIC;
    rq.result.level = "Developing";
    rq.evidence = ev;
    rq.nevidence = 2;
    rq.assessor = "grader@example.edu";
    mc_err_clear(&err);

    /* below the required level: kept, nothing issued */
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_OK, "record below");
    CHECK(!out.met && out.doc == NULL && out.credential_id[0] == '\0', "below: not awarded");
    CHECK(strstr(out.missing, "level 'Developing' is below the required 'Proficient'") != NULL,
          "below: missing '%s'", out.missing);
    CHECK(out.attempt > 0, "below: attempt stored");
    CHECK(count_creds(e) == 0, "below: no credential (%lld)", (long long)count_creds(e));
    CHECK(count_attempts(e) == 1, "below: one attempt");
    mc_assess_outcome_release(&out);

    /* at the required level: awarded, the Result is inside the signed credential */
    rq.result.level = "Proficient";
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_OK, "record at");
    CHECK(out.met && !out.already && out.doc != NULL, "at: awarded (%s)", err.msg);
    CHECK(count_creds(e) == 1, "at: one credential");
    CHECK(count_attempts(e) == 2, "at: two attempts");
    mc_strlcpy(first, out.credential_id, sizeof(first));
    if (out.doc) {
        CHECK(verify_doc(e, out.doc, &v) == 0, "at: verifies (%s)", mc_verdict_name(v.kind));
        CHECK(mc_json_parse(out.doc, strlen(out.doc), 0, &doc, NULL) == MCRED_OK, "at: json");
        subj = mc_json_get(doc, "credentialSubject");
        res = cJSON_GetArrayItem(mc_json_get(subj, "result"), 0);
        CHECK(mc_json_has_str(mc_json_get(res, "type"), "Result"), "result type");
        CHECK_STR_EQ(mc_json_str(res, "resultDescription"), "https://example.edu/rd/writing",
                     "result resultDescription");
        CHECK_STR_EQ(mc_json_str(res, "achievedLevel"),
                     "https://example.edu/rd/writing/proficient", "achievedLevel");
        CHECK_STR_EQ(mc_json_str(res, "status"), "Completed", "result status");
        evj = mc_json_get(doc, "evidence");
        CHECK(cJSON_GetArraySize(evj) == 2, "two Evidence objects");
        CHECK_STR_EQ(mc_json_str(cJSON_GetArrayItem(evj, 0), "narrative"), ev[0].narrative,
                     "evidence narrative");
        CHECK_STR_EQ(mc_json_str(cJSON_GetArrayItem(evj, 1), "id"),
                     "ni:///sha-256;47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                     "evidence file digest");
        cJSON_Delete(doc);
        doc = NULL;
    }
    /* a tampered Result does not verify: it is covered by the proof */
    if (out.doc) {
        char *t = mc_strdup(out.doc), *at = t ? strstr(t, "writing/proficient") : NULL;

        if (at) {
            memcpy(at, "writing/exemplary", 17);
            memmove(at + 17, at + 18, strlen(at + 18) + 1);
            CHECK(verify_doc(e, t, &v) != 0, "tampered result does not verify");
        }
        mc_free(t);
    }

    /* above, again: the same award, nothing new signed */
    rq.result.level = "Exemplary";
    CHECK_RC(mc_assess_record(&e->is, &rq, &again, &err), MCRED_OK, "record above");
    CHECK(again.met && again.already, "above: already awarded");
    CHECK_STR_EQ(again.credential_id, first, "above: the first award");
    CHECK(count_creds(e) == 1, "above: still one credential");
    CHECK(count_attempts(e) == 3, "above: three attempts");
    mc_assess_outcome_release(&again);
    mc_assess_outcome_release(&out);

    /* a score: at the passing score */
    memset(&rq, 0, sizeof(rq));
    rq.achievement = "https://example.edu/a/s";
    rq.learner = "ada@example.org";
    rq.result.kind = MC_RD_SCORE;
    rq.result.score = 70;
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_OK, "record score");
    CHECK(out.met && out.doc, "score 70 of 70 awarded");
    if (out.doc && mc_json_parse(out.doc, strlen(out.doc), 0, &doc, NULL) == MCRED_OK) {
        res = cJSON_GetArrayItem(mc_json_get(mc_json_get(doc, "credentialSubject"), "result"), 0);
        CHECK_STR_EQ(mc_json_str(res, "value"), "70", "score value");
        CHECK(verify_doc(e, out.doc, &v) == 0, "score credential verifies");
        cJSON_Delete(doc);
    }
    mc_assess_outcome_release(&out);

    /* nothing is awarded without a result */
    rq.achievement = "https://example.edu/a/plain";
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_ERR_INVALID, "plain");
    CHECK(strstr(err.msg, "no resultDescription") != NULL, "plain: %s", err.msg);
    CHECK(count_attempts(e) == 4 && count_creds(e) == 2, "plain: nothing stored");
    /* the wrong kind of result, an unknown learner, a learner as assessor */
    rq.achievement = "https://example.edu/achievements/rubric";
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_ERR_INVALID, "score on rubric");
    rq.result.kind = MC_RD_RUBRIC;
    rq.result.level = "Proficient";
    rq.learner = "nobody@example.org";
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_ERR_NOTFOUND, "unknown learner");
    rq.learner = "ada@example.org";
    rq.assessor = "ada@example.org";
    CHECK_RC(mc_assess_record(&e->is, &rq, &out, &err), MCRED_ERR_INVALID, "learner assesses");
    CHECK(strstr(err.msg, "only assessors and admins assess") != NULL, "role: %s", err.msg);
    CHECK(count_attempts(e) == 4, "refused attempts are not stored");
}

/* Two assessors award the same learner at the same moment, each through
 * its own store handle (as two server threads or two processes do): one
 * credential, and both attempts name it. */
struct racer {
    struct env *e;
    struct mc_store *st;
    pthread_barrier_t *go;
    struct mc_assess_outcome out;
    mcred_rc rc;
    char msg[MC_ERRMSG_MAX];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct mc_issuing is = r->e->is;
    struct mc_assess_req rq;
    struct mc_err err;

    memset(&rq, 0, sizeof(rq));
    is.st = r->st;
    rq.achievement = "https://example.edu/a/s";
    rq.learner = "race@example.org";
    rq.result.kind = MC_RD_SCORE;
    rq.result.score = 95;
    mc_err_clear(&err);
    pthread_barrier_wait(r->go);
    r->rc = mc_assess_record(&is, &rq, &r->out, &err);
    mc_strlcpy(r->msg, err.msg, sizeof(r->msg));
    return NULL;
}

static void test_concurrent(struct env *e)
{
    struct racer rs[2];
    pthread_t t[2];
    pthread_barrier_t go;
    struct mc_learner l;
    int64_t before = count_creds(e);
    size_t i;

    memset(&l, 0, sizeof(l));
    l.org_id = e->org;
    l.name = "Racer";
    l.email = "race@example.org";
    if (mc_store_learner_put(e->st, &l, NULL) != MCRED_OK) {
        CHECK(0, "race: learner");
        return;
    }
    pthread_barrier_init(&go, NULL, 2);
    for (i = 0; i < 2; i++) {
        memset(&rs[i], 0, sizeof(rs[i]));
        rs[i].e = e;
        rs[i].go = &go;
        CHECK(mc_store_open(&rs[i].st, e->dsn, NULL) == MCRED_OK, "race: store %zu", i);
    }
    for (i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, race, &rs[i]);
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&go);
    CHECK(rs[0].rc == MCRED_OK && rs[1].rc == MCRED_OK, "race: both recorded (%s / %s)",
          rs[0].msg, rs[1].msg);
    CHECK(rs[0].out.met && rs[1].out.met && rs[0].out.already != rs[1].out.already,
          "race: one awards, the other finds the award");
    CHECK(strcmp(rs[0].out.credential_id, rs[1].out.credential_id) == 0,
          "race: both name the same credential");
    {
        struct mc_store_list cl;
        size_t k, score = 0, stack = 0;

        if (mc_store_cred_list_learner(e->st, e->org, l.id, &cl, NULL) == MCRED_OK) {
            for (k = 0; k < cl.n; k++) {
                const struct mc_credential *c = &((const struct mc_credential *)cl.rows)[k];

                score += c->achievement_id == e->ach_score;
                stack += c->achievement_id == e->ach_rubric;
            }
            mc_store_list_clear(&cl);
        }
        CHECK(score == 1, "race: exactly one award of the achievement (%zu)", score);
        /* the award completes the stack test_clr defined (the rubric achievement
         * made of the score one): the stacks service issued it, once */
        CHECK(stack == 1 && count_creds(e) == before + 2,
              "race: the award re-evaluated the stack (%zu; %lld -> %lld)", stack,
              (long long)before, (long long)count_creds(e));
    }
    for (i = 0; i < 2; i++) {
        mc_assess_outcome_release(&rs[i].out);
        mc_store_close(rs[i].st);
    }
}

static void test_clr(struct env *e)
{
    struct mc_stack_def d, d2;
    struct mc_verdict v;
    struct mc_err err;
    const char *comp[2] = { "https://example.edu/achievements/rubric", "https://example.edu/a/s" };
    const cJSON *subj, *assoc, *x;
    cJSON *doc = NULL;
    char *clr = NULL;
    bool part = false, prec = false;

    /* a stack naming both achievements (B's rows), with a prerequisite */
    memset(&d, 0, sizeof(d));
    d.org_id = e->org;
    d.achievement_uri = "https://example.edu/achievements/rubric";
    d.rule = "{\"allOf\": [{\"achievement\": \"https://example.edu/a/s\"}]}";
    mc_err_clear(&err);
    /* the rubric achievement as a stack of the score one: isPartOf */
    if (mc_store_stack_put(e->st, &d, comp + 1, 1, &err) != MCRED_OK)
        printf("note: no stack stored (%s): associations not checked\n", err.msg);
    /* a capstone the learner does not hold, with a prerequisite between two
     * held achievements: "precedes" between those, no isPartOf to it */
    memset(&d2, 0, sizeof(d2));
    d2.org_id = e->org;
    d2.achievement_uri = "https://example.edu/a/capstone";
    d2.rule = "{\"allOf\": [{\"achievement\": \"https://example.edu/a/s\"}, "
              "{\"anyOf\": [{\"achievement\": \"https://example.edu/achievements/rubric\", "
              "\"after\": \"https://example.edu/a/s\"}]}]}";
    if (d.id && mc_store_stack_put(e->st, &d2, comp, 2, &err) != MCRED_OK)
        printf("note: no second stack stored (%s)\n", err.msg);
    CHECK_RC(mc_clr_export(&e->is, "ada@example.org", &clr, &err), MCRED_OK, "clr export");
    if (!clr) {
        printf("clr: %s\n", err.msg);
        return;
    }
    CHECK(verify_doc(e, clr, &v) == 0, "clr verifies (%s)", mc_verdict_name(v.kind));
    CHECK_RC(mc_json_parse(clr, strlen(clr), 0, &doc, NULL), MCRED_OK, "clr json");
    CHECK(mc_json_has_str(mc_json_get(doc, "type"), "ClrCredential"), "ClrCredential");
    subj = mc_json_get(doc, "credentialSubject");
    CHECK_STR_EQ(mc_json_str(subj, "type"), "ClrSubject", "ClrSubject");
    CHECK(cJSON_GetArraySize(mc_json_get(subj, "verifiableCredential")) == 2, "two credentials");
    CHECK(cJSON_GetArraySize(mc_json_get(subj, "achievement")) == 2, "two achievements");
    assoc = mc_json_get(subj, "association");
    for (x = assoc ? assoc->child : NULL; x; x = x->next) {
        if (strcmp(mc_json_str(x, "associationType"), "isPartOf") == 0 &&
            strcmp(mc_json_str(x, "sourceId"), "https://example.edu/a/s") == 0 &&
            strcmp(mc_json_str(x, "targetId"), "https://example.edu/achievements/rubric") == 0)
            part = true;
        if (strcmp(mc_json_str(x, "associationType"), "precedes") == 0 &&
            strcmp(mc_json_str(x, "sourceId"), "https://example.edu/a/s") == 0 &&
            strcmp(mc_json_str(x, "targetId"), "https://example.edu/achievements/rubric") == 0)
            prec = true;
        CHECK(strcmp(mc_json_str(x, "targetId"), "https://example.edu/a/capstone") != 0,
              "no association with an achievement the CLR does not hold");
    }
    CHECK(d.id == 0 || part, "isPartOf from the stack rule");
    CHECK(d2.id == 0 || prec, "precedes from a prerequisite (\"after\")");
    CHECK(cJSON_GetArraySize(assoc) == (d.id ? 1 : 0) + (d2.id ? 1 : 0),
          "one association each (%d)", cJSON_GetArraySize(assoc));
    cJSON_Delete(doc);
    mc_free(clr);
    CHECK_RC(mc_clr_export(&e->is, "nobody@example.org", &clr, &err), MCRED_ERR_NOTFOUND,
             "clr of an unknown learner");
    /* d's strings are the test's own: not released */
}

/* Without the CLR context (embedded contexts only) export says so. */
static void test_clr_no_context(struct env *e)
{
    struct mc_ctxstore *bare = NULL;
    struct mc_issuing is = e->is;
    struct mc_err err;
    char *clr = NULL;

    if (mc_ctxstore_new(&bare, NULL, NULL) != MCRED_OK)
        return;
    is.contexts = bare;
    mc_err_clear(&err);
    CHECK_RC(mc_clr_export(&is, "ada@example.org", &clr, &err), MCRED_ERR_UNSUPPORTED,
             "no CLR context");
    CHECK(strstr(err.msg, "mcred contexts fetch") != NULL, "no context: %s", err.msg);
    mc_ctxstore_free(bare);
}

int main(void)
{
    const char *pg = getenv("MCRED_TEST_PG");
    struct env e;
    char dir[4200];

    if (sodium_init() < 0)
        return 1;
    test_parse();
    test_vector_achievement();
    test_judge();
    test_evidence();
    shared = check_shared_data();
    snprintf(dir, sizeof(dir), "%s/contexts", shared);
    if (env_open(&e, dir, NULL)) {
        test_record(&e);
        test_clr(&e);
        test_clr_no_context(&e);
        test_concurrent(&e);
    } else {
        CHECK(0, "test environment (sqlite)");
    }
    env_close(&e);
    if (pg && *pg) {
        if (env_open(&e, dir, pg)) {
            test_record(&e);
            test_clr(&e);
            test_concurrent(&e);
        } else {
            CHECK(0, "test environment (postgres)");
        }
        env_close(&e);
    } else {
        printf("postgres: MCRED_TEST_PG is not set; the PostgreSQL half did not run here\n");
    }
    return check_report();
}
