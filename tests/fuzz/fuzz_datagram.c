/* SPDX-License-Identifier: ISC */
/*
 * The datagram path's judgment: any source address and port, IPv4, IPv6
 * or IPv4-mapped, against a fixed rule table. The payload itself is never
 * read by the daemon (one byte at most, discarded), so the source is all
 * an attacker controls here.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/udp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_conf[] =
    "listen udp 127.0.0.1:13\n"
    "allow 0.0.0.0/0\n"
    "deny 10.0.0.0/8\n"
    "allow 10.1.0.0/16\n"
    "allow 10.1.0.0/16 user alice\n"
    "deny ::/0\n"
    "allow 2001:db8::/32\n"
    "allow ::ffff:192.168.0.0/112\n";

static struct config *fuzz_c[2];

static void
fuzz_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	(void)arg;
	(void)file;
	(void)line;
	(void)msg;
	if (is_error)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	struct acl_decision d;
	struct acl_addr a;
	const struct config *conf;
	const char *bad;
	socklen_t sl;
	unsigned port;

	if (fuzz_c[0] == NULL) {
		fuzz_c[0] = config_parse_buffer("fuzz.conf", fuzz_conf,
		    sizeof(fuzz_conf) - 1, fuzz_diag, NULL);
		fuzz_c[1] = config_parse_buffer("fuzz.conf", fuzz_conf,
		    sizeof(fuzz_conf) - 1, fuzz_diag, NULL);
		if (fuzz_c[0] == NULL || fuzz_c[1] == NULL)
			abort();
		fuzz_c[1]->udp_privileged_ports = 1;
	}
	if (len < 19)
		return 0;
	conf = fuzz_c[data[0] & 1];
	memset(&ss, 0, sizeof(ss));
	port = (unsigned)data[1] << 8 | data[2];
	if (data[0] & 2) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, data + 3, 16);
		sl = (data[0] & 4) ? (socklen_t)(data[0] >> 3) : sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, data + 3, 4);
		sl = (data[0] & 4) ? (socklen_t)(data[0] >> 3) : sizeof(*s4);
	}
	bad = udp_judge(conf, (struct sockaddr *)&ss, sl, &a, &d);
	if (bad != NULL) {
		if (strcmp(bad, "udp-source") != 0 || d.action != ACL_DENY)
			abort();
		return 0;
	}
	/* what is answered never comes from a port that starts loops */
	if (port == 0 || port == 7 || port == 13 || port == 19 || port == 37 ||
	    (port < 1024 && !conf->udp_privileged_ports))
		abort();
	if (d.action == ACL_ALLOW && (d.file == NULL || !d.matched))
		abort();
	if (d.matched && d.net.addr.family != a.family)
		abort();
	return 0;
}
