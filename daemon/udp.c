/* SPDX-License-Identifier: ISC */
/*
 * udp: one datagram from recvmsg to its record. The source is judged
 * (udp_judge: pure), the UDP rate limits admit it, the rules decide, and
 * the answer goes back from the address it came to, to its source only.
 * The payload is never read (one byte at most, discarded).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "daemon/answer.h"
#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/limits.h"
#include "daemon/loop.h"
#include "daemon/udp.h"

/* Room for either family's packet info. */
union udp_cmsg {
	struct cmsghdr	align;
	unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

static socklen_t udp_pktinfo(struct msghdr *, const struct config_listen *,
		    struct sockaddr_storage *, unsigned char *, size_t *);
static ssize_t	udp_answer(struct loop *, int, struct msghdr *,
		    union udp_cmsg *, int, const unsigned char *, size_t);

/*
 * Datagrams that cannot be honest requests, or whose answer could start a
 * loop between services (OpenBSD inetd's dg_badinput), get no reply: the
 * limit's name. Otherwise NULL, and *d says what the rules decide.
 */
const char *
udp_judge(const struct config *conf, const struct sockaddr *sa,
    socklen_t salen, struct acl_addr *a, struct acl_decision *d)
{
	unsigned port;

	memset(d, 0, sizeof(*d));
	d->action = ACL_DENY;
	if (acl_addr_from_sockaddr(sa, salen, a) == -1)
		return "udp-source";
	port = ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)(const void *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	if (port == 0 || port == 7 || port == 13 || port == 19 || port == 37)
		return "udp-source";
	if (port < 1024 && !conf->udp_privileged_ports)
		return "udp-source";
	if (a->family == AF_INET) {
		if (a->bytes[0] == 0 || a->bytes[0] >= 224 ||
		    (a->bytes[0] == 255 && a->bytes[1] == 255 &&
		    a->bytes[2] == 255 && a->bytes[3] == 255))
			return "udp-source";
	} else {
		static const uint8_t zero[16];

		if (a->bytes[0] == 0xff || memcmp(a->bytes, zero, 16) == 0)
			return "udp-source";
	}
	acl_decide(acl_lookup(conf->acl, a), NULL, 0, d);
	return NULL;
}

/* Read the local address of a datagram from its packet info. */
static socklen_t
udp_pktinfo(struct msghdr *msg, const struct config_listen *cl,
    struct sockaddr_storage *local, unsigned char *pkt, size_t *pktlen)
{
	struct cmsghdr *cm;

	memcpy(local, &cl->ss, cl->sslen);
	*pktlen = 0;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in6 *)local)->sin6_addr = pi.ipi6_addr;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		}
	}
	return cl->sslen;
}

/*
 * Send the answer line to the source msg came from, from the address it
 * came to (pkt: its packet info, for family). The bytes sent, or -1.
 */
static ssize_t
udp_answer(struct loop *lp, int fd, struct msghdr *msg, union udp_cmsg *cbuf,
    int family, const unsigned char *pkt, size_t pktlen)
{
	char line[ANSWER_MAX];
	struct iovec iov;

	iov.iov_base = line;
	iov.iov_len = loop_answer(lp, line, sizeof(line));
	msg->msg_iov = &iov;
	msg->msg_iovlen = 1;
	msg->msg_flags = 0;
	if (pktlen > 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(*cbuf));
		msg->msg_control = cbuf->buf;
		msg->msg_controllen = CMSG_SPACE(pktlen);
		cm = CMSG_FIRSTHDR(msg);
		cm->cmsg_level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		cm->cmsg_type = family == AF_INET ? IP_PKTINFO : IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(pktlen);
		memcpy(CMSG_DATA(cm), pkt, pktlen);
	} else {
		msg->msg_control = NULL;
		msg->msg_controllen = 0;
	}
	return sendmsg(fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int
udp_datagram(struct loop *lp, int fd, const struct config_listen *cl)
{
	const struct config *conf = lp->conf;
	unsigned char pkt[sizeof(struct in6_pktinfo)];
	struct sockaddr_storage ss, local;
	struct acl_decision d;
	struct acl_addr addr;
	struct audit_conn r;
	union udp_cmsg cbuf;
	struct msghdr msg;
	struct iovec iov;
	char b[1];
	size_t pktlen;
	uint64_t now;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = b;
	iov.iov_len = sizeof(b);	/* the content does not matter */
	msg.msg_name = &ss;
	msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	if (recvmsg(fd, &msg, 0) == -1)
		return -1;	/* EAGAIN, or an ICMP error queued */
	LOOP_CNT_INC(lp, udp);
	now = loop_now_us();
	memset(&r, 0, sizeof(r));
	r.conn = loop_id(lp);
	r.proto = IPPROTO_UDP;
	r.peer = (struct sockaddr *)&ss;
	r.peerlen = msg.msg_namelen;
	r.local = (struct sockaddr *)&local;
	r.locallen = udp_pktinfo(&msg, cl, &local, pkt, &pktlen);
	r.ident_status = IDENT_SKIPPED;
	r.limit = udp_judge(conf, (struct sockaddr *)&ss, msg.msg_namelen,
	    &addr, &d);
	if (r.limit == NULL && (conf->limit_udp_rate != 0 ||
	    conf->limit_udp_total != 0))
		r.limit = limits_name(limits_udp_admit(lp->limits, &addr,
		    conf->limit_udp_rate, conf->limit_udp_total, now));
	if (r.limit != NULL) {
		LOOP_CNT_INC(lp, dropped);
		r.decision = "drop";
		loop_record(lp, &r, NULL, now);
		return 0;
	}
	if (d.action != ACL_ALLOW) {
		LOOP_CNT_INC(lp, denied);
		r.decision = "deny";
		loop_record(lp, &r, &d, now);
		return 0;
	}
	LOOP_CNT_INC(lp, allowed);
	n = udp_answer(lp, fd, &msg, &cbuf, ss.ss_family, pkt, pktlen);
	r.decision = "allow";
	r.bytes = n > 0 ? (size_t)n : 0;
	loop_record(lp, &r, &d, now);
	return 0;
}
