/* fuzz_position.c - fuzz target for employers' position documents and the
 * CSV writer (lib/service/positions.h): a position is parsed against a small
 * framework in an in-memory store; a document accepted once must be
 * accepted again in its normalised form and normalise to the same text; any
 * JSON handed to the CSV writer as a match result must be written.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "jsonld/jcs.h"
#include "service/positions.h"
#include "skills/skills.h"
#include "store/store.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mc_store *store(void)
{
    static struct mc_store *st;
    static const char fw[] = "uri,label,kind\n"
                             "https://s.example/sql,SQL,skill\n"
                             "https://s.example/py,Python,skill\n"
                             "https://s.example/analyst,analyst,occupation\n";
    struct mc_fw *f = NULL;
    int64_t id;

    if (st)
        return st;
    if (mc_store_open(&st, ":memory:", NULL) ||
        mc_skills_read_custom_mem(fw, sizeof(fw) - 1, false, "fuzz", "fw.csv", &f, NULL) ||
        mc_skills_import(st, f, NULL, &id, NULL))
        abort();
    mc_fw_free(f);
    return st;
}

static char *normalised(const char *text, size_t n, mcred_rc *rc)
{
    struct mc_buf b;
    cJSON *norm = NULL;
    char *out = NULL;

    *rc = mc_position_parse(store(), text, n, &norm, NULL);
    if (*rc)
        return NULL;
    mc_buf_init(&b, 1 << 22);
    if (mc_json_stringify(norm, 0, &b, NULL) != MCRED_OK)
        abort();
    out = mc_strdup(b.ptr ? b.ptr : "");
    mc_buf_release(&b);
    cJSON_Delete(norm);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = NULL;
    struct mc_buf b;
    mcred_rc rc;
    char *once = normalised((const char *)data, size, &rc), *twice;

    if (!once && rc == MCRED_OK)
        abort();
    if (once) {
        twice = normalised(once, strlen(once), &rc);
        if (rc != MCRED_OK || !twice || strcmp(once, twice) != 0)
            abort();   /* normalising is idempotent */
        mc_free(twice);
        mc_free(once);
    }
    mc_buf_init(&b, 1 << 22);
    if (mc_json_parse((const char *)data, size, 0, &v, NULL) == MCRED_OK) {
        rc = mc_position_csv(v, &b);
        if (rc != MCRED_OK && rc != MCRED_ERR_LIMIT)
            abort();
    }
    cJSON_Delete(v);
    mc_buf_release(&b);
    return 0;
}
