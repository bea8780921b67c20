/* SPDX-License-Identifier: ISC */
/*
 * logread_suite: audit/logread.c, the audit tool's reader. Plain lines
 * (LF, CRLF, none at the end), gzip files read as they are (one member,
 * two concatenated, one cut short: an error, not a quiet end, nor are
 * bytes after the last member that begin no other), and a
 * line far longer than LOGREAD_LINE_MAX: its head comes back flagged and
 * the reader's buffer stays bounded.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "audit/logread.h"
#include "tests/unit/suites.h"

/* A reader on a fresh file holding (data, len); path kept for unlink. */
static struct logread *
open_data(char *path, const void *data, size_t len)
{
	char err[256];
	struct logread *lr;
	int fd;

	snprintf(path, 64, "/tmp/check_logread.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	lr = logread_open(fd, path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s", err);
	return lr;
}

/* The next line as a string; "(end)", "(error)" or "(long:HEAD)". */
static const char *
next(struct logread *lr)
{
	static char out[LOGREAD_HEAD_MAX + 16];
	const char *l;
	char err[256];
	size_t len;
	int over, r;

	r = logread_line(lr, &l, &len, &over, err, sizeof(err));
	if (r == 0)
		return "(end)";
	if (r == -1)
		return "(error)";
	snprintf(out, sizeof(out), "%s%.*s%s", over ? "(long:" : "",
	    (int)(len > 8 && over ? 8 : len), l, over ? ")" : "");
	return out;
}

/* (text, len) gzip-compressed, as gzip(1) writes it, into out. */
static size_t
gz(const char *text, size_t len, unsigned char *out, size_t outlen)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)text;
	z.avail_in = (unsigned)len;
	z.next_out = out;
	z.avail_out = (unsigned)outlen;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return outlen - z.avail_out;
}

START_TEST(test_plain)
{
	static const char text[] = "one\ntwo\r\n\nthree";
	struct logread *lr;
	char path[64];

	lr = open_data(path, text, sizeof(text) - 1);
	ck_assert_str_eq(next(lr), "one");
	ck_assert_str_eq(next(lr), "two");
	ck_assert_str_eq(next(lr), "");
	ck_assert_str_eq(next(lr), "three");
	ck_assert_str_eq(next(lr), "(end)");
	ck_assert_int_eq(logread_compressed(lr), 0);
	logread_close(lr);
	unlink(path);
}
END_TEST

START_TEST(test_gzip)
{
	static const char t1[] = "Nov 26 10:32:52 h daytimed[1]: conn=1\n";
	static const char t2[] = "second member\n";
	unsigned char buf[512];
	struct logread *lr;
	const char *r;
	char path[64];
	size_t n;

	/* two members, as "cat a.gz b.gz" makes */
	n = gz(t1, sizeof(t1) - 1, buf, sizeof(buf));
	n += gz(t2, sizeof(t2) - 1, buf + n, sizeof(buf) - n);
	lr = open_data(path, buf, n);
	ck_assert_str_eq(next(lr), "Nov 26 10:32:52 h daytimed[1]: conn=1");
	ck_assert_int_eq(logread_compressed(lr), 1);
	ck_assert_str_eq(next(lr), "second member");
	ck_assert_str_eq(next(lr), "(end)");
	logread_close(lr);
	unlink(path);
	/* cut short: an error, never a quiet end */
	n = gz(t1, sizeof(t1) - 1, buf, sizeof(buf));
	lr = open_data(path, buf, n - 6);
	/* the whole line may come first: the cut is seen at the end */
	r = next(lr);
	if (strcmp(r, "Nov 26 10:32:52 h daytimed[1]: conn=1") == 0)
		r = next(lr);
	ck_assert_str_eq(r, "(error)");
	logread_close(lr);
	unlink(path);
}
END_TEST

START_TEST(test_overlong)
{
	size_t big = 5 * LOGREAD_LINE_MAX + 17, n, len;
	struct logread *lr;
	char path[64], *text, err[256];
	const char *l;
	int over;

	text = malloc(big + 64);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "short\n", 6);
	memset(text + 6, 'x', big);
	memcpy(text + 6 + big, "\nafter\n", 7);
	n = 6 + big + 7;
	lr = open_data(path, text, n);
	ck_assert_str_eq(next(lr), "short");
	ck_assert_str_eq(next(lr), "(long:xxxxxxxx)");
	ck_assert_str_eq(next(lr), "after");
	ck_assert_str_eq(next(lr), "(end)");
	logread_close(lr);
	unlink(path);
	/* an over-long last line without a line end */
	lr = open_data(path, text, 6 + big);
	ck_assert_str_eq(next(lr), "short");
	ck_assert_str_eq(next(lr), "(long:xxxxxxxx)");
	ck_assert_str_eq(next(lr), "(end)");
	logread_close(lr);
	unlink(path);
	/*
	 * Just over the limit, its line end in the same read as its start,
	 * after lines of every size up to a read: flagged wherever it falls.
	 */
	for (n = 0; n < 4 * LOGREAD_LINE_MAX; n += LOGREAD_LINE_MAX / 3) {
		memset(text, 'p', n);
		if (n > 0)
			text[n - 1] = '\n';
		memset(text + n, 'z', LOGREAD_LINE_MAX + 1);
		text[n + LOGREAD_LINE_MAX + 1] = '\n';
		lr = open_data(path, text, n + LOGREAD_LINE_MAX + 2);
		if (n > 0) {
			ck_assert_int_eq(logread_line(lr, &l, &len, &over,
			    err, sizeof(err)), 1);
			ck_assert_int_eq(over, n - 1 > LOGREAD_LINE_MAX);
		}
		ck_assert_int_eq(logread_line(lr, &l, &len, &over, err,
		    sizeof(err)), 1);
		ck_assert_int_eq(over, 1);
		ck_assert_uint_eq(len, LOGREAD_HEAD_MAX);
		ck_assert_int_eq(l[0], 'z');
		ck_assert_str_eq(next(lr), "(end)");
		logread_close(lr);
		unlink(path);
	}
	/* exactly at the limit: kept whole */
	memset(text, 'y', LOGREAD_LINE_MAX);
	text[LOGREAD_LINE_MAX] = '\n';
	lr = open_data(path, text, LOGREAD_LINE_MAX + 1);
	ck_assert_int_eq(logread_line(lr, &l, &len, &over, err, sizeof(err)),
	    1);
	ck_assert_uint_eq(len, LOGREAD_LINE_MAX);
	ck_assert_int_eq(over, 0);
	logread_close(lr);
	unlink(path);
	free(text);
}
END_TEST

START_TEST(test_trailing)
{
	static const char t1[] = "Nov 26 10:32:52 h daytimed[1]: conn=1\n";
	static const char forged[] = "Nov 26 10:32:53 h daytimed[1]: conn=2\n";
	unsigned char buf[512];
	struct logread *lr;
	const char *r;
	char path[64];
	size_t n, k;

	/* a line appended to a .gz file: an error, not a quiet end */
	n = gz(t1, sizeof(t1) - 1, buf, sizeof(buf));
	memcpy(buf + n, forged, sizeof(forged) - 1);
	lr = open_data(path, buf, n + sizeof(forged) - 1);
	ck_assert_str_eq(next(lr), "Nov 26 10:32:52 h daytimed[1]: conn=1");
	ck_assert_str_eq(next(lr), "(error)");
	logread_close(lr);
	unlink(path);
	/* one byte after a member, and a zero after two */
	for (k = 1; k <= 2; k++) {
		n = gz(t1, sizeof(t1) - 1, buf, sizeof(buf));
		if (k == 2)
			n += gz(t1, sizeof(t1) - 1, buf + n, sizeof(buf) - n);
		buf[n] = k == 1 ? 0x1f : 0;
		lr = open_data(path, buf, n + 1);
		r = next(lr);
		if (k == 2 && strcmp(r, "(error)") != 0)
			r = next(lr);
		if (strcmp(r, "(error)") != 0)
			r = next(lr);
		ck_assert_str_eq(r, "(error)");
		logread_close(lr);
		unlink(path);
	}
	/* an empty member (gzip </dev/null) before a whole plain log */
	n = gz("", 0, buf, sizeof(buf));
	ck_assert_uint_eq(n, 20);
	memcpy(buf + n, forged, sizeof(forged) - 1);
	lr = open_data(path, buf, n + sizeof(forged) - 1);
	ck_assert_str_eq(next(lr), "(error)");
	logread_close(lr);
	unlink(path);
	/* an empty member between two: concatenated members still read */
	n = gz(t1, sizeof(t1) - 1, buf, sizeof(buf));
	n += gz("", 0, buf + n, sizeof(buf) - n);
	n += gz(forged, sizeof(forged) - 1, buf + n, sizeof(buf) - n);
	lr = open_data(path, buf, n);
	ck_assert_str_eq(next(lr), "Nov 26 10:32:52 h daytimed[1]: conn=1");
	ck_assert_str_eq(next(lr), "Nov 26 10:32:53 h daytimed[1]: conn=2");
	ck_assert_str_eq(next(lr), "(end)");
	logread_close(lr);
	unlink(path);
}
END_TEST

/* Members larger than a read, their ends anywhere in one: every line. */
START_TEST(test_gzip_large)
{
	size_t tlen = 400000, zlen = 3 * tlen + 4096, n = 0, i, lines = 0;
	unsigned char *z;
	char *text, line[64], path[64];
	uint32_t x = 2463534242u;
	struct logread *lr;
	int m;

	ck_assert_ptr_nonnull(text = malloc(tlen + 64));
	ck_assert_ptr_nonnull(z = malloc(zlen));
	for (m = 0; m < 3; m++) {
		/* random hex lines: they hardly compress */
		for (i = 0; i + 40 < tlen; i += 32) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			snprintf(text + i, 33, "%08x%08x%08x %06zu\n", x,
			    x * 3u, x * 7u, lines++ % 1000000);
		}
		n += gz(text, i, z + n, zlen - n);
	}
	lr = open_data(path, z, n);
	for (i = 0; i < lines; i++) {
		snprintf(line, sizeof(line), " %06zu", i % 1000000);
		ck_assert_msg(strstr(next(lr), line) != NULL, "line %zu", i);
	}
	ck_assert_str_eq(next(lr), "(end)");
	ck_assert_int_eq(logread_compressed(lr), 1);
	logread_close(lr);
	unlink(path);
	free(text);
	free(z);
}
END_TEST

Suite *
logread_suite(void)
{
	Suite *s = suite_create("logread");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_gzip_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_overlong);
	tcase_add_test(tc, test_trailing);
	suite_add_tcase(s, tc);
	return s;
}
