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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/config_parse.h"
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
	    "audit signing-key /etc/daytimed/host.sec\n"
	    "audit state /var/lib/daytimed/audit.state\n"
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
	ck_assert_str_eq(conf->audit_signing_key, "/etc/daytimed/host.sec");
	ck_assert_str_eq(conf->audit_state, "/var/lib/daytimed/audit.state");
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
	{ "limit connections", "usage: limit connections N|off" },
	{ "limit per-source 1 2", "usage: limit per-source N|off" },
	{ "limit udp-rate", "usage: limit udp-rate N|off" },
	{ "limit connections 0", "limit connections must be off or a number "
	  "from 1 to 1000000, not '0'" },
	{ "limit connections 1000001", "limit connections must be off or a "
	  "number from 1 to 1000000, not '1000001'" },
	{ "limit per-source 18446744073709551617", "limit per-source must be "
	  "off or a number from 1 to 1000000, not '18446744073709551617'" },
	{ "limit udp-rate 1.5", "limit udp-rate must be off or a number from "
	  "1 to 1000000, not '1.5'" },
	{ "limit rate Off", "limit rate must be off or a number from 1 to "
	  "1000000, not 'Off'" },
	{ "limit bandwidth 5", "unknown limit 'bandwidth' (connections, "
	  "per-source, rate, udp-rate, udp-total, source-prefix)" },
	{ "limit", "unknown directive 'limit'" },
	{ "audit key", "usage: audit key PATH" },
	{ "audit key key.pub",
	  "audit key PATH: an absolute path is needed, not 'key.pub'" },
	{ "audit", "unknown directive 'audit'" },
	{ "audit signing-key", "usage: audit signing-key PATH" },
	{ "audit signing-key host.sec", "audit signing-key PATH: an absolute "
	  "path is needed, not 'host.sec'" },
	{ "audit state /a /b", "usage: audit state PATH" },
	{ "audit state audit.state", "audit state PATH: an absolute path is "
	  "needed, not 'audit.state'" },
	{ "audit stat /x", "unknown audit 'stat' (key, signing-key, state)" },
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
	/* Not a name: a word of some other file, never shown back. */
	{ "bogus\\", "unknown directive (a word of 6 bytes that is not a "
	  "name; not shown)" },
	{ "\xc3\xa6", "unknown directive (a word of 2 bytes that is not a "
	  "name; not shown)" },
	{ "root:x:0:0:root:/root:/bin/bash", "unknown directive (a word of 31 "
	  "bytes that is not a name; not shown)" },
	{ "limit source-prefix 24", "usage: limit source-prefix V4 V6" },
	{ "seccomp maybe", "usage: seccomp on|off" },
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
	{ "audit signing-key /a", "audit signing-key /b",
	  "audit signing-key PATH" },
	{ "audit state /a", "audit state /b", "audit state PATH" },
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
	    "limit per-source 2\nlimit udp-rate 3\nlimit rate off\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->limit_connections, 10);
	ck_assert_uint_eq(conf->limit_per_source, 2);
	ck_assert_uint_eq(conf->limit_udp_rate, 3);
	ck_assert_uint_eq(conf->limit_rate, 0);
	ck_assert_uint_eq(conf->limit_udp_total, CONFIG_DEFAULT_UDP_TOTAL);
	config_free(conf);
	/* off: no limit, for each of them. */
	conf = parse(&c, LISTEN "limit connections off\nlimit per-source off\n"
	    "limit udp-rate off\nlimit udp-total off\nlimit rate 7\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->limit_connections, 0);
	ck_assert_uint_eq(conf->limit_per_source, 0);
	ck_assert_uint_eq(conf->limit_udp_rate, 0);
	ck_assert_uint_eq(conf->limit_udp_total, 0);
	ck_assert_uint_eq(conf->limit_rate, 7);
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

/* ------------------------------------------------------------------ */
/* the table */

/*
 * Every directive: its key, a line that sets it, its usage message, and
 * how "given twice" names it (NULL: it may be repeated).
 */
static const struct {
	const char	*key;
	const char	*good;
	const char	*usage;
	const char	*twice;
} directives[] = {
	{ "listen", "listen udp 127.0.0.1:14",
	  "usage: listen tcp|udp ADDRESS:PORT [proxy]", NULL },
	{ "allow", "allow 10.0.0.0/8", "usage: allow NETBLOCK [user NAME]",
	  NULL },
	{ "deny", "deny 10.0.0.0/9", "usage: deny NETBLOCK [user NAME]",
	  NULL },
	{ "allow file", "allow file l.list", "usage: allow file PATH", NULL },
	{ "deny file", "deny file l.list", "usage: deny file PATH", NULL },
	{ "include", "include x.conf", "usage: include PATTERN", NULL },
	{ "user", "user daytime", "usage: user NAME", "user NAME" },
	{ "group", "group daytime", "usage: group NAME", "group NAME" },
	{ "chroot", "chroot /var/empty", "usage: chroot DIR", "chroot DIR" },
	{ "pidfile", "pidfile /run/d.pid", "usage: pidfile PATH",
	  "pidfile PATH" },
	{ "syslog facility", "syslog facility local3",
	  "usage: syslog facility NAME", "syslog facility" },
	{ "syslog audit-facility", "syslog audit-facility local5",
	  "usage: syslog audit-facility NAME", "syslog audit-facility" },
	{ "syslog socket", "syslog socket /dev/log",
	  "usage: syslog socket PATH", "syslog socket PATH" },
	{ "ident mode", "ident mode rules",
	  "usage: ident mode always|rules|off", "ident mode" },
	{ "ident timeout", "ident timeout 2", "usage: ident timeout SECONDS",
	  "ident timeout" },
	{ "ident port", "ident port 1113", "usage: ident port PORT",
	  "ident port" },
	{ "limit connections", "limit connections 100",
	  "usage: limit connections N|off", "limit connections" },
	{ "limit per-source", "limit per-source 10",
	  "usage: limit per-source N|off", "limit per-source" },
	{ "limit rate", "limit rate off", "usage: limit rate N|off",
	  "limit rate" },
	{ "limit udp-rate", "limit udp-rate 10",
	  "usage: limit udp-rate N|off", "limit udp-rate" },
	{ "limit udp-total", "limit udp-total 100",
	  "usage: limit udp-total N|off", "limit udp-total" },
	{ "audit key", "audit key /etc/daytimed/audit.pub",
	  "usage: audit key PATH", "audit key PATH" },
	{ "audit signing-key", "audit signing-key /etc/daytimed/host.sec",
	  "usage: audit signing-key PATH", "audit signing-key PATH" },
	{ "audit state", "audit state /var/lib/daytimed/audit.state",
	  "usage: audit state PATH", "audit state PATH" },
	{ "proxy", "proxy 10.0.0.0/8", "usage: proxy NETBLOCK", NULL },
	{ "proxy timeout", "proxy timeout 0.5", "usage: proxy timeout SECONDS",
	  "proxy timeout" },
	{ "workers", "workers 4", "usage: workers N", "workers" },
	{ "udp privileged-sources", "udp privileged-sources answer",
	  "usage: udp privileged-sources answer|ignore",
	  "udp privileged-sources" },
	{ "limit source-prefix", "limit source-prefix 24 56",
	  "usage: limit source-prefix V4 V6", "limit source-prefix" },
	{ "seccomp", "seccomp off", "usage: seccomp on|off", "seccomp" },
};

/*
 * Every numeric argument of every directive, its bounds and where it
 * lands: the line is "KEY BEFORE WORD AFTER" (the other arguments of a
 * directive that takes two numbers around the one under test).
 */
static const struct {
	const char		*key;
	unsigned long long	 min, max;
	size_t			 field;
	int			 off;	/* "off" is 0 */
	const char		*before, *after;
} numbers[] = {
	{ "ident port", 1, 65535, offsetof(struct config, ident_port), 0 },
	{ "limit connections", 1, 1000000,
	  offsetof(struct config, limit_connections), 1 },
	{ "limit per-source", 1, 1000000,
	  offsetof(struct config, limit_per_source), 1 },
	{ "limit rate", 1, 1000000, offsetof(struct config, limit_rate), 1 },
	{ "limit udp-rate", 1, 1000000,
	  offsetof(struct config, limit_udp_rate), 1 },
	{ "limit udp-total", 1, 1000000,
	  offsetof(struct config, limit_udp_total), 1 },
	{ "workers", 1, 64, offsetof(struct config, workers), 0 },
	{ "limit source-prefix", 1, 32,
	  offsetof(struct config, source_prefix), 0, "", " 64" },
	{ "limit source-prefix", 1, 128,
	  offsetof(struct config, source_prefix) + sizeof(unsigned), 0, "32 ",
	  "" },
};

/* A row's key as one string. */
static void
row_key(const struct config_directive *d, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < CONFIG_KEY_MAX && d->words[i] != NULL; i++)
		o += fmt(buf + o, len - o, "%s%s", i > 0 ? " " : "",
		    d->words[i]);
}

START_TEST(test_table_covered)
{
	const struct config_directive *t;
	char key[128];
	size_t n, i, j, k, nnum = 0;

	/* Each row has exactly one entry above, and each entry one row. */
	t = config_parse_table(&n);
	ck_assert_uint_eq(n, NFILES(directives));
	for (i = 0; i < n; i++) {
		row_key(&t[i], key, sizeof(key));
		for (j = 0; j < NFILES(directives); j++)
			if (strcmp(directives[j].key, key) == 0)
				break;
		ck_assert_msg(j < NFILES(directives), "no test for '%s'", key);
		ck_assert_msg(!(t[i].flags & CONFIG_ONCE) ==
		    (directives[j].twice == NULL), "once: '%s'", key);
		for (j = 0; j < i; j++) {
			char other[128];

			row_key(&t[j], other, sizeof(other));
			ck_assert_str_ne(other, key);
		}
		/* The row's shape holds together. */
		ck_assert_ptr_nonnull(t[i].usage);
		ck_assert_ptr_nonnull(t[i].handler);
		ck_assert_uint_le(t[i].amin, t[i].amax);
		ck_assert_uint_ge(t[i].amin, 1);
		ck_assert_uint_le(t[i].nnum, t[i].amin);
		ck_assert_uint_le(t[i].nnum, CONFIG_NUM_MAX);
		if (t[i].choices != NULL)
			ck_assert_uint_eq(t[i].amax, 1);
		if (t[i].nnum == 0)
			continue;
		/* Numbers: the bounds tested below are the table's. */
		for (k = 0; k < t[i].nnum; k++) {
			nnum++;
			for (j = 0; j < NFILES(numbers); j++)
				if (strcmp(numbers[j].key, key) == 0 &&
				    numbers[j].field == t[i].field +
				    k * sizeof(unsigned))
					break;
			ck_assert_msg(j < NFILES(numbers), "no bounds test for "
			    "'%s' number %zu", key, k);
			ck_assert_uint_eq(t[i].num[k].min, numbers[j].min);
			ck_assert_uint_eq(t[i].num[k].max, numbers[j].max);
			ck_assert_int_eq(!!(t[i].flags & CONFIG_OFF),
			    numbers[j].off);
		}
	}
	ck_assert_uint_eq(nnum, NFILES(numbers));
}
END_TEST

/* The in-memory files a directive's line is tried in. */
static const struct memfile *
one_file(struct memfile *f, char *text, size_t len, const char *line)
{
	/* the audit's other directives need its key beside them */
	fmt(text, len, LISTEN "%s%s\n", strncmp(line, "audit s", 7) == 0 ?
	    "audit key /etc/daytimed/audit.pub\n" : "", line);
	f[0].name = "/t/t.conf";
	f[0].text = text;
	f[1].name = "/t/x.conf";
	f[1].text = "# included\n";
	f[2].name = "/t/l.list";
	f[2].text = "; a list\n10.0.0.0/8\n";
	return f;
}

START_TEST(test_directive_good)
{
	struct memfile f[3];
	struct collect c;
	struct memfs fs;
	struct config *conf;
	char text[256];

	one_file(f, text, sizeof(text), directives[_i].good);
	conf = load(&c, &fs, "/t/t.conf", f, NFILES(f));
	ck_assert_msg(c.n == 0, "'%s': %s", directives[_i].good,
	    c.n > 0 ? c.d[0].msg : "");
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

START_TEST(test_directive_usage)
{
	char line[256];

	/* The key alone: too few words. */
	expect_one_error(directives[_i].key, directives[_i].usage);
	/* A good line and one more word: too many. */
	fmt(line, sizeof(line), "%s extra", directives[_i].good);
	expect_one_error(line, directives[_i].usage);
	fmt(line, sizeof(line), "%s 1 2 3", directives[_i].good);
	expect_one_error(line, directives[_i].usage);
}
END_TEST

START_TEST(test_directive_twice)
{
	struct memfile f[2];
	struct collect c;
	struct memfs fs;
	struct config *conf;
	char text[256], inc[128], msg[256];
	size_t i;

	/* In one file: the error is at the second, naming the first. */
	fmt(text, sizeof(text), "%s\n# between\n%s\n" LISTEN,
	    directives[_i].good, directives[_i].good);
	f[0].name = "/t/t.conf";
	f[0].text = text;
	f[1].name = "/t/x.conf";
	f[1].text = "# included\n";
	conf = load(&c, &fs, "/t/t.conf", f, 2);
	if (directives[_i].twice == NULL) {
		/* Repeatable: whatever else is said, not "given twice". */
		for (i = 0; i < c.n; i++)
			ck_assert_ptr_null(strstr(c.d[i].msg, "given twice"));
		config_free(conf);
		return;
	}
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	fmt(msg, sizeof(msg), "'%s' given twice (first at /t/t.conf:1)",
	    directives[_i].twice);
	expect(&c, 0, 1, "/t/t.conf", 3, msg);

	/* Across files: FILE:LINE of each. */
	fmt(text, sizeof(text), "%s\ninclude x.conf\n" LISTEN,
	    directives[_i].good);
	fmt(inc, sizeof(inc), "# x\n%s\n", directives[_i].good);
	f[1].text = inc;
	conf = load(&c, &fs, "/t/t.conf", f, 2);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/t/x.conf", 2, msg);
}
END_TEST

/* A word as messages show it: bytes outside '!'..'~' and '\\' escaped. */
static void
show_word(const char *w, char *buf, size_t len)
{
	size_t o = 0;

	for (; *w != '\0'; w++) {
		unsigned char u = (unsigned char)*w;

		if (u >= 0x21 && u <= 0x7e && u != '\\')
			o += fmt(buf + o, len - o, "%c", u);
		else
			o += fmt(buf + o, len - o, "\\x%02x", u);
	}
	buf[o] = '\0';
}

#define N_BEFORE(i)	(numbers[i].before != NULL ? numbers[i].before : "")
#define N_AFTER(i)	(numbers[i].after != NULL ? numbers[i].after : "")

/* Words a number must not be, as the bounded parser reads them. */
static const char *const not_numbers[] = {
	"x", "1x", "x1", "0x10", "1e3", "1.0", "1,0", "+1", "-1", "-0", "+0",
	"\xef\xbc\x91", "18446744073709551616", "18446744073709551617",
	"99999999999999999999999999999",
};

START_TEST(test_number_edges)
{
	struct collect c;
	struct config *conf;
	char text[256], word[64], line[128], msg[256], show[64];
	unsigned long long v;
	size_t i;

	/* min, max and leading zeros (however many) are accepted. */
	for (i = 0; i < 5; i++) {
		switch (i) {
		case 0:
			v = numbers[_i].min;
			fmt(word, sizeof(word), "%llu", v);
			break;
		case 1:
			v = numbers[_i].max;
			fmt(word, sizeof(word), "%llu", v);
			break;
		case 2:
			v = numbers[_i].min;
			fmt(word, sizeof(word), "000%llu", v);
			break;
		case 3:
			v = numbers[_i].max;
			fmt(word, sizeof(word), "0%llu", v);
			break;
		default:
			v = numbers[_i].min;
			fmt(word, sizeof(word), "00000000000000000000000%llu",
			    v);
			break;
		}
		fmt(text, sizeof(text), LISTEN "%s %s%s%s\n", numbers[_i].key,
		    N_BEFORE(_i), word, N_AFTER(_i));
		conf = parse(&c, text);
		ck_assert_msg(conf != NULL, "rejected '%s %s'",
		    numbers[_i].key, word);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_uint_eq(*(const unsigned *)(const void *)
		    ((const char *)conf + numbers[_i].field), v);
		config_free(conf);
	}

	/* min - 1, max + 1 and anything not plain digits: one message. */
	for (i = 0; i < 2 + NFILES(not_numbers); i++) {
		if (i == 0)
			fmt(word, sizeof(word), "%llu", numbers[_i].min - 1);
		else if (i == 1)
			fmt(word, sizeof(word), "%llu", numbers[_i].max + 1);
		else
			fmt(word, sizeof(word), "%s", not_numbers[i - 2]);
		show_word(word, show, sizeof(show));
		fmt(line, sizeof(line), "%s %s%s%s", numbers[_i].key,
		    N_BEFORE(_i), word, N_AFTER(_i));
		fmt(msg, sizeof(msg), "%s must be %sa number from %llu to "
		    "%llu, not '%s'", numbers[_i].key,
		    numbers[_i].off ? "off or " : "", numbers[_i].min,
		    numbers[_i].max, show);
		expect_one_error(line, msg);
	}
	/* "off" is no limit where the row allows it, a bad number elsewhere. */
	fmt(text, sizeof(text), LISTEN "%s %soff%s\n", numbers[_i].key,
	    N_BEFORE(_i), N_AFTER(_i));
	conf = parse(&c, text);
	if (numbers[_i].off) {
		ck_assert_ptr_nonnull(conf);
		ck_assert_uint_eq(*(const unsigned *)(const void *)
		    ((const char *)conf + numbers[_i].field), 0);
		config_free(conf);
	} else
		ck_assert_ptr_null(conf);
}
END_TEST

static const struct {
	const char	*line;
	const char	*msg;
} unknown[] = {
	{ "bogus x", "unknown directive 'bogus'" },
	{ "USER x", "unknown directive 'USER'" },
	{ "workers4", "unknown directive 'workers4'" },
	{ "syslogfacility local0", "unknown directive 'syslogfacility'" },
	{ "ident-mode off", "unknown directive 'ident-mode'" },
	{ "udp privileged-source answer", "unknown directive 'udp'" },
	{ "audit signing_key /k", "unknown audit 'signing_key' (key, "
	  "signing-key, state)" },
	{ "limit Connections 5", "unknown limit 'Connections' (connections, "
	  "per-source, rate, udp-rate, udp-total, source-prefix)" },
	{ "limit \xff", "unknown limit (a word of 1 bytes that is not a name; "
	  "not shown) (connections, per-source, rate, udp-rate, udp-total, "
	  "source-prefix)" },
	{ "# limit rate 5\nlimit", "unknown directive 'limit'" },
	{ "syslog audit-facility kern", "unknown syslog audit-facility 'kern' "
	  "(daemon, auth, authpriv, local0 ... local7)" },
};

START_TEST(test_unknown)
{
	struct collect c;
	struct config *conf;
	char text[256];
	unsigned line = strchr(unknown[_i].line, '\n') != NULL ? 3 : 2;

	fmt(text, sizeof(text), LISTEN "%s\n", unknown[_i].line);
	conf = parse(&c, text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", line, unknown[_i].msg);
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

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_covered);
	tcase_add_loop_test(tc, test_directive_good, 0, NFILES(directives));
	tcase_add_loop_test(tc, test_directive_usage, 0, NFILES(directives));
	tcase_add_loop_test(tc, test_directive_twice, 0, NFILES(directives));
	tcase_add_loop_test(tc, test_number_edges, 0, NFILES(numbers));
	tcase_add_loop_test(tc, test_unknown, 0, NFILES(unknown));
	suite_add_tcase(s, tc);
	return s;
}
