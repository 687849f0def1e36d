/* fuzz_rows.c - fuzz target for the bulk-input readers (lib/service/rows.c).
 * The input is read as a CSV stream (with default keys on, so duplicates are
 * tracked) and as a JSON Lines stream, through a memory reader whose chunk
 * size comes from the first byte, so records straddle refills. Every row
 * handed out must be numbered in order and hold only checked text, and the
 * end must repeat.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "service/rows.h"
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

static void text_ok(const char *v)
{
    if (v && (!v[0] || !mc_utf8_valid(v, strlen(v))))
        abort();
}

static void read_all(enum mc_rows_format f, const uint8_t *data, size_t size, size_t chunk)
{
    struct src s = { data, size, 0, chunk };
    struct mc_reader r = { src_read, &s };
    struct mc_rows *rs = NULL;
    struct mc_row row;
    struct mc_err err;
    size_t calls, number = 0, line = 0;
    mcred_rc rc = MCRED_OK;

    if (mc_rows_open(&rs, f, &r, &err) != MCRED_OK) {
        if (rs)
            abort();
        return;
    }
    if (f == MC_ROWS_CSV &&
        mc_rows_set_achievement(rs, "https://example.org/achievements/1", &err) != MCRED_OK)
        abort();
    /* each row takes at least one byte of input */
    for (calls = 0; calls <= size + 1; calls++) {
        rc = mc_rows_next(rs, &row, &err);
        if (rc != MCRED_OK && rc != MCRED_ERR_INVALID)
            break;
        if (row.number != ++number || row.line <= line)
            abort();
        line = row.line;
        if (rc == MCRED_ERR_INVALID) {
            if (row.recipient || row.name || row.key || row.valid_until || row.evidence_url)
                abort();
            continue;
        }
        if (!row.recipient || (f == MC_ROWS_CSV && !row.key))
            abort();
        text_ok(row.recipient);
        text_ok(row.name);
        text_ok(row.key);
        text_ok(row.valid_until);
        text_ok(row.evidence_url);
    }
    if (calls > size + 1 || rc == MCRED_OK || rc == MCRED_ERR_INVALID)
        abort();   /* the reader did not come to an end */
    if (mc_rows_next(rs, &row, &err) != rc)
        abort();
    mc_rows_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk = (size_t)1 << 16;

    if (size > 0) {
        if (data[0] < 128)
            chunk = 1 + (size_t)data[0] % 13;
        data++;
        size--;
    }
    read_all(MC_ROWS_CSV, data, size, chunk);
    read_all(MC_ROWS_JSONL, data, size, chunk);
    return 0;
}
