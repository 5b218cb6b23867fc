/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the formatter (hv/lib/vsprintf.c) and the log (hv/common/log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/lib.h>
#include <hv/log.h>

/* Compares our formatter against the C library's for one format and arguments. */
#define CHECK_FMT(...)                                                \
	do {                                                          \
		char ours[128], libc[128];                            \
		int a = hv_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int b = snprintf(libc, sizeof(libc), __VA_ARGS__);    \
		assert_string_equal(ours, libc);                      \
		assert_int_equal(a, b);                               \
	} while (0)

static void test_format_matches_libc(void **state)
{
	(void)state;
	CHECK_FMT("plain");
	CHECK_FMT("%d %i %u", -42, 7, 4000000000u);
	CHECK_FMT("%x %X %#x %#o %o", 0xbeefu, 0xbeefu, 0x1fu, 8u, 0u);
	CHECK_FMT("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	CHECK_FMT("[%.3d] [%8.3d] [%-8.3x] [%.0d]", 5, -5, 0xa, 0);
	CHECK_FMT("%lld %llu %llx", -9223372036854775807LL - 1, 18446744073709551615ULL,
		  0x123456789abcdefULL);
	CHECK_FMT("%ld %lu %zu %zx", -1L, 3UL, (size_t)77, (size_t)0xff);
	CHECK_FMT("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
	CHECK_FMT("[%s] [%10s] [%-10s] [%.2s] [%*s] [%-*d]", "abc", "abc", "abc", "abc", 4, "x", 4,
		  1);
	CHECK_FMT("%c%c%% [%3c]", 'o', 'k', 'z');
	CHECK_FMT("%#018llx", 0xffff000012345678ULL);
}

static void test_format_truncates(void **state)
{
	char buf[8];
	int n;

	(void)state;
	n = hv_snprintf(buf, sizeof(buf), "%s", "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	n = hv_snprintf(NULL, 0, "%d", 12345);
	assert_int_equal(n, 5);
	memset(buf, 'x', sizeof(buf));
	n = hv_snprintf(buf, 1, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
}

static void test_format_null_and_unknown(void **state)
{
	char buf[32];

	(void)state;
	hv_snprintf(buf, sizeof(buf), "%s", (const char *)NULL);
	assert_string_equal(buf, "(null)");
	hv_snprintf(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	hv_snprintf(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end");
	hv_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x1234");
}

static void test_log_prefix_and_levels(void **state)
{
	(void)state;
	fake_console_reset();
	log_threshold = LOG_INFO;
	log_info("one\ntwo\n");
	log_debug("hidden\n");
	log_warn("part ");
	log_warn("rest\n");
	assert_string_equal(fake_console, "(LAM) one\n(LAM) two\n(LAM) warning: part rest\n");
	fake_console_reset();
	log_err("bad\nthing\n");
	assert_string_equal(fake_console, "(LAM) error: bad\n(LAM) thing\n");
	fake_console_reset();
	log_threshold = LOG_NONE;
	log_err("x\n");
	assert_int_equal(fake_console_len, 0);
	log_threshold = LOG_INFO;
}

static void test_log_long_line_ends_line(void **state)
{
	char big[600];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fake_console_reset();
	log_info("%s\n", big);
	log_info("next\n");
	assert_non_null(strstr(fake_console, "\n(LAM) next\n"));
}

static void test_log_level_parse(void **state)
{
	enum log_level l;

	(void)state;
	assert_int_equal(log_level_parse("all", &l), 0);
	assert_int_equal(l, LOG_DEBUG);
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOG_WARN);
	assert_int_equal(log_level_parse("none", &l), 0);
	assert_int_equal(l, LOG_NONE);
	assert_int_equal(log_level_parse("loud", &l), -HV_EINVAL);
	assert_int_equal(log_level_parse("", &l), -HV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_matches_libc),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_format_null_and_unknown),
		cmocka_unit_test(test_log_prefix_and_levels),
		cmocka_unit_test(test_log_long_line_ends_line),
		cmocka_unit_test(test_log_level_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
