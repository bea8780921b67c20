/* SPDX-License-Identifier: ISC */
/*
 * udp: the judge of a datagram's destination. Sent to a broadcast or a
 * multicast address (or reported by the kernel as such: a subnet's
 * broadcast), it is dropped before its source is even looked at.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/udp.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

/* One destination, whether the kernel said "grouped", and the verdict. */
static const struct {
	const char	*dst;		/* NULL: no packet info */
	int		 grouped;
	int		 dropped;
} dests[] = {
	{ "127.0.0.1", 0, 0 },
	{ "192.0.2.7", 0, 0 },
	{ "223.255.255.255", 0, 0 },
	{ "224.0.0.1", 0, 1 },
	{ "239.1.2.3", 0, 1 },
	{ "239.255.255.255", 0, 1 },
	{ "240.0.0.1", 0, 0 },		/* reserved, not multicast */
	{ "255.255.255.255", 0, 1 },
	{ "127.255.255.255", 1, 1 },	/* lo's broadcast, as the kernel says */
	{ "192.0.2.255", 1, 1 },
	{ "192.0.2.255", 0, 0 },	/* a host's address, for all we know */
	{ "::1", 0, 0 },
	{ "2001:db8::1", 0, 0 },
	{ "ff02::1", 0, 1 },
	{ "ff05::1:3", 0, 1 },
	{ "ff0e::1", 0, 1 },
	{ "fe80::1", 0, 0 },
	{ "::ffff:239.1.2.3", 0, 1 },	/* read as IPv4 */
	{ NULL, 0, 0 },
};

START_TEST(test_destination)
{
	struct sockaddr_storage src, dst;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
	struct acl_decision d;
	struct acl_addr a;
	struct collect c;
	struct config *conf;
	const char *why;
	socklen_t dl = 0;

	conf = parse(&c, LISTEN "allow 0.0.0.0/0\n");
	ck_assert_ptr_nonnull(conf);
	memset(&src, 0, sizeof(src));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(40000);
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", &s4->sin_addr), 1);
	memset(&dst, 0, sizeof(dst));
	if (dests[_i].dst != NULL && strchr(dests[_i].dst, ':') != NULL) {
		struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dst;

		d6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, dests[_i].dst,
		    &d6->sin6_addr), 1);
		dl = sizeof(*d6);
	} else if (dests[_i].dst != NULL) {
		struct sockaddr_in *d4 = (struct sockaddr_in *)&dst;

		d4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, dests[_i].dst,
		    &d4->sin_addr), 1);
		dl = sizeof(*d4);
	}
	why = udp_judge(conf, (struct sockaddr *)&src, sizeof(*s4),
	    dests[_i].dst != NULL ? (struct sockaddr *)&dst : NULL, dl,
	    dests[_i].grouped, &a, &d);
	if (dests[_i].dropped) {
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(why, UDP_DESTINATION);
		ck_assert_int_eq(d.action, ACL_DENY);
	} else {
		ck_assert_msg(why == NULL, "%s: %s", dests[_i].dst, why);
		ck_assert_int_eq(d.action, ACL_ALLOW);
	}
	config_free(conf);
}
END_TEST

START_TEST(test_destination_before_source)
{
	struct sockaddr_in src, dst;
	struct acl_decision d;
	struct acl_addr a;
	struct collect c;
	struct config *conf = parse(&c, LISTEN "allow 0.0.0.0/0\n");

	/* From the echo port to a group: the destination names the drop. */
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_port = htons(7);
	src.sin_addr.s_addr = htonl(0xc0000201);
	dst = src;
	dst.sin_addr.s_addr = htonl(0xef010203);
	ck_assert_str_eq(udp_judge(conf, (struct sockaddr *)&src, sizeof(src),
	    (struct sockaddr *)&dst, sizeof(dst), 0, &a, &d), UDP_DESTINATION);
	ck_assert_str_eq(udp_judge(conf, (struct sockaddr *)&src, sizeof(src),
	    NULL, 0, 0, &a, &d), "udp-source");
	config_free(conf);
}
END_TEST

/*
 * An IPv4-mapped source to a native IPv6 destination was forged on the
 * wire (an IPv6 listener is v6-only): not judged as the IPv4 address it
 * names. To a mapped destination (a dual-stack socket) it is IPv4.
 */
START_TEST(test_mapped_source)
{
	struct sockaddr_in6 src, dst;
	struct acl_decision d;
	struct acl_addr a;
	struct collect c;
	struct config *conf = parse(&c, LISTEN "allow 127.0.0.1\n"
	    "deny ::/0\n");

	memset(&src, 0, sizeof(src));
	src.sin6_family = AF_INET6;
	src.sin6_port = htons(40000);
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1",
	    &src.sin6_addr), 1);
	dst = src;
	dst.sin6_port = htons(13);
	ck_assert_int_eq(inet_pton(AF_INET6, "::1", &dst.sin6_addr), 1);
	ck_assert_str_eq(udp_judge(conf, (struct sockaddr *)&src, sizeof(src),
	    (struct sockaddr *)&dst, sizeof(dst), 0, &a, &d), "udp-source");
	ck_assert_int_eq(d.action, ACL_DENY);
	/* a dual-stack socket's IPv4 datagram */
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1",
	    &dst.sin6_addr), 1);
	ck_assert_ptr_null(udp_judge(conf, (struct sockaddr *)&src,
	    sizeof(src), (struct sockaddr *)&dst, sizeof(dst), 0, &a, &d));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	config_free(conf);
}
END_TEST

/* A line's address: family, port 13, the wildcard. */
static void
pi_line(struct config_listen *cl, int family)
{
	memset(cl, 0, sizeof(*cl));
	cl->proto = SOCK_DGRAM;
	cl->ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&cl->ss)->sin_port = htons(13);
		cl->sslen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&cl->ss)->sin6_port = htons(13);
		cl->sslen = sizeof(struct sockaddr_in6);
	}
}

/* Append an IP_PKTINFO (spec_dst, addr) to msg's control data. */
static void
pi_add4(struct msghdr *m, size_t *used, const char *spec, const char *addr)
{
	struct in_pktinfo pi;
	struct cmsghdr *cm = (struct cmsghdr *)
	    ((unsigned char *)m->msg_control + *used);

	memset(&pi, 0, sizeof(pi));
	pi.ipi_ifindex = 2;
	ck_assert_int_eq(inet_pton(AF_INET, spec, &pi.ipi_spec_dst), 1);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &pi.ipi_addr), 1);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	*used += CMSG_SPACE(sizeof(pi));
	m->msg_controllen = *used;
}

/* Append an IPV6_PKTINFO (addr, ifindex) to msg's control data. */
static void
pi_add6(struct msghdr *m, size_t *used, const char *addr, unsigned ifindex)
{
	struct in6_pktinfo pi;
	struct cmsghdr *cm = (struct cmsghdr *)
	    ((unsigned char *)m->msg_control + *used);

	memset(&pi, 0, sizeof(pi));
	pi.ipi6_ifindex = ifindex;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &pi.ipi6_addr), 1);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	*used += CMSG_SPACE(sizeof(pi));
	m->msg_controllen = *used;
}

/*
 * A dual-stack socket's IPv4 datagram brings both packet infos, in either
 * order: the IPv6 one is its address and its answer's, the IPv4 one only
 * tells a subnet's broadcast apart.
 */
START_TEST(test_pktinfo_dual_stack)
{
	union {
		struct cmsghdr	 align;
		unsigned char	 buf[256];
	} cbuf;
	struct sockaddr_storage local;
	struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&local;
	struct config_listen cl;
	struct in6_pktinfo got;
	struct in6_addr want;
	unsigned char pkt[sizeof(struct in6_pktinfo)];
	struct msghdr m;
	size_t pktlen, used;
	int grouped, order, bcast;

	pi_line(&cl, AF_INET6);
	for (order = 0; order < 2; order++)
		for (bcast = 0; bcast < 2; bcast++) {
			const char *dst = bcast ? "10.20.0.255" : "10.20.0.1";
			char mapped[64];

			snprintf(mapped, sizeof(mapped), "::ffff:%s", dst);
			memset(&m, 0, sizeof(m));
			memset(&cbuf, 0, sizeof(cbuf));
			m.msg_control = cbuf.buf;
			used = 0;
			if (order == 0)
				pi_add6(&m, &used, mapped, 2);
			pi_add4(&m, &used, "10.20.0.1", dst);
			if (order == 1)
				pi_add6(&m, &used, mapped, 2);
			ck_assert_uint_eq(udp_pktinfo(&m, &cl, &local, pkt,
			    &pktlen, &grouped), sizeof(struct sockaddr_in6));
			ck_assert_int_eq(grouped, bcast);
			ck_assert_int_eq(l6->sin6_family, AF_INET6);
			ck_assert_uint_eq(ntohs(l6->sin6_port), 13);
			ck_assert_int_eq(inet_pton(AF_INET6, mapped, &want), 1);
			ck_assert_mem_eq(&l6->sin6_addr, &want, sizeof(want));
			ck_assert_uint_eq(l6->sin6_scope_id, 0);
			ck_assert_uint_eq(pktlen, sizeof(got));
			memcpy(&got, pkt, sizeof(got));
			ck_assert_mem_eq(&got.ipi6_addr, &want, sizeof(want));
		}
}
END_TEST

/* A link-local unicast destination keeps its interface as its zone. */
START_TEST(test_pktinfo_zone)
{
	union {
		struct cmsghdr	 align;
		unsigned char	 buf[128];
	} cbuf;
	static const struct {
		const char	*addr;
		unsigned	 scope;
	} cases[] = {
		{ "fe80::1", 3 },
		{ "ff02::1", 0 },		/* a group's is dropped anyway */
		{ "2001:db8::1", 0 },
		{ "::1", 0 },
	};
	struct sockaddr_storage local;
	struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&local;
	struct config_listen cl;
	unsigned char pkt[sizeof(struct in6_pktinfo)];
	struct msghdr m;
	size_t pktlen, used, i;
	int grouped;

	pi_line(&cl, AF_INET6);
	for (i = 0; i < NFILES(cases); i++) {
		memset(&m, 0, sizeof(m));
		m.msg_control = cbuf.buf;
		used = 0;
		pi_add6(&m, &used, cases[i].addr, 3);
		(void)udp_pktinfo(&m, &cl, &local, pkt, &pktlen, &grouped);
		ck_assert_msg(l6->sin6_scope_id == cases[i].scope, "%s: %u",
		    cases[i].addr, (unsigned)l6->sin6_scope_id);
		ck_assert_int_eq(grouped, 0);
	}
}
END_TEST

/* An AF_INET socket's: the address, and spec_dst telling a broadcast. */
START_TEST(test_pktinfo_ipv4)
{
	union {
		struct cmsghdr	 align;
		unsigned char	 buf[64];
	} cbuf;
	struct sockaddr_storage local;
	struct sockaddr_in *l4 = (struct sockaddr_in *)&local;
	struct config_listen cl;
	struct in_pktinfo got;
	unsigned char pkt[sizeof(struct in6_pktinfo)];
	struct msghdr m;
	size_t pktlen, used = 0;
	int grouped;

	pi_line(&cl, AF_INET);
	memset(&m, 0, sizeof(m));
	m.msg_control = cbuf.buf;
	pi_add4(&m, &used, "10.20.0.1", "10.20.0.255");
	ck_assert_uint_eq(udp_pktinfo(&m, &cl, &local, pkt, &pktlen,
	    &grouped), sizeof(struct sockaddr_in));
	ck_assert_int_eq(grouped, 1);
	ck_assert_uint_eq(ntohl(l4->sin_addr.s_addr), 0x0a1400ff);
	ck_assert_uint_eq(ntohs(l4->sin_port), 13);
	ck_assert_uint_eq(pktlen, sizeof(got));
	memcpy(&got, pkt, sizeof(got));
	ck_assert_uint_eq(got.ipi_spec_dst.s_addr, got.ipi_addr.s_addr);
	ck_assert_int_eq(got.ipi_ifindex, 0);
}
END_TEST

/* The udp suite. */
Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc = tcase_create("destination");

	tcase_add_loop_test(tc, test_destination, 0, (int)NFILES(dests));
	tcase_add_test(tc, test_destination_before_source);
	tcase_add_test(tc, test_mapped_source);
	suite_add_tcase(s, tc);
	tc = tcase_create("pktinfo");
	tcase_add_test(tc, test_pktinfo_dual_stack);
	tcase_add_test(tc, test_pktinfo_zone);
	tcase_add_test(tc, test_pktinfo_ipv4);
	suite_add_tcase(s, tc);
	return s;
}
