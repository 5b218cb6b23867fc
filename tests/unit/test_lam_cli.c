/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the pure parts of the `lam` CLI (tools/lam/util.c, with liblam's names.c):
 * xl's state letters, DOM resolution by name or ID, number and memory-size parsing,
 * argument parsing of create and list, the list table and its JSON form, and the saved
 * configuration reading back to the same settings through the xl.cfg parser.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <lam/cfg.h>
#include <public/xen.h>

#include "../../tools/lam/lam.h"

/** Captures what fn writes to a FILE into a malloc'd string. */
#define CAPTURE(out, call)                                       \
	do {                                                     \
		size_t capture_len_;                             \
		FILE *f = open_memstream(&(out), &capture_len_); \
		assert_non_null(f);                              \
		call;                                            \
		fclose(f);                                       \
	} while (0)

static struct lam_dom_info dom(uint32_t id, const char *name, uint32_t flags)
{
	struct lam_dom_info d;

	memset(&d, 0, sizeof(d));
	d.domid = id;
	d.flags = flags;
	snprintf(d.name, sizeof(d.name), "%s", name);
	return d;
}

static void test_state_string(void **state)
{
	struct lam_dom_info d = dom(1, "a", 0);
	char s[7];

	(void)state;
	lam_state_string(&d, s);
	assert_string_equal(s, "------");
	d.flags = LAM_DOMINF_running;
	lam_state_string(&d, s);
	assert_string_equal(s, "r-----");
	d.flags = LAM_DOMINF_blocked | LAM_DOMINF_paused;
	lam_state_string(&d, s);
	assert_string_equal(s, "-bp---");
	d.flags = LAM_DOMINF_shutdown;
	d.shutdown_reason = SHUTDOWN_poweroff;
	lam_state_string(&d, s);
	assert_string_equal(s, "---s--");
	d.shutdown_reason = SHUTDOWN_crash;
	lam_state_string(&d, s);
	assert_string_equal(s, "---sc-");
	d.shutdown_reason = SHUTDOWN_reboot;
	d.flags |= LAM_DOMINF_dying;
	lam_state_string(&d, s);
	assert_string_equal(s, "---srd");
	d.shutdown_reason = 77;
	lam_state_string(&d, s);
	assert_string_equal(s, "---s?d");
	/* A reason without the shutdown flag means nothing. */
	d.flags = 0;
	d.shutdown_reason = SHUTDOWN_crash;
	lam_state_string(&d, s);
	assert_string_equal(s, "------");
}

static void test_names(void **state)
{
	struct lam_dom_info d0 = dom(0, "", LAM_DOMINF_privileged);
	struct lam_dom_info d1 = dom(1, "web", 0);

	(void)state;
	assert_string_equal(lam_dom_name(&d0), "Domain-0");
	assert_string_equal(lam_dom_name(&d1), "web");
	assert_string_equal(lam_shutdown_name(SHUTDOWN_reboot), "reboot");
	assert_string_equal(lam_shutdown_name(99), "unknown");
	assert_int_equal(lam_shutdown_letter(SHUTDOWN_watchdog), 'w');
}

static void test_parse_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(lam_parse_u64("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(lam_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(lam_parse_u64("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(lam_parse_u64("11", 10, &v), -ERANGE);
	assert_int_equal(lam_parse_u64("", 10, &v), -EINVAL);
	assert_int_equal(lam_parse_u64("-1", 10, &v), -EINVAL);
	assert_int_equal(lam_parse_u64("1x", 10, &v), -EINVAL);
	assert_int_equal(lam_parse_u64(" 1", 10, &v), -EINVAL);
}

static void test_parse_mem(void **state)
{
	uint64_t kb;

	(void)state;
	assert_int_equal(lam_parse_mem_kb("256", &kb), 0);
	assert_int_equal(kb, 256 * 1024);
	assert_int_equal(lam_parse_mem_kb("512M", &kb), 0);
	assert_int_equal(kb, 512 * 1024);
	assert_int_equal(lam_parse_mem_kb("1g", &kb), 0);
	assert_int_equal(kb, 1024 * 1024);
	assert_int_equal(lam_parse_mem_kb("2T", &kb), 0);
	assert_true(kb == 2ull << 30);
	assert_int_equal(lam_parse_mem_kb("2048k", &kb), 0);
	assert_int_equal(kb, 2048);
	assert_int_equal(lam_parse_mem_kb("1048576b", &kb), 0);
	assert_int_equal(kb, 1024);
	assert_int_equal(lam_parse_mem_kb("", &kb), -EINVAL);
	assert_int_equal(lam_parse_mem_kb("m", &kb), -EINVAL);
	assert_int_equal(lam_parse_mem_kb("12x", &kb), -EINVAL);
	assert_int_equal(lam_parse_mem_kb("1.5g", &kb), -EINVAL);
	assert_int_equal(lam_parse_mem_kb("-5", &kb), -EINVAL);
	assert_int_equal(lam_parse_mem_kb("99999999999999999t", &kb), -ERANGE);
}

static void test_find_domain(void **state)
{
	struct lam_dom_info list[3] = { dom(0, "", 0), dom(3, "web", 0), dom(7, "42", 0) };
	uint16_t id = 0xffff;

	(void)state;
	assert_int_equal(lam_find_domain(list, 3, "3", &id), LAM_FIND_OK);
	assert_int_equal(id, 3);
	assert_int_equal(lam_find_domain(list, 3, "web", &id), LAM_FIND_OK);
	assert_int_equal(id, 3);
	assert_int_equal(lam_find_domain(list, 3, "Domain-0", &id), LAM_FIND_OK);
	assert_int_equal(id, 0);
	assert_int_equal(lam_find_domain(list, 3, "0", &id), LAM_FIND_OK);
	assert_int_equal(id, 0);
	assert_int_equal(lam_find_domain(list, 3, "foo", &id), LAM_FIND_NO_NAME);
	assert_int_equal(lam_find_domain(list, 3, "5", &id), LAM_FIND_NO_ID);
	/* All digits is an ID, as in xl: a domain named "42" is reached by its ID only. */
	assert_int_equal(lam_find_domain(list, 3, "42", &id), LAM_FIND_NO_ID);
	assert_int_equal(lam_find_domain(list, 3, "", &id), LAM_FIND_BAD_SPEC);
	assert_int_equal(lam_find_domain(list, 3, "32752", &id), LAM_FIND_BAD_SPEC);
	assert_int_equal(lam_find_domain(list, 3, "99999999999999999999999", &id),
			 LAM_FIND_BAD_SPEC);
	assert_int_equal(lam_find_domain(NULL, 0, "web", &id), LAM_FIND_NO_NAME);
}

static void test_json_string(void **state)
{
	char *out = NULL;

	(void)state;
	CAPTURE(out, lam_json_string(f, "a\"b\\c\nd\x01"));
	assert_string_equal(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
	free(out);
}

static void test_list_table(void **state)
{
	struct lam_dom_info list[2] = { dom(0, "Domain-0", LAM_DOMINF_running),
					dom(1, "demo", LAM_DOMINF_blocked) };
	char *out = NULL;
	char line[256];

	(void)state;
	list[0].tot_pages = 262144; /* 1 GiB */
	list[0].nr_vcpus = list[0].nr_online_vcpus = 2;
	list[0].cpu_time_ns = 12345000000ull;
	list[1].tot_pages = 65536 + 2;
	list[1].nr_vcpus = list[1].nr_online_vcpus = 1;
	CAPTURE(out, lam_list_print(f, list, 2, false, 0));
	snprintf(line, sizeof(line), "%-40s %5s %5s %5s     %-6s  %8s\n", "Name", "ID", "Mem",
		 "VCPUs", "State", "Time(s)");
	assert_memory_equal(out, line, strlen(line));
	assert_non_null(strstr(out,
			       "Domain-0                                     0  1024     2     "
			       "r-----      12.3\n"));
	assert_non_null(strstr(out,
			       "demo                                         1   256     1     "
			       "-b----       0.0\n"));
	free(out);

	CAPTURE(out, lam_list_print(f, list, 2, true, 0));
	assert_non_null(strstr(out, "MaxMem"));
	assert_non_null(strstr(out, "Uptime(s)"));
	free(out);
}

static void test_list_json(void **state)
{
	struct lam_dom_info list[2] = { dom(0, "Domain-0", LAM_DOMINF_running),
					dom(4, "q\"x", LAM_DOMINF_shutdown) };
	char *out = NULL;

	(void)state;
	list[0].tot_pages = 1024;
	list[0].max_pages = 2048;
	list[0].nr_vcpus = list[0].nr_online_vcpus = 1;
	list[0].cpu_time_ns = 1500000000ull;
	list[1].shutdown_reason = SHUTDOWN_crash;
	list[1].created_ns = 1000000000ull;
	CAPTURE(out, lam_list_print_json(f, list, 2, 11000000000ull));
	assert_string_equal(
		out,
		"[\n"
		"  {\"domid\": 0, \"name\": \"Domain-0\", \"mem_kb\": 4096, \"memory\": 4, "
		"\"max_mem_kb\": 8192, \"vcpus\": 1, \"online_vcpus\": 1, \"state\": \"r-----\", "
		"\"cpu_time\": 1.500, \"uptime\": 11, \"shutdown_reason\": null},\n"
		"  {\"domid\": 4, \"name\": \"q\\\"x\", \"mem_kb\": 0, \"memory\": 0, "
		"\"max_mem_kb\": 0, \"vcpus\": 0, \"online_vcpus\": 0, \"state\": \"---sc-\", "
		"\"cpu_time\": 0.000, \"uptime\": 10, \"shutdown_reason\": \"crash\"}\n"
		"]\n");
	free(out);
	CAPTURE(out, lam_list_print_json(f, NULL, 0, 0));
	assert_string_equal(out, "[]\n");
	free(out);
}

static void test_format(void **state)
{
	char buf[64];

	(void)state;
	lam_format_uptime(0, buf, sizeof(buf));
	assert_string_equal(buf, "00:00:00");
	lam_format_uptime(3723, buf, sizeof(buf));
	assert_string_equal(buf, "01:02:03");
	lam_format_uptime(86400 + 59, buf, sizeof(buf));
	assert_string_equal(buf, "1 day, 00:00:59");
	lam_format_uptime(3 * 86400, buf, sizeof(buf));
	assert_string_equal(buf, "3 days, 00:00:00");

	lam_format_cpus(0, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	lam_format_cpus(0x2f, buf, sizeof(buf));
	assert_string_equal(buf, "0-3,5");
	lam_format_cpus(1ull << 63, buf, sizeof(buf));
	assert_string_equal(buf, "63");
	lam_format_cpus(0x5, buf, sizeof(buf));
	assert_string_equal(buf, "0,2");
	lam_format_cpus(~0ull, buf, sizeof(buf));
	assert_string_equal(buf, "0-63");
}

static void test_create_args(void **state)
{
	char *a1[] = { "create", "demo.cfg", "-c", "memory=512", "name=x", NULL };
	char *a2[] = { "create", "-p", "-f", "x.cfg", "vcpus=2", NULL };
	char *a3[] = { "create", "memory=1", NULL };
	char *a4[] = { "create", "a.cfg", "b.cfg", NULL };
	char *a5[] = { "create", "-z", "a.cfg", NULL };
	char *a6[] = { "create", "--", "-odd.cfg", NULL };
	char *a7[] = { "create", "a.cfg", "=5", NULL };
	struct lam_create_args args;
	const char *ov[8];
	char err[128];

	(void)state;
	assert_int_equal(lam_parse_create_args(5, a1, &args, ov, err, sizeof(err)), 0);
	assert_string_equal(args.config, "demo.cfg");
	assert_true(args.console);
	assert_false(args.paused);
	assert_int_equal(args.nr_overrides, 2);
	assert_string_equal(args.overrides[0], "memory=512");
	assert_string_equal(args.overrides[1], "name=x");

	assert_int_equal(lam_parse_create_args(5, a2, &args, ov, err, sizeof(err)), 0);
	assert_string_equal(args.config, "x.cfg");
	assert_true(args.paused);
	assert_false(args.console);
	assert_int_equal(args.nr_overrides, 1);

	assert_int_equal(lam_parse_create_args(2, a3, &args, ov, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no configuration file given");
	assert_int_equal(lam_parse_create_args(3, a4, &args, ov, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "b.cfg"));
	assert_int_equal(lam_parse_create_args(3, a5, &args, ov, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown option '-z'");
	assert_int_equal(lam_parse_create_args(3, a6, &args, ov, err, sizeof(err)), 0);
	assert_string_equal(args.config, "-odd.cfg");
	assert_int_equal(lam_parse_create_args(3, a7, &args, ov, err, sizeof(err)), -EINVAL);
}

static void test_list_args(void **state)
{
	char *a1[] = { "list", "-l", "--json", "web", "3", NULL };
	char *a2[] = { "list", "--bogus", NULL };
	struct lam_list_args args;
	const char *doms[8];
	char err[128];

	(void)state;
	assert_int_equal(lam_parse_list_args(5, a1, &args, doms, err, sizeof(err)), 0);
	assert_true(args.long_fmt);
	assert_true(args.json);
	assert_int_equal(args.nr_doms, 2);
	assert_string_equal(args.doms[1], "3");
	assert_int_equal(lam_parse_list_args(2, a2, &args, doms, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown option '--bogus'");
}

/** A configuration written by lam_cfg_write() reads back to the same settings. */
static void test_cfg_roundtrip(void **state)
{
	static const char text[] =
		"name = \"rt\"\n"
		"memory = 300\nmaxmem = 400\nvcpus = 2\nmaxvcpus = 3\n"
		"cpus = \"1-2,5\"\n"
		"kernel = \"/boot/Image\"\nramdisk = \"/boot/initrd\"\n"
		"extra = 'console=hvc0 msg=\"hi\"'\n"
		"on_poweroff = \"preserve\"\non_reboot = \"destroy\"\n"
		"on_crash = \"restart\"\n"
		"uuid = \"01234567-89ab-cdef-0123-456789abcdef\"\n"
		"disk = [ 'phy:/dev/vdb,xvdb,r', \"vdev=xvdc, target=/i/it's,\\\\x\",\n"
		"\t'vdev=hdc:cdrom, no-discard, target=/c.iso' ]\n";
	struct lam_cfg *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char path[] = "/tmp/lam_cli_cfg_XXXXXX";
	char err[256];
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	if (lam_cfg_parse_string(text, "rt.cfg", a, err, sizeof(err)) != 0) {
		fail_msg("parse: %s", err);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(lam_cfg_write(f, a), 0);
	fclose(f);
	if (lam_cfg_parse_file(path, b, err, sizeof(err)) != 0) {
		unlink(path);
		fail_msg("re-parse: %s", err);
	}
	unlink(path);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->memory_mb, b->memory_mb);
	assert_int_equal(a->maxmem_mb, b->maxmem_mb);
	assert_int_equal(a->vcpus, b->vcpus);
	assert_int_equal(a->max_vcpus, b->max_vcpus);
	assert_true(b->cpus_set);
	assert_true(a->cpu_mask == b->cpu_mask);
	assert_string_equal(a->kernel, b->kernel);
	assert_string_equal(a->ramdisk, b->ramdisk);
	assert_string_equal(a->cmdline, b->cmdline);
	assert_string_equal(b->cmdline, "console=hvc0 msg=\"hi\"");
	assert_int_equal(b->on_poweroff, LAM_CFG_ACTION_PRESERVE);
	assert_int_equal(b->on_reboot, LAM_CFG_ACTION_DESTROY);
	assert_int_equal(b->on_crash, LAM_CFG_ACTION_RESTART);
	assert_true(b->has_uuid);
	assert_memory_equal(a->uuid, b->uuid, 16);
	assert_int_equal(b->nr_disks, 3);
	assert_memory_equal(a->disks, b->disks, sizeof(a->disks));
	assert_string_equal(b->disks[1].target, "/i/it's,\\x");
	assert_true(b->disks[2].cdrom && !b->disks[2].discard);
	free(a);
	free(b);
}

/*
 * A backslash is an escape when the file is read back, so the writer doubles it: a saved
 * "a\\tb" came back as a tab, a saved "\\q" did not parse at all (found by fuzz_cfg).
 */
static void test_cfg_write_backslash(void **state)
{
	static const char *const values[] = { "x=\\t y", "path=C:\\q", "msg=\"\\\\\"", "end\\" };
	struct lam_cfg *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char err[256];
	char *out = NULL;
	int rc;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (unsigned int i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		lam_cfg_init(a);
		snprintf(a->name, sizeof(a->name), "x");
		snprintf(a->kernel, sizeof(a->kernel), "/k\\n");
		snprintf(a->cmdline, sizeof(a->cmdline), "%s", values[i]);
		CAPTURE(out, rc = lam_cfg_write(f, a));
		assert_int_equal(rc, 0);
		if (lam_cfg_parse_string(out, "saved.cfg", b, err, sizeof(err)) != 0) {
			fail_msg("%s: re-parse: %s", values[i], err);
		}
		assert_string_equal(b->cmdline, values[i]);
		assert_string_equal(b->kernel, "/k\\n");
		free(out);
		out = NULL;
	}
	free(a);
	free(b);
}

static void test_cfg_write_unquotable(void **state)
{
	struct lam_cfg *c = calloc(1, sizeof(*c));
	char *out = NULL;
	int rc;

	(void)state;
	assert_non_null(c);
	lam_cfg_init(c);
	snprintf(c->name, sizeof(c->name), "x");
	snprintf(c->kernel, sizeof(c->kernel), "/k");
	snprintf(c->cmdline, sizeof(c->cmdline), "a=\"1\" b='2'");
	CAPTURE(out, rc = lam_cfg_write(f, c));
	assert_int_equal(rc, -EINVAL);
	free(out);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_string),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_mem),
		cmocka_unit_test(test_find_domain),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_list_table),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_create_args),
		cmocka_unit_test(test_list_args),
		cmocka_unit_test(test_cfg_roundtrip),
		cmocka_unit_test(test_cfg_write_backslash),
		cmocka_unit_test(test_cfg_write_unquotable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
