/* SPDX-License-Identifier: ISC */
/*
 * limits: the token bucket arithmetic and admission, at explicit times,
 * and what one source is (limit source-prefix).
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "daemon/limits.h"

#define SEC	1000000u	/* µs */

static const unsigned char test_key[LIMITS_KEY_BYTES] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static struct acl_addr
test_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct acl_addr x;

	memset(&x, 0, sizeof(x));
	x.family = AF_INET;
	x.bytes[0] = a;
	x.bytes[1] = b;
	x.bytes[2] = c;
	x.bytes[3] = d;
	return x;
}

/* An IPv6 address from text. */
static struct acl_addr
test_v6(const char *text)
{
	struct acl_addr x;
	const char *why;

	ck_assert_int_eq(acl_addr_parse(text, strlen(text), &x, &why), 0);
	return x;
}

/* How many tokens a bucket gives at now_us before it refuses. */
static unsigned
test_drain(struct limits_bucket *b, unsigned rate, uint64_t now_us)
{
	unsigned n = 0;

	while (limits_bucket_take(b, rate, now_us))
		n++;
	return n;
}

static void *
test_no_memory(size_t n, size_t size)
{
	(void)n;
	(void)size;
	return NULL;
}

/* A fresh bucket is full: burst N, then nothing at the same instant. */
START_TEST(test_bucket_burst)
{
	struct limits_bucket b = { 0 };

	ck_assert_uint_eq(test_drain(&b, 5, 7 * SEC), 5);
	ck_assert_int_eq(limits_bucket_take(&b, 5, 7 * SEC), 0);
	ck_assert_uint_eq(b.tokens, 0);
}
END_TEST

/*
 * Rate 3 asked every 100 µs: each step credits 0.0003 of a token, which a
 * coarser count would round away; none of it is lost, so a token comes
 * due at each third of a second exactly (the first step past 333,333.3
 * µs, then 666,666.7 µs, then 1 s).
 */
START_TEST(test_bucket_fraction)
{
	struct limits_bucket b = { 0 };
	uint64_t t, got[4];
	unsigned n = 0;

	ck_assert_uint_eq(test_drain(&b, 3, 0), 3);
	for (t = 100; t <= SEC; t += 100)
		if (limits_bucket_take(&b, 3, t)) {
			ck_assert_uint_lt(n, 4);
			got[n++] = t;
		}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(got[0], 333400);
	ck_assert_uint_eq(got[1], 666700);
	ck_assert_uint_eq(got[2], 1000000);
}
END_TEST

/* A long idle time fills the bucket to its burst and no further. */
START_TEST(test_bucket_idle)
{
	struct limits_bucket b = { 0 };

	ck_assert_uint_eq(test_drain(&b, 1000, 1), 1000);
	ck_assert_uint_eq(test_drain(&b, 1000, UINT64_MAX / 2), 1000);
	/* The largest rate, idle for a second less one µs: full, exactly. */
	memset(&b, 0, sizeof(b));
	ck_assert_uint_eq(test_drain(&b, LIMITS_RATE_MAX, 0), LIMITS_RATE_MAX);
	ck_assert_uint_eq(test_drain(&b, LIMITS_RATE_MAX, SEC - 1),
	    LIMITS_RATE_MAX - 1);
	ck_assert_uint_eq(test_drain(&b, LIMITS_RATE_MAX, 3 * SEC),
	    LIMITS_RATE_MAX);
	/* A rate over the largest is the largest. */
	ck_assert_uint_eq(test_drain(&b, UINT32_MAX, 10 * SEC),
	    LIMITS_RATE_MAX);
}
END_TEST

/* A reload that lowers the rate clamps what the bucket holds. */
START_TEST(test_bucket_rate_lowered)
{
	struct limits_bucket b = { 0 };

	ck_assert_int_eq(limits_bucket_take(&b, 100, SEC), 1);
	ck_assert_uint_eq(b.tokens, 99 * LIMITS_TOKEN);
	ck_assert_uint_eq(test_drain(&b, 10, SEC + 1), 10);
	/* And it refills at the new rate: one token in a tenth of a second. */
	ck_assert_int_eq(limits_bucket_take(&b, 10, SEC + 1 + SEC / 10 - 1), 0);
	ck_assert_int_eq(limits_bucket_take(&b, 10, SEC + 1 + SEC / 10), 1);
}
END_TEST

/* A clock that goes back credits nothing; the refill restarts from there. */
START_TEST(test_bucket_clock_back)
{
	struct limits_bucket b = { 0 };

	ck_assert_uint_eq(test_drain(&b, 2, 10 * SEC), 2);
	ck_assert_int_eq(limits_bucket_take(&b, 2, 5 * SEC), 0);
	ck_assert_uint_eq(b.last_us, 5 * SEC);
	ck_assert_int_eq(limits_bucket_take(&b, 2, 5 * SEC + SEC / 2 - 1), 0);
	ck_assert_int_eq(limits_bucket_take(&b, 2, 5 * SEC + SEC / 2), 1);
	ck_assert_int_eq(limits_bucket_take(&b, 2, 5 * SEC + SEC / 2), 0);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_ptr_null(limits_name(LIMITS_OK));
	ck_assert_str_eq(limits_name(LIMITS_CONNECTIONS), "connections");
	ck_assert_str_eq(limits_name(LIMITS_PER_SOURCE), "per-source");
	ck_assert_str_eq(limits_name(LIMITS_MEMORY), "memory");
	ck_assert_str_eq(limits_name(LIMITS_UDP_RATE), "udp-rate");
	ck_assert_str_eq(limits_name(LIMITS_UDP_TOTAL), "udp-total");
	ck_assert_ptr_null(limits_name((enum limits_status)99));
}
END_TEST

/* Up to per-source connections from one source; a release makes room. */
START_TEST(test_per_source)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(192, 0, 2, 1), b = test_v4(192, 0, 2, 2);
	int counted = -1;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 1);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted), LIMITS_OK);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted),
	    LIMITS_PER_SOURCE);
	ck_assert_int_eq(counted, 0);
	ck_assert_int_eq(limits_admit(l, &b, 0, 2, &counted), LIMITS_OK);
	ck_assert_uint_eq(limits_connections(l), 3);
	limits_release(l, &a, 1);
	ck_assert_uint_eq(limits_connections(l), 2);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted), LIMITS_OK);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted),
	    LIMITS_PER_SOURCE);
	/* Without a per-source limit sources are not counted at all. */
	ck_assert_int_eq(limits_admit(l, &a, 0, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 0);
	ck_assert_uint_eq(limits_connections(l), 4);
	limits_free(l);	/* with entries left: freed too */
}
END_TEST

/* At most connections in flight, whatever the sources. */
START_TEST(test_connections)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(192, 0, 2, 1), b = test_v4(198, 51, 100, 7);
	int counted = -1;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_admit(l, &a, 2, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 0);
	ck_assert_int_eq(limits_admit(l, &b, 2, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(limits_admit(l, &b, 2, 5, &counted),
	    LIMITS_CONNECTIONS);
	ck_assert_int_eq(counted, 0);
	ck_assert_uint_eq(limits_connections(l), 2);
	limits_release(l, &a, 0);
	ck_assert_int_eq(limits_admit(l, &b, 2, 5, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 1);
	limits_release(l, &b, 1);
	limits_release(l, &b, 0);
	ck_assert_uint_eq(limits_connections(l), 0);
	limits_free(l);
}
END_TEST

/*
 * A proxied connection: admitted without its source, then charged to the
 * client the header names; over the limit, it stays in flight until freed.
 */
START_TEST(test_admit_source)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr proxy = test_v4(10, 0, 0, 1), c = test_v4(192, 0, 2, 9);
	int counted = -1;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_admit(l, &proxy, 3, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 0);
	ck_assert_int_eq(limits_admit_source(l, &c, 1, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 1);
	ck_assert_int_eq(limits_admit(l, &proxy, 3, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(limits_admit_source(l, &c, 1, &counted),
	    LIMITS_PER_SOURCE);
	ck_assert_int_eq(counted, 0);
	ck_assert_uint_eq(limits_connections(l), 2);
	limits_release(l, &c, 0);		/* the one dropped */
	/* another client through the same proxy is its own source */
	ck_assert_int_eq(limits_admit(l, &proxy, 3, 0, &counted), LIMITS_OK);
	ck_assert_int_eq(limits_admit_source(l, &proxy, 1, &counted),
	    LIMITS_OK);
	ck_assert_int_eq(limits_admit_source(l, &proxy, 0, &counted),
	    LIMITS_OK);
	ck_assert_int_eq(counted, 0);
	limits_release(l, &proxy, 1);
	limits_release(l, &c, 1);
	ck_assert_uint_eq(limits_connections(l), 0);
	ck_assert_int_eq(limits_admit(l, &c, 0, 1, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 1);
	limits_free(l);
}
END_TEST

/* No memory to count a new source is its own status, and counts nothing. */
START_TEST(test_memory)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(192, 0, 2, 1), b = test_v4(192, 0, 2, 2);
	int counted = -1;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted), LIMITS_OK);
	limits_set_alloc(l, test_no_memory);
	ck_assert_int_eq(limits_admit(l, &b, 0, 2, &counted), LIMITS_MEMORY);
	ck_assert_int_eq(counted, 0);
	ck_assert_uint_eq(limits_connections(l), 1);
	/* A source already counted needs no memory. */
	ck_assert_int_eq(limits_admit(l, &a, 0, 2, &counted), LIMITS_OK);
	ck_assert_int_eq(counted, 1);
	limits_set_alloc(l, NULL);
	ck_assert_int_eq(limits_admit(l, &b, 0, 2, &counted), LIMITS_OK);
	ck_assert_uint_eq(limits_connections(l), 3);
	limits_free(l);
}
END_TEST

/*
 * Two sources in one slot: each takes it over with a full bucket. The
 * table never grows; a flood of spoofed sources only evicts.
 */
START_TEST(test_udp_slot_eviction)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(203, 0, 113, 9), b;
	size_t slot;
	unsigned i;

	ck_assert_ptr_nonnull(l);
	slot = limits_udp_slot(l, &a);
	ck_assert_uint_lt(slot, LIMITS_UDP_SLOTS);
	for (i = 0; i < (1u << 24); i++) {
		b = test_v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
		if (limits_udp_slot(l, &b) == slot)
			break;
	}
	ck_assert_uint_lt(i, 1u << 24);
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 0, SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 0, SEC), LIMITS_UDP_RATE);
	ck_assert_int_eq(limits_udp_admit(l, &b, 1, 0, SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 1, 0, SEC), LIMITS_UDP_RATE);
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 0, SEC), LIMITS_OK);
	/* A source alone in its slot keeps its bucket. */
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 0, SEC + SEC / 2),
	    LIMITS_UDP_RATE);
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 0, 2 * SEC), LIMITS_OK);
	limits_free(l);
}
END_TEST

/* A source: the address cut to its prefix, one table for both families. */
static const struct {
	const char	*addr;
	unsigned	 v4, v6;
	const char	*source;
} sources[] = {
	{ "192.0.2.77", 32, 64, "192.0.2.77/32" },
	{ "192.0.2.77", 24, 64, "192.0.2.0/24" },
	{ "192.0.2.77", 1, 64, "128.0.0.0/1" },
	{ "192.0.2.77", 31, 64, "192.0.2.76/31" },
	{ "2001:db8:1:2:3:4:5:6", 32, 64, "2001:db8:1:2::/64" },
	{ "2001:db8:1:2:3:4:5:6", 32, 128, "2001:db8:1:2:3:4:5:6/128" },
	{ "2001:db8:1:2:3:4:5:6", 32, 48, "2001:db8:1::/48" },
	{ "2001:db8:1:2ff:3:4:5:6", 32, 57, "2001:db8:1:280::/57" },
	{ "2001:db8:1:2:3:4:5:6", 32, 200, "2001:db8:1:2:3:4:5:6/128" },
};

START_TEST(test_source_prefix)
{
	struct acl_addr a;
	struct acl_prefix src;
	unsigned prefix[2] = { sources[_i].v4, sources[_i].v6 };
	char text[ACL_PREFIX_STRLEN];

	if (strchr(sources[_i].addr, ':') != NULL)
		a = test_v6(sources[_i].addr);
	else {
		const char *why;

		ck_assert_int_eq(acl_addr_parse(sources[_i].addr,
		    strlen(sources[_i].addr), &a, &why), 0);
	}
	limits_source(&a, prefix, &src);
	ck_assert_int_eq(acl_prefix_format(&src, text, sizeof(text)), 0);
	ck_assert_str_eq(text, sources[_i].source);
}
END_TEST

START_TEST(test_per_source_counts_a_prefix)
{
	struct limits *l = limits_new(test_key);
	unsigned prefix[2] = { 32, 64 };
	struct acl_prefix src;
	struct acl_addr a;
	char text[64];
	int counted, admitted = 0, i;

	/* 40 addresses of one /64, 4 at most from one source: 4 admitted */
	for (i = 1; i <= 40; i++) {
		ck_assert_int_lt(snprintf(text, sizeof(text),
		    "2001:db8:1::%x", (unsigned)i), (int)sizeof(text));
		a = test_v6(text);
		limits_source(&a, prefix, &src);
		if (limits_admit(l, &src.addr, 0, 4, &counted) == LIMITS_OK)
			admitted++;
	}
	ck_assert_int_eq(admitted, 4);
	/* another /64 is another source */
	a = test_v6("2001:db8:2::1");
	limits_source(&a, prefix, &src);
	ck_assert_int_eq(limits_admit(l, &src.addr, 0, 4, &counted), LIMITS_OK);
	/* and UDP: one bucket for the /64 */
	a = test_v6("2001:db8:1::99");
	limits_source(&a, prefix, &src);
	ck_assert_int_eq(limits_udp_admit(l, &src.addr, 1, 0, SEC), LIMITS_OK);
	a = test_v6("2001:db8:1::98");
	limits_source(&a, prefix, &src);
	ck_assert_int_eq(limits_udp_admit(l, &src.addr, 1, 0, SEC),
	    LIMITS_UDP_RATE);
	limits_free(l);
}
END_TEST

/* The bucket of all sources, after each source's own. */
START_TEST(test_udp_total)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(192, 0, 2, 1), b = test_v4(192, 0, 2, 2);

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_udp_admit(l, &a, 0, 0, 0), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &a, 0, 2, SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 0, 2, SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 0, 2, SEC), LIMITS_UDP_TOTAL);
	/* A source over its own rate takes nothing from the total. */
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 3, 3 * SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &a, 1, 3, 3 * SEC),
	    LIMITS_UDP_RATE);
	ck_assert_int_eq(limits_udp_admit(l, &b, 1, 3, 3 * SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 0, 3, 3 * SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 0, 3, 3 * SEC),
	    LIMITS_UDP_TOTAL);
	/*
	 * A datagram the total turns away is not answered, so it takes
	 * nothing from its source's rate either: with udp-rate 2 and
	 * udp-total 1, a source's second and third are the total's drops.
	 */
	ck_assert_int_eq(limits_udp_admit(l, &b, 2, 1, 5 * SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 2, 1, 5 * SEC),
	    LIMITS_UDP_TOTAL);
	ck_assert_int_eq(limits_udp_admit(l, &b, 2, 1, 5 * SEC),
	    LIMITS_UDP_TOTAL);
	/* the source still has its second token (the total off here) */
	ck_assert_int_eq(limits_udp_admit(l, &b, 2, 0, 5 * SEC), LIMITS_OK);
	ck_assert_int_eq(limits_udp_admit(l, &b, 2, 0, 5 * SEC),
	    LIMITS_UDP_RATE);
	limits_free(l);
}
END_TEST

/*
 * limit rate: a source's burst of N new connections, then one per 1/N s;
 * another source is served all along, and nothing is held (no release).
 */
START_TEST(test_rate)
{
	struct limits *l = limits_new(test_key);
	struct acl_addr a = test_v4(198, 51, 100, 7), b = test_v4(198, 51, 100, 8);
	unsigned i;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(limits_rate_admit(l, &a, 0, 0), LIMITS_OK);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(limits_rate_admit(l, &a, 4, SEC), LIMITS_OK);
	ck_assert_int_eq(limits_rate_admit(l, &a, 4, SEC), LIMITS_RATE);
	ck_assert_int_eq(limits_rate_admit(l, &a, 4, SEC + SEC / 4 - 1),
	    LIMITS_RATE);
	ck_assert_int_eq(limits_rate_admit(l, &a, 4, SEC + SEC / 4),
	    LIMITS_OK);
	ck_assert_int_eq(limits_rate_admit(l, &a, 4, SEC + SEC / 4),
	    LIMITS_RATE);
	/* Another source, at the same instant: a bucket of its own. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(limits_rate_admit(l, &b, 4, SEC + SEC / 4),
		    LIMITS_OK);
	/* A second of quiet fills a's bucket again; nothing was counted. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(limits_rate_admit(l, &a, 4, 3 * SEC),
		    LIMITS_OK);
	ck_assert_int_eq(limits_connections(l), 0);
	ck_assert_str_eq(limits_name(LIMITS_RATE), "rate");
	limits_free(l);
}
END_TEST

Suite *
limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc;

	tc = tcase_create("bucket");
	tcase_add_test(tc, test_bucket_burst);
	tcase_add_test(tc, test_bucket_fraction);
	tcase_add_test(tc, test_bucket_idle);
	tcase_add_test(tc, test_bucket_rate_lowered);
	tcase_add_test(tc, test_bucket_clock_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("admission");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_per_source);
	tcase_add_test(tc, test_connections);
	tcase_add_test(tc, test_admit_source);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_udp_slot_eviction);
	tcase_add_test(tc, test_udp_total);
	tcase_add_loop_test(tc, test_source_prefix, 0,
	    (int)(sizeof(sources) / sizeof(sources[0])));
	tcase_add_test(tc, test_per_source_counts_a_prefix);
	tcase_add_test(tc, test_rate);
	suite_add_tcase(s, tc);
	return s;
}
