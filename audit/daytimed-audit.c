/* SPDX-License-Identifier: ISC */
/*
 * daytimed-audit: the auditor's tools.
 *
 *   keygen PUBFILE SECFILE    make an X25519 key pair; PUBFILE goes to the
 *                             server ("audit key"), SECFILE stays with the
 *                             auditor. Refuses to overwrite either file.
 *   host-keygen PUBFILE SECFILE
 *                             make a host's Ed25519 key pair; SECFILE goes
 *                             to the server ("audit signing-key", root's,
 *                             0600), PUBFILE to the auditor (verify
 *                             --host-key).
 *   verify --secret-key SECFILE [--host-key [NAME=]PUBFILE]... [--running]
 *       [LOGFILE...]
 *                             check the sealed MAC chains in syslog files
 *                             (stdin when none; .gz read as is): see
 *                             verify_cmd.c.
 *   report [--config FILE] ... [LOGFILE...]
 *                             the auditor's page: what the records say
 *                             (audit/report_cmd.c and audit/report*.c).
 *
 * This file holds the commands' dispatch and the key generators. Reading
 * the records and walking the chains is audit/verify.c, over the chain
 * that audit/chain.c defines (the code the daemon seals with). It links
 * libsodium and zlib and nothing of the daemon's: no libevent, no
 * libcidr.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/keyfile.h"
#include "audit/verify_cmd.h"
#include "audit/report_cmd.h"

static void	usage(FILE *);
static int	audit_keygen(int, char **, int);
static int	audit_write_keys(const char *, const unsigned char *, size_t,
		    const char *, const unsigned char *, size_t);

/* Run the command argv[1] names. */
int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "daytimed-audit: libsodium initialization "
		    "failed\n");
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("daytimed-audit %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "keygen") == 0)
		return audit_keygen(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "host-keygen") == 0)
		return audit_keygen(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "verify") == 0)
		return verify_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return report_cmd(argc - 1, argv + 1);
	fprintf(stderr, "daytimed-audit: unknown command: %s\n", argv[1]);
	usage(stderr);
	return 2;
}

/* The synopsis. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: daytimed-audit keygen PUBFILE SECFILE\n"
	    "       daytimed-audit host-keygen PUBFILE SECFILE\n"
	    "       daytimed-audit verify --secret-key SECFILE "
	    "[--host-key [NAME=]PUBFILE]... [--running]\n"
	    "           [LOGFILE...]\n"
	    "       daytimed-audit report [--config FILE] [--since T] "
	    "[--until T] [--json]\n"
	    "           [--secret-key SECFILE [--host-key [NAME=]PUBFILE]...]\n"
	    "           [LOGFILE...]\n"
	    "       daytimed-audit -V | -h\n"
	    "\n"
	    "keygen writes the auditor's key pair: PUBFILE (mode 0644) is the\n"
	    "daemon's \"audit key\", SECFILE (mode 0600) stays with the auditor.\n"
	    "host-keygen writes a host's key pair: SECFILE (mode 0600) is the\n"
	    "daemon's \"audit signing-key\", PUBFILE goes to the auditor.\n"
	    "Neither command overwrites a file.\n"
	    "verify checks the sealed records in syslog files (stdin when no\n"
	    "LOGFILE or \"-\"; .gz files read as they are), one line per\n"
	    "finding, then a line per epoch, per host and in all. --host-key\n"
	    "(repeatable) names the hosts whose signed epochs are trusted;\n"
	    "NAME=PUBFILE binds the key to the host the syslog headers call\n"
	    "NAME. --running: the daemons still run, so each host's last\n"
	    "epoch may lack its stop record (a warning, not a finding).\n"
	    "Exit: 0 intact and authenticated, 1 findings, 2 usage or key\n"
	    "error, 3 intact but not authenticated (no --host-key), 4 intact\n"
	    "but an epoch ended uncleanly (a crash or a kill).\n"
	    "report prints the auditor's page (daytimed-audit report -h).\n");
}

/*
 * keygen / host-keygen PUBFILE SECFILE: the auditor's X25519 pair, or a
 * host's Ed25519 pair (its secret file holds the seed and public key).
 */
static int
audit_keygen(int argc, char **argv, int host)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	int rv;

	if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], argv[2]) == 0) {
		fprintf(stderr, "daytimed-audit: %s: PUBFILE and SECFILE "
		    "must differ\n", argv[0]);
		return 2;
	}
	if (host) {
		crypto_sign_keypair(pk, sk);
		rv = audit_write_keys(argv[1], pk, crypto_sign_PUBLICKEYBYTES,
		    argv[2], sk, crypto_sign_SECRETKEYBYTES);
	} else {
		crypto_box_keypair(pk, sk);
		rv = audit_write_keys(argv[1], pk, crypto_box_PUBLICKEYBYTES,
		    argv[2], sk, crypto_box_SECRETKEYBYTES);
	}
	sodium_memzero(sk, sizeof(sk));
	return rv;
}

/* The secret file (0600) first, then the public one (0644). */
static int
audit_write_keys(const char *pubpath, const unsigned char *pk, size_t pklen,
    const char *secpath, const unsigned char *sk, size_t sklen)
{
	char err[512];

	if (keyfile_write(secpath, sk, sklen, 0600, err, sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return 1;
	}
	if (keyfile_write(pubpath, pk, pklen, 0644, err, sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		unlink(secpath);	/* we created it just now */
		return 1;
	}
	return 0;
}
