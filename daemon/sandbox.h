/* SPDX-License-Identifier: ISC */
/*
 * sandbox: the engine's system call filter (seccomp, built with
 * libseccomp). Once started, the engine only serves: it accepts, reads
 * and writes sockets, waits in epoll, logs (and reconnects to syslog),
 * looks up ident (a socket, bind, connect), allocates, draws random
 * bytes, runs threads (workers, reloads, frees, the audit state's
 * writer) and saves the audit state. Any other call
 * kills the whole engine (SECCOMP_RET_KILL_PROCESS, or SECCOMP_RET_TRAP
 * where a service manager's own filter hides the former from libseccomp)
 * and the monitor logs "engine killed by seccomp (SIGSYS)". open(2), and
 * openat(2) or unlinkat(2) with AT_FDCWD, fail with EACCES instead: the
 * engine opens by name only the audit state, relative to the directory
 * it opened before the chroot (sandbox.c), and a library that tries to
 * open a file must not take the service down. "seccomp off" turns
 * the filter off; so does a build with AddressSanitizer, whose runtime
 * makes calls of its own (see sandbox.c).
 */
#ifndef DAYTIMED_SANDBOX_H
#define DAYTIMED_SANDBOX_H

#include <stddef.h>

/* Whether this build can filter (0: built with a sanitizer). */
int	sandbox_available(void);
/*
 * Install the filter on the engine (on 0: do nothing), before it starts
 * any thread: they inherit it. 0, or -1 and a message in err.
 */
int	sandbox_engine(int on, char *err, size_t errlen);
/*
 * sandbox_engine, then one log line saying whether the filter is on
 * (and why not): 0, or -1 with the reason logged.
 */
int	sandbox_start(int on);

#endif
