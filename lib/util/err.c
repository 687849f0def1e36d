/* err.c - result code descriptions and the error detail record.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const messages[MCRED_RC_LAST] = {
    [MCRED_OK] = "ok",
    [MCRED_ERR_NOMEM] = "out of memory",
    [MCRED_ERR_INVALID] = "invalid input",
    [MCRED_ERR_VERIFY] = "verification failed",
    [MCRED_ERR_EXPIRED] = "outside the validity period",
    [MCRED_ERR_NOTFOUND] = "not found",
    [MCRED_ERR_CONFLICT] = "conflict",
    [MCRED_ERR_STORAGE] = "storage error",
    [MCRED_ERR_IO] = "input/output error",
    [MCRED_ERR_LIMIT] = "limit exceeded",
    [MCRED_ERR_INTERNAL] = "internal error",
    [MCRED_ERR_UNSUPPORTED] = "not supported",
    [MCRED_ERR_CRYPTO] = "cryptographic operation failed",
};

const char *mcred_strerror(mcred_rc rc)
{
    if ((unsigned)rc >= MCRED_RC_LAST || !messages[rc])
        return "unknown error";
    return messages[rc];
}

const char *mcred_version(void)
{
    return MCRED_VERSION;
}

mcred_rc mc_err_set(struct mc_err *err, mcred_rc rc, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

void mc_err_clear(struct mc_err *err)
{
    if (!err)
        return;
    err->rc = MCRED_OK;
    err->msg[0] = '\0';
}

const char *mc_err_msg(const struct mc_err *err)
{
    if (!err)
        return "";
    if (err->msg[0])
        return err->msg;
    return mcred_strerror(err->rc);
}
