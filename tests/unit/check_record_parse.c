/* SPDX-License-Identifier: ISC */
/*
 * record_parse_suite: audit/record_parse.c, reading a record's key=value
 * text back. Records as record.c writes them, every byte through the
 * escaper and back, both forms of the text (the first release's, the
 * grep-safe one), and hostile text: broken quotes and escapes, raw
 * control and high bytes, forged second keys, too many fields, long
 * keys, stray spaces.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "audit/record.h"
#include "audit/record_parse.h"
#include "tests/unit/suites.h"

/* Parse a C string: 0 or -1. */
static int
parse(const char *s, struct record_fields *f)
{
	return record_parse(s, strlen(s), f, NULL);
}

/* A field's unescaped value as a C string (static buffer). */
static const char *
value(const struct record_fields *f, const char *key)
{
	static char buf[2048];
	const struct record_field *x = record_parse_get(f, key);
	long n;

	if (x == NULL)
		return "(none)";
	n = record_parse_value(buf, sizeof(buf) - 1, x);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_parse_daemon_record)
{
	struct sockaddr_in peer, local;
	struct record_conn c;
	struct record_fields f;
	char line[2048];
	int n;

	memset(&c, 0, sizeof(c));
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.7", &peer.sin_addr);
	local = peer;
	local.sin_port = htons(13);
	c.conn = 0x3b11844e0bbe1a6cULL;
	c.proto = IPPROTO_TCP;
	c.peer = (struct sockaddr *)&peer;
	c.peerlen = sizeof(peer);
	c.local = (struct sockaddr *)&local;
	c.locallen = sizeof(local);
	c.decision = "allow";
	c.rule_file = "/etc/my rules";
	c.rule_line = 3;
	c.ident = (const unsigned char *)"root\x1b[31m \"x\" decision=allow";
	c.identlen = strlen((const char *)c.ident);
	c.status = "ok";
	c.netblock = "192.0.2.0/24";
	n = record_conn_format(line, sizeof(line), &c);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(record_parse(line, (size_t)n, &f, NULL), 0);
	ck_assert_uint_eq(f.n, 11);
	ck_assert_str_eq(value(&f, "conn"), "3b11844e0bbe1a6c");
	ck_assert_str_eq(value(&f, "peer"), "192.0.2.7:40000");
	ck_assert_str_eq(value(&f, "rule"), "/etc/my rules:3");
	ck_assert_str_eq(value(&f, "ident"),
	    "root\x1b[31m \"x\" decision=allow");
	/* the forged " decision=allow" inside the quotes is no field */
	ck_assert_str_eq(value(&f, "decision"), "allow");
	ck_assert_str_eq(value(&f, "netblock"), "192.0.2.0/24");
	ck_assert_str_eq(value(&f, "bytes"), "0");
	ck_assert_ptr_null(record_parse_get(&f, "nope"));
}
END_TEST

START_TEST(test_parse_every_byte_round_trip)
{
	unsigned char src[256];
	char esc[2048], rec[2100], out[512];
	struct record_fields f;
	const struct record_field *x;
	size_t i, n;
	long got;

	/* every byte value, through the escaper and back */
	for (i = 0; i < 256; i++)
		src[i] = (unsigned char)i;
	n = record_escape(esc, sizeof(esc), src, sizeof(src));
	ck_assert_int_gt(n, 0);
	snprintf(rec, sizeof(rec), "ident=%s x=1", esc);
	ck_assert_int_eq(parse(rec, &f), 0);
	x = record_parse_get(&f, "ident");
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(x->quoted, 1);
	got = record_parse_value(out, sizeof(out), x);
	ck_assert_int_eq(got, 256);
	ck_assert_mem_eq(out, src, 256);
	/* too small a buffer: -1, never past it */
	ck_assert_int_eq(record_parse_value(out, 10, x), -1);
	/* the empty value */
	ck_assert_int_eq(parse("a=\"\" b=x", &f), 0);
	ck_assert_int_eq(record_parse_value(out, sizeof(out), &f.f[0]), 0);
}
END_TEST

/*
 * Both forms of the record text: the first release's (a '=' kept raw in
 * a quoted value, and bare in a bare one; a claimed user "-" written
 * ident=-) and the grep-safe one (every '=' of a value written \x3d in
 * quotes; a claimed "-" quoted, ident="-"). Logs hold both across an
 * upgrade: each reads to the same bytes, and "quoted" tells a claimed
 * "-" from no answer where the record says so.
 */
START_TEST(test_parse_old_and_new_forms)
{
	static const char *const pairs[][2] = {
		{ "ident=\"root \\\"x\\\" decision=allow\" ident_status=ok",
		  "ident=\"root \\\"x\\\" decision\\x3dallow\" ident_status=ok" },
		{ "ident=a=b ident_status=ok",
		  "ident=\"a\\x3db\" ident_status=ok" },
		{ "ident=\"x rule=default\\x1b\" ident_status=ok",
		  "ident=\"x rule\\x3ddefault\\x1b\" ident_status=ok" },
	};
	struct record_fields f;
	const struct record_field *x;
	char a[2048], b[2048 + 16];
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		ck_assert_int_eq(parse(pairs[i][0], &f), 0);
		ck_assert_uint_eq(f.n, 2);
		snprintf(a, sizeof(a), "%s", value(&f, "ident"));
		ck_assert_str_eq(value(&f, "ident_status"), "ok");
		ck_assert_int_eq(parse(pairs[i][1], &f), 0);
		ck_assert_uint_eq(f.n, 2);
		snprintf(b, sizeof(b), "%s", value(&f, "ident"));
		ck_assert_str_eq(a, b);
	}
	/* no answer: bare "-" in both; a claimed "-": bare before, quoted now */
	ck_assert_int_eq(parse("ident=- ident_status=timeout", &f), 0);
	x = record_parse_get(&f, "ident");
	ck_assert_int_eq(x->quoted, 0);
	ck_assert_str_eq(value(&f, "ident"), "-");
	ck_assert_int_eq(parse("ident=\"-\" ident_status=ok", &f), 0);
	x = record_parse_get(&f, "ident");
	ck_assert_int_eq(x->quoted, 1);
	ck_assert_str_eq(value(&f, "ident"), "-");
	/* what the escaper writes today reads back either way */
	ck_assert_uint_gt(record_escape(a, sizeof(a), "-", 1), 0);
	snprintf(b, sizeof(b), "ident=%s", a);
	ck_assert_int_eq(parse(b, &f), 0);
	ck_assert_str_eq(value(&f, "ident"), "-");
	ck_assert_uint_gt(record_escape(a, sizeof(a), "k=v", 3), 0);
	snprintf(b, sizeof(b), "ident=%s", a);
	ck_assert_int_eq(parse(b, &f), 0);
	ck_assert_str_eq(value(&f, "ident"), "k=v");
}
END_TEST

START_TEST(test_parse_hostile)
{
	static const char *const bad[] = {
		"",				/* empty */
		" conn=1",			/* leading space */
		"conn=1 ",			/* trailing space */
		"conn=1  proto=tcp",		/* two spaces */
		"conn",				/* no '=' */
		"=1",				/* no key */
		"conn=",			/* empty bare value */
		"conn= proto=tcp",		/* empty bare value, then more */
		"a=1 a=2",			/* a key twice: forged */
		"decision=deny x=\"y\" decision=allow",
		"a=\"unterminated",
		"a=\"x\\q\"",			/* unknown escape */
		"a=\"x\\x4\"",			/* short hex */
		"a=\"x\\xg0\"",			/* not hex */
		"a=\"x\\xAB\"",			/* upper case: not our spelling */
		"a=\"x\\\"",			/* the quote escaped: unterminated */
		"a=\"x\x01\"",			/* a raw control byte */
		"a=\"x\xff\"",			/* a raw high byte */
		"a=x\x1b",			/* a raw control byte, bare */
		"a=x\"y",			/* a quote in a bare value */
		"a=x\\y",			/* a backslash in a bare value */
		"a=\"x\"y",			/* text after the closing quote */
		"a=\"x\"\"y\"",
		"a b=1",			/* a space in a key */
		"k\xc3\xa9=1",			/* a high byte in a key */
		"a=1\tb=2",			/* a tab for a space */
	};
	struct record_fields f;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(record_parse(bad[i], strlen(bad[i]), &f,
		    &why) == -1, "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	/* a NUL inside is a raw control byte */
	ck_assert_int_eq(record_parse("a=\"x\0y\"", 7, &f, NULL), -1);
	ck_assert_int_eq(record_parse("a=x\0y", 5, &f, NULL), -1);
}
END_TEST

START_TEST(test_parse_limits)
{
	char rec[4096], key[80];
	struct record_fields f;
	size_t i, o = 0;

	/* RECORD_FIELDS_MAX fields read; one more does not */
	for (i = 0; i < RECORD_FIELDS_MAX; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, "%sk%zu=v",
		    i ? " " : "", i);
	ck_assert_int_eq(record_parse(rec, o, &f, NULL), 0);
	ck_assert_uint_eq(f.n, RECORD_FIELDS_MAX);
	o += (size_t)snprintf(rec + o, sizeof(rec) - o, " extra=v");
	ck_assert_int_eq(record_parse(rec, o, &f, NULL), -1);
	/* a key of RECORD_KEY_MAX bytes; one more is refused */
	memset(key, 'k', RECORD_KEY_MAX);
	snprintf(rec, sizeof(rec), "%.*s=1", RECORD_KEY_MAX, key);
	ck_assert_int_eq(parse(rec, &f), 0);
	memset(key, 'k', sizeof(key));
	snprintf(rec, sizeof(rec), "%.*s=1", RECORD_KEY_MAX + 1, key);
	ck_assert_int_eq(parse(rec, &f), -1);
	/* keys of the allowed bytes, as the daemon writes them */
	ck_assert_int_eq(parse("a_b9=1", &f), 0);
	ck_assert_int_eq(parse("a.b=1", &f), -1);
	ck_assert_int_eq(parse("a-b=1", &f), -1);
	ck_assert_int_eq(parse("Ab=1", &f), -1);
}
END_TEST

START_TEST(test_parse_prefix_is_bounded)
{
	struct record_fields f;

	/* lengths are obeyed: no read past len */
	ck_assert_int_eq(record_parse("a=1 b=2", 3, &f, NULL), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_int_eq(record_parse("a=\"x\" b=2", 4, &f, NULL), -1);
	ck_assert_int_eq(record_parse("a=\"x\\x41\"", 8, &f, NULL), -1);
}
END_TEST

Suite *
record_parse_suite(void)
{
	Suite *s = suite_create("record_parse");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_daemon_record);
	tcase_add_test(tc, test_parse_every_byte_round_trip);
	tcase_add_test(tc, test_parse_old_and_new_forms);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_parse_prefix_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}
