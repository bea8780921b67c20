/* SPDX-License-Identifier: ISC */
/*
 * audit: the audit record. Formats one key=value line per connection or
 * UDP request, escapes every untrusted byte string (audit_escape is the
 * one escaping function), and, with an auditor's key, seals the records
 * into a forward-secure MAC chain. Hands finished lines to log.
 */
#ifndef DAYTIMED_AUDIT_H
#define DAYTIMED_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ident/ident_parse.h"
#include "acl/acl.h"

#define AUDIT_LINE_MAX	2048	/* a record never exceeds this */
#define AUDIT_VALUE_MAX	256	/* input bytes of one value kept before a cut */
#define AUDIT_CUT_MARK	"...(cut)"	/* ends a cut value, inside the quotes */

/* The sealed MAC chain (see audit.c for the exact definition). */
#define AUDIT_KEY_BYTES		32	/* K_n, and the auditor's X25519 keys */
#define AUDIT_MAC_BYTES		32	/* BLAKE2b-256 */
#define AUDIT_EPOCH_BYTES	8	/* epoch id, written as 16 hex digits */
#define AUDIT_KEYFILE_LEN	(2 * AUDIT_KEY_BYTES + 1) /* hex + newline */

struct audit;

/* What one connection or datagram produced. */
struct audit_conn {
	uint64_t		 conn;		/* random per connection */
	int			 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	const struct sockaddr	*peer;
	socklen_t		 peerlen;
	const struct sockaddr	*local;
	socklen_t		 locallen;
	const char		*decision;	/* "allow", "deny", "drop" */
	const char		*rule_file;	/* NULL with limit NULL: "default" */
	unsigned		 rule_line;
	const char		*limit;		/* non-NULL: rule=limit:NAME */
	const struct acl_prefix	*net;		/* matched netblock, or NULL */
	enum ident_status	 ident_status;
	const struct ident_answer *ident;	/* when a lookup ran, or NULL */
	uint64_t		 duration_us;
	size_t			 bytes;		/* bytes of answer sent */
	unsigned		 count;		/* >1: aggregated drop records */
};

/*
 * Escape (src, srclen) into dst as the contract says: bare when every
 * byte is printable ASCII other than space, '"' and '\\'; otherwise in
 * double quotes with \" \\ and \xHH. Cuts a value longer than
 * AUDIT_VALUE_MAX bytes, or one that does not fit dst, quoted and ending
 * with AUDIT_CUT_MARK inside the quotes; an empty value is "".
 * Returns the length written (dst is always NUL-terminated when
 * dstlen > 0).
 */
size_t	audit_escape(char *dst, size_t dstlen, const unsigned char *src,
	    size_t srclen);

/*
 * Prepare auditing. keypath NULL: plain records. Otherwise read the
 * auditor's public key (errors name the file) and start a chain. Must run
 * before chroot. Returns NULL with a message in err on failure.
 */
struct audit *audit_open(const char *keypath, char *err, size_t errlen);
void	audit_close(struct audit *);

/* Format, seal and log one connection record at LOG_INFO. */
int	audit_conn_log(struct audit *, const struct audit_conn *);
/* Format one connection record into buf without sealing (tests, fuzz). */
int	audit_conn_format(char *buf, size_t len, const struct audit_conn *);
/*
 * An event record ("start", "reload", "stop", "counters") at pri with
 * extra key=value text that the caller built with audit_escape.
 */
int	audit_event_log(struct audit *, int pri, const char *event,
	    const char *kv);

/*
 * Chain primitives, shared with daytimed-audit verify. mac = BLAKE2b-256
 * keyed with K_n over (text, len); audit_chain_next replaces K_n with
 * K_{n+1} in place and wipes the old key.
 */
void	audit_chain_mac(const unsigned char key[AUDIT_KEY_BYTES],
	    const char *text, size_t len, unsigned char mac[AUDIT_MAC_BYTES]);
void	audit_chain_next(unsigned char key[AUDIT_KEY_BYTES]);

/*
 * Read a key file: exactly 64 lowercase hex digits and a
 * newline. Returns 0, or -1 with "PATH: reason" in err.
 */
int	audit_key_load(const char *path, unsigned char key[AUDIT_KEY_BYTES],
	    char *err, size_t errlen);
/* Parse (buf, len) holding a key file's bytes; 0 or -1. Pure. */
int	audit_key_parse(const char *buf, size_t len,
	    unsigned char key[AUDIT_KEY_BYTES]);
/* Lowercase hex of (src, len) into dst (2 * len + 1 bytes). */
void	audit_hex(char *dst, const unsigned char *src, size_t len);
/* Parse exactly 2 * len hex digits from src into dst; 0 or -1. Pure. */
int	audit_unhex(unsigned char *dst, size_t len, const char *src,
	    size_t srclen);

#endif
