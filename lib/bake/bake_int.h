/* bake_int.h - private to lib/bake: the PNG and SVG halves that bake.c
 * dispatches to, and the shared step that turns found text into a result.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_BAKE_INT_H
#define MC_BAKE_INT_H

#include "bake/bake.h"

/* What to write: classified text (mc_bake_classify), borrowed. */
struct mc_bake_text {
    int version;              /* 3 or 2 */
    enum mc_bake_form form;
    const char *p;            /* the text, without surrounding whitespace */
    size_t n;
    const char *hosted_url;   /* OB 2.0 JSON: its verify.url, or NULL; owned by the caller */
};

/* png.c: p is known to start with the PNG signature (or is rejected). */
MC_NODISCARD mcred_rc mc_bake_png_read(const unsigned char *p, size_t n, struct mc_baked *out,
                                       struct mc_err *err);
MC_NODISCARD mcred_rc mc_bake_png_write(const unsigned char *p, size_t n,
                                        const struct mc_bake_text *t, struct mc_buf *out,
                                        struct mc_err *err);

/* svg.c */
MC_NODISCARD mcred_rc mc_bake_svg_read(const unsigned char *p, size_t n, struct mc_baked *out,
                                       struct mc_err *err);
MC_NODISCARD mcred_rc mc_bake_svg_write(const unsigned char *p, size_t n,
                                        const struct mc_bake_text *t, struct mc_buf *out,
                                        struct mc_err *err);

/* bake.c: fill out from the text p[0..n) found at `where` (static) in an
 * image: trims XML whitespace when trim, checks size, NUL bytes and UTF-8,
 * works out the form and whether it is a hosted assertion, and copies it.
 * INVALID when the text is neither JSON, a compact JWS nor a URL. */
MC_NODISCARD mcred_rc mc_bake_found(struct mc_baked *out, enum mc_bake_image image,
                                    int version, const char *where, const char *p, size_t n,
                                    bool trim, struct mc_err *err);

#endif /* MC_BAKE_INT_H */
