/* SPDX-License-Identifier: ISC */
/*
 * sigpair: a signal sent to both processes at once acts once. "pkill
 * -HUP daytimed" signals the monitor and the engine alike; the monitor
 * forwards what it gets to the engine, and the engine reports what it
 * got from anyone else to the monitor, so the monitor sees both halves,
 * each with the sender's pid (si_pid). Two halves of one sending (the
 * same signal from the same pid, one at each process, within
 * SIGPAIR_WINDOW_US) are one: the first acts, the second is dropped.
 * Two signals to the same process are two, however close. Pure: time
 * comes in as now_us.
 *
 * The monitor forwards as a real-time signal of its own (sigpair_forward):
 * a forwarded HUP sent as HUP could merge, still pending, with the one the
 * sender sent the engine directly (standard signals do not queue), and the
 * engine, seeing one HUP from the sender, would hand it back as the half
 * already paired. Real-time signals queue, and their number says "from the
 * monitor".
 */
#ifndef DAYTIMED_SIGPAIR_H
#define DAYTIMED_SIGPAIR_H

#include <sys/types.h>

#include <stdint.h>

#define SIGPAIR_SLOTS		16
#define SIGPAIR_WINDOW_US	500000u	/* pkill signals both within µs */

/* Where a signal arrived. */
enum sigpair_at {
	SIGPAIR_MONITOR = 1,
	SIGPAIR_ENGINE = 2
};

struct sigpair_seen {
	uint64_t	at_us;
	pid_t		pid;
	int		sig;
	int		where;		/* 0: a free slot */
};

struct sigpair {
	struct sigpair_seen	s[SIGPAIR_SLOTS];
};

/*
 * Signal sig from pid arrived at where at now_us: 1 when it is to act,
 * 0 when it is the second half of a sending that already acted.
 */
int	sigpair_take(struct sigpair *, int sig, pid_t pid,
	    enum sigpair_at where, uint64_t now_us);
/* The real-time signal the monitor forwards sig (HUP, USR1) as; 0: none. */
int	sigpair_forward(int sig);
/* What a forwarded signal stands for (HUP, USR1); 0: not one. */
int	sigpair_forwarded(int rtsig);

#endif
