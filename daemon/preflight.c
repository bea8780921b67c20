/* SPDX-License-Identifier: ISC */
/*
 * preflight: the checks a start needs and -t predicts, each reported at
 * the FILE:LINE of the directive it is about (or the main file when the
 * directive is missing). Names from the configuration are shown through
 * the one escaper.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/chain.h"
#include "audit/keyfile.h"
#include "daemon/config.h"
#include "daemon/config_word.h"
#include "daemon/life.h"
#include "daemon/loader.h"
#include "daemon/logsink.h"
#include "daemon/preflight.h"
#include "daemon/trust.h"

#define PREFLIGHT_MSG	2048
#define PREFLIGHT_SHOW	(4 * 256 + 16)

struct preflight {
	const struct config	*conf;
	config_diag_fn		*diag;
	void			*arg;
	size_t			 errors;
	int			 known;		/* the run user is known */
	uid_t			 uid;
	gid_t			 gid;
};

/* One diagnostic of a load, held until it is known to be the one shown. */
struct preflight_held {
	int		 is_error;
	char		*file;		/* NULL: no position */
	unsigned	 line;
	char		*msg;
};

/*
 * What the first read said: the diagnostics shown, bounded by the parse's
 * (CONFIG_DIAG_PER_FILE, CONFIG_DIAG_MAX, one sum per file), and those
 * past the bounds (CONFIG_LOAD_TALLY: msg NULL) only counted, however
 * many a file has.
 */
struct preflight_hold {
	struct preflight_held	*d;
	size_t			 n;
	size_t			 cap;		/* of d */
	size_t			 tally[2];	/* msg NULL: [is_error] */
	int			 lost;		/* out of memory: say so */
};

static void	preflight_report(struct preflight *, int, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

/* One diagnostic at the directive key's FILE:LINE. */
static void
preflight_report(struct preflight *pf, int is_error, const char *key,
    const char *fmt, ...)
{
	char msg[PREFLIGHT_MSG];
	const char *file = pf->conf->file;
	unsigned line = 0;
	va_list ap;

	if (key != NULL)
		(void)config_origin(pf->conf, key, &file, &line);
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	va_end(ap);
	if (is_error)
		pf->errors++;
	pf->diag(pf->arg, is_error, file, line, msg);
}

/*
 * Who the daemon will run as after the drop, as life_user will decide it:
 * this process's user when not started as root, else the user the
 * configuration names (never root).
 */
static void
preflight_user(struct preflight *pf, int report)
{
	const struct config *conf = pf->conf;
	char show[PREFLIGHT_SHOW];
	struct passwd *pw = NULL;
	struct group *gr;

	pf->known = 0;
	/* life_user's bound, which a start would refuse */
	if (conf->user != NULL && strlen(conf->user) >= LIFE_USER_NAME_MAX) {
		if (report)
			preflight_report(pf, 1, "user", "user name too long "
			    "(%zu bytes, at most %d)", strlen(conf->user),
			    LIFE_USER_NAME_MAX - 1);
		return;
	}
	if (conf->user != NULL && (pw = getpwnam(conf->user)) == NULL &&
	    report) {
		config_word_show_str(conf->user, show, sizeof(show));
		preflight_report(pf, 1, "user", "unknown user '%s'", show);
	}
	if (pw != NULL && conf->group != NULL &&
	    (gr = getgrnam(conf->group)) == NULL && report) {
		config_word_show_str(conf->group, show, sizeof(show));
		preflight_report(pf, 1, "group", "unknown group '%s'", show);
	}
	if (geteuid() != 0) {
		pf->known = 1;
		pf->uid = geteuid();
		pf->gid = getegid();
		return;
	}
	if (conf->user == NULL) {
		if (report)
			preflight_report(pf, 1, NULL, "started as root with no "
			    "'user' directive: refusing to run as root");
		return;
	}
	if (pw == NULL)
		return;
	if (pw->pw_uid == 0) {
		if (report) {
			config_word_show_str(conf->user, show, sizeof(show));
			preflight_report(pf, 1, "user", "user '%s' is root: "
			    "refusing to run as root", show);
		}
		return;
	}
	pf->uid = pw->pw_uid;
	pf->gid = pw->pw_gid;
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL)
			return;
		pf->gid = gr->gr_gid;
	}
	pf->known = 1;
}

/* The chroot directory: there, root's, and writable by root alone. */
static void
preflight_chroot(struct preflight *pf, struct trust *t)
{
	const char *dir = pf->conf->chroot;
	char show[PREFLIGHT_SHOW], err[PREFLIGHT_MSG - 64];
	struct stat st;
	int rc;

	if (dir == NULL)
		return;
	config_word_show_str(dir, show, sizeof(show));
	if (geteuid() != 0) {
		preflight_report(pf, 1, "chroot", "chroot %s needs root", show);
		return;
	}
	if ((rc = trust_dir(t, dir, 0, &st, err, sizeof(err))) == 1)
		preflight_report(pf, 1, "chroot", "chroot %s: %s", show,
		    strerror(errno));
	else if (rc == -1)
		preflight_report(pf, 1, "chroot", "chroot %s: %s", show, err);
	else if (st.st_uid != 0)
		preflight_report(pf, 1, "chroot", "chroot directory %s is owned "
		    "by uid %u, not root", show, (unsigned)st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		preflight_report(pf, 1, "chroot", "chroot directory %s is "
		    "writable by group or others (mode %04o)", show,
		    (unsigned)(st.st_mode & 07777));
}

/*
 * A key file of nbytes: trusted (every directory and link on its path,
 * and the file, owned by root or the run user: trust.h), a regular file,
 * and a key. nbytes 0: the path alone, its contents judged elsewhere
 * (the signing key, by audit_files.c, which is never read here).
 */
static void
preflight_key(struct preflight *pf, struct trust *t, const char *key,
    const char *path, size_t nbytes)
{
	unsigned char k[CHAIN_KEY_BYTES];
	char show[PREFLIGHT_SHOW], err[PREFLIGHT_MSG - 64], *buf;
	struct stat st;
	size_t len;
	int fd;

	if (path == NULL)
		return;
	config_word_show_str(path, show, sizeof(show));
	if ((fd = loader_open(t, path, 0, KEYFILE_MAX, &st, err,
	    sizeof(err))) != -1 && nbytes == 0) {
		close(fd);
		return;
	}
	if (fd == -1 ||
	    loader_read_fd(fd, &st, &buf, &len, err, sizeof(err)) == -1) {
		preflight_report(pf, 1, key, "%s %s: %s", key, show, err);
		return;
	}
	if (keyfile_parse(buf, len, k, nbytes) == -1)
		preflight_report(pf, 1, key, "%s %s: not a key file (%zu "
		    "lowercase hex digits and a newline)", key, show,
		    2 * nbytes);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(buf, len);
	free(buf);
}

/*
 * The pidfile: its directory there and trusted (walked as a key's path:
 * every directory and link on the way root's or the run user's, none
 * writable by others unless sticky, so no stranger chooses where root
 * creates the pidfile and the status file), nothing at the path a start
 * would refuse, and, as a warning, whether the run user can remove it at
 * stop.
 */
static void
preflight_pidfile(struct preflight *pf, struct trust *t)
{
	const char *path = pf->conf->pidfile, *slash;
	char show[PREFLIGHT_SHOW], dir[PATH_MAX], err[PREFLIGHT_MSG - 64];
	struct stat st;
	unsigned bits;
	int rc;

	if (path == NULL)
		return;
	config_word_show_str(path, show, sizeof(show));
	slash = strrchr(path, '/');
	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
		return;		/* the directive wants an absolute path */
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if ((rc = trust_dir(t, dir[0] != '\0' ? dir : "/", 0, &st, err,
	    sizeof(err))) != 0) {
		preflight_report(pf, 1, "pidfile", "pidfile %s: %s", show,
		    rc == 1 ? strerror(errno) : err);
		return;
	}
	if (life_pidfile_inspect(path, err, sizeof(err)) == -1) {
		preflight_report(pf, 1, "pidfile", "pidfile %s %s", show, err);
		return;
	}
	if (!pf->known || pf->uid == 0)
		return;
	bits = st.st_uid == pf->uid ? st.st_mode >> 6 : st.st_gid == pf->gid ?
	    st.st_mode >> 3 : st.st_mode;
	if ((bits & 3) != 3 || (st.st_mode & S_ISVTX))
		preflight_report(pf, 0, "pidfile", "pidfile %s: the run user "
		    "(uid %u) cannot remove it at stop: its directory is not "
		    "the run user's to write; it is left behind (and taken "
		    "over at the next start)", show, (unsigned)pf->uid);
}

/*
 * The syslog socket (the default too), connected to as root at startup:
 * every directory and link on its path walked as a key's, and the socket
 * there, if any, bound by root or the run user; else a stranger could
 * bind one of their own and read every audit record, or stall the
 * daemon by never reading. An error, as for the files the daemon trusts.
 * Nothing there, or not a socket: the start's connect says so.
 */
static void
preflight_syslog(struct preflight *pf, struct trust *t)
{
	const char *path = pf->conf->syslog_socket != NULL ?
	    pf->conf->syslog_socket : LOG_SOCKET_DEFAULT;
	char show[PREFLIGHT_SHOW], err[PREFLIGHT_MSG - 512];
	struct stat st;

	if (trust_socket(t, path, &st, err, sizeof(err)) != -1)
		return;
	config_word_show_str(path, show, sizeof(show));
	preflight_report(pf, 1, "syslog socket", "syslog socket %s: %s: its "
	    "owner could bind a socket there and read the audit records, or "
	    "stall the daemon (chown root and chmod go-w it, or name a "
	    "socket where only root or the run user can write)", show, err);
}

size_t
preflight(const struct config *conf, int what, config_diag_fn *diag,
    void *arg)
{
	struct preflight pf;
	struct trust t;

	memset(&pf, 0, sizeof(pf));
	pf.conf = conf;
	pf.diag = diag;
	pf.arg = arg;
	preflight_user(&pf, what != PREFLIGHT_FILES);
	if (what == PREFLIGHT_FILES)
		return pf.errors;
	/* Unknown run user: only root's files are trusted. */
	trust_init(&t, 1, pf.known ? pf.uid : 0, pf.known ? pf.gid : 0);
	preflight_chroot(&pf, &t);
	/*
	 * The keys are read once, at startup, before the privilege drop
	 * and before any chroot (main.c and inetd.c: audit_open, then
	 * life_drop), by their paths outside the jail, and never on reload
	 * (config_keep_fixed keeps them): the run user need not search
	 * their directories, so only owners and modes are judged for it.
	 * The signing key's path is walked as the audit key's; the file
	 * itself (root's, 0600, a host secret key) is audit_files.c's to
	 * judge.
	 */
	t.once = 1;
	preflight_key(&pf, &t, "audit key", conf->audit_key, CHAIN_KEY_BYTES);
	preflight_key(&pf, &t, "audit signing-key", conf->audit_signing_key, 0);
	t.once = 0;
	preflight_syslog(&pf, &t);
	if (what == PREFLIGHT_START)
		preflight_pidfile(&pf, &t);
	trust_free(&t);
	return pf.errors;
}

/*
 * Keep one diagnostic of the first read (preflight_load); one past the
 * bounds (msg NULL) is counted only, as its text and place are never shown.
 */
static void
preflight_hold(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct preflight_hold *h = arg;
	struct preflight_held *d;
	size_t cap;

	if (msg == NULL) {
		h->tally[is_error != 0]++;
		return;
	}
	if (h->lost)
		return;
	if (h->n == h->cap) {
		cap = h->cap == 0 ? 16 : 2 * h->cap;
		if ((d = reallocarray(h->d, cap, sizeof(*d))) == NULL) {
			h->lost = 1;
			return;
		}
		h->d = d;
		h->cap = cap;
	}
	d = h->d + h->n;
	d->is_error = is_error;
	d->line = line;
	d->file = file != NULL ? strdup(file) : NULL;
	d->msg = strdup(msg);
	if (d->msg == NULL || (file != NULL && d->file == NULL)) {
		free(d->file);
		free(d->msg);
		h->lost = 1;
		return;
	}
	h->n++;
}

/*
 * Show what was held (diag not NULL), the counted ones as they were heard
 * (msg NULL, no place: they are counted, never shown), and let it go;
 * -1: some was lost.
 */
static int
preflight_release(struct preflight_hold *h, config_diag_fn *diag, void *arg)
{
	int lost = h->lost, is_error;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (diag != NULL)
			diag(arg, h->d[i].is_error, h->d[i].file, h->d[i].line,
			    h->d[i].msg);
		free(h->d[i].file);
		free(h->d[i].msg);
	}
	for (is_error = 0; diag != NULL && is_error < 2; is_error++)
		for (i = 0; i < h->tally[is_error]; i++)
			diag(arg, is_error, NULL, 0, NULL);
	if (lost && diag != NULL)
		diag(arg, 1, NULL, 0, "out of memory");
	free(h->d);
	memset(h, 0, sizeof(*h));
	return lost ? -1 : 0;
}

/* Who the run user of conf is, as preflight_user decides: 1 when known. */
static int
preflight_runner(const struct config *conf, uid_t *uid, gid_t *gid)
{
	struct preflight pf;

	memset(&pf, 0, sizeof(pf));
	pf.conf = conf;
	preflight_user(&pf, 0);		/* reports nothing: no diag */
	*uid = pf.known ? pf.uid : 0;
	*gid = pf.known ? pf.gid : 0;
	return pf.known;
}

/* One read of the configuration, every file judged by t, counted. */
static struct config *
preflight_read(const char *file, unsigned flags, struct trust *t,
    int *errors, config_diag_fn *diag, void *arg)
{
	struct config_loader loader;
	struct loader_disk disk;

	/* What is read is counted as the monitor's bundle counts it. */
	loader_disk_trusting(&disk, t, LOADER_BUNDLE_MAX, &loader);
	return config_load_partial(file, &loader, flags, errors, diag, arg);
}

struct config *
preflight_load(const char *file, unsigned flags, int what,
    const char *pidfile, config_diag_fn *diag, void *arg)
{
	struct preflight_hold held;
	struct config *conf, *again;
	struct trust trust;
	uid_t uid = 0, uid2;
	gid_t gid = 0, gid2;
	int root = geteuid() == 0, known = 0, refused = 0, errors, errors2;

	/*
	 * Started as root, the run user is known only once the configuration
	 * names it: the first read keeps what the files' walks owe to it, and
	 * holds its diagnostics back.
	 */
	memset(&held, 0, sizeof(held));
	trust_init(&trust, !root, geteuid(), getegid());
	conf = preflight_read(file, flags, &trust, &errors, root ?
	    preflight_hold : diag, root ? (void *)&held : arg);
	if (root && conf != NULL) {
		known = preflight_runner(conf, &uid, &gid);
		refused = trust_judge(&trust, known, uid, gid, NULL, NULL) > 0;
	}
	if (refused) {
		/*
		 * The run user it names (root alone when none is known)
		 * refuses a file, also when the parse failed: read it all
		 * again judging each file for that user as it is read, as the
		 * monitor does on reload. Each refusal is then the error of
		 * the directive that names the file, at its line, and the
		 * second read's diagnostics are the ones shown (nothing of a
		 * refused file is parsed). A first read without errors still
		 * has what else a start would meet checked, below.
		 */
		(void)preflight_release(&held, NULL, NULL);
		trust_free(&trust);
		trust_init(&trust, 1, uid, gid);
		again = preflight_read(file, flags, &trust, &errors2, diag,
		    arg);
		if (again != NULL && errors2 == 0) {
			if (preflight_runner(again, &uid2, &gid2) == known &&
			    uid2 == uid && gid2 == gid) {
				/* mended in between: this read is the one */
				config_free(conf);
				conf = again;
				again = NULL;
				errors = refused = 0;
			} else
				diag(arg, 1, file, 0, "the run user changed "
				    "while the configuration was read; try "
				    "again");
		}
		config_free(again);
	}
	if (preflight_release(&held, diag, arg) == -1)
		errors++;	/* its error said; what it lost is not */
	trust_free(&trust);
	if (conf != NULL && errors == 0 && pidfile != NULL) {
		free(conf->pidfile);
		conf->pidfile_arg = 1;
		if ((conf->pidfile = strdup(pidfile)) == NULL) {
			diag(arg, 1, file, 0, "out of memory");
			errors++;
		}
	}
	if (conf != NULL && errors == 0 && preflight(conf, what, diag,
	    arg) > 0)
		errors++;
	if (conf == NULL || errors > 0 || refused) {
		config_free(conf);
		return NULL;
	}
	return conf;
}
