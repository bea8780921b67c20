/* SPDX-License-Identifier: ISC */
/*
 * life: the daemon's life outside the event loop. The pidfile and its
 * lock, the double fork with a starter pipe that carries startup errors
 * back to the command that started the daemon, chroot, and the privilege
 * drop with its verification.
 */
#ifndef DAYTIMED_LIFE_H
#define DAYTIMED_LIFE_H

#include <sys/types.h>

#include <stddef.h>

#define LIFE_PID_MAX		4194304	/* the kernel's PID_MAX_LIMIT */
#define LIFE_USER_NAME_MAX	256	/* a user name's bytes, its NUL included */

struct life_user {
	uid_t	uid;
	gid_t	gid;
	int	set;		/* 0: run as is (not started as root) */
	char	name[LIFE_USER_NAME_MAX];
};

/* Look up user and group (before chroot). -1 with a message logged. */
int	life_user(const char *user, const char *group, struct life_user *);
/*
 * Take the lock file beside the pidfile (life_beside ".lock": created
 * mode 0600, flocked; a second daemon finds it held), then create the
 * pidfile (O_EXCL, O_NOFOLLOW, mode 0600 until life_pidfile_write): -1
 * with the reason logged ("already running (pid N)"). A pidfile left
 * behind is replaced only when it is a regular file of ours holding a
 * process id and not write-locked, whoever else locks it; nothing else
 * at either path is ever opened for writing.
 */
int	life_pidfile_open(const char *path);
/*
 * Whether a start could take path as its pidfile and its lock file (a
 * running daemon's locks aside): 0, or -1 and the reason in err. For -t.
 */
int	life_pidfile_inspect(const char *path, char *err, size_t errlen);
/*
 * Pure: whether (buf, len) is a process id, 1 to LIFE_PID_MAX, and at
 * most a newline: the one parser of a pidfile's text (life.c, status.c).
 * -1 if not.
 */
int	life_pidfile_parse(const char *buf, size_t len, long *pid);
/*
 * Pure: the name of a file beside pidfile into buf: pidfile with ".pid"
 * replaced by suffix, or suffix added. -1 when it does not fit.
 */
int	life_beside(const char *pidfile, const char *suffix, char *buf,
	    size_t len);
/*
 * The names the daemon keeps across its change to /. life_abs: a relative
 * name behind the working directory, a leading "./" dropped and a leading
 * "../" taken off that directory (its path has no links), no link of the
 * name resolved, so that the file's directory (where its relative
 * includes are) stays the one it was named in. life_abs_in_dir: the name of a file that may not
 * exist yet, in its directory's real path. NULL with errno.
 */
char	*life_abs(const char *path);
char	*life_abs_in_dir(const char *path);
/*
 * Write our pid into the pidfile, take its POSIX lock (for -r), and only
 * then make it readable by all (0644). Before the privilege drop.
 */
int	life_pidfile_write(void);
/*
 * Remove it, then its lock file, at a clean stop, if they are still the
 * files we made (the run user must be able to write their directory),
 * and let the lock go.
 */
void	life_pidfile_remove(void);
/*
 * Fork, setsid, fork again. Returns in the daemon only; the starter waits
 * for life_ready (exit 0) or for the daemon's end (exit 1), copying what
 * the daemon writes on stderr until then to its own stderr.
 */
void	life_daemonize(void);
/*
 * Close the pidfile and the lock file without removing them (the monitor
 * owns them).
 */
void	life_pidfile_close(void);
/*
 * In the monitor, once the starter has gone: let go of the starter pipe,
 * stderr to /dev/null.
 */
void	life_forget_starter(void);
/*
 * The starter pipe's write end, -1 when none (-f, or ready, or let go):
 * POLLERR on it says the starter has gone.
 */
int	life_starter_fd(void);
/* Tell the starter all went well; stderr goes to /dev/null. */
void	life_ready(void);
/* chroot (when dir != NULL), then drop to the user, then verify. */
int	life_drop(const char *chroot_dir, const struct life_user *);
/* The inherited sockets named by LISTEN_PID/LISTEN_FDS, if any. */
size_t	life_systemd_fds(int *fds, size_t max);
/*
 * JOURNAL_STREAM's "DEV:INO" (decimal) in (buf, len), as systemd.exec(5)
 * sets it; pure. 0, or -1 for anything else.
 */
int	life_journal_parse(const char *buf, size_t len,
	    unsigned long long *dev, unsigned long long *ino);
/*
 * Whether stderr is the journal's stream: JOURNAL_STREAM names it, and
 * stderr is that socket (its device and inode), as systemd.exec(5) asks;
 * a variable inherited from elsewhere names another file, or none.
 */
int	life_stderr_is_journal(void);

#endif
