/* SPDX-License-Identifier: ISC */
/*
 * status: the monitor's reload status file and daytimed -r, which reads
 * it. The file is created while still privileged (like the pidfile,
 * O_EXCL: a leftover is checked, removed and made anew) and rewritten in
 * place through the descriptor the monitor keeps; a reader
 * that catches a line half rewritten just looks again.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "audit/record.h"
#include "daemon/life.h"
#include "daemon/log.h"
#include "daemon/status.h"

#define STATUS_POLL_MS	20	/* -r: between two looks at the file */
#define STATUS_OPEN_TRIES 4	/* leftovers raced before giving up */
#define STATUS_ERR_MAX	(4096 + 256)	/* -r: a path and why */
#define STATUS_EMPTY_TRIES 10	/* -r: looks at an empty file, a poll apart */

static int	 status_fd = -1;
static char	*status_file;
static int	 status_unwritten;	/* the last write failed */

int
status_path(const char *pidfile, char *buf, size_t len)
{
	return life_beside(pidfile, ".status", buf, len);
}

/* "KEY=" at *p, then a number; *p moves past it and one space. */
static int
status_number(const char **p, const char *end, const char *key,
    unsigned long long max, unsigned long long *v)
{
	size_t kl = strlen(key), n;

	if ((size_t)(end - *p) < kl || memcmp(*p, key, kl) != 0)
		return -1;
	*p += kl;
	for (n = 0; *p + n < end && (*p)[n] != ' '; n++)
		;
	if (*p + n == end || compat_parse_uint(*p, n, max, v) == -1)
		return -1;
	*p += n + 1;
	return 0;
}

int
status_parse(const char *buf, size_t len, struct status *st)
{
	const char *p = buf, *end, *nl = memchr(buf, '\n', len);
	unsigned long long pid;
	size_t n;

	memset(st, 0, sizeof(*st));
	if (nl == NULL)
		return -1;
	end = nl;
	if (status_number(&p, end, "pid=", 0x7fffffff, &pid) == -1 ||
	    status_number(&p, end, "reads=", ~0ULL, &st->reads) == -1 ||
	    status_number(&p, end, "done=", ~0ULL, &st->done) == -1)
		return -1;
	st->pid = (long long)pid;
	if ((size_t)(end - p) < 7 || memcmp(p, "result=", 7) != 0)
		return -1;
	p += 7;
	for (n = 0; p + n < end && p[n] != ' '; n++)
		;
	if (p + n == end || n == 0 || n >= sizeof(st->result))
		return -1;
	memcpy(st->result, p, n);
	st->result[n] = '\0';
	if (strcmp(st->result, "starting") != 0 &&
	    strcmp(st->result, "ok") != 0 && strcmp(st->result, "failed") != 0)
		return -1;
	p += n + 1;
	if ((size_t)(end - p) < 6 || memcmp(p, "error=", 6) != 0)
		return -1;
	p += 6;
	/*
	 * Whatever the file says, only printable ASCII is kept to show: the
	 * daemon escapes the rest when it writes (record_escape), so a
	 * control or high byte here (C1 controls, a UTF-8 CSI, a right-to-
	 * left override for the operator's terminal) is the writer's own.
	 */
	for (n = 0; p < end; p++) {
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) {
			if (n + 1 >= sizeof(st->error))
				break;
			st->error[n++] = (char)*p;
			continue;
		}
		if (n + 4 >= sizeof(st->error) || snprintf(st->error + n, 5,
		    "\\x%02x", (unsigned char)*p) != 4)
			break;
		n += 4;
	}
	st->error[n] = '\0';
	return 0;
}

/*
 * What stands at path, left by a daemon killed: 0 nothing or something
 * removed, -1 something not ours (said in the log). Only a regular file
 * of the starter's or the run user's with one link is removed: a second
 * link (fs.protected_hardlinks=0, or a file the run user may link) would
 * be another file, a FIFO or a link put there is not a status file.
 */
static int
status_leftover(const char *path, uid_t runuid)
{
	struct stat st, now;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warnx("status file %s: %s", path, errno == ELOOP ?
		    "is a symbolic link: not replaced" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("status file %s exists and is not a regular file: not "
		    "replaced", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (st.st_uid != geteuid() && st.st_uid != runuid) {
		log_warnx("status file %s exists, owned by uid %u: not replaced",
		    path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_nlink != 1) {
		log_warnx("status file %s exists with %lu links: another name "
		    "for some other file, not replaced", path,
		    (unsigned long)st.st_nlink);
		return -1;
	}
	/* Removing a name never touches another file; still, the one seen. */
	if (lstat(path, &now) == 0 && now.st_dev == st.st_dev &&
	    now.st_ino == st.st_ino)
		(void)unlink(path);
	return 0;
}

int
status_open(const char *pidfile, uid_t runuid)
{
	char path[4096];
	int tries;

	if (status_path(pidfile, path, sizeof(path)) == -1) {
		log_warnx("pidfile %s: name too long for its status file",
		    pidfile);
		return -1;
	}
	/* Always a file we create, as the pidfile: nothing else written. */
	for (tries = 0; tries < STATUS_OPEN_TRIES; tries++) {
		status_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (status_fd != -1 || errno != EEXIST)
			break;
		if (status_leftover(path, runuid) == -1)
			return -1;
	}
	if (status_fd == -1) {
		if (errno == EEXIST)
			log_warnx("status file %s: replaced while starting",
			    path);
		else
			log_warn("status file %s", path);
		return -1;
	}
	if ((status_file = strdup(path)) == NULL) {
		close(status_fd);
		status_fd = -1;
		return -1;
	}
	return 0;
}

void
status_close(void)
{
	if (status_fd != -1)
		close(status_fd);
	status_fd = -1;
}

/*
 * A failure is said once, until a write succeeds again: the monitor
 * tries again at what it handles next and every STATUS_RETRY_SECS.
 */
void
status_write(pid_t pid, unsigned long long reads, unsigned long long done,
    const char *result, const char *error)
{
	char line[STATUS_LINE_MAX], esc[STATUS_ERROR_MAX];
	ssize_t w;
	int n;

	if (status_fd == -1)
		return;
	if (error == NULL)
		memcpy(esc, "-", 2);
	else
		(void)record_escape(esc, sizeof(esc), error, strlen(error));
	n = snprintf(line, sizeof(line), "pid=%ld reads=%llu done=%llu "
	    "result=%s error=%s\n", (long)pid, reads, done, result, esc);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	if ((w = pwrite(status_fd, line, (size_t)n, 0)) != n ||
	    ftruncate(status_fd, n) == -1) {
		if (!status_unwritten)
			log_warnx("status file %s: %s: daytimed -r cannot "
			    "report a reload's outcome until it is written "
			    "(tried again every %u s)", status_file,
			    w >= 0 && w < n ? "short write" : strerror(errno),
			    STATUS_RETRY_SECS);
		status_unwritten = 1;
	} else if (status_unwritten) {
		log_info("status file %s written again", status_file);
		status_unwritten = 0;
	}
}

int
status_pending(void)
{
	return status_fd != -1 && status_unwritten;
}

void
status_remove(void)
{
	struct stat ours, now;

	if (status_fd == -1)
		return;
	/* The name still ours: never another file put in its place. */
	if (fstat(status_fd, &ours) == 0 && lstat(status_file, &now) == 0 &&
	    now.st_dev == ours.st_dev && now.st_ino == ours.st_ino)
		(void)unlink(status_file);
	close(status_fd);
	status_fd = -1;
}

/*
 * Open a file -r reads: not through a link in its last name, never
 * waiting (a FIFO put there opens at once), and only a regular file. The
 * descriptor, or -1 and why in err.
 */
static int
status_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, errno == ELOOP ?
		    "a symbolic link, refused" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* The first line of a small regular file: its length, or -1. */
static ssize_t
status_read_file(const char *path, char *buf, size_t len)
{
	char err[STATUS_ERR_MAX];
	ssize_t n;
	int fd;

	if ((fd = status_open_regular(path, err, sizeof(err))) == -1)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/*
 * The pid holding a POSIX lock on fd: 0 when none, -1 on error, -2 when
 * held by a process outside our pid namespace (the kernel says pid 0).
 */
static long long
status_lock_holder(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	return fl.l_pid > 0 ? (long long)fl.l_pid : -2;
}

/* A pidfd for pid, or -1 (errno ENOSYS when the kernel has none). */
static int
status_pidfd_open(long long pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* sig to the process: through its pidfd when there is one. */
static int
status_signal(int pfd, long long pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pfd != -1)
		return (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
#endif
	return kill((pid_t)pid, sig);
}

/*
 * The pid of the daytimed that holds pidfile and, in *pfd, a pidfd that
 * pins that very process (-1 on a kernel without pidfds: then its pid is
 * signalled); or -1 and why in err. The number in the file alone is not
 * enough: the file's directory is the run user's (the monitor removes
 * the file at stop), so whoever runs as that user could put any number
 * there, and root's -r would signal any process. So the number must name
 * the process that holds the file's POSIX lock, which life_pidfile_write
 * takes in the process whose pid it writes (the monitor). F_GETLK rather
 * than /proc/locks: it asks about this very file (the descriptor read),
 * needs no /proc and no device numbers matched as text, answers in our
 * pid namespace, and a POSIX lock is never inherited by a child, so its
 * holder is one process. (A flock, taken before the daemon forks, as the
 * lock file's is, names the long gone starter in /proc/locks.) The pidfd is taken
 * and the lock asked again: a holder that died and whose pid was reused
 * in between is not the process pinned, whose signal then fails. A
 * process of the run user that locks a file of its own names itself:
 * signalling it gives that user nothing.
 */
static long long
status_pidfile(const char *pidfile, int *pfd, char *err, size_t errlen)
{
	char buf[32];
	long long holder;
	const char *nl;
	ssize_t n;
	long v;
	int fd;

	*pfd = -1;
	if ((fd = status_open_regular(pidfile, err, errlen)) == -1)
		return -1;
	/* Its first line, by the daemon's own parser; never init's pid. */
	n = read(fd, buf, sizeof(buf));
	if (n <= 0 || (nl = memchr(buf, '\n', (size_t)n)) == NULL ||
	    life_pidfile_parse(buf, (size_t)(nl - buf) + 1, &v) == -1 ||
	    v < 2) {
		(void)snprintf(err, errlen, "%s holds no daemon's pid (is "
		    "daytimed running?)", pidfile);
		close(fd);
		return -1;
	}
	if ((holder = status_lock_holder(fd)) == (long long)v &&
	    ((*pfd = status_pidfd_open(holder)) != -1 || errno == ENOSYS))
		holder = status_lock_holder(fd);
	close(fd);
	if (holder == (long long)v && (*pfd != -1 || errno == ENOSYS))
		return (long long)v;
	if (*pfd != -1)
		close(*pfd);
	*pfd = -1;
	if (holder == -1)
		(void)snprintf(err, errlen, "%s: lock: %s", pidfile,
		    strerror(errno));
	else if (holder == (long long)v)
		(void)snprintf(err, errlen, "pid %ld: %s", v, strerror(errno));
	else if (holder == 0 || holder == -2)
		(void)snprintf(err, errlen, "%s: the pidfile names pid %ld, but "
		    "the lock on it is held by %s; no signal sent", pidfile, v,
		    holder == 0 ? "no one (is daytimed running?)" :
		    "a process outside this pid namespace");
	else
		(void)snprintf(err, errlen, "%s: the pidfile names pid %ld, but "
		    "the lock on it is held by pid %lld: not this daytimed's "
		    "pidfile; no signal sent", pidfile, v, holder);
	return -1;
}

/*
 * Read and parse the status file; -1 when it cannot be read or parsed,
 * -2 when it is empty (not written yet, or never: status_write).
 */
static int
status_look(const char *path, struct status *st)
{
	char buf[STATUS_LINE_MAX + 1];
	ssize_t n = status_read_file(path, buf, sizeof(buf) - 1);

	if (n == 0)
		memset(st, 0, sizeof(*st));
	return n == 0 ? -2 : n < 0 ? -1 : status_parse(buf, (size_t)n, st);
}

/* Milliseconds on the monotonic clock. */
static long long
status_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After the HUP: wait for the outcome of a reading begun after it. */
static int
status_wait(const char *path, const struct status *before, long long pid,
    int pfd, unsigned wait_s)
{
	struct timespec pause = { 0, STATUS_POLL_MS * 1000000L };
	long long deadline = status_now_ms() + (long long)wait_s * 1000;
	struct status st;

	for (;;) {
		if (status_look(path, &st) == 0 && st.pid == pid &&
		    st.done > before->reads) {
			if (strcmp(st.result, "ok") == 0 &&
			    strcmp(st.error, "-") != 0) {
				printf("daytimed: pid %lld reloaded its "
				    "configuration, and kept some settings as "
				    "they were: %s\n", pid, st.error);
				return 0;
			}
			if (strcmp(st.result, "ok") == 0) {
				printf("daytimed: pid %lld reloaded its "
				    "configuration\n", pid);
				return 0;
			}
			fprintf(stderr, "daytimed: pid %lld kept its old "
			    "configuration: the reload failed: %s\n", pid,
			    st.error);
			return -1;
		}
		if (status_signal(pfd, pid, 0) == -1 && errno == ESRCH) {
			fprintf(stderr, "daytimed: -r: pid %lld is gone\n", pid);
			return -1;
		}
		if (status_now_ms() >= deadline) {
			fprintf(stderr, "daytimed: -r: pid %lld reported no "
			    "outcome within %u s\n", pid, wait_s);
			return -1;
		}
		(void)nanosleep(&pause, NULL);
	}
}

int
status_reload(const char *pidfile, unsigned wait_s)
{
	struct timespec pause = { 0, STATUS_POLL_MS * 1000000L };
	struct status before;
	char path[4096], err[STATUS_ERR_MAX];
	long long pid;
	int fd, pfd, look, tries, rv = -1;

	if (status_path(pidfile, path, sizeof(path)) == -1)
		return -1;
	if ((pid = status_pidfile(pidfile, &pfd, err, sizeof(err))) == -1) {
		fprintf(stderr, "daytimed: -r: %s\n", err);
		return -1;
	}
	if ((fd = status_open_regular(path, err, sizeof(err))) == -1) {
		fprintf(stderr, "daytimed: -r: status file %s\n", err);
		goto out;
	}
	close(fd);
	/* Empty: a daemon that just took the pidfile's lock writes it next. */
	for (tries = 0; (look = status_look(path, &before)) == -2 &&
	    tries < STATUS_EMPTY_TRIES; tries++)
		(void)nanosleep(&pause, NULL);
	if (look == -2) {
		/*
		 * The lock's holder is the daemon, but it could not write its
		 * status (a full filesystem): the HUP still goes, and no
		 * outcome can be waited for.
		 */
		if (status_signal(pfd, pid, SIGHUP) == -1)
			fprintf(stderr, "daytimed: -r: pid %lld: %s\n", pid,
			    strerror(errno));
		else {
			fprintf(stderr, "daytimed: -r: sent SIGHUP to pid %lld, "
			    "but cannot report the outcome: its status file %s "
			    "is empty, the daemon could not write it (see its "
			    "log)\n", pid, path);
			rv = -2;
		}
	} else if (look == -1 || before.pid != pid)
		fprintf(stderr, "daytimed: -r: %s does not describe pid %lld "
		    "(is it a daytimed that keeps a status file?)\n", path, pid);
	else if (status_signal(pfd, pid, SIGHUP) == -1)
		fprintf(stderr, "daytimed: -r: pid %lld: %s\n", pid,
		    strerror(errno));
	else
		rv = status_wait(path, &before, pid, pfd, wait_s);
out:
	if (pfd != -1)
		close(pfd);
	return rv;
}
