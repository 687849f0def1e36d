/* h_platform.h - what the platform API (h_platform.c) offers the rest of the
 * server beyond its route table: the embedded OpenAPI document and the stop
 * of the bulk issuing jobs.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_H_PLATFORM_H
#define MC_H_PLATFORM_H

#include <stddef.h>

struct srv;

/* The OpenAPI 3.1 document of every route (server/openapi.json, embedded
 * at build time by server/embed-json.py): srv_openapi_json_len bytes of JSON
 * and a NUL. */
extern const char srv_openapi_json[];
extern const size_t srv_openapi_json_len;

/* Stop the bulk issuing jobs of s: the running job stops after its current
 * batch and is marked failed with every queued one (see service/jobs.h);
 * waits for the runner thread. Call after the HTTP threads have stopped and
 * before mc_platform_close. Safe when no job ever ran, and more than once. */
void srv_platform_stop(struct srv *s);

#endif /* MC_H_PLATFORM_H */
