/* wallet.c - holder keys, imports, presentations, export, backup.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include <sodium.h>

#include "bake/bake.h"
#include "crypto/hash.h"
#include "crypto/seal.h"
#include "jsonld/jcs.h"
#include "service/sign.h"
#include "service/wallet.h"
#include "service/stacks.h"
#include "util/codec.h"
#include "util/json.h"

#define BACKUP_FORMAT "mcred-wallet-1"

static time_t now_of(const struct mc_wallet_ctx *c)
{
    return c->now ? c->now : time(NULL);
}

/* --- holder key ------------------------------------------------------------------ */

static mcred_rc load_holder(const struct mc_wallet_ctx *c, const struct mc_holder_key *hk,
                            bool need_secret, struct mc_key *key, struct mc_err *err)
{
    if (!need_secret)
        return mc_key_from_multibase(key, hk->public_multibase, err);
    if (!c->lock || (!c->lock->passphrase && !c->lock->operator_key))
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "the holder key cannot be unlocked: no "
                                                      "operator key or passphrase");
    return mc_keyfile_read(hk->key_file, strlen(hk->key_file), c->lock, key, err);
}

mcred_rc mc_wallet_holder(const struct mc_wallet_ctx *c, int64_t learner, bool need_secret,
                          struct mc_key *key, char did[MC_DID_MAX], struct mc_err *err)
{
    struct mc_holder_key hk;
    struct mc_learner l;
    struct mc_buf file, d, mb;
    struct mc_key fresh;
    mcred_rc rc;

    memset(key, 0, sizeof(*key));
    memset(&fresh, 0, sizeof(fresh));
    did[0] = '\0';
    rc = mc_store_holder_key_get(c->st, c->org, learner, &hk, err);
    if (rc == MCRED_OK) {
        mc_strlcpy(did, hk.did, MC_DID_MAX);
        rc = load_holder(c, &hk, need_secret, key, err);
        mc_holder_key_release(&hk);
        return rc;
    }
    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    /* the learner must exist in this organisation */
    memset(&l, 0, sizeof(l));
    rc = mc_store_learner_get(c->st, c->org, learner, NULL, &l, err);
    if (rc)
        return rc;
    if (!c->lock || (!c->lock->passphrase && !c->lock->operator_key)) {
        mc_learner_release(&l);
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED, "a holder key cannot be made: no operator "
                                                      "key or passphrase to seal it with");
    }
    mc_buf_init(&file, 64 * 1024);
    mc_buf_init(&d, MC_DID_MAX);
    mc_buf_init(&mb, 256);
    rc = mc_key_generate(&fresh, NULL);
    if (!rc)
        rc = mc_keyfile_write(&fresh, c->lock, &file, err);
    if (!rc)
        rc = mc_key_did(&fresh, &d);
    if (!rc)
        rc = mc_key_pub_multibase(&fresh, &mb);
    if (rc) {
        rc = mc_err_set(err, rc, "holder key: %s", mc_err_msg(err));
        goto out;
    }
    memset(&hk, 0, sizeof(hk));
    hk.org_id = c->org;
    hk.learner_id = learner;
    hk.did = d.ptr;
    hk.public_multibase = mb.ptr;
    hk.key_file = file.ptr;
    hk.created = now_of(c);
    rc = mc_store_begin(c->st, err);
    if (rc)
        goto out;
    rc = mc_store_holder_key_put(c->st, &hk, err);
    if (!rc && (!l.did || !l.did[0])) {
        char *old = l.did;

        l.did = d.ptr;   /* the learner's DID becomes the holder key's */
        rc = mc_store_learner_put(c->st, &l, err);
        l.did = old;
    }
    if (!rc)
        rc = mc_store_commit(c->st, err);
    else
        (void)mc_store_rollback(c->st);
    if (rc == MCRED_ERR_CONFLICT) {
        /* another request made it first: use that one */
        mc_learner_release(&l);
        mc_buf_release(&file);
        mc_buf_release(&d);
        mc_buf_release(&mb);
        mc_key_clear(&fresh);
        return mc_wallet_holder(c, learner, need_secret, key, did, err);
    }
    if (rc)
        goto out;
    mc_strlcpy(did, d.ptr, MC_DID_MAX);
    rc = need_secret ? mc_key_copy(key, &fresh) : mc_key_from_multibase(key, mb.ptr, err);
out:
    mc_learner_release(&l);
    sodium_memzero(file.ptr ? file.ptr : (char *)"", file.len);
    mc_buf_release(&file);
    mc_buf_release(&d);
    mc_buf_release(&mb);
    mc_key_clear(&fresh);
    return rc;
}

/* --- import ------------------------------------------------------------------------ */

/* The hex SHA-256 of what identifies a held credential: its JCS form when it
 * is JSON (so whitespace and member order do not make a second copy), else
 * its bytes. */
static mcred_rc identity_hash(const char *p, size_t n, char out[65], struct mc_err *err)
{
    uint8_t h[MC_SHA256_BYTES];
    struct mc_buf canon;
    cJSON *doc = NULL;
    mcred_rc rc = MCRED_OK;

    mc_buf_init(&canon, (size_t)16 << 20);
    if (n && (p[0] == '{' || p[0] == '[') && mc_json_parse(p, n, 0, &doc, NULL) == MCRED_OK) {
        rc = mc_jcs_canon(doc, &canon, err);
        cJSON_Delete(doc);
        if (rc) {
            mc_buf_release(&canon);
            return rc;
        }
        mc_sha256(canon.ptr, canon.len, h);
    } else {
        mc_sha256(p, n, h);
    }
    mc_buf_release(&canon);
    sodium_bin2hex(out, 65, h, sizeof(h));
    return MCRED_OK;
}

mcred_rc mc_wallet_import(const struct mc_wallet_ctx *c, int64_t learner, const char *p,
                          size_t n, const char *source, struct mc_wallet_import *res,
                          struct mc_err *err)
{
    struct mc_baked baked;
    struct mc_wallet_item item, have;
    struct mc_learner l;
    struct mc_buf report;
    char hash[65], src[32], vname[40], *doc = NULL;
    size_t dn;
    mcred_rc rc;

    memset(res, 0, sizeof(*res));
    memset(&baked, 0, sizeof(baked));
    mc_buf_init(&report, 1 << 20);
    /* the learner must be of this organisation before anything else */
    memset(&l, 0, sizeof(l));
    rc = mc_store_learner_get(c->st, c->org, learner, NULL, &l, err);
    mc_learner_release(&l);
    if (rc)
        return rc;
    if (mc_bake_sniff((const unsigned char *)p, n) != MC_BAKE_IMAGE_UNKNOWN) {
        rc = mc_unbake((const unsigned char *)p, n, &baked, err);
        if (rc)
            return rc;
        p = baked.data;
        n = baked.len;
    }
    while (n && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
        n--;
    if (n == 0) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "nothing to import: the input is empty");
        goto out;
    }
    doc = mc_strndup(p, n);
    if (!doc) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    dn = n;
    rc = mc_verify_bytes(doc, dn, c->verify, &res->verdict, err);
    if (rc)
        goto out;
    if (res->verdict.n && strcmp(res->verdict.checks[0].name, "format") == 0 &&
        res->verdict.checks[0].state == MC_CHECK_FAIL) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "no credential to import: %s",
                        res->verdict.checks[0].reason);
        goto out;
    }
    rc = identity_hash(doc, dn, hash, err);
    if (rc)
        goto out;
    memset(&have, 0, sizeof(have));
    rc = mc_store_wallet_find(c->st, c->org, learner, hash, &have, err);
    if (rc == MCRED_OK) {
        res->id = have.id;
        res->duplicate = true;
        mc_wallet_item_release(&have);
        goto out;
    }
    if (rc != MCRED_ERR_NOTFOUND)
        goto out;
    rc = mc_verdict_json(&res->verdict, &report);
    if (rc) {
        rc = mc_err_set(err, rc, "out of memory");
        goto out;
    }
    memset(&item, 0, sizeof(item));
    item.org_id = c->org;
    item.learner_id = learner;
    item.cred_id = res->verdict.id[0] ? res->verdict.id : NULL;
    item.hash = hash;
    item.format = res->verdict.format[0] ? res->verdict.format : "unknown";
    mc_strlcpy(src, source ? source : "file", sizeof(src));
    mc_strlcpy(vname, mc_verdict_name(res->verdict.kind), sizeof(vname));
    item.source = src;
    item.verdict = vname;
    item.report = report.ptr;
    item.doc = doc;
    item.imported = now_of(c);
    rc = mc_store_wallet_put(c->st, &item, err);
    if (rc == MCRED_ERR_CONFLICT) {
        /* imported at the same moment by another request */
        memset(&have, 0, sizeof(have));
        if (mc_store_wallet_find(c->st, c->org, learner, hash, &have, NULL) == MCRED_OK) {
            res->id = have.id;
            res->duplicate = true;
            mc_wallet_item_release(&have);
            rc = MCRED_OK;
        }
        goto out;
    }
    if (!rc)
        res->id = item.id;
    if (!rc && (res->verdict.kind == MC_VERDICT_VALID || res->verdict.kind == MC_VERDICT_EXPIRED)) {
        struct mc_stacks_ctx sc = { c->st, c->org, c->issuing, c->now };   /* stacks it completes */

        if (mc_stacks_on_import(&sc, learner, doc, NULL) != MCRED_OK) {
            /* the import stands; the stacks catch up at the next event or sweep */
        }
    }
out:
    mc_free(doc);
    mc_baked_release(&baked);
    mc_buf_release(&report);
    return rc;
}

/* --- presentations ---------------------------------------------------------------- */

mcred_rc mc_wallet_present(const struct mc_wallet_ctx *c, int64_t learner, const int64_t *ids,
                           size_t n, const char *challenge, const char *domain,
                           struct mc_buf *out, struct mc_err *err)
{
    struct mc_key key;
    struct mc_sign_opts so;
    struct mc_buf text;
    char did[MC_DID_MAX];
    cJSON *vp = NULL, *list, *ctx, *type;
    size_t i;
    mcred_rc rc;

    memset(&key, 0, sizeof(key));
    mc_buf_init(&text, (size_t)16 << 20);
    if (n == 0 || n > MC_WALLET_MAX_PRESENT)
        return mc_err_set(err, MCRED_ERR_INVALID, "a presentation carries 1 to %d credentials, "
                                                  "not %zu", MC_WALLET_MAX_PRESENT, n);
    if (!challenge || !challenge[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "a presentation needs the verifier's "
                                                  "challenge");
    vp = cJSON_CreateObject();
    ctx = vp ? cJSON_AddArrayToObject(vp, "@context") : NULL;
    type = vp ? cJSON_AddArrayToObject(vp, "type") : NULL;
    list = vp ? cJSON_AddArrayToObject(vp, "verifiableCredential") : NULL;
    if (!list || !ctx || !type ||
        !cJSON_AddItemToArray(ctx, cJSON_CreateString("https://www.w3.org/ns/credentials/v2")) ||
        !cJSON_AddItemToArray(type, cJSON_CreateString("VerifiablePresentation"))) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct mc_wallet_item it;
        cJSON *c1 = NULL;

        memset(&it, 0, sizeof(it));
        rc = mc_store_wallet_get(c->st, c->org, learner, ids[i], &it, err);
        if (rc)
            goto out;
        if (mc_jws_shape(it.doc, strlen(it.doc), NULL, NULL)) {
            struct mc_buf id;

            mc_buf_init(&id, 0);
            c1 = cJSON_CreateObject();
            rc = mc_buf_appends(&id, "data:application/vc+jwt,");
            if (!rc)
                rc = mc_buf_appends(&id, it.doc);
            if (!rc && (!c1 ||
                        !cJSON_AddStringToObject(c1, "@context",
                                                 "https://www.w3.org/ns/credentials/v2") ||
                        !cJSON_AddStringToObject(c1, "id", id.ptr) ||
                        !cJSON_AddStringToObject(c1, "type", "EnvelopedVerifiableCredential")))
                rc = MCRED_ERR_NOMEM;
            mc_buf_release(&id);
            if (rc)
                rc = mc_err_set(err, rc, "out of memory");
        } else if (it.doc[0] == '{') {
            rc = mc_json_parse(it.doc, strlen(it.doc), 0, &c1, err);
        } else {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "wallet item %lld (%s) cannot go into a "
                                                    "presentation", (long long)ids[i], it.format);
        }
        mc_wallet_item_release(&it);
        if (rc) {
            cJSON_Delete(c1);
            goto out;
        }
        cJSON_AddItemToArray(list, c1);
    }
    rc = mc_wallet_holder(c, learner, true, &key, did, err);
    if (rc)
        goto out;
    if (!cJSON_AddStringToObject(vp, "holder", did)) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = mc_json_stringify(vp, 0, &text, err);
    if (rc)
        goto out;
    memset(&so, 0, sizeof(so));
    so.suite = "eddsa-rdfc-2022";
    so.proof_purpose = "authentication";
    so.challenge = challenge;
    so.domain = domain && domain[0] ? domain : NULL;
    so.now = now_of(c);
    so.contexts = c->contexts;
    so.cache = c->cache;
    rc = mc_sign_bytes(text.ptr, text.len, &key, &so, out, err);
out:
    mc_key_clear(&key);
    cJSON_Delete(vp);
    mc_buf_release(&text);
    return rc;
}

/* --- export, backup, restore ------------------------------------------------------- */

static mcred_rc item_json(const struct mc_wallet_item *it, cJSON *arr, bool full)
{
    cJSON *o = cJSON_CreateObject(), *c1 = NULL;

    if (!o)
        return MCRED_ERR_NOMEM;
    cJSON_AddItemToArray(arr, o);
    if (full && !cJSON_AddNumberToObject(o, "id", (double)it->id))
        return MCRED_ERR_NOMEM;
    if (!cJSON_AddStringToObject(o, "source", it->source) ||
        !cJSON_AddNumberToObject(o, "imported", (double)it->imported))
        return MCRED_ERR_NOMEM;
    if (full && !cJSON_AddStringToObject(o, "verdict", it->verdict))
        return MCRED_ERR_NOMEM;
    if (it->doc[0] == '{' && mc_json_parse(it->doc, strlen(it->doc), 0, &c1, NULL) == MCRED_OK)
        cJSON_AddItemToObject(o, "credential", c1);
    else if (!cJSON_AddStringToObject(o, "credential", it->doc))
        return MCRED_ERR_NOMEM;
    return MCRED_OK;
}

static mcred_rc items_array(const struct mc_wallet_ctx *c, int64_t learner, bool full,
                            cJSON **out, struct mc_err *err)
{
    struct mc_store_list l;
    cJSON *arr = cJSON_CreateArray();
    size_t i;
    mcred_rc rc;

    *out = NULL;
    memset(&l, 0, sizeof(l));
    if (!arr)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    rc = mc_store_wallet_list(c->st, c->org, learner, &l, err);
    for (i = 0; !rc && i < l.n; i++)
        rc = item_json(&((struct mc_wallet_item *)l.rows)[i], arr, full);
    mc_store_list_clear(&l);
    if (rc) {
        cJSON_Delete(arr);
        return err && err->rc ? rc : mc_err_set(err, rc, "out of memory");
    }
    *out = arr;
    return MCRED_OK;
}

mcred_rc mc_wallet_export(const struct mc_wallet_ctx *c, int64_t learner, struct mc_buf *out,
                          struct mc_err *err)
{
    struct mc_learner l;
    cJSON *arr = NULL;
    mcred_rc rc;

    memset(&l, 0, sizeof(l));
    rc = mc_store_learner_get(c->st, c->org, learner, NULL, &l, err);
    mc_learner_release(&l);
    if (!rc)
        rc = items_array(c, learner, true, &arr, err);
    if (!rc)
        rc = mc_json_stringify(arr, 2, out, err);
    cJSON_Delete(arr);
    return rc;
}

mcred_rc mc_wallet_backup(const struct mc_wallet_ctx *c, int64_t learner, const char *passphrase,
                          struct mc_buf *out, struct mc_err *err)
{
    struct mc_holder_key hk;
    struct mc_buf plain;
    cJSON *doc = cJSON_CreateObject(), *arr = NULL;
    mcred_rc rc;

    mc_buf_init(&plain, MC_SEAL_MAX);
    memset(&hk, 0, sizeof(hk));
    if (!doc)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    rc = items_array(c, learner, false, &arr, err);
    if (rc)
        goto out;
    if (!cJSON_AddStringToObject(doc, "format", BACKUP_FORMAT)) {
        cJSON_Delete(arr);
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        goto out;
    }
    cJSON_AddItemToObject(doc, "items", arr);
    rc = mc_store_holder_key_get(c->st, c->org, learner, &hk, err);
    if (rc == MCRED_OK) {
        if (!cJSON_AddStringToObject(doc, "holderKey", hk.key_file))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    } else if (rc == MCRED_ERR_NOTFOUND) {
        rc = MCRED_OK;
    }
    if (!rc)
        rc = mc_json_stringify(doc, 0, &plain, err);
    if (!rc)
        rc = mc_seal(plain.ptr, plain.len, passphrase, out, err);
out:
    mc_holder_key_release(&hk);
    if (plain.ptr)
        sodium_memzero(plain.ptr, plain.len);
    mc_buf_release(&plain);
    cJSON_Delete(doc);
    return rc;
}

mcred_rc mc_wallet_restore(const struct mc_wallet_ctx *c, int64_t learner, const char *sealed,
                           size_t n, const char *passphrase, size_t *restored, size_t *skipped,
                           struct mc_err *err)
{
    struct mc_buf plain, one;
    const cJSON *items, *e, *key;
    struct mc_holder_key hk;
    cJSON *doc = NULL;
    mcred_rc rc;

    *restored = *skipped = 0;
    mc_buf_init(&plain, MC_SEAL_MAX);
    mc_buf_init(&one, (size_t)16 << 20);
    rc = mc_unseal(sealed, n, passphrase, &plain, err);
    if (!rc)
        rc = mc_json_parse(plain.ptr, plain.len, MC_SEAL_MAX, &doc, err);
    if (rc)
        goto out;
    items = mc_json_get(doc, "items");
    if (!mc_json_str(doc, "format") || strcmp(mc_json_str(doc, "format"), BACKUP_FORMAT) != 0 ||
        !cJSON_IsArray(items)) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "not a wallet backup (%s)", BACKUP_FORMAT);
        goto out;
    }
    key = mc_json_get(doc, "holderKey");
    memset(&hk, 0, sizeof(hk));
    if (cJSON_IsString(key) &&
        mc_store_holder_key_get(c->st, c->org, learner, &hk, NULL) == MCRED_ERR_NOTFOUND) {
        struct mc_key k;
        struct mc_buf d, mb;

        /* the key file must read (public part) before it is kept */
        memset(&k, 0, sizeof(k));
        mc_buf_init(&d, MC_DID_MAX);
        mc_buf_init(&mb, 256);
        rc = mc_keyfile_read(key->valuestring, strlen(key->valuestring), NULL, &k, err);
        if (!rc && (mc_key_did(&k, &d) || mc_key_pub_multibase(&k, &mb)))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        if (!rc) {
            hk.org_id = c->org;
            hk.learner_id = learner;
            hk.did = d.ptr;
            hk.public_multibase = mb.ptr;
            hk.key_file = key->valuestring;
            hk.created = now_of(c);
            rc = mc_store_holder_key_put(c->st, &hk, err);
        }
        memset(&hk, 0, sizeof(hk));
        mc_key_clear(&k);
        mc_buf_release(&d);
        mc_buf_release(&mb);
        if (rc)
            goto out;
    } else {
        mc_holder_key_release(&hk);
    }
    cJSON_ArrayForEach(e, items) {
        const cJSON *cred = mc_json_get(e, "credential");
        struct mc_wallet_import res;

        mc_buf_reset(&one);
        if (cJSON_IsString(cred))
            rc = mc_buf_appends(&one, cred->valuestring);
        else if (cJSON_IsObject(cred))
            rc = mc_json_stringify(cred, 0, &one, err);
        else
            rc = mc_err_set(err, MCRED_ERR_INVALID, "wallet backup: an item without a "
                                                    "credential");
        if (!rc)
            rc = mc_wallet_import(c, learner, one.ptr, one.len, "restore", &res, err);
        if (rc)
            goto out;
        if (res.duplicate)
            (*skipped)++;
        else
            (*restored)++;
    }
out:
    cJSON_Delete(doc);
    if (plain.ptr)
        sodium_memzero(plain.ptr, plain.len);
    mc_buf_release(&plain);
    mc_buf_release(&one);
    return rc;
}

/* --- one wallet: the learner of a user, keeping a verified credential ------------- */

mcred_rc mc_wallet_learner_of(struct mc_store *st, int64_t org, const char *email, bool create,
                              int64_t *learner, struct mc_err *err)
{
    struct mc_learner l;
    mcred_rc rc;

    *learner = 0;
    if (!email || !email[0])
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no learner: the user has no e-mail address");
    memset(&l, 0, sizeof(l));
    rc = mc_store_learner_get(st, org, 0, email, &l, err);
    if (rc == MCRED_OK && l.email && strcmp(l.email, email) == 0) {
        *learner = l.id;
        mc_learner_release(&l);
        return MCRED_OK;
    }
    mc_learner_release(&l);
    if (rc && rc != MCRED_ERR_NOTFOUND)
        return rc;
    if (!create)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no learner with the address '%.200s'", email);
    mc_err_clear(err);
    memset(&l, 0, sizeof(l));
    l.org_id = org;
    l.name = (char *)(uintptr_t)email;
    l.email = (char *)(uintptr_t)email;
    rc = mc_store_learner_put(st, &l, err);
    if (rc == MCRED_ERR_CONFLICT) {
        /* made at the same moment by another request */
        mc_err_clear(err);
        return mc_wallet_learner_of(st, org, email, false, learner, err);
    }
    if (!rc)
        *learner = l.id;
    return rc;
}

mcred_rc mc_wallet_keep(const struct mc_wallet_ctx *c, int64_t learner, int64_t replace,
                        const char *doc, const struct mc_verdict *v, const char *source,
                        int64_t *id, bool *created, struct mc_err *err)
{
    struct mc_wallet_item item, have;
    struct mc_buf report;
    char hash[65], vname[40];
    mcred_rc rc;

    *id = 0;
    *created = false;
    mc_buf_init(&report, 1 << 20);
    rc = identity_hash(doc, strlen(doc), hash, err);
    if (rc)
        return rc;
    memset(&have, 0, sizeof(have));
    rc = mc_store_wallet_find(c->st, c->org, learner, hash, &have, err);
    if (rc == MCRED_OK) {
        /* these very bytes are held already: nothing to change */
        *id = have.id;
        mc_wallet_item_release(&have);
        return MCRED_OK;
    }
    if (rc != MCRED_ERR_NOTFOUND)
        return rc;
    mc_err_clear(err);
    if (mc_verdict_json(v, &report) != MCRED_OK) {
        mc_buf_release(&report);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
    }
    memset(&item, 0, sizeof(item));
    item.id = replace;
    item.org_id = c->org;
    item.learner_id = learner;
    item.cred_id = v->id[0] ? (char *)(uintptr_t)v->id : NULL;
    item.hash = hash;
    item.format = (char *)(uintptr_t)(v->format[0] ? v->format : "unknown");
    item.source = (char *)(uintptr_t)(source ? source : "file");
    mc_strlcpy(vname, mc_verdict_name(v->kind), sizeof(vname));
    item.verdict = vname;
    item.report = report.ptr;
    item.doc = (char *)(uintptr_t)doc;
    item.imported = now_of(c);
    if (replace > 0) {
        rc = mc_store_wallet_update(c->st, &item, err);
        if (!rc)
            *id = replace;
    } else {
        rc = mc_store_wallet_put(c->st, &item, err);
        if (!rc) {
            *id = item.id;
            *created = true;
        }
    }
    mc_buf_release(&report);
    return rc;
}
