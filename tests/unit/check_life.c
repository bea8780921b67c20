/* SPDX-License-Identifier: ISC */
/*
 * life: what an existing pidfile must hold to be taken over (a process
 * id and a newline, nothing else), and what a start finds at the path.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

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
	char dir[] = "/tmp/check_life.XXXXXX", path[512], err[256];

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
	disk_rm(dir, "stale.pid");
	disk_rm(dir, "data");
	disk_rm(dir, "fifo");
	disk_rm(dir, "link");
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
	suite_add_tcase(s, tc);
	tc = tcase_create("journal");
	tcase_add_loop_test(tc, test_journal_parse, 0, (int)NFILES(journals));
	tcase_add_test(tc, test_stderr_is_journal);
	suite_add_tcase(s, tc);
	return s;
}
