/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A cmocka binary for the test runner's self-test (tests/runner/selftest.py): two groups,
 * one test passing, one failing on purpose and one skipped in the first, one passing in
 * the second. The runner must report exactly 2 passed, 1 failed, 1 skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void passes(void **state)
{
	(void)state;
	assert_int_equal(2 + 2, 4);
}

static void fails_on_purpose(void **state)
{
	(void)state;
	assert_int_equal(1, 2);
}

static void is_skipped(void **state)
{
	(void)state;
	skip();
}

static void passes_too(void **state)
{
	(void)state;
	assert_true(1);
}

int main(void)
{
	const struct CMUnitTest first[] = {
		cmocka_unit_test(passes),
		cmocka_unit_test(fails_on_purpose),
		cmocka_unit_test(is_skipped),
	};
	const struct CMUnitTest second[] = {
		cmocka_unit_test(passes_too),
	};
	int failed = cmocka_run_group_tests_name("first", first, NULL, NULL);

	return failed | cmocka_run_group_tests_name("second", second, NULL, NULL);
}
