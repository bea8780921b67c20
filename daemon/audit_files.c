/* SPDX-License-Identifier: ISC */
/*
 * audit_files: reading the audit key files (see audit_files.h). Bytes
 * are read into a small buffer that is wiped before return; the parse is
 * audit/keyfile.c's.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/keyfile.h"
#include "daemon/audit_files.h"
#include "daemon/loader.h"
#include "daemon/trust.h"

static int	audit_files_read(const char *, const char *, char *, size_t,
		    size_t *, struct stat *, char *, size_t);

/* Open through the loader and read at most max bytes. */
static int
audit_files_read(const char *what, const char *path, char *buf, size_t max,
    size_t *len, struct stat *st, char *err, size_t errlen)
{
	struct trust t;
	char why[256];
	size_t got = 0;
	ssize_t r;
	int fd;

	*len = 0;
	/*
	 * Walked as every file the daemon reads (trust.h): modes here; the
	 * owners on the path are judged for the run user by preflight_key
	 * (both keys), which every start and -t runs first (the run user is
	 * not known here).
	 */
	trust_init(&t, 0, 0, 0);
	fd = loader_open(&t, path, 0, LOADER_FILE_MAX, st, why, sizeof(why));
	trust_free(&t);
	if (fd == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path, why);
		return -1;
	}
	while (got < max) {
		r = read(fd, buf + got, max - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s %s: cannot read: %s", what,
			    path, strerror(errno));
			close(fd);
			sodium_memzero(buf, max);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
}

/* audit key PATH: 64 hex digits and a newline. */
int
audit_files_auditor(const char *path, unsigned char pk[CHAIN_KEY_BYTES],
    char *err, size_t errlen)
{
	char buf[CHAIN_KEYFILE_LEN + 1];
	struct stat st;
	size_t len;

	if (audit_files_read("audit key", path, buf, sizeof(buf), &len, &st,
	    err, errlen) == -1)
		return -1;
	if (keyfile_parse(buf, len, pk, CHAIN_KEY_BYTES) == -1) {
		snprintf(err, errlen, "audit key %s: not a daytimed-audit key "
		    "file (expected 64 lowercase hex digits and a newline)",
		    path);
		return -1;
	}
	return 0;
}

/* audit signing-key PATH: root's (or the starter's), 0600, 128 hex digits. */
int
audit_files_signing(const char *path, unsigned char sk[CHAIN_SIGN_SK_BYTES],
    char *err, size_t errlen)
{
	char buf[2 * CHAIN_SIGN_SK_BYTES + 2];
	const char *why = NULL;
	struct stat st;
	size_t len;
	int rv = -1;

	if (audit_files_read("audit signing-key", path, buf, sizeof(buf), &len,
	    &st, err, errlen) == -1)
		return -1;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		snprintf(err, errlen, "audit signing-key %s: owned by uid %u, "
		    "not root: whoever owns it can sign epochs as this host",
		    path, (unsigned)st.st_uid);
	else if ((st.st_mode & 077) != 0)
		snprintf(err, errlen, "audit signing-key %s: mode %04o gives "
		    "group or others access: it must be 0600 (or 0400)", path,
		    (unsigned)(st.st_mode & 07777));
	else if (len != 2 * CHAIN_SIGN_SK_BYTES + 1 && len != CHAIN_KEYFILE_LEN)
		snprintf(err, errlen, "audit signing-key %s: wrong size (%zu "
		    "bytes; a host secret key from daytimed-audit host-keygen "
		    "has %d)", path, len, 2 * CHAIN_SIGN_SK_BYTES + 1);
	else if (keyfile_sign_parse(buf, len, sk, &why) == -1)
		snprintf(err, errlen, "audit signing-key %s: %s", path, why);
	else
		rv = 0;
	sodium_memzero(buf, sizeof(buf));
	if (rv == -1)
		sodium_memzero(sk, CHAIN_SIGN_SK_BYTES);
	return rv;
}
