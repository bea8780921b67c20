/* SPDX-License-Identifier: ISC */
/*
 * config_include: include PATTERN, and one file read through the loader
 * and handed to the parse (config_parse_text), for the main file too.
 */
#ifndef DAYTIMED_CONFIG_INCLUDE_H
#define DAYTIMED_CONFIG_INCLUDE_H

#include "daemon/config_parse.h"

/* include PATTERN: relative to the including file; sorted; no loops. */
config_handler_fn config_include;
/*
 * Read name through the parse's loader and parse it; inc is the include
 * line that names it (NULL: the main file).
 */
void	config_include_file(struct config_parse *, const char *name,
	    const struct config_line *inc);

#endif
