/* SPDX-License-Identifier: ISC */
/*
 * log: the one writer to syslog and, before daemonizing, to stderr.
 *
 * Syslog messages are RFC 3164 datagrams ("<PRI>Mmm dd hh:mm:ss
 * NAME[PID]: text") sent on our own AF_UNIX SOCK_DGRAM socket, never
 * through syslog(3), whose glibc version blocks when the receiver is full.
 * A message is sent at once when nothing is queued; when the socket
 * answers EAGAIN/ENOBUFS it waits in a bounded queue (LOG_QUEUE_MSGS
 * messages, LOG_QUEUE_BYTES bytes) that an EV_WRITE event on the attached
 * event_base drains. Above 3/4 of either bound the log is "congested"
 * (log_congested), which the engine reads to stop accepting; below 1/4 the
 * drain callback tells it to resume. Only a message that finds the queue
 * completely full, or that the socket refuses for good, is lost.
 *
 * When the receiver goes away (rsyslogd restarts: ECONNREFUSED), the
 * socket is reconnected to the same path at most once per second while
 * the queue keeps the messages. After chroot the path is resolved inside
 * the chroot, so a chrooted daemon needs a socket there to reconnect.
 *
 * Coalescing: a thread that runs an event loop may open a batch
 * (log_batch_open) with a window (LOG_BATCH_WINDOW_US in the engine).
 * While it logs faster than one message per window, its messages wait in
 * the batch, at most one window and LOG_BATCH_MSGS messages, and go out
 * together in one sendmmsg: the syslog daemon then wakes once per batch
 * instead of once per record. A message after a quiet spell is sent at
 * once. Order within a thread is kept; a batch is flushed when its thread
 * closes it, and by log_flush on its thread.
 *
 * Threads: the queue, the socket and the counters are guarded by one
 * mutex, so any thread may log. The mutex is never held across the
 * common send: a message is formatted without it, and when nothing is
 * queued it is sent straight away with the mutex released, so that loops
 * logging a record per connection do not queue up behind each other's
 * system calls (messages of different threads may then reach syslog in
 * either order; audit's chain mutex orders the sealed records). The
 * descriptor number never changes once open (a new socket is dup3'd onto
 * it), so a send racing log_open_syslog reaches the old or the new
 * socket, never a reused descriptor. The header fields (name, PID,
 * facility) are read without the mutex: log_init, log_setpid and
 * log_open_syslog are for a program that has one thread. The EV_WRITE and
 * reconnect events belong to the attached base; calling event_add from a
 * thread other than the base's needs libevent's threading support
 * (evthread_use_pthreads).
 * The drain callback runs on the attached base's thread (or inside
 * log_flush), without the mutex held.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat/compat.h"
#include "daemon/log.h"

#define LOG_MSG_MAX		8192	/* longest datagram we build */
#define LOG_TEXT_MAX		4096	/* longest vlog text before escaping */
#define LOG_QUEUE_MSGS		4096	/* hard cap on queued messages */
#define LOG_QUEUE_BYTES		(4u * 1024 * 1024)
#define LOG_RECONNECT_SEC	1
#define LOG_NAME_MAX		32
#define LOG_BATCH_MSGS		32	/* messages a batch holds */
#define LOG_BATCH_BYTES		(32u * 1024)

struct log_msg {
	char	*buf;
	size_t	 len;
};

struct log_state {
	pthread_mutex_t		 mtx;
	char			 name[LOG_NAME_MAX];
	int			 verbose;
	int			 to_stderr;
	int			 fd;		/* -1: syslog not opened */
	int			 connected;	/* fd is connected to path */
	int			 facility;
	struct sockaddr_un	 sun;
	pid_t			 pid;		/* 0: getpid() per message */
	time_t			 last_connect;	/* monotonic seconds */

	struct log_msg		 q[LOG_QUEUE_MSGS];
	size_t			 qhead;
	size_t			 qcount;
	size_t			 qbytes;

	atomic_int		 congested;	/* read without the mutex */
	struct timespec		 congested_since;
	struct log_counters	 ctr;
	atomic_ullong		 sent_direct;	/* sends without the mutex */

	struct event_base	*base;
	struct event		*ev_write;
	struct event		*ev_retry;
	int			 write_armed;
	int			 retry_armed;

	void			(*drain_cb)(void *);
	void			*drain_arg;
	int			 drain_pending;	/* congestion ended, cb due */
};

/* One thread's messages waiting to go out together. */
struct log_batch {
	struct event		*ev;		/* the timer that sends them */
	int			 armed;
	unsigned		 window_us;
	uint64_t		 last_us;	/* the last send, monotonic */
	int			 sent;		/* last_us is set */
	size_t			 n;
	size_t			 used;		/* bytes of buf */
	struct mmsghdr		 mm[LOG_BATCH_MSGS];
	struct iovec		 iov[LOG_BATCH_MSGS];
	char			 buf[LOG_BATCH_BYTES];
};

static _Thread_local struct log_batch *B;

static struct log_state L = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.name = "daytimed",
	.to_stderr = 1,
	.fd = -1,
	.facility = LOG_DAEMON,
};

static size_t	log_escape_ctl(char *, size_t, const char *, size_t);
static int	log_emit(int, const char *, size_t, int);

/* log_emit's flags */
#define LOG_F_RECORD	0x1	/* a record: never copied to stderr */
#define LOG_F_ORDERED	0x2	/* never batched: order across threads */
static int	log_send_errno_locked(int);
static size_t	log_header(char *, size_t, int);
static int	log_send_locked(const char *, size_t);
static int	log_enqueue_locked(const char *, size_t);
static int	log_drain_locked(void);
static void	log_arm_locked(void);
static void	log_events_locked(struct event_base *);
static void	log_check_congestion_locked(void);
static void	log_unlock_and_notify(void);
static int	log_reconnect_locked(int);
static void	log_write_cb(evutil_socket_t, short, void *);
static void	log_retry_cb(evutil_socket_t, short, void *);
static time_t	log_mono_sec(void);
static void	log_stderr_write(const char *, size_t);
static uint64_t	log_mono_us(void);
static int	log_batch_add(const char *, size_t);
static void	log_batch_send(void);
static void	log_batch_cb(evutil_socket_t, short, void *);

/* Start logging to stderr under the program name. */
void
log_init(const char *name, int verbose)
{
	int saved = errno;

	pthread_mutex_lock(&L.mtx);
	if (name != NULL)
		strlcpy(L.name, name, sizeof(L.name));
	L.verbose = verbose;
	L.to_stderr = 1;
	pthread_mutex_unlock(&L.mtx);
	tzset();
	errno = saved;
}

/* Use this PID in syslog headers (0: ask getpid() for each message). */
void
log_setpid(pid_t pid)
{
	pthread_mutex_lock(&L.mtx);
	L.pid = pid;
	pthread_mutex_unlock(&L.mtx);
}

/* Open the non-blocking syslog socket; must run before chroot. */
int
log_open_syslog(const char *path, int facility)
{
	int fd, saved;

	if (path == NULL)
		path = LOG_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(L.sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	pthread_mutex_lock(&L.mtx);
	memset(&L.sun, 0, sizeof(L.sun));
	L.sun.sun_family = AF_UNIX;
	strlcpy(L.sun.sun_path, path, sizeof(L.sun.sun_path));
	if (connect(fd, (struct sockaddr *)&L.sun, sizeof(L.sun)) == -1) {
		saved = errno;
		pthread_mutex_unlock(&L.mtx);
		close(fd);
		errno = saved;
		return -1;
	}
	if (L.fd == -1)
		L.fd = fd;
	else {
		/* Same number: a send racing this one never hits a stranger. */
		if (dup3(fd, L.fd, O_CLOEXEC) == -1) {
			saved = errno;
			pthread_mutex_unlock(&L.mtx);
			close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
		/* epoll forgot the old socket: the events watch the new one. */
		log_events_locked(L.base);
	}
	L.connected = 1;
	L.facility = facility & LOG_FACMASK;
	L.last_connect = log_mono_sec();
	pthread_mutex_unlock(&L.mtx);
	return 0;
}

/* Turn the copy of every message on stderr on or off. */
void
log_stderr(int on)
{
	pthread_mutex_lock(&L.mtx);
	L.to_stderr = on;
	pthread_mutex_unlock(&L.mtx);
}

/* Drain the queue from this event loop; NULL detaches. */
void
log_attach(struct event_base *base)
{
	int saved = errno;

	pthread_mutex_lock(&L.mtx);
	log_events_locked(base);
	pthread_mutex_unlock(&L.mtx);
	errno = saved;
}

/* (Re)make the write and reconnect events on base (NULL: none). */
static void
log_events_locked(struct event_base *base)
{
	if (L.ev_write != NULL)
		event_free(L.ev_write);
	if (L.ev_retry != NULL)
		event_free(L.ev_retry);
	L.ev_write = L.ev_retry = NULL;
	L.write_armed = L.retry_armed = 0;
	L.base = base;
	if (base != NULL && L.fd != -1) {
		L.ev_write = event_new(base, L.fd, EV_WRITE | EV_PERSIST,
		    log_write_cb, NULL);
		L.ev_retry = evtimer_new(base, log_retry_cb, NULL);
		log_arm_locked();
	}
}

/* At stop: send what is queued, blocking at most timeout_ms. */
void
log_flush(int timeout_ms)
{
	struct timespec now, end;
	struct pollfd pfd;
	long left;
	int saved = errno;

	log_batch_send();	/* this thread's, first: they are older */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&L.mtx);
	for (;;) {
		if (L.fd == -1 || L.qcount == 0)
			break;
		if (!L.connected)
			log_reconnect_locked(1);
		if (L.connected)
			log_drain_locked();
		log_check_congestion_locked();
		if (L.qcount == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000L +
		    (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			break;
		if (left > 100 || !L.connected)
			left = L.connected ? left : 100; /* re-check a dead peer */
		pfd.fd = L.fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		pthread_mutex_unlock(&L.mtx);
		(void)poll(&pfd, 1, (int)left);
		pthread_mutex_lock(&L.mtx);
	}
	log_arm_locked();
	log_unlock_and_notify();
	errno = saved;
}

/* True while the queue is above its high-water mark. */
int
log_congested(void)
{
	return atomic_load_explicit(&L.congested, memory_order_relaxed);
}

/* Register the callback that ends back-pressure. */
void
log_set_drain_cb(void (*cb)(void *), void *arg)
{
	pthread_mutex_lock(&L.mtx);
	L.drain_cb = cb;
	L.drain_arg = arg;
	pthread_mutex_unlock(&L.mtx);
}

/* Copy the counters (congested_us includes a running episode; depth is now). */
void
log_get_counters(struct log_counters *c)
{
	struct timespec now;

	pthread_mutex_lock(&L.mtx);
	*c = L.ctr;
	c->sent += atomic_load_explicit(&L.sent_direct, memory_order_relaxed);
	c->depth = L.qcount;
	if (L.congested) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		c->congested_us += (unsigned long long)
		    ((now.tv_sec - L.congested_since.tv_sec) * 1000000LL +
		    (now.tv_nsec - L.congested_since.tv_nsec) / 1000);
	}
	pthread_mutex_unlock(&L.mtx);
}

/* Log a structured record; msg need not be NUL-terminated. */
int
log_record(int pri, const char *msg, size_t len)
{
	int saved = errno, rv;

	rv = log_emit(pri, msg, len, LOG_F_RECORD);
	errno = saved;
	return rv;
}

/*
 * A record that reaches syslog in the order of the calls, whatever thread
 * makes them (never batched); the caller orders the calls (audit's chain).
 */
int
log_record_ordered(int pri, const char *msg, size_t len)
{
	int saved = errno, rv;

	rv = log_emit(pri, msg, len, LOG_F_RECORD | LOG_F_ORDERED);
	errno = saved;
	return rv;
}

/* Format, escape and emit one message at pri. */
void
vlog(int pri, const char *fmt, va_list ap)
{
	char text[LOG_TEXT_MAX];
	int saved = errno, n;

	if (LOG_PRI(pri) == LOG_DEBUG && !L.verbose) {
		errno = saved;
		return;
	}
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;	/* cut: better a cut line than none */
	log_emit(pri, text, (size_t)n, 0);
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

/* A notice. */
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

/* A debug message, shown only when verbose. */
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
static void __attribute__((noreturn))
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
	log_emit(LOG_CRIT, line, (size_t)n, 0);
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

/*
 * Copy (src, len) to dst writing bytes below 0x20 and 0x7f as \xHH, so
 * nothing a peer or a config file held can split a syslog line. Stops
 * before an escape that would not fit. Returns the length written.
 */
static size_t
log_escape_ctl(char *dst, size_t dstlen, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f) {
			if (o + 4 > dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		} else {
			if (o + 1 > dstlen)
				break;
			dst[o++] = (char)c;
		}
	}
	return o;
}

/*
 * Build "<PRI>Mmm dd hh:mm:ss NAME[PID]: " into buf. The time is
 * converted once a second per thread: localtime_r takes a lock shared by
 * every thread. Reads fields set while the program had one thread.
 */
static size_t
log_header(char *buf, size_t len, int pri)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char stamp[16];	/* "Mmm dd hh:mm:ss" */
	struct tm tm;
	time_t now;
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
	pid = L.pid != 0 ? L.pid : getpid();
	n = snprintf(buf, len, "<%d>%s %s[%ld]: ",
	    L.facility | LOG_PRI(pri), stamp, L.name, (long)pid);
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}

/*
 * The single path of every message: stderr copy, then send or queue.
 * 0: sent or queued; -1: lost (counted).
 */
static int
log_emit(int pri, const char *msg, size_t len, int flags)
{
	char dgram[LOG_MSG_MAX];
	char line[LOG_MSG_MAX];
	size_t hl, bl, n;
	ssize_t r;
	int use_stderr, fd, rv, err;

	/* Formatted before the mutex: only the queue needs it. */
	hl = log_header(dgram, sizeof(dgram), pri);
	bl = log_escape_ctl(dgram + hl, sizeof(dgram) - hl, msg, len);

	pthread_mutex_lock(&L.mtx);
	/* Records go to syslog only; stderr has them when there is no syslog. */
	use_stderr = (L.to_stderr && !(flags & LOG_F_RECORD)) || L.fd == -1;
	if (use_stderr) {
		n = (size_t)snprintf(line, sizeof(line), "%s: ", L.name);
		if (n >= sizeof(line))
			n = 0;
		n += log_escape_ctl(line + n, sizeof(line) - 1 - n, msg, len);
		line[n++] = '\n';
		log_stderr_write(line, n);
	}
	if (L.fd == -1) {
		pthread_mutex_unlock(&L.mtx);
		return 0;
	}
	/*
	 * Held only while the socket takes messages at once: behind a queue
	 * holding would save nothing, and the caller learns of a loss. An
	 * ordered record, or one that goes to the queue, first sends what
	 * this thread holds (its messages keep their order).
	 */
	if (B != NULL && !(flags & LOG_F_ORDERED) && L.qcount == 0 &&
	    L.connected) {
		pthread_mutex_unlock(&L.mtx);
		if (log_batch_add(dgram, hl + bl) == 0)
			return 0;	/* waits in the batch */
		pthread_mutex_lock(&L.mtx);
	} else if (B != NULL && B->n > 0) {
		pthread_mutex_unlock(&L.mtx);
		log_batch_send();
		pthread_mutex_lock(&L.mtx);
	}
	if (L.qcount == 0 && L.connected) {
		/* The common case: send with the mutex released. */
		fd = L.fd;
		pthread_mutex_unlock(&L.mtx);
		do
			r = send(fd, dgram, hl + bl, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r >= 0) {
			atomic_fetch_add_explicit(&L.sent_direct, 1,
			    memory_order_relaxed);
			return 0;
		}
		err = errno;
		pthread_mutex_lock(&L.mtx);
		rv = log_send_errno_locked(err) == 1 ?
		    log_enqueue_locked(dgram, hl + bl) : -1;
	} else {
		if (L.base == NULL && !L.connected)
			log_reconnect_locked(0);
		if (L.base == NULL && L.connected)
			log_drain_locked();	/* no loop: drain as we go */
		rv = 1;
		if (L.qcount == 0 && L.connected)
			rv = log_send_locked(dgram, hl + bl);
		if (rv == 1)
			rv = log_enqueue_locked(dgram, hl + bl);
	}
	log_check_congestion_locked();
	log_arm_locked();
	/*
	 * No drain callback from here: the caller may hold its own locks
	 * (audit's chain mutex). It runs from the loop or log_flush.
	 */
	pthread_mutex_unlock(&L.mtx);
	return rv;
}

/*
 * Try one non-blocking send. 0: taken; -1: lost for good (counted);
 * 1: try again later (full receiver, or the receiver went away).
 */
static int
log_send_locked(const char *buf, size_t len)
{
	ssize_t r;

	for (;;) {
		r = send(L.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r >= 0) {
			L.ctr.sent++;
			return 0;
		}
		if (errno != EINTR)
			return log_send_errno_locked(errno);
	}
}

/* What a failed send means: 1, try again later; -1, lost (counted). */
static int
log_send_errno_locked(int err)
{
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case ENOBUFS:
	case ENOMEM:
		return 1;
	case ECONNREFUSED:
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
	case EDESTADDRREQ:
		/* the receiver went away: keep it, reconnect later */
		L.connected = 0;
		return 1;
	default:
		L.ctr.lost++;	/* EMSGSIZE and friends: this one only */
		return -1;
	}
}

/*
 * Give this thread's loop a batch (see the top of the file); the calling
 * thread must be the one that runs base. -1: no memory, or this thread
 * has a batch on another base (messages then go out one by one).
 */
int
log_batch_open(struct event_base *base, unsigned window_us)
{
	struct log_batch *b;

	if (B != NULL)
		return event_get_base(B->ev) == base ? 0 : -1;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	if ((b->ev = evtimer_new(base, log_batch_cb, b)) == NULL) {
		free(b);
		return -1;
	}
	b->window_us = window_us;
	B = b;
	return 0;
}

/* Send what this thread's batch holds and close it. */
void
log_batch_close(void)
{
	int saved = errno;

	if (B == NULL)
		return;
	log_batch_send();
	event_free(B->ev);
	free(B);
	B = NULL;
	errno = saved;
}

/*
 * Keep a formatted message in this thread's batch: 0. 1: the thread has
 * been quiet for a window, send it now (the caller does).
 */
static int
log_batch_add(const char *buf, size_t len)
{
	struct timeval tv = { (time_t)(B->window_us / 1000000u),
	    (suseconds_t)(B->window_us % 1000000u) };
	uint64_t now = log_mono_us();

	if (B->n == 0 && (!B->sent || now - B->last_us >= B->window_us)) {
		B->last_us = now;
		B->sent = 1;
		return 1;
	}
	if (B->n == LOG_BATCH_MSGS || len > sizeof(B->buf) - B->used)
		log_batch_send();
	memcpy(B->buf + B->used, buf, len);
	B->iov[B->n].iov_base = B->buf + B->used;
	B->iov[B->n].iov_len = len;
	memset(&B->mm[B->n], 0, sizeof(B->mm[B->n]));
	B->mm[B->n].msg_hdr.msg_iov = &B->iov[B->n];
	B->mm[B->n].msg_hdr.msg_iovlen = 1;
	B->used += len;
	B->n++;
	if (!B->armed && evtimer_add(B->ev, &tv) == 0)
		B->armed = 1;
	else if (!B->armed)
		log_batch_send();	/* no timer: do not keep it */
	return 0;
}

/*
 * Send this thread's batch in one sendmmsg when nothing is queued (with
 * the mutex released, as in log_emit); what the socket refuses, and all
 * of it when the queue holds older messages, goes to the queue in order.
 */
static void
log_batch_send(void)
{
	size_t i = 0;
	int r, fd, err;

	if (B == NULL || B->n == 0)
		return;
	if (B->armed) {
		evtimer_del(B->ev);
		B->armed = 0;
	}
	B->last_us = log_mono_us();
	B->sent = 1;
	pthread_mutex_lock(&L.mtx);
	while (i < B->n && L.fd != -1 && L.qcount == 0 && L.connected) {
		fd = L.fd;
		pthread_mutex_unlock(&L.mtx);
		do
			r = sendmmsg(fd, B->mm + i, (unsigned)(B->n - i),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r > 0) {
			atomic_fetch_add_explicit(&L.sent_direct,
			    (unsigned long long)r, memory_order_relaxed);
			i += (size_t)r;
			pthread_mutex_lock(&L.mtx);
			continue;
		}
		err = errno;
		pthread_mutex_lock(&L.mtx);
		if (log_send_errno_locked(err) == 1)
			break;
		i++;			/* lost for good (counted) */
	}
	for (; i < B->n; i++)
		(void)log_enqueue_locked(B->iov[i].iov_base, B->iov[i].iov_len);
	log_check_congestion_locked();
	log_arm_locked();
	/* No drain callback: the caller may hold audit's chain mutex. */
	pthread_mutex_unlock(&L.mtx);
	B->n = 0;
	B->used = 0;
}

/* The batch's timer: its oldest message has waited a window. */
static void
log_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	int saved = errno;

	(void)fd;
	(void)what;
	if (arg != B) {
		errno = saved;
		return;		/* another thread's batch: never ours to send */
	}
	B->armed = 0;
	log_batch_send();
	errno = saved;
}

/* Keep a copy in the queue; count it lost when even the cap is full. */
static int
log_enqueue_locked(const char *buf, size_t len)
{
	struct log_msg *m;
	char *copy;

	if (L.qcount >= LOG_QUEUE_MSGS || L.qbytes + len > LOG_QUEUE_BYTES ||
	    (copy = malloc(len)) == NULL) {
		L.ctr.lost++;
		return -1;
	}
	memcpy(copy, buf, len);
	m = &L.q[(L.qhead + L.qcount) % LOG_QUEUE_MSGS];
	m->buf = copy;
	m->len = len;
	L.qcount++;
	L.qbytes += len;
	L.ctr.queued++;
	return 0;
}

/* Send queued messages until the socket pushes back. 0: queue empty. */
static int
log_drain_locked(void)
{
	struct log_msg *m;

	while (L.qcount > 0 && L.connected) {
		m = &L.q[L.qhead];
		if (log_send_locked(m->buf, m->len) == 1)
			return 1;
		L.qbytes -= m->len;
		free(m->buf);
		m->buf = NULL;
		L.qhead = (L.qhead + 1) % LOG_QUEUE_MSGS;
		L.qcount--;
	}
	return L.qcount > 0;
}

/*
 * Arm the write event while something waits and the socket is connected,
 * the reconnect timer while it is not; disarm the write event otherwise
 * (an idle datagram socket is always writable: it would spin).
 */
static void
log_arm_locked(void)
{
	struct timeval tv = { LOG_RECONNECT_SEC, 0 };
	int want_write, want_retry;

	if (L.base == NULL || L.ev_write == NULL)
		return;
	want_write = L.qcount > 0 && L.connected;
	want_retry = !L.connected;
	if (want_write && !L.write_armed) {
		event_add(L.ev_write, NULL);
		L.write_armed = 1;
	} else if (!want_write && L.write_armed) {
		event_del(L.ev_write);
		L.write_armed = 0;
	}
	if (want_retry && !L.retry_armed) {
		evtimer_add(L.ev_retry, &tv);
		L.retry_armed = 1;
	} else if (!want_retry && L.retry_armed) {
		evtimer_del(L.ev_retry);
		L.retry_armed = 0;
	}
}

/* Enter or leave back-pressure; leaving makes the drain callback due. */
static void
log_check_congestion_locked(void)
{
	struct timespec now;

	if (!L.congested && (L.qcount > LOG_QUEUE_MSGS / 4 * 3 ||
	    L.qbytes > LOG_QUEUE_BYTES / 4 * 3)) {
		L.congested = 1;
		L.ctr.congested++;
		clock_gettime(CLOCK_MONOTONIC, &L.congested_since);
	} else if (L.congested && L.qcount < LOG_QUEUE_MSGS / 4 &&
	    L.qbytes < LOG_QUEUE_BYTES / 4) {
		L.congested = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		L.ctr.congested_us += (unsigned long long)
		    ((now.tv_sec - L.congested_since.tv_sec) * 1000000LL +
		    (now.tv_nsec - L.congested_since.tv_nsec) / 1000);
		L.drain_pending = 1;
	}
}

/* Drop the mutex, then run the drain callback if it is due. */
static void
log_unlock_and_notify(void)
{
	void (*cb)(void *) = NULL;
	void *arg = NULL;

	if (L.drain_pending && L.drain_cb != NULL) {
		L.drain_pending = 0;
		cb = L.drain_cb;
		arg = L.drain_arg;
	}
	pthread_mutex_unlock(&L.mtx);
	if (cb != NULL)
		cb(arg);
}

/* Connect the socket to its path again, at most once a second. */
static int
log_reconnect_locked(int force)
{
	time_t now = log_mono_sec();

	if (L.fd == -1)
		return -1;
	if (!force && now - L.last_connect < LOG_RECONNECT_SEC)
		return -1;
	L.last_connect = now;
	if (connect(L.fd, (struct sockaddr *)&L.sun, sizeof(L.sun)) == -1)
		return -1;
	L.connected = 1;
	return 0;
}

/* EV_WRITE: the receiver has room again; drain. */
static void
log_write_cb(evutil_socket_t fd, short what, void *arg)
{
	int saved = errno;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&L.mtx);
	log_drain_locked();
	log_check_congestion_locked();
	log_arm_locked();
	log_unlock_and_notify();
	errno = saved;
}

/* Timer: try to reach the syslog daemon again. */
static void
log_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	int saved = errno;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&L.mtx);
	L.retry_armed = 0;
	if (log_reconnect_locked(1) == 0)
		log_drain_locked();
	log_check_congestion_locked();
	log_arm_locked();
	log_unlock_and_notify();
	errno = saved;
}

/* Microseconds on the monotonic clock. */
static uint64_t
log_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Seconds on the monotonic clock. */
static time_t
log_mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Write a whole line to stderr, ignoring failure (nowhere to report it). */
static void
log_stderr_write(const char *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(STDERR_FILENO, buf, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		buf += r;
		len -= (size_t)r;
	}
}
