/* SPDX-License-Identifier: ISC */
/*
 * log_suite: daemon/log.c, the logging API. The syslog line a message
 * makes (priority, header, PID), strerror and errno, verbosity, control
 * bytes escaped, and fatal/fatalx. CK_FORK gives every test a fresh log.
 */
#include "autoconf.h"

#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/log.h"
#include "tests/unit/sink.h"
#include "tests/unit/suites.h"

START_TEST(test_log_format)
{
	struct sink k;
	char d[4096], want[128];

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_AUTH), 0);
	log_stderr(0);
	errno = EACCES;
	log_warn("open %s", "x");
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	/* <PRI>Mmm dd hh:mm:ss daytimed[PID]: */
	ck_assert_int_eq(strncmp(d, "<36>", 4), 0);	/* auth.warning */
	ck_assert_int_eq(d[7], ' ');
	ck_assert_int_eq(d[10], ' ');
	ck_assert_int_eq(d[13], ':');
	ck_assert_int_eq(d[16], ':');
	snprintf(want, sizeof(want), " daytimed[%ld]: ", (long)getpid());
	ck_assert_int_eq(strncmp(d + 19, want, strlen(want)), 0);
	ck_assert_str_eq(msg_of(d), "open x: Permission denied");

	log_setpid(4242);
	log_info("hi");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_ptr_nonnull(strstr(d, " daytimed[4242]: hi"));
	ck_assert_int_eq(strncmp(d, "<38>", 4), 0);
	log_debug("not shown");
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_escape)
{
	struct sink k;
	char d[4096];

	sink_open(&k);
	log_init("daytimed", 1);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	log_warnx("bad token \"%s\"", "a\nb\x1b\x7f\xc3\xa9");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d),
	    "bad token \"a\\x0ab\\x1b\\x7f\xc3\xa9\"");
	ck_assert_int_eq(log_record(LOG_INFO, "x=1\ny=2 tail", 7), 0);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "x=1\\x0ay=2");
	log_debug("dbg");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "dbg");
	sink_close(&k);
}
END_TEST

/* fatal and fatalx: one LOG_CRIT line, with or without strerror, exit 1. */
START_TEST(test_log_fatal)
{
	struct sink k;
	char d[4096];
	int i, st;
	pid_t pid;

	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	for (i = 0; i < 2; i++) {
		pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			errno = ENOENT;
			if (i == 0)
				fatal("open %s", "x");
			fatalx("bad %d", 7);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
		ck_assert_int_eq(strncmp(d, "<26>", 4), 0);	/* daemon.crit */
		ck_assert_str_eq(msg_of(d), i == 0 ?
		    "fatal: open x: No such file or directory" : "fatal: bad 7");
	}
	sink_close(&k);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc;

	tc = tcase_create("log");
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_log_escape);
	tcase_add_test(tc, test_log_fatal);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}
