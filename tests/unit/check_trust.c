/* SPDX-License-Identifier: ISC */
/*
 * trust: the verdict on one object (pure, a table), then walks over a
 * scratch tree: links resolved and checked, loops, FIFOs, sticky
 * directories, owners other than root and the run user (as root), and
 * the facts kept for a run user known only later.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/link.h"
#include "daemon/audit_state.h"
#include "daemon/config.h"
#include "daemon/loader.h"
#include "daemon/trust.h"
#include "tests/unit/config_fixture.h"
#include "tests/unit/suites.h"

#define RUN	4242	/* the run user of the table */
#define RUNG	4343
#define OTHER	5151

/* One object and what trust_check says of it for the run user RUN. */
static const struct {
	struct trust_obj	 o;
	int			 known;
	const char		*why;	/* NULL: it passes */
} verdicts[] = {
	{ { TRUST_FILE, 0, 0, 0100644, TRUST_READ }, 1, NULL },
	{ { TRUST_FILE, RUN, 0, 0100600, TRUST_READ }, 1, NULL },
	{ { TRUST_FILE, 0, 0, 0100666, TRUST_READ }, 1, "not trusted: file /p "
	  "is writable by its group and others (mode 0666)" },
	{ { TRUST_FILE, 0, 0, 0100664, TRUST_READ }, 1, "not trusted: file /p "
	  "is writable by its group (mode 0664)" },
	{ { TRUST_FILE, 0, 0, 0100646, TRUST_READ }, 1, "not trusted: file /p "
	  "is writable by others (mode 0646)" },
	{ { TRUST_FILE, OTHER, 0, 0100644, TRUST_READ }, 1, "not trusted: file "
	  "/p is owned by uid 5151, not root or the run user (uid 4242)" },
	{ { TRUST_FILE, RUN, 0, 0100644, TRUST_READ }, 0, "not trusted: file "
	  "/p is owned by uid 4242, not root" },
	{ { TRUST_FILE, 0, 0, 0100600, TRUST_READ }, 1, "the run user (uid "
	  "4242) cannot read file /p: it reads the files again on reload" },
	{ { TRUST_FILE, 0, RUNG, 0100640, TRUST_READ }, 1, NULL },
	{ { TRUST_FILE, 0, 0, 0100600, 0 }, 1, NULL },	/* a key: root reads it */
	{ { TRUST_FILE, 0, 0, 0100600, TRUST_READ }, 0, NULL },	/* judged later */
	{ { TRUST_DIR, 0, 0, 040755, TRUST_SEARCH }, 1, NULL },
	{ { TRUST_DIR, 0, 0, 041777, TRUST_SEARCH }, 1, NULL },	/* like /tmp */
	{ { TRUST_DIR, 0, 0, 040777, TRUST_SEARCH }, 1, "not trusted: directory "
	  "/p is writable by its group and others (mode 0777)" },
	{ { TRUST_DIR, 0, 0, 041777, TRUST_READ | TRUST_SEARCH }, 1,
	  "not trusted: directory /p is writable by its group and others (mode "
	  "1777): anyone may add what a pattern reads" },
	{ { TRUST_DIR, 0, 0, 040711, TRUST_SEARCH }, 1, NULL },
	{ { TRUST_DIR, 0, 0, 040711, TRUST_READ | TRUST_SEARCH }, 1, "the run "
	  "user (uid 4242) cannot list directory /p: it reads the files again "
	  "on reload" },
	{ { TRUST_DIR, 0, 0, 040700, TRUST_SEARCH }, 1, "the run user (uid "
	  "4242) cannot search directory /p: it reads the files again on "
	  "reload" },
	{ { TRUST_DIR, RUN, 0, 040700, TRUST_SEARCH }, 1, NULL },
	{ { TRUST_DIR, OTHER, 0, 041777, TRUST_SEARCH }, 1, "not trusted: "
	  "directory /p is owned by uid 5151, not root or the run user (uid "
	  "4242)" },
	{ { TRUST_LINK, 0, 0, 0120777, 0 }, 1, NULL },
	{ { TRUST_LINK, OTHER, 0, 0120777, 0 }, 1, "not trusted: symbolic link "
	  "/p is owned by uid 5151, not root or the run user (uid 4242)" },
	/* a socket: its owner bound it; its mode says who may connect */
	{ { TRUST_SOCKET, 0, 0, 0140666, 0 }, 1, NULL },
	{ { TRUST_SOCKET, RUN, 0, 0140777, 0 }, 1, NULL },
	{ { TRUST_SOCKET, OTHER, 0, 0140666, 0 }, 1, "not trusted: socket /p "
	  "is owned by uid 5151, not root or the run user (uid 4242)" },
	{ { TRUST_SOCKET, RUN, 0, 0140666, 0 }, 0, "not trusted: socket /p is "
	  "owned by uid 4242, not root" },
};

START_TEST(test_verdict)
{
	char why[512];
	int rc;

	why[0] = '\0';
	rc = trust_check(&verdicts[_i].o, "/p", verdicts[_i].known, RUN, RUNG,
	    0, why, sizeof(why));
	if (verdicts[_i].why == NULL)
		ck_assert_msg(rc == 0, "row %d: %s", _i, why);
	else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(why, verdicts[_i].why);
	}
}
END_TEST

START_TEST(test_verdict_shows_paths_escaped)
{
	struct trust_obj o = { TRUST_FILE, 0, 0, 0100666, TRUST_READ };
	char why[512];

	ck_assert_int_eq(trust_check(&o, "/a\nb \x1b[2J", 1, RUN, RUNG, 0, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "not trusted: file /a\\x0ab \\x1b[2J is writable "
	    "by its group and others (mode 0666)");
}
END_TEST

/* A scratch tree: dir/name made with mode. */
static void
tree_file(const char *dir, const char *name, mode_t mode)
{
	char path[512];

	disk_put(dir, name, LISTEN);
	fmt(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* trust_open on dir/name for a known run user: the fd or -1 and err. */
static int
tree_open(struct trust *t, const char *dir, const char *name, char *err,
    size_t errlen)
{
	char path[512];
	struct stat st;
	int fd;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	err[0] = '\0';
	fd = trust_open(t, path, TRUST_READ, &st, err, errlen);
	if (fd != -1) {
		ck_assert(S_ISREG(st.st_mode));
		ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		close(fd);
	}
	return fd;
}

START_TEST(test_walk_links_and_loops)
{
	char dir[] = "/tmp/check_trust.XXXXXX", err[1024], path[512];
	char want[1024];
	struct trust t;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	trust_init_self(&t);
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	tree_file(dir, "sub/a.conf", 0644);
	/* relative and absolute links, a chain of them, through a directory */
	fmt(path, sizeof(path), "%s/rel", dir);
	ck_assert_int_eq(symlink("sub/a.conf", path), 0);
	fmt(path, sizeof(path), "%s/abs", dir);
	fmt(want, sizeof(want), "%s/sub/a.conf", dir);
	ck_assert_int_eq(symlink(want, path), 0);
	fmt(path, sizeof(path), "%s/chain", dir);
	ck_assert_int_eq(symlink("rel", path), 0);
	fmt(path, sizeof(path), "%s/subl", dir);
	ck_assert_int_eq(symlink("./sub/../sub", path), 0);
	ck_assert_int_ne(tree_open(&t, dir, "rel", err, sizeof(err)), -1);
	ck_assert_int_ne(tree_open(&t, dir, "abs", err, sizeof(err)), -1);
	ck_assert_int_ne(tree_open(&t, dir, "chain", err, sizeof(err)), -1);
	ck_assert_int_ne(tree_open(&t, dir, "subl/a.conf", err, sizeof(err)),
	    -1);
	ck_assert_int_ne(tree_open(&t, dir, "sub/../sub/./a.conf", err,
	    sizeof(err)), -1);
	/* a loop of links, a link to nothing, a directory, a FIFO */
	fmt(path, sizeof(path), "%s/l1", dir);
	ck_assert_int_eq(symlink("l2", path), 0);
	fmt(path, sizeof(path), "%s/l2", dir);
	ck_assert_int_eq(symlink("l1", path), 0);
	ck_assert_int_eq(tree_open(&t, dir, "l1", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open: Too many levels of symbolic links");
	fmt(path, sizeof(path), "%s/dangling", dir);
	ck_assert_int_eq(symlink("missing", path), 0);
	ck_assert_int_eq(tree_open(&t, dir, "dangling", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open: No such file or directory");
	ck_assert_int_eq(tree_open(&t, dir, "subl", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "is a directory, not a file");
	ck_assert_int_eq(tree_open(&t, dir, "rel/x", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open: Not a directory");
	fmt(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(tree_open(&t, dir, "fifo", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not a regular file (a FIFO)");
	fmt(path, sizeof(path), "%s/tofifo", dir);
	ck_assert_int_eq(symlink("fifo", path), 0);
	ck_assert_int_eq(tree_open(&t, dir, "tofifo", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not a regular file (a FIFO)");
	/* a writable directory on the way, behind a link or not */
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(chmod(path, 0777), 0);
	fmt(want, sizeof(want), "not trusted: directory %s/sub is writable by "
	    "its group and others (mode 0777)", dir);
	ck_assert_int_eq(tree_open(&t, dir, "chain", err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(chmod(path, 01777), 0);	/* sticky: fine */
	ck_assert_int_ne(tree_open(&t, dir, "chain", err, sizeof(err)), -1);
	/*
	 * ... but not a file with another name there: anyone may create a
	 * name in it, and link it to a file they do not own
	 */
	fmt(want, sizeof(want), "%s/sub/b.conf", dir);
	fmt(path, sizeof(path), "%s/sub/a.conf", dir);
	ck_assert_int_eq(link(path, want), 0);
	fmt(want, sizeof(want), "not trusted: file %s/sub/a.conf has 2 links, "
	    "in a sticky directory others may write (mode 1777): anyone may "
	    "have linked it there", dir);
	ck_assert_int_eq(tree_open(&t, dir, "chain", err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(chmod(path, 0755), 0);		/* not sticky: fine */
	ck_assert_int_ne(tree_open(&t, dir, "chain", err, sizeof(err)), -1);
	fmt(want, sizeof(want), "%s/sub/b.conf", dir);
	ck_assert_int_eq(unlink(want), 0);
	trust_free(&t);
	disk_rm_tree(dir);
}
END_TEST

START_TEST(test_walk_owners_as_root)
{
	char dir[] = "/tmp/check_trust.XXXXXX", err[1024], path[512];
	char want[1024];
	struct collect c;
	struct trust t;

	if (geteuid() != 0)
		return;		/* giving files away needs root */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 01777), 0);
	tree_file(dir, "root.conf", 0644);
	tree_file(dir, "run.conf", 0600);
	tree_file(dir, "other.conf", 0644);
	fmt(path, sizeof(path), "%s/run.conf", dir);
	ck_assert_int_eq(chown(path, RUN, RUNG), 0);
	fmt(path, sizeof(path), "%s/other.conf", dir);
	ck_assert_int_eq(chown(path, OTHER, OTHER), 0);
	fmt(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink("root.conf", path), 0);
	ck_assert_int_eq(lchown(path, OTHER, OTHER), 0);

	/* Known now: a sticky directory, entries of root and of the run user. */
	trust_init(&t, 1, RUN, RUNG);
	ck_assert_int_ne(tree_open(&t, dir, "root.conf", err, sizeof(err)), -1);
	ck_assert_int_ne(tree_open(&t, dir, "run.conf", err, sizeof(err)), -1);
	ck_assert_int_eq(tree_open(&t, dir, "other.conf", err, sizeof(err)),
	    -1);
	fmt(want, sizeof(want), "not trusted: file %s/other.conf is owned by "
	    "uid 5151, not root or the run user (uid 4242)", dir);
	ck_assert_str_eq(err, want);
	/* someone else's link in a sticky directory: not followed */
	ck_assert_int_eq(tree_open(&t, dir, "link", err, sizeof(err)), -1);
	fmt(want, sizeof(want), "not trusted: symbolic link %s/link is owned by "
	    "uid 5151, not root or the run user (uid 4242)", dir);
	ck_assert_str_eq(err, want);
	trust_free(&t);

	/* Known later: every walk succeeds; the facts decide after. */
	trust_init(&t, 0, 0, 0);
	ck_assert_int_ne(tree_open(&t, dir, "run.conf", err, sizeof(err)), -1);
	ck_assert_int_ne(tree_open(&t, dir, "other.conf", err, sizeof(err)),
	    -1);
	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(trust_judge(&t, 1, RUN, RUNG, collect_diag, &c), 1);
	fmt(path, sizeof(path), "%s/other.conf", dir);
	fmt(want, sizeof(want), "not trusted: file %s is owned by uid 5151, not "
	    "root or the run user (uid 4242)", path);
	expect(&c, 0, 1, path, 0, want);
	/* and for another run user, the run user's file too */
	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(trust_judge(&t, 1, OTHER, OTHER, collect_diag, &c),
	    1);
	ck_assert_uint_eq(trust_judge(&t, 0, 0, 0, collect_diag, &c), 2);
	trust_free(&t);
	disk_rm_tree(dir);
}
END_TEST

START_TEST(test_glob_directory_judged)
{
	char dir[] = "/tmp/check_trust.XXXXXX", main[512], want[1024];
	char sub[512];
	struct collect c;
	struct config *conf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 01777), 0);
	ck_assert_int_eq(chmod(sub, 01777), 0);
	disk_put(dir, "main.conf", LISTEN "include d/*.rules\n");
	/* Listed by a glob, even empty, a sticky writable directory is not safe. */
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	fmt(want, sizeof(want), "include %s/d/*.rules: not trusted: directory "
	    "%s/d is writable by its group and others (mode 1777): anyone may "
	    "add what a pattern reads", dir, dir);
	expect(&c, 0, 1, main, 2, want);
	ck_assert_int_eq(chmod(sub, 0755), 0);
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
	disk_rm_tree(dir);
}
END_TEST

/* A datagram socket bound at dir/name, mode 0666 as a syslog socket is. */
static int
tree_socket(const char *dir, const char *name)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ne(fd, -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(fmt(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
	    name), sizeof(sun.sun_path));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(chmod(sun.sun_path, 0666), 0);
	return fd;
}

/* trust_socket on dir/name for RUN: its verdict, the message in err. */
static int
tree_sock(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[512];
	struct stat st;
	struct trust t;
	int rc;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	err[0] = '\0';
	trust_init(&t, 1, geteuid() == 0 ? RUN : geteuid(), RUNG);
	rc = trust_socket(&t, path, &st, err, errlen);
	trust_free(&t);
	if (rc == 0)
		ck_assert(S_ISSOCK(st.st_mode));
	return rc;
}

START_TEST(test_socket_walk)
{
	char dir[] = "/tmp/check_trust.XXXXXX", err[1024], path[512];
	char want[1024];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fd = tree_socket(dir, "sub/log");
	tree_file(dir, "file", 0644);
	ck_assert_int_eq(tree_sock(dir, "sub/log", err, sizeof(err)), 0);
	/* nothing to judge: the connect says what is wrong */
	ck_assert_int_eq(tree_sock(dir, "sub/none", err, sizeof(err)), 1);
	ck_assert_int_eq(tree_sock(dir, "none/log", err, sizeof(err)), 1);
	ck_assert_int_eq(tree_sock(dir, "file", err, sizeof(err)), 1);
	/* a link to it, as /dev/log is to journald's socket */
	fmt(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink("sub/log", path), 0);
	ck_assert_int_eq(tree_sock(dir, "link", err, sizeof(err)), 0);
	/* a directory on the way others may write: anyone binds there */
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(chmod(path, 0777), 0);
	fmt(want, sizeof(want), "not trusted: directory %s/sub is writable by "
	    "its group and others (mode 0777)", dir);
	ck_assert_int_eq(tree_sock(dir, "link", err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(chmod(path, 01777), 0);	/* sticky: its owners' */
	ck_assert_int_eq(tree_sock(dir, "sub/log", err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	if (geteuid() == 0) {
		/* a stranger's directory, link or socket */
		ck_assert_int_eq(chown(path, OTHER, -1), 0);
		fmt(want, sizeof(want), "not trusted: directory %s/sub is owned "
		    "by uid 5151, not root or the run user (uid 4242)", dir);
		ck_assert_int_eq(tree_sock(dir, "sub/log", err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, want);
		ck_assert_int_eq(chown(path, RUN, -1), 0);	/* the run user's */
		ck_assert_int_eq(tree_sock(dir, "sub/log", err, sizeof(err)), 0);
		ck_assert_int_eq(chown(path, 0, -1), 0);
		fmt(path, sizeof(path), "%s/link", dir);
		ck_assert_int_eq(lchown(path, OTHER, -1), 0);
		ck_assert_int_eq(tree_sock(dir, "link", err, sizeof(err)), -1);
		fmt(path, sizeof(path), "%s/sub/log", dir);
		ck_assert_int_eq(chown(path, OTHER, -1), 0);
		fmt(want, sizeof(want), "not trusted: socket %s/sub/log is owned "
		    "by uid 5151, not root or the run user (uid 4242)", dir);
		ck_assert_int_eq(tree_sock(dir, "sub/log", err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, want);
	}
	close(fd);
	disk_rm_tree(dir);
}
END_TEST

START_TEST(test_opendir_walk)
{
	char dir[] = "/tmp/check_trust.XXXXXX", err[1024], path[512];
	char want[1024], note[512];
	struct audit_state *as;
	struct link prev;
	struct stat st;
	struct trust t;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fmt(path, sizeof(path), "%s/sub/st", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	tree_file(dir, "file", 0644);
	fmt(path, sizeof(path), "%s/st", dir);
	ck_assert_int_eq(symlink("sub/st", path), 0);
	trust_init_self(&t);
	/* through a link of one's own: the directory at its end */
	ck_assert_int_ne((fd = trust_opendir(&t, path, &st, err, sizeof(err))),
	    -1);
	ck_assert(S_ISDIR(st.st_mode));
	close(fd);
	fmt(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(trust_opendir(&t, path, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	fmt(path, sizeof(path), "%s/file", dir);
	ck_assert_int_eq(trust_opendir(&t, path, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	/* a directory above it others may write: refused */
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(chmod(path, 0777), 0);
	fmt(path, sizeof(path), "%s/st", dir);
	ck_assert_int_eq(trust_opendir(&t, path, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EPERM);
	fmt(want, sizeof(want), "not trusted: directory %s/sub is writable by "
	    "its group and others (mode 0777)", dir);
	ck_assert_str_eq(err, want);
	/* and so is the audit state there, without chroot */
	fmt(path, sizeof(path), "%s/st/audit.state", dir);
	ck_assert_ptr_null(audit_state_open(path, geteuid(), &prev, note,
	    sizeof(note), err, sizeof(err)));
	fmt(want, sizeof(want), "audit state %s: not trusted: directory "
	    "%s/sub is writable by its group and others (mode 0777): its owner "
	    "could swap in another directory", path, dir);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	fmt(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(chmod(path, 0755), 0);
	trust_free(&t);
	if (geteuid() == 0) {
		/* a stranger's link to it, as the state's directory */
		fmt(path, sizeof(path), "%s/st", dir);
		ck_assert_int_eq(lchown(path, OTHER, -1), 0);
		fmt(path, sizeof(path), "%s/st/audit.state", dir);
		ck_assert_ptr_null(audit_state_open(path, 0, &prev, note,
		    sizeof(note), err, sizeof(err)));
		fmt(want, sizeof(want), "audit state %s: not trusted: symbolic "
		    "link %s/st is owned by uid 5151, not root", path, dir);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
		fmt(path, sizeof(path), "%s/st", dir);
		ck_assert_int_eq(lchown(path, 0, -1), 0);
		fmt(path, sizeof(path), "%s/st/audit.state", dir);
		as = audit_state_open(path, 0, &prev, note, sizeof(note), err,
		    sizeof(err));
		ck_assert_msg(as != NULL, "%s", err);
		audit_state_close(as);
	}
	disk_rm_tree(dir);
}
END_TEST

/* The trust suite. */
Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc;

	tc = tcase_create("verdict");
	tcase_add_loop_test(tc, test_verdict, 0, (int)NFILES(verdicts));
	tcase_add_test(tc, test_verdict_shows_paths_escaped);
	suite_add_tcase(s, tc);
	tc = tcase_create("walk");
	tcase_add_test(tc, test_walk_links_and_loops);
	tcase_add_test(tc, test_walk_owners_as_root);
	tcase_add_test(tc, test_glob_directory_judged);
	tcase_add_test(tc, test_socket_walk);
	tcase_add_test(tc, test_opendir_walk);
	suite_add_tcase(s, tc);
	return s;
}
