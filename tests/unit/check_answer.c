/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include "tests/unit/suites.h"
#include "daemon/answer.h"

/* The line must be byte-identical to ctime(3) with CR inserted before LF. */
START_TEST(test_answer_matches_ctime)
{
	static const time_t when[] = { 0, 86400 * 4, 951782400, 1795689172,
	    2147483647, 4102444799 };
	char buf[ANSWER_MAX], want[64];
	struct tm tm;
	size_t n, i;

	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		const char *c;

		ck_assert_ptr_nonnull(gmtime_r(&when[i], &tm));
		n = answer_format(&tm, buf, sizeof(buf));
		c = asctime_r(&tm, want);
		ck_assert_ptr_nonnull(c);
		/* asctime: "Thu Nov 26 10:32:52 2026\n" */
		ck_assert_uint_eq(n, strlen(want) + 1);
		ck_assert_int_eq(memcmp(buf, want, strlen(want) - 1), 0);
		ck_assert_int_eq(memcmp(buf + n - 2, "\r\n", 2), 0);
	}
}
END_TEST

START_TEST(test_answer_exact)
{
	struct tm tm = { .tm_sec = 52, .tm_min = 32, .tm_hour = 10,
	    .tm_mday = 26, .tm_mon = 10, .tm_year = 126, .tm_wday = 4 };
	char buf[ANSWER_MAX];

	ck_assert_uint_eq(answer_format(&tm, buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "Thu Nov 26 10:32:52 2026\r\n");
	tm.tm_mday = 5;
	ck_assert_uint_eq(answer_format(&tm, buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "Thu Nov  5 10:32:52 2026\r\n");
}
END_TEST

START_TEST(test_answer_limits)
{
	struct tm tm = { .tm_mday = 1, .tm_year = 70 };
	char buf[ANSWER_MAX];

	/* Too small a buffer, or fields out of range: no line at all. */
	ck_assert_uint_eq(answer_format(&tm, buf, 26), 0);
	ck_assert_uint_eq(answer_format(&tm, buf, 27), 26);
	tm.tm_wday = 7;
	ck_assert_uint_eq(answer_format(&tm, buf, sizeof(buf)), 0);
	tm.tm_wday = 0;
	tm.tm_mon = -1;
	ck_assert_uint_eq(answer_format(&tm, buf, sizeof(buf)), 0);
	tm.tm_mon = 0;
	tm.tm_mday = 0;
	ck_assert_uint_eq(answer_format(&tm, buf, sizeof(buf)), 0);
	ck_assert_uint_gt(answer_now(buf, sizeof(buf)), 0);
}
END_TEST

Suite *
answer_suite(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_answer_matches_ctime);
	tcase_add_test(tc, test_answer_exact);
	tcase_add_test(tc, test_answer_limits);
	suite_add_tcase(s, tc);
	return s;
}
