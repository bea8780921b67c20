/* SPDX-License-Identifier: ISC */
/*
 * logsink: where log messages and audit records go. The syslog socket
 * (RFC 3164 datagrams on our own non-blocking AF_UNIX socket, or the same
 * frames each ended by "\n" when the path is a stream socket), a bounded
 * queue for what the socket cannot take at once, per-thread batches sent
 * with one sendmmsg, back-pressure, reconnects and counters; and stderr,
 * before daemonizing or when there is no syslog.
 *
 * What it promises its callers:
 *
 * - Never blocking. A call never waits for the syslog daemon: what the
 *   socket does not take at once waits in the queue (LOGSINK_QUEUE_MSGS
 *   messages, LOGSINK_QUEUE_BYTES bytes), which the attached event loop
 *   drains (or, with none attached, later calls and log_flush).
 * - Order. One thread's messages reach the socket in the order it made
 *   them. log_record_ordered records are never held in a batch: each
 *   has reached the socket or the queue's tail when the call returns, so
 *   calls that the callers order among themselves (under a lock of
 *   their own) reach syslog in that order, whatever thread makes them.
 *   Messages of different threads are otherwise in no promised order.
 * - Loss, only here, always counted (log_get_counters): a message that
 *   finds the queue full, or that the socket refuses for good (too
 *   long); the call then returns -1. What is still queued when log_flush
 *   gives up, or when the process exits without it, is gone too.
 * - Back-pressure. log_congested is true from when the queue passes 3/4
 *   of either bound until it is below 1/4 of both; the drain callback
 *   then runs once, on the attached loop's thread or inside log_flush,
 *   never inside a logging call (callers may log holding their locks).
 * - Reconnects. When the receiver goes away (ECONNREFUSED: rsyslogd
 *   restarted; EPIPE on a stream) the queue keeps the messages and the
 *   socket is connected to the same path again at most once a second,
 *   as a datagram or a stream socket, whichever the path is now. A
 *   message a broken stream tore is sent again whole. After chroot the
 *   path is resolved inside the chroot.
 * - Threads. Any thread may log. logsink_name, log_setpid and
 *   log_open_syslog set fields that sends read without the lock: call
 *   them while the program has one thread. Attaching a loop and logging
 *   from other threads needs libevent's threading (evthread_use_pthreads).
 * - Processes. After fork() one process keeps the sink (queue, syslog
 *   connection, a half-written message); every other one that logs
 *   calls log_after_fork (log.h) and gets a connection of its own: two
 *   writers of one stream would interleave their lines, and a queue
 *   both kept would be sent twice.
 */
#ifndef DAYTIMED_LOGSINK_H
#define DAYTIMED_LOGSINK_H

#include <stddef.h>
#include <sys/types.h>

struct event_base;

#define LOG_SOCKET_DEFAULT	"/dev/log"
#define LOG_BATCH_WINDOW_US	1000	/* the engine's batch window */

struct log_counters {
	unsigned long long	queued;		/* messages handed to the queue */
	unsigned long long	sent;		/* messages the socket took */
	unsigned long long	lost;		/* messages that could not be kept */
	unsigned long long	congested;	/* episodes of back-pressure */
	unsigned long long	congested_us;	/* total time under back-pressure */
	unsigned long long	depth;		/* messages waiting in the queue now */
};

/* The program name in syslog headers and before stderr lines. */
void	logsink_name(const char *name);
/* Copy operational messages to stderr (on until daemonized). */
void	logsink_stderr(int on);
/* Copy records to stderr too, while that copy is on (daytimed -d). */
void	logsink_debug(int on);
/* Write one message to stderr only, never to syslog. */
void	logsink_stderr_only(const char *text, size_t len);
/*
 * An operational message at pri: on stderr when that copy is on or there
 * is no syslog, and to syslog. Control bytes are written \xHH.
 */
int	logsink_message(int pri, const char *text, size_t len);

/* The PID syslog headers carry (0, the default: getpid() per message). */
void	log_setpid(pid_t);
/* Open the syslog socket (before chroot); later messages go there too. */
int	log_open_syslog(const char *path, int facility);
/* Whether the syslog socket is a stream one now (messages LF-framed). */
int	log_syslog_stream(void);
/*
 * Send records (log_record*) with this facility, messages with the one
 * above (-1, the default: records too). While the program has one thread.
 */
void	log_set_audit_facility(int facility);
/*
 * Drain the queue from this loop (EV_WRITE, and a 1 s reconnect timer).
 * NULL detaches: the queue then drains only as later messages are logged
 * and in log_flush.
 */
void	log_attach(struct event_base *);
/*
 * Coalesce this thread's messages while it logs faster than one a window:
 * they wait at most window_us (and LOGSINK_BATCH_MSGS messages), then go
 * out together in one sendmmsg (one sendmsg on a stream socket); a
 * message after a quiet spell goes at once. Open from the thread that
 * runs base (-1: no memory, or this thread has a batch on another base);
 * close (which sends what waits) on the same thread before base is freed.
 */
int	log_batch_open(struct event_base *, unsigned window_us);
void	log_batch_close(void);
/* Send this thread's batch, then the queue, waiting at most timeout_ms. */
void	log_flush(int timeout_ms);
/* True while the queue is above its high-water mark. */
int	log_congested(void);
/* Called when congestion ends, so the engine resumes accepting. */
void	log_set_drain_cb(void (*)(void *), void *);
/* Copy the counters (congested_us includes a running episode). */
void	log_get_counters(struct log_counters *);

/*
 * A structured record at pri (LOG_INFO for audit records): to syslog
 * only, or to stderr when there is no syslog. 0: sent or queued; -1: lost.
 */
int	log_record(int pri, const char *msg, size_t len);
/* The same, never batched, in the order of the calls (see above). */
int	log_record_ordered(int pri, const char *msg, size_t len);

#endif
