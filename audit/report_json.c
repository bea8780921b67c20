/* SPDX-License-Identifier: ISC */
/*
 * report_json: the page's content as one JSON document (RFC 8259), for
 * dashboards. Same figures, same order, no top-N cut but the cap of
 * distinct keys (each list ends in its "others" count).
 *
 * Every string that came from a record or a file name is given as the
 * page shows it: record_escape's text (printable ASCII; a value with a
 * space, quote, backslash or other byte is in double quotes with \" \\
 * and \xHH inside), then JSON's own quoting. So a dashboard never gets
 * a control byte, and the text greps the same as the log.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/report_config.h"
#include "audit/report_int.h"
#include "audit/report_print.h"

static void	report_json_time(FILE *, int64_t);
static void	report_json_check(FILE *, const struct report *);
static int	report_json_input(FILE *, struct report *);
static int	report_json_hist(FILE *, struct report *);
static int	report_json_list(FILE *, struct report_table *, const char *,
		    const char *, const char *);
static int	report_json_map(FILE *, struct report_table *, int);
static int	report_json_drops(FILE *, struct report *);
static int	report_json_ident(FILE *, struct report *);

/* ASCII text as a JSON string: quotes, backslashes and controls escaped. */
void
report_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Bytes from a record: escaped as on the page, then as a JSON string. */
void
report_json_bytes(FILE *f, const char *s, size_t len)
{
	char esc[REPORT_ESC];

	report_json_str(f, report_print_esc(esc, s, len));
}

/* A host name from a syslog header: as on the page, "-" for none. */
void
report_json_host(FILE *f, const char *s, size_t len)
{
	char esc[REPORT_ESC];

	report_json_str(f, report_print_host(esc, s, len));
}

/* A time as an RFC 3339 string in local time, or null. */
static void
report_json_time(FILE *f, int64_t us)
{
	char t[REPORT_TIME_TEXT];

	if (us == REPORT_TIME_NONE) {
		fputs("null", f);
		return;
	}
	report_time_format(t, sizeof(t), us, 3);
	report_json_str(f, t);
}

/* The whole document. */
int
report_json(struct report *r, FILE *f)
{
	static const char *const fams[] = { "ipv4", "ipv6", "ipv4", "ipv6" };
	int p;

	fprintf(f, "{\n\"version\": \"%s\",\n", PACKAGE_VERSION);
	report_json_check(f, r);
	if (report_json_input(f, r) == -1)
		return -1;
	fputs(",\n\"totals\": {", f);
	for (p = 0; p < REPORT_NPATH; p++)
		fprintf(f, "%s\"%s\": {\"allow\": %" PRIu64 ", \"deny\": %"
		    PRIu64 ", \"drop\": %" PRIu64 "}%s", p % 2 == 0 ?
		    (p == 0 ? "\"tcp\": {" : ", \"udp\": {") : ", ", fams[p],
		    r->totals[p][0], r->totals[p][1], r->totals[p][2],
		    p % 2 == 1 ? "}" : "");
	fputs("}", f);
	if (report_json_hist(f, r) == -1 ||
	    report_json_list(f, r->rules, "rules", "rule", "netblock") == -1 ||
	    report_json_list(f, r->denied_src, "denied_sources", "source",
	    NULL) == -1 ||
	    report_json_list(f, r->denied_net, "denied_netblocks", "netblock",
	    NULL) == -1 ||
	    report_json_drops(f, r) == -1 ||
	    report_json_ident(f, r) == -1 ||
	    report_json_config(f, r) == -1)
		return -1;
	fputs("\n}\n", f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}

/* The verifier's result. */
static void
report_json_check(FILE *f, const struct report *r)
{
	const struct report_check *c = r->check;
	size_t i;

	fprintf(f, "\"verification\": {\"sealed_records\": %" PRIu64
	    ", \"checked\": %s", r->sealed, c != NULL && c->keyed ? "true" :
	    "false");
	if (c != NULL && c->keyed) {
		fprintf(f, ", \"intact\": %s, \"records\": %zu, \"epochs\": %zu, "
		    "\"verified\": %zu, \"key_opens_no_epoch\": %s, "
		    "\"findings\": %lu, \"first_findings\": [",
		    c->findings == 0 ? "true" : "false", c->records, c->epochs,
		    c->verified, c->key_mismatch ? "true" : "false",
		    c->findings);
		for (i = 0; i < c->ntext; i++) {
			fputs(i > 0 ? ", " : "", f);
			report_json_str(f, c->text[i]);
		}
		fprintf(f, "], \"host_keys\": %zu, \"unauthenticated\": %zu, "
		    "\"unclean\": %zu, \"running\": %zu, \"unsealed\": %zu, "
		    "\"secret_is_public\": %s, \"hosts\": [", c->hostkeys,
		    c->unauthenticated, c->unclean, c->running, c->unsealed,
		    c->secret_is_public ? "true" : "false");
		for (i = 0; i < c->nhosts; i++) {
			fputs(i > 0 ? ",\n  " : "\n  ", f);
			fputs("{\"host\": ", f);
			report_json_host(f, c->hosts[i].name,
			    strlen(c->hosts[i].name));
			fprintf(f, ", \"epochs\": %zu, \"records\": %zu, "
			    "\"verified\": %zu, \"findings\": %lu, "
			    "\"unauthenticated\": %zu}", c->hosts[i].epochs,
			    c->hosts[i].records, c->hosts[i].verified,
			    c->hosts[i].findings, c->hosts[i].unauthenticated);
		}
		fputs("], \"epochs\": [", f);
		for (i = 0; i < c->nep; i++) {
			fputs(i > 0 ? ",\n  " : "\n  ", f);
			fprintf(f, "{\"epoch\": \"%s\", \"host\": ", c->ep[i].id);
			report_json_host(f, c->hosts[c->ep[i].host].name,
			    strlen(c->hosts[c->ep[i].host].name));
			fprintf(f, ", \"records\": %zu, \"verified\": %zu, "
			    "\"findings\": %lu, \"opened\": %s, \"stopped\": "
			    "%s, \"unclean\": %s, \"running\": %s, "
			    "\"origin\": \"%s\", \"signer\": ",
			    c->ep[i].records, c->ep[i].verified,
			    c->ep[i].findings, c->ep[i].opened ? "true" : "false",
			    c->ep[i].stopped ? "true" : "false",
			    c->ep[i].unclean ? "true" : "false",
			    c->ep[i].running ? "true" : "false",
			    report_print_auth(c->ep[i].auth));
			if (c->ep[i].signer == NULL)
				fputs("null}", f);
			else {
				report_json_bytes(f, c->ep[i].signer,
				    strlen(c->ep[i].signer));
				fputc('}', f);
			}
		}
		fputs("]", f);
	}
	fputs("},\n", f);
}

/* The period and what was read. -1: out of memory. */
static int
report_json_input(FILE *f, struct report *r)
{
	size_t i;

	fputs("\"period\": {\"first\": ", f);
	report_json_time(f, r->first_us);
	fputs(", \"last\": ", f);
	report_json_time(f, r->last_us);
	fputs(", \"since\": ", f);
	report_json_time(f, r->o.since_us);
	fputs(", \"until\": ", f);
	report_json_time(f, r->o.until_us);
	fprintf(f, "},\n\"input\": {\"lines\": %" PRIu64 ", \"records\": %"
	    PRIu64 ", \"hosts\": ", r->lines, r->records);
	if (report_json_map(f, r->hosts, 1) == -1)
		return -1;
	fputs(", \"events\": ", f);
	if (report_json_map(f, r->evnames, 0) == -1)
		return -1;
	fprintf(f, ", \"outside_period\": %" PRIu64 ", \"undated\": %"
	    PRIu64 ", \"undated_not_counted\": %" PRIu64 ", \"unknown_keys\": "
	    "{\"records\": %" PRIu64 ", \"keys\": ", r->outside, r->undated,
	    r->undated_skipped, r->unknown);
	if (report_json_map(f, r->ukeys, 0) == -1)
		return -1;
	fprintf(f, "}, \"unparsed\": {\"count\": %" PRIu64 ", \"first\": [",
	    r->unparsed);
	for (i = 0; i < r->unparsed && i < REPORT_SHOWN; i++) {
		fputs(i > 0 ? ", " : "", f);
		fputs("{\"file\": ", f);
		report_json_bytes(f, r->bad[i].file, strlen(r->bad[i].file));
		fprintf(f, ", \"line\": %lu, \"why\": ", r->bad[i].line);
		report_json_str(f, r->bad[i].why);
		fprintf(f, ", \"cut\": %s, \"text\": ", r->bad[i].cut ? "true" :
		    "false");
		report_json_str(f, r->bad[i].text);
		fputs("}", f);
	}
	fputs("]}}", f);
	return 0;
}

/*
 * A small table as an object {"KEY": count, ...}, most first; host: its
 * keys are host names (report_json_host).
 */
static int
report_json_map(FILE *f, struct report_table *t, int host)
{
	struct report_entry **v;
	const char *k;
	size_t n, i, kl;

	if ((v = report_table_sorted(t, &n)) == NULL)
		return -1;
	fputc('{', f);
	for (i = 0; i < n; i++) {
		k = report_key_part(v[i], 0, &kl);
		fputs(i > 0 ? ", " : "", f);
		if (host)
			report_json_host(f, k, kl);
		else
			report_json_bytes(f, k, kl);
		fprintf(f, ": %" PRIu64, report_sure(v[i]));
	}
	fputc('}', f);
	free(v);
	return 0;
}

/* The histogram's rows. */
static int
report_json_hist(FILE *f, struct report *r)
{
	static const char *const units[] = { "hour", "day", "month", "year" };
	struct report_hist_row *v;
	enum report_unit u;
	char label[32];
	size_t n, i;

	if (report_hist_rows(r, &v, &n, &u) == -1)
		return -1;
	fprintf(f, ",\n\"histogram\": {\"unit\": \"%s\", \"rows\": [",
	    units[u]);
	for (i = 0; i < n; i++) {
		report_hist_label(label, sizeof(label), &v[i], u,
		    REPORT_LABEL_JSON);
		fprintf(f, "%s\n  {\"start\": \"%s\", \"allow\": %" PRIu64
		    ", \"deny\": %" PRIu64 ", \"drop\": %" PRIu64 "}",
		    i > 0 ? "," : "", label, v[i].n[0], v[i].n[1], v[i].n[2]);
	}
	fprintf(f, "], \"others\": %" PRIu64 "}",
	    report_table_others(r->hours));
	free(v);
	return 0;
}

/*
 * A table as a list of {name: key part 0, [name2: key part 1,] count,
 * at_most_more, allow, deny, drop, first, last} and its others count.
 */
static int
report_json_list(FILE *f, struct report_table *t, const char *title,
    const char *name, const char *name2)
{
	struct report_entry **v;
	const char *k;
	size_t n, i, kl;

	if ((v = report_table_sorted(t, &n)) == NULL)
		return -1;
	fprintf(f, ",\n\"%s\": {\"rows\": [", title);
	for (i = 0; i < n; i++) {
		k = report_key_part(v[i], 0, &kl);
		fprintf(f, "%s\n  {\"%s\": ", i > 0 ? "," : "", name);
		report_json_bytes(f, k, kl);
		if (name2 != NULL) {
			k = report_key_part(v[i], 1, &kl);
			fprintf(f, ", \"%s\": ", name2);
			if (kl == 0)
				fputs("null", f);
			else
				report_json_bytes(f, k, kl);
		}
		fprintf(f, ", \"count\": %" PRIu64 ", \"at_most_more\": %"
		    PRIu64 ", \"allow\": %" PRIu64 ", \"deny\": %" PRIu64
		    ", \"drop\": %" PRIu64 ", \"first\": ", report_sure(v[i]),
		    v[i]->err, v[i]->n[0], v[i]->n[1], v[i]->n[2]);
		report_json_time(f, v[i]->first_us);
		fputs(", \"last\": ", f);
		report_json_time(f, v[i]->last_us);
		fputs("}", f);
	}
	fprintf(f, "], \"others\": %" PRIu64 "}", report_table_others(t));
	free(v);
	return 0;
}

/* Drops: per limit, its total and the sources. */
static int
report_json_drops(FILE *f, struct report *r)
{
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
	fputs(",\n\"drops\": {", f);
	for (i = 0; i < nl; i++) {
		k = report_key_part(lim[i], 0, &kl);
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		report_json_bytes(f, k, kl);
		fprintf(f, ": {\"count\": %" PRIu64 ", \"sources\": [",
		    report_sure(lim[i]));
		sum = 0;
		for (j = 0, shown = 0; (e = report_group_next(v, n, &j, k, kl,
		    &s, &sl)) != NULL; shown++) {
			sum += report_sure(e);
			fputs(shown > 0 ? ", " : "", f);
			fputs("{\"source\": ", f);
			report_json_bytes(f, s, sl);
			fprintf(f, ", \"count\": %" PRIu64 ", \"at_most_more\": %"
			    PRIu64 "}", report_sure(e), e->err);
		}
		fprintf(f, "], \"others\": %" PRIu64 "}",
		    report_sure(lim[i]) > sum ? report_sure(lim[i]) - sum : 0);
	}
	fputs("}", f);
	free(v);
	free(lim);
	return 0;
}

/* Ident: the statuses, error types, and the names claimed per netblock. */
static int
report_json_ident(FILE *f, struct report *r)
{
	static const char *const names[] = { "ok", "error", "timeout",
	    "refused", "unreachable", "malformed", "skipped", "other" };
	struct report_entry **v, **nets, *e;
	const char *k, *s;
	size_t n, nn, i, j, kl, sl, shown;
	int st;

	fputs(",\n\"ident\": {\"status\": {", f);
	for (st = 0; st < REPORT_NSTATUS; st++)
		fprintf(f, "%s\"%s\": %" PRIu64, st > 0 ? ", " : "", names[st],
		    r->status[st]);
	fputs("}, \"error_types\": ", f);
	if (report_json_map(f, r->errtypes, 0) == -1)
		return -1;
	if ((nets = report_table_sorted(r->named, &nn)) == NULL)
		return -1;
	if ((v = report_table_sorted(r->names, &n)) == NULL) {
		free(nets);
		return -1;
	}
	fprintf(f, ", \"config_known\": %s, \"names\": [",
	    r->conf.ok ? "true" : "false");
	for (i = 0; i < nn; i++) {
		k = report_key_part(nets[i], 0, &kl);
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		fputs("{\"netblock\": ", f);
		if (kl == 0)
			fputs("null", f);
		else
			report_json_bytes(f, k, kl);
		fprintf(f, ", \"user_rules\": %s, \"answers\": %" PRIu64
		    ", \"names\": [", r->conf.ok && report_config_user(r, k, kl,
		    NULL, 0) ? "true" : "false", report_sure(nets[i]));
		for (j = 0, shown = 0; (e = report_group_next(v, n, &j, k, kl,
		    &s, &sl)) != NULL; shown++) {
			fputs(shown > 0 ? ", " : "", f);
			fputs("{\"name\": ", f);
			report_json_bytes(f, s, sl);
			fprintf(f, ", \"count\": %" PRIu64 ", \"at_most_more\": %"
			    PRIu64 ", \"user_rule\": %s}", report_sure(e),
			    e->err, r->conf.ok && report_config_user(r, k,
			    kl, s, sl) ? "true" : "false");
		}
		fputs("]}", f);
	}
	fprintf(f, "], \"names_others\": %" PRIu64 "}",
	    report_table_others(r->names));
	free(v);
	free(nets);
	return 0;
}
