/* fuzz_status.c - fuzz target for the Bitstring Status List decoder and
 * checker (lib/status/bitstring.c). An input starting with 'u' is decoded as
 * an encodedList; one starting with '{' is JSON {"credentialStatus": ...,
 * "list": ...} checked with a source that serves "list" for every URL; any
 * other input is taken as raw gzip bytes and wrapped as 'u' + base64url, so
 * the inflater is reached without the fuzzer having to learn base64.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "status/bitstring.h"
#include "util/codec.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decoded lists must be whole, and encode back to the same bits. */
static void decode_one(const char *s, size_t n)
{
    struct mc_bitstring bs, again;
    struct mc_buf enc;
    struct mc_err err;
    unsigned v, size;

    if (mc_bitstring_decode(s, n, 1, 0, &bs, &err) != MCRED_OK) {
        if (bs.bits || bs.nbytes || bs.entries)
            abort();   /* failures leave the output empty */
        return;
    }
    if (bs.nbytes < MC_STATUS_MIN_BYTES || bs.entries != bs.nbytes * 8 || !bs.bits)
        abort();
    if (mc_bitstring_get(&bs, bs.entries - 1, &v, &err) != MCRED_OK || v > 1)
        abort();
    for (size = 2; size <= MC_STATUS_MAX_SIZE; size++) {
        struct mc_bitstring view = bs;

        view.status_size = size;
        view.entries = bs.nbytes * 8 / size;
        if (mc_bitstring_get(&view, view.entries - 1, &v, &err) != MCRED_OK || v >> size)
            abort();
    }
    mc_buf_init(&enc, 0);
    if (mc_bitstring_encode(&bs, &enc, &err) != MCRED_OK)
        abort();
    if (mc_bitstring_decode(enc.ptr, enc.len, 1, 0, &again, &err) != MCRED_OK ||
        again.nbytes != bs.nbytes || memcmp(again.bits, bs.bits, bs.nbytes) != 0)
        abort();
    mc_bitstring_release(&again);
    mc_buf_release(&enc);
    mc_bitstring_release(&bs);
}

static mcred_rc serve_list(void *ud, const char *url, cJSON **out, struct mc_err *err)
{
    (void)url;
    *out = NULL;
    if (!ud)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "no list");
    *out = cJSON_Duplicate(ud, 1);
    return *out ? MCRED_OK : MCRED_ERR_NOMEM;
}

static void check_one(const uint8_t *data, size_t size)
{
    struct mc_status_source src = { serve_list, NULL };
    struct mc_status_opts o = { (time_t)1750000000, &src, MC_STATUS_LENIENT_INDEX };
    struct mc_status_result res[MC_STATUS_MAX_ENTRIES];
    struct mc_err err;
    size_t n = 0, i;
    cJSON *doc = NULL;

    if (mc_json_parse((const char *)data, size, 0, &doc, &err) != MCRED_OK)
        return;
    src.ud = cJSON_GetObjectItemCaseSensitive(doc, "list");
    if (mc_status_check(cJSON_GetObjectItemCaseSensitive(doc, "credentialStatus"), &o, res, &n,
                        &err) == MCRED_OK) {
        if (n == 0 || n > MC_STATUS_MAX_ENTRIES)
            abort();
        for (i = 0; i < n; i++) {
            /* fail closed: an error is never ok, and ok means a value of 0 was read */
            if ((res[i].outcome == MC_STATUS_ERROR) != (res[i].error != MC_STATUS_ERR_NONE))
                abort();
            if (res[i].outcome == MC_STATUS_OK && (res[i].value != 0 || !res[i].has_index))
                abort();
        }
    } else if (n != 0) {
        abort();
    }
    cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_buf b;

    if (size > 0 && data[0] == 'u') {
        decode_one((const char *)data, size);
        return 0;
    }
    if (size > 0 && data[0] == '{') {
        check_one(data, size);
        return 0;
    }
    mc_buf_init(&b, 0);
    if (mc_buf_appendc(&b, 'u') == MCRED_OK && mc_b64url_encode(&b, data, size) == MCRED_OK)
        decode_one(b.ptr, b.len);
    mc_buf_release(&b);
    return 0;
}
