/* onet.c - the O*NET database (29.x text distribution: tab-separated files
 * with a header row) read into a framework: occupations (Occupation
 * Data.txt) with their alternate and short titles (Alternate Titles.txt),
 * and technology skills (Technology Skills.txt): each software example a
 * concept under its UNSPSC commodity, linked to the occupations that use it
 * with the Hot Technology and In Demand flags. O*NET has no URIs for these,
 * so they are made as docs/skills.md describes: an occupation is its O*NET
 * OnLine summary page, a technology urn:onet:tech:<example, percent-encoded>,
 * a commodity urn:onet:unspsc:<code>.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>

#include "skills/intern.h"
#include "skills/skills.h"
#include "skills/skills_int.h"

#define URI_MAX 1024

static const char *const occ_cols[] = { "O*NET-SOC Code", "Title", "?Description", NULL };
static const char *const alt_cols[] = { "O*NET-SOC Code", "Alternate Title", "?Short Title",
                                        NULL };
static const char *const tech_cols[] = { "O*NET-SOC Code", "Example", "Commodity Code",
                                         "Commodity Title", "Hot Technology", "In Demand",
                                         NULL };

/* An O*NET-SOC code: NN-NNNN.NN. */
static bool soc_ok(const char *s)
{
    static const char shape[] = "00-0000.00";
    size_t i;

    for (i = 0; i < sizeof(shape) - 1; i++) {
        if (shape[i] == '0' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return false;
    }
    return s[i] == '\0';
}

bool mc_onet_occupation_uri(const char *code, char *out, size_t cap)
{
    int k;

    if (!code || !soc_ok(code))
        return false;
    k = snprintf(out, cap, "%s%s", MC_ONET_OCCUPATION_BASE, code);
    return k > 0 && (size_t)k < cap;
}

/* urn:onet:tech: and the example, percent-encoded (RFC 3986 unreserved
 * characters kept), so distinct examples get distinct URIs. */
static bool tech_uri(const char *example, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = (size_t)snprintf(out, cap, "urn:onet:tech:");
    const unsigned char *p = (const unsigned char *)example;

    for (; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
                     *p == '~';

        if (o + 4 >= cap)
            return false;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return true;
}

static mcred_rc at(struct mc_err *err, mcred_rc rc, const struct mc_table *t,
                   const struct mc_csv_record *rec)
{
    char where[96], msg[MC_ERRMSG_MAX];

    mc_strlcpy(msg, err ? err->msg : "", sizeof(msg));
    return mc_err_set(err, rc, "%s: %.200s", mc_table_where(t, rec, where), msg);
}

static mcred_rc occ_row(struct mc_fw *f, const struct mc_table *t,
                        const struct mc_csv_record *rec, struct mc_err *err)
{
    const char *code = mc_table_get(t, rec, 0);
    char uri[URI_MAX], where[96];
    uint32_t id;
    mcred_rc rc;

    if (!mc_onet_occupation_uri(code, uri, sizeof(uri)))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: '%.40s' is not an O*NET-SOC code "
                          "(NN-NNNN.NN)", mc_table_where(t, rec, where), code);
    rc = mc_fw_concept(f, uri, MC_SK_OCCUPATION, mc_table_get(t, rec, 1), code,
                       mc_table_get(t, rec, 2), mc_table_where(t, rec, where), &id, err);
    return rc ? at(err, rc, t, rec) : MCRED_OK;
}

static mcred_rc alt_row(struct mc_fw *f, const struct mc_table *t,
                        const struct mc_csv_record *rec, struct mc_err *err)
{
    const char *code = mc_table_get(t, rec, 0), *alt = mc_table_get(t, rec, 1);
    const char *shortt = mc_table_get(t, rec, 2);
    char uri[URI_MAX], where[96];
    uint32_t id;
    mcred_rc rc;

    if (!mc_onet_occupation_uri(code, uri, sizeof(uri)))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: '%.40s' is not an O*NET-SOC code "
                          "(NN-NNNN.NN)", mc_table_where(t, rec, where), code);
    id = mc_fw_find(f, uri);
    if (id == MC_INTERN_NONE) {
        mc_fw_skip(t->file, rec->line, "names an occupation Occupation Data.txt lacks:", code);
        return MCRED_OK;
    }
    rc = mc_fw_alt(f, id, alt, strlen(alt), err);
    if (!rc && shortt[0] && strcmp(shortt, "n/a") != 0)
        rc = mc_fw_alt(f, id, shortt, strlen(shortt), err);
    return rc ? at(err, rc, t, rec) : MCRED_OK;
}

/* The concept uri, made (kind, label, code) when new. */
static mcred_rc find_or_add(struct mc_fw *f, const char *uri, enum mc_skill_kind kind,
                            const char *label, const char *code, const char *where,
                            uint32_t *id, struct mc_err *err)
{
    *id = mc_fw_find(f, uri);
    if (*id != MC_INTERN_NONE)
        return MCRED_OK;
    return mc_fw_concept(f, uri, kind, label, code, NULL, where, id, err);
}

static mcred_rc yes_no(const char *v, bool *out)
{
    *out = v[0] == 'Y' && !v[1];
    return (v[0] == 'Y' || v[0] == 'N') && !v[1] ? MCRED_OK : MCRED_ERR_INVALID;
}

static mcred_rc tech_row(struct mc_fw *f, const struct mc_table *t,
                         const struct mc_csv_record *rec, struct mc_err *err)
{
    const char *code = mc_table_get(t, rec, 0), *example = mc_table_get(t, rec, 1);
    const char *ccode = mc_table_get(t, rec, 2), *ctitle = mc_table_get(t, rec, 3);
    char uri[URI_MAX], where[96];
    uint32_t occ, tech, com;
    bool hot, demand, dup;
    size_t i;
    mcred_rc rc;

    mc_table_where(t, rec, where);
    if (!mc_onet_occupation_uri(code, uri, sizeof(uri)))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: '%.40s' is not an O*NET-SOC code "
                          "(NN-NNNN.NN)", where, code);
    if (yes_no(mc_table_get(t, rec, 4), &hot) || yes_no(mc_table_get(t, rec, 5), &demand))
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: Hot Technology and In Demand must be Y "
                          "or N", where);
    for (i = 0; ccode[i]; i++) {
        if (ccode[i] < '0' || ccode[i] > '9' || i > 16)
            break;
    }
    if (!ccode[0] || ccode[i] || !example[0] || !ctitle[0])
        return mc_err_set(err, MCRED_ERR_INVALID, "%s: a technology needs an Example, a "
                          "numeric Commodity Code and a Commodity Title", where);
    occ = mc_fw_find(f, uri);
    if (occ == MC_INTERN_NONE) {
        mc_fw_skip(t->file, rec->line, "names an occupation Occupation Data.txt lacks:", code);
        return MCRED_OK;
    }
    (void)snprintf(uri, sizeof(uri), "urn:onet:unspsc:%s", ccode);
    rc = find_or_add(f, uri, MC_SK_SKILL_GROUP, ctitle, ccode, where, &com, err);
    if (!rc && !tech_uri(example, uri, sizeof(uri)))
        rc = mc_err_set(err, MCRED_ERR_INVALID, "the Example is too long");
    if (!rc)
        rc = find_or_add(f, uri, MC_SK_TECHNOLOGY, example, NULL, where, &tech, err);
    if (rc)
        return at(err, rc, t, rec);
    rc = mc_fw_edge(f, occ, tech, MC_SR_TECHNOLOGY,
                    (hot ? MC_SKILL_HOT : 0) | (demand ? MC_SKILL_IN_DEMAND : 0), NULL);
    if (!rc)
        rc = mc_fw_edge(f, tech, com, MC_SR_BROADER, 0, &dup);   /* the same pair is common */
    return rc ? mc_err_set(err, rc, "%s: cannot add the relation", where) : MCRED_OK;
}

typedef mcred_rc (*row_fn)(struct mc_fw *f, const struct mc_table *t,
                           const struct mc_csv_record *rec, struct mc_err *err);

static mcred_rc read_table(struct mc_fw *f, const char *dir, const char *name, bool required,
                           const char *const *cols, row_fn row,
                           const struct mc_skills_progress *p, size_t *done, size_t total,
                           struct mc_err *err)
{
    struct mc_table t;
    struct mc_csv_record rec;
    mcred_rc rc = mc_table_open(&t, f, dir, name, true, required, cols, p, *done, total, err);

    if (rc == MCRED_ERR_NOTFOUND)
        return MCRED_OK;
    while (!rc) {
        rc = mc_table_next(&t, &rec, err);
        if (!rc)
            rc = row(f, &t, &rec, err);
    }
    *done += mc_table_offset(&t);
    mc_table_close(&t);
    return rc == MCRED_ERR_NOTFOUND ? MCRED_OK : rc;
}

/* The release named by "Read Me.txt" ("O*NET 29.2 Database"), or "". */
static void onet_version(const char *dir, char out[32])
{
    char path[4096], line[256];
    FILE *fp;
    int k = snprintf(path, sizeof(path), "%s/Read Me.txt", dir);
    const char *p, *end;

    out[0] = '\0';
    if (k <= 0 || (size_t)k >= sizeof(path))
        return;
    fp = fopen(path, "rb");
    if (!fp)
        return;
    if (fgets(line, sizeof(line), fp) && strncmp(line, "O*NET ", 6) == 0) {
        p = line + 6;
        end = strchr(p, ' ');
        if (end && end - p < 31 && strncmp(end, " Database", 9) == 0) {
            memcpy(out, p, (size_t)(end - p));
            out[end - p] = '\0';
        }
    }
    (void)fclose(fp);
}

mcred_rc mc_skills_read_onet(const char *dir, const struct mc_skills_progress *p,
                             struct mc_fw **out, struct mc_err *err)
{
    struct mc_fw *f = NULL;
    char version[32];
    size_t done = 0, total;
    mcred_rc rc;

    *out = NULL;
    if (!dir)
        return mc_err_set(err, MCRED_ERR_INVALID, "no O*NET directory given");
    total = mc_table_size(dir, "Occupation Data.txt") + mc_table_size(dir, "Alternate Titles.txt")
            + mc_table_size(dir, "Technology Skills.txt");
    onet_version(dir, version);
    rc = mc_fw_new(&f, "onet", version[0] ? version : NULL, "O*NET (Occupational Information "
                   "Network)", MC_ONET_ATTRIBUTION);
    if (rc)
        return mc_err_set(err, rc, "out of memory");
    rc = read_table(f, dir, "Occupation Data.txt", true, occ_cols, occ_row, p, &done, total, err);
    if (!rc)
        rc = read_table(f, dir, "Alternate Titles.txt", false, alt_cols, alt_row, p, &done,
                        total, err);
    if (!rc)
        rc = read_table(f, dir, "Technology Skills.txt", true, tech_cols, tech_row, p, &done,
                        total, err);
    if (rc) {
        mc_fw_free(f);
        return rc;
    }
    if (p && p->fn)
        p->fn(p->ud, "read", total, total);
    *out = f;
    return MCRED_OK;
}
