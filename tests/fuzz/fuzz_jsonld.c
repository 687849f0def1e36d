/* fuzz_jsonld.c - fuzz target for JSON-LD context processing and expansion
 * (lib/jsonld/context.c, expand.c): bounded JSON parse, then expansion with a
 * loader that knows no URLs and a small work limit, in normal and safe mode.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "jsonld/jsonld.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mcred_rc no_docs(void *ud, const char *url, const cJSON **doc, struct mc_err *err)
{
    (void)ud;
    *doc = NULL;
    return mc_err_set(err, MCRED_ERR_NOTFOUND, "no document for '%s'", url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_jsonld_loader loader = { no_docs, NULL };
    struct mc_jsonld_opts o;
    struct mc_err err;
    cJSON *doc = NULL, *out = NULL;
    int pass;

    if (mc_json_parse((const char *)data, size, 0, &doc, NULL) != MCRED_OK)
        return 0;
    memset(&o, 0, sizeof(o));
    o.loader = &loader;
    o.base = "https://fuzz.test/doc";
    o.max_work = 20000;
    for (pass = 0; pass < 2; pass++) {
        o.safe = pass == 1;
        mc_err_clear(&err);
        if (mc_jsonld_expand(doc, &o, &out, &err) == MCRED_OK) {
            if (!cJSON_IsArray(out))
                abort();  /* the contract: always an array */
        } else if (out || !err.msg[0]) {
            abort();  /* failures leave no output and say why */
        }
        cJSON_Delete(out);
        out = NULL;
    }
    cJSON_Delete(doc);
    return 0;
}
