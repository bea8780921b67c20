/* SPDX-License-Identifier: ISC */
/*
 * explain: daytimed -e ADDR [USER] and -e -. The peer is judged exactly
 * as the daemon judges a TCP connection: the most specific netblock, then
 * the decision inside it with the ident answer, when one would be asked
 * for (under "ident mode off" a USER is never looked up, so the decision
 * is the one without it, and a warning says so, once). A peer through a
 * `proxy` listener is judged by the header's address, as here, but never
 * looked up: when every TCP listener is one, no peer is, as under "ident
 * mode off". With -i the peer is judged as inetd mode judges a plain
 * socket, which ignores the listen lines.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <net/if.h>

#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "audit/record.h"
#include "daemon/config.h"
#include "daemon/explain.h"

static int	explain_parse(const char *, size_t, struct acl_addr *,
		    const char **);
static enum explain_status explain_decide(const struct config *, int,
		    const struct acl_addr *, const unsigned char *, size_t,
		    struct explain_warned *, FILE *, FILE *);

/*
 * acl_addr_parse, after dropping an IPv6 address's %ZONE: records print
 * a link-local peer as [fe80::1%3]:PORT, and the daemon judges it as
 * fe80::1 (the rules have no scope), so a replayed peer= must be too.
 * Only a zone of sane characters that an interface name could hold is
 * dropped; anything else is left for the parser to refuse.
 */
static int
explain_parse(const char *s, size_t len, struct acl_addr *a,
    const char **why)
{
	const char *pct = memchr(s, '%', len);
	size_t i, alen, zlen;
	int sane = pct != NULL;
	char c;

	if (sane) {
		alen = (size_t)(pct - s);
		zlen = len - alen - 1;
		sane = memchr(s, ':', alen) != NULL && zlen > 0 &&
		    zlen < IF_NAMESIZE;
		for (i = 0; sane && i < zlen; i++) {
			c = pct[1 + i];
			sane = (c >= '0' && c <= '9') || (c >= 'a' &&
			    c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
			    c == '-' || c == '_';
		}
		if (sane)
			len = alen;
	}
	return acl_addr_parse(s, len, a, why);
}

/*
 * Judge the address a with the ident answer user, and print the line.
 * inetd: as -i judges a plain socket, which ignores the listen lines, so
 * proxy-only listen lines do not stop its lookup.
 */
static enum explain_status
explain_decide(const struct config *conf, int inetd, const struct acl_addr *a,
    const unsigned char *user, size_t userlen, struct explain_warned *w,
    FILE *out, FILE *err)
{
	const struct acl_block *b = acl_lookup(conf->acl, a);
	struct acl_decision d;
	char net[ACL_PREFIX_STRLEN], rule[RECORD_RULE_LEN];
	/* as -t's warning on user rules: no plain tcp listener, no lookup */
	int lookup, proxied = !inetd && conf->nlistens > 0 &&
	    !config_looks_up(conf);

	lookup = b != NULL && !proxied &&
	    (conf->ident_mode == IDENT_MODE_ALWAYS ||
	    (conf->ident_mode == IDENT_MODE_RULES &&
	    acl_block_has_user_rules(b)));
	if (user != NULL && (conf->ident_mode == IDENT_MODE_OFF || proxied)) {
		if (!w->user_unused)
			fprintf(err, "daytimed: warning: %s: a USER is never "
			    "looked up, so peers are judged without one\n",
			    proxied ? "no tcp listener looks up ident "
			    "(proxied peers and UDP get no lookup)" :
			    "ident mode off");
		w->user_unused = 1;
		user = NULL;
		userlen = 0;
	}
	acl_decide(b, user, userlen, &d);
	if (!d.matched || acl_prefix_format(&d.net, net, sizeof(net)) == -1)
		snprintf(net, sizeof(net), "none");
	/* FILE:LINE as a record's rule= shows it, by the record's code. */
	(void)record_rule(rule, sizeof(rule), d.file, d.line);
	fprintf(out, "%s rule=%s netblock=%s ident=%s\n",
	    d.action == ACL_ALLOW ? "allow" : "deny", rule, net,
	    lookup ? "lookup" : "none");
	return d.action == ACL_ALLOW ? EXPLAIN_ALLOW : EXPLAIN_DENY;
}

/* Why an address was refused: "not an IPv4 or IPv6 address (WHY)". */
static const char *
explain_why(const char *why, char *buf, size_t len)
{
	static const char not[] = "not an IPv4 or IPv6 address";

	if (why == NULL || strcmp(why, not) == 0)
		return not;
	snprintf(buf, len, "%s (%s)", not, why);
	return buf;
}

/* -e ADDR [USER]: a bad address is a usage error, said on err. */
enum explain_status
explain_one(const struct config *conf, int inetd, const char *addr,
    size_t addrlen, const unsigned char *user, size_t userlen,
    struct explain_warned *w, FILE *out, FILE *err)
{
	struct acl_addr a;
	const char *why = NULL;
	char show[128], reason[128];
	size_t n;

	if (explain_parse(addr, addrlen, &a, &why) == -1) {
		n = record_escape(show, sizeof(show), addr, addrlen);
		show[n] = '\0';
		fprintf(err, "daytimed: -e %s: %s\n", show,
		    explain_why(why, reason, sizeof(reason)));
		return EXPLAIN_ERROR;
	}
	return explain_decide(conf, inetd, &a, user, userlen, w, out, err);
}

/*
 * Read one line of in into buf (at most EXPLAIN_LINE_MAX bytes kept,
 * the newline and a CR before it dropped): its length, -1 at the end,
 * or -2 for a line that was too long (read to its end all the same).
 */
static long
explain_getline(FILE *in, char *buf)
{
	size_t n = 0;
	int c, over = 0;

	while ((c = getc(in)) != EOF && c != '\n') {
		if (n < EXPLAIN_LINE_MAX)
			buf[n++] = (char)c;
		else
			over = 1;
	}
	if (c == EOF && n == 0 && !over)
		return -1;
	if (over)
		return -2;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return (long)n;
}

/* The words of a line: at most want + 1 are found (more is an error). */
static size_t
explain_words(const char *s, size_t len, const char **w, size_t *wl,
    size_t want)
{
	size_t i = 0, n = 0;

	while (n <= want) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		w[n] = s + i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		wl[n] = (size_t)(s + i - w[n]);
		n++;
	}
	return n;
}

/* -e -: one query a line, one line out each, in order. */
enum explain_status
explain_stream(const struct config *conf, int inetd, FILE *in, FILE *out,
    FILE *err)
{
	struct explain_warned w = { 0 };
	enum explain_status worst = EXPLAIN_ALLOW, st;
	char buf[EXPLAIN_LINE_MAX], show[160], reason[128];
	const char *word[3];
	size_t wl[3], nw, sl;
	unsigned long lineno = 0;
	struct acl_addr a;
	const char *why;
	long len;

	while ((len = explain_getline(in, buf)) != -1) {
		lineno++;
		nw = len < 0 ? 0 : explain_words(buf, (size_t)len, word, wl, 2);
		why = NULL;
		if (len == -2)
			why = "line too long";
		else if (nw == 0)
			why = "empty line (want ADDR [USER])";
		else if (nw > 2)
			why = "more words than ADDR [USER]";
		else if (explain_parse(word[0], wl[0], &a, &why) == -1) {
			sl = record_escape(show, sizeof(show), word[0], wl[0]);
			show[sl] = '\0';
			fprintf(out, "error line=%lu: %s: %s\n", lineno, show,
			    explain_why(why, reason, sizeof(reason)));
			worst = EXPLAIN_ERROR;
			continue;
		}
		if (why != NULL) {
			fprintf(out, "error line=%lu: %s\n", lineno, why);
			worst = EXPLAIN_ERROR;
			continue;
		}
		st = explain_decide(conf, inetd, &a, nw == 2 ?
		    (const unsigned char *)word[1] : NULL, nw == 2 ? wl[1] : 0,
		    &w, out, err);
		if (st > worst)
			worst = st;
	}
	if (ferror(in)) {
		fprintf(err, "daytimed: -e -: reading standard input failed\n");
		worst = EXPLAIN_ERROR;
	}
	return worst;
}
