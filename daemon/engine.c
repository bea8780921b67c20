/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
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

#include "acl/acl.h"
#include "ident/ident.h"
#include "daemon/answer.h"
#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/log.h"

#define ENGINE_ACCEPT_BATCH	64	/* accepts per wakeup, so UDP is not starved */
#define ENGINE_UDP_BATCH	64
#define ENGINE_DRAIN_MAX	4096	/* bytes read from a client after the answer */
#define ENGINE_DRAIN_SECS	2
#define ENGINE_WRITE_SECS	5
#define ENGINE_EMFILE_MS	100	/* accept pause when out of descriptors */
#define ENGINE_STOP_MS		1000	/* in-flight work gets this long at stop */
#define ENGINE_SRC_BUCKETS	4096	/* per-source connection counts */
#define ENGINE_UDP_SLOTS	8192	/* per-source UDP token buckets */

#define CNT_ADD(e, f, n)	atomic_fetch_add_explicit(&(e)->cnt.f, (n), \
				    memory_order_relaxed)
#define CNT_INC(e, f)		CNT_ADD(e, f, 1)
#define CNT_GET(e, f)		atomic_load_explicit(&(e)->cnt.f, \
				    memory_order_relaxed)

enum conn_state { CONN_IDENT, CONN_WRITE, CONN_DRAIN };

struct worker;

/* One worker's event on a listening socket that every worker shares. */
struct engine_listener {
	struct worker		*w;
	int			 fd;
	int			 proto;		/* SOCK_STREAM or SOCK_DGRAM */
	struct event		*ev;
	struct config_listen	 cl;		/* a copy: configs come and go */
};

/*
 * A configuration generation: connections hold a reference for their
 * life, so a reload never pulls a table from under a lookup in flight.
 */
struct gen {
	struct config		*conf;
	atomic_uint		 refs;
};

struct conn;

struct src_count {
	struct src_count	*next;
	struct acl_addr		 addr;
	unsigned		 n;
};

struct bucket {
	uint64_t		 last_us;	/* token refill time */
	uint32_t		 tokens_milli;	/* tokens x 1000 */
	uint8_t			 used;
};

struct udp_slot {
	struct acl_addr		 addr;
	struct bucket		 b;
};

struct engine_counters {
	atomic_ullong		 accepted, allowed, denied, dropped;
	atomic_ullong		 udp;
	atomic_ullong		 ident[IDENT_SKIPPED + 1];
	atomic_ullong		 emfile;
	atomic_ullong		 reloads, reload_failures;
	atomic_ullong		 backpressure;
};

/* An event loop on its own thread; worker 0 is the main thread's. */
struct worker {
	struct engine		*e;
	unsigned		 id;
	pthread_t		 thread;
	struct event_base	*base;
	struct engine_listener	*listeners;
	struct event		*ev_resume;	/* after EMFILE */
	struct event		*ev_stop;	/* the stop deadline */
	struct event		*ev_wake;	/* stop, or accept again */
	int			 paused;	/* accept paused: EMFILE */
	unsigned		 nconns;
	struct conn		*conns;		/* this loop's connections */
	uint64_t		 ids[256];	/* random conn ids, drawn in bulk */
	unsigned		 nids;
	time_t			 line_sec;	/* the answer line of that second */
	char			 line[ANSWER_MAX];
	size_t			 linelen;
};

struct engine {
	struct worker		*workers;
	unsigned		 nworkers;
	size_t			 nlisteners;
	struct audit		*audit;
	struct engine_source	 source;
	struct event		*ev_term, *ev_int, *ev_hup, *ev_usr1;
	struct event		*ev_reload;	/* the reload thread is done */
	int			 reload_pipe[2];
	pthread_t		 reload_thread;
	int			 reloading;
	int			 reload_again;
	struct config		*reload_conf;	/* built by the thread */
	char			*reload_diag;	/* its first error, if any */
	atomic_int		 congested;	/* accept paused: the log */
	atomic_int		 stopping;
	atomic_uint		 episode;	/* EMFILE pauses since an accept */
	/* Shared by the workers, under mtx: */
	pthread_mutex_t		 mtx;
	struct gen		*gen;
	unsigned		 nconns;
	struct src_count	*src[ENGINE_SRC_BUCKETS];
	struct udp_slot		*udp_slots;
	struct bucket		 udp_total;
	unsigned char		 src_key[crypto_shorthash_KEYBYTES];
	struct engine_counters	 cnt;
};

struct conn {
	struct worker		*w;
	struct conn		*prev, *next;
	int			 fd;
	enum conn_state		 state;
	struct sockaddr_storage	 peer, local;
	socklen_t		 peerlen, locallen;
	struct acl_addr		 addr;
	struct gen		*gen;		/* the rules this connection took */
	int			 counted;	/* in the per-source table */
	const struct acl_block	*block;
	struct ident_req	*ident;
	struct ident_answer	*answer;	/* when a lookup ran */
	struct acl_decision	 dec;
	enum ident_status	 istatus;
	struct event		*ev;
	uint64_t		 id;
	struct timeval		 start;
	char			 line[ANSWER_MAX];
	size_t			 linelen, off;
	size_t			 drained;
	uint64_t		 drain_until;	/* monotonic µs */
};

static unsigned	engine_nworkers(const struct config *);
static void	engine_accept_cb(evutil_socket_t, short, void *);
static void	engine_udp_cb(evutil_socket_t, short, void *);
static void	engine_signal_cb(evutil_socket_t, short, void *);
static void	engine_resume_cb(evutil_socket_t, short, void *);
static void	engine_stop_cb(evutil_socket_t, short, void *);
static void	engine_wake_cb(evutil_socket_t, short, void *);
static void	engine_reload_done_cb(evutil_socket_t, short, void *);
static void	engine_log_drained(void *);
static void	worker_accepting(struct worker *);
static void	conn_new(struct engine_listener *, int,
		    const struct sockaddr_storage *, socklen_t);
static void	conn_ident_cb(const struct ident_answer *, void *);
static void	conn_decide(struct conn *);
static void	conn_io_cb(evutil_socket_t, short, void *);
static void	conn_write(struct conn *);
static int	conn_drain(struct conn *);
static void	conn_free(struct conn *);
static void	engine_audit(struct engine *, uint64_t, int,
		    const struct sockaddr *, socklen_t, const struct sockaddr *,
		    socklen_t, const char *, const struct acl_decision *,
		    const char *, enum ident_status, const struct ident_answer *,
		    const struct timeval *, size_t);

/* Socket options that must hold before bind. */
static int
engine_sockopts(int fd, const struct config_listen *cl)
{
	int on = 1;

	if (cl->proto == SOCK_STREAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		return -1;
	/*
	 * Explicitly v6-only: "[::]:13" and "0.0.0.0:13" can then both be
	 * listed, and "[::]" alone never answers IPv4 by surprise.
	 */
	if (cl->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		return -1;
	return 0;
}

/* Whether an inherited socket is the one a listen line describes. */
static int
engine_matches(int fd, const struct config_listen *cl)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int type;
	socklen_t tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != cl->proto)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
	    sslen != cl->sslen || ss.ss_family != cl->ss.ss_family)
		return 0;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&ss;
		const struct sockaddr_in *b = (const void *)&cl->ss;

		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *a = (const void *)&ss;
		const struct sockaddr_in6 *b = (const void *)&cl->ss;

		return a->sin6_port == b->sin6_port &&
		    memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0;
	}
}

/* A socket for one listen line, bound, with every option set. */
static int
engine_socket(const struct config *conf, const struct config_listen *cl,
    int reuseport)
{
	int fd, on = 1;

	fd = socket(cl->ss.ss_family, cl->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || engine_sockopts(fd, cl) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1) ||
	    bind(fd, (const struct sockaddr *)&cl->ss, cl->sslen) == -1 ||
	    (cl->proto == SOCK_STREAM && listen(fd, 511) == -1)) {
		log_warn("%s:%u: listen %s", conf->file, cl->line, cl->text);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Every worker gets its own socket for each listen line, bound with
 * SO_REUSEPORT, so the kernel spreads clients over the loops and no two
 * loops wake for one client. The address is first bound once without it:
 * a port someone else holds, even another daytimed, is an error, never
 * silently shared. Sockets passed by a service manager are shared by all
 * workers instead. fds[w * nlistens + i] is worker w's socket for line i.
 */
size_t
engine_listen(const struct config *conf, int *fds, size_t maxfds,
    const int *inherited, size_t ninherited)
{
	size_t i, j, w, n = conf->nlistens, nw = engine_nworkers(conf);
	int on = 1;

	if (nw * n > maxfds)
		nw = maxfds / (n ? n : 1);
	for (i = 0; i < nw * n; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		const struct config_listen *cl = &conf->listens[i];
		int fd = -1;

		for (j = 0; j < ninherited; j++)
			if (inherited[j] != -1 && engine_matches(inherited[j], cl)) {
				fd = inherited[j];
				break;
			}
		if (ninherited > 0 && fd == -1) {
			log_warnx("%s:%u: listen %s: no socket passed by the "
			    "service manager matches", conf->file, cl->line,
			    cl->text);
			goto fail;
		}
		if (fd != -1) {
			int fl = fcntl(fd, F_GETFL);

			if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
			    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
				log_warn("listen %s: inherited socket", cl->text);
				goto fail;
			}
			for (w = 0; w < nw; w++)
				fds[w * n + i] = fd;
		} else {
			if ((fd = engine_socket(conf, cl, 0)) == -1)
				goto fail;
			close(fd);	/* nobody else holds it: now share it */
			for (w = 0; w < nw; w++)
				if ((fds[w * n + i] = engine_socket(conf, cl,
				    nw > 1)) == -1)
					goto fail;
		}
		/* The local address of each datagram, to answer from it. */
		for (w = 0; cl->proto == SOCK_DGRAM && w < nw; w++)
			if ((cl->ss.ss_family == AF_INET ?
			    setsockopt(fds[w * n + i], IPPROTO_IP, IP_PKTINFO, &on,
			    sizeof(on)) :
			    setsockopt(fds[w * n + i], IPPROTO_IPV6,
			    IPV6_RECVPKTINFO, &on, sizeof(on))) == -1) {
				log_warn("listen %s: packet info", cl->text);
				goto fail;
			}
	}
	/* A passed socket no listen line wants would queue clients forever. */
	for (j = 0; j < ninherited; j++) {
		for (i = 0; i < n && fds[i] != inherited[j]; i++)
			;
		if (i == n && inherited[j] != -1) {
			log_warnx("closing a socket passed by the service manager "
			    "that no listen line names");
			close(inherited[j]);
		}
	}
	return nw * n;
fail:
	engine_close_fds(fds, nw * n);
	return 0;
}

/* Close each socket once: passed sockets stand in several places. */
void
engine_close_fds(int *fds, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (fds[i] == -1)
			continue;
		for (j = i + 1; j < n; j++)
			if (fds[j] == fds[i])
				fds[j] = -1;
		close(fds[i]);
		fds[i] = -1;
	}
}

static struct gen *
gen_new(struct config *conf)
{
	struct gen *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->conf = conf;
	atomic_init(&g->refs, 1);
	return g;
}

static void
gen_ref(struct gen *g)
{
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
}

static void *
gen_free_thread(void *arg)
{
	struct gen *g = arg;

	config_free(g->conf);
	free(g);
	return NULL;
}

/*
 * The last holder frees the configuration and its rule table. A table of
 * a million rules takes tens of milliseconds to free, so that happens on
 * a thread of its own, never on an event loop.
 */
static void
gen_unref(struct gen *g)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc = -1;

	if (g == NULL || atomic_fetch_sub_explicit(&g->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	if (pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED) == 0)
			rc = pthread_create(&t, &attr, gen_free_thread, g);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0)
		gen_free_thread(g);
}

/* The current generation, with a reference for the caller. */
static struct gen *
engine_gen(struct engine *e)
{
	struct gen *g;

	pthread_mutex_lock(&e->mtx);
	g = e->gen;
	gen_ref(g);
	pthread_mutex_unlock(&e->mtx);
	return g;
}

/* A random connection id: one getrandom() per 256 connections, not each. */
static uint64_t
worker_id(struct worker *w)
{
	if (w->nids == 0) {
		randombytes_buf(w->ids, sizeof(w->ids));
		w->nids = sizeof(w->ids) / sizeof(w->ids[0]);
	}
	return w->ids[--w->nids];
}

/*
 * The answer for now: formatted once a second per loop, since localtime_r
 * takes a lock all threads share.
 */
static size_t
worker_answer(struct worker *w, char *buf, size_t len)
{
	time_t now = time(NULL);

	if (now != w->line_sec || w->linelen == 0) {
		w->linelen = answer_now(w->line, sizeof(w->line));
		w->line_sec = now;
	}
	if (w->linelen == 0 || w->linelen >= len)
		return 0;
	memcpy(buf, w->line, w->linelen + 1);
	return w->linelen;
}

static unsigned
engine_nworkers(const struct config *conf)
{
	long n = conf->workers;

	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > ENGINE_WORKERS_MAX)
		n = ENGINE_WORKERS_MAX;
	return (unsigned)n;
}

/* One loop: its own base, its own events on the shared listening sockets. */
static int
worker_init(struct engine *e, struct worker *w, const struct config *conf,
    const int *fds)
{
	size_t i;

	w->e = e;
	if ((w->base = event_base_new()) == NULL ||
	    (w->listeners = calloc(conf->nlistens, sizeof(*w->listeners))) == NULL)
		return -1;
	for (i = 0; i < conf->nlistens; i++) {
		struct engine_listener *l = &w->listeners[i];

		l->w = w;
		l->fd = fds[i];
		l->cl = conf->listens[i];
		l->proto = conf->listens[i].proto;
		l->ev = event_new(w->base, l->fd, EV_READ | EV_PERSIST,
		    l->proto == SOCK_STREAM ? engine_accept_cb : engine_udp_cb, l);
		if (l->ev == NULL)
			return -1;
	}
	w->ev_resume = evtimer_new(w->base, engine_resume_cb, w);
	w->ev_stop = evtimer_new(w->base, engine_stop_cb, w);
	w->ev_wake = event_new(w->base, -1, 0, engine_wake_cb, w);
	if (w->ev_resume == NULL || w->ev_stop == NULL || w->ev_wake == NULL)
		return -1;
	return 0;
}

struct engine *
engine_new(struct config *conf, const int *fds, size_t nfds,
    struct audit *audit, const struct engine_source *source)
{
	static int threads;
	struct engine *e;
	struct worker *w0;
	unsigned i;

	/* Workers log, wake each other and share the log's events. */
	if (!threads && evthread_use_pthreads() == -1) {
		config_free(conf);
		return NULL;
	}
	threads = 1;
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		config_free(conf);
		return NULL;
	}
	pthread_mutex_init(&e->mtx, NULL);
	if ((e->gen = gen_new(conf)) == NULL) {
		config_free(conf);
		goto fail;
	}
	e->audit = audit;
	e->source = *source;
	e->reload_pipe[0] = e->reload_pipe[1] = -1;
	e->nlisteners = conf->nlistens;
	crypto_shorthash_keygen(e->src_key);
	/* As many loops as engine_listen opened sockets for: no more, no less. */
	e->nworkers = conf->nlistens > 0 ? (unsigned)(nfds / conf->nlistens) : 1;
	if (e->nworkers == 0)
		e->nworkers = 1;
	if ((e->workers = calloc(e->nworkers, sizeof(*e->workers))) == NULL ||
	    (e->udp_slots = calloc(ENGINE_UDP_SLOTS, sizeof(*e->udp_slots))) == NULL ||
	    pipe2(e->reload_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		goto fail;
	for (i = 0; i < e->nworkers; i++) {
		e->workers[i].id = i;
		if (worker_init(e, &e->workers[i], conf,
		    fds + (size_t)i * conf->nlistens) == -1)
			goto fail;
	}
	w0 = &e->workers[0];
	e->ev_term = evsignal_new(w0->base, SIGTERM, engine_signal_cb, e);
	e->ev_int = evsignal_new(w0->base, SIGINT, engine_signal_cb, e);
	e->ev_hup = evsignal_new(w0->base, SIGHUP, engine_signal_cb, e);
	e->ev_usr1 = evsignal_new(w0->base, SIGUSR1, engine_signal_cb, e);
	e->ev_reload = event_new(w0->base, e->reload_pipe[0], EV_READ | EV_PERSIST,
	    engine_reload_done_cb, e);
	if (e->ev_term == NULL || e->ev_int == NULL || e->ev_hup == NULL ||
	    e->ev_usr1 == NULL || e->ev_reload == NULL)
		goto fail;
	if (event_add(e->ev_term, NULL) == -1 || event_add(e->ev_int, NULL) == -1 ||
	    event_add(e->ev_hup, NULL) == -1 || event_add(e->ev_usr1, NULL) == -1 ||
	    event_add(e->ev_reload, NULL) == -1)
		goto fail;
	log_attach(w0->base);
	log_set_drain_cb(engine_log_drained, e);
	for (i = 0; i < e->nworkers; i++)
		worker_accepting(&e->workers[i]);
	return e;
fail:
	engine_free(e);
	return NULL;
}

static void
worker_free(struct worker *w, size_t nlisteners)
{
	size_t i;

	while (w->conns != NULL)
		conn_free(w->conns);
	for (i = 0; w->listeners != NULL && i < nlisteners; i++)
		if (w->listeners[i].ev != NULL)
			event_free(w->listeners[i].ev);
	if (w->ev_resume != NULL)
		event_free(w->ev_resume);
	if (w->ev_stop != NULL)
		event_free(w->ev_stop);
	if (w->ev_wake != NULL)
		event_free(w->ev_wake);
}

void
engine_free(struct engine *e)
{
	unsigned i;
	size_t j;

	if (e == NULL)
		return;
	for (i = 0; e->workers != NULL && i < e->nworkers; i++)
		worker_free(&e->workers[i], e->nlisteners);
	/* Passed sockets are shared by the workers: close each once. */
	for (i = 0; e->workers != NULL && i < e->nworkers; i++)
		for (j = 0; e->workers[i].listeners != NULL &&
		    j < e->nlisteners; j++)
			if (e->workers[i].listeners[j].ev != NULL) {
				unsigned k;
				int fd = e->workers[i].listeners[j].fd, seen = 0;

				for (k = 0; k < i; k++)
					seen |= e->workers[k].listeners[j].fd == fd;
				if (!seen)
					close(fd);
			}
	for (j = 0; j < ENGINE_SRC_BUCKETS; j++)
		while (e->src[j] != NULL) {
			struct src_count *s = e->src[j];

			e->src[j] = s->next;
			free(s);
		}
	free(e->udp_slots);
	if (e->ev_term) event_free(e->ev_term);
	if (e->ev_int) event_free(e->ev_int);
	if (e->ev_hup) event_free(e->ev_hup);
	if (e->ev_usr1) event_free(e->ev_usr1);
	if (e->ev_reload) event_free(e->ev_reload);
	if (e->reload_pipe[0] != -1) close(e->reload_pipe[0]);
	if (e->reload_pipe[1] != -1) close(e->reload_pipe[1]);
	log_set_drain_cb(NULL, NULL);
	log_attach(NULL);
	for (i = 0; e->workers != NULL && i < e->nworkers; i++) {
		free(e->workers[i].listeners);
		if (e->workers[i].base != NULL)
			event_base_free(e->workers[i].base);
	}
	free(e->workers);
	if (e->gen != NULL)
		gen_free_thread(e->gen);	/* the last holder, at exit */
	pthread_mutex_destroy(&e->mtx);
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
		if (l->fd != -1 && l->fd != e->workers[0].listeners[i].fd)
			close(l->fd);
		l->fd = -1;
	}
}

static void *
worker_thread(void *arg)
{
	struct worker *w = arg;

	(void)log_batch_open(w->base, LOG_BATCH_WINDOW_US);
	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	log_batch_close();
	return NULL;
}

int
engine_run(struct engine *e)
{
	char kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 4];
	const struct config *conf = e->gen->conf;
	unsigned i, started;
	int n;

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
	(void)log_batch_open(e->workers[0].base, LOG_BATCH_WINDOW_US);
	event_base_loop(e->workers[0].base, EVLOOP_NO_EXIT_ON_EMPTY);
	log_batch_close();
	for (i = 1; i < started; i++)
		pthread_join(e->workers[i].thread, NULL);
	if (e->reloading) {
		pthread_join(e->reload_thread, NULL);
		config_free(e->reload_conf);
		free(e->reload_diag);
		e->reload_conf = NULL;
		e->reload_diag = NULL;
	}
	audit_event_log(e->audit, LOG_NOTICE, "stop", "reason=signal");
	log_flush(1000);
	return 0;
}

/* A worker listens unless stopping, out of descriptors, or the log is full. */
static void
worker_accepting(struct worker *w)
{
	struct engine *e = w->e;
	int on;
	size_t i;

	on = !atomic_load(&e->stopping) && !w->paused &&
	    !atomic_load(&e->congested);
	for (i = 0; i < e->nlisteners; i++) {
		if (on)
			event_add(w->listeners[i].ev, NULL);
		else
			event_del(w->listeners[i].ev);
	}
}

/* Every worker rereads the switches on its own thread. */
static void
engine_wake_all(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		event_active(e->workers[i].ev_wake, EV_READ, 0);
}

/* On the worker's thread: listen again, or wind down when stopping. */
static void
engine_wake_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;
	struct timeval tv = { ENGINE_STOP_MS / 1000, (ENGINE_STOP_MS % 1000) * 1000 };

	(void)fd;
	(void)ev;
	worker_accepting(w);
	if (atomic_load(&w->e->stopping)) {
		if (w->nconns == 0)
			event_base_loopexit(w->base, NULL);
		else if (!evtimer_pending(w->ev_stop, NULL))
			evtimer_add(w->ev_stop, &tv);
	}
}

/* The log caught up: take new clients again. */
static void
engine_log_drained(void *arg)
{
	struct engine *e = arg;

	if (atomic_exchange(&e->congested, 0))
		engine_wake_all(e);
}

/* Back-pressure: while the syslog sink lags, clients wait in the backlog. */
static int
engine_backpressure(struct engine *e)
{
	if (atomic_load(&e->congested) || !log_congested())
		return atomic_load(&e->congested);
	if (!atomic_exchange(&e->congested, 1))
		CNT_INC(e, backpressure);
	/* The log may have drained between the look and the switch. */
	if (!log_congested() && atomic_exchange(&e->congested, 0))
		return 0;
	engine_wake_all(e);
	return 1;
}

static void
engine_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	w->paused = 0;
	worker_accepting(w);
}

/* The source's bucket in the per-source count table (keyed: not guessable). */
static struct src_count **
engine_src_slot(struct engine *e, const struct acl_addr *a)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, a->bytes, a->family == AF_INET ? 4 : 16, e->src_key);
	memcpy(&v, h, sizeof(v));
	return &e->src[v % ENGINE_SRC_BUCKETS];
}

static int
engine_addr_eq(const struct acl_addr *a, const struct acl_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

/* Count a connection for its source; -1 when the per-source limit is hit. */
static int
engine_src_take(struct engine *e, const struct acl_addr *a, unsigned limit)
{
	struct src_count **slot = engine_src_slot(e, a), *s;

	for (s = *slot; s != NULL; s = s->next)
		if (engine_addr_eq(&s->addr, a))
			break;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->addr = *a;
		s->next = *slot;
		*slot = s;
	}
	if (limit != 0 && s->n >= limit)
		return -1;	/* s->n > 0 here: the entry stays */
	s->n++;
	return 0;
}

static void
engine_src_put(struct engine *e, const struct acl_addr *a)
{
	struct src_count **pp = engine_src_slot(e, a), *s;

	for (; (s = *pp) != NULL; pp = &s->next)
		if (engine_addr_eq(&s->addr, a)) {
			if (--s->n == 0) {
				*pp = s->next;
				free(s);
			}
			return;
		}
}

/*
 * Admit a TCP connection against the limits of every worker together;
 * NULL, with a generation reference for it, or the limit's name.
 */
static const char *
engine_admit(struct engine *e, const struct acl_addr *a, struct gen **gp,
    int *counted)
{
	const struct config *conf;
	const char *limit = NULL;

	pthread_mutex_lock(&e->mtx);
	conf = e->gen->conf;
	/* Sources are counted only while a per-source limit is set. */
	if (conf->limit_connections != 0 && e->nconns >= conf->limit_connections)
		limit = "connections";
	else if ((*counted = conf->limit_per_source != 0) &&
	    engine_src_take(e, a, conf->limit_per_source) == -1)
		limit = "per-source";
	else {
		e->nconns++;
		*gp = e->gen;
		gen_ref(*gp);
	}
	pthread_mutex_unlock(&e->mtx);
	return limit;
}

/* Give back what engine_admit took (a source is counted only under a limit). */
static void
engine_release(struct engine *e, const struct acl_addr *a, int counted)
{
	pthread_mutex_lock(&e->mtx);
	e->nconns--;
	if (counted)
		engine_src_put(e, a);
	pthread_mutex_unlock(&e->mtx);
}

static uint64_t
engine_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Take a token from a bucket of rate N a second and burst N. The refill
 * keeps its fraction (last_us advances by what was credited), a bucket
 * over a cap lowered by a reload is clamped, and a long idle time fills
 * it without overflowing.
 */
static int
engine_bucket_take(struct bucket *b, unsigned rate, uint64_t now)
{
	uint64_t cap = (uint64_t)rate * 1000u, tokens, elapsed, add;

	if (!b->used || now < b->last_us) {
		b->used = 1;
		b->tokens_milli = (uint32_t)cap;
		b->last_us = now;
	}
	tokens = b->tokens_milli > cap ? cap : b->tokens_milli;
	elapsed = now - b->last_us;
	if (elapsed >= 1000000u) {		/* a second or more: full */
		tokens = cap;
		b->last_us = now;
	} else if ((add = elapsed * rate / 1000u) > 0) {
		tokens += add;
		b->last_us += add * 1000u / rate;
		if (tokens >= cap) {
			tokens = cap;
			b->last_us = now;
		}
	}
	if (tokens < 1000) {
		b->tokens_milli = (uint32_t)tokens;
		return 0;
	}
	b->tokens_milli = (uint32_t)(tokens - 1000);
	return 1;
}

/*
 * UDP answers: a per-source token bucket in a fixed table (a flood from
 * many spoofed sources evicts slots but never grows memory), then one
 * bucket for all sources together. NULL, or the limit that was hit. The
 * caller holds the engine lock.
 */
static const char *
engine_udp_admit(struct engine *e, const struct acl_addr *a,
    const struct config *conf)
{
	unsigned char h[crypto_shorthash_BYTES];
	struct udp_slot *s;
	uint64_t v, now;

	now = engine_now_us();
	if (conf->limit_udp_rate != 0) {
		crypto_shorthash(h, a->bytes, a->family == AF_INET ? 4 : 16,
		    e->src_key);
		memcpy(&v, h, sizeof(v));
		s = &e->udp_slots[v % ENGINE_UDP_SLOTS];
		if (!s->b.used || !engine_addr_eq(&s->addr, a)) {
			s->b.used = 0;	/* a new source: a full bucket */
			s->addr = *a;
		}
		if (!engine_bucket_take(&s->b, conf->limit_udp_rate, now))
			return "udp-rate";
	}
	if (conf->limit_udp_total != 0 &&
	    !engine_bucket_take(&e->udp_total, conf->limit_udp_total, now))
		return "udp-total";
	return NULL;
}

static void
engine_accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_listener *l = arg;
	struct worker *w = l->w;
	struct engine *e = w->e;
	int i;

	(void)ev;
	for (i = 0; i < ENGINE_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		int cfd;

		if (engine_backpressure(e))
			return;
		cfd = accept4(fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
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
		if (atomic_load_explicit(&e->episode, memory_order_relaxed) != 0) {
			unsigned n = atomic_exchange(&e->episode, 0);

			if (n != 0)
				log_info("accept: resumed after %u pauses", n);
		}
		CNT_INC(e, accepted);
		conn_new(l, cfd, &ss, sslen);
	}
}

/*
 * A connection's local address: the listener's own when it is bound to
 * one address, so only wildcard listeners cost a getsockname().
 */
static socklen_t
engine_local(const struct engine_listener *l, int fd,
    struct sockaddr_storage *ss)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	socklen_t len = sizeof(*ss);
	int wildcard;

	if (l->cl.ss.ss_family == AF_INET)
		wildcard = ((const struct sockaddr_in *)&l->cl.ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	else
		wildcard = memcmp(&((const struct sockaddr_in6 *)&l->cl.ss)->sin6_addr,
		    &any6, sizeof(any6)) == 0;
	if (!wildcard) {
		memcpy(ss, &l->cl.ss, l->cl.sslen);
		return l->cl.sslen;
	}
	if (getsockname(fd, (struct sockaddr *)ss, &len) == -1)
		return 0;
	return len;
}

/* The decision left the connection: drop (limits) before any other work. */
static void
conn_new(struct engine_listener *l, int fd, const struct sockaddr_storage *ss,
    socklen_t sslen)
{
	struct worker *w = l->w;
	struct engine *e = w->e;
	const struct config *conf;
	struct gen *g = NULL;
	struct conn *c = NULL;
	int counted = 0;
	const char *limit = NULL;
	struct acl_addr addr;
	struct timeval now;
	uint64_t id;

	gettimeofday(&now, NULL);
	id = worker_id(w);
	if (acl_addr_from_sockaddr((const struct sockaddr *)ss, sslen,
	    &addr) == -1)
		limit = "address";	/* no family we judge: still recorded */
	else if ((limit = engine_admit(e, &addr, &g, &counted)) == NULL &&
	    (c = calloc(1, sizeof(*c))) == NULL) {
		engine_release(e, &addr, counted);
		gen_unref(g);
		limit = "memory";
	}
	if (limit != NULL) {
		struct sockaddr_storage local;
		socklen_t locallen = sizeof(local);
		struct linger lg = { 1, 0 };

		locallen = engine_local(l, fd, &local);
		/* A reset frees the slot at once; the peer learns nothing. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		CNT_INC(e, dropped);
		engine_audit(e, id, IPPROTO_TCP, (const struct sockaddr *)ss,
		    sslen, (const struct sockaddr *)&local, locallen, "drop",
		    NULL, limit, IDENT_SKIPPED, NULL, &now, 0);
		return;
	}
	conf = g->conf;
	c->w = w;
	c->gen = g;
	c->counted = counted;
	c->fd = fd;
	c->id = id;
	c->start = now;
	c->addr = addr;
	memcpy(&c->peer, ss, sslen);
	c->peerlen = sslen;
	c->locallen = engine_local(l, fd, &c->local);
	c->istatus = IDENT_SKIPPED;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;

	c->block = acl_lookup(conf->acl, &c->addr);
	if (c->block != NULL && c->locallen != 0 &&
	    (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES &&
	    acl_block_has_user_rules(c->block)))) {
		c->state = CONN_IDENT;
		c->ident = ident_start(w->base, (struct sockaddr *)&c->local,
		    c->locallen, (struct sockaddr *)&c->peer, c->peerlen,
		    conf->ident_port, &conf->ident_timeout, conn_ident_cb, c);
		if (c->ident != NULL)
			return;
		/* No descriptor or memory for a lookup: decided without one. */
		c->istatus = IDENT_UNREACHABLE;
	}
	conn_decide(c);
}

static void
conn_ident_cb(const struct ident_answer *ans, void *arg)
{
	struct conn *c = arg;

	c->ident = NULL;	/* the request frees itself after calling back */
	c->istatus = ans->status;
	CNT_INC(c->w->e, ident[ans->status]);
	if (ans->status == IDENT_OK || ans->status == IDENT_ERROR) {
		if ((c->answer = malloc(sizeof(*c->answer))) != NULL)
			*c->answer = *ans;
	}
	conn_decide(c);
}

/* Judge, answer or close, and write the record. */
static void
conn_decide(struct conn *c)
{
	struct engine *e = c->w->e;
	const unsigned char *user = NULL;
	size_t userlen = 0;

	if (c->answer != NULL && c->answer->status == IDENT_OK) {
		user = c->answer->user;
		userlen = c->answer->userlen;
	}
	acl_decide(c->block, user, userlen, &c->dec);
	if (c->dec.action != ACL_ALLOW) {
		CNT_INC(e, denied);
		engine_audit(e, c->id, IPPROTO_TCP, (struct sockaddr *)&c->peer,
		    c->peerlen, (struct sockaddr *)&c->local, c->locallen,
		    "deny", &c->dec, NULL, c->istatus, c->answer, &c->start, 0);
		conn_free(c);
		return;
	}
	CNT_INC(e, allowed);
	c->linelen = worker_answer(c->w, c->line, sizeof(c->line));
	c->state = CONN_WRITE;
	conn_write(c);
}

/* Send the rest of the line; then half-close and drain what the peer sent. */
static void
conn_write(struct conn *c)
{
	struct engine *e = c->w->e;
	struct timeval tv;

	while (c->off < c->linelen) {
		ssize_t n = send(c->fd, c->line + c->off, c->linelen - c->off,
		    MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			tv.tv_sec = ENGINE_WRITE_SECS;
			tv.tv_usec = 0;
			if (c->ev == NULL && (c->ev = event_new(c->w->base, c->fd,
			    EV_WRITE, conn_io_cb, c)) == NULL)
				break;
			event_add(c->ev, &tv);
			return;
		}
		if (n <= 0)
			break;	/* reset by the peer: the record says bytes */
		c->off += (size_t)n;
	}
	engine_audit(e, c->id, IPPROTO_TCP, (struct sockaddr *)&c->peer,
	    c->peerlen, (struct sockaddr *)&c->local, c->locallen, "allow",
	    &c->dec,
	    NULL, c->istatus, c->answer, &c->start, c->off);
	/*
	 * A daytime client sends nothing: with no input unread, closing now
	 * sends a clean FIN. Closing with unread input would send a reset
	 * that can destroy the answer in the client's buffer, so a client
	 * that did send something is drained until its EOF, briefly, bounded.
	 */
	if (c->off < c->linelen || conn_drain(c) == 1 || c->drained == 0 ||
	    shutdown(c->fd, SHUT_WR) == -1 || atomic_load(&e->stopping)) {
		conn_free(c);
		return;
	}
	c->state = CONN_DRAIN;
	c->drain_until = engine_now_us() + ENGINE_DRAIN_SECS * 1000000u;
	if (c->ev != NULL)
		event_free(c->ev);
	tv.tv_sec = ENGINE_DRAIN_SECS;
	tv.tv_usec = 0;
	/* Not persistent: a client that trickles bytes must not reset the clock. */
	if ((c->ev = event_new(c->w->base, c->fd, EV_READ, conn_io_cb,
	    c)) == NULL || event_add(c->ev, &tv) == -1)
		conn_free(c);
}

static void
conn_io_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;

	if (ev & EV_TIMEOUT) {
		if (c->state == CONN_WRITE)
			c->linelen = c->off;	/* give up: record what went */
		if (c->state == CONN_DRAIN) {
			conn_free(c);
			return;
		}
	}
	if (c->state == CONN_WRITE) {
		conn_write(c);
		return;
	}
	(void)fd;
	if (conn_drain(c) == 1 || engine_now_us() >= c->drain_until) {
		conn_free(c);
		return;
	}
	/* Wait again, for what is left of the one drain deadline. */
	{
		uint64_t left = c->drain_until - engine_now_us();
		struct timeval tv = { (time_t)(left / 1000000u),
		    (suseconds_t)(left % 1000000u) };

		if (event_add(c->ev, &tv) == -1)
			conn_free(c);
	}
}

/*
 * Read and discard what the client sent, up to a cap: 1 when the
 * exchange is over (EOF, error, cap), 0 when more may come.
 */
static int
conn_drain(struct conn *c)
{
	char buf[512];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			c->drained += (size_t)n;
			if (c->drained > ENGINE_DRAIN_MAX)
				return 1;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return 1;	/* EOF or error */
	}
}

static void
conn_free(struct conn *c)
{
	struct worker *w = c->w;
	struct engine *e = w->e;

	if (c->ident != NULL)
		ident_cancel(c->ident);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1)
		close(c->fd);
	engine_release(e, &c->addr, c->counted);
	gen_unref(c->gen);
	free(c->answer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->nconns--;
	free(c);
	if (atomic_load(&e->stopping) && w->nconns == 0)
		event_base_loopexit(w->base, NULL);
}

/*
 * Datagrams that cannot be honest requests, or whose answer could start a
 * loop between services (OpenBSD inetd's dg_badinput), get no reply: the
 * limit's name. Otherwise NULL, and *d says what the rules decide. Pure:
 * the datagram path's judgment, also driven by its fuzz target.
 */
const char *
engine_udp_judge(const struct config *conf, const struct sockaddr *sa,
    socklen_t salen, struct acl_addr *a, struct acl_decision *d)
{
	unsigned port;

	memset(d, 0, sizeof(*d));
	d->action = ACL_DENY;
	if (acl_addr_from_sockaddr(sa, salen, a) == -1)
		return "udp-source";
	port = ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)(const void *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	if (port == 0 || port == 7 || port == 13 || port == 19 || port == 37)
		return "udp-source";
	if (port < 1024 && !conf->udp_privileged_ports)
		return "udp-source";
	if (a->family == AF_INET) {
		if (a->bytes[0] == 0 || a->bytes[0] >= 224 ||
		    (a->bytes[0] == 255 && a->bytes[1] == 255 &&
		    a->bytes[2] == 255 && a->bytes[3] == 255))
			return "udp-source";
	} else {
		static const uint8_t zero[16];

		if (a->bytes[0] == 0xff || memcmp(a->bytes, zero, 16) == 0)
			return "udp-source";
	}
	acl_decide(acl_lookup(conf->acl, a), NULL, 0, d);
	return NULL;
}

/* Read the local address of a datagram from its packet info. */
static socklen_t
engine_pktinfo(struct msghdr *msg, const struct config_listen *cl,
    struct sockaddr_storage *local, unsigned char *pkt, size_t *pktlen)
{
	struct cmsghdr *cm;

	memcpy(local, &cl->ss, cl->sslen);
	*pktlen = 0;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in6 *)local)->sin6_addr = pi.ipi6_addr;
			memcpy(pkt, &pi, sizeof(pi));
			*pktlen = sizeof(pi);
		}
	}
	return cl->sslen;
}

/* One datagram in, at most one answer out, to its source only. */
static void
engine_udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_listener *l = arg;
	struct engine *e = l->w->e;
	struct gen *g = engine_gen(e);
	const struct config *conf = g->conf;
	int i;

	(void)ev;
	for (i = 0; i < ENGINE_UDP_BATCH; i++) {
		union {
			struct cmsghdr	align;
			unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} cbuf;
		unsigned char pkt[sizeof(struct in6_pktinfo)];
		struct sockaddr_storage ss, local;
		struct acl_decision d;
		struct acl_addr addr;
		struct timeval now;
		struct msghdr msg;
		struct iovec iov;
		char b[1], line[ANSWER_MAX];
		const char *bad;
		socklen_t locallen;
		size_t pktlen, len;
		ssize_t n;
		uint64_t id;

		const char *limit = NULL;

		if (engine_backpressure(e))
			break;
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = b;
		iov.iov_len = sizeof(b);	/* the content does not matter */
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(fd, &msg, 0);
		if (n == -1)
			break;		/* EAGAIN, or an ICMP error queued */
		CNT_INC(e, udp);
		gettimeofday(&now, NULL);
		id = worker_id(l->w);
		locallen = engine_pktinfo(&msg, &l->cl, &local, pkt, &pktlen);
		bad = engine_udp_judge(conf, (struct sockaddr *)&ss,
		    msg.msg_namelen, &addr, &d);
		if (bad == NULL && (conf->limit_udp_rate != 0 ||
		    conf->limit_udp_total != 0)) {
			pthread_mutex_lock(&e->mtx);
			limit = engine_udp_admit(e, &addr, conf);
			pthread_mutex_unlock(&e->mtx);
		}
		if (bad != NULL || limit != NULL) {
			CNT_INC(e, dropped);
			engine_audit(e, id, IPPROTO_UDP, (struct sockaddr *)&ss,
			    msg.msg_namelen, (struct sockaddr *)&local, locallen,
			    "drop", NULL, bad != NULL ? bad : limit,
			    IDENT_SKIPPED, NULL, &now, 0);
			continue;
		}
		if (d.action != ACL_ALLOW) {
			CNT_INC(e, denied);
			engine_audit(e, id, IPPROTO_UDP, (struct sockaddr *)&ss,
			    msg.msg_namelen, (struct sockaddr *)&local, locallen,
			    "deny", &d, NULL, IDENT_SKIPPED, NULL, &now, 0);
			continue;
		}
		CNT_INC(e, allowed);
		len = worker_answer(l->w, line, sizeof(line));
		iov.iov_base = line;
		iov.iov_len = len;
		msg.msg_iov = &iov;
		msg.msg_flags = 0;
		if (pktlen > 0) {
			struct cmsghdr *cm;

			memset(&cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf.buf;
			msg.msg_controllen = CMSG_SPACE(pktlen);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = ss.ss_family == AF_INET ? IPPROTO_IP :
			    IPPROTO_IPV6;
			cm->cmsg_type = ss.ss_family == AF_INET ? IP_PKTINFO :
			    IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(pktlen);
			memcpy(CMSG_DATA(cm), pkt, pktlen);
		} else {
			msg.msg_control = NULL;
			msg.msg_controllen = 0;
		}
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		engine_audit(e, id, IPPROTO_UDP, (struct sockaddr *)&ss,
		    msg.msg_namelen, (struct sockaddr *)&local, locallen,
		    "allow", &d, NULL, IDENT_SKIPPED, NULL, &now,
		    n > 0 ? (size_t)n : 0);
	}
	gen_unref(g);
}

/* Every connection and datagram ends here: one record. */
static void
engine_audit(struct engine *e, uint64_t id, int proto,
    const struct sockaddr *peer, socklen_t peerlen,
    const struct sockaddr *local, socklen_t locallen, const char *decision,
    const struct acl_decision *d, const char *limit, enum ident_status is,
    const struct ident_answer *ans, const struct timeval *start, size_t bytes)
{
	struct audit_conn r;
	struct timeval now, diff;

	gettimeofday(&now, NULL);
	timersub(&now, start, &diff);
	memset(&r, 0, sizeof(r));
	r.conn = id;
	r.proto = proto;
	r.peer = peer;
	r.peerlen = peerlen;
	r.local = local;
	r.locallen = locallen;
	r.decision = decision;
	r.limit = limit;
	if (d != NULL) {
		r.rule_file = d->file;
		r.rule_line = d->line;
		r.net = d->matched ? &d->net : NULL;
	}
	r.ident_status = is;
	r.ident = ans;
	r.duration_us = diff.tv_sec < 0 ? 0 :
	    (uint64_t)diff.tv_sec * 1000000u + (uint64_t)diff.tv_usec;
	r.bytes = bytes;
	audit_conn_log(e->audit, &r);
}

/* USR1: the counters, as one record. */
static void
engine_log_counters(struct engine *e)
{
	struct log_counters lc;
	char kv[512];
	unsigned nconns;
	int n;

	log_get_counters(&lc);
	pthread_mutex_lock(&e->mtx);
	nconns = e->nconns;
	pthread_mutex_unlock(&e->mtx);
	n = snprintf(kv, sizeof(kv), "connections=%u accepted=%llu allowed=%llu "
	    "denied=%llu dropped=%llu udp=%llu emfile_pauses=%llu "
	    "ident_ok=%llu ident_error=%llu ident_timeout=%llu "
	    "ident_refused=%llu ident_unreachable=%llu ident_malformed=%llu "
	    "reloads=%llu reload_failures=%llu backpressure=%llu "
	    "log_queued=%llu log_sent=%llu log_lost=%llu "
	    "log_congested=%llu log_congested_us=%llu",
	    nconns, CNT_GET(e, accepted), CNT_GET(e, allowed),
	    CNT_GET(e, denied), CNT_GET(e, dropped), CNT_GET(e, udp),
	    CNT_GET(e, emfile), CNT_GET(e, ident[IDENT_OK]),
	    CNT_GET(e, ident[IDENT_ERROR]), CNT_GET(e, ident[IDENT_TIMEOUT]),
	    CNT_GET(e, ident[IDENT_REFUSED]),
	    CNT_GET(e, ident[IDENT_UNREACHABLE]),
	    CNT_GET(e, ident[IDENT_MALFORMED]), CNT_GET(e, reloads),
	    CNT_GET(e, reload_failures), CNT_GET(e, backpressure),
	    lc.queued, lc.sent, lc.lost, lc.congested, lc.congested_us);
	if (n > 0 && (size_t)n < sizeof(kv))
		audit_event_log(e->audit, LOG_NOTICE, "counters", kv);
}

/* Collects the reload's diagnostics: errors and warnings go to the log. */
static void
engine_reload_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct engine *e = arg;
	char *s = NULL;

	int n;

	if (line > 0)
		n = asprintf(&s, "%s:%u: %s: %s", file != NULL ? file : "-",
		    line, is_error ? "error" : "warning", msg);
	else
		n = asprintf(&s, "%s: %s: %s", file != NULL ? file : "-",
		    is_error ? "error" : "warning", msg);
	if (n == -1)
		return;
	if (is_error && e->reload_diag == NULL)
		e->reload_diag = s;
	else
		free(s);
}

/*
 * The reload thread: read and parse the whole configuration off the
 * loop's path, so a million rules never stall answering. It touches only
 * reload_conf and reload_diag, which the loop reads after the wakeup.
 */
static void *
engine_reload_thread(void *arg)
{
	struct engine *e = arg;
	struct config_loader loader;
	char err[256];
	ssize_t n;

	if (e->source.get(e->source.arg, &loader, err, sizeof(err)) == -1) {
		if (asprintf(&e->reload_diag, "%s: error: %s", e->gen->conf->file,
		    err) == -1)
			e->reload_diag = NULL;
	} else {
		e->reload_conf = config_load(e->gen->conf->file, &loader,
		    engine_reload_diag, e);
		e->source.put(e->source.arg, &loader);
	}
	do
		n = write(e->reload_pipe[1], "", 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

static void
engine_reload_start(struct engine *e)
{
	if (e->reloading) {
		e->reload_again = 1;	/* one more after this one */
		return;
	}
	e->reloading = 1;
	e->reload_conf = NULL;
	e->reload_diag = NULL;
	if (pthread_create(&e->reload_thread, NULL, engine_reload_thread,
	    e) != 0) {
		e->reloading = 0;
		log_warnx("reload: cannot start the reload thread");
	}
}

static int
engine_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Keep what needs a restart from the running configuration, and say so. */
static void
engine_keep_fixed(struct engine *e, struct config *n)
{
	struct config *o = e->gen->conf;	/* only this thread swaps it */
	char **fields[] = { &n->user, &n->group, &n->chroot, &n->pidfile,
	    &n->syslog_socket, &n->audit_key };
	char *old[] = { o->user, o->group, o->chroot, o->pidfile,
	    o->syslog_socket, o->audit_key };
	static const char *names[] = { "user", "group", "chroot", "pidfile",
	    "syslog socket", "audit key" };
	int listens = n->nlistens != o->nlistens;
	size_t i;

	for (i = 0; !listens && i < o->nlistens; i++)
		if (n->listens[i].proto != o->listens[i].proto ||
		    n->listens[i].sslen != o->listens[i].sslen ||
		    memcmp(&n->listens[i].ss, &o->listens[i].ss,
		    o->listens[i].sslen) != 0)
			listens = 1;
	if (listens)
		log_warnx("reload: listen changed; needs a restart, kept as is");
	memcpy(n->listens, o->listens, sizeof(n->listens));
	n->nlistens = o->nlistens;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (engine_str_differs(*fields[i], old[i]))
			log_warnx("reload: %s changed; needs a restart, kept "
			    "as is", names[i]);
		free(*fields[i]);
		*fields[i] = old[i] != NULL ? strdup(old[i]) : NULL;
	}
	if (n->facility != o->facility)
		log_warnx("reload: syslog facility changed; needs a restart, "
		    "kept as is");
	n->facility = o->facility;
	if (n->workers != o->workers)
		log_warnx("reload: workers changed; needs a restart, kept as is");
	n->workers = o->workers;
}

/* The thread is done: swap in one step, or keep everything as it was. */
static void
engine_reload_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine *e = arg;
	struct gen *g, *old;
	char b[16], kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 2 - 32];

	(void)ev;
	while (read(fd, b, sizeof(b)) > 0)
		;
	if (!e->reloading)
		return;
	pthread_join(e->reload_thread, NULL);
	e->reloading = 0;
	g = NULL;
	if (e->reload_conf != NULL && (g = gen_new(e->reload_conf)) == NULL) {
		config_free(e->reload_conf);
		e->reload_conf = NULL;
	}
	if (g == NULL) {
		CNT_INC(e, reload_failures);
		if (e->reload_diag == NULL)
			e->reload_diag = strdup("unknown error");
		audit_escape(esc, sizeof(esc),
		    (const unsigned char *)e->reload_diag,
		    e->reload_diag != NULL ? strlen(e->reload_diag) : 0);
		if (snprintf(kv, sizeof(kv), "result=failed error=%s",
		    esc) >= (int)sizeof(kv))
			kv[0] = '\0';
		audit_event_log(e->audit, LOG_ERR, "reload", kv);
	} else {
		engine_keep_fixed(e, g->conf);
		/* One step; connections in flight keep the generation they took. */
		pthread_mutex_lock(&e->mtx);
		old = e->gen;
		e->gen = g;
		pthread_mutex_unlock(&e->mtx);
		gen_unref(old);
		CNT_INC(e, reloads);
		if (snprintf(kv, sizeof(kv), "result=ok rules=%zu "
		    "v4_netblocks=%zu v6_netblocks=%zu", g->conf->stats.rules,
		    g->conf->stats.v4_blocks, g->conf->stats.v6_blocks) >=
		    (int)sizeof(kv))
			kv[0] = '\0';
		audit_event_log(e->audit, LOG_NOTICE, "reload", kv);
	}
	free(e->reload_diag);
	e->reload_diag = NULL;
	e->reload_conf = NULL;
	if (e->reload_again && !atomic_load(&e->stopping)) {
		e->reload_again = 0;
		engine_reload_start(e);
	}
}

/*
 * The stop deadline: lookups still pending are cut and decided as timed
 * out, so every connection still gets its one record.
 */
static void
engine_stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;
	struct conn *c, *next;

	(void)fd;
	(void)ev;
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_IDENT && c->ident != NULL) {
			ident_cancel(c->ident);
			c->ident = NULL;
			c->istatus = IDENT_TIMEOUT;
			conn_decide(c);
		} else if (c->state == CONN_WRITE) {
			c->linelen = c->off;	/* cut: record what went */
			conn_write(c);
		}
	}
	event_base_loopexit(w->base, NULL);
}

/* Signals arrive here through the loop: no work in an async handler. */
static void
engine_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct engine *e = arg;
	unsigned nconns;

	(void)ev;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (atomic_exchange(&e->stopping, 1))
			return;
		pthread_mutex_lock(&e->mtx);
		nconns = e->nconns;
		pthread_mutex_unlock(&e->mtx);
		log_info("stopping on signal %d; %u connections in flight",
		    (int)sig, nconns);
		engine_wake_all(e);
		break;
	case SIGHUP:
		engine_reload_start(e);
		break;
	case SIGUSR1:
		engine_log_counters(e);
		break;
	}
}
