/* SPDX-License-Identifier: ISC */
/*
 * reload: the current configuration and how a new one replaces it. HUP
 * starts a thread that reads and parses the whole configuration off the
 * event loops' path; back on the loop, what needs a restart is kept as
 * it was and the new configuration is swapped in, in one step. On any
 * error the old one stays and the error is logged. Event loops hold a
 * reference to the current configuration and refresh it cheaply;
 * connections in flight keep the one they took.
 */
#ifndef DAYTIMED_RELOAD_H
#define DAYTIMED_RELOAD_H

#include <sys/types.h>

#include "daemon/config.h"

struct audit;
struct event_base;
struct reload;

/*
 * The engine's link to whoever holds the files (the monitor). get gives
 * a loader valid for one config_load on the reload thread (the disk, or
 * the monitor's bundle), released by put. done, when set, hears the
 * outcome of each reload on the loop's thread (error: the first error,
 * or NULL when the new configuration took; kept: then what it kept as
 * it was until a restart, "; " between, or NULL). signal, when set, takes a
 * HUP or USR1 that reached the engine from anyone but the monitor, for
 * the monitor to decide on (sigpair.h); -1: the engine acts itself.
 */
struct reload_source {
	int	(*get)(void *arg, struct config_loader *, char *err, size_t);
	void	(*put)(void *arg, struct config_loader *);
	void	(*done)(void *arg, const char *error, const char *kept);
	int	(*signal)(void *arg, int sig, pid_t from);
	void	*arg;
};

/*
 * Take conf (its reference) as the current configuration; reloads are
 * finished on base's loop and recorded through audit, and after each swap
 * swapped(arg) runs there, so that every loop lets go of the old
 * configuration promptly. NULL when out of resources, conf freed.
 */
struct reload *reload_new(struct config *conf, struct event_base *base,
	    struct audit *, const struct reload_source *,
	    void (*swapped)(void *), void *arg);
/* Start a reload (HUP); one asked for during another runs after it. */
void	reload_start(struct reload *);
/* Stopping: a reload asked for during another will not run. */
void	reload_stop(struct reload *);
/* Wait for a reload in flight (the loops are done) and drop its result. */
void	reload_wait(struct reload *);
/*
 * Make *held (a reference, or NULL) the current configuration: a look at
 * one pointer when it already is, a lock and a reference swap when a
 * reload replaced it.
 */
void	reload_refresh(struct reload *, struct config **held);
/* Reloads that took and that failed. */
void	reload_counts(const struct reload *, unsigned long long *ok,
	    unsigned long long *failed);
/* Free the current configuration: every other holder is gone (exit). */
void	reload_free(struct reload *);

#endif
