// SPDX-License-Identifier: Apache-2.0
/*
 * DomU device tree, written with libfdt's sequential-write API in the node order libxl uses
 * (xen-abi-guide.md section 1.6). Unlike libxl we know every address before we start, so
 * there are no placeholders to patch afterwards: /memory and /chosen get their final values
 * and /hypervisor only has the grant-table region (no extended regions yet).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include <lam/domu_dt.h>
#include <public/xen.h>

/* Root node cells; the GIC specifier has 3 cells (Linux bindings/interrupt-controller/arm,gic-v3). */
#define DT_ROOT_ADDR_CELLS 2
#define DT_ROOT_SIZE_CELLS 2
/* GIC interrupt specifier: cell 0 = 1 for a PPI, cell 2 = CPU mask << 8 | trigger type. */
#define DT_GIC_PPI 1U
#define DT_IRQ_LEVEL_LOW 8U
#define DT_PPI_ALL_CPUS (0xfU << 8)
/* Arm generic timer PPIs as INTIDs (Xen public/arch-arm.h GUEST_TIMER_*). */
#define DT_TIMER_PHYS_S_PPI 29U
#define DT_TIMER_PHYS_NS_PPI 30U
#define DT_TIMER_VIRT_PPI 27U
/* PSCI 0.1 function IDs Xen advertises (public/arch-arm.h PSCI_cpu_off / PSCI_cpu_on). */
#define DT_PSCI_CPU_OFF 1U
#define DT_PSCI_CPU_ON 2U

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

uint32_t lam_domu_vcpu_mpidr(unsigned int vcpuid)
{
	return (vcpuid & 0xfU) | ((vcpuid >> 4) & 0xffU) << 8;
}

void lam_domu_layout_init(struct lam_domu_layout *l, uint64_t mem_bytes, unsigned int nr_vcpus)
{
	uint64_t bank0 = mem_bytes > GUEST_RAM0_SIZE ? GUEST_RAM0_SIZE : mem_bytes;

	memset(l, 0, sizeof(*l));
	l->ram_base[0] = GUEST_RAM0_BASE;
	l->ram_size[0] = bank0;
	l->ram_base[1] = GUEST_RAM1_BASE;
	l->ram_size[1] = mem_bytes - bank0;
	l->nr_vcpus = nr_vcpus;
	l->gicd_base = GUEST_GICV3_GICD_BASE;
	l->gicd_size = GUEST_GICV3_GICD_SIZE;
	l->gicr_base = GUEST_GICV3_GICR0_BASE;
	l->gicr_size = (uint64_t)nr_vcpus * GUEST_GICV3_RDIST_STRIDE;
	l->gnttab_base = GUEST_GNTTAB_BASE;
	l->gnttab_size = GUEST_GNTTAB_SIZE;
	l->evtchn_ppi = GUEST_EVTCHN_PPI;
}

/** Write a "compatible"-style string list from a NULL-terminated array. */
static int prop_strings(void *fdt, const char *name, const char *const *strs)
{
	char buf[256];
	size_t len = 0, i;

	for (i = 0; strs[i]; i++) {
		size_t n = strlen(strs[i]) + 1;

		if (len + n > sizeof(buf)) {
			return -FDT_ERR_BADVALUE;
		}
		memcpy(buf + len, strs[i], n);
		len += n;
	}
	return fdt_property(fdt, name, buf, (int)len);
}

/** One reg entry with root cells (2 + 2). */
static int prop_reg64(void *fdt, const uint64_t *pairs, unsigned int nr)
{
	fdt64_t cells[2 * 2];
	unsigned int i;

	if (nr > 2) {
		return -FDT_ERR_BADVALUE;
	}
	for (i = 0; i < 2 * nr; i++) {
		cells[i] = cpu_to_fdt64(pairs[i]);
	}
	return fdt_property(fdt, "reg", cells, (int)(nr * 2 * sizeof(fdt64_t)));
}

/** A 3-cell GIC specifier for PPI @intid (16..31), active-low level, all CPUs. */
static void ppi_spec(fdt32_t *cells, uint32_t intid)
{
	cells[0] = cpu_to_fdt32(DT_GIC_PPI);
	cells[1] = cpu_to_fdt32(intid - 16);
	cells[2] = cpu_to_fdt32(DT_PPI_ALL_CPUS | DT_IRQ_LEVEL_LOW);
}

static int make_root_props(void *fdt, const char *xen_compat)
{
	/* "xen,xen-4.17" gives "XENVM-4.17" and "xen,xenvm-4.17". */
	const char *ver = xen_compat + strlen("xen,xen-");
	char model[32], vm_compat[40];
	const char *compat[] = { vm_compat, "xen,xenvm", NULL };
	int rc;

	snprintf(model, sizeof(model), "XENVM-%s", ver);
	snprintf(vm_compat, sizeof(vm_compat), "xen,xenvm-%s", ver);
	rc = fdt_property_string(fdt, "model", model);
	rc = rc ?: prop_strings(fdt, "compatible", compat);
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	rc = rc ?: fdt_property_u32(fdt, "#address-cells", DT_ROOT_ADDR_CELLS);
	rc = rc ?: fdt_property_u32(fdt, "#size-cells", DT_ROOT_SIZE_CELLS);
	return rc;
}

static int make_chosen(void *fdt, const struct lam_domu_layout *l)
{
	int rc = fdt_begin_node(fdt, "chosen");

	rc = rc ?: fdt_property_string(fdt, "bootargs", l->cmdline ? l->cmdline : "");
	if (!rc && l->initrd_size) {
		rc = fdt_property_u64(fdt, "linux,initrd-start", l->initrd_start);
		rc = rc
			     ?: fdt_property_u64(fdt, "linux,initrd-end",
						 l->initrd_start + l->initrd_size);
	}
	if (!rc && l->rng_seed_len) {
		rc = fdt_property(fdt, "rng-seed", l->rng_seed, (int)l->rng_seed_len);
	}
	return rc ?: fdt_end_node(fdt);
}

static int make_cpus(void *fdt, unsigned int nr_vcpus)
{
	static const char *const compat[] = { "arm,armv8", NULL };
	unsigned int i;
	int rc = fdt_begin_node(fdt, "cpus");

	rc = rc ?: fdt_property_u32(fdt, "#address-cells", 1);
	rc = rc ?: fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; !rc && i < nr_vcpus; i++) {
		uint32_t mpidr = lam_domu_vcpu_mpidr(i);
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", mpidr);
		rc = fdt_begin_node(fdt, name);
		rc = rc ?: fdt_property_string(fdt, "device_type", "cpu");
		rc = rc ?: prop_strings(fdt, "compatible", compat);
		rc = rc ?: fdt_property_string(fdt, "enable-method", "psci");
		rc = rc ?: fdt_property_u32(fdt, "reg", mpidr);
		rc = rc ?: fdt_end_node(fdt);
	}
	return rc ?: fdt_end_node(fdt);
}

static int make_psci(void *fdt)
{
	static const char *const compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL };
	int rc = fdt_begin_node(fdt, "psci");

	rc = rc ?: prop_strings(fdt, "compatible", compat);
	rc = rc ?: fdt_property_string(fdt, "method", "hvc");
	rc = rc ?: fdt_property_u32(fdt, "cpu_off", DT_PSCI_CPU_OFF);
	rc = rc ?: fdt_property_u32(fdt, "cpu_on", DT_PSCI_CPU_ON);
	return rc ?: fdt_end_node(fdt);
}

static int make_memory(void *fdt, uint64_t base, uint64_t size)
{
	uint64_t reg[2] = { base, size };
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
	rc = fdt_begin_node(fdt, name);
	rc = rc ?: fdt_property_string(fdt, "device_type", "memory");
	rc = rc ?: prop_reg64(fdt, reg, 1);
	return rc ?: fdt_end_node(fdt);
}

static int make_gicv3(void *fdt, const struct lam_domu_layout *l)
{
	static const char *const compat[] = { "arm,gic-v3", NULL };
	uint64_t reg[4] = { l->gicd_base, l->gicd_size, l->gicr_base, l->gicr_size };
	char name[48];
	int rc;

	snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)l->gicd_base);
	rc = fdt_begin_node(fdt, name);
	rc = rc ?: prop_strings(fdt, "compatible", compat);
	rc = rc ?: fdt_property_u32(fdt, "#interrupt-cells", 3);
	rc = rc ?: fdt_property_u32(fdt, "#address-cells", 0);
	rc = rc ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	rc = rc ?: prop_reg64(fdt, reg, 2);
	rc = rc ?: fdt_property_u32(fdt, "linux,phandle", GUEST_PHANDLE_GIC);
	rc = rc ?: fdt_property_u32(fdt, "phandle", GUEST_PHANDLE_GIC);
	return rc ?: fdt_end_node(fdt);
}

static int make_timer(void *fdt, uint32_t clock_frequency)
{
	static const char *const compat[] = { "arm,armv8-timer", NULL };
	fdt32_t irqs[3 * 3];
	int rc;

	/* Order fixed by the arm,armv8-timer binding: secure phys, non-secure phys, virt (, hyp). */
	ppi_spec(&irqs[0], DT_TIMER_PHYS_S_PPI);
	ppi_spec(&irqs[3], DT_TIMER_PHYS_NS_PPI);
	ppi_spec(&irqs[6], DT_TIMER_VIRT_PPI);
	rc = fdt_begin_node(fdt, "timer");
	rc = rc ?: prop_strings(fdt, "compatible", compat);
	rc = rc ?: fdt_property(fdt, "interrupts", irqs, sizeof(irqs));
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	if (!rc && clock_frequency) {
		rc = fdt_property_u32(fdt, "clock-frequency", clock_frequency);
	}
	return rc ?: fdt_end_node(fdt);
}

static int make_hypervisor(void *fdt, const struct lam_domu_layout *l, const char *xen_compat)
{
	const char *compat[] = { xen_compat, "xen,xen", NULL };
	uint64_t reg[2] = { l->gnttab_base, l->gnttab_size };
	fdt32_t irq[3];
	int rc;

	/* Linux finds this node by the exact name "hypervisor" (no unit address). */
	ppi_spec(irq, l->evtchn_ppi);
	rc = fdt_begin_node(fdt, "hypervisor");
	rc = rc ?: prop_strings(fdt, "compatible", compat);
	rc = rc ?: prop_reg64(fdt, reg, 1);
	rc = rc ?: fdt_property(fdt, "interrupts", irq, sizeof(irq));
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	return rc ?: fdt_end_node(fdt);
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/** Reject layouts Linux would misparse or that make no sense; 0 or -1 with @err set. */
static int check_layout(const struct lam_domu_layout *l, const char *xen_compat, char *err,
			size_t errlen)
{
	unsigned int i;

	if (!l->ram_size[0]) {
		seterr(err, errlen, "device tree: RAM bank 0 is empty");
		return -1;
	}
	for (i = 0; i < LAM_DOMU_RAM_BANKS; i++) {
		if (l->ram_size[i] && l->ram_base[i] + l->ram_size[i] < l->ram_base[i]) {
			seterr(err, errlen, "device tree: RAM bank %u wraps around", i);
			return -1;
		}
	}
	if (l->nr_vcpus < 1 || l->nr_vcpus > GUEST_MAX_VCPUS) {
		seterr(err, errlen, "device tree: %u vCPUs (must be 1..%u)", l->nr_vcpus,
		       GUEST_MAX_VCPUS);
		return -1;
	}
	if (l->gicr_size < (uint64_t)l->nr_vcpus * GUEST_GICV3_RDIST_STRIDE) {
		seterr(err, errlen,
		       "device tree: GICv3 redistributor region of 0x%llx bytes is too small for "
		       "%u vCPUs",
		       (unsigned long long)l->gicr_size, l->nr_vcpus);
		return -1;
	}
	if (!l->gicd_size || overlaps(l->gicd_base, l->gicd_size, l->gicr_base, l->gicr_size)) {
		seterr(err, errlen, "device tree: GICv3 distributor and redistributors overlap");
		return -1;
	}
	if (l->evtchn_ppi < 16 || l->evtchn_ppi > 31) {
		seterr(err, errlen, "device tree: event-channel interrupt %u is not a PPI (16..31)",
		       l->evtchn_ppi);
		return -1;
	}
	if (!l->gnttab_size) {
		seterr(err, errlen, "device tree: empty grant-table region");
		return -1;
	}
	for (i = 0; i < LAM_DOMU_RAM_BANKS; i++) {
		if (overlaps(l->ram_base[i], l->ram_size[i], l->gnttab_base, l->gnttab_size)) {
			seterr(err, errlen, "device tree: grant-table region overlaps RAM bank %u",
			       i);
			return -1;
		}
	}
	if (l->initrd_size &&
	    (l->initrd_start + l->initrd_size < l->initrd_start ||
	     l->initrd_start < l->ram_base[0] ||
	     l->initrd_start + l->initrd_size > l->ram_base[0] + l->ram_size[0])) {
		seterr(err, errlen, "device tree: initrd 0x%llx+0x%llx is outside RAM bank 0",
		       (unsigned long long)l->initrd_start, (unsigned long long)l->initrd_size);
		return -1;
	}
	/* Linux wants compatible[0] to start with "xen,xen-" and be longer than 11 bytes. */
	if (strncmp(xen_compat, "xen,xen-", 8) || strlen(xen_compat) < 11 ||
	    strlen(xen_compat) > 24) {
		seterr(err, errlen, "device tree: bad Xen compatible \"%s\" (want \"xen,xen-X.Y\")",
		       xen_compat);
		return -1;
	}
	if (l->rng_seed_len > 4096 || (l->rng_seed_len && !l->rng_seed)) {
		seterr(err, errlen, "device tree: bad rng-seed");
		return -1;
	}
	return 0;
}

int lam_domu_dt_build(const struct lam_domu_layout *l, void *buf, size_t bufsize, char *err,
		      size_t errlen)
{
	const char *xen_compat = l->xen_compat ? l->xen_compat : LAM_DOMU_XEN_COMPAT;
	unsigned int i;
	int size = bufsize > LAM_DOMU_DT_MAX_SIZE ? (int)LAM_DOMU_DT_MAX_SIZE : (int)bufsize;
	int rc;

	if (check_layout(l, xen_compat, err, errlen)) {
		return -1;
	}
	rc = fdt_create(buf, size);
	rc = rc ?: fdt_finish_reservemap(buf);
	rc = rc ?: fdt_begin_node(buf, "");
	rc = rc ?: make_root_props(buf, xen_compat);
	rc = rc ?: make_chosen(buf, l);
	rc = rc ?: make_cpus(buf, l->nr_vcpus);
	rc = rc ?: make_psci(buf);
	for (i = 0; !rc && i < LAM_DOMU_RAM_BANKS; i++) {
		if (l->ram_size[i]) {
			rc = make_memory(buf, l->ram_base[i], l->ram_size[i]);
		}
	}
	rc = rc ?: make_gicv3(buf, l);
	rc = rc ?: make_timer(buf, l->clock_frequency);
	rc = rc ?: make_hypervisor(buf, l, xen_compat);
	rc = rc ?: fdt_end_node(buf);
	/* fdt_finish() moves the strings block down, so totalsize is exactly what was used. */
	rc = rc ?: fdt_finish(buf);
	if (rc == -FDT_ERR_NOSPACE) {
		seterr(err, errlen, "device tree: does not fit in a buffer of %zu bytes", bufsize);
		return -1;
	}
	if (rc) {
		seterr(err, errlen, "device tree: libfdt error: %s", fdt_strerror(rc));
		return -1;
	}
	return 0;
}
