/* SPDX-License-Identifier: ISC */
/*
 * report: the auditor's page, `daytimed-audit report`. Reads syslog
 * lines, keeps counts of what the records say (in memory bounded by the
 * keys kept, never by the records read), and prints them as one page of
 * text or one JSON document.
 *
 *   report.c         one line in: find the record, parse it, count it
 *   report_table.c   bounded counting by key (rules, sources, names)
 *   report_time.c    time stamps, the year of RFC 3164 stamps, local hours
 *   report_config.c  the configuration's rules, from `daytimed -T`
 *   report_print.c   the page; report_json.c the JSON document
 *   report_cmd.c     the command: options, files, the verifier
 *
 * Nothing here reads files or prints except report_print/report_json
 * (to a FILE the caller gives) and report_cmd.
 */
#ifndef DAYTIMED_REPORT_H
#define DAYTIMED_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_CAP_DEFAULT	10000	/* keys kept per table */
#define REPORT_CAP_MIN		16
#define REPORT_CAP_MAX		1000000
#define REPORT_TOP_DEFAULT	10	/* rows of each top list on the page */
#define REPORT_WIDTH_DEFAULT	80	/* the page's columns */
#define REPORT_WIDTH_MIN	79	/* what logwatch's indent leaves */
#define REPORT_WIDTH_MAX	250
#define REPORT_LINE_MAX		65536	/* bytes of a line looked at */

struct report;

struct report_opts {
	int64_t		 now_us;	/* the year of RFC 3164 stamps */
	int64_t		 since_us;	/* REPORT_TIME_NONE: no bound */
	int64_t		 until_us;	/* exclusive; REPORT_TIME_NONE: none */
	size_t		 cap;		/* keys kept per table */
	size_t		 top;		/* rows per top list on the page */
	int		 width;		/* the page's columns */
};

/* One host as the verifier saw it. */
struct report_check_host {
	char		*name;		/* "" for lines without a header */
	size_t		 epochs;
	size_t		 records;
	size_t		 verified;
	unsigned long	 findings;
	size_t		 unauthenticated;	/* epochs no --host-key signed */
	size_t		 first_ep;	/* its first epoch; SIZE_MAX: none */
};

/* One epoch (a run of the daemon) as the verifier saw it. */
struct report_check_epoch {
	char		 id[17];
	size_t		 host;		/* index into hosts */
	size_t		 records;
	size_t		 verified;
	unsigned long	 findings;
	int		 opened;	/* the secret key opened it */
	int		 stopped;	/* its stop record verified */
	int		 unclean;	/* ended uncleanly, as a :run link says */
	int		 running;	/* its host's last, open (--running) */
	int		 auth;		/* enum verify_auth */
	char		*signer;	/* the --host-key file that signed it */
	size_t		 next_ep;	/* its host's next epoch; SIZE_MAX: none */
};

/* What the chain verifier found, for the top of the page. */
struct report_check {
	int		 keyed;		/* a secret key was given */
	size_t		 hostkeys;	/* --host-key files given */
	size_t		 records;	/* sealed records read */
	size_t		 epochs;
	size_t		 verified;
	unsigned long	 findings;
	unsigned long	 warnings;
	int		 key_mismatch;	/* the key opened no epoch */
	int		 secret_is_public;	/* --secret-key is the public key */
	size_t		 unauthenticated;	/* epochs no --host-key signed */
	size_t		 unclean;	/* epochs ended without a stop record,
					 * as a later :run link says */
	size_t		 running;	/* hosts' last epochs still open,
					 * allowed by --running */
	size_t		 unsealed;	/* daytimed records without chain
					 * fields */
	char		**text;		/* the first findings, escaped */
	size_t		 ntext;
	struct report_check_host  *hosts;
	size_t		 nhosts;
	struct report_check_epoch *ep;
	size_t		 nep;
};

/* A report over opts; NULL: out of memory. */
struct report *report_new(const struct report_opts *);
void	report_free(struct report *);
/*
 * Read one syslog line (without its line end) of file (a name that
 * outlives the report) at lineno; cut says the line was longer than
 * REPORT_LINE_MAX and this is its start. -1: out of memory.
 */
int	report_line(struct report *, const char *file, unsigned long lineno,
	    const char *line, size_t len, int cut);
/* The verifier's result, shown at the top (the report keeps check). */
void	report_set_check(struct report *, struct report_check *check);
/* Print the page (80 columns) to f. -1: out of memory or write error. */
int	report_print(struct report *, FILE *f);
/* Print the JSON document to f. -1: out of memory or write error. */
int	report_json(struct report *, FILE *f);

#endif
