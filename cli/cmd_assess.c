/* cmd_assess.c - `mcred assess`: record an assessor's result for a learner
 * against an achievement's ResultDescription (awarding the credential when
 * it meets the requirement), and `mcred assess list` of a learner's
 * attempts. Thin: the verbs live in lib/service/assess.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "cli_cmds.h"
#include "home.h"
#include "service/assess.h"
#include "util/codec.h"
#include "util/json.h"
#include "util/time.h"

static const char assess_usage[] =
    "usage: mcred assess --achievement ID --learner ID (--level L | --score N | --pass | --fail)\n"
    "                    [--evidence URL] [--narrative TEXT] [--file PATH] [--assessor EMAIL]\n"
    "                    [--result-description ID] [--json] [--passphrase-file FILE]\n"
    "       mcred assess list --learner ID [--json]\n"
    "\n"
    "Record a learner's result for an achievement (a row id or its URI) against the\n"
    "achievement's ResultDescription: a rubric level (its name or id), a score inside\n"
    "valueMin..valueMax, or pass/fail for resultType Status. Every attempt is kept. When the\n"
    "result meets the requirement (the requiredLevel or a higher one; a score of at least\n"
    "requiredValue; a pass) the credential is issued with the OB 3.0 Result in its\n"
    "credentialSubject and the evidence (--evidence URL with --narrative TEXT; --file PATH\n"
    "adds its SHA-256 digest) inside the signed credential. A learner is awarded once per\n"
    "achievement: a later passing attempt answers with the same credential. The learner is a\n"
    "row id, e-mail or DID; --assessor names the assessing user (an assessor or admin).\n"
    "`list` prints the learner's attempts, oldest first.\n"
    "exit codes: 0 awarded (or awarded before); 1 recorded but not awarded (what is missing\n"
    "            is printed); 2 usage or error (nothing recorded)\n";

#define FILE_MAX ((uint64_t)1 << 40)   /* bytes hashed from --file */

/* The hex SHA-256 of the file at path into hex (65 bytes). */
static int file_digest(const char *path, char hex[65])
{
    crypto_hash_sha256_state s;
    unsigned char h[crypto_hash_sha256_BYTES], buf[65536];
    FILE *f = fopen(path, "rb");
    uint64_t total = 0;
    size_t n, i;

    if (!f) {
        cli_error("assess: cannot open '%s': %s", path, strerror(errno));
        return CLI_USAGE;
    }
    crypto_hash_sha256_init(&s);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && total <= FILE_MAX) {
        crypto_hash_sha256_update(&s, buf, n);
        total += n;
    }
    if (ferror(f) || total > FILE_MAX) {
        cli_error("assess: cannot read '%s'%s", path, total > FILE_MAX ? ": too large" : "");
        fclose(f);
        return CLI_USAGE;
    }
    fclose(f);
    crypto_hash_sha256_final(&s, h);
    for (i = 0; i < sizeof(h); i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return CLI_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s && s[1] ? s + 1 : path;
}

/* The outcome as JSON: {attempt, learner, met, already, credential, missing,
 * document}. */
static void print_outcome_json(const struct mc_assess_outcome *o)
{
    cJSON *j = cJSON_CreateObject(), *doc = NULL;

    if (!j)
        return;
    cJSON_AddNumberToObject(j, "attempt", (double)o->attempt);
    cJSON_AddNumberToObject(j, "learner", (double)o->learner);
    cJSON_AddBoolToObject(j, "met", o->met);
    cJSON_AddBoolToObject(j, "already", o->already);
    if (o->met)
        cJSON_AddStringToObject(j, "credential", o->credential_id);
    else
        cJSON_AddNullToObject(j, "credential");
    if (o->met)
        cJSON_AddNullToObject(j, "missing");
    else
        cJSON_AddStringToObject(j, "missing", o->missing);
    if (o->doc && mc_json_parse(o->doc, strlen(o->doc), 0, &doc, NULL) == MCRED_OK &&
        !cJSON_AddItemToObject(j, "document", doc))
        cJSON_Delete(doc);
    (void)admin_print_json(j);
    cJSON_Delete(j);
}

static int run_list(int argc, char **argv)
{
    const char *learner = NULL, *pos[1];
    bool json = false;
    struct cli_opt opts[] = { { "learner", &learner, NULL }, { "json", NULL, &json },
                              { NULL, NULL, NULL } };
    struct mc_learner l;
    struct mc_store_list list;
    struct mc_err err;
    struct home h;
    cJSON *arr = NULL;
    int npos, rc;
    size_t i;

    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!learner) {
        fputs(assess_usage, stderr);
        cli_error("assess list: give --learner");
        return CLI_USAGE;
    }
    rc = home_open(&h, NULL, false, NULL);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_assess_learner(h.st, h.org, learner, &l, &err) ||
        mc_store_assess_list(h.st, h.org, l.id, &list, &err)) {
        cli_error("assess list: %s", mc_err_msg(&err));
        mc_learner_release(&l);
        home_close(&h);
        return CLI_USAGE;
    }
    arr = json ? cJSON_CreateArray() : NULL;
    for (i = 0; i < list.n; i++) {
        const struct mc_assessment *a = &((const struct mc_assessment *)list.rows)[i];
        char at[32];

        if (json) {
            cJSON *o = NULL;

            if (mc_assess_attempt_json(a, &o, NULL) == MCRED_OK && !cJSON_AddItemToArray(arr, o))
                cJSON_Delete(o);
            continue;
        }
        mc_time_format(a->at, at);
        printf("%lld  %s  %s  %s %s  %s%s  (by %s)\n", (long long)a->id, at, a->achievement_uri,
               a->kind, a->value, a->met ? "awarded " : "not awarded: ",
               a->met ? (a->cred_id ? a->cred_id : "") : (a->missing ? a->missing : ""),
               a->assessor);
    }
    if (json && arr)
        (void)admin_print_json(arr);
    else if (!json && list.n == 0)
        printf("no assessments of learner %lld\n", (long long)l.id);
    cJSON_Delete(arr);
    mc_store_list_clear(&list);
    mc_learner_release(&l);
    home_close(&h);
    return CLI_OK;
}

int cmd_assess(int argc, char **argv)
{
    const char *ach = NULL, *learner = NULL, *level = NULL, *score = NULL, *url = NULL;
    const char *narrative = NULL, *file = NULL, *assessor = NULL, *rd = NULL, *passfile = NULL;
    const char *pos[1];
    bool pass = false, fail = false, json = false;
    struct cli_opt opts[] = {
        { "achievement", &ach, NULL }, { "learner", &learner, NULL }, { "level", &level, NULL },
        { "score", &score, NULL }, { "pass", NULL, &pass }, { "fail", NULL, &fail },
        { "evidence", &url, NULL }, { "narrative", &narrative, NULL }, { "file", &file, NULL },
        { "assessor", &assessor, NULL }, { "result-description", &rd, NULL },
        { "json", NULL, &json }, { "passphrase-file", &passfile, NULL }, { NULL, NULL, NULL } };
    struct mc_assess_evidence ev[2];
    struct mc_assess_req rq;
    struct mc_assess_outcome out;
    struct mc_err err;
    struct home h;
    char digest[65];
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(assess_usage, stdout);
        return CLI_OK;
    }
    if (argc > 1 && strcmp(argv[1], "list") == 0)
        return run_list(argc - 1, argv + 1);
    rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc)
        return rc;
    if (!ach || !learner || (!!level + !!score + pass + fail) != 1) {
        fputs(assess_usage, stderr);
        cli_error("assess: give --achievement, --learner and exactly one of --level, --score, "
                  "--pass, --fail");
        return CLI_USAGE;
    }
    memset(&rq, 0, sizeof(rq));
    memset(ev, 0, sizeof(ev));
    rq.achievement = ach;
    rq.learner = learner;
    rq.result_description = rd;
    rq.assessor = assessor;
    if (level) {
        rq.result.kind = MC_RD_RUBRIC;
        rq.result.level = level;
    } else if (score) {
        char *end = NULL;

        errno = 0;
        rq.result.kind = MC_RD_SCORE;
        rq.result.score = strtod(score, &end);
        if (!end || *end || end == score || errno || !isfinite(rq.result.score)) {
            cli_error("assess: --score '%s' is not a number", score);
            return CLI_USAGE;
        }
    } else {
        rq.result.kind = MC_RD_STATUS;
        rq.result.pass = pass;
    }
    if (url || narrative) {
        ev[rq.nevidence].url = url;
        ev[rq.nevidence].narrative = narrative;
        rq.nevidence++;
    }
    if (file) {
        rc = file_digest(file, digest);
        if (rc)
            return rc;
        ev[rq.nevidence].file_sha256 = digest;
        ev[rq.nevidence].name = base_name(file);
        rq.nevidence++;
    }
    rq.evidence = ev;
    rc = home_open(&h, NULL, true, passfile);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_assess_record(&h.is, &rq, &out, &err) != MCRED_OK) {
        cli_error("assess: %s", mc_err_msg(&err));
        home_close(&h);
        return CLI_USAGE;
    }
    if (json)
        print_outcome_json(&out);
    else if (out.met)
        printf("%s%s\n", out.credential_id,
               out.already ? " (awarded before: the same credential)" : "");
    else
        printf("not awarded (attempt %lld recorded): %s\n", (long long)out.attempt, out.missing);
    rc = out.met ? CLI_OK : CLI_FAILED;
    mc_assess_outcome_release(&out);
    home_close(&h);
    return rc;
}
