/* SPDX-License-Identifier: ISC */
/*
 * daytime_ask: one host's exchange.  Every step, name resolution
 * included, runs against one deadline; nothing waits without it.  The
 * server's bytes are only stored here: daytime.c decides how they are
 * shown, and no diagnostic ever quotes them.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "client/daytime.h"

/* glibc 2.34 moved getaddrinfo_a into libc: resolution can then be bounded. */
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define DAYTIME_HAVE_GAI_A 1
#define DAYTIME_GAI_TIMEOUT 1	/* not an EAI_ code: those are negative */
#endif

/* How one attempt at one address ended. */
enum daytime_result {
	DAYTIME_OK,		/* at least one byte arrived */
	DAYTIME_NEXT,		/* this address failed before a conversation: try the next */
	DAYTIME_FINAL		/* the server was reached and gave nothing: stop */
};

static long long daytime_now(void);
static int	daytime_poll_ms(long long);
static int	daytime_resolve(const struct daytime_opts *, const char *,
		    long long, struct addrinfo **);
#ifdef DAYTIME_HAVE_GAI_A
static int	daytime_resolve_a(const char *, const char *,
		    const struct addrinfo *, long long, struct addrinfo **);
#endif
static void	daytime_addr_name(const struct addrinfo *, char *, size_t);
static enum daytime_result daytime_try(const struct daytime_opts *,
		    const struct addrinfo *, long long, long long,
		    struct daytime_answer *);
static int	daytime_wait(int, short, long long);
static enum daytime_result daytime_tcp(int, const char *, long long,
		    struct daytime_answer *);
static enum daytime_result daytime_udp(int, const char *, long long,
		    struct daytime_answer *);

/*
 * Ask host: resolve, then try its addresses in turn until one answers,
 * all within o->wait_ns from now.  0: ans holds an answer; -1: none (the
 * reason is on stderr).
 */
int
daytime_ask(const struct daytime_opts *o, const char *host,
    struct daytime_answer *ans)
{
	struct addrinfo		*res, *ai;
	long long		 deadline;
	size_t			 left;
	enum daytime_result	 r = DAYTIME_NEXT;

	deadline = daytime_now() + o->wait_ns;
	if (daytime_resolve(o, host, deadline, &res) == -1)
		return -1;

	left = 0;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		left++;
	memset(ans, 0, sizeof(*ans));
	ai = res;
	while (ai != NULL && r == DAYTIME_NEXT) {
		long long now = daytime_now(), slice;

		if (now >= deadline)
			break;
		/* An unreachable first address must leave time for the others. */
		slice = now + (deadline - now) / (long long)left;
		r = daytime_try(o, ai, slice, deadline, ans);
		ai = ai->ai_next;
		left--;
	}
	if (r == DAYTIME_NEXT && ai != NULL)
		daytime_warnx("%s: no answer within the time limit", host);
	freeaddrinfo(res);
	return r == DAYTIME_OK ? 0 : -1;
}

/* Monotonic nanoseconds: the deadline must not move with the wall clock. */
static long long
daytime_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		daytime_warnx("clock_gettime: %s", strerror(errno));
		exit(1);
	}
	return (long long)ts.tv_sec * DAYTIME_NSEC + ts.tv_nsec;
}

/* Milliseconds left until deadline for poll(2), rounded up, 0 when past. */
static int
daytime_poll_ms(long long deadline)
{
	long long left = deadline - daytime_now();

	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

#ifdef DAYTIME_HAVE_GAI_A
/*
 * getaddrinfo_a within the deadline: 0 and *res, an EAI_ code, or
 * DAYTIME_GAI_TIMEOUT. The request and its hints live on the heap: a
 * lookup that could not be cancelled goes on in glibc's thread and
 * writes into them when it ends, so they are then left to it (a leak
 * of one request, in a client about to move on or exit) rather than
 * freed or left on a stack frame that is gone. Whatever gai_suspend
 * returns (EAI_AGAIN, EAI_INTR, or EAI_SYSTEM on a timeout in glibc
 * 2.36), gai_error says whether the request is done.
 */
static int
daytime_resolve_a(const char *host, const char *port,
    const struct addrinfo *hints, long long deadline, struct addrinfo **res)
{
	struct daytime_gai {
		struct gaicb	 req;
		struct addrinfo	 hints;
	} *g;
	struct gaicb *list[1];
	struct timespec ts;
	long long left;
	int rv;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return EAI_MEMORY;
	g->hints = *hints;
	g->req.ar_name = host;		/* argv's, or the caller's for good */
	g->req.ar_service = port;
	g->req.ar_request = &g->hints;
	list[0] = &g->req;
	if ((rv = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		free(g);
		return rv;
	}
	while ((rv = gai_error(&g->req)) == EAI_INPROGRESS) {
		left = deadline - daytime_now();
		if (left <= 0) {
			rv = gai_cancel(&g->req);
			if (rv == EAI_CANCELED)
				free(g);
			else if (rv == EAI_ALLDONE) {
				if (gai_error(&g->req) == 0)
					freeaddrinfo(g->req.ar_result);
				free(g);
			}
			/* EAI_NOTCANCELED: the thread still owns g */
			return DAYTIME_GAI_TIMEOUT;
		}
		ts.tv_sec = (time_t)(left / DAYTIME_NSEC);
		ts.tv_nsec = (long)(left % DAYTIME_NSEC);
		(void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	*res = rv == 0 ? g->req.ar_result : NULL;
	free(g);
	return rv;
}
#endif

/* getaddrinfo bounded by the deadline where the C library allows it. */
static int
daytime_resolve(const struct daytime_opts *o, const char *host,
    long long deadline, struct addrinfo **res)
{
	struct addrinfo	hints;
	int		rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = o->udp ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_protocol = o->udp ? IPPROTO_UDP : IPPROTO_TCP;
	/*
	 * No AI_ADDRCONFIG: it ignores loopback, so it would hide ::1 and
	 * localhost on a host without other addresses; an address of a family
	 * the host cannot reach just fails quickly and the next one is tried.
	 * A literal address is tried first, without the resolver.  The port
	 * is always digits: daytime.c has looked service names up already.
	 */
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	rv = getaddrinfo(host, o->port, &hints, res);
	if (rv == EAI_NONAME) {
		hints.ai_flags &= ~AI_NUMERICHOST;
#ifdef DAYTIME_HAVE_GAI_A
		rv = daytime_resolve_a(host, o->port, &hints, deadline, res);
		if (rv == DAYTIME_GAI_TIMEOUT) {
			daytime_warnx("%s: name lookup timed out", host);
			return -1;
		}
#else
		(void)deadline;
		rv = getaddrinfo(host, o->port, &hints, res);
#endif
	}
	if (rv != 0) {
		if (rv == EAI_SYSTEM)
			daytime_warnx("%s: %s", host, strerror(errno));
		else if (rv == EAI_NONAME || rv == EAI_ADDRFAMILY ||
		    rv == EAI_NODATA || rv == EAI_FAMILY)
			daytime_warnx("%s: no %saddress", host,
			    o->family == AF_INET ? "IPv4 " :
			    o->family == AF_INET6 ? "IPv6 " : "");
		else
			daytime_warnx("%s: %s", host, gai_strerror(rv));
		return -1;
	}
	if (*res == NULL) {
		daytime_warnx("%s: no address", host);
		return -1;
	}
	return 0;
}

/* "ADDR:PORT" (IPv6 as [ADDR]:PORT) for diagnostics. */
static void
daytime_addr_name(const struct addrinfo *ai, char *buf, size_t size)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];
	int	n;

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		(void)strlcpy(buf, "?", size);
		return;
	}
	n = snprintf(buf, size, ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, serv);
	if (n < 0 || (size_t)n >= size)
		(void)strlcpy(buf, "?", size);
}

/*
 * One address: slice bounds the connect (TCP) or the wait for a reply
 * (UDP), so a silent address leaves time for the next; once a TCP server
 * has accepted, its reply may use all the time left.
 */
static enum daytime_result
daytime_try(const struct daytime_opts *o, const struct addrinfo *ai,
    long long slice, long long deadline, struct daytime_answer *ans)
{
	char			name[NI_MAXHOST + NI_MAXSERV + 4];
	enum daytime_result	r;
	int			fd, err;
	socklen_t		errlen = sizeof(err);

	daytime_addr_name(ai, name, sizeof(name));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		daytime_warnx("%s: socket: %s", name, strerror(errno));
		return DAYTIME_NEXT;
	}
	/* On UDP, connect() only fixes the peer: replies from others are dropped. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS || o->udp) {
			daytime_warnx("%s: %s", name, strerror(errno));
			(void)close(fd);
			return DAYTIME_NEXT;
		}
		if (daytime_wait(fd, POLLOUT, slice) <= 0) {
			daytime_warnx("%s: connect timed out", name);
			(void)close(fd);
			return DAYTIME_NEXT;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1)
			err = errno;
		if (err != 0) {
			daytime_warnx("%s: %s", name, strerror(err));
			(void)close(fd);
			return DAYTIME_NEXT;
		}
	}
	if (o->udp)
		r = daytime_udp(fd, name, slice, ans);
	else
		r = daytime_tcp(fd, name, deadline, ans);
	(void)close(fd);
	return r;
}

/* poll one descriptor until deadline, through EINTR: 1 ready, 0 timeout, -1 error. */
static int
daytime_wait(int fd, short events, long long deadline)
{
	struct pollfd	pfd;
	int		n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, daytime_poll_ms(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0 && daytime_now() < deadline)
			continue;	/* woke early by rounding: wait out the rest */
		return n;
	}
}

/* Read until EOF, the byte cap or the deadline; any byte is an answer. */
static enum daytime_result
daytime_tcp(int fd, const char *name, long long deadline,
    struct daytime_answer *ans)
{
	ssize_t	n;

	while (ans->len < sizeof(ans->buf)) {
		n = read(fd, ans->buf + ans->len, sizeof(ans->buf) - ans->len);
		if (n > 0) {
			ans->len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = daytime_wait(fd, POLLIN, deadline);

			if (w > 0)
				continue;
			if (ans->len > 0)
				break;	/* the server said something, then stalled */
			daytime_warnx("%s: no answer within the time limit", name);
			return DAYTIME_FINAL;
		}
		if (ans->len > 0)
			break;
		daytime_warnx("%s: %s", name, strerror(errno));
		return DAYTIME_FINAL;
	}
	if (ans->len == 0) {
		daytime_warnx("%s: closed without an answer", name);
		return DAYTIME_FINAL;
	}
	return DAYTIME_OK;
}

/*
 * RFC 867 says any datagram will do and its data is ignored: we send an
 * empty one, which carries nothing a server could misread.  The first
 * non-empty datagram from the connected peer is the answer; the socket's
 * connect() already filters out everyone else.
 */
static enum daytime_result
daytime_udp(int fd, const char *name, long long deadline,
    struct daytime_answer *ans)
{
	ssize_t n;

	while ((n = send(fd, "", 0, 0)) == -1 && errno == EINTR)
		continue;
	if (n == -1) {
		daytime_warnx("%s: send: %s", name, strerror(errno));
		return DAYTIME_NEXT;
	}
	for (;;) {
		n = recv(fd, ans->buf, sizeof(ans->buf), 0);
		if (n > 0) {
			ans->len = (size_t)n;
			return DAYTIME_OK;
		}
		if (n == 0)
			continue;	/* an empty datagram is no answer */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (daytime_wait(fd, POLLIN, deadline) > 0)
				continue;
			daytime_warnx("%s: no answer within the time limit", name);
			return DAYTIME_NEXT;
		}
		/* ECONNREFUSED: an ICMP port unreachable came back. */
		daytime_warnx("%s: %s", name, strerror(errno));
		return DAYTIME_NEXT;
	}
}
