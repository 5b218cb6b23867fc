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
