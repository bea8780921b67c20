/* SPDX-License-Identifier: ISC */
/*
 * verify_parse_suite: audit/verify_parse.c, reading records back. The
 * header of every layout records are kept in (traditional, with and
 * without PRI, RSYSLOG_FileFormat, RFC 5424 from rsyslog and syslog-ng
 * with structured data, journalctl -o short, short-precise, short-iso,
 * short-iso-precise and cat, a raw datagram's text): journald cannot run
 * here, so its layouts are lines as journalctl prints them. An ident
 * answer that spells a tag inside a value, in each layout. The chain
 * fields (old and new records, hostile ones), key=value reading and
 * unescaping round trips, the time field.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "tests/unit/suites.h"

#define MAC64	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"
#define EPOCH16	"0123456789abcdef"
#define TIME	"2026-11-26T10:32:52.123456Z"
#define REC	"conn=0000000000001000 proto=tcp decision=allow time=" TIME \
		" epoch=" EPOCH16 " seq=7 mac=" MAC64
/* issue 13, finding 5: ident answers that spell a tag inside a value */
#define INJ1	"conn=0000000000001001 proto=tcp ident=\"x daytimed[1]: y\" " \
		"ident_status=ok epoch=" EPOCH16 " seq=8 mac=" MAC64
#define INJ2	"conn=0000000000001002 proto=tcp ident=\"x daytimed[1]: " \
		"conn\\x3dy\" ident_status=ok epoch=" EPOCH16 " seq=9 mac=" MAC64

/* Every layout's header, with the host each names ("" for none). */
static const struct {
	const char	*prefix;
	const char	*host;
	enum verify_layout layout;
} layouts[] = {
	/* rsyslog RSYSLOG_TraditionalFileFormat, BSD syslogd */
	{ "Nov 26 10:32:52 host daytimed[4242]: ", "host", VERIFY_LAYOUT_BSD },
	{ "Nov  6 10:32:52 host daytimed[4242]: ", "host", VERIFY_LAYOUT_BSD },
	/* journalctl -o short and -o short-precise */
	{ "Nov 26 10:32:52 vm daytimed[21565]: ", "vm", VERIFY_LAYOUT_BSD },
	{ "Nov 26 10:32:52.492023 vm daytimed[21565]: ", "vm",
	  VERIFY_LAYOUT_BSD },
	/* rsyslog's forward format: PRI, then the traditional line */
	{ "<30>Nov 26 10:32:52 host daytimed[4242]: ", "host",
	  VERIFY_LAYOUT_BSD },
	/* a tag without a PID */
	{ "Nov 26 10:32:52 host daytimed: ", "host", VERIFY_LAYOUT_BSD },
	/* what the daemon sends, written raw: no host */
	{ "Nov 26 10:32:52 daytimed[4242]: ", "", VERIFY_LAYOUT_BSD },
	/* RSYSLOG_FileFormat */
	{ "2026-11-26T10:32:52.123456+00:00 host daytimed[4242]: ", "host",
	  VERIFY_LAYOUT_ISO },
	/* journalctl -o short-iso, old and new, and short-iso-precise */
	{ "2026-11-26T10:32:52+0000 vm daytimed[21565]: ", "vm",
	  VERIFY_LAYOUT_ISO },
	{ "2026-11-26T10:32:52+00:00 vm daytimed[21565]: ", "vm",
	  VERIFY_LAYOUT_ISO },
	{ "2026-11-26T10:32:52.492023+00:00 vm daytimed[21565]: ", "vm",
	  VERIFY_LAYOUT_ISO },
	/* RFC 5424, rsyslog's SyslogProtocol23Format: the message keeps its
	 * leading space, hence two */
	{ "<30>1 2026-11-26T10:32:52.123456+00:00 host daytimed 4242 - - ",
	  "host", VERIFY_LAYOUT_5424 },
	{ "<30>1 2026-11-30T00:12:57.492023+00:00 vm daytimed 21565 - -  ",
	  "vm", VERIFY_LAYOUT_5424 },
	/* RFC 5424, syslog-ng flags(syslog-protocol): structured data */
	{ "<13>1 2026-11-30T00:44:22+00:00 vm daytimed 8016 - "
	  "[meta sequenceId=\"1\"] ", "vm", VERIFY_LAYOUT_5424 },
	{ "<13>1 2026-11-30T00:44:22+00:00 vm daytimed 8016 - "
	  "[x a=\"q\\\"] daytimed[1]: conn=z\"][meta sequenceId=\"2\"]  ",
	  "vm", VERIFY_LAYOUT_5424 },
	/* RFC 5424 with the UTF-8 BOM before the message */
	{ "<30>1 2026-11-26T10:32:52Z h daytimed - - - \xef\xbb\xbf", "h",
	  VERIFY_LAYOUT_5424 },
	/* journalctl -o cat: the message alone */
	{ "", "", VERIFY_LAYOUT_BARE },
};

#define NLAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))

/* prefix + rec into a heap copy of exact length (ASan sees overreads). */
static char *
line_of(const char *prefix, const char *rec, size_t *len)
{
	size_t pl = strlen(prefix), rl = strlen(rec);
	char *l = malloc(pl + rl + 1);

	ck_assert_ptr_nonnull(l);
	memcpy(l, prefix, pl);
	memcpy(l + pl, rec, rl);
	*len = pl + rl;
	return l;
}

START_TEST(test_header_layouts)
{
	static const char *recs[] = { REC, INJ1, INJ2, "event=stop" };
	struct verify_header h;
	size_t i, j, len;
	char *l;

	for (i = 0; i < NLAYOUTS; i++) {
		for (j = 0; j < sizeof(recs) / sizeof(recs[0]); j++) {
			l = line_of(layouts[i].prefix, recs[j], &len);
			ck_assert_msg(verify_header_parse(l, len, &h) == 1,
			    "layout %zu: %s", i, layouts[i].prefix);
			/* the record where it begins, never inside a value */
			ck_assert_msg(h.rec == l + len - strlen(recs[j]),
			    "layout %zu rec %zu", i, j);
			ck_assert_uint_eq(h.reclen, strlen(recs[j]));
			ck_assert_int_eq(h.layout, layouts[i].layout);
			ck_assert_uint_eq(h.hostlen, strlen(layouts[i].host));
			ck_assert(h.hostlen == 0 || memcmp(h.host,
			    layouts[i].host, h.hostlen) == 0);
			ck_assert_ptr_eq(verify_find_record(l, len), h.rec);
			free(l);
		}
	}
}
END_TEST

START_TEST(test_header_not_records)
{
	static const char *lines[] = {
		/* another program's words that look like a record */
		"Nov 26 10:32:52 host sshd[77]: Accepted key for conn=x root",
		("Nov 26 10:32:52 host sshd[77]: conn=1 epoch=" EPOCH16),
		"<30>1 2026-11-26T10:32:52Z host sshd 1 - - conn=1",
		"2026-11-26T10:32:52+00:00 host other[1]: event=start",
		/* a daytimed message that is not a record */
		"Nov 26 10:32:52 host daytimed[5]: reload: conn=1 event=2",
		"<30>1 2026-11-26T10:32:52Z h daytimed 1 - - reload conn=1",
		/* a tag inside another program's line is not a tag */
		"Nov 26 10:32:52 host sshd[1]: user daytimed[2]: conn=1",
		"Nov 26 10:32:52 host sshd[1]: x daytimed[1]: conn=y",
		"<30>1 2026-11-26T10:32:52Z h sshd 1 - - x daytimed[1]: conn=y",
		/* broken tags */
		"Nov 26 10:32:52 host daytimed[]: conn=1",
		"Nov 26 10:32:52 host daytimed[1a]: conn=1",
		"Nov 26 10:32:52 host daytimed[1] conn=1",
		"Nov 26 10:32:52 host daytimedx[1]: conn=1",
		/* broken headers */
		"Foo 26 10:32:52 host daytimed[1]: conn=1",
		"Nov 26 10:32 host daytimed[1]: conn=1",
		"<30 Nov 26 10:32:52 host daytimed[1]: conn=1",
		"<3000>1 2026-11-26T10:32:52Z h daytimed 1 - - conn=1",
		"<30>1 2026-11-26T10:32:52Z h daytimed 1 - [x a=\"]\" conn=1",
		"<30>1 2026-11-26T10:32:52Z h daytimed 1 - x conn=1",
		"<30>1 2026-11-26T10:32:52Z h daytimed 1 -",
		"<30>1 2026-11-26T10:32:52Z h daytimed 1 - -conn=1",
		" conn=1", "xconn=1", "", "conn", "event", "<", "<1>",
		"daytimed[12]: conn=1",
	};
	struct verify_header h;
	size_t i, len;
	char *l;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		l = line_of(lines[i], "", &len);
		ck_assert_msg(verify_header_parse(l, len, &h) == 0, "%s",
		    lines[i]);
		ck_assert_ptr_null(verify_find_record(l, len));
		free(l);
	}
}
END_TEST

/* Every cut of every layout's line: no read past the end. */
START_TEST(test_header_bounds)
{
	struct verify_header h;
	size_t i, len, cut;
	char *full, *copy;

	for (i = 0; i < NLAYOUTS; i++) {
		full = line_of(layouts[i].prefix, INJ2, &len);
		for (cut = 0; cut <= len; cut++) {
			copy = malloc(cut ? cut : 1);
			ck_assert_ptr_nonnull(copy);
			memcpy(copy, full, cut);
			if (verify_header_parse(copy, cut, &h) == 1)
				ck_assert(h.rec >= copy && h.rec + h.reclen ==
				    copy + cut);
			free(copy);
		}
		free(full);
	}
}
END_TEST

/* ---- the chain fields */

static int
fields(const char *rec, struct verify_fields *f)
{
	return verify_fields_parse(rec, strlen(rec), f);
}

START_TEST(test_fields_parse)
{
	struct verify_fields f;
	const char *s;

	/* chain v2: a 32-digit mac */
	ck_assert_int_eq(fields("conn=1 time=" TIME " epoch=" EPOCH16
	    " seq=3 mac=00112233445566778899aabbccddeeff", &f), 0);
	ck_assert_int_eq(f.version, 2);
	ck_assert_uint_eq(f.mac[15], 0xff);
	ck_assert_int_eq(fields("conn=1 epoch=" EPOCH16 " seq=3 mac="
	    "00112233445566778899aabbccddeef", &f), -1);
	/* chain v1: 64 */
	ck_assert_int_eq(fields(REC, &f), 0);
	ck_assert_int_eq(f.version, 1);
	ck_assert_uint_eq(f.seq, 7);
	ck_assert_str_eq(f.epoch, EPOCH16);
	ck_assert_uint_eq(f.epoch_id, 0x0123456789abcdefULL);
	ck_assert_uint_eq(f.mac[0], 0x00);
	ck_assert_uint_eq(f.mac[31], 0xff);
	ck_assert_uint_eq(f.maclen, strlen(REC) - 5 - 64);
	ck_assert_int_eq(f.has_time, 1);
	ck_assert_uint_eq(f.time_us, 1795689172123456ULL);
	ck_assert_uint_eq(f.bodylen, strlen("conn=0000000000001000 proto=tcp "
	    "decision=allow"));
	ck_assert_int_eq(f.has_sealed, 0);
	ck_assert_int_eq(f.is_stop, 0);
	/* an old record: no time, sealed= just before epoch= */
	s = "event=start version=1 sealed=" MAC64 MAC64
	    "00112233445566778899aabbccddeeff epoch=" EPOCH16 " seq=0 mac="
	    MAC64;
	ck_assert_int_eq(fields(s, &f), 0);
	ck_assert_int_eq(f.has_sealed, 1);
	ck_assert_int_eq(f.has_time, 0);
	ck_assert_uint_eq(f.sealed[79], 0xff);
	/* a new start record: the whole head */
	s = "event=start prev=" EPOCH16 ":41:stop sealed_to=" MAC64
	    " sealed=" MAC64 MAC64 "00112233445566778899aabbccddeeff"
	    " host_key=" MAC64 " sig=" MAC64 MAC64 " time=" TIME " epoch="
	    EPOCH16 " seq=0 mac=" MAC64;
	ck_assert_int_eq(fields(s, &f), 0);
	ck_assert_int_eq(f.has_prev && f.has_sealed_to && f.has_sealed &&
	    f.has_host_key && f.has_sig && f.has_time, 1);
	ck_assert_int_eq(f.prev.kind, LINK_EPOCH);
	ck_assert_uint_eq(f.prev.seq, 41);
	ck_assert_int_eq(f.prev.stopped, 1);
	ck_assert_uint_eq(f.prev_len, 24);
	ck_assert_uint_eq(f.bodylen, 11);
	/* the stop record; and the largest seq */
	ck_assert_int_eq(fields("event=stop reason=signal epoch=" EPOCH16
	    " seq=9 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.is_stop, 1);
	ck_assert_int_eq(fields("event=stopped epoch=" EPOCH16
	    " seq=9 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.is_stop, 0);
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
		/* a time in another spelling */
		"conn=1 time=2026-11-26T10:32:52Z epoch=" EPOCH16 " seq=7 mac="
		    MAC64,
		"conn=1 time=2026-02-30T10:32:52.000000Z epoch=" EPOCH16
		    " seq=7 mac=" MAC64,
		"conn=1 time=2025-02-29T10:32:52.000000Z epoch=" EPOCH16
		    " seq=7 mac=" MAC64,
		/* a signature without the head it signs, a short one */
		"event=start sig=" MAC64 MAC64 " time=" TIME " epoch=" EPOCH16
		    " seq=0 mac=" MAC64,
		"event=start host_key=" MAC64 " sig=" MAC64 " epoch=" EPOCH16
		    " seq=0 mac=" MAC64,
		/* a broken link */
		"event=start prev=" EPOCH16 ":1:maybe sealed_to=" MAC64
		    " epoch=" EPOCH16 " seq=0 mac=" MAC64,
	};
	struct verify_fields f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(fields(bad[i], &f) == -1, "%s", bad[i]);
}
END_TEST

/*
 * A record cut inside its chain fields (the start of one a broken stream
 * tore) is told from one whose fields were changed.
 */
START_TEST(test_fields_cut)
{
	static const char *whole[] = {
		"conn=1 time=" TIME " epoch=" EPOCH16 " seq=3 mac="
		    "00112233445566778899aabbccddeeff",
		"conn=1 epoch=" EPOCH16 " seq=1234567 mac="
		    "00112233445566778899aabbccddeeff",
		"event=stop epoch=" EPOCH16 " seq=0 mac="
		    "00112233445566778899aabbccddeeff",
	};
	static const char *not_cut[] = {
		"conn=1 epoch=" EPOCH16 " seq=04 mac=0011",	/* two spellings */
		"conn=1 epoch=" EPOCH16 " seq=7 mac=0011 ",
		"conn=1 epoch=" EPOCH16 " seq=7 mac=00AA",
		"conn=1 epoch=" EPOCH16 " seq=7 mac=" MAC64,	/* too long */
		"conn=1 epoch=" EPOCH16 " seq=7 mac="
		    "00112233445566778899aabbccddeeff",		/* whole */
		"conn=1 epoch=" EPOCH16 " seq=7 ma=0011",
		"conn=1 epoch=" EPOCH16 " seq=x",
		"conn=1 epoch=" EPOCH16 "  seq=1",
		"conn=1 epoch=0123456789abcde seq=7",
		"conn=1 epoch=0123456789ABCDEF",
		"conn=1 epoch=" EPOCH16 "0",
		"conn=1 seq=7 mac=0011",			/* no epoch */
		"",
	};
	static const char nul[] = "conn=1 epoch=01234\0";
	struct verify_fields f;
	size_t i, k, len, at;

	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		len = strlen(whole[i]);
		ck_assert_int_eq(verify_fields_parse(whole[i], len, &f), 0);
		ck_assert_int_eq(verify_fields_cut(whole[i], len), 0);
		at = (size_t)(strstr(whole[i], " epoch=") - whole[i]) + 7;
		/* every cut from " epoch=" on; before it there are none */
		for (k = at; k < len; k++) {
			ck_assert_msg(verify_fields_cut(whole[i], k) == 1,
			    "%zu: %.*s", k, (int)k, whole[i]);
			ck_assert_int_ne(verify_fields_parse(whole[i], k, &f),
			    0);
		}
		for (k = 0; k < at; k++)
			ck_assert_int_eq(verify_fields_cut(whole[i], k), 0);
	}
	for (i = 0; i < sizeof(not_cut) / sizeof(not_cut[0]); i++)
		ck_assert_msg(verify_fields_cut(not_cut[i],
		    strlen(not_cut[i])) == 0, "%s", not_cut[i]);
	ck_assert_int_eq(verify_fields_cut(nul, sizeof(nul) - 1), 0);
	/* the last " epoch=" counts */
	ck_assert_int_eq(verify_fields_cut("a=\" epoch=x\" epoch=01", 21), 1);
	ck_assert_int_eq(verify_fields_cut("a epoch=01 epoch=zz", 19), 0);
}
END_TEST

START_TEST(test_fields_hostile)
{
	static const char nul[] = "conn=1\0 epoch=" EPOCH16 " seq=7 mac="
	    MAC64;
	struct verify_fields f;
	const char *s;

	/* forged fields inside a quoted value: only the end counts */
	s = "conn=1 ident=\"x epoch=ffffffffffffffff seq=1 mac=" MAC64
	    "\" ident_status=ok epoch=" EPOCH16 " seq=7 mac=" MAC64;
	ck_assert_int_eq(fields(s, &f), 0);
	ck_assert_uint_eq(f.seq, 7);
	ck_assert_str_eq(f.epoch, EPOCH16);
	ck_assert_uint_eq(f.maclen, strlen(s) - 5 - 64);
	/* an old record's broken sealed= is only not a sealed key */
	ck_assert_int_eq(fields("event=start sealed=00 epoch=" EPOCH16
	    " seq=0 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.has_sealed, 0);
	/* a field out of its place is body, not a field */
	ck_assert_int_eq(fields("conn=1 time=" TIME " sealed_to=" MAC64
	    " epoch=" EPOCH16 " seq=7 mac=" MAC64, &f), 0);
	ck_assert_int_eq(f.has_time, 0);
	ck_assert_int_eq(f.has_sealed_to, 1);
	/* a NUL inside the line is a byte like any other */
	ck_assert_int_eq(verify_fields_parse(nul, sizeof(nul) - 1, &f), 0);
	ck_assert_uint_eq(f.seq, 7);
}
END_TEST

/* ---- key=value */

START_TEST(test_kv_round_trip)
{
	static const char *keys[] = { "conn", "proto", "peer", "local",
	    "decision", "rule", "ident", "ident_status", "netblock",
	    "duration_us", "bytes" };
	unsigned char user[RECORD_VALUE_MAX], out[RECORD_VALUE_MAX];
	struct record_conn c;
	struct verify_kv kv;
	char buf[2048];
	size_t pos, k, i, len;
	long n;
	int r;

	memset(&c, 0, sizeof(c));
	c.conn = 7;
	c.proto = IPPROTO_TCP;
	c.decision = "deny";
	c.rule_file = "/etc/a=b \"c\".conf";
	c.rule_line = 3;
	c.status = "ok";
	c.netblock = "10.0.0.0/8";
	/* every byte value in one answer, then short ones */
	for (i = 0; i < sizeof(user); i++)
		user[i] = (unsigned char)i;
	for (len = sizeof(user); len > 0; len = len > 3 ? 3 : len - 1) {
		c.ident = user + (len == sizeof(user) ? 0 : 60);
		c.identlen = len;
		ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
		for (pos = 0, k = 0; (r = verify_kv_next(buf, strlen(buf), &pos,
		    &kv)) == 1; k++) {
			ck_assert_uint_lt(k, sizeof(keys) / sizeof(keys[0]));
			ck_assert_uint_eq(kv.keylen, strlen(keys[k]));
			ck_assert_int_eq(memcmp(kv.key, keys[k], kv.keylen), 0);
			/* no '=' in any value */
			ck_assert_ptr_null(memchr(kv.val, '=', kv.vallen));
			n = verify_unescape(kv.val, kv.vallen, out, sizeof(out));
			ck_assert_int_ge(n, 0);
			if (strcmp(keys[k], "ident") == 0) {
				ck_assert_int_eq(n, (long)c.identlen);
				ck_assert_int_eq(memcmp(out, c.ident, c.identlen),
				    0);
			}
			if (strcmp(keys[k], "rule") == 0) {
				ck_assert_int_eq(n, 19);
				ck_assert_int_eq(memcmp(out,
				    "/etc/a=b \"c\".conf:3", 19), 0);
			}
		}
		ck_assert_int_eq(r, 0);
		ck_assert_uint_eq(k, sizeof(keys) / sizeof(keys[0]));
	}
}
END_TEST

START_TEST(test_kv_hostile)
{
	static const char *bad[] = { "=1", "a", "a=", "a=1 ", "a=1  b=2",
	    "a=\"x", "a=\"x\\\"", "a=\"x\"y", "A=1", "a-b=1", "a=x\"y",
	    "a=1 =2" };
	static const char *badval[] = { "\"", "\"x", "\"\\\"", "\"\\q\"",
	    "\"\\x4\"", "\"\\xZZ\"", "\"\\x4G\"", "\"a\"b\"" };
	unsigned char out[16];
	struct verify_kv kv;
	size_t i, pos;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pos = 0;
		while ((r = verify_kv_next(bad[i], strlen(bad[i]), &pos,
		    &kv)) == 1)
			;
		ck_assert_msg(r == -1, "%s", bad[i]);
	}
	for (i = 0; i < sizeof(badval) / sizeof(badval[0]); i++)
		ck_assert_msg(verify_unescape(badval[i], strlen(badval[i]), out,
		    sizeof(out)) == -1, "%s", badval[i]);
	ck_assert_int_eq(verify_unescape("\"\\x3d\\\\\"", 8, out, sizeof(out)),
	    2);
	ck_assert_int_eq(memcmp(out, "=\\", 2), 0);
	ck_assert_int_eq(verify_unescape("abc", 3, out, 2), -1);
	ck_assert_int_eq(verify_unescape("\"\"", 2, out, 0), 0);
}
END_TEST

START_TEST(test_time_parse)
{
	uint64_t us;

	ck_assert_int_eq(verify_time_parse("1970-01-01T00:00:00.000000Z", 27,
	    &us), 0);
	ck_assert_uint_eq(us, 0);
	ck_assert_int_eq(verify_time_parse("2000-02-29T00:00:00.999999Z", 27,
	    &us), 0);
	ck_assert_uint_eq(us, 951782400999999ULL);
	ck_assert_int_eq(verify_time_parse("2100-02-29T00:00:00.000000Z", 27,
	    &us), -1);
	ck_assert_int_eq(verify_time_parse("1969-12-31T23:59:59.000000Z", 27,
	    &us), -1);
	ck_assert_int_eq(verify_time_parse("2026-11-26T24:00:00.000000Z", 27,
	    &us), -1);
	ck_assert_int_eq(verify_time_parse("2026-11-26T10:32:52.000000+", 27,
	    &us), -1);
	ck_assert_int_eq(verify_time_parse("2026-11-26 10:32:52.000000Z", 27,
	    &us), -1);
	ck_assert_int_eq(verify_time_parse("2026-11-26T10:32:52.00000Z", 26,
	    &us), -1);
}
END_TEST

Suite *
verify_parse_suite(void)
{
	Suite *s = suite_create("verify_parse");
	TCase *tc;

	tc = tcase_create("header");
	tcase_add_test(tc, test_header_layouts);
	tcase_add_test(tc, test_header_not_records);
	tcase_add_test(tc, test_header_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, test_fields_parse);
	tcase_add_test(tc, test_fields_unsealed);
	tcase_add_test(tc, test_fields_broken);
	tcase_add_test(tc, test_fields_cut);
	tcase_add_test(tc, test_fields_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("key=value");
	tcase_add_test(tc, test_kv_round_trip);
	tcase_add_test(tc, test_kv_hostile);
	tcase_add_test(tc, test_time_parse);
	suite_add_tcase(s, tc);
	return s;
}
