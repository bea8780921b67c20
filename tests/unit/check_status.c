/* SPDX-License-Identifier: ISC */
/* status: the status file's path and its line, hostile lines included. */
#include "autoconf.h"

#include <string.h>

#include "tests/unit/suites.h"
#include "daemon/status.h"

START_TEST(test_path)
{
	char buf[64];

	ck_assert_int_eq(status_path("/run/daytimed/daytimed.pid", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/daytimed/daytimed.status");
	ck_assert_int_eq(status_path("/tmp/d.lock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/d.lock.status");
	ck_assert_int_eq(status_path(".pid", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, ".pid.status");
	ck_assert_int_eq(status_path("/a/very/long/path/that/will/not/fit/in/"
	    "this/small/buffer.pid", buf, 16), -1);
}
END_TEST

START_TEST(test_parse_good)
{
	static const char ok[] = "pid=123 reads=4 done=3 result=ok error=-\n";
	static const char bad[] = "pid=9 reads=2 done=2 result=failed "
	    "error=\"/e/d.conf:3: error: bad netblock '10/8'\"\nstale tail";
	struct status st;

	ck_assert_int_eq(status_parse(ok, strlen(ok), &st), 0);
	ck_assert_int_eq(st.pid, 123);
	ck_assert_uint_eq(st.reads, 4);
	ck_assert_uint_eq(st.done, 3);
	ck_assert_str_eq(st.result, "ok");
	ck_assert_str_eq(st.error, "-");
	ck_assert_int_eq(status_parse(bad, strlen(bad), &st), 0);
	ck_assert_str_eq(st.result, "failed");
	ck_assert_str_eq(st.error,
	    "\"/e/d.conf:3: error: bad netblock '10/8'\"");
}
END_TEST

/* Lines that are not status lines: refused, never half read. */
static const char *const status_bad[] = {
	"",
	"pid=1 reads=1 done=1 result=ok error=-",	/* no newline */
	"pid=1 reads=1 done=1 result=ok\n",
	"pid=1 reads=1 done=1 result=maybe error=-\n",
	"pid=1 reads=1 done=1 result= error=-\n",
	"pid=x reads=1 done=1 result=ok error=-\n",
	"pid=-1 reads=1 done=1 result=ok error=-\n",
	"pid=99999999999 reads=1 done=1 result=ok error=-\n",
	"reads=1 pid=1 done=1 result=ok error=-\n",
	"pid=1 reads=18446744073709551616 done=1 result=ok error=-\n",
	"pid=1  reads=1 done=1 result=ok error=-\n",
	"pid=1 reads=1 done=1 result=okokokokokokokokok error=-\n",
	"pid=1\nreads=1 done=1 result=ok error=-\n",
};

START_TEST(test_parse_bad)
{
	struct status st;

	ck_assert_int_eq(status_parse(status_bad[_i], strlen(status_bad[_i]),
	    &st), -1);
}
END_TEST

/* What a tampered file says is shown with its control bytes escaped. */
START_TEST(test_parse_control)
{
	static const char line[] = "pid=1 reads=1 done=1 result=failed "
	    "error=\x1b]0;owned\x07\r\n";
	struct status st;

	ck_assert_int_eq(status_parse(line, sizeof(line) - 1, &st), 0);
	ck_assert_str_eq(st.error, "\\x1b]0;owned\\x07\\x0d");
}
END_TEST

Suite *
status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("line");

	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    sizeof(status_bad) / sizeof(status_bad[0]));
	tcase_add_test(tc, test_parse_control);
	suite_add_tcase(s, tc);
	return s;
}
