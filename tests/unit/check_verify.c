/* SPDX-License-Identifier: ISC */
/*
 * verify_suite: audit/verify.c, reading records back. The line finder on
 * every syslog layout daytimed-audit reads (traditional, RSYSLOG_File-
 * Format, RFC 5424, no PID), the chain-field parser, hostile lines
 * (forged tags and fields, cut lines, bad numbers and hex), and the walk
 * over chains made here with audit/chain.c.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"
#include "tests/unit/suites.h"

#define MAC64	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"
#define EPOCH16	"0123456789abcdef"
#define REC	"conn=0000000000001000 proto=tcp decision=allow epoch=" \
		EPOCH16 " seq=7 mac=" MAC64

/* Where verify_find_record says the record starts, or "(none)". */
static const char *
found(const char *line)
{
	const char *p = verify_find_record(line, strlen(line));

	return p != NULL ? p : "(none)";
}

/* ---- the line finder */

START_TEST(test_find_layouts)
{
	/* traditional (RSYSLOG_TraditionalFileFormat, BSD syslogd) */
	ck_assert_str_eq(found("Nov 26 10:32:52 host daytimed[4242]: " REC),
	    REC);
	/* RSYSLOG_FileFormat: an RFC 3339 time stamp */
	ck_assert_str_eq(found("2026-11-26T10:32:52.123456+00:00 host "
	    "daytimed[4242]: " REC), REC);
	/* RFC 5424: no "[PID]: " tag; rsyslog's SyslogProtocol23Format
	 * keeps the message's leading space, hence two */
	ck_assert_str_eq(found("<30>1 2026-11-26T10:32:52.123456+00:00 host "
	    "daytimed 4242 - - " REC), REC);
	ck_assert_str_eq(found("<30>1 2026-11-30T00:12:57.492023+00:00 vm "
	    "daytimed 21565 - -  " REC), REC);
	/* a tag without a PID */
	ck_assert_str_eq(found("Nov 26 10:32:52 host daytimed: " REC), REC);
	/* the bare record */
	ck_assert_str_eq(found(REC), REC);
	/* event records */
	ck_assert_str_eq(found("Nov 26 10:32:52 host daytimed[1]: event=stop "
	    "reason=signal"), "event=stop reason=signal");
	ck_assert_str_eq(found("<29>1 - host daytimed 1 - - event=start"),
	    "event=start");
}
END_TEST

START_TEST(test_find_not_records)
{
	/* a daytimed message that is not a record, even with conn= later */
	ck_assert_str_eq(found("Nov 26 10:32:52 host daytimed[5]: reload: "
	    "conn=1 event=2"), "(none)");
	/* another program's line, conn= inside a word */
	ck_assert_str_eq(found("Nov 26 host cron[1]: xconn=1 yevent=2"),
	    "(none)");
	ck_assert_str_eq(found(""), "(none)");
	ck_assert_str_eq(found("conn"), "(none)");
	ck_assert_str_eq(found("event"), "(none)");
	ck_assert_str_eq(found("daytimed["), "(none)");
	ck_assert_str_eq(found("daytimed[12"), "(none)");
	ck_assert_str_eq(found("daytimed[12]"), "(none)");
	ck_assert_str_eq(found("daytimed[12]: "), "(none)");
	ck_assert_str_eq(found("daytimed[12]: conn"), "(none)");
	ck_assert_str_eq(found("daytimed[12]: event"), "(none)");
}
END_TEST

START_TEST(test_find_hostile)
{
	/* another program's words, then a record-looking word: taken */
	ck_assert_str_eq(found("Nov 26 host sshd[77]: Accepted key for "
	    "conn=x event=y root"), "conn=x event=y root");
	/* a tag with no digits is no tag: the first word decides */
	ck_assert_str_eq(found("host daytimed[]: reload conn=1"), "conn=1");
	/* a tag with letters in the PID is no tag either */
	ck_assert_str_eq(found("host daytimed[1a]: x event=1"), "event=1");
	/* a forged tag inside another line is found like the real one */
	ck_assert_str_eq(found("host sshd[1]: user daytimed[2]: conn=1"),
	    "conn=1");
	/* the first tag decides: a second one later is not searched */
	ck_assert_str_eq(found("host daytimed[2]: hello daytimed[3]: conn=1"),
	    "(none)");
}
END_TEST

/* Bytes after the line's end are never read (ASan sees a copy). */
START_TEST(test_find_bounds)
{
	static const char *lines[] = { "daytimed[1]: conn=", "daytimed[1]: c",
	    "daytimed[1]: event", "x conn=", "x event=", "daytimed[", "x c" };
	const char *p;
	char *copy;
	size_t i, len, cut;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		len = strlen(lines[i]);
		for (cut = 0; cut <= len; cut++) {
			copy = malloc(cut ? cut : 1);
			ck_assert_ptr_nonnull(copy);
			memcpy(copy, lines[i], cut);
			p = verify_find_record(copy, cut);
			if (p != NULL)
				ck_assert(p >= copy && p < copy + cut);
			free(copy);
		}
	}
}
END_TEST

/* ---- the chain fields */

/* Parse a C string's fields. */
static int
fields(const char *rec, struct verify_fields *f)
{
	return verify_fields_parse(rec, strlen(rec), f);
}

START_TEST(test_fields_parse)
{
	struct verify_fields f;
	const char *s;

	ck_assert_int_eq(fields(REC, &f), 0);
	ck_assert_uint_eq(f.seq, 7);
	ck_assert_str_eq(f.epoch, EPOCH16);
	ck_assert_uint_eq(f.mac[0], 0x00);
	ck_assert_uint_eq(f.mac[1], 0x11);
	ck_assert_uint_eq(f.mac[31], 0xff);
	ck_assert_uint_eq(f.maclen, strlen(REC) - 5 - 64);
	ck_assert_int_eq(f.has_sealed, 0);
	ck_assert_int_eq(f.is_stop, 0);
	/* seq 0 with the sealed key */
	s = "event=start version=1 sealed="
	    MAC64 MAC64 "00112233445566778899aabbccddeeff"
	    " epoch=" EPOCH16 " seq=0 mac=" MAC64;
	ck_assert_int_eq(fields(s, &f), 0);
	ck_assert_int_eq(f.has_sealed, 1);
	ck_assert_uint_eq(f.sealed[79], 0xff);
	ck_assert_uint_eq(f.seq, 0);
	/* the stop record */
	ck_assert_int_eq(fields("event=stop reason=signal epoch=" EPOCH16
	    " seq=9 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.is_stop, 1);
	ck_assert_int_eq(fields("event=stopped epoch=" EPOCH16
	    " seq=9 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.is_stop, 0);
	/* the largest seq */
	ck_assert_int_eq(fields("conn=1 epoch=" EPOCH16
	    " seq=18446744073709551615 mac=" MAC64, &f), 0);
	ck_assert_uint_eq(f.seq, UINT64_MAX);
}
END_TEST

START_TEST(test_fields_unsealed)
{
	struct verify_fields f;

	ck_assert_int_eq(fields("conn=1 proto=tcp decision=allow", &f), 1);
	ck_assert_int_eq(fields("event=reload", &f), 1);
	ck_assert_int_eq(fields("", &f), 1);
}
END_TEST

START_TEST(test_fields_broken)
{
	static const char *bad[] = {
		"conn=1 epoch=" EPOCH16 " seq=7",		/* no mac */
		"conn=1 epoch=" EPOCH16 " seq=7 mac=",
		"conn=1 epoch=" EPOCH16 " seq=7 mac=" MAC64 "0",
		"conn=1 epoch=" EPOCH16 " seq=7 mac=" MAC64 " ",
		"conn=1 epoch=" EPOCH16 " seq=7 mac=0011223344556677"
		    "8899AABBCCDDEEFF00112233445566778899aabbccddeeff",
		"conn=1 epoch=" EPOCH16 " mac=" MAC64,		/* no seq */
		"conn=1 epoch=" EPOCH16 " seq= mac=" MAC64,
		"conn=1 epoch=" EPOCH16 " seq=04 mac=" MAC64,	/* two spellings */
		"conn=1 epoch=" EPOCH16 " seq=+4 mac=" MAC64,
		"conn=1 epoch=" EPOCH16 " seq=-1 mac=" MAC64,
		"conn=1 epoch=" EPOCH16 " seq=4x mac=" MAC64,
		"conn=1 epoch=" EPOCH16 " seq=18446744073709551616 mac=" MAC64,
		"conn=1 seq=7 mac=" MAC64,			/* no epoch */
		"conn=1 epoch=0123456789abcde seq=7 mac=" MAC64,
		"conn=1 epoch=0123456789abcdef0 seq=7 mac=" MAC64,
		"conn=1 epoch=0123456789ABCDEF seq=7 mac=" MAC64,
		"conn=1 epoch=0123456789abcdeg seq=7 mac=" MAC64,
		" mac=" MAC64,
		" seq=1 mac=" MAC64,
	};
	struct verify_fields f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(fields(bad[i], &f) == -1, "%s", bad[i]);
}
END_TEST

START_TEST(test_fields_hostile)
{
	static const char nul[] = "conn=1\0 epoch=" EPOCH16 " seq=7 mac="
	    MAC64;
	struct verify_fields f;
	const char *s;

	/* forged fields inside a quoted value: the last ones count */
	s = "conn=1 ident=\"x epoch=ffffffffffffffff seq=1 mac=" MAC64
	    "\" ident_status=ok epoch=" EPOCH16 " seq=7 mac=" MAC64;
	ck_assert_int_eq(fields(s, &f), 0);
	ck_assert_uint_eq(f.seq, 7);
	ck_assert_str_eq(f.epoch, EPOCH16);
	ck_assert_uint_eq(f.maclen, strlen(s) - 5 - 64);
	/* a broken sealed= is only not a sealed key */
	ck_assert_int_eq(fields("event=start sealed=00 epoch=" EPOCH16
	    " seq=0 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.has_sealed, 0);
	/* a NUL inside the line is a byte like any other */
	ck_assert_int_eq(verify_fields_parse(nul, sizeof(nul) - 1, &f), 0);
	ck_assert_uint_eq(f.seq, 7);
}
END_TEST

/* ---- the walk */

struct walk {
	char	 lines[40][2048];
	size_t	 n;
	char	 findings[16][512];
	size_t	 nf;
};

/* The callback: keep each finding's text. */
static void
walk_finding(void *arg, const char *text)
{
	struct walk *w = arg;

	ck_assert_uint_lt(w->nf, 16);
	ck_assert_uint_lt(strlen(text), sizeof(w->findings[0]));
	snprintf(w->findings[w->nf++], sizeof(w->findings[0]), "%s", text);
}

/* A sealed chain of n records (start, n - 2 connections, stop) in w. */
static void
walk_chain(struct walk *w, const unsigned char pk[CHAIN_KEY_BYTES], int n,
    const char *prefix)
{
	char err[256];
	struct chain *ch;
	size_t len, pl = strlen(prefix);
	int i;

	ch = chain_open(pk, "pub", err, sizeof(err));
	ck_assert_msg(ch != NULL, "%s", err);
	w->n = 0;
	for (i = 0; i < n; i++) {
		char *l = w->lines[w->n++];

		memcpy(l, prefix, pl);
		if (i == 0)
			len = (size_t)snprintf(l + pl, 100, "event=start");
		else if (i == n - 1)
			len = (size_t)snprintf(l + pl, 100, "event=stop");
		else
			len = (size_t)snprintf(l + pl, 100,
			    "conn=%016x proto=tcp", i);
		/* the MAC covers the record, not the syslog header */
		ck_assert_int_eq(chain_seal(ch, l + pl, sizeof(w->lines[0]) - pl,
		    &len), 0);
	}
	chain_close(ch);
}

/* Run the walk over w's lines (skipping index skip, -1: none). */
static struct verify_summary
walk_run(struct walk *w, const unsigned char sk[CHAIN_KEY_BYTES], int skip)
{
	struct verify_summary s;
	struct verify *v;
	size_t i;

	w->nf = 0;
	v = verify_new(sk, walk_finding, w);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < w->n; i++)
		if ((int)i != skip)
			ck_assert_int_eq(verify_line(v, "log", i + 1,
			    w->lines[i], strlen(w->lines[i])), 0);
	ck_assert_int_eq(verify_finish(v, &s), 0);
	verify_free(v);
	return s;
}

START_TEST(test_walk_layouts)
{
	static const char *prefix[] = {
		"Nov 26 10:32:52 host daytimed[4242]: ",
		"2026-11-26T10:32:52.123456+00:00 host daytimed[4242]: ",
		"<30>1 2026-11-26T10:32:52.123456+00:00 host daytimed 4242 - - ",
		"<30>1 2026-11-30T00:12:57.492023+00:00 vm daytimed 21565 - -  ",
		"",
	};
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	struct verify_summary s;
	struct walk *w;
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	w = calloc(1, sizeof(*w));
	ck_assert_ptr_nonnull(w);
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		walk_chain(w, pk, 6, prefix[i]);
		s = walk_run(w, sk, -1);
		ck_assert_uint_eq(s.records, 6);
		ck_assert_uint_eq(s.epochs, 1);
		ck_assert_uint_eq(s.verified, 6);
		ck_assert_uint_eq(s.findings, 0);
		ck_assert_int_eq(s.opened, 1);
		ck_assert_int_eq(s.mismatched, 0);
	}
	free(w);
}
END_TEST

START_TEST(test_walk_findings)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char pk2[CHAIN_KEY_BYTES], sk2[CHAIN_KEY_BYTES];
	struct verify_summary s;
	struct walk *w;
	char want[256], ep[CHAIN_EPOCH_HEX + 1], *p;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	crypto_box_keypair(pk2, sk2);
	w = calloc(1, sizeof(*w));
	ck_assert_ptr_nonnull(w);
	walk_chain(w, pk, 8, "h daytimed[1]: ");
	p = strstr(w->lines[0], " epoch=");
	ck_assert_ptr_nonnull(p);
	memcpy(ep, p + 7, CHAIN_EPOCH_HEX);
	ep[CHAIN_EPOCH_HEX] = '\0';

	/* a deleted record: missing */
	s = walk_run(w, sk, 3);
	ck_assert_uint_eq(s.findings, 1);
	snprintf(want, sizeof(want), "epoch %s: missing: seq 3 (before log:5)",
	    ep);
	ck_assert_str_eq(w->findings[0], want);

	/* a modified byte */
	p = strstr(w->lines[2], "proto=tcp");
	p[6] = 'u';
	s = walk_run(w, sk, -1);
	ck_assert_uint_eq(s.findings, 1);
	ck_assert_uint_eq(s.verified, 7);
	ck_assert_str_eq(w->findings[0],
	    "log:3: modified: seq 2 does not verify (mac mismatch)");
	p[6] = 't';

	/* broken chain fields are a finding while reading */
	p = strstr(w->lines[4], " seq=4 ");
	p[5] = 'x';
	s = walk_run(w, sk, -1);
	ck_assert_uint_eq(s.findings, 2);
	ck_assert_str_eq(w->findings[0],
	    "log:5: modified: a daytimed record with broken chain fields");
	p[5] = '4';

	/* the truncated tail: no stop record */
	w->n = 6;
	s = walk_run(w, sk, -1);
	ck_assert_uint_eq(s.findings, 1);
	snprintf(want, sizeof(want), "epoch %s: chain ends at seq 5 (log:6) "
	    "without a stop record (truncated or still running)", ep);
	ck_assert_str_eq(w->findings[0], want);
	w->n = 8;

	/* a key that opens nothing */
	s = walk_run(w, sk2, -1);
	ck_assert_int_eq(s.mismatched, 1);
	ck_assert_int_eq(s.opened, 0);
	snprintf(want, sizeof(want), "secret key does not match epoch %s "
	    "(8 records not verified)", ep);
	ck_assert_str_eq(w->findings[0], want);

	/* nothing sealed at all */
	w->n = 0;
	s = walk_run(w, sk, -1);
	ck_assert_uint_eq(s.records, 0);
	ck_assert_uint_eq(s.findings, 1);
	ck_assert_str_eq(w->findings[0], "no sealed daytimed records found");
	free(w);
}
END_TEST

Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc;

	tc = tcase_create("find");
	tcase_add_test(tc, test_find_layouts);
	tcase_add_test(tc, test_find_not_records);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, test_fields_parse);
	tcase_add_test(tc, test_fields_unsealed);
	tcase_add_test(tc, test_fields_broken);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_find_hostile);
	tcase_add_test(tc, test_find_bounds);
	tcase_add_test(tc, test_fields_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_test(tc, test_walk_layouts);
	tcase_add_test(tc, test_walk_findings);
	suite_add_tcase(s, tc);
	return s;
}
