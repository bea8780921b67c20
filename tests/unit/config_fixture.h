/* SPDX-License-Identifier: ISC */
/*
 * config_fixture: helpers the configuration and loader suites share
 * (diagnostics kept for exact comparison, parsing, an in-memory loader,
 * scratch files).
 */
#ifndef DAYTIMED_CONFIG_FIXTURE_H
#define DAYTIMED_CONFIG_FIXTURE_H

#include <check.h>

#include "daemon/config.h"

#define DIAG_MAX	64
#define LISTEN		"listen tcp 127.0.0.1:13\n"
#define NFILES(a)	(sizeof(a) / sizeof((a)[0]))

struct diag {
	int		 is_error;
	char		 file[256];
	unsigned	 line;
	char		 msg[2048];
};

struct collect {
	struct diag	 d[DIAG_MAX];
	size_t		 n;		/* all heard, even beyond DIAG_MAX */
	size_t		 errors;
};

struct memfile {
	const char	*name;
	const char	*text;		/* NULL: reading it fails */
	const char	*same;		/* another name of that file: its id */
};

struct memfs {
	const struct memfile	*files;
	size_t			 nfiles;
	int			 nreads;
	char			 trace[65536];	/* the loader calls, in order */
	size_t			 tlen;
};

/* snprintf that fails the test rather than truncate; the length. */
size_t	fmt(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The diag callback: keep each diagnostic for exact comparison. */
void	collect_diag(void *, int, const char *, unsigned, const char *);
/* Assert diagnostic i exactly. */
void	expect(const struct collect *, size_t i, int is_error,
	    const char *file, unsigned line, const char *msg);
/* Parse text as the file "t.conf". */
struct config *parse(struct collect *, const char *text);
/* Parse text of explicit length (NUL bytes inside). */
struct config *parse_len(struct collect *, const char *text, size_t len);
/* A loader over an in-memory file set. */
struct config_loader mem_loader(struct memfs *, const struct memfile *,
	    size_t);
/* config_load over an in-memory file set. */
struct config *load(struct collect *, struct memfs *, const char *main,
	    const struct memfile *, size_t);
/* One bad line after a good listen: exactly this error at t.conf:2. */
void	expect_one_error(const char *line, const char *msg);
/* Write a file dir/name; the test's own scratch space. */
void	disk_put(const char *dir, const char *name, const char *text);
/* Remove dir/name, a file or an empty directory. */
void	disk_rm(const char *dir, const char *name);
/* Remove dir and everything under it. */
void	disk_rm_tree(const char *dir);
/* Free what a glob returned. */
void	names_free(char **names, size_t n);

#endif
