/* SPDX-License-Identifier: ISC */
/*
 * engine_stop: the engine's stop on TERM or INT. Every loop seals and
 * closes its own listening sockets after taking the clients already
 * queued, lets the connections in flight finish for ENGINE_STOP_MS, then
 * cuts what is left, so that every connection gets its one record. A
 * queue that a lack of descriptors leaves is taken as they come back,
 * within that time, and at its end as the cuts give them back.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include <event2/event.h>

#include "daemon/conn.h"
#include "daemon/engine_int.h"
#include "daemon/limits.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/reload.h"

#define ENGINE_DRAIN_MAX	1024	/* accepts per queue per try */
#define ENGINE_LATE_MS		10	/* past the deadline, for descriptors */
#define ENGINE_LATE_TRIES	10	/* ... so 100 ms at most */

static void	worker_unlisten(struct worker *);
static unsigned	worker_drain(struct worker *, int);
static void	worker_drain_later(struct worker *);
static void	worker_finish(struct worker *);

/* TERM and INT arrive here through the loop: the stop. */
void
engine_stop_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct engine *e = arg;

	(void)ev;
	if (atomic_exchange(&e->stopping, 1))
		return;
	reload_stop(e->reload);
	log_info("stopping on signal %d; %u connections in flight",
	    (int)sig, limits_connections(e->limits));
	engine_wake_all(e);
}

/* Stopping, on the worker's thread: close, then wait for what is in flight. */
void
engine_stop_worker(struct worker *w)
{
	struct timeval tv = { ENGINE_STOP_MS / 1000, (ENGINE_STOP_MS % 1000) * 1000 };

	worker_unlisten(w);
	if (w->loop.nconns == 0 && w->loop.drain == NULL)
		event_base_loopexit(w->loop.base, NULL);
	else if (!evtimer_pending(w->ev_stop, NULL))
		evtimer_add(w->ev_stop, &tv);
}

/*
 * Stopping: seal this worker's own listening sockets (the kernel takes no
 * new handshake into their queues), serve the clients already queued
 * (unless the log pushes back), then close them, so that a client who
 * connects from now on is refused instead of being taken into the backlog
 * by the kernel and reset at exit with no record.
 * A queue left for want of descriptors stays open until the deadline:
 * each connection's end here, and every ENGINE_EMFILE_MS (the other
 * loops' ends), takes more (worker_drain); the deadline the rest.
 * A socket a service manager passed stays open: it keeps the queue for
 * the next start.
 */
static void
worker_unlisten(struct worker *w)
{
	struct engine *e = w->e;
	size_t i;

	if (w->loop.unlistened)
		return;
	w->loop.unlistened = 1;
	listen_seal_worker(e->ls, w->id);
	for (i = 0; i < e->nlisteners; i++)
		/* a datagram socket too: worker_drain closes it at once */
		w->listeners[i].drain = w->listeners[i].ev != NULL &&
		    !listen_shared(e->ls, i);
	w->loop.drain = w->ev_drain;
	(void)worker_drain(w, 1);
	worker_drain_later(w);
}

/*
 * Accept what the draining stream queues hold, up to ENGINE_DRAIN_MAX
 * each. With wait, a queue short of descriptors stays open; one found
 * empty, the log pushing back or another error closes it. How many were
 * accepted; once no queue is left, loop.drain is NULL and the worker's
 * own sockets are closed.
 */
static unsigned
worker_drain(struct worker *w, int wait)
{
	struct engine *e = w->e;
	unsigned n, got = 0;
	size_t i;
	int left = 0, shortage;

	for (i = 0; i < e->nlisteners; i++) {
		struct engine_listener *l = &w->listeners[i];

		if (!l->drain)
			continue;
		shortage = 0;
		for (n = 0; l->cl->proto == SOCK_STREAM && !log_congested() &&
		    n < ENGINE_DRAIN_MAX; n++)
			if (engine_accept(w, l) == -1) {
				shortage = errno == EMFILE || errno == ENFILE ||
				    errno == ENOBUFS || errno == ENOMEM;
				break;
			}
		got += n;
		if (wait && !log_congested() &&
		    (shortage || n == ENGINE_DRAIN_MAX)) {
			left++;
			continue;
		}
		l->drain = 0;
		event_free(l->ev);
		l->ev = NULL;
		l->fd = -1;
		listen_close_line(e->ls, w->id, i);
	}
	if (left == 0 && w->loop.drain != NULL) {
		w->loop.drain = NULL;
		event_del(w->ev_drain);
		listen_close_worker(e->ls, w->id);
	}
	return got;
}

/* A queue is left: try again in ENGINE_EMFILE_MS, unless a conn ends first. */
static void
worker_drain_later(struct worker *w)
{
	struct timeval tv = { 0, ENGINE_EMFILE_MS * 1000 };

	if (w->loop.drain != NULL)
		evtimer_add(w->ev_drain, &tv);
}

void
engine_stop_drain_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	if (w->late != 0)
		return;		/* worker_finish's turn */
	if (w->loop.drain != NULL)
		(void)worker_drain(w, 1);
	worker_drain_later(w);
	if (w->loop.drain == NULL && w->loop.nconns == 0)
		event_base_loopexit(w->loop.base, NULL);
}

/*
 * The stop deadline: what is in flight is cut short, and what a lack of
 * descriptors left queued is taken and cut in turn, as the cuts give
 * descriptors back: every connection still gets its one record. Bounded:
 * past ENGINE_DRAIN_MAX the queues close; a round that takes nobody waits
 * ENGINE_LATE_MS for the other loops' cuts, ENGINE_LATE_TRIES times, then
 * closes them (the clients still queued are reset, unrecorded).
 */
static void
worker_finish(struct worker *w)
{
	struct timeval tv = { 0, ENGINE_LATE_MS * 1000 };
	unsigned got, total = 0;

	event_del(w->ev_drain);
	conn_cut_all(&w->loop);
	while (w->loop.drain != NULL) {
		got = worker_drain(w, total < ENGINE_DRAIN_MAX);
		conn_cut_all(&w->loop);
		if (got == 0 && w->loop.drain != NULL &&
		    w->late++ < ENGINE_LATE_TRIES) {
			evtimer_add(w->ev_stop, &tv);
			return;
		}
		total = got == 0 ? ENGINE_DRAIN_MAX : total + got;
	}
	event_base_loopexit(w->loop.base, NULL);
}

/* The stop deadline, and ENGINE_LATE_MS past it (worker_finish). */
void
engine_stop_deadline_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	worker_finish(arg);
}
