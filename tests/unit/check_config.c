/* SPDX-License-Identifier: ISC */
/*
 * config: struct config's lifecycle and defaults, the facility names, and
 * the checks that need the whole configuration (a listen line, the rule
 * table built with its conflicts and warnings, user rules with ident off).
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

START_TEST(test_defaults)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN);

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->file, "t.conf");
	ck_assert_uint_eq(conf->nlistens, 1);
	ck_assert_ptr_null(conf->user);
	ck_assert_ptr_null(conf->group);
	ck_assert_ptr_null(conf->chroot);
	ck_assert_ptr_null(conf->pidfile);
	ck_assert_ptr_null(conf->syslog_socket);
	ck_assert_ptr_null(conf->audit_key);
	ck_assert_int_eq(conf->facility, LOG_DAEMON);
	ck_assert_int_eq(conf->audit_facility, -1);
	ck_assert_int_eq(config_audit_facility(conf), LOG_DAEMON);
	ck_assert_int_eq(conf->ident_mode, IDENT_MODE_ALWAYS);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 5);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 0);
	ck_assert_uint_eq(conf->ident_port, 113);
	/* Built-in limits: safe with no limit line. */
	ck_assert_uint_eq(conf->limit_connections, 256);
	ck_assert_uint_eq(conf->limit_per_source, 8);
	ck_assert_uint_eq(conf->limit_rate, 10);
	ck_assert_uint_eq(conf->limit_udp_rate, 5);
	ck_assert_uint_eq(conf->limit_udp_total, 100);
	ck_assert_int_eq(conf->udp_privileged_ports, 0);
	ck_assert_uint_eq(conf->workers, 0);
	ck_assert_uint_eq(conf->nproxies, 0);
	ck_assert_int_eq(conf->proxy_timeout.tv_sec, 3);
	ck_assert_int_eq(conf->listens[0].proxy, 0);
	ck_assert_uint_eq(conf->source_prefix[0], 32);
	ck_assert_uint_eq(conf->source_prefix[1], 64);
	ck_assert_int_eq(conf->seccomp, 1);
	ck_assert_ptr_nonnull(conf->acl);
	ck_assert_uint_eq(conf->stats.rules, 0);
	ck_assert_uint_eq(conf->nfiles, 1);
	config_free(conf);
}
END_TEST

START_TEST(test_origins)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN "# a comment\nuser alice\n"
	    "limit source-prefix 24 56\nseccomp off\n");
	const char *file;
	unsigned line;

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->source_prefix[0], 24);
	ck_assert_uint_eq(conf->source_prefix[1], 56);
	ck_assert_int_eq(conf->seccomp, 0);
	/* where each once-directive was given, for -t (and -T) to say */
	ck_assert_int_eq(config_origin(conf, "user", &file, &line), 0);
	ck_assert_str_eq(file, "t.conf");
	ck_assert_uint_eq(line, 3);
	ck_assert_int_eq(config_origin(conf, "seccomp", &file, &line), 0);
	ck_assert_uint_eq(line, 5);
	ck_assert_int_eq(config_origin(conf, "group", &file, &line), -1);
	ck_assert_int_eq(config_origin(conf, "no such key", &file, &line), -1);
	config_free(conf);
}
END_TEST

START_TEST(test_ident_port_is_a_listen_port)
{
	struct collect c;
	struct config *conf;

	/* A lookup from this host would reach the daemon itself. */
	conf = parse(&c, "listen udp 127.0.0.1:13\nlisten tcp [::1]:13\n"
	    "ident mode rules\nident port 13\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 4, "ident port 13 is the port of 'listen "
	    "tcp [::1]:13' (t.conf:2): a lookup from this host would reach "
	    "this daemon");
	/* the default port, named by the listen line */
	conf = parse(&c, "listen tcp 0.0.0.0:113\n");
	ck_assert_ptr_null(conf);
	expect(&c, 0, 1, "t.conf", 1, "ident port 113 is the port of 'listen "
	    "tcp 0.0.0.0:113' (t.conf:1): a lookup from this host would reach "
	    "this daemon");
	/* no lookups, or a UDP listener alone: fine */
	conf = parse(&c, "listen tcp 0.0.0.0:113\nident mode off\n");
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
	conf = parse(&c, "listen udp 0.0.0.0:113\n");
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

START_TEST(test_errors_bounded)
{
	struct collect c;
	struct config *conf;
	char *text;
	size_t o, i;

	/* 300 bad lines: 100 shown, then one line says how many more */
	text = malloc(300 * 8 + 64);
	ck_assert_ptr_nonnull(text);
	o = fmt(text, 64, LISTEN);
	for (i = 0; i < 300; i++)
		o += fmt(text + o, 9, "bogus%02zu\n", i % 100);
	conf = parse(&c, text);
	free(text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, CONFIG_DIAG_PER_FILE + 1);
	expect(&c, 0, 1, "t.conf", 2, "unknown directive 'bogus00'");
	ck_assert_uint_eq(c.errors, CONFIG_DIAG_PER_FILE + 1);
}
END_TEST

START_TEST(test_facility_names)
{
	ck_assert_int_eq(config_facility("kern"), -1);
	ck_assert_int_eq(config_facility("DAEMON"), -1);
	ck_assert_int_eq(config_facility(""), -1);
	ck_assert_int_eq(config_facility("local8"), -1);
	ck_assert_str_eq(config_facility_name(LOG_LOCAL5), "local5");
	ck_assert_str_eq(config_facility_name(LOG_DAEMON), "daemon");
	ck_assert_ptr_null(config_facility_name(LOG_KERN));
}
END_TEST

START_TEST(test_no_listen)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "user daytime\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	/* Another error first: no pile-on. */
	conf = parse(&c, "bogus\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 1, "unknown directive 'bogus'");
}
END_TEST

/* The audit's signing key and state mean nothing without its key. */
START_TEST(test_audit_needs_key)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "listen tcp 127.0.0.1:13\n"
	    "audit signing-key /etc/daytimed/host.sec\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "audit signing-key needs an 'audit key': "
	    "without one, records are not sealed");
	conf = parse(&c, "listen tcp 127.0.0.1:13\n"
	    "audit state /var/lib/daytimed/audit.state\n");
	ck_assert_ptr_null(conf);
	expect(&c, 0, 1, "t.conf", 2, "audit state needs an 'audit key': "
	    "without one, records are not sealed");
	conf = parse(&c, "listen tcp 127.0.0.1:13\n"
	    "audit key /etc/daytimed/audit.pub\n"
	    "audit state /var/lib/daytimed/audit.state\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_ptr_null(conf->audit_signing_key);
	config_free(conf);
}
END_TEST

/* Decide for addr (text) and user (NULL: none) with conf's table. */
static void
decide(const struct config *conf, const char *addr, const char *user,
    size_t userlen, struct acl_decision *d)
{
	struct acl_addr a;
	const char *errstr;

	ck_assert_int_eq(acl_addr_parse(addr, strlen(addr), &a, &errstr), 0);
	acl_decide(acl_lookup(conf->acl, &a), (const unsigned char *)user,
	    userlen, d);
}

START_TEST(test_rules_table)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf = parse(&c, LISTEN
	    "allow 127.0.0.0/8\n"
	    "deny 127.0.0.2\n"
	    "deny 127.0.0.0/8 user mallory\n"
	    "allow ::1\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->stats.rules, 4);
	ck_assert_uint_eq(conf->stats.v4_blocks, 2);
	ck_assert_uint_eq(conf->stats.v6_blocks, 1);
	decide(conf, "127.0.0.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_str_eq(d.file, "t.conf");
	ck_assert_uint_eq(d.line, 2);
	decide(conf, "127.0.0.1", "mallory", 7, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 4);
	decide(conf, "127.0.0.2", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 3);
	decide(conf, "::1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_uint_eq(d.line, 5);
	decide(conf, "10.0.0.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_ptr_null(d.file);
	config_free(conf);
}
END_TEST

START_TEST(test_user_star_is_catch_all)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf;

	/* "user *" is the netblock's catch-all: no user rule, no warning. */
	conf = parse(&c, LISTEN "ident mode off\nallow 10.0.0.0/8 user *\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	decide(conf, "10.1.1.1", "anyone", 6, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_uint_eq(d.line, 3);
	decide(conf, "10.1.1.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	config_free(conf);

	/* ... so it conflicts with the bare netblock. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.0.0.0/8 user *\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8: "
	    "allow at t.conf:2, deny at t.conf:3");
}
END_TEST

START_TEST(test_rule_conflicts)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "deny 10.0.0.0/8\n# x\nallow 10.0.0.0/8\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 4, "conflicting rules for 10.0.0.0/8: "
	    "deny at t.conf:2, allow at t.conf:4");

	conf = parse(&c, LISTEN "allow 10.0.0.0/8 user alice\n"
	    "deny 10.0.0.0/8 user alice\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 2, "allow by ident user 'alice' can be "
	    "spoofed by anyone who controls the client host");
	expect(&c, 1, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8 user "
	    "alice: allow at t.conf:2, deny at t.conf:3");

	/* Different users, or different netblocks: no conflict. */
	conf = parse(&c, LISTEN "deny 10.0.0.0/8 user alice\n"
	    "deny 10.0.0.0/8 user Alice\nallow 10.0.0.0/8\ndeny 10.0.0.0/9\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);

	/* Host bits cleared first: the same netblock. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.9.9.9/8\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 3,
	    "host bits set in '10.9.9.9/8': read as 10.0.0.0/8");
	expect(&c, 1, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8: "
	    "allow at t.conf:2, deny at t.conf:3");
}
END_TEST

START_TEST(test_rule_warnings)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN
	    "allow 10.1.2.3/8\n"
	    "deny ::ffff:192.168.0.0/112\n"
	    "allow 127.0.0.1 user alice\n"
	    "deny 127.0.0.1 user bob\n"
	    "allow 172.16.0.0/12\n"
	    "allow 172.16.0.0/12\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 4);
	expect(&c, 0, 0, "t.conf", 2,
	    "host bits set in '10.1.2.3/8': read as 10.0.0.0/8");
	expect(&c, 1, 0, "t.conf", 3, "IPv4-mapped netblock "
	    "'::ffff:192.168.0.0/112' is read as 192.168.0.0/16");
	expect(&c, 2, 0, "t.conf", 4, "allow by ident user 'alice' can be "
	    "spoofed by anyone who controls the client host");
	expect(&c, 3, 0, "t.conf", 7, "duplicate of t.conf:6");
	ck_assert_uint_eq(conf->stats.v6_blocks, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_user_rules_ident_off)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "deny 10.0.0.0/8\ndeny 10.0.0.0/8 user bob\n"
	    LISTEN "deny 10.0.0.0/8 user eve\nident mode off\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 2, "rules naming a user can never decide "
	    "with 'ident mode off' (2 such rules)");
	config_free(conf);

	/* Rules mode and always mode: no warning. */
	conf = parse(&c, LISTEN "deny 10.0.0.0/8 user eve\n"
	    "ident mode rules\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);

	/* No TCP listener that looks up: every one a proxy's, or UDP. */
	conf = parse(&c, "listen tcp 127.0.0.1:1313 proxy\n"
	    "listen udp 127.0.0.1:1313\nproxy 10.9.9.9\nident mode rules\n"
	    "allow 10.0.0.0/8\ndeny 10.0.0.0/8 user mallory\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 6, "rules naming a user can never decide: "
	    "no tcp listener looks up ident (proxied peers and UDP get no "
	    "lookup) (1 such rules)");
	config_free(conf);
	conf = parse(&c, "listen tcp 127.0.0.1:1313 proxy\n"
	    "listen tcp 127.0.0.1:1314\nproxy 10.9.9.9\n"
	    "allow 10.0.0.0/8\ndeny 10.0.0.0/8 user mallory\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_rule_shadowed)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.0.0.0/9\n"
	    "deny 10.128.0.0/9\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 2, "rule for 10.0.0.0/8 can never decide: "
	    "more specific netblocks with rules cover every address in it");
	config_free(conf);
	/* ::ffff:0:0/96, the other half of the /95, is judged as IPv4. */
	conf = parse(&c, LISTEN "allow ::fffe:0:0/95\ndeny ::fffe:0:0/96\n"
	    "allow ::ffff:10.0.0.0/104\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 4, "IPv4-mapped netblock "
	    "'::ffff:10.0.0.0/104' is read as 10.0.0.0/8");
	expect(&c, 1, 0, "t.conf", 2, "rule for ::fffe:0:0/95 can never "
	    "decide: more specific netblocks with rules cover every address "
	    "in it but the IPv4-mapped ones, which IPv4 rules judge");
	config_free(conf);
}
END_TEST

START_TEST(test_rule_user_bytes)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf;
	char text[2048];
	size_t o;

	/*
	 * Non-ASCII names are accepted and compared byte for byte, with a
	 * warning that shows every byte.
	 */
	conf = parse(&c, LISTEN "ident mode rules\nallow 10.0.0.0/8\n"
	    "deny 10.0.0.0/8 user j\xc3\xb6rg\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 4, "user name 'j\\xc3\\xb6rg' holds bytes "
	    "outside printable ASCII: an ident answer must match them byte "
	    "for byte");
	decide(conf, "10.0.0.1", "j\xc3\xb6rg", 5, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 4);
	decide(conf, "10.0.0.1", "jorg", 4, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	decide(conf, "10.0.0.1", "j\xc3\xb6rG", 5, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	config_free(conf);

	/* Quoted in messages, escaped. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8 user j\xc3\xb6'r\\g\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 2, "user name 'j\\xc3\\xb6\\x27r\\x5cg' holds "
	    "bytes outside printable ASCII: an ident answer must match them "
	    "byte for byte");
	expect(&c, 1, 0, "t.conf", 2, "allow by ident user 'j\\xc3\\xb6\\x27r"
	    "\\x5cg' can be spoofed by anyone who controls the client host");
	config_free(conf);

	/* At most ACL_USER_MAX bytes. */
	o = fmt(text, sizeof(text), LISTEN "deny ::/0 user ");
	memset(text + o, '\xff', ACL_USER_MAX);
	memcpy(text + o + ACL_USER_MAX, "\n", 2);
	conf = parse(&c, text);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);	/* the bytes outside ASCII */
	config_free(conf);
	memset(text + o, 'u', ACL_USER_MAX + 1);
	memcpy(text + o + ACL_USER_MAX + 1, "\n", 2);
	conf = parse(&c, text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2,
	    "user name too long (513 bytes, at most 512)");
}
END_TEST

START_TEST(test_long_message_bounded)
{
	struct collect c;
	struct config *conf;
	char text[4096], *m;
	size_t o, i;

	/* A conflict naming a 512-byte name escaped: cut at 1535 with "...". */
	o = fmt(text, sizeof(text), LISTEN "allow ::/0 user ");
	memset(text + o, '\x80', ACL_USER_MAX);
	o += ACL_USER_MAX;
	o += fmt(text + o, sizeof(text) - o, "\ndeny ::/0 user ");
	memset(text + o, '\x80', ACL_USER_MAX);
	o += ACL_USER_MAX;
	text[o++] = '\n';
	conf = parse_len(&c, text, o);
	ck_assert_ptr_null(conf);
	/* each name's warning (not ASCII), then the two the rules make */
	ck_assert_uint_eq(c.n, 4);
	for (i = 0; i < 4; i++) {
		m = c.d[i].msg;
		ck_assert_uint_eq(strlen(m), 1535);
		ck_assert_str_eq(m + 1532, "...");
	}
	ck_assert_int_eq(strncmp(c.d[0].msg, "user name '\\x80\\x80", 19), 0);
	ck_assert_int_eq(strncmp(c.d[3].msg, "conflicting rules for ::/0 user "
	    "\\x80\\x80", 40), 0);
}
END_TEST

START_TEST(test_null_buffer)
{
	struct collect c;
	struct config *conf;

	memset(&c, 0, sizeof(c));
	conf = config_parse_buffer("t.conf", NULL, 0, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");
}
END_TEST

/* Which peers may send a PROXY header: inside a proxy netblock only. */
START_TEST(test_proxy_trusted)
{
	static const struct {
		const char	*addr;
		int		 trusted;
	} peers[] = {
		{ "10.1.0.0", 1 }, { "10.1.255.255", 1 }, { "10.0.255.255", 0 },
		{ "10.2.0.0", 0 }, { "192.0.2.7", 1 }, { "192.0.2.6", 0 },
		{ "192.0.2.8", 0 }, { "172.16.0.1", 1 }, { "172.31.255.255", 1 },
		{ "172.32.0.0", 0 }, { "172.15.255.255", 0 },
		{ "2001:db8::1", 1 }, { "2001:db8:0:ffff::1", 1 },
		{ "2001:db8:1::", 0 }, { "::ffff:10.1.2.3", 1 }, { "::1", 0 },
		{ "127.0.0.1", 0 },
	};
	struct collect c;
	struct config *conf;
	struct acl_addr a;
	const char *err;
	size_t i;

	conf = parse(&c, "listen tcp 127.0.0.1:13 proxy\nproxy 10.1.0.0/16\n"
	    "proxy 192.0.2.7\nproxy 172.16.0.0/12\nproxy 2001:db8::/48\n");
	ck_assert_ptr_nonnull(conf);
	for (i = 0; i < NFILES(peers); i++) {
		ck_assert_int_eq(acl_addr_parse(peers[i].addr,
		    strlen(peers[i].addr), &a, &err), 0);
		ck_assert_msg(config_proxy_trusted(conf, &a) == peers[i].trusted,
		    "%s", peers[i].addr);
	}
	config_free(conf);
	/* proxy 0.0.0.0/0: every IPv4 peer, no IPv6 one */
	conf = parse(&c, "listen tcp 127.0.0.1:13 proxy\nproxy 0.0.0.0/0\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_int_eq(acl_addr_parse("203.0.113.1", 11, &a, &err), 0);
	ck_assert_int_eq(config_proxy_trusted(conf, &a), 1);
	ck_assert_int_eq(acl_addr_parse("::2", 3, &a, &err), 0);
	ck_assert_int_eq(config_proxy_trusted(conf, &a), 0);
	config_free(conf);
}
END_TEST

/* A reload keeps the listen lines and their proxy mark, not the proxies. */
START_TEST(test_keep_fixed_proxy)
{
	struct collect c, w;
	struct config *old, *new;

	old = parse(&c, "listen tcp 127.0.0.1:13 proxy\nproxy 10.0.0.0/8\n");
	new = parse(&c, "listen tcp 127.0.0.1:13\nproxy 192.0.2.0/24\n"
	    "proxy 192.0.2.9\nproxy timeout 1\n");
	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(new);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(config_keep_fixed(new, old, collect_diag, &w), 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_str_eq(w.d[0].msg, "listen changed; needs a restart, kept "
	    "as is");
	ck_assert_int_eq(new->listens[0].proxy, 1);
	ck_assert_uint_eq(new->nproxies, 2);
	ck_assert_int_eq(new->proxy_timeout.tv_sec, 1);
	config_free(old);
	config_free(new);
}
END_TEST

/* The config suite: one test case per concern. */
Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("lifecycle");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_null_buffer);
	tcase_add_test(tc, test_facility_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("whole file");
	tcase_add_test(tc, test_no_listen);
	tcase_add_test(tc, test_origins);
	tcase_add_test(tc, test_ident_port_is_a_listen_port);
	tcase_add_test(tc, test_errors_bounded);
	tcase_add_test(tc, test_audit_needs_key);
	tcase_add_test(tc, test_user_rules_ident_off);
	tcase_add_test(tc, test_proxy_trusted);
	tcase_add_test(tc, test_keep_fixed_proxy);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_rules_table);
	tcase_add_test(tc, test_user_star_is_catch_all);
	tcase_add_test(tc, test_rule_conflicts);
	tcase_add_test(tc, test_rule_warnings);
	tcase_add_test(tc, test_rule_shadowed);
	tcase_add_test(tc, test_rule_user_bytes);
	tcase_add_test(tc, test_long_message_bounded);
	suite_add_tcase(s, tc);
	return s;
}
