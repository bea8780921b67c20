/* SPDX-License-Identifier: ISC */
/*
 * seccomp_shim: an LD_PRELOAD library for test_trust.py only, never
 * installed. On SIGUSR2 the process makes a call that DT_SHIM_CALL names
 * (read at start): "ptrace" (the default), ptrace(PTRACE_TRACEME), and
 * "tgkill-other", signal 0 to pid 1 (another process; getppid is not
 * allowed either), neither of which the engine's filter allows: the test
 * sees the engine die by SIGSYS and the monitor say so; "tgkill-self",
 * signal 0 to itself, which it allows; "x32", getpid by its x32
 * number (another ABI: the whole process dies, not the thread);
 * "fcntl-setown" and "fcntl-async", a pipe told to signal pid 1 when it
 * is ready, or to signal at all (F_SETOWN, O_ASYNC): a kill(2) by
 * another name, which the filter refuses. The daemon itself has no such
 * trigger.
 */
#define _GNU_SOURCE 1 /* pipe2 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

enum shim_call { SHIM_PTRACE, SHIM_TGKILL_OTHER, SHIM_TGKILL_SELF,
	SHIM_X32, SHIM_SETOWN, SHIM_ASYNC };

#define SHIM_X32_BIT	0x40000000L	/* __X32_SYSCALL_BIT */

static enum shim_call shim_call;

static void	shim_usr2(int);
static void	shim_init(void) __attribute__((constructor));

/* The call. */
static void
shim_usr2(int sig)
{
	int p[2];

	(void)sig;
	switch (shim_call) {
	case SHIM_X32:
		(void)syscall(SHIM_X32_BIT | SYS_getpid);
		break;
	case SHIM_SETOWN:
	case SHIM_ASYNC:
		if (pipe2(p, O_NONBLOCK) == -1)
			break;
		if (shim_call == SHIM_SETOWN)
			(void)fcntl(p[0], F_SETOWN, 1);
		else
			(void)fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
		(void)close(p[0]);
		(void)close(p[1]);
		break;
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
	else if (c != NULL && strcmp(c, "x32") == 0)
		shim_call = SHIM_X32;
	else if (c != NULL && strcmp(c, "fcntl-setown") == 0)
		shim_call = SHIM_SETOWN;
	else if (c != NULL && strcmp(c, "fcntl-async") == 0)
		shim_call = SHIM_ASYNC;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shim_usr2;
	(void)sigaction(SIGUSR2, &sa, NULL);
}
