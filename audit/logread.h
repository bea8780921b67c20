/* SPDX-License-Identifier: ISC */
/*
 * logread: lines out of a log file for the auditor's tool, in bounded
 * memory. A file compressed with gzip (logrotate's .gz) is read as it is,
 * through zlib, recognized by its first bytes rather than its name, all
 * its members; bytes after the last that begin no other are an error, as
 * a member cut short is. Any other file is read as text. A line longer
 * than LOGREAD_LINE_MAX bytes is not buffered: its head is kept and the
 * rest skipped, and the caller is told, so one huge line costs
 * LOGREAD_LINE_MAX bytes, not its size.
 */
#ifndef DAYTIMED_LOGREAD_H
#define DAYTIMED_LOGREAD_H

#include <stddef.h>

#define LOGREAD_LINE_MAX	65536	/* bytes of a line kept */
#define LOGREAD_HEAD_MAX	1024	/* bytes of an over-long line shown */

struct logread;

/*
 * Read from fd (taken: closed by logread_close); name is for messages.
 * NULL with a message in err.
 */
struct logread *logread_open(int fd, const char *name, char *err,
	    size_t errlen);
/*
 * The next line, without its line end ("\n", "\r\n"), in *line and *len,
 * valid until the next call. 1: a line (*overlong: it was longer than
 * LOGREAD_LINE_MAX and *line holds its first LOGREAD_HEAD_MAX bytes);
 * 0: the end; -1: a read or decompression error (trailing bytes after
 * the gzip data included), described in err.
 */
int	logread_line(struct logread *, const char **line, size_t *len,
	    int *overlong, char *err, size_t errlen);
/* Whether the input is gzip-compressed (known after the first read). */
int	logread_compressed(const struct logread *);
void	logread_close(struct logread *);

#endif
