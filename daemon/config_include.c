/* SPDX-License-Identifier: ISC */
/*
 * config_include: the directive that reads files, and the reading of one
 * file through the loader for the parse: the cap on files, include loops
 * found by what a file is (the loader's identity) whatever its name, the
 * depth, and the pattern relative to the including file's directory.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config_include.h"
#include "daemon/config_parse.h"
#include "daemon/config_word.h"

/*
 * A file the parse cannot read: at the include line that names it, as a
 * list file's refusal is at its "deny file" line; the main file alone.
 */
static void
config_include_refused(struct config_parse *p, const char *name,
    const struct config_line *inc, const char *why)
{
	char show[160];

	if (inc == NULL) {
		config_parse_report(p, 1, name, 0, "%s", why);
		return;
	}
	config_word_show_str(name, show, sizeof(show));
	config_parse_report(p, 1, inc->file, inc->line, "include %s: %s", show,
	    why);
}

/*
 * Read one file through the loader and parse it; inc is the include line
 * that names it (NULL: the main file). A file already being read, under
 * whatever name (the loader says what it is), is an include loop.
 */
void
config_include_file(struct config_parse *p, const char *name,
    const struct config_line *inc)
{
	char err[1280], *buf = NULL, show[160], was[160];
	struct config_file_id id = { 0, 0 };
	size_t len = 0, j;

	if (p->nfiles >= CONFIG_FILES_MAX) {
		(void)snprintf(err, sizeof(err), "too many configuration "
		    "files (at most %d)", CONFIG_FILES_MAX);
		config_include_refused(p, name, inc, err);
		return;
	}
	if (p->loader->read(p->loader->arg, name, &buf, &len, &id, err,
	    sizeof(err)) == -1) {
		config_include_refused(p, name, inc, err);
		return;
	}
	for (j = 0; inc != NULL && (id.dev != 0 || id.ino != 0) &&
	    j < p->depth; j++) {
		if (p->stack[j].id.dev != id.dev || p->stack[j].id.ino != id.ino)
			continue;
		config_word_show_str(name, show, sizeof(show));
		config_word_show_str(p->stack[j].file, was, sizeof(was));
		config_parse_report(p, 1, inc->file, inc->line,
		    "include loop: %s is already being read (as %s)", show,
		    was);
		free(buf);
		return;
	}
	config_parse_text(p, name, buf, len, &id);
	free(buf);
}

/*
 * The including file's directory is a path, not a pattern: its glob
 * characters are escaped so that "/etc/d[1]/x.conf" means just that.
 */
static int
config_include_dir_pattern(const char *file, char *buf, size_t len)
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
void
config_include(struct config_parse *p,
    const struct config_directive *d, const struct config_line *l)
{
	const struct config_token *arg = &l->arg[0];
	char pattern[4096], plain[4096], err[1280], **names = NULL, show[160];
	size_t n = 0, i, j;
	int len, dl;

	(void)d;
	if (p->loader == NULL) {
		config_parse_report(p, 1, l->file, l->line,
		    "include is not allowed here");
		return;
	}
	dl = arg->s[0] == '/' ? 0 :
	    config_include_dir_pattern(l->file, pattern, sizeof(pattern));
	len = dl < 0 ? -1 : snprintf(pattern + dl, sizeof(pattern) - (size_t)dl,
	    "%.*s", (int)arg->len, arg->s);
	/* what messages show: the path as written, unescaped */
	if (len >= 0 && (size_t)len < sizeof(pattern) - (size_t)dl &&
	    config_parse_path(l->file, arg, plain, sizeof(plain)) == -1)
		len = -1;
	if (len < 0 || (size_t)len >= sizeof(pattern) - (size_t)dl) {
		config_parse_report(p, 1, l->file, l->line,
		    "include: path too long");
		return;
	}
	if (p->loader->glob(p->loader->arg, pattern, &names, &n, err,
	    sizeof(err)) == -1) {
		config_include_refused(p, plain, l, err);
		return;
	}
	if (n == 0 && !config_word_has_glob(arg))
		config_include_refused(p, plain, l, "no such file");
	for (i = 0; i < n; i++) {
		for (j = 0; j < p->depth; j++)
			if (strcmp(p->stack[j].file, names[i]) == 0)
				break;
		if (j < p->depth) {
			config_word_show_str(names[i], show, sizeof(show));
			config_parse_report(p, 1, l->file, l->line,
			    "include loop: %s is already being read", show);
		}
		else if (p->depth >= CONFIG_INCLUDE_DEPTH)
			config_parse_report(p, 1, l->file, l->line,
			    "includes nested too deeply (at most %d files, "
			    "the main file counted)",
			    CONFIG_INCLUDE_DEPTH);
		else
			config_include_file(p, names[i], l);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

