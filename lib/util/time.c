/* time.c - RFC 3339 date-times without locale or time zone state.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "util/time.h"

static bool digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

mcred_rc mc_time_parse(const char *s, bool need_offset, time_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *p = s + 19;
    long long t;

    *out = 0;
    if (strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return MCRED_ERR_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return MCRED_ERR_INVALID;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return MCRED_ERR_INVALID;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return MCRED_ERR_INVALID;
        p += 6;
    } else if (need_offset) {
        return MCRED_ERR_INVALID;
    }
    if (*p)
        return MCRED_ERR_INVALID;
    t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec);
    t -= sign * (oh * 3600 + om * 60);
    *out = (time_t)t;
    return MCRED_OK;
}

void mc_time_format(time_t t, char buf[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    /* the modulo keeps every field to its width (and the compiler sure of it) */
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}
