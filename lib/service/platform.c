/* platform.c - per-thread store handles, unlocked issuer keys kept in
 * memory, verify options and token authentication for the server.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

#include <sodium.h>

#include "crypto/hash.h"
#include "service/platform.h"
#include "service/stacks.h"
#include "util/codec.h"
#include "util/json.h"

/* One thread's store handle; linked into the platform so close can reach
 * handles of threads that have not exited. */
struct plat_handle {
    struct mc_platform *p;
    struct mc_store *st;
    struct plat_handle *prev, *next;
};

/* An unlocked key, by its row id. */
struct plat_key {
    int64_t key_id;
    struct mc_key key;
    struct plat_key *next;
};

struct mc_platform {
    char *dsn;
    char *public_url;
    struct mc_ctxstore *contexts;
    struct mc_jsonld_cache *cache;
    const struct mc_fetcher *fetcher;
    const uint8_t *operator_key;
    const char *passphrase;
    const char *const *trusted;
    size_t ntrusted;
    pthread_key_t tls;
    pthread_mutex_t mu;          /* handles and keys */
    struct plat_handle *handles;
    struct plat_key *keys;
};

static void handle_unlink(struct plat_handle *h)
{
    struct mc_platform *p = h->p;

    if (h->prev)
        h->prev->next = h->next;
    else
        p->handles = h->next;
    if (h->next)
        h->next->prev = h->prev;
}

/* Thread exit: close this thread's handle. */
static void handle_destroy(void *v)
{
    struct plat_handle *h = v;
    struct mc_platform *p = h->p;

    pthread_mutex_lock(&p->mu);
    handle_unlink(h);
    pthread_mutex_unlock(&p->mu);
    mc_store_close(h->st);
    mc_free(h);
}

mcred_rc mc_platform_open(struct mc_platform **out, const struct mc_platform_conf *c,
                          struct mc_err *err)
{
    struct mc_platform *p;
    struct mc_store *st = NULL;
    size_t ul;
    mcred_rc rc;

    *out = NULL;
    if (!c->dsn || !c->dsn[0] || !c->public_url || !c->public_url[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "platform: a store and a public URL are needed");
    rc = mc_store_open(&st, c->dsn, err);   /* runs the migrations, once */
    mc_store_close(st);
    if (rc)
        return rc;
    p = mc_calloc(1, sizeof(*p));
    if (!p)
        return mc_err_set(err, MCRED_ERR_NOMEM, "platform: out of memory");
    p->dsn = mc_strdup(c->dsn);
    p->public_url = mc_strdup(c->public_url);
    if (!p->dsn || !p->public_url || pthread_key_create(&p->tls, handle_destroy) != 0) {
        mc_free(p->dsn);
        mc_free(p->public_url);
        mc_free(p);
        return mc_err_set(err, MCRED_ERR_NOMEM, "platform: out of memory");
    }
    ul = strlen(p->public_url);
    while (ul > 0 && p->public_url[ul - 1] == '/')
        p->public_url[--ul] = '\0';
    pthread_mutex_init(&p->mu, NULL);
    p->contexts = c->contexts;
    p->cache = c->cache;
    p->fetcher = c->fetcher;
    p->operator_key = c->operator_key;
    p->passphrase = c->passphrase;
    p->trusted = c->trusted;
    p->ntrusted = c->ntrusted;
    *out = p;
    return MCRED_OK;
}

void mc_platform_close(struct mc_platform *p)
{
    struct plat_key *k, *kn;
    struct plat_handle *h, *hn;

    if (!p)
        return;
    /* this thread's own handle, and any whose thread has not exited */
    pthread_setspecific(p->tls, NULL);
    for (h = p->handles; h; h = hn) {
        hn = h->next;
        mc_store_close(h->st);
        mc_free(h);
    }
    pthread_key_delete(p->tls);
    for (k = p->keys; k; k = kn) {
        kn = k->next;
        mc_key_clear(&k->key);
        mc_free(k);
    }
    pthread_mutex_destroy(&p->mu);
    mc_free(p->dsn);
    mc_free(p->public_url);
    mc_free(p);
}

const char *mc_platform_public_url(const struct mc_platform *p)
{
    return p->public_url;
}

mcred_rc mc_platform_store(struct mc_platform *p, struct mc_store **st, struct mc_err *err)
{
    struct plat_handle *h = pthread_getspecific(p->tls);
    mcred_rc rc;

    *st = NULL;
    if (h) {
        if (mc_store_in_transaction(h->st))
            (void)mc_store_rollback(h->st);
        *st = h->st;
        return MCRED_OK;
    }
    h = mc_calloc(1, sizeof(*h));
    if (!h)
        return mc_err_set(err, MCRED_ERR_NOMEM, "platform: out of memory");
    rc = mc_store_open(&h->st, p->dsn, err);
    if (rc) {
        mc_free(h);
        return rc;
    }
    h->p = p;
    if (pthread_setspecific(p->tls, h) != 0) {
        mc_store_close(h->st);
        mc_free(h);
        return mc_err_set(err, MCRED_ERR_NOMEM, "platform: out of memory");
    }
    pthread_mutex_lock(&p->mu);
    h->next = p->handles;
    if (h->next)
        h->next->prev = h;
    p->handles = h;
    pthread_mutex_unlock(&p->mu);
    *st = h->st;
    return MCRED_OK;
}

/* The unlocked key of row k, from the cache or unlocked now (outside the
 * lock: Argon2id takes a while; two threads racing both unlock, one keeps). */
static mcred_rc key_get(struct mc_platform *p, const struct mc_issuer_key *row,
                        struct mc_key *out, struct mc_err *err)
{
    struct mc_keyfile_lock lock = { p->passphrase, p->operator_key };
    struct plat_key *k;
    mcred_rc rc;

    pthread_mutex_lock(&p->mu);
    for (k = p->keys; k; k = k->next) {
        if (k->key_id == row->id) {
            rc = mc_key_copy(out, &k->key);
            pthread_mutex_unlock(&p->mu);
            return rc ? mc_err_set(err, rc, "platform: out of memory") : MCRED_OK;
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (!p->operator_key && !p->passphrase)
        return mc_err_set(err, MCRED_ERR_UNSUPPORTED,
                          "this server cannot sign: it was started without an operator key "
                          "(MCRED_KEY_FILE) or a passphrase (MCRED_PASSPHRASE)");
    if (p->operator_key)
        lock.passphrase = NULL;
    if (!row->key_file || !row->key_file[0])   /* a row with no sealed secret here */
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "issuer key %lld has no key file: its "
                          "secret is not held by this store", (long long)row->id);
    k = mc_calloc(1, sizeof(*k));
    if (!k)
        return mc_err_set(err, MCRED_ERR_NOMEM, "platform: out of memory");
    rc = mc_keyfile_read(row->key_file, strlen(row->key_file), &lock, &k->key, err);
    if (!rc)
        rc = mc_key_copy(out, &k->key);
    if (rc) {
        mc_key_clear(&k->key);
        mc_free(k);
        return rc;
    }
    k->key_id = row->id;
    pthread_mutex_lock(&p->mu);
    k->next = p->keys;
    p->keys = k;
    pthread_mutex_unlock(&p->mu);
    return MCRED_OK;
}

mcred_rc mc_platform_issuing(struct mc_platform *p, struct mc_store *st, int64_t org,
                             int64_t issuer_id, const char *actor,
                             struct mc_platform_issuer *out, struct mc_err *err)
{
    struct mc_store_list keys;
    struct mc_issuer_key *cur = NULL;
    mcred_rc rc;
    size_t i;

    memset(out, 0, sizeof(*out));
    memset(&keys, 0, sizeof(keys));
    if (issuer_id > 0) {
        rc = mc_store_issuer_get(st, org, issuer_id, &out->issuer, err);
    } else {
        struct mc_store_list all;

        rc = mc_store_issuer_list(st, org, &all, err);
        if (!rc && all.n == 0)
            rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "the organisation has no issuer yet");
        if (!rc) {
            /* take the first row: move its strings into out */
            out->issuer = ((struct mc_issuer *)all.rows)[0];
            memset(all.rows, 0, sizeof(struct mc_issuer));
        }
        mc_store_list_clear(&all);
    }
    if (rc)
        goto fail;
    rc = mc_store_key_list(st, org, out->issuer.id, &keys, err);
    if (rc)
        goto fail;
    for (i = 0; i < keys.n; i++) {
        struct mc_issuer_key *r = &((struct mc_issuer_key *)keys.rows)[i];

        if (!r->retired)
            cur = r;   /* oldest first: the last unretired one is the newest */
    }
    if (!cur) {
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND, "issuer %lld has no active signing key",
                        (long long)out->issuer.id);
        goto fail;
    }
    mc_strlcpy(out->vm_id, cur->vm_id, sizeof(out->vm_id));
    rc = key_get(p, cur, &out->key, err);
    if (rc)
        goto fail;
    mc_store_list_clear(&keys);
    out->is.st = st;
    out->is.org = org;
    out->is.issuer = &out->issuer;
    out->is.key = &out->key;
    out->is.vm_id = out->vm_id;
    out->is.public_url = p->public_url;
    out->is.contexts = p->contexts;
    out->is.cache = p->cache;
    out->is.actor = actor;
    out->is.suspension = mc_issue_suspension(st, org);
    return MCRED_OK;
fail:
    mc_store_list_clear(&keys);
    mc_platform_issuer_release(out);
    return rc;
}

void mc_platform_issuer_release(struct mc_platform_issuer *pi)
{
    mc_key_clear(&pi->key);
    mc_issuer_release(&pi->issuer);
    memset(pi, 0, sizeof(*pi));
}

mcred_rc mc_platform_sweep(struct mc_platform *p, struct mc_store *st, size_t *looked,
                           struct mc_err *err)
{
    struct mc_store_list orgs;
    const struct mc_org *o;
    mcred_rc rc, first = MCRED_OK;
    size_t i;

    if (looked)
        *looked = 0;
    rc = mc_store_org_list(st, &orgs, err);
    if (rc)
        return rc;
    o = orgs.rows;
    for (i = 0; i < orgs.n; i++) {
        struct mc_platform_issuer pi;
        struct mc_stacks_ctx c;
        struct mc_err e;
        size_t n = 0;
        bool signs;

        memset(&pi, 0, sizeof(pi));
        mc_err_clear(&e);
        signs = mc_platform_issuing(p, st, o[i].id, 0, "sweep", &pi, &e) == MCRED_OK;
        memset(&c, 0, sizeof(c));
        c.st = st;
        c.org = o[i].id;
        c.is = signs ? &pi.is : NULL;
        mc_err_clear(&e);
        rc = mc_stacks_sweep(&c, &n, &e);
        if (looked)
            *looked += n;
        if (rc && !first)
            first = mc_err_set(err, rc, "organisation %lld (%s): %s", (long long)o[i].id,
                               o[i].name ? o[i].name : "", mc_err_msg(&e));
        if (signs)
            mc_platform_issuer_release(&pi);
    }
    mc_store_list_clear(&orgs);
    return first;
}

bool mc_platform_keylock(const struct mc_platform *p, struct mc_keyfile_lock *out)
{
    out->operator_key = p->operator_key;
    out->passphrase = p->operator_key ? NULL : p->passphrase;
    return out->operator_key || out->passphrase;
}

void mc_platform_verify_opts(struct mc_platform *p, struct mc_store *st,
                             struct mc_platform_status *src, struct mc_verify_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->now = time(NULL);
    o->fetcher = p->fetcher;
    o->contexts = p->contexts;
    o->cache = p->cache;
    o->trusted = p->trusted;
    o->ntrusted = p->ntrusted;
    if (st) {
        mc_issue_status_source(&src->s, st, 0);
        o->status = &src->s.src;
    }
}

void mc_platform_token_hash(const char *token, char out[65])
{
    uint8_t h[MC_SHA256_BYTES];

    mc_sha256(token, strlen(token), h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

mcred_rc mc_platform_token_user(struct mc_store *st, const char *token, struct mc_user *out,
                                struct mc_err *err)
{
    char hash[65];
    size_t i, n = strlen(token);

    memset(out, 0, sizeof(*out));
    /* tokens are base64url text of a fixed size range; anything else is not one */
    if (n < 16 || n > 128)
        return mc_err_set(err, MCRED_ERR_NOTFOUND, "unknown token");
    for (i = 0; i < n; i++) {
        char c = token[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return mc_err_set(err, MCRED_ERR_NOTFOUND, "unknown token");
    }
    mc_platform_token_hash(token, hash);
    return mc_store_token_find(st, hash, out, err);
}
