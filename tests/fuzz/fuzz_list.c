/* SPDX-License-Identifier: ISC */
/*
 * Fuzz list files: any bytes as the file a "deny file" line names. The
 * line reader must cover the buffer exactly, line by line, with words
 * inside their line and free of blanks and comment characters; the whole
 * load, through an in-memory loader, must give bounded diagnostics with
 * no control bytes, at most CONFIG_DIAG_PER_FILE errors, as many warnings
 * and one sum for the list, and free cleanly.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_list.h"
#include "daemon/config_parse.h"

#define FUZZ_MSG_MAX	600
#define FUZZ_MAIN	"/f/main.conf"
#define FUZZ_LIST	"/f/list.txt"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_list {
	const char	*data;
	size_t		 len;
	size_t		 list_diags;
};

/* Check one diagnostic; abort (a finding) on a bad one. */
static void
fuzz_list_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	struct fuzz_list *f = arg;
	size_t i, n;

	(void)line;
	if (is_error != 0 && is_error != 1)
		abort();
	if (file != NULL && strcmp(file, FUZZ_LIST) == 0 &&
	    ++f->list_diags > 2 * CONFIG_DIAG_PER_FILE + 1)
		abort();
	n = strnlen(msg, FUZZ_MSG_MAX);
	if (n >= FUZZ_MSG_MAX)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
}

/* The loader: the main file names the list, the list is the input. */
static int
fuzz_list_read(void *arg, const char *name, char **buf, size_t *len,
    struct config_file_id *id, char *err, size_t errlen)
{
	static const char main_text[] = "listen tcp 127.0.0.1:13\n"
	    "allow 10.0.0.0/8\ndeny file list.txt\n";
	struct fuzz_list *f = arg;
	const char *src = f->data;
	size_t n = f->len;

	if (strcmp(name, FUZZ_MAIN) == 0) {
		src = main_text;
		n = sizeof(main_text) - 1;
	} else if (strcmp(name, FUZZ_LIST) != 0) {
		if (errlen > 0)
			err[0] = '\0';
		return -1;
	}
	if ((*buf = malloc(n + 1)) == NULL)
		abort();
	id->dev = 1;
	id->ino = src == f->data ? 2 : 1;
	memcpy(*buf, src, n);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

/* No globs here. */
static int
fuzz_list_glob(void *arg, const char *pattern, char ***names, size_t *n,
    char *err, size_t errlen)
{
	(void)arg;
	(void)pattern;
	(void)err;
	(void)errlen;
	*names = NULL;
	*n = 0;
	return 0;
}

/* The reader alone: every byte in exactly one line, words in their line. */
static void
fuzz_list_lines(const char *data, size_t size)
{
	struct config_list_line l;
	size_t pos = 0, prev = 0, i;
	unsigned line = 0;

	while (config_list_next(data, size, &pos, &line, &l)) {
		if (pos <= prev || pos > size || l.line != line)
			abort();
		if (l.kind == CONFIG_LIST_ENTRY || l.kind == CONFIG_LIST_WORDS) {
			if (l.word.len == 0 || l.word.s < data + prev ||
			    l.word.s + l.word.len > data + pos)
				abort();
			for (i = 0; i < l.word.len; i++)
				if (strchr(" \t#;\r\n", l.word.s[i]) != NULL ||
				    l.word.s[i] == '\0')
					abort();
		}
		if (l.bom && prev != 0)
			abort();
		prev = pos;
	}
	if (pos != size && size != 0)
		abort();
}

/* One input: a whole list file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_list f = { (const char *)data, size, 0 };
	struct config_loader l = { fuzz_list_glob, fuzz_list_read, &f };
	struct config *conf;

	fuzz_list_lines((const char *)data, size);
	conf = config_load(FUZZ_MAIN, &l, fuzz_list_diag, &f);
	if (conf != NULL && (conf->nlistens != 1 || conf->acl == NULL ||
	    conf->nfiles != 2))
		abort();
	config_free(conf);
	return 0;
}
