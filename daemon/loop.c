/* SPDX-License-Identifier: ISC */
/*
 * loop: per event loop helpers the connection and datagram paths share:
 * connection ids, the answer line of the second, and the audit record.
 */
#include "autoconf.h"

#include <sys/time.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "daemon/answer.h"
#include "daemon/audit.h"
#include "daemon/loop.h"

uint64_t
loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
loop_id(struct loop *lp)
{
	if (lp->nids == 0) {
		randombytes_buf(lp->ids, sizeof(lp->ids));
		lp->nids = sizeof(lp->ids) / sizeof(lp->ids[0]);
	}
	return lp->ids[--lp->nids];
}

size_t
loop_answer(struct loop *lp, char *buf, size_t len)
{
	time_t now = time(NULL);

	if (now != lp->line_sec || lp->linelen == 0) {
		lp->linelen = answer_now(lp->line, sizeof(lp->line));
		lp->line_sec = now;
	}
	if (lp->linelen == 0 || lp->linelen >= len)
		return 0;
	memcpy(buf, lp->line, lp->linelen + 1);
	return lp->linelen;
}

void
loop_record(struct loop *lp, struct audit_conn *r,
    const struct acl_decision *d, const struct timeval *start)
{
	struct timeval now, diff;

	if (d != NULL) {
		r->rule_file = d->file;
		r->rule_line = d->line;
		r->net = d->matched ? &d->net : NULL;
	}
	gettimeofday(&now, NULL);
	timersub(&now, start, &diff);
	r->duration_us = diff.tv_sec < 0 ? 0 :
	    (uint64_t)diff.tv_sec * 1000000u + (uint64_t)diff.tv_usec;
	audit_conn_log(lp->audit, r);
}
