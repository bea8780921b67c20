/* SPDX-License-Identifier: ISC */
/*
 * loop: what the connection and datagram paths share on one event loop.
 * The engine keeps one per worker thread and hands it to conn.c and
 * udp.c: the base, the audit state, the limits, the counters, the loop's
 * reference to the current configuration, its connections in flight,
 * connection ids drawn in bulk, and the answer line of the current second.
 * loop_record writes the one audit record every connection and datagram
 * ends with.
 */
#ifndef DAYTIMED_LOOP_H
#define DAYTIMED_LOOP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acl/acl.h"
#include "ident/ident_parse.h"
#include "daemon/answer.h"
#include "daemon/audit.h"

#define LOOP_CNT_INC(lp, f) \
	atomic_fetch_add_explicit(&(lp)->cnt->f, 1, memory_order_relaxed)

struct audit;
struct config;
struct conn;
struct event;
struct event_base;
struct limits;

/* The counters USR1 logs, one set for every loop together. */
struct loop_counters {
	atomic_ullong		 accepted, allowed, denied, dropped;
	atomic_ullong		 udp;
	atomic_ullong		 ident[IDENT_SKIPPED + 1];
	atomic_ullong		 emfile;
	atomic_ullong		 backpressure;
};

struct loop {
	struct event_base	*base;
	struct audit		*audit;
	struct limits		*limits;	/* shared by every loop */
	struct loop_counters	*cnt;		/* shared by every loop */
	const atomic_int	*stopping;	/* the engine winds down */
	int			 unlistened;	/* stopping, own sockets closed:
						   the last conn ends the loop */
	struct event		*drain;		/* unlistened, a queue left for
						   lack of descriptors: a conn's
						   end activates it instead */
	struct config		*conf;		/* a reference to the current one */
	struct conn		*conns;		/* in flight here (conn.c) */
	unsigned		 nconns;
	uint64_t		 ids[256];	/* random conn ids, drawn in bulk */
	unsigned		 nids;
	time_t			 line_sec;	/* the answer line of that second */
	char			 line[ANSWER_MAX];
	size_t			 linelen;
};

/* The monotonic clock in µs, for deadlines and rates. */
uint64_t loop_now_us(void);
/* A random connection id: one getrandom() per 256 connections, not each. */
uint64_t loop_id(struct loop *);
/*
 * The answer for now into buf, its length (0: none). Formatted once a
 * second per loop, since localtime_r takes a lock all threads share.
 */
size_t	loop_answer(struct loop *, char *buf, size_t len);
/*
 * Write r, the record of a connection or datagram that began at start_us
 * (loop_now_us): the deciding rule from d (NULL: none decided) and the
 * duration are filled in here. The duration is monotonic: a step of the
 * wall clock does not stretch it.
 */
void	loop_record(struct loop *, struct audit_conn *r,
	    const struct acl_decision *d, uint64_t start_us);

#endif
