/* SPDX-License-Identifier: ISC */
/*
 * dir_beneath: whether an open directory lies at or below another one,
 * walked up by descriptors (".." from the directory itself) and compared
 * by (device, inode): no symbolic link or mount can mislead it, and the
 * walk is what ".." would do from that descriptor after a chroot. On the
 * way it finds whether the directory could be moved by someone else than
 * root: a directory's entries can be renamed by whoever can write it.
 */
#ifndef DAYTIMED_DIR_BENEATH_H
#define DAYTIMED_DIR_BENEATH_H

#include <sys/types.h>
#include <sys/stat.h>

#define DIR_BENEATH_DEPTH_MAX	4096	/* directories walked up, at most */

/*
 * 1 when the directory open as dirfd is root or below it; 0 when it is
 * not, and also when a directory on the way up cannot be opened or
 * stat'd (not inside, so the caller refuses: as root, which is who calls
 * it, O_PATH opens do not fail on permissions); -1 with errno when root
 * cannot be stat'd or dirfd reopened.
 * With movable not NULL, and 1 returned: *movable is 0 when every
 * directory from dirfd's parent up to root, root included, is fixed
 * (dir_fixed), so that only root can move dirfd's directory out from
 * below root; else how many levels above dirfd the first one that is
 * not lies (1: the parent), and *sb (unless NULL) is its stat. dirfd
 * being root itself: nothing to check, *movable is 0.
 */
int	dir_beneath(int dirfd, const char *root, unsigned *movable,
	    struct stat *sb);
/*
 * Whether a directory of this owner and mode is root's alone to rename
 * entries in: owned by root, writable by no group and no others (a
 * sticky directory writable by others included: its owners may rename
 * their own entries). 1 or 0.
 */
int	dir_fixed(uid_t uid, mode_t mode);

#endif
