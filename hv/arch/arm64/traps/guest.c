/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exceptions from guests (Arm ARM D17.2.37 ESR_EL2): one switch on the exception
 * class, one short handler per case. Anything a guest should not do ends in an
 * exception injected into the guest (undefined instruction, external abort), never
 * in a hypervisor stop.
 */
#include <asm/domain.h>
#include <asm/gic.h>
#include <asm/p2m.h>
#include <asm/regs.h>
#include <asm/sysregs.h>
#include <asm/traps.h>
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/mmio.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <asm/vgic.h>
#include <hv/vtimer.h>

#define ESR_EC_SHIFT 26
#define ESR_IL (1ull << 25)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25

/* Data abort ISS (D17.2.37.x). */
#define DABT_ISV (1u << 24)
#define DABT_SAS(iss) (((iss) >> 22) & 3)
#define DABT_SSE (1u << 21)
#define DABT_SRT(iss) (((iss) >> 16) & 0x1f)
#define DABT_SF (1u << 15)
#define DABT_WNR (1u << 6)
#define FSC_SYNC_EXTERNAL 0x10

/* PSTATE.M values (D1.x): where the guest was. */
#define PSR_MODE_MASK 0xf
#define PSR_MODE_EL0T 0x0
#define PSR_MODE_EL1T 0x4
#define PSR_MODE_EL1H 0x5
#define PSR_MODE_AARCH32 0x10 /* M[4]: the guest was in AArch32 (EL0 only here) */
#define PSR_DAIF_MASK 0x3c0

void do_hyp_irq(struct cpu_regs *regs);
struct vcpu *do_guest_exit(struct vcpu *v, u64 kind);

static void advance_pc(struct vcpu *v)
{
	v->arch.regs.pc += 4;
}

/**
 * Injects a synchronous exception into v at EL1 (D1.10): ELR/SPSR/ESR(/FAR)_EL1 get
 * the guest's state, and it continues at its VBAR_EL1 vector for synchronous
 * exceptions from the current EL (SP_EL0 or SP_EL1), from EL0 in AArch64 (+0x400) or
 * from EL0 in AArch32 (+0x600, an armhf program under an arm64 kernel), as Xen's
 * exception_handler64() in xen/arch/arm/traps.c. ESR.IL is the trapped instruction's
 * (a 16-bit Thumb one has IL 0), as Xen passes the trap's length on.
 */
static void inject_sync(struct vcpu *v, u64 esr, bool set_far, u64 far)
{
	struct guest_regs *r = &v->arch.regs;
	u64 mode = r->pstate & PSR_MODE_MASK;
	u64 offset;

	esr = (esr & ~(u64)ESR_IL) | (read_sysreg(esr_el2) & ESR_IL);
	switch (r->pstate & PSR_MODE_AARCH32 ? ~0ull : mode) {
	case PSR_MODE_EL1T:
		offset = 0x000;
		break;
	case PSR_MODE_EL1H:
		offset = 0x200;
		break;
	case PSR_MODE_EL0T:
		offset = 0x400; /* from EL0 (AArch64) */
		break;
	default:
		offset = 0x600; /* from EL0 in AArch32 */
		break;
	}
	if (mode != PSR_MODE_EL0T && r->pc - (read_sysreg(vbar_el1) + offset) < 0x80) {
		/*
		 * The fault is inside the very vector entry it would be sent to: injecting it
		 * again would loop for ever. The guest cannot handle exceptions: end it.
		 */
		domain_crash(v->domain, v,
			     "exception at its own exception vector (no usable "
			     "VBAR_EL1?)");
		return;
	}
	write_sysreg(r->pc, elr_el1);
	write_sysreg(r->pstate, spsr_el1);
	write_sysreg(esr, esr_el1);
	if (set_far) {
		write_sysreg(far, far_el1);
	}
	r->pc = read_sysreg(vbar_el1) + offset;
	r->pstate = PSR_DAIF_MASK | PSR_MODE_EL1H;
}

static bool from_el0(const struct vcpu *v)
{
	return (v->arch.regs.pstate & PSR_MODE_MASK) == PSR_MODE_EL0T;
}

/** Injects an undefined-instruction exception (EC 0) at the trapping instruction. */
void inject_undef(struct vcpu *v)
{
	inject_sync(v, ESR_IL, false, 0);
}

/** Injects a synchronous external data abort for address 'va' (EC 0x24/0x25). */
void inject_dabt(struct vcpu *v, u64 va, bool write)
{
	u64 ec = from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR;

	inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | (write ? DABT_WNR : 0) | FSC_SYNC_EXTERNAL,
		    true, va);
}

static void inject_iabt(struct vcpu *v, u64 va)
{
	u64 ec = from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR;

	inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXTERNAL, true, va);
}

#define GUEST_WARNS_PER_S 10

/* Rate-limited report of guest misbehaviour (guest_loglvl). */
static void guest_warn(struct vcpu *v, const char *what, u64 esr)
{
	struct domain *d = v->domain;

	if (!ratelimit_allow(&d->log_limit, now_ns(), GUEST_WARNS_PER_S, NULL)) {
		return;
	}
	if (hv_guest_loglvl >= LOG_WARN) {
		log_printf(LOG_WARN, "d%uv%u: %s (ESR 0x%llx, pc 0x%llx); injected a fault\n",
			   d->domid, v->id, what, (unsigned long long)esr,
			   (unsigned long long)v->arch.regs.pc);
	}
}

static u64 reg_read(const struct vcpu *v, unsigned int n)
{
	return n == 31 ? 0 : v->arch.regs.x[n];
}

static void reg_write(struct vcpu *v, unsigned int n, u64 val)
{
	if (n != 31) {
		v->arch.regs.x[n] = val;
	}
}

static void handle_dabt(struct vcpu *v, u64 esr)
{
	u32 iss = (u32)(esr & 0x1ffffff);
	u64 far = read_sysreg(far_el2);
	u64 hpfar = read_sysreg(hpfar_el2);
	gpaddr_t ipa = ((hpfar & 0x00000FFFFFFFFFF0ull) << 8) | (far & 0xfff);
	const struct mmio_region *r = mmio_find(v->domain, ipa);
	bool write = iss & DABT_WNR;

	if (r != NULL && (iss & DABT_ISV)) {
		unsigned int size = 1u << DABT_SAS(iss);
		unsigned int srt = DABT_SRT(iss);
		u64 val = 0;
		int rc;

		if (write) {
			val = reg_read(v, srt);
			if (size < 8) {
				val &= (1ull << (size * 8)) - 1;
			}
			rc = r->ops->write(v, ipa - r->base, size, val, r->priv);
		} else {
			rc = r->ops->read(v, ipa - r->base, size, &val, r->priv);
			if (rc == 0) {
				if (size < 8) {
					val &= (1ull << (size * 8)) - 1;
				}
				if ((iss & DABT_SSE) && size < 8 && (val >> (size * 8 - 1)) & 1) {
					val |= ~0ull << (size * 8);
				}
				if (!(iss & DABT_SF)) {
					val &= 0xffffffffull;
				}
				reg_write(v, srt, val);
			}
		}
		if (rc == 0) {
			advance_pc(v);
			return;
		}
	} else if (r != NULL) {
		guest_warn(v, "MMIO access the hypervisor cannot decode (no ISV)", esr);
	} else {
		guest_warn(v, "access outside its memory", esr);
	}
	inject_dabt(v, far, write);
}

static void handle_wfx(struct vcpu *v, u64 esr)
{
	advance_pc(v);
	if (esr & 1) { /* TI: WFE */
		vcpu_yield_current();
	} else {
		vcpu_block_current();
	}
}

/** One guest synchronous exception. */
/*
 * A Xen hypercall (HVC #0xEA1, Xen's public/arch-arm.h "Hypercall calling
 * convention"): number in x16, arguments in x0-x5, result in x0. The other argument
 * registers are left as they were. A call to be restarted is issued again by
 * pointing ELR back at the HVC, its argument registers as the continuation left them.
 */
static void trap_xen_hypercall(struct vcpu *v)
{
	struct guest_regs *r = &v->arch.regs;
	struct hcall_args args = { .nr = r->x[16] };
	long ret;

	for (unsigned int i = 0; i < HCALL_NR_ARGS; i++) {
		args.a[i] = r->x[i];
	}
	ret = hypercall_do(v, &args);
	if (ret == -HV_ERESTART) {
		/* Again, with the arguments as the continuation left them. */
		for (unsigned int i = 0; i < HCALL_NR_ARGS; i++) {
			r->x[i] = args.a[i];
		}
		r->pc -= 4;
		return;
	}
	r->x[0] = (u64)ret;
}

static void guest_sync(struct vcpu *v)
{
	u64 esr = read_sysreg(esr_el2);
	u64 ec = (esr >> ESR_EC_SHIFT) & 0x3f;
	u32 imm = (u32)(esr & 0xffff);

	switch (ec) {
	case EC_WFX:
		handle_wfx(v, esr);
		break;
	case EC_HVC64: /* ELR already points past the HVC */
		if (imm == XEN_HYPERCALL_TAG) {
			trap_xen_hypercall(v);
		} else if (imm == 0) {
			do_trap_smccc(v);
		} else {
			guest_warn(v, "HVC with an unknown immediate", esr);
			v->arch.regs.pc -= 4;
			inject_undef(v);
		}
		break;
	case EC_SMC64: /* trapped by HCR_EL2.TSC: ELR points at the SMC */
		if (imm == 0) {
			advance_pc(v);
			do_trap_smccc(v);
		} else {
			guest_warn(v, "SMC with an unknown immediate", esr);
			inject_undef(v);
		}
		break;
	case EC_SYSREG:
		if (do_trap_sysreg(v, esr) == 0) {
			advance_pc(v);
		} else {
			guest_warn(v, "access to a system register it may not use", esr);
			inject_undef(v);
		}
		break;
	case EC_DABT_LOW:
		handle_dabt(v, esr);
		break;
	case EC_IABT_LOW:
		guest_warn(v, "instruction fetch outside its memory", esr);
		inject_iabt(v, read_sysreg(far_el2));
		break;
	default:
		guest_warn(v, "trapped instruction", esr);
		inject_undef(v);
		break;
	}
}

/** C side of a guest exit (entry.S); returns the vCPU to enter. IRQs masked. */
struct vcpu *do_guest_exit(struct vcpu *v, u64 kind)
{
	struct vcpu *next;

	vgic_sync_lrs(v);
	switch (kind) {
	case GUEST_EXIT_SYNC:
		guest_sync(v);
		break;
	case GUEST_EXIT_IRQ:
		do_hyp_irq(NULL);
		break;
	case GUEST_EXIT_SERROR:
		domain_crash(v->domain, v, "SError while running the guest");
		break;
	case GUEST_EXIT_FIQ:
	default:
		log_warn("d%uv%u: unexpected FIQ exit\n", v->domain->domid, v->id);
		break;
	}
	vtimer_resample(v); /* its level follows what the guest did to the timer */
	next = sched_exit_to(v);
	arch_vcpu_prepare_entry(next);
	return next;
}
