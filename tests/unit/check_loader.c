/* SPDX-License-Identifier: ISC */
/*
 * loader: the disk loader on a scratch directory tree.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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

/* Write a file dir/name; the test's own scratch space. */
static void
disk_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* Remove dir/name, a file or an empty directory. */
static void
disk_rm(const char *dir, const char *name)
{
	char path[512];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(remove(path), 0);
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
	fmt(sub, sizeof(sub), "%s/d", dir);
	expect(&c, 0, 1, sub, 0, "is a directory, not a file");
	expect(&c, 1, 1, "/dev/null", 0, "not a regular file");
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

/* The loader suite: one test case per concern. */
Suite *
loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc;

	tc = tcase_create("disk");
	tcase_add_test(tc, test_disk_loader);
	tcase_add_test(tc, test_disk_glob_missing_directory);
	suite_add_tcase(s, tc);
	return s;
}
