/* SPDX-License-Identifier: ISC */
/*
 * chain: epoch keys, the epoch head and its signature, the MAC chain and
 * its fields (the definition is in chain.h). Needs libsodium and libc
 * only.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/record.h"

#define CHAIN_STEP_V1	"\0daytimed audit chain step v1"
#define CHAIN_NONCE	"dtchain2"	/* ChaCha20's 8-byte nonce, v2 */
#define CHAIN_MESSAGE_TAG	"daytimed-audit epoch v1\nchain=2\n"

_Static_assert(crypto_onetimeauth_BYTES == CHAIN_MAC_BYTES &&
    crypto_onetimeauth_KEYBYTES == CHAIN_KEY_BYTES &&
    crypto_stream_chacha20_KEYBYTES == CHAIN_KEY_BYTES &&
    crypto_stream_chacha20_NONCEBYTES == sizeof(CHAIN_NONCE) - 1,
    "chain v2 is ChaCha20 and Poly1305 on 32-byte keys");

struct chain {
	unsigned char	*key;			/* K_seq, sodium_malloc'd */
	uint64_t	 seq;
	char		 epoch[CHAIN_EPOCH_HEX + 1];
	char		 head[CHAIN_HEAD_MAX + 1];	/* seq 0's extra fields */
};

static int	chain_head(struct chain *, const struct chain_start *,
		    const unsigned char *, char *, size_t);

/* Draw K0 and the epoch id; seal K0 to the auditor; sign the epoch. */
struct chain *
chain_open(const struct chain_start *st, char *err, size_t errlen)
{
	unsigned char sealed[CHAIN_SEALED_BYTES];
	unsigned char epoch[CHAIN_EPOCH_BYTES];
	struct chain *ch;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "audit: libsodium initialization failed");
		return NULL;
	}
	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		snprintf(err, errlen, "audit: out of memory");
		return NULL;
	}
	if ((ch->key = sodium_malloc(CHAIN_KEY_BYTES)) == NULL) {
		snprintf(err, errlen, "audit: cannot allocate locked memory");
		goto fail;
	}
	randombytes_buf(ch->key, CHAIN_KEY_BYTES);
	randombytes_buf(epoch, sizeof(epoch));
	if (crypto_box_seal(sealed, ch->key, CHAIN_KEY_BYTES,
	    st->auditor) != 0) {
		snprintf(err, errlen, "%s: cannot seal to this key",
		    st->auditor_name);
		goto fail;
	}
	chain_hex(ch->epoch, epoch, sizeof(epoch));
	if (chain_head(ch, st, sealed, err, errlen) == -1)
		goto fail;
	ch->seq = 0;
	return ch;
fail:
	chain_close(ch);
	return NULL;
}

/*
 * The head seq 0 carries: prev=, sealed_to=, sealed=, and with a signing
 * key host_key= and sig= over chain_epoch_message.
 */
static int
chain_head(struct chain *ch, const struct chain_start *st,
    const unsigned char *sealed, char *err, size_t errlen)
{
	unsigned char pk[CHAIN_SIGN_PK_BYTES], sig[CHAIN_SIG_BYTES];
	char prev[LINK_TEXT_MAX], msg[CHAIN_MESSAGE_MAX];
	char h1[2 * CHAIN_SEALED_BYTES + 1], h2[2 * CHAIN_SIG_BYTES + 1];
	size_t o = 0;
	int ml;

	ch->head[0] = '\0';
	if (st->prev != NULL) {
		if (link_format(st->prev, prev, sizeof(prev)) == -1 ||
		    record_append(ch->head, sizeof(ch->head), &o, " prev=%s",
		    prev) == -1)
			goto bad;
	}
	chain_hex(h1, st->auditor, CHAIN_KEY_BYTES);
	if (record_append(ch->head, sizeof(ch->head), &o, " sealed_to=%s", h1)
	    == -1)
		goto bad;
	chain_hex(h1, sealed, CHAIN_SEALED_BYTES);
	if (record_append(ch->head, sizeof(ch->head), &o, " sealed=%s", h1)
	    == -1)
		goto bad;
	if (st->sign_sk == NULL)
		return 0;
	crypto_sign_ed25519_sk_to_pk(pk, st->sign_sk);
	if ((ml = chain_epoch_message(msg, sizeof(msg), ch->epoch,
	    st->prev != NULL ? prev : NULL, st->auditor, sealed, pk)) == -1 ||
	    crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
	    (unsigned long long)ml, st->sign_sk) != 0)
		goto bad;
	chain_hex(h1, pk, sizeof(pk));
	chain_hex(h2, sig, sizeof(sig));
	if (record_append(ch->head, sizeof(ch->head), &o, " host_key=%s sig=%s",
	    h1, h2) == -1)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "audit: cannot make the epoch's first fields");
	return -1;
}

/* The message a host signs for an epoch, one "key=value" line each. */
int
chain_epoch_message(char *buf, size_t len, const char *epoch,
    const char *prev, const unsigned char sealed_to[CHAIN_KEY_BYTES],
    const unsigned char sealed[CHAIN_SEALED_BYTES],
    const unsigned char host_key[CHAIN_SIGN_PK_BYTES])
{
	char a[2 * CHAIN_KEY_BYTES + 1], s[2 * CHAIN_SEALED_BYTES + 1];
	char h[2 * CHAIN_SIGN_PK_BYTES + 1];
	int n;

	chain_hex(a, sealed_to, CHAIN_KEY_BYTES);
	chain_hex(s, sealed, CHAIN_SEALED_BYTES);
	chain_hex(h, host_key, CHAIN_SIGN_PK_BYTES);
	n = snprintf(buf, len, "%sepoch=%.*s\nprev=%s\nsealed_to=%s\n"
	    "sealed=%s\nhost_key=%s\n", CHAIN_MESSAGE_TAG, CHAIN_EPOCH_HEX,
	    epoch, prev != NULL ? prev : "-", a, s, h);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Wipe the chain key and free. */
void
chain_close(struct chain *ch)
{
	if (ch == NULL)
		return;
	if (ch->key != NULL)
		sodium_free(ch->key);	/* wipes before freeing */
	free(ch);
}

/* Append [head] time= epoch= seq= mac= to line, then step the key. */
int
chain_seal(struct chain *ch, uint64_t now_us, char *line, size_t size,
    size_t *len)
{
	unsigned char mac[CHAIN_MAC_BYTES], a[CHAIN_KEY_BYTES];
	char machex[2 * CHAIN_MAC_BYTES + 1], t[CHAIN_TIME_LEN + 1];
	struct record_out w;
	size_t o = *len;

	record_out_init(&w, line, size, o);
	if (ch->seq == 0)
		record_out_str(&w, ch->head);
	if (chain_time_format(now_us, t, sizeof(t)) == -1)
		goto toolong;
	record_out_str(&w, " time=");
	record_out_str(&w, t);
	record_out_str(&w, " epoch=");
	record_out_str(&w, ch->epoch);
	record_out_str(&w, " seq=");
	record_out_uint(&w, ch->seq);
	o = w.off;
	if (w.full || o + 5 + 2 * CHAIN_MAC_BYTES >= size)
		goto toolong;	/* checked before the key moves */
	chain_step(ch->key, a);
	chain_mac(a, line, o, mac);
	sodium_memzero(a, sizeof(a));
	chain_hex(machex, mac, sizeof(mac));
	record_out_str(&w, " mac=");
	record_out_str(&w, machex);
	o = w.off;
	ch->seq++;
	*len = o;
	return 0;
toolong:
	if (*len < size)
		line[*len] = '\0';
	return -1;
}

/* The epoch id and the seq the next record will get. */
void
chain_position(const struct chain *ch, char epoch[CHAIN_EPOCH_HEX + 1],
    uint64_t *next)
{
	memcpy(epoch, ch->epoch, CHAIN_EPOCH_HEX + 1);
	*next = ch->seq;
}

/* v in exactly width decimal digits, leading zeros kept (v < 10^width). */
static void
chain_digits(char *d, unsigned v, int width)
{
	while (width-- > 0) {
		d[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * The civil date days after 1970-01-01 (proleptic Gregorian; Howard
 * Hinnant's civil_from_days). Arithmetic only: POSIX time has no leap
 * seconds, whatever zone (a right/ one) the C library has loaded.
 */
void
chain_civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z, era, doe, yoe, doy, mp;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" for us microseconds since 1970, UTC. */
int
chain_time_format(uint64_t us, char *buf, size_t len)
{
	uint64_t s = us / 1000000;
	int64_t y;
	unsigned m, d, sod = (unsigned)(s % 86400);

	if (len <= CHAIN_TIME_LEN)
		return -1;
	chain_civil((int64_t)(s / 86400), &y, &m, &d);
	if (y > 9999)
		return -1;
	chain_digits(buf, (unsigned)y, 4);
	buf[4] = '-';
	chain_digits(buf + 5, m, 2);
	buf[7] = '-';
	chain_digits(buf + 8, d, 2);
	buf[10] = 'T';
	chain_digits(buf + 11, sod / 3600, 2);
	buf[13] = ':';
	chain_digits(buf + 14, sod / 60 % 60, 2);
	buf[16] = ':';
	chain_digits(buf + 17, sod % 60, 2);
	buf[19] = '.';
	chain_digits(buf + 20, (unsigned)(us % 1000000), 6);
	buf[26] = 'Z';
	buf[27] = '\0';
	return CHAIN_TIME_LEN;
}

/* A_n || K_{n+1} = ChaCha20(K_n, CHAIN_NONCE): A_n out, K_n replaced. */
void
chain_step(unsigned char key[CHAIN_KEY_BYTES],
    unsigned char mackey[CHAIN_KEY_BYTES])
{
	unsigned char out[2 * CHAIN_KEY_BYTES];

	crypto_stream_chacha20(out, sizeof(out),
	    (const unsigned char *)CHAIN_NONCE, key);
	if (mackey != NULL)
		memcpy(mackey, out, CHAIN_KEY_BYTES);
	memcpy(key, out + CHAIN_KEY_BYTES, CHAIN_KEY_BYTES);
	sodium_memzero(out, sizeof(out));
}

/* mac = Poly1305 keyed with A_n over (text, len). */
void
chain_mac(const unsigned char mackey[CHAIN_KEY_BYTES], const char *text,
    size_t len, unsigned char mac[CHAIN_MAC_BYTES])
{
	crypto_onetimeauth(mac, (const unsigned char *)text, len, mackey);
}

/* v1: mac = BLAKE2b-256 keyed with K_n over (text, len). */
void
chain_mac_v1(const unsigned char key[CHAIN_KEY_BYTES], const char *text,
    size_t len, unsigned char mac[CHAIN_MAC1_BYTES])
{
	crypto_generichash(mac, CHAIN_MAC1_BYTES, (const unsigned char *)text,
	    len, key, CHAIN_KEY_BYTES);
}

/* v1: K_{n+1} = BLAKE2b-256 keyed with K_n over the step; wipe K_n. */
void
chain_next_v1(unsigned char key[CHAIN_KEY_BYTES])
{
	unsigned char next[CHAIN_KEY_BYTES];

	crypto_generichash(next, sizeof(next),
	    (const unsigned char *)CHAIN_STEP_V1, sizeof(CHAIN_STEP_V1) - 1,
	    key, CHAIN_KEY_BYTES);
	memcpy(key, next, CHAIN_KEY_BYTES);
	sodium_memzero(next, sizeof(next));
}

/* Lowercase hex of (src, len); dst holds 2 * len + 1 bytes. */
void
chain_hex(char *dst, const unsigned char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 0xf];
	}
	dst[2 * len] = '\0';
}

/*
 * The value of a lowercase hex digit, or 16: a table, because the
 * verifier decodes a MAC per record and branches cost.
 */
static const unsigned char chain_hexval[256] = {
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

/* Exactly 2 * len lowercase hex digits from (src, srclen) into dst. */
int
chain_unhex(unsigned char *dst, size_t len, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned hi, lo, bad = 0;
	size_t i;

	if (srclen != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = chain_hexval[s[2 * i]];
		lo = chain_hexval[s[2 * i + 1]];
		bad |= (hi | lo) & 16;
		dst[i] = (unsigned char)(hi << 4 | (lo & 15));
	}
	return bad ? -1 : 0;
}
