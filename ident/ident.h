/* SPDX-License-Identifier: ISC */
/*
 * ident: an asynchronous RFC 1413 client on a libevent loop. One request:
 * a non-blocking socket bound to the connection's local address, a connect
 * to the peer's ident port, the query, a bounded read, one deadline for
 * all of it. The callback runs exactly once unless the request is
 * cancelled first.
 *
 * Outcomes: IDENT_OK (user bytes), IDENT_ERROR (errtype), IDENT_TIMEOUT
 * (the one deadline passed, during connect, query or read), IDENT_REFUSED
 * (ECONNREFUSED), IDENT_UNREACHABLE (any other connect or bind failure,
 * or addresses that cannot be one connection: families that differ, port
 * 0), IDENT_MALFORMED (ident_parse said so, EOF or a reset before the
 * line ended, IDENT_LINE_MAX octets without a LF). The line ends at the
 * first LF: bytes after it are never read. A request costs one struct,
 * one socket and two events; the IDENT_LINE_MAX read buffer is allocated
 * only when the answer starts to arrive.
 */
#ifndef DAYTIMED_IDENT_H
#define DAYTIMED_IDENT_H

#include <sys/socket.h>
#include <sys/time.h>

#include "ident/ident_parse.h"

struct event_base;
struct ident_req;

typedef void ident_cb(const struct ident_answer *, void *arg);

/*
 * Start a lookup for the TCP connection local <- peer. Returns NULL only
 * when no resources could be had (errno set: EMFILE, ENFILE, ENOBUFS,
 * ENOMEM, or EINVAL for a NULL argument); an immediate failure (refused,
 * unreachable) is delivered through the callback from the loop, never
 * from inside ident_start. local and peer are the accepted connection's
 * addresses (getsockname/getpeername), of one family: an IPv4-mapped
 * peer on an AF_INET6 socket comes with a mapped local address, and the
 * query goes over IPv4, from and to the addresses they name. The request is freed before the callback runs;
 * the answer pointer is valid only during the callback, and the request
 * must not be cancelled from it or after it.
 */
struct ident_req *ident_start(struct event_base *,
	    const struct sockaddr *local, socklen_t locallen,
	    const struct sockaddr *peer, socklen_t peerlen,
	    unsigned identport, const struct timeval *timeout,
	    ident_cb *, void *arg);
/* Cancel a request whose callback has not run; frees it. */
void	ident_cancel(struct ident_req *);

/*
 * What one lookup exchanged, for debugging (daytimed -d): the query
 * bytes sent, the answer bytes received (up to the LF, or what came
 * before the lookup ended), and the status. arg is the request's
 * callback arg; the bytes live during the call only, and are untrusted.
 */
typedef void ident_trace_fn(void *arg, const char *sent, size_t sentlen,
    const unsigned char *got, size_t gotlen, enum ident_status);
/*
 * Call trace just before each callback from now on (NULL: stop). Set it
 * while the program has one thread: with none set, a lookup pays one
 * predictable branch.
 */
void	ident_set_trace(ident_trace_fn *trace);

#endif
