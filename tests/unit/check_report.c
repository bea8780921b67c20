/* SPDX-License-Identifier: ISC */
/*
 * report_suite: audit/report.c and the page. Known lines counted number
 * by number; what does not parse (kept, escaped, the first few); unknown
 * keys; the period; hostile lines (binary junk, a cut 1 MB line, forged
 * fields, names built to break columns) and the page staying printable
 * ASCII in 80 columns; -T's rule lines (report_config_line); the
 * histogram's hours across a summer time's end and start (and one of
 * half an hour).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/record.h"
#include "audit/report.h"
#include "audit/report_config.h"
#include "audit/report_int.h"
#include "audit/report_print.h"
#include "tests/unit/suites.h"

#define US	1000000LL
#define NOW	(1795689172LL * US)	/* 2026-11-26 10:32:52 UTC */
#define HDR	"2026-11-26T10:00:01.000000+00:00 gw daytimed[9]: "
#define REC(peer, dec, rule, ident, st, net) \
	"conn=00000000000000aa proto=tcp peer=" peer " local=127.0.0.1:13 " \
	"decision=" dec " rule=" rule " ident=" ident " ident_status=" st \
	net " duration_us=5 bytes=0"
#define HEX64	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"

/* UTC and libsodium for every test. */
static void
setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_ge(sodium_init(), 0);
}

/* A report with no period, 10 rows per list, cap 64. */
static struct report *
new_report(void)
{
	struct report_opts o;
	struct report *r;

	memset(&o, 0, sizeof(o));
	o.now_us = NOW;
	o.since_us = o.until_us = REPORT_TIME_NONE;
	o.cap = 64;
	o.top = 10;
	r = report_new(&o);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Feed a C string line. */
static void
line(struct report *r, const char *s)
{
	static unsigned long n;

	ck_assert_int_eq(report_line(r, "t.log", ++n, s, strlen(s), 0), 0);
}

/* The certain count of key in t (0 when not kept). */
static uint64_t
count(struct report_table *t, const void *key, size_t len)
{
	struct report_entry *e = report_table_find(t, key, len);

	return e == NULL ? 0 : e->count - e->err;
}

/* The page (or JSON) as a string; the caller frees it. */
static char *
page(struct report *r, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json ? report_json(r, f) : report_print(r, f), 0);
	fclose(f);
	return buf;
}

/* Every line of text is printable ASCII and at most 80 columns. */
static void
check_page(const char *text)
{
	const char *p, *nl;
	size_t i;

	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg((size_t)(nl - p) <= 80, "line of %zu columns: "
		    "%.*s", (size_t)(nl - p), (int)(nl - p), p);
		for (i = 0; p + i < nl; i++)
			ck_assert_msg(p[i] >= 0x20 && p[i] < 0x7f, "byte %02x",
			    (unsigned char)p[i]);
	}
}

START_TEST(test_report_counts)
{
	struct report *r = new_report();

	line(r, HDR "event=start version=0.1.0 config=/etc/d.conf");
	line(r, HDR REC("10.0.0.1:1000", "allow", "/etc/d.conf:3", "alice",
	    "ok", " netblock=10.0.0.0/8"));
	line(r, HDR REC("10.0.0.2:1000", "allow", "/etc/d.conf:3", "alice",
	    "ok", " netblock=10.0.0.0/8"));
	line(r, HDR REC("10.0.0.3:1000", "deny", "default", "-",
	    "error:NO-USER", " netblock=10.0.0.0/8"));
	line(r, HDR REC("[2001:db8::1]:1000", "deny", "default", "-",
	    "timeout", ""));
	line(r, HDR REC("[2001:db8::1]:1001", "deny", "default", "-",
	    "refused", ""));
	line(r, HDR REC("192.0.2.9:1000", "drop", "limit:per-source", "-",
	    "skipped", ""));
	line(r, "Nov 26 10:00:01 gw sshd[1]: Accepted publickey for root");
	line(r, HDR "stopping on signal 15");	/* operational: no record */

	ck_assert_uint_eq(r->lines, 9);
	ck_assert_uint_eq(r->records, 6);
	ck_assert_uint_eq(r->events, 1);
	ck_assert_uint_eq(r->unparsed, 0);
	ck_assert_uint_eq(r->totals[REPORT_TCP4][REPORT_ALLOW], 2);
	ck_assert_uint_eq(r->totals[REPORT_TCP4][REPORT_DENY], 1);
	ck_assert_uint_eq(r->totals[REPORT_TCP6][REPORT_DENY], 2);
	ck_assert_uint_eq(r->totals[REPORT_TCP4][REPORT_DROP], 1);
	ck_assert_uint_eq(r->status[REPORT_ST_OK], 2);
	ck_assert_uint_eq(r->status[REPORT_ST_ERROR], 1);
	ck_assert_uint_eq(r->status[REPORT_ST_TIMEOUT], 1);
	ck_assert_uint_eq(r->status[REPORT_ST_REFUSED], 1);
	ck_assert_uint_eq(r->status[REPORT_ST_SKIPPED], 1);
	ck_assert_uint_eq(count(r->rules, "/etc/d.conf:3\0" "10.0.0.0/8",
	    24), 2);
	ck_assert_uint_eq(count(r->rules, "default\0" "10.0.0.0/8", 18), 1);
	ck_assert_uint_eq(count(r->rules, "default\0", 8), 2);
	ck_assert_uint_eq(count(r->denied_src, "2001:db8::1", 11), 2);
	ck_assert_uint_eq(count(r->denied_net, "", 0), 2);
	ck_assert_uint_eq(count(r->drops, "per-source\0" "192.0.2.9", 20), 1);
	ck_assert_uint_eq(count(r->names, "10.0.0.0/8\0alice", 16), 2);
	ck_assert_uint_eq(count(r->errtypes, "NO-USER", 7), 1);
	ck_assert_uint_eq(report_table_find(r->nets, "10.0.0.0/8",
	    10)->n[REPORT_DEFAULT], 1);
	ck_assert_int_eq(r->first_us, 1795687201LL * US);
	report_free(r);
}
END_TEST

/* A name row of the page: count 2, the name as record_escape writes it. */
static void
want(const char *text, const char *name)
{
	char esc[128], row[160];

	record_escape(esc, sizeof(esc), name, strlen(name));
	snprintf(row, sizeof(row), " 2    %s\n", esc);
	ck_assert_msg(strstr(text, row) != NULL, "no row \"%s\" in:\n%s", row,
	    text);
}

/*
 * A log across the upgrade to grep-safe records and chain v2: the first
 * release's lines ('=' raw in values, a claimed "-" bare) and today's
 * ('=' as \x3d, a claimed "-" quoted; time=, epoch=, seq=, mac= of 32
 * digits; a signed start naming its previous epoch) are counted as one:
 * the same name is one row, no line is unparsed, no key unknown.
 */
START_TEST(test_report_old_and_new_format)
{
	struct report *r = new_report();
	char *text;

	/* the first release */
	line(r, HDR REC("10.0.0.1:1", "allow", "/etc/d.conf:3", "a=b", "ok",
	    " netblock=10.0.0.0/8"));
	line(r, HDR REC("10.0.0.1:2", "allow", "/etc/d.conf:3",
	    "\"x decision=deny\"", "ok", " netblock=10.0.0.0/8"));
	line(r, HDR REC("10.0.0.1:3", "deny", "/etc/d.conf:4", "-", "ok",
	    " netblock=10.0.0.0/8"));
	/* grep-safe records, chain v2 */
	line(r, HDR "event=start version=0.2.0 config=/etc/d.conf "
	    "prev=734ba77b94583146:4:stop sealed_to=" HEX64 " sealed=" HEX64
	    HEX64 " host_key=" HEX64 " sig=" HEX64 HEX64
	    " time=2026-11-26T10:00:02.000000Z epoch=1133b10482260edb seq=0 "
	    "mac=0cf4a32342335a030bd28d66bf88889b");
	line(r, HDR REC("10.0.0.1:4", "allow", "/etc/d.conf:3", "\"a\\x3db\"",
	    "ok", " netblock=10.0.0.0/8") " time=2026-11-26T10:00:03.000000Z "
	    "epoch=1133b10482260edb seq=1 mac=4054063cb260995d5dfd68352113ea09");
	line(r, HDR REC("10.0.0.1:5", "allow", "/etc/d.conf:3",
	    "\"x decision\\x3ddeny\"", "ok", " netblock=10.0.0.0/8")
	    " time=2026-11-26T10:00:04.000000Z epoch=1133b10482260edb seq=2 "
	    "mac=1308ddd328a769595156a08779b7c397");
	line(r, HDR REC("10.0.0.1:6", "deny", "/etc/d.conf:4", "\"-\"", "ok",
	    " netblock=10.0.0.0/8") " time=2026-11-26T10:00:05.000000Z "
	    "epoch=1133b10482260edb seq=3 mac=3ebe8803556f60bf423cf15f1ddd7d12");
	line(r, HDR REC("10.0.0.1:7", "deny", "default", "-", "timeout",
	    " netblock=10.0.0.0/8") " time=2026-11-26T10:00:06.000000Z "
	    "epoch=1133b10482260edb seq=4 mac=e1d95b17ac348dac3b47c32e34c64b84");

	/* journalctl -o cat: no header, so no host (counted under "") */
	line(r, REC("10.0.0.1:8", "deny", "default", "-", "timeout",
	    " netblock=10.0.0.0/8") " time=2026-11-26T10:00:06.000000Z "
	    "epoch=1133b10482260edb seq=5 mac=e1d95b17ac348dac3b47c32e34c64b84");
	ck_assert_uint_eq(count(r->hosts, "gw", 2), 7);
	ck_assert_uint_eq(count(r->hosts, "", 0), 1);

	ck_assert_uint_eq(r->unparsed, 0);
	ck_assert_uint_eq(r->unknown, 0);
	ck_assert_uint_eq(r->records, 8);
	ck_assert_uint_eq(r->events, 1);
	ck_assert_uint_eq(r->sealed, 6);
	ck_assert_uint_eq(r->totals[REPORT_TCP4][REPORT_ALLOW], 4);
	ck_assert_uint_eq(r->totals[REPORT_TCP4][REPORT_DENY], 4);
	ck_assert_uint_eq(r->status[REPORT_ST_OK], 6);
	ck_assert_uint_eq(r->status[REPORT_ST_TIMEOUT], 2);
	ck_assert_uint_eq(count(r->names, "10.0.0.0/8\0a=b", 14), 2);
	ck_assert_uint_eq(count(r->names, "10.0.0.0/8\0x decision=deny", 26),
	    2);
	ck_assert_uint_eq(count(r->names, "10.0.0.0/8\0-", 12), 2);
	ck_assert_uint_eq(count(r->rules, "/etc/d.conf:3\0" "10.0.0.0/8",
	    24), 4);
	ck_assert_int_eq(r->last_us, 1795687206LL * US);
	text = page(r, 0);
	check_page(text);
	/* shown once each, as the escaper writes them (record_escape) */
	want(text, "x decision=deny");
	want(text, "-");
	free(text);
	report_free(r);
}
END_TEST

START_TEST(test_report_unparsed)
{
	struct report *r = new_report();
	char big[1024 * 1024], *text;
	size_t i;

	line(r, HDR "conn=00000000000000aa proto=tcp peer=\"unterminated");
	line(r, HDR REC("10.0.0.1:1000", "maybe", "default", "-", "ok", ""));
	line(r, HDR REC("10.0.0.1", "deny", "default", "-", "ok", ""));
	line(r, HDR "conn=00000000000000aa decision=allow decision=deny");
	line(r, HDR "conn=\x01\x02\xff\xfe binary junk \x1b[2J");
	line(r, HDR REC("10.0.0.1:1000", "deny", "default", "-", "ok", "")
	    " time=yesterday");
	ck_assert_uint_eq(r->unparsed, 6);
	ck_assert_uint_eq(r->records, 0);
	ck_assert_str_eq(r->bad[0].why, "an unterminated quote");
	ck_assert_str_eq(r->bad[4].why, "a raw control or high byte in a "
	    "value");
	/* kept escaped: no control byte survives */
	for (i = 0; i < REPORT_SHOWN; i++)
		ck_assert_int_eq(record_has_ctl(r->bad[i].text,
		    strlen(r->bad[i].text)), 0);
	/* a 1 MB line, cut by the reader: counted, its start kept */
	memset(big, 'A', sizeof(big));
	memcpy(big, HDR "conn=", sizeof(HDR "conn=") - 1);
	ck_assert_int_eq(report_line(r, "t.log", 99, big, REPORT_LINE_MAX, 1),
	    0);
	ck_assert_uint_eq(r->unparsed, 7);
	/* binary junk that is no record: not even a look */
	ck_assert_int_eq(report_line(r, "t.log", 100, big + 100, 5000, 0), 0);
	ck_assert_uint_eq(r->unparsed, 7);
	text = page(r, 0);
	check_page(text);
	free(text);
	report_free(r);
}
END_TEST

/*
 * A drop names the source its limit charged (source=, the peer cut to
 * the source prefix): the drops are counted by it, one /64 one row, and
 * the key is known. A drop without one is counted by its peer.
 */
START_TEST(test_report_drop_source)
{
	struct report *r = new_report();
	char *text;

	line(r, HDR REC("[2001:db8:1:1::2]:9", "drop", "limit:rate", "-",
	    "skipped", " source=2001:db8:1:1::/64"));
	line(r, HDR REC("[2001:db8:1:1::3]:9", "drop", "limit:rate", "-",
	    "skipped", " source=2001:db8:1:1::/64"));
	line(r, HDR REC("[2001:db8:1:1::4]:9", "drop", "limit:rate", "-",
	    "skipped", " source=2001:db8:1:1::/64"));
	line(r, HDR REC("192.0.2.9:9", "drop", "limit:connections", "-",
	    "skipped", ""));
	/* a whole address charged is the address, as without source= */
	line(r, HDR REC("192.0.2.7:9", "drop", "limit:rate", "-",
	    "skipped", " source=192.0.2.7/32"));
	line(r, HDR REC("[2001:db8::7]:9", "drop", "limit:rate", "-",
	    "skipped", " source=2001:db8::7/128"));
	line(r, HDR REC("192.0.2.10:9", "drop", "limit:rate", "-",
	    "skipped", " source=\"\""));
	ck_assert_uint_eq(r->records, 6);
	ck_assert_uint_eq(r->unparsed, 1);
	ck_assert_uint_eq(r->unknown, 0);
	ck_assert_uint_eq(count(r->ukeys, "source", 6), 0);
	ck_assert_uint_eq(count(r->drops, "rate\0" "2001:db8:1:1::/64", 22),
	    3);
	ck_assert_uint_eq(count(r->drops, "rate\0" "2001:db8:1:1::2", 20), 0);
	ck_assert_uint_eq(count(r->drops, "connections\0" "192.0.2.9", 21),
	    1);
	ck_assert_uint_eq(count(r->drops, "rate\0" "192.0.2.7", 14), 1);
	ck_assert_uint_eq(count(r->drops, "rate\0" "2001:db8::7", 16), 1);
	text = page(r, 0);
	ck_assert_ptr_nonnull(strstr(text, "3  2001:db8:1:1::/64\n"));
	ck_assert_ptr_null(strstr(text, "keys this version does not know"));
	check_page(text);
	free(text);
	text = page(r, 1);
	ck_assert_ptr_nonnull(strstr(text, "{\"source\": \"2001:db8:1:1::/64\", "
	    "\"count\": 3,"));
	free(text);
	report_free(r);
}
END_TEST

START_TEST(test_report_unknown_keys)
{
	struct report *r = new_report();

	line(r, HDR REC("10.0.0.1:1000", "allow", "default", "-", "skipped",
	    "") " color=blue shade=\"dark red\"");
	line(r, HDR REC("10.0.0.1:1000", "allow", "default", "-", "skipped",
	    "") " color=red");
	line(r, HDR "event=reload result=ok rules=3 brand_new=1");
	ck_assert_uint_eq(r->records, 2);
	ck_assert_uint_eq(r->unknown, 2);
	ck_assert_uint_eq(count(r->ukeys, "color", 5), 2);
	ck_assert_uint_eq(count(r->ukeys, "shade", 5), 1);
	ck_assert_uint_eq(count(r->ukeys, "brand_new", 9), 0);
	ck_assert_uint_eq(count(r->evnames, "reload", 6), 1);
	report_free(r);
}
END_TEST

START_TEST(test_report_period)
{
	struct report_opts o;
	struct report *r;

	memset(&o, 0, sizeof(o));
	o.now_us = NOW;
	o.since_us = 1795687200LL * US;		/* 10:00:00 */
	o.until_us = 1795690800LL * US;		/* 11:00:00 */
	o.cap = 64;
	o.top = 10;
	r = report_new(&o);
	line(r, "2026-11-26T09:59:59Z h daytimed[1]: " REC("10.0.0.1:1",
	    "allow", "default", "-", "skipped", ""));
	line(r, "2026-11-26T10:00:00Z h daytimed[1]: " REC("10.0.0.1:1",
	    "allow", "default", "-", "skipped", ""));
	line(r, "2026-11-26T11:00:00Z h daytimed[1]: " REC("10.0.0.1:1",
	    "allow", "default", "-", "skipped", ""));
	/* time= wins over the header */
	line(r, "2026-11-26T12:00:00Z h daytimed[1]: " REC("10.0.0.1:1",
	    "allow", "default", "-", "skipped", "")
	    " time=2026-11-26T10:30:00.000000Z");
	/* journalctl -o cat: no time at all */
	line(r, REC("10.0.0.1:1", "allow", "default", "-", "skipped", ""));
	ck_assert_uint_eq(r->records, 2);
	ck_assert_uint_eq(r->outside, 2);
	ck_assert_uint_eq(r->undated, 1);
	ck_assert_uint_eq(r->undated_skipped, 1);
	ck_assert_int_eq(r->last_us, 1795689000LL * US);
	report_free(r);
}
END_TEST

START_TEST(test_report_hostile_names)
{
	struct report *r = new_report();
	char rec[4096], name[600], esc[1200], *text, *p;
	size_t i;

	/* a name of every kind of trouble, and one too long for a column */
	for (i = 0; i < sizeof(name) - 1; i++)
		name[i] = "\x1b[2J\r\n\"\\ =x\xff\t"[i % 13];
	name[sizeof(name) - 1] = '\0';
	record_escape(esc, sizeof(esc), name, strlen(name));
	snprintf(rec, sizeof(rec), HDR REC("10.0.0.1:1", "allow",
	    "\"/etc/a dir/with spaces and a very long name.rules:7\"", "%s",
	    "ok", " netblock=10.0.0.0/8"), esc);
	line(r, rec);
	line(r, HDR REC("10.0.0.1:1", "allow", "default",
	    "\"root\\x1b[31m \\\"x\\\" decision=allow\"", "ok",
	    " netblock=10.0.0.0/8"));
	ck_assert_uint_eq(r->records, 2);
	ck_assert_uint_eq(r->status[REPORT_ST_OK], 2);
	text = page(r, 0);
	check_page(text);
	/* shown as the escaper writes it: '=' too is \x3d in quotes */
	ck_assert_ptr_nonnull(strstr(text, "\"root\\x1b[31m \\\"x\\\" "
	    "decision\\x3dallow\""));
	/* the decision column of that row is still "allow" */
	p = strstr(text, "Deciding rules");
	ck_assert_ptr_nonnull(p);
	free(text);
	text = page(r, 1);
	for (p = text; *p != '\0'; p++)
		ck_assert(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	free(text);
	report_free(r);
}
END_TEST

START_TEST(test_report_bounded)
{
	struct report *r = new_report();	/* cap 64 */
	char rec[512], *text;
	size_t i;

	for (i = 0; i < 5000; i++) {
		snprintf(rec, sizeof(rec), HDR "conn=00000000000000aa proto=udp "
		    "peer=10.%zu.%zu.1:1 local=127.0.0.1:13 decision=deny "
		    "rule=default ident=- ident_status=skipped duration_us=1 "
		    "bytes=0", i / 256, i % 256);
		line(r, rec);
		if (i % 4 == 0)
			line(r, HDR REC("203.0.113.5:1", "deny", "default", "-",
			    "skipped", ""));
	}
	ck_assert_uint_eq(r->records, 6250);
	ck_assert_uint_eq(count(r->denied_src, "203.0.113.5", 11), 1250);
	ck_assert_uint_gt(report_table_others(r->denied_src), 0);
	text = page(r, 0);
	check_page(text);
	free(text);
	report_free(r);
}
END_TEST

/* One allowed record at the RFC 3339 time t (a zone in it). */
static void
line_at(struct report *r, const char *t)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s gw daytimed[9]: %s", t,
	    REC("10.0.0.1:1000", "allow", "/etc/d.conf:3", "alice", "ok", ""));
	line(r, buf);
}

/*
 * Europe/Berlin's fall back on 2026-10-25: 02:00-03:00 happens twice,
 * at +0200, then at +0100. Two rows, each with its offset, on the page
 * and in JSON; the header names both offsets.
 */
START_TEST(test_report_fall_back)
{
	static const struct {
		int64_t	key;
		long	off;
	} want[] = {
		{ 2026102501, 7200 }, { 2026102502, 7200 },
		{ 2026102502, 3600 }, { 2026102503, 3600 },
	};
	struct report_hist_row *v;
	enum report_unit u;
	struct report *r;
	size_t n, i;
	char *p;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	r = new_report();
	line_at(r, "2026-10-24T23:30:00.000000Z");	/* 01:30 CEST */
	line_at(r, "2026-10-25T00:10:00.000000Z");	/* 02:10 CEST */
	line_at(r, "2026-10-25T00:59:57.000000Z");	/* 02:59:57 CEST */
	line_at(r, "2026-10-25T01:00:01.000000Z");	/* 02:00:01 CET */
	line_at(r, "2026-10-25T02:30:00.000000+01:00");	/* 02:30 CET */
	line_at(r, "2026-10-25T02:30:00.000000Z");	/* 03:30 CET */
	ck_assert_int_eq(report_hist_rows(r, &v, &n, &u), 0);
	ck_assert_int_eq(u, REPORT_HOUR);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(v[i].key, want[i].key);
		ck_assert_int_eq(v[i].off, want[i].off);
		ck_assert_uint_eq(v[i].n[0], i == 0 || i == 3 ? 1 : 2);
	}
	free(v);
	p = page(r, 0);
	check_page(p);
	ck_assert_ptr_nonnull(strstr(p,
	    "(times are local, UTC+0200 and UTC+0100)\n"));
	ck_assert_ptr_nonnull(strstr(p, "\n  2026-10-25 02:00 +0200 "));
	ck_assert_ptr_nonnull(strstr(p, "\n  2026-10-25 02:00 +0100 "));
	free(p);
	p = page(r, 1);
	ck_assert_ptr_nonnull(strstr(p, "{\"start\": \"2026-10-25T02:00:00+02:00"
	    "\", \"allow\": 2,"));
	ck_assert_ptr_nonnull(strstr(p, "{\"start\": \"2026-10-25T02:00:00+01:00"
	    "\", \"allow\": 2,"));
	free(p);
	report_free(r);
}
END_TEST

/*
 * The spring forward on 2026-03-29: 02:00-03:00 never happens, so no row
 * names it; one offset in the period: the rows and header as ever.
 */
START_TEST(test_report_spring_forward)
{
	struct report_hist_row *v;
	enum report_unit u;
	struct report *r;
	size_t n;
	char *p;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	r = new_report();
	line_at(r, "2026-03-29T00:30:00.000000Z");	/* 01:30 CET */
	line_at(r, "2026-03-29T01:30:00.000000Z");	/* 03:30 CEST */
	ck_assert_int_eq(report_hist_rows(r, &v, &n, &u), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0].key, 2026032901);
	ck_assert_int_eq(v[0].off, 3600);
	ck_assert_int_eq(v[1].key, 2026032903);
	ck_assert_int_eq(v[1].off, 7200);
	free(v);
	report_free(r);
	/* in summer only: no offsets on the rows */
	r = new_report();
	line_at(r, "2026-07-01T10:30:00.000000Z");
	line_at(r, "2026-07-01T12:30:00.000000Z");
	p = page(r, 0);
	check_page(p);
	ck_assert_ptr_nonnull(strstr(p, "(times are local, UTC+0200)\n"));
	ck_assert_ptr_nonnull(strstr(p, "\n  2026-07-01 13:00 "));
	ck_assert_ptr_null(strstr(p, "13:00 +0200"));
	free(p);
	report_free(r);
}
END_TEST

/*
 * Australia/Lord_Howe's fall back by half an hour (2026-04-05, 02:00 +11
 * to 01:30 +1030): hour 01 is two rows, each with its own records.
 */
START_TEST(test_report_half_hour)
{
	static const int64_t key[] = { 2026040501, 2026040501, 2026040502,
	    2026040503 };
	static const long off[] = { 39600, 37800, 37800, 37800 };
	struct report_hist_row *v;
	enum report_unit u;
	struct report *r;
	size_t n, i;
	char *p;

	setenv("TZ", "Australia/Lord_Howe", 1);
	tzset();
	r = new_report();
	line_at(r, "2026-04-05T01:15:00.000000+11:00");
	line_at(r, "2026-04-05T01:45:00.000000+11:00");
	line_at(r, "2026-04-05T01:45:00.000000+10:30");
	line_at(r, "2026-04-05T02:15:00.000000+10:30");
	line_at(r, "2026-04-05T03:15:00.000000+10:30");
	ck_assert_int_eq(report_hist_rows(r, &v, &n, &u), 0);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(v[i].key, key[i]);
		ck_assert_int_eq(v[i].off, off[i]);
		ck_assert_uint_eq(v[i].n[0], i == 0 ? 2 : 1);
	}
	free(v);
	p = page(r, 1);
	ck_assert_ptr_nonnull(strstr(p, "{\"start\": \"2026-04-05T01:00:00+11:00"
	    "\", \"allow\": 2,"));
	ck_assert_ptr_nonnull(strstr(p, "{\"start\": \"2026-04-05T01:00:00+10:30"
	    "\", \"allow\": 1,"));
	free(p);
	report_free(r);
}
END_TEST

START_TEST(test_report_config_line)
{
	struct report_crule c;
	const char *s;

	/* as daytimed -T writes them (config_show.c) */
	s = "allow 10.0.0.0/8 user alice             # "
	    "/etc/daytimed/daytimed.conf:12";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_int_eq(c.deny, 0);
	ck_assert_int_eq(c.has_user, 1);
	ck_assert_mem_eq(c.user, "alice", 5);
	ck_assert_mem_eq(c.net, "10.0.0.0/8", 10);
	ck_assert_uint_eq(c.rulelen, 30);
	ck_assert_mem_eq(c.rule, "/etc/daytimed/daytimed.conf:12", 30);
	s = "deny ::1/128                            # /etc/my rules.d/x:3";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_int_eq(c.deny, 1);
	ck_assert_int_eq(c.has_user, 0);
	ck_assert_uint_eq(c.rulelen, 19);
	ck_assert_mem_eq(c.rule, "/etc/my rules.d/x:3", 19);
	/* control bytes of a file name come back; other bytes as they are */
	s = "allow 10.0.0.0/8 # /etc/a\\x1b\\x7fb\\x41\xc3\xa9.conf:4";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_uint_eq(c.rulelen, 22);
	ck_assert_mem_eq(c.rule, "/etc/a\x1b\x7f" "b\\x41\xc3\xa9.conf:4", 22);
	/* the record's quoted form reads too */
	s = "allow 10.0.0.0/8 # \"/etc/my rules:3\"";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_mem_eq(c.rule, "/etc/my rules:3", 15);
	s = "allow 10.0.0.0/8 user * # a.conf:1";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_int_eq(c.has_user, 0);
	/* a user name is the parser's word, bytes as they are */
	s = "allow 10.0.0.0/8 user we\"ird\\ # a.conf:2";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 1);
	ck_assert_uint_eq(c.userlen, 7);
	ck_assert_mem_eq(c.user, "we\"ird\\", 7);
	/* other lines */
	s = "ident mode rules                        # t.conf:9";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 0);
	s = "# group                                 # default: the user's";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 0);
	s = "# 10.0.0.0/8";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 0);
	s = "allow file /etc/daytimed/partners.list # a.conf:9";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), 0);
	ck_assert_int_eq(report_config_line("", 0, &c), 0);
	/* allow/deny lines that do not read */
	s = "allow 10.0.0.0/8";			/* no FILE:LINE */
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 # a.conf";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 # a.conf:x";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 # :3";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 #";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 user # a.conf:1";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 group x # a.conf:1";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow 10.0.0.0/8 # \"a.conf:1";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
	s = "allow";
	ck_assert_int_eq(report_config_line(s, strlen(s), &c), -1);
}
END_TEST

Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("count");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_report_counts);
	tcase_add_test(tc, test_report_unknown_keys);
	tcase_add_test(tc, test_report_drop_source);
	tcase_add_test(tc, test_report_period);
	tcase_add_test(tc, test_report_bounded);
	tcase_add_test(tc, test_report_old_and_new_format);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile input");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_report_unparsed);
	tcase_add_test(tc, test_report_hostile_names);
	tcase_add_test(tc, test_report_config_line);
	tcase_add_test(tc, test_report_fall_back);
	tcase_add_test(tc, test_report_spring_forward);
	tcase_add_test(tc, test_report_half_hour);
	suite_add_tcase(s, tc);
	return s;
}
