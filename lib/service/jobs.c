/* jobs.c - the bulk issuing jobs of jobs.h: a FIFO of files in memory, one
 * runner thread that feeds each to mc_issue_bulk through a reader callback
 * (which also carries the heartbeat and the stop signal), and the progress
 * written to the job's row after every batch.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

#include "jsonld/jcs.h"
#include "model/ob.h"
#include "service/issue.h"
#include "service/jobs.h"
#include "service/rows.h"
#include "util/json.h"

#define READ_CHUNK ((size_t)8192)   /* bytes per read: the stop flag is seen this often */

/* A job waiting or running: what the row does not hold. */
struct pending {
    int64_t id, org, user, achievement_id, issuer_id;
    enum mc_job_format format;
    char *actor;                /* owned */
    char *body;                 /* owned */
    size_t len;
    struct pending *next;
};

struct mc_jobs {
    struct mc_jobs_conf conf;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pending *head, *tail;   /* waiting, oldest first */
    struct pending *current;       /* running (not in the list) */
    size_t count;                  /* waiting + running */
    bool stopping;
    bool started;                  /* the runner thread was created */
    pthread_t thread;
};

/* One run of one job (runner thread only). */
struct run {
    struct mc_jobs *j;
    struct pending *p;
    struct mc_store *st;
    struct mc_job row;             /* what is written to the store */
    cJSON *errors;                 /* the first rejected rows */
    size_t pos;                    /* bytes of the body read */
    time_t last_beat;
    bool abandoned;                /* a sweep finished the job meanwhile */
    bool stopped;                  /* the runner is stopping */
};

static void pending_free(struct pending *p)
{
    if (!p)
        return;
    mc_free(p->actor);
    mc_free(p->body);
    mc_free(p);
}

static bool is_stopping(struct mc_jobs *j)
{
    bool s;

    pthread_mutex_lock(&j->mu);
    s = j->stopping;
    pthread_mutex_unlock(&j->mu);
    return s;
}

/* ---- progress ------------------------------------------------------------------------------- */

/* Write r->row (with the row errors as JSON). A job the store says is over
 * was abandoned by a sweep: stop working on it. */
static void write_row(struct run *r)
{
    struct mc_buf b;
    struct mc_err err;
    mcred_rc rc;

    if (mc_store_in_transaction(r->st))
        return;   /* never inside mc_issue_bulk's own batches */
    mc_buf_init(&b, MC_STORE_MAX_DOC);
    mc_err_clear(&err);
    r->row.row_errors = NULL;
    if (r->errors && cJSON_GetArraySize(r->errors) > 0 &&
        mc_json_stringify(r->errors, 0, &b, &err) == MCRED_OK)
        r->row.row_errors = b.ptr;
    r->row.bytes_read = (int64_t)r->pos;
    r->row.heartbeat = time(NULL);
    rc = mc_store_job_update(r->st, &r->row, &err);
    if (rc == MCRED_ERR_CONFLICT || rc == MCRED_ERR_NOTFOUND)
        r->abandoned = true;
    r->row.row_errors = NULL;
    mc_buf_release(&b);
    r->last_beat = time(NULL);
}

/* Refresh the heartbeat of this job and of the waiting ones, at most every
 * MC_JOBS_HEARTBEAT seconds. */
static void beat(struct run *r)
{
    int64_t ids[MC_JOBS_MAX_QUEUED * 2][2];
    size_t n = 0, i;
    struct pending *p;
    time_t now = time(NULL);

    if (now - r->last_beat < MC_JOBS_HEARTBEAT || mc_store_in_transaction(r->st))
        return;
    r->last_beat = now;
    if (mc_store_job_touch(r->st, r->row.org_id, r->row.id, now, NULL) == MCRED_ERR_NOTFOUND)
        r->abandoned = true;
    pthread_mutex_lock(&r->j->mu);
    for (p = r->j->head; p && n < sizeof(ids) / sizeof(ids[0]); p = p->next) {
        ids[n][0] = p->org;
        ids[n][1] = p->id;
        n++;
    }
    pthread_mutex_unlock(&r->j->mu);
    for (i = 0; i < n; i++) {
        if (mc_store_job_touch(r->st, ids[i][0], ids[i][1], now, NULL) != MCRED_OK)
            continue;   /* finished meanwhile, or the store failed: the next beat retries */
    }
}

static long read_body(void *ud, void *buf, size_t n)
{
    struct run *r = ud;
    size_t left = r->p->len - r->pos;

    if (is_stopping(r->j)) {
        r->stopped = true;
        return -1;
    }
    beat(r);
    if (r->abandoned)
        return -1;
    if (n > READ_CHUNK)
        n = READ_CHUNK;
    if (n > left)
        n = left;
    memcpy(buf, r->p->body + r->pos, n);
    r->pos += n;
    return (long)n;
}

static void on_progress(void *ud, size_t rows, size_t issued, size_t already, size_t failed)
{
    struct run *r = ud;

    r->row.rows = (int64_t)rows;
    r->row.issued = (int64_t)issued;
    r->row.already = (int64_t)already;
    r->row.failed = (int64_t)failed;
    write_row(r);
}

static void on_row_error(void *ud, size_t row, size_t line, const char *msg)
{
    struct run *r = ud;
    cJSON *o;

    if (!r->errors || cJSON_GetArraySize(r->errors) >= MC_JOBS_MAX_ROW_ERRORS)
        return;
    if (!mc_utf8_valid(msg, strlen(msg)))
        msg = "the row is rejected (its message is not valid UTF-8)";
    /* the row and line have their own members: drop the reader's prefix */
    if (strncmp(msg, "row ", 4) == 0 && strstr(msg, "): "))
        msg = strstr(msg, "): ") + 3;
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "row", (double)row) ||
        !cJSON_AddNumberToObject(o, "line", (double)line) ||
        !cJSON_AddStringToObject(o, "message", msg) || !cJSON_AddItemToArray(r->errors, o))
        cJSON_Delete(o);   /* out of memory: the row is still counted as failed */
}

/* ---- running one job ------------------------------------------------------------------------ */

/* Issue the rows of r->p; returns what stopped it (OK: the end of the file). */
static mcred_rc issue_all(struct run *r, struct mc_err *err)
{
    struct mc_jobs *j = r->j;
    struct mc_platform_issuer pi;
    struct mc_achievement a;
    struct mc_reader rd = { read_body, r };
    struct mc_bulk_opts o;
    struct mc_bulk_result res;
    struct mc_rows *rs = NULL;
    mcred_rc rc;

    memset(&a, 0, sizeof(a));
    rc = mc_store_achievement_get(r->st, r->p->org, r->p->achievement_id, NULL, &a, err);
    if (!rc)
        rc = mc_platform_issuing(j->conf.plat, r->st, r->p->org, r->p->issuer_id, r->p->actor,
                                 &pi, err);
    if (rc) {
        mc_achievement_release(&a);
        return rc;
    }
    rc = mc_rows_open(&rs, r->p->format == MC_JOB_JSONL ? MC_ROWS_JSONL : MC_ROWS_CSV, &rd,
                      err);
    if (!rc) {
        memset(&o, 0, sizeof(o));
        o.threads = j->conf.sign_threads;
        o.batch = j->conf.batch ? j->conf.batch : MC_JOBS_BATCH;
        o.progress = on_progress;
        o.row_error = on_row_error;
        o.ud = r;
        rc = mc_issue_bulk(&pi.is, &a, rs, &o, &res, err);
        r->row.rows = (int64_t)res.rows;
        r->row.issued = (int64_t)res.issued;
        r->row.already = (int64_t)res.already;
        r->row.failed = (int64_t)res.failed;
    }
    mc_rows_free(rs);
    mc_platform_issuer_release(&pi);
    mc_achievement_release(&a);
    return rc;
}

static void run_job(struct mc_jobs *j, struct pending *p)
{
    struct run r;
    struct mc_err err;
    char msg[MC_ERRMSG_MAX + 200];
    mcred_rc rc;

    memset(&r, 0, sizeof(r));
    r.j = j;
    r.p = p;
    r.row.id = p->id;
    r.row.org_id = p->org;
    r.row.achievement_id = p->achievement_id;
    r.row.user_id = p->user;
    r.row.format = p->format;
    r.row.bytes = (int64_t)p->len;
    r.errors = cJSON_CreateArray();
    mc_err_clear(&err);
    if (mc_platform_store(j->conf.plat, &r.st, &err) != MCRED_OK) {
        cJSON_Delete(r.errors);
        return;   /* no store: nothing can be recorded; a sweep will fail the job */
    }
    r.row.state = MC_JOB_RUNNING;
    r.row.started = time(NULL);
    write_row(&r);
    rc = r.abandoned ? MCRED_ERR_CONFLICT : issue_all(&r, &err);
    r.row.finished = time(NULL);
    r.row.state = rc ? MC_JOB_FAILED : MC_JOB_DONE;
    if (r.stopped) {
        snprintf(msg, sizeof(msg), "the server stopped while the job was running, after %lld "
                 "rows; submit the same file again to issue the rest (rows issued before are "
                 "skipped)", (long long)r.row.rows);
        r.row.error = msg;
    } else if (rc) {
        mc_strlcpy(msg, mc_err_msg(&err), sizeof(msg));
        if (!mc_utf8_valid(msg, strlen(msg)))
            mc_strlcpy(msg, "the job stopped on an error whose message is not valid UTF-8",
                       sizeof(msg));
        r.row.error = msg;
    }
    if (!r.abandoned)
        write_row(&r);
    r.row.error = NULL;
    cJSON_Delete(r.errors);
}

/* Mark a job that never ran failed, with why. */
static void fail_waiting(struct mc_store *st, const struct pending *p, const char *why)
{
    struct mc_job row;

    memset(&row, 0, sizeof(row));
    row.id = p->id;
    row.org_id = p->org;
    row.achievement_id = p->achievement_id;
    row.format = p->format;
    row.state = MC_JOB_FAILED;
    row.bytes = (int64_t)p->len;
    row.finished = time(NULL);
    row.heartbeat = row.finished;
    row.error = (char *)(uintptr_t)why;
    if (mc_store_job_update(st, &row, NULL) != MCRED_OK)
        return;   /* nothing more to do: a sweep fails it later */
}

/* The runner is stopping: fail a job that never ran. */
static void fail_stopped(struct mc_jobs *j, const struct pending *p)
{
    struct mc_store *st = NULL;

    if (mc_platform_store(j->conf.plat, &st, NULL) == MCRED_OK)
        fail_waiting(st, p, "the server stopped before the job started; submit the file again");
}

static void *runner(void *arg)
{
    struct mc_jobs *j = arg;
    struct pending *p;

    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->head && !j->stopping)
            pthread_cond_wait(&j->cv, &j->mu);
        p = j->head;
        if (!p)
            break;   /* stopping, nothing left */
        j->head = p->next;
        if (!j->head)
            j->tail = NULL;
        j->current = p;
        pthread_mutex_unlock(&j->mu);
        if (is_stopping(j))
            fail_stopped(j, p);
        else
            run_job(j, p);
        pthread_mutex_lock(&j->mu);
        j->current = NULL;
        j->count--;
        pending_free(p);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- the queue ------------------------------------------------------------------------------ */

mcred_rc mc_jobs_new(struct mc_jobs **out, const struct mc_jobs_conf *c, struct mc_err *err)
{
    struct mc_jobs *j;

    *out = NULL;
    if (!c || !c->plat)
        return mc_err_set(err, MCRED_ERR_INVALID, "jobs: a platform is needed");
    j = mc_calloc(1, sizeof(*j));
    if (!j)
        return mc_err_set(err, MCRED_ERR_NOMEM, "jobs: out of memory");
    j->conf = *c;
    if (!j->conf.max_queued)
        j->conf.max_queued = MC_JOBS_MAX_QUEUED;
    if (j->conf.max_queued > 2 * MC_JOBS_MAX_QUEUED)
        j->conf.max_queued = 2 * MC_JOBS_MAX_QUEUED;   /* what beat() refreshes */
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    *out = j;
    return MCRED_OK;
}

void mc_jobs_free(struct mc_jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (j->started)
        pthread_join(j->thread, NULL);
    while (j->head) {   /* only when the thread never started */
        struct pending *p = j->head;

        j->head = p->next;
        pending_free(p);
    }
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    mc_free(j);
}

mcred_rc mc_jobs_sweep(struct mc_store *st, time_t now, int64_t *n, struct mc_err *err)
{
    char why[256];
    int64_t k = 0;
    mcred_rc rc;

    snprintf(why, sizeof(why), "abandoned: the server running this job stopped (no sign of "
             "life for %d seconds); submit the file again to issue the rest (rows issued "
             "before are skipped)", MC_JOBS_STALE);
    rc = mc_store_job_abandon(st, now - MC_JOBS_STALE, why, now, &k, err);
    if (n)
        *n = rc ? 0 : k;
    return rc;
}

/* A file in memory, read by the header check. */
struct memsrc {
    const char *p;
    size_t len, pos;
};

static long read_mem(void *ud, void *buf, size_t n)
{
    struct memsrc *m = ud;
    size_t left = m->len - m->pos;

    if (n > left)
        n = left;
    memcpy(buf, m->p + m->pos, n);
    m->pos += n;
    return (long)n;
}

/* The file starts as the format says: CSV with a valid header row. */
static mcred_rc check_file(const struct mc_job_request *rq, struct mc_err *err)
{
    struct memsrc m = { rq->body, rq->len, 0 };
    struct mc_reader rd = { read_mem, &m };
    struct mc_rows *rs = NULL;
    struct mc_err e;
    mcred_rc rc;

    if (!rq->body || rq->len == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "the file is empty");
    mc_err_clear(&e);
    rc = mc_rows_open(&rs, rq->format == MC_JOB_JSONL ? MC_ROWS_JSONL : MC_ROWS_CSV, &rd, &e);
    mc_rows_free(rs);
    if (rc == MCRED_ERR_NOMEM)
        return mc_err_set(err, rc, "%s", mc_err_msg(&e));
    if (rc)
        return mc_err_set(err, MCRED_ERR_INVALID, "%s", mc_err_msg(&e));
    return MCRED_OK;
}

/* The checks of a job that need no queue: file, achievement, issuer. */
static mcred_rc check_job(struct mc_jobs *j, struct mc_store *st, const struct mc_job_request *rq,
                          struct mc_err *err)
{
    struct mc_achievement a;
    struct mc_platform_issuer pi;
    cJSON *doc = NULL;
    mcred_rc rc;

    rc = check_file(rq, err);
    if (rc)
        return rc;
    rc = mc_store_achievement_get(st, rq->org, rq->achievement_id, NULL, &a, err);
    if (rc)
        return rc;
    rc = mc_json_parse(a.json, strlen(a.json), 0, &doc, err);
    if (!rc)
        rc = mc_ob_validate_achievement(doc, NULL, err);
    cJSON_Delete(doc);
    mc_achievement_release(&a);
    if (rc)
        return rc;
    rc = mc_platform_issuing(j->conf.plat, st, rq->org, rq->issuer_id, rq->actor, &pi, err);
    if (!rc)
        mc_platform_issuer_release(&pi);
    return rc;
}

/* Put p at the end of the queue and make sure the runner runs. */
static mcred_rc enqueue(struct mc_jobs *j, struct pending *p, struct mc_err *err)
{
    mcred_rc rc = MCRED_OK;

    pthread_mutex_lock(&j->mu);
    if (j->stopping) {
        rc = mc_err_set(err, MCRED_ERR_UNSUPPORTED, "the server is stopping; submit the job "
                        "again later");
    } else if (!j->started && pthread_create(&j->thread, NULL, runner, j) != 0) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "cannot start the job runner thread");
    } else {
        j->started = true;
        p->next = NULL;
        if (j->tail)
            j->tail->next = p;
        else
            j->head = p;
        j->tail = p;
        pthread_cond_signal(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* Reserve a place in the queue (LIMIT when full); release_slot gives it back. */
static mcred_rc take_slot(struct mc_jobs *j, struct mc_err *err)
{
    mcred_rc rc = MCRED_OK;

    pthread_mutex_lock(&j->mu);
    if (j->count >= j->conf.max_queued)
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "%zu jobs are waiting or running; try again "
                        "when one has finished", j->count);
    else
        j->count++;
    pthread_mutex_unlock(&j->mu);
    return rc;
}

static void release_slot(struct mc_jobs *j)
{
    pthread_mutex_lock(&j->mu);
    j->count--;
    pthread_mutex_unlock(&j->mu);
}

mcred_rc mc_jobs_submit(struct mc_jobs *j, struct mc_store *st, const struct mc_job_request *rq,
                        int64_t *job_id, struct mc_err *err)
{
    struct pending *p;
    struct mc_job row;
    mcred_rc rc;

    *job_id = 0;
    if (!rq->actor || !rq->actor[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "jobs: the actor is missing");
    rc = check_job(j, st, rq, err);
    if (!rc)
        rc = take_slot(j, err);
    if (rc)
        return rc;
    p = mc_calloc(1, sizeof(*p));
    if (p) {
        p->actor = mc_strdup(rq->actor);
        p->body = mc_malloc(rq->len);
    }
    if (!p || !p->actor || !p->body) {
        pending_free(p);
        release_slot(j);
        return mc_err_set(err, MCRED_ERR_NOMEM, "jobs: out of memory");
    }
    memcpy(p->body, rq->body, rq->len);
    p->len = rq->len;
    p->org = rq->org;
    p->user = rq->user;
    p->achievement_id = rq->achievement_id;
    p->issuer_id = rq->issuer_id;
    p->format = rq->format;
    memset(&row, 0, sizeof(row));
    row.org_id = rq->org;
    row.achievement_id = rq->achievement_id;
    row.user_id = rq->user;
    row.format = rq->format;
    row.state = MC_JOB_QUEUED;
    row.bytes = (int64_t)rq->len;
    rc = mc_store_job_create(st, &row, err);
    p->id = row.id;
    if (!rc)
        rc = enqueue(j, p, err);
    if (rc) {
        if (row.id)
            fail_waiting(st, p, err && err->msg[0] ? err->msg : "the job could not be queued");
        pending_free(p);
        release_slot(j);
        return rc;
    }
    *job_id = row.id;
    return MCRED_OK;
}
