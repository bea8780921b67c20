/* SPDX-License-Identifier: ISC */
/* sink: the test receiver for what the log writes (see sink.h). */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "compat/compat.h"
#include "daemon/log.h"
#include "tests/unit/sink.h"

/* Bind a fresh datagram socket at k->path. */
static void
sink_bind(struct sink *k)
{
	struct sockaddr_un sun;

	k->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(k->fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, k->path, sizeof(sun.sun_path));
	ck_assert_int_eq(bind(k->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
}

/* A datagram receiver standing in for /dev/log; the log connects to it. */
void
sink_open(struct sink *k)
{
	strlcpy(k->dir, "/tmp/check_sink.XXXXXX", sizeof(k->dir));
	ck_assert_ptr_nonnull(mkdtemp(k->dir));
	ck_assert_int_lt(snprintf(k->path, sizeof(k->path), "%s/log", k->dir),
	    (int)sizeof(k->path));
	sink_bind(k);
}

/* Re-create the receiver at the same path (a restarted syslogd). */
void
sink_restart(struct sink *k)
{
	close(k->fd);
	unlink(k->path);
	sink_bind(k);
}

/* Close the receiver and remove its directory. */
void
sink_close(struct sink *k)
{
	close(k->fd);
	unlink(k->path);
	rmdir(k->dir);
}

/* One datagram (NUL-terminated) or -1 when none waits. */
ssize_t
sink_recv(struct sink *k, char *buf, size_t len)
{
	ssize_t n = recv(k->fd, buf, len - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Receive one datagram within ms milliseconds, running base meanwhile. */
int
sink_wait(struct sink *k, struct event_base *base, char *buf, size_t len,
    int ms)
{
	struct pollfd pfd = { k->fd, POLLIN, 0 };
	int n, i;

	for (i = 0; i < ms; i++) {
		if ((n = sink_recv(k, buf, len)) > 0)
			return n;
		event_base_loop(base, EVLOOP_NONBLOCK);
		(void)poll(&pfd, 1, 1);
	}
	return sink_recv(k, buf, len);
}

/* The message after "daytimed[PID]: " in a datagram. */
const char *
msg_of(const char *dgram)
{
	const char *p = strstr(dgram, "]: ");

	ck_assert_ptr_nonnull(p);
	return p + 3;
}

/* Log to k only: the program name daytimed, no stderr copy. */
void
sink_log_to(struct sink *k, int facility)
{
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k->path, facility), 0);
	log_stderr(0);
}
