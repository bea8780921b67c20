/* SPDX-License-Identifier: ISC */
/*
 * verify_gen: a sealed audit log for bench/verify.sh, made with the real
 * chain code (libdtaudit.a: audit/record.c and audit/chain.c, as the
 * daemon formats and seals), signed with a host key, in rsyslog's
 * traditional layout.
 *
 *   verify_gen PUBFILE HOSTSECFILE N OUTFILE
 *
 * Writes one epoch: event=start, N - 2 connection records (IPv4 peers
 * that vary, allow and deny, ident answers and none), event=stop.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/keyfile.h"
#include "audit/record.h"

#define HDR	"Nov 26 10:32:52 benchhost daytimed[4242]: "

/* Read and parse a key file of n bytes (64 or 128 hex digits). */
static void
gen_key(const char *path, unsigned char *key, size_t n)
{
	char buf[KEYFILE_MAX], err[512];
	struct stat st;
	size_t len;

	if (keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)) == -1 || keyfile_parse(buf, len, key, n) == -1) {
		fprintf(stderr, "verify_gen: %s: not a key of %zu bytes\n",
		    path, n);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_SIGN_SK_BYTES];
	struct sockaddr_in peer, local;
	struct record_conn rc;
	struct chain_start cs;
	struct link prev;
	struct chain *ch;
	char line[2048], err[512];
	size_t hl = sizeof(HDR) - 1, len;
	unsigned long long un;
	long long n, i;
	uint64_t t;
	FILE *out;
	int r;

	if (argc != 5 || compat_parse_uint(argv[3], strlen(argv[3]),
	    100000000, &un) == -1 || (n = (long long)un) < 2) {
		fprintf(stderr, "usage: verify_gen PUBFILE HOSTSECFILE N "
		    "OUTFILE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	gen_key(argv[1], pk, sizeof(pk));
	gen_key(argv[2], sk, sizeof(sk));
	memset(&prev, 0, sizeof(prev));
	prev.kind = LINK_NONE;
	memset(&cs, 0, sizeof(cs));
	cs.auditor = pk;
	cs.auditor_name = argv[1];
	cs.sign_sk = sk;
	cs.prev = &prev;
	if ((ch = chain_open(&cs, err, sizeof(err))) == NULL) {
		fprintf(stderr, "verify_gen: %s\n", err);
		return 1;
	}
	if ((out = fopen(argv[4], "w")) == NULL) {
		perror(argv[4]);
		return 1;
	}
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	local = peer;
	inet_pton(AF_INET, "192.0.2.1", &local.sin_addr);
	local.sin_port = htons(13);
	t = (uint64_t)time(NULL) * 1000000;
	for (i = 0; i < n; i++) {
		memcpy(line, HDR, hl);
		if (i == 0)
			r = record_event_format(line + hl, sizeof(line) - hl,
			    "start", "config=/etc/daytimed/daytimed.conf rules=2");
		else if (i == n - 1)
			r = record_event_format(line + hl, sizeof(line) - hl,
			    "stop", "reason=signal");
		else {
			memset(&rc, 0, sizeof(rc));
			rc.conn = 0x9e3779b97f4a7c15ULL * (uint64_t)i;
			rc.proto = i % 5 ? IPPROTO_TCP : IPPROTO_UDP;
			peer.sin_addr.s_addr = htonl(0x0a000000u |
			    (uint32_t)(i & 0xffffff));
			peer.sin_port = htons((uint16_t)(1024 + i % 60000));
			rc.peer = (struct sockaddr *)&peer;
			rc.peerlen = sizeof(peer);
			rc.local = (struct sockaddr *)&local;
			rc.locallen = sizeof(local);
			rc.decision = i % 7 ? "allow" : "deny";
			rc.rule_file = i % 7 ? "/etc/daytimed/daytimed.conf" :
			    NULL;
			rc.rule_line = 48;
			if (i % 3 == 0) {
				rc.ident = (const unsigned char *)"alice";
				rc.identlen = 5;
				rc.status = "ok";
			} else
				rc.status = "skipped";
			rc.netblock = "10.0.0.0/8";
			rc.duration_us = (uint64_t)(i % 997);
			rc.bytes = i % 7 ? 26 : 0;
			r = record_conn_format(line + hl, sizeof(line) - hl,
			    &rc);
		}
		if (r < 0)
			return 1;
		len = (size_t)r;
		if (chain_seal(ch, t + (uint64_t)i, line + hl,
		    sizeof(line) - hl - 1, &len) == -1)
			return 1;
		line[hl + len] = '\n';
		if (fwrite(line, 1, hl + len + 1, out) != hl + len + 1)
			return 1;
	}
	chain_close(ch);
	sodium_memzero(sk, sizeof(sk));
	return fclose(out) == 0 ? 0 : 1;
}
