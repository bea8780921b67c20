/* SPDX-License-Identifier: ISC */
/*
 * audit_files: the daemon's audit key files, read at startup (before the
 * privilege drop and any chroot) through loader_open, the one place the
 * daemon opens its configuration, list and key files, so that the same
 * rules apply as to its configuration, and then these:
 *
 *   audit key PATH          the auditor's public key: 64 hex digits and
 *                           a newline
 *   audit signing-key PATH  the host's Ed25519 secret key (daytimed-audit
 *                           host-keygen): 128 hex digits and a newline,
 *                           owned by root (by the starting user when that
 *                           is not root), no access for group or others
 *
 * Messages name the directive and the file.
 */
#ifndef DAYTIMED_AUDIT_FILES_H
#define DAYTIMED_AUDIT_FILES_H

#include <stddef.h>

#include "audit/chain.h"

/* Read the auditor's public key; 0, or -1 with a message in err. */
int	audit_files_auditor(const char *path,
	    unsigned char pk[CHAIN_KEY_BYTES], char *err, size_t errlen);
/*
 * Read the host's signing key into sk (the caller's locked memory); 0,
 * or -1 with a message in err (sk wiped).
 */
int	audit_files_signing(const char *path,
	    unsigned char sk[CHAIN_SIGN_SK_BYTES], char *err, size_t errlen);

#endif
