/* SPDX-License-Identifier: ISC */
/*
 * conn: the TCP connection state machine, one record per connection:
 * accepted -> limits -> rule lookup -> ident -> decide -> write -> drain
 * -> free. A connection lives on one event loop (struct loop) and keeps
 * the configuration it took until it is freed.
 */
#ifndef DAYTIMED_CONN_H
#define DAYTIMED_CONN_H

#include <sys/socket.h>

#include "daemon/config.h"
#include "daemon/loop.h"

/*
 * Take an accepted connection fd from peer (ss, sslen) on the listen
 * line cl: admitted and judged under the loop's current configuration,
 * or dropped (closed with a reset, recorded) by a limit.
 */
void	conn_new(struct loop *, const struct config_listen *cl, int fd,
	    const struct sockaddr_storage *ss, socklen_t sslen);
/*
 * The stop deadline: lookups still pending are cut and decided as timed
 * out, answers still being written are cut, so every connection still
 * gets its one record; those already recorded (draining) are freed.
 */
void	conn_cut_all(struct loop *);
/*
 * Debugging (-d, -v): every ident exchange is logged at debug, its bytes
 * escaped. Before the loops start.
 */
void	conn_debug(void);
/* Free every connection of the loop, without records (teardown). */
void	conn_free_all(struct loop *);

#endif
