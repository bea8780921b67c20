/* SPDX-License-Identifier: ISC */
/*
 * report_print: the page, plain text in 80 columns, in the issue's
 * order: verification, period and input, totals, per hour (or day, or
 * month), deciding rules, denied sources and netblocks, drops by limit,
 * ident, and with --config the rules that decided nothing.
 *
 * Every byte that came from a record (rules, netblocks, sources, ident
 * names, unknown keys) goes through record_escape, the one escaper, so
 * the page holds printable ASCII only. Numbers come first on a row, in
 * fixed columns; text comes last and wraps or is cut at column 80
 * (report_print_text), so a hostile name cannot push a column out of
 * place.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "audit/report_config.h"
#include "audit/report_int.h"
#include "audit/report_print.h"


static void	report_print_offsets(FILE *, const struct report *,
		    const char *);
static void	report_print_verify(FILE *, const struct report *);
static void	report_print_epochs(FILE *, const struct report *);
static int	report_print_input(FILE *, const struct report *);
static void	report_print_totals(FILE *, const struct report *);
static int	report_print_rules(FILE *, struct report *, int);
static int	report_print_denied(FILE *, struct report *, int);
static int	report_print_drops(FILE *, struct report *);
static int	report_print_status(FILE *, const struct report *);
static int	report_print_inline(FILE *, int, struct report_table *, int,
		    int, int);
static void	report_print_head(FILE *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Escape bytes for the page: record_escape into buf (REPORT_ESC bytes). */
const char *
report_print_esc(char *buf, const char *s, size_t len)
{
	if (len > REPORT_KEY_MAX)
		len = REPORT_KEY_MAX;
	if (record_escape(buf, REPORT_ESC, s, len) == 0)
		snprintf(buf, REPORT_ESC, "\"\"");
	return buf;
}

/*
 * A host name as the syslog header gave it, for the page: escaped, and
 * "-" for none (a record without a header), as verify names it. A host
 * named "-" is quoted by the escaper, so the two never meet.
 */
const char *
report_print_host(char *buf, const char *s, size_t len)
{
	if (len == 0) {
		snprintf(buf, REPORT_ESC, "-");
		return buf;
	}
	return report_print_esc(buf, s, len);
}

/*
 * Text after the numbers of a row, where the row stands at col: on the
 * same line when it fits; else on a new line at indent, or at column 4
 * when it is too long for that; cut with "..." at column 80 when it is
 * longer still. Returns the new column.
 */
int
report_print_text(FILE *f, int width, int col, int indent, const char *s)
{
	size_t len = strlen(s), room;
	int at;

	if ((size_t)col + 1 + len <= (size_t)width)
		at = col;
	else if (col > indent && (size_t)indent + 1 + len <= (size_t)width)
		at = indent;
	else if (col > 4 && 5 + len <= (size_t)width)
		at = 4;
	else
		at = col > indent ? indent : col;
	if (at != col)
		fprintf(f, "\n%*s", at, "");
	if ((size_t)at + 1 + len <= (size_t)width) {
		fprintf(f, " %s", s);
		return at + 1 + (int)len;
	}
	room = (size_t)at + 1 < (size_t)width ? (size_t)width - (size_t)at - 1 :
	    0;
	if (room > 3)
		fprintf(f, " %.*s...", (int)(room - 3), s);
	return width;
}

/*
 * A small table inline at col: "KEY N, KEY N", wrapping at indent; host:
 * its keys are host names (report_print_host).
 */
static int
report_print_inline(FILE *f, int width, struct report_table *t, int col,
    int indent, int host)
{
	char esc[REPORT_ESC], num[32];
	struct report_entry **v;
	const char *k;
	size_t n, i, kl;

	if ((v = report_table_sorted(t, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		k = report_key_part(v[i], 0, &kl);
		snprintf(num, sizeof(num), "%" PRIu64 "%s", report_sure(v[i]),
		    i + 1 < n ? "," : "");
		col = report_print_text(f, width, col, indent, host ?
		    report_print_host(esc, k, kl) : report_print_esc(esc, k, kl));
		col = report_print_text(f, width, col, indent, num);
	}
	free(v);
	return 0;
}

/* A section's title line. */
static void
report_print_head(FILE *f, const char *fmt, ...)
{
	va_list ap;

	fputc('\n', f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* Which time form the period calls for: 2 within a day, else 1 or 0. */
int
report_print_tform(const struct report *r)
{
	if (r->first_us == REPORT_TIME_NONE)
		return 1;
	if (r->last_us - r->first_us < 86400LL * 1000000)
		return 2;
	return 1;
}

/*
 * The other UTC offsets the records' local hours had (a summer time
 * starting or ending in the period), after the first record's, z.
 */
static void
report_print_offsets(FILE *f, const struct report *r, const char *z)
{
	char o[REPORT_OFFS][8];
	size_t i, n = 0;
	long a;

	for (i = 0; i < r->offs.n; i++) {
		a = r->offs.off[i] < 0 ? -r->offs.off[i] : r->offs.off[i];
		snprintf(o[n], sizeof(o[n]), "%c%02ld%02ld", r->offs.off[i] < 0 ?
		    '-' : '+', a / 3600 % 100, a / 60 % 60);
		if (strcmp(o[n], z) != 0)
			n++;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%sUTC%s", i + 1 == n && !r->offs.more ? " and " :
		    ", ", o[i]);
	if (r->offs.more)
		fputs(" and others", f);
}

/* The whole page. */
int
report_print(struct report *r, FILE *f)
{
	char z[8];
	int tf = report_print_tform(r), i;

	report_time_zone(z, sizeof(z), r->first_us != REPORT_TIME_NONE ?
	    r->first_us : r->o.now_us);
	fprintf(f, "daytimed-audit report %s (times are local, UTC%s",
	    PACKAGE_VERSION, z);
	report_print_offsets(f, r, z);
	fputs(")\n", f);
	for (i = 1; i < r->o.width; i++)
		fputc('=', f);
	fputc('\n', f);
	report_print_verify(f, r);
	if (report_print_input(f, r) == -1)
		return -1;
	report_print_totals(f, r);
	if (report_print_hist(f, r) == -1 ||
	    report_print_rules(f, r, tf) == -1 ||
	    report_print_denied(f, r, tf) == -1 ||
	    report_print_drops(f, r) == -1)
		return -1;
	if (report_print_status(f, r) == -1 ||
	    report_print_names(f, r) == -1 ||
	    report_print_config(f, r) == -1)
		return -1;
	fflush(f);
	return ferror(f) ? -1 : 0;
}

/* The chain verifier's finding first: a page never hides a bad log. */
static void
report_print_verify(FILE *f, const struct report *r)
{
	const struct report_check *c = r->check;
	size_t i;

	report_print_head(f, "Verification");
	if (c != NULL && c->keyed) {
		fprintf(f, "  %zu sealed record%s in %zu epoch%s on %zu host%s, "
		    "%zu verified: %s\n", c->records, c->records == 1 ? "" :
		    "s", c->epochs, c->epochs == 1 ? "" : "s", c->nhosts,
		    c->nhosts == 1 ? "" : "s", c->verified, c->findings > 0 ?
		    "NOT INTACT" : c->running > 0 ? "intact so far" : "intact");
		if (c->secret_is_public)
			fprintf(f, "  !! the --secret-key file is the auditor's "
			    "public key\n");
		else if (c->key_mismatch)
			fprintf(f, "  !! the secret key opens none of the "
			    "epochs\n");
		if (c->findings > 0)
			fprintf(f, "  !! %lu finding%s: the figures below may "
			    "count records that do not verify\n", c->findings,
			    c->findings == 1 ? "" : "s");
		if (c->running > 0)
			fprintf(f, "  %zu epoch%s still open (--running): what "
			    "comes after %s last record\n  is not vouched for "
			    "yet\n", c->running, c->running == 1 ? "" : "s",
			    c->running == 1 ? "its" : "each one's");
		if (c->unclean > 0)
			fprintf(f, "  !! %zu epoch%s ended uncleanly: no stop "
			    "record, as a later epoch's :run link\n  says (a "
			    "crash or a kill, or records removed after the last "
			    "position saved):\n  records after that position "
			    "are not vouched for\n", c->unclean, c->unclean ==
			    1 ? "" : "s");
		if (c->unsealed > 0)
			fprintf(f, "  !! %zu daytimed record%s without chain "
			    "fields: counted below, vouched for\n  by nothing "
			    "(daytimed-audit verify names them)\n", c->unsealed,
			    c->unsealed == 1 ? "" : "s");
		if (c->hostkeys == 0 && c->epochs > 0)
			fprintf(f, "  origin not authenticated: no --host-key "
			    "(anyone with the auditor's\n  public key can "
			    "write an epoch that verifies)\n");
		else if (c->unauthenticated > 0)
			fprintf(f, "  !! %zu epoch%s not signed by a --host-key\n",
			    c->unauthenticated, c->unauthenticated == 1 ? "" :
			    "s");
		for (i = 0; i < c->ntext; i++) {
			fprintf(f, "   ");
			(void)report_print_text(f, r->o.width, 3, 3, c->text[i]);
			fputc('\n', f);
		}
		if (c->findings > c->ntext)
			fprintf(f, "   ... and %lu more (daytimed-audit verify "
			    "lists them all)\n", c->findings - c->ntext);
		report_print_epochs(f, r);
	} else if (r->sealed > 0)
		fprintf(f, "  %" PRIu64 " sealed record%s, NOT VERIFIED: give "
		    "--secret-key to check the chain\n", r->sealed,
		    r->sealed == 1 ? "" : "s");
	else
		fprintf(f, "  no sealed records (no \"audit key\"): nothing "
		    "to verify\n");
	if (r->unparsed > 0)
		fprintf(f, "  !! %" PRIu64 " line%s looked like daytimed records "
		    "and did not parse (below)\n", r->unparsed,
		    r->unparsed == 1 ? "" : "s");
}

/* What verify says of an epoch's origin, by enum verify_auth. */
const char *
report_print_auth(int auth)
{
	static const char *const names[] = { "unsigned", "unlisted",
	    "listed", "bad", "rejected" };

	return auth >= 0 && auth < (int)(sizeof(names) / sizeof(names[0])) ?
	    names[auth] : "unknown";
}

/* The verifier's hosts, each with its epochs: counts first, names last. */
static void
report_print_epochs(FILE *f, const struct report *r)
{
	const struct report_check *c = r->check;
	const struct report_check_epoch *e;
	char esc[REPORT_ESC], text[REPORT_ESC + 128];
	size_t h, i, shown = 0;
	int col;

	if (c->nhosts == 0)
		return;
	fprintf(f, "  %10s %10s %8s\n", "records", "verified", "findings");
	for (h = 0; h < c->nhosts; h++) {
		fprintf(f, "  %10zu %10zu %8lu  host", c->hosts[h].records,
		    c->hosts[h].verified, c->hosts[h].findings);
		(void)report_print_text(f, r->o.width, 38, 38,
		    report_print_host(esc, c->hosts[h].name,
		    strlen(c->hosts[h].name)));
		fputc('\n', f);
		for (i = c->hosts[h].first_ep; i != SIZE_MAX; i = e->next_ep) {
			e = &c->ep[i];
			if (shown++ >= REPORT_EPOCHS_SHOWN)
				continue;
			fprintf(f, "  %10zu %10zu %8lu    epoch %s %s\n",
			    e->records, e->verified, e->findings, e->id,
			    !e->opened ? "NOT OPENED by the key" : e->stopped ?
			    "stopped" : e->unclean ? "ended uncleanly" :
			    e->running ? "running (--running)" :
			    "no stop record");
			snprintf(text, sizeof(text), "origin %s%s%s",
			    report_print_auth(e->auth), e->signer != NULL ?
			    ": " : "", e->signer != NULL ? report_print_esc(esc,
			    e->signer, strlen(e->signer)) : "");
			/* under "epoch" when it fits there, else further left */
			col = strlen(text) + 43 <= (size_t)r->o.width ? 42 : 4;
			fprintf(f, "%*s", col, "");
			(void)report_print_text(f, r->o.width, col, col, text);
			fputc('\n', f);
		}
	}
	if (shown > REPORT_EPOCHS_SHOWN)
		fprintf(f, "  ... and %zu more epochs (daytimed-audit verify "
		    "lists them all)\n", shown - REPORT_EPOCHS_SHOWN);
}

/* The period, and what was read. -1: out of memory. */
static int
report_print_input(FILE *f, const struct report *r)
{
	char a[REPORT_TIME_TEXT], b[REPORT_TIME_TEXT], esc[REPORT_ESC];
	char text[REPORT_ESC + 128];
	uint64_t i;

	report_print_head(f, "Period and input");
	report_time_format(a, sizeof(a), r->first_us, 0);
	report_time_format(b, sizeof(b), r->last_us, 0);
	fprintf(f, "  records from %s to %s\n", a, b);
	if (r->o.since_us != REPORT_TIME_NONE ||
	    r->o.until_us != REPORT_TIME_NONE) {
		report_time_format(a, sizeof(a), r->o.since_us, 0);
		report_time_format(b, sizeof(b), r->o.until_us, 0);
		fprintf(f, "  asked for    %s to %s (exclusive)\n", a, b);
	}
	fprintf(f, "  %12" PRIu64 "  lines read\n", r->lines);
	fprintf(f, "  %12" PRIu64 "  connection and datagram records\n",
	    r->records);
	fprintf(f, "  %12zu  hosts", report_table_count(r->hosts));
	if (report_print_inline(f, r->o.width, r->hosts, 21, 21, 1) == -1)
		return -1;
	fputc('\n', f);
	fprintf(f, "  %12" PRIu64 "  events", r->events);
	if (report_print_inline(f, r->o.width, r->evnames, 22, 22, 0) == -1)
		return -1;
	fputc('\n', f);
	if (r->outside > 0)
		fprintf(f, "  %12" PRIu64 "  records outside the period (not "
		    "counted)\n", r->outside);
	if (r->undated > 0)
		fprintf(f, "  %12" PRIu64 "  records without a time%s\n",
		    r->undated, r->undated_skipped > 0 ?
		    " (not counted: a period was asked for)" : "");
	if (r->unknown > 0) {
		fprintf(f, "  %12" PRIu64 "  records with keys this version "
		    "does not know (ignored):\n%16s", r->unknown, "");
		if (report_print_inline(f, r->o.width, r->ukeys, 16, 16, 0) == -1)
			return -1;
		fputc('\n', f);
	}
	fprintf(f, "  %12" PRIu64 "  lines that looked like records and did "
	    "not parse\n", r->unparsed);
	for (i = 0; i < r->unparsed && i < REPORT_SHOWN; i++) {
		snprintf(text, sizeof(text), "%s:%lu: %s%s",
		    report_print_esc(esc, r->bad[i].file,
		    strlen(r->bad[i].file)), r->bad[i].line, r->bad[i].why,
		    r->bad[i].cut ? " (its start)" : "");
		fprintf(f, "   ");
		(void)report_print_text(f, r->o.width, 3, 3, text);
		fprintf(f, "\n     ");
		(void)report_print_text(f, r->o.width, 5, 5, r->bad[i].text);
		fputc('\n', f);
	}
	if (r->unparsed > REPORT_SHOWN)
		fprintf(f, "    ... and %" PRIu64 " more\n",
		    r->unparsed - REPORT_SHOWN);
	return 0;
}

/* Allow, deny, drop by protocol and address family. */
static void
report_print_totals(FILE *f, const struct report *r)
{
	static const char *const names[] = { "tcp IPv4", "tcp IPv6",
	    "udp IPv4", "udp IPv6" };
	uint64_t sum[REPORT_NDEC] = { 0 }, row;
	int p, d;

	report_print_head(f, "Totals");
	fprintf(f, "  %-10s %14s %14s %14s %14s\n", "", "allow", "deny",
	    "drop", "total");
	for (p = 0; p < REPORT_NPATH; p++) {
		row = 0;
		fprintf(f, "  %-10s", names[p]);
		for (d = 0; d < REPORT_NDEC; d++) {
			fprintf(f, " %14" PRIu64, r->totals[p][d]);
			row += r->totals[p][d];
			sum[d] += r->totals[p][d];
		}
		fprintf(f, " %14" PRIu64 "\n", row);
	}
	fprintf(f, "  %-10s %14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %14"
	    PRIu64 "\n", "all", sum[0], sum[1], sum[2], sum[0] + sum[1] +
	    sum[2]);
}

/* The rules that decided, by hits. */
static int
report_print_rules(FILE *f, struct report *r, int tf)
{
	static const char *const act[] = { "allow", "deny", "drop" };
	char a[REPORT_TIME_TEXT], b[REPORT_TIME_TEXT], esc[REPORT_ESC];
	struct report_entry **v;
	const char *k, *what;
	size_t n, i, kl;
	int col, d, tw;

	if ((v = report_table_sorted(r->rules, &n)) == NULL)
		return -1;
	report_print_head(f, "Deciding rules, by hits (%zu rule%s)", n,
	    n == 1 ? "" : "s");
	tw = tf == 2 ? 8 : 11;
	fprintf(f, "  %10s  %-6s %-*s %-*s rule, netblock\n", "hits",
	    "action", tw, "first", tw, "last");
	for (i = 0; i < n && i < r->o.top; i++) {
		what = "mixed";
		for (d = 0; d < REPORT_NDEC; d++)
			if (v[i]->n[d] == report_sure(v[i]))
				what = act[d];
		report_time_format(a, sizeof(a), v[i]->first_us, tf);
		report_time_format(b, sizeof(b), v[i]->last_us, tf);
		fprintf(f, "  %10" PRIu64 "%c %-6s %-*s %-*s", report_sure(v[i]),
		    v[i]->err > 0 ? '+' : ' ', what, tw, a, tw, b);
		col = 21 + 2 * tw + 1;
		k = report_key_part(v[i], 0, &kl);
		col = report_print_text(f, r->o.width, col, 22 + 2 * tw,
		    report_print_esc(esc, k, kl));
		k = report_key_part(v[i], 1, &kl);
		if (kl > 0)
			(void)report_print_text(f, r->o.width, col, 22 + 2 * tw,
			    report_print_esc(esc, k, kl));
		fputc('\n', f);
	}
	report_print_others(f, r->rules, v, n, r->o.top);
	free(v);
	return 0;
}

/* One top list of (count, key): denied sources, denied netblocks. */
int
report_print_top(FILE *f, int width, struct report_table *t, size_t top,
    int tf,
    const char *title, const char *what, const char *empty)
{
	char a[REPORT_TIME_TEXT], b[REPORT_TIME_TEXT], esc[REPORT_ESC];
	struct report_entry **v;
	const char *k;
	size_t n, i, kl;
	int tw = tf == 2 ? 8 : 11;

	if ((v = report_table_sorted(t, &n)) == NULL)
		return -1;
	report_print_head(f, "%s (%zu)", title, n);
	if (n > 0)
		fprintf(f, "  %10s  %-*s %-*s %s\n", "count", tw, "first",
		    tw, "last", what);
	for (i = 0; i < n && i < top; i++) {
		report_time_format(a, sizeof(a), v[i]->first_us, tf);
		report_time_format(b, sizeof(b), v[i]->last_us, tf);
		fprintf(f, "  %10" PRIu64 "%c %-*s %-*s", report_sure(v[i]),
		    v[i]->err > 0 ? '+' : ' ', tw, a, tw, b);
		k = report_key_part(v[i], 0, &kl);
		(void)report_print_text(f, width, 15 + 2 * tw + 1, 15 + 2 * tw + 1,
		    kl == 0 ? empty :
		    report_print_esc(esc, k, kl));
		fputc('\n', f);
	}
	report_print_others(f, t, v, n, top);
	free(v);
	return 0;
}

/* Denied sources and netblocks. */
static int
report_print_denied(FILE *f, struct report *r, int tf)
{
	if (report_print_top(f, r->o.width, r->denied_src, r->o.top, tf,
	    "Top denied sources", "source", "-") == -1)
		return -1;
	return report_print_top(f, r->o.width, r->denied_net, r->o.top, tf,
	    "Top denied netblocks", "netblock", "(none: no rule's netblock)");
}

/* The sources each limit dropped. */
static int
report_print_drops(FILE *f, struct report *r)
{
	char esc[REPORT_ESC], esc2[REPORT_ESC];
	struct report_entry **lim, **v, *e;
	const char *k, *s;
	size_t nl, n, i, j, kl, sl, shown;
	uint64_t sum;

	if ((lim = report_table_sorted(r->limits, &nl)) == NULL)
		return -1;
	if ((v = report_table_sorted(r->drops, &n)) == NULL) {
		free(lim);
		return -1;
	}
	report_print_head(f, "Dropped by limits (%" PRIu64 ")",
	    report_table_total(r->limits));
	for (i = 0; i < nl; i++) {
		k = report_key_part(lim[i], 0, &kl);
		fprintf(f, "  %10" PRIu64 "%c dropped by limit",
		    report_sure(lim[i]), lim[i]->err > 0 ? '+' : ' ');
		(void)report_print_text(f, r->o.width, 30, 30,
		    report_print_esc(esc, k, kl));
		fputc('\n', f);
		sum = 0;
		for (j = 0, shown = 0; shown < r->o.top && (e =
		    report_group_next(v, n, &j, k, kl, &s, &sl)) != NULL;
		    shown++) {
			sum += report_sure(e);
			fprintf(f, "    %10" PRIu64 "%c", report_sure(e),
			    e->err > 0 ? '+' : ' ');
			(void)report_print_text(f, r->o.width, 15, 15,
			    report_print_esc(esc2, s, sl));
			fputc('\n', f);
		}
		if (report_sure(lim[i]) > sum)
			fprintf(f, "    %10" PRIu64 "  others\n",
			    report_sure(lim[i]) - sum);
	}
	report_print_others(f, r->limits, lim, nl, nl);
	free(v);
	free(lim);
	return 0;
}

/* Ident statuses, error types among them. -1: out of memory. */
static int
report_print_status(FILE *f, const struct report *r)
{
	static const char *const names[] = { "ok", "error", "timeout",
	    "refused", "unreachable", "malformed", "skipped", "other" };
	int s;

	report_print_head(f, "Ident");
	for (s = 0; s < REPORT_NSTATUS; s++) {
		if (s == REPORT_ST_OTHER && r->status[s] == 0)
			continue;
		fprintf(f, "  %10" PRIu64 "  %s%s", r->status[s], names[s],
		    s == REPORT_ST_ERROR && r->status[s] > 0 ? ":" : "");
		if (s == REPORT_ST_ERROR &&
		    report_print_inline(f, r->o.width, r->errtypes, 20, 19, 0) == -1)
			return -1;
		fputc('\n', f);
	}
	return 0;
}

/* The names claimed per netblock, flagged when a user rule names them. */
int
report_print_names(FILE *f, struct report *r)
{
	char esc[REPORT_ESC];
	struct report_entry **nets, **v, *e;
	const char *k, *s;
	size_t nn, n, i, j, kl, sl, shown, skipped = 0;
	uint64_t sum;

	if ((nets = report_table_sorted(r->named, &nn)) == NULL)
		return -1;
	if ((v = report_table_sorted(r->names, &n)) == NULL) {
		free(nets);
		return -1;
	}
	fprintf(f, "\nIdent names claimed, per netblock%s\n", r->conf.ok ?
	    " that has user rules (* a user rule's name)" :
	    " (--config tells which are user rules' names)");
	for (i = 0; i < nn; i++) {
		k = report_key_part(nets[i], 0, &kl);
		if (r->conf.ok && !report_config_user(r, k, kl, NULL, 0)) {
			skipped++;
			continue;
		}
		fprintf(f, "  %10" PRIu64 "%c answers in netblock",
		    report_sure(nets[i]), nets[i]->err > 0 ? '+' : ' ');
		(void)report_print_text(f, r->o.width, 34, 34, kl == 0 ? "-" :
		    report_print_esc(esc, k, kl));
		fputc('\n', f);
		sum = 0;
		for (j = 0, shown = 0; shown < r->o.top && (e =
		    report_group_next(v, n, &j, k, kl, &s, &sl)) != NULL;
		    shown++) {
			sum += report_sure(e);
			fprintf(f, "    %10" PRIu64 "%c %c", report_sure(e),
			    e->err > 0 ? '+' : ' ', r->conf.ok &&
			    report_config_user(r, k, kl, s, sl) ? '*' : ' ');
			(void)report_print_text(f, r->o.width, 17, 17,
			    report_print_esc(esc, s, sl));
			fputc('\n', f);
		}
		if (report_sure(nets[i]) > sum)
			fprintf(f, "    %10" PRIu64 "    others\n",
			    report_sure(nets[i]) - sum);
	}
	if (skipped > 0)
		fprintf(f, "  (%zu more netblock%s had answers and no user "
		    "rules)\n", skipped, skipped == 1 ? "" : "s");
	if (report_table_others(r->names) > 0)
		fprintf(f, "  (the names table was full: \"+\" counts may be "
		    "higher)\n");
	free(v);
	free(nets);
	return 0;
}

/*
 * "others": what the first `shown` rows of a table's sorted entries v (n
 * of them) leave out, kept keys and keys not kept alike: the rows and
 * "others" add up to the table's total.
 */
void
report_print_others(FILE *f, const struct report_table *t,
    struct report_entry **v, size_t n, size_t shown)
{
	uint64_t o = report_table_total(t);
	size_t i;

	for (i = 0; i < n && i < shown; i++)
		o -= report_sure(v[i]);
	if (o > 0)
		fprintf(f, "  %10" PRIu64 "  others%s\n", o,
		    report_table_others(t) > 0 ? " (the table was full: "
		    "\"+\" counts may be higher)" : "");
}
