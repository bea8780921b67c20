/* SPDX-License-Identifier: ISC */
/*
 * loader: the disk loader on a scratch directory tree: sorted glob,
 * missing directories, a directory or a device given as a file, every
 * byte value, the size cap, a file changed while it is read.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/loader.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

/* Write len bytes to dir/name. */
static void
disk_put_bytes(const char *dir, const char *name, const char *data,
    size_t len)
{
	char path[512];
	FILE *f;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* A sparse file dir/name of size bytes. */
static void
disk_put_sparse(const char *dir, const char *name, off_t size)
{
	char path[512];
	int fd;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	ck_assert_int_eq(close(fd), 0);
}

/* The disk loader's read of dir/name: 0 with the bytes, or -1 and err. */
static int
disk_read(const char *dir, const char *name, char **buf, size_t *len,
    char *err, size_t errlen)
{
	struct config_file_id id;
	char path[512];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	*buf = NULL;
	*len = 0;
	err[0] = '\0';
	return loader_disk.read(loader_disk.arg, path, buf, len, &id, err,
	    errlen);
}

START_TEST(test_disk_loader)
{
	char dir[] = "/tmp/check_config.XXXXXX", main[512], want[1024];
	char sub[512];
	struct collect c;
	struct config *conf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	fmt(sub, sizeof(sub), "%s/empty", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	/* glob(3) sorts; an empty glob is fine. */
	disk_put(dir, "d/b.rules", "deny 10.0.0.0/8\n");
	disk_put(dir, "d/a.rules", "# a\nallow 10.0.0.0/8\n");
	disk_put(dir, "main.conf", LISTEN "include d/*.rules\n"
	    "include empty/*.conf\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	fmt(sub, sizeof(sub), "%s/d/b.rules", dir);
	fmt(want, sizeof(want), "conflicting rules for 10.0.0.0/8: allow "
	    "at %s/d/a.rules:2, deny at %s/d/b.rules:1", dir, dir);
	expect(&c, 0, 1, sub, 1, want);

	/* A directory, a device, a missing plain file. */
	disk_put(dir, "main.conf", LISTEN "include d\ninclude /dev/null\n"
	    "include missing.conf\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	fmt(want, sizeof(want), "include %s/d: is a directory, not a file",
	    dir);
	expect(&c, 0, 1, main, 2, want);
	expect(&c, 1, 1, main, 3,
	    "include /dev/null: not a regular file (a character device)");
	fmt(want, sizeof(want), "include %s/missing.conf: no such file",
	    dir);
	expect(&c, 2, 1, main, 4, want);

	/* A good one, and the main file missing. */
	disk_put(dir, "main.conf", LISTEN "include d/a.rules\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nfiles, 2);
	ck_assert_uint_eq(conf->stats.rules, 1);
	config_free(conf);

	disk_rm(dir, "d/a.rules");
	disk_rm(dir, "d/b.rules");
	disk_rm(dir, "d");
	disk_rm(dir, "empty");
	disk_rm(dir, "main.conf");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, main, 0, "cannot open: No such file or directory");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * A sticky directory writable by all (/tmp): accepted on the way to a
 * file an include names without a wildcard, as on the way to a list
 * file; refused as one a pattern lists, since anyone may add a match.
 */
START_TEST(test_disk_loader_sticky)
{
	char dir[] = "/tmp/check_config.XXXXXX", main[512], want[1024];
	char lone[] = "/tmp/check_sticky.XXXXXX";
	struct collect c;
	struct config *conf;
	struct stat st;
	int fd;

	ck_assert_int_eq(stat("/tmp", &st), 0);
	if ((st.st_mode & 01002) != 01002 || st.st_uid != 0)
		return;		/* not the /tmp this is about */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_ge(fd = mkstemp(lone), 0);
	ck_assert_int_eq(write(fd, "allow 10.0.0.0/8\n", 17), 17);
	ck_assert_int_eq(close(fd), 0);
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(want, sizeof(want), LISTEN "include %s\n", lone);
	disk_put(dir, "main.conf", want);
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nfiles, 2);
	ck_assert_uint_eq(conf->stats.rules, 1);
	config_free(conf);

	/* the same file through a pattern: /tmp is listed */
	fmt(want, sizeof(want), LISTEN "include %.*s*\n",
	    (int)strlen(lone) - 1, lone);
	disk_put(dir, "main.conf", want);
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	fmt(want, sizeof(want), "include %.*s*: not trusted: directory /tmp "
	    "is writable by its group and others (mode %04o): anyone may add "
	    "what a pattern reads", (int)strlen(lone) - 1, lone,
	    (unsigned)(st.st_mode & 07777));
	expect(&c, 0, 1, main, 2, want);

	ck_assert_int_eq(unlink(lone), 0);
	disk_rm(dir, "main.conf");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_disk_glob_missing_directory)
{
	/*
	 * A glob whose directory does not exist matches nothing: an empty
	 * glob, like an empty directory (GLOB_ERR must not turn ENOENT into
	 * "cannot read directory"; an unreadable directory stays an error).
	 */
	char dir[] = "/tmp/check_config.XXXXXX", main[512];
	struct collect c;
	struct config *conf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	disk_put(dir, "main.conf", LISTEN "include rules.d/*.rules\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	disk_rm(dir, "main.conf");
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_msg(c.n == 0, "%s", c.n > 0 ? c.d[0].msg : "");
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

START_TEST(test_disk_glob_sorted)
{
	char dir[] = "/tmp/check_loader.XXXXXX", pattern[512], want[512];
	char err[256], **names;
	size_t n, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Made out of order; glob(3) sorts. */
	disk_put(dir, "c.conf", "");
	disk_put(dir, "a.conf", "");
	disk_put(dir, "x.txt", "");
	disk_put(dir, "b.conf", "");
	fmt(pattern, sizeof(pattern), "%s/*.conf", dir);
	ck_assert_int_eq(loader_disk.glob(NULL, pattern, &names, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < n; i++) {
		fmt(want, sizeof(want), "%s/%c.conf", dir, (int)('a' + i));
		ck_assert_str_eq(names[i], want);
	}
	names_free(names, n);

	/* No match, and a directory that is not there: nothing, no error. */
	fmt(pattern, sizeof(pattern), "%s/*.rules", dir);
	ck_assert_int_eq(loader_disk.glob(NULL, pattern, &names, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(names);
	fmt(pattern, sizeof(pattern), "%s/missing.d/*.conf", dir);
	ck_assert_int_eq(loader_disk.glob(NULL, pattern, &names, &n, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(names);

	disk_rm(dir, "a.conf");
	disk_rm(dir, "b.conf");
	disk_rm(dir, "c.conf");
	disk_rm(dir, "x.txt");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_disk_read)
{
	struct config_file_id id;
	char dir[] = "/tmp/check_loader.XXXXXX", err[256], bytes[256], *buf;
	char want[128];
	size_t len, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Every byte value, NULs too, comes back as it is, NUL-ended. */
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (char)i;
	disk_put_bytes(dir, "bin", bytes, sizeof(bytes));
	ck_assert_int_eq(disk_read(dir, "bin", &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, sizeof(bytes));
	ck_assert_int_eq(memcmp(buf, bytes, len), 0);
	ck_assert_int_eq(buf[len], '\0');
	free(buf);
	disk_put(dir, "empty", "");
	ck_assert_int_eq(disk_read(dir, "empty", &buf, &len, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(buf[0], '\0');
	free(buf);

	/* Not there, a directory given as a file, not a regular file. */
	ck_assert_int_eq(disk_read(dir, "missing", &buf, &len, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open: No such file or directory");
	ck_assert_int_eq(disk_read(dir, ".", &buf, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "is a directory, not a file");
	ck_assert_int_eq(loader_disk.read(NULL, "/dev/null", &buf, &len, &id,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not a regular file (a character device)");

	/* LOADER_FILE_MAX bytes are read; one more is refused unread. */
	disk_put_sparse(dir, "max", LOADER_FILE_MAX);
	ck_assert_int_eq(disk_read(dir, "max", &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, LOADER_FILE_MAX);
	free(buf);
	disk_put_sparse(dir, "big", (off_t)LOADER_FILE_MAX + 1);
	ck_assert_int_eq(disk_read(dir, "big", &buf, &len, err, sizeof(err)),
	    -1);
	fmt(want, sizeof(want), "too large (%u bytes, at most %u)",
	    LOADER_FILE_MAX + 1, LOADER_FILE_MAX);
	ck_assert_str_eq(err, want);

	disk_rm(dir, "bin");
	disk_rm(dir, "empty");
	disk_rm(dir, "max");
	disk_rm(dir, "big");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

#define CHANGED	"changed while it was being read; replace it by rename " \
	"(write a temporary file, then mv)"

/*
 * loader_read_fd on dir/name, opened and stat'ed, the stat then edited by
 * how (the file as it was when loader_open judged it, now changed): 0
 * and its bytes, or -1 and err.
 */
static int
disk_read_fd(const char *dir, const char *name, void (*how)(struct stat *,
    int), char **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char path[512];
	int fd;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	if (how != NULL)
		how(&st, fd);
	*buf = NULL;
	err[0] = '\0';
	return loader_read_fd(fd, &st, buf, len, err, errlen);
}

/* Grown past the stat (appended to), or as if the stat were older. */
static void
grew(struct stat *st, int fd)
{
	ck_assert_int_eq(pwrite(fd, "10.9.9.9\n", 9, st->st_size), 9);
}

static void
stat_smaller(struct stat *st, int fd)
{
	(void)fd;
	st->st_size -= 3;
}

static void
stat_larger(struct stat *st, int fd)
{
	(void)fd;
	st->st_size += 3;
}

static void
stat_mtime(struct stat *st, int fd)
{
	(void)fd;
	st->st_mtim.tv_nsec ^= 1;
}

static void
stat_ctime(struct stat *st, int fd)
{
	(void)fd;
	st->st_ctim.tv_sec--;
}

static void
stat_inode(struct stat *st, int fd)
{
	(void)fd;
	st->st_ino++;
}

/* Rewritten in place, its size kept, its time set back a second. */
static void
touched(struct stat *st, int fd)
{
	struct timespec ts[2];

	ck_assert_int_eq(pwrite(fd, "10.0.0.0/1\n", 11, 0), 11);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = st->st_mtim;
	ts[1].tv_sec--;
	ck_assert_int_eq(futimens(fd, ts), 0);
}

START_TEST(test_disk_read_changed)
{
	void (*changes[])(struct stat *, int) = { grew, stat_smaller,
	    stat_larger, stat_mtime, stat_ctime, stat_inode, touched };
	char dir[] = "/tmp/check_loader.XXXXXX", err[256], *buf;
	size_t len, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Unchanged: every byte, and the end found. */
	disk_put(dir, "list", "10.0.0.0/16\n");
	ck_assert_int_eq(disk_read_fd(dir, "list", NULL, &buf, &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_str_eq(buf, "10.0.0.0/16\n");
	free(buf);
	/* Changed between the stat and the read's end: refused, not cut. */
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		disk_put(dir, "list", "10.0.0.0/16\n");
		ck_assert_int_eq(disk_read_fd(dir, "list", changes[i], &buf,
		    &len, err, sizeof(err)), -1);
		ck_assert_msg(strcmp(err, CHANGED) == 0, "change %zu: %s", i,
		    err);
		ck_assert_ptr_null(buf);
	}
	disk_rm(dir, "list");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The loader_disk suite. */
Suite *
loader_disk_suite(void)
{
	Suite *s = suite_create("loader_disk");
	TCase *tc;

	tc = tcase_create("disk");
	tcase_add_test(tc, test_disk_loader);
	tcase_add_test(tc, test_disk_loader_sticky);
	tcase_add_test(tc, test_disk_glob_missing_directory);
	tcase_add_test(tc, test_disk_glob_sorted);
	tcase_add_test(tc, test_disk_read);
	tcase_add_test(tc, test_disk_read_changed);
	suite_add_tcase(s, tc);
	return s;
}
