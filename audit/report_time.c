/* SPDX-License-Identifier: ISC */
/*
 * report_time: time stamps of records and syslog headers, and local
 * hours (see report_time.h for the layouts and the year assumption).
 * Calendar arithmetic is done here for UTC (days from a civil date), so
 * that only local times need the C library.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/report_time.h"

#define US		1000000LL
#define DAY_US		(86400LL * US)

static int	report_time_num(const char *, size_t, int, int, int *);
static int	report_time_month(const char *);
static int64_t	report_time_local(int, int, int, int, int, int, int *);
static long	report_time_off(int64_t);
static int	report_time_hour3164(struct report_clock *, int, int, int);
static int64_t	report_time_pass(struct report_clock *, int64_t, int);
static int	report_time_3164(struct report_clock *, const char *, size_t,
		    int64_t *);

/* A clock for now_us. */
void
report_time_clock(struct report_clock *c, int64_t now_us)
{
	struct tm tm;
	time_t t = (time_t)(now_us / US);

	memset(c, 0, sizeof(*c));
	c->now_us = now_us;
	c->now_year = localtime_r(&t, &tm) != NULL ? tm.tm_year + 1900 : 1970;
	c->hdr_key = -1;
	c->amb_key = -1;
	c->loc_start = c->loc_end = 0;
	c->loc_key = -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t
report_time_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Days in month m of year y. */
int
report_time_mdays(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return m >= 1 && m <= 12 ? mdays[m - 1] : 30;
}

/* Exactly n decimal digits at s, between lo and hi. */
static int
report_time_num(const char *s, size_t n, int lo, int hi, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* RFC 3339 in (s, len) exactly, to µs UTC. */
int
report_time_rfc3339(const char *s, size_t len, int64_t *us)
{
	int y, mo, d, h, mi, sec, oh, om, sign;
	int64_t frac = 0, scale = 100000;
	size_t i = 19;

	if (len < 20 || report_time_num(s, 4, 1970, 9999, &y) == -1 ||
	    s[4] != '-' || report_time_num(s + 5, 2, 1, 12, &mo) == -1 ||
	    s[7] != '-' || report_time_num(s + 8, 2, 1, 31, &d) == -1 ||
	    d > report_time_mdays(y, mo) || (s[10] != 'T' && s[10] != 't') ||
	    report_time_num(s + 11, 2, 0, 23, &h) == -1 || s[13] != ':' ||
	    report_time_num(s + 14, 2, 0, 59, &mi) == -1 || s[16] != ':' ||
	    report_time_num(s + 17, 2, 0, 60, &sec) == -1)
		return -1;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (i - 20 >= 9)
				return -1;	/* more than nanoseconds */
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (i == 20)
			return -1;
	}
	if (i == len)
		return -1;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		oh = om = sign = 0;
	else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '-' ? -1 : 1;
		/* "+HH:MM", or "+HHMM" as journalctl writes it */
		if ((len - i != 6 || s[i + 3] != ':') && len - i != 5)
			return -1;
		if (report_time_num(s + i + 1, 2, 0, 23, &oh) == -1 ||
		    report_time_num(s + len - 2, 2, 0, 59, &om) == -1)
			return -1;
	} else
		return -1;
	if (sec == 60)
		sec = 59;	/* a leap second counts in the second before */
	*us = (report_time_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    (int64_t)sign * (oh * 3600 + om * 60)) * US + frac;
	return 0;
}

/* "Jan".."Dec" at s: 1..12, or 0. */
static int
report_time_month(const char *s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int m;

	for (m = 0; m < 12; m++)
		if (memcmp(s, names + 3 * m, 3) == 0)
			return m + 1;
	return 0;
}

/* Local y-m-d h:mi:s to µs UTC through mktime; -1 in *bad when it fails. */
static int64_t
report_time_local(int y, int mo, int d, int h, int mi, int s, int *bad)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	*bad = t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 &&
	    tm.tm_mday == 31);
	return (int64_t)t * US;
}

/* The time stamp a syslog header starts with. */
int
report_time_header(struct report_clock *c, const char *s, size_t len,
    int64_t *us)
{
	size_t i = 0, e;

	if (len > 0 && s[0] == '<') {
		/* RFC 5424 or a raw RFC 3164 datagram: "<PRI>" first */
		for (i = 1; i < len && i < 5 && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 1 || i >= len || s[i] != '>')
			return -1;
		i++;
		if (i + 1 < len && s[i] >= '1' && s[i] <= '9' && s[i + 1] == ' ')
			i += 2;		/* the RFC 5424 version */
	}
	s += i;
	len -= i;
	if (len >= 15 && s[3] == ' ' && s[6] == ' ' && s[9] == ':')
		return report_time_3164(c, s, len, us);
	for (e = 0; e < len && s[e] != ' '; e++)
		;
	return report_time_rfc3339(s, e, us);
}

/* The local UTC offset at t (seconds, UTC), seconds east; 0 on failure. */
static long
report_time_off(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	return localtime_r(&tt, &tm) != NULL ? tm.tm_gmtoff : 0;
}

/* A new file forgets the pass of a repeated hour. */
void
report_time_file(struct report_clock *c, const char *file,
    unsigned long lineno)
{
	if (file != c->file || lineno <= c->lineno)
		c->amb_key = -1;
	c->file = file;
	c->lineno = lineno;
}

/*
 * The hour h of month mo, day d for the clock: the latest year in which
 * that date exists and the hour starts at most a day after now (nine
 * years back at most: a leap day), its start as if UTC and the offsets
 * around it (a day before and after: time zones change theirs rarely).
 * An hour in which both readings keep to their own offset throughout is
 * mixed (a fall back repeats it, a spring forward skips some of it, or
 * half of it); else hdr_base says when it starts. -1: no such year.
 */
static int
report_time_hour3164(struct report_clock *c, int mo, int d, int h)
{
	int64_t w = 0, t[2];
	long *o = c->hdr_off;
	int y, i, ok[2];

	for (y = c->now_year + 1; y >= c->now_year - 8; y--) {
		if (d > report_time_mdays(y, mo))
			continue;
		w = report_time_days(y, mo, d) * 86400 + h * 3600;
		o[0] = report_time_off(w - 86400);
		o[1] = report_time_off(w + 86400);
		if ((w - o[0]) * US <= c->now_us + DAY_US)
			break;
	}
	if (y < c->now_year - 8)
		return -1;
	c->hdr_wall = w;
	c->hdr_key = (int64_t)y * 1000000 + mo * 10000 + d * 100 + h;
	for (i = 0; i < 2; i++) {
		/* one change at most: an offset kept at both ends is kept */
		t[i] = w - o[i];
		ok[i] = report_time_off(t[i]) == o[i] &&
		    report_time_off(t[i] + 3599) == o[i];
	}
	c->hdr_mixed = 0;
	if (o[0] == o[1] || (ok[0] && report_time_off(t[1]) != o[1] &&
	    report_time_off(t[1] + 3599) != o[1]))
		c->hdr_base = t[0] * US;
	else if (ok[1] && report_time_off(t[0]) != o[0] &&
	    report_time_off(t[0] + 3599) != o[0])
		c->hdr_base = t[1] * US;
	else
		c->hdr_mixed = 1;
	return 0;
}

/*
 * A stamp sec seconds into a mixed hour: the reading whose offset holds
 * at it; of two (a repeated time), the first pass, or the second when a
 * stamp of this hour went back in this file (see report_time.h); of
 * none (a skipped time), the offset before.
 */
static int64_t
report_time_pass(struct report_clock *c, int64_t w, int sec)
{
	int64_t t0 = w - c->hdr_off[0], t1 = w - c->hdr_off[1];
	int ok0 = report_time_off(t0) == c->hdr_off[0];
	int ok1 = report_time_off(t1) == c->hdr_off[1];

	if (c->amb_key != c->hdr_key) {
		c->amb_key = c->hdr_key;
		c->amb_last = sec;
		c->amb_second = 0;
	} else if (!c->amb_second && sec + REPORT_TIME_DISORDER < c->amb_last)
		c->amb_second = 1;
	else if (sec > c->amb_last)
		c->amb_last = sec;
	if (ok0 && ok1)
		return (t0 < t1) != (c->amb_second != 0) ? t0 : t1;
	return ok1 && !ok0 ? t1 : t0;
}

/* "Mmm dd hh:mm:ss": local time, the year assumed from the clock. */
static int
report_time_3164(struct report_clock *c, const char *s, size_t len,
    int64_t *us)
{
	int mo, d, h, mi, sec;
	int64_t key;

	if ((mo = report_time_month(s)) == 0 ||
	    report_time_num(s + 4 + (s[4] == ' '), 2 - (s[4] == ' '), 1, 31,
	    &d) == -1 || report_time_num(s + 7, 2, 0, 23, &h) == -1 ||
	    report_time_num(s + 10, 2, 0, 59, &mi) == -1 || s[12] != ':' ||
	    report_time_num(s + 13, 2, 0, 60, &sec) == -1 ||
	    (len > 15 && s[15] != ' ' && s[15] != '.'))
		return -1;
	if (sec == 60)
		sec = 59;
	key = (int64_t)mo * 10000 + d * 100 + h;
	if (key != c->hdr_key % 1000000 || c->hdr_key == -1) {
		c->hdr_key = -1;
		if (report_time_hour3164(c, mo, d, h) == -1)
			return -1;
	}
	sec += mi * 60;
	if (c->hdr_mixed)
		*us = report_time_pass(c, c->hdr_wall + sec, sec) * US;
	else
		*us = c->hdr_base + (int64_t)sec * US;
	return 0;
}

/* --since / --until: RFC 3339, or a local date with an optional time. */
int
report_time_arg(const char *s, int64_t *us)
{
	size_t len = strlen(s);
	int y, mo, d, h = 0, mi = 0, sec = 0, bad;

	if (report_time_rfc3339(s, len, us) == 0)
		return 0;
	if ((len != 10 && len != 16 && len != 19) ||
	    report_time_num(s, 4, 1970, 9999, &y) == -1 || s[4] != '-' ||
	    report_time_num(s + 5, 2, 1, 12, &mo) == -1 || s[7] != '-' ||
	    report_time_num(s + 8, 2, 1, 31, &d) == -1)
		return -1;
	if (len > 10 && ((s[10] != ' ' && s[10] != 'T') ||
	    report_time_num(s + 11, 2, 0, 23, &h) == -1 || s[13] != ':' ||
	    report_time_num(s + 14, 2, 0, 59, &mi) == -1))
		return -1;
	if (len == 19 && (s[16] != ':' ||
	    report_time_num(s + 17, 2, 0, 59, &sec) == -1))
		return -1;
	*us = report_time_local(y, mo, d, h, mi, sec, &bad);
	return bad ? -1 : 0;
}

/* Add off to the offsets seen, once; past REPORT_OFFS, that there are more. */
void
report_offsets_add(struct report_offsets *o, long off)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->off[i] == off)
			return;
	if (o->n < REPORT_OFFS)
		o->off[o->n++] = off;
	else
		o->more = 1;
}

/*
 * The local hour of us as YYYYMMDDHH and its UTC offset in seconds (the
 * two hours of a fall back share a YYYYMMDDHH, not an offset); a few
 * localtime_r per hour seen, per second in an hour whose offset changes
 * within it (half an hour: Australia/Lord_Howe).
 */
int64_t
report_time_hour(struct report_clock *c, int64_t us, long *off)
{
	struct tm tm;
	time_t t;
	int64_t start;

	if (us >= c->loc_start && us < c->loc_end) {
		*off = c->loc_off;
		return c->loc_key;
	}
	t = (time_t)(us >= 0 ? us / US : (us - US + 1) / US);
	if (localtime_r(&t, &tm) == NULL) {
		*off = 0;
		return 0;
	}
	start = us - ((int64_t)tm.tm_min * 60 + tm.tm_sec) * US -
	    (us >= 0 ? us % US : (us % US + US) % US);
	if (report_time_off(start / US) == tm.tm_gmtoff &&
	    report_time_off(start / US + 3599) == tm.tm_gmtoff) {
		c->loc_start = start;
		c->loc_end = start + 3600 * US;
	} else {
		/* an offset that changes within the hour: this second only */
		c->loc_start = us - (us >= 0 ? us % US : (us % US + US) % US);
		c->loc_end = c->loc_start + US;
	}
	c->loc_key = (int64_t)(tm.tm_year + 1900) * 1000000 +
	    (tm.tm_mon + 1) * 10000 + tm.tm_mday * 100 + tm.tm_hour;
	c->loc_off = tm.tm_gmtoff;
	*off = c->loc_off;
	return c->loc_key;
}

/* us as local time in one of the report's forms. */
void
report_time_format(char *buf, size_t len, int64_t us, int fmt)
{
	struct tm tm;
	time_t t;
	char z[8];
	size_t n;

	if (len == 0)
		return;
	if (us == REPORT_TIME_NONE || fmt < 0 || fmt > 3) {
		snprintf(buf, len, "-");
		return;
	}
	t = (time_t)(us >= 0 ? us / US : (us - US + 1) / US);
	if (localtime_r(&t, &tm) == NULL)
		n = 0;
	else if (fmt == 0)
		n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	else if (fmt == 1)
		n = strftime(buf, len, "%m-%d %H:%M", &tm);
	else if (fmt == 2)
		n = strftime(buf, len, "%H:%M:%S", &tm);
	else
		n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (fmt == 3) {
		/* RFC 3339 wants +HH:MM where strftime gives +HHMM */
		if (strftime(z, sizeof(z), "%z", &tm) != 5 ||
		    snprintf(buf + n, len - n, "%.3s:%.2s", z, z + 3) != 6)
			snprintf(buf, len, "-");
	}
}

/* The local UTC offset at us, "+HHMM". */
void
report_time_zone(char *buf, size_t len, int64_t us)
{
	struct tm tm;
	time_t t = (time_t)(us / US);

	if (len == 0)
		return;
	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%z", &tm) == 0)
		snprintf(buf, len, "+0000");
}
