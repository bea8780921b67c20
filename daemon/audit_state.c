/* SPDX-License-Identifier: ISC */
/*
 * audit_state: the last epoch's link on disk (see audit_state.h). The
 * writer is a thread of its own because a durable write waits for the
 * disk (two fsyncs), and nothing may wait on an event loop: the sealing
 * side only stores the position and signals. Seq 0, the start record,
 * is the exception: it is saved synchronously, after the privilege drop
 * and before anything is served (audit_state_begin), to hand the lock on.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/link.h"
#include "compat/compat.h"
#include "daemon/audit_state.h"
#include "daemon/audit_state_int.h"
#include "daemon/dir_beneath.h"
#include "daemon/log.h"

#define SAVE_OTHER	2	/* audit_state_save: the file is another's */

static int	audit_state_save(struct audit_state *, const struct link *,
		    char *, size_t);
static void	*audit_state_writer(void *);
static void	 audit_state_pause(struct audit_state *);
static void	audit_state_start(struct audit_state *);
static void	audit_state_said(struct audit_state *, int, const char *);
static const char *audit_state_holds(struct audit_state *, int, char *,
		    size_t);
static void	audit_state_other(struct audit_state *, const struct link *,
		    const struct link *);
static void	audit_state_link(struct link *, const char *, uint64_t, int);
static void	audit_state_above(const struct audit_state *, unsigned, char *,
		    size_t);

/* The link "epoch's last record is seq" (stopped: with the stop). */
static void
audit_state_link(struct link *l, const char *epoch, uint64_t seq,
    int stopped)
{
	memset(l, 0, sizeof(*l));
	l->kind = LINK_EPOCH;
	memcpy(l->epoch, epoch, LINK_EPOCH_HEX);
	l->epoch[LINK_EPOCH_HEX] = '\0';
	l->seq = seq;
	l->stopped = stopped;
}

/* Open the directory, check both, lock, read the last link. */
struct audit_state *
audit_state_open(const char *path, uid_t uid, struct link *prev, char *note,
    size_t notelen, char *err, size_t errlen)
{
	struct audit_state *st;
	pthread_condattr_t ca;
	char dir[4096];

	memset(prev, 0, sizeof(*prev));
	if (notelen > 0)
		note[0] = '\0';
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		snprintf(err, errlen, "audit state %s: out of memory", path);
		return NULL;
	}
	st->dirfd = -1;
	st->uid = uid;
	if (audit_state_split(st, path, dir, sizeof(dir), err, errlen) == -1 ||
	    audit_state_dir(st, dir, uid, err, errlen) == -1 ||
	    audit_state_lock(st, err, errlen) == -1)
		goto fail;
	st->locked = 1;		/* until a save works (seq 0's, normally) */
	if (audit_state_read(st, uid, prev, NULL, note, notelen, err,
	    errlen) == -1 ||
	    audit_state_probe(st, err, errlen) == -1)
		goto fail;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&st->cond, &ca) != 0) {
		snprintf(err, errlen, "audit state %s: cannot make a condition "
		    "variable", path);
		goto fail;
	}
	pthread_condattr_destroy(&ca);
	if (pthread_mutex_init(&st->mtx, NULL) != 0) {
		pthread_cond_destroy(&st->cond);
		snprintf(err, errlen, "audit state %s: cannot make a mutex", path);
		goto fail;
	}
	return st;
fail:
	if (st->dirfd != -1)
		close(st->dirfd);
	free(st->path);
	free(st);
	return NULL;
}

/*
 * With chroot: the state's directory inside root, since the engine keeps
 * it open and ".." from outside the new root would leave the jail; and
 * kept there: every directory from root down to the state directory's
 * parent root's alone (dir_fixed), since the run user could otherwise
 * rename the state's directory out of the jail while the engine runs.
 */
int
audit_state_within(struct audit_state *st, const char *root, char *err,
    size_t errlen)
{
	char above[4096];
	struct stat sb;
	unsigned movable;
	int in;

	if (st == NULL || root == NULL)
		return 0;
	if ((in = dir_beneath(st->dirfd, root, &movable, &sb)) == -1) {
		snprintf(err, errlen, "audit state %s: its directory, or the "
		    "chroot %s: %s", st->path, root, strerror(errno));
		return -1;
	}
	if (!in) {
		snprintf(err, errlen, "audit state %s: its directory is not "
		    "inside the chroot %s: the engine keeps that directory open, "
		    "and from a directory outside its root \"..\" leads out of "
		    "the jail; put the state in a directory of its own inside %s",
		    st->path, root, root);
		return -1;
	}
	if (movable == 0)
		return 0;
	audit_state_above(st, movable, above, sizeof(above));
	snprintf(err, errlen, "audit state %s: directory %s, between the "
	    "chroot %s and the state's directory, is %s (uid %u, mode %04o): "
	    "the run user could move the state's directory out of the jail "
	    "while the engine holds it open; chown root and chmod go-w %s, or "
	    "put the state directory directly in the jail", st->path, above,
	    root, sb.st_uid != 0 ? "not root's" : "writable by group or others",
	    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777), above);
	return -2;
}

/*
 * The name of the directory up levels above the state's, for a message:
 * the state's directory resolved (realpath), then its last up names cut.
 */
static void
audit_state_above(const struct audit_state *st, unsigned up, char *buf,
    size_t len)
{
	char dir[4096], real[PATH_MAX];
	const char *slash = strrchr(st->path, '/');
	char *cut;
	size_t dl = slash == NULL || slash == st->path ? 1 :
	    (size_t)(slash - st->path);
	unsigned i;

	if (dl >= sizeof(dir) || snprintf(dir, sizeof(dir), "%.*s", (int)dl,
	    st->path) < 0 || realpath(dir, real) == NULL) {
		snprintf(buf, len, "%u levels above %.*s", up, (int)dl,
		    st->path);
		return;
	}
	for (i = 0; i < up && (cut = strrchr(real, '/')) != NULL; i++) {
		if (cut == real) {
			real[1] = '\0';	/* "/": nothing above it */
			break;
		}
		*cut = '\0';
	}
	snprintf(buf, len, "%s", real);
}

/*
 * Seq 0, as the run user, before the first client and the start record
 * (audit_state.h): the probe at open ran as root, who may write where
 * the run user cannot; an epoch that could not save it would leave the
 * next one naming the same predecessor as this one (a fork in the chain).
 */
int
audit_state_begin(struct audit_state *st, const char *epoch, uint64_t seq,
    char *err, size_t errlen)
{
	char why[512];
	int rc;

	if (st == NULL)
		return 0;
	pthread_mutex_lock(&st->mtx);
	audit_state_link(&st->want, epoch, seq, 0);
	st->begun = 1;
	rc = audit_state_save(st, &st->want, why, sizeof(why));
	/*
	 * Renamed, but the directory's fsync failed: the file names this
	 * epoch, and its start record is logged next, so the start goes on,
	 * with a warning, and the writer saves again until a save is
	 * durable. Failing here would leave the file naming an epoch that
	 * logged nothing: the next start would link to it, daytimed-audit
	 * would call it missing (a false finding), and the true link to the
	 * last epoch would be lost. Writing the last link back instead takes
	 * another rename no more durable than this one (after a crash either
	 * could be on disk), and cannot bring back prev=none or prev=broken.
	 */
	if (rc == 1 || rc == SAVE_OTHER) {	/* the latter: held, never */
		audit_state_said(st, rc, why);
		rc = 0;
	}
	pthread_mutex_unlock(&st->mtx);
	if (rc == -1)
		snprintf(err, errlen, "%s (the new epoch's start, saved as uid "
		    "%u after the privilege drop: is the filesystem full or "
		    "read-only for that user, or its quota used up?)", why,
		    (unsigned)geteuid());
	return rc;
}

/*
 * Save l under the lock: seq 0 at once, later ones while the file is
 * ours. As audit_state_write: 1 when the file says l but a crash may undo
 * that (it counts as saved: the file says it); SAVE_OTHER when the file
 * names another epoch, so that nothing was saved, and nothing will be.
 */
static int
audit_state_save(struct audit_state *st, const struct link *l, char *err,
    size_t errlen)
{
	struct link cur;
	char note[8];
	int rv = 0, held = st->locked, odd;

	if (!held && audit_state_lock(st, err, errlen) == -1)
		return -1;
	/*
	 * Held since open: the file still names the last epoch, which this
	 * one links to; the lock stays until a save works, so that no other
	 * epoch can link to that one too.
	 */
	if (held && (rv = audit_state_write(st, l, 1, err, errlen)) == -1)
		return -1;
	if (held) {
		st->saved = *l;		/* rv 0 or 1 */
		st->onfile = ONFILE_SAVED;
	} else if ((rv = audit_state_read(st, st->uid, &cur, &odd, note,
	    sizeof(note), err, errlen)) == -1) {
		if (odd)	/* else unread: what it holds is as last seen */
			st->onfile = ONFILE_ODD;
	} else if (cur.kind != LINK_EPOCH) {
		/* not written again: who removed it may want a new chain */
		st->onfile = cur.kind == LINK_NONE ? ONFILE_NONE :
		    ONFILE_BROKEN;
		snprintf(err, errlen, "audit state %s: %s while daytimed ran: "
		    "not written again (the next start will say prev=%s)",
		    st->path, cur.kind == LINK_NONE ? "removed" :
		    "made corrupt", cur.kind == LINK_NONE ? "none" : "broken");
		rv = -1;
	} else if (strcmp(cur.epoch, l->epoch) != 0) {
		/* not a failure: that epoch's link is not this one's to move */
		st->onfile = ONFILE_OTHER;
		audit_state_other(st, &cur, l);
		rv = SAVE_OTHER;
	} else if ((rv = audit_state_write(st, l, 1, err, errlen)) != -1) {
		st->saved = *l;
		st->onfile = ONFILE_SAVED;
	}
	(void)flock(st->dirfd, LOCK_UN);
	/*
	 * st->locked means "held since open, until the first save that
	 * works" only: the writer thread's own locking never sets it.
	 */
	if (held)
		st->locked = 0;
	return rv;
}

/*
 * After a save (st->mtx held): a failure is logged once, with what the
 * file still says, and a later success once; a failed save is retried,
 * and so is one the directory's fsync left in doubt (rc 1).
 */
static void
audit_state_said(struct audit_state *st, int rc, const char *err)
{
	char what[128];

	if (rc == SAVE_OTHER) {
		/* said once by audit_state_other; retrying cannot help */
		st->failing = 0;
		return;
	}
	if (rc == 1 && !st->failing)
		log_warnx("%s: the file says %s:%llu, but a crash may undo that; "
		    "retried every second until a save is durable", err,
		    st->saved.epoch, (unsigned long long)st->saved.seq);
	else if (rc == -1 && !st->failing) {
		if (st->onfile != ONFILE_SAVED)
			log_warnx("%s; retried every second: until a save works, "
			    "%s", err, audit_state_holds(st, 0, what,
			    sizeof(what)));
		else if (st->saved.kind == LINK_EPOCH)
			log_warnx("%s; retried every second: until a save works, "
			    "the file keeps %s:%llu, and later records are not "
			    "vouched for", err, st->saved.epoch,
			    (unsigned long long)st->saved.seq);
		else
			log_warnx("%s; retried every second: until a save works, "
			    "the file names the last epoch, not this one, and "
			    "the lock is held", err);
	} else if (rc == 0 && st->failing)
		log_warnx("audit state %s: saved again (%s:%llu)", st->path,
		    st->saved.epoch, (unsigned long long)st->saved.seq);
	st->failing = rc != 0;
	if (rc != 0 && !st->stopping)
		st->dirty = 1;
}

/*
 * What the file holds, as the last save found it, for a message: stop
 * adds ":run" to the position it keeps (the stop itself was not saved).
 */
static const char *
audit_state_holds(struct audit_state *st, int stop, char *buf, size_t len)
{
	switch (st->onfile) {
	case ONFILE_NONE:
		return "there is no state file";
	case ONFILE_BROKEN:
		return "the file is corrupt";
	case ONFILE_ODD:
		return "what is at its path is not a state file";
	case ONFILE_OTHER:
		return "the file names another epoch";
	}
	if (st->saved.kind != LINK_EPOCH)
		return "the file names the last epoch, not this one";
	snprintf(buf, len, "the file keeps %s:%llu%s", st->saved.epoch,
	    (unsigned long long)st->saved.seq, stop ? ":run" : "");
	return buf;
}

/*
 * The file names another epoch than l's: one started since with this
 * file (in inetd mode, the next process: the rule, so not said), or an
 * older copy put back. Either way nothing more of this epoch is saved
 * there; said once, since without a word the next start's link to that
 * epoch (a fork in the chain, after a copy put back) would be a surprise.
 */
static void
audit_state_other(struct audit_state *st, const struct link *cur,
    const struct link *l)
{
	char other[LINK_TEXT_MAX + 1];

	if (st->othered || st->shared)
		return;
	st->othered = 1;
	if (link_format(cur, other, sizeof(other)) == -1)
		memcpy(other, "?", 2);
	log_notice("audit state %s: the file names another epoch (%s), not "
	    "this one (%s): nothing more of this epoch is saved there, its "
	    "stop included, and the next start will name %s (did another "
	    "daytimed start with this state file, or was an older copy put "
	    "back?)", st->path, other, l->epoch, other);
}

/* Inetd mode: another process's epoch in the file is the rule. */
void
audit_state_shared(struct audit_state *st)
{
	if (st != NULL)
		st->shared = 1;
}

/* Hand the position to the writer; the first note starts it. */
void
audit_state_note(struct audit_state *st, const char *epoch, uint64_t last)
{
	char err[512];
	int rc;

	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mtx);
	audit_state_link(&st->want, epoch, last, 0);
	if (!st->begun) {
		/* seq 0 is saved before the lock goes to the next epoch */
		st->begun = 1;
		rc = audit_state_save(st, &st->want, err, sizeof(err));
		audit_state_said(st, rc, err);
		if (rc == 0 || rc == SAVE_OTHER) {
			pthread_mutex_unlock(&st->mtx);
			return;
		}
		/* the writer retries it, the lock still held */
	}
	if (!st->dirty) {
		st->dirty = 1;
		pthread_cond_signal(&st->cond);
	}
	if (!st->started && !st->stopping && !st->nothread)
		audit_state_start(st);
	pthread_mutex_unlock(&st->mtx);
}

/* Start the writer with every signal blocked: they are the loops'. */
static void
audit_state_start(struct audit_state *st)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&st->thread, NULL, audit_state_writer, st) == 0)
		st->started = 1;
	else {
		st->nothread = 1;	/* said once, not tried again */
		log_warnx("audit state %s: cannot start its writer: positions "
		    "after the last one saved are not saved, and the next "
		    "epoch will link to that one", st->path);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Wait out one interval, or until stop (st->mtx held). A timed wait that
 * says it timed out before its time (a preloaded library that fakes the
 * clock, such as libfaketime, does) is replaced by a nap: the writer
 * never spins, even while its saves fail and are retried.
 */
static void
audit_state_pause(struct audit_state *st)
{
	struct timespec until, now, left;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += AUDIT_STATE_INTERVAL_US / 1000000;
	until.tv_nsec += (AUDIT_STATE_INTERVAL_US % 1000000) * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!st->stopping) {
		if (pthread_cond_timedwait(&st->cond, &st->mtx, &until) !=
		    ETIMEDOUT)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
		    now.tv_nsec >= until.tv_nsec))
			return;
		left.tv_sec = until.tv_sec - now.tv_sec;
		left.tv_nsec = until.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
		pthread_mutex_unlock(&st->mtx);
		(void)nanosleep(&left, NULL);
		pthread_mutex_lock(&st->mtx);
	}
}

/* The writer: save at once, then at most once an interval, until stop. */
static void *
audit_state_writer(void *arg)
{
	struct audit_state *st = arg;
	struct link l;
	char err[512];
	int rc;

	pthread_mutex_lock(&st->mtx);
	for (;;) {
		while (!st->dirty && !st->stopping)
			pthread_cond_wait(&st->cond, &st->mtx);
		if (!st->dirty)
			break;
		l = st->want;
		st->dirty = 0;
		pthread_mutex_unlock(&st->mtx);
		rc = audit_state_save(st, &l, err, sizeof(err));
		pthread_mutex_lock(&st->mtx);
		audit_state_said(st, rc, err);
		if (st->stopping)
			continue;	/* the last position, then out */
		audit_state_pause(st);
	}
	pthread_mutex_unlock(&st->mtx);
	return NULL;
}

/* Stop the writer and join it; what it had pending is saved. */
static void
audit_state_join(struct audit_state *st)
{
	pthread_mutex_lock(&st->mtx);
	st->stopping = 1;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mtx);
	if (st->started) {
		pthread_join(st->thread, NULL);
		st->started = 0;
	}
}

/* The stop record: the writer ends, then the link says "stop". */
int
audit_state_stop(struct audit_state *st, const char *epoch, uint64_t last,
    char *err, size_t errlen)
{
	struct link l;
	char why[512], what[128];
	int rc;

	if (st == NULL)
		return 0;
	audit_state_join(st);
	audit_state_link(&l, epoch, last, 1);
	pthread_mutex_lock(&st->mtx);
	st->dirty = 0;
	pthread_mutex_unlock(&st->mtx);
	if ((rc = audit_state_save(st, &l, why, sizeof(why))) == 0 &&
	    st->failing)
		log_warnx("audit state %s: saved again (%s:%llu:stop)", st->path,
		    l.epoch, (unsigned long long)l.seq);
	else if (rc == SAVE_OTHER) {
		/* in inetd mode, the next process's: the rule */
		rc = st->shared ? 0 : -1;
		if (rc == -1)
			snprintf(err, errlen, "audit state %s: the stop is not "
			    "saved, the file names another epoch", st->path);
	} else if (rc == 1) {
		snprintf(err, errlen, "%s: the file says %s:%llu:stop, but a "
		    "crash may undo that", why, l.epoch,
		    (unsigned long long)l.seq);
		rc = -1;
	} else if (rc == -1)
		snprintf(err, errlen, "%s: the stop is not saved, %s", why,
		    audit_state_holds(st, 1, what, sizeof(what)));
	return rc;
}

/* Stop the writer, close the directory, free. */
void
audit_state_close(struct audit_state *st)
{
	if (st == NULL)
		return;
	audit_state_join(st);
	pthread_mutex_destroy(&st->mtx);
	pthread_cond_destroy(&st->cond);
	close(st->dirfd);
	free(st->path);
	free(st);
}
