/* SPDX-License-Identifier: ISC */
/* report_cmd: `daytimed-audit report` (see report_cmd.c). */
#ifndef DAYTIMED_REPORT_CMD_H
#define DAYTIMED_REPORT_CMD_H

/* Run the report command; argv[0] is "report". Returns the exit status. */
int	report_cmd(int argc, char **argv);

#endif
