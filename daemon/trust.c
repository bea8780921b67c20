/* SPDX-License-Identifier: ISC */
/*
 * trust: the walk of a path one name at a time (links resolved here, so
 * that every directory a name is looked up in is one we checked), the
 * check of each object on it, the non-blocking open of the file at its
 * end, and the facts kept for a run user known only later.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config_parse.h"
#include "daemon/config_word.h"
#include "daemon/trust.h"

#define TRUST_SHOW	(4 * 256 + 16)	/* an escaped path in a message */

/* What the walk met that only the run user can judge. */
struct trust_fact {
	char		*name;		/* the file whose walk met it */
	char		*path;		/* the object */
	dev_t		 dev;
	ino_t		 ino;
	struct trust_obj obj;
};

static const char *const trust_kinds[] = {
	[TRUST_DIR] = "directory",
	[TRUST_LINK] = "symbolic link",
	[TRUST_FILE] = "file",
	[TRUST_SOCKET] = "socket",
};

static int	trust_why(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

void
trust_init(struct trust *t, int known, uid_t uid, gid_t gid)
{
	memset(t, 0, sizeof(*t));
	t->known = known;
	t->uid = uid;
	t->gid = gid;
}

void
trust_init_self(struct trust *t)
{
	trust_init(t, 1, geteuid(), getegid());
}

void
trust_free(struct trust *t)
{
	size_t i;

	for (i = 0; i < t->nfacts; i++) {
		free(t->facts[i].name);
		free(t->facts[i].path);
	}
	free(t->facts);
	t->facts = NULL;
	t->nfacts = 0;
}

/* A reason into why; always -1, the verdict. */
static int
trust_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, len, fmt, ap) >= (int)len && len > 4)
		memcpy(why + len - 4, "...", 4);
	va_end(ap);
	return -1;
}

/* The permission bits that apply to the run user. */
static unsigned
trust_bits(const struct trust_obj *o, uid_t uid, gid_t gid)
{
	if (o->uid == uid)
		return (o->mode >> 6) & 7;
	if (o->gid == gid)
		return (o->mode >> 3) & 7;
	return o->mode & 7;
}

int
trust_check(const struct trust_obj *o, const char *path, int known,
    uid_t uid, gid_t gid, int mode_only, char *why, size_t len)
{
	char show[TRUST_SHOW];
	mode_t w = o->mode & (S_IWGRP | S_IWOTH);
	unsigned want = 0, bits;

	config_word_show_str(path, show, sizeof(show));
	/*
	 * A sticky directory is safe for the entries its owners hold, when
	 * one is looked up in it by name; not when it is listed (a glob):
	 * whoever may add an entry then chooses what is read.
	 */
	if (o->kind != TRUST_LINK && o->kind != TRUST_SOCKET && w != 0 &&
	    !(o->kind == TRUST_DIR && (o->mode & S_ISVTX) &&
	    !(o->need & TRUST_READ)))
		return trust_why(why, len, "not trusted: %s %s is writable "
		    "by %s (mode %04o)%s", trust_kinds[o->kind], show,
		    w == S_IWGRP ? "its group" : w == S_IWOTH ? "others" :
		    "its group and others", (unsigned)(o->mode & 07777),
		    (o->mode & S_ISVTX) && o->kind == TRUST_DIR ?
		    ": anyone may add what a pattern reads" : "");
	if (mode_only)
		return 0;
	if (o->uid != 0 && (!known || o->uid != uid)) {
		/* uid 0: no run user (preflight's second read), root alone */
		if (known && uid != 0)
			return trust_why(why, len, "not trusted: %s %s is "
			    "owned by uid %u, not root or the run user (uid %u)",
			    trust_kinds[o->kind], show, (unsigned)o->uid,
			    (unsigned)uid);
		return trust_why(why, len, "not trusted: %s %s is owned by "
		    "uid %u, not root", trust_kinds[o->kind], show,
		    (unsigned)o->uid);
	}
	if (!known || uid == 0 || o->kind == TRUST_LINK ||
	    o->kind == TRUST_SOCKET)
		return 0;
	if (o->need & TRUST_READ)
		want |= 4;
	if (o->need & TRUST_SEARCH)
		want |= 1;
	bits = trust_bits(o, uid, gid);
	if ((bits & want) != want)
		return trust_why(why, len, "the run user (uid %u) cannot %s "
		    "%s %s: it reads the files again on reload", (unsigned)uid,
		    o->kind == TRUST_FILE ? "read" : (want & 4) ? "list" :
		    "search", trust_kinds[o->kind], show);
	return 0;
}

/*
 * Whether an object passes for any run user but root, so that nothing
 * needs keeping: root's, and open to group and others for what is needed.
 */
static int
trust_obvious(const struct trust_obj *o)
{
	unsigned want = ((o->need & TRUST_READ) ? 4 : 0) |
	    ((o->need & TRUST_SEARCH) ? 1 : 0);

	return o->uid == 0 && (o->kind == TRUST_LINK ||
	    o->kind == TRUST_SOCKET ||
	    ((o->mode & want) == want && ((o->mode >> 3) & want) == want));
}

/* Keep a fact for later, once per object and need. */
static void
trust_keep(struct trust *t, const char *name, const char *path,
    const struct stat *st, const struct trust_obj *o)
{
	struct trust_fact *f;
	size_t i;

	for (i = 0; i < t->nfacts; i++)
		if (t->facts[i].dev == st->st_dev &&
		    t->facts[i].ino == st->st_ino &&
		    t->facts[i].obj.kind == o->kind &&
		    t->facts[i].obj.need == o->need)
			return;
	if (t->nfacts >= TRUST_FACTS_MAX || (f = reallocarray(t->facts,
	    t->nfacts + 1, sizeof(*f))) == NULL) {
		t->dropped++;
		return;
	}
	t->facts = f;
	f = &t->facts[t->nfacts];
	f->name = strdup(name);
	f->path = strdup(path);
	if (f->name == NULL || f->path == NULL) {
		free(f->name);
		free(f->path);
		t->dropped++;
		return;
	}
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->obj = *o;
	t->nfacts++;
}

/* Check one object now, and keep what must wait for the run user. */
static int
trust_see(struct trust *t, const char *name, const char *path,
    const struct stat *st, enum trust_kind kind, unsigned need, char *err,
    size_t errlen)
{
	struct trust_obj o = { kind, st->st_uid, st->st_gid, st->st_mode,
	    t->once ? 0 : need };

	if (trust_check(&o, path, t->known, t->uid, t->gid, !t->known, err,
	    errlen) == -1) {
		errno = EPERM;		/* not "missing": refused */
		return -1;
	}
	if (!t->known && !trust_obvious(&o))
		trust_keep(t, name, path, st, &o);
	return 0;
}

/* "cannot open: REASON", errno kept for the caller. */
static int
trust_errno(char *err, size_t errlen, int e)
{
	trust_why(err, errlen, "cannot open: %s", strerror(e));
	errno = e;
	return -1;
}

/*
 * Resolve name one name at a time into path (PATH_MAX bytes), checking
 * every directory looked up in and every link followed; the object at
 * the end is lstat'ed into *st, unchecked. A relative name starts at the
 * working directory, whose own path is checked too.
 */
static int
trust_walk(struct trust *t, const char *name, char *path, struct stat *st,
    char *err, size_t errlen)
{
	char rest[2 * PATH_MAX], next[2 * PATH_MAX], target[PATH_MAX];
	struct stat lst;
	size_t p = 0, k, cl, pl, links = 0;
	ssize_t tl;
	int n;

	if (name[0] == '/')
		n = snprintf(rest, sizeof(rest), "%s", name);
	else if (getcwd(path, PATH_MAX) == NULL)
		return trust_errno(err, errlen, errno);
	else
		n = snprintf(rest, sizeof(rest), "%s/%s", path, name);
	if (n < 0 || (size_t)n >= sizeof(rest))
		return trust_errno(err, errlen, ENAMETOOLONG);
	path[0] = '\0';			/* "" stands for "/" */
	if (lstat("/", &lst) == -1)
		return trust_errno(err, errlen, errno);
	if (trust_see(t, name, "/", &lst, TRUST_DIR, TRUST_SEARCH, err,
	    errlen) == -1)
		return -1;
	for (;;) {
		const char *comp;

		while (rest[p] == '/')
			p++;
		if (rest[p] == '\0')
			break;
		comp = rest + p;
		cl = strcspn(comp, "/");
		p += cl;
		for (k = p; rest[k] == '/'; k++)
			;
		if (cl == 1 && comp[0] == '.')
			continue;
		if (cl == 2 && comp[0] == '.' && comp[1] == '.') {
			char *s = strrchr(path, '/');

			if (s != NULL)
				*s = '\0';	/* path has no links: ".." is its parent */
			continue;
		}
		pl = strlen(path);
		if (pl + 1 + cl >= PATH_MAX)
			return trust_errno(err, errlen, ENAMETOOLONG);
		path[pl] = '/';
		memcpy(path + pl + 1, comp, cl);
		path[pl + 1 + cl] = '\0';
		if (lstat(path, &lst) == -1)
			return trust_errno(err, errlen, errno);
		if (S_ISLNK(lst.st_mode)) {
			if (trust_see(t, name, path, &lst, TRUST_LINK, 0, err,
			    errlen) == -1)
				return -1;
			if (++links > TRUST_LINKS_MAX)
				return trust_errno(err, errlen, ELOOP);
			if ((tl = readlink(path, target, sizeof(target))) == -1)
				return trust_errno(err, errlen, errno);
			if ((size_t)tl >= sizeof(target))
				return trust_errno(err, errlen, ENAMETOOLONG);
			/* the link's target, then what followed the link */
			n = snprintf(next, sizeof(next), "%.*s/%s", (int)tl,
			    target, rest + p);
			if (n < 0 || (size_t)n >= sizeof(rest))
				return trust_errno(err, errlen, ENAMETOOLONG);
			memcpy(rest, next, (size_t)n + 1);
			p = 0;
			path[target[0] == '/' ? 0 : pl] = '\0';
			continue;
		}
		if (rest[k] == '\0')
			break;		/* the last name: the caller's to judge */
		if (!S_ISDIR(lst.st_mode))
			return trust_errno(err, errlen, ENOTDIR);
		if (trust_see(t, name, path, &lst, TRUST_DIR, TRUST_SEARCH, err,
		    errlen) == -1)
			return -1;
	}
	if (path[0] == '\0')
		memcpy(path, "/", 2);
	if (lstat(path, st) == -1)
		return trust_errno(err, errlen, errno);
	return 0;
}

/*
 * The mode of the directory a walked path's last name is in, when that
 * directory is sticky and writable by others (its group, or all): there
 * anyone may create a name, and a hard link to a file they do not own
 * passes every owner check. 0 otherwise.
 */
static mode_t
trust_open_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dl = slash == NULL || slash == path ? 1 : (size_t)(slash - path);
	struct stat sb;

	if (slash == NULL || dl >= sizeof(dir))
		return 0;
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    !(sb.st_mode & S_ISVTX) || !(sb.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	return sb.st_mode;
}

/* What a file that is not a regular one is, for the message. */
static const char *
trust_type(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a file";
}

int
trust_open(struct trust *t, const char *name, unsigned need, struct stat *st,
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat lst;
	mode_t dm;
	int fd;

	if (trust_walk(t, name, path, &lst, err, errlen) == -1)
		return -1;
	if (S_ISDIR(lst.st_mode))
		return trust_why(err, errlen, "is a directory, not a file");
	if (!S_ISREG(lst.st_mode))
		return trust_why(err, errlen, "not a regular file (%s)",
		    trust_type(lst.st_mode));
	/* The walk resolved every link: a link here is a swap, refused. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return trust_errno(err, errlen, errno);
	if (fstat(fd, st) == -1) {
		trust_why(err, errlen, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (st->st_dev != lst.st_dev || st->st_ino != lst.st_ino ||
	    !S_ISREG(st->st_mode)) {
		trust_why(err, errlen, "changed while it was being checked");
		close(fd);
		return -1;
	}
	if (st->st_nlink > 1 && (dm = trust_open_parent(path)) != 0) {
		char show[TRUST_SHOW];

		config_word_show_str(path, show, sizeof(show));
		trust_why(err, errlen, "not trusted: file %s has %lu links, in "
		    "a sticky directory others may write (mode %04o): anyone "
		    "may have linked it there", show,
		    (unsigned long)st->st_nlink, (unsigned)(dm & 07777));
		close(fd);
		return -1;
	}
	if (trust_see(t, name, path, st, TRUST_FILE, need, err,
	    errlen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
trust_dir(struct trust *t, const char *name, unsigned need, struct stat *st,
    char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (trust_walk(t, name, path, st, err, errlen) == -1)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	if (!S_ISDIR(st->st_mode))
		return trust_why(err, errlen, "not a directory");
	return trust_see(t, name, path, st, TRUST_DIR, need, err, errlen);
}

int
trust_opendir(struct trust *t, const char *name, struct stat *st, char *err,
    size_t errlen)
{
	char path[PATH_MAX];
	struct stat lst;
	int fd;

	if (trust_walk(t, name, path, &lst, err, errlen) == -1)
		return -1;
	if (!S_ISDIR(lst.st_mode))
		return trust_errno(err, errlen, ENOTDIR);
	/* The walk resolved every link: a link here is a swap, refused. */
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return trust_errno(err, errlen, errno);
	if (fstat(fd, st) == -1 || st->st_dev != lst.st_dev ||
	    st->st_ino != lst.st_ino) {
		trust_why(err, errlen, "changed while it was being checked");
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
trust_socket(struct trust *t, const char *name, struct stat *st, char *err,
    size_t errlen)
{
	char path[PATH_MAX];

	if (trust_walk(t, name, path, st, err, errlen) == -1)
		return errno == EPERM ? -1 : 1;
	if (!S_ISSOCK(st->st_mode))
		return 1;
	return trust_see(t, name, path, st, TRUST_SOCKET, 0, err, errlen);
}

size_t
trust_judge(struct trust *t, int known, uid_t uid, gid_t gid,
    config_diag_fn *diag, void *arg)
{
	char why[TRUST_SHOW + 256];
	size_t i, n = 0;

	for (i = 0; i < t->nfacts; i++) {
		const struct trust_fact *f = &t->facts[i];

		if (trust_check(&f->obj, f->path, known, uid, gid, 0, why,
		    sizeof(why)) == 0)
			continue;
		if (diag != NULL)
			diag(arg, 1, f->name, 0, why);
		n++;
	}
	if (t->dropped > 0) {
		trust_why(why, sizeof(why), "too many files and directories "
		    "to check (at most %d)", TRUST_FACTS_MAX);
		if (diag != NULL)
			diag(arg, 1, NULL, 0, why);
		n++;
	}
	return n;
}
