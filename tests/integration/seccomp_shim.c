/* SPDX-License-Identifier: ISC */
/*
 * seccomp_shim: an LD_PRELOAD library for test_trust.py only, never
 * installed. On SIGUSR2 the process makes a call that DT_SHIM_CALL names
 * (read at start): "ptrace" (the default), ptrace(PTRACE_TRACEME), and
 * "tgkill-other", signal 0 to pid 1 (another process; getppid is not
 * allowed either), neither of which the engine's filter allows: the test
 * sees the engine die by SIGSYS and the monitor say so; "tgkill-self",
 * signal 0 to itself, which it allows. The daemon itself has no such
 * trigger.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

enum shim_call { SHIM_PTRACE, SHIM_TGKILL_OTHER, SHIM_TGKILL_SELF };

static enum shim_call shim_call;

static void	shim_usr2(int);
static void	shim_init(void) __attribute__((constructor));

/* The call. */
static void
shim_usr2(int sig)
{
	(void)sig;
	switch (shim_call) {
	case SHIM_TGKILL_OTHER:
		(void)syscall(SYS_tgkill, 1, 1, 0);
		break;
	case SHIM_TGKILL_SELF:
		(void)syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid),
		    0);
		break;
	default:
		(void)syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		break;
	}
}

/* Before main: the call, and the handler (the daemon leaves SIGUSR2). */
static void
shim_init(void)
{
	struct sigaction sa;
	const char *c = getenv("DT_SHIM_CALL");

	if (c != NULL && strcmp(c, "tgkill-other") == 0)
		shim_call = SHIM_TGKILL_OTHER;
	else if (c != NULL && strcmp(c, "tgkill-self") == 0)
		shim_call = SHIM_TGKILL_SELF;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shim_usr2;
	(void)sigaction(SIGUSR2, &sa, NULL);
}
