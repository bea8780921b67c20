/* SPDX-License-Identifier: ISC */
/*
 * logsink_batch: per-thread coalescing of log messages. A thread that
 * runs an event loop opens a batch with a window; while it logs faster
 * than one message per window its messages wait here (at most one window
 * and LOGSINK_BATCH_MSGS messages) and go out together in one sendmmsg
 * (on a stream socket, one sendmsg with an iovec per message, under the
 * sink's mutex: logsink_stream.c), so the syslog daemon wakes once per
 * batch instead of once per record.
 * A message after a quiet spell is sent at once. A batch holds messages
 * only while the sink's queue is empty; what the socket refuses joins the
 * queue in order. The batch is flushed when its thread closes it, and by
 * log_flush on its thread; a process that forks off the sink's keeper
 * forgets its copy (logsink_batch_forget).
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "daemon/logsink.h"
#include "daemon/logsink_int.h"

static _Thread_local struct logsink_batch *logsink_batch_thread;

static void	logsink_batch_cb(evutil_socket_t, short, void *);
static uint64_t	logsink_mono_us(void);

/* This thread's batch, or NULL. */
struct logsink_batch *
logsink_batch_mine(void)
{
	return logsink_batch_thread;
}

/*
 * Give this thread's loop a batch for ls; the calling thread must be the
 * one that runs base. -1: no memory, or this thread has a batch on
 * another base (messages then go out one by one).
 */
int
logsink_batch_open(struct logsink *ls, struct event_base *base,
    unsigned window_us)
{
	struct logsink_batch *b = logsink_batch_thread;

	if (b != NULL)
		return event_get_base(b->ev) == base ? 0 : -1;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	if ((b->ev = evtimer_new(base, logsink_batch_cb, b)) == NULL) {
		free(b);
		return -1;
	}
	b->ls = ls;
	b->window_us = window_us;
	logsink_batch_thread = b;
	return 0;
}

/* Send what this thread's batch holds to ls and close it. */
void
logsink_batch_close(struct logsink *ls)
{
	struct logsink_batch *b = logsink_batch_thread;
	int saved = errno;

	if (b == NULL)
		return;
	logsink_batch_send(ls);
	event_free(b->ev);
	free(b);
	logsink_batch_thread = NULL;
	errno = saved;
}

/*
 * Keep a framed message (buf[len] is its '\n', kept after it) in this
 * thread's batch b: 0. 1: the thread has been quiet for a window, send
 * it now (the caller does).
 */
int
logsink_batch_add(struct logsink *ls, struct logsink_batch *b,
    const char *buf, size_t len)
{
	struct timeval tv = { (time_t)(b->window_us / 1000000u),
	    (suseconds_t)(b->window_us % 1000000u) };
	uint64_t now = logsink_mono_us();

	if (b->n == 0 && (!b->sent || now - b->last_us >= b->window_us)) {
		b->last_us = now;
		b->sent = 1;
		return 1;
	}
	if (b->n == LOGSINK_BATCH_MSGS || len + 1 > sizeof(b->buf) - b->used)
		logsink_batch_send(ls);
	memcpy(b->buf + b->used, buf, len + 1);
	b->iov[b->n].iov_base = b->buf + b->used;
	b->iov[b->n].iov_len = len;
	memset(&b->mm[b->n], 0, sizeof(b->mm[b->n]));
	b->mm[b->n].msg_hdr.msg_iov = &b->iov[b->n];
	b->mm[b->n].msg_hdr.msg_iovlen = 1;
	b->used += len + 1;
	b->n++;
	if (!b->armed && evtimer_add(b->ev, &tv) == 0)
		b->armed = 1;
	else if (!b->armed)
		logsink_batch_send(ls);	/* no timer: do not keep it */
	return 0;
}

/*
 * Send this thread's batch in one sendmmsg when nothing is queued (with
 * the mutex released, as a single message is; on a stream, one sendmsg
 * under it); what the socket refuses, and all of it when the queue holds
 * older messages, goes to the queue in order.
 */
void
logsink_batch_send(struct logsink *ls)
{
	struct logsink_batch *b = logsink_batch_thread;
	size_t i = 0, part = 0;
	int r, fd, err;

	if (b == NULL || b->n == 0)
		return;
	if (b->armed) {
		evtimer_del(b->ev);
		b->armed = 0;
	}
	b->last_us = logsink_mono_us();
	b->sent = 1;
	pthread_mutex_lock(&ls->mtx);
	if (ls->stream && ls->qcount == 0 && ls->connected)
		i = logsink_stream_batch_locked(ls, b->iov, b->n, &part);
	while (i < b->n && ls->fd != -1 && ls->qcount == 0 && ls->connected &&
	    !ls->stream) {
		fd = ls->fd;
		pthread_mutex_unlock(&ls->mtx);
		do
			r = sendmmsg(fd, b->mm + i, (unsigned)(b->n - i),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r > 0) {
			atomic_fetch_add_explicit(&ls->sent_direct,
			    (unsigned long long)r, memory_order_relaxed);
			i += (size_t)r;
			pthread_mutex_lock(&ls->mtx);
			continue;
		}
		err = errno;
		pthread_mutex_lock(&ls->mtx);
		/* now a stream: fd was unconnected under it; queue the rest */
		if (ls->stream || logsink_send_errno_locked(ls, err) == 1)
			break;
		i++;			/* lost for good (counted) */
	}
	for (; i < b->n; i++, part = 0)	/* part: of the first, on a stream */
		(void)logsink_stream_keep_locked(ls, b->iov[i].iov_base,
		    b->iov[i].iov_len, part);
	logsink_congestion_locked(ls);
	logsink_arm_locked(ls);
	/* No drain callback: the caller may hold locks of its own. */
	pthread_mutex_unlock(&ls->mtx);
	b->n = 0;
	b->used = 0;
}

/* After fork, in a process that does not keep the sink: drop the batch's. */
void
logsink_batch_forget(void)
{
	struct logsink_batch *b = logsink_batch_thread;

	if (b != NULL) {
		b->n = 0;
		b->used = 0;
	}
}

/* The batch's timer: its oldest message has waited a window. */
static void
logsink_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct logsink_batch *b = logsink_batch_thread;
	int saved = errno;

	(void)fd;
	(void)what;
	if (arg != b) {
		errno = saved;
		return;		/* another thread's batch: never ours to send */
	}
	b->armed = 0;
	logsink_batch_send(b->ls);
	errno = saved;
}

/* Microseconds on the monotonic clock. */
static uint64_t
logsink_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
