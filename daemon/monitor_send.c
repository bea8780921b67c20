/* SPDX-License-Identifier: ISC */
/*
 * monitor_send: the monitor's answers to the engine's reload requests,
 * sent as the socket takes them (monitor_send.h).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor_send.h"

void
monitor_out_start(int fd, struct monitor_out *o, char *buf, size_t len,
    uint64_t now_us)
{
	loader_put32(o->hdr, (uint32_t)len);
	o->buf = buf;
	o->len = len;
	o->off = 0;
	o->retry = 0;
	o->said = 0;
	monitor_out_send(fd, o, now_us);
}

/*
 * A bundle is megabytes for a big list and an engine stopped (SIGSTOP)
 * reads none of it: a blocking write would hold the monitor, all
 * signals blocked, past the stop's deadline. ENOBUFS and ENOMEM say the
 * kernel is short of memory for now, not that the engine is gone: the
 * engine waits for the rest, so dropping the answer would leave its
 * reload thread waiting (and every later reload refused as "again") and
 * the stream out of step. Waiting for POLLOUT would not do (the socket
 * is writable: ppoll would return at once, for ever), so a timer does.
 */
void
monitor_out_send(int fd, struct monitor_out *o, uint64_t now_us)
{
	struct iovec iov[2];
	struct msghdr mh;
	size_t off;
	ssize_t n;

	o->retry = 0;
	while (o->buf != NULL && o->off < 4 + o->len) {
		off = o->off;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		if (off < 4) {
			iov[0].iov_base = o->hdr + off;
			iov[0].iov_len = 4 - off;
			iov[1].iov_base = o->buf;
			iov[1].iov_len = o->len;
			mh.msg_iovlen = 2;
		} else {
			iov[0].iov_base = o->buf + (off - 4);
			iov[0].iov_len = o->len - (off - 4);
			mh.msg_iovlen = 1;
		}
		if ((n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS || errno == ENOMEM) {
				if (!o->said)
					log_warn("monitor: handing the "
					    "configuration over (trying again "
					    "every %d ms)", MONITOR_SEND_RETRY_MS);
				o->said = 1;
				o->retry = now_us +
				    MONITOR_SEND_RETRY_MS * 1000u;
				return;
			}
			log_warn("monitor: cannot hand the configuration over");
			break;
		}
		o->off += (size_t)n;
	}
	monitor_out_drop(o);
}

short
monitor_out_events(const struct monitor_out *o)
{
	return o->buf != NULL && o->retry == 0 ? POLLOUT : 0;
}

void
monitor_out_drop(struct monitor_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->off = 0;
	o->retry = 0;
}
