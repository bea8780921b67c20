/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the status line parser: the file the unprivileged monitor writes
 * and daytimed -r, often as root, reads and shows. Any bytes: a parsed
 * line must say a known result and hold an error text without control
 * bytes, NUL-terminated within its buffer. The same bytes go to the
 * other small parser of what the daemon finds around it, JOURNAL_STREAM's
 * (life_journal_parse): taken, they are two decimal numbers and a colon.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/life.h"
#include "daemon/status.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One input: the status file's bytes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status st;
	unsigned long long dev, ino;
	size_t i, n, colons = 0;

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
