/* alloc.c - the library's allocation wrappers and the fault-injection hook
 * used by the torture tests.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

/* Atomics: the library is used from several threads (bulk signing), and the
 * hook's counters must not be a data race even when no test uses them. */
static unsigned long fail_at;   /* fail when count reaches this; 0: never */
static unsigned long count;     /* allocations since the hook was last set */

unsigned long mcred_test_fail_alloc(unsigned long nth)
{
    unsigned long n = __atomic_exchange_n(&count, 0, __ATOMIC_RELAXED);

    __atomic_store_n(&fail_at, nth, __ATOMIC_RELAXED);
    return n;
}

static bool should_fail(void)
{
    unsigned long at = __atomic_load_n(&fail_at, __ATOMIC_RELAXED);

    if (at == 0)
        return false;   /* unarmed: one plain load, no locked instruction */
    return __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED) >= at;
}

void *mc_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *mc_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *mc_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void mc_free(void *p)
{
    free(p);
}

void *mc_allocarray(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return mc_malloc(n * size);
}

char *mc_strndup(const char *s, size_t n)
{
    char *p = mc_malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mc_strdup(const char *s)
{
    return mc_strndup(s, strlen(s));
}

size_t mc_strlcpy(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    size_t k = n < cap ? n : cap - 1;

    memcpy(dst, src, k);
    dst[k] = '\0';
    return n;
}

size_t mc_strlcat(char *dst, const char *src, size_t cap)
{
    size_t used = strnlen(dst, cap);

    if (used == cap)
        return cap + strlen(src);
    return used + mc_strlcpy(dst + used, src, cap - used);
}
