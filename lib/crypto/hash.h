/* hash.h - SHA-2 digests through OpenSSL's EVP (SHA-NI where the CPU has it).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_HASH_H
#define MC_HASH_H

#include "internal.h"

#define MC_SHA256_BYTES 32
#define MC_SHA384_BYTES 48

void mc_sha256(const void *p, size_t n, uint8_t out[MC_SHA256_BYTES]);
void mc_sha384(const void *p, size_t n, uint8_t out[MC_SHA384_BYTES]);

#endif /* MC_HASH_H */
