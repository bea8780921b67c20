/* SPDX-License-Identifier: ISC */
/*
 * verify_parse: reading a record out of a syslog line, and its chain
 * fields. Pure functions over (buffer, length); every byte is untrusted
 * (anyone who can write to the log file wrote it), so the fields are
 * taken from the end of the record, the last occurrence of each key,
 * with exact lengths and one spelling per number.
 */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/verify.h"

static int	verify_token(const char *, size_t, const char *, size_t *);

/* Where the record starts in a syslog line, or NULL. */
const char *
verify_find_record(const char *line, size_t len)
{
	static const char tag[] = "daytimed[";
	const char *p, *end = line + len, *q;
	size_t i;

	p = memmem(line, len, tag, sizeof(tag) - 1);
	if (p != NULL) {
		q = p + sizeof(tag) - 1;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q + 3 <= end && q > p + sizeof(tag) - 1 &&
		    memcmp(q, "]: ", 3) == 0) {
			q += 3;
			if ((size_t)(end - q) >= 5 && (memcmp(q, "conn=", 5) == 0 ||
			    ((size_t)(end - q) >= 6 && memcmp(q, "event=", 6) == 0)))
				return q;
			return NULL;	/* a daytimed message, not a record */
		}
	}
	for (i = 0; i < len; i++) {
		if (i > 0 && line[i - 1] != ' ')
			continue;
		if ((len - i >= 5 && memcmp(line + i, "conn=", 5) == 0) ||
		    (len - i >= 6 && memcmp(line + i, "event=", 6) == 0))
			return line + i;
	}
	return NULL;
}

/* The chain fields of a record: 0 parsed, 1 none, -1 broken. */
int
verify_fields_parse(const char *s, size_t len, struct verify_fields *r)
{
	unsigned long long seq;
	size_t macpos, seqpos, eppos, sealpos, i;
	const char *m;

	memset(r, 0, sizeof(*r));
	if (verify_token(s, len, " mac=", &macpos) == -1) {
		if (verify_token(s, len, " epoch=", &eppos) == -1)
			return 1;
		return -1;
	}
	if (len - macpos - 5 != 2 * CHAIN_MAC_BYTES ||
	    chain_unhex(r->mac, CHAIN_MAC_BYTES, s + macpos + 5,
	    2 * CHAIN_MAC_BYTES) == -1)
		return -1;
	r->maclen = macpos;
	if (verify_token(s, macpos, " seq=", &seqpos) == -1)
		return -1;
	if (compat_parse_uint(s + seqpos + 5, macpos - seqpos - 5, UINT64_MAX,
	    &seq) == -1)
		return -1;
	if (macpos - seqpos - 5 > 1 && s[seqpos + 5] == '0')
		return -1;	/* one spelling per number */
	r->seq = seq;
	if (verify_token(s, seqpos, " epoch=", &eppos) == -1 ||
	    seqpos - eppos - 7 != CHAIN_EPOCH_HEX)
		return -1;
	m = s + eppos + 7;
	for (i = 0; i < CHAIN_EPOCH_HEX; i++)
		if (!((m[i] >= '0' && m[i] <= '9') ||
		    (m[i] >= 'a' && m[i] <= 'f')))
			return -1;
	memcpy(r->epoch, m, CHAIN_EPOCH_HEX);
	r->epoch[CHAIN_EPOCH_HEX] = '\0';
	if (verify_token(s, eppos, " sealed=", &sealpos) == 0 &&
	    eppos - sealpos - 8 == 2 * CHAIN_SEALED_BYTES &&
	    chain_unhex(r->sealed, CHAIN_SEALED_BYTES, s + sealpos + 8,
	    2 * CHAIN_SEALED_BYTES) == 0)
		r->has_sealed = 1;
	r->is_stop = len >= 10 && memcmp(s, "event=stop", 10) == 0 &&
	    (len == 10 || s[10] == ' ');
	return 0;
}

/* The last occurrence of key in (s, len); its offset in *pos. */
static int
verify_token(const char *s, size_t len, const char *key, size_t *pos)
{
	size_t kl = strlen(key), i;

	if (len < kl)
		return -1;
	for (i = len - kl + 1; i-- > 0;)
		if (memcmp(s + i, key, kl) == 0) {
			*pos = i;
			return 0;
		}
	return -1;
}
