/* SPDX-License-Identifier: ISC */
/*
 * engine: the worker threads and their event loops. Each loop has its own
 * events on its sockets of the listen set; accept (paused on EMFILE and
 * while the log lags) hands connections to conn.c, readable datagram
 * sockets go to udp.c. Signals arrive on worker 0's loop. The counters
 * live here, the stop in engine_stop.c (struct worker, in engine_int.h,
 * is theirs alone); the configuration lives in reload.c and the admission
 * state in limits.c.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sodium.h>

#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/conn.h"
#include "daemon/engine.h"
#include "daemon/engine_int.h"
#include "daemon/limits.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/proctitle.h"
#include "daemon/reload.h"
#include "daemon/sigpair.h"
#include "daemon/sigpipe.h"
#include "daemon/udp.h"

#define ENGINE_ACCEPT_BATCH	64	/* accepts per wakeup, so UDP is not starved */
#define ENGINE_UDP_BATCH	64

#define CNT_INC(e, f)		atomic_fetch_add_explicit(&(e)->cnt.f, 1, \
				    memory_order_relaxed)
#define CNT_GET(e, f)		atomic_load_explicit(&(e)->cnt.f, \
				    memory_order_relaxed)

static int	worker_init(struct engine *, struct worker *);
static void	worker_free(struct worker *, size_t);
static void	worker_disable(struct engine *, struct worker *);
static void	*worker_thread(void *);
static void	worker_accepting(struct worker *);
static void	engine_accept_cb(evutil_socket_t, short, void *);
static void	engine_udp_cb(evutil_socket_t, short, void *);
static void	engine_sigs_cb(void *, int, pid_t);
static void	engine_act(struct engine *, int);
static void	engine_resume_cb(evutil_socket_t, short, void *);
static void	engine_wake_cb(evutil_socket_t, short, void *);
static void	engine_log_drained(void *);
static void	engine_swapped(void *);
static int	engine_backpressure(struct engine *);
static int	engine_counters(struct engine *, char *, size_t);

unsigned
engine_workers(const struct config *conf)
{
	return config_workers(conf);
}

/* One loop: its own base, its own events on its sockets. */
static int
worker_init(struct engine *e, struct worker *w)
{
	size_t i;

	w->e = e;
	w->loop.audit = e->audit;
	w->loop.limits = e->limits;
	w->loop.cnt = &e->cnt;
	w->loop.stopping = &e->stopping;
	if ((w->loop.base = event_base_new()) == NULL ||
	    (w->listeners = calloc(e->nlisteners, sizeof(*w->listeners))) == NULL)
		return -1;
	for (i = 0; i < e->nlisteners; i++) {
		struct engine_listener *l = &w->listeners[i];

		l->w = w;
		l->fd = listen_fd(e->ls, w->id, i);
		l->cl = listen_line(e->ls, i);
		/* Each worker's own socket gets every broadcast: worker 0's speaks. */
		l->copy = w->id != 0 && !listen_inherited(e->ls, i);
		l->ev = event_new(w->loop.base, l->fd, EV_READ | EV_PERSIST,
		    l->cl->proto == SOCK_STREAM ? engine_accept_cb :
		    engine_udp_cb, l);
		if (l->ev == NULL)
			return -1;
	}
	w->ev_resume = evtimer_new(w->loop.base, engine_resume_cb, w);
	w->ev_stop = evtimer_new(w->loop.base, engine_stop_deadline_cb, w);
	w->ev_wake = event_new(w->loop.base, -1, 0, engine_wake_cb, w);
	w->ev_drain = evtimer_new(w->loop.base, engine_stop_drain_cb, w);
	if (w->ev_resume == NULL || w->ev_stop == NULL || w->ev_wake == NULL ||
	    w->ev_drain == NULL)
		return -1;
	return 0;
}

/* The shared admission state, its hash keyed at random. */
static struct limits *
engine_limits(void)
{
	unsigned char key[LIMITS_KEY_BYTES];
	struct limits *l;

	randombytes_buf(key, sizeof(key));
	l = limits_new(key);
	sodium_memzero(key, sizeof(key));
	return l;
}

struct engine *
engine_new(struct config *conf, struct listen_set *ls, struct audit *audit,
    const struct reload_source *source)
{
	static int threads;
	struct engine *e;
	struct worker *w0;
	unsigned i;

	/* Workers log, wake each other and share the log's events. */
	if (!threads && evthread_use_pthreads() == -1)
		goto fail_conf;
	threads = 1;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto fail_conf;
	e->ls = ls;
	e->audit = audit;
	e->source = *source;
	e->nworkers = listen_workers(ls);
	e->nlisteners = listen_lines(ls);
	if ((e->limits = engine_limits()) == NULL ||
	    (e->workers = calloc(e->nworkers, sizeof(*e->workers))) == NULL)
		goto fail_engine;
	for (i = 0; i < e->nworkers; i++) {
		e->workers[i].id = i;
		if (worker_init(e, &e->workers[i]) == -1)
			goto fail_engine;
	}
	w0 = &e->workers[0];
	/* From here on the configuration is reload's. */
	if ((e->reload = reload_new(conf, w0->loop.base, audit, source,
	    engine_swapped, e)) == NULL)
		goto fail;
	for (i = 0; i < e->nworkers; i++) {
		reload_refresh(e->reload, &e->workers[i].loop.conf);
		/* what listen_open set, from this configuration */
		e->workers[i].defer = e->workers[i].loop.conf->proxy_timeout;
	}
	e->ev_term = evsignal_new(w0->loop.base, SIGTERM, engine_stop_signal_cb, e);
	e->ev_int = evsignal_new(w0->loop.base, SIGINT, engine_stop_signal_cb, e);
	if (e->ev_term == NULL || e->ev_int == NULL ||
	    event_add(e->ev_term, NULL) == -1 || event_add(e->ev_int, NULL) == -1)
		goto fail;
	/* HUP and USR1, and what the monitor forwards them as (sigpair.h). */
	{
		const int sigs[] = { SIGHUP, SIGUSR1, sigpair_forward(SIGHUP),
		    sigpair_forward(SIGUSR1) };

		if ((e->sigs = sigpipe_new(w0->loop.base, sigs,
		    sizeof(sigs) / sizeof(sigs[0]), engine_sigs_cb, e)) == NULL)
			goto fail;
	}
	log_attach(w0->loop.base);
	log_set_drain_cb(engine_log_drained, e);
	for (i = 0; i < e->nworkers; i++)
		worker_accepting(&e->workers[i]);
	return e;
fail_conf:
	listen_free(ls);
	config_free(conf);
	return NULL;
fail_engine:
	config_free(conf);
fail:
	engine_free(e);
	return NULL;
}

/* A worker's events and connections; its base goes later. */
static void
worker_free(struct worker *w, size_t nlisteners)
{
	size_t i;

	conn_free_all(&w->loop);
	for (i = 0; w->listeners != NULL && i < nlisteners; i++)
		if (w->listeners[i].ev != NULL)
			event_free(w->listeners[i].ev);
	if (w->ev_resume != NULL)
		event_free(w->ev_resume);
	if (w->ev_stop != NULL)
		event_free(w->ev_stop);
	if (w->ev_wake != NULL)
		event_free(w->ev_wake);
	if (w->ev_drain != NULL)
		event_free(w->ev_drain);
	config_unref(w->loop.conf);
	w->loop.conf = NULL;
}

/* Everything engine_new built; the listen set and the configuration too. */
void
engine_free(struct engine *e)
{
	unsigned i;

	if (e == NULL)
		return;
	for (i = 0; e->workers != NULL && i < e->nworkers; i++)
		worker_free(&e->workers[i], e->nlisteners);
	/* Its event is on worker 0's base: before the bases go. */
	reload_free(e->reload);
	if (e->ev_term) event_free(e->ev_term);
	if (e->ev_int) event_free(e->ev_int);
	/*
	 * Freeing their events put back the handlers from before, SIG_DFL:
	 * a second TERM during the teardown (systemd signals the whole
	 * cgroup, the monitor forwards its own) would kill the engine after
	 * its stop record, and the monitor would report a death. As
	 * sigpipe_free does for HUP and USR1: ignored from here on (after
	 * the event_free, which would undo it).
	 */
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	sigpipe_free(e->sigs);
	log_set_drain_cb(NULL, NULL);
	log_attach(NULL);
	for (i = 0; e->workers != NULL && i < e->nworkers; i++) {
		free(e->workers[i].listeners);
		if (e->workers[i].loop.base != NULL)
			event_base_free(e->workers[i].loop.base);
	}
	free(e->workers);
	listen_free(e->ls);
	limits_free(e->limits);
	free(e);
}

/* A worker whose thread could not start: close its own sockets. */
static void
worker_disable(struct engine *e, struct worker *w)
{
	size_t i;

	for (i = 0; i < e->nlisteners; i++) {
		struct engine_listener *l = &w->listeners[i];

		if (l->ev != NULL) {
			event_free(l->ev);
			l->ev = NULL;
		}
		l->fd = -1;
	}
	listen_close_worker(e->ls, w->id);
}

/*
 * A loop that returned an error (the kernel failed epoll_wait): it serves
 * no more, so the others stop as on TERM, the stop record says
 * reason=error and the engine exits 1, which the monitor reports. Any
 * worker's thread may come here: reload_stop, worker 0's, waits until
 * every loop has ended.
 */
static void
engine_loop_failed(struct engine *e, unsigned id)
{
	int saved = errno;

	atomic_store(&e->failed, 1);
	log_warnx("worker %u: event loop failed (%s): stopping", id,
	    strerror(saved));
	if (!atomic_exchange(&e->stopping, 1))
		engine_wake_all(e);
}

/* A worker's thread: its loop, until the stop. */
static void *
worker_thread(void *arg)
{
	struct worker *w = arg;
	char name[16];

	/* top -H tells the loops apart; the process keeps its name. */
	if (snprintf(name, sizeof(name), "daytimed-w%u", w->id) <
	    (int)sizeof(name))
		proctitle_thread(name);
	(void)log_batch_open(w->loop.base, LOG_BATCH_WINDOW_US);
	if (event_base_loop(w->loop.base, EVLOOP_NO_EXIT_ON_EMPTY) == -1)
		engine_loop_failed(w->e, w->id);
	log_batch_close();
	return NULL;
}

int
engine_run(struct engine *e)
{
	char kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 4];
	const struct config *conf = e->workers[0].loop.conf;
	unsigned i, started;
	int n, failed;

	audit_escape(esc, sizeof(esc), (const unsigned char *)conf->file,
	    strlen(conf->file));
	n = snprintf(kv, sizeof(kv), "config=%s rules=%zu v4_netblocks=%zu "
	    "v6_netblocks=%zu listeners=%zu workers=%u", esc, conf->stats.rules,
	    conf->stats.v4_blocks, conf->stats.v6_blocks, e->nlisteners,
	    e->nworkers);
	if (n > 0 && (size_t)n < sizeof(kv))
		audit_event_log(e->audit, LOG_NOTICE, "start", kv);
	for (started = 1; started < e->nworkers; started++)
		if (pthread_create(&e->workers[started].thread, NULL,
		    worker_thread, &e->workers[started]) != 0) {
			log_warnx("cannot start worker %u; running with %u",
			    started, started);
			/* Their sockets must go, or the kernel feeds them. */
			for (i = started; i < e->nworkers; i++)
				worker_disable(e, &e->workers[i]);
			break;
		}
	(void)log_batch_open(e->workers[0].loop.base, LOG_BATCH_WINDOW_US);
	if (event_base_loop(e->workers[0].loop.base,
	    EVLOOP_NO_EXIT_ON_EMPTY) == -1)
		engine_loop_failed(e, 0);
	log_batch_close();
	for (i = 1; i < started; i++)
		pthread_join(e->workers[i].thread, NULL);
	reload_stop(e->reload);		/* no loop is left to start one */
	reload_wait(e->reload);
	/* The stop record carries the final counters. */
	failed = atomic_load(&e->failed);
	n = snprintf(kv, sizeof(kv), "reason=%s ", failed ? "error" : "signal");
	if (n <= 0 || (size_t)n >= sizeof(kv))
		n = 1;			/* cannot be: a short literal */
	if (engine_counters(e, kv + n, sizeof(kv) - (size_t)n) == -1)
		kv[n - 1] = '\0';
	audit_event_log(e->audit, LOG_NOTICE, "stop", kv);
	log_flush(1000);
	return failed ? 1 : 0;
}

/*
 * A worker listens unless stopping or the log is full; out of descriptors
 * (paused), it still serves datagrams, which need none.
 */
static void
worker_accepting(struct worker *w)
{
	struct engine *e = w->e;
	int on;
	size_t i;

	on = !atomic_load(&e->stopping) && !atomic_load(&e->congested);
	for (i = 0; i < e->nlisteners; i++) {
		if (w->listeners[i].ev == NULL)
			continue;	/* closed */
		if (on && !(w->paused &&
		    w->listeners[i].cl->proto == SOCK_STREAM))
			event_add(w->listeners[i].ev, NULL);
		else
			event_del(w->listeners[i].ev);
	}
}

/* Every worker rereads the switches on its own thread. */
void
engine_wake_all(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		event_active(e->workers[i].ev_wake, EV_READ, 0);
}

/* A reload swapped the configuration: every loop takes the new one now. */
static void
engine_swapped(void *arg)
{
	engine_wake_all(arg);
}

/*
 * On the worker's thread: take the current configuration, listen again,
 * or wind down when stopping.
 */
static void
engine_wake_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	reload_refresh(w->e->reload, &w->loop.conf);
	/*
	 * The kernel's wait for a proxy's first bytes follows a reload. Set
	 * against what the sockets have, not the configuration held before
	 * this refresh: an accept may have taken the new one already.
	 */
	if (timercmp(&w->defer, &w->loop.conf->proxy_timeout, !=)) {
		listen_defer_worker(w->e->ls, w->id, w->loop.conf);
		w->defer = w->loop.conf->proxy_timeout;
	}
	worker_accepting(w);
	if (atomic_load(&w->e->stopping))
		engine_stop_worker(w);
}

/* The log caught up: take new clients again. */
static void
engine_log_drained(void *arg)
{
	struct engine *e = arg;

	if (atomic_exchange(&e->congested, 0)) {
		log_debug("back-pressure: the syslog queue drained; accepting "
		    "again");
		engine_wake_all(e);
	}
}

/* Back-pressure: while the syslog sink lags, clients wait in the backlog. */
static int
engine_backpressure(struct engine *e)
{
	if (atomic_load(&e->congested) || !log_congested())
		return atomic_load(&e->congested);
	if (!atomic_exchange(&e->congested, 1)) {
		CNT_INC(e, backpressure);
		log_debug("back-pressure: the syslog queue is over 3/4 full; "
		    "accepting paused until it drains");
	}
	/* The log may have drained between the look and the switch. */
	if (!log_congested() && atomic_exchange(&e->congested, 0))
		return 0;
	engine_wake_all(e);
	return 1;
}

/* The EMFILE pause is over: accept again. */
static void
engine_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	w->paused = 0;
	worker_accepting(w);
}

/* A listening socket is readable: accept a batch, each under the rules of now. */
static void
engine_accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_listener *l = arg;
	struct worker *w = l->w;
	struct engine *e = w->e;
	int i;

	(void)ev;
	(void)fd;
	for (i = 0; i < ENGINE_ACCEPT_BATCH; i++) {
		if (engine_backpressure(e))
			return;
		if (engine_accept(w, l) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pause, never spin: the loop keeps serving. */
				struct timeval tv = { 0, ENGINE_EMFILE_MS * 1000 };

				if (atomic_fetch_add(&e->episode, 1) == 0)
					log_warn("accept: pausing %d ms at a "
					    "time until descriptors free up",
					    ENGINE_EMFILE_MS);
				CNT_INC(e, emfile);
				w->paused = 1;
				worker_accepting(w);
				evtimer_add(w->ev_resume, &tv);
			}
			return;
		}
	}
}

/* Accept one client and start its connection: 0, or -1 with errno. */
int
engine_accept(struct worker *w, struct engine_listener *l)
{
	struct engine *e = w->e;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int cfd;

	cfd = accept4(l->fd, (struct sockaddr *)&ss, &sslen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1)
		return -1;
	if (atomic_load_explicit(&e->episode, memory_order_relaxed) != 0) {
		unsigned n = atomic_exchange(&e->episode, 0);

		if (n != 0)
			log_info("accept: resumed after %u pauses", n);
	}
	CNT_INC(e, accepted);
	reload_refresh(e->reload, &w->loop.conf);
	conn_new(&w->loop, l->cl, cfd, &ss, sslen);
	return 0;
}

/* A datagram socket is readable: serve a batch under the rules of now. */
static void
engine_udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_listener *l = arg;
	struct worker *w = l->w;
	struct engine *e = w->e;
	int i, n;

	(void)ev;
	reload_refresh(e->reload, &w->loop.conf);
	for (i = 0; i < ENGINE_UDP_BATCH; i += n)
		if (engine_backpressure(e) ||
		    (n = udp_datagram(&w->loop, fd, l->cl, l->copy)) <
		    UDP_BATCH)
			break;
}

/* The counters as key=value text (USR1, and the stop record); -1: no room. */
static int
engine_counters(struct engine *e, char *kv, size_t len)
{
	struct log_counters lc;
	unsigned long long reloads, failures;
	int n;

	log_get_counters(&lc);
	reload_counts(e->reload, &reloads, &failures);
	n = snprintf(kv, len, "connections=%u accepted=%llu allowed=%llu "
	    "denied=%llu dropped=%llu udp=%llu emfile_pauses=%llu "
	    "ident_ok=%llu ident_error=%llu ident_timeout=%llu "
	    "ident_refused=%llu ident_unreachable=%llu ident_malformed=%llu "
	    "reloads=%llu reload_failures=%llu backpressure=%llu "
	    "log_queued=%llu log_sent=%llu log_lost=%llu "
	    "log_congested=%llu log_congested_us=%llu log_queue=%llu",
	    limits_connections(e->limits), CNT_GET(e, accepted),
	    CNT_GET(e, allowed), CNT_GET(e, denied), CNT_GET(e, dropped),
	    CNT_GET(e, udp), CNT_GET(e, emfile), CNT_GET(e, ident[IDENT_OK]),
	    CNT_GET(e, ident[IDENT_ERROR]), CNT_GET(e, ident[IDENT_TIMEOUT]),
	    CNT_GET(e, ident[IDENT_REFUSED]),
	    CNT_GET(e, ident[IDENT_UNREACHABLE]),
	    CNT_GET(e, ident[IDENT_MALFORMED]), reloads, failures,
	    CNT_GET(e, backpressure),
	    lc.queued, lc.sent, lc.lost, lc.congested, lc.congested_us,
	    lc.depth);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Reload (HUP) or log the counters (USR1). */
static void
engine_act(struct engine *e, int sig)
{
	char kv[768];	/* 22 counters of up to 20 digits */

	if (sig == SIGHUP)
		reload_start(e->reload);
	else if (sig == SIGUSR1 && engine_counters(e, kv, sizeof(kv)) == 0)
		audit_event_log(e->audit, LOG_NOTICE, "counters", kv);
}

/*
 * HUP and USR1 on the loop. Forwarded by the monitor (as its real-time
 * signals): act. From anyone else: the monitor decides, since "pkill -HUP
 * daytimed" signals it too and it forwards its own (sigpair.h); without
 * a monitor, act.
 */
static void
engine_sigs_cb(void *arg, int sig, pid_t from)
{
	struct engine *e = arg;
	int fwd;

	if ((fwd = sigpair_forwarded(sig)) != 0)
		engine_act(e, fwd);
	else if (e->source.signal == NULL ||
	    e->source.signal(e->source.arg, sig, from) == -1)
		engine_act(e, sig);
}
