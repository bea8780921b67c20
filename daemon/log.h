/* SPDX-License-Identifier: ISC */
/*
 * log: the one writer to syslog and, before daemonizing, to stderr.
 * Messages go to the syslog socket without ever blocking the caller: a
 * bounded queue drains from the event loop, and its fill level is the
 * back-pressure signal the engine reads (log_congested).
 */
#ifndef DAYTIMED_LOG_H
#define DAYTIMED_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

struct event_base;

#define LOG_SOCKET_DEFAULT	"/dev/log"

struct log_counters {
	unsigned long long	queued;		/* messages handed to the queue */
	unsigned long long	sent;		/* messages the socket took */
	unsigned long long	lost;		/* messages that could not be kept */
	unsigned long long	congested;	/* episodes of back-pressure */
	unsigned long long	congested_us;	/* total time under back-pressure */
	unsigned long long	depth;		/* messages waiting in the queue now */
};

/* Start logging to stderr (name is the program name for syslog too). */
void	log_init(const char *name, int verbose);
/* The PID syslog headers carry (0, the default: getpid() per message). */
void	log_setpid(pid_t);
/* Open the syslog socket (before chroot); later messages go there too. */
int	log_open_syslog(const char *path, int facility);
/* Stop writing to stderr (after daemonizing). */
void	log_stderr(int on);
/*
 * Drain the queue from this loop (EV_WRITE, and a 1 s reconnect timer).
 * NULL detaches: the queue then drains only as later messages are logged
 * and in log_flush. Call log_flush before fork(): a queue copied into a
 * child would be sent twice.
 */
void	log_attach(struct event_base *);
/*
 * Coalesce this thread's messages while it logs faster than one a window:
 * they wait at most window_us, then go out together (one sendmmsg). Open
 * from the thread that runs base; close (which sends what waits) on the
 * same thread before base is freed.
 */
#define LOG_BATCH_WINDOW_US	1000
int	log_batch_open(struct event_base *, unsigned window_us);
void	log_batch_close(void);
/* Flush what is queued, waiting at most timeout_ms (at stop). */
void	log_flush(int timeout_ms);
/* True while the queue is above its high-water mark. */
int	log_congested(void);
/* Called when congestion ends, so the engine resumes accepting. */
void	log_set_drain_cb(void (*)(void *), void *);
void	log_get_counters(struct log_counters *);

/* A structured record at priority pri (LOG_INFO for audit records). */
int	log_record(int pri, const char *msg, size_t len);
/* The same, in call order across threads (never batched). */
int	log_record_ordered(int pri, const char *msg, size_t len);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));

#endif
