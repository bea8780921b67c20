/* SPDX-License-Identifier: ISC */
/*
 * monitor_int: what the monitor's two ends (monitor.c, the monitor;
 * monitor_engine.c, the engine's) share.
 */
#ifndef DAYTIMED_MONITOR_INT_H
#define DAYTIMED_MONITOR_INT_H

#include <signal.h>

#include "daemon/reload.h"

#define MONITOR_READY_BYTE	'!'	/* the monitor has dropped its privileges */

/* The signals the monitor forwards, and SIGCHLD. */
void	monitor_sigset(sigset_t *);
/* In the engine, just forked: fd is its end; *src fetches bundles on it. */
void	monitor_engine_init(int fd, struct reload_source *src);

#endif
