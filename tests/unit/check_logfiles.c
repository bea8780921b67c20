/* SPDX-License-Identifier: ISC */
/*
 * logfiles_suite: the order in which verify and report read their log
 * files (audit/logfiles.c): a rotated log named newest first (as the
 * glob audit.log* expands) read oldest first, stdin first, files without
 * a sealed record before the others, one epoch's files by seq whatever
 * their times say, the same file named twice found, and the first sealed
 * record of a file read from its line.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/logfiles.h"
#include "tests/unit/chain_fixture.h"
#include "tests/unit/suites.h"

#define T0	1795689172000000ULL	/* 2026-11-26T10:32:52Z */

/* A file named path, as given in place pos, first sealed record or not. */
static struct logfiles_file
file(const char *path, size_t pos, int has, uint64_t t, uint64_t ep,
    uint64_t seq)
{
	struct logfiles_file f;

	memset(&f, 0, sizeof(f));
	f.path = f.name = path;
	f.pos = pos;
	f.has_first = has;
	f.first = t;
	f.epoch = ep;
	f.seq = seq;
	return f;
}

/* The paths of f, space-separated, into buf. */
static const char *
paths(char *buf, size_t len, const struct logfiles_file *f, size_t n)
{
	size_t i, o = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(buf + o, len - o, "%s%s", i > 0 ? " " : "",
		    f[i].path);
		ck_assert(k >= 0 && (size_t)k < len - o);
		o += (size_t)k;
	}
	return buf;
}

/* audit.log audit.log.1 audit.log.2.gz, one epoch: oldest first. */
START_TEST(test_rotated_newest_first)
{
	struct logfiles_file f[3];
	char buf[256];

	f[0] = file("audit.log", 0, 1, T0 + 14000000, 7, 14);
	f[1] = file("audit.log.1", 1, 1, T0 + 7000000, 7, 7);
	f[2] = file("audit.log.2.gz", 2, 1, T0, 7, 0);
	ck_assert_int_eq(logfiles_order(f, 3), 1);
	ck_assert_str_eq(paths(buf, sizeof(buf), f, 3),
	    "audit.log.2.gz audit.log.1 audit.log");
	/* given oldest first: the order given, no note */
	f[0].pos = 0;
	f[1].pos = 1;
	f[2].pos = 2;
	ck_assert_int_eq(logfiles_order(f, 3), 0);
	ck_assert_str_eq(paths(buf, sizeof(buf), f, 3),
	    "audit.log.2.gz audit.log.1 audit.log");
}
END_TEST

/* Two epochs (a restart between rotations): by time. */
START_TEST(test_two_epochs_by_time)
{
	struct logfiles_file f[2];
	char buf[256];

	f[0] = file("new", 0, 1, T0 + 86400000000ULL, 9, 0);
	f[1] = file("old", 1, 1, T0, 8, 40);
	ck_assert_int_eq(logfiles_order(f, 2), 1);
	ck_assert_str_eq(paths(buf, sizeof(buf), f, 2), "old new");
}
END_TEST

/* One epoch, the clock set back between rotations: by seq. */
START_TEST(test_clock_set_back)
{
	struct logfiles_file f[3];
	char buf[256];

	f[0] = file("a", 0, 1, T0, 5, 0);
	f[1] = file("b", 1, 1, T0 - 3600000000ULL, 5, 10);	/* set back */
	f[2] = file("c", 2, 1, T0 + 60000000, 5, 20);
	ck_assert_int_eq(logfiles_order(f, 3), 0);
	ck_assert_str_eq(paths(buf, sizeof(buf), f, 3), "a b c");
}
END_TEST

/* stdin first, then files without a sealed record as given, then time. */
START_TEST(test_stdin_and_unsealed)
{
	struct logfiles_file f[4];
	char buf[256];

	f[0] = file("sealed", 0, 1, T0, 1, 0);
	f[1] = file("plain1", 1, 0, 0, 0, 0);
	f[2] = file("-", 2, 0, 0, 0, 0);
	f[3] = file("plain2", 3, 0, 0, 0, 0);
	ck_assert_int_eq(logfiles_order(f, 4), 1);
	ck_assert_str_eq(paths(buf, sizeof(buf), f, 4),
	    "- plain1 plain2 sealed");
	ck_assert_int_eq(logfiles_order(f, 0), 0);
}
END_TEST

/* The same regular file by dev and ino; stdin and devices never. */
START_TEST(test_same)
{
	struct logfiles_file f[3];

	f[0] = file("-", 0, 0, 0, 0, 0);		/* dev 0, ino 0 */
	f[1] = file("c1.log", 1, 0, 0, 0, 0);
	f[1].reg = 1;
	f[1].dev = 8;
	f[1].ino = 42;
	f[2] = file("/dev/fd/3", 2, 0, 0, 0, 0);
	f[2].dev = 8;
	f[2].ino = 43;
	ck_assert_uint_eq(logfiles_same(f, 3, 8, 42), 1);
	ck_assert_uint_eq(logfiles_same(f, 3, 0, 0), 3);
	ck_assert_uint_eq(logfiles_same(f, 3, 8, 43), 3);
	ck_assert_uint_eq(logfiles_same(f, 1, 8, 42), 1);
}
END_TEST

/* The first sealed record of a file: its time, epoch and seq. */
START_TEST(test_first)
{
	static struct fix_log log;
	struct fix_keys k;
	struct fix_epoch e;
	struct logfiles_file f;
	const char *plain = "Nov 26 10:32:52 web1 daytimed[1]: conn=0123 "
	    "proto=tcp decision=allow";

	fix_keys(&k);
	memset(&log, 0, sizeof(log));
	fix_make(&log, &e, &k, "Nov 26 10:32:52 web1 daytimed[1]: ", NULL,
	    NULL, 4, 1, T0);
	f = file("x", 0, 0, 0, 0, 0);
	ck_assert_int_eq(logfiles_first(&f, plain, strlen(plain)), 0);
	ck_assert_int_eq(logfiles_first(&f, "", 0), 0);
	ck_assert_int_eq(f.has_first, 0);
	ck_assert_int_eq(logfiles_first(&f, log.line[2], strlen(log.line[2])),
	    1);
	ck_assert_int_eq(f.has_first, 1);
	ck_assert_uint_eq(f.seq, 2);
	ck_assert_uint_eq(f.first, T0 + 2000000);
	ck_assert_uint_eq(f.epoch, strtoull(e.id, NULL, 16));
}
END_TEST

Suite *
logfiles_suite(void)
{
	Suite *s = suite_create("logfiles");
	TCase *tc = tcase_create("order");

	tcase_add_test(tc, test_rotated_newest_first);
	tcase_add_test(tc, test_two_epochs_by_time);
	tcase_add_test(tc, test_clock_set_back);
	tcase_add_test(tc, test_stdin_and_unsealed);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_first);
	suite_add_tcase(s, tc);
	return s;
}
