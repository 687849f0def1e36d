/* ratelimit.h - per-client token buckets: `burst` requests at once, refilled
 * at `rate` per second. A fixed-size table that clients hash into (clients
 * sharing a slot share its bucket), so memory is bounded whatever the number
 * of clients. Thread-safe.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SERVER_RATELIMIT_H
#define MC_SERVER_RATELIMIT_H

#include "internal.h"

#include <time.h>

struct srv_limiter;

struct srv_limiter *srv_rate_new(double rate, unsigned burst);   /* NULL on NOMEM */
void srv_rate_free(struct srv_limiter *l);                        /* accepts NULL */
/* Take one request for client at now: false when its bucket is empty.
 * A NULL limiter allows everything. */
bool srv_rate_take(struct srv_limiter *l, const char *client, time_t now);

#endif /* MC_SERVER_RATELIMIT_H */
