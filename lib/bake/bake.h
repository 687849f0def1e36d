/* bake.h - Open Badges baking: embed a credential in a PNG or SVG badge image
 * and extract it again (OB 3.0 "Baked Badge", OB 2.0 Baking Specification).
 *
 * What is written (OB 3.0):
 *   PNG  one iTXt chunk, keyword "openbadgecredential", compression flag 0,
 *        method 0, empty language tag and translated keyword; the text is the
 *        credential's JSON or its compact JWS (VC-JWT). Inserted just before
 *        IEND; every other chunk is kept byte for byte.
 *   SVG  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" on the root
 *        <svg>, and <openbadges:credential> as its first child: the JSON in a
 *        CDATA section, or the JWS in a verify="" attribute and no body.
 * OB 2.0 assertions are written the OB 2.0 way (iTXt "openbadges"; SVG
 * <openbadges:assertion> in the namespace "http://openbadges.org" with
 * verify="URL or JWS" and the JSON, if any, in CDATA).
 * Baking replaces whatever credential the image carried before (either
 * version, PNG iTXt/tEXt/zTXt or SVG element), so exactly one remains.
 *
 * What is read: both versions in both images, OB 3.0 first; compressed iTXt
 * written by other bakers (inflated up to MC_BAKE_MAX_TEXT); the pre-2.0
 * tEXt "openbadges" chunk holding a hosted assertion's URL.
 *
 * Bad input: every image is hostile. PNGs are walked chunk by chunk (length
 * <= 2^31-1, CRC-32 checked, IHDR first, IEND last, nothing after it).
 * SVGs are parsed by libxml2 with network access off, no DTD loading and no
 * entity substitution; a document that declares an entity or refers to one
 * (other than the five predefined and character references) is refused, so a
 * billion-laughs or external-entity document is never expanded or fetched.
 * Images are at most MC_BAKE_MAX_IMAGE bytes, embedded credentials at most
 * MC_BAKE_MAX_TEXT, and an SVG has at most MC_BAKE_MAX_SVG_NODES nodes (which
 * bounds libxml2's tree). Errors: MCRED_ERR_INVALID (malformed image, or a
 * credential that is neither JSON, a compact JWS nor a URL), MCRED_ERR_LIMIT
 * (a cap), MCRED_ERR_NOTFOUND (unbake: no credential baked in),
 * MCRED_ERR_UNSUPPORTED (neither PNG nor SVG), MCRED_ERR_NOMEM; err says what
 * and where.
 *
 * Thread-safety: every function may be called from any thread (libxml2 is
 * initialised once).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_BAKE_H
#define MC_BAKE_H

#include "internal.h"
#include "util/buf.h"

#define MC_BAKE_MAX_IMAGE ((size_t)16 << 20) /* the largest image read or written */
#define MC_BAKE_MAX_TEXT ((size_t)8 << 20)   /* the largest credential baked in */
#define MC_BAKE_MAX_SVG_NODES 200000          /* SVG elements, attributes, comments, ... */

#define MC_BAKE_OB3_NS "https://purl.imsglobal.org/ob/v3p0"
#define MC_BAKE_OB2_NS "http://openbadges.org"
#define MC_BAKE_OB3_KEYWORD "openbadgecredential"
#define MC_BAKE_OB2_KEYWORD "openbadges"

enum mc_bake_image {
    MC_BAKE_IMAGE_UNKNOWN = 0,
    MC_BAKE_IMAGE_PNG,
    MC_BAKE_IMAGE_SVG,
};

/* What the baked text is. */
enum mc_bake_form {
    MC_BAKE_FORM_NONE = 0,
    MC_BAKE_FORM_JSON,   /* a JSON object: OB 3.0 credential with an embedded proof, or an
                          * OB 2.0 / 1.x assertion */
    MC_BAKE_FORM_JWS,    /* a compact JWS: OB 3.0 VC-JWT, or a signed OB 2.0 assertion */
    MC_BAKE_FORM_URL,    /* an http(s) URL: an OB 2.0 / 1.x hosted assertion */
};

/* A credential found in an image (mc_unbake). */
struct mc_baked {
    enum mc_bake_image image;  /* the image it came from */
    int version;               /* 3: openbadgecredential / openbadges:credential;
                                * 2: openbadges / openbadges:assertion (OB 2.0 and older) */
    enum mc_bake_form form;
    bool hosted;               /* OB 2.0/1.x hosted assertion: the text is a URL, or JSON
                                * whose verify.type is "hosted" */
    const char *where;         /* static: "iTXt 'openbadgecredential'", "SVG
                                * <openbadges:credential verify>", ... */
    char *data;                /* owned (mc_baked_release): the text, NUL-terminated, valid
                                * UTF-8 without NUL bytes; surrounding XML whitespace of an
                                * SVG body is trimmed */
    size_t len;                /* bytes in data */
};

/* Which image p[0..n) is, from its first bytes only: the PNG signature, or
 * (after an optional UTF-8 BOM and whitespace) '<' for SVG/XML, or a UTF-16
 * BOM. UNKNOWN otherwise. Never fails. */
enum mc_bake_image mc_bake_sniff(const unsigned char *p, size_t n);

/* Extract the credential baked into the PNG or SVG image p[0..n). *out is
 * filled on success and zeroed on failure (release it either way). Detects
 * the image type itself; NOTFOUND when the image is valid but carries no
 * credential, INVALID when two credentials of one version are baked in.
 * Verifiers: call this when mc_bake_sniff says PNG or SVG, then verify
 * out->data (out->hosted: an OB 2.0 hosted assertion to fetch and check). */
MC_NODISCARD mcred_rc mc_unbake(const unsigned char *p, size_t n, struct mc_baked *out,
                                struct mc_err *err);
/* Free out->data and zero *b; accepts a zeroed struct. */
void mc_baked_release(struct mc_baked *b);

/* Bake the credential text cred[0..len) into the image img[0..n) and append
 * the new image to out; a result over MC_BAKE_MAX_IMAGE bytes is LIMIT.
 * want is the image type the caller expects (UNKNOWN: whatever it is); a
 * mismatch is INVALID. The version (OB 3.0 or 2.0) and the form are read from
 * the text by mc_bake_classify. On failure out is left as it was.
 * *info, when info is not NULL, says what was written (its data is NULL). */
MC_NODISCARD mcred_rc mc_bake(const unsigned char *img, size_t n, enum mc_bake_image want,
                              const char *cred, size_t len, struct mc_buf *out,
                              struct mc_baked *info, struct mc_err *err);

/* Classify a credential text for baking, ignoring surrounding whitespace:
 *   - a JSON object: OB 3.0 when its @context has the VC 2.0 or 1.1 context or its type
 *     has "VerifiableCredential"; OB 2.0 when it is an assertion (type "Assertion", or
 *     both "recipient" and "badge" as in OB 1.x); otherwise INVALID;
 *   - a compact JWS (three base64url parts) whose payload is such an object, or a VC
 *     1.1 JWT claims set with a "vc" object (OB 3.0);
 *   - an http or https URL: an OB 2.0 hosted assertion.
 * Also refuses NUL bytes, invalid UTF-8 and more than MC_BAKE_MAX_TEXT bytes.
 * Sets *version (3 or 2), *form and *hosted; *start and *tlen give the text
 * without the surrounding whitespace (what gets baked). */
MC_NODISCARD mcred_rc mc_bake_classify(const char *cred, size_t len, int *version,
                                       enum mc_bake_form *form, bool *hosted, size_t *start,
                                       size_t *tlen, struct mc_err *err);

/* Static lowercase names for messages: "png", "svg", "unknown"; "json", "jws", "url". */
const char *mc_bake_image_name(enum mc_bake_image t);
const char *mc_bake_form_name(enum mc_bake_form f);

#endif /* MC_BAKE_H */
