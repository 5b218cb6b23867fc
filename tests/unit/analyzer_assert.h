/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmocka's assertions end a failing test with a longjmp() from inside libcmocka, but
 * _assert_true() and _fail() are not declared noreturn, so clang's static analyser (the
 * clang-analyzer-* checks of the static tier) follows every path on past a failed assertion
 * and reports what could only go wrong there: a division by a count asserted non-zero, a
 * reply read after asserting that one arrived. Under the analyser only, the boolean
 * assertions and fail() branch to a function declared noreturn (never defined: the analyser
 * does not link); compiled tests keep cmocka's own macros and messages. Include it after
 * <cmocka.h>.
 */
#pragma once

#ifdef __clang_analyzer__
#include <stddef.h>

void analyzer_assert_failed(void) __attribute__((noreturn));

#undef assert_true
#undef assert_false
#undef assert_non_null
#undef assert_null
#undef fail
#define assert_true(c) ((c) ? (void)0 : analyzer_assert_failed())
#define assert_false(c) ((c) ? analyzer_assert_failed() : (void)0)
#define assert_non_null(c) ((c) != NULL ? (void)0 : analyzer_assert_failed())
#define assert_null(c) ((c) == NULL ? (void)0 : analyzer_assert_failed())
#define fail() analyzer_assert_failed()
#endif
