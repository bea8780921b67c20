/* SPDX-License-Identifier: ISC */
/* One Check suite per module; check_main.c runs them all. */
#ifndef DAYTIMED_SUITES_H
#define DAYTIMED_SUITES_H
#include <check.h>
Suite	*compat_suite(void);
Suite	*answer_suite(void);
Suite	*config_word_suite(void);
Suite	*config_parse_suite(void);
Suite	*config_parse_text_suite(void);
Suite	*config_parse_include_suite(void);
Suite	*config_set_suite(void);
Suite	*config_list_suite(void);
Suite	*config_suite(void);
Suite	*config_show_suite(void);
Suite	*explain_suite(void);
Suite	*loader_disk_suite(void);
Suite	*loader_suite(void);
Suite	*trust_suite(void);
Suite	*udp_suite(void);
Suite	*life_suite(void);
Suite	*trie_suite(void);
Suite	*lpm_suite(void);
Suite	*acl_suite(void);
Suite	*ident_parse_suite(void);
Suite	*ident_suite(void);
Suite	*proxy_parse_suite(void);
Suite	*limits_suite(void);
Suite	*sigpair_suite(void);
Suite	*monmsg_suite(void);
Suite	*status_suite(void);
Suite	*record_suite(void);
Suite	*chain_suite(void);
Suite	*keyfile_suite(void);
Suite	*logread_suite(void);
Suite	*logfiles_suite(void);
Suite	*verify_parse_suite(void);
Suite	*verify_suite(void);
Suite	*verify_order_suite(void);
Suite	*record_parse_suite(void);
Suite	*report_table_suite(void);
Suite	*report_suite(void);
Suite	*verify_epochs_suite(void);
Suite	*audit_suite(void);
Suite	*audit_state_suite(void);
Suite	*audit_state_fs_suite(void);
Suite	*dir_beneath_suite(void);
/* Shared by the two: wait (10 s at most) until path holds want. */
int	state_wait_for(const char *path, const char *want);
Suite	*log_suite(void);
Suite	*logsink_suite(void);
Suite	*logsink_stream_suite(void);
Suite	*logsink_fork_suite(void);
#endif
