/* SPDX-License-Identifier: ISC */
/*
 * conn: one TCP connection from accept to free. Admission (limits), the
 * rule lookup in the configuration the connection took, the ident lookup
 * when the rules want one, the decision, the answer, a bounded drain of
 * what the client sent, and exactly one audit record.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "acl/acl.h"
#include "ident/ident.h"
#include "daemon/answer.h"
#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/conn.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/loop.h"

#define CONN_DRAIN_MAX	4096	/* bytes read from a client after the answer */
#define CONN_DRAIN_SECS	2
#define CONN_WRITE_SECS	5

enum conn_state { CONN_IDENT, CONN_WRITE, CONN_DRAIN };

struct conn {
	struct loop		*lp;
	struct conn		*prev, *next;
	int			 fd;
	enum conn_state		 state;
	struct sockaddr_storage	 peer, local;
	socklen_t		 peerlen, locallen;
	struct acl_addr		 addr;
	struct config		*conf;		/* the rules this connection took */
	int			 counted;	/* in the per-source table */
	const struct acl_block	*block;
	struct ident_req	*ident;
	struct ident_answer	*answer;	/* when a lookup ran */
	struct acl_decision	 dec;
	enum ident_status	 istatus;
	struct event		*ev;
	uint64_t		 id;
	uint64_t		 start_us;	/* monotonic */
	char			 line[ANSWER_MAX];
	size_t			 linelen, off;
	size_t			 drained;
	uint64_t		 drain_until;	/* monotonic µs */
};

static socklen_t conn_local(const struct config_listen *, int,
		    struct sockaddr_storage *);
static void	conn_fill(struct audit_conn *, uint64_t,
		    const struct sockaddr_storage *, socklen_t,
		    const struct sockaddr_storage *, socklen_t, const char *);
static void	conn_drop(struct loop *, const struct config_listen *, int,
		    const struct sockaddr_storage *, socklen_t, uint64_t,
		    uint64_t, const char *);
static void	conn_record(struct conn *, const char *);
static void	conn_ident_cb(const struct ident_answer *, void *);
static void	conn_decide(struct conn *);
static void	conn_write(struct conn *);
static void	conn_io_cb(evutil_socket_t, short, void *);
static int	conn_drain(struct conn *);
static void	conn_free(struct conn *);

/*
 * A connection's local address: the listener's own when it is bound to
 * one address, so only wildcard listeners cost a getsockname().
 */
static socklen_t
conn_local(const struct config_listen *cl, int fd, struct sockaddr_storage *ss)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	socklen_t len = sizeof(*ss);
	int wildcard;

	if (cl->ss.ss_family == AF_INET)
		wildcard = ((const struct sockaddr_in *)&cl->ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	else
		wildcard = memcmp(&((const struct sockaddr_in6 *)&cl->ss)->sin6_addr,
		    &any6, sizeof(any6)) == 0;
	if (!wildcard) {
		memcpy(ss, &cl->ss, cl->sslen);
		return cl->sslen;
	}
	if (getsockname(fd, (struct sockaddr *)ss, &len) == -1)
		return 0;
	return len;
}

/* The parts of a TCP record every outcome has. */
static void
conn_fill(struct audit_conn *r, uint64_t id,
    const struct sockaddr_storage *peer, socklen_t peerlen,
    const struct sockaddr_storage *local, socklen_t locallen,
    const char *decision)
{
	memset(r, 0, sizeof(*r));
	r->conn = id;
	r->proto = IPPROTO_TCP;
	r->peer = (const struct sockaddr *)peer;
	r->peerlen = peerlen;
	r->local = (const struct sockaddr *)local;
	r->locallen = locallen;
	r->decision = decision;
	r->ident_status = IDENT_SKIPPED;
}

/* A limit said no: reset, count and record, before any other work. */
static void
conn_drop(struct loop *lp, const struct config_listen *cl, int fd,
    const struct sockaddr_storage *ss, socklen_t sslen, uint64_t id,
    uint64_t start_us, const char *limit)
{
	struct sockaddr_storage local;
	struct linger lg = { 1, 0 };
	struct audit_conn r;
	socklen_t locallen;

	locallen = conn_local(cl, fd, &local);
	/* A reset frees the slot at once; the peer learns nothing. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	LOOP_CNT_INC(lp, dropped);
	conn_fill(&r, id, ss, sslen, &local, locallen, "drop");
	r.limit = limit;
	loop_record(lp, &r, NULL, start_us);
}

void
conn_new(struct loop *lp, const struct config_listen *cl, int fd,
    const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct config *conf = lp->conf;
	enum limits_status st;
	const char *limit = NULL;
	struct conn *c = NULL;
	struct acl_addr addr;
	uint64_t id, now = loop_now_us();
	int counted = 0;

	id = loop_id(lp);
	if (acl_addr_from_sockaddr((const struct sockaddr *)ss, sslen,
	    &addr) == -1)
		limit = "address";	/* no family we judge: still recorded */
	else if ((st = limits_rate_admit(lp->limits, &addr, conf->limit_rate,
	    loop_now_us())) != LIMITS_OK)
		limit = limits_name(st);
	else if ((st = limits_admit(lp->limits, &addr, conf->limit_connections,
	    conf->limit_per_source, &counted)) != LIMITS_OK)
		limit = limits_name(st);
	else if ((c = calloc(1, sizeof(*c))) == NULL) {
		limits_release(lp->limits, &addr, counted);
		limit = limits_name(LIMITS_MEMORY);
	}
	if (limit != NULL) {
		conn_drop(lp, cl, fd, ss, sslen, id, now, limit);
		return;
	}
	config_ref(conf);
	c->lp = lp;
	c->conf = conf;
	c->counted = counted;
	c->fd = fd;
	c->id = id;
	c->start_us = now;
	c->addr = addr;
	memcpy(&c->peer, ss, sslen);
	c->peerlen = sslen;
	c->locallen = conn_local(cl, fd, &c->local);
	c->istatus = IDENT_SKIPPED;
	c->next = lp->conns;
	if (lp->conns != NULL)
		lp->conns->prev = c;
	lp->conns = c;
	lp->nconns++;

	c->block = acl_lookup(conf->acl, &c->addr);
	if (c->block != NULL && c->locallen != 0 &&
	    (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES &&
	    acl_block_has_user_rules(c->block)))) {
		c->state = CONN_IDENT;
		c->ident = ident_start(lp->base, (struct sockaddr *)&c->local,
		    c->locallen, (struct sockaddr *)&c->peer, c->peerlen,
		    conf->ident_port, &conf->ident_timeout, conn_ident_cb, c);
		if (c->ident != NULL)
			return;
		/* No descriptor or memory for a lookup: decided without one. */
		c->istatus = IDENT_UNREACHABLE;
	}
	conn_decide(c);
}

/* The record of a connection that was judged: deny, or allow and the bytes. */
static void
conn_record(struct conn *c, const char *decision)
{
	struct audit_conn r;

	conn_fill(&r, c->id, &c->peer, c->peerlen, &c->local, c->locallen,
	    decision);
	r.ident_status = c->istatus;
	r.ident = c->answer;
	r.bytes = c->off;
	loop_record(c->lp, &r, &c->dec, c->start_us);
}

/* daytimed -d: one line for each ident exchange, its bytes escaped. */
static void
conn_ident_trace(void *arg, const char *sent, size_t sentlen,
    const unsigned char *got, size_t gotlen, enum ident_status st)
{
	const struct conn *c = arg;
	char q[64], a[AUDIT_LINE_MAX / 2];

	(void)audit_escape(q, sizeof(q), (const unsigned char *)sent, sentlen);
	(void)audit_escape(a, sizeof(a), got, gotlen);
	log_debug("ident conn=%016llx sent=%s received=%s status=%s",
	    (unsigned long long)c->id, q, a, ident_status_name(st));
}

void
conn_debug(void)
{
	ident_set_trace(conn_ident_trace);
}

/* The lookup is over (the request has freed itself): decide. */
static void
conn_ident_cb(const struct ident_answer *ans, void *arg)
{
	struct conn *c = arg;

	c->ident = NULL;	/* the request frees itself after calling back */
	c->istatus = ans->status;
	LOOP_CNT_INC(c->lp, ident[ans->status]);
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
	const unsigned char *user = NULL;
	size_t userlen = 0;

	if (c->answer != NULL && c->answer->status == IDENT_OK) {
		user = c->answer->user;
		userlen = c->answer->userlen;
	}
	acl_decide(c->block, user, userlen, &c->dec);
	if (c->dec.action != ACL_ALLOW) {
		LOOP_CNT_INC(c->lp, denied);
		conn_record(c, "deny");
		conn_free(c);
		return;
	}
	LOOP_CNT_INC(c->lp, allowed);
	c->linelen = loop_answer(c->lp, c->line, sizeof(c->line));
	c->state = CONN_WRITE;
	conn_write(c);
}

/* Send the rest of the line; then half-close and drain what the peer sent. */
static void
conn_write(struct conn *c)
{
	struct timeval tv;

	while (c->off < c->linelen) {
		ssize_t n = send(c->fd, c->line + c->off, c->linelen - c->off,
		    MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			tv.tv_sec = CONN_WRITE_SECS;
			tv.tv_usec = 0;
			if (c->ev == NULL && (c->ev = event_new(c->lp->base, c->fd,
			    EV_WRITE, conn_io_cb, c)) == NULL)
				break;
			event_add(c->ev, &tv);
			return;
		}
		if (n <= 0)
			break;	/* reset by the peer: the record says bytes */
		c->off += (size_t)n;
	}
	conn_record(c, "allow");
	/*
	 * A daytime client sends nothing: with no input unread, closing now
	 * sends a clean FIN. Closing with unread input would send a reset
	 * that can destroy the answer in the client's buffer, so a client
	 * that did send something is drained until its EOF, briefly, bounded.
	 */
	if (c->off < c->linelen || conn_drain(c) == 1 || c->drained == 0 ||
	    shutdown(c->fd, SHUT_WR) == -1 || atomic_load(c->lp->stopping)) {
		conn_free(c);
		return;
	}
	c->state = CONN_DRAIN;
	c->drain_until = loop_now_us() + CONN_DRAIN_SECS * 1000000u;
	if (c->ev != NULL)
		event_free(c->ev);
	tv.tv_sec = CONN_DRAIN_SECS;
	tv.tv_usec = 0;
	/* Not persistent: a client that trickles bytes must not reset the clock. */
	if ((c->ev = event_new(c->lp->base, c->fd, EV_READ, conn_io_cb,
	    c)) == NULL || event_add(c->ev, &tv) == -1)
		conn_free(c);
}

/* The socket is writable or readable again, or its deadline passed. */
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
	if (conn_drain(c) == 1 || loop_now_us() >= c->drain_until) {
		conn_free(c);
		return;
	}
	/* Wait again, for what is left of the one drain deadline. */
	{
		uint64_t left = c->drain_until - loop_now_us();
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
			if (c->drained > CONN_DRAIN_MAX)
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

/* The end of a connection: give back its socket, limits and rules. */
static void
conn_free(struct conn *c)
{
	struct loop *lp = c->lp;

	if (c->ident != NULL)
		ident_cancel(c->ident);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1)
		close(c->fd);
	limits_release(lp->limits, &c->addr, c->counted);
	config_unref(c->conf);
	free(c->answer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		lp->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	lp->nconns--;
	free(c);
	if (atomic_load(lp->stopping) && lp->nconns == 0)
		event_base_loopexit(lp->base, NULL);
}

void
conn_cut_all(struct loop *lp)
{
	struct conn *c, *next;

	for (c = lp->conns; c != NULL; c = next) {
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
}

void
conn_free_all(struct loop *lp)
{
	while (lp->conns != NULL)
		conn_free(lp->conns);
}
