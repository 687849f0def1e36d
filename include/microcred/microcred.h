/* microcred.h - umbrella header of libmicrocred: version, result codes and the
 * export macro every public declaration uses.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef MICROCRED_H
#define MICROCRED_H

#ifdef __cplusplus
extern "C" {
#endif

#define MCRED_VERSION "0.1.0"

#if defined(__GNUC__)
#define MCRED_API __attribute__((visibility("default")))
#define MCRED_NODISCARD __attribute__((warn_unused_result))
#else
#define MCRED_API
#define MCRED_NODISCARD
#endif

/* One result code for the whole library. Append only; never renumber. */
typedef enum mcred_rc {
    MCRED_OK = 0,
    MCRED_ERR_NOMEM,        /* allocation failed */
    MCRED_ERR_INVALID,      /* malformed or unacceptable input */
    MCRED_ERR_VERIFY,       /* a signature or a check failed */
    MCRED_ERR_EXPIRED,      /* outside its validity period */
    MCRED_ERR_NOTFOUND,     /* no such thing */
    MCRED_ERR_CONFLICT,     /* already exists, or state forbids it */
    MCRED_ERR_STORAGE,      /* the store failed */
    MCRED_ERR_IO,           /* a file or network operation failed */
    MCRED_ERR_LIMIT,        /* a size, depth or work limit was hit */
    MCRED_ERR_INTERNAL,     /* a bug: should not happen */
    MCRED_ERR_UNSUPPORTED,  /* well-formed but not supported (algorithm, suite, DID method) */
    MCRED_ERR_CRYPTO,       /* a crypto library call failed, or wrong passphrase */
    MCRED_RC_LAST           /* not a code: one past the last */
} mcred_rc;

/* A static, lowercase description of rc; never NULL. */
MCRED_API const char *mcred_strerror(mcred_rc rc);

/* The library version string, static. */
MCRED_API const char *mcred_version(void);

#ifdef __cplusplus
}
#endif
#endif /* MICROCRED_H */
