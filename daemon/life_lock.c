/* SPDX-License-Identifier: ISC */
/*
 * life_lock: the lock file beside the pidfile, whose flock decides
 * whether a daemon runs (life.c makes and removes the pidfile).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/life_lock.h"
#include "daemon/log.h"

#define LIFE_LOCK_TRIES	4	/* lock files replaced before giving up */

static int	 life_lockfd = -1;	/* the lock file, flocked */
static char	*life_lockpath;

/* A reason into err; -1. */
static int __attribute__((format(printf, 3, 4)))
life_lock_err(char *err, size_t errlen, const char *why, ...)
{
	va_list ap;

	va_start(ap, why);
	(void)vsnprintf(err, errlen, why, ap);
	va_end(ap);
	return -1;
}

/*
 * Why a lock file, not the pidfile's own lock, says whether a daemon
 * runs: the pidfile stays readable by all (its pid is for people and for
 * -r, status.c), and whoever can open a file can lock it (flock(2) and a
 * POSIX read lock need only a descriptor open for reading), so a stranger
 * could lock a pidfile left behind for ever. Asking who holds a flock
 * does not help (/proc/locks names the process that took it, which may
 * have exited while a child keeps the descriptor; a daemon's own names
 * its long gone starter), nor replacing a leftover locked by others: two
 * starts racing to remove it need something only one of them can hold,
 * and any lock on a readable file the stranger can hold first. So the
 * lock is a flock on <name>.lock (life_beside) beside the pidfile, in the
 * directory the start has walked as trusted: the starting user's, mode
 * 0600, one link, so only root and that user (and the run user, who owns
 * the directory and could remove the pidfile too) can open it. Whoever
 * holds it is the one daemon; a pidfile found then is a leftover, made
 * anew whoever locks that dead file. Unless it is write-locked: only root
 * or its owner can, so that is a daemon whose lock file went (removed by
 * hand, or a daemon that had none), and it is not taken over.
 */

/*
 * A daemon stopping removes the file before its lock goes, so the file
 * locked must still be the one at the path, else it is opened again.
 */
int
life_lock_take(const char *path, int probe, char *err, size_t errlen)
{
	struct stat st, now;
	int fd, tries, bad;

	for (tries = 0; tries < LIFE_LOCK_TRIES; tries++) {
		if ((fd = open(path, O_RDONLY | (probe ? 0 : O_CREAT) |
		    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		    0600)) == -1) {
			if (probe && errno == ENOENT)
				return 0;
			return life_lock_err(err, errlen, "%s", errno == ELOOP ?
			    "is a symbolic link" : strerror(errno));
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			close(fd);
			return life_lock_err(err, errlen, "exists and is not a "
			    "regular file");
		}
		bad = st.st_uid != geteuid() || (st.st_mode & 077) ||
		    st.st_nlink != 1;
		if (bad || probe) {
			close(fd);
			return !bad ? 0 : life_lock_err(err, errlen, "exists, "
			    "owned by uid %u with mode %04o and %lu links: not "
			    "used (it must be uid %u's, mode 0600, one link)",
			    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			    (unsigned long)st.st_nlink, (unsigned)geteuid());
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			close(fd);
			if (errno == EWOULDBLOCK)
				return 1;
			return life_lock_err(err, errlen, "lock: %s",
			    strerror(errno));
		}
		if (lstat(path, &now) == 0 && now.st_dev == st.st_dev &&
		    now.st_ino == st.st_ino) {
			free(life_lockpath);
			if ((life_lockpath = strdup(path)) == NULL) {
				close(fd);
				return life_lock_err(err, errlen, "%s",
				    strerror(errno));
			}
			life_lockfd = fd;
			return 0;
		}
		close(fd);
	}
	return life_lock_err(err, errlen, "replaced while starting");
}

/*
 * A shared flock tried and let go at once: it fails only while another
 * holds the lock. Tried only on a pidfile with no pid in it, which a
 * start refuses anyway unless a daemon is starting; a start racing the
 * instant it is held may say "already running" as it would have failed.
 */
int
life_lock_busy(const char *path)
{
	struct stat st;
	int fd, busy;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1)
		return 0;
	busy = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

void
life_lock_drop(int remove)
{
	struct stat st, fst;

	if (life_lockfd == -1)
		return;
	if (remove && stat(life_lockpath, &st) == 0 &&
	    fstat(life_lockfd, &fst) == 0 && fst.st_dev == st.st_dev &&
	    fst.st_ino == st.st_ino && unlink(life_lockpath) == -1)
		log_info("lock file %s left behind: %s", life_lockpath,
		    strerror(errno));
	close(life_lockfd);
	life_lockfd = -1;
}
