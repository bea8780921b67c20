/* SPDX-License-Identifier: ISC */
/*
 * trust: whether a file the daemon reads could only have been written by
 * root or the run user (OpenSSH's StrictModes is the model). A path is
 * walked one name at a time, symbolic links resolved as the kernel would:
 * every directory, link and the file itself on the way must belong to
 * root or the run user; no directory may be writable by group or others
 * unless it is sticky (then only its entries' owners, checked as above,
 * can change them), and the file may not be. The file is then opened
 * without blocking and without following a final link, and must be the
 * regular file the walk saw.
 *
 * The run user is known up front in the monitor and when not started as
 * root. Started as root it is known only once the configuration is read,
 * so what depends on it (owners, whether the run user may read a file or
 * search a directory for a reload) is kept as facts and judged then.
 */
#ifndef DAYTIMED_TRUST_H
#define DAYTIMED_TRUST_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>

#include "daemon/config_parse.h"

#define TRUST_READ	0x01	/* the run user reads it, or lists it */
#define TRUST_SEARCH	0x02	/* the run user goes through it */
#define TRUST_LINKS_MAX	40	/* symbolic links in one walk, as the kernel */
#define TRUST_FACTS_MAX	4096	/* facts kept for later */

/*
 * What one object on a walk is. A socket is judged by its owner alone:
 * whoever bound it owns it, and its mode says who may connect (every
 * syslog socket is writable by all).
 */
enum trust_kind { TRUST_DIR, TRUST_LINK, TRUST_FILE, TRUST_SOCKET };

/* One object as the walk saw it. */
struct trust_obj {
	enum trust_kind	 kind;
	uid_t		 uid;
	gid_t		 gid;
	mode_t		 mode;
	unsigned	 need;		/* TRUST_READ | TRUST_SEARCH */
};

struct trust_fact;

struct trust {
	int			 known;	/* uid and gid are the run user's */
	uid_t			 uid;
	gid_t			 gid;
	int			 once;	/* read once, before the privilege
					   drop: no access judged (keys) */
	struct trust_fact	*facts;	/* kept while !known */
	size_t			 nfacts;
	size_t			 dropped;	/* facts over TRUST_FACTS_MAX */
};

/* The run user known now (known 1, uid, gid) or only later (known 0). */
void	trust_init(struct trust *, int known, uid_t, gid_t);
/* This process's effective ids as the run user (the monitor; no root). */
void	trust_init_self(struct trust *);
void	trust_free(struct trust *);
/*
 * Pure: whether one object at path passes, for the run user uid and gid
 * (known 0: only root is trusted, access not judged). 0, or -1 and the
 * reason in why. mode_only: judge only what needs no run user.
 */
int	trust_check(const struct trust_obj *, const char *path, int known,
	    uid_t, gid_t, int mode_only, char *why, size_t);
/*
 * Walk name and open the regular file at its end: the descriptor
 * (non-blocking, close-on-exec) and its stat in *st, or -1 and a message
 * in err. need: what the run user must be able to do with the file.
 */
int	trust_open(struct trust *, const char *name, unsigned need,
	    struct stat *st, char *err, size_t errlen);
/*
 * Walk the directory name: 0 and its stat, 1 when it does not exist, or
 * -1 and a message. need: what the run user must be able to do with it.
 */
int	trust_dir(struct trust *, const char *name, unsigned need,
	    struct stat *st, char *err, size_t errlen);
/*
 * Walk the directory name (every directory and link on the way checked,
 * the last link too) and open it without following a link: the
 * descriptor (close-on-exec) and its stat in *st, or -1 with errno (EPERM:
 * refused, or changed under the walk) and a message in err. The
 * directory itself is the caller's to judge.
 */
int	trust_opendir(struct trust *, const char *name, struct stat *st,
	    char *err, size_t errlen);
/*
 * Walk to the socket name (a syslog socket: connected to, never opened
 * through the loader): every directory and link on the way checked, and
 * the socket's owner, when a socket is there. 0 and its stat; 1 when
 * there is nothing to judge (nothing there, not a socket, or not
 * reachable: connecting fails too, and says so); -1 and a message.
 */
int	trust_socket(struct trust *, const char *name, struct stat *st,
	    char *err, size_t errlen);
/*
 * Judge the facts kept while the run user was not known against uid and
 * gid (known 0: only root is trusted): one error through diag (NULL: none,
 * only counted) for each that fails, naming the file whose walk met it.
 * The number of errors.
 */
size_t	trust_judge(struct trust *, int known, uid_t, gid_t,
	    config_diag_fn *, void *);

#endif
