/* SPDX-License-Identifier: ISC */
/*
 * logsink_suite: daemon/logsink.c and logsink_batch.c, where messages
 * go. The queue and back-pressure (in order, counted, lost only past the
 * cap), per-thread batches and ordered records, a socket replaced under
 * an armed event, reconnecting to a restarted syslogd, open errors, and
 * what a failed send arms (the write event, or after ENOBUFS the timer:
 * on a sink of the test's own). CK_FORK gives every test a fresh sink.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/log.h"
#include "daemon/logsink.h"
#include "daemon/logsink_int.h"
#include "tests/unit/sink.h"
#include "tests/unit/suites.h"

static int	drained;

static void
drain_cb(void *arg)
{
	(void)arg;
	drained++;
}

START_TEST(test_log_backpressure)
{
	struct log_counters ct;
	struct event_base *base;
	struct sink k;
	char d[4096];
	int i, got = 0, spins;

	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	log_set_drain_cb(drain_cb, NULL);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* nobody reads: the receiver fills, then the queue */
	for (i = 0; i < 4000; i++)
		log_info("msg %d", i);
	ck_assert_int_eq(log_congested(), 1);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.queued, 3000);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.congested, 1);
	ck_assert_uint_eq(ct.sent + ct.queued, 4000);
	/* the receiver reads; the loop drains; back-pressure ends once */
	for (spins = 0; spins < 100000 && got < 4000; spins++) {
		while (sink_recv(&k, d, sizeof(d)) > 0) {
			char want[32];

			snprintf(want, sizeof(want), "msg %d", got);
			ck_assert_str_eq(msg_of(d), want);	/* in order */
			got++;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	ck_assert_int_eq(got, 4000);
	ck_assert_int_eq(log_congested(), 0);
	ck_assert_int_eq(drained, 1);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 4000);
	ck_assert_uint_eq(ct.lost, 0);
	/* past the hard cap messages are lost, and counted */
	for (i = 0; i < 4200; i++)
		log_info("flood %d", i);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.lost, 0);
	ck_assert_uint_eq(ct.congested, 2);
	ck_assert_int_eq(log_record(LOG_INFO, "x", 1), -1);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k);
}
END_TEST

/* Log the record "TAG I". */
static void
rec(const char *tag, int i)
{
	char m[64];
	int n = snprintf(m, sizeof(m), "%s %d", tag, i);

	ck_assert_int_eq(log_record(LOG_INFO, m, (size_t)n), 0);
}

/*
 * The next datagram is the record "TAG I" (the receiver holds only a few:
 * the rest wait in the queue, which base drains).
 */
static void
want_rec(struct sink *k, struct event_base *base, const char *tag, int i)
{
	char d[4096], m[64];

	snprintf(m, sizeof(m), "%s %d", tag, i);
	ck_assert_int_gt(sink_wait(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), m);
}

START_TEST(test_log_batch)
{
	struct log_counters ct;
	struct event_base *base, *base2;
	unsigned long long q0;
	struct sink k;
	char d[4096];
	int i;

	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* a 10 s window: in this part nothing leaves by the clock */
	ck_assert_int_eq(log_batch_open(base, 10u * 1000000u), 0);
	rec("r", 0);			/* after a quiet spell: at once */
	want_rec(&k, base, "r", 0);
	for (i = 1; i <= 32; i++)	/* then they wait, 32 at most */
		rec("r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	/* an ordered record (audit's chain) never waits, nor passes them */
	ck_assert_int_eq(log_record_ordered(LOG_INFO, "sealed", 6), 0);
	for (i = 1; i <= 32; i++)
		want_rec(&k, base, "r", i);
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "sealed");
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	for (i = 1; i <= 32; i++)	/* held again, 32 at most */
		rec("r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	rec("r", 33);		/* the batch is full: 1..32 go */
	for (i = 1; i <= 32; i++)
		want_rec(&k, base, "r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	log_flush(0);			/* the thread's batch first */
	want_rec(&k, base, "r", 33);
	log_info("x");			/* other messages wait too */
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	log_batch_close();		/* closing sends what waits */
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "x");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 68);	/* some via the queue */
	ck_assert_uint_eq(ct.lost, 0);

	/* a 20 ms window: what waits leaves on the loop's timer */
	ck_assert_int_eq(log_batch_open(base, 20000), 0);
	rec("t", 0);
	rec("t", 1);
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "t 0");
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "t 1");
	log_batch_close();

	/*
	 * A full receiver: messages held before it filled join the queue
	 * behind older ones; while the queue holds any, nothing is held,
	 * and a record lost past its cap says so.
	 */
	ck_assert_int_eq(log_batch_open(base, 10u * 1000000u), 0);
	rec("h", 0);			/* at once */
	want_rec(&k, base, "h", 0);
	rec("h", 1);			/* held */
	log_get_counters(&ct);
	q0 = ct.queued;
	for (i = 0; i < 5000 && ct.queued == q0; i++) {
		ck_assert_int_eq(log_record_ordered(LOG_INFO, "fill", 4), 0);
		log_get_counters(&ct);
	}
	ck_assert_uint_gt(ct.queued, q0);
	/* "h 1" went first: the ordered records sent it */
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "h 1");
	for (i = 0; i < 10; i++)
		rec("q", i);		/* queued, not held */
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	while (sink_wait(&k, base, d, sizeof(d), 5000) > 0 &&
	    strcmp(msg_of(d), "fill") == 0)
		;
	ck_assert_str_eq(msg_of(d), "q 0");
	for (i = 1; i < 10; i++) {
		char m[64];

		snprintf(m, sizeof(m), "q %d", i);
		ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
		ck_assert_str_eq(msg_of(d), m);
	}
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	/* nobody reads: past the queue's cap a record reports its loss */
	for (i = 0; i < 6000; i++)
		if (log_record(LOG_INFO, "cap", 3) == -1)
			break;
	ck_assert_int_lt(i, 6000);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 1);
	log_batch_close();
	/* a batch on another base is refused while this one is open */
	ck_assert_int_eq(log_batch_open(base, 1000), 0);
	base2 = event_base_new();
	ck_assert_ptr_nonnull(base2);
	ck_assert_int_eq(log_batch_open(base2, 1000), -1);
	ck_assert_int_eq(log_batch_open(base, 1000), 0);
	log_batch_close();
	event_base_free(base2);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_reopen)
{
	struct log_counters ct;
	struct event_base *base;
	struct sink k1, k2;
	char d[4096];
	int i;
	unsigned long long got = 0;

	sink_open(&k1);
	sink_open(&k2);
	sink_log_to(&k1, LOG_DAEMON);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* nobody reads the first socket: messages wait in the queue */
	for (i = 0; i < 200; i++)
		log_info("m %d", i);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.queued, 0);
	/* the socket replaced under an armed write event: the loop drains */
	ck_assert_int_eq(log_open_syslog(k2.path, LOG_DAEMON), 0);
	while (got < ct.queued &&
	    sink_wait(&k2, base, d, sizeof(d), 5000) > 0)
		got++;
	ck_assert_uint_eq(got, ct.queued);	/* all of the queue, there */
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.sent, 200);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k1);
	sink_close(&k2);
}
END_TEST

START_TEST(test_log_reconnect)
{
	struct log_counters ct;
	struct sink k;
	char d[4096];

	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	log_info("before");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	sink_restart(&k);	/* syslogd restarted: ECONNREFUSED */
	log_info("during 1");
	log_info("during 2");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	log_flush(3000);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "during 1");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "during 2");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 3);
	ck_assert_uint_eq(ct.lost, 0);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_open_errors)
{
	char longpath[200];

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(log_open_syslog(longpath, LOG_DAEMON), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(log_open_syslog("/nonexistent/log", LOG_DAEMON), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = EINTR;
	log_warnx("to stderr only");
	ck_assert_int_eq(errno, EINTR);
}
END_TEST

/*
 * A sink of its own (not the process's), on a datagram socketpair, with
 * base attached and one message queued: for the drain's decisions.
 */
static struct logsink *
own_sink(struct event_base *base, int sp[2])
{
	struct logsink *ls = calloc(1, sizeof(*ls));

	ck_assert_ptr_nonnull(ls);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
	    sp), 0);
	ck_assert_int_eq(pthread_mutex_init(&ls->mtx, NULL), 0);
	ls->fd = sp[0];
	ls->sfd = -1;
	ls->connected = 1;
	ls->last_connect = logsink_mono_sec();
	pthread_mutex_lock(&ls->mtx);
	logsink_events_locked(ls, base);
	ck_assert_int_eq(logsink_enqueue_locked(ls, "m", 1), 0);
	pthread_mutex_unlock(&ls->mtx);
	return ls;
}

/* A failed send (err) leaves the write event (1) or the timer (0) armed. */
static void
after_error(struct logsink *ls, int err, int write)
{
	pthread_mutex_lock(&ls->mtx);
	ck_assert_int_eq(logsink_send_errno_locked(ls, err), 1);
	logsink_arm_locked(ls);
	ck_assert_int_eq(event_pending(ls->ev_write, EV_WRITE, NULL) != 0,
	    write);
	ck_assert_int_eq(event_pending(ls->ev_retry, EV_TIMEOUT, NULL) != 0,
	    !write);
	pthread_mutex_unlock(&ls->mtx);
}

START_TEST(test_log_enobufs)
{
	struct event_base *base;
	struct logsink *ls;
	int sp[2];
	char d[64];

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ls = own_sink(base, sp);
	/* a full receiver: EV_WRITE says when there is room */
	after_error(ls, EAGAIN, 1);
	/* no kernel memory: the socket polls writable; the timer paces */
	after_error(ls, ENOBUFS, 0);
	after_error(ls, EAGAIN, 1);
	after_error(ls, ENOMEM, 0);
	ck_assert_int_eq(ls->connected, 1);	/* still connected */
	/* the timer fires once and sends: the queue is empty, nothing armed */
	ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	ck_assert_uint_eq(ls->qcount, 0);
	ck_assert_int_eq(recv(sp[1], d, sizeof(d), MSG_DONTWAIT), 1);
	ck_assert_int_eq(d[0], 'm');
	ck_assert_int_eq(ls->backoff, 0);
	ck_assert_int_eq(event_pending(ls->ev_write, EV_WRITE, NULL), 0);
	ck_assert_int_eq(event_pending(ls->ev_retry, EV_TIMEOUT, NULL), 0);
	pthread_mutex_lock(&ls->mtx);
	logsink_events_locked(ls, NULL);
	pthread_mutex_unlock(&ls->mtx);
	pthread_mutex_destroy(&ls->mtx);
	close(sp[0]);
	close(sp[1]);
	free(ls);
	event_base_free(base);
}
END_TEST

/*
 * The loop cannot watch the socket (epoll_ctl fails; here, the socket's
 * descriptor is briefly a regular file, which epoll refuses): the timer
 * drains the queue instead, and once the socket can be watched again the
 * write event is armed as usual.
 */
START_TEST(test_log_arm_fails)
{
	struct event_base *base;
	struct logsink *ls;
	char d[LOGSINK_MSG_MAX];
	int sp[2], sock, file;
	FILE *f;

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ls = own_sink(base, sp);
	ck_assert_ptr_nonnull(f = tmpfile());
	ck_assert_int_ne(sock = dup(sp[0]), -1);
	ck_assert_int_ne(file = fileno(f), -1);
	ck_assert_int_eq(dup2(file, sp[0]), sp[0]);
	pthread_mutex_lock(&ls->mtx);
	ck_assert_int_eq(logsink_send_errno_locked(ls, EAGAIN), 1);
	logsink_arm_locked(ls);
	ck_assert_int_eq(ls->write_armed, 0);
	ck_assert_int_eq(event_pending(ls->ev_write, EV_WRITE, NULL), 0);
	ck_assert_int_ne(event_pending(ls->ev_retry, EV_TIMEOUT, NULL), 0);
	ck_assert_uint_eq(ls->qcount, 2);	/* "m", then the note */
	pthread_mutex_unlock(&ls->mtx);
	ck_assert_int_eq(dup2(sock, sp[0]), sp[0]);
	/* the timer fires and sends both: nothing left, nothing armed */
	ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	ck_assert_uint_eq(ls->qcount, 0);
	ck_assert_int_eq(recv(sp[1], d, sizeof(d), MSG_DONTWAIT), 1);
	ck_assert_int_eq(d[0], 'm');
	ck_assert_int_gt(recv(sp[1], d, sizeof(d), MSG_DONTWAIT), 0);
	ck_assert_int_eq(event_pending(ls->ev_retry, EV_TIMEOUT, NULL), 0);
	/* watchable again: a full receiver arms the write event */
	pthread_mutex_lock(&ls->mtx);
	ck_assert_int_eq(logsink_enqueue_locked(ls, "n", 1), 0);
	ck_assert_int_eq(logsink_send_errno_locked(ls, EAGAIN), 1);
	logsink_arm_locked(ls);
	ck_assert_int_ne(event_pending(ls->ev_write, EV_WRITE, NULL), 0);
	/* the note is not repeated within the minute */
	ck_assert_uint_eq(ls->qcount, 1);
	logsink_events_locked(ls, NULL);
	pthread_mutex_unlock(&ls->mtx);
	pthread_mutex_destroy(&ls->mtx);
	close(sock);
	fclose(f);
	close(sp[0]);
	close(sp[1]);
	logsink_pop_locked(ls, ls->qcount);
	free(ls);
	event_base_free(base);
}
END_TEST

Suite *
logsink_suite(void)
{
	Suite *s = suite_create("logsink");
	TCase *tc;

	tc = tcase_create("logsink");
	tcase_add_test(tc, test_log_backpressure);
	tcase_add_test(tc, test_log_batch);
	tcase_add_test(tc, test_log_reopen);
	tcase_add_test(tc, test_log_reconnect);
	tcase_add_test(tc, test_log_open_errors);
	tcase_add_test(tc, test_log_enobufs);
	tcase_add_test(tc, test_log_arm_fails);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}
