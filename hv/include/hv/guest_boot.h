/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What common code needs from the architecture to boot a domain it builds itself (Dom0,
 * hv/common/dom0_build.c, and the dom0less DomUs, hv/common/dom0less.c): kernel probing and
 * placement, a DomU's device tree, loading. Arm's side is hv/arch/arm64/guest_boot.c, over
 * the code it shares with `lam` (hv/arch/arm64/guest/); its hooks are in hv/arch.h.
 */
#pragma once

#include <hv/types.h>

struct domain;

/** A boot-time guest: its images and RAM (in), where they go (out). */
struct guest_boot {
	const char *name; /* for messages */
	unsigned int nr_vcpus;
	gpaddr_t ram_base;
	u64 ram_size;
	paddr_t kernel; /* boot modules (host physical) */
	u64 kernel_size;
	paddr_t initrd;
	u64 initrd_size; /* 0: none */
	const char *cmdline;
	/* Set by arch_guest_kernel_probe(): */
	u64 load_offset; /* from the RAM base the kernel is loaded at */
	u64 load_size;	 /* bytes the kernel occupies from there (its BSS included) */
	/* Set by arch_guest_boot_plan(): */
	gpaddr_t kernel_gpa, entry, initrd_gpa, dtb_gpa;
};

/* The arch's side: arch_guest_kernel_probe(), arch_guest_boot_plan(), arch_domu_dt_build(),
 * arch_guest_boot_load() in hv/arch.h. */
