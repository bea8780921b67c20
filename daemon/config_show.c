/* SPDX-License-Identifier: ISC */
/*
 * config_show: daytimed -T. The settings come from the directive table
 * (config_parse.c), in its order, each written by the show function of
 * its handler; where each was given comes from conf->origin, which the
 * parser filled row by row. A row whose handler has no show function
 * here (a directive added without one) is still listed, as a comment.
 *
 * What reaches the output is configuration text the parser accepted
 * (words without white space, '#' or control bytes) and file names,
 * which may hold anything a directory entry may: they appear only in
 * comments, with their control bytes escaped, so that no file name can
 * start a line of its own.
 */
#include "autoconf.h"

#include <sys/time.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "audit/record.h"
#include "daemon/config.h"
#include "daemon/config_parse.h"
#include "daemon/config_set.h"
#include "daemon/config_show.h"
#include "daemon/logsink.h"

#define CONFIG_SHOW_COLUMN	40	/* where the "# FILE:LINE" comments start */
#define CONFIG_SHOW_VALUE_MAX	4200	/* a value (a path, a listen text) */
#define CONFIG_SHOW_MARK	(sizeof(RECORD_CUT_MARK) - 1)
/* A shown name: a comment "# NAME:LINE" within the line limit. */
#define CONFIG_SHOW_NAME	(CONFIG_LINE_MAX - 2 - 1 - 10)
/* The header's, with its words around it. */
#define CONFIG_SHOW_HEAD_NAME	(CONFIG_LINE_MAX - 96)

/*
 * How a row's value is written: 1 with the value in buf; 0 when the
 * setting has none, with what that means in buf (written as a comment).
 */
typedef int config_show_fn(const struct config *,
    const struct config_directive *, char *buf, size_t len);

struct config_show {
	FILE		*out;
	int		 failed;
	uint64_t	 bytes;		/* written */
};

static void	config_show_printf(struct config_show *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static config_show_fn config_show_string, config_show_uint,
    config_show_facility, config_show_mode, config_show_seconds,
    config_show_choice;

/* The show function of each handler that sets a single value. */
static const struct {
	config_handler_fn	*handler;
	config_show_fn		*show;
} config_show_kinds[] = {
	{ config_set_string, config_show_string },
	{ config_set_uint, config_show_uint },
	{ config_set_facility, config_show_facility },
	{ config_set_ident_mode, config_show_mode },
	{ config_set_seconds, config_show_seconds },
	{ config_set_choice, config_show_choice },
};

/* What a setting without a value means, or the default it is written as. */
static const struct {
	const char	*key;
	const char	*value;		/* written as the value; NULL: none */
	const char	*none;		/* what having none means */
} config_show_defaults[] = {
	{ "user", NULL, "none (runs as the user that started it; refused "
	  "as root)" },
	{ "group", NULL, "the user's primary group" },
	{ "chroot", NULL, "none" },
	{ "pidfile", NULL, "none" },
	{ "syslog socket", LOG_SOCKET_DEFAULT, NULL },
	{ "audit key", NULL, "none (records are not sealed)" },
	{ "audit signing-key", NULL, "none (epochs are not signed)" },
	{ "audit state", NULL, "with an audit key, " CONFIG_AUDIT_STATE },
	{ "workers", NULL, "one per core, at most 64" },
};

static const char *const config_show_modes[] = { "always", "rules", "off" };

/* The row's key, "limit connections". */
static void
config_show_key(const struct config_directive *d, char *buf, size_t len)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < CONFIG_KEY_MAX && d->words[i] != NULL; i++) {
		n = snprintf(buf + o, len - o, "%s%s", i > 0 ? " " : "",
		    d->words[i]);
		if (n < 0 || (size_t)n >= len - o)
			return;
		o += (size_t)n;
	}
}

/* The default entry of a row, or NULL. */
static int
config_show_default(const struct config_directive *d, const char **value,
    const char **none)
{
	char key[CONFIG_NAME_MAX];
	size_t i;

	config_show_key(d, key, sizeof(key));
	for (i = 0; i < sizeof(config_show_defaults) /
	    sizeof(config_show_defaults[0]); i++)
		if (strcmp(key, config_show_defaults[i].key) == 0) {
			*value = config_show_defaults[i].value;
			*none = config_show_defaults[i].none;
			return 1;
		}
	return 0;
}

/* A field of conf, at the row's offset. */
static const void *
config_show_field(const struct config *conf, const struct config_directive *d)
{
	return (const char *)conf + d->field;
}

static int
config_show_string(const struct config *conf,
    const struct config_directive *d, char *buf, size_t len)
{
	const char *s = *(char *const *)config_show_field(conf, d);
	const char *value = NULL, *none = "none";

	size_t n;

	if (s == NULL) {
		(void)config_show_default(d, &value, &none);
		s = value;
	}
	if (s == NULL) {
		snprintf(buf, len, "%s", none);
		return 0;
	}
	/* The parser takes no control byte: this guard changes nothing. */
	n = record_escape_ctl(buf, len - 1, s, strlen(s));
	buf[n] = '\0';
	return 1;
}

static int
config_show_uint(const struct config *conf, const struct config_directive *d,
    char *buf, size_t len)
{
	const unsigned *f = config_show_field(conf, d);
	unsigned v = f[0];
	const char *value = NULL, *none = "none";

	if (d->nnum == 2) {	/* limit source-prefix V4 V6 */
		snprintf(buf, len, "%u %u", f[0], f[1]);
		return 1;
	}
	if (v == 0 && (d->flags & CONFIG_OFF)) {
		snprintf(buf, len, "off");
		return 1;
	}
	if (v == 0) {
		(void)config_show_default(d, &value, &none);
		snprintf(buf, len, "%s", none);
		return 0;
	}
	snprintf(buf, len, "%u", v);
	return 1;
}

static int
config_show_facility(const struct config *conf,
    const struct config_directive *d, char *buf, size_t len)
{
	int f = *(const int *)config_show_field(conf, d);
	const char *name;

	if (f == -1)	/* audit-facility: the facility's */
		f = conf->facility;
	name = config_facility_name(f);
	snprintf(buf, len, "%s", name != NULL ? name : "daemon");
	return 1;
}

static int
config_show_mode(const struct config *conf, const struct config_directive *d,
    char *buf, size_t len)
{
	(void)d;
	snprintf(buf, len, "%s", (size_t)conf->ident_mode <
	    sizeof(config_show_modes) / sizeof(config_show_modes[0]) ?
	    config_show_modes[conf->ident_mode] : "always");
	return 1;
}

/* SECONDS as the parser reads them: "5", "0.25". */
static int
config_show_seconds(const struct config *conf,
    const struct config_directive *d, char *buf, size_t len)
{
	const struct timeval *tv = config_show_field(conf, d);
	char frac[8];
	size_t n;

	if (tv->tv_usec == 0) {
		snprintf(buf, len, "%lld", (long long)tv->tv_sec);
		return 1;
	}
	snprintf(frac, sizeof(frac), "%06ld", (long)tv->tv_usec);
	for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(buf, len, "%lld.%s", (long long)tv->tv_sec, frac);
	return 1;
}

/* One of the row's choices, by its index ("answer", "on"). */
static int
config_show_choice(const struct config *conf,
    const struct config_directive *d, char *buf, size_t len)
{
	int v = *(const int *)config_show_field(conf, d), i;

	for (i = 0; d->choices[i] != NULL && i < v; i++)
		;
	snprintf(buf, len, "%s", d->choices[i] != NULL ? d->choices[i] :
	    d->choices[0]);
	return 1;
}

/*
 * A file name for a comment into buf (max + 1 bytes): every byte outside
 * printable ASCII as \xHH, as -t shows names; one longer than max is cut
 * and marked as records mark a cut value, so that a comment never names
 * a shorter path as if it were the file, nor passes the line limit.
 */
static void
config_show_name(char *buf, size_t max, const char *file)
{
	size_t len = strlen(file), used, n;

	n = record_escape_show(buf, max, file, len, &used);
	if (used < len) {
		n = record_escape_show(buf, max - CONFIG_SHOW_MARK, file, len,
		    NULL);
		memcpy(buf + n, RECORD_CUT_MARK, CONFIG_SHOW_MARK);
		n += CONFIG_SHOW_MARK;
	}
	buf[n] = '\0';
}

/*
 * One line: the text (a directive, or a comment), padded to the column,
 * then "# " and where it came from: FILE:LINE, or what follows "default".
 * -t holds comments to the line limit too: when both would pass it, the
 * comment goes on a line of its own, just before.
 */
static void
config_show_line(struct config_show *s, const char *text, const char *file,
    unsigned line, const char *dflt)
{
	char name[CONFIG_SHOW_NAME + 1], cmt[CONFIG_LINE_MAX + 1];
	size_t tl = strlen(text);
	int w = tl < CONFIG_SHOW_COLUMN ? CONFIG_SHOW_COLUMN - (int)tl : 1;

	if (file != NULL) {
		config_show_name(name, sizeof(name) - 1, file);
		snprintf(cmt, sizeof(cmt), "# %s:%u", name, line);
	} else if (dflt != NULL)
		snprintf(cmt, sizeof(cmt), "# default: %s", dflt);
	else
		snprintf(cmt, sizeof(cmt), "# default");
	if (tl + (size_t)w + strlen(cmt) > CONFIG_LINE_MAX)
		config_show_printf(s, "%s\n%s\n", cmt, text);
	else
		config_show_printf(s, "%s%*s%s\n", text, w, "", cmt);
}

/*
 * After a rule whose user name holds a byte outside printable ASCII
 * (printed as it is, so that the line reads back the same): a comment
 * showing every byte, as a terminal would not (a bidi override, a
 * no-break space). -t warns of the same name.
 */
static void
config_show_odd_user(struct config_show *s, const unsigned char *u,
    size_t len)
{
	char esc[4 * ACL_USER_MAX + 1];
	size_t i, n;

	for (i = 0; i < len && u[i] >= 0x20 && u[i] < 0x7f; i++)
		;
	if (i == len)
		return;
	n = record_escape_show(esc, sizeof(esc) - 1, u, len, NULL);
	esc[n] = '\0';
	config_show_printf(s, "# the user name above, byte by byte: '%s'\n", esc);
}

/* Every listen line, where it was given. */
static void
config_show_listens(struct config_show *s, const struct config *conf)
{
	char text[CONFIG_SHOW_VALUE_MAX];
	size_t i;

	for (i = 0; i < conf->nlistens; i++) {
		snprintf(text, sizeof(text), "listen %s%s",
		    conf->listens[i].text, conf->listens[i].proxy ?
		    " proxy" : "");
		config_show_line(s, text, conf->listen_file[i] != NULL ?
		    conf->listen_file[i] : conf->file, conf->listens[i].line,
		    NULL);
	}
}

/* Every trusted proxy netblock, where it was given; or what none means. */
static void
config_show_proxies(struct config_show *s, const struct config *conf)
{
	char cidr[ACL_PREFIX_STRLEN], text[ACL_PREFIX_STRLEN + 8];
	size_t i;

	if (conf->nproxies == 0)
		config_show_line(s, "# proxy", NULL, 0, "none (no PROXY "
		    "header is trusted)");
	for (i = 0; i < conf->nproxies; i++) {
		if (acl_prefix_format(&conf->proxies[i], cidr,
		    sizeof(cidr)) == -1) {
			s->failed = 1;
			continue;
		}
		snprintf(text, sizeof(text), "proxy %s", cidr);
		config_show_line(s, text, conf->proxy_seen[i].file,
		    conf->proxy_seen[i].line, NULL);
	}
}

/* One setting row: "KEY VALUE # where", or "# KEY # default: meaning". */
static void
config_show_setting(struct config_show *s, const struct config *conf,
    const struct config_directive *d, const struct config_seen *where)
{
	char key[CONFIG_NAME_MAX], value[CONFIG_SHOW_VALUE_MAX];
	char text[CONFIG_NAME_MAX + CONFIG_SHOW_VALUE_MAX + 4];
	config_show_fn *show = NULL;
	size_t i;
	int set;

	for (i = 0; i < sizeof(config_show_kinds) /
	    sizeof(config_show_kinds[0]); i++)
		if (config_show_kinds[i].handler == d->handler)
			show = config_show_kinds[i].show;
	config_show_key(d, key, sizeof(key));
	if (show == NULL) {
		snprintf(text, sizeof(text), "# %s", key);
		config_show_line(s, text, where->file, where->line,
		    "(not shown by -T)");
		return;
	}
	set = show(conf, d, value, sizeof(value));
	if (!set && d->field == offsetof(struct config, workers)) {
		/* the count this host gives, the meaning in the comment */
		snprintf(text, sizeof(text), "%s %u", key,
		    config_workers(conf));
		config_show_line(s, text, NULL, 0, value);
		return;
	}
	if (set)
		snprintf(text, sizeof(text), "%s %s", key, value);
	else
		snprintf(text, sizeof(text), "# %s", key);
	if (where->file != NULL)
		config_show_line(s, text, where->file, where->line, NULL);
	else if (d->field == offsetof(struct config, audit_facility))
		config_show_line(s, text, NULL, 0, "as syslog facility");
	else
		config_show_line(s, text, NULL, 0, set ? NULL : value);
}

/* The rules of one netblock: its "*" rule, then its user rules. */
static void
config_show_block(void *arg, const struct acl_prefix *net,
    const struct acl_rule *rules, size_t n)
{
	struct config_show *s = arg;
	char text[ACL_PREFIX_STRLEN + ACL_USER_MAX + 32], cidr[ACL_PREFIX_STRLEN];
	size_t i;
	int len;

	if (acl_prefix_format(net, cidr, sizeof(cidr)) == -1) {
		s->failed = 1;
		return;
	}
	config_show_printf(s, "\n# %s\n", cidr);
	for (i = 0; i < n; i++) {
		const struct acl_rule *r = &rules[i];

		len = snprintf(text, sizeof(text), "%s %s%s%.*s",
		    r->action == ACL_ALLOW ? "allow" : "deny", cidr,
		    r->has_user ? " user " : "", (int)r->userlen,
		    r->has_user ? (const char *)r->user : "");
		if (len < 0 || (size_t)len >= sizeof(text)) {
			s->failed = 1;
			continue;
		}
		config_show_line(s, text, r->file, r->line, NULL);
		if (r->has_user)
			config_show_odd_user(s, r->user, r->userlen);
	}
}

/* daytimed -T. */
int
config_show(const struct config *conf, FILE *out, uint64_t *written)
{
	static const struct config_seen none = { NULL, 0 };
	const struct config_directive *table;
	struct config_show s = { out, 0, 0 };
	char esc[CONFIG_SHOW_HEAD_NAME + 1];
	size_t n, i;

	config_show_name(esc, sizeof(esc) - 1, conf->file);
	config_show_printf(&s, "# daytimed -T: the effective configuration of %s "
	    "(%zu file%s read).\n# Every setting with its value and where it "
	    "was given (FILE:LINE, or default);\n# includes expanded; rules "
	    "grouped by netblock, the most specific first.\n", esc,
	    conf->nfiles, conf->nfiles == 1 ? "" : "s");
	table = config_parse_table(&n);
	for (i = 0; i < n; i++) {
		const struct config_directive *d = &table[i];

		if (d->handler == config_set_listen)
			config_show_listens(&s, conf);
		else if (d->handler == config_set_proxy)
			config_show_proxies(&s, conf);
		else if (d->handler == config_set_rule ||
		    (d->flags & CONFIG_FILES))
			continue;	/* the rules follow; includes are read */
		else
			config_show_setting(&s, conf, d, conf->origin != NULL ?
			    &conf->origin[i] : &none);
	}
	config_show_printf(&s, "\n# rules: %zu in %zu IPv4 and %zu IPv6 netblocks\n",
	    conf->stats.rules, conf->stats.v4_blocks, conf->stats.v6_blocks);
	if (acl_each(conf->acl, config_show_block, &s) == -1)
		s.failed = 1;
	if (fflush(out) == EOF || ferror(out))
		s.failed = 1;
	if (written != NULL)
		*written = s.bytes;
	return s.failed ? -1 : 0;
}

/* fprintf to the output, counted. */
static void
config_show_printf(struct config_show *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(s->out, fmt, ap);
	va_end(ap);
	if (n < 0)
		s->failed = 1;
	else
		s->bytes += (uint64_t)n;
}
