/* SPDX-License-Identifier: ISC */
/*
 * report_config: the configuration's rules, for the rules the traffic
 * shows are dead (--config).
 *
 * Where the rules come from: `daytimed -T -c FILE`, run as a child (fork
 * and exec, no shell, its output through a pipe), rather than a second
 * reader of the configuration grammar here. The daemon's own parser is
 * the only one that knows every directive as it is today (include and
 * its globs and relative paths, list files, IPv4-mapped netblocks, the
 * ownership checks of a start), and the FILE:LINE and netblock texts it
 * prints are made by the same code that writes them into the records, so
 * a rule matches its hits byte for byte. A second parser would drift
 * from the first with every new directive and would have to repeat the
 * daemon's RFC 5952 formatting to match a single IPv6 netblock. The cost
 * is a process boundary (bounded: the output is read line by line, with
 * a cap on lines kept and a deadline) and the need for the daytimed
 * binary on the machine that makes the report (--daytimed PATH; the
 * package installs both). A configuration that fails is no reason to
 * fail the report: the section says why it is missing, in the daemon's
 * words.
 *
 * What is read of -T's output: the lines "allow|deny NETBLOCK [user
 * NAME]  # FILE:LINE", one per rule (list files' entries included), the
 * FILE with its control bytes written \xHH (record_escape_ctl) and NAME
 * the word the parser took. Every other line (settings, comments) is
 * skipped. report_config_line is that reader, pure.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat/compat.h"
#include "audit/record_parse.h"
#include "audit/report_config.h"
#include "audit/report_int.h"
#include "audit/report_print.h"

#define REPORT_CONF_LINE	8192		/* bytes of one -T line kept */
#define REPORT_CONF_DEADLINE_MS	30000		/* for daytimed -T to finish */

static int	report_config_token(const char *, size_t, size_t *, size_t *,
		    size_t *);
static long	report_config_unescape(char *, size_t, const char *, size_t);
static int	report_config_add(struct report *, const struct report_crule *);
static int	report_config_keep(struct report *, const char *, size_t);
static int	report_config_take(struct report *, const char *, size_t);
static int	report_config_read(struct report *, int, pid_t);
static int	report_config_run(struct report *, const char *, const char *);
static void	report_config_why(struct report *, const char *, size_t);
static int	report_config_next(const struct report *, size_t *,
		    const char **);
static int	report_config_dead(struct report *, const char *const *);
static int	report_config_all_default(const struct report_entry *);

/* The next space-separated token of (s, len) from *i: [*b, *e). */
static int
report_config_token(const char *s, size_t len, size_t *i, size_t *b,
    size_t *e)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i == len || s[*i] == '#')
		return -1;
	*b = *i;
	while (*i < len && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '#')
		(*i)++;
	*e = *i;
	return 0;
}

/* One line of `daytimed -T`: 1 a rule in *out, 0 another line, -1 bad. */
int
report_config_line(const char *s, size_t len, struct report_crule *out)
{
	size_t i = 0, b, e, c, colon;
	unsigned long long line;
	long n;

	memset(out, 0, sizeof(*out));
	if (report_config_token(s, len, &i, &b, &e) == -1)
		return 0;
	if (e - b == 5 && memcmp(s + b, "allow", 5) == 0)
		out->deny = 0;
	else if (e - b == 4 && memcmp(s + b, "deny", 4) == 0)
		out->deny = 1;
	else
		return 0;
	if (report_config_token(s, len, &i, &b, &e) == -1)
		return -1;
	if (e - b == 4 && memcmp(s + b, "file", 4) == 0)
		return 0;	/* a list file: -T shows its entries as rules */
	if (e - b >= sizeof(out->net) || memchr(s + b, '\0', e - b) != NULL)
		return -1;
	memcpy(out->net, s + b, e - b);
	out->netlen = e - b;
	if (report_config_token(s, len, &i, &b, &e) == 0) {
		/* "user NAME": NAME as the parser took it, a word */
		if (e - b != 4 || memcmp(s + b, "user", 4) != 0 ||
		    report_config_token(s, len, &i, &b, &e) == -1 ||
		    e - b >= sizeof(out->user) ||
		    memchr(s + b, '\0', e - b) != NULL)
			return -1;
		if (!(e - b == 1 && s[b] == '*')) {
			memcpy(out->user, s + b, e - b);
			out->userlen = e - b;
			out->has_user = 1;
		}
		if (report_config_token(s, len, &i, &b, &e) == 0)
			return -1;
	}
	/* the comment is FILE:LINE, FILE's control bytes written \xHH */
	if (i == len || s[i] != '#')
		return -1;
	for (b = i + 1; b < len && (s[b] == ' ' || s[b] == '\t'); b++)
		;
	for (c = len; c > b && (s[c - 1] == ' ' || s[c - 1] == '\t'); c--)
		;
	if ((n = report_config_unescape(out->rule, sizeof(out->rule), s + b,
	    c - b)) <= 0)
		return -1;
	for (colon = (size_t)n; colon > 0 && out->rule[colon - 1] != ':';
	    colon--)
		;
	if (colon <= 1 || compat_parse_uint(out->rule + colon,
	    (size_t)n - colon, UINT32_MAX, &line) == -1)
		return -1;
	out->rulelen = (size_t)n;
	return 1;
}

/*
 * FILE:LINE as -T writes it (record_escape_ctl: \xHH for control bytes,
 * every other byte as it is) back to its bytes; a quoted value (the
 * record's form) is read as record_parse reads it. Its length, or -1.
 */
static long
report_config_unescape(char *dst, size_t dstlen, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct record_fields f;
	char buf[REPORT_CONF_LINE + 4];
	const char *h, *l;
	size_t i, o = 0;

	if (len > 0 && s[0] == '"') {
		if (len + 2 > sizeof(buf))
			return -1;
		memcpy(buf, "k=", 2);
		memcpy(buf + 2, s, len);
		if (record_parse(buf, len + 2, &f, NULL) == -1 || f.n != 1)
			return -1;
		return record_parse_value(dst, dstlen, &f.f[0]);
	}
	for (i = 0; i < len; i++, o++) {
		if (o == dstlen || s[i] == '\0')
			return -1;
		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    (h = memchr(hex, s[i + 2], 16)) != NULL &&
		    (l = memchr(hex, s[i + 3], 16)) != NULL &&
		    (((h - hex) << 4 | (l - hex)) < 0x20 ||
		    ((h - hex) << 4 | (l - hex)) == 0x7f)) {
			dst[o] = (char)((h - hex) << 4 | (l - hex));
			i += 3;
		} else
			dst[o] = s[i];
	}
	return (long)o;
}

/* Keep one rule: its text, and pinned entries for what it counts. */
static int
report_config_add(struct report *r, const struct report_crule *c)
{
	char key[REPORT_KEY_MAX];
	struct report_entry *e;
	size_t kl;

	if (r->conf.rules >= REPORT_CONF_RULES_MAX) {
		r->conf.dropped++;
		return 0;
	}
	if (report_config_keep(r, c->deny ? "d" : "a", 1) == -1 ||
	    report_config_keep(r, c->rule, c->rulelen) == -1 ||
	    report_config_keep(r, c->net, c->netlen) == -1 ||
	    report_config_keep(r, c->user, c->userlen) == -1)
		return -1;
	r->conf.rules++;
	kl = report_join(key, sizeof(key), c->rule, c->rulelen, c->net, c->netlen);
	if ((e = report_table_pin(r->rules, key, kl)) == NULL)
		return -1;
	e->flags = REPORT_F_CONFIG | (c->deny ? REPORT_F_DENY : 0) |
	    (c->has_user ? REPORT_F_USER : 0);
	if ((e = report_table_pin(r->nets, c->net, c->netlen)) == NULL)
		return -1;
	e->flags |= REPORT_F_CONFIG;
	if (!c->has_user)
		return 0;
	if (report_table_pin(r->users, c->net, c->netlen) == NULL)
		return -1;
	kl = report_join(key, sizeof(key), c->net, c->netlen, c->user, c->userlen);
	return report_table_pin(r->users, key, kl) == NULL ? -1 : 0;
}

/* Append (s, len) and a NUL to the rules' text. */
static int
report_config_keep(struct report *r, const char *s, size_t len)
{
	size_t ncap;
	char *p;

	if (r->conf.textlen + len + 1 > r->conf.textcap) {
		ncap = r->conf.textcap ? r->conf.textcap : 4096;
		while (ncap < r->conf.textlen + len + 1)
			ncap *= 2;
		if ((p = realloc(r->conf.text, ncap)) == NULL)
			return -1;
		r->conf.text = p;
		r->conf.textcap = ncap;
	}
	memcpy(r->conf.text + r->conf.textlen, s, len);
	r->conf.text[r->conf.textlen + len] = '\0';
	r->conf.textlen += len + 1;
	return 0;
}

/* Whether (net, name) is a user rule's; name NULL: any user rule there. */
int
report_config_user(struct report *r, const char *net, size_t netlen,
    const char *name, size_t namelen)
{
	char key[REPORT_KEY_MAX];
	size_t kl;

	if (name == NULL)
		return report_table_find(r->users, net, netlen) != NULL;
	if (netlen + 1 + namelen > sizeof(key))
		return 0;
	kl = report_join(key, sizeof(key), net, netlen, name, namelen);
	return report_table_find(r->users, key, kl) != NULL;
}

/* Keep (s, len), escaped, as part of why the rules are missing. */
static void
report_config_why(struct report *r, const char *s, size_t len)
{
	size_t have = strlen(r->conf.why), n;

	if (have + 8 >= sizeof(r->conf.why))
		return;
	if (have > 0) {
		memcpy(r->conf.why + have, " / ", 4);
		have += 3;
	}
	n = record_escape_ctl(r->conf.why + have,
	    sizeof(r->conf.why) - have - 1, s, len);
	r->conf.why[have + n] = '\0';
}

/* One line of output: a rule, or a line kept for why (errors first). */
static int
report_config_take(struct report *r, const char *s, size_t len)
{
	struct report_crule c;
	int k;

	if ((k = report_config_line(s, len, &c)) == 1)
		return report_config_add(r, &c);
	if (k == -1)
		r->conf.unread++;
	else if (memmem(s, len, "error", 5) != NULL || r->conf.why[0] == '\0')
		report_config_why(r, s, len);
	return 0;
}

/*
 * Run daytimed -T -c file and read its rules. The file as given: -T
 * makes a relative name absolute as the daemon does (by the working
 * directory, its links kept, daytimed(8) -c), so the same name the
 * daemon was given names the rules as its records do. No realpath(3):
 * through a symbolic link the daemon reads the includes beside the link.
 */
int
report_config_load(struct report *r, const char *daytimed, const char *file)
{
	r->conf.file = file;
	return report_config_run(r, daytimed, file);
}

/* The child daytimed -T -c file, and its output read. */
static int
report_config_run(struct report *r, const char *daytimed, const char *file)
{
	pid_t pid;
	int p[2], st, rc;

	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(r->conf.why, sizeof(r->conf.why), "pipe: %s",
		    strerror(errno));
		return 0;
	}
	if ((pid = fork()) == -1) {
		snprintf(r->conf.why, sizeof(r->conf.why), "fork: %s",
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		/* the child: -T's output and its diagnostics into the pipe */
		if (dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(p[1], STDERR_FILENO) == -1)
			_exit(127);
		execl(daytimed, daytimed, "-T", "-c", file, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", daytimed,
		    strerror(errno));
		_exit(127);
	}
	close(p[1]);
	rc = report_config_read(r, p[0], pid);
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (rc == -2)
		snprintf(r->conf.why, sizeof(r->conf.why), "%s -T did not "
		    "finish within %d s", daytimed,
		    REPORT_CONF_DEADLINE_MS / 1000);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		r->conf.ok = 1;
	else if (r->conf.why[0] == '\0')
		snprintf(r->conf.why, sizeof(r->conf.why), "%s -T failed "
		    "(%s %d)", daytimed, WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return rc == -1 ? -1 : 0;
}

/*
 * Read the child's output line by line until EOF, within the deadline
 * (past it the child is killed: -2). Lines longer than the buffer are
 * skipped whole. -1: out of memory.
 */
static int
report_config_read(struct report *r, int fd, pid_t pid)
{
	char buf[REPORT_CONF_LINE], *nl;
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec t0, t1;
	size_t have = 0, used, ll;
	ssize_t got;
	long left;
	int skip = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = REPORT_CONF_DEADLINE_MS - ((t1.tv_sec - t0.tv_sec) *
		    1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			kill(pid, SIGKILL);	/* the child we started */
			return -2;
		}
		if ((got = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
			return 0;
		if (got <= 0)
			continue;	/* the deadline's check, above */
		got = read(fd, buf + have, sizeof(buf) - have);
		if (got == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		for (used = 0; (nl = memchr(buf + used, '\n', have - used)) !=
		    NULL; used += ll + 1) {
			ll = (size_t)(nl - (buf + used));
			if (!skip && report_config_take(r, buf + used, ll) == -1)
				return -1;
			skip = 0;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == sizeof(buf)) {
			if (!skip)
				r->conf.unread++;
			skip = 1;
			have = 0;
		}
	}
	if (have > 0 && !skip && report_config_take(r, buf, have) == -1)
		return -1;
	return 0;
}

/* The next kept rule from *off: its action, FILE:LINE, netblock, user. */
static int
report_config_next(const struct report *r, size_t *off, const char **v)
{
	int i;

	if (*off >= r->conf.textlen)
		return 0;
	for (i = 0; i < 4; i++) {
		v[i] = r->conf.text + *off;
		*off += strlen(v[i]) + 1;
	}
	return 1;
}

/* Whether a kept rule had no hit in the period. */
static int
report_config_dead(struct report *r, const char *const *v)
{
	char key[REPORT_KEY_MAX];
	struct report_entry *e;
	size_t kl;

	kl = report_join(key, sizeof(key), v[1], strlen(v[1]), v[2],
	    strlen(v[2]));
	return (e = report_table_find(r->rules, key, kl)) != NULL &&
	    e->count == 0;
}

/* Whether a netblock of the configuration saw only default denies. */
static int
report_config_all_default(const struct report_entry *e)
{
	return (e->flags & REPORT_F_CONFIG) && e->err == 0 && e->count > 0 &&
	    e->n[REPORT_DEFAULT] == e->count;
}

/* The rules that decided nothing, and the netblocks only denied. */
int
report_print_config(FILE *f, struct report *r)
{
	char esc[REPORT_ESC], text[REPORT_ESC + 64];
	struct report_entry *e;
	const char *v[4];
	size_t off = 0, n, i, dead = 0;
	int col;

	fprintf(f, "\nRules that decided nothing in the period\n");
	if (r->conf.file == NULL) {
		fprintf(f, "  (give --config FILE to check the rules)\n");
		return 0;
	}
	if (!r->conf.ok) {
		fprintf(f, "  not available: %s -T could not read ",
		    "daytimed");
		(void)report_print_text(f, r->o.width, r->o.width, 4,
		    report_print_esc(esc, r->conf.file, strlen(r->conf.file)));
		fputc('\n', f);
		(void)report_print_text(f, r->o.width, r->o.width, 4, r->conf.why);
		fputc('\n', f);
		return 0;
	}
	fprintf(f, "  the rules of");
	(void)report_print_text(f, r->o.width, 14, 14, report_print_esc(esc, r->conf.file,
	    strlen(r->conf.file)));
	fputc('\n', f);
	while (report_config_next(r, &off, v)) {
		if (!report_config_dead(r, v))
			continue;
		dead++;
		snprintf(text, sizeof(text), "%s %s", v[0][0] == 'd' ? "deny" :
		    "allow", v[2]);
		fprintf(f, "  %-5s", v[0][0] == 'd' ? "deny" : "allow");
		col = report_print_text(f, r->o.width, 7, 7, report_print_esc(esc, v[2],
		    strlen(v[2])));
		if (v[3][0] != '\0') {
			snprintf(text, sizeof(text), "user %s",
			    report_print_esc(esc, v[3], strlen(v[3])));
			col = report_print_text(f, r->o.width, col, 7, text);
		}
		(void)report_print_text(f, r->o.width, col, 7, report_print_esc(esc, v[1],
		    strlen(v[1])));
		fputc('\n', f);
	}
	fprintf(f, "  %zu of %zu rule%s decided nothing\n", dead,
	    r->conf.rules, r->conf.rules == 1 ? "" : "s");
	if (r->conf.dropped > 0 || r->conf.unread > 0)
		fprintf(f, "  (%zu rules past the cap of %d not checked, %zu "
		    "lines of daytimed -T not read)\n", r->conf.dropped,
		    REPORT_CONF_RULES_MAX, r->conf.unread);

	fprintf(f, "\nNetblocks whose traffic all went to the default deny\n");
	e = report_table_entries(r->nets, &n);
	for (i = 0, dead = 0; i < n; i++) {
		if (!report_config_all_default(&e[i]))
			continue;
		dead++;
		fprintf(f, "  %10" PRIu64 " ", e[i].count);
		(void)report_print_text(f, r->o.width, 13, 13, report_print_esc(esc,
		    e[i].key, e[i].keylen));
		fputc('\n', f);
	}
	if (dead == 0)
		fprintf(f, "  none\n");
	return 0;
}

/* The same as a JSON member. */
int
report_json_config(FILE *f, struct report *r)
{
	struct report_entry *e;
	const char *v[4];
	size_t off = 0, n, i, k = 0;

	fputs(",\n\"config\": {\"file\": ", f);
	if (r->conf.file == NULL) {
		fputs("null, \"available\": false, \"why\": null}", f);
		return 0;
	}
	report_json_bytes(f, r->conf.file, strlen(r->conf.file));
	fprintf(f, ", \"available\": %s, \"why\": ", r->conf.ok ? "true" :
	    "false");
	if (r->conf.ok)
		fputs("null", f);
	else
		report_json_str(f, r->conf.why);
	fprintf(f, ", \"rules\": %zu, \"rules_not_checked\": %zu, "
	    "\"lines_unread\": %zu, \"dead_rules\": [", r->conf.rules,
	    r->conf.dropped, r->conf.unread);
	while (r->conf.ok && report_config_next(r, &off, v)) {
		if (!report_config_dead(r, v))
			continue;
		fputs(k++ > 0 ? ",\n  " : "\n  ", f);
		fputs("{\"rule\": ", f);
		report_json_bytes(f, v[1], strlen(v[1]));
		fprintf(f, ", \"action\": \"%s\", \"netblock\": ",
		    v[0][0] == 'd' ? "deny" : "allow");
		report_json_bytes(f, v[2], strlen(v[2]));
		fputs(", \"user\": ", f);
		if (v[3][0] == '\0')
			fputs("null", f);
		else
			report_json_bytes(f, v[3], strlen(v[3]));
		fputs("}", f);
	}
	fputs("], \"default_deny_netblocks\": [", f);
	e = report_table_entries(r->nets, &n);
	for (i = 0, k = 0; r->conf.ok && i < n; i++) {
		if (!report_config_all_default(&e[i]))
			continue;
		fputs(k++ > 0 ? ", " : "", f);
		fputs("{\"netblock\": ", f);
		report_json_bytes(f, e[i].key, e[i].keylen);
		fprintf(f, ", \"count\": %" PRIu64 "}", e[i].count);
	}
	fputs("]}", f);
	return 0;
}
