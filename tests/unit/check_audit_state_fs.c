/* SPDX-License-Identifier: ISC */
/*
 * audit_state_fs_suite: daemon/audit_state.c when the state's filesystem
 * is full or read-only, on a tiny tmpfs mounted in a mount namespace of
 * the test's own process (Check forks each test, so nothing reaches the
 * host's mounts): saves that fail and are retried, logged once each way,
 * no temporary file left, the last saved position kept; a start that
 * cannot save; a first save that fails keeps the lock. Needs root (and
 * forked tests); skipped, said so, without.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit/link.h"
#include "daemon/audit_state.h"
#include "daemon/log.h"
#include "tests/unit/sink.h"
#include "tests/unit/suites.h"

/* Fill the filesystem of path with it until ENOSPC. */
static void
fill(const char *path)
{
	char block[1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ne(fd, -1);
	memset(block, 'f', sizeof(block));
	while (write(fd, block, sizeof(block)) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
}

/* The log lines a sink got, appended to log (NUL-separated, size 8192). */
static void
heard(struct sink *k, char *log, size_t *used)
{
	char d[2048];
	size_t n;

	log_flush(1000);
	while (sink_recv(k, d, sizeof(d)) > 0) {
		n = strlen(msg_of(d)) + 1;
		ck_assert_uint_lt(*used + n, 8192);
		memcpy(log + *used, msg_of(d), n);
		*used += n;
	}
}

/* How many lines of log contain what. */
static int
count(const char *log, size_t used, const char *what)
{
	size_t o;
	int n = 0;

	for (o = 0; o < used; o += strlen(log + o) + 1)
		n += strstr(log + o, what) != NULL;
	return n;
}

/* Wait (up to secs seconds) until the sink has said what n times. */
static int
hear(struct sink *k, char *log, size_t *used, const char *what, int n,
    int secs)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		heard(k, log, used);
		if (count(log, *used, what) >= n)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= secs)
			return 0;
		poll(NULL, 0, 20);
	}
}

/* Remount dir read-only (ro 1) or writable. */
static void
remount(const char *dir, int ro)
{
	ck_assert_int_eq(mount(NULL, dir, NULL, MS_REMOUNT | (ro ? MS_RDONLY :
	    0), "size=16k,mode=0700"), 0);
}

/*
 * Full and read-only, while running: the records go on (notes never
 * block), the failure is said once and the recovery once, no temporary
 * file stays, saves resume; a stop while failing leaves the last saved
 * position; a start on a full or read-only filesystem is an error naming
 * the file; a first save that fails keeps the lock until one works.
 */
START_TEST(test_state_full)
{
	char dir[64], path[128], tmp[128], filler[128], note[512], err[512];
	char *log;
	size_t used = 0;
	struct audit_state *st;
	struct link l;
	struct sink k;
	const char *ck_fork = getenv("CK_FORK");
	int fd;

	if (geteuid() != 0 || (ck_fork != NULL && strcmp(ck_fork, "no") == 0)) {
		fprintf(stderr, "test_state_full: needs root and a forked test "
		    "(a mount namespace of its own): skipped\n");
		return;
	}
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(dir, sizeof(dir), "/tmp/check_state_fs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "size=16k,mode=0700"),
	    0);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	snprintf(tmp, sizeof(tmp), "%s/audit.state.new", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	log = calloc(1, 8192);
	ck_assert_ptr_nonnull(log);
	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	st = audit_state_open(path, 0, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	audit_state_note(st, "00000000000000aa", 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:0:run\n"));
	/* full: said once, naming the file and errno; the file unchanged */
	fill(filler);
	audit_state_note(st, "00000000000000aa", 1);
	ck_assert(hear(&k, log, &used, "No space left on device", 1, 10));
	ck_assert_int_eq(count(log, used, path), 1);
	ck_assert_int_eq(count(log, used, "keeps 00000000000000aa:0"), 1);
	audit_state_note(st, "00000000000000aa", 2);
	/* retried every second (two tries here), said once */
	ck_assert(!hear(&k, log, &used, "No space left on device", 2, 3));
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:0:run\n"));
	/* space again: saved without a new record (retried), said once */
	ck_assert_int_eq(unlink(filler), 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:2:run\n"));
	ck_assert(hear(&k, log, &used, "saved again (00000000000000aa:2)", 1,
	    10));
	/* read-only, then writable */
	remount(dir, 1);
	audit_state_note(st, "00000000000000aa", 3);
	ck_assert(hear(&k, log, &used, "Read-only file system", 1, 10));
	remount(dir, 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:3:run\n"));
	ck_assert(hear(&k, log, &used, "saved again", 2, 10));
	ck_assert_int_eq(count(log, used, "cannot"), 2);
	/* a stop while read-only: an error; the last saved position stays */
	remount(dir, 1);
	audit_state_note(st, "00000000000000aa", 4);
	ck_assert_int_eq(audit_state_stop(st, "00000000000000aa", 5, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Read-only file system: the stop is "
	    "not saved, the file keeps 00000000000000aa:3:run"));
	audit_state_close(st);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:3:run\n"));
	/* a start, read-only or full: an error naming the file */
	ck_assert_ptr_null(audit_state_open(path, 0, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "Read-only file system"));
	remount(dir, 0);
	fill(filler);
	ck_assert_ptr_null(audit_state_open(path, 0, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No space left on device"));
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* space again: the next epoch names the last position saved */
	ck_assert_int_eq(unlink(filler), 0);
	st = audit_state_open(path, 0, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(l.kind, LINK_EPOCH);
	ck_assert_str_eq(l.epoch, "00000000000000aa");
	ck_assert_uint_eq(l.seq, 3);
	ck_assert_int_eq(l.stopped, 0);
	/* full between the start and seq 0: the lock stays until a save */
	fill(filler);
	audit_state_note(st, "00000000000000bb", 0);
	ck_assert(hear(&k, log, &used, "names the last epoch, not this one",
	    1, 10));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(unlink(filler), 0);
	audit_state_note(st, "00000000000000bb", 1);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:1:run\n"));
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(flock(fd, LOCK_UN), 0);
	close(fd);
	audit_state_close(st);
	sink_close(&k);
	free(log);
	ck_assert_int_eq(umount(dir), 0);
	rmdir(dir);
}
END_TEST

Suite *
audit_state_fs_suite(void)
{
	Suite *s = suite_create("audit_state_fs");
	TCase *tc = tcase_create("full");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_state_full);
	suite_add_tcase(s, tc);
	return s;
}
