/* SPDX-License-Identifier: ISC */
/* trie: longest-prefix match over IPv4/IPv6 keys (see trie.h). Pure. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "acl/trie.h"

static int	trie_bit(const uint8_t *, unsigned);
static void	trie_mask(uint8_t *, const uint8_t *, unsigned);
static unsigned	trie_common(const uint8_t *, const uint8_t *, unsigned);
static int	trie_match(const uint8_t *, const uint8_t *, unsigned);
static int	trie_reserve(struct trie *, size_t);
static uint32_t	trie_node_new(struct trie *, const uint8_t *, unsigned);
static int	trie_full(const struct trie *, uint32_t);
static int	trie_half_full(const struct trie *, uint32_t, int);

/* Set up an empty trie for keys of maxbits bits. */
void
trie_init(struct trie *t, unsigned maxbits)
{
	memset(t, 0, sizeof(*t));
	t->root = TRIE_NONE;
	t->maxbits = maxbits > TRIE_KEYLEN * 8 ? TRIE_KEYLEN * 8 : maxbits;
}

/* Release the nodes; the values belong to the caller. */
void
trie_free(struct trie *t)
{
	free(t->nodes);
	trie_init(t, t->maxbits);
}

/* Bit i of key, counting from the most significant bit of key[0]. */
static int
trie_bit(const uint8_t *key, unsigned i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

/* Copy the first plen bits of src to dst and zero the rest. */
static void
trie_mask(uint8_t *dst, const uint8_t *src, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	memset(dst, 0, TRIE_KEYLEN);
	memcpy(dst, src, full);
	if (rest != 0)
		dst[full] = src[full] & (uint8_t)(0xff << (8 - rest));
}

/* The number of leading bits a and b share, at most max. */
static unsigned
trie_common(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < TRIE_KEYLEN && n < max; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x == 0) {
			n += 8;
			continue;
		}
		while ((x & 0x80) == 0) {
			n++;
			x = (uint8_t)(x << 1);
		}
		break;
	}
	return n < max ? n : max;
}

/* Whether key starts with the plen-bit prefix pfx. */
static int
trie_match(const uint8_t *pfx, const uint8_t *key, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (memcmp(pfx, key, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((pfx[full] ^ key[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Make room for n more nodes so that node pointers stay valid meanwhile. */
static int
trie_reserve(struct trie *t, size_t n)
{
	struct trie_node *nn;
	size_t cap;

	if (t->cap - t->nnodes >= n)
		return 0;
	cap = t->cap < 16 ? 16 : t->cap * 2;
	if (cap < t->nnodes + n || cap >= TRIE_NONE)
		return -1;
	nn = reallocarray(t->nodes, cap, sizeof(*nn));
	if (nn == NULL)
		return -1;
	t->nodes = nn;
	t->cap = cap;
	return 0;
}

/* A new childless, valueless node for key/plen, from reserved room. */
static uint32_t
trie_node_new(struct trie *t, const uint8_t *key, unsigned plen)
{
	struct trie_node *n = &t->nodes[t->nnodes];

	trie_mask(n->key, key, plen);
	n->plen = (uint8_t)plen;
	n->has_value = 0;
	n->child[0] = n->child[1] = TRIE_NONE;
	n->value = NULL;
	return (uint32_t)t->nnodes++;
}

/* Store value under key/plen unless that prefix is already there. */
int
trie_insert(struct trie *t, const uint8_t *key, unsigned plen, void *value)
{
	uint32_t *slot, k, g, leaf;
	struct trie_node *n;
	unsigned common;

	if (plen > t->maxbits || trie_reserve(t, 2) == -1)
		return -1;
	slot = &t->root;
	while (*slot != TRIE_NONE) {
		n = &t->nodes[*slot];
		common = trie_common(n->key, key,
		    plen < n->plen ? plen : n->plen);
		if (common == n->plen && n->plen == plen) {
			if (n->has_value)
				return 1;
			n->has_value = 1;
			n->value = value;
			t->nvalues++;
			return 0;
		}
		if (common == n->plen) {
			slot = &n->child[trie_bit(key, n->plen)];
			continue;
		}
		/* key/plen and n part ways above n: n moves down a level. */
		leaf = k = trie_node_new(t, key, plen);
		if (common == plen) {
			t->nodes[k].child[trie_bit(t->nodes[*slot].key, plen)] =
			    *slot;
		} else {
			g = trie_node_new(t, key, common);
			t->nodes[g].child[trie_bit(key, common)] = k;
			t->nodes[g].child[!trie_bit(key, common)] = *slot;
			k = g;
		}
		*slot = k;
		goto stored;
	}
	leaf = *slot = trie_node_new(t, key, plen);
stored:
	n = &t->nodes[leaf];
	n->has_value = 1;
	n->value = value;
	t->nvalues++;
	return 0;
}

/* The value of the longest stored prefix holding key. */
void *
trie_lookup(const struct trie *t, const uint8_t *key)
{
	const struct trie_node *n;
	void *best = NULL;
	uint32_t i = t->root;

	while (i != TRIE_NONE) {
		n = &t->nodes[i];
		if (!trie_match(n->key, key, n->plen))
			break;
		if (n->has_value)
			best = n->value;
		if (n->plen >= t->maxbits)
			break;
		i = n->child[trie_bit(key, n->plen)];
	}
	return best;
}

/* The value stored under exactly key/plen. */
void *
trie_get(const struct trie *t, const uint8_t *key, unsigned plen)
{
	const struct trie_node *n;
	uint32_t i = t->root;

	while (i != TRIE_NONE) {
		n = &t->nodes[i];
		if (n->plen > plen || !trie_match(n->key, key, n->plen))
			return NULL;
		if (n->plen == plen)
			return n->has_value ? n->value : NULL;
		i = n->child[trie_bit(key, n->plen)];
	}
	return NULL;
}

/* Whether every address under node i lies in a stored prefix. */
static int
trie_full(const struct trie *t, uint32_t i)
{
	return t->nodes[i].has_value ||
	    (trie_half_full(t, i, 0) && trie_half_full(t, i, 1));
}

/*
 * Whether half b of node i (its prefix one bit longer) is all stored
 * prefixes. A child deeper than one bit down leaves a gap beside it that
 * nothing below node i can fill: path compression keeps every stored
 * prefix of that half under that child.
 */
static int
trie_half_full(const struct trie *t, uint32_t i, int b)
{
	uint32_t c = t->nodes[i].child[b];

	return c != TRIE_NONE && t->nodes[c].plen == t->nodes[i].plen + 1 &&
	    trie_full(t, c);
}

/* Whether key/plen is wholly covered by strictly longer stored prefixes. */
int
trie_covered(const struct trie *t, const uint8_t *key, unsigned plen)
{
	const struct trie_node *n;
	uint32_t i = t->root;

	if (plen >= t->maxbits)
		return 0;
	while (i != TRIE_NONE) {
		n = &t->nodes[i];
		if (n->plen >= plen) {
			/* The topmost node inside key/plen, if it is inside. */
			if (!trie_match(key, n->key, plen) || n->plen != plen)
				return 0;
			return trie_half_full(t, i, 0) &&
			    trie_half_full(t, i, 1);
		}
		if (!trie_match(n->key, key, n->plen))
			return 0;
		i = n->child[trie_bit(key, n->plen)];
	}
	return 0;
}

/* Give back the room kept for growth; on failure keep it. */
void
trie_trim(struct trie *t)
{
	struct trie_node *nn;

	if (t->nnodes == 0 || t->nnodes == t->cap)
		return;
	if ((nn = reallocarray(t->nodes, t->nnodes, sizeof(*nn))) == NULL)
		return;
	t->nodes = nn;
	t->cap = t->nnodes;
}

/* Number of stored prefixes. */
size_t
trie_count(const struct trie *t)
{
	return t->nvalues;
}
