/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "acl/build.h"	/* ACL_CHUNK */
#include "compat/compat.h"
#include "ident/ident_parse.h"
#include "tests/unit/suites.h"

#define DIAG_MAX	64
#define SCALE_DEFAULT	100000

/* Diagnostics as "E a.conf:7: msg" / "W a.conf:3: msg". */
struct diags {
	char	 line[DIAG_MAX][512];
	size_t	 n;
};

#define MAPPED_SHORT	"prefix shorter than /96 on an IPv4-mapped address " \
	"(an IPv4 netblock is a.b.c.d/n; an IPv6 one is written from its " \
	"first address)"

struct parse_ok_case {
	const char	*in;
	const char	*out;
	int		 warn;
};

struct parse_err_case {
	const char	*in;
	const char	*err;
};

static const struct parse_ok_case parse_ok[] = {
	{ "10.0.0.0/8", "10.0.0.0/8", 0 },
	{ "10.1.2.3/8", "10.0.0.0/8", ACL_WARN_HOSTBITS },
	{ "1.2.3.4", "1.2.3.4/32", 0 },
	{ "1.2.3.4/32", "1.2.3.4/32", 0 },
	{ "0.0.0.0/0", "0.0.0.0/0", 0 },
	{ "1.2.3.4/0", "0.0.0.0/0", ACL_WARN_HOSTBITS },
	{ "255.255.255.255", "255.255.255.255/32", 0 },
	{ "192.168.1.128/25", "192.168.1.128/25", 0 },
	{ "192.168.1.129/25", "192.168.1.128/25", ACL_WARN_HOSTBITS },
	{ "0.0.0.0", "0.0.0.0/32", 0 },
	{ "2001:db8::/32", "2001:db8::/32", 0 },
	{ "2001:DB8::1/32", "2001:db8::/32", ACL_WARN_HOSTBITS },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128", 0 },
	{ "::/0", "::/0", 0 },
	{ "::", "::/128", 0 },
	{ "::1", "::1/128", 0 },
	{ "fe80::1:2/64", "fe80::/64", ACL_WARN_HOSTBITS },
	{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128", 0 },
	{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7/128", 0 },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128", 0 },
	{ "1:0:0:2:0:0:0:3", "1:0:0:2::3/128", 0 },
	{ "1::/16", "1::/16", 0 },
	{ "::1.2.3.4", "::102:304/128", 0 },
	{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128", 0 },
	{ "0000:0000:0000:0000:0000:0000:255.255.255.255", "::ffff:ffff/128",
	  0 },
	{ "::ffff:10.0.0.0/104", "10.0.0.0/8", ACL_WARN_MAPPED },
	{ "::ffff:10.1.0.0/104", "10.0.0.0/8",
	  ACL_WARN_MAPPED | ACL_WARN_HOSTBITS },
	{ "::ffff:1.2.3.4", "1.2.3.4/32", ACL_WARN_MAPPED },
	{ "::ffff:0:0/96", "0.0.0.0/0", ACL_WARN_MAPPED },
	{ "::FFFF:a00:0/104", "10.0.0.0/8", ACL_WARN_MAPPED },
	{ "0:0:0:0:0:ffff:a01:203", "10.1.2.3/32", ACL_WARN_MAPPED },
	{ "::ffff:ffff:ffff/128", "255.255.255.255/32", ACL_WARN_MAPPED },
	{ "::ffff:0:0/97", "0.0.0.0/1", ACL_WARN_MAPPED },
	{ "::ffff:128.0.0.0/97", "128.0.0.0/1", ACL_WARN_MAPPED },
	/* IPv6 netblocks that hold ::ffff:0:0/96: IPv4 rules judge those. */
	{ "::fffe:0:0/95", "::fffe:0:0/95", 0 },
	{ "::fffe:0:0/94", "::fffc:0:0/94", ACL_WARN_HOSTBITS },
	{ "::fffe:0:0/1", "::/1", ACL_WARN_HOSTBITS },
	{ "::/80", "::/80", 0 },
	{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128", 0 },
	{ "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8/128", 0 },
	{ "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:0:102:304/128", 0 },
	{ "::0.0.0.0", "::/128", 0 },
	{ "FFFF::/1", "8000::/1", ACL_WARN_HOSTBITS },
	{ "64:ff9b::1.2.3.4/96", "64:ff9b::/96", ACL_WARN_HOSTBITS },
};

static const struct parse_err_case parse_err[] = {
	{ "", "empty netblock" },
	{ "/", "missing address before the prefix length" },
	{ "/8", "missing address before the prefix length" },
	{ "1.2.3.4/", "missing prefix length" },
	{ "::/", "missing prefix length" },
	{ "010.0.0.1", "leading zero in IPv4 octet" },
	{ "10.0.0.01", "leading zero in IPv4 octet" },
	{ "10.00.0.1", "leading zero in IPv4 octet" },
	{ "0x0a.0.0.1", "hexadecimal IPv4 octet" },
	{ "10.0.0.0x1", "hexadecimal IPv4 octet" },
	{ "10/8", "IPv4 address needs four octets" },
	{ "127.1", "IPv4 address needs four octets" },
	{ "10", "IPv4 address needs four octets" },
	{ "1.2.3.4/-1", "prefix length is not a decimal number" },
	{ "1.2.3.4/+8", "prefix length is not a decimal number" },
	{ "1.2.3.4/ 8", "prefix length is not a decimal number" },
	{ "1.2.3.4/8 ", "prefix length is not a decimal number" },
	{ "1.2.3.4/8/8", "prefix length is not a decimal number" },
	{ "1.2.3.4/0x8", "prefix length is not a decimal number" },
	{ "1.2.3.4/255.0.0.0", "prefix length is not a decimal number" },
	{ "1.2.3.4/08", "leading zero in prefix length" },
	{ "1.2.3.4/00", "leading zero in prefix length" },
	{ "1.2.3.4/33", "prefix length out of range" },
	{ "1.2.3.4/99999999999999999999", "prefix length out of range" },
	{ "::/129", "prefix length out of range" },
	{ "::/1000", "prefix length out of range" },
	{ "256.0.0.0", "IPv4 octet out of range" },
	{ "1.2.3.1000", "IPv4 octet out of range" },
	{ "1.2.3.99999999999999999999", "IPv4 octet out of range" },
	{ "1.2.3.4.5", "IPv4 address has more than four octets" },
	{ "1.2.3.", "empty IPv4 octet" },
	{ "1..2.3", "empty IPv4 octet" },
	{ ".1.2.3", "not an IPv4 or IPv6 address" },
	{ " 1.2.3.4", "not an IPv4 or IPv6 address" },
	{ "localhost", "not an IPv4 or IPv6 address" },
	{ "-1.2.3.4", "not an IPv4 or IPv6 address" },
	{ "1.2.3.4 ", "invalid character in IPv4 address" },
	{ "1.2.3.a", "invalid character in IPv4 address" },
	{ "1.2.3.4\n", "invalid character in IPv4 address" },
	{ "fe80::1%eth0", "zone id in netblock" },
	{ "fe80::1%1/64", "zone id in netblock" },
	/* Under /96 the netblock is IPv6, the mapped address host bits. */
	{ "::ffff:0:0/95", MAPPED_SHORT },
	{ "::ffff:10.0.0.0/8", MAPPED_SHORT },
	{ "::ffff:0:0/0", MAPPED_SHORT },
	{ "::ffff:0:0/1", MAPPED_SHORT },
	{ "::ffff:0:0/94", MAPPED_SHORT },
	{ "::FFFF:255.255.255.255/95", MAPPED_SHORT },
	{ "0:0:0:0:0:ffff:0:0/64", MAPPED_SHORT },
	{ "1:2:3:4:5:6:7:8:9", "malformed IPv6 address" },
	{ "1:::2", "malformed IPv6 address" },
	{ "1a2.3.:", "malformed IPv6 address" },
	{ "1.2.3.4::", "malformed IPv6 address" },
	{ "::1.2.3.4:1", "malformed IPv6 address" },
	{ "12345::", "malformed IPv6 address" },
	{ "1::2::3", "malformed IPv6 address" },
	{ ":1::", "malformed IPv6 address" },
	{ "1:2:3:4:5:6:7", "malformed IPv6 address" },
	{ "::g", "invalid character in IPv6 address" },
	{ "[::1]", "invalid character in IPv6 address" },
	{ ":: 1", "invalid character in IPv6 address" },
	{ "::ffff:010.0.0.1", "leading zero in IPv4 octet" },
	{ "::ffff:1.2.3", "IPv4 address needs four octets" },
	{ "::ffff:0x1.2.3.4", "invalid character in IPv6 address" },
	{ "1.2.3.4:80", "malformed IPv6 address" },
	{ "00000:0000:0000:0000:0000:0000:255.255.255.255",
	  "IPv6 address too long" },
	{ "1111111111111111111111111111111111111111111111111111111111111111"
	  "1", "netblock text too long" },
};

/* Collect diagnostics as text for exact comparison. */
static void
diag_collect(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct diags *d = arg;
	int r;

	ck_assert_uint_lt(d->n, DIAG_MAX);
	ck_assert_ptr_nonnull(file);
	r = snprintf(d->line[d->n], sizeof(d->line[d->n]), "%c %s:%u: %s",
	    is_error ? 'E' : 'W', file, line, msg);
	ck_assert(r > 0 && (size_t)r < sizeof(d->line[d->n]));
	d->n++;
}

/* Add a rule from text; user NULL for the netblock's "*" rule. */
static void
add(struct acl_build *b, enum acl_action act, const char *net,
    const char *user, const char *file, unsigned line)
{
	struct acl_rule r;
	const char *err = NULL;
	int warn;

	memset(&r, 0, sizeof(r));
	ck_assert_msg(acl_prefix_parse(net, strlen(net), &r.net, &warn,
	    &err) == 0, "%s: %s", net, err);
	r.action = act;
	if (user != NULL) {
		r.has_user = 1;
		r.user = (const unsigned char *)user;
		r.userlen = strlen(user);
	}
	r.file = file;
	r.line = line;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
}

/* Decide for a peer given as text. */
static void
judge(const struct acl *t, const char *peer, const char *user,
    struct acl_decision *d)
{
	struct acl_addr a;
	const char *err = NULL;

	ck_assert_msg(acl_addr_parse(peer, strlen(peer), &a, &err) == 0,
	    "%s: %s", peer, err);
	acl_decide(acl_lookup(t, &a), (const unsigned char *)user,
	    user != NULL ? strlen(user) : 0, d);
}

/* Assert a decision: action, deciding line (0: default), matched netblock. */
static void
expect(const struct acl_decision *d, enum acl_action act, unsigned line,
    const char *net)
{
	char buf[ACL_PREFIX_STRLEN];

	ck_assert_int_eq(d->action, act);
	if (line == 0) {
		ck_assert_ptr_null(d->file);
		ck_assert_uint_eq(d->line, 0);
	} else {
		ck_assert_ptr_nonnull(d->file);
		ck_assert_uint_eq(d->line, line);
	}
	if (net == NULL) {
		ck_assert_int_eq(d->matched, 0);
		return;
	}
	ck_assert_int_eq(d->matched, 1);
	ck_assert_int_eq(acl_prefix_format(&d->net, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, net);
}

START_TEST(test_parse_accepts)
{
	const struct parse_ok_case *c = &parse_ok[_i];
	struct acl_prefix p, q;
	char buf[ACL_PREFIX_STRLEN];
	const char *err = NULL;
	int warn = -1, w2;

	ck_assert_msg(acl_prefix_parse(c->in, strlen(c->in), &p, &warn,
	    &err) == 0, "%s: %s", c->in, err);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(warn, c->warn);
	ck_assert_int_eq(acl_prefix_format(&p, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, c->out);
	/* The formatted text reads back as the same prefix, silently. */
	ck_assert_int_eq(acl_prefix_parse(buf, strlen(buf), &q, &w2, &err), 0);
	ck_assert_int_eq(w2, 0);
	ck_assert_int_eq(q.addr.family, p.addr.family);
	ck_assert_uint_eq(q.plen, p.plen);
	ck_assert_mem_eq(q.addr.bytes, p.addr.bytes, 16);
}
END_TEST

START_TEST(test_parse_rejects)
{
	const struct parse_err_case *c = &parse_err[_i];
	struct acl_prefix p;
	const char *err = NULL;
	int warn = -1;

	ck_assert_msg(acl_prefix_parse(c->in, strlen(c->in), &p, &warn,
	    &err) == -1, "accepted %s", c->in);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strcmp(err, c->err) == 0, "%s: got \"%s\", want \"%s\"",
	    c->in, err, c->err);
	ck_assert_int_eq(warn, 0);
}
END_TEST

START_TEST(test_parse_families)
{
	struct acl_prefix p;
	const char *err;
	int warn;

	ck_assert_int_eq(acl_prefix_parse("10.1.2.3", 8, &p, &warn, &err), 0);
	ck_assert_int_eq(p.addr.family, AF_INET);
	ck_assert_uint_eq(p.plen, 32);
	ck_assert_uint_eq(p.addr.bytes[0], 10);
	ck_assert_uint_eq(p.addr.bytes[3], 3);
	ck_assert_uint_eq(p.addr.bytes[4], 0);
	ck_assert_int_eq(acl_prefix_parse("::ffff:10.1.2.3", 15, &p, &warn,
	    &err), 0);
	ck_assert_int_eq(p.addr.family, AF_INET);
	ck_assert_uint_eq(p.addr.bytes[0], 10);
	ck_assert_uint_eq(p.addr.bytes[15], 0);
	ck_assert_int_eq(acl_prefix_parse("::1", 3, &p, &warn, &err), 0);
	ck_assert_int_eq(p.addr.family, AF_INET6);
	ck_assert_uint_eq(p.plen, 128);
	ck_assert_uint_eq(p.addr.bytes[15], 1);
}
END_TEST

START_TEST(test_parse_not_terminated)
{
	struct acl_prefix p;
	char buf[ACL_PREFIX_STRLEN];
	const char *err = NULL;
	int warn;

	/* Only (s, len) counts: what follows is not read. */
	ck_assert_int_eq(acl_prefix_parse("10.0.0.0/8XYZ", 10, &p, &warn,
	    &err), 0);
	ck_assert_int_eq(acl_prefix_format(&p, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.0.0.0/8");
	ck_assert_int_eq(acl_prefix_parse("10.0.0.0/16", 9, &p, &warn, &err),
	    -1);
	ck_assert_str_eq(err, "missing prefix length");
	ck_assert_int_eq(acl_prefix_parse("1.2.3.4", 5, &p, &warn, &err), -1);
	ck_assert_str_eq(err, "IPv4 address needs four octets");
	/* NULL warn and errstr are allowed. */
	ck_assert_int_eq(acl_prefix_parse("1.2.3.4", 7, &p, NULL, NULL), 0);
	ck_assert_int_eq(acl_prefix_parse("1.2.3", 5, &p, NULL, NULL), -1);
	ck_assert_int_eq(acl_prefix_parse(NULL, 0, &p, NULL, &err), -1);
	ck_assert_str_eq(err, "empty netblock");
}
END_TEST

START_TEST(test_parse_nul_bytes)
{
	static const char *const in[] = { "1.2.3.4\0", "1.2\0.3.4", "\0",
	    "::1\0/128", "10.0.0.0/8\0" };
	static const size_t len[] = { 8, 8, 1, 8, 11 };
	struct acl_prefix p;
	const char *err;
	size_t i;
	int warn;

	for (i = 0; i < sizeof(len) / sizeof(len[0]); i++) {
		err = NULL;
		ck_assert_int_eq(acl_prefix_parse(in[i], len[i], &p, &warn,
		    &err), -1);
		ck_assert_str_eq(err, "NUL byte in netblock");
	}
}
END_TEST

START_TEST(test_parse_every_byte)
{
	char buf[16];
	struct acl_prefix p;
	const char *err;
	int c, warn;

	/* One hostile byte in the middle of a good netblock: all rejected. */
	for (c = 0; c < 256; c++) {
		if (c == '.' || (c >= '0' && c <= '9'))
			continue;
		memcpy(buf, "10.0.0.0/8", 10);
		buf[4] = (char)c;
		err = NULL;
		ck_assert_msg(acl_prefix_parse(buf, 10, &p, &warn, &err) == -1,
		    "byte 0x%02x accepted", c);
		ck_assert_ptr_nonnull(err);
	}
}
END_TEST

START_TEST(test_format)
{
	struct acl_prefix p;
	struct acl_addr a;
	char buf[ACL_PREFIX_STRLEN];
	const char *err;

	ck_assert_int_eq(acl_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff:ffff/128", 43, &p, NULL, &err), 0);
	ck_assert_int_eq(acl_prefix_format(&p, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	/* Too small a buffer is an error, never a truncated netblock. */
	ck_assert_int_eq(acl_prefix_format(&p, buf, 43), -1);
	ck_assert_int_eq(acl_prefix_format(&p, buf, 44), 0);
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_UNIX;
	ck_assert_int_eq(acl_prefix_format(&p, buf, sizeof(buf)), -1);
	p.addr.family = AF_INET;
	p.plen = 33;
	ck_assert_int_eq(acl_prefix_format(&p, buf, sizeof(buf)), -1);

	ck_assert_int_eq(acl_addr_parse("::ffff:1.2.3.4", 14, &a, &err), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(acl_addr_format(&a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1.2.3.4");
	ck_assert_int_eq(acl_addr_format(&a, buf, 7), -1);
	ck_assert_int_eq(acl_addr_parse("2001:db8::1", 11, &a, &err), 0);
	ck_assert_int_eq(acl_addr_format(&a, buf, 11), -1);
	ck_assert_int_eq(acl_addr_format(&a, buf, 12), 0);
	ck_assert_str_eq(buf, "2001:db8::1");
	ck_assert_int_eq(acl_addr_parse("1.2.3.4/32", 10, &a, &err), -1);
	ck_assert_str_eq(err, "prefix length in an address");
	ck_assert_int_eq(acl_addr_parse("010.2.3.4", 9, &a, &err), -1);
	ck_assert_str_eq(err, "leading zero in IPv4 octet");
}
END_TEST

/*
 * acl_addr_format and acl_prefix_format against inet_ntop and snprintf:
 * random IPv4, IPv6 with runs of zero groups anywhere. glibc writes a
 * dotted tail where the first 80 or 96 bits are zero (::1.2.3.4,
 * ::ffff:1.2.3.4); RFC 5952 (section 5) leaves that to the mapped form,
 * which parsing turns into IPv4 anyway, so those are left out.
 */
START_TEST(test_format_random)
{
	struct acl_prefix p;
	char got[ACL_PREFIX_STRLEN], want[ACL_PREFIX_STRLEN + 8];
	char a[INET6_ADDRSTRLEN];
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	size_t i, k, zero;

	for (i = 0; i < 50000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memset(&p, 0, sizeof(p));
		if (i % 3 == 0) {
			p.addr.family = AF_INET;
			memcpy(p.addr.bytes, &x, 4);
			p.plen = (unsigned)(x >> 58) % 33;
		} else {
			p.addr.family = AF_INET6;
			for (k = 0; k < 8; k++)
				if ((x >> (k + 20)) & 1) {
					p.addr.bytes[2 * k] = (uint8_t)(x >>
					    (5 * k)) & ((x >> (40 + k)) & 1 ?
					    0x0f : 0xff);
					p.addr.bytes[2 * k + 1] = (uint8_t)(x >>
					    (3 * k + 2));
				}
			for (zero = 0; zero < 12 && p.addr.bytes[zero] == 0;
			    zero++)
				;
			if (zero >= 10 && (zero == 12 ||
			    (p.addr.bytes[10] == 0xff && p.addr.bytes[11] == 0xff)))
				continue;
			p.plen = (unsigned)(x >> 57) % 129;
		}
		inet_ntop(p.addr.family, p.addr.bytes, a, sizeof(a));
		ck_assert_int_eq(acl_addr_format(&p.addr, got, sizeof(got)), 0);
		ck_assert_str_eq(got, a);
		ck_assert_int_eq(acl_addr_format(&p.addr, got, strlen(a)), -1);
		ck_assert_int_eq(acl_addr_format(&p.addr, got, strlen(a) + 1),
		    0);
		snprintf(want, sizeof(want), "%s/%u", a, p.plen);
		ck_assert_int_eq(acl_prefix_format(&p, got, sizeof(got)), 0);
		ck_assert_str_eq(got, want);
		ck_assert_int_eq(acl_prefix_format(&p, got, strlen(want)), -1);
	}
}
END_TEST

START_TEST(test_sockaddr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct acl_addr a;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr), 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin,
	    sizeof(sin), &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.bytes[0], 127);
	ck_assert_uint_eq(a.bytes[3], 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin,
	    sizeof(sin) - 1, &a), -1);

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.2",
	    &sin6.sin6_addr), 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof(sin6), &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.bytes[0], 127);
	ck_assert_uint_eq(a.bytes[3], 2);

	ck_assert_int_eq(inet_pton(AF_INET6, "::1", &sin6.sin6_addr), 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof(sin6), &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.bytes[15], 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof(sin), &a), -1);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sun,
	    sizeof(sun), &a), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert_int_eq(acl_addr_from_sockaddr(NULL, 0, &a), -1);
}
END_TEST

START_TEST(test_decide_most_specific)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl_decision d;
	struct acl *t;

	add(b, ACL_ALLOW, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_DENY, "10.1.0.0/16", NULL, "a.conf", 2);
	add(b, ACL_ALLOW, "10.1.2.3", NULL, "a.conf", 3);
	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 0);
	judge(t, "10.1.2.3", NULL, &d);
	expect(&d, ACL_ALLOW, 3, "10.1.2.3/32");
	judge(t, "10.1.2.4", NULL, &d);
	expect(&d, ACL_DENY, 2, "10.1.0.0/16");
	judge(t, "10.2.0.0", "alice", &d);
	expect(&d, ACL_ALLOW, 1, "10.0.0.0/8");
	judge(t, "11.0.0.1", NULL, &d);
	expect(&d, ACL_DENY, 0, NULL);
	judge(t, "::1", NULL, &d);
	expect(&d, ACL_DENY, 0, NULL);
	ck_assert_str_eq(d.file == NULL ? "default" : d.file, "default");
	acl_free(t);
}
END_TEST

START_TEST(test_decide_user)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl *t;
	const struct acl_block *blk;
	struct acl_addr a;

	add(b, ACL_DENY, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_ALLOW, "10.0.0.0/8", "alice", "a.conf", 2);
	add(b, ACL_ALLOW, "10.0.0.0/8", "bob", "a.conf", 3);
	add(b, ACL_DENY, "10.0.0.0/8", "alicia", "a.conf", 4);
	add(b, ACL_ALLOW, "11.0.0.0/8", NULL, "a.conf", 5);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	judge(t, "10.9.9.9", "alice", &d);
	expect(&d, ACL_ALLOW, 2, "10.0.0.0/8");
	judge(t, "10.9.9.9", "bob", &d);
	expect(&d, ACL_ALLOW, 3, "10.0.0.0/8");
	judge(t, "10.9.9.9", "alicia", &d);
	expect(&d, ACL_DENY, 4, "10.0.0.0/8");
	/* Byte for byte: no prefix, case or trailing byte matching. */
	judge(t, "10.9.9.9", "alic", &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	judge(t, "10.9.9.9", "ALICE", &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	judge(t, "10.9.9.9", NULL, &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	ck_assert_int_eq(acl_addr_parse("10.9.9.9", 8, &a, NULL), 0);
	blk = acl_lookup(t, &a);
	acl_decide(blk, (const unsigned char *)"alice\0", 6, &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	acl_decide(blk, (const unsigned char *)"", 0, &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	ck_assert_int_eq(acl_block_has_user_rules(blk), 1);
	ck_assert_int_eq(acl_addr_parse("11.9.9.9", 8, &a, NULL), 0);
	ck_assert_int_eq(acl_block_has_user_rules(acl_lookup(t, &a)), 0);
	ck_assert_int_eq(acl_block_has_user_rules(NULL), 0);
	acl_free(t);
}
END_TEST

/*
 * A user name of ACL_USER_MAX bytes, the longest a rule holds and an
 * ident answer gives (IDENT_USER_MAX): its rule decides; one byte more
 * is no rule's (the "*" rule decides, not the longest rule it starts
 * with), one byte less is its own rule's.
 */
START_TEST(test_decide_user_longest)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl_addr a;
	const struct acl_block *blk;
	struct acl_rule r;
	struct acl *t;
	unsigned char user[ACL_USER_MAX + 1];

	ck_assert_uint_eq(ACL_USER_MAX, IDENT_USER_MAX);
	memset(user, 'u', sizeof(user));
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(acl_prefix_parse("10.0.0.0/8", 10, &r.net, NULL,
	    NULL), 0);
	r.file = "a.conf";
	r.action = ACL_DENY;
	r.line = 1;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	r.has_user = 1;
	r.user = user;
	r.userlen = ACL_USER_MAX;
	r.action = ACL_ALLOW;
	r.line = 2;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	r.userlen = ACL_USER_MAX - 1;
	r.line = 3;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(acl_addr_parse("10.9.9.9", 8, &a, NULL), 0);
	blk = acl_lookup(t, &a);
	acl_decide(blk, user, ACL_USER_MAX, &d);
	expect(&d, ACL_ALLOW, 2, "10.0.0.0/8");
	acl_decide(blk, user, ACL_USER_MAX + 1, &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	acl_decide(blk, user, ACL_USER_MAX - 1, &d);
	expect(&d, ACL_ALLOW, 3, "10.0.0.0/8");
	/* the same length, the last byte another: no rule's */
	user[ACL_USER_MAX - 1] = 'v';
	acl_decide(blk, user, ACL_USER_MAX, &d);
	expect(&d, ACL_DENY, 1, "10.0.0.0/8");
	acl_free(t);
}
END_TEST

START_TEST(test_decide_less_specific_not_consulted)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl *t;

	add(b, ACL_ALLOW, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_ALLOW, "10.1.0.0/16", "bob", "a.conf", 2);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	judge(t, "10.1.1.1", "bob", &d);
	expect(&d, ACL_ALLOW, 2, "10.1.0.0/16");
	/* No "*" rule in the most specific block: default, not the /8. */
	judge(t, "10.1.1.1", "alice", &d);
	expect(&d, ACL_DENY, 0, "10.1.0.0/16");
	judge(t, "10.1.1.1", NULL, &d);
	expect(&d, ACL_DENY, 0, "10.1.0.0/16");
	judge(t, "10.2.1.1", NULL, &d);
	expect(&d, ACL_ALLOW, 1, "10.0.0.0/8");
	acl_free(t);
}
END_TEST

START_TEST(test_decide_mapped_and_families)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl *t;
	struct acl_addr a;
	struct acl_stats st;
	struct sockaddr_in6 sin6;

	add(b, ACL_ALLOW, "0.0.0.0/0", NULL, "a.conf", 1);
	add(b, ACL_DENY, "::/0", NULL, "a.conf", 2);
	add(b, ACL_ALLOW, "::1", NULL, "a.conf", 3);
	add(b, ACL_DENY, "::ffff:127.0.0.0/104", NULL, "a.conf", 4);
	add(b, ACL_ALLOW, "2001:db8::/32", "carol", "a.conf", 5);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	acl_stats(t, &st);
	ck_assert_uint_eq(st.rules, 5);
	ck_assert_uint_eq(st.v4_blocks, 2);
	ck_assert_uint_eq(st.v6_blocks, 3);
	judge(t, "1.2.3.4", NULL, &d);
	expect(&d, ACL_ALLOW, 1, "0.0.0.0/0");
	judge(t, "127.0.0.1", NULL, &d);
	expect(&d, ACL_DENY, 4, "127.0.0.0/8");
	judge(t, "2001::1", NULL, &d);
	expect(&d, ACL_DENY, 2, "::/0");
	judge(t, "::1", NULL, &d);
	expect(&d, ACL_ALLOW, 3, "::1/128");
	judge(t, "2001:db8::5", "carol", &d);
	expect(&d, ACL_ALLOW, 5, "2001:db8::/32");
	judge(t, "2001:db8::5", "dave", &d);
	expect(&d, ACL_DENY, 0, "2001:db8::/32");

	/* A mapped peer is judged as IPv4: not by ::/0. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:1.2.3.4",
	    &sin6.sin6_addr), 1);
	ck_assert_int_eq(acl_addr_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof(sin6), &a), 0);
	acl_decide(acl_lookup(t, &a), NULL, 0, &d);
	expect(&d, ACL_ALLOW, 1, "0.0.0.0/0");
	/* Also when handed over as an IPv6 acl_addr. */
	a.family = AF_INET6;
	memcpy(a.bytes, &sin6.sin6_addr, 16);
	acl_decide(acl_lookup(t, &a), NULL, 0, &d);
	expect(&d, ACL_ALLOW, 1, "0.0.0.0/0");
	a.family = AF_UNIX;
	ck_assert_ptr_null(acl_lookup(t, &a));
	acl_free(t);
}
END_TEST

START_TEST(test_decide_null)
{
	struct acl_decision d;
	struct acl *t;
	struct acl_addr a;
	struct acl_stats st;

	memset(&d, 0xa5, sizeof(d));
	acl_decide(NULL, (const unsigned char *)"x", 1, &d);
	expect(&d, ACL_DENY, 0, NULL);
	t = acl_build_finish(acl_build_new(), NULL, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(acl_addr_parse("127.0.0.1", 9, &a, NULL), 0);
	ck_assert_ptr_null(acl_lookup(t, &a));
	acl_stats(t, &st);
	ck_assert_uint_eq(st.rules + st.v4_blocks + st.v6_blocks, 0);
	acl_free(t);
	ck_assert_ptr_null(acl_lookup(NULL, &a));
}
END_TEST

START_TEST(test_diag_conflict)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };

	add(b, ACL_ALLOW, "10.0.0.0/8", "alice", "a.conf", 3);
	add(b, ACL_ALLOW, "10.0.0.0/8", "bob", "a.conf", 5);
	add(b, ACL_DENY, "10.0.0.0/8", "alice", "a.conf", 7);
	add(b, ACL_DENY, "10.0.0.0/8", NULL, "a.conf", 8);
	add(b, ACL_ALLOW, "10.0.0.0/8", NULL, "b.conf", 2);
	errno = 0;
	ck_assert_ptr_null(acl_build_finish(b, diag_collect, &dg));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(dg.n, 4);
	ck_assert_str_eq(dg.line[0], "W a.conf:3: allow by ident user 'alice' "
	    "can be spoofed by anyone who controls the client host");
	ck_assert_str_eq(dg.line[1], "W a.conf:5: allow by ident user 'bob' "
	    "can be spoofed by anyone who controls the client host");
	ck_assert_str_eq(dg.line[2], "E a.conf:7: conflicting rules for "
	    "10.0.0.0/8 user alice: allow at a.conf:3, deny at a.conf:7");
	ck_assert_str_eq(dg.line[3], "E b.conf:2: conflicting rules for "
	    "10.0.0.0/8: deny at a.conf:8, allow at b.conf:2");
}
END_TEST

START_TEST(test_diag_conflict_mapped)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };

	/* Written differently, the same netblock. */
	add(b, ACL_ALLOW, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_DENY, "::ffff:10.0.0.0/104", NULL, "a.conf", 2);
	ck_assert_ptr_null(acl_build_finish(b, diag_collect, &dg));
	ck_assert_uint_eq(dg.n, 1);
	ck_assert_str_eq(dg.line[0], "E a.conf:2: conflicting rules for "
	    "10.0.0.0/8: allow at a.conf:1, deny at a.conf:2");
}
END_TEST

START_TEST(test_diag_three_way)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };

	add(b, ACL_ALLOW, "::1", NULL, "a.conf", 1);
	add(b, ACL_DENY, "::1/128", NULL, "a.conf", 2);
	add(b, ACL_DENY, "0::1", NULL, "a.conf", 3);
	ck_assert_ptr_null(acl_build_finish(b, diag_collect, &dg));
	ck_assert_uint_eq(dg.n, 3);
	ck_assert_str_eq(dg.line[0], "E a.conf:2: conflicting rules for "
	    "::1/128: allow at a.conf:1, deny at a.conf:2");
	ck_assert_str_eq(dg.line[1], "E a.conf:3: conflicting rules for "
	    "::1/128: allow at a.conf:1, deny at a.conf:3");
	ck_assert_str_eq(dg.line[2], "W a.conf:3: duplicate of a.conf:2");
}
END_TEST

START_TEST(test_diag_duplicate)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl_decision d;
	struct acl_stats st;
	struct acl *t;

	add(b, ACL_DENY, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_DENY, "10.9.0.0/8", NULL, "inc/b.rules", 4);
	add(b, ACL_DENY, "10.0.0.0/8", "eve", "a.conf", 6);
	add(b, ACL_DENY, "10.0.0.0/8", "eve", "a.conf", 9);
	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 2);
	ck_assert_str_eq(dg.line[0], "W inc/b.rules:4: duplicate of a.conf:1");
	ck_assert_str_eq(dg.line[1], "W a.conf:9: duplicate of a.conf:6");
	acl_stats(t, &st);
	ck_assert_uint_eq(st.rules, 4);
	ck_assert_uint_eq(st.v4_blocks, 1);
	ck_assert_uint_eq(st.v6_blocks, 0);
	/* The first of duplicates is the deciding rule. */
	judge(t, "10.1.1.1", "eve", &d);
	expect(&d, ACL_DENY, 6, "10.0.0.0/8");
	ck_assert_str_eq(d.file, "a.conf");
	acl_free(t);
}
END_TEST

START_TEST(test_diag_spoof_escaped)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl_rule r;
	struct acl *t;
	static const unsigned char user[] = { 'a', 0x01, 'b', '\'', '\\',
	    0xff, '%', 's', 0 };

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(acl_prefix_parse("::1", 3, &r.net, NULL, NULL), 0);
	r.action = ACL_ALLOW;
	r.has_user = 1;
	r.user = user;
	r.userlen = sizeof(user);
	r.file = "a.conf";
	r.line = 12;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	add(b, ACL_DENY, "::1", "mallory", "a.conf", 13);
	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 1);
	ck_assert_str_eq(dg.line[0], "W a.conf:12: allow by ident user "
	    "'a\\x01b\\x27\\x5c\\xff%s\\x00' can be spoofed by anyone who "
	    "controls the client host");
	acl_free(t);
}
END_TEST

START_TEST(test_diag_never_decides)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl *t;

	add(b, ACL_ALLOW, "10.0.0.0/8", NULL, "a.conf", 1);
	add(b, ACL_DENY, "10.0.0.0/8", "bob", "a.conf", 2);
	add(b, ACL_DENY, "10.0.0.0/9", NULL, "a.conf", 3);
	add(b, ACL_DENY, "10.128.0.0/10", NULL, "a.conf", 4);
	add(b, ACL_DENY, "10.192.0.0/10", "bob", "a.conf", 5);
	add(b, ACL_DENY, "10.192.1.0/24", NULL, "a.conf", 6);
	/* Only one half of 11/8 has rules: 11/8 still decides. */
	add(b, ACL_DENY, "11.0.0.0/8", NULL, "a.conf", 7);
	add(b, ACL_DENY, "11.0.0.0/9", NULL, "a.conf", 8);
	/* Both halves of ::/0. */
	add(b, ACL_DENY, "::/0", NULL, "a.conf", 9);
	add(b, ACL_DENY, "::/1", NULL, "a.conf", 10);
	add(b, ACL_DENY, "8000::/1", NULL, "a.conf", 11);
	/*
	 * The other half of ::fffe:0:0/95 is ::ffff:0:0/96, whose peers
	 * IPv4 rules judge: the /95 never decides. ::fffc:0:0/94 still
	 * decides for ::fffd:0:0/96, and ::/95 for ::1:0:0/96.
	 */
	add(b, ACL_ALLOW, "::fffe:0:0/95", NULL, "a.conf", 12);
	add(b, ACL_DENY, "::fffe:0:0/96", NULL, "a.conf", 13);
	add(b, ACL_ALLOW, "::fffc:0:0/94", NULL, "a.conf", 14);
	add(b, ACL_DENY, "::fffc:0:0/96", NULL, "a.conf", 15);
	add(b, ACL_ALLOW, "::/95", NULL, "a.conf", 16);
	add(b, ACL_DENY, "::/96", NULL, "a.conf", 17);
	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 4);
	ck_assert_str_eq(dg.line[0], "W a.conf:1: rule for 10.0.0.0/8 can "
	    "never decide: more specific netblocks with rules cover every "
	    "address in it");
	ck_assert_str_eq(dg.line[1], "W a.conf:2: rule for 10.0.0.0/8 can "
	    "never decide: more specific netblocks with rules cover every "
	    "address in it");
	ck_assert_str_eq(dg.line[2], "W a.conf:9: rule for ::/0 can "
	    "never decide: more specific netblocks with rules cover every "
	    "address in it but the IPv4-mapped ones, which IPv4 rules judge");
	ck_assert_str_eq(dg.line[3], "W a.conf:12: rule for ::fffe:0:0/95 "
	    "can never decide: more specific netblocks with rules cover every "
	    "address in it but the IPv4-mapped ones, which IPv4 rules judge");
	acl_free(t);
}
END_TEST

START_TEST(test_build_add_rejects)
{
	struct acl_build *b = acl_build_new();
	struct acl_rule r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(acl_prefix_parse("10.0.0.0/8", 10, &r.net, NULL,
	    NULL), 0);
	r.file = "a.conf";
	r.action = ACL_ALLOW;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	r.net.plen = 33;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	r.net.plen = 8;
	r.has_user = 1;
	r.user = (const unsigned char *)"x";
	r.userlen = 0;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	r.userlen = ACL_USER_MAX + 1;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	r.has_user = 0;
	r.file = NULL;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	r.file = "a.conf";
	r.action = (enum acl_action)2;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	r.action = ACL_DENY;
	r.net.addr.family = AF_UNIX;
	ck_assert_int_eq(acl_build_add(b, &r), -1);
	acl_build_free(b);
	acl_build_free(NULL);
}
END_TEST

START_TEST(test_build_interns_files)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d1, d2;
	struct acl *t;
	char name[32];

	/* The same name from different buffers: one copy. */
	memcpy(name, "x.conf", 7);
	add(b, ACL_ALLOW, "10.0.0.1", NULL, name, 1);
	memcpy(name, "y.conf", 7);
	add(b, ACL_ALLOW, "10.0.0.3", NULL, name, 1);
	memcpy(name, "x.conf", 7);
	add(b, ACL_ALLOW, "10.0.0.2", NULL, name, 2);
	memset(name, 0, sizeof(name));
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	judge(t, "10.0.0.1", NULL, &d1);
	judge(t, "10.0.0.2", NULL, &d2);
	ck_assert_str_eq(d1.file, "x.conf");
	ck_assert_ptr_eq(d1.file, d2.file);
	judge(t, "10.0.0.3", NULL, &d2);
	ck_assert_str_eq(d2.file, "y.conf");
	acl_free(t);
}
END_TEST

START_TEST(test_free)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl *t;

	add(b, ACL_ALLOW, "127.0.0.0/8", NULL, "a.conf", 1);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	judge(t, "127.0.0.1", NULL, &d);
	expect(&d, ACL_ALLOW, 1, "127.0.0.0/8");
	ck_assert_str_eq(d.file, "a.conf");
	acl_free(t);	/* everything (ASan checks) */
	acl_free(NULL);
}
END_TEST

/* Rules from many files (an include glob): each keeps its own name. */
START_TEST(test_build_many_files)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl_addr a;
	struct acl_rule r;
	struct acl *t;
	char name[64], want[64];
	unsigned i, k;

	memset(&r, 0, sizeof(r));
	r.action = ACL_ALLOW;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 300; i++) {
			ck_assert(snprintf(name, sizeof(name),
			    "/etc/daytimed/rules.d/%03u.rules", i) > 0);
			r.net.addr.family = AF_INET;
			r.net.addr.bytes[0] = 10;
			r.net.addr.bytes[1] = (uint8_t)k;
			r.net.addr.bytes[2] = (uint8_t)(i >> 8);
			r.net.addr.bytes[3] = (uint8_t)i;
			r.net.plen = 32;
			r.file = name;
			r.line = k + 1;
			ck_assert_int_eq(acl_build_add(b, &r), 0);
		}
	}
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < 300; i++) {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		a.bytes[0] = 10;
		a.bytes[1] = 2;
		a.bytes[2] = (uint8_t)(i >> 8);
		a.bytes[3] = (uint8_t)i;
		acl_decide(acl_lookup(t, &a), NULL, 0, &d);
		ck_assert(snprintf(want, sizeof(want),
		    "/etc/daytimed/rules.d/%03u.rules", i) > 0);
		ck_assert_str_eq(d.file, want);
		ck_assert_uint_eq(d.line, 3);
	}
	acl_free(t);
}
END_TEST

START_TEST(test_build_empty)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl_stats st;
	struct acl_addr a;
	struct acl *t;

	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 0);
	acl_stats(t, &st);
	ck_assert_uint_eq(st.rules + st.v4_blocks + st.v6_blocks, 0);
	ck_assert_int_eq(acl_addr_parse("::1", 3, &a, NULL), 0);
	ck_assert_ptr_null(acl_lookup(t, &a));
	acl_free(t);
	errno = 0;
	ck_assert_ptr_null(acl_build_finish(NULL, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A worker thread's connections, many times: look up and decide. */
static void *
reader_worker(void *arg)
{
	const struct acl *t = arg;
	struct acl_decision d;
	struct acl_addr a;
	int i;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.bytes[0] = 127;
	for (i = 0; i < 200000; i++) {
		a.bytes[3] = (uint8_t)i;
		acl_decide(acl_lookup(t, &a), NULL, 0, &d);
		if (d.action != ACL_ALLOW || d.line != 1)
			abort();
	}
	return NULL;
}

/* Readers share one table with no locks (ThreadSanitizer would see). */
START_TEST(test_readers_threads)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	pthread_t th[2];
	struct acl *t;
	int i;

	add(b, ACL_ALLOW, "127.0.0.0/8", NULL, "a.conf", 1);
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader_worker,
		    t), 0);
	reader_worker(t);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	judge(t, "127.0.0.1", NULL, &d);
	expect(&d, ACL_ALLOW, 1, "127.0.0.0/8");
	acl_free(t);
}
END_TEST

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Many rules: one per /32 plus a user rule on every tenth. Prints the time
 * and peak memory (not asserted); ACL_SCALE_RULES=1000000 to measure more.
 */
START_TEST(test_scale)
{
	struct acl_build *b = acl_build_new();
	struct acl_rule r;
	struct acl_decision d;
	struct acl_stats st;
	struct acl_addr a;
	struct rusage ru;
	struct acl *t;
	const char *env = getenv("ACL_SCALE_RULES");
	size_t n = SCALE_DEFAULT, i, added = 0;
	double t0, t1, t2;
	char user[16];
	uint32_t v;

	if (env != NULL && strtonum(env, 1, 100000000, NULL) > 0)
		n = (size_t)strtonum(env, 1, 100000000, NULL);
	memset(&r, 0, sizeof(r));
	r.file = "/etc/daytimed/rules.d/big.rules";
	t0 = now();
	for (i = 0; added < n; i++) {
		v = 0x0a000000u + (uint32_t)i;
		r.net.addr.family = AF_INET;
		r.net.addr.bytes[0] = (uint8_t)(v >> 24);
		r.net.addr.bytes[1] = (uint8_t)(v >> 16);
		r.net.addr.bytes[2] = (uint8_t)(v >> 8);
		r.net.addr.bytes[3] = (uint8_t)v;
		r.net.plen = 32;
		r.action = i % 2 ? ACL_ALLOW : ACL_DENY;
		r.has_user = 0;
		r.line = (unsigned)added + 1;
		/* Not ck_assert here: Check logs every passing assertion. */
		if (acl_build_add(b, &r) != 0)
			ck_abort_msg("acl_build_add");
		added++;
		if (i % 10 == 0 && added < n) {
			if (snprintf(user, sizeof(user), "u%zu", i) <= 0)
				ck_abort_msg("snprintf");
			r.has_user = 1;
			r.user = (const unsigned char *)user;
			r.userlen = strlen(user);
			r.action = ACL_DENY;
			r.line = (unsigned)added + 1;
			if (acl_build_add(b, &r) != 0)
				ck_abort_msg("acl_build_add");
			added++;
		}
	}
	t1 = now();
	t = acl_build_finish(b, NULL, NULL);
	t2 = now();
	ck_assert_ptr_nonnull(t);
	acl_stats(t, &st);
	ck_assert_uint_eq(st.rules, n);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "acl scale: %zu rules, %zu blocks: add %.2fs, "
	    "finish %.2fs, peak RSS %ld MiB\n", st.rules, st.v4_blocks,
	    t1 - t0, t2 - t1, ru.ru_maxrss / 1024);
	ck_assert_int_eq(acl_addr_parse("10.0.0.10", 9, &a, NULL), 0);
	acl_decide(acl_lookup(t, &a), (const unsigned char *)"u10", 3, &d);
	expect(&d, ACL_DENY, 13, "10.0.0.10/32");
	ck_assert_int_eq(acl_addr_parse("10.0.0.11", 9, &a, NULL), 0);
	acl_decide(acl_lookup(t, &a), NULL, 0, &d);
	expect(&d, ACL_ALLOW, 14, "10.0.0.11/32");
	acl_free(t);
}
END_TEST

/* An IPv4 address, as a number, into its 4 bytes. */
static void
put_v4(uint8_t *bytes, uint32_t v)
{
	bytes[0] = (uint8_t)(v >> 24);
	bytes[1] = (uint8_t)(v >> 16);
	bytes[2] = (uint8_t)(v >> 8);
	bytes[3] = (uint8_t)v;
}

/*
 * Past the builder's chunks: 2 * ACL_CHUNK + 5 rules added in falling
 * address order, so that the sort moves every rule across chunks; the
 * rule that opens the second chunk repeats the one that closes the
 * first, and the last one conflicts with the first (2 * ACL_CHUNK + 5 is
 * 524293 while ACL_CHUNK is 2^18, as the messages below say). Each decides with
 * its own line, and the diagnostics name the lines the rules came
 * with.
 */
START_TEST(test_chunks)
{
	struct acl_build *b = acl_build_new();
	struct diags dg = { .n = 0 };
	struct acl_decision d;
	struct acl_rule r;
	struct acl_addr a;
	struct acl *t;
	size_t n = 2 * ACL_CHUNK + 5, i, at;
	uint32_t v;
	char want[128];

	_Static_assert(ACL_CHUNK == 262144, "the messages name line 524293");
	ck_assert_ptr_nonnull(b);
	memset(&r, 0, sizeof(r));
	r.file = "big.list";
	r.net.addr.family = AF_INET;
	r.net.plen = 32;
	for (i = 0; i < n; i++) {
		/* Rule i names 10.0.0.0 + (n - 1 - i), but for the two. */
		at = i == ACL_CHUNK ? i - 1 : i == n - 1 ? 0 : i;
		v = 0x0a000000u + (uint32_t)(n - 1 - at);
		put_v4(r.net.addr.bytes, v);
		r.action = at % 2 ? ACL_ALLOW : ACL_DENY;
		if (i == n - 1)
			r.action = ACL_ALLOW;	/* rule 0 denies */
		r.line = (unsigned)i + 1;
		if (acl_build_add(b, &r) != 0)
			ck_abort_msg("acl_build_add");
	}
	ck_assert_ptr_null(acl_build_finish(b, diag_collect, &dg));
	ck_assert_uint_eq(dg.n, 2);
	snprintf(want, sizeof(want), "W big.list:%zu: duplicate of "
	    "big.list:%zu", ACL_CHUNK + 1, ACL_CHUNK);
	ck_assert_str_eq(dg.line[0], want);
	ck_assert_str_eq(dg.line[1], "E big.list:524293: conflicting rules "
	    "for 10.8.0.4/32: deny at big.list:1, allow at big.list:524293");

	/* Without the conflict: a table, each rule deciding for itself. */
	b = acl_build_new();
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n - 1; i++) {
		at = i == ACL_CHUNK ? i - 1 : i;
		v = 0x0a000000u + (uint32_t)(n - 1 - at);
		put_v4(r.net.addr.bytes, v);
		r.action = at % 2 ? ACL_ALLOW : ACL_DENY;
		r.line = (unsigned)i + 1;
		if (acl_build_add(b, &r) != 0)
			ck_abort_msg("acl_build_add");
	}
	dg.n = 0;
	t = acl_build_finish(b, diag_collect, &dg);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(dg.n, 1);
	for (i = 0; i < n - 1; i += (i < 8 || i + 8 > n ||
	    (i + 2 > ACL_CHUNK && i < ACL_CHUNK + 2) ||
	    (i + 2 > 2 * ACL_CHUNK && i < 2 * ACL_CHUNK + 2)) ? 1 : 997) {
		if (i == ACL_CHUNK)
			continue;	/* the duplicate: rule i - 1 decides */
		v = 0x0a000000u + (uint32_t)(n - 1 - i);
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		put_v4(a.bytes, v);
		acl_decide(acl_lookup(t, &a), NULL, 0, &d);
		ck_assert_int_eq(d.action, i % 2 ? ACL_ALLOW : ACL_DENY);
		ck_assert_uint_eq(d.line, i + 1);
		ck_assert_str_eq(d.file, "big.list");
	}
	acl_free(t);
}
END_TEST

/* Many user rules in one netblock: each found, its neighbours not. */
START_TEST(test_many_users_one_block)
{
	struct acl_build *b = acl_build_new();
	struct acl_decision d;
	struct acl_addr a;
	const struct acl_block *blk;
	struct acl_rule r;
	struct acl *t;
	char user[32];
	unsigned i;
	int len;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(acl_prefix_parse("192.0.2.0/24", 12, &r.net, NULL,
	    NULL), 0);
	r.file = "users.rules";
	r.action = ACL_DENY;
	r.line = 1;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	r.has_user = 1;
	/* Added in an order unrelated to the sorted one. */
	for (i = 0; i < 20000; i++) {
		unsigned k = (i * 7919) % 20000;

		len = snprintf(user, sizeof(user), "user%u", k);
		ck_assert(len > 0 && (size_t)len < sizeof(user));
		r.user = (const unsigned char *)user;
		r.userlen = (size_t)len;
		r.action = k % 3 == 0 ? ACL_ALLOW : ACL_DENY;
		r.line = k + 2;
		if (acl_build_add(b, &r) != 0)
			ck_abort_msg("acl_build_add");
	}
	t = acl_build_finish(b, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(acl_addr_parse("192.0.2.77", 10, &a, NULL), 0);
	blk = acl_lookup(t, &a);
	ck_assert_int_eq(acl_block_has_user_rules(blk), 1);
	for (i = 0; i < 20000; i++) {
		len = snprintf(user, sizeof(user), "user%u", i);
		acl_decide(blk, (const unsigned char *)user, (size_t)len, &d);
		if (d.line != i + 2 ||
		    d.action != (i % 3 == 0 ? ACL_ALLOW : ACL_DENY))
			ck_abort_msg("user%u: line %u", i, d.line);
		/* "userNx" is no rule: the "*" rule decides. */
		user[len] = 'x';
		acl_decide(blk, (const unsigned char *)user, (size_t)len + 1,
		    &d);
		if (d.line != 1)
			ck_abort_msg("user%ux decided at line %u", i, d.line);
		/* One byte shorter is user(i/10), or "user" (no rule). */
		acl_decide(blk, (const unsigned char *)user, (size_t)len - 1,
		    &d);
		if (d.line != (i < 10 ? 1 : i / 10 + 2))
			ck_abort_msg("prefix of user%u decided at line %u", i,
			    d.line);
	}
	acl_free(t);
}
END_TEST

Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_accepts, 0,
	    sizeof(parse_ok) / sizeof(parse_ok[0]));
	tcase_add_test(tc, test_parse_families);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_random);
	tcase_add_test(tc, test_sockaddr);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_loop_test(tc, test_parse_rejects, 0,
	    sizeof(parse_err) / sizeof(parse_err[0]));
	tcase_add_test(tc, test_parse_not_terminated);
	tcase_add_test(tc, test_parse_nul_bytes);
	tcase_add_test(tc, test_parse_every_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("decision");
	tcase_add_test(tc, test_decide_most_specific);
	tcase_add_test(tc, test_decide_user);
	tcase_add_test(tc, test_decide_user_longest);
	tcase_add_test(tc, test_decide_less_specific_not_consulted);
	tcase_add_test(tc, test_decide_mapped_and_families);
	tcase_add_test(tc, test_decide_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("diagnostics");
	tcase_add_test(tc, test_diag_conflict);
	tcase_add_test(tc, test_diag_conflict_mapped);
	tcase_add_test(tc, test_diag_three_way);
	tcase_add_test(tc, test_diag_duplicate);
	tcase_add_test(tc, test_diag_spoof_escaped);
	tcase_add_test(tc, test_diag_never_decides);
	tcase_add_test(tc, test_build_add_rejects);
	tcase_add_test(tc, test_build_interns_files);
	tcase_add_test(tc, test_build_empty);
	tcase_add_test(tc, test_build_many_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifetime");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_free);
	tcase_add_test(tc, test_readers_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_chunks);
	tcase_add_test(tc, test_many_users_one_block);
	suite_add_tcase(s, tc);
	return s;
}
