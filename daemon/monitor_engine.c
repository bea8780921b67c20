/* SPDX-License-Identifier: ISC */
/*
 * monitor_engine: the engine's end of the channel to the monitor
 * (monitor.c has the grammar): its messages, each written whole under a
 * lock whichever thread writes, and the reload thread's bundles, read
 * blocking off the loop. That read waits MONITOR_WAIT_SECS at most for
 * each next byte: a monitor that sends nothing for so long (stopped with
 * SIGSTOP, or its disk hung) fails the reload, and the engine lets the
 * channel go, since what the monitor sends later would be out of step.
 * Without that bound the reload thread would wait for ever, every later
 * HUP would only be queued behind it, and the engine's stop, which waits
 * for the thread, would never end.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "daemon/config.h"
#include "daemon/life.h"
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/monitor_int.h"
#include "daemon/monmsg.h"
#include "daemon/sigpair.h"

#define MONITOR_OUTCOME_MAX	MONMSG_TEXT_MAX	/* bytes of an error sent */
/*
 * For the monitor's next byte of an answer: far more than it takes to
 * read the largest configuration (LOADER_BUNDLE_MAX) before it sends.
 */
#define MONITOR_WAIT_SECS	60

static int			 monitor_fd = -1;	/* to the other side */
static pthread_mutex_t		 monitor_wlock = PTHREAD_MUTEX_INITIALIZER;

static int	monitor_skip(size_t);

/* In the engine: one whole message to the monitor, whichever thread. */
static int
monitor_send(const char *buf, size_t len)
{
	int rc;

	pthread_mutex_lock(&monitor_wlock);
	rc = monitor_fd == -1 ? -1 : compat_write_all(monitor_fd, buf, len);
	pthread_mutex_unlock(&monitor_wlock);
	return rc;
}

/* In the engine, on the loop: a reload's outcome, for the status file. */
static void
monitor_done(void *arg, const char *error, const char *kept)
{
	char msg[5 + MONITOR_OUTCOME_MAX];
	const char *text = error != NULL ? error : kept;
	size_t len = text != NULL ? strlen(text) : 0;

	(void)arg;
	if (len > MONITOR_OUTCOME_MAX)
		len = MONITOR_OUTCOME_MAX;
	msg[0] = error == NULL && len > 0 ? MONMSG_KEPT : MONMSG_OUTCOME;
	loader_put32(msg + 1, (uint32_t)len);
	if (len > 0)
		memcpy(msg + 5, text, len);
	(void)monitor_send(msg, 5 + len);
}

/*
 * In the engine: a HUP or USR1 from pid, for the monitor to decide on. A
 * sender pid no process can have (rt_sigqueueinfo lets the sender write
 * si_pid) goes as 0, no sender named, which monmsg_parse takes: sent as
 * it is, the monitor would refuse the message and close the channel.
 */
static int
monitor_signal(void *arg, int sig, pid_t from)
{
	char msg[6];

	(void)arg;
	if (from < 0 || from > LIFE_PID_MAX)
		from = 0;
	msg[0] = MONMSG_SIGNAL;
	msg[1] = (char)sig;
	loader_put32(msg + 2, (uint32_t)from);
	return monitor_send(msg, sizeof(msg));
}

/* The engine's reload thread: ask, then take the bundle (blocking, off-loop). */
static int
monitor_get(void *arg, struct config_loader *l, char *err, size_t errlen)
{
	struct loader_bundle *b;
	char req = MONMSG_RELOAD, hdr[4], *buf;
	size_t len;
	int late;

	(void)arg;
	if (monitor_fd == -1 || monitor_send(&req, 1) == -1) {
		snprintf(err, errlen, "the monitor process is gone");
		return -1;
	}
	if (compat_read_all(monitor_fd, hdr, 4) == -1)
		goto lost;
	len = loader_get32(hdr);
	if (len > LOADER_WIRE_MAX(LOADER_BUNDLE_MAX) ||
	    (buf = malloc(len ? len : 1)) == NULL) {
		/*
		 * Read past it, so that the stream stays in step: this reload
		 * fails, the next may not, and the monitor still hears us.
		 */
		if (monitor_skip(len) == -1)
			goto lost;
		if (len > LOADER_WIRE_MAX(LOADER_BUNDLE_MAX))
			snprintf(err, errlen, "a configuration bundle of %zu "
			    "bytes, more than the engine takes", len);
		else
			snprintf(err, errlen, "out of memory for the "
			    "configuration (%zu bytes)", len);
		return -1;
	}
	if (compat_read_all(monitor_fd, buf, len) == -1) {
		free(buf);
		goto lost;
	}
	b = loader_bundle_decode(buf, len, LOADER_BUNDLE_MAX);
	free(buf);
	if (b == NULL) {
		snprintf(err, errlen, "bad configuration bundle from the monitor");
		return -1;
	}
	loader_bundle_loader(b, l);
	return 0;
lost:
	/*
	 * The monitor is gone, silent past MONITOR_WAIT_SECS, or the stream
	 * out of step: no more reloads.
	 */
	late = errno == EAGAIN || errno == EWOULDBLOCK;
	pthread_mutex_lock(&monitor_wlock);
	close(monitor_fd);
	monitor_fd = -1;
	pthread_mutex_unlock(&monitor_wlock);
	if (late)
		snprintf(err, errlen, "the monitor sent no configuration for "
		    "%d s: lost its channel; restart to reload",
		    MONITOR_WAIT_SECS);
	else
		snprintf(err, errlen, "lost the monitor's configuration "
		    "channel; restart to reload");
	return -1;
}

/* The reload thread: read and drop len bytes of the stream; 0 or -1. */
static int
monitor_skip(size_t len)
{
	char buf[4096];
	size_t n;

	for (; len > 0; len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (compat_read_all(monitor_fd, buf, n) == -1)
			return -1;
	}
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
	if (compat_read_all(monitor_fd, &c, 1) == -1 || c != MONITOR_READY_BYTE) {
		log_warnx("the monitor process failed to start");
		return -1;
	}
	return 0;
}

void
monitor_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGCHLD);
	/* What the monitor forwards HUP and USR1 as (sigpair.h). */
	sigaddset(set, sigpair_forward(SIGHUP));
	sigaddset(set, sigpair_forward(SIGUSR1));
}

/* In the engine: take the signals the split blocked; tell the monitor. */
int
monitor_engine_up(void)
{
	struct timeval wait = { MONITOR_WAIT_SECS, 0 };
	char up = MONMSG_UP;
	sigset_t set;

	/* Past monitor_wait_ready: only the reload thread reads now. */
	if (setsockopt(monitor_fd, SOL_SOCKET, SO_RCVTIMEO, &wait,
	    sizeof(wait)) == -1)
		log_warn("the monitor's channel: SO_RCVTIMEO");
	monitor_sigset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return monitor_send(&up, 1);
}

/* In the engine, just forked: the channel, and the reload source on it. */
void
monitor_engine_init(int fd, struct reload_source *src)
{
	monitor_fd = fd;
	src->get = monitor_get;
	src->put = monitor_put;
	src->done = monitor_done;
	src->signal = monitor_signal;
	src->arg = NULL;
}
