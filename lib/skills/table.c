/* table.c - one table of a framework's distribution read through the CSV
 * reader (skills_int.h): the file opened by name in a directory, columns
 * looked up by header name, progress by bytes.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "skills/skills_int.h"

static long file_read(void *ud, void *buf, size_t n)
{
    FILE *fp = ud;
    size_t got = fread(buf, 1, n, fp);

    return got == 0 && ferror(fp) ? -1 : (long)got;
}

static bool join(char *out, size_t cap, const char *dir, const char *name)
{
    int k = snprintf(out, cap, "%s/%s", dir, name);

    return k > 0 && (size_t)k < cap;
}

size_t mc_table_size(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;

    if (!join(path, sizeof(path), dir, name) || stat(path, &sb) != 0 || sb.st_size < 0)
        return 0;
    return (size_t)sb.st_size;
}

/* Find the requested columns in the header. */
static mcred_rc find_columns(struct mc_table *t, const char *name, const char *const *cols,
                             struct mc_err *err)
{
    size_t i;

    for (i = 0; cols && cols[i]; i++) {
        bool optional = cols[i][0] == '?';
        const char *col = cols[i] + optional;

        if (i >= MC_TABLE_MAX_COLS)
            return mc_err_set(err, MCRED_ERR_INTERNAL, "%s: too many columns asked", name);
        t->col[i] = mc_csv_column(t->csv, col);
        if (t->col[i] < 0 && !optional)
            return mc_err_set(err, MCRED_ERR_INVALID, "%.80s:%zu: the header has no column "
                              "'%s'", name, mc_csv_header(t->csv)->line, col);
    }
    t->ncols = i;
    return MCRED_OK;
}

mcred_rc mc_table_open(struct mc_table *t, struct mc_fw *f, const char *dir, const char *name,
                       bool tsv, bool required, const char *const *cols,
                       const struct mc_skills_progress *progress, size_t done, size_t total,
                       struct mc_err *err)
{
    struct mc_csv_opts opts;
    struct mc_csv_source src;
    char path[4096];
    mcred_rc rc;

    memset(t, 0, sizeof(*t));
    t->file = mc_fw_file(f, name);
    t->progress = progress;
    t->done = done;
    t->total = total;
    (void)snprintf(t->phase, sizeof(t->phase), "reading %s", name);
    if (!join(path, sizeof(path), dir, name))
        return mc_err_set(err, MCRED_ERR_INVALID, "the path '%.200s/%s' is too long", dir, name);
    t->fp = fopen(path, "rb");
    if (!t->fp) {
        if (errno == ENOENT && !required)
            return MCRED_ERR_NOTFOUND;
        return mc_err_set(err, MCRED_ERR_IO, "cannot open '%.200s': %s", path,
                          errno == ENOENT ? "no such file" : "not readable");
    }
    if (t->file)
        t->file->present = true;
    memset(&opts, 0, sizeof(opts));
    if (tsv) {
        opts.delim = '\t';
        opts.no_quotes = true;
    }
    src.read = file_read;
    src.ud = t->fp;
    rc = mc_csv_open(&t->csv, &src, &opts, name, err);
    if (!rc)
        rc = find_columns(t, name, cols, err);
    if (rc)
        mc_table_close(t);
    return rc;
}

mcred_rc mc_table_open_mem(struct mc_table *t, struct mc_fw *f, const char *data, size_t n,
                           const char *name, const char *const *cols, struct mc_err *err)
{
    mcred_rc rc;

    memset(t, 0, sizeof(*t));
    t->file = mc_fw_file(f, name);
    if (t->file)
        t->file->present = true;
    rc = mc_csv_open_mem(&t->csv, data, n, NULL, name, err);
    if (!rc)
        rc = find_columns(t, name, cols, err);
    if (rc)
        mc_table_close(t);
    return rc;
}

mcred_rc mc_table_next(struct mc_table *t, struct mc_csv_record *rec, struct mc_err *err)
{
    mcred_rc rc = mc_csv_next(t->csv, rec, err);

    if (rc)
        return rc;
    if (t->file)
        t->file->rows++;
    if (t->progress && t->progress->fn && t->file && t->file->rows % 2048 == 0)
        t->progress->fn(t->progress->ud, t->phase, t->done + mc_csv_offset(t->csv), t->total);
    return MCRED_OK;
}

const char *mc_table_get(const struct mc_table *t, const struct mc_csv_record *rec, size_t which)
{
    int c = which < t->ncols ? t->col[which] : -1;

    return c >= 0 && (size_t)c < rec->n ? rec->field[c] : "";
}

size_t mc_table_offset(const struct mc_table *t)
{
    return t->csv ? mc_csv_offset(t->csv) : 0;
}

void mc_table_close(struct mc_table *t)
{
    mc_csv_free(t->csv);
    if (t->fp)
        (void)fclose(t->fp);
    t->csv = NULL;
    t->fp = NULL;
}

const char *mc_table_where(const struct mc_table *t, const struct mc_csv_record *rec,
                           char buf[96])
{
    (void)snprintf(buf, 96, "%.60s:%zu", t->file ? t->file->name : "input", rec->line);
    return buf;
}
