/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree `lam create` hands to a DomU kernel: the same minimal tree libxl builds for
 * an Arm guest (Xen's tools/libs/light/libxl_arm.c, libxl__arch_domain_init_hw_description()):
 * root, /chosen, /cpus, /psci, /memory@..., the GICv3 node, /timer and /hypervisor. The
 * builder is the hypervisor's (hv/arch/arm64/guest/domu_dt.c, declared in arm64_guest.h),
 * compiled into lam as well, so dom0less DomUs and lam's DomUs get one tree; these are
 * lam's names for it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arm64_guest.h>

/** Largest tree lam_domu_dt_build() makes; also the room the load plan reserves (2 MiB). */
#define LAM_DOMU_DT_MAX_SIZE ARM64_DOMU_DT_MAX_SIZE
/** Xen-compatible version the guest is told (the root "xen,xenvm-" and /hypervisor strings). */
#define LAM_DOMU_XEN_COMPAT ARM64_DOMU_XEN_COMPAT
/** Number of RAM banks the guest layout has (GUEST_RAM0 and GUEST_RAM1). */
#define LAM_DOMU_RAM_BANKS ARM64_DOMU_RAM_BANKS

/**
 * The guest's physical layout and boot parameters: struct arm64_domu_layout (its fields are
 * documented in arm64_guest.h) under lam's name. lam always writes /hypervisor, so
 * gnttab_size must not be 0.
 */
#define lam_domu_layout arm64_domu_layout

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
