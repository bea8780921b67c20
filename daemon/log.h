/* SPDX-License-Identifier: ISC */
/*
 * log: the logging API, in OpenNTPD's shape. printf-style messages at a
 * priority, checked by the compiler; errno is preserved across every
 * call; log_debug is shown only when verbose; fatal and fatalx log at
 * LOG_CRIT, flush briefly and exit(1). Messages go to stderr until the
 * daemon detaches (log_stderr(0)) and to syslog once it is open: both are
 * the sink's business (logsink.h, included here for the controls the
 * daemon's callers use: log_open_syslog, log_flush, log_attach ...).
 * After a fork, exactly one process keeps the sink; the others call
 * log_after_fork.
 */
#ifndef DAYTIMED_LOG_H
#define DAYTIMED_LOG_H

#include <stdarg.h>

#include "daemon/logsink.h"

/* Where debug messages go: none, syslog (-v), stderr (-d), or both. */
#define LOG_DEBUG_SYSLOG	0x1
#define LOG_DEBUG_STDERR	0x2

/*
 * Nonzero when debug messages go anywhere. Callers that would build a
 * debug message on a path every client takes test it first: one
 * predictable branch when debugging is off.
 */
extern int log_debug_to;
#define log_debugging()	__builtin_expect(log_debug_to != 0, 0)

/*
 * Start logging to stderr (name is the program name for syslog too);
 * verbose sends debug messages to syslog as well (-v).
 */
void	log_init(const char *name, int verbose);
/* Stop (0) or resume copying messages to stderr (after daemonizing). */
void	log_stderr(int on);
/*
 * daytimed -d: debug messages, and the audit records, on stderr too;
 * stderr then shows everything syslog gets, and more.
 */
void	log_set_debug(int on);

/*
 * After fork(): the one process that goes on with the sink as it was
 * does nothing; it keeps the queue, its connection to the syslog socket
 * and a message half written on a stream, and finishes them as the only
 * writer. Every other process that may log calls log_after_fork at once,
 * while it has one thread, no loop attached and no batch open: it
 * forgets the queue, the half-written message and the counters (they
 * are the keeper's), and closes its copies of the sockets (the keeper's
 * connection stays open). LOG_FORK_OWN connects a socket of its own at
 * once, before any chroot or privilege drop (if that fails, it tries
 * again as after a receiver's restart); LOG_FORK_NONE leaves it without
 * syslog, messages on stderr only (a parent that waits and exits).
 * Without this, two processes writing one stream interleave their lines.
 */
#define LOG_FORK_NONE	0
#define LOG_FORK_OWN	1
void	log_after_fork(int how);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));

#endif
