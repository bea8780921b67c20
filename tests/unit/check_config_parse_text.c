/* SPDX-License-Identifier: ISC */
/*
 * config_parse: the tokenizer: lines, words, comments, line ends, and
 * hostile bytes (NUL, control bytes, long lines, too many words).
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

START_TEST(test_nul_and_control_bytes)
{
	static const char nul[] = LISTEN "user a\0b\n# not ok \0 in a comment\n"
	    "user b # nor \0 after a word\n";
	struct collect c;
	struct config *conf;

	/* Comments included: a NUL line is an error, whatever it holds. */
	conf = parse_len(&c, nul, sizeof(nul) - 1);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "t.conf", 2, "NUL byte in line");
	expect(&c, 1, 1, "t.conf", 3, "NUL byte in line");
	expect(&c, 2, 1, "t.conf", 4, "NUL byte in line");
	conf = parse(&c, LISTEN "# a comment \x1b[31m red\nuser a # \x07\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 1, "t.conf", 2, "control byte \\x1b in line");
	expect(&c, 1, 1, "t.conf", 3, "control byte \\x07 in line");

	conf = parse(&c, LISTEN "user a\x01\nuser\x1b[2J\ngroup \x7f\n"
	    "chroot /a\rb\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 4);
	expect(&c, 0, 1, "t.conf", 2, "control byte \\x01 in line");
	expect(&c, 1, 1, "t.conf", 3, "control byte \\x1b in line");
	expect(&c, 2, 1, "t.conf", 4, "control byte \\x7f in line");
	expect(&c, 3, 1, "t.conf", 5, "control byte \\x0d in line");

	/* Only one CR before the newline is a line end. */
	conf = parse(&c, LISTEN "user a\r\r\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "control byte \\x0d in line");
}
END_TEST

START_TEST(test_line_length)
{
	struct collect c;
	struct config *conf;
	char *text;
	size_t o = strlen(LISTEN);

	text = malloc(o + CONFIG_LINE_MAX + 8);
	ck_assert_ptr_nonnull(text);
	memcpy(text, LISTEN, o);
	/* CONFIG_LINE_MAX bytes and a CR: fine. */
	text[o] = '#';
	memset(text + o + 1, 'x', CONFIG_LINE_MAX - 1);
	memcpy(text + o + CONFIG_LINE_MAX, "\r\n", 2);
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 2);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);
	/* One more: too long, even as a comment, even without a newline. */
	memcpy(text + o + CONFIG_LINE_MAX, "y\n", 2);
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 2);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "line too long (4097 bytes, at most 4096)");
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 1);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "line too long (4097 bytes, at most 4096)");
	free(text);
}
END_TEST

START_TEST(test_too_many_words)
{
	expect_one_error("allow 1 2 3 4 5 6 7 8", "too many words");
	expect_one_error("a b c d e f g h i j k l m n o p q r s t u v w x y z",
	    "too many words");
	expect_one_error("allow 1 2 3 4 5 6 7",
	    "usage: allow NETBLOCK [user NAME]");
}
END_TEST

START_TEST(test_empty_and_unterminated)
{
	struct collect c;
	struct config *conf;

	conf = parse_len(&c, "", 0);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	conf = parse(&c, "\n\n   \n\t\n# only comments\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	conf = parse(&c, "user x\nlisten tcp 127.0.0.1:13");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	config_free(conf);

	conf = parse(&c, "listen tcp 127.0.0.1:13\r");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);

	/* Only the length counts: a bigger buffer is not read past len. */
	conf = parse_len(&c, LISTEN "bogus\n", strlen(LISTEN));
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

START_TEST(test_crlf_tabs_comments)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "# daytimed\r\n"
	    "\tlisten\t\ttcp \t127.0.0.1:13\t\r\n"
	    "   \r\n"
	    "user daytime   # the account\r\n"
	    "group\tdaytime#no space needed\r\n"
	    "ident timeout 2.5\r\n"
	    "deny 10.0.0.0/8 user bob\r\n"
	    "workers 0\r\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 8,
	    "workers must be a number from 1 to 64, not '0'");

	conf = parse(&c, "# daytimed\r\n"
	    "\tlisten\t\ttcp \t127.0.0.1:13\t\r\n"
	    "user daytime   # the account\r\n"
	    "group\tdaytime#no space needed\r\n"
	    "ident timeout 2.5\r\n"
	    "deny 10.0.0.0/8 user bob\r\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[0].line, 2);
	ck_assert_str_eq(conf->user, "daytime");
	ck_assert_str_eq(conf->group, "daytime");
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 2);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 500000);
	config_free(conf);
}
END_TEST

/* The config_parse_text suite: one test case per concern. */
Suite *
config_parse_text_suite(void)
{
	Suite *s = suite_create("config_parse_text");
	TCase *tc;

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_nul_and_control_bytes);
	tcase_add_test(tc, test_line_length);
	tcase_add_test(tc, test_too_many_words);
	tcase_add_test(tc, test_empty_and_unterminated);
	tcase_add_test(tc, test_crlf_tabs_comments);
	suite_add_tcase(s, tc);
	return s;
}
