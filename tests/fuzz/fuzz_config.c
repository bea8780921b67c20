/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the configuration parser: any bytes as one file. Every diagnostic
 * must be a bounded C string with no control bytes (the parser escapes
 * what it quotes), and the result must free cleanly.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

#define FUZZ_MSG_MAX	1600

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check one diagnostic; abort (a finding) on a bad one. */
static void
fuzz_config_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	size_t i, n;

	(void)line;
	(void)arg;
	if (is_error != 0 && is_error != 1)
		abort();
	if (file != NULL && strcmp(file, "fuzz.conf") != 0)
		abort();
	n = strnlen(msg, FUZZ_MSG_MAX);
	if (n >= FUZZ_MSG_MAX)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
}

/* One input: a whole configuration file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *conf;

	conf = config_parse_buffer("fuzz.conf", (const char *)data, size,
	    fuzz_config_diag, NULL);
	if (conf != NULL && (conf->nlistens == 0 ||
	    conf->nlistens > CONFIG_LISTEN_MAX || conf->acl == NULL))
		abort();
	config_free(conf);
	return 0;
}
