/* SPDX-License-Identifier: ISC */
/*
 * life_lock: the lock file beside the pidfile (life_beside ".lock"),
 * whose flock decides whether a daemon runs; life.c's, for the pidfile.
 */
#ifndef DAYTIMED_LIFE_LOCK_H
#define DAYTIMED_LIFE_LOCK_H

#include <stddef.h>

/*
 * Open (creating, unless probe) and, unless probe, flock the lock file at
 * path, kept until life_lock_drop: 0 (locked; with probe: nothing there,
 * or a file a start could lock), 1 held by another daemon, -1 and why in
 * err.
 */
int	life_lock_take(const char *path, int probe, char *err, size_t errlen);
/*
 * Whether another process holds the lock file at path (a daemon running
 * or starting): 1, else 0. Asked only when a pidfile holds no pid yet.
 */
int	life_lock_busy(const char *path);
/* Remove the lock file if it is still ours (remove), and let it go. */
void	life_lock_drop(int remove);

#endif
