/* fetch.h - the fetcher interface: how the library asks for a document at a
 * URL (did:web documents, status lists, hosted assertions). The library never
 * opens sockets itself; the CLI and server plug in a libcurl fetcher with
 * SSRF guards, and tests plug in a table.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MC_FETCH_H
#define MC_FETCH_H

#include "internal.h"
#include "util/buf.h"

struct mc_fetcher {
    /* Append the body at url to out (which has a cap). MCRED_ERR_NOTFOUND for
     * 404, MCRED_ERR_IO for network failures; err says which. */
    mcred_rc (*fetch)(void *ud, const char *url, struct mc_buf *out, struct mc_err *err);
    void *ud;
};

#endif /* MC_FETCH_H */
