/* SPDX-License-Identifier: ISC */
/*
 * chain: the sealed MAC chain of audit records, its epochs and their
 * signatures. libsodium only: no log, no libevent, no threads (the
 * caller serializes chain_seal with the hand-off of the sealed line, so
 * that seq order is log order).
 *
 * The definition (chain v2). chain_open draws a random 32-byte epoch key
 * K0 (in sodium_malloc'd, locked memory) and a random 8-byte epoch id,
 * and seals K0 to the auditor's X25519 public key with crypto_box_seal.
 * chain_seal then ends each record with
 *     " time=T epoch=ID seq=N mac=HEX"
 * where T is the record's UTC time, "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", and
 *     A_N || K_{N+1} = ChaCha20(key = K_N, nonce = CHAIN_NONCE), 64 bytes
 *     mac = Poly1305(key = A_N, text)         (16 bytes: 32 hex digits)
 * for the record text up to and including the digits of N (everything
 * before " mac="). K_N and A_N are then wiped: whoever takes the host
 * later holds only the current key and cannot recompute the MAC of a
 * record already sent. Each A_N authenticates one record, as Poly1305
 * requires; K_{N+1} does not depend on the record, so a verifier can
 * step over records that are missing. (ChaCha20 and Poly1305 cost here a
 * fifth of what two keyed BLAKE2b calls do: the verifier checks a
 * million records a second on one core.)
 *
 * The record with seq=0 (normally event=start) also carries, before
 * " time=", the epoch's head:
 *     " prev=LINK sealed_to=PK sealed=HEX[ host_key=HK sig=SIG]"
 * prev= names the previous epoch (audit/link.h; absent when the daemon
 * keeps no state), sealed_to= the auditor's public key, sealed= K0 sealed
 * to it. With a host signing key, host_key= is the host's Ed25519 public
 * key and sig= its signature of the epoch message (chain_epoch_message:
 * the chain version, the id, prev, sealed_to, sealed and host_key), made
 * when the epoch is opened: the secret key is needed only then.
 *
 * Chain v1, the first release's, is still read: its records end
 * "[ sealed=HEX] epoch=ID seq=N mac=HEX" with a 64-digit mac,
 * mac = BLAKE2b-256(key = K_N, text) and K_{N+1} = BLAKE2b-256(key = K_N,
 * CHAIN_STEP_V1), whose first byte, NUL, no record holds.
 */
#ifndef DAYTIMED_CHAIN_H
#define DAYTIMED_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "audit/link.h"

#define CHAIN_KEY_BYTES		32	/* K_n, and the auditor's X25519 keys */
#define CHAIN_MAC_BYTES		16	/* Poly1305 (v2) */
#define CHAIN_MAC1_BYTES	32	/* BLAKE2b-256 (v1) */
#define CHAIN_EPOCH_BYTES	8	/* epoch id, written as 16 hex digits */
#define CHAIN_EPOCH_HEX		(2 * CHAIN_EPOCH_BYTES)
#define CHAIN_SEALED_BYTES	(CHAIN_KEY_BYTES + crypto_box_SEALBYTES)
#define CHAIN_SIGN_PK_BYTES	crypto_sign_PUBLICKEYBYTES	/* 32 */
#define CHAIN_SIGN_SK_BYTES	crypto_sign_SECRETKEYBYTES	/* 64 */
#define CHAIN_SIG_BYTES		crypto_sign_BYTES		/* 64 */
#define CHAIN_KEYFILE_LEN	(2 * CHAIN_KEY_BYTES + 1) /* hex + newline */
#define CHAIN_TIME_LEN		27	/* 2026-11-26T10:32:52.123456Z */
/* The longest epoch head: prev=, sealed_to=, sealed=, host_key=, sig=. */
#define CHAIN_HEAD_MAX		(6 + LINK_TEXT_MAX + \
				 11 + 2 * CHAIN_KEY_BYTES + \
				 8 + 2 * CHAIN_SEALED_BYTES + \
				 10 + 2 * CHAIN_SIGN_PK_BYTES + \
				 5 + 2 * CHAIN_SIG_BYTES)
/* The fields every record gets: time=, epoch=, seq=, mac=. */
#define CHAIN_TAIL_MAX		(6 + CHAIN_TIME_LEN + \
				 7 + CHAIN_EPOCH_HEX + 5 + 20 + \
				 5 + 2 * CHAIN_MAC_BYTES)
/* The longest text chain_seal appends (to seq 0): the head and the tail. */
#define CHAIN_FIELDS_MAX	(CHAIN_HEAD_MAX + CHAIN_TAIL_MAX)
/* The signed epoch message (chain_epoch_message), at most. */
#define CHAIN_MESSAGE_MAX	(64 + CHAIN_HEAD_MAX)

struct chain;	/* one epoch: K_seq, seq, the id and the head */

/* What an epoch starts from. */
struct chain_start {
	const unsigned char	*auditor;	/* X25519 public key */
	const char		*auditor_name;	/* names it in messages */
	const unsigned char	*sign_sk;	/* Ed25519 secret key, or NULL */
	const struct link	*prev;		/* NULL: no prev= field */
};

/*
 * Start an epoch: draw K0 and the id, seal K0, sign the epoch message
 * when st->sign_sk is given (the caller may wipe that key as soon as this
 * returns). NULL with a message in err on failure.
 */
struct chain *chain_open(const struct chain_start *st, char *err,
	    size_t errlen);
/* Wipe the key and free. */
void	chain_close(struct chain *);
/*
 * Append the chain fields, with the time now_us (microseconds since the
 * Unix epoch, UTC), to the record in line (*len bytes of size), MAC it
 * and step the key. -1 when they do not fit: nothing changes.
 */
int	chain_seal(struct chain *, uint64_t now_us, char *line, size_t size,
	    size_t *len);
/* The epoch's id (16 hex digits and a NUL) and the next seq to seal. */
void	chain_position(const struct chain *, char epoch[CHAIN_EPOCH_HEX + 1],
	    uint64_t *next);

/*
 * One step of chain v2: A_n into mackey, and K_n replaced by K_{n+1} in
 * place (the old key is wiped). mackey may be NULL (a step over).
 */
void	chain_step(unsigned char key[CHAIN_KEY_BYTES],
	    unsigned char mackey[CHAIN_KEY_BYTES]);
/* mac = Poly1305 keyed with A_n over (text, len): chain v2. */
void	chain_mac(const unsigned char mackey[CHAIN_KEY_BYTES], const char *text,
	    size_t len, unsigned char mac[CHAIN_MAC_BYTES]);
/* mac = BLAKE2b-256 keyed with K_n over (text, len): chain v1. */
void	chain_mac_v1(const unsigned char key[CHAIN_KEY_BYTES], const char *text,
	    size_t len, unsigned char mac[CHAIN_MAC1_BYTES]);
/* Replace K_n with K_{n+1} of chain v1 in place; the old key is wiped. */
void	chain_next_v1(unsigned char key[CHAIN_KEY_BYTES]);
/*
 * The time field's text for us (microseconds, UTC); its length or -1
 * (no room, or past year 9999). No zone is consulted: POSIX time.
 */
int	chain_time_format(uint64_t us, char *buf, size_t len);
/* The civil date (proleptic Gregorian) days after 1970-01-01. */
void	chain_civil(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/*
 * The message a host signs for an epoch: its id, prev text (NULL: no
 * prev= field), the auditor's key, the sealed K0 and the host's public
 * key. Its length, or -1 when buf is too small.
 */
int	chain_epoch_message(char *buf, size_t len, const char *epoch,
	    const char *prev, const unsigned char sealed_to[CHAIN_KEY_BYTES],
	    const unsigned char sealed[CHAIN_SEALED_BYTES],
	    const unsigned char host_key[CHAIN_SIGN_PK_BYTES]);

/* Lowercase hex of (src, len) into dst (2 * len + 1 bytes). */
void	chain_hex(char *dst, const unsigned char *src, size_t len);
/* Parse exactly 2 * len lowercase hex digits from src into dst; 0 or -1. */
int	chain_unhex(unsigned char *dst, size_t len, const char *src,
	    size_t srclen);

#endif
