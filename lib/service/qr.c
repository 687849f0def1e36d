/* qr.c - a QR code of a text as one SVG path (libqrencode does the coding).
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>

#include <qrencode.h>

#include "service/qr.h"

/* The dark modules of row y as horizontal runs: "M<x> <y>h<len>v1h-<len>z". */
static mcred_rc row_path(const QRcode *q, int y, struct mc_buf *out)
{
    int x = 0, w = q->width;
    mcred_rc rc = MCRED_OK;

    while (x < w && !rc) {
        int start;

        if (!(q->data[y * w + x] & 1)) {
            x++;
            continue;
        }
        start = x;
        while (x < w && (q->data[y * w + x] & 1))
            x++;
        rc = mc_buf_printf(out, "M%d %dh%dv1h-%dz", start + MC_QR_QUIET, y + MC_QR_QUIET,
                           x - start, x - start);
    }
    return rc;
}

mcred_rc mc_qr_svg(const char *text, struct mc_buf *out, int *modules, struct mc_err *err)
{
    QRcode *q;
    size_t n = text ? strlen(text) : 0;
    int y, side;
    mcred_rc rc;

    if (modules)
        *modules = 0;
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "qr: nothing to encode");
    if (n > MC_QR_MAX_TEXT)
        return mc_err_set(err, MCRED_ERR_LIMIT, "qr: the text is longer than %d bytes",
                          MC_QR_MAX_TEXT);
    errno = 0;
    q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q) {
        if (errno == ENOMEM)
            return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory");
        return mc_err_set(err, MCRED_ERR_LIMIT, "qr: the text does not fit in a QR code");
    }
    side = q->width + 2 * MC_QR_QUIET;
    rc = mc_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                            "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                            "fill=\"#fff\"/><path fill=\"#000\" d=\"", side, side, side, side);
    for (y = 0; !rc && y < q->width; y++)
        rc = row_path(q, y, out);
    if (!rc)
        rc = mc_buf_appends(out, "\"/></svg>\n");
    if (!rc && modules)
        *modules = q->width;
    QRcode_free(q);
    return rc ? mc_err_set(err, rc, "qr: the image does not fit") : MCRED_OK;
}
