/* SPDX-License-Identifier: ISC */
/*
 * udp: the datagram path. One datagram in, judged by where it was sent
 * and where it came from (udp_judge, pure), admitted by the UDP rate
 * limits, at most one answer out to its source only, and one audit
 * record.
 */
#ifndef DAYTIMED_UDP_H
#define DAYTIMED_UDP_H

#include <sys/socket.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/loop.h"

#define UDP_DESTINATION	"udp-destination"	/* the limit: not to us alone */

/*
 * The judgment of a datagram by where it went and where it came from:
 * NULL and the rules' decision in *d, or the name of the limit that drops
 * it. dst is its destination (the packet's own), grouped says the kernel
 * had it for a broadcast or multicast route (an IPv4 subnet broadcast is
 * known only so). Pure; also driven by its fuzz target. udp_datagram
 * judges its batch the same way, the lookups of the whole batch in one
 * acl_lookup_many.
 */
const char *udp_judge(const struct config *, const struct sockaddr *src,
	    socklen_t, const struct sockaddr *dst, socklen_t, int grouped,
	    struct acl_addr *, struct acl_decision *);
#define UDP_BATCH	32	/* datagrams read in one recvmmsg */

/*
 * A datagram's destination from msg's packet info, received on a socket
 * of line cl: its address into *local (cl's own where the info says
 * nothing; the length is returned), the packet info its answer is sent
 * with into pkt (room for a struct in6_pktinfo; *pktlen 0: none), and
 * *grouped when the kernel had it for a broadcast or multicast route.
 * Pure.
 */
socklen_t udp_pktinfo(struct msghdr *msg, const struct config_listen *cl,
	    struct sockaddr_storage *local, unsigned char *pkt, size_t *pktlen,
	    int *grouped);

/*
 * Serve the datagrams waiting on fd, which listens for line cl, under the
 * loop's current configuration, at most UDP_BATCH of them: how many were
 * read, or -1 when none was waiting (or an ICMP error was queued instead).
 * Fewer than UDP_BATCH: the socket had no more at that moment. copy: fd
 * is one of several sockets each given every broadcast or multicast
 * datagram, and not the one that records them: such datagrams are let go
 * silently.
 */
int	udp_datagram(struct loop *, int fd, const struct config_listen *cl,
	    int copy);

#endif
