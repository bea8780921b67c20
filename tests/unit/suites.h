/* SPDX-License-Identifier: ISC */
/* One Check suite per module; check_main.c runs them all. */
#ifndef DAYTIMED_SUITES_H
#define DAYTIMED_SUITES_H
#include <check.h>
Suite	*compat_suite(void);
Suite	*answer_suite(void);
Suite	*config_suite(void);
Suite	*trie_suite(void);
Suite	*lpm_suite(void);
Suite	*acl_suite(void);
Suite	*ident_parse_suite(void);
Suite	*audit_suite(void);
#endif
