/* codec.c - base64url/base64 and hex (through libsodium's constant-time
 * codecs), base58btc, multibase and varints.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>

#include "util/codec.h"

static mcred_rc b64_encode(struct mc_buf *out, const void *p, size_t n, int variant)
{
    size_t need;
    mcred_rc rc;

    if (n > (SIZE_MAX / 4) - 4)
        return MCRED_ERR_LIMIT;
    need = sodium_base64_encoded_len(n, variant);
    rc = mc_buf_grow(out, need);
    if (rc)
        return rc;
    sodium_bin2base64(out->ptr + out->len, need, p, n, variant);
    out->len += strlen(out->ptr + out->len);
    return MCRED_OK;
}

static mcred_rc b64_decode(struct mc_buf *out, const char *s, size_t n, int variant)
{
    size_t bin_len = 0, room = n / 4 * 3 + 3;
    mcred_rc rc;

    rc = mc_buf_grow(out, room);
    if (rc)
        return rc;
    if (sodium_base642bin((unsigned char *)out->ptr + out->len, room, s, n, NULL, &bin_len,
                          NULL, variant) != 0)
        return MCRED_ERR_INVALID;
    out->len += bin_len;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

mcred_rc mc_b64url_encode(struct mc_buf *out, const void *p, size_t n)
{
    return b64_encode(out, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

mcred_rc mc_b64url_decode(struct mc_buf *out, const char *s, size_t n)
{
    return b64_decode(out, s, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

mcred_rc mc_b64_encode(struct mc_buf *out, const void *p, size_t n)
{
    return b64_encode(out, p, n, sodium_base64_VARIANT_ORIGINAL);
}

mcred_rc mc_b64_decode(struct mc_buf *out, const char *s, size_t n)
{
    return b64_decode(out, s, n, sodium_base64_VARIANT_ORIGINAL);
}

static const char b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Design note: base58 is a change of radix, quadratic in the length. Working
 * in limbs of 58^5 (< 2^30) on one side and 2^32 on the other does five
 * characters and four bytes per step, about 20 times fewer operations than
 * digit by digit; keys (34 bytes) and signatures (64) take well under a
 * microsecond. */
#define B58_POW5 656356768u   /* 58^5 */

mcred_rc mc_base58_encode(struct mc_buf *out, const void *p, size_t n)
{
    const uint8_t *in = p;
    uint32_t big[MC_BASE58_MAX / 3 + 2];   /* base 58^5 digits, least significant first */
    size_t zeros = 0, nbig = 0, i, j, start, nchars;
    char tmp[MC_BASE58_MAX * 138 / 100 + 8];
    mcred_rc rc;

    if (n > MC_BASE58_MAX)
        return MCRED_ERR_LIMIT;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    /* feed the bytes 32 bits at a time (the first chunk may be shorter) */
    i = zeros;
    while (i < n) {
        size_t take = (n - i) % 4 ? (n - i) % 4 : 4;
        uint64_t carry = 0;
        unsigned shift = (unsigned)take * 8;

        for (j = 0; j < take; j++)
            carry = (carry << 8) | in[i + j];
        i += take;
        for (j = 0; j < nbig; j++) {
            uint64_t t = ((uint64_t)big[j] << shift) | carry;

            big[j] = (uint32_t)(t % B58_POW5);
            carry = t / B58_POW5;
        }
        while (carry) {
            big[nbig++] = (uint32_t)(carry % B58_POW5);
            carry /= B58_POW5;
        }
    }
    /* each big digit is five base58 characters; write them most significant first */
    nchars = 0;
    for (j = nbig; j-- > 0;) {
        uint32_t d = big[j];
        char five[5];
        int k;

        for (k = 4; k >= 0; k--) {
            five[k] = b58_alphabet[d % 58];
            d /= 58;
        }
        memcpy(tmp + nchars, five, 5);
        nchars += 5;
    }
    start = 0;
    while (start < nchars && tmp[start] == '1')
        start++;  /* leading zero digits of the top limb are not characters */
    rc = mc_buf_grow(out, zeros + nchars - start);
    if (rc)
        return rc;
    memset(out->ptr + out->len, '1', zeros);
    out->len += zeros;
    memcpy(out->ptr + out->len, tmp + start, nchars - start);
    out->len += nchars - start;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

static int b58_value(unsigned char c)
{
    static signed char table[256];
    static bool ready;   /* benign race: every thread writes the same values */

    if (!ready) {
        int i;

        memset(table, -1, sizeof(table));
        for (i = 0; b58_alphabet[i]; i++)
            table[(unsigned char)b58_alphabet[i]] = (signed char)i;
        ready = true;
    }
    return table[c];
}

mcred_rc mc_base58_decode(struct mc_buf *out, const char *s, size_t n)
{
    uint32_t limbs[MC_BASE58_MAX / 4 + 2];   /* base 2^32, least significant first */
    size_t zeros = 0, nlimbs = 0, i, j, nbytes, skip;
    uint8_t bytes[MC_BASE58_MAX + 8];
    mcred_rc rc;

    if (n > MC_BASE58_MAX * 138 / 100 + 1)
        return MCRED_ERR_LIMIT;
    while (zeros < n && s[zeros] == '1')
        zeros++;
    for (i = zeros; i < n;) {
        uint64_t mul = 1, carry = 0;
        size_t k;

        for (k = 0; k < 5 && i < n; k++, i++) {
            int v = b58_value((unsigned char)s[i]);

            if (v < 0)
                return MCRED_ERR_INVALID;
            carry = carry * 58 + (uint64_t)v;
            mul *= 58;
        }
        for (j = 0; j < nlimbs; j++) {
            uint64_t t = (uint64_t)limbs[j] * mul + carry;

            limbs[j] = (uint32_t)t;
            carry = t >> 32;
        }
        while (carry) {
            if (nlimbs == sizeof(limbs) / sizeof(limbs[0]))
                return MCRED_ERR_LIMIT;
            limbs[nlimbs++] = (uint32_t)carry;
            carry >>= 32;
        }
    }
    nbytes = nlimbs * 4;
    for (j = 0; j < nlimbs; j++) {
        uint32_t l = limbs[nlimbs - 1 - j];

        bytes[4 * j] = (uint8_t)(l >> 24);
        bytes[4 * j + 1] = (uint8_t)(l >> 16);
        bytes[4 * j + 2] = (uint8_t)(l >> 8);
        bytes[4 * j + 3] = (uint8_t)l;
    }
    skip = 0;
    while (skip < nbytes && bytes[skip] == 0)
        skip++;
    if (zeros + nbytes - skip > MC_BASE58_MAX)
        return MCRED_ERR_LIMIT;
    rc = mc_buf_grow(out, zeros + nbytes - skip);
    if (rc)
        return rc;
    memset(out->ptr + out->len, 0, zeros);
    out->len += zeros;
    memcpy(out->ptr + out->len, bytes + skip, nbytes - skip);
    out->len += nbytes - skip;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

mcred_rc mc_multibase_decode(struct mc_buf *out, const char *s, size_t n)
{
    if (n < 2)
        return MCRED_ERR_INVALID;
    switch (s[0]) {
    case 'z':
        return mc_base58_decode(out, s + 1, n - 1);
    case 'u':
        return mc_b64url_decode(out, s + 1, n - 1);
    default:
        return MCRED_ERR_UNSUPPORTED;
    }
}

mcred_rc mc_multibase_encode(struct mc_buf *out, char base, const void *p, size_t n)
{
    mcred_rc rc;

    if (base != 'z' && base != 'u')
        return MCRED_ERR_UNSUPPORTED;
    rc = mc_buf_appendc(out, base);
    if (rc)
        return rc;
    return base == 'z' ? mc_base58_encode(out, p, n) : mc_b64url_encode(out, p, n);
}

mcred_rc mc_varint_decode(const uint8_t *p, size_t n, uint64_t *val, size_t *used)
{
    uint64_t v = 0;
    size_t i;

    *val = 0;
    *used = 0;
    for (i = 0; i < n && i < 9; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (i > 0 && p[i] == 0)
                return MCRED_ERR_INVALID; /* not minimal */
            *val = v;
            *used = i + 1;
            return MCRED_OK;
        }
    }
    return MCRED_ERR_INVALID;
}

mcred_rc mc_varint_encode(struct mc_buf *out, uint64_t val)
{
    uint8_t tmp[10];
    size_t n = 0;

    if (val >> 63)
        return MCRED_ERR_INVALID;
    do {
        tmp[n] = (uint8_t)(val & 0x7f);
        val >>= 7;
        if (val)
            tmp[n] |= 0x80;
        n++;
    } while (val);
    return mc_buf_append(out, tmp, n);
}

mcred_rc mc_hex_encode(struct mc_buf *out, const void *p, size_t n)
{
    mcred_rc rc;

    if (n > SIZE_MAX / 2 - 1)
        return MCRED_ERR_LIMIT;
    rc = mc_buf_grow(out, n * 2);
    if (rc)
        return rc;
    sodium_bin2hex(out->ptr + out->len, n * 2 + 1, p, n);
    out->len += n * 2;
    return MCRED_OK;
}

mcred_rc mc_hex_decode(struct mc_buf *out, const char *s, size_t n)
{
    size_t bin_len = 0;
    mcred_rc rc;

    if (n % 2)
        return MCRED_ERR_INVALID;
    rc = mc_buf_grow(out, n / 2);
    if (rc)
        return rc;
    if (sodium_hex2bin((unsigned char *)out->ptr + out->len, n / 2, s, n, NULL, &bin_len,
                       NULL) != 0 || bin_len != n / 2)
        return MCRED_ERR_INVALID;
    out->len += bin_len;
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

bool mc_jws_shape(const char *p, size_t n, size_t *dot1, size_t *dot2)
{
    size_t i, dots = 0, at[2] = { 0, 0 };

    for (i = 0; i < n; i++) {
        char c = p[i];

        if (c == '.') {
            if (dots == 2)
                return false;
            at[dots++] = i;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return false;
        }
    }
    if (dots != 2)
        return false;
    if (dot1)
        *dot1 = at[0];
    if (dot2)
        *dot2 = at[1];
    return true;
}
