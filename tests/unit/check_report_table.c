/* SPDX-License-Identifier: ISC */
/*
 * report_table_suite: the report's bounded pieces. audit/report_table.c
 * (exact counts under the cap, Space-Saving past it, pinned keys, the
 * "others" row adding up) and audit/report_time.c (RFC 3339, syslog
 * headers of every layout, the year of an RFC 3164 stamp, the two passes
 * of a repeated hour, --since and --until arguments, local hours).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit/report_table.h"
#include "audit/report_time.h"
#include "tests/unit/suites.h"

#define US	1000000LL

/* Every test runs in UTC, with libsodium ready (the hash key). */
static void
setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_ge(sodium_init(), 0);
}

/* Add a C string key once. */
static struct report_entry *
add(struct report_table *t, const char *k, unsigned sub)
{
	return report_table_add(t, k, strlen(k), REPORT_NO_TIME, sub);
}

/* The rows' certain counts plus others must be the total. */
static void
check_adds_up(struct report_table *t)
{
	struct report_entry **v, *e;
	uint64_t sum = 0, subs;
	size_t n, i, k;

	v = report_table_sorted(t, &n);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < n; i++) {
		e = v[i];
		for (k = 0, subs = 0; k < REPORT_SUBS; k++)
			subs += e->n[k];
		ck_assert_uint_eq(e->count - e->err, subs);
		sum += e->count - e->err;
		if (i > 0)
			ck_assert_uint_ge(v[i - 1]->count - v[i - 1]->err,
			    e->count - e->err);
	}
	ck_assert_uint_eq(sum + report_table_others(t), report_table_total(t));
	free(v);
}

START_TEST(test_table_exact)
{
	struct report_table *t = report_table_new(100);
	struct report_entry **v;
	char key[16];
	size_t n, i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%02zu", i);
		while (report_table_find(t, key, strlen(key)) == NULL ||
		    report_table_find(t, key, strlen(key))->count < i + 1)
			ck_assert_ptr_nonnull(add(t, key, 0));
	}
	ck_assert_uint_eq(report_table_total(t), 50 * 51 / 2);
	ck_assert_uint_eq(report_table_others(t), 0);
	v = report_table_sorted(t, &n);
	ck_assert_uint_eq(n, 50);
	ck_assert_uint_eq(v[0]->keylen, 3);
	ck_assert_mem_eq(v[0]->key, "k49", 3);
	ck_assert_uint_eq(v[0]->count, 50);
	ck_assert_uint_eq(v[0]->err, 0);
	free(v);
	check_adds_up(t);
	/* ties: by key */
	report_table_free(t);
	t = report_table_new(10);
	add(t, "b", 0);
	add(t, "a", 0);
	v = report_table_sorted(t, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0]->key[0], 'a');
	free(v);
	report_table_free(t);
}
END_TEST

START_TEST(test_table_space_saving)
{
	struct report_table *t = report_table_new(16);
	struct report_entry *e;
	char key[32];
	size_t i;

	ck_assert_ptr_nonnull(t);
	/* a heavy key among 100,000 one-off keys stays, its count exact */
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "one-off-%zu", i);
		ck_assert_ptr_nonnull(add(t, key, 1));
		if (i % 10 == 0)
			ck_assert_ptr_nonnull(add(t, "heavy", 0));
	}
	e = report_table_find(t, "heavy", 5);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->n[0], 10000 - e->err);
	ck_assert_uint_ge(e->count, 10000);
	ck_assert_uint_eq(report_table_total(t), 110000);
	check_adds_up(t);
	ck_assert_uint_gt(report_table_others(t), 0);
	report_table_free(t);
}
END_TEST

START_TEST(test_table_pinned)
{
	struct report_table *t = report_table_new(16);
	struct report_entry *e;
	char key[32];
	size_t i;

	ck_assert_ptr_nonnull(report_table_pin(t, "rule:1", 6));
	ck_assert_ptr_nonnull(report_table_pin(t, "rule:2", 6));
	/* pinning an unpinned key takes it out of the competition */
	add(t, "rule:3", 0);
	ck_assert_ptr_nonnull(report_table_pin(t, "rule:3", 6));
	add(t, "rule:1", 0);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "flood-%zu", i);
		add(t, key, 0);
	}
	e = report_table_find(t, "rule:2", 6);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->count, 0);		/* kept with nothing */
	e = report_table_find(t, "rule:1", 6);
	ck_assert_uint_eq(e->count, 1);
	ck_assert_uint_eq(e->err, 0);
	e = report_table_find(t, "rule:3", 6);
	ck_assert_uint_eq(e->count, 1);
	check_adds_up(t);
	report_table_free(t);
}
END_TEST

START_TEST(test_table_keys)
{
	struct report_table *t = report_table_new(16);
	char big[REPORT_KEY_MAX + 1];
	struct report_entry *e;

	memset(big, 'x', sizeof(big));
	ck_assert_ptr_null(report_table_add(t, big, sizeof(big),
	    REPORT_NO_TIME, 0));
	ck_assert_ptr_nonnull(report_table_add(t, big, REPORT_KEY_MAX,
	    REPORT_NO_TIME, 0));
	/* keys are bytes: NULs and all */
	ck_assert_ptr_nonnull(report_table_add(t, "a\0b", 3, 5 * US, 0));
	ck_assert_ptr_nonnull(report_table_add(t, "a\0c", 3, 3 * US, 0));
	e = report_table_add(t, "a\0b", 3, 9 * US, 2);
	ck_assert_uint_eq(e->count, 2);
	ck_assert_int_eq(e->first_us, 5 * US);
	ck_assert_int_eq(e->last_us, 9 * US);
	ck_assert_uint_eq(e->n[2], 1);
	ck_assert_ptr_null(report_table_find(t, "a", 1));
	/* sub-counts beyond REPORT_SUBS count only in count */
	e = report_table_add(t, "z", 1, REPORT_NO_TIME, 99);
	ck_assert_uint_eq(e->count, 1);
	ck_assert_ptr_null(report_table_new(0));
	report_table_free(t);
}
END_TEST

/* ---- time */

START_TEST(test_time_rfc3339)
{
	static const char *const bad[] = {
		"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-11-26T24:00:00Z", "2026-11-26T10:60:00Z",
		"2026-11-26T10:00:00", "2026-11-26T10:00:00+1:00",
		"2026-11-26T10:00:00+01:0", "2026-11-26T10:00:00Zx",
		"1969-12-31T23:59:59Z", "2026-11-26 10:00:00Z",
		"2026-11-26T10:00:00.Z", "2026-11-26T10:00:00.1234567890Z",
		"2026-11-26T10:00:00+24:00", "x026-11-26T10:00:00Z",
	};
	int64_t us;
	size_t i;

	ck_assert_int_eq(report_time_rfc3339("2026-11-26T10:32:52.123456Z",
	    27, &us), 0);
	ck_assert_int_eq(us, 1795689172123456LL);
	ck_assert_int_eq(report_time_rfc3339("2026-11-26T11:32:52.123456+01:00",
	    32, &us), 0);
	ck_assert_int_eq(us, 1795689172123456LL);
	ck_assert_int_eq(report_time_rfc3339("2026-11-26T05:02:52.123456-0530",
	    31, &us), 0);
	ck_assert_int_eq(us, 1795689172123456LL);
	ck_assert_int_eq(report_time_rfc3339("2026-11-26T10:32:52.1Z", 22,
	    &us), 0);
	ck_assert_int_eq(us, 1795689172100000LL);
	ck_assert_int_eq(report_time_rfc3339("2024-02-29T00:00:00Z", 20, &us),
	    0);
	ck_assert_int_eq(report_time_rfc3339("1970-01-01T00:00:00Z", 20, &us),
	    0);
	ck_assert_int_eq(us, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(report_time_rfc3339(bad[i], strlen(bad[i]),
		    &us) == -1, "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_time_headers)
{
	struct report_clock c;
	int64_t us, want = 1795689172LL * US;	/* 2026-11-26 10:32:52 UTC */
	const char *h;

	report_time_clock(&c, want);
	h = "2026-11-26T10:32:52+00:00 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want);
	h = "2026-11-26T10:32:52+0000 host daytimed[1]: ";	/* short-iso */
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want);
	h = "<30>1 2026-11-26T10:32:52.5Z host daytimed 1 - - ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want + US / 2);
	h = "Nov 26 10:32:52 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want);
	h = "<30>Nov 26 10:32:52 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want);
	h = "Nov  6 10:32:52 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want - 20 * 86400 * US);
	h = "Nov 26 10:32:52.123456 host daytimed[1]: ";	/* -o short-precise */
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, want);
	/* none: journalctl -o cat, junk, a bad month or day */
	ck_assert_int_eq(report_time_header(&c, "", 0, &us), -1);
	h = "Foo 26 10:32:52 host ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
	h = "Nov 32 10:32:52 host ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
	h = "<999999>1 2026-11-26T10:32:52Z ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
	h = "host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
}
END_TEST

START_TEST(test_time_year)
{
	struct report_clock c;
	int64_t us;
	const char *h;

	/* on 2027-01-01 00:10 UTC, "Dec 31 23:59:00" is last year's */
	report_time_clock(&c, 1798762200LL * US);
	h = "Dec 31 23:59:00 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1798761540LL * US);
	h = "Jan  1 00:05:00 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1798761900LL * US);
	/* on 2026-11-26: a day ahead is this year, two days ahead last */
	report_time_clock(&c, 1795689172LL * US);
	h = "Nov 27 10:00:00 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1795687200LL * US + 86400 * US);
	h = "Nov 28 10:00:00 host daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, (1795687200LL + 2 * 86400 - 365 * 86400) * US);
	/* on 2026-12-31 23:59:40, "Jan  1 00:00:30" is next year's */
	report_time_clock(&c, 1798761580LL * US);
	h = "Dec 31 23:59:00 h1 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1798761540LL * US);
	h = "Jan  1 00:00:30 h1 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1798761630LL * US);
	/* on 2029-03-05, "Feb 29" is 2028's; no year has "Feb 30" */
	report_time_clock(&c, 1867406400LL * US);
	h = "Feb 29 12:00:00 h1 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), 0);
	ck_assert_int_eq(us, 1835438400LL * US);
	h = "Feb 30 12:00:00 h1 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
	h = "Apr 31 12:00:00 h1 daytimed[1]: ";
	ck_assert_int_eq(report_time_header(&c, h, strlen(h), &us), -1);
}
END_TEST

/* The traditional stamps of file f (line numbers from 1) against want. */
static void
stamps(struct report_clock *c, const char *f, const char *const *h,
    const int64_t *want, size_t n)
{
	int64_t us;
	size_t i;

	for (i = 0; i < n; i++) {
		report_time_file(c, f, (unsigned long)i + 1);
		ck_assert_int_eq(report_time_header(c, h[i], strlen(h[i]), &us),
		    0);
		ck_assert_msg(us == want[i] * US, "%s: %lld, not %lld", h[i],
		    (long long)(us / US), (long long)want[i]);
	}
}

/*
 * Europe/Berlin's fall back on 2026-10-25 in traditional stamps: 02:xx
 * twice; a stamp of that hour going back more than a minute in the file
 * starts the second pass; a new file starts in the first again.
 */
START_TEST(test_time_fall_back)
{
	static const char *const h[] = {
		"Oct 25 01:30:00 h1 ", "Oct 25 02:10:00 h1 ",
		"Oct 25 02:50:00 h1 ", "Oct 25 02:49:30 h1 ",
		"Oct 25 02:10:00 h1 ", "Oct 25 02:50:00 h1 ",
		"Oct 25 02:10:00 h1 ", "Oct 25 03:30:00 h1 ",
	};
	static const int64_t want[] = {
		1792884600, 1792887000, 1792889400, 1792889370,
		1792890600, 1792893000, 1792890600, 1792895400,
	};	/* 23:30 UTC, 00:10, 00:50, 00:49:30, 01:10, 01:50, ... */
	struct report_clock c;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	report_time_clock(&c, 1793620800LL * US);	/* 2026-11-02 */
	stamps(&c, "a.log", h, want, 8);
	/* another file, or the same name read again: the first pass */
	stamps(&c, "b.log", h + 2, want + 2, 3);
	ck_assert_int_eq(c.amb_second, 1);
	stamps(&c, "b.log", h + 4, want + 1, 1);
	/* a spring forward's missing 02:30: the offset before (+0100) */
	stamps(&c, "c.log", (const char *const[]){ "Mar 29 02:30:00 h1 " },
	    (const int64_t[]){ 1774747800 }, 1);
}
END_TEST

/*
 * Australia/Lord_Howe's fall back on 2026-04-05 (15:00 UTC): 02:00 +11
 * to 01:30 +1030, so 01:30-01:59 repeats, 01:00-01:29 does not.
 */
START_TEST(test_time_half_hour)
{
	static const char *const h[] = {
		"Apr  5 01:15:00 h1 ", "Apr  5 01:45:00 h1 ",
		"Apr  5 01:40:00 h1 ", "Apr  5 01:20:00 h1 ",
		"Apr  5 02:15:00 h1 ",
	};
	static const int64_t want[] = {
		1775312100, 1775313900, 1775315400, 1775312400, 1775317500,
	};
	struct report_clock c;
	long off;

	setenv("TZ", "Australia/Lord_Howe", 1);
	tzset();
	report_time_clock(&c, 1775779200LL * US);	/* 2026-04-10 */
	stamps(&c, "a.log", h, want, 5);
	/* a local hour of two offsets: looked up again, not cached whole */
	ck_assert_int_eq(report_time_hour(&c, 1775313900LL * US, &off),
	    2026040501);
	ck_assert_int_eq(off, 39600);	/* 14:45 UTC: 01:45 +11 */
	ck_assert_int_eq(report_time_hour(&c, 1775315400LL * US, &off),
	    2026040501);
	ck_assert_int_eq(off, 37800);	/* 15:10 UTC: 01:40 +1030 */
	ck_assert_int_eq(report_time_hour(&c, 1775314200LL * US, &off),
	    2026040501);
	ck_assert_int_eq(off, 39600);	/* 14:50 UTC: 01:50 +11 */
}
END_TEST

START_TEST(test_time_args)
{
	int64_t us;
	char buf[REPORT_TIME_TEXT];

	ck_assert_int_eq(report_time_arg("2026-11-26", &us), 0);
	ck_assert_int_eq(us, 1795651200LL * US);
	ck_assert_int_eq(report_time_arg("2026-11-26 10:32", &us), 0);
	ck_assert_int_eq(us, 1795689120LL * US);
	ck_assert_int_eq(report_time_arg("2026-11-26T10:32:52", &us), 0);
	ck_assert_int_eq(us, 1795689172LL * US);
	ck_assert_int_eq(report_time_arg("2026-11-26T11:32:52+01:00", &us), 0);
	ck_assert_int_eq(us, 1795689172LL * US);
	ck_assert_int_eq(report_time_arg("yesterday", &us), -1);
	ck_assert_int_eq(report_time_arg("2026-11-26 25:00", &us), -1);
	ck_assert_int_eq(report_time_arg("2026-1-26", &us), -1);
	ck_assert_int_eq(report_time_arg("", &us), -1);
	/* and out again */
	report_time_format(buf, sizeof(buf), 1795689172LL * US, 0);
	ck_assert_str_eq(buf, "2026-11-26 10:32:52");
	report_time_format(buf, sizeof(buf), 1795689172LL * US, 3);
	ck_assert_str_eq(buf, "2026-11-26T10:32:52+00:00");
	report_time_format(buf, sizeof(buf), REPORT_TIME_NONE, 0);
	ck_assert_str_eq(buf, "-");
}
END_TEST

START_TEST(test_time_hours)
{
	struct report_clock c;
	long off;

	report_time_clock(&c, 0);
	ck_assert_int_eq(report_time_hour(&c, 1795689172LL * US, &off),
	    2026112610);
	ck_assert_int_eq(off, 0);
	ck_assert_int_eq(report_time_hour(&c, 1795690799LL * US, &off),
	    2026112610);
	ck_assert_int_eq(report_time_hour(&c, 1795690800LL * US, &off),
	    2026112611);
	/* a zone half an hour off: the local hour, not the UTC one */
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	report_time_clock(&c, 0);
	ck_assert_int_eq(report_time_hour(&c, 1795689172LL * US, &off),
	    2026112616);
	ck_assert_int_eq(off, 19800);
	ck_assert_int_eq(report_time_hour(&c, 1795690799LL * US, &off),
	    2026112616);
	ck_assert_int_eq(report_time_hour(&c, 1795690800LL * US, &off),
	    2026112616);
	ck_assert_int_eq(report_time_hour(&c, 1795692600LL * US, &off),
	    2026112617);
	/* a fall back: the same hour twice, told apart by the offset */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	report_time_clock(&c, 0);
	ck_assert_int_eq(report_time_hour(&c, 1792889997LL * US, &off),
	    2026102502);	/* 00:59:57 UTC */
	ck_assert_int_eq(off, 7200);
	ck_assert_int_eq(report_time_hour(&c, 1792890001LL * US, &off),
	    2026102502);	/* 01:00:01 UTC */
	ck_assert_int_eq(off, 3600);
	ck_assert_int_eq(report_time_hour(&c, 1792889999LL * US, &off),
	    2026102502);	/* back: the cache holds the last hour only */
	ck_assert_int_eq(off, 7200);
	ck_assert_int_eq(report_time_days(1970, 1, 1), 0);
	ck_assert_int_eq(report_time_mdays(2024, 2), 29);
	ck_assert_int_eq(report_time_mdays(2100, 2), 28);
}
END_TEST

Suite *
report_table_suite(void)
{
	Suite *s = suite_create("report_table");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_table_exact);
	tcase_add_test(tc, test_table_space_saving);
	tcase_add_test(tc, test_table_pinned);
	tcase_add_test(tc, test_table_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_time_rfc3339);
	tcase_add_test(tc, test_time_headers);
	tcase_add_test(tc, test_time_year);
	tcase_add_test(tc, test_time_fall_back);
	tcase_add_test(tc, test_time_half_hour);
	tcase_add_test(tc, test_time_args);
	tcase_add_test(tc, test_time_hours);
	suite_add_tcase(s, tc);
	return s;
}
