/* bitstring.h - W3C Bitstring Status List v1.0: the status bitstring (set,
 * get, GZIP + multibase base64url encoding and a strict decoder for hostile
 * input), the unsigned BitstringStatusListCredential and
 * BitstringStatusListEntry objects an issuer publishes, and the verifier's
 * check of a credential's credentialStatus against its status lists.
 *
 * Bit order (spec §2.2, encodedList, "left-most bit"): status value i of a list with
 * statusSize s occupies bits i*s .. i*s+s-1, where bit k is bit (7 - k % 8)
 * of byte k / 8; a value of several bits is read most significant bit first.
 *
 * THREAD SAFETY: no global state; a struct mc_bitstring belongs to one thread
 * at a time.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_STATUS_BITSTRING_H
#define MC_STATUS_BITSTRING_H

#include <time.h>

#include "internal.h"
#include "util/buf.h"
#include "util/json.h"

/* The spec's minimum list: 131,072 entries, 16 KB of one-bit values. */
#define MC_STATUS_MIN_ENTRIES ((size_t)131072)
#define MC_STATUS_MIN_BYTES ((size_t)16384)
/* Default cap on a decompressed bitstring (the gzip-bomb bound), and the
 * largest bitstring mc_bitstring_init makes (so every list we encode can be
 * decoded by a verifier using the default). */
#define MC_STATUS_MAX_BYTES ((size_t)16 << 20)
/* statusSize values this module handles: 1..8 bits per entry. */
#define MC_STATUS_MAX_SIZE 8u
/* credentialStatus entries one credential may carry (each may cost a fetch). */
#define MC_STATUS_MAX_ENTRIES 8

/* --- the bitstring ----------------------------------------------------------- */

struct mc_bitstring {
    uint8_t *bits;         /* owned (mc_free via mc_bitstring_release); nbytes bytes */
    size_t nbytes;         /* length of bits */
    size_t entries;        /* status values held: nbytes * 8 / status_size, or as created */
    unsigned status_size;  /* bits per value, 1..MC_STATUS_MAX_SIZE */
};

/* Make an all-zero list of `entries` values of status_size bits each (the
 * byte length is rounded up). entries must be at least MC_STATUS_MIN_ENTRIES
 * and entries * status_size must fit in MC_STATUS_MAX_BYTES.
 * Errors: INVALID (size out of range, too few entries), LIMIT (too many),
 * NOMEM. bs is zeroed on failure. */
MC_NODISCARD mcred_rc mc_bitstring_init(struct mc_bitstring *bs, size_t entries,
                                        unsigned status_size, struct mc_err *err);
/* Free the bits; bs becomes empty. Accepts an empty or zeroed bs. */
void mc_bitstring_release(struct mc_bitstring *bs);

/* Set value `index` to `value` (which must fit in status_size bits). O(1).
 * Errors: INVALID naming the index or value when out of range. */
MC_NODISCARD mcred_rc mc_bitstring_set(struct mc_bitstring *bs, size_t index, unsigned value,
                                       struct mc_err *err);
/* Read value `index` into *value (0 on failure). O(1).
 * Errors: INVALID when index >= bs->entries. */
MC_NODISCARD mcred_rc mc_bitstring_get(const struct mc_bitstring *bs, size_t index,
                                       unsigned *value, struct mc_err *err);

/* Append the encodedList form of bs to out: 'u' then base64url without
 * padding of the GZIP (RFC 1952) compressed bits. The gzip header has mtime 0
 * and no name, so equal lists encode to equal strings. On failure out is
 * truncated back to its length on entry. Errors: NOMEM, LIMIT (out->max),
 * INTERNAL (zlib refused). About 0.2 ms for a 131,072-entry list. */
MC_NODISCARD mcred_rc mc_bitstring_encode(const struct mc_bitstring *bs, struct mc_buf *out,
                                          struct mc_err *err);

/* Decode an encodedList s[0..n) (hostile input) into *out with statusSize
 * status_size. max_bytes caps the decompressed size (0 selects
 * MC_STATUS_MAX_BYTES). Accepts exactly: 'u', canonical base64url without
 * padding, one complete gzip member (CRC and length checked) and nothing after
 * it, inflating to at least MC_STATUS_MIN_BYTES bytes. out->entries is
 * nbytes * 8 / status_size.
 * Errors: INVALID (not 'u'-multibase, bad base64url, not gzip, corrupt or
 * truncated gzip, trailing bytes, shorter than 16 KB, bad status_size; err
 * says which), LIMIT (more than max_bytes come out of the gzip, whatever its
 * trailer declares; or the input is longer than any list within the cap could
 * be), NOMEM. *out is zeroed on failure. Work and memory are O(max_bytes). */
MC_NODISCARD mcred_rc mc_bitstring_decode(const char *s, size_t n, unsigned status_size,
                                          size_t max_bytes, struct mc_bitstring *out,
                                          struct mc_err *err);

/* --- what an issuer publishes ------------------------------------------------ */

enum mc_status_purpose {
    MC_STATUS_PURPOSE_REVOCATION = 0,  /* "revocation": cancels validity, final */
    MC_STATUS_PURPOSE_SUSPENSION,      /* "suspension": reversible */
    MC_STATUS_PURPOSE_MESSAGE,         /* "message": statusSize bits of statusMessage */
    MC_STATUS_PURPOSE_REFRESH,         /* "refresh": a newer credential exists */
};

/* "revocation", "suspension", "message", "refresh" (static), or NULL for a
 * value outside the enum. */
const char *mc_status_purpose_name(enum mc_status_purpose p);

/* What the list credential says about itself. */
struct mc_status_list_desc {
    const char *url;        /* where it is published: the credential id and the
                             * entries' statusListCredential; the subject id is url#list */
    const char *issuer;     /* issuer id (DID or URL) */
    time_t valid_from;      /* written as validFrom */
    time_t valid_until;     /* validUntil; 0 for none */
    long long ttl_ms;       /* credentialSubject.ttl in milliseconds; 0 for none */
    enum mc_status_purpose purpose;
};

/* Build the unsigned BitstringStatusListCredential holding bs:
 *   { "@context": ["https://www.w3.org/ns/credentials/v2"], "id": url,
 *     "type": ["VerifiableCredential", "BitstringStatusListCredential"],
 *     "issuer": issuer, "validFrom": ..., ["validUntil": ...,]
 *     "credentialSubject": { "id": url#list, "type": "BitstringStatusList",
 *       "statusPurpose": ..., "encodedList": "u...", ["ttl": n] } }
 * Every term is defined by the VC 2.0 context, so eddsa-rdfc-2022 can sign it
 * (mc_di_sign; the caller signs). statusSize and statusMessages are not
 * written for lists of wider values: the VC 2.0 context defines them only on
 * the entry, where mc_status_entry puts them. *out is owned (cJSON_Delete),
 * NULL on failure. Errors: INVALID (a missing url or issuer, a bad purpose),
 * NOMEM. */
MC_NODISCARD mcred_rc mc_status_list_credential(const struct mc_status_list_desc *d,
                                                const struct mc_bitstring *bs, cJSON **out,
                                                struct mc_err *err);

/* Build a BitstringStatusListEntry for a credential's credentialStatus:
 *   { "id": list_url#index, "type": "BitstringStatusListEntry",
 *     "statusPurpose": ..., "statusListIndex": "index" (a base-10 string),
 *     "statusListCredential": list_url,
 *     ["statusSize": n, "statusMessage": [{"status": "0x0", "message": ...}, ...]] }
 * With status_size > 1, messages must hold 2^status_size strings (statusSize
 * and statusMessage are then required by the spec); with status_size 1,
 * messages may be NULL or hold 2 strings. *out is owned (cJSON_Delete), NULL
 * on failure. Errors: INVALID (no list_url, status_size out of 1..8, missing
 * messages, bad purpose), NOMEM. */
MC_NODISCARD mcred_rc mc_status_entry(const char *list_url, enum mc_status_purpose purpose,
                                      size_t index, unsigned status_size,
                                      const char *const *messages, cJSON **out,
                                      struct mc_err *err);

/* --- what a verifier checks ---------------------------------------------------- */

/* Where status list credentials come from. get returns in *out the parsed
 * list credential published at url, whose proofs it has ALREADY VERIFIED
 * (the verify service: fetcher + mc_di_verify). *out is handed over: the
 * checker deletes it (cJSON_Delete). Return MCRED_OK with *out set, or an
 * error with *out NULL: VERIFY when a proof failed (reported as
 * STATUS_VERIFICATION_ERROR), NOMEM (ends the whole check), anything else
 * when it could not be had (STATUS_RETRIEVAL_ERROR). Called at most once per
 * distinct URL in one mc_status_check. */
struct mc_status_source {
    mcred_rc (*get)(void *ud, const char *url, cJSON **out, struct mc_err *err);
    void *ud;
};

enum mc_status_flags {
    /* Accept a statusListIndex given as a JSON integer (the spec requires a
     * base-10 string; the 1EdTech validator's samples use integers). */
    MC_STATUS_LENIENT_INDEX = 1 << 0,
};

struct mc_status_opts {
    time_t now;                          /* the verifier's clock: the list's validity */
    const struct mc_status_source *src;  /* required */
    unsigned flags;                      /* enum mc_status_flags */
};

enum mc_status_outcome {
    MC_STATUS_OK = 0,     /* the value is 0: not revoked, not suspended, no refresh */
    MC_STATUS_REVOKED,    /* revocation, value 1 */
    MC_STATUS_SUSPENDED,  /* suspension, value 1 */
    MC_STATUS_MESSAGE,    /* purpose "message", any value: see value and message */
    MC_STATUS_FLAGGED,    /* a non-zero value for a purpose that does not by itself
                           * invalidate the credential ("refresh", or one unknown here) */
    MC_STATUS_ERROR,      /* the status could not be established: see error, reason */
};

/* The spec's error kinds (§3.6), plus what a verifier adds. */
enum mc_status_error {
    MC_STATUS_ERR_NONE = 0,
    MC_STATUS_ERR_MALFORMED,     /* MALFORMED_VALUE_ERROR: the entry or the list is malformed */
    MC_STATUS_ERR_RETRIEVAL,     /* STATUS_RETRIEVAL_ERROR: the list could not be had */
    MC_STATUS_ERR_VERIFICATION,  /* STATUS_VERIFICATION_ERROR: a proof failed, the purpose
                                  * or id does not match, not a BitstringStatusListCredential */
    MC_STATUS_ERR_LENGTH,        /* STATUS_LIST_LENGTH_ERROR: fewer than 131,072 entries */
    MC_STATUS_ERR_RANGE,         /* RANGE_ERROR: the index is past the end of the list */
    MC_STATUS_ERR_VALIDITY,      /* the list credential is expired or not yet valid */
    MC_STATUS_ERR_UNSUPPORTED,   /* an entry type other than BitstringStatusListEntry,
                                  * or statusSize above 8 */
};

/* One credentialStatus entry's result. Pointers are borrowed from the
 * credentialStatus tree given to mc_status_check (NULL when absent or not a
 * string) and live as long as it does. */
struct mc_status_result {
    enum mc_status_outcome outcome;
    enum mc_status_error error;     /* MC_STATUS_ERR_NONE unless outcome is ERROR */
    const char *purpose;            /* statusPurpose of the entry */
    const char *list_url;           /* statusListCredential */
    const char *message;            /* statusMessage[value].message, when given */
    uint64_t index;                 /* statusListIndex (valid when has_index) */
    bool has_index;
    unsigned size;                  /* statusSize (1 when absent) */
    unsigned value;                 /* the status value read (the bit, for size 1) */
    char list_issuer[512];          /* issuer id of the list credential, when read */
    char reason[MC_ERRMSG_MAX];     /* what was found, or why it is an error */
};

/* Check credentialStatus (an entry object, or an array of up to
 * MC_STATUS_MAX_ENTRIES) as the spec's validate algorithm does, one result
 * per entry in res[0..*nres). Fail closed: an entry whose status cannot be
 * established is MC_STATUS_ERROR, never MC_STATUS_OK. For each
 * BitstringStatusListEntry: statusPurpose a string, statusListIndex a base-10
 * string, statusListCredential a string, id (when present) a string other
 * than that URL, statusSize absent or 1..8 (with
 * statusMessage of 2^size {status, message} objects when above 1); the list
 * (from o->src) must have type BitstringStatusListCredential, an id equal to
 * the URL when it has one, validFrom <= now < validUntil, a credentialSubject
 * of type BitstringStatusList whose statusPurpose (string or array) includes
 * the entry's, a decodable encodedList of at least 131,072 entries of
 * statusSize bits, and the index inside it.
 * Returns MCRED_OK when every entry has a result (whatever it is); INVALID
 * when credentialStatus is not an object or a non-empty array; LIMIT past
 * MC_STATUS_MAX_ENTRIES; NOMEM. *nres is 0 on failure. */
MC_NODISCARD mcred_rc mc_status_check(const cJSON *credential_status,
                                      const struct mc_status_opts *o,
                                      struct mc_status_result res[MC_STATUS_MAX_ENTRIES],
                                      size_t *nres, struct mc_err *err);

/* "ok", "revoked", "suspended", "message", "flagged", "error" (static). */
const char *mc_status_outcome_name(enum mc_status_outcome o);
/* The spec's name: "MALFORMED_VALUE_ERROR", "STATUS_RETRIEVAL_ERROR", ...;
 * "" for MC_STATUS_ERR_NONE (static). */
const char *mc_status_error_name(enum mc_status_error e);

#endif /* MC_STATUS_BITSTRING_H */
