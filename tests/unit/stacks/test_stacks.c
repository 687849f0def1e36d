/* test_stacks.c - stacks through the service (lib/service/stacks.c) on a
 * real SQLite store: table-driven rules x wallets, where each wallet is made
 * by really issuing (mc_issue_one, whose hook re-evaluates), revoking
 * (mc_issue_set_state) and importing (mc_wallet_import, verified) credentials:
 * all-of, n-of-m, nested alternatives, credit thresholds, prerequisite order
 * violated and respected, expired and revoked components, a component of
 * another issuer signed with another key (counted) and a forged one (not
 * counted), the revocation policies keep / flag / revoke, the stack
 * credential's proof and evidence; exactly-once under two threads with their
 * own store handles completing the same stacks at the same moment; the
 * sweep; progress; and definition-time errors (cycles across stacks, 10,000
 * components, unknown achievements).
 * SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE 1   /* mkdtemp */
#include "internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "service/issue.h"
#include "service/platform.h"
#include "service/stacks.h"
#include "service/verify.h"
#include "service/wallet.h"
#include "util/json.h"
#include "util/time.h"

#define U "https://u.example/a/"
#define PUB "https://badges.u.example"

struct org {
    int64_t id;
    struct mc_issuer issuer;
    struct mc_key key;
    struct mc_buf did, vm;
    struct mc_issuing is;
};

static char dsn[300];
static struct mc_store *st;
static struct org ours, other;
static struct mc_ctxstore *ctx;
static struct mc_jsonld_cache *cache;
static time_t base;

/* An issuer (its key from seedbyte) of organisation org. */
static void issuer_init(struct org *o, int64_t org, const char *name, uint8_t seedbyte,
                        struct mc_store *s)
{
    uint8_t seed[32];
    struct mc_err err;

    memset(seed, seedbyte, sizeof(seed));
    mc_err_clear(&err);
    mc_buf_init(&o->did, 0);
    mc_buf_init(&o->vm, 0);
    CHECK_RC(mc_key_generate(&o->key, seed), MCRED_OK, "key");
    CHECK_RC(mc_key_did(&o->key, &o->did), MCRED_OK, "did");
    CHECK_RC(mc_key_vm_id(&o->key, &o->vm), MCRED_OK, "vm");
    o->id = org;
    o->issuer.org_id = o->id;
    o->issuer.name = mc_strdup(name);
    o->issuer.did = mc_strdup(o->did.ptr);
    CHECK_RC(mc_store_issuer_put(s, &o->issuer, &err), MCRED_OK, "issuer");
    memset(&o->is, 0, sizeof(o->is));
    o->is.st = s;
    o->is.org = o->id;
    o->is.issuer = &o->issuer;
    o->is.key = &o->key;
    o->is.vm_id = o->vm.ptr;
    o->is.suspension = true;   /* components are suspended below */
    o->is.public_url = PUB;
    o->is.contexts = ctx;
    o->is.cache = cache;
    o->is.actor = "test";
}

static void org_init(struct org *o, const char *name, uint8_t seedbyte, struct mc_store *s)
{
    struct mc_err err;
    int64_t id = 0;

    mc_err_clear(&err);
    CHECK_RC(mc_store_org_create(s, name, &id, &err), MCRED_OK, "org");
    issuer_init(o, id, name, seedbyte, s);
}

static void org_release(struct org *o)
{
    mc_issuer_release(&o->issuer);
    mc_key_clear(&o->key);
    mc_buf_release(&o->did);
    mc_buf_release(&o->vm);
}

static void achievement(int64_t org, const char *name, int credits)
{
    struct mc_achievement a;
    struct mc_err err;
    char uri[200], json[1000];

    snprintf(uri, sizeof(uri), U "%s", name);
    snprintf(json, sizeof(json), "{\"id\":\"%s\",\"type\":[\"Achievement\"],\"name\":\"%s\","
             "\"description\":\"Achievement %s\",\"criteria\":{\"narrative\":\"Do %s\"}"
             "%s%.0d}", uri, name, name, name, credits ? ",\"creditsAvailable\":" : "",
             credits);
    memset(&a, 0, sizeof(a));
    a.org_id = org;
    a.uri = uri;
    a.json = json;
    mc_err_clear(&err);
    CHECK_RC(mc_store_achievement_put(st, &a, &err), MCRED_OK, "achievement put");
    if (err.rc)
        printf("  %s\n", err.msg);
}

static int64_t learner(int64_t org, const char *email)
{
    struct mc_learner l;
    struct mc_err err;

    memset(&l, 0, sizeof(l));
    l.org_id = org;
    l.name = (char *)(uintptr_t)"Learner";
    l.email = (char *)(uintptr_t)email;
    mc_err_clear(&err);
    CHECK_RC(mc_store_learner_put(st, &l, &err), MCRED_OK, "learner put");
    return l.id;
}

/* Issue achievement name of o to email at time `at` (valid_until: an RFC
 * 3339 string or NULL); the credential id goes to id. */
static mcred_rc issue(struct org *o, struct mc_store *s, struct mc_jsonld_cache *c,
                      const char *name, const char *email, time_t at, const char *until,
                      char id[256])
{
    struct mc_achievement a;
    struct mc_issuing is = o->is;
    struct mc_issue_result res;
    struct mc_row row;
    struct mc_err err;
    char uri[200];
    mcred_rc rc;

    snprintf(uri, sizeof(uri), U "%s", name);
    memset(&a, 0, sizeof(a));
    mc_err_clear(&err);
    is.st = s;
    is.cache = c;
    is.now = at;
    rc = mc_store_achievement_get(s, o->id, 0, uri, &a, &err);
    memset(&row, 0, sizeof(row));
    row.recipient = email;
    row.valid_until = until;
    if (!rc)
        rc = mc_issue_one(&is, &a, &row, &res, &err);
    if (rc)
        printf("  issue %s to %s: %s\n", name, email, err.msg);
    else if (id)
        mc_strlcpy(id, res.id, 256);
    mc_achievement_release(&a);
    return rc;
}

static mcred_rc define(const char *json, struct mc_stack_def *out, struct mc_err *err)
{
    struct mc_stacks_ctx c;

    memset(&c, 0, sizeof(c));
    c.st = st;
    c.org = ours.id;
    c.is = &ours.is;
    mc_err_clear(err);
    return mc_stacks_define(&c, json, strlen(json), out, err);
}

/* The award of stack `stack` for learner l: its state name, or "none". */
static const char *award_state(int64_t stack, int64_t l, char cred[256])
{
    static char name[16];
    struct mc_stack_award aw;
    mcred_rc rc;

    memset(&aw, 0, sizeof(aw));
    rc = mc_store_award_get(st, ours.id, stack, l, &aw, NULL);
    if (cred)
        cred[0] = '\0';
    if (rc) {
        mc_stack_award_release(&aw);
        return "none";
    }
    mc_strlcpy(name, mc_award_state_name(aw.state), sizeof(name));
    if (cred && aw.cred_id)
        mc_strlcpy(cred, aw.cred_id, 256);
    mc_stack_award_release(&aw);
    return name;
}

/* ---- a credential of the other organisation, imported into the wallet ---------- */

static mcred_rc import(int64_t l, const char *doc, enum mc_verdict_kind *kind)
{
    struct mc_issue_source src;
    struct mc_verify_opts vo;
    struct mc_wallet_ctx wc;
    struct mc_wallet_import res;
    struct mc_err err;
    mcred_rc rc;

    mc_issue_status_source(&src, st, 0);
    memset(&vo, 0, sizeof(vo));
    vo.now = time(NULL);
    vo.contexts = ctx;
    vo.cache = cache;
    vo.status = &src.src;
    memset(&wc, 0, sizeof(wc));
    wc.st = st;
    wc.org = ours.id;
    wc.verify = &vo;
    wc.contexts = ctx;
    wc.cache = cache;
    mc_err_clear(&err);
    rc = mc_wallet_import(&wc, l, doc, strlen(doc), "file", &res, &err);
    if (rc)
        printf("  import: %s\n", err.msg);
    *kind = res.verdict.kind;
    return rc;
}

/* The other organisation's credential of X for email (forged: tampered). */
static char *other_cred(const char *email, bool forged)
{
    struct mc_credential c;
    char id[256], *out = NULL;
    cJSON *doc = NULL;
    struct mc_buf b;

    memset(&c, 0, sizeof(c));
    if (issue(&other, st, cache, "X", email, base, NULL, id) ||
        mc_store_cred_get(st, other.id, id, &c, NULL))
        return NULL;
    if (!forged) {
        out = mc_strdup(c.doc);
    } else if (mc_json_parse(c.doc, strlen(c.doc), 0, &doc, NULL) == MCRED_OK) {
        mc_buf_init(&b, 0);
        cJSON_ReplaceItemInObjectCaseSensitive(doc, "name", cJSON_CreateString("Forged"));
        if (mc_json_stringify(doc, 0, &b, NULL) == MCRED_OK)
            out = mc_buf_take(&b, NULL);
        mc_buf_release(&b);
        cJSON_Delete(doc);
    }
    mc_credential_release(&c);
    return out;
}

/* ---- rules x wallets --------------------------------------------------------------- */

/* A wallet step: "A" issue A; "A!x" issue A already expired (issued 10 days
 * before the others, valid until 5 days before); "A!r" issue A then revoke
 * it; "X~" import the other issuer's X; "X?" import a forged X. Steps run
 * in order, a minute apart. (An import alone has no issuer at hand: it
 * claims the award, issued at the next event with one; so imports come
 * first here and an issued component completes the stack.) */
struct rcase {
    const char *name;
    const char *rule;         /* "@": the other issuer's DID (when used) */
    bool freshness;
    const char *steps[6];
    const char *want;         /* award state after the steps */
};

static const struct rcase cases[] = {
    { "all-of complete", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"},{\"achievement\":\"" U "C\"}]}", false, { "A", "B", "C" }, "issued" },
    { "all-of missing one", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"},{\"achievement\":\"" U "C\"}]}", false, { "A", "C" }, "none" },
    { "2-of-3 with 2", "{\"nOf\":2,\"of\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"},{\"achievement\":\"" U "C\"}]}", false, { "C", "A" }, "issued" },
    { "2-of-3 with 1", "{\"nOf\":2,\"of\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"},{\"achievement\":\"" U "C\"}]}", false, { "B" }, "none" },
    { "A or (B and C): B, C", "{\"anyOf\":[{\"achievement\":\"" U "A\"},{\"allOf\":[{"
      "\"achievement\":\"" U "B\"},{\"achievement\":\"" U "C\"}]}]}", false, { "B", "C" },
      "issued" },
    { "A or (B and C): A", "{\"anyOf\":[{\"achievement\":\"" U "A\"},{\"allOf\":[{"
      "\"achievement\":\"" U "B\"},{\"achievement\":\"" U "C\"}]}]}", false, { "A" },
      "issued" },
    { "A or (B and C): B", "{\"anyOf\":[{\"achievement\":\"" U "A\"},{\"allOf\":[{"
      "\"achievement\":\"" U "B\"},{\"achievement\":\"" U "C\"}]}]}", false, { "B" }, "none" },
    /* creditsAvailable: A 2, B 3, C 4, D 5 */
    { "6 credits: A+B = 5", "{\"minCredits\":6,\"of\":[{\"achievement\":\"" U "A\"},{"
      "\"achievement\":\"" U "B\"},{\"achievement\":\"" U "C\"},{\"achievement\":\"" U "D\"}]}",
      false, { "A", "B" }, "none" },
    { "6 credits: A+C = 6", "{\"minCredits\":6,\"of\":[{\"achievement\":\"" U "A\"},{"
      "\"achievement\":\"" U "B\"},{\"achievement\":\"" U "C\"},{\"achievement\":\"" U "D\"}]}",
      false, { "A", "C" }, "issued" },
    { "prerequisite respected", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\""
      U "B\",\"after\":\"" U "A\"}]}", false, { "A", "B" }, "issued" },
    { "prerequisite violated", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\""
      U "B\",\"after\":\"" U "A\"}]}", false, { "B", "A" }, "none" },
    { "expired, freshness", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"}]}", true, { "A!x", "B" }, "none" },
    { "expired, no freshness", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"}]}", false, { "A!x", "B" }, "issued" },
    { "revoked component", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\"" U
      "B\"}]}", false, { "A!r", "B" }, "none" },
    { "other issuer, verifies", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\""
      U "X\",\"issuer\":\"@\"}]}", false, { "X~", "A" }, "issued" },
    { "other issuer, forged", "{\"allOf\":[{\"achievement\":\"" U "A\"},{\"achievement\":\""
      U "X\",\"issuer\":\"@\"}]}", false, { "X?", "A" }, "none" },
    { "other issuer, issuer must match", "{\"allOf\":[{\"achievement\":\"" U "A\"},{"
      "\"achievement\":\"" U "X\",\"issuer\":\"did:example:someone-else\"}]}", false,
      { "X~", "A" }, "none" },
};

/* The stack credential: it verifies, and its evidence names n components. */
static void check_stack_cred(const char *id, size_t n, const char *what)
{
    struct mc_credential c;
    struct mc_issue_source src;
    struct mc_verify_opts vo;
    struct mc_verdict v;
    cJSON *doc = NULL;

    memset(&c, 0, sizeof(c));
    CHECK_RC(mc_store_cred_get(st, ours.id, id, &c, NULL), MCRED_OK, what);
    if (!c.doc)
        return;
    mc_issue_status_source(&src, st, 0);
    memset(&vo, 0, sizeof(vo));
    vo.now = time(NULL);
    vo.contexts = ctx;
    vo.cache = cache;
    vo.status = &src.src;
    CHECK_RC(mc_verify_bytes(c.doc, strlen(c.doc), &vo, &v, NULL), MCRED_OK, what);
    CHECK(v.kind == MC_VERDICT_VALID, "%s: the stack credential verifies: %s", what,
          mc_verdict_name(v.kind));
    if (mc_json_parse(c.doc, strlen(c.doc), 0, &doc, NULL) == MCRED_OK) {
        const cJSON *ev = mc_json_get(doc, "evidence");

        CHECK(cJSON_GetArraySize(ev) == (int)n, "%s: %d evidence entries, want %zu", what,
              cJSON_GetArraySize(ev), n);
        CHECK(ev && ev->child && mc_json_str(ev->child, "id") &&
              strstr(mc_json_str(ev->child, "id"), "/credentials/") != NULL,
              "%s: evidence names a component credential", what);
    }
    cJSON_Delete(doc);
    mc_credential_release(&c);
}

static void run_cases(void)
{
    size_t i, j;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rcase *k = &cases[i];
        struct mc_stack_def d;
        struct mc_err err;
        char def[3000], rule[2000], email[100], sname[40], cred[256];
        int64_t l;
        size_t held = 0;

        {
            const char *at = strchr(k->rule, '@');

            if (at)
                snprintf(rule, sizeof(rule), "%.*s%s%s", (int)(at - k->rule), k->rule,
                         other.did.ptr, at + 1);
            else
                snprintf(rule, sizeof(rule), "%s", k->rule);
        }
        snprintf(sname, sizeof(sname), "S%zu", i);
        snprintf(def, sizeof(def), "{\"achievement\":{\"id\":\"" U "%s\",\"type\":"
                 "[\"Achievement\"],\"name\":\"Stack %zu\",\"description\":\"A stack\","
                 "\"criteria\":{\"narrative\":\"Its components\"}},\"rule\":%s,\"freshness\":%s}",
                 sname, i, rule, k->freshness ? "true" : "false");
        memset(&d, 0, sizeof(d));
        CHECK_RC(define(def, &d, &err), MCRED_OK, k->name);
        if (err.rc)
            printf("  %s: %s\n", k->name, err.msg);
        snprintf(email, sizeof(email), "case%zu@u.example", i);
        l = learner(ours.id, email);
        for (j = 0; j < 6 && k->steps[j]; j++) {
            const char *s = k->steps[j];
            char name[2] = { s[0], 0 }, id[256];
            time_t at = base + (time_t)j * 60;
            enum mc_verdict_kind kind = MC_VERDICT_INVALID;

            if (s[1] == '~' || s[1] == '?') {
                char *doc = other_cred(email, s[1] == '?');

                CHECK(doc != NULL, "%s: the other issuer's credential", k->name);
                if (doc)
                    CHECK_RC(import(l, doc, &kind), MCRED_OK, k->name);
                CHECK((kind == MC_VERDICT_VALID) == (s[1] == '~'), "%s: imported %s",
                      k->name, mc_verdict_name(kind));
                held += s[1] == '~';
                mc_free(doc);
            } else if (strcmp(s + 1, "!x") == 0) {
                char until[32];

                mc_time_format(base - 5 * 86400, until);
                CHECK_RC(issue(&ours, st, cache, name, email, base - 10 * 86400, until, id),
                         MCRED_OK, k->name);
                held++;
            } else {
                CHECK_RC(issue(&ours, st, cache, name, email, at, NULL, id), MCRED_OK,
                         k->name);
                if (strcmp(s + 1, "!r") == 0) {
                    struct mc_issuing is = ours.is;

                    is.now = at;
                    CHECK_RC(mc_issue_set_state(&is, id, MC_CRED_REVOKED, "test", NULL),
                             MCRED_OK, k->name);
                } else {
                    held++;
                }
            }
        }
        CHECK_STR_EQ(award_state(d.id, l, cred), k->want, k->name);
        if (strcmp(k->want, "issued") == 0 && cred[0]) {
            /* the rule uses at most what was held (anyOf uses one of them) */
            struct mc_credential c;

            memset(&c, 0, sizeof(c));
            if (mc_store_cred_get(st, ours.id, cred, &c, NULL) == MCRED_OK && c.doc) {
                cJSON *doc = NULL;

                if (mc_json_parse(c.doc, strlen(c.doc), 0, &doc, NULL) == MCRED_OK) {
                    int ne = cJSON_GetArraySize(mc_json_get(doc, "evidence"));

                    CHECK(ne >= 1 && (size_t)ne <= held, "%s: %d evidence for %zu held",
                          k->name, ne, held);
                    check_stack_cred(cred, (size_t)ne, k->name);
                }
                cJSON_Delete(doc);
            }
            mc_credential_release(&c);
        }
        mc_stack_def_release(&d);
    }
}

/* ---- revocation policies ---------------------------------------------------------- */

static void policies(void)
{
    static const char *const pol[] = { "keep", "flag", "revoke" };
    static const char *const want[] = { "issued", "flagged", "revoked" };
    int i;

    for (i = 0; i < 3; i++) {
        struct mc_stack_def d;
        struct mc_err err;
        struct mc_credential sc;
        char def[1500], email[100], idA[256], idB[256], cred[256];
        int64_t l;

        snprintf(def, sizeof(def), "{\"achievement\":{\"id\":\"" U "P%d\",\"type\":"
                 "[\"Achievement\"],\"name\":\"Policy %s\",\"description\":\"d\",\"criteria\":"
                 "{\"narrative\":\"n\"}},\"rule\":{\"allOf\":[{\"achievement\":\"" U "A\"},"
                 "{\"achievement\":\"" U "B\"}]},\"onComponentRevoked\":\"%s\"}", i, pol[i],
                 pol[i]);
        memset(&d, 0, sizeof(d));
        CHECK_RC(define(def, &d, &err), MCRED_OK, pol[i]);
        snprintf(email, sizeof(email), "policy%d@u.example", i);
        l = learner(ours.id, email);
        CHECK_RC(issue(&ours, st, cache, "A", email, base, NULL, idA), MCRED_OK, pol[i]);
        CHECK_RC(issue(&ours, st, cache, "B", email, base + 60, NULL, idB), MCRED_OK, pol[i]);
        CHECK_STR_EQ(award_state(d.id, l, cred), "issued", pol[i]);
        CHECK_RC(mc_issue_set_state(&ours.is, idB, MC_CRED_REVOKED, "test", NULL), MCRED_OK,
                 pol[i]);
        CHECK_STR_EQ(award_state(d.id, l, NULL), want[i], pol[i]);
        memset(&sc, 0, sizeof(sc));
        CHECK_RC(mc_store_cred_get(st, ours.id, cred, &sc, NULL), MCRED_OK, pol[i]);
        CHECK(sc.state == (i == 2 ? MC_CRED_REVOKED : MC_CRED_ACTIVE),
              "%s: the stack credential is %s", pol[i], mc_cred_state_name(sc.state));
        mc_credential_release(&sc);
        mc_stack_def_release(&d);
    }
}

/* Two issuers in one organisation. A credential's state is changed, and its
 * status list re-signed, only by its own issuer: the other is refused and
 * nothing changes; policy revoke on a stack credential of the other issuer
 * flags the award instead of re-signing that issuer's list with the wrong
 * key (a regression: it did). */
static void two_issuers(void)
{
    static const char *def = "{\"achievement\":{\"id\":\"" U "P9\",\"type\":[\"Achievement\"],"
                              "\"name\":\"Two issuers\",\"description\":\"d\",\"criteria\":"
                              "{\"narrative\":\"n\"}},\"rule\":{\"allOf\":[{\"achievement\":\""
                              U "A\"},{\"achievement\":\"" U "B\"}]},\"onComponentRevoked\":"
                              "\"revoke\"}";
    const char *email = "two-issuers@u.example";
    struct org second;
    struct mc_stack_def d;
    struct mc_credential sc;
    struct mc_status_list l;
    struct mc_err err;
    char idA[256], cred[256], name[100];
    cJSON *doc = NULL;
    int64_t lr, lid;

    snprintf(name, sizeof(name), "Second issuer %ld", (long)getpid());
    memset(&second, 0, sizeof(second));
    issuer_init(&second, ours.id, name, 33, st);
    memset(&d, 0, sizeof(d));
    CHECK_RC(define(def, &d, &err), MCRED_OK, "two issuers: define");
    lid = learner(ours.id, email);
    CHECK_RC(issue(&ours, st, cache, "A", email, base, NULL, idA), MCRED_OK, "A by the first");
    /* B by the second issuer completes the stack: the award is the second's */
    CHECK_RC(issue(&second, st, cache, "B", email, base + 60, NULL, NULL), MCRED_OK,
             "B by the second");
    memset(&sc, 0, sizeof(sc));
    CHECK_STR_EQ(award_state(d.id, lid, cred), "issued", "two issuers: award");
    CHECK_RC(mc_store_cred_get(st, ours.id, cred, &sc, NULL), MCRED_OK, "stack credential");
    CHECK(sc.issuer_id == second.issuer.id, "the award is the second issuer's (%lld)",
          (long long)sc.issuer_id);
    lr = sc.status_list_rev;
    mc_credential_release(&sc);
    /* the first issuer may not change it */
    mc_err_clear(&err);
    CHECK_RC(mc_issue_set_state(&ours.is, cred, MC_CRED_REVOKED, "test", &err),
             MCRED_ERR_CONFLICT, "revoking another issuer's credential");
    CHECK(strstr(err.msg, "was issued by issuer") != NULL, "says why: %s", err.msg);
    /* revoking A (the first issuer's) makes policy revoke flag, not revoke */
    CHECK_RC(mc_issue_set_state(&ours.is, idA, MC_CRED_REVOKED, "test", NULL), MCRED_OK,
             "revoke A");
    CHECK_STR_EQ(award_state(d.id, lid, NULL), "flagged",
                 "another issuer's award is flagged");
    memset(&sc, 0, sizeof(sc));
    CHECK_RC(mc_store_cred_get(st, ours.id, cred, &sc, NULL), MCRED_OK, "stack credential");
    CHECK(sc.state == MC_CRED_ACTIVE, "and stays %s", mc_cred_state_name(sc.state));
    mc_credential_release(&sc);
    /* its list is still signed by its own issuer */
    memset(&l, 0, sizeof(l));
    CHECK_RC(mc_store_status_list_get(st, ours.id, lr, &l, NULL), MCRED_OK, "its list");
    CHECK(l.doc && mc_json_parse(l.doc, strlen(l.doc), 0, &doc, NULL) == MCRED_OK &&
          doc && mc_json_str(doc, "issuer") &&
          strcmp(mc_json_str(doc, "issuer"), second.did.ptr) == 0,
          "the list is the second issuer's: %s", doc && mc_json_str(doc, "issuer") ?
          mc_json_str(doc, "issuer") : "(none)");
    cJSON_Delete(doc);
    mc_status_list_release(&l);
    /* its own issuer may */
    CHECK_RC(mc_issue_set_state(&second.is, cred, MC_CRED_REVOKED, "test", NULL), MCRED_OK,
             "its issuer revokes it");
    mc_stack_def_release(&d);
    org_release(&second);
}

/* The platform's sweep of every organisation (what `mcred serve` runs on a
 * timer). An issuer key row without a key file (the schema allows it) makes
 * issuing say so, not crash (a regression: strlen(NULL) in key_get), and the
 * sweep goes on without an issuer for that organisation. */
static void platform_sweep(void)
{
    struct mc_platform_conf pc;
    struct mc_platform *p = NULL;
    struct mc_platform_issuer pi;
    struct mc_issuer_key row;
    struct mc_err err;
    uint8_t opkey[32];
    size_t looked = 0;

    memset(&row, 0, sizeof(row));
    row.org_id = other.id;
    row.issuer_id = other.issuer.id;
    row.vm_id = other.vm.ptr;
    row.public_multibase = (char *)(uintptr_t)"z6MkNoFileHere";
    mc_err_clear(&err);
    CHECK_RC(mc_store_key_add(st, &row, &err), MCRED_OK, "a key row without a key file");
    memset(opkey, 7, sizeof(opkey));
    memset(&pc, 0, sizeof(pc));
    pc.dsn = dsn;
    pc.public_url = PUB;
    pc.contexts = ctx;
    pc.cache = cache;
    pc.operator_key = opkey;
    CHECK_RC(mc_platform_open(&p, &pc, &err), MCRED_OK, "platform");
    if (!p)
        return;
    memset(&pi, 0, sizeof(pi));
    mc_err_clear(&err);
    CHECK_RC(mc_platform_issuing(p, st, other.id, 0, "test", &pi, &err), MCRED_ERR_NOTFOUND,
             "issuing with a key that has no key file");
    CHECK(strstr(err.msg, "no key file") != NULL, "says why: %s", err.msg);
    mc_err_clear(&err);
    CHECK_RC(mc_platform_sweep(p, st, &looked, &err), MCRED_OK,
             "the sweep goes on past that organisation");
    mc_platform_close(p);
}

/* Policy revoke and a suspension: flagged while suspended, whole again after. */
static void suspension(void)
{
    struct mc_stack_def d;
    struct mc_err err;
    struct mc_credential sc;
    char idA[256], cred[256];
    int64_t l;

    memset(&d, 0, sizeof(d));
    CHECK_RC(define("{\"achievement\":{\"id\":\"" U "PS\",\"type\":[\"Achievement\"],"
                    "\"name\":\"Suspension\",\"description\":\"d\",\"criteria\":{"
                    "\"narrative\":\"n\"}},\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\"},{\"achievement\":\"" U "B\"}]},\"onComponentRevoked\":\"revoke\"}",
                    &d, &err), MCRED_OK, "define PS");
    l = learner(ours.id, "suspended@u.example");
    CHECK_RC(issue(&ours, st, cache, "A", "suspended@u.example", base, NULL, idA), MCRED_OK, "A");
    CHECK_RC(issue(&ours, st, cache, "B", "suspended@u.example", base + 60, NULL, NULL),
             MCRED_OK, "B");
    CHECK_STR_EQ(award_state(d.id, l, cred), "issued", "suspension: awarded");
    CHECK_RC(mc_issue_set_state(&ours.is, idA, MC_CRED_SUSPENDED, "test", NULL), MCRED_OK,
             "suspend A");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "flagged", "a suspended component flags");
    memset(&sc, 0, sizeof(sc));
    CHECK_RC(mc_store_cred_get(st, ours.id, cred, &sc, NULL), MCRED_OK, "stack credential");
    CHECK(sc.state == MC_CRED_ACTIVE, "a suspension does not revoke the stack credential");
    mc_credential_release(&sc);
    CHECK_RC(mc_issue_set_state(&ours.is, idA, MC_CRED_ACTIVE, "test", NULL), MCRED_OK,
             "unsuspend A");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "lifted: whole again");
    CHECK_RC(mc_issue_set_state(&ours.is, idA, MC_CRED_REVOKED, "test", NULL), MCRED_OK,
             "revoke A");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "revoked", "then revoked: revoked");
    mc_stack_def_release(&d);
}

/* ---- progress and sweep ---------------------------------------------------------- */

static void progress_and_sweep(void)
{
    struct mc_stacks_ctx c;
    struct mc_stack_def d;
    struct mc_err err;
    struct mc_buf out;
    char until[32];
    cJSON *p = NULL;
    const cJSON *s0;
    size_t looked = 0, before = 0;
    int64_t l;
    time_t t = time(NULL);

    memset(&d, 0, sizeof(d));
    CHECK_RC(define("{\"achievementId\":\"" U "Q\",\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\"},{\"anyOf\":[{\"achievement\":\"" U "B\"},{\"allOf\":[{\"achievement"
                    "\":\"" U "C\"},{\"achievement\":\"" U "D\"}]}]}]},\"freshness\":true,"
                    "\"onComponentRevoked\":\"flag\"}", &d, &err), MCRED_OK, "define Q");
    if (err.rc)
        printf("  %s\n", err.msg);
    l = learner(ours.id, "progress@u.example");
    CHECK_RC(issue(&ours, st, cache, "C", "progress@u.example", t - 100, NULL, NULL), MCRED_OK,
             "C");
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.org = ours.id;
    c.is = &ours.is;
    mc_buf_init(&out, 0);
    CHECK_RC(mc_stacks_progress(&c, l, d.id, &out, &err), MCRED_OK, "progress");
    if (mc_json_parse(out.ptr, out.len, 0, &p, NULL) == MCRED_OK) {
        const cJSON *todo;

        s0 = cJSON_GetArrayItem(mc_json_get(p, "stacks"), 0);
        todo = mc_json_get(s0, "todo");
        CHECK(cJSON_IsFalse(mc_json_get(s0, "satisfied")), "progress: not satisfied");
        CHECK(cJSON_GetArraySize(mc_json_get(s0, "done")) == 1, "progress: C done");
        CHECK(cJSON_GetNumberValue(mc_json_get(s0, "missing")) == 2, "progress: 2 missing");
        CHECK(cJSON_GetArraySize(todo) == 2 &&
              strcmp(cJSON_GetArrayItem(todo, 0)->valuestring, U "A") == 0,
              "progress: the shortest way is A and B (or D)");
    }
    cJSON_Delete(p);
    p = NULL;
    mc_buf_release(&out);
    /* A expires in a minute; D completes it now */
    mc_time_format(t + 60, until);
    CHECK_RC(issue(&ours, st, cache, "A", "progress@u.example", t - 50, until, NULL), MCRED_OK,
             "A");
    CHECK_RC(issue(&ours, st, cache, "D", "progress@u.example", t - 40, NULL, NULL), MCRED_OK,
             "D");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "complete before expiry");
    c.now = t + 30;
    CHECK_RC(mc_stacks_sweep(&c, &before, &err), MCRED_OK, "sweep before expiry");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "before expiry");
    c.now = t + 120;
    CHECK_RC(mc_stacks_sweep(&c, &looked, &err), MCRED_OK, "sweep after expiry");
    /* (A is a component of other stacks too: their awards are due as well) */
    CHECK(looked > before, "sweep after expiry: %zu awards due, %zu before", looked, before);
    CHECK_STR_EQ(award_state(d.id, l, NULL), "flagged", "expired component: flagged");
    mc_stack_def_release(&d);
}

/* ---- without an issuer: pending, then issued by the sweep ----------------------- */

static void pending(void)
{
    struct mc_stacks_ctx c;
    struct mc_stack_def d;
    struct mc_err err;
    enum mc_verdict_kind kind;
    char *doc;
    size_t looked = 0;
    int64_t l;

    memset(&d, 0, sizeof(d));
    CHECK_RC(define("{\"achievementId\":\"" U "R\",\"rule\":{\"achievement\":\"" U "X\"}}", &d,
                    &err), MCRED_OK, "define R");
    l = learner(ours.id, "pending@u.example");
    doc = other_cred("pending@u.example", false);
    CHECK(doc && import(l, doc, &kind) == MCRED_OK && kind == MC_VERDICT_VALID,
          "pending: import");
    mc_free(doc);
    CHECK_STR_EQ(award_state(d.id, l, NULL), "pending", "wallet import without an issuer");
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.org = ours.id;
    c.is = &ours.is;
    CHECK_RC(mc_stacks_sweep(&c, &looked, &err), MCRED_OK, "sweep pending");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "issued by the sweep");
    mc_stack_def_release(&d);
}

/* ---- a stack defined after its components were issued ------------------------- */

static void late_definition(void)
{
    struct mc_stacks_ctx c;
    struct mc_stack_def d;
    struct mc_err err;
    int64_t l = learner(ours.id, "late@u.example");

    CHECK_RC(issue(&ours, st, cache, "C", "late@u.example", base, NULL, NULL), MCRED_OK, "C");
    CHECK_RC(issue(&ours, st, cache, "D", "late@u.example", base + 60, NULL, NULL), MCRED_OK,
             "D");
    memset(&d, 0, sizeof(d));
    CHECK_RC(define("{\"achievement\":{\"id\":\"" U "LATE\",\"type\":[\"Achievement\"],"
                    "\"name\":\"Late\",\"description\":\"d\",\"criteria\":{\"narrative\":"
                    "\"n\"}},\"rule\":{\"allOf\":[{\"achievement\":\"" U "C\"},{\"achievement"
                    "\":\"" U "D\"}]}}", &d, &err), MCRED_OK, "define LATE");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "none", "defined late: not evaluated yet");
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.org = ours.id;
    c.is = &ours.is;
    CHECK_RC(mc_stacks_evaluate(&c, l, d.id, &err), MCRED_OK, "evaluate one stack");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "evaluate awards it");
    CHECK_RC(mc_stacks_evaluate(&c, l, 0, &err), MCRED_OK, "evaluate every stack");
    CHECK_STR_EQ(award_state(d.id, l, NULL), "issued", "evaluate again: still once");
    CHECK_RC(mc_stacks_evaluate(&c, l, 999999, &err), MCRED_ERR_NOTFOUND, "an unknown stack");
    mc_stack_def_release(&d);
}

/* ---- exactly once: two threads, two handles, the same stacks -------------------- */

#define RACERS 12

struct racer {
    const char *ach;
    struct mc_store *s;
    struct mc_jsonld_cache *c;
    pthread_barrier_t *bar;
    int fails;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    int i;

    for (i = 0; i < RACERS; i++) {
        char email[100];

        snprintf(email, sizeof(email), "race%d@u.example", i);
        pthread_barrier_wait(r->bar);
        if (issue(&ours, r->s, r->c, r->ach, email, base + 1000 + i, NULL, NULL))
            r->fails++;
    }
    return NULL;
}

static void exactly_once(void)
{
    struct mc_stack_def d;
    struct mc_err err;
    struct racer r[2];
    pthread_t t[2];
    pthread_barrier_t bar;
    struct mc_stacks_stats before, after;
    int i, awarded = 0, creds = 0;
    size_t off = 0;

    memset(&d, 0, sizeof(d));
    /* either component completes it: both threads find it satisfied at once */
    CHECK_RC(define("{\"achievementId\":\"" U "T\",\"rule\":{\"anyOf\":[{\"achievement\":\"" U
                    "E\"},{\"achievement\":\"" U "F\"}]}}", &d, &err), MCRED_OK, "define T");
    for (i = 0; i < RACERS; i++) {
        char email[100];

        snprintf(email, sizeof(email), "race%d@u.example", i);
        learner(ours.id, email);
    }
    mc_stacks_stats(&before);
    pthread_barrier_init(&bar, NULL, 2);
    for (i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].ach = i ? "F" : "E";
        r[i].bar = &bar;
        CHECK_RC(mc_store_open(&r[i].s, dsn, NULL), MCRED_OK, "second handle");
        CHECK_RC(mc_jsonld_cache_new(&r[i].c), MCRED_OK, "cache");
    }
    for (i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, race, &r[i]);
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    mc_stacks_stats(&after);
    for (i = 0; i < 2; i++) {
        CHECK(r[i].fails == 0, "racer %d: %d issues failed", i, r[i].fails);
        mc_store_close(r[i].s);
        mc_jsonld_cache_free(r[i].c);
    }
    for (i = 0; i < RACERS; i++) {
        char email[100];
        struct mc_learner l;

        snprintf(email, sizeof(email), "race%d@u.example", i);
        memset(&l, 0, sizeof(l));
        if (mc_store_learner_get(st, ours.id, 0, email, &l, NULL) == MCRED_OK)
            awarded += strcmp(award_state(d.id, l.id, NULL), "issued") == 0;
        mc_learner_release(&l);
    }
    CHECK(awarded == RACERS, "exactly once: %d of %d learners awarded", awarded, RACERS);
    /* count the stack credentials themselves: one per learner, never two */
    for (;;) {
        struct mc_store_list page;
        struct mc_achievement a;
        size_t k;

        memset(&a, 0, sizeof(a));
        if (mc_store_achievement_get(st, ours.id, 0, U "T", &a, NULL) ||
            mc_store_cred_list(st, ours.id, off, 1000, &page, NULL)) {
            mc_achievement_release(&a);
            break;
        }
        for (k = 0; k < page.n; k++)
            creds += ((struct mc_credential *)page.rows)[k].achievement_id == a.id;
        off += page.n;
        k = page.n;
        mc_store_list_clear(&page);
        mc_achievement_release(&a);
        if (k < 1000)
            break;
    }
    CHECK(creds == RACERS, "exactly once: %d stack credentials for %d learners", creds,
          RACERS);
    CHECK(after.issued - before.issued == RACERS, "exactly once: %llu issued",
          after.issued - before.issued);
    printf("  exactly once: %d learners, 2 threads, %llu evaluations, %d stack credentials\n",
           RACERS, after.evaluations - before.evaluations, creds);
    mc_stack_def_release(&d);
}

/* ---- definition-time errors ----------------------------------------------------- */

static void bad_input(void)
{
    struct mc_err err;
    struct mc_buf big;
    int i;

    /* cycles across stacks: V needs W, W needs V */
    achievement(ours.id, "V", 0);
    achievement(ours.id, "W", 0);
    CHECK_RC(define("{\"achievementId\":\"" U "V\",\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\"},{\"achievement\":\"" U "W\"}]}}", NULL, &err), MCRED_OK, "define V");
    CHECK_RC(define("{\"achievementId\":\"" U "W\",\"rule\":{\"anyOf\":[{\"achievement\":\"" U
                    "B\"},{\"achievement\":\"" U "V\"}]}}", NULL, &err), MCRED_ERR_INVALID,
             "cycle V -> W -> V");
    CHECK(strstr(err.msg, "cycle") != NULL, "cycle message: %s", err.msg);
    printf("  cycle: %s\n", err.msg);
    CHECK_RC(define("{\"achievementId\":\"" U "W\",\"rule\":{\"achievement\":\"" U "W\"}}",
                    NULL, &err), MCRED_ERR_INVALID, "a stack of itself");
    CHECK(strstr(err.msg, "cycle") != NULL, "self cycle message: %s", err.msg);
    /* prerequisites in a cycle */
    CHECK_RC(define("{\"achievementId\":\"" U "W\",\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\",\"after\":\"" U "B\"},{\"achievement\":\"" U "B\",\"after\":\"" U
                    "A\"}]}}", NULL, &err), MCRED_ERR_INVALID, "prerequisite cycle");
    printf("  prerequisites: %s\n", err.msg);
    /* unknown achievement */
    CHECK_RC(define("{\"achievementId\":\"" U "W\",\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\"},{\"achievement\":\"https://nowhere.example/x\"}]}}", NULL, &err),
             MCRED_ERR_INVALID, "unknown achievement");
    CHECK(strstr(err.msg, "unknown achievement 'https://nowhere.example/x'") != NULL &&
          strstr(err.msg, "rule.allOf[1].achievement") != NULL, "unknown: %s", err.msg);
    printf("  unknown: %s\n", err.msg);
    /* ... unless declared external */
    CHECK_RC(define("{\"achievementId\":\"" U "W\",\"rule\":{\"allOf\":[{\"achievement\":\"" U
                    "A\"},{\"achievement\":\"https://nowhere.example/x\"}]},\"external\":"
                    "[\"https://nowhere.example/x\"]}", NULL, &err), MCRED_OK, "external");
    /* 10,000 components */
    mc_buf_init(&big, 0);
    CHECK_RC(mc_buf_appends(&big, "{\"achievementId\":\"" U "V2\",\"rule\":{\"allOf\":["),
             MCRED_OK, "big");
    for (i = 0; i < 10000; i++) {
        char one[100];

        snprintf(one, sizeof(one), "%s{\"achievement\":\"" U "A\"}", i ? "," : "");
        if (mc_buf_appends(&big, one))
            break;
    }
    CHECK_RC(mc_buf_appends(&big, "]}}"), MCRED_OK, "big");
    achievement(ours.id, "V2", 0);
    CHECK_RC(define(big.ptr, NULL, &err), MCRED_ERR_LIMIT, "10,000 components");
    CHECK(strstr(err.msg, "more than 1000") != NULL, "10,000: %s", err.msg);
    printf("  10,000 components: %s\n", err.msg);
    mc_buf_release(&big);
    /* the stack's own achievement must be the organisation's */
    CHECK_RC(define("{\"achievementId\":\"" U "nope\",\"rule\":{\"achievement\":\"" U "A\"}}",
                    NULL, &err), MCRED_ERR_INVALID, "unknown stack achievement");
    CHECK_RC(define("{\"achievementId\":\"" U "V\",\"rule\":{\"achievement\":\"" U "A\"}}",
                    NULL, &err), MCRED_ERR_CONFLICT, "a stack twice");
    CHECK_RC(define("{\"achievementId\":\"" U "V2\",\"rule\":{\"achievement\":\"" U "A\"},"
                    "\"onComponentRevoked\":\"shrug\"}", NULL, &err), MCRED_ERR_INVALID,
             "bad policy");
    CHECK_RC(define("[1,2]", NULL, &err), MCRED_ERR_INVALID, "not an object");
    CHECK_RC(define("{\"achievementId\":\"" U "V2\",\"rule\":{\"achievement\":\"" U "A\"},"
                    "\"extra\":1}", NULL, &err), MCRED_ERR_INVALID, "unknown member");
}

static void run(const char *label, const char *the_dsn)
{
    struct mc_err err;
    const char *names = "ABCDEFQ";
    static const int credits[] = { 2, 3, 4, 5, 0, 0, 0 };
    char on[100], tn[100];
    int i, before = check_failed;

    snprintf(dsn, sizeof(dsn), "%s", the_dsn);
    mc_err_clear(&err);
    CHECK_RC(mc_store_open(&st, dsn, &err), MCRED_OK, "open");
    if (!st) {
        printf("  %s: %s\n", label, err.msg);
        return;
    }
    snprintf(on, sizeof(on), "Stack University %s %ld", label, (long)getpid());
    snprintf(tn, sizeof(tn), "Other College %s %ld", label, (long)getpid());
    memset(&ours, 0, sizeof(ours));
    memset(&other, 0, sizeof(other));
    org_init(&ours, on, 11, st);
    org_init(&other, tn, 22, st);
    for (i = 0; names[i]; i++) {
        char n[2] = { names[i], 0 };

        achievement(ours.id, n, credits[i]);
    }
    achievement(ours.id, "R", 0);
    achievement(ours.id, "T", 0);
    achievement(other.id, "X", 0);
    run_cases();
    policies();
    two_issuers();
    suspension();
    progress_and_sweep();
    pending();
    late_definition();
    exactly_once();
    bad_input();
    platform_sweep();
    mc_store_close(st);
    st = NULL;
    org_release(&ours);
    org_release(&other);
    printf("%-4s %s: rules x wallets, policies, progress, sweep, exactly once, bad input\n",
           check_failed == before ? "ok" : "FAIL", label);
}

int main(void)
{
    char dir[] = "/tmp/mcred-stacks-XXXXXX", cmd[400], path[300];
    const char *pg = getenv("MCRED_TEST_PG");

    if (sodium_init() < 0 || !mkdtemp(dir))
        return 2;
    base = time(NULL) - 86400;
    CHECK_RC(mc_ctxstore_new(&ctx, NULL, NULL), MCRED_OK, "contexts");
    CHECK_RC(mc_jsonld_cache_new(&cache), MCRED_OK, "cache");
    snprintf(path, sizeof(path), "sqlite:%s/stacks.db", dir);
    run("sqlite", path);
    if (pg && pg[0])
        run("postgres", pg);
    else
        printf("SKIP postgres: MCRED_TEST_PG not set (the SQLite half ran)\n");
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(ctx);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (getenv("KEEP_DB"))
        printf("kept %s\n", dir);
    else if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_report();
}
