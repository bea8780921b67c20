/* SPDX-License-Identifier: ISC */
/*
 * config_parse: the tokenizer, the table of directives, the dispatcher
 * that checks a line against its row, and the reading of the files
 * directives name (include in config_include.c, list files in
 * config_list.c); the bounds on diagnostics shown are config_diag.c's.
 * Adding a directive is adding a row to config_parse_directives and,
 * when none in config_set.c fits, a handler. The table (one row a
 * directive, with its bounds) is kept whole in one place to be read.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/config_include.h"
#include "daemon/config_list.h"
#include "daemon/config_parse.h"
#include "daemon/config_set.h"
#include "daemon/config_word.h"

#define F(f)		offsetof(struct config, f)
#define NUMBER(lo, hi)	1, { { (lo), (hi) } }
#define NUMBERS(lo1, hi1, lo2, hi2) 2, { { (lo1), (hi1) }, { (lo2), (hi2) } }
#define ONCE		CONFIG_ONCE
#define ABS		CONFIG_ABSOLUTE
#define LIMIT		(CONFIG_ONCE | CONFIG_LISTED | CONFIG_OFF)
#define CONFIG_PARSE_XSTR(x)	#x
#define CONFIG_PARSE_STR(x)	CONFIG_PARSE_XSTR(x)

static void	config_parse_key(const struct config_directive *, char *,
		    size_t);

/* Choices in the order of the value they set (config_set_choice). */
static const char *const config_parse_udp_choices[] = {
	"ignore", "answer", NULL
};
static const char *const config_parse_onoff[] = {
	"off", "on", NULL
};

/*
 * Every directive. The dispatcher takes the row with the longest key that
 * matches, so "proxy timeout" may sit beside "proxy"; rows sharing a
 * first word with CONFIG_LISTED are listed when the second word is wrong.
 */
static const struct config_directive config_parse_directives[] = {
	/* key, usage, flags, min and max arguments, handler, field, numbers */
	{ { "listen" }, "tcp|udp ADDRESS:PORT [proxy]", 0, 2, 3,
	  config_set_listen },
	{ { "allow" }, "NETBLOCK [user NAME]", 0, 1, 3, config_set_rule,
	  .value = ACL_ALLOW },
	{ { "deny" }, "NETBLOCK [user NAME]", 0, 1, 3, config_set_rule,
	  .value = ACL_DENY },
	{ { "allow", "file" }, "PATH", CONFIG_FILES, 1, 1, config_list_file,
	  .value = ACL_ALLOW },
	{ { "deny", "file" }, "PATH", CONFIG_FILES, 1, 1, config_list_file,
	  .value = ACL_DENY },
	{ { "include" }, "PATTERN", CONFIG_FILES, 1, 1, config_include },
	{ { "user" }, "NAME", ONCE, 1, 1, config_set_string, F(user) },
	{ { "group" }, "NAME", ONCE, 1, 1, config_set_string, F(group) },
	{ { "chroot" }, "DIR", ONCE | ABS, 1, 1, config_set_string,
	  F(chroot) },
	{ { "pidfile" }, "PATH", ONCE | ABS, 1, 1, config_set_string,
	  F(pidfile) },
	{ { "syslog", "facility" }, "NAME", ONCE, 1, 1, config_set_facility,
	  F(facility) },
	{ { "syslog", "audit-facility" }, "NAME", ONCE, 1, 1,
	  config_set_facility, F(audit_facility) },
	{ { "syslog", "socket" }, "PATH", ONCE | ABS, 1, 1, config_set_string,
	  F(syslog_socket) },
	{ { "ident", "mode" }, "always|rules|off", ONCE, 1, 1,
	  config_set_ident_mode },
	{ { "ident", "timeout" }, "SECONDS", ONCE, 1, 1, config_set_seconds,
	  F(ident_timeout) },
	{ { "ident", "port" }, "PORT", ONCE, 1, 1, config_set_uint,
	  F(ident_port), NUMBER(1, 65535) },
	{ { "limit", "connections" }, "N|off", LIMIT, 1, 1, config_set_uint,
	  F(limit_connections), NUMBER(1, 1000000) },
	{ { "limit", "per-source" }, "N|off", LIMIT, 1, 1, config_set_uint,
	  F(limit_per_source), NUMBER(1, 1000000) },
	{ { "limit", "rate" }, "N|off", LIMIT, 1, 1, config_set_uint,
	  F(limit_rate), NUMBER(1, 1000000) },
	{ { "limit", "udp-rate" }, "N|off", LIMIT, 1, 1, config_set_uint,
	  F(limit_udp_rate), NUMBER(1, 1000000) },
	{ { "limit", "udp-total" }, "N|off", LIMIT, 1, 1, config_set_uint,
	  F(limit_udp_total), NUMBER(1, 1000000) },
	{ { "limit", "source-prefix" }, "V4 V6", ONCE | CONFIG_LISTED, 2, 2,
	  config_set_uint, F(source_prefix), NUMBERS(1, 32, 1, 128) },
	{ { "audit", "key" }, "PATH", ONCE | ABS | CONFIG_LISTED, 1, 1,
	  config_set_string, F(audit_key) },
	{ { "audit", "signing-key" }, "PATH", ONCE | ABS | CONFIG_LISTED, 1, 1,
	  config_set_string, F(audit_signing_key) },
	{ { "audit", "state" }, "PATH", ONCE | ABS | CONFIG_LISTED, 1, 1,
	  config_set_string, F(audit_state) },
	{ { "proxy" }, "NETBLOCK", 0, 1, 1, config_set_proxy },
	{ { "proxy", "timeout" }, "SECONDS", ONCE, 1, 1, config_set_seconds,
	  F(proxy_timeout) },
	{ { "workers" }, "N", ONCE, 1, 1, config_set_uint, F(workers),
	  NUMBER(1, 64) },
	{ { "udp", "privileged-sources" }, "answer|ignore", ONCE, 1, 1,
	  config_set_choice, F(udp_privileged_ports),
	  .choices = config_parse_udp_choices },
	{ { "seccomp" }, "on|off", ONCE, 1, 1, config_set_choice, F(seccomp),
	  .choices = config_parse_onoff },
};

#undef F
#undef NUMBER
#undef NUMBERS
#undef ONCE
#undef ABS
#undef LIMIT

#define CONFIG_PARSE_NDIRECTIVES \
	(sizeof(config_parse_directives) / sizeof(config_parse_directives[0]))

/* The table, for tests. */
const struct config_directive *
config_parse_table(size_t *n)
{
	*n = CONFIG_PARSE_NDIRECTIVES;
	return config_parse_directives;
}

/* The row whose key is key's words, or -1. */
int
config_parse_row(const char *key)
{
	char k[CONFIG_NAME_MAX];
	size_t i;

	for (i = 0; i < CONFIG_PARSE_NDIRECTIVES; i++) {
		config_parse_key(&config_parse_directives[i], k, sizeof(k));
		if (strcmp(k, key) == 0)
			return (int)i;
	}
	return -1;
}

/* Start a parse: the once-bookkeeping has one slot per table row. */
int
config_parse_begin(struct config_parse *p, enum config_parse_mode mode,
    const struct config_loader *loader, config_diag_fn *diag, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->loader = loader;
	p->diag = diag;
	p->diag_arg = arg;
	if ((p->seen = calloc(CONFIG_PARSE_NDIRECTIVES,
	    sizeof(*p->seen))) == NULL) {
		config_parse_report(p, 1, NULL, 0, "out of memory");
		return -1;
	}
	return 0;
}

/* Parse file, from buf when given, else through the loader. */
void
config_parse_run(struct config_parse *p, const char *file, const char *buf,
    size_t len)
{
	static const struct config_file_id none;

	if (buf != NULL)
		config_parse_text(p, file, buf, len, &none);
	else
		config_include_file(p, file, NULL);
}

/* How many files were read. */
size_t
config_parse_nfiles(const struct config_parse *p)
{
	return p->nfiles;
}

/* Free the parse's file names, bookkeeping and any unfinished build. */
void
config_parse_end(struct config_parse *p)
{
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		free(p->files[i].name);
	free(p->files);
	free(p->seen);
	if (p->build != NULL)
		acl_build_free(p->build);
	memset(p, 0, sizeof(*p));
}

/* The monitor's walk: every include followed, no setting kept. */
void
config_parse_files(const char *file, const struct config_loader *loader)
{
	struct config_parse p;

	if (config_parse_begin(&p, CONFIG_PARSE_FILES, loader, NULL,
	    NULL) == -1)
		return;
	config_parse_run(&p, file, NULL, 0);
	config_parse_end(&p);
}

/* Remember a file name for the life of the parse; rules point at it. */
static const char *
config_parse_intern(struct config_parse *p, const char *name)
{
	struct config_parse_file *f;

	if (p->nfiles >= CONFIG_FILES_MAX)
		return NULL;
	if ((f = reallocarray(p->files, p->nfiles + 1, sizeof(*f))) == NULL)
		return NULL;
	p->files = f;
	f += p->nfiles;
	memset(f, 0, sizeof(*f));
	if ((f->name = strdup(name)) == NULL)
		return NULL;
	return p->files[p->nfiles++].name;
}

/* Why a file could not be interned. */
static const char *
config_parse_intern_error(const struct config_parse *p)
{
	return p->nfiles >= CONFIG_FILES_MAX ?
	    "too many configuration files (at most " 
	    CONFIG_PARSE_STR(CONFIG_FILES_MAX) ")" : "out of memory";
}

/* Read a file a directive names (a list file); its name interned. */
const char *
config_parse_read(struct config_parse *p, const struct config_line *l,
    const char *what, const char *path, char **buf, size_t *len)
{
	struct config_file_id id;
	char err[1280], show[160];
	const char *file;

	*buf = NULL;
	*len = 0;
	config_word_show_str(path, show, sizeof(show));
	if (p->loader == NULL) {
		config_parse_report(p, 1, l->file, l->line,
		    "%s is not allowed here", what);
		return NULL;
	}
	if (p->loader->read(p->loader->arg, path, buf, len, &id, err,
	    sizeof(err)) == -1) {
		config_parse_report(p, 1, l->file, l->line, "%s %s: %s", what,
		    show, err);
		return NULL;
	}
	if ((file = config_parse_intern(p, path)) == NULL) {
		config_parse_report(p, 1, l->file, l->line, "%s %s: %s", what,
		    show, config_parse_intern_error(p));
		free(*buf);
		*buf = NULL;
		return NULL;
	}
	return file;
}

/*
 * A path as a directive names it: absolute as is, relative against the
 * directory of the file that names it.
 */
int
config_parse_path(const char *from, const struct config_token *arg,
    char *buf, size_t len)
{
	const char *slash = strrchr(from, '/');
	int pl = arg->len > 0 && arg->s[0] == '/' ? 0 :
	    slash == NULL ? 0 : (int)(slash - from) + 1;
	int n = snprintf(buf, len, "%.*s%.*s", pl, from, (int)arg->len, arg->s);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* The directive's key as messages name it: "limit connections". */
static void
config_parse_key(const struct config_directive *d, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < CONFIG_KEY_MAX && d->words[i] != NULL; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i > 0 ? " " : "",
		    d->words[i]);

		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/*
 * The directive as errors name it: a string setting with its argument
 * ("user NAME", "audit key PATH"), any other by its key ("workers").
 */
void
config_parse_name(const struct config_directive *d, char *buf, size_t len)
{
	char key[CONFIG_NAME_MAX];

	config_parse_key(d, key, sizeof(key));
	if (d->handler != config_set_string ||
	    snprintf(buf, len, "%s %s", key, d->usage) >= (int)len)
		snprintf(buf, len, "%s", key);
}

/* usage: KEY ARGUMENTS */
void
config_parse_usage(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	char key[CONFIG_NAME_MAX];

	config_parse_key(d, key, sizeof(key));
	config_parse_report(p, 1, l->file, l->line, "usage: %s %s", key,
	    d->usage);
}

/* The row whose key matches the most leading words, or NULL. */
static const struct config_directive *
config_parse_match(const struct config_token *tok, size_t ntok)
{
	const struct config_directive *d, *best = NULL;
	size_t i, k, bestk = 0;

	for (i = 0; i < CONFIG_PARSE_NDIRECTIVES; i++) {
		d = &config_parse_directives[i];
		for (k = 0; k < CONFIG_KEY_MAX && d->words[k] != NULL; k++)
			if (k >= ntok || !config_word_eq(&tok[k], d->words[k]))
				break;
		if ((k == CONFIG_KEY_MAX || d->words[k] == NULL) && k > bestk) {
			best = d;
			bestk = k;
		}
	}
	return best;
}

/* How many words the row's key has. */
static size_t
config_parse_nwords(const struct config_directive *d)
{
	size_t k;

	for (k = 0; k < CONFIG_KEY_MAX && d->words[k] != NULL; k++)
		;
	return k;
}

/* No row matched: name the word, or list the family ("unknown limit"). */
static void
config_parse_unknown(struct config_parse *p, const char *file, unsigned line,
    const struct config_token *tok, size_t ntok)
{
	char show[80], list[256];
	size_t i, o = 0;

	list[0] = '\0';
	for (i = 0; ntok >= 2 && i < CONFIG_PARSE_NDIRECTIVES; i++) {
		const struct config_directive *d = &config_parse_directives[i];
		int n;

		if (!(d->flags & CONFIG_LISTED) ||
		    !config_word_eq(&tok[0], d->words[0]))
			continue;
		n = snprintf(list + o, sizeof(list) - o, "%s%s",
		    o > 0 ? ", " : "", d->words[1]);
		if (n < 0 || (size_t)n >= sizeof(list) - o)
			break;
		o += (size_t)n;
	}
	if (o > 0 && !config_word_is_name(&tok[1])) {
		config_parse_report(p, 1, file, line, "unknown %.*s (a word of "
		    "%zu bytes that is not a name; not shown) (%s)",
		    (int)tok[0].len, tok[0].s, tok[1].len, list);
		return;
	}
	if (o > 0) {
		config_word_show(&tok[1], show, sizeof(show));
		config_parse_report(p, 1, file, line, "unknown %.*s '%s' (%s)",
		    (int)tok[0].len, tok[0].s, show, list);
		return;
	}
	/* Not a name: some other file's line, never echoed. */
	if (!config_word_is_name(&tok[0])) {
		config_parse_report(p, 1, file, line, "unknown directive (a "
		    "word of %zu bytes that is not a name; not shown)",
		    tok[0].len);
		return;
	}
	config_word_show(&tok[0], show, sizeof(show));
	config_parse_report(p, 1, file, line, "unknown directive '%s'", show);
}

/* Whether the argument is one of the row's choices. */
static int
config_parse_chosen(const struct config_directive *d,
    const struct config_token *arg)
{
	size_t i;

	for (i = 0; d->choices[i] != NULL; i++)
		if (config_word_eq(arg, d->choices[i]))
			return 1;
	return 0;
}

/* A once-directive given before is an error naming the first. */
static int
config_parse_once(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	struct config_seen *s = &p->seen[d - config_parse_directives];
	char name[CONFIG_NAME_MAX];

	if (s->file != NULL) {
		config_parse_name(d, name, sizeof(name));
		config_parse_report(p, 1, l->file, l->line,
		    "'%s' given twice (first at %s:%u)", name, s->file, s->line);
		return -1;
	}
	s->file = l->file;
	s->line = l->line;
	return 0;
}

/* The row's numeric arguments, each within its bounds. */
static int
config_parse_numbers(struct config_parse *p, const struct config_directive *d,
    struct config_line *l)
{
	char name[CONFIG_NAME_MAX], show[80];
	size_t i;

	for (i = 0; i < d->nnum && i < l->narg; i++) {
		const struct config_range *r = &d->num[i];
		int off = (d->flags & CONFIG_OFF) != 0;

		if (off && config_word_eq(&l->arg[i], "off")) {
			l->num[i] = 0;	/* no limit */
			continue;
		}
		if (compat_parse_uint(l->arg[i].s, l->arg[i].len, r->max,
		    &l->num[i]) == 0 && l->num[i] >= r->min)
			continue;
		config_parse_name(d, name, sizeof(name));
		config_word_show(&l->arg[i], show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "%s must be %sa number from %llu to %llu, not '%s'", name,
		    off ? "off or " : "", r->min, r->max, show);
		return -1;
	}
	return 0;
}

/*
 * One line: match its key, then check in a fixed order what the row
 * declares (argument count and choices, once, numbers) and hand the rest
 * to the row's handler. In the FILES mode, only rows that read files run.
 */
static void
config_parse_line(struct config_parse *p, const char *file, unsigned line,
    const struct config_token *tok, size_t ntok)
{
	const struct config_directive *d = config_parse_match(tok, ntok);
	struct config_line l;
	size_t k;

	if (p->mode == CONFIG_PARSE_FILES &&
	    (d == NULL || !(d->flags & CONFIG_FILES)))
		return;
	if (d == NULL) {
		config_parse_unknown(p, file, line, tok, ntok);
		return;
	}
	k = config_parse_nwords(d);
	memset(&l, 0, sizeof(l));
	l.file = file;
	l.line = line;
	l.arg = tok + k;
	l.narg = ntok - k;
	if (l.narg < d->amin || l.narg > d->amax ||
	    (d->choices != NULL && !config_parse_chosen(d, &l.arg[0]))) {
		config_parse_usage(p, d, &l);
		return;
	}
	if ((d->flags & CONFIG_ONCE) && config_parse_once(p, d, &l) == -1)
		return;
	if (config_parse_numbers(p, d, &l) == -1)
		return;
	d->handler(p, d, &l);
}

/*
 * Split the text into lines and lines into tokens. Every line is checked
 * for length, NUL and control bytes, comments included, before any
 * directive sees it.
 */
void
config_parse_text(struct config_parse *p, const char *name, const char *buf,
    size_t len, const struct config_file_id *id)
{
	struct config_token tok[CONFIG_TOKENS_MAX + 1];
	struct config_frame *f;
	const char *file;
	size_t pos = 0, ntok, i, comment;
	unsigned line = 0;

	if ((file = config_parse_intern(p, name)) == NULL) {
		config_parse_report(p, 1, name, 0, "%s",
		    config_parse_intern_error(p));
		return;
	}
	f = &p->stack[p->depth++];
	f->file = file;
	f->id = *id;
	while (pos < len) {
		const char *l = buf + pos, *nl;
		size_t ll;
		int bad = 0;

		line++;
		nl = memchr(l, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - l) : len - pos;
		pos += ll + (nl != NULL);
		if (ll > 0 && l[ll - 1] == '\r')
			ll--;	/* a file saved with CRLF line ends */
		if (ll > CONFIG_LINE_MAX) {
			config_parse_report(p, 1, file, line,
			    "line too long (%zu bytes, at most %d)", ll,
			    CONFIG_LINE_MAX);
			continue;
		}
		for (comment = ll, i = 0; i < ll; i++) {
			unsigned char c = (unsigned char)l[i];

			if (c == '#' && comment == ll)
				comment = i;
			if (c == '\0') {
				config_parse_report(p, 1, file, line,
				    "NUL byte in line");
				bad = 1;
				break;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				config_parse_report(p, 1, file, line,
				    "control byte \\x%02x in line", c);
				bad = 1;
				break;
			}
		}
		if (bad)
			continue;
		/* the comment, if any, is gone */
		ntok = config_word_split(l, comment, tok, CONFIG_TOKENS_MAX);
		if (ntok > CONFIG_TOKENS_MAX) {
			config_parse_report(p, 1, file, line, "too many words");
			continue;
		}
		if (ntok > 0)
			config_parse_line(p, file, line, tok, ntok);
	}
	p->depth--;
}
