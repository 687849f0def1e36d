/* buf.h - capped growable byte buffer (curl's dynbuf idea): every buffer fed
 * from outside has a hard maximum and reports MCRED_ERR_LIMIT past it.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_BUF_H
#define MC_BUF_H

#include "internal.h"

#define MC_BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

struct mc_buf {
    char *ptr;     /* owned; NUL-terminated whenever len > 0 or ptr != NULL */
    size_t len;    /* bytes used, without the terminating NUL */
    size_t cap;    /* bytes allocated */
    size_t max;    /* the most len may become */
};

/* Start empty with maximum length max (0 selects MC_BUF_DEFAULT_MAX). */
void mc_buf_init(struct mc_buf *b, size_t max);
/* Free the storage and return to the empty state; keeps max. */
void mc_buf_release(struct mc_buf *b);
/* Forget the contents, keep the storage. */
void mc_buf_reset(struct mc_buf *b);
/* Make room for n more bytes. NOMEM or LIMIT; b is unchanged on failure. */
MC_NODISCARD mcred_rc mc_buf_grow(struct mc_buf *b, size_t n);
MC_NODISCARD mcred_rc mc_buf_append(struct mc_buf *b, const void *p, size_t n);
MC_NODISCARD mcred_rc mc_buf_appends(struct mc_buf *b, const char *s);
MC_NODISCARD mcred_rc mc_buf_appendc(struct mc_buf *b, char c);
MC_NODISCARD mcred_rc mc_buf_printf(struct mc_buf *b, const char *fmt, ...) MC_PRINTF(2, 3);
/* Hand the contents over as a NUL-terminated string (owned by the caller,
 * free with mc_free); b is left empty. Returns NULL only on NOMEM, and "" for
 * an empty buffer. */
char *mc_buf_take(struct mc_buf *b, size_t *len);

#endif /* MC_BUF_H */
