/* SPDX-License-Identifier: ISC */
/*
 * ident_parse: the RFC 1413 answer parser. Pure: (buffer, length, the
 * ports we asked about) in, a status and the claimed user bytes out. The
 * answer is untrusted; the user is kept as bytes with a length.
 *
 * What is accepted (RFC 1413 section 6, read strictly):
 *
 *   [ws] PEERPORT [ws] "," [ws] LOCALPORT [ws] ":" [ws] "USERID" [ws] ":"
 *       [ws] OPSYS [ws] [ "," [ws] CHARSET [ws] ] ":" USER CRLF
 *   [ws] PEERPORT [ws] "," [ws] LOCALPORT [ws] ":" [ws] "ERROR" [ws] ":"
 *       [ws] TYPE [ws] CRLF
 *
 * - ws is any run of space and tab; nothing else counts as white space.
 * - The line is at most IDENT_LINE_MAX octets and ends in exactly one
 *   CR LF, at its very end. A bare LF, a missing terminator, or anything
 *   after the CR LF (a second line) in the buffer is malformed; NUL, CR
 *   and LF appear nowhere else in the line. (ident.c hands over the bytes
 *   up to the first LF only: what a server sends after it is never read,
 *   so there a second line goes unseen rather than refused.)
 * - A port is 1 to 5 decimal digits worth 1..65535: no sign, no other
 *   characters. The pair must equal the query's (PEERPORT, LOCALPORT).
 * - "USERID" and "ERROR" and the ERROR types are matched exactly (upper
 *   case). OPSYS and CHARSET are tokens: 1..64 printable ASCII characters
 *   other than ':' and ','. They are checked, not kept.
 * - TYPE is INVALID-PORT, NO-USER, HIDDEN-USER, UNKNOWN-ERROR, or an
 *   RFC error-token: "X" followed by 1..63 printable ASCII characters other
 *   than ':' (so "X-FOO" is one).
 * - USER is everything after the colon that ends the opsys field, up to
 *   the CR LF, except that the leading run of space and tab is dropped
 *   (every server puts one there, as in the RFC's own examples, so a user
 *   id that starts with white space cannot be expressed). Trailing white
 *   space, colons, commas, quotes and any other octet except NUL, CR and
 *   LF are kept byte for byte. It must be 1..IDENT_USER_MAX octets.
 * - ERROR answers never carry a user (userlen is 0).
 */
#ifndef DAYTIMED_IDENT_PARSE_H
#define DAYTIMED_IDENT_PARSE_H

#include <stddef.h>

#define IDENT_LINE_MAX		1000	/* longest answer line read, CRLF included */
#define IDENT_USER_MAX		512	/* RFC 1413: user id at most 512 octets */
#define IDENT_ERRTYPE_MAX	64	/* longest ERROR type kept */
#define IDENT_TOKEN_MAX		64	/* RFC 1413: longest OPSYS/CHARSET/TYPE */

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
 * Parse one answer line, its CR LF included, for the query
 * "peerport , localport". Sets out->status to IDENT_OK, IDENT_ERROR or
 * IDENT_MALFORMED and returns 0 for OK, -1 otherwise. userlen is 0 and
 * errtype is "" unless the status says otherwise.
 */
int	ident_parse(const unsigned char *buf, size_t len, unsigned peerport,
	    unsigned localport, struct ident_answer *out);

/* "ok", "error", "timeout", ... (without the ":TYPE" of an ERROR). */
const char *ident_status_name(enum ident_status);

#endif
