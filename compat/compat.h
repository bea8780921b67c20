/* SPDX-License-Identifier: ISC */
/*
 * compat: the few BSD helpers glibc lacks on Debian 12 (strtonum, strlcpy),
 * built only where the C library has no version of its own; a bounded
 * number parser and its inverse; huge pages for large arrays; whole reads
 * and writes on blocking descriptors.
 */
#ifndef DAYTIMED_COMPAT_H
#define DAYTIMED_COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRTONUM
long long strtonum(const char *, long long, long long, const char **);
#endif
#ifndef HAVE_STRLCPY
size_t strlcpy(char *, const char *, size_t);
#endif

/* Bounded parse of a decimal number held in (buf, len), not NUL-terminated. */
int compat_parse_uint(const char *buf, size_t len, unsigned long long max,
    unsigned long long *out);

/* Digits compat_fmt_uint writes at most: those of ULLONG_MAX. */
#define COMPAT_UINT_DIGITS	20

/* v in decimal at dst, without a NUL: returns how many digits (1..20). */
size_t compat_fmt_uint(char *dst, unsigned long long v);

/* Bytes compat_fmt_ip6 writes at most: eight groups of four, seven colons. */
#define COMPAT_IP6_CHARS	39

/*
 * The IPv6 address b (16 bytes) at dst as RFC 5952 text, all hex (no
 * dotted tail), without a NUL: returns its length. The one formatter of
 * IPv6 text: records and netblocks write an address the same way.
 */
size_t compat_fmt_ip6(char *dst, const unsigned char *b);

/*
 * Advice that the kernel back the large array (p, len) with huge pages
 * (transparent huge pages, madvise(MADV_HUGEPAGE)) where it can; arrays
 * under COMPAT_HUGE_MIN and systems without it are left as they are.
 * The advice outlives a free: only for a mapping of one's own, never for
 * malloc'd memory (compat_big_alloc gives such a mapping).
 */
#define COMPAT_HUGE_MIN	((size_t)2 << 20)
void compat_huge(void *p, size_t len);

/*
 * n * size bytes, zeroed, for a large array: from COMPAT_HUGE_MIN on, an
 * anonymous mapping of its own with the huge-page advice, which dies with
 * it (compat_big_free unmaps it); smaller, from malloc. NULL with errno
 * ENOMEM on failure or overflow. Free only with compat_big_free.
 */
void *compat_big_alloc(size_t n, size_t size);
/* Free what compat_big_alloc gave (NULL: nothing). */
void compat_big_free(void *p);

/* All of (buf, len) to a blocking fd, retrying EINTR: 0, or -1 (errno set,
 * or 0 after a write of nothing). */
int compat_write_all(int fd, const void *buf, size_t len);

/* Exactly len bytes from a blocking fd, retrying EINTR: 0, or -1 on an
 * error (errno set) or an end of file first (errno 0). */
int compat_read_all(int fd, void *buf, size_t len);

#endif
