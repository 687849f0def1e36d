/* test_model.c - the Open Badges 3.0 model (lib/model/ob.c): the builder
 * makes credentials the validator accepts, and every required field or wrong
 * kind is reported with its path. (The same credentials are checked against
 * the published OB 3.0 JSON Schema with ajv in tests/interop, scenario schema.)
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "check.h"
#include "model/ob.h"
#include "util/json.h"

static const char achievement[] =
    "{\"id\":\"https://example.edu/a/1\",\"type\":[\"Achievement\"],\"name\":\"N\","
    "\"description\":\"D\",\"criteria\":{\"narrative\":\"C\"},"
    "\"alignment\":[{\"type\":[\"Alignment\"],\"targetName\":\"T\","
    "\"targetUrl\":\"https://example.org/skill\"}],\"tag\":[\"x\"]}";

static cJSON *build(const char *recipient, bool hash)
{
    struct mc_ob_issue in = { 0 };
    cJSON *a = NULL, *c = NULL;
    struct mc_err err;

    CHECK(mc_json_parse(achievement, sizeof(achievement) - 1, 0, &a, NULL) == MCRED_OK,
          "achievement parses");
    in.issuer_id = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    in.issuer_name = "Example";
    in.achievement = a;
    in.recipient = recipient;
    in.hash_email = hash;
    in.valid_from = 1735689600;
    in.valid_until = 1893456000;
    in.evidence_url = "https://example.edu/evidence/1";
    mc_err_clear(&err);
    CHECK_RC(mc_ob_credential_new(&in, &c, &err), MCRED_OK, "build");
    cJSON_Delete(a);
    return c;
}

/* Delete or replace one member (path like "credentialSubject.achievement.name";
 * value NULL deletes) and expect the validator to name want. */
struct mutation {
    const char *path;
    const char *value;   /* JSON text, or NULL to delete */
    const char *want;    /* substring of the first problem */
};

static const struct mutation mutations[] = {
    { "@context", NULL, "@context: is required" },
    { "@context", "[\"https://www.w3.org/ns/credentials/v2\"]", "@context: must be an array of at least two" },
    { "@context", "[\"https://www.w3.org/2018/credentials/v1\",\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"]", "@context[0]: must be" },
    { "id", NULL, "id: is required" },
    { "id", "\"not a uri\"", "id: 'not a uri' is not an absolute URI" },
    { "type", "[\"VerifiableCredential\"]", "type: must include 'OpenBadgeCredential'" },
    { "issuer", NULL, "issuer: is required" },
    { "issuer", "\"did:example:1\"", "issuer: must be a Profile object" },
    { "issuer.id", NULL, "issuer.id: is required" },
    { "issuer.type", "[\"Organization\"]", "issuer.type: must include 'Profile'" },
    { "validFrom", NULL, "validFrom: is required" },
    { "validFrom", "\"2025-01-01\"", "validFrom: '2025-01-01' is not a date-time" },
    { "validFrom", "12", "validFrom: must be a string" },
    { "credentialSubject", "[]", "credentialSubject: must be a single AchievementSubject" },
    { "credentialSubject.type", NULL, "credentialSubject.type: is required" },
    { "credentialSubject.achievement", NULL, "credentialSubject.achievement: is required" },
    { "credentialSubject.achievement.criteria", NULL, "credentialSubject.achievement.criteria: is required" },
    { "credentialSubject.achievement.criteria", "{}", "credentialSubject.achievement.criteria: needs an id or a narrative" },
    { "credentialSubject.achievement.name", NULL, "credentialSubject.achievement.name: is required" },
    { "credentialSubject.achievement.description", "\"\"", "credentialSubject.achievement.description: must not be empty" },
    { "credentialSubject.achievement.tag", "\"x\"", "credentialSubject.achievement.tag: must be an array of strings" },
    { "credentialSubject.achievement.creditsAvailable", "\"5\"", "credentialSubject.achievement.creditsAvailable: must be a number" },
    { "credentialSubject.achievement.alignment", "[{\"type\":[\"Alignment\"],\"targetName\":\"T\"}]", "credentialSubject.achievement.alignment[0].targetUrl: is required" },
    { "credentialSubject.achievement.alignment", "[1]", "credentialSubject.achievement.alignment[0]: must be an object" },
    { "credentialSubject.id", NULL, "credentialSubject: needs an id or an identifier" },
    { "evidence", "[{\"id\":\"https://e.x/1\"}]", "evidence[0].type: is required" },
};

static cJSON *walk(cJSON *doc, const char *path, char *last, size_t cap)
{
    char buf[200], *dot, *seg = buf;
    cJSON *node = doc;

    snprintf(buf, sizeof(buf), "%s", path);
    while ((dot = strchr(seg, '.')) != NULL) {
        *dot = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, seg);
        seg = dot + 1;
    }
    snprintf(last, cap, "%s", seg);
    return node;
}

static void test_mutations(void)
{
    size_t i;

    for (i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
        const struct mutation *m = &mutations[i];
        cJSON *doc = build("did:example:learner", false), *parent, *v = NULL;
        struct mc_ob_report rep;
        struct mc_err err;
        char last[200];

        parent = walk(doc, m->path, last, sizeof(last));
        CHECK(parent != NULL, "%s: parent exists", m->path);
        if (!parent) {
            cJSON_Delete(doc);
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
        if (m->value) {
            CHECK(mc_json_parse(m->value, strlen(m->value), 0, &v, NULL) == MCRED_OK, "value");
            cJSON_AddItemToObject(parent, last, v);
        }
        mc_err_clear(&err);
        CHECK_RC(mc_ob_validate_credential(doc, &rep, &err), MCRED_ERR_INVALID, m->path);
        CHECK(strstr(err.msg, m->want) != NULL, "%s: message '%s' lacks '%s'", m->path, err.msg,
              m->want);
        CHECK(rep.n >= 1 && rep.total >= rep.n, "%s: report lists the problems", m->path);
        cJSON_Delete(doc);
    }
}

static void test_builder(void)
{
    cJSON *did = build("did:example:learner", false), *mail = build("ada@example.org", true);
    cJSON *plain = build("ada@example.org", false), *ids;
    const cJSON *idobj;
    struct mc_ob_report rep;

    CHECK_RC(mc_ob_validate_credential(did, &rep, NULL), MCRED_OK, "built with a DID");
    CHECK_RC(mc_ob_validate_credential(mail, &rep, NULL), MCRED_OK, "built with a hashed e-mail");
    CHECK(mc_ob_is_badge(did), "it is a badge");
    ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(mail,
                                                                            "credentialSubject"),
                                           "identifier");
    idobj = cJSON_GetArrayItem(ids, 0);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(idobj, "hashed")), "hashed identity");
    CHECK(strncmp(mc_json_str(idobj, "identityHash"), "sha256$", 7) == 0 &&
          strlen(mc_json_str(idobj, "identityHash")) == 7 + 64, "sha256$ and 64 hex digits");
    CHECK(strstr(mc_json_str(idobj, "identityHash"), "ada") == NULL, "no e-mail in clear");
    idobj = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(plain, "credentialSubject"), "identifier"), 0);
    CHECK_STR_EQ(mc_json_str(idobj, "identityHash"), "ada@example.org", "plain identity");
    CHECK(strncmp(mc_json_str(did, "id"), "urn:uuid:", 9) == 0, "a urn:uuid id");
    CHECK_STR_EQ(mc_json_str(did, "validUntil"), "2030-01-01T00:00:00Z", "validUntil");
    cJSON_Delete(did);
    cJSON_Delete(mail);
    cJSON_Delete(plain);
}

static void test_builder_errors(void)
{
    static const char *bad_recipients[] = { "", "ada", "ada@", "@x.org", "a b@x.org", "did:" };
    struct mc_ob_issue in = { 0 };
    cJSON *a = NULL, *c = NULL;
    struct mc_err err;
    size_t i;

    CHECK(mc_json_parse(achievement, sizeof(achievement) - 1, 0, &a, NULL) == MCRED_OK, "parse");
    in.issuer_id = "did:example:issuer";
    in.achievement = a;
    in.valid_from = 1735689600;
    for (i = 0; i < sizeof(bad_recipients) / sizeof(bad_recipients[0]); i++) {
        in.recipient = bad_recipients[i];
        mc_err_clear(&err);
        CHECK_RC(mc_ob_credential_new(&in, &c, &err), MCRED_ERR_INVALID, bad_recipients[i]);
        CHECK(c == NULL && strstr(err.msg, "recipient") != NULL, "'%s': %s", bad_recipients[i],
              err.msg);
    }
    in.recipient = "did:example:x";
    in.valid_until = 1000;
    CHECK_RC(mc_ob_credential_new(&in, &c, &err), MCRED_ERR_INVALID, "validUntil before validFrom");
    in.valid_until = 0;
    in.issuer_id = "nope";
    CHECK_RC(mc_ob_credential_new(&in, &c, &err), MCRED_ERR_INVALID, "issuer not a URI");
    cJSON_Delete(a);
}

int main(void)
{
    test_builder();
    test_mutations();
    test_builder_errors();
    return check_report();
}
