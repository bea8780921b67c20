/* SPDX-License-Identifier: ISC */
/*
 * engine_int: what engine.c (the loops, accepting, the pauses, the
 * counters) and engine_stop.c (the stop) share. Nothing else includes
 * this file.
 */
#ifndef DAYTIMED_ENGINE_INT_H
#define DAYTIMED_ENGINE_INT_H

#include <sys/time.h>

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>

#include "daemon/loop.h"
#include "daemon/reload.h"

#define ENGINE_EMFILE_MS	100	/* accept pause when out of descriptors */
#define ENGINE_STOP_MS		1000	/* in-flight work gets this long at stop */

struct audit;
struct config_listen;
struct limits;
struct listen_set;
struct sigpipe;
struct worker;

/* One worker's event on one of its listening sockets. */
struct engine_listener {
	struct worker			*w;
	int				 fd;
	const struct config_listen	*cl;	/* the listen set's copy */
	struct event			*ev;
	int				 copy;	/* a broadcast's copy: not ours */
	int				 drain;	/* stopping, a queue still open */
};

/* An event loop on its own thread; worker 0 is the main thread's. */
struct worker {
	struct engine		*e;
	unsigned		 id;
	pthread_t		 thread;
	struct loop		 loop;		/* what conn.c and udp.c share */
	struct engine_listener	*listeners;
	struct event		*ev_resume;	/* after EMFILE */
	struct event		*ev_stop;	/* the stop deadline */
	struct event		*ev_wake;	/* stop, or accept again */
	struct event		*ev_drain;	/* stopping: a conn ended, or
						   ENGINE_EMFILE_MS passed */
	unsigned		 late;		/* past the deadline, waiting
						   for descriptors */
	int			 paused;	/* accept paused: EMFILE */
	struct timeval		 defer;		/* proxy timeout its proxy
						   sockets' TCP_DEFER_ACCEPT has */
};

struct engine {
	struct worker		*workers;
	unsigned		 nworkers;
	size_t			 nlisteners;
	struct listen_set	*ls;
	struct audit		*audit;
	struct reload		*reload;	/* the current configuration */
	struct limits		*limits;
	struct loop_counters	 cnt;
	struct event		*ev_term, *ev_int;
	struct sigpipe		*sigs;		/* HUP, USR1 with their sender */
	struct reload_source	 source;
	atomic_int		 congested;	/* accept paused: the log */
	atomic_int		 stopping;
	atomic_int		 failed;	/* a loop returned an error */
	atomic_uint		 episode;	/* EMFILE pauses since an accept */
};

/* Accept one client and start its connection: 0, or -1 with errno. */
int	engine_accept(struct worker *, struct engine_listener *);
/* Every worker rereads the switches on its own thread. */
void	engine_wake_all(struct engine *);
/* engine_stop.c: TERM and INT (on worker 0's loop, arg the engine). */
void	engine_stop_signal_cb(evutil_socket_t, short, void *);
/* engine_stop.c: the worker's stop deadline (arg the worker). */
void	engine_stop_deadline_cb(evutil_socket_t, short, void *);
/* engine_stop.c: on the worker's thread, once the stop has begun. */
void	engine_stop_worker(struct worker *);
/* engine_stop.c: a queue is left and a descriptor may be free (the worker). */
void	engine_stop_drain_cb(evutil_socket_t, short, void *);

#endif
