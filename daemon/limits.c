/* SPDX-License-Identifier: ISC */
/*
 * limits: admission for every event loop together. What a source is (an
 * address cut to its source prefix), connections in flight, per-source
 * counts (a keyed hash of chains, an entry per source with a connection
 * open), per-source token buckets of new TCP connections and of UDP
 * answers (fixed tables of slots) and the bucket of all UDP sources; one
 * lock. Time comes in as now_us.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "acl/acl.h"
#include "daemon/limits.h"

_Static_assert(LIMITS_KEY_BYTES == crypto_shorthash_KEYBYTES,
    "the source hash key is a shorthash key");
_Static_assert(LIMITS_RATE_SLOTS == LIMITS_UDP_SLOTS,
    "limits_udp_slot names a source's slot in both tables");

/* One source with connections open. */
struct limits_src {
	struct limits_src	*next;
	struct acl_addr		 addr;
	unsigned		 n;
};

struct limits_slot {
	struct acl_addr		 addr;
	struct limits_bucket	 b;
};

struct limits {
	pthread_mutex_t		 mtx;
	unsigned		 nconns;
	struct limits_src	*src[LIMITS_SRC_BUCKETS];
	struct limits_slot	*udp_slots;	/* LIMITS_UDP_SLOTS */
	struct limits_slot	*rate_slots;	/* LIMITS_RATE_SLOTS */
	struct limits_bucket	 udp_total;
	unsigned char		 key[LIMITS_KEY_BYTES];
	void			*(*alloc)(size_t, size_t);
};

static const char *const limits_names[] = {
	[LIMITS_OK] = NULL,
	[LIMITS_CONNECTIONS] = "connections",
	[LIMITS_PER_SOURCE] = "per-source",
	[LIMITS_MEMORY] = "memory",
	[LIMITS_UDP_RATE] = "udp-rate",
	[LIMITS_UDP_TOTAL] = "udp-total",
	[LIMITS_RATE] = "rate",
};

const char *
limits_name(enum limits_status s)
{
	if ((size_t)s >= sizeof(limits_names) / sizeof(limits_names[0]))
		return NULL;
	return limits_names[s];
}

void
limits_source(const struct acl_addr *a, const unsigned prefix[2],
    struct acl_prefix *src)
{
	unsigned bits = a->family == AF_INET ? 32 : 128, plen, i;

	plen = prefix[a->family == AF_INET ? 0 : 1];
	if (plen > bits)
		plen = bits;
	memset(src, 0, sizeof(*src));
	src->addr.family = a->family;
	src->plen = plen;
	for (i = 0; i < bits / 8; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ?
		    plen - 8 * i : 0;

		src->addr.bytes[i] = (uint8_t)(a->bytes[i] &
		    (uint8_t)(0xff00u >> keep));
	}
}

/*
 * Tokens are counted in millionths, so a microsecond at rate N credits
 * exactly N of them: the refill loses no fraction however often it is
 * asked. A bucket over a cap lowered by a reload is clamped, a second or
 * more of idle time fills it without overflowing, and a clock that went
 * back credits nothing (the refill starts again from there).
 */
int
limits_bucket_take(struct limits_bucket *b, unsigned rate, uint64_t now_us)
{
	uint64_t cap, tokens, elapsed;

	if (rate > LIMITS_RATE_MAX)
		rate = LIMITS_RATE_MAX;
	cap = (uint64_t)rate * LIMITS_TOKEN;
	if (!b->used) {
		b->used = 1;
		b->tokens = cap;
		b->last_us = now_us;
	} else if (now_us < b->last_us)
		b->last_us = now_us;
	tokens = b->tokens > cap ? cap : b->tokens;
	elapsed = now_us - b->last_us;
	b->last_us = now_us;
	if (elapsed >= 1000000u)		/* a second or more: full */
		tokens = cap;
	else if ((tokens += elapsed * rate) > cap)	/* < 2^40 each */
		tokens = cap;
	if (tokens < LIMITS_TOKEN) {
		b->tokens = tokens;
		return 0;
	}
	b->tokens = tokens - LIMITS_TOKEN;
	return 1;
}

struct limits *
limits_new(const unsigned char key[LIMITS_KEY_BYTES])
{
	struct limits *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->udp_slots = calloc(LIMITS_UDP_SLOTS,
	    sizeof(*l->udp_slots))) == NULL ||
	    (l->rate_slots = calloc(LIMITS_RATE_SLOTS,
	    sizeof(*l->rate_slots))) == NULL) {
		free(l->udp_slots);
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mtx, NULL);
	memcpy(l->key, key, LIMITS_KEY_BYTES);
	l->alloc = calloc;
	return l;
}

void
limits_free(struct limits *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < LIMITS_SRC_BUCKETS; i++)
		while (l->src[i] != NULL) {
			struct limits_src *s = l->src[i];

			l->src[i] = s->next;
			free(s);
		}
	free(l->udp_slots);
	free(l->rate_slots);
	pthread_mutex_destroy(&l->mtx);
	sodium_memzero(l->key, sizeof(l->key));
	free(l);
}

void
limits_set_alloc(struct limits *l, void *(*alloc)(size_t, size_t))
{
	l->alloc = alloc != NULL ? alloc : calloc;
}

/* A source's place in a table of n (keyed: a peer cannot aim at one). */
static size_t
limits_hash(const struct limits *l, const struct acl_addr *a, size_t n)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, a->bytes, a->family == AF_INET ? 4 : 16, l->key);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v % n);
}

static int
limits_addr_eq(const struct acl_addr *a, const struct acl_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

/* Count a connection for its source in chain h, under the lock. */
static enum limits_status
limits_src_take(struct limits *l, size_t h, const struct acl_addr *a,
    unsigned limit)
{
	struct limits_src **slot = &l->src[h], *s;

	for (s = *slot; s != NULL; s = s->next)
		if (limits_addr_eq(&s->addr, a))
			break;
	if (s == NULL) {
		if ((s = l->alloc(1, sizeof(*s))) == NULL)
			return LIMITS_MEMORY;
		s->addr = *a;
		s->next = *slot;
		*slot = s;
	}
	if (s->n >= limit)
		return LIMITS_PER_SOURCE;	/* s->n > 0 here: the entry stays */
	s->n++;
	return LIMITS_OK;
}

/* Uncount a connection of its source in chain h, under the lock. */
static void
limits_src_put(struct limits *l, size_t h, const struct acl_addr *a)
{
	struct limits_src **pp = &l->src[h], *s;

	for (; (s = *pp) != NULL; pp = &s->next)
		if (limits_addr_eq(&s->addr, a)) {
			if (--s->n == 0) {
				*pp = s->next;
				free(s);
			}
			return;
		}
}

enum limits_status
limits_admit(struct limits *l, const struct acl_addr *a,
    unsigned connections, unsigned per_source, int *counted)
{
	enum limits_status st = LIMITS_OK;
	size_t h = 0;

	*counted = 0;
	if (per_source != 0)	/* hashed before the lock: a shorter hold */
		h = limits_hash(l, a, LIMITS_SRC_BUCKETS);
	pthread_mutex_lock(&l->mtx);
	if (connections != 0 && l->nconns >= connections)
		st = LIMITS_CONNECTIONS;
	else if (per_source != 0 &&
	    (st = limits_src_take(l, h, a, per_source)) == LIMITS_OK)
		*counted = 1;
	if (st == LIMITS_OK)
		l->nconns++;
	pthread_mutex_unlock(&l->mtx);
	return st;
}

enum limits_status
limits_admit_source(struct limits *l, const struct acl_addr *a,
    unsigned per_source, int *counted)
{
	enum limits_status st;
	size_t h;

	*counted = 0;
	if (per_source == 0)
		return LIMITS_OK;
	h = limits_hash(l, a, LIMITS_SRC_BUCKETS);
	pthread_mutex_lock(&l->mtx);
	if ((st = limits_src_take(l, h, a, per_source)) == LIMITS_OK)
		*counted = 1;
	pthread_mutex_unlock(&l->mtx);
	return st;
}

void
limits_release(struct limits *l, const struct acl_addr *a, int counted)
{
	size_t h = counted ? limits_hash(l, a, LIMITS_SRC_BUCKETS) : 0;

	pthread_mutex_lock(&l->mtx);
	l->nconns--;
	if (counted)
		limits_src_put(l, h, a);
	pthread_mutex_unlock(&l->mtx);
}

unsigned
limits_connections(struct limits *l)
{
	unsigned n;

	pthread_mutex_lock(&l->mtx);
	n = l->nconns;
	pthread_mutex_unlock(&l->mtx);
	return n;
}

size_t
limits_udp_slot(const struct limits *l, const struct acl_addr *a)
{
	return limits_hash(l, a, LIMITS_UDP_SLOTS);
}

/*
 * Take a token from a's bucket in slot s, under the lock. A source that
 * finds another in its slot takes it over with a full bucket: a flood
 * from many spoofed sources evicts slots but never grows memory.
 */
static int
limits_slot_take(struct limits_slot *s, const struct acl_addr *a,
    unsigned rate, uint64_t now_us)
{
	if (!s->b.used || !limits_addr_eq(&s->addr, a)) {
		s->b.used = 0;	/* a new source: a full bucket */
		s->addr = *a;
	}
	return limits_bucket_take(&s->b, rate, now_us);
}

enum limits_status
limits_rate_admit(struct limits *l, const struct acl_addr *a, unsigned rate,
    uint64_t now_us)
{
	struct limits_slot *s;
	int ok;

	if (rate == 0)
		return LIMITS_OK;
	s = &l->rate_slots[limits_hash(l, a, LIMITS_RATE_SLOTS)];
	pthread_mutex_lock(&l->mtx);
	ok = limits_slot_take(s, a, rate, now_us);
	pthread_mutex_unlock(&l->mtx);
	return ok ? LIMITS_OK : LIMITS_RATE;
}

enum limits_status
limits_udp_admit(struct limits *l, const struct acl_addr *a,
    unsigned udp_rate, unsigned udp_total, uint64_t now_us)
{
	enum limits_status st = LIMITS_OK;
	struct limits_slot *s = NULL;

	if (udp_rate == 0 && udp_total == 0)
		return LIMITS_OK;
	if (udp_rate != 0)
		s = &l->udp_slots[limits_hash(l, a, LIMITS_UDP_SLOTS)];
	pthread_mutex_lock(&l->mtx);
	if (s != NULL && !limits_slot_take(s, a, udp_rate, now_us))
		st = LIMITS_UDP_RATE;
	if (st == LIMITS_OK && udp_total != 0 &&
	    !limits_bucket_take(&l->udp_total, udp_total, now_us)) {
		st = LIMITS_UDP_TOTAL;
		/* No answer goes: the source's token is given back. */
		if (s != NULL)
			s->b.tokens += LIMITS_TOKEN;
	}
	pthread_mutex_unlock(&l->mtx);
	return st;
}
