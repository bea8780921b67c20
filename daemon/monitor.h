/* SPDX-License-Identifier: ISC */
/*
 * monitor: the unprivileged, unchrooted parent of the engine. It reads
 * the configuration files (with their includes) when the engine asks,
 * hands their bytes over a socketpair, forwards TERM, INT, HUP and USR1
 * to the engine once it is up (they wait in the monitor until then),
 * kills it should it not exit within a few seconds of a TERM or INT,
 * reaps it and exits with it. It never touches a client socket.
 */
#ifndef DAYTIMED_MONITOR_H
#define DAYTIMED_MONITOR_H

#include "daemon/life.h"
#include "daemon/listen.h"
#include "daemon/reload.h"

/*
 * Fork. Returns in the engine (child) with *src set to fetch bundles from
 * the monitor; the monitor drops privileges (no chroot) and never
 * returns. ls holds the listening sockets, closed in the monitor.
 */
int	monitor_split(const char *conffile, const struct life_user *,
	    struct listen_set *ls, struct reload_source *src);
/* In the engine: wait until the monitor has dropped its privileges. */
int	monitor_wait_ready(void);
/*
 * In the engine, once its signal events are in place: take signals, and
 * tell the monitor, which forwards none before (monitor.c).
 */
int	monitor_engine_up(void);

#endif
