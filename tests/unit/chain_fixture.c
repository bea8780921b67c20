/* SPDX-License-Identifier: ISC */
/* chain_fixture: sealed epochs and verifier runs for the suites. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"
#include "tests/unit/chain_fixture.h"

/* An auditor's pair and two hosts' pairs. */
void
fix_keys(struct fix_keys *k)
{
	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(k->pk, k->sk);
	crypto_sign_keypair(k->hpk, k->hsk);
	crypto_sign_keypair(k->hpk2, k->hsk2);
}

/*
 * One epoch: event=start, n - 2 connections, event=stop (if e->stop),
 * each line handed to fn as it is sealed (NUL-terminated, and its
 * length).
 */
void
fix_epoch_lines(struct fix_epoch *e, fix_line_fn *fn, void *arg)
{
	struct chain_start cs;
	struct chain *ch;
	char err[256], l[FIX_LINE_MAX];
	size_t len, pl = strlen(e->prefix);
	uint64_t next;
	int i;

	memset(&cs, 0, sizeof(cs));
	cs.auditor = e->auditor;
	cs.auditor_name = "pub";
	cs.sign_sk = e->sign;
	cs.prev = e->prev;
	ch = chain_open(&cs, err, sizeof(err));
	ck_assert_msg(ch != NULL, "%s", err);
	ck_assert_uint_lt(pl, 200);
	memcpy(l, e->prefix, pl);
	for (i = 0; i < e->n; i++) {
		if (i == 0)
			len = (size_t)snprintf(l + pl, 100, "event=start");
		else if (i == e->n - 1 && e->stop)
			len = (size_t)snprintf(l + pl, 100, "event=stop");
		else
			len = (size_t)snprintf(l + pl, 100, "conn=%016x proto=tcp "
			    "decision=allow", i);
		ck_assert_int_eq(chain_seal(ch, e->t0 + (uint64_t)i * 1000000,
		    l + pl, FIX_LINE_MAX - pl, &len), 0);
		ck_assert_int_eq(l[pl + len], '\0');
		fn(arg, l, pl + len);
	}
	chain_position(ch, e->id, &next);
	e->last = next - 1;
	chain_close(ch);
}

/* A line into a log. */
static void
fix_append(void *arg, const char *line, size_t len)
{
	struct fix_log *log = arg;

	ck_assert_uint_lt(log->n, FIX_LINES_MAX);
	ck_assert_uint_lt(len, FIX_LINE_MAX);
	memcpy(log->line[log->n++], line, len + 1);
}

/* One epoch's lines, appended to log. */
void
fix_epoch(struct fix_log *log, struct fix_epoch *e)
{
	fix_epoch_lines(e, fix_append, log);
}

/* An epoch from its parts. */
void
fix_make(struct fix_log *log, struct fix_epoch *e, const struct fix_keys *k,
    const char *prefix, const unsigned char *sign, const struct link *prev,
    int n, int stop, uint64_t t0)
{
	memset(e, 0, sizeof(*e));
	e->prefix = prefix;
	e->auditor = k->pk;
	e->sign = sign;
	e->prev = prev;
	e->n = n;
	e->stop = stop;
	e->t0 = t0;
	fix_epoch(log, e);
}

/* prev= for the epoch after e. */
void
fix_link(struct link *l, const struct fix_epoch *e, int stopped)
{
	memset(l, 0, sizeof(*l));
	l->kind = LINK_EPOCH;
	memcpy(l->epoch, e->id, sizeof(l->epoch));
	l->seq = e->last;
	l->stopped = stopped;
}

/* Remove line i. */
void
fix_delete(struct fix_log *log, size_t i)
{
	ck_assert_uint_lt(i, log->n);
	memmove(log->line[i], log->line[i + 1], (log->n - i - 1) *
	    sizeof(log->line[0]));
	log->n--;
}

/* Insert a line at i. */
void
fix_insert(struct fix_log *log, size_t i, const char *text)
{
	ck_assert_uint_lt(log->n, FIX_LINES_MAX);
	ck_assert_uint_le(i, log->n);
	memmove(log->line[i + 1], log->line[i], (log->n - i) *
	    sizeof(log->line[0]));
	snprintf(log->line[i], FIX_LINE_MAX, "%s", text);
	log->n++;
}

/* Keep a note. */
static void
fix_note(void *arg, const struct verify_note *n)
{
	struct fix_run *r = arg;

	ck_assert_ptr_nonnull(n->text);
	ck_assert_ptr_null(strchr(n->text, '\n'));
	if (r->nnotes < FIX_NOTES_MAX) {
		snprintf(r->note[r->nnotes], sizeof(r->note[0]), "%s", n->text);
		r->kind[r->nnotes] = n->kind;
	}
	r->nnotes++;
}

/* The verifier over log, notes and summary into r. */
struct verify *
fix_run(struct fix_run *r, const struct fix_log *log, const unsigned char *sk,
    const unsigned char *const *hostkeys)
{
	return fix_run2(r, log, 0, sk, hostkeys);
}

/* The verifier over log as two files, notes and summary into r. */
struct verify *
fix_run2(struct fix_run *r, const struct fix_log *log, size_t split,
    const unsigned char *sk, const unsigned char *const *hostkeys)
{
	static const char older[] = "log.1", newer[] = "log";
	struct verify *v;
	size_t i;

	memset(r, 0, sizeof(*r));
	v = verify_new(sk, NULL, NULL);
	ck_assert_ptr_nonnull(v);
	verify_notes(v, fix_note, r);
	for (i = 0; hostkeys != NULL && hostkeys[i] != NULL; i++)
		ck_assert_int_eq(verify_host_key(v, i ? "host2.pub" :
		    "host.pub", hostkeys[i]), 0);
	for (i = 0; i < log->n; i++)
		ck_assert_int_eq(verify_line(v, i < split ? older : newer,
		    i < split ? i + 1 : i - split + 1, log->line[i],
		    strlen(log->line[i])), 0);
	ck_assert_int_eq(verify_finish(v, &r->s), 0);
	ck_assert_uint_eq(r->s.findings + r->s.warnings, r->nnotes);
	return v;
}

/* The first note holding text, or -1. */
int
fix_find(const struct fix_run *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->nnotes && i < FIX_NOTES_MAX; i++)
		if (strstr(r->note[i], text) != NULL)
			return (int)i;
	return -1;
}

/* The findings of a run, one per entry of want, in order. */
void
fix_expect(const struct fix_run *r, const char *const *want, size_t n)
{
	size_t i, f = 0;

	for (i = 0; i < r->nnotes && i < FIX_NOTES_MAX; i++) {
		if (r->kind[i] != VERIFY_FINDING)
			continue;
		ck_assert_msg(f < n, "unexpected finding: %s", r->note[i]);
		ck_assert_msg(strcmp(r->note[i], want[f]) == 0,
		    "finding %zu: got \"%s\", want \"%s\"", f, r->note[i],
		    want[f]);
		f++;
	}
	ck_assert_msg(f == n, "%zu findings, want %zu", f, n);
	ck_assert_uint_eq(r->s.findings, n);
}
