/* SPDX-License-Identifier: ISC */
/*
 * life_start: the start's signals and the starter (life_start.h). A
 * process of the start may be sent these by name (pkill -HUP daytimed,
 * logrotate's, reaches every process called daytimed), by a terminal's
 * ^C or by a service manager's stop; by their default action they ended
 * it silently, leaving a pidfile behind.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "daemon/life_start.h"
#include "daemon/log.h"

static volatile sig_atomic_t	life_start_armed;	/* nothing to undo */
static volatile sig_atomic_t	life_start_caught;	/* TERM or INT */

/* TERM or INT: end a start with nothing to undo at once, else note it. */
static void
life_start_catch(int sig)
{
	static const char term[] = "daytimed: start stopped by SIGTERM\n";
	static const char intr[] = "daytimed: start stopped by SIGINT\n";

	if (life_start_armed) {
		struct sigaction dfl;

		if (write(STDERR_FILENO, sig == SIGINT ? intr : term,
		    sig == SIGINT ? sizeof(intr) - 1 : sizeof(term) - 1) == -1) {
			/* nowhere to say it: the wait status tells */
		}
		/*
		 * End by the signal itself, delivered as this handler
		 * returns: a service manager that sent it (systemd's stop)
		 * sees a stop, not a failed start.
		 */
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		(void)sigaction(sig, &dfl, NULL);
		(void)raise(sig);
		return;
	}
	life_start_caught = sig;
}

void
life_start_signals(void)
{
	struct sigaction sa;

	life_start_armed = 1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* the configuration's reads go on under a signal */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = life_start_catch;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
}

void
life_start_disarm(void)
{
	life_start_armed = 0;
}

int
life_start_stopped(void)
{
	if (life_start_caught == 0)
		return 0;
	log_warnx("start stopped by %s", life_start_caught == SIGINT ?
	    "SIGINT" : "SIGTERM");
	return -1;
}

/*
 * A start stopped at the split, its pidfile and status file removed:
 * end by the signal that stopped it, as the handler above does.
 */
void
life_start_reraise(void)
{
	struct sigaction dfl;
	sigset_t set;
	int sig = life_start_caught;

	if (sig == 0)
		return;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	(void)sigaction(sig, &dfl, NULL);
	(void)raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * The first child of the daemonizing, about to fork the daemon: a TERM or
 * INT the starter passed on waits here, blocked, and a fork's child starts
 * with none pending. Note them before the fork, so that the daemon has
 * them from its first step: had the first child only sent them on after
 * the fork, the daemon could reach the split before they came, and a
 * start stopped before it was ready would be told as one stopped after.
 */
void
life_start_pending(sigset_t *before)
{
	if (sigpending(before) == -1)
		sigemptyset(before);
}

/* The daemon: what was pending before the fork is pending here too. */
void
life_start_take(const sigset_t *before)
{
	if (sigismember(before, SIGTERM))
		(void)raise(SIGTERM);	/* blocked: pending until the split */
	if (sigismember(before, SIGINT))
		(void)raise(SIGINT);
}

/* The first child, the daemon forked: what came since goes on to it. */
void
life_start_hand_on(pid_t daemon, const sigset_t *before)
{
	sigset_t pend;

	if (sigpending(&pend) == -1)
		return;
	if (sigismember(&pend, SIGTERM) && !sigismember(before, SIGTERM))
		(void)kill(daemon, SIGTERM);
	if (sigismember(&pend, SIGINT) && !sigismember(before, SIGINT))
		(void)kill(daemon, SIGINT);
}

int
life_start_sig(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
	    sig == SIGUSR1;
}

/* Ready, but a stop passed on is stopping the daemon: say so, exit 1. */
static void __attribute__((noreturn))
life_starter_late(int sig)
{
	static const char term[] = "daytimed: started, then stopped by "
	    "SIGTERM\n";
	static const char intr[] = "daytimed: started, then stopped by "
	    "SIGINT\n";

	(void)compat_write_all(STDERR_FILENO, sig == SIGINT ? intr : term,
	    sig == SIGINT ? sizeof(intr) - 1 : sizeof(term) - 1);
	_exit(1);
}

/*
 * A TERM or INT sent to the starter alone (a ^C reaches only the
 * terminal's process group, which the daemon has left; timeout(1) signals
 * its child) goes on to the daemon, which stops its start and says so
 * here: to the first child, which hands it on to the daemon (its own
 * child) should it come before that fork (life_daemonize), and to the
 * session that child makes, which the daemon is in (its id, the child's
 * pid, is not reused while a process of that session lives). The
 * signals are blocked but in ppoll: none comes between a look at the
 * flag and the wait. One passed on after the split may find the daemon
 * ready before it acts: the daemon then stops at once, and the starter,
 * which saw it ready, says so and exits 1 all the same.
 */
void
life_starter_wait(int fd, pid_t child)
{
	struct pollfd pfd;
	sigset_t mask;
	char buf[512];
	ssize_t n, i;
	int sig, passed = 0;

	/* One that came before the fork is the daemon's to act on. */
	life_start_caught = 0;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGINT);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if ((sig = life_start_caught) != 0) {
			life_start_caught = 0;
			(void)kill(child, sig);
			(void)kill(-child, sig);
			passed = sig;
		}
		if (ppoll(&pfd, 1, NULL, &mask) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);	/* the daemon died before it was ready */
		for (i = 0; i < n; i++)
			if (buf[i] == LIFE_READY_BYTE) {
				(void)compat_write_all(STDERR_FILENO, buf, (size_t)i);
				if (passed != 0)
					life_starter_late(passed);
				_exit(0);
			}
		(void)compat_write_all(STDERR_FILENO, buf, (size_t)n);
	}
}
