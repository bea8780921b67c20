/* SPDX-License-Identifier: ISC */
/*
 * verify_epochs_suite: what the verifier says about whole epochs and
 * hosts (audit/verify_end.c). Signed epochs and the forged epoch of
 * issue 13, finding 1 (made with the auditor's public key only), with
 * and without host keys; linked epochs: one deleted between two, an end
 * cut short, a crash, a broken or lost link, a fork, an epoch deleted
 * and the next one's host renamed (followed by key), a clock set back
 * between linked epochs; a host name edited
 * in the syslog header; time going back; many hosts in one file, each
 * judged alone; the hosts and epochs read back.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/link.h"
#include "audit/verify.h"
#include "tests/unit/chain_fixture.h"
#include "tests/unit/suites.h"

#define T0	1795689172000000ULL	/* 2026-11-26T10:32:52Z */
#define HDR	"Nov 26 10:32:52 web1 daytimed[1]: "
#define HDR2	"Nov 26 10:32:52 web2 daytimed[9]: "
#define HOUR	3600000000ULL
#define DAY	(24 * HOUR)

/* Three linked, signed epochs of web1: A, B, C (6, 5, 4 records). */
static struct fix_log *
three(const struct fix_keys *k, struct fix_epoch *a, struct fix_epoch *b,
    struct fix_epoch *c, int b_stops)
{
	struct fix_log *log = calloc(1, sizeof(*log));
	struct link l, none;

	ck_assert_ptr_nonnull(log);
	memset(&none, 0, sizeof(none));
	none.kind = LINK_NONE;
	fix_make(log, a, k, HDR, k->hsk, &none, 6, 1, T0);
	fix_link(&l, a, 1);
	fix_make(log, b, k, HDR, k->hsk, &l, 5, b_stops, T0 + HOUR);
	fix_link(&l, b, b_stops);
	fix_make(log, c, k, HDR, k->hsk, &l, 4, 1, T0 + 2 * HOUR);
	return log;
}

START_TEST(test_signed_intact)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct verify_epoch_info ei;
	struct verify_host_info hi;
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;

	fix_keys(&k);
	hk[0] = k.hpk;
	log = three(&k, &a, &b, &c, 1);
	v = fix_run(&r, log, k.sk, hk);
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.warnings, 0);
	ck_assert_uint_eq(r.s.epochs, 3);
	ck_assert_uint_eq(r.s.verified, 15);
	ck_assert_uint_eq(r.s.unauthenticated, 0);
	ck_assert_uint_eq(verify_nepochs(v), 3);
	verify_epoch_get(v, 1, &ei);
	ck_assert_str_eq(ei.id, b.id);
	ck_assert_str_eq(ei.host, "web1");
	ck_assert_int_eq(ei.auth, VERIFY_AUTH_LISTED);
	ck_assert_str_eq(ei.key_name, "host.pub");
	ck_assert_int_eq(ei.has_prev, 1);
	ck_assert_str_eq(ei.prev.epoch, a.id);
	ck_assert_uint_eq(ei.prev.seq, 5);
	ck_assert_int_eq(ei.stopped, 1);
	ck_assert_uint_eq(ei.first_seq, 0);
	ck_assert_uint_eq(ei.last_seq, 4);
	ck_assert_str_eq(ei.first, "2026-11-26T11:32:52.000000Z");
	ck_assert_str_eq(ei.last, "2026-11-26T11:32:56.000000Z");
	ck_assert_str_eq(ei.start_file, "log");
	ck_assert_uint_eq(ei.start_line, 7);
	ck_assert_uint_eq(verify_nhosts(v), 1);
	verify_host_get(v, 0, &hi);
	ck_assert_str_eq(hi.name, "web1");
	ck_assert_uint_eq(hi.epochs, 3);
	ck_assert_uint_eq(hi.records, 15);
	ck_assert_str_eq(hi.first, "2026-11-26T10:32:52.000000Z");
	ck_assert_str_eq(hi.last, "2026-11-26T12:32:55.000000Z");
	verify_free(v);
	/* without host keys: the same, unauthenticated */
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.unauthenticated, 3);
	free(log);
}
END_TEST

/*
 * Issue 13, finding 1: a whole epoch minted with the auditor's public
 * key only, spliced into a real log. With the host's key: rejected, by
 * name, without a walk. Without: not a finding (nothing can tell), but
 * unauthenticated, and an unsigned epoch among signed ones is pointed at.
 */
START_TEST(test_forged_epoch)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct fix_epoch a, b, c, f;
	struct fix_keys k;
	struct fix_log *log, *forged;
	struct fix_run r;
	char want[256];
	size_t i;

	fix_keys(&k);
	hk[0] = k.hpk;
	log = three(&k, &a, &b, &c, 1);
	forged = calloc(1, sizeof(*forged));
	ck_assert_ptr_nonnull(forged);
	fix_make(forged, &f, &k, HDR, NULL, NULL, 4, 1, T0 + HOUR / 2);
	for (i = 0; i < forged->n; i++)
		fix_insert(log, 6 + i, forged->line[i]);
	verify_free(fix_run(&r, log, k.sk, hk));
	snprintf(want, sizeof(want), "log:7: epoch %s (host web1) rejected: "
	    "not signed by any --host-key given: it is not signed", f.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.rejected, 1);
	ck_assert_uint_eq(r.s.verified, 15);
	ck_assert_uint_eq(r.s.steps, 15);	/* the forged one cost nothing */
	/* signed by another host's key: rejected too */
	forged->n = 0;
	fix_make(forged, &f, &k, HDR, k.hsk2, NULL, 4, 1, T0 + HOUR / 2);
	memcpy(log->line + 6, forged->line, 4 * sizeof(log->line[0]));
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_int_ge(fix_find(&r, "it is signed by another key ("), 0);
	ck_assert_uint_eq(r.s.rejected, 1);
	/* ... and without host keys, a host signed by two keys is told */
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_int_ge(fix_find(&r, "host web1: its epochs are signed by "
	    "more than one host key ("), 0);
	/* without host keys: unauthenticated, and the odd one named */
	forged->n = 0;
	fix_make(forged, &f, &k, HDR, NULL, NULL, 4, 1, T0 + HOUR / 2);
	memcpy(log->line + 6, forged->line, 4 * sizeof(log->line[0]));
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.unauthenticated, 4);
	snprintf(want, sizeof(want), "host web1: 3 of its epochs are signed "
	    "and 1 are not (epoch %s", f.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	free(forged);
	free(log);
}
END_TEST

/*
 * Two hosts' epochs of n records, each signed by its own key (hk: both
 * keys), *l1 web1's and *l2 web2's, and returned interleaved in one file,
 * as a central log host writes them.
 */
static struct fix_log *
two_hosts(const struct fix_keys *k, const unsigned char **hk,
    struct fix_log **l1, struct fix_log **l2, int n)
{
	struct fix_log *log = calloc(1, sizeof(*log));
	struct fix_epoch a, b;
	int i;

	*l1 = calloc(1, sizeof(**l1));
	*l2 = calloc(1, sizeof(**l2));
	ck_assert(log != NULL && *l1 != NULL && *l2 != NULL);
	hk[0] = k->hpk;
	hk[1] = k->hpk2;
	fix_make(*l1, &a, k, HDR, k->hsk, NULL, n, 1, T0);
	fix_make(*l2, &b, k, HDR2, k->hsk2, NULL, n, 1, T0);
	for (i = 0; i < n; i++) {
		fix_insert(log, log->n, (*l1)->line[i]);
		fix_insert(log, log->n, (*l2)->line[i]);
	}
	return log;
}

/*
 * A host whose key is given but whose records are gone, or stripped of
 * their chain fields: its key signs nothing here, and that is a finding
 * (without it, the other host's epochs alone passed as intact). A key
 * given twice is one key.
 */
/* A key given for a host name: one key per host, both ways. */
START_TEST(test_key_for_host)
{
	unsigned char a[CHAIN_SIGN_PK_BYTES], b[CHAIN_SIGN_PK_BYTES];
	unsigned char sk[CHAIN_KEY_BYTES];
	struct verify *v;

	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	memset(sk, 3, sizeof(sk));
	ck_assert_ptr_nonnull(v = verify_new(sk, NULL, NULL));
	ck_assert_int_eq(verify_host_key_for(v, "a.pub", "web1", a), 0);
	/* the same key, the same name, or no name: one key */
	ck_assert_int_eq(verify_host_key_for(v, "a.pub", "web1", a), 0);
	ck_assert_int_eq(verify_host_key(v, "a.pub", a), 0);
	/* the key for another name, the name with another key */
	ck_assert_int_eq(verify_host_key_for(v, "a.pub", "web2", a), -2);
	ck_assert_int_eq(verify_host_key_for(v, "b.pub", "web1", b), -2);
	ck_assert_int_eq(verify_host_key_for(v, "b.pub", "web2", b), 0);
	verify_free(v);
}
END_TEST

START_TEST(test_key_absent)
{
	const unsigned char *hk[] = { NULL, NULL, NULL };
	static const char want[] = "host key host2.pub: no epoch opened in "
	    "the input is signed by it (its host's records are missing or "
	    "unsealed)";
	struct fix_log *l1, *l2, *log;
	struct fix_keys k;
	struct fix_run r;
	char *p;
	size_t i;

	fix_keys(&k);
	log = two_hosts(&k, hk, &l1, &l2, 5);
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 0);
	/* web2's records deleted */
	verify_free(fix_run(&r, l1, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 1);
	ck_assert_int_eq(fix_find(&r, want), 0);
	ck_assert_int_eq(r.kind[0], VERIFY_FINDING);
	/*
	 * web2's chain fields stripped: its key signs nothing, and a host
	 * that seals none is a finding when host keys are given
	 */
	for (i = 1; i < log->n; i += 2) {
		p = strstr(log->line[i], " sealed_to=");
		if (p == NULL)
			p = strstr(log->line[i], " time=");
		ck_assert_ptr_nonnull(p);
		*p = '\0';
	}
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 2);
	ck_assert_uint_eq(r.s.unsealed, 5);
	ck_assert_int_ge(fix_find(&r, want), 0);
	/* the same key twice: the second signs what the first does */
	hk[1] = k.hpk;
	verify_free(fix_run(&r, l1, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 0);
	free(l1);
	free(l2);
	free(log);
}
END_TEST

/*
 * One key per host: with --host-key, a host whose epochs are signed by
 * two of the keys given (web1's key, stolen, signing an epoch under
 * web2's name), and a key that signs under two host names, are findings,
 * counted to each host named. Without host keys, a warning, as before.
 * Lines without a header name no host: not a second name.
 */
START_TEST(test_key_two_hosts)
{
	const unsigned char *hk[] = { NULL, NULL, NULL };
	struct verify_host_info hi;
	struct fix_log *l1, *l2, *log;
	struct fix_epoch f;
	struct fix_keys k;
	struct fix_run r;
	struct verify *v;

	fix_keys(&k);
	log = two_hosts(&k, hk, &l1, &l2, 5);
	fix_make(log, &f, &k, HDR2, k.hsk, NULL, 4, 1, T0 + HOUR);
	v = fix_run(&r, log, k.sk, hk);
	ck_assert_uint_eq(r.s.findings, 2);
	ck_assert_int_ge(fix_find(&r, "host web2: its epochs are signed by more "
	    "than one --host-key (host.pub, host2.pub): one key per host, so "
	    "one of them signed another host's epoch, or a syslog header was "
	    "changed"), 0);
	ck_assert_int_ge(fix_find(&r, "host key host.pub: it signs the epochs "
	    "of more than one host (web1, web2): one key per host, so it "
	    "signed another host's epoch, or a syslog header was changed"), 0);
	verify_host_get(v, 0, &hi);
	ck_assert_str_eq(hi.name, "web1");
	ck_assert_uint_eq(hi.findings, 1);
	verify_host_get(v, 1, &hi);
	ck_assert_uint_eq(hi.findings, 2);
	verify_free(v);
	/* without host keys: the warning of before, no finding */
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_int_ge(fix_find(&r, "host web2: its epochs are signed by "
	    "more than one host key ("), 0);
	/* web1's epochs with and without a syslog header: one host */
	log->n = 0;
	fix_make(log, &f, &k, HDR, k.hsk, NULL, 4, 1, T0);
	fix_make(log, &f, &k, "", k.hsk, NULL, 4, 1, T0 + HOUR);
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 1);
	ck_assert_int_eq(fix_find(&r, "host key host2.pub: no epoch"), 0);
	free(l1);
	free(l2);
	free(log);
}
END_TEST

/* A signed start record changed: its signature and its MAC fail. */
START_TEST(test_signature_changed)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	char *p;

	fix_keys(&k);
	hk[0] = k.hpk;
	log = three(&k, &a, &b, &c, 1);
	p = strstr(log->line[6], ":5:stop ");
	p[1] = '4';		/* B says A stopped at seq 4 */
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_int_ge(fix_find(&r, "its signature does not verify"), 0);
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_int_ge(fix_find(&r, "its signature does not verify (the "
	    "start record was changed, or forged)"), 0);
	ck_assert_int_ge(fix_find(&r, "log:7: modified: seq 0 does not "
	    "verify"), 0);
	free(log);
}
END_TEST

/*
 * Issue 13, finding 3: a whole epoch deleted, between two present; and
 * then the next one's syslog header renamed: by host, C would be the
 * first of host evil, but by the key that signed it, it follows A.
 */
START_TEST(test_deleted_epoch)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	char want[512];
	size_t i;

	fix_keys(&k);
	hk[0] = k.hpk;
	log = three(&k, &a, &b, &c, 1);
	for (i = 0; i < 5; i++)
		fix_delete(log, 6);
	verify_free(fix_run(&r, log, k.sk, hk));
	snprintf(want, sizeof(want), "epoch %s is missing: epoch %s (log:7) "
	    "follows it (its seq 0..4), and epoch %s, before them on host "
	    "web1, is here", b.id, c.id, a.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.findings, 1);
	for (i = 6; i < log->n; i++)
		memcpy(strstr(log->line[i], "web1"), "evil", 4);
	verify_free(fix_run(&r, log, k.sk, hk));
	snprintf(want, sizeof(want), "epoch %s is missing: epoch %s (log:7, "
	    "host evil) follows it (its seq 0..4), and epoch %s (host web1), "
	    "before them signed by the same host key (host.pub), is here",
	    b.id, c.id, a.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_int_ge(fix_find(&r, "host key host.pub: it signs the epochs "
	    "of more than one host (web1, evil)"), 0);
	ck_assert_uint_eq(r.s.findings, 2);
	/* without host keys nothing names the signer: by host only */
	verify_free(fix_run(&r, log, k.sk, NULL));
	ck_assert_uint_eq(r.s.findings, 0);
	/* the first epoch gone: nothing says it was there (the files begin
	 * later): not a finding */
	free(log);
	log = three(&k, &a, &b, &c, 1);
	for (i = 0; i < 6; i++)
		fix_delete(log, 0);
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 0);
	free(log);
}
END_TEST

/* An end cut short, told from a crash; a crash counted as unclean. */
START_TEST(test_epoch_ends)
{
	struct verify_epoch_info ei;
	struct verify_host_info hi;
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;
	char want[512];

	fix_keys(&k);
	/* B stopped at seq 4, but its last two records were deleted */
	log = three(&k, &a, &b, &c, 1);
	fix_delete(log, 10);
	fix_delete(log, 9);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epoch %s: its end is missing: seq 3..4 "
	    "(epoch %s says it stopped at seq 4)", b.id, c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.findings, 1);
	ck_assert_uint_eq(r.s.unclean, 0);
	free(log);
	/* B crashed: no stop record, and C says so: a warning, and unclean
	 * (its records after the position saved are not vouched for) */
	log = three(&k, &a, &b, &c, 0);
	v = fix_run(&r, log, k.sk, NULL);
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.warnings, 1);
	ck_assert_uint_eq(r.s.unclean, 1);
	snprintf(want, sizeof(want), "epoch %s ends at seq 4 (log:11) without a "
	    "stop record: the daemon stopped uncleanly (a crash or a kill), as "
	    "epoch %s says", b.id, c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	verify_epoch_get(v, 1, &ei);
	ck_assert_int_eq(ei.unclean, 1);
	ck_assert_int_eq(ei.stopped, 0);
	verify_epoch_get(v, 0, &ei);
	ck_assert_int_eq(ei.unclean, 0);
	verify_host_get(v, 0, &hi);
	ck_assert_uint_eq(hi.unclean, 1);
	verify_free(v);
	/* ... and records before the last saved seq missing: a finding */
	fix_delete(log, 10);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epoch %s: its end is missing: seq 4..4 "
	    "(epoch %s says it reached seq 4 before the daemon stopped without "
	    "a stop record)", b.id, c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	free(log);
	/* the last epoch, cut: as before */
	log = three(&k, &a, &b, &c, 1);
	log->n--;
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epoch %s: chain ends at seq 2 (log:14) "
	    "without a stop record", c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	free(log);
}
END_TEST

/* A lost link, a broken one, and two epochs naming the same one. */
START_TEST(test_links_broken)
{
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct link l;
	char want[512];

	fix_keys(&k);
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	memset(&l, 0, sizeof(l));
	l.kind = LINK_NONE;
	fix_make(log, &a, &k, HDR, k.hsk, &l, 3, 1, T0);
	fix_make(log, &b, &k, HDR, k.hsk, &l, 3, 1, T0 + HOUR);
	l.kind = LINK_BROKEN;
	fix_make(log, &c, &k, HDR, k.hsk, &l, 3, 1, T0 + 2 * HOUR);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epoch %s (log:4): starts a new chain of "
	    "epochs (prev=none: no state file when it started): its link to "
	    "epoch %s, the one before it on host web1, is lost", b.id, a.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	snprintf(want, sizeof(want), "epoch %s (log:7): the state file was "
	    "corrupt when it started (prev=broken)", c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.findings, 2);
	/* a fork: B and C both follow A */
	log->n = 0;
	l.kind = LINK_NONE;
	fix_make(log, &a, &k, HDR, k.hsk, &l, 3, 1, T0);
	fix_link(&l, &a, 1);
	fix_make(log, &b, &k, HDR, k.hsk, &l, 3, 1, T0 + HOUR);
	fix_make(log, &c, &k, HDR, k.hsk, &l, 3, 1, T0 + 2 * HOUR);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epochs %s and %s both follow epoch %s",
	    b.id, c.id, a.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	free(log);
}
END_TEST

/*
 * The host's clock set back a day between two runs: the epochs are read
 * in the order their links give, not by time, so the links hold, and
 * with --running the open epoch is the last one linked, not the latest
 * in time. A link missing is still found.
 */
START_TEST(test_clock_back)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;
	struct link l;
	char want[512];
	size_t i;

	fix_keys(&k);
	hk[0] = k.hpk;
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	memset(&l, 0, sizeof(l));
	l.kind = LINK_NONE;
	fix_make(log, &a, &k, HDR, k.hsk, &l, 3, 1, T0 + DAY);
	fix_link(&l, &a, 1);
	fix_make(log, &b, &k, HDR, k.hsk, &l, 3, 1, T0);
	fix_link(&l, &b, 1);
	fix_make(log, &c, &k, HDR, k.hsk, &l, 3, 1, T0 + HOUR);
	verify_free(fix_run(&r, log, k.sk, hk));
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.warnings, 0);
	/* C still running: it is the host's last epoch */
	log->n--;
	ck_assert_ptr_nonnull(v = verify_new(k.sk, NULL, NULL));
	ck_assert_int_eq(verify_host_key(v, "host.pub", k.hpk), 0);
	verify_running(v);
	for (i = 0; i < log->n; i++)
		ck_assert_int_eq(verify_line(v, "log", i + 1, log->line[i],
		    strlen(log->line[i])), 0);
	ck_assert_int_eq(verify_finish(v, &r.s), 0);
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.running, 1);
	verify_free(v);
	/* B deleted: C, the earliest in time, begins; A's lost link is told */
	log->n = 0;
	l.kind = LINK_NONE;
	fix_make(log, &a, &k, HDR, k.hsk, &l, 3, 1, T0 + DAY);
	fix_link(&l, &a, 1);
	fix_make(log, &b, &k, HDR, k.hsk, &l, 3, 1, T0);
	fix_link(&l, &b, 1);
	fix_make(log, &c, &k, HDR, k.hsk, &l, 3, 1, T0 + HOUR);
	for (i = 0; i < 3; i++)
		fix_delete(log, 3);
	verify_free(fix_run(&r, log, k.sk, hk));
	snprintf(want, sizeof(want), "epoch %s (log:1): starts a new chain of "
	    "epochs (prev=none: no state file when it started): its link to "
	    "epoch %s, the one before it on host web1, is lost", a.id, c.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.findings, 1);
	free(log);
}
END_TEST

/* Issue 13, finding 3: a host name changed with sed. */
START_TEST(test_host_changed)
{
	struct verify_host_info hi;
	struct fix_epoch a, b, c;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;
	char want[512], *p;
	size_t i;

	fix_keys(&k);
	/* one record of B under another name: both hosts are not intact */
	log = three(&k, &a, &b, &c, 1);
	p = strstr(log->line[8], "web1");
	memcpy(p, "evil", 4);
	v = fix_run(&r, log, k.sk, NULL);
	snprintf(want, sizeof(want), "epoch %s: its records name two hosts, "
	    "web1 and evil (first at log:7): a syslog header was changed",
	    b.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	ck_assert_uint_eq(r.s.findings, 1);
	verify_host_get(v, 0, &hi);
	ck_assert_uint_eq(hi.findings, 1);
	verify_host_get(v, 1, &hi);
	ck_assert_str_eq(hi.name, "evil");
	ck_assert_uint_eq(hi.findings, 1);
	verify_free(v);
	/* ... in a second file: the epoch's first record is in the first */
	verify_free(fix_run2(&r, log, 8, k.sk, NULL));
	ck_assert_int_ge(fix_find(&r, "web1 and evil (first at log.1:7)"), 0);
	free(log);
	/* the whole of B moved to another name: the link tells */
	log = three(&k, &a, &b, &c, 1);
	for (i = 6; i < 11; i++)
		memcpy(strstr(log->line[i], "web1"), "evil", 4);
	verify_free(fix_run(&r, log, k.sk, NULL));
	snprintf(want, sizeof(want), "epoch %s (host evil) follows epoch %s, "
	    "whose records name host web1: a syslog header was changed",
	    b.id, a.id);
	ck_assert_int_ge(fix_find(&r, want), 0);
	free(log);
}
END_TEST

/*
 * A host name with a terminal's escape sequence: every note names it
 * escaped (here the rejection, said in the walk); the raw bytes are
 * still there for report, which escapes them itself.
 */
START_TEST(test_host_escaped)
{
	const unsigned char *hk[] = { NULL, NULL };
	struct verify_host_info hi;
	struct verify_epoch_info ei;
	struct fix_epoch e;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;
	char want[256];

	fix_keys(&k);
	hk[0] = k.hpk;
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	fix_make(log, &e, &k, "Nov 26 10:32:52 ev\x1b[8m\xff daytimed[1]: ",
	    NULL, NULL, 3, 1, T0);
	v = fix_run(&r, log, k.sk, hk);
	snprintf(want, sizeof(want), "log:1: epoch %s (host \"ev\\x1b[8m"
	    "\\xff\") rejected: not signed by any --host-key given", e.id);
	ck_assert_int_eq(fix_find(&r, want), 0);
	verify_host_get(v, 0, &hi);
	ck_assert_str_eq(hi.name, "ev\x1b[8m\xff");
	ck_assert_str_eq(hi.shown, "\"ev\\x1b[8m\\xff\"");
	verify_epoch_get(v, 0, &ei);
	ck_assert_str_eq(ei.shown, hi.shown);
	verify_free(v);
	free(log);
}
END_TEST

/* Time going back inside an epoch: a warning, with the times. */
START_TEST(test_time_backwards)
{
	static const uint64_t times[] = { T0 + HOUR, T0 + HOUR + 1, T0,
	    T0 + 2 };
	struct verify_epoch_info ei;
	struct chain_start cs;
	struct fix_keys k;
	struct fix_log *log;
	struct fix_run r;
	struct verify *v;
	struct chain *ch;
	char err[256], line[2048];
	size_t len, i;

	fix_keys(&k);
	log = calloc(1, sizeof(*log));
	ck_assert_ptr_nonnull(log);
	/* a chain sealed with a clock that steps back an hour at seq 2 */
	memset(&cs, 0, sizeof(cs));
	cs.auditor = k.pk;
	cs.auditor_name = "pub";
	ch = chain_open(&cs, err, sizeof(err));
	ck_assert_ptr_nonnull(ch);
	for (i = 0; i < 4; i++) {
		len = (size_t)snprintf(line, sizeof(line), i == 3 ?
		    "event=stop" : "conn=%zu", i);
		ck_assert_int_eq(chain_seal(ch, times[i], line, sizeof(line),
		    &len), 0);
		snprintf(log->line[log->n++], FIX_LINE_MAX, "%s%s", HDR, line);
	}
	chain_close(ch);
	v = fix_run(&r, log, k.sk, NULL);
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.warnings, 1);
	ck_assert_int_ge(fix_find(&r, "time goes back at seq 2: "
	    "2026-11-26T10:32:52.000000Z, after 2026-11-26T11:32:52.000001Z at "
	    "seq 1"), 0);
	verify_epoch_get(v, 0, &ei);
	ck_assert_uint_eq(ei.backwards, 1);
	ck_assert_str_eq(ei.first, "2026-11-26T10:32:52.000000Z");
	ck_assert_str_eq(ei.last, "2026-11-26T11:32:52.000001Z");
	verify_free(v);
	free(log);
}
END_TEST

/* Issue 16: two hosts interleaved in one file, each judged alone. */
START_TEST(test_many_hosts)
{
	const unsigned char *hk[] = { NULL, NULL, NULL };
	struct fix_keys k;
	struct fix_log *l1, *l2, *log;
	struct fix_run r;
	struct verify_host_info hi;
	struct verify *v;

	fix_keys(&k);
	log = two_hosts(&k, hk, &l1, &l2, 20);
	v = fix_run(&r, log, k.sk, hk);
	ck_assert_uint_eq(r.s.findings, 0);
	ck_assert_uint_eq(r.s.hosts, 2);
	ck_assert_uint_eq(r.s.verified, 40);
	verify_host_get(v, 1, &hi);
	ck_assert_str_eq(hi.name, "web2");
	ck_assert_uint_eq(hi.records, 20);
	ck_assert_uint_eq(hi.findings, 0);
	verify_free(v);
	/* one record of web2 deleted: web2's finding, web1 intact */
	fix_delete(log, 11);
	v = fix_run(&r, log, k.sk, hk);
	ck_assert_uint_eq(r.s.findings, 1);
	verify_host_get(v, 0, &hi);
	ck_assert_uint_eq(hi.findings, 0);
	verify_host_get(v, 1, &hi);
	ck_assert_uint_eq(hi.findings, 1);
	ck_assert_int_ge(fix_find(&r, "missing: seq 5 (before log:13)"), 0);
	verify_free(v);
	free(l1);
	free(l2);
	free(log);
}
END_TEST

Suite *
verify_epochs_suite(void)
{
	Suite *s = suite_create("verify_epochs");
	TCase *tc;

	tc = tcase_create("origin");
	tcase_add_test(tc, test_signed_intact);
	tcase_add_test(tc, test_forged_epoch);
	tcase_add_test(tc, test_signature_changed);
	tcase_add_test(tc, test_key_absent);
	tcase_add_test(tc, test_key_two_hosts);
	tcase_add_test(tc, test_key_for_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_test(tc, test_deleted_epoch);
	tcase_add_test(tc, test_epoch_ends);
	tcase_add_test(tc, test_links_broken);
	tcase_add_test(tc, test_clock_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("hosts and time");
	tcase_add_test(tc, test_host_changed);
	tcase_add_test(tc, test_host_escaped);
	tcase_add_test(tc, test_time_backwards);
	tcase_add_test(tc, test_many_hosts);
	suite_add_tcase(s, tc);
	return s;
}
