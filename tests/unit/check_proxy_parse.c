/* SPDX-License-Identifier: ISC */
/*
 * proxy_parse and proxy_read: a table of real and hostile PROXY protocol
 * headers (v1 and v2), each with the exact outcome, length, command and
 * addresses it must give; every prefix of each; and the reader over a
 * socket pair, which must consume the header and not one byte more.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "proxy/proxy_parse.h"
#include "proxy/proxy_read.h"
#include "tests/unit/suites.h"

/* One input and what it must parse to; S() keeps embedded NULs. */
struct proxy_case {
	const char		*buf;
	size_t			 len;
	enum proxy_parse_status	 status;
	size_t			 hdrlen;	/* DONE */
	enum proxy_command	 command;	/* DONE */
	const char		*src;		/* DONE, PROXY: "ADDR PORT" */
	const char		*dst;
};

#define S(s)		(s), (sizeof(s) - 1)
#define PX(b, n, src, dst) \
	{ S(b), PROXY_PARSE_DONE, n, PROXY_CMD_PROXY, src, dst }
#define LOCAL(b, n)	{ S(b), PROXY_PARSE_DONE, n, PROXY_CMD_LOCAL, NULL, NULL }
#define BAD(b)		{ S(b), PROXY_PARSE_BAD, 0, 0, NULL, NULL }
#define MORE(b)		{ S(b), PROXY_PARSE_MORE, 0, 0, NULL, NULL }

/* The v2 signature, then version/command and family bytes. */
#define SIG		"\r\n\r\n\0\r\nQUIT\n"
#define V2PROXY		SIG "\x21"
#define V2LOCAL		SIG "\x20"
#define A4		"\x7f\x00\x01\x01" "\x7f\x00\x00\x01" "\x30\x39" "\x00\x0d"
#define A6		"\x20\x01\x0d\xb8" "\0\0\0\0\0\0\0\0\0\0\0\x01" \
			"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" "\xff\xff" "\x00\x00"
#define X8		"xxxxxxxx"
#define X64		X8 X8 X8 X8 X8 X8 X8 X8
#define X108		X64 X8 X8 X8 X8 X8 "xxxx"
#define AUNIX		X108 X108
#define V6MAX		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

/* v1: the spec's examples, both families, the edges of each field. */
static const struct proxy_case v1_cases[] = {
	PX("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", 47,
	    "192.168.0.1 56324", "192.168.0.11 443"),
	PX("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n",
	    47, "192.168.0.1 56324", "192.168.0.11 443"),
	PX("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", 56,
	    "255.255.255.255 65535", "255.255.255.255 65535"),
	PX("PROXY TCP4 0.0.0.0 1.2.3.4 0 0\r\n", 32, "0.0.0.0 0", "1.2.3.4 0"),
	PX("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n", 36, "2001:db8::1 1",
	    "::1 65535"),
	PX("PROXY TCP6 " V6MAX " " V6MAX " 65535 65535\r\n", 104,
	    V6MAX " 65535", V6MAX " 65535"),
	PX("PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::1 1 2\r\n", 41, "2001:db8::1 1",
	    "::1 2"),
	/* IPv4-mapped, as inet_ntop writes it: the caller judges it as IPv4 */
	PX("PROXY TCP6 ::ffff:127.0.1.1 ::ffff:127.0.0.1 40000 13\r\n", 55,
	    "::ffff:127.0.1.1 40000", "::ffff:127.0.0.1 13"),
	/* a second header after the first is the client's, not ours */
	PX("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nPROXY TCP4 9.9.9.9 5.6.7.8 1 2\r\n",
	    32, "1.2.3.4 1", "5.6.7.8 2"),
	LOCAL("PROXY UNKNOWN\r\n", 15),
	LOCAL("PROXY UNKNOWN\r\nxyz", 15),
	LOCAL("PROXY UNKNOWN " V6MAX " " V6MAX " 65535 65535\r\n", 107),
	LOCAL("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n", 35),
	/* "the receiver must ignore anything presented before the CRLF" */
	LOCAL("PROXY UNKNOWN \x01\xff\r\0 anything\r\n", 29),
};

/* v1 that must be refused. */
static const struct proxy_case v1_bad[] = {
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"),	/* bare LF */
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1\r2\r\n"),	/* a lone CR */
	BAD("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"),
	BAD("PROXY TCP4 1.2.3.4\r\n"),
	BAD("PROXY TCP4\r\n"),
	BAD("PROXY TCP4 \r\n"),
	BAD("PROXY \r\n"),
	BAD("PROXY\r\n"),
	BAD("PROXY TCP4 ::1 ::1 1 2\r\n"),
	BAD("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 0x1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP6 ::1%lo ::1 1 2\r\n"),
	BAD("PROXY TCP6 1::2::3 ::1 1 2\r\n"),
	BAD("PROXY TCP6 [::1] ::1 1 2\r\n"),
	BAD("PROXY TCP6 2001:db8::/32 ::1 1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 00 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n"),
	BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1a 2\r\n"),
	BAD("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY TCP 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY UNKNOWNX\r\n"),
	BAD("PROXY UNKNOWN\n"),
	BAD("PROXY unknown\r\n"),
	BAD("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD(" PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	BAD("GET / HTTP/1.0\r\n\r\n"),
	BAD("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),	/* TLS */
	BAD("\0"),
	BAD("P\n"),
	/* over-long: no LF within 107 bytes, however the line goes on */
	BAD("PROXY UNKNOWN " V6MAX " " V6MAX " 65535 655355\r\n"),
	BAD("PROXY UNKNOWN " X64 X64),
	BAD("PROXY TCP6 " V6MAX " " V6MAX " 65535 65535 " X64 "\r\n"),
};

/* v2: both commands, every family, TLVs, the edges of the length. */
static const struct proxy_case v2_cases[] = {
	PX(V2PROXY "\x11\x00\x0c" A4, 28, "127.0.1.1 12345", "127.0.0.1 13"),
	PX(V2PROXY "\x11\x00\x0c" A4 "client data", 28, "127.0.1.1 12345",
	    "127.0.0.1 13"),
	PX(V2PROXY "\x21\x00\x24" A6, 52, "2001:db8::1 65535", "::1 0"),
	PX(V2PROXY "\x21\x00\x24"
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\x00\x01\x01"
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\x00\x00\x01" "\x9c\x40" "\x00\x0d",
	    52, "::ffff:127.0.1.1 40000", "::ffff:127.0.0.1 13"),
	PX(V2PROXY "\x11\x00\x0c" "\x01\x02\x03\x04" "\x05\x06\x07\x08"
	    "\x00\x00" "\xff\xff", 28, "1.2.3.4 0", "5.6.7.8 65535"),
	/* TLVs: NOOP with 4 bytes, an empty one, ALPN; skipped */
	PX(V2PROXY "\x11\x00\x1b" A4 "\x04\x00\x04" "abcd" "\x05\x00\x00"
	    "\x01\x00\x02" "h2", 43, "127.0.1.1 12345", "127.0.0.1 13"),
	/* a custom TLV filling the header up to its longest */
	PX(V2PROXY "\x11\x02\x08" A4 "\xe0\x01\xf9" X64 X64 X64 X64 X64 X64 X64
	    X8 X8 X8 X8 X8 X8 X8 "x", 536, "127.0.1.1 12345", "127.0.0.1 13"),
	LOCAL(V2LOCAL "\x00\x00\x00", 16),
	LOCAL(V2LOCAL "\x00\x00\x00" "after", 16),
	LOCAL(V2LOCAL "\x11\x00\x0c" A4, 28),
	LOCAL(V2LOCAL "\x21\x00\x24" A6, 52),
	LOCAL(V2LOCAL "\x31\x00\xd8" AUNIX, 232),
	LOCAL(V2LOCAL "\x00\x00\x07" "\x04\x00\x04" "abcd", 23),
	/* LOCAL: the block is discarded unread, whatever it holds */
	LOCAL(V2LOCAL "\x11\x00\x00", 16),
	LOCAL(V2LOCAL "\x11\x00\x04" "abcd", 20),
	LOCAL(V2LOCAL "\x21\x00\x0c" A4, 28),
	LOCAL(V2LOCAL "\x00\x00\x05" "abcde", 21),
	LOCAL(V2LOCAL "\x00\x00\x02" "\x04\x00", 18),
	LOCAL(V2LOCAL "\x12\x00\x0c" A4, 28),
	/* PROXY over UNSPEC: the proxy's own, like LOCAL */
	LOCAL(V2PROXY "\x00\x00\x00", 16),
	LOCAL(V2PROXY "\x00\x00\x03" "\x04\x00\x00", 19),
};

/* v2 that must be refused. */
static const struct proxy_case v2_bad[] = {
	BAD(SIG "\x11\x11\x00\x0c" A4),			/* version 1 */
	BAD(SIG "\x31\x11\x00\x0c" A4),			/* version 3 */
	BAD(SIG "\x01\x11\x00\x0c" A4),
	BAD(SIG "\xf1\x11\x00\x0c" A4),
	BAD(SIG "\x22\x11\x00\x0c" A4),			/* command 2 */
	BAD(SIG "\x2f\x11\x00\x0c" A4),
	BAD(V2PROXY "\x13\x00\x0c" A4),			/* protocol 3 */
	BAD(V2PROXY "\x41\x00\x0c" A4),			/* family 4 */
	BAD(V2PROXY "\x10\x00\x0c" A4),			/* INET, UNSPEC proto */
	BAD(V2PROXY "\x01\x00\x00"),
	BAD(V2PROXY "\x20\x00\x24" A6),
	BAD(V2PROXY "\xff\x00\x00"),
	BAD(V2LOCAL "\x41\x00\x00"),
	/* a UDP flow's addresses cannot be a TCP connection's client */
	BAD(V2PROXY "\x12\x00\x0c" A4),
	BAD(V2PROXY "\x22\x00\x24" A6),
	/* AF_UNIX paths cannot be judged by netblock */
	BAD(V2PROXY "\x31\x00\xd8" AUNIX),
	BAD(V2PROXY "\x32\x00\xd8" AUNIX),
	/* the length runs short of the addresses */
	BAD(V2PROXY "\x11\x00\x00"),
	BAD(V2PROXY "\x11\x00\x08" "\x01\x02\x03\x04\x05\x06\x07\x08"),
	BAD(V2PROXY "\x21\x00\x0c" A4),
	/* longer than we read: refused from the fixed 16 bytes */
	BAD(V2PROXY "\x11\x02\x09"),
	BAD(V2PROXY "\x11\xff\xff" A4),
	/* TLVs that run past the header */
	BAD(V2PROXY "\x11\x00\x0d" A4 "\x04"),
	BAD(V2PROXY "\x11\x00\x0e" A4 "\x04\x00"),
	BAD(V2PROXY "\x11\x00\x0f" A4 "\x04\x00\x01"),
	BAD(V2PROXY "\x11\x00\x10" A4 "\x04\x00\x05" "a"),
	BAD(V2PROXY "\x11\x00\x13" A4 "\x04\x00\x00" "\x04\x00\x02" "a"),
	BAD(V2PROXY "\x11\x00\x10" A4 "\x04\xff\xff" "a"),
	BAD(V2PROXY "\x00\x00\x01" "\x04"),
	/* a garbage signature */
	BAD("\r\n\r\n\0\r\nQUIT\r" "\x21\x11\x00\x0c" A4),
	BAD("\r\n\r\nX"),
	BAD("\r\n\r\n\x01"),
	BAD("\r\r"),
	BAD("\r\n\r\n\0\r\nquit\n\x21\x11\x00\x0c" A4),
};

/* Truncated (and dribbled) headers: each still waits for more. */
static const struct proxy_case more_cases[] = {
	MORE("P"),
	MORE("PROXY"),
	MORE("PROXY "),
	MORE("PROXY TCP4 1.2.3.4 5.6.7.8 1 2"),
	MORE("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"),
	MORE("PROXY TCP4 999.2.3.4 5.6.7.8 1 2"),	/* judged at the LF */
	MORE("\r"),
	MORE(SIG),
	MORE(V2PROXY "\x11\x00"),
	MORE(V2PROXY "\x11\x00\x0c"),
	MORE(V2PROXY "\x11\x00\x0c" "\x7f\x00\x01"),
	MORE(V2PROXY "\x11\x02\x08"),
};

/* An address as "ADDR PORT". */
static void
proxy_show(const struct sockaddr_storage *ss, socklen_t len, char *buf,
    size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		ck_assert_uint_eq(len, sizeof(*s));
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, n, "%s %u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		ck_assert_int_eq(ss->ss_family, AF_INET6);
		ck_assert_uint_eq(len, sizeof(*s));
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, n, "%s %u", a, ntohs(s->sin6_port));
	}
}

/*
 * One case: the outcome, then the same input cut at every byte (each
 * prefix of a header waits for more; a bad input never turns good) and,
 * for a header, followed by more bytes (the same header).
 */
static void
proxy_check(const struct proxy_case *c)
{
	struct proxy_header h;
	enum proxy_parse_status st;
	unsigned char buf[1024];
	char got[128];
	size_t k;
	int bad = 0;

	ck_assert_uint_le(c->len, sizeof(buf) - 8);
	memcpy(buf, c->buf, c->len);
	st = proxy_parse(buf, c->len, &h);
	ck_assert_msg(st == c->status, "case %.40s (%zu bytes): status %d, not "
	    "%d (%s)", c->buf, c->len, st, c->status, h.why ? h.why : "");
	switch (st) {
	case PROXY_PARSE_DONE:
		ck_assert_uint_eq(h.len, c->hdrlen);
		ck_assert_int_eq(h.command, c->command);
		ck_assert_ptr_null(h.why);
		if (c->command == PROXY_CMD_PROXY) {
			proxy_show(&h.src, h.srclen, got, sizeof(got));
			ck_assert_str_eq(got, c->src);
			proxy_show(&h.dst, h.dstlen, got, sizeof(got));
			ck_assert_str_eq(got, c->dst);
		} else
			ck_assert_uint_eq(h.srclen, 0);
		break;
	case PROXY_PARSE_MORE:
		ck_assert_uint_ge(h.need, 1);
		ck_assert_uint_le(c->len + h.need, PROXY_HEADER_MAX);
		break;
	case PROXY_PARSE_BAD:
		ck_assert_ptr_nonnull(h.why);
		break;
	}
	for (k = 0; k < c->len; k++) {
		st = proxy_parse(buf, k, &h);
		if (c->status == PROXY_PARSE_DONE && k < c->hdrlen)
			ck_assert_msg(st == PROXY_PARSE_MORE,
			    "case %.40s cut at %zu: %d (%s)", c->buf, k, st,
			    h.why ? h.why : "");
		if (c->status == PROXY_PARSE_DONE && k >= c->hdrlen)
			ck_assert_uint_eq(h.len, c->hdrlen);
		if (c->status == PROXY_PARSE_MORE)
			ck_assert_int_eq(st, PROXY_PARSE_MORE);
		if (c->status == PROXY_PARSE_BAD) {
			ck_assert_int_ne(st, PROXY_PARSE_DONE);
			if (bad)	/* bad once, bad from then on */
				ck_assert_int_eq(st, PROXY_PARSE_BAD);
			bad = st == PROXY_PARSE_BAD;
		}
		if (st == PROXY_PARSE_MORE)
			ck_assert_uint_le(k + h.need, PROXY_HEADER_MAX);
	}
	memcpy(buf + c->len, "\r\nXYZ\n\0\r", 8);
	st = proxy_parse(buf, c->len + 8, &h);
	if (c->status == PROXY_PARSE_DONE)
		ck_assert_uint_eq(h.len, c->hdrlen);
	if (c->status == PROXY_PARSE_BAD)
		ck_assert_int_eq(st, PROXY_PARSE_BAD);
}

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* Every table above, one after the other, for one loop test. */
static const struct {
	const struct proxy_case	*c;
	size_t			 n;
} proxy_tables[] = {
	{ v1_cases, NCASES(v1_cases) }, { v1_bad, NCASES(v1_bad) },
	{ v2_cases, NCASES(v2_cases) }, { v2_bad, NCASES(v2_bad) },
	{ more_cases, NCASES(more_cases) },
};

/* How many cases the tables hold. */
static int
proxy_ncases(void)
{
	size_t i, n = 0;

	for (i = 0; i < NCASES(proxy_tables); i++)
		n += proxy_tables[i].n;
	return (int)n;
}

/* Case _i of all the tables. */
START_TEST(test_proxy_case)
{
	size_t i, k = (size_t)_i;

	for (i = 0; k >= proxy_tables[i].n; i++)
		k -= proxy_tables[i].n;
	proxy_check(&proxy_tables[i].c[k]);
}
END_TEST

/* What need says: the rest of a v1 line, a v2 header's exact remainder. */
START_TEST(test_proxy_need)
{
	static const unsigned char v2[] = V2PROXY "\x11\x00\x0c" A4;
	struct proxy_header h;

	ck_assert_int_eq(proxy_parse(NULL, 0, &h), PROXY_PARSE_MORE);
	ck_assert_uint_eq(h.need, PROXY_HEADER_MAX);
	ck_assert_int_eq(proxy_parse((const unsigned char *)"PROXY", 5, &h),
	    PROXY_PARSE_MORE);
	ck_assert_uint_eq(h.need, PROXY_V1_MAX - 5);
	ck_assert_uint_eq(h.version, 1);
	ck_assert_int_eq(proxy_parse(v2, 16, &h), PROXY_PARSE_MORE);
	ck_assert_uint_eq(h.need, 12);
	ck_assert_uint_eq(h.version, 2);
	ck_assert_int_eq(proxy_parse(v2, 27, &h), PROXY_PARSE_MORE);
	ck_assert_uint_eq(h.need, 1);
	ck_assert_int_eq(proxy_parse(v2, 28, &h), PROXY_PARSE_DONE);
	ck_assert_int_eq(proxy_parse(v2, 12, &h), PROXY_PARSE_MORE);
	ck_assert_uint_eq(h.need, PROXY_HEADER_MAX - 12);
}
END_TEST

/* Every v2 family/protocol byte: only the seven the spec lists pass. */
START_TEST(test_proxy_v2_families)
{
	unsigned char buf[PROXY_V2_FIXED + 216];
	struct proxy_header h;
	unsigned fam, n = 0;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, SIG, 12);
	buf[12] = 0x20;		/* LOCAL: the addresses do not matter */
	buf[14] = 0;
	buf[15] = 216;
	for (fam = 0; fam < 256; fam++) {
		buf[13] = (unsigned char)fam;
		if (proxy_parse(buf, sizeof(buf), &h) == PROXY_PARSE_DONE)
			n++;
		else
			ck_assert_msg(fam != 0x00 && fam != 0x11 && fam != 0x12 &&
			    fam != 0x21 && fam != 0x22 && fam != 0x31 &&
			    fam != 0x32, "family byte %#x refused", fam);
	}
	ck_assert_uint_eq(n, 7);
}
END_TEST

/* A v2 PROXY header's length against its family's address block. */
struct proxy_bound {
	unsigned char	 fam;
	size_t		 alen;		/* the length field */
	const char	*why;		/* NULL: DONE */
};

#define WHY_SHORT	"v2: the length is shorter than the addresses"
#define WHY_UNIX	"v2: AF_UNIX addresses cannot be judged"
#define WHY_UDP		"v2: a UDP flow's addresses on a TCP connection"

static const struct proxy_bound proxy_bounds[] = {
	{ 0x11, 11, WHY_SHORT }, { 0x11, 12, NULL },
	{ 0x21, 35, WHY_SHORT }, { 0x21, 36, NULL },
	{ 0x31, 215, WHY_SHORT }, { 0x31, 216, WHY_UNIX },
	{ 0x32, 215, WHY_SHORT }, { 0x32, 216, WHY_UNIX },
	/* a UDP flow is refused by its family byte, whatever its length */
	{ 0x12, 11, WHY_UDP }, { 0x12, 12, WHY_UDP },
	{ 0x22, 35, WHY_UDP }, { 0x22, 36, WHY_UDP },
};

/*
 * Each family's address block at its bound and one byte short of it:
 * short is malformed, for the reason that says so. The header ends where
 * a page no one may read begins, so a byte read past it (a bound off by
 * one walks TLVs from beyond the block) is a crash, with or without a
 * sanitizer.
 */
START_TEST(test_proxy_v2_bounds)
{
	const struct proxy_bound *b;
	struct proxy_header h;
	enum proxy_parse_status st;
	unsigned char *map, *p;
	size_t i, n, ps = (size_t)sysconf(_SC_PAGESIZE);

	map = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(mprotect(map + ps, ps, PROT_NONE), 0);
	for (i = 0; i < NCASES(proxy_bounds); i++) {
		b = &proxy_bounds[i];
		n = PROXY_V2_FIXED + b->alen;
		p = map + ps - n;
		memset(p, 0x01, n);
		memcpy(p, SIG "\x21", 13);
		p[13] = b->fam;
		p[14] = (unsigned char)(b->alen >> 8);
		p[15] = (unsigned char)(b->alen & 0xff);
		st = proxy_parse(p, n, &h);
		ck_assert_msg(st == (b->why == NULL ? PROXY_PARSE_DONE :
		    PROXY_PARSE_BAD), "family %#x, length %zu: status %d (%s)",
		    b->fam, b->alen, st, h.why ? h.why : "");
		if (b->why != NULL) {
			ck_assert_str_eq(h.why, b->why);
			continue;
		}
		ck_assert_uint_eq(h.len, n);
		ck_assert_int_eq(h.command, PROXY_CMD_PROXY);
		ck_assert_int_eq(h.src.ss_family, b->fam == 0x11 ? AF_INET :
		    AF_INET6);
	}
	ck_assert_int_eq(munmap(map, 2 * ps), 0);
}
END_TEST

/* Every byte value at every position of a v1 header: never past it. */
START_TEST(test_proxy_every_byte)
{
	static const char good[] = "PROXY TCP4 10.1.2.3 10.4.5.6 1234 13\r\n";
	unsigned char buf[sizeof(good) + 4];
	struct proxy_header h;
	enum proxy_parse_status st;
	size_t i;
	unsigned b;

	for (i = 0; i < sizeof(good) - 1; i++)
		for (b = 0; b < 256; b++) {
			memcpy(buf, good, sizeof(good) - 1);
			memcpy(buf + sizeof(good) - 1, "abcd", 4);
			buf[i] = (unsigned char)b;
			st = proxy_parse(buf, sizeof(buf), &h);
			if (st == PROXY_PARSE_DONE)
				ck_assert_uint_le(h.len, sizeof(good) - 1);
		}
}
END_TEST

/* A socket pair (stream), both ends non-blocking. */
static void
proxy_pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
}

/* Everything left to read on fd, without waiting. */
static size_t
proxy_rest(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

	return n < 0 ? 0 : (size_t)n;
}

/* v1 then the client's bytes: the header is consumed, the bytes are not. */
START_TEST(test_proxy_read_v1_exact)
{
	static const char in[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nPROXY UNKNOWN\r\n";
	struct proxy_read r;
	struct proxy_header h;
	char rest[64];
	int sv[2];

	proxy_pair(sv);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_WAIT);
	ck_assert_int_eq(write(sv[1], in, sizeof(in) - 1), sizeof(in) - 1);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_DONE);
	ck_assert_int_eq(h.command, PROXY_CMD_PROXY);
	ck_assert_uint_eq(r.len, 32);
	ck_assert_uint_eq(proxy_rest(sv[0], rest, sizeof(rest)), 15);
	ck_assert(memcmp(rest, "PROXY UNKNOWN\r\n", 15) == 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* v2 with TLVs then bytes: read to the header's last byte. */
START_TEST(test_proxy_read_v2_exact)
{
	static const char in[] = V2PROXY "\x11\x00\x13" A4 "\x04\x00\x04" "abcd"
	    "\r\n";
	struct proxy_read r;
	struct proxy_header h;
	char rest[64];
	int sv[2];

	proxy_pair(sv);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(write(sv[1], in, sizeof(in) - 1), sizeof(in) - 1);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_DONE);
	ck_assert_uint_eq(h.len, 35);
	ck_assert_uint_eq(proxy_rest(sv[0], rest, sizeof(rest)), 2);
	ck_assert(memcmp(rest, "\r\n", 2) == 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Byte by byte: each step takes what came and waits; then done. */
START_TEST(test_proxy_read_dribble)
{
	static const char v1[] = "PROXY TCP6 ::1 ::1 65535 13\r\nX";
	static const char v2[] = V2PROXY "\x21\x00\x24" A6 "X";
	const char *in[] = { v1, v2 };
	size_t inlen[] = { sizeof(v1) - 1, sizeof(v2) - 1 };
	struct proxy_read r;
	struct proxy_header h;
	char rest[8];
	size_t i, k;
	int sv[2];

	for (k = 0; k < 2; k++) {
		proxy_pair(sv);
		memset(&r, 0, sizeof(r));
		for (i = 0; i + 1 < inlen[k]; i++) {
			ck_assert_int_eq(write(sv[1], in[k] + i, 1), 1);
			ck_assert_int_eq(proxy_read(sv[0], &r, &h),
			    i + 2 < inlen[k] ? PROXY_READ_WAIT : PROXY_READ_DONE);
			ck_assert_uint_eq(r.len, i + 1);
		}
		ck_assert_int_eq(write(sv[1], "X", 1), 1);
		ck_assert_uint_eq(proxy_rest(sv[0], rest, sizeof(rest)), 1);
		close(sv[0]);
		close(sv[1]);
	}
}
END_TEST

/* Closed halfway, malformed, over-long: BAD, and never read too far. */
START_TEST(test_proxy_read_bad)
{
	static const char lf[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nX";
	struct proxy_read r;
	struct proxy_header h;
	char big[200], rest[200];
	int sv[2];

	proxy_pair(sv);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(write(sv[1], "PROXY TCP4", 10), 10);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_WAIT);
	close(sv[1]);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_BAD);
	ck_assert_str_eq(h.why, "closed before the header was complete");
	close(sv[0]);

	proxy_pair(sv);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(write(sv[1], lf, sizeof(lf) - 1), sizeof(lf) - 1);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_BAD);
	close(sv[0]);
	close(sv[1]);

	proxy_pair(sv);
	memset(&r, 0, sizeof(r));
	memset(big, 'x', sizeof(big));
	memcpy(big, "PROXY ", 6);
	ck_assert_int_eq(write(sv[1], big, sizeof(big)), sizeof(big));
	ck_assert_int_eq(proxy_read(sv[0], &r, &h), PROXY_READ_BAD);
	ck_assert_uint_eq(r.len, 0);	/* refused on a peek: nothing taken */
	ck_assert_uint_eq(proxy_rest(sv[0], rest, sizeof(rest)), sizeof(big));
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *
proxy_parse_suite(void)
{
	Suite *s = suite_create("proxy_parse");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_proxy_need);
	tcase_add_test(tc, test_proxy_v2_families);
	suite_add_tcase(s, tc);

	/* the tables: headers, hostile and truncated input, every prefix */
	tc = tcase_create("hostile input");
	tcase_add_loop_test(tc, test_proxy_case, 0, proxy_ncases());
	tcase_add_test(tc, test_proxy_v2_bounds);
	tcase_add_test(tc, test_proxy_every_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_test(tc, test_proxy_read_v1_exact);
	tcase_add_test(tc, test_proxy_read_v2_exact);
	tcase_add_test(tc, test_proxy_read_dribble);
	tcase_add_test(tc, test_proxy_read_bad);
	suite_add_tcase(s, tc);
	return s;
}
