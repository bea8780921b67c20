/* SPDX-License-Identifier: ISC */
/*
 * logfiles_cmd: the log files named on a command line, as verify and
 * report read them (audit/logfiles.h). Part of the daytimed-audit program
 * only: it prints.
 */
#ifndef DAYTIMED_LOGFILES_CMD_H
#define DAYTIMED_LOGFILES_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "audit/logfiles.h"

/*
 * The files of argv[0..argc) in reading order into *out (the caller
 * frees it), *nout of them: standard input for "-" (read once) or when
 * there are none; the same file named twice read once, with a warning
 * on stderr; the order, when it is not the one given, said on note. -1:
 * a file that cannot be found, or no memory, said on stderr.
 */
int	logfiles_cmd(int argc, char **argv, FILE *note,
	    struct logfiles_file **out, size_t *nout);

#endif
