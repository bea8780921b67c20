/* SPDX-License-Identifier: ISC */
/*
 * verify: the chain walk (see verify.h); reading a line is
 * verify_parse.c.
 *
 * Records are kept in file order and grouped by epoch. At the end each
 * epoch's sealed K0 is opened with the auditor's secret key and walked
 * forward once over its records sorted by seq; then, per record in file
 * order, what does not verify is reported, the records out of one longest
 * rising run of seq are reported as reordered, and the seqs missing up to
 * the last verified record as missing.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"

#define VERIFY_SEQ_SPAN		10000000ULL	/* farthest a key is walked ahead */
#define VERIFY_FINDING_MAX	1024		/* a finding's text, before malloc */

struct verify_rec {
	char			*text;		/* the record, from conn=/event= on */
	size_t			 len;
	struct verify_fields	 f;
	const char		*file;
	unsigned long		 line;
	int			 verified;
	int			 dup;		/* a verified repeat of an earlier one */
	struct verify_rec	*orig;		/* the verified record of this seq */
};

struct verify_epoch {
	char		 id[CHAIN_EPOCH_HEX + 1];
	size_t		*idx;		/* records, in file order */
	size_t		 n;
	size_t		 cap;
};

/* A record's place in the seq order: by seq, then by position. */
struct verify_order_key {
	uint64_t	 seq;
	size_t		 idx;
};

struct verify {
	struct verify_rec	*recs;
	size_t			 nrecs;
	size_t			 caprecs;
	struct verify_epoch	*epochs;
	size_t			 nepochs;
	size_t			 capepochs;
	unsigned long		 findings;
	size_t			 unsealed;
	unsigned char		 pk[CHAIN_KEY_BYTES];
	unsigned char		 sk[CHAIN_KEY_BYTES];
	verify_finding_fn	*report;
	void			*report_arg;
};

static struct verify_epoch *verify_epoch(struct verify *, const char *);
static int	verify_epoch_check(struct verify *, struct verify_epoch *);
static size_t	*verify_sorted(struct verify *, struct verify_epoch *);
static void	verify_mark_dups(struct verify *, const size_t *, size_t);
static void	verify_report_recs(struct verify *, struct verify_epoch *,
		    int, uint64_t);
static void	verify_report_gaps(struct verify *, struct verify_epoch *,
		    const size_t *, uint64_t);
static int	verify_order(struct verify *, struct verify_epoch *);
static void	verify_finding(struct verify *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	*verify_grow(void *, size_t *, size_t, size_t);
static int	verify_order_cmp(const void *, const void *);

/* A verifier for the auditor's secret key sk. */
struct verify *
verify_new(const unsigned char sk[CHAIN_KEY_BYTES], verify_finding_fn *report,
    void *arg)
{
	struct verify *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	memcpy(v->sk, sk, CHAIN_KEY_BYTES);
	crypto_scalarmult_base(v->pk, v->sk);
	v->report = report;
	v->report_arg = arg;
	return v;
}

/* Wipe the secret key and free every record. */
void
verify_free(struct verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	sodium_memzero(v->sk, sizeof(v->sk));
	for (i = 0; i < v->nrecs; i++)
		free(v->recs[i].text);
	free(v->recs);
	for (i = 0; i < v->nepochs; i++)
		free(v->epochs[i].idx);
	free(v->epochs);
	free(v);
}

/* Keep the sealed record a line holds; report one with broken fields. */
int
verify_line(struct verify *v, const char *file, unsigned long lineno,
    const char *line, size_t len)
{
	const char *start;
	struct verify_rec r;
	struct verify_epoch *ep;
	void *p2;
	size_t rl;
	int p;

	if ((start = verify_find_record(line, len)) == NULL)
		return 0;
	rl = len - (size_t)(start - line);
	memset(&r, 0, sizeof(r));
	r.file = file;
	r.line = lineno;
	p = verify_fields_parse(start, rl, &r.f);
	if (p == 1) {
		v->unsealed++;
		return 0;
	}
	if (p == -1) {
		verify_finding(v, "%s:%lu: modified: a daytimed record with "
		    "broken chain fields", file, lineno);
		return 0;
	}
	if ((p2 = verify_grow(v->recs, &v->caprecs, v->nrecs,
	    sizeof(*v->recs))) == NULL)
		return -1;
	v->recs = p2;
	if ((ep = verify_epoch(v, r.f.epoch)) == NULL ||
	    (p2 = verify_grow(ep->idx, &ep->cap, ep->n, sizeof(*ep->idx))) ==
	    NULL)
		return -1;
	ep->idx = p2;
	if ((r.text = malloc(rl + 1)) == NULL)
		return -1;
	memcpy(r.text, start, rl);
	r.text[rl] = '\0';
	r.len = rl;
	v->recs[v->nrecs] = r;
	ep->idx[ep->n++] = v->nrecs++;
	return 0;
}

/* The epoch with this id, made on first sight; NULL: no memory. */
static struct verify_epoch *
verify_epoch(struct verify *v, const char *id)
{
	void *p;
	size_t i;

	for (i = 0; i < v->nepochs; i++)
		if (strcmp(v->epochs[i].id, id) == 0)
			return &v->epochs[i];
	if ((p = verify_grow(v->epochs, &v->capepochs, v->nepochs,
	    sizeof(*v->epochs))) == NULL)
		return NULL;
	v->epochs = p;
	memset(&v->epochs[v->nepochs], 0, sizeof(v->epochs[0]));
	memcpy(v->epochs[v->nepochs].id, id, CHAIN_EPOCH_HEX + 1);
	return &v->epochs[v->nepochs++];
}

/* Check every epoch, then count. */
int
verify_finish(struct verify *v, struct verify_summary *s)
{
	size_t e, i;
	int r;

	memset(s, 0, sizeof(*s));
	for (e = 0; e < v->nepochs; e++) {
		r = verify_epoch_check(v, &v->epochs[e]);
		if (r == -2)
			return -1;
		if (r == 1)
			s->mismatched++;
		else if (r == 0)
			s->opened++;
	}
	for (i = 0; i < v->nrecs; i++)
		if (v->recs[i].verified && !v->recs[i].dup)
			s->verified++;
	if (v->nrecs == 0)
		verify_finding(v, "no sealed daytimed records found");
	s->records = v->nrecs;
	s->epochs = v->nepochs;
	s->unsealed = v->unsealed;
	s->findings = v->findings;
	return 0;
}

/*
 * Verify one epoch's chain and report what is wrong. Returns 0 when the
 * sealed key opened, 1 when the secret key does not open it, -1 when
 * there is no sealed key to open, -2 when out of memory.
 */
static int
verify_epoch_check(struct verify *v, struct verify_epoch *ep)
{
	unsigned char *k, mac[CHAIN_MAC_BYTES];
	size_t *sorted, i, found = 0;
	struct verify_rec *r;
	uint64_t cur = 0, maxv = 0;
	int have_sealed = 0, have_v = 0;

	if ((k = sodium_malloc(CHAIN_KEY_BYTES)) == NULL)
		return -2;
	for (i = 0; i < ep->n && !found; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->f.seq != 0 || !r->f.has_sealed)
			continue;
		have_sealed = 1;
		if (crypto_box_seal_open(k, r->f.sealed, CHAIN_SEALED_BYTES,
		    v->pk, v->sk) == 0)
			found = 1;
	}
	if (!found) {
		sodium_free(k);
		if (have_sealed) {
			verify_finding(v, "secret key does not match epoch %s "
			    "(%zu records not verified)", ep->id, ep->n);
			return 1;
		}
		verify_finding(v, "epoch %s: its start record (seq 0, with the "
		    "sealed key) is missing: %zu records cannot be verified",
		    ep->id, ep->n);
		return -1;
	}

	/* walk the key forward once, over the records sorted by seq */
	if ((sorted = verify_sorted(v, ep)) == NULL) {
		sodium_free(k);
		return -2;
	}
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[sorted[i]];
		if (r->f.seq - cur > VERIFY_SEQ_SPAN)
			break;	/* forged far ahead: nothing verifies there */
		while (cur < r->f.seq) {
			chain_next(k);
			cur++;
		}
		chain_mac(k, r->text, r->f.maclen, mac);
		r->verified = sodium_memcmp(mac, r->f.mac, sizeof(mac)) == 0;
		if (r->verified && (!have_v || r->f.seq > maxv)) {
			maxv = r->f.seq;
			have_v = 1;
		}
	}
	sodium_free(k);
	verify_mark_dups(v, sorted, ep->n);
	verify_report_recs(v, ep, have_v, maxv);
	if (have_v) {
		if (verify_order(v, ep) == -1) {
			free(sorted);
			return -2;
		}
		verify_report_gaps(v, ep, sorted, maxv);
	}
	free(sorted);
	return 0;
}

/* The epoch's record indices sorted by seq, then position; NULL: no memory. */
static size_t *
verify_sorted(struct verify *v, struct verify_epoch *ep)
{
	struct verify_order_key *keys;
	size_t *sorted, i;

	keys = calloc(ep->n ? ep->n : 1, sizeof(*keys));
	sorted = calloc(ep->n ? ep->n : 1, sizeof(*sorted));
	if (keys == NULL || sorted == NULL) {
		free(keys);
		free(sorted);
		return NULL;
	}
	for (i = 0; i < ep->n; i++) {
		keys[i].seq = v->recs[ep->idx[i]].f.seq;
		keys[i].idx = ep->idx[i];
	}
	qsort(keys, ep->n, sizeof(*keys), verify_order_cmp);
	for (i = 0; i < ep->n; i++)
		sorted[i] = keys[i].idx;
	free(keys);
	return sorted;
}

/* The first verified record of each seq is the original; the rest repeat. */
static void
verify_mark_dups(struct verify *v, const size_t *sorted, size_t n)
{
	struct verify_rec *r, *o;
	size_t i, j, k;

	for (i = 0; i < n; i = j) {
		o = NULL;
		for (j = i; j < n &&
		    v->recs[sorted[j]].f.seq == v->recs[sorted[i]].f.seq; j++)
			if (o == NULL && v->recs[sorted[j]].verified)
				o = &v->recs[sorted[j]];
		for (k = i; k < j; k++) {
			r = &v->recs[sorted[k]];
			if (r != o)
				r->orig = o;
			if (r->verified && r != o)
				r->dup = 1;
		}
	}
}

/* Per record, in file order: modified, inserted, repeated. */
static void
verify_report_recs(struct verify *v, struct verify_epoch *ep, int have_v,
    uint64_t maxv)
{
	struct verify_rec *r;
	size_t i;

	for (i = 0; i < ep->n; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->dup)
			verify_finding(v, "%s:%lu: inserted: repeats seq %"
			    PRIu64 " of %s:%lu", r->file, r->line, r->f.seq,
			    r->orig->file, r->orig->line);
		else if (!r->verified && r->orig != NULL)
			verify_finding(v, "%s:%lu: inserted: seq %" PRIu64
			    " does not verify and seq %" PRIu64 " is at %s:%lu",
			    r->file, r->line, r->f.seq, r->f.seq,
			    r->orig->file, r->orig->line);
		else if (!r->verified && (!have_v || r->f.seq > maxv))
			verify_finding(v, "%s:%lu: modified or inserted: seq %"
			    PRIu64 " does not verify (past the last verified "
			    "record)", r->file, r->line, r->f.seq);
		else if (!r->verified)
			verify_finding(v, "%s:%lu: modified: seq %" PRIu64
			    " does not verify (mac mismatch)", r->file,
			    r->line, r->f.seq);
	}
}

/*
 * Gaps: every seq up to the last verified one (maxv) must be present;
 * and that last record must be the stop record.
 */
static void
verify_report_gaps(struct verify *v, struct verify_epoch *ep,
    const size_t *sorted, uint64_t maxv)
{
	struct verify_rec *r, *last = NULL;
	uint64_t expect = 0;
	size_t i;

	for (i = 0; i < ep->n; i++) {
		r = &v->recs[sorted[i]];
		if (r->f.seq > maxv)
			break;
		if (r->f.seq > expect) {
			if (r->f.seq - expect == 1)
				verify_finding(v, "epoch %s: missing: seq %"
				    PRIu64 " (before %s:%lu)", ep->id, expect,
				    r->file, r->line);
			else
				verify_finding(v, "epoch %s: missing: seq %"
				    PRIu64 "..%" PRIu64 " (%" PRIu64 " records, "
				    "before %s:%lu)", ep->id, expect,
				    r->f.seq - 1, r->f.seq - expect, r->file,
				    r->line);
		}
		if (r->f.seq >= expect)
			expect = r->f.seq + 1;
		if (r->verified && !r->dup && r->f.seq == maxv)
			last = r;
	}
	if (last != NULL && !last->f.is_stop)
		verify_finding(v, "epoch %s: chain ends at seq %" PRIu64
		    " (%s:%lu) without a stop record (truncated or still "
		    "running)", ep->id, maxv, last->file, last->line);
}

/*
 * Reordering: the verified records, in file order, should have rising
 * seq. Those outside one longest rising run are the ones that moved.
 * -1: out of memory.
 */
static int
verify_order(struct verify *v, struct verify_epoch *ep)
{
	size_t *list, *tails, *prev, n = 0, len = 0, i, lo, hi, mid, k;
	unsigned char *keep;
	struct verify_rec *r, *before;

	if ((list = calloc(ep->n ? ep->n : 1, sizeof(*list))) == NULL)
		return -1;
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->verified && !r->dup)
			list[n++] = ep->idx[i];
	}
	if (n == 0) {
		free(list);
		return 0;
	}
	tails = calloc(n, sizeof(*tails));
	prev = calloc(n, sizeof(*prev));
	keep = calloc(n, 1);
	if (tails == NULL || prev == NULL || keep == NULL) {
		free(keep);
		free(prev);
		free(tails);
		free(list);
		return -1;
	}
	for (i = 0; i < n; i++) {
		lo = 0;
		hi = len;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (v->recs[list[tails[mid]]].f.seq <
			    v->recs[list[i]].f.seq)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo > 0 ? tails[lo - 1] : SIZE_MAX;
		tails[lo] = i;
		if (lo == len)
			len++;
	}
	for (k = tails[len - 1]; k != SIZE_MAX; k = prev[k])
		keep[k] = 1;
	for (i = 0; i < n; i++) {
		if (keep[i])
			continue;
		r = &v->recs[list[i]];
		before = i > 0 ? &v->recs[list[i - 1]] : NULL;
		if (before != NULL)
			verify_finding(v, "%s:%lu: reordered: seq %" PRIu64
			    " comes after seq %" PRIu64, r->file, r->line,
			    r->f.seq, before->f.seq);
		else
			verify_finding(v, "%s:%lu: reordered: seq %" PRIu64
			    " comes first", r->file, r->line, r->f.seq);
	}
	free(keep);
	free(prev);
	free(tails);
	free(list);
	return 0;
}

/* Format one finding, count it, hand it to the caller's callback. */
static void
verify_finding(struct verify *v, const char *fmt, ...)
{
	char small[VERIFY_FINDING_MAX], *text = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= sizeof(small) &&
	    (text = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else if (text == NULL)
		text = small;	/* no memory: the cut text is better than none */
	v->findings++;
	if (v->report != NULL)
		v->report(v->report_arg, text);
	if (text != small)
		free(text);
}

/*
 * Room for one more element in arr (n used of *cap): arr itself or its
 * larger copy; NULL (arr untouched) when out of memory.
 */
static void *
verify_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return arr;
	ncap = *cap ? 2 * *cap : 64;
	if (ncap > SIZE_MAX / size || (q = realloc(arr, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}

/* Order by seq, then by position. */
static int
verify_order_cmp(const void *a, const void *b)
{
	const struct verify_order_key *ka = a, *kb = b;

	if (ka->seq != kb->seq)
		return ka->seq < kb->seq ? -1 : 1;
	return ka->idx < kb->idx ? -1 : (ka->idx > kb->idx);
}
