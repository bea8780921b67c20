/* SPDX-License-Identifier: ISC */
/*
 * logread: bounded lines from plain or gzip files (see logread.h).
 *
 * zlib's gz* interface reads a gzip stream (several members, as
 * concatenated .gz files are, included) and, when the input has no gzip
 * header, the bytes as they are: one reader for both. zlib is the one
 * dependency this tool adds to libsodium, on purpose: an inflater is a
 * parser of untrusted bytes, and zlib's is the one that has been fuzzed
 * for years (and is on every Debian system already).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "audit/logread.h"

#define LOGREAD_CHUNK	(256u << 10)	/* bytes asked of zlib at once */
#define LOGREAD_BUF	(LOGREAD_LINE_MAX + LOGREAD_CHUNK)

struct logread {
	gzFile		 gz;
	const char	*name;
	char		*buf;		/* LOGREAD_BUF bytes */
	size_t		 start, end;	/* unread bytes: buf[start..end) */
	int		 eof;
	int		 skipping;	/* inside an over-long line */
	char		 head[LOGREAD_HEAD_MAX];
};

static int	logread_fill(struct logread *, char *, size_t);

/* A reader on fd. */
struct logread *
logread_open(int fd, const char *name, char *err, size_t errlen)
{
	struct logread *lr;

	if ((lr = calloc(1, sizeof(*lr))) == NULL ||
	    (lr->buf = malloc(LOGREAD_BUF)) == NULL) {
		free(lr);
		close(fd);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	lr->name = name;
	if ((lr->gz = gzdopen(fd, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot read", name);
		close(fd);
		free(lr->buf);
		free(lr);
		return NULL;
	}
	(void)gzbuffer(lr->gz, LOGREAD_CHUNK);
	return lr;
}

/* Whether zlib found a gzip header (plain files are read "directly"). */
int
logread_compressed(const struct logread *lr)
{
	return lr->gz != NULL && !gzdirect(lr->gz);
}

/* More bytes at the end of the buffer; -1 on an error. */
static int
logread_fill(struct logread *lr, char *err, size_t errlen)
{
	const char *msg;
	int n, zerr;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	n = gzread(lr->gz, lr->buf + lr->end, (unsigned)(LOGREAD_BUF -
	    lr->end < LOGREAD_CHUNK ? LOGREAD_BUF - lr->end : LOGREAD_CHUNK));
	if (n < 0) {
		msg = gzerror(lr->gz, &zerr);
		snprintf(err, errlen, "%s: %s", lr->name, zerr == Z_ERRNO ?
		    strerror(errno) : msg);
		return -1;
	}
	if (n == 0) {
		/* a gzip file cut short reads as an end: say so */
		msg = gzerror(lr->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
			snprintf(err, errlen, "%s: %s", lr->name, msg);
			return -1;
		}
		if (zerr == Z_BUF_ERROR && logread_compressed(lr)) {
			snprintf(err, errlen, "%s: the compressed data ends "
			    "early (a cut or damaged .gz file)", lr->name);
			return -1;
		}
		lr->eof = 1;
	}
	lr->end += (size_t)n;
	return 0;
}

/* The next line; an over-long one comes back as its head, flagged. */
int
logread_line(struct logread *lr, const char **line, size_t *len,
    int *overlong, char *err, size_t errlen)
{
	char *nl;
	size_t n;

	*overlong = 0;
	for (;;) {
		nl = memchr(lr->buf + lr->start, '\n', lr->end - lr->start);
		if (nl != NULL || (lr->eof && lr->end > lr->start)) {
			n = nl != NULL ? (size_t)(nl - (lr->buf + lr->start)) :
			    lr->end - lr->start;
			*line = lr->buf + lr->start;
			lr->start += n + (nl != NULL);
			if (lr->skipping) {
				lr->skipping = 0;
				*line = lr->head;
				*len = LOGREAD_HEAD_MAX;
				*overlong = 1;
				return 1;
			}
			/* Over-long though it came whole in one read. */
			if (n > LOGREAD_LINE_MAX) {
				*len = LOGREAD_HEAD_MAX;
				*overlong = 1;
				return 1;
			}
			if (n > 0 && (*line)[n - 1] == '\r')
				n--;
			*len = n;
			return 1;
		}
		if (lr->eof) {
			if (lr->skipping) {
				lr->skipping = 0;
				*line = lr->head;
				*len = LOGREAD_HEAD_MAX;
				*overlong = 1;
				return 1;
			}
			return 0;
		}
		if (lr->end - lr->start > LOGREAD_LINE_MAX) {
			/* too long: keep its head, drop the rest as it comes */
			if (!lr->skipping)
				memcpy(lr->head, lr->buf + lr->start,
				    LOGREAD_HEAD_MAX);
			lr->skipping = 1;
			lr->start = lr->end;
		}
		if (logread_fill(lr, err, errlen) == -1)
			return -1;
	}
}

/* Close the file and free. */
void
logread_close(struct logread *lr)
{
	if (lr == NULL)
		return;
	if (lr->gz != NULL)
		gzclose(lr->gz);
	free(lr->buf);
	free(lr);
}
