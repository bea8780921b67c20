/* SPDX-License-Identifier: ISC */
/*
 * acl_bench -- the rule table at blocklist scale, through the public acl
 * API, on one core.
 *
 *   acl_bench [-n N[,N...]] [-m mixed|v4|both] [-r REPS] [-t SECONDS]
 *             [-c CPU] [-s SEED] [-x]
 *
 * For each list (mix) and each size N: generate N rules and 2^20 peers
 * (before any timing), build the table with acl_build_add and
 * acl_build_finish, measure its memory, then time acl_lookup followed by
 * acl_decide over the peers, for the table (lpm.c) and for the reference
 * trie of trie.c over the same netblocks (acl_reftrie_lookup), each REPS
 * times for about SECONDS, alternating, and report the median. Every
 * peer's answer from the two lookups is compared first: any difference
 * aborts the run. -x times the table alone (for profiling).
 *
 * The lists:
 *   mixed  70% IPv4 /8../32 and 30% IPv6 /20../64, uniform lengths and
 *          random addresses; 1 in 100 rules names a user (deny), so some
 *          netblocks have user rules; rules spread over 16 files.
 *   v4     a country list: IPv4 only, /16../24 weighted like delegated
 *          allocations (most /24../22).
 * Peers: half inside a random rule's netblock (random host bits), half
 * uniformly random, with the list's share of IPv4 and IPv6.
 *
 * Memory: the heap held after the build (mallinfo2: in use plus mmapped,
 * minus before), the resident set grown meanwhile, and the table's own
 * count (acl_stats bytes); for the reference, its trie's bytes (it shares
 * the table's netblock records).
 *
 * Output: one line of key=value pairs per list and size.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"

#define BENCH_PEERS	(1U << 20)
#define BENCH_FILES	16
#define BENCH_SIZES_MAX	16
#define BENCH_BATCH_MAX	1024	/* -b: a power of 2, so it divides the peers */

struct bench_list {
	struct acl_rule	*r;
	size_t		 n;
	int		 v4only;
};

static uint64_t	bench_rng;
static int	bench_noref;
static size_t	bench_batch = 32;	/* -b: peers per acl_lookup_many */
static double	bench_wall, bench_busy;	/* timed seconds, ours of them */

/* xorshift64*: repeatable from the seed. */
static uint64_t
bench_rand(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return bench_rng * 0x2545f4914f6cdd1dULL;
}

/* Seconds on the monotonic clock. */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of CPU this thread has used. */
static double
bench_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap bytes in use, mmapped chunks included. */
static double
bench_heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (double)(mi.uordblks + mi.hblkhd);
}

/* Resident bytes of this process. */
static double
bench_rss(void)
{
	unsigned long size, res;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (double)res * (double)sysconf(_SC_PAGESIZE);
}

/* Random bytes into an address, host bits past plen cleared. */
static void
bench_addr(struct acl_addr *a, int v6, unsigned plen)
{
	uint64_t w[2] = { bench_rand(), bench_rand() };
	unsigned i, n = v6 ? 16 : 4;

	memset(a, 0, sizeof(*a));
	a->family = v6 ? AF_INET6 : AF_INET;
	memcpy(a->bytes, w, n);
	for (i = 0; i < n; i++) {
		if (plen >= (i + 1) * 8)
			continue;
		a->bytes[i] &= plen <= i * 8 ? 0 :
		    (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
	/* Keep clear of ::ffff:0:0/96, which is IPv4. */
	if (v6 && a->bytes[0] == 0)
		a->bytes[0] = 0x20;
}

/* A country list's prefix length: mostly /24../22. */
static unsigned
bench_country_plen(void)
{
	static const unsigned pl[] = { 24, 24, 24, 24, 24, 24, 24, 24, 23, 23,
	    23, 22, 22, 22, 21, 21, 20, 20, 19, 18, 17, 16 };

	return pl[bench_rand() % (sizeof(pl) / sizeof(pl[0]))];
}

/* Generate the rules of a list. */
static void
bench_rules(struct bench_list *l, size_t n, int v4only, char files[][64])
{
	static char users[16][8];
	struct acl_rule *r;
	uint64_t h;
	size_t i;
	unsigned k;
	int v6;

	for (k = 0; k < 16; k++)
		snprintf(users[k], sizeof(users[k]), "u%u", k);
	l->n = n;
	l->v4only = v4only;
	if ((l->r = calloc(n, sizeof(*l->r))) == NULL) {
		perror("calloc");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		r = &l->r[i];
		v6 = !v4only && bench_rand() % 10 >= 7;
		r->net.plen = v4only ? bench_country_plen() :
		    v6 ? 20 + (unsigned)(bench_rand() % 45) :
		    8 + (unsigned)(bench_rand() % 25);
		bench_addr(&r->net.addr, v6, r->net.plen);
		/* The action follows the netblock: no two rules conflict. */
		h = r->net.plen;
		for (k = 0; k < 16; k++)
			h = h * 31 + r->net.addr.bytes[k];
		r->action = (h >> 9) & 1 ? ACL_ALLOW : ACL_DENY;
		r->file = files[i % BENCH_FILES];
		r->line = (unsigned)(i / BENCH_FILES) + 1;
		if (!v4only && bench_rand() % 100 == 0) {
			r->has_user = 1;
			r->action = ACL_DENY;
			r->user = (const unsigned char *)users[i % 16];
			r->userlen = strlen(users[i % 16]);
		}
	}
}

/* Peers: half inside a rule's netblock, half anywhere. */
static struct acl_addr *
bench_peers(const struct bench_list *l)
{
	struct acl_addr *p, host;
	const struct acl_rule *r;
	size_t i;
	unsigned k;

	if ((p = calloc(BENCH_PEERS, sizeof(*p))) == NULL) {
		perror("calloc");
		exit(1);
	}
	for (i = 0; i < BENCH_PEERS; i++) {
		if (bench_rand() & 1) {
			r = &l->r[bench_rand() % l->n];
			bench_addr(&host, r->net.addr.family == AF_INET6, 128);
			p[i] = r->net.addr;
			for (k = r->net.plen; k < 128; k++)
				p[i].bytes[k / 8] |= host.bytes[k / 8] &
				    (0x80 >> (k % 8));
			if (p[i].family == AF_INET)
				memset(p[i].bytes + 4, 0, 12);
		} else
			bench_addr(&p[i], !l->v4only &&
			    bench_rand() % 10 >= 7, 128);
	}
	return p;
}

/*
 * Lookups and decisions a second of this thread's CPU time over the
 * peers, for about secs: the machine is shared, and time another process
 * ran on this core is not ours (its cache traffic still is). batch 0:
 * acl_lookup (or the reference) for one peer, then acl_decide; else
 * acl_lookup_many for batch peers, then acl_decide for each.
 */
static double
bench_run(const struct acl *t, const struct acl_reftrie *ref,
    const struct acl_addr *p, const unsigned char *user, size_t batch,
    double secs, unsigned long *sink)
{
	const struct acl_block *blk[BENCH_BATCH_MAX];
	struct acl_decision d;
	size_t i, j, rounds = 0, len = user != NULL ?
	    strlen((const char *)user) : 0;
	double t0 = bench_now(), t1, c0 = bench_cpu();
	unsigned long sum = 0;

	do {
		for (i = 0; batch == 0 && i < BENCH_PEERS; i++) {
			blk[0] = ref != NULL ? acl_reftrie_lookup(ref, &p[i]) :
			    acl_lookup(t, &p[i]);
			acl_decide(blk[0], user, len, &d);
			sum += d.action + d.line;
		}
		for (i = 0; batch > 0 && i < BENCH_PEERS; i += batch) {
			acl_lookup_many(t, &p[i], batch, blk);
			for (j = 0; j < batch; j++) {
				acl_decide(blk[j], user, len, &d);
				sum += d.action + d.line;
			}
		}
		rounds++;
		t1 = bench_now();
	} while (t1 - t0 < secs);
	*sink += sum;
	bench_wall += t1 - t0;
	bench_busy += bench_cpu() - c0;
	return (double)rounds * BENCH_PEERS / (bench_cpu() - c0);
}

/* Order for the median. */
static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n runs. */
static double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Build, measure and time one list at one size. */
static void
bench_one(const char *mix, const struct bench_list *l, int reps,
    double secs)
{
	struct acl_build *b;
	struct acl_reftrie *ref;
	struct acl_stats st;
	struct acl_addr *p;
	struct acl *t;
	double h0, r0, t0, t1, t2, h1, r1, heap, rss, refheap, c0, c2;
	double newr[64], oldr[64], newu[64], oldu[64], batr[64], batu[64];
	const unsigned char *u3 = (const unsigned char *)"u3";
	const struct acl_block *blk[BENCH_BATCH_MAX];
	unsigned long sink = 0;
	size_t i, bad = 0;
	int k;

	p = bench_peers(l);
	malloc_trim(0);
	h0 = bench_heap();
	r0 = bench_rss();
	t0 = bench_now();
	c0 = bench_cpu();
	if ((b = acl_build_new()) == NULL) {
		perror("acl_build_new");
		exit(1);
	}
	for (i = 0; i < l->n; i++)
		if (acl_build_add(b, &l->r[i]) == -1) {
			perror("acl_build_add");
			exit(1);
		}
	t1 = bench_now();
	if ((t = acl_build_finish(b, NULL, NULL)) == NULL) {
		perror("acl_build_finish");
		exit(1);
	}
	t2 = bench_now();
	c2 = bench_cpu();
	h1 = bench_heap();
	r1 = bench_rss();
	heap = h1 - h0;
	rss = r1 - r0;
	acl_stats(t, &st);
	if ((ref = acl_reftrie_new(t)) == NULL) {
		perror("acl_reftrie_new");
		exit(1);
	}
	refheap = bench_heap() - h1;
	for (i = 0; i < BENCH_PEERS; i++)
		if (acl_lookup(t, &p[i]) != acl_reftrie_lookup(ref, &p[i]))
			bad++;
	/* The batch answers as the single lookup, peer for peer. */
	for (i = 0; i < BENCH_PEERS; i += bench_batch) {
		acl_lookup_many(t, &p[i], bench_batch, blk);
		for (k = 0; k < (int)bench_batch; k++)
			if (blk[k] != acl_lookup(t, &p[i + (size_t)k]))
				bad++;
	}
	if (bad > 0) {
		fprintf(stderr, "acl_bench: %zu peers answered differently\n",
		    bad);
		exit(1);
	}
	if (reps > 64)
		reps = 64;
	bench_wall = bench_busy = 0;
	for (k = 0; k < reps; k++) {
		newr[k] = bench_run(t, NULL, p, NULL, 0, secs, &sink);
		newu[k] = bench_run(t, NULL, p, u3, 0, secs, &sink);
		batr[k] = bench_run(t, NULL, p, NULL, bench_batch, secs, &sink);
		batu[k] = bench_run(t, NULL, p, u3, bench_batch, secs, &sink);
		if (bench_noref) {
			oldr[k] = oldu[k] = 1;
			continue;
		}
		oldr[k] = bench_run(t, ref, p, NULL, 0, secs, &sink);
		oldu[k] = bench_run(t, ref, p, u3, 0, secs, &sink);
	}
	printf("list=%s rules=%zu v4_blocks=%zu v6_blocks=%zu "
	    "build_s=%.3f build_cpu_s=%.3f add_s=%.3f finish_s=%.3f "
	    "table_bytes=%zu heap_bytes=%.0f rss_bytes=%.0f "
	    "ref_trie_bytes=%zu ref_heap_bytes=%.0f "
	    "lookups_per_s=%.0f ref_lookups_per_s=%.0f ratio=%.2f "
	    "user_lookups_per_s=%.0f ref_user_lookups_per_s=%.0f "
	    "user_ratio=%.2f batch=%zu batch_lookups_per_s=%.0f "
	    "batch_user_lookups_per_s=%.0f batch_ratio=%.2f "
	    "cpu_share=%.2f reps=%d sink=%lu\n",
	    mix, st.rules, st.v4_blocks, st.v6_blocks, t2 - t0, c2 - c0, t1 - t0,
	    t2 - t1, st.bytes, heap, rss, acl_reftrie_bytes(ref), refheap,
	    bench_median(newr, reps), bench_median(oldr, reps),
	    bench_median(newr, reps) / bench_median(oldr, reps),
	    bench_median(newu, reps), bench_median(oldu, reps),
	    bench_median(newu, reps) / bench_median(oldu, reps),
	    bench_batch, bench_median(batr, reps), bench_median(batu, reps),
	    bench_median(batr, reps) / bench_median(newr, reps),
	    bench_busy / bench_wall, reps, sink % 10);
	fflush(stdout);
	acl_reftrie_free(ref);
	acl_free(t);
	free(p);
}

/* Parse "10000,100000" into sizes. */
static int
bench_sizes(const char *s, size_t *v, int max)
{
	char *end;
	int n = 0;

	while (*s != '\0' && n < max) {
		errno = 0;
		v[n] = strtoull(s, &end, 10);
		if (errno != 0 || end == s || v[n] == 0 || v[n] > 100000000 ||
		    (*end != ',' && *end != '\0'))
			return -1;
		n++;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void
bench_usage(void)
{
	fprintf(stderr, "usage: acl_bench [-b BATCH] [-n N[,N...]] "
	    "[-m mixed|v4|both] [-r REPS] [-t SECONDS] [-c CPU] [-s SEED] "
	    "[-x]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static char files[BENCH_FILES][64];
	struct bench_list l;
	size_t sizes[BENCH_SIZES_MAX] = { 10000, 100000, 1000000 };
	const char *mix = "both";
	double secs = 0.5;
	cpu_set_t cpus;
	int ch, nsizes = 3, reps = 5, cpu = -1, i, m;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	while ((ch = getopt(argc, argv, "b:c:m:n:r:s:t:x")) != -1) {
		switch (ch) {
		case 'b':
			bench_batch = strtoull(optarg, NULL, 10);
			if (bench_batch == 0 || bench_batch > BENCH_BATCH_MAX ||
			    (bench_batch & (bench_batch - 1)) != 0)
				bench_usage();
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'm':
			mix = optarg;
			break;
		case 'n':
			if ((nsizes = bench_sizes(optarg, sizes,
			    BENCH_SIZES_MAX)) <= 0)
				bench_usage();
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'x':
			bench_noref = 1;
			break;
		default:
			bench_usage();
		}
	}
	if (reps < 1 || secs <= 0 || (strcmp(mix, "mixed") != 0 &&
	    strcmp(mix, "v4") != 0 && strcmp(mix, "both") != 0))
		bench_usage();
	/* One core: the given one, or the last. */
	if (cpu < 0)
		cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) == -1) {
		perror("sched_setaffinity");
		return 1;
	}
	for (i = 0; i < BENCH_FILES; i++)
		snprintf(files[i], sizeof(files[i]),
		    "/etc/daytimed/rules.d/list%02d.rules", i);
	printf("# acl_bench cpu=%d reps=%d seconds=%.2f peers=%u batch=%zu\n",
	    cpu, reps, secs, BENCH_PEERS, bench_batch);
	for (m = 0; m < 2; m++) {
		if (strcmp(mix, "both") != 0 &&
		    strcmp(mix, m == 0 ? "mixed" : "v4") != 0)
			continue;
		for (i = 0; i < nsizes; i++) {
			bench_rng = seed + (uint64_t)i;
			bench_rules(&l, sizes[i], m == 1, files);
			bench_one(m == 0 ? "mixed" : "v4", &l, reps, secs);
			free(l.r);
		}
	}
	return 0;
}
