/* fuzz_json.c - fuzz target for the bounded JSON parser (lib/util/json.c).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "jsonld/jcs.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = NULL;
    struct mc_buf b;

    mc_buf_init(&b, 1 << 20);
    if (mc_json_parse((const char *)data, size, 0, &v, NULL) == MCRED_OK) {
        if (mc_json_stringify(v, 0, &b, NULL) != MCRED_OK)
            abort();
    }
    cJSON_Delete(v);
    mc_buf_release(&b);
    return 0;
}
