/* SPDX-License-Identifier: ISC */
/*
 * config_set: the handlers behind the table's rows: facility, ident mode,
 * listen (protocol, duplicates, how many, proxy), proxy netblocks,
 * allow/deny (usage, netblocks),
 * strings kept byte for byte.
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
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

START_TEST(test_facility)
{
	struct collect c;
	struct config *conf;
	char text[128];

	fmt(text, sizeof(text), LISTEN "syslog facility %s\n",
	    facilities[_i].name);
	conf = parse(&c, text);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(conf->facility, facilities[_i].facility);
	ck_assert_int_eq(config_facility(facilities[_i].name),
	    facilities[_i].facility);
	config_free(conf);
}
END_TEST

START_TEST(test_ident_modes)
{
	static const char *const m[] = { "always", "rules", "off" };
	static const enum ident_mode v[] = { IDENT_MODE_ALWAYS,
	    IDENT_MODE_RULES, IDENT_MODE_OFF };
	struct collect c;
	struct config *conf;
	char text[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		fmt(text, sizeof(text), LISTEN "ident mode %s\n", m[i]);
		conf = parse(&c, text);
		ck_assert_ptr_nonnull(conf);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_int_eq(conf->ident_mode, v[i]);
		config_free(conf);
	}
}
END_TEST

START_TEST(test_listen_usage)
{
	expect_one_error("listen tcp",
	    "usage: listen tcp|udp ADDRESS:PORT [proxy]");
	expect_one_error("listen",
	    "usage: listen tcp|udp ADDRESS:PORT [proxy]");
	expect_one_error("listen tcp 127.0.0.1:14 127.0.0.1:15",
	    "usage: listen tcp|udp ADDRESS:PORT [proxy]");
	expect_one_error("listen tcp 127.0.0.1:14 PROXY",
	    "usage: listen tcp|udp ADDRESS:PORT [proxy]");
	expect_one_error("listen tcp 127.0.0.1:14 proxy v2",
	    "usage: listen tcp|udp ADDRESS:PORT [proxy]");
	expect_one_error("listen udp 127.0.0.1:14 proxy",
	    "listen: only a tcp listener can take a PROXY header");
	expect_one_error("listen sctp 127.0.0.1:14",
	    "listen: protocol must be tcp or udp, not 'sctp'");
	expect_one_error("listen TCP 127.0.0.1:14",
	    "listen: protocol must be tcp or udp, not 'TCP'");
}
END_TEST

START_TEST(test_listen_duplicate)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "listen udp 127.0.0.1:13\n"
	    "listen tcp 127.0.0.1:013\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, "listen: duplicate of t.conf:1");

	conf = parse(&c, "listen udp [::1]:13\nlisten udp [0:0::1]:13\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "listen: duplicate of t.conf:1");
}
END_TEST

/* listen … proxy marks that line only; the proxies it trusts. */
START_TEST(test_listen_proxy)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "listen tcp 127.0.0.1:13 proxy\n"
	    "listen tcp 127.0.0.1:14\nproxy 10.1.0.0/16\n"
	    "proxy 2001:db8::5\nproxy timeout 0.25\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(conf->listens[0].proxy, 1);
	ck_assert_int_eq(conf->listens[1].proxy, 0);
	ck_assert_uint_eq(conf->nproxies, 2);
	ck_assert_uint_eq(conf->proxies[0].plen, 16);
	ck_assert_uint_eq(conf->proxies[1].plen, 128);
	ck_assert_int_eq(conf->proxy_timeout.tv_sec, 0);
	ck_assert_int_eq(conf->proxy_timeout.tv_usec, 250000);
	config_free(conf);

	/* the default timeout; no proxy line: a warning, every peer denied */
	conf = parse(&c, "listen tcp 127.0.0.1:13 proxy\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_int_eq(conf->proxy_timeout.tv_sec, 3);
	ck_assert_int_eq(conf->proxy_timeout.tv_usec, 0);
	ck_assert_uint_eq(conf->nproxies, 0);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 1, "listen tcp 127.0.0.1:13 proxy: no "
	    "'proxy NETBLOCK' line, so every connection to it is denied "
	    "(proxy:untrusted)");
	config_free(conf);
}
END_TEST

/* proxy NETBLOCK: read as rules' netblocks are, warned alike. */
START_TEST(test_proxy_netblocks)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "proxy 10.1.2.3/16\nproxy ::ffff:10.9.0.0/112\n"
	    "proxy 10.1.0.0/16\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 0, "t.conf", 2,
	    "host bits set in '10.1.2.3/16': read as 10.1.0.0/16");
	expect(&c, 1, 0, "t.conf", 3,
	    "IPv4-mapped netblock '::ffff:10.9.0.0/112' is read as 10.9.0.0/16");
	expect(&c, 2, 0, "t.conf", 4,
	    "duplicate proxy netblock '10.1.0.0/16'");
	ck_assert_uint_eq(conf->nproxies, 2);
	ck_assert_int_eq(conf->proxies[1].addr.family, AF_INET);
	config_free(conf);

	expect_one_error("proxy 10.0.0.0/33",
	    "bad netblock '10.0.0.0/33': prefix length out of range");
	expect_one_error("proxy example.com",
	    "bad netblock 'example.com': not an IPv4 or IPv6 address");
	expect_one_error("proxy timeout 0", "proxy timeout must be from 0.001 "
	    "to 300 seconds (up to 6 decimals), not '0'");
	expect_one_error("proxy timeout 301", "proxy timeout must be from "
	    "0.001 to 300 seconds (up to 6 decimals), not '301'");
}
END_TEST

START_TEST(test_listen_too_many)
{
	struct collect c;
	struct config *conf;
	char *text;
	size_t i, o = 0, cap = 70 * 40;

	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < CONFIG_LISTEN_MAX + 1; i++)
		o += fmt(text + o, cap - o,
		    "listen tcp 127.0.0.1:%zu\n", 1000 + i);
	conf = parse_len(&c, text, o);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", CONFIG_LISTEN_MAX + 1,
	    "too many listen lines (at most 64)");

	/* Exactly the maximum is fine. */
	o = 0;
	for (i = 0; i < CONFIG_LISTEN_MAX; i++)
		o += fmt(text + o, cap - o,
		    "listen udp 127.0.0.1:%zu\n", 1000 + i);
	conf = parse_len(&c, text, o);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->nlistens, CONFIG_LISTEN_MAX);
	config_free(conf);
	free(text);
}
END_TEST

START_TEST(test_listen_text_normalised)
{
	struct collect c;
	struct config *conf;

	/* Leading zeros are a valid port; the text is the port read. */
	conf = parse(&c, "listen tcp 127.0.0.1:"
	    "00000000000000000000000000000000000000000000000000014\n"
	    "listen udp [2001:DB8:0:0:1:0:0:01]:013\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:14");
	ck_assert_str_eq(conf->listens[1].text, "udp [2001:db8::1:0:0:1]:13");
	config_free(conf);
}
END_TEST

START_TEST(test_rule_usage)
{
	expect_one_error("allow", "usage: allow NETBLOCK [user NAME]");
	expect_one_error("deny", "usage: deny NETBLOCK [user NAME]");
	expect_one_error("deny 10.0.0.0/8 user",
	    "usage: deny NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 group x",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 user a b",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 x",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allowed 10.0.0.0/8", "unknown directive 'allowed'");
}
END_TEST

static const struct {
	const char	*net;
	const char	*why;
} bad_nets[] = {
	{ "10.0.0.0/33", "prefix length out of range" },
	{ "::/129", "prefix length out of range" },
	{ "10.0.0.0/", "missing prefix length" },
	{ "10.0.0.0/08", "leading zero in prefix length" },
	{ "010.0.0.0/8", "leading zero in IPv4 octet" },
	{ "10.0.0/8", "IPv4 address needs four octets" },
	{ "256.0.0.0/8", "IPv4 octet out of range" },
	{ "/8", "missing address before the prefix length" },
	{ "fe80::1%lo", "zone id in netblock" },
	{ "1:2:3:4:5:6:7:8:9", "malformed IPv6 address" },
	{ "example.com", "not an IPv4 or IPv6 address" },
	{ "*", "not an IPv4 or IPv6 address" },
	{ "::ffff:10.0.0.0/95", "prefix shorter than /96 on an IPv4-mapped "
	  "address (an IPv4 netblock is a.b.c.d/n; an IPv6 one is written "
	  "from its first address)" },
	{ "::ffff:0:0/95", "prefix shorter than /96 on an IPv4-mapped "
	  "address (an IPv4 netblock is a.b.c.d/n; an IPv6 one is written "
	  "from its first address)" },
};

START_TEST(test_rule_bad_netblock)
{
	char line[128], msg[256];

	fmt(line, sizeof(line), "deny %s", bad_nets[_i].net);
	fmt(msg, sizeof(msg), "bad netblock '%s': %s", bad_nets[_i].net,
	    bad_nets[_i].why);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_non_ascii_names)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "user d\xc3\xa6mon\ngroup \xff\xfe\n"
	    "chroot /v\xc3\xa4r\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "d\xc3\xa6mon");
	ck_assert_str_eq(conf->group, "\xff\xfe");
	ck_assert_str_eq(conf->chroot, "/v\xc3\xa4r");
	config_free(conf);
}
END_TEST

/* The config_set suite: one test case per concern. */
Suite *
config_set_suite(void)
{
	Suite *s = suite_create("config_set");
	TCase *tc;

	tc = tcase_create("directives");
	tcase_add_loop_test(tc, test_facility, 0, NFILES(facilities));
	tcase_add_test(tc, test_ident_modes);
	tcase_add_test(tc, test_non_ascii_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("listen");
	tcase_add_test(tc, test_listen_usage);
	tcase_add_test(tc, test_listen_proxy);
	tcase_add_test(tc, test_proxy_netblocks);
	tcase_add_test(tc, test_listen_duplicate);
	tcase_add_test(tc, test_listen_too_many);
	tcase_add_test(tc, test_listen_text_normalised);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_rule_usage);
	tcase_add_loop_test(tc, test_rule_bad_netblock, 0, NFILES(bad_nets));
	suite_add_tcase(s, tc);
	return s;
}
