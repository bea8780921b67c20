/* SPDX-License-Identifier: ISC */
/*
 * loadgen -- a bounded, non-blocking load generator for daytime servers.
 *
 *   loadgen -p PORT [-a ADDR] [-c N] [-n COUNT] [-d SECONDS] [-w SECONDS]
 *           [-r RATE] [-s SRCADDR] [-u] [-A] [-R]
 *
 * Keeps N connections (or UDP requests) in flight with epoll until COUNT
 * have been started or SECONDS have passed, whichever comes first; it
 * always stops.  TCP: connect, read until EOF, check the 26-byte ctime
 * line, close.  UDP (-u): send one byte, check the one datagram.  Each
 * socket is bound to a source address cycling over 127.0.1.1 ..
 * 127.0.255.254 (IP_BIND_ADDRESS_NO_PORT, port 0) so that ephemeral ports
 * never run out; -s pins one source address instead.  -w bounds each
 * exchange (default 10 s).  -A accepts any answer of one line ending in
 * CR LF, up to 64 bytes (xinetd's daytime is not in ctime form).  -r
 * starts at most RATE exchanges a second (to open many connections
 * without overflowing the server's listen queue).  -R closes each TCP
 * connection with a reset once it is over (SO_LINGER 0): the server's
 * socket, waiting in FIN_WAIT_2, then leaves no TIME_WAIT behind, so a
 * run does not grow the host's socket table for the runs after it.
 *
 * Prints one line of key=value pairs on stdout:
 *   proto= c= ok= err= err_connect= err_closed= err_reset= err_bad=
 *   err_timeout= unfinished= elapsed_s= rate= p50_us= p99_us= max_us=
 * latency is measured from socket() to EOF (TCP) or to the answer (UDP).
 * Exit 0 when it ran (errors or not), 2 on a usage or setup error.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define LOADGEN_LINE	26	/* "Thu Nov 26 10:32:52 2026\r\n" */
#define LOADGEN_BUF	64
#define LOADGEN_EVENTS	256
#define LOADGEN_SCAN_MS	100	/* how often to look for timed-out slots */

/* How one exchange ended. */
enum { LG_OK, LG_CONNECT, LG_CLOSED, LG_RESET, LG_BAD, LG_TIMEOUT, LG_ABANDON };

struct slot {
	int		fd;		/* -1: free */
	uint64_t	start;		/* ns, CLOCK_MONOTONIC */
	size_t		len;
	unsigned char	buf[LOADGEN_BUF];
};

struct loadgen {
	struct sockaddr_in dst;
	struct in_addr	src;		/* pinned source, when pin */
	int		pin;
	int		udp;
	int		anyline;	/* -A */
	int		reset;		/* -R: close with a reset */
	unsigned	conc;
	uint64_t	rate;		/* starts per second, 0: any */
	uint64_t	t0;		/* ns */
	uint64_t	count;		/* 0: unbounded (duration bounds) */
	uint64_t	deadline;	/* ns */
	uint64_t	timeout;	/* ns, per connection */
	uint32_t	srcnext;	/* next host index in the spread */
	int		ep;
	struct slot	*slots;
	uint64_t	started, ok, err_connect, err_closed, err_reset,
			err_bad, err_timeout, unfinished;
	uint32_t	*lat;		/* microseconds, one per ok */
	size_t		nlat, caplat;
};

static volatile sig_atomic_t loadgen_stop;

static void	 loadgen_usage(void) __attribute__((noreturn));
static int	 loadgen_num(const char *, unsigned long long,
		    unsigned long long, unsigned long long *);
static uint64_t	 loadgen_now(void);
static void	 loadgen_onsig(int);
static int	 loadgen_want_more(const struct loadgen *, uint64_t);
static int	 loadgen_rate_ok(const struct loadgen *, uint64_t);
static void	 loadgen_start(struct loadgen *, unsigned);
static void	 loadgen_next_src(struct loadgen *, struct in_addr *);
static void	 loadgen_finish(struct loadgen *, unsigned, int);
static void	 loadgen_readable(struct loadgen *, unsigned, uint32_t);
static int	 loadgen_line_ok(const struct loadgen *, const unsigned char *,
		    size_t);
static void	 loadgen_record(struct loadgen *, uint64_t);
static int	 loadgen_cmp(const void *, const void *);
static void	 loadgen_report(struct loadgen *, uint64_t);

int
main(int argc, char *argv[])
{
	struct loadgen lg;
	struct epoll_event evs[LOADGEN_EVENTS];
	struct sigaction sa;
	unsigned long long v;
	uint64_t t0, now, lastscan;
	double dur = 10.0, wait = 10.0;
	const char *addr = "127.0.0.1";
	unsigned i, inflight;
	int ch, n, k, port = -1;

	memset(&lg, 0, sizeof(lg));
	lg.conc = 64;
	while ((ch = getopt(argc, argv, "Aa:c:d:n:p:Rr:s:uw:")) != -1) {
		switch (ch) {
		case 'A':
			lg.anyline = 1;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'c':
			if (loadgen_num(optarg, 1, 1000000, &v) == -1)
				loadgen_usage();
			lg.conc = (unsigned)v;
			break;
		case 'd':
		case 'w': {
			char *end;
			double d;

			errno = 0;
			d = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(d > 0.0 && d <= 86400.0))
				loadgen_usage();
			if (ch == 'd')
				dur = d;
			else
				wait = d;
			break;
		}
		case 'n':
			if (loadgen_num(optarg, 1, 1000000000ULL, &v) == -1)
				loadgen_usage();
			lg.count = v;
			break;
		case 'p':
			if (loadgen_num(optarg, 1, 65535, &v) == -1)
				loadgen_usage();
			port = (int)v;
			break;
		case 'r':
			if (loadgen_num(optarg, 1, 10000000, &v) == -1)
				loadgen_usage();
			lg.rate = v;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &lg.src) != 1)
				loadgen_usage();
			lg.pin = 1;
			break;
		case 'R':
			lg.reset = 1;
			break;
		case 'u':
			lg.udp = 1;
			break;
		default:
			loadgen_usage();
		}
	}
	if (optind != argc || port == -1)
		loadgen_usage();
	lg.dst.sin_family = AF_INET;
	lg.dst.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &lg.dst.sin_addr) != 1)
		loadgen_usage();
	if (lg.count != 0 && lg.conc > lg.count)
		lg.conc = (unsigned)lg.count;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loadgen_onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lg.slots = calloc(lg.conc, sizeof(*lg.slots))) == NULL ||
	    (lg.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("loadgen: setup");
		return 2;
	}
	for (i = 0; i < lg.conc; i++)
		lg.slots[i].fd = -1;

	t0 = lg.t0 = loadgen_now();
	lg.deadline = t0 + (uint64_t)(dur * 1e9);
	lg.timeout = (uint64_t)(wait * 1e9);
	for (i = 0; i < lg.conc && loadgen_want_more(&lg, t0); i++)
		loadgen_start(&lg, i);
	lastscan = t0;

	for (;;) {
		now = loadgen_now();
		if (now >= lg.deadline || loadgen_stop)
			break;
		inflight = 0;
		for (i = 0; i < lg.conc; i++)
			if (lg.slots[i].fd != -1)
				inflight++;
		if (inflight == 0 && !loadgen_want_more(&lg, now))
			break;
		n = epoll_wait(lg.ep, evs, LOADGEN_EVENTS,
		    lg.rate != 0 && inflight < lg.conc ? 1 : LOADGEN_SCAN_MS);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("loadgen: epoll_wait");
			return 2;
		}
		for (k = 0; k < n; k++)
			loadgen_readable(&lg, evs[k].data.u32, evs[k].events);
		/* Slots left idle by the rate limit. */
		for (i = 0; lg.rate != 0 && i < lg.conc; i++)
			if (lg.slots[i].fd == -1)
				loadgen_start(&lg, i);
		now = loadgen_now();
		if (now - lastscan >= (uint64_t)LOADGEN_SCAN_MS * 1000000) {
			lastscan = now;
			for (i = 0; i < lg.conc; i++)
				if (lg.slots[i].fd != -1 &&
				    now - lg.slots[i].start >= lg.timeout)
					loadgen_finish(&lg, i, LG_TIMEOUT);
		}
	}
	now = loadgen_now();
	for (i = 0; i < lg.conc; i++)
		if (lg.slots[i].fd != -1)
			loadgen_finish(&lg, i, LG_ABANDON);
	loadgen_report(&lg, now - t0);
	return 0;
}

static void
loadgen_usage(void)
{
	fprintf(stderr, "usage: loadgen -p PORT [-a ADDR] [-c N] [-n COUNT] "
	    "[-d SECONDS] [-w SECONDS] [-r RATE] [-s SRCADDR] [-u] [-A] [-R]\n");
	exit(2);
}

/* A decimal number in [min, max], or -1. */
static int
loadgen_num(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

static uint64_t
loadgen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
loadgen_onsig(int sig)
{
	(void)sig;
	loadgen_stop = 1;
}

/* Whether another connection may start: count and time both bound it. */
static int
loadgen_want_more(const struct loadgen *lg, uint64_t now)
{
	if (loadgen_stop || now >= lg->deadline)
		return 0;
	return lg->count == 0 || lg->started < lg->count;
}

/* Whether the rate limit, if any, lets one more start now. */
static int
loadgen_rate_ok(const struct loadgen *lg, uint64_t now)
{
	return lg->rate == 0 ||
	    lg->started < 1 + lg->rate * (now - lg->t0) / 1000000000ULL;
}

/* The next source address of the spread: 127.0.1.1 .. 127.0.255.254. */
static void
loadgen_next_src(struct loadgen *lg, struct in_addr *a)
{
	uint32_t host;

	for (;;) {
		host = 256 + (lg->srcnext++ % (65536 - 256));
		if ((host & 0xff) != 0 && (host & 0xff) != 0xff)
			break;
	}
	a->s_addr = htonl(0x7f000000u | host);
}

/* Open a socket in slot i and start its exchange; failures are counted. */
static void
loadgen_start(struct loadgen *lg, unsigned i)
{
	struct slot *s = &lg->slots[i];
	struct sockaddr_in src;
	struct epoll_event ev;
	int fd, one = 1;

	for (;;) {
		if (!loadgen_want_more(lg, loadgen_now()) ||
		    !loadgen_rate_ok(lg, loadgen_now()))
			return;
		lg->started++;
		s->start = loadgen_now();
		s->len = 0;
		fd = socket(AF_INET, (lg->udp ? SOCK_DGRAM : SOCK_STREAM) |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			perror("loadgen: socket");
			lg->err_connect++;
			loadgen_stop = 1;	/* EMFILE and friends: stop */
			return;
		}
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		if (lg->pin)
			src.sin_addr = lg->src;
		else
			loadgen_next_src(lg, &src.sin_addr);
		if (!lg->udp)
			(void)setsockopt(fd, IPPROTO_IP,
			    IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
		    (connect(fd, (struct sockaddr *)&lg->dst,
		    sizeof(lg->dst)) == -1 && errno != EINPROGRESS) ||
		    (lg->udp && send(fd, "\n", 1, 0) != 1)) {
			close(fd);
			lg->err_connect++;
			continue;
		}
		/*
		 * No EPOLLOUT: a refused connect shows as EPOLLERR, a good one
		 * as EPOLLIN when the line (or EOF) arrives.
		 */
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.u32 = i;
		if (epoll_ctl(lg->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			perror("loadgen: epoll_ctl");
			close(fd);
			loadgen_stop = 1;
			return;
		}
		s->fd = fd;
		return;
	}
}

/* Close slot i, count its outcome, and start the next exchange in it. */
static void
loadgen_finish(struct loadgen *lg, unsigned i, int result)
{
	struct slot *s = &lg->slots[i];

	if (lg->reset && !lg->udp) {
		struct linger lo = { 1, 0 };

		(void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lo, sizeof(lo));
	}
	close(s->fd);	/* also removes it from the epoll set */
	s->fd = -1;
	switch (result) {
	case LG_OK:
		lg->ok++;
		loadgen_record(lg, loadgen_now() - s->start);
		break;
	case LG_CONNECT:
		lg->err_connect++;
		break;
	case LG_CLOSED:
		lg->err_closed++;
		break;
	case LG_RESET:
		lg->err_reset++;
		break;
	case LG_BAD:
		lg->err_bad++;
		break;
	case LG_TIMEOUT:
		lg->err_timeout++;
		break;
	default:
		lg->unfinished++;
		return;
	}
	loadgen_start(lg, i);
}

/* Read what slot i has; finish it on EOF (TCP), a datagram (UDP) or error. */
static void
loadgen_readable(struct loadgen *lg, unsigned i, uint32_t events)
{
	struct slot *s = &lg->slots[i];
	unsigned char junk[LOADGEN_BUF];
	ssize_t r;
	int err;
	socklen_t elen = sizeof(err);

	if (i >= lg->conc || s->fd == -1)
		return;
	if (lg->udp) {
		r = recv(s->fd, s->buf, sizeof(s->buf), 0);
		if (r == -1 && errno == EAGAIN)
			return;
		if (r == -1)
			loadgen_finish(lg, i, errno == ECONNREFUSED ?
			    LG_CONNECT : LG_RESET);
		else
			loadgen_finish(lg, i, loadgen_line_ok(lg, s->buf,
			    (size_t)r) ? LG_OK : LG_BAD);
		return;
	}
	for (;;) {
		if (s->len < sizeof(s->buf))
			r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
		else
			r = read(s->fd, junk, sizeof(junk));
		if (r > 0) {
			if (s->len < sizeof(s->buf))
				s->len += (size_t)r;
			else
				s->len = sizeof(s->buf) + 1;	/* too long */
			continue;
		}
		if (r == 0) {
			if (s->len == 0)
				loadgen_finish(lg, i, LG_CLOSED);
			else
				loadgen_finish(lg, i,
				    loadgen_line_ok(lg, s->buf, s->len) ?
				    LG_OK : LG_BAD);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if (events & (EPOLLERR | EPOLLHUP)) {
				if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR,
				    &err, &elen) == -1)
					err = errno;
				loadgen_finish(lg, i, err == ECONNREFUSED ?
				    LG_CONNECT : LG_RESET);
			}
			return;
		}
		if (errno == ECONNREFUSED || errno == ETIMEDOUT ||
		    errno == ENETUNREACH || errno == EHOSTUNREACH)
			loadgen_finish(lg, i, s->len == 0 ? LG_CONNECT : LG_BAD);
		else
			loadgen_finish(lg, i, LG_RESET);
		return;
	}
}

/* Exactly one ctime line and CR LF: "Www Mmm dD hh:mm:ss yyyy\r\n". */
static int
loadgen_line_ok(const struct loadgen *lg, const unsigned char *b, size_t len)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char shape[] = "Aaa Aaa _9 99:99:99 9999\r\n";
	size_t i;
	int found;

	if (lg->anyline)
		return len >= 3 && len <= LOADGEN_BUF && b[len - 2] == '\r' &&
		    b[len - 1] == '\n' && memchr(b, '\n', len - 1) == NULL;
	if (len != LOADGEN_LINE)
		return 0;
	for (i = 0; i < LOADGEN_LINE; i++) {
		switch (shape[i]) {
		case '9':
			if (b[i] < '0' || b[i] > '9')
				return 0;
			break;
		case '_':
			if (b[i] != ' ' && (b[i] < '1' || b[i] > '3'))
				return 0;
			break;
		case 'A':
		case 'a':
			break;
		default:
			if (b[i] != (unsigned char)shape[i])
				return 0;
		}
	}
	found = 0;
	for (i = 0; i < sizeof(days) - 1; i += 3)
		if (memcmp(b, days + i, 3) == 0)
			found = 1;
	if (!found)
		return 0;
	for (i = 0; i < sizeof(months) - 1; i += 3)
		if (memcmp(b + 4, months + i, 3) == 0)
			return 1;
	return 0;
}

/* Keep one latency sample, in microseconds. */
static void
loadgen_record(struct loadgen *lg, uint64_t ns)
{
	uint32_t *p;
	size_t cap;
	uint64_t us = ns / 1000;

	if (lg->nlat == lg->caplat) {
		cap = lg->caplat == 0 ? 65536 : lg->caplat * 2;
		if ((p = realloc(lg->lat, cap * sizeof(*p))) == NULL)
			return;		/* samples lost, counts still right */
		lg->lat = p;
		lg->caplat = cap;
	}
	lg->lat[lg->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int
loadgen_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The one key=value line. */
static void
loadgen_report(struct loadgen *lg, uint64_t elapsed)
{
	double secs = (double)elapsed / 1e9;
	uint32_t p50 = 0, p99 = 0, max = 0;
	uint64_t err;

	if (lg->nlat > 0) {
		qsort(lg->lat, lg->nlat, sizeof(*lg->lat), loadgen_cmp);
		p50 = lg->lat[(lg->nlat - 1) * 50 / 100];
		p99 = lg->lat[(lg->nlat - 1) * 99 / 100];
		max = lg->lat[lg->nlat - 1];
	}
	err = lg->err_connect + lg->err_closed + lg->err_reset + lg->err_bad +
	    lg->err_timeout;
	printf("proto=%s c=%u ok=%llu err=%llu err_connect=%llu "
	    "err_closed=%llu err_reset=%llu err_bad=%llu err_timeout=%llu "
	    "unfinished=%llu elapsed_s=%.3f rate=%.0f p50_us=%u p99_us=%u "
	    "max_us=%u\n", lg->udp ? "udp" : "tcp", lg->conc,
	    (unsigned long long)lg->ok, (unsigned long long)err,
	    (unsigned long long)lg->err_connect,
	    (unsigned long long)lg->err_closed,
	    (unsigned long long)lg->err_reset,
	    (unsigned long long)lg->err_bad,
	    (unsigned long long)lg->err_timeout,
	    (unsigned long long)lg->unfinished, secs,
	    secs > 0 ? (double)lg->ok / secs : 0.0, p50, p99, max);
	fflush(stdout);
}
