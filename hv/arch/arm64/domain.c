/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPU context on AArch64: initial state, and the switch of EL1 system registers,
 * FP/SIMD, stage 2, virtual timer and vGIC state between vCPUs on a pCPU.
 */
#include <asm/domain.h>
#include <asm/gic.h>
#include <asm/sysregs.h>
#include <asm/time.h>
#include <asm/vcpu.h>
#include <hv/domain.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/vgic.h>
#include <hv/vtimer.h>

/*
 * HCR_EL2 while a guest runs (Arm ARM D17.2.48): VM stage 2 on; SWIO; PTW; FMO, IMO,
 * AMO route physical interrupts to EL2 and enable virtual ones; FB and BSU=IS
 * broadcast TLB/cache maintenance; TWI, TWE trap WFI/WFE; TSC traps SMC; TIDCP and
 * TACR trap implementation-defined and auxiliary control registers; RW = AArch64.
 */
#define HCR_TWI (1ul << 13) /* trap WFI */
#define HCR_GUEST                                                                           \
	((1ul << 0) | (1ul << 1) | (1ul << 2) | (1ul << 3) | (1ul << 4) | (1ul << 5) |      \
	 (1ul << 9) | (1ul << 10) | (1ul << 13) | (1ul << 14) | (1ul << 19) | (1ul << 20) | \
	 (1ul << 21) | (1ul << 31))

/*
 * MDCR_EL2 (D17.2.104): trap PMU (TPMCR bit 5, TPM bit 6), debug register (TDA bit
 * 9), OS lock (TDOSA bit 10) and debug ROM (TDRA bit 11) accesses, so a guest cannot
 * set breakpoints or count events that leak into other guests; these accesses are
 * emulated as RAZ/WI. HPMN[4:0] keeps its reset value.
 */
#define MDCR_TRAPS ((1ul << 5) | (1ul << 6) | (1ul << 9) | (1ul << 10) | (1ul << 11))

void fp_save(struct fp_state *fp);
void fp_restore(const struct fp_state *fp);

/** Resets v's architectural state: EL1h, interrupts masked, MMU off. */
void arch_vcpu_init(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	memset(&a->regs, 0, sizeof(a->regs));
	memset(&a->sys, 0, sizeof(a->sys));
	memset(&a->fp, 0, sizeof(a->fp));
	a->regs.pstate = PSR_GUEST64_INIT;
	a->sys.sctlr = SCTLR_GUEST_INIT;
	/* MPIDR: bit 31 RES1; Aff0 = id % 16, Aff1 = id / 16 (Xen's vcpuid_to_vaffinity). */
	a->vmpidr = (1ull << 31) | ((u64)(v->id >> 4) << 8) | (v->id & 0xf);
	a->hcr = HCR_GUEST;
	a->fault_dumped = false;
}

/** Saves the state v left in this pCPU's registers (v is being switched out). */
void arch_vcpu_save(struct vcpu *v)
{
	struct el1_sysregs *s = &v->arch.sys;

	s->sctlr = read_sysreg(sctlr_el1);
	s->actlr = read_sysreg(actlr_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->sp_el1 = read_sysreg(sp_el1);
	s->elr = read_sysreg(elr_el1);
	s->spsr = read_sysreg(spsr_el1);
	s->par = read_sysreg(par_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->csselr = read_sysreg(csselr_el1);
	fp_save(&v->arch.fp);
	vtimer_save(v);
	vgic_save_state(v);
}

/** Loads v's state into this pCPU's registers (v is being switched in). */
void arch_vcpu_load(struct vcpu *v)
{
	const struct el1_sysregs *s = &v->arch.sys;
	struct domain *d = v->domain;

	write_sysreg(d->arch.vttbr, vttbr_el2);
	write_sysreg(v->arch.vmpidr, vmpidr_el2);
	write_sysreg(read_sysreg(midr_el1), vpidr_el2);
	write_sysreg(v->arch.hcr, hcr_el2);
	write_sysreg(MDCR_TRAPS | (read_sysreg(mdcr_el2) & 0x1f), mdcr_el2);
	write_sysreg(s->sctlr, sctlr_el1);
	write_sysreg(s->actlr, actlr_el1);
	write_sysreg(s->cpacr, cpacr_el1);
	write_sysreg(s->ttbr0, ttbr0_el1);
	write_sysreg(s->ttbr1, ttbr1_el1);
	write_sysreg(s->tcr, tcr_el1);
	write_sysreg(s->esr, esr_el1);
	write_sysreg(s->far, far_el1);
	write_sysreg(s->afsr0, afsr0_el1);
	write_sysreg(s->afsr1, afsr1_el1);
	write_sysreg(s->mair, mair_el1);
	write_sysreg(s->amair, amair_el1);
	write_sysreg(s->vbar, vbar_el1);
	write_sysreg(s->contextidr, contextidr_el1);
	write_sysreg(s->tpidr_el0, tpidr_el0);
	write_sysreg(s->tpidrro_el0, tpidrro_el0);
	write_sysreg(s->tpidr_el1, tpidr_el1);
	write_sysreg(s->sp_el0, sp_el0);
	write_sysreg(s->sp_el1, sp_el1);
	write_sysreg(s->elr, elr_el1);
	write_sysreg(s->spsr, spsr_el1);
	write_sysreg(s->par, par_el1);
	write_sysreg(s->cntkctl, cntkctl_el1);
	write_sysreg(s->csselr, csselr_el1);
	isb();
	fp_restore(&v->arch.fp);
	vtimer_load(v);
	vgic_restore_state(v);
}

/*
 * Right before entering v: present its pending interrupts. A vCPU alone on its pCPU
 * runs WFI natively (HCR_EL2.TWI clear, like Xen's vwfi=native with the null
 * scheduler): it wakes on its virtual interrupts, and everything that needs the
 * hypervisor arrives as a physical interrupt anyway. With company, WFI traps so the
 * pCPU can run someone else. IRQs masked.
 */
void arch_vcpu_prepare_entry(struct vcpu *v)
{
	struct sched_pcpu *rq = &this_pcpu()->sched;
	bool alone = rq->nr_assigned <= 1 && rq->rq_head == NULL;
	u64 hcr = alone ? (v->arch.hcr & ~HCR_TWI) : (v->arch.hcr | HCR_TWI);

	if (hcr != v->arch.hcr) {
		v->arch.hcr = hcr;
		write_sysreg(hcr, hcr_el2);
		isb();
	}
	sched_poll_done(v);
	vgic_flush_lrs(v);
}
