/* SPDX-License-Identifier: ISC */
/*
 * trie: longest-prefix match over IPv4/IPv6 keys. Pure.
 *
 * A path-compressed binary (patricia) trie: every node is either a stored
 * prefix or a branch point with two children, so it has fewer than twice
 * as many nodes as stored prefixes and a lookup visits at most maxbits + 1
 * nodes whatever the number of prefixes. Keys are big-endian bit strings
 * of up to 128 bits held in 16 bytes. Nodes live in one array and refer to
 * each other by index, so a trie is a few large allocations, not millions
 * of small ones. A trie is not safe for concurrent writers; concurrent
 * readers of a trie nobody writes are fine.
 */
#ifndef DAYTIMED_TRIE_H
#define DAYTIMED_TRIE_H

#include <stddef.h>
#include <stdint.h>

#define TRIE_KEYLEN	16	/* bytes in a key: 128 bits */

struct trie_node {
	uint8_t		key[TRIE_KEYLEN];	/* bits past plen are zero */
	uint8_t		plen;
	uint8_t		has_value;
	uint32_t	child[2];		/* TRIE_NONE: no child */
	void		*value;
};

struct trie {
	struct trie_node *nodes;
	size_t		  nnodes;
	size_t		  cap;
	size_t		  nvalues;
	uint32_t	  root;
	unsigned	  maxbits;		/* 32 or 128 */
};

#define TRIE_NONE	UINT32_MAX

/* Set up an empty trie for keys of maxbits bits (1..128). */
void	trie_init(struct trie *, unsigned maxbits);
/* Release the nodes (not the values). */
void	trie_free(struct trie *);
/*
 * Store value under key/plen (bits past plen are ignored). Returns 0 when
 * stored, 1 when the prefix was already there (its value is kept), -1 on
 * out of memory or a bad plen.
 */
int	trie_insert(struct trie *, const uint8_t *key, unsigned plen,
	    void *value);
/* The value of the longest stored prefix holding key, or NULL. */
void	*trie_lookup(const struct trie *, const uint8_t *key);
/* The value stored under exactly key/plen, or NULL. */
void	*trie_get(const struct trie *, const uint8_t *key, unsigned plen);
/*
 * Whether every address of key/plen lies in some strictly longer stored
 * prefix, so that key/plen itself is never the longest match. Exact.
 * Asking this of every stored prefix costs time linear in the trie.
 */
int	trie_covered(const struct trie *, const uint8_t *key, unsigned plen);
/* Give back the room kept for growth, once no more inserts will come. */
void	trie_trim(struct trie *);
/* Number of stored prefixes. */
size_t	trie_count(const struct trie *);

#endif
