/* SPDX-License-Identifier: ISC */
/*
 * audit: the daemon's audit records. Turns what a connection or UDP
 * request produced into one key=value line (audit/record.c, the one
 * escaper), seals it into the forward-secure MAC chain when an auditor's
 * key is set (audit/chain.c), and hands it to the log so that
 * sealed records reach syslog in seq order. The key files are
 * audit_files.c's, the remembered last epoch audit_state.c's.
 */
#ifndef DAYTIMED_AUDIT_H
#define DAYTIMED_AUDIT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "audit/record.h"
#include "ident/ident_parse.h"
#include "acl/acl.h"

#define AUDIT_LINE_MAX	2048	/* a record never exceeds this */
#define AUDIT_VALUE_MAX	RECORD_VALUE_MAX	/* input bytes of one value kept */
#define AUDIT_CUT_MARK	RECORD_CUT_MARK		/* ends a cut value */

struct audit;

/* What one connection or datagram produced. */
struct audit_conn {
	uint64_t		 conn;		/* random per connection */
	int			 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	const struct sockaddr	*peer;
	socklen_t		 peerlen;
	const struct sockaddr	*local;
	socklen_t		 locallen;
	const struct sockaddr	*via;		/* the proxy, or NULL */
	socklen_t		 vialen;
	const char		*decision;	/* "allow", "deny", "drop" */
	const char		*rule_file;	/* NULL with limit NULL: "default" */
	unsigned		 rule_line;
	const char		*limit;		/* non-NULL: rule=limit:NAME */
	const char		*proxy;		/* non-NULL: rule=proxy:NAME */
	const struct acl_prefix	*net;		/* matched netblock, or NULL */
	const char		*source;	/* the source a limit charged */
	enum ident_status	 ident_status;
	const struct ident_answer *ident;	/* when a lookup ran, or NULL */
	uint64_t		 duration_us;
	size_t			 bytes;		/* bytes of answer sent */
};

/*
 * Escape (src, srclen) as a record value: record_escape under its old
 * name (see audit/record.h).
 */
size_t	audit_escape(char *dst, size_t dstlen, const unsigned char *src,
	    size_t srclen);

/* What auditing starts from (the audit directives). */
struct audit_params {
	const char	*key;		/* audit key: NULL for plain records */
	const char	*signing_key;	/* audit signing-key, or NULL */
	const char	*state;		/* audit state, or NULL: no links */
	int		 state_default;	/* state is the default, not set */
	uid_t		 uid;		/* the user the engine will run as */
	const char	*chroot;	/* chroot, or NULL: the state inside */
	int		 inetd;		/* -i: other processes' epochs follow */
};

/*
 * Prepare auditing. No key: plain records. Otherwise read the auditor's
 * public key and the host's signing key (wiped as soon as the epoch is
 * signed), open the state and start a chain whose first record names the
 * previous epoch. Must run before the privilege drop and chroot. Returns
 * NULL with a message naming the file in err on failure; a note for the
 * log (a state file replaced, a first start) goes to note.
 */
struct audit *audit_open(const struct audit_params *, char *note,
	    size_t notelen, char *err, size_t errlen);
/*
 * -t: check what audit_open would read, without starting anything. 0, or
 * -1 with the first error in err; a note as for audit_open. *which is the
 * directive whose file the error or the note is about ("audit key",
 * "audit signing-key", "audit state").
 */
int	audit_check(const struct audit_params *, const char **which,
	    char *note, size_t notelen, char *err, size_t errlen);
/*
 * After the privilege drop and chroot, before the first client: save the
 * new epoch's start position as the run user. 0, or -1 with a message in
 * err (a start error).
 */
int	audit_begin(struct audit *, char *err, size_t errlen);
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

#endif
