/* SPDX-License-Identifier: ISC */
/*
 * ident: the RFC 1413 client. One request is one small struct, one
 * socket, two libevent events (the socket and the deadline) and, once the
 * answer starts to arrive, one IDENT_LINE_MAX read buffer. The deadline
 * timer is added once, at the start, and never re-armed: it bounds the
 * connect, the query and the read together, however slowly a peer
 * dribbles.
 *
 * The socket is closed with a reset (SO_LINGER 0), answered or not: the
 * exchange is over either way, and an orderly close would leave a
 * TIME_WAIT socket on this host for every lookup, each holding a local
 * port toward the client's port 113 for a minute, so that a client asking
 * for lookups fast enough would exhaust them.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ident/ident.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24
#endif

#define IDENT_QUERY_MAX		sizeof("65535 , 65535\r\n")

enum ident_phase {
	IDENT_CONNECTING,
	IDENT_SENDING,
	IDENT_READING
};

struct ident_req {
	struct event_base	*base;
	struct event		*io;
	struct event		*timer;
	ident_cb		*cb;
	void			*arg;
	unsigned char		*buf;		/* IDENT_LINE_MAX, once reading */
	size_t			 buflen;
	int			 fd;
	enum ident_phase	 phase;
	enum ident_status	 failed;	/* set: deliver this, not timeout */
	int			 hasfailed;
	unsigned		 peerport;
	unsigned		 localport;
	unsigned char		 querylen;
	unsigned char		 querysent;
	char			 query[IDENT_QUERY_MAX];
};

static int	ident_sockaddr_port(const struct sockaddr *, socklen_t,
		    unsigned *);
static int	ident_unmap(const struct sockaddr *, socklen_t,
		    struct sockaddr_in *);
static void	ident_connect(struct ident_req *, const struct sockaddr *,
		    socklen_t, const struct sockaddr *, socklen_t, unsigned);
static void	ident_fail_soon(struct ident_req *, enum ident_status);
static enum ident_status ident_connect_status(int);
static void	ident_io_cb(evutil_socket_t, short, void *);
static void	ident_timer_cb(evutil_socket_t, short, void *);
static void	ident_on_connected(struct ident_req *);
static void	ident_send(struct ident_req *);
static void	ident_read(struct ident_req *);
static int	ident_watch(struct ident_req *, short);
static void	ident_finish(struct ident_req *, const unsigned char *, size_t);
static void	ident_deliver(struct ident_req *, enum ident_status);
static void	ident_free(struct ident_req *);

static ident_trace_fn	*ident_trace;	/* debugging: see ident_set_trace */

/* Watch every exchange from now on (NULL: stop). */
void
ident_set_trace(ident_trace_fn *trace)
{
	ident_trace = trace;
}

/* Start a lookup for the TCP connection local <- peer. */
struct ident_req *
ident_start(struct event_base *base,
    const struct sockaddr *local, socklen_t locallen,
    const struct sockaddr *peer, socklen_t peerlen,
    unsigned identport, const struct timeval *timeout,
    ident_cb *cb, void *arg)
{
	struct sockaddr_in local4, peer4;
	struct ident_req *req;
	int n;

	if (base == NULL || local == NULL || peer == NULL ||
	    timeout == NULL || cb == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return NULL;
	req->base = base;
	req->cb = cb;
	req->arg = arg;
	req->fd = -1;
	req->phase = IDENT_CONNECTING;
	if ((req->timer = evtimer_new(base, ident_timer_cb, req)) == NULL) {
		ident_free(req);
		return NULL;
	}

	if (ident_sockaddr_port(peer, peerlen, &req->peerport) == -1 ||
	    ident_sockaddr_port(local, locallen, &req->localport) == -1 ||
	    local->sa_family != peer->sa_family ||
	    identport == 0 || identport > 65535) {
		ident_fail_soon(req, IDENT_UNREACHABLE);
		return req;
	}
	n = snprintf(req->query, sizeof(req->query), "%u , %u\r\n",
	    req->peerport, req->localport);
	if (n < 0 || (size_t)n >= sizeof(req->query)) {
		ident_fail_soon(req, IDENT_UNREACHABLE);
		return req;
	}
	req->querylen = (unsigned char)n;

	/*
	 * An IPv4 client on a dual-stack socket: ask over IPv4. An AF_INET6
	 * socket would be v6-only where net.ipv6.bindv6only says so, and
	 * could not bind the mapped local address.
	 */
	if (ident_unmap(local, locallen, &local4) == 0 &&
	    ident_unmap(peer, peerlen, &peer4) == 0) {
		local = (struct sockaddr *)&local4;
		locallen = sizeof(local4);
		peer = (struct sockaddr *)&peer4;
		peerlen = sizeof(peer4);
	}

	req->fd = socket(peer->sa_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (req->fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			n = errno;
			ident_free(req);
			errno = n;
			return NULL;
		}
		ident_fail_soon(req, IDENT_UNREACHABLE);
		return req;
	}
	if ((req->io = event_new(base, req->fd, EV_WRITE | EV_PERSIST,
	    ident_io_cb, req)) == NULL) {
		ident_free(req);
		errno = ENOMEM;
		return NULL;
	}
	if (evtimer_add(req->timer, timeout) == -1) {
		ident_free(req);
		errno = ENOMEM;
		return NULL;
	}
	ident_connect(req, local, locallen, peer, peerlen, identport);
	return req;
}

/* Cancel a request whose callback has not run; frees it. */
void
ident_cancel(struct ident_req *req)
{
	if (req != NULL)
		ident_free(req);
}

/* The port of an AF_INET or AF_INET6 address, 1..65535. */
static int
ident_sockaddr_port(const struct sockaddr *sa, socklen_t len, unsigned *port)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (sa->sa_family) {
	case AF_INET:
		if (len < (socklen_t)sizeof(*sin))
			return -1;
		sin = (const struct sockaddr_in *)sa;
		*port = ntohs(sin->sin_port);
		break;
	case AF_INET6:
		if (len < (socklen_t)sizeof(*sin6))
			return -1;
		sin6 = (const struct sockaddr_in6 *)sa;
		*port = ntohs(sin6->sin6_port);
		break;
	default:
		return -1;
	}
	return *port == 0 ? -1 : 0;
}

/* An IPv4-mapped AF_INET6 address as the AF_INET one it names; else -1. */
static int
ident_unmap(const struct sockaddr *sa, socklen_t len, struct sockaddr_in *sin)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family != AF_INET6 || len < (socklen_t)sizeof(*sin6) ||
	    !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = sin6->sin6_port;
	memcpy(&sin->sin_addr, &sin6->sin6_addr.s6_addr[12],
	    sizeof(sin->sin_addr));
	return 0;
}

/*
 * Bind to the connection's own local address (so the peer sees the query
 * come from the address it talked to) with IP_BIND_ADDRESS_NO_PORT, so
 * that the port is chosen at connect time, by the full 4-tuple: binding
 * port 0 without it reserves a port per lookup and piles up TIME_WAIT.
 */
static void
ident_connect(struct ident_req *req, const struct sockaddr *local,
    socklen_t locallen, const struct sockaddr *peer, socklen_t peerlen,
    unsigned identport)
{
	struct sockaddr_storage ss;
	ssize_t n;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (local->sa_family == AF_INET) {
		memcpy(&ss, local, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&ss)->sin_port = 0;
		locallen = sizeof(struct sockaddr_in);
	} else {
		memcpy(&ss, local, sizeof(struct sockaddr_in6));
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
		locallen = sizeof(struct sockaddr_in6);
	}
	/* Best effort: an old kernel without it still works, less well. */
	(void)setsockopt(req->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
	    &one, sizeof(one));
	if (bind(req->fd, (struct sockaddr *)&ss, locallen) == -1) {
		ident_fail_soon(req, IDENT_UNREACHABLE);
		return;
	}

	memset(&ss, 0, sizeof(ss));
	if (peer->sa_family == AF_INET) {
		memcpy(&ss, peer, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&ss)->sin_port = htons(identport);
		peerlen = sizeof(struct sockaddr_in);
	} else {
		memcpy(&ss, peer, sizeof(struct sockaddr_in6));
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(identport);
		peerlen = sizeof(struct sockaddr_in6);
	}
	if (connect(req->fd, (struct sockaddr *)&ss, peerlen) == -1 &&
	    errno != EINPROGRESS) {
		ident_fail_soon(req, ident_connect_status(errno));
		return;
	}
	/*
	 * Try the query at once: with a peer on this host the handshake has
	 * usually finished inside connect(), and a trip through the loop (two
	 * epoll_ctl, a wakeup, the SO_ERROR check) is saved. Otherwise send
	 * says EAGAIN and writable tells the rest, from the loop. Nothing is
	 * delivered from here: a failure goes through ident_fail_soon.
	 */
	do
		n = send(req->fd, req->query, req->querylen, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
		ident_fail_soon(req, ident_connect_status(errno));
		return;
	}
	if (n > 0) {
		req->querysent = (unsigned char)n;
		req->phase = req->querysent < req->querylen ?
		    IDENT_SENDING : IDENT_READING;
	}
	if ((req->phase == IDENT_READING ? ident_watch(req, EV_READ) :
	    event_add(req->io, NULL)) == -1)
		ident_fail_soon(req, IDENT_UNREACHABLE);
}

/*
 * Deliver a failure found inside ident_start from the loop: the timer is
 * made active now, and its callback reports the failure, not a timeout.
 */
static void
ident_fail_soon(struct ident_req *req, enum ident_status st)
{
	req->failed = st;
	req->hasfailed = 1;
	if (req->io != NULL)
		event_del(req->io);
	event_active(req->timer, EV_TIMEOUT, 0);
}

/* The status for a failed connect's errno. */
static enum ident_status
ident_connect_status(int err)
{
	return err == ECONNREFUSED ? IDENT_REFUSED : IDENT_UNREACHABLE;
}

/* The socket is ready for what the current phase waits for. */
static void
ident_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ident_req *req = arg;

	(void)fd;
	(void)what;
	switch (req->phase) {
	case IDENT_CONNECTING:
		ident_on_connected(req);
		break;
	case IDENT_SENDING:
		ident_send(req);
		break;
	case IDENT_READING:
		ident_read(req);
		break;
	}
}

/* The one deadline, or a failure queued by ident_start. */
static void
ident_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ident_req *req = arg;

	(void)fd;
	(void)what;
	ident_deliver(req, req->hasfailed ? req->failed : IDENT_TIMEOUT);
}

/* The non-blocking connect finished: learn how, then send the query. */
static void
ident_on_connected(struct ident_req *req)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(req->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		ident_deliver(req, ident_connect_status(err));
		return;
	}
	req->phase = IDENT_SENDING;
	ident_send(req);
}

/* Send what is left of the query; partial writes wait for writable. */
static void
ident_send(struct ident_req *req)
{
	ssize_t n;

	while (req->querysent < req->querylen) {
		n = send(req->fd, req->query + req->querysent,
		    req->querylen - req->querysent, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;	/* io persists: wait for writable */
			/* Connected, then reset: no valid answer. */
			ident_deliver(req, errno == ECONNREFUSED ?
			    IDENT_REFUSED : IDENT_MALFORMED);
			return;
		}
		req->querysent += (unsigned char)n;
	}
	req->phase = IDENT_READING;
	if (ident_watch(req, EV_READ) == -1)
		ident_deliver(req, IDENT_UNREACHABLE);
}

/*
 * Read until the first LF or IDENT_LINE_MAX octets. The line ends at the
 * first LF: what a peer sends after it is never read, so the answer does
 * not depend on how the bytes were split into segments. ident_parse
 * insists that the LF is preceded by CR.
 */
static void
ident_read(struct ident_req *req)
{
	unsigned char *lf;
	ssize_t n;

	if (req->buf == NULL &&
	    (req->buf = malloc(IDENT_LINE_MAX)) == NULL) {
		ident_deliver(req, IDENT_MALFORMED);
		return;
	}
	for (;;) {
		n = recv(req->fd, req->buf + req->buflen,
		    IDENT_LINE_MAX - req->buflen, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			ident_deliver(req, IDENT_MALFORMED);
			return;
		}
		if (n == 0) {
			/* EOF before the line ended. */
			ident_deliver(req, IDENT_MALFORMED);
			return;
		}
		lf = memchr(req->buf + req->buflen, '\n', (size_t)n);
		req->buflen += (size_t)n;
		if (lf != NULL) {
			ident_finish(req, req->buf, (size_t)(lf - req->buf) + 1);
			return;
		}
		if (req->buflen >= IDENT_LINE_MAX) {
			ident_deliver(req, IDENT_MALFORMED);
			return;
		}
	}
}

/* Watch the socket for one kind of readiness, until the request ends. */
static int
ident_watch(struct ident_req *req, short what)
{
	event_del(req->io);
	if (event_assign(req->io, req->base, req->fd, what | EV_PERSIST,
	    ident_io_cb, req) == -1)
		return -1;
	return event_add(req->io, NULL);
}

/* A whole line arrived: parse it and deliver the answer. */
static void
ident_finish(struct ident_req *req, const unsigned char *line, size_t len)
{
	struct ident_answer ans;
	ident_cb *cb = req->cb;
	void *arg = req->arg;

	(void)ident_parse(line, len, req->peerport, req->localport, &ans);
	if (__builtin_expect(ident_trace != NULL, 0))
		ident_trace(arg, req->query, req->querysent, line, len,
		    ans.status);
	ident_free(req);
	cb(&ans, arg);
}

/*
 * Deliver a status without a user. The request is freed before the
 * callback runs: whatever the callback does, it cannot touch it again.
 */
static void
ident_deliver(struct ident_req *req, enum ident_status st)
{
	struct ident_answer ans;
	ident_cb *cb = req->cb;
	void *arg = req->arg;

	memset(&ans, 0, sizeof(ans));
	ans.status = st;
	if (__builtin_expect(ident_trace != NULL, 0))
		ident_trace(arg, req->query, req->querysent, req->buf,
		    req->buflen, st);
	ident_free(req);
	cb(&ans, arg);
}

/* Release the socket, the events and the buffer. */
static void
ident_free(struct ident_req *req)
{
	if (req->io != NULL)
		event_free(req->io);
	if (req->timer != NULL)
		event_free(req->timer);
	if (req->fd != -1) {
		struct linger lg = { 1, 0 };

		(void)setsockopt(req->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
		close(req->fd);
	}
	free(req->buf);
	free(req);
}
