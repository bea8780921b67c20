/* SPDX-License-Identifier: ISC */
/*
 * config: every directive, its error paths with exact messages and
 * FILE:LINE, includes through an in-memory loader, and hostile bytes.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/loader.h"
#include "tests/unit/suites.h"

#define DIAG_MAX	64
#define LISTEN		"listen tcp 127.0.0.1:13\n"

struct diag {
	int		 is_error;
	char		 file[256];
	unsigned	 line;
	char		 msg[1024];
};

struct collect {
	struct diag	 d[DIAG_MAX];
	size_t		 n;		/* all heard, even beyond DIAG_MAX */
	size_t		 errors;
};

struct memfile {
	const char	*name;
	const char	*text;		/* NULL: reading it fails */
};

struct memfs {
	const struct memfile	*files;
	size_t			 nfiles;
	int			 nreads;
};

static size_t	fmt(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* snprintf that fails the test rather than truncate; the length. */
static size_t
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_lt((size_t)n, len);
	return (size_t)n;
}

/* The diag callback: keep each diagnostic for exact comparison. */
static void
collect_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct collect *c = arg;
	struct diag *d;

	if (is_error)
		c->errors++;
	if (c->n++ >= DIAG_MAX)
		return;
	d = &c->d[c->n - 1];
	d->is_error = is_error;
	d->file[0] = '\0';
	if (file != NULL)
		fmt(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	ck_assert_uint_lt(strlen(msg), sizeof(d->msg));
	fmt(d->msg, sizeof(d->msg), "%s", msg);
}

/* Assert diagnostic i exactly. */
static void
expect(const struct collect *c, size_t i, int is_error, const char *file,
    unsigned line, const char *msg)
{
	ck_assert_uint_lt(i, c->n);
	ck_assert_int_eq(c->d[i].is_error, is_error);
	ck_assert_str_eq(c->d[i].file, file);
	ck_assert_uint_eq(c->d[i].line, line);
	ck_assert_str_eq(c->d[i].msg, msg);
}

/* Parse text as the file "t.conf". */
static struct config *
parse(struct collect *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	return config_parse_buffer("t.conf", text, strlen(text), collect_diag,
	    c);
}

/* Parse text of explicit length (NUL bytes inside). */
static struct config *
parse_len(struct collect *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	return config_parse_buffer("t.conf", text, len, collect_diag, c);
}

/* qsort order of file names, as glob(3) sorts. */
static int
mem_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* glob over the in-memory files: fnmatch as glob(3) does, sorted. */
static int
mem_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	struct memfs *fs = arg;
	size_t i;

	*names = NULL;
	*n = 0;
	if (strstr(pattern, "EIO") != NULL) {
		fmt(err, errlen, "cannot read directory");
		errno = EIO;
		return -1;
	}
	for (i = 0; i < fs->nfiles; i++) {
		if (fnmatch(pattern, fs->files[i].name, FNM_PATHNAME |
		    FNM_PERIOD) != 0)
			continue;
		*names = realloc(*names, (*n + 1) * sizeof(**names));
		ck_assert_ptr_nonnull(*names);
		(*names)[*n] = strdup(fs->files[i].name);
		ck_assert_ptr_nonnull((*names)[*n]);
		(*n)++;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), mem_cmp);
	return 0;
}

/* read from the in-memory files. */
static int
mem_read(void *arg, const char *name, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct memfs *fs = arg;
	size_t i;

	fs->nreads++;
	for (i = 0; i < fs->nfiles; i++) {
		if (strcmp(fs->files[i].name, name) != 0)
			continue;
		if (fs->files[i].text == NULL) {
			fmt(err, errlen, "cannot open: Permission denied");
			return -1;
		}
		*len = strlen(fs->files[i].text);
		*buf = malloc(*len + 1);
		ck_assert_ptr_nonnull(*buf);
		memcpy(*buf, fs->files[i].text, *len + 1);
		return 0;
	}
	fmt(err, errlen, "cannot open: No such file or directory");
	return -1;
}

/* config_load over an in-memory file set. */
static struct config *
load(struct collect *c, struct memfs *fs, const char *main,
    const struct memfile *files, size_t nfiles)
{
	struct config_loader l = { mem_glob, mem_read, NULL };

	memset(c, 0, sizeof(*c));
	memset(fs, 0, sizeof(*fs));
	fs->files = files;
	fs->nfiles = nfiles;
	l.arg = fs;
	return config_load(main, &l, collect_diag, c);
}

#define NFILES(a)	(sizeof(a) / sizeof((a)[0]))

/* One bad line after a good listen: exactly this error at t.conf:2. */
static void
expect_one_error(const char *line, const char *msg)
{
	struct collect c;
	struct config *conf;
	char text[8192];

	ck_assert_int_lt(snprintf(text, sizeof(text), "%s%s\n", LISTEN, line),
	    (int)sizeof(text));
	conf = parse(&c, text);
	ck_assert_msg(conf == NULL, "accepted: %s", line);
	ck_assert_msg(c.n == 1, "%zu diagnostics for '%s' (first '%s')", c.n,
	    line, c.n > 0 ? c.d[0].msg : "");
	expect(&c, 0, 1, "t.conf", 2, msg);
}

/* ------------------------------------------------------------------ */
/* directives */

START_TEST(test_defaults)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN);

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->file, "t.conf");
	ck_assert_uint_eq(conf->nlistens, 1);
	ck_assert_ptr_null(conf->user);
	ck_assert_ptr_null(conf->group);
	ck_assert_ptr_null(conf->chroot);
	ck_assert_ptr_null(conf->pidfile);
	ck_assert_ptr_null(conf->syslog_socket);
	ck_assert_ptr_null(conf->audit_key);
	ck_assert_int_eq(conf->facility, LOG_DAEMON);
	ck_assert_int_eq(conf->ident_mode, IDENT_MODE_ALWAYS);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 5);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 0);
	ck_assert_uint_eq(conf->ident_port, 113);
	ck_assert_uint_eq(conf->limit_connections, 0);
	ck_assert_uint_eq(conf->limit_per_source, 0);
	ck_assert_uint_eq(conf->limit_udp_rate, 0);
	ck_assert_int_eq(conf->udp_privileged_ports, 0);
	ck_assert_uint_eq(conf->workers, 0);
	ck_assert_ptr_nonnull(conf->acl);
	ck_assert_uint_eq(conf->stats.rules, 0);
	ck_assert_uint_eq(conf->nfiles, 1);
	config_free(conf);
}
END_TEST

START_TEST(test_every_directive)
{
	struct collect c;
	struct config *conf = parse(&c,
	    "# a full configuration\n"
	    LISTEN
	    "user daytime\n"
	    "group nogroup\n"
	    "chroot /var/empty\n"
	    "pidfile /run/daytimed.pid\n"
	    "syslog facility local7\n"
	    "syslog socket /var/run/log\n"
	    "ident mode rules\n"
	    "ident timeout 0.5\n"
	    "ident port 1113\n"
	    "limit connections 1000000\n"
	    "limit per-source 1\n"
	    "limit udp-rate 20\n"
	    "audit key /etc/daytimed/audit.pub\n"
	    "workers 64\n"
	    "udp privileged-sources answer\n"
	    "deny 127.0.0.1 user mallory\n"
	    "allow 127.0.0.0/8\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "daytime");
	ck_assert_str_eq(conf->group, "nogroup");
	ck_assert_str_eq(conf->chroot, "/var/empty");
	ck_assert_str_eq(conf->pidfile, "/run/daytimed.pid");
	ck_assert_int_eq(conf->facility, LOG_LOCAL7);
	ck_assert_str_eq(conf->syslog_socket, "/var/run/log");
	ck_assert_int_eq(conf->ident_mode, IDENT_MODE_RULES);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 0);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 500000);
	ck_assert_uint_eq(conf->ident_port, 1113);
	ck_assert_uint_eq(conf->limit_connections, 1000000);
	ck_assert_uint_eq(conf->limit_per_source, 1);
	ck_assert_uint_eq(conf->limit_udp_rate, 20);
	ck_assert_str_eq(conf->audit_key, "/etc/daytimed/audit.pub");
	ck_assert_uint_eq(conf->workers, 64);
	ck_assert_int_eq(conf->udp_privileged_ports, 1);
	ck_assert_uint_eq(conf->stats.rules, 2);
	ck_assert_uint_eq(conf->stats.v4_blocks, 2);
	ck_assert_uint_eq(conf->stats.v6_blocks, 0);
	config_free(conf);
}
END_TEST

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

START_TEST(test_facility)
{
	struct collect c;
	struct config *conf;
	char text[128];

	fmt(text, sizeof(text), LISTEN "syslog facility %s\n",
	    facilities[_i].name);
	conf = parse(&c, text);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(conf->facility, facilities[_i].facility);
	ck_assert_int_eq(config_facility(facilities[_i].name),
	    facilities[_i].facility);
	config_free(conf);
}
END_TEST

START_TEST(test_facility_names)
{
	ck_assert_int_eq(config_facility("kern"), -1);
	ck_assert_int_eq(config_facility("DAEMON"), -1);
	ck_assert_int_eq(config_facility(""), -1);
	ck_assert_int_eq(config_facility("local8"), -1);
}
END_TEST

static const struct {
	const char	*text;
	long		 sec, usec;
} good_timeouts[] = {
	{ "5", 5, 0 }, { "0.5", 0, 500000 }, { "0.001", 0, 1000 },
	{ "300", 300, 0 }, { "300.0", 300, 0 }, { "300.000000", 300, 0 },
	{ "1.5", 1, 500000 }, { "1.234567", 1, 234567 }, { "0.25", 0, 250000 },
	{ "007", 7, 0 }, { "2.000001", 2, 1 },
};

START_TEST(test_ident_timeout_good)
{
	struct collect c;
	struct config *conf;
	char text[128];

	fmt(text, sizeof(text), LISTEN "ident timeout %s\n",
	    good_timeouts[_i].text);
	conf = parse(&c, text);
	ck_assert_msg(conf != NULL, "rejected %s", good_timeouts[_i].text);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(conf->ident_timeout.tv_sec, good_timeouts[_i].sec);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, good_timeouts[_i].usec);
	config_free(conf);
}
END_TEST

static const char *const bad_timeouts[] = {
	"0.0001", "301", "1.2345678", "0", "0.0", "0.000999", "300.000001",
	".5", "5.", "-1", "+1", "1e3", "1,5", "0x10", "1.2.3", "1.-5",
	"99999999999999999999999", "inf", "5s",
};

START_TEST(test_ident_timeout_bad)
{
	char line[128], msg[256];

	fmt(line, sizeof(line), "ident timeout %s", bad_timeouts[_i]);
	fmt(msg, sizeof(msg), "ident timeout must be from 0.001 to 300 "
	    "seconds (up to 6 decimals), not '%s'", bad_timeouts[_i]);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_ident_modes)
{
	static const char *const m[] = { "always", "rules", "off" };
	static const enum ident_mode v[] = { IDENT_MODE_ALWAYS,
	    IDENT_MODE_RULES, IDENT_MODE_OFF };
	struct collect c;
	struct config *conf;
	char text[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		fmt(text, sizeof(text), LISTEN "ident mode %s\n", m[i]);
		conf = parse(&c, text);
		ck_assert_ptr_nonnull(conf);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_int_eq(conf->ident_mode, v[i]);
		config_free(conf);
	}
}
END_TEST

START_TEST(test_number_bounds)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN
	    "ident port 65535\nlimit connections 1\nlimit per-source 1000000\n"
	    "limit udp-rate 000001\nworkers 1\nudp privileged-sources ignore\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->ident_port, 65535);
	ck_assert_uint_eq(conf->limit_connections, 1);
	ck_assert_uint_eq(conf->limit_per_source, 1000000);
	ck_assert_uint_eq(conf->limit_udp_rate, 1);
	ck_assert_uint_eq(conf->workers, 1);
	ck_assert_int_eq(conf->udp_privileged_ports, 0);
	config_free(conf);
}
END_TEST

static const struct {
	const char	*line;
	const char	*msg;
} bad_lines[] = {
	{ "user", "usage: user NAME" },
	{ "user a b", "usage: user NAME" },
	{ "group", "usage: group NAME" },
	{ "group a b", "usage: group NAME" },
	{ "chroot", "usage: chroot DIR" },
	{ "chroot var/empty",
	  "chroot DIR: an absolute path is needed, not 'var/empty'" },
	{ "pidfile", "usage: pidfile PATH" },
	{ "pidfile run/d.pid",
	  "pidfile PATH: an absolute path is needed, not 'run/d.pid'" },
	{ "syslog facility", "usage: syslog facility NAME" },
	{ "syslog facility daemon auth", "usage: syslog facility NAME" },
	{ "syslog facility kern", "unknown syslog facility 'kern' (daemon, "
	  "auth, authpriv, local0 ... local7)" },
	{ "syslog facility local8", "unknown syslog facility 'local8' "
	  "(daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog facility Daemon", "unknown syslog facility 'Daemon' "
	  "(daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog facility local0000000000000", "unknown syslog facility "
	  "'local0000000000000' (daemon, auth, authpriv, local0 ... local7)" },
	{ "syslog socket", "usage: syslog socket PATH" },
	{ "syslog socket /a /b", "usage: syslog socket PATH" },
	{ "syslog socket dev/log",
	  "syslog socket PATH: an absolute path is needed, not 'dev/log'" },
	{ "syslog", "unknown directive 'syslog'" },
	{ "syslog level info", "unknown directive 'syslog'" },
	{ "ident mode", "usage: ident mode always|rules|off" },
	{ "ident mode rules off", "usage: ident mode always|rules|off" },
	{ "ident mode sometimes",
	  "ident mode must be always, rules or off, not 'sometimes'" },
	{ "ident mode Always",
	  "ident mode must be always, rules or off, not 'Always'" },
	{ "ident timeout", "usage: ident timeout SECONDS" },
	{ "ident timeout 1 2", "usage: ident timeout SECONDS" },
	{ "ident port", "usage: ident port PORT" },
	{ "ident port 0",
	  "ident port must be a number from 1 to 65535, not '0'" },
	{ "ident port 65536",
	  "ident port must be a number from 1 to 65535, not '65536'" },
	{ "ident port -1",
	  "ident port must be a number from 1 to 65535, not '-1'" },
	{ "ident port auth",
	  "ident port must be a number from 1 to 65535, not 'auth'" },
	{ "ident", "unknown directive 'ident'" },
	{ "ident user x", "unknown directive 'ident'" },
	{ "limit connections", "usage: limit connections N" },
	{ "limit per-source 1 2", "usage: limit per-source N" },
	{ "limit udp-rate", "usage: limit udp-rate N" },
	{ "limit connections 0", "limit connections must be a number from 1 "
	  "to 1000000, not '0'" },
	{ "limit connections 1000001", "limit connections must be a number "
	  "from 1 to 1000000, not '1000001'" },
	{ "limit per-source 18446744073709551617", "limit per-source must be "
	  "a number from 1 to 1000000, not '18446744073709551617'" },
	{ "limit udp-rate 1.5", "limit udp-rate must be a number from 1 to "
	  "1000000, not '1.5'" },
	{ "limit bandwidth 5", "unknown limit 'bandwidth' (connections, "
	  "per-source, udp-rate, udp-total)" },
	{ "limit", "unknown directive 'limit'" },
	{ "audit key", "usage: audit key PATH" },
	{ "audit key key.pub",
	  "audit key PATH: an absolute path is needed, not 'key.pub'" },
	{ "audit", "unknown directive 'audit'" },
	{ "workers", "usage: workers N" },
	{ "workers 0", "workers must be a number from 1 to 64, not '0'" },
	{ "workers 65", "workers must be a number from 1 to 64, not '65'" },
	{ "workers 4 4", "usage: workers N" },
	{ "udp privileged-sources",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp privileged-sources maybe",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp privileged-sources answer ignore",
	  "usage: udp privileged-sources answer|ignore" },
	{ "udp", "unknown directive 'udp'" },
	{ "include x.conf", "include is not allowed here" },
	{ "include", "usage: include PATTERN" },
	{ "bogus", "unknown directive 'bogus'" },
	{ "Listen tcp 127.0.0.1:14", "unknown directive 'Listen'" },
	{ "bogus\\", "unknown directive 'bogus\\x5c'" },
	{ "\xc3\xa6", "unknown directive '\\xc3\\xa6'" },
	{ "ident mode \xff",
	  "ident mode must be always, rules or off, not '\\xff'" },
};

START_TEST(test_bad_line)
{
	expect_one_error(bad_lines[_i].line, bad_lines[_i].msg);
}
END_TEST

static const struct {
	const char	*first, *second, *what;
} twice[] = {
	{ "user a", "user a", "user NAME" },
	{ "group a", "group b", "group NAME" },
	{ "chroot /a", "chroot /b", "chroot DIR" },
	{ "pidfile /a", "pidfile /b", "pidfile PATH" },
	{ "syslog facility daemon", "syslog facility auth", "syslog facility" },
	{ "syslog socket /a", "syslog socket /b", "syslog socket PATH" },
	{ "ident mode off", "ident mode off", "ident mode" },
	{ "ident timeout 1", "ident timeout 2", "ident timeout" },
	{ "ident port 113", "ident port 114", "ident port" },
	{ "limit connections 1", "limit connections 2", "limit connections" },
	{ "limit per-source 1", "limit per-source 2", "limit per-source" },
	{ "limit udp-rate 1", "limit udp-rate 2", "limit udp-rate" },
	{ "audit key /a", "audit key /b", "audit key PATH" },
	{ "workers 1", "workers 2", "workers" },
	{ "udp privileged-sources answer", "udp privileged-sources ignore",
	  "udp privileged-sources" },
};

START_TEST(test_given_twice)
{
	struct collect c;
	struct config *conf;
	char text[256], msg[256];

	fmt(text, sizeof(text), "%s\n# between\n%s\n" LISTEN,
	    twice[_i].first, twice[_i].second);
	fmt(msg, sizeof(msg), "'%s' given twice (first at t.conf:1)",
	    twice[_i].what);
	conf = parse(&c, text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, msg);
}
END_TEST

START_TEST(test_limits_independent)
{
	struct collect c;
	struct config *conf = parse(&c, LISTEN "limit connections 10\n"
	    "limit per-source 2\nlimit udp-rate 3\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->limit_connections, 10);
	ck_assert_uint_eq(conf->limit_per_source, 2);
	ck_assert_uint_eq(conf->limit_udp_rate, 3);
	config_free(conf);
}
END_TEST

START_TEST(test_all_errors_reported)
{
	struct collect c;
	struct config *conf = parse(&c, "workers 0\nbogus\n" LISTEN
	    "ident port 0\n");

	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "t.conf", 1,
	    "workers must be a number from 1 to 64, not '0'");
	expect(&c, 1, 1, "t.conf", 2, "unknown directive 'bogus'");
	expect(&c, 2, 1, "t.conf", 4,
	    "ident port must be a number from 1 to 65535, not '0'");
}
END_TEST

/* ------------------------------------------------------------------ */
/* listen */

START_TEST(test_listen_good)
{
	struct collect c;
	struct config *conf = parse(&c,
	    "listen tcp 127.0.0.1:13\n"
	    "listen udp 127.0.0.1:13\n"
	    "listen tcp [::1]:13\n"
	    "listen udp [::1]:65535\n"
	    "listen tcp 0.0.0.0:1\n"
	    "listen tcp [::ffff:127.0.0.1]:13\n");
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nlistens, 6);

	ck_assert_int_eq(conf->listens[0].proto, SOCK_STREAM);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[0].line, 1);
	ck_assert_uint_eq(conf->listens[0].sslen, sizeof(*sin));
	sin = (const struct sockaddr_in *)&conf->listens[0].ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 13);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);

	ck_assert_int_eq(conf->listens[1].proto, SOCK_DGRAM);
	ck_assert_str_eq(conf->listens[1].text, "udp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[1].line, 2);

	ck_assert_int_eq(conf->listens[2].proto, SOCK_STREAM);
	ck_assert_str_eq(conf->listens[2].text, "tcp [::1]:13");
	ck_assert_uint_eq(conf->listens[2].sslen, sizeof(*sin6));
	sin6 = (const struct sockaddr_in6 *)&conf->listens[2].ss;
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 13);
	ck_assert_int_eq(memcmp(&sin6->sin6_addr, &lo6, sizeof(lo6)), 0);

	ck_assert_int_eq(conf->listens[3].proto, SOCK_DGRAM);
	sin6 = (const struct sockaddr_in6 *)&conf->listens[3].ss;
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 65535);

	sin = (const struct sockaddr_in *)&conf->listens[4].ss;
	ck_assert_uint_eq(ntohs(sin->sin_port), 1);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));

	ck_assert_int_eq(conf->listens[5].ss.ss_family, AF_INET6);
	config_free(conf);
}
END_TEST

static const struct {
	const char	*addr;
	const char	*why;
} bad_listens[] = {
	{ "127.0.0.1", "expected ADDRESS:PORT" },
	{ "13", "expected ADDRESS:PORT" },
	{ "::1:13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "::1", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1]", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1]13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[::1:13", "IPv6 must be written [ADDRESS]:PORT" },
	{ "[]:13", "bad IPv6 address" },
	{ "[127.0.0.1]:13", "bad IPv6 address" },
	{ "[fe80::1%lo]:13", "bad IPv6 address" },
	{ "[localhost]:13", "bad IPv6 address" },
	{ "[0000:0000:0000:0000:0000:0000:0000:0000:0000]:13",
	  "bad IPv6 address" },
	{ "localhost:13", "bad IPv4 address (numeric addresses only)" },
	{ "example.com:13", "bad IPv4 address (numeric addresses only)" },
	{ "127.1:13", "bad IPv4 address (numeric addresses only)" },
	{ "256.0.0.1:13", "bad IPv4 address (numeric addresses only)" },
	{ ":13", "bad IPv4 address" },
	{ "127.0.0.1:0", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:65536", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:daytime", "port must be a number from 1 to 65535" },
	{ "127.0.0.1:-13", "port must be a number from 1 to 65535" },
	{ "[::1]:0", "port must be a number from 1 to 65535" },
	{ "[::1]:65536", "port must be a number from 1 to 65535" },
	{ "[::1]:", "port must be a number from 1 to 65535" },
};

START_TEST(test_listen_bad)
{
	char line[256], msg[512];

	fmt(line, sizeof(line), "listen tcp %s", bad_listens[_i].addr);
	fmt(msg, sizeof(msg), "listen: %s: '%s'", bad_listens[_i].why,
	    bad_listens[_i].addr);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_listen_usage)
{
	expect_one_error("listen tcp", "usage: listen tcp|udp ADDRESS:PORT");
	expect_one_error("listen", "usage: listen tcp|udp ADDRESS:PORT");
	expect_one_error("listen tcp 127.0.0.1:14 127.0.0.1:15",
	    "usage: listen tcp|udp ADDRESS:PORT");
	expect_one_error("listen sctp 127.0.0.1:14",
	    "listen: protocol must be tcp or udp, not 'sctp'");
	expect_one_error("listen TCP 127.0.0.1:14",
	    "listen: protocol must be tcp or udp, not 'TCP'");
}
END_TEST

START_TEST(test_listen_duplicate)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "listen udp 127.0.0.1:13\n"
	    "listen tcp 127.0.0.1:013\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, "listen: duplicate of t.conf:1");

	conf = parse(&c, "listen udp [::1]:13\nlisten udp [0:0::1]:13\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "listen: duplicate of t.conf:1");
}
END_TEST

START_TEST(test_listen_too_many)
{
	struct collect c;
	struct config *conf;
	char *text;
	size_t i, o = 0, cap = 70 * 40;

	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < CONFIG_LISTEN_MAX + 1; i++)
		o += fmt(text + o, cap - o,
		    "listen tcp 127.0.0.1:%zu\n", 1000 + i);
	conf = parse_len(&c, text, o);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", CONFIG_LISTEN_MAX + 1,
	    "too many listen lines (at most 64)");

	/* Exactly the maximum is fine. */
	o = 0;
	for (i = 0; i < CONFIG_LISTEN_MAX; i++)
		o += fmt(text + o, cap - o,
		    "listen udp 127.0.0.1:%zu\n", 1000 + i);
	conf = parse_len(&c, text, o);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->nlistens, CONFIG_LISTEN_MAX);
	config_free(conf);
	free(text);
}
END_TEST

START_TEST(test_listen_text_too_long)
{
	/* Leading zeros are a valid port but do not fit the text. */
	expect_one_error("listen tcp 127.0.0.1:"
	    "00000000000000000000000000000000000000000000000000014",
	    "listen: address too long");
}
END_TEST

START_TEST(test_no_listen)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "user daytime\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	/* Another error first: no pile-on. */
	conf = parse(&c, "bogus\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 1, "unknown directive 'bogus'");
}
END_TEST

/* ------------------------------------------------------------------ */
/* rules */

/* Decide for addr (text) and user (NULL: none) with conf's table. */
static void
decide(const struct config *conf, const char *addr, const char *user,
    size_t userlen, struct acl_decision *d)
{
	struct acl_addr a;
	const char *errstr;

	ck_assert_int_eq(acl_addr_parse(addr, strlen(addr), &a, &errstr), 0);
	acl_decide(acl_lookup(conf->acl, &a), (const unsigned char *)user,
	    userlen, d);
}

START_TEST(test_rules_table)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf = parse(&c, LISTEN
	    "allow 127.0.0.0/8\n"
	    "deny 127.0.0.2\n"
	    "deny 127.0.0.0/8 user mallory\n"
	    "allow ::1\n");

	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->stats.rules, 4);
	ck_assert_uint_eq(conf->stats.v4_blocks, 2);
	ck_assert_uint_eq(conf->stats.v6_blocks, 1);
	decide(conf, "127.0.0.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_str_eq(d.file, "t.conf");
	ck_assert_uint_eq(d.line, 2);
	decide(conf, "127.0.0.1", "mallory", 7, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 4);
	decide(conf, "127.0.0.2", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 3);
	decide(conf, "::1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_uint_eq(d.line, 5);
	decide(conf, "10.0.0.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_ptr_null(d.file);
	config_free(conf);
}
END_TEST

START_TEST(test_user_star_is_catch_all)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf;

	/* "user *" is the netblock's catch-all: no user rule, no warning. */
	conf = parse(&c, LISTEN "ident mode off\nallow 10.0.0.0/8 user *\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	decide(conf, "10.1.1.1", "anyone", 6, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	ck_assert_uint_eq(d.line, 3);
	decide(conf, "10.1.1.1", NULL, 0, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	config_free(conf);

	/* ... so it conflicts with the bare netblock. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.0.0.0/8 user *\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8: "
	    "allow at t.conf:2, deny at t.conf:3");
}
END_TEST

START_TEST(test_rule_conflicts)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "deny 10.0.0.0/8\n# x\nallow 10.0.0.0/8\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 4, "conflicting rules for 10.0.0.0/8: "
	    "deny at t.conf:2, allow at t.conf:4");

	conf = parse(&c, LISTEN "allow 10.0.0.0/8 user alice\n"
	    "deny 10.0.0.0/8 user alice\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 2, "allow by ident user 'alice' can be "
	    "spoofed by anyone who controls the client host");
	expect(&c, 1, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8 user "
	    "alice: allow at t.conf:2, deny at t.conf:3");

	/* Different users, or different netblocks: no conflict. */
	conf = parse(&c, LISTEN "deny 10.0.0.0/8 user alice\n"
	    "deny 10.0.0.0/8 user Alice\nallow 10.0.0.0/8\ndeny 10.0.0.0/9\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);

	/* Host bits cleared first: the same netblock. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.9.9.9/8\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 0, "t.conf", 3,
	    "host bits set in '10.9.9.9/8': read as 10.0.0.0/8");
	expect(&c, 1, 1, "t.conf", 3, "conflicting rules for 10.0.0.0/8: "
	    "allow at t.conf:2, deny at t.conf:3");
}
END_TEST

START_TEST(test_rule_warnings)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN
	    "allow 10.1.2.3/8\n"
	    "deny ::ffff:192.168.0.0/112\n"
	    "allow 127.0.0.1 user alice\n"
	    "deny 127.0.0.1 user bob\n"
	    "allow 172.16.0.0/12\n"
	    "allow 172.16.0.0/12\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 4);
	expect(&c, 0, 0, "t.conf", 2,
	    "host bits set in '10.1.2.3/8': read as 10.0.0.0/8");
	expect(&c, 1, 0, "t.conf", 3, "IPv4-mapped netblock "
	    "'::ffff:192.168.0.0/112' is read as 192.168.0.0/16");
	expect(&c, 2, 0, "t.conf", 4, "allow by ident user 'alice' can be "
	    "spoofed by anyone who controls the client host");
	expect(&c, 3, 0, "t.conf", 7, "duplicate of t.conf:6");
	ck_assert_uint_eq(conf->stats.v6_blocks, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_user_rules_ident_off)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "deny 10.0.0.0/8\ndeny 10.0.0.0/8 user bob\n"
	    LISTEN "deny 10.0.0.0/8 user eve\nident mode off\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 2, "rules naming a user can never decide "
	    "with 'ident mode off' (2 such rules)");
	config_free(conf);

	/* Rules mode and always mode: no warning. */
	conf = parse(&c, LISTEN "deny 10.0.0.0/8 user eve\n"
	    "ident mode rules\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_rule_shadowed)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "allow 10.0.0.0/8\ndeny 10.0.0.0/9\n"
	    "deny 10.128.0.0/9\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 2, "rule for 10.0.0.0/8 can never decide: "
	    "more specific netblocks with rules cover every address in it");
	config_free(conf);
}
END_TEST

START_TEST(test_rule_usage)
{
	expect_one_error("allow", "usage: allow NETBLOCK [user NAME]");
	expect_one_error("deny", "usage: deny NETBLOCK [user NAME]");
	expect_one_error("deny 10.0.0.0/8 user",
	    "usage: deny NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 group x",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 user a b",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allow 10.0.0.0/8 x",
	    "usage: allow NETBLOCK [user NAME]");
	expect_one_error("allowed 10.0.0.0/8", "unknown directive 'allowed'");
}
END_TEST

static const struct {
	const char	*net;
	const char	*why;
} bad_nets[] = {
	{ "10.0.0.0/33", "prefix length out of range" },
	{ "::/129", "prefix length out of range" },
	{ "10.0.0.0/", "missing prefix length" },
	{ "10.0.0.0/08", "leading zero in prefix length" },
	{ "010.0.0.0/8", "leading zero in IPv4 octet" },
	{ "10.0.0/8", "IPv4 address needs four octets" },
	{ "256.0.0.0/8", "IPv4 octet out of range" },
	{ "/8", "missing address before the prefix length" },
	{ "fe80::1%lo", "zone id in netblock" },
	{ "1:2:3:4:5:6:7:8:9", "malformed IPv6 address" },
	{ "example.com", "not an IPv4 or IPv6 address" },
	{ "*", "not an IPv4 or IPv6 address" },
	{ "::ffff:10.0.0.0/95", "IPv4-mapped netblock shorter than /96" },
};

START_TEST(test_rule_bad_netblock)
{
	char line[128], msg[256];

	fmt(line, sizeof(line), "deny %s", bad_nets[_i].net);
	fmt(msg, sizeof(msg), "bad netblock '%s': %s", bad_nets[_i].net,
	    bad_nets[_i].why);
	expect_one_error(line, msg);
}
END_TEST

START_TEST(test_rule_user_bytes)
{
	struct collect c;
	struct acl_decision d;
	struct config *conf;
	char text[2048];
	size_t o;

	/* Non-ASCII names are accepted and compared byte for byte. */
	conf = parse(&c, LISTEN "ident mode rules\nallow 10.0.0.0/8\n"
	    "deny 10.0.0.0/8 user j\xc3\xb6rg\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	decide(conf, "10.0.0.1", "j\xc3\xb6rg", 5, &d);
	ck_assert_int_eq(d.action, ACL_DENY);
	ck_assert_uint_eq(d.line, 4);
	decide(conf, "10.0.0.1", "jorg", 4, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	decide(conf, "10.0.0.1", "j\xc3\xb6rG", 5, &d);
	ck_assert_int_eq(d.action, ACL_ALLOW);
	config_free(conf);

	/* Quoted in messages, escaped. */
	conf = parse(&c, LISTEN "allow 10.0.0.0/8 user j\xc3\xb6'r\\g\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "t.conf", 2, "allow by ident user 'j\\xc3\\xb6\\x27r"
	    "\\x5cg' can be spoofed by anyone who controls the client host");
	config_free(conf);

	/* At most ACL_USER_MAX bytes. */
	o = fmt(text, sizeof(text), LISTEN "deny ::/0 user ");
	memset(text + o, '\xff', ACL_USER_MAX);
	memcpy(text + o + ACL_USER_MAX, "\n", 2);
	conf = parse(&c, text);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);
	memset(text + o, 'u', ACL_USER_MAX + 1);
	memcpy(text + o + ACL_USER_MAX + 1, "\n", 2);
	conf = parse(&c, text);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2,
	    "user name too long (513 bytes, at most 512)");
}
END_TEST

START_TEST(test_long_message_bounded)
{
	struct collect c;
	struct config *conf;
	char text[4096], *m;
	size_t o, i;

	/* A conflict naming a 512-byte name escaped: cut at 511 with "...". */
	o = fmt(text, sizeof(text), LISTEN "allow ::/0 user ");
	memset(text + o, '\x80', ACL_USER_MAX);
	o += ACL_USER_MAX;
	o += fmt(text + o, sizeof(text) - o, "\ndeny ::/0 user ");
	memset(text + o, '\x80', ACL_USER_MAX);
	o += ACL_USER_MAX;
	text[o++] = '\n';
	conf = parse_len(&c, text, o);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	for (i = 0; i < 2; i++) {
		m = c.d[i].msg;
		ck_assert_uint_eq(strlen(m), 511);
		ck_assert_str_eq(m + 508, "...");
	}
	ck_assert_int_eq(strncmp(c.d[1].msg, "conflicting rules for ::/0 user "
	    "\\x80\\x80", 40), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* include */

START_TEST(test_include_glob_sorted)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include rules.d/*.rules\n"
		  "user daytime\n" },
		{ "/etc/d/rules.d/b.rules", "# b\ndeny 10.0.0.0/8\n" },
		{ "/etc/d/rules.d/a.rules", "allow 10.0.0.0/8\n" },
		{ "/etc/d/rules.d/c.txt", "bogus\n" },
		{ "/etc/d/rules.d/.hidden.rules", "bogus\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/rules.d/b.rules", 2, "conflicting rules for "
	    "10.0.0.0/8: allow at /etc/d/rules.d/a.rules:1, deny at "
	    "/etc/d/rules.d/b.rules:2");
	ck_assert_int_eq(fs.nreads, 3);
}
END_TEST

START_TEST(test_include_relative)
{
	static const struct memfile f[] = {
		{ "/a/main.conf", "include sub/one.conf\n" },
		{ "/a/sub/one.conf", "include two.conf\ninclude /abs/three.conf\n" },
		{ "/a/sub/two.conf", LISTEN },
		{ "/abs/three.conf", "include four.conf\n" },
		{ "/abs/four.conf", "user four\n" },
		{ "/a/two.conf", "bogus\n" },
	};
	static const struct memfile g[] = {
		{ "main.conf", LISTEN "include inc.conf\n" },
		{ "inc.conf", "group g\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/a/main.conf", f, NFILES(f));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "four");
	ck_assert_str_eq(conf->file, "/a/main.conf");
	ck_assert_uint_eq(conf->nfiles, 5);
	ck_assert_uint_eq(conf->listens[0].line, 1);
	config_free(conf);

	/* A main file named without a directory: the working directory. */
	conf = load(&c, &fs, "main.conf", g, NFILES(g));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->group, "g");
	ck_assert_uint_eq(conf->nfiles, 2);
	config_free(conf);
}
END_TEST

START_TEST(test_include_missing)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include missing.conf\n"
		  "include conf.d/*.conf\ninclude /nowhere/*\n" },
	};
	static const struct memfile g[] = {
		{ "/etc/d/main.conf", LISTEN "include conf.d/*.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include /etc/d/missing.conf: no such file");

	/* An empty glob is fine. */
	conf = load(&c, &fs, "/etc/d/main.conf", g, NFILES(g));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nfiles, 1);
	config_free(conf);

	/* The main file itself missing. */
	conf = load(&c, &fs, "/etc/d/none.conf", g, NFILES(g));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/none.conf", 0,
	    "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_include_loader_errors)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include secret.conf\n"
		  "include EIO/*.conf\nuser x\n" },
		{ "/etc/d/secret.conf", NULL },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 1, "/etc/d/secret.conf", 0,
	    "cannot open: Permission denied");
	expect(&c, 1, 1, "/etc/d/main.conf", 3,
	    "include /etc/d/EIO/*.conf: cannot read directory");
}
END_TEST

START_TEST(test_include_usage)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include\ninclude a b\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 2);
	expect(&c, 0, 1, "/etc/d/main.conf", 2, "usage: include PATTERN");
	expect(&c, 1, 1, "/etc/d/main.conf", 3, "usage: include PATTERN");
}
END_TEST

START_TEST(test_include_loops)
{
	static const struct memfile self[] = {
		{ "/etc/d/main.conf", LISTEN "include main.conf\n" },
	};
	static const struct memfile ab[] = {
		{ "/etc/d/main.conf", LISTEN "include a.conf\n" },
		{ "/etc/d/a.conf", "# a\ninclude b.conf\n" },
		{ "/etc/d/b.conf", "include /etc/d/a.conf\n" },
	};
	static const struct memfile star[] = {
		{ "/etc/d/main.conf", LISTEN "include *.conf\n" },
		{ "/etc/d/x.conf", "user x\n" },
	};
	/* The same file twice, not nested: not a loop, but given twice. */
	static const struct memfile dupinc[] = {
		{ "/etc/d/main.conf", LISTEN "include x.conf\ninclude x.conf\n" },
		{ "/etc/d/x.conf", "allow 10.0.0.0/8\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", self, NFILES(self));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include loop: /etc/d/main.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", ab, NFILES(ab));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/b.conf", 1,
	    "include loop: /etc/d/a.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", star, NFILES(star));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d/main.conf", 2,
	    "include loop: /etc/d/main.conf is already being read");

	conf = load(&c, &fs, "/etc/d/main.conf", dupinc, NFILES(dupinc));
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 0, "/etc/d/x.conf", 1, "duplicate of /etc/d/x.conf:1");
	ck_assert_uint_eq(conf->nfiles, 3);
	config_free(conf);
}
END_TEST

START_TEST(test_include_depth)
{
	/* f0 is the main file; each includes the next. */
	static const struct memfile f[] = {
		{ "/d/f0", LISTEN "include f1\n" },
		{ "/d/f1", "include f2\n" },
		{ "/d/f2", "include f3\n" },
		{ "/d/f3", "include f4\n" },
		{ "/d/f4", "include f5\n" },
		{ "/d/f5", "include f6\n" },
		{ "/d/f6", "include f7\n" },
		{ "/d/f7", "# the 8th file\ninclude f8\n" },
		{ "/d/f8", "user deep\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	/* CONFIG_INCLUDE_DEPTH files deep: fine. */
	conf = load(&c, &fs, "/d/f1", f, NFILES(f));
	ck_assert_ptr_null(conf);	/* no listen: it is in f0 */
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/d/f1", 0, "no listen directive");
	ck_assert_int_eq(fs.nreads, CONFIG_INCLUDE_DEPTH);

	conf = load(&c, &fs, "/d/f0", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/d/f7", 2, "includes nested too deeply (at most 8)");
	ck_assert_int_eq(fs.nreads, CONFIG_INCLUDE_DEPTH);
}
END_TEST

START_TEST(test_include_positions)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", "user a\ninclude inc/*.conf\n"
		  "workers 0\n" },
		{ "/etc/d/inc/1.conf", "\n\n" LISTEN "user b\n" },
		{ "/etc/d/inc/2.conf", "# x\r\nlisten tcp 127.0.0.1:13\r\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "/etc/d/inc/1.conf", 4,
	    "'user NAME' given twice (first at /etc/d/main.conf:1)");
	/* The first listen was in another file: the message must say so. */
	expect(&c, 1, 1, "/etc/d/inc/2.conf", 2,
	    "listen: duplicate of /etc/d/inc/1.conf:3");
	expect(&c, 2, 1, "/etc/d/main.conf", 3,
	    "workers must be a number from 1 to 64, not '0'");
}
END_TEST

START_TEST(test_include_glob_chars_in_directory)
{
	/*
	 * The including file's directory is a literal path, not a pattern:
	 * "/etc/d[1]/x.conf" must be read, not "/etc/d1/x.conf".
	 */
	static const struct memfile f[] = {
		{ "/etc/d[1]/main.conf", LISTEN "include x.conf\n" },
		{ "/etc/d[1]/x.conf", "user right\n" },
		{ "/etc/d1/x.conf", "user wrong\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d[1]/main.conf", f, NFILES(f));
	ck_assert_ptr_nonnull(conf);
	ck_assert_str_eq(conf->user, "right");
	config_free(conf);
}
END_TEST

START_TEST(test_include_glob_chars_missing)
{
	/* A plain name missing is an error, whatever the directory holds. */
	static const struct memfile f[] = {
		{ "/etc/d[1]/main.conf", LISTEN "include missing.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d[1]/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "/etc/d[1]/main.conf", 2,
	    "include /etc/d[1]/missing.conf: no such file");
}
END_TEST

/* Whether a message is free of control bytes and bytes over 0x7e. */
static int
msg_clean(const char *m)
{
	for (; *m != '\0'; m++)
		if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7f)
			return 0;
	return 1;
}

START_TEST(test_include_loop_name_escaped)
{
	/* Names from the loader (a directory listing) are untrusted. */
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include x/*\n" },
		{ "/etc/d/x/\x1b[2Jevil", "include *\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.d[0].file, "/etc/d/x/\x1b[2Jevil");
	ck_assert_uint_eq(c.d[0].line, 1);
	ck_assert_msg(msg_clean(c.d[0].msg), "raw bytes in '%s'", c.d[0].msg);
	ck_assert_str_eq(c.d[0].msg,
	    "include loop: /etc/d/x/\\x1b[2Jevil is already being read");
}
END_TEST

START_TEST(test_include_missing_name_escaped)
{
	static const struct memfile f[] = {
		{ "/etc/d/main.conf", LISTEN "include \xff.conf\n" },
	};
	struct collect c;
	struct memfs fs;
	struct config *conf;

	conf = load(&c, &fs, "/etc/d/main.conf", f, NFILES(f));
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_msg(msg_clean(c.d[0].msg), "raw bytes in '%s'", c.d[0].msg);
	ck_assert_str_eq(c.d[0].msg,
	    "include /etc/d/\\xff.conf: no such file");
}
END_TEST

START_TEST(test_include_too_many_files)
{
	struct memfile *f;
	char (*names)[32];
	struct collect c;
	struct memfs fs;
	struct config *conf;
	size_t i, n = CONFIG_FILES_MAX + 3;

	f = calloc(n, sizeof(*f));
	names = calloc(n, sizeof(*names));
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(names);
	f[0].name = "/d/main";
	f[0].text = LISTEN "include x/*\n";
	for (i = 1; i < n; i++) {
		fmt(names[i], sizeof(names[i]), "/d/x/%04zu", i);
		f[i].name = names[i];
		f[i].text = "# empty\n";
	}
	conf = load(&c, &fs, "/d/main", f, n);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	expect(&c, 0, 1, "/d/x/1024", 0,
	    "too many configuration files (at most 1024)");
	expect(&c, 1, 1, "/d/x/1025", 0,
	    "too many configuration files (at most 1024)");
	expect(&c, 2, 1, "/d/x/1026", 0,
	    "too many configuration files (at most 1024)");
	free(names);
	free(f);
}
END_TEST

/* Write a file dir/name; the test's own scratch space. */
static void
disk_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* Remove dir/name, a file or an empty directory. */
static void
disk_rm(const char *dir, const char *name)
{
	char path[512];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(remove(path), 0);
}

START_TEST(test_disk_loader)
{
	char dir[] = "/tmp/check_config.XXXXXX", main[512], want[1024];
	char sub[512];
	struct collect c;
	struct config *conf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	fmt(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	fmt(sub, sizeof(sub), "%s/empty", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	/* glob(3) sorts; an empty glob is fine. */
	disk_put(dir, "d/b.rules", "deny 10.0.0.0/8\n");
	disk_put(dir, "d/a.rules", "# a\nallow 10.0.0.0/8\n");
	disk_put(dir, "main.conf", LISTEN "include d/*.rules\n"
	    "include empty/*.conf\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	fmt(sub, sizeof(sub), "%s/d/b.rules", dir);
	fmt(want, sizeof(want), "conflicting rules for 10.0.0.0/8: allow "
	    "at %s/d/a.rules:2, deny at %s/d/b.rules:1", dir, dir);
	expect(&c, 0, 1, sub, 1, want);

	/* A directory, a device, a missing plain file. */
	disk_put(dir, "main.conf", LISTEN "include d\ninclude /dev/null\n"
	    "include missing.conf\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 3);
	fmt(sub, sizeof(sub), "%s/d", dir);
	expect(&c, 0, 1, sub, 0, "is a directory, not a file");
	expect(&c, 1, 1, "/dev/null", 0, "not a regular file");
	fmt(want, sizeof(want), "include %s/missing.conf: no such file",
	    dir);
	expect(&c, 2, 1, main, 4, want);

	/* A good one, and the main file missing. */
	disk_put(dir, "main.conf", LISTEN "include d/a.rules\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(conf->nfiles, 2);
	ck_assert_uint_eq(conf->stats.rules, 1);
	config_free(conf);

	disk_rm(dir, "d/a.rules");
	disk_rm(dir, "d/b.rules");
	disk_rm(dir, "d");
	disk_rm(dir, "empty");
	disk_rm(dir, "main.conf");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, main, 0, "cannot open: No such file or directory");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_disk_glob_missing_directory)
{
	/*
	 * A glob whose directory does not exist matches nothing: an empty
	 * glob, like an empty directory (GLOB_ERR must not turn ENOENT into
	 * "cannot read directory"; an unreadable directory stays an error).
	 */
	char dir[] = "/tmp/check_config.XXXXXX", main[512];
	struct collect c;
	struct config *conf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt(main, sizeof(main), "%s/main.conf", dir);
	disk_put(dir, "main.conf", LISTEN "include rules.d/*.rules\n");
	memset(&c, 0, sizeof(c));
	conf = config_load(main, &loader_disk, collect_diag, &c);
	disk_rm(dir, "main.conf");
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_msg(c.n == 0, "%s", c.n > 0 ? c.d[0].msg : "");
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* hostile input */

START_TEST(test_nul_and_control_bytes)
{
	static const char nul[] = LISTEN "user a\0b\n# ok \0 in a comment\n";
	struct collect c;
	struct config *conf;

	conf = parse_len(&c, nul, sizeof(nul) - 1);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "NUL byte in line");

	conf = parse(&c, LISTEN "user a\x01\nuser\x1b[2J\ngroup \x7f\n"
	    "chroot /a\rb\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 4);
	expect(&c, 0, 1, "t.conf", 2, "control byte \\x01 in line");
	expect(&c, 1, 1, "t.conf", 3, "control byte \\x1b in line");
	expect(&c, 2, 1, "t.conf", 4, "control byte \\x7f in line");
	expect(&c, 3, 1, "t.conf", 5, "control byte \\x0d in line");

	/* Only one CR before the newline is a line end. */
	conf = parse(&c, LISTEN "user a\r\r\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "control byte \\x0d in line");
}
END_TEST

START_TEST(test_line_length)
{
	struct collect c;
	struct config *conf;
	char *text;
	size_t o = strlen(LISTEN);

	text = malloc(o + CONFIG_LINE_MAX + 8);
	ck_assert_ptr_nonnull(text);
	memcpy(text, LISTEN, o);
	/* CONFIG_LINE_MAX bytes and a CR: fine. */
	text[o] = '#';
	memset(text + o + 1, 'x', CONFIG_LINE_MAX - 1);
	memcpy(text + o + CONFIG_LINE_MAX, "\r\n", 2);
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 2);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);
	/* One more: too long, even as a comment, even without a newline. */
	memcpy(text + o + CONFIG_LINE_MAX, "y\n", 2);
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 2);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "line too long (4097 bytes, at most 4096)");
	conf = parse_len(&c, text, o + CONFIG_LINE_MAX + 1);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 2, "line too long (4097 bytes, at most 4096)");
	free(text);
}
END_TEST

START_TEST(test_too_many_words)
{
	expect_one_error("allow 1 2 3 4 5 6 7 8", "too many words");
	expect_one_error("a b c d e f g h i j k l m n o p q r s t u v w x y z",
	    "too many words");
	expect_one_error("allow 1 2 3 4 5 6 7",
	    "usage: allow NETBLOCK [user NAME]");
}
END_TEST

START_TEST(test_empty_and_unterminated)
{
	struct collect c;
	struct config *conf;

	conf = parse_len(&c, "", 0);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	conf = parse(&c, "\n\n   \n\t\n# only comments\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");

	conf = parse(&c, "user x\nlisten tcp 127.0.0.1:13");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	config_free(conf);

	conf = parse(&c, "listen tcp 127.0.0.1:13\r");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	config_free(conf);

	/* Only the length counts: a bigger buffer is not read past len. */
	conf = parse_len(&c, LISTEN "bogus\n", strlen(LISTEN));
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
}
END_TEST

START_TEST(test_null_buffer)
{
	struct collect c;
	struct config *conf;

	memset(&c, 0, sizeof(c));
	conf = config_parse_buffer("t.conf", NULL, 0, collect_diag, &c);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 0, "no listen directive");
}
END_TEST

START_TEST(test_crlf_tabs_comments)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, "# daytimed\r\n"
	    "\tlisten\t\ttcp \t127.0.0.1:13\t\r\n"
	    "   \r\n"
	    "user daytime   # the account\r\n"
	    "group\tdaytime#no space needed\r\n"
	    "ident timeout 2.5\r\n"
	    "deny 10.0.0.0/8 user bob\r\n"
	    "workers 0\r\n");
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(c.n, 1);
	expect(&c, 0, 1, "t.conf", 8,
	    "workers must be a number from 1 to 64, not '0'");

	conf = parse(&c, "# daytimed\r\n"
	    "\tlisten\t\ttcp \t127.0.0.1:13\t\r\n"
	    "user daytime   # the account\r\n"
	    "group\tdaytime#no space needed\r\n"
	    "ident timeout 2.5\r\n"
	    "deny 10.0.0.0/8 user bob\r\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->listens[0].text, "tcp 127.0.0.1:13");
	ck_assert_uint_eq(conf->listens[0].line, 2);
	ck_assert_str_eq(conf->user, "daytime");
	ck_assert_str_eq(conf->group, "daytime");
	ck_assert_int_eq(conf->ident_timeout.tv_sec, 2);
	ck_assert_int_eq(conf->ident_timeout.tv_usec, 500000);
	config_free(conf);
}
END_TEST

START_TEST(test_non_ascii_names)
{
	struct collect c;
	struct config *conf;

	conf = parse(&c, LISTEN "user d\xc3\xa6mon\ngroup \xff\xfe\n"
	    "chroot /v\xc3\xa4r\n");
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_str_eq(conf->user, "d\xc3\xa6mon");
	ck_assert_str_eq(conf->group, "\xff\xfe");
	ck_assert_str_eq(conf->chroot, "/v\xc3\xa4r");
	config_free(conf);
}
END_TEST

START_TEST(test_long_token_shown_bounded)
{
	char line[300], msg[200], want[200];
	size_t i, o;

	memset(line, 'a', 200);
	line[200] = '\0';
	memcpy(msg, "unknown directive '", 19);
	memset(msg + 19, 'a', 75);
	memcpy(msg + 94, "...'", 5);
	expect_one_error(line, msg);

	/* Escapes are never cut in half. */
	memset(line, '\xff', 200);
	o = fmt(want, sizeof(want), "unknown directive '");
	for (i = 0; i < 19; i++)
		o += fmt(want + o, sizeof(want) - o, "\\xff");
	fmt(want + o, sizeof(want) - o, "...'");
	expect_one_error(line, want);
}
END_TEST

/* The config suite: one test case per concern. */
Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("directives");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_directive);
	tcase_add_loop_test(tc, test_facility, 0, NFILES(facilities));
	tcase_add_test(tc, test_facility_names);
	tcase_add_loop_test(tc, test_ident_timeout_good, 0,
	    NFILES(good_timeouts));
	tcase_add_loop_test(tc, test_ident_timeout_bad, 0,
	    NFILES(bad_timeouts));
	tcase_add_test(tc, test_ident_modes);
	tcase_add_test(tc, test_number_bounds);
	tcase_add_loop_test(tc, test_bad_line, 0, NFILES(bad_lines));
	tcase_add_loop_test(tc, test_given_twice, 0, NFILES(twice));
	tcase_add_test(tc, test_limits_independent);
	tcase_add_test(tc, test_all_errors_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("listen");
	tcase_add_test(tc, test_listen_good);
	tcase_add_loop_test(tc, test_listen_bad, 0, NFILES(bad_listens));
	tcase_add_test(tc, test_listen_usage);
	tcase_add_test(tc, test_listen_duplicate);
	tcase_add_test(tc, test_listen_too_many);
	tcase_add_test(tc, test_listen_text_too_long);
	tcase_add_test(tc, test_no_listen);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_rules_table);
	tcase_add_test(tc, test_user_star_is_catch_all);
	tcase_add_test(tc, test_rule_conflicts);
	tcase_add_test(tc, test_rule_warnings);
	tcase_add_test(tc, test_user_rules_ident_off);
	tcase_add_test(tc, test_rule_shadowed);
	tcase_add_test(tc, test_rule_usage);
	tcase_add_loop_test(tc, test_rule_bad_netblock, 0, NFILES(bad_nets));
	tcase_add_test(tc, test_rule_user_bytes);
	tcase_add_test(tc, test_long_message_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_test(tc, test_include_glob_sorted);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_loader_errors);
	tcase_add_test(tc, test_include_usage);
	tcase_add_test(tc, test_include_loops);
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_positions);
	tcase_add_test(tc, test_include_glob_chars_in_directory);
	tcase_add_test(tc, test_include_glob_chars_missing);
	tcase_add_test(tc, test_include_loop_name_escaped);
	tcase_add_test(tc, test_include_missing_name_escaped);
	tcase_add_test(tc, test_include_too_many_files);
	tcase_add_test(tc, test_disk_loader);
	tcase_add_test(tc, test_disk_glob_missing_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile input");
	tcase_add_test(tc, test_nul_and_control_bytes);
	tcase_add_test(tc, test_line_length);
	tcase_add_test(tc, test_too_many_words);
	tcase_add_test(tc, test_empty_and_unterminated);
	tcase_add_test(tc, test_null_buffer);
	tcase_add_test(tc, test_crlf_tabs_comments);
	tcase_add_test(tc, test_non_ascii_names);
	tcase_add_test(tc, test_long_token_shown_bounded);
	suite_add_tcase(s, tc);
	return s;
}
