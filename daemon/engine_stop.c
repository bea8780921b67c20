/* SPDX-License-Identifier: ISC */
/*
 * engine_stop: the engine's stop on TERM or INT. Every loop seals and
 * closes its own listening sockets after taking the clients already
 * queued, lets the connections in flight finish for ENGINE_STOP_MS, then
 * cuts what is left, so that every connection gets its one record.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

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

static void	worker_unlisten(struct worker *);

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
	if (w->loop.nconns == 0)
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
	for (i = 0; i < e->nlisteners; i++) {
		struct engine_listener *l = &w->listeners[i];

		if (l->ev == NULL || listen_shared(e->ls, i))
			continue;
		while (l->cl->proto == SOCK_STREAM && !log_congested() &&
		    engine_accept(w, l) == 0)
			;
		event_free(l->ev);
		l->ev = NULL;
		l->fd = -1;
	}
	listen_close_worker(e->ls, w->id);
}

/*
 * The stop deadline: what is still in flight is cut short, so every
 * connection still gets its one record.
 */
void
engine_stop_deadline_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	conn_cut_all(&w->loop);
	event_base_loopexit(w->loop.base, NULL);
}
