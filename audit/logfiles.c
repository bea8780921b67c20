/* SPDX-License-Identifier: ISC */
/*
 * logfiles: the reading order of the auditor's log files (see
 * logfiles.h), shared by verify and report so that both read the same
 * files in the same order.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "audit/logfiles.h"
#include "audit/verify.h"

static int	logfiles_cmp(const void *, const void *);

/* A sealed record with a time: the file's first. */
int
logfiles_first(struct logfiles_file *f, const char *line, size_t len)
{
	struct verify_header h;
	struct verify_fields vf;

	if (verify_header_parse(line, len, &h) != 1 ||
	    verify_fields_parse(h.rec, h.reclen, &vf) != 0 || !vf.has_time)
		return 0;
	f->first = vf.time_us;
	f->epoch = vf.epoch_id;
	f->seq = vf.seq;
	f->has_first = 1;
	return 1;
}

/* The regular file dev, ino among f[0..n), or n. */
size_t
logfiles_same(const struct logfiles_file *f, size_t n, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].reg && f[i].dev == dev && f[i].ino == ino)
			break;
	return i;
}

/* Reading order; 1 when it differs from the order given. */
int
logfiles_order(struct logfiles_file *f, size_t n)
{
	struct logfiles_file tmp;
	size_t i, j;
	int moved = 0;

	if (n > 1)
		qsort(f, n, sizeof(*f), logfiles_cmp);
	/*
	 * The files of one epoch (a rotation) by seq, in the places time
	 * gave them: a clock set back between two of them reorders nothing.
	 */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (f[i].has_first && f[j].has_first &&
			    f[i].epoch == f[j].epoch && f[j].seq < f[i].seq) {
				tmp = f[i];
				f[i] = f[j];
				f[j] = tmp;
			}
	for (i = 0; i < n; i++)
		if (f[i].pos != i)
			moved = 1;
	return moved;
}

/* stdin, then files without a time, then by time; else as given. */
static int
logfiles_cmp(const void *a, const void *b)
{
	const struct logfiles_file *x = a, *y = b;
	int sx = strcmp(x->path, "-") == 0, sy = strcmp(y->path, "-") == 0;

	if (sx != sy)
		return sx ? -1 : 1;
	if (x->has_first != y->has_first)
		return x->has_first ? 1 : -1;
	if (x->has_first && x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}
