/* SPDX-License-Identifier: ISC */
/*
 * record: the key=value text of audit records and the one escaper (see
 * record.h for the byte classes and the two forms).
 *
 * Addresses are written "a.b.c.d:PORT" and "[ADDR]:PORT" (with "%SCOPE"
 * when the address has a scope id), ADDR in the one RFC 5952 text of
 * compat_fmt_ip6 that netblocks use too (::1.2.3.4 is "::102:304", as in
 * an allow line's -T and a netblock=). An IPv4-mapped IPv6 address is
 * written as the IPv4 dotted quad, because the contract judges it as that
 * IPv4 address: the record shows what the rules saw.
 *
 * rule=FILE:LINE is written as the escaped FILE with ":LINE" inside the
 * quotes when FILE is quoted ("rule=\"/etc/my rules:3\"", never
 * "rule=\"/etc/my rules\":3"), so that a cut file name keeps its line.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/record.h"
#include "compat/compat.h"

#define RECORD_SMALL_BUDGET	48	/* escaped decision */
#define RECORD_MARK_LEN		(sizeof(RECORD_CUT_MARK) - 1)

enum record_class {
	RECORD_PLAIN,		/* 0x21..0x7e other than '"', '\\', '=' */
	RECORD_SPACE,		/* 0x20 */
	RECORD_QUOTE,		/* '"' and '\\' */
	RECORD_EQUALS,		/* '=': only keys may hold it */
	RECORD_CONTROL,		/* 0x00..0x1f, 0x7f */
	RECORD_HIGH		/* 0x80..0xff */
};

static enum record_class record_class(unsigned char);
static size_t	record_hex_byte(char *, unsigned char);
static size_t	record_escape_max(char *, size_t, const unsigned char *,
		    size_t, size_t);
static void	record_out_hex64(struct record_out *, uint64_t);
static void	record_out_quad(struct record_out *, const unsigned char *);
static void	record_out_addr(struct record_out *, const struct sockaddr *,
		    socklen_t);
static size_t	record_rule_text(char *, size_t, const struct record_conn *);
static size_t	record_status_text(char *, size_t, const struct record_conn *);

/* The one byte-class rule every form of escaping follows. */
static enum record_class
record_class(unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return RECORD_CONTROL;
	if (c >= 0x80)
		return RECORD_HIGH;
	if (c == ' ')
		return RECORD_SPACE;
	if (c == '"' || c == '\\')
		return RECORD_QUOTE;
	if (c == '=')
		return RECORD_EQUALS;
	return RECORD_PLAIN;
}

/* The one escape format: "\xHH" with lowercase hex, 4 bytes, no NUL. */
static size_t
record_hex_byte(char *dst, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	dst[0] = '\\';
	dst[1] = 'x';
	dst[2] = hex[c >> 4];
	dst[3] = hex[c & 0xf];
	return 4;
}

/* A record value: bare or quoted, cut after RECORD_VALUE_MAX bytes. */
size_t
record_escape(char *dst, size_t dstlen, const void *src, size_t srclen)
{
	return record_escape_max(dst, dstlen, src, srclen, RECORD_VALUE_MAX);
}

/* record_escape with a chosen input cap, maxin. */
static size_t
record_escape_max(char *dst, size_t dstlen, const unsigned char *src,
    size_t srclen, size_t maxin)
{
	size_t i, o = 0, n, e;
	int quote = 0, cut = 0;
	enum record_class k;

	if (dstlen == 0)
		return 0;
	dst[0] = '\0';
	n = srclen > maxin ? maxin : srclen;
	/* "-" alone is how records say "none": a value "-" is quoted */
	if (srclen == 0 || srclen > maxin || n + 1 > dstlen ||
	    (srclen == 1 && src[0] == '-'))
		quote = 1;
	for (i = 0; i < n && !quote; i++)
		if (record_class(src[i]) != RECORD_PLAIN)
			quote = 1;
	if (!quote) {
		memcpy(dst, src, n);
		dst[n] = '\0';
		return n;
	}
	/* quotes, the marker and the NUL must always fit */
	if (dstlen < 2 + RECORD_MARK_LEN + 1) {
		if (dstlen >= 3 && srclen == 0) {
			memcpy(dst, "\"\"", 3);
			return 2;
		}
		return 0;
	}
	dst[o++] = '"';
	for (i = 0; i < n; i++) {
		k = record_class(src[i]);
		e = k == RECORD_QUOTE ? 2 : (k == RECORD_CONTROL ||
		    k == RECORD_HIGH || k == RECORD_EQUALS) ? 4 : 1;
		if (o + e + RECORD_MARK_LEN + 1 + 1 > dstlen) {
			cut = 1;
			break;
		}
		if (e == 4)
			o += record_hex_byte(dst + o, src[i]);
		else {
			if (e == 2)
				dst[o++] = '\\';
			dst[o++] = (char)src[i];
		}
	}
	if (cut || srclen > n) {
		memcpy(dst + o, RECORD_CUT_MARK, RECORD_MARK_LEN);
		o += RECORD_MARK_LEN;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return o;
}

/*
 * Free text with its control bytes as \xHH; stops where dst runs out.
 * Every record goes through here on its way to syslog, and control bytes
 * are rare: the bytes between two are found first, then copied at once.
 */
size_t
record_escape_ctl(char *dst, size_t dstlen, const void *src, size_t srclen)
{
	const unsigned char *s = src;
	size_t i = 0, o = 0, end;

	while (i < srclen) {
		for (end = i; end < srclen && s[end] >= 0x20 && s[end] != 0x7f;
		    end++)
			;
		if (end - i > dstlen - o)
			end = i + (dstlen - o);
		if (end > i)
			memcpy(dst + o, s + i, end - i);
		o += end - i;
		i = end;
		if (i == srclen || record_class(s[i]) != RECORD_CONTROL ||
		    o + 4 > dstlen)
			break;	/* the end, or dst is full */
		o += record_hex_byte(dst + o, s[i++]);
	}
	return o;
}

/* Text for a person: plain and space kept but for the single quote
 * (messages put names between two), all else \xHH; stops where dst runs
 * out. */
size_t
record_escape_show(char *dst, size_t dstlen, const void *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = src;
	size_t i, o = 0;
	enum record_class k;

	for (i = 0; i < srclen; i++) {
		k = record_class(s[i]);
		if ((k == RECORD_PLAIN && s[i] != '\'') || k == RECORD_SPACE ||
		    k == RECORD_EQUALS) {
			if (o + 1 > dstlen)
				break;
			dst[o++] = (char)s[i];
		} else {
			if (o + 4 > dstlen)
				break;
			o += record_hex_byte(dst + o, s[i]);
		}
	}
	if (used != NULL)
		*used = i;
	return o;
}

/* Whether (s, len) holds a byte record_escape_ctl would escape. */
int
record_has_ctl(const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		if (record_class(p[i]) == RECORD_CONTROL)
			return 1;
	return 0;
}

/* The connection record, without chain fields; -1 when len is too small. */
int
record_conn_format(char *buf, size_t len, const struct record_conn *c)
{
	char decision[RECORD_SMALL_BUDGET], rule[RECORD_RULE_LEN];
	char ident[2 + 4 * RECORD_VALUE_MAX + sizeof(RECORD_CUT_MARK) + 1];
	char status[2 + 4 * (RECORD_DETAIL_MAX + 6) + sizeof(RECORD_CUT_MARK)];
	char src[RECORD_SMALL_BUDGET + 32];
	struct record_out w;
	const char *proto, *d;

	if (c->proto == IPPROTO_TCP)
		proto = "tcp";
	else if (c->proto == IPPROTO_UDP)
		proto = "udp";
	else
		proto = "-";
	d = c->decision;
	if (d != NULL)
		record_escape(decision, sizeof(decision), d, strlen(d));
	else
		memcpy(decision, "-", 2);
	record_rule_text(rule, sizeof(rule), c);
	if (c->ident != NULL)
		record_escape(ident, sizeof(ident), c->ident, c->identlen);
	else
		memcpy(ident, "-", 2);
	record_status_text(status, sizeof(status), c);

	record_out_init(&w, buf, len, 0);
	record_out_str(&w, "conn=");
	record_out_hex64(&w, c->conn);
	record_out_str(&w, " proto=");
	record_out_str(&w, proto);
	record_out_str(&w, " peer=");
	record_out_addr(&w, c->peer, c->peerlen);
	if (c->via != NULL) {
		record_out_str(&w, " via=");
		record_out_addr(&w, c->via, c->vialen);
	}
	record_out_str(&w, " local=");
	record_out_addr(&w, c->local, c->locallen);
	record_out_str(&w, " decision=");
	record_out_str(&w, decision);
	record_out_str(&w, " rule=");
	record_out_str(&w, rule);
	record_out_str(&w, " ident=");
	record_out_str(&w, ident);
	record_out_str(&w, " ident_status=");
	record_out_str(&w, status);
	if (c->netblock != NULL) {
		record_out_str(&w, " netblock=");
		record_out_str(&w, c->netblock);
	}
	if (c->source != NULL) {
		record_escape(src, sizeof(src), c->source, strlen(c->source));
		record_out_str(&w, " source=");
		record_out_str(&w, src);
	}
	record_out_str(&w, " duration_us=");
	record_out_uint(&w, c->duration_us);
	record_out_str(&w, " bytes=");
	record_out_uint(&w, c->bytes);
	return w.full ? -1 : (int)w.off;
}

/* "event=NAME", "version=V" for start, then the caller's escaped kv. */
int
record_event_format(char *buf, size_t len, const char *event, const char *kv)
{
	char ev[RECORD_SMALL_BUDGET];
	size_t o = 0;

	/* a log line guard would escape a control byte after the MAC */
	if (kv != NULL && record_has_ctl(kv, strlen(kv))) {
		errno = EINVAL;
		return -1;
	}
	record_escape(ev, sizeof(ev), event, strlen(event));
	if (record_append(buf, len, &o, "event=%s", ev) == -1)
		return -1;
	if (strcmp(event, "start") == 0 &&
	    record_append(buf, len, &o, " version=%s", PACKAGE_VERSION) == -1)
		return -1;
	if (kv != NULL && kv[0] != '\0' &&
	    record_append(buf, len, &o, " %s", kv) == -1) {
		errno = EMSGSIZE;
		return -1;
	}
	return (int)o;
}

/* snprintf at buf + *off, bounded by len; -1 (nothing kept) on overflow. */
int
record_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off) {
		buf[*off] = '\0';
		return -1;
	}
	*off += (size_t)n;
	return 0;
}

/* Start a line at buf + off; see record.h. */
void
record_out_init(struct record_out *w, char *buf, size_t len, size_t off)
{
	w->buf = buf;
	w->len = len;
	w->off = off;
	w->full = off >= len;
	if (!w->full)
		buf[off] = '\0';
}

/* Append n bytes and a NUL, or nothing and mark the line full. */
void
record_out_put(struct record_out *w, const void *s, size_t n)
{
	if (w->full || n >= w->len - w->off) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->off, s, n);
	w->off += n;
	w->buf[w->off] = '\0';
}

void
record_out_str(struct record_out *w, const char *s)
{
	record_out_put(w, s, strlen(s));
}

void
record_out_uint(struct record_out *w, unsigned long long v)
{
	char d[COMPAT_UINT_DIGITS];

	record_out_put(w, d, compat_fmt_uint(d, v));
}

/* v as 16 lowercase hex digits, leading zeros kept (conn=). */
static void
record_out_hex64(struct record_out *w, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char d[16];
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		d[i] = hex[v & 0xf];
	record_out_put(w, d, sizeof(d));
}

/* An IPv4 address as the dotted quad (as inet_ntop writes it). */
static void
record_out_quad(struct record_out *w, const unsigned char *q)
{
	char t[16];
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			t[n++] = '.';
		n += compat_fmt_uint(t + n, q[i]);
	}
	record_out_put(w, t, n);
}

/* "a.b.c.d:PORT" or "[ADDR]:PORT"; IPv4-mapped IPv6 as the IPv4 quad. */
static void
record_out_addr(struct record_out *w, const struct sockaddr *sa,
    socklen_t salen)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	char a[COMPAT_IP6_CHARS];
	unsigned port;

	if (sa != NULL && sa->sa_family == AF_INET && salen >= sizeof(*sin)) {
		sin = (const struct sockaddr_in *)sa;
		record_out_quad(w, (const unsigned char *)&sin->sin_addr);
		port = ntohs(sin->sin_port);
	} else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    salen >= sizeof(*sin6)) {
		sin6 = (const struct sockaddr_in6 *)sa;
		port = ntohs(sin6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			record_out_quad(w, &sin6->sin6_addr.s6_addr[12]);
		else {
			record_out_str(w, "[");
			record_out_put(w, a, compat_fmt_ip6(a,
			    sin6->sin6_addr.s6_addr));
			if (sin6->sin6_scope_id != 0) {
				record_out_str(w, "%");
				record_out_uint(w, sin6->sin6_scope_id);
			}
			record_out_str(w, "]");
		}
	} else {
		record_out_str(w, "-");
		return;
	}
	record_out_str(w, ":");
	record_out_uint(w, port);
}

/*
 * rule=: escaped FILE with :LINE (inside the quotes), limit:NAME,
 * proxy:NAME, default.
 */
static size_t
record_rule_text(char *buf, size_t len, const struct record_conn *c)
{
	char raw[RECORD_VALUE_MAX + 7];
	const char *kind, *name;
	size_t n, kl, ml;

	if (c->limit != NULL || c->proxy != NULL) {
		kind = c->limit != NULL ? "limit:" : "proxy:";
		name = c->limit != NULL ? c->limit : c->proxy;
		kl = strlen(kind);
		ml = strlen(name);
		n = ml > sizeof(raw) - 1 - kl ? sizeof(raw) - 1 - kl : ml;
		memcpy(raw, kind, kl);
		memcpy(raw + kl, name, n);
		/* a cut name is still marked: escape the full length */
		return record_escape_max(buf, len, (const unsigned char *)raw,
		    ml > n ? RECORD_VALUE_MAX + 1 : kl + n, RECORD_VALUE_MAX);
	}
	return record_rule(buf, len, c->rule_file, c->rule_line);
}

/*
 * The file is cut, not :LINE, which follows the cut mark: a cut name
 * still says which line of its file.
 */
size_t
record_rule(char *buf, size_t len, const char *file, unsigned line)
{
	char num[1 + COMPAT_UINT_DIGITS];
	size_t n, nl;

	if (file == NULL) {
		if (len < sizeof("default")) {
			if (len > 0)
				buf[0] = '\0';
			return 0;
		}
		memcpy(buf, "default", sizeof("default"));
		return 7;
	}
	num[0] = ':';
	nl = 1 + compat_fmt_uint(num + 1, line);
	if (len <= nl) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	n = record_escape_max(buf, len - nl, (const unsigned char *)file,
	    strlen(file), RECORD_VALUE_MAX);
	if (n > 0 && buf[n - 1] == '"' && buf[0] == '"') {
		/* quoted: put :LINE before the closing quote */
		memcpy(buf + n - 1, num, nl);
		buf[n - 1 + nl] = '"';
		buf[n + nl] = '\0';
	} else {
		memcpy(buf + n, num, nl);
		buf[n + nl] = '\0';
	}
	return n + nl;
}

/* ident_status=: NAME, or NAME:DETAIL (error:TYPE), escaped. */
static size_t
record_status_text(char *buf, size_t len, const struct record_conn *c)
{
	char raw[32 + RECORD_DETAIL_MAX];
	const char *s = c->status != NULL ? c->status : "-";
	size_t sl = strlen(s), dl;

	if (c->status == NULL && len >= 2) {
		memcpy(buf, "-", 2);
		return 1;
	}
	if (c->detail == NULL)
		return record_escape(buf, len, s, sl);
	dl = c->detaillen > RECORD_DETAIL_MAX ? RECORD_DETAIL_MAX :
	    c->detaillen;
	if (sl + 1 + dl > sizeof(raw)) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	memcpy(raw, s, sl);
	raw[sl] = ':';
	memcpy(raw + sl + 1, c->detail, dl);
	return record_escape(buf, len, raw, sl + 1 + dl);
}
