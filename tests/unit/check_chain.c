/* SPDX-License-Identifier: ISC */
/*
 * chain_suite: audit/chain.c. The MAC and the key step against their
 * definition, chain_seal's fields and MACs opened with the auditor's
 * secret key, a line too short to seal, key files and hex (strict, with
 * hostile input).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "tests/unit/suites.h"

#define CHAIN_STEP	"\0daytimed audit chain step v1"

START_TEST(test_chain_step_vector)
{
	unsigned char k[CHAIN_KEY_BYTES], want[CHAIN_KEY_BYTES];
	unsigned char mac[CHAIN_MAC_BYTES], wmac[CHAIN_MAC_BYTES];
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	/* the definition, spelled out: MAC and step are keyed BLAKE2b-256 */
	crypto_generichash(wmac, sizeof(wmac), (const unsigned char *)"abc", 3,
	    k, sizeof(k));
	chain_mac(k, "abc", 3, mac);
	ck_assert_mem_eq(mac, wmac, sizeof(mac));
	crypto_generichash(want, sizeof(want),
	    (const unsigned char *)CHAIN_STEP, sizeof(CHAIN_STEP) - 1, k,
	    sizeof(k));
	chain_next(k);
	ck_assert_mem_eq(k, want, sizeof(k));
}
END_TEST

START_TEST(test_key_parse)
{
	unsigned char k[CHAIN_KEY_BYTES];
	char good[CHAIN_KEYFILE_LEN + 2];

	memset(good, 'a', 64);
	good[64] = '\n';
	good[65] = '\0';
	ck_assert_int_eq(chain_key_parse(good, 65, k), 0);
	ck_assert_uint_eq(k[0], 0xaa);
	ck_assert_int_eq(chain_key_parse(good, 64, k), -1);	/* no newline */
	ck_assert_int_eq(chain_key_parse(good, 63, k), -1);
	good[65] = '\n';
	ck_assert_int_eq(chain_key_parse(good, 66, k), -1);	/* extra */
	good[10] = 'A';
	ck_assert_int_eq(chain_key_parse(good, 65, k), -1);	/* uppercase */
	good[10] = 'g';
	ck_assert_int_eq(chain_key_parse(good, 65, k), -1);
	good[10] = ' ';
	ck_assert_int_eq(chain_key_parse(good, 65, k), -1);
	ck_assert_int_eq(chain_key_parse("", 0, k), -1);
}
END_TEST

/* Seal "rec N" lines and check each one against the definition. */
START_TEST(test_chain_seal)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char k[CHAIN_KEY_BYTES], sealed[CHAIN_SEALED_BYTES];
	unsigned char mac[CHAIN_MAC_BYTES], got[CHAIN_MAC_BYTES];
	char line[1024], err[256], epoch[CHAIN_EPOCH_HEX + 1], want[64];
	const char *s, *e, *m;
	struct chain *ch;
	size_t len, ml;
	int i;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	ch = chain_open(pk, "test.pub", err, sizeof(err));
	ck_assert_msg(ch != NULL, "%s", err);
	for (i = 0; i < 3; i++) {
		len = (size_t)snprintf(line, sizeof(line), "rec %d", i);
		ck_assert_int_eq(chain_seal(ch, line, sizeof(line), &len), 0);
		ck_assert_uint_eq(len, strlen(line));
		ck_assert_uint_le(len - 5, CHAIN_FIELDS_MAX);
		if (i == 0) {
			/* seq 0 carries K0, sealed to the auditor */
			ck_assert_int_eq(strncmp(line, "rec 0 sealed=", 13), 0);
			s = line + 13;
			e = strchr(s, ' ');
			ck_assert_ptr_nonnull(e);
			ck_assert_int_eq(chain_unhex(sealed, sizeof(sealed), s,
			    (size_t)(e - s)), 0);
			ck_assert_int_eq(crypto_box_seal_open(k, sealed,
			    sizeof(sealed), pk, sk), 0);
			ck_assert_int_eq(strncmp(e, " epoch=", 7), 0);
			memcpy(epoch, e + 7, CHAIN_EPOCH_HEX);
			epoch[CHAIN_EPOCH_HEX] = '\0';
		} else
			ck_assert_ptr_null(strstr(line, " sealed="));
		snprintf(want, sizeof(want), " epoch=%s seq=%d mac=", epoch, i);
		m = strstr(line, want);
		ck_assert_msg(m != NULL, "%s", line);
		ml = (size_t)(m - line) + strlen(want) - 5;
		ck_assert_uint_eq(len, ml + 5 + 2 * CHAIN_MAC_BYTES);
		ck_assert_int_eq(chain_unhex(got, sizeof(got), line + ml + 5,
		    2 * CHAIN_MAC_BYTES), 0);
		chain_mac(k, line, ml, mac);
		ck_assert_mem_eq(mac, got, sizeof(mac));
		chain_next(k);
	}
	chain_close(ch);
}
END_TEST

/* A line without room for the fields: -1, and nothing changes. */
START_TEST(test_chain_seal_too_long)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	char line[2 * CHAIN_FIELDS_MAX], err[256];
	struct chain *ch;
	size_t len;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	ch = chain_open(pk, "test.pub", err, sizeof(err));
	ck_assert_ptr_nonnull(ch);
	memcpy(line, "event=start", 12);
	len = 11;
	ck_assert_int_eq(chain_seal(ch, line, 100, &len), -1);
	ck_assert_uint_eq(len, 11);
	ck_assert_str_eq(line, "event=start");
	/* the failed seal used no seq: the next one is still seq 0 */
	ck_assert_int_eq(chain_seal(ch, line, sizeof(line), &len), 0);
	ck_assert_ptr_nonnull(strstr(line, " sealed="));
	ck_assert_ptr_nonnull(strstr(line, " seq=0 mac="));
	chain_close(ch);
	chain_close(NULL);
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

START_TEST(test_key_load)
{
	char dir[] = "/tmp/check_chain.XXXXXX", path[128], err[512];
	unsigned char k[CHAIN_KEY_BYTES];
	FILE *f;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	ck_assert_int_eq(chain_key_load(path, k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", i);
	fputs("\n", f);
	fclose(f);
	ck_assert_int_eq(chain_key_load(path, k, err, sizeof(err)), 0);
	ck_assert_uint_eq(k[0], 0);
	ck_assert_uint_eq(k[31], 31);
	/* a longer file is refused, not read in part */
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("00\n", f);
	fclose(f);
	ck_assert_int_eq(chain_key_load(path, k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a daytimed-audit key file"));
	ck_assert_ptr_nonnull(strstr(err, path));
	/* a directory reads as an error, named */
	ck_assert_int_eq(chain_key_load(dir, k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, dir));
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *
chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc;

	tc = tcase_create("chain");
	tcase_add_test(tc, test_chain_step_vector);
	tcase_add_test(tc, test_chain_seal);
	tcase_add_test(tc, test_chain_seal_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("key files");
	tcase_add_test(tc, test_key_parse);
	tcase_add_test(tc, test_key_load);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return s;
}
