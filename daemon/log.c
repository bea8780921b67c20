/* SPDX-License-Identifier: ISC */
/*
 * log: the logging API. Formats a message, decides whether it is shown
 * (verbosity), and hands the text to the sink (logsink.c), which frames
 * it, escapes its control bytes and writes it to stderr and syslog.
 * Every function keeps errno as the caller had it.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "daemon/log.h"
#include "daemon/logsink.h"

#define LOG_TEXT_MAX	4096	/* longest message text before escaping */

int		log_debug_to;	/* LOG_DEBUG_*: where log_debug goes */

static void	log_fatal_exit(const char *, int) __attribute__((noreturn));

/* Start logging to stderr under the program name. */
void
log_init(const char *name, int verbose)
{
	int saved = errno;

	if (name != NULL)
		logsink_name(name);
	log_debug_to = verbose ? LOG_DEBUG_SYSLOG : 0;
	logsink_stderr(1);
	tzset();	/* the sink's timestamps use localtime_r */
	errno = saved;
}

/* Turn the copy of every message on stderr on or off. */
void
log_stderr(int on)
{
	logsink_stderr(on);
}

/* daytimed -d: debug messages and records on stderr too. */
void
log_set_debug(int on)
{
	if (on)
		log_debug_to |= LOG_DEBUG_STDERR;
	else
		log_debug_to &= ~LOG_DEBUG_STDERR;
	logsink_stderr(1);
	logsink_debug(on);
}

/*
 * Format and emit one message at pri. A debug message goes to syslog
 * only under -v; under -d alone it is for the terminal.
 */
void
vlog(int pri, const char *fmt, va_list ap)
{
	char text[LOG_TEXT_MAX];
	int saved = errno, n, debug = LOG_PRI(pri) == LOG_DEBUG;

	if (debug && log_debug_to == 0) {
		errno = saved;
		return;
	}
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;	/* cut: better a cut line than none */
	if (debug && !(log_debug_to & LOG_DEBUG_SYSLOG))
		logsink_stderr_only(text, (size_t)n);
	else
		logsink_message(pri, text, (size_t)n);
	errno = saved;
}

/* A warning followed by ": strerror(errno)". */
void
log_warn(const char *fmt, ...)
{
	char buf[LOG_TEXT_MAX];
	va_list ap;
	int saved = errno, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		buf[sizeof(buf) - 1] = '\0';	/* keep the cut text */
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

/* A warning without errno. */
void
log_warnx(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A normal but significant condition. */
void
log_notice(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_NOTICE, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* An informational message. */
void
log_info(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A debug message: to syslog under -v, to stderr under -d. */
void
log_debug(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* Log "fatal: msg[: strerror(err)]" at LOG_CRIT, flush briefly, exit(1). */
static void
log_fatal_exit(const char *msg, int err)
{
	char line[LOG_TEXT_MAX];
	int n;

	if (err != 0)
		n = snprintf(line, sizeof(line), "fatal: %s: %s", msg,
		    strerror(err));
	else
		n = snprintf(line, sizeof(line), "fatal: %s", msg);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	logsink_message(LOG_CRIT, line, (size_t)n);
	log_flush(1000);
	exit(1);
}

/* Log at LOG_CRIT with strerror(errno), flush briefly and exit(1). */
void
fatal(const char *fmt, ...)
{
	char buf[LOG_TEXT_MAX];
	va_list ap;
	int saved = errno, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	log_fatal_exit(buf, saved);
}

/* Log at LOG_CRIT, flush briefly and exit(1). */
void
fatalx(const char *fmt, ...)
{
	char buf[LOG_TEXT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	log_fatal_exit(buf, 0);
}
