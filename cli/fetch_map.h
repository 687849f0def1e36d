/* fetch_map.h - a document map for offline and air-gapped verification: a
 * JSON object mapping URLs to local files (status lists, DID documents,
 * OB 2.0 assertions, badge classes, issuers, keys). As a fetcher it serves
 * mapped URLs from their files and hands the others to the next fetcher
 * (the network), or answers "not found" when there is none (offline).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_FETCH_MAP_H
#define MCRED_CLI_FETCH_MAP_H

#include "internal.h"

#include "util/fetch.h"

#define CLI_DOCMAP_MAX_ENTRIES 10000
#define CLI_DOCMAP_MAX_FILE ((size_t)16 << 20)

struct cli_docmap;

/* Read the map file (paths in it are relative to the map file's folder).
 * Prints errors; returns 0 or CLI_USAGE. */
int cli_docmap_load(const char *path, struct cli_docmap **out);
void cli_docmap_free(struct cli_docmap *m);   /* accepts NULL */
/* A fetcher over m, then next (NULL: nothing else). m and next must outlive
 * out. Thread-safe when next is. */
void cli_docmap_fetcher(struct cli_docmap *m, const struct mc_fetcher *next,
                        struct mc_fetcher *out);

/* Read a trust list: a JSON array of issuer ids, or one id per line (#
 * comments). *ids is a NULL-ended array (free with cli_trust_free). Prints
 * errors; returns 0 or CLI_USAGE. */
int cli_trust_load(const char *path, char ***ids, size_t *n);
void cli_trust_free(char **ids);

#endif /* MCRED_CLI_FETCH_MAP_H */
