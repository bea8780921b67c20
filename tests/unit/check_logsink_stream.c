/* SPDX-License-Identifier: ISC */
/*
 * logsink_stream_suite: daemon/logsink_stream.c, the syslog socket when
 * it is a stream one (rsyslog's imptcp path=, syslog-ng's unix-stream()).
 * The short-write bookkeeping as a pure function; then against a real
 * stream receiver: one message a line, batches, a backlog drained in
 * order and whole, a receiver restarted (a message the broken connection
 * tore comes whole on the new one), the socket's kind found again
 * when the receiver comes back as the other kind, log_flush with the
 * receiver gone (it sleeps, it does not spin), and a loop attached
 * before the socket is opened reconnecting with its timer. CK_FORK gives
 * every test a fresh sink.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat/compat.h"
#include "daemon/log.h"
#include "daemon/logsink.h"
#include "daemon/logsink_int.h"
#include "tests/unit/sink.h"
#include "tests/unit/ssink.h"
#include "tests/unit/suites.h"

START_TEST(test_log_stream_done)
{
	/* messages of 10, 5 and 7 bytes: written, whole, part of the next */
	static const struct {
		size_t	n, written, done, part;
	} t[] = {
		{ 3, 0, 0, 0 }, { 3, 4, 0, 4 }, { 3, 10, 1, 0 }, { 3, 11, 1, 1 },
		{ 3, 21, 2, 6 }, { 3, 22, 3, 0 }, { 0, 0, 0, 0 },
	};
	struct iovec iov[3] = { { NULL, 10 }, { NULL, 5 }, { NULL, 7 } };
	size_t i, part;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		part = 99;
		ck_assert_uint_eq(logsink_stream_done(iov, t[i].n, t[i].written,
		    &part), t[i].done);
		ck_assert_uint_eq(part, t[i].part);
	}
}
END_TEST

START_TEST(test_log_stream_lines)
{
	struct log_counters ct;
	struct event_base *base;
	struct ssink *k = ss_open();
	char d[8192], m[SS_BIG + 32];
	int i;

	log_info("hello\nworld");	/* one line: the LF is escaped */
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "hello\\x0aworld");
	ck_assert_int_eq(strncmp(d, "<30>", 4), 0);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* a batch: one sendmsg, a line each */
	ck_assert_int_eq(log_batch_open(base, 10u * 1000000u), 0);
	for (i = 0; i <= 33; i++) {
		snprintf(m, sizeof(m), "r %d", i);
		ck_assert_int_eq(log_record(LOG_INFO, m, strlen(m)), 0);
	}
	for (i = 0; i <= 32; i++) {	/* 0 at once, 1..32 as 33 came */
		snprintf(m, sizeof(m), "r %d", i);
		ck_assert_int_gt(ss_line(k, base, d, sizeof(d), 5000), 0);
		ck_assert_str_eq(msg_of(d), m);
	}
	ck_assert_int_eq(ss_line(k, NULL, d, sizeof(d), 0), -1);
	log_batch_close();
	ck_assert_int_gt(ss_line(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "r 33");
	/* nobody reads: the socket fills, then the queue; all come whole */
	for (i = 0; i < 1000; i++) {
		ss_big(m, sizeof(m), i);
		ck_assert_int_eq(log_record(LOG_INFO, m, strlen(m)), 0);
		if (i % 50 == 0)	/* the loop drains: short writes */
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.queued, 0);
	ck_assert_uint_eq(ct.lost, 0);
	for (i = 0; i < 1000; i++)
		ss_want_big(k, base, i);
	ck_assert_int_eq(ss_line(k, base, d, sizeof(d), 50), -1);
	ss_done(k, base, 1035);
}
END_TEST

START_TEST(test_log_stream_reconnect)
{
	struct log_counters ct;
	struct event_base *base;
	struct ssink *k = ss_open();
	char d[8192], m[SS_BIG + 32], *last, *nl, *tag;
	size_t torn;
	int i, whole = 0;

	log_info("before");
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ss_restart(k, 1);	/* syslogd restarted: EPIPE, then a new one */
	log_info("during 1");
	log_info("during 2");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.depth, 2);
	log_flush(3000);
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "during 1");
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "during 2");

	/* a backlog, written by the loop until the socket is full */
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	for (i = 0; i < 300; i++) {
		ss_big(m, sizeof(m), i);
		ck_assert_int_eq(log_record(LOG_INFO, m, strlen(m)), 0);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	/* the receiver reads what is there, maybe a torn start, and dies */
	while (ss_read(k) > 0)
		;
	last = k->buf;
	while ((nl = memchr(last, '\n', k->have - (size_t)(last - k->buf))) !=
	    NULL) {
		whole++;
		last = nl + 1;
	}
	ck_assert_int_gt(whole, 0);
	ck_assert_int_lt(whole, 300);
	torn = k->have - (size_t)(last - k->buf);
	/* a torn start is the start of that message */
	if ((tag = memmem(last, torn, "]: ", 3)) != NULL) {
		ss_big(m, sizeof(m), whole);
		tag += 3;
		ck_assert_int_eq(memcmp(tag, m, torn - (size_t)(tag - last)), 0);
	}
	ss_restart(k, 1);
	/* the new connection starts with that message, whole */
	ss_want_big(k, base, whole);
	for (i = whole + 1; i < 300; i++)
		ss_want_big(k, base, i);
	ss_done(k, base, 303);
}
END_TEST

START_TEST(test_log_stream_kind)
{
	struct ssink *k = ss_open();
	char d[8192];
	ssize_t n;

	log_info("stream 1");
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	/* back as a datagram socket: found on the reconnect */
	ss_restart(k, 0);
	log_info("dgram 1");
	log_flush(3000);
	ck_assert_int_eq(log_syslog_stream(), 0);
	n = recv(k->lfd, d, sizeof(d) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	d[n] = '\0';
	ck_assert_str_eq(msg_of(d), "dgram 1");	/* no '\n' in a datagram */
	log_info("dgram 2");
	n = recv(k->lfd, d, sizeof(d) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	d[n] = '\0';
	ck_assert_str_eq(msg_of(d), "dgram 2");
	/* and a stream one again */
	ss_restart(k, 1);
	log_info("stream 2");
	log_flush(3000);
	ck_assert_int_eq(log_syslog_stream(), 1);
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "stream 2");
	ss_done(k, NULL, 4);
}
END_TEST

/* The receiver goes away: no listener, nothing at the path. */
static void
ss_gone(struct ssink *k)
{
	if (k->cfd != -1)
		close(k->cfd);
	k->cfd = -1;
	close(k->lfd);
	k->lfd = -1;
	unlink(k->path);
}

/* Milliseconds between two readings of a clock. */
static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * log_flush(ms) with a message queued and no receiver: it keeps the
 * message and returns after ms; the CPU time it used (wall and CPU time
 * in *wall, *cpu) is for the caller to judge.
 */
static void
flush_gone(int ms, double *wall, double *cpu)
{
	struct timespec w0, w1, c0, c1;
	struct log_counters ct;

	log_get_counters(&ct);
	ck_assert_uint_eq(ct.depth, 1);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	log_flush(ms);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	*wall = ms_between(&w0, &w1);
	*cpu = ms_between(&c0, &c1);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.depth, 1);		/* kept, not lost */
	ck_assert_uint_eq(ct.lost, 0);
}

START_TEST(test_log_flush_gone)
{
	struct ssink *k = ss_open();
	double wall, cpu;
	struct sink dk;
	char d[8192];

	/* a stream receiver gone: its socket polls HUP at once */
	log_info("before");
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ss_gone(k);
	log_info("queued");
	flush_gone(400, &wall, &cpu);
	ck_assert_double_ge(wall, 395.0);	/* it waited its time ... */
	ck_assert_double_lt(wall, 2400.0);	/* ... and no longer */
	ck_assert_double_lt(cpu, wall / 2);	/* sleeping, not spinning */
	ss_bind(k, 1);
	log_flush(3000);			/* back: the message goes */
	ck_assert_int_gt(ss_line(k, NULL, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "queued");
	ss_done(k, NULL, 2);

	/* a datagram receiver gone: the unconnected socket polls ready */
	sink_open(&dk);
	ck_assert_int_eq(log_open_syslog(dk.path, LOG_DAEMON), 0);
	close(dk.fd);
	unlink(dk.path);
	log_info("dgram");
	flush_gone(400, &wall, &cpu);
	ck_assert_double_ge(wall, 395.0);
	ck_assert_double_lt(wall, 2400.0);
	ck_assert_double_lt(cpu, wall / 2);
	sink_restart(&dk);
	log_flush(3000);
	ck_assert_int_gt(sink_recv(&dk, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "dgram");
	sink_close(&dk);
}
END_TEST

START_TEST(test_log_stream_attach_first)
{
	struct log_counters ct;
	struct event_base *base;
	struct ssink *k;
	char d[8192];

	/* a loop attached before the socket is opened (not main's order) */
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	k = ss_open();
	log_info("first");
	ck_assert_int_gt(ss_line(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "first");
	/* the receiver goes: the message waits for the reconnect timer */
	ss_gone(k);
	log_info("second");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.depth, 1);
	ss_bind(k, 1);
	/* only the loop runs now: its timer reconnects, its event sends */
	ck_assert_int_gt(ss_line(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "second");
	ss_done(k, base, 2);
}
END_TEST

Suite *
logsink_stream_suite(void)
{
	Suite *s = suite_create("logsink_stream");
	TCase *tc;

	tc = tcase_create("logsink_stream");
	tcase_add_test(tc, test_log_stream_done);
	tcase_add_test(tc, test_log_stream_lines);
	tcase_add_test(tc, test_log_stream_reconnect);
	tcase_add_test(tc, test_log_stream_kind);
	tcase_add_test(tc, test_log_flush_gone);
	tcase_add_test(tc, test_log_stream_attach_first);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
