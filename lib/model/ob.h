/* ob.h - the Open Badges 3.0 data model: a structural validator for
 * AchievementCredential and the classes inside it (Profile, Achievement,
 * AchievementSubject, Result, ResultDescription, Alignment, Evidence,
 * IdentityObject, Image) that names the path of every problem, and builders
 * for the credentials microcred issues.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_OB_H
#define MC_OB_H

#include <time.h>

#include "internal.h"
#include "util/buf.h"
#include "util/json.h"

#define MC_VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define MC_OB3_CONTEXT "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define MC_OB3_CONTEXT_PREFIX "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0."

/* Problems found by the validator: each names a path such as
 * "credentialSubject.achievement.criteria". */
#define MC_OB_MAX_PROBLEMS 32
struct mc_ob_report {
    size_t n;                               /* problems recorded */
    size_t total;                           /* problems found (may exceed n) */
    char problems[MC_OB_MAX_PROBLEMS][200]; /* "path: what is wrong" */
};

/* True when doc's type names OpenBadgeCredential or AchievementCredential. */
bool mc_ob_is_badge(const cJSON *doc);

/* Validate an OB 3.0 AchievementCredential (unsigned or signed). Returns
 * MCRED_OK, or MCRED_ERR_INVALID with every problem in rep (may be NULL) and
 * the first in err. */
MC_NODISCARD mcred_rc mc_ob_validate_credential(const cJSON *doc, struct mc_ob_report *rep,
                                                struct mc_err *err);
/* Validate an Achievement on its own (as `mcred achievement create` takes it). */
MC_NODISCARD mcred_rc mc_ob_validate_achievement(const cJSON *a, struct mc_ob_report *rep,
                                                 struct mc_err *err);

/* What a new credential is made of. */
struct mc_ob_issue {
    const char *issuer_id;        /* the issuer's DID or URL (required) */
    const char *issuer_name;      /* Profile name, optional */
    const char *issuer_url;       /* optional */
    const cJSON *achievement;     /* an Achievement (validated; copied) */
    bool achievement_checked;     /* the caller already validated it (bulk issuing) */
    const char *recipient;        /* a DID, or an e-mail address */
    bool hash_email;              /* e-mail as a salted SHA-256 IdentityObject */
    const char *recipient_name;   /* optional */
    const char *id;               /* credential id; NULL: a fresh urn:uuid */
    time_t valid_from;            /* issuance time */
    time_t valid_until;           /* 0: no expiry */
    const char *name;             /* credential name; default: the achievement's */
    const char *evidence_url;     /* optional Evidence id */
};

/* Build an unsigned OB 3.0 AchievementCredential. *out is owned (cJSON_Delete). */
MC_NODISCARD mcred_rc mc_ob_credential_new(const struct mc_ob_issue *in, cJSON **out,
                                           struct mc_err *err);

/* A random RFC 4122 version 4 UUID as "urn:uuid:..." (46 bytes with NUL). */
void mc_uuid_urn(char out[46]);
/* A time-ordered RFC 9562 version 7 UUID as "urn:uuid:...": ids made one
 * after another sort after one another, so the store's indexes grow at
 * their end instead of everywhere (a million-row load stays fast). */
void mc_uuid7_urn(char out[46]);
/* True when s looks like an absolute URI (scheme ":" then no spaces). */
bool mc_is_uri(const char *s);
/* True when s looks like an e-mail address (local@domain.tld, no spaces). */
bool mc_is_email(const char *s);

#endif /* MC_OB_H */
