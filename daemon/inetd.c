/* SPDX-License-Identifier: ISC */
/*
 * inetd: daytimed -i. One process, one event loop, no monitor (there is
 * nothing to reload: the next request starts a new process), the same
 * startup steps as the daemon in the same order (syslog, time zone and
 * key before chroot, then the privilege drop), and the same paths for
 * the socket: conn.c for a connection, udp.c for datagrams, one record
 * each. Limits are this process's: a connection is one, so only those
 * that count datagrams (udp-rate, udp-total) can ever say no; the super
 * server's own limits are the ones that count processes. A TCP socket
 * whose address a `listen tcp ... proxy` line names (or names with the
 * wildcard address of its family) takes a PROXY header, as that
 * listener would.
 *
 * Signals: TERM and INT stop as the daemon's engine stops (a connection
 * gets INETD_STOP_MS, then what is left of it is cut and recorded; the
 * epoch ends with its stop record); HUP and USR1 are ignored, since
 * "pkill -HUP daytimed" reaches these processes too and there is nothing
 * to reload. TERM and INT wait, blocked, from the start until the loop
 * can take them, so that none ends a process whose request has no
 * record yet, or an epoch with no stop record.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/config_word.h"
#include "daemon/conn.h"
#include "daemon/inetd.h"
#include "daemon/life.h"
#include "daemon/limits.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/preflight.h"
#include "daemon/proctitle.h"
#include "daemon/sandbox.h"
#include "daemon/udp.h"

#define INETD_UDP_BATCH	64	/* datagrams per wakeup, about */
#define INETD_NAME	(4 * 256 + 16)	/* a name through the escaper */
#define INETD_STOP_MS	1000	/* in flight at a stop: ENGINE_STOP_MS */

struct inetd {
	struct loop		 lp;
	struct loop_counters	 cnt;
	atomic_int		 stopping;
	struct config_listen	 cl;	/* the socket, as a listen line */
	int			 fd;
	struct event		*ev;
	struct event		*ev_term, *ev_int, *ev_stop;
	int			 signalled;	/* the stop's reason */
};

/*
 * inetd gives the socket as stdout and stderr too: a byte written there
 * would reach the client. Those that are the service socket itself, or
 * any IPv4 or IPv6 socket (a peer's), become /dev/null; a Unix socket
 * (the journal's stream) is kept. 1 when stderr can still be written to
 * (a terminal, a file, the journal).
 */
static int
inetd_stdio(void)
{
	struct stat st, in;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, i, usable = 1, have_in = fstat(STDIN_FILENO, &in) == 0;

	for (i = STDOUT_FILENO; i <= STDERR_FILENO; i++) {
		if (fstat(i, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				continue;
			memset(&ss, 0, sizeof(ss));
			len = sizeof(ss);
			if (!(have_in && st.st_dev == in.st_dev &&
			    st.st_ino == in.st_ino) && getsockname(i,
			    (struct sockaddr *)&ss, &len) == 0 &&
			    ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
				continue;	/* not one a client reads */
		}
		if (i == STDERR_FILENO)
			usable = 0;
		if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
			(void)dup2(fd, i);
			close(fd);
		}
	}
	return usable;
}

/*
 * Configuration diagnostics, as log messages (stderr may be unusable);
 * the errors counted as main_diag counts them.
 */
static void
inetd_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	size_t *errors = arg;
	char name[INETD_NAME];

	if (is_error != 0 && !(is_error & CONFIG_DIAG_SUM))
		(*errors)++;
	is_error &= ~CONFIG_DIAG_SUM;
	if (msg == NULL)
		return;		/* counted, not shown */
	config_word_show_str(file != NULL ? file : "-", name, sizeof(name));
	if (line > 0)
		log_warnx("%s:%u: %s: %s", name, line,
		    is_error ? "error" : "warning", msg);
	else
		log_warnx("%s: %s: %s", name,
		    is_error ? "error" : "warning", msg);
}

/*
 * The socket: the one systemd passed (LISTEN_FDS, Accept=yes without
 * StandardInput=socket), else standard input. Not a listening socket:
 * that is "wait" for TCP, which daytimed does not do.
 */
static int
inetd_socket(int fd, struct config_listen *cl)
{
	int type, acc = 0;
	socklen_t len = sizeof(type), alen = sizeof(acc);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1) {
		log_warnx("-i: descriptor %d is not a socket: run me from "
		    "inetd, xinetd, tcpserver or a systemd socket", fd);
		return -1;
	}
	if (type == SOCK_STREAM && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &acc, &alen) == 0 && acc) {
		log_warnx("-i: a listening TCP socket: use 'nowait' (inetd), "
		    "'wait = no' (xinetd) or Accept=yes (systemd)");
		return -1;
	}
	if (type != SOCK_STREAM && type != SOCK_DGRAM) {
		log_warnx("-i: neither a TCP nor a UDP socket");
		return -1;
	}
	memset(cl, 0, sizeof(*cl));
	cl->proto = type;
	cl->sslen = sizeof(cl->ss);
	if (getsockname(fd, (struct sockaddr *)&cl->ss, &cl->sslen) == -1 ||
	    (cl->ss.ss_family != AF_INET && cl->ss.ss_family != AF_INET6)) {
		log_warnx("-i: not an IPv4 or IPv6 socket");
		return -1;
	}
	snprintf(cl->text, sizeof(cl->text), "%s (inetd)",
	    type == SOCK_STREAM ? "tcp" : "udp");
	return fd;
}

/*
 * Whether a proxy listen line names cl's address (its own or the
 * wildcard). A dual-stack socket (systemd's default BindIPv6Only=both,
 * xinetd's IPv6 services) has an IPv4 client's connection at
 * ::ffff:a.b.c.d: that matches an IPv4 line as a.b.c.d, and an IPv6 line
 * as it is. Missing it would fail open: the header left unread, the
 * proxy judged as the peer.
 */
static int
inetd_proxy(const struct config *conf, const struct config_listen *cl)
{
	const struct config_listen *l;
	const struct sockaddr_in6 *s6 = (const void *)&cl->ss;
	struct sockaddr_storage v4;
	struct sockaddr_in *s4 = (void *)&v4;
	int mapped = 0;
	size_t i;

	if (cl->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memset(&v4, 0, sizeof(v4));
		s4->sin_family = AF_INET;
		s4->sin_port = s6->sin6_port;
		memcpy(&s4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		mapped = 1;
	}
	for (i = 0; i < conf->nlistens; i++) {
		l = &conf->listens[i];
		if (l->proxy && l->proto == SOCK_STREAM &&
		    cl->proto == SOCK_STREAM &&
		    (listen_addr_match(&l->ss, &cl->ss, 1) ||
		    (mapped && listen_addr_match(&l->ss, &v4, 1))))
			return 1;
	}
	return 0;
}

/* The stop's deadline: cut what is left, so that it gets its record. */
static void
inetd_stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct inetd *in = arg;

	(void)fd;
	(void)ev;
	conn_cut_all(&in->lp);
	event_base_loopbreak(in->lp.base);
}

/*
 * TERM or INT: the engine's stop. Datagrams stop at once (the engine
 * closes its datagram sockets at once too); a connection gets
 * INETD_STOP_MS to finish, and its end ends the loop (lp.unlistened).
 */
static void
inetd_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct inetd *in = arg;
	struct timeval tv = { INETD_STOP_MS / 1000,
	    (INETD_STOP_MS % 1000) * 1000 };

	(void)ev;
	if (atomic_exchange(&in->stopping, 1))
		return;
	in->signalled = 1;
	log_info("stopping on signal %d", (int)sig);
	if (in->lp.nconns == 0)
		event_base_loopbreak(in->lp.base);
	else if (evtimer_add(in->ev_stop, &tv) == -1)
		inetd_stop_cb(-1, EV_TIMEOUT, in);
}

/*
 * The stop's events, then TERM and INT let through: one that came
 * while starting is taken now, on the loop.
 */
static int
inetd_signals(struct inetd *in)
{
	sigset_t set;

	in->ev_term = evsignal_new(in->lp.base, SIGTERM, inetd_signal_cb, in);
	in->ev_int = evsignal_new(in->lp.base, SIGINT, inetd_signal_cb, in);
	in->ev_stop = evtimer_new(in->lp.base, inetd_stop_cb, in);
	if (in->ev_term == NULL || in->ev_int == NULL || in->ev_stop == NULL ||
	    event_add(in->ev_term, NULL) == -1 ||
	    event_add(in->ev_int, NULL) == -1)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Datagrams are waiting, or the socket has been idle: serve, or stop. */
static void
inetd_udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct inetd *in = arg;
	int i, n;

	if (ev & EV_TIMEOUT) {
		event_base_loopbreak(in->lp.base);
		return;
	}
	for (i = 0; i < INETD_UDP_BATCH; i += n)
		if ((n = udp_datagram(&in->lp, fd, &in->cl, 0)) < UDP_BATCH)
			break;
}

/* The one connection, or datagrams until idle; then the loop is empty. */
static int
inetd_serve(struct inetd *in)
{
	struct timeval idle = { INETD_IDLE_SECS, 0 };
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int gone, fl = fcntl(in->fd, F_GETFL);

	if (fl == -1 || fcntl(in->fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("-i: socket");
		return -1;
	}
	if (in->cl.proto == SOCK_STREAM) {
		/*
		 * Reset before we ran: no peer to name, but every connection
		 * gets its record, as the daemon's does. With no address
		 * conn.c drops it (rule=limit:address, peer=-) and closes it.
		 */
		memset(&peer, 0, sizeof(peer));
		/*
		 * No socket to listen on: the connection's end ends the loop,
		 * which the signal events would otherwise keep going.
		 */
		in->lp.unlistened = 1;
		if ((gone = getpeername(in->fd, (struct sockaddr *)&peer,
		    &plen) == -1)) {
			log_warn("-i: the connection");
			plen = 0;
		}
		conn_new(&in->lp, &in->cl, in->fd, &peer, plen);
		in->fd = -1;	/* conn.c closes it */
		if (gone)
			return -1;
	} else {
		if (listen_pktinfo_fd(in->fd, in->cl.ss.ss_family) == -1) {
			log_warn("-i: packet info");
			return -1;
		}
		/* Persistent with a timeout: every datagram restarts the clock. */
		if ((in->ev = event_new(in->lp.base, in->fd, EV_READ | EV_PERSIST,
		    inetd_udp_cb, in)) == NULL || event_add(in->ev, &idle) == -1)
			return -1;
	}
	(void)event_base_dispatch(in->lp.base);
	return 0;
}

/*
 * With an audit key, the epoch's start and stop records (plain records
 * have none: a process a request would double the log). The stop record
 * carries this process's counters.
 */
static void
inetd_event(struct inetd *in, const char *event)
{
	const struct config *conf = in->lp.conf;
	char kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 4];
	int n;

	if (conf->audit_key == NULL)
		return;
	if (strcmp(event, "start") == 0) {
		audit_escape(esc, sizeof(esc), (const unsigned char *)conf->file,
		    strlen(conf->file));
		n = snprintf(kv, sizeof(kv), "mode=inetd proto=%s config=%s "
		    "rules=%zu v4_netblocks=%zu v6_netblocks=%zu",
		    in->cl.proto == SOCK_STREAM ? "tcp" : "udp", esc,
		    conf->stats.rules, conf->stats.v4_blocks,
		    conf->stats.v6_blocks);
	} else
		n = snprintf(kv, sizeof(kv), "reason=%s accepted=%llu "
		    "allowed=%llu denied=%llu dropped=%llu udp=%llu",
		    in->signalled ? "signal" : "done",
		    atomic_load(&in->cnt.accepted), atomic_load(&in->cnt.allowed),
		    atomic_load(&in->cnt.denied), atomic_load(&in->cnt.dropped),
		    atomic_load(&in->cnt.udp));
	if (n > 0 && (size_t)n < sizeof(kv))
		audit_event_log(in->lp.audit, LOG_NOTICE, event, kv);
}

/* Start as the daemon does, in its order; then serve. */
static int
inetd_start(struct config *conf, int debug, int usable, int fd)
{
	unsigned char key[LIMITS_KEY_BYTES];
	struct audit_params ap;
	struct life_user u;
	struct inetd in;
	char err[512], note[512];
	sigset_t set;
	int rc = -1;

	memset(&in, 0, sizeof(in));
	in.fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || life_user(conf->user, conf->group, &u) == -1)
		return -1;
	if (conf->chroot != NULL && !u.set) {
		log_warnx("chroot %s needs root", conf->chroot);
		return -1;
	}
	if ((in.fd = inetd_socket(fd, &in.cl)) == -1)
		return -1;
	in.cl.proxy = inetd_proxy(conf, &in.cl);
	if (log_open_syslog(conf->syslog_socket != NULL ? conf->syslog_socket :
	    LOG_SOCKET_DEFAULT, conf->facility) == -1) {
		log_warn("syslog socket %s", conf->syslog_socket != NULL ?
		    conf->syslog_socket : LOG_SOCKET_DEFAULT);
		if (!usable)
			return -1;	/* no audit trail: no service */
		log_warnx("logging to stderr only");
	} else if (!debug)
		log_stderr(0);	/* one process per request: say it once */
	log_set_audit_facility(config_audit_facility(conf));
	if (debug && usable)
		log_set_debug(1);
	if (log_debugging())
		conn_debug();
	tzset();
	{
		time_t now = time(NULL);
		struct tm tm;

		(void)localtime_r(&now, &tm);
	}
	/*
	 * Each process is an epoch of its own, with its start and stop
	 * records; the state is shared with the other processes (locked
	 * from the read of the last link to this epoch's start record).
	 */
	memset(&ap, 0, sizeof(ap));
	ap.key = conf->audit_key;
	ap.signing_key = conf->audit_signing_key;
	ap.state = config_audit_state(conf);
	ap.state_default = conf->audit_state == NULL;
	ap.uid = u.set ? u.uid : geteuid();
	ap.chroot = conf->chroot;
	ap.inetd = 1;
	if ((in.lp.audit = audit_open(&ap, note, sizeof(note), err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	if (note[0] != '\0')	/* a first start, a state replaced: once */
		log_info("%s", note);
	if (life_drop(conf->chroot, &u) == -1)
		goto out;
	if (audit_begin(in.lp.audit, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	randombytes_buf(key, sizeof(key));
	in.lp.limits = limits_new(key);
	sodium_memzero(key, sizeof(key));
	if (in.lp.limits == NULL || (in.lp.base = event_base_new()) == NULL)
		goto out;
	in.lp.cnt = &in.cnt;
	in.lp.stopping = &in.stopping;
	in.lp.conf = conf;	/* conn.c takes references: ours is the first */
	proctitle_set(in.cl.proto == SOCK_STREAM ? "inetd tcp" : "inetd udp");
	if (inetd_signals(&in) == -1) {
		log_warn("-i: signals");
		goto out;
	}
	/* From here on this process only serves, as the engine does. */
	if (sandbox_start(conf->seccomp) == -1)
		goto out;
	inetd_event(&in, "start");
	rc = inetd_serve(&in);
	inetd_event(&in, "stop");
	log_flush(1000);
out:
	/*
	 * Freeing the signal events puts back SIG_DFL: a second TERM
	 * (systemd signals the whole cgroup) must not end the process after
	 * its stop record. So TERM and INT are blocked first, and ignored
	 * before they are let through again (one pending is then dropped).
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	if (in.ev != NULL)
		event_free(in.ev);
	if (in.ev_stop != NULL)
		event_free(in.ev_stop);
	if (in.ev_term != NULL)
		event_free(in.ev_term);
	if (in.ev_int != NULL)
		event_free(in.ev_int);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* The socket stays open: inetd_main may still have to empty it. */
	if (in.lp.base != NULL) {
		conn_free_all(&in.lp);
		event_base_free(in.lp.base);
	}
	limits_free(in.lp.limits);
	audit_close(in.lp.audit);
	return rc;
}

/*
 * Not serving: datagrams left waiting on a "wait" socket would have
 * inetd start a new process for them at once, again and again. They
 * are read and dropped, and the count is logged.
 */
static void
inetd_discard(int fd)
{
	char b[1];
	int type;
	socklen_t len = sizeof(type);
	unsigned long n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_DGRAM)
		return;
	while (n < 1000000 && recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		n++;
	if (n > 0)
		log_warnx("-i: not serving: %lu datagram%s dropped unanswered",
		    n, n == 1 ? "" : "s");
}

int
inetd_main(const char *file, int debug)
{
	struct config *conf;
	size_t errors = 0;
	char name[INETD_NAME];
	int usable, rc, fds[1], fd;
	sigset_t set;

	/* Until the loop takes them (inetd_signals); see the top. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	usable = inetd_stdio();
	/* Nothing the super server left open survives but the socket. */
	fd = life_systemd_fds(fds, 1) == 1 ? fds[0] : STDIN_FILENO;
	closefrom(fd > STDERR_FILENO ? fd + 1 : STDERR_FILENO + 1);
	if (!usable) {
		/* Until the configuration names a syslog socket: the default. */
		log_stderr(0);
		(void)log_open_syslog(LOG_SOCKET_DEFAULT, LOG_DAEMON);
	}
	/* The files are judged as a start judges them. */
	conf = preflight_load(file, CONFIG_LOAD_INETD | CONFIG_LOAD_TALLY,
	    PREFLIGHT_INETD, NULL, inetd_diag, &errors);
	if (conf == NULL) {
		config_word_show_str(file, name, sizeof(name));
		log_warnx("%s: %zu error%s; not serving", name, errors,
		    errors == 1 ? "" : "s");
		inetd_discard(fd);
		log_flush(1000);
		return 1;
	}
	if ((rc = inetd_start(conf, debug, usable, fd)) == -1) {
		inetd_discard(fd);
		log_flush(1000);
	}
	config_free(conf);
	return rc == 0 ? 0 : 1;
}
