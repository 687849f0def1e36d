/* hash.c - SHA-256 and SHA-384 one-shot digests. The EVP_MD is fetched once
 * and each thread keeps one digest context: an implicit fetch per call costs
 * more than hashing a whole credential.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>

#include <openssl/evp.h>

#include "crypto/hash.h"

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha384;
static pthread_key_t ctx_key;

static void free_ctx(void *p)
{
    EVP_MD_CTX_free(p);
}

static void fetch_mds(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    pthread_key_create(&ctx_key, free_ctx);
}

static void digest(bool sha384, const void *p, size_t n, uint8_t *out, size_t outlen)
{
    const EVP_MD *md, *fallback;
    EVP_MD_CTX *ctx;
    unsigned int len = 0;

    pthread_once(&md_once, fetch_mds);
    md = sha384 ? md_sha384 : md_sha256;
    fallback = sha384 ? EVP_sha384() : EVP_sha256();
    ctx = pthread_getspecific(ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (ctx && pthread_setspecific(ctx_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            ctx = NULL;
        }
    }
    if (md && ctx && EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, p, n) == 1 &&
        EVP_DigestFinal_ex(ctx, out, &len) == 1)
        return;
    /* no cached context (out of memory): the one-shot path */
    if (EVP_Digest(p, n, out, &len, fallback, NULL) != 1)
        memset(out, 0, outlen);   /* cannot happen with the default provider */
}

void mc_sha256(const void *p, size_t n, uint8_t out[MC_SHA256_BYTES])
{
    digest(false, p, n, out, MC_SHA256_BYTES);
}

void mc_sha384(const void *p, size_t n, uint8_t out[MC_SHA384_BYTES])
{
    digest(true, p, n, out, MC_SHA384_BYTES);
}
