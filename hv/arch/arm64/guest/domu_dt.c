/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DomU device tree, shared by the hypervisor's dom0less builder and `lam create` (see
 * arm64_guest.h). Written with libfdt's sequential-write API in the node order libxl uses
 * (Xen's tools/libs/light/libxl_arm.c). Every address is known before we start, so unlike libxl
 * there are no placeholders to patch: /memory and /chosen get their final values and
 * /hypervisor only has the grant-table region (no extended regions yet).
 */
#include <libfdt.h>

#include <hv/errno.h>
#include <hv/lib.h>

#include <arm64_guest.h>

/* Root cells; the GIC specifier has 3 cells (Linux bindings/interrupt-controller/arm,gic-v3). */
#define DOMU_ROOT_ADDR_CELLS 2
#define DOMU_ROOT_SIZE_CELLS 2
/* Longest "xen,xen-X.Y" accepted; Linux wants more than 11 bytes starting "xen,xen-". */
#define DOMU_XEN_COMPAT_MIN 11
#define DOMU_XEN_COMPAT_MAX 24
#define DOMU_RNG_SEED_MAX 4096

/** See arm64_guest.h. */
void arm64_domu_layout_init(struct arm64_domu_layout *l, u64 mem_bytes, unsigned int nr_vcpus)
{
	u64 bank0 = MIN(mem_bytes, GUEST_RAM0_SIZE);

	memset(l, 0, sizeof(*l));
	l->ram_base[0] = GUEST_RAM0_BASE;
	l->ram_size[0] = bank0;
	l->ram_base[1] = GUEST_RAM1_BASE;
	l->ram_size[1] = mem_bytes - bank0;
	l->nr_vcpus = nr_vcpus;
	l->gicd_base = GUEST_GICV3_GICD_BASE;
	l->gicd_size = GUEST_GICV3_GICD_SIZE;
	l->gicr_base = GUEST_GICV3_GICR0_BASE;
	l->gicr_size = (u64)nr_vcpus * GUEST_GICV3_RDIST_STRIDE;
	l->gnttab_base = GUEST_GNTTAB_BASE;
	l->gnttab_size = GUEST_GNTTAB_SIZE;
	l->evtchn_ppi = GUEST_EVTCHN_PPI;
}

/** Writes "reg" of nr (base, size) pairs in the root's 2 + 2 cells. */
static int domu_prop_reg(void *fdt, const u64 *pairs, unsigned int nr)
{
	fdt64_t cells[2 * 2];

	for (unsigned int i = 0; i < 2 * nr && i < ARRAY_SIZE(cells); i++) {
		cells[i] = cpu_to_fdt64(pairs[i]);
	}
	return fdt_property(fdt, "reg", cells, (int)(MIN(nr, 2u) * 2 * sizeof(fdt64_t)));
}

/** Writes "interrupts" with one GIC specifier per PPI INTID in ppis (at most 3). */
static int domu_prop_ppis(void *fdt, const u32 *ppis, unsigned int n)
{
	fdt32_t cells[3 * GIC_DT_IRQ_CELLS];

	for (unsigned int i = 0; i < n && i < 3; i++) {
		cells[3 * i] = cpu_to_fdt32(GIC_DT_IRQ_TYPE_PPI);
		cells[3 * i + 1] = cpu_to_fdt32(ppis[i] - GIC_PPI_BASE);
		cells[3 * i + 2] = cpu_to_fdt32(GIC_DT_PPI_FLAGS);
	}
	return fdt_property(fdt, "interrupts", cells, (int)(MIN(n, 3u) * 3 * sizeof(fdt32_t)));
}

/** Writes the string list "a\0b\0" from a and b. */
static int domu_prop_pair(void *fdt, const char *name, const char *a, const char *b)
{
	char buf[2 * (DOMU_XEN_COMPAT_MAX + 8)];
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;

	if (la + lb > sizeof(buf)) {
		return -FDT_ERR_BADVALUE;
	}
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	return fdt_property(fdt, name, buf, (int)(la + lb));
}

static int domu_root_props(void *fdt, const char *xen_compat)
{
	/* "xen,xen-4.17" gives the model "XENVM-4.17" and "xen,xenvm-4.17". */
	const char *ver = xen_compat + strlen("xen,xen-");
	char model[DOMU_XEN_COMPAT_MAX + 8], vm[DOMU_XEN_COMPAT_MAX + 8];
	int rc;

	hv_snprintf(model, sizeof(model), "XENVM-%s", ver);
	hv_snprintf(vm, sizeof(vm), "xen,xenvm-%s", ver);
	rc = fdt_property_string(fdt, "model", model);
	rc = rc ?: domu_prop_pair(fdt, "compatible", vm, "xen,xenvm");
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	rc = rc ?: fdt_property_u32(fdt, "#address-cells", DOMU_ROOT_ADDR_CELLS);
	return rc ?: fdt_property_u32(fdt, "#size-cells", DOMU_ROOT_SIZE_CELLS);
}

static int domu_chosen(void *fdt, const struct arm64_domu_layout *l)
{
	int rc = fdt_begin_node(fdt, "chosen");

	rc = rc ?: fdt_property_string(fdt, "bootargs", l->cmdline ? l->cmdline : "");
	if (rc == 0 && l->initrd_size != 0) {
		rc = fdt_property_u64(fdt, "linux,initrd-start", l->initrd_start);
		rc = rc
			     ?: fdt_property_u64(fdt, "linux,initrd-end",
						 l->initrd_start + l->initrd_size);
	}
	if (rc == 0 && l->rng_seed_len != 0) {
		rc = fdt_property(fdt, "rng-seed", l->rng_seed, (int)l->rng_seed_len);
	}
	return rc ?: fdt_end_node(fdt);
}

static int domu_cpus(void *fdt, unsigned int nr_vcpus)
{
	int rc = fdt_begin_node(fdt, "cpus");

	rc = rc ?: fdt_property_u32(fdt, "#address-cells", 1);
	rc = rc ?: fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned int i = 0; rc == 0 && i < nr_vcpus; i++) {
		u32 mpidr = arm64_vcpu_to_mpidr(i);
		char name[16];

		hv_snprintf(name, sizeof(name), "cpu@%x", mpidr);
		rc = fdt_begin_node(fdt, name);
		rc = rc ?: fdt_property_string(fdt, "device_type", "cpu");
		rc = rc ?: fdt_property_string(fdt, "compatible", "arm,armv8");
		rc = rc ?: fdt_property_string(fdt, "enable-method", "psci");
		rc = rc ?: fdt_property_u32(fdt, "reg", mpidr);
		rc = rc ?: fdt_end_node(fdt);
	}
	return rc ?: fdt_end_node(fdt);
}

static int domu_psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	int rc = fdt_begin_node(fdt, "psci");

	rc = rc ?: fdt_property(fdt, "compatible", compat, sizeof(compat));
	rc = rc ?: fdt_property_string(fdt, "method", "hvc");
	rc = rc ?: fdt_property_u32(fdt, "cpu_off", PSCI_0_1_CPU_OFF);
	rc = rc ?: fdt_property_u32(fdt, "cpu_on", PSCI_0_1_CPU_ON);
	return rc ?: fdt_end_node(fdt);
}

static int domu_memory(void *fdt, u64 base, u64 size)
{
	u64 reg[2] = { base, size };
	char name[32];
	int rc;

	hv_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
	rc = fdt_begin_node(fdt, name);
	rc = rc ?: fdt_property_string(fdt, "device_type", "memory");
	rc = rc ?: domu_prop_reg(fdt, reg, 1);
	return rc ?: fdt_end_node(fdt);
}

static int domu_gicv3(void *fdt, const struct arm64_domu_layout *l)
{
	u64 reg[4] = { l->gicd_base, l->gicd_size, l->gicr_base, l->gicr_size };
	char name[48];
	int rc;

	hv_snprintf(name, sizeof(name), "interrupt-controller@%llx",
		    (unsigned long long)l->gicd_base);
	rc = fdt_begin_node(fdt, name);
	rc = rc ?: fdt_property_string(fdt, "compatible", "arm,gic-v3");
	rc = rc ?: fdt_property_u32(fdt, "#interrupt-cells", GIC_DT_IRQ_CELLS);
	rc = rc ?: fdt_property_u32(fdt, "#address-cells", 0);
	rc = rc ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	rc = rc ?: domu_prop_reg(fdt, reg, 2);
	rc = rc ?: fdt_property_u32(fdt, "linux,phandle", GUEST_PHANDLE_GIC);
	rc = rc ?: fdt_property_u32(fdt, "phandle", GUEST_PHANDLE_GIC);
	return rc ?: fdt_end_node(fdt);
}

static int domu_timer(void *fdt, u32 clock_frequency)
{
	/* Order fixed by the arm,armv8-timer binding: secure phys, non-secure phys, virt. */
	static const u32 ppis[] = { GUEST_TIMER_PHYS_S_PPI, GUEST_PTIMER_PPI, GUEST_VTIMER_PPI };
	int rc = fdt_begin_node(fdt, "timer");

	rc = rc ?: fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	rc = rc ?: domu_prop_ppis(fdt, ppis, ARRAY_SIZE(ppis));
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	if (rc == 0 && clock_frequency != 0) {
		rc = fdt_property_u32(fdt, "clock-frequency", clock_frequency);
	}
	return rc ?: fdt_end_node(fdt);
}

static int domu_hypervisor(void *fdt, const struct arm64_domu_layout *l, const char *xen_compat)
{
	u64 reg[2] = { l->gnttab_base, l->gnttab_size };
	/* Linux finds this node by the exact name "hypervisor" (no unit address). */
	int rc = fdt_begin_node(fdt, "hypervisor");

	rc = rc ?: domu_prop_pair(fdt, "compatible", xen_compat, "xen,xen");
	rc = rc ?: domu_prop_reg(fdt, reg, 1);
	rc = rc ?: domu_prop_ppis(fdt, &l->evtchn_ppi, 1);
	rc = rc ?: fdt_property_u32(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	return rc ?: fdt_end_node(fdt);
}

static bool domu_overlaps(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

/** Rejects layouts Linux would misparse or that make no sense. */
static int domu_check_layout(const struct arm64_domu_layout *l, const char *xen_compat, char *err,
			     size_t errlen)
{
	size_t clen = strlen(xen_compat);
	unsigned int i;

	if (l->ram_size[0] == 0) {
		hv_snprintf(err, errlen, "device tree: RAM bank 0 is empty");
		return -HV_EINVAL;
	}
	for (i = 0; i < ARM64_DOMU_RAM_BANKS; i++) {
		if (l->ram_size[i] && l->ram_base[i] + l->ram_size[i] < l->ram_base[i]) {
			hv_snprintf(err, errlen, "device tree: RAM bank %u wraps around", i);
			return -HV_EINVAL;
		}
	}
	if (l->nr_vcpus < 1 || l->nr_vcpus > GUEST_MAX_VCPUS) {
		hv_snprintf(err, errlen, "device tree: %u vCPUs (must be 1..%u)", l->nr_vcpus,
			    GUEST_MAX_VCPUS);
		return -HV_EINVAL;
	}
	if (l->gicr_size < (u64)l->nr_vcpus * GICV3_REDIST_SIZE) {
		hv_snprintf(err, errlen,
			    "device tree: GICv3 redistributor region of 0x%llx bytes is too small "
			    "for %u vCPUs",
			    (unsigned long long)l->gicr_size, l->nr_vcpus);
		return -HV_EINVAL;
	}
	if (l->gicd_size == 0 ||
	    domu_overlaps(l->gicd_base, l->gicd_size, l->gicr_base, l->gicr_size)) {
		hv_snprintf(err, errlen,
			    "device tree: GICv3 distributor and redistributors overlap");
		return -HV_EINVAL;
	}
	if (l->gnttab_size != 0 &&
	    (l->evtchn_ppi < GIC_PPI_BASE || l->evtchn_ppi >= GIC_PPI_BASE + GIC_NR_PPI)) {
		hv_snprintf(err, errlen,
			    "device tree: event-channel interrupt %u is not a PPI (16..31)",
			    l->evtchn_ppi);
		return -HV_EINVAL;
	}
	for (i = 0; i < ARM64_DOMU_RAM_BANKS; i++) {
		if (l->gnttab_size != 0 &&
		    domu_overlaps(l->ram_base[i], l->ram_size[i], l->gnttab_base, l->gnttab_size)) {
			hv_snprintf(err, errlen,
				    "device tree: grant-table region overlaps RAM bank %u", i);
			return -HV_EINVAL;
		}
	}
	if (l->initrd_size != 0 &&
	    (l->initrd_start + l->initrd_size < l->initrd_start ||
	     l->initrd_start < l->ram_base[0] ||
	     l->initrd_start + l->initrd_size > l->ram_base[0] + l->ram_size[0])) {
		hv_snprintf(err, errlen, "device tree: initrd 0x%llx+0x%llx is outside RAM bank 0",
			    (unsigned long long)l->initrd_start,
			    (unsigned long long)l->initrd_size);
		return -HV_EINVAL;
	}
	if (strncmp(xen_compat, "xen,xen-", 8) != 0 || clen < DOMU_XEN_COMPAT_MIN ||
	    clen > DOMU_XEN_COMPAT_MAX) {
		hv_snprintf(err, errlen,
			    "device tree: bad Xen compatible \"%s\" (want \"xen,xen-X.Y\")",
			    xen_compat);
		return -HV_EINVAL;
	}
	if (l->rng_seed_len > DOMU_RNG_SEED_MAX || (l->rng_seed_len && l->rng_seed == NULL)) {
		hv_snprintf(err, errlen, "device tree: bad rng-seed");
		return -HV_EINVAL;
	}
	return 0;
}

/** See arm64_guest.h. */
int arm64_domu_dt_build(const struct arm64_domu_layout *l, void *buf, size_t bufsize, char *err,
			size_t errlen)
{
	const char *xen_compat = l->xen_compat ? l->xen_compat : ARM64_DOMU_XEN_COMPAT;
	int rc = domu_check_layout(l, xen_compat, err, errlen);

	if (rc != 0) {
		return rc;
	}
	rc = fdt_create(buf, (int)MIN(bufsize, (size_t)ARM64_DOMU_DT_MAX_SIZE));
	rc = rc ?: fdt_finish_reservemap(buf);
	rc = rc ?: fdt_begin_node(buf, "");
	rc = rc ?: domu_root_props(buf, xen_compat);
	rc = rc ?: domu_chosen(buf, l);
	rc = rc ?: domu_cpus(buf, l->nr_vcpus);
	rc = rc ?: domu_psci(buf);
	for (unsigned int i = 0; rc == 0 && i < ARM64_DOMU_RAM_BANKS; i++) {
		if (l->ram_size[i] != 0) {
			rc = domu_memory(buf, l->ram_base[i], l->ram_size[i]);
		}
	}
	rc = rc ?: domu_gicv3(buf, l);
	rc = rc ?: domu_timer(buf, l->clock_frequency);
	if (rc == 0 && l->gnttab_size != 0) {
		rc = domu_hypervisor(buf, l, xen_compat);
	}
	rc = rc ?: fdt_end_node(buf);
	/* fdt_finish() moves the strings block down: totalsize is exactly what was used. */
	rc = rc ?: fdt_finish(buf);
	if (rc == -FDT_ERR_NOSPACE) {
		hv_snprintf(err, errlen, "device tree: does not fit in a buffer of %zu bytes",
			    bufsize);
		return -HV_ENOSPC;
	}
	if (rc != 0) {
		hv_snprintf(err, errlen, "device tree: libfdt error: %s", fdt_strerror(rc));
		return -HV_EINVAL;
	}
	return 0;
}
