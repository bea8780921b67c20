/* SPDX-License-Identifier: ISC */
/*
 * report_table: bounded counting by key (see report_table.h for the
 * algorithm and what its counts mean).
 *
 * Entries live in one array; a chained hash finds them by key and a
 * binary min-heap over the unpinned ones by count finds the one a new
 * key replaces. Adding to a key raises its count by one, so the heap is
 * mended by sifting that entry down; a replacement reuses the entry (and
 * its key buffer when it is large enough). Memory is bounded by cap and
 * the pinned keys, each at most REPORT_KEY_MAX bytes.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/report_table.h"

#define REPORT_NONE	UINT32_MAX	/* no next entry; a pinned entry's heap */

struct report_table {
	struct report_entry	*e;
	uint32_t		 n;		/* entries in use */
	uint32_t		 cap_e;		/* entries allocated */
	uint32_t		*bucket;
	uint32_t		 nbucket;	/* a power of two */
	uint32_t		*heap;		/* unpinned entries, min count first */
	uint32_t		 nheap;
	uint32_t		 cap;		/* unpinned entries kept at most */
	uint64_t		 total;
	unsigned char		 hkey[crypto_shorthash_KEYBYTES];
};

static uint64_t	report_table_hash(const struct report_table *, const void *,
		    size_t);
static struct report_entry *report_table_lookup(struct report_table *,
		    const void *, size_t, uint64_t);
static struct report_entry *report_table_make(struct report_table *,
		    const void *, size_t, uint64_t, int);
static struct report_entry *report_table_replace(struct report_table *,
		    const void *, size_t, uint64_t);
static int	report_table_setkey(struct report_entry *, const void *,
		    size_t);
static void	report_table_link(struct report_table *, uint32_t);
static void	report_table_unlink(struct report_table *, uint32_t);
static int	report_table_rehash(struct report_table *);
static void	report_table_sift(struct report_table *, uint32_t);
static int	report_table_cmp(const void *, const void *);

/* A table of at most cap unpinned keys. */
struct report_table *
report_table_new(size_t cap)
{
	struct report_table *t;

	if (cap == 0 || cap > UINT32_MAX / 4)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cap = (uint32_t)cap;
	t->nbucket = 64;
	if ((t->bucket = malloc(t->nbucket * sizeof(*t->bucket))) == NULL) {
		free(t);
		return NULL;
	}
	memset(t->bucket, 0xff, t->nbucket * sizeof(*t->bucket));
	crypto_shorthash_keygen(t->hkey);
	return t;
}

/* Free every key and the table. */
void
report_table_free(struct report_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	free(t->bucket);
	free(t->heap);
	free(t);
}

/* SipHash of the key with the table's own hash key. */
static uint64_t
report_table_hash(const struct report_table *t, const void *key, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, key, len, t->hkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* The entry holding key (hash h), or NULL. */
static struct report_entry *
report_table_lookup(struct report_table *t, const void *key, size_t len,
    uint64_t h)
{
	struct report_entry *e;
	uint32_t i;

	for (i = t->bucket[h & (t->nbucket - 1)]; i != REPORT_NONE;
	    i = e->next) {
		e = &t->e[i];
		if (e->hash == h && e->keylen == len &&
		    (len == 0 || memcmp(e->key, key, len) == 0))
			return e;
	}
	return NULL;
}

/* Count one for key at t_us (and in n[sub]). */
struct report_entry *
report_table_add(struct report_table *t, const void *key, size_t len,
    int64_t t_us, unsigned sub)
{
	struct report_entry *e;
	uint64_t h;

	if (len > REPORT_KEY_MAX)
		return NULL;
	h = report_table_hash(t, key, len);
	if ((e = report_table_lookup(t, key, len, h)) == NULL) {
		if (t->nheap < t->cap)
			e = report_table_make(t, key, len, h, 0);
		else
			e = report_table_replace(t, key, len, h);
		if (e == NULL)
			return NULL;
	}
	report_table_bump(t, e, t_us, sub);
	return e;
}

/* One more for e: its count, n[sub], times, and its place in the heap. */
void
report_table_bump(struct report_table *t, struct report_entry *e,
    int64_t t_us, unsigned sub)
{
	t->total++;
	e->count++;
	if (sub < REPORT_SUBS)
		e->n[sub]++;
	if (t_us != REPORT_NO_TIME) {
		if (e->first_us == REPORT_NO_TIME || t_us < e->first_us)
			e->first_us = t_us;
		if (e->last_us == REPORT_NO_TIME || t_us > e->last_us)
			e->last_us = t_us;
	}
	if (e->heap != REPORT_NONE)
		report_table_sift(t, e->heap);
}

/* A pinned entry for key; made with nothing counted when new. */
struct report_entry *
report_table_pin(struct report_table *t, const void *key, size_t len)
{
	struct report_entry *e;
	uint64_t h;

	if (len > REPORT_KEY_MAX)
		return NULL;
	h = report_table_hash(t, key, len);
	if ((e = report_table_lookup(t, key, len, h)) != NULL) {
		if (e->heap != REPORT_NONE) {
			/* unpinned until now: take it out of the heap */
			uint32_t pos = e->heap, last = t->heap[--t->nheap];

			if (pos != t->nheap) {
				t->heap[pos] = last;
				t->e[last].heap = pos;
				report_table_sift(t, pos);
				/* a smaller count may need to go up instead */
				while (pos > 0 && t->e[t->heap[pos]].count <
				    t->e[t->heap[(pos - 1) / 2]].count) {
					uint32_t up = (pos - 1) / 2, a = t->heap[pos];

					t->heap[pos] = t->heap[up];
					t->e[t->heap[pos]].heap = pos;
					t->heap[up] = a;
					t->e[a].heap = up;
					pos = up;
				}
			}
			e->heap = REPORT_NONE;
		}
		return e;
	}
	return report_table_make(t, key, len, h, 1);
}

/* The entry of key, or NULL. */
struct report_entry *
report_table_find(struct report_table *t, const void *key, size_t len)
{
	if (len > REPORT_KEY_MAX)
		return NULL;
	return report_table_lookup(t, key, len, report_table_hash(t, key, len));
}

/* A new entry for key (pinned or in the heap, at its top: count 0). */
static struct report_entry *
report_table_make(struct report_table *t, const void *key, size_t len,
    uint64_t h, int pinned)
{
	struct report_entry *e;
	uint32_t ncap, *nh, pos;
	void *p;

	if (t->n == t->cap_e) {
		if (t->cap_e >= UINT32_MAX / 2 - 1)
			return NULL;
		ncap = t->cap_e ? 2 * t->cap_e : 64;
		if ((p = realloc(t->e, (size_t)ncap * sizeof(*t->e))) == NULL)
			return NULL;
		t->e = p;
		if ((nh = realloc(t->heap, (size_t)ncap * sizeof(*nh))) ==
		    NULL)
			return NULL;
		t->heap = nh;
		t->cap_e = ncap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	if (report_table_setkey(e, key, len) == -1)
		return NULL;
	e->hash = h;
	e->first_us = e->last_us = REPORT_NO_TIME;
	e->heap = REPORT_NONE;
	report_table_link(t, t->n);
	if (!pinned) {
		/* count 0 is the smallest: it goes up to the top */
		pos = t->nheap++;
		while (pos > 0) {
			uint32_t up = (pos - 1) / 2;

			t->heap[pos] = t->heap[up];
			t->e[t->heap[pos]].heap = pos;
			pos = up;
		}
		t->heap[0] = t->n;
		e->heap = 0;
	}
	t->n++;
	if (t->n > t->nbucket && report_table_rehash(t) == -1)
		return e;	/* longer chains, still correct */
	return e;
}

/* The key with the smallest count gives its place (and count) to key. */
static struct report_entry *
report_table_replace(struct report_table *t, const void *key, size_t len,
    uint64_t h)
{
	uint32_t i = t->heap[0];
	struct report_entry *e = &t->e[i];

	if (report_table_setkey(e, key, len) == -1)
		return NULL;
	report_table_unlink(t, i);
	e->hash = h;
	report_table_link(t, i);
	e->err = e->count;
	memset(e->n, 0, sizeof(e->n));
	e->first_us = e->last_us = REPORT_NO_TIME;
	e->flags = 0;
	return e;
}

/* Copy key into e, growing its buffer when needed. */
static int
report_table_setkey(struct report_entry *e, const void *key, size_t len)
{
	char *p;

	if (len > e->keycap || e->key == NULL) {
		if ((p = malloc(len ? len : 1)) == NULL)
			return -1;
		free(e->key);
		e->key = p;
		e->keycap = (uint32_t)len;
	}
	if (len > 0)	/* an empty key may come as NULL */
		memcpy(e->key, key, len);
	e->keylen = (uint32_t)len;
	return 0;
}

/* Put entry i at the head of its hash chain. */
static void
report_table_link(struct report_table *t, uint32_t i)
{
	uint32_t *b = &t->bucket[t->e[i].hash & (t->nbucket - 1)];

	t->e[i].next = *b;
	*b = i;
}

/* Take entry i out of its hash chain. */
static void
report_table_unlink(struct report_table *t, uint32_t i)
{
	uint32_t *p = &t->bucket[t->e[i].hash & (t->nbucket - 1)];

	while (*p != REPORT_NONE && *p != i)
		p = &t->e[*p].next;
	if (*p == i)
		*p = t->e[i].next;
}

/* Twice the buckets, every entry relinked; -1 (table unchanged): no memory. */
static int
report_table_rehash(struct report_table *t)
{
	uint32_t *nb, i;

	if (t->nbucket >= UINT32_MAX / 2 ||
	    (nb = malloc((size_t)t->nbucket * 2 * sizeof(*nb))) == NULL)
		return -1;
	free(t->bucket);
	t->bucket = nb;
	t->nbucket *= 2;
	memset(t->bucket, 0xff, (size_t)t->nbucket * sizeof(*nb));
	for (i = 0; i < t->n; i++)
		report_table_link(t, i);
	return 0;
}

/* The entry at heap position pos grew: move it down where it belongs. */
static void
report_table_sift(struct report_table *t, uint32_t pos)
{
	uint32_t a = t->heap[pos], c;
	uint64_t cnt = t->e[a].count;

	for (;;) {
		c = 2 * pos + 1;
		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap &&
		    t->e[t->heap[c + 1]].count < t->e[t->heap[c]].count)
			c++;
		if (t->e[t->heap[c]].count >= cnt)
			break;
		t->heap[pos] = t->heap[c];
		t->e[t->heap[pos]].heap = pos;
		pos = c;
	}
	t->heap[pos] = a;
	t->e[a].heap = pos;
}

/* Every add so far. */
uint64_t
report_table_total(const struct report_table *t)
{
	return t->total;
}

/* Kept keys with a certain count. */
size_t
report_table_count(const struct report_table *t)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < t->n; i++)
		n += t->e[i].count > t->e[i].err;
	return n;
}

/* What the kept keys' certain counts leave out. */
uint64_t
report_table_others(const struct report_table *t)
{
	uint64_t sure = 0;
	uint32_t i;

	for (i = 0; i < t->n; i++)
		sure += t->e[i].count - t->e[i].err;
	return t->total - sure;
}

/* Entries with a count, most first; the caller frees the array. */
struct report_entry **
report_table_sorted(struct report_table *t, size_t *n)
{
	struct report_entry **v;
	uint32_t i;
	size_t k = 0;

	*n = 0;
	if ((v = calloc(t->n ? t->n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->e[i].count > t->e[i].err)
			v[k++] = &t->e[i];
	qsort(v, k, sizeof(*v), report_table_cmp);
	*n = k;
	return v;
}

/* Every entry, in no order. */
struct report_entry *
report_table_entries(struct report_table *t, size_t *n)
{
	*n = t->n;
	return t->e;
}

/* Larger certain count first, then the key's bytes. */
static int
report_table_cmp(const void *a, const void *b)
{
	const struct report_entry *x = *(struct report_entry *const *)a;
	const struct report_entry *y = *(struct report_entry *const *)b;
	uint64_t cx = x->count - x->err, cy = y->count - y->err;
	size_t l = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c;

	if (cx != cy)
		return cx > cy ? -1 : 1;
	if ((c = memcmp(x->key, y->key, l)) != 0)
		return c;
	return (x->keylen > y->keylen) - (x->keylen < y->keylen);
}
