/* SPDX-License-Identifier: ISC */
/*
 * explain: daytimed -e. The decision the rules of a configuration make
 * for a peer, as one line: "allow|deny rule=FILE:LINE|default
 * netblock=NET|none ident=lookup|none". For one ADDR [USER] from the
 * command line, or for each such line read from a stream (-e -).
 */
#ifndef DAYTIMED_EXPLAIN_H
#define DAYTIMED_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

#include "daemon/config.h"

#define EXPLAIN_LINE_MAX	1024	/* longest "ADDR [USER]" line read */

/* The exit status of -e (daytimed(8), EXIT STATUS). */
enum explain_status {
	EXPLAIN_ALLOW = 0,	/* allow (every line: -e -) */
	EXPLAIN_DENY = 1,	/* deny (some line, and no bad line: -e -) */
	EXPLAIN_ERROR = 2	/* a bad address or line; no configuration */
};

/* What a run of queries has warned about, so each warning comes once. */
struct explain_warned {
	int	user_unused;	/* a USER given where no lookup is made */
};

/*
 * Explain the peer addr (text), with the ident answer user (NULL: none),
 * as the daemon would, or as -i would when inetd is 1: the decision line
 * on out, a warning (once per kind) on err. A bad
 * address gets "error: ..." on out instead, and EXPLAIN_ERROR.
 */
enum explain_status explain_one(const struct config *, int inetd,
	    const char *addr, size_t addrlen, const unsigned char *user,
	    size_t userlen, struct explain_warned *, FILE *out, FILE *err);
/*
 * -e -: one "ADDR [USER]" query per line of in, one output line each
 * (an error line for a line that is not one). The worst status of all.
 */
enum explain_status explain_stream(const struct config *, int inetd,
	    FILE *in, FILE *out, FILE *err);

#endif
