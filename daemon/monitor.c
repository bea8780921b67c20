/* SPDX-License-Identifier: ISC */
/*
 * monitor: the monitor process. It serves reload requests with a bundle
 * (loader.h) of the files the configuration reads, forwards signals to
 * the engine and exits with it.
 */
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
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor.h"

#define MONITOR_REQ_RELOAD	'R'
#define MONITOR_READY		'!'

static int			 monitor_fd = -1;	/* to the other side */
static volatile sig_atomic_t	 monitor_pending[NSIG];

/* Write all of buf to the socketpair. */
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

/* Read exactly len bytes from the socketpair. */
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
	struct loader_bundle *b;
	char req = MONITOR_REQ_RELOAD, hdr[4], *buf;
	size_t len;

	(void)arg;
	if (monitor_fd == -1 || monitor_write(monitor_fd, &req, 1) == -1 ||
	    monitor_read(monitor_fd, hdr, 4) == -1) {
		snprintf(err, errlen, "the monitor process is gone");
		return -1;
	}
	len = loader_get32(hdr);
	if (len > LOADER_BUNDLE_MAX + 8 || (buf = malloc(len ? len : 1)) == NULL ||
	    monitor_read(monitor_fd, buf, len) == -1) {
		if (len <= LOADER_BUNDLE_MAX + 8 && buf != NULL)
			free(buf);
		/* The stream is out of step now: no more reloads, say so. */
		close(monitor_fd);
		monitor_fd = -1;
		snprintf(err, errlen, "lost the monitor's configuration channel; "
		    "restart to reload");
		return -1;
	}
	b = loader_bundle_decode(buf, len, LOADER_BUNDLE_MAX);
	free(buf);
	if (b == NULL) {
		snprintf(err, errlen, "bad configuration bundle from the monitor");
		return -1;
	}
	loader_bundle_loader(b, l);
	return 0;
}

/* The reload thread is done with the bundle. */
static void
monitor_put(void *arg, struct config_loader *l)
{
	(void)arg;
	loader_bundle_free(l->arg);
	l->arg = NULL;
}

/* In the engine: wait for the monitor's privilege drop. */
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

/* In the engine: take the signals the split blocked. */
void
monitor_unblock_signals(void)
{
	sigset_t set;

	monitor_sigset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* The monitor's signal handler: note, act in the loop. */
static void
monitor_sig(int sig)
{
	monitor_pending[sig] = 1;
}

/* Serve one reload request: read everything, send it all. */
static void
monitor_serve(int fd, const char *conffile)
{
	struct loader_bundle *b;
	char hdr[4], *buf = NULL;
	size_t len = 0;

	b = loader_bundle_record(conffile, LOADER_BUNDLE_MAX);
	if (b == NULL || loader_bundle_encode(b, &buf, &len) == -1) {
		/* an empty bundle: the engine reports what it cannot read */
		struct loader_bundle empty = { NULL, 0, 0, LOADER_BUNDLE_MAX, 0 };

		free(buf);
		buf = NULL;
		if (loader_bundle_encode(&empty, &buf, &len) == -1)
			fatalx("monitor: out of memory");
	}
	loader_bundle_free(b);
	loader_put32(hdr, (uint32_t)len);
	if (monitor_write(fd, hdr, 4) == -1 || monitor_write(fd, buf, len) == -1)
		log_warnx("monitor: cannot hand the configuration over");
	free(buf);
}

/*
 * The engine is gone: say how when it did not stop cleanly (killed, or a
 * failure exit), remove the pidfile, and exit as it did (1 when killed).
 */
static void __attribute__((noreturn))
monitor_exit(pid_t engine, int status)
{
	if (WIFSIGNALED(status))
		log_warnx("engine (pid %ld) killed by signal %d (%s): stopping",
		    (long)engine, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("engine (pid %ld) exited with status %d: stopping",
		    (long)engine, WEXITSTATUS(status));
	life_pidfile_remove();
	log_flush(500);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
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
			if (waitpid(engine, &status, WNOHANG) == engine)
				monitor_exit(engine, status);
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
				monitor_exit(engine, status);
			}
		}
	}
}

/* Fork the engine off; the parent becomes the monitor. */
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
