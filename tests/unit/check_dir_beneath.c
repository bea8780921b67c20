/* SPDX-License-Identifier: ISC */
/*
 * dir_beneath_suite: daemon/dir_beneath.c: dir_fixed, whether only root
 * can rename entries in a directory of an owner and mode; and the walk
 * up from a directory to a root, which finds the first directory above
 * it, root included, that is not so (the audit state's directory could
 * be moved out of the jail through it). Owners are set only as root;
 * without root, what a directory of one's own gives is checked.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <check.h>

#include "daemon/dir_beneath.h"
#include "tests/unit/suites.h"

START_TEST(test_dir_fixed)
{
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 0755), 1);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 0700), 1);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 0555), 1);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 02755), 1);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 0775), 0);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 0757), 0);
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 01777), 0);	/* /tmp's */
	ck_assert_int_eq(dir_fixed(0, S_IFDIR | 01770), 0);
	ck_assert_int_eq(dir_fixed(65534, S_IFDIR | 0755), 0);
	ck_assert_int_eq(dir_fixed(65534, S_IFDIR | 0700), 0);
	ck_assert_int_eq(dir_fixed(1, S_IFDIR | 0555), 0);
}
END_TEST

/* dir_beneath(fd, root, movable): its answer; the mode found in *mode. */
static int
walk(int fd, const char *root, unsigned *movable, mode_t *mode)
{
	struct stat sb;
	int in;

	sb.st_mode = 0;
	in = dir_beneath(fd, root, movable, &sb);
	*mode = sb.st_mode & 07777;
	return in;
}

START_TEST(test_dir_movable)
{
	char top[64], a[80], b[80], c[80], other[80];
	unsigned m = 99;
	mode_t mode;
	int fd;

	snprintf(top, sizeof(top), "/tmp/check_dir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/a/b", top);
	snprintf(c, sizeof(c), "%s/a/b/c", top);
	snprintf(other, sizeof(other), "%s/other", top);
	ck_assert_int_eq(mkdir(a, 0755), 0);
	ck_assert_int_eq(mkdir(b, 0755), 0);
	ck_assert_int_eq(mkdir(c, 0700), 0);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	ck_assert_int_ne(fd = open(c, O_RDONLY | O_DIRECTORY), -1);
	ck_assert_int_eq(chmod(top, 0755), 0);
	/* without movable, as before */
	ck_assert_int_eq(dir_beneath(fd, top, NULL, NULL), 1);
	ck_assert_int_eq(dir_beneath(fd, other, NULL, NULL), 0);
	/* root itself: nothing between, whatever its mode */
	ck_assert_int_eq(chmod(c, 0777), 0);
	ck_assert_int_eq(walk(fd, c, &m, &mode), 1);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(chmod(c, 0700), 0);
	/* not beneath: nothing said */
	ck_assert_int_eq(walk(fd, other, &m, &mode), 0);
	ck_assert_uint_eq(m, 0);
	if (geteuid() != 0) {
		/* b is one's own, not root's: the parent */
		ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
		ck_assert_uint_eq(m, 1);
		goto out;
	}
	/* root's, 0755, all the way up: fixed */
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(walk(fd, b, &m, &mode), 1);
	ck_assert_uint_eq(m, 0);
	/* c itself is not checked: it is the run user's */
	ck_assert_int_eq(chown(c, 65534, (gid_t)-1), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 0);
	/* the parent another user's: 1 */
	ck_assert_int_eq(chown(b, 65534, (gid_t)-1), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 1);
	ck_assert_uint_eq(mode, 0755);
	ck_assert_int_eq(chown(b, 0, (gid_t)-1), 0);
	/* group-writable, then sticky and world-writable, 2 up */
	ck_assert_int_eq(chmod(a, 0775), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 2);
	ck_assert_uint_eq(mode, 0775);
	ck_assert_int_eq(chmod(a, 01777), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 2);
	ck_assert_uint_eq(mode, 01777);
	/* the first one found going up: the nearer */
	ck_assert_int_eq(chmod(b, 0757), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 1);
	ck_assert_int_eq(chmod(b, 0755), 0);
	ck_assert_int_eq(chmod(a, 0755), 0);
	/* root included, not above it */
	ck_assert_int_eq(chmod(top, 0775), 0);
	ck_assert_int_eq(walk(fd, top, &m, &mode), 1);
	ck_assert_uint_eq(m, 3);
	ck_assert_int_eq(walk(fd, a, &m, &mode), 1);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(chmod(top, 0755), 0);
out:
	close(fd);
	ck_assert_int_eq(rmdir(c), 0);
	ck_assert_int_eq(rmdir(b), 0);
	ck_assert_int_eq(rmdir(a), 0);
	ck_assert_int_eq(rmdir(other), 0);
	ck_assert_int_eq(rmdir(top), 0);
}
END_TEST

Suite *
dir_beneath_suite(void)
{
	Suite *s = suite_create("dir_beneath");
	TCase *tc = tcase_create("dir_beneath");

	tcase_add_test(tc, test_dir_fixed);
	tcase_add_test(tc, test_dir_movable);
	suite_add_tcase(s, tc);
	return s;
}
