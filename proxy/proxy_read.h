/* SPDX-License-Identifier: ISC */
/*
 * proxy_read: reading a PROXY protocol header off a non-blocking socket
 * without consuming a byte past it. Each step peeks at what the socket
 * holds (at most what may still belong to the header), parses the bytes
 * read so far with those, and then consumes exactly the header's share:
 * the whole header once it is complete, or every byte peeked while it is
 * not (they all belong to it, proxy_parse says so), so a readable socket
 * is always drained of header bytes and never read beyond them. No
 * libevent here: the caller waits for readability and keeps the deadline.
 */
#ifndef DAYTIMED_PROXY_READ_H
#define DAYTIMED_PROXY_READ_H

#include <stddef.h>

#include "proxy/proxy_parse.h"

/* The header's bytes read so far. A zeroed one is a fresh start. */
struct proxy_read {
	unsigned char	buf[PROXY_HEADER_MAX];
	size_t		len;
};

enum proxy_read_status {
	PROXY_READ_DONE = 0,	/* hdr holds the header; it is consumed */
	PROXY_READ_WAIT,	/* incomplete: wait until readable, then again */
	PROXY_READ_BAD		/* malformed, or the peer closed or failed
				   first: hdr->why says which */
};

/* Take what the socket fd has of the header: see above. */
enum proxy_read_status proxy_read(int fd, struct proxy_read *,
	    struct proxy_header *hdr);

#endif
