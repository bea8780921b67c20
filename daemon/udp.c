/* SPDX-License-Identifier: ISC */
/*
 * udp: datagrams from recvmmsg to their records. Each is judged by where
 * it was sent and where it came from (udp_judge: pure), the UDP rate
 * limits admit its source, the rules decide, and the answer goes back
 * from the address it came to, to its source only. The payload is never
 * read (one byte at most, discarded).
 *
 * A batch costs two system calls however many datagrams were waiting:
 * one recvmmsg, one sendmmsg for the answers (then the records, which
 * the log batches), and one acl_lookup_many for the sources. Every
 * datagram is still judged, admitted, answered and recorded on its own,
 * in the order it arrived.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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

/* Room for both families' packet info (a dual-stack socket's). */
union udp_cmsg {
	struct cmsghdr	align;
	unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			    CMSG_SPACE(sizeof(struct in_pktinfo))];
};

/* One datagram of a batch, from recvmmsg to its record. */
struct udp_slot {
	struct sockaddr_storage	 ss, local;
	unsigned char		 pkt[sizeof(struct in6_pktinfo)];
	size_t			 pktlen;
	struct iovec		 iov, oiov;
	char			 b[1];
	struct acl_addr		 addr;
	struct acl_decision	 d;
	struct audit_conn	 r;
	size_t			 out;	/* its answer in the batch, or SIZE_MAX */
	struct acl_prefix	 src;	/* the source the limits charge */
	char			 source[ACL_PREFIX_STRLEN];
	int			 grouped;	/* sent to a group (pktinfo) */
	int			 copy;	/* another socket's to record */
	union udp_cmsg		 cbuf;	/* its packet info in, then out (last:
					   clang sees CMSG_SPACE as variable) */
};

static const char *udp_source(const struct config *,
		    const struct sockaddr *, socklen_t, const struct sockaddr *,
		    socklen_t, struct acl_addr *);
static void	udp_judge_batch(const struct config *, struct udp_slot *,
		    size_t);
static void	udp_answer(struct msghdr *, struct iovec *, union udp_cmsg *,
		    int, const unsigned char *, size_t, char *, size_t);
static void	udp_send(int, struct mmsghdr *, size_t, size_t *);

/*
 * A datagram sent to a broadcast or multicast address was sent to many:
 * an answer would make this host one of many reflectors, and every
 * socket bound to the port gets its own copy of it.
 */
static int
udp_grouped(const struct sockaddr *dst, socklen_t dstlen, int grouped)
{
	struct acl_addr a;

	if (grouped)
		return 1;
	if (dst == NULL || acl_addr_from_sockaddr(dst, dstlen, &a) == -1)
		return 0;
	if (a.family == AF_INET)
		return (a.bytes[0] & 0xf0) == 0xe0 || (a.bytes[0] == 255 &&
		    a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255);
	return a.bytes[0] == 0xff;
}

/*
 * Datagrams that cannot be honest requests, or whose answer could start a
 * loop between services (OpenBSD inetd's dg_badinput), get no reply: the
 * limit's name. Otherwise NULL, and *a is the source for the rules. dst
 * is the datagram's destination (udp_pktinfo; NULL: not known).
 */
static const char *
udp_source(const struct config *conf, const struct sockaddr *sa,
    socklen_t salen, const struct sockaddr *dst, socklen_t dstlen,
    struct acl_addr *a)
{
	const struct sockaddr_in6 *d6 = (const void *)dst;
	unsigned port;

	if (acl_addr_from_sockaddr(sa, salen, a) == -1)
		return "udp-source";
	/*
	 * An IPv4-mapped source is an IPv4 datagram only on a dual-stack
	 * socket, where its destination is mapped too. To a native IPv6
	 * destination (every IPv6 listen line is v6-only) it was forged on
	 * the wire: the kernel refuses such sources for TCP, not for UDP,
	 * and judged as the IPv4 address it names it would pass the IPv6
	 * rules and be recorded as a peer that never sent it.
	 */
	if (sa->sa_family == AF_INET6 && a->family == AF_INET && dst != NULL &&
	    dst->sa_family == AF_INET6 && dstlen >= sizeof(*d6) &&
	    !IN6_IS_ADDR_V4MAPPED(&d6->sin6_addr) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&d6->sin6_addr))
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
	return NULL;
}

/*
 * One datagram's source: udp_source's verdict, then what the rules
 * decide. udp_datagram does the same for a batch, its lookups in one
 * acl_lookup_many.
 */
const char *
udp_judge(const struct config *conf, const struct sockaddr *sa,
    socklen_t salen, const struct sockaddr *dst, socklen_t dstlen,
    int grouped, struct acl_addr *a, struct acl_decision *d)
{
	const char *limit;

	memset(d, 0, sizeof(*d));
	d->action = ACL_DENY;
	if (udp_grouped(dst, dstlen, grouped)) {
		memset(a, 0, sizeof(*a));
		(void)acl_addr_from_sockaddr(sa, salen, a);
		return UDP_DESTINATION;
	}
	if ((limit = udp_source(conf, sa, salen, dst, dstlen, a)) != NULL)
		return limit;
	acl_decide(acl_lookup(conf->acl, a), NULL, 0, d);
	return NULL;
}

/*
 * Judge the n datagrams of a batch as udp_judge would, one by one, but
 * look the sources that pass udp_source up in one acl_lookup_many: at
 * blocklist scale their cache misses overlap.
 */
static void
udp_judge_batch(const struct config *conf, struct udp_slot *slots, size_t n)
{
	const struct acl_block *blk[UDP_BATCH];
	struct acl_addr peers[UDP_BATCH];
	size_t at[UDP_BATCH], i, k = 0;
	struct udp_slot *s;

	for (i = 0; i < n; i++) {
		s = &slots[i];
		memset(&s->d, 0, sizeof(s->d));
		s->d.action = ACL_DENY;
		if (udp_grouped(s->r.local, s->r.locallen, s->grouped)) {
			memset(&s->addr, 0, sizeof(s->addr));
			(void)acl_addr_from_sockaddr((struct sockaddr *)&s->ss,
			    s->r.peerlen, &s->addr);
			s->r.limit = UDP_DESTINATION;
			continue;
		}
		s->r.limit = udp_source(conf, (struct sockaddr *)&s->ss,
		    s->r.peerlen, s->r.local, s->r.locallen, &s->addr);
		if (s->r.limit == NULL) {
			peers[k] = s->addr;
			at[k++] = i;
		}
	}
	acl_lookup_many(conf->acl, peers, k, blk);
	for (i = 0; i < k; i++)
		acl_decide(blk[i], NULL, 0, &slots[at[i]].d);
}

/*
 * Read the local address of a datagram (its destination) from its packet
 * info. An IPv4 datagram whose destination is not the address the kernel
 * would answer from (ipi_spec_dst) was not sent to one of our addresses
 * but to a broadcast (a subnet's included) or multicast one: *grouped.
 * On a dual-stack AF_INET6 socket an IPv4 datagram brings both kinds:
 * the IPv6 one gives the (mapped) address and the answer's, the IPv4 one
 * only *grouped. A link-local unicast destination keeps its interface
 * as its zone, as a TCP connection's getsockname gives it.
 */
socklen_t
udp_pktinfo(struct msghdr *msg, const struct config_listen *cl,
    struct sockaddr_storage *local, unsigned char *pkt, size_t *pktlen,
    int *grouped)
{
	struct cmsghdr *cm;

	memcpy(local, &cl->ss, cl->sslen);
	*pktlen = 0;
	*grouped = 0;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			/*
			 * A datagram queued before IP_PKTINFO was set (inetd
			 * mode's first) has no ipi_spec_dst: its address is
			 * then judged alone (udp_grouped).
			 */
			*grouped = pi.ipi_spec_dst.s_addr != INADDR_ANY &&
			    pi.ipi_spec_dst.s_addr != pi.ipi_addr.s_addr;
			if (local->ss_family != AF_INET)
				continue;	/* dual-stack: IPv6's answers */
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *sin6;

			if (local->ss_family != AF_INET6)
				continue;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			sin6 = (struct sockaddr_in6 *)local;
			sin6->sin6_addr = pi.ipi6_addr;
			sin6->sin6_scope_id =
			    IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ?
			    pi.ipi6_ifindex : 0;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		}
	}
	return cl->sslen;
}

/*
 * Make msg the answer (line, len bytes) to the source it came from, sent
 * from the address it came to (pkt: its packet info, for family).
 */
static void
udp_answer(struct msghdr *msg, struct iovec *iov, union udp_cmsg *cbuf,
    int family, const unsigned char *pkt, size_t pktlen, char *line,
    size_t len)
{
	iov->iov_base = line;
	iov->iov_len = len;
	msg->msg_iov = iov;
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
}

/*
 * Send the batch's answers in as few sendmmsg calls as the socket allows.
 * A message the socket refuses is not retried (its bytes stay 0), as a
 * single sendmsg would not be; the ones after it still go.
 */
static void
udp_send(int fd, struct mmsghdr *out, size_t n, size_t *bytes)
{
	size_t i = 0, k;
	int r;

	while (i < n) {
		r = sendmmsg(fd, out + i, (unsigned)(n - i),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			bytes[i++] = 0;		/* this one failed */
			continue;
		}
		for (k = 0; k < (size_t)r; k++)
			bytes[i + k] = out[i + k].msg_len;
		i += (size_t)r;
	}
}

/*
 * One batch: every datagram waiting (at most UDP_BATCH) in one recvmmsg,
 * each judged and admitted in arrival order, the answers in one sendmmsg,
 * then one record each, in arrival order. A copy of a broadcast that
 * another socket records is let go without a count or a record.
 */
int
udp_datagram(struct loop *lp, int fd, const struct config_listen *cl,
    int copy)
{
	const struct config *conf = lp->conf;
	struct udp_slot slots[UDP_BATCH], *s;
	struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
	size_t bytes[UDP_BATCH], nout = 0, i, linelen;
	char line[ANSWER_MAX];
	uint64_t now;
	enum limits_status st;
	int n;

	memset(in, 0, sizeof(in));
	for (i = 0; i < UDP_BATCH; i++) {
		s = &slots[i];
		s->iov.iov_base = s->b;
		s->iov.iov_len = sizeof(s->b);	/* the content does not matter */
		in[i].msg_hdr.msg_name = &s->ss;
		in[i].msg_hdr.msg_namelen = sizeof(s->ss);
		in[i].msg_hdr.msg_iov = &s->iov;
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_control = s->cbuf.buf;
		in[i].msg_hdr.msg_controllen = sizeof(s->cbuf.buf);
	}
	do
		n = recvmmsg(fd, in, UDP_BATCH, MSG_DONTWAIT, NULL);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -1;	/* EAGAIN, or an ICMP error queued */
	now = loop_now_us();
	linelen = loop_answer(lp, line, sizeof(line));
	for (i = 0; i < (size_t)n; i++) {
		struct msghdr *m = &in[i].msg_hdr;

		s = &slots[i];
		memset(&s->r, 0, sizeof(s->r));
		s->out = SIZE_MAX;
		s->r.proto = IPPROTO_UDP;
		s->r.peer = (struct sockaddr *)&s->ss;
		s->r.peerlen = m->msg_namelen;
		s->r.local = (struct sockaddr *)&s->local;
		s->r.locallen = udp_pktinfo(m, cl, &s->local, s->pkt,
		    &s->pktlen, &s->grouped);
		s->r.ident_status = IDENT_SKIPPED;
	}
	udp_judge_batch(conf, slots, (size_t)n);
	for (i = 0; i < (size_t)n; i++) {
		struct msghdr *m = &in[i].msg_hdr;

		s = &slots[i];
		/* Every worker's socket has a copy: one speaks for them all. */
		s->copy = copy && s->r.limit != NULL &&
		    strcmp(s->r.limit, UDP_DESTINATION) == 0;
		if (s->copy)
			continue;
		LOOP_CNT_INC(lp, udp);
		s->r.conn = loop_id(lp);
		/* udp-rate and udp-total count answers: a denial is none */
		if (s->r.limit == NULL && s->d.action == ACL_ALLOW &&
		    (conf->limit_udp_rate != 0 || conf->limit_udp_total != 0)) {
			limits_source(&s->addr, conf->source_prefix, &s->src);
			st = limits_udp_admit(lp->limits, &s->src.addr,
			    conf->limit_udp_rate, conf->limit_udp_total,
			    loop_now_us());
			s->r.limit = limits_name(st);
			if (st == LIMITS_UDP_RATE && acl_prefix_format(&s->src,
			    s->source, sizeof(s->source)) == 0)
				s->r.source = s->source;
		}
		if (s->r.limit != NULL) {
			LOOP_CNT_INC(lp, dropped);
			s->r.decision = "drop";
		} else if (s->d.action != ACL_ALLOW) {
			LOOP_CNT_INC(lp, denied);
			s->r.decision = "deny";
		} else {
			LOOP_CNT_INC(lp, allowed);
			s->r.decision = "allow";
			memset(&out[nout], 0, sizeof(out[nout]));
			out[nout].msg_hdr.msg_name = &s->ss;
			out[nout].msg_hdr.msg_namelen = m->msg_namelen;
			udp_answer(&out[nout].msg_hdr, &s->oiov, &s->cbuf,
			    s->ss.ss_family, s->pkt, s->pktlen, line, linelen);
			s->out = nout++;
		}
	}
	if (nout > 0)
		udp_send(fd, out, nout, bytes);
	for (i = 0; i < (size_t)n; i++) {
		s = &slots[i];
		if (s->copy)
			continue;
		if (s->out != SIZE_MAX)
			s->r.bytes = bytes[s->out];
		loop_record(lp, &s->r, s->r.limit != NULL ? NULL : &s->d, now);
	}
	return n;
}
