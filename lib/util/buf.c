/* buf.c - capped growable byte buffer.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/buf.h"

void mc_buf_init(struct mc_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : MC_BUF_DEFAULT_MAX;
}

void mc_buf_release(struct mc_buf *b)
{
    mc_free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void mc_buf_reset(struct mc_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

mcred_rc mc_buf_grow(struct mc_buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (n > b->max || b->len > b->max - n)
        return MCRED_ERR_LIMIT;
    need = b->len + n + 1;
    if (need <= b->cap)
        return MCRED_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    p = mc_realloc(b->ptr, cap);
    if (!p)
        return MCRED_ERR_NOMEM;
    b->ptr = p;
    b->cap = cap;
    b->ptr[b->len] = '\0';   /* ptr is a C string from the first allocation on */
    return MCRED_OK;
}

mcred_rc mc_buf_append(struct mc_buf *b, const void *p, size_t n)
{
    mcred_rc rc = mc_buf_grow(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return MCRED_OK;
}

mcred_rc mc_buf_appends(struct mc_buf *b, const char *s)
{
    return mc_buf_append(b, s, strlen(s));
}

mcred_rc mc_buf_appendc(struct mc_buf *b, char c)
{
    if (b->len + 1 < b->cap && b->len < b->max) {
        b->ptr[b->len++] = c;
        b->ptr[b->len] = '\0';
        return MCRED_OK;
    }
    return mc_buf_append(b, &c, 1);
}

mcred_rc mc_buf_printf(struct mc_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    mcred_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return MCRED_ERR_INVALID;
    rc = mc_buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return MCRED_OK;
}

char *mc_buf_take(struct mc_buf *b, size_t *len)
{
    char *p = b->ptr;

    if (len)
        *len = b->len;
    if (!p) {
        p = mc_strdup("");
        if (!p && len)
            *len = 0;
    }
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
