/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual timers (Arm ARM D11.2). The EL1 virtual timer runs on the hardware while
 * its vCPU runs; its interrupt (PPI 27) reaches EL2, which masks the timer in
 * CNTV_CTL (the guest rewrites CTL when it programs the next event, as Xen relies on)
 * and makes virtual PPI 27 pending. While the vCPU is switched out, a hypervisor
 * timer fires at CVAL instead. The timer's output is a level (Arm ARM D11.2): at every
 * exit after it was raised, vtimer_resample() withdraws the pending PPI if the guest has
 * disabled the timer or moved CVAL past the counter (KVM resamples its timer line on exit
 * likewise: Linux arch/arm64/kvm/arch_timer.c). A guest that only sets IMASK after the
 * hypervisor's own IMASK cannot be told apart (CNTV_CTL is not trapped): its pending
 * interrupt stays. The EL1 physical timer is trapped (CNTHCTL_EL2.EL1PCEN
 * = 0) and emulated on a hypervisor timer, raising virtual PPI 30.
 */
#include <asm/sysregs.h>
#include <asm/time.h>
#include <hv/domain.h>
#include <hv/log.h>
#include <asm/vgic.h>
#include <hv/vtimer.h>

#define CNT_CTL_ENABLE (1ull << 0)
#define CNT_CTL_IMASK (1ull << 1)
#define CNT_CTL_ISTATUS (1ull << 2)

/* Trapped system-register encodings (ESR ISS layout: Op0 Op2 Op1 CRn CRm). */
#define SYSREG(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
#define SR_CNTP_TVAL SYSREG(3, 3, 14, 2, 0)
#define SR_CNTP_CTL SYSREG(3, 3, 14, 2, 1)
#define SR_CNTP_CVAL SYSREG(3, 3, 14, 2, 2)

/*
 * The system time (ns) at which the physical counter reaches ticks, in *ns; false if it
 * never does in 64 bits of nanoseconds (over 580 years): such a deadline is "never",
 * never a wrapped, early one. The compare is of unbounded integers (Arm ARM D11.2.4), so
 * a guest's all-ones compare value must not fire.
 */
static bool ticks_deadline_ns(u64 ticks, u64 *ns)
{
	if (ticks / arch_counter_freq() >= ~0ull / 1000000000ull) {
		return false;
	}
	*ns = ticks_to_ns(ticks);
	return true;
}

/* The deadline of a virtual compare value cval of d (offset by CNTVOFF); false: never. */
static bool guest_deadline_ns(const struct domain *d, u64 cval, u64 *ns)
{
	u64 ticks = cval + d->arch.cntvoff;

	return ticks >= cval && ticks_deadline_ns(ticks, ns);
}

static void vtimer_expired(void *data)
{
	struct vcpu *v = data;

	/* Fired while v was switched out: mask it as the hardware path would. */
	v->arch.vtimer.ctl |= CNT_CTL_IMASK;
	v->arch.vtimer.raised = true;
	vgic_set_pending(v->domain, v, GUEST_VTIMER_PPI);
}

static void ptimer_expired(void *data)
{
	struct vcpu *v = data;

	if ((v->arch.vtimer.p_ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE) {
		vgic_set_pending(v->domain, v, GUEST_PTIMER_PPI);
	}
}

void vtimer_vcpu_init(struct vcpu *v)
{
	struct vtimer *t = &v->arch.vtimer;

	t->ctl = 0;
	t->cval = 0;
	t->p_ctl = 0;
	t->p_cval = 0;
	t->raised = false;
	timer_init(&t->t, vtimer_expired, v, v->pcpu);
	timer_init(&t->pt, ptimer_expired, v, v->pcpu);
}

void vtimer_vcpu_destroy(struct vcpu *v)
{
	timer_kill(&v->arch.vtimer.t);
	timer_kill(&v->arch.vtimer.pt);
}

/** v is switched out: keep its virtual timer running in software. */
void vtimer_save(struct vcpu *v)
{
	struct vtimer *t = &v->arch.vtimer;
	u64 ns;

	t->ctl = read_sysreg(cntv_ctl_el0);
	t->cval = read_sysreg(cntv_cval_el0);
	write_sysreg(0, cntv_ctl_el0);
	isb();
	if ((t->ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE &&
	    guest_deadline_ns(v->domain, t->cval, &ns)) {
		timer_set(&t->t, ns);
	}
}

void vtimer_load(struct vcpu *v)
{
	struct vtimer *t = &v->arch.vtimer;

	timer_stop(&t->t);
	write_sysreg(v->domain->arch.cntvoff, cntvoff_el2);
	write_sysreg(t->cval, cntv_cval_el0);
	isb();
	write_sysreg(t->ctl & ~CNT_CTL_ISTATUS, cntv_ctl_el0);
	isb();
}

/** See hv/vtimer.h. */
void vtimer_hw_interrupt(struct vcpu *v)
{
	u64 ctl = read_sysreg(cntv_ctl_el0);

	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) ==
	    (CNT_CTL_ENABLE | CNT_CTL_ISTATUS)) {
		write_sysreg(ctl | CNT_CTL_IMASK, cntv_ctl_el0);
		isb();
		v->arch.vtimer.raised = true;
		vgic_set_pending(v->domain, v, GUEST_VTIMER_PPI);
	}
}

/** See hv/vtimer.h. */
void vtimer_resample(struct vcpu *v)
{
	struct vtimer *t = &v->arch.vtimer;
	u64 ctl;

	if (!t->raised) {
		return;
	}
	/* ISTATUS shows the condition (CVAL reached) whatever IMASK says. */
	ctl = read_sysreg(cntv_ctl_el0);
	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_ISTATUS)) == (CNT_CTL_ENABLE | CNT_CTL_ISTATUS)) {
		return;
	}
	t->raised = false;
	vgic_withdraw_pending(v->domain, v, GUEST_VTIMER_PPI);
}

static u64 ptimer_status(const struct vtimer *t)
{
	u64 ctl = t->p_ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK);

	if ((ctl & CNT_CTL_ENABLE) && read_sysreg(cntpct_el0) >= t->p_cval) {
		ctl |= CNT_CTL_ISTATUS;
	}
	return ctl;
}

static void ptimer_rearm(struct vcpu *v)
{
	struct vtimer *t = &v->arch.vtimer;

	u64 ns;

	if ((t->p_ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE &&
	    ticks_deadline_ns(t->p_cval, &ns)) {
		timer_set(&t->pt, ns);
	} else {
		timer_stop(&t->pt);
	}
}

/** See hv/vtimer.h. */
int vtimer_emulate_ptimer(struct vcpu *v, u32 sysreg, bool is_read, u64 *val)
{
	struct vtimer *t = &v->arch.vtimer;
	u64 now = read_sysreg(cntpct_el0);

	switch (sysreg) {
	case SR_CNTP_CTL:
		if (is_read) {
			*val = ptimer_status(t);
		} else {
			t->p_ctl = *val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
			ptimer_rearm(v);
		}
		return 0;
	case SR_CNTP_CVAL:
		if (is_read) {
			*val = t->p_cval;
		} else {
			t->p_cval = *val;
			ptimer_rearm(v);
		}
		return 0;
	case SR_CNTP_TVAL:
		/* TVAL is a signed 32-bit view of CVAL - now (D11.2.4). */
		if (is_read) {
			*val = (u64)(s64)(s32)(u32)(t->p_cval - now);
		} else {
			t->p_cval = now + (u64)(s64)(s32)(u32)*val;
			ptimer_rearm(v);
		}
		return 0;
	default:
		return -1;
	}
}
