/* SPDX-License-Identifier: ISC */
/*
 * verify_suite: the walk over one epoch's records (audit/verify.c,
 * verify_walk.c), on chains made here with audit/chain.c. Every layout
 * intact; each tampering named in its words (modified, deleted, swapped,
 * moved, repeated, inserted, cut short); unsealed records; a line too
 * long; and the work: a forged huge seq costs O(1) key steps, and epoch
 * ids made to collide in the epoch table cost linear probes, counted,
 * not timed (issue 13, finding 4; the red team's colliding ids).
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"
#include "audit/verify_int.h"
#include "tests/unit/chain_fixture.h"
#include "tests/unit/suites.h"

#define T0	1795689172000000ULL	/* 2026-11-26T10:32:52Z */
#define HDR	"Nov 26 10:32:52 host daytimed[1]: "

/* One epoch of n records under prefix, into a fresh log. */
static struct fix_log *
one_epoch(const struct fix_keys *k, const char *prefix, int n, int stop,
    struct fix_epoch *e)
{
	struct fix_log *log = calloc(1, sizeof(*log));

	ck_assert_ptr_nonnull(log);
	fix_make(log, e, k, prefix, NULL, NULL, n, stop, T0);
	return log;
}

/* Move line i of log to its end. */
static void
move_to_end(struct fix_log *log, size_t i)
{
	char tmp[FIX_LINE_MAX];

	memcpy(tmp, log->line[i], FIX_LINE_MAX);
	fix_delete(log, i);
	fix_insert(log, log->n, tmp);
}

START_TEST(test_walk_layouts)
{
	static const char *prefix[] = {
		HDR,
		"2026-11-26T10:32:52.123456+00:00 host daytimed[4242]: ",
		"<30>1 2026-11-26T10:32:52.123456+00:00 host daytimed 4242 - - ",
		"<30>1 2026-11-30T00:12:57.492023+00:00 vm daytimed 21565 - -  ",
		("<13>1 2026-11-30T00:44:22+00:00 vm daytimed 8016 - "
		"[meta sequenceId=\"1\"] "),
		"2026-11-26T10:32:52+0000 vm daytimed[21565]: ",
		"",
	};
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	size_t i;

	fix_keys(&k);
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		log = one_epoch(&k, prefix[i], 6, 1, &e);
		verify_free(fix_run(&r, log, k.sk, NULL));
		ck_assert_uint_eq(r.s.records, 6);
		ck_assert_uint_eq(r.s.epochs, 1);
		ck_assert_uint_eq(r.s.hosts, 1);
		ck_assert_uint_eq(r.s.verified, 6);
		ck_assert_uint_eq(r.s.findings, 0);
		ck_assert_uint_eq(r.s.opened, 1);
		ck_assert_uint_eq(r.s.unauthenticated, 1);
		ck_assert_uint_eq(r.s.steps, 6);
		free(log);
	}
}
END_TEST

/* Each tampering, in the words the verifier uses. */
START_TEST(test_walk_findings)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log, *orig;
	struct fix_run r;
	char w[4][256], *p, tmp[FIX_LINE_MAX];
	const char *want[4];

	fix_keys(&k);
	orig = one_epoch(&k, HDR, 10, 1, &e);
	log = malloc(sizeof(*log));
	ck_assert_ptr_nonnull(log);
	for (int i = 0; i < 4; i++)
		want[i] = w[i];

	/* a deleted record: missing, before the one after it */
	memcpy(log, orig, sizeof(*log));
	fix_delete(log, 3);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "epoch %s: missing: seq 3 (before log:4)", e.id);
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 9);

	/* three deleted */
	memcpy(log, orig, sizeof(*log));
	fix_delete(log, 3);
	fix_delete(log, 3);
	fix_delete(log, 3);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "epoch %s: missing: seq 3..5 (3 records, before "
	    "log:4)", e.id);
	fix_expect(&r, want, 1);

	/* a modified byte */
	memcpy(log, orig, sizeof(*log));
	p = strstr(log->line[2], "proto=tcp");
	p[6] = 'u';
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:3: modified: seq 2 does not verify (mac "
	    "mismatch)");
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 9);

	/* a moved time (issue 13, finding 3): time= is inside the MAC */
	memcpy(log, orig, sizeof(*log));
	p = strstr(log->line[4], " time=2026-11-26T10:32:5");
	ck_assert_ptr_nonnull(p);
	p[24] = '9';
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:5: modified: seq 4 does not verify (mac "
	    "mismatch)");
	fix_expect(&r, want, 1);

	/* broken chain fields: read as a finding; then the seq is missing */
	memcpy(log, orig, sizeof(*log));
	p = strstr(log->line[4], " seq=4 ");
	p[5] = 'x';
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:5: modified: a daytimed record with broken "
	    "chain fields");
	snprintf(w[1], 256, "epoch %s: missing: seq 4 (before log:6)", e.id);
	fix_expect(&r, want, 2);

	/* two swapped records: named as a swap (issue 13, finding 7) */
	memcpy(log, orig, sizeof(*log));
	memcpy(tmp, log->line[5], FIX_LINE_MAX);
	memcpy(log->line[5], log->line[6], FIX_LINE_MAX);
	memcpy(log->line[6], tmp, FIX_LINE_MAX);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:7: reordered: seq 5 and seq 6 (log:6) are "
	    "swapped");
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 10);

	/* a record moved later */
	memcpy(log, orig, sizeof(*log));
	memcpy(tmp, log->line[2], FIX_LINE_MAX);
	fix_delete(log, 2);
	fix_insert(log, 7, tmp);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:8: reordered: seq 2 comes after seq 7 "
	    "(log:7)");
	fix_expect(&r, want, 1);

	/* a record moved earlier: the ones it passed, as one run */
	memcpy(log, orig, sizeof(*log));
	memcpy(tmp, log->line[7], FIX_LINE_MAX);
	fix_delete(log, 7);
	fix_insert(log, 2, tmp);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:4-8: reordered: seq 2..6 (5 records) come "
	    "after seq 7 (log:3)");
	fix_expect(&r, want, 1);

	/* a repeated record, a forged copy */
	memcpy(log, orig, sizeof(*log));
	fix_insert(log, 8, orig->line[4]);
	memcpy(tmp, orig->line[4], FIX_LINE_MAX);
	p = strstr(tmp, "conn=");
	p[5] = 'f';
	fix_insert(log, 9, tmp);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:9: inserted: repeats seq 4 of log:5");
	snprintf(w[1], 256, "log:10: inserted: seq 4 does not verify and seq "
	    "4 is at log:5");
	fix_expect(&r, want, 2);

	/* the tail cut short */
	memcpy(log, orig, sizeof(*log));
	log->n = 7;
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "epoch %s: chain ends at seq 6 (log:7) without a "
	    "stop record (truncated, or the daemon is still running)", e.id);
	fix_expect(&r, want, 1);

	/* the start missing */
	memcpy(log, orig, sizeof(*log));
	fix_delete(log, 0);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "epoch %s: its start record (seq 0, with the "
	    "sealed key) is missing: 9 records (from log:1) cannot be "
	    "verified", e.id);
	fix_expect(&r, want, 1);

	/* nothing sealed at all */
	log->n = 0;
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "no sealed daytimed records found";
	fix_expect(&r, want, 1);
	free(log);
	free(orig);
}
END_TEST

/*
 * A complete epoch (its stop record and every record before it
 * verified): its ring is freed, and a record of it that comes later, a
 * repeat or a forgery past its end, has no place in it. An epoch whose
 * stop record came before one of its records is complete when that one
 * comes.
 */
START_TEST(test_walk_after_stop)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char w[2][256], tmp[FIX_LINE_MAX], *p;
	const char *want[2] = { w[0], w[1] };

	fix_keys(&k);
	log = one_epoch(&k, HDR, 10, 1, &e);
	fix_insert(log, log->n, log->line[5]);
	memcpy(tmp, log->line[4], FIX_LINE_MAX);
	p = strstr(tmp, " seq=4 ");
	snprintf(p, 200, " seq=30 mac=%032d", 0);
	fix_insert(log, log->n, tmp);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:11: inserted: seq 5 of epoch %s came after "
	    "the epoch's stop record (log:10)", e.id);
	snprintf(w[1], 256, "log:12: inserted: seq 30 of epoch %s came after "
	    "the epoch's stop record (log:10)", e.id);
	fix_expect(&r, want, 2);
	ck_assert_uint_eq(r.s.verified, 10);
	ck_assert_uint_eq(r.s.steps, 10);	/* nothing walked after it */

	/* seq 3 after the stop record: complete then, not before */
	log->n = 10;
	move_to_end(log, 3);
	fix_insert(log, log->n, log->line[4]);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(w[0], 256, "log:10: reordered: seq 3 comes after seq 9 "
	    "(log:9)");
	snprintf(w[1], 256, "log:11: inserted: seq 5 of epoch %s came after "
	    "the epoch's stop record (log:9)", e.id);
	fix_expect(&r, want, 2);
	ck_assert_uint_eq(r.s.verified, 10);
	free(log);
}
END_TEST

/*
 * Order across files, read oldest first: a record in a later file below
 * a seq of its epoch verified in an earlier one was moved, wherever it
 * comes in its file; a rotation in order is no finding.
 */
START_TEST(test_walk_files)
{
	struct fix_keys k;
	struct fix_epoch e, e2;
	struct fix_log *log;
	struct fix_run r;
	const char *want[1] = { NULL };

	fix_keys(&k);
	log = one_epoch(&k, HDR, 10, 1, &e);
	verify_free(fix_run2(&r, log, 5, k.sk, NULL));
	fix_expect(&r, want, 0);
	ck_assert_uint_eq(r.s.verified, 10);

	/* seq 3 moved into the next file, after the next epoch */
	fix_make(log, &e2, &k, HDR, NULL, NULL, 5, 1, T0 + 20000000);
	move_to_end(log, 3);
	verify_free(fix_run2(&r, log, 9, k.sk, NULL));
	want[0] = "log:6: reordered: seq 3 comes after seq 9 (log.1:9)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 15);
	free(log);
}
END_TEST

/*
 * Issue 13, finding 4: forged records with the real epoch id and huge
 * seqs cost no walk; nor do a thousand of them; nor a thousand just
 * inside the gap a walk may cross.
 */
START_TEST(test_walk_huge_seq)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char tmp[FIX_LINE_MAX], *p;
	int i;

	fix_keys(&k);
	/* no stop record: after one, a complete epoch walks nothing at all */
	log = one_epoch(&k, HDR, 10, 0, &e);
	/* the five lines of the report: 10M, 20M ... 50M */
	for (i = 1; i <= 5; i++) {
		memcpy(tmp, log->line[4], FIX_LINE_MAX);
		p = strstr(tmp, " seq=4 ");
		snprintf(p, 200, " seq=%d0000000 mac=%064d", i, 0);
		fix_insert(log, log->n, tmp);
	}
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.steps, 10);	/* one per real record */
	ck_assert_int_ge(fix_find(&r, "not checked: seq 10000000 of epoch"), 0);
	ck_assert_uint_eq(r.s.verified, 10);

	/* 200 lines, each just within the gap past the last verified */
	log->n = 10;
	for (i = 0; i < 200; i++) {
		memcpy(tmp, log->line[4], FIX_LINE_MAX);
		p = strstr(tmp, " seq=4 ");
		snprintf(p, 200, " seq=%llu mac=%064d", (unsigned long long)
		    (VERIFY_GAP_MAX + 9 - (unsigned)i), 0);
		fix_insert(log, log->n, tmp);
	}
	verify_free(fix_run(&r, log, k.sk, NULL));
	/*
	 * Let go of the hold in falling order, each is checked on the side
	 * from K_cur (none moves the walk, as none verifies): the work is
	 * the run's budget for steps that verify nothing, not 200 gaps
	 */
	ck_assert_uint_le(r.s.steps, 10 + VERIFY_WALK_BUDGET);
	ck_assert_uint_eq(r.s.verified, 10);
	ck_assert_uint_gt(r.s.findings, 0);
	free(log);
}
END_TEST

/*
 * Red team: forged records of the running epoch far ahead (seq 5000 on,
 * a zero mac: anyone can write them to syslog), more than the hold
 * keeps, between genuine ones. Let go of the hold, they do not verify
 * and do not move the walk: only they are blamed, in one note; every
 * genuine record and the stop verify, and the epoch is not cut short.
 */
START_TEST(test_walk_forged_ahead)
{
	static const size_t counts[] = { VERIFY_AHEAD_MAX + 1, 200 };
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char tmp[FIX_LINE_MAX], want[256], *p, *m;
	size_t c, i;

	fix_keys(&k);
	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		log = one_epoch(&k, HDR, 30, 1, &e);
		for (i = 0; i < counts[c]; i++) {
			/* seq 4's line, its seq 5000 + i, its mac zeros */
			memcpy(tmp, log->line[4], FIX_LINE_MAX);
			ck_assert_ptr_nonnull(p = strstr(tmp, " seq=4 "));
			ck_assert_ptr_nonnull(m = strstr(p, " mac="));
			snprintf(want, sizeof(want), "%s", m);
			for (m = want + 5; *m != '\0' && *m != ' '; m++)
				*m = '0';
			snprintf(p, FIX_LINE_MAX - (size_t)(p - tmp),
			    " seq=%zu%s", 5000 + i, want);
			fix_insert(log, 11 + i, tmp);
		}
		verify_free(fix_run(&r, log, k.sk, NULL));
		snprintf(want, sizeof(want), "log:12-%zu: modified or inserted: "
		    "seq 5000..%zu (%zu records) of epoch %s, more than %d "
		    "records ahead of the walk, do not verify (the walk does "
		    "not follow)", 11 + counts[c], 4999 + counts[c], counts[c],
		    e.id, VERIFY_RING);
		{
			const char *const w[] = { want };

			fix_expect(&r, w, 1);
		}
		ck_assert_uint_eq(r.s.verified, 30);
		ck_assert_uint_le(r.s.steps, 30 + 5000 + counts[c]);
		free(log);
	}
}
END_TEST

/*
 * Epochs the attacker sealed himself (he has the public key): each may
 * cost one gap walk, and the budget ends that after a few.
 */
START_TEST(test_walk_budget)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char tmp[FIX_LINE_MAX], *p;
	size_t start;
	int i;

	fix_keys(&k);
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	for (i = 0; i < 10; i++) {
		start = log->n;
		fix_make(log, &e, &k, HDR, NULL, NULL, 2, 0, T0);
		memcpy(tmp, log->line[start + 1], FIX_LINE_MAX);
		p = strstr(tmp, " seq=1 ");
		snprintf(p, 200, " seq=%llu mac=%064d", (unsigned long long)
		    VERIFY_GAP_MAX, 0);
		memcpy(log->line[start + 1], tmp, FIX_LINE_MAX);
	}
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_le(r.s.steps, VERIFY_WALK_BUDGET + 10 * 2);
	ck_assert_int_ge(fix_find(&r, "the walk already took"), 0);
	free(log);
}
END_TEST

/* Issue 13, finding 2: a daytimed-looking line without chain fields. */
START_TEST(test_walk_unsealed)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char want[256];
	const char *w[1] = { want };

	fix_keys(&k);
	log = one_epoch(&k, HDR, 6, 1, &e);
	fix_insert(log, 3, HDR "conn=0000000000000666 proto=tcp "
	    "peer=6.6.6.6:1 decision=allow");
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "log:4: unsealed: 1 daytimed record "
	    "without chain fields, inside epoch %s", e.id);
	fix_expect(&r, w, 1);
	ck_assert_uint_eq(r.s.unsealed, 1);
	/* after the stop record: the host seals, so still a finding */
	fix_delete(log, 3);
	fix_insert(log, 6, HDR "conn=0000000000000666 decision=allow");
	fix_insert(log, 7, HDR "conn=0000000000000667 decision=allow");
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "log:7-8: unsealed: 2 daytimed records "
	    "without chain fields, from host host, which seals its records");
	fix_expect(&r, w, 1);
	/* before the host began sealing: listed, but only a warning */
	log->n = 6;
	fix_insert(log, 0, HDR "conn=0000000000000001 decision=allow");
	verify_free(fix_run(&r, log, k.sk, NULL));
	fix_expect(&r, NULL, 0);
	ck_assert_uint_eq(r.s.warnings, 1);
	ck_assert_int_ge(fix_find(&r, "host host: 1 daytimed record without "
	    "chain fields before its first sealed record (not covered by any "
	    "seal): log:1"), 0);
	free(log);
}
END_TEST

/* The text callback of verify_new: findings as they are, warnings marked. */
static void
text_note(void *arg, const char *text)
{
	char (*t)[256] = arg;
	size_t i;

	for (i = 0; i < 3 && t[i][0] != '\0'; i++)
		;
	if (i < 3)
		snprintf(t[i], sizeof(t[0]), "%s", text);
}

START_TEST(test_walk_overlong)
{
	unsigned char sk[CHAIN_KEY_BYTES] = { 1 };
	struct verify_summary s;
	struct verify *v;
	static const char head[] = HDR "conn=0000000000000001 ident=\"aaaa";
	char texts[3][256] = { "", "", "" };

	v = verify_new(sk, text_note, texts);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(verify_line_overlong(v, "log", 1, head,
	    sizeof(head) - 1), 0);
	ck_assert_int_eq(verify_line_overlong(v, "log", 2, "Nov 26 10:32:52 h "
	    "cron[1]: x", 29), 0);
	ck_assert_int_eq(verify_finish(v, &s), 0);
	ck_assert_uint_eq(s.overlong, 2);
	ck_assert_uint_eq(s.findings, 2);	/* that one, and nothing sealed */
	ck_assert_uint_eq(s.warnings, 1);
	ck_assert_str_eq(texts[0], "log:1: an over-long daytimed record: "
	    "daytimed writes none that long (skipped)");
	ck_assert_str_eq(texts[1], "warning: log:2: an over-long line, skipped "
	    "(not a daytimed record)");
	verify_free(v);
}
END_TEST

/*
 * The bound on hosts: lines that each name a new host are refused past
 * VERIFY_HOSTS_MAX (-2, and every line after), said by verify_over.
 */
START_TEST(test_walk_bounds)
{
	unsigned char sk[CHAIN_KEY_BYTES] = { 1 };
	struct verify *v;
	char line[128];
	size_t i;
	int n;

	v = verify_new(sk, NULL, NULL);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i <= VERIFY_HOSTS_MAX; i++) {
		n = snprintf(line, sizeof(line), "Nov 26 10:32:52 h%zu "
		    "daytimed[1]: event=counters", i);
		ck_assert(n > 0 && (size_t)n < sizeof(line));
		ck_assert_int_eq(verify_line(v, "log", i + 1, line, (size_t)n),
		    i < VERIFY_HOSTS_MAX ? 0 : -2);
	}
	ck_assert_int_eq(verify_over(v), VERIFY_BOUND_HOSTS);
	ck_assert_uint_eq(verify_nhosts(v), VERIFY_HOSTS_MAX);
	n = snprintf(line, sizeof(line), "Nov 26 10:32:52 h0 daytimed[1]: "
	    "event=counters");
	ck_assert_int_eq(verify_line(v, "log", i + 1, line, (size_t)n), -2);
	ck_assert_int_eq(verify_line_overlong(v, "log", i + 2, line,
	    (size_t)n), -2);
	verify_free(v);
	v = verify_new(sk, NULL, NULL);
	ck_assert_int_eq(verify_over(v), VERIFY_BOUND_NONE);
	verify_free(v);
}
END_TEST

/* Lines into a verifier as they are sealed: the first one refused. */
struct feed {
	struct verify	*v;
	unsigned long	 line;
	unsigned long	 refused;	/* 0: none */
};

static void
feed_line(void *arg, const char *line, size_t len)
{
	struct feed *fd = arg;
	int rv = verify_line(fd->v, "log", ++fd->line, line, len);

	if (rv == -2 && fd->refused == 0)
		fd->refused = fd->line;
	ck_assert_int_eq(rv, fd->refused ? -2 : 0);
}

/*
 * The bound on the rings: epochs 512 records into their walks hold a
 * full ring each until they are complete. 1024 of them not complete
 * fill the bound, lowered here to 1024 rings (VERIFY_RING_SLOTS_MAX is
 * 4096: the integration test reaches it), and the first line of one
 * more is refused
 * (-2, and every line after, said by verify_over); as many complete
 * ones, and more, hold none.
 */
START_TEST(test_walk_ring_bound)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct verify_summary s;
	struct feed fd;
	int i, stop;

	fix_keys(&k);
	for (stop = 1; stop >= 0; stop--) {
		memset(&fd, 0, sizeof(fd));
		fd.v = verify_new(k.sk, NULL, NULL);
		ck_assert_ptr_nonnull(fd.v);
		fd.v->ring_slots_max = 1024 * VERIFY_RING;
		for (i = 0; i < 1026; i++) {
			memset(&e, 0, sizeof(e));
			e.prefix = HDR;
			e.auditor = k.pk;
			e.n = 514;
			e.stop = stop;
			e.t0 = T0;
			fix_epoch_lines(&e, feed_line, &fd);
		}
		if (stop) {
			ck_assert_uint_eq(fd.refused, 0);
			ck_assert_int_eq(verify_finish(fd.v, &s), 0);
			ck_assert_uint_eq(s.verified, 1026 * 514);
			ck_assert_uint_eq(s.findings, 0);
		} else {
			ck_assert_uint_eq(fd.refused, 1024 * 514 + 1);
			ck_assert_int_eq(verify_over(fd.v), VERIFY_BOUND_RING);
		}
		verify_free(fd.v);
	}
}
END_TEST

/* A key that opens nothing; the public key given as the secret one. */
START_TEST(test_walk_keys)
{
	struct fix_keys k, k2;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;

	fix_keys(&k);
	fix_keys(&k2);
	log = one_epoch(&k, HDR, 4, 1, &e);
	verify_free(fix_run(&r, log, k2.sk, NULL));
	ck_assert_uint_eq(r.s.mismatched, 1);
	ck_assert_uint_eq(r.s.opened, 0);
	ck_assert_int_eq(r.s.secret_is_public, 0);
	ck_assert_int_ge(fix_find(&r, "secret key does not match epoch"), 0);
	ck_assert_int_ge(fix_find(&r, "it was sealed to the auditor key"), 0);
	verify_free(fix_run(&r, log, k.pk, NULL));
	ck_assert_int_eq(r.s.secret_is_public, 1);
	ck_assert_int_ge(fix_find(&r, "the secret key given is the auditor's "
	    "public key"), 0);
	free(log);
}
END_TEST

/* A chain of the first release (v1: BLAKE2b, no time, no head) verifies. */
START_TEST(test_walk_v1)
{
	unsigned char k[CHAIN_KEY_BYTES], sealed[CHAIN_SEALED_BYTES];
	unsigned char mac[CHAIN_MAC1_BYTES];
	char hex[2 * CHAIN_SEALED_BYTES + 1], mh[2 * CHAIN_MAC1_BYTES + 1];
	char tmp[FIX_LINE_MAX];
	const char *want[1] = { "log:3: modified: seq 2 does not verify (mac "
	    "mismatch)" };
	struct fix_keys fk;
	struct fix_log *log;
	struct fix_run r;
	size_t o;
	int i;

	fix_keys(&fk);
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	randombytes_buf(k, sizeof(k));
	ck_assert_int_eq(crypto_box_seal(sealed, k, sizeof(k), fk.pk), 0);
	chain_hex(hex, sealed, sizeof(sealed));
	for (i = 0; i < 5; i++) {
		char *l = log->line[log->n++];

		o = (size_t)snprintf(l, FIX_LINE_MAX, HDR "%s%s%s epoch="
		    "0123456789abcdef seq=%d", i == 0 ? "event=start" : i == 4 ?
		    "event=stop" : "conn=1", i == 0 ? " sealed=" : "",
		    i == 0 ? hex : "", i);
		chain_mac_v1(k, l + strlen(HDR), o - strlen(HDR), mac);
		chain_next_v1(k);
		chain_hex(mh, mac, sizeof(mac));
		snprintf(l + o, FIX_LINE_MAX - o, " mac=%s", mh);
	}
	verify_free(fix_run(&r, log, fk.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.verified, 5);
	/* its own mac cut to v2's length (32 digits) does not verify */
	memcpy(tmp, log->line[2], FIX_LINE_MAX);
	strstr(log->line[2], " mac=")[5 + 2 * CHAIN_MAC_BYTES] = '\0';
	verify_free(fix_run(&r, log, fk.sk, NULL));
	ck_assert_uint_eq(r.s.verified, 4);
	fix_expect(&r, want, 1);
	memcpy(log->line[2], tmp, FIX_LINE_MAX);
	/* a v2 mac in a v1 chain does not verify */
	memcpy(strstr(log->line[2], " mac=") + 5,
	    "00112233445566778899aabbccddeeff", 33);
	verify_free(fix_run(&r, log, fk.sk, NULL));
	ck_assert_uint_eq(r.s.verified, 4);
	ck_assert_int_ge(fix_find(&r, "log:3: modified: seq 2"), 0);
	free(log);
}
END_TEST

/* Append to line i of log its own mac's digits: v1's length, v2's text. */
static void
mac_doubled(struct fix_log *log, size_t i)
{
	char *m = strstr(log->line[i], " mac=");

	ck_assert_ptr_nonnull(m);
	m += 5;
	ck_assert_uint_eq(strlen(m), 2 * CHAIN_MAC_BYTES);
	ck_assert_uint_lt((size_t)(m - log->line[i]) + 4 * CHAIN_MAC_BYTES,
	    FIX_LINE_MAX);
	memcpy(m + 2 * CHAIN_MAC_BYTES, m, 2 * CHAIN_MAC_BYTES);
	m[4 * CHAIN_MAC_BYTES] = '\0';
}

/*
 * Only a mac's length changed: a v2 record's genuine 32 digits given
 * twice (64, v1's length) are the mac of another chain's making, not
 * this epoch's, though its first 16 bytes are right; modified, where
 * the walk checks it in order and where it checks one behind it with
 * a key from the ring.
 */
START_TEST(test_walk_mac_length)
{
	struct fix_keys k;
	struct fix_epoch e;
	struct fix_log *log;
	struct fix_run r;
	char tmp[FIX_LINE_MAX];
	const char *want[1];

	fix_keys(&k);
	log = one_epoch(&k, HDR, 10, 1, &e);
	memcpy(tmp, log->line[2], FIX_LINE_MAX);
	mac_doubled(log, 2);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:3: modified: seq 2 does not verify (mac mismatch)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 9);

	/* seq 2 moved to the end: checked behind the walk */
	memcpy(log->line[2], tmp, FIX_LINE_MAX);
	move_to_end(log, 2);
	mac_doubled(log, log->n - 1);
	verify_free(fix_run(&r, log, k.sk, NULL));
	want[0] = "log:10: modified: seq 2 does not verify (mac mismatch)";
	fix_expect(&r, want, 1);
	ck_assert_uint_eq(r.s.verified, 9);
	free(log);
}
END_TEST

/*
 * The old fixed mix of the epoch table (x ^= x >> 33, times C, again),
 * undone: ids that it put in one slot of any table up to 2^21 slots.
 */
static uint64_t
old_mix_inverse(uint64_t h)
{
	const uint64_t c = 0xff51afd7ed558ccdULL;
	uint64_t ci = c;
	int i;

	for (i = 0; i < 6; i++)		/* Newton: c * ci = 1 mod 2^64 */
		ci *= 2 - c * ci;
	h ^= h >> 33;
	h *= ci;
	h ^= h >> 33;
	return h;
}

/* N forged one-line epochs with ids of the old mix's one slot. */
static void
feed_colliding(struct verify *v, size_t n)
{
	char line[256];
	size_t i;
	int len;

	for (i = 1; i <= n; i++) {
		len = snprintf(line, sizeof(line), "conn=%016zx proto=tcp "
		    "time=2026-12-02T12:00:00.000000Z epoch=%016" PRIx64
		    " seq=1 mac=%032d", i, old_mix_inverse((uint64_t)i << 21),
		    0);
		ck_assert(len > 0 && (size_t)len < sizeof(line));
		ck_assert_int_eq(verify_line(v, "log", i, line, (size_t)len),
		    0);
	}
}

/*
 * Red team: epoch ids chosen to fall in one slot of the epoch table made
 * verify quadratic (80,000 lines: 20 s). Keyed, the table's probes stay
 * about linear: counted, not timed.
 */
START_TEST(test_walk_ids_collide)
{
	unsigned char sk[CHAIN_KEY_BYTES] = { 1 };
	struct verify_summary s;
	struct verify *v;
	size_t n = 4000;

	ck_assert_ptr_nonnull(v = verify_new(sk, NULL, NULL));
	feed_colliding(v, n);
	ck_assert_uint_eq(verify_nepochs(v), n);
	ck_assert_uint_le(v->probes, 16 * n);
	(void)verify_finish(v, &s);
	ck_assert_uint_eq(s.epochs, n);
	ck_assert_uint_le(v->probes, 32 * n);
	verify_free(v);
}
END_TEST

/* Each verifier draws its own hash key: the same ids, other slots. */
START_TEST(test_walk_ids_keyed)
{
	unsigned char sk[CHAIN_KEY_BYTES] = { 1 };
	struct verify *v1, *v2;

	ck_assert_ptr_nonnull(v1 = verify_new(sk, NULL, NULL));
	ck_assert_ptr_nonnull(v2 = verify_new(sk, NULL, NULL));
	feed_colliding(v1, 64);
	feed_colliding(v2, 64);
	ck_assert_uint_eq(v1->etabcap, v2->etabcap);
	ck_assert_int_ne(memcmp(v1->etab, v2->etab, v1->etabcap *
	    sizeof(*v1->etab)), 0);
	verify_free(v1);
	verify_free(v2);
}
END_TEST

Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc;

	tc = tcase_create("walk");
	tcase_add_test(tc, test_walk_layouts);
	tcase_add_test(tc, test_walk_findings);
	tcase_add_test(tc, test_walk_after_stop);
	tcase_add_test(tc, test_walk_files);
	tcase_add_test(tc, test_walk_keys);
	tcase_add_test(tc, test_walk_v1);
	tcase_add_test(tc, test_walk_mac_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_walk_huge_seq);
	tcase_add_test(tc, test_walk_budget);
	tcase_add_test(tc, test_walk_unsealed);
	tcase_add_test(tc, test_walk_overlong);
	tcase_add_test(tc, test_walk_bounds);
	tcase_add_test(tc, test_walk_ring_bound);
	tcase_add_test(tc, test_walk_forged_ahead);
	tcase_add_test(tc, test_walk_ids_collide);
	tcase_add_test(tc, test_walk_ids_keyed);
	suite_add_tcase(s, tc);
	return s;
}
