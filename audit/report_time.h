/* SPDX-License-Identifier: ISC */
/*
 * report_time: when a record happened, and which local hour that was.
 *
 * A record's time is its own time= field when it has one (sealed records:
 * UTC, RFC 3339, inside the MAC), else the syslog header's time stamp:
 *
 *   2026-11-26T10:32:52.123456+01:00 host daytimed[1]: ...  rsyslog's
 *       RSYSLOG_FileFormat, journalctl -o short-iso (+0100), RFC 5424
 *       ("<PRI>1 " first): the time zone is in the stamp;
 *   Nov 26 10:32:52 host daytimed[1]: ...   RFC 3164, rsyslog's
 *       traditional format, journalctl's default: local time of the
 *       machine running the report (TZ), and no year. The year is the
 *       latest one in which that date exists and is not more than a day
 *       in the future of `now` (on Dec 31, "Jan  1" is next year's; on
 *       Jan 1, "Dec 31" is last year's; "Feb 29" is the last leap
 *       year's). A wall time a fall back repeats is read in the first
 *       pass (the offset before), until, in one file, a stamp of that
 *       hour comes more than REPORT_TIME_DISORDER seconds before the
 *       latest one of that hour: it and the rest of that hour's stamps
 *       in the file are the second pass. A wall time a spring forward
 *       skips is read with the offset before it;
 *   journalctl -o cat has no stamp: such records have no time.
 *
 * Parsing is pure over (buffer, length); turning a local date into UTC
 * takes a few localtime_r(3) calls once per local hour seen (struct
 * report_clock keeps the last one), and per stamp only in an hour whose
 * UTC offset changes, so that ten million records cost a handful.
 */
#ifndef DAYTIMED_REPORT_TIME_H
#define DAYTIMED_REPORT_TIME_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_TIME_NONE	INT64_MIN	/* a record without a time */
#define REPORT_TIME_TEXT	32		/* room for any formatted time */
#define REPORT_TIME_DISORDER	60	/* seconds out of order tolerated */

/* What converting local times needs: now, and the last hour converted. */
struct report_clock {
	int64_t		 now_us;
	int		 now_year;
	int64_t		 hdr_key;	/* month, day, hour of the last header */
	int64_t		 hdr_wall;	/* its hour's start as if UTC, seconds */
	long		 hdr_off[2];	/* the offsets before and after it */
	int		 hdr_mixed;	/* the offset changes in that hour */
	int64_t		 hdr_base;	/* else its hour's start, UTC µs */
	const char	*file;		/* the file being read ... */
	unsigned long	 lineno;	/* ... and its last line */
	int64_t		 amb_key;	/* YYYYMMDDHH: the last mixed hour */
	int		 amb_last;	/* its latest stamp, s after HH:00 */
	int		 amb_second;	/* its repeated stamps: second pass */
	int64_t		 loc_start;	/* the last local hour looked up */
	int64_t		 loc_end;
	int64_t		 loc_key;	/* its YYYYMMDDHH */
	long		 loc_off;	/* and its UTC offset, seconds */
};

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t	report_time_days(int y, int m, int d);
/* Days in month m of year y. */
int	report_time_mdays(int y, int m);
/* A clock for "now" (µs since the epoch, UTC). */
void	report_time_clock(struct report_clock *, int64_t now_us);
/*
 * RFC 3339 "YYYY-MM-DDTHH:MM:SS[.F]Z|+HH:MM|+HHMM" in (s, len) exactly:
 * 0 and *us; -1 when malformed or out of range (years 1970..9999).
 */
int	report_time_rfc3339(const char *s, size_t len, int64_t *us);
/*
 * Line lineno of file is read next: a new file (another name, or a line
 * number not past the last) forgets which pass of a repeated hour the
 * last one was in.
 */
void	report_time_file(struct report_clock *, const char *file,
	    unsigned long lineno);
/*
 * The time stamp at the start of a syslog line's header (s, len: the
 * bytes before the record). 0 and *us; -1 when there is none (or an
 * RFC 3164 date that no year near now has, e.g. "Feb 30").
 */
int	report_time_header(struct report_clock *, const char *s, size_t len,
	    int64_t *us);
/*
 * A --since/--until argument: RFC 3339, or "YYYY-MM-DD[ HH:MM[:SS]]"
 * (also with T) in local time. 0 and *us; -1 when malformed.
 */
int	report_time_arg(const char *s, int64_t *us);
/*
 * The local hour of us as YYYYMMDDHH (a number that sorts by time) and
 * its UTC offset in *off (seconds east): a fall back repeats the number.
 */
int64_t	report_time_hour(struct report_clock *, int64_t us, long *off);

#define REPORT_OFFS	4	/* UTC offsets of local hours named */

/* The UTC offsets a report's local hours have had: the first few. */
struct report_offsets {
	long	off[REPORT_OFFS];
	size_t	n;
	int	more;		/* and more than those */
};

/* Add off to the offsets seen, once. */
void	report_offsets_add(struct report_offsets *, long off);
/*
 * us as local time into buf: fmt 0 "YYYY-MM-DD HH:MM:SS", 1 "MM-DD
 * HH:MM", 2 "HH:MM:SS", 3 RFC 3339 with offset; "-" for REPORT_TIME_NONE.
 */
void	report_time_format(char *buf, size_t len, int64_t us, int fmt);
/* The local UTC offset at us as "+HHMM" (what the report's times are in). */
void	report_time_zone(char *buf, size_t len, int64_t us);

#endif
