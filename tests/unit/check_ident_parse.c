/* SPDX-License-Identifier: ISC */
/*
 * ident_parse: a table of real and hostile RFC 1413 answers, each with
 * the exact status, user bytes and error type it must give. The client
 * that reads them (ident.c) has its own suite, in check_ident.c.
 */
#include "autoconf.h"

#include <stddef.h>
#include <string.h>

#include <check.h>

#include "ident/ident_parse.h"
#include "tests/unit/suites.h"

/* One answer and what it must parse to; S() keeps embedded NULs. */
struct ident_case {
	const char		*line;
	size_t			 len;
	unsigned		 pp, lp;
	enum ident_status	 status;
	const char		*user;		/* IDENT_OK */
	size_t			 userlen;
	const char		*errtype;	/* IDENT_ERROR */
};

#define S(s)		(s), (sizeof(s) - 1)
#define OK(l, pp, lp, u)	{ S(l), pp, lp, IDENT_OK, S(u), "" }
#define ERR(l, pp, lp, t)	{ S(l), pp, lp, IDENT_ERROR, S(""), t }
#define BAD(l, pp, lp)		{ S(l), pp, lp, IDENT_MALFORMED, S(""), "" }

/* Real answers: the RFC's examples and what deployed servers send. */
static const struct ident_case parse_cases[] = {
	OK("6193, 23 : USERID : UNIX : stjohns\r\n", 6193, 23, "stjohns"),
	ERR("6195, 23 : ERROR : NO-USER\r\n", 6195, 23, "NO-USER"),
	OK("6193,23:USERID:UNIX:stjohns\r\n", 6193, 23, "stjohns"),
	OK("65535 , 1 : USERID : UNIX : a\r\n", 65535, 1, "a"),
	OK("113,113:USERID:OTHER:x\r\n", 113, 113, "x"),
	OK("1 , 2 : USERID : UNIX , US-ASCII : joe\r\n", 1, 2, "joe"),
	OK("1,2:USERID:UNIX,UTF-8:j\xc3\xb6rg\r\n", 1, 2, "j\xc3\xb6rg"),
	OK("1,2 : USERID : OTHER , ISO-8859-1 : \xe9t\xe9\r\n", 1, 2,
	    "\xe9t\xe9"),
	OK("1,2:USERID:OTHER:\x01\x7f\xff\r\n", 1, 2, "\x01\x7f\xff"),
	OK("00023,06193:USERID:UNIX:x\r\n", 23, 6193, "x"),
	OK("23, 6193 : USERID : WIN32 : DOMAIN\\user\r\n", 23, 6193,
	    "DOMAIN\\user"),
	ERR("1,2:ERROR:INVALID-PORT\r\n", 1, 2, "INVALID-PORT"),
	ERR("1,2:ERROR:NO-USER\r\n", 1, 2, "NO-USER"),
	ERR("1,2:ERROR:HIDDEN-USER\r\n", 1, 2, "HIDDEN-USER"),
	ERR("1,2:ERROR:UNKNOWN-ERROR\r\n", 1, 2, "UNKNOWN-ERROR"),
	ERR("1,2:ERROR:X-LOCAL\r\n", 1, 2, "X-LOCAL"),
	ERR("1,2:ERROR:XY\r\n", 1, 2, "XY"),
	ERR("1,2:ERROR:X-a,b.c!\"'~\r\n", 1, 2, "X-a,b.c!\"'~"),
};

/* White space: anywhere between tokens, never inside one. */
static const struct ident_case ws_cases[] = {
	OK("  \t 1 \t, \t2\t : \tUSERID\t :\t UNIX \t:\t joe\r\n", 1, 2,
	    "joe"),
	/* Only the leading run before the user id goes; the rest stays. */
	OK("1,2:USERID:UNIX:joe \r\n", 1, 2, "joe "),
	OK("1,2:USERID:UNIX: \t joe\t\r\n", 1, 2, "joe\t"),
	OK("1,2:USERID:UNIX:jo e\r\n", 1, 2, "jo e"),
	OK("1,2:USERID:UNIX \t,\t US-ASCII \t:joe\r\n", 1, 2, "joe"),
	ERR("1,2:ERROR:NO-USER \t \r\n", 1, 2, "NO-USER"),
	ERR("\t1,2:ERROR:\tNO-USER\r\n", 1, 2, "NO-USER"),
	BAD("1,2:USERID:UNIX: \t \r\n", 1, 2),	/* only white space */
	BAD("1 2,2:USERID:UNIX:x\r\n", 12, 2),
	BAD("1,2:USER ID:UNIX:x\r\n", 1, 2),
	BAD("1,2:ERROR:NO -USER\r\n", 1, 2),
	BAD("1,2:ERROR:NO-USER X\r\n", 1, 2),
	BAD("1,2:USERID:UN IX:x\r\n", 1, 2),
	BAD("1,2\v:USERID:UNIX:x\r\n", 1, 2),	/* only SP and TAB */
	BAD("1,2\f:USERID:UNIX:x\r\n", 1, 2),
	BAD("\xa0" "1,2:USERID:UNIX:x\r\n", 1, 2),
};

/* The user id: what it may hold, how long it may be. */
static const struct ident_case user_cases[] = {
	OK("1,2:USERID:UNIX:a:b:c\r\n", 1, 2, "a:b:c"),	/* colons kept */
	OK("1,2:USERID:UNIX:a,b\r\n", 1, 2, "a,b"),
	OK("1,2:USERID:UNIX::\r\n", 1, 2, ":"),
	OK("1,2:USERID:UNIX:root\x1b[31m \"x\" decision=allow\r\n", 1, 2,
	    "root\x1b[31m \"x\" decision=allow"),
	OK("1,2:USERID:UNIX:%s%n%x\r\n", 1, 2, "%s%n%x"),
	OK("1,2:USERID:UNIX:../../etc/passwd\r\n", 1, 2, "../../etc/passwd"),
	BAD("1,2:USERID:UNIX:\r\n", 1, 2),		/* empty */
	BAD("1,2:USERID:UNIX\r\n", 1, 2),		/* no user field */
	BAD("1,2:USERID::joe\r\n", 1, 2),		/* empty opsys */
	BAD("1,2:USERID:UNIX,:joe\r\n", 1, 2),	/* empty charset */
	BAD("1,2:USERID:UNIX,A,B:joe\r\n", 1, 2),	/* two charsets */
	BAD("1,2:USERID:UN\xc3\x8fX:joe\r\n", 1, 2),	/* opsys not ASCII */
	BAD("1,2:USERID:joe\r\n", 1, 2),		/* no opsys */
	BAD("1,2:USERID:UNIX:ro\0ot\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:ro\rot\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:ro\not\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:root\r\r\n", 1, 2),
	BAD("1,2:userid:UNIX:root\r\n", 1, 2),	/* exact case */
	BAD("1,2:USERIDX:UNIX:root\r\n", 1, 2),
	BAD("1,2:USERID , UNIX:root\r\n", 1, 2),
};

/* Errors: the four RFC types and X tokens, nothing else, no user. */
static const struct ident_case error_cases[] = {
	BAD("1,2:ERROR:\r\n", 1, 2),
	BAD("1,2:ERROR\r\n", 1, 2),
	BAD("1,2:ERROR:X\r\n", 1, 2),			/* X needs 1..63 more */
	BAD("1,2:ERROR:NO-SUCH\r\n", 1, 2),
	BAD("1,2:ERROR:no-user\r\n", 1, 2),
	BAD("1,2:ERROR:NO-USER:root\r\n", 1, 2),	/* no user on ERROR */
	BAD("1,2:ERROR:NO-USER:\r\n", 1, 2),
	BAD("1,2:ERROR:HIDDEN-USER : UNIX : root\r\n", 1, 2),
	BAD("1,2:ERROR:X-\x1b\r\n", 1, 2),
	BAD("1,2:ERROR:X-\xff\r\n", 1, 2),
	BAD("1,2:ERROR:NO-USER\0\r\n", 1, 2),
	BAD("1,2:NOTICE:NO-USER\r\n", 1, 2),
	BAD("1,2::NO-USER\r\n", 1, 2),
};

/* The port pair: range, form, and equality with the query. */
static const struct ident_case port_cases[] = {
	BAD("0,2:USERID:UNIX:x\r\n", 0, 2),
	BAD("1,0:USERID:UNIX:x\r\n", 1, 0),
	BAD("65536,2:USERID:UNIX:x\r\n", 65536, 2),
	BAD("1,65536:USERID:UNIX:x\r\n", 1, 65536),
	BAD("99999999999999999999,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("18446744073709551617,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("000001,2:USERID:UNIX:x\r\n", 1, 2),	/* six digits */
	BAD("+1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD(" -1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("1,-2:USERID:UNIX:x\r\n", 1, 2),
	BAD("0x1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("1.0,2:USERID:UNIX:x\r\n", 1, 2),
	BAD(",2:USERID:UNIX:x\r\n", 1, 2),
	BAD("1,:USERID:UNIX:x\r\n", 1, 2),
	BAD("1:USERID:UNIX:x\r\n", 1, 2),
	BAD("1,2,3:USERID:UNIX:x\r\n", 1, 2),
	BAD("1;2:USERID:UNIX:x\r\n", 1, 2),
	BAD("2,1:USERID:UNIX:x\r\n", 1, 2),		/* swapped */
	BAD("1,3:USERID:UNIX:x\r\n", 1, 2),
	BAD("7,2:ERROR:NO-USER\r\n", 1, 2),
	BAD("\xd9\xa1,2:USERID:UNIX:x\r\n", 1, 2),	/* Arabic-Indic 1 */
	OK("1,2:USERID:UNIX:x\r\n", 1, 2, "x"),
};

/* The line: CR LF at its end, one line, bounded. */
static const struct ident_case line_cases[] = {
	BAD("", 1, 2),
	BAD("\r\n", 1, 2),
	BAD("\n", 1, 2),
	BAD("   \r\n", 1, 2),
	BAD("1,2:USERID:UNIX:x", 1, 2),		/* no terminator */
	BAD("1,2:USERID:UNIX:x\n", 1, 2),		/* bare LF */
	BAD("1,2:USERID:UNIX:x\r", 1, 2),		/* bare CR */
	BAD("1,2:USERID:UNIX:x\n\r", 1, 2),
	BAD("1,2:USERID:UNIX:x\r\n\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:x\r\n1,2:USERID:UNIX:y\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:x\r\nextra", 1, 2),
	BAD("1,2:ERROR:NO-USER\r\n1,2:USERID:UNIX:root\r\n", 1, 2),
	BAD("\r\n1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("\0" "1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("\x1b" "1,2:USERID:UNIX:x\r\n", 1, 2),
	BAD("1,2:USERID:UNIX:x\r\0\n", 1, 2),
};

/* Run one table entry. */
static void
ident_check_case(const struct ident_case *tc, size_t idx)
{
	struct ident_answer a;
	int rc;

	memset(&a, 0xa5, sizeof(a));
	rc = ident_parse((const unsigned char *)tc->line, tc->len, tc->pp,
	    tc->lp, &a);
	ck_assert_msg(a.status == tc->status,
	    "case %zu: status %s, want %s", idx,
	    ident_status_name(a.status), ident_status_name(tc->status));
	ck_assert_int_eq(rc, tc->status == IDENT_OK ? 0 : -1);
	ck_assert_msg(a.userlen == tc->userlen, "case %zu: userlen %zu, want %zu",
	    idx, a.userlen, tc->userlen);
	if (tc->userlen > 0)
		ck_assert_msg(memcmp(a.user, tc->user, tc->userlen) == 0,
		    "case %zu: user bytes differ", idx);
	ck_assert_msg(strcmp(a.errtype, tc->errtype) == 0,
	    "case %zu: errtype \"%s\", want \"%s\"", idx, a.errtype,
	    tc->errtype);
}

#define TABLE_TEST(name, table)						\
START_TEST(name)							\
{									\
	ident_check_case(&table[_i], (size_t)_i);			\
}									\
END_TEST

TABLE_TEST(test_ident_parse_real, parse_cases)
TABLE_TEST(test_ident_parse_ws, ws_cases)
TABLE_TEST(test_ident_parse_user, user_cases)
TABLE_TEST(test_ident_parse_errors, error_cases)
TABLE_TEST(test_ident_parse_ports, port_cases)
TABLE_TEST(test_ident_parse_line, line_cases)

/* Build "1,2:USERID:UNIX:" + pad spaces + n user octets + CRLF. */
static size_t
ident_build(unsigned char *buf, size_t cap, size_t pad, size_t n,
    unsigned char fill)
{
	static const char head[] = "1,2:USERID:UNIX:";
	size_t len = sizeof(head) - 1;

	ck_assert_uint_le(len + pad + n + 2, cap);
	memcpy(buf, head, len);
	memset(buf + len, ' ', pad);
	len += pad;
	memset(buf + len, fill, n);
	len += n;
	buf[len++] = '\r';
	buf[len++] = '\n';
	return len;
}

START_TEST(test_ident_parse_user_512)
{
	unsigned char buf[2 * IDENT_LINE_MAX];
	struct ident_answer a;
	size_t len, i;

	len = ident_build(buf, sizeof(buf), 0, IDENT_USER_MAX, 'u');
	ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a), 0);
	ck_assert_int_eq(a.status, IDENT_OK);
	ck_assert_uint_eq(a.userlen, IDENT_USER_MAX);
	for (i = 0; i < IDENT_USER_MAX; i++)
		ck_assert_int_eq(a.user[i], 'u');

	len = ident_build(buf, sizeof(buf), 0, IDENT_USER_MAX + 1, 'u');
	ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a), -1);
	ck_assert_int_eq(a.status, IDENT_MALFORMED);
	ck_assert_uint_eq(a.userlen, 0);
}
END_TEST

START_TEST(test_ident_parse_line_max)
{
	unsigned char buf[2 * IDENT_LINE_MAX];
	struct ident_answer a;
	size_t len, head = sizeof("1,2:USERID:UNIX:") - 1;
	size_t pad = IDENT_LINE_MAX - head - 1 - 2;

	/* Exactly IDENT_LINE_MAX with leading white space: accepted. */
	len = ident_build(buf, sizeof(buf), pad, 1, 'z');
	ck_assert_uint_eq(len, IDENT_LINE_MAX);
	ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a), 0);
	ck_assert_uint_eq(a.userlen, 1);
	ck_assert_int_eq(a.user[0], 'z');

	/* One more octet: over the line cap. */
	len = ident_build(buf, sizeof(buf), pad + 1, 1, 'z');
	ck_assert_uint_eq(len, IDENT_LINE_MAX + 1);
	ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a), -1);
	ck_assert_int_eq(a.status, IDENT_MALFORMED);
}
END_TEST

START_TEST(test_ident_parse_token_max)
{
	char line[256];
	struct ident_answer a;
	char tok[IDENT_TOKEN_MAX + 2];
	size_t len;

	/* A 64-character X token is kept whole; 65 is too long. */
	memset(tok, 'Y', sizeof(tok));
	tok[0] = 'X';
	memcpy(line, "1,2:ERROR:", 10);
	memcpy(line + 10, tok, IDENT_TOKEN_MAX);
	memcpy(line + 10 + IDENT_TOKEN_MAX, "\r\n", 2);
	len = 10 + IDENT_TOKEN_MAX + 2;
	ck_assert_int_eq(ident_parse((unsigned char *)line, len, 1, 2, &a), -1);
	ck_assert_int_eq(a.status, IDENT_ERROR);
	ck_assert_uint_eq(strlen(a.errtype), IDENT_TOKEN_MAX);
	ck_assert_int_eq(a.errtype[0], 'X');
	ck_assert_uint_eq(a.userlen, 0);

	memcpy(line + 10, tok, IDENT_TOKEN_MAX + 1);
	memcpy(line + 10 + IDENT_TOKEN_MAX + 1, "\r\n", 2);
	ck_assert_int_eq(ident_parse((unsigned char *)line, len + 1, 1, 2, &a),
	    -1);
	ck_assert_int_eq(a.status, IDENT_MALFORMED);
	ck_assert_str_eq(a.errtype, "");

	/* Same bounds for the opsys field. */
	memcpy(line, "1,2:USERID:", 11);
	memset(line + 11, 'O', IDENT_TOKEN_MAX);
	memcpy(line + 11 + IDENT_TOKEN_MAX, ":u\r\n", 4);
	len = 11 + IDENT_TOKEN_MAX + 4;
	ck_assert_int_eq(ident_parse((unsigned char *)line, len, 1, 2, &a), 0);
	ck_assert_uint_eq(a.userlen, 1);
	memset(line + 11, 'O', IDENT_TOKEN_MAX + 1);
	memcpy(line + 11 + IDENT_TOKEN_MAX + 1, ":u\r\n", 4);
	ck_assert_int_eq(ident_parse((unsigned char *)line, len + 1, 1, 2, &a),
	    -1);
	ck_assert_int_eq(a.status, IDENT_MALFORMED);
}
END_TEST

/* Every embedded NUL, CR, LF or ESC position, in a correct answer. */
START_TEST(test_ident_parse_every_position)
{
	static const char good[] = "1,2:USERID:UNIX:root\r\n";
	static const unsigned char bad[] = { '\0', '\r', '\n' };
	unsigned char buf[sizeof(good)];
	struct ident_answer a;
	size_t len = sizeof(good) - 1, i, b;

	for (i = 0; i < len - 2; i++) {
		for (b = 0; b < sizeof(bad); b++) {
			memcpy(buf, good, len);
			buf[i] = bad[b];
			ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a), -1);
			ck_assert_int_eq(a.status, IDENT_MALFORMED);
			ck_assert_uint_eq(a.userlen, 0);
		}
		/* Truncated anywhere before the CR LF: malformed. */
		ck_assert_int_eq(ident_parse((const unsigned char *)good, i,
		    1, 2, &a), -1);
	}
	/* ESC is an octet like any other in the user, nowhere else. */
	for (i = 0; i < len - 2; i++) {
		memcpy(buf, good, len);
		buf[i] = 0x1b;
		ck_assert_int_eq(ident_parse(buf, len, 1, 2, &a),
		    i >= 16 ? 0 : -1);
	}
}
END_TEST

START_TEST(test_ident_parse_null)
{
	struct ident_answer a;

	ck_assert_int_eq(ident_parse(NULL, 0, 1, 2, &a), -1);
	ck_assert_int_eq(a.status, IDENT_MALFORMED);
}
END_TEST

START_TEST(test_ident_status_names)
{
	ck_assert_str_eq(ident_status_name(IDENT_OK), "ok");
	ck_assert_str_eq(ident_status_name(IDENT_ERROR), "error");
	ck_assert_str_eq(ident_status_name(IDENT_TIMEOUT), "timeout");
	ck_assert_str_eq(ident_status_name(IDENT_REFUSED), "refused");
	ck_assert_str_eq(ident_status_name(IDENT_UNREACHABLE), "unreachable");
	ck_assert_str_eq(ident_status_name(IDENT_MALFORMED), "malformed");
	ck_assert_str_eq(ident_status_name(IDENT_SKIPPED), "skipped");
	ck_assert_str_eq(ident_status_name((enum ident_status)99), "unknown");
}
END_TEST

#define NCASES(t)	((int)(sizeof(t) / sizeof((t)[0])))

Suite *
ident_parse_suite(void)
{
	Suite *s = suite_create("ident_parse");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_ident_parse_real, 0, NCASES(parse_cases));
	tcase_add_loop_test(tc, test_ident_parse_ws, 0, NCASES(ws_cases));
	tcase_add_loop_test(tc, test_ident_parse_user, 0, NCASES(user_cases));
	tcase_add_loop_test(tc, test_ident_parse_errors, 0,
	    NCASES(error_cases));
	tcase_add_test(tc, test_ident_status_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_ident_parse_user_512);
	tcase_add_test(tc, test_ident_parse_line_max);
	tcase_add_test(tc, test_ident_parse_token_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_loop_test(tc, test_ident_parse_ports, 0, NCASES(port_cases));
	tcase_add_loop_test(tc, test_ident_parse_line, 0, NCASES(line_cases));
	tcase_add_test(tc, test_ident_parse_every_position);
	tcase_add_test(tc, test_ident_parse_null);
	suite_add_tcase(s, tc);
	return s;
}
