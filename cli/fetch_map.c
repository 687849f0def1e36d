/* fetch_map.c - the document map fetcher and the trust list file.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "fetch_map.h"
#include "util/json.h"

struct cli_docmap {
    size_t n;
    char **urls, **paths;
    const struct mc_fetcher *next;
};

static void free_entries(struct cli_docmap *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        mc_free(m->urls[i]);
        mc_free(m->paths[i]);
    }
    mc_free(m->urls);
    mc_free(m->paths);
}

void cli_docmap_free(struct cli_docmap *m)
{
    if (!m)
        return;
    free_entries(m);
    mc_free(m);
}

int cli_docmap_load(const char *path, struct cli_docmap **out)
{
    struct cli_docmap *m;
    struct mc_err err;
    const cJSON *e;
    cJSON *doc = NULL;
    char *text = NULL, dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n, i = 0;
    int rc;

    *out = NULL;
    rc = cli_read_input(path, 4 << 20, &text, &n);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_json_parse(text, n, 0, &doc, &err) != MCRED_OK || !cJSON_IsObject(doc)) {
        cli_error("document map '%s': %s", path, doc ? "expected a JSON object of URL -> file"
                                                     : mc_err_msg(&err));
        cJSON_Delete(doc);
        mc_free(text);
        return CLI_USAGE;
    }
    mc_free(text);
    n = (size_t)cJSON_GetArraySize(doc);
    if (n > CLI_DOCMAP_MAX_ENTRIES) {
        cli_error("document map '%s': %zu entries; at most %d", path, n, CLI_DOCMAP_MAX_ENTRIES);
        cJSON_Delete(doc);
        return CLI_USAGE;
    }
    if (slash)
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof(dir), ".");
    m = mc_calloc(1, sizeof(*m));
    if (m) {
        m->urls = mc_calloc(n ? n : 1, sizeof(char *));
        m->paths = mc_calloc(n ? n : 1, sizeof(char *));
    }
    if (!m || !m->urls || !m->paths) {
        cli_docmap_free(m);
        cJSON_Delete(doc);
        cli_error("out of memory");
        return CLI_USAGE;
    }
    cJSON_ArrayForEach(e, doc) {
        char full[8192];

        if (!cJSON_IsString(e) || !e->valuestring[0]) {
            cli_error("document map '%s': the value of '%s' must be a file path", path,
                      e->string);
            rc = CLI_USAGE;
            break;
        }
        if (e->valuestring[0] == '/')
            snprintf(full, sizeof(full), "%s", e->valuestring);
        else
            snprintf(full, sizeof(full), "%s/%s", dir, e->valuestring);
        m->urls[i] = mc_strdup(e->string);
        m->paths[i] = mc_strdup(full);
        m->n = ++i;
        if (!m->urls[i - 1] || !m->paths[i - 1]) {
            cli_error("out of memory");
            rc = CLI_USAGE;
            break;
        }
    }
    cJSON_Delete(doc);
    if (rc) {
        cli_docmap_free(m);
        return rc;
    }
    *out = m;
    return CLI_OK;
}

static mcred_rc map_fetch(void *ud, const char *url, struct mc_buf *out, struct mc_err *err)
{
    const struct cli_docmap *m = ud;
    char chunk[65536];
    size_t i, len = out->len, got;
    FILE *f;

    for (i = 0; i < m->n; i++) {
        if (strcmp(m->urls[i], url) != 0)
            continue;
        f = fopen(m->paths[i], "rb");
        if (!f)
            return mc_err_set(err, MCRED_ERR_IO, "%s: the document map names '%s': %s", url,
                              m->paths[i], strerror(errno));
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
            mcred_rc rc = mc_buf_append(out, chunk, got);

            if (rc) {
                fclose(f);
                out->len = len;
                return mc_err_set(err, rc, "%s: the mapped file '%s' is too large", url,
                                  m->paths[i]);
            }
        }
        if (ferror(f)) {
            fclose(f);
            out->len = len;
            return mc_err_set(err, MCRED_ERR_IO, "%s: cannot read '%s'", url, m->paths[i]);
        }
        fclose(f);
        return MCRED_OK;
    }
    if (m->next)
        return m->next->fetch(m->next->ud, url, out, err);
    return mc_err_set(err, MCRED_ERR_NOTFOUND, "%s: not in the document map (offline)", url);
}

void cli_docmap_fetcher(struct cli_docmap *m, const struct mc_fetcher *next,
                        struct mc_fetcher *out)
{
    m->next = next;
    out->fetch = map_fetch;
    out->ud = m;
}

void cli_trust_free(char **ids)
{
    size_t i;

    if (!ids)
        return;
    for (i = 0; ids[i]; i++)
        mc_free(ids[i]);
    mc_free(ids);
}

int cli_trust_load(const char *path, char ***out, size_t *count)
{
    char *text = NULL, **ids = NULL, *line, *next;
    size_t n, cap = 0, k = 0;
    cJSON *doc = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    rc = cli_read_input(path, 4 << 20, &text, &n);
    if (rc)
        return rc;
    for (line = text; line && (*line == ' ' || *line == '\n' || *line == '\t'); line++)
        ;
    if (*line == '[') {
        const cJSON *e;

        if (mc_json_parse(text, n, 0, &doc, NULL) != MCRED_OK) {
            cli_error("trust list '%s': not valid JSON", path);
            mc_free(text);
            return CLI_USAGE;
        }
        cap = (size_t)cJSON_GetArraySize(doc) + 1;
        ids = mc_calloc(cap, sizeof(char *));
        cJSON_ArrayForEach(e, doc) {
            if (!ids || !cJSON_IsString(e)) {
                cli_error("trust list '%s': expected an array of issuer ids (strings)", path);
                rc = CLI_USAGE;
                break;
            }
            if (!(ids[k++] = mc_strdup(e->valuestring))) {
                rc = CLI_USAGE;
                break;
            }
        }
        cJSON_Delete(doc);
    } else {
        for (line = text; *line; line++)
            cap += *line == '\n';
        cap += 2;
        ids = mc_calloc(cap, sizeof(char *));
        for (line = text; ids && line && *line; line = next) {
            char *end;

            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            while (*line == ' ' || *line == '\t')
                line++;
            end = line + strlen(line);
            while (end > line && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
                *--end = '\0';
            if (!*line || *line == '#')
                continue;
            if (!(ids[k++] = mc_strdup(line))) {
                rc = CLI_USAGE;
                break;
            }
        }
    }
    mc_free(text);
    if (!ids && !rc) {
        cli_error("out of memory");
        rc = CLI_USAGE;
    }
    if (rc) {
        cli_trust_free(ids);
        return rc;
    }
    *out = ids;
    *count = k;
    return CLI_OK;
}
