/* SPDX-License-Identifier: ISC */
/*
 * config_fixture: what the configuration suites share: diagnostics kept
 * for exact comparison, parsing a buffer, an in-memory loader that
 * traces its calls, and a strict snprintf.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "tests/unit/config_fixture.h"

/* snprintf that fails the test rather than truncate; the length. */
size_t
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
void
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
void
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
struct config *
parse(struct collect *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	return config_parse_buffer("t.conf", text, strlen(text), collect_diag,
	    c);
}

/* Parse text of explicit length (NUL bytes inside). */
struct config *
parse_len(struct collect *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	return config_parse_buffer("t.conf", text, len, collect_diag, c);
}

/* Note one loader call ("G pattern" or "R name") in the set's trace. */
static void
mem_trace(struct memfs *fs, char op, const char *name)
{
	int n = snprintf(fs->trace + fs->tlen, sizeof(fs->trace) - fs->tlen,
	    "%c %s\n", op, name);

	ck_assert_int_ge(n, 0);
	ck_assert_uint_lt((size_t)n, sizeof(fs->trace) - fs->tlen);
	fs->tlen += (size_t)n;
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
	mem_trace(fs, 'G', pattern);
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

/* The identity of file i: its index, or that of the file it is the same as. */
static void
mem_id(const struct memfs *fs, size_t i, struct config_file_id *id)
{
	size_t j;

	id->dev = 1;
	id->ino = i + 1;
	for (j = 0; fs->files[i].same != NULL && j < fs->nfiles; j++)
		if (strcmp(fs->files[j].name, fs->files[i].same) == 0)
			id->ino = j + 1;
}

/* read from the in-memory files. */
static int
mem_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	struct memfs *fs = arg;
	size_t i;

	fs->nreads++;
	mem_trace(fs, 'R', name);
	for (i = 0; i < fs->nfiles; i++) {
		if (strcmp(fs->files[i].name, name) != 0)
			continue;
		if (fs->files[i].text == NULL) {
			fmt(err, errlen, "cannot open: Permission denied");
			return -1;
		}
		mem_id(fs, i, id);
		*len = strlen(fs->files[i].text);
		*buf = malloc(*len + 1);
		ck_assert_ptr_nonnull(*buf);
		memcpy(*buf, fs->files[i].text, *len + 1);
		return 0;
	}
	fmt(err, errlen, "cannot open: No such file or directory");
	return -1;
}

/* A loader over an in-memory file set (the set is emptied of history). */
struct config_loader
mem_loader(struct memfs *fs, const struct memfile *files, size_t nfiles)
{
	struct config_loader l = { mem_glob, mem_read, NULL };

	memset(fs, 0, sizeof(*fs));
	fs->files = files;
	fs->nfiles = nfiles;
	l.arg = fs;
	return l;
}

/* config_load over an in-memory file set. */
struct config *
load(struct collect *c, struct memfs *fs, const char *main,
    const struct memfile *files, size_t nfiles)
{
	struct config_loader l = mem_loader(fs, files, nfiles);

	memset(c, 0, sizeof(*c));
	return config_load(main, &l, collect_diag, c);
}

/* One bad line after a good listen: exactly this error at t.conf:2. */
void
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

/* Write a file dir/name; the test's own scratch space. */
void
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
void
disk_rm(const char *dir, const char *name)
{
	char path[512];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(remove(path), 0);
}

/* Free what a glob returned. */
void
names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* nftw's visitor for disk_rm_tree: each entry after its contents. */
static int
disk_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	ck_assert_msg(remove(path) == 0, "remove %s: %s", path,
	    strerror(errno));
	return 0;
}

/* Remove dir and everything under it. */
void
disk_rm_tree(const char *dir)
{
	ck_assert_int_eq(nftw(dir, disk_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
