/* SPDX-License-Identifier: ISC */
/*
 * report_int: what the report's own files share (report.c counts,
 * report_config.c adds the configuration, report_print.c and
 * report_json.c show it). Not for other modules: they use report.h.
 */
#ifndef DAYTIMED_REPORT_INT_H
#define DAYTIMED_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "audit/report.h"
#include "audit/report_table.h"
#include "audit/report_time.h"

#define REPORT_SHOWN		5	/* unparsed lines quoted on the page */
#define REPORT_SHOWN_TEXT	120	/* bytes of each quoted line */
#define REPORT_SMALL_CAP	64	/* keys kept of small tables */
#define REPORT_WHY_MAX		512	/* why the rule section is missing */

/* n[] of rules, netblocks and hours: the decisions, then "by default". */
enum report_dec {
	REPORT_ALLOW,
	REPORT_DENY,
	REPORT_DROP,
	REPORT_DEFAULT,		/* rule=default: the deny nothing asked for */
	REPORT_NDEC = 3
};

/* Protocol and address family of a record. */
enum report_path {
	REPORT_TCP4,
	REPORT_TCP6,
	REPORT_UDP4,
	REPORT_UDP6,
	REPORT_NPATH
};

/* ident_status values, in the page's order; error:TYPE has a table too. */
enum report_status {
	REPORT_ST_OK,
	REPORT_ST_ERROR,
	REPORT_ST_TIMEOUT,
	REPORT_ST_REFUSED,
	REPORT_ST_UNREACHABLE,
	REPORT_ST_MALFORMED,
	REPORT_ST_SKIPPED,
	REPORT_ST_OTHER,
	REPORT_NSTATUS
};

/* flags of a pinned (configuration) entry */
#define REPORT_F_CONFIG		0x1	/* from the configuration */
#define REPORT_F_DENY		0x2	/* a deny rule (else allow) */
#define REPORT_F_USER		0x4	/* a rule with user NAME */

/* A line that looked like a record and did not parse. */
struct report_bad {
	const char	*file;
	unsigned long	 line;
	const char	*why;
	int		 cut;		/* text is the start of the record */
	char		 text[REPORT_SHOWN_TEXT * 4 + 16];	/* escaped */
};

/*
 * The configuration's side: its rules from `daytimed -T` (report_config.c),
 * or why they are missing. The rules are kept as text, one after the
 * other: "a" or "d", then FILE:LINE, NETBLOCK and USER ("" for none),
 * each ended by a NUL.
 */
struct report_conf {
	const char	*file;		/* --config FILE; NULL: none given */
	int		 ok;		/* its rules were read */
	char		 why[REPORT_WHY_MAX];	/* !ok: why not (escaped) */
	size_t		 rules;		/* rules read */
	size_t		 dropped;	/* rules past the cap, not checked */
	size_t		 unread;	/* allow/deny lines that did not read */
	char		*text;
	size_t		 textlen;
	size_t		 textcap;
};

struct report {
	struct report_opts	 o;
	struct report_clock	 clock;
	uint64_t		 lines;
	uint64_t		 records;	/* connection records counted */
	uint64_t		 events;	/* event records counted */
	uint64_t		 outside;	/* records outside --since/--until */
	uint64_t		 undated;	/* records without a time */
	uint64_t		 undated_skipped;	/* ... left out for that */
	uint64_t		 unparsed;
	struct report_bad	 bad[REPORT_SHOWN];
	uint64_t		 unknown;	/* records with unknown keys */
	uint64_t		 sealed;	/* records with chain fields */
	int64_t			 first_us;
	int64_t			 last_us;
	uint64_t		 totals[REPORT_NPATH][REPORT_NDEC];
	uint64_t		 status[REPORT_NSTATUS];
	struct report_table	*rules;		/* RULE \0 NETBLOCK, n[] by dec */
	struct report_table	*nets;		/* NETBLOCK, n[] by dec */
	struct report_table	*denied_src;	/* ADDR */
	struct report_table	*denied_net;	/* NETBLOCK, "" for none */
	struct report_table	*drops;		/* LIMIT \0 ADDR */
	struct report_table	*limits;	/* LIMIT */
	struct report_table	*names;		/* NETBLOCK \0 NAME (ident ok) */
	struct report_table	*named;		/* NETBLOCK: ok answers */
	struct report_table	*errtypes;	/* TYPE of error:TYPE */
	struct report_table	*ukeys;		/* unknown keys */
	struct report_table	*evnames;	/* event=NAME */
	struct report_table	*hours;		/* YYYYMMDDHH+HHMM, n[] by dec */
	struct report_table	*users;		/* NETBLOCK \0 NAME: user rules */
	struct report_table	*hosts;		/* HOST ("" for none), n[] by dec */
	int64_t			 hour_key;	/* the last hour counted ... */
	long			 hour_off;	/* ... its UTC offset ... */
	struct report_entry	*hour_e;	/* ... and its entry */
	struct report_offsets	 offs;		/* of the hours counted */
	struct report_conf	 conf;
	struct report_check	*check;
};

/* a NUL b into key[cap] (each cut to fit); the key's length. */
size_t	report_join(char *key, size_t cap, const char *a, size_t al,
	    const char *b, size_t bl);
/* The part of a NUL-joined key before (i 0) or after (i 1) the NUL. */
const char *report_key_part(const struct report_entry *, int i, size_t *len);
/*
 * Groups of a sorted table whose keys are "GROUP \0 ITEM": the next entry
 * of v[*j..n) in group k, its ITEM in (*s, *sl), *j past it; NULL when
 * there is none.
 */
struct report_entry *report_group_next(struct report_entry **v, size_t n,
	    size_t *j, const char *k, size_t kl, const char **s, size_t *sl);
/* A certain count: what the table is sure of for e. */
uint64_t report_sure(const struct report_entry *);

#endif
