/* hash.c - SHA-256 and SHA-384 one-shot digests.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <openssl/evp.h>

#include "crypto/hash.h"

void mc_sha256(const void *p, size_t n, uint8_t out[MC_SHA256_BYTES])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
        memset(out, 0, MC_SHA256_BYTES);   /* cannot happen with the default provider */
}

void mc_sha384(const void *p, size_t n, uint8_t out[MC_SHA384_BYTES])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha384(), NULL) != 1)
        memset(out, 0, MC_SHA384_BYTES);
}
