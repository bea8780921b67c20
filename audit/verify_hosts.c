/* SPDX-License-Identifier: ISC */
/*
 * verify_hosts: the end of the walk for hosts and keys. Each host's
 * epochs summed (counts, time span, who signed), its unsealed records,
 * and, with --host-key, what the listed keys come to: a key that signed
 * no epoch in the input (its host's records deleted or stripped), and
 * one key per host both ways (a host signed by two listed keys, a key
 * signing under two host names: the headers are untrusted text). Then
 * what the command reads back: each host and epoch.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/verify.h"
#include "audit/verify_int.h"

/* A list of names in a note, with room for ", ..." when it is cut. */
#define VERIFY_LIST_MAX		1024
#define VERIFY_LIST_CUT		", ..."

static void	verify_hosts_sum(struct verify *);
static void	verify_keys_hosts(struct verify *);
static void	verify_keys_names(struct verify *);
static size_t	verify_side(const struct verify_epoch *, int);
static void	verify_one_per(struct verify *, struct verify_epoch **,
		    size_t, int);
static int	verify_pair_cmp(size_t, size_t, size_t, size_t);
static int	verify_host_key_cmp(const void *, const void *);
static int	verify_key_host_cmp(const void *, const void *);
static void	verify_list_add(char *, size_t *, const char *);

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
		if (ep->running)
			hr->running++;
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
void
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
			/*
			 * A host that seals none is a finding when the
			 * auditor gave host keys: it names a host whose
			 * records nothing vouches for.
			 */
			verify_note(v, !hr->sealing && v->nhkeys > 0 ?
			    VERIFY_FINDING : VERIFY_WARNING, NULL, h, "host %s: "
			    "%zu daytimed record%s without chain fields %s: "
			    "%s%s", verify_hostname(v, h), hr->early,
			    hr->early == 1 ? "" : "s", hr->sealing ? "before its "
			    "first sealed record (not covered by any seal)" :
			    v->nhkeys > 0 ? "(the host seals none, and "
			    "--host-key was given: nothing vouches for them)" :
			    "(the host seals none)", list,
			    hr->early > n ? ", ..." : "");
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
void
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
	verify_keys_names(v);
}

/*
 * Keys given for a host by name (--host-key NAME=PUBFILE). A syslog
 * header is untrusted text, and one key per host both ways
 * (verify_keys_hosts) does not see two hosts' names exchanged: only the
 * auditor can bind a name to a key. An epoch under a name whose key is
 * another, or signed by a key given for another name, is a finding.
 * Lines without a header name no host. One pass over the epochs.
 */
static void
verify_keys_names(struct verify *v)
{
	const struct verify_hkey *k, *b;
	struct verify_epoch *ep;
	const struct verify_hostrec *hr;
	size_t *bound, i, h;

	for (i = 0; i < v->nhkeys && v->hkeys[i].host == NULL; i++)
		;
	if (i == v->nhkeys || v->nhosts == 0)
		return;
	if ((bound = calloc(v->nhosts, sizeof(*bound))) == NULL) {
		v->nomem = 1;
		return;
	}
	for (i = 0; i < v->nhkeys; i++)
		if (v->hkeys[i].host != NULL && (h = verify_host_find(v,
		    v->hkeys[i].host, strlen(v->hkeys[i].host))) != SIZE_MAX)
			bound[h] = i + 1;
	for (i = 0; i < v->nepochs; i++) {
		ep = &v->epochs[i];
		hr = &v->hosts[ep->host];
		if (ep->state != VERIFY_EPOCH_OPEN ||
		    ep->auth != VERIFY_AUTH_LISTED || hr->namelen == 0)
			continue;
		k = &v->hkeys[ep->key_index];
		b = bound[ep->host] ? &v->hkeys[bound[ep->host] - 1] : NULL;
		if (k->host != NULL && (strlen(k->host) != hr->namelen ||
		    memcmp(k->host, hr->name, hr->namelen) != 0))
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s "
			    "(host %s) is signed by %s, the key given for host "
			    "%s: a syslog header was changed, or that host's "
			    "key signed another host's epoch", ep->hex,
			    verify_hostname(v, ep->host), k->name, k->host);
		else if (k->host == NULL && b != NULL)
			verify_note(v, VERIFY_FINDING, ep, SIZE_MAX, "epoch %s "
			    "(host %s) is signed by %s, not by %s, the key given "
			    "for host %s: a syslog header was changed, or "
			    "another host's key signed under its name", ep->hex,
			    verify_hostname(v, ep->host), k->name, b->name,
			    b->host);
	}
	free(bound);
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
	hi->running = hr->running;
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
	ei->running = ep->running;
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
