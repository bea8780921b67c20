/* SPDX-License-Identifier: ISC */
/*
 * verify_cmd: `daytimed-audit verify` (see verify_cmd.c for its exit
 * status). Part of the daytimed-audit program only: it prints.
 */
#ifndef DAYTIMED_VERIFY_CMD_H
#define DAYTIMED_VERIFY_CMD_H

/* Run verify with its arguments (argv[0] is "verify"); the exit status. */
int	verify_cmd(int argc, char **argv);

#endif
