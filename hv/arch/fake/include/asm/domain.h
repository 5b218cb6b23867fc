/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's part of a vCPU and a domain (hv/arch/fake/arch.c, p2m.c):
 * what the contract's calls did, for host unit tests of common code to inspect.
 */
#pragma once

#include <hv/types.h>

struct fake_p2m;

struct arch_vcpu {
	u64 pc, ctx;	      /* arch_vcpu_reset()'s entry and first argument */
	unsigned int resets;  /* arch_vcpu_reset() calls */
	unsigned int upcalls; /* arch_evtchn_upcall() calls */
	bool irq_pending;     /* what arch_vcpu_irq_pending() answers */
	bool created;	      /* between arch_vcpu_create() and arch_vcpu_destroy() */
};

struct arch_domain {
	struct fake_p2m *p2m; /* guest frame -> "machine" address (hv/arch/fake/p2m.c) */
	u32 evtchn_irq;	      /* the upcall interrupt (cfg->evtchn_ppi or 31) */
	bool created;	      /* between arch_domain_create() and arch_domain_destroy() */
};
