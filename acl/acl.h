/* SPDX-License-Identifier: ISC */
/*
 * acl: the rule table. Owns netblock text (a strict front end to libcidr,
 * netblock.c), building a table from allow/deny rules with their
 * FILE:LINE (build.c), the longest-prefix lookup (lpm.c) and the decision
 * inside the matched netblock (acl.c). A built table is immutable: any
 * number of threads may read it at once; its one owner frees it. Knows
 * nothing of processes, privileges or syslog: untrusted bytes reach this
 * code.
 */
#ifndef DAYTIMED_ACL_H
#define DAYTIMED_ACL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ACL_USER_MAX	512	/* longest user name a rule may hold */
#define ACL_PREFIX_STRLEN 64	/* room for any acl_prefix_format text */

/* An address: IPv4 in bytes[0..3], IPv6 in bytes[0..15]. */
struct acl_addr {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		bytes[16];
};

struct acl_prefix {
	struct acl_addr	addr;		/* host bits cleared */
	unsigned	plen;		/* 0..32 or 0..128 */
};

enum acl_action { ACL_DENY = 0, ACL_ALLOW = 1 };

/* acl_prefix_parse warnings (bit flags). */
#define ACL_WARN_HOSTBITS	0x01	/* host bits were set and cleared */
#define ACL_WARN_MAPPED		0x02	/* ::ffff:a.b.c.d/n read as IPv4 */

/* One rule as the configuration states it. */
struct acl_rule {
	enum acl_action		 action;
	struct acl_prefix	 net;
	int			 has_user;	/* 0: the netblock's "*" rule */
	const unsigned char	*user;		/* bytes, not a C string */
	size_t			 userlen;
	const char		*file;		/* copied by acl_build_add */
	unsigned		 line;
};

/*
 * Diagnostics from building: is_error 0 is a warning. file and msg live
 * only during the call.
 */
typedef void acl_diag_fn(void *arg, int is_error, const char *file,
    unsigned line, const char *msg);

struct acl;		/* a built, immutable table */
struct acl_build;	/* a table under construction */
struct acl_block;	/* one netblock of a table and its rules */

struct acl_decision {
	enum acl_action		 action;
	const char		*file;	/* NULL: the default (deny) decided;
					   lives as long as the table */
	unsigned		 line;
	int			 matched; /* a netblock matched */
	struct acl_prefix	 net;	/* the netblock, when matched */
};

struct acl_stats {
	size_t	rules;
	size_t	v4_blocks;
	size_t	v6_blocks;
	size_t	bytes;		/* the table's memory */
};

/*
 * Parse NETBLOCK text held in (s, len): a canonical dotted quad or RFC 4291
 * IPv6 text, with an optional /prefix in range. Returns 0 and fills *out
 * (host bits cleared, IPv4-mapped IPv6 read as IPv4), *warn gets
 * ACL_WARN_* bits; returns -1 with a static message in *errstr.
 */
int	acl_prefix_parse(const char *s, size_t len, struct acl_prefix *out,
	    int *warn, const char **errstr);
/* Write a prefix as text ("10.0.0.0/8", "2001:db8::/32"); -1: no room. */
int	acl_prefix_format(const struct acl_prefix *, char *buf, size_t len);
/* Write an address as text (dotted quad or RFC 5952); -1 if it won't fit. */
int	acl_addr_format(const struct acl_addr *, char *buf, size_t len);
/*
 * Parse a bare address (no /prefix); the same strict rules as
 * acl_prefix_parse, IPv4-mapped IPv6 read as IPv4.
 */
int	acl_addr_parse(const char *s, size_t len, struct acl_addr *out,
	    const char **errstr);
/* Fill an acl_addr from a socket address; IPv4-mapped IPv6 becomes IPv4. */
int	acl_addr_from_sockaddr(const struct sockaddr *, socklen_t,
	    struct acl_addr *);

struct acl_build *acl_build_new(void);
/* Add one rule. Conflicts and duplicates are reported by acl_build_finish. */
int	acl_build_add(struct acl_build *, const struct acl_rule *);
/*
 * Check and build the table. Reports every error and warning through diag;
 * returns NULL when there was an error. Frees the builder either way.
 * Diagnostics come in the order the rules were added; msg carries no
 * "FILE:LINE:" prefix. NULL with errno EINVAL: diag heard of the errors;
 * NULL with errno ENOMEM: out of memory, or a table past 2 GiB (not
 * reported through diag).
 */
struct acl *acl_build_finish(struct acl_build *, acl_diag_fn *, void *);
void	acl_build_free(struct acl_build *);

/* Free a table (NULL: nothing); nobody may be reading it any more. */
void	acl_free(struct acl *);
void	acl_stats(const struct acl *, struct acl_stats *);

/* The most specific netblock holding peer that has a rule, or NULL. */
const struct acl_block *acl_lookup(const struct acl *, const struct acl_addr *);
/*
 * acl_lookup for n peers at once, IPv4 and IPv6 mixed: out[i] is
 * acl_lookup(t, &peers[i]), exactly. Their lookups overlap their cache
 * misses, and each block found is prefetched for acl_decide: at a
 * table larger than the cache, a batch of tens of peers is looked up and
 * decided several times faster than one peer at a time.
 */
void	acl_lookup_many(const struct acl *, const struct acl_addr *peers,
	    size_t n, const struct acl_block **out);
/* Whether the netblock has a rule naming a user (ident mode "rules"). */
int	acl_block_has_user_rules(const struct acl_block *);
/*
 * Decide inside the netblock (NULL: none matched). user NULL means "no
 * ident answer"; otherwise it is compared byte for byte.
 */
void	acl_decide(const struct acl_block *, const unsigned char *user,
	    size_t userlen, struct acl_decision *);

/*
 * The rules of one netblock as acl_each hands them over: the "*" rule
 * first, when there is one, then the user rules in the table's order.
 * rules and what they point at live during the call only.
 */
typedef void acl_each_fn(void *arg, const struct acl_prefix *net,
    const struct acl_rule *rules, size_t nrules);
/*
 * Call fn once for every netblock of the table: IPv4 before IPv6, the
 * most specific (longest prefix) first, then by address. -1 when out of
 * memory (nothing was called).
 */
int	acl_each(const struct acl *, acl_each_fn *, void *arg);

/*
 * The reference lookup, for tests and bench/acl_bench.c only: the
 * patricia trie of trie.c over a table's netblocks, answering with the
 * same blocks as acl_lookup (NULL from _new: out of memory).
 */
struct acl_reftrie;
struct acl_reftrie *acl_reftrie_new(const struct acl *);
const struct acl_block *acl_reftrie_lookup(const struct acl_reftrie *,
	    const struct acl_addr *);
size_t	acl_reftrie_bytes(const struct acl_reftrie *);
void	acl_reftrie_free(struct acl_reftrie *);

#endif
