/* SPDX-License-Identifier: ISC */
/*
 * audit_state: the file that remembers the last epoch (audit state PATH),
 * so that the next epoch's start record can name it (prev=, audit/link.h).
 *
 * Startup, as root and before any chroot: audit_state_open opens the
 * file's directory (kept open: every later write is openat/renameat on
 * that descriptor, so it works inside a chroot and after the privilege
 * drop), locks it (flock) and reads the last link. Rules: the path to
 * the directory is walked as a key's (trust.h: every directory and link on
 * the way root's or the run user's, none writable by others unless
 * sticky, or its owner could swap in another instance's directory), with
 * or without chroot, and the directory opened without following a link;
 * the directory is owned and writable by the run user and gives group and
 * others no access at all (mode 0700: whoever can open it can hold its
 * flock); the
 * file, when there, is a regular file owned by the run user with no
 * access for group or others, and no larger than a state file. Breaking
 * one is a startup error naming the file, and so is a directory where a
 * state-sized temporary file cannot be written, synced and removed (the
 * filesystem full or read-only). No file yet: the new epoch says
 * prev=none. A file of the right size that does not parse is corrupt:
 * reported, replaced, and the new epoch says prev=broken.
 *
 * With chroot, the directory must lie inside the chroot directory
 * (audit_state_within): a directory descriptor held from outside the
 * jail would lead out of it (".."). And it must stay there: every
 * directory from the chroot down to its parent must be root's and
 * writable by no group or others, since whoever can write one of them
 * can rename the state's directory out of the jail while the engine
 * holds it.
 *
 * Several processes may share the file (inetd mode: each process is an
 * epoch, and several run at once; or a daemon beside them): the lock is
 * held from the read of the last link to the save of the new epoch's seq
 * 0, which audit_state_begin makes synchronously as the run user, after
 * the privilege drop and before the start record is logged; so each
 * epoch names the one that started just before it, and no two name the
 * same one. That save failing is a start error (the probe at open runs
 * as root, who may write where the run user cannot). A lock not had
 * within AUDIT_STATE_LOCK_US is a startup error.
 *
 * Running: audit_state_note (under the audit mutex, after each seal)
 * hands later positions to a writer thread, which saves one durably
 * (temp file, fsync, rename, fsync of the directory) at most once every
 * AUDIT_STATE_INTERVAL_US: the saved seq trails the chain by at most the
 * records of that interval and one write. audit_state_stop saves the stop
 * record's seq synchronously. Each of these saves takes the lock again
 * and is made only while the file still names the same epoch: once a
 * newer epoch has started, the link is its own, and it already names
 * this one as "run" (its records reach at least the seq it saw).
 *
 * A save that fails (the filesystem filled or made read-only while the
 * daemon runs) changes nothing: the records go on, sealed; the failure is
 * logged once (file, step, errno, and the position the file keeps), the
 * save is retried once an interval, and the first one that works is
 * logged ("saved again"). No temporary file is left. The file keeps the
 * last position saved, which is what the next epoch names: records after
 * it are not vouched for, as after a crash. A file removed or made
 * corrupt while the daemon runs is not written again (a failure, logged
 * once): the next start says prev=none or prev=broken.
 *
 * A file found naming another epoch (one started since, or a copy put
 * back) is left alone: said once (a notice, but not in inetd mode, where
 * each process's epoch takes the file over from the last), and nothing
 * more of this epoch is saved.
 *
 * A save renamed into place whose directory fsync fails counts as saved
 * (the file says it), logged once as a durability in doubt and retried
 * until a save is durable; at the start it is a warning, not a start
 * error, so the file never names an epoch that logged nothing.
 */
#ifndef DAYTIMED_AUDIT_STATE_H
#define DAYTIMED_AUDIT_STATE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "audit/link.h"

#define AUDIT_STATE_INTERVAL_US	1000000	/* at most one save a second */
#define AUDIT_STATE_LOCK_US	5000000	/* wait for the lock at most */
#define AUDIT_STATE_LOCK_NAP_US	10000	/* between two tries */

struct audit_state;

/*
 * Open the state at path for the run user uid: the previous link in
 * *prev, a note for the log in note (empty when there is nothing to say).
 * NULL with a message naming the file in err on a startup error.
 */
struct audit_state *audit_state_open(const char *path, uid_t uid,
	    struct link *prev, char *note, size_t notelen, char *err,
	    size_t errlen);
/*
 * With chroot root (NULL: none): 0 when the state's directory lies inside
 * root and only root could move it out; -2 with a message in err when
 * another user could (a directory between root and it not root's alone);
 * else -1 with a message in err (at open, before the chroot).
 */
int	audit_state_within(struct audit_state *, const char *root, char *err,
	    size_t errlen);
/*
 * The new epoch's first record will be seq: save that now, as the run
 * user (after the privilege drop, before the first client). 0, or -1 with
 * a message in err: a start error.
 */
int	audit_state_begin(struct audit_state *, const char *epoch,
	    uint64_t seq, char *err, size_t errlen);
/*
 * Inetd mode: the file is taken over by the next process's epoch as a
 * rule, and finding it so is not said (at open, before any save).
 */
void	audit_state_shared(struct audit_state *);
/* The chain's last record is epoch's seq last: save it soon. */
void	audit_state_note(struct audit_state *, const char *epoch,
	    uint64_t last);
/*
 * The stop record is epoch's seq last: stop the writer and save the link
 * with "stop" now. 0, or -1 with a message in err.
 */
int	audit_state_stop(struct audit_state *, const char *epoch, uint64_t last,
	    char *err, size_t errlen);
/* Stop the writer (a pending save is made) and free. */
void	audit_state_close(struct audit_state *);

#endif
