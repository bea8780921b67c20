/* SPDX-License-Identifier: ISC */
/*
 * lineread: bounded line reading over read(2) (see lineread.h). One
 * buffer of max bytes plus a read's worth; lines are found with memchr
 * and handed out in place, so ten million lines cost no copy each.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/lineread.h"

#define LINEREAD_CHUNK	(1024 * 1024)	/* bytes asked of one read */

struct lineread {
	int	 fd;
	int	 own;		/* fd is ours to close */
	char	*buf;
	size_t	 cap;
	size_t	 start;		/* the next line begins here */
	size_t	 end;		/* bytes in buf */
	size_t	 max;
	int	 eof;
	int	 skipping;	/* inside a cut line, looking for its end */
};

static int	lineread_fill(struct lineread *);

/* Open path, or standard input for "-". */
struct lineread *
lineread_open(const char *path, size_t max)
{
	struct lineread *lr;
	int saved;

	if (max == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((lr = calloc(1, sizeof(*lr))) == NULL)
		return NULL;
	lr->max = max;
	lr->cap = max + LINEREAD_CHUNK;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		free(lr);
		return NULL;
	}
	if (strcmp(path, "-") == 0)
		lr->fd = STDIN_FILENO;
	else if ((lr->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) ==
	    -1) {
		saved = errno;
		free(lr->buf);
		free(lr);
		errno = saved;
		return NULL;
	} else
		lr->own = 1;
	return lr;
}

/* Move what is left to the front and read more; -1 on a read error. */
static int
lineread_fill(struct lineread *lr)
{
	ssize_t n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	for (;;) {
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			lr->eof = 1;
		lr->end += (size_t)n;
		return 0;
	}
}

/* The next line, in place. */
int
lineread_next(struct lineread *lr, const char **line, size_t *len, int *cut)
{
	char *p, *nl;
	size_t have;

	for (;;) {
		p = lr->buf + lr->start;
		have = lr->end - lr->start;
		nl = memchr(p, '\n', have);
		if (lr->skipping) {
			/* the rest of a cut line: drop it up to its end */
			if (nl != NULL) {
				lr->start += (size_t)(nl - p) + 1;
				lr->skipping = 0;
				continue;
			}
			lr->start = lr->end;
		} else if (nl != NULL && (size_t)(nl - p) <= lr->max) {
			*line = p;
			*len = (size_t)(nl - p);
			*cut = 0;
			lr->start += *len + 1;
			if (*len > 0 && p[*len - 1] == '\r')
				(*len)--;
			return 1;
		} else if (have > lr->max) {
			*line = p;
			*len = lr->max;
			*cut = 1;
			lr->start += lr->max;
			lr->skipping = 1;
			return 1;
		} else if (lr->eof) {
			if (have == 0)
				return 0;
			*line = p;
			*len = have;
			*cut = 0;
			lr->start = lr->end;
			if (*len > 0 && p[*len - 1] == '\r')
				(*len)--;
			return 1;
		}
		if (lr->eof)
			return 0;
		if (lineread_fill(lr) == -1)
			return -1;
	}
}

/* Close and free. */
void
lineread_close(struct lineread *lr)
{
	if (lr == NULL)
		return;
	if (lr->own)
		close(lr->fd);
	free(lr->buf);
	free(lr);
}
