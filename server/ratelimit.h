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

/* A limiter of burst requests refilled at rate per second (burst 0 is taken
 * as 1). Owned: srv_rate_free. NULL on NOMEM. */
struct srv_limiter *srv_rate_new(double rate, unsigned burst);
void srv_rate_free(struct srv_limiter *l);                        /* accepts NULL */

/* Take one request for client: false when its bucket is empty. A NULL
 * limiter, or one of rate 0, allows everything. now is unused (the buckets
 * run on the monotonic clock, which wall-clock steps do not move). */
bool srv_rate_take(struct srv_limiter *l, const char *client, time_t now);

/* The same at t, seconds on any clock that never goes backwards (tests pass
 * their own; a t earlier than a bucket's last use counts as no time passed). */
bool srv_rate_take_at(struct srv_limiter *l, const char *client, double t);

/* Whole seconds after which a refused client has a request again (for
 * Retry-After): the time one request takes to refill, at least 1. */
unsigned srv_rate_retry_after(const struct srv_limiter *l);

#endif /* MC_SERVER_RATELIMIT_H */
