/* SPDX-License-Identifier: ISC */
/*
 * audit_state_int: what audit_state.c (the lifecycle, the writer thread,
 * what is said) and audit_state_file.c (the directory, the lock, the
 * file read and written) share. Nothing else includes this file.
 */
#ifndef DAYTIMED_AUDIT_STATE_INT_H
#define DAYTIMED_AUDIT_STATE_INT_H

#include <sys/types.h>

#include <pthread.h>

#include "audit/link.h"

#define AUDIT_STATE_NAME_MAX	255

/* What the file holds, as the last save found it. */
#define ONFILE_SAVED	0	/* saved, or the last epoch's link: none saved */
#define ONFILE_NONE	1	/* no file: removed */
#define ONFILE_BROKEN	2	/* a file that does not parse */
#define ONFILE_ODD	3	/* something that is not a state file */
#define ONFILE_OTHER	4	/* another epoch's link */

struct audit_state {
	int		 dirfd;		/* the state's directory, open */
	char		*path;		/* for messages */
	char		 base[AUDIT_STATE_NAME_MAX + 1];
	char		 tmp[AUDIT_STATE_NAME_MAX + 6];
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;		/* CLOCK_MONOTONIC */
	pthread_t	 thread;
	int		 started;	/* the writer runs */
	int		 nothread;	/* it could not be started (logged) */
	int		 stopping;
	int		 dirty;		/* want holds an unsaved position */
	int		 failing;	/* the last save failed (logged once) */
	int		 locked;	/* the lock held since open, until a save */
	int		 begun;		/* the first note (seq 0) was handled */
	uid_t		 uid;		/* the file's owner */
	struct link	 want;
	struct link	 saved;		/* the last position saved (kind 0: none) */
	int		 onfile;	/* ONFILE_*: what the file holds */
	int		 shared;	/* inetd mode: ONFILE_OTHER is the rule */
	int		 othered;	/* ONFILE_OTHER was said */
};

/* audit_state_file.c: each 0, or -1 with the reason in err. */
/* The directory part of path and the file's and temp file's names. */
int	audit_state_split(struct audit_state *, const char *path, char *dir,
	    size_t dirlen, char *err, size_t errlen);
/* Open the directory (st->dirfd) and check its owner and mode. */
int	audit_state_dir(struct audit_state *, const char *dir, uid_t,
	    char *err, size_t errlen);
/* Read the last link (none, broken); *odd: not a state file there. */
int	audit_state_read(struct audit_state *, uid_t, struct link *prev,
	    int *odd, char *note, size_t notelen, char *err, size_t errlen);
/* Write l durably; 1: renamed, but the directory's fsync failed. */
int	audit_state_write(struct audit_state *, const struct link *l,
	    int keep, char *err, size_t errlen);
/* Whether a state-sized file can be written there (at open, as root). */
int	audit_state_probe(struct audit_state *, char *err, size_t errlen);
/* Take the directory's lock, waiting a bounded time. */
int	audit_state_lock(struct audit_state *, char *err, size_t errlen);

#endif
