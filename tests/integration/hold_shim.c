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
 *
 * With DT_HOLD_RELOAD, the engine's reload thread waits as it names
 * itself ("daytimed-load"), until that file exists (30 s at most),
 * having made DT_HOLD_RELOAD.held: a reload that takes as long as the
 * test wants. It needs "seccomp off" (the wait uses access and open).
 *
 * With DT_HOLD_ENGINE, the engine (the process whose parent runs the
 * same program), daemonized or not, waits in setgroups as with
 * DT_HOLD, having made DT_HOLD_ENGINE.held: an engine not yet ready, for
 * as long as the test wants.
 *
 * With DT_HOLD_SPLIT, the daemon waits in its first socketpair (the
 * monitor's split makes it, after the pidfile is written) until that
 * file exists (30 s at most), having made DT_HOLD_SPLIT.held: a start
 * with its pidfile made, not split yet.
 *
 * With DT_HOLD_SETSID, the first child of the daemonizing waits in
 * setsid until that file exists (30 s at most), having made
 * DT_HOLD_SETSID.held: the starter has forked, the daemon not yet.
 *
 * With DT_SLOW_SIGPENDING set, sigpending answers a second late: the
 * first child of the daemonizing, which looks there for a stop the
 * starter passed on, is as late as a busy machine may make it, while
 * the daemon it forked goes on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <linux/prctl.h>	/* the constants; prctl itself is defined here */
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static pid_t	hold_first;	/* the process the shim was loaded into */
static char	hold_reload[4096];	/* DT_HOLD_RELOAD, read at load: the
					   daemon clears its environment */
static char	hold_engine[4096];	/* DT_HOLD_ENGINE, likewise */
static char	hold_split[4096];	/* DT_HOLD_SPLIT, likewise */
static char	hold_setsid[4096];	/* DT_HOLD_SETSID, likewise */

static void	hold_init(void) __attribute__((constructor));

static void
hold_init(void)
{
	const char *r = getenv("DT_HOLD_RELOAD");
	const char *e = getenv("DT_HOLD_ENGINE");
	const char *s = getenv("DT_HOLD_SPLIT");
	const char *t = getenv("DT_HOLD_SETSID");

	hold_first = getpid();
	if (r != NULL && strlen(r) < sizeof(hold_reload))
		memcpy(hold_reload, r, strlen(r) + 1);
	if (e != NULL && strlen(e) < sizeof(hold_engine))
		memcpy(hold_engine, e, strlen(e) + 1);
	if (s != NULL && strlen(s) < sizeof(hold_split))
		memcpy(hold_split, s, strlen(s) + 1);
	if (t != NULL && strlen(t) < sizeof(hold_setsid))
		memcpy(hold_setsid, t, strlen(t) + 1);
}

/*
 * Whether our parent runs the program we run: then we are the engine
 * (the monitor's parent is the test, or init once the middle process of
 * the double fork, which exits at once, is gone).
 */
static int
hold_parent_is_daytimed(void)
{
	char path[64], self[4096], parent[4096];
	ssize_t n, m;

	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)getppid());
	n = readlink("/proc/self/exe", self, sizeof(self));
	m = readlink(path, parent, sizeof(parent));
	return n > 0 && n == m && memcmp(self, parent, (size_t)n) == 0;
}

/* Make path.held, then wait until path exists (30 s at most). */
static void
hold_wait(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char held[4096 + 8];
	int i, fd;

	if (snprintf(held, sizeof(held), "%s.held", path) < (int)sizeof(held) &&
	    (fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
		close(fd);
	for (i = 0; i < 3000 && access(path, F_OK) == -1; i++)
		nanosleep(&ts, NULL);
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
	if (hold_engine[0] != '\0' && hold_parent_is_daytimed())
		hold_wait(hold_engine);
	real = (int (*)(size_t, const gid_t *))dlsym(RTLD_NEXT, "setgroups");
	return real != NULL ? real(n, list) : -1;
}

/* prctl's real arguments on this ABI: five words. */
int
prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
    unsigned long a5)
{
	int (*real)(int, unsigned long, unsigned long, unsigned long,
	    unsigned long);
	const char *path = hold_reload[0] != '\0' ? hold_reload : NULL;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char held[4096 + 8];
	int i, fd;

	if (path != NULL && option == PR_SET_NAME &&
	    strcmp((const char *)a2, "daytimed-load") == 0 &&
	    snprintf(held, sizeof(held), "%s.held", path) < (int)sizeof(held)) {
		if ((fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
			close(fd);
		for (i = 0; i < 3000 && access(path, F_OK) == -1; i++)
			nanosleep(&ts, NULL);
	}
	real = (int (*)(int, unsigned long, unsigned long, unsigned long,
	    unsigned long))dlsym(RTLD_NEXT, "prctl");
	return real != NULL ? real(option, a2, a3, a4, a5) : -1;
}

int
socketpair(int domain, int type, int proto, int sv[2])
{
	int (*real)(int, int, int, int[2]);
	static int held;	/* once, the children of a fork included */

	if (hold_split[0] != '\0' && !held) {
		held = 1;
		hold_wait(hold_split);
	}
	real = (int (*)(int, int, int, int[2]))dlsym(RTLD_NEXT, "socketpair");
	return real != NULL ? real(domain, type, proto, sv) : -1;
}

pid_t
setsid(void)
{
	pid_t (*real)(void);

	if (hold_setsid[0] != '\0')
		hold_wait(hold_setsid);
	real = (pid_t (*)(void))dlsym(RTLD_NEXT, "setsid");
	return real != NULL ? real() : -1;
}

int
sigpending(sigset_t *set)
{
	int (*real)(sigset_t *);
	struct timespec ts = { 1, 0 };
	int r;

	real = (int (*)(sigset_t *))dlsym(RTLD_NEXT, "sigpending");
	r = real != NULL ? real(set) : -1;
	if (getenv("DT_SLOW_SIGPENDING") != NULL)
		nanosleep(&ts, NULL);
	return r;
}
