/* skills_int.h - private to lib/skills: reading one table (a CSV or
 * tab-separated file of a framework's distribution) row by row, with its
 * columns found by name in the header, progress reported by bytes, and the
 * rows counted in the framework's read report.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SKILLS_INT_H
#define MC_SKILLS_INT_H

#include "internal.h"

#include <stdio.h>

#include "skills/csv.h"
#include "skills/framework.h"

#define MC_TABLE_MAX_COLS 16

struct mc_table {
    FILE *fp;                      /* owned */
    struct mc_csv *csv;            /* owned */
    struct mc_fw_file *file;       /* the report entry (borrowed from the framework) */
    const struct mc_skills_progress *progress;   /* may be NULL */
    size_t done, total;            /* bytes of earlier files, and of all files */
    char phase[96];                /* "reading <file>" */
    int col[MC_TABLE_MAX_COLS];    /* the header index of each requested column, or -1 */
    size_t ncols;
};

/* Open dir/name (tsv: tab-separated without quoting, else RFC 4180 CSV) and
 * find the columns cols[0..) (NULL-terminated; a name starting with '?' is
 * optional, else the header must have it). Adds name to f's report.
 * NOTFOUND when the file does not exist and required is false (the report
 * says absent); IO when it cannot be opened or read; INVALID for a header
 * without a required column; the csv reader's errors. t is closed on
 * failure. */
MC_NODISCARD mcred_rc mc_table_open(struct mc_table *t, struct mc_fw *f, const char *dir,
                                    const char *name, bool tsv, bool required,
                                    const char *const *cols,
                                    const struct mc_skills_progress *progress, size_t done,
                                    size_t total, struct mc_err *err);
/* Open a table over memory instead (for custom frameworks given inline and
 * the tests); name labels messages. */
MC_NODISCARD mcred_rc mc_table_open_mem(struct mc_table *t, struct mc_fw *f, const char *data,
                                        size_t n, const char *name, const char *const *cols,
                                        struct mc_err *err);
/* The next row: OK, NOTFOUND at the end, or the reader's error. */
MC_NODISCARD mcred_rc mc_table_next(struct mc_table *t, struct mc_csv_record *rec,
                                    struct mc_err *err);
/* Column which (an index into cols) of rec: "" when the file lacks it. */
const char *mc_table_get(const struct mc_table *t, const struct mc_csv_record *rec, size_t which);
/* Input bytes read. */
size_t mc_table_offset(const struct mc_table *t);
void mc_table_close(struct mc_table *t);   /* accepts a zeroed or closed table */

/* The size of dir/name in bytes, 0 when it cannot be read. */
size_t mc_table_size(const char *dir, const char *name);

/* "file:line" of rec, for messages. */
const char *mc_table_where(const struct mc_table *t, const struct mc_csv_record *rec,
                           char buf[96]);

#endif /* MC_SKILLS_INT_H */
