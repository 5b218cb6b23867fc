/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the formatter (hv/lib/vsprintf.c) and the log (hv/common/log.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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

/*
 * "Another CPU" logs while this one is writing to the UART (the fake console's hook): it
 * must not wait for the device (nor for the log lock across it), and the output stays in
 * whole lines in order. Before the transmit ring, the lock was held across the write and
 * the nested call never returned (the alarm below fails the test then).
 */
static int nested_calls;
static void log_from_other_cpu(const char *s, size_t n)
{
	(void)s;
	(void)n;
	if (nested_calls++ == 0) {
		log_warn("second %d\n", 2);
		log_guest_line("(d1) ", "guest says hi", 13);
		/* Queued, not written: this CPU is still writing the first line. */
		assert_null(strstr(fake_console, "second"));
	}
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: a log call waited for the UART held by another writer\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1); /* async-signal-safe, then end the test run */
	_exit(1);
}

static void test_log_writer_does_not_wait_for_device(void **state)
{
	(void)state;
	fake_console_reset();
	nested_calls = 0;
	signal(SIGALRM, on_alarm);
	alarm(5);
	fake_console_hook = log_from_other_cpu;
	log_info("first line\n");
	alarm(0);
	assert_string_equal(fake_console, "(LAM) first line\n(LAM) warning: second 2\n"
					  "(d1) guest says hi\n");
	fake_console_reset();
	log_info("after\n");
	assert_string_equal(fake_console, "(LAM) after\n");
}

/*
 * After log_start_sync() (panic), a message is on the UART before the call returns, even
 * while another CPU is the drainer (it may have been stopped), and what was queued
 * before it comes first.
 */
static void log_panic_meanwhile(const char *s, size_t n)
{
	(void)s;
	(void)n;
	if (nested_calls++ == 0) {
		log_info("queued\n");
		assert_null(strstr(fake_console, "queued"));
		log_start_sync();
		log_err("panic now\n");
		assert_non_null(strstr(fake_console, "(LAM) queued\n(LAM) error: panic now\n"));
	}
}

static void test_log_sync_mode_writes_at_once(void **state)
{
	(void)state;
	fake_console_reset();
	nested_calls = 0;
	fake_console_hook = log_panic_meanwhile;
	log_info("a drainer\n");
	assert_int_equal(nested_calls > 1, 1);
	log_flush();
	assert_non_null(strstr(fake_console, "error: panic now\n"));
	fake_console_reset();
}

/* More than the transmit ring holds, in one raw write and many lines: nothing lost. */
static void test_log_ring_wraps_without_loss(void **state)
{
	static char raw[40000];
	char *p;

	(void)state;
	fake_console_reset();
	for (size_t i = 0; i < sizeof(raw); i++) {
		raw[i] = (char)('a' + i % 26);
	}
	raw[sizeof(raw) - 1] = '\n';
	log_raw_write(raw, sizeof(raw));
	assert_int_equal(fake_console_len, sizeof(raw));
	assert_memory_equal(fake_console, raw, sizeof(raw));
	fake_console_reset();
	for (int i = 0; i < 500; i++) {
		log_info("line %03d of the ring test\n", i);
	}
	p = fake_console;
	for (int i = 0; i < 500; i++) {
		char want[64];

		snprintf(want, sizeof(want), "(LAM) line %03d of the ring test\n", i);
		assert_memory_equal(p, want, strlen(want));
		p += strlen(want);
	}
	assert_int_equal(*p, '\0');
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
		cmocka_unit_test(test_log_writer_does_not_wait_for_device),
		cmocka_unit_test(test_log_ring_wraps_without_loss),
		/* Last: sync mode is not undone. */
		cmocka_unit_test(test_log_sync_mode_writes_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
