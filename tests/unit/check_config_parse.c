/* SPDX-License-Identifier: ISC */
/*
 * config_parse: the table of directives and the dispatcher: every
 * directive, its usage, its numeric bounds, "given twice" with FILE:LINE,
 * and unknown directives, with exact messages.
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

START_TEST(test_every_directive)
{
	struct collect c;
	struct config *conf = parse(&c,
	    "# a full configuration\n"
	    LISTEN
	    "user daytime\n"
	    "group nogroup\n"
	    "chroot /var/empty\n"
	    "pidfile /run/daytimed.pid\n"
	    "syslog facility local7\n"
	    "syslog socket /var/run/log\n"
	    "ident mode rules\n"
	    "ident timeout 0.5\n"
	    "ident port 1113\n"
	    "limit connections 1000000\n"
	    "limit per-source 1\n"
	    "limit udp-rate 20\n"
	    "audit key /etc/daytimed/audit.pub\n"
	    "workers 64\n"
	    "udp privileged-sources answer\n"
	    "deny 127.0.0.1 user mallory\n"
	    "allow 127.0.0.0/8\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "daytime");
	ck_assert_str_eq(conf->group, "nogroup");
	ck_assert_str_eq(conf->chroot, "/var/empty");
	ck_assert_str_eq(conf->pidfile, "/run/daytimed.pid");
	ck_assert_int_eq(conf->facility, LOG_LOCAL7);
	ck_assert_str_eq(conf->syslog_socket, "/var/run/log");
	ck_assert_int_eq(conf->ident_mode, IDENT_MODE_RULES);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 0);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 500000);
	ck_assert_uint_eq(conf->ident_port, 1113);
	ck_assert_uint_eq(conf->limit_connections, 1000000);
	ck_assert_uint_eq(conf->limit_per_source, 1);
	ck_assert_uint_eq(conf->limit_udp_rate, 20);
	ck_assert_str_eq(conf->audit_key, "/etc/daytimed/audit.pub");
	ck_assert_uint_eq(conf->workers, 64);
	ck_assert_int_eq(conf->udp_privileged_ports, 1);
	ck_assert_uint_eq(conf->stats.rules, 2);
	ck_assert_uint_eq(conf->stats.v4_blocks, 2);
	ck_assert_uint_eq(conf->stats.v6_blocks, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_number_bounds)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN
	    "ident port 65535\nlimit connections 1\nlimit per-source 1000000\n"
	    "limit udp-rate 000001\nworkers 1\nudp privileged-sources ignore\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->ident_port, 65535);
	ck_assert_uint_eq(conf->limit_connections, 1);
	ck_assert_uint_eq(conf->limit_per_source, 1000000);
	ck_assert_uint_eq(conf->limit_udp_rate, 1);
	ck_assert_uint_eq(conf->workers, 1);
	ck_assert_int_eq(conf->udp_privileged_ports, 0);
	config_free(conf);
}
END_TEST

static const struct {
	const char	*line;
	const char	*msg;
} bad_lines[] = {
	{ "user", "usage: user NAME" },
	{ "user a b", "usage: user NAME" },
	{ "group", "usage: group NAME" },
	{ "group a b", "usage: group NAME" },
	{ "chroot", "usage: chroot DIR" },
	{ "chroot var/empty",
	  "chroot DIR: an absolute path is needed, not 'var/empty'" },
	{ "pidfile", "usage: pidfile PATH" },
	{ "pidfile run/d.pid",
	  "pidfile PATH: an absolute path is needed, not 'run/d.pid'" },
	{ "syslog facility", "usage: syslog facility NAME" },
	{ "syslog facility daemon auth", "usage: syslog facility NAME" },
	{ "syslog facility kern", "unknown syslog facility 'kern' (daemon, "
	  "auth, authpriv, local0 ... local7)" },
	{ "syslog facility local8", "unknown syslog facility 'local8' "
	  "(daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog facility Daemon", "unknown syslog facility 'Daemon' "
	  "(daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog facility local0000000000000", "unknown syslog facility "
	  "'local0000000000000' (daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog socket", "usage: syslog socket PATH" },
	{ "syslog socket /a /b", "usage: syslog socket PATH" },
	{ "syslog socket dev/log",
	  "syslog socket PATH: an absolute path is needed, not 'dev/log'" },
	{ "syslog", "unknown directive 'syslog'" },
	{ "syslog level info", "unknown directive 'syslog'" },
	{ "ident mode", "usage: ident mode always|rules|off" },
	{ "ident mode rules off", "usage: ident mode always|rules|off" },
	{ "ident mode sometimes",
	  "ident mode must be always, rules or off, not 'sometimes'" },
	{ "ident mode Always",
	  "ident mode must be always, rules or off, not 'Always'" },
	{ "ident timeout", "usage: ident timeout SECONDS" },
	{ "ident timeout 1 2", "usage: ident timeout SECONDS" },
	{ "ident port", "usage: ident port PORT" },
	{ "ident port 0",
	  "ident port must be a number from 1 to 65535, not '0'" },
	{ "ident port 65536",
	  "ident port must be a number from 1 to 65535, not '65536'" },
	{ "ident port -1",
	  "ident port must be a number from 1 to 65535, not '-1'" },
	{ "ident port auth",
	  "ident port must be a number from 1 to 65535, not 'auth'" },
	{ "ident", "unknown directive 'ident'" },
	{ "ident user x", "unknown directive 'ident'" },
	{ "limit connections", "usage: limit connections N" },
	{ "limit per-source 1 2", "usage: limit per-source N" },
	{ "limit udp-rate", "usage: limit udp-rate N" },
	{ "limit connections 0", "limit connections must be a number from 1 "
	  "to 1000000, not '0'" },
	{ "limit connections 1000001", "limit connections must be a number "
	  "from 1 to 1000000, not '1000001'" },
	{ "limit per-source 18446744073709551617", "limit per-source must be "
	  "a number from 1 to 1000000, not '18446744073709551617'" },
	{ "limit udp-rate 1.5", "limit udp-rate must be a number from 1 to "
	  "1000000, not '1.5'" },
	{ "limit bandwidth 5", "unknown limit 'bandwidth' (connections, "
	  "per-source, udp-rate, udp-total)" },
	{ "limit", "unknown directive 'limit'" },
	{ "audit key", "usage: audit key PATH" },
	{ "audit key key.pub",
	  "audit key PATH: an absolute path is needed, not 'key.pub'" },
	{ "audit", "unknown directive 'audit'" },
	{ "workers", "usage: workers N" },
	{ "workers 0", "workers must be a number from 1 to 64, not '0'" },
	{ "workers 65", "workers must be a number from 1 to 64, not '65'" },
	{ "workers 4 4", "usage: workers N" },
	{ "udp privileged-sources",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp privileged-sources maybe",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp privileged-sources answer ignore",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp", "unknown directive 'udp'" },
	{ "include x.conf", "include is not allowed here" },
	{ "include", "usage: include PATTERN" },
	{ "bogus", "unknown directive 'bogus'" },
	{ "Listen tcp 127.0.0.1:14", "unknown directive 'Listen'" },
	{ "bogus\\", "unknown directive 'bogus\\x5c'" },
	{ "\xc3\xa6", "unknown directive '\\xc3\\xa6'" },
	{ "ident mode \xff",
	  "ident mode must be always, rules or off, not '\\xff'" },
};

START_TEST(test_bad_line)
{
	expect_one_error(bad_lines[_i].line, bad_lines[_i].msg);
}
END_TEST

static const struct {
	const char	*first, *second, *what;
} twice[] = {
	{ "user a", "user a", "user NAME" },
	{ "group a", "group b", "group NAME" },
	{ "chroot /a", "chroot /b", "chroot DIR" },
	{ "pidfile /a", "pidfile /b", "pidfile PATH" },
	{ "syslog facility daemon", "syslog facility auth", "syslog facility" },
	{ "syslog socket /a", "syslog socket /b", "syslog socket PATH" },
	{ "ident mode off", "ident mode off", "ident mode" },
	{ "ident timeout 1", "ident timeout 2", "ident timeout" },
	{ "ident port 113", "ident port 114", "ident port" },
	{ "limit connections 1", "limit connections 2", "limit connections" },
	{ "limit per-source 1", "limit per-source 2", "limit per-source" },
	{ "limit udp-rate 1", "limit udp-rate 2", "limit udp-rate" },
	{ "audit key /a", "audit key /b", "audit key PATH" },
	{ "workers 1", "workers 2", "workers" },
	{ "udp privileged-sources answer", "udp privileged-sources ignore",
	  "udp privileged-sources" },
};

START_TEST(test_given_twice)
{
	struct collect c;
	struct config *conf;
	char text[256], msg[256];

	fmt(text, sizeof(text), "%s\n# between\n%s\n" LISTEN,
	    twice[_i].first, twice[_i].second);
	fmt(msg, sizeof(msg), "'%s' given twice (first at t.conf:1)",
	    twice[_i].what);
	conf = parse(&c, text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, msg);
}
END_TEST

START_TEST(test_limits_independent)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN "limit connections 10\n"
	    "limit per-source 2\nlimit udp-rate 3\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->limit_connections, 10);
	ck_assert_uint_eq(conf->limit_per_source, 2);
	ck_assert_uint_eq(conf->limit_udp_rate, 3);
	config_free(conf);
}
END_TEST

START_TEST(test_all_errors_reported)
{
	struct collect c;
	struct config *conf = parse(&c, "workers 0\nbogus\n" LISTEN
	    "ident port 0\n");

	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "t.conf", 1,
	    "workers must be a number from 1 to 64, not '0'");
	expect(&c, 1, 1, "t.conf", 2, "unknown directive 'bogus'");
	expect(&c, 2, 1, "t.conf", 4,
	    "ident port must be a number from 1 to 65535, not '0'");
}
END_TEST

/* The config_parse suite: one test case per concern. */
Suite *
config_parse_suite(void)
{
	Suite *s = suite_create("config_parse");
	TCase *tc;

	tc = tcase_create("directives");
	tcase_add_test(tc, test_every_directive);
	tcase_add_test(tc, test_number_bounds);
	tcase_add_loop_test(tc, test_bad_line, 0, NFILES(bad_lines));
	tcase_add_loop_test(tc, test_given_twice, 0, NFILES(twice));
	tcase_add_test(tc, test_limits_independent);
	tcase_add_test(tc, test_all_errors_reported);
	suite_add_tcase(s, tc);
	return s;
}
