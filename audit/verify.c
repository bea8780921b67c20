/* SPDX-License-Identifier: ISC */
/*
 * verify: the walk's entry points (see verify.h): each line to its host
 * and epoch, the notes, unsealed records. The runs that collapse notes
 * are verify_run.c; the chain walk itself is verify_walk.c; the end is
 * verify_end.c.
 *
 * Hosts are named by the syslog header, untrusted: an edited header shows
 * as an epoch whose records name two hosts, and a name is printed only
 * escaped (verify_hostname), since an escape sequence in it could hide
 * the rest of the output. Epochs are found by their id, in a hash table,
 * so that interleaved records of many hosts cost the same as one host's.
 * Ids and names are the log's, untrusted too: the tables hash them with
 * SipHash under a key drawn for each run, as report's tables do, or ids
 * chosen to fall in one slot would make the work quadratic.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "audit/verify_int.h"

#define VERIFY_NOTE_MAX		1024	/* a note's text, before malloc */
#define VERIFY_NAMES_TOLD	8	/* other host names an epoch's notes name */

static uint32_t	verify_file(struct verify *, const char *);
static size_t	verify_host(struct verify *, const char *, size_t);
static struct verify_epoch *verify_epoch(struct verify *,
		    const struct verify_fields *, size_t, uint32_t,
		    unsigned long);
static int	verify_rehash(size_t **, size_t *, size_t, size_t);
static int	verify_fail(const struct verify *);
static uint64_t	verify_hash(const struct verify *, const void *, size_t);
static uint64_t	verify_id_hash(const struct verify *, uint64_t);
static void	verify_unsealed(struct verify *, size_t, uint32_t,
		    unsigned long);
static void	verify_sealed_host(struct verify *, size_t, struct verify_epoch *,
		    const struct verify_fields *, uint32_t);

/* A verifier for the auditor's secret key sk. */
struct verify *
verify_new(const unsigned char sk[CHAIN_KEY_BYTES], verify_finding_fn *text,
    void *arg)
{
	struct verify *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	memcpy(v->sk, sk, CHAIN_KEY_BYTES);
	crypto_scalarmult_base(v->pk, v->sk);
	crypto_shorthash_keygen(v->hkey);
	v->text = text;
	v->note_arg = arg;
	v->budget = VERIFY_WALK_BUDGET;
	v->ring_slots_max = VERIFY_RING_SLOTS_MAX;
	return v;
}

/* Notes with their kind and host, instead of text. */
void
verify_notes(struct verify *v, verify_note_fn *note, void *arg)
{
	v->note = note;
	v->text = NULL;
	v->note_arg = arg;
}

void
verify_running(struct verify *v)
{
	v->running_ok = 1;
}

/* Trust one more host key. */
int
verify_host_key(struct verify *v, const char *name,
    const unsigned char pk[CHAIN_SIGN_PK_BYTES])
{
	return verify_host_key_for(v, name, NULL, pk);
}

/* Trust one more host key, for the host so named (NULL: any). */
int
verify_host_key_for(struct verify *v, const char *name, const char *host,
    const unsigned char pk[CHAIN_SIGN_PK_BYTES])
{
	struct verify_hkey *k;
	char *copy = NULL;
	void *p;
	size_t cap = v->nhkeys, i;

	if (host != NULL && (copy = strdup(host)) == NULL)
		return -1;
	/* one key per host both ways: a key given twice takes one name */
	for (i = 0; i < v->nhkeys; i++) {
		k = &v->hkeys[i];
		if (sodium_memcmp(k->pk, pk, CHAIN_SIGN_PK_BYTES) == 0) {
			if (copy != NULL && k->host != NULL &&
			    strcmp(copy, k->host) != 0)
				goto taken;
			if (k->host == NULL && copy != NULL &&
			    (k->host = strdup(copy)) == NULL) {
				free(copy);
				return -1;
			}
		} else if (copy != NULL && k->host != NULL &&
		    strcmp(copy, k->host) == 0)
			goto taken;
	}
	if ((p = verify_grow(v->hkeys, &cap, v->nhkeys, sizeof(*v->hkeys))) ==
	    NULL) {
		free(copy);
		return -1;
	}
	v->hkeys = p;
	v->hkeys[v->nhkeys].name = name;
	v->hkeys[v->nhkeys].host = copy;
	memcpy(v->hkeys[v->nhkeys].pk, pk, CHAIN_SIGN_PK_BYTES);
	v->hkeys[v->nhkeys].epochs = 0;
	v->nhkeys++;
	return 0;
taken:
	free(copy);
	return -2;
}

/* Wipe the secret key and every epoch's keys; free. */
void
verify_free(struct verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	sodium_memzero(v->sk, sizeof(v->sk));
	for (i = 0; i < v->nepochs; i++)
		verify_walk_free(&v->epochs[i]);
	free(v->epochs);
	free(v->etab);
	for (i = 0; i < v->nhosts; i++)
		free(v->hosts[i].name);
	free(v->hosts);
	free(v->htab);
	for (i = 0; i < v->nhkeys; i++)
		free(v->hkeys[i].host);
	free(v->hkeys);
	free(v->files);
	free(v);
}

/* One line: a record is checked, anything else passes. */
int
verify_line(struct verify *v, const char *file, unsigned long lineno,
    const char *line, size_t len)
{
	struct verify_header hd;
	struct verify_fields f;
	struct verify_epoch *ep;
	uint32_t fi;
	size_t h;
	int p;

	if (v->over != VERIFY_BOUND_NONE)
		return -2;
	if (verify_header_parse(line, len, &hd) != 1)
		return 0;
	fi = verify_file(v, file);
	p = verify_fields_parse(hd.rec, hd.reclen, &f);
	ep = p == 0 ? verify_epoch(v, &f, SIZE_MAX, fi, lineno) : NULL;
	if (ep != NULL && v->hosts[ep->host].namelen == (hd.hostlen >
	    VERIFY_HOST_MAX ? VERIFY_HOST_MAX : hd.hostlen) &&
	    (hd.hostlen == 0 || memcmp(v->hosts[ep->host].name, hd.host,
	    v->hosts[ep->host].namelen) == 0))
		h = ep->host;	/* the common case: the epoch's own host */
	else
		h = verify_host(v, hd.host, hd.hostlen);
	if (v->nomem || h == SIZE_MAX || fi == UINT32_MAX)
		return verify_fail(v);
	/*
	 * A record that ends inside its chain fields is the start of one a
	 * broken stream connection tore (the whole follows, sent again):
	 * unsealed, as a tear before them is.
	 */
	if (p == 1 || (p == -1 && verify_fields_cut(hd.rec, hd.reclen))) {
		verify_unsealed(v, h, fi, lineno);
		return v->nomem ? -1 : 0;
	}
	if (p == -1) {
		verify_note(v, VERIFY_FINDING, NULL, h, "%s:%lu: modified: a "
		    "daytimed record with broken chain fields", file, lineno);
		return 0;
	}
	v->records++;
	if (ep == NULL && (ep = verify_epoch(v, &f, h, fi, lineno)) == NULL)
		return verify_fail(v);
	verify_sealed_host(v, h, ep, &f, fi);
	verify_walk_record(v, ep, fi, lineno, hd.rec, hd.reclen, &f);
	return v->nomem || v->over != VERIFY_BOUND_NONE ? verify_fail(v) : 0;
}

/* A line too long to read: a finding when it is a daytimed record. */
int
verify_line_overlong(struct verify *v, const char *file,
    unsigned long lineno, const char *head, size_t headlen)
{
	struct verify_header hd;
	size_t h;

	if (v->over != VERIFY_BOUND_NONE)
		return -2;
	v->overlong++;
	if (verify_header_parse(head, headlen, &hd) != 1) {
		verify_note(v, VERIFY_WARNING, NULL, SIZE_MAX, "%s:%lu: an "
		    "over-long line, skipped (not a daytimed record)", file,
		    lineno);
		return 0;
	}
	if ((h = verify_host(v, hd.host, hd.hostlen)) == SIZE_MAX)
		return verify_fail(v);
	verify_note(v, VERIFY_FINDING, NULL, h, "%s:%lu: an over-long "
	    "daytimed record: daytimed writes none that long (skipped)", file,
	    lineno);
	return 0;
}

/* What a refused line returns: -2 over a bound, else -1 (no memory). */
static int
verify_fail(const struct verify *v)
{
	return v->over != VERIFY_BOUND_NONE ? -2 : -1;
}

/* The bound the input passed, if any. */
enum verify_bound
verify_over(const struct verify *v)
{
	return v->over;
}

/* The index of a file name (by pointer: the caller keeps one per file). */
static uint32_t
verify_file(struct verify *v, const char *file)
{
	size_t i, cap = v->nfiles;
	void *p;

	for (i = v->nfiles; i-- > 0;)
		if (v->files[i] == file)
			return (uint32_t)i;
	if (v->nfiles >= UINT32_MAX - 1 ||
	    (p = verify_grow(v->files, &cap, v->nfiles, sizeof(*v->files))) ==
	    NULL) {
		v->nomem = 1;
		return UINT32_MAX;
	}
	v->files = p;
	v->files[v->nfiles] = file;
	return (uint32_t)v->nfiles++;
}

/* SipHash of len bytes under the run's key: spreads names and ids. */
static uint64_t
verify_hash(const struct verify *v, const void *p, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, p, len, v->hkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* The hash of an epoch id (its bytes, little-endian: any host's alike). */
static uint64_t
verify_id_hash(const struct verify *v, uint64_t id)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(id >> (8 * i));
	return verify_hash(v, b, sizeof(b));
}

/* The host of this name (len bytes, at most VERIFY_HOST_MAX), or SIZE_MAX. */
size_t
verify_host_find(const struct verify *v, const char *name, size_t len)
{
	const struct verify_hostrec *hr;
	uint64_t hash = verify_hash(v, name, len);
	size_t i, j;

	for (j = 0; v->htabcap > 0 && j < v->htabcap; j++) {
		i = v->htab[(hash + j) & (v->htabcap - 1)];
		if (i == 0)
			break;
		hr = &v->hosts[i - 1];
		if (hr->namelen == len && (len == 0 ||
		    memcmp(hr->name, name, len) == 0))
			return i - 1;
	}
	return SIZE_MAX;
}

/* A host by name (cut at VERIFY_HOST_MAX bytes), made on first sight. */
static size_t
verify_host(struct verify *v, const char *name, size_t len)
{
	struct verify_hostrec *hr;
	char esc[4 * VERIFY_HOST_MAX + sizeof(RECORD_CUT_MARK) + 3];
	uint64_t hash;
	size_t i, j, cap, elen;
	void *p;

	if (len > VERIFY_HOST_MAX)
		len = VERIFY_HOST_MAX;
	if ((i = verify_host_find(v, name, len)) != SIZE_MAX)
		return i;
	hash = verify_hash(v, name, len);
	if (v->nhosts >= VERIFY_HOSTS_MAX) {
		v->over = VERIFY_BOUND_HOSTS;
		return SIZE_MAX;
	}
	if (2 * (v->nhosts + 1) > v->htabcap) {
		if (verify_rehash(&v->htab, &v->htabcap, v->nhosts, 0) == -1)
			goto nomem;
		for (i = 0; i < v->nhosts; i++) {
			uint64_t hh = verify_hash(v, v->hosts[i].name,
			    v->hosts[i].namelen);

			for (j = 0; v->htab[(hh + j) & (v->htabcap - 1)]; j++)
				;
			v->htab[(hh + j) & (v->htabcap - 1)] = i + 1;
		}
	}
	cap = v->caphosts;
	if ((p = verify_grow(v->hosts, &cap, v->nhosts, sizeof(*v->hosts))) ==
	    NULL)
		goto nomem;
	v->hosts = p;
	v->caphosts = cap;
	hr = &v->hosts[v->nhosts];
	memset(hr, 0, sizeof(*hr));
	/* escaped once, here, as report escapes it: every message uses it */
	if (len == 0)
		memcpy(esc, "-", 2);
	else if (record_escape(esc, sizeof(esc), name, len) == 0)
		memcpy(esc, "\"\"", 3);	/* not reached: esc holds any */
	elen = strlen(esc);
	if ((hr->name = malloc(len + 1 + elen + 1)) == NULL)
		goto nomem;
	if (len > 0)
		memcpy(hr->name, name, len);
	hr->name[len] = '\0';
	hr->namelen = len;
	memcpy(hr->name + len + 1, esc, elen + 1);
	hr->shown = hr->name + len + 1;
	hr->unsealed_run.kind = VERIFY_RUN_UNSEALED;
	for (j = 0; v->htab[(hash + j) & (v->htabcap - 1)]; j++)
		;
	v->htab[(hash + j) & (v->htabcap - 1)] = v->nhosts + 1;
	return v->nhosts++;
nomem:
	v->nomem = 1;
	return SIZE_MAX;
}

/* A table twice as large (at least 16), emptied; -1: no memory. */
static int
verify_rehash(size_t **tab, size_t *cap, size_t n, size_t unused)
{
	size_t ncap = *cap ? 2 * *cap : 16, *t;

	(void)unused;
	while (ncap < 2 * (n + 1))
		ncap *= 2;
	if ((t = calloc(ncap, sizeof(*t))) == NULL)
		return -1;
	free(*tab);
	*tab = t;
	*cap = ncap;
	return 0;
}

/*
 * The epoch of the fields' id. host SIZE_MAX: look only; otherwise made
 * on first sight for that host. NULL: not there (looking), or no memory.
 */
static struct verify_epoch *
verify_epoch(struct verify *v, const struct verify_fields *f, size_t host,
    uint32_t file, unsigned long line)
{
	struct verify_epoch *ep;
	uint64_t hash;
	size_t i, j, cap;
	void *p;

	if ((i = verify_epoch_index(v, f->epoch_id)) != SIZE_MAX)
		return &v->epochs[i];
	if (host == SIZE_MAX)
		return NULL;
	if (v->nepochs >= VERIFY_EPOCHS_MAX) {
		v->over = VERIFY_BOUND_EPOCHS;
		return NULL;
	}
	hash = verify_id_hash(v, f->epoch_id);
	if (2 * (v->nepochs + 1) > v->etabcap) {
		if (verify_rehash(&v->etab, &v->etabcap, v->nepochs, 0) == -1)
			goto nomem;
		for (i = 0; i < v->nepochs; i++) {
			hash = verify_id_hash(v, v->epochs[i].id);
			for (j = 0; v->etab[(hash + j) & (v->etabcap - 1)]; j++)
				v->probes++;
			v->etab[(hash + j) & (v->etabcap - 1)] = i + 1;
		}
		hash = verify_id_hash(v, f->epoch_id);
	}
	cap = v->capepochs;
	if ((p = verify_grow(v->epochs, &cap, v->nepochs,
	    sizeof(*v->epochs))) == NULL)
		goto nomem;
	v->epochs = p;
	v->capepochs = cap;
	ep = &v->epochs[v->nepochs];
	memset(ep, 0, sizeof(*ep));
	ep->id = f->epoch_id;
	memcpy(ep->hex, f->epoch, sizeof(ep->hex));
	ep->host = host;
	ep->first_file = file;
	ep->first_line = line;
	ep->reorder.kind = VERIFY_RUN_REORDER;
	ep->late.kind = VERIFY_RUN_LATE;
	ep->far.kind = VERIFY_RUN_FAR;
	ep->budget.kind = VERIFY_RUN_BUDGET;
	ep->missing.kind = VERIFY_RUN_MISSING;
	ep->forged.kind = VERIFY_RUN_FORGED;
	for (j = 0; v->etab[(hash + j) & (v->etabcap - 1)]; j++)
		v->probes++;
	v->etab[(hash + j) & (v->etabcap - 1)] = v->nepochs + 1;
	v->nepochs++;
	return ep;
nomem:
	v->nomem = 1;
	return NULL;
}

/* The index of the epoch with this id, or SIZE_MAX. */
size_t
verify_epoch_index(struct verify *v, uint64_t id)
{
	uint64_t hash = verify_id_hash(v, id);
	size_t i, j;

	for (j = 0; v->etabcap > 0 && j < v->etabcap; j++) {
		v->probes++;
		i = v->etab[(hash + j) & (v->etabcap - 1)];
		if (i == 0)
			break;
		if (v->epochs[i - 1].id == id)
			return i - 1;
	}
	return SIZE_MAX;
}

/*
 * A sealed record's host: its first one says what came before was from
 * before the host sealed (or, in the same file and mid-epoch, inside
 * that epoch); an epoch whose records name another host is told for
 * each other name (up to VERIFY_NAMES_TOLD of them, then only counted),
 * and counted to both hosts, so that no host line says intact.
 */
static void
verify_sealed_host(struct verify *v, size_t h, struct verify_epoch *ep,
    const struct verify_fields *f, uint32_t file)
{
	struct verify_hostrec *hr = &v->hosts[h];
	size_t i, n, k;

	hr->records++;
	if (ep->host != h && hr->told_epoch != (size_t)(ep - v->epochs) + 1) {
		/* each other name once (a run of it), told up to a bound */
		hr->told_epoch = (size_t)(ep - v->epochs) + 1;
		if (ep->host_told < VERIFY_NAMES_TOLD) {
			ep->host_told++;
			verify_note(v, VERIFY_FINDING, ep, ep->host, "epoch %s: "
			    "its records name two hosts, %s and %s (first at "
			    "%s:%lu): a syslog header was changed", ep->hex,
			    verify_hostname(v, ep->host), verify_hostname(v, h),
			    v->files[ep->first_file], ep->first_line);
		}
		hr->findings++;	/* counted to the epoch's host: this one too */
	}
	if (!hr->sealing && hr->early > 0 && f->seq > 0) {
		/* unsealed lines of this file just before: inside the epoch */
		n = hr->early < VERIFY_UNSEALED_SHOWN ? hr->early :
		    VERIFY_UNSEALED_SHOWN;
		for (i = k = 0; i < n; i++) {
			if (hr->early_file[i] != file) {
				hr->early_file[k] = hr->early_file[i];
				hr->early_line[k++] = hr->early_line[i];
				continue;
			}
			verify_note(v, VERIFY_FINDING, ep, h, "%s:%lu: "
			    "unsealed: a daytimed record without chain "
			    "fields, inside epoch %s", v->files[file],
			    hr->early_line[i], ep->hex);
		}
		hr->early -= n - k;
	}
	hr->sealing = 1;
	hr->last_epoch = (size_t)(ep - v->epochs);
	hr->last_open = !f->is_stop;
	hr->last_file = file;
}

/* A host's name for messages: escaped; "-" for lines without a header. */
const char *
verify_hostname(const struct verify *v, size_t h)
{
	return h < v->nhosts ? v->hosts[h].shown : "-";
}

/* A daytimed record without chain fields. */
static void
verify_unsealed(struct verify *v, size_t h, uint32_t file, unsigned long line)
{
	struct verify_hostrec *hr = &v->hosts[h];

	v->unsealed++;
	hr->unsealed++;
	if (!hr->sealing) {
		if (hr->early < VERIFY_UNSEALED_SHOWN) {
			hr->early_file[hr->early] = file;
			hr->early_line[hr->early] = line;
		}
		hr->early++;
		return;
	}
	verify_run_add(v, hr->last_open && hr->last_file == file ?
	    &v->epochs[hr->last_epoch] : NULL, h, &hr->unsealed_run, line,
	    file, line, hr->last_open && hr->last_file == file ?
	    hr->last_epoch : SIZE_MAX, 0, 0);
}

/* Format one note, count it, hand it to the caller's callback. */
void
verify_note(struct verify *v, enum verify_kind kind, struct verify_epoch *ep,
    size_t h, const char *fmt, ...)
{
	char small[VERIFY_NOTE_MAX], *text = small;
	struct verify_note n;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len >= sizeof(small) &&
	    (text = malloc((size_t)len + 1)) != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(text, (size_t)len + 1, fmt, ap);
		va_end(ap);
	} else if (text == NULL)
		text = small;	/* no memory: the cut text is better than none */
	if (ep != NULL && h == SIZE_MAX)
		h = ep->host;
	if (kind == VERIFY_FINDING) {
		v->findings++;
		if (ep != NULL)
			ep->findings++;
		if (h < v->nhosts)
			v->hosts[h].findings++;
	} else
		v->warnings++;
	n.kind = kind;
	n.host = h < v->nhosts ? v->hosts[h].name : NULL;
	n.text = text;
	if (v->note != NULL)
		v->note(v->note_arg, &n);
	else if (v->text != NULL && kind == VERIFY_WARNING) {
		char *w;

		if ((w = malloc(strlen(text) + 10)) != NULL) {
			memcpy(w, "warning: ", 9);
			memcpy(w + 9, text, strlen(text) + 1);
			v->text(v->note_arg, w);
			free(w);
		} else
			v->text(v->note_arg, text);
	} else if (v->text != NULL)
		v->text(v->note_arg, text);
	if (text != small)
		free(text);
}

/*
 * Room for one more element in arr (n used of *cap): arr itself or its
 * larger copy; NULL (arr untouched) when out of memory.
 */
void *
verify_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return arr;
	ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / size || (q = realloc(arr, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}
