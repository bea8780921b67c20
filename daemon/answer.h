/* SPDX-License-Identifier: ISC */
/* answer: the daytime line (RFC 867) for a broken-down time. Pure. */
#ifndef DAYTIMED_ANSWER_H
#define DAYTIMED_ANSWER_H

#include <stddef.h>
#include <time.h>

#define ANSWER_MAX	64	/* "Thu Nov 26 10:32:52 2026\r\n" and then some */

/* Write the ctime(3)-form line and CRLF into buf; returns its length or 0. */
size_t	answer_format(const struct tm *, char *buf, size_t len);
/* The line for now, in the daemon's time zone. */
size_t	answer_now(char *buf, size_t len);

#endif
