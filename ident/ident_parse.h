/* SPDX-License-Identifier: ISC */
/*
 * ident_parse: the RFC 1413 answer parser. Pure: (buffer, length, the
 * ports we asked about) in, a status and the claimed user bytes out. The
 * answer is untrusted; the user is kept as bytes with a length.
 */
#ifndef DAYTIMED_IDENT_PARSE_H
#define DAYTIMED_IDENT_PARSE_H

#include <stddef.h>

#define IDENT_LINE_MAX		1000	/* longest answer line read, CRLF included */
#define IDENT_USER_MAX		512	/* RFC 1413: user id at most 512 octets */
#define IDENT_ERRTYPE_MAX	64	/* longest ERROR type kept */

enum ident_status {
	IDENT_OK = 0,
	IDENT_ERROR,		/* ERROR : TYPE; errtype holds TYPE */
	IDENT_TIMEOUT,
	IDENT_REFUSED,
	IDENT_UNREACHABLE,
	IDENT_MALFORMED,
	IDENT_SKIPPED
};

struct ident_answer {
	enum ident_status	status;
	unsigned char		user[IDENT_USER_MAX];	/* IDENT_OK only */
	size_t			userlen;
	char			errtype[IDENT_ERRTYPE_MAX + 1]; /* IDENT_ERROR only */
};

/*
 * Parse one answer line (with or without its CRLF) for the query
 * "peerport , localport". Sets out->status to IDENT_OK, IDENT_ERROR or
 * IDENT_MALFORMED and returns 0 for OK, -1 otherwise.
 */
int	ident_parse(const unsigned char *buf, size_t len, unsigned peerport,
	    unsigned localport, struct ident_answer *out);

/* "ok", "error", "timeout", ... (without the ":TYPE" of an ERROR). */
const char *ident_status_name(enum ident_status);

#endif
