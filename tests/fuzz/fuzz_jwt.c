/* fuzz_jwt.c - fuzz target for VC-JWT verification (lib/proof/jwt.c): the
 * input is verified as a compact JWS. Every "kid" resolves to one fixed
 * Ed25519 key (seed 32 x 0x4a), so corpus tokens signed with it reach the
 * claim checks; "jwk" headers exercise the RSA / EC / OKP key import.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "proof/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mcred_rc fixed_resolve(void *ud, const char *kid, const char *alg, struct mc_jwt_key *out,
                              struct mc_err *err)
{
    static uint8_t pk[MC_ED25519_PK_BYTES];
    static bool have;
    uint8_t seed[MC_ED25519_SEED_BYTES];
    struct mc_key k;

    (void)ud;
    (void)kid;
    (void)alg;
    if (!have) {
        memset(seed, 0x4a, sizeof(seed));
        if (mc_key_generate(&k, seed) != MCRED_OK)
            return mc_err_set(err, MCRED_ERR_CRYPTO, "cannot make the fuzz key");
        memcpy(pk, k.pk, sizeof(pk));
        mc_key_clear(&k);
        have = true;
    }
    memset(out, 0, sizeof(*out));
    out->kty = MC_JWT_KTY_ED25519;
    memcpy(out->ed.pk, pk, sizeof(pk));
    return MCRED_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct mc_jwt_resolver resolver = { fixed_resolve, NULL };
    struct mc_jwt_verify_opts opts = { (time_t)1700000000, &resolver, NULL };
    struct mc_jwt_result r;
    struct mc_err err;
    mcred_rc rc;

    rc = mc_jwt_verify((const char *)data, size, &opts, &r, &err);
    if (rc == MCRED_OK || rc == MCRED_ERR_EXPIRED) {
        /* a verified result must be whole */
        if (!r.header || !r.payload || !r.credential || !r.iss ||
            r.key.kty == MC_JWT_KTY_NONE)
            abort();
    } else if (r.header || r.payload || r.key.kty != MC_JWT_KTY_NONE) {
        abort();  /* failures leave the result empty */
    }
    mc_jwt_result_release(&r);
    /* with no resolver: the did:key and jwk paths */
    opts.resolver = NULL;
    rc = mc_jwt_verify((const char *)data, size, &opts, &r, &err);
    (void)rc;
    mc_jwt_result_release(&r);
    return 0;
}
