/* SPDX-License-Identifier: ISC */
/*
 * record_parse: reading the key=value text of an audit record back, the
 * inverse of record.c. Pure functions over (buffer, length); every byte
 * is untrusted (anyone who can write to a log file wrote it), so the
 * grammar is the one record.c writes, looser by one byte only: a raw
 * '=' in a value, which record.c writes as \x3d, is taken (the split is
 * at a key's first '=', so it is never ambiguous, and report_config.c
 * reads -T's quoted FILE, which may hold one, through here):
 *
 *   record  = field *( " " field )          one space between fields
 *   field   = key "=" value
 *   key     = 1*64( "a".."z" / "0".."9" / "_" )
 *   value   = bare / quoted
 *   bare    = 1*plain                        0x21..0x7e but '"' and '\\'
 *   quoted  = '"' *( plain / " " / '\"' / '\\' / "\x" HEX HEX ) '"'
 *
 * HEX is a lowercase hex digit: one spelling per byte, as the escaper
 * writes it. The split is verify_kv_next's (audit/verify.h), the one
 * reader of this text; on top of it a key may appear once (a second
 * "decision=" is a forgery, never "the last one wins"), a record has at
 * most RECORD_FIELDS_MAX fields, and a value holds only the bytes above
 * (no control byte, no byte past 0x7e, no other spelling of a byte).
 * Values stay as they are in the text (pointers into it); the
 * caller unescapes the ones it needs with record_parse_value.
 */
#ifndef DAYTIMED_RECORD_PARSE_H
#define DAYTIMED_RECORD_PARSE_H

#include <stddef.h>

#define RECORD_FIELDS_MAX	40	/* fields in one record */
#define RECORD_KEY_MAX		64	/* bytes of one key */

/* One key=value of a record, pointing into the record's text. */
struct record_field {
	const char	*key;
	size_t		 keylen;
	const char	*val;		/* quotes included when quoted */
	size_t		 vallen;
	int		 quoted;
};

/* The fields of one record, in text order. */
struct record_fields {
	struct record_field	 f[RECORD_FIELDS_MAX];
	size_t			 n;
};

/*
 * Split (rec, len) into fields. 0: parsed; -1: malformed, *why (when
 * why is not NULL) says how in a few static words.
 */
int	record_parse(const char *rec, size_t len, struct record_fields *out,
	    const char **why);
/* The field named key (a C string), or NULL. */
const struct record_field *record_parse_get(const struct record_fields *,
	    const char *key);
/*
 * The bytes a field's value stands for, unescaped, into (dst, dstlen).
 * Returns their number, or -1 when they do not fit (dst then holds a
 * prefix). No NUL is written. The value must come from record_parse.
 */
long	record_parse_value(char *dst, size_t dstlen,
	    const struct record_field *);

#endif
