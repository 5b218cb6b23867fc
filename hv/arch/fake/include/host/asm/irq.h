/* SPDX-License-Identifier: Apache-2.0 */
/* Host unit tests: there are no interrupts to mask and one thread of control. */
#pragma once

static inline unsigned long arch_local_irq_save(void)
{
	return 0;
}
static inline void arch_local_irq_restore(unsigned long flags)
{
	(void)flags;
}
static inline void arch_local_irq_enable(void)
{
}
static inline void arch_local_irq_disable(void)
{
}
static inline void arch_cpu_relax(void)
{
}
static inline void arch_send_event(void)
{
}

/* Host unit tests: provided by the test (it decides what "an interrupt came" means). */
void arch_idle_wait(void);
