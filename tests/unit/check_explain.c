/* SPDX-License-Identifier: ISC */
/* explain: -e and -e - over in-memory streams, hostile lines included. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "tests/unit/config_fixture.h"
#include "audit/record.h"
#include "daemon/explain.h"

#define RULES	LISTEN "ident mode rules\n" \
		"deny 10.0.0.0/8\n" \
		"allow 10.1.0.0/16\n" \
		"deny 10.1.0.0/16 user bob\n" \
		"allow 2001:db8::/32\n"

/* Run explain_stream over input; the output in out (a static buffer). */
static enum explain_status
run_stream(const char *conftext, const char *input, size_t inlen, char *out,
    size_t outlen, char *err, size_t errlen)
{
	struct collect c;
	struct config *conf = parse(&c, conftext);
	enum explain_status st;
	FILE *in, *o, *e;

	ck_assert_ptr_nonnull(conf);
	memset(out, 0, outlen);
	memset(err, 0, errlen);
	ck_assert_ptr_nonnull(in = fmemopen((void *)input, inlen, "r"));
	ck_assert_ptr_nonnull(o = fmemopen(out, outlen - 1, "w"));
	ck_assert_ptr_nonnull(e = fmemopen(err, errlen - 1, "w"));
	st = explain_stream(conf, 0, in, o, e);
	fclose(in);
	fclose(o);
	fclose(e);
	config_free(conf);
	return st;
}

START_TEST(test_stream_lines)
{
	static const char input[] = "10.1.2.3\n10.1.2.3 bob\r\n10.9.9.9\n"
	    "2001:db8::1 anyone\n192.0.2.1\n::ffff:10.1.0.1\n";
	char out[2048], err[512];

	ck_assert_int_eq(run_stream(RULES, input, sizeof(input) - 1, out,
	    sizeof(out), err, sizeof(err)), EXPLAIN_DENY);
	ck_assert_str_eq(out,
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n"
	    "deny rule=t.conf:5 netblock=10.1.0.0/16 ident=lookup\n"
	    "deny rule=t.conf:3 netblock=10.0.0.0/8 ident=none\n"
	    "allow rule=t.conf:6 netblock=2001:db8::/32 ident=none\n"
	    "deny rule=default netblock=none ident=none\n"
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n");
	ck_assert_str_eq(err, "");
}
END_TEST

/* Every bad line gets its error line, in place; the run goes on. */
START_TEST(test_stream_errors)
{
	static const char input[] = "10.1.2.3\n\nbogus\n1.2.3.4 a b\n"
	    "010.0.0.1\n10.1.\xff.1\n\t \n10.1.0.7 \x1b[2J\n10.1.0.8";
	char out[2048], err[512];

	ck_assert_int_eq(run_stream(RULES, input, sizeof(input) - 1, out,
	    sizeof(out), err, sizeof(err)), EXPLAIN_ERROR);
	ck_assert_str_eq(out,
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n"
	    "error line=2: empty line (want ADDR [USER])\n"
	    "error line=3: bogus: not an IPv4 or IPv6 address\n"
	    "error line=4: more words than ADDR [USER]\n"
	    "error line=5: 010.0.0.1: not an IPv4 or IPv6 address (leading "
	    "zero in IPv4 octet)\n"
	    "error line=6: \"10.1.\\xff.1\": not an IPv4 or IPv6 address "
	    "(invalid character in IPv4 address)\n"
	    "error line=7: empty line (want ADDR [USER])\n"
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n"
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n");
}
END_TEST

/* A line over EXPLAIN_LINE_MAX is one error; the next line is read. */
START_TEST(test_stream_long)
{
	char *input, out[1024], err[256];
	size_t n = EXPLAIN_LINE_MAX + 100;

	ck_assert_ptr_nonnull(input = malloc(n + 16));
	memset(input, 'x', n);
	memcpy(input + n, "\n10.1.0.1\n", 10);
	ck_assert_int_eq(run_stream(RULES, input, n + 10, out, sizeof(out),
	    err, sizeof(err)), EXPLAIN_ERROR);
	ck_assert_str_eq(out, "error line=1: line too long\n"
	    "allow rule=t.conf:4 netblock=10.1.0.0/16 ident=lookup\n");
	free(input);
}
END_TEST

/* ident mode off: a USER never decides; the warning comes once. */
START_TEST(test_stream_warn_once)
{
	static const char input[] = "10.1.0.1 bob\n10.1.0.2 bob\n10.1.0.3\n";
	char out[1024], err[1024];

	ck_assert_int_eq(run_stream(LISTEN "ident mode off\n"
	    "allow 10.1.0.0/16\ndeny 10.1.0.0/16 user bob\n", input,
	    sizeof(input) - 1, out, sizeof(out), err, sizeof(err)),
	    EXPLAIN_ALLOW);
	ck_assert_str_eq(out,
	    "allow rule=t.conf:3 netblock=10.1.0.0/16 ident=none\n"
	    "allow rule=t.conf:3 netblock=10.1.0.0/16 ident=none\n"
	    "allow rule=t.conf:3 netblock=10.1.0.0/16 ident=none\n");
	ck_assert_str_eq(err, "daytimed: warning: ident mode off: a USER is "
	    "never looked up, so peers are judged without one\n");
}
END_TEST

/*
 * Every TCP listener a proxy one: no peer is looked up, so a USER never
 * decides (warned once); one plain TCP listener and the peer is.
 */
START_TEST(test_stream_proxied)
{
	static const char input[] = "10.1.0.1 bob\n10.1.0.2 bob\n";
	static const struct {
		const char		*listens;
		enum explain_status	 st;
		const char		*line, *err;
	} t[] = {
		{ "listen udp 127.0.0.1:13\n", EXPLAIN_ALLOW,
		  "allow rule=t.conf:5 netblock=10.1.0.0/16 ident=none\n",
		  "daytimed: warning: no tcp listener looks up ident (proxied "
		  "peers and UDP get no lookup): a USER is never looked up, so "
		  "peers are judged without one\n" },
		{ "listen tcp 127.0.0.1:1013\n", EXPLAIN_DENY,
		  "deny rule=t.conf:6 netblock=10.1.0.0/16 ident=lookup\n", "" },
	};
	char conf[512], want[256], out[1024], err[1024];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(conf, sizeof(conf), "listen tcp 127.0.0.1:13 proxy\n"
		    "%sproxy 127.0.0.1\nident mode always\nallow 10.1.0.0/16\n"
		    "deny 10.1.0.0/16 user bob\n", t[i].listens);
		snprintf(want, sizeof(want), "%s%s", t[i].line, t[i].line);
		ck_assert_int_eq(run_stream(conf, input, sizeof(input) - 1, out,
		    sizeof(out), err, sizeof(err)), t[i].st);
		ck_assert_str_eq(out, want);
		ck_assert_str_eq(err, t[i].err);
	}
}
END_TEST

/* Only UDP listeners: no peer is looked up either, as the daemon does. */
START_TEST(test_stream_udp_only)
{
	static const char conf[] = "listen udp 127.0.0.1:13\n"
	    "ident mode always\nallow 10.1.0.0/16\ndeny 10.1.0.0/16 user bob\n";
	static const char input[] = "10.1.0.1 bob\n";
	char out[1024], err[1024];

	ck_assert_int_eq(run_stream(conf, input, sizeof(input) - 1, out,
	    sizeof(out), err, sizeof(err)), EXPLAIN_ALLOW);
	ck_assert_str_eq(out, "allow rule=t.conf:3 netblock=10.1.0.0/16 "
	    "ident=none\n");
	ck_assert_str_eq(err, "daytimed: warning: no tcp listener looks up "
	    "ident (proxied peers and UDP get no lookup): a USER is never "
	    "looked up, so peers are judged without one\n");
}
END_TEST

START_TEST(test_one)
{
	struct explain_warned w = { 0 };
	struct collect c;
	struct config *conf = parse(&c, RULES);
	char out[256], err[256];
	FILE *o, *e;

	ck_assert_ptr_nonnull(conf);
	memset(out, 0, sizeof(out));
	memset(err, 0, sizeof(err));
	o = fmemopen(out, sizeof(out) - 1, "w");
	e = fmemopen(err, sizeof(err) - 1, "w");
	ck_assert_int_eq(explain_one(conf, 0, "10.1.0.1", 8,
	    (const unsigned char *)"bob", 3, &w, o, e), EXPLAIN_DENY);
	ck_assert_int_eq(explain_one(conf, 0, "10.1.0.x", 8, NULL, 0, &w, o, e),
	    EXPLAIN_ERROR);
	fclose(o);
	fclose(e);
	ck_assert_str_eq(out,
	    "deny rule=t.conf:5 netblock=10.1.0.0/16 ident=lookup\n");
	ck_assert_str_eq(err, "daytimed: -e 10.1.0.x: not an IPv4 or IPv6 "
	    "address (invalid character in IPv4 address)\n");
	config_free(conf);
}
END_TEST

/*
 * A record's link-local peer, [fe80::1%3], replays as fe80::1%3: the
 * zone is dropped as the daemon ignores it; a bad zone is still refused.
 */
START_TEST(test_stream_zone)
{
	static const char input[] = "fe80::1%3\nfe80::1%eth0.5\n"
	    "fe80::1%\nfe80::1%a:b\n10.1.0.1%3\nfe80::1%0123456789abcdef\n";
	char out[2048], err[512];

	ck_assert_int_eq(run_stream(LISTEN "allow fe80::/64\n", input,
	    sizeof(input) - 1, out, sizeof(out), err, sizeof(err)),
	    EXPLAIN_ERROR);
	ck_assert_str_eq(out,
	    "allow rule=t.conf:2 netblock=fe80::/64 ident=lookup\n"
	    "allow rule=t.conf:2 netblock=fe80::/64 ident=lookup\n"
	    "error line=3: fe80::1%: not an IPv4 or IPv6 address (zone id "
	    "in netblock)\n"
	    "error line=4: fe80::1%a:b: not an IPv4 or IPv6 address (zone id "
	    "in netblock)\n"
	    "error line=5: 10.1.0.1%3: not an IPv4 or IPv6 address (invalid "
	    "character in IPv4 address)\n"
	    "error line=6: fe80::1%0123456789abcdef: not an IPv4 or IPv6 "
	    "address (zone id in netblock)\n");
	ck_assert_str_eq(err, "");
}
END_TEST

/*
 * A rule from a file whose name is longer than a record value keeps:
 * -e prints its rule= as the daemon's record does, byte for byte, the
 * name cut and marked, :LINE after the mark (it used to cut :LINE off
 * with the name, or, quoted, print a different cut).
 */
START_TEST(test_one_long_rule_file)
{
	static const char *const tails[] = { "/r.rules", "/r=s.rules" };
	struct memfile f[2];
	struct record_conn rc;
	struct explain_warned w = { 0 };
	struct collect c;
	struct memfs fs;
	struct config *conf;
	char name[512], inc[600], rec[2048], want[512], out[1024], err[256];
	const char *r, *e;
	size_t i, n;
	FILE *o, *x;

	for (i = 0; i < NFILES(tails); i++) {
		/* 272 bytes: past RECORD_VALUE_MAX, within PATH_MAX */
		n = 272 - strlen(tails[i]);
		memset(name, 'd', n);
		name[0] = '/';
		memcpy(name + n, tails[i], strlen(tails[i]) + 1);
		ck_assert_uint_eq(strlen(name), 272);
		fmt(inc, sizeof(inc), LISTEN "ident mode off\ninclude %s\n",
		    name);
		f[0] = (struct memfile){ "/etc/d/main.conf", inc, NULL };
		f[1] = (struct memfile){ name, "deny 10.0.0.1\n", NULL };
		memset(&fs, 0, sizeof(fs));
		conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
		ck_assert_msg(conf != NULL, "%s", c.n > 0 ? c.d[0].msg : "");
		/* the record's rule= for this rule, as the daemon logs it */
		memset(&rc, 0, sizeof(rc));
		rc.decision = "deny";
		rc.rule_file = name;
		rc.rule_line = 1;
		ck_assert_int_gt(record_conn_format(rec, sizeof(rec), &rc), 0);
		ck_assert_ptr_nonnull(r = strstr(rec, " rule="));
		ck_assert_ptr_nonnull(e = strstr(r, " ident="));
		fmt(want, sizeof(want), "deny rule=%.*s netblock=10.0.0.1/32 "
		    "ident=none\n", (int)(e - r - 6), r + 6);
		ck_assert_ptr_nonnull(strstr(want, RECORD_CUT_MARK ":1"));
		memset(out, 0, sizeof(out));
		memset(err, 0, sizeof(err));
		ck_assert_ptr_nonnull(o = fmemopen(out, sizeof(out) - 1, "w"));
		ck_assert_ptr_nonnull(x = fmemopen(err, sizeof(err) - 1, "w"));
		ck_assert_int_eq(explain_one(conf, 0, "10.0.0.1", 8, NULL, 0,
		    &w, o, x), EXPLAIN_DENY);
		fclose(o);
		fclose(x);
		ck_assert_str_eq(out, want);
		ck_assert_str_eq(err, "");
		config_free(conf);
	}
}
END_TEST

Suite *
explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("queries");

	tcase_add_test(tc, test_stream_lines);
	tcase_add_test(tc, test_stream_errors);
	tcase_add_test(tc, test_stream_long);
	tcase_add_test(tc, test_stream_warn_once);
	tcase_add_test(tc, test_stream_proxied);
	tcase_add_test(tc, test_stream_udp_only);
	tcase_add_test(tc, test_one);
	tcase_add_test(tc, test_one_long_rule_file);
	tcase_add_test(tc, test_stream_zone);
	suite_add_tcase(s, tc);
	return s;
}
