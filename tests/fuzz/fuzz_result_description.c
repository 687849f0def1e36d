/* fuzz_result_description.c - fuzz target for an achievement's
 * ResultDescription (lib/service/assess.c): the input is an Achievement
 * JSON; when its resultDescription parses, every entry is judged with each
 * kind of result, and the judgement must be coherent (met means nothing is
 * missing; not met says what is missing; a rubric level achieved is one of
 * its levels), and its Result builds.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "service/assess.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const levels[] = { "Proficient", "beginning", "https://e.x/l/1", "" };
    static const double scores[] = { -1, 0, 50, 70, 100, 1e308 };
    struct mc_rds rds;
    struct mc_assess_result r;
    struct mc_assess_judgement j;
    cJSON *a = NULL, *res = NULL;
    size_t i, k;

    if (mc_json_parse((const char *)data, size, 0, &a, NULL) != MCRED_OK)
        return 0;
    if (mc_rd_parse(a, &rds, NULL) != MCRED_OK) {
        if (rds.n != 0)
            abort();   /* a failed parse leaves nothing */
        cJSON_Delete(a);
        return 0;
    }
    for (i = 0; i < rds.n; i++) {
        const struct mc_rd *rd = &rds.rd[i];

        if (!rd->id || !rd->name || (rd->kind == MC_RD_RUBRIC && rd->required >= rd->nlevels))
            abort();
        for (k = 0; k < 6; k++) {
            memset(&r, 0, sizeof(r));
            r.kind = rd->kind;
            r.level = levels[k % 4];
            r.score = scores[k];
            r.pass = k & 1;
            if (mc_rd_judge(rd, &r, &j, NULL) != MCRED_OK)
                continue;
            if (j.met == (j.missing[0] != '\0'))
                abort();
            if (rd->kind == MC_RD_RUBRIC && j.level >= rd->nlevels)
                abort();
            if (mc_rd_result_json(rd, &j, &res, NULL) == MCRED_OK)
                cJSON_Delete(res);
        }
    }
    cJSON_Delete(a);
    return 0;
}
