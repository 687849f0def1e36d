/* fuzz_jcs.c - fuzz target for RFC 8785 canonicalization (lib/jsonld/jcs.c):
 * whatever mc_json_parse accepts must canonicalize without error (numbers
 * cJSON reads as Infinity aside), and canonicalizing the parse of the output
 * must give the same bytes again.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "jsonld/jcs.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = NULL, *w = NULL;
    struct mc_buf a, b;
    mcred_rc rc;

    mc_buf_init(&a, 1 << 20);
    mc_buf_init(&b, 1 << 20);
    if (mc_json_parse((const char *)data, size, 0, &v, NULL) != MCRED_OK)
        goto out;
    rc = mc_jcs_canon(v, &a, NULL);
    if (rc == MCRED_ERR_INVALID || rc == MCRED_ERR_LIMIT)
        goto out;   /* duplicate keys, 1e400 (Infinity), or output past 1 MiB */
    if (rc != MCRED_OK)
        abort();
    if (mc_json_parse(a.ptr, a.len, 0, &w, NULL) != MCRED_OK)
        abort();    /* canonical output must be JSON the parser accepts */
    if (mc_jcs_canon(w, &b, NULL) != MCRED_OK)
        abort();
    if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
        abort();    /* not idempotent */
out:
    cJSON_Delete(v);
    cJSON_Delete(w);
    mc_buf_release(&a);
    mc_buf_release(&b);
    return 0;
}
