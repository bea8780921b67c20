/* SPDX-License-Identifier: ISC */
/*
 * listen: the listening sockets, opened while still privileged. For each
 * listen line every worker gets a socket of its own, bound with
 * SO_REUSEPORT, or all workers share one socket that a service manager
 * passed. Inetd mode (-i) has no listen set: inetd.c serves the one
 * socket inetd hands over itself. A struct
 * listen_set holds them with a copy of the lines they serve; its users ask
 * for worker w's socket of line i and never see how they are laid out.
 */
#ifndef DAYTIMED_LISTEN_H
#define DAYTIMED_LISTEN_H

#include <sys/socket.h>

#include <stddef.h>

#include "daemon/config.h"

struct listen_set;

/*
 * Open the sockets of conf's listen lines for nworkers event loops, or
 * take them from the inherited sockets (systemd's), closing any of those
 * that no line names. NULL on error, already logged.
 */
struct listen_set *listen_open(const struct config *, unsigned nworkers,
	    const int *inherited, size_t ninherited);
/* How many event loops the set has sockets for. */
unsigned listen_workers(const struct listen_set *);
/* How many listen lines it serves. */
size_t	listen_lines(const struct listen_set *);
/* Line i as it was configured (the set's own copy). */
const struct config_listen *listen_line(const struct listen_set *, size_t i);
/* Whether line i is served by one passed socket that every worker shares. */
int	listen_inherited(const struct listen_set *, size_t i);
/* Worker w's socket for line i, or -1 once closed. */
int	listen_fd(const struct listen_set *, unsigned w, size_t i);
/* True when line i is one socket a service manager passed, shared by all. */
int	listen_shared(const struct listen_set *, size_t i);
/*
 * Seal worker w's own stream sockets before it stops: the kernel drops
 * every packet they would take (a socket filter), so no handshake can
 * complete into a queue that close() would reset. A client whose SYN is
 * dropped retries and finds the port closed (refused); the clients already
 * queued stay there to be accepted. Shared sockets are left alone. Best
 * effort: where the kernel refuses (some want CAP_NET_ADMIN) it says so
 * at debug level, and the socket is closed as before.
 */
void	listen_seal_worker(struct listen_set *, unsigned w);
/*
 * A reload changed proxy timeout: set worker w's own proxy sockets'
 * TCP_DEFER_ACCEPT from conf, as at startup (a passed socket keeps the
 * service manager's). A failure is logged.
 */
void	listen_defer_worker(struct listen_set *, unsigned w,
	    const struct config *);
/*
 * Close worker w's own sockets (a worker that could not start, or the
 * engine stopping: the kernel would feed them clients nobody takes).
 * Shared sockets stay open.
 */
void	listen_close_worker(struct listen_set *, unsigned w);
/* Close worker w's own socket for line i (shared: left open). */
void	listen_close_line(struct listen_set *, unsigned w, size_t i);
/*
 * Whether line (AF_INET or AF_INET6) and sock have the same family, port
 * and address; with wild, the line's wildcard address matches any.
 */
int	listen_addr_match(const struct sockaddr_storage *line,
	    const struct sockaddr_storage *sock, int wild);
/*
 * Ask a datagram socket of family (AF_INET or AF_INET6) for each
 * datagram's packet info. An AF_INET6 socket that also takes IPv4 (not
 * v6-only) gets IP_PKTINFO too: only it tells a subnet's broadcast apart.
 */
int	listen_pktinfo_fd(int fd, int family);
/* Close every socket, each once, and free the set. */
void	listen_free(struct listen_set *);

#endif
