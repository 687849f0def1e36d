/* fuzz_skills_csv.c - fuzz target for the skills CSV reader (lib/skills/csv.c)
 * and the custom framework reader on top of it (lib/skills/custom.c). The
 * first byte picks the dialect (CSV or TSV), raggedness, small bounds, the
 * lenient mode (trim, resync) and the chunk size of a streaming source, so
 * records straddle refills. Every record handed out must be checked text
 * with increasing lines, and the end or a stopping error must repeat.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "skills/csv.h"
#include "skills/skills.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
    const uint8_t *p;
    size_t n, pos, chunk;
};

static long src_read(void *ud, void *buf, size_t n)
{
    struct src *s = ud;
    size_t k = s->n - s->pos;

    if (k > n)
        k = n;
    if (k > s->chunk)
        k = s->chunk;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (long)k;
}

static void read_all(const uint8_t *data, size_t size, uint8_t mode)
{
    struct mc_csv_opts o;
    struct src s = { data, size, 0, (size_t)(mode >> 4) * 7 + 1 };
    struct mc_csv_source src = { src_read, &s };
    struct mc_csv_record r;
    struct mc_csv *c = NULL;
    struct mc_err err;
    size_t i, line = 0, records = 0;
    mcred_rc rc;

    memset(&o, 0, sizeof(o));
    if (mode & 1) {
        o.delim = '\t';
        o.no_quotes = true;
    }
    o.ragged = (mode & 2) != 0;
    if (mode & 4) {
        o.max_field = 16;
        o.max_record = 64;
        o.max_fields = 4;
    }
    o.trim = o.resync = (mode & 8) != 0;
    if (mc_csv_open(&c, &src, &o, "fuzz.csv", &err) != MCRED_OK) {
        if (c)
            abort();
        return;
    }
    while ((rc = mc_csv_next(c, &r, &err)) == MCRED_OK ||
           (rc == MCRED_ERR_INVALID && o.resync)) {
        if (r.line <= line || ++records > size + 1)
            abort();   /* every record, good or bad, moves on */
        line = r.line;
        if (rc)
            continue;
        if (r.n == 0)
            abort();
        if (!o.ragged && r.n != mc_csv_header(c)->n)
            abort();
        for (i = 0; i < r.n; i++) {
            if (strlen(r.field[i]) != r.len[i] || !mc_utf8_valid(r.field[i], r.len[i]))
                abort();
        }
    }
    if (mc_csv_next(c, &r, &err) != rc || r.n != 0)
        abort();   /* the end or the error repeats */
    mc_csv_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_fw *f = NULL;
    uint8_t mode = size ? data[0] : 0;

    if (size > 1)
        read_all(data + 1, size - 1, mode);
    if (mc_skills_read_custom_mem((const char *)data, size, false, "fuzz", "fuzz.csv", &f,
                                  NULL) == MCRED_OK && !f)
        abort();
    mc_fw_free(f);
    return 0;
}
