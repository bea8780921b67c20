/* SPDX-License-Identifier: ISC */
/*
 * logfiles_cmd: the log files of `daytimed-audit verify` and `report`,
 * each read once, oldest first (audit/logfiles.h), .gz as it is: both
 * commands read the same files in the same order, so a rotated log named
 * by a glob (newest first) verifies in both.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/logfiles.h"
#include "audit/logfiles_cmd.h"
#include "audit/logread.h"

static void	logfiles_cmd_prescan(struct logfiles_file *);

/* The files in reading order; -1 said why. */
int
logfiles_cmd(int argc, char **argv, FILE *note, struct logfiles_file **out,
    size_t *nout)
{
	struct logfiles_file *f;
	struct stat st;
	size_t n = 0, i, j;
	int a, stdin_seen = 0;

	if ((f = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*f))) == NULL) {
		fprintf(stderr, "daytimed-audit: out of memory\n");
		return -1;
	}
	if (argc == 0) {
		f[n].path = "-";
		f[n++].name = "(stdin)";
	}
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "-") == 0) {
			if (!stdin_seen++) {
				f[n].path = "-";
				f[n].name = "(stdin)";
				f[n].pos = n;
				n++;
			}
			continue;
		}
		if (stat(argv[a], &st) == -1) {
			fprintf(stderr, "daytimed-audit: %s: %s\n", argv[a],
			    strerror(errno));
			free(f);
			return -1;
		}
		if (S_ISREG(st.st_mode) &&
		    (j = logfiles_same(f, n, st.st_dev, st.st_ino)) < n) {
			fprintf(stderr, "daytimed-audit: warning: %s is the same "
			    "file as %s: read once\n", argv[a], f[j].path);
			continue;
		}
		f[n].path = f[n].name = argv[a];
		f[n].reg = S_ISREG(st.st_mode);
		f[n].dev = st.st_dev;
		f[n].ino = st.st_ino;
		f[n].pos = n;
		if (f[n].reg)
			logfiles_cmd_prescan(&f[n]);
		n++;
	}
	if (logfiles_order(f, n)) {
		fprintf(note, "daytimed-audit: reading the files oldest first:");
		for (i = 0; i < n; i++)
			fprintf(note, " %s", f[i].name);
		fprintf(note, "\n");
	}
	*out = f;
	*nout = n;
	return 0;
}

/*
 * The time, epoch and seq of a file's first sealed record, however far
 * into the file it is: a cap on the bytes looked at would let other
 * programs' lines at the top of a file (a padding an attacker can write
 * with logger(1)) take its time away and put it first. Bounded memory
 * (logread's), a read of the file up to that record; a file without one
 * is read through. A read error leaves the file without a time: reading
 * it says what the error is.
 */
static void
logfiles_cmd_prescan(struct logfiles_file *f)
{
	struct logread *lr;
	const char *line;
	char err[256];
	size_t len;
	int fd, over;

	if ((fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
	    (lr = logread_open(fd, f->name, err, sizeof(err))) == NULL)
		return;
	while (logread_line(lr, &line, &len, &over, err, sizeof(err)) == 1)
		if (!over && logfiles_first(f, line, len))
			break;
	logread_close(lr);
}
