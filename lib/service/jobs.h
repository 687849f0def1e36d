/* jobs.h - bulk issuing as background jobs, for a long-running process (the
 * server). A job is a CSV or JSON Lines file held in memory while it waits
 * and runs; the store keeps its row (table jobs): state, progress, the first
 * rejected rows and why it stopped. One runner thread takes the jobs in the
 * order they came and runs each with mc_issue_bulk (which signs on several
 * threads and commits batch by batch), writing the progress to the store
 * after every batch.
 *
 * LIFETIME. Jobs survive nothing fancy: the file is not stored, so a job
 * cannot resume after its server stops. mc_jobs_free stops the running job at
 * its next read (what was committed stays) and marks it and every queued job
 * failed. A server that dies without that leaves its jobs unfinished; a live
 * job refreshes its row's heartbeat every MC_JOBS_HEARTBEAT seconds, and
 * mc_jobs_sweep (run by the server the first time jobs are submitted or read
 * after it starts, and whenever they are read) marks failed every unfinished
 * job whose heartbeat is older than MC_JOBS_STALE seconds: so several server
 * nodes on one PostgreSQL never take each other's live jobs for dead.
 * Submitting the same file again is safe: rows issued before are skipped
 * (idempotency keys), and the job reports them as "already".
 *
 * THREAD SAFETY: mc_jobs_submit may be called from any thread.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_JOBS_H
#define MC_SVC_JOBS_H

#include "internal.h"

#include <time.h>

#include "service/platform.h"
#include "store/store.h"

#define MC_JOBS_BATCH 100          /* rows per committed batch (and progress report) */
#define MC_JOBS_MAX_QUEUED 16      /* jobs waiting or running at once */
#define MC_JOBS_MAX_ROW_ERRORS 100 /* rejected rows recorded per job */
#define MC_JOBS_HEARTBEAT 2        /* seconds between a live job's heartbeats */
#define MC_JOBS_STALE 30           /* an unfinished job silent this long was abandoned */

struct mc_jobs;   /* opaque: the queue and its runner thread */

struct mc_jobs_conf {
    struct mc_platform *plat;      /* borrowed for the runner's life: stores, issuer keys */
    int sign_threads;              /* signing threads per job; 0: the number of cores */
    size_t batch;                  /* 0: MC_JOBS_BATCH */
    size_t max_queued;             /* 0: MC_JOBS_MAX_QUEUED; at most twice that */
};

/* A runner (its thread starts with the first job). *out owned (mc_jobs_free).
 * NOMEM. */
MC_NODISCARD mcred_rc mc_jobs_new(struct mc_jobs **out, const struct mc_jobs_conf *c,
                                  struct mc_err *err);

struct mc_job_request {
    int64_t org;                   /* the caller's organisation */
    int64_t user;                  /* who submits (0: nobody known) */
    const char *actor;             /* for the audit log, copied */
    int64_t achievement_id;        /* a row id of org: that version is issued */
    int64_t issuer_id;             /* 0: the organisation's first issuer */
    enum mc_job_format format;
    const char *body;              /* the file, copied */
    size_t len;
};

/* Check a job and queue it: the achievement exists in org (NOTFOUND) and is
 * a valid Achievement; the file is not empty and (CSV) its header names the
 * known columns (INVALID, with the reader's message); the issuer can sign
 * (the errors of mc_platform_issuing: NOTFOUND, UNSUPPORTED, CRYPTO); fewer
 * than max_queued jobs are waiting or running (LIMIT: try again later);
 * the runner is not stopping (UNSUPPORTED). Then the job is stored as queued
 * and *job_id (OUT) set. st: the caller's handle, outside a transaction. */
MC_NODISCARD mcred_rc mc_jobs_submit(struct mc_jobs *j, struct mc_store *st,
                                     const struct mc_job_request *rq, int64_t *job_id,
                                     struct mc_err *err);

/* Mark failed every queued or running job (any organisation) whose
 * heartbeat is older than MC_JOBS_STALE seconds before now. *n (OUT, may be
 * NULL): how many. */
MC_NODISCARD mcred_rc mc_jobs_sweep(struct mc_store *st, time_t now, int64_t *n,
                                    struct mc_err *err);

/* Stop the runner (see LIFETIME), wait for its thread, free. Accepts NULL.
 * Call before the platform closes. */
void mc_jobs_free(struct mc_jobs *j);

#endif /* MC_SVC_JOBS_H */
