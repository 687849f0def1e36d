/* csv.c - the delimited-text reader declared in csv.h: a byte-at-a-time
 * state machine over a refilled input buffer, copying each field's bytes
 * (quotes removed) into one record buffer, with every bound checked as the
 * bytes arrive, so memory stays O(record) whatever the input.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "skills/csv.h"
#include "util/json.h"

#define IN_BUF ((size_t)64 * 1024)   /* input bytes read at a time */

enum cstate {
    S_FIELD_START,   /* nothing of the field read yet */
    S_UNQUOTED,      /* inside an unquoted field */
    S_QUOTED,        /* inside a quoted field */
    S_QUOTE,         /* a quote inside a quoted field: "" or the closing one */
    S_AFTER,         /* (trim) spaces after the closing quote */
};

struct mc_csv {
    struct mc_csv_source src;
    const char *mem;          /* mc_csv_open_mem: the input; else NULL */
    size_t mem_n, mem_pos;
    struct mc_csv_opts o;     /* with defaults filled in */
    char *name;               /* owned; for messages */
    char *in;                 /* owned input buffer (IN_BUF), unused for memory input */
    const char *cur;          /* the bytes not yet parsed: cur[0..avail) */
    size_t avail;
    bool eof;                 /* the source returned 0 */
    size_t consumed;          /* input bytes parsed */
    size_t line;              /* current physical line (1-based) */
    char *rec;                /* owned: the record's fields, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t *off, *len;        /* owned: per field offset in rec and length */
    const char **fields;      /* owned: pointers built once the record is complete */
    size_t nf, fcap;
    struct mc_csv_record header;   /* owned copies (hbuf, hfield, hlen) */
    char *hbuf;
    const char **hfield;
    size_t *hlen;
    mcred_rc stop;            /* once set, every call returns it */
    char stop_msg[MC_ERRMSG_MAX];
};

/* ---- errors --------------------------------------------------------------------- */

static mcred_rc fail(struct mc_csv *c, mcred_rc rc, size_t line, struct mc_err *err,
                     const char *fmt, ...) MC_PRINTF(5, 6);
static mcred_rc fail(struct mc_csv *c, mcred_rc rc, size_t line, struct mc_err *err,
                     const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    (void)snprintf(c->stop_msg, sizeof(c->stop_msg), "%.80s:%zu: %s", c->name, line, what);
    c->stop = rc;
    return mc_err_set(err, rc, "%s", c->stop_msg);
}

/* ---- input ---------------------------------------------------------------------- */

/* Make at least one byte available unless at the end. false: end of input
 * (c->eof) or a read error (c->stop set). */
static bool fill(struct mc_csv *c, struct mc_err *err)
{
    long got;

    if (c->avail)
        return true;
    if (c->eof)
        return false;
    if (c->mem) {
        /* memory input is parsed in place */
        c->cur = c->mem + c->mem_pos;
        c->avail = c->mem_n - c->mem_pos;
        c->mem_pos = c->mem_n;
        if (!c->avail)
            c->eof = true;
        return c->avail > 0;
    }
    got = c->src.read(c->src.ud, c->in, IN_BUF);
    if (got < 0 || (size_t)got > IN_BUF) {
        fail(c, MCRED_ERR_IO, c->line, err, "cannot read the input");
        return false;
    }
    if (got == 0) {
        c->eof = true;
        return false;
    }
    c->cur = c->in;
    c->avail = (size_t)got;
    return true;
}

/* The next byte (0..255), or -1 at the end of input or on error (c->stop). */
static int getb(struct mc_csv *c, struct mc_err *err)
{
    if (!c->avail && !fill(c, err))
        return -1;
    c->avail--;
    c->consumed++;
    return (unsigned char)*c->cur++;
}

/* ---- the record buffer ---------------------------------------------------------- */

static mcred_rc rec_put(struct mc_csv *c, char b, struct mc_err *err)
{
    size_t flen = c->rec_len - c->off[c->nf];

    if (flen >= c->o.max_field)
        return fail(c, MCRED_ERR_LIMIT, c->line, err, "field %zu is longer than %zu bytes",
                    c->nf + 1, c->o.max_field);
    if (c->rec_len + 1 >= c->o.max_record)
        return fail(c, MCRED_ERR_LIMIT, c->line, err, "the record is longer than %zu bytes",
                    c->o.max_record);
    if (c->rec_len + 1 >= c->rec_cap) {
        size_t ncap = c->rec_cap * 2;
        char *p;

        if (ncap > c->o.max_record + 1)
            ncap = c->o.max_record + 1;
        p = mc_realloc(c->rec, ncap);
        if (!p)
            return fail(c, MCRED_ERR_NOMEM, c->line, err, "out of memory");
        c->rec = p;
        c->rec_cap = ncap;
    }
    c->rec[c->rec_len++] = b;
    return MCRED_OK;
}

/* Start the next field (after the first). */
static mcred_rc field_next(struct mc_csv *c, struct mc_err *err)
{
    mcred_rc rc = rec_put(c, '\0', err);   /* terminates the previous field */

    if (rc)
        return rc;
    if (c->nf + 1 >= c->o.max_fields)
        return fail(c, MCRED_ERR_LIMIT, c->line, err, "more than %zu fields", c->o.max_fields);
    if (c->nf + 2 > c->fcap) {
        size_t ncap = c->fcap * 2;
        size_t *off = mc_allocarray(ncap, sizeof(*off));
        size_t *len = mc_allocarray(ncap, sizeof(*len));
        const char **f = mc_allocarray(ncap, sizeof(*f));

        if (!off || !len || !f) {
            mc_free(off);
            mc_free(len);
            mc_free(f);
            return fail(c, MCRED_ERR_NOMEM, c->line, err, "out of memory");
        }
        memcpy(off, c->off, c->fcap * sizeof(*off));
        mc_free(c->off);
        mc_free(c->len);
        mc_free(c->fields);
        c->off = off;
        c->len = len;
        c->fields = f;
        c->fcap = ncap;
    }
    c->nf++;
    c->off[c->nf] = c->rec_len;
    return MCRED_OK;
}

/* The record is complete: terminate the last field, check every field's
 * text, and point fields[] into rec. */
static mcred_rc rec_finish(struct mc_csv *c, size_t line, struct mc_err *err)
{
    size_t i, end;
    mcred_rc rc = rec_put(c, '\0', err);

    if (rc)
        return rc;
    c->nf++;
    for (i = 0; i < c->nf; i++) {
        end = i + 1 < c->nf ? c->off[i + 1] - 1 : c->rec_len - 1;
        c->len[i] = end - c->off[i];
        c->fields[i] = c->rec + c->off[i];
        if (memchr(c->fields[i], '\0', c->len[i]))
            return fail(c, MCRED_ERR_INVALID, line, err, "field %zu contains a NUL byte", i + 1);
        if (!mc_utf8_valid(c->fields[i], c->len[i]))
            return fail(c, MCRED_ERR_INVALID, line, err, "field %zu is not valid UTF-8", i + 1);
    }
    return MCRED_OK;
}

/* After '\r': it must start a "\r\n" line end. */
static mcred_rc crlf(struct mc_csv *c, struct mc_err *err)
{
    if (!c->avail && !fill(c, err) && c->stop)
        return c->stop;
    if (c->avail && *c->cur == '\n') {
        c->cur++;
        c->avail--;
        c->consumed++;
        return MCRED_OK;
    }
    return fail(c, MCRED_ERR_INVALID, c->line, err,
                "a carriage return that does not end the line (a bare CR)");
}

/* (trim) Drop the spaces and tabs that end the current, unquoted field. */
static void trim_tail(struct mc_csv *c, bool quoted)
{
    if (!c->o.trim || quoted)
        return;
    while (c->rec_len > c->off[c->nf] &&
           (c->rec[c->rec_len - 1] == ' ' || c->rec[c->rec_len - 1] == '\t'))
        c->rec_len--;
}

/* (resync) Consume the rest of a malformed record: up to a line end outside
 * quotes, quotes toggling as they come. */
static void skip_rest(struct mc_csv *c, bool in_quotes)
{
    int b;

    while ((b = getb(c, NULL)) >= 0) {
        if (b == '"' && !c->o.no_quotes)
            in_quotes = !in_quotes;
        if (b == '\n') {
            c->line++;
            if (!in_quotes)
                return;
        }
    }
}

/* rc from fail() for a malformed record. With resync the record is skipped
 * (the rest of it consumed unless whole) and the stream goes on: INVALID is
 * returned without stopping it. */
static mcred_rc malformed(struct mc_csv *c, mcred_rc rc, bool whole, bool in_quotes)
{
    if (rc != MCRED_ERR_INVALID || !c->o.resync)
        return rc;
    c->stop = MCRED_OK;
    if (!whole)
        skip_rest(c, in_quotes);
    return c->stop ? c->stop : MCRED_ERR_INVALID;
}

/* Outside quotes: a delimiter, a line end or a quote. *done when the record
 * ended. */
static mcred_rc structural(struct mc_csv *c, int b, enum cstate *s, bool *fquoted, size_t *qline,
                           bool *done, struct mc_err *err)
{
    mcred_rc rc;

    if (b == c->o.delim) {
        trim_tail(c, *fquoted);
        rc = field_next(c, err);
        *s = S_FIELD_START;
        *fquoted = false;
        return rc;
    }
    if (b == '\r') {
        rc = crlf(c, err);
        if (rc)
            return malformed(c, rc, false, false);
        b = '\n';
    }
    if (b == '\n') {
        c->line++;
        *done = true;
        return MCRED_OK;
    }
    if (*s != S_FIELD_START)
        return malformed(c, fail(c, MCRED_ERR_INVALID, c->line, err,
                                 "a quote inside field %zu, which does not start with one "
                                 "(write \"\" inside a quoted field)", c->nf + 1), false, false);
    *s = S_QUOTED;
    *fquoted = true;
    *qline = c->line;
    return MCRED_OK;
}

/* After a closing quote (or the spaces after it): text there is an error. */
static mcred_rc after_quote(struct mc_csv *c, size_t qline, struct mc_err *err)
{
    if (qline != c->line)
        return malformed(c, fail(c, MCRED_ERR_INVALID, c->line, err,
                                 "text after the closing quote of field %zu, which opened on "
                                 "line %zu", c->nf + 1, qline), false, false);
    return malformed(c, fail(c, MCRED_ERR_INVALID, c->line, err,
                             "text after the closing quote of field %zu", c->nf + 1),
                     false, false);
}

/* Read one record (a blank line counts as a record of one empty field;
 * *blank says so). NOTFOUND at the end of the input before any byte. */
static mcred_rc read_record(struct mc_csv *c, size_t *start, bool *blank, struct mc_err *err)
{
    enum cstate s = S_FIELD_START;
    size_t qline = 0;
    bool any = false, quoted = false, fquoted = false, done = false;
    int b;
    mcred_rc rc = MCRED_OK;

    c->rec_len = 0;
    c->nf = 0;
    c->off[0] = 0;
    *start = c->line;
    while (!done) {
        b = getb(c, err);
        if (b < 0) {
            if (c->stop)
                return c->stop;
            if (s == S_QUOTED)
                return malformed(c, fail(c, MCRED_ERR_INVALID, c->line, err,
                                         "the quoted field %zu opened on line %zu is not "
                                         "closed at the end of the input", c->nf + 1, qline),
                                 true, false);
            if (!any)
                return MCRED_ERR_NOTFOUND;
            break;   /* the last record, without a line end */
        }
        any = true;
        if (s == S_QUOTED) {
            if (b == '"') {
                s = S_QUOTE;
                continue;
            }
            if (b == '\n')
                c->line++;
            rc = rec_put(c, (char)b, err);
        } else if (s == S_QUOTE && b == '"') {
            s = S_QUOTED;
            rc = rec_put(c, '"', err);
        } else if ((s == S_QUOTE || s == S_AFTER) && c->o.trim && (b == ' ' || b == '\t')) {
            s = S_AFTER;
        } else if ((s == S_QUOTE || s == S_AFTER) && b != c->o.delim && b != '\n' &&
                   b != '\r') {
            return after_quote(c, qline, err);
        } else if (b == c->o.delim || b == '\r' || b == '\n' ||
                   (b == '"' && !c->o.no_quotes)) {
            rc = structural(c, b, &s, &fquoted, &qline, &done, err);
            quoted = quoted || fquoted;
        } else if (s == S_FIELD_START && c->o.trim && (b == ' ' || b == '\t')) {
            continue;   /* spaces before a value */
        } else {
            s = S_UNQUOTED;
            rc = rec_put(c, (char)b, err);
        }
        if (rc)
            return rc;
    }
    trim_tail(c, fquoted);
    *blank = c->nf == 0 && c->rec_len == 0 && !quoted;
    return malformed(c, rec_finish(c, *start, err), true, false);
}

/* ---- the reader ----------------------------------------------------------------- */

static mcred_rc keep_header(struct mc_csv *c, size_t line, struct mc_err *err)
{
    size_t i;

    c->hbuf = mc_malloc(c->rec_len);
    c->hfield = mc_allocarray(c->nf, sizeof(*c->hfield));
    c->hlen = mc_allocarray(c->nf, sizeof(*c->hlen));
    if (!c->hbuf || !c->hfield || !c->hlen)
        return fail(c, MCRED_ERR_NOMEM, line, err, "out of memory");
    memcpy(c->hbuf, c->rec, c->rec_len);
    for (i = 0; i < c->nf; i++) {
        c->hfield[i] = c->hbuf + c->off[i];
        c->hlen[i] = c->len[i];
    }
    c->header.line = line;
    c->header.n = c->nf;
    c->header.field = c->hfield;
    c->header.len = c->hlen;
    return MCRED_OK;
}

static mcred_rc read_header(struct mc_csv *c, struct mc_err *err)
{
    size_t line = 1;
    bool blank = false;
    mcred_rc rc;

    /* a UTF-8 byte order mark */
    if (fill(c, err) && c->avail >= 3 && memcmp(c->cur, "\xef\xbb\xbf", 3) == 0) {
        c->cur += 3;
        c->avail -= 3;
        c->consumed += 3;
    }
    if (c->stop)
        return c->stop;
    do {
        rc = read_record(c, &line, &blank, err);
    } while (rc == MCRED_OK && blank);
    if (rc == MCRED_ERR_NOTFOUND)
        return fail(c, MCRED_ERR_INVALID, c->line, err, "empty input: no header line");
    if (rc)
        return rc;
    return keep_header(c, line, err);
}

static mcred_rc csv_start(struct mc_csv **out, struct mc_csv *c, const struct mc_csv_opts *opts,
                          const char *name, struct mc_err *err)
{
    mcred_rc rc;

    if (opts)
        c->o = *opts;
    if (!c->o.delim)
        c->o.delim = ',';
    if (!c->o.max_field)
        c->o.max_field = MC_CSV_MAX_FIELD;
    if (!c->o.max_record)
        c->o.max_record = MC_CSV_MAX_RECORD;
    if (!c->o.max_fields)
        c->o.max_fields = MC_CSV_MAX_FIELDS;
    c->line = 1;
    c->name = mc_strdup(name ? name : "input");
    c->rec_cap = 4096;
    c->rec = mc_malloc(c->rec_cap);
    c->fcap = 32;
    c->off = mc_allocarray(c->fcap, sizeof(*c->off));
    c->len = mc_allocarray(c->fcap, sizeof(*c->len));
    c->fields = mc_allocarray(c->fcap, sizeof(*c->fields));
    if (!c->name || !c->rec || !c->off || !c->len || !c->fields) {
        mc_csv_free(c);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory opening '%s'",
                          name ? name : "input");
    }
    rc = read_header(c, err);
    if (rc) {
        mc_csv_free(c);
        return rc;
    }
    *out = c;
    return MCRED_OK;
}

mcred_rc mc_csv_open(struct mc_csv **out, const struct mc_csv_source *src,
                     const struct mc_csv_opts *opts, const char *name, struct mc_err *err)
{
    struct mc_csv *c;

    *out = NULL;
    if (!src || !src->read)
        return mc_err_set(err, MCRED_ERR_INVALID, "csv: no input source");
    c = mc_calloc(1, sizeof(*c));
    if (c)
        c->in = mc_malloc(IN_BUF);
    if (!c || !c->in) {
        mc_free(c);
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory opening '%s'",
                          name ? name : "input");
    }
    c->src = *src;
    return csv_start(out, c, opts, name, err);
}

mcred_rc mc_csv_open_mem(struct mc_csv **out, const char *p, size_t n,
                         const struct mc_csv_opts *opts, const char *name, struct mc_err *err)
{
    struct mc_csv *c;

    *out = NULL;
    c = mc_calloc(1, sizeof(*c));
    if (!c)
        return mc_err_set(err, MCRED_ERR_NOMEM, "out of memory opening '%s'",
                          name ? name : "input");
    c->mem = p ? p : "";
    c->mem_n = p ? n : 0;
    return csv_start(out, c, opts, name, err);
}

const struct mc_csv_record *mc_csv_header(const struct mc_csv *c)
{
    return &c->header;
}

int mc_csv_column(const struct mc_csv *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->header.n && i < (size_t)INT32_MAX; i++) {
        if (strcmp(c->header.field[i], name) == 0)
            return (int)i;
    }
    return -1;
}

mcred_rc mc_csv_next(struct mc_csv *c, struct mc_csv_record *rec, struct mc_err *err)
{
    size_t line = 0;
    bool blank = true;
    mcred_rc rc = MCRED_OK;

    memset(rec, 0, sizeof(*rec));
    if (c->stop)
        return mc_err_set(err, c->stop, "%s", c->stop_msg);
    while (rc == MCRED_OK && blank)
        rc = read_record(c, &line, &blank, err);
    if (rc == MCRED_ERR_NOTFOUND) {
        c->stop = rc;
        (void)snprintf(c->stop_msg, sizeof(c->stop_msg), "%.80s: end of input", c->name);
        return mc_err_set(err, rc, "%s", c->stop_msg);
    }
    rec->line = line;
    if (rc)
        return rc;
    if (!c->o.ragged && c->nf != c->header.n)
        return malformed(c, fail(c, MCRED_ERR_INVALID, line, err, "%zu field%s, the header "
                                 "has %zu", c->nf, c->nf == 1 ? "" : "s", c->header.n),
                         true, false);
    rec->n = c->nf;
    rec->field = c->fields;
    rec->len = c->len;
    return MCRED_OK;
}

size_t mc_csv_offset(const struct mc_csv *c)
{
    return c->consumed;
}

void mc_csv_free(struct mc_csv *c)
{
    if (!c)
        return;
    mc_free(c->name);
    mc_free(c->in);
    mc_free(c->rec);
    mc_free(c->off);
    mc_free(c->len);
    mc_free(c->fields);
    mc_free(c->hbuf);
    mc_free(c->hfield);
    mc_free(c->hlen);
    mc_free(c);
}
