/* SPDX-License-Identifier: ISC */
/*
 * audit_emit: a test helper for test_audit_tool.py. Writes a sealed
 * audit chain the way the daemon does (audit.c through log.c onto a
 * syslog datagram socket), and prints the datagrams as rsyslog's
 * traditional file format ("Mmm dd hh:mm:ss HOST daytimed[PID]: ...").
 *
 *   audit_emit [-s SIGNKEY] [-S STATE] [-H HOST] [-E EPOCH] [-k] PUBFILE NCONN
 *
 * The chain: event=start, NCONN connection records (IPv4, IPv6, mapped
 * peers, hostile ident bytes), event=stop (-k: none, as after a kill).
 * -s signs the epoch with a host's key (audit signing-key), -S links it
 * through a state file (audit state), -H names the host in the lines
 * (default testhost). -E gives the epoch the id EPOCH (16 hex digits)
 * instead of a random one, as a host whose daemon was changed could: an
 * epoch id is no secret (libsodium's randombytes_set_implementation; the
 * chain draws its key, then the 8-byte id).
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "daemon/audit.h"
#include "daemon/log.h"

static int	emit_sock;
static const char *emit_host = "testhost";
static unsigned char emit_epoch[8];	/* -E */
static int	emit_epoch_set;

/* randombytes: the first 8-byte draw is -E's id, the rest the system's. */
static const char *
emit_rb_name(void)
{
	return "audit_emit";
}

static uint32_t
emit_rb_random(void)
{
	return randombytes_sysrandom_implementation.random();
}

static void
emit_rb_buf(void *const buf, const size_t size)
{
	if (emit_epoch_set && size == sizeof(emit_epoch)) {
		memcpy(buf, emit_epoch, sizeof(emit_epoch));
		emit_epoch_set = 0;
		return;
	}
	randombytes_sysrandom_implementation.buf(buf, size);
}

static randombytes_implementation emit_rb = {
	.implementation_name = emit_rb_name,
	.random = emit_rb_random,
	.buf = emit_rb_buf,
};

/* Print every datagram waiting on the socket as a syslog file line. */
static void
emit_drain(void)
{
	char buf[8192];
	const char *p;
	ssize_t n;

	while ((n = recv(emit_sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		p = memchr(buf, '>', (size_t)n);
		if (buf[0] != '<' || p == NULL || (buf + n) - (p + 1) < 16) {
			fprintf(stderr, "audit_emit: bad datagram\n");
			exit(1);
		}
		p++;
		/* "Mmm dd hh:mm:ss " then the tag and message */
		printf("%.16s%s %.*s\n", p, emit_host,
		    (int)((buf + n) - (p + 16)), p + 16);
	}
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/audit_emit.XXXXXX", path[128], err[512];
	struct sockaddr_un sun;
	struct sockaddr_in p4, l4;
	struct sockaddr_in6 p6, l6;
	struct ident_answer id;
	struct acl_prefix net;
	struct audit_params ap;
	struct audit_conn c;
	struct audit *a;
	const char *errstr;
	long long n, i;
	int ch, nostop = 0;

	memset(&ap, 0, sizeof(ap));
	ap.uid = geteuid();
	while ((ch = getopt(argc, argv, "s:S:H:E:k")) != -1) {
		switch (ch) {
		case 'E':
			if (strlen(optarg) != 2 * sizeof(emit_epoch) ||
			    sodium_hex2bin(emit_epoch, sizeof(emit_epoch),
			    optarg, strlen(optarg), NULL, NULL, NULL) != 0) {
				fprintf(stderr, "audit_emit: -E: 16 hex "
				    "digits\n");
				return 2;
			}
			emit_epoch_set = 1;
			if (randombytes_set_implementation(&emit_rb) != 0)
				return 1;
			break;
		case 's':
			ap.signing_key = optarg;
			break;
		case 'S':
			ap.state = optarg;
			break;
		case 'H':
			emit_host = optarg;
			break;
		case 'k':
			nostop = 1;
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2) {
		fprintf(stderr, "usage: audit_emit [-s SIGNKEY] [-S STATE] "
		    "[-H HOST] [-E EPOCH] [-k] PUBFILE NCONN\n");
		return 2;
	}
	n = strtonum(argv[1], 0, 1000000, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "audit_emit: NCONN %s\n", errstr);
		return 2;
	}
	if (mkdtemp(dir) == NULL ||
	    snprintf(path, sizeof(path), "%s/log", dir) >= (int)sizeof(path))
		return 1;
	emit_sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if (emit_sock == -1 ||
	    bind(emit_sock, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("audit_emit: bind");
		return 1;
	}
	log_init("daytimed", 0);
	if (log_open_syslog(path, LOG_DAEMON) == -1) {
		perror("audit_emit: log_open_syslog");
		return 1;
	}
	log_stderr(0);
	ap.key = argv[0];
	if ((a = audit_open(&ap, NULL, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "audit_emit: %s\n", err);
		return 1;
	}

	memset(&p4, 0, sizeof(p4));
	p4.sin_family = AF_INET;
	p4.sin_port = htons(40000);
	inet_pton(AF_INET, "127.0.0.1", &p4.sin_addr);
	l4 = p4;
	l4.sin_port = htons(13);
	memset(&p6, 0, sizeof(p6));
	p6.sin6_family = AF_INET6;
	p6.sin6_port = htons(40001);
	inet_pton(AF_INET6, "::1", &p6.sin6_addr);
	l6 = p6;
	l6.sin6_port = htons(13);
	memset(&net, 0, sizeof(net));
	net.addr.family = AF_INET;
	net.addr.bytes[0] = 127;
	net.plen = 8;

	audit_event_log(a, LOG_NOTICE, "start", "config=/etc/daytimed.conf");
	emit_drain();
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		memset(&id, 0, sizeof(id));
		c.conn = 0x1000 + (unsigned long long)i;
		c.proto = i % 5 == 4 ? IPPROTO_UDP : IPPROTO_TCP;
		if (i % 2 == 0) {
			c.peer = (struct sockaddr *)&p4;
			c.peerlen = sizeof(p4);
			c.local = (struct sockaddr *)&l4;
			c.locallen = sizeof(l4);
		} else {
			c.peer = (struct sockaddr *)&p6;
			c.peerlen = sizeof(p6);
			c.local = (struct sockaddr *)&l6;
			c.locallen = sizeof(l6);
		}
		c.decision = i % 3 == 2 ? "deny" : "allow";
		c.rule_file = i % 3 == 2 ? NULL : "/etc/daytimed/daytimed.conf";
		c.rule_line = 10 + (unsigned)i;
		c.net = i % 3 == 2 ? NULL : &net;
		if (i % 4 == 1) {
			c.ident_status = IDENT_OK;
			/* a hostile answer: a forged line and an escape */
			memcpy(id.user, "eve\n\x1b[2J\"x\\", 12);
			id.userlen = 12;
			c.ident = &id;
		} else
			c.ident_status = i % 4 == 0 ? IDENT_SKIPPED :
			    IDENT_TIMEOUT;
		c.duration_us = 100 + (unsigned long long)i;
		c.bytes = c.decision[0] == 'a' ? 26 : 0;
		if (audit_conn_log(a, &c) == -1) {
			fprintf(stderr, "audit_emit: record %lld lost\n", i);
			return 1;
		}
		emit_drain();
	}
	if (!nostop)
		audit_event_log(a, LOG_NOTICE, "stop", "reason=test");
	log_flush(1000);
	emit_drain();
	audit_close(a);
	unlink(path);
	rmdir(dir);
	return 0;
}
