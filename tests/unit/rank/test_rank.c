/* test_rank.c - employer ranking (issue 8 point 7): the engine (lib/skills/
 * rank.h) against a plain SQL query over the same data (SQLite), ties,
 * required-minimum rules and levels; CSV escaping; and the whole verb
 * (lib/service/positions.h) over a real store with credentials made by the
 * issuing service: one revoked through the status service, one expired
 * (validUntil in the past), a self-declared skill, a suspended one, and a
 * wallet item imported as invalid, all ignored and listed as such.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "check.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jsonld.h"
#include "service/issue.h"
#include "service/positions.h"
#include "skills/rank.h"
#include "skills/skills.h"
#include "store/store.h"
#include "util/buf.h"

/* ---- the engine ------------------------------------------------------------------------ */

static struct mc_rank_need need(uint32_t item, uint32_t w, bool req, float min)
{
    struct mc_rank_need n;

    n.item = item;
    n.weight = w;
    n.required = req;
    n.min_level = min;
    return n;
}

static void test_engine(void)
{
    /* 6 candidates, 4 items */
    static const struct mc_rank_posting p[] = {
        { 0, 0, 1.0f }, { 0, 1, MC_RANK_NO_LEVEL }, { 1, 0, 3.0f }, { 1, 1, 2.0f },
        { 2, 2, 1.0f }, { 3, 0, 2.0f }, { 3, 1, 1.0f }, { 4, 3, 5.0f }, { 3, 0, 4.0f },
        { 5, 0, 1.0f }, { 5, 1, 1.0f },
    };
    struct mc_rank_index ix;
    struct mc_rank_work w;
    struct mc_rank_need n[4];
    struct mc_rank_hit h[8];
    struct mc_err err;
    size_t k = 0;

    mc_err_clear(&err);
    CHECK_RC(mc_rank_index_build(4, 6, p, sizeof(p) / sizeof(p[0]), true, &ix, &err), MCRED_OK,
             "build");
    CHECK(ix.off[1] - ix.off[0] == 4, "item 0: candidates 0, 1, 3, 5 (the duplicate merged): %u",
          ix.off[1] - ix.off[0]);
    CHECK(ix.cand[0] == 0 && ix.cand[1] == 1 && ix.cand[2] == 3 && ix.cand[3] == 5,
          "postings ascending by candidate");
    CHECK(ix.level[2] == 4.0f, "a duplicate pair keeps its highest level");
    CHECK_RC(mc_rank_work_init(&w, 6), MCRED_OK, "work");

    /* ties: 0, 1, 3, 5 all hold items 0 and 1 at weight 1: by id */
    n[0] = need(0, 1000, false, MC_RANK_NO_LEVEL);
    n[1] = need(1, 1000, false, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 2, MC_RANK_BELOW, 8, h, &k, &err), MCRED_OK, "query");
    CHECK(k == 6 && h[0].cand == 0 && h[1].cand == 1 && h[2].cand == 3 && h[3].cand == 5 &&
          h[0].score == 2000 && h[3].score == 2000, "ties broken by id ascending");
    CHECK(h[4].cand == 2 && h[5].cand == 4 && h[4].score == 0, "holding nothing: last, by id");
    CHECK(w.ntouched == 0 && w.score[0] == 0 && w.score[5] == 0, "counters reset");

    /* top-N cut and the same answer twice */
    CHECK_RC(mc_rank_query(&ix, &w, n, 2, MC_RANK_BELOW, 3, h, &k, &err), MCRED_OK, "top 3");
    CHECK(k == 3 && h[0].cand == 0 && h[1].cand == 1 && h[2].cand == 3, "top 3 by id");

    /* weights: item 3 worth 5 puts candidate 4 first */
    n[2] = need(3, 5000, false, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 3, MC_RANK_BELOW, 2, h, &k, &err), MCRED_OK, "weights");
    CHECK(k == 2 && h[0].cand == 4 && h[0].score == 5000 && h[1].cand == 0, "weighted sum");

    /* required item 2: only candidate 2 holds it; the others rank below it */
    n[2] = need(2, 100, true, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 3, MC_RANK_BELOW, 8, h, &k, &err), MCRED_OK, "required");
    CHECK(k == 6 && h[0].cand == 2 && h[0].complete && h[0].score == 100 && !h[1].complete &&
          h[1].cand == 0, "missing a required one: below every complete candidate, whatever "
          "their score");
    CHECK_RC(mc_rank_query(&ix, &w, n, 3, MC_RANK_EXCLUDE, 8, h, &k, &err), MCRED_OK,
             "exclude");
    CHECK(k == 1 && h[0].cand == 2, "exclude: only the complete candidate (%zu)", k);

    /* minimum level: item 0 at level >= 2: candidates 1 (3) and 3 (4); 0 and 5 (1) not */
    n[0] = need(0, 1000, true, 2.0f);
    CHECK_RC(mc_rank_query(&ix, &w, n, 1, MC_RANK_EXCLUDE, 8, h, &k, &err), MCRED_OK, "levels");
    CHECK(k == 2 && h[0].cand == 1 && h[1].cand == 3, "a posting below minLevel does not count");
    /* item 1 at level >= 1: candidate 0 states no level for it */
    n[0] = need(1, 1000, true, 1.0f);
    CHECK_RC(mc_rank_query(&ix, &w, n, 1, MC_RANK_EXCLUDE, 8, h, &k, &err), MCRED_OK, "levels");
    CHECK(k == 3 && h[0].cand == 1 && h[1].cand == 3 && h[2].cand == 5,
          "no stated level does not meet a minimum");

    /* bad queries */
    n[0] = need(9, 1000, false, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 1, MC_RANK_BELOW, 8, h, &k, &err), MCRED_ERR_INVALID,
             "item out of range");
    n[0] = need(1, 0, false, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 1, MC_RANK_BELOW, 8, h, &k, &err), MCRED_ERR_INVALID,
             "weight 0");
    n[0] = need(1, 1, false, MC_RANK_NO_LEVEL);
    n[1] = need(1, 1, false, MC_RANK_NO_LEVEL);
    CHECK_RC(mc_rank_query(&ix, &w, n, 2, MC_RANK_BELOW, 8, h, &k, &err), MCRED_ERR_INVALID,
             "the same item twice");
    CHECK_RC(mc_rank_query(&ix, &w, n, 1, MC_RANK_BELOW, 0, h, &k, &err), MCRED_ERR_INVALID,
             "top 0");
    {
        static const struct mc_rank_posting bad[] = { { 6, 0, 0.0f } };
        struct mc_rank_index b;

        CHECK_RC(mc_rank_index_build(4, 6, bad, 1, false, &b, &err), MCRED_ERR_INVALID,
                 "a posting out of range");
    }
    mc_rank_work_release(&w);
    mc_rank_index_release(&ix);
}

/* ---- the engine against SQL ----------------------------------------------------------------- */

static uint64_t seed = 12345;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((seed >> 33) % n);
}

static bool sql_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    bool ok = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;

    CHECK(ok, "sqlite: %s: %s", sql, msg ? msg : "");
    sqlite3_free(msg);
    return ok;
}

/* Random candidates, items, weights and required flags; the top 40 of the
 * engine equals what one SQL statement computes from the same rows. */
static void test_against_sql(void)
{
    enum { NC = 3000, NI = 200, TOPN = 40, ROUNDS = 12 };
    struct mc_rank_posting *p = mc_calloc((size_t)NC * 30, sizeof(*p));
    struct mc_rank_index ix;
    struct mc_rank_work w;
    struct mc_rank_hit h[TOPN];
    struct mc_err err;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *q = NULL;
    size_t n = 0, k, r, agree = 0;
    uint32_t c, j;

    mc_err_clear(&err);
    if (!p || sqlite3_open(":memory:", &db) != SQLITE_OK) {
        CHECK(0, "setup");
        return;
    }
    sql_exec(db, "CREATE TABLE held (cand INTEGER, item INTEGER, PRIMARY KEY (cand, item))");
    sql_exec(db, "CREATE TABLE needs (item INTEGER PRIMARY KEY, weight INTEGER, req INTEGER)");
    sql_exec(db, "BEGIN");
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO held VALUES (?, ?)", -1, &ins, NULL);
    for (c = 0; c < NC; c++) {
        uint32_t m = 1 + rnd(25);

        for (j = 0; j < m; j++) {
            p[n].cand = c;
            p[n].item = rnd(4) ? rnd(NI / 4) : rnd(NI);   /* popular items overlap more */
            p[n].level = MC_RANK_NO_LEVEL;
            sqlite3_bind_int(ins, 1, (int)p[n].cand);
            sqlite3_bind_int(ins, 2, (int)p[n].item);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            n++;
        }
    }
    sqlite3_finalize(ins);
    sql_exec(db, "COMMIT");
    CHECK_RC(mc_rank_index_build(NI, NC, p, n, false, &ix, &err), MCRED_OK, "build");
    CHECK_RC(mc_rank_work_init(&w, NC), MCRED_OK, "work");
    /* complete first, then score, then id: the documented order, in SQL */
    sqlite3_prepare_v2(db,
        "WITH s AS (SELECT h.cand, SUM(n.weight) AS score, SUM(n.req) AS req "
        "FROM held h JOIN needs n ON n.item = h.item GROUP BY h.cand) "
        "SELECT cand, score, req = (SELECT COALESCE(SUM(req), 0) FROM needs) AS complete "
        "FROM s WHERE ?1 = 0 OR req = (SELECT COALESCE(SUM(req), 0) FROM needs) "
        "ORDER BY complete DESC, score DESC, cand LIMIT ?2", -1, &q, NULL);
    for (r = 0; r < ROUNDS; r++) {
        struct mc_rank_need nd[12];
        size_t nn = 3 + rnd(10), i, got = 0, same = 0;
        enum mc_rank_policy pol = r % 3 == 2 ? MC_RANK_EXCLUDE : MC_RANK_BELOW;
        char sql[128];

        sql_exec(db, "DELETE FROM needs");
        for (i = 0; i < nn; i++) {
            uint32_t it;
            bool dup;

            do {
                it = rnd(NI / 2);
                dup = false;
                for (k = 0; k < i; k++)
                    dup = dup || nd[k].item == it;
            } while (dup);
            /* weights 1, 1.5, 2 or 3 (a few equal ones make ties); some required */
            nd[i] = need(it, (uint32_t[]){ 1000, 1500, 2000, 3000 }[rnd(4)],
                         r % 2 == 1 && i < 2, MC_RANK_NO_LEVEL);
            snprintf(sql, sizeof(sql), "INSERT INTO needs VALUES (%u, %u, %d)", nd[i].item,
                     nd[i].weight, nd[i].required ? 1 : 0);
            sql_exec(db, sql);
        }
        CHECK_RC(mc_rank_query(&ix, &w, nd, nn, pol, TOPN, h, &got, &err), MCRED_OK, "query");
        sqlite3_bind_int(q, 1, pol == MC_RANK_EXCLUDE);
        sqlite3_bind_int(q, 2, TOPN);
        for (i = 0; sqlite3_step(q) == SQLITE_ROW; i++) {
            if (i < got && h[i].cand == (uint32_t)sqlite3_column_int(q, 0) &&
                h[i].score == (uint32_t)sqlite3_column_int(q, 1) &&
                h[i].complete == (sqlite3_column_int(q, 2) != 0))
                same++;
        }
        sqlite3_reset(q);
        /* SQL lists only candidates holding something; with 3000 of them, 40 always do */
        CHECK(i == got && same == got && got > 0, "round %zu: engine and SQL agree on %zu of "
              "%zu (SQL %zu rows)", r, same, got, i);
        agree += i == got && same == got && got > 0;
    }
    CHECK(agree == ROUNDS, "every round agreed with SQL");
    sqlite3_finalize(q);
    sqlite3_close(db);
    mc_rank_work_release(&w);
    mc_rank_index_release(&ix);
    mc_free(p);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

static void test_csv(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        { "plain", "plain" },
        { "", "" },
        { "a,b", "\"a,b\"" },
        { "say \"hi\"", "\"say \"\"hi\"\"\"" },
        { "two\nlines", "\"two\nlines\"" },
        { "cr\rhere", "\"cr\rhere\"" },
        { "=1+2", "'=1+2" },
        { "+33 1", "'+33 1" },
        { "-2", "'-2" },
        { "@SUM(A1)", "'@SUM(A1)" },
        { "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
        { "\tx", "'\tx" },
        { "a=b", "a=b" },
    };
    struct mc_buf b;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mc_buf_init(&b, 1024);
        CHECK_RC(mc_csv_field(&b, cases[i].in), MCRED_OK, "csv field");
        CHECK_STR_EQ(b.ptr ? b.ptr : "", cases[i].want, cases[i].in);
        mc_buf_release(&b);
    }
    /* a whole result: hostile names and labels stay inside their cells */
    {
        static const char match[] =
            "{\"results\": [{\"rank\": 1, \"learner\": 7, \"name\": \"=HYPERLINK(\\\"x\\\")\", "
            "\"email\": \"-a@b\", \"score\": 2.5, \"complete\": true, \"requiredHeld\": 1, "
            "\"requiredTotal\": 1, \"matched\": [{\"uri\": \"https://s/x\", \"label\": "
            "\"a,\\nb\", \"credential\": \"urn:c\"}], \"missing\": [], \"ignored\": "
            "[{\"skill\": \"@s\", \"why\": \"self-declared\"}]}]}";
        static const char want[] =
            "rank,learner,name,email,score,complete,required_held,required_total,matched,"
            "missing,ignored\r\n"
            "1,7,\"'=HYPERLINK(\"\"x\"\")\",'-a@b,2.5,yes,1,1,\"a,\nb <https://s/x> "
            "(credential: urn:c)\",,'@s (why: self-declared)\r\n";
        cJSON *m = NULL;

        CHECK_RC(mc_json_parse(match, sizeof(match) - 1, 0, &m, NULL), MCRED_OK, "match json");
        mc_buf_init(&b, 1 << 16);
        CHECK_RC(mc_position_csv(m, &b), MCRED_OK, "csv of a match");
        CHECK_STR_EQ(b.ptr, want, "csv of a match: every cell escaped");
        mc_buf_release(&b);
        cJSON_Delete(m);
    }
}

/* ---- the verb over a store, with credentials from the issuing service ---------------------- */

static const char framework[] =
    "uri,label\n"
    "https://skills.example/s/sql,SQL\n"
    "https://skills.example/s/python,Python\n"
    "https://skills.example/s/stats,statistics\n"
    "https://skills.example/s/viz,data visualisation\n";

#define SK(x) "https://skills.example/s/" x
#define AL(x) "{\"type\": [\"Alignment\"], \"targetName\": \"" x "\", \"targetUrl\": \"" SK(x) "\"}"

static int64_t put_achievement(struct mc_store *st, int64_t org, const char *uri,
                               const char *skills_json, struct mc_achievement *a)
{
    char json[2048];
    struct mc_err err;

    snprintf(json, sizeof(json),
             "{\"id\": \"%s\", \"type\": [\"Achievement\"], \"name\": \"%s\", "
             "\"description\": \"d\", \"criteria\": {\"narrative\": \"n\"}, "
             "\"alignment\": %s}",
             uri, strrchr(uri, '/') + 1, skills_json);
    memset(a, 0, sizeof(*a));
    a->org_id = org;
    a->uri = mc_strdup(uri);
    a->json = mc_strdup(json);
    mc_err_clear(&err);
    CHECK_RC(mc_store_achievement_put(st, a, &err), MCRED_OK, uri);
    return a->id;
}

/* A credential of learner for achievement a stored as it is (not signed):
 * how a credential with an OB 3.0 Result reaches the store in this test;
 * the issuing service here makes none. */
static void put_scored(struct mc_store *st, const struct mc_issuer *is,
                       const struct mc_achievement *a, const struct mc_learner *l,
                       const char *id, const char *value)
{
    struct mc_credential c;
    struct mc_err err;
    char doc[1024];

    snprintf(doc, sizeof(doc),
             "{\"id\": \"%s\", \"credentialSubject\": {\"achievement\": {\"id\": \"%s\"}, "
             "\"result\": [{\"type\": [\"Result\"], \"value\": \"%s\"}]}}", id, a->uri, value);
    memset(&c, 0, sizeof(c));
    c.id = (char *)(uintptr_t)id;
    c.org_id = a->org_id;
    c.issuer_id = is->id;
    c.achievement_id = a->id;
    c.learner_id = l->id;
    c.recipient = l->email;
    c.issued = 1700000000;
    c.doc = doc;
    mc_err_clear(&err);
    CHECK_RC(mc_store_cred_put(st, &c, NULL, &err), MCRED_OK, id);
}

static const cJSON *result_of(const cJSON *m, int64_t learner)
{
    const cJSON *r = mc_json_get(m, "results");

    for (r = r ? r->child : NULL; r; r = r->next) {
        if ((int64_t)cJSON_GetNumberValue(mc_json_get(r, "learner")) == learner)
            return r;
    }
    return NULL;
}

static bool has_reason(const cJSON *r, const char *list, const char *key, const char *value,
                       const char *why_part)
{
    const cJSON *e = mc_json_get(r, list);

    for (e = e ? e->child : NULL; e; e = e->next) {
        const char *v = mc_json_str(e, key), *why = mc_json_str(e, "why");

        if (v && strcmp(v, value) == 0 && (!why_part || (why && strstr(why, why_part))))
            return true;
    }
    return false;
}

static void test_verb(struct mc_ctxstore *ctx, struct mc_jsonld_cache *cache)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    struct mc_fw *f = NULL;
    struct mc_issuer is;
    struct mc_issuer_key ik;
    struct mc_key key;
    struct mc_buf did, vm, pub;
    struct mc_achievement a_sql, a_py, a_stats, a_viz;
    struct mc_learner L[6];
    struct mc_issuing ising;
    struct mc_issue_result res;
    struct mc_row row;
    char ids[8][256];
    uint8_t s[32];
    int64_t fw = 0, org = 0, emp = 0, other = 0, pos = 0, pos2 = 0;
    cJSON *m = NULL;
    const cJSON *r;
    struct mc_store_list sl;
    size_t i;

    mc_err_clear(&err);
    memset(s, 7, sizeof(s));
    if (mc_store_open(&st, ":memory:", &err)) {
        CHECK(0, "store: %s", err.msg);
        return;
    }
    CHECK_RC(mc_skills_read_custom_mem(framework, sizeof(framework) - 1, false, "rank", "t.csv",
                                       &f, &err), MCRED_OK, "framework");
    CHECK_RC(mc_skills_import(st, f, NULL, &fw, &err), MCRED_OK, "import");
    mc_fw_free(f);
    CHECK_RC(mc_store_org_create(st, "academy", &org, &err), MCRED_OK, "org");
    CHECK_RC(mc_store_org_create(st, "employer", &emp, &err), MCRED_OK, "employer");
    CHECK_RC(mc_store_org_create(st, "other-employer", &other, &err), MCRED_OK, "other");
    CHECK_RC(mc_key_generate(&key, s), MCRED_OK, "key");
    mc_buf_init(&did, 4096);
    mc_buf_init(&vm, 4096);
    mc_buf_init(&pub, 4096);
    CHECK(mc_key_did(&key, &did) == MCRED_OK && mc_key_vm_id(&key, &vm) == MCRED_OK &&
          mc_key_pub_multibase(&key, &pub) == MCRED_OK, "did, vm, multibase");
    memset(&is, 0, sizeof(is));
    is.org_id = org;
    is.name = "Academy";
    is.url = "https://academy.example";
    is.did = did.ptr;
    CHECK_RC(mc_store_issuer_put(st, &is, &err), MCRED_OK, "issuer");
    memset(&ik, 0, sizeof(ik));
    ik.org_id = org;
    ik.issuer_id = is.id;
    ik.vm_id = vm.ptr;
    ik.public_multibase = pub.ptr;
    CHECK_RC(mc_store_key_add(st, &ik, &err), MCRED_OK, "issuer key");
    put_achievement(st, org, "https://academy.example/a/sql-basics",
                    "[" AL("sql") "]", &a_sql);
    put_achievement(st, org, "https://academy.example/a/python-data",
                    "[" AL("python") ", "
                    AL("stats") "]",
                    &a_py);
    put_achievement(st, org, "https://academy.example/a/stats-adv",
                    "[" AL("stats") "]",
                    &a_stats);
    put_achievement(st, org, "https://academy.example/a/viz",
                    "[" AL("viz") "]", &a_viz);
    for (i = 0; i < 6; i++) {
        char name[32], email[64];

        snprintf(name, sizeof(name), "Learner %zu", i);
        snprintf(email, sizeof(email), "l%zu@academy.example", i);
        memset(&L[i], 0, sizeof(L[i]));
        L[i].org_id = org;
        L[i].name = mc_strdup(name);
        L[i].email = mc_strdup(email);
        CHECK_RC(mc_store_learner_put(st, &L[i], &err), MCRED_OK, "learner");
    }
    memset(&ising, 0, sizeof(ising));
    ising.st = st;
    ising.org = org;
    ising.issuer = &is;
    ising.key = &key;
    ising.vm_id = vm.ptr;
    ising.suspension = true;   /* a credential is suspended below */
    ising.public_url = "https://academy.example";
    ising.contexts = ctx;
    ising.cache = cache;
    ising.now = 1700000000;   /* issued in 2023 */
    ising.actor = "test";
#define ISSUE(k, learner, ach, until)                                                    \
    do {                                                                                 \
        memset(&row, 0, sizeof(row));                                                    \
        row.line = row.number = 1;                                                       \
        row.recipient = L[learner].email;                                                \
        row.valid_until = until;                                                         \
        CHECK(mc_issue_one(&ising, &(ach), &row, &res, &err) == MCRED_OK, "issue %d: %s", \
              k, err.msg);                                                              \
        snprintf(ids[k], sizeof(ids[k]), "%s", res.id);                                  \
    } while (0)
    /* L0: SQL, python/stats (no level), stats-adv scored 3: complete */
    ISSUE(0, 0, a_sql, NULL);
    ISSUE(1, 0, a_py, NULL);
    /* L1: SQL revoked, python/stats valid but states no level, SQL declared */
    ISSUE(2, 1, a_sql, NULL);
    ISSUE(3, 1, a_py, NULL);
    /* L2: SQL expired (validUntil 2024-01-01, issued 2023), viz valid */
    ISSUE(4, 2, a_sql, "2024-01-01T00:00:00Z");
    ISSUE(5, 2, a_viz, NULL);
    /* L3: SQL valid, stats-adv scored 2: complete */
    ISSUE(6, 3, a_sql, NULL);
#undef ISSUE
    put_scored(st, &is, &a_stats, &L[0], "urn:uuid:scored-0", "3");
    put_scored(st, &is, &a_stats, &L[3], "urn:uuid:scored-3", "2");
    snprintf(ids[7], sizeof(ids[7]), "urn:uuid:scored-3");
    CHECK_RC(mc_issue_set_state(&ising, ids[2], MC_CRED_REVOKED, "test", &err), MCRED_OK,
             "revoke through the status service");
    CHECK_RC(mc_store_skill_declare(st, org, L[1].id, SK("sql"), 0, &err), MCRED_OK, "declare");
    /* the crosswalk: an operator maps viz to python (as if the same skill) */
    CHECK_RC(mc_store_skill_map_put(st, SK("viz"), SK("python"), 0, &err), MCRED_OK, "map");
    /* L4: only self-declared SQL and python: unverified claims */
    CHECK_RC(mc_store_skill_declare(st, org, L[4].id, SK("sql"), 0, &err), MCRED_OK, "declare");
    CHECK_RC(mc_store_skill_declare(st, org, L[4].id, SK("python"), 0, &err), MCRED_OK,
             "declare");

    /* the position */
    {
        static const char doc[] =
            "{\"title\": \"Data analyst\", \"required\": ["
            "{\"skill\": \"" SK("sql") "\", \"weight\": 2},"
            "{\"skill\": \"" SK("stats") "\", \"minLevel\": 2}],"
            "\"preferred\": [{\"skill\": \"" SK("python") "\", \"weight\": 0.5},"
            "{\"credential\": \"https://academy.example/a/viz\"}]}";
        static const struct {
            const char *doc, *msg;
        } bad[] = {
            { "{\"title\": \"x\"}", "no required or preferred" },
            { "{\"title\": \"x\", \"required\": [{\"skill\": \"https://nope.example/s\"}]}",
              "position.required[0].skill: 'https://nope.example/s' is not a concept" },
            { "{\"title\": \"x\", \"required\": [{\"skill\": \"" SK("sql") "\", "
              "\"credential\": \"https://a.example/x\"}]}", "exactly one of" },
            { "{\"title\": \"x\", \"preferred\": [{\"skill\": \"" SK("sql") "\", "
              "\"weight\": 0}]}", "position.preferred[0].weight" },
            { "{\"title\": \"x\", \"preferred\": [{\"skill\": \"" SK("sql") "\"}, "
              "{\"skill\": \"" SK("sql") "\"}]}", "named twice" },
            { "{\"title\": \"x\", \"bogus\": 1}", "unknown member 'bogus'" },
            { "{\"title\": \"\", \"required\": []}", "position.title" },
            { "[1]", "expected a JSON object" },
            { "{\"title\": \"x\", \"required\": [{\"skill\": \"" SK("sql") "\", "
              "\"minLevel\": -1}]}", "minLevel" },
        };

        CHECK_RC(mc_position_create(st, emp, doc, sizeof(doc) - 1, "test", &pos, &err),
                 MCRED_OK, "position create");
        CHECK_RC(mc_position_create(st, other, doc, sizeof(doc) - 1, "test", &pos2, &err),
                 MCRED_OK, "another employer's position");
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            int64_t id = 0;

            mc_err_clear(&err);
            CHECK(mc_position_create(st, emp, bad[i].doc, strlen(bad[i].doc), "test", &id,
                                     &err) == MCRED_ERR_INVALID && id == 0 &&
                  strstr(err.msg, bad[i].msg), "bad position %zu: '%s'", i, err.msg);
        }
    }
    /* shares: L0..L4 with the employer (L0 all, L3 only its two credentials); L5 not */
    for (i = 0; i < 5; i++) {
        const char *two[2] = { ids[6], "urn:uuid:scored-3" };

        CHECK_RC(mc_position_share(st, emp, org, L[i].id, i == 3 ? two : NULL, i == 3 ? 2 : 0,
                                   "test", NULL, &err), MCRED_OK, "share");
    }
    {
        const char *foreign[1] = { ids[0] };

        CHECK_RC(mc_position_share(st, emp, org, L[2].id, foreign, 1, "test", NULL, &err),
                 MCRED_ERR_INVALID, "sharing another learner's credential");
        CHECK_RC(mc_position_share(st, 999, org, L[2].id, NULL, 0, "test", NULL, &err),
                 MCRED_ERR_NOTFOUND, "sharing with an unknown organisation");
    }
    CHECK_RC(mc_position_match(st, emp, pos2, 10, time(NULL), &m, &err), MCRED_ERR_NOTFOUND,
             "another organisation's position is not found");
    CHECK_RC(mc_position_match(st, emp, pos, 10, time(NULL), &m, &err), MCRED_OK, "match");
    if (!m)
        goto out;
    CHECK(cJSON_GetNumberValue(mc_json_get(m, "candidates")) == 5, "five candidates shared");
    r = mc_json_get(m, "attribution");
    CHECK(cJSON_GetArraySize(r) == 1 && mc_json_has_str(r, "rank"),
          "the framework whose labels are shown is credited (custom: its name)");
    r = mc_json_get(m, "results");
    r = r ? r->child : NULL;
    /* L0: sql(2) + stats (scored 3 >= 2) (1) + python (0.5) = 3.5, complete */
    CHECK(r && (int64_t)cJSON_GetNumberValue(mc_json_get(r, "learner")) == L[0].id &&
          cJSON_GetNumberValue(mc_json_get(r, "score")) == 3.5 &&
          cJSON_IsTrue(mc_json_get(r, "complete")), "first: the complete candidate with most");
    /* L3: sql(2) + stats (scored 2) = 3, complete: second */
    r = r ? r->next : NULL;
    CHECK(r && (int64_t)cJSON_GetNumberValue(mc_json_get(r, "learner")) == L[3].id &&
          cJSON_GetNumberValue(mc_json_get(r, "score")) == 3.0, "second: L3");
    /* then the incomplete ones: L2 (viz 1 + python through the crosswalk 0.5),
     * L1 (python 0.5), L4 (0) */
    r = r ? r->next : NULL;
    CHECK(r && (int64_t)cJSON_GetNumberValue(mc_json_get(r, "learner")) == L[2].id &&
          !cJSON_IsTrue(mc_json_get(r, "complete")) &&
          cJSON_GetNumberValue(mc_json_get(r, "score")) == 1.5,
          "third: L2, its expired SQL credential not counted");
    r = r ? r->next : NULL;
    CHECK(r && (int64_t)cJSON_GetNumberValue(mc_json_get(r, "learner")) == L[1].id &&
          cJSON_GetNumberValue(mc_json_get(r, "score")) == 0.5,
          "fourth: L1, revoked SQL, stats below the minimum level");
    /* the reasons */
    r = result_of(m, L[0].id);
    CHECK(has_reason(r, "matched", "credential", ids[0], NULL) &&
          has_reason(r, "matched", "uri", SK("stats"), NULL) &&
          has_reason(r, "missing", "uri", "https://academy.example/a/viz",
                     "no verified credential"), "L0: matched from which credential, missing");
    r = result_of(m, L[0].id);
    CHECK(has_reason(r, "matched", "credential", "urn:uuid:scored-0", NULL),
          "L0: stats from the scored credential (level 3)");
    r = result_of(m, L[1].id);
    CHECK(has_reason(r, "missing", "uri", SK("stats"), "below the minimum level 2 (the "
                     "credential states no level)"), "L1: stats held without a level");
    CHECK(has_reason(r, "ignored", "credential", ids[2], "revoked") &&
          has_reason(r, "ignored", "skill", SK("sql"), "self-declared") &&
          has_reason(r, "missing", "uri", SK("sql"), NULL), "L1: revoked and declared ignored");
    r = result_of(m, L[2].id);
    CHECK(has_reason(r, "ignored", "credential", ids[4], "expired") &&
          has_reason(r, "matched", "credential", ids[5], NULL), "L2: expired ignored");
    CHECK(has_reason(r, "matched", "equivalent", SK("viz"), NULL) &&
          has_reason(r, "matched", "uri", SK("python"), NULL),
          "L2: python held through its crosswalk equivalent viz");
    r = result_of(m, L[0].id);
    CHECK(!has_reason(r, "matched", "equivalent", SK("viz"), NULL),
          "L0: python held directly, no equivalent named");
    r = result_of(m, L[4].id);
    CHECK(has_reason(r, "ignored", "skill", SK("sql"), "self-declared") &&
          has_reason(r, "ignored", "skill", SK("python"), "self-declared") &&
          has_reason(r, "missing", "uri", SK("python"), NULL), "L4: declared only");
    /* CSV */
    {
        struct mc_buf b;

        mc_buf_init(&b, 1 << 20);
        CHECK_RC(mc_position_csv(m, &b), MCRED_OK, "csv");
        CHECK(b.ptr && strncmp(b.ptr, "rank,learner,name,email,score,complete,", 39) == 0 &&
              strstr(b.ptr, "\r\n1,") && strstr(b.ptr, ",3.5,yes,2,2,"),
              "CSV header and first row");
        mc_buf_release(&b);
    }
    cJSON_Delete(m);
    m = NULL;
    /* a suspension is ignored too: L3 loses SQL and is incomplete (1.0), below L2 (1.5) */
    CHECK_RC(mc_issue_set_state(&ising, ids[6], MC_CRED_SUSPENDED, "test", &err), MCRED_OK,
             "suspend");
    CHECK_RC(mc_position_match(st, emp, pos, 2, time(NULL), &m, &err), MCRED_OK, "match");
    r = result_of(m, L[3].id);
    CHECK(!r, "L3 (suspended SQL) is not in the top 2 any more");
    r = mc_json_get(m, "results");
    CHECK(r && cJSON_GetArraySize(r) == 2 &&
          (int64_t)cJSON_GetNumberValue(mc_json_get(r->child, "learner")) == L[0].id,
          "top 2: L0 first");
    cJSON_Delete(m);
    m = NULL;
    /* a presentation as the share: L3 presents only its SQL credential */
    {
        char vp[1024];

        snprintf(vp, sizeof(vp), "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"], "
                 "\"type\": [\"VerifiablePresentation\"], \"verifiableCredential\": "
                 "[{\"id\": \"%s\", \"type\": [\"VerifiableCredential\"]}]}", ids[6]);
        CHECK_RC(mc_position_share_presentation(st, emp, org, L[3].id, vp, strlen(vp), "test",
                                                NULL, &err), MCRED_OK, "share a presentation");
        CHECK_RC(mc_store_org_share_list(st, emp, &sl, &err), MCRED_OK, "shares");
        for (i = 0; i < sl.n; i++) {
            const struct mc_org_share *x = &((const struct mc_org_share *)sl.rows)[i];

            if (x->learner_id == L[3].id)
                CHECK(x->scope && strstr(x->scope, ids[6]) && !strstr(x->scope, "scored"),
                      "the presentation's credentials are the scope: %s", x->scope);
        }
        mc_store_list_clear(&sl);
        snprintf(vp, sizeof(vp), "{\"type\": \"VerifiableCredential\"}");
        CHECK(mc_position_share_presentation(st, emp, org, L[3].id, vp, strlen(vp), "test",
                                             NULL, &err) == MCRED_ERR_INVALID &&
              strstr(err.msg, "expected a Verifiable Presentation"), "not a presentation");
        snprintf(vp, sizeof(vp), "{\"type\": \"VerifiablePresentation\", "
                 "\"verifiableCredential\": [{\"type\": \"VerifiableCredential\"}]}");
        CHECK(mc_position_share_presentation(st, emp, org, L[3].id, vp, strlen(vp), "test",
                                             NULL, &err) == MCRED_ERR_INVALID &&
              strstr(err.msg, "verifiableCredential[0] has no id"), "an entry without id");
    }
    /* a re-share narrows the scope: L0 shares only its SQL credential */
    {
        const char *one[1] = { ids[0] };

        CHECK_RC(mc_position_share(st, emp, org, L[0].id, one, 1, "test", NULL, &err),
                 MCRED_OK, "re-share");
        CHECK_RC(mc_position_match(st, emp, pos, 10, time(NULL), &m, &err), MCRED_OK, "match");
        r = result_of(m, L[0].id);
        CHECK(r && cJSON_GetNumberValue(mc_json_get(r, "score")) == 2.0 &&
              !cJSON_IsTrue(mc_json_get(r, "complete")), "only shared credentials count");
        cJSON_Delete(m);
        m = NULL;
    }
out:
    cJSON_Delete(m);
    for (i = 0; i < 6; i++)
        mc_learner_release(&L[i]);
    mc_achievement_release(&a_sql);
    mc_achievement_release(&a_py);
    mc_achievement_release(&a_stats);
    mc_achievement_release(&a_viz);
    mc_buf_release(&did);
    mc_buf_release(&vm);
    mc_buf_release(&pub);
    mc_store_close(st);
}

int main(void)
{
    struct mc_ctxstore *ctx = NULL;
    struct mc_jsonld_cache *cache = NULL;
    struct mc_err err;

    test_engine();
    test_against_sql();
    test_csv();
    mc_err_clear(&err);
    if (mc_ctxstore_new(&ctx, NULL, &err) || mc_jsonld_cache_new(&cache)) {
        CHECK(0, "contexts: %s", err.msg);
    } else {
        test_verb(ctx, cache);
    }
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(ctx);
    return check_report();
}
