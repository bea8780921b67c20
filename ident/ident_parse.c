/* SPDX-License-Identifier: ISC */
/*
 * ident_parse: RFC 1413 answers, read byte by byte with a cursor over
 * (buffer, length). The grammar and every choice made where the RFC is
 * loose are in ident_parse.h.
 */
#include "autoconf.h"

#include <stddef.h>
#include <string.h>

#include "ident/ident_parse.h"

#define IDENT_PORT_DIGITS	5
#define IDENT_PORT_MAX		65535u

/* Where the parser is in the line; n excludes the final CR LF. */
struct ident_cursor {
	const unsigned char	*p;
	size_t			 i;
	size_t			 n;
};

static void	ident_parse_ws(struct ident_cursor *);
static int	ident_parse_char(struct ident_cursor *, unsigned char);
static int	ident_parse_port(struct ident_cursor *, unsigned *);
static int	ident_parse_token(struct ident_cursor *, int, const unsigned char **,
		    size_t *);
static int	ident_parse_tokenchar(unsigned char, int);
static int	ident_parse_is(const unsigned char *, size_t, const char *);
static int	ident_parse_errtype(struct ident_cursor *, struct ident_answer *);
static int	ident_parse_userid(struct ident_cursor *, struct ident_answer *);

/* Parse one answer line for the query "peerport , localport". */
int
ident_parse(const unsigned char *buf, size_t len, unsigned peerport,
    unsigned localport, struct ident_answer *out)
{
	struct ident_cursor c;
	const unsigned char *tok;
	size_t toklen, i;
	unsigned pp, lp;

	memset(out, 0, sizeof(*out));
	out->status = IDENT_MALFORMED;

	if (buf == NULL || len < 2 || len > IDENT_LINE_MAX)
		return -1;
	if (buf[len - 2] != '\r' || buf[len - 1] != '\n')
		return -1;
	/* Only the final CR LF: this also rejects a second line. */
	for (i = 0; i < len - 2; i++)
		if (buf[i] == '\0' || buf[i] == '\r' || buf[i] == '\n')
			return -1;

	c.p = buf;
	c.i = 0;
	c.n = len - 2;

	ident_parse_ws(&c);
	if (ident_parse_port(&c, &pp) == -1)
		return -1;
	ident_parse_ws(&c);
	if (ident_parse_char(&c, ',') == -1)
		return -1;
	ident_parse_ws(&c);
	if (ident_parse_port(&c, &lp) == -1)
		return -1;
	if (pp != peerport || lp != localport)
		return -1;
	ident_parse_ws(&c);
	if (ident_parse_char(&c, ':') == -1)
		return -1;
	ident_parse_ws(&c);
	if (ident_parse_token(&c, 1, &tok, &toklen) == -1)
		return -1;
	ident_parse_ws(&c);
	if (ident_parse_char(&c, ':') == -1)
		return -1;

	if (ident_parse_is(tok, toklen, "ERROR"))
		return ident_parse_errtype(&c, out);
	if (ident_parse_is(tok, toklen, "USERID"))
		return ident_parse_userid(&c, out);
	return -1;
}

/* Skip a run of space and tab. */
static void
ident_parse_ws(struct ident_cursor *c)
{
	while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t'))
		c->i++;
}

/* Consume the one separator character ch. */
static int
ident_parse_char(struct ident_cursor *c, unsigned char ch)
{
	if (c->i >= c->n || c->p[c->i] != ch)
		return -1;
	c->i++;
	return 0;
}

/* A port: 1..5 digits, 1..65535, rejected as soon as it goes over. */
static int
ident_parse_port(struct ident_cursor *c, unsigned *out)
{
	unsigned acc = 0;
	size_t digits = 0;

	while (c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '9') {
		if (++digits > IDENT_PORT_DIGITS)
			return -1;
		acc = acc * 10 + (unsigned)(c->p[c->i] - '0');
		if (acc > IDENT_PORT_MAX)
			return -1;
		c->i++;
	}
	if (digits == 0 || acc == 0)
		return -1;
	*out = acc;
	return 0;
}

/*
 * A token of 1..IDENT_TOKEN_MAX characters. With commaok, ',' belongs to
 * the token (response and error types); without, it ends it (opsys and
 * charset, which a comma separates).
 */
static int
ident_parse_token(struct ident_cursor *c, int commaok,
    const unsigned char **tok, size_t *toklen)
{
	size_t start = c->i;

	while (c->i < c->n && ident_parse_tokenchar(c->p[c->i], commaok)) {
		if (c->i - start >= IDENT_TOKEN_MAX)
			return -1;
		c->i++;
	}
	if (c->i == start)
		return -1;
	*tok = c->p + start;
	*toklen = c->i - start;
	return 0;
}

/* RFC 1413 token characters: printable ASCII except ':' (and ','). */
static int
ident_parse_tokenchar(unsigned char ch, int commaok)
{
	if (ch < 0x21 || ch > 0x7e || ch == ':')
		return 0;
	if (ch == ',' && !commaok)
		return 0;
	return 1;
}

/* Whether the token (tok, len) is exactly the word s. */
static int
ident_parse_is(const unsigned char *tok, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(tok, s, len) == 0;
}

/* The rest of an ERROR answer: the type, then only white space. */
static int
ident_parse_errtype(struct ident_cursor *c, struct ident_answer *out)
{
	static const char *const known[] = {
		"INVALID-PORT", "NO-USER", "HIDDEN-USER", "UNKNOWN-ERROR"
	};
	const unsigned char *tok;
	size_t toklen, i;
	int ok = 0;

	ident_parse_ws(c);
	if (ident_parse_token(c, 1, &tok, &toklen) == -1)
		return -1;
	ident_parse_ws(c);
	if (c->i != c->n)
		return -1;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (ident_parse_is(tok, toklen, known[i]))
			ok = 1;
	/* error-token ::= "X" 1*63<token-characters> */
	if (toklen >= 2 && tok[0] == 'X')
		ok = 1;
	if (!ok || toklen > IDENT_ERRTYPE_MAX)
		return -1;
	memcpy(out->errtype, tok, toklen);
	out->errtype[toklen] = '\0';
	out->status = IDENT_ERROR;
	return -1;
}

/* The rest of a USERID answer: opsys [, charset] : user. */
static int
ident_parse_userid(struct ident_cursor *c, struct ident_answer *out)
{
	const unsigned char *tok;
	size_t toklen, userlen;

	ident_parse_ws(c);
	if (ident_parse_token(c, 0, &tok, &toklen) == -1)
		return -1;
	ident_parse_ws(c);
	if (c->i < c->n && c->p[c->i] == ',') {
		c->i++;
		ident_parse_ws(c);
		if (ident_parse_token(c, 0, &tok, &toklen) == -1)
			return -1;
		ident_parse_ws(c);
	}
	if (ident_parse_char(c, ':') == -1)
		return -1;
	/* The one place white space is dropped from the user id: its start. */
	ident_parse_ws(c);
	userlen = c->n - c->i;
	if (userlen == 0 || userlen > IDENT_USER_MAX)
		return -1;
	memcpy(out->user, c->p + c->i, userlen);
	out->userlen = userlen;
	out->status = IDENT_OK;
	return 0;
}

/* The status word used in logs and audit records. */
const char *
ident_status_name(enum ident_status st)
{
	switch (st) {
	case IDENT_OK:
		return "ok";
	case IDENT_ERROR:
		return "error";
	case IDENT_TIMEOUT:
		return "timeout";
	case IDENT_REFUSED:
		return "refused";
	case IDENT_UNREACHABLE:
		return "unreachable";
	case IDENT_MALFORMED:
		return "malformed";
	case IDENT_SKIPPED:
		return "skipped";
	}
	return "unknown";
}
