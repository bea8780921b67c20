/* SPDX-License-Identifier: ISC */
/*
 * proxy_parse: the PROXY protocol header, v1 (text) and v2 (binary), as
 * proxy_parse.h describes. Every length is checked before the byte it
 * counts is read; nothing past the header's end is looked at.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "proxy/proxy_parse.h"

#define PROXY_V1_PREFIX		"PROXY "
#define PROXY_V1_PREFIX_LEN	(sizeof(PROXY_V1_PREFIX) - 1)
#define PROXY_V1_FIELDS		4	/* src dst sport dport */
#define PROXY_V2_CMD_LOCAL	0x0
#define PROXY_V2_CMD_PROXY	0x1
#define PROXY_V2_TLV_HEAD	3	/* type, length (16 bits) */
#define PROXY_UNIX_PATH		108	/* an AF_UNIX address in a v2 block */

static const unsigned char proxy_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

static enum proxy_parse_status proxy_bad(struct proxy_header *, const char *);
static enum proxy_parse_status proxy_v1(const unsigned char *, size_t,
		    struct proxy_header *);
static int	proxy_v1_addr(const unsigned char *, size_t, int, void *);
static int	proxy_v1_port(const unsigned char *, size_t, uint16_t *);
static enum proxy_parse_status proxy_v2(const unsigned char *, size_t,
		    struct proxy_header *);
static size_t	proxy_v2_addrlen(unsigned char);
static int	proxy_v2_tlvs(const unsigned char *, size_t);
static void	proxy_set(struct proxy_header *, int, const unsigned char *,
		    const unsigned char *, uint16_t, uint16_t);

enum proxy_parse_status
proxy_parse(const unsigned char *buf, size_t len, struct proxy_header *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0) {
		out->need = PROXY_HEADER_MAX;
		return PROXY_PARSE_MORE;
	}
	if (buf[0] == proxy_v2_sig[0])
		return proxy_v2(buf, len, out);
	if (buf[0] == PROXY_V1_PREFIX[0])
		return proxy_v1(buf, len, out);
	return proxy_bad(out, "not a PROXY protocol header");
}

/* Say why, BAD. */
static enum proxy_parse_status
proxy_bad(struct proxy_header *out, const char *why)
{
	out->why = why;
	return PROXY_PARSE_BAD;
}

/*
 * v1: the prefix is checked as it comes; the fields only once the LF
 * that ends the line is in (the spec: wait for the CR LF, then decode).
 */
static enum proxy_parse_status
proxy_v1(const unsigned char *buf, size_t len, struct proxy_header *out)
{
	const unsigned char *lf, *p, *end, *f[PROXY_V1_FIELDS];
	size_t n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX, fl[PROXY_V1_FIELDS];
	size_t i, k;
	uint16_t sport, dport;
	unsigned char sa[16], da[16];
	int af;

	out->version = 1;
	k = n < PROXY_V1_PREFIX_LEN ? n : PROXY_V1_PREFIX_LEN;
	if (memcmp(buf, PROXY_V1_PREFIX, k) != 0)
		return proxy_bad(out, "not a PROXY protocol header");
	if ((lf = memchr(buf, '\n', n)) == NULL) {
		if (n == PROXY_V1_MAX)
			return proxy_bad(out, "v1: no CR LF in 107 bytes");
		out->need = PROXY_V1_MAX - n;
		return PROXY_PARSE_MORE;
	}
	out->len = (size_t)(lf - buf) + 1;
	if (out->len < PROXY_V1_PREFIX_LEN + 2 || lf[-1] != '\r')
		return proxy_bad(out, "v1: the line does not end in CR LF");
	p = buf + PROXY_V1_PREFIX_LEN;
	end = lf - 1;				/* the CR */
	if ((size_t)(end - p) >= 7 && memcmp(p, "UNKNOWN", 7) == 0 &&
	    (p + 7 == end || p[7] == ' ')) {
		out->command = PROXY_CMD_LOCAL;	/* the rest is ignored */
		return PROXY_PARSE_DONE;
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "TCP", 3) != 0 ||
	    (p[3] != '4' && p[3] != '6') || p[4] != ' ')
		return proxy_bad(out, "v1: protocol is not TCP4, TCP6 or UNKNOWN");
	af = p[3] == '4' ? AF_INET : AF_INET6;
	p += 5;
	/* exactly four fields, one space between each, none empty */
	for (i = 0; i < PROXY_V1_FIELDS; i++) {
		f[i] = p;
		while (p < end && *p != ' ')
			p++;
		fl[i] = (size_t)(p - f[i]);
		if (fl[i] == 0)
			return proxy_bad(out, "v1: an empty field");
		if (i + 1 < PROXY_V1_FIELDS) {
			if (p == end)
				return proxy_bad(out, "v1: too few fields");
			p++;
		}
	}
	if (p != end)
		return proxy_bad(out, "v1: too many fields");
	if (proxy_v1_addr(f[0], fl[0], af, sa) == -1 ||
	    proxy_v1_addr(f[1], fl[1], af, da) == -1)
		return proxy_bad(out, "v1: an address is not of its family");
	if (proxy_v1_port(f[2], fl[2], &sport) == -1 ||
	    proxy_v1_port(f[3], fl[3], &dport) == -1)
		return proxy_bad(out, "v1: a port is not 0..65535");
	out->command = PROXY_CMD_PROXY;
	proxy_set(out, af, sa, da, sport, dport);
	return PROXY_PARSE_DONE;
}

/* A v1 address of family af, into its network bytes; -1: not one. */
static int
proxy_v1_addr(const unsigned char *s, size_t len, int af, void *out)
{
	char text[INET6_ADDRSTRLEN];
	size_t i;

	if (len >= (af == AF_INET ? INET_ADDRSTRLEN : INET6_ADDRSTRLEN))
		return -1;
	for (i = 0; i < len; i++)	/* inet_pton must see no NUL cut it short */
		if (s[i] == '\0')
			return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	return inet_pton(af, text, out) == 1 ? 0 : -1;
}

/* A v1 port: 0..65535, decimal, no leading zero; -1: not one. */
static int
proxy_v1_port(const unsigned char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/*
 * v2: the fixed 16 bytes are checked as they come (signature, version,
 * command, family, length), the address block and TLVs once the length
 * they declare is in.
 */
static enum proxy_parse_status
proxy_v2(const unsigned char *buf, size_t len, struct proxy_header *out)
{
	size_t k = len < sizeof(proxy_v2_sig) ? len : sizeof(proxy_v2_sig);
	size_t total, alen;
	unsigned char cmd, fam;

	out->version = 2;
	if (memcmp(buf, proxy_v2_sig, k) != 0)
		return proxy_bad(out, "not a PROXY protocol header");
	if (len > 12 && (buf[12] >> 4) != 2)
		return proxy_bad(out, "v2: unknown version");
	if (len > 12 && (buf[12] & 0x0f) != PROXY_V2_CMD_LOCAL &&
	    (buf[12] & 0x0f) != PROXY_V2_CMD_PROXY)
		return proxy_bad(out, "v2: unknown command");
	if (len > 13 && proxy_v2_addrlen(buf[13]) == SIZE_MAX)
		return proxy_bad(out, "v2: unknown family or protocol");
	if (len > 13 && (buf[12] & 0x0f) == PROXY_V2_CMD_PROXY &&
	    (buf[13] == 0x12 || buf[13] == 0x22))
		return proxy_bad(out, "v2: a UDP flow's addresses on a TCP "
		    "connection");
	if (len < PROXY_V2_FIXED) {
		out->need = PROXY_HEADER_MAX - len;
		return PROXY_PARSE_MORE;
	}
	total = PROXY_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);
	if (total > PROXY_HEADER_MAX)
		return proxy_bad(out, "v2: longer than 536 bytes");
	if (len < total) {
		out->need = total - len;
		return PROXY_PARSE_MORE;
	}
	out->len = total;
	cmd = buf[12] & 0x0f;
	fam = buf[13];
	/*
	 * LOCAL: the spec has the receiver discard the block, family and
	 * all, and keep the real endpoints; so neither its length nor its
	 * TLVs are held against a health check.
	 */
	if (cmd == PROXY_V2_CMD_LOCAL) {
		out->command = PROXY_CMD_LOCAL;
		return PROXY_PARSE_DONE;
	}
	alen = proxy_v2_addrlen(fam);
	if (total - PROXY_V2_FIXED < alen)
		return proxy_bad(out, "v2: the length is shorter than the addresses");
	if (proxy_v2_tlvs(buf + PROXY_V2_FIXED + alen,
	    total - PROXY_V2_FIXED - alen) == -1)
		return proxy_bad(out, "v2: a TLV runs past the header");
	if (fam == 0x00) {
		out->command = PROXY_CMD_LOCAL;	/* UNSPEC: the proxy's own */
		return PROXY_PARSE_DONE;
	}
	buf += PROXY_V2_FIXED;
	switch (fam >> 4) {
	case 0x1:
		proxy_set(out, AF_INET, buf, buf + 4,
		    (uint16_t)(buf[8] << 8 | buf[9]),
		    (uint16_t)(buf[10] << 8 | buf[11]));
		break;
	case 0x2:
		proxy_set(out, AF_INET6, buf, buf + 16,
		    (uint16_t)(buf[32] << 8 | buf[33]),
		    (uint16_t)(buf[34] << 8 | buf[35]));
		break;
	default:
		return proxy_bad(out, "v2: AF_UNIX addresses cannot be judged");
	}
	out->command = PROXY_CMD_PROXY;
	return PROXY_PARSE_DONE;
}

/* The address block's length for a family/protocol byte; SIZE_MAX: none. */
static size_t
proxy_v2_addrlen(unsigned char fam)
{
	switch (fam) {
	case 0x00:
		return 0;
	case 0x11: case 0x12:
		return 2 * 4 + 2 * 2;
	case 0x21: case 0x22:
		return 2 * 16 + 2 * 2;
	case 0x31: case 0x32:
		return 2 * PROXY_UNIX_PATH;
	default:
		return SIZE_MAX;
	}
}

/* Walk the TLVs in (p, len): 0 when each one lies whole inside it. */
static int
proxy_v2_tlvs(const unsigned char *p, size_t len)
{
	size_t off = 0, vl;

	while (off < len) {
		if (len - off < PROXY_V2_TLV_HEAD)
			return -1;
		vl = (size_t)p[off + 1] << 8 | p[off + 2];
		if (vl > len - off - PROXY_V2_TLV_HEAD)
			return -1;
		off += PROXY_V2_TLV_HEAD + vl;
	}
	return 0;
}

/* Fill the addresses of a PROXY command (bytes in network order). */
static void
proxy_set(struct proxy_header *out, int af, const unsigned char *src,
    const unsigned char *dst, uint16_t sport, uint16_t dport)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->src;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&out->dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->src;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&out->dst;

	if (af == AF_INET) {
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, src, 4);
		memcpy(&d4->sin_addr, dst, 4);
		s4->sin_port = htons(sport);
		d4->sin_port = htons(dport);
		out->srclen = out->dstlen = sizeof(struct sockaddr_in);
	} else {
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, src, 16);
		memcpy(&d6->sin6_addr, dst, 16);
		s6->sin6_port = htons(sport);
		d6->sin6_port = htons(dport);
		out->srclen = out->dstlen = sizeof(struct sockaddr_in6);
	}
}
