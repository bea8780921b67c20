/* SPDX-License-Identifier: ISC */
/*
 * record_bench: the audit record of one TCP connection, formatted N times
 * as the engine formats it (audit_conn_format: the record's text and the
 * netblock's), with the tree's own library. Its figure is instructions a
 * record, counted by callgrind, which repeats to the instruction whatever
 * else the machine does (bench/README.md, "The record's text"):
 *
 *   make -C bench record_bench
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg bench/record_bench 100000
 *   callgrind_annotate --inclusive=yes /tmp/cg | grep audit_conn_format
 *
 * Without valgrind it prints the record and the nanoseconds each took.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "daemon/audit.h"

int
main(int argc, char *argv[])
{
	struct sockaddr_in peer, local;
	struct acl_prefix net;
	struct audit_conn c;
	struct timespec t0, t1;
	char buf[2048];
	unsigned long sum = 0;
	long i, n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	int len = 0;

	if (n <= 0 || n > 100000000) {
		fprintf(stderr, "usage: record_bench [COUNT]\n");
		return 2;
	}
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(40123);
	inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
	local = peer;
	local.sin_port = htons(1313);
	memset(&net, 0, sizeof(net));
	net.addr.family = AF_INET;
	net.addr.bytes[0] = 127;
	net.plen = 8;
	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_TCP;
	c.peer = (struct sockaddr *)&peer;
	c.peerlen = sizeof(peer);
	c.local = (struct sockaddr *)&local;
	c.locallen = sizeof(local);
	c.decision = "allow";
	c.rule_file = "/tmp/dtbench.XyyGDC/b.conf";
	c.rule_line = 9;
	c.net = &net;
	c.ident_status = IDENT_SKIPPED;
	c.bytes = 26;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		c.conn = 0x9e3779b97f4a7c15ULL * (unsigned long)(i + 1);
		c.duration_us = (uint64_t)(i % 5000);
		len = audit_conn_format(buf, sizeof(buf), &c);
		sum += (unsigned long)len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (len < 0)
		return 1;
	printf("%s\nrecords=%ld bytes=%lu ns_per_record=%.1f\n", buf, n, sum,
	    ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}
