/* SPDX-License-Identifier: Apache-2.0 */
/* Dom0, the hardware domain (hv/common/dom0_build.c; Arm's part hv/arch/arm64/dom0_build.c). */
#pragma once

#include <hv/bootinfo.h>

struct domain;
struct domain_config;
struct dom0_passthrough;
struct dom0_dt_params;

/**
 * Builds and starts Dom0 from the boot modules: -HV_ENOENT if there is no Dom0 kernel
 * module, another negative error (already explained in the log) if it cannot be built.
 */
int dom0_build(const struct boot_info *bi, struct domain **out);

/* The architecture's part of dom0_build() (meant to move into the common arch header). */

/**
 * Sets cfg's interrupt-controller layout and event-channel interrupt for Dom0 (Arm: the vGIC
 * at the host GIC's addresses with all its SPI lines, a PPI no host device uses). 0, or a
 * negative -HV_Exxx with a reason in err.
 */
int arch_dom0_configure(const struct boot_info *bi, struct domain_config *cfg, char *err,
			size_t errlen);
/**
 * Maps pt's MMIO into d 1:1 and routes pt's interrupts to it, except the hypervisor
 * console's. 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_dom0_passthrough(struct domain *d, const struct dom0_passthrough *pt, char *err,
			  size_t errlen);
/**
 * Appends to used[n..max) what Dom0's extended regions must also avoid (Arm: the GIC's
 * frames), returns the new count, and sets *limit to the guest address-space size.
 */
unsigned int arch_dom0_reserved_ranges(const struct boot_info *bi, struct mem_range *used,
				       unsigned int n, unsigned int max, u64 *limit);
/** Fills the arch's fields of dp for d (Arm: GICR frames) and the grant-table window. */
void arch_dom0_dt_params(const struct domain *d, struct dom0_dt_params *dp);
