/* SPDX-License-Identifier: ISC */
/*
 * limits: admission. Owns the count of TCP connections in flight, the
 * per-source connection counts, the per-source UDP token buckets (a fixed
 * table of slots) and the bucket for all UDP sources together, under a
 * lock of its own that every event loop shares. The settings come in with
 * each call (from the configuration the caller took) and so does the time
 * (now_us, monotonic), so everything here is exact under test.
 */
#ifndef DAYTIMED_LIMITS_H
#define DAYTIMED_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl.h"

#define LIMITS_SRC_BUCKETS	4096	/* chains of per-source counts */
#define LIMITS_UDP_SLOTS	8192	/* per-source UDP token buckets */
#define LIMITS_RATE_SLOTS	8192	/* per-source TCP token buckets */
#define LIMITS_RATE_MAX		1000000	/* a bucket's rate at most (a second) */
#define LIMITS_KEY_BYTES	16	/* the key of the source hash */
#define LIMITS_TOKEN		1000000u /* a bucket counts millionths */

/* What admission says; limits_name gives the record's rule=limit:NAME. */
enum limits_status {
	LIMITS_OK = 0,
	LIMITS_CONNECTIONS,	/* too many connections in flight */
	LIMITS_PER_SOURCE,	/* too many from this source */
	LIMITS_MEMORY,		/* no memory to count the source */
	LIMITS_UDP_RATE,	/* this source's bucket is empty */
	LIMITS_UDP_TOTAL,	/* the bucket of all sources is empty */
	LIMITS_RATE		/* this source's new-connection bucket is empty */
};

/*
 * A token bucket of rate N a second and burst N. A zeroed bucket is
 * unused: its first take finds it full.
 */
struct limits_bucket {
	uint64_t	last_us;	/* when tokens was last brought up to date */
	uint64_t	tokens;		/* in millionths (LIMITS_TOKEN is one) */
	uint8_t		used;
};

struct limits;

/* The name of a status as audit records show it; NULL for LIMITS_OK. */
const char *limits_name(enum limits_status);

/*
 * What one source is: the address a with the host bits past prefix[0]
 * (IPv4) or prefix[1] (IPv6) cleared (limit source-prefix). The one place
 * an address becomes the key the per-source and rate limits count; the
 * key is src->addr, and a record shows *src as the source charged.
 */
void	limits_source(const struct acl_addr *a, const unsigned prefix[2],
	    struct acl_prefix *src);

/*
 * Take one token at now_us from a bucket of rate (and burst) rate a
 * second; 1 when there was one, 0 when not. Exposed for tests.
 */
int	limits_bucket_take(struct limits_bucket *, unsigned rate,
	    uint64_t now_us);

/* Empty tables, the source hash keyed with key (not guessable). */
struct limits *limits_new(const unsigned char key[LIMITS_KEY_BYTES]);
void	limits_free(struct limits *);

/*
 * Admit a TCP connection from the source a (limits_source) against at
 * most connections in flight and per_source from one source (0: no
 * limit). On LIMITS_OK the
 * connection is counted until limits_release, and *counted says whether
 * its source was (sources are counted only under a per-source limit).
 */
enum limits_status limits_admit(struct limits *, const struct acl_addr *a,
	    unsigned connections, unsigned per_source, int *counted);
/*
 * The per-source half of limits_admit, for a connection already admitted
 * (limits_admit with per_source 0) whose source became known later: the
 * client a PROXY header names. *counted as for limits_admit; on
 * LIMITS_PER_SOURCE the connection is still counted in flight.
 */
enum limits_status limits_admit_source(struct limits *,
	    const struct acl_addr *a, unsigned per_source, int *counted);
/* Give back what limits_admit (and limits_admit_source) took. */
void	limits_release(struct limits *, const struct acl_addr *a, int counted);
/* TCP connections in flight. */
unsigned limits_connections(struct limits *);

/*
 * Admit a new TCP connection from the source a (limits_source) at now_us
 * against its bucket of rate (and burst) rate a second (0: no limit):
 * LIMITS_OK or LIMITS_RATE. Nothing is held: a refused source waits for
 * its bucket to fill, every other source is served as before (a rate is
 * never an outage of the service). Slots are taken over as for UDP.
 */
enum limits_status limits_rate_admit(struct limits *, const struct acl_addr *a,
	    unsigned rate, uint64_t now_us);

/*
 * Admit a UDP answer to the source a (limits_source) at now_us: the
 * source's bucket of rate udp_rate, then the bucket of all sources of
 * rate udp_total (0: no limit). A source that hashes to a slot another holds takes the slot
 * over with a full bucket: a flood from many spoofed sources evicts
 * slots but never grows memory.
 */
enum limits_status limits_udp_admit(struct limits *, const struct acl_addr *a,
	    unsigned udp_rate, unsigned udp_total, uint64_t now_us);

/* Tests: the slot that holds a source's UDP bucket (and TCP rate bucket). */
size_t	limits_udp_slot(const struct limits *, const struct acl_addr *);
/* Tests: how a per-source count is allocated (NULL: calloc). */
void	limits_set_alloc(struct limits *, void *(*)(size_t, size_t));

#endif
