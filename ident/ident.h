/* SPDX-License-Identifier: ISC */
/*
 * ident: an asynchronous RFC 1413 client on a libevent loop. One request:
 * a non-blocking socket bound to the connection's local address, a connect
 * to the peer's ident port, the query, a bounded read, one deadline for
 * all of it. The callback runs exactly once unless the request is
 * cancelled first.
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
 * when no resources could be had; an immediate failure (refused,
 * unreachable) is delivered through the callback from the loop, never
 * from inside ident_start.
 */
struct ident_req *ident_start(struct event_base *,
	    const struct sockaddr *local, socklen_t locallen,
	    const struct sockaddr *peer, socklen_t peerlen,
	    unsigned identport, const struct timeval *timeout,
	    ident_cb *, void *arg);
/* Cancel a request whose callback has not run; frees it. */
void	ident_cancel(struct ident_req *);

#endif
