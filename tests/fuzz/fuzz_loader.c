/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the disk loader and the trust walk: each input builds a small tree
 * in a scratch directory (files of configuration lines, directories of
 * any mode, symbolic links to names in it, to itself, to /etc/passwd or a
 * device, FIFOs) and loads it three ways: for a run user known now, for
 * one known only later (the facts judged then), and as the monitor does
 * (recorded, encoded, decoded and parsed by the engine). All three must
 * agree, every diagnostic must be a bounded line of printable bytes, and
 * nothing may block: a FIFO read would hang, and the fuzzer's -timeout
 * is the deadline that catches it.
 *
 * The tree holds links to /, /etc/passwd and /dev, and this runs as root:
 * building it must never act through one. Every step names a path whose
 * directories are real directories of the tree (fuzz_inside) and acts on
 * the last name itself (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW): a chmod() that
 * followed a link to /etc/passwd once left it mode 0600.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/loader.h"
#include "daemon/trust.h"

#define FUZZ_MSG_MAX	1600
#define FUZZ_LINES	16	/* lines of one file at most */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The names a tree is made of (relative to its top). */
static const char *const fuzz_names[] = {
	"main.conf", "a", "b.rules", "d", "d/c.rules", "d/e", "d/e/f.conf",
	"z",
};

/* The lines a file is made of. */
static const char *const fuzz_lines[] = {
	"listen tcp 127.0.0.1:13\n", "allow 10.0.0.0/8\n", "deny 10.0.0.0/8\n",
	"include a\n", "include b.rules\n", "include d/*.rules\n",
	"include ./main.conf\n", "include d/../main.conf\n", "include *\n",
	"include d/e/*\n", "include z\n", "include ../t/main.conf\n",
	"include d/e/f.conf\n", "include /etc/passwd\n", "# a comment\n",
	"user nobody\n", "frobnicate\n", "include d\n",
};

/* Where a link may point. */
static const char *const fuzz_targets[] = {
	"main.conf", "a", "../t/b.rules", "d", "d/e", "z", ".", "..",
	"/etc/passwd", "/dev/zero", "/dev/null", "missing", "d/e/f.conf",
	"/", "../../../../../../../../etc/passwd",
};

/* Modes a directory or file may get. */
static const mode_t fuzz_modes[] = {
	0755, 0700, 0777, 01777, 0775, 0644, 0600, 0666, 0000, 0311,
};

static char fuzz_top[64];		/* the scratch directory */
static char fuzz_tree[128];		/* its tree for one input */

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Each diagnostic: bounded, printable, a known kind. */
static void
fuzz_loader_diag(void *arg, int is_error, const char *file, unsigned line,
    const char *msg)
{
	size_t i, n;

	(void)file;
	(void)line;
	if (is_error)
		(*(size_t *)arg)++;
	if (is_error != 0 && is_error != 1)
		abort();
	n = strnlen(msg, FUZZ_MSG_MAX);
	if (n >= FUZZ_MSG_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			abort();
}

/* nftw's visitor: remove everything (depth first). */
static int
fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	/* FTW_PHYS: a directory here is one, never a link to one. */
	if (flag == FTW_DP || flag == FTW_D)
		(void)fchmodat(AT_FDCWD, path, 0700, AT_SYMLINK_NOFOLLOW);
	return remove(path) == -1 && errno != ENOENT ? 0 : 0;
}

/* A fresh, empty tree. */
static void
fuzz_fresh(void)
{
	if (fuzz_top[0] == '\0') {
		snprintf(fuzz_top, sizeof(fuzz_top), "/tmp/fuzz_loader.XXXXXX");
		if (mkdtemp(fuzz_top) == NULL || chmod(fuzz_top, 0755) == -1)
			abort();
		snprintf(fuzz_tree, sizeof(fuzz_tree), "%s/t", fuzz_top);
	}
	(void)nftw(fuzz_tree, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(fuzz_tree, 0755) == -1)
		abort();
}

/* The path of name i in the tree. */
static void
fuzz_path(char *buf, size_t len, uint8_t i)
{
	snprintf(buf, len, "%s/%s", fuzz_tree, fuzz_names[i % NITEMS(fuzz_names)]);
}

/*
 * 1 when every directory above name i is a directory of the tree (no
 * link on the way out of it: "d" may be a link to "/"), so that acting
 * on the path acts inside the tree.
 */
static int
fuzz_inside(uint8_t i)
{
	const char *name = fuzz_names[i % NITEMS(fuzz_names)], *slash;
	char path[256];
	struct stat st;

	for (slash = strchr(name, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		snprintf(path, sizeof(path), "%s/%.*s", fuzz_tree,
		    (int)(slash - name), name);
		if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
			return 0;
	}
	return 1;
}

/*
 * Write a file; never blocking on a FIFO of the tree's (opening one for
 * writing with no reader fails at once) nor following a link out of it.
 */
static void
fuzz_write(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) == -1)
		return;
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	close(fd);
}

/* Build the tree the input says: ops until the bytes run out. */
static void
fuzz_build(const uint8_t *d, size_t n)
{
	char path[256], text[FUZZ_LINES * 32];
	size_t i = 0, k, o;

	while (i + 2 <= n) {
		uint8_t op = d[i] % 6, a = d[i + 1];
		int in = fuzz_inside(a);	/* else: arguments read, no act */

		i += 2;
		fuzz_path(path, sizeof(path), a);
		switch (op) {
		case 0:		/* a file of lines */
			k = i < n ? d[i++] % (FUZZ_LINES + 1) : 0;
			for (o = 0, text[0] = '\0'; k > 0 && i < n; k--, i++)
				o += (size_t)snprintf(text + o, sizeof(text) - o,
				    "%s", fuzz_lines[d[i] % NITEMS(fuzz_lines)]);
			if (in)
				fuzz_write(path, text);
			break;
		case 1:		/* a directory */
			if (in)
				(void)mkdir(path, 0755);
			break;
		case 2:		/* a link */
			if (i < n && in)
				(void)symlink(fuzz_targets[d[i] %
				    NITEMS(fuzz_targets)], path);
			i += i < n;
			break;
		case 3:		/* a FIFO */
			if (in)
				(void)mkfifo(path, 0644);
			break;
		case 4:		/* a mode, of a link itself: ENOTSUP */
			if (i < n && in)
				(void)fchmodat(AT_FDCWD, path, fuzz_modes[d[i] %
				    NITEMS(fuzz_modes)], AT_SYMLINK_NOFOLLOW);
			i += i < n;
			break;
		default:	/* gone again (a link: the link) */
			if (in)
				(void)remove(path);
			break;
		}
	}
}

/* One load through the disk loader for t's run user; 1 when it took. */
static int
fuzz_load_disk(struct trust *t, const char *main)
{
	struct config_loader l;
	struct loader_disk d;
	struct config *conf;
	size_t errors = 0;

	loader_disk_trusting(&d, t, LOADER_BUNDLE_MAX, &l);
	conf = config_load(main, &l, fuzz_loader_diag, &errors);
	if (!t->known && trust_judge(t, 1, 0, 0, fuzz_loader_diag,
	    &errors) > 0 && conf != NULL) {
		config_free(conf);
		conf = NULL;
	}
	if ((conf == NULL) != (errors > 0))
		abort();
	if (conf != NULL && conf->nlistens == 0)
		abort();
	config_free(conf);
	return errors == 0;
}

/* The monitor's way: recorded, over the wire, parsed by the engine. */
static int
fuzz_load_bundle(const char *main)
{
	struct loader_bundle *b, *back;
	struct config_loader l;
	struct config *conf;
	size_t len, errors = 0;
	char *wire;
	int ok;

	if ((b = loader_bundle_record(main, LOADER_BUNDLE_MAX)) == NULL)
		abort();
	if (loader_bundle_encode(b, &wire, &len) == -1)
		abort();
	if ((back = loader_bundle_decode(wire, len, LOADER_BUNDLE_MAX)) ==
	    NULL)
		abort();
	loader_bundle_loader(back, &l);
	conf = config_load(main, &l, fuzz_loader_diag, &errors);
	ok = conf != NULL;
	config_free(conf);
	loader_bundle_free(back);
	loader_bundle_free(b);
	free(wire);
	return ok;
}

/* One input: a tree, loaded three ways that must agree. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trust now, later;
	char main[256];
	int a, b, c;

	fuzz_fresh();
	fuzz_build(data, size);
	fuzz_path(main, sizeof(main), 0);
	trust_init(&now, 1, 0, 0);		/* root: only root's files */
	trust_init(&later, 0, 0, 0);
	a = fuzz_load_disk(&now, main);
	b = fuzz_load_disk(&later, main);
	trust_free(&now);
	trust_free(&later);
	c = geteuid() == 0 ? fuzz_load_bundle(main) : a;
	if (a != b || a != c)
		abort();
	return 0;
}
