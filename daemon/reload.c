/* SPDX-License-Identifier: ISC */
/*
 * reload: owns the current configuration. The reload thread builds a new
 * one to the side from the source's bytes; the loop that runs reload's
 * event checks it, keeps what needs a restart, and swaps it in with one
 * pointer store under the lock. Loops take references under that lock
 * only when the pointer they hold is no longer the current one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/proctitle.h"
#include "daemon/reload.h"

#define RELOAD_KEPT_MAX	1024	/* what a reload kept, said to -r */

struct reload {
	pthread_mutex_t		 mtx;		/* taking a reference; the swap */
	struct config *_Atomic	 current;	/* holds a reference */
	struct audit		*audit;
	struct reload_source	 source;
	void			(*swapped)(void *);
	void			*swapped_arg;
	struct event		*ev_done;	/* the thread is done */
	int			 pipe[2];
	/* On the loop's thread, or the reload thread while running: */
	pthread_t		 thread;
	int			 running;
	int			 again;		/* one more after this one */
	int			 stopping;
	struct config		*next;		/* built by the thread */
	char			*diag;		/* its first error, if any */
	char			 kept[RELOAD_KEPT_MAX + 4];	/* needs a restart,
							 * "..." when cut */
	int			 kept_cut;
	unsigned long long	 ok, failed;
};

static void	 reload_diag(void *, int, const char *, unsigned,
		    const char *);
static void	*reload_thread(void *);
static void	 reload_keep_diag(void *, int, const char *, unsigned,
		    const char *);
static void	 reload_done_cb(evutil_socket_t, short, void *);
static void	 reload_failed(struct reload *);

struct reload *
reload_new(struct config *conf, struct event_base *base, struct audit *audit,
    const struct reload_source *source, void (*swapped)(void *), void *arg)
{
	struct reload *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		config_free(conf);
		return NULL;
	}
	pthread_mutex_init(&r->mtx, NULL);
	atomic_init(&r->current, conf);
	r->audit = audit;
	r->source = *source;
	r->swapped = swapped;
	r->swapped_arg = arg;
	r->pipe[0] = r->pipe[1] = -1;
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (r->ev_done = event_new(base, r->pipe[0], EV_READ | EV_PERSIST,
	    reload_done_cb, r)) == NULL || event_add(r->ev_done, NULL) == -1) {
		reload_free(r);
		return NULL;
	}
	return r;
}

void
reload_free(struct reload *r)
{
	if (r == NULL)
		return;
	reload_wait(r);
	if (r->ev_done != NULL)
		event_free(r->ev_done);
	if (r->pipe[0] != -1)
		close(r->pipe[0]);
	if (r->pipe[1] != -1)
		close(r->pipe[1]);
	/* The last holder, at exit: no thread needed to free it. */
	config_free(atomic_load(&r->current));
	pthread_mutex_destroy(&r->mtx);
	free(r);
}

void
reload_refresh(struct reload *r, struct config **held)
{
	struct config *c;

	/* Equal: the pointer is the one we hold, so it cannot be reused. */
	if (atomic_load_explicit(&r->current, memory_order_relaxed) == *held)
		return;
	/*
	 * Under the lock the current configuration still has the reference
	 * the swap drops only after it lets go of the lock.
	 */
	pthread_mutex_lock(&r->mtx);
	c = atomic_load_explicit(&r->current, memory_order_relaxed);
	config_ref(c);
	pthread_mutex_unlock(&r->mtx);
	if (*held != NULL)
		config_unref(*held);
	*held = c;
}

void
reload_counts(const struct reload *r, unsigned long long *ok,
    unsigned long long *failed)
{
	*ok = r->ok;
	*failed = r->failed;
}

/* Collects the reload's diagnostics: the first error is what the log says. */
static void
reload_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct reload *r = arg;
	char *s = NULL;
	int n;

	if (line > 0)
		n = asprintf(&s, "%s:%u: %s: %s", file != NULL ? file : "-",
		    line, is_error ? "error" : "warning", msg);
	else
		n = asprintf(&s, "%s: %s: %s", file != NULL ? file : "-",
		    is_error ? "error" : "warning", msg);
	if (n == -1)
		return;
	if (is_error && r->diag == NULL)
		r->diag = s;
	else
		free(s);
}

/*
 * The reload thread: read and parse the whole configuration off the
 * loop's path, so a million rules never stall answering. It touches only
 * next and diag, which the loop reads after the wakeup; the current
 * configuration does not change while it runs (only the loop swaps it,
 * after the thread is done).
 */
static void *
reload_thread(void *arg)
{
	struct reload *r = arg;
	const char *file = atomic_load(&r->current)->file;
	struct config_loader loader;
	char err[256];
	ssize_t n;

	proctitle_thread("daytimed-load");
	if (r->source.get(r->source.arg, &loader, err, sizeof(err)) == -1) {
		if (asprintf(&r->diag, "%s: error: %s", file, err) == -1)
			r->diag = NULL;
	} else {
		r->next = config_load(file, &loader, reload_diag, r);
		r->source.put(r->source.arg, &loader);
	}
	do
		n = write(r->pipe[1], "", 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

void
reload_start(struct reload *r)
{
	char why[128];
	int e;

	/*
	 * A HUP after the stop began (logrotate's, a -r racing a stop):
	 * a full read and parse that the stop would only wait for.
	 */
	if (r->stopping)
		return;
	if (r->running) {
		r->again = 1;
		return;
	}
	r->running = 1;
	r->next = NULL;
	r->diag = NULL;
	if ((e = pthread_create(&r->thread, NULL, reload_thread, r)) != 0) {
		/*
		 * A failed reload like any other (out of memory, out of
		 * threads): recorded, and said to the monitor at once, so
		 * that -r does not wait for an outcome that never comes.
		 */
		r->running = 0;
		(void)snprintf(why, sizeof(why), "cannot start the reload "
		    "thread: %s", strerror(e));
		r->diag = strdup(why);
		reload_failed(r);
		if (r->source.done != NULL)
			r->source.done(r->source.arg, r->diag != NULL ?
			    r->diag : why, NULL);
		free(r->diag);
		r->diag = NULL;
	}
}

void
reload_stop(struct reload *r)
{
	r->stopping = 1;
}

void
reload_wait(struct reload *r)
{
	if (!r->running)
		return;
	pthread_join(r->thread, NULL);
	r->running = 0;
	config_free(r->next);
	free(r->diag);
	r->next = NULL;
	r->diag = NULL;
}

/*
 * "Needs a restart, kept as is": a warning in the log for each, and the
 * list for the outcome (daytimed -r says it), cut to its buffer.
 */
static void
reload_keep_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct reload *r = arg;
	size_t have = strlen(r->kept), want = strlen(msg) + (have > 0 ? 2 : 0);
	const size_t room = sizeof(r->kept) - 4;

	(void)is_error;
	(void)file;
	(void)line;
	log_warnx("reload: %s", msg);
	if (r->kept_cut)
		return;
	if (have + want < room)
		(void)snprintf(r->kept + have, sizeof(r->kept) - have, "%s%s",
		    have > 0 ? "; " : "", msg);
	else {
		r->kept_cut = 1;	/* in the 4 bytes set aside */
		memcpy(r->kept + have, "...", 4);
	}
}

/* A reload that changed nothing: its first error goes out at err. */
static void
reload_failed(struct reload *r)
{
	char kv[AUDIT_LINE_MAX / 2], esc[AUDIT_LINE_MAX / 2 - 32];

	r->failed++;
	if (r->diag == NULL)
		r->diag = strdup("unknown error");
	audit_escape(esc, sizeof(esc), (const unsigned char *)r->diag,
	    r->diag != NULL ? strlen(r->diag) : 0);
	if (snprintf(kv, sizeof(kv), "result=failed error=%s", esc) >=
	    (int)sizeof(kv))
		kv[0] = '\0';
	audit_event_log(r->audit, LOG_ERR, "reload", kv);
	/*
	 * The record goes where the records go (the audit file, with the
	 * packaged rsyslog rule); the operator's logs hear of it too.
	 */
	log_warnx("reload failed, the running configuration stays: %s", esc);
}

/* The thread is done: swap in one step, or keep everything as it was. */
static void
reload_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct reload *r = arg;
	struct config *n, *old;
	char b[16], kv[AUDIT_LINE_MAX / 2];

	(void)ev;
	while (read(fd, b, sizeof(b)) > 0)
		;
	if (!r->running)
		return;
	pthread_join(r->thread, NULL);
	r->running = 0;
	n = r->next;
	r->next = NULL;
	old = atomic_load(&r->current);	/* only this thread swaps it */
	r->kept[0] = '\0';
	r->kept_cut = 0;
	if (n != NULL && config_keep_fixed(n, old, reload_keep_diag,
	    r) == -1) {
		config_free(n);
		n = NULL;
		if (r->diag == NULL)
			r->diag = strdup("out of memory");
	}
	if (n == NULL) {
		reload_failed(r);
		if (r->source.done != NULL)
			r->source.done(r->source.arg, r->diag != NULL ?
			    r->diag : "unknown error", NULL);
	} else {
		/* One step; connections in flight keep the one they took. */
		pthread_mutex_lock(&r->mtx);
		atomic_store_explicit(&r->current, n, memory_order_relaxed);
		pthread_mutex_unlock(&r->mtx);
		config_unref(old);
		r->ok++;
		if (r->swapped != NULL)
			r->swapped(r->swapped_arg);
		if (snprintf(kv, sizeof(kv), "result=ok rules=%zu "
		    "v4_netblocks=%zu v6_netblocks=%zu", n->stats.rules,
		    n->stats.v4_blocks, n->stats.v6_blocks) >= (int)sizeof(kv))
			kv[0] = '\0';
		audit_event_log(r->audit, LOG_NOTICE, "reload", kv);
		if (r->source.done != NULL)
			r->source.done(r->source.arg, NULL, r->kept[0] != '\0' ?
			    r->kept : NULL);
	}
	free(r->diag);
	r->diag = NULL;
	if (r->again && !r->stopping) {
		r->again = 0;
		reload_start(r);
	}
}
