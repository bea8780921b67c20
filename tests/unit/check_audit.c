/* SPDX-License-Identifier: ISC */
/*
 * audit_suite: daemon/audit.c, the daemon's side of the audit trail. The
 * record as the daemon formats it from a connection (addresses, rules,
 * ident answers and statuses, netblocks, worst cases), and the sealed
 * chain end to end: through the log's socket and back, opened with the
 * auditor's secret key, from several threads at once, and plain.
 * CK_FORK gives every test a fresh log state.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "daemon/audit.h"
#include "daemon/log.h"
#include "tests/unit/sink.h"
#include "tests/unit/suites.h"

/* ---- the record as the daemon formats it */

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
	conn_expect(&c, "conn=0123456789abcdef proto=udp peer=192.0.2.7:40000 "
	    "local=127.0.0.1:13 decision=drop rule=limit:per-source ident=- "
	    "ident_status=skipped duration_us=1500 bytes=0");
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
	c.decision = "allow";
	n = audit_conn_format(buf, sizeof(buf), &c);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(strchr(buf, '\n'));
	/* room is left for the chain fields */
	ck_assert_int_lt(n, AUDIT_LINE_MAX - 300);
	ck_assert_ptr_nonnull(strstr(buf, "...(cut):4294967295\" ident="));
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

/* ---- the sealed chain through the log */

/* Write a key file at path holding key as hex. */
static void
keyfile_write(const char *path, const unsigned char *key)
{
	char hex[CHAIN_KEYFILE_LEN + 1];
	FILE *f;

	chain_hex(hex, key, CHAIN_KEY_BYTES);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", hex);
	fclose(f);
}

/* audit_open with an auditor's key only (no signing key, no state). */
static struct audit *
open_key(const char *path, char *err, size_t errlen)
{
	struct audit_params ap;

	memset(&ap, 0, sizeof(ap));
	ap.key = path;
	return audit_open(&ap, NULL, 0, err, errlen);
}

START_TEST(test_chain_round_trip)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	unsigned char k[CHAIN_KEY_BYTES], sealed[CHAIN_KEY_BYTES + 48];
	unsigned char mac[CHAIN_MAC_BYTES], got[CHAIN_MAC_BYTES];
	unsigned char mk[CHAIN_KEY_BYTES];
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
	sink_log_to(&sk_, LOG_DAEMON);
	a = open_key(path, err, sizeof(err));
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

	/* the start record: version, kv, the auditor's key, sealed K0 */
	ck_assert_int_eq(strncmp(rec[0], "event=start version=" PACKAGE_VERSION
	    " a=b sealed_to=", 20 + strlen(PACKAGE_VERSION) + 15), 0);
	s = strstr(rec[0], " sealed=") + 8;
	e = strchr(s, ' ');
	ck_assert_int_eq(chain_unhex(sealed, sizeof(sealed), s,
	    (size_t)(e - s)), 0);
	ck_assert_int_eq(crypto_box_seal_open(k, sealed, sizeof(sealed), pk,
	    sk), 0);
	ck_assert_int_eq(strncmp(e, " time=", 6), 0);
	e = strstr(e, " epoch=");
	memcpy(epoch, e + 7, 16);
	epoch[16] = '\0';

	for (i = 0; i < n; i++) {
		char suffix[64];

		snprintf(suffix, sizeof(suffix), " epoch=%s seq=%d mac=", epoch,
		    i);
		m = strstr(rec[i], suffix);
		ck_assert_msg(m != NULL, "record %d: %s", i, rec[i]);
		ml = (size_t)(m - rec[i]) + strlen(suffix) - 5;
		ck_assert_uint_eq(strlen(rec[i]), ml + 5 + 2 * CHAIN_MAC_BYTES);
		ck_assert_int_eq(chain_unhex(got, sizeof(got), rec[i] + ml + 5,
		    2 * CHAIN_MAC_BYTES), 0);
		chain_step(k, mk);
		chain_mac(mk, rec[i], ml, mac);
		ck_assert_mem_eq(mac, got, sizeof(mac));
		/* only seq 0 carries the sealed key */
		ck_assert_int_eq(strstr(rec[i], " sealed=") != NULL, i == 0);
		/* a changed byte does not verify */
		strlcpy(tamper, rec[i], sizeof(tamper));
		tamper[3] ^= 1;
		chain_mac(mk, tamper, ml, mac);
		ck_assert_int_ne(memcmp(mac, got, sizeof(mac)), 0);
	}
	ck_assert_int_eq(strncmp(rec[5], "event=stop time=", 16), 0);
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
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
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
	sink_log_to(&k, LOG_DAEMON);
	ta.a = open_key(path, err, sizeof(err));
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
	sink_log_to(&k, LOG_DAEMON);
	a = open_key(NULL, err, sizeof(err));
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

START_TEST(test_key_open_errors)
{
	char dir[] = "/tmp/check_audit.XXXXXX", path[128], err[512];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.pub", dir);
	ck_assert_ptr_null(open_key(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	snprintf(path, sizeof(path), "%s/bad.pub", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a key\n", f);
	fclose(f);
	ck_assert_ptr_null(open_key(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "not a daytimed-audit key file"));
	unlink(path);
	rmdir(dir);
}
END_TEST

/*
 * With chroot, a state directory the run user could move out of the jail
 * (a directory between them not root's alone): set, an error; the
 * default (a first release's "audit key" alone), not kept, with a note.
 * A directory on the way that is not trusted at all: an error, with or
 * without chroot.
 */
START_TEST(test_state_movable)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	char dir[] = "/tmp/check_audit.XXXXXX", pub[128], mid[128], sub[128];
	char state[160], note[512], err[512];
	const char *which;
	struct audit_params ap;

	ck_assert_int_ge(sodium_init(), 0);
	crypto_box_keypair(pk, sk);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pub, sizeof(pub), "%s/pub", dir);
	keyfile_write(pub, pk);
	snprintf(mid, sizeof(mid), "%s/mid", dir);
	snprintf(sub, sizeof(sub), "%s/mid/sub", dir);
	snprintf(state, sizeof(state), "%s/audit.state", sub);
	ck_assert_int_eq(mkdir(mid, 0755), 0);
	/* sticky: the walk passes it (trust.h), but it is not root's alone */
	ck_assert_int_eq(chmod(mid, 01777), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	memset(&ap, 0, sizeof(ap));
	ap.key = pub;
	ap.state = state;
	ap.uid = geteuid();
	ap.chroot = dir;
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(which, "audit state");
	ck_assert_msg(strstr(err, "could move the state's directory out of "
	    "the jail") != NULL && strstr(err, mid) != NULL, "%s", err);
	ap.state_default = 1;
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), 0);
	ck_assert_msg(strstr(note, "chown root and chmod go-w ") != NULL &&
	    strstr(note, "; not kept, so epochs are not linked") != NULL,
	    "%s", note);
	/* no chroot: nothing to move out of */
	ap.chroot = NULL;
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(strstr(note, "not kept"));
	/* writable by its group: untrusted on the way, chroot or not */
	ck_assert_int_eq(chmod(mid, 0775), 0);
	ck_assert_int_eq(audit_check(&ap, &which, note, sizeof(note), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not trusted: directory ") != NULL &&
	    strstr(err, mid) != NULL && strstr(err, "is writable by its group "
	    "(mode 0775)") != NULL, "%s", err);
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(mid), 0);
	ck_assert_int_eq(unlink(pub), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc;

	tc = tcase_create("hostile input");
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
	tcase_add_test(tc, test_chain_round_trip);
	tcase_add_test(tc, test_chain_plain);
	tcase_add_test(tc, test_chain_threads);
	tcase_add_test(tc, test_key_open_errors);
	tcase_add_test(tc, test_state_movable);
	suite_add_tcase(s, tc);
	return s;
}
