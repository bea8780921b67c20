/* SPDX-License-Identifier: ISC */
/* ssink: the test's stream receiver for what the log writes (ssink.h). */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "compat/compat.h"
#include "daemon/log.h"
#include "tests/unit/sink.h"
#include "tests/unit/ssink.h"

/* Bind a listener (stream) or a datagram socket at k->path. */
void
ss_bind(struct ssink *k, int stream)
{
	struct sockaddr_un sun;

	k->lfd = socket(AF_UNIX, (stream ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK, 0);
	ck_assert_int_ge(k->lfd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, k->path, sizeof(sun.sun_path));
	ck_assert_int_eq(bind(k->lfd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	if (stream)
		ck_assert_int_eq(listen(k->lfd, 8), 0);
	k->cfd = -1;
	k->have = 0;
}

/* A fresh stream receiver; the log connects to it. */
struct ssink *
ss_open(void)
{
	struct ssink *k = calloc(1, sizeof(*k));

	ck_assert_ptr_nonnull(k);
	strlcpy(k->dir, "/tmp/check_ssink.XXXXXX", sizeof(k->dir));
	ck_assert_ptr_nonnull(mkdtemp(k->dir));
	ck_assert_int_lt(snprintf(k->path, sizeof(k->path), "%s/log",
	    k->dir), (int)sizeof(k->path));
	ss_bind(k, 1);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k->path, LOG_DAEMON), 0);
	log_stderr(0);
	ck_assert_int_eq(log_syslog_stream(), 1);
	return k;
}

/* Restart the receiver at the same path, as a stream one or not. */
void
ss_restart(struct ssink *k, int stream)
{
	if (k->cfd != -1)
		close(k->cfd);
	close(k->lfd);
	unlink(k->path);
	ss_bind(k, stream);
}

/* Close the receiver and remove its directory. */
void
ss_close(struct ssink *k)
{
	if (k->cfd != -1)
		close(k->cfd);
	close(k->lfd);
	unlink(k->path);
	rmdir(k->dir);
	free(k);
}

/* Read what the connection holds now (accepting it first). 0: EOF. */
ssize_t
ss_read(struct ssink *k)
{
	ssize_t n;

	if (k->cfd == -1 &&
	    (k->cfd = accept4(k->lfd, NULL, NULL, SOCK_NONBLOCK)) == -1)
		return -1;
	ck_assert_uint_lt(k->have, sizeof(k->buf));
	n = read(k->cfd, k->buf + k->have, sizeof(k->buf) - k->have);
	if (n > 0)
		k->have += (size_t)n;
	return n;
}

/*
 * The next line (NUL-terminated, without its '\n') within ms
 * milliseconds, running base (if any) meanwhile; -1 when none came.
 */
int
ss_line(struct ssink *k, struct event_base *base, char *out, size_t len,
    int ms)
{
	struct pollfd pfd;
	char *nl;
	size_t n;
	int i;

	for (i = 0; i <= ms; i++) {
		if ((nl = memchr(k->buf, '\n', k->have)) != NULL) {
			n = (size_t)(nl - k->buf);
			ck_assert_uint_lt(n, len);
			memcpy(out, k->buf, n);
			out[n] = '\0';
			k->have -= n + 1;
			memmove(k->buf, nl + 1, k->have);
			return (int)n;
		}
		if (ss_read(k) > 0)
			continue;
		if (base != NULL)
			event_base_loop(base, EVLOOP_NONBLOCK);
		pfd.fd = k->cfd != -1 ? k->cfd : k->lfd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, 1);
	}
	return -1;
}

/* "m I" padded with 'x' to SS_BIG bytes (I's own line, whole). */
void
ss_big(char *m, size_t len, int i)
{
	int n = snprintf(m, len, "m %d ", i);

	ck_assert_int_gt(n, 0);
	ck_assert_uint_lt((size_t)n + SS_BIG, len);
	memset(m + n, 'x', SS_BIG);
	m[n + SS_BIG] = '\0';
}

/* The next line is the big message I, whole. */
void
ss_want_big(struct ssink *k, struct event_base *base, int i)
{
	char d[8192], m[SS_BIG + 32];

	ss_big(m, sizeof(m), i);
	ck_assert_int_gt(ss_line(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), m);
}

/* The end of a test: sent messages in all, none lost or left; close. */
void
ss_done(struct ssink *k, struct event_base *base, unsigned long long sent)
{
	struct log_counters ct;

	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, sent);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.depth, 0);
	if (base != NULL) {
		log_attach(NULL);
		event_base_free(base);
	}
	ss_close(k);
}
