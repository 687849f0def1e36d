/* rdfc_suite.c - the JSON-LD cryptosuites: eddsa-rdfc-2022 (sign and
 * verify) and the legacy Ed25519Signature2020 (verify). Both canonicalize the
 * document and the proof configuration with JSON-LD (safe mode: a term that
 * does not expand is an error) and RDFC-1.0, and sign SHA-256(proof config)
 * || SHA-256(document). Contexts come only from the pinned store; verifying
 * tries older pinned revisions when the newest do not reproduce the signature.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>

#include "crypto/hash.h"
#include "jsonld/ctxstore.h"
#include "jsonld/iri.h"
#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "jsonld/rdf.h"
#include "proof/di.h"
#include "proof/rdfc_suite.h"
#include "util/json.h"

/* Canonical N-Quads of doc (JSON-LD, safe mode) through loader. */
mcred_rc mc_rdfc_canonize_doc(const cJSON *doc, const struct mc_jsonld_loader *loader,
                              struct mc_jsonld_cache *cache, struct mc_buf *out,
                              struct mc_err *err)
{
    struct mc_jsonld_opts o;
    struct mc_rdf_dataset ds;
    cJSON *expanded = NULL;
    mcred_rc rc;

    memset(&o, 0, sizeof(o));
    o.loader = loader;
    o.safe = true;
    o.cache = cache;
    mc_rdf_init(&ds);
    ds.borrow = true;   /* the expanded tree outlives the dataset: point at its strings */
    rc = mc_jsonld_expand(doc, &o, &expanded, err);
    if (!rc)
        rc = mc_jsonld_to_rdf(expanded, &o, &ds, err);
    if (!rc)
        rc = mc_rdfc_canon(&ds, NULL, out, err);
    mc_json_delete(expanded);   /* inside an arena scope: freed with the scope */
    mc_rdf_release(&ds);
    return rc;
}

/* The proof configuration as hashed: the proof options with the document's
 * @context (a view sharing the nodes; cJSON_Delete frees only the view). */
static cJSON *config_with_context(const cJSON *cfg, const cJSON *ctx)
{
    cJSON *v = cJSON_CreateObject();
    const cJSON *m;

    if (!v)
        return NULL;
    if (ctx && !mc_json_add_ref(v, "@context", ctx))
        goto fail;
    cJSON_ArrayForEach(m, cfg) {
        if (strcmp(m->string, "@context") == 0)
            continue;
        if (!mc_json_add_ref(v, m->string, m))
            goto fail;
    }
    return v;
fail:
    cJSON_Delete(v);
    return NULL;
}

/* Design note: a Data Integrity proof configuration of the usual shape —
 * exactly @context (the VC 2.0 context first), type DataIntegrityProof,
 * cryptosuite, created, verificationMethod and proofPurpose assertionMethod
 * or authentication, all
 * plain strings — always canonicalizes to the same five lines: the VC 2.0
 * context defines these terms @protected (no later context can change them),
 * so only the values vary. Writing those lines directly skips an expansion,
 * a toRdf and an RDFC-1.0 run per proof. Anything else (another member, an
 * unusual value, a string that would need escaping) takes the general path.
 * The contexts themselves are still processed, and checked, with the
 * document. tests/unit/di/test_rdfc_vectors.c compares both paths. */
static bool plain_token(const char *s, const char *extra)
{
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(extra, *s)))
            return false;
    }
    return true;
}

bool mc_rdfc_config_template(const cJSON *cfg, struct mc_buf *out)
{
    /* proofPurpose value -> its IRI's fragment under https://w3id.org/security#
     * (the context maps authentication to authenticationMethod: the test of
     * this function caught that); other purposes take the general path */
    static const char *const purposes[][2] = { { "assertionMethod", "assertionMethod" },
                                               { "authentication", "authenticationMethod" },
                                               { NULL, NULL } };
    const cJSON *ctx = mc_json_get(cfg, "@context"), *m;
    const char *type = mc_json_str(cfg, "type"), *suite = mc_json_str(cfg, "cryptosuite");
    const char *created = mc_json_str(cfg, "created");
    const char *vm = mc_json_str(cfg, "verificationMethod");
    const char *purpose = mc_json_str(cfg, "proofPurpose");
    const char *const (*p)[2];
    size_t members = 0, start = out->len;
    mcred_rc rc;

    cJSON_ArrayForEach(m, cfg) members++;
    if (members != 6 || !mc_json_is_array(ctx) || !mc_json_is_string(ctx->child) ||
        strcmp(ctx->child->valuestring, "https://www.w3.org/ns/credentials/v2") != 0)
        return false;
    if (!type || strcmp(type, "DataIntegrityProof") != 0 || !plain_token(suite, "-") ||
        !plain_token(created, ":.+-") || !vm || !mc_iri_is_valid(vm) || strchr(vm, '"') ||
        strchr(vm, '\\') || strchr(vm, '>') || strchr(vm, '<'))
        return false;
    for (p = purposes; (*p)[0] && !(purpose && strcmp(purpose, (*p)[0]) == 0); p++)
        ;
    if (!(*p)[0])
        return false;
    /* appended piece by piece: printf's formatting cost as much as the rest
     * of the proof configuration's hashing */
    {
        const char *const parts[] = {
            "_:c14n0 <http://purl.org/dc/terms/created> \"", created,
            "\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
            "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/security#DataIntegrityProof> .\n"
            "_:c14n0 <https://w3id.org/security#cryptosuite> \"", suite,
            "\"^^<https://w3id.org/security#cryptosuiteString> .\n"
            "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#",
            (*p)[1],
            "> .\n_:c14n0 <https://w3id.org/security#verificationMethod> <", vm, "> .\n",
        };
        size_t i;

        rc = mc_buf_grow(out, 512);
        for (i = 0; !rc && i < sizeof(parts) / sizeof(parts[0]); i++)
            rc = mc_buf_appends(out, parts[i]);
    }
    if (rc) {
        out->len = start;
        return false;
    }
    return true;
}

static mcred_rc canon_hash(const cJSON *doc, const struct mc_jsonld_loader *loader,
                           struct mc_jsonld_cache *cache, struct mc_buf *keep, uint8_t out[32],
                           struct mc_err *err)
{
    struct mc_buf tmp, *b = keep ? keep : &tmp;
    mcred_rc rc;

    if (!keep)
        mc_buf_init(&tmp, 0);
    rc = mc_buf_grow(b, 16384);   /* a credential's N-Quads: no doubling from 64 bytes */
    if (!rc)
        rc = mc_rdfc_canonize_doc(doc, loader, cache, b, err);
    if (!rc)
        mc_sha256(b->ptr ? b->ptr : "", b->len, out);
    if (!keep)
        mc_buf_release(&tmp);
    return rc;
}

/* Design note: in bulk issuance every credential signed in the same second
 * has the same proof configuration (type, cryptosuite, created, method,
 * purpose, @context), so its canonical hash is remembered per thread, keyed
 * by the configuration's exact JCS bytes — a microsecond to compute, against
 * a JSON-LD expansion and an RDFC-1.0 run. Only the fast path (newest context
 * revisions, shared cache) uses it: the key covers everything the hash reads
 * except the contexts' contents, which are pinned. */
#define MEMO_MAX 2048   /* configurations are a few hundred bytes; larger: no memo */

struct config_memo {
    char jcs[MEMO_MAX]; /* the configuration it was computed for (no heap: threads
                           come and go, and thread-local heap would leak) */
    size_t len;         /* 0: empty */
    uint8_t hash[32];
    const void *store;  /* the loader's context store it was computed with */
};

static _Thread_local struct config_memo memo;

static mcred_rc config_hash(const cJSON *cfg, const struct mc_jsonld_loader *loader,
                            struct mc_jsonld_cache *cache, uint8_t out[32], struct mc_err *err)
{
    struct mc_buf key;
    mcred_rc rc;

    mc_buf_init(&key, 1 << 20);
    if (mc_rdfc_config_template(cfg, &key)) {
        mc_sha256(key.ptr, key.len, out);
        mc_buf_release(&key);
        return MCRED_OK;
    }
    if (mc_jcs_canon(cfg, &key, NULL) != MCRED_OK || !key.ptr) {
        mc_buf_release(&key);
        return canon_hash(cfg, loader, cache, NULL, out, err);
    }
    if (memo.len && memo.len == key.len && memo.store == loader->ud &&
        memcmp(memo.jcs, key.ptr, key.len) == 0) {
        memcpy(out, memo.hash, 32);
        mc_buf_release(&key);
        return MCRED_OK;
    }
    rc = canon_hash(cfg, loader, cache, NULL, out, err);
    if (!rc && key.len <= MEMO_MAX) {
        memcpy(memo.jcs, key.ptr, key.len);
        memo.len = key.len;
        memo.store = loader->ud;
        memcpy(memo.hash, out, 32);
    }
    mc_buf_release(&key);
    return rc;
}

/* The note for the fast path: the newest available revision of each context
 * URL the document names at the top level. */
static void note_newest(const struct mc_ctxstore *store, const cJSON *doc,
                        struct mc_di_attempt *at)
{
    const cJSON *ctx = mc_json_get(doc, "@context"), *c;

    at->note[0] = '\0';
    for (c = mc_json_is_array(ctx) ? ctx->child : ctx; c;
         c = mc_json_is_array(ctx) ? c->next : NULL) {
        const size_t cap = sizeof(at->note);
        struct mc_ctx_info info;
        bool first = !at->note[0];

        if (!mc_json_is_string(c) || mc_ctxstore_get(store, c->valuestring, 0, &info, NULL))
            continue;
        /* concatenated, not printed: this runs on every verification */
        if (mc_strlcat(at->note, first ? "contexts: " : "; ", cap) >= cap ||
            mc_strlcat(at->note, c->valuestring, cap) >= cap ||
            mc_strlcat(at->note, " (rev ", cap) >= cap ||
            mc_strlcat(at->note, info.pin->rev, cap) >= cap ||
            mc_strlcat(at->note, ")", cap) >= cap)
            break;   /* truncated, as snprintf left it */
    }
}

/* Attempt 0 reads every context at its newest pinned revision through the
 * shared cache: the fast path every valid credential takes. When that
 * signature does not match, attempt 1 reads the document again through a
 * selector that records the contexts it loads, and attempts 2, 3, ... walk
 * the other combinations of their pinned revisions, newest first (at most
 * MC_CTXSEL_MAX_TRIES), uncached. */
static mcred_rc rdfc_hash(const struct mc_di_env *env, const cJSON *unsecured,
                          const cJSON *proof_config, struct mc_di_trace *trace,
                          struct mc_di_attempt *at, uint8_t *out, size_t *out_len,
                          struct mc_err *err)
{
    struct mc_jsonld_loader loader;
    struct mc_ctxsel *sel = at ? at->state : NULL;
    struct mc_jsonld_cache *cache = NULL;
    cJSON *cfg;
    mcred_rc rc;

    *out_len = 0;
    if (!env || !env->contexts)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                          "JSON-LD proofs need the pinned context store, and none was given");
    if (!at || at->n == 0) {
        mc_ctxstore_loader(env->contexts, &loader);
        cache = env->cache;
    } else if (at->n == 1) {
        sel = mc_calloc(1, sizeof(*sel));
        if (!sel)
            return MCRED_ERR_NOMEM;
        at->state = sel;
        mc_ctxsel_init(sel, env->contexts);
        mc_ctxsel_loader(sel, &loader);
    } else {
        if (!sel || !mc_ctxsel_next(sel))
            return MCRED_ERR_NOTFOUND;        /* every combination was tried */
        mc_ctxsel_loader(sel, &loader);
    }
    cfg = config_with_context(proof_config, cJSON_GetObjectItemCaseSensitive(unsecured,
                                                                             "@context"));
    if (!cfg)
        return MCRED_ERR_NOMEM;
    if (trace || (at && at->n > 0))
        rc = canon_hash(cfg, &loader, cache, trace ? trace->canon_proof : NULL, out, err);
    else
        rc = config_hash(cfg, &loader, cache, out, err);
    cJSON_Delete(cfg);
    if (!rc)
        rc = canon_hash(unsecured, &loader, cache, trace ? trace->canon_doc : NULL, out + 32,
                        err);
    if (rc)
        return rc;
    *out_len = 64;
    if (at && sel) {
        struct mc_buf d;

        mc_buf_init(&d, sizeof(at->note) - 1);
        if (mc_ctxsel_describe(sel, &d) == MCRED_OK && d.ptr)
            snprintf(at->note, sizeof(at->note), "contexts: %s", d.ptr);
        mc_buf_release(&d);
    } else if (at) {
        note_newest(env->contexts, unsecured, at);
    }
    return MCRED_OK;
}

static void rdfc_release(struct mc_di_attempt *at)
{
    mc_free(at->state);
    at->state = NULL;
}

/* Design note: JSON-LD maps a JSON number with a fractional part to an
 * xsd:double ("1.0E-7"), but jsonld.js — which most Open Badges verifiers run —
 * decides by looking for a '.' in JavaScript's String(v), so 1e-7 becomes the
 * integer "0" there. Both cannot agree on such a number, so a credential that
 * holds one would verify here and fail in those verifiers: refuse to sign it,
 * and name where it is. (Numbers below 1e-6 written with one significant
 * digit are the only ones affected.) */
static mcred_rc find_ambiguous_number(const cJSON *v, const char *key, int depth,
                                      struct mc_err *err)
{
    const cJSON *c;

    if (depth > 256)
        return MCRED_OK;   /* the JSON-LD processor bounds depth itself */
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
        v->valuedouble != floor(v->valuedouble) && fabs(v->valuedouble) < 1e-6) {
        struct mc_buf b;
        bool ambiguous;

        mc_buf_init(&b, 64);
        ambiguous = mc_jcs_number(v->valuedouble, &b) == MCRED_OK && b.ptr &&
                    !strchr(b.ptr, '.');
        if (ambiguous)
            mc_err_set(err, MCRED_ERR_INVALID,
                       "the number %s in '%s' is read as 0 by jsonld.js-based verifiers and "
                       "as %s by the JSON-LD standard: a signature over it cannot verify in "
                       "both; write it as a string or with more digits", b.ptr,
                       key ? key : "(root)", b.ptr);
        mc_buf_release(&b);
        return ambiguous ? MCRED_ERR_INVALID : MCRED_OK;
    }
    for (c = v->child; c; c = c->next) {
        mcred_rc rc = find_ambiguous_number(c, c->string ? c->string : key, depth + 1, err);

        if (rc)
            return rc;
    }
    return MCRED_OK;
}

static mcred_rc rdfc_check_sign(const cJSON *doc, struct mc_err *err)
{
    return find_ambiguous_number(doc, NULL, 0, err);
}

const struct mc_di_suite mc_di_suite_rdfc = {
    "eddsa-rdfc-2022", "DataIntegrityProof", false, true, rdfc_hash, rdfc_release,
    rdfc_check_sign
};

const struct mc_di_suite mc_di_suite_ed2020 = {
    "Ed25519Signature2020", "Ed25519Signature2020", false, false, rdfc_hash, rdfc_release,
    NULL
};
