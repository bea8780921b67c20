/* SPDX-License-Identifier: ISC */
/*
 * sigpipe: signals with their sender, delivered on an event loop. A
 * SA_SIGINFO handler writes the signal and si_pid to a pipe (the only
 * thing it does: write(2) is async-signal-safe) and the loop reads them
 * back and calls the callback, on its own thread. libevent's own signal
 * events drop si_pid, which the engine needs to tell who sent a HUP.
 */
#ifndef DAYTIMED_SIGPIPE_H
#define DAYTIMED_SIGPIPE_H

#include <sys/types.h>

struct event_base;
struct sigpipe;

typedef void sigpipe_fn(void *arg, int sig, pid_t from);

/*
 * Catch the nsigs signals of sigs from now on and call fn(arg, sig,
 * sender) for each on base's loop. One per process. NULL on failure.
 */
struct sigpipe *sigpipe_new(struct event_base *, const int *sigs,
	    size_t nsigs, sigpipe_fn *fn, void *arg);
/* Ignore those signals again, and free (before base goes). */
void	sigpipe_free(struct sigpipe *);

#endif
