/* SPDX-License-Identifier: ISC */
/*
 * verify_int: the walk's state, shared by verify.c (each record as it
 * comes), verify_run.c (runs of notes), verify_walk.c and verify_ring.c
 * (the chain), verify_end.c (the end: what is missing, the links between
 * epochs) and verify_hosts.c (the hosts and keys, read back). Not an
 * interface: nothing else includes it.
 */
#ifndef DAYTIMED_VERIFY_INT_H
#define DAYTIMED_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"

#define VERIFY_UNSEALED_SHOWN	10	/* unsealed lines listed per host */

enum verify_slot_state {
	VERIFY_SLOT_UNSEEN,	/* walked over: no record of this seq yet */
	VERIFY_SLOT_VERIFIED,
	VERIFY_SLOT_BAD		/* a record came and did not verify */
};

/* One seq behind the walk: its key, and where its record is. */
struct verify_slot {
	unsigned char	 key[CHAIN_KEY_BYTES];
	uint64_t	 seq;
	unsigned long	 line;
	uint32_t	 file;
	uint8_t		 state;
};

/* A record held until its epoch's start record comes. */
struct verify_held {
	char		*text;
	size_t		 len;
	uint64_t	 seq;
	unsigned long	 line;
	uint32_t	 file;
};

enum verify_run_kind {
	VERIFY_RUN_REORDER,	/* came after a higher seq of its file */
	VERIFY_RUN_LATE,	/* came after the ring passed it */
	VERIFY_RUN_FAR,		/* too far past the last verified record */
	VERIFY_RUN_BUDGET,	/* the walk budget was spent */
	VERIFY_RUN_MISSING,	/* walked over, never came */
	VERIFY_RUN_FORGED,	/* far ahead, let go of the hold, and did
				 * not verify: the walk stays */
	VERIFY_RUN_UNSEALED	/* no chain fields, from a sealing host */
};

/* Consecutive records that earn one note between them. */
struct verify_run {
	enum verify_run_kind kind;
	int		 on;
	uint64_t	 first, last;		/* seqs */
	uint32_t	 file;
	unsigned long	 line0, line1;		/* their lines */
	uint64_t	 other;			/* the seq they relate to */
	uint32_t	 other_file;
	unsigned long	 other_line;
};

enum verify_epoch_state {
	VERIFY_EPOCH_UNOPENED,	/* no start record yet: records are held */
	VERIFY_EPOCH_OPEN,	/* walking */
	VERIFY_EPOCH_NOKEY,	/* the secret key does not open it */
	VERIFY_EPOCH_REJECTED	/* not signed by a listed host key */
};

struct verify_epoch {
	uint64_t		 id;
	char			 hex[CHAIN_EPOCH_HEX + 1];
	size_t			 host;
	enum verify_epoch_state	 state;
	int			 version;	/* the chain's, from its start */
	/* the walk: K_cur is the key of seq cur */
	unsigned char		 key[CHAIN_KEY_BYTES];
	uint64_t		 cur;
	int			 has_v;
	uint64_t		 lastv;		/* the highest verified seq */
	uint32_t		 lastv_file;	/* ... and where it is */
	unsigned long		 lastv_line;
	struct verify_slot	*ring;		/* seqs [ring_lo, cur) */
	size_t			 ringcap;	/* a power of two */
	uint64_t		 ring_lo;
	size_t			 unseen;	/* below lastv, no record yet */
	int			 complete;	/* stopped, every seq before
						 * verified: the ring is freed */
	struct verify_held	*held;		/* before the start record */
	size_t			 nheld, capheld;
	size_t			 dropped;	/* not held: over the cap */
	struct verify_held	*ahead;		/* beyond the ring: held */
	size_t			 nahead, capahead;
	unsigned char		 probe[CHAIN_KEY_BYTES]; /* K_probe_seq: the
						 * last check far ahead, so
						 * rising ones step on */
	uint64_t		 probe_seq;
	int			 has_probe;
	/* the start record */
	int			 has_start;
	uint32_t		 start_file;
	unsigned long		 start_line;
	unsigned char		 sealed[CHAIN_SEALED_BYTES];
	int			 has_sealed_to;
	unsigned char		 sealed_to[CHAIN_KEY_BYTES];
	int			 has_prev;
	struct link		 prev;
	enum verify_auth	 auth;
	size_t			 key_index;	/* the listed key that signed */
	int			 has_host_key;
	unsigned char		 host_key[CHAIN_SIGN_PK_BYTES];
	int			 start_verified;
	int			 opening;	/* its start record is walked */
	int			 start_order;	/* ... and verified: its order is
						 * checked after what was held */
	/* what came */
	size_t			 records, verified;
	unsigned long		 findings;
	int			 seen;
	uint64_t		 minseq, maxseq;
	int			 stopped;
	uint64_t		 stop_seq;
	uint32_t		 stop_file;
	unsigned long		 stop_line;
	uint32_t		 first_file;
	unsigned long		 first_line;
	/* time= of verified records */
	int			 has_time;
	uint64_t		 first_us, last_us;	/* the span */
	uint64_t		 tseq, tus;	/* the highest seq's time */
	int			 has_t;
	unsigned long		 backwards;
	/* order: the highest verified seq so far, in the files read */
	int			 ord_on;
	uint64_t		 ord_max;
	uint32_t		 ord_max_file;
	unsigned long		 ord_max_line;
	struct verify_run	 reorder, late, far, budget, missing, forged;
	int			 host_told;	/* other names told */
	/* links, at the end */
	size_t			 rank;		/* its place: verify_rank */
	int			 followed;	/* an epoch names it as prev */
	size_t			 follower;
	int			 end_checked;	/* its end was judged by a link */
	int			 host_linked;	/* its link judged in its host's order */
	int			 unclean;	/* ended without its stop record, as
						 * a later epoch's :run link says */
	int			 running;	/* its host's last, with no stop
						 * record yet: allowed (--running) */
};

struct verify_hostrec {
	char		*name;		/* as the header has it, cut */
	size_t		 namelen;
	const char	*shown;		/* escaped, for printing (in name's
					 * allocation): verify_hostname */
	size_t		 records, verified, unsealed;
	unsigned long	 findings;
	int		 sealing;	/* a sealed record of it has come */
	size_t		 last_epoch;	/* of its last sealed record */
	size_t		 told_epoch;	/* + 1: told as another name of it */
	int		 last_open;	/* ... which was not a stop record */
	uint32_t	 last_file;
	/* unsealed records before its first sealed one */
	size_t		 early;
	uint32_t	 early_file[VERIFY_UNSEALED_SHOWN];
	unsigned long	 early_line[VERIFY_UNSEALED_SHOWN];
	struct verify_run unsealed_run;	/* unsealed after it began sealing */
	/* its epochs, summed once at the end (verify_hosts_end) */
	size_t		 epochs, unauthenticated, unclean, running;
	int		 has_time;
	uint64_t	 first_us, last_us;
	size_t		 signed_, unsigned_;	/* opened: signed unlisted, not */
	size_t		 first_unsigned;	/* an epoch, when unsigned_ */
	size_t		 first_signed;		/* an epoch, when signed_ */
	int		 keys2;		/* signed by two keys or more */
};

struct verify_hkey {
	const char	*name;
	char		*host;		/* the host it is given for, or NULL */
	unsigned char	 pk[CHAIN_SIGN_PK_BYTES];
	size_t		 epochs;	/* opened epochs it signed (at the end) */
};

struct verify {
	unsigned char		 sk[CHAIN_KEY_BYTES];
	unsigned char		 pk[CHAIN_KEY_BYTES];
	verify_note_fn		*note;
	verify_finding_fn	*text;
	void			*note_arg;
	struct verify_hkey	*hkeys;
	size_t			 nhkeys;
	const char		**files;
	size_t			 nfiles;
	struct verify_epoch	*epochs;
	size_t			 nepochs, capepochs;
	unsigned char		 hkey[crypto_shorthash_KEYBYTES]; /* the
						 * tables' SipHash key */
	uint64_t		 probes;	/* of the epoch table (a unit
						 * test reads it) */
	size_t			*etab;		/* index + 1; 0: empty */
	size_t			 etabcap;
	struct verify_hostrec	*hosts;
	size_t			 nhosts, caphosts;
	size_t			*htab;
	size_t			 htabcap;
	uint64_t		 budget;	/* steps left that may verify nothing */
	uint64_t		 steps;
	size_t			 held_bytes;
	size_t			 ring_slots;	/* of every epoch's ring */
	size_t			 ring_slots_max; /* VERIFY_RING_SLOTS_MAX (a
						 * unit test lowers it) */
	size_t			 records, unsealed, overlong;
	unsigned long		 findings, warnings;
	int			 finished;
	int			 running_ok;	/* each host's last epoch may
						 * still be running */
	int			 nomem;
	enum verify_bound	 over;		/* a bound passed: refuse lines */
};

#define VERIFY_AHEAD_MAX	64	/* records held beyond the ring */

/* verify.c */
/* Report a note about epoch ep (NULL: none) or host h (SIZE_MAX: none). */
void	verify_note(struct verify *, enum verify_kind, struct verify_epoch *ep,
	    size_t h, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Room for one more of size in arr (n used of *cap); NULL: no memory. */
void	*verify_grow(void *arr, size_t *cap, size_t n, size_t size);
/* The index of the epoch with this id, or SIZE_MAX. */
size_t	verify_epoch_index(struct verify *, uint64_t id);
/* The host of this name (len bytes, at most VERIFY_HOST_MAX), or SIZE_MAX. */
size_t	verify_host_find(const struct verify *, const char *name, size_t len);
/* Host h's name as text prints it: escaped; "-" without a header. */
const char *verify_hostname(const struct verify *, size_t h);

/* verify_run.c */
/* Add seq (at file:line) to a run, noting the run it ends, if any. */
void	verify_run_add(struct verify *, struct verify_epoch *, size_t host,
	    struct verify_run *, uint64_t seq, uint32_t file,
	    unsigned long line, uint64_t other, uint32_t ofile,
	    unsigned long oline);
/* Note a run and clear it. */
void	verify_run_flush(struct verify *, struct verify_epoch *, size_t host,
	    struct verify_run *);

/* verify_walk.c */
/* A sealed record of an epoch: start, walk, hold. */
void	verify_walk_record(struct verify *, struct verify_epoch *,
	    uint32_t file, unsigned long line, const char *rec, size_t len,
	    const struct verify_fields *);
/* A record of an open epoch (force: walk to it even far ahead). */
void	verify_walk_seq(struct verify *, struct verify_epoch *, uint32_t file,
	    unsigned long line, const char *rec, size_t len,
	    const struct verify_fields *, int force);

/* verify_ring.c */
/* The slot of seq cur, holding K_cur; NULL: no memory, or over the bound. */
struct verify_slot *verify_ring_put(struct verify *, struct verify_epoch *);
/* A record came for the slot (state: verified or bad), at file:line. */
void	verify_ring_mark(struct verify_epoch *, struct verify_slot *,
	    enum verify_slot_state, uint32_t file, unsigned long line);
/* End the walk of an epoch that is complete, and free its ring. */
void	verify_ring_done(struct verify *, struct verify_epoch *);
/* Keep a copy of a record in *arr (bounded: VERIFY_BUFFER_MAX in all). */
void	verify_hold(struct verify *, struct verify_epoch *,
	    struct verify_held **arr, size_t *n, size_t *cap, uint32_t file,
	    unsigned long line, const char *rec, size_t len, uint64_t seq);
/* Walk to the nearest record held ahead when near (or force); 1: one. */
int	verify_ahead_pop(struct verify *, struct verify_epoch *, int force);
/* Walk a held record and free its text. */
void	verify_replay(struct verify *, struct verify_epoch *,
	    struct verify_held *, int force);
/* The end of the walk: every record held ahead, then the ring freed. */
void	verify_walk_end(struct verify *, struct verify_epoch *);
/* Wipe and free an epoch's keys and held records. */
void	verify_walk_free(struct verify_epoch *);

/* verify_end.c */
/* The leftovers, the links between epochs, the hosts, the summary. */
int	verify_end(struct verify *, struct verify_summary *);

/* verify_hosts.c */
/* Each host's epochs summed, its unsealed records noted. */
void	verify_hosts_end(struct verify *);
/* With --host-key: keys that signed nothing, one key per host. */
void	verify_keys_end(struct verify *);

#endif
