/* test_stack.c - stack rules (lib/model/stack.c), table-driven: rules x
 * wallets (all-of, n-of-m, nested alternatives, credit thresholds,
 * prerequisites respected and violated, expired, revoked and suspended
 * components, an issuer restriction), what is missing and used, and the
 * definition-time errors (cycles, size, depth, unknown achievements).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "model/stack.h"
#include "util/json.h"

#define NOW 1800000000

/* A wallet entry in compact form: "A" (valid, issued 100), "A@50" (issued
 * 50), "A!r" revoked, "A!s" suspended, "A!x" expired, "A#X" of issuer X,
 * "A=7" creditsEarned 7. */
static void held_of(const char *spec, struct mc_stack_held *h, char *ach, char *iss)
{
    const char *p;

    memset(h, 0, sizeof(*h));
    h->credits = -1;
    h->issued = 100;
    snprintf(ach, 64, "urn:a:%.*s", (int)strcspn(spec, "@!#="), spec);
    strcpy(iss, "did:example:issuer");
    h->achievement = ach;
    h->issuer = iss;
    h->credential_id = spec;
    if ((p = strchr(spec, '@')) != NULL)
        h->issued = atol(p + 1);
    if ((p = strchr(spec, '#')) != NULL)
        snprintf(iss, 64, "did:example:%s", p + 1);
    if ((p = strchr(spec, '=')) != NULL)
        h->credits = atof(p + 1);
    if (strstr(spec, "!r"))
        h->revoked = true;
    if (strstr(spec, "!s"))
        h->suspended = true;
    if (strstr(spec, "!x"))
        h->valid_until = NOW - 1;
}

struct ecase {
    const char *rule;
    const char *wallet;     /* space-separated entries */
    bool satisfied;
    size_t missing;
    const char *todo;       /* space-separated achievement letters, in order */
    size_t nused;
};

static const struct ecase ecases[] = {
    /* all-of */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A", false, 1,
      "B", 1 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A B", true, 0,
      "", 2 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "", false, 2,
      "A B", 0 },
    /* n-of-m */
    { "{\"nOf\":2,\"of\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"},"
      "{\"achievement\":\"urn:a:C\"}]}", "C", false, 1, "A", 1 },
    { "{\"nOf\":2,\"of\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"},"
      "{\"achievement\":\"urn:a:C\"}]}", "A C", true, 0, "", 2 },
    /* nested alternatives: A or (B and C) */
    { "{\"anyOf\":[{\"achievement\":\"urn:a:A\"},{\"allOf\":[{\"achievement\":\"urn:a:B\"},"
      "{\"achievement\":\"urn:a:C\"}]}]}", "B C", true, 0, "", 2 },
    { "{\"anyOf\":[{\"achievement\":\"urn:a:A\"},{\"allOf\":[{\"achievement\":\"urn:a:B\"},"
      "{\"achievement\":\"urn:a:C\"}]}]}", "C", false, 1, "A", 0 },
    { "{\"anyOf\":[{\"allOf\":[{\"achievement\":\"urn:a:B\"},{\"achievement\":\"urn:a:C\"},"
      "{\"achievement\":\"urn:a:D\"}]},{\"allOf\":[{\"achievement\":\"urn:a:E\"},"
      "{\"achievement\":\"urn:a:F\"}]}]}", "B C", false, 1, "D", 2 },
    { "{\"anyOf\":[{\"achievement\":\"urn:a:A\"}]}", "A", true, 0, "", 1 },
    /* credit thresholds: the fewest parts worth enough, largest first */
    { "{\"minCredits\":5,\"of\":[{\"achievement\":\"urn:a:A\",\"credits\":2},"
      "{\"achievement\":\"urn:a:B\",\"credits\":3},{\"achievement\":\"urn:a:C\",\"credits\":4}]}",
      "A", false, 1, "C", 1 },
    { "{\"minCredits\":5,\"of\":[{\"achievement\":\"urn:a:A\",\"credits\":2},"
      "{\"achievement\":\"urn:a:B\",\"credits\":3},{\"achievement\":\"urn:a:C\",\"credits\":4}]}",
      "A B", true, 0, "", 2 },
    /* creditsEarned on the credential wins over the rule's figure */
    { "{\"minCredits\":5,\"of\":[{\"achievement\":\"urn:a:A\",\"credits\":2},"
      "{\"achievement\":\"urn:a:B\",\"credits\":3}]}", "A=5", true, 0, "", 1 },
    { "{\"minCredits\":50,\"of\":[{\"achievement\":\"urn:a:A\",\"credits\":2},"
      "{\"achievement\":\"urn:a:B\",\"credits\":3}]}", "A", false, MC_STACK_UNREACHABLE, "B", 1 },
    /* prerequisites: B counts only when earned after A */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\","
      "\"after\":\"urn:a:A\"}]}", "A@100 B@200", true, 0, "", 2 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\","
      "\"after\":\"urn:a:A\"}]}", "A@100 B@50", false, 1, "B", 1 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\","
      "\"after\":\"urn:a:A\"}]}", "B@50", false, 2, "A B", 0 },
    /* a second, later B fixes the order */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\","
      "\"after\":\"urn:a:A\"}]}", "A@100 B@50 B@300", true, 0, "", 2 },
    /* expired, revoked and suspended components do not count */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A B!x", false,
      1, "B", 1 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A!r B", false,
      1, "A", 1 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A!s B", false,
      1, "A", 1 },
    /* an issuer restriction: another issuer's A does not count, its own does */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"issuer\":\"did:example:uni\"}]}", "A#other",
      false, 1, "A", 0 },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"issuer\":\"did:example:uni\"}]}",
      "A#other A#uni", true, 0, "", 1 },
    /* components across issuers without a restriction */
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}",
      "A#uni B#college", true, 0, "", 2 },
};

static void eval_case(size_t ci, const struct ecase *c, bool freshness)
{
    struct mc_stack_held held[8];
    char ach[8][64], iss[8][64], specs[8][32];
    struct mc_stack_eval_opts o = { NOW, freshness };
    struct mc_stack_result r;
    struct mc_stack *s = NULL;
    struct mc_err err;
    cJSON *rule = NULL;
    char todo[256] = "";
    size_t n = 0, i;
    const char *w = c->wallet;

    while (*w) {
        size_t len = strcspn(w, " ");

        snprintf(specs[n], sizeof(specs[n]), "%.*s", (int)len, w);
        held_of(specs[n], &held[n], ach[n], iss[n]);
        n++;
        w += len;
        while (*w == ' ')
            w++;
    }
    mc_err_clear(&err);
    CHECK(mc_json_parse(c->rule, strlen(c->rule), 0, &rule, &err) == MCRED_OK, "case %zu rule",
          ci);
    CHECK(mc_stack_parse(rule, NULL, NULL, &s, &err) == MCRED_OK, "case %zu parse: %s", ci,
          err.msg);
    if (!s) {
        cJSON_Delete(rule);
        return;
    }
    if (mc_stack_eval(s, held, n, &o, &r, &err) != MCRED_OK) {
        CHECK(0, "case %zu eval: %s", ci, err.msg);
        mc_stack_free(s);
        cJSON_Delete(rule);
        return;
    }
    for (i = 0; i < r.ntodo; i++) {
        if (i)
            strcat(todo, " ");
        strcat(todo, r.todo[i] + strlen("urn:a:"));
    }
    CHECK(r.satisfied == c->satisfied, "case %zu (%s): satisfied %d", ci, c->wallet,
          r.satisfied);
    CHECK(r.missing == c->missing, "case %zu (%s): missing %zu, expected %zu", ci, c->wallet,
          r.missing, c->missing);
    CHECK(strcmp(todo, c->todo) == 0, "case %zu (%s): todo '%s', expected '%s'", ci, c->wallet,
          todo, c->todo);
    CHECK(r.nused == c->nused, "case %zu (%s): used %zu, expected %zu", ci, c->wallet, r.nused,
          c->nused);
    CHECK(r.nwhy > 0, "case %zu: reasons given", ci);
    mc_stack_result_release(&r);
    mc_stack_free(s);
    cJSON_Delete(rule);
}

static void test_eval(void)
{
    size_t i;

    for (i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++)
        eval_case(i, &ecases[i], true);
}

/* Without freshness, an expired component still counts (a revoked never). */
static void test_freshness_off(void)
{
    static const struct ecase c[] = {
        { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A B!x",
          true, 0, "", 2 },
        { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}", "A B!r",
          false, 1, "B", 1 },
    };

    eval_case(100, &c[0], false);
    eval_case(101, &c[1], false);
}

static bool known(void *ud, const char *uri)
{
    (void)ud;
    return strncmp(uri, "urn:a:", 6) == 0;
}

struct pcase {
    const char *rule;
    mcred_rc rc;
    const char *msg;   /* a part of the error message */
};

static const struct pcase pcases[] = {
    { "[]", MCRED_ERR_INVALID, "rule: expected a rule" },
    { "{\"allOf\":[]}", MCRED_ERR_INVALID, "rule.allOf: an empty list" },
    { "{\"allOf\":{}}", MCRED_ERR_INVALID, "rule.allOf: expected an array" },
    { "{\"nOf\":4,\"of\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:a:B\"}]}",
      MCRED_ERR_INVALID, "4 of only 2" },
    { "{\"nOf\":1.5,\"of\":[{\"achievement\":\"urn:a:A\"}]}", MCRED_ERR_INVALID,
      "positive integer" },
    { "{\"minCredits\":0,\"of\":[{\"achievement\":\"urn:a:A\"}]}", MCRED_ERR_INVALID,
      "positive number" },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\"},{\"achievement\":\"urn:x:Z\"}]}",
      MCRED_ERR_INVALID, "rule.allOf[1].achievement: unknown achievement 'urn:x:Z'" },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"colour\":\"red\"}]}", MCRED_ERR_INVALID,
      "unknown member 'colour'" },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"after\":\"urn:a:B\"},"
      "{\"achievement\":\"urn:a:B\",\"after\":\"urn:a:A\"}]}", MCRED_ERR_INVALID,
      "prerequisites form a cycle" },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"after\":\"urn:a:A\"}]}", MCRED_ERR_INVALID,
      "its own prerequisite" },
    { "{\"allOf\":[{\"achievement\":\"urn:a:A\",\"after\":\"urn:a:Q\"}]}", MCRED_ERR_INVALID,
      "not a component" },
    { "{\"something\":1}", MCRED_ERR_INVALID, "expected one of" },
    { "{\"allOf\":[{\"achievement\":\"\"}]}", MCRED_ERR_INVALID, "non-empty string" },
};

static void test_parse_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
        struct mc_stack *s = NULL;
        struct mc_err err;
        cJSON *rule = NULL;

        mc_err_clear(&err);
        if (mc_json_parse(pcases[i].rule, strlen(pcases[i].rule), 0, &rule, &err) != MCRED_OK) {
            CHECK(0, "parse case %zu: bad JSON", i);
            continue;
        }
        CHECK(mc_stack_parse(rule, known, NULL, &s, &err) == pcases[i].rc, "parse case %zu", i);
        CHECK(s == NULL, "parse case %zu: nothing made", i);
        CHECK(strstr(err.msg, pcases[i].msg) != NULL, "parse case %zu: message '%s' names '%s'",
              i, err.msg, pcases[i].msg);
        cJSON_Delete(rule);
    }
}

/* 10,000 components: refused at definition time; so is depth 40. */
static void test_limits(void)
{
    struct mc_stack *s = NULL;
    struct mc_err err;
    cJSON *rule = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(rule, "allOf"), *deep;
    int i;

    for (i = 0; i < 10000; i++) {
        char uri[32];
        cJSON *c = cJSON_CreateObject();

        snprintf(uri, sizeof(uri), "urn:a:%d", i);
        cJSON_AddStringToObject(c, "achievement", uri);
        cJSON_AddItemToArray(list, c);
    }
    mc_err_clear(&err);
    CHECK_RC(mc_stack_parse(rule, known, NULL, &s, &err), MCRED_ERR_LIMIT, "10,000 components");
    CHECK(strstr(err.msg, "more than") != NULL, "limit named: %s", err.msg);
    cJSON_Delete(rule);

    deep = cJSON_CreateObject();
    cJSON_AddStringToObject(deep, "achievement", "urn:a:A");
    for (i = 0; i < 40; i++) {
        cJSON *o = cJSON_CreateObject(), *l = cJSON_AddArrayToObject(o, "anyOf");

        cJSON_AddItemToArray(l, deep);
        deep = o;
    }
    CHECK_RC(mc_stack_parse(deep, known, NULL, &s, &err), MCRED_ERR_LIMIT, "depth 40");
    cJSON_Delete(deep);
}

static void test_components(void)
{
    static const char rule_text[] =
        "{\"anyOf\":[{\"achievement\":\"urn:a:A\"},{\"allOf\":[{\"achievement\":\"urn:a:B\"},"
        "{\"achievement\":\"urn:a:A\"}]}]}";
    struct mc_stack *s = NULL;
    const char **uris;
    cJSON *rule = NULL;
    size_t n;

    CHECK_RC(mc_json_parse(rule_text, strlen(rule_text), 0, &rule, NULL), MCRED_OK, "rule");
    CHECK_RC(mc_stack_parse(rule, known, NULL, &s, NULL), MCRED_OK, "parse");
    if (s) {
        n = mc_stack_components(s, &uris);
        CHECK(n == 2 && strcmp(uris[0], "urn:a:A") == 0 && strcmp(uris[1], "urn:a:B") == 0,
              "distinct components in rule order (%zu)", n);
    }
    mc_stack_free(s);
    cJSON_Delete(rule);
}

static void test_stack_cycles(void)
{
    static const struct mc_stack_edge ok[] = {
        { "urn:s:1", "urn:s:2" }, { "urn:s:2", "urn:s:3" }, { "urn:s:1", "urn:s:3" },
    };
    static const struct mc_stack_edge bad[] = {
        { "urn:s:1", "urn:s:2" }, { "urn:s:2", "urn:s:3" }, { "urn:s:3", "urn:s:1" },
        { "urn:s:4", "urn:s:1" },
    };
    struct mc_err err;

    mc_err_clear(&err);
    CHECK_RC(mc_stack_check_cycles(ok, 3, &err), MCRED_OK, "acyclic stacks");
    CHECK_RC(mc_stack_check_cycles(bad, 4, &err), MCRED_ERR_INVALID, "cyclic stacks refused");
    CHECK(strstr(err.msg, "stacks form a cycle") != NULL, "cycle named: %s", err.msg);
    CHECK_RC(mc_stack_check_cycles(NULL, 0, &err), MCRED_OK, "no edges");
}

/* Every allocation failure on parse and eval is a clean NOMEM. */
static void test_nomem(void)
{
    static const char rule_text[] =
        "{\"minCredits\":5,\"of\":[{\"achievement\":\"urn:a:A\",\"credits\":2},"
        "{\"allOf\":[{\"achievement\":\"urn:a:B\",\"after\":\"urn:a:A\"},"
        "{\"achievement\":\"urn:a:C\",\"credits\":4}]}]}";
    struct mc_stack_held h[2];
    char a[2][64], i2[2][64];
    struct mc_stack_eval_opts o = { NOW, true };
    cJSON *rule = NULL;
    unsigned long nth;
    int ok = 0;

    held_of("A", &h[0], a[0], i2[0]);
    held_of("B@200", &h[1], a[1], i2[1]);
    CHECK_RC(mc_json_parse(rule_text, strlen(rule_text), 0, &rule, NULL), MCRED_OK, "rule");
    for (nth = 1; nth < 400; nth++) {
        struct mc_stack *s = NULL;
        struct mc_stack_result r;
        mcred_rc rc;

        mcred_test_fail_alloc(nth);
        rc = mc_stack_parse(rule, NULL, NULL, &s, NULL);
        if (rc == MCRED_OK) {
            rc = mc_stack_eval(s, h, 2, &o, &r, NULL);
            if (rc == MCRED_OK)
                mc_stack_result_release(&r);
        }
        mcred_test_fail_alloc(0);
        mc_stack_free(s);
        if (rc == MCRED_OK) {
            ok = 1;
            break;
        }
        if (rc != MCRED_ERR_NOMEM) {
            CHECK(0, "allocation %lu: rc %d", nth, rc);
            break;
        }
    }
    CHECK(ok, "parse+eval succeed once allocations stop failing");
    cJSON_Delete(rule);
}

int main(void)
{
    test_eval();
    test_freshness_off();
    test_parse_errors();
    test_limits();
    test_components();
    test_stack_cycles();
    test_nomem();
    return check_report();
}
