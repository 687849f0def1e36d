/* png.c - baking into PNG: a chunk walker that checks the whole datastream
 * (signature, lengths, CRC-32, IHDR first, IEND last), reads the credential
 * from an iTXt chunk, and writes a new image whose only change is the baked
 * chunk. Pixels are never decoded: no libpng, only zlib's crc32() and a
 * bounded inflate for compressed iTXt written by other bakers.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <zlib.h>

#include "bake/bake_int.h"

#define PNG_SIG_LEN 8
#define PNG_MAX_LEN 0x7fffffffu   /* a chunk length is at most 2^31-1 (PNG §5.3) */
#define ITXT_MAX_KEYWORD 79

static const unsigned char sig[PNG_SIG_LEN] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

struct chunk {
    size_t off;                 /* offset of the length field */
    unsigned idx;               /* 0 for the first chunk */
    uint32_t len;               /* of the data */
    char type[5];               /* NUL-terminated */
    const unsigned char *data;  /* borrowed: len bytes */
};

/* Called for every chunk, IHDR and IEND included, once the chunk is known to
 * be whole and its CRC right. */
typedef mcred_rc (*chunk_fn)(void *ud, const struct chunk *c, struct mc_err *err);

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static bool is_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Check one chunk at p[off..n) and describe it in *c. */
static mcred_rc read_chunk(const unsigned char *p, size_t n, size_t off, unsigned idx,
                           struct chunk *c, struct mc_err *err)
{
    const unsigned char *t = p + off + 4;
    uint32_t stored, computed;

    if (n - off < 12)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: truncated: chunk %u at byte %zu needs at least 12 bytes, %zu left",
                          idx, off, n - off);
    c->off = off;
    c->idx = idx;
    c->len = be32(p + off);
    c->data = p + off + 8;   /* only read once the length is known to fit */
    if (!is_letter(t[0]) || !is_letter(t[1]) || !is_letter(t[2]) || !is_letter(t[3]))
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: chunk %u at byte %zu: type bytes %02x %02x %02x %02x are not "
                          "letters", idx, off, t[0], t[1], t[2], t[3]);
    memcpy(c->type, t, 4);
    c->type[4] = '\0';
    if (c->len > PNG_MAX_LEN)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: chunk %u ('%s') at byte %zu: length %lu is more than 2^31-1", idx,
                          c->type, off, (unsigned long)c->len);
    if (c->len > n - off - 12)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: truncated: chunk %u ('%s') at byte %zu declares %lu bytes of "
                          "data, %zu are left", idx, c->type, off, (unsigned long)c->len,
                          n - off - 12);
    stored = be32(c->data + c->len);
    computed = (uint32_t)crc32(crc32(0L, t, 4), c->data, (uInt)c->len);
    if (stored != computed)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: chunk %u ('%s') at byte %zu: CRC mismatch (stored %08lx, "
                          "computed %08lx)", idx, c->type, off, (unsigned long)stored,
                          (unsigned long)computed);
    return MCRED_OK;
}

/* Walk the whole datastream; fn sees every chunk in order. */
static mcred_rc walk(const unsigned char *p, size_t n, chunk_fn fn, void *ud, struct mc_err *err)
{
    struct chunk c;
    size_t off = PNG_SIG_LEN;
    unsigned idx = 0;
    mcred_rc rc;

    memset(&c, 0, sizeof(c));
    if (n < PNG_SIG_LEN || memcmp(p, sig, PNG_SIG_LEN) != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "png: no PNG signature");
    for (;;) {
        if (off == n)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "png: truncated: no IEND chunk after %u chunks (%zu bytes)", idx,
                              n);
        rc = read_chunk(p, n, off, idx, &c, err);
        if (rc)
            return rc;
        if (idx == 0 && (strcmp(c.type, "IHDR") != 0 || c.len != 13))
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "png: the first chunk is '%s' of %lu bytes, not a 13-byte IHDR",
                              c.type, (unsigned long)c.len);
        if (idx > 0 && strcmp(c.type, "IHDR") == 0)
            return mc_err_set(err, MCRED_ERR_INVALID, "png: a second IHDR chunk at byte %zu",
                              off);
        rc = fn(ud, &c, err);
        if (rc)
            return rc;
        off += 12 + (size_t)c.len;
        idx++;
        if (strcmp(c.type, "IEND") == 0)
            break;
    }
    if (c.len != 0)
        return mc_err_set(err, MCRED_ERR_INVALID, "png: the IEND chunk has %lu bytes of data",
                          (unsigned long)c.len);
    if (off != n)
        return mc_err_set(err, MCRED_ERR_INVALID, "png: %zu bytes after the IEND chunk",
                          n - off);
    return MCRED_OK;
}

/* --- iTXt -------------------------------------------------------------------------- */

/* The fields of a text chunk (iTXt, or tEXt with only keyword and text). */
struct text_chunk {
    char keyword[ITXT_MAX_KEYWORD + 1];
    int compressed;               /* iTXt compression flag */
    const unsigned char *text;    /* borrowed */
    size_t text_len;
};

/* Just the keyword (1-79 bytes then NUL); false when the chunk has none. */
static bool text_keyword(const struct chunk *c, char *kw, size_t *used)
{
    size_t i, max = c->len < ITXT_MAX_KEYWORD + 1 ? c->len : ITXT_MAX_KEYWORD + 1;

    for (i = 0; i < max; i++) {
        if (c->data[i] == '\0')
            break;
    }
    if (i == 0 || i == max)
        return false;
    memcpy(kw, c->data, i);
    kw[i] = '\0';
    *used = i + 1;
    return true;
}

/* Parse the rest of an iTXt chunk after its keyword (PNG §11.3.4.5). */
static mcred_rc itxt_fields(const struct chunk *c, size_t pos, struct text_chunk *t,
                            struct mc_err *err)
{
    const unsigned char *nul;
    int field;

    if (c->len - pos < 2)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: iTXt '%s' at byte %zu ends before its compression fields",
                          t->keyword, c->off);
    t->compressed = c->data[pos];
    if (t->compressed > 1 || c->data[pos + 1] != 0)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: iTXt '%s' at byte %zu: compression flag %d, method %d (want 0 or "
                          "1, and 0)", t->keyword, c->off, c->data[pos], c->data[pos + 1]);
    pos += 2;
    for (field = 0; field < 2; field++) {   /* language tag, translated keyword */
        nul = memchr(c->data + pos, '\0', c->len - pos);
        if (!nul)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "png: iTXt '%s' at byte %zu: the %s is not NUL-terminated",
                              t->keyword, c->off,
                              field == 0 ? "language tag" : "translated keyword");
        pos = (size_t)(nul - c->data) + 1;
    }
    t->text = c->data + pos;
    t->text_len = c->len - pos;
    return MCRED_OK;
}

/* Inflate the zlib stream p[0..n) into out, at most MC_BAKE_MAX_TEXT bytes. */
static mcred_rc inflate_text(const unsigned char *p, size_t n, const char *kw, struct mc_buf *out,
                             struct mc_err *err)
{
    z_stream zs;
    size_t step;
    int zr = Z_OK;
    mcred_rc rc = MCRED_OK;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK)
        return MCRED_ERR_NOMEM;
    zs.next_in = (Bytef *)(uintptr_t)p;   /* zlib does not write through next_in */
    zs.avail_in = (uInt)n;
    while (zr != Z_STREAM_END) {
        step = out->max - out->len < 65536 ? out->max - out->len : 65536;
        if (step == 0) {
            rc = mc_err_set(err, MCRED_ERR_LIMIT,
                            "png: compressed iTXt '%s' inflates to more than %zu bytes", kw,
                            out->max);
            break;
        }
        rc = mc_buf_grow(out, step);
        if (rc)
            break;
        zs.next_out = (Bytef *)out->ptr + out->len;
        zs.avail_out = (uInt)step;
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len += step - zs.avail_out;
        out->ptr[out->len] = '\0';
        if (zr == Z_MEM_ERROR) {
            rc = MCRED_ERR_NOMEM;
            break;
        }
        if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && zs.avail_in > 0)) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "png: compressed iTXt '%s': %s", kw,
                            zr == Z_BUF_ERROR ? "the zlib stream is truncated"
                                              : zs.msg ? zs.msg : "bad zlib data");
            break;
        }
    }
    if (!rc && zs.avail_in != 0)
        rc = mc_err_set(err, MCRED_ERR_INVALID,
                        "png: compressed iTXt '%s': %u bytes after the zlib stream", kw,
                        zs.avail_in);
    inflateEnd(&zs);
    return rc;
}

/* --- reading ------------------------------------------------------------------------ */

enum { SLOT_OB3, SLOT_OB2, SLOT_LEGACY, SLOT_N };

static const char *const slot_where[SLOT_N] = {
    "PNG iTXt 'openbadgecredential' chunk",
    "PNG iTXt 'openbadges' chunk",
    "PNG tEXt 'openbadges' chunk",
};

struct reader {
    bool found[SLOT_N];
    size_t at[SLOT_N];              /* chunk offsets, for messages */
    struct text_chunk t[SLOT_N];
};

static mcred_rc read_fn(void *ud, const struct chunk *c, struct mc_err *err)
{
    struct reader *r = ud;
    struct text_chunk t;
    size_t pos;
    int slot;
    mcred_rc rc;

    if (strcmp(c->type, "iTXt") != 0 && strcmp(c->type, "tEXt") != 0)
        return MCRED_OK;
    memset(&t, 0, sizeof(t));
    if (!text_keyword(c, t.keyword, &pos))
        return MCRED_OK;   /* someone else's malformed text chunk: not ours to judge */
    if (strcmp(c->type, "tEXt") == 0) {
        if (strcmp(t.keyword, MC_BAKE_OB2_KEYWORD) != 0)
            return MCRED_OK;
        slot = SLOT_LEGACY;
        t.text = c->data + pos;
        t.text_len = c->len - pos;
    } else {
        if (strcmp(t.keyword, MC_BAKE_OB3_KEYWORD) == 0)
            slot = SLOT_OB3;
        else if (strcmp(t.keyword, MC_BAKE_OB2_KEYWORD) == 0)
            slot = SLOT_OB2;
        else
            return MCRED_OK;
        rc = itxt_fields(c, pos, &t, err);
        if (rc)
            return rc;
    }
    if (r->found[slot])
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "png: two %ss (at bytes %zu and %zu); an image carries one credential",
                          slot_where[slot] + 4, r->at[slot], c->off);
    r->found[slot] = true;
    r->at[slot] = c->off;
    r->t[slot] = t;
    return MCRED_OK;
}

mcred_rc mc_bake_png_read(const unsigned char *p, size_t n, struct mc_baked *out,
                          struct mc_err *err)
{
    struct reader r;
    struct mc_buf b;
    const struct text_chunk *t;
    int slot;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    rc = walk(p, n, read_fn, &r, err);
    if (rc)
        return rc;
    for (slot = 0; slot < SLOT_N && !r.found[slot]; slot++)
        ;
    if (slot == SLOT_N)
        return mc_err_set(err, MCRED_ERR_NOTFOUND,
                          "png: no credential is baked in (no iTXt 'openbadgecredential' or "
                          "'openbadges' chunk)");
    t = &r.t[slot];
    if (!t->compressed)
        return mc_bake_found(out, MC_BAKE_IMAGE_PNG, slot == SLOT_OB3 ? 3 : 2, slot_where[slot],
                             (const char *)t->text, t->text_len, false, err);
    mc_buf_init(&b, MC_BAKE_MAX_TEXT);
    rc = inflate_text(t->text, t->text_len, t->keyword, &b, err);
    if (!rc)
        rc = mc_bake_found(out, MC_BAKE_IMAGE_PNG, slot == SLOT_OB3 ? 3 : 2, slot_where[slot],
                           b.ptr ? b.ptr : "", b.len, false, err);
    mc_buf_release(&b);
    return rc;
}

/* --- writing ------------------------------------------------------------------------ */

/* Copies every chunk except baked credentials; the new one goes before IEND. */
struct writer {
    const struct mc_bake_text *t;
    struct mc_buf *out;
    size_t removed;   /* bytes of baked chunks dropped */
    bool sizing;      /* first pass: only count */
};

/* A text chunk that carries a baked credential of either version. */
static bool is_baked(const struct chunk *c)
{
    char kw[ITXT_MAX_KEYWORD + 1];
    size_t used;

    if (strcmp(c->type, "iTXt") != 0 && strcmp(c->type, "tEXt") != 0 &&
        strcmp(c->type, "zTXt") != 0)
        return false;
    if (!text_keyword(c, kw, &used))
        return false;
    return strcmp(kw, MC_BAKE_OB3_KEYWORD) == 0 || strcmp(kw, MC_BAKE_OB2_KEYWORD) == 0;
}

/* The iTXt the spec asks for: keyword, flag 0, method 0, "" and "", text. */
static mcred_rc put_itxt(struct mc_buf *out, const struct mc_bake_text *t)
{
    const char *kw = t->version == 3 ? MC_BAKE_OB3_KEYWORD : MC_BAKE_OB2_KEYWORD;
    size_t kwlen = strlen(kw), start = out->len, len = kwlen + 5 + t->n;
    unsigned char hdr[8];
    static const unsigned char fields[5] = { 0, 0, 0, 0, 0 };   /* NUL, flag, method, "", "" */
    static const unsigned char type[4] = { 'i', 'T', 'X', 't' };
    uLong crc;
    mcred_rc rc;

    put_be32(hdr, (uint32_t)len);
    memcpy(hdr + 4, type, sizeof(type));
    rc = mc_buf_grow(out, 12 + len);
    if (rc)
        return rc;
    rc = mc_buf_append(out, hdr, 8);
    if (!rc)
        rc = mc_buf_append(out, kw, kwlen);
    if (!rc)
        rc = mc_buf_append(out, fields, sizeof(fields));
    if (!rc)
        rc = mc_buf_append(out, t->p, t->n);
    if (rc)
        return rc;
    crc = crc32(0L, (const Bytef *)out->ptr + start + 4, (uInt)(len + 4));
    put_be32(hdr, (uint32_t)crc);
    return mc_buf_append(out, hdr, 4);
}

static mcred_rc write_fn(void *ud, const struct chunk *c, struct mc_err *err)
{
    struct writer *w = ud;
    mcred_rc rc;

    (void)err;
    if (is_baked(c)) {
        w->removed += 12 + (size_t)c->len;
        return MCRED_OK;
    }
    if (w->sizing)
        return MCRED_OK;
    if (strcmp(c->type, "IEND") == 0) {
        rc = put_itxt(w->out, w->t);
        if (rc)
            return rc;
    }
    return mc_buf_append(w->out, c->data - 8, 12 + (size_t)c->len);
}

mcred_rc mc_bake_png_write(const unsigned char *p, size_t n, const struct mc_bake_text *t,
                           struct mc_buf *out, struct mc_err *err)
{
    struct writer w = { t, out, 0, true };
    const char *kw = t->version == 3 ? MC_BAKE_OB3_KEYWORD : MC_BAKE_OB2_KEYWORD;
    size_t total;
    mcred_rc rc;

    rc = walk(p, n, write_fn, &w, err);   /* check everything before writing anything */
    if (rc)
        return rc;
    total = n - w.removed + 12 + strlen(kw) + 5 + t->n;
    if (total > MC_BAKE_MAX_IMAGE)
        return mc_err_set(err, MCRED_ERR_LIMIT,
                          "png: the baked image would be %zu bytes, more than the limit of %zu",
                          total, MC_BAKE_MAX_IMAGE);
    rc = mc_buf_grow(out, total);
    if (rc)
        return rc == MCRED_ERR_LIMIT ? mc_err_set(err, rc, "png: the baked image of %zu bytes "
                                                  "does not fit the output buffer", total)
                                     : rc;
    w.sizing = false;
    w.removed = 0;
    rc = mc_buf_append(out, sig, PNG_SIG_LEN);
    if (!rc)
        rc = walk(p, n, write_fn, &w, err);
    return rc;
}
