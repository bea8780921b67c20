/* SPDX-License-Identifier: ISC */
/*
 * proxy_read: the PROXY header off a non-blocking socket, peeked, parsed
 * and then consumed to its last byte and no further (proxy_read.h).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "proxy/proxy_parse.h"
#include "proxy/proxy_read.h"

enum proxy_read_status
proxy_read(int fd, struct proxy_read *r, struct proxy_header *hdr)
{
	enum proxy_parse_status st;
	size_t take;
	ssize_t n;

	for (;;) {
		st = proxy_parse(r->buf, r->len, hdr);
		if (st == PROXY_PARSE_DONE)
			return PROXY_READ_DONE;
		if (st == PROXY_PARSE_BAD)
			return PROXY_READ_BAD;
		n = recv(fd, r->buf + r->len, hdr->need, MSG_PEEK | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PROXY_READ_WAIT;
		if (n <= 0) {
			hdr->why = n == 0 ? "closed before the header was complete" :
			    "receive error before the header was complete";
			return PROXY_READ_BAD;
		}
		st = proxy_parse(r->buf, r->len + (size_t)n, hdr);
		if (st == PROXY_PARSE_BAD)
			return PROXY_READ_BAD;	/* nothing consumed: closed anyway */
		take = st == PROXY_PARSE_DONE ? hdr->len - r->len : (size_t)n;
		do
			n = recv(fd, r->buf + r->len, take, MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
		if (n <= 0) {
			hdr->why = "receive error before the header was complete";
			return PROXY_READ_BAD;
		}
		/* what was peeked is there: n == take, else parse again */
		r->len += (size_t)n;
	}
}
