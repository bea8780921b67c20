/* SPDX-License-Identifier: ISC */
/*
 * monitor: the monitor process. It serves reload requests with a bundle
 * (loader.h) of the files the configuration reads, forwards signals to
 * the engine and exits with it. It logs on a syslog connection of its
 * own, made as it forks (log_after_fork): the engine keeps the sink it
 * inherits, queue and connection, so the two never write one stream.
 *
 * The socketpair carries, engine to monitor: 'U' (up: the engine has
 * dropped its privileges and its loop takes signals), 'R' (send the
 * files), 'S' SIG PID[4] (a signal reached the engine from PID: the
 * monitor decides, sigpair.h) and 'O' LEN[4] TEXT (a reload's outcome:
 * LEN 0 is "ok", else the first error) or 'K' LEN[4] TEXT (it took, and
 * kept TEXT as it was until a restart), which the monitor writes to the
 * status file (status.h); monitor to engine, '!' once (the monitor has
 * dropped its privileges) and the answers to 'R': LEN[4] BUNDLE. The
 * engine's reload thread and its loop both write: a lock keeps their
 * messages whole. The monitor reads the engine's bytes into the pure
 * parser of that grammar (monmsg.h), which checks every field's range
 * and says how many bytes more it wants, never one past the message.
 *
 * The monitor forwards no signal before 'U': until the engine's drop,
 * the unprivileged monitor may not signal it (kill gives EPERM), and a
 * HUP or TERM sent then would be lost. They wait in the monitor instead.
 * Once it has forwarded a TERM or INT, an engine still there after
 * MONITOR_STOP_SECS and stopped (SIGSTOP) is killed, one still running
 * after MONITOR_STOP_MAX_SECS too (a stopped engine would otherwise keep
 * both processes and the listeners forever). A bundle is sent as the
 * socket takes it, the loop polling for the rest (monitor_send.h), so
 * that an engine stopped in the middle of one holds no signal up; a stop
 * forwarded meanwhile abandons it.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "daemon/config.h"
#include "daemon/life.h"
#include "daemon/life_start.h"
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/monitor_int.h"
#include "daemon/monitor_send.h"
#include "daemon/monmsg.h"
#include "daemon/proctitle.h"
#include "daemon/sigpair.h"
#include "daemon/status.h"

#define MONITOR_OUTCOME_MAX	MONMSG_TEXT_MAX	/* bytes of an error kept */
#define MONITOR_GRACE_SECS	5	/* for an engine that closed its channel */
#define MONITOR_MSG_SECS	5	/* for the rest of a message begun */
/*
 * For the engine to stop once a TERM or INT has reached it: its own stop
 * takes 1 s of drain, 0.1 s more out of descriptors (daytimed(8)) and
 * two log flushes of at most 1 s each for a syslog that is away. Still
 * there past this and stopped (SIGSTOP: state T, or t), the monitor
 * kills it; still running, it may be finishing a reload, which its stop
 * waits for (seconds, for millions of rules), and is looked at again
 * every MONITOR_STOP_SECS up to MONITOR_STOP_MAX_SECS.
 */
#define MONITOR_STOP_SECS	5
#define MONITOR_STOP_MAX_SECS	60
/*
 * ppoll failing with ENOMEM (poll(2): no memory for its tables, for
 * now) is tried again this often, this many times in a row (10 s), as
 * the kernel may find the memory; only then is it fatal.
 */
#define MONITOR_POLL_RETRY_MS	100
#define MONITOR_POLL_TRIES	100

static volatile sig_atomic_t	 monitor_pending[NSIG];
static volatile sig_atomic_t	 monitor_from[NSIG];	/* the sender's pid */

/* The monitor's signal handler: note who sent what, act in the loop. */
static void
monitor_sig(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	monitor_from[sig] = si != NULL ? si->si_pid : 0;
	monitor_pending[sig] = 1;
}

/* What the status file says, kept to rewrite it, and the signal pairs. */
struct monitor_state {
	unsigned long long	 reads;		/* files read for the engine */
	unsigned long long	 done;		/* the read of the last outcome */
	const char		*result;	/* "starting", "ok", "failed" */
	char			 error[MONITOR_OUTCOME_MAX + 1];
	struct sigpair		 pairs;
	struct monitor_out	 out;		/* the answer being sent */
};

/* Rewrite the status file from the state. */
static void
monitor_status(const struct monitor_state *ms)
{
	status_write(getpid(), ms->reads, ms->done, ms->result,
	    ms->error[0] != '\0' ? ms->error : NULL);
}

/* The monotonic clock in µs, for the signal pairs. */
static uint64_t
monitor_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Signal the engine: 0, or -1 when it did not arrive, said (ESRCH is no
 * failure: the engine is going, SIGCHLD tells).
 */
static int
monitor_kill(pid_t engine, int sig)
{
	if (kill(engine, sig) == -1 && errno != ESRCH) {
		log_warn("monitor: cannot send signal %d to the engine (pid %ld)",
		    sig, (long)engine);
		return -1;
	}
	return 0;
}

/*
 * A HUP or USR1 from pid reached where: forward it to the engine unless
 * it is the second half of a sending that already acted (pkill -HUP).
 */
static void
monitor_pair(struct monitor_state *ms, pid_t engine, int sig, pid_t pid,
    enum sigpair_at where)
{
	if (sigpair_take(&ms->pairs, sig, pid, where, monitor_now_us()))
		(void)monitor_kill(engine, sigpair_forward(sig));
	else
		log_debug("signal %d from pid %ld reached both processes: "
		    "acting once", sig, (long)pid);
}

/*
 * The engine's channel is gone (closed, or out of step) and the engine
 * goes on: no reload can reach it or report, so say why in the status
 * file (daytimed -r reads it) and logs.
 */
static void
monitor_closed(struct monitor_state *ms, const char *why)
{
	log_warnx("monitor: %s", why);
	ms->done = ms->reads;
	ms->result = "failed";
	snprintf(ms->error, sizeof(ms->error), "%s", why);
	monitor_status(ms);
}

/*
 * Serve one reload request: read everything, then send it as the socket
 * takes it. -1: a request while the last answer is still going, which
 * the engine never makes (it reads each whole): out of step.
 */
static int
monitor_serve(int fd, const char *conffile, struct monitor_state *ms)
{
	struct loader_bundle *b;
	char *buf = NULL;
	size_t len = 0;

	if (ms->out.buf != NULL)
		return -1;

	/* A read that starts now sees every file as it is now. */
	ms->reads++;
	monitor_status(ms);
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
	monitor_out_start(fd, &ms->out, buf, len, monitor_now_us());
	return 0;
}

/*
 * A message from the engine after its first byte c, read as far as
 * monmsg_parse asks and no further, then acted on. -1: out of step, or
 * not whole within MONITOR_MSG_SECS (the engine writes each in one
 * piece): the channel cannot be trusted on.
 */
static int
monitor_message(int fd, char c, struct monitor_state *ms, pid_t engine,
    const char *conffile, int *up)
{
	char buf[MONMSG_MAX];
	struct monmsg m;
	enum monmsg_rc rc;
	size_t have = 1, need;

	buf[0] = c;
	while ((rc = monmsg_parse(buf, have, &m, &need)) == MONMSG_MORE &&
	    need <= sizeof(buf) - have &&
	    compat_read_all(fd, buf + have, need) == 0)
		have += need;
	if (rc != MONMSG_WHOLE) {
		log_warnx("monitor: a message from the engine out of step, "
		    "or not whole within %d s: no longer read", MONITOR_MSG_SECS);
		return -1;
	}
	switch (m.kind) {
	case MONMSG_UP:
		*up = 1;
		break;
	case MONMSG_RELOAD:
		if (monitor_serve(fd, conffile, ms) == -1) {
			log_warnx("monitor: a reload asked for while the last "
			    "one's files are still being sent");
			return -1;
		}
		break;
	case MONMSG_SIGNAL:
		if (m.sig == SIGHUP || m.sig == SIGUSR1)
			monitor_pair(ms, engine, m.sig, m.pid, SIGPAIR_ENGINE);
		break;
	default:
		/*
		 * An outcome with no reading since the last one: a reload
		 * that failed before it asked (the engine could not start its
		 * thread). It counts as a read, or -r, waiting for an outcome
		 * of a read after the ones it saw, would wait it out.
		 */
		if (ms->done == ms->reads)
			ms->reads++;
		ms->done = ms->reads;
		ms->result = m.len == 0 || m.kind == MONMSG_KEPT ? "ok" :
		    "failed";
		memcpy(ms->error, m.text, m.len);
		ms->error[m.len] = '\0';
		monitor_status(ms);
		break;
	}
	return 0;
}

/*
 * The engine is gone: say how when it did not stop cleanly (killed, by
 * the seccomp filter's SIGSYS for a system call outside it, or a failure
 * exit), remove the pidfile, and exit as it did (1 when killed).
 */
static void __attribute__((noreturn))
monitor_exit(pid_t engine, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		log_warnx("engine killed by seccomp (SIGSYS): it made a system "
		    "call outside its filter (pid %ld)", (long)engine);
	else if (WIFSIGNALED(status))
		log_warnx("engine (pid %ld) killed by signal %d (%s): stopping",
		    (long)engine, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("engine (pid %ld) exited with status %d: stopping",
		    (long)engine, WEXITSTATUS(status));
	life_pidfile_remove();
	status_remove();
	log_flush(500);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* The engine's state letter from /proc (0: cannot tell). */
static char
monitor_engine_state(pid_t engine)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)engine);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? monmsg_proc_state(buf, (size_t)n) : 0;
}

/*
 * The engine was sent a stop (sig) secs ago and is still there: stopped
 * (SIGSTOP), or running past MONITOR_STOP_MAX_SECS. Kill it, reap it,
 * exit as for any engine killed. SIGKILL ends a stopped process too.
 * Returns only when the kill failed (said): the loop goes on, the stop
 * undone.
 */
static void
monitor_overdue(pid_t engine, int sig, unsigned secs)
{
	int status = 0;

	/* gone just now, its SIGCHLD not yet taken: as it went */
	if (waitpid(engine, &status, WNOHANG) == engine)
		monitor_exit(engine, status);
	log_warnx("engine (pid %ld) did not stop within %u s of %s: killing "
	    "it", (long)engine, secs, sig == SIGINT ? "SIGINT" : "SIGTERM");
	if (kill(engine, SIGKILL) == -1 && errno != ESRCH) {
		log_warn("monitor: cannot send signal %d to the engine (pid %ld)",
		    SIGKILL, (long)engine);
		return;
	}
	while (waitpid(engine, &status, 0) == -1 && errno == EINTR)
		;
	monitor_exit(engine, status);
}

/* The earlier of two deadlines (µs on the monotonic clock; 0: none). */
static uint64_t
monitor_first(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

/*
 * How long ppoll may wait: what the loop asked for (NULL: no limit), cut
 * to what is left until due (µs on the monotonic clock; 0: none).
 */
static const struct timespec *
monitor_timeout(const struct timespec *want, uint64_t due,
    struct timespec *left)
{
	uint64_t now = monitor_now_us(), us = due > now ? due - now : 0;

	if (due == 0)
		return want;
	left->tv_sec = (time_t)(us / 1000000u);
	left->tv_nsec = (long)(us % 1000000u) * 1000;
	if (want != NULL && (want->tv_sec < left->tv_sec ||
	    (want->tv_sec == left->tv_sec && want->tv_nsec <= left->tv_nsec)))
		return want;
	return left;
}

/* ppoll on the channel and the starter's pipe; n counts the channel only. */
static int
monitor_poll(struct pollfd *pfd, struct pollfd *starter,
    const struct timespec *to, const sigset_t *mask)
{
	struct pollfd p[2];
	int n;

	p[0] = *pfd;
	p[1] = *starter;
	if ((n = ppoll(p, 2, to, mask)) == -1)
		return -1;
	*pfd = p[0];
	*starter = p[1];
	return n - (p[1].revents != 0);
}

/* The monitor's life: requests, signals to forward, the engine's end. */
static void __attribute__((noreturn))
monitor_main(int fd, pid_t engine, const char *conffile)
{
	static const int fwd[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	struct monitor_state ms;
	struct sigaction sa;
	struct pollfd pfd, starter;
	sigset_t block, empty;
	size_t i;
	/* After the engine closed the channel: how long it has to exit. */
	struct timespec grace = { MONITOR_GRACE_SECS, 0 }, *wait = NULL;
	/* A status file not written: again then, or at what comes first. */
	struct timespec retry = { STATUS_RETRY_SECS, 0 };
	struct timeval msgwait = { MONITOR_MSG_SECS, 0 };
	struct timespec pollwait = { 0, MONITOR_POLL_RETRY_MS * 1000000L };
	/* Once a stop is forwarded: its signal, and when the engine is due. */
	struct timespec left;
	const struct timespec *to;
	uint64_t stopby = 0, stopat = 0;
	int status = 0, up = 0, n, stopsig = 0;
	unsigned pollfails = 0;
	char c;

	/* Its first line is written (main.c): only a failed one again. */
	memset(&ms, 0, sizeof(ms));
	ms.result = "starting";
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = monitor_sig;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&block);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) {
		sigaction(fwd[i], &sa, NULL);
		sigaddset(&block, fwd[i]);
	}
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	/* the engine writes each message whole: its rest never waits long */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &msgwait,
	    sizeof(msgwait));
	for (;;) {
		if (status_pending())
			monitor_status(&ms);
		pfd.fd = fd;
		pfd.events = POLLIN | monitor_out_events(&ms.out);
		pfd.revents = 0;
		/*
		 * The starter's pipe, until the starter goes (POLLERR: at the
		 * engine's "ready", or killed): until then what the monitor
		 * says, an engine dead before it was ready included, is on
		 * the starting command's stderr.
		 */
		starter.fd = life_starter_fd();
		starter.events = 0;
		starter.revents = 0;
		/* the stop's deadline, or a send's next try, cuts the wait */
		to = monitor_timeout(wait != NULL ? wait : status_pending() ?
		    &retry : NULL, monitor_first(stopby, ms.out.retry), &left);
		if ((n = monitor_poll(&pfd, &starter, to, &empty)) == -1 &&
		    errno == ENOMEM && pollfails < MONITOR_POLL_TRIES) {
			/* signals stay pending meanwhile: none is lost */
			if (pollfails++ == 0)
				log_warn("monitor: poll (trying again every "
				    "%d ms)", MONITOR_POLL_RETRY_MS);
			(void)nanosleep(&pollwait, NULL);
			continue;
		}
		if (n == -1 && errno != EINTR)
			fatal("monitor: poll");
		if (n != -1 && pollfails > 0) {
			log_info("monitor: poll works again");
			pollfails = 0;
		}
		if (starter.revents & (POLLERR | POLLHUP | POLLNVAL))
			life_forget_starter();
		if (n == 0 && wait != NULL && to == wait) {
			/* the engine goes on without its channel */
			monitor_closed(&ms, "the engine closed its channel to "
			    "the monitor: it cannot reload; restart it");
			wait = NULL;
		}
		if (monitor_pending[SIGCHLD]) {
			monitor_pending[SIGCHLD] = 0;
			if (waitpid(engine, &status, WNOHANG) == engine)
				monitor_exit(engine, status);
		}
		if (stopby != 0 && monitor_now_us() >= stopby) {
			unsigned secs = (unsigned)((monitor_now_us() - stopat +
			    500000u) / 1000000u);
			char st = monitor_engine_state(engine);

			if (st == 'T' || st == 't' ||
			    secs >= MONITOR_STOP_MAX_SECS) {
				monitor_overdue(engine, stopsig, secs);
				stopby = 0;	/* the kill failed: try anew */
			} else {
				if (secs < 2 * MONITOR_STOP_SECS)
					log_warnx("engine (pid %ld) still stopping "
					    "%u s after the signal (a reload it "
					    "finishes first?): waiting up to %d s",
					    (long)engine, secs,
					    MONITOR_STOP_MAX_SECS);
				stopby += MONITOR_STOP_SECS * 1000000u;
			}
		}
		if (ms.out.buf != NULL && ((pfd.revents & (POLLOUT | POLLERR)) ||
		    (ms.out.retry != 0 && monitor_now_us() >= ms.out.retry)))
			monitor_out_send(fd, &ms.out, monitor_now_us());
		if (pfd.revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(fd, &c, 1);

			if (r == 1 && monitor_message(fd, c, &ms, engine,
			    conffile, &up) == -1) {
				monitor_out_drop(&ms.out);
				close(fd);
				fd = -1;
				up = 1;
				monitor_closed(&ms, "the engine's messages to the "
				    "monitor are out of step: it cannot reload; "
				    "restart it");
			}
			else if (r == 0 || (r == -1 && errno != EINTR)) {
				/*
				 * The engine is exiting, or closed the channel
				 * and goes on. Either way wait for SIGCHLD in
				 * ppoll, forwarding what comes meanwhile (a
				 * blocking wait would swallow a TERM), and say
				 * so if the engine is still there after grace.
				 */
				if (waitpid(engine, &status, WNOHANG) == engine)
					monitor_exit(engine, status);
				monitor_out_drop(&ms.out);
				close(fd);
				fd = -1;
				up = 1;
				wait = &grace;
			}
		}
		/* What the monitor was sent waits for the engine's 'U'. */
		for (i = 0; up && i < sizeof(fwd) / sizeof(fwd[0]); i++) {
			if (!monitor_pending[fwd[i]])
				continue;
			monitor_pending[fwd[i]] = 0;
			/* TERM twice does no harm; HUP and USR1 act once. */
			if (fwd[i] == SIGHUP || fwd[i] == SIGUSR1) {
				monitor_pair(&ms, engine, fwd[i],
				    (pid_t)monitor_from[fwd[i]], SIGPAIR_MONITOR);
				continue;
			}
			/*
			 * A stop not forwarded did not happen (daytimed(8)):
			 * no deadline for an engine never told, and a reload
			 * in progress goes on.
			 */
			if (monitor_kill(engine, fwd[i]) == -1)
				continue;
			/* the first stop sets the engine's deadline */
			if (stopby == 0) {
				stopsig = fwd[i];
				stopat = monitor_now_us();
				stopby = stopat + MONITOR_STOP_SECS * 1000000u;
			}
			/*
			 * A stop abandons a reload whose files are still
			 * going: the engine's read ends at the end of what was
			 * sent, its reload fails, its stop need not wait for a
			 * parse.
			 */
			if (ms.out.buf != NULL) {
				log_info("monitor: stopping: the reload in "
				    "progress is abandoned");
				monitor_out_drop(&ms.out);
				(void)shutdown(fd, SHUT_WR);
			}
		}
	}
}

/* Fork the engine off; the parent becomes the monitor. */
int
monitor_split(const char *conffile, const struct life_user *u,
    struct listen_set *ls, struct reload_source *src)
{
	char ready = MONITOR_READY_BYTE;
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
	/* A stop sent to the start before ends it; one after, the daemon. */
	if (life_start_stopped() == -1) {
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0) {
		close(sp[0]);
		monitor_engine_init(sp[1], src);
		log_setpid(getpid());
		/* Should the monitor die, the engine stops too. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1 ||
		    getppid() == 1)
			return -1;
		return 0;
	}
	/*
	 * The monitor: no client socket, no root; the starter pipe only
	 * until the starter has gone (monitor_main). The engine keeps the log sink (its queue, its syslog connection, made
	 * before its chroot); the monitor connects its own before its drop.
	 */
	log_after_fork(LOG_FORK_OWN);
	close(sp[1]);
	listen_free(ls);
	proctitle_set("monitor");
	if (life_drop(NULL, u) == -1)
		_exit(1);
	/*
	 * The starter's pipe stays, so that an engine dead before it is
	 * ready is said on the starting command's stderr (monitor_exit), as
	 * daytimed(8) promises every startup error; monitor_main lets it go
	 * once the starter has gone.
	 */
	if (compat_write_all(sp[0], &ready, 1) == -1) {
		/*
		 * The engine is gone already (EPIPE): say how, as monitor_main
		 * would. The close ends its wait for '!' should it not be.
		 */
		int status = 0;

		close(sp[0]);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		monitor_exit(pid, status);
	}
	monitor_main(sp[0], pid, conffile);
}
