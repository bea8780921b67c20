/* SPDX-License-Identifier: ISC */
/*
 * verify_walk: one epoch's chain, record by record, in one pass.
 *
 * An epoch opens at its start record: the signature is checked against
 * the listed host keys first (an epoch none of them signed is rejected
 * without any work), then the sealed K0 is opened with the auditor's
 * secret key. Records that come before it are held (VERIFY_BUFFER_MAX
 * bytes in all) and walked when it comes.
 *
 * The walk keeps K_cur, the key of the next seq, and a ring of the keys
 * of the last VERIFY_RING seqs with where their records were. A record
 * of seq cur is checked and the key stepped; one a little ahead is
 * reached by stepping over the seqs between (they wait in the ring, and
 * are missing if they never come); one behind is checked with its key
 * from the ring (a repeat, an insertion, a record moved: all told
 * apart); one further behind can no longer be checked and says so. A
 * record more than VERIFY_RING ahead is held (VERIFY_AHEAD_MAX of them)
 * until the walk comes near, or the hold is full, or the input ends: a
 * single forged seq cannot make the records before it uncheckable, and
 * one let go of the hold is walked to only if it verifies, so many
 * cannot either. No
 * walk goes more than VERIFY_GAP_MAX past the last verified record, and
 * walks that verify nothing spend the run's VERIFY_WALK_BUDGET. The ring
 * and what is held are verify_ring.c's.
 *
 * Once its stop record and every record before it have verified, an
 * epoch is complete: its walk ends and its ring is freed, and a record of
 * it that comes later, in any file, has no place in it. Order is checked
 * across the files (read oldest first): a record verified after a higher
 * seq of its epoch, in its file or an earlier one, was moved; a start
 * record, too, after the records held before it (a start after the stop
 * record was moved: it is no record past the end, as the epoch could not
 * be complete before it).
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

static void	verify_start(struct verify *, struct verify_epoch *, uint32_t,
		    unsigned long, const char *, size_t,
		    const struct verify_fields *);
static int	verify_origin(struct verify *, struct verify_epoch *,
		    uint32_t, unsigned long, const struct verify_fields *);
static void	verify_late(struct verify *, struct verify_epoch *, uint32_t,
		    unsigned long, const char *, const struct verify_fields *);
static void	verify_after_stop(struct verify *, struct verify_epoch *,
		    uint32_t, unsigned long, uint64_t);
static int	verify_mac_ok(const struct verify_epoch *,
		    const unsigned char *, const char *,
		    const struct verify_fields *);
static int	verify_check_step(struct verify_epoch *, const char *,
		    const struct verify_fields *);
static int	verify_far_ok(struct verify *, struct verify_epoch *,
		    const char *, const struct verify_fields *);
static void	verify_step(struct verify_epoch *);
static void	verify_accept(struct verify *, struct verify_epoch *,
		    struct verify_slot *, uint32_t, unsigned long,
		    const struct verify_fields *);
static void	verify_order(struct verify *, struct verify_epoch *, uint32_t,
		    unsigned long, uint64_t);

/* A sealed record of ep: its start opens it; then walk, or hold. */
void
verify_walk_record(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, const char *rec, size_t len,
    const struct verify_fields *f)
{
	ep->records++;
	if (!ep->seen || f->seq < ep->minseq)
		ep->minseq = f->seq;
	if (!ep->seen || f->seq > ep->maxseq)
		ep->maxseq = f->seq;
	ep->seen = 1;
	if (f->seq == 0 && f->has_sealed) {
		if (ep->state == VERIFY_EPOCH_UNOPENED) {
			verify_start(v, ep, file, line, rec, len, f);
			return;
		}
		if (ep->has_start && sodium_memcmp(ep->sealed, f->sealed,
		    CHAIN_SEALED_BYTES) != 0) {
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "forged: a second start record of epoch %s with "
			    "another sealed key (the first at %s:%lu)",
			    v->files[file], line, ep->hex,
			    v->files[ep->start_file], ep->start_line);
			return;
		}
	}
	switch (ep->state) {
	case VERIFY_EPOCH_UNOPENED:
		verify_hold(v, ep, &ep->held, &ep->nheld, &ep->capheld, file,
		    line, rec, len, f->seq);
		break;
	case VERIFY_EPOCH_OPEN:
		if (ep->complete) {
			verify_after_stop(v, ep, file, line, f->seq);
			break;
		}
		verify_walk_seq(v, ep, file, line, rec, len, f, 0);
		while (ep->nahead > 0 && verify_ahead_pop(v, ep, 0))
			;
		verify_ring_done(v, ep);
		break;
	default:
		break;	/* not opened, not signed: counted only */
	}
}

/* The start record: who signed it, then the sealed key, then the walk. */
static void
verify_start(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, const char *rec, size_t len,
    const struct verify_fields *f)
{
	unsigned char k0[CHAIN_KEY_BYTES];
	size_t i;

	ep->has_start = 1;
	ep->start_file = file;
	ep->start_line = line;
	memcpy(ep->sealed, f->sealed, CHAIN_SEALED_BYTES);
	if ((ep->has_sealed_to = f->has_sealed_to))
		memcpy(ep->sealed_to, f->sealed_to, CHAIN_KEY_BYTES);
	if ((ep->has_prev = f->has_prev))
		ep->prev = f->prev;
	if ((ep->has_host_key = f->has_host_key))
		memcpy(ep->host_key, f->host_key, CHAIN_SIGN_PK_BYTES);
	if (verify_origin(v, ep, file, line, f) == -1)
		ep->state = VERIFY_EPOCH_REJECTED;
	else if (crypto_box_seal_open(k0, f->sealed, CHAIN_SEALED_BYTES,
	    v->pk, v->sk) != 0)
		ep->state = VERIFY_EPOCH_NOKEY;
	else {
		ep->state = VERIFY_EPOCH_OPEN;
		ep->version = f->version;
		memcpy(ep->key, k0, CHAIN_KEY_BYTES);
		sodium_memzero(k0, sizeof(k0));
		ep->cur = 0;
		ep->opening = 1;
		verify_walk_seq(v, ep, file, line, rec, len, f, 0);
		ep->opening = 0;
	}
	/* what came before the start: walked now, in the order it came */
	for (i = 0; i < ep->nheld; i++)
		verify_replay(v, ep, &ep->held[i], 0);
	free(ep->held);
	ep->held = NULL;
	ep->nheld = ep->capheld = 0;
	while (ep->nahead > 0 && verify_ahead_pop(v, ep, 0))
		;
	/*
	 * The start's order, at its place: after what came before it (a
	 * start after seq 1, or after the stop record, was moved there).
	 */
	if (ep->start_order) {
		ep->start_order = 0;
		verify_order(v, ep, file, line, 0);
	}
	verify_ring_done(v, ep);
}

/*
 * The epoch's signature. With listed host keys, an epoch not signed by
 * one of them is rejected (-1), by name; without, the signature (if any)
 * is only checked against the key the record names.
 */
static int
verify_origin(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, const struct verify_fields *f)
{
	char prev[LINK_TEXT_MAX + 1], msg[CHAIN_MESSAGE_MAX], kh[17];
	const char *why = NULL;
	size_t i;
	int ml, ok = 0;

	if (f->has_sig) {
		if (f->has_prev) {
			memcpy(prev, f->prev_text, f->prev_len);
			prev[f->prev_len] = '\0';
		}
		ml = chain_epoch_message(msg, sizeof(msg), ep->hex,
		    f->has_prev ? prev : NULL, f->sealed_to, f->sealed,
		    f->host_key);
		ok = ml > 0 && crypto_sign_verify_detached(f->sig,
		    (const unsigned char *)msg, (unsigned long long)ml,
		    f->host_key) == 0;
	}
	if (v->nhkeys == 0) {
		ep->auth = !f->has_sig ? VERIFY_AUTH_UNSIGNED : ok ?
		    VERIFY_AUTH_UNLISTED : VERIFY_AUTH_BAD;
		if (ep->auth == VERIFY_AUTH_BAD)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "epoch %s: its signature does not verify (the start "
			    "record was changed, or forged)", v->files[file],
			    line, ep->hex);
		return 0;
	}
	for (i = 0; f->has_sig && i < v->nhkeys; i++)
		if (sodium_memcmp(v->hkeys[i].pk, f->host_key,
		    CHAIN_SIGN_PK_BYTES) == 0)
			break;
	if (!f->has_sig)
		why = "it is not signed";
	else if (i == v->nhkeys) {
		chain_hex(kh, f->host_key, 8);
		why = "it is signed by another key";
	} else if (!ok)
		why = "its signature does not verify";
	if (why != NULL) {
		ep->auth = VERIFY_AUTH_REJECTED;
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: epoch %s "
		    "(host %s) rejected: not signed by any --host-key given: "
		    "%s%s%s%s", v->files[file], line, ep->hex,
		    verify_hostname(v, ep->host),
		    why, f->has_sig && i == v->nhkeys ? " (" : "",
		    f->has_sig && i == v->nhkeys ? kh : "",
		    f->has_sig && i == v->nhkeys ? "...)" : "");
		return -1;
	}
	ep->auth = VERIFY_AUTH_LISTED;
	ep->key_index = i;
	return 0;
}

/* A record of an open epoch, at, ahead of or behind the walk. */
void
verify_walk_seq(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, const char *rec, size_t len,
    const struct verify_fields *f, int force)
{
	struct verify_slot *slot;
	uint64_t s = f->seq, base = ep->has_v ? ep->lastv : 0, d;
	int ok;

	if (s < ep->cur) {
		verify_late(v, ep, file, line, rec, f);
		return;
	}
	if (s - base > VERIFY_GAP_MAX) {
		verify_run_add(v, ep, SIZE_MAX, &ep->far, s, file, line, base,
		    0, 0);
		return;
	}
	d = s - ep->cur;
	if (d > VERIFY_RING && !force) {
		if (ep->nahead == VERIFY_AHEAD_MAX)
			(void)verify_ahead_pop(v, ep, 1);
		if (s >= ep->cur) {
			verify_hold(v, ep, &ep->ahead, &ep->nahead,
			    &ep->capahead, file, line, rec, len, s);
			return;
		}
		verify_walk_seq(v, ep, file, line, rec, len, f, 1);
		return;
	}
	if (d > v->budget) {
		verify_run_add(v, ep, SIZE_MAX, &ep->budget, s, file, line, 0,
		    0, 0);
		return;
	}
	/*
	 * Forced out of the hold (full, or the input's end) from more than
	 * the ring ahead: checked first on a copy of the key. One that does
	 * not verify must not move the walk: a stream of forged far seqs
	 * would push it past the genuine records still to come, and leave
	 * them older than the ring, unchecked, and the epoch cut short.
	 */
	if (d > VERIFY_RING && !verify_far_ok(v, ep, rec, f)) {
		verify_run_add(v, ep, SIZE_MAX, &ep->forged, s, file, line, 0,
		    0, 0);
		return;
	}
	while (ep->cur < s) {
		if (verify_ring_put(v, ep) == NULL)
			return;
		verify_step(ep);
		ep->cur++;
		v->steps++;
	}
	if ((slot = verify_ring_put(v, ep)) == NULL)
		return;
	ok = verify_check_step(ep, rec, f);
	ep->cur++;
	v->steps++;
	if (ok)
		verify_accept(v, ep, slot, file, line, f);
	else {
		verify_ring_mark(ep, slot, VERIFY_SLOT_BAD, file, line);
		v->budget -= d;		/* the walk there verified nothing */
	}
}

/* A record behind the walk: checked with its key from the ring. */
static void
verify_late(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, const char *rec, const struct verify_fields *f)
{
	struct verify_slot *slot;
	uint64_t s = f->seq;
	int ok;

	if (s < ep->ring_lo) {
		verify_run_add(v, ep, SIZE_MAX, &ep->late, s, file, line, 0,
		    0, 0);
		return;
	}
	slot = &ep->ring[s & (ep->ringcap - 1)];
	ok = verify_mac_ok(ep, slot->key, rec, f);
	switch (slot->state) {
	case VERIFY_SLOT_UNSEEN:
		if (ok)
			verify_accept(v, ep, slot, file, line, f);
		else
			verify_ring_mark(ep, slot, VERIFY_SLOT_BAD, file,
			    line);
		break;
	case VERIFY_SLOT_VERIFIED:
		if (ok)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "inserted: repeats seq %" PRIu64 " of %s:%lu",
			    v->files[file], line, s, v->files[slot->file],
			    slot->line);
		else
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "inserted: seq %" PRIu64 " does not verify and seq "
			    "%" PRIu64 " is at %s:%lu", v->files[file], line, s,
			    s, v->files[slot->file], slot->line);
		break;
	default:
		if (ok) {
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "inserted: seq %" PRIu64 " does not verify and seq "
			    "%" PRIu64 " is at %s:%lu", v->files[slot->file],
			    slot->line, s, s, v->files[file], line);
			verify_accept(v, ep, slot, file, line, f);
		} else
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: "
			    "inserted: seq %" PRIu64 " does not verify, nor does "
			    "the one at %s:%lu", v->files[file], line, s,
			    v->files[slot->file], slot->line);
		break;
	}
}

/*
 * A record of a complete epoch: its stop record and every seq before it
 * verified, so this one has no place (a repeat, or a forgery). Its key
 * is gone with the ring: it is not checked, and needs not be.
 */
static void
verify_after_stop(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, uint64_t s)
{
	verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "%s:%lu: inserted: seq %"
	    PRIu64 " of epoch %s came after the epoch's stop record (%s:%lu)",
	    v->files[file], line, s, ep->hex, v->files[ep->stop_file],
	    ep->stop_line);
}

/* Whether the record's mac is the one K_s (key, kept) makes. */
static int
verify_mac_ok(const struct verify_epoch *ep, const unsigned char *key,
    const char *rec, const struct verify_fields *f)
{
	unsigned char k[CHAIN_KEY_BYTES], a[CHAIN_KEY_BYTES];
	unsigned char mac[CHAIN_MAC1_BYTES];
	int ok;

	if (f->version != ep->version)
		return 0;	/* a record of another chain's making */
	if (ep->version == 1) {
		chain_mac_v1(key, rec, f->maclen, mac);
		return crypto_verify_32(mac, f->mac) == 0;
	}
	memcpy(k, key, sizeof(k));
	chain_step(k, a);
	chain_mac(a, rec, f->maclen, mac);
	ok = crypto_verify_16(mac, f->mac) == 0;
	sodium_memzero(k, sizeof(k));
	sodium_memzero(a, sizeof(a));
	return ok;
}

/*
 * Whether a record far ahead verifies, the walk left as it is: its key
 * stepped to on the side, from the last such check when that is on the
 * way (forged seqs let go of the hold in rising order cost one walk
 * between them, not one each), else from K_cur. Steps that verify
 * nothing are spent from the run's budget.
 */
static int
verify_far_ok(struct verify *v, struct verify_epoch *ep, const char *rec,
    const struct verify_fields *f)
{
	uint64_t n;
	int ok;

	if (!ep->has_probe || ep->probe_seq < ep->cur ||
	    ep->probe_seq > f->seq) {
		memcpy(ep->probe, ep->key, sizeof(ep->probe));
		ep->probe_seq = ep->cur;
		ep->has_probe = 1;
	}
	for (n = f->seq - ep->probe_seq; ep->probe_seq < f->seq;
	    ep->probe_seq++) {
		if (ep->version == 1)
			chain_next_v1(ep->probe);
		else
			chain_step(ep->probe, NULL);
	}
	v->steps += n;
	if (!(ok = verify_mac_ok(ep, ep->probe, rec, f)))
		v->budget -= n;
	return ok;
}

/* Check the record of seq cur with K_cur, and step to K_{cur+1}. */
static int
verify_check_step(struct verify_epoch *ep, const char *rec,
    const struct verify_fields *f)
{
	unsigned char a[CHAIN_KEY_BYTES], mac[CHAIN_MAC1_BYTES];
	int ok;

	if (ep->version == 1) {
		ok = verify_mac_ok(ep, ep->key, rec, f);
		chain_next_v1(ep->key);
		return ok;
	}
	chain_step(ep->key, a);
	chain_mac(a, rec, f->maclen, mac);
	sodium_memzero(a, sizeof(a));
	return f->version == 2 && crypto_verify_16(mac, f->mac) == 0;
}

/* K_cur to K_{cur+1}, over a seq no record was checked for. */
static void
verify_step(struct verify_epoch *ep)
{
	if (ep->version == 1)
		chain_next_v1(ep->key);
	else
		chain_step(ep->key, NULL);
}

/* A record verified: count it, its time, its place. */
static void
verify_accept(struct verify *v, struct verify_epoch *ep,
    struct verify_slot *slot, uint32_t file, unsigned long line,
    const struct verify_fields *f)
{
	char t1[CHAIN_TIME_LEN + 1], t2[CHAIN_TIME_LEN + 1];
	uint64_t s = f->seq;

	verify_ring_mark(ep, slot, VERIFY_SLOT_VERIFIED, file, line);
	ep->verified++;
	v->hosts[ep->host].verified++;
	if (!ep->has_v || s > ep->lastv) {
		ep->lastv = s;
		ep->lastv_file = file;
		ep->lastv_line = line;
		ep->has_v = 1;
	}
	if (s == 0)
		ep->start_verified = 1;
	if (f->is_stop) {
		ep->stopped = 1;
		ep->stop_seq = s;
		ep->stop_file = file;
		ep->stop_line = line;
	}
	if (f->has_time) {
		if (!ep->has_time || f->time_us < ep->first_us)
			ep->first_us = f->time_us;
		if (!ep->has_time || f->time_us > ep->last_us)
			ep->last_us = f->time_us;
		ep->has_time = 1;
		if (ep->has_t && s > ep->tseq && f->time_us < ep->tus &&
		    ep->backwards++ == 0 &&
		    chain_time_format(f->time_us, t1, sizeof(t1)) > 0 &&
		    chain_time_format(ep->tus, t2, sizeof(t2)) > 0)
			verify_note(v, VERIFY_WARNING, ep, SIZE_MAX, "%s:%lu: "
			    "epoch %s: time goes back at seq %" PRIu64 ": %s, "
			    "after %s at seq %" PRIu64 " (the host's clock was "
			    "set back)", v->files[file], line, ep->hex, s, t1,
			    t2, ep->tseq);
		if (!ep->has_t || s > ep->tseq) {
			ep->tseq = s;
			ep->tus = f->time_us;
			ep->has_t = 1;
		}
	}
	if (ep->opening)
		ep->start_order = 1;	/* checked after what was held */
	else
		verify_order(v, ep, file, line, s);
}

/*
 * Order: a verified record after a higher seq of its epoch was moved, in
 * its file or across files (they are read oldest first, so a record in a
 * later file below a seq verified in an earlier one is out of place as
 * much as one inside a file; a rotation does not reset it). Records are
 * checked in the order they came, but for the start record: the records
 * held before it came first, so its check waits for them (verify_start).
 */
static void
verify_order(struct verify *v, struct verify_epoch *ep, uint32_t file,
    unsigned long line, uint64_t s)
{
	if (ep->ord_on && s < ep->ord_max) {
		verify_run_add(v, ep, SIZE_MAX, &ep->reorder, s, file, line,
		    ep->ord_max, ep->ord_max_file, ep->ord_max_line);
		return;
	}
	verify_run_flush(v, ep, SIZE_MAX, &ep->reorder);
	ep->ord_on = 1;
	ep->ord_max = s;
	ep->ord_max_file = file;
	ep->ord_max_line = line;
}

