/* fuzz_verify.c - fuzz target for the universal verifier's parsers
 * (lib/service/verify.c, ob2.c): any bytes through mc_verify_bytes, with a
 * fetcher that answers every URL with the input itself (so hosted OB 2.0
 * assertions, badge classes, issuers, revocation lists and keys all come
 * from the fuzzer) and no network. The verdict must be one of the grades
 * and its checks must be well formed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "service/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct echo {
    const uint8_t *p;
    size_t n;
    int calls;
};

static mcred_rc echo_fetch(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    struct echo *e = ud;

    if (++e->calls > 16)
        return mc_err_set(err, MCRED_ERR_IO, "%s: too many fetches", url);
    return mc_buf_append(out, e->p, e->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct echo e = { data, size, 0 };
    struct mc_fetcher f = { echo_fetch, &e };
    struct mc_verify_opts o = { 0 };
    struct mc_verdict v;
    const char *trusted[] = { "did:example:trusted" };
    size_t i;

    o.now = 1800000000;
    o.fetcher = &f;
    o.recipient = "ann@example.org";
    o.trusted = trusted;
    o.ntrusted = 1;
    o.challenge = "c";
    if (mc_verify_bytes((const char *)data, size, &o, &v, NULL) != MCRED_OK)
        return 0;   /* out of memory only */
    if ((unsigned)v.kind > MC_VERDICT_INDETERMINATE || v.n > MC_VERDICT_MAX_CHECKS)
        abort();
    if (v.kind == MC_VERDICT_VALID && v.n == 0)
        abort();   /* valid without a single check */
    for (i = 0; i < v.n; i++)
        if ((unsigned)v.checks[i].state > MC_CHECK_SKIPPED || !v.checks[i].name[0])
            abort();
    return 0;
}
