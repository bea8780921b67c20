/* SPDX-License-Identifier: ISC */
/*
 * sigpair: which signals are the two halves of one sending. A fixed
 * table of the signals that acted lately; an entry is used up by its
 * other half, or expires after SIGPAIR_WINDOW_US, or is taken over by
 * a newer one when the table is full (the oldest goes).
 */
#include "autoconf.h"

#include <signal.h>
#include <string.h>

#include "daemon/sigpair.h"

/* 1: act on the signal; 0: the other half of one that acted. */
int
sigpair_take(struct sigpair *p, int sig, pid_t pid, enum sigpair_at where,
    uint64_t now_us)
{
	struct sigpair_seen *s, *slot = NULL;
	size_t i;

	for (i = 0; i < SIGPAIR_SLOTS; i++) {
		s = &p->s[i];
		if (s->where != 0 && (now_us < s->at_us ||
		    now_us - s->at_us > SIGPAIR_WINDOW_US))
			s->where = 0;	/* expired (or the clock went back) */
		if (s->where != 0 && s->sig == sig && s->pid == pid &&
		    s->where != (int)where) {
			s->where = 0;	/* the pair is complete */
			return 0;
		}
		if (slot == NULL || (slot->where != 0 &&
		    (s->where == 0 || s->at_us < slot->at_us)))
			slot = s;
	}
	slot->at_us = now_us;
	slot->pid = pid;
	slot->sig = sig;
	slot->where = (int)where;
	return 1;
}

/* HUP goes as SIGRTMIN + 1, USR1 as SIGRTMIN + 2. */
int
sigpair_forward(int sig)
{
	if (sig == SIGHUP)
		return SIGRTMIN + 1;
	if (sig == SIGUSR1)
		return SIGRTMIN + 2;
	return 0;
}

int
sigpair_forwarded(int rtsig)
{
	if (rtsig == SIGRTMIN + 1)
		return SIGHUP;
	if (rtsig == SIGRTMIN + 2)
		return SIGUSR1;
	return 0;
}
