/* SPDX-License-Identifier: ISC */
/*
 * life: the process's life outside the event loop. The run user and
 * group, the pidfile (ours only: created, never truncated, never someone
 * else's file, removed only while it is still ours) and its lock file
 * (life_lock.c), which decides whether a daemon runs, the double fork
 * with the starter waiting for "ready" on a pipe (the daemon keeps the
 * log sink, the starter drops its copy), /dev/null kept for descriptors
 * 0 to 2 even in a chroot, systemd's LISTEN_FDS, and the drop: chroot,
 * groups, uid, no new privileges.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "daemon/life.h"
#include "daemon/life_lock.h"
#include "daemon/life_start.h"
#include "daemon/log.h"

#define LIFE_SD_FDS_START 3
#define LIFE_PID_TEXT	32	/* what is read of an existing pidfile */
#define LIFE_PID_TRIES	4	/* takeovers raced before giving up */

static int	 life_pidfd = -1;
static char	*life_pidpath;
static struct stat life_pidst;		/* the pidfile we created */
static int	 life_starter = -1;	/* write end, in the daemon */
static int	 life_devnull = -1;	/* opened before any chroot */

static int	life_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

int
life_user(const char *user, const char *group, struct life_user *u)
{
	struct passwd *pw;
	struct group *gr;

	memset(u, 0, sizeof(*u));
	if (user == NULL) {
		if (geteuid() == 0) {
			log_warnx("started as root with no 'user' directive: "
			    "refusing to run as root");
			return -1;
		}
		if (group != NULL)
			log_warnx("'group' ignored: not started as root");
		log_info("not started as root: running as uid %u as is",
		    (unsigned)geteuid());
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("unknown user '%s'", user);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			log_warnx("unknown group '%s'", group);
			return -1;
		}
		u->gid = gr->gr_gid;
	}
	if (strlcpy(u->name, user, sizeof(u->name)) >= sizeof(u->name)) {
		log_warnx("user name too long: '%s'", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (u->uid != geteuid())
			log_info("not started as root: staying uid %u, not "
			    "'%s'", (unsigned)geteuid(), user);
		return 0;
	}
	if (u->uid == 0) {
		log_warnx("user '%s' is root: refusing to run as root", user);
		return -1;
	}
	u->set = 1;
	return 0;
}

int
life_pidfile_parse(const char *buf, size_t len, long *pid)
{
	unsigned long long v;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (compat_parse_uint(buf, len, LIFE_PID_MAX, &v) == -1 || v == 0)
		return -1;
	*pid = (long)v;
	return 0;
}

/* A reason into err; -1. */
static int
life_err(char *err, size_t errlen, const char *why, ...)
{
	va_list ap;

	va_start(ap, why);
	(void)vsnprintf(err, errlen, why, ap);
	va_end(ap);
	return -1;
}

/* The pid the pidfile at path names, as text, or "unknown". */
static void
life_pid_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	long pid;
	int fd;

	n = -1;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) != -1) {
		n = pread(fd, buf, len - 1, 0);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (life_pidfile_parse(buf, strlen(buf), &pid) == -1)
		(void)strlcpy(buf, "unknown", len);
}

/*
 * What stands at path: 0 nothing, 1 a pidfile a daemon left behind that
 * we may replace (a regular file of our own, not writable by others,
 * holding a process id; unless probe, also not write-locked) and *st is
 * it, 2 such a file with no process id in it (err says so), 3 one empty
 * as life_pidfile_open makes it (mode 0600, one link): a start's that
 * died before it wrote its pid, or is still starting (its lock file
 * tells), *st and err as for 1 and 2; or -1 and the reason in err.
 * Opened without blocking and without following a link: a FIFO or a
 * link put there is refused.
 */
static int
life_pidfile_existing(const char *path, int probe, struct stat *st,
    char *err, size_t errlen)
{
	char buf[LIFE_PID_TEXT];
	struct flock fl;
	ssize_t n;
	long pid;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return life_err(err, errlen, "%s", errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return life_err(err, errlen, "exists and is not a regular file");
	}
	if (st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return life_err(err, errlen, "exists, owned by uid %u with mode "
		    "%04o: not taken over", (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777));
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (!probe && fcntl(fd, F_GETLK, &fl) == -1) {
		close(fd);
		return life_err(err, errlen, "lock: %s", strerror(errno));
	}
	if (!probe && fl.l_type == F_WRLCK) {
		close(fd);
		buf[strcspn(buf, "\n")] = '\0';
		return life_err(err, errlen, "already running (pid %s): "
		    "pidfile locked", life_pidfile_parse(buf, strlen(buf),
		    &pid) == 0 ? buf : "unknown");
	}
	close(fd);
	if (n <= 0 || life_pidfile_parse(buf, (size_t)n, &pid) == -1) {
		(void)life_err(err, errlen, "exists and does not hold a "
		    "process id: not overwritten");
		return n == 0 && (st->st_mode & 07777) == 0600 &&
		    st->st_nlink == 1 ? 3 : 2;
	}
	return 1;
}

int
life_pidfile_inspect(const char *path, char *err, size_t errlen)
{
	char lock[PATH_MAX], why[128];
	struct stat st;
	int rc;

	if ((rc = life_pidfile_existing(path, 1, &st, err, errlen)) == -1)
		return -1;
	if (life_beside(path, ".lock", lock, sizeof(lock)) == -1)
		return life_err(err, errlen, "is too long a name for its lock "
		    "file");
	/*
	 * No pid in it, but its lock file held: the pidfile of a daemon
	 * starting, which writes its pid later. Not a file a start would
	 * refuse: the start's lock says "already running". Empty as a start
	 * makes it, its lock file free: a start that died before it wrote
	 * its pid, which a start takes over.
	 */
	if (rc == 2 && !life_lock_busy(lock))
		return -1;
	if (life_lock_take(lock, 1, why, sizeof(why)) == -1)
		return life_err(err, errlen, "has a lock file %s that %s", lock,
		    why);
	return 0;
}

int
life_beside(const char *pidfile, const char *suffix, char *buf, size_t len)
{
	size_t n = strlen(pidfile);
	int w;

	if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
		n -= 4;
	w = snprintf(buf, len, "%.*s%s", (int)n, pidfile, suffix);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

char *
life_abs(const char *path)
{
	char *cwd, *out, *slash;
	size_t len;

	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	/* The working directory's path has no links: a leading ".." is its
	 * parent, by name; one after a name of path is left to the kernel. */
	for (;;) {
		if (path[0] == '.' && path[1] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '.' &&
		    (path[2] == '/' || path[2] == '\0')) {
			if ((slash = strrchr(cwd, '/')) != NULL)
				slash[slash == cwd ? 1 : 0] = '\0';
			path += 2;
		} else
			break;
		while (*path == '/')
			path++;
	}
	len = strlen(cwd) + 1 + strlen(path) + 1;
	if ((out = malloc(len)) != NULL)
		(void)snprintf(out, len, "%s/%s", strcmp(cwd, "/") == 0 ? "" :
		    cwd, path);
	free(cwd);
	return out;
}

char *
life_abs_in_dir(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir, *real, *out;
	size_t len;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		errno = EISDIR;
		return NULL;
	}
	if ((dir = slash ? strndup(path, (size_t)(slash - path)) :
	    strdup(".")) == NULL)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return NULL;
	len = strlen(real) + 1 + strlen(base) + 1;
	if ((out = malloc(len)) != NULL)
		(void)snprintf(out, len, "%s/%s", strcmp(real, "/") == 0 ? "" :
		    real, base);
	free(real);
	return out;
}

/*
 * The lock file's flock is the truth (life_lock.c); the pid in the
 * pidfile is for people and -r. The pidfile is always one we create
 * (O_EXCL): one a daemon left behind is checked, then removed and made
 * anew, so nothing else is ever truncated. It is made mode 0600, so that
 * no one else can open it, let alone lock it, before life_pidfile_write
 * holds its POSIX lock and makes it 0644; and flocked here, as the
 * releases before the lock file judged a running daemon (theirs checks
 * flock(LOCK_EX | LOCK_NB) on the pidfile): best effort, and never asked
 * of a pidfile found here, which is judged by the lock file alone.
 */
int
life_pidfile_open(const char *path)
{
	char err[192], lock[PATH_MAX], pid[LIFE_PID_TEXT];
	struct stat st, now;
	int fd, tries;

	if (life_beside(path, ".lock", lock, sizeof(lock)) == -1) {
		log_warnx("pidfile %s: name too long for its lock file", path);
		return -1;
	}
	err[0] = '\0';
	switch (life_lock_take(lock, 0, err, sizeof(err))) {
	case 1:
		life_pid_text(path, pid, sizeof(pid));
		log_warnx("already running (pid %s): lock file %s held", pid,
		    lock);
		return -1;
	case -1:
		log_warnx("pidfile %s: lock file %s %s", path, lock, err);
		return -1;
	}
	for (tries = 0; tries < LIFE_PID_TRIES; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1) {
			(void)flock(fd, LOCK_EX | LOCK_NB);
			free(life_pidpath);	/* an earlier one's (tests) */
			life_pidpath = NULL;
			if (fstat(fd, &life_pidst) == -1 ||
			    (life_pidpath = strdup(path)) == NULL) {
				close(fd);
				(void)unlink(path);
				goto fail;
			}
			life_pidfd = fd;
			return 0;
		}
		if (errno != EEXIST) {
			log_warn("pidfile %s", path);
			goto fail;
		}
		switch (life_pidfile_existing(path, 0, &st, err, sizeof(err))) {
		case -1:
		case 2:
			if (strncmp(err, "already running", 15) == 0)
				log_warnx("%s: pidfile %s", err, path);
			else
				log_warnx("pidfile %s %s", path, err);
			goto fail;
		case 3:
			/*
			 * Empty, mode 0600, one link, ours, in the directory
			 * whose lock file we hold: what a start leaves that
			 * was killed before it wrote its pid. Replaced like a
			 * dead daemon's, or it would block every start.
			 */
			log_info("pidfile %s: empty, left by a start that "
			    "stopped before it wrote its pid: taken over", path);
			/* FALLTHROUGH */
		case 1:
			/* Ours to replace: no other start holds the lock. */
			if (lstat(path, &now) == 0 && now.st_dev == st.st_dev &&
			    now.st_ino == st.st_ino)
				(void)unlink(path);
			break;
		}
	}
	log_warnx("pidfile %s: replaced while starting", path);
fail:
	life_lock_drop(1);
	return -1;
}

int
life_pidfile_write(void)
{
	struct flock fl;
	char buf[32];
	int n;

	if (life_pidfd == -1)
		return 0;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    pwrite(life_pidfd, buf, (size_t)n, 0) != n) {
		log_warn("pidfile %s: write", life_pidpath);
		return -1;
	}
	/*
	 * Beside the lock file's flock (taken before the forks, it keeps a
	 * second daemon out), a POSIX lock taken by the process whose pid is
	 * written: its holder is what -r signals (status.c), and a start that
	 * finds it on a pidfile does not take the file over. Not inherited
	 * by the engine; the monitor never opens the file again, so no close
	 * drops it. Only then is the file readable by all (life_pidfile_open
	 * made it 0600, and this process, not yet split nor dropped, owns
	 * it): no stranger could take a read lock first and stop the start.
	 */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(life_pidfd, F_SETLK, &fl) == -1) {
		log_warn("pidfile %s: lock", life_pidpath);
		return -1;
	}
	if (fchmod(life_pidfd, 0644) == -1) {
		log_warn("pidfile %s: chmod 0644", life_pidpath);
		return -1;
	}
	return 0;
}

/*
 * At a clean stop, in the monitor (the run user): remove the pidfile and
 * then the lock file if they are still the ones we made (its directory
 * must let the run user), and let the lock go.
 */
void
life_pidfile_remove(void)
{
	struct stat st;

	if (life_pidfd == -1)
		return;
	if (stat(life_pidpath, &st) == 0 && st.st_dev == life_pidst.st_dev &&
	    st.st_ino == life_pidst.st_ino && unlink(life_pidpath) == -1)
		log_info("pidfile %s left behind: %s", life_pidpath,
		    strerror(errno));
	close(life_pidfd);
	life_pidfd = -1;
	life_lock_drop(1);
}

void
life_pidfile_close(void)
{
	if (life_pidfd != -1)
		close(life_pidfd);
	life_pidfd = -1;
	life_lock_drop(0);
}

void
life_daemonize(void)
{
	struct sigaction sa;
	sigset_t set, pend;
	int p[2], fd, sig;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	/*
	 * A TERM or INT from here on is the starter's to pass on, or waits
	 * for the daemon's mask below: neither side of the fork misses it.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/*
	 * The child goes on with the log sink (log_after_fork in log.h): its
	 * queue and its syslog connection, which the parents never write.
	 */
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		log_after_fork(LOG_FORK_NONE);	/* the starter only waits */
		close(p[1]);
		life_starter_wait(p[0], pid);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	/* A second fork: not a session leader, so never a controlling tty. */
	life_start_pending(&pend);	/* a stop the starter sent us */
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		life_start_hand_on(pid, &pend);
		_exit(0);	/* logs nothing: no log_after_fork needed */
	}
	life_start_take(&pend);
	umask(027);
	if (chdir("/") == -1)
		fatal("chdir /");
	/* What the starting command left us, but the start's own. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (!life_start_sig(sig))
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	/* Kept open: a chroot may have no /dev/null for stderr later. */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1)
		fatal("dup2");
	/* Until ready, stderr is the starter pipe: errors reach the caller. */
	if (dup2(p[1], STDERR_FILENO) == -1)
		fatal("dup2");
	life_devnull = fd;
	life_starter = p[1];
	log_setpid(getpid());
}

/*
 * stderr leaves the starter pipe for the /dev/null opened before; then,
 * when ready, the starter learns it: by then fds 0-2 are all /dev/null.
 */
static void
life_quiet_stderr(int ready)
{
	char b = LIFE_READY_BYTE;

	log_stderr(0);
	if (life_devnull != -1) {
		(void)dup2(life_devnull, STDERR_FILENO);
		close(life_devnull);
		life_devnull = -1;
	}
	if (ready)
		(void)compat_write_all(life_starter, &b, 1);	/* best effort */
	close(life_starter);
	life_starter = -1;
}

void
life_forget_starter(void)
{
	if (life_starter != -1)
		life_quiet_stderr(0);
}

int
life_starter_fd(void)
{
	return life_starter;
}

void
life_ready(void)
{
	if (life_starter != -1)
		life_quiet_stderr(1);
}

/*
 * Fixed order, each step fatal: chroot and chdir; then groups, gid, uid;
 * then prove it: every id is the target's and root cannot be regained.
 */
int
life_drop(const char *dir, const struct life_user *u)
{
	struct rlimit rl = { 0, 0 };
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (dir != NULL) {
		if (chroot(dir) == -1) {
			log_warn("chroot %s", dir);
			return -1;
		}
		if (chdir("/") == -1) {
			log_warn("chdir / in chroot %s", dir);
			return -1;
		}
	}
	/* Key material lives in memory: no core dumps, not even after a drop. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_warn("disabling core dumps");
		return -1;
	}
	if (u->set) {
		if (setgroups(1, &u->gid) == -1 ||
		    setresgid(u->gid, u->gid, u->gid) == -1 ||
		    setresuid(u->uid, u->uid, u->uid) == -1) {
			log_warn("dropping privileges to %s", u->name);
			return -1;
		}
		if (getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
		    r != u->uid || e != u->uid || s != u->uid ||
		    rg != u->gid || eg != u->gid || sg != u->gid) {
			log_warnx("privilege drop did not take");
			return -1;
		}
		if (setuid(0) != -1 || seteuid(0) != -1) {
			log_warnx("privilege drop is reversible: refusing to run");
			return -1;
		}
		/*
		 * A change of uid resets the dumpable flag to the system's
		 * fs.suid_dumpable: 1 would let any process of the run user
		 * trace this one and read its memory, the chain key
		 * included. Clear it again, and see that it held.
		 */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
		    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
			log_warn("disabling core dumps after the drop");
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	return 0;
}

int
life_journal_parse(const char *buf, size_t len, unsigned long long *dev,
    unsigned long long *ino)
{
	const char *colon = memchr(buf, ':', len);
	size_t dl;

	if (colon == NULL)
		return -1;
	dl = (size_t)(colon - buf);
	if (compat_parse_uint(buf, dl, ULLONG_MAX, dev) == -1 ||
	    compat_parse_uint(colon + 1, len - dl - 1, ULLONG_MAX, ino) == -1)
		return -1;
	return 0;
}

int
life_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (v == NULL || life_journal_parse(v, strlen(v), &dev, &ino) == -1 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* sd_listen_fds(3) without libsystemd: LISTEN_PID must name us. */
size_t
life_systemd_fds(int *fds, size_t max)
{
	const char *pid_s, *n_s, *errstr;
	long long pid, n, i;

	pid_s = getenv("LISTEN_PID");
	n_s = getenv("LISTEN_FDS");
	if (pid_s == NULL || n_s == NULL)
		return 0;
	pid = strtonum(pid_s, 1, INT_MAX, &errstr);
	if (errstr != NULL || pid != (long long)getpid())
		return 0;
	n = strtonum(n_s, 0, (long long)max, &errstr);
	if (errstr != NULL) {
		log_warnx("LISTEN_FDS %s: %s", n_s, errstr);
		return 0;
	}
	for (i = 0; i < n; i++)
		fds[i] = LIFE_SD_FDS_START + (int)i;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (size_t)n;
}
