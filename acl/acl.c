/* SPDX-License-Identifier: ISC */
/*
 * acl: a built rule table: the lookup, the decision inside the netblock
 * found, and the reference lookup that tests and bench/acl_bench.c hold
 * it to. build.c builds tables; table.h is their layout.
 *
 * A table is immutable once built: any number of threads may look up
 * and decide in it at once, with no locks and no writes to shared memory.
 * Its owner (the configuration generation holding it) frees it with
 * acl_free once no connection can still be reading it.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/lpm.h"
#include "acl/netblock.h"
#include "acl/table.h"
#include "acl/trie.h"

#define ACL_MANY	32	/* peers acl_lookup_many takes at a time */
#define ACL_MANY_CACHED	(6U << 20) /* smaller tables: one at a time */

/* The reference: the patricia trie of trie.c over the same netblocks. */
struct acl_reftrie {
	struct trie	t4, t6;
};

static void	acl_decide_users(const struct acl_block *,
		    const unsigned char *, size_t, struct acl_decision *)
		    __attribute__((noinline));
static void	acl_user_find(const struct acl_users *, const unsigned char *,
		    size_t, struct acl_decision *);

/* Release a table and everything it owns. */
void
acl_free(struct acl *t)
{
	if (t == NULL)
		return;
	lpm_free(&t->lpm4);
	lpm_free(&t->lpm6);
	free(t->mem);
	free(t);
}

/* Counts of rules and netblocks, and the table's size. */
void
acl_stats(const struct acl *t, struct acl_stats *st)
{
	if (t == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = t->stats;
}

/* Block i of an array of records of size sz, or NULL for LPM_NONE. */
static inline const struct acl_block *
acl_block_at(const void *base, uint32_t i, size_t sz)
{
	return i == LPM_NONE ? NULL :
	    (const struct acl_block *)(const void *)((const char *)base +
	    (size_t)i * sz);
}

/*
 * The lpm that answers for the address, and the key to look up there
 * (NULL: the address's family holds nothing).
 */
static inline const struct lpm *
acl_lpm(const struct acl *t, const struct acl_addr *a, const uint8_t **key)
{
	*key = a->bytes;
	if (a->family == AF_INET)
		return &t->lpm4;
	if (a->family != AF_INET6)
		return NULL;
	/* Contract, step 1: an IPv4-mapped peer is judged as IPv4. */
	if (acl_is_mapped(a->bytes)) {
		*key = a->bytes + 12;
		return &t->lpm4;
	}
	return &t->lpm6;
}

/* The block of the value v an lpm of the table answered. */
static inline const struct acl_block *
acl_block_of(const struct acl *t, const struct lpm *l, uint32_t v)
{
	return l == &t->lpm4 ? acl_block_at(t->b4, v, sizeof(*t->b4)) :
	    acl_block_at(t->b6, v, sizeof(*t->b6));
}

/* The most specific netblock with a rule holding the address, or NULL. */
const struct acl_block *
acl_lookup(const struct acl *t, const struct acl_addr *a)
{
	const struct lpm *l;
	const uint8_t *key;

	if (t == NULL || a == NULL || (l = acl_lpm(t, a, &key)) == NULL)
		return NULL;
	return acl_block_of(t, l, lpm_lookup(l, key));
}

/*
 * acl_lookup for n peers: lpm_lookup_many walks a group of them at once,
 * IPv4 and IPv6 together, and each block found is prefetched for the
 * acl_decide that follows. A table small enough to stay in the cache
 * has no misses to overlap, and there the pipeline's bookkeeping costs
 * more than it saves: a table under ACL_MANY_CACHED is looked up one
 * peer at a time. The line is measured (bench/acl_bench.c, batches of
 * 32, the pipeline forced at every size, 2026-11-30 on the 2-vCPU EPYC
 * VM): the pipelined batch runs at 29-31M/s from 0.6 MB to 13 MB, the
 * batch one peer at a time at 0.83 times the single rate, which was
 * 42-49M/s at 100,000 rules (5.3 MB: one at a time wins; pipelined,
 * the batch ran at 0.65 times single) and 25-34M/s at 150,000 (7.6 MB:
 * pipelined wins, 0.92-1.18 times single). When other tenants crowd the cache the single rate at
 * 5.3 MB fell to 17-27M/s, so the line moves with the machine's load.
 */
void
acl_lookup_many(const struct acl *t, const struct acl_addr *peers, size_t n,
    const struct acl_block **out)
{
	static const struct lpm none;	/* for a peer of no family */
	const struct lpm *l[ACL_MANY];
	const uint8_t *key[ACL_MANY];
	uint32_t v[ACL_MANY];
	size_t base, m, i;

	if (t == NULL || t->stats.bytes < ACL_MANY_CACHED) {
		for (i = 0; i < n; i++)
			out[i] = acl_lookup(t, &peers[i]);
		return;
	}
	for (base = 0; base < n; base += m) {
		m = n - base < ACL_MANY ? n - base : ACL_MANY;
		for (i = 0; i < m; i++)
			if ((l[i] = acl_lpm(t, &peers[base + i], &key[i])) ==
			    NULL)
				l[i] = &none;
		lpm_lookup_many(l, key, m, v);
		for (i = 0; i < m; i++) {
			out[base + i] = acl_block_of(t, l[i], v[i]);
			if (out[base + i] != NULL)
				__builtin_prefetch(out[base + i]);
		}
	}
}

/* Whether the netblock has a rule naming a user. */
int
acl_block_has_user_rules(const struct acl_block *blk)
{
	return blk != NULL && (blk->flags & ACL_B_USERS) != 0;
}

/*
 * Contract, step 3: inside the netblock only, the user rule equal byte for
 * byte to the ident answer, else the "*" rule, else the default deny. The
 * record (one cache line) has all but the user rules, which are out of
 * line: in bench/acl_bench.c, branches here outran branch-free selects,
 * which make the loads after the record's wait for it.
 */
void
acl_decide(const struct acl_block *b, const unsigned char *user,
    size_t userlen, struct acl_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->action = ACL_DENY;
	if (b == NULL)
		return;
	out->matched = 1;
	out->net.plen = b->plen;
	if (b->flags & ACL_B_V6) {
		out->net.addr.family = AF_INET6;
		memcpy(out->net.addr.bytes,
		    ((const struct acl_block6 *)b)->addr, 16);
	} else {
		out->net.addr.family = AF_INET;
		memcpy(out->net.addr.bytes, b->v4, 4);
	}
	if (b->flags & ACL_B_STAR) {
		out->action = b->flags & ACL_B_ALLOW ? ACL_ALLOW : ACL_DENY;
		out->file = (const char *)b + b->rel;
		out->line = b->line;
	}
	if (b->flags & ACL_B_USERS)
		acl_decide_users(b, user, userlen, out);
}

/* The rest of acl_decide for a netblock with user rules (not inlined). */
static void
acl_decide_users(const struct acl_block *b, const unsigned char *user,
    size_t userlen, struct acl_decision *out)
{
	const struct acl_users *u;

	u = (const struct acl_users *)(const void *)((const char *)b + b->rel);
	out->file = (b->flags & ACL_B_STAR) ? (const char *)u + u->file : NULL;
	if (user != NULL && userlen <= ACL_USER_MAX)
		acl_user_find(u, user, userlen, out);
}

/* The user rule naming exactly (user, len), if any: it decides. */
static void
acl_user_find(const struct acl_users *u, const unsigned char *user,
    size_t len, struct acl_decision *out)
{
	const struct acl_urule *r;
	size_t lo = 0, hi = u->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &u->u[mid];
		c = memcmp(user, (const char *)r + r->name,
		    len < r->len ? len : r->len);
		if (c == 0)
			c = len < r->len ? -1 : len > r->len;
		if (c == 0) {
			out->action = r->action;
			out->file = (const char *)r + r->file;
			out->line = r->line;
			return;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
}

/* Netblock order for acl_each: longest prefix first, then address. */
static int
acl_each_cmp(const void *va, const void *vb)
{
	const struct acl_block *a = *(const struct acl_block *const *)va;
	const struct acl_block *b = *(const struct acl_block *const *)vb;

	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if (a->flags & ACL_B_V6)
		return memcmp(((const struct acl_block6 *)a)->addr,
		    ((const struct acl_block6 *)b)->addr, 16);
	return memcmp(a->v4, b->v4, 4);
}

/* The rules of one netblock as acl_each hands them over. */
static size_t
acl_each_rules(const struct acl_block *b, struct acl_rule *rules,
    const struct acl_prefix *net)
{
	const struct acl_users *u = NULL;
	const struct acl_urule *r;
	size_t n = 0, j;

	if (b->flags & ACL_B_USERS)
		u = (const struct acl_users *)(const void *)
		    ((const char *)b + b->rel);
	if (b->flags & ACL_B_STAR) {
		memset(&rules[n], 0, sizeof(rules[n]));
		rules[n].action = b->flags & ACL_B_ALLOW ? ACL_ALLOW :
		    ACL_DENY;
		rules[n].net = *net;
		rules[n].file = u != NULL ? (const char *)u + u->file :
		    (const char *)b + b->rel;
		rules[n++].line = b->line;
	}
	for (j = 0; u != NULL && j < u->n; j++, n++) {
		r = &u->u[j];
		rules[n].action = r->action;
		rules[n].net = *net;
		rules[n].has_user = 1;
		rules[n].user = (const unsigned char *)r + r->name;
		rules[n].userlen = r->len;
		rules[n].file = (const char *)r + r->file;
		rules[n].line = r->line;
	}
	return n;
}

/* Every netblock with its rules, most specific first (daytimed -T). */
int
acl_each(const struct acl *t, acl_each_fn *fn, void *arg)
{
	const struct acl_block **order;
	const struct acl_users *u;
	struct acl_rule *rules;
	struct acl_decision d;
	size_t i, n4, n, most = 0;

	if (t == NULL || (n = t->stats.v4_blocks + t->stats.v6_blocks) == 0)
		return 0;
	if ((order = calloc(n, sizeof(*order))) == NULL)
		return -1;
	n4 = t->stats.v4_blocks;
	for (i = 0; i < n; i++) {
		order[i] = i < n4 ? &t->b4[i] : &t->b6[i - n4].b;
		if ((order[i]->flags & ACL_B_USERS) == 0)
			continue;
		u = (const struct acl_users *)(const void *)
		    ((const char *)order[i] + order[i]->rel);
		if (u->n > most)
			most = u->n;
	}
	if ((rules = calloc(most + 1, sizeof(*rules))) == NULL) {
		free(order);
		return -1;
	}
	/* IPv4 before IPv6: each family is sorted on its own. */
	qsort(order, n4, sizeof(*order), acl_each_cmp);
	qsort(order + n4, n - n4, sizeof(*order), acl_each_cmp);
	for (i = 0; i < n; i++) {
		acl_decide(order[i], NULL, 0, &d);
		fn(arg, &d.net, rules, acl_each_rules(order[i], rules, &d.net));
	}
	free(rules);
	free(order);
	return 0;
}

/*
 * The reference lookup for tests and bench/acl_bench.c: trie.c's
 * patricia trie over the table's netblocks, answering with the same
 * blocks as acl_lookup, so the two can be compared pointer for pointer.
 */
struct acl_reftrie *
acl_reftrie_new(const struct acl *t)
{
	struct acl_reftrie *r;
	uint8_t key[16];
	size_t i;

	if (t == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	trie_init(&r->t4, 32);
	trie_init(&r->t6, 128);
	for (i = 0; i < t->stats.v4_blocks; i++) {
		memset(key, 0, sizeof(key));
		memcpy(key, t->b4[i].v4, 4);
		if (trie_insert(&r->t4, key, t->b4[i].plen, &t->b4[i]) != 0)
			goto fail;
	}
	for (i = 0; i < t->stats.v6_blocks; i++)
		if (trie_insert(&r->t6, t->b6[i].addr, t->b6[i].b.plen,
		    &t->b6[i].b) != 0)
			goto fail;
	trie_trim(&r->t4);
	trie_trim(&r->t6);
	return r;
fail:
	acl_reftrie_free(r);
	return NULL;
}

/* What acl_lookup answers, found by the reference trie. */
const struct acl_block *
acl_reftrie_lookup(const struct acl_reftrie *r, const struct acl_addr *a)
{
	uint8_t v4[16] = { 0 };

	if (a->family == AF_INET)
		return trie_lookup(&r->t4, a->bytes);
	if (a->family != AF_INET6)
		return NULL;
	if (acl_is_mapped(a->bytes)) {
		memcpy(v4, a->bytes + 12, 4);
		return trie_lookup(&r->t4, v4);
	}
	return trie_lookup(&r->t6, a->bytes);
}

/* Bytes the reference trie holds. */
size_t
acl_reftrie_bytes(const struct acl_reftrie *r)
{
	return sizeof(*r) + (r->t4.cap + r->t6.cap) * sizeof(struct trie_node);
}

/* Release the reference trie. */
void
acl_reftrie_free(struct acl_reftrie *r)
{
	if (r == NULL)
		return;
	trie_free(&r->t4);
	trie_free(&r->t6);
	free(r);
}
