/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the hypervisor command-line parser (hv/common/params.c): every option's
 * accepted forms, and that each bad value or unknown option warns and changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/fake.h>
#include <hv/params.h>

static struct hv_options opts;

static int setup(void **state)
{
	(void)state;
	params_defaults(&opts);
	fake_console_reset();
	return 0;
}

/** Asserts that the console holds text (a warning the parser gave). */
static void assert_logged(const char *text)
{
	if (strstr(fake_console, text) == NULL) {
		fail_msg("expected '%s' in console output:\n%s", text, fake_console);
	}
}

/** Asserts that parsing cmdline gives exactly one warning mentioning each of a and b. */
static void assert_one_warning(const char *cmdline, const char *a, const char *b)
{
	fake_console_reset();
	assert_int_equal(params_parse(cmdline, &opts), 1);
	assert_logged(a);
	if (b != NULL) {
		assert_logged(b);
	}
}

static void test_defaults(void **state)
{
	(void)state;
	assert_string_equal(opts.console, "dtuart");
	assert_string_equal(opts.dtuart, "");
	assert_int_equal(opts.loglvl, LOG_INFO);
	assert_int_equal(opts.guest_loglvl, LOG_WARN);
	assert_int_equal(opts.dom0_mem, 0);
	assert_int_equal(opts.dom0_mem_max, 0);
	assert_int_equal(opts.dom0_max_vcpus, 0);
	assert_int_equal(opts.sched, SCHED_AUTO);
	assert_false(opts.noreboot);
	assert_string_equal(opts.selftest, "");
	/* The global starts out with the same defaults. */
	assert_memory_equal(&hv_opts, &opts, sizeof(opts));
}

static void test_empty_and_whitespace(void **state)
{
	(void)state;
	assert_int_equal(params_parse(NULL, &opts), 0);
	assert_int_equal(params_parse("", &opts), 0);
	assert_int_equal(params_parse(" \t  \t", &opts), 0);
	assert_int_equal(params_parse("  noreboot\t\tsched=rr   loglvl=all  ", &opts), 0);
	assert_true(opts.noreboot);
	assert_int_equal(opts.sched, SCHED_RR);
	assert_int_equal(opts.loglvl, LOG_DEBUG);
	assert_string_equal(fake_console, "");
}

static void test_typical_xen_line(void **state)
{
	(void)state;
	assert_int_equal(params_parse("console=dtuart dtuart=serial0 dom0_mem=1G,max:1G "
				      "dom0_max_vcpus=2 loglvl=all guest_loglvl=all",
				      &opts),
			 0);
	assert_string_equal(opts.console, "dtuart");
	assert_string_equal(opts.dtuart, "serial0");
	assert_int_equal(opts.dom0_mem, 1ULL << 30);
	assert_int_equal(opts.dom0_mem_max, 1ULL << 30);
	assert_int_equal(opts.dom0_max_vcpus, 2);
	assert_int_equal(opts.loglvl, LOG_DEBUG);
	assert_int_equal(opts.guest_loglvl, LOG_DEBUG);
}

static void test_unknown_option(void **state)
{
	(void)state;
	assert_one_warning("bootscrub=0", "unknown command-line option 'bootscrub' ignored", NULL);
	assert_one_warning("frobnicate", "unknown command-line option 'frobnicate' ignored", NULL);
	assert_one_warning("=5", "unknown command-line option '' ignored", NULL);
	/* A prefix of a real option is not that option. */
	assert_one_warning("sche=rr", "'sche'", NULL);
	assert_int_equal(opts.sched, SCHED_AUTO);
	/* Unknown options do not stop the rest of the line. */
	fake_console_reset();
	assert_int_equal(params_parse("a=1 noreboot b", &opts), 2);
	assert_true(opts.noreboot);
}

static void test_console(void **state)
{
	(void)state;
	assert_int_equal(params_parse("console=none", &opts), 0);
	assert_string_equal(opts.console, "none");
	assert_one_warning("console=vga", "'console'", "'vga'");
	assert_logged("dtuart|none");
	assert_string_equal(opts.console, "none");
	assert_one_warning("console", "'console' needs a value", NULL);
	assert_int_equal(params_parse("console=dtuart", &opts), 0);
	assert_string_equal(opts.console, "dtuart");
}

static void test_dtuart(void **state)
{
	char line[200];

	(void)state;
	assert_int_equal(params_parse("dtuart=/pl011@9000000", &opts), 0);
	assert_string_equal(opts.dtuart, "/pl011@9000000");
	assert_int_equal(params_parse("dtuart=serial0:115200n8", &opts), 0);
	assert_string_equal(opts.dtuart, "serial0:115200n8");
	/* 127 characters fit (128-byte buffer), 128 do not. */
	strcpy(line, "dtuart=/");
	memset(line + 8, 'a', 126);
	line[8 + 126] = '\0';
	assert_int_equal(params_parse(line, &opts), 0);
	assert_int_equal(strlen(opts.dtuart), 127);
	strcat(line, "b");
	assert_one_warning(line, "'dtuart'", "longer than 127");
	assert_int_equal(strlen(opts.dtuart), 127);
	assert_int_equal(opts.dtuart[126], 'a');
	/* An empty value goes back to /chosen/stdout-path. */
	assert_int_equal(params_parse("dtuart=", &opts), 0);
	assert_string_equal(opts.dtuart, "");
}

static void test_too_long_token(void **state)
{
	char line[400];

	(void)state;
	strcpy(line, "dtuart=");
	memset(line + 7, 'x', 300);
	strcpy(line + 307, " noreboot");
	assert_one_warning(line, "too long", "dtuart=xxx");
	assert_string_equal(opts.dtuart, "");
	assert_true(opts.noreboot);
}

static void test_loglvl(void **state)
{
	static const struct {
		const char *name;
		enum log_level lvl;
	} cases[] = {
		{ "none", LOG_NONE }, { "error", LOG_ERR },   { "warning", LOG_WARN },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "all", LOG_DEBUG },
	};
	char line[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "loglvl=%s guest_loglvl=%s", cases[i].name,
			 cases[i].name);
		params_defaults(&opts);
		assert_int_equal(params_parse(line, &opts), 0);
		assert_int_equal(opts.loglvl, cases[i].lvl);
		assert_int_equal(opts.guest_loglvl, cases[i].lvl);
	}
	params_defaults(&opts);
	assert_int_equal(params_parse("loglvl=debug/warning guest_loglvl=error/none", &opts), 0);
	assert_int_equal(opts.loglvl, LOG_DEBUG);
	assert_int_equal(opts.guest_loglvl, LOG_ERR);

	params_defaults(&opts);
	assert_one_warning("loglvl=verbose", "'loglvl'", "'verbose'");
	assert_logged("none|error|warning|info|debug|all");
	assert_int_equal(opts.loglvl, LOG_INFO);
	/* The warning shows the value as given, even though the parser split it. */
	assert_one_warning("guest_loglvl=info/bogus", "'guest_loglvl'", "'info/bogus'");
	assert_int_equal(opts.guest_loglvl, LOG_WARN);
	assert_one_warning("loglvl=", "'loglvl'", "''");
	assert_one_warning("loglvl=/info", "'loglvl'", NULL);
	assert_int_equal(opts.loglvl, LOG_INFO);
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		u64 v;
	} good[] = {
		{ "0", 0 },
		{ "4096B", 4096 },
		{ "1k", 1024 },
		{ "1K", 1024 },
		{ "512M", 512ULL << 20 },
		{ "2g", 2ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "100B", 100 },
		{ "0x1000", 0x1000ULL << 10 },
		{ "4096", 4096ULL << 10 },
		{ "0x10M", 16ULL << 20 },
		{ "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615B", UINT64_MAX },
		{ "18014398509481983", 18014398509481983ULL << 10 },
	};
	static const char *const bad[] = {
		"",	     "M",
		"1X",	     "1MB",
		"1 M",	     "-1",
		"0x",	     "1.5G",
		"16777216T", "18446744073709551616",
		"+1",	     "18014398509481984",
	};
	u64 v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		if (params_parse_size(good[i].s, &v) != 0 || v != good[i].v) {
			fail_msg("params_parse_size(\"%s\") gave %llu", good[i].s,
				 (unsigned long long)v);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		if (params_parse_size(bad[i], &v) != -HV_EINVAL || v != 12345) {
			fail_msg("params_parse_size(\"%s\") accepted", bad[i]);
		}
	}
	assert_int_equal(params_parse_size(NULL, &v), -HV_EINVAL);
}

static void test_dom0_mem(void **state)
{
	(void)state;
	assert_int_equal(params_parse("dom0_mem=512M", &opts), 0);
	assert_int_equal(opts.dom0_mem, 512ULL << 20);
	assert_int_equal(opts.dom0_mem_max, 0);

	assert_int_equal(params_parse("dom0_mem=256M,max:1G", &opts), 0);
	assert_int_equal(opts.dom0_mem, 256ULL << 20);
	assert_int_equal(opts.dom0_mem_max, 1ULL << 30);

	params_defaults(&opts);
	assert_int_equal(params_parse("dom0_mem=max:2G", &opts), 0);
	assert_int_equal(opts.dom0_mem, 0);
	assert_int_equal(opts.dom0_mem_max, 2ULL << 30);

	/* Sizes are rounded up to whole pages. */
	assert_int_equal(params_parse("dom0_mem=4097B", &opts), 0);
	assert_int_equal(opts.dom0_mem, 8192);
	assert_int_equal(params_parse("dom0_mem=1B", &opts), 0);
	assert_int_equal(opts.dom0_mem, 4096);
	/* No suffix counts KiB, as in Xen. */
	assert_int_equal(params_parse("dom0_mem=524288", &opts), 0);
	assert_int_equal(opts.dom0_mem, 512ULL << 20);

	params_defaults(&opts);
	static const char *const bad[] = {
		"dom0_mem=0",
		"dom0_mem=max:0",
		"dom0_mem=1G,max:512M",
		"dom0_mem=lots",
		"dom0_mem=1G,",
		"dom0_mem=,1G",
		"dom0_mem=1G,1G",
		"dom0_mem=max:1G,max:2G",
		"dom0_mem=max:1G,512M",
		"dom0_mem=min:1G",
		"dom0_mem=18446744073709551615",
		"dom0_mem=",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_one_warning(bad[i], "'dom0_mem'", bad[i] + strlen("dom0_mem="));
		assert_logged("max:<size>");
		assert_int_equal(opts.dom0_mem, 0);
		assert_int_equal(opts.dom0_mem_max, 0);
	}
}

static void test_dom0_max_vcpus(void **state)
{
	(void)state;
	assert_int_equal(params_parse("dom0_max_vcpus=4", &opts), 0);
	assert_int_equal(opts.dom0_max_vcpus, 4);
	assert_int_equal(params_parse("dom0_max_vcpus=1-8", &opts), 0);
	assert_int_equal(opts.dom0_max_vcpus, 8);
	assert_int_equal(params_parse("dom0_max_vcpus=128", &opts), 0);
	assert_int_equal(opts.dom0_max_vcpus, 128);
	assert_int_equal(params_parse("dom0_max_vcpus=1", &opts), 0);
	assert_int_equal(opts.dom0_max_vcpus, 1);

	static const char *const bad[] = {
		"dom0_max_vcpus=0",    "dom0_max_vcpus=129",
		"dom0_max_vcpus=2-4",  "dom0_max_vcpus=1-",
		"dom0_max_vcpus=-4",   "dom0_max_vcpus=four",
		"dom0_max_vcpus=4x",   "dom0_max_vcpus=1-0",
		"dom0_max_vcpus=1--4", "dom0_max_vcpus=99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_one_warning(bad[i], "'dom0_max_vcpus'", "1-N");
		assert_int_equal(opts.dom0_max_vcpus, 1);
	}
}

static void test_sched(void **state)
{
	(void)state;
	assert_int_equal(params_parse("sched=pinned", &opts), 0);
	assert_int_equal(opts.sched, SCHED_PINNED);
	assert_int_equal(params_parse("sched=rr", &opts), 0);
	assert_int_equal(opts.sched, SCHED_RR);
	assert_int_equal(params_parse("sched=auto", &opts), 0);
	assert_int_equal(opts.sched, SCHED_AUTO);
	assert_string_equal(fake_console, "");

	assert_int_equal(params_parse("sched=null", &opts), 0);
	assert_int_equal(opts.sched, SCHED_PINNED);
	assert_logged("'pinned'");
	fake_console_reset();
	assert_int_equal(params_parse("sched=credit", &opts), 0);
	assert_int_equal(opts.sched, SCHED_RR);
	assert_logged("'rr'");
	opts.sched = SCHED_AUTO;
	assert_int_equal(params_parse("sched=credit2", &opts), 0);
	assert_int_equal(opts.sched, SCHED_RR);

	assert_one_warning("sched=rtds", "'sched'", "'rtds'");
	assert_logged("auto|pinned|rr");
	assert_int_equal(opts.sched, SCHED_RR);
}

static void test_noreboot(void **state)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	char line[32];

	(void)state;
	assert_int_equal(params_parse("noreboot", &opts), 0);
	assert_true(opts.noreboot);
	for (size_t i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "noreboot=%s", no[i]);
		assert_int_equal(params_parse(line, &opts), 0);
		assert_false(opts.noreboot);
		snprintf(line, sizeof(line), "noreboot=%s", yes[i]);
		assert_int_equal(params_parse(line, &opts), 0);
		assert_true(opts.noreboot);
	}
	assert_one_warning("noreboot=maybe", "'noreboot'", "'maybe'");
	assert_true(opts.noreboot);
	assert_one_warning("noreboot=", "'noreboot'", "''");
	assert_true(opts.noreboot);
}

static void test_domu_restarts(void **state)
{
	(void)state;
	assert_int_equal(opts.domu_restart_limit, 5); /* defaults: 5 within 60 s */
	assert_int_equal(opts.domu_restart_window_s, 60);
	assert_int_equal(params_parse("domu_restarts=10", &opts), 0);
	assert_int_equal(opts.domu_restart_limit, 10);
	assert_int_equal(opts.domu_restart_window_s, 60);
	assert_int_equal(params_parse("domu_restarts=0,3600", &opts), 0);
	assert_int_equal(opts.domu_restart_limit, 0);
	assert_int_equal(opts.domu_restart_window_s, 3600);

	static const char *const bad[] = {
		"domu_restarts=",	"domu_restarts=x",	 "domu_restarts=3,",
		"domu_restarts=3,0",	"domu_restarts=3,86401", "domu_restarts=100001",
		"domu_restarts=3,60,1", "domu_restarts=-1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_one_warning(bad[i], "'domu_restarts'", "<N>[,<seconds>]");
		assert_int_equal(opts.domu_restart_limit, 0);
		assert_int_equal(opts.domu_restart_window_s, 3600);
	}
}

static void test_selftest(void **state)
{
	(void)state;
	assert_int_equal(params_parse("selftest=fault", &opts), 0);
	assert_string_equal(opts.selftest, "fault");
	params_defaults(&opts);
	assert_one_warning("selftest=everything", "'selftest'", "'everything'");
	assert_string_equal(opts.selftest, "");
}

static void test_last_wins_and_warning_count(void **state)
{
	(void)state;
	assert_int_equal(params_parse("sched=rr sched=pinned dom0_mem=1G dom0_mem=2G", &opts), 0);
	assert_int_equal(opts.sched, SCHED_PINNED);
	assert_int_equal(opts.dom0_mem, 2ULL << 30);
	fake_console_reset();
	assert_int_equal(params_parse("sched=bad x loglvl=bad dom0_mem=3G", &opts), 3);
	assert_int_equal(opts.sched, SCHED_PINNED);
	assert_int_equal(opts.loglvl, LOG_INFO);
	assert_int_equal(opts.dom0_mem, 3ULL << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_empty_and_whitespace, setup),
		cmocka_unit_test_setup(test_typical_xen_line, setup),
		cmocka_unit_test_setup(test_unknown_option, setup),
		cmocka_unit_test_setup(test_console, setup),
		cmocka_unit_test_setup(test_dtuart, setup),
		cmocka_unit_test_setup(test_too_long_token, setup),
		cmocka_unit_test_setup(test_loglvl, setup),
		cmocka_unit_test_setup(test_parse_size, setup),
		cmocka_unit_test_setup(test_dom0_mem, setup),
		cmocka_unit_test_setup(test_dom0_max_vcpus, setup),
		cmocka_unit_test_setup(test_sched, setup),
		cmocka_unit_test_setup(test_noreboot, setup),
		cmocka_unit_test_setup(test_domu_restarts, setup),
		cmocka_unit_test_setup(test_selftest, setup),
		cmocka_unit_test_setup(test_last_wins_and_warning_count, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
