/* SPDX-License-Identifier: ISC */
/*
 * verify_order_suite: order in an epoch where its start record is not
 * first (audit/verify_walk.c). The records before a start are held and
 * walked once it comes, but the start is judged where it was: after seq
 * 1 (swapped), after seq N, after the stop record, after the next epoch,
 * in a later file than its records, in a central file of two hosts.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"
#include "tests/unit/chain_fixture.h"
#include "tests/unit/suites.h"

#define T0	1795689172000000ULL	/* 2026-11-26T10:32:52Z */
#define HDR	"Nov 26 10:32:52 web1 daytimed[1]: "
#define HDR2	"Nov 26 10:32:52 web2 daytimed[9]: "

/* Move line i of log to be line j (counted after it is taken out). */
static void
move_line(struct fix_log *log, size_t i, size_t j)
{
	char tmp[FIX_LINE_MAX];

	memcpy(tmp, log->line[i], FIX_LINE_MAX);
	fix_delete(log, i);
	fix_insert(log, j, tmp);
}

/* One epoch of n records (seq 0..n-1, the last its stop) into log. */
static struct fix_log *
one_epoch(const struct fix_keys *k, int n, struct fix_epoch *e)
{
	struct fix_log *log = calloc(1, sizeof(*log));

	ck_assert_ptr_nonnull(log);
	fix_make(log, e, k, HDR, NULL, NULL, n, 1, T0);
	return log;
}

/* The start after seq 1: a swap; after seq 3; with seq 1 after it too. */
START_TEST(test_start_after_seq)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log, *orig;
	struct fix_run r;
	const char *want[1];

	fix_keys(&k);
	orig = one_epoch(&k, 10, &e);
	log = malloc(sizeof(*log));
	ck_assert_ptr_nonnull(log);

	memcpy(log, orig, sizeof(*log));
	move_line(log, 0, 1);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:2: reordered: seq 0 and seq 1 (log:1) are swapped";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 10);

	memcpy(log, orig, sizeof(*log));
	move_line(log, 0, 3);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:4: reordered: seq 0 comes after seq 3 (log:3)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 10);

	/* seq 2, the start, seq 1: the two that come after seq 2, one run */
	memcpy(log, orig, sizeof(*log));
	move_line(log, 2, 0);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:2-3: reordered: seq 0..1 (2 records) come after seq 2 "
	    "(log:1)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 10);
	free(log);
	free(orig);
}
END_TEST

/*
 * The start after the stop record: moved there, not inserted (nothing
 * before the stop could verify without it); and after the next epoch.
 */
START_TEST(test_start_after_stop)
{
	struct fix_keys k;
	struct fix_epoch e, e2;
	struct fix_log *log;
	struct fix_run r;
	const char *want[1];

	fix_keys(&k);
	log = one_epoch(&k, 8, &e);
	move_line(log, 0, 7);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:8: reordered: seq 0 comes after seq 7 (log:7)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 8);
	ck_assert_uint_eq(r.s.steps, 8);

	/* after the next epoch, whole */
	log->n = 0;
	fix_make(log, &e, &k, HDR, NULL, NULL, 10, 1, T0);
	fix_make(log, &e2, &k, HDR, NULL, NULL, 5, 1, T0 + 20000000);
	move_line(log, 0, 14);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:15: reordered: seq 0 comes after seq 9 (log:9)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 15);
	ck_assert_uint_eq(r.s.epochs, 2);
	free(log);
}
END_TEST

/*
 * Files read oldest first: a start in a later file than its epoch's
 * records came after them (a neighbour across files is no swap); a
 * rotation inside an epoch, in order, is no finding.
 */
START_TEST(test_start_files)
{
	struct fix_keys k;
	struct fix_epoch e, e2;
	struct fix_log *log;
	struct fix_run r;
	const char *want[1] = { NULL };

	fix_keys(&k);
	log = one_epoch(&k, 10, &e);
	verify_free(fix_run2(&r, log, 1, k.sk, NULL));
	fix_expect(&r, want, 0);
	ck_assert_uint_eq(r.s.verified, 10);

	/* seq 1 alone in log.1, the start first in log */
	move_line(log, 0, 1);
	verify_free(fix_run2(&r, log, 1, k.sk, NULL));
	want[0] = "log:1: reordered: seq 0 comes after seq 1 (log.1:1)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 10);

	/* the start at the end of log, after the next epoch */
	log->n = 0;
	fix_make(log, &e, &k, HDR, NULL, NULL, 10, 1, T0);
	fix_make(log, &e2, &k, HDR, NULL, NULL, 5, 1, T0 + 20000000);
	move_line(log, 0, 14);
	verify_free(fix_run2(&r, log, 11, k.sk, NULL));
	want[0] = "log:4: reordered: seq 0 comes after seq 9 (log.1:9)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 15);
	free(log);
}
END_TEST

/* A central file of two hosts interleaved: each host's start, alone. */
START_TEST(test_start_central)
{
	struct fix_keys k;
	struct fix_epoch a, b;
	struct fix_log *la, *lb, *log;
	struct fix_run r;
	char w[1][256];
	const char *want[1] = { w[0] };
	size_t i;

	fix_keys(&k);
	la = calloc(1, sizeof(*la));
	lb = calloc(1, sizeof(*lb));
	log = calloc(1, sizeof(*log));
	ck_assert(la != NULL && lb != NULL && log != NULL);
	fix_make(la, &a, &k, HDR, k.hsk, NULL, 6, 1, T0);
	fix_make(lb, &b, &k, HDR2, k.hsk2, NULL, 6, 1, T0);
	move_line(lb, 0, 1);		/* web2: seq 1, then its start */
	for (i = 0; i < 6; i++) {
		fix_insert(log, log->n, la->line[i]);
		fix_insert(log, log->n, lb->line[i]);
	}
	verify_free(fix_run(&r, log, k.sk, NULL));
	/* web2's seq 1 at log:2, its start at log:4: not neighbours */
	snprintf(w[0], sizeof(w[0]), "log:4: reordered: seq 0 comes after "
	    "seq 1 (log:2)");
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 12);
	ck_assert_uint_eq(r.s.hosts, 2);
	free(la);
	free(lb);
	free(log);
}
END_TEST

Suite *
verify_order_suite(void)
{
	Suite *s = suite_create("verify_order");
	TCase *tc;

	tc = tcase_create("start");
	tcase_add_test(tc, test_start_after_seq);
	tcase_add_test(tc, test_start_after_stop);
	tcase_add_test(tc, test_start_files);
	tcase_add_test(tc, test_start_central);
	suite_add_tcase(s, tc);
	return s;
}
