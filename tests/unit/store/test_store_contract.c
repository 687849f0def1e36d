/* test_store_contract.c - the store contract suite: one table of cases run
 * against every backend, SQLite (":memory:" and a temporary file) and
 * PostgreSQL (the DSN in MCRED_TEST_PG; scripts/with-pg.sh starts a server
 * and sets it). Without MCRED_TEST_PG the SQLite half still runs, and the
 * program exits 77 when nothing failed. Names are made unique per run, so a
 * database may be reused. Also: allocation-failure injection on the SQLite
 * half, and the schema's own guarantees (WAL, append-only audit) checked
 * through a second, raw connection.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "crypto/hash.h"        /* v3 oauth: secrets are stored as hashes */
#include "store/store.h"
#include "store/store_int.h"   /* the number of migrations this build carries */

/* --- fixture ------------------------------------------------------------------- */

struct fx {
    const char *label;        /* "sqlite :memory:" */
    const char *dsn;
    bool shared;              /* a second handle sees the same database */
    bool pg;
    const char *sqlite_path;  /* the file, for raw checks; NULL otherwise */
    struct mc_store *st;
    struct mc_err err;
    int serial;               /* makes names unique within the run */
};

static char run_tag[64];      /* unique per run: names in a reused database */

/* A unique name: "<run>-<label>-<what>-<serial>". */
static void unique_name(struct fx *f, const char *what, char *buf, size_t n)
{
    snprintf(buf, n, "%s-%s-%s-%d", run_tag, f->pg ? "pg" : f->shared ? "file" : "mem", what,
             ++f->serial);
}

static int64_t new_org(struct fx *f)
{
    char name[160];
    int64_t id = 0;

    unique_name(f, "org", name, sizeof(name));
    CHECK_RC(mc_store_org_create(f->st, name, &id, &f->err), MCRED_OK, "org_create");
    return id;
}

static int64_t new_issuer(struct fx *f, int64_t org)
{
    struct mc_issuer is = { 0 };

    is.org_id = org;
    is.name = "Test University";
    CHECK_RC(mc_store_issuer_put(f->st, &is, &f->err), MCRED_OK, "issuer_put");
    return is.id;
}

static int64_t new_achievement(struct fx *f, int64_t org, const char *uri)
{
    struct mc_achievement a = { 0 };
    char buf[200];

    snprintf(buf, sizeof(buf), "%s", uri);
    a.org_id = org;
    a.uri = buf;
    a.json = "{\"type\":[\"Achievement\"],\"name\":\"Welding 1\"}";
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "achievement_put");
    return a.id;
}

static int64_t new_list(struct fx *f, int64_t org, int64_t issuer,
                        enum mc_status_purpose purpose)
{
    struct mc_status_list sl = { 0 };
    char url[200];

    unique_name(f, "list", url, sizeof(url));
    sl.org_id = org;
    sl.issuer_id = issuer;
    sl.purpose = purpose;
    sl.url = url;
    sl.size = MC_STORE_STATUS_MIN_SIZE;
    CHECK_RC(mc_store_status_list_create(f->st, &sl, &f->err), MCRED_OK, "status_list_create");
    CHECK(sl.next_index == 0 && sl.updated > 0, "a new list starts at 0 (%s)", f->label);
    return sl.id;
}

/* A credential row for org/issuer/achievement with id and idem_key in bufs. */
static void cred_init(struct mc_credential *c, int64_t org, int64_t issuer, int64_t ach,
                      char *id, char *idem)
{
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->org_id = org;
    c->issuer_id = issuer;
    c->achievement_id = ach;
    c->idem_key = idem;
    c->recipient = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    c->state = MC_CRED_ACTIVE;
    c->issued = 1700000000;
    c->doc = "{\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"]}";
}

/* --- cases --------------------------------------------------------------------- */

static void t_open(struct fx *f)
{
    struct mc_store *again = NULL;
    int version = 0;

    CHECK(strcmp(mc_store_ops(f->st)->name, f->pg ? "postgres" : "sqlite") == 0,
          "backend chosen by dsn (%s)", f->label);
    CHECK(mc_store_ops(f->st)->version >= 1, "ops version");
    CHECK_RC(mc_store_migrate(f->st, &version, &f->err), MCRED_OK, "migrate again");
    CHECK(version == (int)mc_migrations_sqlite_n, "schema at the newest migration (%s): %d",
          f->label, version);
    if (!f->shared)
        return;
    /* a second opener finds the schema in place and migrates nothing */
    CHECK_RC(mc_store_open(&again, f->dsn, &f->err), MCRED_OK, "second open");
    CHECK_RC(mc_store_migrate(again, &version, &f->err), MCRED_OK, "migrate from second");
    CHECK(version == (int)mc_migrations_sqlite_n, "second handle sees the same version");
    mc_store_close(again);
}

static void t_orgs(struct fx *f)
{
    struct mc_org o;
    char name[160];
    int64_t id = 0, id2 = 0;

    unique_name(f, "org", name, sizeof(name));
    CHECK_RC(mc_store_org_create(f->st, name, &id, &f->err), MCRED_OK, "org_create");
    CHECK(id > 0, "org id");
    CHECK_RC(mc_store_org_create(f->st, name, &id2, &f->err), MCRED_ERR_CONFLICT,
             "same name again");
    CHECK(id2 == 0 && strstr(f->err.msg, name), "conflict names the org: %s", f->err.msg);
    CHECK_RC(mc_store_org_get(f->st, id, &o, &f->err), MCRED_OK, "org_get");
    CHECK(o.id == id && o.created > 0, "org row");
    CHECK_STR_EQ(o.name, name, "org name round trip");
    mc_org_release(&o);
    CHECK_RC(mc_store_org_find(f->st, name, &o, &f->err), MCRED_OK, "org_find");
    CHECK(o.id == id, "found by name");
    mc_org_release(&o);
    CHECK_RC(mc_store_org_get(f->st, id + 1000000, &o, &f->err), MCRED_ERR_NOTFOUND,
             "missing org");
    CHECK(o.name == NULL && o.id == 0, "row zeroed on NOTFOUND");
    CHECK_RC(mc_store_org_find(f->st, "no such org at all", &o, &f->err), MCRED_ERR_NOTFOUND,
             "missing org name");
    {
        struct mc_store_list l;
        const struct mc_org *rows;
        size_t i, seen = 0;

        CHECK_RC(mc_store_org_list(f->st, &l, &f->err), MCRED_OK, "org_list");
        rows = l.rows;
        for (i = 0; i < l.n; i++) {
            if (rows[i].id == id) {
                seen++;
                CHECK_STR_EQ(rows[i].name, name, "org_list row");
            }
            CHECK(i == 0 || rows[i].id > rows[i - 1].id, "org_list oldest first");
        }
        CHECK(seen == 1, "org_list holds the new organisation once (%zu)", seen);
        mc_store_list_clear(&l);
        CHECK_RC(mc_store_org_list(f->st, NULL, &f->err), MCRED_ERR_INVALID, "org_list: no out");
    }
}

static void t_users(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), u1 = 0, u2 = 0, u3 = 0;
    struct mc_store_list l;
    struct mc_user u;
    const struct mc_user *rows;
    char hash[160];

    CHECK_RC(mc_store_user_add(f->st, org, "ada@example.org", MC_ROLE_ADMIN, &u1, &f->err),
             MCRED_OK, "user_add");
    CHECK_RC(mc_store_user_add(f->st, org, "bob@example.org", MC_ROLE_RECRUITER, &u2, &f->err),
             MCRED_OK, "user_add 2");
    CHECK_RC(mc_store_user_add(f->st, org, "ada@example.org", MC_ROLE_ISSUER, &u3, &f->err),
             MCRED_ERR_CONFLICT, "same e-mail in the org");
    CHECK_RC(mc_store_user_add(f->st, other, "ada@example.org", MC_ROLE_ISSUER, &u3, &f->err),
             MCRED_OK, "same e-mail in another org");
    CHECK_RC(mc_store_user_add(f->st, org, "x@example.org", (enum mc_role)42, &u3, &f->err),
             MCRED_ERR_INVALID, "unknown role");
    CHECK_RC(mc_store_user_list(f->st, org, &l, &f->err), MCRED_OK, "user_list");
    rows = l.rows;
    CHECK(l.n == 2 && rows[0].id == u1 && rows[1].id == u2, "two users, oldest first");
    CHECK(l.n == 2 && rows[1].role == MC_ROLE_RECRUITER && rows[1].org_id == org, "user row");
    mc_store_list_clear(&l);
    CHECK(l.rows == NULL && l.n == 0, "list cleared");

    unique_name(f, "tokenhash", hash, sizeof(hash));
    CHECK_RC(mc_store_token_add(f->st, org, u2, hash, &f->err), MCRED_OK, "token_add");
    CHECK_RC(mc_store_token_add(f->st, org, u1, hash, &f->err), MCRED_ERR_CONFLICT,
             "token hash taken");
    CHECK_RC(mc_store_token_find(f->st, hash, &u, &f->err), MCRED_OK, "token_find");
    CHECK(u.id == u2 && u.org_id == org && u.role == MC_ROLE_RECRUITER, "token's user");
    CHECK_STR_EQ(u.email, "bob@example.org", "token user e-mail");
    mc_user_release(&u);
    CHECK_RC(mc_store_token_find(f->st, "nope", &u, &f->err), MCRED_ERR_NOTFOUND,
             "unknown token");
    unique_name(f, "tokenhash", hash, sizeof(hash));
    CHECK_RC(mc_store_token_add(f->st, other, u2, hash, &f->err), MCRED_ERR_INVALID,
             "a token for another org's user (composite foreign key)");
}

static void t_keys(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_issuer is = { 0 }, got;
    struct mc_issuer_key k1 = { 0 }, k2 = { 0 }, k3 = { 0 }, dup = { 0 };
    const struct mc_issuer_key *rows;
    struct mc_store_list l;

    is.org_id = org;
    is.name = "Guild";
    is.url = "https://guild.example";
    is.did = "did:web:guild.example";
    CHECK_RC(mc_store_issuer_put(f->st, &is, &f->err), MCRED_OK, "issuer insert");
    CHECK(is.id > 0 && is.created > 0, "issuer id and created set");
    CHECK_RC(mc_store_issuer_get(f->st, org, is.id, &got, &f->err), MCRED_OK, "issuer_get");
    CHECK_STR_EQ(got.name, "Guild", "issuer name");
    CHECK_STR_EQ(got.did, "did:web:guild.example", "issuer did");
    CHECK(got.email == NULL && got.image == NULL, "NULL fields stay NULL");
    mc_issuer_release(&got);
    is.email = "badges@guild.example";
    CHECK_RC(mc_store_issuer_put(f->st, &is, &f->err), MCRED_OK, "issuer update");
    CHECK_RC(mc_store_issuer_get(f->st, org, is.id, &got, &f->err), MCRED_OK, "issuer_get 2");
    CHECK_STR_EQ(got.email, "badges@guild.example", "updated e-mail");
    CHECK(got.created == is.created, "created kept");
    mc_issuer_release(&got);
    CHECK_RC(mc_store_issuer_get(f->st, other, is.id, &got, &f->err), MCRED_ERR_NOTFOUND,
             "issuer of another org");
    is.org_id = other;
    CHECK_RC(mc_store_issuer_put(f->st, &is, &f->err), MCRED_ERR_NOTFOUND,
             "update in another org");
    is.org_id = org;

    k1.org_id = k2.org_id = k3.org_id = dup.org_id = org;
    k1.issuer_id = k2.issuer_id = k3.issuer_id = dup.issuer_id = is.id;
    k1.vm_id = "did:web:guild.example#key-1";
    k2.vm_id = "did:web:guild.example#key-2";
    k3.vm_id = "did:web:guild.example#key-0";
    dup.vm_id = k1.vm_id;
    k1.public_multibase = k2.public_multibase = k3.public_multibase = dup.public_multibase =
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    k1.key_file = "{\"sealed\":\"...\"}";
    k1.created = 1000;
    k2.created = 2000;
    k3.created = 500;
    CHECK_RC(mc_store_key_add(f->st, &k1, &f->err), MCRED_OK, "key_add 1");
    CHECK_RC(mc_store_key_add(f->st, &k2, &f->err), MCRED_OK, "key_add 2");
    CHECK_RC(mc_store_key_add(f->st, &dup, &f->err), MCRED_ERR_CONFLICT, "same vm_id");
    CHECK_RC(mc_store_key_retire(f->st, org, k1.id, 1500, &f->err), MCRED_OK, "retire key 1");
    CHECK_RC(mc_store_key_retire(f->st, org, k1.id, 1600, &f->err), MCRED_ERR_CONFLICT,
             "retire twice");
    CHECK_RC(mc_store_key_retire(f->st, other, k2.id, 1600, &f->err), MCRED_ERR_NOTFOUND,
             "retire another org's key");
    CHECK_RC(mc_store_key_retire(f->st, org, k2.id + 1000000, 1600, &f->err),
             MCRED_ERR_NOTFOUND, "retire a missing key");
    CHECK_RC(mc_store_key_add(f->st, &k3, &f->err), MCRED_OK, "key_add older");
    CHECK_RC(mc_store_key_list(f->st, org, is.id, &l, &f->err), MCRED_OK, "key_list");
    rows = l.rows;
    CHECK(l.n == 3, "three keys: %zu", l.n);
    if (l.n == 3) {
        CHECK(rows[0].id == k3.id && rows[1].id == k1.id && rows[2].id == k2.id,
              "oldest first by created");
        CHECK(rows[1].retired == 1500 && rows[2].retired == 0 && rows[0].retired == 0,
              "retirement kept from the first retire");
        CHECK_STR_EQ(rows[1].key_file, "{\"sealed\":\"...\"}", "key file round trip");
        CHECK(rows[0].key_file == NULL, "verify-only key has no key file");
        CHECK_STR_EQ(rows[2].vm_id, k2.vm_id, "vm_id round trip");
    }
    mc_store_list_clear(&l);
    k3.org_id = other;
    k3.vm_id = "did:web:other.example#key-1";
    CHECK_RC(mc_store_key_add(f->st, &k3, &f->err), MCRED_ERR_INVALID,
             "key for another org's issuer");
}

static void t_achievements(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_achievement a = { 0 }, b = { 0 }, got;
    const struct mc_achievement *rows;
    struct mc_store_list l;

    a.org_id = b.org_id = org;
    a.uri = b.uri = "https://example.org/achievements/weld";
    a.json = "{\"v\":1}";
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "put v1");
    b.json = "{\"v\":2}";
    CHECK_RC(mc_store_achievement_put(f->st, &b, &f->err), MCRED_OK, "put v2");
    CHECK(a.version == 1 && b.version == 2 && a.id != b.id, "versions 1 and 2");
    CHECK_RC(mc_store_achievement_get(f->st, org, 0, a.uri, &got, &f->err), MCRED_OK,
             "get latest");
    CHECK(got.version == 2 && got.id == b.id, "latest is v2");
    CHECK_STR_EQ(got.json, "{\"v\":2}", "v2 json");
    mc_achievement_release(&got);
    CHECK_RC(mc_store_achievement_get(f->st, org, a.id, NULL, &got, &f->err), MCRED_OK,
             "get v1 by id");
    CHECK(got.version == 1, "v1 by id");
    CHECK_STR_EQ(got.json, "{\"v\":1}", "v1 json");
    CHECK_STR_EQ(got.uri, a.uri, "uri round trip");
    mc_achievement_release(&got);
    CHECK_RC(mc_store_achievement_get(f->st, other, a.id, NULL, &got, &f->err),
             MCRED_ERR_NOTFOUND, "another org's achievement");
    CHECK_RC(mc_store_achievement_get(f->st, org, 0, "https://example.org/none", &got,
                                      &f->err), MCRED_ERR_NOTFOUND, "unknown uri");
    a.id = 0;
    a.uri = "https://example.org/achievements/anvil";
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "second uri");
    CHECK(a.version == 1, "a new uri starts at 1");
    a.org_id = other;
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "same uri, other org");
    CHECK(a.version == 1, "versions count per org");
    CHECK_RC(mc_store_achievement_list(f->st, org, &l, &f->err), MCRED_OK, "list");
    rows = l.rows;
    CHECK(l.n == 2, "latest version of each uri: %zu", l.n);
    if (l.n == 2) {
        CHECK_STR_EQ(rows[0].uri, "https://example.org/achievements/anvil", "ordered by uri");
        CHECK(rows[1].version == 2, "weld at v2");
    }
    mc_store_list_clear(&l);
}

static void t_learners(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_learner a = { 0 }, b = { 0 }, c = { 0 }, got;
    struct mc_store_list l;

    a.org_id = b.org_id = c.org_id = org;
    a.name = "Ada";
    a.email = "ada@example.org";
    a.did = "did:key:z6MkAda";
    CHECK_RC(mc_store_learner_put(f->st, &a, &f->err), MCRED_OK, "learner insert");
    b.name = "Ada again";
    b.email = "ada@example.org";
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_ERR_CONFLICT, "same e-mail");
    b.email = "ada2@example.org";
    b.did = "did:key:z6MkAda";
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_ERR_CONFLICT, "same did");
    b.did = NULL;
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_OK, "no did");
    c.name = "Anonymous";
    CHECK_RC(mc_store_learner_put(f->st, &c, &f->err), MCRED_OK, "no e-mail, no did");
    c.id = 0;
    CHECK_RC(mc_store_learner_put(f->st, &c, &f->err), MCRED_OK, "NULLs are not duplicates");
    CHECK_RC(mc_store_learner_get(f->st, org, 0, "ada@example.org", &got, &f->err), MCRED_OK,
             "by e-mail");
    CHECK(got.id == a.id, "found Ada by e-mail");
    mc_learner_release(&got);
    CHECK_RC(mc_store_learner_get(f->st, org, 0, "did:key:z6MkAda", &got, &f->err), MCRED_OK,
             "by did");
    CHECK(got.id == a.id && got.created == a.created, "found Ada by did");
    CHECK_STR_EQ(got.name, "Ada", "name round trip");
    mc_learner_release(&got);
    CHECK_RC(mc_store_learner_get(f->st, org, b.id, NULL, &got, &f->err), MCRED_OK, "by id");
    CHECK(got.did == NULL, "NULL did");
    mc_learner_release(&got);
    CHECK_RC(mc_store_learner_get(f->st, other, 0, "ada@example.org", &got, &f->err),
             MCRED_ERR_NOTFOUND, "e-mail in another org");
    CHECK_RC(mc_store_learner_get(f->st, org, 0, "nobody@example.org", &got, &f->err),
             MCRED_ERR_NOTFOUND, "unknown e-mail");
    b.name = "Bea";
    b.did = "did:key:z6MkBea";
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_OK, "update");
    CHECK_RC(mc_store_learner_get(f->st, org, 0, "did:key:z6MkBea", &got, &f->err), MCRED_OK,
             "by new did");
    CHECK(got.id == b.id, "updated row");
    CHECK_STR_EQ(got.name, "Bea", "updated name");
    mc_learner_release(&got);
    b.email = "ada@example.org";
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_ERR_CONFLICT,
             "update to a taken e-mail");
    b.id += 1000000;
    CHECK_RC(mc_store_learner_put(f->st, &b, &f->err), MCRED_ERR_NOTFOUND, "update missing");
    CHECK_RC(mc_store_learner_list(f->st, org, &l, &f->err), MCRED_OK, "learner_list");
    CHECK(l.n == 4, "four learners: %zu", l.n);
    mc_store_list_clear(&l);
}

static void t_status_alloc(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t list = new_list(f, org, issuer, MC_STATUS_PURPOSE_REVOCATION), first = -1, list2;
    struct mc_status_list sl;
    const struct mc_status_list *rows;
    struct mc_store_list l;
    char url[200] = "";
    const int64_t size = MC_STORE_STATUS_MIN_SIZE;

    CHECK_RC(mc_store_status_list_current(f->st, org, issuer, MC_STATUS_PURPOSE_REVOCATION,
                                          &sl, &f->err), MCRED_OK, "current list");
    CHECK(sl.id == list && sl.size == size && sl.doc == NULL, "the new list is current");
    mc_status_list_release(&sl);
    CHECK_RC(mc_store_status_list_current(f->st, org, issuer, MC_STATUS_PURPOSE_SUSPENSION,
                                          &sl, &f->err), MCRED_ERR_NOTFOUND,
             "no suspension list yet");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, 1, &first, &f->err), MCRED_OK, "alloc 1");
    CHECK(first == 0, "first index 0");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, 10, &first, &f->err), MCRED_OK, "alloc 10");
    CHECK(first == 1, "then 1..10");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, 5, &first, &f->err), MCRED_OK, "alloc 5");
    CHECK(first == 11, "then 11..15");
    CHECK_RC(mc_store_status_alloc(f->st, other, list, 1, &first, &f->err), MCRED_ERR_NOTFOUND,
             "another org's list");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, 0, &first, &f->err), MCRED_ERR_INVALID,
             "alloc 0");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, size - 16 + 1, &first, &f->err),
             MCRED_ERR_LIMIT, "one more than is left");
    CHECK(first == 0, "first zeroed on failure");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, size - 16, &first, &f->err), MCRED_OK,
             "the rest");
    CHECK(first == 16, "rest from 16");
    CHECK_RC(mc_store_status_alloc(f->st, org, list, 1, &first, &f->err), MCRED_ERR_LIMIT,
             "LIMIT at the end");
    CHECK(strstr(f->err.msg, "fewer than") != NULL, "LIMIT message: %s", f->err.msg);
    CHECK_RC(mc_store_status_list_get(f->st, org, list, &sl, &f->err), MCRED_OK, "get list");
    CHECK(sl.next_index == size, "next_index at the end");
    mc_status_list_release(&sl);
    CHECK_RC(mc_store_status_list_current(f->st, org, issuer, MC_STATUS_PURPOSE_REVOCATION,
                                          &sl, &f->err), MCRED_ERR_NOTFOUND, "full: none current");
    list2 = new_list(f, org, issuer, MC_STATUS_PURPOSE_REVOCATION);
    CHECK_RC(mc_store_status_list_current(f->st, org, issuer, MC_STATUS_PURPOSE_REVOCATION,
                                          &sl, &f->err), MCRED_OK, "current after a new list");
    CHECK(sl.id == list2, "the new list is current");
    mc_status_list_release(&sl);
    CHECK_RC(mc_store_status_list_set_doc(f->st, org, list2, "{\"signed\":true}", 1700000500,
                                          &f->err), MCRED_OK, "set_doc");
    CHECK_RC(mc_store_status_list_get(f->st, org, list2, &sl, &f->err), MCRED_OK, "get list2");
    CHECK(sl.updated == 1700000500 && sl.purpose == MC_STATUS_PURPOSE_REVOCATION, "list row");
    CHECK_STR_EQ(sl.doc, "{\"signed\":true}", "doc round trip");
    mc_status_list_release(&sl);
    CHECK_RC(mc_store_status_list_set_doc(f->st, other, list2, "{}", 0, &f->err),
             MCRED_ERR_NOTFOUND, "set_doc in another org");
    CHECK_RC(mc_store_status_list_all(f->st, org, &l, &f->err), MCRED_OK, "status_list_all");
    rows = l.rows;
    CHECK(l.n == 2 && rows[0].id == list && rows[1].id == list2, "both lists, oldest first");
    if (l.n == 2) {
        CHECK(rows[0].doc == NULL && rows[1].doc != NULL, "documents included");
        (void)snprintf(url, sizeof(url), "%s", rows[1].url);
    }
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_status_list_find(f->st, org, url, &sl, &f->err), MCRED_OK, "find by url");
    CHECK(sl.id == list2, "found list2 by its url");
    mc_status_list_release(&sl);
    CHECK_RC(mc_store_status_list_find(f->st, other, url, &sl, &f->err), MCRED_ERR_NOTFOUND,
             "url in another org");
    CHECK_RC(mc_store_status_list_all(f->st, other, &l, &f->err), MCRED_OK, "all of other");
    CHECK(l.n == 0 && l.rows == NULL, "no lists in the other org");
    mc_store_list_clear(&l);
    sl.org_id = org;
    sl.issuer_id = issuer;
    sl.purpose = MC_STATUS_PURPOSE_MESSAGE;
    sl.url = "https://example.org/status/x";
    sl.size = size;
    CHECK_RC(mc_store_status_list_create(f->st, &sl, &f->err), MCRED_ERR_INVALID,
             "a purpose the store does not keep");
    sl.purpose = MC_STATUS_PURPOSE_SUSPENSION;
    sl.size = size - 1;
    CHECK_RC(mc_store_status_list_create(f->st, &sl, &f->err), MCRED_ERR_INVALID,
             "below the spec's minimum size");
}

/* Alloc-and-put n credentials on one revocation and one suspension list;
 * ids[i] holds their ids. */
static void put_status_creds(struct fx *f, int64_t org, int64_t issuer, int64_t ach,
                             int64_t rev, int64_t sus, char ids[][96], int n)
{
    struct mc_credential c;
    int64_t r0 = 0, s0 = 0;
    int i;

    CHECK_RC(mc_store_status_alloc(f->st, org, rev, n, &r0, &f->err), MCRED_OK, "alloc rev");
    CHECK_RC(mc_store_status_alloc(f->st, org, sus, n, &s0, &f->err), MCRED_OK, "alloc sus");
    for (i = 0; i < n; i++) {
        unique_name(f, "urn:cred", ids[i], 96);
        cred_init(&c, org, issuer, ach, ids[i], NULL);
        c.status_list_rev = rev;
        c.status_index_rev = r0 + i;
        c.status_list_sus = sus;
        c.status_index_sus = s0 + i;
        CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put status cred");
    }
}

static void check_bits(struct fx *f, int64_t org, int64_t list, const int64_t *want, size_t n,
                       const char *what)
{
    int64_t *got = NULL;
    size_t k = 99, i;

    CHECK_RC(mc_store_status_set_bits(f->st, org, list, &got, &k, &f->err), MCRED_OK, what);
    CHECK(k == n, "%s: %zu set, want %zu (%s)", what, k, n, f->label);
    for (i = 0; i < n && i < k; i++)
        CHECK(got[i] == want[i], "%s: [%zu] = %lld, want %lld", what, i, (long long)got[i],
              (long long)want[i]);
    CHECK(n > 0 || got == NULL, "%s: NULL when none", what);
    mc_free(got);
}

static void t_status_bits(struct fx *f)
{
    int64_t org = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/bits");
    int64_t rev = new_list(f, org, issuer, MC_STATUS_PURPOSE_REVOCATION);
    int64_t sus = new_list(f, org, issuer, MC_STATUS_PURPOSE_SUSPENSION);
    char ids[8][96];
    static const int64_t want_rev[] = { 1, 6 }, want_sus1[] = { 2, 3, 6 }, want_sus2[] = { 3 };
    int64_t *none = (int64_t *)1;
    size_t n = 7;

    check_bits(f, org, rev, NULL, 0, "no bits on a new list");
    put_status_creds(f, org, issuer, ach, rev, sus, ids, 8);
    check_bits(f, org, rev, NULL, 0, "all active");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[2], MC_CRED_SUSPENDED, "review", &f->err),
             MCRED_OK, "suspend 2");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[3], MC_CRED_SUSPENDED, NULL, &f->err),
             MCRED_OK, "suspend 3");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[6], MC_CRED_SUSPENDED, NULL, &f->err),
             MCRED_OK, "suspend 6");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[1], MC_CRED_REVOKED, "fraud", &f->err),
             MCRED_OK, "revoke 1");
    check_bits(f, org, sus, want_sus1, 3, "suspended indexes");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[6], MC_CRED_REVOKED, "expelled", &f->err),
             MCRED_OK, "revoke a suspended one");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[2], MC_CRED_ACTIVE, "cleared", &f->err),
             MCRED_OK, "reinstate 2");
    CHECK_RC(mc_store_cred_set_state(f->st, org, ids[1], MC_CRED_ACTIVE, NULL, &f->err),
             MCRED_ERR_CONFLICT, "revocation is final");
    CHECK(strstr(f->err.msg, "final") != NULL, "final: %s", f->err.msg);
    check_bits(f, org, rev, want_rev, 2, "revoked indexes");
    check_bits(f, org, sus, want_sus2, 1, "suspended after changes");
    CHECK_RC(mc_store_status_set_bits(f->st, org + 1000000, rev, &none, &n, &f->err),
             MCRED_ERR_NOTFOUND, "bits of a missing list");
    CHECK(none == NULL && n == 0, "outputs zeroed on NOTFOUND");
}

static void t_creds(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/creds");
    int64_t rev = new_list(f, org, issuer, MC_STATUS_PURPOSE_REVOCATION), idx = 0, count = -1;
    struct mc_learner ln = { 0 };
    struct mc_credential c, d, got;
    char id1[96], id2[96], id3[96], idem1[96], idem2[96];
    char *existing = (char *)"junk";

    ln.org_id = org;
    ln.name = "Learner";
    ln.email = "l@example.org";
    CHECK_RC(mc_store_learner_put(f->st, &ln, &f->err), MCRED_OK, "learner");
    unique_name(f, "urn:uuid:c", id1, sizeof(id1));
    unique_name(f, "urn:uuid:c", id2, sizeof(id2));
    unique_name(f, "urn:uuid:c", id3, sizeof(id3));
    unique_name(f, "idem", idem1, sizeof(idem1));
    unique_name(f, "idem", idem2, sizeof(idem2));
    CHECK_RC(mc_store_status_alloc(f->st, org, rev, 1, &idx, &f->err), MCRED_OK, "alloc");
    cred_init(&c, org, issuer, ach, id1, idem1);
    c.learner_id = ln.id;
    c.reason = "initial";
    c.status_list_rev = rev;
    c.status_index_rev = idx;
    c.valid_until = 1800000000;
    CHECK_RC(mc_store_cred_put(f->st, &c, &existing, &f->err), MCRED_OK, "cred_put");
    CHECK(existing == NULL, "existing_id NULL on success");
    CHECK_RC(mc_store_cred_get(f->st, org, id1, &got, &f->err), MCRED_OK, "cred_get");
    CHECK_STR_EQ(got.id, id1, "id");
    CHECK_STR_EQ(got.idem_key, idem1, "idem_key");
    CHECK_STR_EQ(got.recipient, c.recipient, "recipient");
    CHECK_STR_EQ(got.reason, "initial", "reason");
    CHECK_STR_EQ(got.doc, c.doc, "doc");
    CHECK(got.org_id == org && got.issuer_id == issuer && got.achievement_id == ach &&
          got.learner_id == ln.id, "references round trip");
    CHECK(got.state == MC_CRED_ACTIVE && got.issued == c.issued &&
          got.valid_until == 1800000000, "state and times");
    CHECK(got.status_list_rev == rev && got.status_index_rev == idx &&
          got.status_list_sus == 0 && got.status_index_sus == 0, "status refs, none is 0");
    mc_credential_release(&got);
    CHECK_RC(mc_store_cred_find_idem(f->st, org, idem1, &got, &f->err), MCRED_OK, "find_idem");
    CHECK_STR_EQ(got.id, id1, "found by idem_key");
    mc_credential_release(&got);
    CHECK_RC(mc_store_cred_find_idem(f->st, other, idem1, &got, &f->err), MCRED_ERR_NOTFOUND,
             "idem_key is per org");
    CHECK_RC(mc_store_cred_get(f->st, other, id1, &got, &f->err), MCRED_ERR_NOTFOUND,
             "another org's credential");
    CHECK(got.id == NULL, "row zeroed");
    CHECK_RC(mc_store_cred_get(f->st, org, "urn:uuid:none", &got, &f->err), MCRED_ERR_NOTFOUND,
             "missing credential");

    /* CONFLICT: the same idempotency key under a new id names the first */
    cred_init(&d, org, issuer, ach, id2, idem1);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_ERR_CONFLICT,
             "duplicate idem_key");
    CHECK_STR_EQ(existing, id1, "existing id of the idem_key");
    CHECK(strstr(f->err.msg, id1) != NULL, "conflict message names it: %s", f->err.msg);
    mc_free(existing);
    /* the same id under a new idempotency key */
    cred_init(&d, org, issuer, ach, id1, idem2);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_ERR_CONFLICT,
             "duplicate id");
    CHECK_STR_EQ(existing, id1, "existing id of the id");
    mc_free(existing);
    /* a taken status index */
    cred_init(&d, org, issuer, ach, id2, idem2);
    d.status_list_rev = rev;
    d.status_index_rev = idx;
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_ERR_CONFLICT,
             "duplicate status index");
    CHECK_STR_EQ(existing, id1, "holder of the index");
    mc_free(existing);
    CHECK_RC(mc_store_cred_put(f->st, &d, NULL, &f->err), MCRED_ERR_CONFLICT,
             "existing_id may be NULL");
    /* no idem_key at all: NULLs never conflict */
    cred_init(&d, org, issuer, ach, id2, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_OK, "no idem_key");
    cred_init(&d, org, issuer, ach, id3, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_OK, "no idem_key again");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "count");
    CHECK(count == 3, "three credentials: %lld", (long long)count);
    CHECK_RC(mc_store_cred_count(f->st, other, &count, &f->err), MCRED_OK, "count other");
    CHECK(count == 0, "none in the other org");
    CHECK_RC(mc_store_cred_set_state(f->st, org, "urn:uuid:none", MC_CRED_REVOKED, NULL,
                                     &f->err), MCRED_ERR_NOTFOUND, "set_state on missing");
    CHECK_RC(mc_store_cred_set_state(f->st, org, id2, MC_CRED_SUSPENDED, "audit", &f->err),
             MCRED_OK, "suspend");
    CHECK_RC(mc_store_cred_get(f->st, org, id2, &got, &f->err), MCRED_OK, "get suspended");
    CHECK(got.state == MC_CRED_SUSPENDED, "state stored");
    CHECK_STR_EQ(got.reason, "audit", "reason stored");
    mc_credential_release(&got);
    /* references must be of the same organisation */
    unique_name(f, "urn:uuid:c", id3, sizeof(id3));
    cred_init(&d, other, issuer, ach, id3, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_ERR_INVALID,
             "issuer of another org");
    cred_init(&d, org, issuer, ach + 1000000, id3, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &d, &existing, &f->err), MCRED_ERR_INVALID,
             "missing achievement");
    CHECK(existing == NULL, "no existing id for a non-conflict");
}

static void t_paging(struct fx *f)
{
    int64_t org = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/paging");
    char ids[25][96], seen[25] = { 0 };
    const struct mc_credential *rows;
    struct mc_credential c;
    struct mc_store_list l;
    size_t off, total = 0, i;
    int k, prev_issued = 0;
    bool ordered = true;

    for (k = 0; k < 25; k++) {
        unique_name(f, "urn:page", ids[k], sizeof(ids[k]));
        cred_init(&c, org, issuer, ach, ids[k], NULL);
        c.issued = 1700000000 + (k * 7) % 25;     /* issue times out of insert order */
        CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put for paging");
    }
    for (off = 0; off <= 30; off += 10) {
        CHECK_RC(mc_store_cred_list(f->st, org, off, 10, &l, &f->err), MCRED_OK, "cred_list");
        CHECK(l.n == (off < 20 ? 10u : off == 20 ? 5u : 0u), "page at %zu: %zu rows", off, l.n);
        rows = l.rows;
        for (i = 0; i < l.n; i++) {
            if ((int)(rows[i].issued - 1700000000) < prev_issued)
                ordered = false;
            prev_issued = (int)(rows[i].issued - 1700000000);
            for (k = 0; k < 25; k++) {
                if (strcmp(rows[i].id, ids[k]) == 0)
                    seen[k]++;
            }
            total++;
        }
        mc_store_list_clear(&l);
    }
    CHECK(total == 25 && ordered, "25 rows in issue order (%s)", f->label);
    for (k = 0; k < 25; k++)
        CHECK(seen[k] == 1, "credential %d seen once", k);
    CHECK_RC(mc_store_cred_list(f->st, org, 0, 0, &l, &f->err), MCRED_ERR_INVALID, "limit 0");
    CHECK_RC(mc_store_cred_list(f->st, org, 0, MC_STORE_PAGE_MAX + 1, &l, &f->err),
             MCRED_ERR_LIMIT, "limit above the page maximum");
}

/* The audit table refuses UPDATE and DELETE from outside the library too. */
static void raw_audit_change(struct fx *f, int64_t org)
{
    static const char *const sql_sqlite[] = {
        "UPDATE audit SET actor = 'mallory' WHERE org_id = ?1",
        "DELETE FROM audit WHERE org_id = ?1",
    };
    static const char *const sql_pg[] = {
        "UPDATE audit SET actor = 'mallory' WHERE org_id = $1",
        "DELETE FROM audit WHERE org_id = $1",
    };
    char num[24];
    const char *vals[1] = { num };
    int i;

    snprintf(num, sizeof(num), "%lld", (long long)org);
    if (f->sqlite_path) {
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;

        CHECK(sqlite3_open(f->sqlite_path, &db) == SQLITE_OK, "raw sqlite open");
        for (i = 0; i < 2; i++) {
            CHECK(sqlite3_prepare_v2(db, sql_sqlite[i], -1, &stmt, NULL) == SQLITE_OK,
                  "prepare raw");
            sqlite3_bind_int64(stmt, 1, org);
            CHECK(sqlite3_step(stmt) == SQLITE_CONSTRAINT &&
                  strstr(sqlite3_errmsg(db), "append-only"), "raw %s refused: %s",
                  i ? "DELETE" : "UPDATE", sqlite3_errmsg(db));
            sqlite3_finalize(stmt);
        }
        sqlite3_close(db);
    } else if (f->pg) {
        PGconn *conn = PQconnectdb(f->dsn);
        PGresult *res;

        CHECK(PQstatus(conn) == CONNECTION_OK, "raw postgres connect");
        for (i = 0; i < 2; i++) {
            res = PQexecParams(conn, sql_pg[i], 1, NULL, vals, NULL, NULL, 0);
            CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR &&
                  strstr(PQresultErrorMessage(res), "append-only"), "raw %s refused",
                  i ? "DELETE" : "UPDATE");
            PQclear(res);
        }
        PQfinish(conn);
    }
}

static void t_audit(struct fx *f)
{
    int64_t org = new_org(f);
    struct mc_audit a = { 0 };
    const struct mc_audit *rows;
    struct mc_store_list l;
    static char actions[3][16] = { "issue", "revoke", "rotate-key" };
    int i;

    a.org_id = org;
    a.actor = "ada@example.org";
    for (i = 0; i < 3; i++) {
        a.action = actions[i];
        a.at = 1700000000 + i;
        a.subject = i == 1 ? "urn:uuid:x" : NULL;
        a.detail = i == 2 ? "{\"old\":1,\"new\":2}" : NULL;
        CHECK_RC(mc_store_audit_add(f->st, &a, &f->err), MCRED_OK, "audit_add");
    }
    CHECK_RC(mc_store_audit_list(f->st, org, 2, &l, &f->err), MCRED_OK, "audit_list 2");
    rows = l.rows;
    CHECK(l.n == 2, "limit 2");
    if (l.n == 2) {
        CHECK_STR_EQ(rows[0].action, "rotate-key", "newest first");
        CHECK_STR_EQ(rows[1].subject, "urn:uuid:x", "subject");
        CHECK(rows[0].at == 1700000002 && rows[0].org_id == org, "audit row");
        CHECK_STR_EQ(rows[0].detail, "{\"old\":1,\"new\":2}", "detail");
    }
    mc_store_list_clear(&l);
    a.actor = NULL;
    CHECK_RC(mc_store_audit_add(f->st, &a, &f->err), MCRED_ERR_INVALID, "actor required");
    raw_audit_change(f, org);
    CHECK_RC(mc_store_audit_list(f->st, org, 10, &l, &f->err), MCRED_OK, "audit_list");
    CHECK(l.n == 3, "all three kept");
    rows = l.rows;
    if (l.n == 3)
        CHECK_STR_EQ(rows[2].actor, "ada@example.org", "actor unchanged");
    mc_store_list_clear(&l);
}

static void t_transactions(struct fx *f)
{
    int64_t org = new_org(f), issuer = new_issuer(f, org), count = -1;
    int64_t ach = new_achievement(f, org, "https://example.org/a/tx");
    struct mc_credential c, got;
    struct mc_store *peer = NULL;
    char id1[96], id2[96], id3[96], idem[96];
    int version;

    unique_name(f, "urn:tx", id1, sizeof(id1));
    unique_name(f, "urn:tx", id2, sizeof(id2));
    unique_name(f, "urn:tx", id3, sizeof(id3));
    unique_name(f, "idem", idem, sizeof(idem));
    CHECK_RC(mc_store_commit(f->st, &f->err), MCRED_ERR_INVALID, "commit without begin");
    CHECK_RC(mc_store_rollback(f->st), MCRED_OK, "rollback without begin is a no-op");
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "begin");
    CHECK(mc_store_in_transaction(f->st), "in a transaction");
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_ERR_INVALID, "nested begin");
    CHECK_RC(mc_store_migrate(f->st, &version, &f->err), MCRED_ERR_INVALID,
             "migrate inside a transaction");
    cred_init(&c, org, issuer, ach, id1, idem);
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put in tx");
    CHECK_RC(mc_store_cred_get(f->st, org, id1, &got, &f->err), MCRED_OK, "visible inside");
    mc_credential_release(&got);
    CHECK_RC(mc_store_rollback(f->st), MCRED_OK, "rollback");
    CHECK(!mc_store_in_transaction(f->st), "out of the transaction");
    CHECK_RC(mc_store_cred_get(f->st, org, id1, &got, &f->err), MCRED_ERR_NOTFOUND,
             "rollback leaves nothing");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "count");
    CHECK(count == 0, "nothing counted");

    /* commit keeps; a conflict inside leaves the transaction usable */
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "begin 2");
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put 1");
    cred_init(&c, org, issuer, ach, id2, idem);
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_ERR_CONFLICT, "conflict in tx");
    c.idem_key = NULL;
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put 2 after a conflict");
    CHECK_RC(mc_store_cred_get(f->st, org, "urn:none", &got, &f->err), MCRED_ERR_NOTFOUND,
             "NOTFOUND in tx");
    if (f->shared) {
        /* another connection does not see uncommitted rows (WAL / MVCC) */
        CHECK_RC(mc_store_open(&peer, f->dsn, &f->err), MCRED_OK, "peer open");
        CHECK_RC(mc_store_cred_get(peer, org, id1, &got, &f->err), MCRED_ERR_NOTFOUND,
                 "peer does not see uncommitted");
    }
    CHECK_RC(mc_store_commit(f->st, &f->err), MCRED_OK, "commit");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "count 2");
    CHECK(count == 2, "commit keeps both: %lld", (long long)count);
    if (peer) {
        CHECK_RC(mc_store_cred_get(peer, org, id1, &got, &f->err), MCRED_OK,
                 "peer sees committed");
        mc_credential_release(&got);
        mc_store_close(peer);
    }

    /* an error the database raises dooms the transaction on both backends */
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "begin 3");
    cred_init(&c, org, issuer, ach, id3, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "put 3");
    c.achievement_id = ach + 1000000;
    c.id = "urn:tx:bad";
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_ERR_INVALID,
             "foreign key violation");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_ERR_STORAGE,
             "doomed: further ops fail");
    CHECK_RC(mc_store_commit(f->st, &f->err), MCRED_ERR_STORAGE, "doomed commit");
    CHECK(!mc_store_in_transaction(f->st), "doomed commit ends it");
    CHECK_RC(mc_store_cred_get(f->st, org, id3, &got, &f->err), MCRED_ERR_NOTFOUND,
             "doomed transaction rolled back");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "usable again");
    CHECK(count == 2, "still two");
}

static void t_arguments(struct fx *f)
{
    int64_t org = new_org(f), id = 7;
    struct mc_org o;
    char *longname = malloc(MC_STORE_MAX_TEXT + 2);

    CHECK_RC(mc_store_org_create(NULL, "x", &id, &f->err), MCRED_ERR_INVALID, "NULL handle");
    CHECK(id == 0, "output zeroed on INVALID");
    CHECK_RC(mc_store_org_create(f->st, "", &id, &f->err), MCRED_ERR_INVALID, "empty name");
    CHECK_RC(mc_store_org_create(f->st, "bad \xff utf-8", &id, &f->err), MCRED_ERR_INVALID,
             "invalid UTF-8");
    CHECK(strstr(f->err.msg, "UTF-8") != NULL, "says why: %s", f->err.msg);
    if (longname) {
        memset(longname, 'a', MC_STORE_MAX_TEXT + 1);
        longname[MC_STORE_MAX_TEXT + 1] = '\0';
        CHECK_RC(mc_store_org_create(f->st, longname, &id, &f->err), MCRED_ERR_LIMIT,
                 "name too long");
        free(longname);
    }
    CHECK_RC(mc_store_org_get(f->st, 0, &o, &f->err), MCRED_ERR_INVALID, "org id 0");
    CHECK_RC(mc_store_org_get(f->st, org, NULL, &f->err), MCRED_ERR_INVALID, "NULL out");
    CHECK_RC(mc_store_key_retire(f->st, org, 1, 0, &f->err), MCRED_ERR_INVALID,
             "retire at time 0");
}

/* The same through cred_put_many, 1,000 rows a call. */
static void bulk_many(struct fx *f, char *doc)
{
    enum { N = 20000, B = 1000 };
    int64_t org = new_org(f), issuer = new_issuer(f, org), count = 0;
    int64_t ach = new_achievement(f, org, "https://example.org/a/bulk");
    struct mc_credential *cs = calloc(B, sizeof(*cs));
    char (*ids)[96] = calloc(B, 96), (*idems)[32] = calloc(B, 32);
    mcred_rc *results = calloc(B, sizeof(*results));
    struct timespec t0, t1;
    size_t conflicts = 0, bad = 0;
    int i, j;
    double secs;

    if (!cs || !ids || !idems || !results)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "bulk_many begin");
    for (i = 0; i < N; i += B) {
        for (j = 0; j < B; j++) {
            snprintf(ids[j], 96, "urn:bulkmany:%s:%d:%d", run_tag, f->serial, i + j);
            snprintf(idems[j], 32, "row-%d", i + j);
            cred_init(&cs[j], org, issuer, ach, ids[j], idems[j]);
            cs[j].doc = doc;
        }
        if (mc_store_cred_put_many(f->st, cs, B, results, NULL, &conflicts, &f->err) ||
            conflicts)
            bad++;
    }
    CHECK_RC(mc_store_commit(f->st, &f->err), MCRED_OK, "bulk_many commit");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(bad == 0, "every batch stored (%s)", f->err.msg);
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "bulk_many count");
    CHECK(count == N, "count %lld", (long long)count);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("INFO %s: %d credentials in one transaction in %.2f s: %.0f inserts/s "
           "(cred_put_many)\n", f->label, N, secs, secs > 0 ? N / secs : 0.0);
out:
    free(cs);
    free(ids);
    free(idems);
    free(results);
}

/* 20,000 credentials in one transaction, as bulk issuance writes them. The
 * rate is printed for information; nothing asserts a duration. */
static void t_bulk(struct fx *f)
{
    enum { N = 20000 };
    int64_t org = new_org(f), issuer = new_issuer(f, org), first = 0, count = 0;
    int64_t ach = new_achievement(f, org, "https://example.org/a/bulk");
    int64_t rev = new_list(f, org, issuer, MC_STATUS_PURPOSE_REVOCATION);
    struct mc_credential c;
    struct timespec t0, t1;
    char id[96], idem[96], *doc = malloc(1601);
    int i, ok = 0;
    double secs;

    if (!doc)
        return;
    memset(doc, 'x', 1600);               /* about the size of a signed credential */
    memcpy(doc, "{\"p\":\"", 6);
    memcpy(doc + 1598, "\"}", 2);
    doc[1600] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "bulk begin");
    CHECK_RC(mc_store_status_alloc(f->st, org, rev, N, &first, &f->err), MCRED_OK, "bulk alloc");
    for (i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "urn:bulk:%s:%d:%d", run_tag, f->serial, i);
        snprintf(idem, sizeof(idem), "row-%d", i);
        cred_init(&c, org, issuer, ach, id, idem);
        c.doc = doc;
        c.status_list_rev = rev;
        c.status_index_rev = first + i;
        if (mc_store_cred_put(f->st, &c, NULL, &f->err) == MCRED_OK)
            ok++;
    }
    CHECK_RC(mc_store_commit(f->st, &f->err), MCRED_OK, "bulk commit");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(ok == N, "all %d inserted: %d (%s)", N, ok, f->err.msg);
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "bulk count");
    CHECK(count == N, "count %lld", (long long)count);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("INFO %s: %d credentials in one transaction in %.2f s: %.0f inserts/s "
           "(cred_put)\n", f->label, N, secs, secs > 0 ? N / secs : 0.0);
    bulk_many(f, doc);
    free(doc);
}

static void t_put_many(struct fx *f)
{
    enum { M = 600 };   /* more than one PostgreSQL pipeline batch */
    int64_t org = new_org(f), issuer = new_issuer(f, org), count = -1;
    int64_t ach = new_achievement(f, org, "https://example.org/a/many");
    struct mc_credential *cs = calloc(M, sizeof(*cs)), one;
    char (*ids)[96] = calloc(M, 96), (*idems)[32] = calloc(M, 32), first_id[96];
    mcred_rc *results = calloc(M, sizeof(*results));
    char **existing = calloc(M, sizeof(*existing));
    size_t conflicts = 99;
    int i;

    if (!cs || !ids || !idems || !results || !existing)
        goto out;
    unique_name(f, "urn:many", first_id, sizeof(first_id));
    cred_init(&one, org, issuer, ach, first_id, "idem-7");
    CHECK_RC(mc_store_cred_put(f->st, &one, NULL, &f->err), MCRED_OK, "a credential first");
    for (i = 0; i < M; i++) {
        unique_name(f, "urn:many", ids[i], 96);
        snprintf(idems[i], 32, "idem-%d", i == 500 ? 3 : i);   /* row 500 repeats row 3 */
        cred_init(&cs[i], org, issuer, ach, ids[i], idems[i]);
        cs[i].issued += i;
    }
    /* outside a transaction: all or nothing */
    cs[599].achievement_id = ach + 1000000;
    CHECK_RC(mc_store_cred_put_many(f->st, cs, M, results, existing, &conflicts, &f->err),
             MCRED_ERR_INVALID, "a bad row fails the batch");
    CHECK(results[0] == MCRED_ERR_INVALID && existing[7] == NULL && conflicts == 0,
          "outputs on failure");
    CHECK(!mc_store_in_transaction(f->st), "its own transaction ended");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "count");
    CHECK(count == 1, "nothing of the failed batch stored: %lld", (long long)count);
    cs[599].achievement_id = ach;
    CHECK_RC(mc_store_cred_put_many(f->st, cs, M, results, existing, &conflicts, &f->err),
             MCRED_OK, "put_many");
    CHECK(conflicts == 2, "two conflicts: %zu", conflicts);
    CHECK(results[7] == MCRED_ERR_CONFLICT && results[500] == MCRED_ERR_CONFLICT &&
          results[0] == MCRED_OK && results[599] == MCRED_OK, "per-row results");
    CHECK_STR_EQ(existing[7], first_id, "row 7 conflicts with the earlier credential");
    CHECK_STR_EQ(existing[500], ids[3], "row 500 conflicts with row 3 of the batch");
    CHECK(existing[0] == NULL, "no existing id for an inserted row");
    CHECK_RC(mc_store_cred_count(f->st, org, &count, &f->err), MCRED_OK, "count 2");
    CHECK(count == 1 + M - 2, "stored: %lld", (long long)count);
    for (i = 0; i < M; i++)
        mc_free(existing[i]);
    CHECK_RC(mc_store_cred_put_many(f->st, cs, 0, results, existing, &conflicts, &f->err),
             MCRED_ERR_INVALID, "zero rows");
out:
    free(cs);
    free(ids);
    free(idems);
    free(results);
    free(existing);
}

struct contract_case {
    const char *name;
    void (*run)(struct fx *f);
};

static const struct contract_case cases[] = {
    { "open and migrate", t_open },                 /* backend, version, second opener */
    { "organisations", t_orgs },                    /* round trip, CONFLICT, NOTFOUND */
    { "users and tokens", t_users },                /* roles, per-org e-mail, token lookup */
    { "issuers and keys", t_keys },                 /* update, rotation, oldest first */
    { "achievements", t_achievements },             /* versions, latest, list */
    { "learners", t_learners },                     /* e-mail / DID lookups, uniqueness */
    { "status lists", t_status_alloc },             /* consecutive, LIMIT, current, find */
    { "status bits", t_status_bits },               /* revoked / suspended indexes */
    { "credentials", t_creds },                     /* round trip, CONFLICT with existing id */
    { "cred_put_many", t_put_many },                /* per-row conflicts, all or nothing */
    { "credential paging", t_paging },              /* pages in issue order */
    { "audit", t_audit },                           /* newest first, append-only */
    { "transactions", t_transactions },             /* rollback, commit, doomed */
    { "arguments", t_arguments },                   /* INVALID, LIMIT before the database */
    { "bulk issuance", t_bulk },                    /* 20,000 in one transaction */
};

static void run_backend(const char *label, const char *dsn, bool shared, bool pg,
                        const char *sqlite_path)
{
    struct fx f;
    size_t i;
    int before;

    memset(&f, 0, sizeof(f));
    f.label = label;
    f.dsn = dsn;
    f.shared = shared;
    f.pg = pg;
    f.sqlite_path = sqlite_path;
    if (mc_store_open(&f.st, dsn, &f.err) != MCRED_OK) {
        CHECK(0, "open %s: %s", label, f.err.msg);
        return;
    }
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        before = check_failed;
        cases[i].run(&f);
        if (mc_store_in_transaction(f.st)) {
            CHECK(0, "%s: case '%s' left a transaction open", label, cases[i].name);
            (void)mc_store_rollback(f.st);
        }
        printf("%-4s %s: %s\n", check_failed == before ? "ok" : "FAIL", label, cases[i].name);
    }
    mc_store_close(f.st);
}

/* --- SQLite only: WAL on disk, allocation failures ------------------------------------ */

static void check_wal(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    CHECK(sqlite3_open(path, &db) == SQLITE_OK, "raw open");
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW, "journal_mode");
    if (stmt)
        CHECK_STR_EQ((const char *)sqlite3_column_text(stmt, 0), "wal", "the file is in WAL");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

/* Run op with the nth allocation failing, for n = 1, 2, ... until it
 * succeeds: every failure must be NOMEM with outputs zeroed (ASan checks
 * that nothing leaks). Returns how many failures were injected. */
#define FAULT_LOOP(what, op, zeroed, cleanup)                                            \
    do {                                                                                 \
        unsigned long nth_;                                                              \
        int injected_ = 0;                                                               \
        for (nth_ = 1; nth_ < 10000; nth_++) {                                           \
            mcred_rc r_;                                                                 \
            mcred_test_fail_alloc(nth_);                                                 \
            r_ = (op);                                                                   \
            mcred_test_fail_alloc(0);                                                    \
            if (r_ == MCRED_ERR_NOMEM) {                                                 \
                injected_++;                                                             \
                CHECK(zeroed, "%s: outputs zeroed after NOMEM at %lu", what, nth_);      \
                continue;                                                                \
            }                                                                            \
            CHECK(r_ == MCRED_OK, "%s: rc %d at %lu", what, (int)r_, nth_);              \
            cleanup;                                                                     \
            break;                                                                       \
        }                                                                                \
        CHECK(injected_ > 0, "%s: no allocation failed", what);                          \
    } while (0)

static void fault_injection(void)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    struct fx f;
    struct mc_credential c, got;
    struct mc_store_list l;
    int64_t org, issuer, ach, rev, first = 0, *bits = NULL;
    size_t nbits = 0;
    char *existing = NULL;
    char id[96];
    int i;

    memset(&err, 0, sizeof(err));
    FAULT_LOOP("open", mc_store_open(&st, ":memory:", &err), st == NULL, (void)0);
    if (!st)
        return;
    memset(&f, 0, sizeof(f));
    f.label = "sqlite fault";
    f.st = st;
    org = new_org(&f);
    issuer = new_issuer(&f, org);
    ach = new_achievement(&f, org, "https://example.org/a/fault");
    rev = new_list(&f, org, issuer, MC_STATUS_PURPOSE_REVOCATION);
    for (i = 0; i < 3; i++) {
        struct mc_issuer_key k = { 0 };
        struct mc_learner ln = { 0 };
        char vm[64], email[64];

        snprintf(vm, sizeof(vm), "did:web:fault.example#key-%d", i);
        snprintf(email, sizeof(email), "learner%d@example.org", i);
        k.org_id = ln.org_id = org;
        k.issuer_id = issuer;
        k.vm_id = vm;
        k.public_multibase = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        ln.name = "Learner";
        ln.email = email;
        CHECK_RC(mc_store_key_add(st, &k, &err), MCRED_OK, "key for the fault run");
        CHECK_RC(mc_store_learner_put(st, &ln, &err), MCRED_OK, "learner for the fault run");
    }
    CHECK_RC(mc_store_status_alloc(st, org, rev, 40, &first, &err), MCRED_OK, "alloc");
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof(id), "urn:fault:%s:%d", run_tag, i);
        cred_init(&c, org, issuer, ach, id, i == 0 ? "k0" : NULL);
        c.reason = "r";
        c.status_list_rev = rev;
        c.status_index_rev = first + i;
        c.state = i % 3 ? MC_CRED_ACTIVE : MC_CRED_REVOKED;
        CHECK_RC(mc_store_cred_put(st, &c, NULL, &err), MCRED_OK, "put");
    }
    snprintf(id, sizeof(id), "urn:fault:%s:%d", run_tag, 0);
    FAULT_LOOP("cred_get", mc_store_cred_get(st, org, id, &got, &err), got.id == NULL,
               mc_credential_release(&got));
    FAULT_LOOP("cred_list", mc_store_cred_list(st, org, 0, 40, &l, &err),
               l.rows == NULL && l.n == 0, mc_store_list_clear(&l));
    FAULT_LOOP("status_set_bits", mc_store_status_set_bits(st, org, rev, &bits, &nbits, &err),
               bits == NULL && nbits == 0, mc_free(bits));
    CHECK(nbits == 14, "14 revoked: %zu", nbits);
    cred_init(&c, org, issuer, ach, "urn:fault:new", "k0");
    FAULT_LOOP("cred_put conflict",
               (mc_store_cred_put(st, &c, &existing, &err) == MCRED_ERR_CONFLICT && existing)
                   ? MCRED_OK : err.rc, existing == NULL, mc_free(existing));
    FAULT_LOOP("key_list", mc_store_key_list(st, org, issuer, &l, &err),
               l.rows == NULL, mc_store_list_clear(&l));
    FAULT_LOOP("learner_list", mc_store_learner_list(st, org, &l, &err), l.rows == NULL,
               mc_store_list_clear(&l));
    mc_store_close(st);
}

/* A committed row is there after closing and reopening; the schema is not
 * migrated again. */
static void check_reopen(const char *dsn)
{
    struct mc_store *st = NULL;
    struct mc_err err;
    struct mc_org o;
    char name[96];
    int64_t id = 0;
    int version = 0;

    (void)snprintf(name, sizeof(name), "%s-persist", run_tag);
    CHECK_RC(mc_store_open(&st, dsn, &err), MCRED_OK, "open for reopen");
    if (!st)
        return;
    CHECK_RC(mc_store_org_create(st, name, &id, &err), MCRED_OK, "org before close");
    mc_store_close(st);
    st = NULL;
    CHECK_RC(mc_store_open(&st, dsn, &err), MCRED_OK, "reopen");
    if (!st)
        return;
    CHECK_RC(mc_store_org_find(st, name, &o, &err), MCRED_OK, "org after reopen");
    CHECK(o.id == id, "same org after reopen");
    mc_org_release(&o);
    CHECK_RC(mc_store_migrate(st, &version, &err), MCRED_OK, "migrate after reopen");
    CHECK(version == (int)mc_migrations_sqlite_n, "version after reopen");
    mc_store_close(st);
}

/* Every PostgreSQL DSN form reaches libpq (an unreachable server gives a
 * clean STORAGE error naming the connection, and no SQLite file appears). */
static void check_dsn_routing(void)
{
    static const char *const dsns[] = {
        "postgresql://nobody@/none?host=/nonexistent-mcred",
        "postgres://nobody@/none?host=/nonexistent-mcred",
        "pg:host=/nonexistent-mcred dbname=none user=nobody",
        "postgres:host=/nonexistent-mcred dbname=none",
        "postgresql:host=/nonexistent-mcred dbname=none",
    };
    struct mc_store *st = NULL;
    struct mc_err err;
    size_t i;

    for (i = 0; i < sizeof(dsns) / sizeof(dsns[0]); i++) {
        memset(&err, 0, sizeof(err));
        CHECK_RC(mc_store_open(&st, dsns[i], &err), MCRED_ERR_STORAGE, "unreachable postgres");
        CHECK(st == NULL && strstr(err.msg, "store postgres: cannot connect"),
              "'%s' goes to postgres: %s", dsns[i], err.msg);
        mc_store_close(st);
    }
    CHECK_RC(mc_store_open(&st, "sqlite:", &err), MCRED_ERR_INVALID, "empty sqlite path");
    CHECK_RC(mc_store_open(&st, "", &err), MCRED_ERR_INVALID, "empty dsn");
    CHECK_RC(mc_store_open(&st, "sqlite::memory:", &err), MCRED_OK, "sqlite::memory:");
    CHECK(st && strcmp(mc_store_ops(st)->name, "sqlite") == 0, "sqlite backend");
    mc_store_close(st);
    CHECK(mc_store_backend("postgres") && mc_store_backend("sqlite") &&
          !mc_store_backend("oracle"), "backends by name");
}

static void platform_contract(const char *pg_dsn);   /* v3 platform, at the end */
static void web_contract(const char *pg_dsn);        /* v3 web, at the end */
static void oauth_contract(const char *pg_dsn);      /* v3 oauth, at the end */
static void wallet_contract(const char *pg_dsn);     /* v3 wallet, at the end */
static void skills_contract(const char *pg_dsn);     /* v3 skills, at the end */
static void wallet_pages_contract(const char *pg_dsn);   /* v4 wallet pages, at the end */
static void stacks_contract(const char *pg_dsn);     /* v4 stacks, at the end */
static void assess_contract(const char *pg_dsn);     /* v4 assess, at the end */
static void positions_contract(const char *pg_dsn);  /* v4 positions, at the end */
static void plan_contract(const char *pg_dsn);       /* v4 plan, at the end */

int main(void)
{
    const char *pg_dsn = getenv("MCRED_TEST_PG");
    char dir[] = "/tmp/mcred-store-XXXXXX", path[128], dsn[160], wal[160], shm[160];

    snprintf(run_tag, sizeof(run_tag), "%lld-%d", (long long)time(NULL), (int)getpid());
    run_backend("sqlite :memory:", ":memory:", false, false, NULL);
    if (mkdtemp(dir)) {
        snprintf(path, sizeof(path), "%s/store.db", dir);
        snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
        run_backend("sqlite file", dsn, true, false, path);
        check_reopen(dsn);
        check_wal(path);
        snprintf(wal, sizeof(wal), "%s-wal", path);
        snprintf(shm, sizeof(shm), "%s-shm", path);
        remove(wal);
        remove(shm);
        remove(path);
        rmdir(dir);
    } else {
        CHECK(0, "mkdtemp '%s'", dir);
    }
    fault_injection();
    platform_contract(pg_dsn);
    web_contract(pg_dsn);
    oauth_contract(pg_dsn);
    wallet_contract(pg_dsn);
    skills_contract(pg_dsn);
    wallet_pages_contract(pg_dsn);
    stacks_contract(pg_dsn);
    assess_contract(pg_dsn);
    positions_contract(pg_dsn);
    plan_contract(pg_dsn);
    check_dsn_routing();
    if (pg_dsn && *pg_dsn) {
        run_backend("postgres", pg_dsn, true, true, NULL);
        check_reopen(pg_dsn);
        return check_report();
    }
    printf("SKIP postgres: MCRED_TEST_PG not set\n");
    if (check_failed)
        return check_report();
    (void)check_report();
    return 77;            /* the SQLite half passed; the PostgreSQL half did not run */
}

/* --- v3 platform: users, tokens, pages, jobs ---------------------------------------- */

static void platform_users_tokens(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), admin = 0, ann = 0, stranger = 0;
    struct mc_store_list l;
    struct mc_user u;
    const struct mc_token *t;
    char hash1[160], hash2[160], id1[17];

    CHECK_RC(mc_store_user_add(f->st, org, "admin@p.example", MC_ROLE_ADMIN, &admin, &f->err),
             MCRED_OK, "platform: user_add");
    CHECK_RC(mc_store_user_add(f->st, org, "ann@p.example", MC_ROLE_LEARNER, &ann, &f->err),
             MCRED_OK, "platform: user_add ann");
    CHECK_RC(mc_store_user_add(f->st, other, "x@q.example", MC_ROLE_ADMIN, &stranger, &f->err),
             MCRED_OK, "platform: user_add other org");
    CHECK_RC(mc_store_user_get(f->st, org, ann, &u, &f->err), MCRED_OK, "user_get");
    CHECK(u.role == MC_ROLE_LEARNER && u.email && strcmp(u.email, "ann@p.example") == 0,
          "user_get reads the row (%s)", f->label);
    mc_user_release(&u);
    CHECK_RC(mc_store_user_get(f->st, other, ann, &u, &f->err), MCRED_ERR_NOTFOUND,
             "user_get: another organisation's user is not found");
    CHECK_RC(mc_store_user_set_role(f->st, org, ann, MC_ROLE_ISSUER, &f->err), MCRED_OK,
             "user_set_role");
    CHECK(mc_store_user_get(f->st, org, ann, &u, &f->err) == MCRED_OK &&
              u.role == MC_ROLE_ISSUER, "the role changed (%s)", f->label);
    mc_user_release(&u);
    CHECK_RC(mc_store_user_set_role(f->st, other, ann, MC_ROLE_ADMIN, &f->err),
             MCRED_ERR_NOTFOUND, "user_set_role: another organisation's user");
    CHECK_RC(mc_store_user_set_role(f->st, org, ann, (enum mc_role)42, &f->err),
             MCRED_ERR_INVALID, "user_set_role: unknown role");

    unique_name(f, "hash-one", hash1, sizeof(hash1));
    unique_name(f, "hash-two", hash2, sizeof(hash2));
    /* ids are the first 16 characters: hex digits in real use, and unique per
     * run (a PostgreSQL database may hold an earlier run's tokens) */
    {
        char hex[40];
        unsigned long long r = (unsigned long long)time(NULL) * 1000003ull ^
                               (unsigned long long)getpid() * 7919ull ^
                               (unsigned long long)f->serial;

        snprintf(hex, sizeof(hex), "%016llx", r);
        memcpy(hash1, hex, 16);
        snprintf(hex, sizeof(hex), "%016llx", ~r);
        memcpy(hash2, hex, 16);
    }
    memcpy(id1, hash1, 16);
    id1[16] = '\0';
    CHECK_RC(mc_store_token_create(f->st, org, admin, hash1, "laptop", &f->err), MCRED_OK,
             "token_create");
    CHECK_RC(mc_store_token_create(f->st, org, ann, hash2, NULL, &f->err), MCRED_OK,
             "token_create without a label");
    CHECK_RC(mc_store_token_create(f->st, org, ann, hash2, NULL, &f->err), MCRED_ERR_CONFLICT,
             "token_create: the same hash twice");
    CHECK(mc_store_token_create(f->st, org, stranger, hash1, NULL, &f->err) != MCRED_OK,
          "token_create: a user of another organisation is refused (%s)", f->label);
    CHECK_RC(mc_store_token_list(f->st, org, 0, &l, &f->err), MCRED_OK, "token_list");
    t = l.rows;
    CHECK(l.n == 2 && strcmp(t[0].id, id1) == 0 && t[0].label &&
              strcmp(t[0].label, "laptop") == 0 && t[0].role == MC_ROLE_ADMIN &&
              t[1].label == NULL && t[1].user_id == ann,
          "token_list: every token, oldest first, public id and label (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_token_list(f->st, org, ann, &l, &f->err) == MCRED_OK && l.n == 1,
          "token_list of one user (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_token_revoke(f->st, org, id1, ann, &f->err), MCRED_ERR_NOTFOUND,
             "token_revoke: another user's token");
    CHECK_RC(mc_store_token_revoke(f->st, other, id1, 0, &f->err), MCRED_ERR_NOTFOUND,
             "token_revoke: another organisation's token");
    CHECK_RC(mc_store_token_revoke(f->st, org, "0123", 0, &f->err), MCRED_ERR_INVALID,
             "token_revoke: not an id");
    CHECK_RC(mc_store_token_find(f->st, hash1, &u, &f->err), MCRED_OK, "token_find");
    mc_user_release(&u);
    CHECK_RC(mc_store_token_revoke(f->st, org, id1, admin, &f->err), MCRED_OK, "token_revoke");
    CHECK_RC(mc_store_token_find(f->st, hash1, &u, &f->err), MCRED_ERR_NOTFOUND,
             "a revoked token authenticates nobody");
    CHECK_RC(mc_store_token_revoke(f->st, org, id1, 0, &f->err), MCRED_ERR_NOTFOUND,
             "token_revoke twice");
}

static void platform_pages(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/platform");
    struct mc_learner ln[3];
    struct mc_store_list l;
    struct mc_audit au;
    struct mc_credential c;
    char ids[4][96], name[3][32];
    static const char *const recipients[] = { "Ann@Example.org", "did:example:ann",
                                              "bob@example.org", "ann@example.org" };
    size_t i;

    for (i = 0; i < 3; i++) {
        memset(&ln[i], 0, sizeof(ln[i]));
        snprintf(name[i], sizeof(name[i]), "L%zu", i);
        ln[i].org_id = org;
        ln[i].name = name[i];
        ln[i].email = i == 0 ? "ann@example.org" : NULL;
        ln[i].did = i == 0 ? "did:example:ann" : i == 1 ? "did:example:l1" : "did:example:l2";
        CHECK_RC(mc_store_learner_put(f->st, &ln[i], &f->err), MCRED_OK, "learner_put");
    }
    CHECK(mc_store_learner_page(f->st, org, 1, 1, &l, &f->err) == MCRED_OK && l.n == 1 &&
              ((struct mc_learner *)l.rows)[0].id == ln[1].id,
          "learner_page: offset 1 limit 1 is the second learner (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_learner_page(f->st, org, 2, 10, &l, &f->err) == MCRED_OK && l.n == 1,
          "learner_page: the last page (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_learner_page(f->st, org, 0, 0, &l, &f->err), MCRED_ERR_INVALID,
             "learner_page: limit 0");
    CHECK(mc_store_learner_page(f->st, other, 0, 10, &l, &f->err) == MCRED_OK && l.n == 0,
          "learner_page of another organisation (%s)", f->label);
    mc_store_list_clear(&l);

    for (i = 0; i < 4; i++) {
        unique_name(f, "urn:uuid:p", ids[i], sizeof(ids[i]));
        cred_init(&c, org, issuer, ach, ids[i], NULL);
        c.recipient = (char *)(uintptr_t)recipients[i];
        c.issued = 1700000000 + (time_t)i;
        c.learner_id = i == 2 ? ln[0].id : 0;   /* bob's row points at ann's learner */
        CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred_put");
    }
    CHECK(mc_store_cred_list_recipient(f->st, org, "ANN@example.org", 0, 10, &l, &f->err) ==
              MCRED_OK && l.n == 4 &&
              strcmp(((struct mc_credential *)l.rows)[0].id, ids[3]) == 0,
          "cred_list_recipient: by e-mail in any case, the learner's DID and row, newest "
          "first (%s): %zu", f->label, l.n);
    mc_store_list_clear(&l);
    CHECK(mc_store_cred_list_recipient(f->st, org, "bob@example.org", 0, 10, &l, &f->err) ==
              MCRED_OK && l.n == 1, "cred_list_recipient: bob (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_cred_list_recipient(f->st, org, "ann@example.org", 1, 2, &l, &f->err) ==
              MCRED_OK && l.n == 2, "cred_list_recipient: a page (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_cred_list_recipient(f->st, other, "ann@example.org", 0, 10, &l, &f->err) ==
              MCRED_OK && l.n == 0, "cred_list_recipient: another organisation (%s)",
          f->label);
    mc_store_list_clear(&l);

    for (i = 0; i < 3; i++) {
        memset(&au, 0, sizeof(au));
        au.org_id = org;
        au.actor = "test";
        au.action = name[i];
        CHECK_RC(mc_store_audit_add(f->st, &au, &f->err), MCRED_OK, "audit_add");
    }
    CHECK(mc_store_audit_page(f->st, org, 1, 1, &l, &f->err) == MCRED_OK && l.n == 1 &&
              strcmp(((struct mc_audit *)l.rows)[0].action, "L1") == 0,
          "audit_page: newest first, offset 1 (%s)", f->label);
    mc_store_list_clear(&l);
}

static void platform_jobs(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), user = 0, n = -1;
    int64_t ach = new_achievement(f, org, "https://example.org/a/jobs");
    struct mc_job j, k, got;
    struct mc_store_list l;

    CHECK_RC(mc_store_user_add(f->st, org, "jobs@p.example", MC_ROLE_ISSUER, &user, &f->err),
             MCRED_OK, "user_add");
    memset(&j, 0, sizeof(j));
    j.org_id = org;
    j.achievement_id = ach;
    j.user_id = user;
    j.format = MC_JOB_CSV;
    j.state = MC_JOB_QUEUED;
    j.bytes = 1234;
    CHECK_RC(mc_store_job_create(f->st, &j, &f->err), MCRED_OK, "job_create");
    CHECK(j.id > 0 && j.created > 0 && j.heartbeat == j.created, "job_create sets id and times");
    k = j;
    k.id = 0;
    k.format = MC_JOB_JSONL;
    k.user_id = 0;
    k.created = 1000;   /* long ago: its heartbeat is stale */
    CHECK_RC(mc_store_job_create(f->st, &k, &f->err), MCRED_OK, "job_create, old");
    j.achievement_id = new_achievement(f, other, "https://example.org/a/other");
    j.id = 0;
    CHECK(mc_store_job_create(f->st, &j, &f->err) != MCRED_OK,
          "job_create: an achievement of another organisation is refused (%s)", f->label);
    j.achievement_id = ach;
    j.id = k.id - 1 > 0 ? k.id - 1 : 0;   /* the first job */
    CHECK_RC(mc_store_job_get(f->st, org, j.id, &got, &f->err), MCRED_OK, "job_get");
    CHECK(got.state == MC_JOB_QUEUED && got.format == MC_JOB_CSV && got.bytes == 1234 &&
              got.user_id == user && got.rows == 0 && got.row_errors == NULL,
          "job_get reads the row (%s)", f->label);
    mc_job_release(&got);
    CHECK_RC(mc_store_job_get(f->st, other, j.id, &got, &f->err), MCRED_ERR_NOTFOUND,
             "job_get: another organisation");
    j.state = MC_JOB_RUNNING;
    j.started = 1700000000;
    j.bytes_read = 600;
    j.rows = 10;
    j.issued = 7;
    j.already = 2;
    j.failed = 1;
    j.row_errors = "[{\"row\":3,\"line\":4,\"message\":\"bad\"}]";
    j.heartbeat = 0;
    CHECK_RC(mc_store_job_update(f->st, &j, &f->err), MCRED_OK, "job_update");
    CHECK(mc_store_job_get(f->st, org, j.id, &got, &f->err) == MCRED_OK &&
              got.state == MC_JOB_RUNNING && got.issued == 7 && got.already == 2 &&
              got.failed == 1 && got.bytes_read == 600 && got.started == 1700000000 &&
              got.row_errors && strstr(got.row_errors, "bad") && got.heartbeat > 1700000000,
          "job_update writes the progress (%s)", f->label);
    mc_job_release(&got);
    CHECK_RC(mc_store_job_touch(f->st, org, j.id, time(NULL) + 5, &f->err), MCRED_OK,
             "job_touch");
    CHECK(mc_store_job_list(f->st, org, 0, 10, &l, &f->err) == MCRED_OK && l.n == 2 &&
              ((struct mc_job *)l.rows)[0].id == k.id, "job_list: newest first (%s)",
          f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_job_abandon(f->st, time(NULL) - 30, "abandoned", time(NULL), &n, &f->err),
             MCRED_OK, "job_abandon");
    CHECK(n >= 1 && mc_store_job_get(f->st, org, k.id, &got, &f->err) == MCRED_OK &&
              got.state == MC_JOB_FAILED && got.error && strcmp(got.error, "abandoned") == 0 &&
              got.finished > 0, "job_abandon fails the stale job (%s)", f->label);
    mc_job_release(&got);
    CHECK(mc_store_job_get(f->st, org, j.id, &got, &f->err) == MCRED_OK &&
              got.state == MC_JOB_RUNNING, "job_abandon keeps the live one (%s)", f->label);
    mc_job_release(&got);
    j.state = MC_JOB_DONE;
    j.finished = time(NULL);
    j.row_errors = NULL;
    CHECK_RC(mc_store_job_update(f->st, &j, &f->err), MCRED_OK, "job_update: done");
    CHECK_RC(mc_store_job_update(f->st, &j, &f->err), MCRED_ERR_CONFLICT,
             "job_update: a finished job stays finished");
    CHECK_RC(mc_store_job_touch(f->st, org, j.id, time(NULL), &f->err), MCRED_ERR_NOTFOUND,
             "job_touch: a finished job");
    k.id = j.id + 1000000;
    CHECK_RC(mc_store_job_update(f->st, &k, &f->err), MCRED_ERR_NOTFOUND,
             "job_update: no such job");
}

/* The v3 platform ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void platform_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (platform)" : "sqlite :memory: (platform)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 1000000;   /* names apart from the main suite's in a shared database */
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        platform_users_tokens(&f);
        platform_pages(&f);
        platform_jobs(&f);
        CHECK(!mc_store_in_transaction(f.st), "platform: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: users, tokens, pages, jobs\n", check_failed == before ? "ok" : "FAIL",
               f.label);
    }
}

/* --- v3 web: settings, share links, sessions, public lookups ---------------------------- */

static void web_settings(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_org_setting s;

    CHECK_RC(mc_store_setting_get(f->st, org, "share_default", &s, &f->err), MCRED_ERR_NOTFOUND,
             "setting_get: never set");
    CHECK_RC(mc_store_setting_set(f->st, org, "share_default", "public", 0, &f->err), MCRED_OK,
             "setting_set");
    CHECK(mc_store_setting_get(f->st, org, "share_default", &s, &f->err) == MCRED_OK &&
              strcmp(s.value, "public") == 0 && s.org_id == org && s.updated > 0,
          "setting_get reads it (%s)", f->label);
    mc_org_setting_release(&s);
    CHECK_RC(mc_store_setting_set(f->st, org, "share_default", "private", 0, &f->err), MCRED_OK,
             "setting_set replaces");
    CHECK(mc_store_setting_get(f->st, org, "share_default", &s, &f->err) == MCRED_OK &&
              strcmp(s.value, "private") == 0, "setting_get: the new value (%s)", f->label);
    mc_org_setting_release(&s);
    CHECK_RC(mc_store_setting_get(f->st, other, "share_default", &s, &f->err),
             MCRED_ERR_NOTFOUND, "setting_get: another organisation's");
    CHECK_RC(mc_store_setting_set(f->st, org, "x", NULL, 0, &f->err), MCRED_ERR_INVALID,
             "setting_set: no value");
}

static void web_share_put(struct fx *f, int64_t org, const char *cred, const char *sid,
                          bool enabled, struct mc_share *out, mcred_rc want, const char *what)
{
    struct mc_share in;

    memset(&in, 0, sizeof(in));
    in.org_id = org;
    in.cred_id = (char *)(uintptr_t)cred;
    in.share_id = (char *)(uintptr_t)sid;
    in.enabled = enabled;
    CHECK_RC(mc_store_share_put(f->st, &in, out, &f->err), want, what);
}

static bool in_showcase(struct fx *f, const char *sid)
{
    struct mc_store_list l;
    bool found = false;
    size_t i;

    if (mc_store_share_showcase(f->st, MC_STORE_PAGE_MAX, &l, &f->err) != MCRED_OK)
        return false;
    for (i = 0; i < l.n; i++)
        found = found || strcmp(((struct mc_share *)l.rows)[i].share_id, sid) == 0;
    mc_store_list_clear(&l);
    return found;
}

static void web_shares(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/web");
    struct mc_credential c;
    struct mc_share sh;
    char id1[96], id2[96], sid1[96], sid2[96];

    unique_name(f, "urn:uuid:w", id1, sizeof(id1));
    unique_name(f, "urn:uuid:w", id2, sizeof(id2));
    unique_name(f, "share", sid1, sizeof(sid1));
    unique_name(f, "share", sid2, sizeof(sid2));
    cred_init(&c, org, issuer, ach, id1, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred_put");
    cred_init(&c, org, issuer, ach, id2, NULL);
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred_put");

    CHECK_RC(mc_store_share_get(f->st, org, id1, &sh, &f->err), MCRED_ERR_NOTFOUND,
             "share_get: none yet");
    web_share_put(f, org, id1, sid1, false, &sh, MCRED_OK, "share_put: new, off");
    CHECK(strcmp(sh.share_id, sid1) == 0 && strcmp(sh.cred_id, id1) == 0 && !sh.enabled &&
              sh.org_id == org && sh.created > 0, "share_put returns the row (%s)", f->label);
    mc_share_release(&sh);
    web_share_put(f, org, id1, sid2, true, &sh, MCRED_OK, "share_put: on");
    CHECK(strcmp(sh.share_id, sid1) == 0 && sh.enabled,
          "share_put keeps the first share id and changes enabled (%s)", f->label);
    mc_share_release(&sh);
    web_share_put(f, other, id1, sid2, true, &sh, MCRED_ERR_NOTFOUND,
                  "share_put: another organisation's credential");
    web_share_put(f, org, "urn:none", sid2, true, &sh, MCRED_ERR_NOTFOUND,
                  "share_put: no such credential");
    web_share_put(f, org, id2, sid1, true, &sh, MCRED_ERR_CONFLICT,
                  "share_put: a share id already taken");
    CHECK(mc_store_share_find(f->st, sid1, &sh, &f->err) == MCRED_OK &&
              strcmp(sh.cred_id, id1) == 0 && sh.enabled, "share_find (%s)", f->label);
    mc_share_release(&sh);
    CHECK_RC(mc_store_share_find(f->st, sid2, &sh, &f->err), MCRED_ERR_NOTFOUND,
             "share_find: unknown");
    CHECK(mc_store_share_get(f->st, org, id1, &sh, &f->err) == MCRED_OK &&
              strcmp(sh.share_id, sid1) == 0, "share_get (%s)", f->label);
    mc_share_release(&sh);
    CHECK_RC(mc_store_share_get(f->st, other, id1, &sh, &f->err), MCRED_ERR_NOTFOUND,
             "share_get: another organisation");

    CHECK(!in_showcase(f, sid1), "showcase: off unless the organisation says on (%s)",
          f->label);
    CHECK_RC(mc_store_setting_set(f->st, org, "showcase", "on", 0, &f->err), MCRED_OK,
             "setting_set showcase");
    CHECK(in_showcase(f, sid1), "showcase: an enabled share of a showcasing organisation (%s)",
          f->label);
    web_share_put(f, org, id1, sid1, false, &sh, MCRED_OK, "share_put: off");
    mc_share_release(&sh);
    CHECK(!in_showcase(f, sid1), "showcase: not when off (%s)", f->label);
    CHECK_RC(mc_store_share_showcase(f->st, 0, &(struct mc_store_list){ 0 }, &f->err),
             MCRED_ERR_INVALID, "share_showcase: limit 0");
}

static void web_sessions(struct fx *f)
{
    int64_t org = new_org(f), user = 0;
    struct mc_session s, got;
    char hash[96], hash2[96];
    time_t now = time(NULL);

    CHECK_RC(mc_store_user_add(f->st, org, "web@p.example", MC_ROLE_LEARNER, &user, &f->err),
             MCRED_OK, "user_add");
    unique_name(f, "session", hash, sizeof(hash));
    unique_name(f, "session", hash2, sizeof(hash2));
    memset(&s, 0, sizeof(s));
    s.id_hash = hash;
    s.org_id = org;
    s.user_id = user;
    s.csrf = "csrf-token";
    s.expires = now + 3600;
    CHECK_RC(mc_store_session_add(f->st, &s, &f->err), MCRED_OK, "session_add");
    CHECK_RC(mc_store_session_add(f->st, &s, &f->err), MCRED_ERR_CONFLICT,
             "session_add: the same id twice");
    CHECK(mc_store_session_get(f->st, hash, now, &got, &f->err) == MCRED_OK &&
              got.user_id == user && got.org_id == org && got.role == MC_ROLE_LEARNER &&
              strcmp(got.email, "web@p.example") == 0 && strcmp(got.csrf, "csrf-token") == 0 &&
              got.expires == now + 3600 && got.created > 0,
          "session_get: the session and its user (%s)", f->label);
    mc_session_release(&got);
    CHECK_RC(mc_store_session_get(f->st, hash, now + 3600, &got, &f->err), MCRED_ERR_NOTFOUND,
             "session_get: expired");
    s.id_hash = hash2;
    s.expires = now - 10;
    CHECK_RC(mc_store_session_add(f->st, &s, &f->err), MCRED_OK, "session_add: an old one");
    CHECK_RC(mc_store_session_purge(f->st, now, &f->err), MCRED_OK, "session_purge");
    CHECK_RC(mc_store_session_delete(f->st, hash2, &f->err), MCRED_ERR_NOTFOUND,
             "session_purge removed the expired session");
    CHECK_RC(mc_store_session_get(f->st, hash, now, &got, &f->err), MCRED_OK,
             "session_purge kept the live one");
    mc_session_release(&got);
    CHECK_RC(mc_store_session_delete(f->st, hash, &f->err), MCRED_OK, "session_delete");
    CHECK_RC(mc_store_session_get(f->st, hash, now, &got, &f->err), MCRED_ERR_NOTFOUND,
             "session_get after delete");
    s.user_id = user + 1000000;
    CHECK(mc_store_session_add(f->st, &s, &f->err) != MCRED_OK,
          "session_add: an unknown user is refused (%s)", f->label);
    s.user_id = user;
    s.expires = 0;
    CHECK_RC(mc_store_session_add(f->st, &s, &f->err), MCRED_ERR_INVALID,
             "session_add: no expiry");
}

static void web_lookups(struct fx *f)
{
    int64_t org = new_org(f);
    struct mc_issuer is = { 0 }, got;
    struct mc_achievement a = { 0 }, ach;
    char did[160], uri[160];

    unique_name(f, "did:web:example.org:i", did, sizeof(did));
    is.org_id = org;
    is.name = "Web University";
    is.did = did;
    CHECK_RC(mc_store_issuer_put(f->st, &is, &f->err), MCRED_OK, "issuer_put");
    CHECK(mc_store_issuer_by_did(f->st, did, &got, &f->err) == MCRED_OK && got.id == is.id &&
              got.org_id == org, "issuer_by_did (%s)", f->label);
    mc_issuer_release(&got);
    CHECK_RC(mc_store_issuer_by_did(f->st, "did:web:nobody.example", &got, &f->err),
             MCRED_ERR_NOTFOUND, "issuer_by_did: unknown");
    unique_name(f, "https://example.org/achievements/w", uri, sizeof(uri));
    new_achievement(f, org, uri);
    a.org_id = org;
    a.uri = uri;
    a.json = "{\"name\":\"v2\"}";
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "achievement_put v2");
    CHECK(mc_store_achievement_by_uri(f->st, uri, &ach, &f->err) == MCRED_OK &&
              ach.version == 2 && ach.org_id == org && strstr(ach.json, "v2"),
          "achievement_by_uri: the latest version (%s)", f->label);
    mc_achievement_release(&ach);
    CHECK_RC(mc_store_achievement_by_uri(f->st, "https://nowhere.example/a", &ach, &f->err),
             MCRED_ERR_NOTFOUND, "achievement_by_uri: unknown");
}

/* The v3 web ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void web_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (web)" : "sqlite :memory: (web)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 2000000;   /* names apart from the other suites' in a shared database */
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        web_settings(&f);
        web_shares(&f);
        web_sessions(&f);
        web_lookups(&f);
        CHECK(!mc_store_in_transaction(f.st), "web: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: settings, shares, sessions, lookups\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v3 oauth: clients, grants, tokens, wallets, profiles -------------------------------- */

/* A stored secret's form (hex SHA-256) of a name unique to this run. */
static void oauth_hash(struct fx *f, const char *what, char out[65])
{
    char name[160];
    uint8_t h[MC_SHA256_BYTES];
    size_t i;

    unique_name(f, what, name, sizeof(name));
    mc_sha256(name, strlen(name), h);
    for (i = 0; i < sizeof(h); i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int64_t oauth_user(struct fx *f, int64_t org, const char *email)
{
    int64_t id = 0;

    CHECK_RC(mc_store_user_add(f->st, org, email, MC_ROLE_LEARNER, &id, &f->err), MCRED_OK,
             "oauth: user_add");
    return id;
}

static void oauth_clients(struct fx *f, char *client_id, size_t cap)
{
    struct mc_oauth_client c = { 0 }, got;
    char hash[65];

    unique_name(f, "client", client_id, cap);
    oauth_hash(f, "secret", hash);
    c.client_id = client_id;
    c.secret_hash = hash;
    c.meta = "{\"client_name\":\"Backpack\"}";
    CHECK_RC(mc_store_oauth_client_add(f->st, &c, &f->err), MCRED_OK, "oauth_client_add");
    CHECK_RC(mc_store_oauth_client_add(f->st, &c, &f->err), MCRED_ERR_CONFLICT,
             "oauth_client_add: the id is taken");
    CHECK_RC(mc_store_oauth_client_get(f->st, client_id, &got, &f->err), MCRED_OK,
             "oauth_client_get");
    CHECK(got.secret_hash && strcmp(got.secret_hash, hash) == 0 && got.meta &&
          strcmp(got.meta, c.meta) == 0 && got.created > 0, "the client as stored (%s)",
          f->label);
    mc_oauth_client_release(&got);
    CHECK_RC(mc_store_oauth_client_get(f->st, "no-such-client", &got, &f->err),
             MCRED_ERR_NOTFOUND, "oauth_client_get: unknown");
    c.client_id = "another";
    c.secret_hash = "not-a-hash";
    CHECK_RC(mc_store_oauth_client_add(f->st, &c, &f->err), MCRED_ERR_INVALID,
             "oauth_client_add: a secret that is not a hash");
}

/* An undecided grant of (org, user) with nonce_hash, expiring at expires. */
static int64_t oauth_grant(struct fx *f, int64_t org, int64_t user, const char *client,
                           const char *nonce_hash, time_t expires)
{
    struct mc_oauth_grant g;

    memset(&g, 0, sizeof(g));
    g.org_id = org;
    g.user_id = user;
    g.client_id = (char *)(uintptr_t)client;
    g.redirect_uri = "https://app.example/cb";
    g.scopes = 5;
    g.state = "s1";
    g.challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    g.nonce_hash = (char *)(uintptr_t)nonce_hash;
    g.expires = expires;
    CHECK_RC(mc_store_oauth_grant_add(f->st, &g, &f->err), MCRED_OK, "oauth_grant_add");
    CHECK(g.id > 0 && g.created > 0, "a grant gets an id (%s)", f->label);
    return g.id;
}

static void oauth_grants(struct fx *f, int64_t org, int64_t user, int64_t other_user,
                         const char *client, char code_hash[65], int64_t *grant_id)
{
    struct mc_oauth_grant g;
    char nonce[65], nonce2[65];
    const time_t now = 1800000000;

    oauth_hash(f, "nonce", nonce);
    oauth_hash(f, "code", code_hash);
    *grant_id = oauth_grant(f, org, user, client, nonce, now + 600);
    CHECK_RC(mc_store_oauth_grant_decide(f->st, org, other_user, nonce, code_hash, now + 600,
                                         now, &g, &f->err), MCRED_ERR_NOTFOUND,
             "grant_decide: another user's nonce");
    CHECK_RC(mc_store_oauth_grant_decide(f->st, org, user, nonce, code_hash, now + 1300,
                                         now + 700, &g, &f->err), MCRED_ERR_NOTFOUND,
             "grant_decide: an expired nonce");
    CHECK_RC(mc_store_oauth_grant_decide(f->st, org, user, nonce, code_hash, now + 600, now, &g,
                                         &f->err), MCRED_OK, "grant_decide: approve");
    CHECK(g.id == *grant_id && !g.nonce_hash && g.code_hash && strcmp(g.code_hash, code_hash) == 0
          && g.expires == now + 600 && g.scopes == 5 && g.state && strcmp(g.state, "s1") == 0 &&
          !g.revoked && !g.code_used, "the approved grant carries its code (%s)", f->label);
    mc_oauth_grant_release(&g);
    CHECK_RC(mc_store_oauth_grant_decide(f->st, org, user, nonce, code_hash, now + 600, now, &g,
                                         &f->err), MCRED_ERR_NOTFOUND,
             "grant_decide: a nonce works once");
    CHECK_RC(mc_store_oauth_grant_by_code(f->st, code_hash, &g, &f->err), MCRED_OK,
             "grant_by_code");
    CHECK(g.id == *grant_id && g.user_id == user && strcmp(g.client_id, client) == 0 &&
          strcmp(g.redirect_uri, "https://app.example/cb") == 0, "grant_by_code reads it");
    mc_oauth_grant_release(&g);
    CHECK_RC(mc_store_oauth_grant_use_code(f->st, org, *grant_id, now, &f->err), MCRED_OK,
             "grant_use_code");
    CHECK_RC(mc_store_oauth_grant_use_code(f->st, org, *grant_id, now + 1, &f->err),
             MCRED_ERR_CONFLICT, "grant_use_code: a code is used once");
    CHECK_RC(mc_store_oauth_grant_use_code(f->st, org, *grant_id + 100000, now, &f->err),
             MCRED_ERR_NOTFOUND, "grant_use_code: no such grant");
    /* denied: the nonce is spent and the grant revoked */
    oauth_hash(f, "nonce", nonce2);
    (void)oauth_grant(f, org, user, client, nonce2, now + 600);
    CHECK_RC(mc_store_oauth_grant_decide(f->st, org, user, nonce2, NULL, 0, now, &g, &f->err),
             MCRED_OK, "grant_decide: deny");
    CHECK(g.revoked == now && !g.code_hash && !g.nonce_hash, "a denied grant is revoked (%s)",
          f->label);
    mc_oauth_grant_release(&g);
    CHECK_RC(mc_store_oauth_grant_by_code(f->st, nonce2, &g, &f->err), MCRED_ERR_NOTFOUND,
             "grant_by_code: a nonce is no code");
    CHECK_RC(mc_store_oauth_grant_add(f->st, &(struct mc_oauth_grant){ .org_id = org,
             .user_id = user, .client_id = (char *)(uintptr_t)client, .redirect_uri = "x",
             .scopes = 0, .challenge = "c", .nonce_hash = nonce2, .expires = now },
             &f->err), MCRED_ERR_INVALID, "grant_add: no scopes");
}

static void oauth_tokens(struct fx *f, int64_t org, const char *client, int64_t grant_id,
                         const char *code_hash)
{
    struct mc_oauth_token t = { 0 }, got;
    struct mc_oauth_grant g;
    char access[65], refresh[65];
    const time_t now = 1800000000;

    oauth_hash(f, "access", access);
    oauth_hash(f, "refresh", refresh);
    t.hash = access;
    t.org_id = org;
    t.grant_id = grant_id;
    t.scopes = 1;
    t.created = now;
    t.expires = now + 3600;
    CHECK_RC(mc_store_oauth_token_add(f->st, &t, &f->err), MCRED_OK, "token_add: access");
    CHECK_RC(mc_store_oauth_token_add(f->st, &t, &f->err), MCRED_ERR_CONFLICT,
             "token_add: the hash is taken");
    t.hash = refresh;
    t.refresh = true;
    t.scopes = 5;
    t.expires = now + 86400;
    CHECK_RC(mc_store_oauth_token_add(f->st, &t, &f->err), MCRED_OK, "token_add: refresh");
    CHECK_RC(mc_store_oauth_token_get(f->st, access, &got, &f->err), MCRED_OK, "token_get");
    CHECK(!got.refresh && got.scopes == 1 && got.expires == now + 3600 && got.grant_id ==
          grant_id && strcmp(got.client_id, client) == 0 && got.user.email &&
          strcmp(got.user.email, "ann@oauth.example") == 0 && got.user.role == MC_ROLE_LEARNER &&
          !got.used && !got.revoked && !got.grant_revoked, "token_get: the token, its client "
          "and user (%s)", f->label);
    mc_oauth_token_release(&got);
    CHECK_RC(mc_store_oauth_token_use(f->st, refresh, now, &f->err), MCRED_OK, "token_use");
    CHECK_RC(mc_store_oauth_token_use(f->st, refresh, now + 5, &f->err), MCRED_ERR_CONFLICT,
             "token_use: once");
    CHECK_RC(mc_store_oauth_token_use(f->st, code_hash, now, &f->err), MCRED_ERR_NOTFOUND,
             "token_use: unknown");
    CHECK_RC(mc_store_oauth_token_revoke(f->st, access, now + 10, &f->err), MCRED_OK,
             "token_revoke");
    CHECK_RC(mc_store_oauth_token_revoke(f->st, access, now + 20, &f->err), MCRED_OK,
             "token_revoke again");
    CHECK(mc_store_oauth_token_get(f->st, access, &got, &f->err) == MCRED_OK &&
          got.revoked == now + 10, "the first revocation time is kept (%s)", f->label);
    mc_oauth_token_release(&got);
    CHECK_RC(mc_store_oauth_grant_revoke(f->st, org, grant_id, now + 30, &f->err), MCRED_OK,
             "grant_revoke");
    CHECK(mc_store_oauth_token_get(f->st, refresh, &got, &f->err) == MCRED_OK &&
          got.refresh && got.used == now && got.grant_revoked == now + 30,
          "a token shows its grant's revocation (%s)", f->label);
    mc_oauth_token_release(&got);
    CHECK_RC(mc_store_oauth_grant_revoke(f->st, org + 100000, grant_id, now, &f->err),
             MCRED_ERR_NOTFOUND, "grant_revoke: another organisation's grant");
    /* purge: expired tokens go, then grants nothing refers to */
    CHECK_RC(mc_store_oauth_purge(f->st, now + 3601, &f->err), MCRED_OK, "oauth_purge");
    CHECK_RC(mc_store_oauth_token_get(f->st, access, &got, &f->err), MCRED_ERR_NOTFOUND,
             "purge removed the expired access token");
    CHECK_RC(mc_store_oauth_grant_by_code(f->st, code_hash, &g, &f->err), MCRED_OK,
             "purge kept the grant its refresh token needs");
    mc_oauth_grant_release(&g);
    CHECK_RC(mc_store_oauth_purge(f->st, now + 86401, &f->err), MCRED_OK, "oauth_purge later");
    CHECK_RC(mc_store_oauth_grant_by_code(f->st, code_hash, &g, &f->err), MCRED_ERR_NOTFOUND,
             "purge removed the grant once its tokens were gone");
}

/* Wallet ids of a page, in order, joined by spaces into buf. */
static void wallet_keys(struct fx *f, int64_t org, int64_t user, const time_t *since,
                        size_t offset, size_t limit, char *buf, size_t cap)
{
    struct mc_store_list l;
    size_t i;

    buf[0] = '\0';
    CHECK_RC(mc_store_ob_wallet_list(f->st, org, user, since, offset, limit, &l, &f->err),
             MCRED_OK, "ob_wallet_list");
    for (i = 0; i < l.n; i++) {
        const struct mc_ob_item *it = &((const struct mc_ob_item *)l.rows)[i];

        if (i)
            mc_strlcat(buf, " ", cap);
        mc_strlcat(buf, it->key, cap);
        if (it->jws)
            mc_strlcat(buf, "(jws)", cap);
    }
    mc_store_list_clear(&l);
}

static void oauth_wallets(struct fx *f, int64_t org, int64_t user, int64_t other_org,
                          int64_t stranger)
{
    const time_t now = 1800000000, since = 1500;
    int64_t issuer = new_issuer(f, org), ach = new_achievement(f, org, "urn:ach:w"), n = -1;
    struct mc_credential c;
    char id[160], idem[160], keys[1024], want[400];
    bool created = false;

    CHECK_RC(mc_store_ob_wallet_put(f->st, org, user, "did:key:z1", "urn:c:2", false, "{\"a\":2}",
                                    2000, now, &created, &f->err), MCRED_OK, "wallet_put");
    CHECK(created, "wallet_put: new (%s)", f->label);
    CHECK_RC(mc_store_ob_wallet_put(f->st, org, user, "did:key:z1", "urn:c:2", false, "{\"a\":3}",
                                    2000, now, &created, &f->err), MCRED_OK, "wallet_put again");
    CHECK(!created, "wallet_put: the same pair replaces (%s)", f->label);
    CHECK_RC(mc_store_ob_wallet_put(f->st, org, user, "did:key:z2", "urn:c:2", true, "h.p.s",
                                    1000, now, &created, &f->err), MCRED_OK, "wallet_put jws");
    CHECK(created, "another issuer, the same id: another credential (%s)", f->label);
    /* a credential the organisation issued to the user's address joins the wallet */
    unique_name(f, "wcred", id, sizeof(id));
    unique_name(f, "widem", idem, sizeof(idem));
    cred_init(&c, org, issuer, ach, id, idem);
    c.recipient = "Ann@OAuth.example";
    c.issued = 3000;
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred_put to ann");
    wallet_keys(f, org, user, NULL, 0, 10, keys, sizeof(keys));
    snprintf(want, sizeof(want), "urn:c:2(jws) urn:c:2 %s", id);
    CHECK_STR_EQ(keys, want, "the wallet in issue order, issued credentials with it");
    CHECK(mc_store_ob_wallet_count(f->st, org, user, NULL, &n, &f->err) == MCRED_OK && n == 3,
          "ob_wallet_count %lld (%s)", (long long)n, f->label);
    wallet_keys(f, org, user, &since, 0, 10, keys, sizeof(keys));
    snprintf(want, sizeof(want), "urn:c:2 %s", id);
    CHECK_STR_EQ(keys, want, "since leaves out what was issued before");
    CHECK(mc_store_ob_wallet_count(f->st, org, user, &since, &n, &f->err) == MCRED_OK && n == 2,
          "ob_wallet_count since");
    wallet_keys(f, org, user, NULL, 1, 1, keys, sizeof(keys));
    CHECK_STR_EQ(keys, "urn:c:2", "a page of one at offset 1");
    /* the user holding the issued credential itself: it shows once */
    CHECK_RC(mc_store_ob_wallet_put(f->st, org, user, "did:key:z9", id, false, "{}", 3000, now,
                                    &created, &f->err), MCRED_OK, "wallet_put the issued one");
    CHECK(mc_store_ob_wallet_count(f->st, org, user, NULL, &n, &f->err) == MCRED_OK && n == 3,
          "an issued credential put in the wallet counts once (%lld)", (long long)n);
    /* other users and organisations see none of it */
    CHECK(mc_store_ob_wallet_count(f->st, other_org, stranger, NULL, &n, &f->err) == MCRED_OK &&
          n == 0, "another organisation's wallet is empty (%s)", f->label);
    CHECK(mc_store_ob_wallet_count(f->st, other_org, user, NULL, &n, &f->err) == MCRED_OK &&
          n == 0, "a user id under another organisation has nothing");
    CHECK_RC(mc_store_ob_wallet_put(f->st, other_org, user, "i", "c", false, "{}", 1, now,
                                    &created, &f->err), MCRED_ERR_INVALID,
             "wallet_put: a user of another organisation");
    CHECK_RC(mc_store_ob_wallet_list(f->st, org, user, NULL, 0, 0, &(struct mc_store_list){ 0 },
                                     &f->err), MCRED_ERR_INVALID, "wallet_list: limit 0");
}

static void oauth_profiles(struct fx *f, int64_t org, int64_t user)
{
    struct mc_ob_profile p;

    CHECK_RC(mc_store_ob_profile_get(f->st, org, user, &p, &f->err), MCRED_ERR_NOTFOUND,
             "ob_profile_get: none yet");
    CHECK_RC(mc_store_ob_profile_put(f->st, org, user, "{\"id\":\"urn:p:1\"}", 100, &f->err),
             MCRED_OK, "ob_profile_put");
    CHECK_RC(mc_store_ob_profile_put(f->st, org, user, "{\"id\":\"urn:p:2\"}", 200, &f->err),
             MCRED_OK, "ob_profile_put replaces");
    CHECK(mc_store_ob_profile_get(f->st, org, user, &p, &f->err) == MCRED_OK && p.doc &&
          strcmp(p.doc, "{\"id\":\"urn:p:2\"}") == 0 && p.updated == 200,
          "ob_profile_get: the last put (%s)", f->label);
    mc_ob_profile_release(&p);
    CHECK_RC(mc_store_ob_profile_get(f->st, org + 100000, user, &p, &f->err),
             MCRED_ERR_NOTFOUND, "ob_profile_get: another organisation");
}

/* The v3 oauth ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void oauth_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;
        int64_t org, other, ann, bob, stranger, grant_id = 0;
        char client[160], code_hash[65];

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (oauth)" : "sqlite :memory: (oauth)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 3000000;   /* names apart from the other suites' in a shared database */
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        org = new_org(&f);
        other = new_org(&f);
        ann = oauth_user(&f, org, "ann@oauth.example");
        bob = oauth_user(&f, org, "bob@oauth.example");
        stranger = oauth_user(&f, other, "ann@oauth.example");
        oauth_clients(&f, client, sizeof(client));
        oauth_grants(&f, org, ann, bob, client, code_hash, &grant_id);
        oauth_tokens(&f, org, client, grant_id, code_hash);
        oauth_wallets(&f, org, ann, other, stranger);
        oauth_profiles(&f, org, ann);
        CHECK(!mc_store_in_transaction(f.st), "oauth: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: clients, grants, tokens, wallets, profiles\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v3 wallet: holder keys, wallet items ----------------------------------------- */

static void wallet_cases(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_learner ann = { 0 }, bob = { 0 };
    struct mc_holder_key hk = { 0 }, got;
    struct mc_wallet_item it = { 0 }, w;
    struct mc_store_list l;
    char name[160];

    unique_name(f, "wallet-ann", name, sizeof(name));
    ann.org_id = org;
    ann.name = name;
    CHECK_RC(mc_store_learner_put(f->st, &ann, &f->err), MCRED_OK, "wallet: learner ann");
    bob.org_id = other;
    bob.name = name;
    CHECK_RC(mc_store_learner_put(f->st, &bob, &f->err), MCRED_OK, "wallet: learner bob");
    ann.name = bob.name = NULL;

    CHECK_RC(mc_store_holder_key_get(f->st, org, ann.id, &got, &f->err), MCRED_ERR_NOTFOUND,
             "holder_key_get before any: NOTFOUND");
    hk.org_id = org;
    hk.learner_id = ann.id;
    hk.did = "did:key:z6MkTest";
    hk.public_multibase = "z6MkTest";
    hk.key_file = "{\"format\":\"test\"}";
    CHECK_RC(mc_store_holder_key_put(f->st, &hk, &f->err), MCRED_OK, "holder_key_put");
    CHECK(hk.id > 0 && hk.created > 0, "holder_key_put sets id and created");
    CHECK_RC(mc_store_holder_key_put(f->st, &hk, &f->err), MCRED_ERR_CONFLICT,
             "a second holder key for the learner: CONFLICT");
    CHECK_RC(mc_store_holder_key_get(f->st, org, ann.id, &got, &f->err), MCRED_OK,
             "holder_key_get");
    CHECK(got.did && strcmp(got.did, hk.did) == 0 && got.key_file &&
          strcmp(got.key_file, hk.key_file) == 0, "holder key read back (%s)", f->label);
    mc_holder_key_release(&got);
    CHECK_RC(mc_store_holder_key_get(f->st, other, ann.id, &got, &f->err), MCRED_ERR_NOTFOUND,
             "holder_key_get: another organisation sees nothing");
    hk.org_id = other;   /* the learner is not of that organisation */
    hk.id = 0;
    CHECK(mc_store_holder_key_put(f->st, &hk, &f->err) != MCRED_OK,
          "holder_key_put for a learner of another organisation is refused");

    it.org_id = org;
    it.learner_id = ann.id;
    it.cred_id = "urn:uuid:1";
    it.hash = "aa11";
    it.format = "json-ld (Data Integrity)";
    it.source = "file";
    it.verdict = "valid";
    it.report = "{}";
    it.doc = "{\"id\":\"urn:uuid:1\"}";
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_OK, "wallet_put");
    CHECK(it.id > 0 && it.imported > 0, "wallet_put sets id and imported");
    it.id = 0;
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_ERR_CONFLICT,
             "the same bytes twice: CONFLICT");
    it.hash = "bb22";
    it.cred_id = NULL;
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_OK, "a second item, no id");
    it.doc = "";
    it.hash = "cc33";
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_ERR_INVALID,
             "an empty document is refused");
    CHECK_RC(mc_store_wallet_find(f->st, org, ann.id, "aa11", &w, &f->err), MCRED_OK,
             "wallet_find");
    CHECK(w.cred_id && strcmp(w.cred_id, "urn:uuid:1") == 0, "wallet_find reads the row");
    {
        int64_t wid = w.id;

        mc_wallet_item_release(&w);
        CHECK_RC(mc_store_wallet_get(f->st, org, ann.id, wid, &w, &f->err), MCRED_OK,
                 "wallet_get");
        CHECK(w.id == wid && strcmp(w.hash, "aa11") == 0, "wallet_get reads the row");
        mc_wallet_item_release(&w);
    }
    CHECK_RC(mc_store_wallet_get(f->st, other, ann.id, 1, &w, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_get: another organisation sees nothing");
    CHECK_RC(mc_store_wallet_get(f->st, org, bob.id, it.id, &w, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_get: another learner's item is not found");
    CHECK_RC(mc_store_wallet_list(f->st, org, ann.id, &l, &f->err), MCRED_OK, "wallet_list");
    CHECK(l.n == 2 && ((struct mc_wallet_item *)l.rows)[0].id <
                          ((struct mc_wallet_item *)l.rows)[1].id,
          "wallet_list: both items, oldest first (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_wallet_list(f->st, other, ann.id, &l, &f->err), MCRED_OK,
             "wallet_list of another organisation");
    CHECK(l.n == 0, "another organisation lists nothing");
    mc_store_list_clear(&l);
}

static void wallet_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (wallet)" : "sqlite :memory: (wallet)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 4000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        wallet_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "wallet: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: holder keys, wallet items\n", check_failed == before ? "ok" : "FAIL",
               f.label);
    }
}

/* --- v3 skills: frameworks, crosswalk, declared skills, postings ------------------ */

/* A word no other run has: "sk" and digits (one search word). */
static void skills_word(struct fx *f, char *buf, size_t n)
{
    char tag[160];
    size_t i, o = 0;

    unique_name(f, "w", tag, sizeof(tag));
    o = (size_t)snprintf(buf, n, "sk");
    for (i = 0; tag[i] && o + 1 < n; i++) {
        if (tag[i] >= '0' && tag[i] <= '9')
            buf[o++] = tag[i];
    }
    buf[o] = '\0';
}

static mcred_rc skills_count_label(void *ud, const struct mc_skill_label *l)
{
    const char *prefix = ((const char **)ud)[0];
    size_t *n = (size_t *)(uintptr_t)((const char **)ud)[1];

    if (strncmp(l->uri, prefix, strlen(prefix)) == 0)
        (*n)++;
    return MCRED_OK;
}

static void skills_cases(struct fx *f)
{
    char word[64], name[72], base[160], uri[4][224], labels[4][128], norm[4][128], ref[160];
    struct mc_skill_concept_in c[4];
    struct mc_skill_label_in lb[6];
    struct mc_skill_edge_in e[3];
    struct mc_skill_import im;
    struct mc_skill_stats s;
    struct mc_store_list l;
    struct mc_skill k;
    struct mc_learner ln = { 0 };
    const struct mc_skill *rows;
    const char *uris[2];
    int64_t hits[2] = { 2, 1 }, fw = 0, fw2 = 0, org = new_org(f), postings = 0, pid = 0;
    size_t i, nlabels = 0;
    const void *scan[2];

    skills_word(f, word, sizeof(word));
    snprintf(name, sizeof(name), "t%s", word + 2);
    name[40] = '\0';
    snprintf(base, sizeof(base), "https://skills.example/%s/", word);
    for (i = 0; i < 4; i++)
        snprintf(uri[i], sizeof(uri[i]), "%s%zu", base, i);
    snprintf(labels[0], sizeof(labels[0]), "weld %s pipes", word);
    snprintf(labels[1], sizeof(labels[1]), "%s safety", word);
    snprintf(labels[2], sizeof(labels[2]), "%s welder", word);
    snprintf(labels[3], sizeof(labels[3]), "%s welding", word);
    snprintf(norm[0], sizeof(norm[0]), "weld %s pipe", word);
    snprintf(norm[1], sizeof(norm[1]), "%s safety", word);
    snprintf(norm[2], sizeof(norm[2]), "%s welder", word);
    snprintf(norm[3], sizeof(norm[3]), "%s welding", word);
    memset(c, 0, sizeof(c));
    for (i = 0; i < 4; i++) {
        c[i].uri = uri[i];
        c[i].label = labels[i];
        c[i].kind = i == 2 ? MC_SK_OCCUPATION : i == 3 ? MC_SK_SKILL_GROUP : MC_SK_SKILL;
    }
    c[0].description = "Joins pipes by welding; \"quoted\", back\\slash, {braces}";
    c[2].code = "7212";
    for (i = 0; i < 4; i++) {
        lb[i].concept = (uint32_t)i;
        lb[i].pref = true;
        lb[i].label = labels[i];
        lb[i].norm = norm[i];
    }
    lb[4] = lb[0];
    lb[4].pref = false;
    lb[4].label = "pipe welding, NULL";
    lb[4].norm = "pipe welding null";
    lb[5] = lb[4];
    lb[5].concept = 1;
    lb[5].label = "";   /* refused below */
    e[0].from = 2;
    e[0].to = 0;
    e[0].rel = MC_SR_ESSENTIAL;
    e[0].flags = 0;
    e[1] = e[0];
    e[1].to = 1;
    e[1].rel = MC_SR_OPTIONAL;
    e[2] = e[0];
    e[2].from = 0;
    e[2].to = 3;
    e[2].rel = MC_SR_BROADER;
    memset(&im, 0, sizeof(im));
    im.name = name;
    im.version = "1";
    im.title = "contract";
    im.attribution = "Test data, CC0";
    im.concepts = c;
    im.nconcepts = 4;
    im.labels = lb;
    im.nlabels = 6;
    im.edges = e;
    im.nedges = 3;
    CHECK_RC(mc_store_skill_import(f->st, &im, &fw, &f->err), MCRED_ERR_INVALID,
             "skill_import: an empty label is refused");
    CHECK(fw == 0, "no framework id on failure");
    im.nlabels = 5;
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "begin");
    CHECK_RC(mc_store_skill_import(f->st, &im, &fw, &f->err), MCRED_ERR_INVALID,
             "skill_import inside the caller's transaction");
    (void)mc_store_rollback(f->st);
    CHECK_RC(mc_store_skill_import(f->st, &im, &fw, &f->err), MCRED_OK, "skill_import");
    CHECK_RC(mc_store_skill_stats(f->st, fw, &s, &f->err), MCRED_OK, "skill_stats");
    CHECK(s.kinds[MC_SK_SKILL] == 2 && s.kinds[MC_SK_OCCUPATION] == 1 && s.labels == 5 &&
          s.pref_labels == 4 && s.rels[MC_SR_ESSENTIAL] == 1 && s.rels[MC_SR_OPTIONAL] == 1 &&
          s.rels[MC_SR_BROADER] == 1, "skill_stats counts the rows (%s)", f->label);
    CHECK_RC(mc_store_skill_get(f->st, uri[0], &k, &f->err), MCRED_OK, "skill_get");
    CHECK(k.label && strcmp(k.label, labels[0]) == 0 && k.description &&
          strcmp(k.description, c[0].description) == 0 && k.framework &&
          strcmp(k.framework, name) == 0 && k.kind == MC_SK_SKILL,
          "skill_get round trip, quotes and backslashes included (%s)", f->label);
    mc_skill_release(&k);
    CHECK_RC(mc_store_skill_get(f->st, uri[2], &k, &f->err), MCRED_OK, "skill_get occupation");
    CHECK(k.code && strcmp(k.code, "7212") == 0, "the code (%s)", f->label);
    CHECK_RC(mc_store_skill_links(f->st, k.id, false, &l, &f->err), MCRED_OK, "skill_links");
    rows = l.rows;
    CHECK(l.n == 2 && rows[0].rel == MC_SR_ESSENTIAL && strcmp(rows[0].uri, uri[0]) == 0 &&
          rows[1].rel == MC_SR_OPTIONAL, "an occupation's skills, essential first (%s)",
          f->label);
    mc_store_list_clear(&l);
    mc_skill_release(&k);
    CHECK_RC(mc_store_skill_get(f->st, uri[0], &k, &f->err), MCRED_OK, "skill_get again");
    CHECK_RC(mc_store_skill_links(f->st, k.id, true, &l, &f->err), MCRED_OK, "links reversed");
    CHECK(l.n == 1 && ((const struct mc_skill *)l.rows)[0].kind == MC_SK_OCCUPATION,
          "the occupations needing a skill (%s)", f->label);
    mc_store_list_clear(&l);
    mc_skill_release(&k);
    CHECK_RC(mc_store_skill_get(f->st, "https://skills.example/none", &k, &f->err),
             MCRED_ERR_NOTFOUND, "skill_get: unknown");
    /* search: prefixes of every word, one row per concept, the exact label first */
    CHECK_RC(mc_store_skill_search(f->st, word, NULL, NULL, 10, &l, &f->err), MCRED_OK,
             "skill_search");
    CHECK(l.n == 4, "every concept with the word (%s): %zu", f->label, l.n);
    mc_store_list_clear(&l);
    snprintf(ref, sizeof(ref), "%s weld", word);
    CHECK_RC(mc_store_skill_search(f->st, ref, norm[2], "occupation,skill", 10, &l, &f->err),
             MCRED_OK, "skill_search with kinds");
    rows = l.rows;
    CHECK(l.n == 2 && strcmp(rows[0].uri, uri[2]) == 0 && strcmp(rows[1].uri, uri[0]) == 0,
          "the exact label first, the group left out (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_skill_search(f->st, "DROP TABLE", NULL, NULL, 10, &l, &f->err),
             MCRED_ERR_INVALID, "skill_search: words are lowercase letters and digits");
    CHECK_RC(mc_store_skill_search(f->st, word, NULL, "hobby", 10, &l, &f->err),
             MCRED_ERR_INVALID, "skill_search: an unknown kind");
    scan[0] = base;
    scan[1] = &nlabels;
    CHECK_RC(mc_store_skill_label_scan(f->st, "skill", skills_count_label, scan, &f->err),
             MCRED_OK, "skill_label_scan");
    CHECK(nlabels == 3, "the labels of the skills (%s): %zu", f->label, nlabels);
    /* a second framework defining one of these URIs fails whole */
    snprintf(ref, sizeof(ref), "%s2", name);
    ref[40] = '\0';
    im.name = ref;
    im.nlabels = 4;
    CHECK_RC(mc_store_skill_import(f->st, &im, &fw2, &f->err), MCRED_ERR_CONFLICT,
             "a URI of another framework");
    CHECK(strstr(f->err.msg, name) != NULL, "names the framework: %s", f->err.msg);
    CHECK(mc_store_skill_stats(f->st, fw, &s, &f->err) == MCRED_OK && s.labels == 5,
          "the first framework is intact (%s)", f->label);
    /* re-import replaces */
    im.name = name;
    CHECK_RC(mc_store_skill_import(f->st, &im, &fw2, &f->err), MCRED_OK, "re-import");
    CHECK(mc_store_skill_stats(f->st, fw2, &s, &f->err) == MCRED_OK && s.labels == 4 &&
          s.kinds[MC_SK_SKILL] == 2, "the framework replaced (%s)", f->label);
    /* crosswalk by operator */
    CHECK_RC(mc_store_skill_map_put(f->st, uri[0], uri[1], 0, &f->err), MCRED_OK, "map_put");
    CHECK_RC(mc_store_skill_map_put(f->st, uri[0], "https://skills.example/none", 0, &f->err),
             MCRED_ERR_NOTFOUND, "map_put: an unknown concept");
    CHECK_RC(mc_store_skill_map_list(f->st, uri[1], &l, &f->err), MCRED_OK, "map_list");
    CHECK(l.n == 1 && strcmp(((const struct mc_skill *)l.rows)[0].uri, uri[0]) == 0 &&
          strcmp(((const struct mc_skill *)l.rows)[0].extra, "operator") == 0,
          "map_list in the other direction (%s)", f->label);
    mc_store_list_clear(&l);
    /* declared skills and held credentials */
    ln.org_id = org;
    ln.name = "Skilled";
    ln.email = "skilled@example.org";
    CHECK_RC(mc_store_learner_put(f->st, &ln, &f->err), MCRED_OK, "learner");
    ln.name = ln.email = NULL;
    CHECK_RC(mc_store_skill_declare(f->st, org, ln.id, uri[1], 0, &f->err), MCRED_OK,
             "skill_declare");
    CHECK_RC(mc_store_skill_declare(f->st, org, ln.id, "urn:x:y", 0, &f->err), MCRED_OK,
             "skill_declare a URI no framework has");
    CHECK_RC(mc_store_skill_declare(f->st, org + 1000000, ln.id, uri[1], 0, &f->err),
             MCRED_ERR_NOTFOUND, "skill_declare in another organisation");
    CHECK_RC(mc_store_skill_declared(f->st, org, ln.id, &l, &f->err), MCRED_OK,
             "skill_declared");
    rows = l.rows;
    CHECK(l.n == 2 && rows[0].label && rows[1].label == NULL && rows[0].count > 0,
          "declared skills, labels where known (%s)", f->label);
    mc_store_list_clear(&l);
    {
        int64_t issuer = new_issuer(f, org), ach = new_achievement(f, org, "urn:a:skills");
        struct mc_credential cr;
        char id1[160], id2[160];

        unique_name(f, "urn:uuid:sk", id1, sizeof(id1));
        unique_name(f, "urn:uuid:sk", id2, sizeof(id2));
        cred_init(&cr, org, issuer, ach, id1, NULL);
        cr.recipient = "Skilled@Example.org";
        CHECK_RC(mc_store_cred_put(f->st, &cr, NULL, &f->err), MCRED_OK, "cred to the learner");
        cred_init(&cr, org, issuer, ach, id2, NULL);
        cr.recipient = "skilled@example.org";
        cr.valid_until = 1700000100;
        CHECK_RC(mc_store_cred_put(f->st, &cr, NULL, &f->err), MCRED_OK, "expiring cred");
        CHECK_RC(mc_store_skill_held(f->st, org, ln.id, 1700000050, &l, &f->err), MCRED_OK,
                 "skill_held");
        CHECK(l.n == 2 && ((const struct mc_skill_held *)l.rows)[0].achievement_json,
              "both valid before the expiry (%s)", f->label);
        mc_store_list_clear(&l);
        CHECK_RC(mc_store_skill_held(f->st, org, ln.id, 1700000200, &l, &f->err), MCRED_OK,
                 "skill_held later");
        CHECK(l.n == 1 && strcmp(((const struct mc_skill_held *)l.rows)[0].credential_id,
                                 id1) == 0, "the expired one left out (%s)", f->label);
        mc_store_list_clear(&l);
        CHECK_RC(mc_store_cred_set_state(f->st, org, id1, MC_CRED_REVOKED, NULL, &f->err),
                 MCRED_OK, "revoke");
        CHECK(mc_store_skill_held(f->st, org, ln.id, 1700000050, &l, &f->err) == MCRED_OK &&
              l.n == 1, "the revoked one left out (%s)", f->label);
        mc_store_list_clear(&l);
    }
    /* postings and demand */
    uris[0] = uri[0];
    uris[1] = uri[1];
    snprintf(ref, sizeof(ref), "%s-p1", word);
    CHECK_RC(mc_store_skill_posting_put(f->st, ref, "Welder", uris, hits, 2, 0, &pid, &f->err),
             MCRED_OK, "posting_put");
    CHECK_RC(mc_store_skill_posting_put(f->st, ref, "Welder", uris, hits, 1, 0, &pid, &f->err),
             MCRED_OK, "posting_put again replaces");
    snprintf(ref, sizeof(ref), "%s-p2", word);
    CHECK_RC(mc_store_skill_posting_put(f->st, ref, NULL, uris, hits, 2, 0, &pid, &f->err),
             MCRED_OK, "posting_put 2");
    CHECK_RC(mc_store_skill_demand(f->st, MC_SKILL_MAX_DEMAND, &l, &postings, &f->err),
             MCRED_OK, "skill_demand");
    rows = l.rows;
    for (i = 0; i < l.n; i++) {
        if (strcmp(rows[i].uri, uri[0]) == 0)
            CHECK(rows[i].count == 2 && rows[i].label, "uri 0 in both postings (%s)", f->label);
        if (strcmp(rows[i].uri, uri[1]) == 0)
            CHECK(rows[i].count == 1, "uri 1 in one posting (%s)", f->label);
    }
    CHECK(postings >= 2, "postings counted (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_skill_demand(f->st, 0, &l, &postings, &f->err), MCRED_ERR_INVALID,
             "skill_demand: limit 0");
    CHECK_RC(mc_store_skill_framework_list(f->st, &l, &f->err), MCRED_OK, "framework_list");
    rows = NULL;
    for (i = 0; i < l.n; i++) {
        const struct mc_skill_framework *fr = &((const struct mc_skill_framework *)l.rows)[i];

        if (strcmp(fr->name, name) == 0)
            CHECK(fr->concepts == 4 && fr->labels == 4 && fr->edges == 3 && fr->attribution &&
                  strcmp(fr->attribution, "Test data, CC0") == 0, "the framework row (%s)",
                  f->label);
    }
    mc_store_list_clear(&l);
}

/* The v3 skills ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void skills_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (skills)" : "sqlite :memory: (skills)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 5000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        skills_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "skills: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: frameworks, search, crosswalk, declared, held, postings\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v4 wallet pages: replacing wallet items, their share links ------------------- */

static void wallet_pages_cases(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), id1, id2;
    struct mc_learner ann = { 0 }, bob = { 0 };
    struct mc_wallet_item it = { 0 }, w;
    struct mc_share sh, sh2;
    char name[160], sid[160], sid2[160], idtxt[24];

    unique_name(f, "wp-ann", name, sizeof(name));
    unique_name(f, "wp-share", sid, sizeof(sid));
    unique_name(f, "wp-share2", sid2, sizeof(sid2));
    ann.org_id = bob.org_id = org;
    ann.name = bob.name = name;
    CHECK_RC(mc_store_learner_put(f->st, &ann, &f->err), MCRED_OK, "wallet pages: learner ann");
    CHECK_RC(mc_store_learner_put(f->st, &bob, &f->err), MCRED_OK, "wallet pages: learner bob");
    ann.name = bob.name = NULL;
    it.org_id = org;
    it.learner_id = ann.id;
    it.cred_id = "urn:uuid:wp-1";
    it.hash = "wp11";
    it.format = "vc-jwt";
    it.source = "obapi";
    it.verdict = "valid";
    it.report = "{}";
    it.doc = "{\"id\":\"urn:uuid:wp-1\"}";
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_OK, "wallet pages: item 1");
    id1 = it.id;
    it.id = 0;
    it.hash = "wp22";
    CHECK_RC(mc_store_wallet_put(f->st, &it, &f->err), MCRED_OK, "wallet pages: item 2");
    id2 = it.id;

    /* wallet_update: in place, the id kept; the same bytes as another item refused */
    it.id = id1;
    it.hash = "wp33";
    it.doc = "{\"id\":\"urn:uuid:wp-1\",\"v\":2}";
    it.verdict = "expired";
    CHECK_RC(mc_store_wallet_update(f->st, &it, &f->err), MCRED_OK, "wallet_update");
    CHECK_RC(mc_store_wallet_get(f->st, org, ann.id, id1, &w, &f->err), MCRED_OK,
             "wallet_get after the update");
    CHECK(w.id == id1 && strcmp(w.hash, "wp33") == 0 && strcmp(w.verdict, "expired") == 0 &&
          strstr(w.doc, "\"v\":2") != NULL, "wallet_update replaced the item (%s)", f->label);
    mc_wallet_item_release(&w);
    it.hash = "wp22";
    CHECK_RC(mc_store_wallet_update(f->st, &it, &f->err), MCRED_ERR_CONFLICT,
             "wallet_update to another item's bytes: CONFLICT");
    it.hash = "wp44";
    it.learner_id = bob.id;
    CHECK_RC(mc_store_wallet_update(f->st, &it, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_update of another learner's item: NOTFOUND");
    it.learner_id = ann.id;
    it.org_id = other;
    CHECK_RC(mc_store_wallet_update(f->st, &it, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_update from another organisation: NOTFOUND");

    /* share links */
    CHECK_RC(mc_store_wallet_share_get(f->st, org, ann.id, id1, &sh, &f->err),
             MCRED_ERR_NOTFOUND, "wallet_share_get before any: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_put(f->st, org, ann.id, id1, sid, false, 0, &sh, &f->err),
             MCRED_OK, "wallet_share_put");
    snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id1);
    CHECK(sh.share_id && strcmp(sh.share_id, sid) == 0 && !sh.enabled && sh.org_id == org &&
          sh.cred_id && strcmp(sh.cred_id, idtxt) == 0 && sh.created > 0,
          "wallet_share_put: the row (%s)", f->label);
    mc_share_release(&sh);
    CHECK_RC(mc_store_wallet_share_item(f->st, sid, &w, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_share_item of a link turned off: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_put(f->st, org, ann.id, id1, sid2, true, 0, &sh, &f->err),
             MCRED_OK, "wallet_share_put again");
    CHECK(sh.share_id && strcmp(sh.share_id, sid) == 0 && sh.enabled,
          "wallet_share_put keeps the first id and turns it on");
    mc_share_release(&sh);
    CHECK_RC(mc_store_wallet_share_get(f->st, org, ann.id, id1, &sh2, &f->err), MCRED_OK,
             "wallet_share_get");
    CHECK(sh2.share_id && strcmp(sh2.share_id, sid) == 0 && sh2.enabled,
          "wallet_share_get reads it");
    mc_share_release(&sh2);
    CHECK_RC(mc_store_wallet_share_item(f->st, sid, &w, &f->err), MCRED_OK,
             "wallet_share_item");
    CHECK(w.id == id1 && w.org_id == org && w.learner_id == ann.id && strstr(w.doc, "wp-1"),
          "wallet_share_item: the item behind the link");
    mc_wallet_item_release(&w);
    CHECK_RC(mc_store_wallet_share_item(f->st, sid2, &w, &f->err), MCRED_ERR_NOTFOUND,
             "wallet_share_item of an unknown id: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_put(f->st, org, bob.id, id1, sid2, true, 0, &sh, &f->err),
             MCRED_ERR_NOTFOUND, "wallet_share_put for another learner's item: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_put(f->st, other, ann.id, id1, sid2, true, 0, &sh, &f->err),
             MCRED_ERR_NOTFOUND, "wallet_share_put from another organisation: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_get(f->st, org, bob.id, id1, &sh, &f->err),
             MCRED_ERR_NOTFOUND, "wallet_share_get of another learner: NOTFOUND");
    CHECK_RC(mc_store_wallet_share_put(f->st, org, ann.id, id2, sid, true, 0, &sh, &f->err),
             MCRED_ERR_CONFLICT, "a share id that is taken: CONFLICT");
    CHECK_RC(mc_store_wallet_share_put(f->st, org, ann.id, id2, "", true, 0, &sh, &f->err),
             MCRED_ERR_INVALID, "an empty share id: INVALID");
}

/* The v4 wallet pages ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void wallet_pages_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (wallet pages)" : "sqlite :memory: (wallet pages)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 11000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        wallet_pages_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "wallet pages: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: wallet_update, wallet item share links\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v4 stacks: stacks, the component index, a learner's credentials, awards ------ */

static void stacks_cases(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    struct mc_achievement a = { 0 };
    struct mc_learner ln = { 0 };
    struct mc_stack_def d = { 0 }, got;
    struct mc_stack_award aw;
    struct mc_credential c;
    struct mc_store_list l;
    const char *comps[2] = { "https://example.org/a/s-one", "https://example.org/a/s-two" };
    char id1[96], id2[96], idem1[96], idem2[96], email[160];
    int64_t ach, award = 0, again = 0;

    a.org_id = org;
    a.uri = (char *)(uintptr_t)comps[0];
    a.json = "{\"type\":[\"Achievement\"],\"name\":\"One\",\"creditsAvailable\":2.5}";
    CHECK_RC(mc_store_achievement_put(f->st, &a, &f->err), MCRED_OK, "stacks: achievement");
    ach = a.id;
    unique_name(f, "learner", email, sizeof(email));
    strcat(email, "@Example.org");
    ln.org_id = org;
    ln.name = "Learner";
    ln.email = email;
    CHECK_RC(mc_store_learner_put(f->st, &ln, &f->err), MCRED_OK, "stacks: learner");
    ln.name = ln.email = NULL;

    d.org_id = org;
    d.achievement_uri = "https://example.org/a/s-stack";
    d.rule = "{\"allOf\":[{\"achievement\":\"https://example.org/a/s-one\"}]}";
    d.freshness = true;
    d.policy = MC_STACK_FLAG;
    CHECK_RC(mc_store_stack_put(f->st, &d, comps, 2, &f->err), MCRED_OK, "stack_put");
    CHECK(d.id > 0 && d.created > 0, "stack_put sets id and created");
    CHECK_RC(mc_store_stack_put(f->st, &d, comps, 2, &f->err), MCRED_ERR_CONFLICT,
             "the same achievement a stack twice: CONFLICT");
    CHECK_RC(mc_store_stack_get(f->st, org, d.id, NULL, &got, &f->err), MCRED_OK, "stack_get");
    CHECK(got.freshness && got.policy == MC_STACK_FLAG && strcmp(got.rule, d.rule) == 0,
          "stack_get reads the row back (%s)", f->label);
    mc_stack_def_release(&got);
    CHECK_RC(mc_store_stack_get(f->st, org, 0, d.achievement_uri, &got, &f->err), MCRED_OK,
             "stack_get by achievement");
    CHECK(got.id == d.id, "stack_get by achievement finds it");
    mc_stack_def_release(&got);
    CHECK_RC(mc_store_stack_get(f->st, other, d.id, NULL, &got, &f->err), MCRED_ERR_NOTFOUND,
             "stack_get: another organisation sees nothing");
    CHECK_RC(mc_store_stack_by_component(f->st, org, comps[1], &l, &f->err), MCRED_OK,
             "stack_by_component");
    CHECK(l.n == 1 && ((struct mc_stack_def *)l.rows)[0].id == d.id,
          "the index names the stack (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_stack_by_component(f->st, org, "https://example.org/a/none", &l,
                                         &f->err), MCRED_OK, "stack_by_component, none");
    CHECK(l.n == 0, "an achievement no stack names: no stacks");
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_stack_by_component(f->st, other, comps[0], &l, &f->err), MCRED_OK,
             "stack_by_component of another organisation");
    CHECK(l.n == 0, "another organisation's index is its own");
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_stack_list(f->st, org, &l, &f->err), MCRED_OK, "stack_list");
    CHECK(l.n == 1, "stack_list: one stack (%zu)", l.n);
    mc_store_list_clear(&l);

    /* the learner's credentials: by e-mail without case, with uri, DID, credits */
    unique_name(f, "urn:uuid:s", id1, sizeof(id1));
    unique_name(f, "urn:uuid:s", id2, sizeof(id2));
    unique_name(f, "idem", idem1, sizeof(idem1));
    unique_name(f, "idem", idem2, sizeof(idem2));
    cred_init(&c, org, issuer, ach, id1, idem1);
    for (char *e = email; *e; e++)   /* issued to the address in lowercase */
        *e = *e >= 'A' && *e <= 'Z' ? (char)(*e + 32) : *e;
    c.recipient = email;
    c.valid_until = 1900000000;
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "stacks: cred 1");
    cred_init(&c, org, issuer, ach, id2, idem2);   /* someone else's */
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "stacks: cred 2");
    CHECK_RC(mc_store_cred_set_state(f->st, org, id1, MC_CRED_SUSPENDED, NULL, &f->err),
             MCRED_OK, "stacks: suspend");
    CHECK_RC(mc_store_stack_creds(f->st, org, ln.id, &l, &f->err), MCRED_OK, "stack_creds");
    CHECK(l.n == 1, "stack_creds: the learner's one credential (%zu)", l.n);
    if (l.n == 1) {
        const struct mc_stack_cred *sc = l.rows;

        CHECK(strcmp(sc->cred_id, id1) == 0 && strcmp(sc->achievement_uri, comps[0]) == 0 &&
              sc->state == MC_CRED_SUSPENDED && sc->valid_until == 1900000000 &&
              sc->credits == 2.5 && sc->issuer_did == NULL,
              "stack_creds reads uri, state, expiry, credits (%s: %g)", f->label, sc->credits);
    }
    mc_store_list_clear(&l);

    /* awards: the exactly-once claim */
    CHECK_RC(mc_store_award_get(f->st, org, d.id, ln.id, &aw, &f->err), MCRED_ERR_NOTFOUND,
             "award_get before any: NOTFOUND");
    CHECK_RC(mc_store_award_claim(f->st, org, d.id, ln.id, 1700000000, &award, &f->err),
             MCRED_OK, "award_claim");
    CHECK(award > 0, "award_claim gives the award id");
    CHECK_RC(mc_store_award_claim(f->st, org, d.id, ln.id, 1700000001, &again, &f->err),
             MCRED_OK, "award_claim of a pending award without a credential");
    CHECK(again == award, "the pending claim is taken over, not doubled");
    CHECK_RC(mc_store_award_set(f->st, org, award, id1, MC_AWARD_ISSUED, 1700000002, &f->err),
             MCRED_OK, "award_set");
    CHECK_RC(mc_store_award_claim(f->st, org, d.id, ln.id, 1700000003, &again, &f->err),
             MCRED_ERR_CONFLICT, "award_claim once issued: CONFLICT");
    CHECK_RC(mc_store_award_get(f->st, org, d.id, ln.id, &aw, &f->err), MCRED_OK, "award_get");
    CHECK(aw.state == MC_AWARD_ISSUED && aw.cred_id && strcmp(aw.cred_id, id1) == 0 &&
          aw.updated == 1700000002, "award_get reads the row back (%s)", f->label);
    mc_stack_award_release(&aw);
    CHECK_RC(mc_store_award_set(f->st, org, award, NULL, MC_AWARD_FLAGGED, 1700000004,
                                &f->err), MCRED_OK, "award_set keeps the credential");
    CHECK_RC(mc_store_award_get(f->st, org, d.id, ln.id, &aw, &f->err), MCRED_OK, "award_get");
    CHECK(aw.state == MC_AWARD_FLAGGED && aw.cred_id && strcmp(aw.cred_id, id1) == 0,
          "flagged, credential kept");
    mc_stack_award_release(&aw);
    CHECK_RC(mc_store_award_set(f->st, other, award, NULL, MC_AWARD_ISSUED, 1, &f->err),
             MCRED_ERR_NOTFOUND, "award_set in another organisation: NOTFOUND");
    CHECK_RC(mc_store_award_link(f->st, org, award, id2, 1800000000, &f->err), MCRED_OK,
             "award_link");
    CHECK_RC(mc_store_award_link(f->st, org, award, id2, 1800000000, &f->err), MCRED_OK,
             "award_link twice: a no-op");
    CHECK_RC(mc_store_award_list(f->st, org, ln.id, &l, &f->err), MCRED_OK, "award_list");
    CHECK(l.n == 1, "award_list: one (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_award_list(f->st, org, 0, &l, &f->err), MCRED_OK, "award_list, all");
    CHECK(l.n == 1, "award_list of everyone: one (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_award_due(f->st, org, 1799999999, &l, &f->err), MCRED_OK, "award_due");
    CHECK(l.n == 0, "award_due before the component expires: none (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_award_due(f->st, org, 1800000000, &l, &f->err), MCRED_OK, "award_due");
    CHECK(l.n == 1, "award_due once it expired: the award (%zu)", l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_award_claim(f->st, org, d.id, 999999999, 1, &again, &f->err),
             MCRED_ERR_INVALID, "award_claim for a learner that does not exist");
    mc_store_rollback(f->st);
}

/* The v4 stacks ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void stacks_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (stacks)" : "sqlite :memory: (stacks)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 8000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        stacks_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "stacks: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: stacks, component index, credentials, awards\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v4 assess: assessment attempts, a learner's credentials ---------------------- */

static void assess_cases(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/assessed");
    int64_t ach_other = new_achievement(f, other, "https://example.org/a/other-org");
    struct mc_learner ann = { 0 }, bob = { 0 };
    struct mc_assessment at = { 0 };
    struct mc_credential c;
    struct mc_store_list l;
    char email[160], ids[4][96];
    const struct mc_assessment *rows;
    size_t i;

    unique_name(f, "ann", email, sizeof(email));
    strcat(email, "@Example.org");
    ann.org_id = bob.org_id = org;
    ann.name = bob.name = "A";
    ann.email = email;
    ann.did = NULL;
    bob.did = "did:example:bob-assess";
    CHECK_RC(mc_store_learner_put(f->st, &ann, &f->err), MCRED_OK, "assess: learner ann");
    CHECK_RC(mc_store_learner_put(f->st, &bob, &f->err), MCRED_OK, "assess: learner bob");

    at.org_id = org;
    at.learner_id = ann.id;
    at.achievement_id = ach;
    at.achievement_uri = "https://example.org/a/assessed";
    at.rd_id = "https://example.org/rd/1";
    at.kind = "rubric";
    at.value = "https://example.org/rd/1/developing";
    at.assessor = "grader@example.org";
    at.evidence = "[]";
    at.met = false;
    at.missing = "level 'Developing' is below the required 'Proficient'";
    CHECK_RC(mc_store_assess_put(f->st, &at, &f->err), MCRED_OK, "assess_put");
    CHECK(at.id > 0 && at.at > 0, "assess_put sets id and at (%s)", f->label);
    at.id = 0;
    at.at = 1700000000;
    at.value = "https://example.org/rd/1/proficient";
    at.met = true;
    at.missing = NULL;
    at.cred_id = "urn:uuid:awarded";
    at.evidence = "[{\"type\":[\"Evidence\"],\"narrative\":\"n\"}]";
    CHECK_RC(mc_store_assess_put(f->st, &at, &f->err), MCRED_OK, "assess_put met");
    CHECK(at.at == 1700000000, "assess_put keeps a given time");
    at.id = 0;
    at.kind = "grade";
    CHECK_RC(mc_store_assess_put(f->st, &at, &f->err), MCRED_ERR_INVALID, "assess_put: kind");
    at.kind = "score";
    at.value = NULL;
    CHECK_RC(mc_store_assess_put(f->st, &at, &f->err), MCRED_ERR_INVALID, "assess_put: value");
    at.value = "70";
    at.achievement_id = ach_other;
    CHECK(mc_store_assess_put(f->st, &at, &f->err) != MCRED_OK,
          "assess_put: another organisation's achievement is refused (%s)", f->label);
    mc_store_rollback(f->st);
    CHECK_RC(mc_store_assess_list(f->st, org, ann.id, &l, &f->err), MCRED_OK, "assess_list");
    rows = l.rows;
    CHECK(l.n == 2 && !rows[0].met && rows[0].missing && rows[0].cred_id == NULL &&
              rows[1].met && rows[1].missing == NULL && rows[1].cred_id &&
              strcmp(rows[1].cred_id, "urn:uuid:awarded") == 0 &&
              strcmp(rows[1].kind, "rubric") == 0 && strstr(rows[1].evidence, "Evidence") &&
              rows[1].at == 1700000000 && rows[1].learner_id == ann.id &&
              rows[1].achievement_id == ach,
          "assess_list: every attempt, oldest first, read back (%s): %zu", f->label, l.n);
    mc_store_list_clear(&l);
    CHECK(mc_store_assess_list(f->st, org, bob.id, &l, &f->err) == MCRED_OK && l.n == 0,
          "assess_list of another learner: none (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_assess_list(f->st, other, ann.id, &l, &f->err) == MCRED_OK && l.n == 0,
          "assess_list from another organisation: none (%s)", f->label);
    mc_store_list_clear(&l);

    /* cred_list_learner: by learner row, by e-mail in any case, by DID */
    for (i = 0; i < 4; i++) {
        unique_name(f, "urn:uuid:as", ids[i], sizeof(ids[i]));
        cred_init(&c, org, issuer, ach, ids[i], NULL);
        c.issued = 1700000000 + (time_t)i;
        c.recipient = i == 0   ? "x@example.org"
                      : i == 1 ? email
                      : i == 2 ? "did:example:z"
                               : "did:example:bob-assess";
        c.learner_id = i == 0 ? ann.id : 0;
        CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "assess: cred_put");
    }
    for (char *e = email; *e; e++)   /* the lookup ignores the case of the address */
        *e = *e >= 'a' && *e <= 'z' ? (char)(*e - 32) : *e;
    CHECK_RC(mc_store_cred_list_learner(f->st, org, ann.id, &l, &f->err), MCRED_OK,
             "cred_list_learner");
    CHECK(l.n == 2 && strcmp(((struct mc_credential *)l.rows)[0].id, ids[0]) == 0 &&
              strcmp(((struct mc_credential *)l.rows)[1].id, ids[1]) == 0,
          "cred_list_learner: by row and by e-mail, oldest first (%s): %zu", f->label, l.n);
    mc_store_list_clear(&l);
    CHECK(mc_store_cred_list_learner(f->st, org, bob.id, &l, &f->err) == MCRED_OK && l.n == 1 &&
              strcmp(((struct mc_credential *)l.rows)[0].id, ids[3]) == 0,
          "cred_list_learner: by DID (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_cred_list_learner(f->st, other, ann.id, &l, &f->err) == MCRED_OK &&
              l.n == 0, "cred_list_learner from another organisation: none (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_cred_list_learner(f->st, org, 0, &l, &f->err), MCRED_ERR_INVALID,
             "cred_list_learner: learner 0");
    ann.name = bob.name = ann.email = bob.did = NULL;
}

/* The v4 assess ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void assess_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (assess)" : "sqlite :memory: (assess)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 7000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        assess_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "assess: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: assessment attempts, a learner's credentials\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v4 positions: positions, shares with organisations, candidates' credentials ---- */

static void positions_cases(struct fx *f)
{
    int64_t org = new_org(f), emp = new_org(f), other = new_org(f), issuer = new_issuer(f, org);
    int64_t ach = new_achievement(f, org, "https://example.org/a/positions");
    struct mc_position p = { 0 }, got = { 0 };
    struct mc_org_share s = { 0 };
    struct mc_learner ann = { 0 };
    struct mc_credential c;
    struct mc_store_list l;
    char email[160], id1[96], id2[96], idem1[96], idem2[96];
    const struct mc_cand_cred *cc;
    const struct mc_org_share *sh;

    unique_name(f, "pos-ann", email, sizeof(email));
    strcat(email, "@example.org");
    ann.org_id = org;
    ann.name = "Ann";
    ann.email = email;
    CHECK_RC(mc_store_learner_put(f->st, &ann, &f->err), MCRED_OK, "positions: learner");

    p.org_id = emp;
    p.title = "Data analyst";
    p.doc = "{\"title\":\"Data analyst\",\"required\":[]}";
    CHECK_RC(mc_store_position_put(f->st, &p, &f->err), MCRED_OK, "position_put");
    CHECK(p.id > 0 && p.created > 0, "position_put sets id and created (%s)", f->label);
    p.title = NULL;
    CHECK_RC(mc_store_position_put(f->st, &p, &f->err), MCRED_ERR_INVALID, "position: title");
    CHECK_RC(mc_store_position_get(f->st, emp, p.id, &got, &f->err), MCRED_OK, "position_get");
    CHECK(got.org_id == emp && strcmp(got.title, "Data analyst") == 0 &&
          strcmp(got.doc, "{\"title\":\"Data analyst\",\"required\":[]}") == 0,
          "position_get reads what was put (%s)", f->label);
    mc_position_release(&got);
    CHECK_RC(mc_store_position_get(f->st, other, p.id, &got, &f->err), MCRED_ERR_NOTFOUND,
             "another organisation's position is not found");
    CHECK_RC(mc_store_position_list(f->st, emp, &l, &f->err), MCRED_OK, "position_list");
    CHECK(l.n == 1, "position_list: one (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_position_list(f->st, other, &l, &f->err), MCRED_OK, "position_list");
    CHECK(l.n == 0, "position_list: none for another organisation");
    mc_store_list_clear(&l);

    s.employer_id = emp;
    s.org_id = org;
    s.learner_id = ann.id;
    CHECK_RC(mc_store_org_share_put(f->st, &s, &f->err), MCRED_OK, "org_share_put");
    CHECK(s.id > 0 && s.created > 0, "org_share_put sets id and created");
    s.scope = "[\"urn:uuid:x\"]";
    s.created = 0;
    CHECK_RC(mc_store_org_share_put(f->st, &s, &f->err), MCRED_OK, "org_share_put again");
    CHECK_RC(mc_store_org_share_list(f->st, emp, &l, &f->err), MCRED_OK, "org_share_list");
    sh = l.rows;
    CHECK(l.n == 1 && sh[0].learner_id == ann.id && sh[0].org_id == org && sh[0].scope &&
          strcmp(sh[0].scope, "[\"urn:uuid:x\"]") == 0,
          "a second share replaces the scope (%s)", f->label);
    mc_store_list_clear(&l);
    s.learner_id = 987654321;
    CHECK_RC(mc_store_org_share_put(f->st, &s, &f->err), MCRED_ERR_NOTFOUND,
             "org_share_put: unknown learner");
    s.learner_id = ann.id;
    s.employer_id = 987654321;
    CHECK_RC(mc_store_org_share_put(f->st, &s, &f->err), MCRED_ERR_NOTFOUND,
             "org_share_put: unknown organisation");
    CHECK_RC(mc_store_org_share_list(f->st, other, &l, &f->err), MCRED_OK, "org_share_list");
    CHECK(l.n == 0, "no shares with another organisation");
    mc_store_list_clear(&l);

    unique_name(f, "urn:uuid:pos", id1, sizeof(id1));
    unique_name(f, "urn:uuid:pos", id2, sizeof(id2));
    unique_name(f, "idem-pos", idem1, sizeof(idem1));
    unique_name(f, "idem-pos", idem2, sizeof(idem2));
    cred_init(&c, org, issuer, ach, id1, idem1);
    c.learner_id = ann.id;
    c.recipient = email;
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred by learner id");
    cred_init(&c, org, issuer, ach, id2, idem2);
    c.recipient = email;   /* by e-mail only */
    c.valid_until = 1700000100;
    CHECK_RC(mc_store_cred_put(f->st, &c, NULL, &f->err), MCRED_OK, "cred by e-mail");
    CHECK_RC(mc_store_cred_set_state(f->st, org, id2, MC_CRED_REVOKED, "r", &f->err), MCRED_OK,
             "revoke");
    CHECK_RC(mc_store_cand_creds(f->st, org, ann.id, &l, &f->err), MCRED_OK, "cand_creds");
    cc = l.rows;
    CHECK(l.n == 2 && strcmp(cc[0].achievement_uri, "https://example.org/a/positions") == 0 &&
          cc[0].achievement_json && cc[0].doc && cc[0].state == MC_CRED_ACTIVE &&
          cc[0].valid_until == 0 && cc[1].state == MC_CRED_REVOKED &&
          cc[1].valid_until == 1700000100,
          "cand_creds: every credential in any state, with its achievement (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_cand_creds(f->st, other, ann.id, &l, &f->err), MCRED_OK, "cand_creds");
    CHECK(l.n == 0, "cand_creds: nothing under another organisation");
    mc_store_list_clear(&l);
    mc_store_rollback(f->st);
}

static void positions_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (positions)" : "sqlite :memory: (positions)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 6000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        positions_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "positions: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: positions, shares with organisations, candidates' credentials\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}

/* --- v4 plan: the planner's imported catalog ----------------------------------------- */

static void plan_cases(struct fx *f)
{
    int64_t org = new_org(f), other = new_org(f);
    struct mc_store_list l;
    const struct mc_achievement *a;

    CHECK_RC(mc_store_catalog_put(f->st, org, "https://c.example/a", "{\"id\":1}", 1700000000,
                                  &f->err), MCRED_OK, "catalog_put");
    CHECK_RC(mc_store_catalog_put(f->st, org, "https://c.example/b", "{\"id\":2}", 0, &f->err),
             MCRED_OK, "catalog_put, imported now");
    CHECK_RC(mc_store_catalog_put(f->st, other, "https://c.example/a", "{\"id\":3}", 0,
                                  &f->err), MCRED_OK, "catalog_put, another organisation");
    CHECK_RC(mc_store_catalog_put(f->st, org, "https://c.example/a", "{\"id\":4}", 1700000001,
                                  &f->err), MCRED_OK, "catalog_put replaces by uri");
    CHECK_RC(mc_store_catalog_put(f->st, org, NULL, "{}", 0, &f->err), MCRED_ERR_INVALID,
             "catalog_put: no uri");
    CHECK_RC(mc_store_catalog_list(f->st, org, &l, &f->err), MCRED_OK, "catalog_list");
    a = l.rows;
    CHECK(l.n == 2 && strcmp(a[0].uri, "https://c.example/a") == 0 &&
              strcmp(a[0].json, "{\"id\":4}") == 0 && a[0].created == 1700000001 &&
              a[0].org_id == org && strcmp(a[1].uri, "https://c.example/b") == 0 &&
              a[1].created > 1700000001,
          "catalog_list: the organisation's entries, in order, replaced in place (%s): %zu",
          f->label, l.n);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_catalog_clear(f->st, org, &f->err), MCRED_OK, "catalog_clear");
    CHECK(mc_store_catalog_list(f->st, org, &l, &f->err) == MCRED_OK && l.n == 0,
          "catalog_clear empties the organisation's catalog (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK(mc_store_catalog_list(f->st, other, &l, &f->err) == MCRED_OK && l.n == 1 &&
              strcmp(((const struct mc_achievement *)l.rows)[0].json, "{\"id\":3}") == 0,
          "another organisation's catalog is untouched (%s)", f->label);
    mc_store_list_clear(&l);
    CHECK_RC(mc_store_begin(f->st, &f->err), MCRED_OK, "begin");
    CHECK_RC(mc_store_catalog_clear(f->st, other, &f->err), MCRED_OK, "clear in a transaction");
    CHECK_RC(mc_store_rollback(f->st), MCRED_OK, "rollback");
    CHECK(mc_store_catalog_list(f->st, other, &l, &f->err) == MCRED_OK && l.n == 1,
          "a rolled-back import leaves the catalog as it was (%s)", f->label);
    mc_store_list_clear(&l);
}

/* The v4 plan ops on SQLite (":memory:") and PostgreSQL (dsn, when set). */
static void plan_contract(const char *pg_dsn)
{
    const char *dsns[2] = { ":memory:", pg_dsn };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct fx f;
        int before = check_failed;

        if (!dsns[i] || !*dsns[i])
            continue;
        memset(&f, 0, sizeof(f));
        f.label = i ? "postgres (plan)" : "sqlite :memory: (plan)";
        f.dsn = dsns[i];
        f.pg = i == 1;
        f.serial = 9000000;
        if (mc_store_open(&f.st, f.dsn, &f.err) != MCRED_OK) {
            CHECK(0, "open %s: %s", f.label, f.err.msg);
            continue;
        }
        plan_cases(&f);
        CHECK(!mc_store_in_transaction(f.st), "plan: no transaction left open");
        mc_store_close(f.st);
        printf("%-4s %s: the planner's imported catalog\n",
               check_failed == before ? "ok" : "FAIL", f.label);
    }
}
