/* SPDX-License-Identifier: ISC */
/*
 * proxy_parse: the PROXY protocol header (HAProxy's proxy-protocol.txt,
 * versions 1 and 2) that a load balancer puts before a relayed
 * connection. Pure: (buffer, length) in, one of "need more bytes (at
 * most how many)", "complete (its length, the command, the addresses)"
 * or "malformed (why)" out. The bytes are untrusted even from a trusted
 * proxy's address; nothing past the header's end is ever looked at, so
 * the caller may hand over more bytes than the header has.
 *
 * What is accepted:
 *
 *   v1  "PROXY TCP4 SRC DST SPORT DPORT\r\n" and "PROXY TCP6 …\r\n", at
 *       most PROXY_V1_MAX bytes, fields separated by exactly one space;
 *       addresses in the family's numeric form (inet_pton: a canonical
 *       dotted quad with no leading zeros; IPv6 hex groups, an embedded
 *       dotted quad allowed as inet_ntop writes IPv4-mapped addresses);
 *       ports 0..65535 in decimal with no leading zeros. "PROXY UNKNOWN"
 *       then anything up to the CR LF is the proxy's own connection.
 *       The line ends at its first LF, which must follow a CR.
 *   v2  the 12-byte signature, version 2 with command LOCAL (0x0) or
 *       PROXY (0x1), a family/protocol byte of 0x00, 0x11, 0x12, 0x21,
 *       0x22, 0x31 or 0x32, and a length. With PROXY, the address block
 *       of that family must fit in the length and the rest be TLVs
 *       (type, 16-bit length, value), each inside the length, skipped;
 *       with LOCAL the block is skipped whole, unread, as the spec has
 *       receivers discard it. At most PROXY_HEADER_MAX bytes in all.
 *
 * Commands: PROXY_CMD_PROXY carries the client's addresses (src is the
 * peer to judge). PROXY_CMD_LOCAL is the proxy's own connection (v2
 * LOCAL, as for health checks; v2 PROXY with the UNSPEC family; v1
 * UNKNOWN): the connection's real endpoints stand. v2 PROXY with AF_UNIX
 * addresses is malformed here: a path cannot be judged by netblock; so
 * is v2 PROXY with a UDP flow's addresses (0x12, 0x22), which cannot be
 * the client of the TCP connection it comes on.
 */
#ifndef DAYTIMED_PROXY_PARSE_H
#define DAYTIMED_PROXY_PARSE_H

#include <stddef.h>
#include <sys/socket.h>

#define PROXY_V1_MAX		107	/* a v1 line at most, CR LF included */
#define PROXY_V2_FIXED		16	/* signature, version and command, family, length */
#define PROXY_HEADER_MAX	536	/* a header at most (v2 with its TLVs) */

enum proxy_parse_status {
	PROXY_PARSE_MORE = 0,	/* every byte so far belongs to the header */
	PROXY_PARSE_DONE,	/* the first len bytes are the header */
	PROXY_PARSE_BAD		/* not a header we accept: why says so */
};

enum proxy_command {
	PROXY_CMD_PROXY = 0,	/* relayed: src and dst are the client's */
	PROXY_CMD_LOCAL		/* the proxy's own: the real endpoints stand */
};

struct proxy_header {
	unsigned		 version;	/* 1 or 2; 0 while not yet known */
	enum proxy_command	 command;	/* DONE */
	size_t			 len;		/* DONE: the header's bytes */
	size_t			 need;		/* MORE: at most this many more
						   bytes may belong to it */
	struct sockaddr_storage	 src, dst;	/* DONE with PROXY_CMD_PROXY */
	socklen_t		 srclen, dstlen;
	const char		*why;		/* BAD: a static reason */
};

/*
 * Parse the start of a connection's bytes, (buf, len), into *out. MORE
 * means the header is not complete: all len bytes belong to it, and at
 * most out->need more can (len + need <= PROXY_HEADER_MAX). DONE means
 * the header is the first out->len bytes (the rest, if any, is the
 * client's). A prefix of a header is never BAD, a BAD input stays BAD
 * however many bytes follow, and a DONE input gives the same header
 * whatever follows it.
 */
enum proxy_parse_status proxy_parse(const unsigned char *buf, size_t len,
	    struct proxy_header *out);

#endif
