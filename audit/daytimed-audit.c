/* SPDX-License-Identifier: ISC */
/*
 * daytimed-audit: the auditor's tools.
 *
 *   keygen PUBFILE SECFILE    make an X25519 key pair; PUBFILE goes to the
 *                             server ("audit key"), SECFILE stays with the
 *                             auditor. Refuses to overwrite either file.
 *   verify --secret-key SECFILE [LOGFILE...]
 *                             check the sealed MAC chains in syslog files
 *                             (stdin when none): every modified, inserted,
 *                             reordered or missing record, and a chain
 *                             that ends without its stop record.
 *
 * This file holds the commands: arguments, files, output. Reading the
 * records and walking the chains is audit/verify.c, over the chain that
 * audit/chain.c defines (the code the daemon seals with). It links
 * libsodium and nothing of the daemon's: no libevent, no libcidr.
 *
 * Exit: 0 every chain intact; 1 something was found (or nothing sealed
 * was found); 2 usage error, unreadable key, or a key that opens none of
 * the epochs found.
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

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/verify.h"

static void	usage(FILE *);
static int	audit_keygen(int, char **);
static int	audit_write_keyfile(const char *, const unsigned char *, mode_t);
static int	audit_verify(int, char **);
static int	audit_verify_read(struct verify *, const char *);
static void	audit_print_finding(void *, const char *);
static void	audit_nomem(void) __attribute__((noreturn));

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
		return audit_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
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
	    "       daytimed-audit verify --secret-key SECFILE [LOGFILE...]\n"
	    "       daytimed-audit -V | -h\n"
	    "\n"
	    "keygen writes a key pair: PUBFILE (mode 0644) is the daemon's\n"
	    "\"audit key\", SECFILE (mode 0600) stays with the auditor.\n"
	    "Neither file may exist already.\n"
	    "verify checks the sealed records in syslog files (stdin when no\n"
	    "LOGFILE or \"-\"), one line per finding, then a summary.\n"
	    "Exit: 0 intact, 1 findings, 2 usage or key error.\n");
}

/* keygen PUBFILE SECFILE. */
static int
audit_keygen(int argc, char **argv)
{
	unsigned char pk[CHAIN_KEY_BYTES], sk[CHAIN_KEY_BYTES];
	int rv = 1;

	if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], argv[2]) == 0) {
		fprintf(stderr, "daytimed-audit: keygen: PUBFILE and SECFILE "
		    "must differ\n");
		return 2;
	}
	crypto_box_keypair(pk, sk);
	if (audit_write_keyfile(argv[2], sk, 0600) == -1)
		goto out;
	if (audit_write_keyfile(argv[1], pk, 0644) == -1) {
		unlink(argv[2]);	/* we created it just now */
		goto out;
	}
	rv = 0;
out:
	sodium_memzero(sk, sizeof(sk));
	return rv;
}

/* Create path (O_EXCL) with mode and write the key as one hex line. */
static int
audit_write_keyfile(const char *path, const unsigned char *key, mode_t mode)
{
	char line[CHAIN_KEYFILE_LEN + 1];
	size_t off = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", path,
		    errno == EEXIST ? "exists, not overwriting" :
		    strerror(errno));
		return -1;
	}
	chain_hex(line, key, CHAIN_KEY_BYTES);
	line[2 * CHAIN_KEY_BYTES] = '\n';
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (off < CHAIN_KEYFILE_LEN) {
		r = write(fd, line + off, CHAIN_KEYFILE_LEN - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		off += (size_t)r;
	}
	sodium_memzero(line, sizeof(line));
	if (fsync(fd) == -1 || close(fd) == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", path,
		    strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "daytimed-audit: %s: %s\n", path, strerror(errno));
	sodium_memzero(line, sizeof(line));
	close(fd);
	unlink(path);
	return -1;
}

/* verify --secret-key SECFILE [LOGFILE...]. */
static int
audit_verify(int argc, char **argv)
{
	unsigned char sk[CHAIN_KEY_BYTES];
	struct verify_summary sum;
	struct verify *v;
	const char *keyfile = NULL;
	char err[512];
	int a, rv = 0;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--secret-key") == 0 ||
		    strcmp(argv[a], "-k") == 0) {
			if (a + 1 >= argc) {
				usage(stderr);
				return 2;
			}
			keyfile = argv[++a];
		} else if (strncmp(argv[a], "--secret-key=", 13) == 0)
			keyfile = argv[a] + 13;
		else if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "daytimed-audit: verify: unknown "
			    "option %s\n", argv[a]);
			usage(stderr);
			return 2;
		} else
			break;
	}
	if (keyfile == NULL) {
		fprintf(stderr, "daytimed-audit: verify needs --secret-key "
		    "SECFILE\n");
		usage(stderr);
		return 2;
	}
	if (chain_key_load(keyfile, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return 2;
	}
	v = verify_new(sk, audit_print_finding, NULL);
	sodium_memzero(sk, sizeof(sk));
	if (v == NULL)
		audit_nomem();

	if (a >= argc) {
		if (audit_verify_read(v, "-") == -1)
			rv = 2;
	}
	for (; a < argc; a++)
		if (audit_verify_read(v, argv[a]) == -1)
			rv = 2;
	if (rv == 2)
		goto out;

	if (verify_finish(v, &sum) == -1)
		audit_nomem();
	printf("daytimed-audit: %zu sealed records in %zu epochs, %zu "
	    "verified: %s\n", sum.records, sum.epochs, sum.verified,
	    sum.findings == 0 ? "intact" : "NOT intact");
	if (sum.findings > 0)
		printf("daytimed-audit: %lu finding%s\n", sum.findings,
		    sum.findings == 1 ? "" : "s");
	if (sum.mismatched > 0 && sum.opened == 0)
		rv = 2;
	else
		rv = sum.findings == 0 ? 0 : 1;
out:
	verify_free(v);
	return rv;
}

/* Read one log file ("-": stdin) into v, line by line. */
static int
audit_verify_read(struct verify *v, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	const char *name;

	if (strcmp(path, "-") == 0) {
		f = stdin;
		name = "(stdin)";
	} else {
		if ((f = fopen(path, "r")) == NULL) {
			fprintf(stderr, "daytimed-audit: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		name = path;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (verify_line(v, name, lineno, line, (size_t)n) == -1)
			audit_nomem();
	}
	if (ferror(f)) {
		fprintf(stderr, "daytimed-audit: %s: read error\n", name);
		free(line);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* Print one finding on its own line. */
static void
audit_print_finding(void *arg, const char *text)
{
	(void)arg;
	fputs(text, stdout);
	putchar('\n');
}

/* Out of memory: say so and exit 2. */
static void
audit_nomem(void)
{
	fprintf(stderr, "daytimed-audit: out of memory\n");
	exit(2);
}
