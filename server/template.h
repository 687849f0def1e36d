/* template.h - the pages' template renderer: a small mustache-like language
 * over a cJSON context, where every value is written through
 * srv_html_escape (there is no unescaped form). Tags: {{name}}, {{a.b}} and
 * {{.}} (a value); {{#name}}..{{/name}} (a section: repeated for each element
 * of an array, entered once for an object or any other true value, skipped
 * for false, null, "", an empty array or a missing name); {{^name}}..{{/name}}
 * (the inverse); {{>partial}} (templates/partial.html, same context);
 * {{! comment }}. A name is looked up from the innermost section outwards.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_TEMPLATE_H
#define MC_TEMPLATE_H

#include "internal.h"

#include "util/buf.h"
#include "util/json.h"

/* Render the embedded template templates/<name>.html with ctx (borrowed)
 * onto out. Errors: NOTFOUND (no such template), INTERNAL (a malformed
 * template: the build checks them, so this is a bug), LIMIT/NOMEM from out. */
MC_NODISCARD mcred_rc tmpl_render(const char *name, const cJSON *ctx, struct mc_buf *out,
                                  struct mc_err *err);

/* Render the template text t[0..n) (tests, and tmpl_render). */
MC_NODISCARD mcred_rc tmpl_render_text(const char *t, size_t n, const cJSON *ctx,
                                       struct mc_buf *out, struct mc_err *err);

#endif /* MC_TEMPLATE_H */
