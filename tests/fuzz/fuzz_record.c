/* SPDX-License-Identifier: ISC */
/*
 * fuzz_record: any connection record record_conn_format may be asked to
 * write, from hostile parts (an ident answer's bytes, file, limit and
 * source names, addresses, numbers, the buffer's length). Checks what
 * record.h promises and what the auditor's tools rely on: the record
 * fits the buffer or the call fails, never a cut line; with room it is
 * the same whatever the room; it parses back under record_parse's strict
 * grammar; the values read back are the bytes that went in; the
 * addresses are the text inet_ntop gives, but for an IPv4-compatible
 * ::a.b.c.d, all hex (::102:304) as netblocks write it.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "audit/record_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_HEAD	80	/* fixed part of an input */
#define FUZZ_BIG	8192	/* room enough for any record */

/* The next len bytes of the tail, up to what is left. */
static const uint8_t *
fuzz_take(const uint8_t **p, size_t *left, size_t want, size_t *got)
{
	const uint8_t *s = *p;

	*got = want < *left ? want : *left;
	*p += *got;
	*left -= *got;
	return s;
}

/* A C string of the bytes up to the first NUL (the struct's names). */
static char *
fuzz_str(const uint8_t *s, size_t n)
{
	char *c;

	if ((c = malloc(n + 1)) == NULL)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* A socket address from 16 bytes of input, as IPv4 or IPv6. */
static void
fuzz_addr(struct sockaddr_storage *ss, socklen_t *len, int v6,
    const uint8_t *b, char *want, size_t wantlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char a[INET6_ADDRSTRLEN];

	memset(ss, 0, sizeof(*ss));
	if (!v6) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, b, 4);
		memcpy(&sin->sin_port, b + 4, 2);
		*len = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(want, wantlen, "%s:%u", a, ntohs(sin->sin_port));
		return;
	}
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, b, 16);
	memcpy(&sin6->sin6_port, b + 16, 2);
	if (b[18] & 1)
		memcpy(&sin6->sin6_scope_id, b + 19, 4);
	*len = sizeof(*sin6);
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], a, sizeof(a));
		snprintf(want, wantlen, "%s:%u", a, ntohs(sin6->sin6_port));
	} else {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		/* glibc's dotted tail where only the last 32 bits are set */
		if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0 &&
		    (b[12] | b[13]) != 0)
			snprintf(a, sizeof(a), "::%x:%x", (unsigned)b[12] << 8 |
			    b[13], (unsigned)b[14] << 8 | b[15]);
		if (sin6->sin6_scope_id != 0)
			snprintf(want, wantlen, "[%s%%%u]:%u", a,
			    (unsigned)sin6->sin6_scope_id,
			    ntohs(sin6->sin6_port));
		else
			snprintf(want, wantlen, "[%s]:%u", a,
			    ntohs(sin6->sin6_port));
	}
}

/* The field's value read back, unescaped, NUL-terminated; or abort. */
static size_t
fuzz_value(const struct record_fields *f, const char *key, char *dst,
    size_t dstlen)
{
	const struct record_field *v;
	long n;

	if ((v = record_parse_get(f, key)) == NULL ||
	    (n = record_parse_value(dst, dstlen - 1, v)) < 0)
		abort();
	dst[n] = '\0';
	return (size_t)n;
}

/* Whether an unescaped value ends with the cut mark. */
static int
fuzz_cut(const char *s, size_t n)
{
	size_t m = sizeof(RECORD_CUT_MARK) - 1;

	return n >= m && memcmp(s + n - m, RECORD_CUT_MARK, m) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sockaddr_storage peer, via, local;
	struct record_conn c;
	struct record_fields f;
	char big[FUZZ_BIG], val[FUZZ_BIG], want[FUZZ_BIG];
	char wpeer[128], wvia[128], wlocal[128], *buf;
	char *file = NULL, *limit = NULL, *source = NULL;
	const uint8_t *p, *ident, *detail, *s;
	size_t left, il, dl, k, room, len;
	uint64_t u;
	int r, big_n;

	if (n < FUZZ_HEAD)
		return 0;
	memset(&c, 0, sizeof(c));
	fuzz_addr(&peer, &c.peerlen, d[0] & 1, d + 8, wpeer, sizeof(wpeer));
	fuzz_addr(&local, &c.locallen, (d[0] >> 1) & 1, d + 31, wlocal,
	    sizeof(wlocal));
	c.peer = (struct sockaddr *)&peer;
	c.local = (struct sockaddr *)&local;
	if (d[0] & 4) {
		fuzz_addr(&via, &c.vialen, (d[0] >> 3) & 1, d + 54, wvia,
		    sizeof(wvia));
		c.via = (struct sockaddr *)&via;
	}
	u = 0;
	memcpy(&u, d + 1, sizeof(u) - 1);
	c.conn = u * 0x9e3779b97f4a7c15ULL;
	c.proto = d[2] % 3 == 0 ? IPPROTO_TCP : d[2] % 3 == 1 ? IPPROTO_UDP : 0;
	c.decision = d[3] % 4 == 0 ? "allow" : d[3] % 4 == 1 ? "deny" :
	    d[3] % 4 == 2 ? "drop" : NULL;
	c.rule_line = (unsigned)d[4] << 24 | (unsigned)d[5] << 16 |
	    (unsigned)d[6] << 8 | d[7];
	c.duration_us = u << (d[5] % 64);
	c.bytes = (size_t)d[6] << (d[7] % 56);
	c.status = d[27] % 3 == 0 ? NULL : d[27] % 3 == 1 ? "ok" : "error";
	room = ((size_t)d[28] << 8 | d[29]) % 1200;

	/* The tail: ident bytes, file, limit or proxy, source, detail. */
	p = d + FUZZ_HEAD;
	left = n - FUZZ_HEAD;
	ident = fuzz_take(&p, &left, d[30] * 2U, &il);
	if (d[0] & 16) {
		c.ident = ident;
		c.identlen = il;
	}
	s = fuzz_take(&p, &left, d[52] * 2U, &k);
	if (!(d[0] & 32))
		c.rule_file = file = fuzz_str(s, strnlen((const char *)s, k));
	s = fuzz_take(&p, &left, d[53] * 2U, &k);
	if (d[0] & 64) {
		limit = fuzz_str(s, strnlen((const char *)s, k));
		if (d[27] & 8)
			c.limit = limit;
		else
			c.proxy = limit;
	}
	s = fuzz_take(&p, &left, d[70], &k);
	if (d[0] & 128)
		c.source = source = fuzz_str(s, strnlen((const char *)s, k));
	detail = fuzz_take(&p, &left, d[71], &dl);
	if (c.status != NULL && (d[27] & 16)) {
		c.detail = (const char *)detail;
		c.detaillen = dl;
	}

	/* With room enough: a whole line that parses back strictly. */
	big_n = record_conn_format(big, sizeof(big), &c);
	if (big_n <= 0 || strlen(big) != (size_t)big_n ||
	    record_parse(big, (size_t)big_n, &f, NULL) != 0)
		abort();

	/* With any room: the same line, or -1 and nothing cut short. */
	if ((buf = malloc(room + 1)) == NULL)
		abort();
	r = record_conn_format(buf, room, &c);
	if ((size_t)big_n < room) {
		if (r != big_n || memcmp(buf, big, (size_t)big_n + 1) != 0)
			abort();
	} else if (r != -1 || (room > 0 && strnlen(buf, room) >= room))
		abort();
	free(buf);

	/* What was written is what went in. */
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)c.conn);
	fuzz_value(&f, "conn", val, sizeof(val));
	if (strcmp(val, want) != 0)
		abort();
	fuzz_value(&f, "peer", val, sizeof(val));
	if (strcmp(val, wpeer) != 0)
		abort();
	fuzz_value(&f, "local", val, sizeof(val));
	if (strcmp(val, wlocal) != 0)
		abort();
	if (c.via != NULL) {
		fuzz_value(&f, "via", val, sizeof(val));
		if (strcmp(val, wvia) != 0)
			abort();
	} else if (record_parse_get(&f, "via") != NULL)
		abort();
	len = fuzz_value(&f, "ident", val, sizeof(val));
	if (c.ident == NULL ? strcmp(val, "-") != 0 :
	    c.identlen <= RECORD_VALUE_MAX ? (len != c.identlen ||
	    memcmp(val, c.ident, len) != 0) : !fuzz_cut(val, len))
		abort();
	len = fuzz_value(&f, "rule", val, sizeof(val));
	if (c.limit == NULL && c.proxy == NULL && c.rule_file != NULL &&
	    strlen(c.rule_file) <= RECORD_VALUE_MAX) {
		/* whole, or cut where escapes outgrew the budget: then a
		 * prefix of the name, the mark, and still the line */
		snprintf(want, sizeof(want), "%s:%u", c.rule_file,
		    c.rule_line);
		if (strcmp(val, want) != 0) {
			snprintf(want, sizeof(want), "%s:%u", RECORD_CUT_MARK,
			    c.rule_line);
			k = strlen(want);
			if (len < k || strcmp(val + len - k, want) != 0 ||
			    strncmp(val, c.rule_file, len - k) != 0)
				abort();
		}
	}
	if (c.limit == NULL && c.proxy == NULL && c.rule_file == NULL &&
	    strcmp(val, "default") != 0)
		abort();
	if (c.source != NULL) {
		len = fuzz_value(&f, "source", val, sizeof(val));
		if (!fuzz_cut(val, len) && strcmp(val, c.source) != 0)
			abort();
	}
	snprintf(want, sizeof(want), "%llu",
	    (unsigned long long)c.duration_us);
	fuzz_value(&f, "duration_us", val, sizeof(val));
	if (strcmp(val, want) != 0)
		abort();
	snprintf(want, sizeof(want), "%zu", c.bytes);
	fuzz_value(&f, "bytes", val, sizeof(val));
	if (strcmp(val, want) != 0)
		abort();
	free(file);
	free(limit);
	free(source);
	return 0;
}
