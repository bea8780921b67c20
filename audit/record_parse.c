/* SPDX-License-Identifier: ISC */
/*
 * record_parse: the key=value text of a record, read back strictly (the
 * grammar is at the top of record_parse.h). The fields are split by
 * verify_kv_next, the one reader of the record grammar (audit/verify.h);
 * this file adds what counting needs on top: a cap on fields, a key
 * given twice refused, and values that hold only the bytes the grammar
 * in record_parse.h allows. A malformed record is refused whole, never
 * guessed at.
 */
#include "autoconf.h"

#include <string.h>

#include "audit/record_parse.h"
#include "audit/verify.h"

#define RECORD_PARSE_PLAIN	0x2	/* 0x21..0x7e other than '"' and '\\'; '='
					   too, which record.c never writes raw */
#define RECORD_PARSE_QUOTED	0x4	/* plain, or a space: raw in quotes */

/* The byte classes above, one table lookup per byte. */
static const unsigned char record_parse_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 6, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* ' ' .. '/' */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* '0' .. '?' */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* '@' .. 'O' */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 6, 6, 6,	/* 'P' .. '_' */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* '`' .. 'o' */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0,	/* 'p' .. DEL */
};

static const char *record_parse_value_check(const char *, size_t);
static const char *record_parse_why(const char *, size_t, size_t);
static int	record_parse_hex(unsigned char);
static int	record_parse_dup(const struct record_fields *, const char *,
		    size_t);

/* Split a record into its fields; -1 with *why when it is malformed. */
int
record_parse(const char *rec, size_t len, struct record_fields *out,
    const char **why)
{
	struct verify_kv kv;
	struct record_field *f;
	size_t pos = 0, at;
	const char *dummy;
	int k;

	if (why == NULL)
		why = &dummy;
	out->n = 0;
	if (len == 0) {
		*why = "empty record";
		return -1;
	}
	for (at = pos; (k = verify_kv_next(rec, len, &pos, &kv)) == 1;
	    at = pos) {
		if (out->n == RECORD_FIELDS_MAX) {
			*why = "too many fields";
			return -1;
		}
		if (kv.keylen > RECORD_KEY_MAX) {
			*why = "key too long";
			return -1;
		}
		if (record_parse_dup(out, kv.key, kv.keylen)) {
			*why = "a key given twice";
			return -1;
		}
		if ((*why = record_parse_value_check(kv.val, kv.vallen)) != NULL)
			return -1;
		f = &out->f[out->n++];
		f->key = kv.key;
		f->keylen = kv.keylen;
		f->val = kv.val;
		f->vallen = kv.vallen;
		f->quoted = kv.val[0] == '"';
	}
	if (k == -1) {
		*why = record_parse_why(rec, len, at);
		return -1;
	}
	return 0;
}

/* NULL when a value holds only what record_escape writes; else why not. */
static const char *
record_parse_value_check(const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i;

	if (s[0] != '"') {
		for (i = 0; i < n; i++)
			if (!(record_parse_class[s[i]] & RECORD_PARSE_PLAIN))
				return s[i] == '\\' ?
				    "a quote or backslash in a bare value" :
				    "a raw control or high byte in a value";
		return NULL;
	}
	for (i = 1; i + 1 < n; i++) {
		if (s[i] == '\\') {
			if (s[i + 1] == '"' || s[i + 1] == '\\')
				i++;
			else if (i + 4 < n && s[i + 1] == 'x' &&
			    record_parse_hex(s[i + 2]) != -1 &&
			    record_parse_hex(s[i + 3]) != -1)
				i += 3;
			else
				return "a bad escape in a quoted value";
		} else if (!(record_parse_class[s[i]] & RECORD_PARSE_QUOTED))
			return "a raw control or high byte in a value";
	}
	return NULL;
}

/* Why the field at pos did not split (verify_kv_next says only -1). */
static const char *
record_parse_why(const char *s, size_t len, size_t pos)
{
	const char *eq = memchr(s + pos, '=', len - pos);
	size_t v;

	if (pos > 0 && s[pos - 1] == ' ' && (pos == len || s[pos] == ' '))
		return "no single space between fields";
	if (eq == NULL)
		return "a field without '='";
	if (eq == s + pos)
		return "a field without a key";
	if (memchr(s + pos, ' ', (size_t)(eq - (s + pos))) != NULL)
		return "a field without '='";
	v = (size_t)(eq - s) + 1;
	if (v == len || s[v] == ' ')
		return "an empty value";
	if (s[v] == '"')
		return memchr(s + v + 1, '"', len - v - 1) == NULL ?
		    "an unterminated quote" : "text after a closing quote";
	return "a bad key, or a quote in a bare value";
}

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

/* A value's bytes, unescaped into dst (verify_unescape); -1: no room. */
long
record_parse_value(char *dst, size_t dstlen, const struct record_field *f)
{
	return verify_unescape(f->val, f->vallen, (unsigned char *)dst,
	    dstlen);
}
