/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree `lam create` hands to a DomU kernel: the same minimal tree libxl builds for
 * an Arm guest (Xen's tools/libs/light/libxl_arm.c, libxl__arch_domain_init_hw_description()): root, /chosen, /cpus, /psci, /memory@...,
 * the GICv3 node, /timer and /hypervisor (section 1.4).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/** Largest tree lam_domu_dt_build() makes; also the room the load plan reserves (2 MiB). */
#define LAM_DOMU_DT_MAX_SIZE (2ULL << 20)
/** Xen-compatible version the guest is told (the root "xen,xenvm-" and /hypervisor strings). */
#define LAM_DOMU_XEN_COMPAT "xen,xen-4.17"
/** Number of RAM banks the guest layout has (GUEST_RAM0 and GUEST_RAM1). */
#define LAM_DOMU_RAM_BANKS 2

/**
 * The guest's physical layout and boot parameters. lam_domu_layout_init() fills it with the
 * fixed GUEST_* layout of hv/include/public/xen.h; the caller then sets the command line,
 * the initrd and, if it wants, the timer frequency and RNG seed.
 */
struct lam_domu_layout {
	/** RAM banks; a bank with size 0 is left out of the tree. Bank 0 must be present. */
	uint64_t ram_base[LAM_DOMU_RAM_BANKS];
	uint64_t ram_size[LAM_DOMU_RAM_BANKS];
	/** vCPUs that get a cpu@ node (xl: maxvcpus), 1..128. */
	unsigned int nr_vcpus;
	uint64_t gicd_base, gicd_size;
	/** Redistributor region; must hold nr_vcpus frames of 128 KiB. */
	uint64_t gicr_base, gicr_size;
	/** Written to /timer clock-frequency when nonzero (normally left 0: CNTFRQ is right). */
	uint32_t clock_frequency;
	/** Grant-table window: /hypervisor reg[0]. */
	uint64_t gnttab_base, gnttab_size;
	/** Event-channel PPI as an INTID (16..31), e.g. GUEST_EVTCHN_PPI = 31. */
	uint32_t evtchn_ppi;
	/** Kernel command line; NULL or "" gives an empty bootargs. */
	const char *cmdline;
	/** Initrd placement; initrd_size 0 = no initrd properties. */
	uint64_t initrd_start, initrd_size;
	/** /hypervisor compatible[0], "xen,xen-<maj>.<min>"; NULL = LAM_DOMU_XEN_COMPAT. */
	const char *xen_compat;
	/** /chosen rng-seed bytes (libxl gives 128); rng_seed_len 0 = no property. */
	const uint8_t *rng_seed;
	size_t rng_seed_len;
};

/**
 * Fill @l with the fixed DomU layout: @mem_bytes of RAM split over GUEST_RAM0 (up to 3 GiB)
 * then GUEST_RAM1, @nr_vcpus vCPUs, GICv3 at GUEST_GICV3_*, grant table at GUEST_GNTTAB_*,
 * event channel on GUEST_EVTCHN_PPI, no command line, no initrd.
 */
void lam_domu_layout_init(struct lam_domu_layout *l, uint64_t mem_bytes, unsigned int nr_vcpus);

/**
 * Build the tree into @buf (@bufsize bytes, at most LAM_DOMU_DT_MAX_SIZE are used).
 * On success returns 0 and the blob is packed: fdt_totalsize(buf) is its size.
 * Returns -1 with a message in @err on a bad layout or when @buf is too small.
 */
int lam_domu_dt_build(const struct lam_domu_layout *l, void *buf, size_t bufsize, char *err,
		      size_t errlen);

/** MPIDR affinity (the cpu@ reg) of vCPU @vcpuid: Aff0 = id % 16, Aff1 = id / 16. */
uint32_t lam_domu_vcpu_mpidr(unsigned int vcpuid);
