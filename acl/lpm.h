/* SPDX-License-Identifier: ISC */
/*
 * lpm: the longest-prefix match the rule table answers peers with. Pure.
 *
 * A compressed multibit trie built once from a sorted list of prefixes
 * and never changed after: lpm_lookup only reads, so any number of
 * threads may look up in one lpm at once, without locks. The value of a
 * prefix is its index in the list given to lpm_build. The design and its
 * costs are argued at the top of lpm.c.
 */
#ifndef DAYTIMED_LPM_H
#define DAYTIMED_LPM_H

#include <stddef.h>
#include <stdint.h>

#define LPM_NONE	0x7fffffffU	/* no stored prefix holds the key */
#define LPM_MAX		LPM_NONE	/* most prefixes an lpm holds */

struct lpm_prefix {
	uint8_t		key[16];	/* big-endian; bits past plen zero */
	unsigned	plen;		/* 0..maxbits */
};

struct lpm {
	uint32_t	*dir;		/* 2^sbits entries: the first level */
	uint32_t	*node;		/* the nodes below it */
	size_t		 nnode;		/* words in node[] */
	unsigned	 sbits;		/* key bits that index dir[] */
	unsigned	 maxbits;	/* 32 or 128 */
	int		 popcnt;	/* the CPU has a popcount instruction */
};

/*
 * Build from n prefixes of maxbits-bit keys (32 or 128) in pre-order:
 * sorted by key, then by plen, with no prefix twice. Returns 0, or -1
 * with errno EINVAL (bad order or plen, maxbits) or ENOMEM.
 */
int		lpm_build(struct lpm *, unsigned maxbits,
		    const struct lpm_prefix *, size_t n);
/*
 * The index of the longest prefix holding key (maxbits / 8 bytes,
 * big-endian), or LPM_NONE.
 */
uint32_t	lpm_lookup(const struct lpm *, const uint8_t *key);
/*
 * lpm_lookup for n keys at once: out[i] = lpm_lookup(t[i], key[i]), so
 * one batch may mix lpms (IPv4 and IPv6). The walks advance together with
 * prefetches, so their cache misses overlap: faster than n lookups once
 * the lpm outgrows the cache.
 */
void		lpm_lookup_many(const struct lpm *const *t,
		    const uint8_t *const *key, size_t n, uint32_t *out);
/*
 * Set out[i] to whether every address of prefix i lies in longer
 * prefixes of the list (same order as lpm_build) or in hole, a prefix
 * whose keys are never looked up (NULL: none), so that prefix i is never
 * the longest match of a key that is; 0 otherwise. -1 with errno EINVAL
 * on bad input.
 */
int		lpm_shadowed(const struct lpm_prefix *, size_t n,
		    unsigned maxbits, const struct lpm_prefix *hole,
		    uint8_t *out);
/* Bytes the lpm holds. */
size_t		lpm_bytes(const struct lpm *);
/* Release what lpm_build allocated; the lpm is then empty. */
void		lpm_free(struct lpm *);

#endif
