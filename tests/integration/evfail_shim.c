/* SPDX-License-Identifier: ISC */
/*
 * evfail_shim: an LD_PRELOAD library for the integration tests only,
 * never installed. With DT_EVFAIL_TCP set (read at load: the daemon
 * clears its environment), the first send on a TCP socket in the
 * process fails with EAGAIN, as to a client whose window is full, and
 * the next epoll_ctl of the same thread (the event that was to wait for
 * room) fails with ENOSPC: what a kernel out of epoll watches does to
 * the answer's write path. Every other call passes straight through.
 * Needs "seccomp off" (it asks the socket its protocol) and a start not
 * probed over TCP (ready="proc"), whose answer would take the fault.
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

static atomic_int		evfail_tcp;	/* the send fault is due */
static _Thread_local int	evfail_ctl;	/* this thread's epoll_ctl is */

static void	evfail_init(void) __attribute__((constructor));

static void
evfail_init(void)
{
	atomic_store(&evfail_tcp, getenv("DT_EVFAIL_TCP") != NULL);
}

ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	ssize_t (*real)(int, const void *, size_t, int);
	socklen_t len = sizeof(int);
	int proto, one = 1;

	real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT,
	    "send");
	if (real == NULL)
		return -1;
	if (atomic_load(&evfail_tcp) &&
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	    proto == IPPROTO_TCP &&
	    atomic_compare_exchange_strong(&evfail_tcp, &one, 0)) {
		evfail_ctl = 1;
		errno = EAGAIN;
		return -1;
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
	if (evfail_ctl) {
		evfail_ctl = 0;
		errno = ENOSPC;
		return -1;
	}
	return real(epfd, op, fd, ev);
}
