/* fuzz_plan.c - fuzz target for the planner's input (lib/skills/plan.h):
 * the bytes are a catalog file (JSON achievements or CSV); when it loads
 * and builds, plans are made for needs drawn from the catalog's own skills
 * (the first byte picks hours or cost, greedy or exact, hours per week) and
 * every plan must cover what it says it covers, prerequisites first.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "skills/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_catalog *c = NULL;
    struct mc_plan_need need[64];
    struct mc_plan_opts o;
    struct mc_plan p;
    struct mc_err err;
    const char *held[1];
    size_t i, j, k, n = 0;
    uint8_t mode = size ? data[0] : 0;

    if (size > 65536 || mc_catalog_new(&c))
        return 0;
    if (mc_catalog_load(c, size ? (const char *)data + 1 : "", size ? size - 1 : 0, "fuzz",
                        &err) || mc_catalog_build(c, &err)) {
        mc_catalog_free(c);
        return 0;
    }
    for (i = 0; i < mc_intern_count(c->skills) && n < 64; i++) {
        need[n].uri = mc_intern_str(c->skills, (uint32_t)i);
        need[n].weight = (double)(i % 3 + 1) / 2;
        need[n++].required = i % 4 != 3;
    }
    need[n < 64 ? n : 63].uri = "https://absent.example/skill";   /* taught by nobody */
    need[n < 64 ? n : 63].weight = 1;
    need[n < 64 ? n : 63].required = true;
    if (n < 64)
        n++;
    mc_plan_opts_init(&o);
    o.minimize = mode & 1 ? MC_PLAN_COST : MC_PLAN_HOURS;
    o.exact_max = mode & 2 ? 0 : MC_PLAN_EXACT_MAX;
    o.node_limit = 20000;
    o.hours_per_week = 1 + (mode >> 2);
    o.start_day = 20000;
    held[0] = c->n ? c->v[0].uri : "https://absent.example/a";
    if (mc_plan_solve(c, need, n, held, mode & 0x80 ? 1 : 0, &o, &p, &err) == MCRED_OK) {
        for (i = 0; i < p.n; i++) {
            const struct mc_catalog_item *it = &c->v[p.v[i].item];

            if (p.v[i].end_day <= p.v[i].start_day ||
                (i && p.v[i].start_day != p.v[i - 1].end_day))
                abort();
            for (j = 0; j < it->nprereq; j++) {
                bool before = it->prereq[j] == MC_INTERN_NONE ||
                              ((mode & 0x80) && it->prereq[j] == 0);

                for (k = 0; k < i && !before; k++)
                    before = p.v[k].item == it->prereq[j];
                if (!before)
                    abort();   /* a prerequisite scheduled after what needs it */
            }
        }
        if (p.covered != p.coverable || p.covered + p.nuncovered != p.required)
            abort();
        mc_plan_release(&p);
    }
    mc_catalog_free(c);
    return 0;
}
