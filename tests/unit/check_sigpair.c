/* SPDX-License-Identifier: ISC */
/* sigpair: which HUPs and USR1s are one sending, at explicit times. */
#include "autoconf.h"

#include <signal.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "daemon/sigpair.h"

#define MS	1000u	/* µs */

/* pkill -HUP: the monitor's half, then the engine's report of its own. */
START_TEST(test_pair_once)
{
	struct sigpair p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 4242, SIGPAIR_MONITOR,
	    10 * MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 4242, SIGPAIR_ENGINE,
	    11 * MS), 0);
	/* The engine's half first works the same. */
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 4243, SIGPAIR_ENGINE,
	    20 * MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 4243, SIGPAIR_MONITOR,
	    20 * MS), 0);
	/* A pair is used up: the next sending from the same pid acts. */
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 4242, SIGPAIR_MONITOR,
	    30 * MS), 1);
}
END_TEST

/* Two signals at one process are two, however close. */
START_TEST(test_same_process_twice)
{
	struct sigpair p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 7, SIGPAIR_MONITOR, MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 7, SIGPAIR_MONITOR, MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 9, SIGPAIR_ENGINE, MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 9, SIGPAIR_ENGINE, MS), 1);
}
END_TEST

/* Different senders, or different signals, never pair. */
START_TEST(test_distinct)
{
	struct sigpair p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 100, SIGPAIR_MONITOR, MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 101, SIGPAIR_ENGINE, MS), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGUSR1, 100, SIGPAIR_ENGINE, MS),
	    1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 100, SIGPAIR_ENGINE, MS), 0);
	ck_assert_int_eq(sigpair_take(&p, SIGUSR1, 100, SIGPAIR_MONITOR, MS),
	    0);
}
END_TEST

/* Halves further apart than the window are two sendings. */
START_TEST(test_window)
{
	struct sigpair p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 5, SIGPAIR_MONITOR, 0), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 5, SIGPAIR_ENGINE,
	    SIGPAIR_WINDOW_US + 1), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 5, SIGPAIR_MONITOR,
	    SIGPAIR_WINDOW_US + 2), 0);
	/* A clock that went back expires what it saw. */
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 6, SIGPAIR_MONITOR,
	    10 * SIGPAIR_WINDOW_US), 1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 6, SIGPAIR_ENGINE, MS), 1);
}
END_TEST

/* A full table forgets its oldest entry, never grows. */
START_TEST(test_full)
{
	struct sigpair p;
	unsigned i;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < SIGPAIR_SLOTS + 1; i++)
		ck_assert_int_eq(sigpair_take(&p, SIGHUP, (pid_t)(1000 + i),
		    SIGPAIR_MONITOR, i), 1);
	/* pid 1000 went first: its other half now acts. */
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 1000, SIGPAIR_ENGINE, 100),
	    1);
	ck_assert_int_eq(sigpair_take(&p, SIGHUP, 1000 + SIGPAIR_SLOTS,
	    SIGPAIR_ENGINE, 100), 0);
}
END_TEST

/* What the monitor forwards as, and back. */
START_TEST(test_forward)
{
	ck_assert_int_eq(sigpair_forward(SIGHUP), SIGRTMIN + 1);
	ck_assert_int_eq(sigpair_forward(SIGUSR1), SIGRTMIN + 2);
	ck_assert_int_eq(sigpair_forward(SIGTERM), 0);
	ck_assert_int_eq(sigpair_forwarded(SIGRTMIN + 1), SIGHUP);
	ck_assert_int_eq(sigpair_forwarded(SIGRTMIN + 2), SIGUSR1);
	ck_assert_int_eq(sigpair_forwarded(SIGHUP), 0);
	ck_assert_int_eq(sigpair_forwarded(SIGRTMIN), 0);
}
END_TEST

Suite *
sigpair_suite(void)
{
	Suite *s = suite_create("sigpair");
	TCase *tc = tcase_create("pairs");

	tcase_add_test(tc, test_pair_once);
	tcase_add_test(tc, test_same_process_twice);
	tcase_add_test(tc, test_distinct);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_forward);
	suite_add_tcase(s, tc);
	return s;
}
