/* SPDX-License-Identifier: ISC */
/*
 * netblock: the text of netblocks and addresses, both ways. Pure.
 *
 * acl_prefix_parse is a strict front end to libcidr: our own byte-by-byte
 * checks first (canonical dotted quads, no leading zeros, no zone ids, a
 * bounded length), then libcidr must read the text as we did. Formatting
 * is RFC 5952 for IPv6, so one address is always one text.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libcidr.h>

#include "acl/acl.h"
#include "acl/netblock.h"
#include "compat/compat.h"

#define ACL_TEXT_MAX	64	/* longest netblock text accepted */
#define ACL_V6TEXT_MAX	45	/* longest IPv6 address text (RFC 4291) */
#define ACL_CIDR_PAD	32	/* zero bytes before the text for libcidr */

static int	acl_parse_v4(const char *, size_t, uint8_t *, const char **);
static int	acl_parse_v6(const char *, size_t, uint8_t *, const char **);
static int	acl_parse_plen(const char *, size_t, unsigned *, const char **);
static int	acl_cidr_agrees(const char *, size_t, int, const uint8_t *,
		    unsigned, const char **);
static size_t	acl_addr_text(const struct acl_addr *, char *);

/* Parse NETBLOCK text: the strict front end, then libcidr, then checks. */
int
acl_prefix_parse(const char *s, size_t len, struct acl_prefix *out,
    int *warn, const char **errstr)
{
	const char *slash, *err = NULL;
	uint8_t bytes[16];
	size_t alen;
	unsigned plen, max;
	int v6, w = 0;

	if (warn != NULL)
		*warn = 0;
	if (errstr == NULL)
		errstr = &err;
	*errstr = NULL;
	if (s == NULL || len == 0) {
		*errstr = "empty netblock";
		return -1;
	}
	if (len > ACL_TEXT_MAX) {
		*errstr = "netblock text too long";
		return -1;
	}
	if (memchr(s, '\0', len) != NULL) {
		*errstr = "NUL byte in netblock";
		return -1;
	}
	slash = memchr(s, '/', len);
	alen = slash != NULL ? (size_t)(slash - s) : len;
	if (alen == 0) {
		*errstr = "missing address before the prefix length";
		return -1;
	}
	v6 = memchr(s, ':', alen) != NULL;
	memset(bytes, 0, sizeof(bytes));
	if (v6 ? acl_parse_v6(s, alen, bytes, errstr) == -1 :
	    acl_parse_v4(s, alen, bytes, errstr) == -1)
		return -1;
	max = v6 ? 128 : 32;
	plen = max;
	if (slash != NULL &&
	    acl_parse_plen(slash + 1, len - alen - 1, &plen, errstr) == -1)
		return -1;
	if (plen > max) {
		*errstr = "prefix length out of range";
		return -1;
	}
	if (acl_cidr_agrees(s, len, v6, bytes, plen, errstr) == -1)
		return -1;
	/*
	 * Under /96 the netblock is not IPv4-mapped but IPv6 with host bits
	 * set: ::ffff:10.0.0.0/8 is ::/8, not 10.0.0.0/8. Refused, as is any
	 * text meant one way that reads another; written from its first
	 * address (::fffe:0:0/95) it is an IPv6 netblock like any other.
	 */
	if (v6 && acl_is_mapped(bytes)) {
		if (plen < 96) {
			*errstr = "prefix shorter than /96 on an IPv4-mapped "
			    "address (an IPv4 netblock is a.b.c.d/n; an IPv6 "
			    "one is written from its first address)";
			return -1;
		}
		memmove(bytes, bytes + 12, 4);
		memset(bytes + 4, 0, 12);
		plen -= 96;
		v6 = 0;
		w |= ACL_WARN_MAPPED;
	}
	acl_clear_host(bytes, plen, v6 ? 16 : 4, &w);
	memset(out, 0, sizeof(*out));
	out->addr.family = v6 ? AF_INET6 : AF_INET;
	memcpy(out->addr.bytes, bytes, sizeof(out->addr.bytes));
	out->plen = plen;
	if (warn != NULL)
		*warn = w;
	return 0;
}

/* Four decimal octets 0-255, no leading zeros, nothing else. */
static int
acl_parse_v4(const char *s, size_t len, uint8_t *out, const char **errstr)
{
	size_t i = 0, start;
	unsigned octets = 0, v;

	if (len == 0 || s[0] < '0' || s[0] > '9') {
		*errstr = "not an IPv4 or IPv6 address";
		return -1;
	}
	for (;;) {
		start = i;
		v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start) {
			*errstr = i < len && s[i] != '.' ?
			    "invalid character in IPv4 address" :
			    "empty IPv4 octet";
			return -1;
		}
		if (i < len && (s[i] == 'x' || s[i] == 'X') && i - start == 1 &&
		    s[start] == '0') {
			*errstr = "hexadecimal IPv4 octet";
			return -1;
		}
		if (i - start > 1 && s[start] == '0') {
			*errstr = "leading zero in IPv4 octet";
			return -1;
		}
		if (v > 255 || (i < len && s[i] >= '0' && s[i] <= '9')) {
			*errstr = "IPv4 octet out of range";
			return -1;
		}
		out[octets++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != '.') {
			*errstr = "invalid character in IPv4 address";
			return -1;
		}
		if (octets == 4) {
			*errstr = "IPv4 address has more than four octets";
			return -1;
		}
		i++;
	}
	if (octets != 4) {
		*errstr = "IPv4 address needs four octets";
		return -1;
	}
	return 0;
}

/* RFC 4291 text: inet_pton on a bounded copy after our own checks. */
static int
acl_parse_v6(const char *s, size_t len, uint8_t *out, const char **errstr)
{
	char buf[ACL_V6TEXT_MAX + 1];
	uint8_t v4[4];
	const char *colon;
	size_t i;

	if (memchr(s, '%', len) != NULL) {
		*errstr = "zone id in netblock";
		return -1;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
			*errstr = "invalid character in IPv6 address";
			return -1;
		}
	}
	if (len > ACL_V6TEXT_MAX) {
		*errstr = "IPv6 address too long";
		return -1;
	}
	if (memchr(s, '.', len) != NULL) {
		/* An embedded IPv4 address ends the text, by IPv4 rules. */
		colon = memrchr(s, ':', len);
		if (colon == s + len - 1 || memchr(colon, '.',
		    (size_t)(s + len - colon)) == NULL) {
			*errstr = "malformed IPv6 address";
			return -1;
		}
		if (acl_parse_v4(colon + 1, len - (size_t)(colon + 1 - s), v4,
		    errstr) == -1)
			return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1) {
		*errstr = "malformed IPv6 address";
		return -1;
	}
	return 0;
}

/* The digits after '/': decimal, no sign, no leading zero. */
static int
acl_parse_plen(const char *s, size_t len, unsigned *plen, const char **errstr)
{
	size_t i;
	unsigned v = 0;

	if (len == 0) {
		*errstr = "missing prefix length";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*errstr = "prefix length is not a decimal number";
			return -1;
		}
	}
	if (len > 1 && s[0] == '0') {
		*errstr = "leading zero in prefix length";
		return -1;
	}
	if (len > 3) {
		*errstr = "prefix length out of range";
		return -1;
	}
	for (i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	*plen = v;
	return 0;
}

/*
 * Have libcidr read the text our front end accepted and insist that it
 * reads what we read: a disagreement means one of the two is wrong, and a
 * rule must not mean something other than what the operator sees.
 */
static int
acl_cidr_agrees(const char *s, size_t len, int v6, const uint8_t *bytes,
    unsigned plen, const char **errstr)
{
	char buf[ACL_CIDR_PAD + ACL_TEXT_MAX + 1];
	CIDR *c;
	uint8_t *a;
	int ok;

	/*
	 * libcidr 1.2.3 compares the last 13 bytes of the text with
	 * ".in-addr.arpa" however short the text is, reading before its
	 * start (found by ASan): give it zero bytes to read there.
	 */
	memset(buf, 0, ACL_CIDR_PAD);
	memcpy(buf + ACL_CIDR_PAD, s, len);
	buf[ACL_CIDR_PAD + len] = '\0';
	if ((c = cidr_from_str(buf + ACL_CIDR_PAD)) == NULL) {
		*errstr = errno == ENOMEM ? "out of memory" :
		    "netblock rejected by libcidr";
		return -1;
	}
	if ((a = cidr_get_addr(c)) == NULL) {
		cidr_free(c);
		*errstr = "out of memory";
		return -1;
	}
	if (v6)
		ok = cidr_get_proto(c) == CIDR_IPV6 &&
		    memcmp(a, bytes, 16) == 0;
	else
		ok = cidr_get_proto(c) == CIDR_IPV4 &&
		    memcmp(a + 12, bytes, 4) == 0;
	ok = ok && cidr_get_pflen(c) == (int)plen;
	free(a);
	cidr_free(c);
	if (!ok) {
		*errstr = "libcidr reads the netblock differently";
		return -1;
	}
	return 0;
}

/* Zero the bits past plen of an address of n bytes; note if any was set. */
void
acl_clear_host(uint8_t *b, unsigned plen, unsigned n, int *warn)
{
	unsigned i;
	uint8_t keep;

	for (i = 0; i < n; i++) {
		if (plen >= (i + 1) * 8)
			continue;
		keep = plen <= i * 8 ? 0 :
		    (uint8_t)(0xff << (8 - (plen - i * 8)));
		if ((b[i] & ~keep) != 0)
			*warn |= ACL_WARN_HOSTBITS;
		b[i] &= keep;
	}
}

/* Write a prefix as text ("10.0.0.0/8", "2001:db8::/32"); -1: no room. */
int
acl_prefix_format(const struct acl_prefix *p, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN + 4];
	size_t n;

	if (p == NULL || buf == NULL || (p->addr.family != AF_INET &&
	    p->addr.family != AF_INET6) ||
	    p->plen > (p->addr.family == AF_INET ? 32U : 128U))
		return -1;
	n = acl_addr_text(&p->addr, t);
	t[n++] = '/';
	n += compat_fmt_uint(t + n, p->plen);
	if (n >= len)
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 0;
}

/* Write an address as text: dotted quad, or RFC 5952 IPv6. */
int
acl_addr_format(const struct acl_addr *a, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];
	size_t n;

	if (a == NULL || buf == NULL || len == 0 ||
	    (a->family != AF_INET && a->family != AF_INET6))
		return -1;
	n = acl_addr_text(a, t);
	if (n >= len)
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 0;
}

/*
 * The text of an IPv4 or IPv6 address at t (INET6_ADDRSTRLEN bytes, no
 * NUL), by hand rather than through snprintf: a record formats one for
 * every connection that a netblock judged.
 */
static size_t
acl_addr_text(const struct acl_addr *a, char *t)
{
	size_t n = 0;
	int i;

	if (a->family == AF_INET6)
		return compat_fmt_ip6(t, a->bytes);
	for (i = 0; i < 4; i++) {
		if (i > 0)
			t[n++] = '.';
		n += compat_fmt_uint(t + n, a->bytes[i]);
	}
	return n;
}

/* A bare address (no /prefix) as text; IPv4-mapped IPv6 becomes IPv4. */
int
acl_addr_parse(const char *s, size_t len, struct acl_addr *out,
    const char **errstr)
{
	struct acl_prefix p;
	const char *err = NULL;

	if (errstr == NULL)
		errstr = &err;
	if (s != NULL && memchr(s, '/', len) != NULL) {
		*errstr = "prefix length in an address";
		return -1;
	}
	if (acl_prefix_parse(s, len, &p, NULL, errstr) == -1)
		return -1;
	*out = p.addr;
	return 0;
}

/* Fill an acl_addr from a socket address; IPv4-mapped IPv6 becomes IPv4. */
int
acl_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
    struct acl_addr *out)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t fam;

	if (sa == NULL || out == NULL ||
	    salen < (socklen_t)(offsetof(struct sockaddr, sa_family) +
	    sizeof(fam))) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&fam, (const char *)sa + offsetof(struct sockaddr, sa_family),
	    sizeof(fam));
	memset(out, 0, sizeof(*out));
	if (fam == AF_INET) {
		if (salen < (socklen_t)sizeof(sin)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&sin, sa, sizeof(sin));
		out->family = AF_INET;
		memcpy(out->bytes, &sin.sin_addr, 4);
		return 0;
	}
	if (fam == AF_INET6) {
		if (salen < (socklen_t)sizeof(sin6)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&sin6, sa, sizeof(sin6));
		if (acl_is_mapped(sin6.sin6_addr.s6_addr)) {
			out->family = AF_INET;
			memcpy(out->bytes, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->bytes, sin6.sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}
