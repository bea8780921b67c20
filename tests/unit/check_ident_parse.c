/* SPDX-License-Identifier: ISC */
#include "tests/unit/suites.h"

START_TEST(test_ident_parse_placeholder)
{
	ck_assert_int_eq(1, 1);
}
END_TEST

Suite *
ident_parse_suite(void)
{
	Suite *s = suite_create("ident_parse");
	TCase *tc = tcase_create("placeholder");

	tcase_add_test(tc, test_ident_parse_placeholder);
	suite_add_tcase(s, tc);
	return s;
}
