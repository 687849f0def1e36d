/* jcs.h - RFC 8785 JSON Canonicalization Scheme: the canonical bytes of a
 * JSON value, as the eddsa-jcs-2022 proof suite hashes and signs them.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_JCS_H
#define MC_JCS_H

#include <cjson/cJSON.h>

#include "internal.h"
#include "util/buf.h"

/* Nesting of arrays and objects that mc_jcs_canon accepts: the same bound the
 * parser applies, so anything canonicalized can be parsed back. */
#define MC_JCS_MAX_DEPTH 128

/* Append the RFC 8785 canonical form of v to out.
 *
 * - object members are sorted by the UTF-16 code units of their keys (so a
 *   key holding a character above U+FFFF sorts by its surrogates, before
 *   U+E000..U+FFFF), with no whitespace anywhere;
 * - strings are escaped as ECMAScript JSON.stringify does: \b \t \n \f \r \"
 *   \\ and \u00xx (lowercase hex) for the other controls below U+0020, every
 *   other character literal UTF-8 (including '/', U+007F and U+2028/U+2029);
 * - numbers are written by mc_jcs_number.
 *
 * v is borrowed and may come from mc_json_parse or be built in code.
 * Errors:
 *   MCRED_ERR_INVALID  a duplicate key in one object (err names it), a string
 *                      or key that is not valid UTF-8, a NaN or infinite
 *                      number, a cJSON_Raw or cJSON_Invalid node, a NULL
 *                      string or key;
 *   MCRED_ERR_LIMIT    nesting deeper than MC_JCS_MAX_DEPTH, or out->max hit;
 *   MCRED_ERR_NOMEM    allocation failed.
 * On failure out is truncated back to its length on entry (nothing appended).
 * err may be NULL. Reentrant; no global state. */
MC_NODISCARD mcred_rc mc_jcs_canon(const cJSON *v, struct mc_buf *out, struct mc_err *err);

/* Append d as ECMAScript's Number.prototype.toString(10) writes it (RFC 8785
 * §3.2.2.3): the shortest decimal digits that read back as d (the one
 * closest to d if several), plain notation for 1e-6 <= |d| < 1e21 and
 * "1e+21" / "1.5e-7" style exponents otherwise; -0 is "0".
 * Errors: MCRED_ERR_INVALID for NaN and +-Infinity (nothing appended);
 * MCRED_ERR_NOMEM or MCRED_ERR_LIMIT from out. Independent of the locale. */
MC_NODISCARD mcred_rc mc_jcs_number(double d, struct mc_buf *out);

/* Append v as ECMAScript JSON.stringify(v, null, indent) writes it: members in
 * document order (duplicates kept as they are), numbers and strings exactly as
 * in JCS, so what JavaScript parses back is what v holds — cJSON's own
 * printer rounds doubles and is not used for output. indent 0 gives one line;
 * 2 gives the usual indented form. Errors as mc_jcs_canon, less the duplicate
 * key check. */
MC_NODISCARD mcred_rc mc_json_stringify(const cJSON *v, int indent, struct mc_buf *out,
                                        struct mc_err *err);

/* Append s[0..n) as a JSON string, as mc_json_stringify writes strings.
 * MCRED_ERR_INVALID (out unchanged past what was written: callers reset it)
 * when s is not valid UTF-8; NOMEM or LIMIT from out. */
MC_NODISCARD mcred_rc mc_json_put_string(struct mc_buf *out, const char *s, size_t n);

#endif /* MC_JCS_H */
