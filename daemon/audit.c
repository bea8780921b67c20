/* SPDX-License-Identifier: ISC */
/*
 * audit: the audit record, its escaping, and the sealed MAC chain.
 *
 * Record: "key=value" pairs separated by one space, in this order:
 *   conn proto peer local decision rule ident ident_status
 *   [netblock] duration_us bytes [count]
 * Event records: "event=NAME [version=V (start only)] [KV]".
 *
 * Addresses: IPv4 "a.b.c.d:PORT", IPv6 "[ADDR]:PORT" (with "%SCOPE" when
 * the address has a scope id). An IPv4-mapped IPv6 address is written as
 * the IPv4 dotted quad, because the contract judges it as that IPv4
 * address: the record shows what the rules saw.
 *
 * Values are escaped by audit_escape, the one escaping function. A value
 * is cut when more than AUDIT_VALUE_MAX input bytes are given or when it
 * would not fit its budget; a cut value is always quoted and its quoted
 * text ends with "...(cut)" (AUDIT_CUT_MARK). rule=FILE:LINE is written
 * as the escaped FILE with ":LINE" inside the quotes when FILE is quoted
 * ("rule=\"/etc/my rules\":3" never happens; "rule=\"/etc/my rules:3\""
 * does), so a cut file name keeps its line number.
 *
 * Sealed chain (audit key set). At audit_open a random 32-byte epoch key
 * K0 (in sodium_malloc'd, locked memory) and a random 8-byte epoch id are
 * drawn, and K0 is sealed to the auditor's X25519 public key with
 * crypto_box_seal. Every record then ends with
 *     " epoch=ID seq=N mac=HEX"
 * where, for the record text T up to and including the digits of N
 * (i.e. everything before " mac="), mac = BLAKE2b-256(key = K_N, T).
 * The record with seq=0 (normally event=start, which the daemon logs
 * first) also carries " sealed=HEX" (the sealed K0) just before
 * " epoch=", inside T. After each record K_{N+1} = BLAKE2b-256(key = K_N,
 * AUDIT_CHAIN_STEP) and K_N is wiped: whoever takes the host later
 * cannot recompute the MAC of a record already sent. The step constant
 * begins with a NUL byte, which no record holds, so a MAC and a key step
 * never hash the same message.
 *
 * Threads: one mutex per struct audit guards the key, seq and the hand
 * off to log_record_ordered (never batched), so seq order is log order.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "daemon/audit.h"
#include "daemon/log.h"

#define AUDIT_CHAIN_STEP	"\0daytimed audit chain step v1"
#define AUDIT_SEALED_BYTES	(AUDIT_KEY_BYTES + crypto_box_SEALBYTES)
/* " sealed=" + hex + " epoch=" + id + " seq=" + 20 + " mac=" + hex */
#define AUDIT_CHAIN_RESERVE	(8 + 2 * AUDIT_SEALED_BYTES + \
				 7 + 2 * AUDIT_EPOCH_BYTES + 5 + 20 + \
				 5 + 2 * AUDIT_MAC_BYTES)
#define AUDIT_BODY_MAX		(AUDIT_LINE_MAX - AUDIT_CHAIN_RESERVE - 1)
#define AUDIT_RULE_BUDGET	300	/* escaped FILE with :LINE */
#define AUDIT_SMALL_BUDGET	48	/* escaped decision, status constants */
#define AUDIT_ADDR_TEXT		(INET6_ADDRSTRLEN + 24)

struct audit {
	pthread_mutex_t	 mtx;
	int		 sealed;
	unsigned char	*key;			/* K_seq, sodium_malloc'd */
	uint64_t	 seq;
	char		 epoch[2 * AUDIT_EPOCH_BYTES + 1];
	char		 sealedhex[2 * AUDIT_SEALED_BYTES + 1];
};

static size_t	audit_escape_budget(char *, size_t, const unsigned char *,
		    size_t, size_t);
static int	audit_addr_text(char *, size_t, const struct sockaddr *,
		    socklen_t);
static size_t	audit_rule_text(char *, size_t, const struct audit_conn *);
static size_t	audit_status_text(char *, size_t, const struct audit_conn *);
static int	audit_seal_and_log(struct audit *, int, char *, size_t);
static int	audit_append(char *, size_t, size_t *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Escape (src, srclen) into dst. Bare when every byte is 0x21..0x7e other
 * than '"' and '\\' and it fits; otherwise quoted with \" \\ \xHH, cut
 * after AUDIT_VALUE_MAX input bytes or where dst runs out, a cut ending
 * with AUDIT_CUT_MARK inside the quotes. An empty value is "".
 */
size_t
audit_escape(char *dst, size_t dstlen, const unsigned char *src,
    size_t srclen)
{
	return audit_escape_budget(dst, dstlen, src, srclen, AUDIT_VALUE_MAX);
}

/* audit_escape with a chosen input cap. */
static size_t
audit_escape_budget(char *dst, size_t dstlen, const unsigned char *src,
    size_t srclen, size_t maxin)
{
	static const char hex[] = "0123456789abcdef";
	const size_t marklen = sizeof(AUDIT_CUT_MARK) - 1;
	size_t i, o = 0, n, e;
	int quote = 0, cut = 0;
	unsigned char c;

	if (dstlen == 0)
		return 0;
	dst[0] = '\0';
	n = srclen > maxin ? maxin : srclen;
	if (srclen == 0 || srclen > maxin || n + 1 > dstlen)
		quote = 1;
	for (i = 0; i < n && !quote; i++) {
		c = src[i];
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			quote = 1;
	}
	if (!quote) {
		memcpy(dst, src, n);
		dst[n] = '\0';
		return n;
	}
	/* quotes, the marker and the NUL must always fit */
	if (dstlen < 2 + marklen + 1) {
		if (dstlen >= 3 && srclen == 0) {
			memcpy(dst, "\"\"", 3);
			return 2;
		}
		return 0;
	}
	dst[o++] = '"';
	for (i = 0; i < n; i++) {
		c = src[i];
		if (c == '"' || c == '\\')
			e = 2;
		else if (c < 0x20 || c > 0x7e)
			e = 4;
		else
			e = 1;
		if (o + e + marklen + 1 + 1 > dstlen) {
			cut = 1;
			break;
		}
		if (e == 1)
			dst[o++] = (char)c;
		else if (e == 2) {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	if (cut || srclen > n) {
		memcpy(dst + o, AUDIT_CUT_MARK, marklen);
		o += marklen;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return o;
}

/* Read the auditor's key (if any) and start the chain. */
struct audit *
audit_open(const char *keypath, char *err, size_t errlen)
{
	unsigned char pub[AUDIT_KEY_BYTES];
	unsigned char sealed[AUDIT_SEALED_BYTES];
	unsigned char epoch[AUDIT_EPOCH_BYTES];
	struct audit *a;

	if (errlen > 0)
		err[0] = '\0';
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "audit: out of memory");
		return NULL;
	}
	if (pthread_mutex_init(&a->mtx, NULL) != 0) {
		free(a);
		snprintf(err, errlen, "audit: cannot create mutex");
		return NULL;
	}
	if (keypath == NULL)
		return a;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "audit: libsodium initialization failed");
		goto fail;
	}
	if (audit_key_load(keypath, pub, err, errlen) == -1)
		goto fail;
	if ((a->key = sodium_malloc(AUDIT_KEY_BYTES)) == NULL) {
		snprintf(err, errlen, "audit: cannot allocate locked memory");
		goto fail;
	}
	randombytes_buf(a->key, AUDIT_KEY_BYTES);
	randombytes_buf(epoch, sizeof(epoch));
	if (crypto_box_seal(sealed, a->key, AUDIT_KEY_BYTES, pub) != 0) {
		snprintf(err, errlen, "%s: cannot seal to this key", keypath);
		goto fail;
	}
	audit_hex(a->epoch, epoch, sizeof(epoch));
	audit_hex(a->sealedhex, sealed, sizeof(sealed));
	a->sealed = 1;
	a->seq = 0;
	return a;
fail:
	audit_close(a);
	return NULL;
}

/* Wipe the chain key and free. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->key != NULL)
		sodium_free(a->key);	/* wipes before freeing */
	pthread_mutex_destroy(&a->mtx);
	free(a);
}

/* Format, seal and log one connection record at LOG_INFO. */
int
audit_conn_log(struct audit *a, const struct audit_conn *c)
{
	char line[AUDIT_LINE_MAX];
	int n;

	if ((n = audit_conn_format(line, sizeof(line), c)) < 0)
		return -1;
	return audit_seal_and_log(a, LOG_INFO, line, (size_t)n);
}

/*
 * Format a connection record (no chain fields). Returns its length, or
 * -1 when buf is too small. The budgets keep it within AUDIT_LINE_MAX
 * with room for the chain fields.
 */
int
audit_conn_format(char *buf, size_t len, const struct audit_conn *c)
{
	char peer[AUDIT_ADDR_TEXT], local[AUDIT_ADDR_TEXT];
	char decision[AUDIT_SMALL_BUDGET], rule[AUDIT_RULE_BUDGET];
	char ident[2 + 4 * AUDIT_VALUE_MAX + sizeof(AUDIT_CUT_MARK) + 1];
	char status[2 + 4 * (IDENT_ERRTYPE_MAX + 6) + sizeof(AUDIT_CUT_MARK)];
	char net[INET6_ADDRSTRLEN + 8];
	const char *proto, *d;
	size_t o = 0, max;

	if (len == 0)
		return -1;
	max = len < AUDIT_BODY_MAX + 1 ? len : AUDIT_BODY_MAX + 1;
	if (c->proto == IPPROTO_TCP)
		proto = "tcp";
	else if (c->proto == IPPROTO_UDP)
		proto = "udp";
	else
		proto = "-";
	audit_addr_text(peer, sizeof(peer), c->peer, c->peerlen);
	audit_addr_text(local, sizeof(local), c->local, c->locallen);
	d = c->decision != NULL ? c->decision : "-";
	audit_escape(decision, sizeof(decision), (const unsigned char *)d,
	    strlen(d));
	audit_rule_text(rule, sizeof(rule), c);
	if (c->ident_status == IDENT_OK && c->ident != NULL)
		audit_escape(ident, sizeof(ident), c->ident->user,
		    c->ident->userlen < sizeof(c->ident->user) ?
		    c->ident->userlen : sizeof(c->ident->user));
	else
		memcpy(ident, "-", 2);
	audit_status_text(status, sizeof(status), c);

	if (audit_append(buf, max, &o, "conn=%016" PRIx64 " proto=%s peer=%s"
	    " local=%s decision=%s rule=%s ident=%s ident_status=%s",
	    c->conn, proto, peer, local, decision, rule, ident, status) == -1)
		return -1;
	if (c->net != NULL) {
		if (acl_prefix_format(c->net, net, sizeof(net)) == -1)
			memcpy(net, "-", 2);
		if (audit_append(buf, max, &o, " netblock=%s", net) == -1)
			return -1;
	}
	if (audit_append(buf, max, &o, " duration_us=%" PRIu64 " bytes=%zu",
	    c->duration_us, c->bytes) == -1)
		return -1;
	if (c->count > 1 &&
	    audit_append(buf, max, &o, " count=%u", c->count) == -1)
		return -1;
	return (int)o;
}

/*
 * Log an event record: "event=NAME", "version=V" for start, then kv
 * (already escaped by the caller: a control byte is refused). The
 * first record of a sealed epoch (seq 0, normally the start) also
 * carries sealed=HEX.
 */
int
audit_event_log(struct audit *a, int pri, const char *event, const char *kv)
{
	char line[AUDIT_LINE_MAX], ev[AUDIT_SMALL_BUDGET];
	const unsigned char *p;
	size_t o = 0;

	/* log.c would escape a control byte after the MAC was made */
	for (p = (const unsigned char *)kv; p != NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	audit_escape(ev, sizeof(ev), (const unsigned char *)event,
	    strlen(event));
	if (audit_append(line, AUDIT_BODY_MAX + 1, &o, "event=%s", ev) == -1)
		return -1;
	if (strcmp(event, "start") == 0 &&
	    audit_append(line, AUDIT_BODY_MAX + 1, &o, " version=%s",
	    PACKAGE_VERSION) == -1)
		return -1;
	if (kv != NULL && kv[0] != '\0' &&
	    audit_append(line, AUDIT_BODY_MAX + 1, &o, " %s", kv) == -1) {
		errno = EMSGSIZE;
		return -1;
	}
	return audit_seal_and_log(a, pri, line, o);
}

/* mac = BLAKE2b-256 keyed with K_n over (text, len). */
void
audit_chain_mac(const unsigned char key[AUDIT_KEY_BYTES], const char *text,
    size_t len, unsigned char mac[AUDIT_MAC_BYTES])
{
	crypto_generichash(mac, AUDIT_MAC_BYTES, (const unsigned char *)text,
	    len, key, AUDIT_KEY_BYTES);
}

/* K_{n+1} = BLAKE2b-256 keyed with K_n over the step constant; wipe K_n. */
void
audit_chain_next(unsigned char key[AUDIT_KEY_BYTES])
{
	unsigned char next[AUDIT_KEY_BYTES];

	crypto_generichash(next, sizeof(next),
	    (const unsigned char *)AUDIT_CHAIN_STEP,
	    sizeof(AUDIT_CHAIN_STEP) - 1, key, AUDIT_KEY_BYTES);
	memcpy(key, next, AUDIT_KEY_BYTES);
	sodium_memzero(next, sizeof(next));
}

/* Read and strictly parse a key file (64 lowercase hex digits, newline). */
int
audit_key_load(const char *path, unsigned char key[AUDIT_KEY_BYTES],
    char *err, size_t errlen)
{
	char buf[AUDIT_KEYFILE_LEN + 1];
	size_t got = 0;
	ssize_t r;
	int fd, rv;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (got < sizeof(buf)) {
		r = read(fd, buf + got, sizeof(buf) - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			sodium_memzero(buf, sizeof(buf));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rv = audit_key_parse(buf, got, key);
	sodium_memzero(buf, sizeof(buf));
	if (rv == -1) {
		snprintf(err, errlen, "%s: not a daytimed-audit key file "
		    "(expected 64 lowercase hex digits and a newline)", path);
		return -1;
	}
	return 0;
}

/* Parse a key file's bytes: exactly 64 lowercase hex digits + "\n". */
int
audit_key_parse(const char *buf, size_t len, unsigned char key[AUDIT_KEY_BYTES])
{
	if (len != AUDIT_KEYFILE_LEN || buf[len - 1] != '\n')
		return -1;
	return audit_unhex(key, AUDIT_KEY_BYTES, buf, len - 1);
}

/* Lowercase hex of (src, len); dst holds 2 * len + 1 bytes. */
void
audit_hex(char *dst, const unsigned char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 0xf];
	}
	dst[2 * len] = '\0';
}

/* Exactly 2 * len lowercase hex digits from (src, srclen) into dst. */
int
audit_unhex(unsigned char *dst, size_t len, const char *src, size_t srclen)
{
	size_t i;
	int hi = 0, lo;
	char c;

	if (srclen != 2 * len)
		return -1;
	for (i = 0; i < srclen; i++) {
		c = src[i];
		if (c >= '0' && c <= '9')
			lo = c - '0';
		else if (c >= 'a' && c <= 'f')
			lo = c - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			hi = lo;
		else
			dst[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* "a.b.c.d:PORT" or "[ADDR]:PORT"; IPv4-mapped IPv6 as the IPv4 quad. */
static int
audit_addr_text(char *buf, size_t len, const struct sockaddr *sa,
    socklen_t salen)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	char a[INET6_ADDRSTRLEN];
	int n;

	if (sa == NULL)
		goto none;
	if (sa->sa_family == AF_INET && salen >= sizeof(*sin)) {
		sin = (const struct sockaddr_in *)sa;
		if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
			goto none;
		n = snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(*sin6)) {
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			if (inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], a,
			    sizeof(a)) == NULL)
				goto none;
			n = snprintf(buf, len, "%s:%u", a,
			    ntohs(sin6->sin6_port));
		} else {
			if (inet_ntop(AF_INET6, &sin6->sin6_addr, a,
			    sizeof(a)) == NULL)
				goto none;
			if (sin6->sin6_scope_id != 0)
				n = snprintf(buf, len, "[%s%%%" PRIu32 "]:%u",
				    a, (uint32_t)sin6->sin6_scope_id,
				    ntohs(sin6->sin6_port));
			else
				n = snprintf(buf, len, "[%s]:%u", a,
				    ntohs(sin6->sin6_port));
		}
	} else
		goto none;
	if (n < 0 || (size_t)n >= len)
		goto none;
	return 0;
none:
	snprintf(buf, len, "-");
	return -1;
}

/* rule=: escaped FILE with :LINE (inside the quotes), limit:NAME, default. */
static size_t
audit_rule_text(char *buf, size_t len, const struct audit_conn *c)
{
	char num[16];
	size_t n, nl;
	int r;

	if (c->limit != NULL) {
		char raw[AUDIT_VALUE_MAX + 7];

		r = snprintf(raw, sizeof(raw), "limit:%s", c->limit);
		n = (r < 0) ? 0 : ((size_t)r >= sizeof(raw) ?
		    sizeof(raw) - 1 : (size_t)r);
		/* a cut name is still marked: escape the full length */
		return audit_escape_budget(buf, len, (const unsigned char *)raw,
		    (size_t)r > n ? AUDIT_VALUE_MAX + 1 : n, AUDIT_VALUE_MAX);
	}
	if (c->rule_file == NULL) {
		snprintf(buf, len, "default");
		return 7;
	}
	r = snprintf(num, sizeof(num), ":%u", c->rule_line);
	if (r < 0 || (size_t)r >= sizeof(num))
		return 0;
	nl = (size_t)r;
	n = audit_escape_budget(buf, len - nl, (const unsigned char *)
	    c->rule_file, strlen(c->rule_file), AUDIT_VALUE_MAX);
	if (n > 0 && buf[n - 1] == '"' && buf[0] == '"') {
		/* quoted: put :LINE before the closing quote */
		memcpy(buf + n - 1, num, nl);
		buf[n - 1 + nl] = '"';
		buf[n + nl] = '\0';
	} else {
		memcpy(buf + n, num, nl + 1);
	}
	return n + nl;
}

/* ident_status=: ok, error:TYPE (escaped), timeout, refused, ... */
static size_t
audit_status_text(char *buf, size_t len, const struct audit_conn *c)
{
	char raw[IDENT_ERRTYPE_MAX + 8];
	const char *s;
	size_t tl;
	int r;

	switch (c->ident_status) {
	case IDENT_OK:
		s = "ok";
		break;
	case IDENT_ERROR:
		if (c->ident == NULL)
			return audit_escape(buf, len,
			    (const unsigned char *)"error", 5);
		tl = strnlen(c->ident->errtype, sizeof(c->ident->errtype));
		if (tl > IDENT_ERRTYPE_MAX)
			tl = IDENT_ERRTYPE_MAX;
		r = snprintf(raw, sizeof(raw), "error:%.*s", (int)tl,
		    c->ident->errtype);
		if (r < 0 || (size_t)r >= sizeof(raw))
			return 0;
		return audit_escape(buf, len, (const unsigned char *)raw,
		    (size_t)r);
	case IDENT_TIMEOUT:
		s = "timeout";
		break;
	case IDENT_REFUSED:
		s = "refused";
		break;
	case IDENT_UNREACHABLE:
		s = "unreachable";
		break;
	case IDENT_MALFORMED:
		s = "malformed";
		break;
	case IDENT_SKIPPED:
		s = "skipped";
		break;
	default:
		s = "-";
		break;
	}
	return audit_escape(buf, len, (const unsigned char *)s, strlen(s));
}

/*
 * Append the chain fields (sealed mode), then hand the line to log; the
 * mutex makes seq order the log order. line has AUDIT_LINE_MAX bytes and
 * holds len bytes of record.
 */
static int
audit_seal_and_log(struct audit *a, int pri, char *line, size_t len)
{
	unsigned char mac[AUDIT_MAC_BYTES];
	char machex[2 * AUDIT_MAC_BYTES + 1];
	size_t o = len;
	int rv;

	if (a == NULL || !a->sealed)
		return log_record(pri, line, len);
	pthread_mutex_lock(&a->mtx);
	if (a->seq == 0 && audit_append(line, AUDIT_LINE_MAX, &o,
	    " sealed=%s", a->sealedhex) == -1)
		goto toolong;
	if (audit_append(line, AUDIT_LINE_MAX, &o, " epoch=%s seq=%" PRIu64,
	    a->epoch, a->seq) == -1)
		goto toolong;
	audit_chain_mac(a->key, line, o, mac);
	audit_hex(machex, mac, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
	if (audit_append(line, AUDIT_LINE_MAX, &o, " mac=%s", machex) == -1)
		goto toolong;
	audit_chain_next(a->key);
	a->seq++;
	rv = log_record_ordered(pri, line, o);
	pthread_mutex_unlock(&a->mtx);
	return rv;
toolong:
	pthread_mutex_unlock(&a->mtx);
	errno = EMSGSIZE;
	return -1;
}

/* snprintf at buf + *off, bounded by len; -1 (nothing kept) on overflow. */
static int
audit_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
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
