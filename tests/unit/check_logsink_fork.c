/* SPDX-License-Identifier: ISC */
/*
 * logsink_fork_suite: log_after_fork (log.h), the sink across fork() on
 * a stream syslog socket. A process leaves a message half written (the
 * receiver stops reading) and a queue, then forks: the child keeps the
 * sink and finishes them, the parent gets a connection of its own (or
 * none); the receiver then reads every connection to its end. Each line
 * must be one whole message, each message must come exactly once, and
 * each process's messages on its own connection in its order. CK_FORK
 * gives every test a fresh sink; the child reports by its exit status.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/logsink.h"
#include "tests/unit/sink.h"
#include "tests/unit/ssink.h"
#include "tests/unit/suites.h"

#define FORK_MSGS	10	/* messages each process logs after the fork */
#define FORK_CONNS	4	/* connections the receiver takes at most */
#define FORK_BUF	(1 << 20)

/* One connection the receiver accepted, and what it read. */
struct fconn {
	int	 fd;
	int	 eof;
	char	*buf;
	size_t	 have;
};

/* Milliseconds on the monotonic clock. */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Log big messages while nobody reads until the sink holds a queue and
 * the receiver's side ends inside a message (a short write's rest is
 * pending). Returns how many were logged.
 */
static int
fill_until_torn(struct ssink *k)
{
	static char peek[FORK_BUF];
	struct log_counters ct;
	char m[SS_BIG + 32];
	ssize_t n;
	int i;

	for (i = 0; i < 2000; i++) {
		ss_big(m, sizeof(m), i);
		log_info("%s", m);
		log_get_counters(&ct);
		ck_assert_uint_eq(ct.lost, 0);
		if (ct.depth == 0)
			continue;
		if (k->cfd == -1)
			k->cfd = accept4(k->lfd, NULL, NULL, SOCK_NONBLOCK);
		ck_assert_int_ge(k->cfd, 0);
		n = recv(k->cfd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
		ck_assert_int_gt(n, 0);
		if (peek[n - 1] != '\n')
			return i + 1;	/* torn: the rest waits in the queue */
		/* whole so far: make a little room, the next call writes more */
		ck_assert_uint_lt(k->have + 1000, sizeof(k->buf));
		n = read(k->cfd, k->buf + k->have, 1000);
		ck_assert_int_gt(n, 0);
		k->have += (size_t)n;
	}
	ck_abort_msg("no short write in %d messages", i);
	return 0;
}

/*
 * The receiver: accept and read every connection until each has ended
 * (EOF) and the child is reaped, or 20 s pass. The connection k had
 * accepted first is conns[0], what it read so far included.
 */
static size_t
read_all(struct ssink *k, pid_t child, int *status, struct fconn *c)
{
	struct pollfd pfd[FORK_CONNS + 1];
	long long end = mono_ms() + 20000;
	size_t nc = 1, i, open;
	ssize_t n;
	int fd, reaped = 0;

	c[0].fd = k->cfd;
	c[0].buf = malloc(FORK_BUF);
	ck_assert_ptr_nonnull(c[0].buf);
	memcpy(c[0].buf, k->buf, k->have);
	c[0].have = k->have;
	for (;;) {
		while ((fd = accept4(k->lfd, NULL, NULL, SOCK_NONBLOCK)) != -1) {
			ck_assert_uint_lt(nc, FORK_CONNS);
			c[nc].fd = fd;
			c[nc].buf = malloc(FORK_BUF);
			ck_assert_ptr_nonnull(c[nc].buf);
			nc++;
		}
		for (i = 0, open = 0; i < nc; i++) {
			while (!c[i].eof) {
				ck_assert_uint_lt(c[i].have, FORK_BUF);
				n = read(c[i].fd, c[i].buf + c[i].have,
				    FORK_BUF - c[i].have);
				if (n > 0)
					c[i].have += (size_t)n;
				else if (n == 0)
					c[i].eof = 1;
				else
					break;
			}
			open += !c[i].eof;
		}
		if (!reaped && waitpid(child, status, WNOHANG) == child)
			reaped = 1;
		/* our own connection never ends: it is enough that it spoke */
		if (reaped && open <= 1 && c[0].eof)
			return nc;
		ck_assert_msg(mono_ms() < end, "the receiver waited 20 s");
		pfd[0].fd = k->lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < nc; i++) {
			pfd[i + 1].fd = c[i].eof ? -1 : c[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		(void)poll(pfd, nc + 1, 10);
	}
}

/*
 * The lines of c, each a whole message, are exactly the big messages
 * 0..nbig-1, then "TAG 0".."TAG FORK_MSGS-1" (tag NULL: none).
 */
static void
want_lines(struct fconn *c, int nbig, const char *tag)
{
	char want[SS_BIG + 32], *p = c->buf, *nl;
	int i, total = nbig + (tag != NULL ? FORK_MSGS : 0);

	for (i = 0; i < total; i++) {
		nl = memchr(p, '\n', c->have - (size_t)(p - c->buf));
		ck_assert_msg(nl != NULL, "line %d of %d missing", i, total);
		*nl = '\0';
		if (i < nbig)
			ss_big(want, sizeof(want), i);
		else
			snprintf(want, sizeof(want), "%s %d", tag, i - nbig);
		ck_assert_str_eq(msg_of(p), want);
		p = nl + 1;
	}
	/* nothing more: no extra line, no torn end */
	ck_assert_uint_eq((size_t)(p - c->buf), c->have);
}

/* In the child: log FORK_MSGS messages "c I", flush; 0 when all went. */
static int
child_logs(void)
{
	struct log_counters ct;
	int i;

	for (i = 0; i < FORK_MSGS; i++)
		log_info("c %d", i);
	log_flush(15000);
	log_get_counters(&ct);
	return ct.lost == 0 && ct.depth == 0 ? 0 : 1;
}

/*
 * Leave a message half written and a queue, then fork: the child keeps
 * the sink, finishes them, logs its own and exits; the parent returns
 * the child's pid (*nbig: the messages logged before the fork).
 */
static pid_t
fork_keeper(struct ssink *k, int *nbig)
{
	pid_t pid;

	*nbig = fill_until_torn(k);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_logs());
	return pid;
}

/* Log "p 0".."p FORK_MSGS-1" with stderr sent to /dev/null. */
static void
log_quietly(void)
{
	int devnull, saved, i;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(devnull, 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(devnull, STDERR_FILENO), STDERR_FILENO);
	for (i = 0; i < FORK_MSGS; i++)
		log_info("p %d", i);
	log_flush(100);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(devnull);
}

/*
 * _i: LOG_FORK_OWN, the parent's messages on a connection of its own;
 * LOG_FORK_NONE, on stderr only. Either way the child's connection holds
 * exactly the messages of before the fork, then the child's.
 */
START_TEST(test_log_fork)
{
	struct ssink *k = ss_open();
	struct fconn c[FORK_CONNS];
	struct log_counters ct;
	int nbig, status = -1, own = _i == LOG_FORK_OWN;
	size_t nc, i;
	pid_t pid;

	memset(c, 0, sizeof(c));
	pid = fork_keeper(k, &nbig);
	/* the parent: nothing of the child's to send or count */
	log_after_fork(_i);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.depth, 0);
	ck_assert_uint_eq(ct.queued, 0);
	ck_assert_uint_eq(ct.sent, 0);
	ck_assert_int_eq(log_syslog_stream(), own);
	log_quietly();
	log_get_counters(&ct);
	/* its own connection took them at once, or none were sent */
	ck_assert_uint_eq(ct.sent, own ? FORK_MSGS : 0);
	ck_assert_uint_eq(ct.depth, 0);
	nc = read_all(k, pid, &status, c);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_uint_eq(nc, own ? 2 : 1);
	/* the first connection: the child's, the torn message finished */
	want_lines(&c[0], nbig, "c");
	if (own)
		want_lines(&c[1], 0, "p");
	for (i = 0; i < nc; i++) {
		if (i > 0)
			close(c[i].fd);
		free(c[i].buf);
	}
	ss_close(k);
}
END_TEST

Suite *
logsink_fork_suite(void)
{
	Suite *s = suite_create("logsink_fork");
	TCase *tc;

	tc = tcase_create("logsink_fork");
	tcase_add_loop_test(tc, test_log_fork, LOG_FORK_NONE, LOG_FORK_OWN + 1);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
