/* SPDX-License-Identifier: ISC */
/*
 * chain_suite: audit/chain.c. The MAC and the key step against their
 * definition, chain_seal's fields (the time inside the MAC, the epoch's
 * head: link, sealed key, host key and a signature of exactly the epoch
 * message) opened with the auditor's secret key, a line too short to
 * seal, the time's one spelling (POSIX time in any zone), civil dates
 * from days, hex (strict, with hostile input).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "tests/unit/suites.h"

#define CHAIN_STEP	"\0daytimed audit chain step v1"

/* Chain v2, spelled out: ChaCha20 gives A_n and K_{n+1}; Poly1305. */
START_TEST(test_chain_step_vector)
{
	unsigned char k[CHAIN_KEY_BYTES], k0[CHAIN_KEY_BYTES];
	unsigned char out[64], a[CHAIN_KEY_BYTES];
	unsigned char mac[CHAIN_MAC_BYTES], wmac[CHAIN_MAC_BYTES];
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	memcpy(k0, k, sizeof(k));
	crypto_stream_chacha20(out, sizeof(out),
	    (const unsigned char *)"dtchain2", k0);
	chain_step(k, a);
	ck_assert_mem_eq(a, out, 32);
	ck_assert_mem_eq(k, out + 32, 32);
	crypto_onetimeauth(wmac, (const unsigned char *)"abc", 3, a);
	chain_mac(a, "abc", 3, mac);
	ck_assert_mem_eq(mac, wmac, sizeof(mac));
	/* a step over computes the same next key */
	memcpy(k, k0, sizeof(k));
	chain_step(k, NULL);
	ck_assert_mem_eq(k, out + 32, 32);
	ck_assert_int_eq(CHAIN_MAC_BYTES, 16);
}
END_TEST

/* Chain v1 (the first release's), still read: keyed BLAKE2b-256. */
START_TEST(test_chain_v1_vector)
{
	unsigned char k[CHAIN_KEY_BYTES], want[CHAIN_KEY_BYTES];
	unsigned char mac[CHAIN_MAC1_BYTES], wmac[CHAIN_MAC1_BYTES];
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	crypto_generichash(wmac, sizeof(wmac), (const unsigned char *)"abc", 3,
	    k, sizeof(k));
	chain_mac_v1(k, "abc", 3, mac);
	ck_assert_mem_eq(mac, wmac, sizeof(mac));
	crypto_generichash(want, sizeof(want),
	    (const unsigned char *)CHAIN_STEP, sizeof(CHAIN_STEP) - 1, k,
	    sizeof(k));
	chain_next_v1(k);
	ck_assert_mem_eq(k, want, sizeof(k));
}
END_TEST

/* An epoch opened with the test's keys: auditor pk, optional signing. */
static struct chain *
open_chain(const unsigned char *pk, const unsigned char *sign,
    const struct link *prev)
{
	struct chain_start cs;
	struct chain *ch;
	char err[256];

	memset(&cs, 0, sizeof(cs));
	cs.auditor = pk;
	cs.auditor_name = "test.pub";
	cs.sign_sk = sign;
	cs.prev = prev;
	ch = chain_open(&cs, err, sizeof(err));
	ck_assert_msg(ch != NULL, "%s", err);
	return ch;
}

/* The value of " KEY=" in line (up to the next space) into buf. */
static const char *
field(const char *line, const char *key, char *buf, size_t len)
{
	char k[32];
	const char *p, *e;

	snprintf(k, sizeof(k), " %s=", key);
	if ((p = strstr(line, k)) == NULL)
		return NULL;
	p += strlen(k);
	e = strchr(p, ' ');
	if (e == NULL)
		e = p + strlen(p);
	ck_assert_uint_lt((size_t)(e - p), len);
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return buf;
}

#define T0	1764460372123456ULL	/* 2025-11-29T23:52:52.123456Z */

/* Seal "rec N" lines and check each one against the definition. */
START_TEST(test_chain_seal)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char k[CHAIN_KEY_BYTES], sealed[CHAIN_SEALED_BYTES];
	unsigned char mac[CHAIN_MAC_BYTES], got[CHAIN_MAC_BYTES];
	unsigned char a[CHAIN_KEY_BYTES];
	char line[2048], epoch[CHAIN_EPOCH_HEX + 1], want[96], v[512];
	const char *m;
	struct chain *ch;
	uint64_t next;
	size_t len, ml;
	int i;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	ch = open_chain(pk, NULL, NULL);
	for (i = 0; i < 3; i++) {
		len = (size_t)snprintf(line, sizeof(line), "rec %d", i);
		ck_assert_int_eq(chain_seal(ch, T0 + (uint64_t)i, line,
		    sizeof(line), &len), 0);
		ck_assert_uint_eq(len, strlen(line));
		ck_assert_uint_le(len - 5, CHAIN_FIELDS_MAX);
		if (i == 0) {
			/* seq 0 carries the auditor's key and K0 sealed to it */
			ck_assert_int_eq(strncmp(line, "rec 0 sealed_to=", 16), 0);
			ck_assert_ptr_null(strstr(line, " prev="));
			ck_assert_ptr_null(strstr(line, " sig="));
			ck_assert_ptr_nonnull(field(line, "sealed_to", v,
			    sizeof(v)));
			ck_assert_int_eq(chain_unhex(k, sizeof(k), v, strlen(v)),
			    0);
			ck_assert_mem_eq(k, pk, sizeof(pk));
			ck_assert_ptr_nonnull(field(line, "sealed", v, sizeof(v)));
			ck_assert_int_eq(chain_unhex(sealed, sizeof(sealed), v,
			    strlen(v)), 0);
			ck_assert_int_eq(crypto_box_seal_open(k, sealed,
			    sizeof(sealed), pk, sk), 0);
			ck_assert_ptr_nonnull(field(line, "epoch", epoch,
			    sizeof(epoch)));
		} else
			ck_assert_ptr_null(strstr(line, " sealed"));
		/* the time, inside the MAC, in its one spelling */
		snprintf(want, sizeof(want), " time=2025-11-29T23:52:52.12345%dZ"
		    " epoch=%s seq=%d mac=", 6 + i, epoch, i);
		m = strstr(line, want);
		ck_assert_msg(m != NULL, "%s", line);
		ml = (size_t)(m - line) + strlen(want) - 5;
		ck_assert_uint_eq(len, ml + 5 + 2 * CHAIN_MAC_BYTES);
		ck_assert_int_eq(chain_unhex(got, sizeof(got), line + ml + 5,
		    2 * CHAIN_MAC_BYTES), 0);
		chain_step(k, a);
		chain_mac(a, line, ml, mac);
		ck_assert_mem_eq(mac, got, sizeof(mac));
	}
	chain_position(ch, v, &next);
	ck_assert_str_eq(v, epoch);
	ck_assert_uint_eq(next, 3);
	chain_close(ch);
}
END_TEST

/* The head of a signed, linked epoch: order, link, signature. */
START_TEST(test_chain_signed_head)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char hpk[CHAIN_SIGN_PK_BYTES], hsk[CHAIN_SIGN_SK_BYTES];
	unsigned char sealed[CHAIN_SEALED_BYTES], hk[CHAIN_SIGN_PK_BYTES];
	unsigned char sig[CHAIN_SIG_BYTES];
	char line[2048], v[512], epoch[CHAIN_EPOCH_HEX + 1];
	char msg[CHAIN_MESSAGE_MAX];
	struct link prev;
	struct chain *ch;
	const char *p;
	size_t len;
	int ml;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	crypto_sign_keypair(hpk, hsk);
	memset(&prev, 0, sizeof(prev));
	prev.kind = LINK_EPOCH;
	memcpy(prev.epoch, "00112233445566ff", 17);
	prev.seq = 41;
	prev.stopped = 1;
	ch = open_chain(pk, hsk, &prev);
	sodium_memzero(hsk, sizeof(hsk));	/* the chain needs it no more */
	memcpy(line, "event=start", 12);
	len = 11;
	ck_assert_int_eq(chain_seal(ch, T0, line, sizeof(line), &len), 0);
	/* prev= sealed_to= sealed= host_key= sig= time= epoch= seq= mac= */
	p = line + 11;
	ck_assert_int_eq(strncmp(p, " prev=00112233445566ff:41:stop "
	    "sealed_to=", 31), 0);
	ck_assert_ptr_nonnull(strstr(line, " sealed="));
	ck_assert(strstr(line, " sealed_to=") < strstr(line, " sealed="));
	ck_assert(strstr(line, " sealed=") < strstr(line, " host_key="));
	ck_assert(strstr(line, " host_key=") < strstr(line, " sig="));
	ck_assert(strstr(line, " sig=") < strstr(line, " time="));
	field(line, "host_key", v, sizeof(v));
	ck_assert_int_eq(chain_unhex(hk, sizeof(hk), v, strlen(v)), 0);
	ck_assert_mem_eq(hk, hpk, sizeof(hpk));
	field(line, "sealed", v, sizeof(v));
	ck_assert_int_eq(chain_unhex(sealed, sizeof(sealed), v, strlen(v)), 0);
	field(line, "epoch", epoch, sizeof(epoch));
	field(line, "sig", v, sizeof(v));
	ck_assert_int_eq(chain_unhex(sig, sizeof(sig), v, strlen(v)), 0);
	/* the signature is over the epoch message, nothing else */
	ml = chain_epoch_message(msg, sizeof(msg), epoch,
	    "00112233445566ff:41:stop", pk, sealed, hpk);
	ck_assert_int_gt(ml, 0);
	ck_assert_int_eq(strncmp(msg, "daytimed-audit epoch v1\nchain=2\n"
	    "epoch=", 38), 0);
	ck_assert_int_eq(crypto_sign_verify_detached(sig,
	    (unsigned char *)msg, (unsigned long long)ml, hpk), 0);
	/* another prev, another message: the link cannot be moved */
	ml = chain_epoch_message(msg, sizeof(msg), epoch,
	    "00112233445566ff:40:stop", pk, sealed, hpk);
	ck_assert_int_ne(crypto_sign_verify_detached(sig,
	    (unsigned char *)msg, (unsigned long long)ml, hpk), 0);
	/* seq 1 has none of the head */
	memcpy(line, "conn=1", 7);
	len = 6;
	ck_assert_int_eq(chain_seal(ch, T0 + 1, line, sizeof(line), &len), 0);
	ck_assert_ptr_null(strstr(line, " sig="));
	ck_assert_ptr_null(strstr(line, " prev="));
	ck_assert_int_eq(strncmp(line, "conn=1 time=", 12), 0);
	chain_close(ch);
}
END_TEST

/* A line without room for the fields: -1, and nothing changes. */
START_TEST(test_chain_seal_too_long)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	char line[2 * CHAIN_FIELDS_MAX];
	struct chain *ch;
	size_t len;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	ch = open_chain(pk, NULL, NULL);
	memcpy(line, "event=start", 12);
	len = 11;
	ck_assert_int_eq(chain_seal(ch, T0, line, 100, &len), -1);
	ck_assert_uint_eq(len, 11);
	ck_assert_str_eq(line, "event=start");
	/* the failed seal used no seq: the next one is still seq 0 */
	ck_assert_int_eq(chain_seal(ch, T0, line, sizeof(line), &len), 0);
	ck_assert_ptr_nonnull(strstr(line, " sealed="));
	ck_assert_ptr_nonnull(strstr(line, " seq=0 mac="));
	chain_close(ch);
	chain_close(NULL);
}
END_TEST

START_TEST(test_chain_time)
{
	char t[CHAIN_TIME_LEN + 1];

	ck_assert_int_eq(chain_time_format(0, t, sizeof(t)), CHAIN_TIME_LEN);
	ck_assert_str_eq(t, "1970-01-01T00:00:00.000000Z");
	ck_assert_int_eq(chain_time_format(T0, t, sizeof(t)), CHAIN_TIME_LEN);
	ck_assert_str_eq(t, "2025-11-29T23:52:52.123456Z");
	/* a leap day, the last microsecond of a year */
	ck_assert_int_eq(chain_time_format(951782400000000ULL + 999999, t,
	    sizeof(t)), CHAIN_TIME_LEN);
	ck_assert_str_eq(t, "2000-02-29T00:00:00.999999Z");
	ck_assert_int_eq(chain_time_format(1704067199999999ULL, t, sizeof(t)),
	    CHAIN_TIME_LEN);
	ck_assert_str_eq(t, "2023-12-31T23:59:59.999999Z");
	/* the last microsecond of year 9999, then the first past it */
	ck_assert_int_eq(chain_time_format(253402300799999999ULL, t,
	    sizeof(t)), CHAIN_TIME_LEN);
	ck_assert_str_eq(t, "9999-12-31T23:59:59.999999Z");
	ck_assert_int_eq(chain_time_format(253402300800000000ULL, t,
	    sizeof(t)), -1);
	/* no room, or past year 9999: -1 */
	ck_assert_int_eq(chain_time_format(0, t, CHAIN_TIME_LEN), -1);
	ck_assert_int_eq(chain_time_format(UINT64_MAX, t, sizeof(t)), -1);
}
END_TEST

/* Civil dates from days, against days from civil dates. */
START_TEST(test_chain_civil)
{
	static const struct {
		int64_t		days;
		int64_t		y;
		unsigned	m, d;
	} v[] = {
		{ 0, 1970, 1, 1 }, { -1, 1969, 12, 31 }, { 59, 1970, 3, 1 },
		{ 11016, 2000, 2, 29 }, { 11017, 2000, 3, 1 },
		{ 24855, 2038, 1, 19 }, { 47540, 2100, 2, 28 },
		{ 47541, 2100, 3, 1 }, { 2932896, 9999, 12, 31 },
		{ -719468, 0, 3, 1 },
	};
	int64_t y, days, era, yoe, doe;
	unsigned m, d, i, bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		chain_civil(v[i].days, &y, &m, &d);
		ck_assert_int_eq(y, v[i].y);
		ck_assert_uint_eq(m, v[i].m);
		ck_assert_uint_eq(d, v[i].d);
	}
	/* every day of years 1600..10400 follows the one before */
	for (days = -135140; days < 3068000; days++) {
		chain_civil(days, &y, &m, &d);
		era = (y - (m <= 2)) / 400;
		yoe = y - (m <= 2) - era * 400;
		doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * (m > 2 ? m - 3 :
		    m + 9) + 2) / 5 + d - 1;
		bad += era * 146097 + doe - 719468 != days;
	}
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/*
 * The time field is POSIX time: a right/ zone (its leap seconds) loaded
 * by the C library changes nothing. 1483228826 is, to such a zone, the
 * leap second 2016-12-31T23:59:60; to POSIX 2017-01-01T00:00:26.
 */
START_TEST(test_chain_time_zone)
{
	static const char *const zones[] = { "right/UTC", "Europe/Berlin",
	    "UTC" };
	char t[CHAIN_TIME_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		ck_assert_int_eq(chain_time_format(1483228826000001ULL, t,
		    sizeof(t)), CHAIN_TIME_LEN);
		ck_assert_str_eq(t, "2017-01-01T00:00:26.000001Z");
		ck_assert_int_eq(chain_time_format(2147483648000000ULL, t,
		    sizeof(t)), CHAIN_TIME_LEN);
		ck_assert_str_eq(t, "2038-01-19T03:14:08.000000Z");
		ck_assert_int_eq(chain_time_format(4107542400000000ULL, t,
		    sizeof(t)), CHAIN_TIME_LEN);
		ck_assert_str_eq(t, "2100-03-01T00:00:00.000000Z");
	}
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(test_hex)
{
	unsigned char b[4] = { 0x00, 0x7f, 0xa5, 0xff }, o[4];
	char h[9];

	chain_hex(h, b, sizeof(b));
	ck_assert_str_eq(h, "007fa5ff");
	ck_assert_int_eq(chain_unhex(o, sizeof(o), h, 8), 0);
	ck_assert_mem_eq(o, b, sizeof(b));
	chain_hex(h, b, 0);
	ck_assert_str_eq(h, "");
	/* exactly 2 * len lowercase digits, nothing else */
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "007fa5f", 7), -1);
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "007fa5fff", 9), -1);
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "007FA5FF", 8), -1);
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "007fa5f ", 8), -1);
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "007fa5f\0", 8), -1);
	ck_assert_int_eq(chain_unhex(o, sizeof(o), "+07fa5ff", 8), -1);
	ck_assert_int_eq(chain_unhex(o, 0, "", 0), 0);
}
END_TEST

Suite *
chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc;

	tc = tcase_create("chain");
	tcase_add_test(tc, test_chain_step_vector);
	tcase_add_test(tc, test_chain_v1_vector);
	tcase_add_test(tc, test_chain_seal);
	tcase_add_test(tc, test_chain_signed_head);
	tcase_add_test(tc, test_chain_seal_too_long);
	tcase_add_test(tc, test_chain_time);
	tcase_add_test(tc, test_chain_civil);
	tcase_add_test(tc, test_chain_time_zone);
	suite_add_tcase(s, tc);

	tc = tcase_create("hex");
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return s;
}
