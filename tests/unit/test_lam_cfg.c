/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for liblam's xl.cfg-syntax parser (tools/lib/liblam/cfg.c): every key, the value
 * syntax (quotes, numbers, lists over several lines, comments, ';'), the defaults xl uses,
 * every error path with its "file:line: key: " prefix, and command-line overrides.
 */
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

static struct lam_cfg *cfg;
static char err[512];

#define BASE "name = \"demo\"\nkernel = \"/boot/Image\"\n"

static int setup(void **state)
{
	(void)state;
	cfg = calloc(1, sizeof(*cfg));
	assert_non_null(cfg);
	memset(err, 0, sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(cfg);
	return 0;
}

static int parse(const char *text)
{
	err[0] = '\0';
	return lam_cfg_parse_string(text, "demo.cfg", cfg, err, sizeof(err));
}

static void ok(const char *text)
{
	int rc = parse(text);

	if (rc) {
		fail_msg("unexpected error: %s\n--- for ---\n%s", err, text);
	}
}

/** The parse must fail with exactly @msg. */
static void bad(const char *text, const char *msg)
{
	int rc = parse(text);

	if (rc != -1) {
		fail_msg("expected error \"%s\" but parse succeeded for:\n%s", msg, text);
	}
	assert_string_equal(err, msg);
}

/** The parse must fail with a message starting with @prefix. */
static void bad_prefix(const char *text, const char *prefix)
{
	int rc = parse(text);

	if (rc != -1) {
		fail_msg("expected error \"%s...\" but parse succeeded for:\n%s", prefix, text);
	}
	if (strncmp(err, prefix, strlen(prefix)) != 0) {
		fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
	}
}

/* ---- defaults and every key ------------------------------------------------------------ */

static void test_minimal_defaults(void **state)
{
	(void)state;
	ok(BASE);
	assert_string_equal(cfg->name, "demo");
	assert_string_equal(cfg->kernel, "/boot/Image");
	assert_int_equal(cfg->type, LAM_CFG_TYPE_PVH);
	assert_int_equal(cfg->memory_mb, 32);
	assert_int_equal(cfg->maxmem_mb, 32);
	assert_int_equal(cfg->vcpus, 1);
	assert_int_equal(cfg->max_vcpus, 1);
	assert_false(cfg->cpus_set);
	assert_string_equal(cfg->ramdisk, "");
	assert_string_equal(cfg->cmdline, "");
	assert_int_equal(cfg->on_poweroff, LAM_CFG_ACTION_DESTROY);
	assert_int_equal(cfg->on_reboot, LAM_CFG_ACTION_RESTART);
	assert_int_equal(cfg->on_crash, LAM_CFG_ACTION_DESTROY);
	assert_false(cfg->has_uuid);
}

static void test_full_config(void **state)
{
	static const uint8_t want_uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
					       0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	(void)state;
	ok("# A DomU for the demo\n"
	   "\n"
	   "name = 'web-1.example_A'   # trailing comment\n"
	   "type = \"pvh\"\n"
	   "memory = 512\n"
	   "maxmem = 0x400\n"
	   "vcpus = 2\n"
	   "maxvcpus = 4\n"
	   "cpus = \"0,2-3\"\n"
	   "kernel = \"/srv/Image\"\n"
	   "ramdisk = \"/srv/initrd.img\"\n"
	   "extra = \"console=hvc0 quiet\"\n"
	   "root = \"/dev/xvda1 ro\"\n"
	   "on_poweroff = \"preserve\"; on_reboot = \"destroy\"; on_crash = \"restart\"\n"
	   "on_watchdog = \"destroy\"\n"
	   "on_soft_reset = \"soft-reset\"\n"
	   "uuid = \"12345678-9ABC-def0-0123-456789abcdef\"\n");
	assert_string_equal(cfg->name, "web-1.example_A");
	assert_int_equal(cfg->memory_mb, 512);
	assert_int_equal(cfg->maxmem_mb, 1024);
	assert_int_equal(cfg->vcpus, 2);
	assert_int_equal(cfg->max_vcpus, 4);
	assert_true(cfg->cpus_set);
	assert_int_equal(cfg->cpu_mask, 0xd);
	assert_string_equal(cfg->kernel, "/srv/Image");
	assert_string_equal(cfg->ramdisk, "/srv/initrd.img");
	assert_string_equal(cfg->cmdline, "root=/dev/xvda1 ro console=hvc0 quiet");
	assert_int_equal(cfg->on_poweroff, LAM_CFG_ACTION_PRESERVE);
	assert_int_equal(cfg->on_reboot, LAM_CFG_ACTION_DESTROY);
	assert_int_equal(cfg->on_crash, LAM_CFG_ACTION_RESTART);
	assert_true(cfg->has_uuid);
	assert_memory_equal(cfg->uuid, want_uuid, 16);
}

static void test_numbers(void **state)
{
	(void)state;
	ok(BASE "memory = \"256\"\n"); /* xl accepts quoted numbers */
	assert_int_equal(cfg->memory_mb, 256);
	ok(BASE "memory = 0x100\n");
	assert_int_equal(cfg->memory_mb, 256);
	ok(BASE "memory = 0400\n"); /* octal, as strtol base 0 in xl */
	assert_int_equal(cfg->memory_mb, 256);
	ok(BASE "memory = 16\n");
	assert_int_equal(cfg->memory_mb, 16);
	ok(BASE "memory = 1048576\n");
	assert_int_equal(cfg->memory_mb, 1048576);
	assert_int_equal(cfg->maxmem_mb, 1048576);
	ok(BASE "vcpus = 128\n");
	assert_int_equal(cfg->vcpus, 128);
	assert_int_equal(cfg->max_vcpus, 128);
}

static void test_type_and_builder(void **state)
{
	(void)state;
	ok(BASE "type = \"pv\"\n");
	assert_int_equal(cfg->type, LAM_CFG_TYPE_PV);
	ok(BASE "builder = \"generic\"\n");
	assert_int_equal(cfg->type, LAM_CFG_TYPE_PV);
	bad(BASE "type = \"hvm\"\n",
	    "demo.cfg:3: type: \"hvm\" guests are not supported on Arm (use \"pvh\", the default)");
	bad(BASE "type = \"xen\"\n",
	    "demo.cfg:3: type: unknown guest type \"xen\" (use \"pvh\" or \"pv\")");
	bad(BASE "builder = \"hvm\"\n",
	    "demo.cfg:3: builder: \"hvm\" guests are not supported on Arm (use type = \"pvh\")");
	bad(BASE "builder = \"linux\"\n",
	    "demo.cfg:3: builder: unknown builder \"linux\" (only \"generic\")");
}

static void test_cmdline_rules(void **state)
{
	(void)state;
	/* cmdline wins over root and extra, as in xl. */
	ok(BASE "root = \"/dev/xvda\"\nextra = \"quiet\"\ncmdline = \"console=hvc0\"\n");
	assert_string_equal(cfg->cmdline, "console=hvc0");
	ok(BASE "root = \"/dev/xvda\"\n");
	assert_string_equal(cfg->cmdline, "root=/dev/xvda");
	ok(BASE "extra = \"quiet\"\n");
	assert_string_equal(cfg->cmdline, "quiet");
	ok(BASE "extra = \"console=hvc0\"\nextra += \" quiet\"\n");
	assert_string_equal(cfg->cmdline, "console=hvc0 quiet");
	ok(BASE "cmdline += \"a\"\n");
	assert_string_equal(cfg->cmdline, "a");
	ok(BASE "extra = \"\"\n");
	assert_string_equal(cfg->cmdline, "");
}

static void test_cmdline_too_long(void **state)
{
	size_t n = 4 * LAM_CFG_CMDLINE_MAX;
	char *text = malloc(n + 64);
	char *half = malloc(LAM_CFG_CMDLINE_MAX);

	(void)state;
	assert_non_null(text);
	assert_non_null(half);
	memset(half, 'x', 3000);
	half[3000] = '\0';
	snprintf(text, n + 64, BASE "extra = \"%s\"\nextra += \"%s\"\n", half, half);
	bad(text, "demo.cfg:4: extra: longer than 4095 bytes");
	snprintf(text, n + 64, BASE "root = \"%s\"\nextra = \"%s\"\n", half, half);
	bad(text, "demo.cfg:3: root: root= plus extra make a command line longer than 4095 bytes");
	memset(half, 'y', LAM_CFG_CMDLINE_MAX - 1);
	half[LAM_CFG_CMDLINE_MAX - 1] = '\0';
	snprintf(text, n + 64, BASE "cmdline = \"%s\"\n", half);
	ok(text);
	assert_int_equal(strlen(cfg->cmdline), LAM_CFG_CMDLINE_MAX - 1);
	free(text);
	free(half);
}

static void test_strings_ok(void **state)
{
	(void)state;
	ok(BASE "extra = \"a \\\"b\\\" c\\\\d\\te\"\n");
	assert_string_equal(cfg->cmdline, "a \"b\" c\\d\te");
	ok(BASE "extra = 'say \"hi\"'\n");
	assert_string_equal(cfg->cmdline, "say \"hi\"");
	bad(BASE "extra = 'a' 'b'\n", "demo.cfg:3: extra: expected end of line after the value, "
				      "got \"b\" (one setting per line or ';')");
	bad(BASE "extra = \"abc\n", "demo.cfg:3: extra: unterminated string (missing \")");
	bad(BASE "extra = 'abc", "demo.cfg:3: extra: unterminated string (missing ')");
	bad(BASE "extra = \"a\\qb\"\n", "demo.cfg:3: extra: unsupported escape '\\q' in string");
}

static void test_comments_blank_crlf_semicolons(void **state)
{
	(void)state;
	ok("\n\n# only a comment\n   \t\n"
	   "name=\"a\";;kernel=\"/k\" ; memory=64 # c\r\n"
	   "vcpus = 2\r\n"
	   "#memory = 9999\n");
	assert_string_equal(cfg->name, "a");
	assert_int_equal(cfg->memory_mb, 64);
	assert_int_equal(cfg->vcpus, 2);
	/* A key set twice keeps the last value, as xl. */
	ok(BASE "memory = 64\nmemory = 128\n");
	assert_int_equal(cfg->memory_mb, 128);
	/* '#' inside a string is not a comment. */
	ok(BASE "extra = \"a#b\"\n");
	assert_string_equal(cfg->cmdline, "a#b");
	/* No newline at the end of the file. */
	ok("name = \"x\"\nkernel = \"/k\"");
	assert_string_equal(cfg->kernel, "/k");
	/* A backslash-newline continues a line. */
	ok(BASE "memory = \\\n 96\n");
	assert_int_equal(cfg->memory_mb, 96);
}

/* ---- lists --------------------------------------------------------------------------------- */

static void test_list_syntax(void **state)
{
	(void)state;
	/* A list over several lines, with a comment and a trailing comma. */
	ok(BASE "disk = [ 'phy:/dev/vg/d,xvda,w',\n"
		"         'file:/x.img,xvdb,r', # comment inside\n"
		"       ]\n");
	assert_int_equal(cfg->nr_disks, 2);
	assert_string_equal(cfg->disks[1].target, "/x.img");
	/* Device keys lam lacks are refused, but only after their lists parse. */
	bad(BASE "vfb = [ 'vnc=1',\n  'x' ]\n", "demo.cfg:3: vfb: not supported yet by lam");
	bad(BASE "pci = [\n\n\"01:00.0\"\n\n]\n", "demo.cfg:3: pci: not supported yet by lam");
	bad(BASE "vfb = [ [ 'vnc=1', ], 'x' ]\n", "demo.cfg:3: vfb: not supported yet by lam");
	bad(BASE "vfb = [ 'a' 'b' ]\n", "demo.cfg:3: vfb: expected ',' or ']' in list, got \"b\"");
	bad(BASE "vfb = [ 'a',\n 'b'\n",
	    "demo.cfg:3: vfb: list opened here is not closed with ']'");
	bad(BASE "vfb = [ , ]\n", "demo.cfg:3: vfb: expected a value, got ','");
	bad(BASE "vfb = [[[[[[[[[['x']]]]]]]]]]\n", "demo.cfg:3: vfb: lists nested too deeply");
	/* Line numbers keep counting inside lists. */
	bad(BASE "channel = [\n'a',\n'b',\n]\nmemory = \"lots\"\n",
	    "demo.cfg:3: channel: not supported yet by lam");
	bad(BASE "extra = [ 'a' ]\n", "demo.cfg:3: extra: expected a string, got a list");
	bad(BASE "kernel = [ '/k' ]\n", "demo.cfg:3: kernel: expected a path, got a list");
	bad(BASE "memory = [ 1 ]\n", "demo.cfg:3: memory: expected a number of MiB, got a list");
}

static void test_every_unsupported_key(void **state)
{
	static const char *const keys[] = {
		"vfb",	       "vkb",	      "vtpm",	   "vsnd",     "vdispl",     "pci",
		"dtdev",       "iomem",	      "irqs",	   "channel",  "p9",	     "pvcalls",
		"usbctrl",     "usbdev",      "virtio",	   "vuart",    "serial",     "sound",
		"usb",	       "usbdevice",   "vga",	   "videoram", "nic",	     "rdm",
		"tee",	       "gic_version", "cpus_soft", "pool",     "bootloader", "device_tree",
		"dm_restrict", "seclabel"
	};
	char text[256], want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text), BASE "\n%s = \"x\"\n", keys[i]);
		snprintf(want, sizeof(want), "demo.cfg:4: %s: not supported yet by lam", keys[i]);
		bad(text, want);
	}
}

/* ---- per-key errors ---------------------------------------------------------------------- */

static void test_memory_errors(void **state)
{
	(void)state;
	bad("name = \"d\"\nkernel = \"/k\"\n\n\n\n# x\nmemory = \"lots\"\n",
	    "demo.cfg:7: memory: expected a number of MiB, got \"lots\"");
	bad(BASE "memory = 512M\n", "demo.cfg:3: memory: expected a number of MiB, got \"512M\"");
	bad(BASE "memory = \"-5\"\n", "demo.cfg:3: memory: expected a number of MiB, got \"-5\"");
	bad(BASE "memory = \"\"\n", "demo.cfg:3: memory: expected a number of MiB, got \"\"");
	bad(BASE "memory = 15\n", "demo.cfg:3: memory: 15 out of range 16..1048576");
	bad(BASE "memory = 1048577\n", "demo.cfg:3: memory: 1048577 out of range 16..1048576");
	bad(BASE "memory = 99999999999999999999999\n",
	    "demo.cfg:3: memory: 99999999999999999999999 out of range 16..1048576");
	bad(BASE "maxmem = 0\n", "demo.cfg:3: maxmem: 0 out of range 1..1048576");
	bad(BASE "memory = 512\n\nmaxmem = 256\n",
	    "demo.cfg:5: maxmem: 256 MiB is less than memory (512 MiB)");
	ok(BASE "memory = 512\nmaxmem = 512\n");
	assert_int_equal(cfg->maxmem_mb, 512);
	bad(BASE "memory += 5\n",
	    "demo.cfg:3: memory: '+=' is only supported for cmdline, root and extra");
}

static void test_vcpu_errors(void **state)
{
	(void)state;
	bad(BASE "vcpus = 0\n", "demo.cfg:3: vcpus: 0 out of range 1..128");
	bad(BASE "vcpus = 129\n", "demo.cfg:3: vcpus: 129 out of range 1..128");
	bad(BASE "maxvcpus = 129\n", "demo.cfg:3: maxvcpus: 129 out of range 1..128");
	bad(BASE "vcpus = \"two\"\n", "demo.cfg:3: vcpus: expected a number of vCPUs, got \"two\"");
	bad(BASE "vcpus = 4\nmaxvcpus = 2\n", "demo.cfg:4: maxvcpus: 2 is less than vcpus (4)");
	ok(BASE "maxvcpus = 8\n");
	assert_int_equal(cfg->vcpus, 1);
	assert_int_equal(cfg->max_vcpus, 8);
}

static void test_cpus(void **state)
{
	(void)state;
	ok(BASE "cpus = \"2\"\n");
	assert_true(cfg->cpus_set);
	assert_int_equal(cfg->cpu_mask, 0x4);
	ok(BASE "cpus = \"0-1\"\n");
	assert_int_equal(cfg->cpu_mask, 0x3);
	ok(BASE "cpus = \"0,2-3\"\n");
	assert_int_equal(cfg->cpu_mask, 0xd);
	ok(BASE "cpus = 5\n");
	assert_int_equal(cfg->cpu_mask, 0x20);
	ok(BASE "cpus = \"all\"\n");
	assert_false(cfg->cpus_set);
	assert_int_equal(cfg->cpu_mask, ~0ULL);
	ok(BASE "cpus = \"all,^1\"\n");
	assert_true(cfg->cpus_set);
	assert_int_equal(cfg->cpu_mask, ~2ULL);
	ok(BASE "cpus = \"0-7, ^2-3\"\n");
	assert_int_equal(cfg->cpu_mask, 0xf3);
	ok(BASE "cpus = \"0-63\"\n");
	assert_false(cfg->cpus_set);
	ok(BASE "cpus = \"63\"\n");
	assert_int_equal(cfg->cpu_mask, 1ULL << 63);
	bad(BASE "cpus = \"64\"\n", "demo.cfg:3: cpus: CPU 64 in \"64\" is above the limit of 63");
	bad(BASE "cpus = \"3-1\"\n", "demo.cfg:3: cpus: bad CPU range in \"3-1\": 3-1 is reversed");
	bad(BASE "cpus = \"nodes:0\"\n",
	    "demo.cfg:3: cpus: NUMA node selections (\"nodes:0\") are not supported by lam");
	bad(BASE "cpus = \"\"\n", "demo.cfg:3: cpus: empty CPU list");
	bad(BASE "cpus = \"^0\"\n", "demo.cfg:3: cpus: \"^0\" selects no CPU");
	bad(BASE "cpus = \"1,,2\"\n",
	    "demo.cfg:3: cpus: bad CPU list \"1,,2\": expected a CPU number at \",2\"");
	bad(BASE "cpus = \"1;2\"\n", "demo.cfg:3: cpus: bad CPU list \"1;2\": unexpected \";2\"");
	bad(BASE "cpus = \"x\"\n",
	    "demo.cfg:3: cpus: bad CPU list \"x\": expected a CPU number at \"x\"");
	bad(BASE "cpus = [\"0\", \"1\"]\n",
	    "demo.cfg:3: cpus: per-vCPU lists are not supported yet by lam; give one CPU list "
	    "string such as \"0-3\"");
}

static void test_name_rules(void **state)
{
	(void)state;
	ok("name = \"abcdefghijklmnopqrstuvwxyz01234\"\nkernel = \"/k\"\n");
	assert_int_equal(strlen(cfg->name), 31);
	bad("name = \"abcdefghijklmnopqrstuvwxyz012345\"\nkernel = \"/k\"\n",
	    "demo.cfg:1: name: \"abcdefghijklmnopqrstuvwxyz012345\" must be 1..31 characters long");
	bad("name = \"\"\n", "demo.cfg:1: name: \"\" must be 1..31 characters long");
	bad("name = \"a b\"\n",
	    "demo.cfg:1: name: \"a b\" may only contain letters, digits, '_', '-' and '.'");
	bad("name = \"a/b\"\n",
	    "demo.cfg:1: name: \"a/b\" may only contain letters, digits, '_', '-' and '.'");
	bad("name = [ 'a' ]\n", "demo.cfg:1: name: expected a string, got a list");
	/* A number is an atom, usable as a string, as in xl. */
	ok("name = 42\nkernel = \"/k\"\n");
	assert_string_equal(cfg->name, "42");
}

static void test_required(void **state)
{
	(void)state;
	bad("kernel = \"/k\"\n", "demo.cfg: name: missing (required)");
	bad("name = \"x\"\n", "demo.cfg: kernel: missing (required)");
	bad("", "demo.cfg: name: missing (required)");
	bad("name = \"x\"\nkernel = \"\"\n", "demo.cfg:2: kernel: empty path");
	ok(BASE "ramdisk = \"\"\n");
	assert_string_equal(cfg->ramdisk, "");
}

static void test_paths(void **state)
{
	char *text = malloc(PATH_MAX + 64);
	char *path = malloc(PATH_MAX + 1);

	(void)state;
	assert_non_null(text);
	assert_non_null(path);
	memset(path, 'p', PATH_MAX - 1);
	path[0] = '/';
	path[PATH_MAX - 1] = '\0';
	snprintf(text, PATH_MAX + 64, "name=\"x\"\nkernel = \"%s\"\n", path);
	ok(text);
	assert_int_equal(strlen(cfg->kernel), PATH_MAX - 1);
	path[PATH_MAX - 1] = 'p';
	path[PATH_MAX] = '\0';
	snprintf(text, PATH_MAX + 64, "name=\"x\"\nkernel=\"/k\"\nramdisk = \"%s\"\n", path);
	bad(text, "demo.cfg:3: ramdisk: string longer than 4095 bytes");
	free(text);
	free(path);
}

static void test_actions(void **state)
{
	static const char *const keys[] = { "on_poweroff", "on_reboot", "on_crash" };
	static const char *const unsupported[] = { "rename-restart", "coredump-destroy",
						   "coredump-restart", "soft-reset" };
	char text[256], want[256];
	size_t i, j;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 4; j++) {
			snprintf(text, sizeof(text), BASE "%s = \"%s\"\n", keys[i], unsupported[j]);
			snprintf(want, sizeof(want),
				 "demo.cfg:3: %s: action \"%s\" is not supported yet by lam (use "
				 "destroy, restart or preserve)",
				 keys[i], unsupported[j]);
			bad(text, want);
		}
		snprintf(text, sizeof(text), BASE "%s = \"explode\"\n", keys[i]);
		snprintf(want, sizeof(want),
			 "demo.cfg:3: %s: unknown action \"explode\" (use destroy, restart or "
			 "preserve)",
			 keys[i]);
		bad(text, want);
	}
	ok(BASE "on_poweroff = \"restart\"\non_reboot = \"preserve\"\non_crash = \"preserve\"\n");
	assert_int_equal(cfg->on_poweroff, LAM_CFG_ACTION_RESTART);
	assert_int_equal(cfg->on_reboot, LAM_CFG_ACTION_PRESERVE);
	assert_int_equal(cfg->on_crash, LAM_CFG_ACTION_PRESERVE);
	bad(BASE "on_watchdog = \"restart\"\n",
	    "demo.cfg:3: on_watchdog: only \"destroy\" is supported by lam, got \"restart\"");
	bad(BASE "on_soft_reset = \"destroy\"\n",
	    "demo.cfg:3: on_soft_reset: only \"soft-reset\" is supported by lam, got \"destroy\"");
	assert_string_equal(lam_cfg_action_name(LAM_CFG_ACTION_DESTROY), "destroy");
	assert_string_equal(lam_cfg_action_name(LAM_CFG_ACTION_RESTART), "restart");
	assert_string_equal(lam_cfg_action_name(LAM_CFG_ACTION_PRESERVE), "preserve");
}

static void test_uuid(void **state)
{
	(void)state;
	ok(BASE "uuid = \"00000000-0000-0000-0000-000000000001\"\n");
	assert_true(cfg->has_uuid);
	assert_int_equal(cfg->uuid[15], 1);
	bad(BASE "uuid = \"00000000-0000-0000-0000-00000000000\"\n",
	    "demo.cfg:3: uuid: \"00000000-0000-0000-0000-00000000000\" is not a UUID "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	bad_prefix(BASE "uuid = \"00000000-0000-0000-0000-0000000000012\"\n", "demo.cfg:3: uuid: ");
	bad_prefix(BASE "uuid = \"0000000000000-0000-0000-000000000001\"\n", "demo.cfg:3: uuid: ");
	bad_prefix(BASE "uuid = \"g0000000-0000-0000-0000-000000000001\"\n", "demo.cfg:3: uuid: ");
	bad_prefix(BASE "uuid = \"\"\n", "demo.cfg:3: uuid: ");
}

static void test_unknown_key(void **state)
{
	(void)state;
	bad_prefix(BASE "frobnicate = 1\n",
		   "demo.cfg:3: frobnicate: unknown key (lam supports name,");
	bad_prefix(BASE "Memory = 64\n", "demo.cfg:3: Memory: unknown key");
	bad_prefix(BASE "on-poweroff = \"destroy\"\n", "demo.cfg:3: on-poweroff: unknown key");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	bad(BASE "memory 512\n", "demo.cfg:3: memory: expected '=' after the key, got 512");
	bad(BASE "memory =\n", "demo.cfg:3: memory: missing value after '='");
	bad(BASE "memory =", "demo.cfg:3: memory: missing value after '='");
	bad(BASE "extra += \n", "demo.cfg:3: extra: missing value after '+='");
	bad(BASE "name = demo\n",
	    "demo.cfg:3: name: expected a value, got bare word demo (put strings in quotes)");
	bad(BASE "memory = 512 512\n", "demo.cfg:3: memory: expected end of line after the value, "
				       "got 512 (one setting per line or ';')");
	bad(BASE "= 5\n", "demo.cfg:3: expected 'key = value', got '='");
	bad(BASE "\"name\" = 5\n", "demo.cfg:3: expected 'key = value', got \"name\"");
	bad(BASE "[ 1 ]\n", "demo.cfg:3: expected 'key = value', got '['");
	bad(BASE "memory = @\n", "demo.cfg:3: memory: unexpected character '@'");
	bad(BASE "memory = ]\n", "demo.cfg:3: memory: expected a value, got ']'");
	bad(BASE "memory = 5 +\n", "demo.cfg:3: memory: unexpected character '+'");
	bad(BASE "memory = \x01\n", "demo.cfg:3: memory: unexpected byte 0x01");
	bad(BASE "memory == 5\n", "demo.cfg:3: memory: expected a value, got '='");
	bad("\n\n\n  $x = 1\n", "demo.cfg:4: unexpected character '$'");
}

/* ---- overrides and files ----------------------------------------------------------------- */

static void test_overrides(void **state)
{
	(void)state;
	ok(BASE "memory = 256\nextra = \"quiet\"\n");
	assert_int_equal(lam_cfg_apply_override(cfg, "memory=512", err, sizeof(err)), 0);
	assert_int_equal(cfg->memory_mb, 512);
	assert_int_equal(cfg->maxmem_mb, 512); /* follows memory: maxmem was not set */
	assert_int_equal(lam_cfg_apply_override(cfg, "name=web1", err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "web1");
	assert_int_equal(lam_cfg_apply_override(cfg, "name=\"web2\"", err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "web2");
	/* An unquoted value runs to the end, spaces included (the shell already split words). */
	assert_int_equal(
		lam_cfg_apply_override(cfg, "extra=console=hvc0 quiet  ", err, sizeof(err)), 0);
	assert_string_equal(cfg->cmdline, "console=hvc0 quiet");
	assert_int_equal(lam_cfg_apply_override(cfg, "root = '/dev/xvda'", err, sizeof(err)), 0);
	assert_string_equal(cfg->cmdline, "root=/dev/xvda console=hvc0 quiet");
	assert_int_equal(lam_cfg_apply_override(cfg, "extra+= debug", err, sizeof(err)), 0);
	assert_string_equal(cfg->cmdline, "root=/dev/xvda console=hvc0 quietdebug");
	/* Several settings separated by ';', as xl allows. */
	assert_int_equal(lam_cfg_apply_override(cfg, "vcpus=2; maxvcpus=4", err, sizeof(err)), 0);
	assert_int_equal(cfg->vcpus, 2);
	assert_int_equal(cfg->max_vcpus, 4);
	assert_int_equal(lam_cfg_apply_override(cfg, "cpus=0-1", err, sizeof(err)), 0);
	assert_int_equal(cfg->cpu_mask, 3);
}

static void test_override_errors_leave_cfg_unchanged(void **state)
{
	struct lam_cfg *before = malloc(sizeof(*before));

	(void)state;
	assert_non_null(before);
	ok(BASE "memory = 256\nmaxmem = 512\n");
	memcpy(before, cfg, sizeof(*before));

	assert_int_equal(lam_cfg_apply_override(cfg, "frob=1", err, sizeof(err)), -1);
	assert_true(!strncmp(err, "<command line>:1: frob: unknown key", 35));
	assert_int_equal(lam_cfg_apply_override(cfg, "memory=lots", err, sizeof(err)), -1);
	assert_string_equal(err,
			    "<command line>:1: memory: expected a number of MiB, got \"lots\"");
	assert_int_equal(lam_cfg_apply_override(cfg, "memory=1024", err, sizeof(err)), -1);
	assert_string_equal(err, "demo.cfg:4: maxmem: 512 MiB is less than memory (1024 MiB)");
	assert_int_equal(lam_cfg_apply_override(cfg, "memory", err, sizeof(err)), -1);
	assert_string_equal(err, "<command line>:1: expected key=value, got \"memory\"");
	assert_int_equal(lam_cfg_apply_override(cfg, "memory=", err, sizeof(err)), -1);
	assert_string_equal(err, "<command line>:1: memory: missing value after '='");
	assert_int_equal(lam_cfg_apply_override(cfg, "disk=['x']", err, sizeof(err)), -1);
	assert_true(!strncmp(err, "<command line>:1: disk: no vdev", 31));
	assert_int_equal(lam_cfg_apply_override(cfg, "name=a\nb", err, sizeof(err)), -1);
	assert_string_equal(err, "<command line>:1: newline in an override");
	assert_int_equal(lam_cfg_apply_override(cfg, "vcpus=2;memory=5", err, sizeof(err)), -1);
	assert_string_equal(err, "<command line>:1: memory: 5 out of range 16..1048576");
	/* The failed multi-setting override did not half-apply vcpus=2. */
	assert_memory_equal(cfg, before, sizeof(*before));
	free(before);
}

static char tmp_path[64];

static void write_tmp(const char *text, size_t len)
{
	FILE *f;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/lam_cfg_test.%d.cfg", (int)getpid());
	f = fopen(tmp_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_files_and_load(void **state)
{
	static const char text[] = BASE "memory = 256\nmaxmem = 512\n";
	const char *ovr_good[] = { "memory=2048", "maxmem=4096" };
	const char *ovr_bad[] = { "vcpus=2", "maxvcpus=x" };
	char want[256];

	(void)state;
	write_tmp(text, strlen(text));
	assert_int_equal(lam_cfg_parse_file(tmp_path, cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->memory_mb, 256);

	/* Overrides apply in order and are checked once at the end. */
	assert_int_equal(lam_cfg_load(tmp_path, ovr_good, 2, cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->memory_mb, 2048);
	assert_int_equal(cfg->maxmem_mb, 4096);
	assert_int_equal(lam_cfg_load(tmp_path, ovr_bad, 2, cfg, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "<command line>:2: maxvcpus: expected a number of vCPUs, got \"x\"");
	assert_int_equal(lam_cfg_load(tmp_path, NULL, 0, cfg, err, sizeof(err)), 0);

	/* Errors in a file name the file. */
	write_tmp(BASE "memory = \"lots\"\n", strlen(BASE) + 16);
	assert_int_equal(lam_cfg_load(tmp_path, NULL, 0, cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: memory: expected a number of MiB, got \"lots\"",
		 tmp_path);
	assert_string_equal(err, want);
	write_tmp("kernel=\"/k\"\n", 12);
	assert_int_equal(lam_cfg_parse_file(tmp_path, cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: name: missing (required)", tmp_path);
	assert_string_equal(err, want);

	/* Binary junk is refused before parsing. */
	write_tmp("name=\"x\"\0kernel", 15);
	assert_int_equal(lam_cfg_parse_file(tmp_path, cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: contains NUL bytes; is this a config file?", tmp_path);
	assert_string_equal(err, want);
	unlink(tmp_path);

	assert_int_equal(lam_cfg_parse_file("/nonexistent/x.cfg", cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/x.cfg: cannot open: No such file or directory");
	assert_int_equal(lam_cfg_load("/nonexistent/x.cfg", NULL, 0, cfg, err, sizeof(err)), -1);
}

static void test_small_err_buffer(void **state)
{
	char small[8];

	(void)state;
	assert_int_equal(
		lam_cfg_parse_string(BASE "memory = 1\n", "demo.cfg", cfg, small, sizeof(small)),
		-1);
	assert_string_equal(small, "demo.cf");
	assert_int_equal(lam_cfg_parse_string(BASE "memory = 1\n", "demo.cfg", cfg, NULL, 0), -1);
}

/* Found by tests/fuzz/fuzz_cfg.c: a string's "\\n" escape was echoed into the message. */
static void test_error_is_one_line(void **state)
{
	(void)state;
	bad(BASE "memory = \"1\\n2\"\n",
	    "demo.cfg:3: memory: expected a number of MiB, got \"1?2\"");
	bad(BASE "'a\\tb' = 1\n", "demo.cfg:3: expected 'key = value', got \"a?b\"");
	assert_int_equal(lam_cfg_apply_override(cfg, "a\nb", err, sizeof(err)), -1);
	assert_null(strchr(err, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_and_builder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments_blank_crlf_semicolons, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_unsupported_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_errors_leave_cfg_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_files_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_err_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_is_one_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
