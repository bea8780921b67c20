/* SPDX-License-Identifier: ISC */
/*
 * seccomp_shim: an LD_PRELOAD library for test_trust.py only, never
 * installed. On SIGUSR2 the process calls ptrace(PTRACE_TRACEME), which
 * the engine's filter does not allow: the test sees the engine die by
 * SIGSYS and the monitor say so. The daemon itself has no such trigger.
 */
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static void	shim_usr2(int);
static void	shim_init(void) __attribute__((constructor));

/* The forbidden call. */
static void
shim_usr2(int sig)
{
	(void)sig;
	(void)syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
}

/* Before main: the handler (the daemon leaves SIGUSR2 alone). */
static void
shim_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shim_usr2;
	(void)sigaction(SIGUSR2, &sa, NULL);
}
