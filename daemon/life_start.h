/* SPDX-License-Identifier: ISC */
/*
 * life_start: the start's signals, until the monitor splits off (whose
 * own then wait for the engine, monitor.c), and the starter that waits
 * for the daemon's word. TERM and INT end a start: at once while the
 * configuration is read (nothing made yet to undo), else at the split,
 * where the start gives up as on any startup error (the pidfile it made
 * removed) and says "start stopped by SIGTERM" on the starting
 * command's stderr; the process then ends by that signal, so that a
 * service manager's stop of a slow start is a stop, not a failure (a
 * starter waiting for it exits 1). HUP and USR1 are ignored: no
 * configuration runs yet to read again, nor counters to log.
 */
#ifndef DAYTIMED_LIFE_START_H
#define DAYTIMED_LIFE_START_H

#include <sys/types.h>

#include <signal.h>

#define LIFE_READY_BYTE	'\0'	/* on the starter pipe: all is well */

/* First thing of a daemon's run: TERM and INT end it at once, said. */
void	life_start_signals(void);
/* Something is made from here on: TERM and INT wait for the split. */
void	life_start_disarm(void);
/* Whether the start may go on; -1, said, when a TERM or INT came. */
int	life_start_stopped(void);
/* After a start stopped so is undone: end by that signal (or return). */
void	life_start_reraise(void);
/* Whether life_start_signals set sig's action (the daemonizing keeps it). */
int	life_start_sig(int sig);
/*
 * Around the fork of the daemon, TERM and INT blocked: before it, the
 * first child notes what is pending (a stop the starter passed on); the
 * daemon takes that at once, and the first child hands on to it only
 * what came after the fork.
 */
void	life_start_pending(sigset_t *before);
void	life_start_take(const sigset_t *before);
void	life_start_hand_on(pid_t daemon, const sigset_t *before);
/*
 * The starter, TERM and INT blocked: copy the daemon's startup messages
 * from fd to stderr and exit as it fared (0 at LIFE_READY_BYTE, else 1,
 * and 1 if it passed a stop on, which the daemon acts on once ready).
 * A TERM or INT sent to the starter goes on to the daemon (child: the
 * first fork's child, whose session the daemon is in).
 */
void	life_starter_wait(int fd, pid_t child) __attribute__((noreturn));

#endif
