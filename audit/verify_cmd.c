/* SPDX-License-Identifier: ISC */
/*
 * verify_cmd: `daytimed-audit verify`, the command around the walk
 * (audit/verify.h): options and key files, the log files (each read
 * once, oldest first, .gz as it is: logfiles_cmd.c, as report reads
 * them), the notes and the summary lines, the exit status.
 *
 * Exit: 0 every chain intact and every epoch signed by a --host-key;
 * 1 a finding (or nothing sealed found); 2 a usage error, an unreadable
 * key or log file, a secret key that opens none of the epochs (or that
 * is the public key), more epochs, hosts or ring keys than are held
 * (VERIFY_*_MAX); 3 every chain intact, but no --host-key was given,
 * so the epochs' origin is not authenticated: anyone holding the
 * auditor's public key can write an epoch that verifies; 4 every chain
 * intact, but an epoch ended without its stop record, as a later epoch's
 * :run link says (a crash or a kill, or records removed after the last
 * position saved: nothing tells which), so its records after that
 * position are not vouched for. 4 comes before 3 (the last line still
 * says the origin is not authenticated). With --running, each host's
 * last epoch without its stop record is a warning, not a finding, and
 * changes no status.
 */
#include "autoconf.h"

#include <sys/types.h>
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
#include "audit/link.h"
#include "audit/logfiles.h"
#include "audit/logfiles_cmd.h"
#include "audit/logread.h"
#include "audit/verify.h"
#include "audit/verify_cmd.h"

static int	verify_cmd_read(struct verify *, struct logfiles_file *);
static void	verify_cmd_note(void *, const struct verify_note *);
static void	verify_cmd_report(struct verify *, const struct verify_summary *,
		    size_t);
static void	verify_cmd_nomem(void) __attribute__((noreturn));

/*
 * verify --secret-key SECFILE [--host-key [NAME=]PUBFILE]... [--running]
 *     [LOGFILE]...
 */
int
verify_cmd(int argc, char **argv)
{
	unsigned char sk[CHAIN_KEY_BYTES], pk[CHAIN_KEY_BYTES];
	struct logfiles_file *files = NULL;
	struct verify_summary sum;
	struct verify *v;
	const char *keyfile = NULL, **hostkeys = NULL;
	size_t nhost = 0, nfiles = 0, i;
	int a, rv = 0, running = 0;

	if ((hostkeys = calloc((size_t)argc, sizeof(*hostkeys))) == NULL)
		verify_cmd_nomem();
	for (a = 1; a < argc; a++) {
		if ((strcmp(argv[a], "--secret-key") == 0 ||
		    strcmp(argv[a], "-k") == 0 ||
		    strcmp(argv[a], "--host-key") == 0 ||
		    strcmp(argv[a], "-H") == 0) && a + 1 >= argc) {
			fprintf(stderr, "daytimed-audit: verify: %s needs a "
			    "file\n", argv[a]);
			free(hostkeys);
			return 2;
		}
		if (strcmp(argv[a], "--secret-key") == 0 ||
		    strcmp(argv[a], "-k") == 0)
			keyfile = argv[++a];
		else if (strncmp(argv[a], "--secret-key=", 13) == 0)
			keyfile = argv[a] + 13;
		else if (strcmp(argv[a], "--host-key") == 0 ||
		    strcmp(argv[a], "-H") == 0)
			hostkeys[nhost++] = argv[++a];
		else if (strncmp(argv[a], "--host-key=", 11) == 0)
			hostkeys[nhost++] = argv[a] + 11;
		else if (strcmp(argv[a], "--running") == 0)
			running = 1;
		else if (strcmp(argv[a], "-h") == 0 ||
		    strcmp(argv[a], "--help") == 0) {
			printf("usage: daytimed-audit verify --secret-key "
			    "SECFILE [--host-key [NAME=]PUBFILE]...\n"
			    "           [--running] [LOGFILE...]\n"
			    "Exit: 0 intact and authenticated, 1 findings, 2 "
			    "usage or key error,\n3 intact but not "
			    "authenticated (no --host-key), 4 intact but an "
			    "epoch\nended uncleanly. daytimed-audit(1).\n");
			free(hostkeys);
			return 0;
		}
		else if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "daytimed-audit: verify: unknown "
			    "option %s\n", argv[a]);
			free(hostkeys);
			return 2;
		} else
			break;
	}
	if (keyfile == NULL) {
		fprintf(stderr, "daytimed-audit: verify needs --secret-key "
		    "SECFILE\n");
		free(hostkeys);
		return 2;
	}
	if (running && nhost == 0) {
		fprintf(stderr, "daytimed-audit: verify: --running needs "
		    "--host-key: a host's last epoch is told only by its "
		    "key, not by the name in a syslog header\n");
		free(hostkeys);
		return 2;
	}
	if (verify_cmd_secret(keyfile, sk) == -1) {
		free(hostkeys);
		return 2;
	}
	crypto_scalarmult_base(pk, sk);
	if ((v = verify_new(sk, NULL, NULL)) == NULL)
		verify_cmd_nomem();
	verify_notes(v, verify_cmd_note, NULL);
	if (running)
		verify_running(v);
	sodium_memzero(sk, sizeof(sk));
	for (i = 0; i < nhost; i++)
		if (verify_cmd_hostkey(v, hostkeys[i], pk) == -1)
			rv = 2;
	if (rv == 0 && logfiles_cmd(argc - a, argv + a, stdout, &files,
	    &nfiles) == -1)
		rv = 2;
	for (i = 0; rv == 0 && i < nfiles; i++)
		if (verify_cmd_read(v, &files[i]) == -1)
			rv = 2;
	if (rv == 0) {
		if (verify_finish(v, &sum) == -1)
			verify_cmd_nomem();
		verify_cmd_report(v, &sum, nhost);
		if (sum.secret_is_public ||
		    (sum.mismatched > 0 && sum.opened == 0 && sum.rejected == 0))
			rv = 2;
		else if (sum.findings > 0)
			rv = 1;
		else if (sum.unclean > 0)
			rv = 4;
		else if (nhost == 0)
			rv = 3;
	}
	verify_free(v);
	free(files);
	free(hostkeys);
	return rv;
}

/* The auditor's secret key: a regular file, 64 hex digits, private. */
int
verify_cmd_secret(const char *path, unsigned char *sk)
{
	char buf[KEYFILE_MAX], err[512];
	struct stat st;
	size_t len;
	int rv;

	if (keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return -1;
	}
	rv = keyfile_parse(buf, len, sk, CHAIN_KEY_BYTES);
	sodium_memzero(buf, sizeof(buf));
	if (rv == -1) {
		fprintf(stderr, "daytimed-audit: %s: not %s\n", path,
		    len == 2 * KEYFILE_SIGN_SK_BYTES + 1 ? "the auditor's secret "
		    "key: it is a host's secret key (host-keygen), for the "
		    "server's 'audit signing-key'" : "a daytimed-audit key file "
		    "(expected 64 lowercase hex digits and a newline)");
		return -1;
	}
	if ((st.st_mode & 077) != 0)
		fprintf(stderr, "daytimed-audit: warning: %s is readable by "
		    "group or others (mode %04o): the auditor's secret key "
		    "should be 0600\n", path, (unsigned)(st.st_mode & 07777));
	return 0;
}

/*
 * One --host-key: PUBFILE, a host's public key (64 hex digits), or
 * NAME=PUBFILE, the key of the host whose syslog headers say NAME. A
 * NAME has no '/' (so "./a=b.pub" is a file) and is 1 to VERIFY_HOST_MAX
 * printable bytes without space.
 */
int
verify_cmd_hostkey(struct verify *v, const char *arg,
    const unsigned char *auditor)
{
	unsigned char pk[CHAIN_SIGN_PK_BYTES];
	char buf[KEYFILE_MAX], err[512], host[VERIFY_HOST_MAX + 1];
	const char *path = arg, *eq = strchr(arg, '='), *slash = strchr(arg, '/');
	struct stat st;
	size_t len, i;
	int r;

	host[0] = '\0';
	if (eq != NULL && (slash == NULL || slash > eq)) {
		len = (size_t)(eq - arg);
		for (i = 0; i < len && arg[i] > ' ' && arg[i] < 0x7f; i++)
			;
		if (len == 0 || len > VERIFY_HOST_MAX || i < len) {
			fprintf(stderr, "daytimed-audit: --host-key %s: the host "
			    "name before '=' must be 1 to %d printable "
			    "characters without space (a file whose name has "
			    "'=' is written ./NAME)\n", arg, VERIFY_HOST_MAX);
			return -1;
		}
		memcpy(host, arg, len);
		host[len] = '\0';
		path = eq + 1;
	}
	if (keyfile_read(path, buf, sizeof(buf), &len, &st, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return -1;
	}
	if (keyfile_parse(buf, len, pk, sizeof(pk)) == -1) {
		fprintf(stderr, "daytimed-audit: %s: not %s\n", path,
		    len == 2 * KEYFILE_SIGN_SK_BYTES + 1 ? "a host's public key: "
		    "it is a host's secret key; give the public one (its "
		    "PUBFILE from host-keygen)" : "a daytimed-audit key file "
		    "(expected 64 lowercase hex digits and a newline)");
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	if (sodium_memcmp(pk, auditor, CHAIN_KEY_BYTES) == 0)
		fprintf(stderr, "daytimed-audit: warning: --host-key %s is the "
		    "auditor's public key, not a host key\n", path);
	r = verify_host_key_for(v, path, host[0] != '\0' ? host : NULL, pk);
	if (r == -1)
		verify_cmd_nomem();
	if (r == -2) {
		fprintf(stderr, "daytimed-audit: --host-key %s: one key per "
		    "host: the key or the host was given already, with another "
		    "host or key\n", arg);
		return -1;
	}
	return 0;
}

/* Every line of one file into the walk. */
static int
verify_cmd_read(struct verify *v, struct logfiles_file *f)
{
	struct logread *lr;
	const char *line;
	char err[512];
	unsigned long lineno = 0;
	size_t len;
	int fd, over, r, k;

	fd = strcmp(f->path, "-") == 0 ? dup(STDIN_FILENO) :
	    open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", f->name,
		    strerror(errno));
		return -1;
	}
	if ((lr = logread_open(fd, f->name, err, sizeof(err))) == NULL) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return -1;
	}
	while ((r = logread_line(lr, &line, &len, &over, err,
	    sizeof(err))) == 1) {
		lineno++;
		k = over ? verify_line_overlong(v, f->name, lineno, line, len) :
		    verify_line(v, f->name, lineno, line, len);
		if (k == -1)
			verify_cmd_nomem();
		if (k == -2) {
			verify_cmd_over(v, f->name, lineno);
			logread_close(lr);
			return -1;
		}
	}
	if (r == -1)
		fprintf(stderr, "daytimed-audit: %s\n", err);
	logread_close(lr);
	return r == -1 ? -1 : 0;
}

/* The bound the input passed, and where. */
void
verify_cmd_over(const struct verify *v, const char *name,
    unsigned long lineno)
{
	int epochs = verify_over(v) == VERIFY_BOUND_EPOCHS;

	if (verify_over(v) == VERIFY_BOUND_RING) {
		fprintf(stderr, "daytimed-audit: %s:%lu: more than %u keys "
		    "held for the epochs not yet complete (up to %u an "
		    "epoch) in the input: not verified (verify fewer files, "
		    "or fewer hosts, at once)\n", name, lineno,
		    VERIFY_RING_SLOTS_MAX, VERIFY_RING);
		return;
	}
	fprintf(stderr, "daytimed-audit: %s:%lu: more than %u %s in the input: "
	    "not verified (verify fewer files at once)\n", name, lineno,
	    epochs ? VERIFY_EPOCHS_MAX : VERIFY_HOSTS_MAX, epochs ? "epochs" :
	    "hosts (as the syslog headers name them)");
}

/* Findings as they are, warnings marked. */
static void
verify_cmd_note(void *arg, const struct verify_note *n)
{
	(void)arg;
	printf("%s%s\n", n->kind == VERIFY_WARNING ? "warning: " : "", n->text);
}

/* "1 epoch", "2 epochs". */
static const char *
verify_cmd_s(size_t n)
{
	return n == 1 ? "" : "s";
}

/* One line per epoch, one per host, the total, how the origin stands. */
static void
verify_cmd_report(struct verify *v, const struct verify_summary *s,
    size_t nhost)
{
	struct verify_host_info hi;
	struct verify_epoch_info ei;
	char prev[LINK_TEXT_MAX], link[160];
	const char *auth;
	size_t i;

	for (i = 0; i < verify_nepochs(v); i++) {
		verify_epoch_get(v, i, &ei);
		if (!ei.has_prev)
			snprintf(link, sizeof(link), "no link");
		else if (ei.prev.kind == LINK_EPOCH &&
		    link_format(&ei.prev, prev, sizeof(prev)) > 0)
			snprintf(link, sizeof(link), "follows %s", prev);
		else
			snprintf(link, sizeof(link), "%s",
			    ei.prev.kind == LINK_NONE ? "first of its chain" :
			    "link broken");
		switch (ei.auth) {
		case VERIFY_AUTH_LISTED:
			auth = "signed by ";
			break;
		case VERIFY_AUTH_UNLISTED:
			auth = "signed by a key not given (unauthenticated)";
			break;
		case VERIFY_AUTH_BAD:
			auth = "bad signature";
			break;
		case VERIFY_AUTH_REJECTED:
			auth = "REJECTED";
			break;
		default:
			auth = "unsigned (unauthenticated)";
			break;
		}
		printf("daytimed-audit: epoch %s host %s: seq %llu..%llu, %zu "
		    "record%s, %zu verified, %s%s%s, %s, %s, %s%s\n", ei.id,
		    ei.shown, (unsigned long long)ei.first_seq,
		    (unsigned long long)ei.last_seq, ei.records,
		    verify_cmd_s(ei.records), ei.verified,
		    ei.has_time ? ei.first : "no time", ei.has_time ? " .. " : "",
		    ei.has_time ? ei.last : "", !ei.opened ? "not opened" :
		    ei.stopped ? "stopped" : "no stop record", link, auth,
		    ei.key_name != NULL ? ei.key_name : "");
	}
	for (i = 0; i < verify_nhosts(v); i++) {
		verify_host_get(v, i, &hi);
		printf("daytimed-audit: host %s: %zu epoch%s, %zu sealed "
		    "record%s, %zu verified", hi.shown,
		    hi.epochs, verify_cmd_s(hi.epochs), hi.records,
		    verify_cmd_s(hi.records), hi.verified);
		if (hi.unsealed > 0)
			printf(", %zu unsealed", hi.unsealed);
		if (hi.has_time)
			printf(", %s .. %s", hi.first, hi.last);
		if (hi.findings > 0)
			printf(": NOT intact (%lu finding%s)\n", hi.findings,
			    hi.findings == 1 ? "" : "s");
		else if (hi.records == 0)
			printf(": nothing sealed\n");
		else if (hi.unclean > 0)
			printf(": intact, %zu epoch%s ended uncleanly%s%s\n",
			    hi.unclean, verify_cmd_s(hi.unclean),
			    hi.running > 0 ? ", running" : "",
			    hi.unauthenticated > 0 ? ", unauthenticated" : "");
		else
			printf(": intact%s%s\n", hi.running > 0 ?
			    " so far, running" : "", hi.unauthenticated > 0 ?
			    ", unauthenticated" : "");
	}
	printf("daytimed-audit: %zu sealed record%s in %zu epoch%s, %zu "
	    "verified, %zu host%s: %s", s->records, verify_cmd_s(s->records),
	    s->epochs, verify_cmd_s(s->epochs), s->verified, s->hosts,
	    verify_cmd_s(s->hosts), s->findings == 0 ? "intact" : "NOT intact");
	if (s->findings == 0 && s->unclean > 0)
		printf(", %zu epoch%s ended uncleanly", s->unclean,
		    verify_cmd_s(s->unclean));
	if (s->findings == 0 && s->running > 0)
		printf(", %zu epoch%s still open (--running)", s->running,
		    verify_cmd_s(s->running));
	printf("\n");
	if (s->findings > 0)
		printf("daytimed-audit: %lu finding%s\n", s->findings,
		    s->findings == 1 ? "" : "s");
	if (s->unsealed > 0)
		printf("daytimed-audit: %zu daytimed record%s without chain "
		    "fields\n", s->unsealed, verify_cmd_s(s->unsealed));
	if (s->unclean > 0)
		printf("daytimed-audit: %zu epoch%s ended without a stop "
		    "record, as a later epoch's :run link says (a crash or a "
		    "kill, or records removed after the last position saved: "
		    "verify cannot tell which); %s records after that position "
		    "are not vouched for\n", s->unclean, verify_cmd_s(s->unclean),
		    s->unclean == 1 ? "its" : "their");
	if (nhost == 0 && s->opened > 0)
		printf("daytimed-audit: not authenticated: no --host-key given, "
		    "so anyone holding the auditor's public key could have "
		    "written these epochs\n");
	else if (nhost > 0 && s->opened > 0 && s->rejected == 0)
		printf("daytimed-audit: every epoch opened is signed by a "
		    "--host-key given\n");
}

/* Out of memory: say so and exit 2. */
static void
verify_cmd_nomem(void)
{
	fprintf(stderr, "daytimed-audit: out of memory\n");
	exit(2);
}
