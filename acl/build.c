/* SPDX-License-Identifier: ISC */
/*
 * build: building a rule table from rules, and checking them.
 *
 * Rules are appended in chunks of ACL_CHUNK (rules.c; user names in one
 * byte arena, file names interned), then copied out, sorted, into one
 * array by (family, netblock, the "*" rule first, user, order of
 * addition). Duplicates and conflicts are then neighbours, so one linear
 * pass finds them and counts what the table needs; the netblocks, in that
 * order, are the pre-order list lpm_build takes, and a second pass lays
 * out their records (table.h). O(n log n) time, memory proportional to
 * the rules. The text of the diagnostics is diag.c's.
 *
 * "Can never decide": by rule 3 of the contract only the most specific
 * netblock holding the peer is consulted, so a netblock decides for a peer
 * exactly when no strictly more specific netblock with a rule holds that
 * peer. A netblock every address of which lies in strictly more specific
 * netblocks with rules (e.g. both halves at plen+1, or the halves of the
 * halves, in any mix) therefore never decides, and each of its rules gets a
 * warning. An IPv6 netblock never decides for the IPv4-mapped addresses
 * it holds either (::ffff:0:0/96: by rule 1 they are judged as IPv4), so
 * they count as covered: ::fffe:0:0/95 with a rule for ::fffe:0:0/96 never
 * decides. The check is exact and linear (lpm_shadowed; the tests hold it
 * to trie_covered). Inside a netblock that does decide, every rule can
 * decide: a `user` rule for the peer whose ident answer names that user,
 * the `*` rule for any other answer; so nothing else is reported as dead.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/build.h"
#include "acl/lpm.h"
#include "acl/netblock.h"
#include "acl/table.h"
#include "compat/compat.h"

/* What finishing a build needs besides the builder. */
struct acl_fin {
	struct acl_bdiag	*d;
	size_t			 nd, capd;
	size_t			*bstart;	/* each block's first rule */
	size_t			 nblocks, n4, n6;
	size_t			 nublocks;	/* blocks with user rules */
	size_t			 nusers, names;	/* user rules, their bytes */
	struct lpm_prefix	*p;		/* the blocks, in pre-order */
	uint8_t			*shadowed;
	int			 errors;
};

/* IPv4-mapped peers are looked up as IPv4: lpm6 never sees these. */
static const struct lpm_prefix acl_mapped = {
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 96
};

static int	acl_intern(struct acl_build *, const char *, uint32_t *);
static uint64_t	acl_hash(const char *);
static int	acl_same_block(const struct acl_brule *,
		    const struct acl_brule *);
static int	acl_same_user(const struct acl_brule *,
		    const struct acl_brule *);
static int	acl_bdiag_add(struct acl_fin *, size_t, size_t, size_t,
		    enum acl_diag_kind);
static int	acl_check(struct acl_build *, struct acl_fin *);
static int	acl_layout(struct acl_build *, struct acl_fin *, struct acl *);
static void	acl_fin_free(struct acl_fin *);

/* A new, empty builder. */
struct acl_build *
acl_build_new(void)
{
	return calloc(1, sizeof(struct acl_build));
}

/* FNV-1a over a file name. */
static uint64_t
acl_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The index of file name f, stored once however many rules name it. */
static int
acl_intern(struct acl_build *b, const char *f, uint32_t *idx)
{
	size_t i, j, mask;
	uint32_t *nh;
	char **nf, *copy;

	if (b->nfiles > 0 && strcmp(b->files[b->lastfile], f) == 0) {
		*idx = b->lastfile;
		return 0;
	}
	if ((b->nfiles + 1) * 2 > b->capfhash) {
		size_t cap = b->capfhash == 0 ? 16 : b->capfhash * 2;

		if ((nh = calloc(cap, sizeof(*nh))) == NULL)
			return -1;
		for (i = 0; i < b->nfiles; i++) {
			j = acl_hash(b->files[i]) & (cap - 1);
			while (nh[j] != 0)
				j = (j + 1) & (cap - 1);
			nh[j] = (uint32_t)i + 1;
		}
		free(b->fhash);
		b->fhash = nh;
		b->capfhash = cap;
	}
	mask = b->capfhash - 1;
	for (j = acl_hash(f) & mask; b->fhash[j] != 0; j = (j + 1) & mask) {
		if (strcmp(b->files[b->fhash[j] - 1], f) == 0) {
			*idx = b->lastfile = b->fhash[j] - 1;
			return 0;
		}
	}
	if (b->nfiles == b->capfiles) {
		size_t cap = b->capfiles == 0 ? 8 : b->capfiles * 2;

		if ((nf = reallocarray(b->files, cap, sizeof(*nf))) == NULL)
			return -1;
		b->files = nf;
		b->capfiles = cap;
	}
	if (b->nfiles >= UINT32_MAX - 1 || (copy = strdup(f)) == NULL)
		return -1;
	b->files[b->nfiles] = copy;
	b->fhash[j] = (uint32_t)b->nfiles + 1;
	*idx = b->lastfile = (uint32_t)b->nfiles++;
	return 0;
}

/* Add one rule; the caller's strings and bytes are copied. */
int
acl_build_add(struct acl_build *b, const struct acl_rule *r)
{
	struct acl_brule *br;
	unsigned max;
	int w = 0;

	if (b == NULL || r == NULL || r->file == NULL ||
	    (r->action != ACL_ALLOW && r->action != ACL_DENY) ||
	    (r->net.addr.family != AF_INET && r->net.addr.family != AF_INET6) ||
	    (r->has_user && (r->user == NULL || r->userlen == 0 ||
	    r->userlen > ACL_USER_MAX))) {
		errno = EINVAL;
		return -1;
	}
	max = r->net.addr.family == AF_INET ? 32 : 128;
	if (r->net.plen > max) {
		errno = EINVAL;
		return -1;
	}
	if (b->nrules >= UINT32_MAX)
		goto oom;
	if (acl_room(b) == -1)
		goto oom;
	br = acl_brule_at(b, b->nrules);
	memset(br, 0, sizeof(*br));
	if (acl_intern(b, r->file, &br->file) == -1)
		goto oom;
	memcpy(br->bytes, r->net.addr.bytes, max / 8);
	acl_clear_host(br->bytes, r->net.plen, max / 8, &w);
	br->v6 = max == 128;
	br->plen = (uint8_t)r->net.plen;
	br->action = (uint8_t)r->action;
	br->line = r->line;
	br->seq = b->nrules;
	if (r->has_user) {
		if (b->caparena - b->narena < r->userlen) {
			size_t cap = b->caparena == 0 ? 4096 : b->caparena;
			unsigned char *na;

			while (cap - b->narena < r->userlen) {
				if (cap > SIZE_MAX / 2)
					goto oom;
				cap *= 2;
			}
			if ((na = realloc(b->arena, cap)) == NULL)
				goto oom;
			b->arena = na;
			b->caparena = cap;
		}
		memcpy(b->arena + b->narena, r->user, r->userlen);
		br->has_user = 1;
		br->user.off = b->narena;
		br->userlen = (uint32_t)r->userlen;
		b->narena += r->userlen;
	}
	b->nrules++;
	return 0;
oom:
	b->failed = 1;
	errno = ENOMEM;
	return -1;
}

/* Whether two rules name the same netblock. */
static int
acl_same_block(const struct acl_brule *a, const struct acl_brule *b)
{
	return a->v6 == b->v6 && a->plen == b->plen &&
	    memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Whether two rules of one netblock name the same user (or both "*"). */
static int
acl_same_user(const struct acl_brule *x, const struct acl_brule *y)
{
	if (x->has_user != y->has_user)
		return 0;
	return !x->has_user || (x->userlen == y->userlen &&
	    memcmp(x->user.p, y->user.p, x->userlen) == 0);
}

/* Note a diagnostic for a rule (by its place in the sorted rules). */
static int
acl_bdiag_add(struct acl_fin *f, size_t seq, size_t rule, size_t other,
    enum acl_diag_kind kind)
{
	struct acl_bdiag *nd;

	if (f->nd == f->capd) {
		size_t ncap = f->capd == 0 ? 64 : f->capd * 2;

		if ((nd = reallocarray(f->d, ncap, sizeof(*nd))) == NULL)
			return -1;
		f->d = nd;
		f->capd = ncap;
	}
	f->d[f->nd].seq = seq;
	f->d[f->nd].rule = rule;
	f->d[f->nd].other = other;
	f->d[f->nd].kind = kind;
	f->nd++;
	return 0;
}

/*
 * Check and build the table. Sorting puts the rules of one netblock and
 * user next to each other, in the order they were added, so one pass finds
 * duplicates and conflicts and counts what the table needs, and a second
 * lays it out. On an allocation failure it returns NULL with errno ENOMEM
 * (diag may not have heard of it); on a rule error, NULL with errno EINVAL
 * after diag heard of it.
 */
struct acl *
acl_build_finish(struct acl_build *b, acl_diag_fn *diag, void *arg)
{
	struct acl_fin f;
	struct acl *t = NULL;
	size_t i, j;

	if (b == NULL) {
		errno = EINVAL;
		return NULL;
	}
	memset(&f, 0, sizeof(f));
	if (b->failed)
		goto oom;
	if (acl_sort(b) == -1 || acl_check(b, &f) == -1 ||
	    (t = calloc(1, sizeof(*t))) == NULL || acl_layout(b, &f, t) == -1)
		goto oom;

	/* Netblocks that more specific ones cover: every rule is dead. */
	if ((f.shadowed = calloc(f.nblocks + 1, 1)) == NULL ||
	    lpm_shadowed(f.p, f.n4, 32, NULL, f.shadowed) == -1 ||
	    lpm_shadowed(f.p + f.n4, f.n6, 128, &acl_mapped,
	    f.shadowed + f.n4) == -1)
		goto oom;
	for (i = 0; i < f.nblocks; i++) {
		if (!f.shadowed[i])
			continue;
		for (j = f.bstart[i]; j < f.bstart[i + 1]; j++)
			if (acl_bdiag_add(&f, b->rules[j].seq, j, j,
			    ACL_DIAG_SHADOWED) == -1)
				goto oom;
	}
	if (f.errors == 0 && (lpm_build(&t->lpm4, 32, f.p, f.n4) == -1 ||
	    lpm_build(&t->lpm6, 128, f.p + f.n4, f.n6) == -1))
		goto oom;
	t->stats.bytes = sizeof(*t) + t->memlen + lpm_bytes(&t->lpm4) +
	    lpm_bytes(&t->lpm6);

	if (acl_diag_report(b, f.d, f.nd, diag, arg) == -1)
		goto oom;
	acl_fin_free(&f);
	acl_build_free(b);
	if (f.errors > 0) {
		acl_free(t);
		errno = EINVAL;
		return NULL;
	}
	return t;
oom:
	acl_fin_free(&f);
	acl_free(t);
	acl_build_free(b);
	errno = ENOMEM;
	return NULL;
}

/*
 * The first pass over the sorted rules, by groups of one netblock and
 * user: conflicts, duplicates and spoofable rules, and the counts the
 * table's layout needs.
 */
static int
acl_check(struct acl_build *b, struct acl_fin *f)
{
	const struct acl_brule *r, *q;
	size_t i, j, first[2], *same, *other;

	if ((f->bstart = compat_big_alloc(b->nrules + 1,
	    sizeof(*f->bstart))) == NULL)
		return -1;
	for (i = 0; i < b->nrules; i = j) {
		r = &b->rules[i];
		if (i == 0 || !acl_same_block(r, r - 1)) {
			f->bstart[f->nblocks++] = i;
			if (r->v6)
				f->n6++;
			else
				f->n4++;
		}
		if (r->has_user) {
			if (i == 0 || !acl_same_block(r, r - 1) ||
			    !(r - 1)->has_user)
				f->nublocks++;
			f->nusers++;
			f->names += r->userlen;
		}
		first[ACL_ALLOW] = first[ACL_DENY] = SIZE_MAX;
		for (j = i; j < b->nrules && acl_same_block(&b->rules[j], r) &&
		    acl_same_user(&b->rules[j], r); j++) {
			q = &b->rules[j];
			same = &first[q->action];
			other = &first[!q->action];
			if (*other != SIZE_MAX) {
				f->errors++;
				if (acl_bdiag_add(f, q->seq, j, *other,
				    ACL_DIAG_CONFLICT) == -1)
					return -1;
			}
			if (*same != SIZE_MAX) {
				if (acl_bdiag_add(f, q->seq, j, *same,
				    ACL_DIAG_DUPLICATE) == -1)
					return -1;
			} else
				*same = j;
			if (q->has_user && q->action == ACL_ALLOW &&
			    acl_bdiag_add(f, q->seq, j, j,
			    ACL_DIAG_SPOOF) == -1)
				return -1;
		}
	}
	f->bstart[f->nblocks] = b->nrules;
	return 0;
}

/*
 * The second pass: lay the table out in one allocation (see table.h),
 * the first rule of each group standing for it, and list the netblocks
 * in pre-order for the lpm and the coverage check. -1: out of memory, or
 * a table too large for its 32-bit offsets.
 */
static int
acl_layout(struct acl_build *b, struct acl_fin *f, struct acl *t)
{
	const struct acl_brule *r;
	struct acl_block *blk = NULL;
	struct acl_users *u = NULL;
	struct acl_urule *ur;
	size_t i, k, len, o4, ousers, onames, ofiles, *foff = NULL;
	char *users, *names;
	void *mem;

	/* IPv4 blocks, IPv6 blocks (32-byte aligned), users, names, files. */
	o4 = (f->n4 * sizeof(struct acl_block) + 31) & ~(size_t)31;
	ousers = o4 + f->n6 * sizeof(struct acl_block6);
	onames = ousers + f->nublocks * sizeof(struct acl_users) +
	    f->nusers * sizeof(struct acl_urule);
	ofiles = onames + f->names;
	t->memlen = ofiles;
	for (i = 0; i < b->nfiles; i++)
		t->memlen += strlen(b->files[i]) + 1;
	if (t->memlen > ACL_MEM_MAX ||
	    (foff = calloc(b->nfiles + 1, sizeof(*foff))) == NULL ||
	    (f->p = compat_big_alloc(f->nblocks + 1, sizeof(*f->p))) == NULL ||
	    posix_memalign(&mem, 64, t->memlen + 1) != 0) {
		free(foff);
		return -1;
	}
	/*
	 * The build's own arrays are in huge pages (compat_big_alloc), the
	 * table is not: on the guest of 2026-12-01, with the records and
	 * the trie's nodes in huge pages, lookups at 1,000,000 rules ran
	 * 15-20% slower, one at a time and in batches (acl_bench, the two
	 * builds alternating, four runs each), for 0.2 s less of build.
	 */
	t->mem = mem;
	memset(t->mem, 0, t->memlen);
	t->b4 = (struct acl_block *)mem;
	t->b6 = (struct acl_block6 *)(void *)(t->mem + o4);
	users = t->mem + ousers;
	names = t->mem + onames;
	for (i = 0; i < b->nfiles; i++) {
		foff[i] = ofiles;
		len = strlen(b->files[i]) + 1;
		memcpy(t->mem + ofiles, b->files[i], len);
		ofiles += len;
	}
	t->stats.rules = b->nrules;
	t->stats.v4_blocks = f->n4;
	t->stats.v6_blocks = f->n6;

	for (k = 0; k < f->nblocks; k++) {
		r = &b->rules[f->bstart[k]];
		memcpy(f->p[k].key, r->bytes, 16);
		f->p[k].plen = r->plen;
		if (r->v6) {
			blk = &t->b6[k - f->n4].b;
			memcpy(t->b6[k - f->n4].addr, r->bytes, 16);
			blk->flags = ACL_B_V6;
		} else {
			blk = &t->b4[k];
			memcpy(blk->v4, r->bytes, 4);
		}
		blk->plen = r->plen;
		u = NULL;
		for (i = f->bstart[k]; i < f->bstart[k + 1]; i++) {
			r = &b->rules[i];
			if (i > f->bstart[k] && acl_same_user(r, r - 1))
				continue;
			if (!r->has_user) {
				blk->flags |= ACL_B_STAR |
				    (r->action == ACL_ALLOW ? ACL_B_ALLOW : 0);
				blk->line = r->line;
				blk->rel = (int32_t)(t->mem + foff[r->file] -
				    (char *)blk);
				continue;
			}
			if (u == NULL) {
				/* The "*" rule, if any, came first. */
				u = (struct acl_users *)(void *)users;
				u->file = (int32_t)((char *)blk + blk->rel -
				    (char *)u);
				blk->rel = (int32_t)((char *)u - (char *)blk);
				blk->flags |= ACL_B_USERS;
			}
			ur = &u->u[u->n++];
			memcpy(names, r->user.p, r->userlen);
			ur->name = (int32_t)(names - (char *)ur);
			ur->file = (int32_t)(t->mem + foff[r->file] -
			    (char *)ur);
			ur->line = r->line;
			ur->len = (uint16_t)r->userlen;
			ur->action = r->action;
			names += r->userlen;
			users = (char *)&u->u[u->n];
		}
	}
	free(foff);
	return 0;
}

/* Release what finishing needed. */
static void
acl_fin_free(struct acl_fin *f)
{
	free(f->d);
	compat_big_free(f->bstart);
	compat_big_free(f->p);
	free(f->shadowed);
}

/* Free a builder that was not finished. */
void
acl_build_free(struct acl_build *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nfiles; i++)
		free(b->files[i]);
	free(b->files);
	free(b->fhash);
	free(b->arena);
	acl_chunks_free(b);
	compat_big_free(b->rules);
	free(b);
}
