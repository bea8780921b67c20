/* SPDX-License-Identifier: ISC */
/*
 * monitor_send: the monitor's answer to a reload request (LEN[4] then
 * the bundle, monitor.c) sent as the socket takes it, never blocking the
 * monitor's loop. A send the kernel refuses for want of memory (ENOBUFS,
 * ENOMEM) is tried again MONITOR_SEND_RETRY_MS later with what is left:
 * the engine's reload thread reads on meanwhile, and the stream stays
 * in step.
 */
#ifndef DAYTIMED_MONITOR_SEND_H
#define DAYTIMED_MONITOR_SEND_H

#include <stddef.h>
#include <stdint.h>

#define MONITOR_SEND_RETRY_MS	100	/* after ENOBUFS or ENOMEM */

/* The answer being sent. */
struct monitor_out {
	char		 hdr[4];
	char		*buf;		/* the bundle; NULL: no answer going */
	size_t		 len;		/* the bundle's bytes */
	size_t		 off;		/* sent, hdr's 4 included */
	uint64_t	 retry;		/* µs (monotonic) of the next try after
					   ENOBUFS or ENOMEM; 0: none */
	int		 said;		/* that wait is logged, once an answer */
};

/* Take buf (len bytes, malloc'ed) as the answer and send what goes now. */
void	monitor_out_start(int fd, struct monitor_out *, char *buf,
	    size_t len, uint64_t now_us);
/*
 * Send what the socket takes of the answer now. Done, or failed for
 * another reason (said: the engine is gone), the answer is dropped;
 * otherwise the rest waits for POLLOUT, or for o->retry.
 */
void	monitor_out_send(int fd, struct monitor_out *, uint64_t now_us);
/* The poll events the answer waits for: POLLOUT, or none. */
short	monitor_out_events(const struct monitor_out *);
/* Drop the answer, sent or not. */
void	monitor_out_drop(struct monitor_out *);

#endif
