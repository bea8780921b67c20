/* SPDX-License-Identifier: ISC */
/*
 * record: the text of an audit record, and THE escaper. Pure: (buffer,
 * length) in, text out; no sockets, no libevent, no libcidr, nothing from
 * acl/ or ident/ (the caller hands over the netblock and the ident status
 * already as text).
 *
 * Every module that shows bytes it did not make (an ident answer, a file
 * name, a configuration token) shows them through this escaper, so that
 * one rule decides what reaches a log or a terminal. Bytes fall into one
 * set of classes:
 *
 *   plain    0x21..0x7e other than '"', '\\' and '='
 *   space    0x20
 *   quote    '"' and '\\'
 *   equals   '='
 *   control  0x00..0x1f and 0x7f
 *   high     0x80..0xff
 *
 * and there are three forms:
 *
 *   record_escape      a value in a key=value record: bare when every byte
 *                      is plain, else in double quotes with \" \\ for the
 *                      quote class, \xHH (two lowercase hex digits) for
 *                      equals, control and high bytes, space kept. So no
 *                      value holds a '=', and no untrusted text can spell
 *                      " KEY=": every '=' in a record ends a key, and
 *                      grep ' decision=allow ' matches only the real field.
 *                      The one-byte value "-" is quoted too ("\"-\""), so
 *                      that it differs from the bare "-" records write for
 *                      "none" (a claimed ident user "-" is ident="-").
 *   record_escape_ctl  a line guard for free text (operational log
 *                      messages): \xHH for control bytes, every other byte
 *                      kept, so that nothing can split or forge a line.
 *   record_escape_show a name or answer shown to a person (-t and -e
 *                      messages, file names, a daytime server's answer on
 *                      the client's terminal): plain and space kept, \xHH
 *                      for the quote class, control and high bytes and
 *                      the single quote that messages put around names.
 */
#ifndef DAYTIMED_RECORD_H
#define DAYTIMED_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RECORD_VALUE_MAX	256	/* input bytes of one value kept before a cut */
#define RECORD_CUT_MARK		"...(cut)"	/* ends a cut value, inside the quotes */
#define RECORD_DETAIL_MAX	64	/* bytes of a status detail kept (error:TYPE) */
#define RECORD_RULE_LEN		300	/* a rule= value of FILE:LINE, with its NUL */

/*
 * One connection or datagram, as the record shows it. Strings are C
 * strings unless a length goes with them; NULL means "not there".
 */
struct record_conn {
	uint64_t		 conn;		/* random per connection */
	int			 proto;		/* IPPROTO_TCP, IPPROTO_UDP, else "-" */
	const struct sockaddr	*peer;		/* NULL: "-" */
	socklen_t		 peerlen;
	const struct sockaddr	*local;		/* NULL: "-" */
	socklen_t		 locallen;
	const struct sockaddr	*via;		/* the proxy; NULL: no field */
	socklen_t		 vialen;
	const char		*decision;	/* "allow", "deny", "drop"; NULL: "-" */
	const char		*rule_file;	/* NULL (and no limit): "default" */
	unsigned		 rule_line;
	const char		*limit;		/* non-NULL: rule=limit:NAME */
	const char		*proxy;		/* non-NULL (no limit): rule=proxy:NAME */
	const unsigned char	*ident;		/* the claimed user; NULL: "-" */
	size_t			 identlen;
	const char		*status;	/* ident status name: "ok", "error", ... */
	const char		*detail;	/* non-NULL: status is "NAME:DETAIL" */
	size_t			 detaillen;	/* cut at RECORD_DETAIL_MAX */
	const char		*netblock;	/* formatted netblock; NULL: no field */
	const char		*source;	/* the source a limit charged; NULL: none */
	uint64_t		 duration_us;
	size_t			 bytes;		/* bytes of answer sent */
};

/*
 * Escape (src, srclen) as a record value into dst, always NUL-terminated
 * when dstlen > 0. Bare when every byte is plain and it fits; otherwise
 * quoted (see the top of this file). A value longer than RECORD_VALUE_MAX
 * bytes, or one that does not fit dst, is cut where an escape would not
 * fit, quoted, and ends with RECORD_CUT_MARK inside the quotes; an empty
 * value is "". Returns the length written (0 when dst cannot hold even
 * the quotes and the mark).
 */
size_t	record_escape(char *dst, size_t dstlen, const void *src, size_t srclen);
/*
 * Copy (src, srclen) to dst with control bytes as \xHH, every other byte
 * as it is. Stops before an escape or byte that would not fit; writes no
 * NUL. Returns the length written.
 */
size_t	record_escape_ctl(char *dst, size_t dstlen, const void *src,
	    size_t srclen);
/*
 * Copy (src, srclen) to dst as text for a person: plain bytes but ' and
 * space as they are, every other byte as \xHH. Stops before an escape or byte
 * that would not fit; writes no NUL. Returns the length written; *used
 * (when not NULL) gets how many bytes of src it covers, srclen unless dst
 * ran out.
 */
size_t	record_escape_show(char *dst, size_t dstlen, const void *src,
	    size_t srclen, size_t *used);
/*
 * The rule= value of a rule at file:line (file NULL: "default") into
 * (buf, len), NUL-terminated: file escaped as record_escape does, cut to
 * fit len, and :LINE after it (inside the quotes), after a cut mark too.
 * Records format it into RECORD_RULE_LEN bytes; -e does too, so that it
 * prints the very same value. Returns its length (0 when len is too
 * small for even :LINE).
 */
size_t	record_rule(char *buf, size_t len, const char *file, unsigned line);
/* 1 when (s, len) holds a control byte, which free text must not. */
int	record_has_ctl(const void *s, size_t len);

/*
 * Format a connection record, without chain fields, into (buf, len):
 *   conn proto peer [via] local decision rule ident ident_status
 *   [netblock] [source] duration_us bytes
 * Returns its length, or -1 when it does not fit len (buf then holds a
 * prefix).
 */
int	record_conn_format(char *buf, size_t len, const struct record_conn *);
/*
 * Format an event record "event=NAME [version=V] [KV]" (version for
 * "start") into (buf, len). kv is key=value text the caller escaped; a
 * control byte in it is refused (errno EINVAL), a kv that does not fit
 * too (EMSGSIZE). Returns the length or -1.
 */
int	record_event_format(char *buf, size_t len, const char *event,
	    const char *kv);
/*
 * A line built piece by piece in a buffer of len bytes, without stdio on
 * the way of every record: once a piece does not fit (with the NUL after
 * it), nothing more is appended and full is set; buf holds a NUL after
 * the off bytes appended so far.
 */
struct record_out {
	char	*buf;
	size_t	 len;
	size_t	 off;
	int	 full;
};

/* Start appending at off (off < len, else the line is full at once). */
void	record_out_init(struct record_out *, char *buf, size_t len,
	    size_t off);
void	record_out_put(struct record_out *, const void *, size_t);
void	record_out_str(struct record_out *, const char *);
/* An unsigned number in decimal. */
void	record_out_uint(struct record_out *, unsigned long long);

/* snprintf at buf + *off, bounded by len; -1 (buf[*off] = '\0') when cut. */
int	record_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
