/* assess.h - competency-based awarding: an achievement's ResultDescription
 * (OB 3.0 `resultDescription`) read and checked, an assessor's result for a
 * learner judged against it, every attempt kept, and the credential issued
 * with its Result and Evidence when the result meets the requirement.
 *
 * What can be assessed (each ResultDescription of the Achievement is one of):
 *   rubric   `rubricCriterionLevel` (a non-empty array of levels, each with
 *            id and name, in ascending order: the first is the lowest) and
 *            `requiredLevel` (the id of one of them); a result names a level
 *            (its id or its name, any case) and meets the requirement when it
 *            is the required level or a later one;
 *   score    `valueMin`, `valueMax` and `requiredValue` (numbers written as
 *            OB 3.0 strings, min <= required <= max, min < max), resultType a
 *            score type (RawScore, ScaledScore, Percent, RubricScore,
 *            GradePointAverage, PredictedScore) or any type with that range; a
 *            result is a number inside the range and meets it when
 *            >= requiredValue;
 *   status   resultType "Status": pass or fail; a pass meets it.
 * An achievement without a resultDescription cannot be assessed: nothing is
 * ever awarded without a result.
 *
 * Awarding is idempotent per (achievement, learner): the credential of the
 * first attempt that met the requirement is the award; a later attempt that
 * meets it again is recorded and answered with that same credential
 * (`already`), nothing new is signed. Concurrent awards of the same pair
 * produce one credential (the store's unique idempotency key decides).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_SVC_ASSESS_H
#define MC_SVC_ASSESS_H

#include "internal.h"
#include "service/issue.h"
#include "store/store.h"
#include "util/json.h"

#define MC_RD_MAX 16                  /* resultDescription entries of one achievement */
#define MC_RD_MAX_LEVELS 64           /* levels of one rubric */
#define MC_ASSESS_MAX_EVIDENCE 20     /* Evidence objects of one attempt */
#define MC_ASSESS_MAX_TEXT 2000       /* bytes of an evidence URL, name */
#define MC_ASSESS_MAX_NARRATIVE 20000 /* bytes of an evidence narrative */

enum mc_rd_kind {
    MC_RD_RUBRIC,
    MC_RD_SCORE,
    MC_RD_STATUS,
};

/* "rubric", "score", "status" (static). */
const char *mc_rd_kind_name(enum mc_rd_kind k);

/* One checked ResultDescription; strings and level objects are borrowed
 * from the Achievement JSON it was read from. */
struct mc_rd {
    enum mc_rd_kind kind;
    const char *id, *name, *result_type;
    const cJSON *levels[MC_RD_MAX_LEVELS];   /* RUBRIC: ascending */
    size_t nlevels, required;                /* RUBRIC: index of requiredLevel */
    double min, max, pass;                   /* SCORE */
};

struct mc_rds {
    size_t n;
    struct mc_rd rd[MC_RD_MAX];
};

/* Read and check every ResultDescription of achievement (an Achievement
 * object, borrowed: *out points into it). Errors: INVALID when it has no
 * resultDescription ("cannot be assessed"), or naming the JSON path,
 * e.g. "achievement.resultDescription[0].requiredLevel: 'x' is not the id of
 * one of its rubricCriterionLevel"; LIMIT past MC_RD_MAX or
 * MC_RD_MAX_LEVELS. */
MC_NODISCARD mcred_rc mc_rd_parse(const cJSON *achievement, struct mc_rds *out,
                                  struct mc_err *err);

/* What the assessor observed: the member of its kind counts. */
struct mc_assess_result {
    enum mc_rd_kind kind;
    const char *level;     /* RUBRIC: a level's id or name */
    double score;          /* SCORE */
    bool pass;             /* STATUS */
};

struct mc_assess_judgement {
    bool met;
    size_t level;                  /* RUBRIC: index of the level achieved */
    char value[512];               /* the result as stored: level id, score, pass/fail */
    char missing[MC_ERRMSG_MAX];   /* not met: what is missing */
};

/* Judge r against rd. INVALID when r is not of rd's kind (the message says
 * which flag to give), names no level of the rubric, or is a score outside
 * the range. */
MC_NODISCARD mcred_rc mc_rd_judge(const struct mc_rd *rd, const struct mc_assess_result *r,
                                  struct mc_assess_judgement *j, struct mc_err *err);

/* The OB 3.0 Result of a judged result: {"type": ["Result"],
 * "resultDescription": rd id, "achievedLevel" (rubric) | "value" (score),
 * "status": "Completed" when met, else "Failed"}. *out owned. */
MC_NODISCARD mcred_rc mc_rd_result_json(const struct mc_rd *rd,
                                        const struct mc_assess_judgement *j, cJSON **out,
                                        struct mc_err *err);

/* One piece of evidence: at least one of url, narrative, file_sha256. */
struct mc_assess_evidence {
    const char *url;           /* an absolute URI: the Evidence id */
    const char *narrative;
    const char *name;
    const char *file_sha256;   /* 64 hex digits of a file's SHA-256: the Evidence id
                                * becomes ni:///sha-256;<base64url> (RFC 6920) when
                                * there is no url, and its description says it */
};

/* Evidence as OB 3.0 Evidence objects (a JSON array, owned). INVALID naming
 * "evidence[i]" for an empty piece, a URL that is not absolute, a digest
 * that is not 64 hex digits, text over the limits; LIMIT past
 * MC_ASSESS_MAX_EVIDENCE. */
MC_NODISCARD mcred_rc mc_assess_evidence_json(const struct mc_assess_evidence *ev, size_t n,
                                              cJSON **out, struct mc_err *err);

struct mc_assess_req {
    const char *achievement;            /* its row id (digits) or URI (latest version) */
    const char *learner;                /* the learner's row id, e-mail or DID */
    const char *result_description;     /* its id; NULL: the achievement's first */
    struct mc_assess_result result;
    const struct mc_assess_evidence *evidence;
    size_t nevidence;
    /* e-mail of the assessing user: an assessor or admin of the
     * organisation. NULL: is->actor assesses (the operator at the CLI). */
    const char *assessor;
};

struct mc_assess_outcome {
    int64_t attempt;               /* the stored attempt's id */
    int64_t learner;               /* the learner's row id */
    bool met;                      /* the result met the requirement: awarded */
    bool already;                  /* met, and awarded before: credential_id is that award */
    char credential_id[256];       /* met: the award */
    char *doc;                     /* met: the signed credential (owned) */
    char missing[MC_ERRMSG_MAX];   /* not met: what is missing */
};
void mc_assess_outcome_release(struct mc_assess_outcome *o);   /* accepts NULL */

/* Record an assessment as is->issuer's organisation, in one transaction:
 * the attempt is always stored; when it meets the requirement the credential
 * (OB 3.0 AchievementCredential of the achievement, to the learner's DID or
 * e-mail, with credentialSubject.result [the Result] and the Evidence
 * objects in the credential's `evidence`, one revocation status entry as a
 * credentialStatus object - the 1EdTech OB 3.0 / CLR 2.0 JSON Schemas allow
 * one - and no suspension entry) is signed by is and stored, unless this
 * learner was awarded it before. A new award then re-evaluates the stacks
 * naming the achievement for this learner (service/stacks.h).
 * Returns MCRED_OK whether met or not (out->met says). Errors: NOTFOUND (no
 * such achievement, learner or assessor in the organisation), INVALID (the
 * achievement has no resultDescription; the ResultDescription, the result or
 * the evidence, naming where; an assessor whose role is neither
 * assessor nor admin), UNSUPPORTED (is cannot sign), STORAGE, NOMEM.
 * Nothing is stored on failure. */
MC_NODISCARD mcred_rc mc_assess_record(const struct mc_issuing *is,
                                       const struct mc_assess_req *rq,
                                       struct mc_assess_outcome *out, struct mc_err *err);

/* The learner ref names in org: a row id (digits), an e-mail or a DID.
 * NOTFOUND with a message otherwise. */
MC_NODISCARD mcred_rc mc_assess_learner(struct mc_store *st, int64_t org, const char *ref,
                                        struct mc_learner *out, struct mc_err *err);

/* An attempt as JSON: {id, learner, achievement, resultDescription, kind,
 * value, met, missing, credential, assessor, evidence, at}. *out owned. */
MC_NODISCARD mcred_rc mc_assess_attempt_json(const struct mc_assessment *a, cJSON **out,
                                             struct mc_err *err);

#endif /* MC_SVC_ASSESS_H */
