/* SPDX-License-Identifier: ISC */
/*
 * daytime: what the client's two files share.  daytime_ask.c asks one
 * host, within one deadline; daytime.c reads the command line, asks each
 * host in turn and shows the answers.
 */
#ifndef DAYTIME_H
#define DAYTIME_H

#include <stddef.h>

#define DAYTIME_ANSWER_MAX	1024		/* bytes kept from a server */
#define DAYTIME_NSEC		1000000000LL

/* How to ask: the same for every host of one call. */
struct daytime_opts {
	int		 udp;
	int		 family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	const char	*port;		/* canonical decimal digits */
	long long	 wait_ns;	/* the deadline of one host's exchange */
};

/* What one server sent, cut at DAYTIME_ANSWER_MAX bytes. */
struct daytime_answer {
	char	 buf[DAYTIME_ANSWER_MAX];
	size_t	 len;
};

int		daytime_ask(const struct daytime_opts *, const char *,
		    struct daytime_answer *);
void		daytime_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

#endif /* DAYTIME_H */
