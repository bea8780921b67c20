/* SPDX-License-Identifier: ISC */
/*
 * audit_state_suite: the daemon's audit files (daemon/audit_files.c,
 * daemon/audit_state.c) and audit_open with all of them. The signing
 * key's owner, mode and size, a FIFO refused without blocking; the state
 * directory's and file's owner and mode, a missing, corrupt, wrong-size
 * or symlinked state file; the writer's durable saves (polled with a
 * deadline, never slept on); and two starts that link, checked by the
 * verifier with the host's key. Ownership cases need root and are
 * skipped, said so, without it. The state's filesystem full or read-only:
 * check_audit_state_fs.c.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"
#include "daemon/audit.h"
#include "daemon/audit_files.h"
#include "daemon/audit_state.h"
#include "daemon/log.h"
#include "tests/unit/sink.h"
#include "tests/unit/suites.h"

#define NOBODY	65534

/* A fresh directory; its path in dir (size 64). */
static void
tmpdir(char *dir)
{
	snprintf(dir, 64, "/tmp/check_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Write text to path with mode (and owner, when root). */
static void
put(const char *path, const char *text, size_t len, mode_t mode, uid_t uid)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(path, uid, (gid_t)-1), 0);
}

/* Read path into buf (NUL-terminated); its length or -1. */
static long
get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

/* Remove a test directory and what the tests put in it. */
static void
cleanup(const char *dir)
{
	static const char *names[] = { "k", "s", "audit.state",
	    "audit.state.new", "fifo", "link", "pub", "sub/audit.state",
	    "sub" };
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (unlink(p) == -1)
			rmdir(p);
	}
	rmdir(dir);
}

/* ---- the signing key */

START_TEST(test_signing_key)
{
	unsigned char pk[CHAIN_SIGN_PK_BYTES], sk[CHAIN_SIGN_SK_BYTES];
	unsigned char got[CHAIN_SIGN_SK_BYTES];
	static const mode_t modes[] = { 0640, 0610, 0604, 0601 };
	static const mode_t wmodes[] = { 0620, 0602 };
	char dir[64], path[128], fifo[128], hex[2 * CHAIN_SIGN_SK_BYTES + 2];
	char err[512], want[512];
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_sign_keypair(pk, sk);
	chain_hex(hex, sk, sizeof(sk));
	hex[128] = '\n';
	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/k", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	/* missing */
	ck_assert_int_eq(audit_files_signing(path, got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "audit signing-key"));
	ck_assert_ptr_nonnull(strstr(err, path));
	/* good */
	put(path, hex, 129, 0600, 0);
	ck_assert_int_eq(audit_files_signing(path, got, err, sizeof(err)), 0);
	ck_assert_mem_eq(got, sk, sizeof(sk));
	/*
	 * Any one bit for group or others: refused, by name. Read and search
	 * here; a write bit the loader refuses first, as for every file.
	 */
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		ck_assert_msg(audit_files_signing(path, got, err, sizeof(err)) ==
		    -1, "a signing key of mode %04o taken", (unsigned)modes[i]);
		snprintf(want, sizeof(want), "audit signing-key %s: mode %04o "
		    "gives group or others access: it must be 0600 (or 0400)",
		    path, (unsigned)modes[i]);
		ck_assert_str_eq(err, want);
		ck_assert(sodium_is_zero(got, sizeof(got)));
	}
	for (i = 0; i < sizeof(wmodes) / sizeof(wmodes[0]); i++) {
		ck_assert_int_eq(chmod(path, wmodes[i]), 0);
		ck_assert_int_eq(audit_files_signing(path, got, err,
		    sizeof(err)), -1);
		snprintf(want, sizeof(want), "audit signing-key %s: not trusted: "
		    "file %s is writable by %s (mode %04o)", path, path,
		    wmodes[i] == 0620 ? "its group" : "others",
		    (unsigned)wmodes[i]);
		ck_assert_str_eq(err, want);
	}
	ck_assert_int_eq(chmod(path, 0400), 0);
	ck_assert_int_eq(audit_files_signing(path, got, err, sizeof(err)), 0);
	/* wrong size; a public key by mistake */
	put(path, hex, 100, 0600, 0);
	ck_assert_int_eq(audit_files_signing(path, got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "wrong size (100 bytes"));
	chain_hex(hex, pk, sizeof(pk));
	hex[64] = '\n';
	put(path, hex, 65, 0600, 0);
	ck_assert_int_eq(audit_files_signing(path, got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a host secret key"));
	/* a FIFO: refused at once */
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(audit_files_signing(fifo, got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	/* owned by someone else */
	if (geteuid() == 0) {
		chain_hex(hex, sk, sizeof(sk));
		hex[128] = '\n';
		put(path, hex, 129, 0600, NOBODY);
		ck_assert_int_eq(audit_files_signing(path, got, err,
		    sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534, not root"));
	} else
		fprintf(stderr, "test_signing_key: the owner case needs root: "
		    "skipped\n");
	cleanup(dir);
}
END_TEST

/* ---- the state */

START_TEST(test_state_open)
{
	char dir[64], path[128], p2[128], note[512], err[512], big[200];
	struct audit_state *st;
	struct link l;
	uid_t me = geteuid();

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	/* no file yet: prev=none, said */
	st = audit_state_open(path, me, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(l.kind, LINK_NONE);
	ck_assert_ptr_nonnull(strstr(note, "no state file yet"));
	audit_state_close(st);
	ck_assert_int_eq(access(path, F_OK), -1);	/* nothing written */
	/* a good one */
	put(path, "daytimed-audit-state-v1 0123456789abcdef:42:stop\n", 49,
	    0600, me);
	st = audit_state_open(path, me, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(l.kind, LINK_EPOCH);
	ck_assert_str_eq(l.epoch, "0123456789abcdef");
	ck_assert_uint_eq(l.seq, 42);
	ck_assert_int_eq(l.stopped, 1);
	ck_assert_str_eq(note, "");
	audit_state_close(st);
	/* corrupt: said, and the link is broken */
	put(path, "daytimed-audit-state-v1 0123456789abcdef:4x:stop\n", 48,
	    0600, me);
	st = audit_state_open(path, me, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(l.kind, LINK_BROKEN);
	ck_assert_ptr_nonnull(strstr(note, "corrupt"));
	ck_assert_ptr_nonnull(strstr(note, "prev=broken"));
	audit_state_close(st);
	put(path, "", 0, 0600, me);		/* empty: corrupt too */
	st = audit_state_open(path, me, &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(l.kind, LINK_BROKEN);
	audit_state_close(st);
	/* too large to be a state file: not replaced */
	memset(big, 'x', sizeof(big));
	put(path, big, sizeof(big), 0600, me);
	ck_assert_ptr_null(audit_state_open(path, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "wrong size (200 bytes"));
	ck_assert_ptr_nonnull(strstr(err, path));
	/* readable by others */
	put(path, "x", 1, 0644, me);
	ck_assert_ptr_null(audit_state_open(path, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "mode 0600, not uid"));
	/* a symbolic link, a FIFO: refused, without blocking */
	unlink(path);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_ptr_null(audit_state_open(path, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "a symbolic link"));
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(audit_state_open(path, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	unlink(path);
	/* the directory: missing; writable by others */
	snprintf(p2, sizeof(p2), "%s/sub/audit.state", dir);
	ck_assert_ptr_null(audit_state_open(p2, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_nonnull(strstr(err, p2));
	snprintf(p2, sizeof(p2), "%s/sub", dir);
	ck_assert_int_eq(mkdir(p2, 0777), 0);
	ck_assert_int_eq(chmod(p2, 0777), 0);
	snprintf(p2, sizeof(p2), "%s/sub/audit.state", dir);
	ck_assert_ptr_null(audit_state_open(p2, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "gives group or others access "
	    "(mode 0777)"));
	/* readable, searchable by others: anyone could lock it (flock) */
	snprintf(p2, sizeof(p2), "%s/sub", dir);
	ck_assert_int_eq(chmod(p2, 0755), 0);
	snprintf(p2, sizeof(p2), "%s/sub/audit.state", dir);
	ck_assert_ptr_null(audit_state_open(p2, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "gives group or others access "
	    "(mode 0755)"));
	ck_assert_ptr_nonnull(strstr(err, "chmod 0700 "));
	snprintf(p2, sizeof(p2), "%s/sub", dir);
	ck_assert_int_eq(chmod(p2, 0710), 0);
	snprintf(p2, sizeof(p2), "%s/sub/audit.state", dir);
	ck_assert_ptr_null(audit_state_open(p2, me, &l, note, sizeof(note),
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "(mode 0710)"));
	/* owned by another user than the one daytimed runs as */
	if (me == 0) {
		ck_assert_ptr_null(audit_state_open(path, NOBODY, &l, note,
		    sizeof(note), err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "must be owned and writable by "
		    "the user daytimed runs as (uid 65534)"));
		ck_assert_int_eq(chown(dir, NOBODY, (gid_t)-1), 0);
		put(path, "daytimed-audit-state-v1 0123456789abcdef:1:run\n", 47,
		    0600, 0);
		ck_assert_ptr_null(audit_state_open(path, NOBODY, &l, note,
		    sizeof(note), err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "must be owned by the user "
		    "daytimed runs as (uid 65534) with mode 0600, not uid 0"));
	}
	ck_assert_ptr_null(audit_state_open("audit.state", me, &l, note,
	    sizeof(note), err, sizeof(err)));
	cleanup(dir);
}
END_TEST

/* Wait (with a deadline) until path holds want (suites.h). */
int
state_wait_for(const char *path, const char *want)
{
	struct timespec t0, t;
	char buf[256];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (get(path, buf, sizeof(buf)) > 0 && strcmp(buf, want) == 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10)
			return 0;
		poll(NULL, 0, 10);
	}
}

START_TEST(test_state_write)
{
	char dir[64], path[128], tmp[128], note[512], err[512];
	struct audit_state *st;
	struct link l;
	struct stat sb;
	int i;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	snprintf(tmp, sizeof(tmp), "%s/audit.state.new", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	/* the first note is saved at once */
	audit_state_note(st, "00000000000000aa", 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:0:run\n"));
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* many notes: the last one is saved within the interval */
	for (i = 1; i <= 1000; i++)
		audit_state_note(st, "00000000000000aa", (uint64_t)i);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:1000:run\n"));
	/* the stop: saved now, with "stop" */
	ck_assert_int_eq(audit_state_stop(st, "00000000000000aa", 1001, err,
	    sizeof(err)), 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:1001:stop\n"));
	audit_state_close(st);
	/* and read back as the next start's link */
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(l.seq, 1001);
	ck_assert_int_eq(l.stopped, 1);
	audit_state_close(st);
	cleanup(dir);
}
END_TEST

/*
 * Shared (inetd mode, several processes): the lock is held from the read
 * to the save of seq 0, which is made at once; a later epoch owns the file, and an older
 * one's position and stop no longer overwrite it.
 */
START_TEST(test_state_shared)
{
	char dir[64], path[128], note[512], err[512];
	struct audit_state *a, *b;
	struct link l;
	int fd;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	a = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	ck_assert_int_eq(l.kind, LINK_NONE);
	/* held: another opener (a new descriptor) cannot lock */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	/* seq 0 is saved synchronously, and the lock goes */
	audit_state_note(a, "00000000000000aa", 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000aa:0:run\n"));
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	/* a held lock is waited for, then is an error naming the file */
	b = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(strstr(err, "cannot lock its directory"));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_int_eq(flock(fd, LOCK_UN), 0);
	close(fd);
	/* the next epoch names a, as it stood */
	b = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(l.kind, LINK_EPOCH);
	ck_assert_str_eq(l.epoch, "00000000000000aa");
	ck_assert_uint_eq(l.seq, 0);
	ck_assert_int_eq(l.stopped, 0);
	audit_state_note(b, "00000000000000bb", 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:0:run\n"));
	/* a goes on and stops (inetd mode: b is the next process): the
	 * file stays b's, and a's stop says nothing */
	audit_state_shared(a);
	audit_state_note(a, "00000000000000aa", 1);
	ck_assert_int_eq(audit_state_stop(a, "00000000000000aa", 2, err,
	    sizeof(err)), 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:0:run\n"));
	audit_state_close(a);
	/* b's stop is saved */
	ck_assert_int_eq(audit_state_stop(b, "00000000000000bb", 3, err,
	    sizeof(err)), 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:3:stop\n"));
	audit_state_close(b);
	cleanup(dir);
}
END_TEST

/* ---- audit_open with every file: two starts that link */

/* Collect the records a sink received into log lines. */
static size_t
drain(struct sink *k, char lines[][2048], size_t max, size_t n)
{
	char d[4096];
	const char *m;

	log_flush(1000);
	while (n < max && sink_recv(k, d, sizeof(d)) > 0) {
		m = strchr(d, '>');
		ck_assert_ptr_nonnull(m);
		/* "<PRI>Mmm dd hh:mm:ss TAG: MSG" as a traditional line */
		snprintf(lines[n++], 2048, "%.16shost %s", m + 1, m + 17);
	}
	return n;
}

/* The text form of the notes (verify_new's callback). */
static void
note_cb(void *arg, const char *text)
{
	(void)arg;
	fprintf(stderr, "note: %s\n", text);
}

START_TEST(test_open_linked)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char hpk[CHAIN_SIGN_PK_BYTES], hsk[CHAIN_SIGN_SK_BYTES];
	char dir[64], pub[128], sec[128], state[128], note[512], err[512];
	const char *which;
	char hex[2 * CHAIN_SIGN_SK_BYTES + 2], (*lines)[2048];
	struct audit_params ap;
	struct verify_summary s;
	struct verify_epoch_info ei;
	struct audit *a;
	struct verify *v;
	struct sink k;
	size_t n = 0, i;
	int run;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	crypto_sign_keypair(hpk, hsk);
	lines = calloc(32, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	tmpdir(dir);
	snprintf(pub, sizeof(pub), "%s/pub", dir);
	snprintf(sec, sizeof(sec), "%s/k", dir);
	snprintf(state, sizeof(state), "%s/audit.state", dir);
	chain_hex(hex, pk, sizeof(pk));
	hex[64] = '\n';
	put(pub, hex, 65, 0644, 0);
	chain_hex(hex, hsk, sizeof(hsk));
	hex[128] = '\n';
	put(sec, hex, 129, 0600, 0);
	memset(&ap, 0, sizeof(ap));
	ap.key = pub;
	ap.signing_key = sec;
	ap.state = state;
	ap.uid = geteuid();
	/* -t's check: reads everything, starts nothing */
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(note, "no state file yet"));
	ck_assert_str_eq(which, "audit state");
	/* a signing key others may read: its directive named */
	ck_assert_int_eq(chmod(sec, 0640), 0);
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(which, "audit signing-key");
	ck_assert_int_eq(chmod(sec, 0600), 0);
	ap.key = sec;	/* not a public key */
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(which, "audit key");
	ap.key = pub;
	ck_assert_int_eq(access(state, F_OK), -1);
	sink_open(&k);
	sink_log_to(&k, LOG_DAEMON);
	for (run = 0; run < 2; run++) {
		a = audit_open(&ap, note, sizeof(note), err, sizeof(err));
		ck_assert_msg(a != NULL, "%s", err);
		ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "start", "a=b"),
		    0);
		ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "reload", NULL),
		    0);
		ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "stop", NULL),
		    0);
		audit_close(a);
		n = drain(&k, lines, 32, n);
	}
	sink_close(&k);
	ck_assert_uint_eq(n, 6);
	ck_assert_ptr_nonnull(strstr(lines[0], " prev=none sealed_to="));
	ck_assert_ptr_nonnull(strstr(lines[0], " host_key="));
	ck_assert_ptr_nonnull(strstr(lines[3], ":2:stop sealed_to="));
	/* the verifier, with the host's key: both signed, linked, intact */
	v = verify_new(sk, note_cb, NULL);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(verify_host_key(v, "h.pub", hpk), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(verify_line(v, "log", i + 1, lines[i],
		    strlen(lines[i])), 0);
	ck_assert_int_eq(verify_finish(v, &s), 0);
	ck_assert_uint_eq(s.findings, 0);
	ck_assert_uint_eq(s.verified, 6);
	ck_assert_uint_eq(s.unauthenticated, 0);
	verify_epoch_get(v, 1, &ei);
	ck_assert_int_eq(ei.has_prev, 1);
	ck_assert_uint_eq(ei.prev.seq, 2);
	ck_assert_int_eq(ei.prev.stopped, 1);
	verify_free(v);
	free(lines);
	cleanup(dir);
}
END_TEST

/*
 * With chroot, the state's directory must lie inside it: the directory
 * itself, or below it, passes; a sibling, or a link from inside the jail
 * to a directory outside, does not; nor does a jail where a directory
 * between it and the state's is not root's alone (the run user could
 * move the state's directory out).
 */
START_TEST(test_state_within)
{
	char dir[64], path[128], sub[128], lnk[128], jail[128], note[512];
	char err[512];
	struct audit_state *st;
	struct link l;

	tmpdir(dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(audit_state_within(st, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(audit_state_within(st, sub, err, sizeof(err)), 0);
	/* dir, the parent: root's, 0700 (mkdtemp); one's own without root */
	ck_assert_int_eq(audit_state_within(st, dir, err, sizeof(err)),
	    geteuid() == 0 ? 0 : -2);
	/* from /, /tmp is on the way: writable by others (sticky or not) */
	ck_assert_int_eq(audit_state_within(st, "/", err, sizeof(err)), -2);
	ck_assert_msg(strstr(err, ", between the chroot / and the state's "
	    "directory, is ") != NULL && strstr(err, "could move the state's "
	    "directory out of the jail") != NULL && strstr(err, "chown root "
	    "and chmod go-w ") != NULL, "%s", err);
	if (geteuid() == 0)
		ck_assert_msg(strstr(err, "directory /tmp, between") != NULL,
		    "%s", err);
	/* a jail beside the state: outside */
	snprintf(jail, sizeof(jail), "%s/fifo", dir);	/* a name cleanup knows */
	ck_assert_int_eq(mkdir(jail, 0755), 0);
	ck_assert_int_eq(audit_state_within(st, jail, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is not inside the chroot"));
	audit_state_close(st);
	/* the state reached through a link inside the jail: still outside */
	snprintf(lnk, sizeof(lnk), "%s/fifo/link", dir);
	ck_assert_int_eq(symlink(sub, lnk), 0);
	snprintf(path, sizeof(path), "%s/fifo/link/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(audit_state_within(st, jail, err, sizeof(err)), -1);
	audit_state_close(st);
	ck_assert_int_eq(unlink(lnk), 0);
	/* a chroot that is not there */
	snprintf(path, sizeof(path), "%s/sub/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	snprintf(jail, sizeof(jail), "%s/none", dir);
	ck_assert_int_eq(audit_state_within(st, jail, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	audit_state_close(st);
	cleanup(dir);
}
END_TEST

/*
 * begin saves seq 0 at once, under the lock held since open; a file
 * removed while the epoch runs is not written again, and saying so is a
 * failed save (the stop names what the file keeps: nothing).
 */
START_TEST(test_state_begin)
{
	char dir[64], path[128], note[512], err[512];
	struct audit_state *st;
	struct link l;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(audit_state_begin(st, "00000000000000bb", 0, err,
	    sizeof(err)), 0);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:0:run\n"));
	audit_state_note(st, "00000000000000bb", 0);
	audit_state_note(st, "00000000000000bb", 5);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:5:run\n"));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(audit_state_stop(st, "00000000000000bb", 6, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "removed while daytimed ran: not "
	    "written again (the next start will say prev=none): the stop is "
	    "not saved, there is no state file"));
	ck_assert_ptr_null(strstr(err, "keeps"));
	ck_assert_int_eq(access(path, F_OK), -1);
	audit_state_close(st);
	cleanup(dir);
}
END_TEST

/*
 * A directory put at the file's path while the epoch runs: the stop's
 * error says what is there, not the position an absent file "keeps".
 */
START_TEST(test_state_not_a_file)
{
	char dir[64], path[128], note[512], err[512];
	struct audit_state *st;
	struct link l;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(audit_state_begin(st, "00000000000000cc", 0, err,
	    sizeof(err)), 0);
	audit_state_note(st, "00000000000000cc", 0);
	audit_state_note(st, "00000000000000cc", 2);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000cc:2:run\n"));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(audit_state_stop(st, "00000000000000cc", 3, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file: the stop is not saved, "
	    "what is at its path is not a state file") != NULL, "%s", err);
	audit_state_close(st);
	ck_assert_int_eq(rmdir(path), 0);
	cleanup(dir);
}
END_TEST

/*
 * Saves that failed (the file removed), then the file naming another
 * epoch (a copy put back): nothing is "saved again", and the stop is
 * not saved, which its error says.
 */
START_TEST(test_state_other_after_failure)
{
	static const char other[] =
	    "daytimed-audit-state-v1 00000000000000ee:3:run\n";
	char dir[64], path[128], note[512], err[512];
	struct audit_state *st;
	struct link l;
	int fd;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/audit.state", dir);
	st = audit_state_open(path, geteuid(), &l, note, sizeof(note), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(audit_state_begin(st, "00000000000000bb", 0, err,
	    sizeof(err)), 0);
	audit_state_note(st, "00000000000000bb", 0);
	audit_state_note(st, "00000000000000bb", 5);
	ck_assert(state_wait_for(path,
	    "daytimed-audit-state-v1 00000000000000bb:5:run\n"));
	ck_assert_int_eq(unlink(path), 0);
	audit_state_note(st, "00000000000000bb", 6);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, other, sizeof(other) - 1),
	    (ssize_t)sizeof(other) - 1);
	close(fd);
	ck_assert_int_eq(audit_state_stop(st, "00000000000000bb", 7, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the stop is not saved, the file names "
	    "another epoch") != NULL, "%s", err);
	ck_assert(state_wait_for(path, other));
	audit_state_close(st);
	cleanup(dir);
}
END_TEST

Suite *
audit_state_suite(void)
{
	Suite *s = suite_create("audit_state");
	TCase *tc;

	tc = tcase_create("files");
	tcase_add_test(tc, test_signing_key);
	tcase_add_test(tc, test_state_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_state_write);
	tcase_add_test(tc, test_state_shared);
	tcase_add_test(tc, test_open_linked);
	tcase_add_test(tc, test_state_within);
	tcase_add_test(tc, test_state_begin);
	tcase_add_test(tc, test_state_not_a_file);
	tcase_add_test(tc, test_state_other_after_failure);
	suite_add_tcase(s, tc);
	return s;
}
