/* fuzz_nquads.c - fuzz target for the N-Quads parser (lib/jsonld/nquads.c)
 * and RDFC-1.0 (lib/jsonld/rdfc.c): whatever parses is canonicalized under a
 * small work limit; the canonical output must parse again and canonicalize
 * to itself, and an isomorphic copy (quads reversed, labels changed) must
 * canonicalize the same.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

#include "jsonld/rdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Canonicalize again what canon holds; it must come out the same. */
static void check_fixpoint(const struct mc_buf *canon, const struct mc_rdfc_opts *o)
{
    struct mc_rdf_dataset d;
    struct mc_buf b;
    mcred_rc rc;

    mc_rdf_init(&d);
    mc_buf_init(&b, 0);
    if (mc_nquads_parse(canon->ptr ? canon->ptr : "", canon->len, &d, NULL) != MCRED_OK)
        abort();  /* the writer produced something the parser refuses */
    rc = mc_rdfc_canon(&d, o, &b, NULL);
    if (rc == MCRED_OK && b.len != canon->len)
        abort();  /* canonical form is not a fixpoint */
    if (rc == MCRED_OK && b.len && memcmp(b.ptr, canon->ptr ? canon->ptr : "", b.len) != 0)
        abort();
    if (rc != MCRED_OK && rc != MCRED_ERR_LIMIT)
        abort();
    mc_buf_release(&b);
    mc_rdf_release(&d);
}

/* The quads of d in reverse order with every blank node label reversed: an
 * isomorphic dataset, whose canonical form must be the same. */
static void check_isomorphic(const struct mc_rdf_dataset *d, const struct mc_buf *canon,
                             const struct mc_rdfc_opts *o)
{
    struct mc_rdf_dataset r;
    struct mc_buf b;
    size_t i;
    mcred_rc rc;

    mc_rdf_init(&r);
    mc_buf_init(&b, 0);
    for (i = d->n; i-- > 0;) {
        struct mc_rdf_quad q = d->quads[i];
        struct mc_rdf_term *t[4] = { &q.s, &q.p, &q.o, &q.g };
        int k;

        for (k = 0; k < 4; k++) {
            size_t n, j;
            char *rev;

            if (t[k]->kind != MC_RDF_BLANK)
                continue;
            n = strlen(t[k]->value);
            rev = malloc(n + 1);
            if (!rev)
                abort();
            for (j = 0; j < n; j++)
                rev[j] = t[k]->value[n - 1 - j];
            t[k]->value = mc_rdf_intern(&r, rev, n);
            free(rev);
            if (!t[k]->value)
                abort();
        }
        if (mc_rdf_add(&r, &q) != MCRED_OK)
            abort();
    }
    rc = mc_rdfc_canon(&r, o, &b, NULL);
    if (rc == MCRED_OK && (b.len != canon->len ||
                           (b.len && memcmp(b.ptr, canon->ptr ? canon->ptr : "", b.len) != 0)))
        abort();  /* canonical form depends on quad order or labels */
    if (rc != MCRED_OK && rc != MCRED_ERR_LIMIT)
        abort();
    mc_buf_release(&b);
    mc_rdf_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mc_rdf_dataset d;
    struct mc_rdfc_opts o = { MC_RDFC_SHA256, 2000 };
    struct mc_rdfc_map map = { 0 };
    struct mc_err err = { 0 };
    struct mc_buf out;
    mcred_rc rc;

    mc_rdf_init(&d);
    d.max_quads = 4096;
    mc_buf_init(&out, 1 << 20);
    if (mc_nquads_parse((const char *)data, size, &d, &err) == MCRED_OK) {
        rc = mc_rdfc_canon_map(&d, &o, &out, &map, &err);
        if (rc == MCRED_OK) {
            check_fixpoint(&out, &o);
            check_isomorphic(&d, &out, &o);
            mc_rdfc_map_release(&map);
        } else if (rc != MCRED_ERR_LIMIT) {
            abort();  /* parsed input is always canonicalizable, or too much work */
        }
        o.hash = MC_RDFC_SHA384;
        mc_buf_reset(&out);
        rc = mc_rdfc_canon(&d, &o, &out, &err);
        if (rc != MCRED_OK && rc != MCRED_ERR_LIMIT)
            abort();
    }
    mc_buf_release(&out);
    mc_rdf_release(&d);
    return 0;
}
