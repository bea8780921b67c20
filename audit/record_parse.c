/* SPDX-License-Identifier: ISC */
/*
 * record_parse: the key=value text of a record, read back strictly (the
 * grammar is at the top of record_parse.h). One pass, byte by byte, no
 * allocation; a malformed record is refused whole, never guessed at.
 */
#include "autoconf.h"

#include <string.h>

#include "audit/record_parse.h"

#define RECORD_PARSE_KEY	0x1	/* a byte a key may hold */
#define RECORD_PARSE_PLAIN	0x2	/* 0x21..0x7e other than '"' and '\\' */
#define RECORD_PARSE_QUOTED	0x4	/* plain, or a space: raw in quotes */

/* The byte classes above, one table lookup per byte. */
static const unsigned char record_parse_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 6, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 6,	/* ' ' .. '/' */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6,	/* '0' .. '?' */
	6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* '@' .. 'O' */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 0, 6, 6, 7,	/* 'P' .. '_' */
	6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* '`' .. 'o' */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 0,	/* 'p' .. DEL */
};

static int	record_parse_hex(unsigned char);
static int	record_parse_quoted(const char *, size_t, size_t *,
		    const char **);
static int	record_parse_dup(const struct record_fields *, const char *,
		    size_t);

/* A lowercase hex digit's value, or -1. */
static int
record_parse_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Split a record into its fields; -1 with *why when it is malformed. */
int
record_parse(const char *rec, size_t len, struct record_fields *out,
    const char **why)
{
	const unsigned char *s = (const unsigned char *)rec;
	struct record_field *f;
	size_t i = 0, k;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	out->n = 0;
	if (len == 0) {
		*why = "empty record";
		return -1;
	}
	while (i < len) {
		if (out->n == RECORD_FIELDS_MAX) {
			*why = "too many fields";
			return -1;
		}
		f = &out->f[out->n];
		f->key = rec + i;
		for (k = i; k < len &&
		    (record_parse_class[s[k]] & RECORD_PARSE_KEY); k++)
			if (k - i == RECORD_KEY_MAX) {
				*why = "key too long";
				return -1;
			}
		if (k == i || k == len || s[k] != '=') {
			*why = k == i ? "a field without a key" :
			    "a key without '='";
			return -1;
		}
		f->keylen = k - i;
		if (record_parse_dup(out, f->key, f->keylen)) {
			*why = "a key given twice";
			return -1;
		}
		i = k + 1;
		f->val = rec + i;
		if (i < len && s[i] == '"') {
			f->quoted = 1;
			if (record_parse_quoted(rec, len, &i, why) == -1)
				return -1;
		} else {
			f->quoted = 0;
			for (k = i; k < len &&
			    (record_parse_class[s[k]] & RECORD_PARSE_PLAIN); k++)
				;
			if (k < len && s[k] != ' ') {
				*why = s[k] == '"' || s[k] == '\\' ?
				    "a quote or backslash in a bare value" :
				    "a raw control or high byte in a value";
				return -1;
			}
			if (k == i) {
				*why = "an empty value";
				return -1;
			}
			i = k;
		}
		f->vallen = (size_t)(rec + i - f->val);
		out->n++;
		if (i == len)
			break;
		if (s[i] != ' ' || i + 1 == len) {
			*why = "no single space between fields";
			return -1;
		}
		i++;
	}
	return 0;
}

/* Past a quoted value starting at *pos (the opening quote). */
static int
record_parse_quoted(const char *rec, size_t len, size_t *pos,
    const char **why)
{
	const unsigned char *s = (const unsigned char *)rec;
	size_t i = *pos + 1;

	while (i < len) {
		if (s[i] == '"') {
			*pos = i + 1;
			return 0;
		}
		if (s[i] == '\\') {
			if (i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\'))
				i += 2;
			else if (i + 3 < len && s[i + 1] == 'x' &&
			    record_parse_hex(s[i + 2]) != -1 &&
			    record_parse_hex(s[i + 3]) != -1)
				i += 4;
			else {
				*why = "a bad escape in a quoted value";
				return -1;
			}
		} else if (record_parse_class[s[i]] & RECORD_PARSE_QUOTED)
			i++;
		else {
			*why = "a raw control or high byte in a value";
			return -1;
		}
	}
	*why = "an unterminated quote";
	return -1;
}

/* Whether a key of the fields so far equals (key, len). */
static int
record_parse_dup(const struct record_fields *r, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->f[i].keylen == len && r->f[i].key[0] == key[0] &&
		    memcmp(r->f[i].key, key, len) == 0)
			return 1;
	return 0;
}

/* The field named key, or NULL. */
const struct record_field *
record_parse_get(const struct record_fields *r, const char *key)
{
	size_t i, kl = strlen(key);

	for (i = 0; i < r->n; i++)
		if (r->f[i].keylen == kl && memcmp(r->f[i].key, key, kl) == 0)
			return &r->f[i];
	return NULL;
}

/* A value's bytes, unescaped into dst; -1 when they do not fit. */
long
record_parse_value(char *dst, size_t dstlen, const struct record_field *f)
{
	const unsigned char *s = (const unsigned char *)f->val;
	size_t i, end, o = 0;

	if (!f->quoted) {
		if (f->vallen > dstlen) {
			memcpy(dst, f->val, dstlen);
			return -1;
		}
		memcpy(dst, f->val, f->vallen);
		return (long)f->vallen;
	}
	end = f->vallen - 1;	/* the closing quote */
	for (i = 1; i < end; o++) {
		if (o == dstlen)
			return -1;
		if (s[i] != '\\')
			dst[o] = (char)s[i++];
		else if (s[i + 1] == 'x') {
			dst[o] = (char)(record_parse_hex(s[i + 2]) << 4 |
			    record_parse_hex(s[i + 3]));
			i += 4;
		} else {
			dst[o] = (char)s[i + 1];
			i += 2;
		}
	}
	return (long)o;
}
