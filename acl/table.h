/* SPDX-License-Identifier: ISC */
/*
 * table: the layout of a built rule table, shared by the code that lays
 * it out (build.c) and the code that reads it (acl.c). Nothing outside
 * acl/ includes this file.
 *
 * Everything a table holds but its two lpm structures lives in one
 * allocation, mem: the netblock records, then the user rules, then the
 * bytes of user and file names. A record reaches a name by a signed
 * offset from the record itself, so a block needs no pointer back to its
 * table and stays small: 16 bytes for an IPv4 netblock, 32 for IPv6,
 * which is all acl_decide reads when there is no ident answer.
 */
#ifndef DAYTIMED_TABLE_H
#define DAYTIMED_TABLE_H

#include <stdint.h>

#include "acl/acl.h"
#include "acl/lpm.h"

/* acl_block flags */
#define ACL_B_V6	0x01	/* IPv6: the record is a struct acl_block6 */
#define ACL_B_STAR	0x02	/* the netblock has a "*" rule */
#define ACL_B_ALLOW	0x04	/* ... and it allows */
#define ACL_B_USERS	0x08	/* rel leads to a struct acl_users */

#define ACL_MEM_MAX	INT32_MAX	/* offsets in mem are int32_t */

/* A netblock with rules. */
struct acl_block {
	int32_t		rel;	/* bytes from here to the "*" rule's file
				   name; with ACL_B_USERS, to acl_users */
	uint32_t	line;	/* the "*" rule's line */
	uint8_t		v4[4];	/* the IPv4 netblock */
	uint8_t		plen;
	uint8_t		flags;
	uint8_t		pad[2];
};

/* An IPv6 netblock: the same, then its address. */
struct acl_block6 {
	struct acl_block b;
	uint8_t		 addr[16];
};

/* One user rule: the first rule for this netblock and user. */
struct acl_urule {
	int32_t		name;	/* bytes from here to the user name */
	int32_t		file;	/* bytes from here to the file name */
	uint32_t	line;
	uint16_t	len;	/* of the name: at most ACL_USER_MAX */
	uint8_t		action;
	uint8_t		pad;
};

/* A netblock's user rules, sorted by name: bytes, then length. */
struct acl_users {
	int32_t		file;	/* bytes from here to the "*" rule's file */
	uint32_t	n;
	struct acl_urule u[];
};

struct acl {
	struct lpm		 lpm4, lpm6;	/* values index b4, b6 */
	char			*mem;
	size_t			 memlen;
	struct acl_block	*b4;		/* in pre-order */
	struct acl_block6	*b6;
	struct acl_stats	 stats;
};

#endif
