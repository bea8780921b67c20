/* SPDX-License-Identifier: ISC */
/* trie: longest-prefix match over IPv4/IPv6 keys. Pure. (to be written) */
#ifndef DAYTIMED_TRIE_H
#define DAYTIMED_TRIE_H
#endif
