/* SPDX-License-Identifier: ISC */
/* status: the status file's path and its line, hostile lines included. */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/suites.h"
#include "daemon/status.h"

START_TEST(test_path)
{
	char buf[64];

	ck_assert_int_eq(status_path("/run/daytimed/daytimed.pid", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/daytimed/daytimed.status");
	ck_assert_int_eq(status_path("/tmp/d.lock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/d.lock.status");
	ck_assert_int_eq(status_path(".pid", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, ".pid.status");
	ck_assert_int_eq(status_path("/a/very/long/path/that/will/not/fit/in/"
	    "this/small/buffer.pid", buf, 16), -1);
}
END_TEST

START_TEST(test_parse_good)
{
	static const char ok[] = "pid=123 reads=4 done=3 result=ok error=-\n";
	static const char bad[] = "pid=9 reads=2 done=2 result=failed "
	    "error=\"/e/d.conf:3: error: bad netblock '10/8'\"\nstale tail";
	struct status st;

	ck_assert_int_eq(status_parse(ok, strlen(ok), &st), 0);
	ck_assert_int_eq(st.pid, 123);
	ck_assert_uint_eq(st.reads, 4);
	ck_assert_uint_eq(st.done, 3);
	ck_assert_str_eq(st.result, "ok");
	ck_assert_str_eq(st.error, "-");
	ck_assert_int_eq(status_parse(bad, strlen(bad), &st), 0);
	ck_assert_str_eq(st.result, "failed");
	ck_assert_str_eq(st.error,
	    "\"/e/d.conf:3: error: bad netblock '10/8'\"");
}
END_TEST

/* Lines that are not status lines: refused, never half read. */
static const char *const status_bad[] = {
	"",
	"pid=1 reads=1 done=1 result=ok error=-",	/* no newline */
	"pid=1 reads=1 done=1 result=ok\n",
	"pid=1 reads=1 done=1 result=maybe error=-\n",
	"pid=1 reads=1 done=1 result= error=-\n",
	"pid=x reads=1 done=1 result=ok error=-\n",
	"pid=-1 reads=1 done=1 result=ok error=-\n",
	"pid=99999999999 reads=1 done=1 result=ok error=-\n",
	"reads=1 pid=1 done=1 result=ok error=-\n",
	"pid=1 reads=18446744073709551616 done=1 result=ok error=-\n",
	"pid=1  reads=1 done=1 result=ok error=-\n",
	"pid=1 reads=1 done=1 result=okokokokokokokokok error=-\n",
	"pid=1\nreads=1 done=1 result=ok error=-\n",
};

START_TEST(test_parse_bad)
{
	struct status st;

	ck_assert_int_eq(status_parse(status_bad[_i], strlen(status_bad[_i]),
	    &st), -1);
}
END_TEST

/* What a tampered file says is shown with its control bytes escaped. */
START_TEST(test_parse_control)
{
	static const char line[] = "pid=1 reads=1 done=1 result=failed "
	    "error=\x1b]0;owned\x07\r\n";
	struct status st;

	ck_assert_int_eq(status_parse(line, sizeof(line) - 1, &st), 0);
	ck_assert_str_eq(st.error, "\\x1b]0;owned\\x07\\x0d");
}
END_TEST

/* ... and its high bytes: C1 controls, a UTF-8 CSI, a bidi override. */
START_TEST(test_parse_high)
{
	static const char line[] = "pid=1 reads=1 done=1 result=failed "
	    "error=\xc2\x9b" "2J\x9b" "31mPWNED\xe2\x80\xae!\x7f\n";
	struct status st;

	ck_assert_int_eq(status_parse(line, sizeof(line) - 1, &st), 0);
	ck_assert_str_eq(st.error, "\\xc2\\x9b2J\\x9b31mPWNED\\xe2\\x80"
	    "\\xae!\\x7f");
}
END_TEST

/*
 * A child writes its pid to a pidfile, locks it when told to, and says
 * 'H' on the pipe should a HUP reach it; the status file beside is
 * empty, as one the daemon could not write.
 */
static pid_t
status_child(const char *dir, int lock, int *rd)
{
	char pidfile[256], statusfile[256], buf[32];
	struct flock fl;
	sigset_t hup;
	pid_t pid;
	int p[2], fd, sig, n;

	(void)snprintf(pidfile, sizeof(pidfile), "%s/d.pid", dir);
	(void)snprintf(statusfile, sizeof(statusfile), "%s/d.status", dir);
	fd = open(statusfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ne(fd, -1);
	close(fd);
	ck_assert_int_eq(pipe(p), 0);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		alarm(30);	/* never outlives a test that failed */
		close(p[0]);
		fd = open(pidfile, O_RDWR | O_CREAT | O_TRUNC, 0644);
		n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
		if (fd == -1 || write(fd, buf, (size_t)n) != n)
			_exit(1);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (lock && fcntl(fd, F_SETLK, &fl) == -1)
			_exit(1);
		if (write(p[1], "R", 1) != 1 || sigwait(&hup, &sig) != 0 ||
		    write(p[1], "H", 1) != 1)
			_exit(1);
		_exit(0);
	}
	sigprocmask(SIG_UNBLOCK, &hup, NULL);
	close(p[1]);
	ck_assert_int_eq(read(p[0], buf, 1), 1);
	ck_assert_int_eq(buf[0], 'R');
	*rd = p[0];
	return pid;
}

/* An empty status file: the lock's holder is still signalled, -2. */
START_TEST(test_reload_empty)
{
	char dir[] = "/tmp/ck-status-XXXXXX", pidfile[256], c;
	int rd, st;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(pidfile, sizeof(pidfile), "%s/d.pid", dir);
	pid = status_child(dir, _i, &rd);
	if (_i) {
		ck_assert_int_eq(status_reload(pidfile, 1), -2);
		ck_assert_int_eq(read(rd, &c, 1), 1);
		ck_assert_int_eq(c, 'H');
	} else {
		/* Not locked: refused, and no signal. */
		struct pollfd pfd = { rd, POLLIN, 0 };

		ck_assert_int_eq(status_reload(pidfile, 1), -1);
		ck_assert_int_eq(poll(&pfd, 1, 100), 0);
		kill(pid, SIGHUP);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(rd);
	(void)snprintf(pidfile, sizeof(pidfile), "%s/d.status", dir);
	(void)unlink(pidfile);
	(void)snprintf(pidfile, sizeof(pidfile), "%s/d.pid", dir);
	(void)unlink(pidfile);
	(void)rmdir(dir);
}
END_TEST

/* Pidfiles that name no daemon: -r refuses them before any lock or signal. */
static const char *const status_bad_pidfiles[] = {
	"", "\n", "0\n", "1\n", "4194305\n", "2147483647\n", "-5\n",
	"+5\n", " 5\n", "5 \n", "5", "12345678901234567890123456789012345\n",
	"0x10\n", "\n5\n",
};

START_TEST(test_reload_bad_pidfile)
{
	char dir[] = "/tmp/ck-status-XXXXXX", path[256], out[512];
	const char *text = status_bad_pidfiles[_i];
	ssize_t n;
	int fd, errfd, saved;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/d.pid", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	(void)snprintf(path, sizeof(path), "%s/err", dir);
	errfd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(errfd, -1);
	saved = dup(2);
	ck_assert_int_eq(dup2(errfd, 2), 2);
	(void)snprintf(path, sizeof(path), "%s/d.pid", dir);
	ck_assert_int_eq(status_reload(path, 1), -1);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	n = pread(errfd, out, sizeof(out) - 1, 0);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(out, "holds no daemon's pid (is "
	    "daytimed running?)"));
	close(errfd);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/err", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}
END_TEST

Suite *
status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("line");

	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    sizeof(status_bad) / sizeof(status_bad[0]));
	tcase_add_test(tc, test_parse_control);
	tcase_add_test(tc, test_parse_high);
	suite_add_tcase(s, tc);
	tc = tcase_create("reload");
	tcase_add_loop_test(tc, test_reload_empty, 0, 2);
	tcase_add_loop_test(tc, test_reload_bad_pidfile, 0,
	    sizeof(status_bad_pidfiles) / sizeof(status_bad_pidfiles[0]));
	suite_add_tcase(s, tc);
	return s;
}
