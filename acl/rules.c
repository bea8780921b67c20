/* SPDX-License-Identifier: ISC */
/*
 * rules: the rules of a build as they are added, and their sort (build.h).
 * Added, they are kept in chunks of ACL_CHUNK; acl_sort copies them out
 * into one array in the order the table is built in (family, netblock,
 * the "*" rule first, user, order of addition), sorting small keys with
 * a merge sort of its own. The arrays of a large build are mappings of
 * their own in huge pages (compat_big_alloc). Pure, as the rest of acl/.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/build.h"
#include "compat/compat.h"

/* What the sort compares, small enough to move cheaply. */
struct acl_skey {
	uint64_t		 hi, lo;	/* the netblock's 16 bytes */
	const unsigned char	*user;		/* NULL: the "*" rule */
	uint32_t		 seq;
	uint16_t		 ulen;
	uint8_t			 plen;
	uint8_t			 v6;
};

static int	acl_user_cmp(const unsigned char *, size_t,
		    const unsigned char *, size_t);
static int	acl_skey_cmp(const struct acl_skey *,
		    const struct acl_skey *);
static void	acl_skey_sort(struct acl_skey *, struct acl_skey *, size_t);

/*
 * Room for one more rule: the first chunk doubles (a copy, at most half
 * a chunk), then a chunk more. An add that failed after this leaves the
 * room in place for the next.
 */
int
acl_room(struct acl_build *b)
{
	struct acl_brule *c, **nc;
	size_t cap;

	if (b->nrules < ACL_CHUNK && b->nrules == b->cap0) {
		cap = b->cap0 == 0 ? 64 : b->cap0 * 2;
		if ((c = compat_big_alloc(cap, sizeof(*c))) == NULL)
			return -1;
		if (b->nchunk == 0) {
			if ((nc = reallocarray(b->chunk, 16, sizeof(*nc))) ==
			    NULL) {
				compat_big_free(c);
				return -1;
			}
			b->chunk = nc;
			b->capchunk = 16;
			b->nchunk = 1;
		} else {
			memcpy(c, b->chunk[0], b->nrules * sizeof(*c));
			compat_big_free(b->chunk[0]);
		}
		b->chunk[0] = c;
		b->cap0 = cap;
		return 0;
	}
	if (b->nrules < ACL_CHUNK ||
	    (b->nrules >> ACL_CHUNK_SHIFT) < b->nchunk)
		return 0;
	if (b->nchunk == b->capchunk) {
		if ((nc = reallocarray(b->chunk, b->capchunk * 2,
		    sizeof(*nc))) == NULL)
			return -1;
		b->chunk = nc;
		b->capchunk *= 2;
	}
	if ((c = compat_big_alloc(ACL_CHUNK, sizeof(*c))) == NULL)
		return -1;
	b->chunk[b->nchunk++] = c;
	return 0;
}

/* Order of user names in a block: bytes, then length. */
static int
acl_user_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Bytes 0..7 of a netblock as a big-endian number. */
static inline uint64_t
acl_be64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | p[7];
}

/* Sort order: family, netblock, "*" first, user, order of addition. */
static inline int
acl_skey_cmp(const struct acl_skey *a, const struct acl_skey *b)
{
	int c;

	if (a->v6 != b->v6)
		return a->v6 < b->v6 ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if ((a->user == NULL) != (b->user == NULL))
		return a->user == NULL ? -1 : 1;
	if (a->user != NULL &&
	    (c = acl_user_cmp(a->user, a->ulen, b->user, b->ulen)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Sort n keys, with tmp room for n more: a merge sort, bottom up, from
 * runs of ACL_RUN sorted in place. Not qsort: its calls through a pointer
 * to the comparison were most of the sort's time at a million rules,
 * and its scratch array (as large as the keys) was not ours to put in
 * huge pages. Keys differ in seq, so the order is total and the result
 * the one qsort gave. Two runs already in order (a list file sorted as
 * they are published) are copied without a merge.
 */
#define ACL_RUN	16
static void
acl_skey_sort(struct acl_skey *k, struct acl_skey *tmp, size_t n)
{
	struct acl_skey *src = k, *dst = tmp, *sw, x;
	size_t w, lo, mid, hi, i, j, o;

	for (lo = 0; lo < n; lo += ACL_RUN) {
		hi = n - lo < ACL_RUN ? n : lo + ACL_RUN;
		for (i = lo + 1; i < hi; i++) {
			x = k[i];
			for (j = i; j > lo && acl_skey_cmp(&x, &k[j - 1]) < 0;
			    j--)
				k[j] = k[j - 1];
			k[j] = x;
		}
	}
	for (w = ACL_RUN; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = n - lo < w ? n : lo + w;
			hi = n - mid < w ? n : mid + w;
			i = lo;
			j = mid;
			o = lo;
			if (mid < hi &&
			    acl_skey_cmp(&src[mid - 1], &src[mid]) > 0)
				while (i < mid && j < hi)
					dst[o++] = acl_skey_cmp(&src[j],
					    &src[i]) < 0 ? src[j++] : src[i++];
			memcpy(dst + o, src + i, (mid - i) * sizeof(*dst));
			o += mid - i;
			memcpy(dst + o, src + j, (hi - j) * sizeof(*dst));
		}
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
}

/*
 * Sort the rules. The sort moves and compares small keys, not the rules
 * (32 bytes against 56, and numbers against memcmp): at a million rules
 * that halves the build. Then the rules follow their keys.
 */
int
acl_sort(struct acl_build *b)
{
	struct acl_skey *k;
	struct acl_brule *sorted, *r;
	size_t i, n = b->nrules;

	if (n == 0) {
		acl_chunks_free(b);
		return 0;
	}
	if ((k = compat_big_alloc(n, 2 * sizeof(*k))) == NULL)
		return -1;
	if ((sorted = compat_big_alloc(n, sizeof(*sorted))) == NULL) {
		compat_big_free(k);
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = acl_brule_at(b, i);
		/* The arena no longer moves: offsets become pointers. */
		if (r->has_user)
			r->user.p = b->arena + r->user.off;
		k[i].hi = acl_be64(r->bytes);
		k[i].lo = acl_be64(r->bytes + 8);
		k[i].user = r->has_user ? r->user.p : NULL;
		k[i].seq = (uint32_t)i;
		k[i].ulen = (uint16_t)r->userlen;
		k[i].plen = r->plen;
		k[i].v6 = r->v6;
	}
	acl_skey_sort(k, k + n, n);
	for (i = 0; i < n; i++)
		sorted[i] = *acl_brule_at(b, k[i].seq);
	compat_big_free(k);
	acl_chunks_free(b);
	b->rules = sorted;
	return 0;
}

/* Free the rules as added (acl_sort has copied them, sorted). */
void
acl_chunks_free(struct acl_build *b)
{
	size_t i;

	for (i = 0; i < b->nchunk; i++)
		compat_big_free(b->chunk[i]);
	free(b->chunk);
	b->chunk = NULL;
	b->nchunk = b->capchunk = b->cap0 = 0;
}
