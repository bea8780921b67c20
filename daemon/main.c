/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "acl/acl.h"
#include "audit/record.h"
#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/config_word.h"
#include "daemon/engine.h"
#include "daemon/life.h"
#include "daemon/listen.h"
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/preflight.h"
#include "daemon/sandbox.h"
#include "daemon/trust.h"

#define MAIN_CONFIG	SYSCONFDIR "/daytimed/daytimed.conf"
#define MAIN_SD_MAX	64
#define MAIN_SHOW	(4 * 256 + 16)	/* a name through the escaper */

struct main_diag {
	FILE	*out;
	size_t	 errors;
	size_t	 warnings;
};

static void	main_usage(FILE *) ;
static void	main_diag(void *, int, const char *, unsigned, const char *);
static int	main_explain(struct config *, const char *, const char *);
static int	main_test(struct config *, const char *, struct main_diag *);
static int	main_run(struct config *, int);
static int	main_start(struct config *, int);

static const struct option main_longopts[] = {
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "config",	required_argument,	NULL, 'c' },
	{ "pidfile",	required_argument,	NULL, 'p' },
	{ "test",	no_argument,		NULL, 't' },
	{ "explain",	required_argument,	NULL, 'e' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
main_usage(FILE *f)
{
	fprintf(f,
	    "usage: daytimed [-fv] [-c FILE] [-p PIDFILE]   run (daemonize unless -f)\n"
	    "       daytimed -t [-c FILE]                   check the configuration\n"
	    "       daytimed -e ADDR [USER] [-c FILE]       explain the decision for a peer\n"
	    "       daytimed -V | -h\n"
	    "default configuration: %s\n", MAIN_CONFIG);
}

int
main(int argc, char *argv[])
{
	struct main_diag diag = { stderr, 0, 0 };
	struct config_loader loader;
	struct config *conf;
	struct trust trust;
	char show[MAIN_SHOW];
	const char *file = MAIN_CONFIG, *pidfile = NULL, *explain = NULL;
	const char *user = NULL;
	char *abspath = NULL;
	int ch, rc, foreground = 0, test = 0, verbose = 0;

	while ((ch = getopt_long(argc, argv, "fc:p:te:vVh", main_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			foreground = 1;
			break;
		case 'c':
			file = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'e':
			explain = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("daytimed %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (explain != NULL && argc == 1)
		user = argv[0];
	else if (argc != 0 || (test && explain != NULL)) {
		main_usage(stderr);
		return 2;
	}
	log_init("daytimed", verbose);
	/* The daemon changes directory: keep the path it rereads absolute. */
	if (!test && explain == NULL && file[0] != '/') {
		if ((abspath = realpath(file, NULL)) == NULL) {
			config_word_show_str(file, show, sizeof(show));
			fprintf(stderr, "daytimed: %s: %s\n", show, strerror(errno));
			return 1;
		}
		file = abspath;
	}
	if (test)
		diag.out = stdout;
	/*
	 * Started as root, the run user is known only once the configuration
	 * names it: what the files' walks owe to it is judged then.
	 */
	trust_init(&trust, geteuid() != 0, geteuid(), getegid());
	loader_disk_trusting(&trust, &loader);
	conf = config_load(file, &loader, main_diag, &diag);
	if (conf != NULL && pidfile != NULL) {
		free(conf->pidfile);
		if ((conf->pidfile = strdup(pidfile)) == NULL)
			fatal("strdup");
	}
	if (conf != NULL)
		(void)preflight(conf, &trust, explain != NULL ? PREFLIGHT_FILES :
		    PREFLIGHT_START, main_diag, &diag);
	trust_free(&trust);
	if (test)
		return main_test(conf, file, &diag);
	if (conf == NULL || diag.errors > 0) {
		config_word_show_str(file, show, sizeof(show));
		fprintf(stderr, "daytimed: %s: %zu error%s; not started\n", show,
		    diag.errors, diag.errors == 1 ? "" : "s");
		config_free(conf);
		return explain != NULL ? 2 : 1;
	}
	if (explain != NULL)
		return main_explain(conf, explain, user);
	rc = main_run(conf, foreground);
	free(abspath);
	return rc;
}

/*
 * FILE:LINE: error: message, as editors and -t readers expect; FILE
 * through the one escaper.
 */
static void
main_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct main_diag *d = arg;
	char show[MAIN_SHOW];

	config_word_show_str(file != NULL ? file : "daytimed", show,
	    sizeof(show));
	if (is_error)
		d->errors++;
	else
		d->warnings++;
	if (file != NULL && line > 0)
		fprintf(d->out, "%s:%u: %s: %s\n", show, line,
		    is_error ? "error" : "warning", msg);
	else
		fprintf(d->out, "%s: %s: %s\n", show,
		    is_error ? "error" : "warning", msg);
}

static int
main_test(struct config *conf, const char *file, struct main_diag *d)
{
	char show[MAIN_SHOW];

	config_word_show_str(file, show, sizeof(show));
	if (conf == NULL || d->errors > 0) {
		printf("%s: %zu error%s, %zu warning%s\n", show, d->errors,
		    d->errors == 1 ? "" : "s", d->warnings,
		    d->warnings == 1 ? "" : "s");
		config_free(conf);
		return 1;
	}
	printf("%s: ok: %zu rule%s, %zu IPv4 and %zu IPv6 netblocks, "
	    "%zu listener%s, %zu file%s, %zu warning%s\n", show,
	    conf->stats.rules, conf->stats.rules == 1 ? "" : "s",
	    conf->stats.v4_blocks, conf->stats.v6_blocks,
	    conf->nlistens, conf->nlistens == 1 ? "" : "s",
	    conf->nfiles, conf->nfiles == 1 ? "" : "s",
	    d->warnings, d->warnings == 1 ? "" : "s");
	config_free(conf);
	return 0;
}

/* -e ADDR [USER]: the decision, the deciding rule and the netblock. */
static int
main_explain(struct config *conf, const char *addr, const char *user)
{
	struct sockaddr_storage ss;
	struct acl_decision d;
	struct acl_addr a;
	const struct acl_block *b;
	char net[64], show[MAIN_SHOW], rule[PATH_MAX + 16];
	socklen_t len;
	int lookup;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	} else {
		config_word_show_str(addr, show, sizeof(show));
		fprintf(stderr, "daytimed: -e %s: not an IPv4 or IPv6 address\n",
		    show);
		config_free(conf);
		return 2;
	}
	if (acl_addr_from_sockaddr((struct sockaddr *)&ss, len, &a) == -1) {
		config_word_show_str(addr, show, sizeof(show));
		fprintf(stderr, "daytimed: -e %s: unusable address\n", show);
		config_free(conf);
		return 2;
	}
	b = acl_lookup(conf->acl, &a);
	acl_decide(b, (const unsigned char *)user, user != NULL ?
	    strlen(user) : 0, &d);
	if (!d.matched || acl_prefix_format(&d.net, net, sizeof(net)) == -1)
		snprintf(net, sizeof(net), "none");
	lookup = b != NULL && (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES && acl_block_has_user_rules(b)));
	/* FILE:LINE as a record's rule= shows it: one escaped value */
	if (d.file == NULL || snprintf(rule, sizeof(rule), "%s:%u", d.file,
	    d.line) >= (int)sizeof(rule))
		snprintf(rule, sizeof(rule), "default");
	record_escape(show, sizeof(show), rule, strlen(rule));
	printf("%s rule=%s netblock=%s ident=%s\n",
	    d.action == ACL_ALLOW ? "allow" : "deny", show, net,
	    lookup ? "lookup" : "none");
	config_free(conf);
	return d.action == ACL_ALLOW ? 0 : 1;
}

/*
 * Startup in the fixed order: everything that needs root or the outside
 * filesystem first (pidfile, sockets, syslog, keys, time zone), then the
 * fork, then chroot and the privilege drop, then the first client.
 */
static int
main_run(struct config *conf, int foreground)
{
	int rc;

	/* Until the engine takes the configuration, it is ours to free. */
	if ((rc = main_start(conf, foreground)) == -1) {
		life_pidfile_remove();	/* the one we made, if we did */
		config_free(conf);
		rc = 1;
	}
	return rc;
}

static int
main_start(struct config *conf, int foreground)
{
	struct reload_source src;
	struct listen_set *ls;
	struct life_user u;
	struct engine *e;
	struct audit *audit;
	int sd[MAIN_SD_MAX], rc;
	size_t nsd;
	char err[256];
	int syslog_ok, seccomp;

	signal(SIGPIPE, SIG_IGN);	/* a peer gone away is an error, not a death */
	nsd = life_systemd_fds(sd, MAIN_SD_MAX);
	/* Nothing the caller left open survives, but what systemd passed. */
	closefrom(3 + (int)nsd);
	if (sodium_init() < 0)
		fatalx("libsodium cannot start");
	if (life_user(conf->user, conf->group, &u) == -1)
		return -1;
	if (conf->chroot != NULL && !u.set) {
		log_warnx("chroot %s needs root", conf->chroot);
		return -1;
	}
	if (conf->pidfile != NULL && life_pidfile_open(conf->pidfile) == -1)
		return -1;
	if ((ls = listen_open(conf, engine_workers(conf), sd, nsd)) == NULL)
		return -1;
	/*
	 * Without syslog a daemon would drop its audit trail on the floor: an
	 * error. In the foreground the records go to stderr instead.
	 */
	if ((syslog_ok = log_open_syslog(conf->syslog_socket != NULL ?
	    conf->syslog_socket : LOG_SOCKET_DEFAULT, conf->facility) == 0) &&
	    foreground && getenv("JOURNAL_STREAM") != NULL) {
		/* Under systemd stderr is the journal too: say things once. */
		log_stderr(0);
	} else if (!syslog_ok) {
		log_warn("syslog socket %s", conf->syslog_socket != NULL ?
		    conf->syslog_socket : LOG_SOCKET_DEFAULT);
		if (!foreground)
			return -1;
		log_warnx("logging to stderr only");
	}
	tzset();	/* the zone is loaded now; the chroot may have none */
	{
		time_t now = time(NULL);
		struct tm tm;

		(void)localtime_r(&now, &tm);
	}
	if (!foreground)
		life_daemonize();
	if (life_pidfile_write() == -1)
		return -1;
	/* The monitor keeps the pidfile and reads files; the engine serves. */
	if (monitor_split(conf->file, &u, ls, &src) == -1)
		return -1;
	life_pidfile_close();
	/*
	 * The epoch key is drawn here, in the engine only, so that no other
	 * process ever holds a copy; the key file is read before chroot.
	 */
	if ((audit = audit_open(conf->audit_key, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	if (life_drop(conf->chroot, &u) == -1 || monitor_wait_ready() == -1) {
		audit_close(audit);
		return -1;
	}
	seccomp = conf->seccomp;
	if ((e = engine_new(conf, ls, audit, &src)) == NULL) {
		log_warnx("cannot set up the event loop");	/* it freed conf */
		audit_close(audit);
		return 1;
	}
	monitor_unblock_signals();	/* the loop's handlers are in place */
	log_info("listening with %zu socket%s as uid %u", conf->nlistens,
	    conf->nlistens == 1 ? "" : "s", (unsigned)getuid());
	/* From here on the engine only serves: the filter says so. */
	if (sandbox_engine(seccomp, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		engine_free(e);
		audit_close(audit);
		return 1;
	}
	if (!seccomp)
		log_info("seccomp off: the engine runs without its system call "
		    "filter");
	else if (!sandbox_available())
		log_info("seccomp off: a sanitizer build");
	else
		log_info("seccomp on: the engine's system calls are filtered");
	if (!foreground)
		life_ready();
	rc = engine_run(e);
	engine_free(e);
	audit_close(audit);
	return rc;
}
