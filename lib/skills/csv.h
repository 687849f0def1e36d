/* csv.h - a strict, streaming, bounded reader of delimited text: RFC 4180
 * CSV (quoted fields, "" for a quote, line breaks inside quotes) and
 * tab-separated values without quoting (IANA text/tab-separated-values, the
 * O*NET files). Bytes are pulled through a callback, one record is held at a
 * time, and the first malformed record stops the stream with a message
 * naming the input and its line ("skills_en.csv:17: ..."): the skills
 * importers are all-or-nothing, so there is nothing to resynchronise for.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_CSV_H
#define MC_SKILLS_CSV_H

#include "internal.h"

/* Defaults of struct mc_csv_opts (0 in a field selects them). */
#define MC_CSV_MAX_FIELD ((size_t)64 * 1024)    /* bytes of one field */
#define MC_CSV_MAX_RECORD ((size_t)256 * 1024)  /* bytes of one record's fields */
#define MC_CSV_MAX_FIELDS 256                   /* fields of one record */

/* Where the bytes come from: read() stores up to n bytes at buf and returns
 * how many (> 0), 0 at the end of the input, or -1 on a read error (the same
 * contract as lib/service/rows.h's struct mc_reader). */
struct mc_csv_source {
    long (*read)(void *ud, void *buf, size_t n);
    void *ud;   /* passed to read */
};

struct mc_csv_opts {
    char delim;          /* ',' or '\t' (0: ',') */
    bool no_quotes;      /* TSV: '"' is an ordinary byte, a field cannot hold
                          * a delimiter or a line break */
    bool ragged;         /* allow records of another width than the header */
    bool trim;           /* spaces and tabs around an unquoted value and outside quotes
                          * are not data (lib/service/rows.c reads CSV so) */
    bool resync;         /* a malformed data record is reported (INVALID) and skipped,
                          * and the stream goes on with the next record */
    size_t max_field;    /* 0: MC_CSV_MAX_FIELD */
    size_t max_record;   /* 0: MC_CSV_MAX_RECORD */
    size_t max_fields;   /* 0: MC_CSV_MAX_FIELDS */
};

/* One record. Fields are borrowed from the reader, valid until the next
 * mc_csv_next or mc_csv_free; each is NUL-terminated, valid UTF-8 without NUL
 * bytes, with quotes removed. */
struct mc_csv_record {
    size_t line;                /* 1-based input line where the record starts */
    size_t n;                   /* number of fields (>= 1) */
    const char *const *field;   /* field[0..n) */
    const size_t *len;          /* len[i]: bytes of field[i] */
};

struct mc_csv;   /* opaque; one thread at a time */

/* Start reading src (copied; src->ud must outlive the reader). name (copied,
 * may be NULL: "input") prefixes every message. The first record is the
 * header: it is read here and kept (mc_csv_header); a UTF-8 byte order mark
 * before it is skipped. *out is owned (mc_csv_free), NULL on failure.
 * Errors: INVALID (empty input, malformed header), LIMIT, IO, NOMEM. */
MC_NODISCARD mcred_rc mc_csv_open(struct mc_csv **out, const struct mc_csv_source *src,
                                  const struct mc_csv_opts *opts, const char *name,
                                  struct mc_err *err);

/* The same over the memory p[0..n) (borrowed: it must outlive the reader). */
MC_NODISCARD mcred_rc mc_csv_open_mem(struct mc_csv **out, const char *p, size_t n,
                                      const struct mc_csv_opts *opts, const char *name,
                                      struct mc_err *err);

/* The header record (borrowed; valid until mc_csv_free). */
const struct mc_csv_record *mc_csv_header(const struct mc_csv *c);

/* The index of the header column called name (exact match), or -1. */
int mc_csv_column(const struct mc_csv *c, const char *name);

/* Read the next data record into *rec (rec->line is set on INVALID too).
 * Blank lines (nothing between two line ends) are skipped.
 *   MCRED_OK            a record; unless opts.ragged, it has as many fields
 *                       as the header.
 *   MCRED_ERR_NOTFOUND  the end of the input (again on every later call).
 *   MCRED_ERR_INVALID   malformed input: a quote inside an unquoted field,
 *                       text after a closing quote, a quoted field still open
 *                       at the end, a carriage return not before a line feed,
 *                       a NUL byte, invalid UTF-8, another number of fields
 *                       than the header.
 *   MCRED_ERR_LIMIT     a field, record or field count past its bound.
 *   MCRED_ERR_IO, MCRED_ERR_NOMEM.
 * Every error message is "NAME:LINE: what"; after an error every later call
 * returns the same code and message (the stream is stopped), except INVALID
 * with opts.resync: the malformed record is skipped (its rest read up to a
 * line end outside quotes) and the next call reads the record after it. */
MC_NODISCARD mcred_rc mc_csv_next(struct mc_csv *c, struct mc_csv_record *rec,
                                  struct mc_err *err);

/* Input bytes consumed so far (for progress reports). */
size_t mc_csv_offset(const struct mc_csv *c);

/* Accepts NULL. */
void mc_csv_free(struct mc_csv *c);

#endif /* MC_SKILLS_CSV_H */
