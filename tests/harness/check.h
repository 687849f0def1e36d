/* check.h - the unit-test harness: CHECK macros, a skip helper and the final
 * "N passed, N failed" line that tests/run.py and CI read. Exit 1 on failure,
 * 77 to skip.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_CHECK_H
#define MC_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                    \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

#define CHECK_STR_EQ(got, want, what)                                      \
    do {                                                                   \
        const char *g_ = (got), *w_ = (want);                              \
        CHECK(g_ && w_ && strcmp(g_, w_) == 0, "%s: got '%s', want '%s'",  \
              (what), g_ ? g_ : "(null)", w_ ? w_ : "(null)");             \
    } while (0)

#define CHECK_RC(expr, want, what)                                         \
    do {                                                                   \
        int r_ = (int)(expr);                                              \
        CHECK(r_ == (int)(want), "%s: rc %d, want %d", (what), r_, (int)(want)); \
    } while (0)

/* Print the summary line and return the process exit code. */
static inline int check_report(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Directory of ../shared/data, or exit 77 with a message when absent. */
static inline const char *check_shared_data(void)
{
    const char *d = getenv("MCRED_SHARED_DATA");
    FILE *f;
    char probe[4096];

    if (d) {
        snprintf(probe, sizeof(probe), "%s/SOURCES.md", d);
        f = fopen(probe, "r");
        if (f) {
            fclose(f);
            return d;
        }
    }
    printf("SKIP: ../shared/data is absent (MCRED_SHARED_DATA=%s); "
           "the published test vectors are needed\n", d ? d : "(unset)");
    printf("0 passed, 0 failed\n");
    exit(77);
}

/* Read a whole file into a NUL-terminated heap buffer (free()); NULL if absent. */
static inline char *check_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        return NULL;
    for (;;) {
        if (cap - n < 65536) {
            char *q = realloc(p, cap + 65536 + 1);
            if (!q) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = q;
            cap += 65536;
        }
        r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

#endif /* MC_CHECK_H */
