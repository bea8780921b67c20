/* SPDX-License-Identifier: ISC */
/*
 * compat: the few BSD helpers glibc lacks on Debian 12 (strtonum, strlcpy).
 * Built only where the C library has no version of its own.
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

#endif
