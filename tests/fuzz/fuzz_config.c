/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the configuration parser: any bytes as one file. Every diagnostic
 * must be a bounded C string with no control bytes (the parser escapes
 * what it quotes), and the result must free cleanly. A configuration
 * that parses is printed as -T prints it, and that text must parse again
 * and print the same, comments aside (-T's output is a configuration -t
 * accepts, and gives itself back).
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_show.h"

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

/* -T of conf, without its comments and blank lines; NULL on failure. */
static char *
fuzz_config_show(const struct config *conf, size_t *len)
{
	char *shown = NULL, *out;
	size_t n = 0, i, j, o = 0, start = 0;
	FILE *f;

	if ((f = open_memstream(&shown, &n)) == NULL)
		return NULL;
	if (config_show(conf, f, NULL) == -1)
		abort();
	fclose(f);
	if ((out = malloc(n + 1)) == NULL) {
		free(shown);
		return NULL;
	}
	for (i = 0; i <= n; i++) {
		size_t end;

		if (i < n && shown[i] != '\n')
			continue;
		end = i;
		for (j = start; j < i; j++)
			if (shown[j] == '#') {
				end = j;
				break;
			}
		while (end > start && shown[end - 1] == ' ')
			end--;
		if (end > start) {
			memcpy(out + o, shown + start, end - start);
			o += end - start;
			out[o++] = '\n';
		}
		start = i + 1;
	}
	free(shown);
	*len = o;
	return out;
}

/* One input: a whole configuration file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *conf, *again;
	char *shown, *shown2;
	size_t len = 0, len2 = 0;

	conf = config_parse_buffer("fuzz.conf", (const char *)data, size,
	    fuzz_config_diag, NULL);
	if (conf != NULL && (conf->nlistens == 0 ||
	    conf->nlistens > CONFIG_LISTEN_MAX || conf->acl == NULL))
		abort();
	if (conf != NULL && (shown = fuzz_config_show(conf, &len)) != NULL) {
		again = config_parse_buffer("fuzz.conf", shown, len,
		    fuzz_config_diag, NULL);
		if (again == NULL)
			abort();
		if ((shown2 = fuzz_config_show(again, &len2)) != NULL &&
		    (len2 != len || memcmp(shown, shown2, len) != 0))
			abort();
		free(shown2);
		config_free(again);
		free(shown);
	}
	config_free(conf);
	return 0;
}
