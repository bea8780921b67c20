/* SPDX-License-Identifier: ISC */
/*
 * fuzz_verify: any bytes as a syslog file, read the way daytimed-audit
 * verify reads it. Each line goes through the header parser, the
 * chain-field parser, the key=value reader and the unescaper, and the
 * prev= and state-file parsers (each on an exact-length copy, so ASan
 * sees any overread), and the invariants callers rely on are checked;
 * then the lines are walked as one file with a fixed secret key, FUZZ_SK,
 * to which the seed corpus's chains are sealed (so the walk opens them),
 * and the hosts and epochs are read back. Inputs of odd length are
 * walked with the first host key their records name listed (as
 * --host-key), so that the links are also followed by signer.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/link.h"
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

/* A note must be one line of text. */
static void
fuzz_verify_note(void *arg, const struct verify_note *nt)
{
	unsigned long *n = arg;

	if (nt->text == NULL || strchr(nt->text, '\n') != NULL ||
	    nt->text[0] == '\0')
		abort();
	(*n)++;
}

/* Every key=value of a record: in bounds, and each value unescapes. */
static void
fuzz_verify_kv(const char *rec, size_t len)
{
	unsigned char out[2048];
	struct verify_kv kv;
	size_t pos = 0, last = 0;
	long n;
	int r;

	while ((r = verify_kv_next(rec, len, &pos, &kv)) == 1) {
		if (pos <= last || pos > len || kv.key < rec ||
		    kv.val + kv.vallen > rec + len || kv.keylen == 0)
			abort();
		last = pos;
		n = verify_unescape(kv.val, kv.vallen, out, sizeof(out));
		if (n > (long)kv.vallen)
			abort();
	}
	if (r != 0 && r != -1)
		abort();
}

/* prev= and the state file's parsers: what parses formats back the same. */
static void
fuzz_verify_link(const char *s, size_t len)
{
	char buf[LINK_STATE_MAX + 1];
	struct link l;
	int n;

	if (link_parse(s, len, &l) == 0) {
		n = link_format(&l, buf, sizeof(buf));
		if (n < 0 || (size_t)n != len || memcmp(buf, s, len) != 0)
			abort();
	}
	if (link_state_parse(s, len, &l) == 0) {
		n = link_state_format(&l, buf, sizeof(buf));
		if (n < 0 || (size_t)n != len || memcmp(buf, s, len) != 0)
			abort();
	}
}

/*
 * Find and parse one line; abort when an invariant breaks. The first
 * host key a record names goes to hk (*has_hk set).
 */
static uint64_t
fuzz_verify_line(const char *line, size_t len,
    unsigned char hk[CHAIN_SIGN_PK_BYTES], int *has_hk)
{
	struct verify_header h;
	struct verify_fields f;
	const char *p;
	size_t rl, i;
	int rc;

	fuzz_verify_link(line, len);
	if (verify_header_parse(line, len, &h) != 1)
		return 0;
	if ((p = verify_find_record(line, len)) != h.rec)
		abort();
	/* a line without a host (journalctl -o cat) has host NULL */
	if (p < line || p >= line + len || p + h.reclen != line + len ||
	    (h.host != NULL && (h.host < line || h.host + h.hostlen >
	    line + len)) || (h.host == NULL && h.hostlen != 0))
		abort();
	rl = len - (size_t)(p - line);
	if (!(rl >= 5 && memcmp(p, "conn=", 5) == 0) &&
	    !(rl >= 6 && memcmp(p, "event=", 6) == 0))
		abort();
	/* after a space, the tag's colon, or RFC 5424's BOM */
	if (p != line && p[-1] != ' ' && p[-1] != ':' &&
	    (unsigned char)p[-1] != 0xbf)
		abort();
	fuzz_verify_kv(p, rl);
	rc = verify_fields_parse(p, rl, &f);
	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	if (rc != 0)
		return 0;
	/* the mac covers everything before " mac=" and 64 digits follow */
	if (f.maclen + 5 + 2 * (f.version == 2 ? CHAIN_MAC_BYTES :
	    CHAIN_MAC1_BYTES) != rl || (f.version != 1 && f.version != 2) ||
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
	if (f.bodylen > f.maclen || (f.has_prev && (f.prev_text < p ||
	    f.prev_text + f.prev_len > p + rl)))
		abort();
	if (f.has_host_key && !*has_hk) {
		memcpy(hk, f.host_key, CHAIN_SIGN_PK_BYTES);
		*has_hk = 1;
	}
	return f.seq;
}

/* The next line of (d, n) at *off, as an exact-length copy; NULL: end. */
static char *
fuzz_verify_next(const uint8_t *d, size_t n, size_t *off, size_t *len)
{
	const char *start, *end;
	char *copy;

	if (*off >= n)
		return NULL;
	start = (const char *)d + *off;
	end = memchr(start, '\n', n - *off);
	*len = end != NULL ? (size_t)(end - start) : n - *off;
	*off += *len + (end != NULL);
	while (*len > 0 && start[*len - 1] == '\r')
		(*len)--;
	if ((copy = malloc(*len ? *len : 1)) == NULL)
		abort();
	memcpy(copy, start, *len);
	return copy;
}

/*
 * One input: every line alone; then, when no seq is far (the walk's own
 * bounds allow a million steps, too slow to fuzz), all of them walked.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	unsigned char sk[CHAIN_KEY_BYTES], hk[CHAIN_SIGN_PK_BYTES];
	struct verify_summary s;
	struct verify_host_info hi;
	struct verify_epoch_info ei;
	struct verify *v;
	unsigned long lines = 0, reported = 0;
	uint64_t maxseq = 0, seq;
	size_t off = 0, len, i;
	char *copy;
	int has_hk = 0;

	if (sodium_init() < 0)
		abort();
	while ((copy = fuzz_verify_next(d, n, &off, &len)) != NULL) {
		seq = fuzz_verify_line(copy, len, hk, &has_hk);
		if (seq > maxseq)
			maxseq = seq;
		free(copy);
	}
	if (maxseq > FUZZ_SEQ_MAX)
		return 0;
	fuzz_verify_sk(sk);
	if ((v = verify_new(sk, NULL, NULL)) == NULL)
		return 0;
	verify_notes(v, fuzz_verify_note, &reported);
	if (n & 4)		/* --running: each host's last may be open */
		verify_running(v);
	/* the key trusted for any name, or (n & 2) for the host "web1" */
	if (has_hk && (n & 1) && verify_host_key_for(v, "fuzz.pub",
	    (n & 2) ? "web1" : NULL, hk) == -1)
		abort();
	off = 0;
	while (++lines <= FUZZ_LINES_MAX &&
	    (copy = fuzz_verify_next(d, n, &off, &len)) != NULL) {
		/* -2 (over a bound) cannot come in FUZZ_LINES_MAX lines */
		if (verify_line(v, "fuzz", lines, copy, len) != 0)
			abort();
		free(copy);
	}
	if (verify_finish(v, &s) == -1)
		abort();
	if (s.findings + s.warnings != reported || s.verified > s.records ||
	    (s.records == 0 && s.findings == 0) || s.epochs > s.records ||
	    s.hosts != verify_nhosts(v) || s.running > s.hosts ||
	    (!(n & 4) && s.running != 0))
		abort();
	for (i = 0; i < verify_nhosts(v); i++)
		verify_host_get(v, i, &hi);
	for (i = 0; i < verify_nepochs(v); i++) {
		verify_epoch_get(v, i, &ei);
		if (ei.verified > ei.records || verify_epoch_host(v, i) >= s.hosts ||
		    (ei.running && (ei.stopped || ei.unclean)))
			abort();
	}
	verify_free(v);
	return 0;
}
