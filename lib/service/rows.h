/* rows.h - streaming, bounded readers of the bulk-issuance input files (CSV as
 * in RFC 4180, and JSON Lines), one recipient row at a time, plus the
 * duplicate-key detector that bulk issuing uses to keep idempotency keys
 * unique inside one file. The reader does no file I/O of its own: it pulls
 * bytes through a callback, so a file, stdin or a generator all work, and it
 * holds at most one record (MC_ROWS_MAX_RECORD) of the input at a time.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_ROWS_H
#define MC_SVC_ROWS_H

#include "internal.h"

/* The longest record (CSV: a header or data record, quoted line breaks
 * included; JSON Lines: a line), without its line end. Longer is
 * MCRED_ERR_LIMIT and stops the stream: where the next record starts is then
 * unknown. */
#define MC_ROWS_MAX_RECORD ((size_t)64 * 1024)
/* More consecutive bad rows than this stops the stream with MCRED_ERR_LIMIT:
 * the input is most likely not CSV / JSON Lines at all (binary garbage). */
#define MC_ROWS_MAX_BAD_RUN 1000
#define MC_ROWS_MAX_KEY 200    /* bytes of an idempotency key */
#define MC_ROWS_MAX_NAME 500   /* bytes of a recipient name */

/* Where the bytes come from. read() stores up to n bytes at buf and returns
 * how many (> 0), 0 at the end of the input, or -1 on a read error. It is
 * called only from mc_rows_open and mc_rows_next, on the caller's thread. */
struct mc_reader {
    long (*read)(void *ud, void *buf, size_t n);
    void *ud;   /* passed to read */
};

enum mc_rows_format {
    MC_ROWS_CSV,     /* RFC 4180, with a header row naming the columns */
    MC_ROWS_JSONL,   /* one JSON object per line, no header */
};

/* One row. All strings are borrowed from the reader and valid until the next
 * mc_rows_next or mc_rows_free on it; a column that is absent or empty is
 * NULL. Strings are valid UTF-8 without NUL bytes. */
struct mc_row {
    size_t line;               /* 1-based input line where the record starts */
    size_t number;             /* 1-based data row: the header and blank lines
                                * are not rows; bad rows are */
    const char *recipient;     /* an e-mail address or a DID; never NULL on OK */
    const char *name;          /* the recipient's display name */
    const char *key;           /* the idempotency key (see mc_rows_set_achievement) */
    const char *valid_until;   /* RFC 3339 date-time with an offset */
    const char *evidence_url;  /* an absolute URI */
};

/* A reader is used by one thread at a time; distinct readers are independent. */
struct mc_rows;   /* opaque reader state */

/* Start reading input in format f from r (copied; r->ud must outlive *out).
 * CSV: skips a UTF-8 byte order mark and blank lines, then reads and checks
 * the header row: it must name `recipient`, may name `name`, `key`,
 * `valid_until` and `evidence_url` in any order (exact, lowercase names;
 * spaces around a name are ignored), and naming anything else, or one column
 * twice, is MCRED_ERR_INVALID with a message naming the columns.
 * JSON Lines: nothing is read yet.
 * *out is owned (mc_rows_free) and NULL on failure. Errors: NOMEM; INVALID
 * (empty input, bad header); LIMIT (header longer than MC_ROWS_MAX_RECORD);
 * IO (the read callback failed). */
MC_NODISCARD mcred_rc mc_rows_open(struct mc_rows **out, enum mc_rows_format f,
                                   const struct mc_reader *r, struct mc_err *err);

/* Turn on effective keys: from now on a row without a `key` gets
 * mc_rows_default_key(achievement_uri, recipient) as its key, so row->key is
 * never NULL on MCRED_OK. achievement_uri is copied. Without this call only
 * explicit keys are checked for duplicates. NOMEM or INVALID (not a URI). */
MC_NODISCARD mcred_rc mc_rows_set_achievement(struct mc_rows *rs, const char *achievement_uri,
                                              struct mc_err *err);

/* Read the next row into *row.
 *   MCRED_OK        a row that passed every check below.
 *   MCRED_ERR_NOTFOUND  end of input (returned again on every later call).
 *   MCRED_ERR_INVALID   this row is bad; err says why as
 *                   "row N (line L): <what>"; row->number and row->line say
 *                   where, its strings are NULL, and the reader is at the next
 *                   row, so the caller may report it and go on.
 *   MCRED_ERR_LIMIT, MCRED_ERR_IO, MCRED_ERR_NOMEM  the stream cannot go on
 *                   (a record longer than MC_ROWS_MAX_RECORD, more than
 *                   MC_ROWS_MAX_BAD_RUN bad rows in a row, too many distinct
 *                   keys, a read error, no memory); every later call returns
 *                   the same code and message.
 * A row is bad when it holds a NUL byte or invalid UTF-8; (CSV) has another
 * number of fields than the header or broken quoting; (JSON Lines) is not a
 * JSON object of string members named as the CSV columns; or when recipient is
 * missing or neither an e-mail address nor a DID, valid_until is not an RFC
 * 3339 date-time with an offset, evidence_url is not an absolute URI, key is
 * longer than MC_ROWS_MAX_KEY or holds a control character, name is longer
 * than MC_ROWS_MAX_NAME or holds a control character, or its effective key
 * was already handed out by this reader ("duplicate key ... (first in row M)").
 * Memory: one record plus the key set (see struct mc_keyset). */
MC_NODISCARD mcred_rc mc_rows_next(struct mc_rows *rs, struct mc_row *row, struct mc_err *err);

/* Accepts NULL. */
void mc_rows_free(struct mc_rows *rs);

/* The default idempotency key of issuing achievement_uri to recipient: the
 * lowercase hex SHA-256 of achievement_uri "\n" recipient, where an e-mail
 * recipient is first lowercased (ASCII) so Ann@X.org and ann@x.org are the
 * same person; a DID is taken as it is, because DIDs are case-sensitive.
 * out receives 64 hex digits and a NUL. NOMEM; INVALID when an argument is
 * NULL or empty. */
MC_NODISCARD mcred_rc mc_rows_default_key(const char *achievement_uri, const char *recipient,
                                          char out[65]);

/* True when s is a DID: "did:" method ":" method-specific-id, where method is
 * [a-z0-9]+ and the id is made of ALPHA / DIGIT / "." / "-" / "_" / ":" and
 * %-escapes and does not end in ":" (DID Core, section 3.1). */
bool mc_rows_is_did(const char *s);

/* --- duplicate detection ------------------------------------------------------
 * A set of keys with bounded memory: it stores a 16-byte hash (truncated
 * SHA-256) of each key and the row that first used it, 20 bytes a slot, in an
 * open-addressing table that doubles when three quarters full. The table holds
 * at most max_keys keys; with n keys it takes 20 * 2^ceil(log2(n / 0.75))
 * bytes (at most 80 MiB at the default MC_KEYSET_MAX_KEYS, 40 MiB at
 * 1,000,000 keys), plus the old table during a doubling (half that again). */
#define MC_KEYSET_MAX_KEYS ((size_t)3000000)

struct mc_keyset;

/* An empty set for up to max_keys keys (0 selects MC_KEYSET_MAX_KEYS).
 * *out is owned (mc_keyset_free) and NULL on failure. NOMEM. */
MC_NODISCARD mcred_rc mc_keyset_new(struct mc_keyset **out, size_t max_keys);
/* Add key[0..n), first used by row `row`. MCRED_OK when it was new;
 * MCRED_ERR_CONFLICT when it is already in the set (*first_row, when not NULL,
 * receives the row given when it was added); MCRED_ERR_LIMIT when the set
 * holds max_keys keys; NOMEM. The set is unchanged on failure. */
MC_NODISCARD mcred_rc mc_keyset_insert(struct mc_keyset *ks, const char *key, size_t n,
                                       size_t row, size_t *first_row);
size_t mc_keyset_count(const struct mc_keyset *ks);   /* keys held */
size_t mc_keyset_bytes(const struct mc_keyset *ks);   /* bytes of the table */
/* Accepts NULL. */
void mc_keyset_free(struct mc_keyset *ks);

#endif /* MC_SVC_ROWS_H */
