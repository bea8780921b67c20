/* SPDX-License-Identifier: ISC */
/*
 * verify_cmd: `daytimed-audit verify` (see verify_cmd.c for its exit
 * status). Part of the daytimed-audit program only: it prints.
 */
#ifndef DAYTIMED_VERIFY_CMD_H
#define DAYTIMED_VERIFY_CMD_H

struct verify;

/* Run verify with its arguments (argv[0] is "verify"); the exit status. */
int	verify_cmd(int argc, char **argv);
/*
 * The auditor's secret key file at path into sk (CHAIN_KEY_BYTES); -1,
 * said why on stderr. Shared with report_cmd.c.
 */
int	verify_cmd_secret(const char *path, unsigned char *sk);
/*
 * Trust the host public key of one --host-key, PUBFILE or NAME=PUBFILE
 * (the key of that host name only), for v (auditor: the auditor's public
 * key, to warn when it is given instead); -1, said why on stderr.
 */
int	verify_cmd_hostkey(struct verify *v, const char *arg,
	    const unsigned char *auditor);
/*
 * A line verify_line refused (-2: the input names more epochs or hosts
 * than verify holds): say so on stderr, with where. Shared likewise.
 */
void	verify_cmd_over(const struct verify *v, const char *name,
	    unsigned long lineno);

#endif
