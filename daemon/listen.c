/* SPDX-License-Identifier: ISC */
/*
 * listen: binds the listen lines (one SO_REUSEPORT socket per worker, or
 * one shared socket a service manager passed) into a struct listen_set,
 * and closes them, each once.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/filter.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/listen.h"
#include "daemon/log.h"

#define LISTEN_BACKLOG	511

struct listen_set {
	unsigned		 nworkers;
	size_t			 nlines;
	struct config_listen	*lines;		/* copies: configs come and go */
	int			*shared;	/* line i: one socket for all */
	int			 fds[];		/* [w * nlines + i] */
};

static int	listen_sockopts(int, const struct config *,
		    const struct config_listen *);
static int	listen_defer(int, const struct config *);
static int	listen_matches(int, const struct config_listen *);
static int	listen_socket(const struct config *,
		    const struct config_listen *, int, int);
static int	listen_inherit(struct listen_set *, size_t, int);
static int	listen_bind(struct listen_set *, const struct config *, size_t);
static int	listen_pktinfo(struct listen_set *, size_t);

/* The file of a listen line of conf (its lines are copied here). */
static const char *
listen_file(const struct config *conf, const struct config_listen *cl)
{
	size_t i;

	for (i = 0; i < conf->nlistens; i++)
		if (conf->listens[i].line == cl->line &&
		    strcmp(conf->listens[i].text, cl->text) == 0 &&
		    conf->listen_file[i] != NULL)
			return conf->listen_file[i];
	return conf->file;
}

/* Socket options that must hold before bind. */
static int
listen_sockopts(int fd, const struct config *conf,
    const struct config_listen *cl)
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
	/*
	 * A proxy speaks first: the kernel hands over a connection once its
	 * header is in (or about proxy timeout later), which saves the loop
	 * a wakeup for each. The timeout itself runs from the accept.
	 */
	if (cl->proxy && listen_defer(fd, conf) == -1)
		return -1;
	return 0;
}

/* TCP_DEFER_ACCEPT for a proxy listener: proxy timeout, whole seconds up. */
static int
listen_defer(int fd, const struct config *conf)
{
	int defer = (int)conf->proxy_timeout.tv_sec +
	    (conf->proxy_timeout.tv_usec > 0);

	return setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
	    sizeof(defer));
}

void
listen_defer_worker(struct listen_set *ls, unsigned w,
    const struct config *conf)
{
	size_t i;

	for (i = 0; i < ls->nlines; i++) {
		int fd = ls->fds[w * ls->nlines + i];

		if (fd == -1 || ls->shared[i] || !ls->lines[i].proxy ||
		    ls->lines[i].proto != SOCK_STREAM)
			continue;
		if (listen_defer(fd, conf) == -1)
			log_warn("listen %s: TCP_DEFER_ACCEPT for the new proxy "
			    "timeout", ls->lines[i].text);
	}
}

/*
 * Whether line (AF_INET or AF_INET6) and sock have the same family, port
 * and address; with wild, the line's wildcard address matches any.
 */
int
listen_addr_match(const struct sockaddr_storage *line,
    const struct sockaddr_storage *sock, int wild)
{
	if (line->ss_family != sock->ss_family)
		return 0;
	if (line->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)line;
		const struct sockaddr_in *b = (const void *)sock;

		return a->sin_port == b->sin_port &&
		    (a->sin_addr.s_addr == b->sin_addr.s_addr ||
		    (wild && a->sin_addr.s_addr == htonl(INADDR_ANY)));
	} else {
		const struct sockaddr_in6 *a = (const void *)line;
		const struct sockaddr_in6 *b = (const void *)sock;

		return a->sin6_port == b->sin6_port &&
		    (memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0 ||
		    (wild && IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr)));
	}
}

/* Whether an inherited socket is the one a listen line describes. */
static int
listen_matches(int fd, const struct config_listen *cl)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int type;
	socklen_t tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != cl->proto)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
	    sslen != cl->sslen)
		return 0;
	return listen_addr_match(&cl->ss, &ss, 0);
}

/*
 * A socket for one listen line, bound, with every option set; a stream
 * socket also listens, unless it is only a probe (a socket that never
 * listens queues no client, so closing it resets nobody).
 */
static int
listen_socket(const struct config *conf, const struct config_listen *cl,
    int reuseport, int probe)
{
	int fd, on = 1;

	fd = socket(cl->ss.ss_family, cl->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || listen_sockopts(fd, conf, cl) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1) ||
	    bind(fd, (const struct sockaddr *)&cl->ss, cl->sslen) == -1 ||
	    (cl->proto == SOCK_STREAM && !probe &&
	    listen(fd, LISTEN_BACKLOG) == -1)) {
		log_warn("%s:%u: listen %s", listen_file(conf, cl), cl->line,
		    cl->text);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Line i is served by a socket passed to us: every worker shares it. */
static int
listen_inherit(struct listen_set *ls, size_t i, int fd)
{
	int fl = fcntl(fd, F_GETFL);
	unsigned w;

	ls->shared[i] = 1;
	for (w = 0; w < ls->nworkers; w++)
		ls->fds[w * ls->nlines + i] = fd;
	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("listen %s: inherited socket", ls->lines[i].text);
		return -1;
	}
	return 0;
}

/*
 * Line i gets a socket of its own in every worker, bound with
 * SO_REUSEPORT, so the kernel spreads clients over the loops and no two
 * loops wake for one client. The address is first bound once without it:
 * a port someone else holds, even another daytimed, is an error, never
 * silently shared. That first socket never listens: clients that reached
 * its queue in the instant before it closed would be reset unrecorded (a
 * restart under load).
 */
static int
listen_bind(struct listen_set *ls, const struct config *conf, size_t i)
{
	const struct config_listen *cl = &ls->lines[i];
	unsigned w;
	int fd;

	if ((fd = listen_socket(conf, cl, 0, 1)) == -1)
		return -1;
	close(fd);	/* nobody else holds it: now share it */
	for (w = 0; w < ls->nworkers; w++)
		if ((ls->fds[w * ls->nlines + i] = listen_socket(conf, cl,
		    ls->nworkers > 1, 0)) == -1)
			return -1;
	return 0;
}

/*
 * The packet info of a datagram socket: its local address, to answer
 * from. On a dual-stack AF_INET6 socket an IPv4 datagram's IPV6_PKTINFO
 * names its mapped destination but not the address the kernel would
 * answer from, which IP_PKTINFO adds (ipi_spec_dst: a subnet broadcast
 * is told apart only so). A v6-only socket needs no IP_PKTINFO: an
 * error there is no error.
 */
int
listen_pktinfo_fd(int fd, int family)
{
	socklen_t len = sizeof(int);
	int on = 1, v6only = 0;

	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == 0)
		return 0;
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0 &&
	    v6only)
		return 0;
	return -1;
}

/* A datagram line reports each datagram's local address, to answer from it. */
static int
listen_pktinfo(struct listen_set *ls, size_t i)
{
	const struct config_listen *cl = &ls->lines[i];
	unsigned w;

	for (w = 0; w < ls->nworkers; w++)
		if (listen_pktinfo_fd(ls->fds[w * ls->nlines + i],
		    cl->ss.ss_family) == -1) {
			log_warn("listen %s: packet info", cl->text);
			return -1;
		}
	return 0;
}

struct listen_set *
listen_open(const struct config *conf, unsigned nworkers,
    const int *inherited, size_t ninherited)
{
	struct listen_set *ls;
	size_t i, j, n = conf->nlistens;

	if (n == 0 || nworkers == 0)
		return NULL;
	if ((ls = calloc(1, sizeof(*ls) + nworkers * n * sizeof(int))) == NULL ||
	    (ls->lines = calloc(n, sizeof(*ls->lines))) == NULL ||
	    (ls->shared = calloc(n, sizeof(*ls->shared))) == NULL) {
		log_warn("listen");
		goto fail;
	}
	ls->nworkers = nworkers;
	ls->nlines = n;
	memcpy(ls->lines, conf->listens, n * sizeof(*ls->lines));
	for (i = 0; i < nworkers * n; i++)
		ls->fds[i] = -1;
	for (i = 0; i < n; i++) {
		const struct config_listen *cl = &ls->lines[i];
		int fd = -1;

		for (j = 0; j < ninherited; j++)
			if (inherited[j] != -1 && listen_matches(inherited[j], cl)) {
				fd = inherited[j];
				break;
			}
		if (ninherited > 0 && fd == -1) {
			log_warnx("%s:%u: listen %s: no socket passed by the "
			    "service manager matches", listen_file(conf, cl),
			    cl->line, cl->text);
			goto fail;
		}
		if ((fd != -1 ? listen_inherit(ls, i, fd) :
		    listen_bind(ls, conf, i)) == -1 ||
		    (cl->proto == SOCK_DGRAM && listen_pktinfo(ls, i) == -1))
			goto fail;
	}
	/* A passed socket no listen line wants would queue clients forever. */
	for (j = 0; j < ninherited; j++) {
		for (i = 0; i < n && ls->fds[i] != inherited[j]; i++)
			;
		if (i == n && inherited[j] != -1) {
			log_warnx("closing a socket passed by the service manager "
			    "that no listen line names");
			close(inherited[j]);
		}
	}
	return ls;
fail:
	listen_free(ls);
	return NULL;
}

unsigned
listen_workers(const struct listen_set *ls)
{
	return ls->nworkers;
}

size_t
listen_lines(const struct listen_set *ls)
{
	return ls->nlines;
}

const struct config_listen *
listen_line(const struct listen_set *ls, size_t i)
{
	return &ls->lines[i];
}

int
listen_inherited(const struct listen_set *ls, size_t i)
{
	return ls->shared[i];
}

int
listen_fd(const struct listen_set *ls, unsigned w, size_t i)
{
	return ls->fds[w * ls->nlines + i];
}

int
listen_shared(const struct listen_set *ls, size_t i)
{
	return ls->shared[i];
}

void
listen_seal_worker(struct listen_set *ls, unsigned w)
{
	/* Classic BPF "ret #0": keep no byte of any packet, i.e. drop it. */
	struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, drop };
	size_t i;

	for (i = 0; i < ls->nlines; i++) {
		int fd = ls->fds[w * ls->nlines + i];

		if (fd == -1 || ls->shared[i] ||
		    ls->lines[i].proto != SOCK_STREAM)
			continue;
		/* Some kernels want CAP_NET_ADMIN: daytimed(8), SIGNALS. */
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		    sizeof(prog)) == -1)
			log_debug("listen: cannot seal a socket before the "
			    "stop: %s", strerror(errno));
	}
}

void
listen_close_worker(struct listen_set *ls, unsigned w)
{
	size_t i;

	for (i = 0; i < ls->nlines; i++) {
		int *fd = &ls->fds[w * ls->nlines + i];

		if (*fd != -1 && !ls->shared[i])
			close(*fd);
		if (!ls->shared[i] || w != 0)
			*fd = -1;
	}
}

void
listen_close_line(struct listen_set *ls, unsigned w, size_t i)
{
	int *fd = &ls->fds[w * ls->nlines + i];

	if (*fd != -1 && !ls->shared[i]) {
		close(*fd);
		*fd = -1;
	}
}

void
listen_free(struct listen_set *ls)
{
	size_t i;
	unsigned w;

	if (ls == NULL)
		return;
	for (i = 0; ls->lines != NULL && ls->shared != NULL &&
	    i < ls->nlines; i++)
		for (w = 0; w < ls->nworkers; w++) {
			int fd = ls->fds[w * ls->nlines + i];

			if (fd == -1)
				continue;
			close(fd);
			if (ls->shared[i])
				break;	/* the same socket in every worker */
		}
	free(ls->lines);
	free(ls->shared);
	free(ls);
}
