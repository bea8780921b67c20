/* SPDX-License-Identifier: ISC */
/*
 * report_hist: allow, deny and drop over time. The report counts by local
 * hour and its UTC offset (YYYYMMDDHH+HHMM keys: the two hours of a fall
 * back are two keys, and so are the two parts of an hour in which the
 * offset changes by half an hour); here the hours become the rows of one
 * page: every local hour of a period up to 48 hours (in the order they
 * started, each with its offset), every day up to 62 days, every month up to 120 months,
 * else the years that have records. Rows without records are shown too
 * (but for years): a quiet hour is news.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/report_int.h"
#include "audit/report_print.h"
#include "audit/report_time.h"

#define REPORT_BAR	26	/* the histogram's bar at its longest */
#define REPORT_LABEL	16	/* its label column, "YYYY-MM-DD HH:00" */
#define REPORT_LABEL_OFF	22	/* ... with " +HHMM" */
#define REPORT_HKEY	15	/* an hour's key, YYYYMMDDHH+HHMM */
#define REPORT_ROWS_HOURS	48
#define REPORT_ROWS_DAYS	62
#define REPORT_ROWS_MONTHS	120

static int	report_hist_key(const struct report_entry *, int64_t *,
		    long *);
static int64_t	report_hist_start(int64_t, long);
static int	report_hist_hours(struct report *, struct report_entry *,
		    size_t, int64_t, int64_t, struct report_hist_row **,
		    size_t *);
static int64_t	report_hist_index(int64_t, int64_t, enum report_unit);
static int64_t	report_hist_unit_key(int64_t, enum report_unit);
static int64_t	report_hist_next(int64_t, enum report_unit);
static int	report_hist_cmp(const void *, const void *);
static int	report_hist_cmp_start(const void *, const void *);

/*
 * The hour an entry counts and its UTC offset (seconds), from its key
 * YYYYMMDDHH+HHMM; -1 when it is none.
 */
static int
report_hist_key(const struct report_entry *e, int64_t *hk, long *off)
{
	int64_t v = 0;
	long o = 0;
	uint32_t i;

	if (report_sure(e) == 0 || e->keylen != REPORT_HKEY ||
	    (e->key[10] != '+' && e->key[10] != '-'))
		return -1;
	for (i = 0; i < REPORT_HKEY; i++) {
		if (i == 10)
			continue;
		if (e->key[i] < '0' || e->key[i] > '9')
			return -1;
		if (i < 10)
			v = v * 10 + (e->key[i] - '0');
		else
			o = o * 10 + (e->key[i] - '0');
	}
	*hk = v;
	*off = (o / 100 * 3600 + o % 100 * 60) * (e->key[10] == '-' ? -1 : 1);
	return 0;
}

/* A YYYYMMDDHH key's days since 1970 and its hour. */
static int64_t
report_hist_days(int64_t hk)
{
	return report_time_days((int)(hk / 1000000), (int)(hk / 10000 % 100),
	    (int)(hk / 100 % 100));
}

/* When the local hour hk at UTC offset off starts: seconds, UTC. */
static int64_t
report_hist_start(int64_t hk, long off)
{
	return report_hist_days(hk) * 86400 + hk % 100 * 3600 - off;
}

/* The row an hour key falls in, counted from the first hour key. */
static int64_t
report_hist_index(int64_t hk, int64_t first, enum report_unit u)
{
	switch (u) {
	case REPORT_HOUR:
		return (report_hist_days(hk) - report_hist_days(first)) * 24 +
		    hk % 100 - first % 100;
	case REPORT_DAY:
		return report_hist_days(hk) - report_hist_days(first);
	case REPORT_MONTH:
		return (hk / 1000000 - first / 1000000) * 12 +
		    hk / 10000 % 100 - first / 10000 % 100;
	default:
		return hk / 1000000 - first / 1000000;
	}
}

/* An hour key as the unit's key. */
static int64_t
report_hist_unit_key(int64_t hk, enum report_unit u)
{
	static const int64_t div[] = { 1, 100, 10000, 1000000 };

	return hk / div[u];
}

/* The unit key after k. */
static int64_t
report_hist_next(int64_t k, enum report_unit u)
{
	int y, m, d, h;

	switch (u) {
	case REPORT_HOUR:
		h = (int)(k % 100);
		if (h < 23)
			return k + 1;
		return report_hist_next(k / 100, REPORT_DAY) * 100;
	case REPORT_DAY:
		y = (int)(k / 10000);
		m = (int)(k / 100 % 100);
		d = (int)(k % 100);
		if (d < report_time_mdays(y, m))
			return k + 1;
		return report_hist_next(k / 100, REPORT_MONTH) * 100 + 1;
	case REPORT_MONTH:
		return k % 100 < 12 ? k + 1 : (k / 100 + 1) * 100 + 1;
	default:
		return k + 1;
	}
}

/*
 * Hours as rows: every local hour from the one starting at slo (UTC
 * seconds) to the one at shi, each with its UTC offset, in the order
 * they started (a walk by the local clock: an offset that changes by half
 * an hour starts the next hour half an hour early or late); an hour
 * without records is named by the local clock. 1: more than a page.
 */
static int
report_hist_hours(struct report *r, struct report_entry *e, size_t ne,
    int64_t slo, int64_t shi, struct report_hist_row **rows, size_t *n)
{
	struct report_hist_row *v;
	size_t i, k, nv = 0;
	int64_t hk, t;
	long off;
	int d;

	if ((v = calloc(REPORT_ROWS_HOURS, sizeof(*v))) == NULL)
		return -1;
	for (t = slo; t <= shi; nv++) {
		if (nv == REPORT_ROWS_HOURS)
			goto more;
		v[nv].key = report_time_hour(&r->clock, t * 1000000,
		    &v[nv].off);
		/* the next local hour: this one's start is at most t */
		t = report_hist_start(v[nv].key, v[nv].off) + 3600;
	}
	for (i = 0; i < ne; i++) {
		if (report_hist_key(&e[i], &hk, &off) == -1)
			continue;
		for (k = 0; k < nv && (v[k].key != hk || v[k].off != off); k++)
			;
		if (k == nv) {
			/* an hour the walk stepped over (it ended early) */
			if (nv == REPORT_ROWS_HOURS)
				goto more;
			v[nv].key = hk;
			v[nv++].off = off;
		}
		for (d = 0; d < REPORT_NDEC; d++)
			v[k].n[d] += e[i].n[d];
	}
	qsort(v, nv, sizeof(*v), report_hist_cmp_start);
	*rows = v;
	*n = nv;
	return 0;
more:
	free(v);
	return 1;
}

/* The rows of the histogram, in the unit that fits a page. */
int
report_hist_rows(struct report *r, struct report_hist_row **rows, size_t *n,
    enum report_unit *unit)
{
	struct report_entry *e;
	struct report_hist_row *v;
	size_t ne, i, k, nr = 0;
	int64_t lo = -1, hi = -1, hk, span, idx, key, st, slo = 0, shi = 0;
	long off;
	int d, u, rc;

	*rows = NULL;
	*n = 0;
	*unit = REPORT_HOUR;
	e = report_table_entries(r->hours, &ne);
	for (i = 0; i < ne; i++) {
		if (report_hist_key(&e[i], &hk, &off) == -1)
			continue;
		st = report_hist_start(hk, off);
		if (lo == -1 || st < slo)
			slo = st;
		if (lo == -1 || st > shi)
			shi = st;
		if (lo == -1 || hk < lo)
			lo = hk;
		if (hi == -1 || hk > hi)
			hi = hk;
	}
	if (lo == -1)
		return 0;
	/* hours as they happened: a fall back has 25 in a day */
	if ((shi - slo) / 3600 <= REPORT_ROWS_HOURS &&
	    (rc = report_hist_hours(r, e, ne, slo, shi, rows, n)) != 1)
		return rc;
	for (u = REPORT_DAY; u < REPORT_YEAR; u++) {
		span = report_hist_index(hi, lo, (enum report_unit)u) + 1;
		if ((u == REPORT_DAY && span <= REPORT_ROWS_DAYS) ||
		    (u == REPORT_MONTH && span <= REPORT_ROWS_MONTHS))
			break;
	}
	*unit = (enum report_unit)u;
	span = report_hist_index(hi, lo, *unit) + 1;
	if ((v = calloc((size_t)span, sizeof(*v))) == NULL)
		return -1;
	key = report_hist_unit_key(lo, *unit);
	for (idx = 0; idx < span; idx++) {
		v[idx].key = key;
		key = report_hist_next(key, *unit);
	}
	for (i = 0; i < ne; i++) {
		if (report_hist_key(&e[i], &hk, &off) == -1)
			continue;
		idx = report_hist_index(hk, lo, *unit);
		for (d = 0; d < REPORT_NDEC; d++)
			v[idx].n[d] += e[i].n[d];
	}
	if (*unit == REPORT_YEAR) {
		/* only the years that have records */
		for (k = 0; k < (size_t)span; k++)
			if (v[k].n[0] + v[k].n[1] + v[k].n[2] > 0)
				v[nr++] = v[k];
	} else
		nr = (size_t)span;
	qsort(v, nr, sizeof(*v), report_hist_cmp);
	*rows = v;
	*n = nr;
	return 0;
}

/*
 * A row's label: for the page (with the hour's offset when withoff), or
 * for JSON (an hour as RFC 3339 with its offset).
 */
void
report_hist_label(char *buf, size_t len, const struct report_hist_row *row,
    enum report_unit u, enum report_label form)
{
	int64_t k = row->key;
	long a = row->off < 0 ? -row->off : row->off;
	char sign = row->off < 0 ? '-' : '+';
	int rc;

	switch (u) {
	case REPORT_HOUR:
		if (form == REPORT_LABEL_JSON)
			rc = snprintf(buf, len,
			    "%04d-%02d-%02dT%02d:00:00%c%02ld:%02ld",
			    (int)(k / 1000000), (int)(k / 10000 % 100),
			    (int)(k / 100 % 100), (int)(k % 100), sign,
			    a / 3600, a / 60 % 60);
		else if (form == REPORT_LABEL_OFF)
			rc = snprintf(buf, len,
			    "%04d-%02d-%02d %02d:00 %c%02ld%02ld",
			    (int)(k / 1000000), (int)(k / 10000 % 100),
			    (int)(k / 100 % 100), (int)(k % 100), sign,
			    a / 3600, a / 60 % 60);
		else
			rc = snprintf(buf, len, "%04d-%02d-%02d %02d:00",
			    (int)(k / 1000000), (int)(k / 10000 % 100),
			    (int)(k / 100 % 100), (int)(k % 100));
		break;
	case REPORT_DAY:
		rc = snprintf(buf, len, "%04d-%02d-%02d", (int)(k / 10000),
		    (int)(k / 100 % 100), (int)(k % 100));
		break;
	case REPORT_MONTH:
		rc = snprintf(buf, len, "%04d-%02d", (int)(k / 100),
		    (int)(k % 100));
		break;
	default:
		rc = snprintf(buf, len, "%04d", (int)k);
		break;
	}
	if (rc < 0 || (size_t)rc >= len)
		snprintf(buf, len, "?");
}

/* The histogram section: counts and a bar of #, - and ! per row. */
int
report_print_hist(FILE *f, struct report *r)
{
	static const char *const units[] = { "hour", "day", "month", "year" };
	static const char marks[REPORT_NDEC] = { '#', '-', '!' };
	struct report_hist_row *v;
	enum report_unit u;
	uint64_t max = 0, t;
	size_t n, i, w;
	char label[32];
	int d, lw = REPORT_LABEL, bar;
	enum report_label form = REPORT_LABEL_PAGE;

	if (report_hist_rows(r, &v, &n, &u) == -1)
		return -1;
	/* hours of more than one offset: each says its own (a fall back) */
	for (i = 1; u == REPORT_HOUR && i < n; i++)
		if (v[i].off != v[0].off) {
			form = REPORT_LABEL_OFF;
			lw = REPORT_LABEL_OFF;
		}
	bar = REPORT_BAR - (lw - REPORT_LABEL);
	fprintf(f, "\nPer %s: allow #, deny -, drop !\n", units[u]);
	for (i = 0; i < n; i++)
		if ((t = v[i].n[0] + v[i].n[1] + v[i].n[2]) > max)
			max = t;
	if (n > 0)
		fprintf(f, "  %-*s %9s %9s %9s\n", lw, "", "allow", "deny",
		    "drop");
	for (i = 0; i < n; i++) {
		report_hist_label(label, sizeof(label), &v[i], u, form);
		fprintf(f, "  %-*s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " ",
		    lw, label, v[i].n[0], v[i].n[1], v[i].n[2]);
		for (d = 0; d < REPORT_NDEC; d++) {
			/* a count that is there shows as one mark at least */
			w = v[i].n[d] == 0 ? 0 : (size_t)((v[i].n[d] *
			    (uint64_t)bar + max - 1) / max);
			while (w-- > 0)
				fputc(marks[d], f);
		}
		fputc('\n', f);
	}
	if (report_table_others(r->hours) > 0)
		fprintf(f, "  %" PRIu64 " records fell in hours not kept (more "
		    "than %zu distinct hours)\n", report_table_others(r->hours),
		    r->o.cap);
	free(v);
	return 0;
}

/* Rows in time order. */
static int
report_hist_cmp(const void *a, const void *b)
{
	const struct report_hist_row *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Hour rows in the order they started. */
static int
report_hist_cmp_start(const void *a, const void *b)
{
	const struct report_hist_row *x = a, *y = b;
	int64_t sx = report_hist_start(x->key, x->off);
	int64_t sy = report_hist_start(y->key, y->off);

	return (sx > sy) - (sx < sy);
}
