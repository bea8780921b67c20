/* SPDX-License-Identifier: ISC */
/*
 * compat: what glibc lacks and OpenBSD has (strtonum, strlcpy);
 * compat_parse_uint, the one bounded parser of decimal numbers in a
 * (buffer, length) that is not NUL-terminated, and its inverse
 * (compat_fmt_uint); the one text of an IPv6 address (compat_fmt_ip6);
 * large arrays in huge pages (compat_huge,
 * compat_big_alloc); whole reads and writes on blocking descriptors
 * (compat_read_all, compat_write_all).
 */
#include "autoconf.h"

#include <sys/mman.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"

#ifndef HAVE_STRTONUM
/* OpenBSD's strtonum: one bounded parser for numbers from argv and config. */
long long
strtonum(const char *s, long long minval, long long maxval, const char **errstrp)
{
	const char *p = s;
	int neg = 0;
	unsigned long long acc = 0, lim;

	if (errstrp != NULL)
		*errstrp = NULL;
	if (minval > maxval || s == NULL)
		goto invalid;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (*p == '\0')
		goto invalid;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			goto invalid;
		d = (unsigned)(*p - '0');
		if (acc > (lim - d) / 10) {
			acc = lim;	/* saturate: reported out of range below */
			while (p[1] >= '0' && p[1] <= '9')
				p++;
			if (p[1] != '\0')
				goto invalid;
			if (errstrp != NULL)
				*errstrp = neg ? "too small" : "too large";
			errno = ERANGE;
			return 0;
		}
		acc = acc * 10 + d;
	}
	{
		long long v;

		if (neg)
			v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc;
		else
			v = (long long)acc;
		if (v < minval) {
			if (errstrp != NULL)
				*errstrp = "too small";
			errno = ERANGE;
			return 0;
		}
		if (v > maxval) {
			if (errstrp != NULL)
				*errstrp = "too large";
			errno = ERANGE;
			return 0;
		}
		return v;
	}
invalid:
	if (errstrp != NULL)
		*errstrp = "invalid";
	errno = EINVAL;
	return 0;
}
#endif

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t n = strlen(src);

	if (dsize != 0) {
		size_t c = n >= dsize ? dsize - 1 : n;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
#endif

/* Decimal digits only, no sign, no blanks; rejects values over max as it reads. */
int
compat_parse_uint(const char *buf, size_t len, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long acc = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		d = (unsigned)(buf[i] - '0');
		if (d > max || acc > (max - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	*out = acc;
	return 0;
}

/* The page size, from the auxv: no system call. */
static size_t
compat_pagesize(void)
{
	long v = sysconf(_SC_PAGESIZE);

	return v > 0 ? (size_t)v : 4096;
}

/*
 * A rule table of a million netblocks is built in a few hundred MB of
 * fresh arrays, and each 4 KB page of them costs a page fault at its
 * first touch: about 3.4 ms a MB on the 2-vCPU guest of 2026-12-01
 * (64 MB in 0.22 s, against 0.006 s in huge pages), which was most of a
 * 1.5 s build. The advice covers the whole pages inside (p, len), and
 * stays on them until they are unmapped: give it only to memory of a
 * mapping of one's own (compat_big_alloc), never to malloc's, whose heap
 * would hand the advised pages to whatever it allocates next. Failures
 * (no THP in the kernel) change nothing, so they are ignored.
 */
void
compat_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t pg = compat_pagesize(), s, e;

	if (p == NULL || len < COMPAT_HUGE_MIN)
		return;
	s = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	e = ((uintptr_t)p + len) & ~(pg - 1);
	if (e > s)
		(void)madvise((void *)s, e - s, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/*
 * The block compat_big_alloc hands out follows a header of
 * COMPAT_BIG_HEAD bytes (the callers' arrays stay 64-byte aligned in a
 * mapping) that says how long the block is and where it came from.
 */
#define COMPAT_BIG_HEAD	64

struct compat_big_head {
	size_t	len;		/* of the whole block, header included */
	int	mapped;		/* mmap, not malloc */
};

void *
compat_big_alloc(size_t n, size_t size)
{
	struct compat_big_head h;
	unsigned char *m;
	size_t pg = compat_pagesize();

	if (size != 0 && n > (SIZE_MAX - COMPAT_BIG_HEAD - pg) / size) {
		errno = ENOMEM;
		return NULL;
	}
	h.len = n * size + COMPAT_BIG_HEAD;
	h.mapped = n * size >= COMPAT_HUGE_MIN;
	if (h.mapped)		/* whole pages: the advice covers them all */
		h.len = (h.len + pg - 1) / pg * pg;
	if (!h.mapped)
		m = calloc(1, h.len);
	else if ((m = mmap(NULL, h.len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		m = NULL;
	else
		compat_huge(m, h.len);
	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(m, &h, sizeof(h));
	return m + COMPAT_BIG_HEAD;
}

void
compat_big_free(void *p)
{
	struct compat_big_head h;
	unsigned char *m;

	if (p == NULL)
		return;
	m = (unsigned char *)p - COMPAT_BIG_HEAD;
	memcpy(&h, m, sizeof(h));
	if (h.mapped)
		(void)munmap(m, h.len);
	else
		free(m);
}

/* write(2) until all of (buf, len) is gone or it fails. */
int
compat_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read(2) until len bytes are in, or an error or end of file. */
int
compat_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * RFC 5952: lowercase, no leading zeros, the longest run of two or more
 * zero groups (the first of equals) as "::", and no dotted tail, so that
 * the same address is always the same text: in records (peer=, via=,
 * local=) and wherever a netblock is written (-T, -e, netblock=,
 * source=). An IPv4-compatible ::a.b.c.d is "::102:304"; the caller
 * writes IPv4-mapped addresses as the IPv4 quad.
 */
size_t
compat_fmt_ip6(char *dst, const unsigned char *b)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, best = -1, bestlen = 0, run = 0, sh;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		run = w[i] == 0 ? run + 1 : 0;
		if (run > bestlen && run >= 2) {
			bestlen = run;
			best = i - run + 1;
		}
	}
	for (i = 0; i < 8; ) {
		if (i == best) {
			dst[n++] = ':';
			dst[n++] = ':';
			i += bestlen;
			continue;
		}
		if (i != 0 && i != best + bestlen)
			dst[n++] = ':';
		/* the group in hex, no leading zeros */
		for (sh = 12; sh > 0 && (w[i] >> sh) == 0; sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			dst[n++] = hex[(w[i] >> sh) & 0xf];
		i++;
	}
	return n;
}

/*
 * v in decimal at dst, no NUL; the digits' count. The audit record's
 * numbers go through here, not through snprintf, whose format machinery
 * cost more than all the rest of a record (bench/README.md).
 */
size_t
compat_fmt_uint(char *dst, unsigned long long v)
{
	char tmp[COMPAT_UINT_DIGITS];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}
