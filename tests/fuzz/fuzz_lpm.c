/* SPDX-License-Identifier: ISC */
/*
 * fuzz_lpm: the rule table's lookup (acl/lpm.c) against the simplest
 * reference there is, a linear scan over the rules, on arbitrary rule
 * sets. Three levels, each must agree exactly:
 *
 * - lpm_build on the prefixes as given: it accepts exactly the lists in
 *   strict pre-order with no host bits set, and refuses the rest.
 * - lpm_lookup on the same prefixes, sorted: the index of the longest
 *   prefix holding each peer, as the scan finds it; lpm_shadowed as
 *   trie_covered says.
 * - the table through acl.h: acl_lookup then acl_decide for every peer
 *   and ident answer give the decision of the contract's steps 1 to 3,
 *   computed by the scan (longest netblock of the peer's family, IPv4-
 *   mapped peers as IPv4; inside it the first rule naming the user, else
 *   the first "*" rule, else deny), and the same block as the reference
 *   trie (acl_reftrie_lookup).
 * - the batch lookups: lpm_lookup_many (its batch mixing the lpm with an
 *   empty one) as the scan, acl_lookup_many (IPv4, IPv4-mapped and IPv6
 *   peers in one batch) as acl_lookup, peer for peer.
 *
 * Input: records of [flags] [plen] [key: 4 bytes (IPv4) or 16 (IPv6),
 * absent when flags says "the previous key"]. flags: 0x01 IPv6, 0x02 a
 * user rule, 0x0c which user, 0x10 allow, 0x20 reuse the previous key
 * (so that prefixes nest and touch). The peers are each prefix's first
 * and last address and their outer neighbours, IPv4 ones also written
 * IPv4-mapped.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/lpm.h"
#include "acl/trie.h"

#define FUZZ_RULES	128

struct fuzz_rule {
	int		v6, has_user, user, allow;
	uint8_t		key[16];	/* as given */
	uint8_t		net[16];	/* host bits cleared */
	unsigned	plen;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fuzz_many(const struct lpm *, const struct lpm_prefix *,
		    size_t, uint8_t (*)[4][16]);

static const char *const fuzz_users[] = { "u0", "u1", "u2", "u3" };
static const char *const fuzz_files[] = { "a.conf", "b.list" };

/* Clear the bits of a 16-byte key past plen. */
static void
fuzz_mask(uint8_t *k, unsigned plen)
{
	unsigned i;

	for (i = 0; i < 16; i++)
		if (plen < (i + 1) * 8)
			k[i] &= plen <= i * 8 ? 0 :
			    (uint8_t)(0xff << (8 - (plen - i * 8)));
}

/* Whether the netblock net/plen holds the key k. */
static int
fuzz_holds(const uint8_t *net, unsigned plen, const uint8_t *k)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (memcmp(net, k, full) != 0)
		return 0;
	return rest == 0 ||
	    ((net[full] ^ k[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Pre-order: key, then plen. */
static int
fuzz_pcmp(const void *va, const void *vb)
{
	const struct lpm_prefix *a = va, *b = vb;
	int c = memcmp(a->key, b->key, 16);

	return c != 0 ? c : a->plen < b->plen ? -1 : a->plen > b->plen;
}

/* Add (d 1) or subtract (d -1) one in maxbits-bit arithmetic. */
static void
fuzz_step(uint8_t *k, unsigned maxbits, int d)
{
	int i;

	for (i = (int)maxbits / 8 - 1; i >= 0; i--) {
		k[i] = (uint8_t)(k[i] + d);
		if ((d > 0 && k[i] != 0) || (d < 0 && k[i] != 0xff))
			return;
	}
}

/* The four edge peers of a prefix into k[0..3]. */
static void
fuzz_edges(const uint8_t *net, unsigned plen, unsigned maxbits,
    uint8_t k[4][16])
{
	unsigned b;

	memcpy(k[0], net, 16);
	memcpy(k[1], net, 16);
	fuzz_step(k[1], maxbits, -1);
	memcpy(k[2], net, 16);
	for (b = plen; b < maxbits; b++)
		k[2][b / 8] |= (uint8_t)(0x80 >> (b % 8));
	memcpy(k[3], k[2], 16);
	fuzz_step(k[3], maxbits, 1);
}

/* The index of the longest of p[0..n) holding k, or LPM_NONE. */
static uint32_t
fuzz_scan(const struct lpm_prefix *p, size_t n, const uint8_t *k)
{
	uint32_t best = LPM_NONE;
	size_t i;

	for (i = 0; i < n; i++)
		if (fuzz_holds(p[i].key, p[i].plen, k) &&
		    (best == LPM_NONE || p[i].plen > p[best].plen))
			best = (uint32_t)i;
	return best;
}

/* lpm_build's verdict on the list as given, and lookups on it sorted. */
static void
fuzz_lpm(const struct fuzz_rule *r, size_t nr, int v6)
{
	static struct lpm_prefix p[FUZZ_RULES];
	static uint8_t shadowed[FUZZ_RULES];
	static uint8_t keys[FUZZ_RULES][4][16];
	unsigned maxbits = v6 ? 128 : 32;
	uint8_t k[4][16];
	struct trie tr;
	struct lpm l;
	size_t n = 0, m, i, j;
	int valid = 1, rc;

	for (i = 0; i < nr; i++) {
		if (r[i].v6 != v6)
			continue;
		memset(&p[n], 0, sizeof(p[n]));
		memcpy(p[n].key, r[i].key, maxbits / 8);
		p[n].plen = r[i].plen;
		if (memcmp(p[n].key, r[i].net, 16) != 0 ||
		    (n > 0 && fuzz_pcmp(&p[n - 1], &p[n]) >= 0))
			valid = 0;
		n++;
	}
	errno = 0;
	rc = lpm_build(&l, maxbits, p, n);
	if (rc != (valid ? 0 : -1) || (rc == -1 && errno != EINVAL))
		abort();
	lpm_free(&l);
	for (i = 0; i < n; i++)
		fuzz_mask(p[i].key, p[i].plen);
	qsort(p, n, sizeof(*p), fuzz_pcmp);
	for (i = m = 0; i < n; i++)
		if (m == 0 || fuzz_pcmp(&p[m - 1], &p[i]) != 0)
			p[m++] = p[i];
	if (lpm_build(&l, maxbits, p, m) != 0 ||
	    lpm_shadowed(p, m, maxbits, NULL, shadowed) != 0)
		abort();
	trie_init(&tr, maxbits);
	for (i = 0; i < m; i++)
		if (trie_insert(&tr, p[i].key, p[i].plen, &p[i]) != 0)
			abort();
	for (i = 0; i < m; i++) {
		if (shadowed[i] != trie_covered(&tr, p[i].key, p[i].plen))
			abort();
		fuzz_edges(p[i].key, p[i].plen, maxbits, k);
		for (j = 0; j < 4; j++)
			if (lpm_lookup(&l, k[j]) != fuzz_scan(p, m, k[j]))
				abort();
		memcpy(keys[i], k, sizeof(k));
	}
	fuzz_many(&l, p, m, keys);
	trie_free(&tr);
	lpm_free(&l);
}

/*
 * lpm_lookup_many over every edge key of the m prefixes, one key in five
 * asked of an empty lpm instead, in batches of sizes the set picks: each
 * answer as the scan's.
 */
static void
fuzz_many(const struct lpm *l, const struct lpm_prefix *p, size_t m,
    uint8_t (*keys)[4][16])
{
	static const struct lpm *ts[FUZZ_RULES * 4];
	static const uint8_t *ks[FUZZ_RULES * 4];
	static uint32_t got[FUZZ_RULES * 4];
	static const struct lpm empty;
	size_t i, n = m * 4, at, b = 1 + m % 40;

	for (i = 0; i < n; i++) {
		ts[i] = i % 5 == 4 ? &empty : l;
		ks[i] = keys[i / 4][i % 4];
	}
	for (at = 0; at < n; at += b)
		lpm_lookup_many(ts + at, ks + at, n - at < b ? n - at : b,
		    got + at);
	for (i = 0; i < n; i++)
		if (got[i] != (ts[i] == &empty ? LPM_NONE :
		    fuzz_scan(p, m, ks[i])))
			abort();
}

/* What the scan finds for one peer: its netblock and the rules there. */
struct fuzz_want {
	size_t	best;		/* the longest netblock's first rule */
	size_t	star;		/* its first "*" rule */
	size_t	named[4];	/* its first rule naming each user */
};

/* Contract steps 2 and 3 by a scan over the rules (nr: none). */
static void
fuzz_scan_rules(const struct fuzz_rule *r, size_t nr, int v6,
    const uint8_t *k, struct fuzz_want *w)
{
	size_t i;

	w->best = w->star = nr;
	for (i = 0; i < 4; i++)
		w->named[i] = nr;
	for (i = 0; i < nr; i++)
		if (r[i].v6 == v6 && fuzz_holds(r[i].net, r[i].plen, k) &&
		    (w->best == nr || r[i].plen > r[w->best].plen))
			w->best = i;
	for (i = 0; w->best != nr && i < nr; i++) {
		if (r[i].v6 != v6 || r[i].plen != r[w->best].plen ||
		    memcmp(r[i].net, r[w->best].net, 16) != 0)
			continue;
		if (!r[i].has_user && w->star == nr)
			w->star = i;
		if (r[i].has_user && w->named[r[i].user] == nr)
			w->named[r[i].user] = i;
	}
}

/* The decision the scan gives for an ident answer (NULL: none). */
static void
fuzz_decide(const struct fuzz_rule *r, size_t nr, int v6,
    const struct fuzz_want *w, const char *user, struct acl_decision *d)
{
	size_t i, pick;

	memset(d, 0, sizeof(*d));
	d->action = ACL_DENY;
	if (w->best == nr)
		return;
	d->matched = 1;
	d->net.addr.family = v6 ? AF_INET6 : AF_INET;
	memcpy(d->net.addr.bytes, r[w->best].net, 16);
	d->net.plen = r[w->best].plen;
	pick = w->star;
	for (i = 0; user != NULL && i < 4; i++)
		if (strcmp(fuzz_users[i], user) == 0 && w->named[i] != nr)
			pick = w->named[i];
	if (pick == nr)
		return;
	d->action = r[pick].allow ? ACL_ALLOW : ACL_DENY;
	d->file = fuzz_files[pick % 2];
	d->line = (unsigned)pick + 1;
}

/*
 * One peer, every ident answer: the table as the scan says. The peer as
 * asked is added to asked[*np], for the batch.
 */
static void
fuzz_peer(const struct acl *t, const struct acl_reftrie *ref,
    const struct fuzz_rule *r, size_t nr, const uint8_t *k, int v6,
    int mapped, struct acl_addr *asked, size_t *np)
{
	static const char *const answers[] = { NULL, "u0", "u1", "u3", "u9" };
	struct acl_decision got, want;
	const struct acl_block *b;
	struct fuzz_want w;
	struct acl_addr a;
	uint8_t v4[16];
	size_t i;

	memset(&a, 0, sizeof(a));
	a.family = v6 || mapped ? AF_INET6 : AF_INET;
	if (mapped) {
		a.bytes[10] = a.bytes[11] = 0xff;
		memcpy(a.bytes + 12, k, 4);
	} else
		memcpy(a.bytes, k, v6 ? 16 : 4);
	/* Step 1: an IPv4-mapped peer is judged as IPv4. */
	if (a.family == AF_INET6 &&
	    memcmp(a.bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memset(v4, 0, sizeof(v4));
		memcpy(v4, a.bytes + 12, 4);
		k = v4;
		v6 = 0;
	}
	b = acl_lookup(t, &a);
	if (b != acl_reftrie_lookup(ref, &a))
		abort();
	if (*np < FUZZ_RULES * 8)
		asked[(*np)++] = a;
	fuzz_scan_rules(r, nr, v6, k, &w);
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		acl_decide(b, (const unsigned char *)answers[i],
		    answers[i] == NULL ? 0 : strlen(answers[i]), &got);
		fuzz_decide(r, nr, v6, &w, answers[i], &want);
		if (got.action != want.action || got.line != want.line ||
		    got.matched != want.matched ||
		    (got.file == NULL) != (want.file == NULL) ||
		    (got.file != NULL && strcmp(got.file, want.file) != 0))
			abort();
		if (want.matched && (got.net.addr.family !=
		    want.net.addr.family || got.net.plen != want.net.plen ||
		    memcmp(got.net.addr.bytes, want.net.addr.bytes, 16) != 0))
			abort();
	}
}

/* The table through acl.h against the scan. */
static void
fuzz_acl(const struct fuzz_rule *r, size_t nr)
{
	static struct acl_addr asked[FUZZ_RULES * 8];
	static const struct acl_block *got[FUZZ_RULES * 8];
	struct acl_reftrie *ref;
	struct acl_build *b;
	struct acl_rule ar;
	struct acl *t;
	uint8_t k[4][16];
	size_t i, j, np = 0;

	if ((b = acl_build_new()) == NULL)
		return;
	for (i = 0; i < nr; i++) {
		memset(&ar, 0, sizeof(ar));
		ar.action = r[i].allow ? ACL_ALLOW : ACL_DENY;
		ar.net.addr.family = r[i].v6 ? AF_INET6 : AF_INET;
		memcpy(ar.net.addr.bytes, r[i].key, r[i].v6 ? 16 : 4);
		ar.net.plen = r[i].plen;
		ar.has_user = r[i].has_user;
		if (ar.has_user) {
			ar.user = (const unsigned char *)fuzz_users[r[i].user];
			ar.userlen = strlen(fuzz_users[r[i].user]);
		}
		ar.file = fuzz_files[i % 2];
		ar.line = (unsigned)i + 1;
		if (acl_build_add(b, &ar) != 0)
			abort();
	}
	errno = 0;
	if ((t = acl_build_finish(b, NULL, NULL)) == NULL) {
		/* A conflict (allow and deny for one netblock and user). */
		if (errno != EINVAL)
			abort();
		return;
	}
	if ((ref = acl_reftrie_new(t)) == NULL) {
		acl_free(t);
		return;
	}
	for (i = 0; i < nr; i++) {
		fuzz_edges(r[i].net, r[i].plen, r[i].v6 ? 128 : 32, k);
		for (j = 0; j < 4; j++) {
			fuzz_peer(t, ref, r, nr, k[j], r[i].v6, 0, asked, &np);
			if (!r[i].v6)
				fuzz_peer(t, ref, r, nr, k[j], 0, 1, asked,
				    &np);
		}
	}
	/* Every peer again, both families in one batch. */
	acl_lookup_many(t, asked, np, got);
	for (i = 0; i < np; i++)
		if (got[i] != acl_lookup(t, &asked[i]))
			abort();
	acl_reftrie_free(ref);
	acl_free(t);
}

/* Read the rules, then check the three levels. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rule r[FUZZ_RULES];
	uint8_t prev[16] = { 0 };
	size_t nr = 0, o = 0, klen;
	uint8_t f;

	while (nr < FUZZ_RULES && size - o >= 2) {
		f = data[o];
		memset(&r[nr], 0, sizeof(r[nr]));
		r[nr].v6 = f & 0x01;
		r[nr].has_user = (f & 0x02) != 0;
		r[nr].user = (f >> 2) & 3;
		r[nr].allow = (f & 0x10) != 0;
		r[nr].plen = data[o + 1] % (r[nr].v6 ? 129U : 33U);
		o += 2;
		klen = r[nr].v6 ? 16 : 4;
		if (f & 0x20)
			memcpy(r[nr].key, prev, klen);
		else {
			if (size - o < klen)
				break;
			memcpy(r[nr].key, data + o, klen);
			o += klen;
		}
		memcpy(prev, r[nr].key, 16);
		memcpy(r[nr].net, r[nr].key, 16);
		fuzz_mask(r[nr].net, r[nr].plen);
		nr++;
	}
	fuzz_lpm(r, nr, 0);
	fuzz_lpm(r, nr, 1);
	fuzz_acl(r, nr);
	return 0;
}
