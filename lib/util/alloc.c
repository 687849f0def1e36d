/* alloc.c - the library's allocation wrappers and the fault-injection hook
 * used by the torture tests.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>

static unsigned long fail_at;   /* fail when count reaches this; 0: never */
static unsigned long count;     /* allocations since the hook was last set */

unsigned long mcred_test_fail_alloc(unsigned long nth)
{
    unsigned long n = count;

    count = 0;
    fail_at = nth;
    return n;
}

static bool should_fail(void)
{
    count++;
    return fail_at != 0 && count >= fail_at;
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
