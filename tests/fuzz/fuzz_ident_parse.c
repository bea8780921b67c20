/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ident_parse: the first 4 bytes are the query's ports (peer, local,
 * big-endian), the rest is the answer line. Checks the invariants every
 * caller relies on.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One input: parse it, then check what the answer may look like. */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct ident_answer a;
	unsigned pp, lp;
	unsigned char *line;
	size_t len, i;
	int rc;

	if (n < 4)
		return 0;
	pp = (unsigned)d[0] << 8 | d[1];
	lp = (unsigned)d[2] << 8 | d[3];
	len = n - 4;
	/* A copy of exactly len bytes, so ASan sees any overread. */
	if ((line = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(line, d + 4, len);
	rc = ident_parse(line, len, pp, lp, &a);

	switch (a.status) {
	case IDENT_OK:
		if (rc != 0 || a.userlen < 1 || a.userlen > IDENT_USER_MAX)
			abort();
		for (i = 0; i < a.userlen; i++)
			if (a.user[i] == '\0' || a.user[i] == '\r' ||
			    a.user[i] == '\n')
				abort();
		if (a.errtype[0] != '\0')
			abort();
		/* The user is a suffix of the line, before its CR LF. */
		if (len < a.userlen + 2 || memcmp(line + len - 2 - a.userlen,
		    a.user, a.userlen) != 0)
			abort();
		if (pp == 0 || lp == 0)
			abort();
		break;
	case IDENT_ERROR:
		if (rc != -1 || a.userlen != 0)
			abort();
		if (strlen(a.errtype) < 2 || strlen(a.errtype) > IDENT_ERRTYPE_MAX)
			abort();
		for (i = 0; a.errtype[i] != '\0'; i++)
			if (a.errtype[i] < 0x21 || a.errtype[i] > 0x7e ||
			    a.errtype[i] == ':')
				abort();
		break;
	case IDENT_MALFORMED:
		if (rc != -1 || a.userlen != 0 || a.errtype[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
	if ((a.status == IDENT_OK || a.status == IDENT_ERROR) &&
	    (len > IDENT_LINE_MAX || len < 2 || line[len - 1] != '\n' ||
	    line[len - 2] != '\r'))
		abort();
	free(line);
	return 0;
}
