/* SPDX-License-Identifier: ISC */
/*
 * report_print: what the page's and the JSON document's files share:
 * escaping for the page, text that keeps to 80 columns, the histogram's
 * rows and the configuration's findings, computed once for both forms.
 */
#ifndef DAYTIMED_REPORT_PRINT_H
#define DAYTIMED_REPORT_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/record.h"
#include "audit/report_int.h"

/* room for report_print_esc's output */
#define REPORT_ESC	(4 * REPORT_KEY_MAX + sizeof(RECORD_CUT_MARK) + 3)

/* The histogram's unit. */
enum report_unit {
	REPORT_HOUR,
	REPORT_DAY,
	REPORT_MONTH,
	REPORT_YEAR
};

/* One histogram row: a local hour, day, month or year. */
struct report_hist_row {
	int64_t		 key;		/* YYYYMMDDHH, YYYYMMDD, YYYYMM, YYYY */
	long		 off;		/* an hour's UTC offset, seconds */
	uint64_t	 n[REPORT_NDEC];
};

/* A histogram row's label for the page, or for JSON. */
enum report_label {
	REPORT_LABEL_PAGE,	/* "YYYY-MM-DD HH:00" */
	REPORT_LABEL_OFF,	/* "YYYY-MM-DD HH:00 +HHMM" */
	REPORT_LABEL_JSON	/* "YYYY-MM-DDTHH:00:00+HH:MM" */
};

#define REPORT_EPOCHS_SHOWN	50	/* epoch rows on the page */

/* What verify says of an epoch's origin (enum verify_auth), a word. */
const char *report_print_auth(int auth);
/* Bytes as the page shows them (record_escape) in buf[REPORT_ESC]. */
const char *report_print_esc(char *buf, const char *s, size_t len);
/* A syslog header's host name likewise, "-" for none (verify's name). */
const char *report_print_host(char *buf, const char *s, size_t len);
/* Text after a row's numbers, kept to width columns; the new column. */
int	report_print_text(FILE *, int width, int col, int indent,
	    const char *s);
/* The time form for first/last columns (report_time_format's fmt). */
int	report_print_tform(const struct report *);
/* A top list of one table. -1: out of memory. */
int	report_print_top(FILE *, int width, struct report_table *, size_t top,
	    int tf,
	    const char *title, const char *what, const char *empty);
/* The "others" row under the first `shown` of v (n sorted entries). */
void	report_print_others(FILE *, const struct report_table *,
	    struct report_entry **v, size_t n, size_t shown);

/*
 * The histogram: *rows (the caller frees), *n of them, in *unit, the
 * unit that keeps it to a page: hours up to 48, days up to 62, months
 * up to 120, else years. -1: out of memory.
 */
int	report_hist_rows(struct report *, struct report_hist_row **rows,
	    size_t *n, enum report_unit *unit);
/*
 * A row's label: an hour as the form says, else "YYYY-MM-DD", "YYYY-MM"
 * or "YYYY".
 */
void	report_hist_label(char *buf, size_t len,
	    const struct report_hist_row *, enum report_unit,
	    enum report_label);
/* The histogram section. -1: out of memory. */
int	report_print_hist(FILE *, struct report *);

/* The ident names section. -1: out of memory. */
int	report_print_names(FILE *, struct report *);
/* ASCII text as a JSON string. */
void	report_json_str(FILE *, const char *);
/* Bytes from a record as a JSON string: record_escape, then JSON. */
void	report_json_bytes(FILE *, const char *, size_t);
/* A host name as a JSON string: report_print_host, then JSON. */
void	report_json_host(FILE *, const char *, size_t);

/*
 * Whether a (netblock, name) claimed is a user rule's name; with
 * netblock only (name NULL): whether the netblock has user rules.
 */
int	report_config_user(struct report *, const char *net, size_t netlen,
	    const char *name, size_t namelen);

#endif
