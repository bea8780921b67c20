/* SPDX-License-Identifier: ISC */
/*
 * fuzz_netblock: acl_prefix_parse on arbitrary bytes. What parses must
 * format to text that parses back to the same prefix without warnings and
 * formats the same again; and a table built from it must find it.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_check_table(const struct acl_prefix *);

/* Parse, format, re-parse, compare; abort on any disagreement. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acl_prefix p, q;
	struct acl_addr a;
	char text[ACL_PREFIX_STRLEN], again[ACL_PREFIX_STRLEN];
	const char *err = NULL;
	int warn, warn2;

	if (acl_prefix_parse((const char *)data, size, &p, &warn, &err) == -1) {
		if (err == NULL || warn != 0)
			abort();
		/*
		 * Text our front end passes and libcidr refuses or reads
		 * otherwise: one of the two is wrong, and we want to know.
		 */
		if (strstr(err, "libcidr") != NULL)
			abort();
		return 0;
	}
	if (err != NULL || (warn & ~(ACL_WARN_HOSTBITS | ACL_WARN_MAPPED)) != 0)
		abort();
	if (p.addr.family == AF_INET ? p.plen > 32 : p.plen > 128)
		abort();
	if (acl_prefix_format(&p, text, sizeof(text)) == -1)
		abort();
	if (acl_prefix_parse(text, strlen(text), &q, &warn2, &err) == -1)
		abort();
	if (warn2 != 0 || q.addr.family != p.addr.family || q.plen != p.plen ||
	    memcmp(q.addr.bytes, p.addr.bytes, sizeof(p.addr.bytes)) != 0)
		abort();
	if (acl_prefix_format(&q, again, sizeof(again)) == -1 ||
	    strcmp(text, again) != 0)
		abort();
	/* The address alone, as `daytimed -e` would take it. */
	if (acl_addr_format(&p.addr, text, sizeof(text)) == -1 ||
	    acl_addr_parse(text, strlen(text), &a, &err) == -1 ||
	    a.family != p.addr.family ||
	    memcmp(a.bytes, p.addr.bytes, sizeof(a.bytes)) != 0)
		abort();
	fuzz_check_table(&p);
	return 0;
}

/* A one-rule table holds the prefix's own network address. */
static void
fuzz_check_table(const struct acl_prefix *p)
{
	struct acl_build *b;
	struct acl_rule r;
	struct acl_decision d;
	struct acl *t;

	memset(&r, 0, sizeof(r));
	r.action = ACL_ALLOW;
	r.net = *p;
	r.file = "fuzz";
	r.line = 1;
	if ((b = acl_build_new()) == NULL)
		abort();
	if (acl_build_add(b, &r) == -1)
		abort();
	if ((t = acl_build_finish(b, NULL, NULL)) == NULL)
		abort();
	acl_decide(acl_lookup(t, &p->addr), NULL, 0, &d);
	if (!d.matched || d.action != ACL_ALLOW || d.line != 1 ||
	    d.net.plen != p->plen ||
	    memcmp(d.net.addr.bytes, p->addr.bytes, 16) != 0)
		abort();
	acl_free(t);
}
