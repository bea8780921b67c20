/* SPDX-License-Identifier: ISC */
/*
 * loader: the disk loader (glob, open and check, bounded read) and the
 * bundle the monitor records for the engine; its wire form and serving
 * it to the parser are loader_wire.c's. What may be read is trust.c's to
 * judge; every open is loader_open.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/compat.h"
#include "daemon/config_parse.h"
#include "daemon/loader.h"
#include "daemon/loader_int.h"
#include "daemon/trust.h"

#define LOADER_ENTRY_COST	32	/* what an entry counts against max */

static int	loader_glob_dirs(struct trust *, char **, size_t, char *,
		    size_t);
static int	loader_disk_glob(void *, const char *, char ***, size_t *,
		    char *, size_t);
static int	loader_disk_read(void *, const char *, char **, size_t *,
		    struct config_file_id *, char *, size_t);
static int	loader_count_glob(void *, const char *, char ***, size_t *,
		    char *, size_t);
static int	loader_count_read(void *, const char *, char **, size_t *,
		    struct config_file_id *, char *, size_t);

static const struct config_file_id loader_no_id;

const struct config_loader loader_disk = {
	loader_disk_glob, loader_disk_read, NULL
};

/* The disk loader judging trust for t's run user, counting as a bundle. */
void
loader_disk_trusting(struct loader_disk *d, struct trust *t, size_t max,
    struct config_loader *l)
{
	memset(d, 0, sizeof(*d));
	d->trust = t;
	d->max = max;
	l->glob = loader_count_glob;
	l->read = loader_count_read;
	l->arg = d;
}

/*
 * Why a load stops: what it read would not fit in one bundle. The same
 * words from -t, a start and a reload.
 */
static void
loader_over(char *err, size_t errlen, size_t max)
{
	if (max % (1u << 20) == 0)
		snprintf(err, errlen, "the files named by the configuration "
		    "exceed %zu MiB in all", max >> 20);
	else
		snprintf(err, errlen, "the files named by the configuration "
		    "exceed %zu bytes in all", max);
}

/* Once a load is over max, every later glob and read fails, saying so. */
static int
loader_stopped(int full, size_t max, char *err, size_t errlen)
{
	if (full)
		loader_over(err, errlen, max);
	return full ? -1 : 0;
}

/* A directory that is not there matches nothing; one we cannot read is an error. */
static int
loader_disk_glob_err(const char *path, int err)
{
	(void)path;
	return err != ENOENT && err != ENOTDIR;
}

/* Free n names and the array. */
void
loader_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* Let a glob's answer go: no names left. */
static void
loader_names_drop(char ***names, size_t *n)
{
	loader_names_free(*names, *n);
	*names = NULL;
	*n = 0;
}

/* Let a read's bytes go: none left. */
static void
loader_buf_drop(char **buf, size_t *len)
{
	free(*buf);
	*buf = NULL;
	*len = 0;
}

/*
 * The directory a pattern lists: its names up to the first one with a
 * wildcard, unescaped, into base. 0: no wildcard (nothing is listed).
 */
static int
loader_glob_base(const char *pattern, char *base, size_t len)
{
	size_t i, o = 0, keep = 0;
	int abs = pattern[0] == '/';

	for (i = 0; pattern[i] != '\0'; i++) {
		char c = pattern[i];

		if (c == '\\' && pattern[i + 1] != '\0')
			c = pattern[++i];
		else if (c == '*' || c == '?' || c == '[')
			break;
		else if (c == '/')
			keep = o;	/* the directory so far */
		if (o + 1 >= len)
			return -1;
		base[o++] = c;
	}
	if (pattern[i] == '\0')
		return 0;
	if (keep == 0)
		memcpy(base, abs ? "/" : ".", 2);
	else
		base[keep] = '\0';
	return 1;
}

/*
 * glob(3) for the disk loader: sorted, and "no match" is not an error.
 * Every directory listed is judged: whoever writes one chooses what is
 * read. The part before the first wildcard first; then, where a
 * wildcard stands in a directory name of the pattern, each directory a
 * match was listed from, before any match is read. A name without a
 * wildcard lists no directory: the read judges the path to it as it
 * judges the main file's, a sticky directory on the way accepted.
 */
static int
loader_disk_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	struct trust self, *t = arg;
	char base[4096];
	struct stat st;
	glob_t g;
	size_t i;
	int rc, listed;

	*names = NULL;
	*n = 0;
	if ((rc = listed = loader_glob_base(pattern, base,
	    sizeof(base))) != 0) {
		if (t == NULL)
			trust_init_self(t = &self);
		rc = rc == -1 ? -1 : trust_dir(t, base, TRUST_READ |
		    TRUST_SEARCH, &st, err, errlen);
		if (t == &self)
			trust_free(&self);
		if (rc == -1) {
			if (strlen(pattern) >= sizeof(base))
				snprintf(err, errlen, "path too long");
			return -1;
		}
	}
	memset(&g, 0, sizeof(g));
	rc = glob(pattern, 0, loader_disk_glob_err, &g);
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
			loader_names_free(*names, i);
			*names = NULL;
			globfree(&g);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	*n = g.gl_pathc;
	globfree(&g);
	/* a name without a wildcard lists nothing: judged as a file is */
	if (listed != 0 &&
	    loader_glob_dirs(arg, *names, *n, err, errlen) == -1) {
		loader_names_drop(names, n);
		return -1;
	}
	return 0;
}

/*
 * The directories the matches were listed from (each match's own), each
 * judged as the pattern's base is; consecutive matches share one, so
 * each is judged once in the usual case. The message names it.
 */
static int
loader_glob_dirs(struct trust *t, char **names, size_t n, char *err,
    size_t errlen)
{
	struct trust self;
	struct stat st;
	char dir[4096], last[4096], why[512];
	const char *slash;
	size_t i, dl;
	int rc = 0;

	last[0] = '\0';
	if (t == NULL)
		trust_init_self(t = &self);
	for (i = 0; i < n && rc == 0; i++) {
		if ((slash = strrchr(names[i], '/')) == NULL)
			continue;	/* in the current directory: judged */
		dl = slash == names[i] ? 1 : (size_t)(slash - names[i]);
		if (dl >= sizeof(dir)) {
			snprintf(err, errlen, "path too long");
			rc = -1;
			break;
		}
		memcpy(dir, names[i], dl);
		dir[dl] = '\0';
		if (strcmp(dir, last) == 0)
			continue;
		memcpy(last, dir, dl + 1);
		if ((rc = trust_dir(t, dir, TRUST_READ | TRUST_SEARCH, &st, why,
		    sizeof(why))) == -1)
			snprintf(err, errlen, "%s", why);
	}
	if (t == &self)
		trust_free(&self);
	return rc;
}

/*
 * Open one file for reading and check what it is: the one place every
 * file the daemon reads passes through (trust_open: walked, judged,
 * non-blocking, a regular file). Returns the fd, its stat in *st, or -1
 * and a message.
 */
int
loader_open(struct trust *t, const char *name, unsigned need, off_t max,
    struct stat *st, char *err, size_t errlen)
{
	struct trust self;
	int fd;

	if (t == NULL)
		trust_init_self(t = &self);
	fd = trust_open(t, name, need, st, err, errlen);
	if (t == &self)
		trust_free(&self);
	if (fd != -1 && st->st_size > max) {
		snprintf(err, errlen, "too large (%lld bytes, at most %lld)",
		    (long long)st->st_size, (long long)max);
		close(fd);
		return -1;
	}
	return fd;
}

/* The same file, unchanged since its stat a: 1, else 0. */
static int
loader_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Read the whole file fd of stat st (bounded by loader_open); closes fd.
 * Exactly st_size bytes, then the end, and the stat again as it was:
 * a file written in place while it is read (one that grew, shrank or
 * was touched) is refused rather than taken cut, as a list cut at a
 * line's end still parses ("10.0.0.0/16" read as "10.0.0.0/1").
 */
int
loader_read_fd(int fd, const struct stat *st, char **buf, size_t *len,
    char *err, size_t errlen)
{
	struct stat now;
	char *b;
	size_t have = 0, want = (size_t)st->st_size;
	ssize_t r;

	if ((b = malloc(want + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	/* have == want: one byte more (b has room) must find the end */
	for (;;) {
		r = read(fd, b + have, have < want ? want - have : 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0 || have == want)
			break;
		have += (size_t)r;
	}
	if (fstat(fd, &now) == -1) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (r != 0 || have != want || !loader_same(st, &now)) {
		snprintf(err, errlen, "changed while it was being read; "
		    "replace it by rename (write a temporary file, then mv)");
		goto fail;
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

/* Read a whole regular file of bounded size; its identity in *id. */
static int
loader_disk_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if ((fd = loader_open(arg, name, TRUST_READ, LOADER_FILE_MAX, &st, err,
	    errlen)) == -1)
		return -1;
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	return loader_read_fd(fd, &st, buf, len, err, errlen);
}

/*
 * One more glob answer or file of a load, of len bytes under name,
 * counted as its bundle entry is (loader_bundle_put): 0, or -1 and why
 * once the load is over max. Errors are not counted: a load with one
 * fails anyway.
 */
static int
loader_disk_count(struct loader_disk *d, const char *name, size_t len,
    char *err, size_t errlen)
{
	size_t cost = strlen(name) + len + LOADER_ENTRY_COST;

	if (!d->full && cost >= len && cost <= d->max - d->bytes) {
		d->bytes += cost;
		return 0;
	}
	d->full = 1;
	loader_over(err, errlen, d->max);
	return -1;
}

/* The counting glob: once over, nothing more is listed. */
static int
loader_count_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	struct loader_disk *d = arg;
	size_t len = 0, i;

	*names = NULL;
	*n = 0;
	if (loader_stopped(d->full, d->max, err, errlen) == -1 ||
	    loader_disk_glob(d->trust, pattern, names, n, err, errlen) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		len += strlen((*names)[i]) + 1;
	if (loader_disk_count(d, pattern, len, err, errlen) == -1) {
		loader_names_drop(names, n);
		return -1;
	}
	return 0;
}

/* The counting read: once over, nothing more is read. */
static int
loader_count_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	struct loader_disk *d = arg;

	if (loader_stopped(d->full, d->max, err, errlen) == -1 ||
	    loader_disk_read(d->trust, name, buf, len, id, err, errlen) == -1)
		return -1;
	if (loader_disk_count(d, name, *len, err, errlen) == -1) {
		loader_buf_drop(buf, len);
		return -1;
	}
	return 0;
}

/* An empty bundle. */
struct loader_bundle *
loader_bundle_new(size_t max)
{
	struct loader_bundle *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->max = max;
	return b;
}

/*
 * Append an entry, counted against max; LOADER_FULL past it, once, the
 * one entry of a full bundle (its room is in LOADER_WIRE_MAX).
 */
int
loader_bundle_put(struct loader_bundle *b, enum loader_kind kind,
    const char *name, const struct config_file_id *id, const char *data,
    size_t len)
{
	struct loader_entry *e;
	size_t cost = strlen(name) + len + LOADER_ENTRY_COST;

	if (kind == LOADER_FULL) {
		if (cost < len || cost > LOADER_FULL_ROOM || (b->n > 0 &&
		    b->e[b->n - 1].kind == LOADER_FULL))
			return -1;
	} else if (b->full || cost < len || cost > b->max - b->bytes) {
		b->full = 1;
		return -1;
	}
	if ((e = reallocarray(b->e, b->n + 1, sizeof(*e))) == NULL)
		return -1;
	b->e = e;
	e = &b->e[b->n];
	if ((e->name = strdup(name)) == NULL)
		return -1;
	if ((e->data = malloc(len + 1)) == NULL) {
		free(e->name);
		return -1;
	}
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->kind = kind;
	e->id = *id;
	b->n++;
	if (kind == LOADER_FULL)
		b->full = 1;
	else
		b->bytes += cost;
	return 0;
}

/* The bundle keeps what the disk loader returned, in order. */
int
loader_bundle_add(struct loader_bundle *b, enum loader_kind kind,
    const char *name, const char *data, size_t len)
{
	return loader_bundle_put(b, kind, name, &loader_no_id, data, len);
}

/* A file entry, with the identity of the file. */
int
loader_bundle_add_file(struct loader_bundle *b, const char *name,
    const struct config_file_id *id, const char *data, size_t len)
{
	return loader_bundle_put(b, LOADER_FILE, name, id, data, len);
}

/* Free a bundle and its entries. */
void
loader_bundle_free(struct loader_bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->e[i].name);
		free(b->e[i].data);
	}
	free(b->e);
	free(b);
}

/*
 * Keep one answer of the disk. One that does not fit makes the bundle
 * full: the LOADER_FULL entry (past max: it always fits) names it and
 * says why, which the engine then answers for it and for every name not
 * kept, and the monitor's walk gets -1 and why too, so it reads nothing
 * more. Without it the engine could say only "not read by the monitor".
 */
static int
loader_record_keep(struct loader_bundle *b, enum loader_kind kind,
    const char *name, const struct config_file_id *id, const char *data,
    size_t len, char *err, size_t errlen)
{
	char cut[LOADER_FULL_NAME + 1], why[128];
	size_t nl;

	if (loader_bundle_put(b, kind, name, id, data, len) == 0)
		return 0;
	if (!b->full) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the name only shows where: cut, it stays within the room */
	nl = strnlen(name, LOADER_FULL_NAME);
	memcpy(cut, name, nl);
	cut[nl] = '\0';
	loader_over(why, sizeof(why), b->max);
	(void)loader_bundle_put(b, LOADER_FULL, cut, &loader_no_id, why,
	    strlen(why));
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* The recording loader's glob: the disk's answer, kept as NUL-ended names. */
static int
loader_record_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	struct loader_bundle *b = arg;
	char *list = NULL;
	size_t len = 0, i;
	int rc;

	*names = NULL;
	*n = 0;
	if (loader_stopped(b->full, b->max, err, errlen) == -1)
		return -1;
	if (loader_disk_glob(NULL, pattern, names, n, err, errlen) == -1) {
		(void)loader_record_keep(b, LOADER_ERROR, pattern,
		    &loader_no_id, err, strlen(err), err, errlen);
		return -1;
	}
	for (i = 0; i < *n; i++)
		len += strlen((*names)[i]) + 1;
	if (len > 0 && (list = malloc(len)) == NULL) {
		loader_names_drop(names, n);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (len = 0, i = 0; i < *n; i++) {
		size_t l = strlen((*names)[i]) + 1;

		memcpy(list + len, (*names)[i], l);
		len += l;
	}
	rc = loader_record_keep(b, LOADER_GLOB, pattern, &loader_no_id,
	    list != NULL ? list : "", len, err, errlen);
	free(list);
	if (rc == -1)
		loader_names_drop(names, n);
	return rc;
}

/* The recording loader's read: the disk's answer, kept whole. */
static int
loader_record_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	struct loader_bundle *b = arg;

	if (loader_stopped(b->full, b->max, err, errlen) == -1)
		return -1;
	if (loader_disk_read(NULL, name, buf, len, id, err, errlen) == -1) {
		(void)loader_record_keep(b, LOADER_ERROR, name, &loader_no_id,
		    err, strlen(err), err, errlen);
		return -1;
	}
	if (loader_record_keep(b, LOADER_FILE, name, id, *buf, *len, err,
	    errlen) == -1) {
		loader_buf_drop(buf, len);
		return -1;
	}
	return 0;
}

/* Follow the configuration's files the way the parser does, keeping every byte. */
struct loader_bundle *
loader_bundle_record(const char *conffile, size_t max)
{
	struct loader_bundle *b;
	struct config_loader l = { loader_record_glob, loader_record_read,
	    NULL };

	if ((b = loader_bundle_new(max)) == NULL)
		return NULL;
	l.arg = b;
	config_parse_files(conffile, &l);
	return b;
}
