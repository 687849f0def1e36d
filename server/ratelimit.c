/* ratelimit.c - per-client token buckets in a bounded table.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <time.h>

#include "ratelimit.h"

#define SLOTS 4096   /* buckets; clients beyond share by hash (stricter, never looser) */

struct bucket {
    double tokens;
    double last;      /* seconds of the last refill */
    bool used;        /* false: never touched, a full bucket */
};

struct srv_limiter {
    double rate;
    double burst;
    pthread_mutex_t mu;
    struct bucket b[SLOTS];
};

struct srv_limiter *srv_rate_new(double rate, unsigned burst)
{
    struct srv_limiter *l = mc_calloc(1, sizeof(*l));

    if (!l)
        return NULL;
    l->rate = rate;
    l->burst = burst ? burst : 1;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void srv_rate_free(struct srv_limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    mc_free(l);
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool srv_rate_take_at(struct srv_limiter *l, const char *client, double t)
{
    struct bucket *b;
    bool ok;

    if (!l || l->rate <= 0)
        return true;
    pthread_mutex_lock(&l->mu);
    b = &l->b[fnv1a(client ? client : "") % SLOTS];
    if (!b->used) {
        /* first use of this slot: a full bucket. Clients that hash to the
         * same slot share it (stricter for them, never looser) */
        b->used = true;
        b->tokens = l->burst;
        b->last = t;
    }
    if (t > b->last) {
        b->tokens += (t - b->last) * l->rate;
        if (b->tokens > l->burst)
            b->tokens = l->burst;
        b->last = t;
    }
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    pthread_mutex_unlock(&l->mu);
    return ok;
}

bool srv_rate_take(struct srv_limiter *l, const char *client, time_t now)
{
    (void)now;
    if (!l || l->rate <= 0)
        return true;
    return srv_rate_take_at(l, client, mono_now());
}

unsigned srv_rate_retry_after(const struct srv_limiter *l)
{
    double s;

    if (!l || l->rate <= 0)
        return 1;
    s = ceil(1.0 / l->rate);
    return s < 1 ? 1 : s > 86400 ? 86400 : (unsigned)s;
}
