/* SPDX-License-Identifier: ISC */
/*
 * monfail_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. DT_MONFAIL (read at load: the daemon clears its
 * environment) picks one failure of the monitor's, once:
 *   "nobufs": its first sendmsg of a reload's answer (LEN[4] and the
 *     bundle, two pieces) fails with ENOBUFS, as when the kernel is
 *     short of memory;
 *   "lose": that sendmsg says it sent everything and sends nothing (a
 *     monitor that never answers), and an SO_RCVTIMEO of 60 s or more
 *     (the engine's wait for the monitor) is cut to 1 s;
 *   "kill": its first kill(2) of SIGTERM fails with EPERM (the engine
 *     not its to signal);
 *   "poll": its first three ppolls (on two descriptors: the monitor's
 *     loop) fail with ENOMEM.
 * Every other call passes straight through.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char		monfail_mode[16];
static atomic_int	monfail_left;	/* faults still to make */

static void	monfail_init(void) __attribute__((constructor));

static void
monfail_init(void)
{
	const char *m = getenv("DT_MONFAIL");

	if (m == NULL || strlen(m) >= sizeof(monfail_mode))
		return;
	memcpy(monfail_mode, m, strlen(m) + 1);
	atomic_store(&monfail_left, strcmp(m, "poll") == 0 ? 3 : 1);
}

/* Whether mode is on and one of its faults is still to be made. */
static int
monfail_take(const char *mode)
{
	int left = atomic_load(&monfail_left);

	while (strcmp(monfail_mode, mode) == 0 && left > 0)
		if (atomic_compare_exchange_weak(&monfail_left, &left, left - 1))
			return 1;
	return 0;
}

/* Whether mh is the first piece of a reload's answer: LEN[4], LEN bytes. */
static int
monfail_answer(const struct msghdr *mh)
{
	const unsigned char *h;

	if (mh->msg_iovlen != 2 || mh->msg_iov[0].iov_len != 4)
		return 0;
	h = mh->msg_iov[0].iov_base;
	return ((size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 |
	    h[3]) == mh->msg_iov[1].iov_len;
}

ssize_t
sendmsg(int fd, const struct msghdr *mh, int flags)
{
	ssize_t (*real)(int, const struct msghdr *, int);

	real = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT,
	    "sendmsg");
	if (real == NULL)
		return -1;
	if (monfail_answer(mh)) {
		if (monfail_take("nobufs")) {
			errno = ENOBUFS;
			return -1;
		}
		if (monfail_take("lose"))
			return (ssize_t)(4 + mh->msg_iov[1].iov_len);
	}
	return real(fd, mh, flags);
}

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t);
	struct timeval tv = { 1, 0 };
	const struct timeval *want = val;

	real = (int (*)(int, int, int, const void *, socklen_t))dlsym(
	    RTLD_NEXT, "setsockopt");
	if (real == NULL)
		return -1;
	if (strcmp(monfail_mode, "lose") == 0 && level == SOL_SOCKET &&
	    name == SO_RCVTIMEO && len == sizeof(tv) && want->tv_sec >= 60)
		return real(fd, level, name, &tv, len);
	return real(fd, level, name, val, len);
}

int
kill(pid_t pid, int sig)
{
	int (*real)(pid_t, int);

	real = (int (*)(pid_t, int))dlsym(RTLD_NEXT, "kill");
	if (real == NULL)
		return -1;
	if (sig == SIGTERM && pid > 0 && monfail_take("kill")) {
		errno = EPERM;
		return -1;
	}
	return real(pid, sig);
}

int
ppoll(struct pollfd *fds, nfds_t n, const struct timespec *to,
    const sigset_t *mask)
{
	int (*real)(struct pollfd *, nfds_t, const struct timespec *,
	    const sigset_t *);

	real = (int (*)(struct pollfd *, nfds_t, const struct timespec *,
	    const sigset_t *))dlsym(RTLD_NEXT, "ppoll");
	if (real == NULL)
		return -1;
	if (n == 2 && monfail_take("poll")) {
		errno = ENOMEM;
		return -1;
	}
	return real(fds, n, to, mask);
}
