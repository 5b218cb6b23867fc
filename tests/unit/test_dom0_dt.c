/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for Dom0's device tree and passthrough list (hv/common/device_tree/dom0_dt.c,
 * dom0_passthrough.c and Arm's nodes, hv/arch/arm64/dom0_dt.c). The host
 * trees are DTS files in tests/unit/fixtures, compiled by dtc at build time and linked in with
 * .incbin: qemu-virt.dts is QEMU 7.2's real "virt" tree (with a Xen-style /chosen), and
 * dom0-bus.dts is a synthetic board for address translation and interrupt edge cases.
 * Malformed inputs are made by editing a copy of a fixture with libfdt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include <hv/dom0_dt.h>
#include <hv/errno.h>

#include "analyzer_assert.h"

#ifndef DOM0_DT_FIXTURE_DIR
#error "DOM0_DT_FIXTURE_DIR must name the directory of the compiled fixtures"
#endif

/* The compiled fixtures, embedded so the test does not depend on its working directory. */
__asm__(".section .rodata\n"
	".balign 8\n"
	"qemu_virt_dtb:\n"
	".incbin \"" DOM0_DT_FIXTURE_DIR "/qemu-virt.dtb\"\n"
	"qemu_virt_dtb_end:\n"
	".balign 8\n"
	"dom0_bus_dtb:\n"
	".incbin \"" DOM0_DT_FIXTURE_DIR "/dom0-bus.dtb\"\n"
	"dom0_bus_dtb_end:\n"
	".previous\n");
extern const char qemu_virt_dtb[], qemu_virt_dtb_end[];
extern const char dom0_bus_dtb[], dom0_bus_dtb_end[];

#define BUF_SIZE (128 * 1024)
#define GICR_FRAME 0x20000ULL

static char host[BUF_SIZE] __attribute__((aligned(8)));
static char out[BUF_SIZE] __attribute__((aligned(8)));
static char err[256];
static struct dom0_passthrough pt;
static struct dom0_dt_params prm;

static const struct mem_range qemu_banks[] = {
	{ 0x40000000, 0x60000000 },
	{ 0x70000000, 0x78000000 },
};
static const struct mem_range qemu_ext[] = {
	{ 0x100000000ULL, 0x140000000ULL },
	{ 0x200000000ULL, 0x280000000ULL },
};
static const char qemu_bootargs[] = "console=hvc0 earlycon=xen root=/dev/vda rw";

/* ---- helpers ------------------------------------------------------------------------ */

static void load(const char *start, const char *end)
{
	assert_true(end - start > 0 && end - start < BUF_SIZE);
	assert_int_equal(fdt_open_into(start, host, BUF_SIZE), 0);
}

static void load_qemu(void)
{
	load(qemu_virt_dtb, qemu_virt_dtb_end);
}

static void load_bus(void)
{
	load(dom0_bus_dtb, dom0_bus_dtb_end);
}

static int node(const void *fdt, const char *path)
{
	return fdt_path_offset(fdt, path);
}

/** Parameters for the QEMU fixture, computed after any edits (offsets move). */
static void qemu_params(unsigned int nr_vcpus)
{
	memset(&prm, 0, sizeof(prm));
	prm.mem = qemu_banks;
	prm.nr_mem = 2;
	prm.nr_vcpus = nr_vcpus;
	prm.bootargs = qemu_bootargs;
	prm.initrd_start = 0x48000000;
	prm.initrd_size = 0x800000;
	prm.gnttab_base = 0x38000000;
	prm.gnttab_size = 0x40000;
	prm.ext_regions = qemu_ext;
	prm.nr_ext = 2;
	prm.evtchn_ppi = 16;
	prm.hv_uart_node = node(host, "/pl011@9000000");
	prm.nr_redist_frames = nr_vcpus;
}

static const struct mem_range bus_banks[] = { { 0x80000000, 0x88000000 } };
static const struct mem_range bus_ext[] = { { 0x40000000, 0x50000000 } };

static void bus_params(void)
{
	memset(&prm, 0, sizeof(prm));
	prm.mem = bus_banks;
	prm.nr_mem = 1;
	prm.nr_vcpus = 1;
	prm.bootargs = "console=hvc0";
	prm.gnttab_base = 0x3f000000;
	prm.gnttab_size = 0x10000;
	prm.ext_regions = bus_ext;
	prm.nr_ext = 1;
	prm.evtchn_ppi = 17;
	prm.hv_uart_node = node(host, "/soc/serial@2000");
	prm.nr_redist_frames = 1;
}

static int build(void)
{
	memset(out, 0xa5, sizeof(out));
	err[0] = '\0';
	return dom0_build_dt(host, &prm, out, sizeof(out), err, sizeof(err));
}

static void build_ok(void)
{
	int rc = build();

	if (rc != 0) {
		fail_msg("dom0_build_dt: %d: %s", rc, err);
	}
	assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);
}

static void collect_ok(void)
{
	int rc = dom0_collect_passthrough(host, prm.hv_uart_node, &pt, err, sizeof(err));

	if (rc != 0) {
		fail_msg("dom0_collect_passthrough: %d: %s", rc, err);
	}
}

static uint32_t cell(const void *v, int i)
{
	return fdt32_to_cpu(((const fdt32_t *)v)[i]);
}

static uint64_t cell64(const void *v, int i)
{
	return (uint64_t)cell(v, i) << 32 | cell(v, i + 1);
}

/** Returns prop of path in the output tree; fails the test if the node is missing. */
static const void *oprop(const char *path, const char *prop, int *len)
{
	int n = node(out, path);

	if (n < 0) {
		fail_msg("no node %s in the output", path);
	}
	return fdt_getprop(out, n, prop, len);
}

/** Asserts that prop of path is exactly the n given cells. */
static void expect_cells(const char *path, const char *prop, int n, ...)
{
	va_list ap;
	int len;
	const void *v = oprop(path, prop, &len);

	assert_non_null(v);
	assert_int_equal(len, 4 * n);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(cell(v, i), va_arg(ap, uint32_t));
	}
	va_end(ap);
}

static void expect_str(const char *path, const char *prop, const char *s)
{
	int len;
	const char *v = oprop(path, prop, &len);

	assert_non_null(v);
	assert_int_equal(len, (int)strlen(s) + 1);
	assert_string_equal(v, s);
}

/** Counts output nodes whose property prop contains (as a string-list entry) str. */
static int count_nodes_with(const char *prop, const char *str)
{
	int n = 0, off;

	for (off = fdt_next_node(out, -1, NULL); off >= 0; off = fdt_next_node(out, off, NULL)) {
		int len;
		const char *s = fdt_getprop(out, off, prop, &len);

		for (int i = 0; s != NULL && i < len; i += (int)strlen(s + i) + 1) {
			if (strcmp(s + i, str) == 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

static int count_subnodes(const void *fdt, int parent)
{
	int n = 0, child;

	fdt_for_each_subnode (child, fdt, parent) {
		n++;
	}
	return n;
}

/** True if [start, end) lies inside one passthrough MMIO range. */
static bool covered(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < pt.nr_mmio; i++) {
		if (pt.mmio[i].start <= start && end <= pt.mmio[i].end) {
			return true;
		}
	}
	return false;
}

/** True if [start, end) overlaps any passthrough MMIO range. */
static bool touched(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < pt.nr_mmio; i++) {
		if (pt.mmio[i].start < end && start < pt.mmio[i].end) {
			return true;
		}
	}
	return false;
}

static bool has_spi(uint32_t intid)
{
	for (unsigned int i = 0; i < pt.nr_irqs; i++) {
		if (pt.irqs[i] == intid) {
			return true;
		}
	}
	return false;
}

static void set_prop(const char *path, const char *prop, const void *val, int len)
{
	int n = node(host, path);

	assert_true(n >= 0);
	assert_int_equal(fdt_setprop(host, n, prop, val, len), 0);
}

static void set_cells(const char *path, const char *prop, int n, ...)
{
	fdt32_t cells[64];
	va_list ap;

	assert_true(n <= 64);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	}
	va_end(ap);
	set_prop(path, prop, cells, 4 * n);
}

/** Both entry points fail with rc and an error naming what. */
static void expect_both_fail(int rc, const char *what)
{
	int got = build();

	assert_int_equal(got, rc);
	if (strstr(err, what) == NULL) {
		fail_msg("build error '%s' does not name '%s'", err, what);
	}
	err[0] = '\0';
	got = dom0_collect_passthrough(host, prm.hv_uart_node, &pt, err, sizeof(err));
	assert_int_equal(got, rc);
	if (strstr(err, what) == NULL) {
		fail_msg("collect error '%s' does not name '%s'", err, what);
	}
	assert_int_equal(pt.nr_mmio, 0);
	assert_int_equal(pt.nr_irqs, 0);
}

/* ---- QEMU virt: the output tree ----------------------------------------------------- */

static void test_qemu_output_is_valid(void **state)
{
	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	assert_true(fdt_totalsize(out) <= sizeof(out));
	assert_int_equal(fdt_num_mem_rsv(out), 0);
}

static void test_qemu_host_only_nodes_gone(void **state)
{
	static const char *const gone[] = {
		"/pl011@9000000",
		"/pmu",
		"/intc@8000000/its@8080000",
		"/chosen/module@47000000",
		"/chosen/module@48000000",
		"/chosen/domU1",
		"/cpus/cpu-map",
	};
	int n, len;
	const char *s;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		if (node(out, gone[i]) >= 0) {
			fail_msg("%s survived", gone[i]);
		}
	}
	assert_int_equal(count_nodes_with("compatible", "arm,armv8-pmuv3"), 0);
	assert_int_equal(count_nodes_with("compatible", "arm,pl011"), 0);
	assert_int_equal(count_nodes_with("compatible", "multiboot,module"), 0);
	assert_int_equal(count_nodes_with("compatible", "xen,domain"), 0);
	assert_int_equal(count_nodes_with("compatible", "arm,gic-v3-its"), 0);
	/* Exactly one PSCI node, ours (HVC), and one memory node, ours. */
	assert_int_equal(count_nodes_with("compatible", "arm,psci-0.2"), 1);
	expect_str("/psci", "method", "hvc");
	expect_cells("/psci", "cpu_off", 1, 1);
	expect_cells("/psci", "cpu_on", 1, 2);
	s = oprop("/psci", "compatible", &len);
	assert_int_equal(len, (int)sizeof("arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	assert_memory_equal(s, "arm,psci-1.0\0arm,psci-0.2\0arm,psci", len);
	assert_int_equal(count_nodes_with("device_type", "memory"), 1);
	n = node(out, "/chosen");
	assert_true(n >= 0);
	assert_int_equal(count_subnodes(out, n), 0);
}

/*
 * Nodes left out only for what their "compatible" says (no PPI, no other rule catches them):
 * Arm's list (hv/arch/arm64/dom0_dt.c: PMUs, memory-mapped timers, other GICs, PSCI) and the
 * generic Xen-binding list (dom0_dt.c), with their passthrough going the same way.
 */
static void test_compat_dropped(void **state)
{
	static const char *const compats[][2] = {
		{ "pmu-spi", "arm,cortex-a15-pmu" }, { "timer-mem", "arm,armv7-timer-mem" },
		{ "gic400", "arm,gic-400" },	     { "psci-fw", "arm,psci-0.2" },
		{ "edac", "arm,cortex-a53-edac" },   { "evtchn", "xen,evtchn-v1" },
		{ "kept", "vendor,device" },
	};
	char path[32];
	int n;

	(void)state;
	load_qemu();
	for (size_t i = 0; i < sizeof(compats) / sizeof(compats[0]); i++) {
		n = fdt_add_subnode(host, 0, compats[i][0]);
		assert_true(n >= 0);
		assert_int_equal(fdt_setprop_string(host, n, "compatible", compats[i][1]), 0);
		snprintf(path, sizeof(path), "/%s", compats[i][0]);
		set_cells(path, "interrupts", 3, 0, 100 + (int)i, 4); /* SPI 132 + i */
	}
	qemu_params(1); /* after the edits: node offsets moved */
	build_ok();
	collect_ok();
	for (size_t i = 0; i + 1 < sizeof(compats) / sizeof(compats[0]); i++) {
		snprintf(path, sizeof(path), "/%s", compats[i][0]);
		if (node(out, path) >= 0) {
			fail_msg("%s (%s) survived", path, compats[i][1]);
		}
		assert_false(has_spi(132 + (uint32_t)i));
	}
	assert_true(node(out, "/kept") >= 0);
	assert_true(has_spi(132 + 6));
}

static void check_cpus(unsigned int nr)
{
	int cpus, child, n = 0;

	build_ok();
	cpus = node(out, "/cpus");
	assert_true(cpus >= 0);
	expect_cells("/cpus", "#address-cells", 1, 1);
	expect_cells("/cpus", "#size-cells", 1, 0);
	fdt_for_each_subnode (child, out, cpus) {
		char path[64];
		uint32_t aff = (n & 0xf) | ((n >> 4) << 8);

		snprintf(path, sizeof(path), "/cpus/cpu@%x", aff);
		assert_int_equal(node(out, path), child);
		expect_cells(path, "reg", 1, aff);
		expect_str(path, "device_type", "cpu");
		expect_str(path, "enable-method", "psci");
		expect_str(path, "compatible", "arm,cortex-a57");
		n++;
	}
	assert_int_equal(n, (int)nr);
	/* Exactly one /cpus. */
	n = 0;
	fdt_for_each_subnode (child, out, 0) {
		n += strcmp(fdt_get_name(out, child, NULL), "cpus") == 0;
	}
	assert_int_equal(n, 1);
}

static void test_qemu_cpus(void **state)
{
	(void)state;
	load_qemu();
	qemu_params(2);
	check_cpus(2);
	/* vCPU 17 -> Aff1 1, Aff0 1 -> reg 0x101. */
	qemu_params(20);
	check_cpus(20);
	expect_cells("/cpus/cpu@101", "reg", 1, 0x101);
}

static void test_qemu_memory(void **state)
{
	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	expect_str("/memory@40000000", "device_type", "memory");
	expect_cells("/memory@40000000", "reg", 8, 0, 0x40000000, 0, 0x20000000, 0, 0x70000000, 0,
		     0x08000000);
}

static void test_qemu_chosen(void **state)
{
	int n, prop, len;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	expect_str("/chosen", "bootargs", qemu_bootargs);
	expect_cells("/chosen", "linux,initrd-start", 2, 0, 0x48000000);
	expect_cells("/chosen", "linux,initrd-end", 2, 0, 0x48800000);
	assert_non_null(oprop("/chosen", "rng-seed", &len));
	n = node(out, "/chosen");
	fdt_for_each_property_offset (prop, out, n) {
		const char *name;

		fdt_getprop_by_offset(out, prop, &name, &len);
		assert_true(strncmp(name, "xen,", 4) != 0);
		assert_true(strncmp(name, "linux,uefi-", 11) != 0);
		assert_true(strcmp(name, "stdout-path") != 0);
		assert_true(strcmp(name, "linux,stdout-path") != 0);
	}

	/* No command line and no initrd: neither is written. */
	prm.bootargs = NULL;
	prm.initrd_size = 0;
	build_ok();
	assert_null(oprop("/chosen", "bootargs", &len));
	assert_null(oprop("/chosen", "linux,initrd-start", &len));
	assert_null(oprop("/chosen", "linux,initrd-end", &len));
}

static void test_qemu_hypervisor(void **state)
{
	static const char compat[] = "xen,xen-4.17\0xen,xen";
	int len, n;
	const char *s;
	const void *reg;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	/* Linux's fdt_find_hyper_node(): depth-1 node named exactly "hypervisor". */
	n = fdt_subnode_offset(out, 0, "hypervisor");
	assert_true(n >= 0);
	assert_string_equal(fdt_get_name(out, n, NULL), "hypervisor");
	assert_int_equal(count_subnodes(out, n), 0); /* no "uefi" */
	s = fdt_getprop(out, n, "compatible", &len);
	assert_int_equal(len, (int)sizeof(compat));
	assert_memory_equal(s, compat, sizeof(compat));
	/* Linux: first string starts with "xen,xen-", the property is longer than 11 bytes. */
	assert_int_equal(strncmp(s, "xen,xen-", 8), 0);
	assert_true(len > 11);
	assert_int_equal(fdt_node_check_compatible(out, n, "xen,xen"), 0);
	reg = fdt_getprop(out, n, "reg", &len);
	assert_int_equal(len, 3 * 16);
	assert_true(cell64(reg, 0) == 0x38000000 && cell64(reg, 2) == 0x40000);
	assert_true(cell64(reg, 4) == 0x100000000ULL && cell64(reg, 6) == 0x40000000);
	assert_true(cell64(reg, 8) == 0x200000000ULL && cell64(reg, 10) == 0x80000000ULL);
	expect_cells("/hypervisor", "interrupts", 3, 1, 0, 0xf08);
	expect_cells("/hypervisor", "interrupt-parent", 1, 0x8003);

	prm.evtchn_ppi = 31;
	build_ok();
	expect_cells("/hypervisor", "interrupts", 3, 1, 15, 0xf08);
}

static void test_qemu_gic(void **state)
{
	int len, n;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	n = node(out, "/intc@8000000");
	assert_true(n >= 0);
	assert_int_equal(count_subnodes(out, n), 0);
	expect_cells("/intc@8000000", "reg", 8, 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0,
		     (uint32_t)(2 * GICR_FRAME));
	expect_cells("/intc@8000000", "phandle", 1, 0x8003);
	expect_cells("/intc@8000000", "#interrupt-cells", 1, 3);
	expect_cells("/intc@8000000", "#redistributor-regions", 1, 1);
	expect_str("/intc@8000000", "compatible", "arm,gic-v3");
	assert_non_null(oprop("/intc@8000000", "interrupt-controller", &len));
	assert_int_equal(len, 0);
	assert_null(oprop("/intc@8000000", "interrupts", &len));
	expect_cells("/", "interrupt-parent", 1, 0x8003);

	qemu_params(8);
	build_ok();
	expect_cells("/intc@8000000", "reg", 8, 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0,
		     (uint32_t)(8 * GICR_FRAME));
}

static void test_qemu_timer(void **state)
{
	int len;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	expect_str("/timer", "compatible", "arm,armv8-timer");
	/* Secure-phys 13, phys 14, virt 11; the hyp timer (10) is not given. */
	expect_cells("/timer", "interrupts", 9, 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08);
	expect_cells("/timer", "interrupt-parent", 1, 0x8003);
	assert_null(oprop("/timer", "clock-frequency", &len));
}

static void test_qemu_devices_survive(void **state)
{
	static const char *const kept[] = {
		"/pl031@9010000", "/gpio-keys/poweroff",   "/pcie@10000000",
		"/pl061@9030000", "/fw-cfg@9020000",	   "/flash@0",
		"/apb-pclk",	  "/platform-bus@c000000",
	};
	int len;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (node(out, kept[i]) < 0) {
			fail_msg("%s is missing", kept[i]);
		}
	}
	assert_int_equal(count_nodes_with("compatible", "virtio,mmio"), 32);
	expect_str("/", "compatible", "linux,dummy-virt");
	expect_cells("/", "#address-cells", 1, 2);
	/* The PCIe host keeps its INTx map; its msi-map pointed at the ITS Dom0 lacks. */
	assert_non_null(oprop("/pcie@10000000", "interrupt-map", &len));
	assert_int_equal(len, 16 * 10 * 4);
	assert_null(oprop("/pcie@10000000", "msi-map", &len));
	expect_cells("/pcie@10000000", "reg", 4, 0x40, 0x10000000, 0, 0x10000000);
}

static void test_qemu_aliases(void **state)
{
	int len;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	assert_null(oprop("/aliases", "serial0", &len));
	assert_null(oprop("/aliases", "pmu", &len));
	assert_null(oprop("/aliases", "its", &len));
	expect_str("/aliases", "rtc0", "/pl031@9010000");
	expect_str("/aliases", "gic", "/intc@8000000");
}

/* ---- QEMU virt: passthrough and event-channel PPI ----------------------------------- */

static void test_qemu_passthrough(void **state)
{
	(void)state;
	load_qemu();
	qemu_params(2);
	collect_ok();
	for (unsigned int i = 0; i < 32; i++) {
		uint64_t base = 0xa000000 + 0x200 * i;

		assert_true(covered(base, base + 0x200));
		assert_true(has_spi(32 + 16 + i));
	}
	assert_true(covered(0x9010000, 0x9011000)); /* RTC */
	assert_true(has_spi(32 + 2));
	assert_true(covered(0x9030000, 0x9031000)); /* GPIO */
	assert_true(has_spi(32 + 7));
	assert_true(covered(0x9020000, 0x9021000));		 /* fw-cfg */
	assert_true(covered(0x0, 0x8000000));			 /* flash, both banks */
	assert_true(covered(0x4010000000ULL, 0x4020000000ULL));	 /* ECAM */
	assert_true(covered(0x3eff0000, 0x3f000000));		 /* PCI I/O window */
	assert_true(covered(0x10000000, 0x3eff0000));		 /* 32-bit MMIO window */
	assert_true(covered(0x8000000000ULL, 0x10000000000ULL)); /* 64-bit MMIO window */
	for (uint32_t spi = 3; spi <= 6; spi++) {
		assert_true(has_spi(32 + spi)); /* PCI INTA..INTD via interrupt-map */
	}
	assert_int_equal(pt.nr_irqs, 32 + 1 + 1 + 4);
	/* Never the hypervisor's UART, the GIC (GICD, GICR, ITS) or a PPI. */
	assert_false(has_spi(32 + 1));
	assert_false(touched(0x9000000, 0x9001000));
	assert_false(touched(0x8000000, 0x8010000));
	assert_false(touched(0x8080000, 0x80a0000));
	assert_false(touched(0x80a0000, 0x80a0000 + 0xf60000));
	for (unsigned int i = 0; i < pt.nr_irqs; i++) {
		assert_true(pt.irqs[i] >= 32 && pt.irqs[i] < 1020);
		assert_true(i == 0 || pt.irqs[i - 1] < pt.irqs[i]);
	}
	for (unsigned int i = 0; i < pt.nr_mmio; i++) {
		assert_true(pt.mmio[i].start < pt.mmio[i].end);
		assert_true((pt.mmio[i].start & 0xfff) == 0 && (pt.mmio[i].end & 0xfff) == 0);
		assert_true(i == 0 || pt.mmio[i - 1].end < pt.mmio[i].start);
	}

	/* Without a hypervisor UART, Dom0 gets the PL011 too. */
	assert_int_equal(dom0_collect_passthrough(host, -1, &pt, err, sizeof(err)), 0);
	assert_true(covered(0x9000000, 0x9001000));
	assert_true(has_spi(33));
}

static void test_qemu_evtchn_ppi(void **state)
{
	(void)state;
	load_qemu();
	/* Host PPIs: PMU 7, GIC maintenance 9, timers 10, 11, 13, 14 -> INTID 16 is free. */
	assert_int_equal(dom0_pick_evtchn_ppi(host), 16);
	set_cells("/pl031@9010000", "interrupts", 6, 0, 2, 4, 1, 0, 4);
	set_cells("/pl061@9030000", "interrupts", 3, 1, 1, 4);
	assert_int_equal(dom0_pick_evtchn_ppi(host), 18);
	/* And the two PPI users are dropped from Dom0's tree. */
	qemu_params(2);
	build_ok();
	assert_true(node(out, "/pl031@9010000") < 0);
	assert_true(node(out, "/pl061@9030000") < 0);
}

static void test_qemu_gic_without_phandle(void **state)
{
	uint32_t max;

	(void)state;
	load_qemu();
	assert_int_equal(fdt_delprop(host, node(host, "/intc@8000000"), "phandle"), 0);
	assert_int_equal(fdt_find_max_phandle(host, &max), 0);
	qemu_params(2);
	build_ok();
	expect_cells("/intc@8000000", "phandle", 1, max + 1);
	expect_cells("/", "interrupt-parent", 1, max + 1);
	expect_cells("/hypervisor", "interrupt-parent", 1, max + 1);
	expect_cells("/timer", "interrupt-parent", 1, max + 1);
}

static void test_qemu_without_chosen(void **state)
{
	(void)state;
	load_qemu();
	assert_int_equal(fdt_del_node(host, node(host, "/chosen")), 0);
	qemu_params(2);
	build_ok();
	expect_str("/chosen", "bootargs", qemu_bootargs);
	expect_cells("/chosen", "linux,initrd-end", 2, 0, 0x48800000);
}

/* ---- synthetic bus board ------------------------------------------------------------ */

static void test_bus_tree(void **state)
{
	int len;
	const char *s;

	(void)state;
	load_bus();
	bus_params();
	build_ok();
	assert_true(node(out, "/soc/serial@2000") < 0);	 /* hypervisor UART */
	assert_true(node(out, "/soc/ppi-dev@4000") < 0); /* uses a PPI */
	assert_true(node(out, "/pmu") < 0);
	assert_true(node(out, "/memory@80000000") >= 0); /* ours, same name */
	expect_cells("/memory@80000000", "reg", 2, 0x80000000, 0x08000000);
	expect_str("/soc/disabled@3000", "status", "disabled");
	assert_true(node(out, "/soc/i2c@7000/eeprom@50") >= 0);
	assert_true(node(out, "/reserved-memory/buffer@90000000") >= 0);
	assert_true(node(out, "/isolated-bus/dev@0") >= 0);
	/* 1-cell root: GIC reg without the GICC entry, /hypervisor reg in 1+1 cells. */
	expect_cells("/interrupt-controller@2f000000", "reg", 4, 0x2f000000, 0x10000, 0x2f100000,
		     0x20000);
	assert_null(oprop("/interrupt-controller@2f000000", "redistributor-stride", &len));
	assert_true(node(out, "/interrupt-controller@2f000000/msi-controller@2f020000") < 0);
	expect_cells("/hypervisor", "reg", 4, 0x3f000000, 0x10000, 0x40000000, 0x10000000);
	expect_cells("/hypervisor", "interrupts", 3, 1, 1, 0xf08);
	expect_cells("/timer", "clock-frequency", 1, 100000000);
	expect_cells("/timer", "interrupts", 9, 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08);
	s = oprop("/cpus/cpu@0", "compatible", &len);
	assert_int_equal(len, (int)sizeof("arm,cortex-a72\0arm,armv8"));
	assert_memory_equal(s, "arm,cortex-a72\0arm,armv8", len);
	expect_cells("/cpus/cpu@0", "clock-frequency", 1, 1500000000);
	/* The root had no interrupt-parent and still has none. */
	assert_null(oprop("/", "interrupt-parent", &len));
	/* Aliases to the UART and the PPI user are gone; the others stay. */
	assert_null(oprop("/aliases", "serial0", &len));
	assert_null(oprop("/aliases", "ppi", &len));
	expect_str("/aliases", "serial1", "/soc/serial@1000");
	expect_str("/aliases", "gpio0", "/soc/gpio@6000");
	/* msi-parent pointed at the ITS, which Dom0 does not get. */
	assert_null(oprop("/soc/gpio@6000", "msi-parent", &len));
	assert_null(oprop("/chosen", "stdout-path", &len));
	assert_null(oprop("/chosen", "xen,xen-bootargs", &len));
	expect_str("/chosen", "bootargs", "console=hvc0");
}

static void test_bus_passthrough(void **state)
{
	static const uint32_t spis[] = { 37, 40, 41, 42, 43, 52, 53 };

	(void)state;
	load_bus();
	bus_params();
	collect_ok();
	assert_true(covered(0x10001000, 0x10002000));  /* serial@1000 through soc ranges */
	assert_true(covered(0x10005000, 0x10009000));  /* ext, gpio, i2c, nexus: merged */
	assert_true(covered(0x10800000, 0x10801000));  /* nested sub-bus */
	assert_false(touched(0x10002000, 0x10003000)); /* hypervisor UART */
	assert_false(touched(0x10003000, 0x10004000)); /* disabled */
	assert_false(touched(0x10004000, 0x10005000)); /* PPI user, dropped */
	assert_false(touched(0x90000000, 0x90100000)); /* reserved memory */
	assert_false(touched(0x0, 0x1000));	       /* bus without ranges */
	assert_false(touched(0x50, 0x51));	       /* I2C address */
	assert_false(touched(0x2c000000, 0x2f300000)); /* GICC, GICD, ITS, GICR */
	assert_int_equal(pt.nr_mmio, 3);
	assert_int_equal(pt.nr_irqs, sizeof(spis) / sizeof(spis[0]));
	for (size_t i = 0; i < sizeof(spis) / sizeof(spis[0]); i++) {
		assert_int_equal(pt.irqs[i], spis[i]);
	}
}

static void test_bus_evtchn_ppi(void **state)
{
	(void)state;
	load_bus();
	/* Used: 3 (ppi-dev), 7, 9, 10, 11, 13, 14; make 0 and 1 used too. */
	assert_int_equal(dom0_pick_evtchn_ppi(host), 16);
	set_cells("/soc/ppi-dev@4000", "interrupts", 6, 1, 0, 4, 1, 1, 4);
	assert_int_equal(dom0_pick_evtchn_ppi(host), 18);
	/* All 16 used: none left. */
	set_cells("/soc/ppi-dev@4000", "interrupts", 48, 1, 0, 4, 1, 1, 4, 1, 2, 4, 1, 3, 4, 1, 4,
		  4, 1, 5, 4, 1, 6, 4, 1, 7, 4, 1, 8, 4, 1, 9, 4, 1, 10, 4, 1, 11, 4, 1, 12, 4, 1,
		  13, 4, 1, 14, 4, 1, 15, 4);
	assert_int_equal(dom0_pick_evtchn_ppi(host), 0);
}

/* ---- malformed input and bad parameters --------------------------------------------- */

static void test_truncated(void **state)
{
	uint32_t size;
	char *copy;

	(void)state;
	load_qemu();
	qemu_params(2);
	assert_int_equal(fdt_pack(host), 0);
	size = fdt_totalsize(host);
	/* A blob cut short: totalsize says what is readable, the structure runs past it. */
	for (uint32_t cut = 0; cut < size; cut += size / 16) {
		copy = malloc(cut + 64);
		assert_non_null(copy);
		memcpy(copy, host, cut + 64 < size ? cut + 64 : size);
		((fdt32_t *)copy)[1] = cpu_to_fdt32(cut); /* totalsize */
		assert_true(dom0_build_dt(copy, &prm, out, sizeof(out), err, sizeof(err)) < 0);
		assert_true(strlen(err) > 0);
		assert_true(dom0_collect_passthrough(copy, -1, &pt, err, sizeof(err)) < 0);
		assert_int_equal(dom0_pick_evtchn_ppi(copy), 0);
		free(copy);
	}
	/* Not a device tree at all. */
	memset(host, 0, 64);
	assert_int_equal(build(), -HV_EINVAL);
	assert_true(dom0_build_dt(NULL, &prm, out, sizeof(out), err, sizeof(err)) < 0);
}

/*
 * A property length of 2^32 - 3 that libfdt 1.6.1's fdt_check_full() lets through (its offset
 * arithmetic wraps onto the next tag) was copied into Dom0's tree as a length of -3 (found by
 * fuzz_dom0_dt): the host tree is rejected instead.
 */
static void test_negative_prop_length(void **state)
{
	struct fdt_property *p = NULL;
	int len = -1, n;

	(void)state;
	load_qemu();
	for (n = fdt_next_node(host, 0, NULL); n >= 0 && p == NULL;
	     n = fdt_next_node(host, n, NULL)) {
		p = (struct fdt_property *)fdt_get_property(host, n, "dma-coherent", &len);
	}
	assert_non_null(p);
	assert_int_equal(len, 0);
	p->len = cpu_to_fdt32(0xfffffffdu);
	assert_int_equal(fdt_check_full(host, fdt_totalsize(host)), 0);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "bad property length");
	assert_int_equal(dom0_pick_evtchn_ppi(host), 0);
}

static void test_bad_reg_length(void **state)
{
	(void)state;
	load_qemu();
	set_cells("/pl031@9010000", "reg", 3, 0, 0x9010000, 0);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pl031@9010000");
}

static void test_bad_interrupts_length(void **state)
{
	(void)state;
	load_qemu();
	set_cells("/virtio_mmio@a000000", "interrupts", 2, 0, 16);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "virtio_mmio@a000000");
	/* The PPI scan skips what it cannot read. */
	assert_int_equal(dom0_pick_evtchn_ppi(host), 16);
}

static void test_bad_ranges_length(void **state)
{
	int len;
	const void *r;
	char buf[128];

	(void)state;
	load_qemu();
	r = fdt_getprop(host, node(host, "/pcie@10000000"), "ranges", &len);
	assert_int_equal(len, 84);
	memcpy(buf, r, 80);
	set_prop("/pcie@10000000", "ranges", buf, 80);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pcie@10000000");
}

static void test_bad_irq_specifiers(void **state)
{
	(void)state;
	/* SPI number beyond INTID 1019. */
	load_qemu();
	set_cells("/pl031@9010000", "interrupts", 3, 0, 2000, 4);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pl031@9010000");
	/* interrupts-extended naming no node. */
	load_qemu();
	set_cells("/pl031@9010000", "interrupts-extended", 4, 0x1234, 0, 2, 4);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pl031@9010000");
	/* interrupts-extended cut inside an entry. */
	load_qemu();
	set_cells("/pl031@9010000", "interrupts-extended", 3, 0x8003, 0, 2);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pl031@9010000");
	/* interrupt-parent that loops without ever reaching a controller. */
	load_qemu();
	set_cells("/pl031@9010000", "interrupt-parent", 1, 0x8000);
	set_cells("/apb-pclk", "interrupt-parent", 1, 0x8000);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "pl031@9010000");
	/* interrupt-map cut short (collect only reads it). */
	load_qemu();
	{
		int len;
		const void *m =
			fdt_getprop(host, node(host, "/pcie@10000000"), "interrupt-map", &len);
		char buf[640];

		assert_true(len == 640);
		memcpy(buf, m, 636);
		set_prop("/pcie@10000000", "interrupt-map", buf, 636);
	}
	qemu_params(2);
	assert_int_equal(dom0_collect_passthrough(host, prm.hv_uart_node, &pt, err, sizeof(err)),
			 -HV_EINVAL);
	assert_non_null(strstr(err, "pcie@10000000"));
}

static void test_bad_gic_and_timer(void **state)
{
	(void)state;
	load_qemu();
	set_cells("/intc@8000000", "reg", 4, 0, 0x8000000, 0, 0x10000);
	qemu_params(2);
	assert_int_equal(build(), -HV_EINVAL);
	assert_non_null(strstr(err, "intc@8000000"));

	/* More redistributor frames than the host region holds (0xf60000 = 123 frames). */
	load_qemu();
	qemu_params(2);
	prm.nr_redist_frames = 124;
	assert_int_equal(build(), -HV_EINVAL);
	prm.nr_redist_frames = 123;
	build_ok();

	load_qemu();
	set_cells("/timer", "interrupts", 6, 1, 13, 4, 1, 14, 4);
	qemu_params(2);
	assert_int_equal(build(), -HV_EINVAL);
	assert_non_null(strstr(err, "timer"));
	load_qemu();
	set_cells("/timer", "interrupts", 9, 1, 13, 4, 0, 14, 4, 1, 11, 4);
	qemu_params(2);
	assert_int_equal(build(), -HV_EINVAL);

	/* No timer or no GIC at all. */
	load_qemu();
	assert_int_equal(fdt_del_node(host, node(host, "/timer")), 0);
	qemu_params(2);
	assert_int_equal(build(), -HV_ENOENT);
	load_qemu();
	assert_int_equal(fdt_del_node(host, node(host, "/intc@8000000")), 0);
	qemu_params(2);
	assert_int_equal(build(), -HV_ENOENT);
	assert_int_equal(dom0_pick_evtchn_ppi(host), 0);
}

static void test_bad_cells(void **state)
{
	char path[512] = "";
	int parent = 0;

	(void)state;
	load_qemu();
	set_cells("/platform-bus@c000000", "#size-cells", 1, 7);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "platform-bus@c000000");
	load_qemu();
	set_prop("/platform-bus@c000000", "#address-cells", "x", 1);
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "platform-bus@c000000");

	/* Nesting deeper than DOM0_DT_MAX_DEPTH. */
	load_qemu();
	for (int i = 0; i < DOM0_DT_MAX_DEPTH + 2; i++) {
		parent = fdt_add_subnode(host, parent, "deep");
		assert_true(parent >= 0);
		strcat(path, "/deep");
	}
	qemu_params(2);
	expect_both_fail(-HV_EINVAL, "deeper");
}

static void test_bad_params(void **state)
{
	struct mem_range bad = { 0x50000000, 0x40000000 };

	(void)state;
	load_qemu();
	qemu_params(2);
	prm.nr_vcpus = 0;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.evtchn_ppi = 40;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.nr_mem = 0;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.mem = &bad;
	prm.nr_mem = 1;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.gnttab_size = 0;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.nr_redist_frames = 1;
	assert_int_equal(build(), -HV_EINVAL);
	qemu_params(2);
	prm.hv_uart_node = 3; /* inside the root's name, not a node */
	assert_int_equal(build(), -HV_EINVAL);
	assert_int_equal(dom0_collect_passthrough(host, 3, &pt, err, sizeof(err)), -HV_EINVAL);
	qemu_params(2);
	assert_int_equal(dom0_build_dt(host, NULL, out, sizeof(out), err, sizeof(err)), -HV_EINVAL);
	assert_int_equal(dom0_build_dt(host, &prm, out + 4, sizeof(out) - 4, err, sizeof(err)),
			 -HV_EINVAL);
	assert_int_equal(dom0_build_dt(host, &prm, host, sizeof(host), err, sizeof(err)),
			 -HV_EINVAL);
	/* Addresses that do not fit a 1-cell root. */
	load_bus();
	bus_params();
	prm.gnttab_base = 0x100000000ULL;
	assert_int_equal(build(), -HV_EINVAL);
}

static void test_out_buffer_too_small(void **state)
{
	uint32_t need;

	(void)state;
	load_qemu();
	qemu_params(2);
	build_ok();
	need = fdt_totalsize(out);
	/* Exactly-sized heap buffers so ASan catches any write past the end. */
	for (uint32_t size = 0; size < need + 64;
	     size += (size < 512 || size > need - 64) ? 8 : 509) {
		char *buf = malloc(size > 0 ? size : 1);
		int rc;

		assert_non_null(buf);
		rc = dom0_build_dt(host, &prm, buf, size, err, sizeof(err));
		if (size < need) {
			assert_int_equal(rc, -HV_ENOSPC);
			assert_non_null(strstr(err, "too small"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(fdt_check_full(buf, size), 0);
		}
		free(buf);
	}
}

/** Random byte corruption of both fixtures: errors are fine, crashes (ASan/UBSan) are not. */
static void test_fuzz(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		uint32_t size, off_struct, struct_size;
		int flips;

		if (iter & 1) {
			load_qemu();
			qemu_params(2);
		} else {
			load_bus();
			bus_params();
		}
		assert_int_equal(fdt_pack(host), 0);
		size = fdt_totalsize(host);
		off_struct = fdt_off_dt_struct(host);
		struct_size = fdt_size_dt_struct(host);
		flips = 1 + iter % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			uint32_t pos = off_struct + (uint32_t)((seed >> 33) % struct_size);

			if (iter % 7 == 0) {
				/* Header and strings too, but not totalsize: the caller vouches
				 * for that many readable bytes. */
				pos = (uint32_t)((seed >> 33) % size);
				if (pos >= 4 && pos < 8) {
					pos = 0;
				}
			}
			((uint8_t *)host)[pos] ^= (uint8_t)(1u << ((seed >> 20) & 7));
		}
		if (build() == 0) {
			assert_int_equal(fdt_check_full(out, fdt_totalsize(out)), 0);
		}
		(void)dom0_collect_passthrough(host, prm.hv_uart_node, &pt, err, sizeof(err));
		(void)dom0_pick_evtchn_ppi(host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_output_is_valid),
		cmocka_unit_test(test_qemu_host_only_nodes_gone),
		cmocka_unit_test(test_compat_dropped),
		cmocka_unit_test(test_qemu_cpus),
		cmocka_unit_test(test_qemu_memory),
		cmocka_unit_test(test_qemu_chosen),
		cmocka_unit_test(test_qemu_hypervisor),
		cmocka_unit_test(test_qemu_gic),
		cmocka_unit_test(test_qemu_timer),
		cmocka_unit_test(test_qemu_devices_survive),
		cmocka_unit_test(test_qemu_aliases),
		cmocka_unit_test(test_qemu_passthrough),
		cmocka_unit_test(test_qemu_evtchn_ppi),
		cmocka_unit_test(test_qemu_gic_without_phandle),
		cmocka_unit_test(test_qemu_without_chosen),
		cmocka_unit_test(test_bus_tree),
		cmocka_unit_test(test_bus_passthrough),
		cmocka_unit_test(test_bus_evtchn_ppi),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_negative_prop_length),
		cmocka_unit_test(test_bad_reg_length),
		cmocka_unit_test(test_bad_interrupts_length),
		cmocka_unit_test(test_bad_ranges_length),
		cmocka_unit_test(test_bad_irq_specifiers),
		cmocka_unit_test(test_bad_gic_and_timer),
		cmocka_unit_test(test_bad_cells),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_out_buffer_too_small),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
