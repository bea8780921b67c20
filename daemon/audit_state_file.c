/* SPDX-License-Identifier: ISC */
/*
 * audit_state_file: the state on disk (see audit_state.h): the directory
 * checked and opened, its lock, and the file read and written durably
 * (a temporary file beside it, synced, renamed over it, the directory
 * synced). audit_state.c decides when, and says what happened.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/link.h"
#include "compat/compat.h"
#include "daemon/audit_state.h"
#include "daemon/audit_state_int.h"
#include "daemon/log.h"
#include "daemon/trust.h"

/* The directory part and the file name; the temp file's name beside it. */
int
audit_state_split(struct audit_state *st, const char *path, char *dir,
    size_t dirlen, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	size_t dl, bl;

	if (path[0] != '/' || slash == NULL) {
		snprintf(err, errlen, "audit state %s: not an absolute path", path);
		return -1;
	}
	dl = slash == path ? 1 : (size_t)(slash - path);
	bl = strlen(slash + 1);
	if (bl == 0 || bl > AUDIT_STATE_NAME_MAX - 4 || dl >= dirlen ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0) {
		snprintf(err, errlen, "audit state %s: not a file name", path);
		return -1;
	}
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	memcpy(st->base, slash + 1, bl + 1);
	if (snprintf(st->tmp, sizeof(st->tmp), "%s.new", st->base) >=
	    (int)sizeof(st->tmp)) {
		snprintf(err, errlen, "audit state %s: name too long", path);
		return -1;
	}
	return 0;
}

/*
 * The directory: reached by a trusted path (trust.h: every directory and
 * link on the way root's or the run user's, none writable by group or
 * others unless sticky, so that no one else can put another directory in
 * its place, with or without chroot), open, owned by the run user, no
 * access for others.
 */
int
audit_state_dir(struct audit_state *st, const char *dir, uid_t uid,
    char *err, size_t errlen)
{
	char why[1024];
	struct stat sb;
	struct trust t;

	trust_init(&t, 1, uid, 0);	/* nothing to search: gid unused */
	st->dirfd = trust_opendir(&t, dir, &sb, why, sizeof(why));
	trust_free(&t);
	if (st->dirfd == -1 && errno == EPERM) {
		snprintf(err, errlen, "audit state %s: %s: its owner could "
		    "swap in another directory, whose state the daemon would "
		    "read and overwrite (chown root and chmod go-w it, or keep "
		    "the state where only root or the run user can write)",
		    st->path, why);
		return -1;
	}
	if (st->dirfd == -1 && errno == ENOENT) {
		snprintf(err, errlen, "audit state %s: directory %s: %s "
		    "(create it for the user daytimed runs as, uid %u, with no "
		    "access for others: install -d -o %u -m 0700 %s)", st->path,
		    dir, strerror(errno), (unsigned)uid, (unsigned)uid, dir);
		return -1;
	}
	if (st->dirfd == -1) {
		snprintf(err, errlen, "audit state %s: directory %s: %s",
		    st->path, dir, strerror(errno));
		return -1;
	}
	if (sb.st_uid != uid || !(sb.st_mode & S_IWUSR)) {
		snprintf(err, errlen, "audit state %s: directory %s must be "
		    "owned and writable by the user daytimed runs as (uid %u), "
		    "not uid %u mode %04o", st->path, dir, (unsigned)uid,
		    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	/*
	 * No access at all for others: the start and every save flock the
	 * directory (audit_state_lock), and anyone who can open it could
	 * hold that lock and make each of them fail.
	 */
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "audit state %s: directory %s gives group "
		    "or others access (mode %04o): anyone who can open it can "
		    "lock it and stop every start and save (chmod 0700 %s)",
		    st->path, dir, (unsigned)(sb.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/*
 * The last link, or none (no file yet), or broken (corrupt file). On an
 * error, *odd (unless NULL) says whether the path holds something that is
 * not a state file (a link, not a regular file, the wrong owner, mode or
 * size), rather than a file that could not be read.
 */
int
audit_state_read(struct audit_state *st, uid_t uid, struct link *prev,
    int *odd, char *note, size_t notelen, char *err, size_t errlen)
{
	char buf[LINK_STATE_MAX + 1];
	struct stat sb;
	ssize_t r;
	size_t got = 0;
	int fd, dummy;

	if (odd == NULL)
		odd = &dummy;
	*odd = 1;
	fd = openat(st->dirfd, st->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		prev->kind = LINK_NONE;
		snprintf(note, notelen, "audit state %s: no state file yet: the "
		    "new epoch starts a chain of epochs (prev=none)", st->path);
		return 0;
	}
	if (fd == -1) {
		*odd = errno == ELOOP;
		snprintf(err, errlen, "audit state %s: %s", st->path,
		    errno == ELOOP ? "a symbolic link, refused" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "audit state %s: not a regular file",
		    st->path);
		goto fail;
	}
	if (sb.st_uid != uid || (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "audit state %s: must be owned by the user "
		    "daytimed runs as (uid %u) with mode 0600, not uid %u mode "
		    "%04o", st->path, (unsigned)uid, (unsigned)sb.st_uid,
		    (unsigned)(sb.st_mode & 07777));
		goto fail;
	}
	if ((unsigned long long)sb.st_size > LINK_STATE_MAX) {
		snprintf(err, errlen, "audit state %s: wrong size (%lld bytes, "
		    "a state file has at most %zu): not replacing what may not "
		    "be a state file", st->path, (long long)sb.st_size,
		    LINK_STATE_MAX);
		goto fail;
	}
	while (got < sizeof(buf)) {
		r = read(fd, buf + got, sizeof(buf) - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*odd = 0;
			snprintf(err, errlen, "audit state %s: cannot read: %s",
			    st->path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (link_state_parse(buf, got, prev) == -1) {
		prev->kind = LINK_BROKEN;
		snprintf(note, notelen, "audit state %s: corrupt (%zu bytes that "
		    "do not parse): replaced; the new epoch's link to the last "
		    "one is broken (prev=broken)", st->path, got);
	}
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * Save the link durably: temp file, fsync, rename, fsync the directory.
 * keep 0: the temp file is removed instead of renamed (audit_state_probe).
 * A temp file is never left behind: one from before (a crash) is removed
 * first, and one this call made is removed when a step fails (a full
 * filesystem). 0: saved; -1: the file is as it was; 1: renamed, so the
 * file says l, but the directory's fsync failed and a crash may undo it
 * (err says so).
 */
int
audit_state_write(struct audit_state *st, const struct link *l, int keep,
    char *err, size_t errlen)
{
	char buf[LINK_STATE_MAX + 1];
	const char *what = "write";
	int n, fd, e;

	if ((n = link_state_format(l, buf, sizeof(buf))) == -1) {
		snprintf(err, errlen, "audit state %s: cannot format", st->path);
		return -1;
	}
	(void)unlinkat(st->dirfd, st->tmp, 0);	/* ENOENT, or EROFS below */
	fd = openat(st->dirfd, st->tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "audit state %s: cannot create the "
		    "temporary file %s: %s", st->path, st->tmp, strerror(errno));
		return -1;
	}
	if (compat_write_all(fd, buf, (size_t)n) == -1) {
		if (errno == 0)
			errno = EIO;
		e = errno;
		close(fd);
		goto fail;
	}
	if (fsync(fd) == -1) {
		what = "fsync";
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		what = "close";
		e = errno;
		goto fail;
	}
	if (!keep) {
		if (unlinkat(st->dirfd, st->tmp, 0) == -1) {
			snprintf(err, errlen, "audit state %s: cannot remove the "
			    "temporary file %s: %s", st->path, st->tmp,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	if (renameat(st->dirfd, st->tmp, st->dirfd, st->base) == -1) {
		what = "rename";
		e = errno;
		goto fail;
	}
	if (fsync(st->dirfd) == -1) {
		/* renamed: only the durability of the rename is in doubt */
		snprintf(err, errlen, "audit state %s: cannot fsync the "
		    "directory: %s", st->path, strerror(errno));
		return 1;
	}
	return 0;
fail:
	(void)unlinkat(st->dirfd, st->tmp, 0);
	snprintf(err, errlen, "audit state %s: cannot %s the temporary file "
	    "%s: %s", st->path, what, st->tmp, strerror(e));
	return -1;
}

/*
 * At open, under the lock: the state can be saved (a state-sized temp
 * file written, synced and removed), or the start fails naming the file:
 * an epoch that cannot save its first record cannot be linked, and the
 * next one would name the same last epoch as this one.
 */
int
audit_state_probe(struct audit_state *st, char *err, size_t errlen)
{
	struct link l;
	char why[400];

	memset(&l, 0, sizeof(l));
	l.kind = LINK_EPOCH;
	memset(l.epoch, '0', LINK_EPOCH_HEX);
	l.seq = UINT64_MAX;
	l.stopped = 1;
	if (audit_state_write(st, &l, 0, why, sizeof(why)) == 0)
		return 0;	/* keep 0: never 1 */
	snprintf(err, errlen, "%s (the new epoch's first record could not be "
	    "saved: is the filesystem full or read-only?)", why);
	return -1;
}

/*
 * The file belongs to the last epoch that started, of whichever process
 * (inetd mode: a process an epoch, several at once). The lock makes a
 * start's read of the link and its save of seq 0 one step, so that each
 * epoch names the one that started just before it and no two name the
 * same one; a later save of an epoch's position (or its stop) is made
 * only while the file still names that epoch. A lock held longer than AUDIT_STATE_LOCK_US (a stuck
 * process) is an error, not a wait without end.
 */
int
audit_state_lock(struct audit_state *st, char *err, size_t errlen)
{
	struct timespec nap = { 0, AUDIT_STATE_LOCK_NAP_US * 1000 };
	unsigned i;

	for (i = 0; i <= AUDIT_STATE_LOCK_US / AUDIT_STATE_LOCK_NAP_US; i++) {
		if (flock(st->dirfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		(void)nanosleep(&nap, NULL);
	}
	snprintf(err, errlen, "audit state %s: cannot lock its directory: %s",
	    st->path, errno == EWOULDBLOCK ? "another daytimed held it "
	    "too long" : strerror(errno));
	return -1;
}
