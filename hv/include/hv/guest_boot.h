/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What common code needs from the architecture to boot a domain it builds itself (Dom0,
 * hv/common/dom0_build.c, and the dom0less DomUs, hv/common/dom0less.c): kernel probing and
 * placement, a DomU's device tree, loading, machine power. Arm's side is hv/arch/arm64/guest_boot.c, over the code it
 * shares with `lam` (hv/arch/arm64/guest/). These arch_ hooks are meant to move into the
 * common arch interface header.
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

/**
 * Checks the kernel image gb->kernel (Arm: an arm64 Image), before the domain exists.
 * Returns 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_kernel_probe(struct guest_boot *gb, char *err, size_t errlen);

/**
 * Decides where the probed kernel, the initrd and the device tree go in the guest's RAM
 * [ram_base, ram_base + ram_size). Returns 0, or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_boot_plan(struct guest_boot *gb, char *err, size_t errlen);

/**
 * Writes a DomU's device tree for gb into buf (size bytes). Returns 0, or a negative
 * -HV_Exxx with a reason in err.
 */
int arch_domu_dt_build(const struct guest_boot *gb, void *buf, size_t size, char *err,
		       size_t errlen);

/**
 * Copies kernel, initrd and the device tree dtb into d's RAM as planned, visible to a guest
 * that starts with its caches off. Returns 0 or a negative -HV_Exxx with a reason in err.
 */
int arch_guest_boot_load(struct domain *d, const struct guest_boot *gb, const void *dtb, char *err,
			 size_t errlen);

/** Powers the machine off (does not return). */
void arch_machine_power_off(void) __attribute__((noreturn));
/** Resets the machine (does not return). */
void arch_machine_restart(void) __attribute__((noreturn));
