/* SPDX-License-Identifier: ISC */
/*
 * ssink: a stream receiver standing in for rsyslog's imptcp path= (a
 * Unix listener in a temporary directory, one connection read at a
 * time), shared by the suites that read what a stream sink writes
 * (logsink_stream, logsink_fork).
 */
#ifndef DAYTIMED_TESTS_SSINK_H
#define DAYTIMED_TESTS_SSINK_H

#include <sys/types.h>

#include <stddef.h>

struct event_base;

#define SS_BIG	3000	/* a big message's padding, to fill the socket */

struct ssink {
	char	dir[64];
	char	path[128];
	int	lfd;		/* the listener (or a datagram socket) */
	int	cfd;		/* the accepted connection, or -1 */
	char	buf[1 << 20];
	size_t	have;
};

/* A fresh stream receiver; the log connects to it. */
struct ssink *ss_open(void);
/* Bind a listener (stream) or a datagram socket at k->path. */
void	ss_bind(struct ssink *, int stream);
/* Restart the receiver at the same path, as a stream one or not. */
void	ss_restart(struct ssink *, int stream);
/* Close the receiver and remove its directory. */
void	ss_close(struct ssink *);
/* Read what the connection holds now (accepting it first). 0: EOF. */
ssize_t	ss_read(struct ssink *);
/*
 * The next line (NUL-terminated, without its '\n') within ms
 * milliseconds, running base (if any) meanwhile; -1 when none came.
 */
int	ss_line(struct ssink *, struct event_base *, char *, size_t, int ms);
/* "m I" padded with 'x' to SS_BIG bytes (I's own line, whole). */
void	ss_big(char *m, size_t len, int i);
/* The next line is the big message I, whole. */
void	ss_want_big(struct ssink *, struct event_base *, int i);
/* The end of a test: sent messages in all, none lost or left; close. */
void	ss_done(struct ssink *, struct event_base *, unsigned long long sent);

#endif
