/* SPDX-License-Identifier: ISC */
/*
 * main: the command line. One mode per run: the daemon (-f, -d), inetd
 * mode (-i), -t, -T, -e and -r, each reading the configuration with the
 * one parser; then the daemon's startup in its fixed order.
 *
 * One exit status convention for every mode (daytimed(8), EXIT STATUS):
 * 0 yes (running ended well, no errors, allow), 1 no (a configuration or
 * startup error, errors found, deny, a failed reload), 2 the question
 * could not be asked (a usage error; -e without a usable configuration
 * or address).
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/audit.h"
#include "daemon/config.h"
#include "daemon/config_show.h"
#include "daemon/config_word.h"
#include "daemon/conn.h"
#include "daemon/engine.h"
#include "daemon/explain.h"
#include "daemon/inetd.h"
#include "daemon/life.h"
#include "daemon/life_start.h"
#include "daemon/listen.h"
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/preflight.h"
#include "daemon/proctitle.h"
#include "daemon/sandbox.h"
#include "daemon/status.h"

#define MAIN_CONFIG	SYSCONFDIR "/daytimed/daytimed.conf"
#define MAIN_SD_MAX	64
#define MAIN_NAME	(4 * 256 + 16)	/* a name through the escaper */

#define MAIN_EXIT_OK	0	/* yes: ran and stopped well, ok, allow */
#define MAIN_EXIT_NO	1	/* configuration or startup error, deny */
#define MAIN_EXIT_USAGE	2	/* usage error; -e, -r could not be answered */

enum main_mode {
	MAIN_RUN = 0,	/* the daemon, or inetd mode with -i */
	MAIN_TEST,	/* -t */
	MAIN_SHOW,	/* -T */
	MAIN_EXPLAIN,	/* -e */
	MAIN_RELOAD	/* -r */
};

struct main_opts {
	enum main_mode	 mode;
	char		 mode_opt;	/* the option that chose it */
	const char	*file;
	const char	*pidfile;
	const char	*explain;
	const char	*user;
	int		 foreground, debug, inetd, verbose;
};

struct main_diag {
	FILE	*out;
	size_t	 errors;
	size_t	 warnings;
};

static void	main_usage(FILE *);
static int	main_usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	main_unknown(const char *, int);
static int	main_options(int, char **, struct main_opts *);
static void	main_diag(void *, int, const char *, unsigned, const char *);
static int	main_test(struct config *, const char *, struct main_diag *);
static int	main_explain(struct config *, const struct main_opts *);
static int	main_run(struct config *, const struct main_opts *);
static int	main_start(struct config *, const struct main_opts *);
static void	main_listening(const struct listen_set *);

static const struct option main_longopts[] = {
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "debug",	no_argument,		NULL, 'd' },
	{ "config",	required_argument,	NULL, 'c' },
	{ "pidfile",	required_argument,	NULL, 'p' },
	{ "test",	no_argument,		NULL, 't' },
	{ "show",	no_argument,		NULL, 'T' },
	{ "explain",	required_argument,	NULL, 'e' },
	{ "inetd",	no_argument,		NULL, 'i' },
	{ "reload",	no_argument,		NULL, 'r' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
main_usage(FILE *f)
{
	fprintf(f,
	    "usage: daytimed [-dfv] [-c FILE] [-p PIDFILE]  run (daemonize unless -f or -d)\n"
	    "       daytimed -i [-dv] [-c FILE]             inetd mode: serve the socket on stdin\n"
	    "       daytimed -t [-i] [-c FILE]              check the configuration\n"
	    "       daytimed -T [-i] [-c FILE]              print the effective configuration\n"
	    "       daytimed -e ADDR [USER] [-i] [-c FILE]  explain the decision for a peer\n"
	    "       daytimed -e - [-i] [-c FILE]            explain each \"ADDR [USER]\" line of stdin\n"
	    "       daytimed -r [-c FILE] [-p PIDFILE]      reload the running daemon, report the outcome\n"
	    "       daytimed -V | -h\n"
	    "default configuration: %s\n", MAIN_CONFIG);
}

/* "daytimed: what was wrong", then the usage text: exit 2. */
static int
main_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("daytimed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	main_usage(stderr);
	return MAIN_EXIT_USAGE;
}

/*
 * Set the mode once; a second one is a usage error naming both, and so
 * is a second -e, whose ADDR would replace the first one's.
 */
static int
main_mode(struct main_opts *o, enum main_mode m, char opt)
{
	if (o->mode != MAIN_RUN && o->mode_opt == opt && opt == 'e')
		return main_usage_error("-e given twice: one ADDR a run "
		    "(-e - reads a stream of them)");
	if (o->mode != MAIN_RUN && o->mode_opt != opt)
		return main_usage_error("-%c and -%c cannot be combined",
		    o->mode_opt, opt);
	o->mode = m;
	o->mode_opt = opt;
	return 0;
}

/*
 * What getopt refused, named as given: an unknown option, or a long one
 * with a value it takes none of ("--test=x", for which getopt's optopt
 * is 't', as if -t were unknown). arg is the word getopt last took.
 */
static int
main_unknown(const char *arg, int opt)
{
	const struct option *lo;
	size_t n = strcspn(arg, "=");

	if (opt == 0)
		return main_usage_error("unknown option %s", arg);
	if (strncmp(arg, "--", 2) == 0 && arg[n] == '=')
		for (lo = main_longopts; lo->name != NULL; lo++)
			if (lo->val == opt && lo->has_arg == no_argument &&
			    strncmp(lo->name, arg + 2, n - 2) == 0)
				return main_usage_error("option %.*s takes no "
				    "argument", (int)n, arg);
	return main_usage_error("unknown option -%c", opt);
}

/* Read the command line into o: 0, -1 after -V or -h, or a usage error. */
static int
main_options(int argc, char **argv, struct main_opts *o)
{
	int ch, rc = 0;

	opterr = 0;	/* our own messages: they name the culprit */
	while (rc == 0 && (ch = getopt_long(argc, argv, ":fdc:p:tTe:irvVh",
	    main_longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->foreground = 1;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'c':	/* a second would silently replace the first */
			if (o->file != NULL)
				return main_usage_error("-c given twice: "
				    "one configuration file a run");
			o->file = optarg;
			break;
		case 'p':
			if (o->pidfile != NULL)
				return main_usage_error("-p given twice: "
				    "one pidfile a run");
			o->pidfile = optarg;
			break;
		case 't':
			rc = main_mode(o, MAIN_TEST, 't');
			break;
		case 'T':
			rc = main_mode(o, MAIN_SHOW, 'T');
			break;
		case 'e':
			rc = main_mode(o, MAIN_EXPLAIN, 'e');
			o->explain = optarg;
			break;
		case 'i':
			o->inetd = 1;
			break;
		case 'r':
			rc = main_mode(o, MAIN_RELOAD, 'r');
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'V':
			printf("daytimed %s\n", PACKAGE_VERSION);
			return -1;
		case 'h':
			main_usage(stdout);
			return -1;
		case ':':
			return optopt != 0 ? main_usage_error("option -%c needs "
			    "an argument", optopt) : main_usage_error("option "
			    "%s needs an argument", argv[optind - 1]);
		default:
			return main_unknown(argv[optind - 1], optopt);
		}
	}
	if (rc != 0)
		return rc;
	if (o->mode == MAIN_EXPLAIN && strcmp(o->explain, "-") != 0 &&
	    optind < argc)
		o->user = argv[optind++];
	if (optind < argc)
		return main_usage_error("unexpected argument '%s'%s",
		    argv[optind], o->mode != MAIN_EXPLAIN ? "" :
		    o->user == NULL ? " (-e - reads its queries from stdin)" :
		    " (-e takes ADDR and at most one USER)");
	if ((o->debug || o->foreground || o->verbose) &&
	    o->mode != MAIN_RUN)
		return main_usage_error("-%c runs the daemon: not with -%c",
		    o->debug ? 'd' : o->foreground ? 'f' : 'v', o->mode_opt);
	if (o->inetd && o->foreground)
		return main_usage_error("-f is not for -i: the super server "
		    "runs it in the foreground");
	if (o->inetd && o->mode != MAIN_RUN && o->mode != MAIN_TEST &&
	    o->mode != MAIN_SHOW && o->mode != MAIN_EXPLAIN)
		return main_usage_error("-i cannot be combined with -%c",
		    o->mode_opt);
	if (o->pidfile != NULL && (o->inetd || (o->mode != MAIN_RUN &&
	    o->mode != MAIN_RELOAD)))
		return main_usage_error("-p is for running the daemon and for "
		    "-r only");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct main_opts o;
	struct main_diag diag = { stderr, 0, 0 };
	struct config *conf;
	char *abspath = NULL, *abspidfile = NULL, name[MAIN_NAME];
	uint64_t shown;
	int rc;

	/* Before anything holds on to argv: the title needs its memory. */
	proctitle_init(argc, argv);
	memset(&o, 0, sizeof(o));
	if ((rc = main_options(argc, argv, &o)) != 0)
		return rc == -1 ? MAIN_EXIT_OK : rc;
	if (o.file == NULL)
		o.file = MAIN_CONFIG;
	/* A long load (a big list) is the daemon's start too. */
	if (o.mode == MAIN_RUN && !o.inetd)
		life_start_signals();
	log_init("daytimed", o.verbose);
	/*
	 * One name for the file in every mode, and after the daemon's change
	 * to /: a relative one is made absolute by the working directory,
	 * its links left as they are, so that relative includes and lists
	 * are always taken in the directory of the file as named.
	 */
	config_word_show_str(o.file, name, sizeof(name));
	if (o.file[0] != '/') {
		if ((abspath = life_abs(o.file)) == NULL) {
			fprintf(stderr, "daytimed: %s: %s\n", name,
			    strerror(errno));
			return o.mode == MAIN_EXPLAIN ? MAIN_EXIT_USAGE :
			    MAIN_EXIT_NO;
		}
		o.file = abspath;
		config_word_show_str(o.file, name, sizeof(name));
	}
	/* And the pidfile it removes at its stop, -r reads, -t checks. */
	if (o.mode == MAIN_RUN && o.pidfile != NULL && o.pidfile[0] != '/') {
		if ((abspidfile = life_abs_in_dir(o.pidfile)) == NULL) {
			config_word_show_str(o.pidfile, name, sizeof(name));
			fprintf(stderr, "daytimed: -p %s: %s\n", name,
			    strerror(errno));
			free(abspath);
			return MAIN_EXIT_NO;
		}
		o.pidfile = abspidfile;
	}
	if (o.mode == MAIN_RUN && o.inetd) {
		rc = inetd_main(o.file, o.debug);
		goto done;
	}
	if (o.mode == MAIN_TEST)
		diag.out = stdout;
	/* -t predicts a start: it checks what the start checks. */
	conf = preflight_load(o.file, CONFIG_LOAD_TALLY |
	    (o.inetd ? CONFIG_LOAD_INETD : 0),
	    o.mode != MAIN_RUN && o.mode != MAIN_TEST ? PREFLIGHT_FILES :
	    o.inetd ? PREFLIGHT_INETD : PREFLIGHT_START,
	    o.mode == MAIN_RUN ? o.pidfile : NULL, main_diag, &diag);
	if (o.mode == MAIN_TEST) {
		rc = main_test(conf, name, &diag);
		goto done;
	}
	if (conf == NULL) {
		fprintf(stderr, "daytimed: %s: %zu error%s; %s\n", name,
		    diag.errors, diag.errors == 1 ? "" : "s",
		    o.mode == MAIN_RUN ? "not started" : o.mode == MAIN_RELOAD ?
		    "not reloaded" : "nothing to show");
		rc = o.mode == MAIN_EXPLAIN ? MAIN_EXIT_USAGE : MAIN_EXIT_NO;
		goto done;
	}
	switch (o.mode) {
	case MAIN_SHOW:
		rc = config_show(conf, stdout, &shown) == 0 ? MAIN_EXIT_OK :
		    MAIN_EXIT_NO;
		if (rc == MAIN_EXIT_OK && shown > LOADER_FILE_MAX)
			fprintf(stderr, "daytimed: warning: -T printed %llu "
			    "bytes, more than the %u MiB a configuration file "
			    "may hold: -t refuses that output as one file\n",
			    (unsigned long long)shown, LOADER_FILE_MAX >> 20);
		config_free(conf);
		break;
	case MAIN_EXPLAIN:
		rc = main_explain(conf, &o);
		break;
	case MAIN_RELOAD:
		/* Checked like -t first: a file with errors would not take. */
		if (o.pidfile == NULL && conf->pidfile == NULL) {
			fprintf(stderr, "daytimed: -r: %s names no pidfile; give "
			    "the running daemon's with -p\n", conf->file);
			rc = MAIN_EXIT_NO;
		} else {
			/* Sent, with no outcome to tell: not answered (2). */
			rc = status_reload(o.pidfile != NULL ? o.pidfile :
			    conf->pidfile, STATUS_WAIT_SECS);
			rc = rc == 0 ? MAIN_EXIT_OK : rc == -2 ?
			    MAIN_EXIT_USAGE : MAIN_EXIT_NO;
		}
		config_free(conf);
		break;
	default:
		rc = main_run(conf, &o);
		break;
	}
done:
	free(abspath);
	free(abspidfile);
	return rc;
}

/*
 * FILE:LINE: error: message, as editors and -t readers expect; FILE
 * through the one escaper. The counts are of problems, those not shown
 * included (CONFIG_LOAD_TALLY), not of the lines printed.
 */
static void
main_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct main_diag *d = arg;
	char name[MAIN_NAME];

	if (!(is_error & CONFIG_DIAG_SUM))
		(*(is_error != 0 ? &d->errors : &d->warnings))++;
	is_error &= ~CONFIG_DIAG_SUM;
	if (msg == NULL)
		return;		/* counted, not shown */
	config_word_show_str(file != NULL ? file : "daytimed", name,
	    sizeof(name));
	if (file != NULL && line > 0)
		fprintf(d->out, "%s:%u: %s: %s\n", name, line,
		    is_error ? "error" : "warning", msg);
	else
		fprintf(d->out, "%s: %s: %s\n", name,
		    is_error ? "error" : "warning", msg);
}

/* The user the engine will run as: uid_t for the audit state's checks. */
static uid_t
main_run_uid(const struct config *conf, const struct life_user *u)
{
	struct passwd *pw;

	if (u != NULL)
		return u->set ? u->uid : geteuid();
	if (geteuid() == 0 && conf->user != NULL &&
	    (pw = getpwnam(conf->user)) != NULL)
		return pw->pw_uid;
	return geteuid();
}

/* The audit files as the daemon would read them (key, signing key, state). */
static void
main_audit_params(const struct config *conf, uid_t uid,
    struct audit_params *ap)
{
	memset(ap, 0, sizeof(*ap));
	ap->key = conf->audit_key;
	ap->signing_key = conf->audit_signing_key;
	ap->state = config_audit_state(conf);
	ap->state_default = conf->audit_state == NULL;
	ap->uid = uid;
	ap->chroot = conf->chroot;
}

/* -t: the configuration's diagnostics, then what a start would read. */
static int
main_test(struct config *conf, const char *file, struct main_diag *d)
{
	struct audit_params ap;
	char note[512], err[512];
	const char *which, *at;
	unsigned line;
	int rc;

	if (conf != NULL) {
		main_audit_params(conf, main_run_uid(conf, NULL), &ap);
		rc = audit_check(&ap, &which, note, sizeof(note), err,
		    sizeof(err));
		at = file;	/* the directive's place, for either */
		line = 0;
		(void)config_origin(conf, which, &at, &line);
		if (rc == -1) {
			main_diag(d, 1, at, line, err);
			config_free(conf);
			conf = NULL;
		} else if (note[0] != '\0')
			main_diag(d, 0, at, line, note);
	}
	if (conf == NULL) {
		printf("%s: %zu error%s, %zu warning%s\n", file, d->errors,
		    d->errors == 1 ? "" : "s", d->warnings,
		    d->warnings == 1 ? "" : "s");
		return MAIN_EXIT_NO;
	}
	printf("%s: ok: %zu rule%s, %zu IPv4 and %zu IPv6 netblocks, "
	    "%zu listener%s, %zu file%s, %zu warning%s\n", file,
	    conf->stats.rules, conf->stats.rules == 1 ? "" : "s",
	    conf->stats.v4_blocks, conf->stats.v6_blocks,
	    conf->nlistens, conf->nlistens == 1 ? "" : "s",
	    conf->nfiles, conf->nfiles == 1 ? "" : "s",
	    d->warnings, d->warnings == 1 ? "" : "s");
	config_free(conf);
	return MAIN_EXIT_OK;
}

/* -e ADDR [USER], or -e - for a stream of them. */
static int
main_explain(struct config *conf, const struct main_opts *o)
{
	struct explain_warned w = { 0 };
	enum explain_status st;

	if (strcmp(o->explain, "-") == 0)
		st = explain_stream(conf, o->inetd, stdin, stdout, stderr);
	else
		st = explain_one(conf, o->inetd, o->explain, strlen(o->explain),
		    (const unsigned char *)o->user, o->user != NULL ?
		    strlen(o->user) : 0, &w, stdout, stderr);
	if (fflush(stdout) == EOF)
		st = EXPLAIN_ERROR;
	config_free(conf);
	return st == EXPLAIN_ALLOW ? MAIN_EXIT_OK : st == EXPLAIN_DENY ?
	    MAIN_EXIT_NO : MAIN_EXIT_USAGE;
}

/*
 * Startup in the fixed order: everything that needs root or the outside
 * filesystem first (pidfile, sockets, syslog, keys, time zone), then the
 * fork, then chroot and the privilege drop, then the first client.
 */
static int
main_run(struct config *conf, const struct main_opts *o)
{
	int rc;

	/* Until the engine takes the configuration, it is ours to free. */
	if ((rc = main_start(conf, o)) == -1) {
		life_pidfile_remove();	/* the one we made, if we did */
		status_remove();	/* the same, until the split */
		config_free(conf);
		rc = MAIN_EXIT_NO;
	}
	/*
	 * The engine (or, before the fork, the one process) keeps the log
	 * queue, and nobody else sends it: at a failed start it may still
	 * hold the startup messages of a slow syslog.
	 */
	log_flush(1000);
	if (rc == MAIN_EXIT_NO)
		life_start_reraise();	/* stopped by TERM or INT: end so */
	return rc;
}

/* "listening on tcp 127.0.0.1:13 (2 sockets, one per worker)", each line. */
static void
main_listening(const struct listen_set *ls)
{
	unsigned nw = listen_workers(ls);
	size_t i, total = 0;

	for (i = 0; i < listen_lines(ls); i++) {
		const struct config_listen *cl = listen_line(ls, i);

		if (listen_inherited(ls, i)) {
			log_info("listening on %s (a socket passed by the "
			    "service manager, shared by %u worker%s)", cl->text,
			    nw, nw == 1 ? "" : "s");
			total++;
		} else {
			log_info("listening on %s (%u socket%s, one per worker)",
			    cl->text, nw, nw == 1 ? "" : "s");
			total += nw;
		}
	}
	log_info("serving with %u worker%s and %zu listening socket%s as "
	    "uid %u", nw, nw == 1 ? "" : "s", total, total == 1 ? "" : "s",
	    (unsigned)getuid());
}

static int
main_start(struct config *conf, const struct main_opts *o)
{
	struct reload_source src;
	struct audit_params ap;
	struct listen_set *ls;
	struct life_user u;
	struct engine *e;
	struct audit *audit;
	int sd[MAIN_SD_MAX], rc, foreground = o->foreground || o->debug;
	size_t nsd;
	char err[512], note[512];
	int syslog_ok, seccomp;

	signal(SIGPIPE, SIG_IGN);	/* a peer gone away is an error, not a death */
	life_start_disarm();	/* a pidfile to remove from here on */
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
	if (conf->pidfile != NULL && (life_pidfile_open(conf->pidfile) == -1 ||
	    status_open(conf->pidfile, u.set ? u.uid : geteuid()) == -1))
		return -1;
	if ((ls = listen_open(conf, engine_workers(conf), sd, nsd)) == NULL)
		return -1;
	/*
	 * Without syslog a daemon would drop its audit trail on the floor: an
	 * error. In the foreground the records go to stderr instead.
	 */
	if ((syslog_ok = log_open_syslog(conf->syslog_socket != NULL ?
	    conf->syslog_socket : LOG_SOCKET_DEFAULT, conf->facility) == 0) &&
	    o->foreground && !o->debug && life_stderr_is_journal()) {
		/* Under systemd stderr is the journal too: say things once. */
		log_stderr(0);
	} else if (!syslog_ok) {
		log_warn("syslog socket %s", conf->syslog_socket != NULL ?
		    conf->syslog_socket : LOG_SOCKET_DEFAULT);
		if (!foreground) {
			log_warnx("not starting: the audit records would be "
			    "lost (start the syslog daemon, name its socket "
			    "with 'syslog socket', or run in the foreground "
			    "with -f: the records then go to stderr)");
			goto fail;
		}
		log_warnx("logging to stderr only");
	}
	if (syslog_ok && log_syslog_stream())
		log_info("syslog socket %s: a stream socket, one message a line",
		    conf->syslog_socket != NULL ? conf->syslog_socket :
		    LOG_SOCKET_DEFAULT);
	log_set_audit_facility(config_audit_facility(conf));
	if (o->debug)
		log_set_debug(1);
	if (log_debugging())
		conn_debug();
	tzset();	/* the zone is loaded now; the chroot may have none */
	{
		time_t now = time(NULL);
		struct tm tm;

		(void)localtime_r(&now, &tm);
	}
	if (!foreground)
		life_daemonize();
	if (life_pidfile_write() == -1)
		goto fail;
	/*
	 * The monitor's first line (it is this process), written while a
	 * failure still reaches the starter: only a warning, the monitor
	 * tries again (status.h).
	 */
	status_write(getpid(), 0, 0, "starting", NULL);
	/* The monitor keeps the pidfile and reads files; the engine serves. */
	if (monitor_split(conf->file, &u, ls, &src) == -1)
		goto fail;
	life_pidfile_close();
	status_close();
	proctitle_set("engine");
	/*
	 * The epoch key is drawn here, in the engine only, so that no other
	 * process ever holds a copy; the key files are read and the state's
	 * directory opened before chroot and the privilege drop, and the
	 * host's signing key is wiped once it has signed the epoch.
	 */
	main_audit_params(conf, main_run_uid(conf, &u), &ap);
	if ((audit = audit_open(&ap, note, sizeof(note), err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto fail;
	}
	if (note[0] != '\0')
		log_info("%s", note);
	if (life_drop(conf->chroot, &u) == -1 || monitor_wait_ready() == -1) {
		audit_close(audit);
		goto fail;
	}
	if (audit_begin(audit, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		audit_close(audit);
		goto fail;
	}
	seccomp = conf->seccomp;
	if ((e = engine_new(conf, ls, audit, &src)) == NULL) {
		log_warnx("cannot set up the event loop");	/* it freed conf */
		audit_close(audit);
		return MAIN_EXIT_NO;
	}
	/* The loop's handlers are in place: signals, and the monitor's too. */
	if (monitor_engine_up() == -1) {
		log_warnx("the monitor process is gone");
		engine_free(e);
		audit_close(audit);
		return MAIN_EXIT_NO;
	}
	main_listening(ls);
	/* From here on the engine only serves: the filter says so. */
	if (sandbox_start(seccomp) == -1) {
		engine_free(e);
		audit_close(audit);
		return MAIN_EXIT_NO;
	}
	if (!foreground)
		life_ready();
	rc = engine_run(e);
	engine_free(e);
	audit_close(audit);
	return rc;
fail:
	listen_free(ls);	/* until engine_new takes the sockets */
	return -1;
}
