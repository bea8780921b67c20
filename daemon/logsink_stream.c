/* SPDX-License-Identifier: ISC */
/*
 * logsink_stream: the syslog socket when it is a stream one. rsyslog's
 * imptcp (input(type="imptcp" path=...)) and syslog-ng's unix-stream()
 * listen so; connecting a datagram socket there fails with EPROTOTYPE,
 * and the sink then connects a SOCK_STREAM socket instead, as glibc's
 * syslog(3) does. The kind is found again on every (re)connect.
 *
 * On a stream each message is its RFC 3164 frame followed by "\n"
 * (LF framing: the frame never holds a control byte). Rules:
 *
 * - Every send happens under the sink's mutex, so that the bytes of two
 *   messages never interleave (the datagram path's lock-free sends are
 *   not taken in stream mode).
 * - A short write leaves the unsent rest as the head of the queue
 *   (qoff: the bytes of q[qhead] already written), sent before anything
 *   else; EAGAIN queues the message as a full datagram socket does, and
 *   the attached loop drains on EV_WRITE.
 * - EPIPE, ECONNRESET, ENOTCONN: the connection is gone; the reconnect
 *   path connects a new socket, and a message torn by the broken
 *   connection is sent again whole on the new one. The old receiver may
 *   have written the torn start as a line of its own: daytimed-audit
 *   verify reports such a line as unsealed, and the whole record follows.
 * - A batch (logsink_batch.c) is one sendmsg with an iovec per message;
 *   the queue drains the same way.
 *
 * What the old receiver had read but not written when it died is lost
 * without a count, as datagrams in a dead receiver's buffer are.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "daemon/logsink.h"
#include "daemon/logsink_int.h"

#define LOGSINK_STREAM_IOV	64	/* queued messages in one sendmsg */

static ssize_t	logsink_stream_write(int, struct iovec *, size_t);

/*
 * Of the messages iov[0..n) (iov[0] from where the last write stopped),
 * after a write of `written` bytes: how many went whole; *part is the
 * bytes written of the next one (0 when none, or all went).
 */
size_t
logsink_stream_done(const struct iovec *iov, size_t n, size_t written,
    size_t *part)
{
	size_t i;

	for (i = 0; i < n && written >= iov[i].iov_len; i++)
		written -= iov[i].iov_len;
	*part = i < n ? written : 0;
	return i;
}

/* A new non-blocking stream socket connected to sun, or -1 (errno). */
int
logsink_stream_socket(const struct sockaddr_un *sun)
{
	int fd, saved;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* a full backlog says EAGAIN: the next retry tries again */
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Send on sfd from now on (a connected stream socket), or on the
 * datagram socket again (-1). The old stream connection is closed, a
 * message it tore is sent whole on the new one, and the write event
 * watches the socket in use.
 */
void
logsink_stream_use_locked(struct logsink *ls, int sfd)
{
	struct sockaddr sa;
	int old = ls->sfd;

	ls->sfd = sfd;
	ls->qoff = 0;
	if (sfd != -1 && ls->fd != -1) {
		/* unconnected: a lock-free send racing this fails, is queued */
		memset(&sa, 0, sizeof(sa));
		sa.sa_family = AF_UNSPEC;
		(void)connect(ls->fd, &sa, sizeof(sa));
	}
	ls->stream = sfd != -1;
	logsink_watch_locked(ls);	/* the old event goes before its fd */
	if (old != -1 && old != sfd)
		close(old);
}

/*
 * Keep a message of which part bytes went on the stream in the queue
 * (which is empty when part > 0). 0: kept; -1: lost (counted), and a
 * torn one ends the connection, whose next message would continue it.
 */
int
logsink_stream_keep_locked(struct logsink *ls, const char *buf, size_t len,
    size_t part)
{
	if (logsink_enqueue_locked(ls, buf, len) == -1) {
		if (part > 0)
			ls->connected = 0;
		return -1;
	}
	if (part > 0)
		ls->qoff = part;
	return 0;
}

/*
 * Send one message (buf[len] is its '\n') with nothing queued. 0: sent,
 * or its unsent rest heads the queue; 1: queue it; -1: lost (counted).
 */
int
logsink_stream_send_locked(struct logsink *ls, const char *buf, size_t len)
{
	struct iovec iov = { (void *)(uintptr_t)buf, len + 1 };
	ssize_t r;

	r = logsink_stream_write(ls->sfd, &iov, 1);
	if (r == -1)
		return logsink_send_errno_locked(ls, errno);
	if ((size_t)r == len + 1) {
		ls->ctr.sent++;
		return 0;
	}
	return logsink_stream_keep_locked(ls, buf, len, (size_t)r);
}

/*
 * Send queued messages until the socket pushes back, up to
 * LOGSINK_STREAM_IOV in one sendmsg, the head from qoff. 0: queue empty.
 */
int
logsink_stream_drain_locked(struct logsink *ls)
{
	struct iovec iov[LOGSINK_STREAM_IOV];
	const struct logsink_msg *m;
	size_t i, n, done, part;
	ssize_t r;

	while (ls->qcount > 0 && ls->connected) {
		n = ls->qcount < LOGSINK_STREAM_IOV ? ls->qcount :
		    LOGSINK_STREAM_IOV;
		for (i = 0; i < n; i++) {
			m = &ls->q[(ls->qhead + i) % LOGSINK_QUEUE_MSGS];
			iov[i].iov_base = m->buf;
			iov[i].iov_len = m->len + 1;
		}
		iov[0].iov_base = (char *)iov[0].iov_base + ls->qoff;
		iov[0].iov_len -= ls->qoff;
		r = logsink_stream_write(ls->sfd, iov, n);
		if (r == 0)
			return 1;	/* nothing taken: wait for EV_WRITE */
		if (r == -1) {
			if (logsink_send_errno_locked(ls, errno) == 1)
				return 1;
			if (ls->qoff > 0)	/* torn: a new connection */
				ls->connected = 0;
			logsink_pop_locked(ls, 1);	/* lost (counted) */
			continue;
		}
		done = logsink_stream_done(iov, n, (size_t)r, &part);
		if (done > 0) {
			ls->ctr.sent += done;
			logsink_pop_locked(ls, done);
			ls->qoff = part;
		} else
			ls->qoff += part;
	}
	return ls->qcount > 0;
}

/*
 * Send a batch's messages iov[0..n) (each iov_len without its '\n') in
 * one sendmsg, nothing being queued. Returns how many are done with
 * (sent whole, or lost and counted); *part is the bytes written of the
 * next, which the caller queues with the rest (logsink_stream_keep_locked).
 */
size_t
logsink_stream_batch_locked(struct logsink *ls, const struct iovec *msgs,
    size_t n, size_t *part)
{
	struct iovec iov[LOGSINK_BATCH_MSGS];
	size_t i, done;
	ssize_t r;

	*part = 0;
	if (n > LOGSINK_BATCH_MSGS)
		n = LOGSINK_BATCH_MSGS;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = msgs[i].iov_base;
		iov[i].iov_len = msgs[i].iov_len + 1;
	}
	r = logsink_stream_write(ls->sfd, iov, n);
	if (r == -1)	/* 1: all queued; -1: the first lost (counted) */
		return logsink_send_errno_locked(ls, errno) == 1 ? 0 : 1;
	done = logsink_stream_done(iov, n, (size_t)r, part);
	ls->ctr.sent += done;
	return done;
}

/* One non-blocking sendmsg of iov[0..n) that never raises SIGPIPE. */
static ssize_t
logsink_stream_write(int fd, struct iovec *iov, size_t n)
{
	struct msghdr mh;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = n;
	do
		r = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	return r;
}
