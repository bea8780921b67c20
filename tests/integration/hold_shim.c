/* SPDX-License-Identifier: ISC */
/*
 * hold_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. The daemon's first child (the engine, under -f)
 * waits in setgroups, the first call of its privilege drop, until the
 * file that DT_HOLD names exists (30 s at most): the test can signal the
 * monitor while the engine is still root. With DT_HOLD_MONITOR set, the
 * first process (the monitor) waits instead, before its handshake with
 * the engine. Other processes, and a process with no DT_HOLD, pass
 * straight through. Under -f only (the engine is the first process's
 * child) and without chroot (the drop chroots first, and DT_HOLD would
 * then name a path inside the jail).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static pid_t	hold_first;	/* the process the shim was loaded into */

static void	hold_init(void) __attribute__((constructor));

static void
hold_init(void)
{
	hold_first = getpid();
}

int
setgroups(size_t n, const gid_t *list)
{
	int (*real)(size_t, const gid_t *);
	const char *path = getenv("DT_HOLD");
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	if (path != NULL && (getenv("DT_HOLD_MONITOR") != NULL ?
	    getpid() == hold_first : getppid() == hold_first))
		for (i = 0; i < 3000 && access(path, F_OK) == -1; i++)
			nanosleep(&ts, NULL);
	real = (int (*)(size_t, const gid_t *))dlsym(RTLD_NEXT, "setgroups");
	return real != NULL ? real(n, list) : -1;
}
