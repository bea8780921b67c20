/* SPDX-License-Identifier: ISC */
/*
 * config_set: the handlers of the directive table that set struct config
 * (listen, allow/deny into the rule build, strings, numbers, facility,
 * ident mode, durations). Each runs after the dispatcher checked what
 * the row declares; it checks the rest and reports with FILE:LINE.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "audit/record.h"
#include "daemon/config.h"
#include "daemon/config_parse.h"
#include "daemon/config_set.h"
#include "daemon/config_word.h"

/* ident mode's words, in enum ident_mode order. */
static const char *const config_set_modes[] = {
	"always", "rules", "off", NULL
};

/* listen tcp|udp ADDRESS:PORT [proxy] */
void
config_set_listen(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	struct config *conf = p->conf;
	struct config_listen *cl;
	const struct config_token *arg = l->arg;
	const char *why = NULL;
	char show[80], addr[CONFIG_LISTEN_ADDR_MAX];
	size_t i;
	int proto;

	if (config_word_eq(&arg[0], "tcp"))
		proto = SOCK_STREAM;
	else if (config_word_eq(&arg[0], "udp"))
		proto = SOCK_DGRAM;
	else {
		config_word_show(&arg[0], show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "listen: protocol must be tcp or udp, not '%s'", show);
		return;
	}
	if (l->narg == 3 && !config_word_eq(&arg[2], "proxy")) {
		config_parse_usage(p, d, l);
		return;
	}
	if (l->narg == 3 && proto != SOCK_STREAM) {
		config_parse_report(p, 1, l->file, l->line,
		    "listen: only a tcp listener can take a PROXY header");
		return;
	}
	if (conf->nlistens == CONFIG_LISTEN_MAX) {
		config_parse_report(p, 1, l->file, l->line,
		    "too many listen lines (at most %d)", CONFIG_LISTEN_MAX);
		return;
	}
	cl = &conf->listens[conf->nlistens];
	if (config_word_sockaddr(&arg[1], &cl->ss, &cl->sslen, &why) == -1) {
		config_word_show(&arg[1], show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line, "listen: %s: '%s'",
		    why, show);
		return;
	}
	for (i = 0; i < conf->nlistens; i++)
		if (conf->listens[i].proto == proto &&
		    conf->listens[i].sslen == cl->sslen &&
		    memcmp(&conf->listens[i].ss, &cl->ss, cl->sslen) == 0) {
			config_parse_report(p, 1, l->file, l->line,
			    "listen: duplicate of %s:%u", p->listen_file[i],
			    conf->listens[i].line);
			return;
		}
	cl->proto = proto;
	cl->line = l->line;
	cl->proxy = l->narg == 3;
	p->listen_file[conf->nlistens] = l->file;
	/* the address as it was read, not as written: one text for one */
	if (config_word_sockaddr_text(&cl->ss, addr, sizeof(addr)) == -1 ||
	    (size_t)snprintf(cl->text, sizeof(cl->text), "%s %s",
	    proto == SOCK_STREAM ? "tcp" : "udp", addr) >= sizeof(cl->text)) {
		config_parse_report(p, 1, l->file, l->line,
		    "listen: address too long");
		return;
	}
	conf->nlistens++;
}

/*
 * A NETBLOCK word of line l: 0 and *net, with a warning for host bits or
 * an IPv4-mapped netblock; -1 after reporting an error. A bad word of a
 * list file's line is shown only if it could be a netblock: nothing
 * before it says that the file is a list.
 */
int
config_set_netblock(struct config_parse *p, const struct config_line *l,
    const struct config_token *word, struct acl_prefix *net)
{
	const char *errstr = NULL;
	char show[80], text[ACL_PREFIX_STRLEN];
	int warn = 0;

	if (acl_prefix_parse(word->s, word->len, net, &warn, &errstr) == -1) {
		if (l->listed && !config_word_is_netblock(word)) {
			config_parse_report(p, 1, l->file, l->line,
			    "bad netblock (a word of %zu bytes that is not a "
			    "netblock; not shown)", word->len);
			return -1;
		}
		config_word_show(word, show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "bad netblock '%s': %s", show,
		    errstr != NULL ? errstr : "invalid");
		return -1;
	}
	if (warn != 0 && acl_prefix_format(net, text, sizeof(text)) != -1) {
		config_word_show(word, show, sizeof(show));
		if (warn & ACL_WARN_MAPPED)
			config_parse_report(p, 0, l->file, l->line,
			    "IPv4-mapped netblock '%s' is read as %s", show,
			    text);
		if (warn & ACL_WARN_HOSTBITS)
			config_parse_report(p, 0, l->file, l->line,
			    "host bits set in '%s': read as %s", show, text);
	}
	return 0;
}

/* Add rule r, stated on line l, to the build: -1 after reporting why not. */
int
config_set_add(struct config_parse *p, const struct config_line *l,
    struct acl_rule *r)
{
	if (p->nrules >= CONFIG_RULES_MAX) {
		config_parse_report(p, 1, l->file, l->line,
		    "too many rules (at most %u)", CONFIG_RULES_MAX);
		return -1;
	}
	r->file = l->file;
	r->line = l->line;
	if (acl_build_add(p->build, r) == -1) {
		config_parse_report(p, 1, l->file, l->line, "out of memory");
		return -1;
	}
	p->nrules++;
	return 0;
}

/*
 * A rule's user name with a byte outside printable ASCII (a no-break
 * space, a bidi override, a C1 control) looks like another name in a
 * terminal, and an ident answer must match it byte for byte: a warning
 * that shows every byte.
 */
static void
config_set_odd_user(struct config_parse *p, const struct config_line *l,
    const struct config_token *w)
{
	char show[4 * ACL_USER_MAX + 1];
	size_t i, n;

	for (i = 0; i < w->len; i++)
		if ((unsigned char)w->s[i] < 0x20 ||
		    (unsigned char)w->s[i] >= 0x7f)
			break;
	if (i == w->len)
		return;
	n = record_escape_show(show, sizeof(show) - 1, w->s, w->len, NULL);
	show[n] = '\0';
	config_parse_report(p, 0, l->file, l->line, "user name '%s' holds "
	    "bytes outside printable ASCII: an ident answer must match them "
	    "byte for byte", show);
}

/* allow|deny NETBLOCK [user NAME]: one rule into the build. */
void
config_set_rule(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	const struct config_token *arg = l->arg;
	struct acl_rule r;

	memset(&r, 0, sizeof(r));
	r.action = (enum acl_action)d->value;
	if (l->narg != 1 && !(l->narg == 3 &&
	    config_word_eq(&arg[1], "user"))) {
		config_parse_usage(p, d, l);
		return;
	}
	if (config_set_netblock(p, l, &arg[0], &r.net) == -1)
		return;
	if (l->narg == 3 && !config_word_eq(&arg[2], "*")) {
		if (arg[2].len > ACL_USER_MAX) {
			config_parse_report(p, 1, l->file, l->line,
			    "user name too long (%zu bytes, at most %d)",
			    arg[2].len, ACL_USER_MAX);
			return;
		}
		r.has_user = 1;
		r.user = (const unsigned char *)arg[2].s;
		r.userlen = arg[2].len;
		config_set_odd_user(p, l, &arg[2]);
		if (p->nuser_rules++ == 0) {
			p->first_user_file = l->file;
			p->first_user_line = l->line;
		}
	}
	(void)config_set_add(p, l, &r);
}

/* A string setting: user, group, chroot, pidfile, ... */
void
config_set_string(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	char **dst = (char **)(void *)((char *)p->conf + d->field);
	char name[CONFIG_NAME_MAX], show[80];

	if ((d->flags & CONFIG_ABSOLUTE) && l->arg[0].s[0] != '/') {
		config_parse_name(d, name, sizeof(name));
		config_word_show(&l->arg[0], show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "%s: an absolute path is needed, not '%s'", name, show);
		return;
	}
	free(*dst);
	if ((*dst = config_word_dup(&l->arg[0])) == NULL)
		config_parse_report(p, 1, l->file, l->line, "out of memory");
}

/* Numbers (the row's, one or more), already checked against its bounds. */
void
config_set_uint(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	unsigned *dst = (unsigned *)(void *)((char *)p->conf + d->field);
	size_t i;

	for (i = 0; i < d->nnum || i == 0; i++)
		dst[i] = (unsigned)l->num[i];
}

/* syslog facility NAME, syslog audit-facility NAME: an int at d->field. */
void
config_set_facility(struct config_parse *p,
    const struct config_directive *d, const struct config_line *l)
{
	const struct config_token *arg = &l->arg[0];
	int *dst = (int *)(void *)((char *)p->conf + d->field);
	char name[16], key[CONFIG_NAME_MAX], show[80];
	int f = -1;

	if (arg->len < sizeof(name)) {
		memcpy(name, arg->s, arg->len);
		name[arg->len] = '\0';
		f = config_facility(name);
	}
	if (f == -1) {
		config_parse_name(d, key, sizeof(key));
		config_word_show(arg, show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "unknown %s '%s' (daemon, auth, authpriv, local0 ... "
		    "local7)", key, show);
	} else
		*dst = f;
}

/* ident mode always|rules|off */
void
config_set_ident_mode(struct config_parse *p,
    const struct config_directive *d, const struct config_line *l)
{
	char show[80];
	size_t i;

	(void)d;
	for (i = 0; config_set_modes[i] != NULL; i++)
		if (config_word_eq(&l->arg[0], config_set_modes[i])) {
			p->conf->ident_mode = (enum ident_mode)i;
			return;
		}
	config_word_show(&l->arg[0], show, sizeof(show));
	config_parse_report(p, 1, l->file, l->line,
	    "ident mode must be always, rules or off, not '%s'", show);
}

/* A duration setting, SECONDS: ident timeout. */
void
config_set_seconds(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	struct timeval *dst = (struct timeval *)(void *)((char *)p->conf +
	    d->field);
	char name[CONFIG_NAME_MAX], show[80];

	if (config_word_seconds(&l->arg[0], dst) == -1) {
		config_parse_name(d, name, sizeof(name));
		config_word_show(&l->arg[0], show, sizeof(show));
		config_parse_report(p, 1, l->file, l->line,
		    "%s must be from 0.001 to 300 seconds (up to 6 decimals), "
		    "not '%s'", name, show);
	}
}

/* One of the row's choices (already checked): its index at d->field. */
void
config_set_choice(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	int *dst = (int *)(void *)((char *)p->conf + d->field);
	int i;

	for (i = 0; d->choices[i] != NULL; i++)
		if (config_word_eq(&l->arg[0], d->choices[i]))
			*dst = i;
}

/* proxy NETBLOCK: one more proxy trusted to send a PROXY header. */
void
config_set_proxy(struct config_parse *p, const struct config_directive *d,
    const struct config_line *l)
{
	struct config *conf = p->conf;
	struct acl_prefix net, *n;
	struct config_seen *seen;
	char show[80];
	size_t i;

	(void)d;
	if (config_set_netblock(p, l, &l->arg[0], &net) == -1)
		return;
	for (i = 0; i < conf->nproxies; i++)
		if (conf->proxies[i].plen == net.plen &&
		    memcmp(&conf->proxies[i].addr, &net.addr,
		    sizeof(net.addr)) == 0) {
			config_word_show(&l->arg[0], show, sizeof(show));
			config_parse_report(p, 0, l->file, l->line,
			    "duplicate proxy netblock '%s'", show);
			return;
		}
	if (conf->nproxies == CONFIG_PROXY_MAX) {
		config_parse_report(p, 1, l->file, l->line,
		    "too many proxy lines (at most %d)", CONFIG_PROXY_MAX);
		return;
	}
	if ((n = reallocarray(conf->proxies, conf->nproxies + 1,
	    sizeof(*n))) != NULL)
		conf->proxies = n;
	if ((seen = reallocarray(conf->proxy_seen, conf->nproxies + 1,
	    sizeof(*seen))) != NULL)
		conf->proxy_seen = seen;
	if (n == NULL || seen == NULL) {
		config_parse_report(p, 1, l->file, l->line, "out of memory");
		return;
	}
	seen[conf->nproxies].file = l->file;
	seen[conf->nproxies].line = l->line;
	n[conf->nproxies++] = net;
}
