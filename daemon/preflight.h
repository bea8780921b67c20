/* SPDX-License-Identifier: ISC */
/*
 * preflight: what would stop a start, or a reload, found before starting
 * and by -t, which runs the very same checks: the run user (an unknown
 * user or group, root with no user), the files the configuration read
 * judged for that user (trust.h), the chroot directory, the audit key,
 * the syslog socket's path, and the pidfile's place. Each is an error
 * with the FILE:LINE of its directive.
 */
#ifndef DAYTIMED_PREFLIGHT_H
#define DAYTIMED_PREFLIGHT_H

#include <sys/types.h>

#include <stddef.h>

#include "daemon/config.h"

#define PREFLIGHT_FILES	0	/* only the files: -e, -T, -r */
#define PREFLIGHT_START	1	/* everything a start needs: run, -t */
#define PREFLIGHT_INETD	2	/* the same for -i, which has no pidfile */

/*
 * Check conf for a start by this process (its effective user tells
 * whether it is started as root); the files it was read from are
 * preflight_load's to judge. Errors and warnings go to diag; returns the
 * number of errors.
 */
size_t	preflight(const struct config *, int what, config_diag_fn *, void *);

/*
 * The one way a start, -t, -T, -e, -r and -i read the configuration:
 * file loaded with config_load_flags (flags), every file on the way
 * judged for the run user (a refusal is the error of the directive that
 * names the file, at its line, as on reload, also when the configuration
 * has other errors), pidfile (-p, or NULL) put in place of the
 * configuration's, then preflight(what). The configuration, or NULL
 * when anything was an error (each reported through diag).
 */
struct config *preflight_load(const char *file, unsigned flags, int what,
	    const char *pidfile, config_diag_fn *, void *);

#endif
