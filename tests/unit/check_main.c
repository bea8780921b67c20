/* SPDX-License-Identifier: ISC */
/* The one unit-test runner: every module's suite, forked (CK_FORK). */
#include <stdlib.h>

#include <check.h>

#include "tests/unit/suites.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(compat_suite());
	srunner_add_suite(sr, answer_suite());
	srunner_add_suite(sr, config_word_suite());
	srunner_add_suite(sr, config_parse_suite());
	srunner_add_suite(sr, config_parse_text_suite());
	srunner_add_suite(sr, config_parse_include_suite());
	srunner_add_suite(sr, config_set_suite());
	srunner_add_suite(sr, config_list_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, config_show_suite());
	srunner_add_suite(sr, explain_suite());
	srunner_add_suite(sr, loader_disk_suite());
	srunner_add_suite(sr, loader_suite());
	srunner_add_suite(sr, trust_suite());
	srunner_add_suite(sr, udp_suite());
	srunner_add_suite(sr, life_suite());
	srunner_add_suite(sr, trie_suite());
	srunner_add_suite(sr, lpm_suite());
	srunner_add_suite(sr, acl_suite());
	srunner_add_suite(sr, ident_parse_suite());
	srunner_add_suite(sr, ident_suite());
	srunner_add_suite(sr, proxy_parse_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, sigpair_suite());
	srunner_add_suite(sr, monmsg_suite());
	srunner_add_suite(sr, status_suite());
	srunner_add_suite(sr, record_suite());
	srunner_add_suite(sr, chain_suite());
	srunner_add_suite(sr, keyfile_suite());
	srunner_add_suite(sr, logread_suite());
	srunner_add_suite(sr, logfiles_suite());
	srunner_add_suite(sr, verify_parse_suite());
	srunner_add_suite(sr, verify_suite());
	srunner_add_suite(sr, verify_order_suite());
	srunner_add_suite(sr, record_parse_suite());
	srunner_add_suite(sr, report_table_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, verify_epochs_suite());
	srunner_add_suite(sr, audit_suite());
	srunner_add_suite(sr, audit_state_suite());
	srunner_add_suite(sr, audit_state_fs_suite());
	srunner_add_suite(sr, dir_beneath_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, logsink_suite());
	srunner_add_suite(sr, logsink_stream_suite());
	srunner_add_suite(sr, logsink_fork_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
