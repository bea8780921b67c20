/* SPDX-License-Identifier: ISC */
/*
 * fuzz_proxy: any bytes as the start of a connection on a proxy
 * listener. Checks the promises proxy_parse.h makes: a header's length
 * lies within the bytes and the bound; its prefixes all wait for more,
 * and what follows it changes nothing; a refusal stays a refusal; the
 * addresses are of a family the rules can judge.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/proxy_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort (a finding) unless a and b are the same complete header. */
static void
fuzz_proxy_same(const struct proxy_header *a, const struct proxy_header *b)
{
	if (a->len != b->len || a->command != b->command ||
	    a->version != b->version || a->srclen != b->srclen ||
	    memcmp(&a->src, &b->src, a->srclen) != 0 ||
	    memcmp(&a->dst, &b->dst, a->dstlen) != 0)
		abort();
}

/* One input: parse it, then parse it cut short and with more after it. */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct proxy_header h, g;
	enum proxy_parse_status st, st2;
	unsigned char *buf;
	size_t k, step;

	/* A copy of exactly n bytes (and room for more), so ASan sees any
	 * read past them. */
	if ((buf = malloc(n + 1)) == NULL)
		return 0;
	memcpy(buf, d, n);
	st = proxy_parse(buf, n, &h);
	switch (st) {
	case PROXY_PARSE_DONE:
		if (h.len == 0 || h.len > n || h.len > PROXY_HEADER_MAX ||
		    h.why != NULL || (h.version != 1 && h.version != 2))
			abort();
		if (h.command == PROXY_CMD_PROXY &&
		    !((h.src.ss_family == AF_INET && h.srclen ==
		    sizeof(struct sockaddr_in)) || (h.src.ss_family == AF_INET6 &&
		    h.srclen == sizeof(struct sockaddr_in6))))
			abort();
		if (h.command == PROXY_CMD_LOCAL && h.srclen != 0)
			abort();
		if (proxy_parse(buf, h.len, &g) != PROXY_PARSE_DONE)
			abort();
		fuzz_proxy_same(&h, &g);
		break;
	case PROXY_PARSE_MORE:
		if (h.need == 0 || n + h.need > PROXY_HEADER_MAX)
			abort();
		break;
	case PROXY_PARSE_BAD:
		if (h.why == NULL)
			abort();
		break;
	default:
		abort();
	}
	/* Every prefix (sampled for long inputs): MORE before a header
	 * ends, never DONE before a refusal, BAD once and then always. */
	step = n > 64 ? n / 64 : 1;
	for (k = 0; k < n; k += step) {
		st2 = proxy_parse(buf, k, &g);
		if (st2 == PROXY_PARSE_MORE && k + g.need > PROXY_HEADER_MAX)
			abort();
		if (st == PROXY_PARSE_DONE && k < h.len && st2 != PROXY_PARSE_MORE)
			abort();
		if (st == PROXY_PARSE_MORE && st2 != PROXY_PARSE_MORE)
			abort();
		if (st == PROXY_PARSE_BAD && st2 == PROXY_PARSE_DONE)
			abort();
	}
	/* One more byte: a header stays the same header, a refusal stays. */
	buf[n] = 0x0a;
	st2 = proxy_parse(buf, n + 1, &g);
	if (st == PROXY_PARSE_DONE) {
		if (st2 != PROXY_PARSE_DONE)
			abort();
		fuzz_proxy_same(&h, &g);
	}
	if (st == PROXY_PARSE_BAD && st2 != PROXY_PARSE_BAD)
		abort();
	free(buf);
	return 0;
}
