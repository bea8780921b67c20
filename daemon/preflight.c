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

size_t
preflight(const struct config *conf, struct trust *files, int what,
    config_diag_fn *diag, void *arg)
{
	struct preflight pf;
	struct trust t;

	memset(&pf, 0, sizeof(pf));
	pf.conf = conf;
	pf.diag = diag;
	pf.arg = arg;
	preflight_user(&pf, what != PREFLIGHT_FILES);
	if (files != NULL)
		pf.errors += trust_judge(files, pf.known, pf.uid, pf.gid, diag,
		    arg);
	if (what == PREFLIGHT_FILES)
		return pf.errors;
	/* Unknown run user: only root's files are trusted. */
	trust_init(&t, 1, pf.known ? pf.uid : 0, pf.known ? pf.gid : 0);
	preflight_chroot(&pf, &t);
	preflight_key(&pf, &t, "audit key", conf->audit_key, CHAIN_KEY_BYTES);
	/*
	 * The signing key's path is walked as the audit key's (its owners
	 * for the run user); the file itself (root's, 0600, a host secret
	 * key) is audit_files.c's to judge.
	 */
	preflight_key(&pf, &t, "audit signing-key", conf->audit_signing_key, 0);
	if (what == PREFLIGHT_START)
		preflight_pidfile(&pf, &t);
	trust_free(&t);
	return pf.errors;
}

struct config *
preflight_load(const char *file, unsigned flags, int what,
    const char *pidfile, config_diag_fn *diag, void *arg)
{
	struct config_loader loader;
	struct loader_disk disk;
	struct config *conf;
	struct trust trust;
	size_t errors = 0;

	/*
	 * Started as root, the run user is known only once the configuration
	 * names it: what the files' walks owe to it is judged then. What is
	 * read is counted as the monitor's bundle counts it on reload.
	 */
	trust_init(&trust, geteuid() != 0, geteuid(), getegid());
	loader_disk_trusting(&disk, &trust, LOADER_BUNDLE_MAX, &loader);
	conf = config_load_flags(file, &loader, flags, diag, arg);
	if (conf != NULL && pidfile != NULL) {
		free(conf->pidfile);
		if ((conf->pidfile = strdup(pidfile)) == NULL) {
			config_free(conf);
			conf = NULL;
			diag(arg, 1, file, 0, "out of memory");
		}
	}
	if (conf != NULL)
		errors = preflight(conf, &trust, what, diag, arg);
	trust_free(&trust);
	if (errors > 0) {
		config_free(conf);
		return NULL;
	}
	return conf;
}
