/* SPDX-License-Identifier: ISC */
/*
 * loop: per event loop helpers the connection and datagram paths share:
 * connection ids, the answer line of the second, and the audit record.
 */
#include "autoconf.h"

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
    const struct acl_decision *d, uint64_t start_us)
{
	uint64_t now = loop_now_us();

	if (d != NULL) {
		r->rule_file = d->file;
		r->rule_line = d->line;
		r->net = d->matched ? &d->net : NULL;
	}
	r->duration_us = now > start_us ? now - start_us : 0;
	audit_conn_log(lp->audit, r);
}
