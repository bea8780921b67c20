#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""bench/listgen.py N [SEED] -- a list file of N distinct netblocks on
stdout, in the shape of the access-rules issue's table: 70% IPv4 /8../32,
30% IPv6 /20../64 (under 2000::/3), host bits cleared, under a FireHOL
style header. Nothing in 0.0.0.0/8 or 127.0.0.0/8, so that the bench's
loopback clients stay under its own allow rule. Deterministic per seed."""

import ipaddress
import random
import sys


def main():
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 17)
    seen = set()
    out = sys.stdout
    out.write("#\n# bench list: %d netblocks, 70%% IPv4 /8-/32, 30%% IPv6 "
              "/20-/64\n#\n" % n)
    while len(seen) < n:
        if rng.random() < 0.7:
            plen = rng.randint(8, 32)
            a = rng.getrandbits(32) & ((0xffffffff << (32 - plen)) & 0xffffffff)
            if a >> 24 in (0, 127):
                continue
            key = (4, a, plen)
            text = "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255,
                                        (a >> 8) & 255, a & 255, plen)
        else:
            plen = rng.randint(20, 64)
            a = (1 << 125) | rng.getrandbits(125)
            a &= ((1 << 128) - 1) << (128 - plen) & ((1 << 128) - 1)
            key = (6, a, plen)
            text = "%s/%d" % (ipaddress.IPv6Address(a).compressed, plen)
        if key in seen:
            continue
        seen.add(key)
        out.write(text + "\n")


if __name__ == "__main__":
    main()
