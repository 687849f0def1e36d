/* test_rows.c - the bulk-input readers (lib/service/rows.c): table-driven
 * CSV and JSON Lines cases with exact row numbers, lines and messages, each
 * read in several chunk sizes; round trips of RFC 4180 quoting; binary
 * garbage; duplicate keys; a generated stream of 200 MB (2 GB with
 * MCRED_TEST_BIG=1) read in bounded memory; and allocation failures.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "service/rows.h"

#define ACH "https://example.org/achievements/1"

/* ---- readers ------------------------------------------------------------------- */

/* A memory reader handing out at most `chunk` bytes a call, failing with -1
 * once `fail_at` bytes were read (when fail_at > 0). */
struct memsrc {
    const char *p;
    size_t n, pos, chunk, fail_at;
};

static long mem_read(void *ud, void *buf, size_t n)
{
    struct memsrc *m = ud;
    size_t k = m->n - m->pos;

    if (m->fail_at && m->pos >= m->fail_at)
        return -1;
    if (k > n)
        k = n;
    if (m->chunk && k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (long)k;
}

/* ---- transcripts ------------------------------------------------------------------ */

/* A growing text buffer (the test's own malloc, not the library's). */
struct text {
    char *p;
    size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) MC_PRINTF(2, 3);
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int k;

    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (k >= 0 && t->p && (size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k + 256;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
}

static const char *rc_name(mcred_rc rc)
{
    switch (rc) {
    case MCRED_OK: return "OK";
    case MCRED_ERR_NOMEM: return "NOMEM";
    case MCRED_ERR_INVALID: return "INVALID";
    case MCRED_ERR_NOTFOUND: return "NOTFOUND";
    case MCRED_ERR_LIMIT: return "LIMIT";
    case MCRED_ERR_IO: return "IO";
    default: return "OTHER";
    }
}

static void add_field(struct text *t, const char *tag, const char *v)
{
    if (v)
        add(t, " %s=[%s]", tag, v);
}

/* Read the whole input and describe every call, one line each:
 *   "N@L r=[..] n=[..] k=[..] v=[..] e=[..]"   a row (number N, line L)
 *   "INVALID N@L: message"                     a bad row
 *   "END", or "LIMIT: message" etc.            the end
 * An open failure is "OPEN <rc>: message". Checks along the way that row
 * numbers count up, that bad rows carry no strings and that the end repeats. */
static char *transcript(enum mc_rows_format f, const char *in, size_t n, size_t chunk,
                        const char *ach, size_t fail_at)
{
    struct memsrc m = { in, n, 0, chunk, fail_at };
    struct mc_reader r = { mem_read, &m };
    struct text t = { NULL, 0, 0 };
    struct mc_rows *rs = NULL;
    struct mc_row row;
    struct mc_err err;
    size_t expect = 1;
    mcred_rc rc;

    add(&t, "%s", "");
    rc = mc_rows_open(&rs, f, &r, &err);
    if (rc) {
        CHECK(rs == NULL, "failed open leaves *out NULL");
        add(&t, "OPEN %s: %s\n", rc_name(rc), err.msg);
        return t.p;
    }
    if (ach) {
        rc = mc_rows_set_achievement(rs, ach, &err);
        if (rc) {
            add(&t, "ACH %s: %s\n", rc_name(rc), err.msg);
            mc_rows_free(rs);
            return t.p;
        }
    }
    for (;;) {
        rc = mc_rows_next(rs, &row, &err);
        if (rc == MCRED_OK || rc == MCRED_ERR_INVALID) {
            CHECK(row.number == expect, "row number %zu, want %zu", row.number, expect);
            expect = row.number + 1;
        }
        if (rc == MCRED_OK) {
            add(&t, "%zu@%zu", row.number, row.line);
            add_field(&t, "r", row.recipient);
            add_field(&t, "n", row.name);
            add_field(&t, "k", row.key);
            add_field(&t, "v", row.valid_until);
            add_field(&t, "e", row.evidence_url);
            add(&t, "\n");
            continue;
        }
        if (rc == MCRED_ERR_INVALID) {
            CHECK(!row.recipient && !row.name && !row.key && !row.valid_until &&
                  !row.evidence_url, "a bad row has no strings");
            add(&t, "INVALID %zu@%zu: %s\n", row.number, row.line, err.msg);
            continue;
        }
        if (rc == MCRED_ERR_NOTFOUND) {
            add(&t, "END\n");
        } else {
            add(&t, "%s: %s\n", rc_name(rc), err.msg);
        }
        {
            struct mc_err again;

            CHECK_RC(mc_rows_next(rs, &row, &again), rc, "the end repeats");
            CHECK(strcmp(again.msg, err.msg) == 0, "the end repeats its message");
        }
        break;
    }
    mc_rows_free(rs);
    return t.p;
}

/* ---- table-driven cases ------------------------------------------------------------ */

struct rcase {
    const char *what;
    enum mc_rows_format f;
    const char *ach;     /* mc_rows_set_achievement, or NULL */
    const char *in;
    size_t len;          /* 0: strlen(in) */
    const char *want;    /* the transcript */
};

/* A literal and its length, NULs included. */
#define LIT(s) s, sizeof(s) - 1
#define CSV MC_ROWS_CSV
#define JSONL MC_ROWS_JSONL

static const struct rcase cases[] = {
    /* ---- CSV: structure ---- */
    { "csv: two columns", CSV, NULL,
      "recipient,name\nann@example.org,Ann Lee\nbob@example.org,Bob\n", 0,
      "1@2 r=[ann@example.org] n=[Ann Lee]\n2@3 r=[bob@example.org] n=[Bob]\nEND\n" },
    { "csv: all five columns in another order", CSV, NULL,
      "evidence_url,key,recipient,valid_until,name\n"
      "https://example.org/e/1,k-1,ann@example.org,2030-12-31T23:59:59Z,Ann\n", 0,
      "1@2 r=[ann@example.org] n=[Ann] k=[k-1] v=[2030-12-31T23:59:59Z] "
      "e=[https://example.org/e/1]\nEND\n" },
    { "csv: BOM, CRLF and no final line end", CSV, NULL,
      "\xef\xbb\xbfrecipient,name\r\nann@example.org,Ann\r\nbob@example.org,Bob", 0,
      "1@2 r=[ann@example.org] n=[Ann]\n2@3 r=[bob@example.org] n=[Bob]\nEND\n" },
    { "csv: quotes, doubled quotes, commas inside quotes", CSV, NULL,
      "recipient,name\n\"ann@example.org\",\"Lee, Ann \"\"The Hat\"\"\"\n", 0,
      "1@2 r=[ann@example.org] n=[Lee, Ann \"The Hat\"]\nEND\n" },
    { "csv: spaces kept inside quotes, trimmed outside", CSV, NULL,
      " recipient , name \n  ann@example.org  ,  \"  Ann  \"  \n\tbob@example.org\t, B o b \n",
      0, "1@2 r=[ann@example.org] n=[  Ann  ]\n2@3 r=[bob@example.org] n=[B o b]\nEND\n" },
    { "csv: a quoted field spanning lines; line numbers after it", CSV, NULL,
      "recipient,name\n\"ann@example.org\",\"Ann\r\nLee\"\nbob@example.org,Bob\n", 0,
      "INVALID 1@2: row 1 (line 2): name 'Ann\\x0d\\x0aLee' contains a control character\n"
      "2@4 r=[bob@example.org] n=[Bob]\nEND\n" },
    { "csv: blank lines are not rows", CSV, NULL,
      "\n\nrecipient\n\n  \r\nann@example.org\n\n\t\nbob@example.org\n\n", 0,
      "1@6 r=[ann@example.org]\n2@9 r=[bob@example.org]\nEND\n" },
    { "csv: empty values are absent", CSV, NULL,
      "recipient,name,key\nann@example.org,,\"\"\n", 0,
      "1@2 r=[ann@example.org]\nEND\n" },
    { "csv: wrong number of fields", CSV, NULL,
      "recipient,name\nann@example.org\nbob@example.org,Bob,extra\ncid@example.org,Cid\n", 0,
      "INVALID 1@2: row 1 (line 2): has 1 field, the header has 2\n"
      "INVALID 2@3: row 2 (line 3): has 3 fields, the header has 2\n"
      "3@4 r=[cid@example.org] n=[Cid]\nEND\n" },
    { "csv: a quote inside an unquoted value", CSV, NULL,
      "recipient,name\nann@example.org,Ann \"A\" Lee\nbob@example.org,Bob\n", 0,
      "INVALID 1@2: row 1 (line 2): field 2: a quote inside a value that does not start "
      "with one\n2@3 r=[bob@example.org] n=[Bob]\nEND\n" },
    { "csv: text after a closing quote", CSV, NULL,
      "recipient,name\n\"ann@example.org\"x,Ann\nbob@example.org,Bob\n", 0,
      "INVALID 1@2: row 1 (line 2): field 1: unexpected text after the closing quote\n"
      "2@3 r=[bob@example.org] n=[Bob]\nEND\n" },
    { "csv: a quote never closed runs to the end", CSV, NULL,
      "recipient,name\nann@example.org,Ann\nbob@example.org,\"Bob\ncid@example.org,Cid\n", 0,
      "1@2 r=[ann@example.org] n=[Ann]\n"
      "INVALID 2@3: row 2 (line 3): field 2: the quoted value is not closed\nEND\n" },
    /* ---- CSV: the header ---- */
    { "csv: no recipient column", CSV, NULL, "name,key\nAnn,k1\n", 0,
      "OPEN INVALID: header (line 1): there is no 'recipient' column\n" },
    { "csv: unknown columns are named", CSV, NULL, "recipient,email,Name\nann@example.org,x,y\n",
      0, "OPEN INVALID: header (line 1): unknown columns 'email', 'Name' (the columns are "
      "recipient, name, key, valid_until, evidence_url)\n" },
    { "csv: a duplicate column", CSV, NULL, "recipient,name,key,name\n", 0,
      "OPEN INVALID: header (line 1): column 'name' appears twice (columns 2 and 4)\n" },
    { "csv: a column without a name", CSV, NULL, "recipient,,name\n", 0,
      "OPEN INVALID: header (line 1): column 2 has no name\n" },
    { "csv: empty input", CSV, NULL, "", 0,
      "OPEN INVALID: the input is empty: a CSV header row naming at least 'recipient' is "
      "required\n" },
    { "csv: only a BOM and blank lines", CSV, NULL, "\xef\xbb\xbf\r\n \n", 0,
      "OPEN INVALID: the input is empty: a CSV header row naming at least 'recipient' is "
      "required\n" },
    { "csv: a header and no rows", CSV, NULL, "recipient\n", 0, "END\n" },
    { "csv: a binary header", CSV, NULL, LIT("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
      "OPEN INVALID: header (line 1): is not valid UTF-8\n" },
    { "csv: a header with a NUL", CSV, NULL, LIT("recipient\0,name\n"),
      "OPEN INVALID: header (line 1): contains a NUL byte\n" },
    /* ---- CSV: values ---- */
    { "csv: bad e-mail addresses", CSV, NULL,
      "recipient\nnot-an-email\nann@\n@example.org\nann@example\nann lee@example.org\n"
      "\"ann@example.org\"\n", 0,
      "INVALID 1@2: row 1 (line 2): recipient 'not-an-email' is neither an e-mail address "
      "nor a DID\n"
      "INVALID 2@3: row 2 (line 3): recipient 'ann@' is neither an e-mail address nor a DID\n"
      "INVALID 3@4: row 3 (line 4): recipient '@example.org' is neither an e-mail address "
      "nor a DID\n"
      "INVALID 4@5: row 4 (line 5): recipient 'ann@example' is neither an e-mail address "
      "nor a DID\n"
      "INVALID 5@6: row 5 (line 6): recipient 'ann lee@example.org' is neither an e-mail "
      "address nor a DID\n"
      "6@7 r=[ann@example.org]\nEND\n" },
    { "csv: a missing recipient", CSV, NULL, "recipient,name\n,Ann\n", 0,
      "INVALID 1@2: row 1 (line 2): recipient is missing\nEND\n" },
    { "csv: DIDs", CSV, NULL,
      "recipient\ndid:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\n"
      "did:web:example.com%3A8443:users:alice\ndid:Key:abc\ndid:web:\ndid:web:a b\n"
      "did:web:abc:\ndid::abc\ndid:web:a%zz\n", 0,
      "1@2 r=[did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK]\n"
      "2@3 r=[did:web:example.com%3A8443:users:alice]\n"
      "INVALID 3@4: row 3 (line 4): recipient 'did:Key:abc' is not a valid DID\n"
      "INVALID 4@5: row 4 (line 5): recipient 'did:web:' is not a valid DID\n"
      "INVALID 5@6: row 5 (line 6): recipient 'did:web:a b' is not a valid DID\n"
      "INVALID 6@7: row 6 (line 7): recipient 'did:web:abc:' is not a valid DID\n"
      "INVALID 7@8: row 7 (line 8): recipient 'did::abc' is not a valid DID\n"
      "INVALID 8@9: row 8 (line 9): recipient 'did:web:a%zz' is not a valid DID\n"
      "END\n" },
    { "csv: valid_until", CSV, NULL,
      "recipient,valid_until\na@example.org,2030-12-31T23:59:59Z\n"
      "b@example.org,2030-12-31T23:59:59.5+02:00\nc@example.org,2030-12-31\n"
      "d@example.org,2030-12-31T23:59:59\ne@example.org,2030-02-30T00:00:00Z\n", 0,
      "1@2 r=[a@example.org] v=[2030-12-31T23:59:59Z]\n"
      "2@3 r=[b@example.org] v=[2030-12-31T23:59:59.5+02:00]\n"
      "INVALID 3@4: row 3 (line 4): valid_until '2030-12-31' is not an RFC 3339 date-time "
      "with an offset (like 2030-12-31T23:59:59Z)\n"
      "INVALID 4@5: row 4 (line 5): valid_until '2030-12-31T23:59:59' is not an RFC 3339 "
      "date-time with an offset (like 2030-12-31T23:59:59Z)\n"
      "INVALID 5@6: row 5 (line 6): valid_until '2030-02-30T00:00:00Z' is not an RFC 3339 "
      "date-time with an offset (like 2030-12-31T23:59:59Z)\n"
      "END\n" },
    { "csv: evidence_url", CSV, NULL,
      "recipient,evidence_url\na@example.org,https://example.org/e/1\n"
      "b@example.org,example.org/e/1\nc@example.org,https://example.org/a b\n", 0,
      "1@2 r=[a@example.org] e=[https://example.org/e/1]\n"
      "INVALID 2@3: row 2 (line 3): evidence_url 'example.org/e/1' is not an absolute URI\n"
      "INVALID 3@4: row 3 (line 4): evidence_url 'https://example.org/a b' is not an "
      "absolute URI\nEND\n" },
    { "csv: keys with control characters", CSV, NULL,
      "recipient,key\na@example.org,\"k\t1\"\nb@example.org,k\xc2\x85z\nc@example.org,k\xc3\xa9\n",
      0,
      "INVALID 1@2: row 1 (line 2): key 'k\\x091' contains a control character\n"
      "INVALID 2@3: row 2 (line 3): key 'k\xc2\x85z' contains a control character\n"
      "3@4 r=[c@example.org] k=[k\xc3\xa9]\nEND\n" },
    { "csv: duplicate explicit keys", CSV, NULL,
      "recipient,key\na@example.org,k1\nb@example.org,k2\nc@example.org,k1\nd@example.org,\n"
      "e@example.org,\n", 0,
      "1@2 r=[a@example.org] k=[k1]\n2@3 r=[b@example.org] k=[k2]\n"
      "INVALID 3@4: row 3 (line 4): duplicate key 'k1' (first in row 1)\n"
      "4@5 r=[d@example.org]\n5@6 r=[e@example.org]\nEND\n" },
    { "csv: default keys: one recipient twice for an achievement", CSV, ACH,
      "recipient,key\nann@x.org,\nAnn@X.org,\nAnn@X.org,retry-2\ndid:key:z6MkAbC,\n"
      "did:key:z6Mkabc,\n", 0,
      /* sha256("https://example.org/achievements/1\nann@x.org"), by sha256sum */
      "1@2 r=[ann@x.org] k=[488d250cda47c01d897547e239f75aba71da6732cd08deaff9a800cec425dc02]\n"
      "INVALID 2@3: row 2 (line 3): recipient 'Ann@X.org' appears twice for this achievement "
      "(first in row 1); give each a distinct key to issue twice\n"
      "3@4 r=[Ann@X.org] k=[retry-2]\n"
      /* sha256("https://example.org/achievements/1\ndid:key:z6MkAbC"): DIDs keep their case */
      "4@5 r=[did:key:z6MkAbC] "
      "k=[8b68c30050e75355db28d7b773b577963fa8bb6b465106f968987d83b78e85bb]\n"
      /* sha256("https://example.org/achievements/1\ndid:key:z6Mkabc") */
      "5@6 r=[did:key:z6Mkabc] "
      "k=[a30e9674412ca6c7848d03ec72f43013a94d56718a1880fb4640692c816d21d7]\nEND\n" },
    { "csv: a NUL byte and invalid UTF-8 are bad rows", CSV, NULL,
      LIT("recipient,name\nann@example.org,A\0n\nbob@example.org,\xff\xfe\n"
          "cid@example.org,\xed\xa0\x80\ndan@example.org,Zo\xc3\xab\n"),
      "INVALID 1@2: row 1 (line 2): contains a NUL byte\n"
      "INVALID 2@3: row 2 (line 3): is not valid UTF-8\n"
      "INVALID 3@4: row 3 (line 4): is not valid UTF-8\n"
      "4@5 r=[dan@example.org] n=[Zo\xc3\xab]\nEND\n" },
    /* ---- JSON Lines ---- */
    { "jsonl: rows", JSONL, NULL,
      "{\"recipient\":\"ann@example.org\",\"name\":\"Ann\"}\n"
      "{\"name\":\"Zo\\u00eb \\\"Z\\\"\", \"recipient\" : \"zoe@example.org\", \"key\":\"k\"}\n"
      "{\"recipient\":\"did:web:example.org\",\"valid_until\":\"2030-01-01T00:00:00Z\","
      "\"evidence_url\":\"https://example.org/e\"}\n", 0,
      "1@1 r=[ann@example.org] n=[Ann]\n2@2 r=[zoe@example.org] n=[Zo\xc3\xab \"Z\"] k=[k]\n"
      "3@3 r=[did:web:example.org] v=[2030-01-01T00:00:00Z] e=[https://example.org/e]\nEND\n" },
    { "jsonl: BOM, CRLF, blank lines, no final line end", JSONL, NULL,
      "\xef\xbb\xbf\r\n{\"recipient\":\"a@example.org\"}\r\n\r\n  \n"
      "{\"recipient\":\"b@example.org\"}", 0,
      "1@2 r=[a@example.org]\n2@5 r=[b@example.org]\nEND\n" },
    { "jsonl: empty input", JSONL, NULL, "", 0, "END\n" },
    { "jsonl: members", JSONL, NULL,
      "{\"recipient\":\"a@example.org\",\"email\":\"a@example.org\"}\n"
      "{\"recipient\":\"a@example.org\",\"name\":5}\n"
      "{\"recipient\":\"a@example.org\",\"name\":null}\n"
      "{\"recipient\":\"a@example.org\",\"recipient\":\"b@example.org\"}\n"
      "{\"recipient\":\"\"}\n{}\n{\"recipient\":\"c@example.org\",\"name\":\"\"}\n", 0,
      "INVALID 1@1: row 1 (line 1): unknown member 'email' (the members are recipient, name, "
      "key, valid_until, evidence_url)\n"
      "INVALID 2@2: row 2 (line 2): member 'name' is not a string\n"
      "INVALID 3@3: row 3 (line 3): member 'name' is not a string\n"
      "INVALID 4@4: row 4 (line 4): member 'recipient' appears twice\n"
      "INVALID 5@5: row 5 (line 5): recipient is missing\n"
      "INVALID 6@6: row 6 (line 6): recipient is missing\n"
      "7@7 r=[c@example.org]\nEND\n" },
    { "jsonl: not objects, not JSON", JSONL, NULL,
      "[\"a@example.org\"]\n\"a@example.org\"\n{\"recipient\":\"a@example.org\"\n"
      "{\"recipient\":\"a@example.org\"} x\n{\"recipient\":\"a\\u0000@example.org\"}\n"
      "recipient,name\n{\"recipient\":\"ok@example.org\"}\n", 0,
      "INVALID 1@1: row 1 (line 1): is not a JSON object\n"
      "INVALID 2@2: row 2 (line 2): is not a JSON object\n"
      "INVALID 3@3: row 3 (line 3): malformed JSON at column 28\n"
      "INVALID 4@4: row 4 (line 4): unexpected data after the JSON value at column 31\n"
      "INVALID 5@5: row 5 (line 5): JSON \\u0000 in a string is not accepted (column 16)\n"
      "INVALID 6@6: row 6 (line 6): malformed JSON at column 1\n"
      "7@7 r=[ok@example.org]\nEND\n" },
    { "jsonl: a NUL byte and invalid UTF-8", JSONL, NULL,
      LIT("{\"recipient\":\"a@example.org\"}\0\n{\"recipient\":\"\xc0\xaf@example.org\"}\n"
          "{\"recipient\":\"b@example.org\"}\n"),
      "INVALID 1@1: row 1 (line 1): contains a NUL byte\n"
      "INVALID 2@2: row 2 (line 2): is not valid UTF-8\n"
      "3@3 r=[b@example.org]\nEND\n" },
    { "jsonl: duplicate keys and default keys", JSONL, ACH,
      "{\"recipient\":\"ann@x.org\"}\n{\"recipient\":\"ANN@x.org\"}\n"
      "{\"recipient\":\"bob@x.org\",\"key\":\"k\"}\n{\"recipient\":\"cid@x.org\",\"key\":\"k\"}\n",
      0,
      "1@1 r=[ann@x.org] k=[488d250cda47c01d897547e239f75aba71da6732cd08deaff9a800cec425dc02]\n"
      "INVALID 2@2: row 2 (line 2): recipient 'ANN@x.org' appears twice for this achievement "
      "(first in row 1); give each a distinct key to issue twice\n"
      "3@3 r=[bob@x.org] k=[k]\n"
      "INVALID 4@4: row 4 (line 4): duplicate key 'k' (first in row 3)\nEND\n" },
};

/* Inputs with NUL bytes give their length (LIT); the others are strings. */
static size_t case_len(const struct rcase *c)
{
    return c->len ? c->len : strlen(c->in);
}

static void test_cases(void)
{
    static const size_t chunks[] = { 0, 1, 2, 3, 7, 64 };
    size_t i, j;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rcase *c = &cases[i];
        size_t len = case_len(c);
        char *first = transcript(c->f, c->in, len, 0, c->ach, 0);

        CHECK(strcmp(first, c->want) == 0, "%s:\n--- got\n%s--- want\n%s", c->what, first,
              c->want);
        for (j = 1; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
            char *again = transcript(c->f, c->in, len, chunks[j], c->ach, 0);

            CHECK(strcmp(again, first) == 0, "%s: reads of %zu bytes:\n%s", c->what, chunks[j],
                  again);
            free(again);
        }
        free(first);
    }
}

/* ---- RFC 4180 round trips ----------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A reader of a memory buffer with pseudo-random chunk sizes. */
static long jitter_read(void *ud, void *buf, size_t n)
{
    struct memsrc *m = ud;
    size_t k = m->n - m->pos, c = 1 + (size_t)(rnd() % (rnd() % 4 ? 97 : 70000));

    if (k > n)
        k = n;
    if (k > c)
        k = c;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (long)k;
}

/* Random printable ASCII with the characters CSV cares about, len < max. */
static void rand_value(char *v, size_t max)
{
    static const char alpha[] = "abc XYZ,\"'09;-";
    size_t n = (size_t)(rnd() % 8 == 0 ? rnd() % max : rnd() % 12), i;

    for (i = 0; i < n; i++)
        v[i] = alpha[rnd() % (sizeof(alpha) - 1)];
    v[n] = '\0';
}

/* Append v as a CSV field: quoted when it must be, or at random. */
static void csv_field(struct text *t, const char *v)
{
    size_t n = strlen(v);
    bool must = strpbrk(v, ",\"") || (n && (v[0] == ' ' || v[n - 1] == ' '));

    if (!must && rnd() % 3) {
        add(t, "%s%s%s", rnd() % 4 ? "" : "  ", v, rnd() % 4 ? "" : " ");
        return;
    }
    add(t, "%s\"", rnd() % 4 ? "" : " ");
    for (; *v; v++)
        add(t, *v == '"' ? "\"\"" : "%c", *v);
    add(t, "\"%s", rnd() % 4 ? "" : " ");
}

#define RT_ROWS 20000

static void test_roundtrip(void)
{
    static char names[RT_ROWS][460], keys[RT_ROWS][24];
    struct text t = { NULL, 0, 0 };
    struct memsrc m;
    struct mc_reader r = { jitter_read, &m };
    struct mc_rows *rs;
    struct mc_row row;
    struct mc_err err;
    size_t i, good = 0;
    char want[32];

    rng_state = 0x9e3779b97f4a7c15ull;
    add(&t, "name,key , recipient\r\n");
    for (i = 0; i < RT_ROWS; i++) {
        rand_value(names[i], 450);
        snprintf(keys[i], sizeof(keys[i]), "%zu", i);
        if (rnd() % 2)
            keys[i][0] = '\0';
        csv_field(&t, names[i]);
        add(&t, ",");
        csv_field(&t, keys[i]);
        add(&t, ",u%zu@example.org%s", i, rnd() % 2 ? "\r\n" : "\n");
        if (rnd() % 50 == 0)
            add(&t, "\n");   /* a blank line */
    }
    m = (struct memsrc){ t.p, t.n, 0, 0, 0 };
    CHECK_RC(mc_rows_open(&rs, MC_ROWS_CSV, &r, &err), MCRED_OK, "round trip: open");
    for (i = 0; i < RT_ROWS; i++) {
        /* names are trimmed when unquoted; compare the value as CSV would keep it */
        const char *nm = names[i];

        if (mc_rows_next(rs, &row, &err) != MCRED_OK) {
            CHECK(0, "round trip row %zu: %s", i + 1, err.msg);
            continue;
        }
        snprintf(want, sizeof(want), "u%zu@example.org", i);
        if (row.number == i + 1 && strcmp(row.recipient, want) == 0 &&
            (nm[0] ? row.name && strcmp(row.name, nm) == 0 : row.name == NULL) &&
            (keys[i][0] ? row.key && strcmp(row.key, keys[i]) == 0 : row.key == NULL))
            good++;
        else
            CHECK(0, "round trip row %zu: name [%s] want [%s]", i + 1,
                  row.name ? row.name : "(null)", nm);
    }
    CHECK(good == RT_ROWS, "round trip: %zu of %d rows read back exactly", good, RT_ROWS);
    CHECK_RC(mc_rows_next(rs, &row, &err), MCRED_ERR_NOTFOUND, "round trip: the end");
    mc_rows_free(rs);
    free(t.p);
}

/* ---- limits, read errors, garbage ---------------------------------------------------- */

static void test_limits(void)
{
    struct text t = { NULL, 0, 0 };
    char *got, want[400];
    size_t i;

    /* a record of exactly MC_ROWS_MAX_RECORD bytes (plus CRLF) is read; one more is not */
    add(&t, "recipient,name\r\na@example.org,");
    for (i = 0; i < MC_ROWS_MAX_RECORD - 14; i++)
        add(&t, "x");
    add(&t, "\r\nb@example.org,B\n");
    got = transcript(MC_ROWS_CSV, t.p, t.n, 0, NULL, 0);
    snprintf(want, sizeof(want), "INVALID 1@2: row 1 (line 2): name is %zu bytes long, the "
             "limit is 500\n2@3 r=[b@example.org] n=[B]\nEND\n", MC_ROWS_MAX_RECORD - 14);
    CHECK_STR_EQ(got, want, "a record of the largest size");
    free(got);
    got = transcript(MC_ROWS_CSV, t.p, t.n, 1000, NULL, 0);
    CHECK_STR_EQ(got, want, "a record of the largest size, read in pieces");
    free(got);

    t.n = 0;
    add(&t, "recipient,name\na@example.org,");
    for (i = 0; i < MC_ROWS_MAX_RECORD - 13; i++)
        add(&t, "x");
    add(&t, "\nb@example.org,B\n");
    got = transcript(MC_ROWS_CSV, t.p, t.n, 0, NULL, 0);
    CHECK_STR_EQ(got, "LIMIT: row 1 (line 2): longer than 65536 bytes; the rest of the input "
                 "cannot be read\n", "a record one byte too long");
    free(got);

    /* a quoted value that never ends */
    t.n = 0;
    add(&t, "recipient,name\na@example.org,A\nb@example.org,\"");
    for (i = 0; i < 20000; i++)
        add(&t, "line\n");
    got = transcript(MC_ROWS_CSV, t.p, t.n, 4096, NULL, 0);
    CHECK_STR_EQ(got, "1@2 r=[a@example.org] n=[A]\nLIMIT: row 2 (line 3): longer than 65536 "
                 "bytes; the rest of the input cannot be read\n", "an endless quoted value");
    free(got);

    /* a header that is too long */
    t.n = 0;
    for (i = 0; i < 7000; i++)
        add(&t, "recipient,");
    got = transcript(MC_ROWS_CSV, t.p, t.n, 0, NULL, 0);
    CHECK_STR_EQ(got, "OPEN LIMIT: header (line 1): longer than 65536 bytes\n",
                 "a header too long");
    free(got);

    /* a JSON line that is too long */
    t.n = 0;
    add(&t, "{\"recipient\":\"a@example.org\"}\n{\"name\":\"");
    for (i = 0; i < 7000; i++)
        add(&t, "0123456789");
    add(&t, "\"}\n");
    got = transcript(MC_ROWS_JSONL, t.p, t.n, 0, NULL, 0);
    CHECK_STR_EQ(got, "1@1 r=[a@example.org]\nLIMIT: row 2 (line 2): longer than 65536 bytes; "
                 "the rest of the input cannot be read\n", "a JSON line too long");
    free(got);

    /* JSON nested too deep is a bad row, not the end */
    t.n = 0;
    for (i = 0; i < 200; i++)
        add(&t, "[");
    for (i = 0; i < 200; i++)
        add(&t, "]");
    add(&t, "\n{\"recipient\":\"a@example.org\"}\n");
    got = transcript(MC_ROWS_JSONL, t.p, t.n, 0, NULL, 0);
    CHECK_STR_EQ(got, "INVALID 1@1: row 1 (line 1): JSON nesting deeper than 128 levels "
                 "(column 129)\n2@2 r=[a@example.org]\nEND\n", "JSON nested too deep");
    free(got);
    free(t.p);
}

static long overlong_read(void *ud, void *buf, size_t n)
{
    (void)ud;
    (void)buf;
    return (long)n + 1;
}

static void test_read_errors(void)
{
    static const char in[] = "recipient,name\nann@example.org,Ann\nbob@example.org,Bob\n";
    struct mc_reader r = { overlong_read, NULL };
    struct mc_rows *rs;
    struct mc_err err;
    char *got;

    /* chunks of 10: bytes 0..40 arrive, then the read fails inside row 2 */
    got = transcript(MC_ROWS_CSV, in, sizeof(in) - 1, 10, NULL, 40);
    CHECK_STR_EQ(got, "1@2 r=[ann@example.org] n=[Ann]\nIO: cannot read the input (a read "
                 "error at line 3)\n", "a read error between rows");
    free(got);
    got = transcript(MC_ROWS_CSV, in, sizeof(in) - 1, 10, NULL, 10);
    CHECK_STR_EQ(got, "OPEN IO: cannot read the input (a read error at line 1)\n",
                 "a read error in the header");
    free(got);
    got = transcript(MC_ROWS_JSONL, "{\"recipient\":\"a@example.org\"}\n", 31, 31, NULL, 31);
    CHECK_STR_EQ(got, "1@1 r=[a@example.org]\nIO: cannot read the input (a read error at line "
                 "2)\n", "a read error at the end of a JSON Lines stream");
    free(got);
    CHECK_RC(mc_rows_open(&rs, MC_ROWS_CSV, &r, &err), MCRED_ERR_IO, "a reader returning too much");
    CHECK(strstr(err.msg, "were asked") != NULL, "says the reader misbehaved: %s", err.msg);
    r.read = NULL;
    CHECK_RC(mc_rows_open(&rs, MC_ROWS_CSV, &r, &err), MCRED_ERR_INVALID, "no read callback");
}

/* Read everything, counting outcomes; returns the final code. */
static mcred_rc drain(enum mc_rows_format f, const char *in, size_t n, size_t *ok, size_t *bad,
                      struct mc_err *err)
{
    struct memsrc m = { in, n, 0, 0, 0 };
    struct mc_reader r = { mem_read, &m };
    struct mc_rows *rs;
    struct mc_row row;
    mcred_rc rc;

    *ok = *bad = 0;
    rc = mc_rows_open(&rs, f, &r, err);
    if (rc)
        return rc;
    for (;;) {
        rc = mc_rows_next(rs, &row, err);
        if (rc == MCRED_OK)
            (*ok)++;
        else if (rc == MCRED_ERR_INVALID)
            (*bad)++;
        else
            break;
    }
    mc_rows_free(rs);
    return rc;
}

static void test_garbage(void)
{
    size_t n = (size_t)1 << 20, i, ok, bad;
    char *g = malloc(n);
    struct text t = { NULL, 0, 0 };
    struct mc_err err;
    mcred_rc rc;
    int seed;

    if (!g)
        abort();
    /* random bytes after a good header: 1000 bad rows, then a clean stop */
    rng_state = 42;
    memcpy(g, "recipient,name\n", 15);
    for (i = 15; i < n; i++)
        g[i] = (char)rnd();
    rc = drain(MC_ROWS_CSV, g, n, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_LIMIT && ok == 0 && bad == MC_ROWS_MAX_BAD_RUN &&
          strstr(err.msg, "more than 1000 bad rows in a row; the input does not look like "
                 "CSV (this row: "),
          "random bytes as CSV: rc %d, %zu ok, %zu bad: %s", rc, ok, bad, err.msg);
    rc = drain(MC_ROWS_JSONL, g + 15, n - 15, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_LIMIT && ok == 0 && bad == MC_ROWS_MAX_BAD_RUN &&
          strstr(err.msg, "the input does not look like JSON Lines"),
          "random bytes as JSON Lines: rc %d, %zu ok, %zu bad: %s", rc, ok, bad, err.msg);
    /* random bytes from the start: the header is refused */
    rc = drain(MC_ROWS_CSV, g + 15, n - 15, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_INVALID && strncmp(err.msg, "header (line 1): ", 17) == 0,
          "random bytes as a CSV header: %s", err.msg);
    /* NUL bytes: without line ends the first record is too long */
    memset(g + 15, 0, n - 15);
    rc = drain(MC_ROWS_CSV, g, n, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_LIMIT && bad == 0 && strstr(err.msg, "longer than 65536 bytes"),
          "NUL bytes as CSV: %s", err.msg);
    /* lines of NULs: 1000 bad rows and a stop */
    for (i = 15; i + 1 < n; i += 2)
        g[i + 1] = '\n';
    rc = drain(MC_ROWS_CSV, g, n, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_LIMIT && bad == MC_ROWS_MAX_BAD_RUN &&
          strstr(err.msg, "row 1001 (line 1002): more than 1000 bad rows in a row; the input "
                 "does not look like CSV (this row: contains a NUL byte)"),
          "NUL lines as CSV: %zu bad: %s", bad, err.msg);
    /* a good row resets the count of bad rows in a row */
    add(&t, "recipient\n");
    for (i = 0; i < 3 * MC_ROWS_MAX_BAD_RUN; i++)
        add(&t, "%s\n", i % MC_ROWS_MAX_BAD_RUN == 999 ? "a@example.org" : "bad");
    rc = drain(MC_ROWS_CSV, t.p, t.n, &ok, &bad, &err);
    CHECK(rc == MCRED_ERR_NOTFOUND && ok == 3 && bad == 2997,
          "999 bad rows between good ones do not stop: rc %d, %zu ok, %zu bad", rc, ok, bad);
    free(t.p);
    /* many shorter seeds, mixing garbage into CSV-like text: never a crash */
    for (seed = 1; seed <= 40; seed++) {
        size_t len = 1 + (size_t)(rnd() % 65536);
        static const char alpha[] = "a@b.c,\"\n\r {}:[]\\u0\xc3\xa9";

        rng_state = (uint64_t)seed * 0x2545f4914f6cdd1dull;
        memcpy(g, "recipient,name,key\n", 19);
        for (i = 19; i < len + 19; i++)
            g[i] = seed % 2 ? (char)rnd() : alpha[rnd() % (sizeof(alpha) - 1)];
        rc = drain(MC_ROWS_CSV, g, len + 19, &ok, &bad, &err);
        CHECK(rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_LIMIT, "seed %d as CSV: rc %d: %s",
              seed, rc, err.msg);
        rc = drain(MC_ROWS_JSONL, g, len + 19, &ok, &bad, &err);
        CHECK(rc == MCRED_ERR_NOTFOUND || rc == MCRED_ERR_LIMIT, "seed %d as JSONL: rc %d: %s",
              seed, rc, err.msg);
    }
    free(g);
}

/* ---- keys ---------------------------------------------------------------------------- */

static void test_keys(void)
{
    struct mc_keyset *ks;
    char k[65], a[601];
    size_t first = 0;

    /* hashes computed with sha256sum / Python hashlib */
    CHECK_RC(mc_rows_default_key(ACH, "Ann@X.ORG", k), MCRED_OK, "default key");
    CHECK_STR_EQ(k, "488d250cda47c01d897547e239f75aba71da6732cd08deaff9a800cec425dc02",
                 "default key of an e-mail address is case-blind");
    memcpy(a, "https://example.org/", 20);
    memset(a + 20, 'a', 580);
    a[600] = '\0';
    CHECK_RC(mc_rows_default_key(a, "ann@x.org", k), MCRED_OK, "default key, long URI");
    CHECK_STR_EQ(k, "d8d22ac11e4eac68641a604a2a39a65a9cd3cd591c5af0a8aab8044bd27c9b29",
                 "default key of a long achievement URI");
    CHECK_RC(mc_rows_default_key(ACH, "", k), MCRED_ERR_INVALID, "no recipient");
    CHECK_RC(mc_rows_default_key(NULL, "a@x.org", k), MCRED_ERR_INVALID, "no achievement");

    CHECK_RC(mc_keyset_new(&ks, 3), MCRED_OK, "key set");
    CHECK_RC(mc_keyset_insert(ks, "a", 1, 7, NULL), MCRED_OK, "first key");
    CHECK_RC(mc_keyset_insert(ks, "a", 1, 9, &first), MCRED_ERR_CONFLICT, "the same key");
    CHECK(first == 7, "the conflict names the first row: %zu", first);
    CHECK_RC(mc_keyset_insert(ks, "b", 1, 8, NULL), MCRED_OK, "second key");
    CHECK_RC(mc_keyset_insert(ks, "", 0, 10, NULL), MCRED_OK, "an empty key");
    CHECK_RC(mc_keyset_insert(ks, "c", 1, 11, NULL), MCRED_ERR_LIMIT, "past max_keys");
    CHECK_RC(mc_keyset_insert(ks, "b", 1, 12, &first), MCRED_ERR_CONFLICT, "full, old key");
    CHECK(mc_keyset_count(ks) == 3 && first == 8, "three keys");
    mc_keyset_free(ks);
    mc_keyset_free(NULL);
    mc_rows_free(NULL);
    CHECK(mc_rows_is_did("did:example:123456789abcdefghi"), "the DID Core example");
    CHECK(!mc_rows_is_did("did:example:123#key-1"), "a DID URL is not a DID");
}

/* The key set's bound at the bulk target: 1,000,000 keys in 40 MiB. */
static void test_keyset_million(void)
{
    struct mc_keyset *ks;
    char k[32];
    size_t i, dup = 0, first = 0;
    int n;

    if (mc_keyset_new(&ks, 0) != MCRED_OK) {
        CHECK(0, "key set");
        return;
    }
    for (i = 0; i < 1000000; i++) {
        n = snprintf(k, sizeof(k), "key-%zu", i);
        if (mc_keyset_insert(ks, k, (size_t)n, i + 1, NULL) != MCRED_OK)
            dup++;
    }
    CHECK(dup == 0 && mc_keyset_count(ks) == 1000000, "1,000,000 distinct keys: %zu refused",
          dup);
    CHECK(mc_keyset_bytes(ks) == ((size_t)1 << 21) * 20, "1,000,000 keys take %zu bytes",
          mc_keyset_bytes(ks));
    for (i = 0; i < 1000000; i += 997) {
        n = snprintf(k, sizeof(k), "key-%zu", i);
        if (mc_keyset_insert(ks, k, (size_t)n, 0, &first) != MCRED_ERR_CONFLICT || first != i + 1)
            dup++;
    }
    CHECK(dup == 0, "every key is found again with its row");
    printf("info: key set with 1,000,000 keys: %zu MiB\n", mc_keyset_bytes(ks) >> 20);
    mc_keyset_free(ks);
}

/* ---- big generated streams ------------------------------------------------------------- */

/* Rows made on the fly: "user<i>@example.org,User <i>" (CSV, after a header)
 * or {"recipient":"user<i>@example.org","name":"User <i>"} until `total`
 * bytes were produced (the last row is whole). Nothing is stored. */
struct gen {
    bool jsonl;
    size_t total, produced, rows;
    char pend[128];
    size_t pend_len, pend_pos;
};

static size_t utoa(char *p, size_t v)
{
    char tmp[24];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static size_t gen_row(bool jsonl, size_t i, char *p)
{
    size_t n = 0;

    if (jsonl) {
        memcpy(p, "{\"recipient\":\"user", 18);
        n = 18;
    } else {
        memcpy(p, "user", 4);
        n = 4;
    }
    n += utoa(p + n, i);
    memcpy(p + n, jsonl ? "@example.org\",\"name\":\"User " : "@example.org,User ",
           jsonl ? 27 : 18);
    n += jsonl ? 27 : 18;
    n += utoa(p + n, i);
    if (jsonl) {
        memcpy(p + n, "\"}", 2);
        n += 2;
    }
    p[n++] = '\n';
    return n;
}

static long gen_read(void *ud, void *buf, size_t n)
{
    struct gen *g = ud;
    char *o = buf;
    size_t w = 0, k;

    while (w < n) {
        if (g->pend_pos == g->pend_len) {
            if (g->produced >= g->total)
                break;
            if (g->produced == 0 && !g->jsonl) {
                memcpy(g->pend, "recipient,name\n", 15);
                g->pend_len = 15;
            } else {
                g->pend_len = gen_row(g->jsonl, ++g->rows, g->pend);
            }
            g->pend_pos = 0;
            g->produced += g->pend_len;
        }
        k = g->pend_len - g->pend_pos;
        if (k > n - w)
            k = n - w;
        memcpy(o + w, g->pend + g->pend_pos, k);
        g->pend_pos += k;
        w += k;
    }
    return (long)w;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;   /* KiB on Linux */
}

static void test_stream(bool jsonl, size_t total)
{
    struct gen g = { jsonl, total, 0, 0, "", 0, 0 };
    struct mc_reader r = { gen_read, &g };
    struct mc_rows *rs;
    struct mc_row row;
    struct mc_err err;
    size_t ok = 0, wrong = 0;
    char want[64];
    double t0 = now_s(), dt;
    mcred_rc rc;

    if (mc_rows_open(&rs, jsonl ? MC_ROWS_JSONL : MC_ROWS_CSV, &r, &err) != MCRED_OK) {
        CHECK(0, "stream: open: %s", err.msg);
        return;
    }
    for (;;) {
        rc = mc_rows_next(rs, &row, &err);
        if (rc != MCRED_OK)
            break;
        ok++;
        if ((ok & 0xffff) == 0) {   /* spot checks */
            want[gen_row(false, ok, want) - 1] = '\0';
            *strchr(want, ',') = '\0';
            if (row.number != ok || strcmp(row.recipient, want) != 0 ||
                row.line != ok + (jsonl ? 0 : 1))
                wrong++;
        }
    }
    dt = now_s() - t0;
    mc_rows_free(rs);
    CHECK(rc == MCRED_ERR_NOTFOUND, "stream of %zu MB: ends cleanly: %s", total >> 20, err.msg);
    CHECK(ok == g.rows && wrong == 0, "stream of %zu MB: %zu rows read of %zu, %zu wrong",
          total >> 20, ok, g.rows, wrong);
    CHECK(peak_rss_kib() < 64 * 1024, "stream of %zu MB: peak RSS %ld KiB < 64 MiB",
          total >> 20, peak_rss_kib());
    printf("info: %s stream of %zu MB (generated): %zu rows in %.2f s, %.0f rows/s, "
           "peak RSS %ld KiB\n", jsonl ? "JSON Lines" : "CSV", total >> 20, ok, dt,
           (double)ok / dt, peak_rss_kib());
}

/* The reader alone: the same 1 MB of rows served again and again. */
struct cyc {
    const char *head, *body;
    size_t head_n, body_n, pos, reps;
};

static long cyc_read(void *ud, void *buf, size_t n)
{
    struct cyc *c = ud;
    size_t k;

    if (c->head_n) {
        k = c->head_n < n ? c->head_n : n;
        memcpy(buf, c->head, k);
        c->head += k;
        c->head_n -= k;
        return (long)k;
    }
    if (c->pos == c->body_n) {
        if (c->reps == 0)
            return 0;
        c->reps--;
        c->pos = 0;
    }
    k = c->body_n - c->pos < n ? c->body_n - c->pos : n;
    memcpy(buf, c->body + c->pos, k);
    c->pos += k;
    return (long)k;
}

static void test_speed(bool jsonl)
{
    struct text t = { NULL, 0, 0 };
    struct cyc c;
    struct mc_reader r = { cyc_read, &c };
    struct mc_rows *rs;
    struct mc_row row;
    struct mc_err err;
    size_t rows_per = 0, ok = 0, reps = jsonl ? 80 : 200;
    char line[128];
    double t0, dt;

    while (t.n < ((size_t)1 << 20)) {
        line[gen_row(jsonl, ++rows_per, line)] = '\0';
        add(&t, "%s", line);
    }
    c = (struct cyc){ jsonl ? "" : "recipient,name\n", t.p, jsonl ? 0 : 15, t.n, t.n, reps };
    t0 = now_s();
    if (mc_rows_open(&rs, jsonl ? MC_ROWS_JSONL : MC_ROWS_CSV, &r, &err) == MCRED_OK) {
        while (mc_rows_next(rs, &row, &err) == MCRED_OK)
            ok++;
        mc_rows_free(rs);
    }
    dt = now_s() - t0;
    CHECK(ok == rows_per * reps, "speed run: %zu rows, want %zu", ok, rows_per * reps);
    printf("info: %s reader alone: %zu rows of ~%zu bytes in %.2f s: %.0f rows/s, %.0f MB/s\n",
           jsonl ? "JSON Lines" : "CSV", ok, t.n / rows_per, dt, (double)ok / dt,
           (double)ok * (double)(t.n / rows_per) / dt / 1e6);
    free(t.p);
}

/* ---- allocation failures ---------------------------------------------------------------- */

/* Fail the 1st, 2nd, ... allocation: every run either matches the clean
 * transcript or stops at a NOMEM line after a prefix of it, without a leak. */
static void torture(enum mc_rows_format f, const char *in, size_t n, const char *what)
{
    char *want = transcript(f, in, n, 0, ACH, 0), *got;
    unsigned long nth, used = 0;
    int bad = 0, failures = 0;

    for (nth = 1; nth < 1000; nth++) {
        size_t keep;
        char *last;

        mcred_test_fail_alloc(nth);
        got = transcript(f, in, n, 0, ACH, 0);
        used = mcred_test_fail_alloc(0);
        if (strcmp(got, want) != 0) {
            failures++;
            got[strlen(got) - 1] = '\0';
            last = strrchr(got, '\n');
            keep = last ? (size_t)(last - got) + 1 : 0;
            last = got + keep;
            if (strncmp(got, want, keep) != 0 ||
                !(strncmp(last, "NOMEM: ", 7) == 0 || strncmp(last, "OPEN NOMEM: ", 12) == 0 ||
                  strncmp(last, "ACH NOMEM: ", 11) == 0)) {
                bad++;
                printf("torture %s, allocation %lu: %s\n", what, nth, last);
            }
        }
        free(got);
        if (used < nth)
            break;
    }
    CHECK(bad == 0 && failures > 2 && used < nth,
          "%s: %d failed allocations end in a clean NOMEM (%d not)", what, failures, bad);
    free(want);
}

static void test_torture(void)
{
    struct text csv = { NULL, 0, 0 }, jl = { NULL, 0, 0 };
    size_t i;

    /* 1000 rows: the key set has to grow (it starts with 1024 slots) */
    add(&csv, "recipient,name,key\n");
    for (i = 0; i < 1000; i++) {
        add(&csv, "u%zu@example.org,U %zu,%s\n", i, i, i % 10 == 3 ? "dup" : "");
        add(&jl, "{\"recipient\":\"u%zu@example.org\",\"name\":\"U %zu\"}\n", i, i);
    }
    torture(MC_ROWS_CSV, csv.p, csv.n, "CSV");
    torture(MC_ROWS_JSONL, jl.p, jl.n, "JSON Lines");
    free(csv.p);
    free(jl.p);
}

int main(void)
{
    const char *big = getenv("MCRED_TEST_BIG");

    /* streams first: the peak RSS they check is the process's */
    test_stream(false, (size_t)200 << 20);
    test_stream(true, (size_t)200 << 20);
    if (big && strcmp(big, "1") == 0) {
        test_stream(false, (size_t)2 << 30);
        test_stream(true, (size_t)2 << 30);
    } else {
        printf("info: the 2 GB streams run with MCRED_TEST_BIG=1\n");
    }
    test_speed(false);
    test_speed(true);
    test_cases();
    test_roundtrip();
    test_limits();
    test_read_errors();
    test_garbage();
    test_keys();
    test_torture();
    test_keyset_million();
    return check_report();
}
