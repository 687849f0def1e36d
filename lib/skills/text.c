/* text.c - the tokenizer and plural folding described in text.h.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include "skills/text.h"

void mc_tok_init(struct mc_tokenizer *t, const char *p, size_t n)
{
    t->p = p;
    t->n = p ? n : 0;
    t->pos = 0;
    t->fold = true;
}

/* The length of the character at p[i] (1 to 4 bytes; a stray or cut
 * sequence counts one byte at a time), and in *word whether it is part of a
 * word (a letter or a digit). U+2000..U+206F (General Punctuation: dashes,
 * quotes, bullets), U+00A0..U+00BF (no-break space, Latin-1 signs) and
 * U+00D7, U+00F7 separate words; other non-ASCII characters are letters. */
static size_t char_at(const unsigned char *p, size_t i, size_t n, bool *word)
{
    unsigned char c = p[i];
    size_t k = 1, j;

    if (c < 0x80) {
        *word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        return 1;
    }
    if (c >= 0xf0 && c <= 0xf4)
        k = 4;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3;
    else if (c >= 0xc2 && c <= 0xdf)
        k = 2;
    if (i + k > n)
        k = 1;
    for (j = 1; j < k; j++) {
        if ((p[i + j] & 0xc0) != 0x80) {
            k = 1;
            break;
        }
    }
    *word = !((k == 2 && c == 0xc2 && p[i + 1] >= 0xa0) ||
              (k == 2 && c == 0xc3 && (p[i + 1] == 0x97 || p[i + 1] == 0xb7)) ||
              (k == 3 && c == 0xe2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x81));
    return k;
}

/* Bytes of the character at p[i] when it is part of a word, else 0. */
static size_t word_char(const unsigned char *p, size_t i, size_t n)
{
    bool word;
    size_t k = char_at(p, i, n, &word);

    return word ? k : 0;
}

/* An apostrophe at p[i] (' or U+2019): its length, else 0. */
static size_t apostrophe(const unsigned char *p, size_t i, size_t n)
{
    if (p[i] == '\'')
        return 1;
    if (p[i] == 0xe2 && i + 2 < n && p[i + 1] == 0x80 && p[i + 2] == 0x99)
        return 3;
    return 0;
}

static bool ends(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Fold a regular English plural to its singular, in place. */
static void fold_plural(struct mc_word *t)
{
    char *s = t->text;
    size_t n = t->len, i;

    if (n < 4 || t->too_long)
        return;
    for (i = 0; i < n; i++) {
        if (s[i] < 'a' || s[i] > 'z')
            return;
    }
    if (ends(s, n, "ies") && n > 4) {
        s[n - 3] = 'y';
        n -= 2;
    } else if (ends(s, n, "sses") || ends(s, n, "ches") || ends(s, n, "shes") ||
               ends(s, n, "xes") || ends(s, n, "zzes")) {
        n -= 2;
    } else if (ends(s, n, "s") && !ends(s, n, "ss") && !ends(s, n, "us") && !ends(s, n, "is")) {
        n -= 1;
    }
    s[n] = '\0';
    t->len = n;
}

static void put(struct mc_word *t, const unsigned char *p, size_t k)
{
    size_t i;

    if (t->len + k > MC_TOKEN_MAX) {
        t->too_long = true;
        return;
    }
    for (i = 0; i < k; i++) {
        unsigned char c = p[i];

        if (k == 1 && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        /* Latin-1 capitals U+00C0..U+00DE (not U+00D7): C3 80..C3 9E */
        if (k == 2 && i == 1 && p[0] == 0xc3 && c >= 0x80 && c <= 0x9e && c != 0x97)
            c = (unsigned char)(c + 0x20);
        t->text[t->len++] = (char)c;
    }
    t->text[t->len] = '\0';
}

bool mc_tok_next(struct mc_tokenizer *t, struct mc_word *out)
{
    const unsigned char *p = (const unsigned char *)t->p;
    size_t i = t->pos, n = t->n, k;

    for (;;) {
        bool word = false;

        if (i >= n)
            break;
        k = char_at(p, i, n, &word);
        if (word)
            break;
        i += k;
    }
    if (i >= n) {
        t->pos = n;
        return false;
    }
    out->start = i;
    out->len = 0;
    out->too_long = false;
    out->text[0] = '\0';
    while (i < n) {
        k = word_char(p, i, n);
        if (k) {
            put(out, p + i, k);
            i += k;
            continue;
        }
        /* an apostrophe or '&' joins two word characters */
        k = apostrophe(p, i, n);
        if (!k && p[i] == '&')
            k = 1;
        if (k && i + k < n && word_char(p, i + k, n)) {
            if (p[i] == '&')
                put(out, p + i, 1);
            i += k;
            continue;
        }
        break;
    }
    /* '+' and '#' right after the word: "c++", "c#" */
    while (i < n && (p[i] == '+' || p[i] == '#') && i - out->start < 64) {
        put(out, p + i, 1);
        i++;
    }
    out->end = i;
    t->pos = i;
    if (t->fold)
        fold_plural(out);
    return true;
}

mcred_rc mc_text_norm(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    struct mc_tokenizer t;
    struct mc_word tok;
    size_t o = 0;

    if (len)
        *len = 0;
    if (cap == 0)
        return MCRED_ERR_LIMIT;
    out[0] = '\0';
    mc_tok_init(&t, s, n);
    while (mc_tok_next(&t, &tok)) {
        if (tok.too_long || o + (o > 0) + tok.len + 1 > cap) {
            out[0] = '\0';
            return MCRED_ERR_LIMIT;
        }
        if (o > 0)
            out[o++] = ' ';
        memcpy(out + o, tok.text, tok.len);
        o += tok.len;
    }
    out[o] = '\0';
    if (len)
        *len = o;
    return o ? MCRED_OK : MCRED_ERR_INVALID;
}
