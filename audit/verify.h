/* SPDX-License-Identifier: ISC */
/*
 * verify: reading sealed audit records back out of syslog files, and
 * checking their chains. Pure: lines go in as (buffer, length), findings
 * come out through a callback as text; no files, no stdout, no exit.
 *
 * Reading (verify_find_record, verify_fields_parse) is for any tool that
 * reads records; the walk (verify_new ... verify_finish) is what
 * `daytimed-audit verify` reports: every modified, inserted, reordered or
 * missing record, and a chain that ends without its stop record.
 */
#ifndef DAYTIMED_VERIFY_H
#define DAYTIMED_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "audit/chain.h"

/* The chain fields at the end of a sealed record. */
struct verify_fields {
	size_t		 maclen;	/* bytes of the record the mac covers */
	uint64_t	 seq;
	unsigned char	 mac[CHAIN_MAC_BYTES];
	char		 epoch[CHAIN_EPOCH_HEX + 1];
	int		 has_sealed;	/* sealed holds the sealed K0 */
	unsigned char	 sealed[CHAIN_SEALED_BYTES];
	int		 is_stop;	/* an event=stop record */
};

/* The numbers behind the summary line. */
struct verify_summary {
	size_t		 records;	/* sealed records read */
	size_t		 epochs;
	size_t		 verified;	/* records whose mac verified, once each */
	size_t		 unsealed;	/* daytimed records without chain fields */
	unsigned long	 findings;
	int		 mismatched;	/* epochs the secret key does not open */
	int		 opened;	/* epochs it opened */
};

/* Receives each finding, one line of text without a newline. */
typedef void verify_finding_fn(void *arg, const char *text);

struct verify;	/* the records read so far, by epoch */

/*
 * Where the record starts in a syslog line: after "daytimed[PID]: " when
 * the line has that tag, else at the first "conn=" or "event=" that
 * begins a word (RFC 5424 and ISO-timestamp layouts); NULL when the line
 * holds no record.
 */
const char *verify_find_record(const char *line, size_t len);
/*
 * Parse the chain fields at the end of a record (rec, len):
 * "... [sealed=HEX ]epoch=ID seq=N mac=HEX". 0: parsed; 1: no chain
 * fields (an unsealed record); -1: chain fields present but broken.
 */
int	verify_fields_parse(const char *rec, size_t len, struct verify_fields *);

/* A verifier holding the auditor's secret key; NULL: out of memory. */
struct verify *verify_new(const unsigned char sk[CHAIN_KEY_BYTES],
	    verify_finding_fn *, void *arg);
/*
 * Read one line (without its line end) of file at lineno: a sealed
 * record is kept, a broken one is a finding. file must outlive v.
 * -1: out of memory.
 */
int	verify_line(struct verify *, const char *file, unsigned long lineno,
	    const char *line, size_t len);
/* Check every epoch read, report the findings, fill *s. -1: no memory. */
int	verify_finish(struct verify *, struct verify_summary *s);
/* Wipe the key and free. */
void	verify_free(struct verify *);

#endif
