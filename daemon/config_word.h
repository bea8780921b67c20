/* SPDX-License-Identifier: ISC */
/*
 * config_word: one word of a configuration line -> a value, and a word as
 * a message may show it. Pure functions over (buffer, length): the words
 * point into a file's bytes and are not NUL-terminated.
 */
#ifndef DAYTIMED_CONFIG_WORD_H
#define DAYTIMED_CONFIG_WORD_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>

/* A word of a line: bytes in the file's buffer, not NUL-terminated. */
struct config_token {
	const char	*s;
	size_t		 len;
};

/*
 * Split (s, len) at spaces and tabs into at most max words in tok: how
 * many there are, or max + 1 when there are more.
 */
size_t	config_word_split(const char *s, size_t len, struct config_token *tok,
	    size_t max);
/* Whether the word is exactly s. */
int	config_word_eq(const struct config_token *, const char *s);
/* The word as a C string (NULL when out of memory). */
char	*config_word_dup(const struct config_token *);
#define CONFIG_WORD_NAME_MAX	32	/* a name or a netblock shown back */

/* The word as a message shows it: escaped by the one escaper, bounded. */
void	config_word_show(const struct config_token *, char *buf, size_t len);
/* Whether the word could be a directive's name (shown when unknown). */
int	config_word_is_name(const struct config_token *);
/* Whether the word could be a netblock (shown when a list's is bad). */
int	config_word_is_netblock(const struct config_token *);
/* A C string (a file name) as a message shows it. */
void	config_word_show_str(const char *, char *buf, size_t len);
/* Whether the word holds a glob character (* ? [). */
int	config_word_has_glob(const struct config_token *);
/* SECONDS from 0.001 to 300, up to six decimals: "5", "0.25"; -1: bad. */
int	config_word_seconds(const struct config_token *, struct timeval *);
/*
 * ADDRESS:PORT or [IPV6]:PORT, numeric addresses only; -1 and a reason
 * in *why when bad.
 */
int	config_word_sockaddr(const struct config_token *,
	    struct sockaddr_storage *, socklen_t *, const char **why);
/*
 * A listen address as text, normalised ("[fd00::1]:13" for "[FD00::1]:13");
 * -1 when len is too small.
 */
int	config_word_sockaddr_text(const struct sockaddr_storage *, char *buf,
	    size_t len);

#endif
