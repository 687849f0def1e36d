/* rows.c - the bulk-input readers declared in rows.h: records are cut from a
 * fixed input window refilled through the caller's read callback, split in
 * place (CSV) or parsed with mc_json_parse (JSON Lines), and checked field by
 * field; plus the hashed key set that finds duplicate idempotency keys.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <sodium.h>

#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include "crypto/hash.h"
#include "model/ob.h"
#include "service/rows.h"
#include "util/json.h"
#include "util/time.h"

/* The columns, in the order of struct mc_row's strings. */
enum { F_RECIPIENT, F_NAME, F_KEY, F_VALID_UNTIL, F_EVIDENCE_URL, F_COUNT };
static const char *const field_names[F_COUNT] = {
    "recipient", "name", "key", "valid_until", "evidence_url",
};
#define KNOWN_COLUMNS "recipient, name, key, valid_until, evidence_url"

#define MAX_HEADER_COLUMNS 64   /* header columns looked at one by one */

/* Design note: the input window holds two records' worth of bytes. A record
 * is at most MC_ROWS_MAX_RECORD (plus "\r\n"), so after moving the unread
 * tail to the front there is always at least MC_ROWS_MAX_RECORD of room for
 * the next read: each byte is moved at most about once on average, and memory
 * stays O(record) whatever the input's size. */
#define WINDOW (2 * MC_ROWS_MAX_RECORD + 2)
#define READ_MIN ((size_t)16 * 1024)   /* refill in place while this much is free */

/* CSV quoting state while looking for the end of a record. */
enum qstate {
    Q_FIELD_START,   /* at the start of a field: only spaces seen */
    Q_UNQUOTED,      /* inside an unquoted field (or after a closing quote) */
    Q_QUOTED,        /* inside a quoted field */
    Q_QUOTE,         /* a quote inside a quoted field: "" or the closing one */
};

/* A record cut from the window. */
struct rec {
    char *p;       /* first byte, in the window; p[n] may be overwritten */
    size_t n;      /* bytes, without the line end */
    size_t line;   /* input line of its first byte */
};

struct mc_rows {
    enum mc_rows_format fmt;
    struct mc_reader rd;
    char *win;              /* the input window, WINDOW + 1 bytes */
    size_t start;           /* first byte of the next record in win */
    size_t len;             /* bytes of input in win */
    bool eof;               /* read() returned 0 */
    bool bom_done;          /* the byte order mark check is done */
    size_t scan;            /* bytes of the pending record already scanned */
    size_t scan_lf;         /* line feeds inside the pending record so far */
    enum qstate q;          /* CSV quoting state at win[start + scan] */
    size_t line;            /* input line of the next record */
    size_t number;          /* data rows read, good or bad */
    size_t bad_run;         /* bad rows since the last good one */
    size_t ncols;           /* CSV: columns in the header */
    unsigned char cols[F_COUNT];   /* CSV: column i holds field cols[i] */
    const char *vals[F_COUNT];     /* the current row's values, in win */
    char *achievement;      /* owned; NULL: only explicit keys are tracked */
    struct mc_keyset *keys; /* effective keys handed out; created on first use */
    char keybuf[65];        /* the current row's default key */
    mcred_rc stop;          /* once set, every call returns it */
    char stop_msg[MC_ERRMSG_MAX];
};

static const char *fmt_name(const struct mc_rows *rs)
{
    return rs->fmt == MC_ROWS_CSV ? "CSV" : "JSON Lines";
}

/* ---- messages ----------------------------------------------------------------- */

/* Up to 60 bytes of s for a message: control characters as \xHH, cut on a
 * UTF-8 boundary with "..." appended. s is valid UTF-8 here. */
static const char *show(const char *s, char out[96])
{
    size_t i, o = 0;

    for (i = 0; s[i] && o < 60; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f) {
            snprintf(out + o, 5, "\\x%02x", c);
            o += 4;
        } else {
            out[o++] = (char)c;
        }
    }
    if (s[i]) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
            o--;   /* drop a cut multi-byte sequence's continuation bytes */
        if (o > 0 && (unsigned char)out[o - 1] >= 0xc0)
            o--;   /* and its lead byte */
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* Stop the stream: this and every later call return rc with msg. */
static mcred_rc halt(struct mc_rows *rs, mcred_rc rc, const char *msg, struct mc_err *err)
{
    rs->stop = rc;
    mc_strlcpy(rs->stop_msg, msg, sizeof(rs->stop_msg));
    return mc_err_set(err, rc, "%s", msg);
}

/* ---- the input window ---------------------------------------------------------- */

/* Read more input after win[len]; moves the pending record to the front
 * first when little room is left. Sets eof at the end of the input. */
static mcred_rc refill(struct mc_rows *rs, struct mc_err *err)
{
    size_t room;
    long got;

    if (WINDOW - rs->len < READ_MIN && rs->start > 0) {
        memmove(rs->win, rs->win + rs->start, rs->len - rs->start);
        rs->len -= rs->start;
        rs->start = 0;
    }
    room = WINDOW - rs->len;
    if (NEVER(room == 0))
        return mc_err_set(err, MCRED_ERR_INTERNAL, "the input window is full");
    got = rs->rd.read(rs->rd.ud, rs->win + rs->len, room);
    if (got < 0)
        return mc_err_set(err, MCRED_ERR_IO, "cannot read the input (a read error at line %zu)",
                          rs->line);
    if ((size_t)got > room)
        return mc_err_set(err, MCRED_ERR_IO, "the input reader returned %ld bytes, %zu were asked",
                          got, room);
    if (got == 0)
        rs->eof = true;
    rs->len += (size_t)got;
    return MCRED_OK;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static mcred_rc skip_bom(struct mc_rows *rs, struct mc_err *err)
{
    mcred_rc rc;

    while (rs->len < 3 && !rs->eof) {
        rc = refill(rs, err);
        if (rc)
            return rc;
    }
    if (rs->len >= 3 && memcmp(rs->win, "\xef\xbb\xbf", 3) == 0)
        rs->start = 3;
    rs->bom_done = true;
    return MCRED_OK;
}

/* The CSV state machine over win[i..len), from state rs->q. Returns true with
 * *end at the line feed that ends the record; otherwise records how far it got. */
static bool scan_csv_slow(struct mc_rows *rs, size_t i, size_t *end)
{
    const char *p = rs->win;
    enum qstate q = rs->q;

    for (; i < rs->len; i++) {
        char c = p[i];

        if (q == Q_QUOTED) {
            if (c == '"')
                q = Q_QUOTE;
            else if (c == '\n')
                rs->scan_lf++;
            continue;
        }
        if (q == Q_QUOTE) {
            if (c == '"') {
                q = Q_QUOTED;   /* "" stands for one quote */
                continue;
            }
            q = Q_UNQUOTED;     /* the closing quote; c is outside again */
        } else if (q == Q_FIELD_START) {
            if (c == '"') {
                q = Q_QUOTED;
                continue;
            }
            if (c != ' ' && c != '\t')
                q = Q_UNQUOTED;
        }
        if (c == '\n') {
            *end = i;
            return true;
        }
        if (c == ',')
            q = Q_FIELD_START;
    }
    rs->q = q;
    rs->scan = i - rs->start;
    return false;
}

/* Find the end of the pending CSV record: a line feed outside quotes. The
 * common line without quotes is found with two memchr calls. */
static bool scan_csv(struct mc_rows *rs, size_t *end)
{
    size_t i = rs->start + rs->scan;

    if (rs->q == Q_FIELD_START || rs->q == Q_UNQUOTED) {
        const char *nl = memchr(rs->win + i, '\n', rs->len - i);
        size_t stop = nl ? (size_t)(nl - rs->win) : rs->len;

        if (!memchr(rs->win + i, '"', stop - i)) {
            if (nl) {
                *end = stop;
                return true;
            }
            /* no quote and no line end yet: the state at the end is whether
             * the last comma is followed by spaces only */
            while (stop > i && (rs->win[stop - 1] == ' ' || rs->win[stop - 1] == '\t'))
                stop--;
            if (stop > i)
                rs->q = rs->win[stop - 1] == ',' ? Q_FIELD_START : Q_UNQUOTED;
            rs->scan = rs->len - rs->start;
            return false;
        }
    }
    return scan_csv_slow(rs, i, end);
}

static bool scan_line(struct mc_rows *rs, size_t *end)
{
    size_t i = rs->start + rs->scan;
    const char *nl = memchr(rs->win + i, '\n', rs->len - i);

    if (nl) {
        *end = (size_t)(nl - rs->win);
        return true;
    }
    rs->scan = rs->len - rs->start;
    return false;
}

static bool is_blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    }
    return true;
}

/* Cut the next non-blank record from the input. NOTFOUND at the end; LIMIT
 * when it is longer than MC_ROWS_MAX_RECORD (message left to the caller, with
 * out->line set); IO. */
static mcred_rc next_record(struct mc_rows *rs, struct rec *out, struct mc_err *err)
{
    mcred_rc rc;
    size_t end, lf;
    bool found;

    if (!rs->bom_done) {
        rc = skip_bom(rs, err);
        if (rc)
            return rc;
    }
    for (;;) {
        out->line = rs->line;
        found = rs->fmt == MC_ROWS_CSV ? scan_csv(rs, &end) : scan_line(rs, &end);
        if (!found && rs->len - rs->start > MC_ROWS_MAX_RECORD + 1)
            return MCRED_ERR_LIMIT;
        if (!found && !rs->eof) {
            rc = refill(rs, err);
            if (rc)
                return rc;
            continue;
        }
        if (!found && rs->start == rs->len)
            return MCRED_ERR_NOTFOUND;
        if (!found)
            end = rs->len;   /* the last record, without a line end */
        out->p = rs->win + rs->start;
        out->n = end - rs->start;
        lf = rs->scan_lf;
        rs->start = found ? end + 1 : end;
        rs->scan = 0;
        rs->scan_lf = 0;
        rs->q = Q_FIELD_START;
        rs->line += 1 + lf;
        if (out->n > 0 && out->p[out->n - 1] == '\r')
            out->n--;
        if (out->n > MC_ROWS_MAX_RECORD)
            return MCRED_ERR_LIMIT;
        if (!is_blank(out->p, out->n))
            return MCRED_OK;
    }
}

/* ---- CSV fields ----------------------------------------------------------------- */

/* Split the record p[0..n) into fields, in place: quotes removed, "" made ",
 * spaces around unquoted values and outside quotes dropped, each value
 * NUL-terminated (p[n] may be written). Stores the first max values in f and
 * the number of fields in *count. INVALID with a message for broken quoting. */
static mcred_rc csv_split(char *p, size_t n, char **f, size_t max, size_t *count,
                          struct mc_err *e)
{
    size_t i = 0, k = 0;

    *count = 0;
    for (;;) {
        char *val;

        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i < n && p[i] == '"') {
            size_t w = i;   /* write position: never past the read position */

            val = p + w;
            i++;
            for (;;) {
                const char *qt = memchr(p + i, '"', n - i);
                size_t run;

                if (!qt)
                    return mc_err_set(e, MCRED_ERR_INVALID,
                                      "field %zu: the quoted value is not closed", k + 1);
                run = (size_t)(qt - (p + i));
                memmove(p + w, p + i, run);
                w += run;
                i += run + 1;
                if (i < n && p[i] == '"') {
                    p[w++] = '"';
                    i++;
                    continue;
                }
                break;
            }
            while (i < n && (p[i] == ' ' || p[i] == '\t'))
                i++;
            if (i < n && p[i] != ',')
                return mc_err_set(e, MCRED_ERR_INVALID,
                                  "field %zu: unexpected text after the closing quote", k + 1);
            p[w] = '\0';
        } else {
            const char *comma = memchr(p + i, ',', n - i);
            size_t stop = comma ? (size_t)(comma - p) : n, t = stop;

            while (t > i && (p[t - 1] == ' ' || p[t - 1] == '\t'))
                t--;
            if (memchr(p + i, '"', t - i))
                return mc_err_set(e, MCRED_ERR_INVALID,
                                  "field %zu: a quote inside a value that does not start with one",
                                  k + 1);
            val = p + i;
            p[t] = '\0';
            i = stop;
        }
        if (k < max)
            f[k] = val;
        k++;
        if (i >= n)
            break;
        i++;   /* the comma */
    }
    *count = k;
    return MCRED_OK;
}

static int field_index(const char *name)
{
    int i;

    for (i = 0; i < F_COUNT; i++) {
        if (strcmp(name, field_names[i]) == 0)
            return i;
    }
    return -1;
}

/* A record must be text: no NUL byte, valid UTF-8. */
static mcred_rc check_text(const char *p, size_t n, struct mc_err *e)
{
    if (memchr(p, '\0', n))
        return mc_err_set(e, MCRED_ERR_INVALID, "contains a NUL byte");
    if (!mc_utf8_valid(p, n))
        return mc_err_set(e, MCRED_ERR_INVALID, "is not valid UTF-8");
    return MCRED_OK;
}

/* The header's column names, already split: known, none twice, recipient there. */
static mcred_rc header_columns(struct mc_rows *rs, char **f, size_t k, struct mc_err *e)
{
    char unknown[200], tmp[96];
    size_t i, nunknown = 0, ulen = 0;
    int seen[F_COUNT];

    if (k > MAX_HEADER_COLUMNS)
        return mc_err_set(e, MCRED_ERR_INVALID, "%zu columns; the known ones are %s", k,
                          KNOWN_COLUMNS);
    for (i = 0; i < F_COUNT; i++)
        seen[i] = -1;
    unknown[0] = '\0';
    for (i = 0; i < k; i++) {
        int x;

        if (!f[i][0])
            return mc_err_set(e, MCRED_ERR_INVALID, "column %zu has no name", i + 1);
        x = field_index(f[i]);
        if (x < 0) {
            int w = snprintf(unknown + ulen, sizeof(unknown) - ulen, "%s'%s'",
                             nunknown ? ", " : "", show(f[i], tmp));

            if (w < 0 || (size_t)w >= sizeof(unknown) - ulen)
                ulen = sizeof(unknown) - 1;   /* full: name no more */
            else
                ulen += (size_t)w;
            nunknown++;
            continue;
        }
        if (seen[x] >= 0)
            return mc_err_set(e, MCRED_ERR_INVALID,
                              "column '%s' appears twice (columns %d and %zu)", field_names[x],
                              seen[x] + 1, i + 1);
        seen[x] = (int)i;
        if (i < F_COUNT)   /* past F_COUNT some earlier column is unknown */
            rs->cols[i] = (unsigned char)x;
    }
    if (nunknown)
        return mc_err_set(e, MCRED_ERR_INVALID, "unknown column%s %s (the columns are %s)",
                          nunknown > 1 ? "s" : "", unknown, KNOWN_COLUMNS);
    if (seen[F_RECIPIENT] < 0)
        return mc_err_set(e, MCRED_ERR_INVALID, "there is no 'recipient' column");
    rs->ncols = k;
    return MCRED_OK;
}

static mcred_rc read_header(struct mc_rows *rs, struct mc_err *err)
{
    struct mc_err e = { MCRED_OK, "" };
    char *f[MAX_HEADER_COLUMNS];
    struct rec r = { NULL, 0, 1 };
    size_t k = 0;
    mcred_rc rc;

    rc = next_record(rs, &r, &e);
    if (rc == MCRED_ERR_NOTFOUND)
        return mc_err_set(err, MCRED_ERR_INVALID,
                          "the input is empty: a CSV header row naming at least 'recipient' is "
                          "required");
    if (rc == MCRED_ERR_LIMIT)
        return mc_err_set(err, rc, "header (line %zu): longer than %zu bytes", r.line,
                          MC_ROWS_MAX_RECORD);
    if (rc)
        return mc_err_set(err, rc, "%s", e.msg);
    rc = check_text(r.p, r.n, &e);
    if (rc == MCRED_OK)
        rc = csv_split(r.p, r.n, f, MAX_HEADER_COLUMNS, &k, &e);
    if (rc == MCRED_OK)
        rc = header_columns(rs, f, k, &e);
    if (rc)
        return mc_err_set(err, rc, "header (line %zu): %s", r.line, e.msg);
    return MCRED_OK;
}

static mcred_rc csv_row(struct mc_rows *rs, struct rec *r, struct mc_err *e)
{
    char *f[F_COUNT];
    size_t k, i;
    mcred_rc rc;

    rc = csv_split(r->p, r->n, f, F_COUNT, &k, e);
    if (rc)
        return rc;
    if (k != rs->ncols)
        return mc_err_set(e, MCRED_ERR_INVALID, "has %zu field%s, the header has %zu", k,
                          k == 1 ? "" : "s", rs->ncols);
    for (i = 0; i < k; i++)
        rs->vals[rs->cols[i]] = f[i][0] ? f[i] : NULL;
    return MCRED_OK;
}

/* ---- JSON Lines ------------------------------------------------------------------ */

/* mc_json_parse locates errors by line and column; a JSON Lines record is one
 * line, so keep only the column ("... at line 1, column 7" -> "... at column 7"). */
static mcred_rc json_error(const struct mc_err *je, struct mc_err *e)
{
    const char *m = je->msg, *at = strstr(m, "line 1, column ");

    if (!at)
        return mc_err_set(e, MCRED_ERR_INVALID, "%s", m);
    return mc_err_set(e, MCRED_ERR_INVALID, "%.*s%s", (int)(at - m), m, at + 8);
}

/* The members of one parsed line into rs->vals, copied over the record's own
 * bytes: each decoded string is shorter than its JSON text, so they fit. */
static mcred_rc json_members(struct mc_rows *rs, const cJSON *doc, struct rec *r,
                             struct mc_err *e)
{
    const char *v[F_COUNT] = { NULL };
    const cJSON *m;
    char tmp[96];
    size_t w = 0, len;
    int i;

    if (!cJSON_IsObject(doc))
        return mc_err_set(e, MCRED_ERR_INVALID, "is not a JSON object");
    cJSON_ArrayForEach(m, doc) {
        i = field_index(m->string);
        if (i < 0)
            return mc_err_set(e, MCRED_ERR_INVALID, "unknown member '%s' (the members are %s)",
                              show(m->string, tmp), KNOWN_COLUMNS);
        if (v[i])
            return mc_err_set(e, MCRED_ERR_INVALID, "member '%s' appears twice", field_names[i]);
        if (!cJSON_IsString(m))
            return mc_err_set(e, MCRED_ERR_INVALID, "member '%s' is not a string",
                              field_names[i]);
        v[i] = m->valuestring;
    }
    for (i = 0; i < F_COUNT; i++) {
        if (!v[i] || !v[i][0])
            continue;
        len = strlen(v[i]);
        if (NEVER(w + len + 1 > r->n + 1))
            return mc_err_set(e, MCRED_ERR_INTERNAL, "decoded JSON longer than its text");
        memcpy(r->p + w, v[i], len + 1);
        rs->vals[i] = r->p + w;
        w += len + 1;
    }
    return MCRED_OK;
}

/* The offset of the bracket nested deeper than MC_JSON_MAX_DEPTH, or n.
 * Work-around: mc_json_parse must not see such nesting while its report of it
 * reads an unset pointer (json.c: located(p, prescan(.., &what), what, ..)
 * takes `what` before prescan sets it). Lines with few brackets skip the scan. */
static size_t too_deep(const char *p, size_t n)
{
    size_t i, depth = 0, brackets = 0;
    bool in_str = false;

    for (i = 0; i < n; i++)
        brackets += p[i] == '[' || p[i] == '{';
    if (brackets <= MC_JSON_MAX_DEPTH)
        return n;
    for (i = 0; i < n; i++) {
        if (in_str) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                in_str = false;
        } else if (p[i] == '"') {
            in_str = true;
        } else if ((p[i] == '[' || p[i] == '{') && ++depth > MC_JSON_MAX_DEPTH) {
            return i;
        } else if ((p[i] == ']' || p[i] == '}') && depth) {
            depth--;
        }
    }
    return n;
}

static mcred_rc jsonl_row(struct mc_rows *rs, struct rec *r, struct mc_err *e)
{
    struct mc_err je = { MCRED_OK, "" };
    cJSON *doc = NULL;
    size_t deep = too_deep(r->p, r->n);
    bool own;
    mcred_rc rc;

    if (deep < r->n)
        return mc_err_set(e, MCRED_ERR_INVALID,
                          "JSON nesting deeper than %d levels (column %zu)", MC_JSON_MAX_DEPTH,
                          deep + 1);
    own = mc_json_arena_begin();
    rc = mc_json_parse(r->p, r->n, MC_ROWS_MAX_RECORD, &doc, &je);
    if (rc == MCRED_ERR_NOMEM)
        rc = mc_err_set(e, rc, "%s", je.msg);
    else if (rc)
        rc = json_error(&je, e);   /* a syntax error, or nesting too deep: this row only */
    else
        rc = json_members(rs, doc, r, e);
    cJSON_Delete(doc);
    if (own)
        mc_json_arena_end();
    return rc;
}

/* ---- checks ------------------------------------------------------------------- */

bool mc_rows_is_did(const char *s)
{
    const char *p = s + 4;

    if (strncmp(s, "did:", 4) != 0)
        return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
        p++;
    if (p == s + 4 || *p != ':' || !p[1])
        return false;
    for (p++; *p; p++) {
        char c = *p;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_' || c == ':')
            continue;
        if (c == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            p += 2;
            continue;
        }
        return false;
    }
    return p[-1] != ':';
}

/* A C0 control, DEL or a C1 control (U+0080..U+009F, UTF-8 C2 80..C2 9F). */
static bool has_control(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return true;
    }
    return false;
}

/* Each value against its column's rules. */
static mcred_rc check_values(const char *const *v, struct mc_err *e)
{
    char tmp[96];
    time_t t;
    size_t n;

    if (!v[F_RECIPIENT])
        return mc_err_set(e, MCRED_ERR_INVALID, "recipient is missing");
    if (strncmp(v[F_RECIPIENT], "did:", 4) == 0) {
        if (!mc_rows_is_did(v[F_RECIPIENT]))
            return mc_err_set(e, MCRED_ERR_INVALID, "recipient '%s' is not a valid DID",
                              show(v[F_RECIPIENT], tmp));
    } else if (!mc_is_email(v[F_RECIPIENT])) {
        return mc_err_set(e, MCRED_ERR_INVALID,
                          "recipient '%s' is neither an e-mail address nor a DID",
                          show(v[F_RECIPIENT], tmp));
    }
    if (v[F_NAME]) {
        n = strlen(v[F_NAME]);
        if (n > MC_ROWS_MAX_NAME)
            return mc_err_set(e, MCRED_ERR_INVALID, "name is %zu bytes long, the limit is %d", n,
                              MC_ROWS_MAX_NAME);
        if (has_control(v[F_NAME]))
            return mc_err_set(e, MCRED_ERR_INVALID, "name '%s' contains a control character",
                              show(v[F_NAME], tmp));
    }
    if (v[F_KEY]) {
        n = strlen(v[F_KEY]);
        if (n > MC_ROWS_MAX_KEY)
            return mc_err_set(e, MCRED_ERR_INVALID, "key is %zu bytes long, the limit is %d", n,
                              MC_ROWS_MAX_KEY);
        if (has_control(v[F_KEY]))
            return mc_err_set(e, MCRED_ERR_INVALID, "key '%s' contains a control character",
                              show(v[F_KEY], tmp));
    }
    if (v[F_VALID_UNTIL] && mc_time_parse(v[F_VALID_UNTIL], true, &t) != MCRED_OK)
        return mc_err_set(e, MCRED_ERR_INVALID,
                          "valid_until '%s' is not an RFC 3339 date-time with an offset "
                          "(like 2030-12-31T23:59:59Z)",
                          show(v[F_VALID_UNTIL], tmp));
    if (v[F_EVIDENCE_URL] && !mc_is_uri(v[F_EVIDENCE_URL]))
        return mc_err_set(e, MCRED_ERR_INVALID, "evidence_url '%s' is not an absolute URI",
                          show(v[F_EVIDENCE_URL], tmp));
    return MCRED_OK;
}

/* The row's effective key, checked against those handed out before. INVALID
 * for a duplicate; LIMIT (too many keys) and NOMEM stop the stream. */
static mcred_rc track_key(struct mc_rows *rs, const char **keyp, struct mc_err *e)
{
    const char *key = rs->vals[F_KEY];
    char tmp[96];
    size_t first = 0;
    mcred_rc rc;

    *keyp = key;
    if (!key && !rs->achievement)
        return MCRED_OK;
    if (!key) {
        rc = mc_rows_default_key(rs->achievement, rs->vals[F_RECIPIENT], rs->keybuf);
        if (rc)
            return mc_err_set(e, rc, "cannot derive the default key");
        key = rs->keybuf;
        *keyp = key;
    }
    if (!rs->keys) {
        rc = mc_keyset_new(&rs->keys, 0);
        if (rc)
            return mc_err_set(e, rc, "no memory for the key set");
    }
    rc = mc_keyset_insert(rs->keys, key, strlen(key), rs->number, &first);
    if (rc == MCRED_ERR_CONFLICT && rs->vals[F_KEY])
        return mc_err_set(e, MCRED_ERR_INVALID, "duplicate key '%s' (first in row %zu)",
                          show(key, tmp), first);
    if (rc == MCRED_ERR_CONFLICT)
        return mc_err_set(e, MCRED_ERR_INVALID,
                          "recipient '%s' appears twice for this achievement (first in row %zu); "
                          "give each a distinct key to issue twice",
                          show(rs->vals[F_RECIPIENT], tmp), first);
    if (rc == MCRED_ERR_LIMIT)
        return mc_err_set(e, rc, "more than %zu distinct keys in one input; split it",
                          MC_KEYSET_MAX_KEYS);
    if (rc)
        return mc_err_set(e, rc, "no memory for the key set");
    return MCRED_OK;
}

/* ---- the reader ---------------------------------------------------------------- */

mcred_rc mc_rows_open(struct mc_rows **out, enum mc_rows_format f, const struct mc_reader *r,
                      struct mc_err *err)
{
    struct mc_rows *rs;
    mcred_rc rc;

    *out = NULL;
    if (!r || !r->read || (f != MC_ROWS_CSV && f != MC_ROWS_JSONL))
        return mc_err_set(err, MCRED_ERR_INVALID, "no input reader or an unknown format");
    rs = mc_calloc(1, sizeof(*rs));
    if (!rs)
        return mc_err_set(err, MCRED_ERR_NOMEM, "no memory for the %s reader",
                          f == MC_ROWS_CSV ? "CSV" : "JSON Lines");
    rs->fmt = f;
    rs->rd = *r;
    rs->line = 1;
    rs->q = Q_FIELD_START;
    rs->win = mc_malloc(WINDOW + 1);
    if (!rs->win) {
        mc_free(rs);
        return mc_err_set(err, MCRED_ERR_NOMEM, "no memory for the input window");
    }
    if (f == MC_ROWS_CSV) {
        rc = read_header(rs, err);
        if (rc) {
            mc_rows_free(rs);
            return rc;
        }
    }
    *out = rs;
    return MCRED_OK;
}

mcred_rc mc_rows_set_achievement(struct mc_rows *rs, const char *achievement_uri,
                                 struct mc_err *err)
{
    char tmp[96], *copy;

    if (!achievement_uri || !mc_is_uri(achievement_uri))
        return mc_err_set(err, MCRED_ERR_INVALID, "achievement '%s' is not an absolute URI",
                          achievement_uri ? show(achievement_uri, tmp) : "(null)");
    copy = mc_strdup(achievement_uri);
    if (!copy)
        return mc_err_set(err, MCRED_ERR_NOMEM, "no memory for the achievement URI");
    mc_free(rs->achievement);
    rs->achievement = copy;
    return MCRED_OK;
}

/* Parse and check the record r as the current row; e gets the reason. */
static mcred_rc one_row(struct mc_rows *rs, struct rec *r, struct mc_row *row, struct mc_err *e)
{
    const char *key = NULL;
    mcred_rc rc;

    memset(rs->vals, 0, sizeof(rs->vals));
    rc = check_text(r->p, r->n, e);
    if (rc)
        return rc;
    rc = rs->fmt == MC_ROWS_CSV ? csv_row(rs, r, e) : jsonl_row(rs, r, e);
    if (rc)
        return rc;
    rc = check_values(rs->vals, e);
    if (rc)
        return rc;
    rc = track_key(rs, &key, e);
    if (rc)
        return rc;
    row->recipient = rs->vals[F_RECIPIENT];
    row->name = rs->vals[F_NAME];
    row->key = key;
    row->valid_until = rs->vals[F_VALID_UNTIL];
    row->evidence_url = rs->vals[F_EVIDENCE_URL];
    return MCRED_OK;
}

mcred_rc mc_rows_next(struct mc_rows *rs, struct mc_row *row, struct mc_err *err)
{
    struct mc_err e = { MCRED_OK, "" };
    struct rec r = { NULL, 0, 0 };
    mcred_rc rc;

    memset(row, 0, sizeof(*row));
    if (rs->stop)
        return mc_err_set(err, rs->stop, "%s", rs->stop_msg);
    rc = next_record(rs, &r, &e);
    row->line = r.line;
    row->number = rs->number + (rc == MCRED_ERR_NOTFOUND ? 0 : 1);
    if (rc == MCRED_ERR_NOTFOUND)
        return halt(rs, rc, "end of input", err);
    if (rc == MCRED_ERR_LIMIT) {
        mc_err_set(&e, rc, "row %zu (line %zu): longer than %zu bytes; the rest of the input "
                   "cannot be read", row->number, row->line, MC_ROWS_MAX_RECORD);
        return halt(rs, rc, e.msg, err);
    }
    if (rc)
        return halt(rs, rc, e.msg, err);
    rs->number++;
    rc = one_row(rs, &r, row, &e);
    if (rc == MCRED_OK) {
        rs->bad_run = 0;
        return MCRED_OK;
    }
    row->recipient = row->name = row->key = row->valid_until = row->evidence_url = NULL;
    if (rc != MCRED_ERR_INVALID) {
        char msg[MC_ERRMSG_MAX];

        snprintf(msg, sizeof(msg), "row %zu (line %zu): %s", row->number, row->line, e.msg);
        return halt(rs, rc, msg, err);
    }
    if (++rs->bad_run > MC_ROWS_MAX_BAD_RUN) {
        char msg[MC_ERRMSG_MAX];

        snprintf(msg, sizeof(msg), "row %zu (line %zu): more than %d bad rows in a row; the "
                 "input does not look like %s (this row: %s)", row->number, row->line,
                 MC_ROWS_MAX_BAD_RUN, fmt_name(rs), e.msg);
        return halt(rs, MCRED_ERR_LIMIT, msg, err);
    }
    return mc_err_set(err, MCRED_ERR_INVALID, "row %zu (line %zu): %s", row->number, row->line,
                      e.msg);
}

void mc_rows_free(struct mc_rows *rs)
{
    if (!rs)
        return;
    mc_keyset_free(rs->keys);
    mc_free(rs->achievement);
    mc_free(rs->win);
    mc_free(rs);
}

mcred_rc mc_rows_default_key(const char *achievement_uri, const char *recipient, char out[65])
{
    uint8_t h[MC_SHA256_BYTES];
    char stackbuf[512], *b = stackbuf;
    size_t na, nr, i;
    bool email;

    out[0] = '\0';
    if (!achievement_uri || !recipient || !achievement_uri[0] || !recipient[0])
        return MCRED_ERR_INVALID;
    na = strlen(achievement_uri);
    nr = strlen(recipient);
    if (na + nr + 1 > sizeof(stackbuf)) {
        b = mc_malloc(na + nr + 1);
        if (!b)
            return MCRED_ERR_NOMEM;
    }
    memcpy(b, achievement_uri, na);
    b[na] = '\n';
    email = strncmp(recipient, "did:", 4) != 0;
    for (i = 0; i < nr; i++) {
        char c = recipient[i];

        b[na + 1 + i] = email && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    mc_sha256(b, na + 1 + nr, h);
    if (b != stackbuf)
        mc_free(b);
    sodium_bin2hex(out, 65, h, MC_SHA256_BYTES);
    return MCRED_OK;
}

/* ---- the key set ------------------------------------------------------------------ */

/* A slot: 16 bytes of a key's SHA-256 (all zero: empty) and the row that first
 * used the key (saturating at UINT32_MAX). */
struct slot {
    uint32_t h[4];
    uint32_t row;
};
_Static_assert(sizeof(struct slot) == 20, "a key set slot is 20 bytes");

#define KEYSET_MIN_SLOTS ((size_t)1024)

struct mc_keyset {
    struct slot *t;   /* owned; cap slots */
    size_t cap;       /* a power of two */
    size_t count;     /* keys held */
    size_t max;       /* keys allowed */
};

mcred_rc mc_keyset_new(struct mc_keyset **out, size_t max_keys)
{
    struct mc_keyset *ks = mc_calloc(1, sizeof(*ks));

    *out = NULL;
    if (!ks)
        return MCRED_ERR_NOMEM;
    ks->t = mc_calloc(KEYSET_MIN_SLOTS, sizeof(struct slot));
    if (!ks->t) {
        mc_free(ks);
        return MCRED_ERR_NOMEM;
    }
    ks->cap = KEYSET_MIN_SLOTS;
    ks->max = max_keys ? max_keys : MC_KEYSET_MAX_KEYS;
    *out = ks;
    return MCRED_OK;
}

static size_t slot_of(const struct slot *t, size_t cap, const uint32_t h[4])
{
    size_t i = ((size_t)h[0] | (size_t)h[1] << 16 << 16) & (cap - 1);

    while (t[i].h[0] | t[i].h[1] | t[i].h[2] | t[i].h[3]) {
        if (memcmp(t[i].h, h, 16) == 0)
            return i;
        i = (i + 1) & (cap - 1);
    }
    return i;
}

/* Double the table. NOMEM leaves it as it was. */
static mcred_rc keyset_grow(struct mc_keyset *ks)
{
    size_t cap = ks->cap * 2, i;
    struct slot *t = mc_allocarray(cap, sizeof(*t));

    if (!t)
        return MCRED_ERR_NOMEM;
    memset(t, 0, cap * sizeof(*t));
    for (i = 0; i < ks->cap; i++) {
        const struct slot *s = &ks->t[i];

        if (s->h[0] | s->h[1] | s->h[2] | s->h[3])
            t[slot_of(t, cap, s->h)] = *s;
    }
    mc_free(ks->t);
    ks->t = t;
    ks->cap = cap;
    return MCRED_OK;
}

mcred_rc mc_keyset_insert(struct mc_keyset *ks, const char *key, size_t n, size_t row,
                          size_t *first_row)
{
    uint8_t d[MC_SHA256_BYTES];
    uint32_t h[4];
    size_t i;
    mcred_rc rc;

    mc_sha256(key, n, d);
    memcpy(h, d, sizeof(h));
    if (!(h[0] | h[1] | h[2] | h[3]))
        h[0] = 1;   /* all zero marks an empty slot */
    i = slot_of(ks->t, ks->cap, h);
    if (ks->t[i].h[0] | ks->t[i].h[1] | ks->t[i].h[2] | ks->t[i].h[3]) {
        if (first_row)
            *first_row = ks->t[i].row;
        return MCRED_ERR_CONFLICT;
    }
    if (ks->count >= ks->max)
        return MCRED_ERR_LIMIT;
    if ((ks->count + 1) * 4 > ks->cap * 3) {
        rc = keyset_grow(ks);
        if (rc)
            return rc;
        i = slot_of(ks->t, ks->cap, h);
    }
    memcpy(ks->t[i].h, h, sizeof(h));
    ks->t[i].row = row > UINT32_MAX ? UINT32_MAX : (uint32_t)row;
    ks->count++;
    return MCRED_OK;
}

size_t mc_keyset_count(const struct mc_keyset *ks)
{
    return ks->count;
}

size_t mc_keyset_bytes(const struct mc_keyset *ks)
{
    return ks->cap * sizeof(struct slot);
}

void mc_keyset_free(struct mc_keyset *ks)
{
    if (!ks)
        return;
    mc_free(ks->t);
    mc_free(ks);
}
