/* SPDX-License-Identifier: ISC */
/*
 * logread: bounded lines from plain or gzip files (see logread.h).
 *
 * A file that begins with gzip's magic is inflated with zlib, member
 * after member (concatenated .gz files, as gzip reads them); any other
 * file is read as it is. zlib is the one dependency this tool adds to
 * libsodium, on purpose: an inflater is a parser of untrusted bytes, and
 * zlib's is the one that has been fuzzed for years (and is on every
 * Debian system already). Its gz* interface is not used: gzread drops,
 * without a word, whatever follows the last gzip member, so a line
 * appended to a .gz file, or a whole plain log behind an empty member,
 * would never be read. Here, bytes after a member that do not begin
 * another are an error, as a member cut short is.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "audit/logread.h"

#define LOGREAD_CHUNK	(256u << 10)	/* bytes read or inflated at once */
#define LOGREAD_BUF	(LOGREAD_LINE_MAX + LOGREAD_CHUNK)

enum logread_kind { LOGREAD_UNKNOWN, LOGREAD_PLAIN, LOGREAD_GZIP };

struct logread {
	int		 fd;
	const char	*name;
	char		*buf;		/* LOGREAD_BUF bytes */
	size_t		 start, end;	/* unread bytes: buf[start..end) */
	int		 eof;
	int		 skipping;	/* inside an over-long line */
	enum logread_kind kind;		/* known after the first read */
	unsigned char	*in;		/* LOGREAD_CHUNK bytes of the file */
	int		 in_eof;	/* the file has no more */
	z_stream	 z;		/* z.next_in, z.avail_in: unused input */
	int		 z_init;	/* inflateInit2 done */
	int		 member;	/* inside a gzip member */
	uint64_t	 off;		/* bytes of the file used before next_in */
	char		 head[LOGREAD_HEAD_MAX];
};

static int	logread_input(struct logread *, char *, size_t);
static int	logread_inflate(struct logread *, size_t, char *, size_t);
static int	logread_fill(struct logread *, char *, size_t);

/* A reader on fd. */
struct logread *
logread_open(int fd, const char *name, char *err, size_t errlen)
{
	struct logread *lr;

	if ((lr = calloc(1, sizeof(*lr))) == NULL ||
	    (lr->buf = malloc(LOGREAD_BUF)) == NULL ||
	    (lr->in = malloc(LOGREAD_CHUNK)) == NULL) {
		if (lr != NULL)
			free(lr->buf);
		free(lr);
		close(fd);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	lr->fd = fd;
	lr->name = name;
	lr->z.next_in = lr->in;
	return lr;
}

/* Whether the file began with gzip's magic (plain files are read as is). */
int
logread_compressed(const struct logread *lr)
{
	return lr->kind == LOGREAD_GZIP;
}

/*
 * More of the file behind the unused input (moved to the front of lr->in
 * first); at its end, lr->in_eof. -1 on a read error.
 */
static int
logread_input(struct logread *lr, char *err, size_t errlen)
{
	ssize_t n;

	if (lr->z.avail_in > 0 && lr->z.next_in != lr->in)
		memmove(lr->in, lr->z.next_in, lr->z.avail_in);
	lr->off += (uint64_t)(lr->z.next_in - lr->in);
	lr->z.next_in = lr->in;
	if (lr->z.avail_in == LOGREAD_CHUNK)
		return 0;
	do
		n = read(lr->fd, lr->in + lr->z.avail_in,
		    LOGREAD_CHUNK - lr->z.avail_in);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", lr->name, strerror(errno));
		return -1;
	}
	if (n == 0)
		lr->in_eof = 1;
	lr->z.avail_in += (unsigned)n;
	return 0;
}

/*
 * Inflate into buf[end..end+space): members one after another, each
 * beginning with gzip's magic. Whatever else follows a member is an
 * error, never a quiet end: gzip itself says "trailing garbage", and
 * what is not read is not checked. -1 said why.
 */
static int
logread_inflate(struct logread *lr, size_t space, char *err, size_t errlen)
{
	size_t made;
	int r;

	for (;;) {
		/* a member takes any input; gzip's magic is two bytes */
		if (lr->z.avail_in < (lr->member ? 1u : 2u) && !lr->in_eof) {
			if (logread_input(lr, err, errlen) == -1)
				return -1;
			continue;
		}
		if (!lr->member) {
			if (lr->z.avail_in == 0) {
				lr->eof = 1;
				return 0;
			}
			if (lr->z.avail_in < 2 || lr->z.next_in[0] != 0x1f ||
			    lr->z.next_in[1] != 0x8b) {
				snprintf(err, errlen, "%s: bytes that are not "
				    "gzip data follow the compressed data, at "
				    "byte %llu", lr->name, (unsigned long long)
				    (lr->off + (uint64_t)(lr->z.next_in -
				    lr->in)));
				return -1;
			}
			if (inflateReset(&lr->z) != Z_OK) {
				snprintf(err, errlen, "%s: cannot inflate",
				    lr->name);
				return -1;
			}
			lr->member = 1;
		}
		lr->z.next_out = (unsigned char *)lr->buf + lr->end;
		lr->z.avail_out = (unsigned)space;
		r = inflate(&lr->z, Z_NO_FLUSH);
		made = space - lr->z.avail_out;
		lr->end += made;
		if (r == Z_STREAM_END)
			lr->member = 0;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(err, errlen, "%s: %s", lr->name,
			    r == Z_MEM_ERROR ? "out of memory" : lr->z.msg !=
			    NULL ? lr->z.msg : "damaged compressed data");
			return -1;
		}
		if (made > 0)
			return 0;
		if (r == Z_STREAM_END)
			continue;
		/*
		 * Nothing made: inflate took all the input there was and
		 * wants more. At the end of the file, a member cut short.
		 */
		if (lr->z.avail_in == 0 && lr->in_eof) {
			snprintf(err, errlen, "%s: the compressed data ends "
			    "early (a cut or damaged .gz file)", lr->name);
			return -1;
		}
		if (lr->z.avail_in > 0) {
			/* never met: no loop without progress, though */
			snprintf(err, errlen, "%s: damaged compressed data",
			    lr->name);
			return -1;
		}
	}
}

/* More bytes at the end of the buffer; -1 on an error. */
static int
logread_fill(struct logread *lr, char *err, size_t errlen)
{
	size_t space, n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	space = LOGREAD_BUF - lr->end < LOGREAD_CHUNK ? LOGREAD_BUF -
	    lr->end : LOGREAD_CHUNK;
	if (lr->kind == LOGREAD_UNKNOWN) {
		/* gzip's magic, or as much of the file as there is */
		while (lr->z.avail_in < 2 && !lr->in_eof)
			if (logread_input(lr, err, errlen) == -1)
				return -1;
		if (lr->z.avail_in >= 2 && lr->in[0] == 0x1f &&
		    lr->in[1] == 0x8b) {
			if (inflateInit2(&lr->z, 15 + 16) != Z_OK) {
				snprintf(err, errlen, "%s: cannot inflate",
				    lr->name);
				return -1;
			}
			lr->z_init = 1;
			lr->member = 1;
			lr->kind = LOGREAD_GZIP;
		} else
			lr->kind = LOGREAD_PLAIN;
	}
	if (lr->kind == LOGREAD_GZIP)
		return logread_inflate(lr, space, err, errlen);
	/* plain: what was read to tell the kind first, then the file */
	if (lr->z.avail_in == 0 && !lr->in_eof &&
	    logread_input(lr, err, errlen) == -1)
		return -1;
	if (lr->z.avail_in == 0) {
		lr->eof = 1;
		return 0;
	}
	n = lr->z.avail_in < space ? lr->z.avail_in : space;
	memcpy(lr->buf + lr->end, lr->z.next_in, n);
	lr->z.next_in += n;
	lr->z.avail_in -= (unsigned)n;
	lr->end += n;
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
	if (lr->z_init)
		(void)inflateEnd(&lr->z);
	close(lr->fd);
	free(lr->in);
	free(lr->buf);
	free(lr);
}
