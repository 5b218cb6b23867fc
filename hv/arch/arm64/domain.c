/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arm64 side of domains and vCPUs (the arch contract, hv/arch.h): stage 2, the
 * virtual counter offset, vGIC and virtual timers set up and torn down; a vCPU's
 * initial state; and the switch of EL1 system registers, FP/SIMD, stage 2, virtual
 * timer and vGIC state between vCPUs on a pCPU.
 */
#include <asm/domain.h>
#include <asm/gic.h>
#include <asm/p2m.h>
#include <asm/sysregs.h>
#include <asm/time.h>
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <asm/vgic.h>
#include <hv/vtimer.h>
#include <public/hvm_op.h>
#include <public/lamctl.h>

#include <arm64_guest.h>

#define GUEST_NR_SPIS 64 /* SPIs of an emulated DomU distributor */

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
static void vcpu_regs_reset(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	memset(&a->regs, 0, sizeof(a->regs));
	memset(&a->sys, 0, sizeof(a->sys));
	memset(&a->fp, 0, sizeof(a->fp));
	a->regs.pstate = PSR_GUEST64_INIT;
	a->sys.sctlr = SCTLR_GUEST_INIT;
	a->vmpidr = MPIDR_RES1 | arm64_vcpu_to_mpidr(v->id);
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
	vgic_flush_lrs(v);
}

/** See hv/arch.h. */
int arch_domain_create(struct domain *d, const struct domain_config *cfg)
{
	int rc;

	/* The guest's virtual counter starts at 0 when the domain is created. */
	d->arch.cntvoff = read_sysreg(cntpct_el0);
	d->arch.evtchn_ppi = cfg->evtchn_ppi != 0 ? cfg->evtchn_ppi : GUEST_EVTCHN_PPI;
	rc = p2m_domain_init(d);
	if (rc != 0) {
		return rc;
	}
	return vgic_domain_init(d, cfg->nr_spis ? cfg->nr_spis : GUEST_NR_SPIS,
				cfg->gicd_base ? cfg->gicd_base : GUEST_GICV3_GICD_BASE,
				cfg->gicr_base ? cfg->gicr_base : GUEST_GICV3_GICR0_BASE);
}

/** See hv/arch.h. */
void arch_domain_destroy(struct domain *d)
{
	vgic_domain_destroy(d);
	p2m_domain_destroy(d);
}

/** See hv/arch.h. */
void arch_domain_describe(const struct domain *d, struct lam_dom_create *out)
{
	out->gicd_base = d->arch.vgic.dist_base;
	out->gicr_base = d->arch.vgic.redist_base;
	out->evtchn_ppi = d->arch.evtchn_ppi;
	out->clock_frequency = (u32)arch_counter_freq();
}

/** See hv/arch.h. Xen's encoding for Arm: a PPI, level-triggered, active-low. */
u64 arch_domain_callback_param(const struct domain *d)
{
	return ((u64)HVM_PARAM_CALLBACK_TYPE_PPI << HVM_PARAM_CALLBACK_TYPE_SHIFT) |
	       ((u64)HVM_PARAM_CALLBACK_PPI_FLAG_LOW << HVM_PARAM_CALLBACK_FLAGS_SHIFT) |
	       d->arch.evtchn_ppi;
}

/** See hv/arch.h. */
int arch_vcpu_create(struct vcpu *v)
{
	vcpu_regs_reset(v);
	vtimer_vcpu_init(v);
	return vgic_vcpu_init(v);
}

/** See hv/arch.h. */
void arch_vcpu_destroy(struct vcpu *v)
{
	vtimer_vcpu_destroy(v);
}

/** See hv/arch.h. */
void arch_vcpu_reset(struct vcpu *v, u64 entry, u64 ctx)
{
	vcpu_regs_reset(v);
	v->arch.regs.pc = entry;
	v->arch.regs.x[0] = ctx;
}

/** See hv/arch.h. */
void arch_vcpu_dump(const struct vcpu *v)
{
	const struct guest_regs *r = &v->arch.regs;

	for (int i = 0; i < 30; i += 2) {
		log_warn("  x%-2d %016llx   x%-2d %016llx\n", i, (unsigned long long)r->x[i], i + 1,
			 (unsigned long long)r->x[i + 1]);
	}
	log_warn("  x30 %016llx   pc  %016llx   pstate %08llx\n", (unsigned long long)r->x[30],
		 (unsigned long long)r->pc, (unsigned long long)r->pstate);
}

/** See hv/arch.h. */
u64 arch_vcpu_pc(const struct vcpu *v)
{
	return v->arch.regs.pc;
}

/** See hv/arch.h: the virtual and the emulated physical timer. */
unsigned int arch_vcpu_timers(struct vcpu *v, struct timer **out, unsigned int max)
{
	struct timer *t[] = { &v->arch.vtimer.t, &v->arch.vtimer.pt };
	unsigned int n = MIN(max, (unsigned int)ARRAY_SIZE(t));

	for (unsigned int i = 0; i < n; i++) {
		out[i] = t[i];
	}
	return n;
}

/** See hv/arch.h. */
bool arch_vcpu_irq_pending(struct vcpu *v)
{
	return vgic_vcpu_has_pending(v);
}

/** See hv/arch.h. */
void arch_evtchn_upcall(struct vcpu *v)
{
	vgic_set_pending(v->domain, v, v->domain->arch.evtchn_ppi);
}

/** See hv/arch.h: a single attempt; the caller bounds the retries. */
bool arch_guest_cmpxchg32(u32 *p, u32 *expected, u32 desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

/** See hv/arch.h: an SGI the target takes as "reschedule and re-enter". */
void arch_kick_cpu(unsigned int cpu)
{
	gic_send_sgi(cpu, SGI_KICK);
}
