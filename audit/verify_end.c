/* SPDX-License-Identifier: ISC */
/*
 * verify_end: the end of the walk. What each epoch left behind (missing
 * records, a start never seen, a key that does not open it), how epochs
 * link (each signed start record names the previous epoch and its last
 * seq: a missing epoch between two present ones, an end cut short, a
 * crash, a fork), and the numbers; what the hosts and the listed keys
 * come to is verify_hosts.c's.
 *
 * Links are followed twice: by the host the syslog headers name, and,
 * with --host-key, by the listed key that signed each epoch (one key per
 * host), since a header is untrusted text: an epoch deleted and its
 * successor's header renamed (or stripped) is still found.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"
#include "audit/verify_int.h"

static void	verify_leftovers(struct verify *, struct verify_epoch *);
static int	verify_links(struct verify *);
static void	verify_link(struct verify *, struct verify_epoch *,
		    const struct verify_epoch *, int);
static void	verify_key_links(struct verify *, struct verify_epoch **);
static int	verify_key_cmp(const void *, const void *);
static uint64_t	verify_link_id(const struct link *);
static void	verify_link_end(struct verify *, struct verify_epoch *,
		    struct verify_epoch *);
static int	verify_time_cmp(const struct verify_epoch *,
		    const struct verify_epoch *);
static int	verify_when_cmp(const void *, const void *);
static int	verify_time_qcmp(const void *, const void *);
static int	verify_rank(struct verify *, struct verify_epoch **);
static struct verify_epoch **verify_key_lasts(struct verify *);

/* The end: leftovers, links, hosts, numbers. */
int
verify_finish(struct verify *v, struct verify_summary *s)
{
	return verify_end(v, s);
}

/* Every check that needs all of the input, then the summary. */
int
verify_end(struct verify *v, struct verify_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!v->finished) {
		v->finished = 1;
		for (i = 0; i < v->nepochs; i++)
			verify_leftovers(v, &v->epochs[i]);
		if (verify_links(v) == -1)
			return -1;
		verify_hosts_end(v);
		if (v->nhkeys > 0)
			verify_keys_end(v);
		if (v->records == 0)
			verify_note(v, VERIFY_FINDING, NULL, SIZE_MAX, "no sealed "
			    "daytimed records found");
	}
	if (v->nomem)
		return -1;
	for (i = 0; i < v->nepochs; i++) {
		const struct verify_epoch *ep = &v->epochs[i];

		s->verified += ep->verified;
		if (ep->state == VERIFY_EPOCH_OPEN) {
			s->opened++;
			s->unclean += ep->unclean != 0;
			s->running += ep->running != 0;
			if (ep->auth != VERIFY_AUTH_LISTED)
				s->unauthenticated++;
		} else if (ep->state == VERIFY_EPOCH_NOKEY)
			s->mismatched++;
		else if (ep->state == VERIFY_EPOCH_REJECTED)
			s->rejected++;
		if (ep->state == VERIFY_EPOCH_NOKEY && ep->has_sealed_to &&
		    sodium_memcmp(ep->sealed_to, v->sk, CHAIN_KEY_BYTES) == 0)
			s->secret_is_public = 1;
	}
	s->records = v->records;
	s->epochs = v->nepochs;
	s->hosts = v->nhosts;
	s->unsealed = v->unsealed;
	s->overlong = v->overlong;
	s->findings = v->findings;
	s->warnings = v->warnings;
	s->steps = v->steps;
	return 0;
}

/* One epoch's end: its walk finished, or why it had none. */
static void
verify_leftovers(struct verify *v, struct verify_epoch *ep)
{
	char fp[17];

	switch (ep->state) {
	case VERIFY_EPOCH_OPEN:
		verify_walk_end(v, ep);
		break;
	case VERIFY_EPOCH_UNOPENED:
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s: its start "
		    "record (seq 0, with the sealed key) is missing: %zu "
		    "record%s (from %s:%lu) cannot be verified", ep->hex,
		    ep->records, ep->records == 1 ? "" : "s",
		    v->files[ep->first_file], ep->first_line);
		break;
	case VERIFY_EPOCH_NOKEY:
		if (ep->has_sealed_to && sodium_memcmp(ep->sealed_to, v->sk,
		    CHAIN_KEY_BYTES) == 0) {
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "the secret "
			    "key given is the auditor's public key (the server's "
			    "'audit key'), not the secret key: epoch %s (%zu "
			    "records) not verified", ep->hex, ep->records);
			break;
		}
		if (ep->has_sealed_to) {
			chain_hex(fp, ep->sealed_to, 8);
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "secret key "
			    "does not match epoch %s (%zu records not verified): "
			    "it was sealed to the auditor key %s...", ep->hex,
			    ep->records, fp);
		} else
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "secret key "
			    "does not match epoch %s (%zu records not verified)",
			    ep->hex, ep->records);
		break;
	default:
		break;		/* rejected: said when its start came */
	}
	if (ep->dropped > 0)
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s: %zu "
		    "records came before its start record and were not held "
		    "(more than %u bytes held): not checked", ep->hex,
		    ep->dropped, VERIFY_BUFFER_MAX);
}

/* Two epochs by their first verified time (none: last), then arrival. */
static int
verify_time_cmp(const struct verify_epoch *x, const struct verify_epoch *y)
{
	uint64_t tx = x->has_time ? x->first_us : UINT64_MAX;
	uint64_t ty = y->has_time ? y->first_us : UINT64_MAX;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : (x > y);
}

/* verify_time_cmp for qsort. */
static int
verify_time_qcmp(const void *a, const void *b)
{
	return verify_time_cmp(*(const struct verify_epoch *const *)a,
	    *(const struct verify_epoch *const *)b);
}

/*
 * Each epoch's rank, the order its host's and its key's epochs are read
 * in: a chain of epochs whose verified starts name the one before is
 * kept together, in link order, whatever the host's clock did between
 * them; the chains, and the epochs no link places, by their first time,
 * then arrival. Of two epochs that name one (a fork, verify_link's), the
 * earlier in time is placed after it. Epochs in a cycle of links have
 * no first, so they come last, in time order, each a finding: a start
 * can name only an epoch that began before it, so a cycle is forged.
 * order has room for every epoch.
 */
static int
verify_rank(struct verify *v, struct verify_epoch **order)
{
	struct verify_epoch *ep;
	size_t *next, i, j, pi, r = 0;
	unsigned char *placed;

	next = calloc(v->nepochs, sizeof(*next));	/* index + 1; 0: none */
	placed = calloc(v->nepochs, 1);
	if (next == NULL || placed == NULL) {
		free(next);
		free(placed);
		v->nomem = 1;
		return -1;
	}
	for (i = 0; i < v->nepochs; i++) {
		order[i] = &v->epochs[i];
		order[i]->rank = SIZE_MAX;
	}
	qsort(order, v->nepochs, sizeof(*order), verify_time_qcmp);
	for (i = 0; i < v->nepochs; i++) {
		ep = order[i];
		if (ep->state != VERIFY_EPOCH_OPEN || !ep->start_verified ||
		    !ep->has_prev || ep->prev.kind != LINK_EPOCH ||
		    (pi = verify_epoch_index(v, verify_link_id(&ep->prev))) ==
		    SIZE_MAX || v->epochs[pi].state != VERIFY_EPOCH_OPEN ||
		    next[pi] != 0)
			continue;
		next[pi] = (size_t)(ep - v->epochs) + 1;
		placed[ep - v->epochs] = 1;
	}
	/*
	 * Each epoch places at most one and is placed by at most one, so the
	 * walk from an epoch none places ends, and never meets a cycle.
	 */
	for (i = 0; i < v->nepochs; i++)
		if (!placed[order[i] - v->epochs])
			for (j = (size_t)(order[i] - v->epochs) + 1; j != 0;
			    j = next[j - 1])
				v->epochs[j - 1].rank = r++;
	for (i = 0; i < v->nepochs; i++) {
		if (order[i]->rank != SIZE_MAX)
			continue;
		order[i]->rank = r++;
		/* A start names an epoch that was there before it. */
		verify_note(v, VERIFY_FINDING, order[i], SIZE_MAX, "epoch %s "
		    "(%s:%lu): its links lead back to it (a loop of epochs, "
		    "each naming one that started after it): forged",
		    order[i]->hex, v->files[order[i]->start_file],
		    order[i]->start_line);
	}
	free(next);
	free(placed);
	return 0;
}

/* An epoch's place in its host's order: host, then rank. */
static int
verify_when_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return x->rank < y->rank ? -1 : (x->rank > y->rank);
}

/*
 * The links: each epoch whose verified start names a previous one is
 * checked against it, in each host's order (verify_rank); then every
 * epoch that no link explains must end with its stop record; then, with
 * listed host keys, the links in each key's order.
 */
static int
verify_links(struct verify *v)
{
	struct verify_epoch **order, **lasts = NULL, *ep;
	size_t i;

	if (v->nepochs == 0)
		return 0;
	if ((order = calloc(v->nepochs, sizeof(*order))) == NULL) {
		v->nomem = 1;
		return -1;
	}
	if (verify_rank(v, order) == -1) {
		free(order);
		return -1;
	}
	qsort(order, v->nepochs, sizeof(*order), verify_when_cmp);
	for (i = 0; i < v->nepochs; i++) {
		ep = order[i];
		if (ep->state != VERIFY_EPOCH_OPEN || !ep->start_verified ||
		    !ep->has_prev)
			continue;
		verify_link(v, ep, i > 0 && order[i - 1]->host == ep->host ?
		    order[i - 1] : NULL, i > 0 && order[i - 1]->host == ep->host);
	}
	/*
	 * --running: a host's last epoch may be open. The host must be
	 * authenticated (verify_cmd asks for --host-key): the epoch is the
	 * last of its header's name and the last its key signed, by rank
	 * (its links, else the times inside the MACs); a header renamed does
	 * not make an earlier epoch anybody's last.
	 */
	if (v->running_ok && (lasts = verify_key_lasts(v)) == NULL) {
		free(order);
		return -1;
	}
	for (i = 0; i < v->nepochs; i++) {
		ep = order[i];
		if (ep->state != VERIFY_EPOCH_OPEN || !ep->has_v ||
		    ep->stopped || ep->end_checked)
			continue;
		if (v->running_ok && (i + 1 == v->nepochs ||
		    order[i + 1]->host != ep->host) &&
		    ep->auth == VERIFY_AUTH_LISTED &&
		    lasts[ep->key_index] == ep) {
			ep->running = 1;
			verify_note(v, VERIFY_WARNING, ep, SIZE_MAX, "epoch %s "
			    "is open at seq %" PRIu64 " (%s:%lu): the daemon "
			    "is still running (--running); what comes after "
			    "that record is not vouched for", ep->hex,
			    ep->lastv, v->files[ep->lastv_file],
			    ep->lastv_line);
			continue;
		}
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s: chain "
		    "ends at seq %" PRIu64 " (%s:%lu) without a stop record "
		    "(truncated, or the daemon is still running)", ep->hex,
		    ep->lastv, v->files[ep->lastv_file], ep->lastv_line);
	}
	free(lasts);
	if (v->nhkeys > 0)
		verify_key_links(v, order);
	free(order);
	return 0;
}

/* Each listed key's last opened epoch by rank (NULL: none). */
static struct verify_epoch **
verify_key_lasts(struct verify *v)
{
	struct verify_epoch **last, *ep;
	size_t i;

	if ((last = calloc(v->nhkeys + 1, sizeof(*last))) == NULL) {
		v->nomem = 1;
		return NULL;
	}
	for (i = 0; i < v->nepochs; i++) {
		ep = &v->epochs[i];
		if (ep->state != VERIFY_EPOCH_OPEN ||
		    ep->auth != VERIFY_AUTH_LISTED || ep->key_index >= v->nhkeys)
			continue;
		if (last[ep->key_index] == NULL ||
		    last[ep->key_index]->rank < ep->rank)
			last[ep->key_index] = ep;
	}
	return last;
}

/*
 * One link: ep's start names prev=. before is the host's epoch just
 * before ep in its order (NULL: ep is its host's first), has_before whether
 * there is one.
 */
static void
verify_link(struct verify *v, struct verify_epoch *ep,
    const struct verify_epoch *before, int has_before)
{
	struct verify_epoch *p;
	size_t pi;

	ep->host_linked = has_before;
	switch (ep->prev.kind) {
	case LINK_NONE:
		if (has_before)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s "
			    "(%s:%lu): starts a new chain of epochs (prev=none: "
			    "no state file when it started): its link to epoch "
			    "%s, the one before it on host %s, is lost", ep->hex,
			    v->files[ep->start_file], ep->start_line,
			    before->hex, verify_hostname(v, ep->host));
		return;
	case LINK_BROKEN:
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s (%s:%lu): "
		    "the state file was corrupt when it started (prev=broken): "
		    "its link to the epoch before is lost", ep->hex,
		    v->files[ep->start_file], ep->start_line);
		return;
	default:
		break;
	}
	if ((pi = verify_epoch_index(v, verify_link_id(&ep->prev))) ==
	    SIZE_MAX) {
		if (has_before)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s is "
			    "missing: epoch %s (%s:%lu) follows it (its seq 0.."
			    "%" PRIu64 "), and epoch %s, before them on host %s, "
			    "is here", ep->prev.epoch, ep->hex,
			    v->files[ep->start_file], ep->start_line,
			    ep->prev.seq, before->hex,
			    verify_hostname(v, ep->host));
		return;
	}
	p = &v->epochs[pi];
	if (p->followed) {
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epochs %s and %s "
		    "both follow epoch %s: the chain of epochs forks (a state "
		    "file restored, or an epoch forged)",
		    v->epochs[p->follower].hex, ep->hex, p->hex);
		return;
	}
	p->followed = 1;
	p->follower = (size_t)(ep - v->epochs);
	if (p->host != ep->host)
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s (host %s) "
		    "follows epoch %s, whose records name host %s: a syslog "
		    "header was changed", ep->hex, verify_hostname(v, ep->host),
		    p->hex, verify_hostname(v, p->host));
	/*
	 * One key per host: a host's epoch follows one its own key signed.
	 * An epoch id is no secret, so another host's key can sign an epoch
	 * that takes the place of a deleted one (and headers can be
	 * stripped, so that both name no host).
	 */
	if (ep->auth == VERIFY_AUTH_LISTED && p->state == VERIFY_EPOCH_OPEN &&
	    p->auth == VERIFY_AUTH_LISTED && p->key_index != ep->key_index)
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s (host %s, "
		    "signed by %s) follows epoch %s (host %s), signed by "
		    "another host key (%s): one key per host, so one of them "
		    "was signed by another host's key in the place of an epoch "
		    "deleted", ep->hex, verify_hostname(v, ep->host),
		    v->hkeys[ep->key_index].name, p->hex,
		    verify_hostname(v, p->host), v->hkeys[p->key_index].name);
	if (p->state == VERIFY_EPOCH_OPEN)
		verify_link_end(v, p, ep);
}

/* The id a link names (16 lowercase hex digits, as link_parse checked). */
static uint64_t
verify_link_id(const struct link *l)
{
	uint64_t id = 0;
	int i;

	for (i = 0; i < CHAIN_EPOCH_HEX; i++)
		id = id << 4 | (uint64_t)(l->epoch[i] <= '9' ? l->epoch[i] - '0' :
		    l->epoch[i] - 'a' + 10);
	return id;
}

/* An epoch's place in its signer's order: listed key, then rank. */
static int
verify_key_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	if (x->key_index != y->key_index)
		return x->key_index < y->key_index ? -1 : 1;
	return x->rank < y->rank ? -1 : (x->rank > y->rank);
}

/*
 * The links by signer: for each listed host key, its epochs by rank;
 * each but the earliest must name an epoch that is here (unless
 * its host's order already judged that). The key's earliest may name one
 * before the files given. order has room for every epoch.
 */
static void
verify_key_links(struct verify *v, struct verify_epoch **order)
{
	struct verify_epoch *ep;
	const struct verify_epoch *before;
	size_t i, n = 0;

	for (i = 0; i < v->nepochs; i++)
		if (v->epochs[i].state == VERIFY_EPOCH_OPEN &&
		    v->epochs[i].auth == VERIFY_AUTH_LISTED)
			order[n++] = &v->epochs[i];
	qsort(order, n, sizeof(*order), verify_key_cmp);
	for (i = 1; i < n; i++) {
		ep = order[i];
		before = order[i - 1];
		if (before->key_index != ep->key_index || !ep->start_verified ||
		    !ep->has_prev || ep->host_linked)
			continue;
		if (ep->prev.kind == LINK_NONE)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s "
			    "(%s:%lu, host %s): starts a new chain of epochs "
			    "(prev=none: no state file when it started): its "
			    "link to epoch %s (host %s), the one before it "
			    "signed by the same host key (%s), is lost", ep->hex,
			    v->files[ep->start_file], ep->start_line,
			    verify_hostname(v, ep->host), before->hex,
			    verify_hostname(v, before->host),
			    v->hkeys[ep->key_index].name);
		else if (ep->prev.kind == LINK_EPOCH && verify_epoch_index(v,
		    verify_link_id(&ep->prev)) == SIZE_MAX)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s is "
			    "missing: epoch %s (%s:%lu, host %s) follows it (its "
			    "seq 0..%" PRIu64 "), and epoch %s (host %s), before "
			    "them signed by the same host key (%s), is here",
			    ep->prev.epoch, ep->hex, v->files[ep->start_file],
			    ep->start_line, verify_hostname(v, ep->host),
			    ep->prev.seq, before->hex,
			    verify_hostname(v, before->host),
			    v->hkeys[ep->key_index].name);
	}
}

/* The end of epoch p, as its successor ep says it was. */
static void
verify_link_end(struct verify *v, struct verify_epoch *p,
    struct verify_epoch *ep)
{
	uint64_t n = ep->prev.seq, last = p->has_v ? p->lastv : 0;

	p->end_checked = 1;
	if (!p->has_v || last < n) {
		verify_note(v, VERIFY_FINDING, p, SIZE_MAX, "epoch %s: its end "
		    "is missing: seq %" PRIu64 "..%" PRIu64 " (epoch %s says "
		    "it %s seq %" PRIu64 "%s)", p->hex, p->has_v ? last + 1 : 0,
		    n, ep->hex, ep->prev.stopped ? "stopped at" : "reached",
		    n, ep->prev.stopped ? "" : " before the daemon stopped "
		    "without a stop record");
		return;
	}
	if (ep->prev.stopped) {
		if (p->stopped && p->stop_seq == n && last == n)
			return;
		verify_note(v, VERIFY_FINDING, p, SIZE_MAX, "epoch %s: epoch %s "
		    "says it stopped at seq %" PRIu64 ", but its records reach "
		    "seq %" PRIu64 "%s", p->hex, ep->hex, n, last,
		    p->stopped ? "" : " without a stop record");
		return;
	}
	if (p->stopped)
		return;
	p->unclean = 1;
	verify_note(v, VERIFY_WARNING, p, SIZE_MAX, "epoch %s ends at seq "
	    "%" PRIu64 " (%s:%lu) without a stop record: the daemon "
	    "stopped uncleanly (a crash or a kill), as epoch %s says; "
	    "records after seq %" PRIu64 ", the last one saved in its "
	    "state, cannot be vouched for", p->hex, last,
	    v->files[p->lastv_file], p->lastv_line, ep->hex, n);
}
