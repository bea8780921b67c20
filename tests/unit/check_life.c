/* SPDX-License-Identifier: ISC */
/*
 * life: what an existing pidfile must hold to be taken over (a process
 * id and a newline, nothing else), what a start finds at the path and
 * beside it (the lock file), and whose locks decide that a daemon runs.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/life.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

static const struct {
	const char	*text;
	long		 pid;	/* 0: not a pidfile */
} pids[] = {
	{ "1\n", 1 }, { "4194304\n", 4194304 }, { "123", 123 },
	{ "0\n", 0 }, { "4194305\n", 0 }, { "", 0 }, { "\n", 0 },
	{ "12\n\n", 0 }, { " 12\n", 0 }, { "12 \n", 0 }, { "+12\n", 0 },
	{ "-1\n", 0 }, { "0x10\n", 0 }, { "precious data\n", 0 },
	{ "99999999999999999999\n", 0 }, { "12\r\n", 0 },
};

START_TEST(test_pidfile_parse)
{
	long pid = -1;
	int rc = life_pidfile_parse(pids[_i].text, strlen(pids[_i].text),
	    &pid);

	if (pids[_i].pid == 0)
		ck_assert_msg(rc == -1, "'%s' taken as %ld", pids[_i].text, pid);
	else {
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(pid, pids[_i].pid);
	}
}
END_TEST

START_TEST(test_pidfile_inspect)
{
	char dir[] = "/tmp/check_life.XXXXXX", path[512], lock[512], err[256],
	    want[512];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(path, sizeof(path), "%s/none.pid", dir);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), 0);
	disk_put(dir, "stale.pid", "4242\n");
	fmt(path, sizeof(path), "%s/stale.pid", dir);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), 0);
	disk_put(dir, "data", "precious\n");
	fmt(path, sizeof(path), "%s/data", dir);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "exists and does not hold a process id: not "
	    "overwritten");
	fmt(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "exists and is not a regular file");
	fmt(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink("stale.pid", path), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "is a symbolic link");
	fmt(path, sizeof(path), "%s/stale.pid", dir);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_int_eq(strncmp(err, "exists, owned by uid ", 21), 0);
	/* no pid yet but its lock file held: a daemon starting, not refused */
	disk_put(dir, "new.pid", "");
	disk_put(dir, "new.lock", "");
	fmt(lock, sizeof(lock), "%s/new.lock", dir);
	ck_assert_int_eq(chmod(lock, 0600), 0);
	fmt(path, sizeof(path), "%s/new.pid", dir);
	ck_assert_int_eq(chmod(path, 0644), 0);	/* not as a start makes it */
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "exists and does not hold a process id: not "
	    "overwritten");
	ck_assert_int_ne(fd = open(lock, O_RDONLY), -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), 0);
	close(fd);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	/* empty, 0600, one link: a start killed before its pid; taken */
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), 0);
	fmt(want, sizeof(want), "%s/new.link", dir);
	ck_assert_int_eq(link(path, want), 0);
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	ck_assert_int_eq(unlink(want), 0);
	disk_put(dir, "new.pid", "\n");	/* not empty: not as a start leaves it */
	ck_assert_int_eq(life_pidfile_inspect(path, err, sizeof(err)), -1);
	disk_rm(dir, "new.pid");
	disk_rm(dir, "new.lock");
	disk_rm(dir, "stale.pid");
	disk_rm(dir, "data");
	disk_rm(dir, "fifo");
	disk_rm(dir, "link");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The names beside a pidfile: ".pid" replaced, or the suffix added. */
START_TEST(test_beside)
{
	char buf[32];

	ck_assert_int_eq(life_beside("/run/d/daytimed.pid", ".lock", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/d/daytimed.lock");
	ck_assert_int_eq(life_beside("/tmp/d", ".lock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/d.lock");
	ck_assert_int_eq(life_beside("/.pid", ".lock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/.lock");
	ck_assert_int_eq(life_beside(".pid", ".lock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, ".pid.lock");
	ck_assert_int_eq(life_beside("/run/daytimed/d.pid", ".status", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/daytimed/d.status");
	ck_assert_int_eq(life_beside("/run/daytimed/abcdefghij.pid", ".status",
	    buf, sizeof(buf)), 0);	/* 31 bytes and the NUL */
	ck_assert_str_eq(buf, "/run/daytimed/abcdefghij.status");
	ck_assert_int_eq(life_beside("/run/daytimed/abcdefghijk.pid",
	    ".status", buf, sizeof(buf)), -1);
}
END_TEST

/*
 * A relative -c made absolute: behind the working directory, a leading
 * "./" dropped and a leading "../" taken off it, the rest as given (a
 * link in it is not resolved, nor a ".." after it). Forked (CK_FORK):
 * the chdir stays in this test.
 */
START_TEST(test_abs)
{
	static const struct {
		const char *cwd, *in, *out;
	} t[] = {
		{ "/usr/share", "c.conf", "/usr/share/c.conf" },
		{ "/usr/share", "./c.conf", "/usr/share/c.conf" },
		{ "/usr/share", ".//./l/c.conf", "/usr/share/l/c.conf" },
		{ "/usr/share", "../c.conf", "/usr/c.conf" },
		{ "/usr/share", "./.././../../c.conf", "/c.conf" },
		{ "/usr/share", "l/../c.conf", "/usr/share/l/../c.conf" },
		{ "/", "c.conf", "/c.conf" },
		{ "/", "../c.conf", "/c.conf" },
	};
	char *got;
	size_t i;

	for (i = 0; i < NFILES(t); i++) {
		ck_assert_int_eq(chdir(t[i].cwd), 0);
		ck_assert_ptr_nonnull(got = life_abs(t[i].in));
		ck_assert_str_eq(got, t[i].out);
		free(got);
	}
}
END_TEST

/* -t judges the lock file too: ours, 0600, one link, a regular file. */
START_TEST(test_lock_inspect)
{
	char dir[] = "/tmp/check_life.XXXXXX", pid[512], lock[512], err[256],
	    want[768];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	disk_put(dir, "d.pid", "4242\n");
	fmt(pid, sizeof(pid), "%s/d.pid", dir);
	fmt(lock, sizeof(lock), "%s/d.lock", dir);
	disk_put(dir, "d.lock", "");
	ck_assert_int_eq(chmod(lock, 0644), 0);	/* others could lock it */
	ck_assert_int_eq(life_pidfile_inspect(pid, err, sizeof(err)), -1);
	fmt(want, sizeof(want), "has a lock file %s that exists, owned by uid "
	    "%u with mode 0644 and 1 links: not used", lock,
	    (unsigned)geteuid());
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_int_eq(chmod(lock, 0600), 0);
	ck_assert_int_eq(life_pidfile_inspect(pid, err, sizeof(err)), 0);
	ck_assert_int_eq(link(lock, pid), -1);	/* d.pid is there */
	fmt(want, sizeof(want), "%s/other", dir);
	ck_assert_int_eq(link(lock, want), 0);
	ck_assert_int_eq(life_pidfile_inspect(pid, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "and 2 links: not used") != NULL, "%s", err);
	disk_rm(dir, "other");
	disk_rm(dir, "d.lock");
	ck_assert_int_eq(mkfifo(lock, 0600), 0);
	ck_assert_int_eq(life_pidfile_inspect(pid, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "exists and is not a regular file") != NULL,
	    "%s", err);
	disk_rm(dir, "d.lock");
	ck_assert_int_eq(symlink("d.pid", lock), 0);
	ck_assert_int_eq(life_pidfile_inspect(pid, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "is a symbolic link") != NULL, "%s", err);
	disk_rm(dir, "d.lock");
	disk_rm(dir, "d.pid");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A lock of the kind given (an OFD lock: it is another owner, even here). */
static int
ofd_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

/*
 * Whoever can read a leftover pidfile can flock it and read-lock it:
 * neither stops a start, which makes the file anew; the lock file, which
 * no one else can open, and a write lock on the pidfile, which only its
 * owner or root can take, do.
 */
START_TEST(test_pidfile_open_locks)
{
	char dir[] = "/tmp/check_life.XXXXXX", pid[512], lock[512];
	struct stat old, st;
	int fd, other, old_rel;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(pid, sizeof(pid), "%s/d.pid", dir);
	fmt(lock, sizeof(lock), "%s/d.lock", dir);
	disk_put(dir, "d.pid", "4242\n");
	ck_assert_int_eq(stat(pid, &old), 0);
	/* a stranger's locks on the leftover: taken over all the same */
	ck_assert_int_ne(fd = open(pid, O_RDONLY), -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(ofd_lock(fd, F_RDLCK), 0);
	ck_assert_int_eq(life_pidfile_open(pid), 0);
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert(st.st_ino != old.st_ino);
	ck_assert_int_eq(stat(lock, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	/* held: a second start finds it so */
	ck_assert_int_ne(other = open(lock, O_RDONLY), -1);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	/* no one else opens the new pidfile before its write lock is held */
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	/* flocked, as releases before the lock file see a daemon running */
	ck_assert_int_ne(old_rel = open(pid, O_RDONLY), -1);
	ck_assert_int_eq(flock(old_rel, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(old_rel);
	ck_assert_int_eq(life_pidfile_write(), 0);
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(life_pidfile_open(pid), -1);
	life_pidfile_remove();
	ck_assert_int_eq(access(pid, F_OK), -1);
	ck_assert_int_eq(access(lock, F_OK), -1);
	close(fd);
	close(other);
	/* the lock file held by another: refused, nothing touched */
	disk_put(dir, "d.pid", "4242\n");
	ck_assert_int_ne(other = open(lock, O_RDONLY | O_CREAT, 0600), -1);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(stat(pid, &old), 0);
	ck_assert_int_eq(life_pidfile_open(pid), -1);
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert(st.st_ino == old.st_ino);
	ck_assert_int_eq(access(lock, F_OK), 0);
	close(other);
	disk_rm(dir, "d.lock");
	/* a write lock on the leftover: a daemon, whatever its lock file */
	ck_assert_int_ne(fd = open(pid, O_RDWR), -1);
	ck_assert_int_eq(ofd_lock(fd, F_WRLCK), 0);
	ck_assert_int_eq(life_pidfile_open(pid), -1);
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert(st.st_ino == old.st_ino);
	ck_assert_int_eq(access(lock, F_OK), -1);	/* ours, removed */
	close(fd);
	disk_rm(dir, "d.pid");
	/* empty, 0644: not what a start makes, refused, nothing touched */
	disk_put(dir, "d.pid", "");
	ck_assert_int_eq(chmod(pid, 0644), 0);
	ck_assert_int_eq(stat(pid, &old), 0);
	ck_assert_int_eq(life_pidfile_open(pid), -1);
	ck_assert_int_eq(stat(pid, &st), 0);
	ck_assert(st.st_ino == old.st_ino);
	/* empty, 0600, one link: a start killed before its pid; made anew */
	ck_assert_int_eq(chmod(pid, 0600), 0);
	ck_assert_int_ne(fd = open(pid, O_RDONLY), -1);	/* the old one */
	ck_assert_int_eq(life_pidfile_open(pid), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_nlink, 0);			/* removed */
	ck_assert_int_eq(stat(pid, &st), 0);		/* and made anew */
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	close(fd);
	life_pidfile_remove();
	ck_assert_int_eq(access(pid, F_OK), -1);
	ck_assert_int_eq(access(lock, F_OK), -1);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* JOURNAL_STREAM's value: only "DEV:INO", both decimal, in range. */
static const struct {
	const char		*s;
	size_t			 len;
	int			 ok;
	unsigned long long	 dev, ino;
} journals[] = {
	{ "8:1234", 6, 1, 8, 1234 },
	{ "0:0", 3, 1, 0, 0 },
	{ "18446744073709551615:18446744073709551615", 41, 1,
	  18446744073709551615ULL, 18446744073709551615ULL },
	{ "18446744073709551616:1", 22, 0, 0, 0 },	/* over 64 bits */
	{ "1:18446744073709551616", 22, 0, 0, 0 },
	{ "", 0, 0, 0, 0 },
	{ ":", 1, 0, 0, 0 },
	{ "8:", 2, 0, 0, 0 },
	{ ":8", 2, 0, 0, 0 },
	{ "8", 1, 0, 0, 0 },
	{ "8:1:2", 5, 0, 0, 0 },
	{ "-8:1", 4, 0, 0, 0 },
	{ "+8:1", 4, 0, 0, 0 },
	{ " 8:1", 4, 0, 0, 0 },
	{ "8:1 ", 4, 0, 0, 0 },
	{ "8:1\n", 4, 0, 0, 0 },
	{ "0x8:1", 5, 0, 0, 0 },
	{ "8:1\0" "9", 5, 0, 0, 0 },	/* a NUL inside the length */
	{ "8:12", 3, 1, 8, 1 },		/* only the length is read */
};

START_TEST(test_journal_parse)
{
	unsigned long long dev = 77, ino = 77;
	int rc = life_journal_parse(journals[_i].s, journals[_i].len, &dev,
	    &ino);

	ck_assert_msg(rc == (journals[_i].ok ? 0 : -1), "case %d", _i);
	if (journals[_i].ok) {
		ck_assert(dev == journals[_i].dev);
		ck_assert(ino == journals[_i].ino);
	}
}
END_TEST

/* stderr is the journal only when the variable names that very file. */
START_TEST(test_stderr_is_journal)
{
	struct stat st;
	char v[64];
	char *was = getenv("JOURNAL_STREAM") != NULL ?
	    strdup(getenv("JOURNAL_STREAM")) : NULL;

	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	fmt(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", v, 1), 0);
	ck_assert_int_eq(life_stderr_is_journal(), 1);
	fmt(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", v, 1), 0);
	ck_assert_int_eq(life_stderr_is_journal(), 0);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", "junk", 1), 0);
	ck_assert_int_eq(life_stderr_is_journal(), 0);
	ck_assert_int_eq(unsetenv("JOURNAL_STREAM"), 0);
	ck_assert_int_eq(life_stderr_is_journal(), 0);
	if (was != NULL)
		ck_assert_int_eq(setenv("JOURNAL_STREAM", was, 1), 0);
	free(was);
}
END_TEST

/* The life suite. */
Suite *
life_suite(void)
{
	Suite *s = suite_create("life");
	TCase *tc = tcase_create("pidfile");

	tcase_add_loop_test(tc, test_pidfile_parse, 0, (int)NFILES(pids));
	tcase_add_test(tc, test_pidfile_inspect);
	tcase_add_test(tc, test_beside);
	tcase_add_test(tc, test_abs);
	tcase_add_test(tc, test_lock_inspect);
	tcase_add_test(tc, test_pidfile_open_locks);
	suite_add_tcase(s, tc);
	tc = tcase_create("journal");
	tcase_add_loop_test(tc, test_journal_parse, 0, (int)NFILES(journals));
	tcase_add_test(tc, test_stderr_is_journal);
	suite_add_tcase(s, tc);
	return s;
}
