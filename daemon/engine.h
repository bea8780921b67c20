/* SPDX-License-Identifier: ISC */
/*
 * engine: the event loops. One worker thread per loop (worker 0 is the
 * main thread), each with its own sockets from a listen set, accepting
 * connections (conn.c) and reading datagrams (udp.c); the back-pressure
 * switch that pauses accepting while the log lags, the pause on EMFILE,
 * signals (TERM and INT stop, HUP reloads through reload.c, USR1 logs the
 * counters) and the stop.
 */
#ifndef DAYTIMED_ENGINE_H
#define DAYTIMED_ENGINE_H

#include "daemon/config.h"
#include "daemon/listen.h"
#include "daemon/reload.h"


struct audit;
struct engine;

/* How many event loops conf asks for: workers, or one per core. */
unsigned engine_workers(const struct config *);
/*
 * Take the configuration, the listen set (one socket set per loop) and
 * the audit state; build the loops. NULL on failure, conf and the set
 * freed.
 */
struct engine *engine_new(struct config *, struct listen_set *,
	    struct audit *, const struct reload_source *);
/* Run until TERM or INT; returns the exit status. */
int	engine_run(struct engine *);
void	engine_free(struct engine *);

#endif
