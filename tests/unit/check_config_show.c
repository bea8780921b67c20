/* SPDX-License-Identifier: ISC */
/*
 * config_show: daytimed -T. What it writes for settings given and not,
 * the rules' order, the round trip through the parser, and file names
 * that would forge a line.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "tests/unit/config_fixture.h"
#include "audit/record.h"
#include "daemon/config_parse.h"
#include "daemon/config_show.h"

#define SHOW_MAX	16384

static const char show_conf[] =
    LISTEN
    "listen udp [::1]:13\n"
    "user daytime\n"
    "syslog facility local2\n"
    "ident timeout 0.25\n"
    "limit rate off\n"
    "limit per-source 3\n"
    "allow 10.0.0.0/8\n"
    "deny 10.1.0.0/16 user mallory\n"
    "allow 10.1.0.0/16\n"
    "allow 10.1.0.0/16 user alice\n"
    "deny 10.1.2.3\n"
    "allow 2001:db8::/32\n"
    "allow 192.0.2.0/24\n"
    "listen tcp 127.0.0.1:1013 proxy\n"
    "proxy 10.9.0.0/16\n"
    "proxy ::1\n"
    "proxy timeout 0.5\n";

/* -T of conf into buf. */
static void
show(const struct config *conf, char *buf, size_t len)
{
	FILE *f;

	memset(buf, 0, len);
	ck_assert_ptr_nonnull(f = fmemopen(buf, len - 1, "w"));
	ck_assert_int_eq(config_show(conf, f, NULL), 0);
	fclose(f);
}

/* The text without comments and blank lines. */
static void
strip(const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in != '\0') {
		const char *nl = strchr(in, '\n'), *hash;
		size_t n = nl != NULL ? (size_t)(nl - in) : strlen(in);

		hash = memchr(in, '#', n);
		if (hash != NULL)
			n = (size_t)(hash - in);
		while (n > 0 && in[n - 1] == ' ')
			n--;
		if (n > 0) {
			ck_assert_uint_lt(o + n + 1, len);
			memcpy(out + o, in, n);
			o += n;
			out[o++] = '\n';
		}
		in += nl != NULL ? (size_t)(nl - in) + 1 : strlen(in);
	}
	out[o] = '\0';
}

/* Whether text holds this whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

START_TEST(test_settings)
{
	struct collect c;
	struct config *conf = parse(&c, show_conf);
	static char out[SHOW_MAX];
	char line[128];

	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	ck_assert(has_line(out, "listen tcp 127.0.0.1:13"
	    "                 # t.conf:1"));
	ck_assert(has_line(out, "user daytime"
	    "                            # t.conf:3"));
	ck_assert(has_line(out, "# group"
	    "                                 # default: the user's primary "
	    "group"));
	ck_assert(has_line(out, "syslog facility local2"
	    "                  # t.conf:4"));
	ck_assert(has_line(out, "syslog audit-facility local2"
	    "            # default: as syslog facility"));
	ck_assert(has_line(out, "ident timeout 0.25"
	    "                      # t.conf:5"));
	ck_assert(has_line(out, "ident port 113"
	    "                          # default"));
	ck_assert(has_line(out, "limit connections 256"
	    "                   # default"));
	ck_assert(has_line(out, "limit rate off"
	    "                          # t.conf:6"));
	ck_assert(has_line(out, "syslog socket /dev/log"
	    "                  # default"));
	ck_assert(has_line(out, "udp privileged-sources ignore"
	    "           # default"));
	ck_assert(has_line(out, "listen tcp 127.0.0.1:1013 proxy"
	    "         # t.conf:15"));
	ck_assert(has_line(out, "proxy 10.9.0.0/16"
	    "                       # t.conf:16"));
	ck_assert(has_line(out, "proxy ::1/128"
	    "                           # t.conf:17"));
	ck_assert(has_line(out, "proxy timeout 0.5"
	    "                       # t.conf:18"));
	/* workers: the count this host gives, not only what it means */
	snprintf(line, sizeof(line), "workers %-32u# default: one per core, "
	    "at most 64", config_workers(conf));
	ck_assert_msg(has_line(out, line), "no '%s'", line);
	config_free(conf);
}
END_TEST

/* No proxy line: no header is trusted, and the timeout is the default. */
START_TEST(test_no_proxy)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN);
	static char out[SHOW_MAX];

	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	ck_assert(has_line(out, "# proxy"
	    "                                 # default: none (no PROXY "
	    "header is trusted)"));
	ck_assert(has_line(out, "proxy timeout 3"
	    "                         # default"));
	config_free(conf);
}
END_TEST

/* Netblocks most specific first, IPv4 before IPv6; "*" before users. */
START_TEST(test_rules_order)
{
	struct collect c;
	struct config *conf = parse(&c, show_conf);
	static char out[SHOW_MAX], bare[SHOW_MAX];
	const char *rules;

	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	strip(out, bare, sizeof(bare));
	ck_assert_ptr_nonnull(rules = strstr(bare, "deny 10.1.2.3/32\n"));
	ck_assert_str_eq(rules,
	    "deny 10.1.2.3/32\n"
	    "allow 192.0.2.0/24\n"
	    "allow 10.1.0.0/16\n"
	    "allow 10.1.0.0/16 user alice\n"
	    "deny 10.1.0.0/16 user mallory\n"
	    "allow 10.0.0.0/8\n"
	    "allow 2001:db8::/32\n");
	config_free(conf);
}
END_TEST

/* -T's output parses, and gives the same -T again but for comments. */
START_TEST(test_round_trip)
{
	struct collect c;
	struct config *conf = parse(&c, show_conf), *again;
	static char out[SHOW_MAX], out2[SHOW_MAX], bare[SHOW_MAX],
	    bare2[SHOW_MAX];

	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	again = parse(&c, out);
	ck_assert_ptr_nonnull(again);
	show(again, out2, sizeof(out2));
	strip(out, bare, sizeof(bare));
	strip(out2, bare2, sizeof(bare2));
	ck_assert_str_eq(bare, bare2);
	config_free(conf);
	config_free(again);
}
END_TEST

/* A file name that would start a line of its own stays in its comment. */
START_TEST(test_hostile_name)
{
	static const char name[] = "x\nallow 0.0.0.0/0 #";
	struct collect c;
	struct config *conf;
	static char out[SHOW_MAX];

	conf = config_parse_buffer(name, show_conf, sizeof(show_conf) - 1,
	    collect_diag, &c);
	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	ck_assert_ptr_null(strstr(out, "\nallow 0.0.0.0/0"));
	ck_assert_ptr_nonnull(strstr(out, "# x\\x0aallow 0.0.0.0/0 #:3\n"));
	config_free(conf);
}
END_TEST

/*
 * A setting near the line limit: its comment goes on a line of its own,
 * before it, so that the output still parses (it used to be padded and
 * commented past 4096 bytes: "line too long").
 */
START_TEST(test_long_setting)
{
	struct collect c;
	struct config *conf, *again;
	static char text[8192], path[CONFIG_LINE_MAX], line[CONFIG_LINE_MAX + 32],
	    out[SHOW_MAX + 8192];
	size_t n = CONFIG_LINE_MAX - 6 - strlen("syslog socket ");

	memset(path, 'a', n);
	path[0] = '/';
	path[n] = '\0';
	fmt(text, sizeof(text), LISTEN "syslog socket %s\n", path);
	ck_assert_uint_eq(strlen(text) - strlen(LISTEN) - 1,
	    CONFIG_LINE_MAX - 6);
	ck_assert_ptr_nonnull(conf = parse(&c, text));
	show(conf, out, sizeof(out));
	fmt(line, sizeof(line), "# t.conf:2\nsyslog socket %s\n", path);
	ck_assert_ptr_nonnull(strstr(out, line));
	again = parse(&c, out);
	ck_assert_msg(again != NULL, "%s", c.n > 0 ? c.d[0].msg : "");
	config_free(again);
	config_free(conf);
}
END_TEST

/*
 * A long file name is shown whole (it used to be cut at 1 KiB without a
 * mark, naming a shorter path); one whose escapes would pass the line
 * limit is cut with the records' mark. Either way the output parses.
 */
START_TEST(test_long_name)
{
	struct collect c;
	struct config *conf, *again;
	static char name[1300], want[1400], out[SHOW_MAX + 65536];
	static const char body[] = LISTEN "allow 10.0.0.0/8\n";
	const char *p;
	size_t i;

	memset(name, 'n', 1210);
	name[0] = '/';
	for (i = 200; i < 1210; i += 200)
		name[i] = '/';
	name[1210] = '\0';
	conf = config_parse_buffer(name, body, sizeof(body) - 1, collect_diag,
	    &c);
	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	fmt(want, sizeof(want), "# %s:2\n", name);
	ck_assert_ptr_nonnull(strstr(out, want));
	ck_assert_ptr_nonnull(again = parse(&c, out));
	config_free(again);
	config_free(conf);
	/* 1210 bytes, each shown as \xHH: past the limit, cut and marked */
	memset(name + 1, 0xe9, 1209);
	conf = config_parse_buffer(name, body, sizeof(body) - 1, collect_diag,
	    &c);
	ck_assert_ptr_nonnull(conf);
	show(conf, out, sizeof(out));
	ck_assert_ptr_nonnull(p = strstr(out, "# /\\xe9\\xe9"));
	ck_assert_ptr_nonnull(strstr(p, RECORD_CUT_MARK ":1\n"));
	ck_assert_ptr_nonnull(again = parse(&c, out));
	config_free(again);
	config_free(conf);
}
END_TEST

Suite *
config_show_suite(void)
{
	Suite *s = suite_create("config_show");
	TCase *tc = tcase_create("show");

	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_no_proxy);
	tcase_add_test(tc, test_rules_order);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_hostile_name);
	tcase_add_test(tc, test_long_setting);
	tcase_add_test(tc, test_long_name);
	suite_add_tcase(s, tc);
	return s;
}
