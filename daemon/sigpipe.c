/* SPDX-License-Identifier: ISC */
/*
 * sigpipe: a self-pipe for signals that keep their sender. The handler's
 * end of the pipe is the one global it needs; a full pipe drops the
 * signal, which is what an unqueued signal arriving twice does anyway.
 */
#include "autoconf.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/sigpipe.h"

#define SIGPIPE_MAX	8	/* signals one sigpipe catches */

/* What the handler writes: the signal and who sent it. */
struct sigpipe_msg {
	int	sig;
	pid_t	pid;
};

struct sigpipe {
	int		 fd[2];
	struct event	*ev;
	sigpipe_fn	*fn;
	void		*arg;
	int		 sigs[SIGPIPE_MAX];
	size_t		 nsigs;
};

static volatile int	sigpipe_fd = -1;	/* the handler's end */

/* The handler: write, and nothing else. */
static void
sigpipe_handler(int sig, siginfo_t *si, void *ctx)
{
	struct sigpipe_msg m;
	int saved = errno;

	(void)ctx;
	m.sig = sig;
	m.pid = si != NULL ? si->si_pid : 0;
	if (sigpipe_fd != -1 && write(sigpipe_fd, &m, sizeof(m)) == -1) {
		/* full: the loop has signals to read already */
	}
	errno = saved;
}

/* On the loop: each signal that came, with its sender. */
static void
sigpipe_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sigpipe *sp = arg;
	struct sigpipe_msg m;

	(void)ev;
	while (read(fd, &m, sizeof(m)) == (ssize_t)sizeof(m))
		sp->fn(sp->arg, m.sig, m.pid);
}

struct sigpipe *
sigpipe_new(struct event_base *base, const int *sigs, size_t nsigs,
    sigpipe_fn *fn, void *arg)
{
	struct sigaction sa;
	struct sigpipe *sp;
	size_t i;

	if (nsigs > SIGPIPE_MAX || sigpipe_fd != -1 ||
	    (sp = calloc(1, sizeof(*sp))) == NULL)
		return NULL;
	sp->fd[0] = sp->fd[1] = -1;
	sp->fn = fn;
	sp->arg = arg;
	if (pipe2(sp->fd, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (sp->ev = event_new(base, sp->fd[0], EV_READ | EV_PERSIST,
	    sigpipe_cb, sp)) == NULL || event_add(sp->ev, NULL) == -1) {
		sigpipe_free(sp);
		return NULL;
	}
	sigpipe_fd = sp->fd[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigpipe_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nsigs; i++) {
		sp->sigs[sp->nsigs++] = sigs[i];
		if (sigaction(sigs[i], &sa, NULL) == -1) {
			sigpipe_free(sp);
			return NULL;
		}
	}
	return sp;
}

void
sigpipe_free(struct sigpipe *sp)
{
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->nsigs; i++)
		signal(sp->sigs[i], SIG_IGN);
	if (sp->fd[1] != -1 && sigpipe_fd == sp->fd[1])
		sigpipe_fd = -1;
	if (sp->ev != NULL)
		event_free(sp->ev);
	if (sp->fd[0] != -1)
		close(sp->fd[0]);
	if (sp->fd[1] != -1)
		close(sp->fd[1]);
	free(sp);
}
