/* SPDX-License-Identifier: ISC */
/*
 * record_suite: audit/record.c, the record text and THE escaper. The
 * quoted form for values (every byte class, cuts, tiny buffers, hostile
 * bytes, no forged " KEY=" from any byte, a claimed user "-"), the unquoted line guard, and the connection and event records
 * built straight from text, with nothing from acl/ or ident/.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "audit/record.h"
#include "daemon/audit.h"
#include "tests/unit/suites.h"

/* Escape a C string with record_escape into a static buffer. */
static const char *
esc(const char *s, size_t len)
{
	static char buf[2048];

	record_escape(buf, sizeof(buf), (const unsigned char *)s, len);
	return buf;
}

/* Escape with record_escape_ctl into a static, NUL-terminated buffer. */
static const char *
ctl(const char *s, size_t len, size_t room)
{
	static char buf[2048];
	size_t n;

	n = record_escape_ctl(buf, room, s, len);
	ck_assert_uint_le(n, room);
	buf[n] = '\0';
	return buf;
}

/* ---- the quoted form (record_escape) */

START_TEST(test_escape_bare)
{
	ck_assert_str_eq(esc("alice", 5), "alice");
	ck_assert_str_eq(esc("!~", 2), "!~");
	ck_assert_str_eq(esc("a:b/c", 5), "a:b/c");
	/* '=' is never in a value: it is escaped, so the value is quoted */
	ck_assert_str_eq(esc("a=b", 3), "\"a\\x3db\"");
	/* "-" alone means "none" in a record: the value "-" is quoted */
	ck_assert_str_eq(esc("-", 1), "\"-\"");
	ck_assert_str_eq(esc("--", 2), "--");
}
END_TEST

START_TEST(test_escape_empty)
{
	ck_assert_str_eq(esc("", 0), "\"\"");
	ck_assert_uint_eq(record_escape((char[3]){0}, 3,
	    (const unsigned char *)"", 0), 2);
}
END_TEST

START_TEST(test_escape_classes)
{
	ck_assert_str_eq(esc("a b", 3), "\"a b\"");
	ck_assert_str_eq(esc("a\"b", 3), "\"a\\\"b\"");
	ck_assert_str_eq(esc("a\\b", 3), "\"a\\\\b\"");
	ck_assert_str_eq(esc("\x00", 1), "\"\\x00\"");
	ck_assert_str_eq(esc("\x1f", 1), "\"\\x1f\"");
	ck_assert_str_eq(esc("\x7f", 1), "\"\\x7f\"");
	ck_assert_str_eq(esc("\x80\xff", 2), "\"\\x80\\xff\"");
	ck_assert_str_eq(esc("\t", 1), "\"\\x09\"");
	ck_assert_str_eq(esc(" ", 1), "\" \"");
}
END_TEST

START_TEST(test_escape_every_byte)
{
	unsigned char b;
	char want[16];
	int c;

	for (c = 0; c < 256; c++) {
		b = (unsigned char)c;
		if (c == '=')
			snprintf(want, sizeof(want), "\"\\x3d\"");
		else if (c == '-')
			snprintf(want, sizeof(want), "\"-\"");
		else if (c >= 0x21 && c <= 0x7e && c != '"' && c != '\\')
			snprintf(want, sizeof(want), "%c", c);
		else if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", c);
		else if (c == ' ')
			snprintf(want, sizeof(want), "\" \"");
		else
			snprintf(want, sizeof(want), "\"\\x%02x\"", c);
		ck_assert_str_eq(esc((const char *)&b, 1), want);
	}
}
END_TEST

START_TEST(test_escape_cut_boundary)
{
	char in[RECORD_VALUE_MAX + 1], want[RECORD_VALUE_MAX + 16];
	char out[2048];
	size_t n;

	memset(in, 'a', sizeof(in));
	/* exactly RECORD_VALUE_MAX bytes: kept whole, bare */
	n = record_escape(out, sizeof(out), (unsigned char *)in,
	    RECORD_VALUE_MAX);
	ck_assert_uint_eq(n, RECORD_VALUE_MAX);
	ck_assert_uint_eq(strlen(out), RECORD_VALUE_MAX);
	/* one more: quoted, the first RECORD_VALUE_MAX kept, marked */
	n = record_escape(out, sizeof(out), (unsigned char *)in,
	    RECORD_VALUE_MAX + 1);
	want[0] = '"';
	memset(want + 1, 'a', RECORD_VALUE_MAX);
	memcpy(want + 1 + RECORD_VALUE_MAX, "...(cut)\"", 10);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(n, RECORD_VALUE_MAX + 10);
}
END_TEST

START_TEST(test_escape_worst_case)
{
	unsigned char in[RECORD_VALUE_MAX];
	char out[2048];

	memset(in, 0xff, sizeof(in));
	ck_assert_uint_eq(record_escape(out, sizeof(out), in, sizeof(in)),
	    2 + 4 * RECORD_VALUE_MAX);
	ck_assert_ptr_null(strstr(out, "(cut)"));
}
END_TEST

START_TEST(test_escape_small_dst)
{
	char out[16];
	size_t n;

	/* a bare value that does not fit is cut, quoted and marked */
	n = record_escape(out, 16, (const unsigned char *)"abcdefghijklmnop",
	    16);
	ck_assert_str_eq(out, "\"abcde...(cut)\"");
	ck_assert_uint_eq(n, 15);
	/* an escape is never split */
	n = record_escape(out, 16, (const unsigned char *)"ab\x01\x02", 4);
	ck_assert_str_eq(out, "\"ab...(cut)\"");
	ck_assert_uint_eq(n, strlen(out));
	/* too small for quotes and the marker: empty, terminated */
	n = record_escape(out, 8, (const unsigned char *)"a b", 3);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(record_escape(out, 0, (const unsigned char *)"a", 1),
	    0);
	n = record_escape(out, 2, (const unsigned char *)"a", 1);
	ck_assert_str_eq(out, "a");
}
END_TEST

START_TEST(test_escape_hostile)
{
	static const char forged[] = "root\nNov 26 10:32:52 host daytimed[1]: "
	    "conn=0 decision=allow";
	static const char ansi[] = "\x1b[2J\x1b]0;pwned\x07\"\\";
	const char *o;

	o = esc(forged, sizeof(forged) - 1);
	ck_assert_ptr_null(strchr(o, '\n'));
	ck_assert_str_eq(o, "\"root\\x0aNov 26 10:32:52 host daytimed[1]: "
	    "conn\\x3d0 decision\\x3dallow\"");
	o = esc(ansi, sizeof(ansi) - 1);
	ck_assert_str_eq(o, "\"\\x1b[2J\\x1b]0;pwned\\x07\\\"\\\\\"");
	/* a value that ends like the marker is still just escaped text */
	ck_assert_str_eq(esc("x\"", 2), "\"x\\\"\"");
}
END_TEST


/*
 * grep can trust a record: whatever a peer answers, the only " KEY=" in
 * it are the record's own. The forged-field answer of issue 13 first,
 * then every byte value in front of a forged field.
 */
START_TEST(test_escape_grep_safe)
{
	static const char forged[] = "x decision=allow rule=default\" "
	    "ident_status=ok netblock=0.0.0.0/0 \\";
	struct record_conn c;
	unsigned char v[32];
	char buf[2048];
	const char *p;
	int ci, n;

	memset(&c, 0, sizeof(c));
	c.conn = 1;
	c.proto = IPPROTO_TCP;
	c.decision = "deny";
	c.status = "ok";
	c.netblock = "192.0.2.0/24";
	c.ident = (const unsigned char *)forged;
	c.identlen = sizeof(forged) - 1;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_null(strstr(buf, "decision=allow"));
	ck_assert_ptr_null(strstr(buf, "netblock=0.0.0.0/0"));
	ck_assert_ptr_nonnull(strstr(buf, " decision=deny "));
	p = strstr(buf, " netblock=");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strncmp(p, " netblock=192.0.2.0/24 ", 23), 0);
	ck_assert_ptr_null(strstr(p + 1, " netblock="));
	ck_assert_ptr_null(strstr(strstr(buf, " ident=") + 7, " ident_status=ok"
	    " netblock=0"));
	/* every byte before a forged " k=v", alone and doubled */
	for (ci = 0; ci < 256; ci++) {
		for (n = 1; n <= 2; n++) {
			memset(v, ci, (size_t)n);
			memcpy(v + n, " decision=allow", 15);
			c.ident = v;
			c.identlen = (size_t)n + 15;
			ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c),
			    0);
			ck_assert_msg(strstr(buf, "decision=allow") == NULL,
			    "byte %02x: %s", ci, buf);
			ck_assert_ptr_null(strchr(strstr(buf, " ident=") + 7, '\n'));
		}
	}
}
END_TEST

/* A claimed user "-" is not the "-" of no answer. */
START_TEST(test_escape_dash_user)
{
	struct record_conn c;
	char buf[2048];

	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_TCP;
	c.decision = "allow";
	c.status = "ok";
	c.ident = (const unsigned char *)"-";
	c.identlen = 1;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident=\"-\" ident_status=ok "));
	c.ident = NULL;
	c.status = "skipped";
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident=- ident_status=skipped "));
	/* the placeholders stay bare */
	c.decision = NULL;
	c.status = NULL;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " decision=- "));
	ck_assert_ptr_nonnull(strstr(buf, " ident_status=- "));
}
END_TEST

/* audit_escape, the daemon's old name, is the same function. */
START_TEST(test_escape_audit_name)
{
	unsigned char b[3];
	char a[32], r[32];
	int c;

	for (c = 0; c < 256; c++) {
		b[0] = (unsigned char)c;
		b[1] = 'x';
		b[2] = (unsigned char)(255 - c);
		ck_assert_uint_eq(audit_escape(a, sizeof(a), b, 3),
		    record_escape(r, sizeof(r), b, 3));
		ck_assert_str_eq(a, r);
	}
	ck_assert_int_eq(AUDIT_VALUE_MAX, RECORD_VALUE_MAX);
}
END_TEST

/* ---- the line guard (record_escape_ctl) */

/* The line guard against the byte-at-a-time rule it states: random text
 * with control bytes here and there, into every room up to the whole. */
START_TEST(test_ctl_random)
{
	unsigned char src[200];
	char got[1024], want[1024];
	unsigned long long x = 0x2545f4914f6cdd1dULL;
	size_t i, len, room, n, o;
	int round;

	for (round = 0; round < 3000; round++) {
		len = (size_t)round % sizeof(src);
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly plain, a control byte or DEL one in 8 */
			src[i] = (unsigned char)(x % 8 == 0 ? (x >> 8) % 0x20 :
			    x % 97 == 1 ? 0x7f : 0x20 + (x >> 8) % 0xe0);
		}
		room = (size_t)(x >> 20) % (4 * len + 8);
		/* the rule: a byte that does not fit whole stops the copy */
		for (i = 0, o = 0; i < len; i++) {
			if (src[i] < 0x20 || src[i] == 0x7f) {
				if (o + 4 > room)
					break;
				o += (size_t)snprintf(want + o, 5, "\\x%02x",
				    src[i]);
			} else {
				if (o + 1 > room)
					break;
				want[o++] = (char)src[i];
			}
		}
		memset(got, '?', sizeof(got));
		n = record_escape_ctl(got, room, src, len);
		ck_assert_uint_eq(n, o);
		ck_assert_int_eq(memcmp(got, want, n), 0);
		ck_assert_int_eq(got[n], '?');	/* nothing past */
	}
}
END_TEST

START_TEST(test_ctl_every_byte)
{
	unsigned char b;
	char want[16];
	int c;

	for (c = 0; c < 256; c++) {
		b = (unsigned char)c;
		if (c < 0x20 || c == 0x7f)
			snprintf(want, sizeof(want), "\\x%02x", c);
		else
			snprintf(want, sizeof(want), "%c", c);
		ck_assert_str_eq(ctl((const char *)&b, 1, 16), want);
	}
}
END_TEST

START_TEST(test_ctl_text)
{
	/* the high bytes of UTF-8 text, quotes and spaces stay as they are */
	static const char text[] = "bad token \"a\nb\x1b\x7f\xc3\xa9\"";

	ck_assert_str_eq(ctl(text, sizeof(text) - 1, 64),
	    "bad token \"a\\x0ab\\x1b\\x7f\xc3\xa9\"");
	ck_assert_str_eq(ctl("x=1\ny=2", 7, 64), "x=1\\x0ay=2");
	ck_assert_str_eq(ctl("", 0, 64), "");
	ck_assert_str_eq(ctl("a\0b", 3, 64), "a\\x00b");
}
END_TEST

START_TEST(test_ctl_small_dst)
{
	/* stops before an escape that would not fit, never inside one */
	ck_assert_str_eq(ctl("ab\ncd", 5, 5), "ab");
	ck_assert_str_eq(ctl("ab\ncd", 5, 6), "ab\\x0a");
	ck_assert_str_eq(ctl("ab\ncd", 5, 7), "ab\\x0ac");
	ck_assert_str_eq(ctl("abc", 3, 0), "");
	ck_assert_str_eq(ctl("abc", 3, 2), "ab");
}
END_TEST

START_TEST(test_has_ctl)
{
	ck_assert_int_eq(record_has_ctl("a=b c=\"d e\"", 11), 0);
	ck_assert_int_eq(record_has_ctl("\xc3\xa9", 2), 0);
	ck_assert_int_eq(record_has_ctl("a\n", 2), 1);
	ck_assert_int_eq(record_has_ctl("a\x7f", 2), 1);
	ck_assert_int_eq(record_has_ctl("a\0", 2), 1);
	ck_assert_int_eq(record_has_ctl("", 0), 0);
}
END_TEST

/* ---- text for a person (record_escape_show) */

/* Show (s, len) into a static, NUL-terminated buffer of room bytes. */
static const char *
show(const char *s, size_t len, size_t room, size_t *used)
{
	static char buf[2048];
	size_t n;

	n = record_escape_show(buf, room, s, len, used);
	ck_assert_uint_le(n, room);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_show_every_byte)
{
	unsigned char b;
	char want[16];
	size_t used;
	int c;

	for (c = 0; c < 256; c++) {
		b = (unsigned char)c;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' &&
		    c != '\'')
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		ck_assert_str_eq(show((const char *)&b, 1, 16, &used), want);
		ck_assert_uint_eq(used, 1);
	}
}
END_TEST

START_TEST(test_show_text_and_cut)
{
	size_t used;

	/* a terminal title and clear-screen from a hostile daytime server */
	ck_assert_str_eq(show("\x1b]0;pwned\a\x1b[2J", 14, 64, &used),
	    "\\x1b]0;pwned\\x07\\x1b[2J");
	ck_assert_uint_eq(used, 14);
	ck_assert_str_eq(show("my rules.conf", 13, 64, NULL), "my rules.conf");
	ck_assert_str_eq(show("j\xc3\xb6'r\\g", 7, 64, NULL),
	    "j\\xc3\\xb6\\x27r\\x5cg");
	/* stops before an escape that would not fit, and says where */
	ck_assert_str_eq(show("ab\ncd", 5, 5, &used), "ab");
	ck_assert_uint_eq(used, 2);
	ck_assert_str_eq(show("ab\ncd", 5, 6, &used), "ab\\x0a");
	ck_assert_uint_eq(used, 3);
	ck_assert_str_eq(show("abc", 3, 0, &used), "");
	ck_assert_uint_eq(used, 0);
	ck_assert_str_eq(show("", 0, 8, &used), "");
	ck_assert_uint_eq(used, 0);
}
END_TEST

/* ---- records from text */

static struct sockaddr_in	 r_peer, r_local;

/* A record: TCP 192.0.2.7:40000 -> 127.0.0.1:13, nothing looked up. */
static void
rc_init(struct record_conn *c)
{
	memset(c, 0, sizeof(*c));
	memset(&r_peer, 0, sizeof(r_peer));
	r_peer.sin_family = AF_INET;
	r_peer.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.7", &r_peer.sin_addr);
	r_local = r_peer;
	r_local.sin_port = htons(13);
	inet_pton(AF_INET, "127.0.0.1", &r_local.sin_addr);
	c->conn = 0x0123456789abcdefULL;
	c->proto = IPPROTO_TCP;
	c->peer = (struct sockaddr *)&r_peer;
	c->peerlen = sizeof(r_peer);
	c->local = (struct sockaddr *)&r_local;
	c->locallen = sizeof(r_local);
	c->decision = "allow";
	c->rule_file = "/etc/daytimed/daytimed.conf";
	c->rule_line = 12;
	c->status = "skipped";
	c->duration_us = 1500;
	c->bytes = 26;
}

/* Format c with record_conn_format and compare with want. */
static void
rc_expect(const struct record_conn *c, const char *want)
{
	char buf[2048];
	int n;

	n = record_conn_format(buf, sizeof(buf), c);
	ck_assert_int_ge(n, 0);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(test_conn_text)
{
	struct record_conn c;

	rc_init(&c);
	rc_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
	/* the netblock is text the caller formatted, written as given */
	c.netblock = "10.0.0.0/8";
	c.ident = (const unsigned char *)"al ice";
	c.identlen = 6;
	c.status = "ok";
	rc_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=\"al ice\" "
	    "ident_status=ok netblock=10.0.0.0/8 duration_us=1500 bytes=26");
	/* no status name at all: "-"; an unknown protocol: "-" */
	c.status = NULL;
	c.proto = 0;
	c.netblock = NULL;
	c.ident = NULL;
	rc_expect(&c, "conn=0123456789abcdef proto=- peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=- "
	    "duration_us=1500 bytes=26");
}
END_TEST

/* Through a proxy: via= after the peer; the proxy's denials as rules. */
START_TEST(test_conn_via)
{
	struct record_conn c;
	struct sockaddr_in6 v6;

	rc_init(&c);
	memset(&v6, 0, sizeof(v6));
	v6.sin6_family = AF_INET6;
	v6.sin6_port = htons(51000);
	inet_pton(AF_INET6, "2001:db8::5", &v6.sin6_addr);
	c.via = (struct sockaddr *)&v6;
	c.vialen = sizeof(v6);
	rc_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "via=[2001:db8::5]:51000 local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
	c.decision = "deny";
	c.proxy = "malformed";
	c.bytes = 0;
	rc_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "via=[2001:db8::5]:51000 local=127.0.0.1:13 decision=deny "
	    "rule=proxy:malformed ident=- ident_status=skipped "
	    "duration_us=1500 bytes=0");
	/* a limit names itself even on a proxied connection */
	c.limit = "per-source";
	c.decision = "drop";
	rc_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "via=[2001:db8::5]:51000 local=127.0.0.1:13 decision=drop "
	    "rule=limit:per-source ident=- ident_status=skipped "
	    "duration_us=1500 bytes=0");
}
END_TEST

START_TEST(test_conn_status_detail)
{
	struct record_conn c;
	char buf[2048], want[512], detail[100];

	rc_init(&c);
	c.status = "error";
	c.detail = "NO-USER";
	c.detaillen = 7;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident_status=error:NO-USER "));
	/* the detail is bytes with a length: a NUL and a newline escaped */
	c.detail = "X\0Y\n";
	c.detaillen = 4;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    " ident_status=\"error:X\\x00Y\\x0a\" "));
	/* cut at RECORD_DETAIL_MAX bytes, without a cut mark */
	memset(detail, 'z', sizeof(detail));
	c.detail = detail;
	c.detaillen = sizeof(detail);
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	snprintf(want, sizeof(want), " ident_status=error:%.*s ",
	    RECORD_DETAIL_MAX, detail);
	ck_assert_ptr_nonnull(strstr(buf, want));
}
END_TEST

START_TEST(test_conn_too_small)
{
	struct record_conn c;
	char buf[64];

	rc_init(&c);
	ck_assert_int_eq(record_conn_format(buf, 0, &c), -1);
	ck_assert_int_eq(record_conn_format(buf, sizeof(buf), &c), -1);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
}
END_TEST

/* The pieces a line is built from: a piece that does not fit with its
 * NUL is not written, and nothing after it is either. */
START_TEST(test_out)
{
	struct record_out w;
	char buf[8];

	record_out_init(&w, buf, sizeof(buf), 0);
	record_out_str(&w, "ab");
	record_out_uint(&w, 12345);
	ck_assert_str_eq(buf, "ab12345");	/* 7 bytes and the NUL: full */
	ck_assert_int_eq(w.full, 0);
	record_out_str(&w, "");
	ck_assert_int_eq(w.full, 0);
	record_out_str(&w, "c");
	ck_assert_int_eq(w.full, 1);
	ck_assert_str_eq(buf, "ab12345");
	record_out_init(&w, buf, sizeof(buf), 2);
	record_out_str(&w, "toolong");	/* 2 + 7 + NUL > 8 */
	ck_assert_int_eq(w.full, 1);
	ck_assert_str_eq(buf, "ab");
	record_out_str(&w, "x");	/* once full, always full */
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(w.off, 2);
	record_out_init(&w, buf, 0, 0);
	ck_assert_int_eq(w.full, 1);
	record_out_init(&w, buf, sizeof(buf), sizeof(buf));
	ck_assert_int_eq(w.full, 1);
}
END_TEST

/*
 * Addresses in records against inet_ntop and snprintf, the way they were
 * written before by hand (IPv6 against acl_addr_format, the netblocks'
 * text, which check_acl holds to inet_ntop): random IPv4, IPv6 with runs
 * of zero groups, IPv4-compatible (hex, as acl writes them), scope ids,
 * IPv4-mapped (the quad), and every buffer length around the line's: -1
 * below it, the whole line from it on.
 */
/*
 * One IPv6 address, one text: an IPv4-compatible ::1.2.3.4 is written
 * as -T, -e and netblock= write it (::102:304), in peer=, via= and
 * local= alike; the mapped form stays the IPv4 quad.
 */
START_TEST(test_conn_addr_compat)
{
	static const struct {
		const char	*addr;
		uint32_t	 scope;
		const char	*text;
	} t[] = {
		{ "::1.2.3.4", 0, "[::102:304]:9" },
		{ "::102:304", 0, "[::102:304]:9" },
		{ "::ffff:1.2.3.4", 0, "1.2.3.4:9" },
		{ "::0.0.0.1", 0, "[::1]:9" },
		{ "::", 0, "[::]:9" },
		{ "FD00::1", 0, "[fd00::1]:9" },
		{ "fe80::1", 2, "[fe80::1%2]:9" },
		{ "2001:db8:0:0:1:0:0:1", 0, "[2001:db8::1:0:0:1]:9" },
	};
	struct record_conn c;
	struct sockaddr_in6 p6;
	struct acl_prefix net;
	char buf[512], want[256], text[ACL_PREFIX_STRLEN];
	size_t i;
	int warn;
	const char *err;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc_init(&c);
		memset(&p6, 0, sizeof(p6));
		p6.sin6_family = AF_INET6;
		p6.sin6_port = htons(9);
		p6.sin6_scope_id = t[i].scope;
		ck_assert_int_eq(inet_pton(AF_INET6, t[i].addr,
		    &p6.sin6_addr), 1);
		c.peer = c.via = c.local = (struct sockaddr *)&p6;
		c.peerlen = c.vialen = c.locallen = sizeof(p6);
		ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
		snprintf(want, sizeof(want), " peer=%s via=%s local=%s ",
		    t[i].text, t[i].text, t[i].text);
		ck_assert_msg(strstr(buf, want) != NULL, "%s not in %s", want,
		    buf);
	}
	/* the netblock of the same address: the same text */
	ck_assert_int_eq(acl_prefix_parse("::1.2.3.4/128", 13, &net, &warn,
	    &err), 0);
	ck_assert_int_eq(acl_prefix_format(&net, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "::102:304/128");
}
END_TEST

START_TEST(test_conn_addr_text)
{
	struct record_conn c;
	struct sockaddr_in6 p6;
	struct sockaddr_in p4;
	struct acl_addr aa;
	char buf[512], a[INET6_ADDRSTRLEN], want[128];
	unsigned long long x = 88172645463325252ULL;
	size_t i, k, len;
	const char *at;
	int n;

	for (i = 0; i < 20000; i++) {
		rc_init(&c);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2 == 0) {
			memset(&p4, 0, sizeof(p4));
			p4.sin_family = AF_INET;
			memcpy(&p4.sin_addr, &x, 4);
			p4.sin_port = (in_port_t)(x >> 40);
			c.peer = (struct sockaddr *)&p4;
			c.peerlen = sizeof(p4);
			inet_ntop(AF_INET, &p4.sin_addr, a, sizeof(a));
			snprintf(want, sizeof(want), " peer=%s:%u ", a,
			    ntohs(p4.sin_port));
		} else {
			memset(&p6, 0, sizeof(p6));
			p6.sin6_family = AF_INET6;
			for (k = 0; k < 8; k++)	/* zero groups, often */
				if ((x >> (k + 8)) & 1) {
					p6.sin6_addr.s6_addr[2 * k] =
					    (uint8_t)(x >> (2 * k));
					p6.sin6_addr.s6_addr[2 * k + 1] =
					    (uint8_t)(x >> (3 * k + 1));
				}
			if (i % 7 == 1) {	/* IPv4-mapped */
				memset(p6.sin6_addr.s6_addr, 0, 10);
				p6.sin6_addr.s6_addr[10] = 0xff;
				p6.sin6_addr.s6_addr[11] = 0xff;
			} else if (i % 7 == 3)	/* IPv4-compatible */
				memset(p6.sin6_addr.s6_addr, 0, 12);
			p6.sin6_port = (in_port_t)(x >> 40);
			p6.sin6_scope_id = i % 5 == 3 ? (uint32_t)(x >> 32) : 0;
			c.peer = (struct sockaddr *)&p6;
			c.peerlen = sizeof(p6);
			if (IN6_IS_ADDR_V4MAPPED(&p6.sin6_addr)) {
				inet_ntop(AF_INET, &p6.sin6_addr.s6_addr[12], a,
				    sizeof(a));
				snprintf(want, sizeof(want), " peer=%s:%u ", a,
				    ntohs(p6.sin6_port));
			} else {
				aa.family = AF_INET6;
				memcpy(aa.bytes, &p6.sin6_addr, 16);
				ck_assert_int_eq(acl_addr_format(&aa, a,
				    sizeof(a)), 0);
				if (p6.sin6_scope_id != 0)
					snprintf(want, sizeof(want),
					    " peer=[%s%%%u]:%u ", a,
					    (unsigned)p6.sin6_scope_id,
					    ntohs(p6.sin6_port));
				else
					snprintf(want, sizeof(want),
					    " peer=[%s]:%u ", a,
					    ntohs(p6.sin6_port));
			}
		}
		c.conn = x;
		c.duration_us = x >> (i % 64);
		c.bytes = (size_t)(x >> 50);
		n = record_conn_format(buf, sizeof(buf), &c);
		ck_assert_int_gt(n, 0);
		ck_assert_msg(strstr(buf, want) != NULL, "%s not in %s", want,
		    buf);
		snprintf(want, sizeof(want), "conn=%016llx ", x);
		ck_assert_int_eq(strncmp(buf, want, strlen(want)), 0);
		snprintf(want, sizeof(want), " duration_us=%llu bytes=%zu",
		    x >> (i % 64), (size_t)(x >> 50));
		at = strstr(buf, " duration_us=");
		ck_assert_ptr_nonnull(at);
		ck_assert_str_eq(at, want);
		if (i % 97 != 0)
			continue;
		for (len = 0; len <= (size_t)n + 1; len++) {
			char small[512];

			memset(small, 'x', sizeof(small));
			ck_assert_int_eq(record_conn_format(small, len, &c),
			    len > (size_t)n ? n : -1);
			if (len > 0)
				ck_assert_uint_lt(strlen(small), len);
		}
	}
	/* no address, or one of no family a record knows: "-" */
	rc_init(&c);
	c.peer = NULL;
	memset(&p4, 0, sizeof(p4));
	p4.sin_family = AF_UNIX;
	c.local = (struct sockaddr *)&p4;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " peer=- local=- "));
}
END_TEST

/* rule=: the line inside the quotes of a quoted file; a limit or proxy
 * name past RECORD_VALUE_MAX cut and marked; the largest line. */
START_TEST(test_conn_rule_text)
{
	struct record_conn c;
	char buf[2048], name[RECORD_VALUE_MAX + 40], want[RECORD_VALUE_MAX + 80];

	rc_init(&c);
	c.rule_file = "/etc/my rules";
	c.rule_line = 4294967295U;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    " rule=\"/etc/my rules:4294967295\" "));
	c.rule_file = "/etc/r.conf";
	c.rule_line = 0;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " rule=/etc/r.conf:0 "));
	c.rule_file = NULL;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " rule=default "));
	/* a name that fits whole with "limit:", and one a byte longer */
	memset(name, 'n', sizeof(name));
	name[RECORD_VALUE_MAX - 6] = '\0';
	c.limit = name;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	snprintf(want, sizeof(want), " rule=limit:%s ", name);
	ck_assert_ptr_nonnull(strstr(buf, want));
	/* one byte more: the first RECORD_VALUE_MAX bytes, quoted, marked */
	name[RECORD_VALUE_MAX - 6] = 'n';
	name[RECORD_VALUE_MAX - 5] = '\0';
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	snprintf(want, sizeof(want), " rule=\"limit:%.*s%s\" ident=",
	    RECORD_VALUE_MAX - 6, name, RECORD_CUT_MARK);
	ck_assert_ptr_nonnull(strstr(buf, want));
	name[RECORD_VALUE_MAX + 30] = '\0';	/* longer than the copy */
	c.limit = NULL;
	c.proxy = name;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	snprintf(want, sizeof(want), " rule=\"proxy:%.*s%s\" ident=",
	    RECORD_VALUE_MAX - 6, name, RECORD_CUT_MARK);
	ck_assert_ptr_nonnull(strstr(buf, want));
	/* an address shorter than its family's: "-", as no address */
	c.peerlen = sizeof(struct sockaddr_in) - 1;
	ck_assert_int_gt(record_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " peer=- local=127.0.0.1:13 "));
}
END_TEST

START_TEST(test_event_text)
{
	char buf[256];
	char big[300];

	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "start", "a=b"),
	    (int)strlen("event=start version=" PACKAGE_VERSION " a=b"));
	ck_assert_str_eq(buf, "event=start version=" PACKAGE_VERSION " a=b");
	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "stop", NULL),
	    10);
	ck_assert_str_eq(buf, "event=stop");
	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "reload", ""),
	    12);
	ck_assert_str_eq(buf, "event=reload");
	/* an event name is escaped like any value */
	ck_assert_int_gt(record_event_format(buf, sizeof(buf), "a b", NULL), 0);
	ck_assert_str_eq(buf, "event=\"a b\"");
	/* kv must come escaped: a control byte is refused */
	errno = 0;
	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "reload",
	    "x=\n"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "reload",
	    "x=\x7f"), -1);
	/* a kv that does not fit */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(record_event_format(buf, sizeof(buf), "counters",
	    big), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(test_append)
{
	char buf[8];
	size_t o = 0;

	ck_assert_int_eq(record_append(buf, sizeof(buf), &o, "%s", "abc"), 0);
	ck_assert_uint_eq(o, 3);
	ck_assert_int_eq(record_append(buf, sizeof(buf), &o, "%d", 1234), 0);
	ck_assert_str_eq(buf, "abc1234");
	/* a cut keeps nothing of the cut text */
	ck_assert_int_eq(record_append(buf, sizeof(buf), &o, "x"), -1);
	ck_assert_uint_eq(o, 7);
	ck_assert_str_eq(buf, "abc1234");
	o = 2;
	ck_assert_int_eq(record_append(buf, sizeof(buf), &o, "%s", "123456"),
	    -1);
	ck_assert_str_eq(buf, "ab");
	o = sizeof(buf);
	ck_assert_int_eq(record_append(buf, sizeof(buf), &o, "x"), -1);
}
END_TEST

Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, test_escape_bare);
	tcase_add_test(tc, test_escape_empty);
	tcase_add_test(tc, test_escape_classes);
	tcase_add_test(tc, test_escape_every_byte);
	tcase_add_test(tc, test_escape_cut_boundary);
	tcase_add_test(tc, test_escape_worst_case);
	tcase_add_test(tc, test_escape_small_dst);
	tcase_add_test(tc, test_escape_audit_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("line guard");
	tcase_add_test(tc, test_ctl_every_byte);
	tcase_add_test(tc, test_ctl_random);
	tcase_add_test(tc, test_ctl_text);
	tcase_add_test(tc, test_ctl_small_dst);
	tcase_add_test(tc, test_has_ctl);
	tcase_add_test(tc, test_show_every_byte);
	tcase_add_test(tc, test_show_text_and_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_escape_hostile);
	tcase_add_test(tc, test_escape_grep_safe);
	tcase_add_test(tc, test_escape_dash_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("record");
	tcase_add_test(tc, test_conn_text);
	tcase_add_test(tc, test_conn_via);
	tcase_add_test(tc, test_conn_status_detail);
	tcase_add_test(tc, test_conn_too_small);
	tcase_add_test(tc, test_out);
	tcase_add_test(tc, test_conn_addr_text);
	tcase_add_test(tc, test_conn_addr_compat);
	tcase_add_test(tc, test_conn_rule_text);
	tcase_add_test(tc, test_event_text);
	tcase_add_test(tc, test_append);
	suite_add_tcase(s, tc);
	return s;
}
