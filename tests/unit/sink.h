/* SPDX-License-Identifier: ISC */
/*
 * sink: a datagram receiver standing in for /dev/log, shared by the
 * suites that read what the log writes (audit, log, logsink).
 */
#ifndef DAYTIMED_TESTS_SINK_H
#define DAYTIMED_TESTS_SINK_H

#include <sys/types.h>

#include <stddef.h>

struct event_base;

struct sink {
	char	dir[64];
	char	path[128];
	int	fd;
};

/* Bind a fresh receiver in a new temporary directory. */
void	sink_open(struct sink *);
/* Re-create the receiver at the same path (a restarted syslogd). */
void	sink_restart(struct sink *);
/* Close the receiver and remove its directory. */
void	sink_close(struct sink *);
/* One datagram (NUL-terminated) or -1 when none waits. */
ssize_t	sink_recv(struct sink *, char *buf, size_t len);
/* One datagram within ms milliseconds, running base meanwhile. */
int	sink_wait(struct sink *, struct event_base *base, char *buf,
	    size_t len, int ms);
/* The message after "daytimed[PID]: " in a datagram. */
const char *msg_of(const char *dgram);
/* log_init, log_open_syslog(k), log_stderr(0): records go to k only. */
void	sink_log_to(struct sink *, int facility);

#endif
