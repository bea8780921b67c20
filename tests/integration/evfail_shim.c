/* SPDX-License-Identifier: ISC */
/*
 * evfail_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. DT_EVFAIL (read at load: the daemon clears its
 * environment) picks a kernel failure of the event loop, timed by the
 * first send on a TCP socket in the process (a client's answer):
 *   "ctl": that send fails with EAGAIN, as to a client whose window is
 *     full, and the next epoll_ctl of the same thread (the event that
 *     was to wait for room) fails with ENOSPC;
 *   "wait": that send goes out, and the next epoll_wait of the same
 *     thread (its loop's) fails with ENOMEM.
 * Every other call passes straight through. Needs "seccomp off" (it asks
 * the socket its protocol) and a start not probed over TCP
 * (ready="proc"), whose answer would take the fault.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { EVFAIL_NONE, EVFAIL_CTL, EVFAIL_WAIT };

static atomic_int		evfail_due;	/* the next TCP send's fault */
static _Thread_local int	evfail_next;	/* this thread's next call's */

static void	evfail_init(void) __attribute__((constructor));

static void
evfail_init(void)
{
	const char *m = getenv("DT_EVFAIL");

	if (m != NULL && strcmp(m, "ctl") == 0)
		atomic_store(&evfail_due, EVFAIL_CTL);
	else if (m != NULL && strcmp(m, "wait") == 0)
		atomic_store(&evfail_due, EVFAIL_WAIT);
}

ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	ssize_t (*real)(int, const void *, size_t, int);
	socklen_t len = sizeof(int);
	int proto, due = atomic_load(&evfail_due);

	real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT,
	    "send");
	if (real == NULL)
		return -1;
	if (due != EVFAIL_NONE &&
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	    proto == IPPROTO_TCP &&
	    atomic_compare_exchange_strong(&evfail_due, &due, EVFAIL_NONE)) {
		evfail_next = due;
		if (due == EVFAIL_CTL) {
			errno = EAGAIN;
			return -1;
		}
	}
	return real(fd, buf, n, flags);
}

int
epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int (*real)(int, int, int, struct epoll_event *);

	real = (int (*)(int, int, int, struct epoll_event *))dlsym(RTLD_NEXT,
	    "epoll_ctl");
	if (real == NULL)
		return -1;
	if (evfail_next == EVFAIL_CTL) {
		evfail_next = EVFAIL_NONE;
		errno = ENOSPC;
		return -1;
	}
	return real(epfd, op, fd, ev);
}

int
epoll_wait(int epfd, struct epoll_event *evs, int n, int timeout)
{
	int (*real)(int, struct epoll_event *, int, int);

	real = (int (*)(int, struct epoll_event *, int, int))dlsym(RTLD_NEXT,
	    "epoll_wait");
	if (real == NULL)
		return -1;
	if (evfail_next == EVFAIL_WAIT) {
		evfail_next = EVFAIL_NONE;
		errno = ENOMEM;
		return -1;
	}
	return real(epfd, evs, n, timeout);
}
