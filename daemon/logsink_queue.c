/* SPDX-License-Identifier: ISC */
/*
 * logsink_queue: what the socket could not take at once. The bounded
 * queue and its drain from the attached loop (an EV_WRITE event, armed
 * only while something waits: an idle datagram socket is always
 * writable), the back-pressure thresholds and the drain callback, the
 * reconnect timer (which finds the socket's kind again: datagram, or
 * stream, logsink_stream.c) and what each send error means. The same
 * timer paces the drain after ENOBUFS or ENOMEM: the socket stays
 * writable, and EV_WRITE would fire and fail in a busy loop. Every
 * function here runs with the sink's mutex held ("_locked") or takes it
 * (the loop's callbacks).
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>

#include "daemon/logsink.h"
#include "daemon/logsink_int.h"

#define LOGSINK_DRAIN_MSGS	32	/* queued messages in one sendmmsg */

static void	logsink_write_cb(evutil_socket_t, short, void *);
static void	logsink_retry_cb(evutil_socket_t, short, void *);

/* (Re)make the write and reconnect events on base (NULL: none). */
void
logsink_events_locked(struct logsink *ls, struct event_base *base)
{
	if (ls->ev_write != NULL)
		event_free(ls->ev_write);
	if (ls->ev_retry != NULL)
		event_free(ls->ev_retry);
	ls->ev_write = ls->ev_retry = NULL;
	ls->write_armed = ls->retry_armed = 0;
	ls->base = base;
	logsink_watch_locked(ls);
}

/*
 * (Re)make the write event on the socket in use (it changed), and the
 * reconnect timer if there is none yet: the first log_open_syslog after
 * log_attach comes here only, and needs both.
 */
void
logsink_watch_locked(struct logsink *ls)
{
	if (ls->ev_write != NULL)
		event_free(ls->ev_write);
	ls->ev_write = NULL;
	ls->write_armed = 0;
	if (ls->base == NULL || ls->fd == -1)
		return;
	if (ls->ev_retry == NULL &&
	    (ls->ev_retry = evtimer_new(ls->base, logsink_retry_cb, ls)) == NULL)
		return;		/* out of memory: no events */
	ls->ev_write = event_new(ls->base, logsink_sock_locked(ls),
	    EV_WRITE | EV_PERSIST, logsink_write_cb, ls);
	logsink_arm_locked(ls);
}

/*
 * Try one non-blocking send, nothing being queued. 0: taken (on a
 * stream, maybe its rest queued); -1: lost for good (counted); 1: try
 * again later (full receiver, or the receiver went away).
 */
int
logsink_send_locked(struct logsink *ls, const char *buf, size_t len)
{
	ssize_t r;

	if (ls->stream)
		return logsink_stream_send_locked(ls, buf, len);
	for (;;) {
		r = send(ls->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r >= 0) {
			ls->ctr.sent++;
			return 0;
		}
		if (errno != EINTR)
			return logsink_send_errno_locked(ls, errno);
	}
}

/* What a failed send means: 1, try again later; -1, lost (counted). */
int
logsink_send_errno_locked(struct logsink *ls, int err)
{
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		ls->backoff = 0;	/* a full receiver: EV_WRITE says when */
		return 1;
	case ENOBUFS:
	case ENOMEM:
		ls->backoff = 1;	/* writable, yet failing: the timer */
		return 1;
	case ECONNREFUSED:
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
	case EDESTADDRREQ:
		/* the receiver went away: keep it, reconnect later */
		ls->connected = 0;
		return 1;
	default:
		ls->ctr.lost++;	/* EMSGSIZE and friends: this one only */
		return -1;
	}
}

/*
 * Keep a copy (and the '\n' after it) in the queue; count it lost when
 * even the cap is full.
 */
int
logsink_enqueue_locked(struct logsink *ls, const char *buf, size_t len)
{
	struct logsink_msg *m;
	char *copy;

	if (ls->qcount >= LOGSINK_QUEUE_MSGS ||
	    ls->qbytes + len > LOGSINK_QUEUE_BYTES ||
	    (copy = malloc(len + 1)) == NULL) {
		ls->ctr.lost++;
		return -1;
	}
	memcpy(copy, buf, len);
	copy[len] = '\n';
	m = &ls->q[(ls->qhead + ls->qcount) % LOGSINK_QUEUE_MSGS];
	m->buf = copy;
	m->len = len;
	ls->qcount++;
	ls->qbytes += len;
	ls->ctr.queued++;
	return 0;
}

/* Forget the n oldest queued messages (sent, or lost and counted). */
void
logsink_pop_locked(struct logsink *ls, size_t n)
{
	struct logsink_msg *m;

	while (n-- > 0 && ls->qcount > 0) {
		ls->qoff = 0;
		m = &ls->q[ls->qhead];
		ls->qbytes -= m->len;
		free(m->buf);
		m->buf = NULL;
		ls->qhead = (ls->qhead + 1) % LOGSINK_QUEUE_MSGS;
		ls->qcount--;
	}
}

/*
 * After fork, in a process that does not keep the sink: forget the queue,
 * a half-written message, back-pressure and the counters; and the loop's
 * events without touching them (they would be the keeper's, their epoll
 * instance shared: log_after_fork wants no loop attached).
 */
void
logsink_forget_locked(struct logsink *ls)
{
	logsink_pop_locked(ls, ls->qcount);
	ls->qhead = 0;
	ls->qoff = 0;
	ls->backoff = 0;
	ls->congested = 0;
	ls->drain_pending = 0;
	memset(&ls->ctr, 0, sizeof(ls->ctr));
	ls->sent_direct = 0;
	ls->base = NULL;
	ls->ev_write = ls->ev_retry = NULL;
	ls->write_armed = ls->retry_armed = 0;
}

/*
 * Send queued messages until the socket pushes back, up to
 * LOGSINK_DRAIN_MSGS in one sendmmsg: a receiver whose queue holds only
 * a few datagrams (net.unix.max_dgram_qlen is 10 where nothing raised
 * it) is otherwise fed one system call per message, under the mutex.
 * A stream socket drains in logsink_stream.c. 0: queue empty.
 */
int
logsink_drain_locked(struct logsink *ls)
{
	struct mmsghdr mm[LOGSINK_DRAIN_MSGS];
	struct iovec iov[LOGSINK_DRAIN_MSGS];
	const struct logsink_msg *m;
	size_t i, n;
	int r;

	if (ls->stream)
		return logsink_stream_drain_locked(ls);
	while (ls->qcount > 0 && ls->connected) {
		n = ls->qcount < LOGSINK_DRAIN_MSGS ? ls->qcount :
		    LOGSINK_DRAIN_MSGS;
		memset(mm, 0, n * sizeof(mm[0]));
		for (i = 0; i < n; i++) {
			m = &ls->q[(ls->qhead + i) % LOGSINK_QUEUE_MSGS];
			iov[i].iov_base = m->buf;
			iov[i].iov_len = m->len;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(ls->fd, mm, (unsigned)n,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (logsink_send_errno_locked(ls, errno) == 1)
				return 1;
			r = 1;		/* lost for good (counted) */
		} else
			ls->ctr.sent += (unsigned long long)r;
		logsink_pop_locked(ls, (size_t)r);
	}
	return ls->qcount > 0;
}

/*
 * Arm the write event while something waits and the socket is connected,
 * the reconnect timer while it is not, and the same timer, sooner, while
 * a send backs off (ENOBUFS); disarm the write event otherwise (an idle
 * datagram socket is always writable: it would spin).
 */
void
logsink_arm_locked(struct logsink *ls)
{
	struct timeval tv = { LOGSINK_RECONNECT_SEC, 0 };
	int want_write, want_retry;

	if (ls->qcount == 0)
		ls->backoff = 0;
	if (ls->base == NULL || ls->ev_write == NULL)
		return;
	want_write = ls->qcount > 0 && ls->connected && !ls->backoff;
	want_retry = !ls->connected || ls->backoff;
	if (ls->connected) {
		tv.tv_sec = 0;
		tv.tv_usec = LOGSINK_BACKOFF_MS * 1000;
	}
	if (want_write && !ls->write_armed) {
		if (event_add(ls->ev_write, NULL) == 0)
			ls->write_armed = 1;
		else {
			/*
			 * The loop could not watch the socket (epoll_ctl
			 * failed): nothing else would ever drain the queue,
			 * so the timer paces it, as after ENOBUFS, until an
			 * add succeeds.
			 */
			ls->backoff = 1;
			want_retry = 1;
			logsink_note_locked(ls, LOG_ERR, "syslog queue: cannot "
			    "watch the socket; draining on a timer");
		}
	} else if (!want_write && ls->write_armed) {
		event_del(ls->ev_write);
		ls->write_armed = 0;
	}
	if (want_retry && !ls->retry_armed) {
		evtimer_add(ls->ev_retry, &tv);
		ls->retry_armed = 1;
	} else if (!want_retry && ls->retry_armed) {
		evtimer_del(ls->ev_retry);
		ls->retry_armed = 0;
	}
}

/* Enter or leave back-pressure; leaving makes the drain callback due. */
void
logsink_congestion_locked(struct logsink *ls)
{
	struct timespec now;

	if (!ls->congested && (ls->qcount > LOGSINK_QUEUE_MSGS / 4 * 3 ||
	    ls->qbytes > LOGSINK_QUEUE_BYTES / 4 * 3)) {
		ls->congested = 1;
		ls->ctr.congested++;
		clock_gettime(CLOCK_MONOTONIC, &ls->congested_since);
	} else if (ls->congested && ls->qcount < LOGSINK_QUEUE_MSGS / 4 &&
	    ls->qbytes < LOGSINK_QUEUE_BYTES / 4) {
		ls->congested = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ls->ctr.congested_us += logsink_us_since(&ls->congested_since,
		    &now);
		ls->drain_pending = 1;
	}
}

/* Microseconds from since to now. */
unsigned long long
logsink_us_since(const struct timespec *since, const struct timespec *now)
{
	return (unsigned long long)((now->tv_sec - since->tv_sec) *
	    1000000LL + (now->tv_nsec - since->tv_nsec) / 1000);
}

/* Drop the mutex, then run the drain callback if it is due. */
void
logsink_unlock_and_notify(struct logsink *ls)
{
	void (*cb)(void *) = NULL;
	void *arg = NULL;

	if (ls->drain_pending && ls->drain_cb != NULL) {
		ls->drain_pending = 0;
		cb = ls->drain_cb;
		arg = ls->drain_arg;
	}
	pthread_mutex_unlock(&ls->mtx);
	if (cb != NULL)
		cb(arg);
}

/*
 * Connect to the path again, at most once a second, finding its kind
 * again: the datagram socket, or on EPROTOTYPE a new stream connection
 * (as glibc's syslog(3) does).
 */
int
logsink_reconnect_locked(struct logsink *ls, int force)
{
	time_t now = logsink_mono_sec();
	int sfd;

	if (ls->fd == -1)
		return -1;
	if (!force && now - ls->last_connect < LOGSINK_RECONNECT_SEC)
		return -1;
	ls->last_connect = now;
	ls->backoff = 0;
	if (connect(ls->fd, (struct sockaddr *)&ls->sun,
	    sizeof(ls->sun)) == 0)
		sfd = -1;
	else if (errno != EPROTOTYPE ||
	    (sfd = logsink_stream_socket(&ls->sun)) == -1)
		return -1;
	ls->connected = 1;	/* first: the new write event arms no retry */
	if (ls->stream || sfd != -1)
		logsink_stream_use_locked(ls, sfd);
	return 0;
}

/* EV_WRITE: the receiver has room again; drain. */
static void
logsink_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct logsink *ls = arg;
	int saved = errno;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&ls->mtx);
	logsink_drain_locked(ls);
	logsink_congestion_locked(ls);
	logsink_arm_locked(ls);
	logsink_unlock_and_notify(ls);
	errno = saved;
}

/* Timer: try to reach the syslog daemon again, or to send after ENOBUFS. */
static void
logsink_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct logsink *ls = arg;
	int saved = errno;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&ls->mtx);
	ls->retry_armed = 0;
	ls->backoff = 0;
	if (ls->connected || logsink_reconnect_locked(ls, 1) == 0)
		logsink_drain_locked(ls);
	logsink_congestion_locked(ls);
	logsink_arm_locked(ls);
	logsink_unlock_and_notify(ls);
	errno = saved;
}

/* Seconds on the monotonic clock. */
time_t
logsink_mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}
