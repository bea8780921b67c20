/* SPDX-License-Identifier: ISC */
/*
 * ident: the asynchronous RFC 1413 client (ident.c) against a scripted
 * server in a forked child on loopback: exact outcomes for answers, hostile
 * answers, timeouts, refusals, a slow connect, cancellation and 10,000
 * pending lookups. The answer parser has its own suite (check_ident_parse.c).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "ident/ident.h"
#include "tests/unit/suites.h"

#define S(s)		(s), (sizeof(s) - 1)

/*
 * The client: ident.c against a scripted server, a forked child that
 * accepts one connection on loopback, checks the query and the source
 * address, then answers as told.
 */
#define CL_PEERPORT	4321		/* the daytime client's port */
#define CL_LOCALPORT	13		/* our daytime port */

enum cl_mode {
	CL_ANSWER,		/* read the query, send the reply */
	CL_CLOSE,		/* close at once */
	CL_HOLD			/* read the query, never answer */
};

struct cl_script {
	const char		*reply;
	size_t			 len;
	enum cl_mode		 mode;
	int			 dribble_ms;	/* >0: one byte at a time */
	enum ident_status	 status;
	const char		*user;
	size_t			 userlen;
};

struct cl_result {
	struct event_base	*base;
	int			 called;
	struct ident_answer	 ans;
};

/* Seconds on the monotonic clock. */
static double
cl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An AF_INET or AF_INET6 address with a port. */
static socklen_t
cl_addr(struct sockaddr_storage *ss, const char *addr, unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

/* A listening socket on addr, any port; -1 when the family is missing. */
static int
cl_listen(const char *addr, unsigned *port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = cl_addr(&ss, addr, 0);
	int fd;

	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	ck_assert_int_eq(listen(fd, backlog), 0);
	len = sizeof(ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* The child: one connection, checked, then scripted. Never returns. */
static void
cl_serve(int lfd, const struct cl_script *sc, const char *src)
{
	char query[64], want[64], host[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	size_t got = 0, i;
	ssize_t n;
	int fd, ok;

	signal(SIGPIPE, SIG_IGN);
	if ((fd = accept(lfd, (struct sockaddr *)&ss, &sslen)) == -1)
		_exit(1);
	if (sc->mode == CL_CLOSE)
		_exit(0);
	while (got < sizeof(query) - 1 && memchr(query, '\n', got) == NULL) {
		if ((n = read(fd, query + got, sizeof(query) - 1 - got)) <= 0)
			_exit(1);
		got += (size_t)n;
	}
	snprintf(want, sizeof(want), "%u , %u\r\n", CL_PEERPORT,
	    CL_LOCALPORT);
	ok = got == strlen(want) && memcmp(query, want, got) == 0;
	inet_ntop(ss.ss_family, ss.ss_family == AF_INET ?
	    (void *)&((struct sockaddr_in *)&ss)->sin_addr :
	    (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
	    host, sizeof(host));
	ok = ok && strcmp(host, src) == 0;
	if (!ok) {
		/* Tell the test through the answer itself. */
		snprintf(want, sizeof(want), "%u,%u:ERROR:X-BADQUERY\r\n",
		    CL_PEERPORT, CL_LOCALPORT);
		if (write(fd, want, strlen(want)) == -1)
			_exit(1);
	} else if (sc->mode == CL_ANSWER && sc->dribble_ms > 0) {
		for (i = 0; i < sc->len; i++) {
			if (write(fd, sc->reply + i, 1) != 1)
				_exit(0);
			poll(NULL, 0, sc->dribble_ms);
		}
	} else if (sc->mode == CL_ANSWER) {
		if (write(fd, sc->reply, sc->len) == -1)
			_exit(0);
	}
	if (sc->mode == CL_HOLD || sc->len > IDENT_LINE_MAX) {
		char sink[256];

		while (read(fd, sink, sizeof(sink)) > 0)
			;
	}
	_exit(0);
}

/* Start the scripted server; its port in *port. */
static pid_t
cl_server(const char *addr, const struct cl_script *sc, const char *src,
    unsigned *port)
{
	pid_t pid;
	int lfd;

	if ((lfd = cl_listen(addr, port, 16)) == -1)
		return -1;
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		cl_serve(lfd, sc, src);
	close(lfd);
	return pid;
}

/* Stop the server started by this test, by its pid. */
static void
cl_server_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void
cl_cb(const struct ident_answer *a, void *arg)
{
	struct cl_result *r = arg;

	r->called++;
	r->ans = *a;
	event_base_loopbreak(r->base);
}

/* Look up local <- peer with the ident server on identport; wait. */
static double
cl_lookup(const char *local, const char *peer, unsigned identport,
    long timeout_ms, struct cl_result *r)
{
	struct sockaddr_storage l, p;
	socklen_t llen, plen;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct timeval safety = { 10, 0 };
	struct ident_req *req;
	double t0;

	memset(r, 0, sizeof(*r));
	r->base = event_base_new();
	ck_assert_ptr_nonnull(r->base);
	llen = cl_addr(&l, local, CL_LOCALPORT);
	plen = cl_addr(&p, peer, CL_PEERPORT);
	t0 = cl_now();
	req = ident_start(r->base, (struct sockaddr *)&l, llen,
	    (struct sockaddr *)&p, plen, identport, &tv, cl_cb, r);
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(r->called, 0);	/* never from inside ident_start */
	event_base_loopexit(r->base, &safety);
	event_base_dispatch(r->base);
	t0 = cl_now() - t0;
	ck_assert_int_eq(r->called, 1);
	/* Once only: nothing left but the safety timer. */
	ck_assert_int_le(event_base_get_num_events(r->base,
	    EVENT_BASE_COUNT_ADDED | EVENT_BASE_COUNT_ACTIVE), 1);
	event_base_loop(r->base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(r->called, 1);
	event_base_free(r->base);
	return t0;
}

/* Run one script on addr and check the exact outcome. */
static void
cl_run(const char *local, const char *peer, const struct cl_script *sc,
    size_t idx)
{
	struct cl_result r;
	unsigned port;
	pid_t pid;

	pid = cl_server(peer, sc, local, &port);
	ck_assert_int_gt(pid, 0);
	(void)cl_lookup(local, peer, port, 5000, &r);
	cl_server_stop(pid);
	ck_assert_msg(r.ans.status == sc->status,
	    "script %zu: %s (%s), want %s", idx,
	    ident_status_name(r.ans.status), r.ans.errtype,
	    ident_status_name(sc->status));
	ck_assert_uint_eq(r.ans.userlen, sc->userlen);
	if (sc->userlen > 0)
		ck_assert(memcmp(r.ans.user, sc->user, sc->userlen) == 0);
}

#define CL(reply, mode, ms, st, user)	\
	{ S(reply), mode, ms, st, S(user) }

static const struct cl_script cl_scripts[] = {
	CL("4321 , 13 : ERROR : NO-USER\r\n", CL_ANSWER, 0, IDENT_ERROR, ""),
	CL("", CL_CLOSE, 0, IDENT_MALFORMED, ""),
	CL("", CL_ANSWER, 0, IDENT_MALFORMED, ""),	/* EOF, no line */
	CL("4321,13:USERID:UNIX:x", CL_ANSWER, 0, IDENT_MALFORMED, ""),
	CL("4321,13:USERID:UNIX:x\n", CL_ANSWER, 0, IDENT_MALFORMED, ""),
	CL("\x00\xff\x1b[2J junk\r\n", CL_ANSWER, 0, IDENT_MALFORMED, ""),
	CL("13,4321:USERID:UNIX:alice\r\n", CL_ANSWER, 0, IDENT_MALFORMED, ""),
	/* The first line decides; the client reads no further. */
	CL("4321,13:USERID:UNIX:alice\r\n4321,13:USERID:UNIX:bob\r\n",
	    CL_ANSWER, 0, IDENT_OK, "alice"),
	CL("4321 , 13 : USERID : UNIX : alice\r\n", CL_ANSWER, 5, IDENT_OK,
	    "alice"),
	CL("4321,13:USERID:UNIX:root\x1b[31m \"x\" decision=allow\r\n",
	    CL_ANSWER, 0, IDENT_OK, "root\x1b[31m \"x\" decision=allow"),
};

START_TEST(test_ident_client_ok)
{
	static const struct cl_script sc =
	    CL("4321 , 13 : USERID : UNIX : alice\r\n", CL_ANSWER, 0,
	    IDENT_OK, "alice");

	/* 127.0.0.2: the query must come from the connection's address. */
	cl_run("127.0.0.2", "127.0.0.1", &sc, 0);
}
END_TEST

START_TEST(test_ident_client_ok_v6)
{
	static const struct cl_script sc =
	    CL("4321,13:USERID:UNIX:bob\r\n", CL_ANSWER, 0, IDENT_OK, "bob");
	unsigned port;
	int fd;

	if ((fd = cl_listen("::1", &port, 1)) == -1)
		return;		/* no IPv6 loopback here */
	close(fd);
	cl_run("::1", "::1", &sc, 0);
}
END_TEST

START_TEST(test_ident_client_scripts)
{
	size_t i;

	for (i = 0; i < sizeof(cl_scripts) / sizeof(cl_scripts[0]); i++)
		cl_run("127.0.0.1", "127.0.0.1", &cl_scripts[i], i);
}
END_TEST

START_TEST(test_ident_client_overlong)
{
	struct cl_script sc = { NULL, 4 * IDENT_LINE_MAX, CL_ANSWER, 0,
	    IDENT_MALFORMED, "", 0 };
	char *line = malloc(sc.len);

	ck_assert_ptr_nonnull(line);
	memset(line, 'A', sc.len);
	memcpy(line, "4321,13:USERID:UNIX:", 20);
	sc.reply = line;
	cl_run("127.0.0.1", "127.0.0.1", &sc, 0);
	free(line);
}
END_TEST

/* Run sc on 127.0.0.1 with a deadline of timeout_ms; seconds it took. */
static double
cl_timed(const struct cl_script *sc, long timeout_ms, struct cl_result *r)
{
	unsigned port;
	double t;
	pid_t pid;

	pid = cl_server("127.0.0.1", sc, "127.0.0.1", &port);
	t = cl_lookup("127.0.0.1", "127.0.0.1", port, timeout_ms, r);
	cl_server_stop(pid);
	return t;
}

START_TEST(test_ident_client_timeout)
{
	static const struct cl_script sc =
	    CL("", CL_HOLD, 0, IDENT_TIMEOUT, "");
	struct cl_result r;
	double t;

	t = cl_timed(&sc, 300, &r);
	ck_assert_int_eq(r.ans.status, IDENT_TIMEOUT);
	ck_assert_uint_eq(r.ans.userlen, 0);
	ck_assert_msg(t >= 0.28 && t < 2.0, "took %.3f s", t);
}
END_TEST

/* One deadline: a byte every 50 ms does not keep the lookup alive. */
START_TEST(test_ident_client_dribble)
{
	static const struct cl_script sc =
	    CL("4321 , 13 : USERID : UNIX : a-rather-long-user-name\r\n",
	    CL_ANSWER, 50, IDENT_TIMEOUT, "");
	struct cl_result r;
	double t;

	t = cl_timed(&sc, 400, &r);
	ck_assert_int_eq(r.ans.status, IDENT_TIMEOUT);
	ck_assert_msg(t >= 0.38 && t < 1.5, "took %.3f s", t);
}
END_TEST

START_TEST(test_ident_client_refused)
{
	struct cl_result r;
	unsigned port;
	int fd;

	/* A port that was free a moment ago: nobody listens there. */
	fd = cl_listen("127.0.0.1", &port, 1);
	ck_assert_int_ne(fd, -1);
	close(fd);
	(void)cl_lookup("127.0.0.1", "127.0.0.1", port, 2000, &r);
	ck_assert_int_eq(r.ans.status, IDENT_REFUSED);
}
END_TEST

START_TEST(test_ident_client_unreachable)
{
	struct cl_result r;

	/* Families that differ cannot be one connection. */
	(void)cl_lookup("127.0.0.1", "::1", 113, 2000, &r);
	ck_assert_int_eq(r.ans.status, IDENT_UNREACHABLE);
	/* A local address that is not ours cannot be bound. */
	(void)cl_lookup("192.0.2.1", "127.0.0.1", 113, 2000, &r);
	ck_assert_int_eq(r.ans.status, IDENT_UNREACHABLE);
}
END_TEST

/* The host's TcpExt ListenOverflows counter (SYNs a full queue dropped). */
static unsigned long long
cl_listen_overflows(void)
{
	char names[4096], values[4096], *np, *vp, *n, *v;
	unsigned long long r = 0;
	FILE *f = fopen("/proc/net/netstat", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(names, sizeof(names), f) != NULL &&
	    fgets(values, sizeof(values), f) != NULL) {
		if (strncmp(names, "TcpExt:", 7) != 0)
			continue;
		n = strtok_r(names, " \n", &np);
		v = strtok_r(values, " \n", &vp);
		while (n != NULL && v != NULL) {
			if (strcmp(n, "ListenOverflows") == 0)
				r = strtoull(v, NULL, 10);
			n = strtok_r(NULL, " \n", &np);
			v = strtok_r(NULL, " \n", &vp);
		}
	}
	fclose(f);
	return r;
}

/*
 * A connect that does not finish inside connect(): the query waits for
 * writable, from the loop. The listener's queue is full, so the first SYN
 * is dropped; once the queue has room the retransmitted SYN (about 1 s
 * later) connects, and the lookup completes.
 */
START_TEST(test_ident_client_slow_connect)
{
	static const struct cl_script sc =
	    CL("4321,13:USERID:UNIX:alice\r\n", CL_ANSWER, 0, IDENT_OK, "alice");
	struct sockaddr_storage l, p, a;
	socklen_t llen, plen, alen;
	struct timeval tv = { 10, 0 }, safety = { 15, 0 };
	struct cl_result r;
	struct ident_req *req;
	unsigned long long drops;
	unsigned port;
	double t0;
	pid_t pid;
	int lfd, filler, fd;

	memset(&r, 0, sizeof(r));
	lfd = cl_listen("127.0.0.1", &port, 0);
	ck_assert_int_ne(lfd, -1);
	alen = cl_addr(&a, "127.0.0.1", port);
	filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(filler, (struct sockaddr *)&a, alen), 0);
	drops = cl_listen_overflows();
	r.base = event_base_new();
	ck_assert_ptr_nonnull(r.base);
	llen = cl_addr(&l, "127.0.0.1", CL_LOCALPORT);
	plen = cl_addr(&p, "127.0.0.1", CL_PEERPORT);
	req = ident_start(r.base, (struct sockaddr *)&l, llen,
	    (struct sockaddr *)&p, plen, port, &tv, cl_cb, &r);
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(r.called, 0);
	/* the SYN met the full queue (other work may add to the count) */
	t0 = cl_now();
	while (cl_listen_overflows() == drops) {
		ck_assert_msg(cl_now() - t0 < 5, "no SYN was dropped");
		poll(NULL, 0, 10);
	}
	/* room again: the filler is accepted and goes */
	ck_assert_int_ge(fd = accept(lfd, NULL, NULL), 0);
	close(fd);
	close(filler);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		cl_serve(lfd, &sc, "127.0.0.1");
	event_base_loopexit(r.base, &safety);
	event_base_dispatch(r.base);
	cl_server_stop(pid);
	ck_assert_int_eq(r.called, 1);
	ck_assert_int_eq(r.ans.status, IDENT_OK);
	ck_assert_uint_eq(r.ans.userlen, 5);
	ck_assert(memcmp(r.ans.user, "alice", 5) == 0);
	event_base_free(r.base);
	close(lfd);
}
END_TEST

START_TEST(test_ident_client_cancel)
{
	struct sockaddr_storage l, p;
	socklen_t llen, plen;
	/* A loaded machine must not reach the deadline before the cancel. */
	struct timeval tv = { 1, 0 }, wait = { 1, 500000 };
	struct cl_result r;
	struct ident_req *req;
	struct pollfd pfd;
	unsigned port;
	int lfd;

	memset(&r, 0, sizeof(r));
	/* A listener that never accepts: the query stays unanswered. */
	lfd = cl_listen("127.0.0.1", &port, 16);
	ck_assert_int_ne(lfd, -1);
	r.base = event_base_new();
	llen = cl_addr(&l, "127.0.0.1", CL_LOCALPORT);
	plen = cl_addr(&p, "127.0.0.1", CL_PEERPORT);

	/* Before the loop ran; and a failure queued, then cancelled. */
	req = ident_start(r.base, (struct sockaddr *)&l, llen,
	    (struct sockaddr *)&p, plen, port, &tv, cl_cb, &r);
	ck_assert_ptr_nonnull(req);
	ident_cancel(req);
	req = ident_start(r.base, (struct sockaddr *)&l, llen,
	    (struct sockaddr *)&p, plen, 0, &tv, cl_cb, &r);
	ck_assert_ptr_nonnull(req);
	ident_cancel(req);

	/* After the connect, while the query waits for its answer. */
	req = ident_start(r.base, (struct sockaddr *)&l, llen,
	    (struct sockaddr *)&p, plen, port, &tv, cl_cb, &r);
	ck_assert_ptr_nonnull(req);
	pfd.fd = lfd;			/* the connection waits to be accepted */
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	event_base_loop(r.base, EVLOOP_NONBLOCK);
	event_base_loop(r.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(r.called, 0);
	ident_cancel(req);

	event_base_loopexit(r.base, &wait);
	event_base_dispatch(r.base);
	ck_assert_int_eq(r.called, 0);
	event_base_free(r.base);
	close(lfd);
}
END_TEST

/* 10,000 pending lookups: memory stays small, cancel frees them all. */
START_TEST(test_ident_client_many)
{
	struct sockaddr_storage l, p;
	socklen_t llen, plen;
	struct timeval tv = { 30, 0 };
	struct ident_req **reqs;
	struct cl_result r;
	struct mallinfo2 before, after;
	struct rlimit rl;
	size_t n = 10000, i, used;
	unsigned port;
	int lfd;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < n + 64)
		n = rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 64 : 64;
	memset(&r, 0, sizeof(r));
	/* A listener that never accepts: every lookup stays pending. */
	lfd = cl_listen("127.0.0.1", &port, 1);
	ck_assert_int_ne(lfd, -1);
	r.base = event_base_new();
	reqs = calloc(n, sizeof(*reqs));
	ck_assert_ptr_nonnull(reqs);
	llen = cl_addr(&l, "127.0.0.1", CL_LOCALPORT);
	plen = cl_addr(&p, "127.0.0.1", CL_PEERPORT);

	before = mallinfo2();
	for (i = 0; i < n; i++) {
		reqs[i] = ident_start(r.base, (struct sockaddr *)&l, llen,
		    (struct sockaddr *)&p, plen, port, &tv, cl_cb, &r);
		ck_assert_ptr_nonnull(reqs[i]);
	}
	event_base_loop(r.base, EVLOOP_NONBLOCK);
	after = mallinfo2();
	used = after.uordblks > before.uordblks ?
	    after.uordblks - before.uordblks : 0;
	/* Sanitizer builds replace malloc and report nothing: skip. */
	if (before.uordblks != 0)
		ck_assert_msg(used < (size_t)8 * 1024 * 1024,
		    "%zu lookups took %zu bytes", n, used);
	fprintf(stderr, "ident: %zu pending lookups, %zu bytes of heap\n",
	    n, used);
	ck_assert_int_eq(r.called, 0);
	for (i = 0; i < n; i++)
		ident_cancel(reqs[i]);
	ck_assert_int_eq(r.called, 0);
	free(reqs);
	event_base_free(r.base);
	close(lfd);
}
END_TEST

Suite *
ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc;

	tc = tcase_create("client");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ident_client_ok);
	tcase_add_test(tc, test_ident_client_ok_v6);
	tcase_add_test(tc, test_ident_client_scripts);
	tcase_add_test(tc, test_ident_client_overlong);
	tcase_add_test(tc, test_ident_client_timeout);
	tcase_add_test(tc, test_ident_client_dribble);
	tcase_add_test(tc, test_ident_client_refused);
	tcase_add_test(tc, test_ident_client_unreachable);
	tcase_add_test(tc, test_ident_client_cancel);
	tcase_add_test(tc, test_ident_client_slow_connect);
	tcase_add_test(tc, test_ident_client_many);
	suite_add_tcase(s, tc);
	return s;
}
