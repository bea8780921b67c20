/* SPDX-License-Identifier: ISC */
/*
 * netblock: what netblock.c shares with the rest of acl/ beyond acl.h.
 */
#ifndef DAYTIMED_NETBLOCK_H
#define DAYTIMED_NETBLOCK_H

#include <stdint.h>
#include <string.h>

/* Zero the bits past plen of an address of n bytes; note if any was set. */
void	acl_clear_host(uint8_t *, unsigned plen, unsigned n, int *warn);

/*
 * Whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
 * Inline: acl_lookup asks it of every IPv6 peer.
 */
static inline int
acl_is_mapped(const uint8_t *b)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(b, pfx, sizeof(pfx)) == 0;
}

#endif
