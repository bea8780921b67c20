/* SPDX-License-Identifier: ISC */
/*
 * config_word: the values one word holds (seconds, ADDRESS:PORT) and how
 * a message shows a word, through lines parsed whole.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

static const struct {
	const char	*text;
	long		 sec, usec;
} good_timeouts[] = {
	{ "5", 5, 0 }, { "0.5", 0, 500000 }, { "0.001", 0, 1000 },
	{ "300", 300, 0 }, { "300.0", 300, 0 }, { "300.000000", 300, 0 },
	{ "1.5", 1, 500000 }, { "1.234567", 1, 234567 }, { "0.25", 0, 250000 },
	{ "007", 7, 0 }, { "2.000001", 2, 1 },
};

START_TEST(test_ident_timeout_good)
{
	struct collect c;
	struct config *conf;
	char text[128];

	fmt(text, sizeof(text), LISTEN "ident timeout %s\n",
	    good_timeouts[_i].text);
	conf = parse(&c, text);
	ck_assert_msg(conf != NULL, "rejected %s", good_timeouts[_i].text);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, good_timeouts[_i].sec);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, good_timeouts[_i].usec);
	config_free(conf);
}
END_TEST

static const char *const bad_timeouts[] = {
	"0.0001", "301", "1.2345678", "0", "0.0", "0.000999", "300.000001",
	".5", "5.", "-1", "+1", "1e3", "1,5", "0x10", "1.2.3", "1.-5",
	"99999999999999999999999", "inf", "5s",
};

START_TEST(test_ident_timeout_bad)
{
	char line[128], msg[256];

	fmt(line, sizeof(line), "ident timeout %s", bad_timeouts[_i]);
	fmt(msg, sizeof(msg), "ident timeout must be from 0.001 to 300 "
	    "seconds (up to 6 decimals), not '%s'", bad_timeouts[_i]);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_listen_good)
{
	struct collect c;
	struct config *conf = parse(&c,
	    "listen tcp 127.0.0.1:13\n"
	    "listen udp 127.0.0.1:13\n"
	    "listen tcp [::1]:13\n"
	    "listen udp [::1]:65535\n"
	    "listen tcp 0.0.0.0:1\n"
	    "listen tcp [FD00:0:0::01]:13\n"
	    "listen udp [fec0::1]:13\n");
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nlistens, 7);

	ck_assert_int_eq(conf->listens[0].proto, SOCK_STREAM);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[0].line, 1);
	ck_assert_uint_eq(conf->listens[0].sslen, sizeof(*sin));
	sin = (const struct sockaddr_in *)&conf->listens[0].ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 13);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);

	ck_assert_int_eq(conf->listens[1].proto, SOCK_DGRAM);
	ck_assert_str_eq(conf->listens[1].text, "udp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[1].line, 2);

	ck_assert_int_eq(conf->listens[2].proto, SOCK_STREAM);
	ck_assert_str_eq(conf->listens[2].text, "tcp [::1]:13");
	ck_assert_uint_eq(conf->listens[2].sslen, sizeof(*sin6));
	sin6 = (const struct sockaddr_in6 *)&conf->listens[2].ss;
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 13);
	ck_assert_int_eq(memcmp(&sin6->sin6_addr, &lo6, sizeof(lo6)), 0);

	ck_assert_int_eq(conf->listens[3].proto, SOCK_DGRAM);
	sin6 = (const struct sockaddr_in6 *)&conf->listens[3].ss;
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 65535);

	sin = (const struct sockaddr_in *)&conf->listens[4].ss;
	ck_assert_uint_eq(ntohs(sin->sin_port), 1);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));

	/* the text is the address read, as records write it */
	ck_assert_int_eq(conf->listens[5].ss.ss_family, AF_INET6);
	ck_assert_str_eq(conf->listens[5].text, "tcp [fd00::1]:13");
	ck_assert_str_eq(conf->listens[4].text, "tcp 0.0.0.0:1");
	ck_assert_str_eq(conf->listens[3].text, "udp [::1]:65535");
	/* past fe80::/10: not link-local (the old site-local fec0::/10) */
	ck_assert_str_eq(conf->listens[6].text, "udp [fec0::1]:13");
	config_free(conf);
}
END_TEST

static const struct {
	const char	*addr;
	const char	*why;
} bad_listens[] = {
	{ "127.0.0.1", "expected ADDRESS:PORT" },
	{ "13", "expected ADDRESS:PORT" },
	{ "::1:13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "::1", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1]", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1]13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1:13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[]:13", "bad IPv6 address" },
	{ "[127.0.0.1]:13", "bad IPv6 address" },
	{ "[fe80::1%lo]:13", "a zone (%IFACE) is not supported in a listen "
	  "line; listen on [::] or a global or ULA address" },
	{ "[fe80::1%1]:13", "a zone (%IFACE) is not supported in a listen "
	  "line; listen on [::] or a global or ULA address" },
	{ "[fe80::1]:13", "a link-local address binds only with a zone, "
	  "which listen does not take; listen on [::] or a global or ULA "
	  "address" },
	{ "[FEBF:ffff::1]:13", "a link-local address binds only with a "
	  "zone, which listen does not take; listen on [::] or a global or "
	  "ULA address" },
	{ "[::ffff:127.0.0.1]:13", "an IPv4-mapped address, which the "
	  "IPv6-only socket cannot bind; write it as IPv4 (A.B.C.D:PORT)" },
	{ "[::FFFF:7f00:1]:13", "an IPv4-mapped address, which the "
	  "IPv6-only socket cannot bind; write it as IPv4 (A.B.C.D:PORT)" },
	{ "[localhost]:13", "bad IPv6 address" },
	{ "[0000:0000:0000:0000:0000:0000:0000:0000:0000]:13",
	  "bad IPv6 address" },
	{ "localhost:13", "bad IPv4 address (numeric addresses only)" },
	{ "example.com:13", "bad IPv4 address (numeric addresses only)" },
	{ "127.1:13", "bad IPv4 address (numeric addresses only)" },
	{ "256.0.0.1:13", "bad IPv4 address (numeric addresses only)" },
	{ ":13", "bad IPv4 address" },
	{ "127.0.0.1:0", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:65536", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:daytime", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:-13", "port must be a number from 1 to 65535" },
	{ "[::1]:0", "port must be a number from 1 to 65535" },
	{ "[::1]:65536", "port must be a number from 1 to 65535" },
	{ "[::1]:", "port must be a number from 1 to 65535" },
};

START_TEST(test_listen_bad)
{
	char line[256], msg[512];

	fmt(line, sizeof(line), "listen tcp %s", bad_listens[_i].addr);
	fmt(msg, sizeof(msg), "listen: %s: '%s'", bad_listens[_i].why,
	    bad_listens[_i].addr);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_long_token_shown_bounded)
{
	char line[300], msg[200], want[300];
	size_t i, o;

	/* A name is shown up to 32 bytes; a longer word is not shown. */
	memset(line, 'a', 32);
	line[32] = '\0';
	fmt(want, sizeof(want), "unknown directive '%s'", line);
	expect_one_error(line, want);
	memset(line, 'a', 200);
	line[200] = '\0';
	expect_one_error(line, "unknown directive (a word of 200 bytes that "
	    "is not a name; not shown)");

	/* Other messages show the word bounded, through the escaper. */
	memcpy(line, "allow ", 6);
	memset(line + 6, 'a', 194);
	memcpy(msg, "bad netblock '", 14);
	memset(msg + 14, 'a', 76);
	memcpy(msg + 90, "...': netblock text too long", 29);
	fmt(want, sizeof(want), "%s", msg);
	expect_one_error(line, want);

	/* Escapes are never cut in half. */
	memset(line + 6, '\xff', 194);
	o = fmt(want, sizeof(want), "bad netblock '");
	for (i = 0; i < 19; i++)
		o += fmt(want + o, sizeof(want) - o, "\\xff");
	fmt(want + o, sizeof(want) - o, "...': netblock text too long");
	expect_one_error(line, want);
}
END_TEST

/* A glob character escaped is itself: the pattern is a name. */
static const struct {
	const char	*s;
	int		 glob;
} globs[] = {
	{ "/etc/d/a.conf", 0 }, { "/etc/d/*.conf", 1 }, { "a?", 1 },
	{ "[ab]", 1 }, { "/etc/d/a\\*.conf", 0 }, { "a\\?\\[", 0 },
	{ "a\\\\*", 1 },		/* an escaped backslash, then * */
	{ "a\\", 0 },			/* a trailing backslash */
	{ "a\\*b*", 1 }, { "", 0 },
};

START_TEST(test_has_glob)
{
	struct config_token t = { globs[_i].s, strlen(globs[_i].s) };

	ck_assert_msg(config_word_has_glob(&t) == globs[_i].glob, "%s",
	    globs[_i].s);
}
END_TEST

/* The config_word suite: one test case per concern. */
Suite *
config_word_suite(void)
{
	Suite *s = suite_create("config_word");
	TCase *tc;

	tc = tcase_create("seconds");
	tcase_add_loop_test(tc, test_ident_timeout_good, 0,
	    NFILES(good_timeouts));
	tcase_add_loop_test(tc, test_ident_timeout_bad, 0,
	    NFILES(bad_timeouts));
	suite_add_tcase(s, tc);

	tc = tcase_create("address");
	tcase_add_test(tc, test_listen_good);
	tcase_add_loop_test(tc, test_listen_bad, 0, NFILES(bad_listens));
	suite_add_tcase(s, tc);

	tc = tcase_create("show");
	tcase_add_test(tc, test_long_token_shown_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("glob");
	tcase_add_loop_test(tc, test_has_glob, 0, NFILES(globs));
	suite_add_tcase(s, tc);
	return s;
}
