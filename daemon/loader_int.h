/* SPDX-License-Identifier: ISC */
/*
 * loader_int: what loader.c (the disk loader, the recorded bundle) and
 * loader_wire.c (the bundle on the wire, served to the parser) share,
 * and nobody else uses.
 */
#ifndef DAYTIMED_LOADER_INT_H
#define DAYTIMED_LOADER_INT_H

#include <stddef.h>

#include "daemon/config_parse.h"
#include "daemon/loader.h"

#define LOADER_HEADER		8	/* magic, count */
#define LOADER_ENTRY_HEADER	25	/* kind, name length, id, data length */

/* Free n names and the array. */
void	loader_names_free(char **names, size_t n);
/*
 * Append an entry, counted against the bundle's max; LOADER_FULL past
 * it, once (its room is in LOADER_WIRE_MAX). 0, or -1: not added.
 */
int	loader_bundle_put(struct loader_bundle *, enum loader_kind,
	    const char *name, const struct config_file_id *, const char *data,
	    size_t len);

#endif
