/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few cmocka entry points that the code under fuzzing reaches (hv/arch/fake turns
 * panic() and BUG() into mock_assert(); tests/unit/world.c checks its invariants with
 * assert_*()), for fuzz targets, which do not link cmocka: outside a cmocka test run a
 * failed check would exit(), so here it prints what failed and aborts, which libFuzzer
 * reports as a crash with the input that caused it (https://llvm.org/docs/LibFuzzer.html).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static void __attribute__((noreturn)) die(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void mock_assert(const int result, const char *const expression, const char *const file,
		 const int line)
{
	if (!result) {
		die(file, line, "assertion or panic: %s", expression);
	}
}

void _assert_true(const LargestIntegralType result, const char *const expression,
		  const char *const file, const int line)
{
	if (!result) {
		die(file, line, "assert_true(%s) failed", expression);
	}
}

void _assert_int_equal(const LargestIntegralType a, const LargestIntegralType b,
		       const char *const file, const int line)
{
	if (a != b) {
		die(file, line, "assert_int_equal: %#jx != %#jx", (uintmax_t)a, (uintmax_t)b);
	}
}

void _assert_int_not_equal(const LargestIntegralType a, const LargestIntegralType b,
			   const char *const file, const int line)
{
	if (a == b) {
		die(file, line, "assert_int_not_equal: both %#jx", (uintmax_t)a);
	}
}

void print_error(const char *const format, ...)
{
	va_list ap;

	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
}

void _fail(const char *const file, const int line)
{
	die(file, line, "fail()");
}
