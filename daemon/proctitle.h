/* SPDX-License-Identifier: ISC */
/*
 * proctitle: what ps and top show for each process. The command line's
 * memory is rewritten in the manner of OpenSSH's and OpenBSD's
 * setproctitle ("daytimed: monitor", "daytimed: engine"), and threads are
 * named with PR_SET_NAME ("daytimed-w1"). The process name itself (comm)
 * stays "daytimed", so that pkill, killall and pidof find both processes.
 */
#ifndef DAYTIMED_PROCTITLE_H
#define DAYTIMED_PROCTITLE_H

/*
 * Take over the memory of argv and the environment (both are copied to
 * the heap first; argv[i] then point at the copies): before anything
 * keeps a pointer into either.
 */
void	proctitle_init(int argc, char **argv);
/* Show "daytimed: what" (cut to the room there is). */
void	proctitle_set(const char *what);
/* Name the calling thread (at most 15 bytes are kept). */
void	proctitle_thread(const char *name);

#endif
