/* fuzz_png.c - fuzz target for PNG baking (lib/bake/png.c): unbake any
 * bytes (given a PNG signature when they lack one, so the chunk walker is
 * reached at once), then bake a credential into them and check that a bake
 * that succeeds unbakes to exactly that credential.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "bake/bake.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const char cred[] = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
                           "\"type\":[\"VerifiableCredential\"],\"name\":\"]]> <&>\"}";

static void check_result(mcred_rc rc, const struct mc_baked *b)
{
    if (rc != MCRED_OK) {
        if (b->data || b->len)
            abort();   /* failures leave the output empty */
        return;
    }
    if (!b->data || strlen(b->data) != b->len || b->len == 0 || !b->where ||
        (b->version != 2 && b->version != 3) || b->form == MC_BAKE_FORM_NONE ||
        b->image != MC_BAKE_IMAGE_PNG)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_buf in, out;
    struct mc_baked b, again;
    struct mc_err err;
    mcred_rc rc, brc;

    mc_buf_init(&in, 0);
    if ((size < sizeof(sig) || memcmp(data, sig, sizeof(sig)) != 0) &&
        mc_buf_append(&in, sig, sizeof(sig)) != MCRED_OK)
        abort();
    if (mc_buf_append(&in, data, size) != MCRED_OK)
        abort();
    rc = mc_unbake((const unsigned char *)in.ptr, in.len, &b, &err);
    check_result(rc, &b);
    mc_baked_release(&b);

    mc_buf_init(&out, 0);
    brc = mc_bake((const unsigned char *)in.ptr, in.len, MC_BAKE_IMAGE_PNG, cred,
                  sizeof(cred) - 1, &out, NULL, &err);
    /* a PNG that reads structurally fine can be baked */
    if ((rc == MCRED_OK || rc == MCRED_ERR_NOTFOUND) && brc != MCRED_OK)
        abort();
    if (brc == MCRED_OK) {
        if (mc_unbake((const unsigned char *)out.ptr, out.len, &again, &err) != MCRED_OK ||
            again.len != sizeof(cred) - 1 || memcmp(again.data, cred, again.len) != 0 ||
            again.version != 3 || again.form != MC_BAKE_FORM_JSON)
            abort();
        mc_baked_release(&again);
    } else if (out.len != 0) {
        abort();   /* nothing written on failure */
    }
    mc_buf_release(&out);
    mc_buf_release(&in);
    return 0;
}
