/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the boot device tree parser (hv/common/device_tree/bootfdt.c, its Arm part
 * hv/arch/arm64/bootfdt.c and the reader under both). Every blob is built at
 * run time with libfdt's sequential-write API, so the tests need no dtc. The base tree
 * resembles what QEMU's "virt" machine generates (virtualization=on, gic-version=3); each
 * test adds a /chosen node or swaps out one part of it.
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

#include <hv/bootinfo.h>
#include <hv/errno.h>
#include <hv/fake.h>

#define BLOB_SIZE 65536

static char blob[BLOB_SIZE] __attribute__((aligned(8)));
static struct boot_info bi;
static char err[256];

/* ---- blob builder ------------------------------------------------------------------ */

#define CHECK(call) assert_int_equal((call), 0)

static void b_node(const char *name)
{
	CHECK(fdt_begin_node(blob, name));
}

static void b_end(void)
{
	CHECK(fdt_end_node(blob));
}

static void b_u32(const char *name, uint32_t v)
{
	CHECK(fdt_property_u32(blob, name, v));
}

static void b_str(const char *name, const char *s)
{
	CHECK(fdt_property_string(blob, name, s));
}

/** A property with raw bytes (string lists with embedded NULs, unterminated strings). */
static void b_raw(const char *name, const void *data, int len)
{
	CHECK(fdt_property(blob, name, data, len));
}

/** A property of n big-endian cells given as varargs. */
static void b_cells(const char *name, int n, ...)
{
	fdt32_t cells[64];
	va_list ap;

	assert_true(n <= 64);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	}
	va_end(ap);
	CHECK(fdt_property(blob, name, cells, n * (int)sizeof(fdt32_t)));
}

/** A "reg" of 2 address + 2 size cells for one range. */
static void b_reg64(uint64_t start, uint64_t size)
{
	b_cells("reg", 4, (uint32_t)(start >> 32), (uint32_t)start, (uint32_t)(size >> 32),
		(uint32_t)size);
}

/* Parts of the base tree a test can leave out (and then provide through its hooks). */
enum {
	OMIT_MEMORY = 1 << 0,
	OMIT_CPUS = 1 << 1,
	OMIT_PSCI = 1 << 2,
	OMIT_GIC = 1 << 3,
	OMIT_TIMER = 1 << 4,
	OMIT_UART = 1 << 5,
	OMIT_CHOSEN = 1 << 6,
	OMIT_ROOT_CELLS = 1 << 7,
};

struct tree {
	unsigned int omit;
	/* /memreserve/ entries (address, size), terminated by a zero size */
	const uint64_t (*rsv)[2];
	void (*chosen)(void); /* properties and children of /chosen */
	void (*extra)(void);  /* more nodes under / */
};

#define GIC_PHANDLE 0x8002

static void emit_cpus(int n)
{
	char name[32];

	b_node("cpus");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		b_node(name);
		b_str("device_type", "cpu");
		b_str("compatible", "arm,cortex-a57");
		b_str("enable-method", "psci");
		b_u32("reg", (uint32_t)i);
		b_end();
	}
	b_end();
}

/** Builds the QEMU-virt-like tree into blob, with t's changes. */
static void build(const struct tree *t)
{
	CHECK(fdt_create(blob, sizeof(blob)));
	for (int i = 0; t->rsv != NULL && t->rsv[i][1] != 0; i++) {
		CHECK(fdt_add_reservemap_entry(blob, t->rsv[i][0], t->rsv[i][1]));
	}
	CHECK(fdt_finish_reservemap(blob));
	b_node("");
	if (!(t->omit & OMIT_ROOT_CELLS)) {
		b_u32("#address-cells", 2);
		b_u32("#size-cells", 2);
	}
	b_str("compatible", "linux,dummy-virt");
	b_u32("interrupt-parent", GIC_PHANDLE);

	if (!(t->omit & OMIT_PSCI)) {
		b_node("psci");
		b_raw("compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci", 35);
		b_str("method", "smc");
		b_end();
	}
	if (!(t->omit & OMIT_MEMORY)) {
		b_node("memory@40000000");
		b_str("device_type", "memory");
		b_reg64(0x40000000, 0x80000000);
		b_end();
	}
	if (!(t->omit & OMIT_GIC)) {
		b_node("intc@8000000");
		b_u32("phandle", GIC_PHANDLE);
		b_u32("#redistributor-regions", 1);
		b_str("compatible", "arm,gic-v3");
		b_cells("interrupts", 3, 1, 9, 4);
		b_cells("reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
		b_u32("#interrupt-cells", 3);
		CHECK(fdt_property(blob, "interrupt-controller", NULL, 0));
		b_end();
	}
	if (!(t->omit & OMIT_UART)) {
		b_node("pl011@9000000");
		b_cells("clocks", 2, 0x8000, 0x8000);
		b_raw("clock-names", "uartclk\0apb_pclk", 17);
		b_cells("interrupts", 3, 0, 1, 4);
		b_reg64(0x9000000, 0x1000);
		b_raw("compatible", "arm,pl011\0arm,primecell", 24);
		b_end();
	}
	if (!(t->omit & OMIT_CPUS)) {
		emit_cpus(4);
	}
	if (!(t->omit & OMIT_TIMER)) {
		b_node("timer");
		b_cells("interrupts", 12, 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104);
		CHECK(fdt_property(blob, "always-on", NULL, 0));
		b_raw("compatible", "arm,armv8-timer\0arm,armv7-timer", 32);
		b_end();
	}
	b_node("aliases");
	b_str("serial0", "/pl011@9000000");
	b_end();
	if (!(t->omit & OMIT_CHOSEN)) {
		b_node("chosen");
		if (t->chosen != NULL) {
			t->chosen();
		} else {
			b_str("stdout-path", "/pl011@9000000");
		}
		b_end();
	}
	if (t->extra != NULL) {
		t->extra();
	}
	b_end();
	CHECK(fdt_finish(blob));
}

static int parse(void)
{
	memset(err, 0, sizeof(err));
	return dt_parse_boot_info(blob, sizeof(blob), &bi, err, sizeof(err));
}

/** Builds t, parses it, and asserts success. */
static void parse_ok(const struct tree *t)
{
	int rc;

	build(t);
	rc = parse();
	if (rc != 0) {
		fail_msg("dt_parse_boot_info failed (%d): %s", rc, err);
	}
	assert_non_null(bi.hv_cmdline);
}

/** Asserts that parsing failed with rc and that err mentions each non-NULL word. */
static void expect_fail(int expected, int rc, const char *w1, const char *w2)
{
	if (rc != expected) {
		fail_msg("expected %d, got %d (err: '%s')", expected, rc, err);
	}
	if (w1 != NULL && strstr(err, w1) == NULL) {
		fail_msg("error '%s' does not mention '%s'", err, w1);
	}
	if (w2 != NULL && strstr(err, w2) == NULL) {
		fail_msg("error '%s' does not mention '%s'", err, w2);
	}
}

static void build_fail(const struct tree *t, int expected, const char *w1, const char *w2)
{
	build(t);
	expect_fail(expected, parse(), w1, w2);
}

static int setup(void **state)
{
	(void)state;
	memset(&bi, 0xa5, sizeof(bi));
	fake_console_reset();
	return 0;
}

/* ---- the QEMU virt tree --------------------------------------------------------------- */

static void test_virt(void **state)
{
	static const struct tree t = { 0 };

	(void)state;
	parse_ok(&t);
	assert_ptr_equal(bi.fdt, blob);
	assert_int_equal(bi.fdt_size, fdt_totalsize(blob));

	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].start, 0x40000000);
	assert_int_equal(bi.mem[0].end, 0xc0000000);
	assert_int_equal(bi.nr_reserved, 0);
	assert_int_equal(bi.nr_modules, 0);

	assert_int_equal(bi.nr_cpus, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(bi.cpu_mpidr[i], i);
	}

	assert_int_equal(bi.psci.method, PSCI_METHOD_SMC);
	assert_int_equal(bi.psci.major, 2);

	assert_int_equal(bi.gic.version, 3);
	assert_int_equal(bi.gic.node, fdt_path_offset(blob, "/intc@8000000"));
	assert_int_equal(bi.gic.dist_base, 0x8000000);
	assert_int_equal(bi.gic.dist_size, 0x10000);
	assert_int_equal(bi.gic.nr_redist, 1);
	assert_int_equal(bi.gic.redist[0].start, 0x80a0000);
	assert_int_equal(bi.gic.redist[0].end, 0x80a0000 + 0xf60000);
	assert_int_equal(bi.gic.redist_stride, 0);
	assert_int_equal(bi.gic.maint_irq, 25);

	assert_int_equal(bi.timer.irq_sec_phys, 29);
	assert_int_equal(bi.timer.irq_phys, 30);
	assert_int_equal(bi.timer.irq_virt, 27);
	assert_int_equal(bi.timer.irq_hyp, 26);
	assert_int_equal(bi.timer.clock_frequency, 0);
	assert_int_equal(bi.timer.node, fdt_path_offset(blob, "/timer"));

	assert_int_equal(bi.uart.node, fdt_path_offset(blob, "/pl011@9000000"));
	assert_int_equal(bi.uart.base, 0x9000000);
	assert_int_equal(bi.uart.size, 0x1000);
	assert_int_equal(bi.uart.irq, 33);
	assert_string_equal(bi.uart.path, "/pl011@9000000");

	assert_string_equal(bi.hv_cmdline, "");
	assert_null(bi.dom0_cmdline);
}

static void chosen_empty(void)
{
}

static void test_no_chosen_no_psci_no_gic_no_uart(void **state)
{
	static const struct tree t1 = { .omit = OMIT_CHOSEN | OMIT_PSCI | OMIT_GIC | OMIT_TIMER };
	static const struct tree t2 = { .chosen = chosen_empty, .omit = OMIT_UART };

	(void)state;
	parse_ok(&t1);
	assert_int_equal(bi.psci.method, PSCI_METHOD_NONE);
	assert_int_equal(bi.gic.version, 0);
	assert_int_equal(bi.gic.node, -1);
	assert_int_equal(bi.timer.node, -1);
	assert_int_equal(bi.uart.node, -1);
	assert_string_equal(bi.hv_cmdline, "");
	assert_null(bi.dom0_cmdline);
	/* The UART is still findable by name without a GIC (no IRQ then). */
	parse_ok(&t2);
	assert_int_equal(bi.uart.node, -1);
	assert_int_equal(bi.nr_modules, 0);
}

static void extra_gic_stride(void)
{
	b_node("gic2");
	b_str("compatible", "arm,gic-v3");
	b_u32("#redistributor-regions", 2);
	b_cells("redistributor-stride", 2, 0, 0x40000);
	b_cells("reg", 12, 0, 0x2f000000, 0, 0x10000, 0, 0x2f100000, 0, 0x100000, 0, 0x30000000, 0,
		0x200000);
	b_cells("interrupts", 3, 0, 5, 4);
	b_end();
}

static void test_gic_two_redist_regions(void **state)
{
	static const struct tree t = { .omit = OMIT_GIC | OMIT_UART, .extra = extra_gic_stride };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.gic.version, 3);
	assert_int_equal(bi.gic.dist_base, 0x2f000000);
	assert_int_equal(bi.gic.nr_redist, 2);
	assert_int_equal(bi.gic.redist[1].start, 0x30000000);
	assert_int_equal(bi.gic.redist[1].end, 0x30200000);
	assert_int_equal(bi.gic.redist_stride, 0x40000);
	/* No interrupt-parent resolves to a 3-cell controller here (the phandle is gone). */
	assert_int_equal(bi.gic.maint_irq, 0);
}

static void extra_gic_bad_irq(void)
{
	b_node("gic2");
	b_u32("phandle", GIC_PHANDLE);
	b_u32("#interrupt-cells", 3);
	b_str("compatible", "arm,gic-v3");
	b_cells("reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	b_cells("interrupts", 3, 7, 9, 4);
	b_end();
}

static void extra_gic_few_regions(void)
{
	b_node("gic2");
	b_str("compatible", "arm,gic-v3");
	b_u32("#redistributor-regions", 2);
	b_cells("reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	b_end();
}

static void test_gic_malformed(void **state)
{
	static const struct tree t1 = { .omit = OMIT_GIC, .extra = extra_gic_bad_irq };
	static const struct tree t2 = { .omit = OMIT_GIC | OMIT_UART,
					.extra = extra_gic_few_regions };

	(void)state;
	build_fail(&t1, -HV_EINVAL, "/gic2", "interrupts");
	build_fail(&t2, -HV_EINVAL, "/gic2", "redistributor");
}

static void extra_timer_short(void)
{
	b_node("timer");
	b_cells("interrupts", 6, 1, 13, 4, 1, 14, 4);
	b_str("compatible", "arm,armv8-timer");
	b_end();
}

static void extra_timer_freq(void)
{
	b_node("timer");
	b_cells("interrupts", 15, 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4, 1, 12, 4);
	b_str("compatible", "arm,armv8-timer");
	b_u32("clock-frequency", 62500000);
	b_end();
}

static void test_timer(void **state)
{
	static const struct tree t1 = { .omit = OMIT_TIMER, .extra = extra_timer_short };
	static const struct tree t2 = { .omit = OMIT_TIMER, .extra = extra_timer_freq };

	(void)state;
	build_fail(&t1, -HV_EINVAL, "/timer", "interrupts");
	parse_ok(&t2);
	assert_int_equal(bi.timer.clock_frequency, 62500000);
	assert_int_equal(bi.timer.irq_hyp, 26);
}

/* ---- memory and reserved ranges -------------------------------------------------------- */

static void extra_two_banks(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	/* second entry has size 0 and is skipped */
	b_cells("reg", 8, 0, 0x40000000, 0, 0x20000000, 0, 0x70000000, 0, 0);
	b_end();
	b_node("memory@100000000");
	b_str("device_type", "memory");
	b_reg64(0x100000000ULL, 0x40000000);
	b_end();
	b_node("memory@200000000");
	b_str("device_type", "memory");
	b_str("status", "disabled");
	b_reg64(0x200000000ULL, 0x40000000);
	b_end();
	b_node("memory@300000000");
	b_str("device_type", "memory");
	b_str("status", "okay");
	b_reg64(0x300000000ULL, 0x1000);
	b_end();
}

static void test_memory_banks(void **state)
{
	static const struct tree t = { .omit = OMIT_MEMORY, .extra = extra_two_banks };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_mem, 3);
	assert_int_equal(bi.mem[0].start, 0x40000000);
	assert_int_equal(bi.mem[0].end, 0x60000000);
	assert_int_equal(bi.mem[1].start, 0x100000000ULL);
	assert_int_equal(bi.mem[1].end, 0x140000000ULL);
	assert_int_equal(bi.mem[2].start, 0x300000000ULL);
}

static void extra_memory_cells_1_1(void)
{
	b_node("soc");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_node("memory@80000000");
	b_str("device_type", "memory");
	b_cells("reg", 4, 0x80000000, 0x10000000, 0xa0000000, 0x1000);
	b_end();
	b_end();
}

static void extra_memory_inherited_cells(void)
{
	b_node("soc");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_node("sub"); /* no cell properties: /soc's apply */
	b_node("memory@80000000");
	b_str("device_type", "memory");
	b_cells("reg", 2, 0x80000000, 0x10000000);
	b_end();
	b_end();
	b_end();
}

static void extra_memory_inherited_bad_cells(void)
{
	b_node("soc");
	b_u32("#address-cells", 4);
	b_node("sub");
	b_node("memory@80000000");
	b_str("device_type", "memory");
	b_cells("reg", 2, 0x80000000, 0x10000000);
	b_end();
	b_end();
	b_end();
}

static void test_memory_inherited_cells(void **state)
{
	static const struct tree t = { .omit = OMIT_MEMORY, .extra = extra_memory_inherited_cells };
	static const struct tree bad = { .omit = OMIT_MEMORY,
					 .extra = extra_memory_inherited_bad_cells };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].start, 0x80000000);
	assert_int_equal(bi.mem[0].end, 0x90000000);
	/* The error names the node that carries the bad value. */
	build_fail(&bad, -HV_EINVAL, "/soc:", "#address-cells = 4");
}

static void test_memory_cells_1_1(void **state)
{
	static const struct tree t = { .omit = OMIT_MEMORY, .extra = extra_memory_cells_1_1 };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_mem, 2);
	assert_int_equal(bi.mem[0].start, 0x80000000);
	assert_int_equal(bi.mem[0].end, 0x90000000);
	assert_int_equal(bi.mem[1].start, 0xa0000000);
	assert_int_equal(bi.mem[1].end, 0xa0001000);
}

static void test_memory_default_cells(void **state)
{
	/* No #address-cells/#size-cells at the root: 2 and 1 (DT spec). */
	static const struct tree t = { .omit = OMIT_ROOT_CELLS | OMIT_MEMORY | OMIT_UART |
					       OMIT_GIC };

	(void)state;
	build(&t);
	/* Add the memory node by hand: 3 cells = 2 address + 1 size. */
	CHECK(fdt_open_into(blob, blob, sizeof(blob)));
	int mem = fdt_add_subnode(blob, 0, "memory@40000000");
	assert_true(mem >= 0);
	CHECK(fdt_setprop_string(blob, mem, "device_type", "memory"));
	fdt32_t reg[3] = { cpu_to_fdt32(0), cpu_to_fdt32(0x40000000), cpu_to_fdt32(0x1000000) };
	CHECK(fdt_setprop(blob, mem, "reg", reg, sizeof(reg)));
	CHECK(fdt_pack(blob));
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].end, 0x41000000);
}

static const uint64_t rsv_two[][2] = { { 0x48000000, 0x1000 }, { 0x49000000, 0x2000 }, { 0, 0 } };

static void extra_reserved_memory(void)
{
	b_node("reserved-memory");
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	CHECK(fdt_property(blob, "ranges", NULL, 0));
	b_node("secmon@4a000000");
	CHECK(fdt_property(blob, "no-map", NULL, 0));
	b_reg64(0x4a000000, 0x100000);
	b_end();
	b_node("pool"); /* dynamic allocation, no reg: ignored */
	b_str("compatible", "shared-dma-pool");
	b_cells("size", 2, 0, 0x400000);
	b_end();
	b_end();
}

static void test_reserved(void **state)
{
	static const struct tree t = { .rsv = rsv_two, .extra = extra_reserved_memory };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_reserved, 3);
	assert_int_equal(bi.reserved[0].start, 0x48000000);
	assert_int_equal(bi.reserved[0].end, 0x48001000);
	assert_int_equal(bi.reserved[1].start, 0x49000000);
	assert_int_equal(bi.reserved[1].end, 0x49002000);
	assert_int_equal(bi.reserved[2].start, 0x4a000000);
	assert_int_equal(bi.reserved[2].end, 0x4a100000);
}

/* ---- boot modules ------------------------------------------------------------------- */

static void module(const char *name, const char *compat, int compat_len, uint64_t start,
		   uint64_t size, const char *bootargs)
{
	b_node(name);
	b_u32("#address-cells", 2); /* ignored: reg uses the parent's cells */
	b_raw("compatible", compat, compat_len);
	b_reg64(start, size);
	if (bootargs != NULL) {
		b_str("bootargs", bootargs);
	}
	b_end();
}

#define COMPAT(s) s, (int)sizeof(s)

static void chosen_guest_loader(void)
{
	/* QEMU guest-loader: generic string first. */
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	b_str("bootargs", "loglvl=all");
	b_str("stdout-path", "/pl011@9000000");
	module("module@48000000", COMPAT("multiboot,module\0multiboot,kernel"), 0x48000000,
	       0x2000000, "console=hvc0 root=/dev/ram0");
	module("module@4c000000", COMPAT("multiboot,module\0multiboot,ramdisk"), 0x4c000000,
	       0x800000, NULL);
}

/** Exactly what QEMU's -device guest-loader makes: no cell properties on /chosen. */
static void chosen_qemu_exact(void)
{
	b_str("stdout-path", "/pl011@9000000");
	b_node("module@0x48000000");
	b_str("bootargs", "console=hvc0");
	b_raw("compatible", COMPAT("multiboot,module\0multiboot,kernel"));
	b_cells("reg", 4, 0, 0x48000000, 0, 3);
	b_end();
}

static void chosen_xen_order(void)
{
	/* Xen's documented examples: specific string first; 1 + 1 cells. */
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_str("xen,xen-bootargs", "console=dtuart dtuart=serial0");
	b_node("module@4c000000");
	b_raw("compatible", COMPAT("multiboot,ramdisk\0multiboot,module"));
	b_cells("reg", 2, 0x4c000000, 0x800000);
	b_end();
	b_node("module@48000000");
	b_raw("compatible", COMPAT("multiboot,kernel\0multiboot,module"));
	b_cells("reg", 2, 0x48000000, 0x2000000);
	b_end();
	b_node("xsm");
	b_raw("compatible", COMPAT("xen,xsm-policy\0multiboot,module"));
	b_cells("reg", 2, 0x4f000000, 0x1000);
	b_end();
}

static void test_modules_guest_loader_order(void **state)
{
	static const struct tree t = { .chosen = chosen_guest_loader };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[0].start, 0x48000000);
	assert_int_equal(bi.modules[0].size, 0x2000000);
	assert_string_equal(bi.modules[0].bootargs, "console=hvc0 root=/dev/ram0");
	assert_string_equal(bi.modules[0].name, "module@48000000");
	assert_int_equal(bi.modules[0].node, fdt_path_offset(blob, "/chosen/module@48000000"));
	assert_int_equal(bi.modules[0].domain_node, -1);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_RAMDISK);
	assert_int_equal(bi.modules[1].start, 0x4c000000);
	assert_int_equal(bi.modules[1].size, 0x800000);
	assert_null(bi.modules[1].bootargs);
	assert_int_equal(bi.modules[1].domain_node, -1);
	/* The kernel has bootargs, so /chosen/bootargs is ours. */
	assert_string_equal(bi.hv_cmdline, "loglvl=all");
	assert_string_equal(bi.dom0_cmdline, "console=hvc0 root=/dev/ram0");
}

static void test_modules_qemu_guest_loader_exact(void **state)
{
	static const struct tree t = { .chosen = chosen_qemu_exact };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[0].start, 0x48000000);
	assert_int_equal(bi.modules[0].size, 3);
	assert_string_equal(bi.dom0_cmdline, "console=hvc0");
	assert_string_equal(bi.hv_cmdline, "");
}

static void test_modules_xen_order(void **state)
{
	static const struct tree t = { .chosen = chosen_xen_order };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_modules, 3);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_RAMDISK);
	assert_int_equal(bi.modules[0].start, 0x4c000000);
	assert_int_equal(bi.modules[0].size, 0x800000);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[1].start, 0x48000000);
	assert_int_equal(bi.modules[2].kind, BOOTMOD_XSM);
	assert_string_equal(bi.modules[2].name, "xsm");
	assert_string_equal(bi.hv_cmdline, "console=dtuart dtuart=serial0");
	assert_null(bi.dom0_cmdline);
}

static void chosen_legacy(void)
{
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_node("kernel");
	b_raw("compatible", COMPAT("xen,linux-zimage\0xen,multiboot-module"));
	b_cells("reg", 2, 0x48000000, 0x100000);
	b_end();
	b_node("initrd"); /* legacy specific name alone */
	b_str("compatible", "xen,linux-initrd");
	b_cells("reg", 2, 0x4c000000, 0x100000);
	b_end();
	b_node("other");
	b_str("compatible", "xen,multiboot-module");
	b_cells("reg", 2, 0x4e000000, 0x100000);
	b_end();
	b_node("not-a-module");
	b_str("compatible", "vendor,thing");
	b_cells("reg", 2, 0x4f000000, 0x100000);
	b_end();
}

static void test_modules_legacy(void **state)
{
	static const struct tree t = { .chosen = chosen_legacy };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_modules, 3);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_RAMDISK);
	assert_string_equal(bi.modules[1].name, "initrd");
	/* Kernel and ramdisk are both named, so the generic one stays unknown. */
	assert_int_equal(bi.modules[2].kind, BOOTMOD_UNKNOWN);
	assert_int_equal(bi.modules[2].start, 0x4e000000);
}

static void chosen_generic(void)
{
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	module("module@1", COMPAT("multiboot,module"), 0x48000000, 0x1000, NULL);
	module("module@2", COMPAT("multiboot,module"), 0x49000000, 0x1000, NULL);
	module("module@3", COMPAT("xen,multiboot-module"), 0x4a000000, 0x1000, NULL);
}

static void chosen_generic_with_ramdisk(void)
{
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	module("rd", COMPAT("multiboot,ramdisk\0multiboot,module"), 0x48000000, 0x1000, NULL);
	module("k", COMPAT("multiboot,module"), 0x49000000, 0x1000, "console=hvc0");
	module("x", COMPAT("multiboot,module"), 0x4a000000, 0x1000, NULL);
}

static void test_modules_generic(void **state)
{
	static const struct tree t1 = { .chosen = chosen_generic };
	static const struct tree t2 = { .chosen = chosen_generic_with_ramdisk };

	(void)state;
	parse_ok(&t1);
	assert_int_equal(bi.nr_modules, 3);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_RAMDISK);
	assert_int_equal(bi.modules[2].kind, BOOTMOD_UNKNOWN);

	parse_ok(&t2);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_RAMDISK);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[2].kind, BOOTMOD_UNKNOWN);
	assert_string_equal(bi.dom0_cmdline, "console=hvc0");
}

static void chosen_dom0less(void)
{
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_str("xen,xen-bootargs", "sched=rr");
	b_str("xen,dom0-bootargs", "console=hvc0");
	module("dom0-kernel", COMPAT("multiboot,kernel\0multiboot,module"), 0x48000000, 0x1000,
	       NULL);
	b_node("domU1");
	b_str("compatible", "xen,domain");
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	b_u32("memory", 0x20000);
	b_u32("cpus", 1);
	module("module@50000000", COMPAT("multiboot,kernel\0multiboot,module"), 0x50000000,
	       0x800000, "console=ttyAMA0");
	module("module@51000000", COMPAT("multiboot,module"), 0x51000000, 0x400000, NULL);
	b_end();
	b_node("domU2");
	b_str("compatible", "xen,domain");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_node("k");
	b_raw("compatible", COMPAT("multiboot,module"));
	b_cells("reg", 2, 0x60000000, 0x1000);
	b_end();
	b_end();
}

static void test_modules_dom0less(void **state)
{
	static const struct tree t = { .chosen = chosen_dom0less };
	int domu1, domu2;

	(void)state;
	parse_ok(&t);
	domu1 = fdt_path_offset(blob, "/chosen/domU1");
	domu2 = fdt_path_offset(blob, "/chosen/domU2");
	assert_int_equal(bi.nr_modules, 4);
	assert_int_equal(bi.modules[0].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[0].domain_node, -1);
	assert_int_equal(bi.modules[1].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[1].domain_node, domu1);
	assert_int_equal(bi.modules[1].start, 0x50000000);
	assert_int_equal(bi.modules[1].size, 0x800000);
	assert_string_equal(bi.modules[1].bootargs, "console=ttyAMA0");
	/* Kinds are guessed per domain: domU1's kernel is explicit, so this is its ramdisk. */
	assert_int_equal(bi.modules[2].kind, BOOTMOD_RAMDISK);
	assert_int_equal(bi.modules[2].domain_node, domu1);
	assert_int_equal(bi.modules[3].kind, BOOTMOD_KERNEL);
	assert_int_equal(bi.modules[3].domain_node, domu2);
	assert_int_equal(bi.modules[3].start, 0x60000000);
	/* A domU kernel's bootargs are not Dom0's. */
	assert_string_equal(bi.hv_cmdline, "sched=rr");
	assert_string_equal(bi.dom0_cmdline, "console=hvc0");
}

static void chosen_module_size0(void)
{
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	module("module@48000000", COMPAT("multiboot,module\0multiboot,kernel"), 0x48000000, 0,
	       NULL);
}

static void chosen_module_overflow(void)
{
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	module("module@ffff", COMPAT("multiboot,module"), 0xfffffffffffff000ULL, 0x2000, NULL);
}

static void chosen_module_no_reg(void)
{
	b_node("module@1");
	b_str("compatible", "multiboot,module");
	b_end();
}

static void chosen_module_bad_reg(void)
{
	b_node("module@1");
	b_str("compatible", "multiboot,module");
	b_cells("reg", 4, 0, 0x48000000, 0, 0x1000); /* /chosen inherits the root's 2 + 2 */
	b_end();
	b_node("module@2");
	b_str("compatible", "multiboot,module");
	b_cells("reg", 3, 0, 0x49000000, 0x1000); /* 3 cells: not a whole entry */
	b_end();
}

static void chosen_too_many_modules(void)
{
	char name[32];

	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	for (int i = 0; i <= BOOT_MAX_MODULES; i++) {
		snprintf(name, sizeof(name), "module@%d", i);
		module(name, COMPAT("multiboot,module"), 0x48000000 + (uint64_t)i * 0x1000, 0x1000,
		       NULL);
	}
}

static void chosen_module_unterminated_compat(void)
{
	b_node("module@1");
	b_raw("compatible", "multiboot,module", 16);
	b_reg64(0x48000000, 0x1000);
	b_end();
}

static void chosen_module_unterminated_bootargs(void)
{
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	b_node("module@1");
	b_str("compatible", "multiboot,module");
	b_reg64(0x48000000, 0x1000);
	b_raw("bootargs", "console=hvc0", 12);
	b_end();
}

static void test_modules_malformed(void **state)
{
	static const struct tree size0 = { .chosen = chosen_module_size0 };
	static const struct tree overflow = { .chosen = chosen_module_overflow };
	static const struct tree noreg = { .chosen = chosen_module_no_reg };
	static const struct tree badreg = { .chosen = chosen_module_bad_reg };
	static const struct tree toomany = { .chosen = chosen_too_many_modules };
	static const struct tree compat = { .chosen = chosen_module_unterminated_compat };
	static const struct tree args = { .chosen = chosen_module_unterminated_bootargs };

	(void)state;
	build_fail(&size0, -HV_EINVAL, "/chosen/module@48000000", "size 0");
	build_fail(&overflow, -HV_EINVAL, "/chosen/module@ffff", "overflows");
	build_fail(&noreg, -HV_EINVAL, "/chosen/module@1", "reg");
	build_fail(&badreg, -HV_EINVAL, "/chosen/module@2", "'reg'");
	build_fail(&toomany, -HV_ENOSPC, "/chosen/module@16", "too many boot modules");
	build_fail(&compat, -HV_EINVAL, "/chosen/module@1", "compatible");
	build_fail(&args, -HV_EINVAL, "/chosen/module@1", "bootargs");
}

/* ---- command lines (Xen's docs/misc/arm/device-tree/booting.txt, one case per rule) ---------------------- */

struct cmdline_case {
	const char *xen;    /* xen,xen-bootargs */
	const char *dom0;   /* xen,dom0-bootargs */
	const char *args;   /* bootargs */
	const char *kernel; /* the Dom0 kernel module's bootargs (NULL: no module) */
	const char *want_hv;
	const char *want_dom0;
};

static const struct cmdline_case *cur_case;

static void chosen_cmdline(void)
{
	const struct cmdline_case *c = cur_case;

	if (c->xen != NULL) {
		b_str("xen,xen-bootargs", c->xen);
	}
	if (c->dom0 != NULL) {
		b_str("xen,dom0-bootargs", c->dom0);
	}
	if (c->args != NULL) {
		b_str("bootargs", c->args);
	}
	if (c->kernel != NULL) {
		b_u32("#address-cells", 2);
		b_u32("#size-cells", 2);
		module("module@48000000", COMPAT("multiboot,module\0multiboot,kernel"), 0x48000000,
		       0x1000, c->kernel[0] != '-' ? c->kernel : NULL);
	}
}

static void test_cmdline_rules(void **state)
{
	static const struct cmdline_case cases[] = {
		/* xen,xen-bootargs present → Xen's; xen,dom0-bootargs present → Dom0's. */
		{ "X", "D", "B", NULL, "X", "D" },
		/* no xen,xen-bootargs but xen,dom0-bootargs → bootargs is Xen's. */
		{ NULL, "D", "B", NULL, "B", "D" },
		{ NULL, "D", NULL, NULL, "", "D" },
		/* the kernel module has bootargs → bootargs is Xen's, Dom0 uses the module's. */
		{ NULL, NULL, "B", "K", "B", "K" },
		{ NULL, "D", "B", "K", "B", "K" },
		{ "X", NULL, "B", "K", "X", "K" },
		/* a kernel module without bootargs (or with empty ones) changes nothing. */
		{ NULL, NULL, "B", "-", "", "B" },
		{ NULL, NULL, "B", "", "", "B" },
		/* no Xen-specific properties → bootargs is Dom0's... */
		{ NULL, NULL, "B", "-", "", "B" },
		/* ...unless there is no Dom0 kernel at all: then it is Lamina's (extension). */
		{ NULL, NULL, "B", NULL, "B", NULL },
		/* xen,xen-bootargs without xen,dom0-bootargs → bootargs is Dom0's. */
		{ "X", NULL, "B", NULL, "X", "B" },
		{ "X", NULL, NULL, NULL, "X", NULL },
		/* nothing at all */
		{ NULL, NULL, NULL, NULL, "", NULL },
	};
	struct tree t = { .chosen = chosen_cmdline };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cur_case = &cases[i];
		parse_ok(&t);
		if (strcmp(bi.hv_cmdline, cases[i].want_hv) != 0) {
			fail_msg("case %zu: hv_cmdline '%s', want '%s'", i, bi.hv_cmdline,
				 cases[i].want_hv);
		}
		if (cases[i].want_dom0 == NULL
			    ? bi.dom0_cmdline != NULL
			    : bi.dom0_cmdline == NULL ||
				      strcmp(bi.dom0_cmdline, cases[i].want_dom0) != 0) {
			fail_msg("case %zu: dom0_cmdline '%s', want '%s'", i,
				 bi.dom0_cmdline ? bi.dom0_cmdline : "(null)",
				 cases[i].want_dom0 ? cases[i].want_dom0 : "(null)");
		}
	}
}

static void chosen_bootargs_unterminated(void)
{
	b_raw("bootargs", "console=hvc0", 12);
}

static void chosen_xen_bootargs_empty(void)
{
	CHECK(fdt_property(blob, "xen,xen-bootargs", NULL, 0));
}

static void test_cmdline_malformed(void **state)
{
	static const struct tree t1 = { .chosen = chosen_bootargs_unterminated };
	static const struct tree t2 = { .chosen = chosen_xen_bootargs_empty };

	(void)state;
	build_fail(&t1, -HV_EINVAL, "/chosen", "'bootargs'");
	build_fail(&t2, -HV_EINVAL, "/chosen", "xen,xen-bootargs");
}

/* ---- UART ----------------------------------------------------------------------------- */

static void chosen_stdout_alias(void)
{
	b_str("stdout-path", "serial0:115200n8");
}

static void chosen_linux_stdout(void)
{
	b_str("linux,stdout-path", "/pl011@9000000:115200");
}

static void chosen_stdout_missing(void)
{
	b_str("stdout-path", "/nothing@0");
}

static void chosen_stdout_not_pl011(void)
{
	b_str("stdout-path", "/timer");
}

static void chosen_stdout_unterminated(void)
{
	b_raw("stdout-path", "serial0", 7);
}

static void test_uart_from_stdout_path(void **state)
{
	static const struct tree alias = { .chosen = chosen_stdout_alias };
	static const struct tree lnx = { .chosen = chosen_linux_stdout };
	static const struct tree missing = { .chosen = chosen_stdout_missing };
	static const struct tree not_pl011 = { .chosen = chosen_stdout_not_pl011 };
	static const struct tree bad = { .chosen = chosen_stdout_unterminated };

	(void)state;
	parse_ok(&alias);
	assert_int_equal(bi.uart.node, fdt_path_offset(blob, "/pl011@9000000"));
	assert_int_equal(bi.uart.base, 0x9000000);
	assert_int_equal(bi.uart.irq, 33);
	assert_string_equal(bi.uart.path, "serial0:115200n8");

	parse_ok(&lnx);
	assert_int_equal(bi.uart.base, 0x9000000);

	parse_ok(&missing);
	assert_int_equal(bi.uart.node, -1);
	parse_ok(&not_pl011);
	assert_int_equal(bi.uart.node, -1);

	build_fail(&bad, -HV_EINVAL, "/chosen", "stdout-path");
}

static void extra_second_uart(void)
{
	b_node("soc");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 1);
	b_node("serial@1c090000");
	b_str("compatible", "arm,pl011");
	b_cells("reg", 2, 0x1c090000, 0x1000);
	b_cells("interrupts", 3, 0, 5, 4);
	b_end();
	b_node("serial@1c0a0000");
	b_str("compatible", "ns16550a");
	b_cells("reg", 2, 0x1c0a0000, 0x1000);
	b_end();
	b_node("serial@1c0b0000");
	b_str("compatible", "arm,pl011");
	b_cells("reg", 3, 0x1c0b0000, 0x1000, 0);
	b_end();
	b_end();
}

static void test_dt_find_uart(void **state)
{
	static const struct tree t = { .extra = extra_second_uart };
	struct boot_uart u;

	(void)state;
	parse_ok(&t);

	memset(&u, 0, sizeof(u));
	assert_int_equal(dt_find_uart(blob, "serial0", &u), 0);
	assert_int_equal(u.base, 0x9000000);
	assert_int_equal(u.size, 0x1000);
	assert_int_equal(u.irq, 33);
	assert_int_equal(u.node, fdt_path_offset(blob, "/pl011@9000000"));
	assert_string_equal(u.path, "serial0");

	assert_int_equal(dt_find_uart(blob, "/soc/serial@1c090000:38400", &u), 0);
	assert_int_equal(u.base, 0x1c090000);
	assert_int_equal(u.size, 0x1000);
	assert_int_equal(u.irq, 37);

	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(dt_find_uart(blob, "/soc/serial@1c0a0000", &u), -HV_ENODEV);
	assert_int_equal(u.node, 0x5a5a5a5a); /* untouched */
	assert_int_equal(dt_find_uart(blob, "/timer", &u), -HV_ENODEV);
	assert_int_equal(dt_find_uart(blob, "/soc/serial@1c0b0000", &u), -HV_EINVAL);
	assert_int_equal(dt_find_uart(blob, "serial1", &u), -HV_ENOENT);
	assert_int_equal(dt_find_uart(blob, "/nope", &u), -HV_ENOENT);
	assert_int_equal(dt_find_uart(blob, "", &u), -HV_ENOENT);
	assert_int_equal(dt_find_uart(blob, ":115200", &u), -HV_ENOENT);
	assert_int_equal(dt_find_uart(blob, "serial0/x", &u), -HV_ENOENT);
}

static void test_dt_find_uart_alias_subpath(void **state)
{
	static const struct tree t = { .omit = OMIT_CHOSEN };
	struct boot_uart u;
	int aliases;

	(void)state;
	build(&t);
	CHECK(fdt_open_into(blob, blob, sizeof(blob)));
	aliases = fdt_path_offset(blob, "/aliases");
	CHECK(fdt_setprop_string(blob, aliases, "soc", "/soc"));
	CHECK(fdt_setprop(blob, aliases, "bad", "/pl011@9000000", 14)); /* no NUL */
	int soc = fdt_add_subnode(blob, 0, "soc");
	assert_true(soc >= 0);
	CHECK(fdt_setprop_u32(blob, soc, "#address-cells", 1));
	CHECK(fdt_setprop_u32(blob, soc, "#size-cells", 1));
	int uart = fdt_add_subnode(blob, soc, "uart@1000");
	assert_true(uart >= 0);
	CHECK(fdt_setprop_string(blob, uart, "compatible", "arm,pl011"));
	fdt32_t reg[2] = { cpu_to_fdt32(0x1000), cpu_to_fdt32(0x100) };
	CHECK(fdt_setprop(blob, uart, "reg", reg, sizeof(reg)));
	CHECK(fdt_pack(blob));

	assert_int_equal(dt_find_uart(blob, "soc/uart@1000:9600", &u), 0);
	assert_int_equal(u.base, 0x1000);
	assert_int_equal(u.size, 0x100);
	assert_int_equal(u.irq, 0); /* no interrupts property */
	assert_int_equal(dt_find_uart(blob, "soc//uart@1000", &u), 0);
	assert_int_equal(dt_find_uart(blob, "soc/uart@2000", &u), -HV_ENOENT);
	/* An alias whose value is not a NUL-terminated path is rejected, not read past. */
	assert_int_equal(dt_find_uart(blob, "bad", &u), -HV_EINVAL);
}

/* ---- CPUs and PSCI --------------------------------------------------------------------- */

static void extra_cpus_2cells(void)
{
	b_node("cpus");
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 0);
	b_node("cpu-map");
	b_node("cluster0");
	b_end();
	b_end();
	b_node("cpu@0");
	b_str("device_type", "cpu");
	b_cells("reg", 2, 0, 0);
	b_end();
	b_node("cpu@100000000");
	b_str("device_type", "cpu");
	b_cells("reg", 2, 0x1, 0xff010203); /* Aff3 = 1, bits 31:24 are not affinity */
	b_end();
	b_node("cpu@2");
	b_str("device_type", "cpu");
	b_str("status", "disabled");
	b_cells("reg", 2, 0, 2);
	b_end();
	b_end();
}

static void test_cpus_2cells(void **state)
{
	static const struct tree t = { .omit = OMIT_CPUS, .extra = extra_cpus_2cells };

	(void)state;
	parse_ok(&t);
	assert_int_equal(bi.nr_cpus, 2);
	assert_int_equal(bi.cpu_mpidr[0], 0);
	assert_int_equal(bi.cpu_mpidr[1], 0x100010203ULL);
}

static void extra_cpus_empty(void)
{
	b_node("cpus");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 0);
	b_end();
}

static void extra_cpus_bad_reg(void)
{
	b_node("cpus");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 0);
	b_node("cpu@0");
	b_str("device_type", "cpu");
	b_cells("reg", 2, 0, 0);
	b_end();
	b_end();
}

static void extra_cpus_many(void)
{
	char name[32];

	b_node("cpus");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 0);
	for (int i = 0; i < BOOT_MAX_CPUS + 2; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		b_node(name);
		b_str("device_type", "cpu");
		b_u32("reg", (uint32_t)i);
		b_end();
	}
	b_end();
}

static void test_cpus_malformed(void **state)
{
	static const struct tree none = { .omit = OMIT_CPUS };
	static const struct tree empty = { .omit = OMIT_CPUS, .extra = extra_cpus_empty };
	static const struct tree badreg = { .omit = OMIT_CPUS, .extra = extra_cpus_bad_reg };
	static const struct tree many = { .omit = OMIT_CPUS, .extra = extra_cpus_many };

	(void)state;
	build_fail(&none, -HV_ENOENT, "/cpus", NULL);
	build_fail(&empty, -HV_ENOENT, "cpu", NULL);
	build_fail(&badreg, -HV_EINVAL, "/cpus/cpu@0", "reg");
	/* More CPUs than we support: the rest are ignored with a warning. */
	parse_ok(&many);
	assert_int_equal(bi.nr_cpus, BOOT_MAX_CPUS);
	assert_non_null(strstr(fake_console, "ignoring"));
}

static void extra_psci_01(void)
{
	b_node("psci");
	b_str("compatible", "arm,psci");
	b_str("method", "hvc");
	b_u32("cpu_on", 0x84000003);
	b_end();
}

static void extra_psci_02_disabled_first(void)
{
	b_node("psci-old");
	b_str("compatible", "arm,psci-0.2");
	b_str("status", "disabled");
	b_str("method", "smc");
	b_end();
	b_node("psci");
	b_str("compatible", "arm,psci-0.2");
	b_str("method", "hvc");
	b_end();
}

static void extra_psci_bad_method(void)
{
	b_node("psci");
	b_str("compatible", "arm,psci-0.2");
	b_str("method", "svc");
	b_end();
}

static void extra_psci_no_method(void)
{
	b_node("psci");
	b_str("compatible", "arm,psci-0.2");
	b_end();
}

static void extra_psci_bad_cpu_on(void)
{
	b_node("psci");
	b_str("compatible", "arm,psci");
	b_str("method", "smc");
	b_cells("cpu_on", 2, 0, 1);
	b_end();
}

static void test_psci(void **state)
{
	static const struct tree v01 = { .omit = OMIT_PSCI, .extra = extra_psci_01 };
	static const struct tree v02 = { .omit = OMIT_PSCI, .extra = extra_psci_02_disabled_first };
	static const struct tree bad = { .omit = OMIT_PSCI, .extra = extra_psci_bad_method };
	static const struct tree nomethod = { .omit = OMIT_PSCI, .extra = extra_psci_no_method };
	static const struct tree badcpuon = { .omit = OMIT_PSCI, .extra = extra_psci_bad_cpu_on };

	(void)state;
	parse_ok(&v01);
	assert_int_equal(bi.psci.method, PSCI_METHOD_HVC);
	assert_int_equal(bi.psci.major, 1);
	assert_int_equal(bi.psci.cpu_on_id, 0x84000003);

	parse_ok(&v02);
	assert_int_equal(bi.psci.method, PSCI_METHOD_HVC);
	assert_int_equal(bi.psci.major, 2);
	assert_int_equal(bi.psci.cpu_on_id, 0);

	build_fail(&bad, -HV_EINVAL, "/psci", "method");
	build_fail(&nomethod, -HV_EINVAL, "/psci", "method");
	build_fail(&badcpuon, -HV_EINVAL, "/psci", "cpu_on");
}

/* ---- malformed blobs ------------------------------------------------------------------- */

static void test_bad_magic(void **state)
{
	static const struct tree t = { 0 };

	(void)state;
	build(&t);
	memset(blob, 0, 4);
	expect_fail(-HV_EINVAL, parse(), "magic", NULL);
	expect_fail(-HV_EINVAL, dt_parse_boot_info(NULL, 4096, &bi, err, sizeof(err)), "missing",
		    NULL);
	/* err may be NULL. */
	assert_int_equal(dt_parse_boot_info(blob, sizeof(blob), &bi, NULL, 0), -HV_EINVAL);
	assert_string_equal(bi.hv_cmdline, "");
}

static void test_truncated(void **state)
{
	static const struct tree t = { 0 };
	uint32_t size;
	char *copy;

	(void)state;
	build(&t);
	size = fdt_totalsize(blob);
	expect_fail(-HV_E2BIG, dt_parse_boot_info(blob, size - 1, &bi, err, sizeof(err)),
		    "truncated", NULL);
	/* An exactly-sized heap copy of the first part: ASan catches any read beyond it. */
	copy = malloc(size / 2);
	assert_non_null(copy);
	memcpy(copy, blob, size / 2);
	expect_fail(-HV_E2BIG, dt_parse_boot_info(copy, size / 2, &bi, err, sizeof(err)),
		    "truncated", NULL);
	free(copy);
	/* Too small to hold even the header. */
	copy = malloc(16);
	assert_non_null(copy);
	memcpy(copy, blob, 16);
	expect_fail(-HV_EINVAL, dt_parse_boot_info(copy, 16, &bi, err, sizeof(err)), "header",
		    NULL);
	free(copy);
	/* An exactly-sized copy of the whole blob parses. */
	copy = malloc(size);
	assert_non_null(copy);
	memcpy(copy, blob, size);
	assert_int_equal(dt_parse_boot_info(copy, size, &bi, err, sizeof(err)), 0);
	free(copy);
}

static void test_corrupt_header(void **state)
{
	static const struct tree t = { 0 };
	struct fdt_header *h = (struct fdt_header *)blob;

	(void)state;
	build(&t);
	/* Strings block placed beyond the end of the blob. */
	h->off_dt_strings = cpu_to_fdt32(fdt_totalsize(blob) + 16);
	expect_fail(-HV_EINVAL, parse(), "header", NULL);
	build(&t);
	h->version = cpu_to_fdt32(1);
	expect_fail(-HV_EINVAL, parse(), "header", NULL);
}

static void test_corrupt_struct(void **state)
{
	static const struct tree t = { 0 };
	fdt32_t *tok;
	int node;

	(void)state;
	/* An unknown tag where a child node begins. */
	build(&t);
	node = fdt_path_offset(blob, "/memory@40000000");
	assert_true(node > 0);
	tok = (fdt32_t *)(blob + fdt_off_dt_struct(blob) + node);
	assert_int_equal(fdt32_to_cpu(*tok), FDT_BEGIN_NODE);
	*tok = cpu_to_fdt32(0x12345678);
	expect_fail(-HV_EINVAL, parse(), "corrupt", NULL);

	/* A property whose name offset points outside the strings block. */
	build(&t);
	node = fdt_path_offset(blob, "/memory@40000000");
	int prop = fdt_first_property_offset(blob, node);
	assert_true(prop > 0);
	struct fdt_property *p = (struct fdt_property *)(blob + fdt_off_dt_struct(blob) + prop);
	p->nameoff = cpu_to_fdt32(fdt_size_dt_strings(blob) + 100);
	expect_fail(-HV_EINVAL, parse(), "corrupt", NULL);

	/* A property length running past the struct block. */
	build(&t);
	p = (struct fdt_property *)(blob + fdt_off_dt_struct(blob) + prop);
	p->len = cpu_to_fdt32(0x7ffffff0);
	expect_fail(-HV_EINVAL, parse(), "corrupt", NULL);

	/* Missing FDT_END: the struct block ends early. */
	build(&t);
	struct fdt_header *h = (struct fdt_header *)blob;
	h->size_dt_struct = cpu_to_fdt32(fdt_size_dt_struct(blob) - 8);
	expect_fail(-HV_EINVAL, parse(), NULL, NULL);
}

static void test_no_memory(void **state)
{
	static const struct tree t = { .omit = OMIT_MEMORY };

	(void)state;
	build_fail(&t, -HV_ENOENT, "memory", NULL);
	assert_string_equal(err, "no memory node in the device tree");
}

static void extra_memory_disabled_only(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	b_str("status", "disabled");
	b_reg64(0x40000000, 0x1000);
	b_end();
	b_node("memory@0");
	b_str("device_type", "memory");
	b_reg64(0, 0);
	b_end();
}

static void extra_memory_bad_len(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	b_cells("reg", 5, 0, 0x40000000, 0, 0x1000, 0);
	b_end();
}

static void extra_memory_no_reg(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	b_end();
}

static void extra_memory_empty_reg(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	CHECK(fdt_property(blob, "reg", NULL, 0));
	b_end();
}

static void extra_memory_overflow(void)
{
	b_node("memory@ffffffff00000000");
	b_str("device_type", "memory");
	b_reg64(0xffffffff00000000ULL, 0x100000000ULL);
	b_end();
}

static void extra_memory_3cells(void)
{
	b_node("bus");
	b_u32("#address-cells", 3);
	b_u32("#size-cells", 1);
	b_node("memory@0");
	b_str("device_type", "memory");
	b_cells("reg", 4, 0, 0, 0x40000000, 0x1000);
	b_end();
	b_end();
}

static void extra_memory_size0cells(void)
{
	b_node("bus");
	b_u32("#address-cells", 1);
	b_u32("#size-cells", 0);
	b_node("memory@0");
	b_str("device_type", "memory");
	b_cells("reg", 1, 0x40000000);
	b_end();
	b_end();
}

static void extra_memory_bad_cells_len(void)
{
	b_node("bus");
	b_cells("#address-cells", 2, 0, 1);
	b_node("memory@0");
	b_str("device_type", "memory");
	b_cells("reg", 3, 0, 0x40000000, 0x1000);
	b_end();
	b_end();
}

static void extra_memory_unterminated_type(void)
{
	b_node("memory@40000000");
	b_raw("device_type", "memory", 6);
	b_reg64(0x40000000, 0x1000);
	b_end();
}

static void extra_memory_unterminated_status(void)
{
	b_node("memory@40000000");
	b_str("device_type", "memory");
	b_raw("status", "okay", 4);
	b_reg64(0x40000000, 0x1000);
	b_end();
}

static void extra_memory_17_banks(void)
{
	fdt32_t reg[(BOOT_MAX_MEM_BANKS + 1) * 4];

	for (int i = 0; i < BOOT_MAX_MEM_BANKS + 1; i++) {
		reg[i * 4] = cpu_to_fdt32(0);
		reg[i * 4 + 1] = cpu_to_fdt32(0x40000000 + (uint32_t)i * 0x1000000);
		reg[i * 4 + 2] = cpu_to_fdt32(0);
		reg[i * 4 + 3] = cpu_to_fdt32(0x100000);
	}
	b_node("memory@40000000");
	b_str("device_type", "memory");
	b_raw("reg", reg, (int)sizeof(reg));
	b_end();
}

static void extra_memory_16_banks(void)
{
	char name[32];

	for (int i = 0; i < BOOT_MAX_MEM_BANKS; i++) {
		snprintf(name, sizeof(name), "memory@%x", 0x40000000 + i * 0x1000000);
		b_node(name);
		b_str("device_type", "memory");
		b_reg64(0x40000000 + (uint64_t)i * 0x1000000, 0x100000);
		b_end();
	}
}

static void test_memory_malformed(void **state)
{
	static const struct tree disabled = { .omit = OMIT_MEMORY,
					      .extra = extra_memory_disabled_only };
	static const struct tree badlen = { .omit = OMIT_MEMORY, .extra = extra_memory_bad_len };
	static const struct tree noreg = { .omit = OMIT_MEMORY, .extra = extra_memory_no_reg };
	static const struct tree emptyreg = { .omit = OMIT_MEMORY,
					      .extra = extra_memory_empty_reg };
	static const struct tree overflow = { .omit = OMIT_MEMORY, .extra = extra_memory_overflow };
	static const struct tree cells3 = { .omit = OMIT_MEMORY, .extra = extra_memory_3cells };
	static const struct tree size0 = { .omit = OMIT_MEMORY, .extra = extra_memory_size0cells };
	static const struct tree cellslen = { .omit = OMIT_MEMORY,
					      .extra = extra_memory_bad_cells_len };
	static const struct tree type = { .omit = OMIT_MEMORY,
					  .extra = extra_memory_unterminated_type };
	static const struct tree status = { .omit = OMIT_MEMORY,
					    .extra = extra_memory_unterminated_status };
	static const struct tree banks17 = { .omit = OMIT_MEMORY, .extra = extra_memory_17_banks };
	static const struct tree banks16 = { .omit = OMIT_MEMORY, .extra = extra_memory_16_banks };

	(void)state;
	build_fail(&disabled, -HV_ENOENT, "memory", NULL);
	build_fail(&badlen, -HV_EINVAL, "/memory@40000000", "'reg'");
	assert_non_null(strstr(err, "length 20"));
	build_fail(&noreg, -HV_EINVAL, "/memory@40000000", "reg");
	build_fail(&emptyreg, -HV_EINVAL, "/memory@40000000", "'reg'");
	build_fail(&overflow, -HV_EINVAL, "/memory@ffffffff00000000", "overflows");
	build_fail(&cells3, -HV_EINVAL, "/bus", "#address-cells = 3");
	build_fail(&size0, -HV_EINVAL, "/bus", "#size-cells = 0");
	build_fail(&cellslen, -HV_EINVAL, "/bus", "#address-cells");
	build_fail(&type, -HV_EINVAL, "/memory@40000000", "device_type");
	build_fail(&status, -HV_EINVAL, "/memory@40000000", "status");
	build_fail(&banks17, -HV_ENOSPC, "/memory@40000000", "too many memory banks");
	parse_ok(&banks16);
	assert_int_equal(bi.nr_mem, BOOT_MAX_MEM_BANKS);
}

static void test_root_address_cells_3(void **state)
{
	static const struct tree t = { .omit = OMIT_ROOT_CELLS };
	int rc;

	(void)state;
	build(&t);
	CHECK(fdt_open_into(blob, blob, sizeof(blob)));
	CHECK(fdt_setprop_u32(blob, 0, "#address-cells", 3));
	CHECK(fdt_pack(blob));
	rc = parse();
	expect_fail(-HV_EINVAL, rc, "#address-cells = 3", NULL);
	/* The root's path is "/". */
	assert_non_null(strstr(err, "/:"));
}

static void extra_reserved_bad(void)
{
	b_node("reserved-memory");
	b_u32("#address-cells", 2);
	b_u32("#size-cells", 2);
	b_node("bad@0");
	b_cells("reg", 3, 0, 0, 0x1000);
	b_end();
	b_end();
}

static const uint64_t rsv_overflow[][2] = { { 0xfffffffffffff000ULL, 0x2000 }, { 0, 0 } };
static uint64_t rsv_many[BOOT_MAX_RESERVED + 2][2];

static void test_reserved_malformed(void **state)
{
	static const struct tree bad = { .extra = extra_reserved_bad };
	static const struct tree ovf = { .rsv = rsv_overflow };
	struct tree many = { .rsv = (const uint64_t(*)[2])rsv_many };

	(void)state;
	build_fail(&bad, -HV_EINVAL, "/reserved-memory/bad@0", "'reg'");
	build_fail(&ovf, -HV_EINVAL, "/memreserve/", "overflows");
	for (int i = 0; i <= BOOT_MAX_RESERVED; i++) {
		rsv_many[i][0] = 0x48000000 + (uint64_t)i * 0x1000;
		rsv_many[i][1] = 0x1000;
	}
	build_fail(&many, -HV_ENOSPC, "/memreserve/", "too many reserved");
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(boot_module_kind_name(BOOTMOD_KERNEL), "kernel");
	assert_string_equal(boot_module_kind_name(BOOTMOD_RAMDISK), "ramdisk");
	assert_string_equal(boot_module_kind_name(BOOTMOD_XSM), "xsm-policy");
	assert_string_equal(boot_module_kind_name(BOOTMOD_UNKNOWN), "unknown");
	assert_string_equal(boot_module_kind_name((enum boot_module_kind)42), "invalid");
}

static void test_err_small_buffer(void **state)
{
	static const struct tree t = { .omit = OMIT_MEMORY };
	char small[8];

	(void)state;
	build(&t);
	memset(small, 'x', sizeof(small));
	assert_int_equal(dt_parse_boot_info(blob, sizeof(blob), &bi, small, sizeof(small)),
			 -HV_ENOENT);
	assert_string_equal(small, "no memo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_virt, setup),
		cmocka_unit_test_setup(test_no_chosen_no_psci_no_gic_no_uart, setup),
		cmocka_unit_test_setup(test_gic_two_redist_regions, setup),
		cmocka_unit_test_setup(test_gic_malformed, setup),
		cmocka_unit_test_setup(test_timer, setup),
		cmocka_unit_test_setup(test_memory_banks, setup),
		cmocka_unit_test_setup(test_memory_cells_1_1, setup),
		cmocka_unit_test_setup(test_memory_inherited_cells, setup),
		cmocka_unit_test_setup(test_memory_default_cells, setup),
		cmocka_unit_test_setup(test_reserved, setup),
		cmocka_unit_test_setup(test_modules_guest_loader_order, setup),
		cmocka_unit_test_setup(test_modules_qemu_guest_loader_exact, setup),
		cmocka_unit_test_setup(test_modules_xen_order, setup),
		cmocka_unit_test_setup(test_modules_legacy, setup),
		cmocka_unit_test_setup(test_modules_generic, setup),
		cmocka_unit_test_setup(test_modules_dom0less, setup),
		cmocka_unit_test_setup(test_modules_malformed, setup),
		cmocka_unit_test_setup(test_cmdline_rules, setup),
		cmocka_unit_test_setup(test_cmdline_malformed, setup),
		cmocka_unit_test_setup(test_uart_from_stdout_path, setup),
		cmocka_unit_test_setup(test_dt_find_uart, setup),
		cmocka_unit_test_setup(test_dt_find_uart_alias_subpath, setup),
		cmocka_unit_test_setup(test_cpus_2cells, setup),
		cmocka_unit_test_setup(test_cpus_malformed, setup),
		cmocka_unit_test_setup(test_psci, setup),
		cmocka_unit_test_setup(test_bad_magic, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_corrupt_header, setup),
		cmocka_unit_test_setup(test_corrupt_struct, setup),
		cmocka_unit_test_setup(test_no_memory, setup),
		cmocka_unit_test_setup(test_memory_malformed, setup),
		cmocka_unit_test_setup(test_root_address_cells_3, setup),
		cmocka_unit_test_setup(test_reserved_malformed, setup),
		cmocka_unit_test_setup(test_kind_names, setup),
		cmocka_unit_test_setup(test_err_small_buffer, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
