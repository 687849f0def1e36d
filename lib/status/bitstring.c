/* bitstring.c - W3C Bitstring Status List v1.0: the bitstring and its
 * encodedList form (zlib gzip + multibase base64url), the list credential and
 * entry an issuer publishes, and the verifier's validate algorithm.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <zlib.h>

#include "status/bitstring.h"
#include "util/codec.h"
#include "util/time.h"

#define VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"

/* Largest max_bytes honoured by the decoder: keeps every length in zlib's
 * 32-bit counters. */
#define DECODE_CAP_CEILING ((size_t)1 << 30)

/* ---------------------------------------------------------------------------
 * the bitstring
 * ------------------------------------------------------------------------- */

static bool size_ok(unsigned s)
{
    return s >= 1 && s <= MC_STATUS_MAX_SIZE;
}

mcred_rc mc_bitstring_init(struct mc_bitstring *bs, size_t entries, unsigned status_size,
                           struct mc_err *err)
{
    uint64_t nbits;

    memset(bs, 0, sizeof(*bs));
    if (!size_ok(status_size))
        return mc_err_set(err, MCRED_ERR_INVALID, "statusSize %u is outside 1..%u", status_size,
                          MC_STATUS_MAX_SIZE);
    if (entries < MC_STATUS_MIN_ENTRIES)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "a status list needs at least %zu entries, not %zu",
                          MC_STATUS_MIN_ENTRIES, entries);
    if ((uint64_t)entries > (uint64_t)MC_STATUS_MAX_BYTES * 8 / status_size)
        return mc_err_set(err, MCRED_ERR_LIMIT,
                          "%zu entries of %u bits exceed the %zu-byte list limit", entries,
                          status_size, MC_STATUS_MAX_BYTES);
    nbits = (uint64_t)entries * status_size;
    bs->nbytes = (size_t)((nbits + 7) / 8);
    bs->bits = mc_calloc(bs->nbytes, 1);
    if (!bs->bits) {
        bs->nbytes = 0;
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate a %zu-entry status list",
                          entries);
    }
    bs->entries = entries;
    bs->status_size = status_size;
    return MCRED_OK;
}

void mc_bitstring_release(struct mc_bitstring *bs)
{
    if (!bs)
        return;
    mc_free(bs->bits);
    memset(bs, 0, sizeof(*bs));
}

/* Bit k of the list, left-most first. */
static unsigned bit_at(const uint8_t *b, uint64_t k)
{
    return (b[k >> 3] >> (7 - (unsigned)(k & 7))) & 1u;
}

mcred_rc mc_bitstring_set(struct mc_bitstring *bs, size_t index, unsigned value,
                          struct mc_err *err)
{
    uint64_t pos;
    unsigned k, s = bs->status_size;

    if (index >= bs->entries)
        return mc_err_set(err, MCRED_ERR_INVALID, "status index %zu is past the end of the "
                          "list (%zu entries)", index, bs->entries);
    if (value >> s)
        return mc_err_set(err, MCRED_ERR_INVALID, "status value %u does not fit in %u bits",
                          value, s);
    pos = (uint64_t)index * s;
    for (k = 0; k < s; k++, pos++) {
        uint8_t mask = (uint8_t)(0x80u >> (pos & 7));

        if ((value >> (s - 1 - k)) & 1u)
            bs->bits[pos >> 3] |= mask;
        else
            bs->bits[pos >> 3] &= (uint8_t)~mask;
    }
    return MCRED_OK;
}

mcred_rc mc_bitstring_get(const struct mc_bitstring *bs, size_t index, unsigned *value,
                          struct mc_err *err)
{
    uint64_t pos;
    unsigned k, v = 0;

    *value = 0;
    if (index >= bs->entries)
        return mc_err_set(err, MCRED_ERR_INVALID, "status index %zu is past the end of the "
                          "list (%zu entries)", index, bs->entries);
    pos = (uint64_t)index * bs->status_size;
    for (k = 0; k < bs->status_size; k++)
        v = (v << 1) | bit_at(bs->bits, pos + k);
    *value = v;
    return MCRED_OK;
}

/* ---------------------------------------------------------------------------
 * gzip through zlib, with the library's allocator (so fault injection reaches it)
 * ------------------------------------------------------------------------- */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mc_allocarray(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    mc_free(p);
}

static void z_setup(z_stream *zs)
{
    memset(zs, 0, sizeof(*zs));
    zs->zalloc = z_alloc;
    zs->zfree = z_free;
}

mcred_rc mc_bitstring_encode(const struct mc_bitstring *bs, struct mc_buf *out,
                             struct mc_err *err)
{
    z_stream zs;
    uint8_t *gz = NULL;
    size_t start = out->len;
    uLong bound;
    int zrc;
    mcred_rc rc;

    if (!bs->bits || bs->nbytes == 0 || bs->nbytes > MC_STATUS_MAX_BYTES)
        return mc_err_set(err, MCRED_ERR_INVALID, "cannot encode an empty status list");
    z_setup(&zs);
    /* windowBits 15 + 16: a gzip wrapper with a zeroed header (mtime 0, no name) */
    zrc = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK)
        return mc_err_set(err, zrc == Z_MEM_ERROR ? MCRED_ERR_NOMEM : MCRED_ERR_INTERNAL,
                          "cannot start gzip compression (zlib %d)", zrc);
    bound = deflateBound(&zs, (uLong)bs->nbytes);
    gz = mc_malloc(bound);
    if (!gz) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate %lu bytes for gzip output",
                        (unsigned long)bound);
        goto out;
    }
    zs.next_in = bs->bits;
    zs.avail_in = (uInt)bs->nbytes;
    zs.next_out = gz;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        rc = mc_err_set(err, zrc == Z_MEM_ERROR ? MCRED_ERR_NOMEM : MCRED_ERR_INTERNAL,
                        "gzip compression of the status list failed (zlib %d)", zrc);
        goto out;
    }
    rc = mc_multibase_encode(out, 'u', gz, zs.total_out);
    if (rc) {
        mc_err_set(err, rc, "cannot write the encodedList (%lu gzip bytes)", zs.total_out);
        if (out->ptr) {
            out->len = start;
            out->ptr[start] = '\0';
        }
    }
out:
    deflateEnd(&zs);
    mc_free(gz);
    return rc;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Room for the next stretch of output: double, up to limit. */
static mcred_rc grow_out(z_stream *zs, uint8_t **buf, size_t *cap, size_t limit,
                         struct mc_err *err)
{
    size_t ncap = *cap > limit / 2 ? limit : *cap * 2;
    uint8_t *nb = mc_realloc(*buf, ncap);

    if (!nb)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot grow the status list to %zu bytes",
                          ncap);
    *buf = nb;
    zs->next_out = nb + zs->total_out;
    zs->avail_out = (uInt)(ncap - zs->total_out);
    *cap = ncap;
    return MCRED_OK;
}

/* Design note: the gzip trailer's ISIZE (length mod 2^32) only sizes the
 * first allocation and is never trusted: output grows by doubling up to
 * max + 1 bytes, and a byte past max is MCRED_ERR_LIMIT. Rejecting a large
 * ISIZE up front would buy nothing (a bomb can lie about it) and would call a
 * truncated stream "too large"; the work is O(max) whatever the input. */
static mcred_rc gunzip(const uint8_t *in, size_t n, size_t max, uint8_t **outp, size_t *outlen,
                       struct mc_err *err)
{
    z_stream zs;
    uint8_t *buf = NULL;
    size_t cap, limit = max + 1, isize;
    int zrc;
    mcred_rc rc = MCRED_OK;

    if (n < 18 || in[0] != 0x1f || in[1] != 0x8b)
        return mc_err_set(err, MCRED_ERR_INVALID, "encodedList is not gzip data (%s)",
                          n < 18 ? "shorter than a gzip header and trailer" : "no 1f 8b magic");
    isize = le32(in + n - 4);
    cap = isize < MC_STATUS_MIN_BYTES || isize > max ? MC_STATUS_MIN_BYTES : isize + 1;
    if (cap > limit)
        cap = limit;
    buf = mc_malloc(cap);
    if (!buf)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate %zu bytes for a status list",
                          cap);
    z_setup(&zs);
    zrc = inflateInit2(&zs, 15 + 16);   /* gzip only, no zlib or raw deflate */
    if (zrc != Z_OK) {
        mc_free(buf);
        return mc_err_set(err, zrc == Z_MEM_ERROR ? MCRED_ERR_NOMEM : MCRED_ERR_INTERNAL,
                          "cannot start gzip decompression (zlib %d)", zrc);
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    for (;;) {
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END)
            break;
        if (zrc == Z_MEM_ERROR) {
            rc = mc_err_set(err, MCRED_ERR_NOMEM, "out of memory inflating the status list");
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR && zs.total_out > max) {
            rc = mc_err_set(err, MCRED_ERR_LIMIT, "encodedList decompresses past the limit of "
                            "%zu bytes", max);
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "corrupt gzip data in encodedList: %s",
                            zs.msg ? zs.msg : "unknown zlib error");
            goto out;
        }
        if (zs.avail_out == 0) {
            if (cap >= limit) {
                rc = mc_err_set(err, MCRED_ERR_LIMIT, "encodedList decompresses past the "
                                "limit of %zu bytes", max);
                goto out;
            }
            rc = grow_out(&zs, &buf, &cap, limit, err);
            if (rc)
                goto out;
        } else if (zs.avail_in == 0) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "gzip data in encodedList is truncated "
                            "after %lu bytes of output", zs.total_out);
            goto out;
        }
    }
    if (zs.total_out > max) {
        rc = mc_err_set(err, MCRED_ERR_LIMIT, "encodedList decompresses past the limit of %zu "
                        "bytes", max);
        goto out;
    }
    if (zs.avail_in != 0) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "%u bytes follow the gzip data in encodedList",
                        zs.avail_in);
        goto out;
    }
    *outp = buf;
    *outlen = zs.total_out;
    buf = NULL;
out:
    inflateEnd(&zs);
    mc_free(buf);
    return rc;
}

/* Decode without the minimum-length rule (the validate algorithm reports a
 * short list as STATUS_LIST_LENGTH_ERROR, not as malformed). */
/* Decoded lists remembered per thread: a verifier checks the same one or
 * two lists (revocation, suspension) of an issuer over and over, and
 * inflating 16 KB twice per credential was a quarter of its time. A hit
 * needs the very same encodedList text (compared byte for byte), so the
 * result is exactly what decoding it again would give. Small lists only. */
#define MEMO_SLOTS 4
#define MEMO_MAX_TEXT ((size_t)64 << 10)

struct memo_ent {
    char *text;          /* the encodedList, owned */
    size_t n;
    uint8_t *bits;       /* its decoded bytes, owned */
    size_t nbytes;
    unsigned long used;  /* last use, for eviction */
};

struct memo {
    struct memo_ent e[MEMO_SLOTS];
    unsigned long clock;
};

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static bool memo_ok;

static void memo_free(void *v)
{
    struct memo *m = v;
    size_t i;

    for (i = 0; i < MEMO_SLOTS; i++) {
        mc_free(m->e[i].text);
        mc_free(m->e[i].bits);
    }
    mc_free(m);
}

static void memo_init(void)
{
    memo_ok = pthread_key_create(&memo_key, memo_free) == 0;
}

static struct memo *memo_get(bool make)
{
    struct memo *m;

    pthread_once(&memo_once, memo_init);
    if (!memo_ok)
        return NULL;
    m = pthread_getspecific(memo_key);
    if (!m && make) {
        m = mc_calloc(1, sizeof(*m));
        if (m && pthread_setspecific(memo_key, m) != 0) {
            mc_free(m);
            m = NULL;
        }
    }
    return m;
}

/* A copy of the remembered decoding of s[0..n) within max, or false. */
static bool memo_find(const char *s, size_t n, size_t max, struct mc_bitstring *out)
{
    struct memo *m = n <= MEMO_MAX_TEXT ? memo_get(false) : NULL;
    size_t i;

    for (i = 0; m && i < MEMO_SLOTS; i++) {
        struct memo_ent *e = &m->e[i];

        if (e->text && e->n == n && e->nbytes <= max && memcmp(e->text, s, n) == 0) {
            out->bits = mc_malloc(e->nbytes);
            if (!out->bits)
                return false;   /* decode the slow way; it reports NOMEM itself */
            memcpy(out->bits, e->bits, e->nbytes);
            out->nbytes = e->nbytes;
            e->used = ++m->clock;
            return true;
        }
    }
    return false;
}

static void memo_put(const char *s, size_t n, const struct mc_bitstring *d)
{
    struct memo *m = n <= MEMO_MAX_TEXT ? memo_get(true) : NULL;
    struct memo_ent *e;
    char *text;
    uint8_t *bits;
    size_t i, victim = 0;

    if (!m)
        return;
    for (i = 1; i < MEMO_SLOTS; i++)
        if (m->e[i].used < m->e[victim].used)
            victim = i;
    text = mc_malloc(n);
    bits = mc_malloc(d->nbytes ? d->nbytes : 1);
    if (!text || !bits) {
        mc_free(text);
        mc_free(bits);
        return;   /* remembering is optional */
    }
    memcpy(text, s, n);
    memcpy(bits, d->bits, d->nbytes);
    e = &m->e[victim];
    mc_free(e->text);
    mc_free(e->bits);
    e->text = text;
    e->n = n;
    e->bits = bits;
    e->nbytes = d->nbytes;
    e->used = ++m->clock;
}

static mcred_rc decode_any(const char *s, size_t n, size_t max, struct mc_bitstring *out,
                           struct mc_err *err)
{
    struct mc_buf gz;
    size_t gzmax;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (max == 0)
        max = MC_STATUS_MAX_BYTES;
    if (max > DECODE_CAP_CEILING)
        max = DECODE_CAP_CEILING;
    if (n == 0 || s[0] != 'u')
        return mc_err_set(err, MCRED_ERR_INVALID, "encodedList is not multibase base64url "
                          "(it must start with 'u')");
    /* stored deflate blocks cost 5 bytes per 64 KB, the gzip header and
     * trailer 18; an eighth more leaves room for header fields */
    gzmax = max + max / 8 + 4096;
    if ((n - 1) / 4 > gzmax / 3 + 1)
        return mc_err_set(err, MCRED_ERR_LIMIT, "encodedList of %zu characters is longer than "
                          "any list within the %zu-byte limit", n, max);
    if (memo_find(s, n, max, out))
        return MCRED_OK;
    mc_buf_init(&gz, gzmax);
    rc = mc_b64url_decode(&gz, s + 1, n - 1);
    if (rc == MCRED_ERR_INVALID)
        rc = mc_err_set(err, rc, "encodedList is not base64url without padding");
    else if (rc)
        rc = mc_err_set(err, rc, "cannot decode the base64url of encodedList (%zu characters)",
                        n);
    if (!rc)
        rc = gunzip((const uint8_t *)gz.ptr, gz.len, max, &out->bits, &out->nbytes, err);
    mc_buf_release(&gz);
    if (rc)
        memset(out, 0, sizeof(*out));
    else
        memo_put(s, n, out);
    return rc;
}

mcred_rc mc_bitstring_decode(const char *s, size_t n, unsigned status_size, size_t max_bytes,
                             struct mc_bitstring *out, struct mc_err *err)
{
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    if (!size_ok(status_size))
        return mc_err_set(err, MCRED_ERR_INVALID, "statusSize %u is outside 1..%u", status_size,
                          MC_STATUS_MAX_SIZE);
    rc = decode_any(s, n, max_bytes, out, err);
    if (rc)
        return rc;
    if (out->nbytes < MC_STATUS_MIN_BYTES) {
        rc = mc_err_set(err, MCRED_ERR_INVALID, "the status list is %zu bytes, less than the "
                        "16 KB minimum", out->nbytes);
        mc_bitstring_release(out);
        return rc;
    }
    out->status_size = status_size;
    out->entries = (size_t)((uint64_t)out->nbytes * 8 / status_size);
    return MCRED_OK;
}

/* ---------------------------------------------------------------------------
 * what an issuer publishes
 * ------------------------------------------------------------------------- */

const char *mc_status_purpose_name(enum mc_status_purpose p)
{
    switch (p) {
    case MC_STATUS_PURPOSE_REVOCATION:
        return "revocation";
    case MC_STATUS_PURPOSE_SUSPENSION:
        return "suspension";
    case MC_STATUS_PURPOSE_MESSAGE:
        return "message";
    case MC_STATUS_PURPOSE_REFRESH:
        return "refresh";
    }
    return NULL;
}

/* Add member key = item to obj; item is deleted when that fails. */
static bool add(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool append(cJSON *arr, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool add_str(cJSON *obj, const char *key, const char *s)
{
    return add(obj, key, cJSON_CreateString(s));
}

static bool add_date(cJSON *obj, const char *key, time_t t)
{
    char buf[32];

    mc_time_format(t, buf);
    return add_str(obj, key, buf);
}

static cJSON *string_array2(const char *a, const char *b)
{
    cJSON *arr = cJSON_CreateArray();

    if (arr && append(arr, cJSON_CreateString(a)) && (!b || append(arr, cJSON_CreateString(b))))
        return arr;
    cJSON_Delete(arr);
    return NULL;
}

/* "url" + "#" + frag, owned (mc_free). */
static char *with_fragment(const char *url, const char *frag)
{
    size_t a = strlen(url), b = strlen(frag);
    char *s = mc_malloc(a + b + 2);

    if (!s)
        return NULL;
    memcpy(s, url, a);
    s[a] = '#';
    memcpy(s + a + 1, frag, b + 1);
    return s;
}

static cJSON *list_subject(const struct mc_status_list_desc *d, const char *encoded)
{
    cJSON *sub = cJSON_CreateObject();
    char *id = with_fragment(d->url, "list");
    bool ok;

    ok = sub && id && add_str(sub, "id", id) && add_str(sub, "type", "BitstringStatusList") &&
         add_str(sub, "statusPurpose", mc_status_purpose_name(d->purpose)) &&
         add_str(sub, "encodedList", encoded) &&
         (d->ttl_ms <= 0 || add(sub, "ttl", cJSON_CreateNumber((double)d->ttl_ms)));
    mc_free(id);
    if (ok)
        return sub;
    cJSON_Delete(sub);
    return NULL;
}

mcred_rc mc_status_list_credential(const struct mc_status_list_desc *d,
                                   const struct mc_bitstring *bs, cJSON **out,
                                   struct mc_err *err)
{
    struct mc_buf enc;
    cJSON *vc = NULL;
    bool ok;
    mcred_rc rc;

    *out = NULL;
    if (!d->url || !*d->url || !d->issuer || !*d->issuer)
        return mc_err_set(err, MCRED_ERR_INVALID, "a status list credential needs a url and an "
                          "issuer");
    if (!mc_status_purpose_name(d->purpose))
        return mc_err_set(err, MCRED_ERR_INVALID, "unknown status purpose %d", (int)d->purpose);
    if (d->ttl_ms < 0 || d->ttl_ms > ((long long)1 << 53))
        return mc_err_set(err, MCRED_ERR_INVALID, "ttl %lld ms is out of range", d->ttl_ms);
    mc_buf_init(&enc, 0);
    rc = mc_bitstring_encode(bs, &enc, err);
    if (rc)
        goto out;
    vc = cJSON_CreateObject();
    ok = vc && add(vc, "@context", string_array2(VC2_CONTEXT, NULL)) &&
         add_str(vc, "id", d->url) &&
         add(vc, "type", string_array2("VerifiableCredential", "BitstringStatusListCredential")) &&
         add_str(vc, "issuer", d->issuer) && add_date(vc, "validFrom", d->valid_from) &&
         (!d->valid_until || add_date(vc, "validUntil", d->valid_until)) &&
         add(vc, "credentialSubject", list_subject(d, enc.ptr));
    if (!ok) {
        rc = mc_err_set(err, MCRED_ERR_NOMEM, "cannot build the status list credential");
        goto out;
    }
    *out = vc;
    vc = NULL;
out:
    cJSON_Delete(vc);
    mc_buf_release(&enc);
    return rc;
}

static cJSON *status_messages(unsigned size, const char *const *messages)
{
    cJSON *arr = cJSON_CreateArray();
    unsigned i, n = 1u << size;
    char hex[16];

    if (!arr)
        return NULL;
    for (i = 0; i < n; i++) {
        cJSON *m = cJSON_CreateObject();

        snprintf(hex, sizeof(hex), "0x%x", i);
        if (!append(arr, m) || !add_str(m, "status", hex) ||
            !add_str(m, "message", messages[i])) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

mcred_rc mc_status_entry(const char *list_url, enum mc_status_purpose purpose, size_t index,
                         unsigned status_size, const char *const *messages, cJSON **out,
                         struct mc_err *err)
{
    cJSON *e;
    char idx[24], *id;
    unsigned i;
    bool ok;

    *out = NULL;
    if (!list_url || !*list_url)
        return mc_err_set(err, MCRED_ERR_INVALID, "a status entry needs the list url");
    if (!mc_status_purpose_name(purpose))
        return mc_err_set(err, MCRED_ERR_INVALID, "unknown status purpose %d", (int)purpose);
    if (!size_ok(status_size))
        return mc_err_set(err, MCRED_ERR_INVALID, "statusSize %u is outside 1..%u", status_size,
                          MC_STATUS_MAX_SIZE);
    if (status_size > 1 && !messages)
        return mc_err_set(err, MCRED_ERR_INVALID, "statusSize %u needs %u status messages",
                          status_size, 1u << status_size);
    for (i = 0; messages && i < (1u << status_size); i++) {
        if (!messages[i])
            return mc_err_set(err, MCRED_ERR_INVALID, "status message %u is missing", i);
    }
    snprintf(idx, sizeof(idx), "%zu", index);
    id = with_fragment(list_url, idx);
    e = cJSON_CreateObject();
    ok = id && e && add_str(e, "id", id) && add_str(e, "type", "BitstringStatusListEntry") &&
         add_str(e, "statusPurpose", mc_status_purpose_name(purpose)) &&
         add_str(e, "statusListIndex", idx) && add_str(e, "statusListCredential", list_url) &&
         (status_size == 1 || add(e, "statusSize", cJSON_CreateNumber(status_size))) &&
         (!messages || add(e, "statusMessage", status_messages(status_size, messages)));
    mc_free(id);
    if (!ok) {
        cJSON_Delete(e);
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot build the status entry");
    }
    *out = e;
    return MCRED_OK;
}

/* ---------------------------------------------------------------------------
 * what a verifier checks
 * ------------------------------------------------------------------------- */

const char *mc_status_outcome_name(enum mc_status_outcome o)
{
    static const char *const names[] = { "ok", "revoked", "suspended", "message", "flagged",
                                         "error" };

    return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "error";
}

const char *mc_status_error_name(enum mc_status_error e)
{
    static const char *const names[] = {
        "", "MALFORMED_VALUE_ERROR", "STATUS_RETRIEVAL_ERROR", "STATUS_VERIFICATION_ERROR",
        "STATUS_LIST_LENGTH_ERROR", "RANGE_ERROR", "STATUS_VALIDITY_ERROR",
        "UNSUPPORTED_STATUS_ERROR",
    };

    return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "";
}

/* One status list credential, fetched at most once per check. */
struct list_slot {
    const char *url;             /* borrowed from an entry */
    cJSON *doc;                  /* owned; NULL when get failed */
    mcred_rc get_rc;
    char get_msg[MC_ERRMSG_MAX];
    bool decoded;                /* decoding was tried */
    mcred_rc dec_rc;
    char dec_msg[MC_ERRMSG_MAX];
    struct mc_bitstring bs;      /* the bytes; status_size and entries unset */
};

struct list_cache {
    struct list_slot slot[MC_STATUS_MAX_ENTRIES];
    size_t n;
};

static void cache_release(struct list_cache *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        cJSON_Delete(c->slot[i].doc);
        mc_bitstring_release(&c->slot[i].bs);
    }
    c->n = 0;
}

/* The slot for url, fetching it the first time. NOMEM only. */
static mcred_rc cache_get(struct list_cache *c, const struct mc_status_source *src,
                          const char *url, struct list_slot **out)
{
    struct list_slot *s;
    struct mc_err e;
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->slot[i].url, url) == 0) {
            *out = &c->slot[i];
            return MCRED_OK;
        }
    }
    s = &c->slot[c->n++];   /* one entry adds at most one slot: n <= MC_STATUS_MAX_ENTRIES */
    memset(s, 0, sizeof(*s));
    s->url = url;
    mc_err_clear(&e);
    s->get_rc = src->get(src->ud, url, &s->doc, &e);
    if (s->get_rc == MCRED_OK && !s->doc)
        s->get_rc = mc_err_set(&e, MCRED_ERR_INTERNAL, "the status list source returned nothing");
    if (s->get_rc != MCRED_OK) {
        cJSON_Delete(s->doc);
        s->doc = NULL;
        snprintf(s->get_msg, sizeof(s->get_msg), "%s", mc_err_msg(&e));
    }
    *out = s;
    return s->get_rc == MCRED_ERR_NOMEM ? MCRED_ERR_NOMEM : MCRED_OK;
}

/* Record an error outcome; returns MCRED_OK so callers can `return fail(...)`. */
static mcred_rc fail(struct mc_status_result *r, enum mc_status_error e, const char *fmt, ...)
    MC_PRINTF(3, 4);

static mcred_rc fail(struct mc_status_result *r, enum mc_status_error e, const char *fmt, ...)
{
    va_list ap;

    r->outcome = MC_STATUS_ERROR;
    r->error = e;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    return MCRED_OK;
}

/* True when v is the string t, or an array holding it. */
static bool has_type(const cJSON *v, const char *t)
{
    return mc_json_has_str(v, t);
}

/* statusListIndex: 0 ok, 1 malformed, 2 too large for any list. */
static int parse_index(const cJSON *v, unsigned flags, uint64_t *out)
{
    const char *p;

    *out = 0;
    if (cJSON_IsNumber(v) && (flags & MC_STATUS_LENIENT_INDEX)) {
        double d = v->valuedouble;

        if (!(d >= 0) || d > 9007199254740992.0 || d != (double)(uint64_t)d)
            return 1;
        *out = (uint64_t)d;
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return 1;
    for (p = v->valuestring; *p; p++) {
        if (*p < '0' || *p > '9')
            return 1;
    }
    for (p = v->valuestring; *p; p++) {
        if (*out > (UINT64_MAX - 9) / 10)
            return 2;
        *out = *out * 10 + (uint64_t)(*p - '0');
    }
    return 0;
}

/* "0x" and 1..16 hex digits. */
static bool parse_hex_status(const char *s, uint64_t *out)
{
    size_t i;

    *out = 0;
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2] || strlen(s + 2) > 16)
        return false;
    for (i = 2; s[i]; i++) {
        char c = s[i];
        unsigned d;

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        *out = *out << 4 | d;
    }
    return true;
}

/* The entry's own fields (before any fetch): purpose, url, index, size,
 * statusMessage. Leaves r as an error when malformed. */
static void read_entry(const cJSON *e, unsigned flags, struct mc_status_result *r,
                       const cJSON **msgs)
{
    const cJSON *v;
    int ix;

    *msgs = NULL;
    r->size = 1;
    if (!cJSON_IsObject(e)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "a credentialStatus entry is not an object");
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(e, "type");
    if (!has_type(v, "BitstringStatusListEntry")) {
        fail(r, MC_STATUS_ERR_UNSUPPORTED, "status type '%.80s' is not supported (only "
             "BitstringStatusListEntry)", cJSON_IsString(v) ? v->valuestring : "(not a string)");
        return;
    }
    r->purpose = mc_json_str(e, "statusPurpose");
    r->list_url = mc_json_str(e, "statusListCredential");
    if (!r->purpose || !r->purpose[0]) {
        fail(r, MC_STATUS_ERR_MALFORMED, "statusPurpose is missing or not a string");
        return;
    }
    if (!r->list_url || !r->list_url[0]) {
        fail(r, MC_STATUS_ERR_MALFORMED, "statusListCredential is missing or not a string");
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(e, "id");
    if (v && (!cJSON_IsString(v) || strcmp(v->valuestring, r->list_url) == 0)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the entry's id must be a URL other than the status "
             "list's");
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(e, "statusListIndex");
    ix = parse_index(v, flags, &r->index);
    if (ix == 1) {
        fail(r, MC_STATUS_ERR_MALFORMED, "statusListIndex is %s, not a base-10 string",
             !v ? "missing" : cJSON_IsNumber(v) ? "a number" : "malformed");
        return;
    }
    r->has_index = ix == 0;
    if (ix == 2) {
        fail(r, MC_STATUS_ERR_RANGE, "statusListIndex '%.40s...' is too large for any list",
             v->valuestring);
        return;
    }
    v = cJSON_GetObjectItemCaseSensitive(e, "statusSize");
    if (v) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : 0;

        if (d > MC_STATUS_MAX_SIZE && d <= 9007199254740992.0 && d == (double)(uint64_t)d) {
            fail(r, MC_STATUS_ERR_UNSUPPORTED, "statusSize %g is larger than %u bits", d,
                 MC_STATUS_MAX_SIZE);
            return;
        }
        if (!(d >= 1) || d > MC_STATUS_MAX_SIZE || d != (double)(unsigned)d) {
            fail(r, MC_STATUS_ERR_MALFORMED, "statusSize is not an integer greater than zero");
            return;
        }
        r->size = (unsigned)d;
    }
    v = cJSON_GetObjectItemCaseSensitive(e, "statusMessage");
    if (!v && r->size > 1) {
        fail(r, MC_STATUS_ERR_MALFORMED, "statusSize %u needs a statusMessage array", r->size);
        return;
    }
    if (v) {
        const cJSON *m;
        int n = 0;
        uint64_t st;

        if (!cJSON_IsArray(v)) {
            fail(r, MC_STATUS_ERR_MALFORMED, "statusMessage is not an array");
            return;
        }
        cJSON_ArrayForEach(m, v) {
            if (++n > (1 << r->size) || !cJSON_IsObject(m) || !mc_json_str(m, "message") ||
                !parse_hex_status(mc_json_str(m, "status"), &st) || st >> r->size) {
                fail(r, MC_STATUS_ERR_MALFORMED, "statusMessage[%d] is not a {status: \"0x..\", "
                     "message} object for %u-bit values", n - 1, r->size);
                return;
            }
        }
        if (n != 1 << r->size) {
            fail(r, MC_STATUS_ERR_MALFORMED, "statusMessage has %d elements, not %d", n,
                 1 << r->size);
            return;
        }
        *msgs = v;
    }
}

/* The message of value in statusMessage (already validated), or NULL. */
static const char *message_of(const cJSON *msgs, unsigned value)
{
    const cJSON *m;
    uint64_t st;

    cJSON_ArrayForEach(m, msgs) {
        if (parse_hex_status(mc_json_str(m, "status"), &st) && st == value)
            return mc_json_str(m, "message");
    }
    return NULL;
}

static void copy_issuer(const cJSON *doc, struct mc_status_result *r)
{
    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(doc, "issuer");
    const char *id = cJSON_IsString(iss) ? iss->valuestring : mc_json_str(iss, "id");

    if (id)
        snprintf(r->list_issuer, sizeof(r->list_issuer), "%s", id);
}

/* The list credential's validity period against now. */
static bool list_dates_ok(const cJSON *doc, time_t now, struct mc_status_result *r)
{
    const char *from = mc_json_str(doc, "validFrom"), *until = mc_json_str(doc, "validUntil");
    time_t t;

    if ((cJSON_GetObjectItemCaseSensitive(doc, "validFrom") && !from) ||
        (from && mc_time_parse(from, false, &t) != MCRED_OK)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the status list's validFrom is not a date-time");
        return false;
    }
    if (from && t > now) {
        fail(r, MC_STATUS_ERR_VALIDITY, "the status list is not valid before %.40s", from);
        return false;
    }
    if ((cJSON_GetObjectItemCaseSensitive(doc, "validUntil") && !until) ||
        (until && mc_time_parse(until, false, &t) != MCRED_OK)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the status list's validUntil is not a date-time");
        return false;
    }
    if (until && t <= now) {
        fail(r, MC_STATUS_ERR_VALIDITY, "the status list expired at %.40s", until);
        return false;
    }
    return true;
}

/* The credential (already verified by the source) against the entry; returns
 * its credentialSubject, or NULL with r set to the error. */
static const cJSON *list_subject_checked(const struct list_slot *s,
                                         const struct mc_status_opts *o,
                                         struct mc_status_result *r)
{
    const cJSON *doc = s->doc, *sub, *v;
    const char *id = mc_json_str(doc, "id");

    copy_issuer(doc, r);
    if (!cJSON_IsObject(doc)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the status list at '%.200s' is not a JSON object",
             s->url);
        return NULL;
    }
    if (!has_type(cJSON_GetObjectItemCaseSensitive(doc, "type"),
                  "BitstringStatusListCredential")) {
        fail(r, MC_STATUS_ERR_VERIFICATION, "'%.200s' is not a BitstringStatusListCredential",
             s->url);
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(doc, "id") && (!id || strcmp(id, s->url) != 0)) {
        fail(r, MC_STATUS_ERR_VERIFICATION, "the status list at '%.120s' names itself "
             "'%.120s'", s->url, id ? id : "(not a string)");
        return NULL;
    }
    if (!list_dates_ok(doc, o->now, r))
        return NULL;
    sub = cJSON_GetObjectItemCaseSensitive(doc, "credentialSubject");
    if (cJSON_IsArray(sub) && cJSON_GetArraySize(sub) == 1)
        sub = cJSON_GetArrayItem(sub, 0);
    if (!cJSON_IsObject(sub) ||
        !has_type(cJSON_GetObjectItemCaseSensitive(sub, "type"), "BitstringStatusList")) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the credentialSubject of '%.200s' is not one "
             "BitstringStatusList", s->url);
        return NULL;
    }
    v = cJSON_GetObjectItemCaseSensitive(sub, "statusPurpose");
    if (!cJSON_IsString(v) && !cJSON_IsArray(v)) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the status list '%.200s' has no statusPurpose",
             s->url);
        return NULL;
    }
    if (!mc_json_has_str(v, r->purpose)) {
        fail(r, MC_STATUS_ERR_VERIFICATION, "the entry's statusPurpose '%.60s' is not a "
             "purpose of the status list '%.200s'", r->purpose, s->url);
        return NULL;
    }
    v = cJSON_GetObjectItemCaseSensitive(sub, "statusSize");
    if (v && (!cJSON_IsNumber(v) || v->valuedouble != (double)r->size)) {
        fail(r, MC_STATUS_ERR_VERIFICATION, "the status list's statusSize differs from the "
             "entry's (%u)", r->size);
        return NULL;
    }
    if (!mc_json_str(sub, "encodedList")) {
        fail(r, MC_STATUS_ERR_MALFORMED, "the status list '%.200s' has no encodedList string",
             s->url);
        return NULL;
    }
    return sub;
}

/* Decode the slot's list once. NOMEM only. */
static mcred_rc slot_decode(struct list_slot *s, const char *enc)
{
    struct mc_err e;

    if (s->decoded)
        return MCRED_OK;
    s->decoded = true;
    mc_err_clear(&e);
    s->dec_rc = decode_any(enc, strlen(enc), 0, &s->bs, &e);
    snprintf(s->dec_msg, sizeof(s->dec_msg), "%s", mc_err_msg(&e));
    return s->dec_rc == MCRED_ERR_NOMEM ? MCRED_ERR_NOMEM : MCRED_OK;
}

static void set_outcome(struct mc_status_result *r, const cJSON *msgs)
{
    const char *p = r->purpose;

    if (msgs)
        r->message = message_of(msgs, r->value);
    if (strcmp(p, "message") == 0)
        r->outcome = MC_STATUS_MESSAGE;
    else if (r->value == 0)
        r->outcome = MC_STATUS_OK;
    else if (strcmp(p, "revocation") == 0)
        r->outcome = MC_STATUS_REVOKED;
    else if (strcmp(p, "suspension") == 0)
        r->outcome = MC_STATUS_SUSPENDED;
    else
        r->outcome = MC_STATUS_FLAGGED;
    snprintf(r->reason, sizeof(r->reason), "%s: status 0x%x%s%.60s%s at index %" PRIu64
             " of '%.160s'", mc_status_outcome_name(r->outcome), r->value,
             r->message ? " (" : "", r->message ? r->message : "", r->message ? ")" : "",
             r->index, r->list_url);
}

/* One entry. NOMEM only; everything else is recorded in r. */
static mcred_rc check_one(const cJSON *e, const struct mc_status_opts *o, struct list_cache *c,
                          struct mc_status_result *r)
{
    struct list_slot *s;
    struct mc_bitstring view;
    const cJSON *msgs, *sub;
    mcred_rc rc;

    read_entry(e, o->flags, r, &msgs);
    if (r->outcome == MC_STATUS_ERROR)
        return MCRED_OK;
    rc = cache_get(c, o->src, r->list_url, &s);
    if (rc)
        return rc;
    if (s->get_rc == MCRED_ERR_VERIFY)
        return fail(r, MC_STATUS_ERR_VERIFICATION, "the status list '%.160s' did not verify: "
                    "%.120s", r->list_url, s->get_msg);
    if (s->get_rc)
        return fail(r, MC_STATUS_ERR_RETRIEVAL, "cannot get the status list '%.160s': %.120s",
                    r->list_url, s->get_msg);
    sub = list_subject_checked(s, o, r);
    if (!sub)
        return MCRED_OK;
    rc = slot_decode(s, mc_json_str(sub, "encodedList"));
    if (rc)
        return rc;
    if (s->dec_rc)
        return fail(r, MC_STATUS_ERR_MALFORMED, "the encodedList of '%.160s': %.140s",
                    r->list_url, s->dec_msg);
    view = s->bs;
    view.status_size = r->size;
    view.entries = (size_t)((uint64_t)view.nbytes * 8 / r->size);
    if (view.entries < MC_STATUS_MIN_ENTRIES)
        return fail(r, MC_STATUS_ERR_LENGTH, "the status list '%.160s' holds %zu entries of "
                    "%u bits, fewer than the minimum %zu", r->list_url, view.entries, r->size,
                    MC_STATUS_MIN_ENTRIES);
    if (r->index >= view.entries)
        return fail(r, MC_STATUS_ERR_RANGE, "statusListIndex %" PRIu64 " is past the end of "
                    "the status list '%.160s' (%zu entries)", r->index, r->list_url,
                    view.entries);
    if (mc_bitstring_get(&view, (size_t)r->index, &r->value, NULL) != MCRED_OK)
        return fail(r, MC_STATUS_ERR_RANGE, "statusListIndex %" PRIu64 " is out of range",
                    r->index);
    set_outcome(r, msgs);
    return MCRED_OK;
}

mcred_rc mc_status_check(const cJSON *credential_status, const struct mc_status_opts *o,
                         struct mc_status_result res[MC_STATUS_MAX_ENTRIES], size_t *nres,
                         struct mc_err *err)
{
    struct list_cache *c;
    const cJSON *entries[MC_STATUS_MAX_ENTRIES], *e;
    size_t n = 0, i;
    mcred_rc rc = MCRED_OK;

    *nres = 0;
    if (!o || !o->src || !o->src->get)
        return mc_err_set(err, MCRED_ERR_INVALID, "no status list source to check against");
    if (cJSON_IsObject(credential_status)) {
        entries[n++] = credential_status;
    } else if (cJSON_IsArray(credential_status)) {
        cJSON_ArrayForEach(e, credential_status) {
            if (n == MC_STATUS_MAX_ENTRIES)
                return mc_err_set(err, MCRED_ERR_LIMIT, "credentialStatus has more than %d "
                                  "entries", MC_STATUS_MAX_ENTRIES);
            entries[n++] = e;
        }
    }
    if (n == 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "credentialStatus is not an object or a "
                          "non-empty array");
    c = mc_malloc(sizeof(*c));
    if (!c)
        return mc_err_set(err, MCRED_ERR_NOMEM, "cannot allocate the status list cache");
    c->n = 0;
    for (i = 0; i < n && !rc; i++) {
        memset(&res[i], 0, sizeof(res[i]));
        rc = check_one(entries[i], o, c, &res[i]);
    }
    cache_release(c);
    mc_free(c);
    if (rc)
        return mc_err_set(err, rc, "out of memory checking credentialStatus");
    *nres = n;
    return MCRED_OK;
}
