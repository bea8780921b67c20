/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/life.h"
#include "daemon/log.h"
#include "daemon/monitor.h"

#define MONITOR_REQ_RELOAD	'R'
#define MONITOR_READY		'!'
#define MONITOR_MAGIC		0x64746231u	/* "dtb1" */

enum bundle_kind { BUNDLE_GLOB = 'G', BUNDLE_FILE = 'F', BUNDLE_ERROR = 'E' };

struct bundle_entry {
	enum bundle_kind	 kind;
	char			*name;
	char			*data;	/* GLOB: NUL-separated names */
	size_t			 len;
};

struct monitor_bundle {
	struct bundle_entry	*e;
	size_t			 n;
	size_t			 bytes;
	int			 full;	/* over MONITOR_BUNDLE_MAX */
};

static int			 monitor_fd = -1;	/* to the other side */
static volatile sig_atomic_t	 monitor_pending[NSIG];

static int	bundle_add(struct monitor_bundle *, enum bundle_kind,
		    const char *, const char *, size_t);

/* The bundle keeps what the disk loader returned, in order. */
static int
bundle_add(struct monitor_bundle *b, enum bundle_kind kind, const char *name,
    const char *data, size_t len)
{
	struct bundle_entry *e;

	if (b->full || b->bytes + strlen(name) + len + 16 > MONITOR_BUNDLE_MAX) {
		b->full = 1;
		return -1;
	}
	if ((e = reallocarray(b->e, b->n + 1, sizeof(*e))) == NULL)
		return -1;
	b->e = e;
	e = &b->e[b->n];
	if ((e->name = strdup(name)) == NULL)
		return -1;
	if ((e->data = malloc(len + 1)) == NULL) {
		free(e->name);
		return -1;
	}
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->kind = kind;
	b->n++;
	b->bytes += strlen(name) + len + 16;
	return 0;
}

static int
record_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	struct monitor_bundle *b = arg;
	char *list = NULL;
	size_t len = 0, i;
	int rc;

	rc = config_disk_loader.glob(NULL, pattern, names, n, err, errlen);
	if (rc == -1) {
		bundle_add(b, BUNDLE_ERROR, pattern, err, strlen(err));
		return -1;
	}
	for (i = 0; i < *n; i++)
		len += strlen((*names)[i]) + 1;
	if (len > 0 && (list = malloc(len)) == NULL) {
		for (i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (len = 0, i = 0; i < *n; i++) {
		size_t l = strlen((*names)[i]) + 1;

		memcpy(list + len, (*names)[i], l);
		len += l;
	}
	bundle_add(b, BUNDLE_GLOB, pattern, list != NULL ? list : "", len);
	free(list);
	return 0;
}

static int
record_read(void *arg, const char *name, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct monitor_bundle *b = arg;

	if (config_disk_loader.read(NULL, name, buf, len, err, errlen) == -1) {
		bundle_add(b, BUNDLE_ERROR, name, err, strlen(err));
		return -1;
	}
	if (bundle_add(b, BUNDLE_FILE, name, *buf, *len) == -1) {
		snprintf(err, errlen, "configuration too large to hand over");
		bundle_add(b, BUNDLE_ERROR, name, err, strlen(err));
	}
	return 0;
}

/* Read the configuration the way the parser does, keeping every byte. */
struct monitor_bundle *
monitor_bundle_record(const char *conffile)
{
	struct monitor_bundle *b;
	struct config_loader l = { record_glob, record_read, NULL };
	struct config *conf;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	l.arg = b;
	conf = config_load(conffile, &l, NULL, NULL);
	config_free(conf);
	return b;
}

void
monitor_bundle_free(struct monitor_bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->e[i].name);
		free(b->e[i].data);
	}
	free(b->e);
	free(b);
}

static void
put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

static uint32_t
get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* magic, count, then per entry: kind, name length, name, data length, data. */
int
monitor_bundle_encode(const struct monitor_bundle *b, char **out,
    size_t *outlen)
{
	size_t len = 8, i, o;
	char *buf;

	for (i = 0; i < b->n; i++)
		len += 9 + strlen(b->e[i].name) + b->e[i].len;
	if (len > MONITOR_BUNDLE_MAX + 8 || (buf = malloc(len)) == NULL)
		return -1;
	put32(buf, MONITOR_MAGIC);
	put32(buf + 4, (uint32_t)b->n);
	for (o = 8, i = 0; i < b->n; i++) {
		size_t nl = strlen(b->e[i].name);

		buf[o++] = (char)b->e[i].kind;
		put32(buf + o, (uint32_t)nl);
		memcpy(buf + o + 4, b->e[i].name, nl);
		o += 4 + nl;
		put32(buf + o, (uint32_t)b->e[i].len);
		memcpy(buf + o + 4, b->e[i].data, b->e[i].len);
		o += 4 + b->e[i].len;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* The engine checks every length: the monitor is trusted, bugs are not. */
struct monitor_bundle *
monitor_bundle_decode(const char *buf, size_t len)
{
	struct monitor_bundle *b;
	size_t o = 8, i, n;

	if (len < 8 || get32(buf) != MONITOR_MAGIC)
		return NULL;
	n = get32(buf + 4);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t nl, dl;
		char kind, *name;

		if (len - o < 5)
			goto bad;
		kind = buf[o];
		nl = get32(buf + o + 1);
		o += 5;
		if (nl == 0 || nl > len - o || memchr(buf + o, '\0', nl) != NULL)
			goto bad;
		if ((name = strndup(buf + o, nl)) == NULL)
			goto bad;
		o += nl;
		if (len - o < 4) {
			free(name);
			goto bad;
		}
		dl = get32(buf + o);
		o += 4;
		if (dl > len - o || (kind != BUNDLE_GLOB && kind != BUNDLE_FILE &&
		    kind != BUNDLE_ERROR) ||
		    bundle_add(b, (enum bundle_kind)kind, name, buf + o, dl) == -1) {
			free(name);
			goto bad;
		}
		free(name);
		o += dl;
	}
	if (o != len)
		goto bad;
	return b;
bad:
	monitor_bundle_free(b);
	return NULL;
}

static const struct bundle_entry *
bundle_find(const struct monitor_bundle *b, const char *name, int glob)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->e[i].name, name) == 0 &&
		    (glob ? b->e[i].kind == BUNDLE_GLOB :
		    b->e[i].kind != BUNDLE_GLOB))
			return &b->e[i];
	for (i = 0; glob && i < b->n; i++)
		if (b->e[i].kind == BUNDLE_ERROR && strcmp(b->e[i].name, name) == 0)
			return &b->e[i];
	return NULL;
}

static int
bundle_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	const struct bundle_entry *e = bundle_find(arg, pattern, 1);
	size_t i, k, o;

	*names = NULL;
	*n = 0;
	if (e == NULL || e->kind == BUNDLE_ERROR) {
		snprintf(err, errlen, "%s", e != NULL ? e->data :
		    "not read by the monitor");
		return -1;
	}
	for (k = 0, i = 0; i < e->len; i++)
		k += e->data[i] == '\0';
	if (k == 0)
		return 0;
	if ((*names = calloc(k, sizeof(char *))) == NULL)
		return -1;
	for (o = 0, i = 0; i < k; i++) {
		if (((*names)[i] = strdup(e->data + o)) == NULL) {
			while (i > 0)
				free((*names)[--i]);
			free(*names);
			*names = NULL;
			return -1;
		}
		o += strlen(e->data + o) + 1;
	}
	*n = k;
	return 0;
}

static int
bundle_read(void *arg, const char *name, char **buf, size_t *len, char *err,
    size_t errlen)
{
	const struct bundle_entry *e = bundle_find(arg, name, 0);

	if (e == NULL || e->kind == BUNDLE_ERROR) {
		snprintf(err, errlen, "%s", e != NULL ? e->data :
		    "not read by the monitor");
		return -1;
	}
	if ((*buf = malloc(e->len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*buf, e->data, e->len + 1);
	*len = e->len;
	return 0;
}

void
monitor_bundle_loader(struct monitor_bundle *b, struct config_loader *l)
{
	l->glob = bundle_glob;
	l->read = bundle_read;
	l->arg = b;
}

static int
monitor_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
monitor_read(int fd, char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The engine's reload thread: ask, then take the bundle (blocking, off-loop). */
static int
monitor_get(void *arg, struct config_loader *l, char *err, size_t errlen)
{
	struct monitor_bundle *b;
	char req = MONITOR_REQ_RELOAD, hdr[4], *buf;
	size_t len;

	(void)arg;
	if (monitor_fd == -1 || monitor_write(monitor_fd, &req, 1) == -1 ||
	    monitor_read(monitor_fd, hdr, 4) == -1) {
		snprintf(err, errlen, "the monitor process is gone");
		return -1;
	}
	len = get32(hdr);
	if (len > MONITOR_BUNDLE_MAX + 8 || (buf = malloc(len ? len : 1)) == NULL ||
	    monitor_read(monitor_fd, buf, len) == -1) {
		if (len <= MONITOR_BUNDLE_MAX + 8 && buf != NULL)
			free(buf);
		/* The stream is out of step now: no more reloads, say so. */
		close(monitor_fd);
		monitor_fd = -1;
		snprintf(err, errlen, "lost the monitor's configuration channel; "
		    "restart to reload");
		return -1;
	}
	b = monitor_bundle_decode(buf, len);
	free(buf);
	if (b == NULL) {
		snprintf(err, errlen, "bad configuration bundle from the monitor");
		return -1;
	}
	monitor_bundle_loader(b, l);
	return 0;
}

static void
monitor_put(void *arg, struct config_loader *l)
{
	(void)arg;
	monitor_bundle_free(l->arg);
	l->arg = NULL;
}

int
monitor_wait_ready(void)
{
	char c;

	/* The privilege drop cleared the parent-death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1) {
		log_warn("PR_SET_PDEATHSIG");
		return -1;
	}
	if (monitor_read(monitor_fd, &c, 1) == -1 || c != MONITOR_READY) {
		log_warnx("the monitor process failed to start");
		return -1;
	}
	return 0;
}

/* The signals the monitor forwards, and SIGCHLD. */
static void
monitor_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGCHLD);
}

void
monitor_unblock_signals(void)
{
	sigset_t set;

	monitor_sigset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void
monitor_sig(int sig)
{
	monitor_pending[sig] = 1;
}

/* Serve one reload request: read everything, send it all. */
static void
monitor_serve(int fd, const char *conffile)
{
	struct monitor_bundle *b;
	char hdr[4], *buf = NULL;
	size_t len = 0;

	b = monitor_bundle_record(conffile);
	if (b == NULL || monitor_bundle_encode(b, &buf, &len) == -1) {
		/* an empty bundle: the engine reports what it cannot read */
		struct monitor_bundle empty = { NULL, 0, 0, 0 };

		free(buf);
		buf = NULL;
		if (monitor_bundle_encode(&empty, &buf, &len) == -1)
			fatalx("monitor: out of memory");
	}
	monitor_bundle_free(b);
	put32(hdr, (uint32_t)len);
	if (monitor_write(fd, hdr, 4) == -1 || monitor_write(fd, buf, len) == -1)
		log_warnx("monitor: cannot hand the configuration over");
	free(buf);
}

/* The monitor's life: requests, signals to forward, the engine's end. */
static void __attribute__((noreturn))
monitor_main(int fd, pid_t engine, const char *conffile)
{
	static const int fwd[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	struct sigaction sa;
	struct pollfd pfd;
	sigset_t block, empty;
	size_t i;
	int status;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = monitor_sig;
	sigemptyset(&block);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) {
		sigaction(fwd[i], &sa, NULL);
		sigaddset(&block, fwd[i]);
	}
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &empty) == -1 && errno != EINTR)
			fatal("monitor: poll");
		for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
			if (monitor_pending[fwd[i]]) {
				monitor_pending[fwd[i]] = 0;
				kill(engine, fwd[i]);
			}
		if (monitor_pending[SIGCHLD]) {
			monitor_pending[SIGCHLD] = 0;
			if (waitpid(engine, &status, WNOHANG) == engine) {
				life_pidfile_remove();
				log_flush(500);
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fd, &c, 1);

			if (n == 1 && c == MONITOR_REQ_RELOAD)
				monitor_serve(fd, conffile);
			else if (n == 0 || (n == -1 && errno != EINTR)) {
				/* the engine is gone: reap it and go */
				while (waitpid(engine, &status, 0) == -1 &&
				    errno == EINTR)
					;
				life_pidfile_remove();
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
			}
		}
	}
}

int
monitor_split(const char *conffile, const struct life_user *u,
    struct listen_set *ls, struct reload_source *src)
{
	char ready = MONITOR_READY;
	sigset_t block;
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("socketpair");
		return -1;
	}
	/*
	 * Signals stay blocked across the fork: the monitor takes them only
	 * inside ppoll, the engine once its loop has its handlers.
	 */
	monitor_sigset(&block);
	sigprocmask(SIG_BLOCK, &block, NULL);
	log_flush(1000);	/* a queued message must not be sent twice */
	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0) {
		close(sp[0]);
		monitor_fd = sp[1];
		log_setpid(getpid());
		/* Should the monitor die, the engine stops too. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1 ||
		    getppid() == 1)
			return -1;
		src->get = monitor_get;
		src->put = monitor_put;
		src->arg = NULL;
		return 0;
	}
	/* The monitor: no client socket, no root, no starter pipe. */
	close(sp[1]);
	listen_free(ls);
	if (life_drop(NULL, u) == -1)
		_exit(1);
	life_forget_starter();
	if (monitor_write(sp[0], &ready, 1) == -1)
		_exit(1);
	monitor_main(sp[0], pid, conffile);
}
