/* SPDX-License-Identifier: ISC */
/*
 * Fuzz daytimed -e -: any bytes as standard input, against a fixed rule
 * set. Each line gives exactly one output line, a decision or an error,
 * and no output line holds a control byte.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/explain.h"

static const char fuzz_explain_conf[] =
    "listen tcp 127.0.0.1:13\n"
    "ident mode rules\n"
    "deny 10.0.0.0/8\n"
    "allow 10.1.0.0/16\n"
    "allow 10.1.0.0/16 user alice\n"
    "deny 10.1.2.0/24 user bob\n"
    "allow 2001:db8::/32\n";

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Lines of input, as explain_stream counts them. */
static size_t
fuzz_explain_lines(const uint8_t *data, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			n++;
	return n + (size > 0 && data[size - 1] != '\n');
}

/* One input: the whole of standard input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *conf;
	char *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0, i, lines = 0;
	FILE *in, *o, *e;

	if (conf == NULL && (conf = config_parse_buffer("fuzz.conf",
	    fuzz_explain_conf, sizeof(fuzz_explain_conf) - 1, NULL,
	    NULL)) == NULL)
		abort();
	if (size == 0)
		return 0;
	if ((in = fmemopen((void *)data, size, "r")) == NULL ||
	    (o = open_memstream(&out, &outlen)) == NULL ||
	    (e = open_memstream(&err, &errlen)) == NULL)
		abort();
	(void)explain_stream(conf, 0, in, o, e);
	fclose(in);
	fclose(o);
	fclose(e);
	for (i = 0; i < outlen; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\n')
			lines++;
		else if (c < 0x20 || c == 0x7f)
			abort();
	}
	if (lines != fuzz_explain_lines(data, size))
		abort();
	free(out);
	free(err);
	return 0;
}
