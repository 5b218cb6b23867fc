/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated MMIO regions of a domain: a stage-2 data abort inside a registered range
 * is handed to its handler (Bao's vm_emul_add_mem idea). Handlers run on the
 * faulting vCPU's pCPU with that vCPU's context loaded.
 */
#pragma once

#include <hv/types.h>

struct vcpu;

struct mmio_ops {
	/* size is 1, 2, 4 or 8; offset is from the region base. Return 0, or a negative
	 * errno to inject a data abort into the guest. */
	int (*read)(struct vcpu *v, u64 offset, unsigned int size, u64 *val, void *priv);
	int (*write)(struct vcpu *v, u64 offset, unsigned int size, u64 val, void *priv);
};

struct mmio_region {
	gpaddr_t base;
	u64 size;
	const struct mmio_ops *ops;
	void *priv;
};

#define DOMAIN_MAX_MMIO 8

struct domain;
/** Registers [base, base+size) of d; -HV_ENOSPC if full, -HV_EEXIST if overlapping. */
int mmio_register(struct domain *d, gpaddr_t base, u64 size, const struct mmio_ops *ops,
		  void *priv);
/** The region containing gpa, or NULL. */
const struct mmio_region *mmio_find(const struct domain *d, gpaddr_t gpa);
