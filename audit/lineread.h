/* SPDX-License-Identifier: ISC */
/*
 * lineread: the lines of a log file or of standard input, in bounded
 * memory. A line longer than the limit is handed over as its first
 * `max` bytes with `cut` set, and the rest of it is skipped: a file of
 * one endless line costs the buffer, not the file's size. Line ends
 * (LF, and a CR before it) are not part of the line.
 */
#ifndef DAYTIMED_LINEREAD_H
#define DAYTIMED_LINEREAD_H

#include <stddef.h>

struct lineread;

/*
 * Open path ("-": standard input, not closed at the end) for lines of at
 * most max bytes. NULL with errno set on failure.
 */
struct lineread *lineread_open(const char *path, size_t max);
/*
 * The next line: 1 and (*line, *len, *cut), valid until the next call;
 * 0 at the end; -1 on a read error (errno set).
 */
int	lineread_next(struct lineread *, const char **line, size_t *len,
	    int *cut);
/* Close (unless standard input) and free. */
void	lineread_close(struct lineread *);

#endif
