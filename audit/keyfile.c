/* SPDX-License-Identifier: ISC */
/*
 * keyfile: reading, parsing and writing the audit trail's key files (the
 * formats are in keyfile.h).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/keyfile.h"
#include "compat/compat.h"

/* A small regular file, read whole without ever blocking on open. */
int
keyfile_read(const char *path, char *buf, size_t max, size_t *len,
    struct stat *st, char *err, size_t errlen)
{
	size_t got = 0;
	ssize_t r;
	int fd, fl;

	*len = 0;
	/* O_NONBLOCK: a FIFO or a device opens at once and is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file%s", path,
		    S_ISFIFO(st->st_mode) ? " (a FIFO)" : S_ISDIR(st->st_mode) ?
		    " (a directory)" : "");
		goto fail;
	}
	if ((unsigned long long)st->st_size > max) {
		snprintf(err, errlen, "%s: not a key file (%lld bytes)", path,
		    (long long)st->st_size);
		goto fail;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	while (got < max) {
		r = read(fd, buf + got, max - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			sodium_memzero(buf, got);
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
fail:
	close(fd);
	return -1;
}

/* Exactly 2 * n lowercase hex digits and a newline. */
int
keyfile_parse(const char *buf, size_t len, unsigned char *key, size_t n)
{
	if (len != 2 * n + 1 || buf[len - 1] != '\n')
		return -1;
	return chain_unhex(key, n, buf, len - 1);
}

/* The host secret key: seed and public key, which must belong together. */
int
keyfile_sign_parse(const char *buf, size_t len,
    unsigned char sk[KEYFILE_SIGN_SK_BYTES], const char **why)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char full[crypto_sign_SECRETKEYBYTES];

	if (len == 2 * CHAIN_KEY_BYTES + 1) {
		*why = "64 hex digits: an auditor's key or a host public key, "
		    "not a host secret key (daytimed-audit host-keygen)";
		return -1;
	}
	if (keyfile_parse(buf, len, sk, KEYFILE_SIGN_SK_BYTES) == -1) {
		*why = "not a host secret key file (expected 128 lowercase hex "
		    "digits and a newline, from daytimed-audit host-keygen)";
		return -1;
	}
	crypto_sign_seed_keypair(pk, full, sk);
	if (sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, sizeof(pk)) != 0) {
		sodium_memzero(full, sizeof(full));
		sodium_memzero(sk, KEYFILE_SIGN_SK_BYTES);
		*why = "corrupt: its two halves do not belong together";
		return -1;
	}
	sodium_memzero(full, sizeof(full));
	return 0;
}

/* Create path (O_EXCL) with mode and write the key as one hex line. */
int
keyfile_write(const char *path, const unsigned char *key, size_t n,
    mode_t mode, char *err, size_t errlen)
{
	char line[2 * KEYFILE_SIGN_SK_BYTES + 2];
	size_t ll = 2 * n + 1;
	int fd;

	if (n > KEYFILE_SIGN_SK_BYTES) {
		snprintf(err, errlen, "%s: key too long", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "exists, not overwriting" : strerror(errno));
		return -1;
	}
	chain_hex(line, key, n);
	line[2 * n] = '\n';
	if (fchmod(fd, mode) == -1)
		goto fail;
	if (compat_write_all(fd, line, ll) == -1) {
		if (errno == 0)
			errno = EIO;
		goto fail;
	}
	sodium_memzero(line, sizeof(line));
	if (fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	sodium_memzero(line, sizeof(line));
	close(fd);
	unlink(path);
	return -1;
}
