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
 * another name, which the filter refuses; "socket-packet" and
 * "socket-netlink", a socket of a family the engine never needs, which
 * kills it; "fork", a raw clone without CLONE_THREAD (a process, not a
 * thread), which kills it too; "openat-cwd", openat(AT_FDCWD,
 * "/etc/passwd"), which the filter answers EACCES: the shim writes the
 * outcome on stderr ("seccomp_shim: openat-cwd: errno 13", or
 * "...: opened" if it got a descriptor), which a foreground daemon
 * keeps. The daemon itself has no such trigger.
 */
#define _GNU_SOURCE 1 /* pipe2 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

enum shim_call { SHIM_PTRACE, SHIM_TGKILL_OTHER, SHIM_TGKILL_SELF,
	SHIM_X32, SHIM_SETOWN, SHIM_ASYNC, SHIM_PACKET, SHIM_NETLINK,
	SHIM_FORK, SHIM_OPENAT };

/* DT_SHIM_CALL's words, in the order of enum shim_call. */
static const char *const shim_names[] = { "ptrace", "tgkill-other",
	"tgkill-self", "x32", "fcntl-setown", "fcntl-async", "socket-packet",
	"socket-netlink", "fork", "openat-cwd" };

#define SHIM_X32_BIT	0x40000000L	/* __X32_SYSCALL_BIT */

static enum shim_call shim_call;

static void	shim_say(int, int);
static void	shim_usr2(int);
static void	shim_init(void) __attribute__((constructor));

/*
 * The outcome of openat-cwd on stderr, formatted by hand: this runs in
 * a signal handler.
 */
static void
shim_say(int fd, int err)
{
	static const char pre[] = "seccomp_shim: openat-cwd: ";
	char b[64], num[12];
	size_t n = sizeof(pre) - 1, k = 0;

	memcpy(b, pre, n);
	if (fd != -1) {
		memcpy(b + n, "opened\n", 7);
		n += 7;
	} else {
		memcpy(b + n, "errno ", 6);
		n += 6;
		do
			num[k++] = (char)('0' + err % 10);
		while ((err /= 10) > 0 && k < sizeof(num));
		while (k > 0)
			b[n++] = num[--k];
		b[n++] = '\n';
	}
	while (write(STDERR_FILENO, b, n) == -1 && errno == EINTR)
		continue;
}

/* The call. */
static void
shim_usr2(int sig)
{
	int p[2], fd, err, saved = errno;

	(void)sig;
	switch (shim_call) {
	case SHIM_PACKET:
		/* AF_PACKET: as the run user EPERM, if the filter let it by */
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd != -1)
			(void)close(fd);
		break;
	case SHIM_NETLINK:
		fd = socket(AF_NETLINK, SOCK_RAW, 0);
		if (fd != -1)
			(void)close(fd);
		break;
	case SHIM_FORK:
		/* flags SIGCHLD alone, no new stack: fork(2) as a raw clone */
		if (syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L) == 0)
			(void)syscall(SYS_exit_group, 0);	/* the child */
		break;
	case SHIM_OPENAT:
		fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/passwd",
		    O_RDONLY | O_CLOEXEC);
		err = errno;
		shim_say(fd, err);
		if (fd != -1)
			(void)close(fd);
		break;
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
	errno = saved;	/* the interrupted code's */
}

/* Before main: the call, and the handler (the daemon leaves SIGUSR2). */
static void
shim_init(void)
{
	struct sigaction sa;
	const char *c = getenv("DT_SHIM_CALL");
	size_t i;

	for (i = 0; c != NULL && i < sizeof(shim_names) /
	    sizeof(shim_names[0]); i++)
		if (strcmp(c, shim_names[i]) == 0)
			shim_call = (enum shim_call)i;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shim_usr2;
	(void)sigaction(SIGUSR2, &sa, NULL);
}
