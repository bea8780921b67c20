/* SPDX-License-Identifier: ISC */
/*
 * report_cmd: `daytimed-audit report`, the command around the report:
 * options, log files (stdin when none), the chain verifier when a secret
 * key is given, and the page or the JSON document on standard output.
 *
 *   report [--config FILE] [--daytimed PATH] [--since T] [--until T]
 *          [--secret-key SECFILE [--host-key [NAME=]PUBFILE]...] [--json]
 *          [--top N] [--width N] [--cap N] [LOGFILE...]
 *
 * Log files are chosen and ordered as `verify` does (logfiles_cmd.c: each
 * once, stdin first, then oldest first) and read by logread (gzip as it
 * is, lines bounded), each line going to the report and, with a key, to
 * the verifier: the same walk as `verify`, whose hosts and epochs head
 * the page.
 *
 * Exit: 0 the report was written; 1 it was written and the sealed records
 * do not verify (only with --secret-key); 2 a usage error, an unreadable
 * file or key, or no memory.
 */
#include "autoconf.h"

#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "compat/compat.h"
#include "audit/chain.h"
#include "audit/logfiles.h"
#include "audit/logfiles_cmd.h"
#include "audit/logread.h"
#include "audit/record.h"
#include "audit/report.h"
#include "audit/report_cmd.h"
#include "audit/report_config.h"
#include "audit/report_time.h"
#include "audit/verify.h"
#include "audit/verify_cmd.h"

#define REPORT_FINDINGS_SHOWN	20	/* findings quoted on the page */

/* What the options say. */
struct report_args {
	struct report_opts	 o;
	const char		*config;
	const char		*daytimed;
	const char		*keyfile;
	const char		**hostkeys;	/* argc of them at most */
	size_t			 nhostkeys;
	int			 json;
	int			 running;	/* --running */
	int			 first;		/* argv index of the first file */
};

static int	report_cmd_args(int, char **, struct report_args *);
static int	report_cmd_number(const char *, const char *, size_t, size_t,
		    size_t *);
static int	report_cmd_time(const char *, const char *, int64_t *);
static int	report_cmd_read(struct report *, struct verify *,
		    const struct logfiles_file *);
static void	report_cmd_note(void *, const struct verify_note *);
static size_t	report_cmd_ascii(char *, const char *, size_t);
static int	report_cmd_verified(struct verify *, struct report_check *);
static void	report_cmd_check_free(struct report_check *);
static void	report_cmd_usage(FILE *);
static int	report_cmd_nomem(void);

/* The command: read everything, then print. */
int
report_cmd(int argc, char **argv)
{
	unsigned char sk[CHAIN_KEY_BYTES], pk[CHAIN_KEY_BYTES];
	struct report_check check;
	struct report_args a;
	struct verify *v = NULL;
	struct report *r = NULL;
	struct logfiles_file *files = NULL;
	size_t i, nfiles = 0;
	int rv = 0;

	memset(&check, 0, sizeof(check));
	if (report_cmd_args(argc, argv, &a) == -1) {
		free(a.hostkeys);
		return 2;
	}
	if (a.keyfile != NULL) {
		if (verify_cmd_secret(a.keyfile, sk) == -1) {
			free(a.hostkeys);
			return 2;
		}
		crypto_scalarmult_base(pk, sk);
		v = verify_new(sk, NULL, NULL);
		sodium_memzero(sk, sizeof(sk));
		if (v == NULL) {
			free(a.hostkeys);
			return report_cmd_nomem();
		}
		verify_notes(v, report_cmd_note, &check);
		if (a.running)
			verify_running(v);
		check.keyed = 1;
		check.hostkeys = a.nhostkeys;
		for (i = 0; i < a.nhostkeys; i++)
			if (verify_cmd_hostkey(v, a.hostkeys[i], pk) == -1)
				rv = 2;
	}
	if (rv == 0 && (r = report_new(&a.o)) == NULL)
		rv = report_cmd_nomem();
	if (rv == 0 && a.config != NULL &&
	    report_config_load(r, a.daytimed, a.config) == -1)
		rv = report_cmd_nomem();
	/* verify's files in verify's order: the page's chain is verify's */
	if (rv == 0 && logfiles_cmd(argc - a.first, argv + a.first, stderr,
	    &files, &nfiles) == -1)
		rv = 2;
	for (i = 0; rv == 0 && i < nfiles; i++)
		rv = report_cmd_read(r, v, &files[i]);
	if (rv == 0 && v != NULL) {
		if (report_cmd_verified(v, &check) == -1)
			rv = report_cmd_nomem();
		report_set_check(r, &check);
	}
	if (rv == 0 && (a.json ? report_json(r, stdout) :
	    report_print(r, stdout)) == -1) {
		fprintf(stderr, "daytimed-audit: report: cannot write the "
		    "report: %s\n", strerror(errno));
		rv = 2;
	}
	if (rv == 0 && check.keyed && check.findings > 0)
		rv = 1;
	report_cmd_check_free(&check);
	report_free(r);
	verify_free(v);
	free(files);
	free(a.hostkeys);
	return rv;
}

/* The walk's end: its numbers, hosts and epochs into check. -1: no memory. */
static int
report_cmd_verified(struct verify *v, struct report_check *c)
{
	struct verify_summary sum;
	struct verify_host_info hi;
	struct verify_epoch_info ei;
	size_t i;

	if (verify_finish(v, &sum) == -1)
		return -1;
	c->records = sum.records;
	c->epochs = sum.epochs;
	c->verified = sum.verified;
	c->findings = sum.findings;
	c->warnings = sum.warnings;
	c->key_mismatch = sum.mismatched > 0 && sum.opened == 0;
	c->secret_is_public = sum.secret_is_public;
	c->unauthenticated = sum.unauthenticated;
	c->unclean = sum.unclean;
	c->running = sum.running;
	c->unsealed = sum.unsealed;
	c->nhosts = verify_nhosts(v);
	c->nep = verify_nepochs(v);
	if ((c->hosts = calloc(c->nhosts + 1, sizeof(*c->hosts))) == NULL ||
	    (c->ep = calloc(c->nep + 1, sizeof(*c->ep))) == NULL)
		return -1;
	for (i = 0; i < c->nhosts; i++) {
		verify_host_get(v, i, &hi);
		if ((c->hosts[i].name = strdup(hi.name)) == NULL)
			return -1;
		c->hosts[i].epochs = hi.epochs;
		c->hosts[i].records = hi.records;
		c->hosts[i].verified = hi.verified;
		c->hosts[i].findings = hi.findings;
		c->hosts[i].unauthenticated = hi.unauthenticated;
		c->hosts[i].first_ep = SIZE_MAX;
	}
	for (i = 0; i < c->nep; i++) {
		verify_epoch_get(v, i, &ei);
		memcpy(c->ep[i].id, ei.id, sizeof(c->ep[i].id));
		c->ep[i].host = verify_epoch_host(v, i);
		c->ep[i].records = ei.records;
		c->ep[i].verified = ei.verified;
		c->ep[i].findings = ei.findings;
		c->ep[i].opened = ei.opened;
		c->ep[i].stopped = ei.stopped;
		c->ep[i].unclean = ei.unclean;
		c->ep[i].running = ei.running;
		c->ep[i].auth = (int)ei.auth;
		if (ei.key_name != NULL &&
		    (c->ep[i].signer = strdup(ei.key_name)) == NULL)
			return -1;
	}
	/* each host's epochs in order, linked: the page walks them once */
	for (i = c->nep; i-- > 0;) {
		c->ep[i].next_ep = c->hosts[c->ep[i].host].first_ep;
		c->hosts[c->ep[i].host].first_ep = i;
	}
	return 0;
}

/* Free what report_cmd_verified and the notes kept. */
static void
report_cmd_check_free(struct report_check *c)
{
	size_t i;

	for (i = 0; i < c->ntext; i++)
		free(c->text[i]);
	free(c->text);
	for (i = 0; c->hosts != NULL && i < c->nhosts; i++)
		free(c->hosts[i].name);
	free(c->hosts);
	for (i = 0; c->ep != NULL && i < c->nep; i++)
		free(c->ep[i].signer);
	free(c->ep);
}

/* The options; -1 (said why) on a usage error. */
static int
report_cmd_args(int argc, char **argv, struct report_args *a)
{
	struct timeval tv;
	const char *opt, *val;
	char sa[REPORT_TIME_TEXT], ua[REPORT_TIME_TEXT], name[32];
	size_t nl, n;
	int i;

	memset(a, 0, sizeof(*a));
	if ((a->hostkeys = calloc((size_t)argc + 1, sizeof(*a->hostkeys))) ==
	    NULL) {
		(void)report_cmd_nomem();
		return -1;
	}
	gettimeofday(&tv, NULL);
	a->o.now_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	a->o.since_us = a->o.until_us = REPORT_TIME_NONE;
	a->o.cap = REPORT_CAP_DEFAULT;
	a->o.top = REPORT_TOP_DEFAULT;
	a->o.width = REPORT_WIDTH_DEFAULT;
	a->daytimed = SBINDIR "/daytimed";
	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		}
		if (opt[0] != '-' || opt[1] == '\0')
			break;
		if (strcmp(opt, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (strcmp(opt, "--running") == 0) {
			a->running = 1;
			continue;
		}
		if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			report_cmd_usage(stdout);
			exit(0);
		}
		if ((val = strchr(opt, '=')) != NULL && opt[1] == '-') {
			/* --name=value */
			nl = (size_t)(val - opt);
			if (nl >= sizeof(name))
				goto unknown;
			memcpy(name, opt, nl);
			name[nl] = '\0';
			opt = name;
			val++;
		} else if (i + 1 < argc)
			val = argv[++i];
		else {
			fprintf(stderr, "daytimed-audit: report: %s needs a "
			    "value\n", opt);
			goto usage;
		}
		if (strcmp(opt, "--config") == 0 || strcmp(opt, "-c") == 0)
			a->config = val;
		else if (strcmp(opt, "--daytimed") == 0)
			a->daytimed = val;
		else if (strcmp(opt, "--secret-key") == 0 ||
		    strcmp(opt, "-k") == 0)
			a->keyfile = val;
		else if (strcmp(opt, "--host-key") == 0 ||
		    strcmp(opt, "-H") == 0)
			a->hostkeys[a->nhostkeys++] = val;
		else if (strcmp(opt, "--since") == 0) {
			if (report_cmd_time(opt, val, &a->o.since_us) == -1)
				goto usage;
		} else if (strcmp(opt, "--until") == 0) {
			if (report_cmd_time(opt, val, &a->o.until_us) == -1)
				goto usage;
		} else if (strcmp(opt, "--top") == 0) {
			if (report_cmd_number(opt, val, 1, 1000, &a->o.top) == -1)
				goto usage;
		} else if (strcmp(opt, "--width") == 0) {
			if (report_cmd_number(opt, val, REPORT_WIDTH_MIN,
			    REPORT_WIDTH_MAX, &n) == -1)
				goto usage;
			a->o.width = (int)n;
		} else if (strcmp(opt, "--cap") == 0) {
			if (report_cmd_number(opt, val, REPORT_CAP_MIN,
			    REPORT_CAP_MAX, &a->o.cap) == -1)
				goto usage;
		} else
			goto unknown;
	}
	a->first = i;
	if (a->nhostkeys > 0 && a->keyfile == NULL) {
		fprintf(stderr, "daytimed-audit: report: --host-key needs "
		    "--secret-key\n");
		goto usage;
	}
	if (a->running && a->nhostkeys == 0) {
		fprintf(stderr, "daytimed-audit: report: --running needs "
		    "--secret-key and --host-key\n");
		goto usage;
	}
	if (a->o.since_us != REPORT_TIME_NONE &&
	    a->o.until_us != REPORT_TIME_NONE &&
	    a->o.since_us >= a->o.until_us) {
		report_time_format(sa, sizeof(sa), a->o.since_us, 0);
		report_time_format(ua, sizeof(ua), a->o.until_us, 0);
		fprintf(stderr, "daytimed-audit: report: --since %s is not "
		    "before --until %s: the period is empty\n", sa, ua);
		goto usage;
	}
	return 0;
unknown:
	nl = record_escape(sa, sizeof(sa), opt, strnlen(opt, 20));
	fprintf(stderr, "daytimed-audit: report: unknown option %.*s\n",
	    (int)nl, sa);
usage:
	report_cmd_usage(stderr);
	return -1;
}

/* A number option between lo and hi. */
static int
report_cmd_number(const char *opt, const char *val, size_t lo, size_t hi,
    size_t *out)
{
	unsigned long long v;

	if (compat_parse_uint(val, strlen(val), hi, &v) == -1 || v < lo) {
		fprintf(stderr, "daytimed-audit: report: %s wants a number "
		    "from %zu to %zu\n", opt, lo, hi);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* A --since or --until time. */
static int
report_cmd_time(const char *opt, const char *val, int64_t *out)
{
	char esc[64];

	if (report_time_arg(val, out) == 0)
		return 0;
	record_escape(esc, sizeof(esc), val, strlen(val));
	fprintf(stderr, "daytimed-audit: report: %s %s: not a time "
	    "(YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] local, or RFC 3339)\n", opt,
	    esc);
	return -1;
}

/* Every line of one file ("-": stdin) into the report and the verifier. */
static int
report_cmd_read(struct report *r, struct verify *v,
    const struct logfiles_file *f)
{
	struct logread *lr;
	const char *path = f->path, *name = f->name;
	const char *line;
	char err[512];
	unsigned long lineno = 0;
	size_t len;
	int fd, over, k, vr;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) :
	    open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		fprintf(stderr, "daytimed-audit: %s: %s\n", name,
		    strerror(errno));
		return 2;
	}
	if ((lr = logread_open(fd, name, err, sizeof(err))) == NULL) {
		fprintf(stderr, "daytimed-audit: %s\n", err);
		return 2;
	}
	while ((k = logread_line(lr, &line, &len, &over, err,
	    sizeof(err))) == 1) {
		lineno++;
		vr = v == NULL ? 0 : over ? verify_line_overlong(v, name,
		    lineno, line, len) : verify_line(v, name, lineno, line, len);
		if (report_line(r, name, lineno, line, len, over) == -1 ||
		    vr == -1) {
			logread_close(lr);
			return report_cmd_nomem();
		}
		if (vr == -2) {
			verify_cmd_over(v, name, lineno);
			logread_close(lr);
			return 2;
		}
	}
	if (k == -1)
		fprintf(stderr, "daytimed-audit: %s\n", err);
	logread_close(lr);
	return k == -1 ? 2 : 0;
}

/* Keep the first findings (escaped) for the page; verify counts them all. */
static void
report_cmd_note(void *arg, const struct verify_note *n)
{
	struct report_check *c = arg;
	char **p;
	size_t len = strlen(n->text), o;

	if (n->kind != VERIFY_FINDING || c->ntext >= REPORT_FINDINGS_SHOWN)
		return;
	if ((p = realloc(c->text, (c->ntext + 1) * sizeof(*p))) == NULL)
		return;
	c->text = p;
	if ((p[c->ntext] = malloc(4 * len + 1)) == NULL)
		return;
	o = report_cmd_ascii(p[c->ntext], n->text, len);
	p[c->ntext][o] = '\0';
	c->ntext++;
}

/*
 * A finding's text for the page (dst: 4 * len bytes): printable ASCII as
 * it is, every other byte \xHH. Its host names and values are escaped
 * already; its file names are the command line's, which may come from a
 * remote host's name (rsyslog's per-host directories) and hold a C1
 * control or a bidi override.
 */
static size_t
report_cmd_ascii(char *dst, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			dst[o++] = (char)s[i];
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[s[i] >> 4];
		dst[o++] = hex[s[i] & 0xf];
	}
	return o;
}

/* The synopsis. */
static void
report_cmd_usage(FILE *f)
{
	fprintf(f,
	    "usage: daytimed-audit report [--config FILE] [--daytimed PATH]\n"
	    "           [--since T] [--until T] [--secret-key SECFILE\n"
	    "           [--host-key [NAME=]PUBFILE]... [--running]] [--json]\n"
	    "           [--top N] [--width N] [--cap N] [LOGFILE...]\n"
	    "The auditor's page: what daytimed's records say, one page of\n"
	    "text (or one JSON document), from syslog files or stdin.\n"
	    "T: YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" (local) or RFC 3339.\n"
	    "Exit: 0 written, 1 written and the records do not verify,\n"
	    "2 usage or read error.\n");
}

/* Out of memory: say so. */
static int
report_cmd_nomem(void)
{
	fprintf(stderr, "daytimed-audit: report: out of memory\n");
	return 2;
}
