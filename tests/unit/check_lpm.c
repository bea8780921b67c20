/* SPDX-License-Identifier: ISC */
/*
 * check_lpm: the multibit trie (acl/lpm.c) held to the patricia trie of
 * acl/trie.c, its reference: over many random prefix sets, IPv4 and IPv6,
 * every prefix length from /0 to the host route, nested and adjacent
 * prefixes, and peers at the edges of each prefix, both must give the
 * same longest match, and lpm_shadowed must agree with trie_covered. The
 * same again through the acl API (acl_lookup against acl_reftrie_lookup),
 * at blocklist scale (300,000 prefixes), at the lowest and highest
 * addresses, across the longest skips, and for hostile calls (no table,
 * no address, unknown families, IPv4-mapped peers). The batch lookups
 * (lpm_lookup_many, acl_lookup_many) must answer as the single ones on
 * every set, both families mixed in a batch, in batches of every size.
 *
 * LPM_PROPERTY_ROUNDS=N runs N random sets per test instead of the few
 * the default run affords.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/lpm.h"
#include "acl/trie.h"
#include "compat/compat.h"
#include "tests/unit/suites.h"

#define ROUNDS_DEFAULT	300	/* random sets per test */
#define SET_MAX		400	/* prefixes in a set, at most */
#define ANCHORS		6	/* addresses the prefixes of a set crowd */

static uint64_t	lpm_rng;

/* xorshift64*: a fixed seed per test, so a failure is repeatable. */
static uint64_t
lpm_rand(void)
{
	lpm_rng ^= lpm_rng >> 12;
	lpm_rng ^= lpm_rng << 25;
	lpm_rng ^= lpm_rng >> 27;
	return lpm_rng * 0x2545f4914f6cdd1dULL;
}

/* Rounds for the property tests. */
static int
rounds(void)
{
	const char *env = getenv("LPM_PROPERTY_ROUNDS");
	long long n;

	if (env == NULL || (n = strtonum(env, 1, 1000000, NULL)) == 0)
		return ROUNDS_DEFAULT;
	return (int)n;
}

/* Random bytes, the first maxbits of them kept. */
static void
rand_key(uint8_t *k, unsigned maxbits)
{
	uint64_t w[2] = { lpm_rand(), lpm_rand() };

	memcpy(k, w, 16);
	memset(k + maxbits / 8, 0, 16 - maxbits / 8);
}

/* Clear the bits of a key past plen. */
static void
mask_key(uint8_t *k, unsigned plen)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (plen >= (i + 1) * 8)
			continue;
		k[i] &= plen <= i * 8 ? 0 :
		    (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
}

/* Set (v 1) or clear (v 0) bit i of a key. */
static void
set_bit(uint8_t *k, unsigned i, int v)
{
	if (v)
		k[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	else
		k[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* Pre-order: by key, then by length. */
static int
prefix_cmp(const void *va, const void *vb)
{
	const struct lpm_prefix *a = va, *b = vb;
	int c = memcmp(a->key, b->key, 16);

	if (c != 0)
		return c;
	return a->plen < b->plen ? -1 : a->plen > b->plen;
}

/*
 * A random set in pre-order, without repeats: prefixes of every length
 * around a few anchor addresses (so they nest), their siblings (so they
 * touch), host routes, /0 now and then, and some anywhere.
 */
static size_t
rand_set(struct lpm_prefix *p, unsigned maxbits)
{
	uint8_t anchor[ANCHORS][16];
	size_t n, i, m;
	unsigned a;

	for (a = 0; a < ANCHORS; a++)
		rand_key(anchor[a], maxbits);
	n = 1 + lpm_rand() % SET_MAX;
	for (i = 0; i < n; i++) {
		memcpy(p[i].key, anchor[lpm_rand() % ANCHORS], 16);
		switch (lpm_rand() % 8) {
		case 0:
			p[i].plen = maxbits;
			break;
		case 1:
			rand_key(p[i].key, maxbits);
			/* FALLTHROUGH */
		default:
			p[i].plen = (unsigned)(lpm_rand() % (maxbits + 1));
		}
		if (lpm_rand() % 50 == 0)
			p[i].plen = 0;
		mask_key(p[i].key, p[i].plen);
		/* The sibling: the other half of the parent. */
		if (p[i].plen > 0 && lpm_rand() % 4 == 0)
			set_bit(p[i].key, p[i].plen - 1,
			    !(p[i].key[(p[i].plen - 1) / 8] &
			    (0x80 >> ((p[i].plen - 1) % 8))));
	}
	qsort(p, n, sizeof(*p), prefix_cmp);
	for (i = m = 0; i < n; i++)
		if (m == 0 || prefix_cmp(&p[m - 1], &p[i]) != 0)
			p[m++] = p[i];
	return m;
}

/* Add a key and 1 (v 1) or subtract 1 (v -1) in maxbits-bit arithmetic. */
static void
step_key(uint8_t *k, unsigned maxbits, int v)
{
	int i;

	for (i = (int)maxbits / 8 - 1; i >= 0; i--) {
		k[i] = (uint8_t)(k[i] + v);
		if ((v > 0 && k[i] != 0) || (v < 0 && k[i] != 0xff))
			return;
	}
}

/*
 * Peers to ask: each prefix's first and last address and their outer
 * neighbours, and random ones. Returns the count, in keys[][16].
 */
static size_t
peers(const struct lpm_prefix *p, size_t n, unsigned maxbits,
    uint8_t (*keys)[16])
{
	size_t i, m = 0;
	unsigned b;

	for (i = 0; i < n; i++) {
		memcpy(keys[m], p[i].key, 16);
		memcpy(keys[m + 1], p[i].key, 16);
		step_key(keys[m + 1], maxbits, -1);
		memcpy(keys[m + 2], p[i].key, 16);
		for (b = p[i].plen; b < maxbits; b++)
			set_bit(keys[m + 2], b, 1);
		memcpy(keys[m + 3], keys[m + 2], 16);
		step_key(keys[m + 3], maxbits, 1);
		/* Somewhere inside. */
		rand_key(keys[m + 4], maxbits);
		for (b = 0; b < p[i].plen; b++)
			set_bit(keys[m + 4], b, (p[i].key[b / 8] >>
			    (7 - b % 8)) & 1);
		m += 5;
	}
	for (i = 0; i < 64; i++)
		rand_key(keys[m++], maxbits);
	return m;
}

/*
 * lpm_lookup_many answers as lpm_lookup for each of the m keys, in
 * batches of every size from 0 to past two groups, and all at once.
 */
static void
many_check(const struct lpm *l, uint8_t (*keys)[16], size_t m)
{
	static const struct lpm *ts[SET_MAX * 5 + 64];
	static const uint8_t *ks[SET_MAX * 5 + 64];
	static uint32_t got[SET_MAX * 5 + 64];
	size_t i, at, b;

	for (i = 0; i < m; i++) {
		ts[i] = l;
		ks[i] = keys[i];
	}
	for (at = 0, b = 0; at < m; at += b, b = (b + 1) % 70) {
		if (b > m - at)
			b = m - at;
		lpm_lookup_many(ts + at, ks + at, b, got + at);
	}
	for (i = 0; i < m; i++)
		if (got[i] != lpm_lookup(l, keys[i]))
			ck_abort_msg("key %zu of %zu: batch %u, single %u",
			    i, m, got[i], lpm_lookup(l, keys[i]));
	lpm_lookup_many(ts, ks, m, got);
	for (i = 0; i < m; i++)
		ck_assert_uint_eq(got[i], lpm_lookup(l, keys[i]));
}

/* Whether prefix a lies in prefix b. */
static int
prefix_in(const struct lpm_prefix *a, const struct lpm_prefix *b)
{
	uint8_t k[16];

	if (a->plen < b->plen)
		return 0;
	memcpy(k, a->key, 16);
	mask_key(k, b->plen);
	return memcmp(k, b->key, 16) == 0;
}

/*
 * lpm_shadowed with a hole, a prefix of the set's neighbourhood (one of
 * its prefixes, one inside or around one): a prefix in the hole is
 * shadowed; any other exactly when the trie with the hole added covers
 * it. t gets the hole.
 */
static void
hole_check(const struct lpm_prefix *p, size_t n, unsigned maxbits,
    struct trie *t)
{
	static uint8_t shadowed[SET_MAX];
	struct lpm_prefix h;
	size_t i;
	int want;

	h = p[lpm_rand() % n];
	if (lpm_rand() % 2) {
		h.plen = (unsigned)(lpm_rand() % (maxbits + 1));
		mask_key(h.key, h.plen);
	}
	ck_assert_int_ge(trie_insert(t, h.key, h.plen, (void *)1), 0);
	ck_assert_int_eq(lpm_shadowed(p, n, maxbits, &h, shadowed), 0);
	for (i = 0; i < n; i++) {
		want = prefix_in(&p[i], &h) ||
		    trie_covered(t, p[i].key, p[i].plen);
		if (shadowed[i] != want)
			ck_abort_msg("/%u keys, hole /%u: prefix %zu (/%u): "
			    "shadowed %d", maxbits, h.plen, i, p[i].plen,
			    shadowed[i]);
	}
}

/* One random set: lpm and trie agree on every peer and on coverage. */
static void
cross_check(unsigned maxbits)
{
	static struct lpm_prefix p[SET_MAX];
	static uint8_t keys[SET_MAX * 5 + 64][16];
	static uint8_t shadowed[SET_MAX];
	struct lpm l;
	struct trie t;
	size_t n, m, i;
	uintptr_t want;
	uint32_t got;

	n = rand_set(p, maxbits);
	ck_assert_int_eq(lpm_build(&l, maxbits, p, n), 0);
	trie_init(&t, maxbits);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(trie_insert(&t, p[i].key, p[i].plen,
		    (void *)(i + 1)), 0);
	m = peers(p, n, maxbits, keys);
	for (i = 0; i < m; i++) {
		got = lpm_lookup(&l, keys[i]);
		want = (uintptr_t)trie_lookup(&t, keys[i]);
		if (got != (want == 0 ? LPM_NONE : (uint32_t)(want - 1)))
			ck_abort_msg("/%u keys: peer %zu of %zu: lpm %u, trie "
			    "%lu", maxbits, i, m, got,
			    (unsigned long)want - 1);
	}
	many_check(&l, keys, m);
	ck_assert_int_eq(lpm_shadowed(p, n, maxbits, NULL, shadowed), 0);
	for (i = 0; i < n; i++)
		if (shadowed[i] != trie_covered(&t, p[i].key, p[i].plen))
			ck_abort_msg("prefix %zu: shadowed %d", i, shadowed[i]);
	hole_check(p, n, maxbits, &t);
	trie_free(&t);
	lpm_free(&l);
}

/* Random sets of IPv4 (_i 0) or IPv6 (_i 1) prefixes. */
START_TEST(test_lpm_random)
{
	int r;

	lpm_rng = _i == 0 ? 0x9e3779b97f4a7c15ULL : 0xd1b54a32d192ed03ULL;
	for (r = rounds(); r > 0; r--)
		cross_check(_i == 0 ? 32 : 128);
}
END_TEST

/* Every length of one address, alone and all together. */
START_TEST(test_lpm_every_length)
{
	static struct lpm_prefix p[129];
	uint8_t k[16], base[16];
	unsigned maxbits = _i == 0 ? 32 : 128, plen, len;
	struct lpm l;

	lpm_rng = 0x2545f4914f6cdd1dULL + (uint64_t)_i;
	rand_key(base, maxbits);
	for (plen = 0; plen <= maxbits; plen++) {
		memcpy(p[plen].key, base, 16);
		mask_key(p[plen].key, plen);
		p[plen].plen = plen;
		/* Alone: it holds base, not the address just outside it. */
		ck_assert_int_eq(lpm_build(&l, maxbits, &p[plen], 1), 0);
		ck_assert_uint_eq(lpm_lookup(&l, base), 0);
		if (plen > 0) {
			memcpy(k, base, 16);
			set_bit(k, plen - 1, !((base[(plen - 1) / 8] >>
			    (7 - (plen - 1) % 8)) & 1));
			ck_assert_uint_eq(lpm_lookup(&l, k), LPM_NONE);
		}
		lpm_free(&l);
	}
	/* Together: each address gets the longest it shares with base. */
	qsort(p, maxbits + 1, sizeof(*p), prefix_cmp);
	ck_assert_int_eq(lpm_build(&l, maxbits, p, maxbits + 1), 0);
	for (len = 0; len <= maxbits; len++) {
		memcpy(k, base, 16);
		if (len < maxbits)
			set_bit(k, len,
			    !((base[len / 8] >> (7 - len % 8)) & 1));
		ck_assert_uint_eq(p[lpm_lookup(&l, k)].plen, len);
	}
	lpm_free(&l);
}
END_TEST

/* Bad input is refused, and an empty lpm holds nothing. */
START_TEST(test_lpm_rejects)
{
	struct lpm_prefix p[2];
	uint8_t k[16] = { 10 }, out[2];
	struct lpm l;

	memset(p, 0, sizeof(p));
	ck_assert_int_eq(lpm_build(&l, 32, p, 0), 0);
	ck_assert_uint_eq(lpm_lookup(&l, k), LPM_NONE);
	ck_assert_uint_eq(lpm_bytes(&l), 0);
	lpm_free(&l);
	p[0].key[0] = 10;
	p[0].plen = 8;
	p[1].plen = 0;
	errno = 0;	/* out of order: /0 sorts first */
	ck_assert_int_eq(lpm_build(&l, 32, p, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(lpm_shadowed(p, 2, 32, NULL, out), -1);
	/* A hole must be a prefix too; one that holds p[0] shadows it. */
	p[1].plen = 33;
	ck_assert_int_eq(lpm_shadowed(p, 1, 32, &p[1], out), -1);
	p[1] = p[0];
	p[1].plen = 6;
	ck_assert_int_eq(lpm_shadowed(p, 1, 32, &p[1], out), -1);
	p[1].key[0] = 11;
	p[1].plen = 8;
	ck_assert_int_eq(lpm_shadowed(p, 1, 32, &p[1], out), 0);
	ck_assert_uint_eq(out[0], 0);
	p[1].key[0] = 10;
	ck_assert_int_eq(lpm_shadowed(p, 1, 32, &p[1], out), 0);
	ck_assert_uint_eq(out[0], 1);
	p[1].key[0] = 0;
	p[1].plen = 0;
	ck_assert_int_eq(lpm_shadowed(p, 1, 32, &p[1], out), 0);
	ck_assert_uint_eq(out[0], 1);
	p[1] = p[0];	/* twice */
	ck_assert_int_eq(lpm_build(&l, 32, p, 2), -1);
	p[0].plen = 6;	/* 10 = 0000 1010: a bit set past /6 */
	ck_assert_int_eq(lpm_build(&l, 32, p, 1), -1);
	p[0].plen = 33;
	ck_assert_int_eq(lpm_build(&l, 32, p, 1), -1);
	p[0].plen = 8;
	p[0].key[4] = 1;	/* past an IPv4 key */
	ck_assert_int_eq(lpm_build(&l, 32, p, 1), -1);
	ck_assert_int_eq(lpm_build(&l, 64, p, 1), -1);
	p[0].key[4] = 0;
	ck_assert_int_eq(lpm_build(&l, 32, p, 1), 0);
	ck_assert_uint_eq(lpm_lookup(&l, k), 0);
	ck_assert_uint_gt(lpm_bytes(&l), 0);
	lpm_free(&l);
	lpm_free(&l);
}
END_TEST

/* The lowest and highest addresses, host routes and halves, both families. */
START_TEST(test_lpm_extremes)
{
	static struct lpm_prefix p[4];
	unsigned maxbits = _i == 0 ? 32 : 128, nb = maxbits / 8;
	uint8_t lo[16] = { 0 }, hi[16] = { 0 }, k[16];
	struct lpm l;

	memset(hi, 0xff, nb);
	memset(p, 0, sizeof(p));
	/* Pre-order: 0/1, 0/maxbits, 8000../1, ff..ff/maxbits. */
	p[0].plen = 1;
	p[1].plen = maxbits;
	p[2].key[0] = 0x80;
	p[2].plen = 1;
	memcpy(p[3].key, hi, nb);
	p[3].plen = maxbits;
	ck_assert_int_eq(lpm_build(&l, maxbits, p, 4), 0);
	ck_assert_uint_eq(lpm_lookup(&l, lo), 1);
	ck_assert_uint_eq(lpm_lookup(&l, hi), 3);
	memcpy(k, lo, 16);
	step_key(k, maxbits, 1);
	ck_assert_uint_eq(lpm_lookup(&l, k), 0);
	memcpy(k, hi, 16);
	step_key(k, maxbits, -1);
	ck_assert_uint_eq(lpm_lookup(&l, k), 2);
	lpm_free(&l);
	/* Without the halves, nothing but the two hosts is held. */
	p[0] = p[1];
	p[1] = p[3];
	ck_assert_int_eq(lpm_build(&l, maxbits, p, 2), 0);
	ck_assert_uint_eq(lpm_lookup(&l, lo), 0);
	ck_assert_uint_eq(lpm_lookup(&l, hi), 1);
	ck_assert_uint_eq(lpm_lookup(&l, k), LPM_NONE);
	lpm_free(&l);
}
END_TEST

/*
 * Two IPv6 host routes that differ only in the last bit, nothing above
 * them: the walk skips 63 bits, then more, and must not let a key that
 * differs anywhere in the skipped bits through.
 */
START_TEST(test_lpm_long_skips)
{
	static struct lpm_prefix p[2];
	uint8_t k[16];
	unsigned b;
	struct lpm l;

	memset(p, 0, sizeof(p));
	memset(p[0].key, 0xa5, 16);
	p[0].key[15] = 0xa4;
	p[0].plen = 128;
	memset(p[1].key, 0xa5, 16);
	p[1].plen = 128;
	ck_assert_int_eq(lpm_build(&l, 128, p, 2), 0);
	ck_assert_uint_eq(lpm_lookup(&l, p[0].key), 0);
	ck_assert_uint_eq(lpm_lookup(&l, p[1].key), 1);
	for (b = 0; b < 127; b++) {
		memcpy(k, p[1].key, 16);
		k[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		if (lpm_lookup(&l, k) != LPM_NONE)
			ck_abort_msg("bit %u flipped still matched", b);
	}
	lpm_free(&l);
}
END_TEST

/*
 * A table at blocklist scale (a first level of 2^18 entries, every node
 * kind): 300,000 random prefixes, /8../32 or /20../128, against the trie
 * on every prefix's edges and random peers.
 */
START_TEST(test_lpm_large)
{
	unsigned maxbits = _i == 0 ? 32 : 128, lo = _i == 0 ? 8 : 20;
	size_t n = 300000, m, i, j;
	struct lpm_prefix *p;
	uint8_t k[16];
	struct trie t;
	struct lpm l;
	uintptr_t want;
	uint32_t got;

	lpm_rng = 0x6a09e667f3bcc909ULL + (uint64_t)_i;
	ck_assert_ptr_nonnull(p = calloc(n, sizeof(*p)));
	for (i = 0; i < n; i++) {
		rand_key(p[i].key, maxbits);
		p[i].plen = lo + (unsigned)(lpm_rand() % (maxbits - lo + 1));
		mask_key(p[i].key, p[i].plen);
	}
	qsort(p, n, sizeof(*p), prefix_cmp);
	for (i = m = 0; i < n; i++)
		if (m == 0 || prefix_cmp(&p[m - 1], &p[i]) != 0)
			p[m++] = p[i];
	ck_assert_int_eq(lpm_build(&l, maxbits, p, m), 0);
	ck_assert_uint_eq(l.sbits, 18);
	trie_init(&t, maxbits);
	for (i = 0; i < m; i++)
		ck_assert_int_eq(trie_insert(&t, p[i].key, p[i].plen,
		    (void *)(i + 1)), 0);
	for (i = 0; i < m + 100000; i++) {
		if (i < m) {
			/* Inside it, or just past its end. */
			memcpy(k, p[i].key, 16);
			for (j = p[i].plen; j < maxbits; j++)
				if (i % 2 || lpm_rand() & 1)
					set_bit(k, (unsigned)j, 1);
			if (i % 2)
				step_key(k, maxbits, 1);
		} else
			rand_key(k, maxbits);
		got = lpm_lookup(&l, k);
		want = (uintptr_t)trie_lookup(&t, k);
		if (got != (want == 0 ? LPM_NONE : (uint32_t)(want - 1)))
			ck_abort_msg("/%u keys: peer %zu: lpm %u, trie %lu",
			    maxbits, i, got, (unsigned long)want - 1);
	}
	trie_free(&t);
	lpm_free(&l);
	free(p);
}
END_TEST

/* Hostile calls through acl.h: no table, no address, unknown families. */
START_TEST(test_acl_lookup_hostile)
{
	const struct acl_block *got[2];
	struct acl_decision d;
	struct acl_build *b;
	struct acl_rule r;
	struct acl_addr a;
	struct acl *t;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	ck_assert_ptr_null(acl_lookup(NULL, &a));
	got[0] = got[1] = (const struct acl_block *)&a;
	acl_lookup_many(NULL, &a, 1, got);
	ck_assert_ptr_null(got[0]);
	ck_assert_ptr_eq(got[1], (const struct acl_block *)&a);
	acl_lookup_many(NULL, NULL, 0, NULL);
	/* An empty table holds nothing; the default decides. */
	ck_assert_ptr_nonnull(b = acl_build_new());
	ck_assert_ptr_nonnull(t = acl_build_finish(b, NULL, NULL));
	ck_assert_ptr_null(acl_lookup(t, &a));
	a.family = AF_INET6;
	ck_assert_ptr_null(acl_lookup(t, &a));
	acl_decide(acl_lookup(t, &a), (const unsigned char *)"root", 4, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_int_eq(d.matched, 0);
	ck_assert_ptr_null(d.file);
	acl_free(t);
	/* 0.0.0.0/0 and ::/0: every address of its family, no other. */
	ck_assert_ptr_nonnull(b = acl_build_new());
	memset(&r, 0, sizeof(r));
	r.action = ACL_ALLOW;
	r.net.addr.family = AF_INET;
	r.file = "a.conf";
	r.line = 1;
	ck_assert_int_eq(acl_build_add(b, &r), 0);
	ck_assert_ptr_nonnull(t = acl_build_finish(b, NULL, NULL));
	ck_assert_ptr_null(acl_lookup(t, NULL));
	a.family = AF_UNIX;
	ck_assert_ptr_null(acl_lookup(t, &a));
	a.family = AF_INET6;	/* :: is not IPv4-mapped */
	ck_assert_ptr_null(acl_lookup(t, &a));
	a.bytes[10] = a.bytes[11] = 0xff;	/* ::ffff:0.0.0.0 is */
	ck_assert_ptr_nonnull(acl_lookup(t, &a));
	memset(a.bytes, 0xff, 16);
	ck_assert_ptr_null(acl_lookup(t, &a));
	a.family = AF_INET;
	acl_decide(acl_lookup(t, &a), NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_str_eq(d.file, "a.conf");
	ck_assert_uint_eq(d.net.plen, 0);
	acl_free(t);
}
END_TEST

/* A random rule set through the acl API, as an acl_rule list. */
static size_t
rand_rules(struct acl_rule *r, struct lpm_prefix *p, int v6)
{
	size_t n, i;
	uint64_t h;

	n = rand_set(p, v6 ? 128 : 32);
	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].net.addr.family = v6 ? AF_INET6 : AF_INET;
		memcpy(r[i].net.addr.bytes, p[i].key, 16);
		r[i].net.plen = p[i].plen;
		h = lpm_rand();
		r[i].action = h & 1 ? ACL_ALLOW : ACL_DENY;
		r[i].file = h & 2 ? "a.conf" : "b.conf";
		r[i].line = (unsigned)i + 1;
		if (h % 16 == 0) {
			r[i].has_user = 1;
			r[i].action = ACL_DENY;
			r[i].user = (const unsigned char *)"eve";
			r[i].userlen = 3;
		}
	}
	return n;
}

/*
 * acl_lookup_many answers as acl_lookup and the reference for each of
 * the n peers (shuffled, so that families mix in a batch), in batches of
 * 0, 1, odd and even sizes, and all at once.
 */
static void
acl_many_check(const struct acl *t, const struct acl_reftrie *ref,
    struct acl_addr *peer, size_t n)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 31, 32, 33, 64, 97 };
	const struct acl_block **got;
	struct acl_addr tmp;
	size_t i, j, at, k = 0, b;

	for (i = n; i > 1; i--) {
		j = lpm_rand() % i;
		tmp = peer[i - 1];
		peer[i - 1] = peer[j];
		peer[j] = tmp;
	}
	ck_assert_ptr_nonnull(got = calloc(n + 1, sizeof(*got)));
	for (at = 0; at < n; at += b) {
		b = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (b > n - at)
			b = n - at;
		acl_lookup_many(t, peer + at, b, got + at);
	}
	for (i = 0; i < n; i++)
		if (got[i] != acl_lookup(t, &peer[i]) ||
		    got[i] != acl_reftrie_lookup(ref, &peer[i]))
			ck_abort_msg("peer %zu of %zu: the batch differs", i, n);
	acl_lookup_many(t, peer, n, got);
	for (i = 0; i < n; i++)
		ck_assert_ptr_eq(got[i], acl_lookup(t, &peer[i]));
	free(got);
}

/*
 * The table against the reference trie: the same block for every peer
 * (IPv4, IPv6, and IPv4 peers written as IPv4-mapped IPv6). Rule sets of
 * both families, mapped ::ffff:0:0/96 rules excepted (they are IPv4).
 */
START_TEST(test_acl_against_reference)
{
	static struct lpm_prefix p[2][SET_MAX];
	static struct acl_rule r[2 * SET_MAX];
	static uint8_t keys[SET_MAX * 5 + 64][16];
	struct acl_reftrie *ref;
	struct acl_build *b;
	struct acl_addr a;
	struct acl *t;
	static struct acl_addr all[SET_MAX * 10];
	size_t n4, n6, m, i, np;
	int round, fam, mapped;

	lpm_rng = 0x94d049bb133111ebULL;
	for (round = rounds(); round > 0; round--) {
		np = 0;
		n4 = rand_rules(r, p[0], 0);
		n6 = rand_rules(r + n4, p[1], 1);
		ck_assert_ptr_nonnull(b = acl_build_new());
		for (i = 0; i < n4 + n6; i++) {
			/* ::ffff:0:0/96 and longer are IPv4 by contract. */
			if (r[i].net.addr.family == AF_INET6 &&
			    memcmp(r[i].net.addr.bytes,
			    "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
				continue;
			ck_assert_int_eq(acl_build_add(b, &r[i]), 0);
		}
		t = acl_build_finish(b, NULL, NULL);
		ck_assert_ptr_nonnull(t);
		ck_assert_ptr_nonnull(ref = acl_reftrie_new(t));
		for (fam = 0; fam < 2; fam++) {
			m = peers(p[fam], fam ? n6 : n4, fam ? 128 : 32, keys);
			for (i = 0; i < m; i++) {
				mapped = !fam && i % 3 == 0;
				memset(&a, 0, sizeof(a));
				a.family = fam || mapped ? AF_INET6 : AF_INET;
				if (mapped) {
					a.bytes[10] = a.bytes[11] = 0xff;
					memcpy(a.bytes + 12, keys[i], 4);
				} else
					memcpy(a.bytes, keys[i], 16);
				if (acl_lookup(t, &a) !=
				    acl_reftrie_lookup(ref, &a))
					ck_abort_msg("round %d family %d peer "
					    "%zu", round, fam, i);
				/* Both families mixed, for the batch. */
				if (np < SET_MAX * 10)
					all[np++] = a;
			}
		}
		acl_many_check(t, ref, all, np);
		acl_reftrie_free(ref);
		acl_free(t);
	}
}
END_TEST

/*
 * A table past the size where acl_lookup_many pipelines its walks
 * (ACL_MANY_CACHED, 6 MB): 200,000 rules of both families, peers inside
 * them, just past them, anywhere, IPv4-mapped, and of no family, mixed
 * in each batch.
 */
START_TEST(test_acl_many_large)
{
	size_t n = 200000, np = 0, i, j;
	struct acl_addr *peer;
	struct acl_reftrie *ref;
	struct acl_build *b;
	struct acl_stats st;
	struct acl_rule r;
	struct acl *t;
	int v6;

	lpm_rng = 0xbb67ae8584caa73bULL;
	ck_assert_ptr_nonnull(peer = calloc(3 * n, sizeof(*peer)));
	ck_assert_ptr_nonnull(b = acl_build_new());
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		v6 = i % 3 == 0;
		r.net.addr.family = v6 ? AF_INET6 : AF_INET;
		rand_key(r.net.addr.bytes, v6 ? 128 : 32);
		if (v6 && r.net.addr.bytes[0] == 0)
			r.net.addr.bytes[0] = 0x20;	/* not ::ffff:0:0/96 */
		r.net.plen = v6 ? 20 + (unsigned)(lpm_rand() % 45) :
		    8 + (unsigned)(lpm_rand() % 25);
		mask_key(r.net.addr.bytes, r.net.plen);
		/* The action follows the netblock: no two rules conflict. */
		r.action = (r.net.addr.bytes[1] ^ r.net.plen) & 1 ?
		    ACL_ALLOW : ACL_DENY;
		r.file = "big.list";
		r.line = (unsigned)i + 1;
		ck_assert_int_eq(acl_build_add(b, &r), 0);
		/* Inside it, just past it, anywhere. */
		peer[np] = r.net.addr;
		for (j = r.net.plen; j < (v6 ? 128U : 32U); j++)
			if (lpm_rand() & 1)
				set_bit(peer[np].bytes, (unsigned)j, 1);
		peer[np + 1] = peer[np];
		step_key(peer[np + 1].bytes, v6 ? 128 : 32, 1);
		peer[np + 2].family = i % 7 == 0 ? AF_UNIX : AF_INET6;
		rand_key(peer[np + 2].bytes, 128);
		if (i % 5 == 0 && !v6) {	/* IPv4-mapped */
			memset(peer[np + 2].bytes, 0, 10);
			peer[np + 2].bytes[10] = peer[np + 2].bytes[11] = 0xff;
			memcpy(peer[np + 2].bytes + 12, peer[np].bytes, 4);
		}
		np += 3;
	}
	ck_assert_ptr_nonnull(t = acl_build_finish(b, NULL, NULL));
	acl_stats(t, &st);
	ck_assert_uint_ge(st.bytes, 6U << 20);
	ck_assert_ptr_nonnull(ref = acl_reftrie_new(t));
	acl_many_check(t, ref, peer, np);
	acl_reftrie_free(ref);
	acl_free(t);
	free(peer);
}
END_TEST

Suite *
lpm_suite(void)
{
	Suite *s = suite_create("lpm");
	TCase *tc;

	tc = tcase_create("edges");
	tcase_add_loop_test(tc, test_lpm_every_length, 0, 2);
	tcase_add_test(tc, test_lpm_rejects);
	tcase_add_loop_test(tc, test_lpm_extremes, 0, 2);
	tcase_add_test(tc, test_lpm_long_skips);
	tcase_add_test(tc, test_acl_lookup_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("against the reference trie");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_lpm_random, 0, 2);
	tcase_add_test(tc, test_acl_against_reference);
	tcase_add_loop_test(tc, test_lpm_large, 0, 2);
	tcase_add_test(tc, test_acl_many_large);
	suite_add_tcase(s, tc);
	return s;
}
