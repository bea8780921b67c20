/* SPDX-License-Identifier: ISC */
/*
 * verify_ring: where an epoch's walk keeps what it cannot check yet or
 * any more (see verify_walk.c): the ring of the last VERIFY_RING keys and
 * where their records were (VERIFY_RING_SLOTS_MAX slots for every epoch
 * together), and what it lets go (missing records, ones that never
 * verified); records held before their epoch's start (VERIFY_BUFFER_MAX
 * bytes in all) or far ahead of the walk (VERIFY_AHEAD_MAX per epoch);
 * the end of the walk, at the end of the input or once the epoch is
 * complete.
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

static void	verify_ring_evict(struct verify *, struct verify_epoch *,
		    uint64_t);
static void	verify_ring_free(struct verify *, struct verify_epoch *);

/*
 * The slot of seq cur, holding K_cur and no record yet; the ring grows
 * to VERIFY_RING, then its oldest slot is evicted. NULL: no memory, or
 * the rings would pass VERIFY_RING_SLOTS_MAX while lines come (v->over);
 * at the end each ring is freed as its walk ends, so the walks the end
 * finishes add one ring at most.
 */
struct verify_slot *
verify_ring_put(struct verify *v, struct verify_epoch *ep)
{
	struct verify_slot *slot, *nr;
	size_t ncap;
	uint64_t s;

	if (ep->cur - ep->ring_lo == ep->ringcap) {
		if (ep->ringcap < VERIFY_RING) {
			ncap = ep->ringcap ? 2 * ep->ringcap : 16;
			if (!v->finished && v->ring_slots - ep->ringcap +
			    ncap > v->ring_slots_max) {
				v->over = VERIFY_BOUND_RING;
				return NULL;
			}
			if ((nr = calloc(ncap, sizeof(*nr))) == NULL) {
				v->nomem = 1;
				return NULL;
			}
			for (s = ep->ring_lo; s < ep->cur; s++)
				nr[s & (ncap - 1)] =
				    ep->ring[s & (ep->ringcap - 1)];
			if (ep->ring != NULL) {
				sodium_memzero(ep->ring, ep->ringcap *
				    sizeof(*ep->ring));
				free(ep->ring);
			}
			v->ring_slots += ncap - ep->ringcap;
			ep->ring = nr;
			ep->ringcap = ncap;
		} else
			verify_ring_evict(v, ep, ep->ring_lo + 1);
	}
	slot = &ep->ring[ep->cur & (ep->ringcap - 1)];
	memcpy(slot->key, ep->key, CHAIN_KEY_BYTES);
	slot->seq = ep->cur;
	slot->state = VERIFY_SLOT_UNSEEN;
	slot->file = 0;
	slot->line = 0;
	return slot;
}

/*
 * A record came for the slot: verified, or bad. ep->unseen counts the
 * slots below the last verified record that no record came for (the
 * ones eviction would call missing): the slot leaves it, and a record
 * verified past the last one brings in the slots walked over below it.
 * Called before the walk takes a verified seq as its last verified.
 */
void
verify_ring_mark(struct verify_epoch *ep, struct verify_slot *slot,
    enum verify_slot_state state, uint32_t file, unsigned long line)
{
	uint64_t s;

	if (slot->state == VERIFY_SLOT_UNSEEN && ep->has_v &&
	    slot->seq < ep->lastv)
		ep->unseen--;
	if (state == VERIFY_SLOT_VERIFIED && (!ep->has_v ||
	    slot->seq > ep->lastv)) {
		s = ep->has_v && ep->lastv + 1 > ep->ring_lo ? ep->lastv + 1 :
		    ep->ring_lo;
		for (; s < slot->seq; s++)
			if (ep->ring[s & (ep->ringcap - 1)].state ==
			    VERIFY_SLOT_UNSEEN)
				ep->unseen++;
	}
	slot->state = (uint8_t)state;
	slot->file = file;
	slot->line = line;
}

/*
 * An epoch is complete once its stop record has verified and no seq
 * below it is unaccounted for: none walked over that no record came for,
 * none held ahead. No record of it can verify any more (one that comes
 * is a repeat or a forgery, and verify_walk.c says so without a key), so
 * its walk ends now as at the end of the input, noting what that notes,
 * and its ring is freed: what verify holds is the rings of the epochs
 * still open, not of every epoch read.
 */
void
verify_ring_done(struct verify *v, struct verify_epoch *ep)
{
	if (ep->state != VERIFY_EPOCH_OPEN || ep->complete || !ep->stopped ||
	    ep->lastv != ep->stop_seq || ep->unseen > 0 || ep->nahead > 0)
		return;
	verify_walk_end(v, ep);
	ep->complete = 1;
}

/*
 * Let the slots below to go: a seq never seen is missing (consecutive
 * ones noted together, before the record that follows them) when a
 * verified record comes after it (a walk toward a record that did not
 * verify proves nothing missing); a record that never verified is
 * modified, or inserted past the last verified.
 */
static void
verify_ring_evict(struct verify *v, struct verify_epoch *ep, uint64_t to)
{
	struct verify_run *m = &ep->missing;
	struct verify_slot *slot;

	for (; ep->ring_lo < to && ep->ring_lo < ep->cur; ep->ring_lo++) {
		slot = &ep->ring[ep->ring_lo & (ep->ringcap - 1)];
		if (slot->state == VERIFY_SLOT_UNSEEN && ep->has_v &&
		    slot->seq < ep->lastv)
			ep->unseen--;
		if (slot->state == VERIFY_SLOT_UNSEEN &&
		    (!ep->has_v || slot->seq > ep->lastv))
			;	/* past the last verified record: proves nothing */
		else if (slot->state == VERIFY_SLOT_UNSEEN) {
			if (m->on && m->last + 1 == slot->seq)
				m->last = slot->seq;
			else {
				verify_run_flush(v, ep, SIZE_MAX, m);
				m->on = 1;
				m->first = m->last = slot->seq;
				m->line0 = m->line1 = 0;
			}
		} else if (m->on) {
			m->file = slot->file;
			m->line0 = m->line1 = slot->line;
			verify_run_flush(v, ep, SIZE_MAX, m);
		}
		if (slot->state == VERIFY_SLOT_BAD) {
			if (ep->has_v && slot->seq < ep->lastv)
				verify_note(v, VERIFY_FINDING, ep, SIZE_MAX,
				    "%s:%lu: modified: seq %" PRIu64 " does not "
				    "verify (mac mismatch)", v->files[slot->file],
				    slot->line, slot->seq);
			else
				verify_note(v, VERIFY_FINDING, ep, SIZE_MAX,
				    "%s:%lu: modified or inserted: seq %" PRIu64
				    " does not verify (past the last verified "
				    "record)", v->files[slot->file], slot->line,
				    slot->seq);
		}
		sodium_memzero(slot->key, sizeof(slot->key));
	}
}

/* Keep a copy of a record for later (bounded: VERIFY_BUFFER_MAX). */
void
verify_hold(struct verify *v, struct verify_epoch *ep,
    struct verify_held **arr, size_t *n, size_t *cap, uint32_t file,
    unsigned long line, const char *rec, size_t len, uint64_t seq)
{
	struct verify_held *h;
	void *p;

	if (v->held_bytes + len > VERIFY_BUFFER_MAX) {
		ep->dropped++;
		return;
	}
	if ((p = verify_grow(*arr, cap, *n, sizeof(**arr))) == NULL) {
		v->nomem = 1;
		return;
	}
	*arr = p;
	h = &(*arr)[*n];
	if ((h->text = malloc(len ? len : 1)) == NULL) {
		v->nomem = 1;
		return;
	}
	memcpy(h->text, rec, len);
	h->len = len;
	h->seq = seq;
	h->file = file;
	h->line = line;
	v->held_bytes += len;
	(*n)++;
}

/*
 * Walk to the nearest record held ahead, when it is within the ring of
 * the walk (or always, with force). 1: one was walked; 0: none.
 */
int
verify_ahead_pop(struct verify *v, struct verify_epoch *ep, int force)
{
	struct verify_held h;
	size_t i, m = 0;

	if (ep->nahead == 0)
		return 0;
	for (i = 1; i < ep->nahead; i++)
		if (ep->ahead[i].seq < ep->ahead[m].seq)
			m = i;
	if (!force && ep->ahead[m].seq >= ep->cur &&
	    ep->ahead[m].seq - ep->cur > VERIFY_RING)
		return 0;
	h = ep->ahead[m];
	ep->ahead[m] = ep->ahead[--ep->nahead];
	verify_replay(v, ep, &h, 1);
	return 1;
}

/* Walk a held record (its text is freed). */
void
verify_replay(struct verify *v, struct verify_epoch *ep,
    struct verify_held *h, int force)
{
	struct verify_fields f;

	if (ep->state == VERIFY_EPOCH_OPEN &&
	    verify_fields_parse(h->text, h->len, &f) == 0)
		verify_walk_seq(v, ep, h->file, h->line, h->text, h->len, &f,
		    force);
	v->held_bytes -= h->len;
	free(h->text);
	h->text = NULL;
}

/*
 * The end of the walk (the input's, or the epoch complete): what is held
 * ahead, then every slot let go and the ring freed.
 */
void
verify_walk_end(struct verify *v, struct verify_epoch *ep)
{
	if (ep->state != VERIFY_EPOCH_OPEN || ep->complete)
		return;
	while (verify_ahead_pop(v, ep, 1))
		;
	verify_run_flush(v, ep, SIZE_MAX, &ep->reorder);
	verify_run_flush(v, ep, SIZE_MAX, &ep->late);
	verify_run_flush(v, ep, SIZE_MAX, &ep->far);
	verify_run_flush(v, ep, SIZE_MAX, &ep->budget);
	verify_run_flush(v, ep, SIZE_MAX, &ep->forged);
	verify_ring_evict(v, ep, ep->cur);
	verify_run_flush(v, ep, SIZE_MAX, &ep->missing);
	verify_ring_free(v, ep);
}

/* Wipe and free the ring (every slot let go), and the hold ahead if empty. */
static void
verify_ring_free(struct verify *v, struct verify_epoch *ep)
{
	if (ep->ring != NULL) {
		sodium_memzero(ep->ring, ep->ringcap * sizeof(*ep->ring));
		free(ep->ring);
	}
	v->ring_slots -= ep->ringcap;
	ep->ring = NULL;
	ep->ringcap = 0;
	sodium_memzero(ep->probe, sizeof(ep->probe));
	ep->has_probe = 0;
	if (ep->nahead == 0) {
		free(ep->ahead);
		ep->ahead = NULL;
		ep->capahead = 0;
	}
}

/* Wipe the keys; free the ring and what is held. */
void
verify_walk_free(struct verify_epoch *ep)
{
	size_t i;

	sodium_memzero(ep->key, sizeof(ep->key));
	sodium_memzero(ep->probe, sizeof(ep->probe));
	if (ep->ring != NULL) {
		sodium_memzero(ep->ring, ep->ringcap * sizeof(*ep->ring));
		free(ep->ring);
	}
	for (i = 0; i < ep->nheld; i++)
		free(ep->held[i].text);
	free(ep->held);
	for (i = 0; i < ep->nahead; i++)
		free(ep->ahead[i].text);
	free(ep->ahead);
}
