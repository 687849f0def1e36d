/* fetch_curl.h - the real fetcher behind the library's struct mc_fetcher: an
 * HTTP GET over libcurl with SSRF guards (https only, public addresses only,
 * checked on the resolved address of every connection and every redirect),
 * a time limit and a body cap.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MCRED_CLI_FETCH_CURL_H
#define MCRED_CLI_FETCH_CURL_H

#include "internal.h"

#include <sys/socket.h>

#include "util/fetch.h"

#define CLI_FETCH_TIMEOUT_MS 10000L             /* default time for a whole fetch */
#define CLI_FETCH_MAX_BYTES ((size_t)4 << 20)   /* default body cap: 4 MiB */
#define CLI_FETCH_MAX_REDIRECTS 3               /* redirects followed per fetch */

/* What a fetcher may do. Zero values of timeout_ms and max_bytes select the
 * defaults above. */
struct cli_fetch_opts {
    bool allow_http;      /* also plain http:// (default: https only) */
    bool allow_private;   /* also loopback, private, link-local... addresses */
    long timeout_ms;      /* for the whole fetch, redirects included */
    size_t max_bytes;     /* largest body accepted */
    const char *ca_file;  /* PEM bundle of trusted CAs, NULL for the system's; copied */
};

/* Fill o from the defaults and the environment (what an operator sets):
 *   MCRED_FETCH_ALLOW_HTTP=1     allow http:// URLs
 *   MCRED_FETCH_ALLOW_PRIVATE=1  allow private and loopback addresses
 *   MCRED_FETCH_TIMEOUT_MS=N     1..600000
 *   MCRED_FETCH_MAX_BYTES=N      1..1073741824
 *   MCRED_FETCH_CA_FILE=PATH     trusted CAs (borrowed from the environment)
 * A malformed number is ignored with a warning on stderr. */
void cli_fetch_opts_from_env(struct cli_fetch_opts *o);

/* Make f a fetcher with options o (copied). f->fetch then does a GET with
 * "Accept: application/json, application/ld+json, application/did+json",
 * follows at most CLI_FETCH_MAX_REDIRECTS redirects, re-checking the scheme
 * of every hop, and refuses to connect to an address that is not public
 * unicast (unless allow_private). The check is made on the address each
 * socket is about to connect to, so DNS rebinding cannot get around it. No
 * cookies, no authentication (URLs with user:password@ are refused), no proxy
 * (http_proxy and friends are ignored). The body is appended to the caller's
 * buffer, which is left as it was on any failure. Results of f->fetch:
 *   MCRED_ERR_INVALID   the URL is not a valid absolute URL
 *   MCRED_ERR_NOTFOUND  HTTP 404
 *   MCRED_ERR_LIMIT     the body is larger than max_bytes (or the buffer's cap)
 *   MCRED_ERR_IO        refused by policy, other non-2xx status, timeout,
 *                       TLS or network failure
 *   MCRED_ERR_NOMEM
 * and every message in err names the URL. One libcurl handle is kept and
 * reused (keep-alive), so a fetcher serves one thread at a time.
 * Returns 0, or MCRED_ERR_NOMEM / MCRED_ERR_INTERNAL when libcurl cannot
 * start (f is then zeroed). Prints nothing. */
MC_NODISCARD int cli_fetcher_init(struct mc_fetcher *f, const struct cli_fetch_opts *o);

/* Release what cli_fetcher_init made; f is zeroed. Accepts a zeroed f. */
void cli_fetcher_cleanup(struct mc_fetcher *f);

/* The address classifier. True when sa (AF_INET or AF_INET6, len bytes) is a
 * public unicast address: false for 0.0.0.0/8, private (RFC 1918), CGNAT,
 * loopback, link-local (with 169.254.169.254), multicast, reserved,
 * documentation and benchmarking ranges, the IPv6 unspecified, loopback,
 * unique-local, site-local and link-local ranges, anything outside
 * 2000::/3, and IPv4-mapped, NAT64 and 6to4 forms of blocked IPv4 addresses. */
bool cli_fetch_addr_is_public(const struct sockaddr *sa, size_t len);
/* The same for an IPv4 or IPv6 literal ("10.0.0.1", "::1"); false when ip
 * is not one. */
bool cli_fetch_ip_is_public(const char *ip);

#endif /* MCRED_CLI_FETCH_CURL_H */
