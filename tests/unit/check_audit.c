/* SPDX-License-Identifier: ISC */
/*
 * audit_suite: escaping, the record format, the sealed chain (a round
 * trip through log.c's socket and back, with the auditor's secret key),
 * key files, and log.c's writer (format, escaping, queue, back-pressure,
 * reconnect). CK_FORK gives every test a fresh log state.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "compat/compat.h"
#include "daemon/audit.h"
#include "daemon/log.h"
#include "tests/unit/suites.h"

#define CHAIN_STEP	"\0daytimed audit chain step v1"

struct sink {
	char	dir[64];
	char	path[128];
	int	fd;
};

/* Escape a C string with audit_escape into a static buffer. */
static const char *
esc(const char *s, size_t len)
{
	static char buf[2048];

	audit_escape(buf, sizeof(buf), (const unsigned char *)s, len);
	return buf;
}

/* Bind a fresh datagram socket at k->path. */
static void
sink_bind(struct sink *k)
{
	struct sockaddr_un sun;

	k->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(k->fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, k->path, sizeof(sun.sun_path));
	ck_assert_int_eq(bind(k->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
}

/* A datagram receiver standing in for /dev/log; log.c connects to it. */
static void
sink_open(struct sink *k)
{
	strlcpy(k->dir, "/tmp/check_audit.XXXXXX", sizeof(k->dir));
	ck_assert_ptr_nonnull(mkdtemp(k->dir));
	ck_assert_int_lt(snprintf(k->path, sizeof(k->path), "%s/log", k->dir),
	    (int)sizeof(k->path));
	sink_bind(k);
}

/* Re-create the receiver at the same path (a restarted syslogd). */
static void
sink_restart(struct sink *k)
{
	close(k->fd);
	unlink(k->path);
	sink_bind(k);
}

static void
sink_close(struct sink *k)
{
	close(k->fd);
	unlink(k->path);
	rmdir(k->dir);
}

/* One datagram (NUL-terminated) or -1 when none waits. */
static ssize_t
sink_recv(struct sink *k, char *buf, size_t len)
{
	ssize_t n = recv(k->fd, buf, len - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The message after "daytimed[PID]: " in a datagram. */
static const char *
msg_of(const char *dgram)
{
	const char *p = strstr(dgram, "]: ");

	ck_assert_ptr_nonnull(p);
	return p + 3;
}

/* ---- escape */

START_TEST(test_escape_bare)
{
	ck_assert_str_eq(esc("alice", 5), "alice");
	ck_assert_str_eq(esc("!~", 2), "!~");
	ck_assert_str_eq(esc("a=b:c/d", 7), "a=b:c/d");
}
END_TEST

START_TEST(test_escape_empty)
{
	ck_assert_str_eq(esc("", 0), "\"\"");
	ck_assert_uint_eq(audit_escape((char[3]){0}, 3,
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
		if (c >= 0x21 && c <= 0x7e && c != '"' && c != '\\')
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
	char in[AUDIT_VALUE_MAX + 1], want[AUDIT_VALUE_MAX + 16];
	char out[2048];
	size_t n;

	memset(in, 'a', sizeof(in));
	/* exactly AUDIT_VALUE_MAX bytes: kept whole, bare */
	n = audit_escape(out, sizeof(out), (unsigned char *)in,
	    AUDIT_VALUE_MAX);
	ck_assert_uint_eq(n, AUDIT_VALUE_MAX);
	ck_assert_uint_eq(strlen(out), AUDIT_VALUE_MAX);
	/* one more: quoted, the first AUDIT_VALUE_MAX kept, marked */
	n = audit_escape(out, sizeof(out), (unsigned char *)in,
	    AUDIT_VALUE_MAX + 1);
	want[0] = '"';
	memset(want + 1, 'a', AUDIT_VALUE_MAX);
	memcpy(want + 1 + AUDIT_VALUE_MAX, "...(cut)\"", 10);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(n, AUDIT_VALUE_MAX + 10);
}
END_TEST

START_TEST(test_escape_worst_case)
{
	unsigned char in[AUDIT_VALUE_MAX];
	char out[2048];

	memset(in, 0xff, sizeof(in));
	ck_assert_uint_eq(audit_escape(out, sizeof(out), in, sizeof(in)),
	    2 + 4 * AUDIT_VALUE_MAX);
	ck_assert_ptr_null(strstr(out, "(cut)"));
}
END_TEST

START_TEST(test_escape_small_dst)
{
	char out[16];
	size_t n;

	/* a bare value that does not fit is cut, quoted and marked */
	n = audit_escape(out, 16, (const unsigned char *)"abcdefghijklmnop",
	    16);
	ck_assert_str_eq(out, "\"abcde...(cut)\"");
	ck_assert_uint_eq(n, 15);
	/* an escape is never split */
	n = audit_escape(out, 16, (const unsigned char *)"ab\x01\x02", 4);
	ck_assert_str_eq(out, "\"ab...(cut)\"");
	ck_assert_uint_eq(n, strlen(out));
	/* too small for quotes and the marker: empty, terminated */
	n = audit_escape(out, 8, (const unsigned char *)"a b", 3);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(audit_escape(out, 0, (const unsigned char *)"a", 1),
	    0);
	n = audit_escape(out, 2, (const unsigned char *)"a", 1);
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
	    "conn=0 decision=allow\"");
	o = esc(ansi, sizeof(ansi) - 1);
	ck_assert_str_eq(o, "\"\\x1b[2J\\x1b]0;pwned\\x07\\\"\\\\\"");
	/* a value that ends like the marker is still just escaped text */
	ck_assert_str_eq(esc("x\"", 2), "\"x\\\"\"");
}
END_TEST

/* ---- record */

static struct sockaddr_in	 t_p4, t_l4;
static struct sockaddr_in6	 t_p6, t_l6;

/* A connection record skeleton: TCP 192.0.2.7:40000 -> 127.0.0.1:13. */
static void
conn_init(struct audit_conn *c)
{
	memset(c, 0, sizeof(*c));
	memset(&t_p4, 0, sizeof(t_p4));
	t_p4.sin_family = AF_INET;
	t_p4.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.7", &t_p4.sin_addr);
	t_l4 = t_p4;
	t_l4.sin_port = htons(13);
	inet_pton(AF_INET, "127.0.0.1", &t_l4.sin_addr);
	c->conn = 0x0123456789abcdefULL;
	c->proto = IPPROTO_TCP;
	c->peer = (struct sockaddr *)&t_p4;
	c->peerlen = sizeof(t_p4);
	c->local = (struct sockaddr *)&t_l4;
	c->locallen = sizeof(t_l4);
	c->decision = "allow";
	c->rule_file = "/etc/daytimed/daytimed.conf";
	c->rule_line = 12;
	c->ident_status = IDENT_SKIPPED;
	c->duration_us = 1500;
	c->bytes = 26;
}

/* conn_init with the addresses in thread-local storage. */
static void
conn_init_local(struct audit_conn *c)
{
	static _Thread_local struct sockaddr_in p, l;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.sin_family = AF_INET;
	p.sin_port = htons(40000);
	inet_pton(AF_INET, "127.0.0.2", &p.sin_addr);
	l = p;
	l.sin_port = htons(13);
	c->proto = IPPROTO_TCP;
	c->peer = (struct sockaddr *)&p;
	c->peerlen = sizeof(p);
	c->local = (struct sockaddr *)&l;
	c->locallen = sizeof(l);
	c->decision = "allow";
	c->ident_status = IDENT_SKIPPED;
}

/* Set an IPv6 peer and local address. */
static void
conn_v6(struct audit_conn *c, const char *peer, const char *local)
{
	memset(&t_p6, 0, sizeof(t_p6));
	t_p6.sin6_family = AF_INET6;
	t_p6.sin6_port = htons(40001);
	ck_assert_int_eq(inet_pton(AF_INET6, peer, &t_p6.sin6_addr), 1);
	t_l6 = t_p6;
	t_l6.sin6_port = htons(13);
	ck_assert_int_eq(inet_pton(AF_INET6, local, &t_l6.sin6_addr), 1);
	c->peer = (struct sockaddr *)&t_p6;
	c->peerlen = sizeof(t_p6);
	c->local = (struct sockaddr *)&t_l6;
	c->locallen = sizeof(t_l6);
}

/* Format c and compare with want. */
static void
conn_expect(const struct audit_conn *c, const char *want)
{
	char buf[AUDIT_LINE_MAX];
	int n;

	n = audit_conn_format(buf, sizeof(buf), c);
	ck_assert_int_ge(n, 0);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(test_record_v4)
{
	struct audit_conn c;

	conn_init(&c);
	conn_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
}
END_TEST

START_TEST(test_record_v6)
{
	struct audit_conn c;

	conn_init(&c);
	conn_v6(&c, "2001:db8::1", "::1");
	conn_expect(&c, "conn=0123456789abcdef proto=tcp "
	    "peer=[2001:db8::1]:40001 local=[::1]:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
	t_p6.sin6_scope_id = 3;
	conn_expect(&c, "conn=0123456789abcdef proto=tcp "
	    "peer=[2001:db8::1%3]:40001 local=[::1]:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
}
END_TEST

START_TEST(test_record_mapped)
{
	struct audit_conn c;

	conn_init(&c);
	conn_v6(&c, "::ffff:192.0.2.9", "::ffff:127.0.0.1");
	conn_expect(&c, "conn=0123456789abcdef proto=tcp "
	    "peer=192.0.2.9:40001 local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
}
END_TEST

START_TEST(test_record_rules)
{
	struct audit_conn c;

	conn_init(&c);
	c.decision = "deny";
	c.rule_file = NULL;
	c.proto = IPPROTO_UDP;
	c.bytes = 0;
	conn_expect(&c, "conn=0123456789abcdef proto=udp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=deny rule=default ident=- "
	    "ident_status=skipped duration_us=1500 bytes=0");
	c.decision = "drop";
	c.limit = "per-source";
	c.count = 17;
	conn_expect(&c, "conn=0123456789abcdef proto=udp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=drop rule=limit:per-source ident=- "
	    "ident_status=skipped duration_us=1500 bytes=0 count=17");
	c.count = 1;
	c.limit = NULL;
	c.decision = "allow";
	c.rule_file = "/etc/my rules/a\"b.conf";
	c.rule_line = 7;
	conn_expect(&c, "conn=0123456789abcdef proto=udp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=\"/etc/my rules/a\\\"b.conf:7\" ident=- "
	    "ident_status=skipped duration_us=1500 bytes=0");
}
END_TEST

START_TEST(test_record_netblock)
{
	struct audit_conn c;
	struct acl_prefix p;

	conn_init(&c);
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET;
	p.addr.bytes[0] = 192;
	p.plen = 8;
	c.net = &p;
	conn_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "netblock=192.0.0.0/8 duration_us=1500 bytes=26");
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET6;
	p.addr.bytes[0] = 0x20;
	p.addr.bytes[1] = 0x01;
	p.addr.bytes[2] = 0x0d;
	p.addr.bytes[3] = 0xb8;
	p.plen = 32;
	conn_expect(&c, "conn=0123456789abcdef proto=tcp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "netblock=2001:db8::/32 duration_us=1500 bytes=26");
}
END_TEST

START_TEST(test_record_ident)
{
	static const struct {
		enum ident_status	 st;
		const char		*want;
	} t[] = {
		{ IDENT_TIMEOUT, "ident=- ident_status=timeout" },
		{ IDENT_REFUSED, "ident=- ident_status=refused" },
		{ IDENT_UNREACHABLE, "ident=- ident_status=unreachable" },
		{ IDENT_MALFORMED, "ident=- ident_status=malformed" },
		{ IDENT_SKIPPED, "ident=- ident_status=skipped" },
	};
	struct audit_conn c;
	struct ident_answer id;
	char buf[AUDIT_LINE_MAX];
	size_t i;

	conn_init(&c);
	memset(&id, 0, sizeof(id));
	c.ident = &id;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c.ident_status = t[i].st;
		ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
		ck_assert_ptr_nonnull(strstr(buf, t[i].want));
	}
	c.ident_status = IDENT_OK;
	memcpy(id.user, "alice", 5);
	id.userlen = 5;
	ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident=alice ident_status=ok "));
	memcpy(id.user, "bob smith\n\"x", 12);
	id.userlen = 12;
	ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    " ident=\"bob smith\\x0a\\\"x\" ident_status=ok "));
	/* status not ok: the user bytes are not shown */
	c.ident_status = IDENT_ERROR;
	strlcpy(id.errtype, "NO-USER", sizeof(id.errtype));
	ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident=- ident_status=error:NO-USER "));
	strlcpy(id.errtype, "X Y\x1b", sizeof(id.errtype));
	ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    " ident=- ident_status=\"error:X Y\\x1b\" "));
	/* ok without an answer struct: nothing to show */
	c.ident = NULL;
	c.ident_status = IDENT_OK;
	ck_assert_int_gt(audit_conn_format(buf, sizeof(buf), &c), 0);
	ck_assert_ptr_nonnull(strstr(buf, " ident=- ident_status=ok "));
}
END_TEST

START_TEST(test_record_worst_case)
{
	struct audit_conn c;
	struct ident_answer id;
	struct acl_prefix p;
	char file[600], buf[AUDIT_LINE_MAX];
	int n;

	conn_init(&c);
	conn_v6(&c, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	t_p6.sin6_scope_id = 4294967295u;
	t_l6.sin6_scope_id = 4294967295u;
	memset(&id, 0xff, sizeof(id));
	id.userlen = IDENT_USER_MAX;
	c.ident = &id;
	c.ident_status = IDENT_OK;
	memset(file, 0x01, sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	c.rule_file = file;
	c.rule_line = 4294967295u;
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET6;
	memset(p.addr.bytes, 0xff, 16);
	p.plen = 128;
	c.net = &p;
	c.duration_us = UINT64_MAX;
	c.bytes = SIZE_MAX;
	c.count = 4294967295u;
	c.decision = "allow";
	n = audit_conn_format(buf, sizeof(buf), &c);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(strchr(buf, '\n'));
	/* room is left for the chain fields */
	ck_assert_int_lt(n, AUDIT_LINE_MAX - 300);
	ck_assert_ptr_nonnull(strstr(buf, "...(cut):4294967295\" ident="));
	ck_assert_ptr_nonnull(strstr(buf, " count=4294967295"));
	/* too small a buffer fails cleanly */
	ck_assert_int_eq(audit_conn_format(buf, 64, &c), -1);
}
END_TEST

START_TEST(test_record_no_address)
{
	struct audit_conn c;

	conn_init(&c);
	c.peer = NULL;
	c.local = NULL;
	c.decision = NULL;
	conn_expect(&c, "conn=0123456789abcdef proto=tcp peer=- local=- "
	    "decision=- rule=/etc/daytimed/daytimed.conf:12 ident=- "
	    "ident_status=skipped duration_us=1500 bytes=26");
}
END_TEST

/* ---- chain and key files */

/* Write a key file holding key as hex; returns its path. */
static void
keyfile_write(const char *path, const unsigned char *key)
{
	char hex[AUDIT_KEYFILE_LEN + 1];
	FILE *f;

	audit_hex(hex, key, AUDIT_KEY_BYTES);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", hex);
	fclose(f);
}

START_TEST(test_chain_step_vector)
{
	unsigned char k[AUDIT_KEY_BYTES], want[AUDIT_KEY_BYTES];
	unsigned char mac[AUDIT_MAC_BYTES], wmac[AUDIT_MAC_BYTES];
	size_t i;

	ck_assert_int_ge(sodium_init(), 0);
	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	/* the definition, spelled out: MAC and step are keyed BLAKE2b-256 */
	crypto_generichash(wmac, sizeof(wmac), (const unsigned char *)"abc", 3,
	    k, sizeof(k));
	audit_chain_mac(k, "abc", 3, mac);
	ck_assert_mem_eq(mac, wmac, sizeof(mac));
	crypto_generichash(want, sizeof(want),
	    (const unsigned char *)CHAIN_STEP, sizeof(CHAIN_STEP) - 1, k,
	    sizeof(k));
	audit_chain_next(k);
	ck_assert_mem_eq(k, want, sizeof(k));
}
END_TEST

START_TEST(test_chain_round_trip)
{
	unsigned char pk[AUDIT_KEY_BYTES], sk[AUDIT_KEY_BYTES];
	unsigned char k[AUDIT_KEY_BYTES], sealed[AUDIT_KEY_BYTES + 48];
	unsigned char mac[AUDIT_MAC_BYTES], got[AUDIT_MAC_BYTES];
	char path[160], err[256], dgram[4096], rec[8][4096], epoch[17];
	char tamper[4096];
	const char *m, *s, *e;
	struct audit_conn c;
	struct audit *a;
	struct sink sk_;
	size_t ml;
	int i, n = 0;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	sink_open(&sk_);
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/pub", sk_.dir),
	    (int)sizeof(path));
	keyfile_write(path, pk);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(sk_.path, LOG_DAEMON), 0);
	log_stderr(0);
	a = audit_open(path, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	unlink(path);

	ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "start", "a=b"), 0);
	conn_init(&c);
	for (i = 0; i < 4; i++) {
		c.conn = (uint64_t)i;
		ck_assert_int_eq(audit_conn_log(a, &c), 0);
	}
	ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "stop", NULL), 0);
	audit_close(a);
	while (n < 8 && sink_recv(&sk_, dgram, sizeof(dgram)) > 0)
		strlcpy(rec[n++], msg_of(dgram), sizeof(rec[0]));
	ck_assert_int_eq(n, 6);
	sink_close(&sk_);

	/* the start record: version, kv, then sealed K0 and the chain */
	ck_assert_int_eq(strncmp(rec[0], "event=start version=" PACKAGE_VERSION
	    " a=b sealed=", 20 + strlen(PACKAGE_VERSION) + 12), 0);
	s = strstr(rec[0], " sealed=") + 8;
	e = strchr(s, ' ');
	ck_assert_int_eq(audit_unhex(sealed, sizeof(sealed), s,
	    (size_t)(e - s)), 0);
	ck_assert_int_eq(crypto_box_seal_open(k, sealed, sizeof(sealed), pk,
	    sk), 0);
	ck_assert_int_eq(strncmp(e, " epoch=", 7), 0);
	memcpy(epoch, e + 7, 16);
	epoch[16] = '\0';

	for (i = 0; i < n; i++) {
		char suffix[64];

		snprintf(suffix, sizeof(suffix), " epoch=%s seq=%d mac=", epoch,
		    i);
		m = strstr(rec[i], suffix);
		ck_assert_msg(m != NULL, "record %d: %s", i, rec[i]);
		ml = (size_t)(m - rec[i]) + strlen(suffix) - 5;
		ck_assert_uint_eq(strlen(rec[i]), ml + 5 + 64);
		ck_assert_int_eq(audit_unhex(got, sizeof(got), rec[i] + ml + 5,
		    64), 0);
		audit_chain_mac(k, rec[i], ml, mac);
		ck_assert_mem_eq(mac, got, sizeof(mac));
		/* only seq 0 carries the sealed key */
		ck_assert_int_eq(strstr(rec[i], " sealed=") != NULL, i == 0);
		/* a changed byte does not verify */
		strlcpy(tamper, rec[i], sizeof(tamper));
		tamper[3] ^= 1;
		audit_chain_mac(k, tamper, ml, mac);
		ck_assert_int_ne(memcmp(mac, got, sizeof(mac)), 0);
		audit_chain_next(k);
	}
	ck_assert_int_eq(strncmp(rec[5], "event=stop epoch=", 17), 0);
	ck_assert_int_eq(strncmp(rec[1], "conn=0000000000000000 proto=tcp ",
	    32), 0);
}
END_TEST

struct thr_arg {
	struct audit	*a;
	int		 n;
};

/* A worker: n connection records through the shared chain. */
static void *
thr_log(void *arg)
{
	struct thr_arg *t = arg;
	struct audit_conn c;
	int i;

	conn_init_local(&c);
	for (i = 0; i < t->n; i++)
		if (audit_conn_log(t->a, &c) != 0)
			return (void *)1;
	return NULL;
}

START_TEST(test_chain_threads)
{
	unsigned char pk[AUDIT_KEY_BYTES], sk[AUDIT_KEY_BYTES];
	char path[160], err[256], d[4096], want[32];
	struct thr_arg ta = { NULL, 300 };
	struct log_counters ct;
	pthread_t th[4];
	struct pollfd pfd;
	struct sink k;
	void *rv;
	int i, got = 0, idle = 0;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	sink_open(&k);
	snprintf(path, sizeof(path), "%s/pub", k.dir);
	keyfile_write(path, pk);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	ta.a = audit_open(path, err, sizeof(err));
	ck_assert_msg(ta.a != NULL, "%s", err);
	unlink(path);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, thr_log, &ta), 0);
	/* records arrive in seq order whatever thread made them */
	pfd.fd = k.fd;
	pfd.events = POLLIN;
	while (got < 1200 && idle < 50) {
		/* no event loop here: push what waits in the queue */
		log_flush(0);
		if (poll(&pfd, 1, 100) <= 0) {
			idle++;
			continue;
		}
		while (sink_recv(&k, d, sizeof(d)) > 0) {
			snprintf(want, sizeof(want), " seq=%d mac=", got);
			ck_assert_msg(strstr(d, want) != NULL, "want seq %d: %s",
			    got, d);
			got++;
		}
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	ck_assert_int_eq(got, 1200);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	audit_close(ta.a);
	sink_close(&k);
}
END_TEST

START_TEST(test_chain_plain)
{
	struct audit_conn c;
	struct audit *a;
	struct sink k;
	char err[256], dgram[4096];

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	a = audit_open(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	conn_init(&c);
	ck_assert_int_eq(audit_conn_log(a, &c), 0);
	ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "reload", NULL), 0);
	ck_assert_int_gt(sink_recv(&k, dgram, sizeof(dgram)), 0);
	ck_assert_str_eq(msg_of(dgram), "conn=0123456789abcdef proto=tcp "
	    "peer=192.0.2.7:40000 local=127.0.0.1:13 decision=allow "
	    "rule=/etc/daytimed/daytimed.conf:12 ident=- ident_status=skipped "
	    "duration_us=1500 bytes=26");
	ck_assert_int_eq(strncmp(dgram, "<30>", 4), 0);
	ck_assert_int_gt(sink_recv(&k, dgram, sizeof(dgram)), 0);
	ck_assert_str_eq(msg_of(dgram), "event=reload");
	ck_assert_int_eq(strncmp(dgram, "<29>", 4), 0);
	/* caller-built kv must already be escaped */
	ck_assert_int_eq(audit_event_log(a, LOG_NOTICE, "reload", "x=\n"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sink_recv(&k, dgram, sizeof(dgram)), -1);
	audit_close(a);
	sink_close(&k);
}
END_TEST

START_TEST(test_key_parse)
{
	unsigned char k[AUDIT_KEY_BYTES];
	char good[AUDIT_KEYFILE_LEN + 2];

	memset(good, 'a', 64);
	good[64] = '\n';
	good[65] = '\0';
	ck_assert_int_eq(audit_key_parse(good, 65, k), 0);
	ck_assert_uint_eq(k[0], 0xaa);
	ck_assert_int_eq(audit_key_parse(good, 64, k), -1);	/* no newline */
	ck_assert_int_eq(audit_key_parse(good, 63, k), -1);
	good[65] = '\n';
	ck_assert_int_eq(audit_key_parse(good, 66, k), -1);	/* extra */
	good[10] = 'A';
	ck_assert_int_eq(audit_key_parse(good, 65, k), -1);	/* uppercase */
	good[10] = 'g';
	ck_assert_int_eq(audit_key_parse(good, 65, k), -1);
	good[10] = ' ';
	ck_assert_int_eq(audit_key_parse(good, 65, k), -1);
	ck_assert_int_eq(audit_key_parse("", 0, k), -1);
}
END_TEST

START_TEST(test_key_open_errors)
{
	char dir[] = "/tmp/check_audit.XXXXXX", path[128], err[512];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.pub", dir);
	ck_assert_ptr_null(audit_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	snprintf(path, sizeof(path), "%s/bad.pub", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a key\n", f);
	fclose(f);
	ck_assert_ptr_null(audit_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "not a daytimed-audit key file"));
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- log */

START_TEST(test_log_format)
{
	struct sink k;
	char d[4096], want[128];

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_AUTH), 0);
	log_stderr(0);
	errno = EACCES;
	log_warn("open %s", "x");
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	/* <PRI>Mmm dd hh:mm:ss daytimed[PID]: */
	ck_assert_int_eq(strncmp(d, "<36>", 4), 0);	/* auth.warning */
	ck_assert_int_eq(d[7], ' ');
	ck_assert_int_eq(d[10], ' ');
	ck_assert_int_eq(d[13], ':');
	ck_assert_int_eq(d[16], ':');
	snprintf(want, sizeof(want), " daytimed[%ld]: ", (long)getpid());
	ck_assert_int_eq(strncmp(d + 19, want, strlen(want)), 0);
	ck_assert_str_eq(msg_of(d), "open x: Permission denied");

	log_setpid(4242);
	log_info("hi");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_ptr_nonnull(strstr(d, " daytimed[4242]: hi"));
	ck_assert_int_eq(strncmp(d, "<38>", 4), 0);
	log_debug("not shown");
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_escape)
{
	struct sink k;
	char d[4096];

	sink_open(&k);
	log_init("daytimed", 1);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	log_warnx("bad token \"%s\"", "a\nb\x1b\x7f\xc3\xa9");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d),
	    "bad token \"a\\x0ab\\x1b\\x7f\xc3\xa9\"");
	ck_assert_int_eq(log_record(LOG_INFO, "x=1\ny=2 tail", 7), 0);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "x=1\\x0ay=2");
	log_debug("dbg");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "dbg");
	sink_close(&k);
}
END_TEST

static int	drained;

static void
drain_cb(void *arg)
{
	(void)arg;
	drained++;
}

START_TEST(test_log_backpressure)
{
	struct log_counters ct;
	struct event_base *base;
	struct sink k;
	char d[4096];
	int i, got = 0, spins;

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	log_set_drain_cb(drain_cb, NULL);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* nobody reads: the receiver fills, then the queue */
	for (i = 0; i < 4000; i++)
		log_info("msg %d", i);
	ck_assert_int_eq(log_congested(), 1);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.queued, 3000);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.congested, 1);
	ck_assert_uint_eq(ct.sent + ct.queued, 4000);
	/* the receiver reads; the loop drains; back-pressure ends once */
	for (spins = 0; spins < 100000 && got < 4000; spins++) {
		while (sink_recv(&k, d, sizeof(d)) > 0) {
			char want[32];

			snprintf(want, sizeof(want), "msg %d", got);
			ck_assert_str_eq(msg_of(d), want);	/* in order */
			got++;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	ck_assert_int_eq(got, 4000);
	ck_assert_int_eq(log_congested(), 0);
	ck_assert_int_eq(drained, 1);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 4000);
	ck_assert_uint_eq(ct.lost, 0);
	/* past the hard cap messages are lost, and counted */
	for (i = 0; i < 4200; i++)
		log_info("flood %d", i);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.lost, 0);
	ck_assert_uint_eq(ct.congested, 2);
	ck_assert_int_eq(log_record(LOG_INFO, "x", 1), -1);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k);
}
END_TEST

/* Receive one datagram within ms milliseconds, running base meanwhile. */
static int
sink_wait(struct sink *k, struct event_base *base, char *buf, size_t len,
    int ms)
{
	struct pollfd pfd = { k->fd, POLLIN, 0 };
	int n, i;

	for (i = 0; i < ms; i++) {
		if ((n = sink_recv(k, buf, len)) > 0)
			return n;
		event_base_loop(base, EVLOOP_NONBLOCK);
		(void)poll(&pfd, 1, 1);
	}
	return sink_recv(k, buf, len);
}

/* Log the record "TAG I". */
static void
rec(const char *tag, int i)
{
	char m[64];
	int n = snprintf(m, sizeof(m), "%s %d", tag, i);

	ck_assert_int_eq(log_record(LOG_INFO, m, (size_t)n), 0);
}

/*
 * The next datagram is the record "TAG I" (the receiver holds only a few:
 * the rest wait in the queue, which base drains).
 */
static void
want_rec(struct sink *k, struct event_base *base, const char *tag, int i)
{
	char d[4096], m[64];

	snprintf(m, sizeof(m), "%s %d", tag, i);
	ck_assert_int_gt(sink_wait(k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), m);
}

START_TEST(test_log_batch)
{
	struct log_counters ct;
	struct event_base *base, *base2;
	unsigned long long q0;
	struct sink k;
	char d[4096];
	int i;

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* a 10 s window: in this part nothing leaves by the clock */
	ck_assert_int_eq(log_batch_open(base, 10u * 1000000u), 0);
	rec("r", 0);			/* after a quiet spell: at once */
	want_rec(&k, base, "r", 0);
	for (i = 1; i <= 32; i++)	/* then they wait, 32 at most */
		rec("r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	/* an ordered record (audit's chain) never waits, nor passes them */
	ck_assert_int_eq(log_record_ordered(LOG_INFO, "sealed", 6), 0);
	for (i = 1; i <= 32; i++)
		want_rec(&k, base, "r", i);
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "sealed");
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	for (i = 1; i <= 32; i++)	/* held again, 32 at most */
		rec("r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	rec("r", 33);		/* the batch is full: 1..32 go */
	for (i = 1; i <= 32; i++)
		want_rec(&k, base, "r", i);
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	log_flush(0);			/* the thread's batch first */
	want_rec(&k, base, "r", 33);
	log_info("x");			/* other messages wait too */
	ck_assert_int_eq(sink_recv(&k, d, sizeof(d)), -1);
	log_batch_close();		/* closing sends what waits */
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "x");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 68);	/* some via the queue */
	ck_assert_uint_eq(ct.lost, 0);

	/* a 20 ms window: what waits leaves on the loop's timer */
	ck_assert_int_eq(log_batch_open(base, 20000), 0);
	rec("t", 0);
	rec("t", 1);
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "t 0");
	ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
	ck_assert_str_eq(msg_of(d), "t 1");
	log_batch_close();

	/*
	 * A full receiver: messages held before it filled join the queue
	 * behind older ones; while the queue holds any, nothing is held,
	 * and a record lost past its cap says so.
	 */
	ck_assert_int_eq(log_batch_open(base, 10u * 1000000u), 0);
	rec("h", 0);			/* at once */
	want_rec(&k, base, "h", 0);
	rec("h", 1);			/* held */
	log_get_counters(&ct);
	q0 = ct.queued;
	for (i = 0; i < 5000 && ct.queued == q0; i++) {
		ck_assert_int_eq(log_record_ordered(LOG_INFO, "fill", 4), 0);
		log_get_counters(&ct);
	}
	ck_assert_uint_gt(ct.queued, q0);
	/* "h 1" went first: the ordered records sent it */
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "h 1");
	for (i = 0; i < 10; i++)
		rec("q", i);		/* queued, not held */
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	while (sink_wait(&k, base, d, sizeof(d), 5000) > 0 &&
	    strcmp(msg_of(d), "fill") == 0)
		;
	ck_assert_str_eq(msg_of(d), "q 0");
	for (i = 1; i < 10; i++) {
		char m[64];

		snprintf(m, sizeof(m), "q %d", i);
		ck_assert_int_gt(sink_wait(&k, base, d, sizeof(d), 5000), 0);
		ck_assert_str_eq(msg_of(d), m);
	}
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	/* nobody reads: past the queue's cap a record reports its loss */
	for (i = 0; i < 6000; i++)
		if (log_record(LOG_INFO, "cap", 3) == -1)
			break;
	ck_assert_int_lt(i, 6000);
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 1);
	log_batch_close();
	/* a batch on another base is refused while this one is open */
	ck_assert_int_eq(log_batch_open(base, 1000), 0);
	base2 = event_base_new();
	ck_assert_ptr_nonnull(base2);
	ck_assert_int_eq(log_batch_open(base2, 1000), -1);
	ck_assert_int_eq(log_batch_open(base, 1000), 0);
	log_batch_close();
	event_base_free(base2);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_reopen)
{
	struct log_counters ct;
	struct event_base *base;
	struct sink k1, k2;
	char d[4096];
	int i;
	unsigned long long got = 0;

	sink_open(&k1);
	sink_open(&k2);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k1.path, LOG_DAEMON), 0);
	log_stderr(0);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_attach(base);
	/* nobody reads the first socket: messages wait in the queue */
	for (i = 0; i < 200; i++)
		log_info("m %d", i);
	log_get_counters(&ct);
	ck_assert_uint_gt(ct.queued, 0);
	/* the socket replaced under an armed write event: the loop drains */
	ck_assert_int_eq(log_open_syslog(k2.path, LOG_DAEMON), 0);
	while (got < ct.queued &&
	    sink_wait(&k2, base, d, sizeof(d), 5000) > 0)
		got++;
	ck_assert_uint_eq(got, ct.queued);	/* all of the queue, there */
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	ck_assert_uint_eq(ct.sent, 200);
	log_attach(NULL);
	event_base_free(base);
	sink_close(&k1);
	sink_close(&k2);
}
END_TEST

/* fatal and fatalx: one LOG_CRIT line, with or without strerror, exit 1. */
START_TEST(test_log_fatal)
{
	struct sink k;
	char d[4096];
	int i, st;
	pid_t pid;

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	for (i = 0; i < 2; i++) {
		pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			errno = ENOENT;
			if (i == 0)
				fatal("open %s", "x");
			fatalx("bad %d", 7);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
		ck_assert_int_eq(strncmp(d, "<26>", 4), 0);	/* daemon.crit */
		ck_assert_str_eq(msg_of(d), i == 0 ?
		    "fatal: open x: No such file or directory" : "fatal: bad 7");
	}
	sink_close(&k);
}
END_TEST

START_TEST(test_log_reconnect)
{
	struct log_counters ct;
	struct sink k;
	char d[4096];

	sink_open(&k);
	log_init("daytimed", 0);
	ck_assert_int_eq(log_open_syslog(k.path, LOG_DAEMON), 0);
	log_stderr(0);
	log_info("before");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	sink_restart(&k);	/* syslogd restarted: ECONNREFUSED */
	log_info("during 1");
	log_info("during 2");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.lost, 0);
	log_flush(3000);
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "during 1");
	ck_assert_int_gt(sink_recv(&k, d, sizeof(d)), 0);
	ck_assert_str_eq(msg_of(d), "during 2");
	log_get_counters(&ct);
	ck_assert_uint_eq(ct.sent, 3);
	ck_assert_uint_eq(ct.lost, 0);
	sink_close(&k);
}
END_TEST

START_TEST(test_log_open_errors)
{
	char longpath[200];

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(log_open_syslog(longpath, LOG_DAEMON), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(log_open_syslog("/nonexistent/log", LOG_DAEMON), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = EINTR;
	log_warnx("to stderr only");
	ck_assert_int_eq(errno, EINTR);
}
END_TEST

Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, test_escape_bare);
	tcase_add_test(tc, test_escape_empty);
	tcase_add_test(tc, test_escape_classes);
	tcase_add_test(tc, test_escape_every_byte);
	tcase_add_test(tc, test_escape_cut_boundary);
	tcase_add_test(tc, test_escape_worst_case);
	tcase_add_test(tc, test_escape_small_dst);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_escape_hostile);
	tcase_add_test(tc, test_record_worst_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("record");
	tcase_add_test(tc, test_record_v4);
	tcase_add_test(tc, test_record_v6);
	tcase_add_test(tc, test_record_mapped);
	tcase_add_test(tc, test_record_rules);
	tcase_add_test(tc, test_record_netblock);
	tcase_add_test(tc, test_record_ident);
	tcase_add_test(tc, test_record_no_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("chain");
	tcase_add_test(tc, test_chain_step_vector);
	tcase_add_test(tc, test_chain_round_trip);
	tcase_add_test(tc, test_chain_plain);
	tcase_add_test(tc, test_chain_threads);
	tcase_add_test(tc, test_key_parse);
	tcase_add_test(tc, test_key_open_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_log_escape);
	tcase_add_test(tc, test_log_backpressure);
	tcase_add_test(tc, test_log_batch);
	tcase_add_test(tc, test_log_reopen);
	tcase_add_test(tc, test_log_fatal);
	tcase_add_test(tc, test_log_reconnect);
	tcase_add_test(tc, test_log_open_errors);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}
