/* SPDX-License-Identifier: ISC */
/*
 * monmsg: the grammar of what the engine sends the monitor (monitor.c),
 * read as bytes the monitor does not trust. A message is a kind byte and
 * what that kind carries:
 *
 *	'U'			up: the engine's loop takes signals
 *	'R'			send the files (a reload)
 *	'S' SIG PID[4]		SIG reached the engine from PID
 *	'O' LEN[4] TEXT		a reload's outcome: LEN 0 "ok", else the error
 *	'K' LEN[4] TEXT		it took, and kept TEXT as it was (a restart)
 *
 * Numbers are big-endian. SIG is 1 to NSIG - 1; PID is what si_pid said,
 * 0 (a sender the engine cannot name: the kernel, or one outside its pid
 * namespace) to LIFE_PID_MAX (life.h); LEN is at most MONMSG_TEXT_MAX.
 * Pure.
 */
#ifndef DAYTIMED_MONMSG_H
#define DAYTIMED_MONMSG_H

#include <sys/types.h>

#include <stddef.h>

#define MONMSG_UP		'U'
#define MONMSG_RELOAD		'R'
#define MONMSG_SIGNAL		'S'
#define MONMSG_OUTCOME		'O'
#define MONMSG_KEPT		'K'	/* ok, with what needs a restart */
#define MONMSG_TEXT_MAX		1024	/* bytes of an outcome's text */
#define MONMSG_MAX		(5 + MONMSG_TEXT_MAX)	/* the longest */

/* monmsg_parse's answers. */
enum monmsg_rc {
	MONMSG_BAD = -1,	/* no message of the grammar starts so */
	MONMSG_MORE = 0,	/* a prefix of one: *need more bytes */
	MONMSG_WHOLE = 1	/* one whole message, in *m */
};

/* One message, as read. */
struct monmsg {
	int		 kind;	/* MONMSG_UP, ... */
	size_t		 size;	/* its bytes, the kind's included */
	int		 sig;	/* 'S' */
	pid_t		 pid;	/* 'S' */
	const char	*text;	/* 'O', 'K': len bytes in the buffer, no NUL */
	size_t		 len;
};

/*
 * The bytes (buf, len) received so far, from a message's first: whether
 * they begin a message of the grammar. MONMSG_MORE: *need (at least 1)
 * bytes more are wanted before it can be judged or is whole, and never
 * one past its end, so len + *need <= MONMSG_MAX. MONMSG_WHOLE: *m is
 * the message, its first m->size bytes; bytes after are not looked at.
 * MONMSG_BAD: a kind outside the grammar, or a field out of its range,
 * judged as soon as the field is there. Unless MONMSG_WHOLE, *m is zero.
 */
enum monmsg_rc monmsg_parse(const char *buf, size_t len, struct monmsg *m,
	    size_t *need);
/*
 * The state letter of a process from the text of its /proc/PID/stat
 * (buf, len): the first field after the last ')' (the name before it is
 * the process's own to set, and may hold ')' and spaces). 0 when the text
 * has no such field. The monitor reads the engine's, to tell an engine
 * stopped (T, t) from one still stopping.
 */
char	monmsg_proc_state(const char *buf, size_t len);

#endif
