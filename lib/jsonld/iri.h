/* iri.h - IRI references as JSON-LD uses them: telling an absolute IRI from a
 * relative reference, and resolving a reference against a base (RFC 3986
 * §5.2, no normalization beyond dot-segment removal, IRI characters treated
 * like unreserved ones as RFC 3987 §6.5 says).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_IRI_H
#define MC_IRI_H

#include "internal.h"
#include "util/buf.h"

/* True when s starts with a scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / "."))
 * followed by ':', which is what JSON-LD calls "having the form of an IRI".
 * Blank node identifiers ("_:b0") are not absolute IRIs. */
bool mc_iri_is_absolute(const char *s);

/* True when s is an absolute IRI without characters IRIs never contain
 * (controls, space, and <>"{}|\^`): what JSON-LD requires of datatype IRIs
 * and what toRdf may keep. */
bool mc_iri_is_valid(const char *s);

/* Resolve ref against base (RFC 3986 §5.2.2 with §5.2.3 merge and §5.2.4
 * remove_dot_segments). An absolute ref is returned with its dot segments
 * removed. base NULL or not absolute: ref is returned unchanged. Owned
 * (mc_free); NULL on NOMEM. */
char *mc_iri_resolve(const char *base, const char *ref);

/* The same, appending the result to out (which is not reset first).
 * NOMEM or LIMIT from the buffer. */
MC_NODISCARD mcred_rc mc_iri_resolve_buf(const char *base, const char *ref, struct mc_buf *out);

#endif /* MC_IRI_H */
