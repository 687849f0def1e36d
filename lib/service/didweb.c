/* didweb.c - did:web DID documents from the store's issuer keys, and the
 * mapping from a request path on this host to the DID it serves.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "crypto/did.h"
#include "crypto/keys.h"
#include "jsonld/jcs.h"
#include "service/didweb.h"
#include "util/json.h"

/* The public keys of rows[0..n), each checked against the method id the
 * document gives it. */
static mcred_rc load_keys(const struct mc_issuer *iss, const struct mc_issuer_key *rows,
                          size_t n, struct mc_key *pub, struct mc_err *err)
{
    char want[MC_DID_MAX + 32];
    size_t i;
    mcred_rc rc;

    for (i = 0; i < n; i++) {
        snprintf(want, sizeof(want), "%s#key-%zu", iss->did, i + 1);
        if (strcmp(rows[i].vm_id, want) != 0)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "issuer key %lld is '%s' where the DID document lists '%s'",
                              (long long)rows[i].id, rows[i].vm_id, want);
        rc = mc_key_from_multibase(&pub[i], rows[i].public_multibase, err);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

mcred_rc mc_didweb_document(struct mc_store *st, int64_t org, const struct mc_issuer *iss,
                            int indent, struct mc_buf *out, struct mc_err *err)
{
    struct mc_store_list keys;
    struct mc_key *pub = NULL;
    struct mc_buf doc;
    cJSON *tree = NULL;
    size_t i;
    mcred_rc rc;

    if (!iss->did || strncmp(iss->did, "did:web:", 8) != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "issuer %lld: the DID '%s' is not a did:web",
                          (long long)iss->id, iss->did ? iss->did : "");
    rc = mc_store_key_list(st, org, iss->id, &keys, err);
    if (rc)
        return rc;
    mc_buf_init(&doc, 0);
    if (keys.n == 0) {
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "issuer %lld has no keys", (long long)iss->id);
        goto out;
    }
    pub = mc_calloc(keys.n, sizeof(*pub));
    if (!pub) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "did:web document: out of memory");
        goto out;
    }
    rc = load_keys(iss, keys.rows, keys.n, pub, err);
    if (!rc)
        rc = mc_did_web_document(iss->did, pub, keys.n, &doc, err);
    if (!rc && indent == 0) {
        rc = mc_buf_append(out, doc.ptr, doc.len);
        if (rc)
            mc_err_set(err, rc, "did:web document: out of memory");
    } else if (!rc) {
        rc = mc_json_parse(doc.ptr, doc.len, 0, &tree, err);
        if (!rc)
            rc = mc_json_stringify(tree, indent, out, err);
        if (!rc && mc_buf_appendc(out, '\n'))
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "did:web document: out of memory");
    }
out:
    cJSON_Delete(tree);
    if (pub) {
        for (i = 0; i < keys.n; i++)
            mc_key_clear(&pub[i]);
        mc_free(pub);
    }
    mc_buf_release(&doc);
    mc_store_list_clear(&keys);
    return rc;
}

static bool seg_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append the host (and port, as %3A) of public_url to out. */
static mcred_rc host_of(const char *public_url, struct mc_buf *out, struct mc_err *err)
{
    const char *h = strstr(public_url, "://");
    size_t n;
    mcred_rc rc = MCRED_OK;

    if (!h)
        return mc_err_set(err, MCRED_ERR_INVALID, "public URL '%s' has no scheme", public_url);
    h += 3;
    n = strcspn(h, "/?#");
    if (n == 0 || memchr(h, '@', n) || h[0] == '[')
        return mc_err_set(err, MCRED_ERR_INVALID, "public URL '%s' has no plain host",
                          public_url);
    for (; n > 0 && !rc; h++, n--)
        rc = *h == ':' ? mc_buf_appends(out, "%3A") : mc_buf_appendc(out, *h);
    return rc ? mc_err_set(err, rc, "did:web: the host is too long") : MCRED_OK;
}

mcred_rc mc_didweb_did_for_path(const char *public_url, const char *path, char *did,
                                size_t cap, struct mc_err *err)
{
    static const char tail[] = "/did.json";
    size_t plen = strlen(path), tl = sizeof(tail) - 1, i;
    struct mc_buf b;
    mcred_rc rc;

    if (cap)
        did[0] = '\0';
    if (plen < tl || strcmp(path + plen - tl, tail) != 0 || path[0] != '/')
        return mc_err_set(err, MCRED_ERR_INVALID, "'%.80s' is not a DID document path", path);
    mc_buf_init(&b, MC_DID_MAX);
    rc = mc_buf_appends(&b, "did:web:");
    if (!rc)
        rc = host_of(public_url, &b, err);
    if (!rc && strcmp(path, "/.well-known/did.json") != 0) {
        /* "/a/b/did.json" -> ":a:b"; each segment non-empty and plain */
        const char *seg = path + 1, *end = path + plen - tl;

        if (seg >= end)
            rc = mc_err_set(err, MCRED_ERR_INVALID, "'/did.json' names no DID");
        while (!rc && seg < end) {
            const char *slash = memchr(seg, '/', (size_t)(end - seg));
            size_t n = (size_t)((slash ? slash : end) - seg);

            if (n == 0 || (n <= 2 && seg[0] == '.' && (n == 1 || seg[1] == '.')))
                rc = mc_err_set(err, MCRED_ERR_INVALID, "'%.80s' is not a DID document path",
                                path);
            for (i = 0; !rc && i < n; i++) {
                if (!seg_char(seg[i]))
                    rc = mc_err_set(err, MCRED_ERR_INVALID,
                                    "'%.80s' is not a DID document path", path);
            }
            if (!rc && (mc_buf_appendc(&b, ':') || mc_buf_append(&b, seg, n)))
                rc = mc_err_set(err, MCRED_ERR_LIMIT, "the DID of '%.80s' is too long", path);
            seg += n + 1;
        }
    }
    if (!rc && b.len + 1 > cap)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "the DID of '%.80s' is too long", path);
    if (!rc)
        memcpy(did, b.ptr, b.len + 1);
    mc_buf_release(&b);
    return rc;
}

mcred_rc mc_didweb_serve(struct mc_store *st, const char *public_url, const char *path,
                         struct mc_buf *out, struct mc_err *err)
{
    char did[MC_DID_MAX];
    struct mc_issuer iss;
    mcred_rc rc = mc_didweb_did_for_path(public_url, path, did, sizeof(did), err);

    if (rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no DID document at '%.80s'", path);
    if (rc)
        return rc;
    rc = mc_store_issuer_by_did(st, did, &iss, err);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, rc, "no issuer of this server has the DID '%s'", did);
    if (rc)
        return rc;
    rc = mc_didweb_document(st, iss.org_id, &iss, 0, out, err);
    mc_issuer_release(&iss);
    return rc;
}
