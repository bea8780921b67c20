/* SPDX-License-Identifier: ISC */
/*
 * udp: the datagram path. One datagram in, judged by its source alone
 * (udp_judge, pure), admitted by the UDP rate limits, at most one answer
 * out to its source only, and one audit record.
 */
#ifndef DAYTIMED_UDP_H
#define DAYTIMED_UDP_H

#include <sys/socket.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/loop.h"

/*
 * The judgment of a datagram's source: NULL and the rules' decision in
 * *d, or the name of the limit that drops it. Pure; also driven by its
 * fuzz target. udp_datagram judges its batch the same way, the lookups
 * of the whole batch in one acl_lookup_many.
 */
const char *udp_judge(const struct config *, const struct sockaddr *,
	    socklen_t, struct acl_addr *, struct acl_decision *);
#define UDP_BATCH	32	/* datagrams read in one recvmmsg */

/*
 * Serve the datagrams waiting on fd, which listens for line cl, under the
 * loop's current configuration, at most UDP_BATCH of them: how many were
 * read, or -1 when none was waiting (or an ICMP error was queued instead).
 * Fewer than UDP_BATCH: the socket had no more at that moment.
 */
int	udp_datagram(struct loop *, int fd, const struct config_listen *cl);

#endif
