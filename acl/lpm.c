/* SPDX-License-Identifier: ISC */
/*
 * lpm: longest-prefix match as a compressed multibit trie (see lpm.h).
 *
 * Made for tables of up to millions of netblocks (blocklists, country
 * lists), looked up on every connection by any number of threads:
 *
 * - A first level of 2^s entries indexed by the key's top s bits (s grows
 *   with the table, 4 entries a prefix or more: 6 to 18 bits, 1 MB at
 *   most), then nodes of 6-bit stride as in Poptrie (Asai and Ohara,
 *   SIGCOMM 2015): the 64 slots of a node hold runs of equal entries,
 *   each stored once; a 64-bit bitmap marks where the runs start, and the
 *   popcount of the bitmap up to a slot indexes its run. An entry is a
 *   value (leaf pushing has copied each prefix into the slots its longer
 *   neighbours leave it) or a node. Unlike Poptrie's, values and nodes
 *   share one entry array right after the bitmap, so a node is a small
 *   record of its own and the entry read is most often in the bitmap's
 *   cache line.
 * - Path compression: where every prefix below a slot shares the next 6
 *   bits or more, the node opens with a skip word holding them (up to
 *   63); a key that differs there gets the value the slot inherited.
 *   Without it a random IPv6 /64 costs a chain of 8 one-child nodes.
 * - Built once from the netblocks in pre-order (the order build.c's sort
 *   leaves them in) by one recursive pass: O(n * depth), no temporary
 *   trie, 0.07 s for the 800,000 netblocks below; read-only after.
 *
 * Measured at 1,000,000 rules (70% IPv4 /8../32, 30% IPv6 /20../64,
 * bench/acl_bench.c): 21 MB for both tries, besides the 18 MB of
 * netblock records acl keeps. A lookup reads one first-level entry, then
 * on average 0.8 nodes (IPv4, random peers) to 1.6 (IPv6, peers inside a
 * netblock), at most 3 for IPv4, each most often one cache line; then
 * acl_decide reads the netblock's record: one more.
 *
 * lpm_lookup_many walks a batch of keys in lock step, as DPDK's
 * rte_lpm_lookup_bulk: each walk of a group of LPM_GROUP takes one step
 * and prefetches the node of its next before any takes that next, so
 * that where the table outgrows the cache the misses of the group are in
 * flight together rather than one after the other (one at a time, a
 * lookup at 1,000,000 rules is about two misses to memory, and this
 * machine overlaps only a few lookups by itself: 9.7M/s, 103 ns each,
 * against 22.7M/s in batches of 32; bench/acl.sh, 2026-11-30). What was
 * tried to shorten the single lookup, and why it was not kept:
 * bench/README.md, "acl_bench".
 *
 * Not DIR-24-8 (DPDK's rte_lpm) for IPv4: its first table alone is 2^24
 * entries (64 MB), and each /24 holding a longer prefix takes a group of
 * 256 more (1 KB); the 224,000 prefixes longer than /24 in the mix above
 * would need over 200 MB, past the 100 MB budget, and IPv6 would still
 * need a second design. This trie serves both families in a tenth of
 * that, in as few cache lines.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acl/lpm.h"

#define LPM_STRIDE	6		/* key bits a node consumes */
#define LPM_SLOTS	64		/* 1 << LPM_STRIDE */
#define LPM_LEAF	0x80000000U	/* entry: a value, not a node */
#define LPM_SKIP	0x40000000U	/* entry: the node opens with a skip */
#define LPM_OFF		0x3fffffffU	/* entry: the node's word in node[] */
#define LPM_SKIPMAX	63		/* bits one skip word holds */
#define LPM_SBITS_MIN	6
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__POPCNT__)
#define LPM_POPCNT_DISPATCH	/* choose the walk by the CPU at build */
#endif
#define LPM_SBITS_MAX	18
#define LPM_GROUP	32		/* walks lpm_lookup_many overlaps */

/* The state of one build. */
struct lpm_builder {
	const struct lpm_prefix	*p;
	uint32_t		*w;
	size_t			 nw, cap;
	unsigned		 maxbits;
	int			 oom;
};

static void	lpm_load(const uint8_t *, unsigned, uint64_t *, uint64_t *);
static void	lpm_shl(uint64_t *, uint64_t *, unsigned);
static uint64_t	lpm_word(const uint8_t *, unsigned);
static unsigned	lpm_bits(const uint8_t *, unsigned, unsigned);
static unsigned	lpm_common(const uint8_t *, const uint8_t *);
static int	lpm_check(const struct lpm_prefix *, size_t, unsigned);
static void	lpm_fill(struct lpm_builder *, uint32_t *, unsigned, unsigned,
		    size_t, size_t);
static uint32_t	lpm_sub(struct lpm_builder *, size_t, size_t, unsigned,
		    uint32_t);
static uint32_t	lpm_emit(struct lpm_builder *, const uint32_t *, size_t);
static unsigned	lpm_sbits(size_t);
static unsigned	lpm_popcount(uint64_t);
static void	lpm_end(const uint64_t *, unsigned, unsigned, uint64_t *);
static uint64_t	lpm_ones(unsigned, unsigned);
static int	lpm_less(const uint64_t *, const uint64_t *);
static int	lpm_next(const uint64_t *, const uint64_t *, unsigned);

/* A key as two 64-bit halves, most significant bit first. */
static inline void
lpm_load(const uint8_t *k, unsigned maxbits, uint64_t *hi, uint64_t *lo)
{
	*hi = (uint64_t)k[0] << 56 | (uint64_t)k[1] << 48 |
	    (uint64_t)k[2] << 40 | (uint64_t)k[3] << 32;
	*lo = 0;
	if (maxbits == 32)
		return;
	*hi |= (uint64_t)k[4] << 24 | (uint64_t)k[5] << 16 |
	    (uint64_t)k[6] << 8 | k[7];
	*lo = (uint64_t)k[8] << 56 | (uint64_t)k[9] << 48 |
	    (uint64_t)k[10] << 40 | (uint64_t)k[11] << 32 |
	    (uint64_t)k[12] << 24 | (uint64_t)k[13] << 16 |
	    (uint64_t)k[14] << 8 | k[15];
}

/* Shift a 128-bit key left by n (1..63) bits: consume them. */
static inline void
lpm_shl(uint64_t *hi, uint64_t *lo, unsigned n)
{
	*hi = *hi << n | *lo >> (64 - n);
	*lo <<= n;
}

/* 64 bits of a 16-byte key from bit pos on; past 128 bits, zeros. */
static uint64_t
lpm_word(const uint8_t *k, unsigned pos)
{
	uint64_t hi, lo;

	if (pos >= 128)
		return 0;
	lpm_load(k, 128, &hi, &lo);
	if (pos >= 64)
		return lo << (pos - 64);
	if (pos > 0)
		lpm_shl(&hi, &lo, pos);
	return hi;
}

/* n (1..32) bits of a 16-byte key from bit pos on. */
static unsigned
lpm_bits(const uint8_t *k, unsigned pos, unsigned n)
{
	return (unsigned)(lpm_word(k, pos) >> (64 - n));
}

/* How many leading bits two 16-byte keys share. */
static unsigned
lpm_common(const uint8_t *a, const uint8_t *b)
{
	uint64_t ah, al, bh, bl;

	lpm_load(a, 128, &ah, &al);
	lpm_load(b, 128, &bh, &bl);
	if (ah != bh)
		return (unsigned)__builtin_clzll(ah ^ bh);
	if (al != bl)
		return 64 + (unsigned)__builtin_clzll(al ^ bl);
	return 128;
}

/* Whether the prefixes are valid and in strict pre-order. */
static int
lpm_check(const struct lpm_prefix *p, size_t n, unsigned maxbits)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		/* No bit set past plen (nor past maxbits). */
		if (p[i].plen > maxbits || (p[i].plen < 128 &&
		    (lpm_word(p[i].key, p[i].plen) != 0 ||
		    lpm_word(p[i].key, p[i].plen + 64) != 0)))
			return -1;
		if (i == 0)
			continue;
		c = memcmp(p[i - 1].key, p[i].key, 16);
		if (c > 0 || (c == 0 && p[i - 1].plen >= p[i].plen))
			return -1;
	}
	return 0;
}

/* Append a node of n words and return its offset (b->oom: failed). */
static uint32_t
lpm_emit(struct lpm_builder *b, const uint32_t *words, size_t n)
{
	uint32_t *nw;
	size_t cap, off;

	if (b->oom)
		return 0;
	if (b->cap - b->nw < n) {
		cap = b->cap == 0 ? 4096 : b->cap * 2;
		if (cap > (size_t)LPM_OFF + 1 ||
		    (nw = reallocarray(b->w, cap, sizeof(*nw))) == NULL) {
			b->oom = 1;
			return 0;
		}
		b->w = nw;
		b->cap = cap;
	}
	off = b->nw;
	memcpy(b->w + off, words, n * sizeof(*words));
	b->nw += n;
	return (uint32_t)off;
}

/*
 * Fill the 2^nbits slots of the node at bit pos from prefixes p[lo..hi),
 * all longer than pos and on its path: a prefix ending within the node
 * covers its slots (a longer one, later in pre-order, overwrites part of
 * them: leaf pushing); the prefixes going deeper than the node's bits
 * share a slot, which becomes the node built from them.
 */
static void
lpm_fill(struct lpm_builder *b, uint32_t *slot, unsigned nbits, unsigned pos,
    size_t lo, size_t hi)
{
	const struct lpm_prefix *p = b->p;
	size_t i, j, span, s;

	for (i = lo; i < hi && !b->oom; i = j) {
		s = lpm_bits(p[i].key, pos, nbits);
		if (p[i].plen <= pos + nbits) {
			span = (size_t)1 << (pos + nbits - p[i].plen);
			for (j = 0; j < span; j++)
				slot[s + j] = LPM_LEAF | (uint32_t)i;
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < hi && lpm_bits(p[j].key, pos, nbits) == s;
		    j++)
			;
		slot[s] = lpm_sub(b, i, j, pos + nbits, slot[s] & ~LPM_LEAF);
	}
}

/*
 * The entry for the keys under a pos-bit path, from prefixes p[lo..hi)
 * (lo < hi), all longer than pos and on the path; inh is the value of the
 * longest prefix covering the whole path (or LPM_NONE). Where every
 * prefix shares the next 6 bits or more, a skip word holds them: the node
 * proper starts below them, and a key that differs there gets inh.
 */
static uint32_t
lpm_sub(struct lpm_builder *b, size_t lo, size_t hi, unsigned pos,
    uint32_t inh)
{
	const struct lpm_prefix *p = b->p;
	uint32_t slot[LPM_SLOTS], words[5 + LPM_SLOTS], off;
	uint64_t bm = 0, sk = 0;
	unsigned c, at = pos, minplen = 128, s;
	size_t i, n = 0;

	for (i = lo; i < hi; i++)
		if (p[i].plen < minplen)
			minplen = p[i].plen;
	c = lpm_common(p[lo].key, p[hi - 1].key);
	if (c > minplen)
		c = minplen;
	if (c >= pos + LPM_STRIDE) {
		at = c;
		if (at > b->maxbits - LPM_STRIDE)
			at = b->maxbits - LPM_STRIDE;
		if (at > pos + LPM_SKIPMAX)
			at = pos + LPM_SKIPMAX;
	}
	if (at > pos) {
		/* The skipped bits, then a 1 that marks their end. */
		sk = (lpm_word(p[lo].key, pos) & ~(~0ULL >> (at - pos))) |
		    (uint64_t)1 << (63 - (at - pos));
		memcpy(words, &sk, sizeof(sk));
		words[2] = LPM_LEAF | inh;
		n = 3;
		if (p[lo].plen == at)
			inh = (uint32_t)lo++;
	}
	for (s = 0; s < LPM_SLOTS; s++)
		slot[s] = LPM_LEAF | inh;
	lpm_fill(b, slot, LPM_STRIDE, at, lo, hi);
	if (b->oom)
		return 0;
	/* Runs of equal slots: a bit where each starts, one entry each. */
	n += 2;
	for (s = 0; s < LPM_SLOTS; s++) {
		if (s > 0 && slot[s] == slot[s - 1])
			continue;
		bm |= (uint64_t)1 << s;
		words[n++] = slot[s];
	}
	memcpy(words + (at > pos ? 3 : 0), &bm, sizeof(bm));
	off = lpm_emit(b, words, n);
	return off | (at > pos ? LPM_SKIP : 0);
}

/*
 * Bits set in a word, where the compiler may not use an instruction for
 * it: it would call libgcc's function, which is slower than this.
 */
static inline unsigned
lpm_popcount(uint64_t x)
{
#if defined(__POPCNT__) || defined(__aarch64__)
	return (unsigned)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* Bits of the first level: 2^sbits entries, about 4 per prefix or more. */
static unsigned
lpm_sbits(size_t n)
{
	unsigned s = LPM_SBITS_MIN;

	while (s < LPM_SBITS_MAX && ((size_t)1 << s) < n * 4)
		s++;
	return s;
}

/* Build from prefixes in pre-order; see lpm.h. */
int
lpm_build(struct lpm *t, unsigned maxbits, const struct lpm_prefix *p,
    size_t n)
{
	struct lpm_builder b;
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((maxbits != 32 && maxbits != 128) || n > LPM_MAX ||
	    lpm_check(p, n, maxbits) == -1) {
		errno = EINVAL;
		return -1;
	}
	t->maxbits = maxbits;
#ifdef LPM_POPCNT_DISPATCH
	t->popcnt = __builtin_cpu_supports("popcnt") != 0;
#endif
	if (n == 0)
		return 0;
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.maxbits = maxbits;
	t->sbits = lpm_sbits(n);
	if ((t->dir = reallocarray(NULL, (size_t)1 << t->sbits,
	    sizeof(*t->dir))) == NULL)
		goto oom;
	for (i = 0; i < (size_t)1 << t->sbits; i++)
		t->dir[i] = LPM_LEAF | LPM_NONE;
	/* A prefix shorter than the first level is in it, the rest below. */
	lpm_fill(&b, t->dir, t->sbits, 0, 0, n);
	if (b.oom)
		goto oom;
	t->node = b.w;
	t->nnode = b.nw;
	if (b.nw > 0 && b.nw < b.cap &&
	    (t->node = reallocarray(b.w, b.nw, sizeof(*b.w))) == NULL)
		t->node = b.w;
	return 0;
oom:
	free(b.w);
	lpm_free(t);
	errno = ENOMEM;
	return -1;
}

/*
 * One node of a walk: from the entry e of a node, consume its bits of
 * the key (hi, lo) and return the next entry, a node or a value (LPM_LEAF
 * set). hw: use the popcount instruction (the caller is compiled for it).
 */
static inline __attribute__((always_inline)) uint32_t
lpm_step(const struct lpm *t, uint32_t e, uint64_t *hi, uint64_t *lo, int hw)
{
	const uint32_t *n = t->node + (e & LPM_OFF);
	uint64_t bm, sk;

	if (e & LPM_SKIP) {
		memcpy(&sk, n, sizeof(sk));
		/* Every bit above the end mark must match. */
		if (((*hi ^ sk) & -((sk & -sk) << 1)) != 0)
			return n[2];
		lpm_shl(hi, lo, 63 - (unsigned)__builtin_ctzll(sk));
		n += 3;
	}
	memcpy(&bm, n, sizeof(bm));
	bm &= ~0ULL >> (63 - (*hi >> 58));
	e = n[1 + (hw ? (unsigned)__builtin_popcountll(bm) :
	    lpm_popcount(bm))];
	lpm_shl(hi, lo, LPM_STRIDE);
	return e;
}

/* The walk: the first level, then node after node until a value. */
static inline __attribute__((always_inline)) uint32_t
lpm_walk(const struct lpm *t, const uint8_t *key, int hw)
{
	uint64_t hi, lo;
	uint32_t e;

	lpm_load(key, t->maxbits, &hi, &lo);
	e = t->dir[hi >> (64 - t->sbits)];
	lpm_shl(&hi, &lo, t->sbits);
	while ((e & LPM_LEAF) == 0)
		e = lpm_step(t, e, &hi, &lo, hw);
	return e & ~LPM_LEAF;
}

/*
 * The walks of lpm_lookup_many, LPM_GROUP at a time, software-pipelined
 * as DPDK's rte_lpm_lookup_bulk: every walk of a group takes one step (a
 * first-level entry, then a node) before any takes the next, and
 * prefetches what its next step reads, so the group's cache misses are
 * in flight together instead of one after the other.
 */
static inline __attribute__((always_inline)) void
lpm_many(const struct lpm *const *t, const uint8_t *const *key, size_t n,
    uint32_t *out, int hw)
{
	uint64_t hi[LPM_GROUP], lo[LPM_GROUP];
	size_t base, m, i;
	const struct lpm *l;
	int more;

	for (base = 0; base < n; base += m, t += m, key += m, out += m) {
		m = n - base < LPM_GROUP ? n - base : LPM_GROUP;
		for (i = 0; i < m; i++) {
			l = t[i];
			if (l->dir == NULL)
				continue;
			lpm_load(key[i], l->maxbits, &hi[i], &lo[i]);
			__builtin_prefetch(&l->dir[hi[i] >> (64 - l->sbits)]);
		}
		more = 0;
		for (i = 0; i < m; i++) {
			l = t[i];
			if (l->dir == NULL) {
				out[i] = LPM_LEAF | LPM_NONE;
				continue;
			}
			out[i] = l->dir[hi[i] >> (64 - l->sbits)];
			lpm_shl(&hi[i], &lo[i], l->sbits);
			if ((out[i] & LPM_LEAF) == 0) {
				__builtin_prefetch(l->node + (out[i] & LPM_OFF));
				more = 1;
			}
		}
		while (more) {
			more = 0;
			for (i = 0; i < m; i++) {
				if (out[i] & LPM_LEAF)
					continue;
				out[i] = lpm_step(t[i], out[i], &hi[i], &lo[i],
				    hw);
				if ((out[i] & LPM_LEAF) == 0) {
					__builtin_prefetch(t[i]->node +
					    (out[i] & LPM_OFF));
					more = 1;
				}
			}
		}
		for (i = 0; i < m; i++)
			out[i] &= ~LPM_LEAF;
	}
}

#ifdef LPM_POPCNT_DISPATCH
/* The walk where the CPU has popcnt, which x86-64's baseline lacks. */
static __attribute__((target("popcnt"))) uint32_t
lpm_walk_popcnt(const struct lpm *t, const uint8_t *key)
{
	return lpm_walk(t, key, 1);
}

/* The batch walk where the CPU has popcnt. */
static __attribute__((target("popcnt"))) void
lpm_many_popcnt(const struct lpm *const *t, const uint8_t *const *key,
    size_t n, uint32_t *out)
{
	lpm_many(t, key, n, out, 1);
}
#endif

/* The index of the longest prefix holding key, or LPM_NONE. */
uint32_t
lpm_lookup(const struct lpm *t, const uint8_t *key)
{
	if (t->dir == NULL)
		return LPM_NONE;
#ifdef LPM_POPCNT_DISPATCH
	if (t->popcnt)
		return lpm_walk_popcnt(t, key);
#endif
	return lpm_walk(t, key, 0);
}

/* lpm_lookup for n keys, each in its own lpm, their walks overlapped. */
void
lpm_lookup_many(const struct lpm *const *t, const uint8_t *const *key,
    size_t n, uint32_t *out)
{
	if (n == 0)
		return;
#ifdef LPM_POPCNT_DISPATCH
	if (t[0]->popcnt) {
		lpm_many_popcnt(t, key, n, out);
		return;
	}
#endif
	lpm_many(t, key, n, out, 0);
}

/*
 * Whether every address of each prefix lies in longer prefixes of the
 * list or in the hole, so that it is never the longest match of a key
 * that is looked up. In pre-order, the longest prefixes a prefix holds
 * (its children) come in address order, right after it and before
 * anything outside it: it is covered exactly when they tile it with no
 * gap. The hole takes its place in that order as one more prefix, with
 * no verdict of its own; a prefix inside it is covered outright. A stack
 * of the prefixes holding the current one, each with the end of its last
 * child so far, makes it one pass.
 */
int
lpm_shadowed(const struct lpm_prefix *p, size_t n, unsigned maxbits,
    const struct lpm_prefix *hole, uint8_t *out)
{
	struct lpm_open {
		size_t		i;
		uint64_t	start[2], end[2], reach[2];
		int		kids, gap, dead;
	} st[130], *top;
	uint64_t s[2], e[2], hs[2] = { 0, 0 }, he[2] = { 0, 0 };
	size_t i = 0, at, sp = 0;
	int left = hole != NULL;

	if ((maxbits != 32 && maxbits != 128) ||
	    lpm_check(p, n, maxbits) == -1 ||
	    (hole != NULL && lpm_check(hole, 1, maxbits) == -1)) {
		errno = EINVAL;
		return -1;
	}
	if (hole != NULL) {
		lpm_load(hole->key, 128, &hs[0], &hs[1]);
		lpm_end(hs, hole->plen, maxbits, he);
	}
	for (;;) {
		/* The next in pre-order: p[i], or the hole (at SIZE_MAX). */
		at = i;
		if (i < n) {
			lpm_load(p[i].key, 128, &s[0], &s[1]);
			lpm_end(s, p[i].plen, maxbits, e);
		}
		if (left && (i == n || lpm_less(hs, s) || (hs[0] == s[0] &&
		    hs[1] == s[1] && hole->plen <= p[i].plen))) {
			memcpy(s, hs, sizeof(s));
			memcpy(e, he, sizeof(e));
			at = SIZE_MAX;
			left = 0;
		}
		/* Close the prefixes that do not hold this one. */
		while (sp > 0 && (at == n || lpm_less(st[sp - 1].end, s))) {
			top = &st[--sp];
			if (top->i != SIZE_MAX)
				out[top->i] = top->dead || (top->kids &&
				    !top->gap && top->reach[0] == top->end[0] &&
				    top->reach[1] == top->end[1]);
		}
		if (at == n)
			break;
		if (sp > 0) {
			top = &st[sp - 1];
			if (!top->kids)
				top->gap = s[0] != top->start[0] ||
				    s[1] != top->start[1];
			else if (!lpm_next(top->reach, s, maxbits))
				top->gap = 1;
			top->kids = 1;
			memcpy(top->reach, e, sizeof(e));
		}
		top = &st[sp++];
		top->i = at;
		memcpy(top->start, s, sizeof(s));
		memcpy(top->end, e, sizeof(e));
		top->kids = top->gap = 0;
		top->dead = at == SIZE_MAX || (sp > 1 && st[sp - 2].dead);
		if (at != SIZE_MAX)
			i++;
	}
	return 0;
}

/* The last address of a prefix: its start with every host bit set. */
static void
lpm_end(const uint64_t *s, unsigned plen, unsigned maxbits, uint64_t *e)
{
	e[0] = s[0] | lpm_ones(plen, maxbits);
	e[1] = s[1] | lpm_ones(plen < 64 ? 0 : plen - 64,
	    maxbits < 64 ? 0 : maxbits - 64);
}

/* Bits a..b-1 of a word, counted from the top, capped at 64. */
static uint64_t
lpm_ones(unsigned a, unsigned b)
{
	if (b > 64)
		b = 64;
	if (a >= b)
		return 0;
	return (~0ULL >> a) & ~(b == 64 ? 0 : ~0ULL >> b);
}

/* Whether 128-bit a < b. */
static int
lpm_less(const uint64_t *a, const uint64_t *b)
{
	return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
}

/* Whether b is the address after a, in maxbits-bit addresses. */
static int
lpm_next(const uint64_t *a, const uint64_t *b, unsigned maxbits)
{
	if (maxbits <= 64)
		return b[1] == a[1] && b[0] == a[0] + (1ULL << (64 - maxbits));
	return a[1] == ~0ULL ? b[1] == 0 && b[0] == a[0] + 1 :
	    b[1] == a[1] + 1 && b[0] == a[0];
}

/* Bytes the lpm holds. */
size_t
lpm_bytes(const struct lpm *t)
{
	return (t->dir != NULL ? sizeof(*t->dir) << t->sbits : 0) +
	    t->nnode * sizeof(*t->node);
}

/* Release the lpm's memory. */
void
lpm_free(struct lpm *t)
{
	unsigned maxbits = t->maxbits;

	free(t->dir);
	free(t->node);
	memset(t, 0, sizeof(*t));
	t->maxbits = maxbits;
}
