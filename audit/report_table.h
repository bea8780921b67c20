/* SPDX-License-Identifier: ISC */
/*
 * report_table: counting by key in bounded memory, for the report's top
 * lists (rules, sources, netblocks, ident names).
 *
 * A table keeps at most `cap` keys (plus the pinned ones, below). While
 * it has room every count is exact. Once it is full, a new key takes the
 * place of the key with the smallest count (the Space-Saving algorithm,
 * Metwally et al. 2005): the newcomer inherits that count as its `err`,
 * and its sub-counts n[] start at zero. So for every kept key:
 *
 *   count - err = sum of n[] = what was counted since the key got its place
 *   true count  is between count - err and count
 *
 * and any key counted more than total/cap times is sure to be kept: a
 * flood of one-off sources cannot push a heavy one out. The report shows
 * count - err (certain) with err as "at most this many more", and an
 * "others" row: total - sum(count - err), so the rows always add up.
 *
 * Pinned keys (the configuration's rules and netblocks) are never
 * replaced and do not count against cap; their counts are exact.
 *
 * Keys are byte strings (a record's values, unescaped, may hold any byte;
 * composite keys join parts with a NUL). Lookups use SipHash with a key
 * drawn per table, so crafted keys cannot pile into one hash chain.
 */
#ifndef DAYTIMED_REPORT_TABLE_H
#define DAYTIMED_REPORT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_SUBS		4	/* sub-counts per key */
#define REPORT_KEY_MAX		2048	/* bytes of one key */
#define REPORT_NO_TIME		INT64_MIN

struct report_entry {
	char		*key;
	uint32_t	 keylen;
	uint32_t	 keycap;
	uint32_t	 next;			/* hash chain */
	uint32_t	 heap;			/* heap position, or pinned */
	uint64_t	 hash;
	uint64_t	 count;
	uint64_t	 err;
	uint64_t	 n[REPORT_SUBS];
	int64_t		 first_us;		/* REPORT_NO_TIME: none yet */
	int64_t		 last_us;
	uint32_t	 flags;			/* the caller's */
};

struct report_table;

/* A table keeping at most cap unpinned keys; NULL: out of memory. */
struct report_table *report_table_new(size_t cap);
void	report_table_free(struct report_table *);
/*
 * Count one for key (len bytes, at most REPORT_KEY_MAX) at time t_us
 * (REPORT_NO_TIME: unknown), and one in n[sub] when sub < REPORT_SUBS.
 * Returns the key's entry (valid until the next add), or NULL when out of
 * memory or the key is too long.
 */
struct report_entry *report_table_add(struct report_table *, const void *key,
	    size_t len, int64_t t_us, unsigned sub);
/* Count one more for e, an entry an add or find just returned. */
void	report_table_bump(struct report_table *, struct report_entry *e,
	    int64_t t_us, unsigned sub);
/* A pinned entry for key, made with count 0 when new; NULL: no memory. */
struct report_entry *report_table_pin(struct report_table *, const void *key,
	    size_t len);
/* The entry of key, or NULL. */
struct report_entry *report_table_find(struct report_table *,
	    const void *key, size_t len);
/* Every add so far. */
uint64_t report_table_total(const struct report_table *);
/* How many keys are kept with something counted. */
size_t	report_table_count(const struct report_table *);
/* total minus the certain counts of the keys kept: the "others" row. */
uint64_t report_table_others(const struct report_table *);
/* Entries with a count: *n of them, sorted by certain count, then key. */
struct report_entry **report_table_sorted(struct report_table *, size_t *n);
/* Every entry, pinned ones included, in no order; *n of them. */
struct report_entry *report_table_entries(struct report_table *, size_t *n);

#endif
