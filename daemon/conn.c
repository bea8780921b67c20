/* SPDX-License-Identifier: ISC */
/*
 * conn: one TCP connection from accept to free. Admission (limits), on a
 * proxy listener the proxy's trust and its PROXY header (the client it
 * names is then the peer), the rule lookup in the configuration the
 * connection took, the ident lookup when the rules want one, the
 * decision, the answer, a bounded drain of what the client sent, and
 * exactly one audit record.
 *
 * Limits on a proxy listener: at accept only `limit connections` is
 * known to apply (to the proxy's connection); the per-source rate and
 * count are taken once the header names the client (the proxy itself
 * for a LOCAL header), and a client over either is dropped then
 * (rule=limit:rate, rule=limit:per-source).
 *
 * Somewhat over ~600 lines: the header's read is one more state of the
 * connection (CONN_PROXY) beside ident's, on the same struct conn; the
 * header's bytes themselves are read off the socket, to the header's
 * last byte, by proxy/proxy_read.c and parsed by proxy/proxy_parse.c.
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
#include "proxy/proxy_parse.h"
#include "proxy/proxy_read.h"
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

/* What a connection waits for; CONN_JUDGE: nothing, it is being judged. */
enum conn_state { CONN_JUDGE, CONN_PROXY, CONN_IDENT, CONN_WRITE, CONN_DRAIN };

struct conn {
	struct loop		*lp;
	struct conn		*prev, *next;
	int			 fd;
	enum conn_state		 state;
	struct sockaddr_storage	 peer, local;
	socklen_t		 peerlen, locallen;
	struct sockaddr_storage	 via;		/* the proxy that relayed it */
	socklen_t		 vialen;	/* 0: not a proxy listener */
	struct proxy_read	*px;		/* the header so far (CONN_PROXY) */
	uint64_t		 proxy_until;	/* monotonic µs */
	const char		*limit;		/* a drop: rule=limit:NAME */
	const char		*proxy_rule;	/* a denial: rule=proxy:NAME */
	struct acl_addr		 addr;
	struct acl_addr		 source;	/* the source limits count */
	struct acl_prefix	 charged;	/* a drop: the source it charged */
	int			 has_charged;
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
static void	conn_refuse(struct loop *, const struct config_listen *, int,
		    const struct sockaddr_storage *, socklen_t, uint64_t,
		    uint64_t, const char *, const char *,
		    const struct acl_prefix *);
static void	conn_proxy_start(struct conn *);
static void	conn_proxy_read(struct conn *);
static void	conn_proxy_done(struct conn *, const struct proxy_header *);
static void	conn_proxy_deny(struct conn *, const char *);
static void	conn_judge(struct conn *);
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

/*
 * Refused before any other work, counted and recorded: a limit said no
 * (limit non-NULL: reset, decision=drop; src: the source it charged, when
 * the rate or per-source limit said it), or a proxy listener's peer is not a trusted
 * proxy (proxy non-NULL: closed, decision=deny).
 */
static void
conn_refuse(struct loop *lp, const struct config_listen *cl, int fd,
    const struct sockaddr_storage *ss, socklen_t sslen, uint64_t id,
    uint64_t start_us, const char *limit, const char *proxy,
    const struct acl_prefix *src)
{
	struct sockaddr_storage local;
	struct linger lg = { 1, 0 };
	struct audit_conn r;
	socklen_t locallen;
	char source[ACL_PREFIX_STRLEN];

	locallen = conn_local(cl, fd, &local);
	/* A reset frees the slot at once; the peer learns nothing. */
	if (limit != NULL)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	if (limit != NULL)
		LOOP_CNT_INC(lp, dropped);
	else
		LOOP_CNT_INC(lp, denied);
	conn_fill(&r, id, ss, sslen, &local, locallen,
	    limit != NULL ? "drop" : "deny");
	r.limit = limit;
	r.proxy = proxy;
	if (src != NULL && acl_prefix_format(src, source, sizeof(source)) == 0)
		r.source = source;
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
	struct acl_prefix src, *charged = NULL;
	struct acl_addr addr;
	uint64_t id, now = loop_now_us();
	int counted = 0;

	id = loop_id(lp);
	if (acl_addr_from_sockaddr((const struct sockaddr *)ss, sslen,
	    &addr) == -1)
		limit = "address";	/* no family we judge: still recorded */
	else if (cl->proxy && !config_proxy_trusted(conf, &addr)) {
		conn_refuse(lp, cl, fd, ss, sslen, id, now, NULL, "untrusted",
		    NULL);
		return;
	} else {
		/*
		 * Rate and per-source count one source: the prefix. Behind a
		 * proxy listener the source is the header's client, charged
		 * in conn_proxy_done; here only the total counts.
		 */
		limits_source(&addr, conf->source_prefix, &src);
		if ((!cl->proxy && (st = limits_rate_admit(lp->limits,
		    &src.addr, conf->limit_rate, loop_now_us())) != LIMITS_OK) ||
		    (st = limits_admit(lp->limits, &src.addr,
		    conf->limit_connections, cl->proxy ? 0 :
		    conf->limit_per_source, &counted)) != LIMITS_OK) {
			limit = limits_name(st);
			if (st == LIMITS_PER_SOURCE || st == LIMITS_RATE)
				charged = &src;
		} else if ((c = calloc(1, sizeof(*c))) == NULL) {
			limits_release(lp->limits, &src.addr, counted);
			limit = limits_name(LIMITS_MEMORY);
		}
	}
	if (limit != NULL) {
		conn_refuse(lp, cl, fd, ss, sslen, id, now, limit, NULL,
		    charged);
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
	c->source = src.addr;
	memcpy(&c->peer, ss, sslen);
	c->peerlen = sslen;
	c->locallen = conn_local(cl, fd, &c->local);
	c->istatus = IDENT_SKIPPED;
	c->next = lp->conns;
	if (lp->conns != NULL)
		lp->conns->prev = c;
	lp->conns = c;
	lp->nconns++;
	if (cl->proxy) {
		memcpy(&c->via, ss, sslen);
		c->vialen = sslen;
		conn_proxy_start(c);
		return;
	}
	conn_judge(c);
}

/* Start reading the PROXY header: one deadline for all of it. */
static void
conn_proxy_start(struct conn *c)
{
	const struct timeval *t = &c->conf->proxy_timeout;

	c->state = CONN_PROXY;
	c->proxy_until = loop_now_us() + (uint64_t)t->tv_sec * 1000000u +
	    (uint64_t)t->tv_usec;
	conn_proxy_read(c);
}

/*
 * Take what came of the header; judge once it is whole, else wait. The
 * listener defers accept until the proxy has sent something, and a proxy
 * sends its header at once, so the first read usually finds all of it:
 * that read goes to the stack, and only a header still to come gets a
 * buffer of its own.
 */
static void
conn_proxy_read(struct conn *c)
{
	struct proxy_header hdr;
	struct proxy_read first, *r = c->px != NULL ? c->px : &first;
	struct timeval tv;
	uint64_t now;

	first.len = 0;
	switch (proxy_read(c->fd, r, &hdr)) {
	case PROXY_READ_DONE:
		conn_proxy_done(c, &hdr);
		return;
	case PROXY_READ_BAD:
		conn_proxy_deny(c, "malformed");
		return;
	case PROXY_READ_WAIT:
		break;
	}
	if (c->px == NULL && (c->px = malloc(sizeof(*c->px))) == NULL) {
		c->limit = limits_name(LIMITS_MEMORY);
		LOOP_CNT_INC(c->lp, dropped);
		conn_record(c, "drop");
		conn_free(c);
		return;
	}
	if (r == &first)
		*c->px = first;
	if ((now = loop_now_us()) >= c->proxy_until) {
		conn_proxy_deny(c, "timeout");
		return;
	}
	/* Not persistent: a proxy that trickles bytes must not reset the clock. */
	tv.tv_sec = (time_t)((c->proxy_until - now) / 1000000u);
	tv.tv_usec = (suseconds_t)((c->proxy_until - now) % 1000000u);
	if ((c->ev == NULL && (c->ev = event_new(c->lp->base, c->fd, EV_READ,
	    conn_io_cb, c)) == NULL) || event_add(c->ev, &tv) == -1)
		conn_proxy_deny(c, "timeout");	/* cannot wait for the rest */
}

/*
 * The header is in: its source is the peer from now on (a LOCAL header
 * leaves the proxy as the peer), charged to the per-source limits (rate,
 * then count), then judged. The proxy stays in via.
 */
static void
conn_proxy_done(struct conn *c, const struct proxy_header *hdr)
{
	struct linger lg = { 1, 0 };
	enum limits_status st;
	struct acl_prefix src;
	struct acl_addr addr;

	free(c->px);
	c->px = NULL;
	if (c->ev != NULL) {
		event_free(c->ev);
		c->ev = NULL;
	}
	c->state = CONN_JUDGE;
	if (hdr->command == PROXY_CMD_PROXY) {
		if (acl_addr_from_sockaddr((const struct sockaddr *)&hdr->src,
		    hdr->srclen, &addr) == -1) {
			conn_proxy_deny(c, "malformed");
			return;
		}
		memcpy(&c->peer, &hdr->src, hdr->srclen);
		c->peerlen = hdr->srclen;
		c->addr = addr;
	}
	limits_source(&c->addr, c->conf->source_prefix, &src);
	c->source = src.addr;
	if ((st = limits_rate_admit(c->lp->limits, &c->source,
	    c->conf->limit_rate, loop_now_us())) != LIMITS_OK ||
	    (st = limits_admit_source(c->lp->limits, &c->source,
	    c->conf->limit_per_source, &c->counted)) != LIMITS_OK) {
		c->limit = limits_name(st);
		c->charged = src;
		c->has_charged = 1;
		LOOP_CNT_INC(c->lp, dropped);
		conn_record(c, "drop");
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		conn_free(c);
		return;
	}
	conn_judge(c);
}

/* A proxy listener's connection denied without data: rule=proxy:why. */
static void
conn_proxy_deny(struct conn *c, const char *why)
{
	c->proxy_rule = why;
	LOOP_CNT_INC(c->lp, denied);
	conn_record(c, "deny");
	conn_free(c);
}

/*
 * Look the peer up in the rules, ask its identd when they want it (never
 * for a proxied peer: its identd cannot see a connection to this host),
 * then decide.
 */
static void
conn_judge(struct conn *c)
{
	struct config *conf = c->conf;

	c->block = acl_lookup(conf->acl, &c->addr);
	if (c->block != NULL && c->locallen != 0 && c->vialen == 0 &&
	    (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES &&
	    acl_block_has_user_rules(c->block)))) {
		c->state = CONN_IDENT;
		c->ident = ident_start(c->lp->base, (struct sockaddr *)&c->local,
		    c->locallen, (struct sockaddr *)&c->peer, c->peerlen,
		    conf->ident_port, &conf->ident_timeout, conn_ident_cb, c);
		if (c->ident != NULL)
			return;
		/* No descriptor or memory for a lookup: decided without one. */
		c->istatus = IDENT_UNREACHABLE;
		LOOP_CNT_INC(c->lp, ident[IDENT_UNREACHABLE]);
	}
	conn_decide(c);
}

/* The record of a connection that was judged: deny, or allow and the bytes. */
static void
conn_record(struct conn *c, const char *decision)
{
	struct audit_conn r;
	char source[ACL_PREFIX_STRLEN];

	conn_fill(&r, c->id, &c->peer, c->peerlen, &c->local, c->locallen,
	    decision);
	if (c->vialen != 0) {
		r.via = (const struct sockaddr *)&c->via;
		r.vialen = c->vialen;
	}
	r.limit = c->limit;
	r.proxy = c->proxy_rule;
	if (c->has_charged && acl_prefix_format(&c->charged, source,
	    sizeof(source)) == 0)
		r.source = source;
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
			/* unwatched, it would hold its slot until stop */
			if ((c->ev == NULL && (c->ev = event_new(c->lp->base,
			    c->fd, EV_WRITE, conn_io_cb, c)) == NULL) ||
			    event_add(c->ev, &tv) == -1)
				break;
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

	if (c->state == CONN_PROXY) {
		if (ev & EV_TIMEOUT)
			conn_proxy_deny(c, "timeout");
		else
			conn_proxy_read(c);
		return;
	}
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
	/*
	 * The slot first, then the socket: once closed, the client may
	 * connect again at once, to another worker, and must not find its
	 * own finished connection still counted against it.
	 */
	limits_release(lp->limits, &c->source, c->counted);
	if (c->fd != -1)
		close(c->fd);
	free(c->px);
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
	/*
	 * Not on "stopping" alone: a loop that ended before its wake-up
	 * closed its sockets would leave clients in their queues for the
	 * kernel to reset, unrecorded. A queue still open for want of
	 * descriptors (drain) may take another client now.
	 */
	if (lp->unlistened && lp->drain != NULL)
		event_active(lp->drain, EV_TIMEOUT, 0);
	else if (lp->unlistened && lp->nconns == 0)
		event_base_loopexit(lp->base, NULL);
}

void
conn_cut_all(struct loop *lp)
{
	struct conn *c, *next;

	for (c = lp->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_PROXY)
			conn_proxy_deny(c, "timeout");	/* frees c */
		else if (c->state == CONN_IDENT && c->ident != NULL) {
			ident_cancel(c->ident);
			c->ident = NULL;
			c->istatus = IDENT_TIMEOUT;
			/* counted as conn_ident_cb counts a lookup's end */
			LOOP_CNT_INC(lp, ident[IDENT_TIMEOUT]);
			conn_decide(c);
		} else if (c->state == CONN_WRITE) {
			c->linelen = c->off;	/* cut: record what went */
			conn_write(c);
		} else if (c->state == CONN_DRAIN)
			conn_free(c);	/* recorded: its descriptor back */
	}
}

void
conn_free_all(struct loop *lp)
{
	while (lp->conns != NULL)
		conn_free(lp->conns);
}
