/* SPDX-License-Identifier: ISC */
/*
 * dir_beneath: whether an open directory lies at or below another one,
 * walked up by descriptors (".." from the directory itself) and compared
 * by (device, inode): no symbolic link or mount can mislead it, and the
 * walk is what ".." would do from that descriptor after a chroot.
 */
#ifndef DAYTIMED_DIR_BENEATH_H
#define DAYTIMED_DIR_BENEATH_H

#define DIR_BENEATH_DEPTH_MAX	4096	/* directories walked up, at most */

/*
 * 1 when the directory open as dirfd is root or below it, 0 when it is
 * not, -1 with errno when root or a directory on the way cannot be read.
 */
int	dir_beneath(int dirfd, const char *root);

#endif
