/* SPDX-License-Identifier: ISC */
/* monmsg: the engine's messages to the monitor, whole and hostile. */
#include "autoconf.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "daemon/life.h"
#include "daemon/monmsg.h"

/* A big-endian 32-bit number at p. */
static void
put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

/* 'S' SIG PID[4] into buf. */
static void
put_signal(char buf[6], int sig, uint32_t pid)
{
	buf[0] = MONMSG_SIGNAL;
	buf[1] = (char)sig;
	put32(buf + 2, pid);
}

/*
 * Every proper prefix of the whole message (buf, size) asks for more,
 * never past its end, and the whole gives what it did.
 */
static void
check_prefixes(const char *buf, size_t size)
{
	struct monmsg m;
	size_t len, need;

	for (len = 0; len < size; len++) {
		ck_assert_int_eq(monmsg_parse(buf, len, &m, &need), MONMSG_MORE);
		ck_assert_uint_ge(need, 1);
		ck_assert_uint_le(len + need, size);
		ck_assert_int_eq(m.kind, 0);
	}
	ck_assert_int_eq(monmsg_parse(buf, size, &m, &need), MONMSG_WHOLE);
	ck_assert_uint_eq(m.size, size);
}

/* Every prefix of (buf, size), from its bad byte bad on, is bad. */
static void
check_bad_from(const char *buf, size_t size, size_t bad)
{
	struct monmsg m;
	size_t len, need;

	for (len = 0; len <= size; len++) {
		enum monmsg_rc rc = monmsg_parse(buf, len, &m, &need);

		if (len <= bad)
			ck_assert_int_eq(rc, MONMSG_MORE);
		else {
			ck_assert_int_eq(rc, MONMSG_BAD);
			ck_assert_int_eq(m.kind, 0);
		}
	}
}

START_TEST(test_up_reload)
{
	struct monmsg m;
	size_t need;

	ck_assert_int_eq(monmsg_parse("U", 1, &m, &need), MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_UP);
	ck_assert_uint_eq(m.size, 1);
	ck_assert_int_eq(monmsg_parse("R", 1, &m, &need), MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_RELOAD);
	ck_assert_uint_eq(m.size, 1);
	ck_assert_int_eq(monmsg_parse("", 0, &m, &need), MONMSG_MORE);
	ck_assert_uint_eq(need, 1);
}
END_TEST

START_TEST(test_signal)
{
	char buf[6];
	struct monmsg m;
	size_t need;

	put_signal(buf, SIGHUP, 4242);
	check_prefixes(buf, sizeof(buf));
	ck_assert_int_eq(monmsg_parse(buf, sizeof(buf), &m, &need),
	    MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_SIGNAL);
	ck_assert_int_eq(m.sig, SIGHUP);
	ck_assert_int_eq(m.pid, 4242);
	/* The bounds: a sender the engine cannot name (0), the kernel's max. */
	put_signal(buf, SIGUSR1, 0);
	ck_assert_int_eq(monmsg_parse(buf, sizeof(buf), &m, &need),
	    MONMSG_WHOLE);
	ck_assert_int_eq(m.pid, 0);
	put_signal(buf, NSIG - 1, LIFE_PID_MAX);
	ck_assert_int_eq(monmsg_parse(buf, sizeof(buf), &m, &need),
	    MONMSG_WHOLE);
	ck_assert_int_eq(m.sig, NSIG - 1);
	ck_assert_int_eq(m.pid, LIFE_PID_MAX);
	put_signal(buf, 1, 1);
	ck_assert_int_eq(monmsg_parse(buf, sizeof(buf), &m, &need),
	    MONMSG_WHOLE);
}
END_TEST

START_TEST(test_outcome)
{
	char buf[MONMSG_MAX];
	struct monmsg m;
	size_t need;

	/* "ok": no text. */
	buf[0] = MONMSG_OUTCOME;
	put32(buf + 1, 0);
	check_prefixes(buf, 5);
	ck_assert_int_eq(monmsg_parse(buf, 5, &m, &need), MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_OUTCOME);
	ck_assert_uint_eq(m.len, 0);
	/* An error. */
	put32(buf + 1, 5);
	memcpy(buf + 5, "bad x", 5);
	check_prefixes(buf, 10);
	ck_assert_int_eq(monmsg_parse(buf, 10, &m, &need), MONMSG_WHOLE);
	ck_assert_uint_eq(m.len, 5);
	ck_assert(m.text == buf + 5);
	/* What it kept, at the longest. */
	buf[0] = MONMSG_KEPT;
	put32(buf + 1, MONMSG_TEXT_MAX);
	memset(buf + 5, 'k', MONMSG_TEXT_MAX);
	check_prefixes(buf, MONMSG_MAX);
	ck_assert_int_eq(monmsg_parse(buf, MONMSG_MAX, &m, &need),
	    MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_KEPT);
	ck_assert_uint_eq(m.len, MONMSG_TEXT_MAX);
	/* The header in, the text asked for in one. */
	ck_assert_int_eq(monmsg_parse(buf, 5, &m, &need), MONMSG_MORE);
	ck_assert_uint_eq(need, MONMSG_TEXT_MAX);
}
END_TEST

/* Any kind byte outside the grammar is out of step at once. */
START_TEST(test_bad_kind)
{
	struct monmsg m;
	size_t need;
	char c;
	int i;

	for (i = 0; i < 256; i++) {
		c = (char)i;
		if (strchr("URSOK", i) != NULL && i != 0)
			continue;
		ck_assert_int_eq(monmsg_parse(&c, 1, &m, &need), MONMSG_BAD);
		ck_assert_int_eq(m.kind, 0);
	}
	/* '!' is the monitor's own, never the engine's. */
	ck_assert_int_eq(monmsg_parse("!", 1, &m, &need), MONMSG_BAD);
	ck_assert_int_eq(monmsg_parse("u", 1, &m, &need), MONMSG_BAD);
}
END_TEST

/* A signal number outside 1 to NSIG - 1, judged at its byte. */
START_TEST(test_bad_signal)
{
	char buf[6];

	put_signal(buf, 0, 42);
	check_bad_from(buf, sizeof(buf), 1);
	put_signal(buf, NSIG, 42);
	check_bad_from(buf, sizeof(buf), 1);
	put_signal(buf, 255, 42);
	check_bad_from(buf, sizeof(buf), 1);
}
END_TEST

/* A pid past the kernel's limit, or negative as a pid_t. */
START_TEST(test_bad_pid)
{
	char buf[6];

	put_signal(buf, SIGHUP, (uint32_t)LIFE_PID_MAX + 1);
	check_bad_from(buf, sizeof(buf), 5);
	put_signal(buf, SIGHUP, 0x7fffffffu);
	check_bad_from(buf, sizeof(buf), 5);
	put_signal(buf, SIGHUP, 0x80000000u);
	check_bad_from(buf, sizeof(buf), 5);
	put_signal(buf, SIGHUP, 0xffffffffu);	/* -1: every process */
	check_bad_from(buf, sizeof(buf), 5);
}
END_TEST

/* A length over the bound, judged with the header, before any text. */
START_TEST(test_bad_len)
{
	char buf[5];
	static const uint32_t lens[] = { MONMSG_TEXT_MAX + 1, 0x10000,
	    0x7fffffffu, 0xffffffffu };
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		buf[0] = i % 2 ? MONMSG_KEPT : MONMSG_OUTCOME;
		put32(buf + 1, lens[i]);
		check_bad_from(buf, sizeof(buf), 4);
	}
}
END_TEST

/* Bytes after a message are the next one's: not looked at, not taken. */
START_TEST(test_trailing)
{
	char buf[32];
	struct monmsg m;
	size_t need;

	put_signal(buf, SIGUSR1, 77);
	memcpy(buf + 6, "\xff\xff\xff\xff", 4);
	ck_assert_int_eq(monmsg_parse(buf, 10, &m, &need), MONMSG_WHOLE);
	ck_assert_uint_eq(m.size, 6);
	ck_assert_int_eq(m.pid, 77);
	ck_assert_int_eq(monmsg_parse("UR", 2, &m, &need), MONMSG_WHOLE);
	ck_assert_int_eq(m.kind, MONMSG_UP);
	ck_assert_uint_eq(m.size, 1);
	buf[0] = MONMSG_OUTCOME;
	put32(buf + 1, 2);
	memcpy(buf + 5, "no\x00S", 4);
	ck_assert_int_eq(monmsg_parse(buf, 9, &m, &need), MONMSG_WHOLE);
	ck_assert_uint_eq(m.size, 7);
	ck_assert_uint_eq(m.len, 2);
}
END_TEST

/* The state letter of /proc/PID/stat, whatever the name holds. */
START_TEST(test_proc_state)
{
	const char *ok = "42 (daytimed) S 1 42 42 0 -1";
	const char *odd = "42 (a) T (b) R 1 2 3";	/* ')' and spaces in it */
	const char *stopped = "42 (daytimed: engine) t 1";

	ck_assert_int_eq(monmsg_proc_state(ok, strlen(ok)), 'S');
	ck_assert_int_eq(monmsg_proc_state(odd, strlen(odd)), 'R');
	ck_assert_int_eq(monmsg_proc_state(stopped, strlen(stopped)), 't');
	ck_assert_int_eq(monmsg_proc_state("42 (x) T", 8), 'T');
	/* hostile or cut: no state */
	ck_assert_int_eq(monmsg_proc_state("", 0), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x", 5), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x)", 6), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x) ", 7), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x)T", 7), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x) TT", 9), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x) 1 2", 10), 0);
	ck_assert_int_eq(monmsg_proc_state("42 (x) \0 1", 10), 0);
}
END_TEST

Suite *
monmsg_suite(void)
{
	Suite *s = suite_create("monmsg");
	TCase *tc = tcase_create("parse");
	TCase *th = tcase_create("hostile input");

	tcase_add_test(tc, test_up_reload);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_outcome);
	suite_add_tcase(s, tc);
	tcase_add_test(th, test_bad_kind);
	tcase_add_test(th, test_bad_signal);
	tcase_add_test(th, test_bad_pid);
	tcase_add_test(th, test_bad_len);
	tcase_add_test(th, test_trailing);
	tcase_add_test(th, test_proc_state);
	suite_add_tcase(s, th);
	return s;
}
