/* SPDX-License-Identifier: ISC */
/*
 * dir_beneath: is an open directory inside another? (see dir_beneath.h)
 * The audit state's directory, held open by a chrooted engine, must lie
 * inside the chroot: from a directory outside the new root, ".." climbs
 * past the jail to the host's /. And it must stay there: the directories
 * between the chroot and it must be root's alone, else the run user
 * could rename it out of the jail while the engine holds it.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "daemon/dir_beneath.h"

/* Only root can rename entries in it. */
int
dir_fixed(uid_t uid, mode_t mode)
{
	return uid == 0 && (mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Walk up from dirfd until root is met (1) or / is (0). */
int
dir_beneath(int dirfd, const char *root, unsigned *movable, struct stat *sb)
{
	struct stat rs, cs, ps;
	int fd, up, i, in = 0;

	if (movable != NULL)
		*movable = 0;
	if (stat(root, &rs) == -1 ||
	    (fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	for (i = 0; i < DIR_BENEATH_DEPTH_MAX && fstat(fd, &cs) == 0; i++) {
		/* the first above dirfd that is not root's alone */
		if (i > 0 && movable != NULL && *movable == 0 &&
		    !dir_fixed(cs.st_uid, cs.st_mode)) {
			*movable = (unsigned)i;
			if (sb != NULL)
				*sb = cs;
		}
		if (cs.st_dev == rs.st_dev && cs.st_ino == rs.st_ino) {
			in = 1;
			break;
		}
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		if ((fd = up) == -1 || fstat(fd, &ps) == -1 ||
		    (ps.st_dev == cs.st_dev && ps.st_ino == cs.st_ino))
			break;		/* the top, /, and root not met */
	}
	if (fd != -1)
		close(fd);
	if (!in && movable != NULL)
		*movable = 0;
	return in;
}
