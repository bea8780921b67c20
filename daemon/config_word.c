/* SPDX-License-Identifier: ISC */
/*
 * config_word: the values one configuration word can hold (seconds, an
 * address and port), and the one way a message shows a word (through the
 * one escaper, record_escape). Pure.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "compat/compat.h"
#include "daemon/config_word.h"

/* The words of a line, split at blanks; max + 1: more than max. */
size_t
config_word_split(const char *s, size_t len, struct config_token *tok,
    size_t max)
{
	size_t i = 0, n = 0, start;

	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			return n;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (n == max)
			return max + 1;
		tok[n].s = s + start;
		tok[n].len = i - start;
		n++;
	}
}

/* Whether the word is exactly s. */
int
config_word_eq(const struct config_token *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

/* The word as a C string. */
char *
config_word_dup(const struct config_token *t)
{
	return strndup(t->s, t->len);
}

/* A word as it may appear in a message: bounded, escaped by
 * record_escape_show, "..." where it was cut. */
void
config_word_show(const struct config_token *t, char *buf, size_t len)
{
	size_t o, used;

	if (len == 0)
		return;
	if (len < 5) {		/* no room for an escape and the "..." */
		buf[0] = '\0';
		return;
	}
	o = record_escape_show(buf, len - 4, t->s, t->len, &used);
	if (used < t->len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/*
 * Whether a word may be shown back: 1 to CONFIG_WORD_NAME_MAX bytes, each
 * one of set. A word that is not is some other file's text, not echoed.
 */
static int
config_word_shown(const struct config_token *t, const char *set)
{
	size_t i;

	if (t->len == 0 || t->len > CONFIG_WORD_NAME_MAX)
		return 0;
	for (i = 0; i < t->len; i++)
		if (t->s[i] == '\0' || strchr(set, t->s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Whether a word could name a directive: letters, digits, '-' and '_'.
 * Only such words are shown back as unknown: a line of some other file
 * (a password file included by a link) is not echoed.
 */
int
config_word_is_name(const struct config_token *t)
{
	return config_word_shown(t, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
}

/*
 * Whether a word could be a netblock's text: hex digits, ':', '.' and
 * '/'. A list file's line has no directive word that would say the file
 * is a list, so only such words are shown back from it: a list pointed
 * at some other file (a password file, a key of 64 hex digits) is not
 * echoed.
 */
int
config_word_is_netblock(const struct config_token *t)
{
	return config_word_shown(t, "0123456789abcdefABCDEF:./");
}

/* A file name as it may appear in a message (escaped, bounded). */
void
config_word_show_str(const char *name, char *buf, size_t len)
{
	struct config_token t = { name, strlen(name) };

	config_word_show(&t, buf, len);
}

/* Whether a pattern holds a glob character. */
int
config_word_has_glob(const struct config_token *t)
{
	size_t i;

	for (i = 0; i < t->len; i++) {
		if (t->s[i] == '\\' && i + 1 < t->len) {
			i++;	/* escaped: itself, as glob(3) reads it */
			continue;
		}
		if (t->s[i] == '*' || t->s[i] == '?' || t->s[i] == '[')
			return 1;
	}
	return 0;
}

/* SECONDS with up to six decimals: "5", "0.25", "1.5". */
int
config_word_seconds(const struct config_token *t, struct timeval *tv)
{
	unsigned long long sec = 0, usec = 0;
	size_t dot, i;

	for (dot = 0; dot < t->len && t->s[dot] != '.'; dot++)
		;
	if (compat_parse_uint(t->s, dot, 300, &sec) == -1)
		return -1;
	if (dot < t->len) {
		size_t nd = t->len - dot - 1;

		if (nd == 0 || nd > 6)
			return -1;
		if (compat_parse_uint(t->s + dot + 1, nd, 999999, &usec) == -1)
			return -1;
		for (i = nd; i < 6; i++)
			usec *= 10;
	}
	if (sec == 300 && usec > 0)
		return -1;
	if (sec == 0 && usec < 1000)
		return -1;
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)usec;
	return 0;
}

/*
 * ADDRESS:PORT, or [IPV6]:PORT; numeric addresses only (no DNS at startup).
 * An address no listener can bind is refused here, so that -t says so:
 * IPv4-mapped (the socket is IPv6-only), a zone (%IFACE), link-local
 * fe80::/10 (it binds only with a zone).
 */
int
config_word_sockaddr(const struct config_token *t, struct sockaddr_storage *ss,
    socklen_t *sslen, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	struct in6_addr *a6;
	const char *port;
	size_t hl, pl;
	unsigned long long pn;

	memset(ss, 0, sizeof(*ss));
	if (t->len > 0 && t->s[0] == '[') {
		const char *rb = memchr(t->s, ']', t->len);

		if (rb == NULL || (size_t)(rb - t->s) + 1 >= t->len ||
		    rb[1] != ':') {
			*why = "IPv6 must be written [ADDRESS]:PORT";
			return -1;
		}
		hl = (size_t)(rb - t->s) - 1;
		port = rb + 2;
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "bad IPv6 address";
			return -1;
		}
		memcpy(host, t->s + 1, hl);
		host[hl] = '\0';
		if (memchr(host, '%', hl) != NULL) {
			*why = "a zone (%IFACE) is not supported in a listen "
			    "line; listen on [::] or a global or ULA address";
			return -1;
		}
		a6 = &((struct sockaddr_in6 *)ss)->sin6_addr;
		if (inet_pton(AF_INET6, host, a6) != 1) {
			*why = "bad IPv6 address";
			return -1;
		}
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			*why = "an IPv4-mapped address, which the IPv6-only "
			    "socket cannot bind; write it as IPv4 "
			    "(A.B.C.D:PORT)";
			return -1;
		}
		if (IN6_IS_ADDR_LINKLOCAL(a6)) {
			*why = "a link-local address binds only with a zone, "
			    "which listen does not take; listen on [::] or a "
			    "global or ULA address";
			return -1;
		}
		ss->ss_family = AF_INET6;
		*sslen = sizeof(struct sockaddr_in6);
	} else {
		const char *colon = NULL;
		size_t i;

		for (i = 0; i < t->len; i++)
			if (t->s[i] == ':') {
				if (colon != NULL) {
					*why = "IPv6 must be written [ADDRESS]:PORT";
					return -1;
				}
				colon = t->s + i;
			}
		if (colon == NULL) {
			*why = "expected ADDRESS:PORT";
			return -1;
		}
		hl = (size_t)(colon - t->s);
		port = colon + 1;
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "bad IPv4 address";
			return -1;
		}
		memcpy(host, t->s, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host,
		    &((struct sockaddr_in *)ss)->sin_addr) != 1) {
			*why = "bad IPv4 address (numeric addresses only)";
			return -1;
		}
		ss->ss_family = AF_INET;
		*sslen = sizeof(struct sockaddr_in);
	}
	pl = t->len - (size_t)(port - t->s);
	if (compat_parse_uint(port, pl, 65535, &pn) == -1 || pn == 0) {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)pn);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)pn);
	return 0;
}

/*
 * The text of a listen address as config_word_sockaddr read it, whatever
 * the case and zeros it was written with: "127.0.0.1:13", "[fd00::1]:13"
 * (the IPv6 text of records and netblocks). -1 when len is too small.
 */
int
config_word_sockaddr_text(const struct sockaddr_storage *ss, char *buf,
    size_t len)
{
	char t[1 + COMPAT_IP6_CHARS + 2 + COMPAT_UINT_DIGITS];
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	const unsigned char *q;
	size_t n = 0;
	int i;
	unsigned port;

	if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		t[n++] = '[';
		n += compat_fmt_ip6(t + n, sin6->sin6_addr.s6_addr);
		t[n++] = ']';
		port = ntohs(sin6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)ss;
		q = (const unsigned char *)&sin->sin_addr;
		for (i = 0; i < 4; i++) {
			if (i > 0)
				t[n++] = '.';
			n += compat_fmt_uint(t + n, q[i]);
		}
		port = ntohs(sin->sin_port);
	} else
		return -1;
	t[n++] = ':';
	n += compat_fmt_uint(t + n, port);
	if (n >= len)
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 0;
}
