/* SPDX-License-Identifier: ISC */
/*
 * The datagram path's judgment: any source address and port, IPv4, IPv6
 * or IPv4-mapped, and any destination (broadcast, multicast or not),
 * against a fixed rule table. The payload itself is never
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

/*
 * The destination, when the input has one: byte 19 says the family (bit
 * 0) and whether the kernel saw a broadcast route (bit 1), bytes 20 to 35
 * the address. 0 when there is none.
 */
static int
fuzz_destination(const uint8_t *data, size_t len,
    struct sockaddr_storage *dst, socklen_t *dl, int *many)
{
	memset(dst, 0, sizeof(*dst));
	*dl = 0;
	*many = 0;
	if (len < 36)
		return 0;
	*many = (data[19] & 2) != 0;
	if (data[19] & 1) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)dst;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, data + 20, 16);
		*dl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)dst;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, data + 20, 4);
		*dl = sizeof(*s4);
	}
	return 1;
}

/* The oracle: a broadcast or multicast destination, by its address. */
static int
fuzz_many(const struct sockaddr_storage *dst)
{
	if (dst->ss_family == AF_INET) {
		const uint8_t *b = (const uint8_t *)
		    &((const struct sockaddr_in *)dst)->sin_addr;

		return b[0] >= 224 && (b[0] < 240 || (b[0] == 255 &&
		    b[1] == 255 && b[2] == 255 && b[3] == 255));
	}
	{
		const uint8_t *b = ((const struct sockaddr_in6 *)dst)->
		    sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

		if (memcmp(b, mapped, 12) == 0)	/* read as IPv4 */
			return b[12] >= 224 && (b[12] < 240 || (b[12] == 255 &&
			    b[13] == 255 && b[14] == 255 && b[15] == 255));
		return b[0] == 0xff;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss, dst;
	socklen_t dl;
	int grouped, many;
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
	grouped = fuzz_destination(data, len, &dst, &dl, &many);
	bad = udp_judge(conf, (struct sockaddr *)&ss, sl,
	    grouped ? (struct sockaddr *)&dst : NULL, dl, many, &a, &d);
	/* sent to many: dropped by that rule, whatever the source */
	if ((grouped && (many || fuzz_many(&dst))) !=
	    (bad != NULL && strcmp(bad, "udp-destination") == 0))
		abort();
	if (bad != NULL) {
		if ((strcmp(bad, "udp-source") != 0 &&
		    strcmp(bad, "udp-destination") != 0) ||
		    d.action != ACL_DENY)
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
