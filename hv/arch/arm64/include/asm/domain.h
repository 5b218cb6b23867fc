/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AArch64 part of a vCPU and a domain (struct vcpu.arch, struct domain.arch): saved
 * guest registers, EL1 system registers, FP/SIMD, virtual timer, vGIC state, stage-2
 * tables. Only hv/arch/arm64 looks inside (the arch contract, hv/arch.h).
 */
#pragma once

/* Offsets of struct guest_regs, used by entry.S. */
#define GREGS_X(n) ((n)*8)
#define GREGS_PC (31 * 8)
#define GREGS_PSTATE (32 * 8)
#define GREGS_SIZE (33 * 8)

#ifndef __ASSEMBLY__

#include <asm/pt.h>
#include <asm/vgic.h>
#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>

/** Guest general registers, saved on every exit and restored on every entry. */
struct guest_regs {
	u64 x[31];
	u64 pc;	    /* ELR_EL2 */
	u64 pstate; /* SPSR_EL2 */
};
_Static_assert(sizeof(struct guest_regs) == GREGS_SIZE, "guest_regs layout");

/** EL1 (and EL0) system registers, saved when the vCPU is switched out. */
struct el1_sysregs {
	u64 sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, esr, far, afsr0, afsr1, mair, amair;
	u64 vbar, contextidr, tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr, spsr;
	u64 par, cntkctl, csselr, mdscr;
};

struct fp_state {
	u64 q[64]; /* v0-v31, 128 bits each */
	u64 fpsr, fpcr;
};

struct vtimer {
	u64 ctl;	/* CNTV_CTL_EL0 while not running */
	u64 cval;	/* CNTV_CVAL_EL0 */
	struct timer t; /* fires at cval while the vCPU is not running */
	/* The hypervisor made the virtual PPI pending and the guest has not yet been seen
	 * with the timer condition gone (vtimer_resample()). */
	bool raised;
	/* Emulated EL1 physical timer (CNTP_*), backed by a hypervisor timer. */
	u64 p_ctl, p_cval;
	struct timer pt;
};

struct arch_vcpu {
	struct guest_regs regs; /* must stay first: entry.S uses the vCPU pointer */
	struct el1_sysregs sys;
	struct fp_state fp;
	struct vtimer vtimer;
	struct vgic_cpu vgic; /* its SGIs and PPIs, list-register shadow */
	u64 vmpidr;
	u64 hcr;
	/* A guest fault dump is printed once per vCPU. */
	bool fault_dumped;
};

/* Stage-2 table pages freed by one update, held until its TLB flush. */
#define P2M_DEFERRED_MAX 16

struct arch_domain {
	struct pt p2m;
	spinlock_t p2m_lock;
	u64 p2m_tables; /* table pages charged to the domain (p2m.c) */
	paddr_t p2m_deferred[P2M_DEFERRED_MAX];
	unsigned int nr_p2m_deferred;
	u16 vmid;
	u64 vttbr;
	u64 cntvoff; /* CNTVOFF_EL2: the counter value at creation */
	unsigned int ipa_bits;
	struct vgic_dist vgic; /* the emulated distributor and the domain's SPIs */
	u32 evtchn_ppi;	       /* the event-channel upcall PPI (GUEST_EVTCHN_PPI) */
};

#endif
