/* SPDX-License-Identifier: ISC */
/*
 * logsink_int: what logsink.c, logsink_queue.c, logsink_batch.c and
 * logsink_stream.c share, and nobody else uses: the sink's state, a
 * thread's batch, and the locked helpers they call. "_locked" functions
 * expect the sink's mutex held.
 *
 * Every framed message the sink holds (being built, in a batch, in the
 * queue) is followed in memory by one '\n' that its length does not
 * count: a datagram is sent without it, a stream message with it (its
 * frame on a stream socket; record_escape_ctl keeps '\n' out of the
 * text, logsink_name out of the header).
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
#define LOGSINK_RECONNECT_SEC	1	/* between tries to reconnect */
#define LOGSINK_BACKOFF_MS	100	/* after ENOBUFS; log_flush's pause */
#define LOGSINK_NOTE_SEC	60	/* between the sink's own messages */

/* One queued message: len bytes, then the '\n' of stream framing. */
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
	atomic_int		 connected;	/* the socket in use reaches sun */
	/*
	 * sun is a stream socket: messages go on sfd, LF-framed, under mtx
	 * only (fd, the datagram socket, stays open but unconnected, so that
	 * a lock-free send that raced the switch fails and is queued).
	 */
	atomic_int		 stream;
	int			 sfd;		/* the stream connection, or -1 */
	int			 facility;
	int			 audit_facility; /* of records; -1: facility */
	struct sockaddr_un	 sun;
	pid_t			 pid;		/* 0: getpid() per message */
	time_t			 last_connect;	/* monotonic seconds */

	struct logsink_msg	 q[LOGSINK_QUEUE_MSGS];
	size_t			 qhead;
	atomic_size_t		 qcount;
	size_t			 qbytes;
	size_t			 qoff;		/* bytes of q[qhead] on the stream */

	atomic_int		 congested;	/* read without the mutex */
	struct timespec		 congested_since;
	struct log_counters	 ctr;
	atomic_ullong		 sent_direct;	/* sends without the mutex */

	struct event_base	*base;		/* the attached loop, or NULL */
	struct event		*ev_write;
	struct event		*ev_retry;
	int			 write_armed;
	int			 retry_armed;
	/*
	 * The last send failed for want of kernel memory (ENOBUFS, ENOMEM):
	 * the socket still polls writable, so the queue waits for the retry
	 * timer (LOGSINK_BACKOFF_MS), not EV_WRITE, which would fire and fail
	 * at once, again and again. Cleared by the timer, by EAGAIN, by a
	 * new connection and when the queue empties.
	 */
	int			 backoff;
	time_t			 last_note;	/* logsink_note_locked, monotonic */

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

/* The socket the messages go to: the stream connection, or fd. */
static inline int
logsink_sock_locked(const struct logsink *ls)
{
	return ls->stream ? ls->sfd : ls->fd;
}

/* logsink.c */
void	logsink_note_locked(struct logsink *, int, const char *);

/* logsink_queue.c */
void	logsink_events_locked(struct logsink *, struct event_base *);
int	logsink_send_locked(struct logsink *, const char *, size_t);
int	logsink_send_errno_locked(struct logsink *, int);
int	logsink_enqueue_locked(struct logsink *, const char *, size_t);
int	logsink_drain_locked(struct logsink *);
void	logsink_pop_locked(struct logsink *, size_t);
void	logsink_watch_locked(struct logsink *);
void	logsink_arm_locked(struct logsink *);
void	logsink_congestion_locked(struct logsink *);
void	logsink_forget_locked(struct logsink *);
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
void	logsink_batch_forget(void);

/* logsink_stream.c */
size_t	logsink_stream_done(const struct iovec *, size_t, size_t, size_t *);
int	logsink_stream_socket(const struct sockaddr_un *);
void	logsink_stream_use_locked(struct logsink *, int);
int	logsink_stream_send_locked(struct logsink *, const char *, size_t);
int	logsink_stream_drain_locked(struct logsink *);
size_t	logsink_stream_batch_locked(struct logsink *, const struct iovec *,
	    size_t, size_t *);
int	logsink_stream_keep_locked(struct logsink *, const char *, size_t,
	    size_t);

#endif
