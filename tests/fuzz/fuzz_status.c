/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the status line parser: the file the unprivileged monitor writes
 * and daytimed -r, often as root, reads and shows. Any bytes: a parsed
 * line must say a known result and hold an error text without control
 * bytes, NUL-terminated within its buffer. The same bytes go to the
 * other small parsers of what the daemon finds around it or trusts:
 * JOURNAL_STREAM's (life_journal_parse): taken, they are two decimal
 * numbers and a colon; a pidfile's (life_pidfile_parse): digits and at
 * most a newline, a pid above 0; and the key files' (keyfile_parse,
 * keyfile_sign_parse): taken, exactly the hex line of their size.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/keyfile.h"
#include "daemon/life.h"
#include "daemon/status.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One input: the status file's bytes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	unsigned char key[32], sk[KEYFILE_SIGN_SK_BYTES];
	struct status st;
	unsigned long long dev, ino;
	const char *why;
	size_t i, n, colons = 0;
	long pid;

	if (!ready && sodium_init() < 0)
		abort();
	ready = 1;
	if (life_pidfile_parse((const char *)data, size, &pid) == 0) {
		if (pid <= 0)
			abort();
		for (i = 0; i < size; i++)
			if ((data[i] < '0' || data[i] > '9') &&
			    !(data[i] == '\n' && i + 1 == size))
				abort();
	}
	if (keyfile_parse((const char *)data, size, key, sizeof(key)) == 0 &&
	    (size != 2 * sizeof(key) + 1 || data[size - 1] != '\n'))
		abort();
	if (keyfile_sign_parse((const char *)data, size, sk, &why) == 0 &&
	    (size != 2 * sizeof(sk) + 1 || data[size - 1] != '\n'))
		abort();

	if (life_journal_parse((const char *)data, size, &dev, &ino) == 0) {
		for (i = 0; i < size; i++)
			if (data[i] == ':')
				colons++;
			else if (data[i] < '0' || data[i] > '9')
				abort();
		if (colons != 1)
			abort();
	}
	if (status_parse((const char *)data, size, &st) == -1)
		return 0;
	if (strcmp(st.result, "starting") != 0 && strcmp(st.result, "ok") != 0 &&
	    strcmp(st.result, "failed") != 0)
		abort();
	n = strnlen(st.error, sizeof(st.error));
	if (n >= sizeof(st.error) || st.pid < 0)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)st.error[i] < 0x20 ||
		    (unsigned char)st.error[i] > 0x7e)
			abort();
	return 0;
}
