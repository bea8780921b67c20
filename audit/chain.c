/* SPDX-License-Identifier: ISC */
/*
 * chain: epoch keys, the MAC chain and its fields, and the auditor's key
 * files (the definition is in chain.h). Needs libsodium and libc only.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/record.h"

#define CHAIN_STEP	"\0daytimed audit chain step v1"

struct chain {
	unsigned char	*key;			/* K_seq, sodium_malloc'd */
	uint64_t	 seq;
	char		 epoch[CHAIN_EPOCH_HEX + 1];
	char		 sealedhex[2 * CHAIN_SEALED_BYTES + 1];
};

/* Draw K0 and the epoch id; seal K0 to pub. */
struct chain *
chain_open(const unsigned char pub[CHAIN_KEY_BYTES], const char *keyname,
    char *err, size_t errlen)
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
	if (crypto_box_seal(sealed, ch->key, CHAIN_KEY_BYTES, pub) != 0) {
		snprintf(err, errlen, "%s: cannot seal to this key", keyname);
		goto fail;
	}
	chain_hex(ch->epoch, epoch, sizeof(epoch));
	chain_hex(ch->sealedhex, sealed, sizeof(sealed));
	ch->seq = 0;
	return ch;
fail:
	chain_close(ch);
	return NULL;
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

/* Append [sealed=] epoch= seq= mac= to line, then step the key. */
int
chain_seal(struct chain *ch, char *line, size_t size, size_t *len)
{
	unsigned char mac[CHAIN_MAC_BYTES];
	char machex[2 * CHAIN_MAC_BYTES + 1];
	size_t o = *len;

	if (ch->seq == 0 && record_append(line, size, &o, " sealed=%s",
	    ch->sealedhex) == -1)
		goto toolong;
	if (record_append(line, size, &o, " epoch=%s seq=%" PRIu64,
	    ch->epoch, ch->seq) == -1)
		goto toolong;
	chain_mac(ch->key, line, o, mac);
	chain_hex(machex, mac, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
	if (record_append(line, size, &o, " mac=%s", machex) == -1)
		goto toolong;
	chain_next(ch->key);
	ch->seq++;
	*len = o;
	return 0;
toolong:
	if (*len < size)
		line[*len] = '\0';
	return -1;
}

/* mac = BLAKE2b-256 keyed with K_n over (text, len). */
void
chain_mac(const unsigned char key[CHAIN_KEY_BYTES], const char *text,
    size_t len, unsigned char mac[CHAIN_MAC_BYTES])
{
	crypto_generichash(mac, CHAIN_MAC_BYTES, (const unsigned char *)text,
	    len, key, CHAIN_KEY_BYTES);
}

/* K_{n+1} = BLAKE2b-256 keyed with K_n over the step constant; wipe K_n. */
void
chain_next(unsigned char key[CHAIN_KEY_BYTES])
{
	unsigned char next[CHAIN_KEY_BYTES];

	crypto_generichash(next, sizeof(next),
	    (const unsigned char *)CHAIN_STEP, sizeof(CHAIN_STEP) - 1, key,
	    CHAIN_KEY_BYTES);
	memcpy(key, next, CHAIN_KEY_BYTES);
	sodium_memzero(next, sizeof(next));
}

/* Read and strictly parse a key file (64 lowercase hex digits, newline). */
int
chain_key_load(const char *path, unsigned char key[CHAIN_KEY_BYTES],
    char *err, size_t errlen)
{
	char buf[CHAIN_KEYFILE_LEN + 1];
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
	rv = chain_key_parse(buf, got, key);
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
chain_key_parse(const char *buf, size_t len, unsigned char key[CHAIN_KEY_BYTES])
{
	if (len != CHAIN_KEYFILE_LEN || buf[len - 1] != '\n')
		return -1;
	return chain_unhex(key, CHAIN_KEY_BYTES, buf, len - 1);
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

/* Exactly 2 * len lowercase hex digits from (src, srclen) into dst. */
int
chain_unhex(unsigned char *dst, size_t len, const char *src, size_t srclen)
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
