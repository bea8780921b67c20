/* SPDX-License-Identifier: ISC */
/*
 * verify_end: the end of the walk. What each epoch left behind (missing
 * records, a start never seen, a key that does not open it), how epochs
 * link (each signed start record names the previous epoch and its last
 * seq: a missing epoch between two present ones, an end cut short, a
 * crash, a fork), what each host wrote without seals, which --host-key
 * signed nothing, and the numbers.
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

/* A list of names in a note, with room for ", ..." when it is cut. */
#define VERIFY_LIST_MAX		1024
#define VERIFY_LIST_CUT		", ..."

static void	verify_leftovers(struct verify *, struct verify_epoch *);
static int	verify_links(struct verify *);
static void	verify_link(struct verify *, struct verify_epoch *,
		    const struct verify_epoch *, int);
static void	verify_key_links(struct verify *, struct verify_epoch **);
static int	verify_key_cmp(const void *, const void *);
static uint64_t	verify_link_id(const struct link *);
static void	verify_link_end(struct verify *, struct verify_epoch *,
		    struct verify_epoch *);
static void	verify_hosts_end(struct verify *);
static void	verify_hosts_sum(struct verify *);
static void	verify_keys_end(struct verify *);
static void	verify_keys_hosts(struct verify *);
static size_t	verify_side(const struct verify_epoch *, int);
static void	verify_one_per(struct verify *, struct verify_epoch **,
		    size_t, int);
static int	verify_pair_cmp(size_t, size_t, size_t, size_t);
static int	verify_host_key_cmp(const void *, const void *);
static int	verify_key_host_cmp(const void *, const void *);
static void	verify_list_add(char *, size_t *, const char *);
static int	verify_time_cmp(const struct verify_epoch *,
		    const struct verify_epoch *);
static int	verify_when_cmp(const void *, const void *);

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

/* An epoch's place in its host's order: host, then time, then arrival. */
static int
verify_when_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return verify_time_cmp(x, y);
}

/*
 * The links: each epoch whose verified start names a previous one is
 * checked against it, in each host's time order; then every epoch that
 * no link explains must end with its stop record; then, with listed
 * host keys, the links in each key's order.
 */
static int
verify_links(struct verify *v)
{
	struct verify_epoch **order, *ep;
	size_t i;

	if (v->nepochs == 0)
		return 0;
	if ((order = calloc(v->nepochs, sizeof(*order))) == NULL) {
		v->nomem = 1;
		return -1;
	}
	for (i = 0; i < v->nepochs; i++)
		order[i] = &v->epochs[i];
	qsort(order, v->nepochs, sizeof(*order), verify_when_cmp);
	for (i = 0; i < v->nepochs; i++) {
		ep = order[i];
		if (ep->state != VERIFY_EPOCH_OPEN || !ep->start_verified ||
		    !ep->has_prev)
			continue;
		verify_link(v, ep, i > 0 && order[i - 1]->host == ep->host ?
		    order[i - 1] : NULL, i > 0 && order[i - 1]->host == ep->host);
	}
	for (i = 0; i < v->nepochs; i++) {
		ep = order[i];
		if (ep->state != VERIFY_EPOCH_OPEN || !ep->has_v ||
		    ep->stopped || ep->end_checked)
			continue;
		verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s: chain "
		    "ends at seq %" PRIu64 " (%s:%lu) without a stop record "
		    "(truncated, or the daemon is still running)", ep->hex,
		    ep->lastv, v->files[ep->lastv_file], ep->lastv_line);
	}
	if (v->nhkeys > 0)
		verify_key_links(v, order);
	free(order);
	return 0;
}

/*
 * One link: ep's start names prev=. before is the host's epoch just
 * before ep in time (NULL: ep is its host's first), has_before whether
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

/* An epoch's place in its signer's order: listed key, time, arrival. */
static int
verify_key_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	if (x->key_index != y->key_index)
		return x->key_index < y->key_index ? -1 : 1;
	return verify_time_cmp(x, y);
}

/*
 * The links by signer: for each listed host key, its epochs in time
 * order; each but the earliest must name an epoch that is here (unless
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

/*
 * Each host's epochs, summed in one pass over the epochs (not one per
 * host): counts, the time span, and who signed them.
 */
static void
verify_hosts_sum(struct verify *v)
{
	struct verify_hostrec *hr;
	const struct verify_epoch *ep;
	size_t e;

	for (e = 0; e < v->nepochs; e++) {
		ep = &v->epochs[e];
		hr = &v->hosts[ep->host];
		hr->epochs++;
		if (ep->has_time) {
			if (!hr->has_time || ep->first_us < hr->first_us)
				hr->first_us = ep->first_us;
			if (!hr->has_time || ep->last_us > hr->last_us)
				hr->last_us = ep->last_us;
			hr->has_time = 1;
		}
		if (ep->state != VERIFY_EPOCH_OPEN)
			continue;
		if (ep->auth != VERIFY_AUTH_LISTED)
			hr->unauthenticated++;
		else
			v->hkeys[ep->key_index].epochs++;
		if (ep->unclean)
			hr->unclean++;
		if (ep->auth == VERIFY_AUTH_UNSIGNED && hr->unsigned_++ == 0)
			hr->first_unsigned = e;
		if (!ep->has_host_key || ep->auth != VERIFY_AUTH_UNLISTED)
			continue;
		if (hr->signed_++ == 0)
			hr->first_signed = e;
		else if (sodium_memcmp(v->epochs[hr->first_signed].host_key,
		    ep->host_key, CHAIN_SIGN_PK_BYTES) != 0)
			hr->keys2 = 1;
	}
}

/* Per host: unsealed records, and keys that disagree. */
static void
verify_hosts_end(struct verify *v)
{
	struct verify_hostrec *hr;
	char list[1024], kh[17];
	size_t h, i, o, n;
	int r;

	verify_hosts_sum(v);
	for (h = 0; h < v->nhosts; h++) {
		hr = &v->hosts[h];
		if (hr->unsealed_run.on)
			verify_run_flush(v, hr->unsealed_run.other < v->nepochs ?
			    &v->epochs[hr->unsealed_run.other] : NULL, h,
			    &hr->unsealed_run);
		if (hr->early > 0) {
			n = hr->early < VERIFY_UNSEALED_SHOWN ? hr->early :
			    VERIFY_UNSEALED_SHOWN;
			for (i = 0, o = 0, list[0] = '\0'; i < n; i++) {
				r = snprintf(list + o, sizeof(list) - o, "%s%s:%lu",
				    i ? ", " : "", v->files[hr->early_file[i]],
				    hr->early_line[i]);
				if (r < 0 || (size_t)r >= sizeof(list) - o)
					break;
				o += (size_t)r;
			}
			verify_note(v, VERIFY_WARNING, NULL, h, "host %s: %zu "
			    "daytimed record%s without chain fields %s: %s%s",
			    verify_hostname(v, h), hr->early, hr->early == 1 ?
			    "" : "s", hr->sealing ? "before its first sealed "
			    "record (not covered by any seal)" : "(the host "
			    "seals none)", list, hr->early > n ? ", ..." : "");
		}
		/* signed by keys nobody listed: several is a sign of forgery */
		if (hr->signed_ > 0 && hr->unsigned_ > 0)
			verify_note(v, VERIFY_WARNING, NULL, h, "host %s: %zu of "
			    "its epochs are signed and %zu are not (epoch %s, "
			    "...): an unsigned one may be forged; give the host's "
			    "key with --host-key", verify_hostname(v, h),
			    hr->signed_, hr->unsigned_,
			    v->epochs[hr->first_unsigned].hex);
		if (hr->keys2) {
			chain_hex(kh, v->epochs[hr->first_signed].host_key, 8);
			verify_note(v, VERIFY_WARNING, NULL, h, "host %s: its "
			    "epochs are signed by more than one host key (%s... "
			    "and others): give the host's key with --host-key to "
			    "tell its epochs from forged ones",
			    verify_hostname(v, h), kh);
		}
	}
}

/*
 * With --host-key, each key given stands for a host that should be in
 * the input: a key that signed no epoch opened means that host's records
 * were deleted, or stripped of their chain fields (then only unsealed),
 * which the other hosts' epochs being intact must not hide. A key given
 * twice is one key: its epochs count to its first listing.
 */
static void
verify_keys_end(struct verify *v)
{
	size_t k, j;

	for (k = 0; k < v->nhkeys; k++) {
		if (v->hkeys[k].epochs > 0)
			continue;
		for (j = 0; j < k; j++)
			if (sodium_memcmp(v->hkeys[j].pk, v->hkeys[k].pk,
			    CHAIN_SIGN_PK_BYTES) == 0)
				break;
		if (j < k)
			continue;	/* said of its first listing, if at all */
		verify_note(v, VERIFY_FINDING, NULL, SIZE_MAX, "host key %s: no "
		    "epoch opened in the input is signed by it (its host's "
		    "records are missing or unsealed)", v->hkeys[k].name);
	}
	verify_keys_hosts(v);
}

/*
 * One key per host, both ways: a host name whose epochs are signed by
 * two of the keys given (one host's key, stolen, signing under another
 * host's name; or a host's epochs deleted and another's renamed to it),
 * and a key that signs under two host names (a header changed), are
 * findings, each counted to every host it names, so that no host line
 * says intact. Lines without a header name no host: journalctl -o cat's
 * output beside a syslog file's is not a second name. Sorted both ways:
 * n log n in the epochs.
 */
static void
verify_keys_hosts(struct verify *v)
{
	struct verify_epoch **o;
	size_t i, n = 0;

	if ((o = calloc(v->nepochs + 1, sizeof(*o))) == NULL) {
		v->nomem = 1;
		return;
	}
	for (i = 0; i < v->nepochs; i++)
		if (v->epochs[i].state == VERIFY_EPOCH_OPEN &&
		    v->epochs[i].auth == VERIFY_AUTH_LISTED &&
		    v->hosts[v->epochs[i].host].namelen > 0)
			o[n++] = &v->epochs[i];
	verify_one_per(v, o, n, 0);	/* each host: the keys that signed */
	verify_one_per(v, o, n, 1);	/* each key: the hosts it signed for */
	free(o);
}

/* An epoch's host (key 0), or the listed key that signed it (key 1). */
static size_t
verify_side(const struct verify_epoch *ep, int key)
{
	return key ? ep->key_index : ep->host;
}

/*
 * One way of verify_keys_hosts: o's n epochs grouped by host (key 0) or
 * by listed key (key 1); a group naming more than one of the other side
 * is a finding, counted to each host it names.
 */
static void
verify_one_per(struct verify *v, struct verify_epoch **o, size_t n, int key)
{
	char list[VERIFY_LIST_MAX];
	size_t i, j, g, names, lo;

	qsort(o, n, sizeof(*o), key ? verify_key_host_cmp :
	    verify_host_key_cmp);
	for (i = 0; i < n; i = j) {
		g = verify_side(o[i], key);
		list[0] = '\0';
		for (j = i, names = 0, lo = 0; j < n &&
		    verify_side(o[j], key) == g; j++)
			if (j == i || verify_side(o[j], !key) !=
			    verify_side(o[j - 1], !key)) {
				names++;
				verify_list_add(list, &lo, key ?
				    verify_hostname(v, o[j]->host) :
				    v->hkeys[o[j]->key_index].name);
			}
		if (names < 2)
			continue;
		if (!key) {
			verify_note(v, VERIFY_FINDING, NULL, g, "host %s: its "
			    "epochs are signed by more than one --host-key "
			    "(%s): one key per host, so one of them signed "
			    "another host's epoch, or a syslog header was "
			    "changed", verify_hostname(v, g), list);
			continue;
		}
		verify_note(v, VERIFY_FINDING, NULL, o[i]->host, "host key %s: "
		    "it signs the epochs of more than one host (%s): one key "
		    "per host, so it signed another host's epoch, or a syslog "
		    "header was changed", v->hkeys[g].name, list);
		/* the note counted it to the first host: the others too */
		for (j = i + 1; j < n && o[j]->key_index == g; j++)
			if (o[j]->host != o[j - 1]->host)
				v->hosts[o[j]->host].findings++;
	}
}

/* Two pairs of indexes in order: by the first, then by the second. */
static int
verify_pair_cmp(size_t x1, size_t x2, size_t y1, size_t y2)
{
	if (x1 != y1)
		return x1 < y1 ? -1 : 1;
	return x2 < y2 ? -1 : (x2 > y2);
}

/* Epochs by host, then by the listed key that signed them. */
static int
verify_host_key_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	return verify_pair_cmp(x->host, x->key_index, y->host, y->key_index);
}

/* Epochs by the listed key that signed them, then by host. */
static int
verify_key_host_cmp(const void *a, const void *b)
{
	const struct verify_epoch *x = *(const struct verify_epoch *const *)a;
	const struct verify_epoch *y = *(const struct verify_epoch *const *)b;

	return verify_pair_cmp(x->key_index, x->host, y->key_index, y->host);
}

/*
 * Add a name to list (*o bytes used; VERIFY_LIST_MAX), ", " between;
 * one that does not fit ends it with ", ..." (or "..."), and no more is
 * added.
 */
static void
verify_list_add(char *list, size_t *o, const char *name)
{
	size_t room = VERIFY_LIST_MAX - sizeof(VERIFY_LIST_CUT);
	int r;

	if (*o >= room)
		return;			/* cut already */
	r = snprintf(list + *o, room - *o, "%s%s", *o ? ", " : "", name);
	if (r >= 0 && (size_t)r < room - *o) {
		*o += (size_t)r;
		return;
	}
	memcpy(list + *o, *o ? VERIFY_LIST_CUT : &VERIFY_LIST_CUT[2],
	    *o ? sizeof(VERIFY_LIST_CUT) : sizeof(VERIFY_LIST_CUT) - 2);
	*o = room;
}

/* How many hosts. */
size_t
verify_nhosts(const struct verify *v)
{
	return v->nhosts;
}

/* Host i, with its epochs' numbers (summed at the end). */
void
verify_host_get(const struct verify *v, size_t i, struct verify_host_info *hi)
{
	const struct verify_hostrec *hr = &v->hosts[i];

	memset(hi, 0, sizeof(*hi));
	hi->name = hr->name;
	hi->shown = hr->shown;
	hi->epochs = hr->epochs;
	hi->records = hr->records;
	hi->verified = hr->verified;
	hi->unsealed = hr->unsealed;
	hi->findings = hr->findings;
	hi->unauthenticated = hr->unauthenticated;
	hi->unclean = hr->unclean;
	hi->has_time = hr->has_time && chain_time_format(hr->first_us,
	    hi->first, sizeof(hi->first)) != -1 && chain_time_format(hr->last_us,
	    hi->last, sizeof(hi->last)) != -1;
}

/* How many epochs. */
size_t
verify_nepochs(const struct verify *v)
{
	return v->nepochs;
}

/* The host of epoch i. */
size_t
verify_epoch_host(const struct verify *v, size_t i)
{
	return v->epochs[i].host;
}

/* Epoch i, after the walk. */
void
verify_epoch_get(const struct verify *v, size_t i,
    struct verify_epoch_info *ei)
{
	const struct verify_epoch *ep = &v->epochs[i];

	memset(ei, 0, sizeof(*ei));
	memcpy(ei->id, ep->hex, sizeof(ei->id));
	ei->host = v->hosts[ep->host].name;
	ei->shown = v->hosts[ep->host].shown;
	ei->records = ep->records;
	ei->verified = ep->verified;
	ei->findings = ep->findings;
	ei->first_seq = ep->minseq;
	ei->last_seq = ep->maxseq;
	ei->opened = ep->state == VERIFY_EPOCH_OPEN;
	ei->stopped = ep->stopped;
	ei->unclean = ep->unclean;
	ei->auth = ep->state == VERIFY_EPOCH_REJECTED ? VERIFY_AUTH_REJECTED :
	    ep->auth;
	ei->key_name = ep->auth == VERIFY_AUTH_LISTED ?
	    v->hkeys[ep->key_index].name : NULL;
	ei->has_prev = ep->has_prev && ep->start_verified;
	ei->prev = ep->prev;
	ei->has_time = ep->has_time &&
	    chain_time_format(ep->first_us, ei->first, sizeof(ei->first)) > 0 &&
	    chain_time_format(ep->last_us, ei->last, sizeof(ei->last)) > 0;
	ei->backwards = ep->backwards;
	ei->start_file = ep->has_start ? v->files[ep->start_file] : NULL;
	ei->start_line = ep->has_start ? ep->start_line : 0;
}
