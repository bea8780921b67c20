/* SPDX-License-Identifier: ISC */
/*
 * build: what building a table (build.c) shares with the rules as added
 * and their sort (rules.c) and the text of its diagnostics (diag.c).
 * Nothing outside acl/ includes this file (but the unit tests).
 */
#ifndef DAYTIMED_BUILD_H
#define DAYTIMED_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl.h"

/* One rule while building; the user and file are referred to by index. */
struct acl_brule {
	uint8_t		bytes[16];
	uint8_t		v6;
	uint8_t		plen;
	uint8_t		action;
	uint8_t		has_user;
	uint32_t	file;
	unsigned	line;
	uint32_t	userlen;
	union {
		size_t		     off;	/* while adding: arena moves */
		const unsigned char *p;		/* once finishing */
	}		user;
	size_t		seq;
};

/* A diagnostic to report once all are known, in the order rules came. */
enum acl_diag_kind {
	ACL_DIAG_CONFLICT,
	ACL_DIAG_DUPLICATE,
	ACL_DIAG_SPOOF,
	ACL_DIAG_SHADOWED
};

struct acl_bdiag {
	size_t		seq;
	size_t		rule;		/* index in the sorted rules */
	size_t		other;		/* the earlier rule, if any */
	enum acl_diag_kind kind;
};

/*
 * Rules a chunk holds while they are added (14 MB). The rules are not
 * one array that doubles: each doubling past the heap's sizes copied
 * them all into fresh memory, and on the guest of 2026-12-01 those
 * copies and their first touch were 0.15-0.25 s of a 1M-line list's
 * -t (bench/README.md, "Page faults"). The first chunk doubles up to
 * this size, so a small table stays small.
 */
#define ACL_CHUNK_SHIFT	18
#define ACL_CHUNK	((size_t)1 << ACL_CHUNK_SHIFT)

struct acl_build {
	struct acl_brule *rules;	/* sorted: set by acl_build_finish */
	size_t		  nrules;
	struct acl_brule **chunk;	/* as added, ACL_CHUNK a chunk */
	size_t		  nchunk, capchunk;
	size_t		  cap0;		/* rules the first chunk holds */
	unsigned char	 *arena;
	size_t		  narena, caparena;
	char		**files;
	size_t		  nfiles, capfiles;
	uint32_t	 *fhash;		/* file index + 1; 0: empty */
	size_t		  capfhash;
	uint32_t	  lastfile;
	int		  failed;
};

/* Rule i as added (before acl_sort). */
static inline struct acl_brule *
acl_brule_at(const struct acl_build *b, size_t i)
{
	return &b->chunk[i >> ACL_CHUNK_SHIFT][i & (ACL_CHUNK - 1)];
}

/* rules.c: room for one more rule added; -1: out of memory. */
int	acl_room(struct acl_build *);
/*
 * rules.c: the rules added, sorted into b->rules, their user names
 * pointers into the arena from then on; the chunks are freed. -1: out
 * of memory (the chunks kept).
 */
int	acl_sort(struct acl_build *);
/* rules.c: free the rules as added. */
void	acl_chunks_free(struct acl_build *);

/*
 * Hand the nd diagnostics in d (rules by their place in b's sorted
 * rules) to diag in the order the rules were added; d is sorted so.
 * -1: out of memory.
 */
int	acl_diag_report(const struct acl_build *b, struct acl_bdiag *d,
	    size_t nd, acl_diag_fn *diag, void *arg);

#endif
