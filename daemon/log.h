/* SPDX-License-Identifier: ISC */
/*
 * log: the logging API, in OpenNTPD's shape. printf-style messages at a
 * priority, checked by the compiler; errno is preserved across every
 * call; log_debug is shown only when verbose; fatal and fatalx log at
 * LOG_CRIT, flush briefly and exit(1). Messages go to stderr until the
 * daemon detaches (log_stderr(0)) and to syslog once it is open: both are
 * the sink's business (logsink.h, included here for the controls the
 * daemon's callers use: log_open_syslog, log_flush, log_attach ...).
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

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));

#endif
