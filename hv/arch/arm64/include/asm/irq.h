/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt masking at EL2 through PSTATE.DAIF (Arm ARM C5.2.2). */
#pragma once

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(flags) : : "memory");
	return flags;
}
static inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}
static inline void arch_local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}
static inline void arch_local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}
static inline void arch_send_event(void)
{
	__asm__ volatile("dsb ishst\n\tsev" : : : "memory");
}

/*
 * Idle wait with interrupts masked: WFI ends on a pending interrupt even while PSTATE.I
 * masks it (Arm ARM D1.16.2), so a wake-up between the caller's last check and the
 * WFI is never lost. The caller unmasks afterwards to take it.
 */
static inline void arch_idle_wait(void)
{
	__asm__ volatile("dsb sy\n\twfi" : : : "memory");
}
