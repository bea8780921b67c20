/* SPDX-License-Identifier: ISC */
/*
 * verify_parse: reading a record out of a syslog line, its chain fields
 * and its key=value text. Pure functions over (buffer, length); every
 * byte is untrusted (anyone who can write to the log file wrote it).
 *
 * The record is found by walking the syslog header of the line's layout
 * from its first byte: time stamp, host, program (and for RFC 5424 the
 * PROCID, MSGID and structured data, quotes and escapes honoured). A
 * "daytimed[1]: conn=" inside a value is never looked at, because the
 * header ends before any value begins. The chain fields are read token
 * by token from the end of the record, each in its one place, with exact
 * lengths and one spelling per number.
 */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"

#define TAG		"daytimed"
#define TAGLEN		(sizeof(TAG) - 1)

static int	verify_is_rec(const char *, const char *);
static const char *verify_token_end(const char *, const char *);
static const char *verify_bsd_time(const char *, const char *);
static const char *verify_iso_time(const char *, const char *);
static int	verify_bsd(const char *, const char *, struct verify_header *);
static int	verify_5424(const char *, const char *, struct verify_header *);
static const char *verify_sd(const char *, const char *);
static int	verify_message(const char *, const char *,
		    struct verify_header *);
static int	verify_prev_token(const char *, size_t, size_t *, const char *,
		    const char **, size_t *);
static int	verify_hex_field(const char *, size_t, unsigned char *, size_t);
static int	verify_digits(const char *, size_t, unsigned *);

/* Whether p begins a record: "conn=" or "event=". */
static int
verify_is_rec(const char *p, const char *end)
{
	return ((size_t)(end - p) >= 5 && memcmp(p, "conn=", 5) == 0) ||
	    ((size_t)(end - p) >= 6 && memcmp(p, "event=", 6) == 0);
}

/* The end of the token at p (the next space, or end). */
static const char *
verify_token_end(const char *p, const char *end)
{
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* A record's syslog header, in whichever layout the line has. */
int
verify_header_parse(const char *line, size_t len, struct verify_header *h)
{
	const char *p = line, *end = line + len;

	memset(h, 0, sizeof(*h));
	if (verify_is_rec(p, end)) {
		h->layout = VERIFY_LAYOUT_BARE;
		h->rec = p;
		h->reclen = len;
		return 1;
	}
	if (p < end && *p == '<') {
		/* <PRI>: 1 to 3 digits; "<PRI>1 " begins RFC 5424 */
		for (p++; p < end && p - line < 4 && *p >= '0' && *p <= '9'; p++)
			;
		if (p == line + 1 || p >= end || *p != '>')
			return 0;
		p++;
		if (end - p >= 2 && p[0] == '1' && p[1] == ' ')
			return verify_5424(p + 2, end, h);
	}
	return verify_bsd(p, end, h);
}

/* "Mmm dd hh:mm:ss[.frac]": the end of it, or NULL. */
static const char *
verify_bsd_time(const char *p, const char *end)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t m;

	if (end - p < 15)
		return NULL;
	for (m = 0; m < 12; m++)
		if (memcmp(p, months + 3 * m, 3) == 0)
			break;
	if (m == 12 || p[3] != ' ')
		return NULL;
	p += 4;
	if (*p == ' ')
		p++;		/* "Nov  6": a space-padded day */
	if (end - p < 10 || *p < '0' || *p > '9')
		return NULL;
	p += (p[1] >= '0' && p[1] <= '9') ? 2 : 1;
	if (end - p < 9 || *p != ' ' || p[3] != ':' || p[6] != ':')
		return NULL;
	p += 9;
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			;
	}
	return p;
}

/* "YYYY-MM-DDThh:mm:ss..." as one token: the end of it, or NULL. */
static const char *
verify_iso_time(const char *p, const char *end)
{
	if (end - p < 19 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
	    p[13] != ':' || p[16] != ':' || *p < '0' || *p > '9')
		return NULL;
	return verify_token_end(p, end);
}

/* TIME HOST daytimed[PID]: MSG (traditional and ISO time stamps). */
static int
verify_bsd(const char *p, const char *end, struct verify_header *h)
{
	const char *t = p, *q;

	if ((q = verify_bsd_time(p, end)) != NULL)
		h->layout = VERIFY_LAYOUT_BSD;
	else if ((q = verify_iso_time(p, end)) != NULL)
		h->layout = VERIFY_LAYOUT_ISO;
	else
		return 0;
	h->time = t;
	h->timelen = (size_t)(q - t);
	if (q >= end || *q != ' ')
		return 0;
	p = q + 1;
	q = verify_token_end(p, end);
	if (q == p || q >= end)
		return 0;
	/* a host, unless the tag follows the time (a raw datagram's text) */
	if (!((size_t)(q - p) > TAGLEN && memcmp(p, TAG, TAGLEN) == 0 &&
	    q[-1] == ':' && (p[TAGLEN] == ':' || p[TAGLEN] == '['))) {
		h->host = p;
		h->hostlen = (size_t)(q - p);
		p = q + 1;
	}
	/* the tag: "daytimed:" or "daytimed[DIGITS]:" */
	if ((size_t)(end - p) < TAGLEN + 1 || memcmp(p, TAG, TAGLEN) != 0)
		return 0;
	p += TAGLEN;
	if (*p == '[') {
		for (q = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		if (p == q || p >= end || *p != ']')
			return 0;
		p++;
	}
	if (p >= end || *p != ':')
		return 0;
	return verify_message(p + 1, end, h);
}

/* TIME HOST APP PROCID MSGID SD [MSG], after "<PRI>1 ". */
static int
verify_5424(const char *p, const char *end, struct verify_header *h)
{
	const char *f[5], *fe[5];
	size_t i;

	h->layout = VERIFY_LAYOUT_5424;
	for (i = 0; i < 5; i++) {
		f[i] = p;
		fe[i] = verify_token_end(p, end);
		if (fe[i] == p || fe[i] >= end)
			return 0;
		p = fe[i] + 1;
	}
	h->time = f[0];
	h->timelen = (size_t)(fe[0] - f[0]);
	h->host = f[1];
	h->hostlen = (size_t)(fe[1] - f[1]);
	if ((size_t)(fe[2] - f[2]) != TAGLEN || memcmp(f[2], TAG, TAGLEN) != 0)
		return 0;
	if ((p = verify_sd(p, end)) == NULL || p >= end)
		return 0;
	if (*p != ' ')
		return 0;
	p++;
	if (end - p >= 3 && (unsigned char)p[0] == 0xef &&
	    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3;		/* the UTF-8 BOM RFC 5424 allows */
	return verify_message(p, end, h);
}

/* Structured data: "-" or [ID PARAM="VALUE"...]...; its end, or NULL. */
static const char *
verify_sd(const char *p, const char *end)
{
	int quoted;

	if (p < end && *p == '-')
		return p + 1;
	if (p >= end || *p != '[')
		return NULL;
	while (p < end && *p == '[') {
		quoted = 0;
		for (p++; p < end; p++) {
			if (quoted && *p == '\\') {
				if (++p >= end)
					return NULL;
			} else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p >= end)
			return NULL;
		p++;
	}
	return p;
}

/* After the tag's colon or the SD: spaces, then the record or nothing. */
static int
verify_message(const char *p, const char *end, struct verify_header *h)
{
	while (p < end && *p == ' ')
		p++;
	if (!verify_is_rec(p, end))
		return 0;
	h->rec = p;
	h->reclen = (size_t)(end - p);
	return 1;
}

/* The record in a syslog line, or NULL. */
const char *
verify_find_record(const char *line, size_t len)
{
	struct verify_header h;

	return verify_header_parse(line, len, &h) == 1 ? h.rec : NULL;
}

/*
 * The token before position *end of (s, len), which must be preceded by a
 * space: its key must be key (with '='). On a match, *end moves to that
 * space and the value is returned. 1: matched; 0: another key; -1: none.
 */
static int
verify_prev_token(const char *s, size_t len, size_t *end, const char *key,
    const char **val, size_t *vallen)
{
	size_t e = *end, b = e, kl = strlen(key);

	(void)len;
	while (b > 0 && s[b - 1] != ' ')
		b--;
	if (b == 0)
		return -1;	/* the record's first token is never a field */
	if (e - b < kl + 1 || memcmp(s + b, key, kl) != 0 || s[b + kl] != '=')
		return 0;
	*val = s + b + kl + 1;
	*vallen = e - b - kl - 1;
	*end = b - 1;
	return 1;
}

/* A hex value of exactly n bytes. */
static int
verify_hex_field(const char *v, size_t vl, unsigned char *out, size_t n)
{
	return chain_unhex(out, n, v, vl);
}

/* Skip up to max bytes of s[*i..len) that are in set; how many. */
static size_t
verify_span(const char *s, size_t len, size_t *i, const char *set,
    size_t max)
{
	size_t n = 0;

	while (*i < len && n < max && s[*i] != '\0' &&
	    strchr(set, s[*i]) != NULL) {
		(*i)++;
		n++;
	}
	return n;
}

/* Match s[*i..len) against lit: 1 all of it, 0 the end came first, -1 not. */
static int
verify_lit(const char *s, size_t len, size_t *i, const char *lit)
{
	for (; *lit != '\0'; lit++, (*i)++) {
		if (*i == len)
			return 0;
		if (s[*i] != *lit)
			return -1;
	}
	return 1;
}

int
verify_fields_cut(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *p = NULL, *q;
	size_t i, n;
	int m;

	/* the last " epoch=" */
	for (q = s; (q = memmem(q, len - (size_t)(q - s), " epoch=", 7)) !=
	    NULL; q++)
		p = q;
	if (p == NULL)
		return 0;
	i = (size_t)(p - s) + 7;
	n = verify_span(s, len, &i, hex, CHAIN_EPOCH_HEX);
	if (i == len)
		return 1;
	if (n != CHAIN_EPOCH_HEX || (m = verify_lit(s, len, &i, " seq=")) == -1)
		return 0;
	if (m == 0)
		return 1;
	q = s + i;
	n = verify_span(s, len, &i, "0123456789", 20);
	if (n > 1 && *q == '0')
		return 0;	/* no sequence number is written so */
	if (i == len)
		return 1;
	if (n == 0 || (m = verify_lit(s, len, &i, " mac=")) == -1)
		return 0;
	if (m == 0)
		return 1;
	/* shorter than the MAC the daemon writes (a v2 one) */
	n = verify_span(s, len, &i, hex, 2 * CHAIN_MAC_BYTES);
	return i == len && n < 2 * CHAIN_MAC_BYTES;
}

/* The chain fields, read from the end: 0 parsed, 1 none, -1 broken. */
int
verify_fields_parse(const char *s, size_t len, struct verify_fields *r)
{
	unsigned long long seq;
	const char *v;
	size_t e = len, vl, i;
	int m;

	memset(r, 0, sizeof(*r));
	m = verify_prev_token(s, len, &e, "mac", &v, &vl);
	if (m != 1) {
		if (memmem(s, len, " mac=", 5) != NULL ||
		    memmem(s, len, " epoch=", 7) != NULL)
			return -1;	/* chain fields, but not at the end */
		return 1;
	}
	r->version = vl == 2 * CHAIN_MAC_BYTES ? 2 : 1;
	if (verify_hex_field(v, vl, r->mac, r->version == 2 ? CHAIN_MAC_BYTES :
	    CHAIN_MAC1_BYTES) == -1)
		return -1;
	r->maclen = e;
	if (verify_prev_token(s, len, &e, "seq", &v, &vl) != 1 ||
	    vl == 0 || (vl > 1 && v[0] == '0') ||
	    compat_parse_uint(v, vl, UINT64_MAX, &seq) == -1)
		return -1;
	r->seq = seq;
	if (verify_prev_token(s, len, &e, "epoch", &v, &vl) != 1 ||
	    vl != CHAIN_EPOCH_HEX)
		return -1;
	for (i = 0; i < CHAIN_EPOCH_HEX; i++) {
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return -1;
		r->epoch_id = r->epoch_id << 4 | (uint64_t)(v[i] <= '9' ?
		    v[i] - '0' : v[i] - 'a' + 10);
	}
	memcpy(r->epoch, v, CHAIN_EPOCH_HEX);
	r->epoch[CHAIN_EPOCH_HEX] = '\0';
	/* the optional fields, each in its one place */
	if ((m = verify_prev_token(s, len, &e, "time", &v, &vl)) == 1) {
		if (verify_time_parse(v, vl, &r->time_us) == -1)
			return -1;
		r->has_time = 1;
		r->time = v;
	}
	if (m != -1 && (m = verify_prev_token(s, len, &e, "sig", &v, &vl)) == 1) {
		if (verify_hex_field(v, vl, r->sig, CHAIN_SIG_BYTES) == -1)
			return -1;
		r->has_sig = 1;
	}
	if (m != -1 &&
	    (m = verify_prev_token(s, len, &e, "host_key", &v, &vl)) == 1) {
		if (verify_hex_field(v, vl, r->host_key,
		    CHAIN_SIGN_PK_BYTES) == -1)
			return -1;
		r->has_host_key = 1;
	}
	if (m != -1 &&
	    (m = verify_prev_token(s, len, &e, "sealed", &v, &vl)) == 1) {
		/* an old record's broken sealed= was only not a sealed key */
		r->has_sealed = verify_hex_field(v, vl, r->sealed,
		    CHAIN_SEALED_BYTES) == 0;
		if (!r->has_sealed && r->has_sig)
			return -1;
	}
	if (m != -1 &&
	    (m = verify_prev_token(s, len, &e, "sealed_to", &v, &vl)) == 1) {
		if (verify_hex_field(v, vl, r->sealed_to, CHAIN_KEY_BYTES) == -1)
			return -1;
		r->has_sealed_to = 1;
	}
	if (m != -1 && (m = verify_prev_token(s, len, &e, "prev", &v, &vl)) == 1) {
		if (link_parse(v, vl, &r->prev) == -1)
			return -1;
		r->has_prev = 1;
		r->prev_text = v;
		r->prev_len = vl;
	}
	if (r->has_sig && (!r->has_host_key || !r->has_sealed ||
	    !r->has_sealed_to))
		return -1;	/* a signature signs all of the head */
	r->bodylen = e;
	r->is_stop = len >= 10 && memcmp(s, "event=stop", 10) == 0 &&
	    (len == 10 || s[10] == ' ');
	return 0;
}

/* The key=value at *pos: bare or quoted value, then one space or the end. */
int
verify_kv_next(const char *s, size_t len, size_t *pos, struct verify_kv *kv)
{
	size_t p = *pos, k;

	if (p >= len)
		return 0;
	for (k = p; k < len && ((s[k] >= 'a' && s[k] <= 'z') ||
	    (s[k] >= '0' && s[k] <= '9') || s[k] == '_'); k++)
		;
	if (k == p || k >= len || s[k] != '=')
		return -1;
	kv->key = s + p;
	kv->keylen = k - p;
	p = k + 1;
	kv->val = s + p;
	if (p < len && s[p] == '"') {
		for (p++; p < len && s[p] != '"'; p++)
			if (s[p] == '\\' && ++p >= len)
				return -1;
		if (p >= len)
			return -1;
		p++;
	} else {
		while (p < len && s[p] != ' ' && s[p] != '"')
			p++;
		if (p == (size_t)(kv->val - s))
			return -1;	/* an empty value is written "" */
	}
	kv->vallen = (size_t)(s + p - kv->val);
	if (p < len) {
		if (s[p] != ' ' || p + 1 >= len)
			return -1;
		p++;
	}
	*pos = p;
	return 1;
}

/* Two lowercase hex digits, as record_escape writes them. */
static int
verify_hexpair(const char *p, unsigned char *out)
{
	int i, v = 0;

	for (i = 0; i < 2; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			v = v << 4 | (p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v = v << 4 | (p[i] - 'a' + 10);
		else
			return -1;
	}
	*out = (unsigned char)v;
	return 0;
}

/* A value's bytes: bare as is, quoted with \" \\ \xHH undone. */
long
verify_unescape(const char *v, size_t vl, unsigned char *out, size_t outlen)
{
	size_t i, o = 0;

	if (vl == 0 || v[0] != '"') {
		if (vl > outlen) {
			memcpy(out, v, outlen);	/* a prefix, as a quoted one's */
			return -1;
		}
		memcpy(out, v, vl);
		return (long)vl;
	}
	if (vl < 2 || v[vl - 1] != '"')
		return -1;
	for (i = 1; i < vl - 1; i++) {
		if (o >= outlen)
			return -1;
		if (v[i] == '"')
			return -1;
		if (v[i] != '\\') {
			out[o++] = (unsigned char)v[i];
			continue;
		}
		if (i + 1 >= vl - 1)
			return -1;
		if (v[i + 1] == '"' || v[i + 1] == '\\') {
			out[o++] = (unsigned char)v[++i];
		} else if (v[i + 1] == 'x' && i + 3 < vl - 1 &&
		    verify_hexpair(v + i + 2, &out[o]) == 0) {
			o++;
			i += 3;
		} else
			return -1;
	}
	return (long)o;
}

/* n decimal digits at p into *v. */
static int
verify_digits(const char *p, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" to microseconds since 1970 (UTC). */
int
verify_time_parse(const char *s, size_t len, uint64_t *us)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, frac;
	int64_t yy, era, yoe, doy, doe, days;

	if (len != CHAIN_TIME_LEN || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
	    s[26] != 'Z' || verify_digits(s, 4, &y) == -1 ||
	    verify_digits(s + 5, 2, &mo) == -1 ||
	    verify_digits(s + 8, 2, &d) == -1 ||
	    verify_digits(s + 11, 2, &h) == -1 ||
	    verify_digits(s + 14, 2, &mi) == -1 ||
	    verify_digits(s + 17, 2, &sec) == -1 ||
	    verify_digits(s + 20, 6, &frac) == -1)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	/* days from the civil date (Howard Hinnant's algorithm) */
	yy = (int64_t)y - (mo <= 2);
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * ((int64_t)mo + (mo > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	*us = ((uint64_t)days * 86400 + (uint64_t)h * 3600 + (uint64_t)mi * 60 +
	    sec) * 1000000 + frac;
	return 0;
}
