/* SPDX-License-Identifier: ISC */
/*
 * inetd: daytimed -i, one process per service request under a super
 * server (openbsd-inetd, xinetd, tcpserver, systemd Accept=yes). The
 * socket is standard input (or the one socket of LISTEN_FDS): a TCP
 * connection ("nowait") is judged, looked up, answered and recorded as
 * the daemon does, and the process exits; a datagram socket ("wait") is
 * served until it has been idle INETD_IDLE_SECS. Standard output and
 * standard error, which inetd makes the socket too, are never written
 * to then: messages go to syslog.
 */
#ifndef DAYTIMED_INETD_H
#define DAYTIMED_INETD_H

#define INETD_IDLE_SECS	10	/* a datagram socket's idle time before exit */

/*
 * Load the configuration at file (no listen line needed), start as the
 * daemon would (user, chroot, syslog, audit key) and serve the socket.
 * debug: -d. Returns the exit status.
 */
int	inetd_main(const char *file, int debug);

#endif
