/* SPDX-License-Identifier: ISC */
/*
 * engine: everything that touches a client. Listeners, accept, the
 * connection state machine (limits, rules, ident, answer, audit), UDP,
 * reload swaps and signals, on one libevent loop.
 */
#ifndef DAYTIMED_ENGINE_H
#define DAYTIMED_ENGINE_H

#include "daemon/config.h"

#define ENGINE_WORKERS_MAX	64	/* event loops at most */

struct audit;
struct engine;

/*
 * Where a reload gets the configuration's bytes: a loader valid for one
 * config_load on the reload thread (the disk, or the monitor's bundle),
 * released by put.
 */
struct engine_source {
	int	(*get)(void *arg, struct config_loader *, char *err, size_t);
	void	(*put)(void *arg, struct config_loader *);
	void	*arg;
};

/*
 * Open the listen sockets of conf while still privileged: one per listen
 * line for each worker (fds[w * nlistens + i]), or the sockets systemd
 * passed (inherited, shared by the workers). Returns how many entries of
 * fds it filled, 0 on error (already logged). maxfds bounds fds.
 */
size_t	engine_listen(const struct config *, int *fds, size_t maxfds,
	    const int *inherited, size_t ninherited);
/* Close what engine_listen opened, each socket once. */
void	engine_close_fds(int *fds, size_t n);
/*
 * The datagram path's judgment of a source: NULL and the rules' decision
 * in *d, or the name of the limit that drops it. Pure.
 */
const char *engine_udp_judge(const struct config *, const struct sockaddr *,
	    socklen_t, struct acl_addr *, struct acl_decision *);
/* Take the configuration, the sockets engine_listen opened and the audit
 * state; build the loops. */
struct engine *engine_new(struct config *, const int *fds, size_t nfds,
	    struct audit *,
	    const struct engine_source *);
/* Run until TERM or INT; returns the exit status. */
int	engine_run(struct engine *);
void	engine_free(struct engine *);

#endif
