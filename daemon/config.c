/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "compat/compat.h"
#include "acl/acl.h"
#include "daemon/config.h"

#define CONFIG_TOKENS_MAX	8
#define CONFIG_MSG_MAX		512

struct config_token {
	const char	*s;
	size_t		 len;
};

/* Where a single-valued directive was first set, to name it in errors. */
struct config_seen {
	const char	*file;
	unsigned	 line;
};

struct config_parse {
	struct config			*conf;
	const struct config_loader	*loader;
	config_diag_fn			*diag;
	void				*diag_arg;
	struct acl_build		*build;
	int				 errors;
	const char			*stack[CONFIG_INCLUDE_DEPTH + 1];
	size_t				 depth;
	char				**names;	/* every file name read */
	size_t				 nnames;
	size_t				 nuser_rules;
	const char			*first_user_file;
	unsigned			 first_user_line;
	struct config_seen		 seen[16];
	const char			*listen_file[CONFIG_LISTEN_MAX];
};

enum config_once {
	ONCE_USER, ONCE_GROUP, ONCE_CHROOT, ONCE_PIDFILE, ONCE_FACILITY,
	ONCE_SOCKET, ONCE_IDMODE, ONCE_IDTIMEOUT, ONCE_IDPORT, ONCE_LCONN,
	ONCE_LSRC, ONCE_LUDP, ONCE_AUDITKEY, ONCE_WORKERS, ONCE_UDPPRIV,
	ONCE_LUDPT
};

static void	config_report(struct config_parse *, int, const char *,
		    unsigned, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static int	config_parse_file(struct config_parse *, const char *);
static int	config_parse_text(struct config_parse *, const char *,
		    const char *, size_t);
static void	config_line(struct config_parse *, const char *, unsigned,
		    struct config_token *, size_t);
static void	config_finish(struct config_parse *);
static int	config_tokeq(const struct config_token *, const char *);
static char	*config_tokdup(const struct config_token *);
static void	config_tokshow(const struct config_token *, char *, size_t);
static int	disk_glob(void *, const char *, char ***, size_t *, char *,
		    size_t);
static int	disk_read(void *, const char *, char **, size_t *, char *,
		    size_t);

const struct config_loader config_disk_loader = {
	disk_glob, disk_read, NULL
};

static const struct {
	const char	*name;
	int		 facility;
} config_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

/* Defaults an operator gets when a directive is absent. */
static struct config *
config_new(void)
{
	struct config *conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return NULL;
	conf->facility = LOG_DAEMON;
	conf->ident_mode = IDENT_MODE_ALWAYS;
	conf->ident_timeout.tv_sec = 5;
	conf->ident_port = 113;
	conf->workers = 0;	/* 0: one per core, decided at startup */
	return conf;
}

void
config_free(struct config *conf)
{
	if (conf == NULL)
		return;
	free(conf->file);
	free(conf->user);
	free(conf->group);
	free(conf->chroot);
	free(conf->pidfile);
	free(conf->syslog_socket);
	free(conf->audit_key);
	if (conf->acl != NULL)
		acl_free(conf->acl);
	free(conf);
}

int
config_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_facilities) / sizeof(config_facilities[0]); i++)
		if (strcmp(name, config_facilities[i].name) == 0)
			return config_facilities[i].facility;
	return -1;
}

/* One place formats diagnostics; the caller's diag adds nothing but FILE:LINE. */
static void
config_report(struct config_parse *p, int is_error, const char *file,
    unsigned line, const char *fmt, ...)
{
	char msg[CONFIG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	va_end(ap);
	if (is_error)
		p->errors++;
	if (p->diag != NULL)
		p->diag(p->diag_arg, is_error, file, line, msg);
}

static void
config_acl_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	config_report(arg, is_error, file, line, "%s", msg);
}

static struct config *
config_run(struct config_parse *p, const char *file, const char *buf,
    size_t len)
{
	struct config *conf;
	size_t i;

	if ((conf = config_new()) == NULL || (conf->file = strdup(file)) == NULL ||
	    (p->build = acl_build_new()) == NULL) {
		config_free(conf);
		config_report(p, 1, NULL, 0, "out of memory");
		return NULL;
	}
	p->conf = conf;
	if (buf != NULL)
		config_parse_text(p, file, buf, len);
	else
		config_parse_file(p, file);
	config_finish(p);
	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	conf->nfiles = p->nnames;
	if (p->errors > 0) {
		config_free(conf);
		return NULL;
	}
	return conf;
}

struct config *
config_load(const char *file, const struct config_loader *loader,
    config_diag_fn *diag, void *arg)
{
	struct config_parse p;

	memset(&p, 0, sizeof(p));
	p.loader = loader;
	p.diag = diag;
	p.diag_arg = arg;
	return config_run(&p, file, NULL, 0);
}

struct config *
config_parse_buffer(const char *name, const char *buf, size_t len,
    config_diag_fn *diag, void *arg)
{
	struct config_parse p;

	memset(&p, 0, sizeof(p));
	p.diag = diag;
	p.diag_arg = arg;
	return config_run(&p, name, buf != NULL ? buf : "", len);
}

/* Remember a file name for the life of the parse; rules point at it. */
static const char *
config_intern(struct config_parse *p, const char *name)
{
	char **n;

	if (p->nnames >= CONFIG_FILES_MAX)
		return NULL;
	if ((n = reallocarray(p->names, p->nnames + 1, sizeof(*n))) == NULL)
		return NULL;
	p->names = n;
	if ((n[p->nnames] = strdup(name)) == NULL)
		return NULL;
	return n[p->nnames++];
}

static int
config_parse_file(struct config_parse *p, const char *name)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	int rc;

	if (p->loader->read(p->loader->arg, name, &buf, &len, err,
	    sizeof(err)) == -1) {
		config_report(p, 1, name, 0, "%s", err);
		return -1;
	}
	rc = config_parse_text(p, name, buf, len);
	free(buf);
	return rc;
}

/*
 * Split the text into lines and lines into tokens. Every line is checked
 * for length, NUL and control bytes before any directive sees it.
 */
static int
config_parse_text(struct config_parse *p, const char *name, const char *buf,
    size_t len)
{
	struct config_token tok[CONFIG_TOKENS_MAX + 1];
	const char *file;
	size_t pos = 0, ntok, i;
	unsigned line = 0;

	if ((file = config_intern(p, name)) == NULL) {
		config_report(p, 1, name, 0, p->nnames >= CONFIG_FILES_MAX ?
		    "too many configuration files (at most %d)" :
		    "out of memory", CONFIG_FILES_MAX);
		return -1;
	}
	p->stack[p->depth++] = file;
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
			config_report(p, 1, file, line,
			    "line too long (%zu bytes, at most %d)", ll,
			    CONFIG_LINE_MAX);
			continue;
		}
		for (i = 0; i < ll; i++) {
			unsigned char c = (unsigned char)l[i];

			if (c == '#')
				break;
			if (c == '\0') {
				config_report(p, 1, file, line,
				    "NUL byte in line");
				bad = 1;
				break;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				config_report(p, 1, file, line,
				    "control byte \\x%02x in line", c);
				bad = 1;
				break;
			}
		}
		if (bad)
			continue;
		ll = i;		/* the comment, if any, is gone */
		ntok = 0;
		for (i = 0; i < ll;) {
			size_t start;

			while (i < ll && (l[i] == ' ' || l[i] == '\t'))
				i++;
			if (i == ll)
				break;
			start = i;
			while (i < ll && l[i] != ' ' && l[i] != '\t')
				i++;
			if (ntok == CONFIG_TOKENS_MAX) {
				ntok++;
				break;
			}
			tok[ntok].s = l + start;
			tok[ntok].len = i - start;
			ntok++;
		}
		if (ntok > CONFIG_TOKENS_MAX) {
			config_report(p, 1, file, line, "too many words");
			continue;
		}
		if (ntok > 0)
			config_line(p, file, line, tok, ntok);
	}
	p->depth--;
	return 0;
}

static int
config_tokeq(const struct config_token *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

static char *
config_tokdup(const struct config_token *t)
{
	return strndup(t->s, t->len);
}

/* A token as it may appear in a message: bounded, bytes over 0x7e escaped. */
static void
config_tokshow(const struct config_token *t, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < t->len && o + 5 < len; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (c >= 0x21 && c <= 0x7e && c != '\\') {
			buf[o++] = (char)c;
		} else {
			int n = snprintf(buf + o, len - o, "\\x%02x", c);

			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
	}
	if (i < t->len && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* A single-valued directive given twice is an error naming the first. */
static int
config_once(struct config_parse *p, enum config_once which, const char *what,
    const char *file, unsigned line)
{
	struct config_seen *s = &p->seen[which];

	if (s->file != NULL) {
		config_report(p, 1, file, line,
		    "'%s' given twice (first at %s:%u)", what, s->file, s->line);
		return -1;
	}
	s->file = file;
	s->line = line;
	return 0;
}

static int
config_number(struct config_parse *p, const struct config_token *t,
    unsigned long long min, unsigned long long max, const char *what,
    const char *file, unsigned line, unsigned long long *out)
{
	char show[80];

	if (compat_parse_uint(t->s, t->len, max, out) == -1 || *out < min) {
		config_tokshow(t, show, sizeof(show));
		config_report(p, 1, file, line,
		    "%s must be a number from %llu to %llu, not '%s'", what,
		    min, max, show);
		return -1;
	}
	return 0;
}

/* SECONDS with up to six decimals: "5", "0.25", "1.5". */
static int
config_seconds(const struct config_token *t, struct timeval *tv)
{
	unsigned long long sec = 0, usec = 0;
	size_t dot, i;

	for (dot = 0; dot < t->len && t->s[dot] != '.'; dot++)
		;
	if (compat_parse_uint(t->s, dot, 300, &sec) == -1)
		return -1;
	if (dot < t->len) {
		size_t nd = t->len - dot - 1;

		if (nd == 0 || nd > 6)
			return -1;
		if (compat_parse_uint(t->s + dot + 1, nd, 999999, &usec) == -1)
			return -1;
		for (i = nd; i < 6; i++)
			usec *= 10;
	}
	if (sec == 300 && usec > 0)
		return -1;
	if (sec == 0 && usec < 1000)
		return -1;
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)usec;
	return 0;
}

/* ADDRESS:PORT, or [IPV6]:PORT; numeric addresses only (no DNS at startup). */
static int
config_sockaddr(const struct config_token *t, struct sockaddr_storage *ss,
    socklen_t *sslen, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	size_t hl, pl;
	unsigned long long pn;

	memset(ss, 0, sizeof(*ss));
	if (t->len > 0 && t->s[0] == '[') {
		const char *rb = memchr(t->s, ']', t->len);

		if (rb == NULL || (size_t)(rb - t->s) + 1 >= t->len ||
		    rb[1] != ':') {
			*why = "IPv6 must be written [ADDRESS]:PORT";
			return -1;
		}
		hl = (size_t)(rb - t->s) - 1;
		port = rb + 2;
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "bad IPv6 address";
			return -1;
		}
		memcpy(host, t->s + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host,
		    &((struct sockaddr_in6 *)ss)->sin6_addr) != 1) {
			*why = "bad IPv6 address";
			return -1;
		}
		ss->ss_family = AF_INET6;
		*sslen = sizeof(struct sockaddr_in6);
	} else {
		const char *colon = NULL;
		size_t i;

		for (i = 0; i < t->len; i++)
			if (t->s[i] == ':') {
				if (colon != NULL) {
					*why = "IPv6 must be written [ADDRESS]:PORT";
					return -1;
				}
				colon = t->s + i;
			}
		if (colon == NULL) {
			*why = "expected ADDRESS:PORT";
			return -1;
		}
		hl = (size_t)(colon - t->s);
		port = colon + 1;
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "bad IPv4 address";
			return -1;
		}
		memcpy(host, t->s, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host,
		    &((struct sockaddr_in *)ss)->sin_addr) != 1) {
			*why = "bad IPv4 address (numeric addresses only)";
			return -1;
		}
		ss->ss_family = AF_INET;
		*sslen = sizeof(struct sockaddr_in);
	}
	pl = t->len - (size_t)(port - t->s);
	if (compat_parse_uint(port, pl, 65535, &pn) == -1 || pn == 0) {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)pn);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)pn);
	return 0;
}

static void
config_listen(struct config_parse *p, const char *file, unsigned line,
    struct config_token *tok, size_t ntok)
{
	struct config *conf = p->conf;
	struct config_listen *l;
	const char *why = NULL;
	char show[80];
	size_t i;
	int proto;

	if (ntok != 3) {
		config_report(p, 1, file, line,
		    "usage: listen tcp|udp ADDRESS:PORT");
		return;
	}
	if (config_tokeq(&tok[1], "tcp"))
		proto = SOCK_STREAM;
	else if (config_tokeq(&tok[1], "udp"))
		proto = SOCK_DGRAM;
	else {
		config_tokshow(&tok[1], show, sizeof(show));
		config_report(p, 1, file, line,
		    "listen: protocol must be tcp or udp, not '%s'", show);
		return;
	}
	if (conf->nlistens == CONFIG_LISTEN_MAX) {
		config_report(p, 1, file, line, "too many listen lines (at most %d)",
		    CONFIG_LISTEN_MAX);
		return;
	}
	l = &conf->listens[conf->nlistens];
	if (config_sockaddr(&tok[2], &l->ss, &l->sslen, &why) == -1) {
		config_tokshow(&tok[2], show, sizeof(show));
		config_report(p, 1, file, line, "listen: %s: '%s'", why, show);
		return;
	}
	for (i = 0; i < conf->nlistens; i++)
		if (conf->listens[i].proto == proto &&
		    conf->listens[i].sslen == l->sslen &&
		    memcmp(&conf->listens[i].ss, &l->ss, l->sslen) == 0) {
			config_report(p, 1, file, line,
			    "listen: duplicate of %s:%u", p->listen_file[i],
			    conf->listens[i].line);
			return;
		}
	l->proto = proto;
	l->line = line;
	p->listen_file[conf->nlistens] = file;
	if ((size_t)snprintf(l->text, sizeof(l->text), "%.*s %.*s",
	    (int)tok[1].len, tok[1].s, (int)tok[2].len, tok[2].s) >=
	    sizeof(l->text)) {
		config_report(p, 1, file, line, "listen: address too long");
		return;
	}
	conf->nlistens++;
}

/* A string-valued directive: user, group, chroot, pidfile, ... */
static void
config_string(struct config_parse *p, char **dst, enum config_once which,
    const char *what, const char *file, unsigned line,
    const struct config_token *tok, size_t ntok, int need_abs)
{
	char show[80];

	if (ntok != 2) {
		config_report(p, 1, file, line, "usage: %s", what);
		return;
	}
	if (config_once(p, which, what, file, line) == -1)
		return;
	if (need_abs && tok[1].s[0] != '/') {
		config_tokshow(&tok[1], show, sizeof(show));
		config_report(p, 1, file, line,
		    "%s: an absolute path is needed, not '%s'", what, show);
		return;
	}
	free(*dst);
	if ((*dst = config_tokdup(&tok[1])) == NULL)
		config_report(p, 1, file, line, "out of memory");
}

static void
config_rule(struct config_parse *p, const char *file, unsigned line,
    struct config_token *tok, size_t ntok)
{
	struct acl_rule r;
	const char *errstr = NULL;
	char show[80], net[64];
	int warn = 0;

	memset(&r, 0, sizeof(r));
	r.action = tok[0].s[0] == 'a' ? ACL_ALLOW : ACL_DENY;
	if (ntok != 2 && !(ntok == 4 && config_tokeq(&tok[2], "user"))) {
		config_report(p, 1, file, line, "usage: %s NETBLOCK [user NAME]",
		    r.action == ACL_ALLOW ? "allow" : "deny");
		return;
	}
	if (acl_prefix_parse(tok[1].s, tok[1].len, &r.net, &warn,
	    &errstr) == -1) {
		config_tokshow(&tok[1], show, sizeof(show));
		config_report(p, 1, file, line, "bad netblock '%s': %s", show,
		    errstr != NULL ? errstr : "invalid");
		return;
	}
	if (warn != 0 && acl_prefix_format(&r.net, net, sizeof(net)) != -1) {
		config_tokshow(&tok[1], show, sizeof(show));
		if (warn & ACL_WARN_MAPPED)
			config_report(p, 0, file, line,
			    "IPv4-mapped netblock '%s' is read as %s", show, net);
		if (warn & ACL_WARN_HOSTBITS)
			config_report(p, 0, file, line,
			    "host bits set in '%s': read as %s", show, net);
	}
	if (ntok == 4 && !config_tokeq(&tok[3], "*")) {
		if (tok[3].len > ACL_USER_MAX) {
			config_report(p, 1, file, line,
			    "user name too long (%zu bytes, at most %d)",
			    tok[3].len, ACL_USER_MAX);
			return;
		}
		r.has_user = 1;
		r.user = (const unsigned char *)tok[3].s;
		r.userlen = tok[3].len;
		if (p->nuser_rules++ == 0) {
			p->first_user_file = file;
			p->first_user_line = line;
		}
	}
	r.file = file;
	r.line = line;
	if (acl_build_add(p->build, &r) == -1)
		config_report(p, 1, file, line, "out of memory");
}

/* A file name as it may appear in a message (escaped, bounded). */
static void
config_nameshow(const char *name, char *buf, size_t len)
{
	struct config_token t = { name, strlen(name) };

	config_tokshow(&t, buf, len);
}

static int
config_has_glob(const struct config_token *t)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->s[i] == '*' || t->s[i] == '?' || t->s[i] == '[')
			return 1;
	return 0;
}

/*
 * The including file's directory is a path, not a pattern: its glob
 * characters are escaped so that "/etc/d[1]/x.conf" means just that.
 */
static int
config_dir_pattern(const char *file, char *buf, size_t len)
{
	const char *slash = strrchr(file, '/');
	size_t dl = slash != NULL ? (size_t)(slash - file) + 1 : 0, i, o = 0;

	for (i = 0; i < dl; i++) {
		if (strchr("*?[\\", file[i]) != NULL) {
			if (o + 1 >= len)
				return -1;
			buf[o++] = '\\';
		}
		if (o + 1 >= len)
			return -1;
		buf[o++] = file[i];
	}
	buf[o] = '\0';
	return (int)o;
}

/* include PATTERN: relative to the including file; sorted; no loops. */
static void
config_include(struct config_parse *p, const char *file, unsigned line,
    struct config_token *tok, size_t ntok)
{
	char pattern[4096], plain[4096], err[256], **names = NULL, show[160];
	size_t n = 0, i, j;
	int len, dl;

	if (ntok != 2) {
		config_report(p, 1, file, line, "usage: include PATTERN");
		return;
	}
	if (p->loader == NULL) {
		config_report(p, 1, file, line, "include is not allowed here");
		return;
	}
	dl = tok[1].s[0] == '/' ? 0 :
	    config_dir_pattern(file, pattern, sizeof(pattern));
	len = dl < 0 ? -1 : snprintf(pattern + dl, sizeof(pattern) - (size_t)dl,
	    "%.*s", (int)tok[1].len, tok[1].s);
	if (len >= 0 && (size_t)len < sizeof(pattern) - (size_t)dl) {
		/* what messages show: the path as written, unescaped */
		const char *slash = strrchr(file, '/');
		int pl = tok[1].s[0] == '/' || slash == NULL ? 0 :
		    (int)(slash - file) + 1;

		if (snprintf(plain, sizeof(plain), "%.*s%.*s", pl, file,
		    (int)tok[1].len, tok[1].s) >= (int)sizeof(plain))
			len = -1;
	}
	if (len < 0 || (size_t)len >= sizeof(pattern) - (size_t)dl) {
		config_report(p, 1, file, line, "include: path too long");
		return;
	}
	if (p->loader->glob(p->loader->arg, pattern, &names, &n, err,
	    sizeof(err)) == -1) {
		config_nameshow(plain, show, sizeof(show));
		config_report(p, 1, file, line, "include %s: %s", show, err);
		return;
	}
	if (n == 0 && !config_has_glob(&tok[1])) {
		config_nameshow(plain, show, sizeof(show));
		config_report(p, 1, file, line, "include %s: no such file",
		    show);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < p->depth; j++)
			if (strcmp(p->stack[j], names[i]) == 0)
				break;
		if (j < p->depth) {
			config_nameshow(names[i], show, sizeof(show));
			config_report(p, 1, file, line,
			    "include loop: %s is already being read", show);
		}
		else if (p->depth >= CONFIG_INCLUDE_DEPTH)
			config_report(p, 1, file, line,
			    "includes nested too deeply (at most %d)",
			    CONFIG_INCLUDE_DEPTH);
		else
			config_parse_file(p, names[i]);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* One directive. The first token picks it; each checks its own arguments. */
static void
config_line(struct config_parse *p, const char *file, unsigned line,
    struct config_token *tok, size_t ntok)
{
	struct config *conf = p->conf;
	unsigned long long v;
	char show[80];

	if (config_tokeq(&tok[0], "listen")) {
		config_listen(p, file, line, tok, ntok);
	} else if (config_tokeq(&tok[0], "allow") ||
	    config_tokeq(&tok[0], "deny")) {
		config_rule(p, file, line, tok, ntok);
	} else if (config_tokeq(&tok[0], "include")) {
		config_include(p, file, line, tok, ntok);
	} else if (config_tokeq(&tok[0], "user")) {
		config_string(p, &conf->user, ONCE_USER, "user NAME", file,
		    line, tok, ntok, 0);
	} else if (config_tokeq(&tok[0], "group")) {
		config_string(p, &conf->group, ONCE_GROUP, "group NAME", file,
		    line, tok, ntok, 0);
	} else if (config_tokeq(&tok[0], "chroot")) {
		config_string(p, &conf->chroot, ONCE_CHROOT, "chroot DIR", file,
		    line, tok, ntok, 1);
	} else if (config_tokeq(&tok[0], "pidfile")) {
		config_string(p, &conf->pidfile, ONCE_PIDFILE, "pidfile PATH",
		    file, line, tok, ntok, 1);
	} else if (ntok >= 2 && config_tokeq(&tok[0], "syslog") &&
	    config_tokeq(&tok[1], "facility")) {
		if (ntok != 3) {
			config_report(p, 1, file, line,
			    "usage: syslog facility NAME");
		} else if (config_once(p, ONCE_FACILITY, "syslog facility",
		    file, line) == 0) {
			char name[16];
			int f = -1;

			if (tok[2].len < sizeof(name)) {
				memcpy(name, tok[2].s, tok[2].len);
				name[tok[2].len] = '\0';
				f = config_facility(name);
			}
			if (f == -1) {
				config_tokshow(&tok[2], show, sizeof(show));
				config_report(p, 1, file, line,
				    "unknown syslog facility '%s' (daemon, auth, "
				    "authpriv, local0 ... local7)", show);
			} else
				conf->facility = f;
		}
	} else if (ntok >= 2 && config_tokeq(&tok[0], "syslog") &&
	    config_tokeq(&tok[1], "socket")) {
		config_string(p, &conf->syslog_socket, ONCE_SOCKET,
		    "syslog socket PATH", file, line, tok + 1, ntok - 1, 1);
	} else if (ntok >= 2 && config_tokeq(&tok[0], "ident") &&
	    config_tokeq(&tok[1], "mode")) {
		if (ntok != 3)
			config_report(p, 1, file, line,
			    "usage: ident mode always|rules|off");
		else if (config_once(p, ONCE_IDMODE, "ident mode", file,
		    line) == -1)
			;
		else if (config_tokeq(&tok[2], "always"))
			conf->ident_mode = IDENT_MODE_ALWAYS;
		else if (config_tokeq(&tok[2], "rules"))
			conf->ident_mode = IDENT_MODE_RULES;
		else if (config_tokeq(&tok[2], "off"))
			conf->ident_mode = IDENT_MODE_OFF;
		else {
			config_tokshow(&tok[2], show, sizeof(show));
			config_report(p, 1, file, line,
			    "ident mode must be always, rules or off, not '%s'",
			    show);
		}
	} else if (ntok >= 2 && config_tokeq(&tok[0], "ident") &&
	    config_tokeq(&tok[1], "timeout")) {
		if (ntok != 3)
			config_report(p, 1, file, line,
			    "usage: ident timeout SECONDS");
		else if (config_once(p, ONCE_IDTIMEOUT, "ident timeout", file,
		    line) == -1)
			;
		else if (config_seconds(&tok[2], &conf->ident_timeout) == -1) {
			config_tokshow(&tok[2], show, sizeof(show));
			config_report(p, 1, file, line,
			    "ident timeout must be from 0.001 to 300 seconds "
			    "(up to 6 decimals), not '%s'", show);
		}
	} else if (ntok >= 2 && config_tokeq(&tok[0], "ident") &&
	    config_tokeq(&tok[1], "port")) {
		if (ntok != 3)
			config_report(p, 1, file, line, "usage: ident port PORT");
		else if (config_once(p, ONCE_IDPORT, "ident port", file,
		    line) == 0 && config_number(p, &tok[2], 1, 65535,
		    "ident port", file, line, &v) == 0)
			conf->ident_port = (unsigned)v;
	} else if (ntok >= 2 && config_tokeq(&tok[0], "limit")) {
		enum config_once which;
		unsigned *dst;
		const char *what;

		if (config_tokeq(&tok[1], "connections")) {
			which = ONCE_LCONN;
			dst = &conf->limit_connections;
			what = "limit connections";
		} else if (config_tokeq(&tok[1], "per-source")) {
			which = ONCE_LSRC;
			dst = &conf->limit_per_source;
			what = "limit per-source";
		} else if (config_tokeq(&tok[1], "udp-rate")) {
			which = ONCE_LUDP;
			dst = &conf->limit_udp_rate;
			what = "limit udp-rate";
		} else if (config_tokeq(&tok[1], "udp-total")) {
			which = ONCE_LUDPT;
			dst = &conf->limit_udp_total;
			what = "limit udp-total";
		} else {
			config_tokshow(&tok[1], show, sizeof(show));
			config_report(p, 1, file, line, "unknown limit '%s' "
			    "(connections, per-source, udp-rate, udp-total)", show);
			return;
		}
		if (ntok != 3)
			config_report(p, 1, file, line, "usage: %s N", what);
		else if (config_once(p, which, what, file, line) == 0 &&
		    config_number(p, &tok[2], 1, 1000000, what, file, line,
		    &v) == 0)
			*dst = (unsigned)v;
	} else if (ntok >= 2 && config_tokeq(&tok[0], "audit") &&
	    config_tokeq(&tok[1], "key")) {
		config_string(p, &conf->audit_key, ONCE_AUDITKEY,
		    "audit key PATH", file, line, tok + 1, ntok - 1, 1);
	} else if (config_tokeq(&tok[0], "workers")) {
		if (ntok != 2)
			config_report(p, 1, file, line, "usage: workers N");
		else if (config_once(p, ONCE_WORKERS, "workers", file,
		    line) == 0 && config_number(p, &tok[1], 1, 64, "workers",
		    file, line, &v) == 0)
			conf->workers = (unsigned)v;
	} else if (ntok >= 2 && config_tokeq(&tok[0], "udp") &&
	    config_tokeq(&tok[1], "privileged-sources")) {
		if (ntok != 3 || (!config_tokeq(&tok[2], "answer") &&
		    !config_tokeq(&tok[2], "ignore")))
			config_report(p, 1, file, line,
			    "usage: udp privileged-sources answer|ignore");
		else if (config_once(p, ONCE_UDPPRIV,
		    "udp privileged-sources", file, line) == 0)
			conf->udp_privileged_ports = config_tokeq(&tok[2],
			    "answer");
	} else {
		config_tokshow(&tok[0], show, sizeof(show));
		config_report(p, 1, file, line, "unknown directive '%s'", show);
	}
}

/* Whole-configuration checks once every file is read; then the rule table. */
static void
config_finish(struct config_parse *p)
{
	struct config *conf = p->conf;

	if (conf->nlistens == 0 && p->errors == 0)
		config_report(p, 1, conf->file, 0, "no listen directive");
	if (conf->ident_mode == IDENT_MODE_OFF && p->nuser_rules > 0)
		config_report(p, 0, p->first_user_file, p->first_user_line,
		    "rules naming a user can never decide with 'ident mode "
		    "off' (%zu such rules)", p->nuser_rules);
	conf->acl = acl_build_finish(p->build, config_acl_diag, p);
	p->build = NULL;
	if (conf->acl != NULL)
		acl_stats(conf->acl, &conf->stats);
	else if (p->errors == 0)
		config_report(p, 1, conf->file, 0, "could not build the rule table");
}

/* A directory that is not there matches nothing; one we cannot read is an error. */
static int
disk_glob_err(const char *path, int err)
{
	(void)path;
	return err != ENOENT && err != ENOTDIR;
}

/* glob(3) for the disk loader: sorted, and "no match" is not an error. */
static int
disk_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	glob_t g;
	size_t i;
	int rc;

	(void)arg;
	*names = NULL;
	*n = 0;
	memset(&g, 0, sizeof(g));
	rc = glob(pattern, 0, disk_glob_err, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		snprintf(err, errlen, "%s", rc == GLOB_NOSPACE ?
		    "out of memory" : "cannot read directory");
		globfree(&g);
		return -1;
	}
	if (g.gl_pathc > CONFIG_FILES_MAX ||
	    (*names = calloc(g.gl_pathc, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "too many files");
		globfree(&g);
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++)
		if (((*names)[i] = strdup(g.gl_pathv[i])) == NULL) {
			while (i > 0)
				free((*names)[--i]);
			free(*names);
			*names = NULL;
			globfree(&g);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	*n = g.gl_pathc;
	globfree(&g);
	return 0;
}

/* Read a whole regular file of bounded size. */
static int
disk_read(void *arg, const char *name, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	char *b = NULL;
	size_t have = 0;
	int fd;

	(void)arg;
	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory, not a file");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto fail;
	}
	if ((unsigned long long)st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "too large (%lld bytes, at most %u)",
		    (long long)st.st_size, CONFIG_FILE_MAX);
		goto fail;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (have < (size_t)st.st_size) {
		ssize_t r = read(fd, b + have, (size_t)st.st_size - have);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;	/* shrank while we read: take what is there */
		have += (size_t)r;
	}
	close(fd);
	b[have] = '\0';
	*buf = b;
	*len = have;
	return 0;
fail:
	free(b);
	close(fd);
	return -1;
}
