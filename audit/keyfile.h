/* SPDX-License-Identifier: ISC */
/*
 * keyfile: the key files of the audit trail. Each holds one key as
 * lowercase hex and a newline, nothing else:
 *
 *   auditor's keys (keygen)        X25519, 32 bytes: 64 hex digits
 *   host public key (host-keygen)  Ed25519, 32 bytes: 64 hex digits
 *   host secret key (host-keygen)  Ed25519 seed and public key, 64 bytes:
 *                                  128 hex digits (its size alone tells it
 *                                  from the other three)
 *
 * keyfile_read is for the auditor's tool, which opens what it is given:
 * never blocks (a FIFO is refused, not waited on), reads regular files
 * only, and hands back the stat so the caller can judge the mode. The
 * daemon opens its key files through its own loader (daemon/audit_files.c)
 * and parses them here. Parsers are pure.
 */
#ifndef DAYTIMED_KEYFILE_H
#define DAYTIMED_KEYFILE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>

#define KEYFILE_MAX	256	/* bytes read from any key file, at most */
#define KEYFILE_SIGN_SK_BYTES	64	/* crypto_sign_SECRETKEYBYTES */
#define KEYFILE_SIGN_PK_BYTES	32	/* crypto_sign_PUBLICKEYBYTES */

/*
 * Read the key file at path into buf (at most max bytes) without
 * blocking: 0, or -1 with "PATH: reason" in err (not a regular file,
 * larger than max, unreadable). *st holds its stat.
 */
int	keyfile_read(const char *path, char *buf, size_t max, size_t *len,
	    struct stat *st, char *err, size_t errlen);
/* Parse exactly 2 * n lowercase hex digits and a newline; 0 or -1. */
int	keyfile_parse(const char *buf, size_t len, unsigned char *key,
	    size_t n);
/*
 * Parse a host secret key file: 128 hex digits and a newline, whose
 * second half is the public key of the first (the seed). 0, or -1 with a
 * reason in *why.
 */
int	keyfile_sign_parse(const char *buf, size_t len,
	    unsigned char sk[KEYFILE_SIGN_SK_BYTES], const char **why);
/*
 * Create path (it must not exist) with mode, holding key (n bytes) as
 * one hex line; synced. 0, or -1 with "PATH: reason" in err (nothing
 * left behind).
 */
int	keyfile_write(const char *path, const unsigned char *key, size_t n,
	    mode_t mode, char *err, size_t errlen);

#endif
