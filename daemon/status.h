/* SPDX-License-Identifier: ISC */
/*
 * status: the reload status file and daytimed -r. Beside the pidfile
 * (PIDFILE with ".pid" replaced by ".status", or ".status" appended) the
 * monitor keeps one line:
 *
 *   pid=N reads=R done=D result=starting|ok|failed error=TEXT
 *
 * reads counts the reloads whose files the monitor began to read (and
 * the reloads that failed before any reading: the engine could not
 * start one), done is the read the last outcome belongs to, and error
 * is that outcome's
 * first error, escaped as a record value ("-": none). daytimed -r reads
 * the line, sends HUP to the pid of the pidfile, and waits until an
 * outcome belongs to a read that began after its look (done > R): that
 * read saw every file as it was when -r ran. So a systemd ExecReload=
 * reports a reload that failed, even after -t passed. An empty file (the
 * monitor could not write it) still lets the HUP go to the pidfile's
 * lock holder, with no outcome to wait for.
 */
#ifndef DAYTIMED_STATUS_H
#define DAYTIMED_STATUS_H

#include <sys/types.h>

#include <stddef.h>

#define STATUS_LINE_MAX		2048
#define STATUS_ERROR_MAX	1024
#define STATUS_WAIT_SECS	60	/* -r: how long an outcome may take */
#define STATUS_RETRY_SECS	5	/* the monitor: a failed write again */

struct status {
	long long		 pid;
	unsigned long long	 reads;
	unsigned long long	 done;
	char			 result[16];	/* "starting", "ok", "failed" */
	char			 error[STATUS_ERROR_MAX];	/* escaped, or "-" */
};

/* The status file's path for a pidfile; -1 when it does not fit. */
int	status_path(const char *pidfile, char *buf, size_t len);
/* Parse one status line (buf, len); -1 when it is not one. Pure. */
int	status_parse(const char *buf, size_t len, struct status *);

/*
 * At startup, before the privilege drop: create the file (O_EXCL); a
 * leftover is removed first only when it is a regular file of ours or of
 * runuid's with one link, else -1 (logged).
 */
int	status_open(const char *pidfile, uid_t runuid);
/* In the engine: let go of it (the monitor keeps it). */
void	status_close(void);
/*
 * At startup after the pidfile, then in the monitor: rewrite the line
 * (error NULL: "-"). A failure is logged once until a write succeeds.
 */
void	status_write(pid_t pid, unsigned long long reads,
	    unsigned long long done, const char *result, const char *error);
/* Whether the last write failed: the monitor writes again, not too often. */
int	status_pending(void);
/* In the monitor, at its end: remove the file, where permissions allow. */
void	status_remove(void);

/*
 * daytimed -r: HUP the daemon of pidfile (only the process that holds
 * the pidfile's POSIX lock, and only when it is the pid the file names)
 * and wait at most wait_s seconds for the outcome; 0 when the new
 * configuration took, -1 otherwise (the reason printed on stderr), -2
 * when the HUP was sent but the status file is empty: the daemon could
 * not write it, so no outcome can be told.
 */
int	status_reload(const char *pidfile, unsigned wait_s);

#endif
