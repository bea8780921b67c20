/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/trie.h"
#include "tests/unit/suites.h"

#define RAND_PREFIXES	3000
#define RAND_LOOKUPS	20000

struct ref_prefix {
	uint8_t		key[TRIE_KEYLEN];
	unsigned	plen;
	int		id;
};

static uint64_t	trie_rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed seed, so a failure is repeatable. */
static uint64_t
test_rand(void)
{
	trie_rng ^= trie_rng >> 12;
	trie_rng ^= trie_rng << 25;
	trie_rng ^= trie_rng >> 27;
	return trie_rng * 0x2545f4914f6cdd1dULL;
}

/* An IPv4 key a.b.c.d. */
static void
key4(uint8_t *k, unsigned a, unsigned b, unsigned c, unsigned d)
{
	memset(k, 0, TRIE_KEYLEN);
	k[0] = (uint8_t)a;
	k[1] = (uint8_t)b;
	k[2] = (uint8_t)c;
	k[3] = (uint8_t)d;
}

static int vals[16];

START_TEST(test_trie_empty)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	trie_init(&t, 32);
	key4(k, 1, 2, 3, 4);
	ck_assert_ptr_null(trie_lookup(&t, k));
	ck_assert_ptr_null(trie_get(&t, k, 8));
	ck_assert_int_eq(trie_covered(&t, k, 8), 0);
	ck_assert_uint_eq(trie_count(&t), 0);
	trie_free(&t);
}
END_TEST

START_TEST(test_trie_longest)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	trie_init(&t, 32);
	key4(k, 10, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 8, &vals[0]), 0);
	key4(k, 10, 1, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 16, &vals[1]), 0);
	key4(k, 10, 1, 2, 3);
	ck_assert_int_eq(trie_insert(&t, k, 32, &vals[2]), 0);
	key4(k, 0, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 0, &vals[3]), 0);
	/* A second insert keeps the first value. */
	key4(k, 10, 1, 99, 99);
	ck_assert_int_eq(trie_insert(&t, k, 16, &vals[4]), 1);
	ck_assert_uint_eq(trie_count(&t), 4);

	key4(k, 10, 1, 2, 3);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[2]);
	key4(k, 10, 1, 2, 4);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[1]);
	key4(k, 10, 2, 0, 0);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[0]);
	key4(k, 11, 0, 0, 0);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[3]);
	key4(k, 10, 1, 0, 0);
	ck_assert_ptr_eq(trie_get(&t, k, 16), &vals[1]);
	ck_assert_ptr_null(trie_get(&t, k, 15));
	ck_assert_ptr_null(trie_get(&t, k, 17));
	trie_free(&t);
}
END_TEST

START_TEST(test_trie_order_independent)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	/* The more specific first: the less specific must slot in above. */
	trie_init(&t, 32);
	key4(k, 192, 168, 1, 0);
	ck_assert_int_eq(trie_insert(&t, k, 24, &vals[0]), 0);
	key4(k, 192, 168, 2, 0);
	ck_assert_int_eq(trie_insert(&t, k, 24, &vals[1]), 0);
	key4(k, 192, 168, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 16, &vals[2]), 0);
	key4(k, 192, 168, 1, 7);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[0]);
	key4(k, 192, 168, 2, 7);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[1]);
	key4(k, 192, 168, 3, 7);
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[2]);
	key4(k, 192, 169, 3, 7);
	ck_assert_ptr_null(trie_lookup(&t, k));
	/* Path compression: fewer than two nodes per stored prefix. */
	ck_assert_uint_lt(t.nnodes, 2 * trie_count(&t));
	trie_free(&t);
}
END_TEST

START_TEST(test_trie_host_bits_ignored)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	trie_init(&t, 32);
	key4(k, 10, 255, 255, 255);
	ck_assert_int_eq(trie_insert(&t, k, 8, &vals[0]), 0);
	key4(k, 10, 0, 0, 0);
	ck_assert_ptr_eq(trie_get(&t, k, 8), &vals[0]);
	ck_assert_int_eq(trie_insert(&t, k, 33, &vals[1]), -1);
	trie_free(&t);
}
END_TEST

START_TEST(test_trie_v6_full_length)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	trie_init(&t, 128);
	memset(k, 0xff, sizeof(k));
	ck_assert_int_eq(trie_insert(&t, k, 128, &vals[0]), 0);
	memset(k, 0, sizeof(k));
	ck_assert_int_eq(trie_insert(&t, k, 0, &vals[1]), 0);
	memset(k, 0xff, sizeof(k));
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[0]);
	k[15] = 0xfe;
	ck_assert_ptr_eq(trie_lookup(&t, k), &vals[1]);
	trie_free(&t);
}
END_TEST

START_TEST(test_trie_covered)
{
	struct trie t;
	uint8_t k[TRIE_KEYLEN];

	trie_init(&t, 32);
	key4(k, 10, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 8, &vals[0]), 0);
	key4(k, 10, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 9, &vals[1]), 0);
	ck_assert_int_eq(trie_covered(&t, k, 8), 0);
	/* 10.128/9 made of 10.128/10 and 10.192/10: now all of 10/8. */
	key4(k, 10, 128, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 10, &vals[2]), 0);
	ck_assert_int_eq(trie_covered(&t, k, 8), 0);
	key4(k, 10, 192, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 10, &vals[3]), 0);
	key4(k, 10, 0, 0, 0);
	ck_assert_int_eq(trie_covered(&t, k, 8), 1);
	ck_assert_int_eq(trie_covered(&t, k, 9), 0);
	key4(k, 10, 128, 0, 0);
	/* Not stored itself, but covered. */
	ck_assert_int_eq(trie_covered(&t, k, 9), 1);
	key4(k, 11, 0, 0, 0);
	ck_assert_int_eq(trie_covered(&t, k, 16), 0);
	ck_assert_int_eq(trie_covered(&t, k, 8), 0);
	ck_assert_int_eq(trie_covered(&t, k, 10), 0);
	key4(k, 0, 0, 0, 0);
	ck_assert_int_eq(trie_covered(&t, k, 0), 0);
	key4(k, 10, 0, 0, 0);
	ck_assert_int_eq(trie_covered(&t, k, 32), 0);
	trie_free(&t);

	/* Both halves of /0, less specific first. */
	trie_init(&t, 32);
	key4(k, 0, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 0, &vals[0]), 0);
	ck_assert_int_eq(trie_insert(&t, k, 1, &vals[1]), 0);
	ck_assert_int_eq(trie_covered(&t, k, 0), 0);
	key4(k, 128, 0, 0, 0);
	ck_assert_int_eq(trie_insert(&t, k, 1, &vals[2]), 0);
	ck_assert_int_eq(trie_covered(&t, k, 0), 1);
	trie_free(&t);
}
END_TEST

/* The brute-force reference: scan every prefix, keep the longest match. */
static int
ref_lookup(const struct ref_prefix *p, size_t n, const uint8_t *key)
{
	size_t i;
	unsigned b, best = 0;
	int id = -1;

	for (i = 0; i < n; i++) {
		int ok = 1;

		for (b = 0; b < p[i].plen && ok; b++)
			if (((p[i].key[b / 8] ^ key[b / 8]) >> (7 - b % 8)) & 1)
				ok = 0;
		if (ok && (id == -1 || p[i].plen > best)) {
			best = p[i].plen;
			id = p[i].id;
		}
	}
	return id;
}

/* Random prefixes clustered so that nesting is common. */
static void
random_cross_check(unsigned maxbits)
{
	struct ref_prefix *p;
	struct trie t;
	uint8_t k[TRIE_KEYLEN];
	size_t n = 0, i, j;
	int *ids, r;

	p = calloc(RAND_PREFIXES, sizeof(*p));
	ids = calloc(RAND_PREFIXES, sizeof(*ids));
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(ids);
	trie_init(&t, maxbits);
	for (i = 0; i < RAND_PREFIXES; i++) {
		struct ref_prefix q;

		memset(&q, 0, sizeof(q));
		for (j = 0; j < maxbits / 8; j++)
			q.key[j] = (uint8_t)test_rand();
		/* Few distinct top bytes: lots of shared paths. */
		q.key[0] &= 0x83;
		q.plen = (unsigned)(test_rand() % (maxbits + 1));
		for (j = q.plen; j < maxbits; j++)
			q.key[j / 8] &= (uint8_t)~(0x80 >> (j % 8));
		q.id = (int)i;
		ids[i] = (int)i;
		r = trie_insert(&t, q.key, q.plen, &ids[i]);
		ck_assert_int_ge(r, 0);
		if (r == 0)
			p[n++] = q;
	}
	ck_assert_uint_eq(trie_count(&t), n);
	ck_assert_uint_lt(t.nnodes, 2 * n);
	trie_trim(&t);
	ck_assert_uint_eq(t.cap, t.nnodes);
	for (i = 0; i < RAND_LOOKUPS; i++) {
		int *got;
		int want;

		memset(k, 0, sizeof(k));
		if (i % 2 == 0) {
			/* Near a stored prefix, to hit the deep paths. */
			memcpy(k, p[test_rand() % n].key, sizeof(k));
			for (j = 0; j < 3; j++) {
				unsigned b = (unsigned)(test_rand() % maxbits);

				k[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
			}
		} else {
			for (j = 0; j < maxbits / 8; j++)
				k[j] = (uint8_t)test_rand();
			k[0] &= 0x83;
		}
		want = ref_lookup(p, n, k);
		got = trie_lookup(&t, k);
		if (want == -1)
			ck_assert_ptr_null(got);
		else {
			ck_assert_ptr_nonnull(got);
			ck_assert_int_eq(*got, want);
		}
	}
	for (i = 0; i < n; i++)
		ck_assert_ptr_eq(trie_get(&t, p[i].key, p[i].plen),
		    &ids[p[i].id]);
	trie_free(&t);
	free(p);
	free(ids);
}

START_TEST(test_trie_random_v4)
{
	random_cross_check(32);
}
END_TEST

START_TEST(test_trie_random_v6)
{
	random_cross_check(128);
}
END_TEST

/*
 * trie_covered against its meaning: the prefix is never the longest match
 * for any of its addresses. Small prefixes inside 10.0.0.0/24, so every
 * address can be tried.
 */
START_TEST(test_trie_covered_random)
{
	struct ref_prefix p[200];
	struct trie t;
	uint8_t k[TRIE_KEYLEN];
	size_t n = 0, i;
	unsigned a, covered_seen = 0;
	int round;

	for (round = 0; round < 50; round++) {
		trie_init(&t, 32);
		n = 0;
		for (i = 0; i < 40; i++) {
			struct ref_prefix q;
			unsigned host = (unsigned)(test_rand() % 256);

			q.plen = 24 + (unsigned)(test_rand() % 9);
			host &= (0xffu << (32 - q.plen)) & 0xff;
			key4(q.key, 10, 0, 0, host);
			q.id = (int)n;
			if (trie_insert(&t, q.key, q.plen, &p[n]) == 0)
				p[n++] = q;
		}
		for (i = 0; i < n; i++) {
			unsigned lo = p[i].key[3];
			unsigned cnt = 1u << (32 - p[i].plen);
			int never = 1;

			for (a = lo; a < lo + cnt; a++) {
				struct ref_prefix *best;

				key4(k, 10, 0, 0, a);
				best = trie_lookup(&t, k);
				ck_assert_ptr_nonnull(best);
				if (best->plen == p[i].plen)
					never = 0;
			}
			ck_assert_int_eq(trie_covered(&t, p[i].key, p[i].plen),
			    never);
			covered_seen += (unsigned)never;
		}
		trie_free(&t);
	}
	/* The generator must produce covered prefixes to test anything. */
	ck_assert_uint_gt(covered_seen, 10);
}
END_TEST

Suite *
trie_suite(void)
{
	Suite *s = suite_create("trie");
	TCase *tc;

	tc = tcase_create("lookup");
	tcase_add_test(tc, test_trie_empty);
	tcase_add_test(tc, test_trie_longest);
	tcase_add_test(tc, test_trie_order_independent);
	tcase_add_test(tc, test_trie_host_bits_ignored);
	tcase_add_test(tc, test_trie_v6_full_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("coverage");
	tcase_add_test(tc, test_trie_covered);
	tcase_add_test(tc, test_trie_covered_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("random cross-check");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trie_random_v4);
	tcase_add_test(tc, test_trie_random_v6);
	suite_add_tcase(s, tc);
	return s;
}
