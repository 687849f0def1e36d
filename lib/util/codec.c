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

mcred_rc mc_base58_encode(struct mc_buf *out, const void *p, size_t n)
{
    const uint8_t *in = p;
    uint8_t digits[MC_BASE58_MAX * 138 / 100 + 1];
    size_t zeros = 0, ndig = 0, i, j;
    mcred_rc rc;

    if (n > MC_BASE58_MAX)
        return MCRED_ERR_LIMIT;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    for (i = zeros; i < n; i++) {
        unsigned carry = in[i];

        for (j = 0; j < ndig; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            digits[ndig++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    rc = mc_buf_grow(out, zeros + ndig);
    if (rc)
        return rc;
    for (i = 0; i < zeros; i++)
        out->ptr[out->len++] = '1';
    for (i = 0; i < ndig; i++)
        out->ptr[out->len++] = b58_alphabet[digits[ndig - 1 - i]];
    out->ptr[out->len] = '\0';
    return MCRED_OK;
}

static int b58_value(unsigned char c)
{
    const char *q;

    if (c == 0)
        return -1;
    q = strchr(b58_alphabet, c);
    return q ? (int)(q - b58_alphabet) : -1;
}

mcred_rc mc_base58_decode(struct mc_buf *out, const char *s, size_t n)
{
    uint8_t bytes[MC_BASE58_MAX];
    size_t zeros = 0, nbytes = 0, i, j;
    mcred_rc rc;

    if (n > MC_BASE58_MAX * 138 / 100 + 1)
        return MCRED_ERR_LIMIT;
    while (zeros < n && s[zeros] == '1')
        zeros++;
    for (i = zeros; i < n; i++) {
        int v = b58_value((unsigned char)s[i]);
        unsigned carry;

        if (v < 0)
            return MCRED_ERR_INVALID;
        carry = (unsigned)v;
        for (j = 0; j < nbytes; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        while (carry) {
            if (nbytes == sizeof(bytes))
                return MCRED_ERR_LIMIT;
            bytes[nbytes++] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
    }
    rc = mc_buf_grow(out, zeros + nbytes);
    if (rc)
        return rc;
    memset(out->ptr + out->len, 0, zeros);
    out->len += zeros;
    for (i = 0; i < nbytes; i++)
        out->ptr[out->len++] = (char)bytes[nbytes - 1 - i];
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
