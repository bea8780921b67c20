/* SPDX-License-Identifier: ISC */
/*
 * daytimed-audit: the auditor's tools.
 *
 *   keygen PUBFILE SECFILE    make an X25519 key pair; PUBFILE goes to the
 *                             server ("audit key"), SECFILE stays with the
 *                             auditor. Refuses to overwrite either file.
 *   verify --secret-key SECFILE [LOGFILE...]
 *                             check the sealed MAC chains in syslog files
 *                             (stdin when none): every modified, inserted,
 *                             reordered or missing record, and a chain
 *                             that ends without its stop record.
 *
 * Records are found in any syslog file layout: after the "daytimed[PID]: "
 * tag when there is one, otherwise at the first "conn=" or "event=" that
 * starts a word (RFC 5424 and ISO-timestamp layouts). Lines of other
 * programs, and daytimed lines without chain fields, are skipped.
 * The chain itself is computed by audit/chain.c (chain_mac, chain_next),
 * the code the daemon seals with.
 *
 * Exit: 0 every chain intact; 1 something was found (or nothing sealed
 * was found); 2 usage error, unreadable key, or a key that opens none of
 * the epochs found.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "audit/chain.h"

#define VERIFY_SEQ_SPAN	10000000ULL	/* farthest a key is walked ahead */
#define EPOCH_HEX	(2 * CHAIN_EPOCH_BYTES)
#define SEALED_BYTES	(CHAIN_KEY_BYTES + crypto_box_SEALBYTES)

struct rec {
	char		*text;		/* the record, from conn=/event= on */
	size_t		 len;
	size_t		 maclen;	/* bytes covered by the mac */
	uint64_t	 seq;
	unsigned char	 mac[CHAIN_MAC_BYTES];
	char		 epoch[EPOCH_HEX + 1];
	const char	*file;
	unsigned long	 line;
	int		 has_sealed;
	unsigned char	 sealed[SEALED_BYTES];
	int		 is_stop;
	int		 verified;
	int		 dup;		/* a verified repeat of an earlier one */
	struct rec	*orig;		/* the verified record of this seq */
};

struct epoch {
	char		 id[EPOCH_HEX + 1];
	size_t		*idx;		/* records, in file order */
	size_t		 n;
	size_t		 cap;
};

struct verify {
	struct rec	*recs;
	size_t		 nrecs;
	size_t		 caprecs;
	struct epoch	*epochs;
	size_t		 nepochs;
	size_t		 capepochs;
	unsigned long	 findings;
	unsigned long	 unsealed;
	unsigned char	 pk[CHAIN_KEY_BYTES];
	unsigned char	 sk[CHAIN_KEY_BYTES];
};

static void	usage(FILE *);
static int	audit_keygen(int, char **);
static int	audit_write_keyfile(const char *, const unsigned char *, mode_t);
static int	audit_verify(int, char **);
static int	verify_read(struct verify *, const char *);
static void	verify_line(struct verify *, const char *, unsigned long,
		    const char *, size_t);
static const char *verify_find_record(const char *, size_t);
static int	verify_parse(struct rec *, const char *, size_t);
static int	verify_token(const char *, size_t, const char *, size_t *);
static struct epoch *verify_epoch(struct verify *, const char *);
static int	verify_epoch_check(struct verify *, struct epoch *);
static void	verify_order(struct verify *, struct epoch *);
static void	finding(struct verify *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	*xreallocarray(void *, size_t, size_t);
static int	seq_cmp(const void *, const void *);

static struct verify *sort_ctx;

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "daytimed-audit: libsodium initialization "
		    "failed\n");
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("daytimed-audit %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "keygen") == 0)
		return audit_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
	fprintf(stderr, "daytimed-audit: unknown command: %s\n", argv[1]);
	usage(stderr);
	return 2;
}

/* The synopsis. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: daytimed-audit keygen PUBFILE SECFILE\n"
	    "       daytimed-audit verify --secret-key SECFILE [LOGFILE...]\n"
	    "       daytimed-audit -V | -h\n"
	    "\n"
	    "keygen writes a key pair: PUBFILE (mode 0644) is the daemon's\n"
	    "\"audit key\", SECFILE (mode 0600) stays with the auditor.\n"
	    "Neither file may exist already.\n"
	    "verify checks the sealed records in syslog files (stdin when no\n"
	    "LOGFILE or \"-\"), one line per finding, then a summary.\n"
	    "Exit: 0 intact, 1 findings, 2 usage or key error.\n");
}

/* keygen PUBFILE SECFILE. */
static int
audit_keygen(int argc, char **argv)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	int rv = 1;

	if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], argv[2]) == 0) {
		fprintf(stderr, "daytimed-audit: keygen: PUBFILE and SECFILE "
		    "must differ\n");
		return 2;
	}
	crypto_box_keypair(pk, sk);
	if (audit_write_keyfile(argv[2], sk, 0600) == -1)
		goto out;
	if (audit_write_keyfile(argv[1], pk, 0644) == -1) {
		unlink(argv[2]);	/* we created it just now */
		goto out;
	}
	rv = 0;
out:
	sodium_memzero(sk, sizeof(sk));
	return rv;
}

/* Create path (O_EXCL) with mode and write the key as one hex line. */
static int
audit_write_keyfile(const char *path, const unsigned char *key, mode_t mode)
{
	char line[CHAIN_KEYFILE_LEN + 1];
	size_t off = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", path,
		    errno == EEXIST ? "exists, not overwriting" :
		    strerror(errno));
		return -1;
	}
	chain_hex(line, key, CHAIN_KEY_BYTES);
	line[2 * CHAIN_KEY_BYTES] = '\n';
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (off < CHAIN_KEYFILE_LEN) {
		r = write(fd, line + off, CHAIN_KEYFILE_LEN - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		off += (size_t)r;
	}
	sodium_memzero(line, sizeof(line));
	if (fsync(fd) == -1 || close(fd) == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", path,
		    strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "daytimed-audit: %s: %s\n", path, strerror(errno));
	sodium_memzero(line, sizeof(line));
	close(fd);
	unlink(path);
	return -1;
}

/* verify --secret-key SECFILE [LOGFILE...]. */
static int
audit_verify(int argc, char **argv)
{
	struct verify v;
	const char *keyfile = NULL;
	char err[512];
	size_t e, nverified = 0, i;
	int a, rv = 0, mismatched = 0, opened = 0, r;

	memset(&v, 0, sizeof(v));
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--secret-key") == 0 ||
		    strcmp(argv[a], "-k") == 0) {
			if (a + 1 >= argc) {
				usage(stderr);
				return 2;
			}
			keyfile = argv[++a];
		} else if (strncmp(argv[a], "--secret-key=", 13) == 0)
			keyfile = argv[a] + 13;
		else if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "daytimed-audit: verify: unknown "
			    "option %s\n", argv[a]);
			usage(stderr);
			return 2;
		} else
			break;
	}
	if (keyfile == NULL) {
		fprintf(stderr, "daytimed-audit: verify needs --secret-key "
		    "SECFILE\n");
		usage(stderr);
		return 2;
	}
	if (chain_key_load(keyfile, v.sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return 2;
	}
	crypto_scalarmult_base(v.pk, v.sk);

	if (a >= argc) {
		if (verify_read(&v, "-") == -1)
			rv = 2;
	}
	for (; a < argc; a++)
		if (verify_read(&v, argv[a]) == -1)
			rv = 2;
	if (rv == 2)
		goto out;

	for (e = 0; e < v.nepochs; e++) {
		r = verify_epoch_check(&v, &v.epochs[e]);
		if (r == 1)
			mismatched++;
		else if (r == 0)
			opened++;
	}
	for (i = 0; i < v.nrecs; i++)
		if (v.recs[i].verified && !v.recs[i].dup)
			nverified++;
	if (v.nrecs == 0)
		finding(&v, "no sealed daytimed records found");
	printf("daytimed-audit: %zu sealed records in %zu epochs, %zu "
	    "verified: %s\n", v.nrecs, v.nepochs, nverified,
	    v.findings == 0 ? "intact" : "NOT intact");
	if (v.findings > 0)
		printf("daytimed-audit: %lu finding%s\n", v.findings,
		    v.findings == 1 ? "" : "s");
	if (mismatched > 0 && opened == 0)
		rv = 2;
	else
		rv = v.findings == 0 ? 0 : 1;
out:
	sodium_memzero(v.sk, sizeof(v.sk));
	for (i = 0; i < v.nrecs; i++)
		free(v.recs[i].text);
	free(v.recs);
	for (e = 0; e < v.nepochs; e++)
		free(v.epochs[e].idx);
	free(v.epochs);
	return rv;
}

/* Read one log file ("-": stdin), keeping the sealed records. */
static int
verify_read(struct verify *v, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	const char *name;

	if (strcmp(path, "-") == 0) {
		f = stdin;
		name = "(stdin)";
	} else {
		if ((f = fopen(path, "r")) == NULL) {
			fprintf(stderr, "daytimed-audit: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		name = path;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		verify_line(v, name, lineno, line, (size_t)n);
	}
	if (ferror(f)) {
		fprintf(stderr, "daytimed-audit: %s: read error\n", name);
		free(line);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* Take a record from one line if it holds a sealed daytimed record. */
static void
verify_line(struct verify *v, const char *file, unsigned long lineno,
    const char *line, size_t len)
{
	const char *start;
	struct rec r;
	struct epoch *ep;
	size_t rl;
	int p;

	if ((start = verify_find_record(line, len)) == NULL)
		return;
	rl = len - (size_t)(start - line);
	memset(&r, 0, sizeof(r));
	r.file = file;
	r.line = lineno;
	p = verify_parse(&r, start, rl);
	if (p == 1) {
		v->unsealed++;
		return;
	}
	if (p == -1) {
		finding(v, "%s:%lu: modified: a daytimed record with broken "
		    "chain fields", file, lineno);
		return;
	}
	if ((r.text = malloc(rl + 1)) == NULL) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		exit(2);
	}
	memcpy(r.text, start, rl);
	r.text[rl] = '\0';
	r.len = rl;
	if (v->nrecs == v->caprecs) {
		v->caprecs = v->caprecs ? 2 * v->caprecs : 256;
		v->recs = xreallocarray(v->recs, v->caprecs, sizeof(*v->recs));
	}
	v->recs[v->nrecs] = r;
	ep = verify_epoch(v, r.epoch);
	if (ep->n == ep->cap) {
		ep->cap = ep->cap ? 2 * ep->cap : 64;
		ep->idx = xreallocarray(ep->idx, ep->cap, sizeof(*ep->idx));
	}
	ep->idx[ep->n++] = v->nrecs++;
}

/*
 * Where the record starts: after "daytimed[PID]: " when the line has that
 * tag, else at the first "conn=" or "event=" that begins a word; NULL when
 * the line holds no record.
 */
static const char *
verify_find_record(const char *line, size_t len)
{
	static const char tag[] = "daytimed[";
	const char *p, *end = line + len, *q;
	size_t i;

	p = memmem(line, len, tag, sizeof(tag) - 1);
	if (p != NULL) {
		q = p + sizeof(tag) - 1;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q + 3 <= end && q > p + sizeof(tag) - 1 &&
		    memcmp(q, "]: ", 3) == 0) {
			q += 3;
			if ((size_t)(end - q) >= 5 && (memcmp(q, "conn=", 5) == 0 ||
			    ((size_t)(end - q) >= 6 && memcmp(q, "event=", 6) == 0)))
				return q;
			return NULL;	/* a daytimed message, not a record */
		}
	}
	for (i = 0; i < len; i++) {
		if (i > 0 && line[i - 1] != ' ')
			continue;
		if ((len - i >= 5 && memcmp(line + i, "conn=", 5) == 0) ||
		    (len - i >= 6 && memcmp(line + i, "event=", 6) == 0))
			return line + i;
	}
	return NULL;
}

/*
 * Parse the chain fields at the end of a record:
 * "... [sealed=HEX ]epoch=ID seq=N mac=HEX". 0: parsed; 1: no chain
 * fields (an unsealed record); -1: chain fields present but broken.
 */
static int
verify_parse(struct rec *r, const char *s, size_t len)
{
	unsigned long long seq;
	size_t macpos, seqpos, eppos, sealpos, i;
	const char *m;

	if (verify_token(s, len, " mac=", &macpos) == -1) {
		if (verify_token(s, len, " epoch=", &eppos) == -1)
			return 1;
		return -1;
	}
	if (len - macpos - 5 != 2 * CHAIN_MAC_BYTES ||
	    chain_unhex(r->mac, CHAIN_MAC_BYTES, s + macpos + 5,
	    2 * CHAIN_MAC_BYTES) == -1)
		return -1;
	r->maclen = macpos;
	if (verify_token(s, macpos, " seq=", &seqpos) == -1)
		return -1;
	if (compat_parse_uint(s + seqpos + 5, macpos - seqpos - 5, UINT64_MAX,
	    &seq) == -1)
		return -1;
	if (macpos - seqpos - 5 > 1 && s[seqpos + 5] == '0')
		return -1;	/* one spelling per number */
	r->seq = seq;
	if (verify_token(s, seqpos, " epoch=", &eppos) == -1 ||
	    seqpos - eppos - 7 != EPOCH_HEX)
		return -1;
	m = s + eppos + 7;
	for (i = 0; i < EPOCH_HEX; i++)
		if (!((m[i] >= '0' && m[i] <= '9') ||
		    (m[i] >= 'a' && m[i] <= 'f')))
			return -1;
	memcpy(r->epoch, m, EPOCH_HEX);
	r->epoch[EPOCH_HEX] = '\0';
	if (verify_token(s, eppos, " sealed=", &sealpos) == 0 &&
	    eppos - sealpos - 8 == 2 * SEALED_BYTES &&
	    chain_unhex(r->sealed, SEALED_BYTES, s + sealpos + 8,
	    2 * SEALED_BYTES) == 0)
		r->has_sealed = 1;
	r->is_stop = len >= 10 && memcmp(s, "event=stop", 10) == 0 &&
	    (len == 10 || s[10] == ' ');
	return 0;
}

/* The last occurrence of key in (s, len); its offset in *pos. */
static int
verify_token(const char *s, size_t len, const char *key, size_t *pos)
{
	size_t kl = strlen(key), i;

	if (len < kl)
		return -1;
	for (i = len - kl + 1; i-- > 0;)
		if (memcmp(s + i, key, kl) == 0) {
			*pos = i;
			return 0;
		}
	return -1;
}

/* The epoch with this id, made on first sight. */
static struct epoch *
verify_epoch(struct verify *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nepochs; i++)
		if (strcmp(v->epochs[i].id, id) == 0)
			return &v->epochs[i];
	if (v->nepochs == v->capepochs) {
		v->capepochs = v->capepochs ? 2 * v->capepochs : 8;
		v->epochs = xreallocarray(v->epochs, v->capepochs,
		    sizeof(*v->epochs));
	}
	memset(&v->epochs[v->nepochs], 0, sizeof(v->epochs[0]));
	memcpy(v->epochs[v->nepochs].id, id, EPOCH_HEX + 1);
	return &v->epochs[v->nepochs++];
}

/*
 * Verify one epoch's chain and report what is wrong. Returns 0 when the
 * sealed key opened, 1 when the secret key does not open it, -1 when
 * there is no sealed key to open.
 */
static int
verify_epoch_check(struct verify *v, struct epoch *ep)
{
	unsigned char *k, mac[CHAIN_MAC_BYTES];
	size_t *sorted, i, j, k2, found = 0;
	struct rec *r, *o;
	uint64_t cur = 0, maxv = 0, expect;
	int have_sealed = 0, have_v = 0;

	if ((k = sodium_malloc(CHAIN_KEY_BYTES)) == NULL) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		exit(2);
	}
	for (i = 0; i < ep->n && !found; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->seq != 0 || !r->has_sealed)
			continue;
		have_sealed = 1;
		if (crypto_box_seal_open(k, r->sealed, SEALED_BYTES, v->pk,
		    v->sk) == 0)
			found = 1;
	}
	if (!found) {
		sodium_free(k);
		if (have_sealed) {
			finding(v, "secret key does not match epoch %s "
			    "(%zu records not verified)", ep->id, ep->n);
			return 1;
		}
		finding(v, "epoch %s: its start record (seq 0, with the "
		    "sealed key) is missing: %zu records cannot be verified",
		    ep->id, ep->n);
		return -1;
	}

	/* walk the key forward once, over the records sorted by seq */
	sorted = xreallocarray(NULL, ep->n, sizeof(*sorted));
	memcpy(sorted, ep->idx, ep->n * sizeof(*sorted));
	sort_ctx = v;
	qsort(sorted, ep->n, sizeof(*sorted), seq_cmp);
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[sorted[i]];
		if (r->seq - cur > VERIFY_SEQ_SPAN)
			break;	/* forged far ahead: nothing verifies there */
		while (cur < r->seq) {
			chain_next(k);
			cur++;
		}
		chain_mac(k, r->text, r->maclen, mac);
		r->verified = sodium_memcmp(mac, r->mac, sizeof(mac)) == 0;
		if (r->verified && (!have_v || r->seq > maxv)) {
			maxv = r->seq;
			have_v = 1;
		}
	}
	sodium_free(k);

	/* the first verified record of each seq is the original */
	for (i = 0; i < ep->n; i = j) {
		o = NULL;
		for (j = i; j < ep->n &&
		    v->recs[sorted[j]].seq == v->recs[sorted[i]].seq; j++)
			if (o == NULL && v->recs[sorted[j]].verified)
				o = &v->recs[sorted[j]];
		for (k2 = i; k2 < j; k2++) {
			r = &v->recs[sorted[k2]];
			if (r != o)
				r->orig = o;
			if (r->verified && r != o)
				r->dup = 1;
		}
	}

	/* per record, in file order: modified, inserted, repeated */
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->dup)
			finding(v, "%s:%lu: inserted: repeats seq %" PRIu64
			    " of %s:%lu", r->file, r->line, r->seq,
			    r->orig->file, r->orig->line);
		else if (!r->verified && r->orig != NULL)
			finding(v, "%s:%lu: inserted: seq %" PRIu64 " does not "
			    "verify and seq %" PRIu64 " is at %s:%lu", r->file,
			    r->line, r->seq, r->seq, r->orig->file,
			    r->orig->line);
		else if (!r->verified && (!have_v || r->seq > maxv))
			finding(v, "%s:%lu: modified or inserted: seq %" PRIu64
			    " does not verify (past the last verified "
			    "record)", r->file, r->line, r->seq);
		else if (!r->verified)
			finding(v, "%s:%lu: modified: seq %" PRIu64 " does not "
			    "verify (mac mismatch)", r->file, r->line, r->seq);
	}
	if (!have_v) {
		free(sorted);
		return 0;
	}

	verify_order(v, ep);

	/* gaps: every seq up to the last verified one must be present */
	expect = 0;
	o = NULL;
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[sorted[i]];
		if (r->seq > maxv)
			break;
		if (r->seq > expect) {
			if (r->seq - expect == 1)
				finding(v, "epoch %s: missing: seq %" PRIu64
				    " (before %s:%lu)", ep->id, expect,
				    r->file, r->line);
			else
				finding(v, "epoch %s: missing: seq %" PRIu64
				    "..%" PRIu64 " (%" PRIu64 " records, "
				    "before %s:%lu)", ep->id, expect,
				    r->seq - 1, r->seq - expect, r->file,
				    r->line);
		}
		if (r->seq >= expect)
			expect = r->seq + 1;
		if (r->verified && !r->dup && r->seq == maxv)
			o = r;
	}
	free(sorted);
	if (o != NULL && !o->is_stop)
		finding(v, "epoch %s: chain ends at seq %" PRIu64 " (%s:%lu) "
		    "without a stop record (truncated or still running)",
		    ep->id, maxv, o->file, o->line);
	return 0;
}

/*
 * Reordering: the verified records, in file order, should have rising
 * seq. Those outside one longest rising run are the ones that moved.
 */
static void
verify_order(struct verify *v, struct epoch *ep)
{
	size_t *list, *tails, *prev, n = 0, len = 0, i, lo, hi, mid, k;
	unsigned char *keep;
	struct rec *r, *before;

	list = xreallocarray(NULL, ep->n, sizeof(*list));
	for (i = 0; i < ep->n; i++) {
		r = &v->recs[ep->idx[i]];
		if (r->verified && !r->dup)
			list[n++] = ep->idx[i];
	}
	if (n == 0) {
		free(list);
		return;
	}
	tails = xreallocarray(NULL, n, sizeof(*tails));
	prev = xreallocarray(NULL, n, sizeof(*prev));
	keep = calloc(n, 1);
	if (keep == NULL) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		lo = 0;
		hi = len;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (v->recs[list[tails[mid]]].seq <
			    v->recs[list[i]].seq)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo > 0 ? tails[lo - 1] : SIZE_MAX;
		tails[lo] = i;
		if (lo == len)
			len++;
	}
	for (k = tails[len - 1]; k != SIZE_MAX; k = prev[k])
		keep[k] = 1;
	for (i = 0; i < n; i++) {
		if (keep[i])
			continue;
		r = &v->recs[list[i]];
		before = i > 0 ? &v->recs[list[i - 1]] : NULL;
		if (before != NULL)
			finding(v, "%s:%lu: reordered: seq %" PRIu64 " comes "
			    "after seq %" PRIu64, r->file, r->line, r->seq,
			    before->seq);
		else
			finding(v, "%s:%lu: reordered: seq %" PRIu64 " comes "
			    "first", r->file, r->line, r->seq);
	}
	free(keep);
	free(prev);
	free(tails);
	free(list);
}

/* Print one finding and count it. */
static void
finding(struct verify *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	v->findings++;
}

/* reallocarray that exits on failure. */
static void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		exit(2);
	}
	if ((q = realloc(p, n * size)) == NULL && n * size != 0) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		exit(2);
	}
	return q;
}

/* Order record indices by seq, then by position. */
static int
seq_cmp(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct rec *ra = &sort_ctx->recs[ia], *rb = &sort_ctx->recs[ib];

	if (ra->seq != rb->seq)
		return ra->seq < rb->seq ? -1 : 1;
	return ia < ib ? -1 : (ia > ib);
}
