/* SPDX-License-Identifier: ISC */
/*
 * compat: strtonum (the bounded parser for numbers from argv and config),
 * compat_parse_uint (the same over (buffer, length), for tokens that are
 * not NUL-terminated) and strlcpy. strtonum and strlcpy are called by their
 * public names, so these tests hold for compat/compat.c and for a C
 * library's own versions alike; only what differs is under HAVE_STRTONUM.
 */
#include "autoconf.h"

#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "tests/unit/suites.h"

#define NCASES(t)	((int)(sizeof(t) / sizeof((t)[0])))

/* One strtonum call and its exact outcome; errstr NULL means success. */
struct strtonum_case {
	const char	*s;
	long long	 min, max;
	long long	 want;
	const char	*errstr;
	int		 err;		/* errno on failure */
};

#define TN_OK(s, lo, hi, v)	{ s, lo, hi, v, NULL, 0 }
#define TN_BAD(s, lo, hi)	{ s, lo, hi, 0, "invalid", EINVAL }
#define TN_SMALL(s, lo, hi)	{ s, lo, hi, 0, "too small", ERANGE }
#define TN_LARGE(s, lo, hi)	{ s, lo, hi, 0, "too large", ERANGE }

static const struct strtonum_case strtonum_cases[] = {
	/* bounds, as the callers use them (port, pid, counts) */
	TN_OK("1", 1, 65535, 1),
	TN_OK("65535", 1, 65535, 65535),
	TN_SMALL("0", 1, 65535),
	TN_LARGE("65536", 1, 65535),
	TN_OK("0", 0, 1000000, 0),
	TN_OK("1000000", 0, 1000000, 1000000),
	TN_LARGE("1000001", 0, 1000000),
	TN_OK("2147483647", 1, INT_MAX, INT_MAX),
	TN_LARGE("2147483648", 1, INT_MAX),
	TN_OK("7", 7, 7, 7),
	TN_SMALL("6", 7, 7),
	TN_LARGE("8", 7, 7),
	/* signs */
	TN_OK("+5", 0, 10, 5),
	TN_OK("-5", -10, 10, -5),
	TN_OK("-0", 0, 10, 0),
	TN_OK("+0", 0, 10, 0),
	TN_SMALL("-1", 0, 10),
	TN_SMALL("-11", -10, 10),
	TN_BAD("-", 0, 10),
	TN_BAD("+", 0, 10),
	TN_BAD("--1", -10, 10),
	TN_BAD("+-1", -10, 10),
	TN_BAD("-+1", -10, 10),
	/* empty, junk, other bases, trailing bytes */
	TN_BAD("", 0, 10),
	TN_BAD("a", 0, 10),
	TN_BAD("1a", 0, 10),
	TN_BAD("a1", 0, 10),
	TN_BAD("0x10", 0, 100),
	TN_BAD("1.5", 0, 10),
	TN_BAD("1e3", 0, 10000),
	TN_BAD("5 ", 0, 10),
	TN_BAD("5\n", 0, 10),
	TN_BAD("5\t", 0, 10),
	TN_BAD("1 2", 0, 100),
	TN_OK("00010", 0, 100, 10),	/* leading zeros: decimal, not octal */
	TN_OK("010", 0, 100, 10),
	/* the whole range of long long, and past it */
	TN_OK("9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX),
	TN_OK("-9223372036854775808", LLONG_MIN, LLONG_MAX, LLONG_MIN),
	TN_LARGE("9223372036854775808", LLONG_MIN, LLONG_MAX),
	TN_SMALL("-9223372036854775809", LLONG_MIN, LLONG_MAX),
	TN_LARGE("18446744073709551616", 0, LLONG_MAX),
	TN_LARGE("99999999999999999999999999999", 0, 10),
	TN_SMALL("-99999999999999999999999999999", 0, 10),
	TN_LARGE("00000000000000000000000000000000000000001", 0, 0),
	/* past LLONG_MAX, then junk: the junk makes it invalid */
	TN_BAD("99999999999999999999999999999x", 0, 10),
	TN_BAD("-99999999999999999999999999999 ", 0, 10),
	/* min > max: nothing is in range */
	TN_BAD("5", 10, 0),
	TN_BAD("0", 1, -1),
};

START_TEST(test_strtonum_table)
{
	const struct strtonum_case *tc = &strtonum_cases[_i];
	const char *errstr = "unset";
	long long v;

	errno = 0;
	v = strtonum(tc->s, tc->min, tc->max, &errstr);
	ck_assert_msg(v == tc->want, "\"%s\" [%lld, %lld]: %lld, want %lld",
	    tc->s, tc->min, tc->max, v, tc->want);
	if (tc->errstr == NULL) {
		ck_assert_msg(errstr == NULL, "\"%s\": errstr \"%s\"", tc->s,
		    errstr);
		ck_assert_int_eq(errno, 0);
	} else {
		ck_assert_msg(errstr != NULL && strcmp(errstr, tc->errstr) == 0,
		    "\"%s\" [%lld, %lld]: errstr \"%s\", want \"%s\"", tc->s,
		    tc->min, tc->max, errstr ? errstr : "(null)", tc->errstr);
		ck_assert_int_eq(errno, tc->err);
	}
}
END_TEST

/* errstrp may be NULL (check_acl.c passes NULL); success leaves errno. */
START_TEST(test_strtonum_no_errstr)
{
	errno = EINTR;
	ck_assert_int_eq(strtonum("42", 1, 100, NULL), 42);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_int_eq(strtonum("420", 1, 100, NULL), 0);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(strtonum("4x", 1, 100, NULL), 0);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/*
 * Leading white space: OpenBSD's strtonum (over strtoll) skips it; the
 * compat version takes digits only, so " 5" is invalid. No caller relies
 * on either (config tokens and argv words never start with a blank).
 */
START_TEST(test_strtonum_leading_space)
{
	const char *errstr;
	long long v;

	v = strtonum(" 5", 0, 10, &errstr);
#ifndef HAVE_STRTONUM
	ck_assert_int_eq(v, 0);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_str_eq(errstr, "invalid");
	v = strtonum("\t5", 0, 10, &errstr);
	ck_assert_int_eq(v, 0);
	ck_assert_str_eq(errstr, "invalid");
#else
	ck_assert_int_eq(v, 5);
	ck_assert_ptr_null(errstr);
#endif
}
END_TEST

/* One compat_parse_uint call over exactly len bytes. */
struct uint_case {
	const char		*buf;
	size_t			 len;
	unsigned long long	 max;
	int			 rc;
	unsigned long long	 want;	/* when rc == 0 */
};

#define U_OK(s, max, v)		{ s, sizeof(s) - 1, max, 0, v }
#define U_BAD(s, max)		{ s, sizeof(s) - 1, max, -1, 0 }
#define U_LEN(s, n, max, rc, v)	{ s, n, max, rc, v }

static const struct uint_case uint_cases[] = {
	/* empty: a zero length, whatever the buffer holds */
	U_BAD("", 10),
	U_LEN("5", 0, 10, -1, 0),
	/* every bound: 0, max exactly, max + 1 */
	U_OK("0", 0, 0),
	U_BAD("1", 0),
	U_OK("9", 9, 9),
	U_BAD("10", 9),
	U_OK("300", 300, 300),
	U_BAD("301", 300),
	U_OK("65535", 65535, 65535),
	U_BAD("65536", 65535),
	U_OK("999999", 999999, 999999),
	U_BAD("1000000", 999999),
	U_OK("4294967295", 4294967295ULL, 4294967295ULL),
	U_BAD("4294967296", 4294967295ULL),
	U_OK("18446744073709551615", ULLONG_MAX, ULLONG_MAX),
	/* past unsigned long long */
	U_BAD("18446744073709551616", ULLONG_MAX),
	U_BAD("18446744073709551620", ULLONG_MAX),
	U_BAD("99999999999999999999", ULLONG_MAX),
	U_BAD("184467440737095516150", ULLONG_MAX),
	U_BAD("999999999999999999999999999999999999999", ULLONG_MAX),
	/* digits only: no sign, no blank, no base, no point */
	U_BAD("+1", 10),
	U_BAD("-1", 10),
	U_BAD("-0", 10),
	U_BAD(" 1", 10),
	U_BAD("1 ", 10),
	U_BAD("\t1", 10),
	U_BAD("1\n", 10),
	U_BAD("a", 10),
	U_BAD("1a", 100),
	U_BAD("0x1", 100),
	U_BAD("1.0", 100),
	U_BAD("1e2", 1000),
	U_BAD("\xff", 10),
	U_BAD("/", 10),		/* '0' - 1 */
	U_BAD(":", 10),		/* '9' + 1 */
	U_LEN("1\0002", 3, 1000, -1, 0),	/* a NUL inside */
	/* leading zeros: accepted, decimal, and they never overflow */
	U_OK("007", 7, 7),
	U_OK("000", 0, 0),
	U_OK("00000000000000000000000000000000000000001", 1, 1),
	U_BAD("0008", 7),
	/* the buffer goes on past len: only len bytes are read */
	U_LEN("12345", 2, 12, 0, 12),
	U_LEN("65536", 4, 65535, 0, 6553),
	U_LEN("18446744073709551615999", 20, ULLONG_MAX, 0, ULLONG_MAX),
	U_LEN("5x", 1, 10, 0, 5),
	U_LEN("5 ", 1, 10, 0, 5),
	U_LEN("10", 1, 1, 0, 1),
};

START_TEST(test_parse_uint_table)
{
	const struct uint_case *tc = &uint_cases[_i];
	unsigned long long out = 0xa5a5a5a5a5a5a5a5ULL;
	char *buf;
	int rc;

	/* An exact-size copy with no terminator: a sanitizer sees overreads. */
	buf = malloc(tc->len > 0 ? tc->len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, tc->buf, tc->len);
	rc = compat_parse_uint(buf, tc->len, tc->max, &out);
	free(buf);
	ck_assert_msg(rc == tc->rc, "case %d (\"%.*s\", max %llu): rc %d, "
	    "want %d", _i, (int)tc->len, tc->buf, tc->max, rc, tc->rc);
	if (tc->rc == 0)
		ck_assert_msg(out == tc->want, "case %d: %llu, want %llu", _i,
		    out, tc->want);
	else	/* a failure leaves *out alone */
		ck_assert_msg(out == 0xa5a5a5a5a5a5a5a5ULL, "case %d: out %llu",
		    _i, out);
}
END_TEST

/* Every max from 0 to 1000: max is in, max + 1 is out. */
START_TEST(test_parse_uint_every_max)
{
	unsigned long long max, out;
	char buf[32];
	int n;

	for (max = 0; max <= 1000; max++) {
		n = snprintf(buf, sizeof(buf), "%llu", max);
		ck_assert(n > 0 && (size_t)n < sizeof(buf));
		ck_assert_int_eq(compat_parse_uint(buf, (size_t)n, max, &out),
		    0);
		ck_assert_uint_eq(out, max);
		n = snprintf(buf, sizeof(buf), "%llu", max + 1);
		ck_assert(n > 0 && (size_t)n < sizeof(buf));
		ck_assert_int_eq(compat_parse_uint(buf, (size_t)n, max, &out),
		    -1);
	}
}
END_TEST

START_TEST(test_strlcpy_fits)
{
	char dst[8];

	memset(dst, 'X', sizeof(dst));
	ck_assert_uint_eq(strlcpy(dst, "abc", sizeof(dst)), 3);
	ck_assert_str_eq(dst, "abc");
	/* nothing past the terminator is written */
	ck_assert_int_eq(memcmp(dst + 4, "XXXX", 4), 0);
	ck_assert_uint_eq(strlcpy(dst, "", sizeof(dst)), 0);
	ck_assert_str_eq(dst, "");
	ck_assert_uint_eq(strlcpy(dst, "abcdefg", sizeof(dst)), 7);
	ck_assert_str_eq(dst, "abcdefg");
}
END_TEST

/* The return value is strlen(src): >= size means truncated. */
START_TEST(test_strlcpy_truncates)
{
	char dst[8];

	ck_assert_uint_eq(strlcpy(dst, "abcdefgh", sizeof(dst)), 8);
	ck_assert_str_eq(dst, "abcdefg");
	ck_assert_uint_eq(strlcpy(dst, "a much longer string", sizeof(dst)),
	    20);
	ck_assert_str_eq(dst, "a much ");
	ck_assert_uint_eq(strlcpy(dst, "xy", 1), 2);
	ck_assert_str_eq(dst, "");
	ck_assert_int_eq(dst[1], ' ');		/* untouched */
}
END_TEST

/* Size 0: nothing is written, not even a terminator. */
START_TEST(test_strlcpy_size_zero)
{
	char dst[4] = { 'X', 'Y', 'Z', 'W' };

	ck_assert_uint_eq(strlcpy(dst, "hello", 0), 5);
	ck_assert_int_eq(memcmp(dst, "XYZW", 4), 0);
	ck_assert_uint_eq(strlcpy(dst, "", 0), 0);
	ck_assert_int_eq(memcmp(dst, "XYZW", 4), 0);
}
END_TEST

/* Whole writes and reads: a large message through a socketpair in both
 * directions' buffers, short reads put together, and the two ends. */
START_TEST(test_write_read_all)
{
	static char out[100000], in[sizeof(out)];
	int sp[2];
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {		/* more than the socket holds: short writes */
		close(sp[0]);
		_exit(compat_write_all(sp[1], out, sizeof(out)) == 0 ? 0 : 1);
	}
	close(sp[1]);
	ck_assert_int_eq(compat_read_all(sp[0], in, sizeof(in)), 0);
	ck_assert_int_eq(memcmp(in, out, sizeof(out)), 0);
	/* the writer is gone: end of file before the first byte */
	errno = EINVAL;
	ck_assert_int_eq(compat_read_all(sp[0], in, 1), -1);
	ck_assert_int_eq(errno, 0);
	close(sp[0]);
}
END_TEST

START_TEST(test_read_all_short_then_eof)
{
	int sp[2];
	char buf[8];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_eq(compat_write_all(sp[1], "abc", 3), 0);
	close(sp[1]);
	errno = EINVAL;
	ck_assert_int_eq(compat_read_all(sp[0], buf, 5), -1);
	ck_assert_int_eq(errno, 0);
	/* nothing asked, nothing read, even from a closed peer */
	ck_assert_int_eq(compat_read_all(sp[0], buf, 0), 0);
	close(sp[0]);
}
END_TEST

START_TEST(test_write_all_to_a_closed_peer)
{
	int sp[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	close(sp[0]);
	ck_assert_int_eq(compat_write_all(sp[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(compat_write_all(-1, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
	close(sp[1]);
}
END_TEST

/* The number writer against snprintf, at the edges and in between. */
START_TEST(test_fmt_uint)
{
	static const unsigned long long edge[] = { 0, 1, 9, 10, 99, 100, 255,
	    65535, 4294967295ULL, 4294967296ULL, 9999999999999999999ULL,
	    10000000000000000000ULL, ULLONG_MAX };
	char got[COMPAT_UINT_DIGITS + 1], want[32];
	unsigned long long v = 1;
	size_t i, n;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 2000; i++) {
		if (i < sizeof(edge) / sizeof(edge[0]))
			v = edge[i];
		else	/* every magnitude: a multiplicative walk */
			v = v * 6364136223846793005ULL + 1442695040888963407ULL;
		memset(got, 'x', sizeof(got));
		n = compat_fmt_uint(got, v);
		snprintf(want, sizeof(want), "%llu", v);
		ck_assert_uint_eq(n, strlen(want));
		ck_assert_int_eq(got[n], 'x');	/* no NUL, nothing past */
		got[n] = '\0';
		ck_assert_str_eq(got, want);
		if (i >= sizeof(edge) / sizeof(edge[0]))
			v >>= (unsigned)(i % 64);
	}
}
END_TEST

/*
 * Whether the mapping holding addr has flag (two letters) among the
 * VmFlags of /proc/self/smaps: 1, 0, or -1 where there is no such file.
 */
static int
vma_has_flag(const void *addr, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	int in = 0, got = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			char want[8];

			snprintf(want, sizeof(want), " %s", flag);
			got = strstr(line + 8, want) != NULL;
			break;
		}
	}
	fclose(f);
	return got;
}

/*
 * Whether this kernel takes MADV_HUGEPAGE at all (it sets the flag
 * whatever /sys says, and fails with EINVAL without THP), on a scratch
 * mapping.
 */
static int
thp_advice_works(void)
{
#ifdef MADV_HUGEPAGE
	size_t len = COMPAT_HUGE_MIN;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok;

	ck_assert_ptr_ne(m, MAP_FAILED);
	ok = madvise(m, len, MADV_HUGEPAGE) == 0;
	ck_assert_int_eq(munmap(m, len), 0);
	return ok;
#else
	return 0;
#endif
}

/*
 * compat_huge: the advice covers the whole pages inside the range and
 * nothing outside it, leaves the bytes as they were, and ignores arrays
 * under COMPAT_HUGE_MIN and NULL.
 */
START_TEST(test_huge)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len = 8 * COMPAT_HUGE_MIN;
	unsigned char *p, *small;
	size_t i;
	int thp;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	thp = thp_advice_works();
	for (i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i / 4096);
	compat_huge(NULL, len);
	compat_huge(p + 100, len - 200);	/* from page 1 to len - pg */
	for (i = 0; i < len; i += 4096)
		ck_assert_uint_eq(p[i], (unsigned char)(i / 4096));
	if (vma_has_flag(p, "rd") == 1) {
		ck_assert_int_eq(vma_has_flag(p, "hg"), 0);
		ck_assert_int_eq(vma_has_flag(p + pg, "hg"), thp);
		ck_assert_int_eq(vma_has_flag(p + len / 2, "hg"), thp);
		ck_assert_int_eq(vma_has_flag(p + len - pg - 1, "hg"), thp);
		ck_assert_int_eq(vma_has_flag(p + len - pg, "hg"), 0);
	}
	ck_assert_int_eq(munmap(p, len), 0);

	small = mmap(NULL, COMPAT_HUGE_MIN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(small, MAP_FAILED);
	compat_huge(small, COMPAT_HUGE_MIN - 1);
	if (vma_has_flag(small, "rd") == 1)
		ck_assert_int_eq(vma_has_flag(small, "hg"), 0);
	ck_assert_int_eq(munmap(small, COMPAT_HUGE_MIN), 0);
}
END_TEST

/*
 * compat_big_alloc: zeroed, writable, 16-byte aligned at least; from
 * COMPAT_HUGE_MIN on a mapping of its own with the advice, gone once
 * freed; an overflowing size refused.
 */
START_TEST(test_big_alloc)
{
	static const size_t n[] = { 0, 1, 4095, COMPAT_HUGE_MIN - 1,
	    COMPAT_HUGE_MIN, 3 * COMPAT_HUGE_MIN + 5 };
	unsigned char *p;
	size_t i, j;
	int thp = thp_advice_works();

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		p = compat_big_alloc(n[i], 1);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		for (j = 0; j < n[i]; j += 4096)
			ck_assert_uint_eq(p[j], 0);
		if (n[i] > 0) {
			ck_assert_uint_eq(p[n[i] - 1], 0);
			memset(p, 0xa5, n[i]);
		}
		if (n[i] >= COMPAT_HUGE_MIN && vma_has_flag(p, "rd") == 1) {
			ck_assert_uint_eq((uintptr_t)p % 64, 0);
			ck_assert_int_eq(vma_has_flag(p, "hg"), thp);
			ck_assert_int_eq(vma_has_flag(p + n[i] - 1, "hg"),
			    thp);
		}
		compat_big_free(p);
		if (n[i] >= COMPAT_HUGE_MIN)
			ck_assert_int_eq(vma_has_flag(p + n[i] / 2, "hg"), 0);
	}
	compat_big_free(NULL);
	errno = 0;
	ck_assert_ptr_null(compat_big_alloc(SIZE_MAX / 2, 3));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_ptr_null(compat_big_alloc(2, SIZE_MAX - 10));
	ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

Suite *
compat_suite(void)
{
	Suite *s = suite_create("compat");
	TCase *tc;

	tc = tcase_create("strtonum");
	tcase_add_loop_test(tc, test_strtonum_table, 0,
	    NCASES(strtonum_cases));
	tcase_add_test(tc, test_strtonum_no_errstr);
	tcase_add_test(tc, test_strtonum_leading_space);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_uint");
	tcase_add_loop_test(tc, test_parse_uint_table, 0, NCASES(uint_cases));
	tcase_add_test(tc, test_parse_uint_every_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("strlcpy");
	tcase_add_test(tc, test_strlcpy_fits);
	tcase_add_test(tc, test_strlcpy_truncates);
	tcase_add_test(tc, test_strlcpy_size_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("read_write_all");
	tcase_add_test(tc, test_write_read_all);
	tcase_add_test(tc, test_read_all_short_then_eof);
	tcase_add_test(tc, test_fmt_uint);
	tcase_add_test(tc, test_huge);
	tcase_add_test(tc, test_big_alloc);
	tcase_add_test(tc, test_write_all_to_a_closed_peer);
	suite_add_tcase(s, tc);
	return s;
}
