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

/* Start logging to stderr (name is the program name for syslog too). */
void	log_init(const char *name, int verbose);
/* Stop (0) or resume copying messages to stderr (after daemonizing). */
void	log_stderr(int on);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));

#endif
