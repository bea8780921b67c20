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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
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

enum conn_state { CONN_IDENT, CONN_WRITE, CONN_DRAIN };

struct engine_listener {
	struct engine		*e;
	int			 fd;
	int			 proto;		/* SOCK_STREAM or SOCK_DGRAM */
	struct event		*ev;
	const struct config_listen *cl;
};

struct conn;

struct src_count {
	struct src_count	*next;
	struct acl_addr		 addr;
	unsigned		 n;
};

struct udp_slot {
	struct acl_addr		 addr;
	uint64_t		 last_us;	/* token refill time */
	uint32_t		 tokens_milli;	/* tokens x 1000 */
	uint8_t			 used;
};

struct engine_counters {
	unsigned long long	accepted, allowed, denied, dropped;
	unsigned long long	udp, udp_ignored;
	unsigned long long	ident[IDENT_SKIPPED + 1];
	unsigned long long	emfile;
	unsigned long long	reloads, reload_failures;
	unsigned long long	backpressure;
};

struct engine {
	struct event_base	*base;
	struct config		*conf;
	struct audit		*audit;
	struct engine_source	 source;
	struct engine_listener	*listeners;
	size_t			 nlisteners;
	struct event		*ev_term, *ev_int, *ev_hup, *ev_usr1;
	struct event		*ev_resume;	/* after EMFILE */
	struct event		*ev_stop;	/* the stop deadline */
	struct event		*ev_reload;	/* the reload thread is done */
	int			 reload_pipe[2];
	pthread_t		 reload_thread;
	int			 reloading;
	int			 reload_again;
	struct config		*reload_conf;	/* built by the thread */
	char			*reload_diag;	/* its first error, if any */
	int			 paused;	/* accept paused: EMFILE */
	unsigned		 episode;	/* pauses since the last accept */
	int			 congested;	/* accept paused: the log */
	int			 stopping;
	unsigned		 nconns;
	struct conn		*conns;		/* every live connection */
	struct src_count	*src[ENGINE_SRC_BUCKETS];
	unsigned char		 src_key[crypto_shorthash_KEYBYTES];
	struct udp_slot		*udp_slots;
	struct engine_counters	 cnt;
};

struct conn {
	struct engine		*e;
	struct conn		*prev, *next;
	int			 fd;
	enum conn_state		 state;
	struct sockaddr_storage	 peer, local;
	socklen_t		 peerlen, locallen;
	struct acl_addr		 addr;
	struct acl		*acl;		/* the table this connection took */
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
};

static void	engine_accept_cb(evutil_socket_t, short, void *);
static void	engine_udp_cb(evutil_socket_t, short, void *);
static void	engine_signal_cb(evutil_socket_t, short, void *);
static void	engine_resume_cb(evutil_socket_t, short, void *);
static void	engine_stop_cb(evutil_socket_t, short, void *);
static void	engine_reload_done_cb(evutil_socket_t, short, void *);
static void	engine_log_drained(void *);
static void	engine_accepting(struct engine *, int);
static void	conn_new(struct engine_listener *, int,
		    const struct sockaddr_storage *, socklen_t);
static void	conn_ident_cb(const struct ident_answer *, void *);
static void	conn_decide(struct conn *);
static void	conn_io_cb(evutil_socket_t, short, void *);
static void	conn_write(struct conn *);
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

int
engine_listen(const struct config *conf, int *fds, const int *inherited,
    size_t ninherited)
{
	size_t i, j;
	int on = 1;

	for (i = 0; i < conf->nlistens; i++) {
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
		if (fd == -1) {
			fd = socket(cl->ss.ss_family,
			    cl->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd == -1 || engine_sockopts(fd, cl) == -1 ||
			    bind(fd, (const struct sockaddr *)&cl->ss,
			    cl->sslen) == -1 ||
			    (cl->proto == SOCK_STREAM && listen(fd, 511) == -1)) {
				log_warn("%s:%u: listen %s", conf->file, cl->line,
				    cl->text);
				if (fd != -1)
					close(fd);
				goto fail;
			}
		} else {
			int fl = fcntl(fd, F_GETFL);

			if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
			    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
				log_warn("listen %s: inherited socket", cl->text);
				goto fail;
			}
		}
		/* The local address of each datagram, to answer from it. */
		if (cl->proto == SOCK_DGRAM && (cl->ss.ss_family == AF_INET ?
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) :
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on))) == -1) {
			log_warn("listen %s: packet info", cl->text);
			close(fd);
			goto fail;
		}
		fds[i] = fd;
	}
	return 0;
fail:
	while (i > 0)
		close(fds[--i]);
	return -1;
}

struct engine *
engine_new(struct config *conf, const int *fds, struct audit *audit,
    const struct engine_source *source)
{
	struct engine *e;
	size_t i;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->conf = conf;
	e->audit = audit;
	e->source = *source;
	e->reload_pipe[0] = e->reload_pipe[1] = -1;
	crypto_shorthash_keygen(e->src_key);
	if ((e->base = event_base_new()) == NULL ||
	    (e->listeners = calloc(conf->nlistens, sizeof(*e->listeners))) == NULL ||
	    (e->udp_slots = calloc(ENGINE_UDP_SLOTS, sizeof(*e->udp_slots))) == NULL ||
	    pipe2(e->reload_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		goto fail;
	for (i = 0; i < conf->nlistens; i++) {
		struct engine_listener *l = &e->listeners[i];

		l->e = e;
		l->fd = fds[i];
		l->cl = &conf->listens[i];
		l->proto = conf->listens[i].proto;
		l->ev = event_new(e->base, l->fd, EV_READ | EV_PERSIST,
		    l->proto == SOCK_STREAM ? engine_accept_cb : engine_udp_cb, l);
		if (l->ev == NULL)
			goto fail;
		e->nlisteners++;
	}
	e->ev_term = evsignal_new(e->base, SIGTERM, engine_signal_cb, e);
	e->ev_int = evsignal_new(e->base, SIGINT, engine_signal_cb, e);
	e->ev_hup = evsignal_new(e->base, SIGHUP, engine_signal_cb, e);
	e->ev_usr1 = evsignal_new(e->base, SIGUSR1, engine_signal_cb, e);
	e->ev_resume = evtimer_new(e->base, engine_resume_cb, e);
	e->ev_stop = evtimer_new(e->base, engine_stop_cb, e);
	e->ev_reload = event_new(e->base, e->reload_pipe[0], EV_READ | EV_PERSIST,
	    engine_reload_done_cb, e);
	if (e->ev_term == NULL || e->ev_int == NULL || e->ev_hup == NULL ||
	    e->ev_usr1 == NULL || e->ev_resume == NULL || e->ev_stop == NULL ||
	    e->ev_reload == NULL)
		goto fail;
	if (event_add(e->ev_term, NULL) == -1 || event_add(e->ev_int, NULL) == -1 ||
	    event_add(e->ev_hup, NULL) == -1 || event_add(e->ev_usr1, NULL) == -1 ||
	    event_add(e->ev_reload, NULL) == -1)
		goto fail;
	log_attach(e->base);
	log_set_drain_cb(engine_log_drained, e);
	engine_accepting(e, 1);
	return e;
fail:
	engine_free(e);
	return NULL;
}

void
engine_free(struct engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	while (e->conns != NULL)
		conn_free(e->conns);
	for (i = 0; i < e->nlisteners; i++) {
		if (e->listeners[i].ev != NULL)
			event_free(e->listeners[i].ev);
		if (e->listeners[i].fd != -1)
			close(e->listeners[i].fd);
	}
	free(e->listeners);
	for (i = 0; i < ENGINE_SRC_BUCKETS; i++)
		while (e->src[i] != NULL) {
			struct src_count *s = e->src[i];

			e->src[i] = s->next;
			free(s);
		}
	free(e->udp_slots);
	if (e->ev_term) event_free(e->ev_term);
	if (e->ev_int) event_free(e->ev_int);
	if (e->ev_hup) event_free(e->ev_hup);
	if (e->ev_usr1) event_free(e->ev_usr1);
	if (e->ev_resume) event_free(e->ev_resume);
	if (e->ev_stop) event_free(e->ev_stop);
	if (e->ev_reload) event_free(e->ev_reload);
	if (e->reload_pipe[0] != -1) close(e->reload_pipe[0]);
	if (e->reload_pipe[1] != -1) close(e->reload_pipe[1]);
	log_set_drain_cb(NULL, NULL);
	log_attach(NULL);
	if (e->base != NULL)
		event_base_free(e->base);
	config_free(e->conf);
	free(e);
}

int
engine_run(struct engine *e)
{
	char kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 4];
	int n;

	audit_escape(esc, sizeof(esc), (const unsigned char *)e->conf->file,
	    strlen(e->conf->file));
	n = snprintf(kv, sizeof(kv), "config=%s rules=%zu v4_netblocks=%zu "
	    "v6_netblocks=%zu listeners=%zu", esc, e->conf->stats.rules, e->conf->stats.v4_blocks,
	    e->conf->stats.v6_blocks, e->nlisteners);
	if (n > 0 && (size_t)n < sizeof(kv))
		audit_event_log(e->audit, LOG_NOTICE, "start", kv);
	event_base_dispatch(e->base);
	if (e->reloading)
		pthread_join(e->reload_thread, NULL);
	audit_event_log(e->audit, LOG_NOTICE, "stop", "reason=signal");
	log_flush(1000);
	return 0;
}

/* Listening follows three switches: stopping, out of descriptors, log full. */
static void
engine_accepting(struct engine *e, int on)
{
	size_t i;

	if (e->stopping || e->paused || e->congested)
		on = 0;
	for (i = 0; i < e->nlisteners; i++) {
		if (on)
			event_add(e->listeners[i].ev, NULL);
		else
			event_del(e->listeners[i].ev);
	}
}

/* The log caught up: take new clients again. */
static void
engine_log_drained(void *arg)
{
	struct engine *e = arg;

	if (e->congested) {
		e->congested = 0;
		engine_accepting(e, 1);
	}
}

/* Back-pressure: while the syslog sink lags, clients wait in the backlog. */
static int
engine_backpressure(struct engine *e)
{
	if (!e->congested && log_congested()) {
		e->congested = 1;
		e->cnt.backpressure++;
		engine_accepting(e, 0);
	}
	return e->congested;
}

static void
engine_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine *e = arg;

	(void)fd;
	(void)ev;
	e->paused = 0;
	engine_accepting(e, 1);
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
engine_src_take(struct engine *e, const struct acl_addr *a)
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
	if (e->conf->limit_per_source != 0 && s->n >= e->conf->limit_per_source)
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

static uint64_t
engine_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Per-source token bucket in a fixed table: a flood from many spoofed
 * sources evicts slots but never grows memory. Rate N answers a second,
 * burst N.
 */
static int
engine_udp_admit(struct engine *e, const struct acl_addr *a)
{
	unsigned char h[crypto_shorthash_BYTES];
	struct udp_slot *s;
	uint64_t v, now, add;
	uint32_t cap;

	if (e->conf->limit_udp_rate == 0)
		return 1;
	crypto_shorthash(h, a->bytes, a->family == AF_INET ? 4 : 16, e->src_key);
	memcpy(&v, h, sizeof(v));
	s = &e->udp_slots[v % ENGINE_UDP_SLOTS];
	now = engine_now_us();
	cap = e->conf->limit_udp_rate * 1000u;
	if (!s->used || !engine_addr_eq(&s->addr, a)) {
		s->used = 1;
		s->addr = *a;
		s->tokens_milli = cap;
		s->last_us = now;
	} else {
		add = (now - s->last_us) * e->conf->limit_udp_rate / 1000u;
		if (add > 0) {
			s->tokens_milli = add >= cap - s->tokens_milli ? cap :
			    s->tokens_milli + (uint32_t)add;
			s->last_us = now;
		}
	}
	if (s->tokens_milli < 1000)
		return 0;
	s->tokens_milli -= 1000;
	return 1;
}

static void
engine_accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_listener *l = arg;
	struct engine *e = l->e;
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

				if (e->episode++ == 0)
					log_warn("accept: pausing %d ms at a "
					    "time until descriptors free up",
					    ENGINE_EMFILE_MS);
				e->cnt.emfile++;
				e->paused = 1;
				engine_accepting(e, 0);
				evtimer_add(e->ev_resume, &tv);
			}
			return;
		}
		if (e->episode != 0) {
			log_info("accept: resumed after %u pauses", e->episode);
			e->episode = 0;
		}
		e->cnt.accepted++;
		conn_new(l, cfd, &ss, sslen);
	}
}

/* The decision left the connection: drop (limits) before any other work. */
static void
conn_new(struct engine_listener *l, int fd, const struct sockaddr_storage *ss,
    socklen_t sslen)
{
	struct engine *e = l->e;
	struct config *conf = e->conf;
	struct conn *c;
	const char *limit = NULL;
	struct acl_addr addr;
	struct timeval now;
	uint64_t id;

	gettimeofday(&now, NULL);
	randombytes_buf(&id, sizeof(id));
	if (acl_addr_from_sockaddr((const struct sockaddr *)ss, sslen,
	    &addr) == -1) {
		close(fd);
		return;
	}
	if (conf->limit_connections != 0 &&
	    e->nconns >= conf->limit_connections)
		limit = "connections";
	else if (engine_src_take(e, &addr) == -1)
		limit = "per-source";
	if (limit != NULL || (c = calloc(1, sizeof(*c))) == NULL) {
		struct sockaddr_storage local;
		socklen_t locallen = sizeof(local);
		struct linger lg = { 1, 0 };

		if (limit == NULL) {
			engine_src_put(e, &addr);
			limit = "memory";
		}
		if (getsockname(fd, (struct sockaddr *)&local, &locallen) == -1)
			locallen = 0;
		/* A reset frees the slot at once; the peer learns nothing. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		e->cnt.dropped++;
		engine_audit(e, id, IPPROTO_TCP, (const struct sockaddr *)ss,
		    sslen, (const struct sockaddr *)&local, locallen, "drop",
		    NULL, limit, IDENT_SKIPPED, NULL, &now, 0);
		return;
	}
	c->e = e;
	c->fd = fd;
	c->id = id;
	c->start = now;
	c->addr = addr;
	memcpy(&c->peer, ss, sslen);
	c->peerlen = sslen;
	c->locallen = sizeof(c->local);
	if (getsockname(fd, (struct sockaddr *)&c->local, &c->locallen) == -1)
		c->locallen = 0;
	c->istatus = IDENT_SKIPPED;
	c->acl = conf->acl;
	acl_ref(c->acl);
	c->next = e->conns;
	if (e->conns != NULL)
		e->conns->prev = c;
	e->conns = c;
	e->nconns++;

	c->block = acl_lookup(c->acl, &c->addr);
	if (c->block != NULL && c->locallen != 0 &&
	    (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES &&
	    acl_block_has_user_rules(c->block)))) {
		c->state = CONN_IDENT;
		c->ident = ident_start(e->base, (struct sockaddr *)&c->local,
		    c->locallen, (struct sockaddr *)&c->peer, c->peerlen,
		    conf->ident_port, &conf->ident_timeout, conn_ident_cb, c);
		if (c->ident != NULL)
			return;
		c->istatus = IDENT_ERROR;	/* no resources for a lookup */
	}
	conn_decide(c);
}

static void
conn_ident_cb(const struct ident_answer *ans, void *arg)
{
	struct conn *c = arg;

	c->ident = NULL;	/* the request frees itself after calling back */
	c->istatus = ans->status;
	c->e->cnt.ident[ans->status]++;
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
	struct engine *e = c->e;
	const unsigned char *user = NULL;
	size_t userlen = 0;

	if (c->answer != NULL && c->answer->status == IDENT_OK) {
		user = c->answer->user;
		userlen = c->answer->userlen;
	}
	acl_decide(c->block, user, userlen, &c->dec);
	if (c->dec.action != ACL_ALLOW) {
		e->cnt.denied++;
		engine_audit(e, c->id, IPPROTO_TCP, (struct sockaddr *)&c->peer,
		    c->peerlen, (struct sockaddr *)&c->local, c->locallen,
		    "deny", &c->dec, NULL, c->istatus, c->answer, &c->start, 0);
		conn_free(c);
		return;
	}
	e->cnt.allowed++;
	c->linelen = answer_now(c->line, sizeof(c->line));
	c->state = CONN_WRITE;
	conn_write(c);
}

/* Send the rest of the line; then half-close and drain what the peer sent. */
static void
conn_write(struct conn *c)
{
	struct engine *e = c->e;
	struct timeval tv;

	while (c->off < c->linelen) {
		ssize_t n = send(c->fd, c->line + c->off, c->linelen - c->off,
		    MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			tv.tv_sec = ENGINE_WRITE_SECS;
			tv.tv_usec = 0;
			if (c->ev == NULL && (c->ev = event_new(e->base, c->fd,
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
	if (c->off < c->linelen || shutdown(c->fd, SHUT_WR) == -1 ||
	    e->stopping) {
		conn_free(c);
		return;
	}
	/*
	 * Closing with unread input would send a reset that can destroy the
	 * answer in the client's buffer: wait for its EOF, briefly, bounded.
	 */
	c->state = CONN_DRAIN;
	if (c->ev != NULL)
		event_free(c->ev);
	tv.tv_sec = ENGINE_DRAIN_SECS;
	tv.tv_usec = 0;
	if ((c->ev = event_new(e->base, c->fd, EV_READ | EV_PERSIST, conn_io_cb,
	    c)) == NULL || event_add(c->ev, &tv) == -1)
		conn_free(c);
}

static void
conn_io_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;
	char buf[512];
	ssize_t n;

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
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			c->drained += (size_t)n;
			if (c->drained > ENGINE_DRAIN_MAX)
				break;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;	/* EOF or error */
	}
	conn_free(c);
}

static void
conn_free(struct conn *c)
{
	struct engine *e = c->e;

	if (c->ident != NULL)
		ident_cancel(c->ident);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1)
		close(c->fd);
	engine_src_put(e, &c->addr);
	acl_unref(c->acl);
	free(c->answer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		e->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	e->nconns--;
	free(c);
	if (e->stopping && e->nconns == 0)
		event_base_loopexit(e->base, NULL);
}

/*
 * Datagrams that cannot be honest requests, or whose answer could start a
 * loop between services (OpenBSD inetd's dg_badinput): no reply.
 */
static const char *
engine_udp_bad(const struct engine *e, const struct sockaddr_storage *ss,
    const struct acl_addr *a)
{
	unsigned port;

	port = ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port);
	if (port == 0 || port == 7 || port == 13 || port == 19 || port == 37)
		return "udp-source";
	if (port < 1024 && !e->conf->udp_privileged_ports)
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
	struct engine *e = l->e;
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

		if (engine_backpressure(e))
			return;
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
			return;		/* EAGAIN, or an ICMP error queued */
		e->cnt.udp++;
		gettimeofday(&now, NULL);
		randombytes_buf(&id, sizeof(id));
		locallen = engine_pktinfo(&msg, l->cl, &local, pkt, &pktlen);
		if (acl_addr_from_sockaddr((struct sockaddr *)&ss,
		    msg.msg_namelen, &addr) == -1)
			continue;
		if ((bad = engine_udp_bad(e, &ss, &addr)) != NULL ||
		    !engine_udp_admit(e, &addr)) {
			e->cnt.dropped++;
			engine_audit(e, id, IPPROTO_UDP, (struct sockaddr *)&ss,
			    msg.msg_namelen, (struct sockaddr *)&local, locallen,
			    "drop", NULL, bad != NULL ? bad : "udp-rate",
			    IDENT_SKIPPED, NULL, &now, 0);
			continue;
		}
		acl_decide(acl_lookup(e->conf->acl, &addr), NULL, 0, &d);
		if (d.action != ACL_ALLOW) {
			e->cnt.denied++;
			engine_audit(e, id, IPPROTO_UDP, (struct sockaddr *)&ss,
			    msg.msg_namelen, (struct sockaddr *)&local, locallen,
			    "deny", &d, NULL, IDENT_SKIPPED, NULL, &now, 0);
			continue;
		}
		e->cnt.allowed++;
		len = answer_now(line, sizeof(line));
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
	r.count = 1;
	audit_conn_log(e->audit, &r);
}

/* USR1: the counters, as one record. */
static void
engine_log_counters(struct engine *e)
{
	struct log_counters lc;
	char kv[512];
	int n;

	log_get_counters(&lc);
	n = snprintf(kv, sizeof(kv), "connections=%u accepted=%llu allowed=%llu "
	    "denied=%llu dropped=%llu udp=%llu emfile_pauses=%llu "
	    "ident_ok=%llu ident_error=%llu ident_timeout=%llu "
	    "ident_refused=%llu ident_unreachable=%llu ident_malformed=%llu "
	    "reloads=%llu reload_failures=%llu backpressure=%llu "
	    "log_queued=%llu log_sent=%llu log_lost=%llu "
	    "log_congested=%llu log_congested_us=%llu",
	    e->nconns, e->cnt.accepted, e->cnt.allowed, e->cnt.denied,
	    e->cnt.dropped, e->cnt.udp, e->cnt.emfile,
	    e->cnt.ident[IDENT_OK], e->cnt.ident[IDENT_ERROR],
	    e->cnt.ident[IDENT_TIMEOUT], e->cnt.ident[IDENT_REFUSED],
	    e->cnt.ident[IDENT_UNREACHABLE], e->cnt.ident[IDENT_MALFORMED],
	    e->cnt.reloads, e->cnt.reload_failures, e->cnt.backpressure,
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
		if (asprintf(&e->reload_diag, "%s: error: %s", e->conf->file,
		    err) == -1)
			e->reload_diag = NULL;
	} else {
		e->reload_conf = config_load(e->conf->file, &loader,
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
	struct config *o = e->conf;
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
	struct config *old;
	char b[16], kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 2];
	size_t i;

	(void)ev;
	while (read(fd, b, sizeof(b)) > 0)
		;
	if (!e->reloading)
		return;
	pthread_join(e->reload_thread, NULL);
	e->reloading = 0;
	if (e->reload_conf == NULL) {
		e->cnt.reload_failures++;
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
		engine_keep_fixed(e, e->reload_conf);
		old = e->conf;
		e->conf = e->reload_conf;
		/* listeners point at their listen lines: keep them valid */
		for (i = 0; i < e->nlisteners; i++)
			e->listeners[i].cl = &e->conf->listens[i];
		config_free(old);	/* connections keep their own acl ref */
		e->cnt.reloads++;
		if (snprintf(kv, sizeof(kv), "result=ok rules=%zu "
		    "v4_netblocks=%zu v6_netblocks=%zu", e->conf->stats.rules,
		    e->conf->stats.v4_blocks, e->conf->stats.v6_blocks) >=
		    (int)sizeof(kv))
			kv[0] = '\0';
		audit_event_log(e->audit, LOG_NOTICE, "reload", kv);
	}
	free(e->reload_diag);
	e->reload_diag = NULL;
	e->reload_conf = NULL;
	if (e->reload_again && !e->stopping) {
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
	struct engine *e = arg;
	struct conn *c, *next;

	(void)fd;
	(void)ev;
	for (c = e->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_IDENT && c->ident != NULL) {
			ident_cancel(c->ident);
			c->ident = NULL;
			c->istatus = IDENT_TIMEOUT;
			conn_decide(c);
		}
	}
	event_base_loopexit(e->base, NULL);
}

/* Signals arrive here through the loop: no work in an async handler. */
static void
engine_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct engine *e = arg;
	struct timeval tv = { ENGINE_STOP_MS / 1000, (ENGINE_STOP_MS % 1000) * 1000 };

	(void)ev;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (e->stopping)
			return;
		e->stopping = 1;
		engine_accepting(e, 0);
		log_info("stopping on signal %d; %u connections in flight",
		    (int)sig, e->nconns);
		if (e->nconns == 0)
			event_base_loopexit(e->base, NULL);
		else
			evtimer_add(e->ev_stop, &tv);
		break;
	case SIGHUP:
		engine_reload_start(e);
		break;
	case SIGUSR1:
		engine_log_counters(e);
		break;
	}
}
