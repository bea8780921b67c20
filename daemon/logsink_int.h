/* SPDX-License-Identifier: ISC */
/*
 * logsink_int: what logsink.c, logsink_queue.c and logsink_batch.c
 * share, and nobody else uses: the sink's state, a thread's batch, and the locked helpers both
 * call. "_locked" functions expect the sink's mutex held.
 */
#ifndef DAYTIMED_LOGSINK_INT_H
#define DAYTIMED_LOGSINK_INT_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "daemon/logsink.h"

struct event;
struct event_base;

#define LOGSINK_MSG_MAX		8192	/* longest datagram we build */
#define LOGSINK_QUEUE_MSGS	4096	/* hard cap on queued messages */
#define LOGSINK_QUEUE_BYTES	(4u * 1024 * 1024)
#define LOGSINK_NAME_MAX	32
#define LOGSINK_BATCH_MSGS	32	/* messages a batch holds */
#define LOGSINK_BATCH_BYTES	(32u * 1024)

/* One queued datagram. */
struct logsink_msg {
	char	*buf;
	size_t	 len;
};

/* The process's one sink: socket, queue, back-pressure, counters. */
struct logsink {
	pthread_mutex_t		 mtx;
	char			 name[LOGSINK_NAME_MAX];
	int			 to_stderr;
	int			 debug;		/* records on stderr too (-d) */
	/*
	 * fd, connected and qcount change under mtx only; they are atomic
	 * so that logsink_emit may look at them without it, to let a record
	 * join its thread's batch (the batch's send looks again, locked).
	 */
	atomic_int		 fd;		/* -1: syslog not opened */
	atomic_int		 connected;	/* fd is connected to sun */
	int			 facility;
	int			 audit_facility; /* of records; -1: facility */
	struct sockaddr_un	 sun;
	pid_t			 pid;		/* 0: getpid() per message */
	time_t			 last_connect;	/* monotonic seconds */

	struct logsink_msg	 q[LOGSINK_QUEUE_MSGS];
	size_t			 qhead;
	atomic_size_t		 qcount;
	size_t			 qbytes;

	atomic_int		 congested;	/* read without the mutex */
	struct timespec		 congested_since;
	struct log_counters	 ctr;
	atomic_ullong		 sent_direct;	/* sends without the mutex */

	struct event_base	*base;		/* the attached loop, or NULL */
	struct event		*ev_write;
	struct event		*ev_retry;
	int			 write_armed;
	int			 retry_armed;

	void			(*drain_cb)(void *);
	void			*drain_arg;
	int			 drain_pending;	/* congestion ended, cb due */
};

/* One thread's messages waiting to go out together. */
struct logsink_batch {
	struct logsink		*ls;		/* the sink it sends to */
	struct event		*ev;		/* the timer that sends them */
	int			 armed;
	unsigned		 window_us;
	uint64_t		 last_us;	/* the last send, monotonic */
	int			 sent;		/* last_us is set */
	size_t			 n;
	size_t			 used;		/* bytes of buf */
	struct mmsghdr		 mm[LOGSINK_BATCH_MSGS];
	struct iovec		 iov[LOGSINK_BATCH_MSGS];
	char			 buf[LOGSINK_BATCH_BYTES];
};

/* logsink_queue.c */
void	logsink_events_locked(struct logsink *, struct event_base *);
int	logsink_send_locked(struct logsink *, const char *, size_t);
int	logsink_send_errno_locked(struct logsink *, int);
int	logsink_enqueue_locked(struct logsink *, const char *, size_t);
int	logsink_drain_locked(struct logsink *);
void	logsink_arm_locked(struct logsink *);
void	logsink_congestion_locked(struct logsink *);
void	logsink_unlock_and_notify(struct logsink *);
int	logsink_reconnect_locked(struct logsink *, int);
unsigned long long logsink_us_since(const struct timespec *,
	    const struct timespec *);
time_t	logsink_mono_sec(void);

/* logsink_batch.c */
int	logsink_batch_open(struct logsink *, struct event_base *, unsigned);
void	logsink_batch_close(struct logsink *);
struct logsink_batch *logsink_batch_mine(void);
int	logsink_batch_add(struct logsink *, struct logsink_batch *,
	    const char *, size_t);
void	logsink_batch_send(struct logsink *);

#endif
