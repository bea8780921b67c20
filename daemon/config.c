/* SPDX-License-Identifier: ISC */
/*
 * config: struct config's lifecycle, a whole load (the parse, then the
 * checks that need every file read), the syslog facility names, the
 * reference count that makes a configuration a generation, and which
 * settings a reload keeps as they are (they need a restart).
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "acl/acl.h"
#include "daemon/config.h"
#include "daemon/config_parse.h"

static void	config_finish(struct config_parse *, unsigned);
static void	config_finish_proxy(struct config_parse *);
static void	*config_free_thread(void *);
static int	 config_str_differs(const char *, const char *);

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
	conf->audit_facility = -1;	/* the facility's */
	conf->limit_connections = CONFIG_DEFAULT_CONNECTIONS;
	conf->limit_per_source = CONFIG_DEFAULT_PER_SOURCE;
	conf->limit_rate = CONFIG_DEFAULT_RATE;
	conf->limit_udp_rate = CONFIG_DEFAULT_UDP_RATE;
	conf->limit_udp_total = CONFIG_DEFAULT_UDP_TOTAL;
	conf->ident_mode = IDENT_MODE_ALWAYS;
	conf->ident_timeout.tv_sec = 5;
	conf->ident_port = 113;
	conf->proxy_timeout.tv_sec = 3;
	conf->workers = 0;	/* 0: one per core, decided at startup */
	conf->source_prefix[0] = 32;
	conf->source_prefix[1] = 64;	/* what one customer is given */
	conf->seccomp = 1;
	return conf;
}

/* Free a configuration and drop its rule table. */
void
config_free(struct config *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	free(conf->file);
	free(conf->user);
	free(conf->group);
	free(conf->chroot);
	free(conf->pidfile);
	free(conf->syslog_socket);
	free(conf->audit_key);
	free(conf->proxies);
	free(conf->proxy_seen);
	free(conf->audit_signing_key);
	free(conf->audit_state);
	for (i = 0; i < conf->nnames; i++)
		free(conf->names[i].name);
	free(conf->names);
	free(conf->origin);
	if (conf->acl != NULL)
		acl_free(conf->acl);
	free(conf);
}

int
config_origin(const struct config *conf, const char *key, const char **file,
    unsigned *line)
{
	int row = config_parse_row(key);

	if (row < 0 || conf->origin == NULL || conf->origin[row].file == NULL)
		return -1;
	*file = conf->origin[row].file;
	*line = conf->origin[row].line;
	return 0;
}

/* The facility number for a name, or -1. */
int
config_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_facilities) / sizeof(config_facilities[0]); i++)
		if (strcmp(name, config_facilities[i].name) == 0)
			return config_facilities[i].facility;
	return -1;
}

/* The name of a facility number, or NULL. */
const char *
config_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(config_facilities) / sizeof(config_facilities[0]); i++)
		if (config_facilities[i].facility == facility)
			return config_facilities[i].name;
	return NULL;
}

/* Records go to the audit facility when one is set, else to the facility. */
int
config_audit_facility(const struct config *conf)
{
	return conf->audit_facility != -1 ? conf->audit_facility :
	    conf->facility;
}

/* The audit state file: audit state, else the default. */
const char *
config_audit_state(const struct config *conf)
{
	return conf->audit_state != NULL ? conf->audit_state :
	    CONFIG_AUDIT_STATE;
}

/* How many event loops: "workers N", else one per online core, at most 64. */
unsigned
config_workers(const struct config *conf)
{
	long n = conf->workers;

	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > CONFIG_WORKERS_MAX)
		n = CONFIG_WORKERS_MAX;
	return (unsigned)n;
}

/* The rule table's diagnostics go out as the parser's. */
static void
config_acl_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	config_parse_report(arg, is_error, file, line, "%s", msg);
}

/*
 * One load: the parse, then the whole-file checks; NULL on any error,
 * unless partial is not NULL: then what was parsed, the errors counted
 * there.
 */
static struct config *
config_run(const char *file, const char *buf, size_t len,
    const struct config_loader *loader, unsigned flags, int *partial,
    config_diag_fn *diag, void *arg)
{
	struct config_parse p;
	struct config *conf;
	int errors;

	if (config_parse_begin(&p, CONFIG_PARSE_ALL, loader, diag, arg) == -1)
		return NULL;
	p.tally = (flags & CONFIG_LOAD_TALLY) != 0;
	if ((conf = config_new()) == NULL || (conf->file = strdup(file)) == NULL ||
	    (p.build = acl_build_new()) == NULL) {
		config_free(conf);
		config_parse_report(&p, 1, NULL, 0, "out of memory");
		config_parse_end(&p);
		return NULL;
	}
	p.conf = conf;
	config_parse_run(&p, file, buf, len);
	config_finish(&p, flags);
	config_parse_summary(&p);
	conf->nfiles = config_parse_nfiles(&p);
	/* The file names and where each setting was given stay, for -T. */
	conf->names = p.files;
	conf->nnames = p.nfiles;
	conf->origin = p.seen;
	memcpy(conf->listen_file, p.listen_file, sizeof(conf->listen_file));
	p.files = NULL;
	p.nfiles = 0;
	p.seen = NULL;
	errors = p.errors;
	config_parse_end(&p);
	if (partial != NULL)
		*partial = errors;
	else if (errors > 0) {
		config_free(conf);
		return NULL;
	}
	return conf;
}

/* Load the configuration rooted at file through a loader. */
struct config *
config_load(const char *file, const struct config_loader *loader,
    config_diag_fn *diag, void *arg)
{
	return config_run(file, NULL, 0, loader, 0, NULL, diag, arg);
}

/* Load with CONFIG_LOAD_* flags (-i: no listen line needed). */
struct config *
config_load_flags(const char *file, const struct config_loader *loader,
    unsigned flags, config_diag_fn *diag, void *arg)
{
	return config_run(file, NULL, 0, loader, flags, NULL, diag, arg);
}

/* Load with flags, keeping what was parsed whatever the errors. */
struct config *
config_load_partial(const char *file, const struct config_loader *loader,
    unsigned flags, int *errors, config_diag_fn *diag, void *arg)
{
	*errors = 1;	/* until the parse counts them */
	return config_run(file, NULL, 0, loader, flags, errors, diag, arg);
}

/* Parse one file held in memory; include is not allowed. */
struct config *
config_parse_buffer(const char *name, const char *buf, size_t len,
    config_diag_fn *diag, void *arg)
{
	return config_run(name, buf != NULL ? buf : "", len, NULL, 0, NULL,
	    diag, arg);
}

/*
 * An ident lookup goes to the peer's address on the ident port: from a
 * peer on this host, that can be this daemon's own listener, which would
 * look the lookup up in turn, and so on.
 */
static void
config_ident_port(struct config_parse *p)
{
	struct config *conf = p->conf;
	const struct config_seen *s;
	int row = config_parse_row("ident port");
	size_t i;

	if (conf->ident_mode == IDENT_MODE_OFF || row < 0)
		return;
	s = &p->seen[row];
	for (i = 0; i < conf->nlistens; i++) {
		const struct config_listen *cl = &conf->listens[i];
		unsigned port = ntohs(cl->ss.ss_family == AF_INET ?
		    ((const struct sockaddr_in *)(const void *)&cl->ss)->sin_port :
		    ((const struct sockaddr_in6 *)(const void *)&cl->ss)->sin6_port);

		if (cl->proto != SOCK_STREAM || port != conf->ident_port)
			continue;
		config_parse_report(p, 1, s->file != NULL ? s->file :
		    p->listen_file[i], s->file != NULL ? s->line : cl->line,
		    "ident port %u is the port of 'listen %s' (%s:%u): a lookup "
		    "from this host would reach this daemon", conf->ident_port,
		    cl->text, p->listen_file[i], cl->line);
	}
}

/* Whole-configuration checks once every file is read; then the rule table. */
static void
config_finish(struct config_parse *p, unsigned flags)
{
	struct config *conf = p->conf;

	if (conf->nlistens == 0 && p->errors == 0 &&
	    !(flags & CONFIG_LOAD_INETD))
		config_parse_report(p, 1, conf->file, 0, "no listen directive");
	config_ident_port(p);
	if (conf->audit_key == NULL && (conf->audit_signing_key != NULL ||
	    conf->audit_state != NULL) && p->errors == 0) {
		const char *what = conf->audit_signing_key != NULL ?
		    "signing-key" : "state", *file = conf->file;
		char key[32];
		unsigned line = 0;
		int row;

		(void)snprintf(key, sizeof(key), "audit %s", what);
		if ((row = config_parse_row(key)) >= 0 && p->seen != NULL &&
		    p->seen[row].file != NULL) {
			file = p->seen[row].file;
			line = p->seen[row].line;
		}
		config_parse_report(p, 1, file, line, "audit %s needs an "
		    "'audit key': without one, records are not sealed", what);
	}
	if (conf->ident_mode == IDENT_MODE_OFF && p->nuser_rules > 0)
		config_parse_report(p, 0, p->first_user_file, p->first_user_line,
		    "rules naming a user can never decide with 'ident mode "
		    "off' (%zu such rules)", p->nuser_rules);
	else if (p->nuser_rules > 0 && !(flags & CONFIG_LOAD_INETD) &&
	    conf->nlistens > 0 && !config_looks_up(conf))
		config_parse_report(p, 0, p->first_user_file, p->first_user_line,
		    "rules naming a user can never decide: no tcp listener "
		    "looks up ident (proxied peers and UDP get no lookup) (%zu "
		    "such rules)", p->nuser_rules);
	config_finish_proxy(p);
	conf->acl = acl_build_finish(p->build, config_acl_diag, p);
	p->build = NULL;
	if (conf->acl != NULL)
		acl_stats(conf->acl, &conf->stats);
	else if (p->errors == 0)
		config_parse_report(p, 1, conf->file, 0, "could not build the rule table");
}

int
config_looks_up(const struct config *conf)
{
	size_t i;

	for (i = 0; i < conf->nlistens; i++)
		if (conf->listens[i].proto == SOCK_STREAM &&
		    !conf->listens[i].proxy)
			return 1;
	return 0;
}

/* A proxy listener needs a proxy to trust. */
static void
config_finish_proxy(struct config_parse *p)
{
	struct config *conf = p->conf;
	size_t i;

	for (i = 0; i < conf->nlistens; i++)
		if (conf->listens[i].proxy && conf->nproxies == 0)
			config_parse_report(p, 0, p->listen_file[i],
			    conf->listens[i].line, "listen %s proxy: no 'proxy "
			    "NETBLOCK' line, so every connection to it is denied "
			    "(proxy:untrusted)", conf->listens[i].text);
}

/* Whether a lies in the first plen bits of net (the host bits are clear). */
int
config_proxy_trusted(const struct config *conf, const struct acl_addr *a)
{
	size_t i, nbytes, bits;
	const struct acl_prefix *net;

	for (i = 0; i < conf->nproxies; i++) {
		net = &conf->proxies[i];
		if (net->addr.family != a->family)
			continue;
		nbytes = net->plen / 8;
		bits = net->plen % 8;
		if (memcmp(net->addr.bytes, a->bytes, nbytes) != 0)
			continue;
		if (bits != 0 && ((a->bytes[nbytes] ^ net->addr.bytes[nbytes]) &
		    (0xff00u >> bits) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* Sharing and reloading a configuration. */

void
config_ref(struct config *conf)
{
	atomic_fetch_add_explicit(&conf->refs, 1, memory_order_relaxed);
}

/*
 * The body of the thread that frees a configuration nobody holds. Then
 * malloc_trim gives the free memory of every arena back to the system:
 * a reload of a million rules leaves a few hundred MB free in the
 * reload thread's arena, which glibc would otherwise keep (the engine
 * stayed at 222 MB after reloads of a 1M-line list whose table is 39 MB;
 * trimmed, at 50 MB: bench/README.md, "Page faults"). Off the loop, as
 * the free is.
 */
static void *
config_free_thread(void *arg)
{
	config_free(arg);
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
	return NULL;
}

void
config_unref(struct config *conf)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc = -1;

	if (conf == NULL || atomic_fetch_sub_explicit(&conf->refs, 1,
	    memory_order_acq_rel) != 0)
		return;
	if (pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED) == 0)
			rc = pthread_create(&t, &attr, config_free_thread, conf);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0)
		config_free(conf);	/* no thread to be had: free it here */
}

static int
config_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
config_keep_fixed(struct config *n, const struct config *o,
    config_diag_fn *diag, void *arg)
{
	char **fields[] = { &n->user, &n->group, &n->chroot, &n->pidfile,
	    &n->syslog_socket, &n->audit_key, &n->audit_signing_key,
	    &n->audit_state };
	const char *old[] = { o->user, o->group, o->chroot, o->pidfile,
	    o->syslog_socket, o->audit_key, o->audit_signing_key,
	    o->audit_state };
	static const char *const names[] = { "user", "group", "chroot",
	    "pidfile", "syslog socket", "audit key", "audit signing-key",
	    "audit state" };
	char msg[256];
	int listens = n->nlistens != o->nlistens, rc = 0, len;
	size_t i;

	for (i = 0; !listens && i < o->nlistens; i++)
		if (n->listens[i].proto != o->listens[i].proto ||
		    n->listens[i].proxy != o->listens[i].proxy ||
		    n->listens[i].sslen != o->listens[i].sslen ||
		    memcmp(&n->listens[i].ss, &o->listens[i].ss,
		    o->listens[i].sslen) != 0)
			listens = 1;
	if (listens)
		diag(arg, 0, NULL, 0, "listen changed; needs a restart, kept "
		    "as is");
	memcpy(n->listens, o->listens, sizeof(n->listens));
	n->nlistens = o->nlistens;
	/* The kept lines' files were the old configuration's names. */
	memset(n->listen_file, 0, sizeof(n->listen_file));
	/*
	 * A kept proxy listener with no proxy left to trust denies every
	 * connection (proxy:untrusted), as at startup (config_finish_proxy:
	 * a reload logs only this function's warnings, not the parse's).
	 */
	for (i = 0; n->nproxies == 0 && i < n->nlistens; i++)
		if (n->listens[i].proxy && (len = snprintf(msg, sizeof(msg),
		    "listen %s proxy, kept: no 'proxy NETBLOCK' line, so "
		    "every connection to it is denied (proxy:untrusted)",
		    n->listens[i].text)) > 0 && (size_t)len < sizeof(msg))
			diag(arg, 0, NULL, 0, msg);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* -p's pidfile overrides the file's at every reload, unsaid. */
		if (!(fields[i] == &n->pidfile && o->pidfile_arg) &&
		    config_str_differs(*fields[i], old[i]) &&
		    (len = snprintf(msg, sizeof(msg), "%s changed; needs a "
		    "restart, kept as is", names[i])) > 0 &&
		    (size_t)len < sizeof(msg))
			diag(arg, 0, NULL, 0, msg);
		free(*fields[i]);
		*fields[i] = NULL;
		if (old[i] != NULL && (*fields[i] = strdup(old[i])) == NULL)
			rc = -1;
	}
	n->pidfile_arg = o->pidfile_arg;
	if (n->facility != o->facility)
		diag(arg, 0, NULL, 0, "syslog facility changed; needs a "
		    "restart, kept as is");
	n->facility = o->facility;
	if (n->audit_facility != o->audit_facility)
		diag(arg, 0, NULL, 0, "syslog audit-facility changed; needs a "
		    "restart, kept as is");
	n->audit_facility = o->audit_facility;
	if (n->workers != o->workers)
		diag(arg, 0, NULL, 0, "workers changed; needs a restart, kept "
		    "as is");
	n->workers = o->workers;
	if (n->seccomp != o->seccomp)
		diag(arg, 0, NULL, 0, "seccomp changed; needs a restart, kept "
		    "as is");
	n->seccomp = o->seccomp;
	return rc;
}
