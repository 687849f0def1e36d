/* time.h - RFC 3339 / XML Schema dateTime parsing and formatting for
 * credential and proof dates.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_TIME_H
#define MC_TIME_H

#include <time.h>

#include "internal.h"

/* Parse "YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm|-hh:mm)" to seconds since the
 * epoch (fractions are dropped). With need_offset false a missing offset is
 * read as UTC (xsd:dateTime allows it). MCRED_ERR_INVALID on anything else. */
MC_NODISCARD mcred_rc mc_time_parse(const char *s, bool need_offset, time_t *out);
/* Format t as "YYYY-MM-DDThh:mm:ssZ" into buf. */
void mc_time_format(time_t t, char buf[32]);

#endif /* MC_TIME_H */
