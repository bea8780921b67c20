/* SPDX-License-Identifier: ISC */
/*
 * fuzz_verify: any bytes as a syslog file, read the way daytimed-audit
 * verify reads it. Each line goes through the line finder and the
 * chain-field parser (on an exact-length copy, so ASan sees any
 * overread), and the invariants callers rely on are checked; then the
 * lines are walked as one file with a fixed secret key, FUZZ_SK, to
 * which the seed corpus's chains are sealed (so the walk opens them).
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/verify.h"

#define FUZZ_LINES_MAX	64		/* lines walked per input */
#define FUZZ_SEQ_MAX	100000ULL	/* keep the key walk short */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The auditor's secret key of the seed corpus: bytes 1..32. */
static void
fuzz_verify_sk(unsigned char sk[CHAIN_KEY_BYTES])
{
	size_t i;

	for (i = 0; i < CHAIN_KEY_BYTES; i++)
		sk[i] = (unsigned char)(i + 1);
}

/* A finding must be one line of text. */
static void
fuzz_verify_finding(void *arg, const char *text)
{
	unsigned long *n = arg;

	if (text == NULL || strchr(text, '\n') != NULL || text[0] == '\0')
		abort();
	(*n)++;
}

/* Find and parse one line; abort when an invariant breaks. */
static uint64_t
fuzz_verify_line(const char *line, size_t len)
{
	struct verify_fields f;
	const char *p;
	size_t rl, i;
	int rc;

	if ((p = verify_find_record(line, len)) == NULL)
		return 0;
	if (p < line || p >= line + len)
		abort();
	rl = len - (size_t)(p - line);
	if (!(rl >= 5 && memcmp(p, "conn=", 5) == 0) &&
	    !(rl >= 6 && memcmp(p, "event=", 6) == 0))
		abort();
	if (p != line && p[-1] != ' ')
		abort();
	rc = verify_fields_parse(p, rl, &f);
	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	if (rc != 0)
		return 0;
	/* the mac covers everything before " mac=" and 64 digits follow */
	if (f.maclen + 5 + 2 * CHAIN_MAC_BYTES != rl ||
	    memcmp(p + f.maclen, " mac=", 5) != 0)
		abort();
	if (strlen(f.epoch) != CHAIN_EPOCH_HEX)
		abort();
	for (i = 0; i < CHAIN_EPOCH_HEX; i++)
		if (!((f.epoch[i] >= '0' && f.epoch[i] <= '9') ||
		    (f.epoch[i] >= 'a' && f.epoch[i] <= 'f')))
			abort();
	if (f.is_stop && memcmp(p, "event=stop", 10) != 0)
		abort();
	return f.seq;
}

/* One input: every line alone, then all of them walked. */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	unsigned char sk[CHAIN_KEY_BYTES];
	struct verify_summary s;
	struct verify *v;
	const char *start, *end;
	unsigned long lines = 0, reported = 0;
	uint64_t maxseq = 0, seq;
	size_t off = 0, len;
	char *copy;

	if (sodium_init() < 0)
		abort();
	fuzz_verify_sk(sk);
	if ((v = verify_new(sk, fuzz_verify_finding, &reported)) == NULL)
		return 0;
	while (off < n) {
		start = (const char *)d + off;
		end = memchr(start, '\n', n - off);
		len = end != NULL ? (size_t)(end - start) : n - off;
		off += len + (end != NULL);
		while (len > 0 && start[len - 1] == '\r')
			len--;
		if ((copy = malloc(len ? len : 1)) == NULL)
			break;
		memcpy(copy, start, len);
		seq = fuzz_verify_line(copy, len);
		if (seq > maxseq)
			maxseq = seq;
		if (++lines <= FUZZ_LINES_MAX &&
		    verify_line(v, "fuzz", lines, copy, len) == -1)
			abort();
		free(copy);
	}
	if (maxseq <= FUZZ_SEQ_MAX) {
		if (verify_finish(v, &s) == -1)
			abort();
		if (s.findings != reported || s.verified > s.records ||
		    (s.records == 0 && s.findings == 0) ||
		    s.epochs > s.records)
			abort();
	}
	verify_free(v);
	return 0;
}
