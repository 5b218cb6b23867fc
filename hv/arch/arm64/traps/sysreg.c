/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trapped MSR/MRS from guests (ESR_EL2 EC 0x18, ISS: Op0, Op2, Op1, CRn, Rt, CRm,
 * Direction; Arm ARM D17.2.37). Handled: ICC_SGI1R_EL1 (vGIC), the EL1 physical
 * timer (emulated), and the debug/PMU registers MDCR_EL2 traps, which read as zero
 * and ignore writes so a guest cannot program hardware shared with others.
 */
#include <hv/domain.h>
#include <asm/traps.h>
#include <asm/vgic.h>
#include <hv/vtimer.h>

#define ISS_DIR_READ 1u
#define SR_KEY_MASK 0x3ffc1eu /* Op0, Op2, Op1, CRn, CRm (without Rt and Dir) */
#define SYSREG(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
#define SR_ICC_SGI1R SYSREG(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R SYSREG(3, 0, 12, 11, 6)
#define SR_ICC_SGI0R SYSREG(3, 0, 12, 11, 7)

static unsigned int sr_op0(u32 k)
{
	return (k >> 20) & 3;
}
static unsigned int sr_op1(u32 k)
{
	return (k >> 14) & 7;
}
static unsigned int sr_crn(u32 k)
{
	return (k >> 10) & 0xf;
}
static unsigned int sr_crm(u32 k)
{
	return (k >> 1) & 0xf;
}

/* Debug registers (Op0 = 2) and the PMU (Op0 = 3, Op1 = 3, CRn = 9 or 14). */
static bool is_raz_wi(u32 k)
{
	if (sr_op0(k) == 2) {
		return true;
	}
	if (sr_op0(k) == 3 && sr_op1(k) == 3 && (sr_crn(k) == 9 || sr_crn(k) == 14) &&
	    !(sr_crn(k) == 14 && sr_crm(k) <= 3)) {
		return true; /* PMU; CRn 14 CRm 0-3 are the generic timer */
	}
	if (sr_op0(k) == 3 && sr_op1(k) == 0 && sr_crn(k) == 9 && sr_crm(k) == 14) {
		return true; /* PMINTENSET/CLR_EL1 */
	}
	return false;
}

/** See hv/hypercall.h. */
int do_trap_sysreg(struct vcpu *v, u64 esr)
{
	u32 iss = (u32)(esr & 0x1ffffff);
	u32 key = iss & SR_KEY_MASK;
	unsigned int rt = (iss >> 5) & 0x1f;
	bool is_read = iss & ISS_DIR_READ;
	u64 val = rt == 31 ? 0 : v->arch.regs.x[rt];

	if (key == SR_ICC_SGI1R && !is_read) {
		vgic_handle_sgi1r(v, val);
		return 0;
	}
	if ((key == SR_ICC_ASGI1R || key == SR_ICC_SGI0R) && !is_read) {
		return 0; /* Group 0 / alternate SGIs do not exist for guests: ignored */
	}
	if (vtimer_emulate_ptimer(v, key, is_read, &val) == 0) {
		if (is_read && rt != 31) {
			v->arch.regs.x[rt] = val;
		}
		return 0;
	}
	if (is_raz_wi(key)) {
		if (is_read && rt != 31) {
			v->arch.regs.x[rt] = 0;
		}
		return 0;
	}
	return -1;
}
