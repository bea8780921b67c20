/* SPDX-License-Identifier: ISC */
/*
 * fsync_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. fsync() of a directory fails with EIO, as on a disk
 * that failed its metadata write: always while DT_FAIL_DIRFSYNC is set,
 * or, with DT_FAIL_DIRFSYNC_AFTER=N, after the process's first N
 * directory fsyncs. The file's own fsync, and every process without
 * either, pass straight through. Only fstat is added to the calls the
 * engine makes, so it runs under seccomp.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int
fsync(int fd)
{
	static unsigned long dirs;
	int (*real)(int);
	const char *after = getenv("DT_FAIL_DIRFSYNC_AFTER");
	struct stat sb;

	if ((getenv("DT_FAIL_DIRFSYNC") != NULL || after != NULL) &&
	    fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (after == NULL || ++dirs > strtoul(after, NULL, 10))) {
		errno = EIO;
		return -1;
	}
	real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return real != NULL ? real(fd) : -1;
}
