/* fuzz_stack.c - fuzz target for stack rules (lib/model/stack.c): the input
 * is a JSON rule; when it parses as one, it is evaluated against a fixed
 * wallet, and the result must be coherent (satisfied means nothing missing
 * and nothing to do; every used index is in the wallet).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "model/stack.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct mc_stack_held held[] = {
        { "c1", "urn:a:A", "did:example:x", 100, 0, false, false, -1 },
        { "c2", "urn:a:B", "did:example:y", 200, 0, false, false, 3 },
        { "c3", "urn:a:C", "did:example:x", 50, 60, false, false, -1 },
        { "c4", "urn:a:D", "did:example:x", 300, 0, true, false, 2 },
        { "c5", "urn:a:B", "did:example:x", 20, 0, false, true, 1 },
    };
    struct mc_stack_eval_opts o = { 1000, true };
    struct mc_stack_result r;
    struct mc_stack *s = NULL;
    cJSON *rule = NULL;
    size_t i;

    if (mc_json_parse((const char *)data, size, 0, &rule, NULL) != MCRED_OK)
        return 0;
    if (mc_stack_parse(rule, NULL, NULL, &s, NULL) == MCRED_OK) {
        const char **uris;

        (void)mc_stack_components(s, &uris);
        if (mc_stack_eval(s, held, sizeof(held) / sizeof(held[0]), &o, &r, NULL) == MCRED_OK) {
            if (r.satisfied && (r.missing != 0 || r.ntodo != 0))
                abort();
            if (!r.satisfied && r.missing == 0)
                abort();
            for (i = 0; i < r.nused; i++)
                if (r.used[i] >= sizeof(held) / sizeof(held[0]))
                    abort();
            mc_stack_result_release(&r);
        }
        mc_stack_free(s);
    } else if (s) {
        abort();   /* a failed parse makes nothing */
    }
    cJSON_Delete(rule);
    return 0;
}
