/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic timer (Arm ARM D11): the system counter gives now_ns(), and the EL2
 * physical timer (CNTHP_*_EL2, PPI 26 on most boards) drives the timer queues.
 */
#include <asm/gic.h>
#include <asm/sysregs.h>
#include <asm/time.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/timer.h>

#define NSEC_PER_SEC 1000000000ull
#define CNTHP_CTL_ENABLE (1u << 0)
#define CNTHP_CTL_IMASK (1u << 1)
/* CNTHCTL_EL2 (non-VHE), D17.2.26: EL1PCTEN lets EL1 read the physical counter;
 * EL1PCEN stays clear so guests' CNTP_* accesses trap and are emulated (vtimer.c). */
#define CNTHCTL_EL1PCTEN (1u << 0)

u32 hyp_timer_irq = 26;
static u64 cntfrq;

u64 arch_counter_freq(void)
{
	return cntfrq;
}

u64 ticks_to_ns(u64 t)
{
	return (t / cntfrq) * NSEC_PER_SEC + ((t % cntfrq) * NSEC_PER_SEC) / cntfrq;
}

u64 ns_to_ticks(u64 ns)
{
	return (ns / NSEC_PER_SEC) * cntfrq + ((ns % NSEC_PER_SEC) * cntfrq) / NSEC_PER_SEC;
}

u64 now_ns(void)
{
	isb();
	return ticks_to_ns(read_sysreg(cntpct_el0));
}

/** Boot CPU: learns the counter frequency and the hypervisor timer's interrupt. */
void time_init(const struct boot_timer *t)
{
	cntfrq = read_sysreg(cntfrq_el0) & 0xffffffffu;
	if (t->clock_frequency != 0 && t->clock_frequency != cntfrq) {
		log_warn("timer: CNTFRQ_EL0 is %llu Hz but the device tree says %u Hz; "
			 "using the device tree\n",
			 (unsigned long long)cntfrq, t->clock_frequency);
		cntfrq = t->clock_frequency;
	}
	if (cntfrq == 0) {
		log_warn("timer: counter frequency unknown, assuming 62.5 MHz\n");
		cntfrq = 62500000;
	}
	if (t->irq_hyp >= 16 && t->irq_hyp < 32) {
		hyp_timer_irq = t->irq_hyp;
	} else {
		log_warn("timer: no hypervisor timer interrupt in the device tree, using PPI "
			 "%u\n",
			 hyp_timer_irq);
	}
	log_info("timer: %llu kHz, hypervisor timer INTID %u\n", (unsigned long long)cntfrq / 1000,
		 hyp_timer_irq);
}

/** Per CPU: disables the EL2 timer and enables its interrupt. */
void time_cpu_init(void)
{
	write_sysreg(CNTHP_CTL_IMASK, cnthp_ctl_el2);
	write_sysreg(CNTHCTL_EL1PCTEN, cnthctl_el2);
	write_sysreg(0, cntvoff_el2);
	isb();
	gic_enable_irq(hyp_timer_irq);
}

/** See hv/timer.h. */
void arch_timer_program(u64 expires)
{
	if (expires == 0) {
		write_sysreg(CNTHP_CTL_IMASK, cnthp_ctl_el2);
	} else {
		write_sysreg(ns_to_ticks(expires), cnthp_cval_el2);
		write_sysreg(CNTHP_CTL_ENABLE, cnthp_ctl_el2);
	}
	isb();
}

/** See hv/timer.h. */
void arch_timer_kick(unsigned int cpu)
{
	if (cpu == this_pcpu()->id) {
		unsigned long flags = arch_local_irq_save();
		struct timer_queue *q = &this_pcpu()->timers;

		spin_lock(&q->lock);
		arch_timer_program(q->head ? q->head->expires : 0);
		spin_unlock(&q->lock);
		arch_local_irq_restore(flags);
	} else {
		gic_send_sgi(cpu, SGI_TIMER_KICK);
	}
}

/** Busy-waits for 'us' microseconds. */
void udelay(u64 us)
{
	u64 end = now_ns() + us * 1000;

	while (now_ns() < end) {
		arch_cpu_relax();
	}
}
