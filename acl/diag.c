/* SPDX-License-Identifier: ISC */
/*
 * diag: the text of the diagnostics of building a table (`daytimed -t`):
 * conflicts, duplicates, spoofable user rules, netblocks that can never
 * decide. User names and file names are untrusted bytes: they enter a
 * message only through acl_str_esc, which is record_escape_show.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/build.h"
#include "acl/netblock.h"
#include "audit/record.h"

/* A growing message. */
struct acl_str {
	char		*p;
	size_t		 len, cap;
	int		 oom;
};

static int	acl_bdiag_cmp(const void *, const void *);
static void	acl_report(const struct acl_build *, const struct acl_bdiag *,
		    acl_diag_fn *, void *, struct acl_str *);
static void	acl_str_add(struct acl_str *, const char *, size_t);
static void	acl_str_cstr(struct acl_str *, const char *);
static void	acl_str_esc(struct acl_str *, const unsigned char *, size_t);
static void	acl_str_uint(struct acl_str *, unsigned);
static void	acl_str_net(struct acl_str *, const struct acl_brule *);
static void	acl_str_where(struct acl_str *, const struct acl_build *,
		    const struct acl_brule *);
static int	acl_holds_mapped(const struct acl_brule *);

/* Sort the diagnostics into the order the rules came, and report each. */
int
acl_diag_report(const struct acl_build *b, struct acl_bdiag *d, size_t nd,
    acl_diag_fn *diag, void *arg)
{
	struct acl_str msg = { NULL, 0, 0, 0 };
	size_t i;

	if (diag == NULL)
		return 0;
	if (nd > 1)
		qsort(d, nd, sizeof(*d), acl_bdiag_cmp);
	for (i = 0; i < nd && !msg.oom; i++)
		acl_report(b, &d[i], diag, arg, &msg);
	free(msg.p);
	return msg.oom ? -1 : 0;
}

/* Diagnostics in the order the rules were added. */
static int
acl_bdiag_cmp(const void *va, const void *vb)
{
	const struct acl_bdiag *a = va, *b = vb;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->kind < b->kind ? -1 : a->kind > b->kind;
}

/* Format and hand one diagnostic to diag. */
static void
acl_report(const struct acl_build *b, const struct acl_bdiag *d,
    acl_diag_fn *diag, void *arg, struct acl_str *m)
{
	const struct acl_brule *r = &b->rules[d->rule];
	const struct acl_brule *o = &b->rules[d->other];
	static const char *const act[] = { "deny", "allow" };

	m->len = 0;
	switch (d->kind) {
	case ACL_DIAG_CONFLICT:
		acl_str_cstr(m, "conflicting rules for ");
		acl_str_net(m, r);
		if (r->has_user) {
			acl_str_cstr(m, " user ");
			acl_str_esc(m, r->user.p, r->userlen);
		}
		acl_str_cstr(m, ": ");
		acl_str_cstr(m, act[o->action]);
		acl_str_cstr(m, " at ");
		acl_str_where(m, b, o);
		acl_str_cstr(m, ", ");
		acl_str_cstr(m, act[r->action]);
		acl_str_cstr(m, " at ");
		acl_str_where(m, b, r);
		break;
	case ACL_DIAG_DUPLICATE:
		acl_str_cstr(m, "duplicate of ");
		acl_str_where(m, b, o);
		break;
	case ACL_DIAG_SPOOF:
		acl_str_cstr(m, "allow by ident user '");
		acl_str_esc(m, r->user.p, r->userlen);
		acl_str_cstr(m, "' can be spoofed by anyone who controls the "
		    "client host");
		break;
	case ACL_DIAG_SHADOWED:
		acl_str_cstr(m, "rule for ");
		acl_str_net(m, r);
		acl_str_cstr(m, " can never decide: more specific netblocks "
		    "with rules cover every address in it");
		if (acl_holds_mapped(r))
			acl_str_cstr(m, " but the IPv4-mapped ones, which "
			    "IPv4 rules judge");
		break;
	}
	acl_str_add(m, "", 1);
	if (m->oom)
		return;
	diag(arg, d->kind == ACL_DIAG_CONFLICT, b->files[r->file], r->line,
	    m->p);
}

/* Whether the rule's netblock holds ::ffff:0:0/96, the IPv4-mapped ones. */
static int
acl_holds_mapped(const struct acl_brule *r)
{
	uint8_t k[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	int w = 0;

	if (!r->v6 || r->plen > 96)
		return 0;
	acl_clear_host(k, r->plen, sizeof(k), &w);
	return memcmp(k, r->bytes, sizeof(k)) == 0;
}


static void
acl_str_add(struct acl_str *m, const char *s, size_t len)
{
	char *np;
	size_t cap;

	if (m->oom)
		return;
	if (m->cap - m->len < len) {
		cap = m->cap == 0 ? 256 : m->cap;
		while (cap - m->len < len) {
			if (cap > SIZE_MAX / 2) {
				m->oom = 1;
				return;
			}
			cap *= 2;
		}
		if ((np = realloc(m->p, cap)) == NULL) {
			m->oom = 1;
			return;
		}
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, s, len);
	m->len += len;
}

/* Append a C string of our own. */
static void
acl_str_cstr(struct acl_str *m, const char *s)
{
	acl_str_add(m, s, strlen(s));
}

/* Append untrusted bytes through the project's one escaper (record.h). */
static void
acl_str_esc(struct acl_str *m, const unsigned char *s, size_t len)
{
	char buf[256];
	size_t n, used;

	while (len > 0) {
		n = record_escape_show(buf, sizeof(buf), s, len, &used);
		acl_str_add(m, buf, n);
		s += used;
		len -= used;
	}
}

/* Append a number. */
static void
acl_str_uint(struct acl_str *m, unsigned v)
{
	char buf[16];
	int r;

	r = snprintf(buf, sizeof(buf), "%u", v);
	if (r < 0 || (size_t)r >= sizeof(buf)) {
		m->oom = 1;
		return;
	}
	acl_str_add(m, buf, (size_t)r);
}

/* Append a rule's netblock. */
static void
acl_str_net(struct acl_str *m, const struct acl_brule *r)
{
	struct acl_prefix p;
	char buf[ACL_PREFIX_STRLEN];

	memset(&p, 0, sizeof(p));
	p.addr.family = r->v6 ? AF_INET6 : AF_INET;
	memcpy(p.addr.bytes, r->bytes, 16);
	p.plen = r->plen;
	if (acl_prefix_format(&p, buf, sizeof(buf)) == -1) {
		m->oom = 1;
		return;
	}
	acl_str_cstr(m, buf);
}

/* Append a rule's FILE:LINE, the file name escaped. */
static void
acl_str_where(struct acl_str *m, const struct acl_build *b,
    const struct acl_brule *r)
{
	const char *f = b->files[r->file];

	acl_str_esc(m, (const unsigned char *)f, strlen(f));
	acl_str_add(m, ":", 1);
	acl_str_uint(m, r->line);
}
