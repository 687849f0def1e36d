/* did.c - did:key and did:web: identifiers, documents and resolution of a
 * verification method to an Ed25519 public key.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "crypto/did.h"
#include "util/json.h"

#define DID_DOC_MAX (256 * 1024)

static mcred_rc copy_str(char *dst, size_t cap, const char *s, size_t n, struct mc_err *err)
{
    if (n >= cap)
        return mc_err_set(err, MCRED_ERR_LIMIT, "identifier longer than %zu bytes", cap - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
    return MCRED_OK;
}

static _Thread_local struct {
    char mb[128];     /* the multibase of the key below ("" when none) */
    uint8_t pk[MC_ED25519_PK_BYTES];
} last_did_key;

/* did:key:MB[#MB] -> key; the fragment, when present, must equal MB. */
static mcred_rc resolve_did_key(const char *vm_id, struct mc_vm *out, struct mc_err *err)
{
    const char *mb = vm_id + strlen("did:key:");
    const char *hash = strchr(mb, '#');
    size_t mblen = hash ? (size_t)(hash - mb) : strlen(mb);
    char buf[128];
    mcred_rc rc;

    rc = copy_str(buf, sizeof(buf), mb, mblen, err);
    if (rc)
        return rc;
    if (hash && strcmp(hash + 1, buf) != 0)
        return mc_err_set(err, MCRED_ERR_NOTFOUND,
                          "did:key document has no verification method '%s'", vm_id);
    /* the last key decoded on this thread: a verifier sees one issuer's key
     * over and over, and a did:key is its own document */
    if (strcmp(buf, last_did_key.mb) == 0) {
        memset(&out->key, 0, sizeof(out->key));
        memcpy(out->key.pk, last_did_key.pk, sizeof(out->key.pk));
    } else {
        rc = mc_key_from_multibase(&out->key, buf, err);
        if (rc == MCRED_ERR_UNSUPPORTED)
            return mc_err_set(err, rc, "did:key:%.60s is not an Ed25519 key", buf);
        if (rc)
            return rc;
        if (out->key.sk) {
            mc_key_clear(&out->key);
            return mc_err_set(err, MCRED_ERR_INVALID, "did:key holds a secret key");
        }
        mc_strlcpy(last_did_key.mb, buf, sizeof(last_did_key.mb));
        memcpy(last_did_key.pk, out->key.pk, sizeof(last_did_key.pk));
    }
    mc_strlcpy(out->controller, "did:key:", sizeof(out->controller));
    mc_strlcat(out->controller, buf, sizeof(out->controller));
    mc_strlcpy(out->id, out->controller, sizeof(out->id));
    mc_strlcat(out->id, "#", sizeof(out->id));
    mc_strlcat(out->id, buf, sizeof(out->id));
    out->assertion = true;
    out->authentication = true;
    return MCRED_OK;
}

mcred_rc mc_did_web_url(const char *did, struct mc_buf *out, struct mc_err *err)
{
    const char *p = did + strlen("did:web:");
    const char *end = strchr(p, '#');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    bool has_path = false;
    size_t i;
    mcred_rc rc;

    if (strncmp(did, "did:web:", 8) != 0 || n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "'%.80s' is not a did:web DID", did);
    rc = mc_buf_appends(out, "https://");
    for (i = 0; !rc && i < n; i++) {
        char c = p[i];

        if (c == ':') {
            has_path = true;
            rc = mc_buf_appendc(out, '/');
        } else if (c == '%' && i + 2 < n && p[i + 1] == '3' && (p[i + 2] == 'A' ||
                                                                p[i + 2] == 'a')) {
            if (has_path)
                return mc_err_set(err, MCRED_ERR_INVALID,
                                  "did:web '%.80s': %%3A is allowed only in the host", did);
            rc = mc_buf_appendc(out, ':');
            i += 2;
        } else if (c == '/' || c == '?' || c == '@' || (unsigned char)c <= ' ' || c == '\\') {
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "did:web '%.80s' has the character '%c' at %zu", did, c, i);
        } else {
            rc = mc_buf_appendc(out, c);
        }
    }
    if (!rc)
        rc = mc_buf_appends(out, has_path ? "/did.json" : "/.well-known/did.json");
    return rc;
}

/* Find the verification method `want` (absolute id) in a DID document. */
static const cJSON *find_vm(const cJSON *doc, const char *did, const char *want)
{
    const cJSON *vms = mc_json_get(doc, "verificationMethod"), *vm;
    const char *frag = strchr(want, '#');

    cJSON_ArrayForEach(vm, vms) {
        const char *id = mc_json_str(vm, "id");

        if (!id)
            continue;
        if (strcmp(id, want) == 0 || (frag && id[0] == '#' && strcmp(id, frag) == 0))
            return vm;
    }
    return NULL;
}

/* True when relation (e.g. "assertionMethod") lists vm_id (absolute or "#frag"). */
static bool relation_has(const cJSON *doc, const char *relation, const char *vm_id)
{
    const cJSON *rel = mc_json_get(doc, relation), *e;
    const char *frag = strchr(vm_id, '#');

    cJSON_ArrayForEach(e, rel) {
        const char *id = cJSON_IsString(e) ? e->valuestring : mc_json_str(e, "id");

        if (id && (strcmp(id, vm_id) == 0 || (frag && strcmp(id, frag) == 0)))
            return true;
    }
    return false;
}

static mcred_rc vm_key(const cJSON *vm, struct mc_key *k, struct mc_err *err)
{
    const char *type = mc_json_str(vm, "type");
    const char *mb = mc_json_str(vm, "publicKeyMultibase");
    const cJSON *jwk = mc_json_get(vm, "publicKeyJwk");
    mcred_rc rc;

    if (mb) {
        rc = mc_key_from_multibase(k, mb, err);
    } else if (jwk) {
        rc = mc_key_from_jwk(k, jwk, err);
    } else {
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                          "verification method of type '%s' has neither publicKeyMultibase nor "
                          "publicKeyJwk", type ? type : "(none)");
    }
    if (!rc && k->sk) {
        mc_key_clear(k);
        rc = mc_err_set(err, MCRED_ERR_INVALID, "verification method publishes a secret key");
    }
    return rc;
}

static mcred_rc resolve_did_web(const char *vm_id, const struct mc_fetcher *f, struct mc_vm *out,
                                struct mc_err *err)
{
    const char *hash = strchr(vm_id, '#');
    char did[MC_DID_MAX];
    struct mc_buf url, body;
    cJSON *doc = NULL;
    const cJSON *vm;
    const char *doc_id, *ctl;
    mcred_rc rc;

    if (!hash)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "verification method '%.80s' has no fragment", vm_id);
    rc = copy_str(did, sizeof(did), vm_id, (size_t)(hash - vm_id), err);
    if (rc)
        return rc;
    if (!f)
        return mc_err_set(err, MCRED_ERR_IO, "cannot resolve '%s': no fetcher for did:web", did);
    mc_buf_init(&url, 2048);
    mc_buf_init(&body, DID_DOC_MAX);
    rc = mc_did_web_url(did, &url, err);
    if (rc)
        goto out;
    rc = f->fetch(f->ud, url.ptr, &body, err);
    if (rc)
        goto out;
    rc = mc_json_parse(body.ptr ? body.ptr : "", body.len, DID_DOC_MAX, &doc, err);
    if (rc)
        goto out;
    doc_id = mc_json_str(doc, "id");
    if (!doc_id || strcmp(doc_id, did) != 0) {
        rc = mc_err_set(err, MCRED_ERR_VERIFY, "DID document at %s has id '%s', not '%s'",
                        url.ptr, doc_id ? doc_id : "(none)", did);
        goto out;
    }
    vm = find_vm(doc, did, vm_id);
    if (!vm) {
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "DID document of %s has no method '%s'", did,
                        vm_id);
        goto out;
    }
    rc = vm_key(vm, &out->key, err);
    if (rc)
        goto out;
    ctl = mc_json_str(vm, "controller");
    mc_strlcpy(out->controller, ctl ? ctl : did, sizeof(out->controller));
    mc_strlcpy(out->id, vm_id, sizeof(out->id));
    out->assertion = relation_has(doc, "assertionMethod", vm_id);
    out->authentication = relation_has(doc, "authentication", vm_id);
out:
    cJSON_Delete(doc);
    mc_buf_release(&url);
    mc_buf_release(&body);
    return rc;
}

mcred_rc mc_did_resolve_vm(const char *vm_id, const struct mc_fetcher *f, struct mc_vm *out,
                           struct mc_err *err)
{
    memset(out, 0, sizeof(*out));
    if (strlen(vm_id) >= MC_DID_MAX)
        return mc_err_set(err, MCRED_ERR_LIMIT, "verification method id is too long");
    if (strncmp(vm_id, "did:key:", 8) == 0)
        return resolve_did_key(vm_id, out, err);
    if (strncmp(vm_id, "did:web:", 8) == 0)
        return resolve_did_web(vm_id, f, out, err);
    if (strncmp(vm_id, "did:", 4) == 0)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "DID method of '%.80s' is not supported "
                          "(did:key and did:web are)", vm_id);
    return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                      "verification method '%.80s' is not a DID URL", vm_id);
}

static mcred_rc append_vm(struct mc_buf *out, const char *id, const char *did,
                          const struct mc_key *k)
{
    mcred_rc rc = mc_buf_printf(out, "{\"id\":\"%s\",\"type\":\"Multikey\",\"controller\":\"%s\","
                                     "\"publicKeyMultibase\":\"", id, did);

    if (!rc)
        rc = mc_key_pub_multibase(k, out);
    if (!rc)
        rc = mc_buf_appends(out, "\"}");
    return rc;
}

mcred_rc mc_did_key_document(const char *did, struct mc_buf *out, struct mc_err *err)
{
    struct mc_vm vm;
    mcred_rc rc;

    if (strncmp(did, "did:key:", 8) != 0 || strchr(did, '#'))
        return mc_err_set(err, MCRED_ERR_INVALID, "'%.80s' is not a did:key DID", did);
    rc = resolve_did_key(did, &vm, err);
    if (rc)
        return rc;
    rc = mc_buf_printf(out, "{\"@context\":[\"https://www.w3.org/ns/did/v1\","
                            "\"https://w3id.org/security/multikey/v1\"],\"id\":\"%s\","
                            "\"verificationMethod\":[", did);
    if (!rc)
        rc = append_vm(out, vm.id, did, &vm.key);
    if (!rc) {
        const char *rels[] = { "authentication", "assertionMethod", "capabilityDelegation",
                               "capabilityInvocation" };
        size_t i;

        rc = mc_buf_appends(out, "]");
        for (i = 0; !rc && i < 4; i++)
            rc = mc_buf_printf(out, ",\"%s\":[\"%s\"]", rels[i], vm.id);
        if (!rc)
            rc = mc_buf_appends(out, "}");
    }
    mc_key_clear(&vm.key);
    return rc;
}

mcred_rc mc_did_web_document(const char *did, const struct mc_key *keys, size_t n,
                             struct mc_buf *out, struct mc_err *err)
{
    struct mc_buf url;
    char id[MC_DID_MAX + 32];
    size_t i;
    mcred_rc rc;

    mc_buf_init(&url, 2048);
    rc = mc_did_web_url(did, &url, err);   /* validates the DID */
    mc_buf_release(&url);
    if (rc)
        return rc;
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "a DID document needs at least one key");
    rc = mc_buf_printf(out, "{\"@context\":[\"https://www.w3.org/ns/did/v1\","
                            "\"https://w3id.org/security/multikey/v1\"],\"id\":\"%s\","
                            "\"verificationMethod\":[", did);
    for (i = 0; !rc && i < n; i++) {
        snprintf(id, sizeof(id), "%s#key-%zu", did, i + 1);
        if (i)
            rc = mc_buf_appendc(out, ',');
        if (!rc)
            rc = append_vm(out, id, did, &keys[i]);
    }
    if (!rc)
        rc = mc_buf_appends(out, "],\"assertionMethod\":[");
    for (i = 0; !rc && i < n; i++)
        rc = mc_buf_printf(out, "%s\"%s#key-%zu\"", i ? "," : "", did, i + 1);
    if (!rc)
        rc = mc_buf_printf(out, "],\"authentication\":[\"%s#key-%zu\"]}", did, n);
    return rc;
}
