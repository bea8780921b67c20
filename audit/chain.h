/* SPDX-License-Identifier: ISC */
/*
 * chain: the sealed MAC chain of audit records, the auditor's key files
 * and their hex. libsodium only: no log, no libevent, no threads (the
 * caller serializes chain_seal with the hand-off of the sealed line, so
 * that seq order is log order).
 *
 * The definition. chain_open draws a random 32-byte epoch key K0 (in
 * sodium_malloc'd, locked memory) and a random 8-byte epoch id, and seals
 * K0 to the auditor's X25519 public key with crypto_box_seal. chain_seal
 * then ends each record with
 *     " epoch=ID seq=N mac=HEX"
 * where, for the record text T up to and including the digits of N
 * (everything before " mac="), mac = BLAKE2b-256(key = K_N, T). The
 * record with seq=0 (normally event=start) also carries " sealed=HEX"
 * (the sealed K0) just before " epoch=", inside T. After each record
 * K_{N+1} = BLAKE2b-256(key = K_N, CHAIN_STEP) and K_N is wiped: whoever
 * takes the host later cannot recompute the MAC of a record already sent.
 * The step constant begins with a NUL byte, which no record holds, so a
 * MAC and a key step never hash the same message.
 */
#ifndef DAYTIMED_CHAIN_H
#define DAYTIMED_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define CHAIN_KEY_BYTES		32	/* K_n, and the auditor's X25519 keys */
#define CHAIN_MAC_BYTES		32	/* BLAKE2b-256 */
#define CHAIN_EPOCH_BYTES	8	/* epoch id, written as 16 hex digits */
#define CHAIN_EPOCH_HEX		(2 * CHAIN_EPOCH_BYTES)
#define CHAIN_SEALED_BYTES	(CHAIN_KEY_BYTES + crypto_box_SEALBYTES)
#define CHAIN_KEYFILE_LEN	(2 * CHAIN_KEY_BYTES + 1) /* hex + newline */
/* The longest text chain_seal appends: sealed=, epoch=, seq=, mac=. */
#define CHAIN_FIELDS_MAX	(8 + 2 * CHAIN_SEALED_BYTES + \
				 7 + CHAIN_EPOCH_HEX + 5 + 20 + \
				 5 + 2 * CHAIN_MAC_BYTES)

struct chain;	/* one epoch: K_seq, seq, the id and the sealed K0 */

/*
 * Start an epoch sealed to the auditor's public key pub (keyname names
 * it in messages). Returns NULL with a message in err on failure.
 */
struct chain *chain_open(const unsigned char pub[CHAIN_KEY_BYTES],
	    const char *keyname, char *err, size_t errlen);
/* Wipe the key and free. */
void	chain_close(struct chain *);
/*
 * Append the chain fields to the record in line (*len bytes of size),
 * MAC it and step the key. -1 when they do not fit: nothing changes.
 */
int	chain_seal(struct chain *, char *line, size_t size, size_t *len);

/* mac = BLAKE2b-256 keyed with K_n over (text, len). */
void	chain_mac(const unsigned char key[CHAIN_KEY_BYTES], const char *text,
	    size_t len, unsigned char mac[CHAIN_MAC_BYTES]);
/* Replace K_n with K_{n+1} in place; the old key is wiped. */
void	chain_next(unsigned char key[CHAIN_KEY_BYTES]);

/*
 * Read a key file: exactly 64 lowercase hex digits and a newline.
 * Returns 0, or -1 with "PATH: reason" in err.
 */
int	chain_key_load(const char *path, unsigned char key[CHAIN_KEY_BYTES],
	    char *err, size_t errlen);
/* Parse (buf, len) holding a key file's bytes; 0 or -1. Pure. */
int	chain_key_parse(const char *buf, size_t len,
	    unsigned char key[CHAIN_KEY_BYTES]);
/* Lowercase hex of (src, len) into dst (2 * len + 1 bytes). */
void	chain_hex(char *dst, const unsigned char *src, size_t len);
/* Parse exactly 2 * len lowercase hex digits from src into dst; 0 or -1. */
int	chain_unhex(unsigned char *dst, size_t len, const char *src,
	    size_t srclen);

#endif
