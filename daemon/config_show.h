/* SPDX-License-Identifier: ISC */
/*
 * config_show: daytimed -T, the effective configuration as text that -t
 * accepts back. Every setting of the directive table with its value,
 * defaults included, each line ending in a comment that says where it
 * came from (FILE:LINE, or "default"); the listen lines; the rules with
 * includes expanded, grouped by netblock, most specific first, the "*"
 * rule of a netblock before its user rules.
 */
#ifndef DAYTIMED_CONFIG_SHOW_H
#define DAYTIMED_CONFIG_SHOW_H

#include <stdint.h>
#include <stdio.h>

#include "daemon/config.h"

/*
 * Write conf to out; -1 when out of memory or out failed. *written (if
 * not NULL): the bytes written.
 */
int	config_show(const struct config *, FILE *out, uint64_t *written);

#endif
