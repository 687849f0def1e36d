/* internal.h - first include of every lib/ file: feature macros, common
 * includes, allocation wrappers with a fault-injection hook, and the error
 * detail record that internal functions fill in.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_INTERNAL_H
#define MC_INTERNAL_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "microcred/microcred.h"

#define MC_NODISCARD __attribute__((warn_unused_result))
#define MC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Defensive checks for conditions believed impossible (SQLite's ALWAYS/NEVER). */
#define ALWAYS(x) (x)
#define NEVER(x) (x)

/* --- allocation (lib/util/alloc.c) ------------------------------------------
 * Every lib/ allocation goes through these so a test can fail the Nth one. */
void *mc_malloc(size_t n);
void *mc_calloc(size_t n, size_t size);
void *mc_realloc(void *p, size_t n);
void mc_free(void *p);                       /* accepts NULL */
void *mc_allocarray(size_t n, size_t size);  /* NULL on overflow */
char *mc_strdup(const char *s);              /* owned; NULL on failure */
char *mc_strndup(const char *s, size_t n);   /* owned; NUL-terminated */

/* Copy the string src into dst[0..cap), truncating, always NUL-terminated
 * (cap > 0); returns strlen(src). snprintf("%s") without the formatting cost. */
size_t mc_strlcpy(char *dst, const char *src, size_t cap);
/* Append src to the NUL-terminated dst[0..cap), truncating, always
 * NUL-terminated; returns the length the result would have had. */
size_t mc_strlcat(char *dst, const char *src, size_t cap);

/* Test hook: fail the nth allocation from now (1 = the next one); 0 disables.
 * Returns how many allocations were counted while the hook was armed. */
MCRED_API unsigned long mcred_test_fail_alloc(unsigned long nth);

/* --- error detail ------------------------------------------------------------
 * Internal functions take a `struct mc_err *` (may be NULL) and record a
 * message naming what was wrong and where. mc_err_set returns rc. */
#define MC_ERRMSG_MAX 320
struct mc_err {
    mcred_rc rc;              /* the code, MCRED_OK when clear */
    char msg[MC_ERRMSG_MAX];  /* lowercase detail, no final period */
};

mcred_rc mc_err_set(struct mc_err *err, mcred_rc rc, const char *fmt, ...) MC_PRINTF(3, 4);
void mc_err_clear(struct mc_err *err);
/* The message, or mcred_strerror(rc) when no detail was recorded. */
const char *mc_err_msg(const struct mc_err *err);

#endif /* MC_INTERNAL_H */
