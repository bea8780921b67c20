/* SPDX-License-Identifier: ISC */
/*
 * chain_fixture: sealed epochs made with the real chain code, as lines
 * of a syslog file, for the verifier's suites; and a verifier run over
 * such lines that keeps every note.
 */
#ifndef DAYTIMED_CHAIN_FIXTURE_H
#define DAYTIMED_CHAIN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"

#define FIX_LINES_MAX	256
#define FIX_LINE_MAX	2400
#define FIX_NOTES_MAX	64

/* Lines of a log file. */
struct fix_log {
	char	 line[FIX_LINES_MAX][FIX_LINE_MAX];
	size_t	 n;
};

/* What one epoch is made of. */
struct fix_epoch {
	const char		*prefix;	/* the syslog header */
	const unsigned char	*auditor;	/* X25519 public key */
	const unsigned char	*sign;		/* Ed25519 secret key, or NULL */
	const struct link	*prev;		/* NULL: no prev= */
	int			 n;		/* records: start, conns, stop */
	int			 stop;		/* end with event=stop */
	uint64_t		 t0;		/* time of seq 0; +1 s per record */
	char			 id[CHAIN_EPOCH_HEX + 1];	/* out: its id */
	uint64_t		 last;		/* out: its last seq */
};

/* The keys of a test: an auditor's pair, two hosts' pairs. */
struct fix_keys {
	unsigned char	 pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char	 hpk[CHAIN_SIGN_PK_BYTES], hsk[CHAIN_SIGN_SK_BYTES];
	unsigned char	 hpk2[CHAIN_SIGN_PK_BYTES], hsk2[CHAIN_SIGN_SK_BYTES];
};

/* What a run of the verifier said. */
struct fix_run {
	struct verify_summary	 s;
	char			 note[FIX_NOTES_MAX][768];
	int			 kind[FIX_NOTES_MAX];
	size_t			 nnotes;
};

/* Receives a line as it is sealed (NUL-terminated; len: its length). */
typedef void fix_line_fn(void *arg, const char *line, size_t len);

/* Fresh keys. */
void	fix_keys(struct fix_keys *);
/* Append one epoch's lines to log (fills e->id and e->last). */
void	fix_epoch(struct fix_log *, struct fix_epoch *);
/* One epoch's lines, each to fn as it is sealed (fills e->id, e->last). */
void	fix_epoch_lines(struct fix_epoch *, fix_line_fn *, void *arg);
/*
 * Fill e and append its epoch to log: n records under prefix, sealed to
 * k's auditor, signed by sign (or not), linked to prev (or no prev=).
 */
void	fix_make(struct fix_log *, struct fix_epoch *e, const struct fix_keys *k,
	    const char *prefix, const unsigned char *sign,
	    const struct link *prev, int n, int stop, uint64_t t0);
/* A link to epoch e (its last seq, stopped or not). */
void	fix_link(struct link *, const struct fix_epoch *e, int stopped);
/* Remove line i of log. */
void	fix_delete(struct fix_log *, size_t i);
/* Insert text as line i of log. */
void	fix_insert(struct fix_log *, size_t i, const char *text);
/*
 * Run the verifier over log as file "log" with sk (and the host keys,
 * NULL-terminated, may be NULL); keep the notes and the summary in r.
 * Returns the finished verifier (the caller frees it).
 */
struct verify *fix_run(struct fix_run *r, const struct fix_log *,
	    const unsigned char *sk, const unsigned char *const *hostkeys);
/*
 * fix_run over two files read in turn: the first split lines of log as
 * "log.1", the rest as "log" (a rotation, oldest first).
 */
struct verify *fix_run2(struct fix_run *r, const struct fix_log *,
	    size_t split, const unsigned char *sk,
	    const unsigned char *const *hostkeys);
/* The index of the first note containing text, or -1. */
int	fix_find(const struct fix_run *, const char *text);
/* The run's findings are want[0..n), in order, and no other. */
void	fix_expect(const struct fix_run *, const char *const *want, size_t n);

#endif
