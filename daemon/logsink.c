/* SPDX-License-Identifier: ISC */
/*
 * logsink: the syslog socket and stderr, behind the promises in
 * logsink.h. Messages are framed "<PRI>Mmm dd hh:mm:ss NAME[PID]: text"
 * (RFC 3164) with their control bytes escaped (record_escape_ctl; the
 * name's too), never sent through syslog(3), whose glibc version blocks
 * when the receiver is full. A datagram is one message; on a stream
 * socket (logsink_stream.c) each frame is followed by "\n".
 *
 * One mutex guards the queue, the socket's state and the counters; it is
 * never held across the common send. A message is framed without it, and
 * when nothing is queued it is sent straight away with the mutex
 * released, so that loops logging a record per connection do not queue
 * behind each other's system calls. The descriptor number never changes
 * once open (a new socket is dup3'd onto it), so a send racing
 * log_open_syslog reaches the old or the new socket, never a stranger.
 * On a stream socket every send is made under the mutex instead.
 * The queue, its drain and reconnects are in logsink_queue.c, per-thread
 * batches in logsink_batch.c, the stream socket in logsink_stream.c.
 *
 * The sink belongs to one process. After fork the one that keeps it does
 * nothing; log_after_fork, in each other one, forgets what the keeper
 * will send and gives it a socket of its own (or none), so that no two
 * processes write one stream connection.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat/compat.h"
#include "audit/record.h"
#include "daemon/log.h"
#include "daemon/logsink.h"
#include "daemon/logsink_int.h"

/* logsink_emit's flags */
#define LOGSINK_F_RECORD	0x1	/* a record: never copied to stderr */
#define LOGSINK_F_ORDERED	0x2	/* never batched: order across threads */

/* The process's one sink. */
static struct logsink sink = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.name = "daytimed",
	.to_stderr = 1,
	.fd = -1,
	.sfd = -1,
	.facility = LOG_DAEMON,
	.audit_facility = -1,
};

static int	logsink_emit(struct logsink *, int, const char *, size_t, int);
static size_t	logsink_header(struct logsink *, char *, size_t, int, int);
static void	logsink_stderr_line(struct logsink *, const char *, size_t);
static int	logsink_fast(struct logsink *);

/*
 * Set the program name used in headers and on stderr; a control byte in
 * it is written '?' (a header never holds one: stream framing is LF).
 */
void
logsink_name(const char *name)
{
	size_t i;

	pthread_mutex_lock(&sink.mtx);
	strlcpy(sink.name, name, sizeof(sink.name));
	for (i = 0; sink.name[i] != '\0'; i++)
		if ((unsigned char)sink.name[i] < 0x20 || sink.name[i] == 0x7f)
			sink.name[i] = '?';
	pthread_mutex_unlock(&sink.mtx);
}

/* Turn the copy of every operational message on stderr on or off. */
void
logsink_stderr(int on)
{
	pthread_mutex_lock(&sink.mtx);
	sink.to_stderr = on;
	pthread_mutex_unlock(&sink.mtx);
}

/* Copy records to stderr too, with the messages (daytimed -d). */
void
logsink_debug(int on)
{
	pthread_mutex_lock(&sink.mtx);
	sink.debug = on;
	pthread_mutex_unlock(&sink.mtx);
}

/* A message for stderr only (a debug message nobody asked syslog for). */
void
logsink_stderr_only(const char *text, size_t len)
{
	int saved = errno;

	pthread_mutex_lock(&sink.mtx);
	logsink_stderr_line(&sink, text, len);
	pthread_mutex_unlock(&sink.mtx);
	errno = saved;
}

/* The facility of audit records (-1: the one of log_open_syslog). */
void
log_set_audit_facility(int facility)
{
	pthread_mutex_lock(&sink.mtx);
	sink.audit_facility = facility < 0 ? -1 : (facility & LOG_FACMASK);
	pthread_mutex_unlock(&sink.mtx);
}

/* Use this PID in syslog headers (0: ask getpid() for each message). */
void
log_setpid(pid_t pid)
{
	pthread_mutex_lock(&sink.mtx);
	sink.pid = pid;
	pthread_mutex_unlock(&sink.mtx);
}

/*
 * Open the non-blocking syslog socket; must run before chroot. A path
 * that is a stream socket (EPROTOTYPE) gets a stream connection too.
 */
int
log_open_syslog(const char *path, int facility)
{
	struct logsink *ls = &sink;
	int fd, sfd = -1, saved;

	if (path == NULL)
		path = LOG_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(ls->sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	pthread_mutex_lock(&ls->mtx);
	memset(&ls->sun, 0, sizeof(ls->sun));
	ls->sun.sun_family = AF_UNIX;
	strlcpy(ls->sun.sun_path, path, sizeof(ls->sun.sun_path));
	if (connect(fd, (struct sockaddr *)&ls->sun, sizeof(ls->sun)) == -1 &&
	    (errno != EPROTOTYPE ||
	    (sfd = logsink_stream_socket(&ls->sun)) == -1))
		goto fail;
	if (ls->fd == -1)
		ls->fd = fd;
	else {
		/* Same number: a send racing this one never hits a stranger. */
		if (dup3(fd, ls->fd, O_CLOEXEC) == -1)
			goto fail;
		close(fd);
		ls->connected = 1;	/* before the events: no retry armed */
		/* epoll forgot the old socket: the events watch the new one. */
		logsink_events_locked(ls, ls->base);
	}
	ls->connected = 1;
	ls->backoff = 0;
	logsink_stream_use_locked(ls, sfd);
	ls->facility = facility & LOG_FACMASK;
	ls->last_connect = logsink_mono_sec();
	pthread_mutex_unlock(&ls->mtx);
	return 0;
fail:
	saved = errno;
	pthread_mutex_unlock(&ls->mtx);
	close(fd);
	if (sfd != -1)
		close(sfd);
	errno = saved;
	return -1;
}

/*
 * After fork, in a process that does not keep the sink (log.h): forget
 * what the keeper sends, close our copies of its sockets, and connect a
 * datagram socket of our own (on the same descriptor number), or a new
 * stream connection when the path is a stream socket; or none.
 */
void
log_after_fork(int how)
{
	struct logsink *ls = &sink;
	int saved = errno, fd = -1;

	pthread_mutex_lock(&ls->mtx);
	logsink_batch_forget();
	logsink_forget_locked(ls);
	if (ls->sfd != -1)
		close(ls->sfd);		/* a copy: the keeper's stays open */
	ls->sfd = -1;
	ls->stream = 0;
	ls->connected = 0;
	if (ls->fd != -1 && how == LOG_FORK_OWN &&
	    (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) != -1 && dup3(fd, ls->fd, O_CLOEXEC) != -1) {
		close(fd);
		(void)logsink_reconnect_locked(ls, 1);	/* or again later */
	} else if (ls->fd != -1) {
		if (fd != -1)
			close(fd);
		close(ls->fd);
		ls->fd = -1;		/* stderr only */
	}
	pthread_mutex_unlock(&ls->mtx);
	errno = saved;
}

/* Whether the syslog socket in use is a stream one (LF-framed). */
int
log_syslog_stream(void)
{
	return atomic_load_explicit(&sink.stream, memory_order_relaxed);
}

/* Give this thread's loop a batch (see log_batch_open in logsink.h). */
int
log_batch_open(struct event_base *base, unsigned window_us)
{
	return logsink_batch_open(&sink, base, window_us);
}

/* Send what this thread's batch holds and close it. */
void
log_batch_close(void)
{
	logsink_batch_close(&sink);
}

/* Drain the queue from this event loop; NULL detaches. */
void
log_attach(struct event_base *base)
{
	int saved = errno;

	pthread_mutex_lock(&sink.mtx);
	logsink_events_locked(&sink, base);
	pthread_mutex_unlock(&sink.mtx);
	errno = saved;
}

/* At stop: send what is queued, blocking at most timeout_ms. */
void
log_flush(int timeout_ms)
{
	struct logsink *ls = &sink;
	struct timespec now, end;
	struct pollfd pfd;
	long left;
	int saved = errno;

	logsink_batch_send(ls);	/* this thread's, first: they are older */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ls->mtx);
	for (;;) {
		if (ls->fd == -1 || ls->qcount == 0)
			break;
		ls->backoff = 0;	/* this loop paces itself */
		if (!ls->connected)
			logsink_reconnect_locked(ls, 1);
		if (ls->connected)
			logsink_drain_locked(ls);
		logsink_congestion_locked(ls);
		if (ls->qcount == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000L +
		    (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			break;
		/*
		 * Poll the socket only while it is connected and merely full:
		 * a dead one (HUP, ERR, unconnected) or one out of kernel
		 * memory polls ready at once, and the loop would spin.
		 */
		pfd.fd = -1;
		if (!ls->connected || ls->backoff) {
			if (left > LOGSINK_BACKOFF_MS)
				left = LOGSINK_BACKOFF_MS;
		} else
			pfd.fd = logsink_sock_locked(ls);
		pfd.events = POLLOUT;
		pfd.revents = 0;
		pthread_mutex_unlock(&ls->mtx);
		(void)poll(&pfd, 1, (int)left);	/* fd -1: a pause */
		pthread_mutex_lock(&ls->mtx);
	}
	logsink_arm_locked(ls);
	logsink_unlock_and_notify(ls);
	errno = saved;
}

/* True while the queue is above its high-water mark. */
int
log_congested(void)
{
	return atomic_load_explicit(&sink.congested, memory_order_relaxed);
}

/* Register the callback that ends back-pressure. */
void
log_set_drain_cb(void (*cb)(void *), void *arg)
{
	pthread_mutex_lock(&sink.mtx);
	sink.drain_cb = cb;
	sink.drain_arg = arg;
	pthread_mutex_unlock(&sink.mtx);
}

/* Copy the counters (congested_us includes a running episode; depth is now). */
void
log_get_counters(struct log_counters *c)
{
	struct logsink *ls = &sink;
	struct timespec now;

	pthread_mutex_lock(&ls->mtx);
	*c = ls->ctr;
	c->sent += atomic_load_explicit(&ls->sent_direct, memory_order_relaxed);
	c->depth = ls->qcount;
	if (ls->congested) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		c->congested_us += logsink_us_since(&ls->congested_since, &now);
	}
	pthread_mutex_unlock(&ls->mtx);
}

/* An operational message: stderr copy, then syslog. */
int
logsink_message(int pri, const char *text, size_t len)
{
	int saved = errno, rv;

	rv = logsink_emit(&sink, pri, text, len, 0);
	errno = saved;
	return rv;
}

/* Log a structured record; msg need not be NUL-terminated. */
int
log_record(int pri, const char *msg, size_t len)
{
	int saved = errno, rv;

	rv = logsink_emit(&sink, pri, msg, len, LOGSINK_F_RECORD);
	errno = saved;
	return rv;
}

/* A record that reaches syslog in the order of the calls (never batched). */
int
log_record_ordered(int pri, const char *msg, size_t len)
{
	int saved = errno, rv;

	rv = logsink_emit(&sink, pri, msg, len,
	    LOGSINK_F_RECORD | LOGSINK_F_ORDERED);
	errno = saved;
	return rv;
}

/*
 * Build "<PRI>Mmm dd hh:mm:ss NAME[PID]: " into buf, a record's PRI with
 * the audit facility. The time is converted once a second per thread:
 * localtime_r takes a lock shared by every thread. Reads fields set while
 * the program had one thread.
 */
static size_t
logsink_header(struct logsink *ls, char *buf, size_t len, int pri, int flags)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char stamp[16];	/* "Mmm dd hh:mm:ss" */
	struct tm tm;
	time_t now;
	struct record_out w;
	pid_t pid;
	int n;

	now = time(NULL);
	if (now != last) {
		if (localtime_r(&now, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		n = snprintf(stamp, sizeof(stamp), "%s %2d %02d:%02d:%02d",
		    mon[(unsigned)tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		if (n < 0 || (size_t)n >= sizeof(stamp))
			stamp[0] = '\0';
		last = now;
	}
	pid = ls->pid != 0 ? ls->pid : getpid();
	/*
	 * "<PRI>STAMP NAME[PID]: ", by hand: one for every record. Both
	 * numbers are never negative: a facility masked by LOG_FACMASK with
	 * a priority, and a pid from getpid().
	 */
	record_out_init(&w, buf, len, 0);
	record_out_str(&w, "<");
	record_out_uint(&w, (unsigned)(((flags & LOGSINK_F_RECORD) &&
	    ls->audit_facility != -1 ? ls->audit_facility : ls->facility) |
	    LOG_PRI(pri)));
	record_out_str(&w, ">");
	record_out_str(&w, stamp);
	record_out_str(&w, " ");
	record_out_str(&w, ls->name);
	record_out_str(&w, "[");
	record_out_uint(&w, (unsigned long long)pid);
	record_out_str(&w, "]: ");
	return w.full ? 0 : w.off;
}

/*
 * The sink's own trouble, its mutex held: on stderr while that copy is
 * on, and queued for syslog behind what waits (its drain sends it), at
 * most once a LOGSINK_NOTE_SEC: a failure that repeats on every drain
 * must not fill the queue it reports on.
 */
void
logsink_note_locked(struct logsink *ls, int pri, const char *msg)
{
	char dgram[LOGSINK_MSG_MAX];
	time_t now = logsink_mono_sec();
	size_t dl, len = strlen(msg);

	if (ls->last_note != 0 && now - ls->last_note < LOGSINK_NOTE_SEC)
		return;
	ls->last_note = now;
	if (ls->to_stderr || ls->fd == -1)
		logsink_stderr_line(ls, msg, len);
	if (ls->fd == -1)
		return;
	dl = logsink_header(ls, dgram, sizeof(dgram), pri, 0);
	dl += record_escape_ctl(dgram + dl, sizeof(dgram) - 1 - dl, msg, len);
	dgram[dl] = '\n';
	(void)logsink_enqueue_locked(ls, dgram, dl);	/* or counted lost */
}

/* "NAME: text\n" on stderr, the text's control bytes escaped. */
static void
logsink_stderr_line(struct logsink *ls, const char *msg, size_t len)
{
	char line[LOGSINK_MSG_MAX];
	size_t n, off = 0;
	ssize_t r;
	int w;

	w = snprintf(line, sizeof(line), "%s: ", ls->name);
	n = w < 0 || (size_t)w >= sizeof(line) ? 0 : (size_t)w;
	n += record_escape_ctl(line + n, sizeof(line) - 1 - n, msg, len);
	line[n++] = '\n';
	/* the whole line, ignoring failure: nowhere to report it */
	while (off < n) {
		r = write(STDERR_FILENO, line + off, n - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		off += (size_t)r;
	}
}

/* Whether the socket takes messages at once: open, connected, no queue. */
static int
logsink_fast(struct logsink *ls)
{
	return atomic_load_explicit(&ls->fd, memory_order_relaxed) != -1 &&
	    atomic_load_explicit(&ls->connected, memory_order_relaxed) &&
	    atomic_load_explicit(&ls->qcount, memory_order_relaxed) == 0;
}

/*
 * The single path of every message: stderr copy, then send or queue.
 * 0: sent or queued; -1: lost (counted).
 */
static int
logsink_emit(struct logsink *ls, int pri, const char *msg, size_t len,
    int flags)
{
	struct logsink_batch *b = logsink_batch_mine();
	char dgram[LOGSINK_MSG_MAX];	/* a frame, then its '\n' */
	size_t dl;
	ssize_t r;
	int fd, rv, err;

	/* Framed before the mutex: only the queue needs it. */
	dl = logsink_header(ls, dgram, sizeof(dgram), pri, flags);
	dl += record_escape_ctl(dgram + dl, sizeof(dgram) - 1 - dl, msg, len);
	dgram[dl] = '\n';	/* a stream's framing, not a datagram's */

	/*
	 * The common case under load, without the mutex: a record joins
	 * this thread's batch while the socket takes messages at once. The
	 * loops would otherwise queue on the mutex for every record. Not
	 * under -d (debug, set before the loops start), which copies every
	 * record to stderr below.
	 */
	if (b != NULL && (flags & LOGSINK_F_RECORD) &&
	    !(flags & LOGSINK_F_ORDERED) && !ls->debug && logsink_fast(ls)) {
		if (logsink_batch_add(ls, b, dgram, dl) == 0)
			return 0;	/* waits in the batch */
		b = NULL;	/* a quiet spell: it goes now, not batched */
	}
	pthread_mutex_lock(&ls->mtx);
	/*
	 * Records go to syslog only; stderr has them when there is no syslog,
	 * and under -d, where it shows whatever syslog gets.
	 */
	if ((ls->to_stderr && (!(flags & LOGSINK_F_RECORD) || ls->debug)) ||
	    ls->fd == -1)
		logsink_stderr_line(ls, msg, len);
	if (ls->fd == -1) {
		pthread_mutex_unlock(&ls->mtx);
		return 0;
	}
	/*
	 * A batch holds messages only while the socket takes them at once.
	 * An ordered record, or one that goes to the queue, first sends what
	 * this thread holds (its messages keep their order).
	 */
	if (b != NULL && !(flags & LOGSINK_F_ORDERED) && ls->qcount == 0 &&
	    ls->connected) {
		pthread_mutex_unlock(&ls->mtx);
		if (logsink_batch_add(ls, b, dgram, dl) == 0)
			return 0;	/* waits in the batch */
		pthread_mutex_lock(&ls->mtx);
	} else if (b != NULL && b->n > 0) {
		pthread_mutex_unlock(&ls->mtx);
		logsink_batch_send(ls);
		pthread_mutex_lock(&ls->mtx);
	}
	if (ls->qcount == 0 && ls->connected && !ls->stream) {
		/* The common case: send with the mutex released. */
		fd = ls->fd;
		pthread_mutex_unlock(&ls->mtx);
		do
			r = send(fd, dgram, dl, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r >= 0) {
			atomic_fetch_add_explicit(&ls->sent_direct, 1,
			    memory_order_relaxed);
			return 0;
		}
		err = errno;
		pthread_mutex_lock(&ls->mtx);
		/* now a stream: fd was unconnected under it; queue it */
		rv = ls->stream || logsink_send_errno_locked(ls, err) == 1 ?
		    logsink_enqueue_locked(ls, dgram, dl) : -1;
	} else {
		if (ls->base == NULL && !ls->connected)
			logsink_reconnect_locked(ls, 0);
		if (ls->base == NULL && ls->connected)
			logsink_drain_locked(ls);	/* no loop: drain as we go */
		rv = 1;
		if (ls->qcount == 0 && ls->connected)
			rv = logsink_send_locked(ls, dgram, dl);
		if (rv == 1)
			rv = logsink_enqueue_locked(ls, dgram, dl);
	}
	logsink_congestion_locked(ls);
	logsink_arm_locked(ls);
	/* No drain callback here: the caller may hold locks of its own. */
	pthread_mutex_unlock(&ls->mtx);
	return rv;
}

