/* SPDX-License-Identifier: ISC */
/*
 * minimal -- the least a daytime server can do, as a benchmark's upper bound.
 *
 *   minimal -p PORT [-a ADDR]    serve: epoll, accept4, write the ctime
 *                                line, close (TCP); answer every datagram
 *                                (UDP on the same port); until TERM/INT
 *   minimal -S -p PORT [-a ADDR] a silent ident server: accept, read and
 *                                discard, never answer, hold the connection
 *                                until the peer closes
 *   minimal -o                   write one ctime line to stdout and exit
 *                                (the program behind tcpserver)
 *   minimal -P -p PORT [-a ADDR] serve as the first, behind a load
 *                                balancer: read the PROXY protocol header
 *                                (one read, discarded: a proxy sends it in
 *                                one segment) before writing the line; the
 *                                listener defers accept until it is in
 *                                (TCP_DEFER_ACCEPT), as daytimed's does
 *   minimal ... -L SOCKET        as above, and after each answer one
 *                                record to a syslog socket, the fields and
 *                                the length of daytimed's audit record, sent
 *                                as daytimed sends them (logsink_batch.c):
 *                                a record after a quiet millisecond at
 *                                once, else held until a millisecond has
 *                                passed or 32 wait, then all in one
 *                                sendmmsg (a datagram socket) or one
 *                                sendmsg of their lines (a stream socket)
 *
 * No rules, no ident, no log: only what any daytime server must do (with
 * -L, and the record the contract asks for: what a server that logs each
 * connection cannot do with less).
 */

#define _GNU_SOURCE	/* accept4 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MINIMAL_LINE	26
#define MINIMAL_EVENTS	256
#define MINIMAL_PROXY	536	/* the longest PROXY header read */
#define MINIMAL_REC	320	/* room for one record */
#define MINIMAL_RECS	32	/* records sent at once at most */
#define MINIMAL_WINDOW	1000	/* µs a record may wait for others */

static volatile sig_atomic_t minimal_stop;

static void	 minimal_usage(void) __attribute__((noreturn));
static void	 minimal_onsig(int);
static int	 minimal_line(char *, size_t);
static int	 minimal_socket(int, const char *, int);
static int	 minimal_proxy(int, const char *);
static int	 minimal_log_open(const char *);
static void	 minimal_log(const struct sockaddr_storage *, int, const char *);
static void	 minimal_log_flush(void);
static long long minimal_us(void);

/* -L: the syslog socket, and the records held for one send. */
static int	 log_fd = -1, log_stream, log_pid;
static char	 log_rec[MINIMAL_RECS][MINIMAL_REC];
static size_t	 log_len[MINIMAL_RECS], log_n;
static char	 log_stamp[32];
static unsigned long long log_seq;
static long long log_first, log_last;	/* µs: oldest held, last send */

int
main(int argc, char *argv[])
{
	struct epoll_event ev, evs[MINIMAL_EVENTS];
	struct sigaction sa;
	struct sockaddr_storage ss;
	socklen_t slen;
	const char *addr = "127.0.0.1", *logpath = NULL;
	char line[64], junk[512];
	time_t cached = 0;
	long v;
	char *end;
	int ch, port = -1, silent = 0, once = 0, proxy = 0, lfd, ufd = -1, ep;
	int n, k, fd;
	ssize_t r;

	while ((ch = getopt(argc, argv, "a:L:op:PS")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'L':
			logpath = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
				minimal_usage();
			port = (int)v;
			break;
		case 'P':
			proxy = 1;
			break;
		case 'S':
			silent = 1;
			break;
		default:
			minimal_usage();
		}
	}
	if (optind != argc)
		minimal_usage();
	if (once) {
		if (minimal_line(line, sizeof(line)) == -1 ||
		    write(STDOUT_FILENO, line, MINIMAL_LINE) != MINIMAL_LINE)
			return 1;
		return 0;
	}
	if (port == -1 || (proxy && silent))
		minimal_usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = minimal_onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (logpath != NULL && silent)
		minimal_usage();
	if (logpath != NULL && minimal_log_open(logpath) == -1)
		return 1;
	if ((lfd = minimal_socket(SOCK_STREAM, addr, port)) == -1 ||
	    (!silent && (ufd = minimal_socket(SOCK_DGRAM, addr, port)) == -1))
		return 1;
	k = 3;
	if (proxy && setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &k,
	    sizeof(k)) == -1) {
		perror("minimal: TCP_DEFER_ACCEPT");
		return 1;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("minimal: epoll_create1");
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		return 1;
	if (ufd != -1) {
		ev.data.fd = ufd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev) == -1)
			return 1;
	}

	while (!minimal_stop) {
		n = epoll_wait(ep, evs, MINIMAL_EVENTS, log_n > 0 ? 1 : 1000);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("minimal: epoll_wait");
			return 1;
		}
		for (k = 0; k < n; k++) {
			fd = evs[k].data.fd;
			if (!silent && time(NULL) != cached) {
				struct tm tm;

				cached = time(NULL);
				if (minimal_line(line, sizeof(line)) == -1 ||
				    localtime_r(&cached, &tm) == NULL ||
				    strftime(log_stamp, sizeof(log_stamp),
				    "%b %e %H:%M:%S", &tm) == 0)
					return 1;
			}
			if (fd == lfd) {
				/* Drain the backlog: one wakeup, many clients. */
				for (;;) {
					slen = sizeof(ss);
					fd = accept4(lfd, (struct sockaddr *)&ss,
					    &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (fd == -1)
						break;
					if (silent || (proxy &&
					    minimal_proxy(fd, line) == 0)) {
						ev.events = EPOLLIN;
						ev.data.fd = fd;
						if (epoll_ctl(ep, EPOLL_CTL_ADD,
						    fd, &ev) == -1)
							close(fd);
						continue;
					}
					if (!proxy) {	/* -P: answered, closed */
						(void)write(fd, line,
						    MINIMAL_LINE);
						close(fd);
					}
					if (log_fd != -1)
						minimal_log(&ss, port, "tcp");
				}
				if (errno == EMFILE || errno == ENFILE) {
					fprintf(stderr, "minimal: accept4: %s\n",
					    strerror(errno));
					sleep(1);
				}
			} else if (fd == ufd) {
				for (;;) {
					slen = sizeof(ss);
					r = recvfrom(ufd, junk, sizeof(junk),
					    MSG_DONTWAIT, (struct sockaddr *)&ss,
					    &slen);
					if (r == -1)
						break;
					(void)sendto(ufd, line, MINIMAL_LINE,
					    MSG_DONTWAIT,
					    (struct sockaddr *)&ss, slen);
					if (log_fd != -1)
						minimal_log(&ss, port, "udp");
				}
			} else if (proxy) {
				/* The header came (closing leaves epoll too). */
				(void)minimal_proxy(fd, line);
				if (log_fd != -1) {
					memset(&ss, 0, sizeof(ss));
					ss.ss_family = AF_INET;
					minimal_log(&ss, port, "tcp");
				}
			} else {
				/* Silent: swallow the query, close on EOF. */
				r = read(fd, junk, sizeof(junk));
				if (r == 0 || (r == -1 && errno != EAGAIN &&
				    errno != EINTR))
					close(fd);
			}
		}
		if (log_n > 0 && minimal_us() - log_first >= MINIMAL_WINDOW)
			minimal_log_flush();
	}
	return 0;
}

static void
minimal_usage(void)
{
	fprintf(stderr, "usage: minimal [-P | -S] [-L SOCKET] -p PORT "
	    "[-a ADDR] | minimal -o\n");
	exit(2);
}

static void
minimal_onsig(int sig)
{
	(void)sig;
	minimal_stop = 1;
}

/*
 * -P: read the PROXY header, discard it, answer and close: 1 when done
 * (fd closed), 0 when nothing has come yet (wait for it).
 */
static int
minimal_proxy(int fd, const char *line)
{
	char hdr[MINIMAL_PROXY];
	ssize_t r = recv(fd, hdr, sizeof(hdr), MSG_DONTWAIT);

	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r > 0)
		(void)write(fd, line, MINIMAL_LINE);
	close(fd);
	return 1;
}

/* -L: connect to the syslog socket, a datagram one if it is, else a stream. */
static int
minimal_log_open(const char *path)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "minimal: socket path too long\n");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	log_pid = (int)getpid();
	if ((log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != -1 &&
	    connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return 0;
	if (log_fd != -1)
		close(log_fd);
	log_stream = 1;
	if ((log_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1 &&
	    connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return 0;
	perror("minimal: connect to the syslog socket");
	return -1;
}

/*
 * One record for an answered connection, as long as daytimed's audit
 * record with the same fields (the values are the connection's or fixed:
 * the minimal server judges nothing and does not parse the header).
 */
static void
minimal_log(const struct sockaddr_storage *ss, int port, const char *proto)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char a[INET_ADDRSTRLEN] = "0.0.0.0";
	int n;

	if (ss->ss_family == AF_INET)
		(void)inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	n = snprintf(log_rec[log_n], MINIMAL_REC, "<30>%s minimal[%d]: "
	    "conn=%016llx proto=%s peer=%s:%u via=%s:%u local=127.0.0.1:%d "
	    "decision=allow rule=/tmp/dtproxy.XXXXXX/p.conf:13 ident=- "
	    "ident_status=skipped netblock=127.0.0.0/8 duration_us=7 "
	    "bytes=26%s", log_stamp, log_pid, ++log_seq, proto, a,
	    (unsigned)ntohs(sin->sin_port), a, (unsigned)ntohs(sin->sin_port),
	    port, log_stream ? "\n" : "");
	if (n <= 0 || n >= MINIMAL_REC)
		return;
	if (log_n == 0)
		log_first = minimal_us();
	log_len[log_n++] = (size_t)n;
	if (log_n == MINIMAL_RECS || (log_n == 1 &&
	    log_first - log_last >= MINIMAL_WINDOW))
		minimal_log_flush();
}

/* Now on the monotonic clock, in µs. */
static long long
minimal_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Send the held records: sendmmsg, or one sendmsg of their lines. */
static void
minimal_log_flush(void)
{
	struct mmsghdr mm[MINIMAL_RECS];
	struct iovec iov[MINIMAL_RECS];
	size_t i;

	if (log_n == 0)
		return;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < log_n; i++) {
		iov[i].iov_base = log_rec[i];
		iov[i].iov_len = log_len[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if (log_stream) {
		struct msghdr m;

		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = log_n;
		(void)sendmsg(log_fd, &m, MSG_NOSIGNAL);
	} else
		(void)sendmmsg(log_fd, mm, (unsigned)log_n, 0);
	log_n = 0;
	log_last = minimal_us();
}

/* The daytime line for now: ctime form and CR LF, 26 bytes. */
static int
minimal_line(char *buf, size_t size)
{
	struct tm tm;
	time_t t = time(NULL);

	if (size < MINIMAL_LINE + 1 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%a %b %e %H:%M:%S %Y\r\n", &tm) !=
	    MINIMAL_LINE)
		return -1;
	return 0;
}

/* A bound (and, for TCP, listening) non-blocking socket, or -1. */
static int
minimal_socket(int type, const char *addr, int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "minimal: bad address %s\n", addr);
		return -1;
	}
	if ((fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 511) == -1)) {
		perror("minimal: socket");
		return -1;
	}
	return fd;
}
