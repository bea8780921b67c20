/* SPDX-License-Identifier: ISC */
/*
 * report_config: the configuration's rules for the report (--config),
 * read from `daytimed -T` (report_config.c says why), and what the
 * traffic shows about them.
 */
#ifndef DAYTIMED_REPORT_CONFIG_H
#define DAYTIMED_REPORT_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "audit/record_parse.h"

#define REPORT_CONF_RULES_MAX	1000000	/* rules checked; the rest counted */

struct report;

/* One rule of the configuration, as -T shows it (unescaped). */
struct report_crule {
	char		 rule[1024];	/* FILE:LINE */
	size_t		 rulelen;
	char		 net[64];	/* the netblock, as the records write it */
	size_t		 netlen;
	char		 user[512];
	size_t		 userlen;
	int		 has_user;
	int		 deny;
};

/*
 * One line of -T's output (s, len, no newline): 1 a rule, in *out; 0 a
 * line of another kind; -1 an allow or deny line that does not read.
 */
int	report_config_line(const char *s, size_t len, struct report_crule *out);
/*
 * Run `daytimed -T -c file` (daytimed: the program's path) and pin its
 * rules in the report; when it fails, the report keeps why. -1 only when
 * out of memory.
 */
int	report_config_load(struct report *, const char *daytimed,
	    const char *file);
/* The dead-rules section of the page. -1: out of memory. */
int	report_print_config(FILE *, struct report *);
/* The same as the JSON document's "config" member. -1: out of memory. */
int	report_json_config(FILE *, struct report *);

#endif
