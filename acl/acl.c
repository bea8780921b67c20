/* SPDX-License-Identifier: ISC */
/*
 * acl: netblock text, building the rule table, lookup and decision.
 *
 * Building: rules are appended to one array (user names in one byte arena,
 * file names interned), then sorted once by (family, netblock, user, order
 * of addition). Duplicates and conflicts are then neighbours, so one linear
 * scan finds them, and the same scan lays out the blocks and their sorted
 * user rules: O(n log n) time and memory proportional to the rules.
 *
 * "Can never decide": by rule 3 of the contract only the most specific
 * netblock holding the peer is consulted, so a netblock decides for a peer
 * exactly when no strictly more specific netblock with a rule holds that
 * peer. A netblock every address of which lies in strictly more specific
 * netblocks with rules (e.g. both halves at plen+1, or the halves of the
 * halves, in any mix) therefore never decides, and each of its rules gets a
 * warning. The check is exact (trie_covered) and linear over the table.
 * Inside a netblock that does decide, every rule can decide: a `user` rule
 * for the peer whose ident answer names that user, the `*` rule for any
 * other answer; so nothing else is reported as dead.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcidr.h>

#include "acl/acl.h"
#include "acl/trie.h"

#define ACL_TEXT_MAX	64	/* longest netblock text accepted */
#define ACL_V6TEXT_MAX	45	/* longest IPv6 address text (RFC 4291) */
#define ACL_CIDR_PAD	32	/* zero bytes before the text for libcidr */

/* One rule while building; the user and file are referred to by index. */
struct acl_brule {
	uint8_t		bytes[16];
	uint8_t		v6;
	uint8_t		plen;
	uint8_t		action;
	uint8_t		has_user;
	uint32_t	file;
	unsigned	line;
	uint32_t	userlen;
	union {
		size_t		     off;	/* while adding: arena moves */
		const unsigned char *p;		/* once finishing */
	}		user;
	size_t		seq;
};

/* A diagnostic to report once all are known, in the order rules came. */
enum acl_diag_kind {
	ACL_DIAG_CONFLICT,
	ACL_DIAG_DUPLICATE,
	ACL_DIAG_SPOOF,
	ACL_DIAG_SHADOWED
};

struct acl_bdiag {
	size_t		seq;
	size_t		rule;		/* index in the sorted rules */
	size_t		other;		/* the earlier rule, if any */
	enum acl_diag_kind kind;
};

struct acl_build {
	struct acl_brule *rules;
	size_t		  nrules, caprules;
	unsigned char	 *arena;
	size_t		  narena, caparena;
	char		**files;
	size_t		  nfiles, capfiles;
	uint32_t	 *fhash;		/* file index + 1; 0: empty */
	size_t		  capfhash;
	uint32_t	  lastfile;
	int		  failed;
};

struct acl_urule {
	const unsigned char *user;
	size_t		  userlen;
	enum acl_action	  action;
	const char	 *file;
	unsigned	  line;
};

struct acl_block {
	struct acl_prefix net;
	int		  has_star;
	enum acl_action	  star_action;
	const char	 *star_file;
	unsigned	  star_line;
	size_t		  nusers;
	const struct acl_urule *users;	/* sorted: memcmp, then length */
};

struct acl {
	atomic_uint	  refs;
	struct trie	  t4, t6;
	struct acl_block *blocks;
	size_t		  nblocks;
	struct acl_urule *urules;
	unsigned char	 *arena;
	char		**files;
	size_t		  nfiles;
	struct acl_stats  stats;
};

/* A growing message; untrusted bytes enter it only through acl_str_esc. */
struct acl_str {
	char		*p;
	size_t		 len, cap;
	int		 oom;
};

static int	acl_parse_v4(const char *, size_t, uint8_t *, const char **);
static int	acl_parse_v6(const char *, size_t, uint8_t *, const char **);
static int	acl_parse_plen(const char *, size_t, unsigned *, const char **);
static int	acl_cidr_agrees(const char *, size_t, int, const uint8_t *,
		    unsigned, const char **);
static void	acl_clear_host(uint8_t *, unsigned, unsigned, int *);
static int	acl_is_mapped(const uint8_t *);
static int	acl_format_v6(const uint8_t *, char *, size_t);
static int	acl_intern(struct acl_build *, const char *, uint32_t *);
static uint64_t	acl_hash(const char *);
static int	acl_brule_cmp(const void *, const void *);
static int	acl_same_block(const struct acl_brule *,
		    const struct acl_brule *);
static int	acl_same_user(const struct acl_brule *,
		    const struct acl_brule *);
static int	acl_bdiag_cmp(const void *, const void *);
static int	acl_bdiag_add(struct acl_bdiag **, size_t *, size_t *, size_t,
		    size_t, size_t, enum acl_diag_kind);
static void	acl_report(struct acl_build *, struct acl *,
		    const struct acl_bdiag *, acl_diag_fn *, void *,
		    struct acl_str *);
static void	acl_str_add(struct acl_str *, const char *, size_t);
static void	acl_str_cstr(struct acl_str *, const char *);
static void	acl_str_esc(struct acl_str *, const unsigned char *, size_t);
static void	acl_str_uint(struct acl_str *, unsigned);
static void	acl_str_net(struct acl_str *, const struct acl_brule *);
static void	acl_str_where(struct acl_str *, const struct acl *,
		    const struct acl_brule *);
static int	acl_user_cmp(const unsigned char *, size_t,
		    const unsigned char *, size_t);
static void	acl_free(struct acl *);

/* Parse NETBLOCK text: the strict front end, then libcidr, then checks. */
int
acl_prefix_parse(const char *s, size_t len, struct acl_prefix *out,
    int *warn, const char **errstr)
{
	const char *slash, *err = NULL;
	uint8_t bytes[16];
	size_t alen;
	unsigned plen, max;
	int v6, w = 0;

	if (warn != NULL)
		*warn = 0;
	if (errstr == NULL)
		errstr = &err;
	*errstr = NULL;
	if (s == NULL || len == 0) {
		*errstr = "empty netblock";
		return -1;
	}
	if (len > ACL_TEXT_MAX) {
		*errstr = "netblock text too long";
		return -1;
	}
	if (memchr(s, '\0', len) != NULL) {
		*errstr = "NUL byte in netblock";
		return -1;
	}
	slash = memchr(s, '/', len);
	alen = slash != NULL ? (size_t)(slash - s) : len;
	if (alen == 0) {
		*errstr = "missing address before the prefix length";
		return -1;
	}
	v6 = memchr(s, ':', alen) != NULL;
	memset(bytes, 0, sizeof(bytes));
	if (v6 ? acl_parse_v6(s, alen, bytes, errstr) == -1 :
	    acl_parse_v4(s, alen, bytes, errstr) == -1)
		return -1;
	max = v6 ? 128 : 32;
	plen = max;
	if (slash != NULL &&
	    acl_parse_plen(slash + 1, len - alen - 1, &plen, errstr) == -1)
		return -1;
	if (plen > max) {
		*errstr = "prefix length out of range";
		return -1;
	}
	if (acl_cidr_agrees(s, len, v6, bytes, plen, errstr) == -1)
		return -1;
	if (v6 && acl_is_mapped(bytes)) {
		if (plen < 96) {
			*errstr = "IPv4-mapped netblock shorter than /96";
			return -1;
		}
		memmove(bytes, bytes + 12, 4);
		memset(bytes + 4, 0, 12);
		plen -= 96;
		v6 = 0;
		w |= ACL_WARN_MAPPED;
	}
	acl_clear_host(bytes, plen, v6 ? 16 : 4, &w);
	memset(out, 0, sizeof(*out));
	out->addr.family = v6 ? AF_INET6 : AF_INET;
	memcpy(out->addr.bytes, bytes, sizeof(out->addr.bytes));
	out->plen = plen;
	if (warn != NULL)
		*warn = w;
	return 0;
}

/* Four decimal octets 0-255, no leading zeros, nothing else. */
static int
acl_parse_v4(const char *s, size_t len, uint8_t *out, const char **errstr)
{
	size_t i = 0, start;
	unsigned octets = 0, v;

	if (len == 0 || s[0] < '0' || s[0] > '9') {
		*errstr = "not an IPv4 or IPv6 address";
		return -1;
	}
	for (;;) {
		start = i;
		v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start) {
			*errstr = i < len && s[i] != '.' ?
			    "invalid character in IPv4 address" :
			    "empty IPv4 octet";
			return -1;
		}
		if (i < len && (s[i] == 'x' || s[i] == 'X') && i - start == 1 &&
		    s[start] == '0') {
			*errstr = "hexadecimal IPv4 octet";
			return -1;
		}
		if (i - start > 1 && s[start] == '0') {
			*errstr = "leading zero in IPv4 octet";
			return -1;
		}
		if (v > 255 || (i < len && s[i] >= '0' && s[i] <= '9')) {
			*errstr = "IPv4 octet out of range";
			return -1;
		}
		out[octets++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != '.') {
			*errstr = "invalid character in IPv4 address";
			return -1;
		}
		if (octets == 4) {
			*errstr = "IPv4 address has more than four octets";
			return -1;
		}
		i++;
	}
	if (octets != 4) {
		*errstr = "IPv4 address needs four octets";
		return -1;
	}
	return 0;
}

/* RFC 4291 text: inet_pton on a bounded copy after our own checks. */
static int
acl_parse_v6(const char *s, size_t len, uint8_t *out, const char **errstr)
{
	char buf[ACL_V6TEXT_MAX + 1];
	uint8_t v4[4];
	const char *colon;
	size_t i;

	if (memchr(s, '%', len) != NULL) {
		*errstr = "zone id in netblock";
		return -1;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
			*errstr = "invalid character in IPv6 address";
			return -1;
		}
	}
	if (len > ACL_V6TEXT_MAX) {
		*errstr = "IPv6 address too long";
		return -1;
	}
	if (memchr(s, '.', len) != NULL) {
		/* An embedded IPv4 address ends the text, by IPv4 rules. */
		colon = memrchr(s, ':', len);
		if (colon == s + len - 1 || memchr(colon, '.',
		    (size_t)(s + len - colon)) == NULL) {
			*errstr = "malformed IPv6 address";
			return -1;
		}
		if (acl_parse_v4(colon + 1, len - (size_t)(colon + 1 - s), v4,
		    errstr) == -1)
			return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1) {
		*errstr = "malformed IPv6 address";
		return -1;
	}
	return 0;
}

/* The digits after '/': decimal, no sign, no leading zero. */
static int
acl_parse_plen(const char *s, size_t len, unsigned *plen, const char **errstr)
{
	size_t i;
	unsigned v = 0;

	if (len == 0) {
		*errstr = "missing prefix length";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*errstr = "prefix length is not a decimal number";
			return -1;
		}
	}
	if (len > 1 && s[0] == '0') {
		*errstr = "leading zero in prefix length";
		return -1;
	}
	if (len > 3) {
		*errstr = "prefix length out of range";
		return -1;
	}
	for (i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	*plen = v;
	return 0;
}

/*
 * Have libcidr read the text our front end accepted and insist that it
 * reads what we read: a disagreement means one of the two is wrong, and a
 * rule must not mean something other than what the operator sees.
 */
static int
acl_cidr_agrees(const char *s, size_t len, int v6, const uint8_t *bytes,
    unsigned plen, const char **errstr)
{
	char buf[ACL_CIDR_PAD + ACL_TEXT_MAX + 1];
	CIDR *c;
	uint8_t *a;
	int ok;

	/*
	 * libcidr 1.2.3 compares the last 13 bytes of the text with
	 * ".in-addr.arpa" however short the text is, reading before its
	 * start (found by ASan): give it zero bytes to read there.
	 */
	memset(buf, 0, ACL_CIDR_PAD);
	memcpy(buf + ACL_CIDR_PAD, s, len);
	buf[ACL_CIDR_PAD + len] = '\0';
	if ((c = cidr_from_str(buf + ACL_CIDR_PAD)) == NULL) {
		*errstr = errno == ENOMEM ? "out of memory" :
		    "netblock rejected by libcidr";
		return -1;
	}
	if ((a = cidr_get_addr(c)) == NULL) {
		cidr_free(c);
		*errstr = "out of memory";
		return -1;
	}
	if (v6)
		ok = cidr_get_proto(c) == CIDR_IPV6 &&
		    memcmp(a, bytes, 16) == 0;
	else
		ok = cidr_get_proto(c) == CIDR_IPV4 &&
		    memcmp(a + 12, bytes, 4) == 0;
	ok = ok && cidr_get_pflen(c) == (int)plen;
	free(a);
	cidr_free(c);
	if (!ok) {
		*errstr = "libcidr reads the netblock differently";
		return -1;
	}
	return 0;
}

/* Zero the bits past plen of an address of n bytes; note if any was set. */
static void
acl_clear_host(uint8_t *b, unsigned plen, unsigned n, int *warn)
{
	unsigned i;
	uint8_t keep;

	for (i = 0; i < n; i++) {
		if (plen >= (i + 1) * 8)
			continue;
		keep = plen <= i * 8 ? 0 :
		    (uint8_t)(0xff << (8 - (plen - i * 8)));
		if ((b[i] & ~keep) != 0)
			*warn |= ACL_WARN_HOSTBITS;
		b[i] &= keep;
	}
}

/* Whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
static int
acl_is_mapped(const uint8_t *b)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(b, pfx, sizeof(pfx)) == 0;
}

/* Write a prefix as text ("10.0.0.0/8", "2001:db8::/32"); -1: no room. */
int
acl_prefix_format(const struct acl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int r;

	if (p == NULL || buf == NULL ||
	    acl_addr_format(&p->addr, a, sizeof(a)) == -1 ||
	    p->plen > (p->addr.family == AF_INET ? 32U : 128U))
		return -1;
	r = snprintf(buf, len, "%s/%u", a, p->plen);
	if (r < 0 || (size_t)r >= len)
		return -1;
	return 0;
}

/* Write an address as text: dotted quad, or RFC 5952 IPv6. */
int
acl_addr_format(const struct acl_addr *a, char *buf, size_t len)
{
	int r;

	if (a == NULL || buf == NULL || len == 0)
		return -1;
	if (a->family == AF_INET6)
		return acl_format_v6(a->bytes, buf, len);
	if (a->family != AF_INET)
		return -1;
	r = snprintf(buf, len, "%u.%u.%u.%u", a->bytes[0], a->bytes[1],
	    a->bytes[2], a->bytes[3]);
	if (r < 0 || (size_t)r >= len)
		return -1;
	return 0;
}

/*
 * RFC 5952: lowercase, no leading zeros, the longest run of two or more
 * zero groups (the first of equals) as "::", and no dotted tail, so that
 * the same address is always the same text.
 */
static int
acl_format_v6(const uint8_t *b, char *buf, size_t len)
{
	unsigned w[8];
	int i, best = -1, bestlen = 0, run = 0, r;
	size_t o = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		run = w[i] == 0 ? run + 1 : 0;
		if (run > bestlen && run >= 2) {
			bestlen = run;
			best = i - run + 1;
		}
	}
	for (i = 0; i < 8; ) {
		if (i == best) {
			r = snprintf(buf + o, len - o, "::");
			i += bestlen;
		} else {
			r = snprintf(buf + o, len - o, "%s%x",
			    i == 0 || i == best + bestlen ? "" : ":", w[i]);
			i++;
		}
		if (r < 0 || (size_t)r >= len - o)
			return -1;
		o += (size_t)r;
	}
	return 0;
}

/* A bare address (no /prefix) as text; IPv4-mapped IPv6 becomes IPv4. */
int
acl_addr_parse(const char *s, size_t len, struct acl_addr *out,
    const char **errstr)
{
	struct acl_prefix p;
	const char *err = NULL;

	if (errstr == NULL)
		errstr = &err;
	if (s != NULL && memchr(s, '/', len) != NULL) {
		*errstr = "prefix length in an address";
		return -1;
	}
	if (acl_prefix_parse(s, len, &p, NULL, errstr) == -1)
		return -1;
	*out = p.addr;
	return 0;
}

/* Fill an acl_addr from a socket address; IPv4-mapped IPv6 becomes IPv4. */
int
acl_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
    struct acl_addr *out)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t fam;

	if (sa == NULL || out == NULL ||
	    salen < (socklen_t)(offsetof(struct sockaddr, sa_family) +
	    sizeof(fam))) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&fam, (const char *)sa + offsetof(struct sockaddr, sa_family),
	    sizeof(fam));
	memset(out, 0, sizeof(*out));
	if (fam == AF_INET) {
		if (salen < (socklen_t)sizeof(sin)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&sin, sa, sizeof(sin));
		out->family = AF_INET;
		memcpy(out->bytes, &sin.sin_addr, 4);
		return 0;
	}
	if (fam == AF_INET6) {
		if (salen < (socklen_t)sizeof(sin6)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&sin6, sa, sizeof(sin6));
		if (acl_is_mapped(sin6.sin6_addr.s6_addr)) {
			out->family = AF_INET;
			memcpy(out->bytes, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->bytes, sin6.sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

/* A new, empty builder. */
struct acl_build *
acl_build_new(void)
{
	return calloc(1, sizeof(struct acl_build));
}

/* FNV-1a over a file name. */
static uint64_t
acl_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The index of file name f, stored once however many rules name it. */
static int
acl_intern(struct acl_build *b, const char *f, uint32_t *idx)
{
	size_t i, j, mask;
	uint32_t *nh;
	char **nf, *copy;

	if (b->nfiles > 0 && strcmp(b->files[b->lastfile], f) == 0) {
		*idx = b->lastfile;
		return 0;
	}
	if ((b->nfiles + 1) * 2 > b->capfhash) {
		size_t cap = b->capfhash == 0 ? 16 : b->capfhash * 2;

		if ((nh = calloc(cap, sizeof(*nh))) == NULL)
			return -1;
		for (i = 0; i < b->nfiles; i++) {
			j = acl_hash(b->files[i]) & (cap - 1);
			while (nh[j] != 0)
				j = (j + 1) & (cap - 1);
			nh[j] = (uint32_t)i + 1;
		}
		free(b->fhash);
		b->fhash = nh;
		b->capfhash = cap;
	}
	mask = b->capfhash - 1;
	for (j = acl_hash(f) & mask; b->fhash[j] != 0; j = (j + 1) & mask) {
		if (strcmp(b->files[b->fhash[j] - 1], f) == 0) {
			*idx = b->lastfile = b->fhash[j] - 1;
			return 0;
		}
	}
	if (b->nfiles == b->capfiles) {
		size_t cap = b->capfiles == 0 ? 8 : b->capfiles * 2;

		if ((nf = reallocarray(b->files, cap, sizeof(*nf))) == NULL)
			return -1;
		b->files = nf;
		b->capfiles = cap;
	}
	if (b->nfiles >= UINT32_MAX - 1 || (copy = strdup(f)) == NULL)
		return -1;
	b->files[b->nfiles] = copy;
	b->fhash[j] = (uint32_t)b->nfiles + 1;
	*idx = b->lastfile = (uint32_t)b->nfiles++;
	return 0;
}

/* Add one rule; the caller's strings and bytes are copied. */
int
acl_build_add(struct acl_build *b, const struct acl_rule *r)
{
	struct acl_brule *br;
	unsigned max;
	int w = 0;

	if (b == NULL || r == NULL || r->file == NULL ||
	    (r->action != ACL_ALLOW && r->action != ACL_DENY) ||
	    (r->net.addr.family != AF_INET && r->net.addr.family != AF_INET6) ||
	    (r->has_user && (r->user == NULL || r->userlen == 0 ||
	    r->userlen > ACL_USER_MAX))) {
		errno = EINVAL;
		return -1;
	}
	max = r->net.addr.family == AF_INET ? 32 : 128;
	if (r->net.plen > max) {
		errno = EINVAL;
		return -1;
	}
	if (b->nrules == b->caprules) {
		size_t cap = b->caprules == 0 ? 64 : b->caprules * 2;

		br = reallocarray(b->rules, cap, sizeof(*br));
		if (br == NULL)
			goto oom;
		b->rules = br;
		b->caprules = cap;
	}
	br = &b->rules[b->nrules];
	memset(br, 0, sizeof(*br));
	if (acl_intern(b, r->file, &br->file) == -1)
		goto oom;
	memcpy(br->bytes, r->net.addr.bytes, max / 8);
	acl_clear_host(br->bytes, r->net.plen, max / 8, &w);
	br->v6 = max == 128;
	br->plen = (uint8_t)r->net.plen;
	br->action = (uint8_t)r->action;
	br->line = r->line;
	br->seq = b->nrules;
	if (r->has_user) {
		if (b->caparena - b->narena < r->userlen) {
			size_t cap = b->caparena == 0 ? 4096 : b->caparena;
			unsigned char *na;

			while (cap - b->narena < r->userlen) {
				if (cap > SIZE_MAX / 2)
					goto oom;
				cap *= 2;
			}
			if ((na = realloc(b->arena, cap)) == NULL)
				goto oom;
			b->arena = na;
			b->caparena = cap;
		}
		memcpy(b->arena + b->narena, r->user, r->userlen);
		br->has_user = 1;
		br->user.off = b->narena;
		br->userlen = (uint32_t)r->userlen;
		b->narena += r->userlen;
	}
	b->nrules++;
	return 0;
oom:
	b->failed = 1;
	errno = ENOMEM;
	return -1;
}

/* Order of user names in a block: bytes, then length. */
static int
acl_user_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Sort order: family, netblock, "*" first, user, order of addition. */
static int
acl_brule_cmp(const void *va, const void *vb)
{
	const struct acl_brule *a = va, *b = vb;
	int c;

	if (a->v6 != b->v6)
		return a->v6 < b->v6 ? -1 : 1;
	if ((c = memcmp(a->bytes, b->bytes, sizeof(a->bytes))) != 0)
		return c;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if (a->has_user != b->has_user)
		return a->has_user < b->has_user ? -1 : 1;
	if (a->has_user && (c = acl_user_cmp(a->user.p, a->userlen, b->user.p,
	    b->userlen)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Whether two rules name the same netblock. */
static int
acl_same_block(const struct acl_brule *a, const struct acl_brule *b)
{
	return a->v6 == b->v6 && a->plen == b->plen &&
	    memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Whether two rules of one netblock name the same user (or both "*"). */
static int
acl_same_user(const struct acl_brule *x, const struct acl_brule *y)
{
	if (x->has_user != y->has_user)
		return 0;
	return !x->has_user || (x->userlen == y->userlen &&
	    memcmp(x->user.p, y->user.p, x->userlen) == 0);
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

/* Note a diagnostic for rule i (at its place in the sorted rules). */
static int
acl_bdiag_add(struct acl_bdiag **d, size_t *n, size_t *cap, size_t seq,
    size_t rule, size_t other, enum acl_diag_kind kind)
{
	struct acl_bdiag *nd;

	if (*n == *cap) {
		size_t ncap = *cap == 0 ? 64 : *cap * 2;

		if ((nd = reallocarray(*d, ncap, sizeof(*nd))) == NULL)
			return -1;
		*d = nd;
		*cap = ncap;
	}
	(*d)[*n].seq = seq;
	(*d)[*n].rule = rule;
	(*d)[*n].other = other;
	(*d)[*n].kind = kind;
	(*n)++;
	return 0;
}

/*
 * Check and build the table. Sorting puts the rules of one netblock and
 * user next to each other, in the order they were added, so one pass finds
 * duplicates and conflicts and lays out the blocks. On an allocation
 * failure it returns NULL with errno ENOMEM (diag may not have heard of
 * it); on a rule error, NULL with errno EINVAL after diag heard of it.
 */
struct acl *
acl_build_finish(struct acl_build *b, acl_diag_fn *diag, void *arg)
{
	struct acl *t = NULL;
	struct acl_bdiag *d = NULL;
	struct acl_block *blk = NULL;
	struct acl_urule *u;
	struct acl_brule *r;
	struct acl_str msg = { NULL, 0, 0, 0 };
	size_t nd = 0, capd = 0, i, j, start, nblocks = 0, nusers = 0;
	size_t first_allow, first_deny;
	size_t *bstart = NULL;
	int errors = 0, saved;

	if (b == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (b->failed)
		goto oom;
	/* The arena no longer moves: offsets become pointers. */
	for (i = 0; i < b->nrules; i++)
		if (b->rules[i].has_user)
			b->rules[i].user.p = b->arena + b->rules[i].user.off;
	if (b->nrules > 1)
		qsort(b->rules, b->nrules, sizeof(*b->rules), acl_brule_cmp);

	for (i = 0; i < b->nrules; i++) {
		r = &b->rules[i];
		if (i == 0 || !acl_same_block(r, r - 1))
			nblocks++;
		if (r->has_user && (i == 0 || !acl_same_block(r, r - 1) ||
		    !acl_same_user(r, r - 1)))
			nusers++;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto oom;
	atomic_init(&t->refs, 1);
	trie_init(&t->t4, 32);
	trie_init(&t->t6, 128);
	if ((nblocks > 0 &&
	    (t->blocks = calloc(nblocks, sizeof(*blk))) == NULL) ||
	    (nusers > 0 &&
	    (t->urules = calloc(nusers, sizeof(*u))) == NULL) ||
	    (bstart = calloc(nblocks + 1, sizeof(*bstart))) == NULL)
		goto oom;
	t->arena = b->arena;
	t->files = b->files;
	t->nfiles = b->nfiles;
	t->stats.rules = b->nrules;
	b->arena = NULL;
	b->files = NULL;
	b->nfiles = 0;

	/* One pass: groups of one netblock and user, in order of addition. */
	u = t->urules;
	for (i = 0; i < b->nrules; i = j) {
		r = &b->rules[i];
		if (i == 0 || !acl_same_block(r, r - 1)) {
			blk = &t->blocks[t->nblocks];
			bstart[t->nblocks++] = i;
			blk->net.addr.family = r->v6 ? AF_INET6 : AF_INET;
			memcpy(blk->net.addr.bytes, r->bytes, 16);
			blk->net.plen = r->plen;
			blk->users = u;
			if (r->v6)
				t->stats.v6_blocks++;
			else
				t->stats.v4_blocks++;
		}
		first_allow = first_deny = SIZE_MAX;
		for (j = i; j < b->nrules && acl_same_block(&b->rules[j], r) &&
		    acl_same_user(&b->rules[j], r); j++) {
			size_t *same, other;

			same = b->rules[j].action == ACL_ALLOW ? &first_allow :
			    &first_deny;
			other = b->rules[j].action == ACL_ALLOW ? first_deny :
			    first_allow;
			if (other != SIZE_MAX) {
				errors++;
				if (acl_bdiag_add(&d, &nd, &capd,
				    b->rules[j].seq, j, other,
				    ACL_DIAG_CONFLICT) == -1)
					goto oom;
			}
			if (*same != SIZE_MAX) {
				if (acl_bdiag_add(&d, &nd, &capd,
				    b->rules[j].seq, j, *same,
				    ACL_DIAG_DUPLICATE) == -1)
					goto oom;
			} else
				*same = j;
			if (b->rules[j].has_user &&
			    b->rules[j].action == ACL_ALLOW &&
			    acl_bdiag_add(&d, &nd, &capd, b->rules[j].seq, j, j,
			    ACL_DIAG_SPOOF) == -1)
				goto oom;
		}
		/* The first rule of the group stands for it in the table. */
		if (r->has_user) {
			u->user = r->user.p;
			u->userlen = r->userlen;
			u->action = r->action;
			u->file = t->files[r->file];
			u->line = r->line;
			u++;
			blk->nusers++;
		} else {
			blk->has_star = 1;
			blk->star_action = r->action;
			blk->star_file = t->files[r->file];
			blk->star_line = r->line;
		}
	}
	bstart[t->nblocks] = b->nrules;

	for (i = 0; i < t->nblocks; i++) {
		blk = &t->blocks[i];
		if (trie_insert(blk->net.addr.family == AF_INET ? &t->t4 :
		    &t->t6, blk->net.addr.bytes, blk->net.plen, blk) != 0)
			goto oom;
	}
	trie_trim(&t->t4);
	trie_trim(&t->t6);
	for (i = 0; i < t->nblocks; i++) {
		blk = &t->blocks[i];
		if (!trie_covered(blk->net.addr.family == AF_INET ? &t->t4 :
		    &t->t6, blk->net.addr.bytes, blk->net.plen))
			continue;
		for (start = bstart[i]; start < bstart[i + 1]; start++)
			if (acl_bdiag_add(&d, &nd, &capd, b->rules[start].seq,
			    start, start, ACL_DIAG_SHADOWED) == -1)
				goto oom;
	}

	if (nd > 1)
		qsort(d, nd, sizeof(*d), acl_bdiag_cmp);
	for (i = 0; i < nd && diag != NULL; i++)
		acl_report(b, t, &d[i], diag, arg, &msg);
	if (msg.oom)
		goto oom;
	free(msg.p);
	free(d);
	free(bstart);
	acl_build_free(b);
	if (errors > 0) {
		acl_free(t);
		errno = EINVAL;
		return NULL;
	}
	return t;
oom:
	saved = ENOMEM;
	free(msg.p);
	free(d);
	free(bstart);
	if (t != NULL)
		acl_free(t);
	acl_build_free(b);
	errno = saved;
	return NULL;
}

/* Format and hand one diagnostic to diag. */
static void
acl_report(struct acl_build *b, struct acl *t, const struct acl_bdiag *d,
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
		acl_str_where(m, t, o);
		acl_str_cstr(m, ", ");
		acl_str_cstr(m, act[r->action]);
		acl_str_cstr(m, " at ");
		acl_str_where(m, t, r);
		break;
	case ACL_DIAG_DUPLICATE:
		acl_str_cstr(m, "duplicate of ");
		acl_str_where(m, t, o);
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
		break;
	}
	acl_str_add(m, "", 1);
	if (m->oom)
		return;
	diag(arg, d->kind == ACL_DIAG_CONFLICT, t->files[r->file], r->line,
	    m->p);
}

/* Append len bytes to a message. */
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

/*
 * Append untrusted bytes: printable ASCII as is, anything else as \xHH;
 * the backslash and the quote too, so the text reads back unambiguously.
 */
static void
acl_str_esc(struct acl_str *m, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', 0, 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' &&
		    s[i] != '\'') {
			acl_str_add(m, (const char *)&s[i], 1);
			continue;
		}
		e[2] = hex[s[i] >> 4];
		e[3] = hex[s[i] & 0xf];
		acl_str_add(m, e, sizeof(e));
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
acl_str_where(struct acl_str *m, const struct acl *t,
    const struct acl_brule *r)
{
	const char *f = t->files[r->file];

	acl_str_esc(m, (const unsigned char *)f, strlen(f));
	acl_str_add(m, ":", 1);
	acl_str_uint(m, r->line);
}

/* Free a builder that was not finished. */
void
acl_build_free(struct acl_build *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nfiles; i++)
		free(b->files[i]);
	free(b->files);
	free(b->fhash);
	free(b->arena);
	free(b->rules);
	free(b);
}

/* An empty table of its own (one reference): everything is denied. */
struct acl *
acl_empty(void)
{
	struct acl *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	atomic_init(&t->refs, 1);
	trie_init(&t->t4, 32);
	trie_init(&t->t6, 128);
	return t;
}

/* Take a reference: a connection or a reload keeps the table alive. */
void
acl_ref(struct acl *t)
{
	if (t != NULL)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

/* Drop a reference; the last one frees the table. */
void
acl_unref(struct acl *t)
{
	if (t == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_release) != 1)
		return;
	/* Every other holder's accesses happen before the free. */
	atomic_thread_fence(memory_order_acquire);
	acl_free(t);
}

/* Release a table and everything it owns. */
static void
acl_free(struct acl *t)
{
	size_t i;

	trie_free(&t->t4);
	trie_free(&t->t6);
	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t->arena);
	free(t->urules);
	free(t->blocks);
	free(t);
}

/* Counts of rules and netblocks. */
void
acl_stats(const struct acl *t, struct acl_stats *st)
{
	if (t == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = t->stats;
}

/* The most specific netblock with a rule holding the address, or NULL. */
const struct acl_block *
acl_lookup(const struct acl *t, const struct acl_addr *a)
{
	if (t == NULL || a == NULL)
		return NULL;
	if (a->family == AF_INET)
		return trie_lookup(&t->t4, a->bytes);
	if (a->family != AF_INET6)
		return NULL;
	/* Contract, step 1: an IPv4-mapped peer is judged as IPv4. */
	if (acl_is_mapped(a->bytes)) {
		uint8_t v4[16] = { 0 };

		memcpy(v4, a->bytes + 12, 4);
		return trie_lookup(&t->t4, v4);
	}
	return trie_lookup(&t->t6, a->bytes);
}

/* Whether the netblock has a rule naming a user. */
int
acl_block_has_user_rules(const struct acl_block *blk)
{
	return blk != NULL && blk->nusers > 0;
}

/* The netblock's prefix. */
const struct acl_prefix *
acl_block_prefix(const struct acl_block *blk)
{
	return blk != NULL ? &blk->net : NULL;
}

/*
 * Contract, step 3: inside the netblock only, the user rule equal byte for
 * byte to the ident answer, else the "*" rule, else the default deny.
 */
void
acl_decide(const struct acl_block *blk, const unsigned char *user,
    size_t userlen, struct acl_decision *out)
{
	size_t lo, hi, mid;
	int c;

	memset(out, 0, sizeof(*out));
	out->action = ACL_DENY;
	if (blk == NULL)
		return;
	out->matched = 1;
	out->net = blk->net;
	if (user != NULL && userlen <= ACL_USER_MAX) {
		lo = 0;
		hi = blk->nusers;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			c = acl_user_cmp(user, userlen, blk->users[mid].user,
			    blk->users[mid].userlen);
			if (c == 0) {
				out->action = blk->users[mid].action;
				out->file = blk->users[mid].file;
				out->line = blk->users[mid].line;
				return;
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	if (blk->has_star) {
		out->action = blk->star_action;
		out->file = blk->star_file;
		out->line = blk->star_line;
	}
}

/* Netblock order for acl_each: family, longest prefix first, address. */
static int
acl_each_cmp(const void *va, const void *vb)
{
	const struct acl_block *a = *(const struct acl_block *const *)va;
	const struct acl_block *b = *(const struct acl_block *const *)vb;

	if (a->net.addr.family != b->net.addr.family)
		return a->net.addr.family == AF_INET ? -1 : 1;
	if (a->net.plen != b->net.plen)
		return a->net.plen > b->net.plen ? -1 : 1;
	return memcmp(a->net.addr.bytes, b->net.addr.bytes,
	    sizeof(a->net.addr.bytes));
}

/* Every netblock with its rules, most specific first (daytimed -T). */
int
acl_each(const struct acl *t, acl_each_fn *fn, void *arg)
{
	const struct acl_block **order;
	struct acl_rule *rules;
	size_t i, j, n, most = 0;

	if (t == NULL || t->nblocks == 0)
		return 0;
	if ((order = calloc(t->nblocks, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < t->nblocks; i++) {
		order[i] = &t->blocks[i];
		if (t->blocks[i].nusers > most)
			most = t->blocks[i].nusers;
	}
	if ((rules = calloc(most + 1, sizeof(*rules))) == NULL) {
		free(order);
		return -1;
	}
	qsort(order, t->nblocks, sizeof(*order), acl_each_cmp);
	for (i = 0; i < t->nblocks; i++) {
		const struct acl_block *blk = order[i];

		n = 0;
		if (blk->has_star) {
			memset(&rules[n], 0, sizeof(rules[n]));
			rules[n].action = blk->star_action;
			rules[n].net = blk->net;
			rules[n].file = blk->star_file;
			rules[n].line = blk->star_line;
			n++;
		}
		for (j = 0; j < blk->nusers; j++, n++) {
			rules[n].action = blk->users[j].action;
			rules[n].net = blk->net;
			rules[n].has_user = 1;
			rules[n].user = blk->users[j].user;
			rules[n].userlen = blk->users[j].userlen;
			rules[n].file = blk->users[j].file;
			rules[n].line = blk->users[j].line;
		}
		fn(arg, &blk->net, rules, n);
	}
	free(rules);
	free(order);
	return 0;
}
