/* SPDX-License-Identifier: ISC */
/*
 * split_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. While DT_SPLIT_OUTCOME is set, a reload's outcome
 * that the engine writes to the monitor ('O' or 'K', a 4-byte length,
 * the text, in one write) goes out cut after 3 bytes, the rest never:
 * what an engine taken over could send to stall the monitor. Every
 * other write passes straight through.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

ssize_t
write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t);
	const unsigned char *b = buf;

	real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
	    "write");
	if (real == NULL)
		return -1;
	if (getenv("DT_SPLIT_OUTCOME") != NULL && n >= 5 &&
	    (b[0] == 'O' || b[0] == 'K') &&
	    n == 5 + ((size_t)b[1] << 24 | (size_t)b[2] << 16 |
	    (size_t)b[3] << 8 | b[4])) {
		if (real(fd, buf, 3) != 3)
			return -1;
		return (ssize_t)n;
	}
	return real(fd, buf, n);
}
