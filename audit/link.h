/* SPDX-License-Identifier: ISC */
/*
 * link: how one epoch names the one before it, in two texts. Pure.
 *
 * The prev= field of an epoch's start record:
 *   prev=none               no state was kept before (a first start, or
 *                           the state file was not there)
 *   prev=broken             the state file was corrupt: the link is lost
 *   prev=ID:SEQ:stop        the previous epoch ID stopped cleanly; its
 *                           stop record has seq SEQ
 *   prev=ID:SEQ:run         the previous epoch ID did not stop cleanly
 *                           (a crash, a kill); its records reach at least
 *                           seq SEQ, the last one saved
 *
 * The state file (audit state PATH) holds the same link for the next
 * start, as one line: "daytimed-audit-state-v1 ID:SEQ:stop\n".
 */
#ifndef DAYTIMED_LINK_H
#define DAYTIMED_LINK_H

#include <stddef.h>
#include <stdint.h>

#define LINK_EPOCH_HEX	16	/* an epoch id: 16 lowercase hex digits */
#define LINK_TEXT_MAX	(LINK_EPOCH_HEX + 1 + 20 + 5 + 1)  /* ID:SEQ:stop */
#define LINK_STATE_MAGIC	"daytimed-audit-state-v1 "
#define LINK_STATE_MAX	(sizeof(LINK_STATE_MAGIC) - 1 + LINK_TEXT_MAX + 1)

enum link_kind {
	LINK_NONE,	/* no earlier epoch known */
	LINK_BROKEN,	/* the state was corrupt */
	LINK_EPOCH	/* epoch, seq, stopped */
};

struct link {
	enum link_kind	 kind;
	char		 epoch[LINK_EPOCH_HEX + 1];
	uint64_t	 seq;
	int		 stopped;	/* 1: "stop", 0: "run" */
};

/* The prev= value of l into buf (NUL-terminated); its length or -1. */
int	link_format(const struct link *l, char *buf, size_t len);
/* Parse a prev= value (s, len) strictly; 0 or -1. */
int	link_parse(const char *s, size_t len, struct link *l);
/* The state file's bytes for l (an epoch link); its length or -1. */
int	link_state_format(const struct link *l, char *buf, size_t len);
/* Parse a state file's bytes strictly into an epoch link; 0 or -1. */
int	link_state_parse(const char *buf, size_t len, struct link *l);

#endif
