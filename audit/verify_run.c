/* SPDX-License-Identifier: ISC */
/*
 * verify_run: runs of consecutive records that earn one note between
 * them (reordered, late, too far, over the budget, forged far ahead,
 * missing, unsealed):
 * extended record by record, then told in the words of their kind.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>

#include "audit/verify.h"
#include "audit/verify_int.h"

/*
 * Add seq to a run: it extends the run when it follows its last seq on
 * the next line of the same file (and relates to the same other seq);
 * otherwise the run so far is noted and a new one begins.
 */
void
verify_run_add(struct verify *v, struct verify_epoch *ep, size_t host,
    struct verify_run *r, uint64_t seq, uint32_t file, unsigned long line,
    uint64_t other, uint32_t ofile, unsigned long oline)
{
	if (r->on && r->file == file && r->line1 + 1 == line &&
	    r->last + 1 == seq && r->other == other) {
		r->last = seq;
		r->line1 = line;
		return;
	}
	verify_run_flush(v, ep, host, r);
	r->on = 1;
	r->first = r->last = seq;
	r->file = file;
	r->line0 = r->line1 = line;
	r->other = other;
	r->other_file = ofile;
	r->other_line = oline;
}

/* "FILE:L" or "FILE:L0-L1" for a run's lines. */
static void
verify_run_where(const struct verify *v, const struct verify_run *r,
    char *buf, size_t len)
{
	int n;

	if (r->line0 == r->line1)
		n = snprintf(buf, len, "%s:%lu", v->files[r->file], r->line0);
	else
		n = snprintf(buf, len, "%s:%lu-%lu", v->files[r->file],
		    r->line0, r->line1);
	if (n < 0 || (size_t)n >= len)
		snprintf(buf, len, "%.200s", v->files[r->file]);
}

/* "seq N" or "seq A..B (K records)". */
static void
verify_run_seqs(const struct verify_run *r, char *buf, size_t len)
{
	if (r->first == r->last)
		snprintf(buf, len, "seq %" PRIu64, r->first);
	else
		snprintf(buf, len, "seq %" PRIu64 "..%" PRIu64 " (%" PRIu64
		    " records)", r->first, r->last, r->last - r->first + 1);
}

/* Note a run in the words of its kind, then clear it. */
void
verify_run_flush(struct verify *v, struct verify_epoch *ep, size_t host,
    struct verify_run *r)
{
	char where[512], seqs[96];
	const char *id = ep != NULL ? ep->hex : "?";

	if (!r->on)
		return;
	r->on = 0;
	verify_run_where(v, r, where, sizeof(where));
	verify_run_seqs(r, seqs, sizeof(seqs));
	switch (r->kind) {
	case VERIFY_RUN_REORDER:
		if (r->first == r->last && r->other == r->first + 1 &&
		    r->other_file == r->file && r->other_line + 1 == r->line0)
			verify_note(v, VERIFY_FINDING, ep, host, "%s: reordered: "
			    "seq %" PRIu64 " and seq %" PRIu64 " (%s:%lu) are "
			    "swapped", where, r->first, r->other,
			    v->files[r->other_file], r->other_line);
		else
			verify_note(v, VERIFY_FINDING, ep, host, "%s: reordered: "
			    "%s come%s after seq %" PRIu64 " (%s:%lu)", where,
			    seqs, r->first == r->last ? "s" : "", r->other,
			    v->files[r->other_file], r->other_line);
		break;
	case VERIFY_RUN_LATE:
		verify_note(v, VERIFY_FINDING, ep, host, "%s: not checked: %s "
		    "of epoch %s came after the walk was more than %d records "
		    "past it (moved, or inserted)", where, seqs, id, VERIFY_RING);
		break;
	case VERIFY_RUN_FAR:
		verify_note(v, VERIFY_FINDING, ep, host, "%s: not checked: %s "
		    "of epoch %s is more than %llu records past the last "
		    "verified record (seq %" PRIu64 "): a forged sequence "
		    "number, or that many records deleted", where, seqs, id,
		    (unsigned long long)VERIFY_GAP_MAX, r->other);
		break;
	case VERIFY_RUN_BUDGET:
		verify_note(v, VERIFY_FINDING, ep, host, "%s: not checked: %s "
		    "of epoch %s: the walk already took %llu key steps that "
		    "verified nothing (forged sequence numbers?)", where, seqs,
		    id, (unsigned long long)VERIFY_WALK_BUDGET);
		break;
	case VERIFY_RUN_FORGED:
		verify_note(v, VERIFY_FINDING, ep, host, "%s: modified or "
		    "inserted: %s of epoch %s, more than %d records ahead of "
		    "the walk, do%s not verify (the walk does not follow)",
		    where, seqs, id, VERIFY_RING, r->first == r->last ? "es" :
		    "");
		break;
	case VERIFY_RUN_MISSING:
		if (r->first == r->last)
			verify_note(v, VERIFY_FINDING, ep, host, "epoch %s: "
			    "missing: %s%s%s%s", id, seqs, r->line0 ? " (before " :
			    "", r->line0 ? where : "", r->line0 ? ")" : "");
		else
			verify_note(v, VERIFY_FINDING, ep, host, "epoch %s: "
			    "missing: seq %" PRIu64 "..%" PRIu64 " (%" PRIu64
			    " records%s%s)", id, r->first, r->last,
			    r->last - r->first + 1, r->line0 ? ", before " : "",
			    r->line0 ? where : "");
		break;
	case VERIFY_RUN_UNSEALED:
		/* the run's epoch (other), not the caller's */
		ep = r->other < v->nepochs ? &v->epochs[r->other] : NULL;
		if (ep != NULL)
			verify_note(v, VERIFY_FINDING, ep, host, "%s: unsealed: "
			    "%llu daytimed record%s without chain fields, inside "
			    "epoch %s", where, (unsigned long long)(r->last -
			    r->first + 1), r->first == r->last ? "" : "s",
			    ep->hex);
		else
			verify_note(v, VERIFY_FINDING, NULL, host, "%s: unsealed: "
			    "%llu daytimed record%s without chain fields, from "
			    "host %s, which seals its records", where,
			    (unsigned long long)(r->last - r->first + 1),
			    r->first == r->last ? "" : "s",
			    verify_hostname(v, host));
		break;
	}
}
