/* fuzz_skills_extract.c - fuzz target for the skill extractor
 * (lib/skills/extract.c) and the word normalisation (lib/skills/text.c): the
 * input is run through an extractor of fixed labels (plurals, C++, R&D,
 * shared and nested labels) and through one whose labels are the input's own
 * lines. Hits must lie inside the text, be ordered, and not overlap unless
 * they share a span; normalised text must be valid UTF-8 when the input is.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "skills/extract.h"
#include "skills/text.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = {
    "data analysis", "analysis", "data", "C++", "C#", "R&D", "R", "customer service",
    "project management", "manage projects", "teamwork", "statistics",
    "apply statistical analysis techniques", "a a a", "a a", "employer's needs", "K\xc3\xb6ln",
};

static void check_hits(const struct mc_hits *h, size_t n)
{
    size_t i;

    for (i = 0; i < h->n; i++) {
        if (h->v[i].start >= h->v[i].end || h->v[i].end > n || h->v[i].words == 0)
            abort();
        if (i && h->v[i].start < h->v[i - 1].start)
            abort();
        if (i && h->v[i].start < h->v[i - 1].end &&
            (h->v[i].start != h->v[i - 1].start || h->v[i].end != h->v[i - 1].end))
            abort();   /* overlapping spans */
    }
}

static void own_labels(const char *text, size_t n)
{
    struct mc_extractor *x = NULL;
    struct mc_hits h;
    size_t start = 0, i, id = 0;

    memset(&h, 0, sizeof(h));
    if (mc_extractor_new(&x))
        return;
    for (i = 0; i <= n && id < 64; i++) {
        if (i == n || text[i] == '\n') {
            if (mc_extractor_add(x, text + start, i - start, (uint32_t)id, id % 2 == 1, NULL))
                break;
            id++;
            start = i + 1;
        }
    }
    if (mc_extractor_build(x) == MCRED_OK && mc_extractor_run(x, text, n, &h, NULL) == MCRED_OK)
        check_hits(&h, n);
    mc_hits_release(&h);
    mc_extractor_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mc_extractor *x;
    const char *text = (const char *)data;
    struct mc_hits h;
    char norm[512];
    size_t i, len = 0;

    if (!x) {
        if (mc_extractor_new(&x))
            abort();
        for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
            if (mc_extractor_add(x, labels[i], strlen(labels[i]), (uint32_t)i, i % 3 == 0,
                                 NULL))
                abort();
        }
        if (mc_extractor_build(x))
            abort();
    }
    memset(&h, 0, sizeof(h));
    if (mc_extractor_run(x, text, size, &h, NULL) == MCRED_OK)
        check_hits(&h, size);
    else if (h.n)
        abort();
    mc_hits_release(&h);
    if (mc_text_norm(text, size, norm, sizeof(norm), &len) == MCRED_OK &&
        (len != strlen(norm) || (mc_utf8_valid(text, size) && !mc_utf8_valid(norm, len))))
        abort();
    own_labels(text, size);
    return 0;
}
