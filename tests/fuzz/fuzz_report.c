/* SPDX-License-Identifier: ISC */
/*
 * fuzz_report: any bytes as a syslog file, read the way daytimed-audit
 * report reads it. Each line (an exact-length copy, so ASan sees any
 * overread) goes through the record parser, whose fields are checked and
 * unescaped, through -T's rule-line reader, and into a report with small
 * tables (so the Space-Saving replacement runs); then the page and the
 * JSON document are made, and the page must be printable ASCII in 80
 * columns whatever came in.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/record_parse.h"
#include "audit/report.h"
#include "audit/report_config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse one line as a bare record; abort when an invariant breaks. */
static void
fuzz_report_fields(const char *line, size_t len)
{
	struct record_fields f;
	struct report_crule c;
	char out[4096];
	size_t i;
	long n;

	if (record_parse(line, len, &f, NULL) == 0) {
		if (f.n == 0 || f.n > RECORD_FIELDS_MAX)
			abort();
		for (i = 0; i < f.n; i++) {
			if (f.f[i].keylen == 0 || f.f[i].key < line ||
			    f.f[i].val + f.f[i].vallen > line + len)
				abort();
			n = record_parse_value(out, sizeof(out), &f.f[i]);
			if (n > (long)f.f[i].vallen)
				abort();
			if (n == -1 && f.f[i].vallen <= sizeof(out))
				abort();
		}
	}
	if (report_config_line(line, len, &c) == 1 &&
	    (c.rulelen == 0 || c.netlen == 0 || c.rulelen > sizeof(c.rule)))
		abort();
}

/* Printable ASCII lines, of 80 columns at most when width says so. */
static void
fuzz_report_page(const char *text, size_t len, size_t width)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			col = 0;
			continue;
		}
		if (text[i] < 0x20 || text[i] > 0x7e || ++col > width)
			abort();
	}
}

/* One input: every line alone, then the report over all of them. */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct report_opts o;
	struct report *r;
	const char *start, *end;
	unsigned long lines = 0;
	size_t off = 0, len, plen = 0;
	char *copy, *page = NULL;
	FILE *f;

	if (sodium_init() < 0)
		abort();
	setenv("TZ", "UTC", 1);
	memset(&o, 0, sizeof(o));
	o.now_us = 1795689172LL * 1000000;
	o.since_us = o.until_us = INT64_MIN;
	o.cap = REPORT_CAP_MIN;
	o.top = 3;
	if ((r = report_new(&o)) == NULL)
		return 0;
	while (off < n) {
		start = (const char *)d + off;
		end = memchr(start, '\n', n - off);
		len = end != NULL ? (size_t)(end - start) : n - off;
		off += len + (end != NULL);
		if ((copy = malloc(len ? len : 1)) == NULL)
			break;
		memcpy(copy, start, len);
		fuzz_report_fields(copy, len);
		if (report_line(r, "fuzz", ++lines, copy,
		    len > REPORT_LINE_MAX ? REPORT_LINE_MAX : len,
		    len > REPORT_LINE_MAX) == -1)
			abort();
		free(copy);
	}
	if ((f = open_memstream(&page, &plen)) == NULL)
		abort();
	if (report_print(r, f) == -1)
		abort();
	fclose(f);
	fuzz_report_page(page, plen, 80);
	free(page);
	page = NULL;
	if ((f = open_memstream(&page, &plen)) == NULL)
		abort();
	if (report_json(r, f) == -1)
		abort();
	fclose(f);
	fuzz_report_page(page, plen, SIZE_MAX);
	free(page);
	report_free(r);
	return 0;
}
