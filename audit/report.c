/* SPDX-License-Identifier: ISC */
/*
 * report: one syslog line in, counts out (see report.h for the files of
 * the report). Pure: the line comes as (buffer, length), the clock in
 * the options, and nothing is printed here.
 *
 * A line is a record when verify's header reader says so (the one place
 * that knows the syslog layouts); it also names the host and the time
 * stamp. A record that does not parse, or lacks a
 * key every connection record has, or holds a value outside its set
 * (decision, proto, ident_status's form, peer), is "unparsed": counted,
 * and the first few are kept, escaped, for the page. A record with keys
 * this version does not know is counted as usual, and the keys are
 * counted too. Records outside --since/--until are counted only as such;
 * a record without any time (journalctl -o cat, no time=) is kept unless
 * a bound is given.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "audit/record_parse.h"
#include "audit/report_int.h"
#include "audit/verify.h"

#define REPORT_VAL_MAX	1024	/* an unescaped value kept (the daemon's: 256) */
#define REPORT_CUT1	(RECORD_VALUE_MAX + 1)	/* report_cut1's longest */
#define REPORT_ADDR_MAX	80	/* an address without brackets or port */

/* What one connection record says, unescaped where it counts. */
struct report_rec {
	int64_t		 t_us;
	const char	*host;		/* the syslog header's; len 0: none */
	size_t		 hostlen;
	enum report_path path;
	enum report_dec	 dec;
	int		 is_default;
	enum report_status status;
	char		 rule[REPORT_VAL_MAX];
	size_t		 rulelen;
	char		 net[REPORT_VAL_MAX];
	size_t		 netlen;	/* 0: no netblock= */
	char		 src[REPORT_ADDR_MAX];
	size_t		 srclen;
	char		 source[REPORT_ADDR_MAX];
	size_t		 sourcelen;	/* 0: no source= */
	const struct record_field *ident;
	const struct record_field *st;
};

/* The keys a record may have (report_key_id); K_UNKNOWN for the others. */
enum report_key {
	K_CONN, K_PROTO, K_PEER, K_LOCAL, K_DECISION, K_RULE, K_IDENT,
	K_IDENT_STATUS, K_NETBLOCK, K_DURATION_US, K_BYTES, K_VIA, K_TIME,
	K_SEQ, K_MAC, K_EPOCH, K_SEALED, K_SOURCE, K_N, K_UNKNOWN = K_N
};

/* A record's fields by key: NULL where the record has none. */
struct report_keyed {
	const struct record_field *k[K_N];
	int		 unknown;	/* keys outside the table */
};

static int	report_unparsed(struct report *, const char *, unsigned long,
		    const char *, size_t, const char *);
static int	report_event(struct report *, const struct record_fields *,
		    int64_t);
static const char *report_conn(const struct report_keyed *,
		    struct report_rec *);
static int	report_index(struct report *, const struct record_fields *,
		    struct report_keyed *);
static enum report_key report_key_id(const char *, size_t);
static int	report_count_unknown(struct report *,
		    const struct record_fields *, const struct report_keyed *);
static int	report_count(struct report *, struct report_rec *);
static struct report_entry *report_add1(struct report_table *, const char *,
		    size_t, int64_t, unsigned);
/* not inlined: gcc -O3 then warns of a copy on a path it cannot rule out */
static const char *report_cut1(const char *, size_t *, char *)
		    __attribute__((noinline));
static int	report_peer(const struct record_field *, struct report_rec *);
static enum report_status report_status_of(const struct record_field *,
		    const char **, size_t *);
static int	report_is(const struct record_field *, const char *);

/* A report with empty tables. */
struct report *
report_new(const struct report_opts *o)
{
	struct report *r;
	size_t cap;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->o = *o;
	cap = o->cap < REPORT_CAP_MIN ? REPORT_CAP_MIN :
	    o->cap > REPORT_CAP_MAX ? REPORT_CAP_MAX : o->cap;
	r->o.cap = cap;
	if (r->o.width < REPORT_WIDTH_MIN || r->o.width > REPORT_WIDTH_MAX)
		r->o.width = REPORT_WIDTH_DEFAULT;
	report_time_clock(&r->clock, o->now_us);
	r->first_us = r->last_us = REPORT_TIME_NONE;
	r->hour_key = -1;
	if ((r->rules = report_table_new(cap)) == NULL ||
	    (r->nets = report_table_new(cap)) == NULL ||
	    (r->denied_src = report_table_new(cap)) == NULL ||
	    (r->denied_net = report_table_new(cap)) == NULL ||
	    (r->drops = report_table_new(cap)) == NULL ||
	    (r->limits = report_table_new(REPORT_SMALL_CAP)) == NULL ||
	    (r->names = report_table_new(cap)) == NULL ||
	    (r->named = report_table_new(cap)) == NULL ||
	    (r->errtypes = report_table_new(REPORT_SMALL_CAP)) == NULL ||
	    (r->ukeys = report_table_new(REPORT_SMALL_CAP)) == NULL ||
	    (r->evnames = report_table_new(REPORT_SMALL_CAP)) == NULL ||
	    (r->hours = report_table_new(cap)) == NULL ||
	    (r->users = report_table_new(REPORT_SMALL_CAP)) == NULL ||
	    (r->hosts = report_table_new(cap)) == NULL) {
		report_free(r);
		return NULL;
	}
	return r;
}

/* Free the tables and the report. */
void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	report_table_free(r->rules);
	report_table_free(r->nets);
	report_table_free(r->denied_src);
	report_table_free(r->denied_net);
	report_table_free(r->drops);
	report_table_free(r->limits);
	report_table_free(r->names);
	report_table_free(r->named);
	report_table_free(r->errtypes);
	report_table_free(r->ukeys);
	report_table_free(r->evnames);
	report_table_free(r->hours);
	report_table_free(r->users);
	report_table_free(r->hosts);
	free(r->conf.text);
	free(r);
}

/* The verifier's result, for the top of the page. */
void
report_set_check(struct report *r, struct report_check *check)
{
	r->check = check;
}

/* Read one syslog line. */
int
report_line(struct report *r, const char *file, unsigned long lineno,
    const char *line, size_t len, int cut)
{
	struct verify_header h;
	struct report_rec rec;
	struct record_fields f;
	struct report_keyed kf;
	const struct record_field *tf;
	const char *why;
	uint64_t tu;
	int64_t t = REPORT_TIME_NONE;

	r->lines++;
	report_time_file(&r->clock, file, lineno);	/* a repeated hour */
	if (verify_header_parse(line, len, &h) != 1)
		return 0;
	if (cut)
		return report_unparsed(r, file, lineno, h.rec, h.reclen,
		    "longer than 65536 bytes");
	if (record_parse(h.rec, h.reclen, &f, &why) == -1)
		return report_unparsed(r, file, lineno, h.rec, h.reclen, why);
	if (report_index(r, &f, &kf) == -1)
		return -1;
	/* the chain fields are the verifier's to judge (--secret-key) */
	if (kf.k[K_MAC] != NULL || kf.k[K_EPOCH] != NULL)
		r->sealed++;
	if ((tf = kf.k[K_TIME]) != NULL) {
		/* a sealed record's own time, as the verifier reads it */
		if (tf->quoted || verify_time_parse(tf->val, tf->vallen,
		    &tu) == -1 || tu > INT64_MAX)
			return report_unparsed(r, file, lineno, h.rec,
			    h.reclen, "a bad time=");
		t = (int64_t)tu;
	} else if (h.timelen == 0 ||
	    report_time_header(&r->clock, h.time, h.timelen, &t) == -1)
		t = REPORT_TIME_NONE;

	if (f.f[0].keylen == 5 && memcmp(f.f[0].key, "event", 5) == 0)
		return report_event(r, &f, t);
	rec.t_us = t;
	rec.host = h.host != NULL ? h.host : "";	/* bare: no header */
	rec.hostlen = h.hostlen;
	if ((why = report_conn(&kf, &rec)) != NULL)
		return report_unparsed(r, file, lineno, h.rec, h.reclen, why);
	if (kf.unknown && report_count_unknown(r, &f, &kf) == -1)
		return -1;
	if (t == REPORT_TIME_NONE) {
		r->undated++;
		if (r->o.since_us != REPORT_TIME_NONE ||
		    r->o.until_us != REPORT_TIME_NONE) {
			r->undated_skipped++;
			return 0;
		}
	} else if ((r->o.since_us != REPORT_TIME_NONE && t < r->o.since_us) ||
	    (r->o.until_us != REPORT_TIME_NONE && t >= r->o.until_us)) {
		r->outside++;
		return 0;
	}
	return report_count(r, &rec);
}

/* Count a line that looked like a record and did not parse. */
static int
report_unparsed(struct report *r, const char *file, unsigned long lineno,
    const char *rec, size_t len, const char *why)
{
	struct report_bad *b;

	if (r->unparsed < REPORT_SHOWN) {
		b = &r->bad[r->unparsed];
		b->file = file;
		b->line = lineno;
		b->why = why;
		b->cut = len > REPORT_SHOWN_TEXT;
		record_escape(b->text, sizeof(b->text), rec,
		    b->cut ? REPORT_SHOWN_TEXT : len);
	}
	r->unparsed++;
	return 0;
}

/*
 * Count a value in a table of single values as the page shows it: up to
 * its first NUL (report_key_part's first part, all that prints) and, past
 * RECORD_VALUE_MAX bytes, that many and one 0xff byte, which
 * record_escape shows as the cut. Values the page cannot tell apart are
 * one row, so a JSON object never names a key twice, and no untrusted
 * value is too long for the table (which would read as out of memory).
 */
static struct report_entry *
report_add1(struct report_table *t, const char *s, size_t len, int64_t t_us,
    unsigned sub)
{
	char cut[REPORT_CUT1];

	s = report_cut1(s, &len, cut);
	return report_table_add(t, s, len, t_us, sub);
}

/* report_add1's form of a value (*len bytes): s, or cut (REPORT_CUT1). */
static const char *
report_cut1(const char *s, size_t *len, char *cut)
{
	const char *nul;

	if (*len == 0)
		return s;		/* maybe NULL: no header, say */
	if ((nul = memchr(s, '\0', *len)) != NULL)
		*len = (size_t)(nul - s);
	if (*len <= RECORD_VALUE_MAX)
		return s;
	memcpy(cut, s, RECORD_VALUE_MAX);
	cut[RECORD_VALUE_MAX] = (char)0xff;
	*len = REPORT_CUT1;
	return cut;
}

/* An event record (start, reload, stop, counters) inside the period. */
static int
report_event(struct report *r, const struct record_fields *f, int64_t t)
{
	char name[64];
	long n;

	if ((r->o.since_us != REPORT_TIME_NONE ||
	    r->o.until_us != REPORT_TIME_NONE) && (t == REPORT_TIME_NONE ||
	    (r->o.since_us != REPORT_TIME_NONE && t < r->o.since_us) ||
	    (r->o.until_us != REPORT_TIME_NONE && t >= r->o.until_us)))
		return 0;
	if ((n = record_parse_value(name, sizeof(name), &f->f[0])) == -1)
		n = sizeof(name);	/* a prefix of it */
	r->events++;
	return report_add1(r->evnames, name, (size_t)n, t, 0) == NULL ? -1 : 0;
}

/* The fields of a connection record; NULL, or why it does not parse. */
static const char *
report_conn(const struct report_keyed *f, struct report_rec *rec)
{
	const struct record_field *proto, *dec, *rule, *net, *src, *c;
	const char *detail;
	size_t dl, i;
	long n;
	int v6;

	if ((c = f->k[K_CONN]) == NULL || c->vallen != 16 ||
	    c->quoted)
		return "no conn= of 16 hex digits";
	for (i = 0; i < 16; i++)
		if (!((c->val[i] >= '0' && c->val[i] <= '9') ||
		    (c->val[i] >= 'a' && c->val[i] <= 'f')))
			return "no conn= of 16 hex digits";
	if ((proto = f->k[K_PROTO]) == NULL ||
	    !(report_is(proto, "tcp") || report_is(proto, "udp")))
		return "no proto=tcp or udp";
	if ((v6 = report_peer(f->k[K_PEER], rec)) == -1)
		return "no peer=ADDR:PORT";
	rec->path = report_is(proto, "tcp") ? (v6 ? REPORT_TCP6 : REPORT_TCP4) :
	    (v6 ? REPORT_UDP6 : REPORT_UDP4);
	if ((dec = f->k[K_DECISION]) == NULL)
		return "no decision=";
	if (report_is(dec, "allow"))
		rec->dec = REPORT_ALLOW;
	else if (report_is(dec, "deny"))
		rec->dec = REPORT_DENY;
	else if (report_is(dec, "drop"))
		rec->dec = REPORT_DROP;
	else
		return "a decision other than allow, deny, drop";
	if ((rule = f->k[K_RULE]) == NULL ||
	    (n = record_parse_value(rec->rule, sizeof(rec->rule), rule)) <= 0 ||
	    memchr(rec->rule, '\0', (size_t)n) != NULL)
		return "no rule=, or a NUL in it";
	rec->rulelen = (size_t)n;
	rec->is_default = report_is(rule, "default");
	if ((rec->ident = f->k[K_IDENT]) == NULL)
		return "no ident=";
	if ((rec->st = f->k[K_IDENT_STATUS]) == NULL)
		return "no ident_status=";
	rec->status = report_status_of(rec->st, &detail, &dl);
	rec->netlen = 0;
	if ((net = f->k[K_NETBLOCK]) != NULL) {
		if ((n = record_parse_value(rec->net, sizeof(rec->net),
		    net)) <= 0 || memchr(rec->net, '\0', (size_t)n) != NULL)
			return "a bad netblock=";
		rec->netlen = (size_t)n;
	}
	rec->sourcelen = 0;
	if ((src = f->k[K_SOURCE]) != NULL) {
		if ((n = record_parse_value(rec->source, sizeof(rec->source),
		    src)) <= 0 || memchr(rec->source, '\0', (size_t)n) != NULL)
			return "a bad source=";
		rec->sourcelen = (size_t)n;
		/* a whole address (/32, /128) is the peer's: shown bare */
		if (n > 3 && memchr(rec->source, ':', (size_t)n) == NULL &&
		    memcmp(rec->source + n - 3, "/32", 3) == 0)
			rec->sourcelen -= 3;
		else if (n > 4 && memcmp(rec->source + n - 4, "/128", 4) == 0)
			rec->sourcelen -= 4;
	}
	return NULL;
}

/*
 * The fields by key. An event record's keys are its own business; a
 * connection record's unknown keys are counted (report_count_unknown).
 */
static int
report_index(struct report *r, const struct record_fields *f,
    struct report_keyed *kf)
{
	const struct record_field *x;
	enum report_key k;
	size_t i;
	int event;

	(void)r;
	memset(kf, 0, sizeof(*kf));
	event = f->f[0].keylen == 5 && memcmp(f->f[0].key, "event", 5) == 0;
	for (i = 0; i < f->n; i++) {
		x = &f->f[i];
		if ((k = report_key_id(x->key, x->keylen)) != K_UNKNOWN)
			kf->k[k] = x;
		else if (!event)
			kf->unknown = 1;
	}
	return 0;
}

/* Which known key (key, len) is: by length, then bytes of a fixed size. */
static enum report_key
report_key_id(const char *key, size_t len)
{
#define REPORT_IS(k, s)	(memcmp(k, s, sizeof(s) - 1) == 0)
	switch (len) {
	case 3:
		return REPORT_IS(key, "mac") ? K_MAC : REPORT_IS(key, "seq") ?
		    K_SEQ : REPORT_IS(key, "via") ? K_VIA : K_UNKNOWN;
	case 4:
		return REPORT_IS(key, "conn") ? K_CONN : REPORT_IS(key,
		    "peer") ? K_PEER : REPORT_IS(key, "rule") ? K_RULE :
		    REPORT_IS(key, "time") ? K_TIME : K_UNKNOWN;
	case 5:
		return REPORT_IS(key, "proto") ? K_PROTO : REPORT_IS(key,
		    "local") ? K_LOCAL : REPORT_IS(key, "ident") ? K_IDENT :
		    REPORT_IS(key, "bytes") ? K_BYTES : REPORT_IS(key,
		    "epoch") ? K_EPOCH : K_UNKNOWN;
	case 6:
		return REPORT_IS(key, "sealed") ? K_SEALED : REPORT_IS(key,
		    "source") ? K_SOURCE : K_UNKNOWN;
	case 8:
		return REPORT_IS(key, "decision") ? K_DECISION :
		    REPORT_IS(key, "netblock") ? K_NETBLOCK : K_UNKNOWN;
	case 11:
		return REPORT_IS(key, "duration_us") ? K_DURATION_US :
		    K_UNKNOWN;
	case 12:
		return REPORT_IS(key, "ident_status") ? K_IDENT_STATUS :
		    K_UNKNOWN;
	default:
		return K_UNKNOWN;
	}
#undef REPORT_IS
}

/* Count the keys of a connection record that this version does not know. */
static int
report_count_unknown(struct report *r, const struct record_fields *f,
    const struct report_keyed *kf)
{
	size_t i;
	int k;

	r->unknown++;
	for (i = 0; i < f->n; i++) {
		for (k = 0; k < K_N; k++)
			if (kf->k[k] == &f->f[i])
				break;
		if (k < K_N)
			continue;
		if (report_add1(r->ukeys, f->f[i].key, f->f[i].keylen,
		    REPORT_TIME_NONE, 0) == NULL)
			return -1;
	}
	return 0;
}

/* Count one connection record inside the period. */
static int
report_count(struct report *r, struct report_rec *rec)
{
	char key[REPORT_KEY_MAX], name[REPORT_VAL_MAX], limcut[REPORT_CUT1];
	char netcut[REPORT_CUT1];
	struct report_entry *e;
	const char *detail, *lim, *net;
	size_t kl, dl, netlen = rec->netlen;
	int64_t hour;
	long n, off;
	unsigned sub = rec->dec;

	r->records++;
	/* as the single tables key it, so that pairs group with them */
	net = report_cut1(rec->net, &netlen, netcut);
	if (rec->t_us != REPORT_TIME_NONE) {
		if (r->first_us == REPORT_TIME_NONE || rec->t_us < r->first_us)
			r->first_us = rec->t_us;
		if (r->last_us == REPORT_TIME_NONE || rec->t_us > r->last_us)
			r->last_us = rec->t_us;
		hour = report_time_hour(&r->clock, rec->t_us, &off);
		if (hour == r->hour_key && off == r->hour_off &&
		    r->hour_e != NULL) {
			/* the same hour as the last record: no lookup */
			e = r->hour_e;
			report_table_bump(r->hours, e, rec->t_us, sub);
		} else {
			char hk[24];
			long a = off < 0 ? -off : off;
			int hn = snprintf(hk, sizeof(hk), "%010lld%c%02ld%02ld",
			    (long long)hour, off < 0 ? '-' : '+', a / 3600,
			    a / 60 % 60);

			if (hn < 0 || (size_t)hn >= sizeof(hk))
				return -1;
			e = report_table_add(r->hours, hk, (size_t)hn,
			    rec->t_us, sub);
			report_offsets_add(&r->offs, off);
		}
		if (e == NULL)
			return -1;
		r->hour_key = hour;
		r->hour_off = off;
		r->hour_e = e;
	}
	r->totals[rec->path][rec->dec]++;
	r->status[rec->status]++;
	if (report_add1(r->hosts, rec->host, rec->hostlen, rec->t_us,
	    sub) == NULL)
		return -1;

	kl = report_join(key, sizeof(key), rec->rule, rec->rulelen, net, netlen);
	if (report_table_add(r->rules, key, kl, rec->t_us, sub) == NULL)
		return -1;
	if (netlen > 0) {
		if ((e = report_add1(r->nets, net, netlen,
		    rec->t_us, sub)) == NULL)
			return -1;
		if (rec->is_default)
			e->n[REPORT_DEFAULT]++;
	}
	if (rec->dec == REPORT_DENY &&
	    (report_add1(r->denied_src, rec->src, rec->srclen,
	    rec->t_us, sub) == NULL ||
	    report_add1(r->denied_net, net, netlen,
	    rec->t_us, sub) == NULL))
		return -1;
	if (rec->dec == REPORT_DROP) {
		lim = rec->rule;
		dl = rec->rulelen;
		if (dl > 6 && memcmp(lim, "limit:", 6) == 0) {
			lim += 6;
			dl -= 6;
		}
		/*
		 * the limits' keys are the first parts of the drops'; a
		 * drop is counted for the source the limit charged (its
		 * source=: the peer cut to the source prefix) when the
		 * record names one, else for the peer
		 */
		lim = report_cut1(lim, &dl, limcut);
		if (rec->sourcelen > 0)
			kl = report_join(key, sizeof(key), lim, dl,
			    rec->source, rec->sourcelen);
		else
			kl = report_join(key, sizeof(key), lim, dl, rec->src,
			    rec->srclen);
		if (report_table_add(r->drops, key, kl, rec->t_us, sub) ==
		    NULL || report_add1(r->limits, lim, dl, rec->t_us,
		    sub) == NULL)
			return -1;
	}
	if (rec->status == REPORT_ST_ERROR) {
		(void)report_status_of(rec->st, &detail, &dl);
		if (report_add1(r->errtypes, detail, dl, rec->t_us, 0) ==
		    NULL)
			return -1;
	}
	if (rec->status == REPORT_ST_OK &&
	    (n = record_parse_value(name, sizeof(name), rec->ident)) >= 0) {
		kl = report_join(key, sizeof(key), net, netlen, name,
		    (size_t)n);
		if (report_table_add(r->names, key, kl, rec->t_us, sub) ==
		    NULL || report_add1(r->named, net, netlen,
		    rec->t_us, sub) == NULL)
			return -1;
	}
	return 0;
}

/* The peer's address and family: 0 IPv4, 1 IPv6, -1 malformed. */
static int
report_peer(const struct record_field *p, struct report_rec *rec)
{
	const char *v, *colon;
	size_t len, i, alen;
	int v6;

	if (p == NULL || p->quoted || p->vallen < 3)
		return -1;
	v = p->val;
	len = p->vallen;
	for (colon = v + len; colon > v && colon[-1] != ':'; colon--)
		;
	if (colon == v || colon == v + len || (size_t)(v + len - colon) > 5)
		return -1;
	for (i = (size_t)(colon - v); i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	v6 = v[0] == '[';
	if (v6) {
		if (colon - v < 4 || colon[-2] != ']')
			return -1;
		v++;
		alen = (size_t)(colon - v) - 2;
	} else
		alen = (size_t)(colon - v) - 1;
	if (alen == 0 || alen >= REPORT_ADDR_MAX)
		return -1;
	for (i = 0; i < alen; i++) {
		char c = v[i];

		if (!((c >= '0' && c <= '9') || c == '.' || (v6 &&
		    ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		    c == ':' || c == '%' || (c >= 'g' && c <= 'z')))))
			return -1;
	}
	memcpy(rec->src, v, alen);
	rec->srclen = alen;
	return v6;
}

/* Which status; for error:TYPE, the TYPE in (*detail, *dl). */
static enum report_status
report_status_of(const struct record_field *f, const char **detail,
    size_t *dl)
{
	static const char *const names[] = { "ok", "error", "timeout",
	    "refused", "unreachable", "malformed", "skipped" };
	size_t i;

	*detail = "";
	*dl = 0;
	if (f->quoted)
		return REPORT_ST_OTHER;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (report_is(f, names[i]))
			return (enum report_status)i;
	if (f->vallen > 6 && memcmp(f->val, "error:", 6) == 0) {
		*detail = f->val + 6;
		*dl = f->vallen - 6;
		return REPORT_ST_ERROR;
	}
	return REPORT_ST_OTHER;
}

/* Whether a bare value is exactly s. */
static int
report_is(const struct record_field *f, const char *s)
{
	size_t l = strlen(s);

	return !f->quoted && f->vallen == l && memcmp(f->val, s, l) == 0;
}

/* a NUL b into key (both cut to fit); its length. */
size_t
report_join(char *key, size_t cap, const char *a, size_t al, const char *b,
    size_t bl)
{
	if (al > cap / 2)
		al = cap / 2;
	if (bl > cap - al - 1)
		bl = cap - al - 1;
	memcpy(key, a, al);
	key[al] = '\0';
	memcpy(key + al + 1, b, bl);
	return al + 1 + bl;
}

/* The part of a NUL-joined key before (0) or after (1) the NUL. */
const char *
report_key_part(const struct report_entry *e, int i, size_t *len)
{
	const char *nul = memchr(e->key, '\0', e->keylen);

	if (nul == NULL) {
		*len = i == 0 ? e->keylen : 0;
		return i == 0 ? e->key : e->key + e->keylen;
	}
	if (i == 0) {
		*len = (size_t)(nul - e->key);
		return e->key;
	}
	*len = e->keylen - (size_t)(nul - e->key) - 1;
	return nul + 1;
}

/* The next of v[*j..n) whose key's first part is k; its second in *s. */
struct report_entry *
report_group_next(struct report_entry **v, size_t n, size_t *j,
    const char *k, size_t kl, const char **s, size_t *sl)
{
	const char *a;
	size_t al;

	for (; *j < n; (*j)++) {
		a = report_key_part(v[*j], 0, &al);
		if (al == kl && memcmp(a, k, kl) == 0) {
			*s = report_key_part(v[*j], 1, sl);
			return v[(*j)++];
		}
	}
	return NULL;
}

/* What the table is sure of. */
uint64_t
report_sure(const struct report_entry *e)
{
	return e->count - e->err;
}
