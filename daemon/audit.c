/* SPDX-License-Identifier: ISC */
/*
 * audit: the daemon side of the audit trail. Connection and event
 * records are formatted by audit/record.c (this file supplies the text
 * that needs acl/ and ident/: the netblock and the ident status name),
 * sealed by audit/chain.c, and handed to the log.
 *
 * Record order: "conn proto peer [via] local decision rule ident
 * ident_status [netblock] [source] duration_us bytes"; events "event=NAME
 * [version=V] [KV]". Sealed records also end with the chain fields
 * (audit/chain.h).
 *
 * Threads: one mutex per struct audit covers the seal and the hand-off
 * to log_record_ordered, which keeps the order of its calls, so seq order
 * is log order.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/link.h"
#include "audit/record.h"
#include "daemon/audit.h"
#include "daemon/audit_files.h"
#include "daemon/audit_state.h"
#include "daemon/log.h"
#include "daemon/logsink.h"

/*
 * The body's share of a line: the rest is for the chain fields. Only seq
 * 0, the start event, carries the epoch's head; a connection record
 * needs room for the tail alone.
 */
#define AUDIT_BODY_MAX		(AUDIT_LINE_MAX - CHAIN_TAIL_MAX - 1)
#define AUDIT_EVENT_MAX		(AUDIT_LINE_MAX - CHAIN_FIELDS_MAX - 1)

_Static_assert(IDENT_ERRTYPE_MAX <= RECORD_DETAIL_MAX,
    "an ident error type must fit a record's status detail");

struct audit {
	pthread_mutex_t		 mtx;
	struct chain		*chain;		/* NULL: plain records */
	struct audit_state	*state;		/* NULL: no links kept */
};

static int	audit_seal_and_log(struct audit *, int, char *, size_t, int);
static int	audit_prepare(const struct audit_params *, struct audit *,
		    const char **, char *, size_t, char *, size_t);
static int	audit_state_skip(const struct audit_params *, int,
		    const char *, char *, size_t);

/* record_escape under the name the daemon's callers know. */
size_t
audit_escape(char *dst, size_t dstlen, const unsigned char *src,
    size_t srclen)
{
	return record_escape(dst, dstlen, src, srclen);
}

/* Read the keys and the state (if any) and start the chain. */
struct audit *
audit_open(const struct audit_params *p, char *note, size_t notelen,
    char *err, size_t errlen)
{
	struct audit *a;

	if (errlen > 0)
		err[0] = '\0';
	if (notelen > 0)
		note[0] = '\0';
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "audit: out of memory");
		return NULL;
	}
	if (pthread_mutex_init(&a->mtx, NULL) != 0) {
		free(a);
		snprintf(err, errlen, "audit: cannot create mutex");
		return NULL;
	}
	if (p->key != NULL &&
	    audit_prepare(p, a, NULL, note, notelen, err, errlen) == -1) {
		audit_close(a);
		return NULL;
	}
	return a;
}

/* -t: every file audit_open reads, read and checked; nothing started. */
int
audit_check(const struct audit_params *p, const char **which, char *note,
    size_t notelen, char *err, size_t errlen)
{
	*which = "audit key";
	if (notelen > 0)
		note[0] = '\0';
	if (p->key == NULL)
		return 0;
	return audit_prepare(p, NULL, which, note, notelen, err, errlen);
}

/*
 * The keys, the state and (when a is not NULL) the epoch. The host's
 * secret key lives in locked memory from its read to the epoch's
 * signature, then is wiped: the engine keeps only the signature.
 */
static int
audit_prepare(const struct audit_params *p, struct audit *a,
    const char **which, char *note, size_t notelen, char *err, size_t errlen)
{
	const char *dummy;
	unsigned char pub[CHAIN_KEY_BYTES], *sk = NULL;
	struct chain_start cs;
	struct audit_state *st = NULL;
	struct link prev;
	int rv = -1, in;

	if (which == NULL)
		which = &dummy;
	*which = "audit key";
	if (sodium_init() < 0) {
		snprintf(err, errlen, "audit: libsodium initialization failed");
		return -1;
	}
	if (audit_files_auditor(p->key, pub, err, errlen) == -1)
		return -1;
	if (p->signing_key != NULL) {
		if ((sk = sodium_malloc(CHAIN_SIGN_SK_BYTES)) == NULL) {
			snprintf(err, errlen, "audit: cannot allocate locked "
			    "memory");
			return -1;
		}
		*which = "audit signing-key";
		if (audit_files_signing(p->signing_key, sk, err, errlen) == -1)
			goto out;
	}
	if (p->state != NULL)
		*which = "audit state";
	if (p->state != NULL && !audit_state_skip(p, 0, NULL, note,
	    notelen) && (st = audit_state_open(p->state, p->uid, &prev, note,
	    notelen, err, errlen)) == NULL)
		goto out;
	if (st != NULL && (in = audit_state_within(st, p->chroot, err,
	    errlen)) < 0) {
		if (!audit_state_skip(p, in == -2 ? 2 : 1, err, note, notelen))
			goto out;
		audit_state_close(st);
		st = NULL;
	}
	if (p->inetd)
		audit_state_shared(st);
	if (a == NULL) {
		rv = 0;
		goto out;
	}
	memset(&cs, 0, sizeof(cs));
	cs.auditor = pub;
	cs.auditor_name = p->key;
	cs.sign_sk = sk;
	cs.prev = st != NULL ? &prev : NULL;
	if ((a->chain = chain_open(&cs, err, errlen)) == NULL)
		goto out;
	a->state = st;
	st = NULL;
	rv = 0;
out:
	if (sk != NULL)
		sodium_free(sk);	/* wipes before freeing */
	audit_state_close(st);
	return rv;
}

/*
 * Whether to go on without the default state: a first release's
 * configuration ("audit key" alone) gets "audit state" by default, and
 * where the default's directory is missing (an install by "make
 * install"), or lies outside the chroot (it always does with a chroot
 * of its own), its epochs go unlinked, as the first release's did, with
 * a note, instead of the start failing. An "audit state" that was set,
 * or any state with "audit signing-key" (whose links the auditor checks),
 * stays a start error. outside: 1, the directory is outside the chroot;
 * 2, inside but the run user could move it out (audit_state_within's
 * message in why); 0: whether it is missing is checked here.
 */
static int
audit_state_skip(const struct audit_params *p, int outside, const char *why,
    char *note, size_t notelen)
{
	char dir[4096];
	const char *slash;
	struct stat sb;
	int len;

	if (!p->state_default || p->signing_key != NULL)
		return 0;
	if (!outside) {
		if ((slash = strrchr(p->state, '/')) == NULL ||
		    slash == p->state || (len = snprintf(dir, sizeof(dir),
		    "%.*s", (int)(slash - p->state), p->state)) < 0 ||
		    (size_t)len >= sizeof(dir) || stat(dir, &sb) == 0 ||
		    errno != ENOENT)
			return 0;
		snprintf(note, notelen, "audit state %s: not kept: its "
		    "directory %s does not exist, so epochs are not linked "
		    "(create it for the user the daemon runs as, mode 0700, "
		    "or set \"audit state\"; daytimed.conf(5))", p->state, dir);
		return 1;
	}
	if (outside == 2) {
		snprintf(note, notelen, "%s; not kept, so epochs are not linked",
		    why);
		return 1;
	}
	snprintf(note, notelen, "audit state %s: not kept, so epochs are not "
	    "linked: its directory is not inside the chroot %s (set \"audit "
	    "state\" to a directory of its own inside it; daytimed.conf(5))",
	    p->state, p->chroot);
	return 1;
}

/* After the privilege drop, before the first client: save seq 0. */
int
audit_begin(struct audit *a, char *err, size_t errlen)
{
	char epoch[CHAIN_EPOCH_HEX + 1];
	uint64_t next;

	if (a == NULL || a->chain == NULL || a->state == NULL)
		return 0;
	chain_position(a->chain, epoch, &next);
	return audit_state_begin(a->state, epoch, next, err, errlen);
}

/* Wipe the chain key and free. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	chain_close(a->chain);
	audit_state_close(a->state);
	pthread_mutex_destroy(&a->mtx);
	free(a);
}

/* Format, seal and log one connection record at LOG_INFO. */
int
audit_conn_log(struct audit *a, const struct audit_conn *c)
{
	char line[AUDIT_LINE_MAX];
	int n;

	if ((n = audit_conn_format(line, sizeof(line), c)) < 0)
		return -1;
	return audit_seal_and_log(a, LOG_INFO, line, (size_t)n, 0);
}

/*
 * Format a connection record (no chain fields). Returns its length, or
 * -1 when buf is too small. At most AUDIT_BODY_MAX bytes, so that the
 * chain fields fit a line.
 */
int
audit_conn_format(char *buf, size_t len, const struct audit_conn *c)
{
	struct record_conn r;
	char net[ACL_PREFIX_STRLEN];

	memset(&r, 0, sizeof(r));
	r.conn = c->conn;
	r.proto = c->proto;
	r.peer = c->peer;
	r.peerlen = c->peerlen;
	r.local = c->local;
	r.locallen = c->locallen;
	r.via = c->via;
	r.vialen = c->vialen;
	r.decision = c->decision;
	r.rule_file = c->rule_file;
	r.rule_line = c->rule_line;
	r.limit = c->limit;
	r.proxy = c->proxy;
	if (c->ident_status == IDENT_OK && c->ident != NULL) {
		r.ident = c->ident->user;
		r.identlen = c->ident->userlen < sizeof(c->ident->user) ?
		    c->ident->userlen : sizeof(c->ident->user);
	}
	r.status = ident_status_name(c->ident_status);
	if (c->ident_status == IDENT_ERROR && c->ident != NULL) {
		r.detail = c->ident->errtype;
		r.detaillen = strnlen(c->ident->errtype,
		    sizeof(c->ident->errtype));
	}
	if (c->net != NULL) {
		if (acl_prefix_format(c->net, net, sizeof(net)) == -1)
			memcpy(net, "-", 2);
		r.netblock = net;
	}
	r.source = c->source;
	r.duration_us = c->duration_us;
	r.bytes = c->bytes;
	return record_conn_format(buf, len < AUDIT_BODY_MAX + 1 ? len :
	    AUDIT_BODY_MAX + 1, &r);
}

/*
 * Log an event record: "event=NAME", "version=V" for start, then kv
 * (already escaped by the caller: a control byte is refused). The
 * first record of a sealed epoch (seq 0, normally the start) also
 * carries sealed=HEX.
 */
int
audit_event_log(struct audit *a, int pri, const char *event, const char *kv)
{
	char line[AUDIT_LINE_MAX];
	int n;

	if ((n = record_event_format(line, AUDIT_EVENT_MAX + 1, event, kv)) < 0)
		return -1;
	return audit_seal_and_log(a, pri, line, (size_t)n,
	    strcmp(event, "stop") == 0);
}

/*
 * Append the chain fields (sealed mode) with the time, then hand the line
 * to the log; the mutex makes seq order the log order (and time order,
 * unless the clock steps back). Then the state learns the position: a
 * stop record is saved at once, any other soon. line has AUDIT_LINE_MAX
 * bytes and holds len bytes of record.
 */
static int
audit_seal_and_log(struct audit *a, int pri, char *line, size_t len,
    int stop)
{
	char epoch[CHAIN_EPOCH_HEX + 1], err[512];
	struct timespec ts;
	uint64_t next;
	int rv;

	if (a == NULL || a->chain == NULL)
		return log_record(pri, line, len);
	pthread_mutex_lock(&a->mtx);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (chain_seal(a->chain, (uint64_t)ts.tv_sec * 1000000 +
	    (uint64_t)ts.tv_nsec / 1000, line, AUDIT_LINE_MAX, &len) == -1) {
		pthread_mutex_unlock(&a->mtx);
		errno = EMSGSIZE;
		return -1;
	}
	rv = log_record_ordered(pri, line, len);
	chain_position(a->chain, epoch, &next);
	if (!stop)
		audit_state_note(a->state, epoch, next - 1);
	else if (audit_state_stop(a->state, epoch, next - 1, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	pthread_mutex_unlock(&a->mtx);
	return rv;
}
