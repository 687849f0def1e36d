/* qr.h - QR codes (ISO/IEC 18004, through libqrencode) of short texts such
 * as share links, as a compact SVG image: one path of the dark modules on a
 * white square with the four-module quiet zone, scaled by the viewBox.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_QR_H
#define MC_SVC_QR_H

#include "internal.h"
#include "util/buf.h"

#define MC_QR_MAX_TEXT 2048   /* bytes of text encoded (a URL); longer is LIMIT */
#define MC_QR_QUIET 4         /* modules of white border on each side */

/* Append the SVG of the QR code of text (NUL-terminated, 1..MC_QR_MAX_TEXT
 * bytes, error correction level M) to out. *modules (OUT, may be NULL): the
 * width of the symbol in modules (without the quiet zone). Errors: INVALID
 * (empty text), LIMIT (too long, or more than a QR code holds), NOMEM. */
MC_NODISCARD mcred_rc mc_qr_svg(const char *text, struct mc_buf *out, int *modules,
                                struct mc_err *err);

#endif /* MC_SVC_QR_H */
