/* SPDX-License-Identifier: ISC */
/*
 * keyfile_suite: audit/keyfile.c and audit/link.c, the files around the
 * chain. Key files: the strict hex parse, the host secret key's halves,
 * reading without ever blocking (a FIFO is refused at once), refusing
 * what is not a regular file or is too large, writing without
 * overwriting. Links: the prev= text and the state file, round trips and
 * hostile spellings.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/keyfile.h"
#include "audit/link.h"
#include "tests/unit/suites.h"

START_TEST(test_key_parse)
{
	unsigned char k[CHAIN_KEY_BYTES];
	char good[CHAIN_KEYFILE_LEN + 2];

	memset(good, 'a', 64);
	good[64] = '\n';
	good[65] = '\0';
	ck_assert_int_eq(keyfile_parse(good, 65, k, 32), 0);
	ck_assert_uint_eq(k[0], 0xaa);
	ck_assert_int_eq(keyfile_parse(good, 64, k, 32), -1);	/* no newline */
	ck_assert_int_eq(keyfile_parse(good, 63, k, 32), -1);
	good[65] = '\n';
	ck_assert_int_eq(keyfile_parse(good, 66, k, 32), -1);	/* extra */
	good[10] = 'A';
	ck_assert_int_eq(keyfile_parse(good, 65, k, 32), -1);	/* uppercase */
	good[10] = 'g';
	ck_assert_int_eq(keyfile_parse(good, 65, k, 32), -1);
	good[10] = ' ';
	ck_assert_int_eq(keyfile_parse(good, 65, k, 32), -1);
	ck_assert_int_eq(keyfile_parse("", 0, k, 32), -1);
}
END_TEST

START_TEST(test_sign_parse)
{
	unsigned char pk[CHAIN_SIGN_PK_BYTES], sk[CHAIN_SIGN_SK_BYTES];
	unsigned char got[CHAIN_SIGN_SK_BYTES];
	char buf[2 * CHAIN_SIGN_SK_BYTES + 2];
	const char *why = NULL;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_sign_keypair(pk, sk);
	chain_hex(buf, sk, sizeof(sk));
	buf[128] = '\n';
	ck_assert_int_eq(keyfile_sign_parse(buf, 129, got, &why), 0);
	ck_assert_mem_eq(got, sk, sizeof(sk));
	/* the halves must belong together */
	buf[127] = buf[127] == '0' ? '1' : '0';
	ck_assert_int_eq(keyfile_sign_parse(buf, 129, got, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "do not belong together"));
	/* a 64-digit file is some other key, and said so */
	chain_hex(buf, pk, sizeof(pk));
	buf[64] = '\n';
	ck_assert_int_eq(keyfile_sign_parse(buf, 65, got, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "not a host secret key"));
	ck_assert_int_eq(keyfile_sign_parse(buf, 10, got, &why), -1);
}
END_TEST

START_TEST(test_key_read)
{
	char dir[] = "/tmp/check_keyfile.XXXXXX", path[128], fifo[128];
	char buf[KEYFILE_MAX], err[512], big[2 * KEYFILE_MAX];
	struct stat st;
	size_t len;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_nonnull(strstr(err, path));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("00112233\n", f);
	fclose(f);
	chmod(path, 0640);
	ck_assert_int_eq(keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_int_eq(memcmp(buf, "00112233\n", 9), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);	/* for the caller to judge */
	/* too large: refused, not read in part */
	memset(big, 'a', sizeof(big));
	f = fopen(path, "w");
	fwrite(big, 1, sizeof(big), f);
	fclose(f);
	ck_assert_int_eq(keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a key file"));
	/* a FIFO with no writer: refused at once, never waited on */
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(keyfile_read(fifo, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file (a FIFO)"));
	/* a directory */
	ck_assert_int_eq(keyfile_read(dir, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "a directory"));
	unlink(fifo);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_key_write)
{
	char dir[] = "/tmp/check_keyfile.XXXXXX", path[128], err[512];
	char buf[KEYFILE_MAX];
	unsigned char k[4] = { 0x00, 0x7f, 0xa5, 0xff };
	struct stat st;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	ck_assert_int_eq(keyfile_write(path, k, sizeof(k), 0600, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_int_eq(memcmp(buf, "007fa5ff\n", 9), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* never over an existing file */
	ck_assert_int_eq(keyfile_write(path, k, sizeof(k), 0600, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "exists, not overwriting"));
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- links */

START_TEST(test_link_round_trip)
{
	static const char *good[] = { "none", "broken",
	    "0123456789abcdef:0:stop", "0123456789abcdef:42:run",
	    "ffffffffffffffff:18446744073709551615:stop" };
	char buf[LINK_TEXT_MAX], st[LINK_STATE_MAX + 1];
	struct link l, m;
	size_t i;
	int n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(link_parse(good[i], strlen(good[i]), &l) == 0,
		    "%s", good[i]);
		ck_assert_int_eq(link_format(&l, buf, sizeof(buf)),
		    (int)strlen(good[i]));
		ck_assert_str_eq(buf, good[i]);
		if (l.kind != LINK_EPOCH) {
			ck_assert_int_eq(link_state_format(&l, st, sizeof(st)), -1);
			continue;
		}
		n = link_state_format(&l, st, sizeof(st));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(strncmp(st, LINK_STATE_MAGIC,
		    strlen(LINK_STATE_MAGIC)), 0);
		ck_assert_int_eq(st[n - 1], '\n');
		ck_assert_int_eq(link_state_parse(st, (size_t)n, &m), 0);
		ck_assert_str_eq(m.epoch, l.epoch);
		ck_assert_uint_eq(m.seq, l.seq);
		ck_assert_int_eq(m.stopped, l.stopped);
	}
	ck_assert_uint_eq(l.seq, UINT64_MAX);
	ck_assert_int_eq(link_format(&l, buf, 10), -1);	/* no room */
}
END_TEST

START_TEST(test_link_hostile)
{
	static const char *bad[] = { "", "None", "none ", "brok",
	    "0123456789abcdef", "0123456789abcdef:", "0123456789abcdef::stop",
	    "0123456789abcdef:1:", "0123456789abcdef:1:stopped",
	    "0123456789abcdef:01:stop", "0123456789abcdef:+1:stop",
	    "0123456789abcdef:-1:run", "0123456789ABCDEF:1:run",
	    "0123456789abcde:1:run", "0123456789abcdefa:1:run",
	    "0123456789abcdef:18446744073709551616:run",
	    "0123456789abcdef:1:run:run", "0123456789abcdef:1 :run" };
	static const char *badstate[] = { "",
	    "daytimed-audit-state-v1 0123456789abcdef:1:run",	/* no newline */
	    "daytimed-audit-state-v1 none\n",
	    "daytimed-audit-state-v1 broken\n",
	    "daytimed-audit-state-v2 0123456789abcdef:1:run\n",
	    "daytimed-audit-state-v1 0123456789abcdef:1:run\n\n",
	    "daytimed-audit-state-v1  0123456789abcdef:1:run\n" };
	struct link l;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(link_parse(bad[i], strlen(bad[i]), &l) == -1,
		    "%s", bad[i]);
	for (i = 0; i < sizeof(badstate) / sizeof(badstate[0]); i++) {
		ck_assert_msg(link_state_parse(badstate[i], strlen(badstate[i]),
		    &l) == -1, "%s", badstate[i]);
		ck_assert_int_eq(l.kind, LINK_NONE);
	}
	/* a NUL inside is a byte like any other: refused */
	ck_assert_int_eq(link_parse("0123456789abcdef:1\0:run", 23, &l), -1);
}
END_TEST

Suite *
keyfile_suite(void)
{
	Suite *s = suite_create("keyfile");
	TCase *tc;

	tc = tcase_create("key files");
	tcase_add_test(tc, test_key_parse);
	tcase_add_test(tc, test_sign_parse);
	tcase_add_test(tc, test_key_read);
	tcase_add_test(tc, test_key_write);
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_test(tc, test_link_round_trip);
	tcase_add_test(tc, test_link_hostile);
	suite_add_tcase(s, tc);
	return s;
}
