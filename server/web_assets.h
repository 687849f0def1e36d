/* web_assets.h - the page templates and static files of web/, embedded at
 * build time by scripts/embed-web.py (the generated web_assets.c defines the
 * table); template.c looks them up by name.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_WEB_ASSETS_H
#define MC_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name;   /* the path under web/: "templates/badge.html", "static/site.css" */
    const char *type;   /* Content-Type */
    const char *data;   /* len bytes, NUL-terminated; static */
    size_t len;
    const char *etag;   /* 16 hex digits of its SHA-256 */
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_n;

/* The asset named name, or NULL. */
const struct web_asset *web_asset_find(const char *name);

#endif /* MC_WEB_ASSETS_H */
