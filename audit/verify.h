/* SPDX-License-Identifier: ISC */
/*
 * verify: reading sealed audit records back out of syslog files, and
 * checking their chains. Pure: lines go in as (buffer, length), notes
 * come out through a callback as text, and the hosts and epochs can be
 * read back after the walk; no files, no stdout, no exit.
 *
 * Reading (verify_parse.c) is for any tool that reads records:
 * verify_header_parse finds the record by the syslog header of every
 * layout daytimed's records are stored in, never inside a value;
 * verify_fields_parse reads the chain fields; verify_kv_next and
 * verify_unescape read key=value text back to bytes.
 *
 * The walk (verify.c, verify_end.c) is what `daytimed-audit verify`
 * reports. It streams: records are checked as they come, in one pass,
 * with per epoch one key and a ring of the last VERIFY_RING keys (so a
 * record out of place by fewer is still checked), and its work is bounded
 * by the last verified record: a key is walked at most VERIFY_GAP_MAX
 * records past it, and walks that verify nothing spend a budget of
 * VERIFY_WALK_BUDGET steps for the whole run. An epoch's ring is freed
 * once its stop record and every record before it have verified. What is
 * kept per epoch and per host is bounded by their numbers,
 * VERIFY_EPOCHS_MAX and VERIFY_HOSTS_MAX, and the rings of the epochs not
 * yet complete by VERIFY_RING_SLOTS_MAX keys in all (more is an error,
 * not a finding); the end's work grows as n log n in the epochs.
 */
#ifndef DAYTIMED_VERIFY_H
#define DAYTIMED_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "audit/chain.h"
#include "audit/link.h"

#define VERIFY_RING		1024		/* keys kept behind the walk */
#define VERIFY_GAP_MAX		(1ULL << 20)	/* walked past the last verified */
#define VERIFY_WALK_BUDGET	(1ULL << 22)	/* steps that verified nothing */
#define VERIFY_BUFFER_MAX	(64u << 20)	/* bytes held for unopened epochs */
#define VERIFY_EPOCHS_MAX	(1u << 20)	/* epochs held (some 2 KB each) */
#define VERIFY_HOSTS_MAX	(1u << 16)	/* hosts held */
#define VERIFY_HOST_MAX		255		/* bytes of a host name kept */
/*
 * Ring slots held at once by the epochs not yet complete: 224 MiB at 56
 * bytes a slot, 4096 full rings. A complete epoch (its stop record and
 * every record before it verified) holds none, so genuine input comes
 * near this only with more than 4096 epochs open together, each 512
 * records or more into its walk: a central log of that many busy hosts
 * whose epochs are all still running, or that many crashes (an epoch
 * that ends without its stop record keeps its ring to the end of the
 * input); such a log is verified a part at a time (by host). Without
 * the bound, input that has only a start record and one record 1023
 * seqs later per epoch (anyone with the auditor's public key can mint
 * them) holds 57 KB for each of VERIFY_EPOCHS_MAX epochs, some 60 GB.
 */
#define VERIFY_RING_SLOTS_MAX	(1u << 22)

/* ---- reading */

/* The syslog layouts verify_header_parse reads. */
enum verify_layout {
	VERIFY_LAYOUT_BARE,	/* the message alone: journalctl -o cat */
	VERIFY_LAYOUT_BSD,	/* "Mmm dd hh:mm:ss HOST daytimed[PID]: MSG":
				 * rsyslog's traditional format, BSD syslogd,
				 * journalctl -o short (also with "<PRI>") */
	VERIFY_LAYOUT_ISO,	/* "2026-11-26T10:32:52... HOST daytimed[PID]:
				 * MSG": RSYSLOG_FileFormat, journalctl -o
				 * short-iso */
	VERIFY_LAYOUT_5424	/* "<PRI>1 TIME HOST daytimed PROCID MSGID SD
				 * MSG": RFC 5424 (rsyslog's
				 * SyslogProtocol23Format, syslog-ng's
				 * flags(syslog-protocol)) */
};

/* A syslog line's header, as pointers into the line. */
struct verify_header {
	enum verify_layout	 layout;
	const char		*time;		/* the header's time stamp */
	size_t			 timelen;	/* 0: none (bare) */
	const char		*host;
	size_t			 hostlen;	/* 0: none (bare) */
	const char		*rec;		/* from conn= or event= on */
	size_t			 reclen;
};

/*
 * Read a syslog line's header. 1: the line is a daytimed record (the
 * header names the program daytimed and the message begins "conn=" or
 * "event="; a bare line begins so itself): h is filled. 0: it is not.
 */
int	verify_header_parse(const char *line, size_t len,
	    struct verify_header *h);
/* Where the record starts in a syslog line, or NULL (the same rules). */
const char *verify_find_record(const char *line, size_t len);

/*
 * The chain fields at the end of a sealed record, read from the end:
 * "[ prev=L][ sealed_to=K][ sealed=S][ host_key=H][ sig=G][ time=T]
 * epoch=ID seq=N mac=M", M of 32 hex digits (chain v2) or 64 (chain v1,
 * the first release's). Pointers point into the record.
 */
struct verify_fields {
	size_t		 maclen;	/* bytes of the record the mac covers */
	size_t		 bodylen;	/* bytes before the first chain field */
	uint64_t	 seq;
	int		 version;	/* the chain's: 2, or 1 (64-digit mac) */
	unsigned char	 mac[CHAIN_MAC1_BYTES];	/* CHAIN_MAC_BYTES used in v2 */
	char		 epoch[CHAIN_EPOCH_HEX + 1];
	uint64_t	 epoch_id;	/* the same 16 digits as a number */
	int		 has_time;
	uint64_t	 time_us;
	const char	*time;		/* CHAIN_TIME_LEN bytes */
	int		 has_sealed;	/* sealed holds the sealed K0 */
	unsigned char	 sealed[CHAIN_SEALED_BYTES];
	int		 has_sealed_to;
	unsigned char	 sealed_to[CHAIN_KEY_BYTES];
	int		 has_host_key;
	unsigned char	 host_key[CHAIN_SIGN_PK_BYTES];
	int		 has_sig;
	unsigned char	 sig[CHAIN_SIG_BYTES];
	int		 has_prev;
	struct link	 prev;
	const char	*prev_text;	/* the prev= value as written */
	size_t		 prev_len;
	int		 is_stop;	/* an event=stop record */
};

/*
 * Parse the chain fields at the end of a record (rec, len). 0: parsed;
 * 1: no chain fields (an unsealed record); -1: chain fields present but
 * broken.
 */
int	verify_fields_parse(const char *rec, size_t len, struct verify_fields *);
/*
 * 1 when rec (len bytes) ends inside its last chain fields, as the start
 * of a record that a broken stream connection tore does: from its last
 * " epoch=" on it is a proper prefix of " epoch=HEX seq=N mac=HEX". 0
 * otherwise.
 */
int	verify_fields_cut(const char *rec, size_t len);

/* One key=value of a record, as pointers into it. */
struct verify_kv {
	const char	*key;
	size_t		 keylen;
	const char	*val;		/* quotes included when quoted */
	size_t		 vallen;
};

/*
 * The key=value at *pos of (rec, len); *pos moves past it and its
 * separating space. 1: one read; 0: the end; -1: malformed text there.
 */
int	verify_kv_next(const char *rec, size_t len, size_t *pos,
	    struct verify_kv *kv);
/*
 * A value's bytes, as record_escape wrote them: bare, or quoted with
 * \" \\ \xHH. Returns the length written to out, or -1 when malformed
 * or longer than outlen (out then holds a prefix: outlen bytes, or what
 * came before the fault).
 */
long	verify_unescape(const char *val, size_t vallen, unsigned char *out,
	    size_t outlen);
/* A time= value, "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", to microseconds; 0 or -1. */
int	verify_time_parse(const char *s, size_t len, uint64_t *us);

/* ---- the walk */

enum verify_kind {
	VERIFY_FINDING,		/* the trail is not intact: exit 1 */
	VERIFY_WARNING		/* worth knowing; intact is still intact */
};

/* One note: a finding or a warning, one line of text. */
struct verify_note {
	enum verify_kind	 kind;
	const char		*host;	/* the host it concerns, or NULL */
	const char		*text;
};

/* Receives each note. */
typedef void verify_note_fn(void *arg, const struct verify_note *);
/* Receives each note as one line of text ("warning: " before warnings). */
typedef void verify_finding_fn(void *arg, const char *text);

/* How an epoch's origin stands. */
enum verify_auth {
	VERIFY_AUTH_UNSIGNED,	/* no signature (no signing key, old record) */
	VERIFY_AUTH_UNLISTED,	/* signed, by a key no --host-key names */
	VERIFY_AUTH_LISTED,	/* signed by a listed host key */
	VERIFY_AUTH_BAD,	/* a signature that does not verify */
	VERIFY_AUTH_REJECTED	/* host keys were given and it is not signed
				 * by one: not walked */
};

/* The numbers behind the summary lines. */
struct verify_summary {
	size_t		 records;	/* sealed records read */
	size_t		 epochs;
	size_t		 hosts;
	size_t		 verified;	/* records whose mac verified, once each */
	size_t		 unsealed;	/* daytimed records without chain fields */
	size_t		 overlong;	/* lines too long to read */
	unsigned long	 findings;
	unsigned long	 warnings;
	size_t		 mismatched;	/* epochs the secret key does not open */
	size_t		 opened;	/* epochs it opened */
	size_t		 rejected;	/* epochs no listed host key signed */
	size_t		 unauthenticated; /* opened, not signed by a listed key */
	size_t		 unclean;	/* ended without a stop record, as a
					 * later epoch's :run link says: a
					 * warning each; records after the
					 * position saved not vouched for */
	size_t		 running;	/* each host's last epoch, with no
					 * stop record yet, under
					 * verify_running: a warning each */
	int		 secret_is_public; /* the "secret key" is the public one */
	uint64_t	 steps;		/* key steps taken: the walk's work */
};

/* One host, as the records' syslog headers name it. */
struct verify_host_info {
	const char	*name;		/* "" for lines without a header */
	const char	*shown;		/* name escaped as record_escape does,
					 * "-" for none: the one to print */
	size_t		 epochs;
	size_t		 records;
	size_t		 verified;
	size_t		 unsealed;
	unsigned long	 findings;
	size_t		 unauthenticated;	/* its epochs not signed by a listed key */
	size_t		 unclean;	/* its epochs that ended uncleanly */
	size_t		 running;	/* 1: its last epoch is still open */
	int		 has_time;
	char		 first[CHAIN_TIME_LEN + 1];	/* its records' time= span */
	char		 last[CHAIN_TIME_LEN + 1];
};

/* One epoch, after the walk. */
struct verify_epoch_info {
	char		 id[CHAIN_EPOCH_HEX + 1];
	const char	*host;
	const char	*shown;		/* host, as verify_host_info's */
	size_t		 records;
	size_t		 verified;
	unsigned long	 findings;
	uint64_t	 first_seq;	/* lowest and highest seq seen */
	uint64_t	 last_seq;
	int		 opened;	/* the secret key opened its sealed key */
	int		 stopped;	/* its stop record verified */
	int		 unclean;	/* no stop record; a later :run link
					 * says it ended there uncleanly */
	int		 running;	/* its host's last, no stop record
					 * yet, under verify_running */
	enum verify_auth auth;
	const char	*key_name;	/* the listed host key that signed it */
	int		 has_prev;
	struct link	 prev;
	int		 has_time;
	char		 first[CHAIN_TIME_LEN + 1];	/* time= span, verified */
	char		 last[CHAIN_TIME_LEN + 1];
	unsigned long	 backwards;	/* times a verified time went back */
	const char	*start_file;	/* where its start record is */
	unsigned long	 start_line;	/* 0: not seen */
};

struct verify;	/* the walk so far */

/*
 * A verifier holding the auditor's secret key sk (the same bytes as the
 * key file; a public key given by mistake is told apart when the records
 * name their auditor key), telling each note as text to the callback
 * (may be NULL); NULL: out of memory.
 */
struct verify *verify_new(const unsigned char sk[CHAIN_KEY_BYTES],
	    verify_finding_fn *, void *arg);
/* Tell each note, with its kind and host, to this callback instead. */
void	verify_notes(struct verify *, verify_note_fn *, void *arg);
/*
 * The daemons still run: each host's last epoch may lack its stop
 * record. That is then a warning, not a finding; what comes after its
 * last record is not vouched for (a cut there cannot be told from a
 * daemon still writing). Only for an epoch signed by a listed host key,
 * the last that key signed (the times in the MACs) and the last of its
 * header's name: give host keys. Before the first verify_line.
 */
void	verify_running(struct verify *);
/*
 * Trust a host's public key (repeatable; name, e.g. its file, must
 * outlive v). With at least one, epochs signed by none of them are
 * rejected. Call before the first line. -1: out of memory.
 */
int	verify_host_key(struct verify *, const char *name,
	    const unsigned char pk[CHAIN_SIGN_PK_BYTES]);
/*
 * verify_host_key for one host: host (a syslog header's name, at most
 * VERIFY_HOST_MAX bytes, copied) is the only name its epochs
 * may carry, and the only key that host's epochs may be signed by.
 * -2: the key was given for another host, or the host with another key.
 */
int	verify_host_key_for(struct verify *, const char *name,
	    const char *host, const unsigned char pk[CHAIN_SIGN_PK_BYTES]);
/* Why a line was refused (verify_line -2): the bound the input passed. */
enum verify_bound {
	VERIFY_BOUND_NONE,
	VERIFY_BOUND_EPOCHS,	/* more than VERIFY_EPOCHS_MAX epochs */
	VERIFY_BOUND_HOSTS,	/* more than VERIFY_HOSTS_MAX hosts */
	VERIFY_BOUND_RING	/* more than VERIFY_RING_SLOTS_MAX ring slots */
};
/*
 * Read one line (without its line end) of file at lineno: a sealed
 * record is checked, a daytimed record without chain fields noted.
 * file must outlive v. -1: out of memory; -2: the line would make more
 * epochs, hosts or ring slots than are held (verify_over says which):
 * the input cannot be verified whole, and every later line is refused
 * too.
 */
int	verify_line(struct verify *, const char *file, unsigned long lineno,
	    const char *line, size_t len);
/* After -2: which bound the input passed. */
enum verify_bound verify_over(const struct verify *);
/*
 * A line longer than the reader keeps: head is its first bytes. A
 * daytimed record never is that long: a finding when head is one, a
 * warning otherwise. -1: out of memory; -2: as verify_line.
 */
int	verify_line_overlong(struct verify *, const char *file,
	    unsigned long lineno, const char *head, size_t headlen);
/* Check every epoch read, report, fill *s. -1: out of memory. */
int	verify_finish(struct verify *, struct verify_summary *s);
/* After verify_finish: the hosts, in order of first appearance. */
size_t	verify_nhosts(const struct verify *);
void	verify_host_get(const struct verify *, size_t i,
	    struct verify_host_info *);
/* After verify_finish: the epochs, in order of first appearance. */
size_t	verify_nepochs(const struct verify *);
void	verify_epoch_get(const struct verify *, size_t i,
	    struct verify_epoch_info *);
/* The host an epoch belongs to (an index for verify_host_get). */
size_t	verify_epoch_host(const struct verify *, size_t i);
/* Wipe the keys and free. */
void	verify_free(struct verify *);

#endif
