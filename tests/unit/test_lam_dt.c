/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the DomU device tree builder (tools/lam/domu_dt.c): every node and
 * property is read back with libfdt and compared with what libxl writes for an arm64 guest
 * (Xen's tools/libs/light/libxl_arm.c); the blob is also decompiled with dtc when the
 * host has it; layout errors and a too-small buffer must fail cleanly.
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

#include <libfdt.h>

#include <lam/domu_dt.h>
#include <public/xen.h>

#define MIB (1ULL << 20)
#define BUF_SIZE (64 * 1024)

static char buf[BUF_SIZE] __attribute__((aligned(8)));
static char err[256];
static struct lam_domu_layout lay;

static void build_ok(void)
{
	err[0] = '\0';
	if (lam_domu_dt_build(&lay, buf, sizeof(buf), err, sizeof(err))) {
		fail_msg("build failed: %s", err);
	}
	assert_int_equal(fdt_check_header(buf), 0);
	assert_true(fdt_totalsize(buf) <= sizeof(buf));
}

static void build_bad(const char *msg)
{
	err[0] = '\0';
	assert_int_equal(lam_domu_dt_build(&lay, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	if (off < 0) {
		fail_msg("node %s missing: %s", path, fdt_strerror(off));
	}
	return off;
}

static const void *prop(const char *path, const char *name, int *len)
{
	const void *p = fdt_getprop(buf, node(path), name, len);

	if (!p) {
		fail_msg("property %s:%s missing", path, name);
	}
	return p;
}

static void expect_absent(const char *path, const char *name)
{
	int len;

	assert_null(fdt_getprop(buf, node(path), name, &len));
}

static uint32_t u32_prop(const char *path, const char *name)
{
	int len;
	const fdt32_t *p = prop(path, name, &len);

	assert_int_equal(len, 4);
	return fdt32_to_cpu(*p);
}

/** A property made of 32-bit cells, compared with @want. */
static void cells_prop(const char *path, const char *name, const uint32_t *want, int nr)
{
	int len, i;
	const fdt32_t *p = prop(path, name, &len);

	assert_int_equal(len, nr * 4);
	for (i = 0; i < nr; i++) {
		if (fdt32_to_cpu(p[i]) != want[i]) {
			fail_msg("%s:%s cell %d = 0x%x, want 0x%x", path, name, i,
				 fdt32_to_cpu(p[i]), want[i]);
		}
	}
}

/** A property of raw bytes (string lists with their NULs). */
static void bytes_prop(const char *path, const char *name, const char *want, int wantlen)
{
	int len;
	const void *p = prop(path, name, &len);

	assert_int_equal(len, wantlen);
	assert_memory_equal(p, want, (size_t)wantlen);
}

static int setup(void **state)
{
	(void)state;
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	memset(buf, 0, sizeof(buf));
	return 0;
}

static void test_layout_init(void **state)
{
	(void)state;
	assert_int_equal(lay.ram_base[0], GUEST_RAM0_BASE);
	assert_int_equal(lay.ram_size[0], 256 * MIB);
	assert_int_equal(lay.ram_base[1], GUEST_RAM1_BASE);
	assert_int_equal(lay.ram_size[1], 0);
	assert_int_equal(lay.nr_vcpus, 2);
	assert_int_equal(lay.gicd_base, 0x03001000);
	assert_int_equal(lay.gicd_size, 0x10000);
	assert_int_equal(lay.gicr_base, 0x03020000);
	assert_int_equal(lay.gicr_size, 2 * 0x20000);
	assert_int_equal(lay.gnttab_base, 0x38000000);
	assert_int_equal(lay.gnttab_size, 0x01000000);
	assert_int_equal(lay.evtchn_ppi, 31);
	assert_null(lay.cmdline);
	assert_int_equal(lay.initrd_size, 0);

	/* More than 3 GiB spills into the second bank, as libxl does. */
	lam_domu_layout_init(&lay, 4096 * MIB, 1);
	assert_int_equal(lay.ram_size[0], 3072 * MIB);
	assert_int_equal(lay.ram_size[1], 1024 * MIB);
}

static void test_mpidr(void **state)
{
	(void)state;
	assert_int_equal(lam_domu_vcpu_mpidr(0), 0);
	assert_int_equal(lam_domu_vcpu_mpidr(1), 1);
	assert_int_equal(lam_domu_vcpu_mpidr(15), 0xf);
	assert_int_equal(lam_domu_vcpu_mpidr(16), 0x100);
	assert_int_equal(lam_domu_vcpu_mpidr(17), 0x101);
	assert_int_equal(lam_domu_vcpu_mpidr(127), 0x70f);
}

static void test_root_and_chosen(void **state)
{
	static const uint8_t seed[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	int len;
	const void *p64;
	uint64_t v;

	(void)state;
	lay.cmdline = "console=hvc0 root=/dev/ram0";
	lay.initrd_start = 0x48000000;
	lay.initrd_size = 0x123456;
	lay.rng_seed = seed;
	lay.rng_seed_len = sizeof(seed);
	build_ok();

	assert_int_equal(u32_prop("/", "#address-cells"), 2);
	assert_int_equal(u32_prop("/", "#size-cells"), 2);
	assert_int_equal(u32_prop("/", "interrupt-parent"), 65000);
	bytes_prop("/", "model", "XENVM-4.17", 11);
	bytes_prop("/", "compatible", "xen,xenvm-4.17\0xen,xenvm", 25);

	bytes_prop("/chosen", "bootargs", "console=hvc0 root=/dev/ram0",
		   (int)strlen(lay.cmdline) + 1);
	p64 = prop("/chosen", "linux,initrd-start", &len);
	assert_int_equal(len, 8);
	memcpy(&v, p64, 8); /* properties are only 4-byte aligned */
	assert_int_equal(fdt64_to_cpu(v), 0x48000000);
	p64 = prop("/chosen", "linux,initrd-end", &len);
	assert_int_equal(len, 8);
	memcpy(&v, p64, 8);
	assert_int_equal(fdt64_to_cpu(v), 0x48123456);
	bytes_prop("/chosen", "rng-seed", (const char *)seed, sizeof(seed));
	expect_absent("/chosen", "stdout-path");
	/* No aliases, no UART. */
	assert_true(fdt_path_offset(buf, "/aliases") < 0);
}

static void test_chosen_minimal(void **state)
{
	(void)state;
	build_ok();
	bytes_prop("/chosen", "bootargs", "", 1);
	expect_absent("/chosen", "linux,initrd-start");
	expect_absent("/chosen", "linux,initrd-end");
	expect_absent("/chosen", "rng-seed");
	expect_absent("/timer", "clock-frequency");
}

static void test_cpus_and_psci(void **state)
{
	char path[32];
	int off, count = 0;

	(void)state;
	lam_domu_layout_init(&lay, 256 * MIB, 20);
	build_ok();
	assert_int_equal(u32_prop("/cpus", "#address-cells"), 1);
	assert_int_equal(u32_prop("/cpus", "#size-cells"), 0);
	fdt_for_each_subnode (off, buf, node("/cpus")) {
		count++;
	}
	assert_int_equal(count, 20);
	for (unsigned int i = 0; i < 20; i++) {
		uint32_t aff = (i % 16) | (i / 16) << 8;

		snprintf(path, sizeof(path), "/cpus/cpu@%x", aff);
		assert_int_equal(u32_prop(path, "reg"), aff);
		bytes_prop(path, "device_type", "cpu", 4);
		bytes_prop(path, "compatible", "arm,armv8", 10);
		bytes_prop(path, "enable-method", "psci", 5);
	}
	assert_true(fdt_path_offset(buf, "/cpus/cpu@10") < 0);
	assert_true(fdt_path_offset(buf, "/cpus/cpu@103") >= 0);

	bytes_prop("/psci", "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci", 35);
	bytes_prop("/psci", "method", "hvc", 4);
	assert_int_equal(u32_prop("/psci", "cpu_off"), 1);
	assert_int_equal(u32_prop("/psci", "cpu_on"), 2);
}

static void test_memory_nodes(void **state)
{
	static const uint32_t bank0[] = { 0, 0x40000000, 0, 0x10000000 };
	static const uint32_t bank0_full[] = { 0, 0x40000000, 0, 0xc0000000 };
	static const uint32_t bank1[] = { 0x2, 0, 0x1, 0 };

	(void)state;
	build_ok();
	bytes_prop("/memory@40000000", "device_type", "memory", 7);
	cells_prop("/memory@40000000", "reg", bank0, 4);
	assert_true(fdt_path_offset(buf, "/memory@200000000") < 0);

	lam_domu_layout_init(&lay, 7 * 1024 * MIB, 1);
	build_ok();
	cells_prop("/memory@40000000", "reg", bank0_full, 4);
	cells_prop("/memory@200000000", "reg", bank1, 4);
}

static void test_gic_timer_hypervisor(void **state)
{
	static const uint32_t gic_reg[] = { 0, 0x03001000, 0, 0x10000, 0, 0x03020000, 0, 0x40000 };
	static const uint32_t timer_irqs[] = { 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08 };
	static const uint32_t hyp_reg[] = { 0, 0x38000000, 0, 0x01000000 };
	static const uint32_t hyp_irq[] = { 1, 15, 0xf08 };
	const char *gic = "/interrupt-controller@3001000";
	int len;

	(void)state;
	lay.clock_frequency = 62500000;
	build_ok();

	bytes_prop(gic, "compatible", "arm,gic-v3", 11);
	assert_int_equal(u32_prop(gic, "#interrupt-cells"), 3);
	assert_int_equal(u32_prop(gic, "#address-cells"), 0);
	assert_non_null(fdt_getprop(buf, node(gic), "interrupt-controller", &len));
	assert_int_equal(len, 0);
	cells_prop(gic, "reg", gic_reg, 8);
	assert_int_equal(u32_prop(gic, "phandle"), 65000);
	assert_int_equal(u32_prop(gic, "linux,phandle"), 65000);
	assert_int_equal(fdt_node_offset_by_phandle(buf, GUEST_PHANDLE_GIC), node(gic));

	bytes_prop("/timer", "compatible", "arm,armv8-timer", 16);
	cells_prop("/timer", "interrupts", timer_irqs, 9);
	assert_int_equal(u32_prop("/timer", "interrupt-parent"), 65000);
	assert_int_equal(u32_prop("/timer", "clock-frequency"), 62500000);

	/* Linux looks the node up by the exact name "hypervisor" at depth 1. */
	assert_int_equal(strcmp(fdt_get_name(buf, node("/hypervisor"), NULL), "hypervisor"), 0);
	bytes_prop("/hypervisor", "compatible", "xen,xen-4.17\0xen,xen", 21);
	cells_prop("/hypervisor", "reg", hyp_reg, 4);
	cells_prop("/hypervisor", "interrupts", hyp_irq, 3);
	assert_int_equal(u32_prop("/hypervisor", "interrupt-parent"), 65000);

	/* Another Xen version string changes the root and /hypervisor strings together. */
	lay.xen_compat = "xen,xen-4.19";
	build_ok();
	bytes_prop("/hypervisor", "compatible", "xen,xen-4.19\0xen,xen", 21);
	bytes_prop("/", "model", "XENVM-4.19", 11);
	bytes_prop("/", "compatible", "xen,xenvm-4.19\0xen,xenvm", 25);
	/* A different event-channel PPI. */
	lay.evtchn_ppi = 20;
	build_ok();
	cells_prop("/hypervisor", "interrupts", (const uint32_t[]){ 1, 4, 0xf08 }, 3);
}

static void test_node_order(void **state)
{
	static const char *const want[] = {
		"chosen", "cpus",      "psci", "memory@40000000", "interrupt-controller@3001000",
		"timer",  "hypervisor"
	};
	int off, i = 0;

	(void)state;
	build_ok();
	fdt_for_each_subnode (off, buf, 0) {
		assert_true(i < 7);
		assert_string_equal(fdt_get_name(buf, off, NULL), want[i]);
		i++;
	}
	assert_int_equal(i, 7);
}

static void test_buffer_sizes(void **state)
{
	size_t need;
	char *exact;

	(void)state;
	lam_domu_layout_init(&lay, 256 * MIB, 128);
	lay.cmdline = "console=hvc0";
	build_ok();
	need = fdt_totalsize(buf);
	assert_true(need > 4096);
	/* The blob is packed: nothing after the strings block. */
	assert_int_equal(need, fdt_off_dt_strings(buf) + fdt_size_dt_strings(buf));

	exact = malloc(need);
	assert_non_null(exact);
	assert_int_equal(lam_domu_dt_build(&lay, exact, need, err, sizeof(err)), 0);
	assert_int_equal(fdt_totalsize(exact), need);
	assert_int_equal(lam_domu_dt_build(&lay, exact, need - 1, err, sizeof(err)), -1);
	snprintf(buf, sizeof(buf), "device tree: does not fit in a buffer of %zu bytes", need - 1);
	assert_string_equal(err, buf);
	assert_int_equal(lam_domu_dt_build(&lay, exact, 64, err, sizeof(err)), -1);
	assert_string_equal(err, "device tree: does not fit in a buffer of 64 bytes");
	free(exact);
}

static void test_layout_errors(void **state)
{
	(void)state;
	lay.nr_vcpus = 0;
	build_bad("device tree: 0 vCPUs (must be 1..128)");
	lay.nr_vcpus = 129;
	build_bad("device tree: 129 vCPUs (must be 1..128)");
	lam_domu_layout_init(&lay, 256 * MIB, 4);
	lay.gicr_size = 3 * 0x20000;
	build_bad("device tree: GICv3 redistributor region of 0x60000 bytes is too small for 4 "
		  "vCPUs");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.gicd_base = lay.gicr_base;
	build_bad("device tree: GICv3 distributor and redistributors overlap");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.evtchn_ppi = 32;
	build_bad("device tree: event-channel interrupt 32 is not a PPI (16..31)");
	lay.evtchn_ppi = 15;
	build_bad("device tree: event-channel interrupt 15 is not a PPI (16..31)");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.gnttab_size = 0;
	build_bad("device tree: empty grant-table region");
	lay.gnttab_size = GUEST_GNTTAB_SIZE;
	lay.gnttab_base = GUEST_RAM0_BASE + 16 * MIB;
	build_bad("device tree: grant-table region overlaps RAM bank 0");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.ram_size[0] = 0;
	build_bad("device tree: RAM bank 0 is empty");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.ram_base[1] = UINT64_MAX - 10;
	lay.ram_size[1] = 100;
	build_bad("device tree: RAM bank 1 wraps around");
	lam_domu_layout_init(&lay, 256 * MIB, 2);
	lay.initrd_start = GUEST_RAM0_BASE + 255 * MIB;
	lay.initrd_size = 2 * MIB;
	build_bad("device tree: initrd 0x4ff00000+0x200000 is outside RAM bank 0");
	lay.initrd_start = 0x1000;
	build_bad("device tree: initrd 0x1000+0x200000 is outside RAM bank 0");
	lay.initrd_size = 0;
	lay.xen_compat = "xen,xen";
	build_bad("device tree: bad Xen compatible \"xen,xen\" (want \"xen,xen-X.Y\")");
	lay.xen_compat = "xen,xen-";
	build_bad("device tree: bad Xen compatible \"xen,xen-\" (want \"xen,xen-X.Y\")");
	lay.xen_compat = "linux,xen-4.17";
	build_bad("device tree: bad Xen compatible \"linux,xen-4.17\" (want \"xen,xen-X.Y\")");
	lay.xen_compat = NULL;
	lay.rng_seed_len = 16;
	build_bad("device tree: bad rng-seed");
}

static void test_dtc_decompiles(void **state)
{
	char dtb[64], dts[64], cmd[256];
	FILE *f;
	char *text;
	long n;

	(void)state;
	if (access("/usr/bin/dtc", X_OK)) {
		skip();
	}
	lam_domu_layout_init(&lay, 5 * 1024 * MIB, 3);
	lay.cmdline = "console=hvc0 \"quoted\"";
	lay.initrd_start = GUEST_RAM0_BASE + 128 * MIB;
	lay.initrd_size = 10 * MIB;
	build_ok();
	snprintf(dtb, sizeof(dtb), "/tmp/lam_dt_test.%d.dtb", (int)getpid());
	snprintf(dts, sizeof(dts), "/tmp/lam_dt_test.%d.dts", (int)getpid());
	f = fopen(dtb, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, fdt_totalsize(buf), f), fdt_totalsize(buf));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts -o %s %s", dts, dtb);
	assert_int_equal(system(cmd), 0);
	f = fopen(dts, "rb");
	assert_non_null(f);
	text = calloc(1, 65536);
	assert_non_null(text);
	n = (long)fread(text, 1, 65535, f);
	fclose(f);
	assert_true(n > 0);
	assert_non_null(strstr(text, "hypervisor {"));
	/* dtc 1.6 prints string lists as "a\0b", newer versions as "a", "b". */
	assert_true(strstr(text, "compatible = \"xen,xen-4.17\", \"xen,xen\";") ||
		    strstr(text, "compatible = \"xen,xen-4.17\\0xen,xen\";"));
	assert_non_null(strstr(text, "interrupt-controller@3001000 {"));
	assert_non_null(strstr(text, "memory@200000000 {"));
	assert_non_null(strstr(text, "cpu@2 {"));
	free(text);
	unlink(dtb);
	unlink(dts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_layout_init, setup),
		cmocka_unit_test_setup(test_mpidr, setup),
		cmocka_unit_test_setup(test_root_and_chosen, setup),
		cmocka_unit_test_setup(test_chosen_minimal, setup),
		cmocka_unit_test_setup(test_cpus_and_psci, setup),
		cmocka_unit_test_setup(test_memory_nodes, setup),
		cmocka_unit_test_setup(test_gic_timer_hypervisor, setup),
		cmocka_unit_test_setup(test_node_order, setup),
		cmocka_unit_test_setup(test_buffer_sizes, setup),
		cmocka_unit_test_setup(test_layout_errors, setup),
		cmocka_unit_test_setup(test_dtc_decompiles, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
