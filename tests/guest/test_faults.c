/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Suite "crashvec": a guest whose exception vector is unusable takes a fault; Lamina must
 * end that domain (dumping its registers) instead of injecting the fault for ever. Runs
 * with mmu=off so that the vector fetch is a stage-2 fault the hypervisor sees.
 * Suite "ptimer": the EL1 physical timer (emulated by Lamina, real on bare QEMU).
 */
#include "guest.h"

#define UNMAPPED_VECTORS 0x10000000ull /* an IPA outside RAM, 2 KiB aligned */

TEST_F(crashvec, bad_vbar, TF_XEN)
{
	printf("CRASHVEC: pointing VBAR_EL1 outside RAM, then faulting\n");
	console_flush();
	WRITE_SYSREG(vbar_el1, UNMAPPED_VECTORS);
	isb();
	/* The fault is the point: stage 2 refuses it, and the vector fetch faults too. */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	(void)*(volatile uint64_t *)0x0;
	test_fail(__FILE__, __LINE__, "still running after the fault");
}

static volatile unsigned int pfired;
static volatile uint64_t pfired_ctl, pfired_at;

static void ptimer_irq(unsigned int intid)
{
	(void)intid;
	pfired_at = READ_SYSREG(cntpct_el0);
	pfired_ctl = READ_SYSREG(cntp_ctl_el0);
	WRITE_SYSREG(cntp_ctl_el0, 3); /* ENABLE | IMASK */
	isb();
	pfired++;
}

TEST(ptimer, phys_irq)
{
	gic_enable_private(PPI_PTIMER, ptimer_irq);
	irq_enable();
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t cval = READ_SYSREG(cntpct_el0) + us_to_ticks(2000);

		pfired = 0;
		WRITE_SYSREG(cntp_cval_el0, cval);
		WRITE_SYSREG(cntp_ctl_el0, 1);
		isb();
		EXPECT_EQ(READ_SYSREG(cntp_cval_el0), cval);
		ASSERT(WAIT_FOR(READ_ONCE(pfired) == 1, 1000000));
		EXPECT(pfired_at >= cval);
		EXPECT(pfired_ctl & 4); /* ISTATUS */
	}
	WRITE_SYSREG(cntp_ctl_el0, 0);
	isb();
	gic_disable_private(PPI_PTIMER);
}

TEST(ptimer, tval_counts_down)
{
	uint64_t t;

	WRITE_SYSREG(cntp_tval_el0, us_to_ticks(100000));
	isb();
	t = READ_SYSREG(cntp_tval_el0) & 0xffffffffull;
	EXPECT(t <= us_to_ticks(100000));
	EXPECT(t > us_to_ticks(50000));
	/* Disabled and masked: no interrupt, and ISTATUS stays clear while disabled. */
	WRITE_SYSREG(cntp_ctl_el0, 2);
	isb();
	EXPECT_EQ(READ_SYSREG(cntp_ctl_el0) & 5, 0);
}

/*
 * An armhf program under an arm64 kernel: AArch32 at EL0. Its data abort on an address
 * outside the domain's memory is injected at VBAR_EL1 + 0x600 (lower EL using AArch32,
 * Arm ARM D1.10.2), as a data abort from a lower EL with FAR the address, ELR the
 * faulting instruction. Needs mmu=off (the runtime's stage 1 map gives EL0 no access).
 */
#define A32_HOLE 0x20000000ull /* below 4 GiB, nothing of the guest's layout there */

TEST_F(aarch32, el0_abort_vector, TF_XEN)
{
	struct fault_record fr;

	if (plat.mmu) {
		test_skip("needs mmu=off");
		return;
	}
	if (((READ_SYSREG(id_aa64pfr0_el1) >> 0) & 0xf) != 2) {
		test_skip("EL0 has no AArch32 on this CPU");
		return;
	}
	fault_expect();
	run_a32_el0(a32_load_r1, A32_HOLE);
	ASSERT(fault_take(&fr));
	EXPECT_EQ(ESR_EC(fr.esr), EC_DABT_LOWER);
	EXPECT(fr.esr & (1ull << 25)); /* IL: a 32-bit instruction */
	EXPECT_EQ(fr.far, A32_HOLE);
	EXPECT_EQ(fr.elr, (uintptr_t)a32_load_r1);
}
