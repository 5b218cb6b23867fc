/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host unit tests: there are no interrupts and one thread of control, but the mask is
 * tracked (fake_irqs_enabled, hv/arch/fake/fake.c) so that a test can check in which
 * state code runs. It starts masked, as the hypervisor does in a trap.
 */
#pragma once

#include <stdbool.h>

extern bool fake_irqs_enabled;

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long was = fake_irqs_enabled;

	fake_irqs_enabled = false;
	return was;
}
static inline void arch_local_irq_restore(unsigned long flags)
{
	fake_irqs_enabled = flags != 0;
}
static inline void arch_local_irq_enable(void)
{
	fake_irqs_enabled = true;
}
static inline void arch_local_irq_disable(void)
{
	fake_irqs_enabled = false;
}
static inline void arch_cpu_relax(void)
{
}
static inline void arch_send_event(void)
{
}

/* Host unit tests: provided by the test (it decides what "an interrupt came" means). */
void arch_idle_wait(void);
