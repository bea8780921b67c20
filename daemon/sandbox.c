/* SPDX-License-Identifier: ISC */
/*
 * sandbox: the engine's seccomp filter, an allow-list. The calls were
 * found by loading this filter with SCMP_ACT_LOG for the default (the
 * kernel logs each call outside it) over the whole suite and a soak
 * (reloads, USR1, ident lookups, syslog reconnects, back-pressure,
 * stop): libevent's epoll, the log's sendmmsg and its reconnect,
 * getrandom for libsodium, clock_gettime, futex and clone for the
 * workers and the reload, free and audit state writer threads,
 * malloc's mmap, munmap and madvise (and the rule table's huge pages
 * on a reload: compat_huge; malloc_trim's madvise and brk once the
 * old table is freed),
 * qsort's sysinfo, sodium_free's munlock, and prctl's
 * PR_SET_NAME alone (each worker and reload thread names itself, for
 * ps and top; proctitle.c), and the audit state's writes: openat
 * with a directory descriptor (a dirfd of AT_FDCWD fails, whatever the
 * path), unlinkat likewise (its temporary file: a leftover removed
 * before every save, the new one when a save fails),
 * flock, fsync and renameat. A filter sees numbers, not the strings
 * they point at: an absolute path with any open descriptor as dirfd
 * passes it, and so does ".." from the state directory. What keeps
 * those calls inside the jail is the chroot (when set), which is why
 * the state directory must lie inside it (audit_state_within: from a
 * directory outside the new root, ".." would climb out), and the
 * unprivileged user; not this filter. clone
 * must share the address space (a thread, never a process); clone3,
 * whose flags a filter cannot see, answers ENOSYS so that glibc falls
 * back to clone.
 * Sockets are IPv4, IPv6 or local only. fcntl may not name a process
 * to signal (F_SETOWN, F_SETSIG, O_ASYNC): only tgkill to its own
 * threads sends a signal. A call of another ABI (x32, i386) kills the
 * process as any call outside the list does.
 *
 * The filter is loaded while the engine is still one thread (the workers
 * start after, and inherit it), so no thread sync is asked for: that
 * needs the seccomp() call, which a service manager's own filter may
 * refuse (systemd's @system-service has prctl, not seccomp), while
 * PR_SET_SECCOMP, libseccomp's way without it, is allowed there. For the
 * same reason the default action falls back to SECCOMP_RET_TRAP.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "daemon/log.h"
#include "daemon/sandbox.h"

/* A sanitizer's runtime makes calls of its own (at exit, on a report). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SANDBOX_SANITIZED 1
#endif
#endif
#ifndef SANDBOX_SANITIZED
#define SANDBOX_SANITIZED 0
#endif

/* What the engine may call, whatever the arguments. */
static const int sandbox_allowed[] = {
	/* descriptors */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
	/* sockets */
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
	SCMP_SYS(connect), SCMP_SYS(shutdown), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg),
	/* waiting */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2),
	SCMP_SYS(epoll_ctl), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(pipe2), SCMP_SYS(eventfd2),
	/* time */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise),
	SCMP_SYS(munlock),	/* sodium_free, the audit key at exit */
	SCMP_SYS(sysinfo),	/* qsort sizes its buffer (a reload) */
	/* threads and signals */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(sched_yield), SCMP_SYS(gettid), SCMP_SYS(getpid),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* libsodium */
	SCMP_SYS(getrandom),
	/* the audit state, in the directory opened before chroot */
	SCMP_SYS(flock), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(renameat), SCMP_SYS(renameat2),
};

/*
 * What fcntl may do: descriptor and status flags, dups, locks. Not
 * F_SETOWN, F_SETOWN_EX or F_SETSIG: with them the kernel signals any
 * process of the run user (the monitor too) when a descriptor becomes
 * ready, a kill(2) this filter does not allow otherwise. F_SETFL is
 * allowed without O_ASYNC only (below).
 */
static const int sandbox_fcntl[] = {
	F_GETFD, F_SETFD, F_GETFL, F_DUPFD, F_DUPFD_CLOEXEC,
	F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW,
};

int
sandbox_available(void)
{
	return !SANDBOX_SANITIZED;
}

/* Add one rule or say which. */
static int
sandbox_rule2(scmp_filter_ctx ctx, uint32_t action, int sys, char *err,
    size_t errlen, unsigned n, struct scmp_arg_cmp cmp,
    struct scmp_arg_cmp cmp2)
{
	char *name;
	int rc;

	rc = n == 0 ? seccomp_rule_add(ctx, action, sys, 0) : n == 1 ?
	    seccomp_rule_add(ctx, action, sys, 1, cmp) :
	    seccomp_rule_add(ctx, action, sys, 2, cmp, cmp2);
	if (rc == 0)
		return 0;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, sys);
	snprintf(err, errlen, "seccomp: cannot add a rule for %s: %s",
	    name != NULL ? name : "a system call", strerror(-rc));
	free(name);
	return -1;
}

static int
sandbox_rule(scmp_filter_ctx ctx, uint32_t action, int sys, char *err,
    size_t errlen, unsigned n, struct scmp_arg_cmp cmp)
{
	return sandbox_rule2(ctx, action, sys, err, errlen, n, cmp, cmp);
}

int
sandbox_engine(int on, char *err, size_t errlen)
{
	static const int domains[] = { AF_UNIX, AF_INET, AF_INET6 };
	struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_EQ, 0);
	scmp_filter_ctx ctx;
	uint32_t kill = SCMP_ACT_KILL_PROCESS;
	size_t i;
	int rc;

	if (!on || SANDBOX_SANITIZED)
		return 0;
	/*
	 * SECCOMP_RET_KILL_PROCESS, where libseccomp can tell it is there
	 * (it asks seccomp(2), which a service manager's filter may refuse);
	 * else SECCOMP_RET_TRAP: SIGSYS, which nothing here catches, ends
	 * the whole process all the same.
	 */
	if ((ctx = seccomp_init(kill)) == NULL &&
	    (ctx = seccomp_init(kill = SCMP_ACT_TRAP)) == NULL) {
		snprintf(err, errlen, "seccomp: cannot start a filter");
		return -1;
	}
	/*
	 * A call of another ABI (x32's numbers, i386's int 0x80) ends the
	 * process too: libseccomp's own default for it ends only the thread
	 * that made it, unlogged, and leaves the engine half serving.
	 */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, kill)) != 0) {
		snprintf(err, errlen, "seccomp: cannot set the action for "
		    "other architectures: %s", strerror(-rc));
		goto fail;
	}
	for (i = 0; i < sizeof(sandbox_allowed) / sizeof(sandbox_allowed[0]);
	    i++)
		if (sandbox_rule(ctx, SCMP_ACT_ALLOW, sandbox_allowed[i], err,
		    errlen, 0, none) == -1)
			goto fail;
	for (i = 0; i < sizeof(sandbox_fcntl) / sizeof(sandbox_fcntl[0]); i++)
		if (sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), err,
		    errlen, 1, SCMP_A1(SCMP_CMP_EQ,
		    (scmp_datum_t)sandbox_fcntl[i])) == -1)
			goto fail;
	if (sandbox_rule2(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), err, errlen, 2,
	    SCMP_A1(SCMP_CMP_EQ, F_SETFL),
	    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0)) == -1)
		goto fail;
	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		if (sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), err,
		    errlen, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)domains[i])) ==
		    -1)
			goto fail;
	if (sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), err, errlen, 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) == -1 ||
	    sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), err, errlen, 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME)) == -1 ||
	    /* tgkill: its own threads only (raise, abort, pthread_kill) */
	    sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), err, errlen, 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid())) == -1 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), err,
	    errlen, 0, none) == -1 ||
	    /* openat: relative to a directory held (dirfd >= 0) only */
	    sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), err, errlen, 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u, 0)) == -1 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), err,
	    errlen, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u,
	    0x80000000u)) == -1 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), err,
	    errlen, 0, none) == -1 ||
	    /* unlinkat: the same, for the audit state's temporary file */
	    sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), err, errlen,
	    1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u, 0)) == -1 ||
	    sandbox_rule(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(unlinkat), err,
	    errlen, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u,
	    0x80000000u)) == -1)
		goto fail;
	if ((rc = seccomp_load(ctx)) != 0) {
		snprintf(err, errlen, "seccomp: cannot load the filter: %s",
		    strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

int
sandbox_start(int on)
{
	char err[256];

	if (sandbox_engine(on, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (!on)
		log_info("seccomp off: the engine runs without its system call "
		    "filter");
	else if (!sandbox_available())
		log_info("seccomp off: a sanitizer build");
	else
		log_info("seccomp on: the engine's system calls are filtered");
	return 0;
}
